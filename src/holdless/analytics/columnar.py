"""Columnar bulk roll-up (polars) of large histories: the same finest-slice tallies as recompute.py.

For reports and exports over months of events. It computes the contact figures — SL, ASA, abandonment,
AHT, transfer rate, FCR, TTR, CSAT, NPS, CES, containment and callback kept rate; agent occupancy stays with
the pure engines (recompute.py), which sweep the few agent-state rows.
The frame is one row per `KpiEvent`, the columns named as its fields, `kind` as `KIND`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import polars as pl

from holdless.analytics.facts import AVAILABLE, Kind, KpiEvent
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
    "resolved", "fcr_ok", "ttr_count", "ttr_sum", "handled", "handle_sum", "transferred", "csat_n",
    "csat_good", "nps_n", "nps_promoters", "nps_detractors", "ces_n", "ces_sum", "bot_handled",
    "bot_contained", "callbacks_promised", "callbacks_kept", "busy_seconds", "staffed_seconds",
]  # fmt: skip


def to_frame(events: Iterable[KpiEvent]) -> pl.DataFrame:
    """One row per event, in the order given (the log's order)."""
    rows = list(events)
    columns: dict[str, list[object]] = {
        name: [getattr(e, name) for e in rows] for name in SCHEMA if name != "kind"
    }
    columns["kind"] = [e.kind.value for e in rows]
    return pl.DataFrame(columns, schema=SCHEMA)


def _interval(col: str) -> pl.Expr:
    return ((pl.col(col) // BASE_INTERVAL) * BASE_INTERVAL).cast(pl.Int64)


def _keyed(at: str, prefix: str, agent: pl.Expr | None = None) -> list[pl.Expr]:
    """The six key columns from `prefix`-named columns of a fact row."""
    cols = [_interval(at).alias("interval")]
    for d in DIMS:
        expr = agent if d == "agent" and agent is not None else pl.col(f"{prefix}{d}")
        cols.append(expr.alias(d))
    return cols


def rollup(frame: pl.DataFrame, config: KpiConfig | None = None, until: float | None = None) -> pl.DataFrame:
    """Finest-slice tallies: one row per KEYS with the TALLY_COLUMNS (zeros where nothing happened).

    Agent time still running (available, or handling an open contact) is counted up to `until`, by default
    the last event's instant."""
    cfg = config or KpiConfig()
    k = pl.col("kind")
    if not frame["at"].is_sorted():
        frame = frame.sort("at", maintain_order=True)
    # One contact's rows together, in time order: windows become plain column operations (much faster
    # than `over`), each contact's first row resetting what is carried forward.
    ordered = frame.with_row_index("i")
    rows = (
        ordered.select("i", "kind", "at", "agent", "value", pl.col("contact").to_physical().alias("code"))
        .filter(k != Kind.AGENT_STATE.value)
        .sort("code", maintain_order=True)
    )
    first = (pl.col("code") != pl.col("code").shift(1)).fill_null(True)
    last = (pl.col("code") != pl.col("code").shift(-1)).fill_null(True)
    holder = (
        pl.when(k.is_in(["assigned", "transferred"]))
        .then(pl.col("agent"))
        .when((k == "queued") | first)
        .then(pl.lit("", dtype=pl.Categorical))
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
        last.alias("last"),
    )
    active = (pl.col("holder") != "") & ~pl.col("away_now") & ~pl.col("ended_now")
    outcome = k.is_in(["queued", "assigned", "answered", "abandoned", "resolved"])
    firsts = {
        "created_i": k == "created",
        "join_i": k == "queued",
        "answer_i": k == "answered",
        "abandon_i": k == "abandoned",
        "resolve_i": k == "resolved",
        "bot_i": outcome,
    }
    # Rows are in time order within a contact, so its first row of a kind is the smallest row number; the
    # values of that row are then gathered by number from the time-ordered frame. Contacts are runs of
    # rows here, so numpy's reduceat does the per-contact work without hashing.
    none = ordered.height
    per_row = rows.select(
        first.alias("first"),
        *[pl.when(cond).then(pl.col("i")).otherwise(none).alias(name) for name, cond in firsts.items()],
        (k.is_in(["assigned", "transferred"]) & (pl.col("agent") != "")).alias("handled"),
        (k == "transferred").alias("transferred"),
        (
            pl.when(active).then(pl.col("dt")).otherwise(0.0)
            + pl.when(k == "wrapped").then(pl.col("value")).otherwise(0.0)
        ).alias("handle_s"),
    )
    starts = np.flatnonzero(per_row["first"].to_numpy())
    index = pl.DataFrame(
        {
            **{n: np.minimum.reduceat(per_row[n].to_numpy(), starts) for n in firsts},
            "handled": np.maximum.reduceat(per_row["handled"].to_numpy(), starts),
            "transferred": np.maximum.reduceat(per_row["transferred"].to_numpy(), starts),
            "handle_s": np.add.reduceat(per_row["handle_s"].to_numpy(), starts),
        }
    ).with_columns(*[pl.when(pl.col(n) < none).then(pl.col(n)).alias(n) for n in firsts])
    facts = index.with_columns(
        *_gather(
            ordered,
            "created_i",
            {
                "at": "created_at",
                "value": "bot",
                "customer": "customer",
                "reason": "intent",
                "contact": "contact",
            },
        ),
        *_gather(ordered, "join_i", {"at": "join_at", **{d: f"join_{d}" for d in DIMS}}),
        *_gather(ordered, "answer_i", {"at": "answer_at"}),
        *_gather(ordered, "abandon_i", {"at": "abandon_at"}),
        *_gather(
            ordered,
            "resolve_i",
            {"at": "resolve_at", "reason": "disposition", **{d: f"res_{d}" for d in DIMS}},
        ),
        *_gather(ordered, "bot_i", {"at": "bot_at", "kind": "bot_kind", **{d: f"bot_{d}" for d in DIMS}}),
    )
    parts = [
        _queue_part(facts, cfg),
        _resolved_part(facts, cfg),
        _bot_part(facts),
        _event_part(ordered),
        _callback_part(rows, ordered),
        _occupancy_part(rows, ordered, _last_instant(frame) if until is None else until),
    ]
    return _sum_by_slice(parts)


def _last_instant(frame: pl.DataFrame) -> float:
    last = frame["at"].max()
    return float(last) if isinstance(last, int | float) else 0.0


def _occupancy_part(rows: pl.DataFrame, ordered: pl.DataFrame, until: float) -> pl.DataFrame:
    """Agent time per 15-minute slice: handling = at least one active contact, staffed = handling or
    available. A contact's activity starts and stops on the rows that change it (an open one runs on)."""
    until = float(until)
    act = (pl.col("holder") != "") & ~pl.col("away_now") & ~pl.col("ended_now")
    first = (pl.col("code") != pl.col("code").shift(1)).fill_null(True)
    changes = rows.select(
        pl.col("holder").alias("agent"),
        pl.col("holder").shift(1).alias("before"),
        "at",
        "last",
        act.alias("now"),
        (act.shift(1).fill_null(False) & ~first).alias("was"),
    ).with_columns(moved=(pl.col("agent") != pl.col("before")).fill_null(True))
    starts = changes.filter(pl.col("now") & (~pl.col("was") | pl.col("moved")))
    stops = changes.filter(pl.col("was") & (~pl.col("now") | pl.col("moved")))
    still = changes.filter(pl.col("now") & pl.col("last"))
    states = ordered.filter(pl.col("kind") == Kind.AGENT_STATE.value)
    no_state = pl.lit(None, pl.String).alias("state")
    points = (
        pl.concat(
            [
                starts.select("agent", pl.col("at").alias("t"), pl.lit(1).alias("delta"), no_state),
                stops.select(
                    pl.col("before").alias("agent"),
                    pl.col("at").alias("t"),
                    pl.lit(-1).alias("delta"),
                    no_state,
                ),
                still.select("agent", pl.lit(until).alias("t"), pl.lit(-1).alias("delta"), no_state),
                states.select(
                    "agent",
                    pl.col("at").alias("t"),
                    pl.lit(0).alias("delta"),
                    pl.col("reason").cast(pl.String).alias("state"),
                ),
            ]
        )
        .with_columns(pl.col("agent").to_physical().alias("who"))
        .sort("who", "t", maintain_order=True)
    )
    first_point = (pl.col("who") != pl.col("who").shift(1)).fill_null(True)
    last_point = (pl.col("who") != pl.col("who").shift(-1)).fill_null(True)
    busy_base = pl.when(first_point).then(pl.col("busy") - pl.col("delta")).forward_fill()
    segments = (
        points.with_columns(pl.col("delta").cum_sum().alias("busy"))
        .with_columns(
            (pl.col("busy") - busy_base).alias("busy"),
            pl.when(pl.col("state").is_not_null())
            .then(pl.col("state"))
            .when(first_point)
            .then(pl.lit("offline"))
            .forward_fill()
            .alias("state"),
            pl.when(last_point)
            .then(pl.lit(until))
            .otherwise(pl.col("t").shift(-1))
            .clip(upper_bound=until)
            .alias("end"),
        )
        .filter((pl.col("end") > pl.col("t")) & ((pl.col("busy") > 0) | (pl.col("state") == AVAILABLE)))
        .select(
            "agent",
            "t",
            "end",
            (pl.col("busy") > 0).alias("busy"),
            pl.int_ranges(
                ((pl.col("t") // BASE_INTERVAL) * BASE_INTERVAL).cast(pl.Int64),
                pl.col("end").ceil().cast(pl.Int64),
                BASE_INTERVAL,
            ).alias("interval"),
        )
        .explode("interval")
    )
    seconds = pl.min_horizontal(pl.col("end"), pl.col("interval") + BASE_INTERVAL) - pl.max_horizontal(
        pl.col("t"), pl.col("interval")
    )
    per_slice = (
        segments.select(
            "agent",
            "interval",
            pl.when(pl.col("busy")).then(seconds).otherwise(0.0).alias("busy_seconds"),
            seconds.alias("staffed_seconds"),
        )
        .group_by("agent", "interval")
        .agg(pl.col("busy_seconds").sum(), pl.col("staffed_seconds").sum())
        .filter(pl.col("staffed_seconds") > 0)
    )
    empty = pl.lit("", dtype=pl.Categorical)
    return per_slice.select(
        "interval",
        empty.alias("queue"),
        empty.alias("segment"),
        empty.alias("channel"),
        "agent",
        empty.alias("language"),
        "busy_seconds",
        "staffed_seconds",
    )


def _gather(ordered: pl.DataFrame, index: str, columns: dict[str, str]) -> list[pl.Expr]:
    """Columns of the rows numbered by `index` (null where the contact has no such row)."""
    return [pl.lit(ordered[source]).gather(pl.col(index)).alias(name) for source, name in columns.items()]


def _dense(codes: np.ndarray[Any, Any]) -> tuple[np.ndarray[Any, Any], int]:
    """Small dense numbers for the distinct values of non-negative integer codes."""
    present = np.zeros(int(codes.max(initial=0)) + 1, dtype=np.int64)
    present[codes] = 1
    numbering = np.cumsum(present) - 1
    return numbering[codes], int(present.sum())


def _sum_by_slice(parts: Sequence[pl.DataFrame]) -> pl.DataFrame:
    """Sum every part's tally columns per slice (KEYS): packed integer keys and bincount, far cheaper than a
    six-key group-by with two dozen aggregations."""
    keys = pl.concat([p.select(KEYS) for p in parts], how="vertical")
    if keys.height == 0:
        return pl.DataFrame(
            schema={**{c: keys.schema[c] for c in KEYS}, **dict.fromkeys(TALLY_COLUMNS, pl.Float64)}
        )
    interval = keys["interval"].to_numpy()
    packed = (interval - interval.min()) // BASE_INTERVAL
    room = int(packed.max()) + 1
    for d in DIMS:
        dense, count = _dense(keys[d].to_physical().to_numpy())
        packed = packed * count + dense
        room *= count
        if room >= 2**62:
            raise OverflowError("too many distinct slices to pack; roll up by fewer dimensions")
    if room <= 2 * len(packed):
        groups_at, first, slot = _dense_first(packed)
    else:
        _, first, slot = np.unique(packed, return_index=True, return_inverse=True)
        groups_at = len(first)
    sums = {c: np.zeros(groups_at) for c in TALLY_COLUMNS}
    offset = 0
    for p in parts:
        ids = slot[offset : offset + p.height]
        for c in TALLY_COLUMNS:
            if c in p.columns:
                sums[c] += np.bincount(ids, weights=p[c].cast(pl.Float64).to_numpy(), minlength=groups_at)
        offset += p.height
    return keys[first].with_columns(*[pl.Series(c, v) for c, v in sums.items()])


def _dense_first(packed: np.ndarray[Any, Any]) -> tuple[int, np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Group numbers by table lookup when the packed key space is small: (groups, first row of each, slot)."""
    slot, groups = _dense(packed)
    first = np.empty(groups, dtype=np.int64)
    first[slot[::-1]] = np.arange(len(packed) - 1, -1, -1)  # the last write wins: each group's first row
    return groups, first, slot


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
        *_keyed("join_at", "join_", pl.lit("", dtype=pl.Categorical)),
        pl.lit(1).alias("joined"),
        answered.cast(pl.Int64).alias("answered"),
        (answered & (wait <= cfg.sl_seconds)).cast(pl.Int64).alias("answered_in_t"),
        pl.when(answered).then(wait).otherwise(0.0).alias("wait_sum"),
        long.cast(pl.Int64).alias("abandoned"),
        (long & (gave_up > cfg.sl_seconds)).cast(pl.Int64).alias("abandoned_after_t"),
        short.cast(pl.Int64).alias("short_abandons"),
    )


def _chain_starts(contacts: pl.DataFrame, cfg: KpiConfig) -> np.ndarray[Any, Any]:
    """When each contact's chain began: a contact about a reason continues the chain of the latest
    resolution it repeats (same customer and reason, resolved at most 7 days before it was created)."""
    numbered = contacts.with_row_index("n")
    about = numbered.filter(pl.col("why").is_not_null() & (pl.col("why") != ""))
    resolutions = (
        about.filter(pl.col("resolve_i").is_not_null())
        .select(
            "topic",
            pl.col("resolve_at").alias("parent_at"),
            pl.col("contact").cast(pl.String).alias("parent_id"),
            pl.col("n").alias("parent_n"),
        )
        .sort("parent_at", "parent_id")  # ties: the latest contact id wins, as in the pure engine
    )
    linked = (
        about.select("n", "topic", "created_at")
        .sort("created_at")
        .join_asof(
            resolutions,
            left_on="created_at",
            right_on="parent_at",
            by="topic",
            strategy="backward",
            allow_exact_matches=False,
            check_sortedness=False,
        )
        .filter(pl.col("created_at") - pl.col("parent_at") <= cfg.fcr_seconds)
    )
    parent = np.arange(contacts.height)
    parent[linked["n"].to_numpy()] = linked["parent_n"].to_numpy()
    while True:  # pointer jumping to each chain's first contact
        further = parent[parent]
        if np.array_equal(further, parent):
            break
        parent = further
    created: np.ndarray[Any, Any] = contacts["created_at"].to_numpy()
    return created[parent]


def _resolved_part(facts: pl.DataFrame, cfg: KpiConfig) -> pl.DataFrame:
    contacts = facts.with_columns(
        pl.when(pl.col("intent") != "").then(pl.col("intent")).otherwise(pl.col("disposition")).alias("why")
    ).with_columns(  # one integer per (customer, reason): as-of joins by one integer column are much cheaper
        (
            pl.col("customer").to_physical().cast(pl.Int64) * (1 << 32)
            + pl.col("why").to_physical().cast(pl.Int64)
        ).alias("topic")
    )
    contacts = contacts.with_columns(pl.Series("chain_start", _chain_starts(contacts, cfg)))
    later = (
        contacts.filter(pl.col("why").is_not_null() & (pl.col("why") != ""))
        .select("topic", pl.col("created_at").alias("next_at"))
        .sort("next_at")
    )
    resolved = contacts.filter(pl.col("resolve_i").is_not_null()).sort("resolve_at")
    # The next contact about the same reason, created strictly after the resolution: a repeat within 7 days.
    matched = resolved.join_asof(
        later,
        left_on="resolve_at",
        right_on="next_at",
        by="topic",
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
        *_keyed("resolve_at", "res_"),
        pl.lit(1).alias("resolved"),
        (~repeated).cast(pl.Int64).alias("fcr_ok"),
        (~repeated).cast(pl.Int64).alias("ttr_count"),
        pl.when(~repeated).then(pl.col("resolve_at") - pl.col("chain_start")).otherwise(0.0).alias("ttr_sum"),
        handled.cast(pl.Int64).alias("handled"),
        pl.when(handled).then(pl.col("handle_s")).otherwise(0.0).alias("handle_sum"),
        (handled & pl.col("transferred")).cast(pl.Int64).alias("transferred"),
    )


def _bot_part(facts: pl.DataFrame) -> pl.DataFrame:
    straight_to_line = (pl.col("bot_kind") == "queued") & (pl.col("bot_at") == pl.col("created_at"))
    bot = facts.filter((pl.col("bot") > 0) & pl.col("bot_kind").is_not_null() & ~straight_to_line)
    return bot.select(
        *_keyed("bot_at", "bot_"),
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


def _callback_part(rows: pl.DataFrame, ordered: pl.DataFrame) -> pl.DataFrame:
    promises = ordered.filter(pl.col("kind") == "callback_promised").select(
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
