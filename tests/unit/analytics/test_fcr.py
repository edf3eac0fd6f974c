"""FCR: a resolution counts as first-contact only if the same customer does not come back about the same
reason, on any channel, within 7 days. TTR runs across the chain of such contacts."""

from __future__ import annotations

import pytest

from holdless.analytics.columnar import rollup, to_frame
from holdless.analytics.facts import Kind, KpiEvent
from holdless.analytics.kpis import Figures, total
from holdless.analytics.projections import KpiProjection
from holdless.analytics.recompute import recompute

DAY = 86_400.0
H = 3_600.0
T0 = 1_772_445_600.0  # Monday 2 March 2026 10:00 UTC


def contact(
    cid: str,
    customer: str,
    channel: str,
    created: float,
    resolved: float | None,
    reason: str,
    intent: str = "",
) -> list[KpiEvent]:
    """A contact handled by a person: queued at creation, answered after 10 s, resolved with `reason`."""
    where = {"contact": cid, "customer": customer, "channel": channel, "queue": "q", "agent": "ann"}
    out = [
        KpiEvent(Kind.CREATED, created, reason=intent, contact=cid, customer=customer, channel=channel),
        KpiEvent(Kind.QUEUED, created, contact=cid, customer=customer, channel=channel, queue="q"),
        KpiEvent(Kind.ASSIGNED, created + 10, **where),
        KpiEvent(Kind.ANSWERED, created + 10, **where),
    ]
    if resolved is not None:
        out.append(KpiEvent(Kind.RESOLVED, resolved, reason=reason, **where))
    return out


def figures(*contacts: list[KpiEvent]) -> list[Figures]:
    """The whole-history figures from the full recompute and from the live projection."""
    events = sorted((e for c in contacts for e in c), key=lambda e: e.at)
    until = events[-1].at
    live = KpiProjection()
    live.apply_all(events)
    return [
        Figures.of(total(recompute(events, until).values())),
        Figures.of(total(live.snapshot(until).values())),
    ]


def test_a_repeat_contact_on_another_channel_is_not_resolved_first_time() -> None:
    chat = contact("A", "cu1", "webchat", T0, T0 + 600, "refund")
    email = contact("B", "cu1", "email", T0 + 2 * DAY, T0 + 2 * DAY + 900, "refund")
    for f in figures(chat, email):
        # Two resolutions; the chat one was followed by an email about the same refund → 1 of 2.
        assert f.tally.resolved == 2
        assert f.fcr == 0.5
        # TTR: one chain, from the chat's start to the email's resolution = 2 days + 900 s.
        assert f.ttr == 2 * DAY + 900


def test_another_reason_or_another_customer_is_not_a_repeat() -> None:
    first = contact("A", "cu1", "webchat", T0, T0 + 600, "refund")
    other_reason = contact("B", "cu1", "telegram", T0 + H, T0 + 2 * H, "password")
    other_customer = contact("C", "cu2", "webchat", T0 + H, T0 + 2 * H, "refund")
    for f in figures(first, other_reason, other_customer):
        assert f.fcr == 1.0
        assert f.ttr == (600 + H + H) / 3


def test_coming_back_after_seven_days_is_a_new_issue() -> None:
    first = contact("A", "cu1", "webchat", T0, T0 + 600, "refund")
    late = contact("B", "cu1", "voice", T0 + 600 + 7 * DAY + 1, T0 + 8 * DAY, "refund")
    for f in figures(first, late):
        assert f.fcr == 1.0


def test_exactly_seven_days_later_is_still_a_repeat() -> None:
    first = contact("A", "cu1", "webchat", T0, T0 + 600, "refund")
    repeat = contact("B", "cu1", "voice", T0 + 600 + 7 * DAY, T0 + 8 * DAY, "refund")
    for f in figures(first, repeat):
        assert f.fcr == 0.5


def test_a_contact_opened_before_the_resolution_is_not_a_new_contact() -> None:
    # The customer wrote by email while the chat was still open: no *new* contact after the resolution.
    chat = contact("A", "cu1", "webchat", T0, T0 + 600, "refund")
    email = contact("B", "cu1", "email", T0 + 300, T0 + H, "refund")
    for f in figures(chat, email):
        assert f.fcr == 1.0


def test_a_stated_intent_makes_the_repeat_count_before_it_is_resolved() -> None:
    # The bot learned the intent at the start of the second contact, which is still open.
    chat = contact("A", "cu1", "webchat", T0, T0 + 600, "refund")
    open_repeat = contact("B", "cu1", "telegram", T0 + DAY, None, "", intent="refund")
    for f in figures(chat, open_repeat):
        assert f.tally.resolved == 1
        assert f.fcr == 0.0
        assert f.ttr is None  # the chain has not ended


def test_a_three_contact_chain_counts_once_for_ttr() -> None:
    a = contact("A", "cu1", "webchat", T0, T0 + 600, "refund")
    b = contact("B", "cu1", "email", T0 + DAY, T0 + DAY + 600, "refund")
    c = contact("C", "cu1", "voice", T0 + 3 * DAY, T0 + 3 * DAY + 300, "refund")
    for f in figures(a, b, c):
        assert f.fcr == pytest.approx(1 / 3)
        assert f.tally.ttr_count == 1
        assert f.ttr == 3 * DAY + 300


def test_the_live_figure_is_revised_when_the_customer_comes_back() -> None:
    chat = contact("A", "cu1", "webchat", T0, T0 + 600, "refund")
    email = contact("B", "cu1", "email", T0 + 2 * DAY, T0 + 2 * DAY + 900, "refund")
    live = KpiProjection()
    live.apply_all(chat)
    assert Figures.of(total(live.snapshot(T0 + DAY).values())).fcr == 1.0  # provisional
    live.apply_all(email)
    after = Figures.of(total(live.snapshot(T0 + 3 * DAY).values()))
    assert after.fcr == 0.5
    assert after.tally.ttr_count == 1  # A's chain continued into B


def test_a_repeat_of_two_simultaneous_resolutions_continues_one_chain_in_every_engine() -> None:
    # A and B (same customer, same reason) were resolved in the same second; C repeats both. The chain
    # continues from the later contact id, B, so TTR runs from B's creation: 1 day + 300 s − 100 s.
    a = contact("A", "cu1", "webchat", T0, T0 + 600, "refund")
    b = contact("B", "cu1", "email", T0 + 100, T0 + 600, "refund")
    c = contact("C", "cu1", "voice", T0 + DAY, T0 + DAY + 300, "refund")
    for f in figures(a, b, c):
        assert f.fcr == pytest.approx(1 / 3)
        assert f.ttr == DAY + 200
    events = sorted((e for x in (a, b, c) for e in x), key=lambda e: e.at)
    rolled = rollup(to_frame(events)).select("fcr_ok", "ttr_count", "ttr_sum").sum().row(0)
    assert rolled == (1, 1, DAY + 200)
