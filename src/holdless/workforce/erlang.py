"""Erlang C: the M/M/N queue where nobody abandons, for one interval.

With arrival rate λ, mean handle time h, traffic A = λh (erlangs) and N agents (N > A):
P(wait) = C(N, A); SL(T) = 1 − C·exp(−(N − A)·T/h); ASA = C·h/(N − A); occupancy = A/N.

Everything here is plain Python on floats: for one interval that beats NumPy's per-call overhead.
The inverse Erlang B value 1/B(N, A) = Σ_{i=0..N} N!/((N−i)!·A^i) is summed term by term from the
largest term, so it neither overflows nor loses precision for traffic in the thousands of erlangs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from holdless.errors import Invalid

SECONDS_PER_HOUR = 3600.0

# Terms below e^-40 of the largest one change no double; the windows below are sized from that.
_NEGLIGIBLE_LOG = 40.0


@dataclass(frozen=True, slots=True)
class QueueFigures:
    """What a queue does in steady state with `agents` people answering.

    `service_level` is the share answered within the target time among those answered plus those who
    abandoned after it (product.md's SL; with nobody abandoning it is P(wait ≤ T)). `asa_seconds` is over
    answered contacts. `abandon_rate` is 0 for Erlang C, whose customers never give up.
    """

    agents: int
    traffic_erlangs: float
    p_wait: float
    service_level: float
    asa_seconds: float
    occupancy: float
    abandon_rate: float = 0.0


def check_workload(arrivals_per_hour: float, aht_seconds: float) -> None:
    """Raise `Invalid` naming the field when the workload cannot describe a queue."""
    if not math.isfinite(arrivals_per_hour) or arrivals_per_hour < 0:
        raise Invalid("arrivals per hour must be a finite number ≥ 0", field="arrivals_per_hour")
    if not math.isfinite(aht_seconds) or aht_seconds <= 0:
        raise Invalid("average handle time must be a finite number of seconds > 0", field="aht_seconds")


def check_agents(agents: int) -> None:
    if agents < 0:
        raise Invalid("agents must be ≥ 0", field="agents")


def check_target_seconds(target_seconds: float) -> None:
    if not math.isfinite(target_seconds) or target_seconds < 0:
        raise Invalid("target seconds must be a finite number ≥ 0", field="target_seconds")


def log_inverse_erlang_b(agents: int, traffic: float) -> float:
    """ln(1/B(N, A)), stable for any N ≥ 0 and A > 0 (for N far above A, 1/B overflows a double)."""
    if agents == 0:
        return 0.0
    log_a = math.log(traffic)
    # Terms grow while (N − i)/A ≥ 1; the peak sits at i* and the sum is a bell of width ~√A around it.
    peak = min(agents, max(0, math.floor(agents - traffic) + 1))
    half_width = math.ceil(math.sqrt(2.0 * _NEGLIGIBLE_LOG * (traffic + 1.0))) + 2 * int(_NEGLIGIBLE_LOG)
    low = max(0, peak - half_width)
    high = min(agents, peak + half_width)
    log_peak = math.lgamma(agents + 1) - math.lgamma(agents - peak + 1) - peak * log_a
    total = 1.0
    term = 1.0
    for i in range(peak, high):  # right of the peak: ratio (N − i)/A
        term *= (agents - i) / traffic
        total += term
    term = 1.0
    for i in range(peak - 1, low - 1, -1):  # left of the peak: ratio A/(N − i)
        term *= traffic / (agents - i)
        total += term
    return log_peak + math.log(total)


def erlang_b(agents: int, traffic: float) -> float:
    """Blocking probability B(N, A) of the loss system with N servers and A erlangs."""
    check_agents(agents)
    if traffic <= 0:
        return 1.0 if agents == 0 else 0.0
    return math.exp(-log_inverse_erlang_b(agents, traffic))


def erlang_c_from_b(agents: int, traffic: float, blocking: float) -> float:
    """C(N, A) from B(N, A); 1 when the queue is unstable (N ≤ A)."""
    if agents <= traffic:
        return 1.0
    return agents * blocking / (agents - traffic * (1.0 - blocking))


def erlang_c(agents: int, traffic: float) -> float:
    """Probability that a contact waits, C(N, A)."""
    if traffic <= 0:
        check_agents(agents)
        return 0.0
    return erlang_c_from_b(agents, traffic, erlang_b(agents, traffic))


def inverse_erlang_b_at_first_stable(traffic: float) -> tuple[int, float]:
    """(N₀, 1/B(N₀, A)) with N₀ = ⌊A⌋ + 1, the fewest agents that keep the queue stable.

    Up to N₀ the values 1/B(n, A) stay below ~√A, so the recurrence 1/B(n) = 1 + (n/A)·1/B(n−1) (all
    positive terms, relative error ~n·ε) is safe and fastest. For large A the sum of the terms
    N₀!/((N₀−i)!·A^i), which peak at i ≤ 1 and fade within ~√(80·A) steps, needs fewer of them.
    """
    first = math.floor(traffic) + 1
    if first <= 150:
        per_erlang = 1.0 / traffic
        inverse = 1.0
        for n in range(1, first + 1):
            inverse = 1.0 + inverse * n * per_erlang
        return first, inverse
    total = 1.0
    term = 1.0
    for i in range(first):
        term *= (first - i) / traffic
        total += term
        if term < 1e-17 * total:
            break
    return first, total


def service_level_c(agents: int, traffic: float, p_wait: float, aht_seconds: float, target: float) -> float:
    if agents <= traffic:
        return 0.0
    return 1.0 - p_wait * math.exp(-(agents - traffic) * target / aht_seconds)


def erlang_c_figures(
    agents: int, arrivals_per_hour: float, aht_seconds: float, target_seconds: float
) -> QueueFigures:
    """Erlang C figures for one interval with `agents` answering (inf ASA when N ≤ A: the line only grows)."""
    check_workload(arrivals_per_hour, aht_seconds)
    check_agents(agents)
    check_target_seconds(target_seconds)
    traffic = arrivals_per_hour * aht_seconds / SECONDS_PER_HOUR
    if traffic == 0:
        return QueueFigures(agents, 0.0, 0.0, 1.0, 0.0, 0.0)
    p_wait = erlang_c(agents, traffic)
    return figures_from_c(agents, traffic, p_wait, aht_seconds, target_seconds)


def figures_from_c(
    agents: int, traffic: float, p_wait: float, aht_seconds: float, target_seconds: float
) -> QueueFigures:
    if agents <= traffic:
        return QueueFigures(agents, traffic, 1.0, 0.0, math.inf, 1.0)
    return QueueFigures(
        agents=agents,
        traffic_erlangs=traffic,
        p_wait=p_wait,
        service_level=service_level_c(agents, traffic, p_wait, aht_seconds, target_seconds),
        asa_seconds=p_wait * aht_seconds / (agents - traffic),
        occupancy=traffic / agents,
    )
