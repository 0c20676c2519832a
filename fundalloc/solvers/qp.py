"""General constraints across regions: a quadratic programme solved by HiGHS.

The objective keeps the amounts as close as possible to the formula targets in the
proportional sense of the per-region bounds::

    minimise  Σ_i (x_i − t_i)² / t_i
    subject to  Σ_i x_i = total,  lo_i <= x_i <= hi_i,  and every constraint row.

Its optimality conditions give ``x_i = clip(m_i · t_i, lo_i, hi_i)`` with one multiplier
``m_i`` shared by every region except through the rows that bind, so with only
per-region bounds the answer is the exact solver's (checked by a property test) and
with group constraints it is unique (the objective is strictly convex). A region with a
zero target stays at its floor, as in the proportional rule. Variables are box-bounded
and the model has ``1 + rows`` constraints; it is scaled by the total so the numbers
HiGHS sees are shares.

HiGHS works to tolerances; its answer is never money. The pipeline rounds it to whole
steps and checks every row exactly (:meth:`fundalloc.constraints.Row.holds`); when the
plain rounding breaks a row, :func:`round_with_rows` solves a small integer programme
that keeps them all with the total exact. When the rows cannot hold together,
:func:`diagnose` re-solves with every row made elastic and reports which rows must give
way and by how much.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
from collections.abc import Iterator, Sequence
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt

from fundalloc.constraints import Row, broken_rows
from fundalloc.errors import InfeasibleError, Problem, SolverError
from fundalloc.money import format_amount
from fundalloc.optional import require
from fundalloc.solvers.exact import BoundedProblem, FloatArray
from fundalloc.solvers.groups import GroupSolution

__all__ = ["diagnose", "is_installed", "round_with_rows", "solve_rows"]

_TOLERANCE = 1e-7


def is_installed() -> bool:
    """Whether highspy can be imported."""
    try:
        require("highspy", "lp")
    except ImportError:
        return False
    return True


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Silence the banner HiGHS prints on stdout (at the C level) when first created."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _highs(time_limit: float | None) -> Any:
    highspy = require("highspy", "lp")
    try:
        with _quiet():
            h = highspy.Highs()
    except OSError:  # no file descriptor 1 to redirect: let the banner through
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    # one thread: the problems are small per solve, and HiGHS's shared thread pool hung
    # (rarely, at random) when many solvers were created one after another
    h.setOptionValue("threads", 1)
    if time_limit is not None:
        h.setOptionValue("time_limit", float(time_limit))
    return h


def _matrix(rows: Sequence[FloatArray], extra: Sequence[dict[int, float]] = ()) -> tuple[Any, ...]:
    """Row-wise sparse arrays (start, index, value) of dense rows plus sparse extras."""
    start, index, value = [0], [], []
    for k, row in enumerate(rows):
        nz = np.flatnonzero(row)
        index += nz.tolist()
        value += row[nz].tolist()
        if k < len(extra):
            index += list(extra[k])
            value += list(extra[k].values())
        start.append(len(index))
    return (
        np.asarray(start, dtype=np.int32),
        np.asarray(index, dtype=np.int32),
        np.asarray(value, dtype=np.float64),
    )


def _status(h: Any, what: str) -> str:
    highspy = require("highspy", "lp")
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kOptimal:
        return "optimal"
    if status == highspy.HighsModelStatus.kInfeasible:
        return "infeasible"
    if status == highspy.HighsModelStatus.kTimeLimit:
        raise SolverError(f"HiGHS reached its time limit on the {what}")
    raise SolverError(f"HiGHS could not solve the {what}: {h.modelStatusToString(status)}")


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
    problem: BoundedProblem,
    rows: Sequence[Row],
    fixed: FloatArray,
    *,
    time_limit: float | None = None,
) -> GroupSolution | None:
    """The QP answer for the formula part ``x`` (amounts are ``fixed + x``), or None when
    the rows cannot hold together (then call :func:`diagnose`).

    The variables are the ratios ``r_i = x_i / t_i`` (free regions all near λ, so HiGHS
    sees well-scaled numbers however widely the targets spread): minimise
    ``Σ t_i (r_i − 1)²`` with ``Σ t_i r_i = total`` and the rows in ``t_i r_i``."""
    highspy = require("highspy", "lp")
    t, lo, hi = problem.targets, problem.lower, problem.upper
    scale = max(problem.total, 1.0)
    # targets below 1e-12 of the total count as zero and sit at their floor, as zero targets
    # do in the proportional rule: their curvature would be below HiGHS's tolerances
    active = t > 1e-12 * scale
    settled = np.where(active, 0.0, lo)
    ta = t[active] / scale
    m = len(ta)
    model = highspy.HighsModel()
    lp = model.lp_
    lp.num_col_, lp.num_row_ = m, 1 + len(rows)
    lp.col_cost_ = -2.0 * ta
    rest = problem.total - float(settled.sum())
    with np.errstate(over="ignore"):
        lp.col_lower_ = lo[active] / t[active]
        # finite boxes (no region can exceed what is left to allocate): with an infinite
        # bound HiGHS's QP solver calls a region of tiny curvature unbounded
        lp.col_upper_ = np.minimum(hi[active], max(rest, 0.0)) / t[active]
    lower, upper = _row_bounds(rows, fixed + settled, scale)
    lp.row_lower_ = np.asarray([rest / scale, *lower])
    lp.row_upper_ = np.asarray([rest / scale, *upper])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = _matrix(
        [ta, *(row.coefficients[active] * ta for row in rows)]
    )
    hessian = model.hessian_
    hessian.dim_ = m
    hessian.format_ = highspy.HessianFormat.kTriangular
    hessian.start_ = np.arange(m + 1, dtype=np.int32)
    hessian.index_ = np.arange(m, dtype=np.int32)
    hessian.value_ = 2.0 * ta
    h = _highs(time_limit)
    h.passModel(model)
    h.run()
    if _status(h, "allocation with group constraints") == "infeasible":
        return None
    solution = h.getSolution()
    x = settled.copy()
    x[active] = np.clip(np.asarray(solution.col_value) * t[active], lo[active], hi[active])
    duals = np.asarray(solution.row_dual)[1:]
    bound = np.zeros(len(t), dtype=bool)
    bound[active] = np.abs(np.asarray(solution.col_dual)) > 1e-9
    tight = [int(k) for k in np.flatnonzero(np.abs(duals) > 1e-9)]
    x = _polish(x, problem, rows, fixed, active & ~bound, tight)
    binding = np.full(len(t), -1, dtype=np.intp)
    for k in tight:
        binding[(rows[k].coefficients != 0) & (binding < 0)] = k
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(active, x / t, np.nan)
    free = active & (x > lo + _TOLERANCE * scale) & (x < hi - _TOLERANCE * scale)
    plain = free & (binding < 0)
    pool = ratio[plain] if plain.any() else ratio[free] if free.any() else ratio[active]
    lam = float(np.median(pool)) if pool.size else 1.0
    multipliers = np.where(free & (binding >= 0), ratio, lam)
    return GroupSolution(x, lam, multipliers, binding)


def _polish(
    x: FloatArray,
    problem: BoundedProblem,
    rows: Sequence[Row],
    fixed: FloatArray,
    free: npt.NDArray[np.bool_],
    tight: list[int],
) -> FloatArray:
    """The exact optimum on HiGHS's active set, or ``x`` when it does not hold there.

    HiGHS's QP answer is good to about 1e-5 of the total. Its active set (which regions
    sit at a bound, which rows bind) fixes the form of the optimum: a free region gets
    ``t_i (μ + Σ_k a_ki ν_k)`` over the binding rows ``k``. The multipliers solve a small
    linear system (one equation per binding row and the total), which gives the amounts
    to rounding error, as the exact solver does."""
    if not free.any():
        return x
    t = problem.targets
    matrix = np.vstack([np.ones(len(t)), *(rows[k].coefficients for k in tight)])
    goal = [problem.total]
    for k in tight:
        row = rows[k]
        shift = float(row.coefficients @ fixed)
        value = float(row.coefficients @ x)
        sides = [float(b) - shift for b in (row.lower, row.upper) if b is not None]
        goal.append(min(sides, key=lambda side: abs(side - value)))
    settled = np.where(free, 0.0, x)
    rhs = np.asarray(goal) - matrix @ settled
    weighted = matrix[:, free] * t[free]
    system = weighted @ matrix[:, free].T
    try:
        multipliers = np.linalg.solve(system, rhs)
    except np.linalg.LinAlgError:
        return x
    polished = settled.copy()
    polished[free] = t[free] * (matrix[:, free].T @ multipliers)
    slack = 1e-9 * max(problem.total, 1.0)
    if (polished < problem.lower - slack).any() or (polished > problem.upper + slack).any():
        return x  # not this active set after all: keep HiGHS's answer
    for row in rows:
        value = float(row.coefficients @ (polished + fixed))
        if (row.lower is not None and value < float(row.lower) - slack) or (
            row.upper is not None and value > float(row.upper) + slack
        ):
            return x
    return np.clip(polished, problem.lower, problem.upper)


def diagnose(
    problem: BoundedProblem,
    rows: Sequence[Row],
    fixed: FloatArray,
    ids: Sequence[str],
    unit: str,
    *,
    time_limit: float | None = None,
) -> InfeasibleError:
    """Which rows must be relaxed, and by how much, for the allocation to exist.

    Every row gets an elastic variable on the side it limits; the smallest total relaxation
    is found and each relaxed row is reported with the regions pinned at their own caps
    (for a floor) or floors (for a cap) that it runs into.
    """
    highspy = require("highspy", "lp")
    t, lo, hi = problem.targets, problem.lower, problem.upper
    n, m = len(t), len(rows)
    scale = max(problem.total, 1.0)
    h = _highs(time_limit)
    lp = highspy.HighsLp()
    elastic = [
        (k, side)
        for k, row in enumerate(rows)
        for side in ("lower", "upper")
        if getattr(row, side) is not None
    ]
    lp.num_col_, lp.num_row_ = n + len(elastic), 1 + m
    lp.col_cost_ = np.concatenate([np.zeros(n), np.ones(len(elastic))])
    lp.col_lower_ = np.concatenate([lo / scale, np.zeros(len(elastic))])
    upper_x = np.where(t > 1e-12 * scale, hi, lo) / scale
    lp.col_upper_ = np.concatenate([upper_x, np.full(len(elastic), np.inf)])
    lower, upper = [problem.total / scale], [problem.total / scale]
    extra: list[dict[int, float]] = [{}]
    row_lower, row_upper = _row_bounds(rows, fixed, scale)
    lower += row_lower
    upper += row_upper
    for k in range(len(rows)):
        extra.append(
            {
                n + j: (1.0 if side == "lower" else -1.0)
                for j, (kk, side) in enumerate(elastic)
                if kk == k
            }
        )
    lp.row_lower_, lp.row_upper_ = np.asarray(lower), np.asarray(upper)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = _matrix(
        [np.ones(n), *(row.coefficients for row in rows)], extra
    )
    h.passModel(lp)
    h.run()
    if _status(h, "elastic re-solve") != "optimal":
        return InfeasibleError(Problem("constraints", "the group constraints cannot all hold"))
    values = np.asarray(h.getSolution().col_value)
    x = values[:n] * scale
    problems = []
    for j, (k, side) in enumerate(elastic):
        gap = values[n + j] * scale
        if gap <= _TOLERANCE * scale:
            continue
        row = rows[k]
        inside = row.coefficients > 0
        pinned = inside & (
            (x >= hi - _TOLERANCE * scale) if side == "lower" else (x <= lo + _TOLERANCE * scale)
        )
        names = [ids[int(i)] for i in np.flatnonzero(pinned)]
        others = [rows[q].label for q in range(m) if q != k and _tight(rows[q], x, fixed)]
        what = "caps" if side == "lower" else "floors"
        parts = []
        if names:
            shown = ", ".join(names[:6]) + (f" and {len(names) - 6} more" if len(names) > 6 else "")
            parts.append(f"the {what} on {shown}")
        parts += [f"«{label}»" for label in others]
        conflict = " and ".join(parts) or f"the {what} of the other regions"
        problems.append(
            Problem(
                "constraints",
                f"{row.label} conflicts with {conflict} by {format_amount(gap)} {unit}: "
                f"relax it (or them) by at least that much",
            )
        )
    if not problems:  # nothing needs relaxing: the first answer was HiGHS's tolerance
        raise SolverError(
            "HiGHS reported the allocation infeasible, but its elastic re-solve needs no "
            "relaxation: the problem is at the edge of HiGHS's tolerances"
        )
    return InfeasibleError(problems)


def _tight(row: Row, x: FloatArray, fixed: FloatArray) -> bool:
    value = float(row.coefficients @ (x + fixed))
    scale = max(1.0, abs(value))
    return (row.lower is not None and abs(value - float(row.lower)) <= _TOLERANCE * scale) or (
        row.upper is not None and abs(value - float(row.upper)) <= _TOLERANCE * scale
    )


def round_with_rows(
    quotas: FloatArray,
    lower: npt.NDArray[np.int64],
    upper: npt.NDArray[np.int64],
    total: int,
    rows: Sequence[Row],
    step: Fraction,
    *,
    time_limit: float | None = None,
) -> npt.NDArray[np.int64]:
    """Whole units within the bounds, adding up to ``total``, that keep every row exactly,
    as close as possible to the quotas: each region gets its quota rounded down or up, and
    the integer programme picks the round-ups that cost least (``1 − 2·fraction``), ties to
    the lower region-id index. Raises :class:`SolverError` when no such rounding exists."""
    highspy = require("highspy", "lp")
    n = len(quotas)
    low = np.clip(np.floor(quotas).astype(np.int64), lower, upper)
    high = np.clip(np.ceil(quotas).astype(np.int64), lower, upper)
    fraction = quotas - np.floor(quotas)
    # a tiny cost by position makes the optimum unique: among equal fractions, lower index first
    cost = (1.0 - 2.0 * fraction) + np.arange(n) * (1e-9 / max(n, 1))
    h = _highs(time_limit)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, 1 + len(rows)
    lp.col_cost_ = cost
    lp.col_lower_, lp.col_upper_ = low.astype(np.float64), high.astype(np.float64)
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n
    # in whole steps, exactly: a row of whole coefficients holds iff it holds for the
    # bound rounded inwards (a ratio row's bound is 0, already whole)
    lower_rows, upper_rows = [float(total)], [float(total)]
    for row in rows:
        lower_rows.append(-np.inf if row.lower is None else float(math.ceil(row.lower / step)))
        upper_rows.append(np.inf if row.upper is None else float(math.floor(row.upper / step)))
    lp.row_lower_, lp.row_upper_ = np.asarray(lower_rows), np.asarray(upper_rows)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = _matrix(
        [np.ones(n), *(row.coefficients for row in rows)]
    )
    h.passModel(lp)
    h.run()
    if _status(h, "rounding with group constraints") != "optimal":
        raise SolverError(
            "no rounding to whole steps keeps every group constraint with each region "
            "rounded down or up; widen a group constraint by one step"
        )
    units: npt.NDArray[np.int64] = np.rint(np.asarray(h.getSolution().col_value)).astype(np.int64)
    broken = broken_rows(rows, units, step)
    if int(units.sum()) != total or broken:
        raise SolverError(
            "the integer rounding from HiGHS does not hold exactly: "
            + ("; ".join(broken) or f"{int(units.sum())} units instead of {total}")
        )
    return units
