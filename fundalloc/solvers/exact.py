"""The exact proportional solver: ``a_i = clip(λ · t_i, lo_i, hi_i)`` with one common λ.

The total ``f(λ) = Σ clip(λ t_i, lo_i, hi_i)`` is continuous, piecewise linear and
non-decreasing in λ. Its kinks are the breakpoints ``lo_i / t_i`` (region i leaves
its floor) and ``hi_i / t_i`` (region i reaches its cap).

The solver keeps a bracket ``[λL, λU]`` around the answer, first narrowed by a few
Newton steps from ``λ0 = total / Σ t`` (on typical data they land next to the answer).
A region whose status (at its floor, free, or at its cap) is the same everywhere in
the bracket is folded into two running sums, the fixed amount and the free mass, and
dropped. Each pass evaluates ``f`` at the median of the breakpoints still inside the
bracket (a selection, not a sort) and halves their number, so there are at most
``log2(2n) + 4`` passes, the work is O(n), and neither depends on the data. The sums
only ever add non-negative numbers, so nothing cancels however widely the targets
are spread. On the last bracket ``λ = (total − fixed) / free mass``.

Regions with ``t_i = 0`` sit at their floor whatever λ is. When ``f`` is flat at
the total (every region bound), any λ on the flat gives the same amounts; the
smallest is reported.

References
----------
P. Brucker, "An O(n) algorithm for quadratic knapsack problems", *Operations
Research Letters* 3 (1984) 163-166.
K. C. Kiwiel, "Breakpoint searching algorithms for the continuous quadratic knapsack
problem", *Mathematical Programming* 112 (2008) 473-491.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from fundalloc.errors import InfeasibleError, Problem, SolverError
from fundalloc.i18n import Message, tr

__all__ = ["BoundedProblem", "ExactSolver", "solve_proportional"]

_PROBES = 3

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
    a problem that is still infeasible here raises :class:`InfeasibleError`, and one
    that needs a multiplier beyond binary64 raises :class:`SolverError`.

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
    every = bool(active.all())
    fixed = 0.0 if every else float(lo[~active].sum())  # settled amounts: floors, caps, zeros
    mass = 0.0  # Σ t over regions settled as free
    tt, low, high = (t, lo, hi) if every else (t[active], lo[active], hi[active])
    with np.errstate(over="ignore"):  # a subnormal target: the breakpoint is past every λ
        enter = low / tt  # leaves its floor
        leave = high / tt  # reaches its cap (inf when uncapped)
    overflow = bool(
        ((enter == np.inf) & (low > 0)).any() or ((leave == np.inf) & (high < np.inf)).any()
    )
    smallest, largest = (float(tt.min()), float(tt.max())) if tt.size else (0.0, 0.0)
    lam_lo, lam_hi = 0.0, np.inf
    # Newton probes from λ0 = total / Σt only narrow the bracket (f is piecewise linear, so
    # they usually land next to the answer); the median passes below keep the guarantee.
    mass_all = float(tt.sum())
    lam = (total - fixed) / mass_all if mass_all > 0 else 0.0
    for _ in range(_PROBES):
        if not lam_lo < lam < lam_hi:
            break
        scaled = lam * tt
        at_lam = fixed + float(np.clip(scaled, low, high).sum())
        if at_lam < total:
            lam_lo = lam
        else:
            lam_hi = lam
        slope = float(tt.sum(where=(scaled > low) & (scaled < high)))
        if slope <= 0 or at_lam == total:
            break
        lam += (total - at_lam) / slope
    open_ = np.ones(tt.size, dtype=bool)
    while True:
        capped = open_ & (leave <= lam_lo)
        floored = open_ & (enter >= lam_hi)
        free = open_ & (enter <= lam_lo) & (leave >= lam_hi)
        fixed += float(low.sum(where=floored)) + float(high.sum(where=capped))
        mass += float(tt.sum(where=free))
        open_ &= ~(capped | floored | free)
        count = int(open_.sum())
        if count == 0:
            break
        if count < open_.size // 2:  # compact once half is settled: O(n) gathering in all
            tt, low, high, enter, leave = (x[open_] for x in (tt, low, high, enter, leave))
            open_ = np.ones(count, dtype=bool)
        inside = np.concatenate(
            [
                enter[open_ & (enter > lam_lo) & (enter < lam_hi)],
                leave[open_ & (leave > lam_lo) & (leave < lam_hi)],
            ]
        )
        middle = float(np.partition(inside, inside.size // 2)[inside.size // 2])
        at_middle = fixed + middle * mass + float(np.clip(middle * tt, low, high).sum(where=open_))
        if at_middle < total:
            lam_lo = middle
        else:
            lam_hi = middle
    lam = lam_lo if mass <= 0 else min(max((total - fixed) / mass, lam_lo), lam_hi)
    # a zero target stays at its floor even when λ is beyond binary64 (inf · 0 would be NaN)
    amounts = np.clip(np.multiply(lam, t, out=np.zeros_like(t), where=t > 0), lo, hi)
    reached = float(amounts.sum())
    if abs(reached - total) > 1e-9 * max(1.0, abs(total)):
        if not active.any():
            raise InfeasibleError(
                Problem("", tr("solve.exact.no_target", floors=f"{reached:g}", total=f"{total:g}"))
            )
        if overflow:
            raise SolverError(
                Problem(
                    "",
                    tr("solve.exact.spread", smallest=f"{smallest:g}", largest=f"{largest:g}"),
                )
            )
        raise InfeasibleError(Problem("", _why(problem)))
    return ProportionalSolution(amounts, float(lam))


def _why(problem: BoundedProblem) -> Message:
    """What keeps per-region bounds from holding the total, in numbers (the callers check
    this first and name the bounds; this is the solver's own last word)."""
    t, lo, hi, total = problem.targets, problem.lower, problem.upper, problem.total
    crossed = np.flatnonzero(lo > hi)
    if crossed.size:
        i = int(crossed[0])
        crossing = tr(
            "solve.exact.crossed",
            region=str(i),
            count=str(len(t)),
            floor=f"{lo[i]:g}",
            cap=f"{hi[i]:g}",
        )
        if crossed.size > 1:
            return tr("solve.exact.and_more", text=crossing, more=str(crossed.size - 1))
        return crossing
    floors = float(lo.sum())
    if floors > total:
        return tr("solve.exact.floors", floors=f"{floors:g}", total=f"{total:g}")
    reach = float(np.where(t > 0, hi, lo).sum())
    return tr("solve.exact.caps", caps=f"{reach:g}", total=f"{total:g}")


class ExactSolver:
    """The exact proportional solver for per-region bounds (always installed)."""

    name = "exact"

    @staticmethod
    def is_installed() -> bool:
        return True

    def solve(self, problem: BoundedProblem) -> ProportionalSolution:
        return solve_proportional(problem)
