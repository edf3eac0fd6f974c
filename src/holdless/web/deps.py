"""FastAPI dependencies: the running Holdless, and who is calling."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from holdless.accounts.actions import principal_for_session, principal_for_token
from holdless.bootstrap import Holdless
from holdless.errors import Unauthenticated
from holdless.tenancy import CustomerPrincipal, Principal
from holdless.unit_of_work import Ctx
from holdless.web.auth import SESSION_COOKIE, Signer

_bearer = HTTPBearer(auto_error=False, description="An API token (POST /api/v1/tokens) or a customer token")


def holdless(request: Request) -> Holdless:
    app: Holdless = request.app.state.holdless
    return app


def ctx(request: Request) -> Ctx:
    return holdless(request).ctx


def signer(request: Request) -> Signer:
    value: Signer = request.app.state.signer
    return value


async def principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    if credentials is not None:
        return await principal_for_token(ctx(request), credentials.credentials)
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        return await principal_for_session(ctx(request), cookie)
    raise Unauthenticated("Sign in, or send an API token as 'Authorization: Bearer <token>'.")


async def customer(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)], request: Request
) -> CustomerPrincipal:
    if credentials is None:
        raise Unauthenticated("Send the chat session's customer token as 'Authorization: Bearer <token>'.")
    workspace_id, customer_id = signer(request).read_customer(credentials.credentials)
    return CustomerPrincipal(workspace_id=workspace_id, customer_id=customer_id)


CtxDep = Annotated[Ctx, Depends(ctx)]
PrincipalDep = Annotated[Principal, Depends(principal)]
CustomerDep = Annotated[CustomerPrincipal, Depends(customer)]
SignerDep = Annotated[Signer, Depends(signer)]
HoldlessDep = Annotated[Holdless, Depends(holdless)]
