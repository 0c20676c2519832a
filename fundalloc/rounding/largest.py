"""The one largest-remainder rule (Hamilton), which every path that rounds by largest
remainder calls: plain rounding, rounding by groups, and pooled sources.

Every region first gets its exact amount rounded down (within its bounds, a quota within
the tie tolerance below a whole number counting as that number); the units left go one
each to the largest remainders (or, when the floors overshoot, are taken back from the
smallest). Remainders within the tolerance of the cutoff are equal; equal remainders are
ordered by the larger exact amount (or, with ``by_amount=False``, not at all), then by the
lower index; units taken back go in exactly the reverse order.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from fundalloc.constraints import run_sums
from fundalloc.errors import InfeasibleError
from fundalloc.rounding.quotas import (
    FloatArray,
    IntArray,
    Quotas,
    _Cache,
    _floors,
    tie_tolerance,
)
from fundalloc.rounding.result import RoundingResult, TieBreak


# -------------------------------------------------------------------- selection with ties
def _select(
    approx: FloatArray,
    error: FloatArray,
    exact: Callable[[npt.NDArray[np.intp]], list[Fraction]],
    second: Callable[[npt.NDArray[np.intp]], list[Fraction]],
    candidates: npt.NDArray[np.intp],
    count: int,
    tolerance: Fraction,
    ties: list[TieBreak],
    *,
    worst: bool = False,
) -> npt.NDArray[np.intp]:
    """The ``count`` candidates first in the order (larger claim, larger ``second``, lower
    index), or with ``worst`` the ``count`` last in that order, on exact claims.

    ``approx`` ± ``error`` brackets each exact claim (``exact`` computes it); claims within
    ``tolerance`` of the cutoff claim count as equal and are ordered by the tie rule. Only
    the candidates whose bracket comes near the cutoff are computed exactly, so where
    binary64 decides, this is one partition of the float claims.
    """
    if count <= 0:
        return np.empty(0, dtype=np.intp)
    if count >= candidates.size:
        return candidates
    sign = -1.0 if worst else 1.0
    keys, slack = sign * approx[candidates], error[candidates]
    top = candidates.size - count
    with np.errstate(invalid="ignore"):
        widest = float(slack.max())
        pad = float(tolerance) + 2.0**-50 * (1.0 + float(np.abs(keys).max()) + widest)
        cut = float(np.partition(keys, top)[top])
        # the exact cutoff lies within the widest error of the float one
        above = keys - slack > cut + widest + pad
        below = keys + slack < cut - widest - pad
        if count - int(above.sum()) > 64 and int((~(above | below)).sum()) > 4 * count:
            # errors of very different sizes: bracket the cutoff element by element
            cut_high = float(np.partition(keys + slack, top)[top])
            cut_low = float(np.partition(keys - slack, top)[top])
            above = (keys - slack) > cut_high + pad
            below = (keys + slack) < cut_low - pad
    sure = candidates[above]
    unsure = candidates[~(above | below)]
    claims = [-c if worst else c for c in exact(unsure)] if unsure.size else []
    rank = count - sure.size  # the cutoff is the rank-th largest unsure claim
    cutoff = sorted(claims, reverse=True)[rank - 1]
    over = [i for i, c in zip(unsure.tolist(), claims, strict=True) if c > cutoff + tolerance]
    level = [
        i for i, c in zip(unsure.tolist(), claims, strict=True) if abs(c - cutoff) <= tolerance
    ]
    need = rank - len(over)
    chosen_level: list[int]
    if need == len(level):
        chosen_level = level
    else:
        seconds = dict(zip(level, second(np.array(level, dtype=np.intp)), strict=True))
        # the order of the tie rule: larger second, then lower index; worst takes from its end
        ordered = sorted(level, key=lambda i: (-seconds[i], i))
        if worst:
            ordered.reverse()
        chosen_level, left = ordered[:need], ordered[need:]
        winners, losers = (left, chosen_level) if worst else (chosen_level, left)
        claim = float(claims[unsure.tolist().index(chosen_level[0])])
        claim = -claim if worst else claim
        ties.append(TieBreak(claim, tuple(sorted(winners)), tuple(sorted(losers))))
    return np.concatenate(
        [sure, np.array(over, dtype=np.intp), np.array(chosen_level, dtype=np.intp)]
    ).astype(np.intp)


# -------------------------------------------------------------------- largest remainder
def largest_remainder(
    quotas: Quotas,
    total: int,
    lower: IntArray,
    upper: IntArray,
    *,
    tolerance: Fraction | None = None,
) -> RoundingResult:
    """Largest remainder, exactly; ``tolerance`` (default :func:`tie_tolerance` of
    ``total``) is given by the group path so that every group uses the allocation's one."""
    if tolerance is None:
        tolerance = tie_tolerance(total)
    approx, error = quotas.approx()
    cache = _Cache(quotas)
    units = np.clip(_floors(approx, error, cache, tolerance), lower, upper)
    ties: list[TieBreak] = []
    while (short := total - int(units.sum())) != 0:
        with np.errstate(all="ignore"):
            remainder = approx - units
            slack = error + 2.0**-52 * (np.abs(remainder) + np.abs(units))

        def exact(index: npt.NDArray[np.intp], held: IntArray = units) -> list[Fraction]:
            return [q - int(held[i]) for i, q in zip(index.tolist(), cache(index), strict=True)]

        room = np.flatnonzero(units < upper) if short > 0 else np.flatnonzero(units > lower)
        if 0 < room.size <= abs(short):
            # every region with room takes (or gives) a unit, pass after pass: at once
            reach = (upper - units)[room] if short > 0 else (units - lower)[room]
            times = min(abs(short) // room.size, int(reach.min()))
            units[room] += times if short > 0 else -times
            continue
        if short > 0:
            chosen = _select(remainder, slack, exact, cache, room, short, tolerance, ties)
            units[chosen] += 1
        else:
            chosen = _select(
                remainder, slack, exact, cache, room, -short, tolerance, ties, worst=True
            )
            units[chosen] -= 1
        if chosen.size == 0:  # pragma: no cover - feasibility is checked before
            raise InfeasibleError("the bounds cannot hold the total after rounding")
    return RoundingResult(units, 0, tuple(ties))


# -------------------------------------------------------------------- by groups, at once
def _by_group(key: FloatArray, group: npt.NDArray[np.intp], count: int) -> npt.NDArray[np.intp]:
    """The order by group, then by ``key`` within a group: a sort on the key, then a
    stable sort on the group (a radix sort on 16-bit groups: 4× faster than lexsort)."""
    if count >= 2**15:
        return np.lexsort((key, group))
    by_key = np.argsort(key)
    return by_key[np.argsort(group[by_key].astype(np.int16), kind="stable")]


def _largest_remainders(
    quotas: Quotas,
    lower: IntArray,
    upper: IntArray,
    shares: IntArray,
    sizes: npt.NDArray[np.intp],
    tolerance: Fraction,
) -> tuple[IntArray, npt.NDArray[np.intp]]:
    """Largest remainder within each of consecutive groups of ``sizes`` regions, all at
    once: each group's amounts rounded down (exactly, as
    :func:`fundalloc.rounding.largest_remainder` does, with the same ``tolerance``), then
    its units left to its largest remainders (within the bounds).

    Returns the units and the groups this does not settle, for the full rule
    (:func:`fundalloc.rounding.largest_remainder`): those with units to take back or more
    units than regions with room, and those where the remainders either side of the cut
    are not proven more than ``tolerance`` apart by binary64's error bound (a tie, or a
    decision binary64 cannot make). For every other group the result is the full rule's.
    """
    count = len(sizes)
    group = np.repeat(np.arange(count), sizes)
    approx, error = quotas.approx()
    units = np.clip(_floors(approx, error, _Cache(quotas), tolerance), lower, upper)
    short = shares - run_sums(units, sizes)
    with np.errstate(all="ignore"):
        remainder = approx - units
        slack = error + 2.0**-52 * (np.abs(remainder) + np.abs(units))
    # each group's regions with room, larger remainders first (among equal remainders the
    # order does not matter: an equal remainder at the cut is a tie, left to the full rule)
    order = _by_group(-remainder, group, count)
    order = order[units[order] < upper[order]]
    owner = group[order]
    first = np.searchsorted(owner, np.arange(count))
    room = np.searchsorted(owner, np.arange(count), side="right") - first
    rank = np.arange(len(order)) - first[owner]
    units[order[rank < short[owner]]] += 1
    cut = np.flatnonzero((short > 0) & (short < room))
    last = order[first[cut] + short[cut] - 1]
    left = order[first[cut] + short[cut]]
    with np.errstate(all="ignore"):
        gap = (remainder[last] - slack[last]) - (remainder[left] + slack[left])
        pad = 2.0**-50 * (
            1.0 + np.abs(remainder[last]) + np.abs(remainder[left]) + slack[last] + slack[left]
        )
        proven = gap - float(tolerance) > pad
    unsettled = (short < 0) | (short > room)
    unsettled[cut[~proven]] = True
    return units, np.flatnonzero(unsettled)


def largest_remainder_by_group(
    quotas: Quotas,
    lower: IntArray,
    upper: IntArray,
    shares: IntArray,
    sizes: npt.NDArray[np.intp],
    tolerance: Fraction,
) -> RoundingResult:
    """The rule within each of consecutive groups of ``sizes`` regions, group ``g`` handing
    out ``shares[g]`` units: all groups at once where binary64 settles them
    (:func:`_largest_remainders`), the others one by one by :func:`largest_remainder`, with
    the one ``tolerance``. Ties are reported at positions in the arrays given."""
    units, unsettled = _largest_remainders(quotas, lower, upper, shares, sizes, tolerance)
    starts = np.cumsum(sizes) - sizes
    ties: list[TieBreak] = []
    for g in unsettled.tolist():  # a near tie at the cut or units to take back: the full rule
        m = np.arange(starts[g], starts[g] + sizes[g])
        result = largest_remainder(
            quotas.take(m), int(shares[g]), lower[m], upper[m], tolerance=tolerance
        )
        units[m] = result.units
        ties += [
            TieBreak(
                tie.claim,
                tuple(int(m[i]) for i in tie.winners),
                tuple(int(m[i]) for i in tie.losers),
            )
            for tie in result.ties
        ]
    return RoundingResult(units, ties=tuple(ties))
