"""The exact proportional solver: ``a_i = clip(λ · t_i, lo_i, hi_i)`` with one common λ.

The total ``f(λ) = Σ clip(λ t_i, lo_i, hi_i)`` is continuous, piecewise linear and
non-decreasing in λ. Its kinks are the breakpoints ``lo_i / t_i`` (region i leaves
its floor) and ``hi_i / t_i`` (region i reaches its cap). One sort of the
breakpoints and two cumulative sums give ``f`` at every kink; the segment that
holds the total is found by binary search and λ solves a linear equation there. The
work is one sort, O(n log n), with no iteration count that depends on the data.

Regions with ``t_i = 0`` sit at their floor whatever λ is. When ``f`` is flat at
the total (every region bound), any λ on the flat gives the same amounts; the
smallest is reported.

References
----------
P. Brucker, "An O(n) algorithm for quadratic knapsack problems", *Operations
Research Letters* 3 (1984) 163-166: the same breakpoint structure.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from fundalloc.errors import InfeasibleError

__all__ = ["BoundedProblem", "ExactSolver", "solve_proportional"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class BoundedProblem:
    """Targets, per-region bounds and the total, all in the same unit (floats)."""

    targets: FloatArray
    lower: FloatArray
    upper: FloatArray
    total: float


@dataclass(frozen=True)
class ProportionalSolution:
    """The bounded amounts and the common multiplier λ."""

    amounts: FloatArray
    multiplier: float


def solve_proportional(problem: BoundedProblem) -> ProportionalSolution:
    """Solve ``Σ clip(λ t, lo, hi) = total`` for λ and return the clipped amounts.

    The caller has checked feasibility (``Σ lo <= total <= Σ hi``, ``lo <= hi``);
    a problem that is still infeasible here raises :class:`InfeasibleError`.

    Examples
    --------
    A floor of 30 on the smallest region, funded by scaling the others down:

    >>> p = BoundedProblem(targets=np.array([10.0, 40.0, 50.0]), lower=np.array([30.0, 0, 0]),
    ...                    upper=np.full(3, np.inf), total=100.0)
    >>> s = solve_proportional(p)
    >>> s.amounts.round(6), round(s.multiplier, 6)
    (array([30.      , 31.111111, 38.888889]), 0.777778)
    """
    t, lo, hi, total = problem.targets, problem.lower, problem.upper, problem.total
    active = t > 0
    fixed = float(lo[~active].sum())
    ta, la, ha = t[active], lo[active], hi[active]
    if ta.size == 0:
        if abs(fixed - total) <= 1e-9 * max(1.0, abs(total)):
            return ProportionalSolution(lo.copy(), 0.0)
        raise InfeasibleError(
            f"no region has a positive formula amount, and the floors ({fixed:g}) do not make up "
            f"the total ({total:g})")
    enter = la / ta                      # leaves its floor
    leave = ha / ta                      # reaches its cap (inf when uncapped)
    points = np.concatenate([enter, leave])
    d_const = np.concatenate([-la, np.where(np.isfinite(ha), ha, 0.0)])
    d_slope = np.concatenate([ta, np.where(np.isfinite(ha), -ta, 0.0)])
    finite = np.isfinite(points)
    points, d_const, d_slope = points[finite], d_const[finite], d_slope[finite]
    order = np.argsort(points, kind="stable")
    points = points[order]
    const = fixed + float(la.sum()) + np.cumsum(d_const[order])
    slope = np.cumsum(d_slope[order])
    at_points = const + points * slope           # f at each kink (continuous, non-decreasing)
    k = int(np.searchsorted(at_points, total, side="left"))
    if k == 0:
        lam = float(points[0]) if points.size else 0.0
    elif k < points.size and slope[k - 1] <= 0:
        lam = float(points[k - 1])
    else:
        s = float(slope[k - 1])
        if s <= 0:
            raise InfeasibleError(f"the caps cannot hold the total ({total:g})")
        lam = (total - float(const[k - 1])) / s
        lam = min(max(lam, float(points[k - 1])), float(points[k]) if k < points.size else lam)
    amounts = np.clip(lam * t, lo, hi)
    return ProportionalSolution(amounts, lam)


class ExactSolver:
    """The exact proportional solver for per-region bounds (always installed)."""

    name = "exact"

    @staticmethod
    def is_installed() -> bool:
        return True

    def solve(self, problem: BoundedProblem) -> ProportionalSolution:
        return solve_proportional(problem)
