"""Queues and their segments."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from holdless.ids import QueueId
from holdless.routing import actions, queries
from holdless.routing.queues import DEFAULT_SEGMENTS, Segment
from holdless.web.api.schemas import QueueOut, SegmentIO
from holdless.web.deps import CtxDep, PrincipalDep

router = APIRouter(tags=["queues"])


def _segments(items: list[SegmentIO]) -> tuple[Segment, ...]:
    return tuple(Segment(s.name, s.priority, s.target_seconds, s.service_level) for s in items)


class QueueIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    skills: dict[str, int] = Field(default_factory=dict)
    languages: list[str] = Field(default_factory=list, max_length=20)
    segments: list[SegmentIO] | None = Field(default=None, min_length=1, max_length=20)


class QueuePatch(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    skills: dict[str, int] | None = None
    languages: list[str] | None = Field(default=None, max_length=20)
    segments: list[SegmentIO] | None = Field(default=None, min_length=1, max_length=20)


@router.get("/queues")
async def list_queues(who: PrincipalDep, ctx: CtxDep) -> list[QueueOut]:
    return [QueueOut.of(q) for q in await queries.list_queues(ctx, who)]


@router.post("/queues", status_code=201)
async def create_queue(body: QueueIn, who: PrincipalDep, ctx: CtxDep) -> QueueOut:
    queue = await actions.create_queue(
        ctx, who, name=body.name, skills=body.skills, languages=tuple(body.languages),
        segments=_segments(body.segments) if body.segments else DEFAULT_SEGMENTS,
    )  # fmt: skip
    return QueueOut.of(queue)


@router.get("/queues/{queue_id}")
async def get_queue(queue_id: str, who: PrincipalDep, ctx: CtxDep) -> QueueOut:
    return QueueOut.of(await queries.get_queue(ctx, who, QueueId(queue_id)))


@router.patch("/queues/{queue_id}")
async def update_queue(queue_id: str, body: QueuePatch, who: PrincipalDep, ctx: CtxDep) -> QueueOut:
    queue = await actions.update_queue(
        ctx, who, QueueId(queue_id), name=body.name, skills=body.skills,
        languages=tuple(body.languages) if body.languages is not None else None,
        segments=_segments(body.segments) if body.segments is not None else None,
    )  # fmt: skip
    return QueueOut.of(queue)
