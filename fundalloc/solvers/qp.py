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

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from fundalloc.constraints import Row
from fundalloc.errors import InfeasibleError, Problem, SolverError
from fundalloc.money import format_amount
from fundalloc.solvers.exact import BoundedProblem, FloatArray, solve_proportional
from fundalloc.solvers.groups import GroupSolution
from fundalloc.solvers.lp import LinearProgram, backend_for, solve_lp

__all__ = ["diagnose", "solve_rows"]

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
) -> GroupSolution | None:
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
    return GroupSolution(x, lam, multipliers, binding)


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

    Every row gets an elastic variable on the side it limits; the smallest total relaxation
    is found and each relaxed row is reported with the regions pinned at their own caps
    (for a floor) or floors (for a cap) that it runs into.
    """
    t, lo, hi = problem.targets, problem.lower, problem.upper
    n, m = len(t), len(rows)
    scale = max(problem.total, 1.0)
    elastic = [
        (k, side)
        for k, row in enumerate(rows)
        for side in ("lower", "upper")
        if getattr(row, side) is not None
    ]
    row_lower, row_upper = _row_bounds(rows, fixed, scale)
    program = LinearProgram(
        cost=np.concatenate([np.zeros(n), np.ones(len(elastic))]),
        col_lower=np.concatenate([lo / scale, np.zeros(len(elastic))]),
        col_upper=np.concatenate([np.where(t > 0, hi, lo) / scale, np.full(len(elastic), np.inf)]),
        rows=[np.ones(n), *(row.coefficients for row in rows)],
        row_lower=[problem.total / scale, *row_lower],
        row_upper=[problem.total / scale, *row_upper],
        extra=[
            {},
            *(
                {
                    n + j: (1.0 if side == "lower" else -1.0)
                    for j, (kk, side) in enumerate(elastic)
                    if kk == k
                }
                for k in range(m)
            ),
        ],
        what="elastic re-solve",
    )
    status, values = solve_lp(program, backend_for(solver), time_limit=time_limit)
    if status != "optimal":
        return InfeasibleError(Problem("constraints", "the group constraints cannot all hold"))
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
    if not problems:  # nothing needs relaxing: the dual search, not the problem, failed
        raise SolverError(
            "the group constraints can all hold (the elastic re-solve relaxes nothing), but "
            "the dual solver found no optimum: the problem is at the edge of floating-point "
            "tolerances; please report it with the scheme and data"
        )
    return InfeasibleError(problems)


def _tight(row: Row, x: FloatArray, fixed: FloatArray) -> bool:
    value = float(row.coefficients @ (x + fixed))
    scale = max(1.0, abs(value))
    return (row.lower is not None and abs(value - float(row.lower)) <= _TOLERANCE * scale) or (
        row.upper is not None and abs(value - float(row.upper)) <= _TOLERANCE * scale
    )
