"""Surveys: which questions, in which language, asked once, answered once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from holdless.errors import Invalid
from holdless.ids import ConversationId, CustomerId, WorkspaceId


class Question(StrEnum):
    CSAT = "csat"  # 1–5: how satisfied
    NPS = "nps"  # 0–10: how likely to recommend
    CES = "ces"  # 1–7: how easy it was


SCALES: Mapping[Question, tuple[int, int]] = {
    Question.CSAT: (1, 5),
    Question.NPS: (0, 10),
    Question.CES: (1, 7),
}

# The product brief's wording; English, Russian and Chinese are complete, others fall back to English.
TEXTS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "csat": "How satisfied are you with the help you got? (1 = not at all, 5 = very)",
        "nps": "How likely are you to recommend us to a friend? (0–10)",
        "ces": "How easy was it to get your issue resolved? (1 = very hard, 7 = very easy)",
        "comment": "Anything you would like to tell us?",
    },
    "ru": {
        "csat": "Насколько вы довольны полученной помощью? (1 — совсем нет, 5 — очень)",
        "nps": "Насколько вероятно, что вы порекомендуете нас другу? (0–10)",
        "ces": "Насколько легко было решить ваш вопрос? (1 — очень трудно, 7 — очень легко)",
        "comment": "Хотите что-нибудь добавить?",
    },
    "zh": {
        "csat": "您对获得的帮助满意吗？（1 = 非常不满意，5 = 非常满意）",
        "nps": "您有多大可能向朋友推荐我们？（0–10）",
        "ces": "解决您的问题有多容易？（1 = 非常困难，7 = 非常容易）",
        "comment": "您还有什么想告诉我们的吗？",
    },
}

DEFAULT_QUESTIONS = (Question.CSAT, Question.NPS, Question.CES)
# A customer is not asked more often than this (surveys that nag get no honest answers).
MIN_INTERVAL = timedelta(days=7)
# After this, an unanswered survey is closed and answers are refused.
ANSWER_WITHIN = timedelta(days=7)
MAX_COMMENT = 2000


@dataclass(frozen=True, slots=True)
class Survey:
    id: str
    workspace_id: WorkspaceId
    conversation_id: ConversationId
    customer_id: CustomerId
    channel: str
    language: str
    questions: tuple[Question, ...]
    requested_at: datetime
    answered_at: datetime | None = None
    answers: Mapping[str, int] = field(default_factory=dict)
    comment: str = ""

    def texts(self) -> dict[str, str]:
        words = TEXTS.get(self.language, TEXTS["en"])
        return {q.value: words[q.value] for q in self.questions} | {"comment": words["comment"]}

    def answer(self, scores: Mapping[str, int], comment: str, now: datetime) -> Survey:
        if self.answered_at is not None:
            raise Invalid("This survey has already been answered. Thank you!")
        if now - self.requested_at > ANSWER_WITHIN:
            raise Invalid("This survey has closed.")
        asked = {q.value for q in self.questions}
        unknown = sorted(set(scores) - asked)
        if unknown:
            raise Invalid(f"This survey did not ask '{unknown[0]}'.", field=unknown[0])
        if not scores and not comment.strip():
            raise Invalid("Answer at least one question.")
        for name, score in scores.items():
            low, high = SCALES[Question(name)]
            if isinstance(score, bool) or not low <= score <= high:
                raise Invalid(f"{name.upper()} is answered from {low} to {high}.", field=name)
        if len(comment) > MAX_COMMENT:
            raise Invalid(f"A comment is at most {MAX_COMMENT} characters.", field="comment")
        return Survey(
            self.id, self.workspace_id, self.conversation_id, self.customer_id, self.channel, self.language,
            self.questions, self.requested_at, now, dict(scores), comment.strip(),
        )  # fmt: skip
