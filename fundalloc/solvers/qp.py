"""General constraints across regions: a quadratic programme, solved through its dual.

The objective keeps the amounts as close as possible to the formula targets in the
proportional sense of the per-region bounds::

    minimise  Σ_i (x_i − t_i)² / t_i
    subject to  Σ_i x_i = total,  lo_i <= x_i <= hi_i,  and every constraint row.

Its optimality conditions give ``x_i = clip(m_i · t_i, lo_i, hi_i)`` with one multiplier
``m_i`` shared by every region except through the rows that bind, so with only
per-region bounds the answer is the exact solver's (checked by a property test) and
with group constraints it is unique (the objective is strictly convex). A region with a
zero target stays at its floor, as in the proportional rule.

:func:`solve_rows` solves it without a QP solver: the dual has one variable per
constraint row (a handful), so fundalloc maximises it directly and then solves the
optimality conditions on the active set as a small linear system. An earlier version
handed the QP to HiGHS; HiGHS 1.16's QP solver hung, at random and ignoring its time
limit, on about one problem in several hundred, and the dual method is also faster.

Floating-point answers are never money. The pipeline rounds them to whole steps and
checks every row exactly (:meth:`fundalloc.constraints.Row.holds`); when the plain
rounding breaks a row, :func:`fundalloc.solvers.integer.round_with_rows` solves a small
integer programme that keeps them all with the total exact. When the rows cannot hold
together, :func:`diagnose` re-solves with every row made elastic and reports which rows
must give way and by how much. Those two are linear programmes, solved by HiGHS or CBC
(:mod:`fundalloc.solvers.lp`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from fundalloc.constraints import Row, broken_rows
from fundalloc.errors import InfeasibleError, Problem, SolverError
from fundalloc.i18n import Message, tr
from fundalloc.money import format_amount
from fundalloc.solvers.exact import BoundedProblem, FloatArray, solve_proportional
from fundalloc.solvers.groups import GroupSolution
from fundalloc.solvers.lp import LinearProgram, diagnosis_backend, is_installed, solve_lp

__all__ = ["RowSolution", "check_whole_steps", "diagnose", "diagnose_steps", "solve_rows"]

_TOLERANCE = 1e-7


def _row_bounds(
    rows: Sequence[Row], settled: FloatArray, scale: float
) -> tuple[list[float], list[float]]:
    """Each row's bounds on the variable part, once the settled amounts are taken off,
    divided by ``scale`` (±inf for a side the row does not limit)."""
    lower, upper = [], []
    for row in rows:
        shift = float(row.coefficients @ settled)
        lower.append(-np.inf if row.lower is None else (float(row.lower) - shift) / scale)
        upper.append(np.inf if row.upper is None else (float(row.upper) - shift) / scale)
    return lower, upper


def solve_rows(
    problem: BoundedProblem, rows: Sequence[Row], fixed: FloatArray
) -> RowSolution | None:
    """The QP answer for the formula part ``x`` (amounts are ``fixed + x``), or None when
    the rows cannot hold together (then call :func:`diagnose`).

    In the ratios ``r_i = x_i / t_i`` the programme is: minimise ``Σ t_i (r_i − 1)²`` with
    ``Σ t_i r_i = total``, the rows ``L_k <= Σ_i c_ki t_i r_i <= U_k`` and the boxes
    ``lo_i / t_i <= r_i <= hi_i / t_i``. Its dual has one variable per row side and one for
    the total, and for given dual values ``y`` each ratio is explicit:
    ``r_i = clip(1 + z_i / 2)`` with ``z_i = y_0 + Σ_k ±y_k c_ki``. So:

    1. the concave, piecewise quadratic dual is maximised over its few variables by a
       projected Newton method (:func:`_maximise_dual`); on each piece (which regions
       sit at a bound, which rows bind) a Newton step solves the optimality conditions
       as a small linear system, so it ends in a few steps;
    2. the answer is accepted only when every optimality condition holds to 1e-11 of the
       total (or to what binary64 resolves when targets spread over many orders of
       magnitude: about 1e-15 to 1e-14 times that spread): every row within its bounds,
       dual values of the right sign and zero on slack rows. Then it is the unique
       optimum, to rounding error.

    A dual value above the largest possible primal objective proves that the rows cannot
    hold together (weak duality), which ends the search early.
    """
    t, lo, hi = problem.targets, problem.lower, problem.upper
    scale = max(problem.total, 1.0)
    # targets below 1e-12 of the total count as zero and sit at their floor, as zero
    # targets do in the proportional rule
    active = t > 0
    settled = np.where(active, 0.0, lo)
    rest = problem.total - float(settled.sum())
    ta = t[active] / scale
    with np.errstate(over="ignore"):
        rlo = lo[active] / t[active]
        rhi = np.minimum(hi[active], max(rest, 0.0)) / t[active]
    lower, upper = _row_bounds(rows, fixed + settled, scale)
    sides: list[int] = []  # the row behind each dual variable after the total's
    matrix: list[FloatArray] = [np.ones(len(ta))]
    goal = [rest / scale]
    for k, row in enumerate(rows):
        if np.isfinite(lower[k]):
            sides.append(k)
            matrix.append(row.coefficients[active])
            goal.append(lower[k])
        if np.isfinite(upper[k]):
            sides.append(k)
            matrix.append(-row.coefficients[active])
            goal.append(-upper[k])
    c = np.vstack(matrix)
    ct = c * ta
    b = np.asarray(goal)
    start = np.zeros(len(b))
    if len(ta):
        lam = solve_proportional(BoundedProblem(ta, rlo * ta, rhi * ta, rest / scale)).multiplier
        start[0] = 2.0 * (lam - 1.0) if np.isfinite(lam) else 0.0
    y = _maximise_dual(start, _Dual(c, ct, b, ta, rlo, rhi))
    if y is None:
        return None
    x = settled.copy()
    x[active] = np.clip(
        np.clip(1.0 + (c.T @ y) / 2.0, rlo, rhi) * t[active], lo[active], hi[active]
    )
    binding = np.full(len(t), -1, dtype=np.intp)
    for j in np.flatnonzero(y[1:] > 0):
        k = sides[j]
        binding[(rows[k].coefficients != 0) & (binding < 0)] = k
    lam = 1.0 + float(y[0]) / 2.0
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(active, x / t, np.nan)
    free = active & (x > lo + _TOLERANCE * scale) & (x < hi - _TOLERANCE * scale)
    multipliers = np.where(free & (binding >= 0), ratio, lam)
    # why each region holds its amount: the branch its clip took (a zero target sits at
    # its floor), decided here once and kept in the trace
    u = 1.0 + (c.T @ y) / 2.0
    at_floor = ~active
    at_cap = np.zeros(len(t), dtype=bool)
    at_floor[active] = (u <= rlo) | (u * t[active] <= lo[active])
    at_cap[active] = ~at_floor[active] & np.isfinite(hi[active]) & (u * t[active] >= hi[active])
    return RowSolution(x, lam, multipliers, binding, at_floor, at_cap)


@dataclass(frozen=True)
class RowSolution(GroupSolution):
    """The QP's answer, with which regions it holds at their floor and at their cap (the
    branch of ``clip`` each region took; the others are scaled, by their group's
    multiplier where ``binding`` names a row)."""

    at_floor: npt.NDArray[np.bool_]
    at_cap: npt.NDArray[np.bool_]


@dataclass(frozen=True)
class _Dual:
    """The dual of the ratio QP: rows ``c`` (one per dual variable, the total's first),
    the same rows times the targets ``ct``, their right-hand sides ``b``, the targets and
    the ratio boxes."""

    c: FloatArray
    ct: FloatArray
    b: FloatArray
    ta: FloatArray
    rlo: FloatArray
    rhi: FloatArray

    def at(self, y: FloatArray) -> tuple[float, FloatArray, FloatArray, npt.NDArray[np.bool_]]:
        """The dual value, its gradient, the ratios and which ratios are inside their box."""
        z = self.c.T @ y
        u = 1.0 + z / 2.0
        r = np.clip(u, self.rlo, self.rhi)
        value = float(self.ta @ ((r - 1.0) ** 2 - r * z) + self.b @ y)
        return value, self.b - self.ct @ r, r, (u > self.rlo) & (u < self.rhi)


def _first_kink(y: FloatArray, direction: FloatArray, dual: _Dual) -> float | None:
    """The smallest step along ``direction`` at which a ratio enters its box (where the
    dual, linear while every ratio sits at a bound, starts to curve), a little past it;
    None when no ratio ever does."""
    u = 1.0 + (dual.c.T @ y) / 2.0
    rate = (dual.c.T @ direction) / 2.0
    with np.errstate(divide="ignore", invalid="ignore"):
        up = np.where((u <= dual.rlo) & (rate > 0), (dual.rlo - u) / rate, np.inf)
        down = np.where((u >= dual.rhi) & (rate < 0), (dual.rhi - u) / rate, np.inf)
    step = float(min(np.min(up, initial=np.inf), np.min(down, initial=np.inf)))
    return None if not np.isfinite(step) else step * (1 + 1e-9) + 1e-12


def _violation(y: FloatArray, gradient: FloatArray) -> float:
    """How far dual values are from optimal: the largest gradient component that could
    still move them (the total's, a row side above 0, or a row side at 0 pushing up)."""
    pushing = np.where(y[1:] > 0, np.abs(gradient[1:]), np.maximum(gradient[1:], 0.0))
    return max(abs(float(gradient[0])), float(np.max(pushing, initial=0.0)))


def _maximise_dual(y: FloatArray, dual: _Dual) -> FloatArray | None:
    """Dual values meeting every optimality condition to 1e-11 of the total (or what
    binary64 can resolve, when the dual values are large), or None when
    the rows cannot hold (or, never seen in testing, no such values are found).

    A projected Newton method (Bertsekas, *Nonlinear Programming*, 3rd ed., §3.4): the
    dual is concave and piecewise quadratic, so on each piece a Newton step is exact; a
    backtracking (Armijo) search along the projection onto ``y_k >= 0`` keeps every step
    an ascent; the row sides whose value is 0 and whose gradient points out of the box are
    held at 0. Ill-conditioning (targets spread over 1e8) does not slow it, which is why
    it is used instead of a quasi-Newton method."""
    ceiling = float(
        dual.ta @ np.maximum((dual.rlo - 1.0) ** 2, (dual.rhi - 1.0) ** 2)
    )  # no feasible allocation has a larger objective: a dual value above it proves infeasibility
    # every ratio lies in its box, so no optimal dual value is further than this from 0
    reach = 4.0 * (float(np.max(np.abs(dual.rhi), initial=1.0)) + 1.0) * len(y)
    value, gradient, _, free = dual.at(y)
    for _ in range(500):
        if value > ceiling * (1 + 1e-9) + 1e-12:
            return None
        inequality = np.arange(len(y)) > 0
        # what binary64 can resolve: each ratio carries a rounding error of about
        # eps·max|y| (large dual values cancel in z), and the rows sum ratios weighted
        # by targets that add up to at most 1
        tolerance = 1e-11 + 4 * np.finfo(np.float64).eps * float(np.max(np.abs(y)))
        if _violation(y, gradient) <= tolerance:
            return y
        held = inequality & (y <= 1e-14) & (gradient < 0)
        moving = ~held
        hessian = 0.5 * (dual.ct[:, free] @ dual.c[:, free].T)
        block = hessian[np.ix_(moving, moving)]
        size = float(np.trace(block))
        ridge = 1e-12 * size if size > 0 else 1.0  # no free region: a gradient step
        direction = np.zeros_like(y)
        direction[moving] = np.linalg.solve(
            block + ridge * np.eye(int(moving.sum())), gradient[moving]
        )
        if size == 0 or float(gradient @ direction) <= 0:
            direction = np.where(held, 0.0, gradient)
        if size == 0:  # the dual is linear here: go to the first kink in one step
            kink = _first_kink(y, direction, dual)
            if kink is None:
                return None  # it rises for ever: the rows cannot hold
            direction *= kink
        length = float(np.linalg.norm(direction))
        if length > reach:  # along a flat piece the next kink is within reach
            direction *= reach / length
        step = 1.0
        for _ in range(80):
            trial = y + step * direction
            trial[inequality] = np.maximum(trial[inequality], 0.0)
            trial_value, trial_gradient, _, trial_free = dual.at(trial)
            if trial_value >= value + 1e-4 * float(gradient @ (trial - y)):
                break
            # near the optimum the dual is flat to rounding: accept a step that brings the
            # optimality conditions closer when the value cannot tell the difference
            flat = abs(trial_value - value) <= 1e-13 * max(1.0, abs(value))
            if flat and _violation(trial, trial_gradient) < _violation(y, gradient):
                break
            step /= 2.0
        else:
            return None
        if np.array_equal(trial, y):
            return None
        y, value, gradient, free = trial, trial_value, trial_gradient, trial_free
    return None


def diagnose(
    problem: BoundedProblem,
    rows: Sequence[Row],
    fixed: FloatArray,
    ids: Sequence[str],
    unit: str,
    *,
    solver: str = "auto",
    time_limit: float | None = None,
) -> InfeasibleError:
    """Which rows must be relaxed, and by how much, for the allocation to exist.

    Every row gets an elastic variable on the side it limits and the smallest total
    relaxation is found (an LP over the regions' *patterns*: regions with the same
    coefficient in every row move the rows only through their sum, so the programme has
    one variable per pattern, a handful, whatever the number of regions). Each relaxed row
    is reported with what it runs into: its regions pinned at their caps (for a floor) or
    floors (for a cap), the other rows that are tight, and the total with the floors (or
    caps) of the regions outside it. The exact group path asks the same question when its
    own checks find the groups cannot hold, so every path names the same constraints in
    the same words.

    When neither HiGHS nor CBC is installed, scipy's bundled HiGHS solves the (small)
    programme, so a diagnosis never needs the ``lp`` extra.
    """
    t, lo, hi = problem.targets, problem.lower, problem.upper
    scale = max(problem.total, 1.0)
    reach = np.where(t > 0, hi, lo)  # a zero target stays at its floor
    setting = _Setting(
        rows=rows,
        targets=t,
        lower=lo,
        upper=reach,
        capped=(t > 0) & (hi < problem.total * (1 - 1e-12)),
        total=problem.total,
        total_text=f"{format_amount(problem.total + float(fixed.sum()))} {unit}",
        amount=scale,
        shift=np.array([float(row.coefficients @ fixed) for row in rows]),
        ids=ids,
        unit=unit,
        step=None,
    )
    problems = _diagnose(setting, solver=solver, time_limit=time_limit)
    if problems is None:
        return InfeasibleError(
            Problem(
                tr("solve.where_constraints"),
                tr("solve.diag.cannot_hold", labels=_listed(rows)),
            )
        )
    if not problems:  # nothing needs relaxing: the dual search, not the problem, failed
        raise SolverError(Problem(tr("solve.where_solver"), tr("solve.diag.dual_failed")))
    return InfeasibleError(problems)


def diagnose_steps(
    rows: Sequence[Row],
    lower: npt.NDArray[np.int64],
    upper: npt.NDArray[np.int64],
    targets: FloatArray,
    total: int,
    step: Fraction,
    ids: Sequence[str],
    unit: str,
    *,
    solver: str = "auto",
    time_limit: float | None = None,
) -> InfeasibleError | None:
    r"""The same diagnosis in whole steps: None when some amounts of whole ``step``\ s
    within the per-region bounds ``lower``/``upper`` (in steps) add up to ``total`` steps
    and keep every row, else the error naming the rows to relax and by how much.

    The continuous problem can be feasible when this one is not: two groups that each
    need 50.5 of a total of 101 in whole units. The programme is :func:`diagnose`'s with
    whole pattern totals; rows that are plain group totals are rounded inwards to whole
    steps exactly, so a bound a hair past a whole step is not lost to the solver's
    tolerance.

    Examples
    --------
    >>> from fundalloc.constraints import Row, broken_rows
    >>> ab = Row(((Fraction(1), np.array([0, 1])),), Fraction(101, 2), None, 0, "ab", 4)
    >>> cd = Row(((Fraction(1), np.array([2, 3])),), Fraction(101, 2), None, 1, "cd", 4)
    >>> bounds = np.zeros(4, dtype=np.int64), np.full(4, 101, dtype=np.int64)
    >>> err = diagnose_steps([ab, cd], *bounds, np.ones(4), 101, Fraction(1), "abcd", "万元")
    >>> print(err)  # doctest: +NORMALIZE_WHITESPACE
    constraints: ab: the group needs 50.5 万元 but «cd» and the total of 101 万元 allow at
    most 50 万元; short by 0.5 万元 (in whole steps of 1 万元)
    """
    reach = np.where(targets > 0, upper, lower)
    setting = _Setting(
        rows=rows,
        targets=targets,
        lower=lower.astype(np.float64),
        upper=reach.astype(np.float64),
        capped=(targets > 0) & (upper < total),
        total=float(total),
        total_text=f"{format_amount(_decimal(total * step))} {unit}",
        amount=1.0,
        shift=np.zeros(len(rows)),
        ids=ids,
        unit=unit,
        step=step,
    )
    problems = _diagnose(setting, solver=solver, time_limit=time_limit)
    if problems is None:
        return InfeasibleError(
            Problem(
                tr("solve.where_constraints"),
                tr(
                    "solve.diag.no_whole_steps",
                    step=format_amount(_decimal(step)),
                    unit=unit,
                    labels=_listed(rows),
                ),
            )
        )
    return InfeasibleError(problems) if problems else None


def check_whole_steps(
    rows: Sequence[Row],
    units: npt.NDArray[np.int64],
    lower: npt.NDArray[np.int64],
    upper: npt.NDArray[np.int64],
    targets: FloatArray,
    total: int,
    step: Fraction,
    ids: Sequence[str],
    unit: str,
    *,
    solver: str = "auto",
    time_limit: float | None = None,
) -> None:
    r"""Raise :class:`InfeasibleError` naming the rows to relax when no amounts in whole
    ``step``\ s keep every row (see :func:`diagnose_steps`), before the rounding under
    the rows tries to find some.

    ``units`` is the plain rounding: when it breaks no row it is such amounts and nothing
    else is checked, so this costs one exact check of the rows unless the rounding under
    the rows is needed anyway. ``lower``, ``upper`` and ``total`` are in whole steps;
    a region whose ``targets`` entry is not positive stays at its floor.
    """
    if not rows or not broken_rows(rows, units, step):
        return
    error = diagnose_steps(
        rows, lower, upper, targets, total, step, ids, unit, solver=solver, time_limit=time_limit
    )
    if error is not None:
        raise error


def _decimal(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)


@dataclass(frozen=True)
class _Setting:
    """What a diagnosis works on, per region: targets, the floors and what each can reach
    (zero targets held at their floors), which have a cap of their own; the total, the
    unit of the LP's numbers (``amount``: the scale in money, or 1 for whole steps with
    ``step`` given) and each row's settled part ``shift`` (fixed quotas) in money."""

    rows: Sequence[Row]
    targets: FloatArray
    lower: FloatArray
    upper: FloatArray
    capped: npt.NDArray[np.bool_]
    total: float
    total_text: str
    amount: float
    shift: FloatArray
    ids: Sequence[str]
    unit: str
    step: Fraction | None


def _diagnose(s: _Setting, *, solver: str, time_limit: float | None) -> list[Problem] | None:
    """The elastic programme over patterns and the problems it finds (None: the per-region
    bounds alone cannot hold the total, which the callers check before)."""
    rows, n, step = s.rows, len(s.targets), s.step
    dense = np.vstack([row.coefficients for row in rows]) if rows else np.zeros((0, n))
    coefficients, pattern = np.unique(dense, axis=1, return_inverse=True)
    pattern = pattern.reshape(-1)
    count = coefficients.shape[1]
    col_lower = np.bincount(pattern, weights=s.lower, minlength=count).astype(np.float64)
    col_upper = np.bincount(pattern, weights=s.upper, minlength=count).astype(np.float64)
    scale = 1.0 if step is not None else s.amount
    # one constraint per side of each row, each with its elastic variable (a row whose
    # floor is above its cap then asks for the smaller relaxation of the two)
    elastic = [
        (k, side)
        for k, row in enumerate(rows)
        for side in ("lower", "upper")
        if getattr(row, side) is not None
    ]
    bounds = []
    for k, side in elastic:
        given = rows[k].lower if side == "lower" else rows[k].upper
        assert given is not None
        if step is None:
            bounds.append((float(given) - float(s.shift[k])) / scale)
        elif rows[k].is_group_total:
            # a plain group total is a whole number of steps: its bounds are rounded inwards
            # exactly, so the solver's tolerance cannot let a hair through
            in_steps = given / step
            bounds.append(float(math.ceil(in_steps) if side == "lower" else math.floor(in_steps)))
        else:
            bounds.append(float(given / step))
    program = LinearProgram(
        cost=np.concatenate([np.zeros(count), np.ones(len(elastic))]),
        col_lower=np.concatenate([col_lower / scale, np.zeros(len(elastic))]),
        col_upper=np.concatenate([col_upper / scale, np.full(len(elastic), np.inf)]),
        rows=[np.ones(count), *(coefficients[k] for k, _ in elastic)],
        row_lower=[
            s.total / scale,
            *(
                b if side == "lower" else -np.inf
                for b, (_, side) in zip(bounds, elastic, strict=True)
            ),
        ],
        row_upper=[
            s.total / scale,
            *(
                b if side == "upper" else np.inf
                for b, (_, side) in zip(bounds, elastic, strict=True)
            ),
        ],
        extra=[
            {},
            *({count + j: 1.0 if side == "lower" else -1.0} for j, (_, side) in enumerate(elastic)),
        ],
        integer=np.concatenate([np.full(count, step is not None), np.zeros(len(elastic), bool)]),
        what="solve.lp_elastic",
    )
    backend = diagnosis_backend(solver)
    if step is not None:
        # the continuous relaxation first (a few ms; an integer programme over totals in
        # the thousands takes HiGHS tens of ms): whole pattern totals that keep every row
        # exactly prove the whole-step problem feasible, as they usually do (checked
        # exactly, so any backend will do: the fastest at hand)
        quick = "highs" if is_installed("highs") else "scipy"
        status, values = solve_lp(replace(program, integer=False), quick, time_limit=time_limit)
        if status == "optimal" and _keeps(rows, coefficients, pattern, values[:count], s):
            return []
    status, values = solve_lp(program, backend, time_limit=time_limit)
    if status != "optimal":
        return None
    found = _Found(s, coefficients, pattern, values[:count] * scale, col_lower, col_upper)
    # the total takes part in a conflict when more of it (for a floor) or less (for a cap)
    # would relax the row less: re-solve with the total moved by the relaxation needed
    relaxed = values[count:]
    need = float(relaxed.sum())
    helped = np.zeros(len(elastic), dtype=bool)
    for room in ((col_upper.sum() - s.total) / scale, (col_lower.sum() - s.total) / scale):
        move = min(math.ceil(need) if step is not None else need, abs(room))
        move = float(math.floor(move)) if step is not None else move
        if move <= 0:
            continue
        moved = s.total / scale + math.copysign(move, room)
        other = replace(
            program,
            row_lower=[moved, *program.row_lower[1:]],
            row_upper=[moved, *program.row_upper[1:]],
        )
        status, shifted = solve_lp(other, backend, time_limit=time_limit)
        tolerance = 1e-9 if step is not None else _TOLERANCE
        # the whole relaxation must shrink, not only move between rows of equal cost
        if status == "optimal" and shifted[count:].sum() < need - tolerance:
            helped |= shifted[count:] < relaxed - tolerance
    problems = []
    for j, (k, side) in enumerate(elastic):
        row = rows[k]
        exact = row.lower if side == "lower" else row.upper
        assert exact is not None
        bound: Fraction | float = exact
        reached = found.reached(k)
        if step is None:  # in binary64, to the programme's tolerance
            bound, reached = float(exact), float(reached)
        gap = bound - reached if side == "lower" else reached - bound
        if (gap > 0) if step is not None else (gap > _TOLERANCE * s.amount):
            problems.append(found.problem(k, side, gap, reached, total=bool(helped[j])))
    return problems


class _Found:
    """The elastic programme's answer over patterns, and how to describe a relaxed row."""

    def __init__(
        self,
        s: _Setting,
        coefficients: FloatArray,
        pattern: npt.NDArray[np.intp],
        totals: FloatArray,
        col_lower: FloatArray,
        col_upper: FloatArray,
    ) -> None:
        self.s, self.coefficients, self.pattern = s, coefficients, pattern
        if s.step is not None:  # whole pattern totals, and each row's value exactly
            totals = np.round(totals)
            first = np.zeros(coefficients.shape[1], dtype=np.intp)
            first[pattern[::-1]] = np.arange(len(pattern))[::-1]  # a region of each pattern
            self.exact = [_exact_value(row, first, totals) * s.step for row in s.rows]
            tolerance = 0.5
        else:
            tolerance = _TOLERANCE * s.amount
        self.totals = totals
        self.at_upper = totals >= col_upper - tolerance
        self.at_lower = totals <= col_lower + tolerance
        self.values = coefficients @ totals  # each row's variable part

    def reached(self, k: int) -> Fraction | float:
        """Row ``k``'s value in the answer, in money (exactly, in whole steps)."""
        if self.s.step is not None:
            return self.exact[k]
        return float(self.values[k]) + float(self.s.shift[k])

    def tight(self, q: int) -> bool:
        """Whether row ``q`` sits at one of its bounds (in whole steps: less than a step
        inside it)."""
        row, s = self.s.rows[q], self.s
        if s.step is not None:
            value, margin = self.exact[q], s.step
            return (row.lower is not None and 0 <= value - row.lower < margin) or (
                row.upper is not None and 0 <= row.upper - value < margin
            )
        full, tolerance = float(self.reached(q)), _TOLERANCE * s.amount
        return (row.lower is not None and abs(full - float(row.lower)) <= tolerance) or (
            row.upper is not None and abs(float(row.upper) - full) <= tolerance
        )

    def regions(self, chosen: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
        """The regions whose pattern is chosen."""
        out: npt.NDArray[np.bool_] = chosen[self.pattern]
        return out

    def problem(
        self,
        k: int,
        side: str,
        gap: Fraction | float,
        reached: Fraction | float,
        *,
        total: bool,
    ) -> Problem:
        """Row ``k``, relaxed by ``gap`` on ``side``, with what it runs into (``total``:
        the total takes part)."""
        s, row, unit = self.s, self.s.rows[k], self.s.unit
        sign = 1.0 if side == "lower" else -1.0
        up = self.coefficients[k] * sign > 0  # patterns the row needs more of
        down = self.coefficients[k] * sign < 0  # patterns the row needs less of
        if row.is_group_total and not up.any() and not down.any():
            return Problem(
                tr("solve.where_constraints"),
                tr(
                    "solve.diag.no_region_in_group",
                    label=row.label,
                    amount=_money(row.lower or 0),
                    unit=unit,
                ),
            )
        stuck_up, stuck_down = self.regions(up & self.at_upper), self.regions(down & self.at_lower)
        parts: list[Message] = []
        if (stuck_up & s.capped).any():
            parts.append(tr("solve.diag.caps_on", names=_names(s.ids, stuck_up & s.capped)))
        if (stuck_up & (s.targets <= 0)).any():  # held at their floors by the proportional rule
            parts.append(
                tr("solve.diag.no_formula", names=_names(s.ids, stuck_up & (s.targets <= 0)))
            )
        if (stuck_down & (s.lower > 0)).any():
            parts.append(
                tr("solve.diag.floors_on", names=_names(s.ids, stuck_down & (s.lower > 0)))
            )
        parts += [
            tr("solve.diag.row", label=other.label)
            for q, other in enumerate(s.rows)
            if q != k and self.tight(q)
        ]
        outside = self.coefficients[k] == 0
        if total:
            # with the total: the regions outside the row that cannot give (at their floors)
            # or take (at their caps)
            parts.append(tr("solve.diag.total", total=s.total_text))
            giving = self.regions(outside & self.at_lower) & (s.lower > 0)
            if (up & ~self.at_upper).any() and giving.any():
                parts.append(tr("solve.diag.floors_on", names=_names(s.ids, giving)))
            taking = self.regions(outside & self.at_upper) & s.capped
            if (down & ~self.at_lower).any() and taking.any():
                parts.append(tr("solve.diag.caps_on", names=_names(s.ids, taking)))
        if not parts:
            parts.append(tr("solve.diag.others"))
        # English agrees the verb with the conflict: "the caps ... allow", "«row» allows"
        plural = len(parts) > 1 or parts[0].key in _PLURAL
        conflict = (
            parts[0]
            if len(parts) == 1
            else tr("solve.diag.list_last", rest=parts[:-1], last=parts[-1])
        )
        whole: Message | str = (
            tr("solve.diag.whole", step=_money(s.step), unit=unit) if s.step is not None else ""
        )
        places = _places(gap)

        def money(value: Fraction | Decimal | float | int) -> str:
            return _amount(value, places)

        if row.is_group_total and side == "lower":
            assert row.lower is not None
            return Problem(
                tr("solve.where_constraints"),
                tr(
                    "solve.diag.group_short" if plural else "solve.diag.group_short_one",
                    label=row.label,
                    need=money(row.lower),
                    conflict=conflict,
                    reached=money(reached),
                    gap=money(gap),
                    unit=unit,
                    whole=whole,
                ),
            )
        if row.is_group_total:
            assert row.upper is not None
            return Problem(
                tr("solve.where_constraints"),
                tr(
                    "solve.diag.group_over" if plural else "solve.diag.group_over_one",
                    label=row.label,
                    cap=money(row.upper),
                    conflict=conflict,
                    reached=money(reached),
                    gap=money(gap),
                    unit=unit,
                    whole=whole,
                ),
            )
        return Problem(
            tr("solve.where_constraints"),
            tr(
                "solve.diag.row_conflict",
                label=row.label,
                conflict=conflict,
                gap=money(gap),
                unit=unit,
                whole=whole,
            ),
        )


def _keeps(
    rows: Sequence[Row],
    coefficients: FloatArray,
    pattern: npt.NDArray[np.intp],
    totals: FloatArray,
    s: _Setting,
) -> bool:
    """Whether the pattern ``totals`` (in steps) are whole, within the patterns' bounds, add
    up to the total and keep every row, all checked exactly."""
    whole = np.round(totals)
    if np.abs(totals - whole).max(initial=0.0) > 1e-6:
        return False
    count = coefficients.shape[1]
    low = np.bincount(pattern, weights=s.lower, minlength=count)
    high = np.bincount(pattern, weights=s.upper, minlength=count)
    if (whole < low).any() or (whole > high).any() or int(whole.sum()) != int(s.total):
        return False
    assert s.step is not None
    first = np.zeros(count, dtype=np.intp)
    first[pattern[::-1]] = np.arange(len(pattern))[::-1]
    for row in rows:
        value = _exact_value(row, first, whole) * s.step
        if (row.lower is not None and value < row.lower) or (
            row.upper is not None and value > row.upper
        ):
            return False
    return True


def _exact_value(row: Row, first: npt.NDArray[np.intp], totals: FloatArray) -> Fraction:
    """The row's value on whole pattern totals (in steps), in exact arithmetic: each
    pattern's coefficient is that of the term holding one of its regions."""
    coefficient = [Fraction(0)] * len(first)
    for c, index in row.terms:
        inside = np.isin(first, index)
        for p in np.flatnonzero(inside).tolist():
            coefficient[p] = c
    return sum(
        (c * int(total) for c, total in zip(coefficient, totals.tolist(), strict=True)),
        Fraction(0),
    )


def _money(value: Fraction | Decimal | float | int) -> str:
    return _amount(value, 4)


def _amount(value: Fraction | Decimal | float | int, places: int) -> str:
    if isinstance(value, Fraction):
        return format_amount(_decimal(value), places)
    return format_amount(value, places)


def _places(gap: Fraction | float) -> int:
    """Decimals enough to show a gap to two significant digits (at least 4, at most 12),
    so that a floor a hair above a cap is not shown as equal to it."""
    size = float(gap)
    if not size > 0 or size >= 1e-3:
        return 4
    return min(12, max(4, 1 - math.floor(math.log10(size))))


def _names(ids: Sequence[str], mask: npt.NDArray[np.bool_]) -> Message | list[str]:
    """The regions of ``mask``, six at most and a count of the others."""
    names = [ids[int(i)] for i in np.flatnonzero(mask)]
    if len(names) > 6:
        return tr("solve.diag.names_more", names=names[:6], more=len(names) - 6)
    return names


_PLURAL = frozenset({"solve.diag.caps_on", "solve.diag.floors_on", "solve.diag.no_formula"})


def _listed(rows: Sequence[Row]) -> Message:
    """The rows' labels in guillemets, separated by semicolons."""
    out = tr("solve.diag.row", label=rows[0].label)
    for row in rows[1:]:
        out = tr("solve.diag.then", first=out, second=tr("solve.diag.row", label=row.label))
    return out
