"""Independent, slow, obvious implementations the fast numerics are checked against.

Erlang C here is exact rational arithmetic on Python integers (no floating point until the very end);
Erlang A is the birth–death chain summed state by state plus the waiting customer's own little chain,
stepped by uniformization. Neither shares code or formulas with src/holdless/workforce.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np


def exact_erlang_c(agents: int, traffic: float) -> Fraction:
    """C(N, A) = (A^N/N!·N/(N−A)) / (Σ_{k<N} A^k/k! + A^N/N!·N/(N−A)), every term times N!·q^N."""
    exact = Fraction(traffic)
    p, q = exact.numerator, exact.denominator
    assert agents * q > p, "Erlang C needs N > A"
    term = q**agents * math.factorial(agents)  # k = 0: p^0·q^N·N!/0!
    below = 0
    for k in range(agents):
        below += term
        term = term // (q * (k + 1)) * p  # p^k·q^(N−k)·N!/k! is divisible by q·(k+1)
    top = term * agents * q  # p^N·N·q, over the common factor (N·q − p)
    return Fraction(top, below * (agents * q - p) + top)


def exact_service_level(agents: int, traffic: float, aht: float, target: float) -> float:
    waiting = exact_erlang_c(agents, traffic)
    return 1.0 - float(waiting) * math.exp(-(agents - traffic) * target / aht)


@dataclass(frozen=True)
class ChainFigures:
    p_wait: float
    abandon_rate: float
    service_level: float
    asa_seconds: float
    occupancy: float


def chain_erlang_a(
    agents: int, arrivals_per_hour: float, aht: float, patience: float, target: float, states: int = 4000
) -> ChainFigures:
    """M/M/N+M by brute force: stationary chain, then the tagged customer's position in line."""
    rate, service, give_up = arrivals_per_hour / 3600.0, 1.0 / aht, 1.0 / patience
    weights, peak = [1.0], 1.0
    for k in range(1, states):
        weights.append(weights[-1] * rate / (service * min(k, agents) + give_up * max(k - agents, 0)))
        peak = max(peak, weights[-1])
        if k > agents and weights[-1] < 1e-22 * peak:  # the rest of the line adds nothing
            break
    total = math.fsum(weights)
    share = [w / total for w in weights]
    p_wait = math.fsum(share[agents:])
    # A customer arriving with i others ahead: i drops at rate Nμ + iθ (served at i = 0); own patience θ.
    ahead = np.array(share[agents:])
    depth = ahead.size
    advance = agents * service + give_up * np.arange(depth)
    served_from = np.empty(depth)
    served_wait_from = np.empty(depth)
    served_prob, served_wait = 1.0, 0.0
    for i in range(depth):
        leave = advance[i] + give_up
        served_wait = advance[i] / leave * (served_prob / leave + served_wait)
        served_prob *= advance[i] / leave
        served_from[i], served_wait_from[i] = served_prob, served_wait
    answered = (1.0 - p_wait) + float(ahead @ served_from)
    # Uniformization of the tagged chain up to T, in slices short enough that e^(−Λ·dt) stays a normal float.
    ceiling = float(advance.max() + give_up)
    slices = max(1, math.ceil(ceiling * target / 20.0))
    position, served_by, abandoned_by = ahead.copy(), 0.0, 0.0
    for _ in range(slices):
        position, served, abandoned = _uniformized(position, advance, give_up, ceiling, target / slices)
        served_by += served
        abandoned_by += abandoned
    abandoned = 1.0 - answered
    return ChainFigures(
        p_wait=p_wait,
        abandon_rate=abandoned,
        service_level=((1.0 - p_wait) + served_by) / (answered + abandoned - abandoned_by),
        asa_seconds=float(ahead @ served_wait_from) / answered,
        occupancy=rate * aht * answered / agents,
    )


def _uniformized(
    position: np.ndarray, advance: np.ndarray, give_up: float, ceiling: float, span: float
) -> tuple[np.ndarray, float, float]:
    """Move the tagged customer's distribution `span` seconds on; return it and the mass absorbed."""
    weight = math.exp(-ceiling * span)
    kept = weight * position
    served_total, abandoned_total = 0.0, 0.0
    served_mass, abandoned_mass = 0.0, 0.0
    current = position.copy()
    n = 0
    while n <= ceiling * span or weight > 1e-30:
        served_mass += float(current[0] * advance[0]) / ceiling
        abandoned_mass += float(current.sum()) * give_up / ceiling
        moved = current * (advance / ceiling)
        current = current * (1.0 - (advance + give_up) / ceiling)
        current[:-1] += moved[1:]
        n += 1
        weight *= ceiling * span / n
        kept = kept + weight * current
        served_total += weight * served_mass
        abandoned_total += weight * abandoned_mass
    return kept, served_total, abandoned_total
