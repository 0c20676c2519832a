"""Benchmark: group constraints, general path and partitioned path, against named peers.

What is measured, for each size n (generated problems, the same for every contender;
see :func:`make_instance`):

Overlapping groups (the general path)

``fundalloc``
    ``fa.allocate(table, scheme, time_limit=--fundalloc-time-limit)`` end to end, with two
    group constraints that share regions and both bind: a floor on the border counties'
    total (10% or a little more above what they get without it) and a cap on one city's
    total (10% below), the city lying on the border. ``solver="auto"`` sends overlapping
    groups to the general path: the factor targets, the quadratic programme
    min Σ(x − t)²/t solved through its dual (:func:`fundalloc.solvers.qp.solve_rows`),
    largest-remainder rounding to whole units and, when that rounding breaks a group row,
    the integer rounding programme (:func:`fundalloc.solvers.integer.round_with_rows`: a
    MILP on HiGHS with one whole variable per membership pattern, four here, and cutting
    planes). Which of the two happens depends on the problem, so each n has two problems,
    one of each kind (border floors 0.5% apart), both timed. The time limit applies to
    each LP/MILP solve inside; when it is reached the table says so. ``solve_rows`` is
    also timed alone, on the same targets, bounds and rows. The result is checked exactly:
    the units add up to the total, stay within the floors and caps, and every group row
    holds in exact arithmetic.

``linprog``
    ``scipy.optimize.linprog(method="highs")`` on the weighted-L1 model a practitioner
    would write, min Σ_i |x_i − t_i| / t_i, with the total row, the two group rows and box
    bounds on x, in the form ``--lp-form`` (see :func:`build_lp`; default ``abs``: one
    deviation variable per region and the 2n rows d_i >= x_i − t_i, d_i >= t_i − x_i).
    The matrices are scipy.sparse, so the build is milliseconds; build and solve are timed
    separately, once per size (too slow to repeat), with HiGHS's ``time_limit`` set to
    ``--linprog-time-limit``; sizes above ``--linprog-max`` are skipped.

``PuLP+CBC``
    The same model (same matrices, row by row) through PuLP and the CBC bundled with it,
    for n <= ``--cbc-max``, once per size, with ``--cbc-time-limit``. The solve time is
    PuLP's wall time (writing the MPS file, CBC's start-up, reading the answer back); CBC's
    own wall time and its result line are read from its log, because PuLP 3.3 reports
    "Optimal" also when CBC stops on its time limit.

The L1 model is not fundalloc's rule and has many optima, so the LP answers differ from
fundalloc's; a table only reports how far (max abs difference from fundalloc's continuous
answer), whether they add up to the total and keep the groups, and both answers' L1
objective (the LPs' must be the lower). The LPs run on the first of the two problems.

Partitioned groups (the exact path)

Every region lies in exactly one of 100 cities and every city has a group floor, half of
them binding (5% above what the city gets without it) and half slack (10% below).
``fa.allocate`` with those constraints (exact, no LP: :mod:`fundalloc.solvers.groups`) is
timed against the same scheme without constraints (the plain exact solver).

Timings are the best of ``--repeat`` runs with ``time.perf_counter``, except that a
contender stops repeating once its runs have taken ``--repeat-budget`` seconds (so a slow
one runs once). Nothing is asserted; the "targets" lines at the end only report yes/no:
the overlapping case at n = 10^5 under 2 s, the partitioned case within 3× the plain
solver. The run also fails loudly (SystemExit) if the generated problem is not what it
claims (targets recomputed independently with numpy, both overlapping rows binding).

With the defaults the whole run takes about two minutes on a two-core machine, nearly
all of it ``linprog`` at n = 10^5 (about 100 s). (Until fundalloc's integer rounding
programme was stated over membership patterns instead of regions, it took 135 s at
n = 10^5 on the problem whose rounding breaks a row; now about 0.15 s end to end.)

Run (from the repository root, with the project virtualenv)::

    .venv/bin/python benchmarks/bench_groups.py
    .venv/bin/python benchmarks/bench_groups.py --sizes 1000 10000 100000 --repeat 3 \\
        --linprog-max 100000 --linprog-time-limit 120 --cbc-max 10000 --cbc-time-limit 120 \\
        --fundalloc-time-limit 60 --lp-form abs --seed 0
"""

from __future__ import annotations

import argparse
import importlib.metadata
import math
import os
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
from _peers import l1_objective, solve_with_cbc  # benchmarks/ is on sys.path when run
from _timing import fmt_s

import fundalloc as fa
from fundalloc.constraints import Row, broken_rows, rows_of
from fundalloc.rounding import round_units
from fundalloc.solvers.exact import BoundedProblem
from fundalloc.solvers.qp import solve_rows

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
T = TypeVar("T")

MEAN_UNITS = 100  # total = MEAN_UNITS * n units, step 1 unit
POPULATION_WEIGHT, POOR_WEIGHT = 0.6, 0.4
FLOOR_SHARE, CAP_SHARE = 0.5, 3.0  # per-region floor / cap, times the mean amount
CITIES = 100
BORDER_SHARE, BORDER_SHARE_IN_CITY = 0.2, 0.5  # border counties: overall / in the border city
BORDER_RAISE = 1.10  # border floor: 110% of what the border counties get without it
CITY_CUT = 0.90  # border-city cap: 90% of what the city gets without it
PARTITION_RAISE, PARTITION_SLACK = 1.05, 0.90  # city floors: even cities bind, odd ones do not
GOAL_OVERLAP_SECONDS = 2.0
GOAL_PARTITION_RATIO = 3.0
BORDER_RAISE_STEP = 0.005  # the next border floor tried: +0.5% (see make_instance)
OVERLAP_TRIES = 40  # border floors tried to find both kinds of overlapping problem


# ------------------------------------------------------------------ problem generator
@dataclass(frozen=True)
class Overlap:
    """One overlapping-groups problem: the scheme, its group rows as fundalloc states them,
    the border floor (units) and whether the largest-remainder rounding of the continuous
    answer breaks a row (then ``fa.allocate`` runs the integer rounding programme)."""

    scheme: fa.Scheme
    rows: list[Row]
    border_floor: int
    rounding_breaks: bool


@dataclass(frozen=True)
class Instance:
    n: int
    table: fa.RegionTable
    plain: fa.Scheme  # no constraints
    overlaps: tuple[Overlap, ...]  # the first found of each kind, "breaks" first
    partitioned: fa.Scheme  # one floor per city
    targets: FloatArray  # computed here with numpy, checked against fundalloc's
    lower: FloatArray
    upper: FloatArray
    total: int  # whole units (step 1)
    border: BoolArray
    city: IntArray  # 0 .. CITIES - 1; city 0 is the border city
    city_cap: int  # units
    city_floors: IntArray  # units, one per city
    n_at_floor: int
    n_at_cap: int
    tries: int  # border floors tried to find both kinds of overlapping problem

    @property
    def problem(self) -> BoundedProblem:
        return BoundedProblem(self.targets, self.lower, self.upper, float(self.total))

    @property
    def unit_bounds(self) -> tuple[IntArray, IntArray]:
        return np.ceil(self.lower).astype(np.int64), np.floor(self.upper).astype(np.int64)


def _scheme(n: int, constraints: list[Any]) -> fa.Scheme:
    total = MEAN_UNITS * n
    return fa.Scheme(
        total=total,
        tranches=[
            fa.Tranche(
                name="factors",
                share=1,
                factors=[
                    fa.Factor(
                        name="population",
                        rule=fa.Share(column="population"),
                        weight=POPULATION_WEIGHT,
                    ),
                    fa.Factor(name="poor", rule=fa.Share(column="poor"), weight=POOR_WEIGHT),
                ],
            )
        ],
        bounds=[
            fa.Floor(amount=Decimal(repr(FLOOR_SHARE * MEAN_UNITS))),
            fa.Cap(amount=Decimal(repr(CAP_SHARE * MEAN_UNITS))),
        ],
        constraints=constraints,
    )


def _city(code: int) -> fa.Condition:
    return fa.Condition(column="city", op="==", value=f"C{code:02d}")


def _overlap(
    table: fa.RegionTable,
    problem: BoundedProblem,
    bounds: tuple[IntArray, IntArray],
    border_floor: int,
    city_cap: int,
) -> Overlap:
    n = len(table)
    scheme = _scheme(
        n,
        [
            fa.GroupFloor(
                name="border counties at least +10%",
                where=[fa.Condition(column="border", op="==", value="是")],
                amount=border_floor,
            ),
            fa.GroupCap(name="border city C00 at most −10%", where=[_city(0)], amount=city_cap),
        ],
    )
    rows = rows_of(scheme.constraints, table, np.ones(n, dtype=bool), scheme.total, scheme.unit)
    solution = solve_rows(problem, rows, np.zeros(n))
    if solution is None:
        raise SystemExit(f"n={n}: the overlapping rows are infeasible")
    rounded = round_units(
        solution.amounts, problem.targets, scheme.total_units, *bounds, "largest_remainder"
    )
    breaks = bool(broken_rows(rows, rounded.units, Fraction(1)))
    return Overlap(scheme, rows, border_floor, breaks)


def make_instance(n: int, seed: int) -> Instance:
    """n regions with a lognormal population and a poor population (the two factors,
    weights 0.6 / 0.4), a city (one of 100, uniformly) and a border flag (20% of the
    regions, 50% in city C00, the border city); total 100·n units, per-region floor at
    half the mean amount and cap at three times the mean (a third of the regions sit at
    the floor, about 4% at the cap).

    The group bounds are set from the allocation without constraints, in whole units:
    border floor = ceil((1.10 + 0.005 j) × border total), border-city cap = floor(0.90 ×
    city total), city floors = ceil(1.05 × city total) for even cities, floor(0.90 × city
    total) for odd ones.

    Whether the general path needs its integer rounding programme depends on the problem:
    a binding row sits at a whole number of units, and the largest-remainder rounding of
    the continuous answer keeps it or misses it by a unit. So j = 0, 1, 2, ... is tried
    until one border floor of each kind is found (each a different problem, the floors
    0.5% apart; moving the floor by a few units does not change the kind); both are timed.
    """
    rng = np.random.default_rng([seed, n])
    population = rng.lognormal(11, 0.8, n).round()
    poor = (population * rng.uniform(0.01, 0.15, n)).round() + 1
    city = rng.integers(0, CITIES, n).astype(np.int64)
    border = rng.random(n) < np.where(city == 0, BORDER_SHARE_IN_CITY, BORDER_SHARE)
    table = fa.RegionTable.from_columns(
        {
            "id": [f"R{i:06d}" for i in range(n)],
            "population": population,
            "poor": poor,
            "city": [f"C{c:02d}" for c in city.tolist()],
            "border": ["是" if b else "否" for b in border.tolist()],
        },
        id="id",
    )
    total = MEAN_UNITS * n
    plain = _scheme(n, [])
    trace = fa.allocate(table, plain).trace
    if not np.array_equal(trace.order, np.arange(n)):
        raise SystemExit("generated ids are not in id order")
    targets = total * (
        POPULATION_WEIGHT * population / population.sum() + POOR_WEIGHT * poor / poor.sum()
    )
    if not np.allclose(targets, trace.targets, rtol=1e-12, atol=0):
        raise SystemExit("the targets recomputed with numpy differ from fundalloc's")
    lower = np.full(n, FLOOR_SHARE * MEAN_UNITS)
    upper = np.full(n, CAP_SHARE * MEAN_UNITS)
    units = trace.units.astype(np.int64)
    problem = BoundedProblem(targets, lower, upper, float(total))
    bounds = np.ceil(lower).astype(np.int64), np.floor(upper).astype(np.int64)

    border_total = int(units[border].sum())
    city_cap = math.floor(CITY_CUT * int(units[city == 0].sum()))
    found: dict[bool, Overlap] = {}
    tries = 0
    while len(found) < 2 and tries < OVERLAP_TRIES:
        raise_by = BORDER_RAISE + BORDER_RAISE_STEP * tries
        overlap = _overlap(table, problem, bounds, math.ceil(raise_by * border_total), city_cap)
        found.setdefault(overlap.rounding_breaks, overlap)
        tries += 1

    city_totals = np.bincount(city, weights=units, minlength=CITIES)
    city_floors = np.array(
        [
            math.ceil(PARTITION_RAISE * city_totals[c])
            if c % 2 == 0
            else math.floor(PARTITION_SLACK * city_totals[c])
            for c in range(CITIES)
        ],
        dtype=np.int64,
    )
    partitioned = _scheme(
        n,
        [
            fa.GroupFloor(name=f"city C{c:02d}", where=[_city(c)], amount=int(city_floors[c]))
            for c in range(CITIES)
        ],
    )
    return Instance(
        n=n,
        table=table,
        plain=plain,
        overlaps=tuple(found[k] for k in (True, False) if k in found),
        partitioned=partitioned,
        targets=targets,
        lower=lower,
        upper=upper,
        total=total,
        border=border,
        city=city,
        city_cap=city_cap,
        city_floors=city_floors,
        n_at_floor=int(np.isclose(trace.bounded, lower).sum()),
        n_at_cap=int(np.isclose(trace.bounded, upper).sum()),
        tries=tries,
    )


def group_rows(
    inst: Instance, overlap: Overlap
) -> list[tuple[BoolArray, float | None, float | None]]:
    """The overlapping groups as (members, lower, upper), for the LP models."""
    return [
        (inst.border, float(overlap.border_floor), None),
        (inst.city == 0, None, float(inst.city_cap)),
    ]


def kind(overlap: Overlap) -> str:
    return "rounding breaks a row" if overlap.rounding_breaks else "rounding keeps the rows"


# ------------------------------------------------------------------ timing helpers
@dataclass(frozen=True)
class Timed:
    best: float
    runs: int
    result: Any


def best_of(fn: Callable[[], T], repeat: int, budget: float) -> Timed:
    """Best wall time of up to ``repeat`` calls, stopping once ``budget`` seconds are spent
    (at least one call), and the last call's result."""
    best, spent, runs = float("inf"), 0.0, 0
    result: Any = None
    while runs < repeat and (runs == 0 or spent < budget):
        start = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - start
        best, spent, runs = min(best, elapsed), spent + elapsed, runs + 1
    return Timed(best, runs, result)


# ------------------------------------------------------------------ contender: fundalloc
def bench_fundalloc(
    inst: Instance, overlap: Overlap, repeat: int, budget: float, time_limit: float | None
) -> dict[str, Any]:
    """One overlapping problem end to end, the dual QP solve alone, and the exact checks."""

    def run() -> fa.Allocation | fa.SolverError:
        try:
            return fa.allocate(inst.table, overlap.scheme, time_limit=time_limit)
        except fa.SolverError as exc:  # the time limit, reached inside the rounding MILP
            return exc

    end_to_end = best_of(run, repeat, budget)
    problem, zeros = inst.problem, np.zeros(inst.n)
    solved = best_of(lambda: solve_rows(problem, overlap.rows, zeros), repeat, budget)
    amounts = solved.result.amounts
    # both rows bind on the continuous answer, else the problem is not what it claims
    binding = int(
        math.isclose(float(amounts[inst.border].sum()), overlap.border_floor, rel_tol=1e-9)
    ) + int(math.isclose(float(amounts[inst.city == 0].sum()), inst.city_cap, rel_tol=1e-9))
    if binding != 2:
        raise SystemExit(f"n={inst.n}: {binding} of the 2 overlapping rows bind, expected 2")
    out: dict[str, Any] = {
        "time": end_to_end.best,
        "runs": end_to_end.runs,
        "solve": solved.best,
        "amounts": amounts,
        "error": None,
    }
    result = end_to_end.result
    if isinstance(result, fa.SolverError):
        out["error"] = str(result)
        return out
    units = result.trace.units.astype(np.int64)
    lower_units, upper_units = inst.unit_bounds
    out["sum_exact"] = int(units.sum()) == inst.total
    out["groups_exact"] = not broken_rows(overlap.rows, units, Fraction(1))
    out["within_bounds"] = bool(np.all((units >= lower_units) & (units <= upper_units)))
    return out


# ------------------------------------------------------------------ the naive LP model
@dataclass(frozen=True)
class LinearModel:
    """min c·v  s.t.  A_ub v <= b_ub,  A_eq v = b_eq,  bounds; x = ``x_of(v)``."""

    c: FloatArray
    a_ub: Any  # scipy.sparse csr
    b_ub: FloatArray
    a_eq: Any
    b_eq: FloatArray
    bounds: FloatArray  # (variables, 2), inf for none
    x_of: Callable[[FloatArray], FloatArray]


def build_lp(inst: Instance, overlap: Overlap, form: str) -> LinearModel:
    """The weighted-L1 model min Σ_i |x_i − t_i| / t_i, subject to Σ x_i = total, the
    group rows and lo_i <= x_i <= hi_i, in one of three forms:

    ``abs`` (default)
        variables x, d; the 2n rows ``x_i − d_i <= t_i`` and ``−x_i − d_i <= −t_i``
        (d_i >= |x_i − t_i|); cost Σ d_i / t_i.
    ``split``
        variables x, d⁺, d⁻ >= 0; the n rows ``x_i − d⁺_i + d⁻_i = t_i``; cost
        Σ (d⁺_i + d⁻_i) / t_i.
    ``box``
        variables d⁺, d⁻ only, x = t + d⁺ − d⁻, with the per-region bounds moved onto them
        (d⁺_i in [max(0, lo_i − t_i), max(0, hi_i − t_i)], d⁻_i in [max(0, t_i − hi_i),
        max(0, t_i − lo_i)]): 1 + groups rows.
    """
    import scipy.sparse as sp

    n, t = inst.n, inst.targets
    groups = group_rows(inst, overlap)
    ones = sp.csr_array(np.ones((1, n)))
    eye = sp.identity(n, format="csr")
    zero = sp.csr_array((1, n))

    def member_row(mask: BoolArray, sign: float) -> Any:
        return sp.csr_array(
            (np.full(int(mask.sum()), sign), (np.zeros(int(mask.sum())), np.flatnonzero(mask))),
            shape=(1, n),
        )

    # each group row as "<=" rows over x: (coefficients, rhs)
    x_rows = []
    for mask, lower, upper in groups:
        if lower is not None:
            x_rows.append((member_row(mask, -1.0), -lower, mask, -1.0))
        if upper is not None:
            x_rows.append((member_row(mask, 1.0), upper, mask, 1.0))
    w = 1.0 / t
    inf = np.full(n, np.inf)
    if form == "abs":
        a_ub = sp.vstack(
            [sp.hstack([eye, -eye]), sp.hstack([-eye, -eye])]
            + [sp.hstack([row, zero]) for row, *_ in x_rows],
            format="csr",
        )
        b_ub = np.concatenate([t, -t, [rhs for _, rhs, *_ in x_rows]])
        return LinearModel(
            c=np.concatenate([np.zeros(n), w]),
            a_ub=a_ub,
            b_ub=b_ub,
            a_eq=sp.hstack([ones, zero], format="csr"),
            b_eq=np.array([float(inst.total)]),
            bounds=np.column_stack(
                [np.concatenate([inst.lower, np.zeros(n)]), np.concatenate([inst.upper, inf])]
            ),
            x_of=lambda v: v[:n],
        )
    if form == "split":
        return LinearModel(
            c=np.concatenate([np.zeros(n), w, w]),
            a_ub=sp.vstack([sp.hstack([row, zero, zero]) for row, *_ in x_rows], format="csr"),
            b_ub=np.array([rhs for _, rhs, *_ in x_rows]),
            a_eq=sp.vstack(
                [sp.hstack([eye, -eye, eye]), sp.hstack([ones, zero, zero])], format="csr"
            ),
            b_eq=np.concatenate([t, [float(inst.total)]]),
            bounds=np.column_stack(
                [
                    np.concatenate([inst.lower, np.zeros(2 * n)]),
                    np.concatenate([inst.upper, inf, inf]),
                ]
            ),
            x_of=lambda v: v[:n],
        )
    if form == "box":
        lo, hi = inst.lower, inst.upper
        return LinearModel(
            c=np.concatenate([w, w]),
            a_ub=sp.vstack([sp.hstack([row, -row]) for row, *_ in x_rows], format="csr"),
            # Σ_members (t + d⁺ − d⁻) · sign <= rhs
            b_ub=np.array([rhs - sign * float(t[mask].sum()) for _, rhs, mask, sign in x_rows]),
            a_eq=sp.hstack([ones, -ones], format="csr"),
            b_eq=np.array([float(inst.total) - float(t.sum())]),
            bounds=np.column_stack(
                [
                    np.concatenate([np.maximum(0, lo - t), np.maximum(0, t - hi)]),
                    np.concatenate([np.maximum(0, hi - t), np.maximum(0, t - lo)]),
                ]
            ),
            x_of=lambda v: t + v[:n] - v[n:],
        )
    raise SystemExit(f"unknown --lp-form {form!r}; expected abs, split or box")


# ------------------------------------------------------------------ peer: linprog (HiGHS)
def bench_linprog(inst: Instance, overlap: Overlap, form: str, time_limit: float) -> dict[str, Any]:
    from scipy.optimize import linprog

    start = time.perf_counter()
    model = build_lp(inst, overlap, form)
    t_build = time.perf_counter() - start
    start = time.perf_counter()
    res = linprog(
        model.c,
        A_ub=model.a_ub,
        b_ub=model.b_ub,
        A_eq=model.a_eq,
        b_eq=model.b_eq,
        bounds=model.bounds,
        method="highs",
        options={"time_limit": time_limit},
    )
    t_solve = time.perf_counter() - start
    status = (
        "optimal"
        if res.status == 0
        else f"**time limit {time_limit:g} s**"
        if res.status == 1
        else f"**{res.message}**"
    )
    x = model.x_of(np.asarray(res.x)) if res.x is not None else None
    return {"build": t_build, "time": t_solve, "status": status, "optimal": res.status == 0, "x": x}


# ------------------------------------------------------------------ peer: PuLP + CBC
def build_pulp(model: LinearModel) -> tuple[Any, list[Any]]:
    """The same matrices as a PuLP problem, row by row."""
    import pulp

    prob = pulp.LpProblem("l1_groups", pulp.LpMinimize)
    v = [
        prob.add_variable(
            f"v{j}",
            float(lo) if np.isfinite(lo) else None,
            float(hi) if np.isfinite(hi) else None,
        )
        for j, (lo, hi) in enumerate(model.bounds.tolist())
    ]
    prob += pulp.LpAffineExpression([(v[j], float(model.c[j])) for j in np.flatnonzero(model.c)])
    for matrix, rhs, sense in (
        (model.a_ub, model.b_ub, pulp.LpConstraintLE),
        (model.a_eq, model.b_eq, pulp.LpConstraintEQ),
    ):
        indptr, indices, data = matrix.indptr, matrix.indices, matrix.data
        for k in range(matrix.shape[0]):
            lo, hi = indptr[k], indptr[k + 1]
            expr = pulp.LpAffineExpression(
                [
                    (v[j], c)
                    for j, c in zip(indices[lo:hi].tolist(), data[lo:hi].tolist(), strict=True)
                ]
            )
            prob += pulp.LpConstraint(expr, sense, f"r{sense}_{k}", float(rhs[k]))
    return prob, v


def bench_cbc(inst: Instance, overlap: Overlap, form: str, time_limit: float) -> dict[str, Any]:
    start = time.perf_counter()
    model = build_lp(inst, overlap, form)
    prob, v = build_pulp(model)
    t_build = time.perf_counter() - start
    t_solve, status, cbc_wall, values = solve_with_cbc(prob, v, time_limit)
    optimal = status.startswith("Optimal")
    return {
        "build": t_build,
        "time": t_solve,
        "cbc_wall": cbc_wall,
        "status": status if optimal else f"**{status}**",
        "optimal": optimal,
        "x": model.x_of(values),
    }


# ------------------------------------------------------------------ comparison
def compare(inst: Instance, overlap: Overlap, amounts: FloatArray, x: FloatArray) -> dict[str, Any]:
    """How an LP answer stands against the total, the groups and fundalloc's amounts
    (before rounding: the rounded ones are not there when fundalloc hit its time limit)."""
    violation = 0.0
    for mask, lower, upper in group_rows(inst, overlap):
        value = float(x[mask].sum())
        if lower is not None:
            violation = max(violation, lower - value)
        if upper is not None:
            violation = max(violation, value - upper)
    return {
        "sum_err": abs(float(x.sum()) - inst.total),
        "group_violation": violation,
        "groups_hold": violation <= 1e-6 * inst.total,
        "bound_violation": float(np.max(np.maximum(inst.lower - x, x - inst.upper).clip(0))),
        "max_diff": float(np.max(np.abs(x - amounts))),
        "obj": l1_objective(x, inst.targets),
        "obj_fundalloc": l1_objective(amounts, inst.targets),
    }


# ------------------------------------------------------------------ partitioned case
def bench_partitioned(inst: Instance, repeat: int, budget: float) -> dict[str, Any]:
    plain = best_of(lambda: fa.allocate(inst.table, inst.plain), repeat, budget)
    grouped = best_of(lambda: fa.allocate(inst.table, inst.partitioned), repeat, budget)
    trace = grouped.result.trace
    bounded = np.bincount(inst.city, weights=trace.bounded, minlength=CITIES)
    units = np.bincount(inst.city, weights=trace.units, minlength=CITIES).round()
    return {
        "plain": plain.best,
        "time": grouped.best,
        "runs": (plain.runs, grouped.runs),
        "binding": int(np.isclose(bounded, inst.city_floors, rtol=1e-9, atol=0).sum()),
        "sum_exact": int(trace.units.sum()) == inst.total,
        "floors_exact": bool(np.all(units >= inst.city_floors)),
    }


# ------------------------------------------------------------------ output


def fmt_ratio(r: float | None, bound: str = "") -> str:
    if r is None:
        return "—"
    return bound + (f"{r:,.0f}×" if r >= 100 else f"{r:.2f}×")


def yes(flag: bool) -> str:
    return "yes" if flag else "**no**"


def version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def print_header(args: argparse.Namespace) -> None:
    print("# fundalloc group-constraint benchmark\n")
    print(
        f"- Python {platform.python_version()} ({platform.python_implementation()}), "
        f"numpy {np.__version__}, scipy {version('scipy')}, highspy {version('highspy')}, "
        f"pulp {version('pulp')} (bundled CBC), fundalloc {version('fundalloc')}"
    )
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "?"
    print(
        f"- CPU count: {os.cpu_count()} (os.cpu_count); usable: {usable}; "
        f"machine {platform.machine()}, {platform.system()} {platform.release()}"
    )
    limit = "none" if args.fundalloc_time_limit is None else f"{args.fundalloc_time_limit:g} s"
    print(
        f"- sizes {args.sizes}, best of {args.repeat} (fewer once a contender has spent "
        f"{args.repeat_budget:g} s), seed {args.seed}; fundalloc time limit per LP solve: "
        f"{limit}; linprog (HiGHS) for n <= {args.linprog_max:,}, time limit "
        f"{args.linprog_time_limit:g} s; PuLP+CBC for n <= {args.cbc_max:,}, time limit "
        f"{args.cbc_time_limit:g} s; LP form {args.lp_form!r}; LPs and CBC one run each"
    )
    print(
        f"- problem: total = {MEAN_UNITS}·n units (step 1), targets 0.6·population share + "
        f"0.4·poor share, floor {FLOOR_SHARE}·mean and cap {CAP_SHARE}·mean per region; "
        f"overlapping: border counties ≥ {BORDER_RAISE:.2f}× (+{BORDER_RAISE_STEP:.1%} per "
        f"further try) and border city C00 ≤ "
        f"{CITY_CUT:.2f}× their totals without constraints; partitioned: {CITIES} cities, "
        f"floors {PARTITION_RAISE:.2f}× (even) / {PARTITION_SLACK:.2f}× (odd)\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--repeat-budget",
        type=float,
        default=20.0,
        help="stop repeating a contender once its runs took this many seconds (default 20)",
    )
    parser.add_argument(
        "--fundalloc-time-limit",
        type=lambda s: None if s.lower() == "none" else float(s),
        default=60.0,
        help="time_limit passed to fa.allocate, per LP/MILP solve (default 60; 'none')",
    )
    parser.add_argument("--linprog-max", type=int, default=100_000)
    parser.add_argument("--linprog-time-limit", type=float, default=120.0)
    parser.add_argument("--cbc-max", type=int, default=10_000)
    parser.add_argument("--cbc-time-limit", type=float, default=120.0)
    parser.add_argument("--lp-form", choices=["abs", "split", "box"], default="abs")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    print_header(args)
    results = []
    for n in args.sizes:
        inst = make_instance(n, args.seed)
        ours = [
            bench_fundalloc(inst, o, args.repeat, args.repeat_budget, args.fundalloc_time_limit)
            for o in inst.overlaps
        ]
        first = inst.overlaps[0]
        lp = (
            bench_linprog(inst, first, args.lp_form, args.linprog_time_limit)
            if n <= args.linprog_max
            else None
        )
        cbc = (
            bench_cbc(inst, first, args.lp_form, args.cbc_time_limit) if n <= args.cbc_max else None
        )
        part = bench_partitioned(inst, args.repeat, args.repeat_budget)
        results.append((inst, ours, lp, cbc, part))
        print(f"  (done n={n:,})", file=sys.stderr, flush=True)

    print("## The problems\n")
    print(
        "Per n, border floors ceil((1.10 + 0.005 j) × border total) for j = 0, 1, ... until one "
        "problem of each kind is found: the largest-remainder rounding of the continuous "
        "answer breaks a group row (fa.allocate then solves its integer rounding programme) "
        "or keeps both rows.\n"
    )
    print(
        "| n | at floor / at cap (no constraints) | border counties | in city C00 | shared "
        "| C00 cap (units) | floors tried | border floor: rounding breaks a row "
        "| border floor: rounding keeps the rows |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for inst, *_ in results:
        floors = {o.rounding_breaks: f"{o.border_floor:,}" for o in inst.overlaps}
        print(
            f"| {inst.n:,} | {inst.n_at_floor:,} / {inst.n_at_cap:,} | {int(inst.border.sum()):,} "
            f"| {int((inst.city == 0).sum()):,} | {int((inst.border & (inst.city == 0)).sum()):,} "
            f"| {inst.city_cap:,} | {inst.tries} | {floors.get(True, 'not found')} "
            f"| {floors.get(False, 'not found')} |"
        )

    print("\n## Overlapping groups: fundalloc (general path; both rows bind in every problem)\n")
    print(
        "| n | problem | fa.allocate | runs | solve_rows alone | rest (targets, rounding, "
        "integer rounding) | Σ units = total | groups hold exactly | within floors and caps |"
    )
    print("|---:|---|---:|---:|---:|---:|---|---|---|")
    for inst, ours, *_ in results:
        for o, f in zip(inst.overlaps, ours, strict=True):
            if f["error"]:
                cells = [f"**stopped after {fmt_s(f['time'])}: {f['error']}**"]
                cells += [str(f["runs"]), fmt_s(f["solve"]), "—", "—", "—", "—"]
            else:
                cells = [
                    fmt_s(f["time"]),
                    str(f["runs"]),
                    fmt_s(f["solve"]),
                    fmt_s(max(f["time"] - f["solve"], 0.0)),
                    yes(f["sum_exact"]),
                    yes(f["groups_exact"]),
                    yes(f["within_bounds"]),
                ]
            print(f"| {inst.n:,} | {kind(o)} | " + " | ".join(cells) + " |")

    print(f"\n## Overlapping groups: the naive L1 model ({args.lp_form!r} form)\n")
    print(
        "The LPs run once per n, on the first problem of the table above (the two problems "
        "differ only in the border floor, by 0.5%, which does not change the LP's work). "
        "Ratios are peer solve time / fundalloc time: fa.allocate end to end on each "
        "problem, and solve_rows alone. When fundalloc stopped on its time limit its time "
        "is a lower bound, so the ratio is an upper bound (≤).\n"
    )
    print(
        "| n | peer | build | solve | own wall | result | solve / fa.allocate "
        "(rounding breaks a row) | solve / fa.allocate (rounding keeps the rows) "
        "| solve / solve_rows |"
    )
    print("|---:|---|---:|---:|---:|---|---:|---:|---:|")
    for inst, ours, lp, cbc, _ in results:
        mine = {o.rounding_breaks: f for o, f in zip(inst.overlaps, ours, strict=True)}
        for name, peer in (("linprog (HiGHS)", lp), ("PuLP+CBC", cbc)):
            if peer is None:
                print(f"| {inst.n:,} | {name} | — | — | — | skipped | — | — | — |")
                continue
            own = fmt_s(peer.get("cbc_wall")) if name == "PuLP+CBC" else "—"
            ratios = [
                fmt_ratio(peer["time"] / mine[k]["time"], "≤ " if mine[k]["error"] else "")
                if k in mine
                else "—"
                for k in (True, False)
            ]
            print(
                f"| {inst.n:,} | {name} | {fmt_s(peer['build'])} | {fmt_s(peer['time'])} "
                f"| {own} | {peer['status']} | {ratios[0]} | {ratios[1]} "
                f"| {fmt_ratio(peer['time'] / ours[0]['solve'])} |"
            )

    print("\n## LP answers against fundalloc's\n")
    print(
        "x: the LP's amounts; fundalloc: its continuous answer (solve_rows, before "
        "rounding), on the same problem. The L1 model is a different rule with many optima, "
        "so differences are expected; reported, not asserted. 'Groups hold' allows 1e-6 of "
        "the total.\n"
    )
    print(
        "| n | peer | abs(Σx − total) | group violation | groups hold | bound violation "
        "| max abs(x − fundalloc) | L1 objective: peer | L1 objective: fundalloc |"
    )
    print("|---:|---|---:|---:|---|---:|---:|---:|---:|")
    for inst, ours, lp, cbc, _ in results:
        for name, peer in (("linprog (HiGHS)", lp), ("PuLP+CBC", cbc)):
            if peer is None or peer["x"] is None or np.isnan(peer["x"]).any():
                continue
            c = compare(inst, inst.overlaps[0], ours[0]["amounts"], peer["x"])
            print(
                f"| {inst.n:,} | {name} | {c['sum_err']:.3g} | {c['group_violation']:.3g} "
                f"| {yes(c['groups_hold'])} | {c['bound_violation']:.3g} | {c['max_diff']:.4g} "
                f"| {c['obj']:.6g} | {c['obj_fundalloc']:.6g} |"
            )

    print("\n## Partitioned groups: exact path against the plain exact solver\n")
    print(
        f"| n | city floors binding (of {CITIES}) | plain fa.allocate | with the {CITIES} "
        "floors | ratio | Σ units = total | floors hold exactly |"
    )
    print("|---:|---:|---:|---:|---:|---|---|")
    for inst, *_, p in results:
        print(
            f"| {inst.n:,} | {p['binding']} | {fmt_s(p['plain'])} | {fmt_s(p['time'])} "
            f"| {fmt_ratio(p['time'] / p['plain'])} | {yes(p['sum_exact'])} "
            f"| {yes(p['floors_exact'])} |"
        )

    print("\n## Targets (reported, not asserted)\n")
    for inst, ours, *_ in results:
        if inst.n != 100_000:
            continue
        for o, f in zip(inst.overlaps, ours, strict=True):
            took = (
                f"stopped on its time limit after {fmt_s(f['time'])}"
                if f["error"]
                else fmt_s(f["time"])
            )
            met = not f["error"] and f["time"] < GOAL_OVERLAP_SECONDS
            print(
                f"- n = 10^5, two overlapping groups, {kind(o)}: fa.allocate {took}, under "
                f"{GOAL_OVERLAP_SECONDS:g} s: {yes(met)} (solve_rows alone {fmt_s(f['solve'])})"
            )
    for inst, *_, p in results:
        r = p["time"] / p["plain"]
        print(
            f"- n = {inst.n:,}, partitioned ({CITIES} city floors): {fmt_ratio(r)} the plain "
            f"solver, within {GOAL_PARTITION_RATIO:g}×: {yes(r <= GOAL_PARTITION_RATIO)}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
