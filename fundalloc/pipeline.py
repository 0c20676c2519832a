"""The pipeline: tranches → factor shares → coefficients → targets → bounds → rounding.

:func:`allocate` is the one entry point; everything it does is recorded in the
trace of the :class:`~fundalloc.result.Allocation` it returns.

Row order never matters: the regions are put in id order (Unicode code points)
before anything is summed, so floating-point sums, ties and therefore every
amount are the same however the rows are ordered.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Sequence
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from fundalloc.bounds import AT_BOUND, Limits, check_feasible, combine
from fundalloc.conditions import Condition
from fundalloc.constraints import Row, rows_of
from fundalloc.data import Data, nonnegative
from fundalloc.errors import (
    MAX_LISTED,
    DataError,
    InfeasibleError,
    Problem,
    SolverError,
    not_listed,
)
from fundalloc.factors import normalised_weights, shares_of
from fundalloc.i18n import Message, tr
from fundalloc.money import exact_sum, format_amount
from fundalloc.result import Allocation
from fundalloc.rounding import Quotas, cascade
from fundalloc.scheme import Scheme, Tranche
from fundalloc.solvers import BoundedProblem, ProportionalSolution, Shape, Solver, Structure, choose
from fundalloc.solvers.exact import solve_proportional
from fundalloc.solvers.groups import (
    GroupBox,
    GroupSolution,
    partition,
    solve_partitioned,
)
from fundalloc.solvers.qp import RowSolution, diagnose, solve_rows
from fundalloc.table import RegionTable
from fundalloc.trace import Hold, LeafTrace, Trace
from fundalloc.types import BoolArray, FloatArray, NeedKind, SolverName

__all__ = ["allocate"]

#: the one tolerance of "at a bound" (see :data:`fundalloc.bounds.AT_BOUND`)
_TOLERANCE = AT_BOUND


def allocate(
    table: RegionTable,
    scheme: Scheme,
    *,
    solver: SolverName = "auto",
    time_limit: float | None = None,
) -> Allocation:
    """Allocate ``scheme.total`` across the regions of ``table``.

    Parameters
    ----------
    table : RegionTable
        The regions and their indicators.
    scheme : Scheme
        Tranches, factors, weights, coefficients, eligibility, bounds and rounding.
    solver : {"auto", "exact", "highs", "cbc"}, default "auto"
        The solver, chosen in one place (:func:`fundalloc.solvers.choose`). "exact" is
        the exact proportional solver; it also solves group constraints on groups that do
        not overlap. Overlapping groups and ratio constraints take the general path: the
        quadratic programme of :mod:`fundalloc.solvers.qp`, solved through its dual by
        fundalloc itself, with an integer programme to round under the constraints and an
        elastic LP to diagnose infeasibility. "highs" and "cbc" take the general path
        whatever the constraints and solve those programmes with HiGHS (highspy when
        installed, else the copy bundled with scipy, so nothing needs installing) or with
        CBC through PuLP (``pip install "fundalloc[lp]"``); both give the same amounts (up
        to a rounding tie between several groups of regions). "auto" takes the exact path
        whenever the constraints allow it, else "highs".
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
            Problem(
                table.source or tr("data.data"),
                tr("solve.expected_a_region"),
                found=tr("solve.none"),
            )
        )
    table = scheme.derive(table)
    _check_columns(table, scheme)
    order = _canonical_order(table.ids)
    data = table.take(order)

    taking_part, excluded_by = _eligible(data, scheme.eligibility)
    if not taking_part.any():
        raise InfeasibleError(
            Problem(
                tr("solve.where_eligibility"),
                tr(
                    "solve.no_region_eligible",
                    conditions=[c.description() for c in scheme.eligibility],
                ),
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
    boxes = partition(rows, fixed) if rows else None
    shape: Shape = "bounds" if not rows else "groups" if boxes is not None else "overlapping"
    chosen = choose(solver, Structure(shape))
    grouped: GroupSolution | None = None
    step_exact = Fraction(scheme.step)
    if chosen.name != "exact" or rows:
        # group constraints: non-overlapping groups solved exactly by the exact solver and
        # rounded group by group; the general path (the QP) otherwise
        grouped = _solve_rows(problem, rows, boxes, fixed, data.ids, scheme, chosen, time_limit)
        solution = ProportionalSolution(grouped.amounts, grouped.multiplier)
        _require_finite(tr("solve.where_group_solution"), fixed + solution.amounts, data.ids)
        if chosen.name == "exact":
            assert boxes is not None
            # the partitioned groups' amounts exactly: an exact λ per bound group, one for
            # the rest (the rounding decides on them at any scale)
            quotas, status, group_of = _exact_group_quotas(
                formula,
                fixed,
                limits.lower,
                limits.upper,
                Fraction(scheme.total),
                grouped,
                boxes,
                rows,
                step_exact,
            )
        else:
            assert isinstance(grouped, RowSolution)
            quotas = Quotas((fixed + solution.amounts) / step)
            status = np.where(grouped.at_floor, _FLOOR, np.where(grouped.at_cap, _CAP, _FREE))
            group_of = grouped.binding
    else:
        try:
            # a multiplier beyond binary64 (inf · 0) is answered below by the exact search,
            # and every non-finite amount is refused before rounding
            with np.errstate(all="ignore"):
                solution = solve_proportional(problem)
        except SolverError:
            # the float solver's multiplier overflowed binary64: the exact search needs none
            solution = ProportionalSolution(np.full(len(data), np.nan), float("nan"))
        quotas, lam, status = _exact_quotas(
            formula,
            fixed,
            limits.lower,
            limits.upper,
            Fraction(scheme.total),
            solution.multiplier,
            step_exact,
        )
        group_of = np.full(len(data), -1, dtype=np.intp)
        if not (np.isfinite(solution.amounts).all() and np.isfinite(solution.multiplier)):
            # binary64 could not hold the multiplier (a subnormal share): show the exact answer
            approx, _ = quotas.approx()
            solution = ProportionalSolution(approx * step - fixed, _as_float(lam))
    holds, held_by = _holds(status, group_of, limits, fixed, taking_part, excluded_by)
    bounded = fixed + solution.amounts
    rounded = cascade(
        quotas,
        targets,
        scheme.total_units,
        lower_units,
        upper_units,
        scheme.method,
        step=step_exact,
        rows=rows,
        boxes=boxes,
        ids=data.ids,
        unit=scheme.unit,
        solver=solver,
        time_limit=time_limit,
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
        holds=holds,
        held_by=held_by,
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
    chosen: Solver,
    time_limit: float | None,
) -> GroupSolution:
    """Group constraints: exactly when the exact solver was chosen (the groups do not
    overlap), else the quadratic programme."""
    if chosen.name == "exact":
        assert boxes is not None
        return solve_partitioned(problem, boxes, rows, ids, scheme.unit, fixed=fixed)
    solved = solve_rows(problem, rows, fixed)
    if solved is None:
        raise diagnose(
            problem, rows, fixed, ids, scheme.unit, solver=chosen.name, time_limit=time_limit
        )
    return solved


def _holds(
    status: npt.NDArray[np.int8],
    group_of: npt.NDArray[np.intp],
    limits: Limits,
    fixed: FloatArray,
    taking_part: BoolArray,
    excluded_by: npt.NDArray[np.intp],
) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.intp]]:
    """The trace's ``holds`` and ``held_by`` (:class:`~fundalloc.trace.Hold`) from the
    solver's status per region (at its floor, free, at its cap) and the group row holding
    each free one (-1: none).

    A region at its floor is held by its floor bound when it has one that is not below its
    fixed quota; otherwise (no floor, or the quota is larger) nothing but the formula and
    the quota hold it, and it counts as free.
    """
    holds = np.full(len(status), Hold.FREE, dtype=np.int8)
    held_by = np.full(len(status), -1, dtype=np.intp)
    floor = (status == _FLOOR) & (limits.lower_from >= 0) & (limits.lower >= fixed)
    cap = (status == _CAP) & (limits.upper_from >= 0)
    group = (status == _FREE) & (group_of >= 0)
    holds[floor], held_by[floor] = Hold.FLOOR, limits.lower_from[floor]
    holds[cap], held_by[cap] = Hold.CAP, limits.upper_from[cap]
    holds[group], held_by[group] = Hold.GROUP, group_of[group]
    out = ~taking_part
    holds[out], held_by[out] = Hold.EXCLUDED, excluded_by[out]
    return holds, held_by


def _require_finite(stage: Message, values: FloatArray, ids: Sequence[str]) -> None:
    """Nothing that is not a finite number goes further: the stage that made it is named."""
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        raise SolverError(
            Problem(
                stage,
                tr("solve.expected_finite_amounts"),
                found=", ".join(f"{ids[i]} {values[i]}" for i in bad[:10].tolist()),
                hint=tr("solve.defect_hint"),
            )
        )


def _as_float(value: Fraction) -> float:
    try:
        return float(value)
    except OverflowError:
        return float("inf")


def _canonical_order(ids: Sequence[str]) -> np.ndarray:
    """The rows in id order (code points). Ids already in order (as tables usually are)
    are recognised by one pass that stops at the first pair out of order, without making
    a numpy string array (a third of a second at 10^6 regions)."""
    if all(map(operator.lt, ids, itertools.islice(ids, 1, None))):
        return np.arange(len(ids), dtype=np.intp)
    return np.argsort(np.array(ids, dtype=str), kind="stable")


def _check_columns(table: RegionTable, scheme: Scheme) -> None:
    """Every missing column and every bad cell of a column the scheme uses, in every row,
    reported together.

    A numeric column must hold finite numbers in every row, and a column that a rule needs
    non-negative (an indicator of a share, a quota count, ...) must be >= 0 in every row,
    including rows that the eligibility excludes: a negative poor population is a data
    error whether or not the region takes part, never a silent exclusion. The one
    exception is a row that a numeric condition *on that same column* excludes: a negative
    gap (标准支出 − 标准收入) is what ``gap > 0`` excludes.

    Checks that depend on which regions take part stay with the rules, over those regions
    only: a ratio's zero denominator, an inverse indicator's zero, a composite index's sign
    and a tier that is not listed are wrong only where the rule uses the value.
    """
    strength = {"text": 0, "number": 1, "nonnegative": 2}
    needs: dict[str, NeedKind] = {}
    how: str
    for column, how in scheme.needs():
        if strength[how] > strength[needs.get(column, "text")]:
            needs[column] = how
        else:
            needs.setdefault(column, how)
    problems: list[Problem] = []
    for column, kind in needs.items():
        if kind != "text" or column not in table:
            problems += table.check(column)
    if problems:
        raise DataError(problems)
    conditions = [*scheme.eligibility]
    for _, tranche in scheme.walk():
        conditions += tranche.eligibility
    for column, kind in needs.items():
        if kind != "nonnegative":
            continue
        values = table.numeric(column)
        negative = values < 0
        for condition in conditions:
            if condition.column == column and condition.is_numeric and negative.any():
                negative &= condition.test(table)  # what the condition excludes may be < 0
        problems += [
            Problem(
                table.where(int(i), column), tr("data.expected_nonnegative"), found=f"{values[i]:g}"
            )
            for i in np.flatnonzero(negative)[:50].tolist()
        ]
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
    where: Message | str = "/".join(path) or tr("solve.where_total")
    if remainder < -_TOLERANCE * max(1.0, amount):
        raise InfeasibleError(
            Problem(
                where,
                tr(
                    "solve.quotas_above_amount",
                    taken=format_amount(taken),
                    amount=format_amount(amount),
                    unit=scheme.unit,
                ),
            )
        )
    if not any(t.share is not None for t in tranches) and remainder > _TOLERANCE * max(1.0, amount):
        raise InfeasibleError(
            Problem(
                where,
                tr("solve.left_after_quotas", left=format_amount(remainder), unit=scheme.unit),
                hint=tr("solve.left_after_quotas_hint"),
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
                    np.empty((0, n)),
                    np.empty(0),
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
                    tr(
                        "solve.no_region_in_tranche",
                        conditions=[c.description() for c in tranche.eligibility],
                    ),
                )
            )
        if tranche.tranches:
            _split(tranche.tranches, size, here, data, inside, scheme, leaves)
            continue
        # the raw shares and the normalised weights, kept in the trace (the weight model
        # and explain read them); their products as weighted_shares forms them
        weights = normalised_weights(tranche.factors)
        shares = np.stack(
            [shares_of(f.rule, data, inside, "/".join((*here, f.name))) for f in tranche.factors]
        )
        rows = weights[:, None] * shares
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
                    tr("solve.coefficients_all_zero"),
                    found=", ".join(c.name for c in tranche.coefficients),
                )
            )
        with np.errstate(all="ignore"):
            targets = size * adjusted / mass
        bad = np.flatnonzero(~np.isfinite(targets))
        if bad.size:
            raise DataError(
                Problem(
                    "/".join(here),
                    tr("solve.expected_finite_targets"),
                    found=", ".join(f"{data.ids[i]} {targets[i]}" for i in bad[:10].tolist()),
                    hint=tr("solve.expected_finite_targets_hint"),
                )
            )
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
                shares,
                weights,
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


def _int_sum(units: np.ndarray) -> int:
    """The exact sum of whole steps: int64 when it cannot overflow, Python ints otherwise
    (three caps of 4·10^18 steps each wrapped around to a negative total)."""
    if len(units) == 0:
        return 0
    largest = int(np.abs(units).max())
    if largest < (2**62) // max(len(units), 1):
        return int(units.sum())
    return sum(units.tolist())


def _check_unit_bounds(
    lower: np.ndarray, upper: np.ndarray, ids: Sequence[str], scheme: Scheme
) -> None:
    unit, step, n = scheme.unit, scheme.step, scheme.total_units
    crossed = np.flatnonzero(lower > upper)
    problems = [
        Problem(
            ids[i],
            tr(
                "solve.no_step_between",
                step=format_amount(step),
                floor=format_amount(int(lower[i]) * step),
                cap=format_amount(int(upper[i]) * step),
                unit=unit,
            ),
        )
        for i in crossed[:MAX_LISTED]
    ]
    problems += not_listed(len(crossed), tr("solve.where_floors"))
    floors, caps = _int_sum(lower), _int_sum(upper)
    if floors > n:
        problems.append(
            Problem(
                tr("solve.where_floors"),
                tr(
                    "solve.floors_in_steps",
                    step=format_amount(step),
                    floors=format_amount(floors * step),
                    total=format_amount(scheme.total),
                    unit=unit,
                ),
            )
        )
    if caps < n:
        problems.append(
            Problem(
                tr("solve.where_caps"),
                tr(
                    "solve.caps_in_steps",
                    step=format_amount(step),
                    caps=format_amount(caps * step),
                    total=format_amount(scheme.total),
                    unit=unit,
                ),
            )
        )
    if problems:
        raise InfeasibleError(problems)


# -------------------------------------------------------------------- exact bounded amounts
def _exact_quotas(
    formula: FloatArray,
    fixed: FloatArray,
    lower: FloatArray,
    upper: FloatArray,
    total: Fraction,
    guess: float,
    step: Fraction,
) -> tuple[Quotas, Fraction, npt.NDArray[np.int8]]:
    """The bounded amounts in steps, exactly: ``clip(fixed_i + λ·formula_i, L_i, U_i)`` with
    ``L_i = max(lower_i, fixed_i)``, ``U_i = upper_i`` (every float taken as the exact
    rational it is) and the one λ (exact) that makes them add up to ``total``.

    The float solver's λ (``guess``) gives a narrow bracket; binary64 settles every region
    whose status (at its floor, free, at its cap) is the same over the whole bracket, with
    a proven error bound, and the few regions left (their bound within the bracket) are
    settled by an exact search over their breakpoints. The amounts are then: the bound for
    a region at a bound, ``fixed_i + λ·formula_i`` for a free one. A guess that is not a
    finite positive number (a multiplier beyond binary64) falls back to the bracket
    ``[0, ∞)``, exactly as well, only slower.

    Returns the quotas, λ and each region's status at the exact λ (``_FLOOR``, ``_FREE``
    or ``_CAP``): which bound holds it, decided exactly, for the trace.
    """
    c, f = fixed, formula
    upper_ = upper
    low = np.minimum(np.maximum(lower, fixed), upper_)  # a cap below the floor holds
    positive = f > 0
    n = len(f)
    # the floats of the bounds may miss a decimal total by a hair (caps of 0.03 adding up to
    # a total of 0.03 that binary64 cannot hold): the answer is then every region at its bound,
    # as the float solver's tolerance has it (the bounds in whole steps are checked apart)
    # (summed exactly only when binary64 cannot tell: the sums are O(n) but not free)
    reach = np.where(positive, upper_, low)
    t, margin = float(total), 1e-6 * max(1.0, abs(float(total)))
    if not (float(low.sum()) < t - margin and float(reach.sum()) > t + margin):
        least = exact_sum(low)
        most = None if bool((positive & (upper_ == np.inf)).any()) else exact_sum(reach)
        total = max(total, least) if most is None else min(max(total, least), most)
    if np.isfinite(guess) and guess > 0:
        spread = 2.0**-40 + 2.0**-44 * n
        brackets = [(guess * (1 - spread), guess * (1 + spread)), (0.0, np.inf)]
    else:
        brackets = [(0.0, np.inf)]
    for lo, hi in brackets:
        status = _statuses(c, f, low, upper_, positive, lo, hi)
        search = _Search(c, f, low, upper_, status)
        at_lo, at_hi = (
            search.value(Fraction(lo)),
            search.value(None if hi == np.inf else Fraction(hi)),
        )
        if at_lo is not None and at_lo <= total and (at_hi is None or total <= at_hi):
            lam = search.solve(total, Fraction(lo), None if hi == np.inf else Fraction(hi))
            break
    else:  # pragma: no cover - the caller checked that the bounds can hold the total
        raise SolverError(Problem(tr("solve.where_solver"), tr("solve.no_multiplier")))
    # each region's exact amount: its bound, or fixed + λ · formula when free
    open_ = np.flatnonzero(status == _OPEN)
    if open_.size:
        for i in open_.tolist():
            x = Fraction(float(c[i])) + lam * Fraction(float(f[i]))
            if x <= Fraction(float(low[i])):
                status[i] = _FLOOR
            elif upper_[i] < np.inf and x >= Fraction(float(upper_[i])):
                status[i] = _CAP
            else:
                status[i] = _FREE
    free = status == _FREE
    base = np.where(status == _CAP, upper_, np.where(free, c, low))
    slope = np.where(free, f, 0.0)
    return Quotas(base, slope, lam, 1 / step), lam, status


#: A region's status under the bounds: at its floor, scaled by λ, at its cap, not yet known.
_FLOOR, _FREE, _CAP, _OPEN = 0, 1, 2, 3


def _exact_group_quotas(
    formula: FloatArray,
    fixed: FloatArray,
    lower: FloatArray,
    upper: FloatArray,
    total: Fraction,
    grouped: GroupSolution,
    boxes: Sequence[GroupBox],
    rows: Sequence[Row],
    step: Fraction,
) -> tuple[Quotas, npt.NDArray[np.int8], npt.NDArray[np.intp]]:
    """The bounded amounts under non-overlapping group floors and caps, in steps, exactly.

    A group held at its floor (or cap) has exactly that total: its members' amounts are
    :func:`_exact_quotas` of the group alone with that total (its own exact λ); every other
    region (free groups, regions in no group) shares one exact λ, :func:`_exact_quotas` of
    them with what the bound groups leave of the total. Which groups are bound comes from
    the float solution (``grouped``); every group whose total at the common λ lies near its
    floor or cap in binary64 is then checked exactly (a bound group must miss its bound at
    the common λ, a free one keep it) and the solve repeated with the corrected set until
    it holds.

    Returns the quotas, each region's exact status (as :func:`_exact_quotas`) and the row
    of the group floor or cap holding it (-1: its group, if any, is not held).
    """
    n = len(formula)
    lam_float = grouped.multiplier
    bound: dict[int, Fraction] = {}
    for g, box in enumerate(boxes):
        if not box.members.size:
            continue
        own = float(grouped.region_multipliers[box.members[0]])
        if own > lam_float and box.lower_row >= 0:
            value = rows[box.lower_row].lower
        elif own < lam_float and box.upper_row >= 0:
            value = rows[box.upper_row].upper
        else:
            continue
        assert value is not None
        bound[g] = value
    low = np.minimum(np.maximum(lower, fixed), upper)
    for _ in range(8):
        parts: list[tuple[np.ndarray, Quotas]] = []
        rest = np.ones(n, dtype=bool)
        held = Fraction(0)
        status = np.empty(n, dtype=np.int8)
        group_of = np.full(n, -1, dtype=np.intp)
        for g, value in bound.items():
            m = boxes[g].members
            box = boxes[g]
            floor_row = box.lower_row >= 0 and rows[box.lower_row].lower == value
            group_of[m] = box.lower_row if floor_row else box.upper_row
            q, _lam, status[m] = _exact_quotas(
                formula[m],
                fixed[m],
                lower[m],
                upper[m],
                value,
                float(grouped.region_multipliers[m[0]]),
                step,
            )
            parts.append((m, q))
            rest[m] = False
            held += value
        others = np.flatnonzero(rest)
        q, lam, status[others] = _exact_quotas(
            formula[others],
            fixed[others],
            lower[others],
            upper[others],
            total - held,
            lam_float,
            step,
        )
        parts.append((others, q))
        # each group's total at the common λ, near its floor or cap: checked exactly
        guess = _as_float(lam)
        with np.errstate(all="ignore"):
            at = np.clip(fixed + guess * formula, low, upper)
        corrected: dict[int, Fraction] = {}
        changed = False
        for g, box in enumerate(boxes):
            m = box.members
            if not m.size:
                continue
            floor_ = rows[box.lower_row].lower if box.lower_row >= 0 else None
            cap = rows[box.upper_row].upper if box.upper_row >= 0 else None
            reach = float(at[m].sum())
            near = any(
                b is not None and abs(reach - float(b)) <= 1e-6 * max(1.0, abs(float(b)))
                for b in (floor_, cap)
            )
            if near or not np.isfinite(reach):
                exact_total = _group_total(formula[m], fixed[m], low[m], upper[m], lam)
                below = floor_ is not None and exact_total < floor_
                above = cap is not None and exact_total > cap
            else:
                below = floor_ is not None and reach < float(floor_)
                above = cap is not None and reach > float(cap)
            if below:
                corrected[g] = floor_  # type: ignore[assignment]
            elif above:
                corrected[g] = cap  # type: ignore[assignment]
            changed |= corrected.get(g) != bound.get(g)
        if not changed:
            return Quotas.joined(parts, n), status, group_of
        bound = corrected
    raise SolverError(  # pragma: no cover - the set of bound groups settles in a few rounds
        Problem(tr("solve.where_solver"), tr("solve.groups_unsettled"))
    )


def _group_total(
    formula: FloatArray, fixed: FloatArray, low: FloatArray, upper: FloatArray, lam: Fraction
) -> Fraction:
    """``Σ clip(fixed_i + λ·formula_i, low_i, upper_i)`` exactly (a zero formula stays at
    its floor)."""
    out = Fraction(0)
    for c, f, lo, hi in zip(fixed.tolist(), formula.tolist(), low.tolist(), upper.tolist(),
                            strict=True):  # fmt: skip
        x = max(Fraction(c) + lam * Fraction(f), Fraction(lo)) if f > 0 else Fraction(lo)
        out += x if hi == np.inf else min(x, Fraction(hi))
    return out


def _statuses(
    c: FloatArray,
    f: FloatArray,
    low: FloatArray,
    high: FloatArray,
    positive: BoolArray,
    lo: float,
    hi: float,
) -> np.ndarray:
    """Each region's status over the whole bracket ``[lo, hi]`` of λ where binary64 proves
    it (2**-48 relative and 2**-1000 absolute cover the two roundings), else open."""
    with np.errstate(all="ignore"):
        at_lo = np.where(positive, c + lo * f, c)
        at_hi = np.where(positive, c + hi * f, c)
        e_lo = 2.0**-48 * np.abs(at_lo) + 2.0**-1000
        e_hi = 2.0**-48 * np.abs(at_hi) + 2.0**-1000
        floored = ~positive | (at_hi + e_hi <= low)
        capped = positive & ~floored & (at_lo - e_lo >= high)
        free = positive & ~floored & ~capped & (at_lo - e_lo >= low) & (at_hi + e_hi <= high)
    status = np.full(len(c), _OPEN, dtype=np.int8)
    status[floored], status[capped], status[free] = _FLOOR, _CAP, _FREE
    return status


class _Search:
    """``F(λ) = Σ clip(c_i + λ f_i, L_i, U_i)`` exactly: the settled regions in two exact
    sums, the open ones (their bound near λ) one by one, equal ones once with a count."""

    def __init__(
        self, c: FloatArray, f: FloatArray, low: FloatArray, high: FloatArray, status: np.ndarray
    ) -> None:
        free = status == _FREE
        self.fixed = (
            exact_sum(low[status == _FLOOR]) + exact_sum(high[status == _CAP]) + exact_sum(c[free])
        )
        self.mass = exact_sum(f[free])
        open_ = status == _OPEN
        rows, counts = (
            np.unique(
                np.stack([c[open_], f[open_], low[open_], high[open_]], axis=1),
                axis=0,
                return_counts=True,
            )
            if open_.any()
            else (np.empty((0, 4)), np.empty(0, dtype=np.int64))
        )
        self.open = [
            (
                Fraction(float(ci)),
                Fraction(float(fi)),
                Fraction(float(li)),
                None if hi_ == np.inf else Fraction(float(hi_)),
                int(k),
            )
            for (ci, fi, li, hi_), k in zip(rows.tolist(), counts.tolist(), strict=True)
        ]

    def value(self, lam: Fraction | None) -> Fraction | None:
        """``F(λ)``; ``None`` for λ = ∞ when some amount is unbounded."""
        if lam is None:
            if self.mass > 0:
                return None
            total = self.fixed
            for _, f, low, high, k in self.open:
                if f > 0 and high is None:
                    return None
                total += k * (high if f > 0 and high is not None else low)
            return total
        total = self.fixed + lam * self.mass
        for c, f, low, high, k in self.open:
            x = max(c + lam * f, low)
            total += k * (x if high is None else min(x, high))
        return total

    def solve(self, total: Fraction, lo: Fraction, hi: Fraction | None) -> Fraction:
        """The smallest λ in ``[lo, hi]`` with ``F(λ) = total`` (bracketed by the caller)."""
        points = {lo}
        for c, f, low, high, _ in self.open:
            if f > 0:
                for edge in (low, high):
                    if edge is not None:
                        b = (edge - c) / f
                        if lo < b and (hi is None or b < hi):
                            points.add(b)
        if hi is not None:
            points.add(hi)
        ordered = sorted(points)
        values: dict[int, Fraction | None] = {}

        def at(j: int) -> Fraction | None:
            if j not in values:
                values[j] = self.value(ordered[j])
            return values[j]

        first, last = 0, len(ordered)  # smallest j with F(ordered[j]) >= total, or len
        while first < last:
            middle = (first + last) // 2
            v = at(middle)
            if v is not None and v < total:
                first = middle + 1
            else:
                last = middle
        if first == 0:
            return ordered[0]
        left, below = ordered[first - 1], at(first - 1)
        assert below is not None
        if first < len(ordered):
            right, above = ordered[first], at(first)
            assert above is not None
            return left + (total - below) * (right - left) / (above - below)
        # beyond the last breakpoint: the free regions and the uncapped open ones grow
        slope = self.mass + sum(
            (
                k * f
                for c, f, low, high, k in self.open
                if f > 0 and high is None and c + left * f >= low
            ),
            Fraction(0),
        )
        if slope <= 0:  # pragma: no cover - bracketed by the caller
            raise SolverError(Problem(tr("solve.where_solver"), tr("solve.no_multiplier")))
        return left + (total - below) / slope
