"""The only functions that change workspaces, users and tokens."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from holdless.accounts.model import (
    SUPPORTED_LANGUAGES,
    ApiToken,
    Session,
    User,
    Workspace,
    new_session_secret,
    new_token_secret,
    token_digest,
    validate_password,
    validate_slug,
)
from holdless.accounts.passwords import hash_password, verify_password
from holdless.accounts.repository import UserRepository
from holdless.agents.model import AgentProfile
from holdless.errors import Invalid, NotFound, Unauthenticated
from holdless.events import Event
from holdless.ids import UserId, WorkspaceId, new_id
from holdless.tenancy import Principal, Role, SystemPrincipal
from holdless.unit_of_work import Ctx


def _languages(languages: tuple[str, ...]) -> tuple[str, ...]:
    unknown = [lang for lang in languages if lang not in SUPPORTED_LANGUAGES]
    if not languages or unknown:
        raise Invalid(f"Languages must be among {', '.join(SUPPORTED_LANGUAGES)}.", field="languages")
    return tuple(dict.fromkeys(languages))


async def create_workspace(ctx: Ctx, *, slug: str, name: str, languages: tuple[str, ...]) -> Workspace:
    now = ctx.clock.now()
    workspace = Workspace(
        id=WorkspaceId(new_id("ws")),
        slug=validate_slug(slug),
        name=name.strip() or slug,
        created_at=now,
        languages=_languages(languages),
    )
    async with ctx.uow() as uow:
        await uow.workspaces.add(workspace)
        uow.record(
            Event(
                "workspace.created",
                workspace.id,
                "system",
                now,
                {"slug": workspace.slug, "name": workspace.name},
            )
        )
    return workspace


async def update_workspace(
    ctx: Ctx, actor: Principal, *, name: str | None, languages: tuple[str, ...] | None
) -> Workspace:
    actor.require(Role.ADMIN)
    async with ctx.uow() as uow:
        workspace = await uow.workspaces.get(actor.workspace_id)
        if name is not None:
            workspace = replace(workspace, name=name.strip() or workspace.name)
        if languages is not None:
            workspace = replace(workspace, languages=_languages(languages))
        await uow.workspaces.update(workspace)
        uow.record(
            Event(
                "workspace.updated",
                workspace.id,
                actor.actor,
                ctx.clock.now(),
                {"name": workspace.name, "languages": list(workspace.languages)},
            )
        )
    return workspace


async def create_user(
    ctx: Ctx,
    actor: Principal | SystemPrincipal,
    *,
    email: str,
    name: str,
    role: Role,
    password: str,
    language: str = "en",
) -> User:
    """Create a person; agents also get an agent profile (offline, no skills) to be filled in by an admin."""
    if isinstance(actor, Principal):
        actor.require(Role.ADMIN)
    if "@" not in email or len(email) > 320:
        raise Invalid(f"'{email}' is not an email address.", field="email")
    now = ctx.clock.now()
    user = User(
        id=UserId(new_id("usr")),
        workspace_id=actor.workspace_id,
        email=email.strip().lower(),
        name=name.strip() or email,
        role=role,
        password_hash=hash_password(validate_password(password)),
        created_at=now,
        language=language,
    )
    async with ctx.uow() as uow:
        await uow.workspaces.get(actor.workspace_id)
        await uow.users.add(user)
        if role is Role.AGENT or role is Role.SUPERVISOR:
            await uow.agents.save(
                AgentProfile(user_id=user.id, workspace_id=user.workspace_id, state_since=now)
            )
        uow.record(
            Event(
                "user.created",
                user.workspace_id,
                actor.actor,
                now,
                {"user_id": user.id, "email": user.email, "name": user.name, "role": role.value},
            )
        )
    return user


async def update_user(
    ctx: Ctx,
    actor: Principal,
    user_id: UserId,
    *,
    name: str | None = None,
    role: Role | None = None,
    active: bool | None = None,
    password: str | None = None,
    language: str | None = None,
) -> User:
    if user_id != actor.user_id or role is not None or active is not None:
        actor.require(Role.ADMIN)
    if actor.user_id == user_id and (active is False or (role is not None and role is not actor.role)):
        raise Invalid("You cannot deactivate yourself or change your own role.")
    async with ctx.uow() as uow:
        user = await uow.users.get(actor.workspace_id, user_id)
        user = replace(
            user,
            name=name.strip() if name else user.name,
            role=role or user.role,
            active=user.active if active is None else active,
            language=language or user.language,
            password_hash=hash_password(validate_password(password)) if password else user.password_hash,
        )
        await uow.users.update(user)
        if password or active is False:  # a changed password or a deactivation signs out every browser
            await uow.sessions.delete_for_user(user.workspace_id, user.id)
        if user.role is not Role.ADMIN:
            try:
                await uow.agents.get(user.workspace_id, user.id)
            except NotFound:
                await uow.agents.save(AgentProfile(user_id=user.id, workspace_id=user.workspace_id))
        changed = {"name": name, "role": role.value if role else None, "active": active, "language": language}
        data = {k: v for k, v in changed.items() if v is not None} | {
            "password_changed": password is not None
        }
        uow.record(
            Event(
                "user.updated", user.workspace_id, actor.actor, ctx.clock.now(), {"user_id": user.id, **data}
            )
        )
    return user


async def sign_in(ctx: Ctx, *, workspace_slug: str, email: str, password: str, days: int) -> tuple[User, str]:
    """Check a sign-in and open a session; the same message for every failure so accounts cannot be probed.
    Returns the user and the session secret for the cookie (only its digest is stored)."""
    failure = Unauthenticated("Wrong workspace, email or password.")
    now = ctx.clock.now()
    secret = new_session_secret()
    async with ctx.uow() as uow:
        workspace = await uow.workspaces.by_slug(workspace_slug.strip().lower())
        if workspace is None:
            raise failure
        user = await uow.users.by_email(workspace.id, email.strip().lower())
        if user is None or not user.active or not verify_password(user.password_hash, password):
            raise failure
        await uow.sessions.add(
            Session(token_digest(secret), workspace.id, user.id, now, now + timedelta(days=days))
        )
        uow.record(Event("user.signed_in", workspace.id, f"user:{user.id}", now, {"user_id": user.id}))
    return user, secret


async def sign_out(ctx: Ctx, secret: str) -> None:
    """End a browser session for good: the cookie stops working even if it was copied."""
    async with ctx.uow() as uow:
        session = await uow.sessions.by_digest(token_digest(secret))
        if session is None:
            return
        await uow.sessions.delete(session.digest)
        uow.record(
            Event(
                "user.signed_out",
                session.workspace_id,
                f"user:{session.user_id}",
                ctx.clock.now(),
                {"user_id": session.user_id},
            )
        )


async def issue_token(ctx: Ctx, actor: Principal, *, name: str) -> tuple[ApiToken, str]:
    """A new API token for the signed-in person; the secret is returned once and stored only as a hash."""
    secret = new_token_secret()
    now = ctx.clock.now()
    token = ApiToken(
        id=new_id("tok"),
        workspace_id=actor.workspace_id,
        user_id=actor.user_id,
        name=name.strip()[:200] or "API token",
        token_hash=token_digest(secret),
        created_at=now,
    )
    async with ctx.uow() as uow:
        await uow.tokens.add(token)
        uow.record(
            Event(
                "token.created",
                actor.workspace_id,
                actor.actor,
                now,
                {"token_id": token.id, "name": token.name},
            )
        )
    return token, secret


async def revoke_token(ctx: Ctx, actor: Principal, token_id: str) -> None:
    async with ctx.uow() as uow:
        if not await uow.tokens.delete(actor.workspace_id, actor.user_id, token_id):
            raise NotFound("No such token.")
        uow.record(
            Event("token.revoked", actor.workspace_id, actor.actor, ctx.clock.now(), {"token_id": token_id})
        )


async def principal_for_token(ctx: Ctx, secret: str) -> Principal:
    async with ctx.uow() as uow:
        token = await uow.tokens.by_digest(token_digest(secret))
        if token is None:
            raise Unauthenticated("This API token is not valid.")
        return await principal_for_user(uow.users, token.workspace_id, token.user_id)


async def principal_for_session(ctx: Ctx, secret: str) -> Principal:
    async with ctx.uow() as uow:
        session = await uow.sessions.by_digest(token_digest(secret))
        if session is None or session.expires_at <= ctx.clock.now():
            raise Unauthenticated("Your session has ended; please sign in again.")
        return await principal_for_user(uow.users, session.workspace_id, session.user_id)


async def principal_for_user(users: UserRepository, workspace_id: WorkspaceId, user_id: UserId) -> Principal:
    try:
        user = await users.get(workspace_id, user_id)
    except NotFound:
        raise Unauthenticated("Your session has ended; please sign in again.") from None
    if not user.active:
        raise Unauthenticated("This account is deactivated.")
    return Principal(workspace_id=user.workspace_id, user_id=user.id, role=user.role)
