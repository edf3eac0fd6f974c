"""Workspaces, users, API tokens."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from holdless.accounts.model import ApiToken, Session, User, Workspace
from holdless.errors import Conflict, NotFound
from holdless.ids import UserId, WorkspaceId
from holdless.storage.tables import api_tokens, sessions, users, workspaces
from holdless.tenancy import Role


def _workspace(row: Any) -> Workspace:
    return Workspace(
        id=row.id,
        slug=row.slug,
        name=row.name,
        created_at=row.created_at,
        languages=tuple(row.languages),
        dispositions=tuple(row.dispositions),
    )


def _user(row: Any) -> User:
    return User(
        id=row.id,
        workspace_id=row.workspace_id,
        email=row.email,
        name=row.name,
        role=Role(row.role),
        password_hash=row.password_hash,
        created_at=row.created_at,
        language=row.language,
        active=row.active,
    )


class SqlWorkspaces:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def get(self, workspace_id: WorkspaceId) -> Workspace:
        row = (await self._conn.execute(select(workspaces).where(workspaces.c.id == workspace_id))).first()
        if row is None:
            raise NotFound("No such workspace.")
        return _workspace(row)

    async def by_slug(self, slug: str) -> Workspace | None:
        row = (await self._conn.execute(select(workspaces).where(workspaces.c.slug == slug))).first()
        return None if row is None else _workspace(row)

    async def add(self, workspace: Workspace) -> None:
        if await self.by_slug(workspace.slug) is not None:
            raise Conflict(f"A workspace with the slug '{workspace.slug}' already exists.", field="slug")
        await self._conn.execute(
            insert(workspaces).values(
                id=workspace.id,
                slug=workspace.slug,
                name=workspace.name,
                languages=list(workspace.languages),
                dispositions=list(workspace.dispositions),
                event_seq=0,
                created_at=workspace.created_at,
            )
        )

    async def update(self, workspace: Workspace) -> None:
        await self._conn.execute(
            update(workspaces)
            .where(workspaces.c.id == workspace.id)
            .values(
                name=workspace.name,
                languages=list(workspace.languages),
                dispositions=list(workspace.dispositions),
            )
        )


class SqlUsers:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def get(self, workspace_id: WorkspaceId, user_id: UserId) -> User:
        query = select(users).where(users.c.workspace_id == workspace_id, users.c.id == user_id)
        row = (await self._conn.execute(query)).first()
        if row is None:
            raise NotFound("No such user in this workspace.")
        return _user(row)

    async def by_email(self, workspace_id: WorkspaceId, email: str) -> User | None:
        query = select(users).where(users.c.workspace_id == workspace_id, users.c.email == email.lower())
        row = (await self._conn.execute(query)).first()
        return None if row is None else _user(row)

    async def list(self, workspace_id: WorkspaceId) -> list[User]:
        query = select(users).where(users.c.workspace_id == workspace_id).order_by(users.c.name, users.c.id)
        return [_user(row) for row in await self._conn.execute(query)]

    async def add(self, user: User) -> None:
        if await self.by_email(user.workspace_id, user.email) is not None:
            raise Conflict(f"Someone in this workspace already uses {user.email}.", field="email")
        await self._conn.execute(
            insert(users).values(
                id=user.id,
                workspace_id=user.workspace_id,
                email=user.email.lower(),
                name=user.name,
                role=user.role.value,
                password_hash=user.password_hash,
                language=user.language,
                active=user.active,
                created_at=user.created_at,
            )
        )

    async def update(self, user: User) -> None:
        await self._conn.execute(
            update(users)
            .where(users.c.workspace_id == user.workspace_id, users.c.id == user.id)
            .values(
                name=user.name,
                role=user.role.value,
                password_hash=user.password_hash,
                language=user.language,
                active=user.active,
            )
        )


def _token(row: Any) -> ApiToken:
    return ApiToken(
        id=row.id,
        workspace_id=row.workspace_id,
        user_id=row.user_id,
        name=row.name,
        token_hash=row.token_hash,
        created_at=row.created_at,
    )


class SqlTokens:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, token: ApiToken) -> None:
        await self._conn.execute(
            insert(api_tokens).values(
                id=token.id,
                workspace_id=token.workspace_id,
                user_id=token.user_id,
                name=token.name,
                token_hash=token.token_hash,
                created_at=token.created_at,
            )
        )

    async def by_digest(self, digest: str) -> ApiToken | None:
        row = (await self._conn.execute(select(api_tokens).where(api_tokens.c.token_hash == digest))).first()
        return None if row is None else _token(row)

    async def list(self, workspace_id: WorkspaceId, user_id: UserId) -> list[ApiToken]:
        query = (
            select(api_tokens)
            .where(api_tokens.c.workspace_id == workspace_id, api_tokens.c.user_id == user_id)
            .order_by(api_tokens.c.created_at)
        )
        return [_token(row) for row in await self._conn.execute(query)]

    async def delete(self, workspace_id: WorkspaceId, user_id: UserId, token_id: str) -> bool:
        result = await self._conn.execute(
            delete(api_tokens).where(
                api_tokens.c.workspace_id == workspace_id,
                api_tokens.c.user_id == user_id,
                api_tokens.c.id == token_id,
            )
        )
        return bool(result.rowcount)


class SqlSessions:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, session: Session) -> None:
        await self._conn.execute(
            insert(sessions).values(
                digest=session.digest,
                workspace_id=session.workspace_id,
                user_id=session.user_id,
                created_at=session.created_at,
                expires_at=session.expires_at,
            )
        )

    async def by_digest(self, digest: str) -> Session | None:
        row = (await self._conn.execute(select(sessions).where(sessions.c.digest == digest))).first()
        if row is None:
            return None
        return Session(row.digest, row.workspace_id, row.user_id, row.created_at, row.expires_at)

    async def delete(self, digest: str) -> None:
        await self._conn.execute(delete(sessions).where(sessions.c.digest == digest))

    async def delete_for_user(self, workspace_id: WorkspaceId, user_id: UserId) -> int:
        result = await self._conn.execute(
            delete(sessions).where(sessions.c.workspace_id == workspace_id, sessions.c.user_id == user_id)
        )
        return int(result.rowcount)
