"""Read-side finders for agents."""

from __future__ import annotations

from holdless.agents.model import AgentProfile
from holdless.ids import UserId
from holdless.tenancy import Principal
from holdless.unit_of_work import Ctx


async def list_agents(ctx: Ctx, actor: Principal) -> list[AgentProfile]:
    async with ctx.uow() as uow:
        return await uow.agents.list(actor.workspace_id)


async def get_agent(ctx: Ctx, actor: Principal, agent_id: UserId) -> AgentProfile:
    async with ctx.uow() as uow:
        return await uow.agents.get(actor.workspace_id, agent_id)
