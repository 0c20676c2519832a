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

Exact at any scale
    Every decision (floors, remainders against the cutoff, halves, divisor priorities,
    ties) is made on exact rational values: the amounts are :class:`Quotas` (floats taken
    as the dyadic rationals they are, times exact rationals such as ``total / Σ w``).
    Each step decides first in binary64 with a proven error bound and recomputes exactly
    (Fractions) only what that bound cannot settle, so totals of 10^18 units are exact and
    everyday totals take the float path. The rounding under group constraints
    (:func:`fundalloc.solvers.groups.round_by_groups`,
    :func:`fundalloc.solvers.integer.round_with_rows`) decides the same way.

Ties
    A tie is two regions with the same claim to the last unit: the same exact remainder
    (within :func:`tie_tolerance`, at most 2**-20 of a unit, which absorbs the binary64
    error of formula targets at everyday totals) or exactly the same divisor priority. It is
    broken by the larger exact amount (for divisor methods, the larger weight), then by the
    smaller region id in Unicode code-point order, never by row order; every broken tie is
    reported. When units must be taken back (the first estimate overshot, or bounds forced
    it), they are taken in exactly the reverse of that order, so the result is the same
    either way.

Non-finite amounts
    A NaN or infinite amount or weight is refused (:class:`SolverError` naming the stage),
    never rounded.

References
----------
M. L. Balinski and H. P. Young, *Fair Representation: Meeting the Ideal of One Man,
One Vote*, 2nd ed., Brookings, 2001.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt

from fundalloc.errors import DataError, InfeasibleError, Problem, SchemeError, SolverError
from fundalloc.money import exact_sum

__all__ = [
    "DIVISORS",
    "METHODS",
    "Quotas",
    "RoundingResult",
    "TieBreak",
    "apportion",
    "noise",
    "round_units",
    "tie_tolerance",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# The float path: a computed quota is within _RELATIVE_ERROR of its size (32 units in the
# last place: five roundings need 5) plus _UNDERFLOW (subnormal products) of its exact
# value; whatever that interval cannot decide is decided on the exact value.
_RELATIVE_ERROR = 2.0**-48
_UNDERFLOW = 2.0**-1000


def tie_tolerance(total: int) -> Fraction:
    """Remainders (and halves) closer than this, in units, count as equal.

    ``2**-30 + total · 2**-40``, never more than ``2**-20`` (about 9.5e-7) of a unit: it
    absorbs the binary64 error of formula targets at everyday totals (51.36 computed as
    51.35999999999999 still ties with 62.06; 111.49999999999999 still rounds half up),
    and is too small to matter at national totals, where every remainder is compared
    exactly.

    >>> tie_tolerance(100) == Fraction(1, 2**30) + Fraction(100, 2**40)
    True
    >>> tie_tolerance(10**15)
    Fraction(1, 1048576)
    """
    return min(Fraction(1, 2**30) + Fraction(int(total), 2**40), Fraction(1, 2**20))


@dataclass(frozen=True, eq=False)
class Quotas:
    """Exact amounts in units: ``q_i = (base_i + multiplier · slope_i) · scale``.

    ``base`` and ``slope`` are floats, each taken as the exact dyadic rational it is;
    ``multiplier`` and ``scale`` are exact rationals. A plain float array is
    ``Quotas(values)``; ``total · w_i / Σ w`` is :meth:`proportional`; the bounded amounts of
    the pipeline are ``fixed_i + λ · formula_i`` for the free regions (λ exact) and the
    bound for the others, over the step.

    Examples
    --------
    >>> q = Quotas.proportional(np.array([1.0, 2.0]), 10)
    >>> q.exact([0, 1])
    [Fraction(10, 3), Fraction(20, 3)]
    """

    base: FloatArray
    slope: FloatArray | None = None
    multiplier: Fraction = Fraction(0)
    scale: Fraction = Fraction(1)
    #: per-region multipliers (groups bound by their own floor or cap, each with its own
    #: exact λ): region ``i`` uses ``multipliers[group[i]]`` instead of ``multiplier``
    group: IntArray | None = None
    multipliers: tuple[Fraction, ...] = ()

    @classmethod
    def joined(cls, parts: Sequence[tuple[npt.NDArray[np.intp], Quotas]], n: int) -> Quotas:
        """One set of quotas from parts on disjoint regions (each part's regions, its
        quotas, all with the same scale and a single multiplier each); regions in no part
        get 0."""
        base, slope = np.zeros(n), np.zeros(n)
        group = np.zeros(n, dtype=np.int64)
        scales = {part.scale for _, part in parts}
        if len(scales) > 1 or any(part.group is not None for _, part in parts):
            raise ValueError("joined quotas need one scale and one multiplier per part")
        for k, (index, part) in enumerate(parts):
            base[index] = part.base
            if part.slope is not None:
                slope[index] = part.slope
            group[index] = k
        multipliers = tuple(part.multiplier for _, part in parts) or (Fraction(0),)
        scale = scales.pop() if scales else Fraction(1)
        return cls(base, slope, Fraction(0), scale, group, multipliers)

    def take(self, index: npt.NDArray[np.intp]) -> Quotas:
        """The quotas of the regions at ``index``, exactly."""
        return Quotas(
            self.base[index],
            None if self.slope is None else self.slope[index],
            self.multiplier,
            self.scale,
            None if self.group is None else self.group[index],
            self.multipliers,
        )

    @classmethod
    def proportional(cls, weights: FloatArray, total: int | Fraction) -> Quotas:
        """``total · w_i / Σ w`` exactly (all zero when the weights are)."""
        w = np.asarray(weights, dtype=np.float64)
        mass = exact_sum(w)
        multiplier = Fraction(total) / mass if mass else Fraction(0)
        return cls(np.zeros_like(w), w, multiplier)

    def __len__(self) -> int:
        return len(self.base)

    def approx(self) -> tuple[FloatArray, FloatArray]:
        """The quotas in binary64 and a bound on each one's distance from the exact value
        (infinite where binary64 overflows or is not finite)."""
        base = np.asarray(self.base, dtype=np.float64)
        if self.slope is None and self.scale == 1 and np.isfinite(base).all():
            return base, np.zeros_like(base)  # the floats themselves: exact
        if self.group is not None:
            return self._approx_grouped(base)
        slope = self.slope
        multiplier = self.multiplier
        # a multiplier beyond binary64 (1 / a subnormal share): scale the slopes up instead
        shift = multiplier.numerator.bit_length() - multiplier.denominator.bit_length()
        if slope is not None and shift > 900:
            slope = np.ldexp(slope, shift - 500)  # exact unless it overflows (then inf)
            multiplier = multiplier / 2 ** (shift - 500)
        try:
            m, s = float(multiplier), float(self.scale)
        except OverflowError:
            return np.zeros_like(base), np.full(base.shape, np.inf)
        with np.errstate(all="ignore"):
            value = base.copy() if slope is None else base + m * slope
            size = np.abs(base) if slope is None else np.abs(base) + abs(m) * np.abs(slope)
            value = value * s
            error = _RELATIVE_ERROR * size * abs(s) + _UNDERFLOW * max(1.0, abs(s))
            if slope is not None and self.scale == 1:
                error[slope == 0] = 0.0  # a bound itself (times 1): exact
        bad = ~(np.isfinite(value) & np.isfinite(error))
        if bad.any():
            value[bad], error[bad] = 0.0, np.inf
        return value, error

    def _approx_grouped(self, base: FloatArray) -> tuple[FloatArray, FloatArray]:
        """:meth:`approx` with a multiplier per group (a multiplier beyond binary64 leaves
        its regions to the exact path)."""
        assert self.group is not None and self.slope is not None
        floats = np.zeros(len(self.multipliers))
        beyond = np.zeros(len(self.multipliers), dtype=bool)
        for k, m in enumerate(self.multipliers):
            try:
                floats[k] = float(m)
            except OverflowError:
                beyond[k] = True
        try:
            s = float(self.scale)
        except OverflowError:
            return np.zeros_like(base), np.full(base.shape, np.inf)
        slope = self.slope
        per_region = floats[self.group]
        with np.errstate(all="ignore"):
            value = (base + per_region * slope) * s
            size = np.abs(base) + np.abs(per_region) * np.abs(slope)
            error = _RELATIVE_ERROR * size * abs(s) + _UNDERFLOW * max(1.0, abs(s))
            if self.scale == 1:
                error[slope == 0] = 0.0
        bad = ~(np.isfinite(value) & np.isfinite(error)) | (beyond[self.group] & (slope != 0))
        if bad.any():
            value[bad], error[bad] = 0.0, np.inf
        return value, error

    def exact(self, index: Sequence[int] | npt.NDArray[np.intp]) -> list[Fraction]:
        """The exact quotas at ``index``."""
        out = []
        for i in np.asarray(index, dtype=np.intp).tolist():
            value = Fraction(float(self.base[i]))
            if self.slope is not None and self.slope[i]:
                multiplier = (
                    self.multiplier if self.group is None else self.multipliers[self.group[i]]
                )
                value += multiplier * Fraction(float(self.slope[i]))
            out.append(value * self.scale)
        return out

    def exact_total(self, index: npt.NDArray[np.intp]) -> Fraction:
        """The exact sum of the quotas at ``index``, in O(len(index)) numpy work (exact sums
        of the bases and, per multiplier, of the slopes) instead of a Fraction per quota."""
        base = np.asarray(self.base, dtype=np.float64)[index]
        value = exact_sum(base)
        if self.slope is not None:
            slope = np.asarray(self.slope, dtype=np.float64)[index]
            if self.group is None:
                value += self.multiplier * exact_sum(slope)
            else:
                group = self.group[index]
                for k in np.unique(group).tolist():
                    value += self.multipliers[k] * exact_sum(slope[group == k])
        return value * self.scale

    def finite(self) -> bool:
        """Whether every base and slope is a finite number."""
        ok = bool(np.isfinite(self.base).all())
        return ok and (self.slope is None or bool(np.isfinite(self.slope).all()))


class _Cache:
    """Exact quotas computed once each, on demand."""

    def __init__(self, quotas: Quotas) -> None:
        self.quotas = quotas
        self.known: dict[int, Fraction] = {}

    def __call__(self, index: npt.NDArray[np.intp] | Sequence[int]) -> list[Fraction]:
        wanted = [i for i in np.asarray(index, dtype=np.intp).tolist() if i not in self.known]
        for i, value in zip(wanted, self.quotas.exact(wanted), strict=True):
            self.known[i] = value
        return [self.known[i] for i in np.asarray(index, dtype=np.intp).tolist()]


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


# -------------------------------------------------------------------- exact floors
def _floors(approx: FloatArray, error: FloatArray, cache: _Cache, offset: Fraction) -> IntArray:
    """``floor(q_i + offset)`` exactly: from binary64 where the error interval decides it,
    from the exact quota elsewhere.

    With ``offset = k + r`` (whole ``k``, ``0 <= r < 1``) the answer is ``floor(q) + k``,
    plus one when ``frac(q) >= 1 - r``; a float's whole and fractional parts are exact,
    so error-free quotas never need the exact path.
    """
    whole = math.floor(offset)
    threshold = float(1 - (offset - whole))  # dyadic: exact
    with np.errstate(all="ignore"):
        low = np.floor(approx)
        part = approx - low  # exact for |approx| < 2**52
        sure = np.abs(low) < 2.0**52
        widest = float(error.max(initial=0.0))
        if widest > 0:  # an error-free quota (a bound, a plain float) is always sure
            exact = error == 0
            sure &= ((part > error) | exact) & (part < 1.0 - error)
            sure &= (np.abs(part - threshold) > error) | exact
        units = np.where(sure, low + whole + (part >= threshold), 0.0).astype(np.int64)
    unsure = np.flatnonzero(~sure)
    for i, q in zip(unsure.tolist(), cache(unsure), strict=True):
        units[i] = math.floor(q + offset)
    return units


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


def noise(exact: FloatArray) -> float:
    """How far binary64 arithmetic can move an amount computed in floats (in units): a
    rough slack of ``1e-9 + 1e-12 · max``, no longer used by the rounding itself (every
    method, the group path and the integer programme decide on exact values)."""
    return 1e-9 + 1e-12 * float(np.abs(exact).max(initial=0.0))


# -------------------------------------------------------------------- largest remainder
def _largest_remainder(
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
            raise InfeasibleError("the bounds cannot hold the total after rounding")
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


# -------------------------------------------------------------------- independent
def _half_up(quotas: Quotas, total: int, lower: IntArray, upper: IntArray) -> RoundingResult:
    approx, error = quotas.approx()
    offset = Fraction(1, 2) + tie_tolerance(total)
    units = np.clip(_floors(approx, error, _Cache(quotas), offset), lower, upper)
    return RoundingResult(units.astype(np.int64), total - int(units.sum()), ())


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
    exact: FloatArray | Quotas,
    weights: FloatArray,
    total: int,
    lower: IntArray,
    upper: IntArray,
    method: str = "largest_remainder",
    *,
    stage: str = "rounding",
) -> RoundingResult:
    """Round to whole units, handing out exactly ``total`` units within the bounds.

    Parameters
    ----------
    exact : array of float or Quotas
        The exact amounts in units (already bounded); used by largest remainder and half-up.
        A float array is taken as the exact dyadic rationals it holds; :class:`Quotas`
        carries amounts that binary64 cannot hold exactly (``total · w_i / Σ w``).
    weights : array of float
        The unbounded targets; divisor methods apportion by these within the bounds
        (any common scale: only their ratios matter).
    total : int
        The units to hand out.
    lower, upper : array of int
        Per-region bounds in units. A region with zero weight is held at its lower
        bound, as in the proportional rule.
    method : str
        See the module documentation.
    stage : str
        What computed the amounts, named by the error when one is not a finite number.

    Raises
    ------
    SolverError
        An amount or weight is not a finite number (NaN or infinite): the stage that made
        it is named; nothing is ever rounded from NaN.
    InfeasibleError
        The bounds in whole units cannot hold the total.

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
    quotas = exact if isinstance(exact, Quotas) else Quotas(np.asarray(exact, dtype=np.float64))
    weights = np.asarray(weights, dtype=np.float64)
    _check_finite(quotas, weights, stage)
    lower = np.asarray(lower, dtype=np.int64)
    # as in the proportional rule, a region with no weight stays at its lower bound
    upper = np.where(weights > 0, np.asarray(upper, dtype=np.int64), lower)
    least, most = _whole_sum(lower), _whole_sum(upper)
    if least > total or most < total or (lower > upper).any():
        raise InfeasibleError(
            f"the bounds in whole units ({least} to "
            f"{most}, regions with no weight held at their lower "
            f"bound) cannot hold {total} units"
        )
    if method == "largest_remainder":
        return _largest_remainder(quotas, total, lower, upper)
    if method == "half_up":
        return _half_up(quotas, total, lower, upper)
    return _divisor(weights, total, lower, upper, method)


def _whole_sum(values: IntArray) -> int:
    """The exact sum of int64 values (numpy's wraps past 2**63: ten caps of 10**18)."""
    biggest = int(np.abs(values).max(initial=0))
    if biggest * max(len(values), 1) < 2**62:
        return int(values.sum())
    return sum(values.tolist())


def _check_finite(quotas: Quotas, weights: FloatArray, stage: str) -> None:
    """Nothing that is not a finite number is ever rounded."""
    bad = ~np.isfinite(quotas.base) | ~np.isfinite(weights)
    if quotas.slope is not None:
        bad |= ~np.isfinite(quotas.slope)
    if bad.any():
        where = np.flatnonzero(bad)
        raise SolverError(
            Problem(
                stage,
                "expected a finite amount for every region before rounding",
                found=", ".join(
                    f"position {i}: amount {float(quotas.base[i])!r}, weight {float(weights[i])!r}"
                    for i in where[:10].tolist()
                ),
                hint="this is a defect in fundalloc; please report it with the data",
            )
        )


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
    units = round_units(Quotas.proportional(w, total), w, total, lower, upper, method).units
    position = {region: k for k, region in enumerate(ids)}
    return {region: int(units[position[region]]) for region in weights}
