"""A hand-built day of events (Monday 2 March 2026, times UTC); its KPIs are worked out by hand in tests.

Config: SL 20 s, short abandons < 5 s, FCR window 7 days. Agents: ann, bob. Queues: billing, tech.

    C1  webchat cu1 en billing/standard  created+queued 09:00:00, assigned ann 09:00:10, answered 09:00:15
        (wait 15 s), resolved by ann 09:05:15 "refund", 60 s wrap-up; CSAT 5, NPS 10, CES 6
    C2  voice   cu2 en billing           created+queued 09:01:00, abandoned 09:01:03 (3 s: short abandon)
    C3  voice   cu3 en billing           created+queued 09:02:00, abandoned 09:02:40 (40 s: after T)
    C4  voice   cu4 en billing/vip       created+queued 09:03:00, assigned+answered bob 09:03:30 (wait 30 s),
        resolved by bob 09:08:30 "invoice"; CSAT 3, NPS 6, CES 3
    C5  webchat cu5 ru tech              created+queued 09:04:00, assigned ann 09:04:05, answered 09:04:10
        (wait 10 s), customer away 09:06:00 → back 09:16:00 (not abandoned), transferred to bob 09:20:00,
        resolved by bob 09:25:00 "password"; CSAT 4, NPS 9, CES 2
    C6  webchat cu6 en (virtual agent)   created 09:10:00, resolved by the bot 09:12:00 "delivery"
    C7  webchat cu7 en (virtual agent)   created 09:15:00, queued billing 09:17:00, assigned+answered ann
        09:17:20 (wait 20 s), resolved by ann 09:22:20 "refund"
    C8  email   cu1 en billing           created+queued 13:00:00, assigned bob 13:00:50, answered 13:01:00
        (wait 60 s), resolved by bob 13:11:00 "refund" — cu1 again, same reason, another channel
    C9  voice   cu9 en tech              created+queued 14:00:00, callback promised 14:01:00, kept 14:30:00:
        assigned+answered bob 14:30:00 (wait 1800 s), resolved by bob 14:35:00 "other"
    C10 voice   cu10 en billing          created+queued 15:00:00, callback promised 15:00:30, broken and
        abandoned 16:00:00 (3600 s)
    C11 telegram cu11 zh (virtual agent) created 10:00:00, abandoned with the bot 10:02:00 (never queued)
    C12 webchat cu12 en tech             created+queued 11:00:00, customer away 11:00:30, still away at 17:00
    ann available 08:55–17:00; bob available 09:00–12:00, away 12:00–13:00, available 13:00–17:00.
"""

from __future__ import annotations

from datetime import UTC, datetime

from holdless.analytics.facts import Kind, KpiEvent

DAY = datetime(2026, 3, 2, tzinfo=UTC).timestamp()
UNTIL = DAY + 17 * 3600


def at(clock: str) -> float:
    h, m, s = (int(x) for x in clock.split(":"))
    return DAY + h * 3600 + m * 60 + s


_CONTACTS = {
    # contact: (customer, channel, language, bot)
    "C1": ("cu1", "webchat", "en", 0.0),
    "C2": ("cu2", "voice", "en", 0.0),
    "C3": ("cu3", "voice", "en", 0.0),
    "C4": ("cu4", "voice", "en", 0.0),
    "C5": ("cu5", "webchat", "ru", 0.0),
    "C6": ("cu6", "webchat", "en", 1.0),
    "C7": ("cu7", "webchat", "en", 1.0),
    "C8": ("cu1", "email", "en", 0.0),
    "C9": ("cu9", "voice", "en", 0.0),
    "C10": ("cu10", "voice", "en", 0.0),
    "C11": ("cu11", "telegram", "zh", 1.0),
    "C12": ("cu12", "webchat", "en", 0.0),
}

# (time, contact, kind, queue, segment, agent, reason, value)
_ROWS: list[tuple[str, str, Kind, str, str, str, str, float]] = [
    ("09:00:00", "C1", Kind.CREATED, "", "", "", "", 0),
    ("09:00:00", "C1", Kind.QUEUED, "billing", "standard", "", "", 0),
    ("09:00:10", "C1", Kind.ASSIGNED, "billing", "standard", "ann", "", 0),
    ("09:00:15", "C1", Kind.ANSWERED, "billing", "standard", "ann", "", 0),
    ("09:05:15", "C1", Kind.RESOLVED, "billing", "standard", "ann", "refund", 0),
    ("09:06:15", "C1", Kind.WRAPPED, "billing", "standard", "ann", "", 60),
    ("09:10:00", "C1", Kind.CSAT, "billing", "standard", "ann", "", 5),
    ("09:10:00", "C1", Kind.NPS, "billing", "standard", "ann", "", 10),
    ("09:10:00", "C1", Kind.CES, "billing", "standard", "ann", "", 6),
    ("09:01:00", "C2", Kind.CREATED, "", "", "", "", 0),
    ("09:01:00", "C2", Kind.QUEUED, "billing", "standard", "", "", 0),
    ("09:01:03", "C2", Kind.ABANDONED, "billing", "standard", "", "", 0),
    ("09:02:00", "C3", Kind.CREATED, "", "", "", "", 0),
    ("09:02:00", "C3", Kind.QUEUED, "billing", "standard", "", "", 0),
    ("09:02:40", "C3", Kind.ABANDONED, "billing", "standard", "", "", 0),
    ("09:03:00", "C4", Kind.CREATED, "", "", "", "", 0),
    ("09:03:00", "C4", Kind.QUEUED, "billing", "vip", "", "", 0),
    ("09:03:30", "C4", Kind.ASSIGNED, "billing", "vip", "bob", "", 0),
    ("09:03:30", "C4", Kind.ANSWERED, "billing", "vip", "bob", "", 0),
    ("09:08:30", "C4", Kind.RESOLVED, "billing", "vip", "bob", "invoice", 0),
    ("09:10:00", "C4", Kind.CSAT, "billing", "vip", "bob", "", 3),
    ("09:10:00", "C4", Kind.NPS, "billing", "vip", "bob", "", 6),
    ("09:10:00", "C4", Kind.CES, "billing", "vip", "bob", "", 3),
    ("09:04:00", "C5", Kind.CREATED, "", "", "", "", 0),
    ("09:04:00", "C5", Kind.QUEUED, "tech", "standard", "", "", 0),
    ("09:04:05", "C5", Kind.ASSIGNED, "tech", "standard", "ann", "", 0),
    ("09:04:10", "C5", Kind.ANSWERED, "tech", "standard", "ann", "", 0),
    ("09:06:00", "C5", Kind.AWAY, "tech", "standard", "ann", "", 0),
    ("09:16:00", "C5", Kind.BACK, "tech", "standard", "ann", "", 0),
    ("09:20:00", "C5", Kind.TRANSFERRED, "tech", "standard", "bob", "", 0),
    ("09:25:00", "C5", Kind.RESOLVED, "tech", "standard", "bob", "password", 0),
    ("09:30:00", "C5", Kind.CSAT, "tech", "standard", "bob", "", 4),
    ("09:30:00", "C5", Kind.NPS, "tech", "standard", "bob", "", 9),
    ("09:30:00", "C5", Kind.CES, "tech", "standard", "bob", "", 2),
    ("09:10:00", "C6", Kind.CREATED, "", "", "", "", 1),
    ("09:12:00", "C6", Kind.RESOLVED, "", "", "", "delivery", 0),
    ("09:15:00", "C7", Kind.CREATED, "", "", "", "", 1),
    ("09:17:00", "C7", Kind.QUEUED, "billing", "standard", "", "", 0),
    ("09:17:20", "C7", Kind.ASSIGNED, "billing", "standard", "ann", "", 0),
    ("09:17:20", "C7", Kind.ANSWERED, "billing", "standard", "ann", "", 0),
    ("09:22:20", "C7", Kind.RESOLVED, "billing", "standard", "ann", "refund", 0),
    ("13:00:00", "C8", Kind.CREATED, "", "", "", "", 0),
    ("13:00:00", "C8", Kind.QUEUED, "billing", "standard", "", "", 0),
    ("13:00:50", "C8", Kind.ASSIGNED, "billing", "standard", "bob", "", 0),
    ("13:01:00", "C8", Kind.ANSWERED, "billing", "standard", "bob", "", 0),
    ("13:11:00", "C8", Kind.RESOLVED, "billing", "standard", "bob", "refund", 0),
    ("14:00:00", "C9", Kind.CREATED, "", "", "", "", 0),
    ("14:00:00", "C9", Kind.QUEUED, "tech", "standard", "", "", 0),
    ("14:01:00", "C9", Kind.CALLBACK_PROMISED, "tech", "standard", "", "", 0),
    ("14:30:00", "C9", Kind.ASSIGNED, "tech", "standard", "bob", "", 0),
    ("14:30:00", "C9", Kind.ANSWERED, "tech", "standard", "bob", "", 0),
    ("14:30:00", "C9", Kind.CALLBACK_KEPT, "tech", "standard", "bob", "", 0),
    ("14:35:00", "C9", Kind.RESOLVED, "tech", "standard", "bob", "other", 0),
    ("15:00:00", "C10", Kind.CREATED, "", "", "", "", 0),
    ("15:00:00", "C10", Kind.QUEUED, "billing", "standard", "", "", 0),
    ("15:00:30", "C10", Kind.CALLBACK_PROMISED, "billing", "standard", "", "", 0),
    ("16:00:00", "C10", Kind.CALLBACK_BROKEN, "billing", "standard", "", "", 0),
    ("16:00:00", "C10", Kind.ABANDONED, "billing", "standard", "", "", 0),
    ("10:00:00", "C11", Kind.CREATED, "", "", "", "", 1),
    ("10:02:00", "C11", Kind.ABANDONED, "", "", "", "", 0),
    ("11:00:00", "C12", Kind.CREATED, "", "", "", "", 0),
    ("11:00:00", "C12", Kind.QUEUED, "tech", "standard", "", "", 0),
    ("11:00:30", "C12", Kind.AWAY, "tech", "standard", "", "", 0),
]

_AGENT_STATES = [
    ("08:55:00", "ann", "available"),
    ("17:00:00", "ann", "offline"),
    ("09:00:00", "bob", "available"),
    ("12:00:00", "bob", "away"),
    ("13:00:00", "bob", "available"),
    ("17:00:00", "bob", "offline"),
]


def events() -> list[KpiEvent]:
    out = []
    for clock, contact, kind, queue, segment, agent, reason, value in _ROWS:
        customer, channel, language, bot = _CONTACTS[contact]
        out.append(
            KpiEvent(
                kind,
                at(clock),
                contact,
                customer,
                channel,
                queue,
                segment,
                agent,
                language,
                reason,
                bot if kind is Kind.CREATED else float(value),
            )
        )
    out += [KpiEvent(Kind.AGENT_STATE, at(c), agent=a, reason=s) for c, a, s in _AGENT_STATES]
    out.sort(key=lambda e: e.at)  # stable: same-instant rows keep the order written above
    return out
