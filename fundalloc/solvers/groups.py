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

The rounding that keeps these groups' totals is :func:`fundalloc.rounding.round_by_groups`
(re-exported here).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from fundalloc.constraints import IntArray, Row, run_sums, runs
from fundalloc.errors import InfeasibleError, Problem, SolverError
from fundalloc.i18n import Message, tr
from fundalloc.money import format_amount
from fundalloc.rounding.groups import GroupBox, round_by_groups
from fundalloc.rounding.largest import _by_group
from fundalloc.solvers.exact import BoundedProblem, FloatArray, solve_proportional

__all__ = [
    "GroupBox",
    "GroupSolution",
    "group_multipliers",
    "partition",
    "round_by_groups",
    "solve_partitioned",
]

_TOLERANCE = 1e-9


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
    if not all(row.is_group_total for row in rows):
        return None
    # per distinct group: its members, the tightest floor and cap and their rows
    found: dict[bytes, list[Any]] = {}
    settles = bool(fixed.any())
    for k, row in enumerate(rows):
        members = row.members
        box = found.setdefault(members.tobytes(), [members, None, None, -1, -1])
        settled = float(fixed[members].sum()) if settles else 0.0
        if row.lower is not None:
            value = float(row.lower) - settled
            if box[1] is None or value > box[1]:
                box[1], box[3] = value, k
        if row.upper is not None:
            value = float(row.upper) - settled
            if box[2] is None or value < box[2]:
                box[2], box[4] = value, k
    every = np.concatenate([box[0] for box in found.values()] or [np.empty(0, dtype=np.int64)])
    if every.size and np.bincount(every).max() > 1:  # a region in two groups
        return None
    return [GroupBox(*box) for box in found.values()]


def solve_partitioned(
    problem: BoundedProblem,
    boxes: Sequence[GroupBox],
    rows: Sequence[Row],
    ids: Sequence[str],
    unit: str,
    *,
    fixed: FloatArray | None = None,
    solver: str = "auto",
) -> GroupSolution:
    """Solve the proportional rule with non-overlapping group floors and caps.

    ``fixed`` holds the amounts settled outside the problem (fixed quotas), which the
    boxes' bounds already leave out; it is needed only to name the numbers of an
    infeasible problem in the user's terms.

    Raises :class:`InfeasibleError` when a group's floor is above its cap, or above what
    its members' caps allow, its cap below what their floors need, or the groups' floors
    and caps leave no room for the total: the checks are exact and O(n), and the message
    is :func:`fundalloc.solvers.qp.diagnose`'s, the one every path gives, naming the
    constraints to relax, what they run into and by how much.
    """
    t, lo, hi = problem.targets, problem.lower.copy(), problem.upper.copy()
    n = len(t)
    lam_lo = np.zeros(n)
    lam_hi = np.full(n, np.inf)
    lower_row = np.full(n, -1, dtype=np.intp)
    upper_row = np.full(n, -1, dtype=np.intp)
    index, sizes = runs([box.members for box in boxes])
    floor_sums = run_sums(lo[index], sizes)
    reaches = run_sums(np.where(t > 0, hi, lo)[index], sizes)  # zero targets stay at floors
    lowers = np.array([np.nan if b.lower is None else b.lower for b in boxes], dtype=float)
    uppers = np.array([np.nan if b.upper is None else b.upper for b in boxes], dtype=float)
    # a floor binds when above the group's floors; a cap when below what its caps allow
    floors = lowers > floor_sums * (1 + _TOLERANCE)
    caps = uppers < reaches * (1 - _TOLERANCE)

    def infeasible() -> InfeasibleError:
        # a function-level import: qp imports GroupSolution from here
        from fundalloc.solvers.qp import diagnose

        settled = np.zeros(n) if fixed is None else fixed
        try:
            return diagnose(problem, rows, settled, ids, unit, solver=solver)
        except SolverError:  # the conflict is below the LP's tolerance (1e-7 of the total)
            return InfeasibleError(
                Problem(
                    tr("rounding.place.constraints"),
                    tr(
                        "rounding.groups_within_tolerance",
                        names=_semicolons([f"«{row.label}»" for row in rows]),
                        amount=format_amount(1e-7 * max(problem.total, 1.0), 12),
                        unit=unit,
                    ),
                    hint=tr("rounding.groups_relax"),
                )
            )

    with np.errstate(invalid="ignore"):
        crossed = lowers > uppers + _TOLERANCE * np.maximum(1.0, np.abs(uppers))
    short = floors & ((sizes == 0) | (lowers > reaches * (1 + _TOLERANCE)))
    over = caps & (uppers < floor_sums * (1 - _TOLERANCE))
    if short.any() or over.any() or crossed.any():
        raise infeasible()
    chosen = np.concatenate([np.flatnonzero(floors), np.flatnonzero(caps)])
    reaching = group_multipliers(
        problem,
        [boxes[g].members for g in chosen.tolist()],
        np.concatenate([lowers[floors], np.maximum(uppers[caps], 0.0)]),
    )
    for which, multiplier, row_at, box_rows in (
        (floors, lam_lo, lower_row, [b.lower_row for b in boxes]),
        (caps, lam_hi, upper_row, [b.upper_row for b in boxes]),
    ):
        groups = np.flatnonzero(which)
        if not groups.size:
            continue
        members = np.concatenate([boxes[g].members for g in groups.tolist()])
        multiplier[members] = np.repeat(reaching[: groups.size], sizes[groups])
        row_at[members] = np.repeat(np.array(box_rows)[groups], sizes[groups])
        reaching = reaching[groups.size :]
    with np.errstate(invalid="ignore"):
        new_lo = np.clip(lam_lo * t, lo, hi)
        new_hi = np.where(np.isinf(lam_hi), hi, np.clip(lam_hi * t, lo, hi))
    new_hi = np.where(t > 0, new_hi, lo)
    low, high = float(new_lo.sum()), float(new_hi.sum())
    if low > problem.total * (1 + _TOLERANCE) or high < problem.total * (1 - _TOLERANCE):
        raise infeasible()
    solution = solve_proportional(BoundedProblem(t, new_lo, new_hi, problem.total))
    lam = solution.multiplier
    multipliers = np.clip(np.full(n, lam), lam_lo, lam_hi)
    binding = np.where(lam < lam_lo, lower_row, np.where(lam > lam_hi, upper_row, -1))
    return GroupSolution(solution.amounts, lam, multipliers, binding.astype(np.intp))


def _semicolons(items: Sequence[str]) -> Message | str:
    """The items joined by semicolons (、 would not separate names that hold commas)."""
    if len(items) == 1:
        return items[0]
    return tr("rounding.semicolons", first=items[0], rest=_semicolons(items[1:]))


def group_multipliers(
    problem: BoundedProblem, groups: Sequence[IntArray], bounds: FloatArray
) -> FloatArray:
    """For each group, the multiplier λ at which ``Σ_{i in group} clip(λ t_i, lo_i, hi_i)``
    reaches its bound, for every group at once (a zero target stays at its floor).

    Each bound lies between the group's floors and what its caps allow (the caller checks).
    The group's total is piecewise linear in λ, bending where a region leaves its floor
    (``λ = lo_i / t_i``) or reaches its cap (``hi_i / t_i``): with every region's two
    breakpoints sorted by group and λ, the total at each breakpoint is a running sum of
    slopes and constants, and λ is found on the first piece that reaches the bound. One
    sort for all groups instead of a run of the exact solver per group.

    Examples
    --------
    Two groups of two regions, without caps: the first needs 6 from targets 1 and 2, the
    second 4 from targets 1 and 1 with a floor of 3 on one of them.

    >>> p = BoundedProblem(np.array([1.0, 2.0, 1.0, 1.0]), np.array([0, 0, 3.0, 0]),
    ...                    np.full(4, np.inf), 10.0)
    >>> group_multipliers(p, [np.array([0, 1]), np.array([2, 3])], np.array([6.0, 4.0]))
    array([2., 1.])
    """
    count = len(groups)
    if count == 0:
        return np.empty(0)
    index = np.concatenate(groups)
    member_of = np.repeat(np.arange(count), [len(m) for m in groups])
    targets, lower, upper = problem.targets[index], problem.lower[index], problem.upper[index]
    base = np.bincount(member_of, weights=lower, minlength=count)  # λ = 0: all at floors
    moving = targets > 0
    group, t = member_of[moving], targets[moving]
    low, high = lower[moving], upper[moving]
    with np.errstate(over="ignore"):
        at = np.concatenate([low / t, high / t])
    # leaving the floor adds t to the slope and takes the floor off the constant;
    # reaching the cap takes t off again and adds the cap
    slope = np.concatenate([t, -t])
    constant = np.concatenate([-low, high])
    owner = np.concatenate([group, group])
    finite = np.isfinite(at)
    at, slope, constant, owner = (x[finite] for x in (at, slope, constant, owner))
    if not at.size:  # no region can move
        return np.zeros(count)
    order = _by_group(at, owner, count)
    at, slope, constant, owner = (x[order] for x in (at, slope, constant, owner))
    first = np.searchsorted(owner, np.arange(count))
    last = np.searchsorted(owner, np.arange(count), side="right")
    slope = np.cumsum(slope)
    constant = np.cumsum(constant)
    before = first - 1
    slope -= np.where(before >= 0, slope[np.maximum(before, 0)], 0.0)[owner]
    constant -= np.where(before >= 0, constant[np.maximum(before, 0)], 0.0)[owner]
    total = base[owner] + constant + at * slope  # the group's total at each breakpoint
    reached = np.flatnonzero(total >= bounds[owner])
    k = last.copy()  # the first breakpoint at which the group reaches its bound
    groups_reached, where = np.unique(owner[reached], return_index=True)
    k[groups_reached] = reached[where]
    # λ on the piece before breakpoint k (or at the group's first breakpoint when the
    # bound is already met there; past the last one, on the last piece)
    j = np.maximum(k - 1, 0)
    end = np.where(k < last, at[np.minimum(k, at.size - 1)], np.inf)
    with np.errstate(divide="ignore", invalid="ignore"):
        lam = (bounds - base - constant[j]) / slope[j]
    lam = np.where(slope[j] > 0, np.minimum(np.maximum(lam, at[j]), end), at[j])
    start = np.where(first < last, at[np.minimum(first, at.size - 1)], 0.0)
    out: FloatArray = np.where((first == last) | (k == first), start, lam)
    # the running sums cross groups, so a large group can leave rounding error in a small
    # one after it: check each group's total on its own and solve the few that miss
    amounts = np.where(moving, np.clip(out[member_of] * targets, lower, upper), lower)
    reached = np.bincount(member_of, weights=amounts, minlength=count)
    for g in np.flatnonzero(np.abs(reached - bounds) > 1e-9 * np.maximum(1.0, np.abs(bounds))):
        m = groups[int(g)]
        alone = BoundedProblem(problem.targets[m], problem.lower[m], problem.upper[m], bounds[g])
        out[g] = solve_proportional(alone).multiplier
    return out
