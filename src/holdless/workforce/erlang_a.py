"""Erlang A (Palm's M/M/N+M): Erlang C plus customers who give up after an exponential patience.

Model: Poisson arrivals λ, exponential handle times with mean h (μ = 1/h), N agents, first come first
served, each waiting customer abandons at rate θ = 1/mean patience. Customers who find the queue empty
never abandon (their wait is zero).

Method. With x = Nμ/θ, y = λ/θ and a = x + 1, the stationary chain above N agents is a series
u_m = y^m/(a+1)_m (m customers beyond the first in line) and every figure is a closed expression of
G(z) = Σ u_m(z) at z = y and z = y·e^{−θT}: the second argument gives the customers still in line at T.
The derivation is in docs/workforce.md. G is summed in log space over a window around its largest
term, so nothing overflows for traffic in the thousands or patience far above the handle time, and the
time to evaluate grows with √y, not with the length of the line.

Service level follows product.md: answered within T / (answered + abandoned after T). ASA is the
mean wait of answered contacts. The abandon rate is abandoned / offered.
"""

from __future__ import annotations

import math

import numpy as np

from holdless.errors import Invalid
from holdless.workforce.erlang import (
    SECONDS_PER_HOUR,
    QueueFigures,
    check_agents,
    check_target_seconds,
    check_workload,
    log_inverse_erlang_b,
)

_NEGLIGIBLE_LOG = 40.0
# Past this y = λ·patience the window would hold millions of terms; such patience means "nobody
# abandons" in practice, and Erlang C answers it.
_MAX_PATIENCE_LOAD = 1e10


def check_patience(patience_seconds: float) -> None:
    if not math.isfinite(patience_seconds) or patience_seconds <= 0:
        raise Invalid("mean patience must be a finite number of seconds > 0", field="patience_seconds")


def _harmonic_gap(a: float, n: int) -> float:
    """Σ_{i=1..n} 1/(a+i) = ψ(a+n+1) − ψ(a+1)."""
    if n < 64:
        return math.fsum(1.0 / (a + i) for i in range(1, n + 1))
    return _digamma(a + n + 1) - _digamma(a + 1)


def _digamma(v: float) -> float:
    """ψ(v) for v > 0: shift to v ≥ 10, then the asymptotic series (error < 1e-16 there)."""
    shift = 0.0
    while v < 10.0:
        shift -= 1.0 / v
        v += 1.0
    inv2 = 1.0 / (v * v)
    tail = inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (1 / 240 - inv2 / 132))))
    return shift + math.log(v) - 0.5 / v - tail


def _line_sums(a: float, z: float, *, with_harmonic: bool) -> tuple[float, float, float]:
    """(ln G, mean m, mean h_m) under the weights u_m = z^m/(a+1)_m, h_m = Σ_{i≤m} 1/(a+i)."""
    if z <= 0.0:
        return 0.0, 0.0, 0.0
    # u grows while z > a+1+m: the bell peaks there and is ~√z wide on each side.
    peak = max(0, math.ceil(z - a - 1.0))
    half_width = math.ceil(math.sqrt(2.0 * _NEGLIGIBLE_LOG * (z + 1.0))) + 2 * int(_NEGLIGIBLE_LOG)
    right = half_width
    if peak == 0 and z < a + 1.0:  # geometric decay with ratio ≤ z/(a+1) from the first term on
        right = min(right, math.ceil(_NEGLIGIBLE_LOG / math.log((a + 1.0) / z)) + 1)
    low = max(0, peak - half_width)
    high = peak + right
    k = np.arange(low, high, dtype=np.float64)
    log_u = np.empty(high - low + 1)
    log_u[0] = 0.0
    np.cumsum(math.log(z) - np.log(a + 1.0 + k), out=log_u[1:])
    shift = float(log_u.max())
    weights = np.exp(log_u - shift)
    total = float(weights.sum())
    offsets = np.arange(high - low + 1, dtype=np.float64)
    mean_m = low + float(weights @ offsets) / total
    log_first = low * math.log(z) - (math.lgamma(a + 1.0 + low) - math.lgamma(a + 1.0))
    mean_h = 0.0
    if with_harmonic:
        gaps = np.empty(high - low + 1)
        gaps[0] = 0.0
        np.cumsum(1.0 / (a + 1.0 + k), out=gaps[1:])
        mean_h = _harmonic_gap(a, low) + float(weights @ gaps) / total
    return log_first + shift + math.log(total), mean_m, mean_h


def erlang_a_figures(
    agents: int,
    arrivals_per_hour: float,
    aht_seconds: float,
    patience_seconds: float,
    target_seconds: float,
) -> QueueFigures:
    """Erlang A figures for one interval with `agents` answering."""
    check_workload(arrivals_per_hour, aht_seconds)
    check_agents(agents)
    check_patience(patience_seconds)
    check_target_seconds(target_seconds)
    rate = arrivals_per_hour / SECONDS_PER_HOUR
    traffic = rate * aht_seconds
    if traffic == 0:
        return QueueFigures(agents, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0)
    if agents == 0:  # nobody is answered; everyone who waits past T counts against the SL
        return QueueFigures(0, traffic, 1.0, 0.0, math.inf, 0.0, 1.0)
    y = rate * patience_seconds
    if y > _MAX_PATIENCE_LOAD:
        raise Invalid(
            "patience is so long for this volume that nobody abandons: use Erlang C (no patience)",
            field="patience_seconds",
        )
    x = agents * patience_seconds / aht_seconds
    a = x + 1.0
    log_q = -target_seconds / patience_seconds
    # ln(p(x; yq)/p(x; y)): the Poisson-like weight of the line seen T seconds later.
    log_later = -y * math.expm1(log_q) - agents * target_seconds / aht_seconds + log_q

    log_g, mean_m, mean_h = _line_sums(a, y, with_harmonic=True)
    log_gq, mean_mq, _ = _line_sums(a, y * math.exp(log_q), with_harmonic=False)
    log_b_inv = log_inverse_erlang_b(agents, traffic)
    log_idle = log_b_inv + math.log(-math.expm1(-log_b_inv))  # Σ_{k<N} π_k / π_N
    log_waiting = np.logaddexp(0.0, math.log(y / a) + log_g)  # Σ_{k≥N} π_k / π_N
    scale = max(log_idle, float(log_waiting))

    idle = math.exp(log_idle - scale)
    waiting = math.exp(float(log_waiting) - scale)
    served_after_wait = math.exp(math.log(x / a) + log_g - scale)
    abandoned = math.exp(log_g + math.log1p(mean_m) - math.log(a) - scale)
    served_after_target = math.exp(log_later + math.log(x / a) + log_gq - scale)
    abandoned_after_target = math.exp(log_later + log_gq + math.log1p(mean_mq) - math.log(a) - scale)

    total = idle + waiting
    answered = idle + served_after_wait
    # In deep overload "answered within T" is a difference of nearly equal numbers: clamp the ~1e-15 noise.
    return QueueFigures(
        agents=agents,
        traffic_erlangs=traffic,
        p_wait=waiting / total,
        service_level=_share((answered - served_after_target) / (answered + abandoned_after_target)),
        asa_seconds=served_after_wait * (1.0 / a + mean_h) * patience_seconds / answered,
        occupancy=_share(traffic * (answered / total) / agents),
        abandon_rate=_share(abandoned / total),
    )


def _share(value: float) -> float:
    return min(1.0, max(0.0, value))
