"""Group totals on groups that do not overlap, solved exactly without an LP.

The proportional rule with group constraints gives region ``i`` of group ``g`` the amount
``clip(m_g · t_i, lo_i, hi_i)``, where ``m_g`` is the common multiplier λ clipped to the
range ``[λ_lo(g), λ_hi(g)]`` that keeps the group's total within its floor and cap
(the optimality conditions of the quadratic programme of :mod:`fundalloc.solvers.qp`).
Because ``clip(clip(λ, a, b) · t, lo, hi) = clip(λ · t, clip(a·t, lo, hi), clip(b·t, lo, hi))``,
a binding group is the same as tighter per-region bounds:

1. for each group, ``λ_lo(g)`` is the multiplier at which the group's total reaches its
   floor and ``λ_hi(g)`` the one at which it reaches its cap — each one run of the exact
   solver over the group's regions;
2. each member's bounds become ``clip(λ_lo(g) t_i, lo_i, hi_i)`` and
   ``clip(λ_hi(g) t_i, lo_i, hi_i)``;
3. one run of the exact solver over all regions gives λ.

The work is about three runs of the exact solver, O(n), and the answer is the LP's
(tested against it).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt

from fundalloc.constraints import IntArray, Row
from fundalloc.errors import InfeasibleError, Problem
from fundalloc.money import format_amount
from fundalloc.rounding import RoundingResult, TieBreak, round_units
from fundalloc.solvers.exact import BoundedProblem, FloatArray, solve_proportional

__all__ = ["GroupBox", "GroupSolution", "partition", "round_by_groups", "solve_partitioned"]

_TOLERANCE = 1e-9


@dataclass(frozen=True)
class GroupBox:
    """A group's members (region indices) and its floor and cap on the formula part (None:
    none), with the rows they come from (-1: none)."""

    members: IntArray
    lower: float | None = None
    upper: float | None = None
    lower_row: int = -1
    upper_row: int = -1


@dataclass(frozen=True)
class GroupSolution:
    """The bounded formula amounts, λ, each region's own multiplier and the row binding it
    (an index into the rows; -1 for none)."""

    amounts: FloatArray
    multiplier: float
    region_multipliers: FloatArray
    binding: npt.NDArray[np.intp]


def partition(rows: Sequence[Row], fixed: FloatArray) -> list[GroupBox] | None:
    """The rows as non-overlapping group boxes, or None when they are not that shape
    (a ratio row, or two groups sharing some but not all regions)."""
    boxes: dict[bytes, GroupBox] = {}
    for k, row in enumerate(rows):
        if not row.is_group_total:
            return None
        members = row.members
        box = boxes.get(members.tobytes(), GroupBox(members))
        settled = float(fixed[members].sum())
        if row.lower is not None:
            value = float(row.lower) - settled
            if box.lower is None or value > box.lower:
                box = replace(box, lower=value, lower_row=k)
        if row.upper is not None:
            value = float(row.upper) - settled
            if box.upper is None or value < box.upper:
                box = replace(box, upper=value, upper_row=k)
        boxes[members.tobytes()] = box
    cover = np.zeros(len(fixed), dtype=np.int64)
    for box in boxes.values():
        cover[box.members] += 1
    if (cover > 1).any():
        return None
    return list(boxes.values())


def solve_partitioned(
    problem: BoundedProblem,
    boxes: Sequence[GroupBox],
    rows: Sequence[Row],
    ids: Sequence[str],
    unit: str,
) -> GroupSolution:
    """Solve the proportional rule with non-overlapping group floors and caps.

    Raises :class:`InfeasibleError` naming the group and the numbers when a group's floor
    is above what its caps allow, its cap below what its floors need, or the groups' floors
    and caps leave no room for the total.
    """
    t, lo, hi = problem.targets, problem.lower.copy(), problem.upper.copy()
    n = len(t)
    lam_lo = np.zeros(n)
    lam_hi = np.full(n, np.inf)
    lower_row = np.full(n, -1, dtype=np.intp)
    upper_row = np.full(n, -1, dtype=np.intp)
    problems: list[Problem] = []
    for box in boxes:
        m = box.members
        tg, log, hig = t[m], lo[m], hi[m]
        floor_sum = float(log.sum())
        reach = float(np.where(tg > 0, hig, log).sum())  # a zero target stays at its floor
        if box.lower is not None and box.lower > floor_sum * (1 + _TOLERANCE):
            if not m.size:
                problems.append(
                    Problem(
                        "constraints",
                        f"{rows[box.lower_row].label}: no region taking part is in the group",
                    )
                )
                continue
            if box.lower > reach * (1 + _TOLERANCE):
                problems.append(_short_of(rows[box.lower_row], box, reach, ids, hig, unit))
                continue
            lam = solve_proportional(BoundedProblem(tg, log, hig, box.lower)).multiplier
            lam_lo[m], lower_row[m] = lam, box.lower_row
        if box.upper is not None and box.upper < reach * (1 - _TOLERANCE):
            if box.upper < floor_sum * (1 - _TOLERANCE):
                problems.append(_over(rows[box.upper_row], box, floor_sum, ids, unit))
                continue
            lam = solve_proportional(BoundedProblem(tg, log, hig, max(box.upper, 0.0))).multiplier
            lam_hi[m], upper_row[m] = lam, box.upper_row
    if problems:
        raise InfeasibleError(problems)
    with np.errstate(invalid="ignore"):
        new_lo = np.clip(lam_lo * t, lo, hi)
        new_hi = np.where(np.isinf(lam_hi), hi, np.clip(lam_hi * t, lo, hi))
    new_hi = np.where(t > 0, new_hi, lo)
    low, high = float(new_lo.sum()), float(new_hi.sum())
    if low > problem.total * (1 + _TOLERANCE) or high < problem.total * (1 - _TOLERANCE):
        used = sorted({int(r) for r in (lower_row if low > problem.total else upper_row)} - {-1})
        names = "; ".join(rows[r].label for r in used[:5]) or "the per-region bounds"
        if len(used) > 5:
            names += f"; and {len(used) - 5} more"
        word = "need" if low > problem.total else "allow at most"
        raise InfeasibleError(
            Problem(
                "constraints",
                f"with the group constraints ({names}) the regions {word} "
                f"{format_amount(low if low > problem.total else high)} {unit} of formula "
                f"money, but {format_amount(problem.total)} {unit} is to be allocated",
            )
        )
    solution = solve_proportional(BoundedProblem(t, new_lo, new_hi, problem.total))
    lam = solution.multiplier
    multipliers = np.clip(np.full(n, lam), lam_lo, lam_hi)
    binding = np.where(lam < lam_lo, lower_row, np.where(lam > lam_hi, upper_row, -1))
    return GroupSolution(solution.amounts, lam, multipliers, binding.astype(np.intp))


def _regions(ids: Sequence[str], members: IntArray) -> str:
    chosen = [ids[int(i)] for i in members]
    return ", ".join(chosen[:6]) + (f" and {len(chosen) - 6} more" if len(chosen) > 6 else "")


def _short_of(
    row: Row, box: GroupBox, reach: float, ids: Sequence[str], caps: FloatArray, unit: str
) -> Problem:
    assert row.lower is not None and box.lower is not None
    capped = box.members[np.isfinite(caps)]
    return Problem(
        "constraints",
        f"{row.label}: the group needs {format_amount(float(row.lower))} {unit} but the caps "
        f"on {_regions(ids, capped) or 'its regions'} allow at most "
        f"{format_amount(float(row.lower) - box.lower + reach)} {unit}; short by "
        f"{format_amount(box.lower - reach)} {unit}",
    )


def _over(row: Row, box: GroupBox, floors: float, ids: Sequence[str], unit: str) -> Problem:
    assert row.upper is not None and box.upper is not None
    settled = float(row.upper) - box.upper
    return Problem(
        "constraints",
        f"{row.label}: the group may get at most {format_amount(float(row.upper))} {unit} "
        f"but the floors of {_regions(ids, box.members)} need "
        f"{format_amount(settled + floors)} {unit}; over by "
        f"{format_amount(floors - box.upper)} {unit}",
    )


def round_by_groups(
    quotas: FloatArray,
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
    programme. Ties between members are reported; a tie between whole groups is not a
    tie between regions and is broken silently by the same rule (lower index first).
    """
    n = len(quotas)
    upper = np.where(targets > 0, upper, lower)  # zero targets stay at their floors
    inside = np.zeros(n, dtype=bool)
    for box in boxes:
        inside[box.members] = True
    alone = np.flatnonzero(~inside)  # regions in no group take part in the first level as such

    def level(values: npt.NDArray[Any]) -> npt.NDArray[Any]:
        return np.concatenate([[values[box.members].sum() for box in boxes], values[alone]])

    low, high = level(lower).astype(np.int64), level(upper).astype(np.int64)
    for g, box in enumerate(boxes):
        if box.lower_row >= 0:
            bound = rows[box.lower_row].lower
            assert bound is not None
            low[g] = max(low[g], math.ceil(bound / step))
        if box.upper_row >= 0:
            bound = rows[box.upper_row].upper
            assert bound is not None
            high[g] = min(high[g], math.floor(bound / step))
    first = round_units(np.clip(level(quotas), low, high), level(targets), total, low, high)
    units = np.zeros(n, dtype=np.int64)
    units[alone] = first.units[len(boxes) :]
    ties: list[TieBreak] = []
    for box, share in zip(boxes, first.units, strict=False):
        m = box.members
        inner = round_units(quotas[m], targets[m], int(share), lower[m], upper[m])
        units[m] = inner.units
        ties += [
            TieBreak(
                tie.claim,
                tuple(int(m[i]) for i in tie.winners),
                tuple(int(m[i]) for i in tie.losers),
            )
            for tie in inner.ties
        ]
    return RoundingResult(units, ties=tuple(ties))
