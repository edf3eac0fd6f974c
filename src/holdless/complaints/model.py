"""Complaints and their commitments. Deadlines are business time: they pause at night and on holidays."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from holdless.analytics.calendar import BusinessCalendar, due_at
from holdless.errors import Conflict, Invalid
from holdless.ids import ConversationId, CustomerId, WorkspaceId


class Stage(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    RESPOND = "respond"
    RESOLVE = "resolve"


STAGES = (Stage.ACKNOWLEDGE, Stage.RESPOND, Stage.RESOLVE)
# A commitment with less than this share of its calendar time left is at risk: supervisors are alerted
# and the customer is told it is being worked on.
AT_RISK_SHARE = 0.25


@dataclass(frozen=True, slots=True)
class Category:
    """E.g. "billing": acknowledge within 2, respond within 16, resolve within 120 business hours."""

    name: str
    acknowledge_hours: float
    respond_hours: float
    resolve_hours: float

    def hours(self, stage: Stage) -> float:
        return {
            Stage.ACKNOWLEDGE: self.acknowledge_hours,
            Stage.RESPOND: self.respond_hours,
            Stage.RESOLVE: self.resolve_hours,
        }[stage]


@dataclass(frozen=True, slots=True)
class ComplaintSettings:
    calendar: BusinessCalendar
    categories: tuple[Category, ...]

    def category(self, name: str) -> Category:
        for category in self.categories:
            if category.name == name:
                return category
        names = ", ".join(c.name for c in self.categories) or "none configured"
        raise Invalid(f"Unknown complaint category '{name}'; use one of: {names}.", field="category")


def settings_from(data: Mapping[str, Any]) -> ComplaintSettings:
    """Validate a settings document.

    {"zone": "Europe/Berlin", "hours": {"0": [["09:00", "17:00"]], …}, "holidays": ["2026-12-25"],
     "categories": [{"name", "acknowledge_hours", "respond_hours", "resolve_hours"}, …]}; weekday 0 = Monday.
    """
    try:
        hours = {
            int(day): tuple((time.fromisoformat(a), time.fromisoformat(b)) for a, b in windows)
            for day, windows in dict(data["hours"]).items()
        }
        holidays = frozenset(date.fromisoformat(d) for d in data.get("holidays", []))
    except (KeyError, TypeError, ValueError) as error:
        raise Invalid(f"Business hours are not readable: {error}.", field="hours") from error
    calendar = BusinessCalendar(str(data.get("zone", "UTC")), hours, holidays)
    categories: list[Category] = []
    for index, raw in enumerate(data.get("categories", [])):
        try:
            category = Category(
                str(raw["name"]).strip(),
                float(raw["acknowledge_hours"]),
                float(raw["respond_hours"]),
                float(raw["resolve_hours"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise Invalid(
                f"categories[{index}] needs a name and three hour limits.", field="categories"
            ) from error
        steps = [category.acknowledge_hours, category.respond_hours, category.resolve_hours]
        if not category.name or not 0 < steps[0] <= steps[1] <= steps[2] <= 24 * 366:
            raise Invalid(
                f"categories[{index}] ('{category.name}'): acknowledge ≤ respond ≤ resolve, each above 0.",
                field="categories",
            )
        categories.append(category)
    if len({c.name for c in categories}) != len(categories):
        raise Invalid("Complaint category names must be unique.", field="categories")
    return ComplaintSettings(calendar, tuple(categories))


def _hm(moment: time) -> str:
    return moment.isoformat("minutes")


def settings_to(settings: ComplaintSettings) -> dict[str, Any]:
    cal = settings.calendar
    return {
        "zone": cal.zone,
        "hours": {str(d): [[_hm(a), _hm(b)] for a, b in w] for d, w in cal.hours.items()},
        "holidays": sorted(d.isoformat() for d in cal.holidays),
        "categories": [
            {"name": c.name, "acknowledge_hours": c.acknowledge_hours, "respond_hours": c.respond_hours,
             "resolve_hours": c.resolve_hours}
            for c in settings.categories
        ],
    }  # fmt: skip


@dataclass(frozen=True, slots=True)
class Complaint:
    id: str
    workspace_id: WorkspaceId
    conversation_id: ConversationId
    customer_id: CustomerId
    category: str
    opened_at: datetime
    due: Mapping[str, datetime]  # stage -> deadline
    done: Mapping[str, datetime]  # stage -> when it was done
    warned: Mapping[str, datetime] = field(default_factory=dict)  # stage -> when "at risk" was sent

    @staticmethod
    def open(
        id_: str,
        workspace_id: WorkspaceId,
        conversation_id: ConversationId,
        customer_id: CustomerId,
        category: Category,
        calendar: BusinessCalendar,
        now: datetime,
    ) -> Complaint:
        due: dict[str, datetime] = {}
        for stage in STAGES:
            deadline = due_at(calendar, now, category.hours(stage) * 3600.0)
            if deadline is None:
                raise Invalid("The business calendar is never open: no deadline can be promised.")
            due[stage.value] = deadline
        return Complaint(id_, workspace_id, conversation_id, customer_id, category.name, now, due, {})

    def complete(self, stage: Stage, now: datetime) -> Complaint:
        if stage.value in self.done:
            raise Conflict(f"This complaint was already {_past(stage)}.")
        if stage is not Stage.RESOLVE:
            later = [s for s in STAGES[STAGES.index(stage) + 1 :] if s.value in self.done]
            if later:
                raise Conflict(f"This complaint was already {_past(later[0])}.")
        done = dict(self.done)
        for earlier in STAGES[: STAGES.index(stage)]:
            done.setdefault(earlier.value, now)  # responding also acknowledges, resolving also responds
        done[stage.value] = now
        return replace(self, done=done)

    def breached(self, stage: Stage, now: datetime) -> bool:
        """Done after its deadline, or not done and the deadline has passed."""
        finished = self.done.get(stage.value)
        return (finished if finished is not None else now) > self.due[stage.value]

    @property
    def closed(self) -> bool:
        return Stage.RESOLVE.value in self.done

    def next_stage(self) -> Stage | None:
        return next((s for s in STAGES if s.value not in self.done), None)

    def at_risk(self, now: datetime, share: float = AT_RISK_SHARE) -> Stage | None:
        """The next open commitment, if less than ``share`` of its time is left and nobody was warned."""
        stage = self.next_stage()
        if stage is None or stage.value in self.warned:
            return None
        due = self.due[stage.value]
        allotted = (due - self.opened_at).total_seconds()
        left = (due - now).total_seconds()
        return stage if 0 < left <= share * allotted else None

    def warn(self, stage: Stage, now: datetime) -> Complaint:
        return replace(self, warned={**self.warned, stage.value: now})

    def breaches(self, now: datetime) -> list[str]:
        return [s.value for s in STAGES if self.breached(s, now)]


def _past(stage: Stage) -> str:
    return {Stage.ACKNOWLEDGE: "acknowledged", Stage.RESPOND: "responded to", Stage.RESOLVE: "resolved"}[
        stage
    ]


def past_tense(stage: Stage) -> str:
    return _past(stage)


# What the customer is told, in their language (English, Russian, Chinese complete).
NOTICES: Mapping[str, Mapping[str, str]] = {
    "en": {
        "opened": (
            "We have registered your complaint ({category}). "
            "We will respond by {respond} and resolve it by {resolve}."
        ),
        "acknowledge": "Your complaint is with our team. We will respond by {respond}.",
        "respond": "We have responded to your complaint. We will resolve it by {resolve}.",
        "resolve": "Your complaint is resolved. Thank you for your patience.",
        "at_risk": "We are still working on your complaint and keep our commitment: {next} by {next_due}.",
    },
    "ru": {
        "opened": "Мы зарегистрировали вашу жалобу ({category}). Ответим до {respond} и решим до {resolve}.",
        "acknowledge": "Ваша жалоба передана команде. Ответим до {respond}.",
        "respond": "Мы ответили на вашу жалобу. Решим её до {resolve}.",
        "resolve": "Ваша жалоба решена. Спасибо за терпение.",
        "at_risk": "Мы продолжаем работать над вашей жалобой и помним о сроке: {next} до {next_due}.",
    },
    "zh": {
        "opened": "我们已登记您的投诉（{category}）。我们将在 {respond} 前答复，并在 {resolve} 前解决。",
        "acknowledge": "您的投诉已转交团队处理。我们将在 {respond} 前答复。",
        "respond": "我们已答复您的投诉，将在 {resolve} 前解决。",
        "resolve": "您的投诉已解决。感谢您的耐心。",
        "at_risk": "我们仍在处理您的投诉，并将遵守承诺：在 {next_due} 前{next}。",
    },
}


def notice(kind: str, complaint: Complaint, language: str | None, zone: str) -> str:
    """The customer's message for ``kind`` (opened or a stage), deadlines in the workspace's time zone."""
    words = NOTICES.get(language or "en", NOTICES["en"])
    place = ZoneInfo(zone)
    local = {s.value: complaint.due[s.value].astimezone(place).strftime("%Y-%m-%d %H:%M") for s in STAGES}
    following = complaint.next_stage()
    step = STEP_WORDS.get(language or "en", STEP_WORDS["en"])[following.value] if following else ""
    next_due = local[following.value] if following else ""
    return words[kind].format(category=complaint.category, next=step, next_due=next_due, **local)


STEP_WORDS: Mapping[str, Mapping[str, str]] = {
    "en": {"acknowledge": "a first answer", "respond": "a full response", "resolve": "a resolution"},
    "ru": {"acknowledge": "первый ответ", "respond": "полный ответ", "resolve": "решение"},
    "zh": {"acknowledge": "首次答复", "respond": "完整答复", "resolve": "解决"},
}
