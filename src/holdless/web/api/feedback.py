"""Surveys after a resolution: the customer answers in the widget; staff read the answers."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from holdless.feedback import actions
from holdless.feedback.model import Survey
from holdless.ids import ConversationId
from holdless.web.deps import CtxDep, CustomerDep, PrincipalDep

router = APIRouter(tags=["feedback"])


class SurveyOut(BaseModel):
    id: str
    conversation_id: str
    language: str
    questions: list[str]
    texts: dict[str, str] = Field(description="The questions in the customer's language")
    requested_at: datetime
    answered_at: datetime | None
    answers: dict[str, int]
    comment: str

    @classmethod
    def of(cls, s: Survey) -> SurveyOut:
        return cls(
            id=s.id, conversation_id=s.conversation_id, language=s.language,
            questions=[q.value for q in s.questions], texts=s.texts(), requested_at=s.requested_at,
            answered_at=s.answered_at, answers=dict(s.answers), comment=s.comment,
        )  # fmt: skip


class AnswerIn(BaseModel):
    csat: int | None = Field(default=None, description="1–5")
    nps: int | None = Field(default=None, description="0–10")
    ces: int | None = Field(default=None, description="1–7")
    comment: str = Field(default="", max_length=2000)

    def scores(self) -> dict[str, int]:
        return {k: v for k, v in (("csat", self.csat), ("nps", self.nps), ("ces", self.ces)) if v is not None}


@router.get("/conversations/{conversation_id}/survey")
async def staff_survey(conversation_id: str, who: PrincipalDep, ctx: CtxDep) -> SurveyOut:
    return SurveyOut.of(await actions.survey_of(ctx, who, ConversationId(conversation_id)))


@router.get("/widget/conversations/{conversation_id}/survey", tags=["widget"])
async def widget_survey(conversation_id: str, who: CustomerDep, ctx: CtxDep) -> SurveyOut:
    return SurveyOut.of(await actions.survey_of(ctx, who, ConversationId(conversation_id)))


@router.post("/widget/conversations/{conversation_id}/survey", tags=["widget"])
async def answer(conversation_id: str, body: AnswerIn, who: CustomerDep, ctx: CtxDep) -> SurveyOut:
    answered = await actions.answer_survey(
        ctx, who, ConversationId(conversation_id), body.scores(), body.comment
    )
    return SurveyOut.of(answered)
