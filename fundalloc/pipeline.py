"""The pipeline: tranches → factor shares → coefficients → targets → bounds → rounding.

:func:`allocate` is the one entry point; everything it does is recorded in the
trace of the :class:`~fundalloc.result.Allocation` it returns.

Row order never matters: the regions are put in id order (Unicode code points)
before anything is summed, so floating-point sums, ties and therefore every
amount are the same however the rows are ordered.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import numpy as np

from fundalloc.bounds import check_feasible, combine
from fundalloc.constraints import Row, broken_rows, rows_of
from fundalloc.errors import DataError, InfeasibleError, Problem, SolverError
from fundalloc.factors import BoolArray, Condition, Data, FloatArray, nonnegative, weighted_shares
from fundalloc.money import format_amount
from fundalloc.result import Allocation, LeafTrace, Trace
from fundalloc.rounding import RoundingResult, round_units
from fundalloc.scheme import Scheme, Tranche
from fundalloc.solvers import BoundedProblem, ProportionalSolution, get_solver
from fundalloc.solvers.groups import (
    GroupBox,
    GroupSolution,
    partition,
    round_by_groups,
    solve_partitioned,
)
from fundalloc.solvers.integer import round_with_rows
from fundalloc.solvers.lp import BACKENDS, backend_for
from fundalloc.solvers.qp import diagnose, solve_rows
from fundalloc.table import RegionTable

__all__ = ["allocate"]

_TOLERANCE = 1e-9


def allocate(
    table: RegionTable, scheme: Scheme, *, solver: str = "auto", time_limit: float | None = None
) -> Allocation:
    """Allocate ``scheme.total`` across the regions of ``table``.

    Parameters
    ----------
    table : RegionTable
        The regions and their indicators.
    scheme : Scheme
        Tranches, factors, weights, coefficients, eligibility, bounds and rounding.
    solver : {"auto", "exact", "highs", "cbc"}, default "auto"
        "exact" is the exact proportional solver; it also solves group constraints on
        groups that do not overlap. Overlapping groups and ratio constraints take the
        general path: the quadratic programme of :mod:`fundalloc.solvers.qp`, solved
        through its dual by fundalloc itself, with an integer programme to round under
        the constraints and an elastic LP to diagnose infeasibility. "highs" and "cbc"
        take the general path whatever the constraints and solve those LPs with HiGHS
        (highspy) or with CBC through PuLP (``pip install "fundalloc[lp]"``); both give
        the same amounts (up to a rounding tie between several groups of regions).
        "auto" takes the exact path whenever the constraints allow it, and HiGHS, else
        CBC, for the LPs.
    time_limit : float, optional
        Seconds the LP solver may take per solve (a :class:`SolverError` when reached).

    Returns
    -------
    Allocation
        Amounts that add up exactly to the total, with the trace that explains them.

    Raises
    ------
    DataError
        A column the scheme needs is missing or holds bad values (all listed).
    InfeasibleError
        The floors, caps, group constraints and fixed tranches cannot all hold; the message
        names the numbers (for general constraints, which ones must be relaxed and by how
        much).
    SolverError
        An unknown or uninstalled solver, a time limit reached, or a solver failure.

    Notes
    -----
    Per tranche with factors ``j`` of weight ``w_j``, coefficients ``c_i`` and
    amount ``A``, the target of region ``i`` is

    .. math:: t_i = A \\, \\frac{c_i \\sum_j w_j s_{ij}}{\\sum_k c_k \\sum_j w_j s_{kj}},
              \\qquad s_{ij} = \\frac{x_{ij}}{\\sum_k x_{kj}}

    over the regions taking part. With bounds ``[lo_i, hi_i]`` the amounts are
    ``a_i = clip(λ t_i, lo_i, hi_i)`` with one λ so that they add up to the total,
    then rounded to the step (see :mod:`fundalloc.rounding`).

    Examples
    --------
    >>> import fundalloc as fa
    >>> table = fa.RegionTable.from_records([
    ...     {"地区": "甲市", "贫困人口": 500, "重点村": 2},
    ...     {"地区": "乙市", "贫困人口": 300, "重点村": 5},
    ...     {"地区": "丙市", "贫困人口": 200, "重点村": 3}], id="地区")
    >>> scheme = fa.Scheme(total=100, tranches=[fa.Tranche(name="因素", share=1, factors=[
    ...     fa.Factor(name="贫困人口", rule=fa.Share(column="贫困人口"), weight=0.6),
    ...     fa.Factor(name="重点村", rule=fa.Share(column="重点村"), weight=0.4)])],
    ...     bounds=[fa.Floor(amount=25)])
    >>> result = fa.allocate(table, scheme)
    >>> {k: int(v) for k, v in result.amounts.items()}
    {'甲市': 37, '乙市': 38, '丙市': 25}
    >>> sum(result.amounts.values())
    Decimal('100')

    丙市 is raised to its floor of 25; 甲市 and 乙市 both have a target of 38, are
    scaled to 37.5 each, and tie for the last unit, which goes to the smaller id
    in code-point order (乙 U+4E59 before 甲 U+7532):

    >>> result.ties
    ((('乙市',), ('甲市',)),)
    """
    if len(table) == 0:
        raise DataError(
            Problem(table.source or "data", "expected at least one region", found="none")
        )
    table = scheme.derive(table)
    _check_columns(table, scheme)
    order = _canonical_order(table.ids)
    data = table.take(order)

    taking_part, excluded_by = _eligible(data, scheme.eligibility)
    if not taking_part.any():
        raise InfeasibleError(
            Problem(
                "eligibility",
                "no region meets the scheme's eligibility: "
                + " and ".join(c.describe() for c in scheme.eligibility),
            )
        )
    leaves: list[LeafTrace] = []
    _split(scheme.tranches, float(scheme.total), (), data, taking_part, scheme, leaves)
    targets = np.sum([leaf.targets for leaf in leaves], axis=0)

    # fixed quotas (定额, 基数) stay exact: the bounds are solved on the formula part alone
    fixed = np.sum(
        [leaf.targets for leaf in leaves if leaf.tranche.quota is not None]
        or [np.zeros(len(data))],
        axis=0,
    )
    formula = np.maximum(targets - fixed, 0.0)
    limits = combine(scheme.bounds, data, scheme.total, taking_part)
    check_feasible(limits, data.ids, scheme.total, scheme.unit, targets, fixed)
    step = float(scheme.step)
    lower_units, upper_units = _unit_bounds(limits.lower, limits.upper, step, scheme.total_units)
    _check_unit_bounds(lower_units, upper_units, data.ids, scheme)

    problem = BoundedProblem(
        formula,
        np.maximum(limits.lower - fixed, 0.0),
        limits.upper - fixed,
        float(scheme.total) - float(fixed.sum()),
    )
    rows = rows_of(scheme.constraints, data, taking_part, scheme.total, scheme.unit)
    # non-overlapping groups: solved exactly (unless an LP backend is asked for) and
    # rounded group by group
    boxes = partition(rows, fixed) if rows else None
    grouped: GroupSolution | None = None
    if rows or solver in BACKENDS:
        grouped = _solve_rows(problem, rows, boxes, fixed, data.ids, scheme, solver, time_limit)
        solution = ProportionalSolution(grouped.amounts, grouped.multiplier)
    else:
        solution = get_solver(solver).solve(problem)
    bounded = fixed + solution.amounts
    rounded = round_units(
        bounded / step,
        targets / step,
        scheme.total_units,
        lower_units,
        upper_units,
        scheme.method,
    )
    if boxes is not None and broken_rows(rows, rounded.units, Fraction(scheme.step)):
        rounded = round_by_groups(
            bounded / step,
            targets / step,
            lower_units,
            upper_units,
            scheme.total_units,
            boxes,
            rows,
            Fraction(scheme.step),
        )
    if rows and broken_rows(rows, rounded.units, Fraction(scheme.step)):
        rounded = RoundingResult(
            round_with_rows(
                bounded / step,
                lower_units,
                upper_units,
                scheme.total_units,
                rows,
                Fraction(scheme.step),
                solver=solver,
                time_limit=time_limit,
                targets=targets,
            )
        )
    trace = Trace(
        ids=data.ids,
        order=order,
        taking_part=taking_part,
        excluded_by=excluded_by,
        leaves=tuple(leaves),
        targets=targets,
        fixed=fixed,
        limits=limits,
        bounded=bounded,
        multiplier=solution.multiplier,
        units=rounded.units,
        ties=rounded.ties,
        unallocated_units=rounded.unallocated,
        region_multipliers=None if grouped is None else grouped.region_multipliers,
        group_rows=None if grouped is None else grouped.binding,
        row_labels=tuple(row.label for row in rows),
    )
    return Allocation(table=table, scheme=scheme, trace=trace)


def _solve_rows(
    problem: BoundedProblem,
    rows: list[Row],
    boxes: list[GroupBox] | None,
    fixed: FloatArray,
    ids: Sequence[str],
    scheme: Scheme,
    solver: str,
    time_limit: float | None,
) -> GroupSolution:
    """Group constraints: exactly when the groups do not overlap (unless an LP backend is
    asked for), else the quadratic programme."""
    if solver not in ("auto", "exact", *BACKENDS):
        get_solver(solver)  # the one message for an unknown solver
    if solver in BACKENDS:
        backend_for(solver)  # a missing backend says how to install it, whatever the problem
    if boxes is not None and solver not in BACKENDS:
        return solve_partitioned(problem, boxes, rows, ids, scheme.unit)
    if solver == "exact":
        raise SolverError(
            "the exact solver handles group floors and caps on groups that do not overlap; "
            "these constraints overlap or compare groups: use solver='auto' (or 'highs' or "
            "'cbc')"
        )
    solved = solve_rows(problem, rows, fixed)
    if solved is None:
        raise diagnose(problem, rows, fixed, ids, scheme.unit, solver=solver, time_limit=time_limit)
    return solved


def _canonical_order(ids: Sequence[str]) -> np.ndarray:
    return np.argsort(np.array(ids, dtype=str), kind="stable")


def _check_columns(table: RegionTable, scheme: Scheme) -> None:
    """Every missing column and every cell that is not a finite number, reported together in
    row order. Signs are checked later, only over the regions that take part."""
    numeric: dict[str, bool] = {}
    for column, how in scheme.needs():
        numeric[column] = numeric.get(column, False) or how != "text"
    problems: list[Problem] = []
    for column, is_number in numeric.items():
        if is_number or column not in table:
            problems += table.check(column)
    if problems:
        raise DataError(problems)


def _eligible(data: Data, conditions: Sequence[Condition]) -> tuple[BoolArray, np.ndarray]:
    """The regions meeting all conditions, and for the others the first condition failed."""
    mask = np.ones(len(data), dtype=bool)
    excluded_by = np.full(len(data), -1, dtype=np.intp)
    for k, condition in enumerate(conditions):
        fails = mask & ~condition.test(data)
        excluded_by[fails] = k
        mask &= ~fails
    return mask, excluded_by


def _split(
    tranches: tuple[Tranche, ...],
    amount: float,
    path: tuple[str, ...],
    data: Data,
    mask: BoolArray,
    scheme: Scheme,
    leaves: list[LeafTrace],
) -> None:
    """Split ``amount`` among sibling tranches and record each leaf's targets."""
    n = len(data)
    fixed = sum(float(t.amount) for t in tranches if t.amount is not None)
    quotas = {}
    for t in tranches:
        if t.quota is not None:
            counts = nonnegative(data, t.quota.column, mask)
            quotas[t.name] = np.where(mask, t.quota.rate * counts, 0.0)
    taken = fixed + sum(float(q.sum()) for q in quotas.values())
    remainder = amount - taken
    where = "/".join(path) or "total"
    if remainder < -_TOLERANCE * max(1.0, amount):
        raise InfeasibleError(
            Problem(
                where,
                f"the fixed and quota tranches take "
                f"{format_amount(taken)} {scheme.unit} but there are only "
                f"{format_amount(amount)} {scheme.unit}",
            )
        )
    if not any(t.share is not None for t in tranches) and remainder > _TOLERANCE * max(1.0, amount):
        raise InfeasibleError(
            Problem(
                where,
                f"{format_amount(remainder)} {scheme.unit} are left "
                "after the fixed and quota tranches and no tranche takes a share",
                hint="add a tranche with share=1 for the rest",
            )
        )
    remainder = max(remainder, 0.0)
    for tranche in tranches:
        here = (*path, tranche.name)
        if tranche.quota is not None:
            q = quotas[tranche.name]
            leaves.append(
                LeafTrace(
                    here,
                    float(q.sum()),
                    mask,
                    (),
                    np.empty((0, n)),
                    (),
                    np.empty((0, n)),
                    q,
                    q,
                    tranche,
                )
            )
            continue
        size = (
            float(tranche.amount)
            if tranche.amount is not None
            else float(tranche.share or 0) * remainder
        )
        inside = mask.copy()
        for condition in tranche.eligibility:
            inside &= condition.test(data)
        if not inside.any():
            raise InfeasibleError(
                Problem(
                    "/".join(here),
                    "no region taking part meets this "
                    "tranche's eligibility: "
                    + " and ".join(c.describe() for c in tranche.eligibility),
                )
            )
        if tranche.tranches:
            _split(tranche.tranches, size, here, data, inside, scheme, leaves)
            continue
        rows = weighted_shares(tranche.factors, data, inside, "/".join(here))
        combined = rows.sum(axis=0)
        multipliers = (
            np.stack(
                [np.where(inside, c.rule.scores(data, inside), 0.0) for c in tranche.coefficients]
            )
            if tranche.coefficients
            else np.empty((0, n))
        )
        adjusted = combined * multipliers.prod(axis=0) if tranche.coefficients else combined
        mass = float(adjusted.sum())
        if not mass > 0:
            raise DataError(
                Problem(
                    "/".join(here),
                    "the coefficients are 0 for every region with a positive factor share",
                    found=", ".join(c.name for c in tranche.coefficients),
                )
            )
        targets = size * adjusted / mass
        leaves.append(
            LeafTrace(
                here,
                size,
                inside,
                tuple(f.name for f in tranche.factors),
                size * rows,
                tuple(c.name for c in tranche.coefficients),
                multipliers,
                size * combined,
                targets,
                tranche,
            )
        )


def _unit_bounds(
    lower: FloatArray, upper: FloatArray, step: float, total_units: int
) -> tuple[np.ndarray, np.ndarray]:
    """Bounds in whole steps: floors round up, caps round down (a relative 1e-9 of slack
    absorbs binary noise such as 0.02 × 3717 = 74.34000000000001)."""
    lo = lower / step
    hi = np.minimum(upper / step, float(total_units))
    lo_units = np.ceil(lo - _TOLERANCE * np.maximum(1.0, lo)).astype(np.int64)
    hi_units = np.floor(hi + _TOLERANCE * np.maximum(1.0, hi)).astype(np.int64)
    return np.maximum(lo_units, 0), hi_units


def _check_unit_bounds(
    lower: np.ndarray, upper: np.ndarray, ids: Sequence[str], scheme: Scheme
) -> None:
    unit, step, n = scheme.unit, scheme.step, scheme.total_units
    problems = [
        Problem(
            ids[i],
            f"no whole step of {format_amount(step)} {unit} lies between the floor and "
            f"the cap: the floor rounds up to {format_amount(int(lower[i]) * step)} {unit}, "
            f"the cap rounds down to {format_amount(int(upper[i]) * step)} {unit}",
        )
        for i in np.flatnonzero(lower > upper)[:20]
    ]
    if int(lower.sum()) > n:
        problems.append(
            Problem(
                "floors",
                f"rounded up to whole steps of {format_amount(step)} {unit}, "
                f"the floors add up to {format_amount(int(lower.sum()) * step)} {unit} "
                f"but the total is {format_amount(scheme.total)} {unit}",
            )
        )
    if int(upper.sum()) < n:
        problems.append(
            Problem(
                "caps",
                f"rounded down to whole steps of {format_amount(step)} {unit}, "
                f"the caps add up to {format_amount(int(upper.sum()) * step)} {unit} "
                f"but the total is {format_amount(scheme.total)} {unit}",
            )
        )
    if problems:
        raise InfeasibleError(problems)
