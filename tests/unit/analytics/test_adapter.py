"""The server's event envelopes, as the conversation actions write them, feed the KPIs through the adapter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from holdless.analytics.facts import EventAdapter, Kind, KpiEvent
from holdless.analytics.kpis import Figures, total
from holdless.analytics.projections import KpiListener
from holdless.analytics.recompute import recompute
from holdless.conversations import events as ev
from holdless.conversations.model import Author, Channel, Conversation, Status
from holdless.events import Event
from holdless.ids import ConversationId, CustomerId, QueueId, UserId, WorkspaceId

WS = WorkspaceId("ws_1")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def new(cid: str, customer: str, channel: Channel, seconds: float) -> Conversation:
    return Conversation(
        ConversationId(cid), WS, CustomerId(customer), channel, Status.WITH_BOT, at(seconds), language="en"
    )


def message(c: Conversation, author: Author, author_id: str | None, seconds: float) -> Event:
    data = {"message": {"author": author.value, "author_id": author_id, "conversation_id": c.id}}
    return Event(ev.MESSAGE_CREATED, WS, "x", at(seconds), data, conversation_id=c.id)


def server_log() -> list[Event]:
    log: list[Event] = []

    def record(kind: str, c: Conversation, seconds: float, **extra: object) -> Conversation:
        log.append(ev.conversation_event(kind, c, "x", at(seconds), **extra))
        return c

    ann, bob, billing = UserId("ann"), UserId("bob"), QueueId("billing")
    log.append(Event("agent.state_changed", WS, "x", at(0), {"agent_id": "ann", "state": "available"}))
    # A: webchat with the bot, handed to billing at 60 s, ann answers at 75 s, the customer goes away
    # 100→200 s (not abandoned), resolved "refund" at 400 s; reopened the next day, bob resolves it.
    a = record(ev.CREATED, new("A", "cu1", Channel.WEBCHAT, 0), 0)
    a = record(ev.QUEUED, a.enqueue(billing, "standard", at(60)), 60, reason="requested")
    a = record(ev.ASSIGNED, a.assign(ann, at(70)), 70)
    log.append(message(a, Author.AGENT, "ann", 75))
    a = record(ev.AWAY, a.customer_away(at(100)), 100)
    log.append(message(a, Author.CUSTOMER, None, 200))
    a = record(ev.BACK, a.customer_back(), 200)
    a = record(ev.RESOLVED, a.resolve("refund", at(400)), 400, disposition="refund")
    day = 86_400
    a = record(ev.REOPENED, a.reopen(at(day)), day)
    a = record(ev.ASSIGNED, a.assign(bob, at(day + 30)), day + 30)
    log.append(message(a, Author.AGENT, "bob", day + 40))
    a = record(ev.RESOLVED, a.resolve("refund", at(day + 300)), day + 300, disposition="refund")
    log.append(
        Event("survey.answered", WS, "x", at(day + 400), {"survey": "csat", "score": 5}, conversation_id=a.id)
    )
    # B: voice, straight into billing (the bot never had a turn), a callback promised and broken, abandoned.
    b = record(ev.CREATED, new("B", "cu2", Channel.VOICE, 10), 10)
    b = record(ev.QUEUED, b.enqueue(billing, "standard", at(10)), 10, reason="started")
    log.append(Event("callback.promised", WS, "x", at(20), {}, conversation_id=b.id))
    log.append(Event("callback.broken", WS, "x", at(45), {}, conversation_id=b.id))
    b = record(ev.ABANDONED, b.abandon(at(50)), 50)
    log.sort(key=lambda e: e.at)
    return log


def test_a_reopened_conversation_is_a_new_contact_of_the_same_customer() -> None:
    adapted = _adapted()
    kinds = [(e.kind, e.contact) for e in adapted if e.contact.startswith("A")]
    assert (Kind.CREATED, "A#1") in kinds
    reopened = next(e for e in adapted if e.kind is Kind.CREATED and e.contact == "A#1")
    assert (reopened.customer, reopened.reason) == ("cu1", "refund")  # about the issue resolved before
    assert kinds.count((Kind.ANSWERED, "A#0")) == 1  # only the first agent message is the answer
    assert (Kind.QUEUED, "A#1") in kinds


def _adapted() -> list[KpiEvent]:
    adapter = EventAdapter()
    return [k for e in server_log() for k in adapter.adapt(e)]


def test_kpis_from_the_server_log() -> None:
    listener = KpiListener()
    for e in server_log():
        listener.on_event(e)
    until = (T0 + timedelta(days=2)).timestamp()
    live = Figures.of(total(listener.projection.snapshot(until).values()))
    full = Figures.of(total(recompute(_adapted(), until).values()))
    for f in (live, full):
        # Joined: A at 60 s, A again when reopened, B → 3. Answered A#0 after 15 s, A#1 after 40 s.
        assert f.tally.joined == 3
        assert f.asa == (15 + 40) / 2
        # B gave up after 40 s (abandoned after T = 20 s); A's away time is not abandonment.
        assert f.abandonment == 1 / 3
        assert f.sl == 1 / 3  # A#0 within 20 s; A#1 (40 s) and B not
        # AHT: A#0 ann 70→100 + 200→400 = 230 s; A#1 bob 30→300 = 270 s → 250 s
        assert f.aht == 250
        # The reopening is a new contact about "refund" the next day: the first resolution is not FCR.
        assert f.fcr == 0.5
        assert f.ttr == 86_400 + 300  # from A's creation to its second resolution
        # The bot handled A (handed over after 60 s), never B → containment 0/1.
        assert (f.tally.bot_handled, f.containment) == (1, 0.0)
        assert f.csat == 1.0
        assert f.callback_kept_rate == 0.0
