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

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt

from fundalloc.constraints import run_sums
from fundalloc.errors import InfeasibleError, Problem
from fundalloc.i18n import tr
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
    by_amount: bool = True,
) -> RoundingResult:
    """Largest remainder, exactly: the one rule.

    ``tolerance`` (default :func:`tie_tolerance` of ``total``) is given by the group path so
    that every group uses the allocation's one, and is 0 for quotas that are exact
    fractions of integers (pooled sources). Equal remainders go to the larger exact amount
    first (``by_amount``), then to the lower index; without ``by_amount``, to the lower
    index.

    >>> r = largest_remainder(Quotas(np.array([0.5, 1.5])), 2, np.zeros(2, np.int64),
    ...                       np.full(2, 2, np.int64))
    >>> r.units.tolist(), r.ties[0].winners
    ([0, 2], (1,))
    >>> largest_remainder(Quotas(np.array([0.5, 1.5])), 2, np.zeros(2, np.int64),
    ...                   np.full(2, 2, np.int64), by_amount=False).units.tolist()
    [1, 1]
    """
    if tolerance is None:
        tolerance = tie_tolerance(total)
    approx, error = quotas.approx()
    cache = _Cache(quotas)
    second = cache if by_amount else _level
    units = np.clip(_floors(approx, error, cache, tolerance), lower, upper)
    ties: list[TieBreak] = []
    # quotas that are whole numbers over one denominator compare as whole numbers: the
    # remainders exactly, without a Fraction each (pooled sources: many equal remainders)
    common = quotas.common_denominator() if isinstance(quotas, _IntegerShares) else None
    scaled = tolerance if common is None else tolerance * common
    while (short := total - int(units.sum())) != 0:
        with np.errstate(all="ignore"):
            remainder = approx - units
            slack = error + 2.0**-52 * (np.abs(remainder) + np.abs(units))

        def exact(index: npt.NDArray[np.intp], held: IntArray = units) -> list[Any]:
            if common is not None:
                assert isinstance(quotas, _IntegerShares)
                return [
                    q - int(held[i]) * common
                    for i, q in zip(index.tolist(), quotas.numerators(index), strict=True)
                ]
            return [q - int(held[i]) for i, q in zip(index.tolist(), cache(index), strict=True)]

        room = np.flatnonzero(units < upper) if short > 0 else np.flatnonzero(units > lower)
        if 0 < room.size <= abs(short):
            # every region with room takes (or gives) a unit, pass after pass: at once
            reach = (upper - units)[room] if short > 0 else (units - lower)[room]
            times = min(abs(short) // room.size, int(reach.min()))
            units[room] += times if short > 0 else -times
            continue
        if short > 0:
            chosen = _select(remainder, slack, exact, second, room, short, scaled, ties)
            units[chosen] += 1
        else:
            chosen = _select(
                remainder, slack, exact, second, room, -short, scaled, ties, worst=True
            )
            units[chosen] -= 1
        if chosen.size == 0:  # pragma: no cover - feasibility is checked before
            raise InfeasibleError(Problem("", tr("rounding.bounds_after_rounding")))
    if common is not None:  # the claims as the remainders they are
        ties = [TieBreak(t.claim / common, t.winners, t.losers) for t in ties]
    return RoundingResult(units, 0, tuple(ties))


def _level(index: npt.NDArray[np.intp]) -> list[Fraction]:
    """No second key: equal remainders are ordered by index alone."""
    return [Fraction(0)] * len(index)


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
    *,
    by_amount: bool = True,
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
            quotas.take(m),
            int(shares[g]),
            lower[m],
            upper[m],
            tolerance=tolerance,
            by_amount=by_amount,
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


# -------------------------------------------------------------------- integer proportions
def split_in_proportion(
    totals: Sequence[int], weights: IntArray, sizes: npt.NDArray[np.intp]
) -> IntArray:
    """Each of consecutive groups of ``sizes`` regions splits its whole ``totals[g]`` in
    proportion to the regions' whole ``weights`` (a group whose weights are all 0: equally),
    by the one rule on the exact quotas ``total · w_i / Σ w`` with no tolerance and equal
    remainders to the earlier position.

    >>> split_in_proportion([10, 3], np.array([1, 1, 1, 2, 0]), np.array([3, 2])).tolist()
    [4, 3, 3, 3, 0]
    >>> split_in_proportion([2], np.array([1, 3]), np.array([2])).tolist()
    [1, 1]
    """
    weights = np.asarray(weights)
    sizes = np.asarray(sizes, dtype=np.intp)
    group = np.repeat(np.arange(len(sizes)), sizes)
    masses = (
        [int(m) for m in run_sums(weights.astype(object), sizes).tolist()] if len(sizes) else []
    )
    empty = np.array([m == 0 for m in masses], dtype=bool)
    if empty.any():  # no weight: every region alike
        weights = np.where(empty[group], 1, weights)
        masses = [size if m == 0 else m for m, size in zip(masses, sizes.tolist(), strict=True)]
    quotas = _IntegerShares.of([int(t) for t in totals], masses, weights, group)
    shares = np.array([int(t) for t in totals], dtype=np.int64)
    lower = np.zeros(len(weights), dtype=np.int64)
    upper = np.repeat(shares, sizes)
    return largest_remainder_by_group(
        quotas, lower, upper, shares, sizes, Fraction(0), by_amount=False
    ).units


@dataclass(frozen=True, eq=False)
class _IntegerShares(Quotas):
    """Quotas ``totals[g] · w_i / masses[g]`` of whole numbers, region ``i`` in group ``g``:
    binary64 with a proven error bound, exactly in Fractions where that cannot decide."""

    totals: tuple[int, ...] = ()
    masses: tuple[int, ...] = ()
    weights: npt.NDArray[Any] | None = None
    member_of: npt.NDArray[np.intp] | None = None
    #: the quotas that binary64 holds exactly (whole numbers below 2**53)
    whole: npt.NDArray[np.bool_] | None = None

    @classmethod
    def of(
        cls,
        totals: Sequence[int],
        masses: Sequence[int],
        weights: npt.NDArray[Any],
        member_of: npt.NDArray[np.intp],
    ) -> _IntegerShares:
        # the whole part and the remainder exactly, in int64 where the products fit
        # (else in Python integers); binary64 then holds the quota within 2**-52 of itself
        # and a whole quota exactly, so the floors are sure and only near-equal
        # remainders need Fractions
        top = max(totals, default=0) * int(np.max(np.abs(weights), initial=0))
        kind: Any = np.int64 if top < 2**62 and max(masses, default=0) < 2**62 else object
        w = np.asarray(weights).astype(kind)
        t = np.array(totals, dtype=kind)[member_of]
        m = np.array([max(x, 1) for x in masses], dtype=kind)[member_of]
        whole, rest = (t * w) // m, (t * w) % m
        with np.errstate(all="ignore"):
            try:
                value = whole.astype(np.float64) + rest.astype(np.float64) / m.astype(np.float64)
                exact = (rest == 0) & (np.abs(whole.astype(np.float64)) < 2.0**53)
            except OverflowError:  # beyond binary64: every quota decided exactly
                value, exact = np.full(len(w), np.inf), np.zeros(len(w), dtype=bool)
        return cls(
            value, None, Fraction(0), Fraction(1), None, (),
            tuple(totals), tuple(masses), weights, member_of, np.asarray(exact, dtype=bool),
        )  # fmt: skip

    def approx(self) -> tuple[FloatArray, FloatArray]:
        assert self.whole is not None
        value = np.asarray(self.base, dtype=np.float64).copy()
        with np.errstate(all="ignore"):
            # two roundings (the remainder's quotient, the sum): within 2**-52 relative
            error = np.where(self.whole, 0.0, 2.0**-51 * np.abs(value) + 2.0**-1000)
        bad = ~(np.isfinite(value) & np.isfinite(error))
        value[bad], error[bad] = 0.0, np.inf
        return value, error

    def take(self, index: npt.NDArray[np.intp]) -> _IntegerShares:
        assert self.weights is not None and self.member_of is not None
        return _IntegerShares(
            self.base[index], None, Fraction(0), Fraction(1), None, (),
            self.totals, self.masses, self.weights[index], self.member_of[index],
            None if self.whole is None else self.whole[index],
        )  # fmt: skip

    def common_denominator(self) -> int | None:
        """The one denominator of every quota (all in one group), else None."""
        assert self.member_of is not None
        groups = np.unique(self.member_of)
        if groups.size != 1:
            return None
        return max(self.masses[int(groups[0])], 1)

    def numerators(self, index: npt.NDArray[np.intp]) -> list[int]:
        """The quotas at ``index`` times :meth:`common_denominator`, as whole numbers."""
        assert self.weights is not None and self.member_of is not None
        g = self.member_of[index]
        return [
            self.totals[k] * int(w)
            for k, w in zip(g.tolist(), np.asarray(self.weights)[index].tolist(), strict=True)
        ]

    def exact(self, index: Sequence[int] | npt.NDArray[np.intp]) -> list[Fraction]:
        assert self.weights is not None and self.member_of is not None
        out = []
        for i in np.asarray(index, dtype=np.intp).tolist():
            g = int(self.member_of[i])
            out.append(Fraction(self.totals[g] * int(self.weights[i]), self.masses[g]))
        return out

    def finite(self) -> bool:
        return True


@dataclass(frozen=True, eq=False)
class ExactQuotas(Quotas):
    """Quotas given as exact Fractions (a handful: each is kept as it is)."""

    values: tuple[Fraction, ...] = ()

    @classmethod
    def of(cls, values: Sequence[Fraction]) -> ExactQuotas:
        approx = np.array([float(v) for v in values], dtype=np.float64)
        return cls(approx, None, Fraction(0), Fraction(1), None, (), tuple(values))

    def approx(self) -> tuple[FloatArray, FloatArray]:
        value = np.asarray(self.base, dtype=np.float64).copy()
        error = 2.0**-52 * np.abs(value) + 2.0**-1000
        return value, error

    def take(self, index: npt.NDArray[np.intp]) -> ExactQuotas:
        return ExactQuotas.of([self.values[i] for i in np.asarray(index).tolist()])

    def exact(self, index: Sequence[int] | npt.NDArray[np.intp]) -> list[Fraction]:
        return [self.values[i] for i in np.asarray(index, dtype=np.intp).tolist()]


def remainder_order(
    quotas: Sequence[Fraction], tolerance: Fraction, seconds: Sequence[Fraction] | None = None
) -> list[int]:
    """The positions in the order the rule hands out units past the floors: the larger
    remainder first, remainders within ``tolerance`` of the first of their run counting as
    equal, then the larger ``seconds`` (none: all equal), then the lower position. The first
    ``k`` of this order are the rule's ``k`` round-ups when no bound binds; a rounding under
    further conditions (a feasible flow) takes them in this order.

    >>> remainder_order([Fraction(1, 2), Fraction(7, 4), Fraction(3, 2)], Fraction(0))
    [1, 0, 2]
    """
    rest = [q - (q.numerator // q.denominator) for q in quotas]
    ranked = sorted(range(len(quotas)), key=lambda j: (-rest[j], j))
    second = seconds if seconds is not None else [Fraction(0)] * len(quotas)
    out: list[int] = []
    start = 0
    while start < len(ranked):
        top = rest[ranked[start]]
        end = start
        while end < len(ranked) and top - rest[ranked[end]] <= tolerance:
            end += 1
        out += sorted(ranked[start:end], key=lambda j: (-second[j], j))
        start = end
    return out
