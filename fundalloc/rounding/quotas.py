"""Exact amounts in units (:class:`Quotas`), their exact floors, and the one tie tolerance.

Every rounding decision is made on exact rational values: the amounts are :class:`Quotas`
(floats taken as the dyadic rationals they are, times exact rationals such as
``total / Σ w``). Each step decides first in binary64 with a proven error bound
(:meth:`Quotas.approx`) and recomputes exactly (Fractions, :class:`_Cache`) only what that
bound cannot settle.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from fundalloc.money import exact_sum

__all__ = ["FloatArray", "IntArray", "Quotas", "noise", "tie_tolerance"]

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


def noise(exact: FloatArray) -> float:
    """How far binary64 arithmetic can move an amount computed in floats (in units): a
    rough slack of ``1e-9 + 1e-12 · max``, no longer used by the rounding itself (every
    method, the group path and the integer programme decide on exact values)."""
    return 1e-9 + 1e-12 * float(np.abs(exact).max(initial=0.0))
