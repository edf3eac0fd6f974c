"""The only functions that change agent profiles and presence."""

from __future__ import annotations

from dataclasses import replace

from holdless.agents.model import (
    AgentProfile,
    AgentState,
    validate_capacity,
    validate_languages,
    validate_skills,
)
from holdless.conversations.model import Channel
from holdless.errors import Invalid
from holdless.events import Event
from holdless.ids import QueueId, UserId
from holdless.tenancy import Principal, Role
from holdless.unit_of_work import Ctx


async def update_profile(
    ctx: Ctx,
    actor: Principal,
    agent_id: UserId,
    *,
    skills: dict[str, int] | None = None,
    languages: tuple[str, ...] | None = None,
    capacity: dict[Channel, int] | None = None,
    queue_ids: tuple[QueueId, ...] | None = None,
) -> AgentProfile:
    actor.require(Role.ADMIN)
    async with ctx.uow() as uow:
        profile = await uow.agents.get(actor.workspace_id, agent_id)
        if queue_ids is not None:
            for queue_id in queue_ids:
                await uow.queues.get(actor.workspace_id, queue_id)  # NotFound for another workspace's queue
        profile = replace(
            profile,
            skills=validate_skills(skills) if skills is not None else profile.skills,
            languages=validate_languages(languages) if languages is not None else profile.languages,
            capacity={**profile.capacity, **validate_capacity(capacity)} if capacity else profile.capacity,
            queue_ids=tuple(dict.fromkeys(queue_ids)) if queue_ids is not None else profile.queue_ids,
        )
        await uow.agents.save(profile)
        uow.record(
            Event(
                "agent.profile_updated",
                actor.workspace_id,
                actor.actor,
                ctx.clock.now(),
                {
                    "agent_id": agent_id,
                    "skills": dict(profile.skills),
                    "languages": list(profile.languages),
                    "capacity": {k.value: v for k, v in profile.capacity.items()},
                    "queue_ids": list(profile.queue_ids),
                },
            )
        )
    return profile


async def set_state(ctx: Ctx, actor: Principal, agent_id: UserId, state: AgentState) -> AgentProfile:
    """Agents change their own presence; supervisors may change anyone's (e.g. an agent who left)."""
    if agent_id != actor.user_id:
        actor.require(Role.SUPERVISOR)
    now = ctx.clock.now()
    async with ctx.uow() as uow:
        profile = await uow.agents.get(actor.workspace_id, agent_id)
        if profile.state is state:
            return profile
        if state is AgentState.AVAILABLE and not profile.queue_ids:
            raise Invalid(
                "This agent belongs to no queue yet; an admin must add one before they can take work."
            )
        previous = profile.state
        profile = replace(profile, state=state, state_since=now)
        await uow.agents.save(profile)
        uow.record(
            Event(
                "agent.state_changed",
                actor.workspace_id,
                actor.actor,
                now,
                {"agent_id": agent_id, "state": state.value, "previous": previous.value},
                assignee_id=agent_id,
            )
        )
    return profile
