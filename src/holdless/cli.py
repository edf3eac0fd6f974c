"""The `holdless` command line (Typer)."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
import uvicorn
from rich.console import Console
from rich.table import Table

from holdless.accounts.actions import create_user
from holdless.bootstrap import build
from holdless.demo import SLUG, load_demo
from holdless.errors import HoldlessError
from holdless.nlu_cli import nlu_app
from holdless.report_cli import report_app
from holdless.settings import Settings
from holdless.simulate_cli import simulate_command
from holdless.storage.migrate import upgrade
from holdless.tenancy import Role, SystemPrincipal
from holdless.workforce_cli import wfm_app

app = typer.Typer(help="Holdless: a place in line for every contact.", no_args_is_help=True)
user_app = typer.Typer(help="Manage the people who sign in.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(wfm_app, name="wfm")
app.add_typer(report_app, name="report")
app.add_typer(nlu_app, name="nlu")
app.command("simulate")(simulate_command)
console = Console()


def _fail(message: str) -> typer.Exit:
    console.print(f"[red]error:[/red] {message}")
    return typer.Exit(code=2)


@app.command()
def migrate() -> None:
    """Create or upgrade the database schema."""
    settings = Settings()
    upgrade(settings.database_url)
    console.print(f"database is up to date ({settings.database_url.split('@')[-1]})")


@app.command()
def demo() -> None:
    """Load the demo workspace (agents, two queues, premium and standard customers)."""
    settings = Settings()

    async def run() -> None:
        holdless = build(settings)
        try:
            logins = await load_demo(holdless.ctx)
        finally:
            await holdless.close()
        if logins is None:
            console.print(f"demo workspace '{SLUG}' is already loaded")
            return
        table = Table(title=f"Demo logins (workspace: {SLUG})")
        for column in ("role", "email", "password"):
            table.add_column(column)
        for login in logins:
            table.add_row(login.role, login.email, login.password)
        console.print(table)

    asyncio.run(run())


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on")] = None,
) -> None:
    """Serve the API, websockets and docs."""
    overrides = {k: v for k, v in {"host": host, "port": port}.items() if v is not None}
    settings = Settings(**overrides)  # type: ignore[arg-type]
    from holdless.web.app import create_app

    base = f"http://{settings.host}:{settings.port}"
    console.print(f"Holdless on {base}  ·  API docs {base}/docs  ·  health {base}/healthz")
    console.print(f"demo workspace '{SLUG}': logins are printed by `holdless demo` (see README)")
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        ws_per_message_deflate=False,  # ~40% less memory per idle connection (performance.md)
    )


@user_app.command("create")
def user_create(
    workspace: Annotated[str, typer.Option(help="Workspace slug")],
    email: Annotated[str, typer.Option()],
    name: Annotated[str, typer.Option()],
    role: Annotated[Role, typer.Option()] = Role.AGENT,
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)] = "",
) -> None:
    """Create a person in a workspace."""
    settings = Settings()

    async def run() -> None:
        holdless = build(settings)
        try:
            async with holdless.ctx.uow() as uow:
                found = await uow.workspaces.by_slug(workspace)
            if found is None:
                raise _fail(f"no workspace '{workspace}'")
            user = await create_user(
                holdless.ctx, SystemPrincipal(found.id), email=email, name=name, role=role, password=password
            )
            console.print(f"created {user.role.value} {user.email} ({user.id})")
        except HoldlessError as error:
            raise _fail(error.message) from None
        finally:
            await holdless.close()

    asyncio.run(run())
