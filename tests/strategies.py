"""Hypothesis strategies that build valid problems directly (no filtering)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from hypothesis import strategies as st

import fundalloc as fa
from fundalloc.solvers.exact import BoundedProblem, solve_proportional

# Region ids: Chinese city-like names and plain ascii, unique by construction.
_SYLLABLES = list("甲乙丙丁戊己庚辛壬癸东西南北中山河湖海")


@st.composite
def region_ids(draw: st.DrawFn, n: int) -> list[str]:
    kinds = draw(st.lists(st.sampled_from(_SYLLABLES), min_size=n, max_size=n))
    return [f"{k}{i}市" for i, k in enumerate(kinds)]


_need = st.one_of(
    st.just(0.0),
    st.integers(0, 10_000).map(float),
    st.floats(0.01, 1e6, allow_nan=False, allow_infinity=False),
)


@dataclass(frozen=True)
class Case:
    """A table and a scheme that is feasible by construction."""

    table: fa.RegionTable
    scheme: fa.Scheme
    rows: list[dict[str, object]]


@st.composite
def cases(
    draw: st.DrawFn, *, bounds: bool = True, methods: tuple[str, ...] = ("largest_remainder",)
) -> Case:
    n = draw(st.integers(1, 25))
    ids = draw(region_ids(n))
    x = draw(st.lists(_need, min_size=n, max_size=n))
    y = draw(st.lists(_need, min_size=n, max_size=n))
    x[draw(st.integers(0, n - 1))] += 1.0  # each share factor has a positive total
    y[draw(st.integers(0, n - 1))] += 1.0
    grade = draw(st.lists(st.sampled_from("ABC"), min_size=n, max_size=n))
    step = draw(st.sampled_from(["1", "0.01", "10"]))
    units = draw(st.integers(n, 200_000))
    total = units * Decimal(step)
    w = draw(st.one_of(st.just(0.0), st.floats(1e-6, 1.0)))  # no subnormal weights
    chosen: list[fa.Floor | fa.Cap] = []
    if bounds and draw(st.booleans()):
        # a floor of at most the equal share, rounded down to whole steps: always feasible
        floor_units = draw(st.integers(0, units // n))
        chosen.append(fa.Floor(amount=floor_units * Decimal(step)))
    if bounds and draw(st.booleans()):
        # a cap of at least the equal share among regions with a positive target (the others stay
        # at their floor under the proportional rule), rounded up: the caps hold the total
        positive = sum(
            1 for a, b in zip(x, y, strict=True) if (w > 0 and a > 0) or (w < 1 and b > 0)
        )
        cap_units = draw(st.integers(-(-units // positive), units))
        chosen.append(fa.Cap(amount=cap_units * Decimal(step)))
    rows = [
        {"id": i, "x": a, "y": b, "grade": g} for i, a, b, g in zip(ids, x, y, grade, strict=True)
    ]
    scheme = fa.Scheme(
        total=total,
        step=Decimal(step),
        tranches=[
            fa.Tranche(
                name="factors",
                share=1,
                factors=[
                    fa.Factor(name="x", rule=fa.Share(column="x"), weight=w),
                    fa.Factor(name="y", rule=fa.Share(column="y"), weight=1 - w),
                ],
                coefficients=[
                    fa.Coefficient(
                        name="grade",
                        rule=fa.Tiered(column="grade", tiers={"A": 1.1, "B": 1.0, "C": 0.9}),
                    )
                ],
            )
        ],
        bounds=chosen,
        rounding=draw(st.sampled_from(methods)),
    )
    return Case(fa.RegionTable.from_records(rows, id="id"), scheme, rows)


@dataclass(frozen=True)
class Units:
    """A rounding problem in whole units, feasible by construction."""

    exact: np.ndarray
    weights: np.ndarray
    total: int
    lower: np.ndarray
    upper: np.ndarray


@st.composite
def unit_problems(draw: st.DrawFn, *, max_n: int = 30) -> Units:
    n = draw(st.integers(1, max_n))
    # weights of 0 or at least 1e-6: real data never needs multipliers beyond binary64
    weights = np.array(
        draw(st.lists(st.one_of(st.just(0.0), st.floats(1e-6, 1e4)), min_size=n, max_size=n))
    )
    weights[draw(st.integers(0, n - 1))] += 1.0
    lower = np.array(draw(st.lists(st.integers(0, 5), min_size=n, max_size=n)), dtype=np.int64)
    upper = lower + np.array(
        draw(st.lists(st.integers(0, 50), min_size=n, max_size=n)), dtype=np.int64
    )
    # a region with no weight stays at its floor under the proportional rule
    total = draw(st.integers(int(lower.sum()), int(np.where(weights > 0, upper, lower).sum())))
    problem = BoundedProblem(weights, lower.astype(float), upper.astype(float), float(total))
    exact = solve_proportional(problem).amounts
    return Units(exact, weights, total, lower, upper)
