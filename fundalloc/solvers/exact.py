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

from fundalloc.errors import InfeasibleError, SolverError

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

    Notes
    -----
    The fast path finds the segment from cumulative sums over the sorted kinks and
    recomputes λ there from direct sums over the floored, free and capped regions.
    Cumulative sums can cancel badly when targets span hundreds of orders of
    magnitude; the total is therefore verified, and if it is off the segment is
    found again by a binary search over the sorted kinks that evaluates ``f``
    directly (``log2(2n)`` passes). Either way the work does not depend on luck.

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
    tolerance = 1e-9 * max(1.0, abs(total))
    if ta.size == 0:
        if abs(fixed - total) <= tolerance:
            return ProportionalSolution(lo.copy(), 0.0)
        raise InfeasibleError(
            f"no region has a positive formula amount, and the floors ({fixed:g}) do not make up "
            f"the total ({total:g})")
    with np.errstate(over="ignore"):     # a subnormal target: the breakpoint is past every λ
        enter = la / ta                  # leaves its floor
        leave = ha / ta                  # reaches its cap (inf when uncapped)
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
    lam = _on_segment(t, lo, hi, total, points, k)
    amounts = np.clip(lam * t, lo, hi)
    if abs(float(amounts.sum()) - total) > tolerance:
        k = _search(t, lo, hi, total, points)
        lam = _on_segment(t, lo, hi, total, points, k)
        amounts = np.clip(lam * t, lo, hi)
        if abs(float(amounts.sum()) - total) > tolerance:
            overflow = (~np.isfinite(enter) & np.isfinite(la)) | (~np.isfinite(leave) & np.isfinite(ha))
            if overflow.any():
                raise SolverError(
                    f"the formula targets span too many orders of magnitude to solve in binary64 "
                    f"(smallest positive {float(ta.min()):g}, largest {float(ta.max()):g}); "
                    "a region's bound lies beyond the largest representable multiplier")
            raise InfeasibleError(f"the bounds cannot hold the total ({total:g}): the amounts "
                                  f"reach {float(amounts.sum()):g} at best")
    return ProportionalSolution(amounts, lam)


def _total_at(lam: float, t: FloatArray, lo: FloatArray, hi: FloatArray) -> float:
    return float(np.clip(lam * t, lo, hi).sum())


def _search(t: FloatArray, lo: FloatArray, hi: FloatArray, total: float, points: FloatArray) -> int:
    """The first kink where the total is reached, by bisection with direct evaluations."""
    first, last = 0, points.size
    while first < last:
        middle = (first + last) // 2
        if _total_at(float(points[middle]), t, lo, hi) < total:
            first = middle + 1
        else:
            last = middle
    return first


def _on_segment(t: FloatArray, lo: FloatArray, hi: FloatArray, total: float, points: FloatArray,
                k: int) -> float:
    """λ on the segment before kink k, from direct sums over who is floored, free or capped."""
    if k == 0:
        return float(points[0])
    left = float(points[k - 1])
    probe = (left + float(points[k])) / 2 if k < points.size else (left * 2 if left > 0 else 1.0)
    scaled = probe * t
    floored = scaled < lo
    capped = scaled > hi
    free = ~(floored | capped) & (t > 0)
    mass = float(t[free].sum())
    if mass <= 0:
        return left
    rest = total - float(lo[floored | ~(t > 0)].sum()) - float(hi[capped].sum())
    lam = rest / mass
    return min(max(lam, left), float(points[k])) if k < points.size else max(lam, left)


class ExactSolver:
    """The exact proportional solver for per-region bounds (always installed)."""

    name = "exact"

    @staticmethod
    def is_installed() -> bool:
        return True

    def solve(self, problem: BoundedProblem) -> ProportionalSolution:
        return solve_proportional(problem)
