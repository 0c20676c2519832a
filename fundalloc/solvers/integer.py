"""Rounding to whole steps that keeps every constraint row: a small integer programme.

When the plain largest-remainder rounding breaks a group constraint (and the groups
overlap, so :func:`fundalloc.solvers.groups.round_by_groups` does not apply),
:func:`round_with_rows` chooses which regions round up so that every row holds exactly
and the total is exact, at the least cost ``Σ (1 − 2·fraction_i)`` over the regions
rounded up — the cost largest remainder minimises when there are no rows.

The integer programme is not stated over the regions. Regions with the same
coefficients in every row (the same *pattern*: "border county in the border city",
"border county elsewhere", ...) are interchangeable in the constraints, so only how many
of each pattern round up matters, and for a given count ``k`` the cheapest choice is the
pattern's ``k`` largest fractions. The cost of a pattern is then a convex, piecewise
linear function ``F_p(k)`` with whole breakpoints, and the programme is

    minimise Σ_p z_p  subject to  z_p >= each linear piece of F_p,
    Σ_p k_p = the units left after rounding down,  every row on the counts,  k_p whole,

with one whole variable per pattern (two overlapping groups make at most four). ``F_p``
has a piece per region, so the pieces are added as they are needed (Kelley's cutting
planes): a few around the plain rounding's counts first, then, while the answer's ``z_p``
is below ``F_p(k_p)``, the two pieces at ``k_p``. Each programme is a lower bound, so the
first answer with ``z_p = F_p(k_p)`` everywhere is optimal. An integer programme over the
``n`` regions took 135 s at ``n = 10**5``, a continuous variable per region 112 s; see
``benchmarks/bench_groups.py`` for this one.

When no rounding down or up keeps the rows (a constraint within a rounding error of the
continuous answer, such as a share of 1/3 of the total stored as 0.333…), regions may
move further, at the cost of their distance ``Σ |x_i − q_i|`` from their quotas: each
step beyond a region's rounded-up quota, or below its rounded-down one, costs 1. Within
a pattern, those steps go to the lowest indices up and the highest down.

Ties. Among equally cheap answers the lower index gets the money: within a pattern by
the order above, and between patterns by moving one step at a time from one pattern to
another while it keeps every row and costs exactly the same. The same moves, when they
cost less, correct the solvers' tolerance (about 1e-9: a fraction of 1e-11 and one of
1e-14 look alike to them), so HiGHS and CBC give the same answer.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from fundalloc.constraints import IntArray, Row, broken_rows
from fundalloc.errors import SolverError
from fundalloc.solvers.exact import FloatArray
from fundalloc.solvers.lp import LinearProgram, backend_for, solve_lp

__all__ = ["round_with_rows"]

# z_p within this of F_p(k_p) (relative to the costs) is F_p(k_p)
_EXACT = 1e-11
# Kelley's method adds at least one piece per round, so this bounds the rounds far above
# what it needs (a handful); reached, it is a solver error rather than a loop
_ROUNDS = 200


def round_with_rows(
    quotas: FloatArray,
    lower: IntArray,
    upper: IntArray,
    total: int,
    rows: Sequence[Row],
    step: Fraction,
    *,
    solver: str = "auto",
    time_limit: float | None = None,
) -> IntArray:
    """Whole units within ``lower``/``upper``, adding up to ``total``, that keep every row
    exactly, as close as possible to the quotas.

    Each region gets its quota rounded down or up, and the integer programme picks the
    round-ups that cost least (``1 − 2·fraction``), equal fractions to the lower index
    (between patterns, when moving one round-up keeps the rows); when no such
    rounding keeps the rows, regions may move further at the cost of their distance from
    the quota (see the module docstring).

    Parameters
    ----------
    quotas : ndarray of float
        Each region's continuous amount in steps (within its bounds).
    lower, upper : ndarray of int
        Each region's floor and cap in whole steps.
    total : int
        The total in whole steps.
    rows : sequence of Row
        The constraint rows, checked exactly on the answer.
    step : Fraction
        The rounding step, for the rows' bounds.
    solver : {"auto", "highs", "cbc"}
        The backend of the integer programme (see :func:`fundalloc.solvers.lp.backend_for`).
    time_limit : float, optional
        Seconds for each integer programme.

    Returns
    -------
    ndarray of int
        The whole steps per region.

    Raises
    ------
    SolverError
        When no rounding keeps every row, or the solver stops on its time limit.

    Examples
    --------
    Three regions with quotas of 1.3, 1.3 and 2.4 steps and 5 steps to hand out: largest
    remainder would round the third up, but the first two must get at least 3 together,
    so one of them rounds up instead (equal fractions: the lower index).

    >>> import numpy as np
    >>> from fractions import Fraction
    >>> from fundalloc.constraints import Row
    >>> first_two = Row(((Fraction(1), np.array([0, 1])),), Fraction(3), None, 0, "g", 3)
    >>> bounds = np.zeros(3, dtype=np.int64), np.full(3, 9, dtype=np.int64)
    >>> round_with_rows(np.array([1.3, 1.3, 2.4]), *bounds, 5, [first_two], Fraction(1)).tolist()
    [2, 1, 2]
    """
    problem = _problem(quotas, lower, upper, rows, total)
    backend = backend_for(solver)
    patterns = problem.patterns(None)
    counts = _counts(problem, patterns, rows, step, backend, time_limit)
    if counts is None:
        patterns = problem.patterns((lower, upper))
        counts = _counts(problem, patterns, rows, step, backend, time_limit)
        if counts is None:
            raise SolverError(
                "no rounding to whole steps keeps every group constraint within the "
                "floors and caps; widen a group constraint by one step"
            )
    counts = _settle(problem, patterns, counts, rows, step)
    units = problem.low.copy()
    for pattern, count in zip(patterns, counts.tolist(), strict=True):
        units[pattern.members] += pattern.steps(count)
    broken = broken_rows(rows, units, step)
    if int(units.sum()) != total or broken:
        raise SolverError(
            "the integer rounding from the LP solver does not hold exactly: "
            + ("; ".join(broken) or f"{int(units.sum())} units instead of {total}")
        )
    return units


@dataclass(frozen=True)
class _Pattern:
    """The regions of one pattern and ``F(k)``, what they cost when ``k`` steps go up
    from their rounded-down quotas (negative: down), ``lowest <= k <= highest``.

    ``choices`` are the members that can round up, cheapest first (then by index), at
    ``values`` each; ``up``/``down`` is how far each member (in ``members`` order) may go
    beyond its rounded-up quota / below its rounded-down one (zero unless widened), at a
    cost of 1 a step.
    """

    members: IntArray
    choices: IntArray
    values: FloatArray
    up: IntArray
    down: IntArray
    prefix: FloatArray = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "prefix", np.concatenate([[0.0], np.cumsum(self.values)]))

    @property
    def lowest(self) -> int:
        return -int(self.down.sum())

    @property
    def highest(self) -> int:
        return len(self.choices) + int(self.up.sum())

    @property
    def least(self) -> float:
        """The least value of ``F`` (0 at 0, rising below 0 and beyond the round-ups)."""
        return float(self.prefix.min())

    def __call__(self, k: int) -> float:
        top = len(self.choices)
        if k < 0:
            return float(-k)
        if k > top:
            return float(self.prefix[top]) + (k - top)
        return float(self.prefix[k])

    def piece(self, j: int) -> tuple[float, float]:
        """The line ``slope · k + intercept`` through ``F(j − 1)`` and ``F(j)``."""
        slope = self(j) - self(j - 1)
        return slope, self(j - 1) - slope * (j - 1)

    def next_step(self, k: int) -> tuple[float, int]:
        """What going from ``k`` to ``k + 1`` costs and which region it moves."""
        top = len(self.choices)
        if 0 <= k < top:
            return float(self.values[k]), int(self.choices[k])
        if k >= top:  # the (k − top)-th step beyond, from the lowest index
            at = np.searchsorted(np.cumsum(self.up), k - top, side="right")
            return 1.0, int(self.members[at])
        # undoing the (−k − 1)-th step below, taken from the highest index
        at = np.searchsorted(np.cumsum(self.down[::-1]), -k - 1, side="right")
        return -1.0, int(self.members[::-1][at])

    def steps(self, k: int) -> IntArray:
        """Each member's steps up (negative: down) from its rounded-down quota."""
        top = len(self.choices)
        position = np.searchsorted(self.members, self.choices)
        moved = np.zeros(len(self.members), dtype=np.int64)
        if k <= top:
            moved[position[: max(k, 0)]] = 1
            moved[::-1] -= _spread(max(-k, 0), self.down[::-1])
        else:
            moved[position] = 1
            moved += _spread(k - top, self.up)
        return moved


@dataclass(frozen=True)
class _Rounding:
    """The rounding problem in whole steps, by pattern.

    ``low``/``high``: each region's quota rounded down / up, within its bounds;
    ``value``: what rounding it up costs (``1 − 2·fraction``); ``coefficients``: one row
    of coefficients per pattern, in floats and exactly (``exact[r][p]``); ``offset``: each
    row's value at ``low``, exactly; ``members``/``choices``: each pattern's regions (by
    index) and those that can round up (cheapest first, then by index); ``start``: the
    plain rounding's count per pattern; ``free``: the steps left after rounding down.
    """

    low: IntArray
    high: IntArray
    value: FloatArray
    coefficients: FloatArray  # (patterns, rows)
    exact: list[list[Fraction]]
    offset: list[Fraction]
    members: list[IntArray]
    choices: list[IntArray]
    start: IntArray
    free: int

    def patterns(self, widened: tuple[IntArray, IntArray] | None) -> list[_Pattern]:
        """The patterns, with room beyond rounding down or up when ``widened`` gives the
        bounds."""
        out = []
        for members, choices in zip(self.members, self.choices, strict=True):
            none = np.zeros(len(members), dtype=np.int64)
            up = down = none
            if widened is not None:
                lower, upper = widened
                up, down = upper[members] - self.high[members], self.low[members] - lower[members]
            out.append(_Pattern(members, choices, self.value[choices], up, down))
        return out


def _problem(
    quotas: FloatArray, lower: IntArray, upper: IntArray, rows: Sequence[Row], total: int
) -> _Rounding:
    n = len(quotas)
    floor = np.floor(quotas)
    low = np.clip(floor.astype(np.int64), lower, upper)
    high = np.clip(np.ceil(quotas).astype(np.int64), lower, upper)
    value = 1.0 - 2.0 * (quotas - floor)
    matrix = np.array([row.coefficients for row in rows], dtype=np.float64).reshape(len(rows), n)
    coefficients, pattern = np.unique(matrix.T, axis=0, return_inverse=True)
    pattern = pattern.reshape(n)
    count = len(coefficients)
    offset = [
        sum((c * int(low[index].sum()) for c, index in row.terms), Fraction(0)) for row in rows
    ]
    members = np.split(np.argsort(pattern, kind="stable"), _starts(pattern, count))
    can_rise = np.flatnonzero(high > low)
    cheapest = can_rise[np.lexsort((can_rise, value[can_rise], pattern[can_rise]))]
    choices = np.split(cheapest, _starts(pattern[cheapest], count))
    exact = [[_coefficient(row, int(m[0])) for m in members] for row in rows]
    # the plain rounding's counts: the globally cheapest round-ups for the total
    free = total - int(low.sum())
    left = min(max(free, 0), len(can_rise))
    plain = can_rise[np.lexsort((can_rise, value[can_rise]))][:left]
    start = np.bincount(pattern[plain], minlength=count).astype(np.int64)
    return _Rounding(low, high, value, coefficients, exact, offset, members, choices, start, free)


def _coefficient(row: Row, region: int) -> Fraction:
    """The exact coefficient of ``region`` in ``row``."""
    for c, index in row.terms:
        at = int(np.searchsorted(index, region))
        if at < len(index) and index[at] == region:
            return c
    return Fraction(0)


@dataclass
class _Cuts:
    """The pieces of each pattern's ``F`` the programme has so far, as rows
    ``z_p − slope·k_p >= intercept`` over the columns ``k_0 … k_{P−1}, z_0 … z_{P−1}``."""

    patterns: list[_Pattern]
    rows: list[dict[int, float]] = field(default_factory=list)
    bounds: list[float] = field(default_factory=list)
    seen: set[tuple[int, int]] = field(default_factory=set)

    def add(self, p: int, k: int) -> bool:
        """Add the pieces on both sides of ``k``; whether any was new."""
        pattern, added = self.patterns[p], False
        for j in (k, k + 1):
            if pattern.lowest < j <= pattern.highest and (p, j) not in self.seen:
                self.seen.add((p, j))
                slope, intercept = pattern.piece(j)
                self.rows.append({len(self.patterns) + p: 1.0, p: -slope})
                self.bounds.append(intercept)
                added = True
        return added


def _counts(
    problem: _Rounding,
    patterns: list[_Pattern],
    rows: Sequence[Row],
    step: Fraction,
    backend: str,
    time_limit: float | None,
) -> IntArray | None:
    """How many steps each pattern moves up from ``low`` (negative: down) at the least
    cost, or None when no counts keep the rows."""
    cuts = _Cuts(patterns)
    for p, pattern in enumerate(patterns):
        lo, hi = pattern.lowest, pattern.highest
        start = min(max(int(problem.start[p]), lo), hi)
        for k in (start, lo, hi):
            cuts.add(p, k)
        for power in range(max(hi - lo, 1).bit_length()):
            cuts.add(p, max(start - 2**power, lo))
            cuts.add(p, min(start + 2**power, hi))
    # the total and the constraint rows, on the counts
    count = len(patterns)
    fixed: list[dict[int, float]] = [dict.fromkeys(range(count), 1.0)]
    free = float(problem.free)
    row_lower, row_upper = [free], [free]
    for r, constraint in enumerate(rows):
        fixed.append({p: float(c) for p, c in enumerate(problem.coefficients[:, r]) if c})
        offset, lo_bound, hi_bound = problem.offset[r], constraint.lower, constraint.upper
        row_lower.append(
            -np.inf if lo_bound is None else float(math.ceil(lo_bound / step) - offset)
        )
        row_upper.append(
            np.inf if hi_bound is None else float(math.floor(hi_bound / step) - offset)
        )
    whole = np.arange(2 * count) < count
    for _ in range(_ROUNDS):
        program = LinearProgram(
            cost=(~whole).astype(np.float64),
            col_lower=np.array([*(p.lowest for p in patterns), *(p.least for p in patterns)]),
            col_upper=np.array([*(p.highest for p in patterns), *[np.inf] * count], dtype=float),
            rows=[*fixed, *cuts.rows],
            row_lower=[*row_lower, *cuts.bounds],
            row_upper=[*row_upper, *[np.inf] * len(cuts.rows)],
            integer=whole,
            what="rounding with group constraints",
        )
        status, values = solve_lp(program, backend, time_limit=time_limit)
        if status != "optimal":
            return None
        counts = np.rint(values[:count]).astype(np.int64)
        slack = _EXACT * max(1.0, float(np.abs(values[count:]).max()))
        short = [
            p for p, k in enumerate(counts.tolist()) if patterns[p](k) > values[count + p] + slack
        ]
        if not short or not any([cuts.add(p, int(counts[p])) for p in short]):
            return counts
    raise SolverError(
        f"the integer rounding did not converge in {_ROUNDS} rounds of the {backend} solver"
    )


def _settle(
    problem: _Rounding,
    patterns: list[_Pattern],
    counts: IntArray,
    rows: Sequence[Row],
    step: Fraction,
) -> IntArray:
    """The solver's counts, settled exactly: while one step of a pattern can move to
    another, keeping every row, and it then costs less, or the same with a region of lower
    index gaining, move it.

    The solvers compare costs to a tolerance (about 1e-9), so where two answers' costs
    differ by less (fractions of 1e-14 and 1e-11) or not at all (equal fractions), HiGHS
    and CBC may pick differently; these moves make the usual cases come out the same and
    exact. Each move lowers the cost, or keeps it and lowers the sum of the indices that
    gain, so it ends.
    """
    counts = counts.copy()
    every = range(len(patterns))

    def keeps(trial: IntArray) -> bool:
        for r, row in enumerate(rows):
            value = step * (
                problem.offset[r] + sum(problem.exact[r][p] * int(trial[p]) for p in every)
            )
            if (row.lower is not None and value < row.lower) or (
                row.upper is not None and value > row.upper
            ):
                return False
        return True

    def move() -> IntArray | None:
        for p in every:
            if counts[p] <= patterns[p].lowest:
                continue
            given = patterns[p].next_step(int(counts[p]) - 1)
            for q in every:
                if q == p or counts[q] >= patterns[q].highest:
                    continue
                taken = patterns[q].next_step(int(counts[q]))
                if taken[0] < given[0] or (taken[0] == given[0] and taken[1] < given[1]):
                    trial = counts.copy()
                    trial[p] -= 1
                    trial[q] += 1
                    if keeps(trial):
                        return trial
        return None

    while (moved := move()) is not None:
        counts = moved
    return counts


def _starts(pattern: npt.NDArray[np.intp], patterns: int) -> npt.NDArray[np.intp]:
    """Where each pattern after the first starts in ``pattern`` sorted."""
    return np.searchsorted(np.sort(pattern), np.arange(1, patterns))


def _spread(amount: int, room: IntArray) -> IntArray:
    """``amount`` split over ``room`` in order, each taking all the room it has."""
    before = np.cumsum(room) - room
    spread: IntArray = np.clip(amount - before, 0, room)
    return spread
