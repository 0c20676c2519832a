"""Bounded divisor methods (Jefferson/D'Hondt, Webster/Sainte-Laguë, Huntington-Hill,
Adams): ``clip(round(λ · t_i), lower_i, upper_i)`` for one common λ, settled exactly."""

from __future__ import annotations

import heapq
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt

from fundalloc.errors import InfeasibleError, Problem
from fundalloc.i18n import tr
from fundalloc.rounding.quotas import _RELATIVE_ERROR, _UNDERFLOW, FloatArray, IntArray
from fundalloc.rounding.result import RoundingResult, TieBreak

# -------------------------------------------------------------------- divisor methods
Signpost = Callable[[FloatArray], FloatArray]

#: The divisor methods by name: the signpost d(s) between s and s + 1 units.
DIVISORS: dict[str, Signpost] = {
    "jefferson": lambda s: s + 1.0,
    "webster": lambda s: s + 0.5,
    "huntington_hill": lambda s: np.sqrt(s * (s + 1.0)),
    "adams": lambda s: s.astype(np.float64),
}


def _divisor_round(x: FloatArray, signpost: Signpost) -> IntArray:
    """The number of signposts below ``x``: the method's rounding of each quotient."""
    s = np.floor(x)
    s = np.where(x > signpost(s), s + 1, s)
    s = np.where((s > 0) & (x <= signpost(np.maximum(s - 1, 0))), s - 1, s)
    return np.maximum(s, 0).astype(np.int64)


def _priority(weights: FloatArray, signpost: Signpost, seats: IntArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(weights > 0, weights / signpost(seats.astype(np.float64)), -np.inf)


#: A claim to a unit in the exact order: (infinite?, priority, weight, −index), where the
#: priority is any increasing function of ``w / d(s)`` (Huntington-Hill: its square).
_Claim = tuple[int, Fraction, Fraction, int]


def _claim(method: str, weight: Fraction, seats: int, index: int) -> _Claim:
    """The exact claim of a region of ``weight`` holding ``seats`` units to one more."""
    if method == "jefferson":
        return 0, weight / (seats + 1), weight, -index
    if method == "webster":
        return 0, 2 * weight / (2 * seats + 1), weight, -index
    if seats == 0:  # Adams and Huntington-Hill: a first unit has an infinite claim
        return 1, Fraction(0), weight, -index
    if method == "adams":
        return 0, weight / seats, weight, -index
    return 0, weight * weight / (seats * (seats + 1)), weight, -index


def _divisor(
    weights: FloatArray, total: int, lower: IntArray, upper: IntArray, method: str
) -> RoundingResult:
    units = _divisor_estimate(weights, total, lower, upper, method)
    return _divisor_settle(weights, units, lower, upper, method)


def _divisor_estimate(
    weights: FloatArray, total: int, lower: IntArray, upper: IntArray, method: str
) -> IntArray:
    """Units adding up to ``total`` within the bounds, in binary64 (nearly the answer:
    :func:`_divisor_settle` makes it exact)."""
    signpost = DIVISORS[method]
    positive = weights > 0
    if positive.any():  # divisor methods ignore the scale: 1e12 / 1e-300 would overflow λ
        with np.errstate(under="ignore"):
            weights = weights / weights[positive].max()
    mass = float(weights[positive].sum())

    def at(lam: float) -> IntArray:
        with np.errstate(all="ignore"):
            start = _divisor_round(np.where(positive, lam * weights, 0.0), signpost)
        return np.where(positive, np.clip(start, lower, upper), lower).astype(np.int64)

    # a few Newton steps on λ bring the count near the total (each region's rounding moves
    # its count by about λ · w), so the passes below only settle the last few units
    lam = total / mass if mass > 0 else 0.0
    units = at(lam)
    for _ in range(4):
        short = total - int(units.sum())
        free = positive & (units > lower) & (units < upper)
        slope = float(weights[free].sum())
        if not slope > 0 or abs(short) <= max(64, units.size // 64):
            break  # the passes below settle a few units faster than another evaluation
        trial = at(lam + short / slope)
        if abs(total - int(trial.sum())) >= abs(short):
            break
        lam, units = lam + short / slope, trial
    while (short := total - int(units.sum())) != 0:
        if short > 0:
            room = np.flatnonzero(positive & (units < upper))
            claim = _priority(weights, signpost, units)  # claim to the next unit
            chosen = _pick_float(claim, weights, room, short)
            # A region may deserve two of the units still short: keep only the chosen whose
            # claim beats every chosen region's claim to a further unit.
            further = np.where(
                units[chosen] + 1 < upper[chosen],
                _priority(weights[chosen], signpost, units[chosen] + 1),
                -np.inf,
            )
            best_further = further.max(initial=-np.inf)
            keep = (
                claim[chosen] > best_further
                if best_further > -np.inf
                else np.ones(chosen.size, bool)
            )
        else:
            room = np.flatnonzero(positive & (units > lower))
            claim = _priority(weights, signpost, units - 1)  # claim to the last unit held
            chosen = _pick_float(claim, weights, room, -short, worst=True)
            earlier = np.where(
                units[chosen] - 1 > lower[chosen],
                _priority(weights[chosen], signpost, units[chosen] - 2),
                np.inf,
            )
            least_earlier = earlier.min(initial=np.inf)
            keep = (
                claim[chosen] < least_earlier
                if least_earlier < np.inf
                else np.ones(chosen.size, bool)
            )
        if not keep.any():  # infinite claims (a first unit under Adams or Huntington-Hill)
            keep[_first_in_order(claim[chosen], weights[chosen], chosen, worst=short < 0)] = True
        chosen = chosen[keep]
        if chosen.size == 0:
            raise InfeasibleError(Problem("", tr("rounding.bounds_after_rounding")))
        units[chosen] += 1 if short > 0 else -1
    return units


def _pick_float(
    claim: FloatArray,
    second: FloatArray,
    candidates: npt.NDArray[np.intp],
    count: int,
    *,
    worst: bool = False,
) -> npt.NDArray[np.intp]:
    """The ``count`` candidates first by (claim, second, lower index) in binary64, or the
    last ones with ``worst``: the estimate's step (the exact order is settled after).
    O(n) expected: a partition, and a sort of the claims equal to the cutoff only."""
    if count <= 0:
        return np.empty(0, dtype=np.intp)
    if count >= candidates.size:
        return candidates
    sign = -1.0 if worst else 1.0
    keys = sign * claim[candidates]
    cut = np.partition(keys, candidates.size - count)[candidates.size - count]
    above = candidates[keys > cut]
    level = candidates[keys == cut]
    need = count - above.size
    order = np.lexsort((sign * level, -sign * second[level]))
    return np.concatenate([above, level[order[:need]]])


def _first_in_order(
    claim: FloatArray, second: FloatArray, index: npt.NDArray[np.intp], *, worst: bool
) -> int:
    """Position of the first (or with ``worst`` the last) by (claim, second, -index)."""
    order = np.lexsort((index, -second, -claim))
    return int(order[-1] if worst else order[0])


def _divisor_settle(
    weights: FloatArray, units: IntArray, lower: IntArray, upper: IntArray, method: str
) -> RoundingResult:
    """Make the units exactly the method's: every unit held must have a claim before every
    unit not held in the exact order (claim, weight, lower index). Binary64 certifies this
    for all but the regions near the cutoff; those are compared exactly and units move one
    at a time from the last held claim to the first unheld one until the order holds."""
    signpost = DIVISORS[method]
    units = units.copy()
    positive = weights > 0
    held = positive & (units > lower)
    room = positive & (units < upper)
    last = np.where(held, _priority(weights, signpost, units - 1), np.inf)
    nxt = np.where(room, _priority(weights, signpost, units), -np.inf)
    with np.errstate(invalid="ignore"):
        slack_last = np.where(np.isfinite(last), _RELATIVE_ERROR * np.abs(last) + _UNDERFLOW, 0.0)
        slack_next = np.where(np.isfinite(nxt), _RELATIVE_ERROR * np.abs(nxt) + _UNDERFLOW, 0.0)
    least_held = float((last - slack_last)[held].min(initial=np.inf))
    best_room = float((nxt + slack_next)[room].max(initial=-np.inf))
    if not least_held <= best_room:  # binary64 certifies the order: no unit can move
        return RoundingResult(units, 0, ())
    near_held = np.flatnonzero(held & ~(last - slack_last > best_room))
    near_room = np.flatnonzero(room & ~(nxt + slack_next < least_held))
    exact_weight = {
        i: Fraction(float(weights[i])) for i in {*near_held.tolist(), *near_room.tolist()}
    }

    def claim(i: int, seats: int) -> _Claim:
        return _claim(method, exact_weight[i], seats, i)

    def flip(c: _Claim) -> tuple[int, Fraction, Fraction, int]:  # max-heap through a min-heap
        return -c[0], -c[1], -c[2], -c[3]

    # lazy heaps: an entry is current while the region still holds the units it was made at
    held_heap = [(claim(i, int(units[i]) - 1), i, int(units[i])) for i in near_held.tolist()]
    room_heap = [(flip(claim(j, int(units[j]))), j, int(units[j])) for j in near_room.tolist()]
    heapq.heapify(held_heap)
    heapq.heapify(room_heap)

    def top(heap: list[Any], bound: IntArray, above: bool) -> tuple[int, int] | None:
        while heap:
            _, i, seats = heap[0]
            if seats == units[i] and (units[i] > bound[i] if above else units[i] < bound[i]):
                return i, seats
            heapq.heappop(heap)
        return None

    while True:
        a = top(held_heap, lower, above=True)
        b = top(room_heap, upper, above=False)
        if a is None or b is None:
            break
        worst_held, best_next = held_heap[0][0], flip(room_heap[0][0])
        if not best_next > worst_held:
            break
        i, j = a[0], b[0]
        units[i] -= 1
        units[j] += 1
        for k in (i, j):
            seats = int(units[k])
            if units[k] > lower[k]:
                heapq.heappush(held_heap, (claim(k, seats - 1), k, seats))
            if units[k] < upper[k]:
                heapq.heappush(room_heap, (flip(claim(k, seats)), k, seats))
    # ties: the regions holding a unit whose claim equals the first claim not served
    a = top(held_heap, lower, above=True)
    b = top(room_heap, upper, above=False)
    if a is None or b is None:
        return RoundingResult(units, 0, ())
    level = flip(room_heap[0][0])[:2]
    if held_heap[0][0][:2] != level:
        return RoundingResult(units, 0, ())
    winners = sorted(
        i
        for i in set(near_held.tolist()) | set(near_room.tolist())
        if units[i] > lower[i] and claim(i, int(units[i]) - 1)[:2] == level
    )
    losers = sorted(
        j
        for j in set(near_held.tolist()) | set(near_room.tolist())
        if units[j] < upper[j] and claim(j, int(units[j]))[:2] == level
    )
    # the claim as the method states it (w / d(s); Huntington-Hill's key is its square)
    first = winners[0] if winners else losers[0]
    seats = int(units[first]) - (1 if winners else 0)
    value = float(_priority(weights[[first]], signpost, np.array([seats]))[0])
    return RoundingResult(units, 0, (TieBreak(value, tuple(winners), tuple(losers)),))
