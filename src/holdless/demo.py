"""The demo workspace: a few agents with skills and languages, two queues, premium and standard customers."""

from __future__ import annotations

from dataclasses import dataclass

from holdless.accounts.actions import create_user, create_workspace
from holdless.agents.actions import update_profile
from holdless.bot.actions import save_flows
from holdless.bot.demo import DEMO_FLOWS
from holdless.contacts.actions import create_customer
from holdless.contacts.model import Identity, IdentityKind
from holdless.conversations.actions import start_conversation
from holdless.conversations.messaging import post_message
from holdless.conversations.model import Channel
from holdless.routing.actions import create_queue
from holdless.tenancy import CustomerPrincipal, Principal, Role, SystemPrincipal
from holdless.unit_of_work import Ctx

SLUG = "demo"
PASSWORDS = {"admin": "holdless-admin", "supervisor": "holdless-super", "agent": "holdless-agent"}


@dataclass(frozen=True, slots=True)
class Login:
    email: str
    password: str
    role: str


async def load_demo(ctx: Ctx) -> list[Login] | None:
    """Create the demo workspace; None when it is already there (loading twice changes nothing)."""
    async with ctx.uow() as uow:
        if await uow.workspaces.by_slug(SLUG) is not None:
            return None
    workspace = await create_workspace(
        ctx, slug=SLUG, name="Holdless Demo Bank", languages=("en", "ru", "zh")
    )
    system = SystemPrincipal(workspace.id)
    admin_user = await create_user(
        ctx,
        system,
        email="admin@demo.holdless.dev",
        name="Ada Admin",
        role=Role.ADMIN,
        password=PASSWORDS["admin"],
    )
    admin = Principal(workspace.id, admin_user.id, Role.ADMIN)
    billing = await create_queue(ctx, admin, name="Billing", skills={"billing": 1})
    tech = await create_queue(ctx, admin, name="Technical support", skills={"tech": 1})
    logins = [Login(admin_user.email, PASSWORDS["admin"], "admin")]
    # The virtual agent: block a lost card, reset a password, check an order (docs/virtual-agent.md).
    await save_flows(ctx, admin, {**DEMO_FLOWS, "handoff_queue": billing.id})
    people = [
        (
            "supervisor@demo.holdless.dev",
            "Sam Supervisor",
            Role.SUPERVISOR,
            {"billing": 3, "tech": 3},
            ("en", "ru"),
        ),
        ("anna@demo.holdless.dev", "Anna Petrova", Role.AGENT, {"billing": 4}, ("ru", "en")),
        ("li@demo.holdless.dev", "Li Wei", Role.AGENT, {"tech": 4, "billing": 2}, ("zh", "en")),
        ("john@demo.holdless.dev", "John Smith", Role.AGENT, {"tech": 3}, ("en",)),
    ]
    for email, name, role, skills, languages in people:
        password = PASSWORDS["supervisor" if role is Role.SUPERVISOR else "agent"]
        user = await create_user(ctx, system, email=email, name=name, role=role, password=password)
        queues = tuple(q.id for q in (billing, tech) if any(skill in skills for skill in q.skills))
        await update_profile(ctx, admin, user.id, skills=skills, languages=languages, queue_ids=queues)
        logins.append(Login(email, password, role.value))
    customers = [
        ("Olga Ivanova", "ru", "premium", "olga@example.ru", "Не проходит оплата картой"),
        ("Wang Fang", "zh", "standard", "wang@example.cn", "我的账单有问题"),
        ("Mary Brown", "en", "standard", "mary@example.com", "My app keeps logging me out"),
    ]
    for name, language, segment, email, first_words in customers:
        customer = await create_customer(
            ctx, system, name=name, language=language, segment=segment,
            identities=(Identity(IdentityKind.EMAIL, email),),
        )  # fmt: skip
        queue = tech if "app" in first_words else billing
        conversation = await start_conversation(
            ctx, system, customer.id, channel=Channel.WEBCHAT, subject=first_words, queue_id=queue.id
        )
        await post_message(
            ctx, CustomerPrincipal(workspace.id, customer.id), conversation.id, text=first_words
        )
    return logins
