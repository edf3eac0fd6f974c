"""Server-rendered pages (Jinja2) and the static files they use. The pages only render a shell; the
small scripts under static/ talk to the public REST API and the websockets like any other client."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape

from holdless.accounts.actions import principal_for_session
from holdless.accounts.model import DEFAULT_DISPOSITIONS
from holdless.accounts.queries import current_workspace, get_user
from holdless.errors import HoldlessError
from holdless.tenancy import Role
from holdless.web.auth import SESSION_COOKIE
from holdless.web.ui.texts import LANGUAGES, texts_for

HERE = Path(__file__).parent
STATIC = HERE / "static"
templates = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(default=True),
    auto_reload=False,
)
router = APIRouter(include_in_schema=False)
NO_STORE = {"Cache-Control": "no-store"}


def static_files() -> StaticFiles:
    return StaticFiles(directory=STATIC)


def _language(request: Request, preferred: str | None = None) -> str:
    asked = request.query_params.get("lang") or preferred or ""
    if asked[:2] in LANGUAGES:
        return asked[:2]
    header = request.headers.get("accept-language", "")
    for part in header.split(","):
        code = part.strip()[:2].lower()
        if code in LANGUAGES:
            return code
    return "en"


def _render(name: str, language: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    page = templates.get_template(name).render(lang=language, t=texts_for(language), **values)
    return HTMLResponse(page, status_code=status_code, headers=NO_STORE)


@router.get("/widget.js")
async def widget_script() -> FileResponse:
    return FileResponse(STATIC / "widget.js", media_type="text/javascript", headers=NO_STORE)


@router.get("/demo", response_class=HTMLResponse)
async def demo(request: Request, workspace: str = "demo", queue: str = "") -> HTMLResponse:
    """A host page with one script tag. ?lang= sets the page language; ?queue= a queue id or name."""
    app = request.app.state.holdless
    queue_id = ""
    async with app.ctx.uow() as uow:
        found = await uow.workspaces.by_slug(workspace.strip().lower())
        if found is not None:
            queues = await uow.queues.list(found.id)
            chosen = [q for q in queues if queue in (q.id, q.name)] if queue else queues[:1]
            queue_id = chosen[0].id if chosen else ""
    return _render("demo.html", _language(request), workspace=workspace, queue_id=queue_id)


@router.get("/login", response_class=HTMLResponse)
async def login_page(
    request: Request, workspace: str = "demo", next_path: Annotated[str, Query(alias="next")] = "/agent"
) -> HTMLResponse:
    """``?next=`` is where to go after signing in: only a path on this site (else the agent desktop)."""
    safe = next_path.startswith("/") and not next_path.startswith("//") and "\\" not in next_path
    target = next_path if safe else "/agent"
    return _render("login.html", _language(request), workspace=workspace, next=target)


@router.get("/agent", response_model=None)
async def agent_desktop(request: Request) -> Response:
    app = request.app.state.holdless
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return RedirectResponse("/login", status_code=303)
    try:
        who = await principal_for_session(app.ctx, cookie)
        user = await get_user(app.ctx, who, who.user_id)
        workspace = await current_workspace(app.ctx, who)
    except HoldlessError:
        return RedirectResponse("/login", status_code=303)
    language = _language(request, user.language)
    return _render(
        "agent.html",
        language,
        user=user,
        workspace=workspace,
        dispositions=list(workspace.dispositions or DEFAULT_DISPOSITIONS),
    )


@router.get("/supervisor", response_model=None)
async def supervisor_wallboard(request: Request) -> Response:
    """The wallboard for supervisors and admins; an agent gets a "not allowed" page (403)."""
    app = request.app.state.holdless
    cookie = request.cookies.get(SESSION_COOKIE)
    back = RedirectResponse("/login?next=/supervisor", status_code=303)
    if not cookie:
        return back
    try:
        who = await principal_for_session(app.ctx, cookie)
        user = await get_user(app.ctx, who, who.user_id)
        workspace = await current_workspace(app.ctx, who)
    except HoldlessError:
        return back
    language = _language(request, user.language)
    if who.role not in (Role.SUPERVISOR, Role.ADMIN):
        return _render("not_allowed.html", language, status_code=403, user=user)
    return _render("supervisor.html", language, user=user, workspace=workspace)
