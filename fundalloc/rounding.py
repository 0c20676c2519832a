"""Rounding money to the step, and apportioning indivisible items, with integer arithmetic.

All methods work on integer counts of the step ("units") with per-region integer
bounds ``[lower, upper]`` and hand out exactly ``total`` units.

``largest_remainder`` (Hamilton, the default for money)
    Every region first gets its exact amount rounded down (within its bounds);
    the units left go one each to the largest remainders. Every amount is within
    one unit of its exact value. When the total grows by one unit, a region can
    *lose* a unit (the Alabama paradox). On random problems this happens in a few
    percent of cases, more with more regions: measured about 2.4% with 3 regions
    and 6-7% with 10-50 regions (see the rounding page of the docs).

``jefferson`` (D'Hondt), ``webster`` (Sainte-Laguë), ``huntington_hill``, ``adams``
    Bounded divisor methods: the amounts are ``clip(round(λ · t_i), lower_i, upper_i)``
    for one common λ and the method's rounding rule (down; half-up; at the
    geometric mean; up). They are *house monotone*: raising the total never takes
    a unit from any region. A divisor method can move an amount more than one unit
    from its exact value. Huntington-Hill and Adams give every region with a
    positive target at least one unit.

``half_up``
    Independent rounding of each amount half-up, as a hand-made workbook does; the
    rounded amounts need not add up to the total and the difference (尾差) is
    reported, never hidden.

Ties
    A tie is two regions with the same claim to the last unit: the same remainder
    (within 1e-9 of a unit plus 1e-12 of the largest amount, which is what binary64
    arithmetic can move it) or the same divisor priority (within a relative 1e-12). It
    is broken by the
    larger exact amount (for divisor methods, the larger weight), then by the smaller
    region id in Unicode code-point order, never by row order; every broken tie is
    reported. When units must be taken back (the first estimate overshot, or bounds
    forced it), they are taken in exactly the reverse of that order, so the result
    is the same either way.

References
----------
M. L. Balinski and H. P. Young, *Fair Representation: Meeting the Ideal of One Man,
One Vote*, 2nd ed., Brookings, 2001.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from fundalloc.errors import DataError, InfeasibleError, Problem, SchemeError

__all__ = [
    "DIVISORS",
    "METHODS",
    "RoundingResult",
    "TieBreak",
    "apportion",
    "noise",
    "round_units",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class TieBreak:
    """A tie at the cutoff: ``winners`` got a unit that ``losers`` with an equal claim did not.

    Indices are positions in the arrays given to :func:`round_units`.
    """

    claim: float
    winners: tuple[int, ...]
    losers: tuple[int, ...]


@dataclass(frozen=True)
class RoundingResult:
    """Integer units per region, the units left unallocated (``half_up`` only), and ties."""

    units: IntArray
    unallocated: int = 0
    ties: tuple[TieBreak, ...] = field(default_factory=tuple)


# -------------------------------------------------------------------- selection with ties
def _pick(
    claim: FloatArray,
    second: FloatArray,
    candidates: npt.NDArray[np.intp],
    count: int,
    ties: list[TieBreak],
    *,
    worst: bool = False,
    tolerance: float = 0.0,
    relative: float = 0.0,
) -> npt.NDArray[np.intp]:
    """The ``count`` candidates first in the order (larger claim, larger ``second``, lower
    index), or with ``worst`` the ``count`` last in that same order. O(n) expected.

    Claims within ``tolerance + relative · |claim|`` of the cutoff count as equal: binary64
    noise must not decide a unit that the documented tie rule should. The arrays are in
    region-id order, so "lower index" is "smaller id". Giving a unit and taking one back
    follow one order, so the result does not depend on whether the first estimate fell
    short or overshot.
    """
    if count <= 0:
        return np.empty(0, dtype=np.intp)
    if count >= candidates.size:
        return candidates
    sign = -1.0 if worst else 1.0
    keys = sign * claim[candidates]
    cut = np.partition(keys, candidates.size - count)[candidates.size - count]
    slack = tolerance + relative * abs(cut) if np.isfinite(cut) else 0.0
    with np.errstate(invalid="ignore"):
        near = (keys == cut) | (np.abs(keys - cut) <= slack)
    above = candidates[(keys > cut) & ~near]
    level = candidates[near]
    need = count - above.size
    if need == level.size:
        return np.concatenate([above, level])
    order = np.lexsort((sign * level, -sign * second[level]))
    chosen, left = level[order[:need]], level[order[need:]]
    winners, losers = (left, chosen) if worst else (chosen, left)
    ties.append(
        TieBreak(
            float(claim[chosen[0]]), tuple(sorted(winners.tolist())), tuple(sorted(losers.tolist()))
        )
    )
    return np.concatenate([above, chosen])


def _first_in_order(
    claim: FloatArray, second: FloatArray, index: npt.NDArray[np.intp], *, worst: bool
) -> int:
    """Position of the first (or with ``worst`` the last) by (claim, second, -index)."""
    order = np.lexsort((index, -second, -claim))
    return int(order[-1] if worst else order[0])


#: Divisor priorities within this relative difference count as equal.
_RELATIVE = 1e-12


def noise(exact: FloatArray) -> float:
    """How far binary64 arithmetic can move an exact amount (in units): remainders and
    halves within this count as equal, so that 51.36 computed as 51.35999999999999 still
    ties with 62.06 and 11.15 still rounds half up."""
    return 1e-9 + 1e-12 * float(np.abs(exact).max(initial=0.0))


# -------------------------------------------------------------------- largest remainder
def _largest_remainder(
    exact: FloatArray, total: int, lower: IntArray, upper: IntArray
) -> RoundingResult:
    units = np.clip(np.floor(exact + noise(exact)), lower, upper).astype(np.int64)
    ties: list[TieBreak] = []
    slack = noise(exact)
    remainder = exact - units
    while (short := total - int(units.sum())) != 0:
        if short > 0:
            room = np.flatnonzero(units < upper)
            chosen = _pick(remainder, exact, room, short, ties, tolerance=slack)
            units[chosen] += 1
        else:
            room = np.flatnonzero(units > lower)
            chosen = _pick(remainder, exact, room, -short, ties, worst=True, tolerance=slack)
            units[chosen] -= 1
        if chosen.size == 0:  # pragma: no cover - feasibility is checked before
            raise InfeasibleError("the bounds cannot hold the total after rounding")
        remainder = exact - units
    return RoundingResult(units, 0, tuple(ties))


# -------------------------------------------------------------------- divisor methods
Signpost = Callable[[FloatArray], FloatArray]

#: The divisor methods by name: the signpost d(s) between s and s + 1 units.
DIVISORS: dict[str, Signpost] = {
    "jefferson": lambda s: s + 1.0,
    "webster": lambda s: s + 0.5,
    "huntington_hill": lambda s: np.sqrt(s * (s + 1.0)),
    "adams": lambda s: s.astype(np.float64),
}

_ALIASES = {"dhondt": "jefferson", "sainte_lague": "webster", "hamilton": "largest_remainder"}


def _divisor_round(x: FloatArray, signpost: Signpost) -> IntArray:
    """The number of signposts below ``x``: the method's rounding of each quotient."""
    s = np.floor(x)
    s = np.where(x > signpost(s), s + 1, s)
    s = np.where((s > 0) & (x <= signpost(np.maximum(s - 1, 0))), s - 1, s)
    return np.maximum(s, 0).astype(np.int64)


def _priority(weights: FloatArray, signpost: Signpost, seats: IntArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(weights > 0, weights / signpost(seats.astype(np.float64)), -np.inf)


def _divisor(
    weights: FloatArray, total: int, lower: IntArray, upper: IntArray, method: str
) -> RoundingResult:
    signpost = DIVISORS[method]
    ties: list[TieBreak] = []
    positive = weights > 0
    mass = float(weights[positive].sum())
    lam = total / mass if mass > 0 else 0.0
    units = np.clip(_divisor_round(lam * weights, signpost), lower, upper)
    units = np.where(positive, units, lower).astype(np.int64)
    while (short := total - int(units.sum())) != 0:
        found: list[TieBreak] = []
        if short > 0:
            room = np.flatnonzero(positive & (units < upper))
            claim = _priority(weights, signpost, units)  # claim to the next unit
            chosen = _pick(claim, weights, room, short, found, relative=_RELATIVE)
            # A region may deserve two of the units still short: keep only the chosen whose
            # claim beats every chosen region's claim to a further unit. Strictly, so that an
            # equal claim is settled by the tie rule in the next pass; the largest claim always
            # stays, as each region's own claims strictly decrease.
            further = np.where(
                units[chosen] + 1 < upper[chosen],
                _priority(weights[chosen], signpost, units[chosen] + 1),
                -np.inf,
            )
            best_further = further.max(initial=-np.inf)
            # no chosen region can take a second unit: the whole batch is right
            keep = (
                claim[chosen] > best_further
                if best_further > -np.inf
                else np.ones(chosen.size, bool)
            )
        else:
            room = np.flatnonzero(positive & (units > lower))
            claim = _priority(weights, signpost, units - 1)  # claim to the last unit held
            chosen = _pick(claim, weights, room, -short, found, worst=True, relative=_RELATIVE)
            earlier = np.where(
                units[chosen] - 1 > lower[chosen],
                _priority(weights[chosen], signpost, units[chosen] - 2),
                np.inf,
            )
            least_earlier = earlier.min(initial=np.inf)
            # no chosen region can give up a second unit: the whole batch is right
            keep = (
                claim[chosen] < least_earlier
                if least_earlier < np.inf
                else np.ones(chosen.size, bool)
            )
        if keep.all():
            ties.extend(found)  # the cutoff was reached in this pass
        elif not keep.any():  # infinite claims (a first unit under Adams or Huntington-Hill)
            keep[_first_in_order(claim[chosen], weights[chosen], chosen, worst=short < 0)] = True
        chosen = chosen[keep]
        if chosen.size == 0:
            raise InfeasibleError("the bounds cannot hold the total after rounding")
        units[chosen] += 1 if short > 0 else -1
    return RoundingResult(units, 0, tuple(ties))


# -------------------------------------------------------------------- independent
def _half_up(exact: FloatArray, total: int, lower: IntArray, upper: IntArray) -> RoundingResult:
    units = np.clip(np.floor(exact + 0.5 + noise(exact)), lower, upper).astype(np.int64)
    return RoundingResult(units, total - int(units.sum()), ())


#: The rounding methods by name (aliases: dhondt, sainte_lague, hamilton).
METHODS = ("largest_remainder", *DIVISORS, "half_up")


def canonical_method(name: str) -> str:
    """The method's canonical name; unknown names raise :class:`SchemeError`."""
    name = _ALIASES.get(name, name)
    if name not in METHODS:
        raise SchemeError(
            f"unknown rounding method {name!r}; expected one of: "
            f"{', '.join(METHODS)} (or dhondt, sainte_lague, hamilton)"
        )
    return name


def round_units(
    exact: FloatArray,
    weights: FloatArray,
    total: int,
    lower: IntArray,
    upper: IntArray,
    method: str = "largest_remainder",
) -> RoundingResult:
    """Round to whole units, handing out exactly ``total`` units within the bounds.

    Parameters
    ----------
    exact : array of float
        The exact amounts in units (already bounded); used by largest remainder and half-up.
    weights : array of float
        The unbounded targets; divisor methods apportion by these within the bounds.
    total : int
        The units to hand out.
    lower, upper : array of int
        Per-region bounds in units. A region with zero weight is held at its lower
        bound, as in the proportional rule.
    method : str
        See the module documentation.

    Notes
    -----
    The arrays must be in region-id order: ties fall to the lower index.

    Examples
    --------
    >>> exact = np.array([3.5, 3.5, 3.0])
    >>> r = round_units(exact, exact, 10, np.zeros(3, np.int64), np.full(3, 10, np.int64))
    >>> r.units.tolist(), r.ties[0].winners, r.ties[0].losers
    ([4, 3, 3], (0,), (1,))
    """
    method = canonical_method(method)
    lower = np.asarray(lower, dtype=np.int64)
    # as in the proportional rule, a region with no weight stays at its lower bound
    upper = np.where(np.asarray(weights) > 0, np.asarray(upper, dtype=np.int64), lower)
    if int(lower.sum()) > total or int(upper.sum()) < total or (lower > upper).any():
        raise InfeasibleError(
            f"the bounds in whole units ({int(lower.sum())} to "
            f"{int(upper.sum())}, regions with no weight held at their lower "
            f"bound) cannot hold {total} units"
        )
    if method == "largest_remainder":
        return _largest_remainder(exact, total, lower, upper)
    if method == "half_up":
        return _half_up(exact, total, lower, upper)
    return _divisor(weights, total, lower, upper, method)


def apportion(
    weights: Mapping[str, float],
    total: int,
    *,
    method: str = "webster",
    minimum: int | Mapping[str, int] = 0,
    maximum: int | Mapping[str, int] | None = None,
) -> dict[str, int]:
    """Apportion ``total`` indivisible items (places, villages, households) by weight.

    The regions are put in id order first, so the tie rule of this module applies
    and the order of ``weights`` never matters.

    Parameters
    ----------
    weights : mapping of str to float
        Region id to its weight (population, need); non-negative.
    total : int
        The items to hand out.
    method : str, default "webster"
        Any method of :data:`METHODS` but ``half_up``.
    minimum, maximum : int or mapping of str to int
        Per-region bounds, the same for all or per region (missing regions: 0 and
        no maximum).

    Returns
    -------
    dict of str to int
        Region id to its items, in the order of ``weights``; they add up to ``total``.

    Examples
    --------
    >>> apportion({"甲": 5.6, "乙": 3.4, "丙": 1.0}, 10, method="jefferson")
    {'甲': 6, '乙': 3, '丙': 1}
    >>> apportion({"甲": 5.6, "乙": 3.4, "丙": 0.2}, 10, method="jefferson", minimum=1)
    {'甲': 6, '乙': 3, '丙': 1}
    """
    if canonical_method(method) == "half_up":
        raise SchemeError("apportion hands out exactly the total; half_up does not")
    if isinstance(total, bool) or not isinstance(total, int | np.integer) or total < 0:
        raise SchemeError(f"expected a whole number of items to apportion, found {total!r}")
    ids = sorted(weights)
    w = np.array([float(weights[i]) for i in ids], dtype=np.float64)
    bad = [
        Problem(i, "expected a finite weight >= 0", found=f"{weights[i]!r}")
        for i, x in zip(ids, w, strict=True)
        if not (np.isfinite(x) and x >= 0)
    ]
    if bad:
        raise DataError(bad)

    def per_region(bound: int | Mapping[str, int] | None, default: int) -> IntArray:
        if bound is None:
            return np.full(len(ids), default, dtype=np.int64)
        if isinstance(bound, Mapping):
            return np.array([int(bound.get(i, default)) for i in ids], dtype=np.int64)
        return np.full(len(ids), int(bound), dtype=np.int64)

    lower = per_region(minimum, 0)
    upper = per_region(maximum, total)
    negative = [region for region, lo in zip(ids, lower.tolist(), strict=True) if lo < 0]
    if negative:
        raise SchemeError(f"a minimum must be >= 0; found a negative one for {', '.join(negative)}")
    mass = float(w.sum())
    exact = w / mass * total if mass > 0 else np.zeros_like(w)
    units = round_units(exact, w, total, lower, upper, method).units
    position = {region: k for k, region in enumerate(ids)}
    return {region: int(units[position[region]]) for region in weights}
