"""Rounding to whole steps that keeps every constraint row: a small integer programme.

When the plain largest-remainder rounding breaks a group constraint (and the groups
overlap, so :func:`fundalloc.rounding.groups.round_by_groups` does not apply),
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

Exact at any scale: each quota's floor and fraction are decided on its exact value (the
quotas may be :class:`~fundalloc.rounding.Quotas`), as largest remainder decides them, so
every region starts from its exact quota rounded down.

Ties, as largest remainder breaks them (:mod:`fundalloc.rounding`): fractions within
:func:`~fundalloc.rounding.tie_tolerance` of the total of each other are equal (the costs lie
on a grid of twice that), and among equal ones the larger quota, then the lower index, rounds
up first. Within a pattern that is the order of its round-ups;
between patterns, one step at a time moves from one pattern to another while that keeps
every row and costs less or the same with a preferred step. The same moves correct the
solvers' tolerance (about 1e-9), so HiGHS and CBC give the same amounts, except on a tie
that only several patterns moving together can settle (every single move breaks a row):
there each solver's choice stands, at the same cost.

When the solver's tolerance lets a row break by a hair (a ratio of 0.35714286 whose
bound lies 4e-8 past a whole count), the exact check catches it and the row's bound is
moved past that answer, a little further each time, and the programme solved again.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from fundalloc.constraints import IntArray, Row
from fundalloc.errors import Problem, SolverError
from fundalloc.i18n import tr
from fundalloc.rounding.quotas import FloatArray, Quotas, _Cache, _floors, tie_tolerance
from fundalloc.solvers.lp import LinearProgram, backend_for, solve_lp

__all__ = ["round_with_rows"]

# z_p within this of F_p(k_p) (relative to the costs) is F_p(k_p)
_EXACT = 1e-11
# Kelley's method adds at least one piece per round, so this bounds the rounds far above
# what it needs (a handful); reached, it is a solver error rather than a loop
_ROUNDS = 200
# re-solves after the solver's tolerance let a row break (each moves a bound further)
_REPAIRS = 30


def round_with_rows(
    quotas: FloatArray | Quotas,
    lower: IntArray,
    upper: IntArray,
    total: int,
    rows: Sequence[Row],
    step: Fraction,
    *,
    solver: str = "auto",
    time_limit: float | None = None,
    targets: FloatArray | None = None,
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
    quotas : ndarray of float or Quotas
        Each region's continuous amount in steps (within its bounds), exact: a float is
        the dyadic rational it holds; :class:`~fundalloc.rounding.Quotas` carries amounts
        binary64 cannot hold. Floors and fractions are decided on the exact values.
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
        Seconds for each integer programme (a few per rounding: see the module
        docstring). CBC through PuLP 3 reports a feasible answer at its time limit as
        optimal, so with CBC a time limit can give a dearer rounding (still exact).
    targets : ndarray of float, optional
        The regions' targets: a region whose target is 0 stays at its floor, as in
        :func:`fundalloc.rounding.round_units`.

    Returns
    -------
    ndarray of int
        The whole steps per region.

    Raises
    ------
    SolverError
        When no rounding keeps every row, or HiGHS stops on its time limit.

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
    if not len(quotas):
        return np.zeros(0, dtype=np.int64)
    if targets is not None:  # as in the proportional rule, no target: held at the floor
        upper = np.where(targets > 0, upper, lower)
    problem = _problem(quotas, lower, upper, rows, total)
    backend = backend_for(solver)
    lowers, uppers = _limits(problem, rows, step)
    widened: tuple[IntArray, IntArray] | None = None
    tightened = [0] * len(rows)
    for _ in range(_REPAIRS):
        patterns = problem.patterns(widened)
        counts = _counts(problem, patterns, lowers, uppers, backend, time_limit)
        if counts is None and widened is None:
            widened = (lower, upper)
            continue
        if counts is None:
            raise SolverError(Problem("", tr("rounding.rows_none")))
        counts = _settle(problem, patterns, counts, rows, step)
        units = problem.low.copy()
        for pattern, count in zip(patterns, counts.tolist(), strict=True):
            units[pattern.members] += pattern.steps(count)
        if int(units.sum()) != total:
            raise SolverError(
                Problem("", tr("rounding.rows_total", got=int(units.sum()), total=total))
            )
        broken = [r for r, row in enumerate(rows) if not row.holds(units, step)]
        if not broken:
            return units
        # the solver accepted a row broken by less than its tolerance (a ratio such as
        # 0.35714286 whose exact bound lies 4e-8 past a whole count): move that row's
        # bound past the answer, a little further each time, and solve again
        for r in broken:
            exact = problem.exact[r]
            moved = sum((exact[p] * int(k) for p, k in enumerate(counts)), Fraction(0))
            floor = rows[r].lower
            below = floor is not None and step * (problem.offset[r] + moved) < floor
            tightened[r] += 1
            margin = 2e-7 * max(1.0, abs(float(moved))) * 2 ** tightened[r]
            if below:
                lowers[r] = max(lowers[r], float(moved)) + margin
            else:
                uppers[r] = min(uppers[r], float(moved)) - margin
    raise SolverError(
        Problem(
            "",
            tr(
                "rounding.rows_repairs",
                repairs=_REPAIRS,
                rows=[row.label for row in rows if not row.holds(units, step)],
            ),
        )
    )


@dataclass(frozen=True)
class _Pattern:
    """The regions of one pattern and ``F(k)``, what they cost when ``k`` steps go up
    from their rounded-down quotas (negative: down), ``lowest <= k <= highest``.

    ``choices`` are the members that can round up, cheapest first (then larger quota, then
    lower index, as largest remainder breaks ties), at ``values`` each, with ``quotas``;
    ``up``/``down`` is how far each member (in ``members`` order) may go beyond its
    rounded-up quota / below its rounded-down one (zero unless widened), at a cost of 1 a
    step.
    """

    members: IntArray
    choices: IntArray
    values: FloatArray
    quotas: FloatArray
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

    def next_step(self, k: int) -> tuple[float, float, int]:
        """Going from ``k`` to ``k + 1``: what it costs, then the tie-break (minus the
        quota of a region rounding up) and the region it moves. Of two such steps the
        smaller key is the one largest remainder would take first."""
        top = len(self.choices)
        if 0 <= k < top:
            return float(self.values[k]), -float(self.quotas[k]), int(self.choices[k])
        if k >= top:  # the (k − top)-th step beyond, from the lowest index
            at = np.searchsorted(np.cumsum(self.up), k - top, side="right")
            return 1.0, 0.0, int(self.members[at])
        # undoing the (−k − 1)-th step below, taken from the highest index
        at = np.searchsorted(np.cumsum(self.down[::-1]), -k - 1, side="right")
        return -1.0, 0.0, int(self.members[::-1][at])

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
    quotas: FloatArray
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
        # no count can move further than this: keeps sums of rooms within int64
        most = 2**62 // max(len(self.low), 1)
        for members, choices in zip(self.members, self.choices, strict=True):
            none = np.zeros(len(members), dtype=np.int64)
            up = down = none
            if widened is not None:
                lower, upper = widened
                up = np.minimum(upper[members] - self.high[members], most)
                down = np.minimum(self.low[members] - lower[members], most)
            values, quotas = self.value[choices], self.quotas[choices]
            out.append(_Pattern(members, choices, values, quotas, up, down))
        return out


def _problem(
    amounts: FloatArray | Quotas,
    lower: IntArray,
    upper: IntArray,
    rows: Sequence[Row],
    total: int,
) -> _Rounding:
    n = len(amounts)
    given = (
        amounts if isinstance(amounts, Quotas) else Quotas(np.asarray(amounts, dtype=np.float64))
    )
    # as largest remainder does (rounding._largest_remainder): each region starts from its
    # exact quota rounded down (an amount within tie_tolerance(total) below a whole step
    # counts as whole) and may get one step more; fractions within that tolerance of each
    # other are equal (costs on a grid of twice the tolerance)
    tolerance = tie_tolerance(total)
    quotas, error = given.approx()
    cache = _Cache(given)
    whole = _floors(quotas, error, cache, tolerance)
    # each fraction in binary64 from the exact quota where binary64 cannot give it
    # (the error bound above 2**-40 of a step: totals beyond about 10**12 steps)
    fraction = quotas - whole
    unsure = np.flatnonzero(error > 2.0**-40)
    for i, q in zip(unsure.tolist(), cache(unsure), strict=True):
        fraction[i] = float(q - int(whole[i]))
    low = np.clip(whole, lower, upper)
    high = np.clip(low + 1, lower, upper)
    grid = 2.0 * float(tolerance)
    value = np.round((1.0 - 2.0 * fraction) / grid) * grid
    matrix = np.array([row.coefficients for row in rows], dtype=np.float64).reshape(len(rows), n)
    coefficients, pattern = np.unique(matrix.T, axis=0, return_inverse=True)
    pattern = pattern.reshape(n)
    count = len(coefficients)
    offset = [
        sum((c * int(low[index].sum()) for c, index in row.terms), Fraction(0)) for row in rows
    ]
    members = np.split(np.argsort(pattern, kind="stable"), _starts(pattern, count))
    can_rise = np.flatnonzero(high > low)
    # cheapest first; equal costs: the larger quota, then the lower index (largest remainder)
    order = np.lexsort((can_rise, -quotas[can_rise], value[can_rise], pattern[can_rise]))
    cheapest = can_rise[order]
    choices = np.split(cheapest, _starts(pattern[cheapest], count))
    exact = [[_coefficient(row, int(m[0])) for m in members] for row in rows]
    # the plain rounding's counts: the globally cheapest round-ups for the total
    free = total - int(low.sum())
    left = min(max(free, 0), len(can_rise))
    plain = can_rise[np.lexsort((can_rise, -quotas[can_rise], value[can_rise]))][:left]
    start = np.bincount(pattern[plain], minlength=count).astype(np.int64)
    return _Rounding(
        low, high, value, quotas, coefficients, exact, offset, members, choices, start, free
    )


def _limits(
    problem: _Rounding, rows: Sequence[Row], step: Fraction
) -> tuple[list[float], list[float]]:
    """Each row's bounds on the counts (its bounds in whole steps, less its value at
    ``low``): a row of whole coefficients holds iff it holds for its bound rounded
    inwards (a ratio row's bound is 0, already whole)."""
    lowers, uppers = [], []
    for r, row in enumerate(rows):
        offset = problem.offset[r]
        lowers.append(-np.inf if row.lower is None else float(math.ceil(row.lower / step) - offset))
        uppers.append(np.inf if row.upper is None else float(math.floor(row.upper / step) - offset))
    return lowers, uppers


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
    lowers: list[float],
    uppers: list[float],
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
    row_lower, row_upper = [free, *lowers], [free, *uppers]
    for r in range(len(lowers)):
        fixed.append({p: float(c) for p, c in enumerate(problem.coefficients[:, r]) if c})
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
    raise SolverError(Problem("", tr("rounding.rows_rounds", rounds=_ROUNDS, backend=backend)))


def _settle(
    problem: _Rounding,
    patterns: list[_Pattern],
    counts: IntArray,
    rows: Sequence[Row],
    step: Fraction,
) -> IntArray:
    """The solver's counts, settled exactly: while one step of a pattern can move to
    another, keeping every row, and it then costs less, or the same with the step largest
    remainder would prefer (larger quota, lower index), move it.

    The solvers compare costs to a tolerance (about 1e-9), so where two answers' costs
    differ by less or not at all (equal fractions), HiGHS and CBC may pick differently;
    these moves settle every such case that one step between two patterns can settle.
    (A tie that only a joint move of several patterns settles, every single move breaking
    a row, is left as the solver found it, at the same cost.) Each move lowers the cost,
    or keeps it and takes a preferred step, so it ends.

    The rows are checked in integers: each row's value times the common denominator of
    its coefficients and bounds, updated by the rows the two patterns are in.
    """
    counts = counts.copy()
    count = len(patterns)
    scaled: list[tuple[int, int | None, int | None, list[int]]] = []  # value, bounds, coefs
    for r, row in enumerate(rows):
        limits = [row.lower / step if row.lower is not None else None]
        limits.append(row.upper / step if row.upper is not None else None)
        parts = [problem.offset[r], *problem.exact[r], *(x for x in limits if x is not None)]
        d = math.lcm(*(Fraction(x).denominator for x in parts))
        coefs = [int(c * d) for c in problem.exact[r]]
        value = int(problem.offset[r] * d) + sum(
            c * int(k) for c, k in zip(coefs, counts, strict=True)
        )
        lo, hi = (None if x is None else int(x * d) for x in limits)
        scaled.append((value, lo, hi, coefs))
    values = [v for v, _, _, _ in scaled]
    touched = [[r for r in range(len(rows)) if scaled[r][3][p]] for p in range(count)]

    def keeps(p: int, q: int) -> bool:
        for r in {*touched[p], *touched[q]}:
            _, lo, hi, coefs = scaled[r]
            value = values[r] - coefs[p] + coefs[q]
            if (lo is not None and value < lo) or (hi is not None and value > hi):
                return False
        return True

    def key(p: int, give: bool) -> tuple[float, float, int]:
        k = int(counts[p])
        if give:
            return patterns[p].next_step(k - 1) if k > patterns[p].lowest else (-np.inf, 0, 0)
        return patterns[p].next_step(k) if k < patterns[p].highest else (np.inf, 0, 0)

    given = [key(p, True) for p in range(count)]
    taken = [key(q, False) for q in range(count)]
    moved = True
    passes = 0
    # each pass makes at least one move, and moves only lower the cost (or keep it for a
    # preferred step), so the passes are few; the bound guards against a cycle through
    # equal keys at the edge of a pattern (any counts here keep the rows)
    while moved and passes < 4 * (count + len(problem.low)):
        moved, passes = False, passes + 1
        for p in range(count):
            for q in range(count):
                if q == p or not taken[q] < given[p] or not keeps(p, q):
                    continue
                counts[p] -= 1
                counts[q] += 1
                for r in {*touched[p], *touched[q]}:
                    values[r] += scaled[r][3][q] - scaled[r][3][p]
                given[p], taken[p] = key(p, True), key(p, False)
                given[q], taken[q] = key(q, True), key(q, False)
                moved = True
    return counts


def _starts(pattern: npt.NDArray[np.intp], patterns: int) -> npt.NDArray[np.intp]:
    """Where each pattern after the first starts in ``pattern`` sorted."""
    return np.searchsorted(np.sort(pattern), np.arange(1, patterns))


def _spread(amount: int, room: IntArray) -> IntArray:
    """``amount`` split over ``room`` in order, each taking all the room it has."""
    before = np.cumsum(room) - room
    spread: IntArray = np.clip(amount - before, 0, room)
    return spread
