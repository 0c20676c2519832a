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


# ------------------------------------------------------------------ schemes for round trips
_names = st.text(alphabet="甲乙丙丁人口村财力abcxyz_", min_size=1, max_size=6)
_weights = st.floats(0.01, 10, allow_nan=False).map(lambda w: round(w, 6))
_finite = st.floats(-1e6, 1e6, allow_nan=False).map(lambda x: round(x, 6))
_positive = st.floats(0.001, 1e6, allow_nan=False).map(lambda x: round(x, 6))


def _simple_rules() -> st.SearchStrategy[object]:
    return st.one_of(
        st.builds(fa.Share, column=_names),
        st.builds(fa.Ratio, numerator=_names, denominator=_names),
        st.builds(fa.Inverse, column=_names, reference=st.sampled_from(["mean", "max", "min"])),
        st.builds(
            fa.Composite,
            parts=st.lists(
                st.builds(fa.Part, column=_names, weight=_weights, inverse=st.booleans()),
                min_size=1,
                max_size=3,
            ),
            normalise=st.sampled_from(["zscore", "minmax", "ratio_to_mean"]),
            negative=st.sampled_from(["error", "clip", "shift"]),
            offset=_finite,
            normalise_weights=st.just(True),
        ),
        st.builds(
            fa.Product,
            terms=st.lists(
                st.builds(
                    fa.Term,
                    column=_names,
                    exponent=_finite,
                    relative=st.booleans(),
                    scale=_finite,
                    offset=_finite,
                ),
                min_size=1,
                max_size=3,
            ),
        ),
        st.builds(
            fa.Tiered,
            column=_names,
            tiers=st.dictionaries(st.sampled_from("ABCD"), _positive, min_size=1, max_size=4),
        ),
    )


def _factors(rules: st.SearchStrategy[object]) -> st.SearchStrategy[list[fa.Factor]]:
    return st.lists(
        st.builds(fa.Factor, name=_names, rule=rules, weight=_weights),
        min_size=1,
        max_size=3,
        unique_by=lambda f: f.name,
    )


_rules = st.one_of(
    _simple_rules(),
    st.builds(fa.Group, factors=_factors(_simple_rules()), normalise_weights=st.just(True)),
    st.builds(fa.Max, of=st.lists(_simple_rules(), min_size=2, max_size=3)),
    st.builds(fa.Min, of=st.lists(_simple_rules(), min_size=2, max_size=3)),
)
_conditions = st.one_of(
    st.builds(
        fa.Condition,
        column=_names,
        op=st.sampled_from([">", ">=", "<", "<=", "==", "!="]),
        value=_finite,
    ),
    st.builds(
        fa.Condition,
        column=_names,
        op=st.sampled_from(["in", "not in"]),
        value=st.lists(_names, min_size=1, max_size=3).map(tuple),
    ),
)
_amounts = st.integers(0, 10**7).map(lambda n: Decimal(n) / 100)
_bounds = st.one_of(
    st.builds(fa.Floor, amount=_amounts, where=st.lists(_conditions, max_size=1)),
    st.builds(fa.Cap, share=st.floats(0.01, 1).map(lambda x: round(x, 4))),
    st.builds(fa.Floor, per=_names, rate=_positive),
    st.builds(fa.HoldHarmless, column=_names, ratio=st.floats(0.5, 1).map(lambda x: round(x, 3))),
    st.builds(fa.GrowthCap, column=_names, ratio=st.floats(1, 2).map(lambda x: round(x, 3))),
)


@st.composite
def schemes(draw: st.DrawFn) -> fa.Scheme:
    """Valid schemes of every shape a scheme file can hold."""
    count = draw(st.integers(1, 3))
    shares = [1.0] if count == 1 else [0.5, 0.5] if count == 2 else [0.25, 0.25, 0.5]
    tranches = []
    for k, part in enumerate(shares):
        tranches.append(
            fa.Tranche(
                name=f"切块{k}",
                share=part,
                factors=draw(_factors(_rules)),
                coefficients=draw(
                    st.lists(
                        st.builds(fa.Coefficient, name=_names, rule=_simple_rules()),
                        max_size=2,
                        unique_by=lambda c: c.name,
                    )
                ),
                eligibility=draw(st.lists(_conditions, max_size=2)),
                normalise_weights=True,
            )
        )
    if draw(st.booleans()):
        tranches.append(
            fa.Tranche(name="定额", quota=fa.Quota(column=draw(_names), rate=draw(_positive)))
        )
    if draw(st.booleans()):
        tranches.append(
            fa.Tranche(
                name="固定",
                amount=Decimal(5),
                tranches=[
                    fa.Tranche(
                        name="子",
                        share=1,
                        factors=draw(_factors(_simple_rules())),
                        normalise_weights=True,
                    )
                ],
            )
        )
    step = draw(st.sampled_from([Decimal(1), Decimal("0.01"), Decimal(10)]))
    return fa.Scheme(
        name=draw(st.text(max_size=10)),
        document=draw(st.text(max_size=10)),
        total=step * draw(st.integers(1000, 10**8)),
        unit=draw(st.sampled_from(["万元", "元", "人"])),
        step=step,
        tranches=tranches,
        eligibility=draw(st.lists(_conditions, max_size=2)),
        bounds=draw(st.lists(_bounds, max_size=3)),
        rounding=draw(st.sampled_from(["largest_remainder", "webster", "dhondt", "half_up"])),
        derived=draw(
            st.dictionaries(
                _names, st.sampled_from(["max(a - b, 0)", "a / 2", "`人 口` * 3"]), max_size=2
            )
        ),
    )


@st.composite
def whole_step_rows(draw: st.DrawFn) -> tuple[object, ...]:
    """A tiny whole-step problem for brute force: 2-4 regions with integer floors and caps,
    a total of at most 8 steps, and 1-3 group rows (floors and caps in halves of a step,
    possibly overlapping) or ratio rows (a group at least / at most a ratio of another).

    Returns ``(rows, lower, upper, targets, total)`` for
    :func:`fundalloc.solvers.qp.diagnose_steps` with a step of 1.
    """
    from fractions import Fraction

    from fundalloc.constraints import Row

    n = draw(st.integers(2, 4))
    lower = np.array(draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)), dtype=np.int64)
    extra = draw(st.lists(st.integers(0, 6), min_size=n, max_size=n))
    upper = lower + np.array(extra, dtype=np.int64)
    targets = np.array(draw(st.lists(st.sampled_from([0.0, 1.0, 2.5]), min_size=n, max_size=n)))
    total = draw(st.integers(0, 8))
    rows = []
    for k in range(draw(st.integers(1, 3))):
        members = np.array(
            sorted(draw(st.sets(st.integers(0, n - 1), min_size=0, max_size=n))), dtype=np.int64
        )
        if draw(st.booleans()) and members.size and members.size < n:
            others = np.setdiff1d(np.arange(n), members)
            r = Fraction(draw(st.sampled_from([1, 2, 3])), draw(st.sampled_from([1, 2, 3])))
            at_least = draw(st.booleans())
            rows.append(
                Row(
                    ((Fraction(1), members), (-r, others)),
                    Fraction(0) if at_least else None,
                    None if at_least else Fraction(0),
                    k,
                    f"r{k}",
                    n,
                )
            )
            continue
        half = st.integers(0, 17).map(lambda h: Fraction(h, 2))
        low, high = draw(st.one_of(st.none(), half)), draw(st.one_of(st.none(), half))
        if low is None and high is None:
            low = draw(half)
        rows.append(Row(((Fraction(1), members),), low, high, k, f"g{k}", n))
    return rows, lower, upper, targets, total


# ------------------------------------------------------- exact rounding at national totals
@dataclass(frozen=True)
class LargeProblem:
    """Weights (floats, some equal, some far apart), a total of 10**12 to 10**18 units and
    whole-unit bounds that can hold it, for the exact-rounding properties."""

    weights: np.ndarray
    total: int
    lower: np.ndarray
    upper: np.ndarray


_large_weight = st.one_of(
    st.just(0.0),
    st.just(1.0),
    st.integers(1, 10**6).map(float),
    st.floats(1e-3, 1e3, allow_nan=False, allow_infinity=False),
    st.floats(1e-300, 1e300, allow_nan=False, allow_infinity=False),
)


@st.composite
def large_problems(draw: st.DrawFn, *, max_n: int = 12, bounded: bool = True) -> LargeProblem:
    n = draw(st.integers(1, max_n))
    pool = draw(st.lists(_large_weight, min_size=1, max_size=3))  # repeats make exact ties
    weights = np.array(
        draw(st.lists(st.sampled_from(pool) | _large_weight, min_size=n, max_size=n))
    )
    weights[draw(st.integers(0, n - 1))] = draw(st.floats(1e-3, 1e3))  # one positive at least
    total = draw(st.integers(10**12, 10**18))
    lower = np.zeros(n, dtype=np.int64)
    upper = np.full(n, total, dtype=np.int64)
    if bounded and draw(st.booleans()):
        # floors and caps as fractions of the total, feasible by construction
        cut = [draw(st.integers(0, total // (2 * n))) for _ in range(n)]
        lower = np.array(cut, dtype=np.int64)
        positive = weights > 0
        caps = [
            int(lower[i]) + draw(st.integers(total // n, total)) if positive[i] else int(lower[i])
            for i in range(n)
        ]
        upper = np.array(caps, dtype=np.int64)
        if int(np.where(positive, upper, lower).sum()) < total:
            upper[np.flatnonzero(positive)[0]] += total
    return LargeProblem(weights, total, lower, upper)


#: Indicator values at the edges of binary64: zero, subnormal, the smallest normal,
#: ordinary and huge (issue 16).
extreme_indicators = st.one_of(
    st.just(0.0),
    st.just(5e-324),
    st.just(2.2250738585072014e-308),
    st.floats(5e-324, 1e-300),
    st.floats(0.5, 1000.0),
    st.floats(1e300, 1.7e308),
    st.integers(0, 300).map(float),
)


@dataclass(frozen=True)
class DecompositionPair:
    """Two (table, scheme) pairs over the same regions for the change decomposition: the
    second with other data, total, weights, coefficients and bounds."""

    before: tuple[fa.RegionTable, fa.Scheme]
    after: tuple[fa.RegionTable, fa.Scheme]


@st.composite
def decomposition_pairs(draw: st.DrawFn) -> DecompositionPair:
    n = draw(st.integers(2, 12))
    ids = [f"r{k}" for k in range(n)]
    step = Decimal(draw(st.sampled_from(["1", "0.01", "10000"])))
    scale = draw(st.sampled_from([10**2, 10**9, 10**15]))  # whole steps in the total

    def side() -> tuple[fa.RegionTable, fa.Scheme]:
        x = draw(st.lists(st.integers(1, 1000), min_size=n, max_size=n))
        grade = draw(st.lists(st.sampled_from("AB"), min_size=n, max_size=n))
        units = draw(st.integers(n * scale // 2, n * scale))
        w = draw(st.sampled_from([0.0, 0.3, 0.5, 1.0]))
        bounds: list[fa.Floor | fa.Cap] = []
        if draw(st.booleans()):  # a floor below the equal share of the smallest total
            bounds.append(fa.Floor(amount=(scale // 4) * step))
        table = fa.RegionTable.from_columns(
            {"id": ids, "x": x, "y": list(range(1, n + 1)), "g": grade}, id="id"
        )
        scheme = fa.Scheme(
            total=units * step,
            step=step,
            tranches=[
                fa.Tranche(
                    name="t",
                    share=1,
                    factors=[
                        fa.Factor(name="x", weight=w, rule=fa.Share(column="x")),
                        fa.Factor(name="y", weight=1 - w, rule=fa.Share(column="y")),
                    ],
                    coefficients=[
                        fa.Coefficient(
                            name="g",
                            rule=fa.Tiered(
                                column="g",
                                tiers={"A": 1.0, "B": draw(st.sampled_from([0.5, 1.0, 1.2]))},
                            ),
                        )
                    ],
                )
            ],
            bounds=bounds,
        )
        return table, scheme

    return DecompositionPair(side(), side())
