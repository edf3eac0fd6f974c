"""Sign in and out (cookie for the browser), API tokens, and who am I."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from holdless.accounts import actions, queries
from holdless.web.api.schemas import UserOut
from holdless.web.auth import SESSION_COOKIE
from holdless.web.deps import CtxDep, PrincipalDep

router = APIRouter(tags=["auth"])


class SignIn(BaseModel):
    workspace: str = Field(min_length=1, max_length=63, description="The workspace slug")
    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=256)


class Me(BaseModel):
    user: UserOut
    workspace_id: str


@router.post("/auth/login")
async def login(body: SignIn, ctx: CtxDep, request: Request, response: Response) -> Me:
    settings = request.app.state.holdless.settings
    user, secret = await actions.sign_in(
        ctx,
        workspace_slug=body.workspace,
        email=body.email,
        password=body.password,
        days=settings.session_days,
    )
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=settings.session_days * 86400,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
    )
    return Me(user=UserOut.of(user), workspace_id=user.workspace_id)


@router.post("/auth/logout", status_code=204)
async def logout(ctx: CtxDep, request: Request, response: Response) -> None:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        await actions.sign_out(ctx, cookie)
    response.delete_cookie(SESSION_COOKIE)


@router.get("/me")
async def me(who: PrincipalDep, ctx: CtxDep) -> Me:
    user = await queries.get_user(ctx, who, who.user_id)
    return Me(user=UserOut.of(user), workspace_id=who.workspace_id)


class TokenIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)


class TokenOut(BaseModel):
    id: str
    name: str
    created_at: datetime
    token: str | None = Field(default=None, description="The secret; shown only once, at creation")


@router.post("/tokens", status_code=201)
async def create_token(body: TokenIn, who: PrincipalDep, ctx: CtxDep) -> TokenOut:
    token, secret = await actions.issue_token(ctx, who, name=body.name)
    return TokenOut(id=token.id, name=token.name, created_at=token.created_at, token=secret)


@router.get("/tokens")
async def list_tokens(who: PrincipalDep, ctx: CtxDep) -> list[TokenOut]:
    tokens = await queries.list_tokens(ctx, who)
    return [TokenOut(id=t.id, name=t.name, created_at=t.created_at) for t in tokens]


@router.delete("/tokens/{token_id}", status_code=204)
async def revoke_token(token_id: str, who: PrincipalDep, ctx: CtxDep) -> None:
    await actions.revoke_token(ctx, who, token_id)
