"""Ask for feedback after a resolution, and take the answers (each score one event the KPIs read)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from holdless.conversations.access import visible_conversation
from holdless.conversations.model import Conversation
from holdless.errors import NotFound
from holdless.events import Audience, Event
from holdless.feedback.model import DEFAULT_QUESTIONS, MIN_INTERVAL, TEXTS, Survey
from holdless.ids import ConversationId, new_id
from holdless.tenancy import Actor
from holdless.unit_of_work import Ctx, UnitOfWork

REQUESTED = "survey.requested"
ANSWERED = "survey.answered"
COMMENTED = "survey.commented"


def survey_data(survey: Survey) -> dict[str, Any]:
    return {
        "survey_id": survey.id,
        "questions": [q.value for q in survey.questions],
        "texts": survey.texts(),
        "language": survey.language,
        "requested_at": survey.requested_at.isoformat(),
        "answered_at": survey.answered_at.isoformat() if survey.answered_at else None,
        "answers": dict(survey.answers),
        "comment": survey.comment,
    }


async def ask_after_resolution(
    uow: UnitOfWork, conversation: Conversation, actor: str, now: datetime
) -> None:
    """Part of resolving: ask the customer, in their channel and language, unless asked recently."""
    workspace_id, customer_id = conversation.workspace_id, conversation.customer_id
    if await uow.surveys.asked_since(workspace_id, customer_id, now - MIN_INTERVAL):
        return
    language = conversation.language if conversation.language and conversation.language in TEXTS else "en"
    survey = Survey(
        id=new_id("srv"),
        workspace_id=workspace_id,
        conversation_id=conversation.id,
        customer_id=customer_id,
        channel=conversation.channel.value,
        language=language,
        questions=DEFAULT_QUESTIONS,
        requested_at=now,
    )
    await uow.surveys.add(survey)
    uow.record(
        Event(
            REQUESTED,
            workspace_id,
            actor,
            now,
            survey_data(survey),
            conversation.id,
            audience=Audience.CUSTOMER,
        )
    )


async def _survey(uow: UnitOfWork, actor: Actor, conversation_id: ConversationId) -> Survey:
    conversation = await visible_conversation(uow, actor, conversation_id)
    survey = await uow.surveys.latest_for(actor.workspace_id, conversation.id)
    if survey is None:
        raise NotFound("No survey was asked in this conversation.")
    return survey


async def survey_of(ctx: Ctx, actor: Actor, conversation_id: ConversationId) -> Survey:
    async with ctx.uow() as uow:
        return await _survey(uow, actor, conversation_id)


async def answer_survey(
    ctx: Ctx, actor: Actor, conversation_id: ConversationId, scores: Mapping[str, int], comment: str = ""
) -> Survey:
    now = ctx.clock.now()
    async with ctx.uow() as uow:
        survey = await _survey(uow, actor, conversation_id)
        answered = survey.answer(scores, comment, now)
        await uow.surveys.save(answered)
        for name, score in answered.answers.items():
            data = {"survey_id": answered.id, "survey": name, "score": score}
            uow.record(Event(ANSWERED, actor.workspace_id, actor.actor, now, data, answered.conversation_id))
        if answered.comment:
            data = {"survey_id": answered.id, "comment": answered.comment}
            uow.record(Event(COMMENTED, actor.workspace_id, actor.actor, now, data, answered.conversation_id))
    return answered
