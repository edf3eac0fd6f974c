"""Columnar bulk roll-up (polars) of large histories: the same finest-slice tallies as recompute.py.

For reports and exports over months of events. It computes the contact figures — SL, ASA, abandonment,
AHT, transfer rate, FCR, CSAT, NPS, CES, containment and callback kept rate; TTR chains and agent occupancy
stay with the pure engines (recompute.py), which handle them in one pass over far fewer rows.
The frame is one row per `KpiEvent`, the columns named as its fields, `kind` as `KIND`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import polars as pl

from holdless.analytics.facts import Kind, KpiEvent
from holdless.analytics.kpis import BASE_INTERVAL, KpiConfig

KIND = pl.Enum([k.value for k in Kind])
KEYS = ["interval", "queue", "segment", "channel", "agent", "language"]
DIMS = ["queue", "segment", "channel", "agent", "language"]
SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "kind": KIND,
    "at": pl.Float64,
    "contact": pl.Categorical,
    "customer": pl.Categorical,
    "channel": pl.Categorical,
    "queue": pl.Categorical,
    "segment": pl.Categorical,
    "agent": pl.Categorical,
    "language": pl.Categorical,
    "reason": pl.Categorical,
    "value": pl.Float64,
}
TALLY_COLUMNS = [
    "joined", "answered", "answered_in_t", "wait_sum", "abandoned", "abandoned_after_t", "short_abandons",
    "resolved", "fcr_ok", "handled", "handle_sum", "transferred", "csat_n", "csat_good", "nps_n",
    "nps_promoters", "nps_detractors", "ces_n", "ces_sum", "bot_handled", "bot_contained",
    "callbacks_promised", "callbacks_kept",
]  # fmt: skip


def to_frame(events: Iterable[KpiEvent]) -> pl.DataFrame:
    rows = [
        (e.kind.value, e.at, e.contact, e.customer, e.channel, e.queue, e.segment, e.agent, e.language,
         e.reason, e.value)
        for e in events
    ]  # fmt: skip
    return pl.DataFrame(rows, schema=SCHEMA, orient="row")


def _interval(col: str) -> pl.Expr:
    return ((pl.col(col) // BASE_INTERVAL) * BASE_INTERVAL).cast(pl.Int64)


def _first(condition: pl.Expr, column: str, name: str) -> pl.Expr:
    return pl.col(column).filter(condition).first().alias(name)


def _keyed(frame: pl.DataFrame, at: str, prefix: str, agent: pl.Expr | None = None) -> list[pl.Expr]:
    """The six key columns from `prefix`-named columns of a fact row."""
    cols = [_interval(at).alias("interval")]
    for d in DIMS:
        expr = agent if d == "agent" and agent is not None else pl.col(f"{prefix}{d}")
        cols.append(expr.alias(d))
    return cols


def rollup(frame: pl.DataFrame, config: KpiConfig | None = None) -> pl.DataFrame:
    """Finest-slice tallies: one row per KEYS with the TALLY_COLUMNS (zeros where nothing happened)."""
    cfg = config or KpiConfig()
    k = pl.col("kind")
    if not frame["at"].is_sorted():
        frame = frame.sort("at", maintain_order=True)
    # One contact's rows together, in time order: windows become plain column operations (much faster
    # than `over`), each contact's first row resetting what is carried forward.
    rows = (
        frame.with_row_index("i")
        .filter(k != Kind.AGENT_STATE.value)
        .with_columns(pl.col("contact").to_physical().alias("code"))
        .sort("code", maintain_order=True)
    )
    first = (pl.col("code") != pl.col("code").shift(1)).fill_null(True)
    last = (pl.col("code") != pl.col("code").shift(-1)).fill_null(True)
    holder = (
        pl.when(k.is_in(["assigned", "transferred"]))
        .then(pl.col("agent"))
        .when((k == "queued") | first)
        .then(pl.lit(""))
    )
    away = pl.when(k == "away").then(True).when((k == "back") | first).then(False)
    ended = pl.when(k.is_in(["abandoned", "resolved"])).then(True).when(first).then(False)
    promise = pl.when(k == "callback_promised").then(pl.col("i")).when(first).then(-1)
    rows = rows.with_columns(
        holder.forward_fill().alias("holder"),
        away.forward_fill().alias("away_now"),
        ended.forward_fill().alias("ended_now"),
        pl.when(last).then(0.0).otherwise(pl.col("at").shift(-1) - pl.col("at")).alias("dt"),
        promise.forward_fill().alias("promise_i"),
    )
    active = (pl.col("holder") != "") & ~pl.col("away_now") & ~pl.col("ended_now")
    outcome = k.is_in(["queued", "assigned", "answered", "abandoned", "resolved"])
    aggs = [
        _first(k == "created", "at", "created_at"),
        _first(k == "created", "value", "bot"),
        _first(k == "created", "customer", "customer"),
        _first(k == "created", "reason", "intent"),
        _first(k == "queued", "i", "join_i"),
        _first(k == "queued", "at", "join_at"),
        _first(k == "answered", "i", "answer_i"),
        _first(k == "answered", "at", "answer_at"),
        _first(k == "abandoned", "i", "abandon_i"),
        _first(k == "abandoned", "at", "abandon_at"),
        _first(k == "resolved", "i", "resolve_i"),
        _first(k == "resolved", "at", "resolve_at"),
        _first(k == "resolved", "reason", "disposition"),
        _first(outcome, "kind", "bot_kind"),
        _first(outcome, "at", "bot_at"),
        (k.is_in(["assigned", "transferred"]) & (pl.col("agent") != "")).any().alias("handled"),
        (k == "transferred").any().alias("transferred"),
        ((pl.col("dt") * active.cast(pl.Float64)).sum() + pl.col("value").filter(k == "wrapped").sum()).alias(
            "handle_s"
        ),
    ]
    for d in DIMS:
        aggs.append(_first(k == "queued", d, f"join_{d}"))
        aggs.append(_first(k == "resolved", d, f"res_{d}"))
        aggs.append(_first(outcome, d, f"bot_{d}"))
    facts = rows.group_by("code").agg(aggs)
    parts = [
        _queue_part(facts, cfg),
        _resolved_part(facts, cfg),
        _bot_part(facts),
        _event_part(rows),
        _callback_part(rows),
    ]
    all_rows = pl.concat(parts, how="diagonal")
    return all_rows.group_by(KEYS).agg([pl.col(c).fill_null(0).sum() for c in TALLY_COLUMNS])


def _queue_part(facts: pl.DataFrame, cfg: KpiConfig) -> pl.DataFrame:
    joined = facts.filter(pl.col("join_i").is_not_null())
    answered = pl.col("answer_i").is_not_null() & (pl.col("answer_i") > pl.col("join_i"))
    wait = pl.col("answer_at") - pl.col("join_at")
    abandoned = (
        pl.col("abandon_i").is_not_null()
        & (pl.col("abandon_i") > pl.col("join_i"))
        & (pl.col("answer_i").is_null() | (pl.col("answer_i") > pl.col("abandon_i")))
    )
    gave_up = pl.col("abandon_at") - pl.col("join_at")
    short = abandoned & (gave_up < cfg.short_abandon_seconds)
    long = abandoned & ~short
    return joined.select(
        *_keyed(joined, "join_at", "join_", pl.lit("", dtype=pl.Categorical)),
        pl.lit(1).alias("joined"),
        answered.cast(pl.Int64).alias("answered"),
        (answered & (wait <= cfg.sl_seconds)).cast(pl.Int64).alias("answered_in_t"),
        pl.when(answered).then(wait).otherwise(0.0).alias("wait_sum"),
        long.cast(pl.Int64).alias("abandoned"),
        (long & (gave_up > cfg.sl_seconds)).cast(pl.Int64).alias("abandoned_after_t"),
        short.cast(pl.Int64).alias("short_abandons"),
    )


def _resolved_part(facts: pl.DataFrame, cfg: KpiConfig) -> pl.DataFrame:
    contacts = facts.with_columns(
        pl.when(pl.col("intent") != "").then(pl.col("intent")).otherwise(pl.col("disposition")).alias("why")
    )
    later = (
        contacts.filter(pl.col("why").is_not_null() & (pl.col("why") != ""))
        .select("customer", "why", pl.col("created_at").alias("next_at"))
        .sort("next_at")
    )
    resolved = contacts.filter(pl.col("resolve_i").is_not_null()).sort("resolve_at")
    # The next contact about the same reason, created strictly after the resolution: a repeat within 7 days.
    matched = resolved.join_asof(
        later,
        left_on="resolve_at",
        right_on="next_at",
        by=["customer", "why"],
        strategy="forward",
        allow_exact_matches=False,
        check_sortedness=False,  # sorted above; polars cannot check it per group
    )
    repeated = (
        pl.col("next_at").is_not_null()
        & (pl.col("why") != "")
        & (pl.col("next_at") - pl.col("resolve_at") <= cfg.fcr_seconds)
    )
    handled = pl.col("handled")
    return matched.select(
        *_keyed(matched, "resolve_at", "res_"),
        pl.lit(1).alias("resolved"),
        (~repeated).cast(pl.Int64).alias("fcr_ok"),
        handled.cast(pl.Int64).alias("handled"),
        pl.when(handled).then(pl.col("handle_s")).otherwise(0.0).alias("handle_sum"),
        (handled & pl.col("transferred")).cast(pl.Int64).alias("transferred"),
    )


def _bot_part(facts: pl.DataFrame) -> pl.DataFrame:
    straight_to_line = (pl.col("bot_kind") == "queued") & (pl.col("bot_at") == pl.col("created_at"))
    bot = facts.filter((pl.col("bot") > 0) & pl.col("bot_kind").is_not_null() & ~straight_to_line)
    return bot.select(
        *_keyed(bot, "bot_at", "bot_"),
        pl.lit(1).alias("bot_handled"),
        (pl.col("bot_kind") == "resolved").cast(pl.Int64).alias("bot_contained"),
    )


def _event_part(rows: pl.DataFrame) -> pl.DataFrame:
    k = pl.col("kind")
    v = pl.col("value")
    surveys = rows.filter(k.is_in(["csat", "nps", "ces", "callback_promised"]))

    def n(kind: str, cond: pl.Expr | None = None) -> pl.Expr:
        e = k == kind
        return (e if cond is None else e & cond).cast(pl.Int64)

    return surveys.select(
        _interval("at").alias("interval"),
        *[pl.col(d) for d in DIMS],
        n("csat").alias("csat_n"),
        n("csat", v >= 4).alias("csat_good"),
        n("nps").alias("nps_n"),
        n("nps", v >= 9).alias("nps_promoters"),
        n("nps", v <= 6).alias("nps_detractors"),
        n("ces").alias("ces_n"),
        pl.when(k == "ces").then(v).otherwise(0.0).alias("ces_sum"),
        n("callback_promised").alias("callbacks_promised"),
    )


def _callback_part(rows: pl.DataFrame) -> pl.DataFrame:
    promises = rows.filter(pl.col("kind") == "callback_promised").select(
        pl.col("i").alias("promise_i"), _interval("at").alias("interval"), *[pl.col(d) for d in DIMS]
    )
    kept = rows.filter((pl.col("kind") == "callback_kept") & (pl.col("promise_i") >= 0))
    return (
        kept.select("promise_i")
        .join(promises, on="promise_i")
        .select(*KEYS, pl.lit(1, dtype=pl.Int64).alias("callbacks_kept"))
    )


def as_tallies(
    rolled: pl.DataFrame, columns: Sequence[str] = TALLY_COLUMNS
) -> dict[tuple[object, ...], dict[str, float]]:
    """Rows of a roll-up as {key: {column: value}}, slices with nothing in them left out."""
    out: dict[tuple[object, ...], dict[str, float]] = {}
    for row in rolled.iter_rows(named=True):
        values = {c: float(row[c]) for c in columns}
        if any(values.values()):
            out[tuple(row[k] for k in KEYS)] = values
    return out
