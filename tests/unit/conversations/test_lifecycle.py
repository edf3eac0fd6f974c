"""The conversation lifecycle rules, as the KPIs and the customer experience depend on them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from holdless.conversations.model import Author, Channel, Conversation, Status
from holdless.errors import Invalid
from holdless.ids import ConversationId, CustomerId, QueueId, UserId, WorkspaceId

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def new_conversation() -> Conversation:
    return Conversation(
        id=ConversationId("con_1"),
        workspace_id=WorkspaceId("ws_1"),
        customer_id=CustomerId("cus_1"),
        channel=Channel.WEBCHAT,
        status=Status.WITH_BOT,
        created_at=T0,
    )


def test_an_away_customer_who_writes_again_is_back_in_the_same_place() -> None:
    queued = new_conversation().enqueue(QueueId("billing"), "premium", at(10))
    away = queued.customer_away(at(20))
    back = away.record_message(Author.CUSTOMER, at(600))
    assert back.status is Status.QUEUED
    assert back.queued_at == at(10)  # the place in line was kept while away
    assert back.away_since is None
    assert back.last_customer_message_at == at(600)


def test_an_away_customer_keeps_their_agent() -> None:
    assigned = new_conversation().enqueue(QueueId("billing"), "standard", at(1)).assign(UserId("anna"), at(5))
    back = assigned.customer_away(at(30)).record_message(Author.CUSTOMER, at(90))
    assert back.status is Status.ASSIGNED
    assert back.assignee_id == "anna"


def test_only_the_first_agent_reply_counts_as_the_answer() -> None:
    assigned = (
        new_conversation().enqueue(QueueId("billing"), "standard", at(0)).assign(UserId("anna"), at(40))
    )
    first = assigned.record_message(Author.AGENT, at(45))
    second = first.record_message(Author.AGENT, at(80))
    assert second.first_response_at == at(45)
    assert second.last_agent_message_at == at(80)
    assert [first.last_message_seq, second.last_message_seq] == [1, 2]


def test_bot_messages_are_numbered_but_are_not_an_answer_by_a_person() -> None:
    queued = new_conversation().enqueue(QueueId("billing"), "standard", at(0))
    after_bot = queued.record_message(Author.BOT, at(3))
    assert after_bot.last_message_seq == 1
    assert after_bot.first_response_at is None


def test_abandoning_after_a_person_answered_is_refused() -> None:
    answered = (
        new_conversation()
        .enqueue(QueueId("billing"), "standard", at(0))
        .assign(UserId("anna"), at(10))
        .record_message(Author.AGENT, at(12))
        .customer_away(at(30))
    )
    with pytest.raises(Invalid, match="already answered"):
        answered.abandon(at(40))


def test_reopening_puts_a_resolved_conversation_back_in_line_now() -> None:
    resolved = (
        new_conversation()
        .enqueue(QueueId("billing"), "standard", at(0))
        .assign(UserId("anna"), at(10))
        .resolve("resolved", at(300))
    )
    reopened = resolved.reopen(at(4000))
    assert reopened.status is Status.QUEUED
    assert reopened.queued_at == at(4000)
    assert reopened.first_queued_at == at(0)  # first joining stays for time to resolution
    assert reopened.assignee_id is None
    assert reopened.reopen_count == 1


def test_a_resolved_conversation_cannot_be_resolved_or_abandoned_again() -> None:
    resolved = new_conversation().resolve("resolved", at(5))
    with pytest.raises(Invalid, match="resolved"):
        resolved.resolve("resolved", at(6))
    with pytest.raises(Invalid, match="resolved"):
        resolved.abandon(at(6))


def test_messages_can_be_added_to_a_resolved_conversation_but_not_an_abandoned_one() -> None:
    resolved = new_conversation().resolve("resolved", at(5))
    assert resolved.record_message(Author.SYSTEM, at(6)).last_message_seq == 1
    abandoned = new_conversation().enqueue(QueueId("billing"), "standard", at(0)).abandon(at(90))
    with pytest.raises(Invalid, match="abandoned"):
        abandoned.record_message(Author.AGENT, at(100))
