"""Rounding to whole steps that keeps the totals of groups that do not overlap.

The groups' totals first (each within its floor and cap rounded inwards to whole steps),
then each group's total among its members, both by the one largest-remainder rule
(:mod:`fundalloc.rounding.largest`): no integer programme, O(n log n), exact at any scale.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt

from fundalloc.constraints import IntArray, Row, run_sums, runs
from fundalloc.rounding.largest import largest_remainder_by_group
from fundalloc.rounding.methods import round_units
from fundalloc.rounding.quotas import FloatArray, Quotas, tie_tolerance
from fundalloc.rounding.result import RoundingResult, TieBreak

__all__ = ["GroupBox", "round_by_groups"]


@dataclass(frozen=True)
class GroupBox:
    """A group's members (region indices) and its floor and cap on the formula part (None:
    none), with the rows they come from (-1: none)."""

    members: IntArray
    lower: float | None = None
    upper: float | None = None
    lower_row: int = -1
    upper_row: int = -1


def round_by_groups(
    quotas: FloatArray | Quotas,
    targets: FloatArray,
    lower: IntArray,
    upper: IntArray,
    total: int,
    boxes: Sequence[GroupBox],
    rows: Sequence[Row],
    step: Fraction,
) -> RoundingResult:
    """Round to whole steps keeping non-overlapping group totals: the groups' totals first
    (each within its floor and cap rounded inwards to whole steps), then each group's
    total among its members, both by largest remainder.

    Each level hands out exactly its total within integer bounds, so every group floor
    and cap holds exactly and the total is exact, in O(n log n) and without an integer
    programme. Ties between members, and between regions in no group, are reported; a tie
    that involves a whole group is not a tie between regions and is broken silently by
    the same rule (groups come first, in the order of the rows, then the other regions).

    Exact at any scale: ``quotas`` are exact amounts (:class:`~fundalloc.rounding.Quotas`;
    a float array is taken as the dyadic rationals it holds), a group's total is the exact
    sum of its members' (computed in Fractions only for the groups binary64 cannot place),
    and both levels decide as :func:`~fundalloc.rounding.round_units` does: in binary64
    where a proven error bound settles it, exactly elsewhere, with the one tie tolerance
    :func:`~fundalloc.rounding.tie_tolerance` of ``total``.
    """
    if not isinstance(quotas, Quotas):
        quotas = Quotas(np.asarray(quotas, dtype=np.float64))
    n = len(quotas)
    tolerance = tie_tolerance(total)
    upper = np.where(targets > 0, upper, lower)  # zero targets stay at their floors
    count = len(boxes)
    index, sizes = runs([box.members for box in boxes])
    inside = np.zeros(n, dtype=bool)
    inside[index] = True
    alone = np.flatnonzero(~inside)  # regions in no group take part in the first level as such

    def level(values: npt.NDArray[Any]) -> npt.NDArray[Any]:
        return np.concatenate([run_sums(values[index], sizes), values[alone]])

    low, high = level(lower).astype(np.int64), level(upper).astype(np.int64)
    for g, box in enumerate(boxes):  # the group's floor and cap in whole steps, inwards
        if box.lower_row >= 0:
            bound = rows[box.lower_row].lower
            assert bound is not None
            low[g] = max(low[g], _steps(bound, step, up=True))
        if box.upper_row >= 0:
            bound = rows[box.upper_row].upper
            assert bound is not None
            high[g] = min(high[g], _steps(bound, step))
    totals = _GroupTotals.of(quotas, index, sizes, alone, low, high)
    first = round_units(totals, level(targets), total, low, high)
    units = np.zeros(n, dtype=np.int64)
    units[alone] = first.units[count:]
    share = first.units[:count]
    inner = largest_remainder_by_group(
        quotas.take(index), lower[index], upper[index], share, sizes, tolerance
    )
    units[index] = inner.units
    # a tie in the first level between regions in no group is a tie between regions
    ties = [
        TieBreak(
            tie.claim,
            tuple(int(alone[i - count]) for i in tie.winners),
            tuple(int(alone[i - count]) for i in tie.losers),
        )
        for tie in first.ties
        if min(tie.winners + tie.losers) >= count
    ]
    ties += [
        TieBreak(
            tie.claim,
            tuple(int(index[i]) for i in tie.winners),
            tuple(int(index[i]) for i in tie.losers),
        )
        for tie in inner.ties
    ]
    return RoundingResult(units, ties=tuple(ties))


@dataclass(frozen=True, eq=False)
class _GroupTotals(Quotas):
    """The first level's quotas: each group's exact total (the sum of its members'
    quotas), then each region in no group, each clipped to its whole-step bounds."""

    parts: Quotas | None = None
    index: IntArray | None = None
    sizes: npt.NDArray[np.intp] | None = None
    alone: npt.NDArray[np.intp] | None = None
    low: IntArray | None = None
    high: IntArray | None = None

    @classmethod
    def of(
        cls,
        parts: Quotas,
        index: IntArray,
        sizes: npt.NDArray[np.intp],
        alone: npt.NDArray[np.intp],
        low: IntArray,
        high: IntArray,
    ) -> _GroupTotals:
        shell = cls(np.zeros(len(low)), None, Fraction(0), Fraction(1), None, (), parts, index,
                    sizes, alone, low, high)  # fmt: skip
        value, _ = shell.approx()
        return cls(value, None, Fraction(0), Fraction(1), None, (), parts, index, sizes, alone,
                   low, high)  # fmt: skip

    def approx(self) -> tuple[FloatArray, FloatArray]:
        assert self.parts is not None and self.index is not None and self.sizes is not None
        assert self.alone is not None and self.low is not None and self.high is not None
        value, error = self.parts.approx()
        inner, slack = value[self.index], error[self.index]
        with np.errstate(all="ignore"):
            # a run summed in binary64 is within (size - 1) · 2**-53 · Σ|v| of the exact sum
            size = run_sums(np.abs(inner), self.sizes)
            sums = run_sums(inner, self.sizes)
            bound = run_sums(slack, self.sizes) + 2.0**-52 * self.sizes * size
            out = np.concatenate([sums, value[self.alone]])
            err = np.concatenate([bound, error[self.alone]])
            # clipping is 1-Lipschitz; the integer bounds as floats are within 2**-53 of them
            out = np.clip(out, self.low.astype(np.float64), self.high.astype(np.float64))
            err = err + 2.0**-51 * np.abs(out)
        bad = ~(np.isfinite(out) & np.isfinite(err))
        out[bad], err[bad] = 0.0, np.inf
        return out, err

    def exact(self, index: Sequence[int] | npt.NDArray[np.intp]) -> list[Fraction]:
        assert self.parts is not None and self.index is not None and self.sizes is not None
        assert self.alone is not None and self.low is not None and self.high is not None
        count = len(self.sizes)
        starts = np.cumsum(self.sizes) - self.sizes
        out = []
        for g in np.asarray(index, dtype=np.intp).tolist():
            if g < count:
                members = self.index[starts[g] : starts[g] + self.sizes[g]]
                value = self.parts.exact_total(members)
            else:
                value = self.parts.exact([int(self.alone[g - count])])[0]
            out.append(min(max(value, Fraction(int(self.low[g]))), Fraction(int(self.high[g]))))
        return out


def _steps(amount: Fraction, step: Fraction, *, up: bool = False) -> int:
    """``floor(amount / step)`` (``ceil`` with ``up``), in integers."""
    top, bottom = amount.numerator * step.denominator, amount.denominator * step.numerator
    return -(-top // bottom) if up else top // bottom
