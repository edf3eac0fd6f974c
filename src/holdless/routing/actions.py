"""The only functions that change queue configuration."""

from __future__ import annotations

from dataclasses import replace

from holdless.agents.model import validate_languages, validate_skills
from holdless.errors import Invalid
from holdless.events import Event
from holdless.ids import QueueId, new_id
from holdless.routing.queues import DEFAULT_SEGMENTS, Queue, Segment, validate_segments
from holdless.tenancy import Principal, Role
from holdless.unit_of_work import Ctx


def queue_data(queue: Queue) -> dict[str, object]:
    return {
        "queue_id": queue.id,
        "name": queue.name,
        "skills": dict(queue.skills),
        "languages": list(queue.languages),
        "segments": [
            {
                "name": s.name,
                "priority": s.priority,
                "target_seconds": s.target_seconds,
                "service_level": s.service_level,
            }
            for s in queue.segments
        ],
    }


def _name(name: str) -> str:
    cleaned = name.strip()
    if not cleaned or len(cleaned) > 200:
        raise Invalid("A queue name is 1–200 characters.", field="name")
    return cleaned


async def create_queue(
    ctx: Ctx,
    actor: Principal,
    *,
    name: str,
    skills: dict[str, int] | None = None,
    languages: tuple[str, ...] = (),
    segments: tuple[Segment, ...] = DEFAULT_SEGMENTS,
) -> Queue:
    actor.require(Role.ADMIN)
    queue = Queue(
        id=QueueId(new_id("que")),
        workspace_id=actor.workspace_id,
        name=_name(name),
        skills=validate_skills(skills or {}),
        languages=validate_languages(languages) if languages else (),
        segments=validate_segments(segments),
    )
    async with ctx.uow() as uow:
        await uow.queues.add(queue)
        uow.record(
            Event("queue.created", actor.workspace_id, actor.actor, ctx.clock.now(), queue_data(queue))
        )
    return queue


async def update_queue(
    ctx: Ctx,
    actor: Principal,
    queue_id: QueueId,
    *,
    name: str | None = None,
    skills: dict[str, int] | None = None,
    languages: tuple[str, ...] | None = None,
    segments: tuple[Segment, ...] | None = None,
) -> Queue:
    actor.require(Role.ADMIN)
    async with ctx.uow() as uow:
        queue = await uow.queues.get(actor.workspace_id, queue_id)
        queue = replace(
            queue,
            name=_name(name) if name is not None else queue.name,
            skills=validate_skills(skills) if skills is not None else queue.skills,
            languages=(validate_languages(languages) if languages else ())
            if languages is not None
            else queue.languages,
            segments=validate_segments(segments) if segments is not None else queue.segments,
        )
        await uow.queues.update(queue)
        uow.record(
            Event("queue.updated", actor.workspace_id, actor.actor, ctx.clock.now(), queue_data(queue))
        )
    return queue
