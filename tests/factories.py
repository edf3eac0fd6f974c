"""Test data built through the real actions, never by writing tables."""

from __future__ import annotations

from dataclasses import dataclass

from holdless.accounts.actions import create_user, create_workspace, issue_token
from holdless.agents.actions import update_profile
from holdless.contacts.actions import create_customer
from holdless.contacts.model import Identity, IdentityKind
from holdless.conversations.actions import start_conversation
from holdless.conversations.model import Channel, Conversation
from holdless.ids import CustomerId, QueueId, UserId, WorkspaceId
from holdless.routing.actions import create_queue
from holdless.tenancy import Principal, Role, SystemPrincipal
from holdless.unit_of_work import Ctx

PASSWORD = "correct horse battery"


@dataclass(frozen=True)
class Person:
    user_id: UserId
    email: str
    token: str
    principal: Principal


@dataclass(frozen=True)
class World:
    """One workspace with an admin, a supervisor, two agents (one in each queue) and a customer."""

    workspace_id: WorkspaceId
    slug: str
    admin: Person
    supervisor: Person
    agent: Person  # member of `queue`
    other_agent: Person  # member of `other_queue` only
    queue_id: QueueId
    other_queue_id: QueueId
    customer_id: CustomerId


async def _person(ctx: Ctx, workspace_id: WorkspaceId, slug: str, name: str, role: Role) -> Person:
    email = f"{name}@{slug}.test"
    user = await create_user(
        ctx, SystemPrincipal(workspace_id), email=email, name=name, role=role, password=PASSWORD
    )
    principal = Principal(workspace_id, user.id, role)
    _, secret = await issue_token(ctx, principal, name="tests")
    return Person(user.id, email, secret, principal)


async def make_world(ctx: Ctx, slug: str = "acme") -> World:
    workspace = await create_workspace(ctx, slug=slug, name=slug.title(), languages=("en", "ru", "zh"))
    admin = await _person(ctx, workspace.id, slug, "admin", Role.ADMIN)
    supervisor = await _person(ctx, workspace.id, slug, "super", Role.SUPERVISOR)
    agent = await _person(ctx, workspace.id, slug, "agent", Role.AGENT)
    other_agent = await _person(ctx, workspace.id, slug, "other", Role.AGENT)
    queue = await create_queue(ctx, admin.principal, name="Billing", skills={"billing": 1})
    other_queue = await create_queue(ctx, admin.principal, name="Tech", skills={"tech": 1})
    await update_profile(ctx, admin.principal, agent.user_id, skills={"billing": 3}, queue_ids=(queue.id,))
    await update_profile(
        ctx, admin.principal, other_agent.user_id, skills={"tech": 3}, queue_ids=(other_queue.id,)
    )
    customer = await create_customer(
        ctx, SystemPrincipal(workspace.id), name="Olga", language="ru", segment="premium",
        identities=(Identity(IdentityKind.EMAIL, f"olga@{slug}.example"),),
    )  # fmt: skip
    return World(
        workspace.id, slug, admin, supervisor, agent, other_agent, queue.id, other_queue.id, customer.id
    )


async def queued_conversation(ctx: Ctx, world: World, *, queue_id: QueueId | None = None) -> Conversation:
    return await start_conversation(
        ctx, SystemPrincipal(world.workspace_id), world.customer_id, channel=Channel.WEBCHAT,
        subject="Card payment fails", queue_id=queue_id or world.queue_id,
    )  # fmt: skip
