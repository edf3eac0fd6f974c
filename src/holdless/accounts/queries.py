"""Read-side finders for accounts."""

from __future__ import annotations

from holdless.accounts.model import ApiToken, User, Workspace
from holdless.errors import NotFound
from holdless.ids import UserId
from holdless.tenancy import Principal
from holdless.unit_of_work import Ctx


async def workspace_by_slug(ctx: Ctx, slug: str) -> Workspace:
    """Public look-up for the chat widget: knowing a workspace's slug reveals only that it exists."""
    async with ctx.uow() as uow:
        workspace = await uow.workspaces.by_slug(slug.strip().lower())
    if workspace is None:
        raise NotFound("No such workspace.")
    return workspace


async def current_workspace(ctx: Ctx, actor: Principal) -> Workspace:
    async with ctx.uow() as uow:
        return await uow.workspaces.get(actor.workspace_id)


async def get_user(ctx: Ctx, actor: Principal, user_id: UserId) -> User:
    async with ctx.uow() as uow:
        return await uow.users.get(actor.workspace_id, user_id)


async def list_users(ctx: Ctx, actor: Principal) -> list[User]:
    """Everyone in the workspace may see its people (agents need them to transfer)."""
    async with ctx.uow() as uow:
        return await uow.users.list(actor.workspace_id)


async def list_tokens(ctx: Ctx, actor: Principal) -> list[ApiToken]:
    async with ctx.uow() as uow:
        return await uow.tokens.list(actor.workspace_id, actor.user_id)
