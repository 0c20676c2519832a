"""Calibration: recovering weights from a published allocation."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given
from hypothesis import strategies as st

import fundalloc as fa
from fundalloc.analysis.calibrate import _simplex_lstsq, calibrate, calibrate_scheme
from fundalloc.i18n import using
from fundalloc.trace import Hold

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "shandong_2018"
Array = npt.NDArray[np.float64]


def assert_kkt(a: Array, b: Array, v: Array, tol: float = 1e-9) -> None:
    """v solves min ‖a v − b‖² on the simplex: v >= 0, Σ v = 1, the gradient is the same μ on
    the support and at least μ off it (the multipliers of v >= 0 are non-negative)."""
    assert (v >= 0).all() and v.sum() == pytest.approx(1, abs=1e-12)
    gradient = a.T @ (a @ v - b)
    support = v > 0
    mu = gradient[support].mean()
    assert np.abs(gradient[support] - mu).max() <= tol
    assert (gradient[~support] >= mu - tol).all()


def best_by_enumeration(a: Array, b: Array) -> float:
    """The optimum by brute force: the equality-constrained optimum on every support, kept
    when it is feasible (KKT system [[AᵀA, 1], [1ᵀ, 0]] solved directly)."""
    k = a.shape[1]
    best = np.inf
    for size in range(1, k + 1):
        for support in itertools.combinations(range(k), size):
            af = a[:, support]
            kkt = np.block(
                [[af.T @ af, np.ones((size, 1))], [np.ones((1, size)), np.zeros((1, 1))]]
            )
            rhs = np.concatenate([af.T @ b, [1.0]])
            z = np.linalg.lstsq(kkt, rhs, rcond=None)[0][:size]
            if (z >= -1e-12).all() and abs(z.sum() - 1) < 1e-9:
                best = min(best, float(np.sum((af @ z - b) ** 2)))
    return best


def two_factor_table() -> fa.RegionTable:
    # shares of x: 0.5, 0.3, 0.2; shares of y: 0.2, 0.2, 0.6
    return fa.RegionTable.from_columns(
        {"id": ["a", "b", "c"], "x": [5, 3, 2], "y": [1, 1, 3]}, id="id"
    )


FACTORS = [
    fa.Factor(name="x", rule=fa.Share(column="x"), weight=0.5),
    fa.Factor(name="y", rule=fa.Share(column="y"), weight=0.5),
]


# ---------------------------------------------------------------------------- by hand


def test_exact_mixture_is_recovered() -> None:
    # 100 · (0.7 · (0.5, 0.3, 0.2) + 0.3 · (0.2, 0.2, 0.6)) = (41, 27, 32)
    fit = calibrate(two_factor_table(), FACTORS, {"a": 41, "b": 27, "c": 32})
    assert fit.weights == pytest.approx({"x": 0.7, "y": 0.3}, abs=1e-12)
    assert fit.fitted == pytest.approx({"a": 41, "b": 27, "c": 32}, abs=1e-9)
    assert fit.max_abs_deviation < 1e-9 and fit.within_rounding
    assert fit.r_squared == pytest.approx(1, abs=1e-12)
    assert fit.total == 100 and fit.identifiable and fit.tranche == "" and fit.unit == ""


def test_weight_at_the_boundary_with_hand_computed_statistics() -> None:
    # (56, 32, 12) = 100 · (1.2 · x − 0.2 · y): the unconstrained answer has a negative weight;
    # on the line w = (t, 1 − t) the squared error is a parabola with its minimum at t = 1.2,
    # so on the simplex t = 1: w = (1, 0), fitted (50, 30, 20), residuals (6, 2, −8)
    fit = calibrate(two_factor_table(), FACTORS, {"a": 56, "b": 32, "c": 12})
    assert fit.weights == {"x": 1.0, "y": 0.0}
    assert fit.fitted == pytest.approx({"a": 50, "b": 30, "c": 20})
    assert fit.residuals == pytest.approx({"a": 6, "b": 2, "c": -8})
    assert fit.max_abs_deviation == pytest.approx(8) and fit.worst == "c"
    mean = 100 / 3
    ss_tot = (56 - mean) ** 2 + (32 - mean) ** 2 + (12 - mean) ** 2
    assert fit.r_squared == pytest.approx(1 - (36 + 4 + 64) / ss_tot)  # 0.8929
    assert not fit.within_rounding


def test_residuals_add_up_to_zero_and_row_order_does_not_matter() -> None:
    table = fa.RegionTable.from_columns(
        {"id": list("edcba"), "x": [4, 9, 1, 7, 3], "y": [2, 2, 8, 1, 5], "z": [1, 0, 3, 3, 9]},
        id="id",
    )
    factors = [fa.Factor(name=c, rule=fa.Share(column=c), weight=1 / 3) for c in "xyz"]
    published = {"e": 20, "d": 31, "c": 19, "b": 12, "a": 18}
    fit = calibrate(table, factors, published)
    assert sum(fit.residuals.values()) == pytest.approx(0, abs=1e-9)
    assert list(fit.fitted) == list("edcba")  # table order
    shuffled = table.take([3, 0, 4, 2, 1])
    again = calibrate(shuffled, factors, published)
    assert again.weights == pytest.approx(fit.weights, abs=1e-12)
    assert again.fitted == pytest.approx(fit.fitted)


def test_published_as_a_column_and_model_as_a_tranche_or_scheme() -> None:
    table = two_factor_table().with_column("amount", [41, 27, 32])
    tranche = fa.Tranche(name="因素", share=1, factors=FACTORS)
    scheme = fa.Scheme(total=100, unit="万元", step=Decimal("0.1"), tranches=[tranche])
    by_column = calibrate(table, scheme, "amount")
    by_mapping = calibrate(table, tranche, {"a": 41, "b": 27, "c": 32})
    assert by_column.weights == pytest.approx(by_mapping.weights, abs=1e-12)
    assert by_column.step == Decimal("0.1") and by_column.unit == "万元"
    assert by_column.tranche == "因素" == by_mapping.tranche
    assert by_mapping.step == 1
    assert calibrate(table, tranche, "amount", step="0.01").step == Decimal("0.01")


def test_not_identifiable_when_two_factors_have_the_same_shares() -> None:
    table = fa.RegionTable.from_columns(
        {"id": ["a", "b", "c"], "x": [1, 2, 3], "x2": [2, 4, 6], "y": [3, 1, 1]}, id="id"
    )
    factors = [
        fa.Factor(name="x", rule=fa.Share(column="x"), weight=0.4),
        fa.Factor(name="x2", rule=fa.Share(column="x2"), weight=0.4),
        fa.Factor(name="y", rule=fa.Share(column="y"), weight=0.2),
    ]
    # 60 · (0.8 · (1, 2, 3)/6 + 0.2 · (3, 1, 1)/5) = (15.2, 18.4, 26.4)
    published = {"a": 15.2, "b": 18.4, "c": 26.4}
    fit = calibrate(table, factors, published)
    assert not fit.identifiable
    assert fit.weights["x"] + fit.weights["x2"] == pytest.approx(0.8, abs=1e-9)
    assert fit.max_abs_deviation < 1e-9


def test_r_squared_is_none_when_every_amount_is_the_same() -> None:
    table = fa.RegionTable.from_columns({"id": ["a", "b"], "x": [1, 1], "y": [1, 3]}, id="id")
    fit = calibrate(
        table,
        [fa.Factor(name=c, rule=fa.Share(column=c), weight=0.5) for c in "xy"],
        {"a": 5, "b": 5},
    )
    assert fit.r_squared is None and fit.weights == {"x": 1.0, "y": 0.0}


def test_coefficients_are_fitted_on_adjusted_shares() -> None:
    # the tranche multiplies by 1.1 / 1.0 / 0.9 and rescales: the formula is not linear in w,
    # but allocate → calibrate gives the weights back exactly when nothing is rounded
    table = fa.RegionTable.from_columns(
        {
            "id": ["a", "b", "c", "d"],
            "x": [5, 3, 2, 7],
            "y": [1, 1, 3, 2],
            "grade": ["A", "B", "C", "A"],
        },
        id="id",
    )
    scheme = fa.Scheme(
        total=1000,
        step=Decimal("0.000001"),
        tranches=[
            fa.Tranche(
                name="t",
                share=1,
                factors=[
                    fa.Factor(name="x", rule=fa.Share(column="x"), weight=0.35),
                    fa.Factor(name="y", rule=fa.Share(column="y"), weight=0.65),
                ],
                coefficients=[
                    fa.Coefficient(
                        name="g", rule=fa.Tiered(column="grade", tiers={"A": 1.1, "B": 1, "C": 0.9})
                    )
                ],
            )
        ],
    )
    published = fa.allocate(table, scheme).amounts
    fit = calibrate(table, scheme, published)
    assert fit.weights == pytest.approx({"x": 0.35, "y": 0.65}, abs=1e-8)
    assert fit.within_rounding
    # fitting the plain shares instead would be wrong: the coefficients move money
    plain = calibrate(table, list(scheme.tranches[0].factors), published)
    assert plain.weights["x"] != pytest.approx(0.35, abs=1e-3)


def test_derived_columns_and_eligibility_of_the_scheme_are_used() -> None:
    table = fa.RegionTable.from_columns(
        {"id": ["a", "b", "c"], "poor": [10, 30, 5], "rural": [100, 200, 50], "gap": [1, 1, -1]},
        id="id",
    )
    scheme = fa.Scheme(
        total=100,
        derived={"incidence": "poor / rural"},
        eligibility=[fa.Condition(column="gap", op=">", value=0)],
        tranches=[
            fa.Tranche(
                name="t",
                share=1,
                factors=[
                    fa.Factor(name="poor", rule=fa.Share(column="poor"), weight=0.5),
                    fa.Factor(name="incidence", rule=fa.Share(column="incidence"), weight=0.5),
                ],
            )
        ],
    )
    # over a and b only: poor 0.25 / 0.75, incidence 0.1 / 0.15 → 0.4 / 0.6
    fit = calibrate(table, scheme, {"a": 32.5, "b": 67.5, "c": 0})
    assert fit.weights == pytest.approx({"poor": 0.5, "incidence": 0.5}, abs=1e-12)
    assert fit.fitted["c"] == 0
    with pytest.raises(fa.DataError, match=r"expected 0 for the regions that do not take part"):
        calibrate(table, scheme, {"a": 30, "b": 60, "c": 10})


# ---------------------------------------------------------------------------- refusals


def test_published_ids_must_match_the_table() -> None:
    with pytest.raises(fa.DataError) as caught:
        calibrate(two_factor_table(), FACTORS, {"a": 1, "bb": 2})
    text = str(caught.value)
    assert (
        "expected an amount for every region of the table (0 for none); found none for b, c" in text
    )
    assert "expected only regions of the table; found bb (hint: did you mean 'bb' → 'b'?)" in text


def test_published_amounts_are_checked() -> None:
    table = two_factor_table()
    with pytest.raises(
        fa.DataError, match="published, region b: expected an amount >= 0; found -2"
    ):
        calibrate(table, FACTORS, {"a": 1, "b": -2, "c": 3})
    with pytest.raises(fa.DataError, match="found 'x'"):
        calibrate(table, FACTORS, {"a": 1, "b": "x", "c": 3})  # type: ignore[dict-item]
    with pytest.raises(fa.DataError, match="nothing to reproduce"):
        calibrate(table, FACTORS, {"a": 0, "b": 0, "c": 0})
    with pytest.raises(fa.DataError, match="row 1, column 'x': expected an amount >= 0"):
        calibrate(table.with_column("x", [-1, 0, 0]), FACTORS[1:], "x")
    with pytest.raises(fa.DataError, match="no column 'amount'"):
        calibrate(table, FACTORS, "amount")
    with pytest.raises(fa.DataError, match="a mapping of region id to amount"):
        calibrate(table, FACTORS, [1, 2, 3])  # type: ignore[arg-type]


def test_model_and_step_are_checked() -> None:
    table = two_factor_table()
    published = {"a": 41, "b": 27, "c": 32}
    with pytest.raises(fa.SchemeError, match="non-empty list of Factors"):
        calibrate(table, [], published)
    with pytest.raises(fa.SchemeError, match="'x' is used more than once"):
        calibrate(table, [FACTORS[0], FACTORS[0]], published)
    with pytest.raises(fa.SchemeError, match="factors\\[1\\]: expected a Factor"):
        calibrate(table, [FACTORS[0], "y"], published)  # type: ignore[list-item]
    with pytest.raises(fa.SchemeError, match="a tranche path needs a Scheme or a Tranche"):
        calibrate(table, FACTORS, published, tranche="t")
    with pytest.raises(fa.SchemeError, match="step: expected a positive number"):
        calibrate(table, FACTORS, published, step=0)
    shandong = fa.load_scheme(EXAMPLE / "scheme.toml").scheme
    data = fa.read_table(EXAMPLE / "data.csv", id="地区")
    amounts = dict.fromkeys(data.ids, 1)
    with pytest.raises(fa.SchemeError, match="pass tranche= with one of them"):
        calibrate(data, shandong, amounts)
    with pytest.raises(fa.DataError, match="found 威海市 1"):
        calibrate(data, shandong, amounts, tranche="重点民族村发展")


def test_coefficients_that_wipe_out_a_factor_are_refused() -> None:
    table = fa.RegionTable.from_columns(
        {"id": ["a", "b"], "x": [1, 0], "y": [0, 1], "c": [0, 1]}, id="id"
    )
    tranche = fa.Tranche(
        name="t",
        share=1,
        factors=FACTORS,
        coefficients=[fa.Coefficient(name="c", rule=fa.Share(column="c"))],
    )
    with pytest.raises(fa.DataError, match="are 0 wherever 'x' is positive"):
        calibrate(table, tranche, {"a": 0, "b": 10})


def test_no_region_taking_part() -> None:
    tranche = fa.Tranche(
        name="t", share=1, factors=FACTORS, eligibility=[fa.Condition(column="x", op=">", value=9)]
    )
    with pytest.raises(fa.InfeasibleError, match="no region meets the eligibility: x > 9"):
        calibrate(two_factor_table(), tranche, {"a": 1, "b": 1, "c": 1})


# ---------------------------------------------------------------------------- the solver


def test_solver_on_collinear_and_single_columns() -> None:
    a = np.array([[0.5, 0.5, 0.1], [0.3, 0.3, 0.1], [0.2, 0.2, 0.8]])
    b = np.array([0.4, 0.25, 0.35])
    v = _simplex_lstsq(a, b)
    assert_kkt(a, b, v)
    assert float(np.sum((a @ v - b) ** 2)) == pytest.approx(best_by_enumeration(a, b), abs=1e-15)
    assert _simplex_lstsq(a[:, :1], b).tolist() == [1.0]


_problems = st.tuples(st.integers(1, 12), st.integers(1, 6)).flatmap(
    lambda shape: st.tuples(
        st.lists(
            st.lists(st.floats(0, 1, allow_nan=False), min_size=shape[1], max_size=shape[1]),
            min_size=shape[0],
            max_size=shape[0],
        ),
        st.lists(st.floats(0, 1, allow_nan=False), min_size=shape[0], max_size=shape[0]),
        st.booleans(),
    )
)


@given(_problems)
def test_solver_meets_kkt_and_matches_enumeration(
    problem: tuple[list[list[float]], list[float], bool],
) -> None:
    rows, rhs, duplicate = problem
    a, b = np.array(rows), np.array(rhs)
    if duplicate:  # a repeated column: the weights are not unique, the optimum is
        a = np.column_stack([a, a[:, 0]])
    v = _simplex_lstsq(a, b)
    assert_kkt(a, b, v, tol=1e-9 * (1 + np.abs(a).sum()))
    best = best_by_enumeration(a, b)
    assert float(np.sum((a @ v - b) ** 2)) <= best + 1e-12 * (1 + best)


# ---------------------------------------------------------------------------- round trips


@dataclass(frozen=True)
class RoundTrip:
    table: fa.RegionTable
    scheme: fa.Scheme
    columns: dict[str, list[int]]
    coefficient: list[float] | None


_TIERS = {"A": 1.1, "B": 1.0, "C": 0.9}


@st.composite
def round_trips(draw: st.DrawFn) -> RoundTrip:
    n = draw(st.integers(2, 12))
    k = draw(st.integers(1, 4))
    columns = {}
    for j in range(k):
        values = draw(st.lists(st.integers(0, 1000), min_size=n, max_size=n))
        values[draw(st.integers(0, n - 1))] += 1  # a positive total
        columns[f"x{j}"] = values
    raw = draw(st.lists(st.integers(0, 20), min_size=k, max_size=k))
    raw[draw(st.integers(0, k - 1))] += 1
    weights = [r / sum(raw) for r in raw]
    grades = draw(st.lists(st.sampled_from("ABC"), min_size=n, max_size=n))
    with_coefficient = draw(st.booleans())
    step = Decimal(draw(st.sampled_from(["1", "0.01", "10"])))
    total = draw(st.integers(n, 1_000_000)) * step
    tranche = fa.Tranche(
        name="因素",
        share=1,
        factors=[
            fa.Factor(name=c, rule=fa.Share(column=c), weight=w)
            for c, w in zip(columns, weights, strict=True)
        ],
        coefficients=[fa.Coefficient(name="g", rule=fa.Tiered(column="grade", tiers=_TIERS))]
        if with_coefficient
        else [],
    )
    ids = [f"r{i:02d}" for i in range(n)]
    table = fa.RegionTable.from_columns({"id": ids, **columns, "grade": grades}, id="id")
    scheme = fa.Scheme(total=total, step=step, tranches=[tranche])
    return RoundTrip(
        table, scheme, columns, [_TIERS[g] for g in grades] if with_coefficient else None
    )


def check_round_trip(
    case: RoundTrip, fit_weights: dict[str, float], published: Array, fitted: Array, targets: Array
) -> None:
    """The error bounds that rounding allows (see calibrate's Notes), on independently
    computed shares: the fitted amounts are a projection, so they are no further from the
    true amounts than the published ones; and the (adjusted) weights are off by at most that
    over T σ_min."""
    total = float(published.sum())
    noise = float(np.linalg.norm(published - targets))
    assert float(np.linalg.norm(fitted - targets)) <= noise + 1e-9 * total
    x = np.array([case.columns[c] for c in case.columns], dtype=float).T
    shares = x / x.sum(axis=0)
    c = np.ones(len(x)) if case.coefficient is None else np.array(case.coefficient)
    mass = c @ shares
    adjusted = c[:, None] * shares / mass
    true_w = np.array([f.weight for f in case.scheme.tranches[0].factors])
    got_w = np.array(list(fit_weights.values()))
    true_v = true_w * mass / (true_w @ mass)
    got_v = got_w * mass / (got_w @ mass)
    assert_kkt(adjusted, published / total, got_v, tol=1e-9)
    singular = np.linalg.svd(adjusted, compute_uv=False)
    sigma = singular.min() if len(singular) == len(true_w) else 0.0  # fewer regions than factors
    if sigma > 1e-6:
        assert float(np.linalg.norm(got_v - true_v)) <= noise / (total * sigma) + 1e-9


@given(round_trips())
def test_round_trip_recovers_the_weights_up_to_rounding(case: RoundTrip) -> None:
    allocation = fa.allocate(case.table, case.scheme)
    published = allocation.amounts
    fit = calibrate(case.table, case.scheme, published)
    ids = case.table.ids
    p = np.array([float(published[i]) for i in ids])
    targets = np.array([allocation.targets[i] for i in ids])
    fitted = np.array([fit.fitted[i] for i in ids])
    assert sum(fit.weights.values()) == pytest.approx(1, abs=1e-12)
    assert min(fit.weights.values()) >= 0
    assert sum(fit.residuals.values()) == pytest.approx(0, abs=1e-9 * float(p.sum()))
    check_round_trip(case, fit.weights, p, fitted, targets)


def test_round_trip_by_hand_sized_case() -> None:
    table = fa.RegionTable.from_columns(
        {
            "id": [f"r{i}" for i in range(8)],
            "x0": [120, 80, 45, 300, 10, 64, 99, 150],
            "x1": [3, 9, 1, 4, 7, 2, 6, 5],
            "grade": list("ABCABCAB"),
        },
        id="id",
    )
    scheme = fa.Scheme(
        total=5000,
        tranches=[
            fa.Tranche(
                name="因素",
                share=1,
                factors=[
                    fa.Factor(name="x0", rule=fa.Share(column="x0"), weight=0.65),
                    fa.Factor(name="x1", rule=fa.Share(column="x1"), weight=0.35),
                ],
            )
        ],
    )
    published = fa.allocate(table, scheme).amounts
    fit = calibrate(table, scheme, published)
    # 8 regions rounded by < 1 万元 each out of 5000: the weights move by well under 0.001
    assert fit.weights == pytest.approx({"x0": 0.65, "x1": 0.35}, abs=1e-3)
    assert fit.within_rounding and fit.r_squared is not None and fit.r_squared > 0.9999


# ---------------------------------------------------------------------------- Shandong


@pytest.mark.parametrize(
    ("path", "weights"),
    [
        (
            "贫困人口因素",
            {"贫困人口规模": 0.35, "巩固脱贫人口": 0.25, "贫困发生率": 0.2, "脱贫难度": 0.2},
        ),
        ("重点民族村发展", {"已退出重点民族村": 0.8, "省扶贫工作重点民族村": 0.2}),
    ],
)
def test_shandong_weights_are_recovered_from_the_tranche_amounts(
    path: str, weights: dict[str, float]
) -> None:
    # the 测算表 of 鲁民发〔2018〕47号 shows each city's amount per tranche; rounded to 0.01 万元,
    # those recover the scheme's weights (with the tiered coefficient of the first tranche)
    scheme = fa.load_scheme(EXAMPLE / "scheme.toml").scheme
    table = fa.read_table(EXAMPLE / "data.csv", id="地区")
    allocation = fa.allocate(table, scheme)
    leaf = next(leaf for leaf in allocation.trace.leaves if leaf.path == (path,))
    exact = dict(zip(allocation.trace.ids, leaf.targets.tolist(), strict=True))
    published = {k: Decimal(repr(v)).quantize(Decimal("0.01")) for k, v in exact.items()}
    fit = calibrate(table, scheme, published, tranche=path, step=Decimal("0.01"))
    assert fit.weights == pytest.approx(weights, abs=2e-4)
    assert fit.within_rounding and fit.identifiable
    assert fit.weights.keys() == weights.keys() and fit.tranche == path
    assert fit.fitted["威海市"] == 0  # takes no part (已脱贫享受政策人口 is 0)
    # the error bound of the rounding: |fitted − exact| ≤ |published − exact| (as vectors)
    ids = list(exact)
    diff_fit = np.array([fit.fitted[i] - exact[i] for i in ids])
    diff_pub = np.array([float(published[i]) - exact[i] for i in ids])
    assert np.linalg.norm(diff_fit) <= np.linalg.norm(diff_pub) + 1e-9


def test_published_amount_errors_read_whole_in_chinese() -> None:
    table = two_factor_table()
    with pytest.raises(fa.DataError) as caught:
        calibrate(table, FACTORS, {"a": 1, "bb": 3})
    assert caught.value.render("zh").splitlines() == [
        "公布的金额：表中每个地区都应有金额（没有的写 0）；实际为 缺少：b、c",
        "公布的金额：应只含表中的地区；实际为 bb（提示：是否想写 'bb' → 'b'？）",
    ]
    with pytest.raises(fa.DataError) as caught:
        calibrate(table, FACTORS, {"a": 0, "b": 0, "c": 0})
    assert caught.value.render("zh") == (
        "公布的金额：金额合计应大于 0：没有可以还原的分配；实际为 合计为 0"
    )


# ------------------------------------------------------- calibrate_scheme: tranches and bounds


TEN = fa.RegionTable.from_columns(
    {
        "地区": list("ABCDEFGHIJ"),
        "贫困人口": [900, 820, 610, 480, 350, 300, 210, 120, 60, 40],
        "发生率": [3.1, 5.2, 4.4, 2.0, 6.5, 3.3, 2.7, 4.9, 1.5, 1.2],
        "重点村": [8, 12, 6, 7, 9, 4, 3, 5, 1, 1],
        "等次": ["A", "B", "B", "C", "A", "B", "C", "A", "B", "B"],
    },
    id="地区",
)


def two_tranches(
    a: float, w: float, bounds: tuple[fa.Floor | fa.Cap, ...] = (), graded: bool = False
) -> fa.Scheme:
    coefficients = (
        [
            fa.Coefficient(
                name="绩效", rule=fa.Tiered(column="等次", tiers={"A": 1.2, "B": 1.0, "C": 0.8})
            )
        ]
        if graded
        else []
    )
    return fa.Scheme(
        total=5000,
        bounds=bounds,
        tranches=[
            fa.Tranche(
                name="人口",
                share=a,
                factors=[
                    fa.Factor(name="贫困人口", rule=fa.Share(column="贫困人口"), weight=w),
                    fa.Factor(name="发生率", rule=fa.Share(column="发生率"), weight=1 - w),
                ],
            ),
            fa.Tranche(
                name="村",
                share=1 - a,
                coefficients=coefficients,
                factors=[fa.Factor(name="重点村", rule=fa.Share(column="重点村"), weight=1)],
            ),
        ],
    )


@pytest.mark.parametrize("graded", [False, True])
def test_scheme_with_binding_floor_and_cap_is_recovered_exactly(graded: bool) -> None:
    """The acceptance case: a table fundalloc made with a binding floor and cap, rounded to
    whole 万元, gives back the tranche shares and weights (within rounding), the bounded
    regions, and a scheme that re-allocates to the published amounts to the unit."""
    bounds = (fa.Floor(amount=150), fa.Cap(amount=800))
    truth = fa.allocate(TEN, two_tranches(0.7, 0.6, bounds, graded))
    published = truth.amounts
    fit = calibrate_scheme(TEN, two_tranches(0.5, 0.5, graded=graded), published)
    assert fit.shares == pytest.approx({"人口": 0.7, "村": 0.3}, abs=5e-3)
    assert fit.weights == pytest.approx(
        {"人口/贫困人口": 0.6, "人口/发生率": 0.4, "村/重点村": 1.0}, abs=5e-3
    )
    # the bounded regions are those the pipeline's own trace says are held
    words = {int(Hold.FLOOR): "floor", int(Hold.CAP): "cap"}
    held = {
        r: words[int(h)]
        for r, h in zip(truth.trace.ids, truth.trace.holds, strict=True)
        if int(h) in words
    }
    assert fit.bounded == held == {"A": "cap", "B": "cap", "I": "floor", "J": "floor"}
    assert fit.floor == 150 and fit.cap == 800
    assert fit.multiplier == pytest.approx(truth.trace.multiplier, rel=1e-3)
    assert fit.within_rounding and fit.identifiable
    assert fit.r_squared is not None and fit.r_squared > 0.9999
    again = fa.allocate(TEN, fit.to_scheme(digits=2))
    assert again.amounts == published
    assert fa.allocate(TEN, fit.to_scheme()).amounts == published
    assert (
        again.scheme.tranches[1].coefficients
        == two_tranches(0.7, 0.6, graded=graded).tranches[1].coefficients
    )


def test_scheme_calibration_worked_case_by_fractions() -> None:
    """By hand: x = 4, 2, 1, 1 and y = 0, 1, 1, 2, 100 split 50/50, so the targets are 25,
    25, 18.75, 31.25; a floor of 20 holds c, and the others share 80 in proportion:
    λ = 80 / 81.25 = 64/65. Unrounded published amounts give the parameters back exactly."""
    table = fa.RegionTable.from_columns(
        {"id": ["a", "b", "c", "d"], "x": [4, 2, 1, 1], "y": [0, 1, 1, 2]}, id="id"
    )
    lam = Fraction(64, 65)
    targets = {"a": Fraction(25), "b": Fraction(25), "c": Fraction(75, 4), "d": Fraction(125, 4)}
    amounts = {r: (Fraction(20) if r == "c" else lam * t) for r, t in targets.items()}
    assert sum(amounts.values()) == 100

    def scheme(a: float) -> fa.Scheme:
        return fa.Scheme(
            total=100,
            tranches=[
                fa.Tranche(
                    name="X",
                    share=a,
                    factors=[fa.Factor(name="x", rule=fa.Share(column="x"), weight=1)],
                ),
                fa.Tranche(
                    name="Y",
                    share=1 - a,
                    factors=[fa.Factor(name="y", rule=fa.Share(column="y"), weight=1)],
                ),
            ],
        )

    published = {r: float(v) for r, v in amounts.items()}
    fit = calibrate_scheme(table, scheme(0.9), published, floor=20, cap=None)
    assert fit.bounded == {"c": "floor"}
    assert fit.shares == pytest.approx({"X": 0.5, "Y": 0.5}, abs=1e-12)
    assert fit.amounts == pytest.approx({"X": 50, "Y": 50}, abs=1e-10)
    assert fit.multiplier == pytest.approx(float(lam), abs=1e-12)
    assert fit.fitted == pytest.approx({r: float(v) for r, v in amounts.items()}, abs=1e-10)
    assert fit.max_abs_deviation < 1e-10 and fit.cap is None
    assert [m.render("en") for m in fit.reasons] == [
        "the floor stated, 20; regions within one step of it: 1"
    ]
    assert [m.render("zh") for m in fit.reasons] == [
        "给定的保底 20：1 个地区的公布金额与它相差不到一个取整单位"
    ]
    # automatic detection does not take a lone smallest amount for a floor: then c is
    # fitted as free, and the fit is no longer exact
    auto = calibrate_scheme(table, scheme(0.9), published)
    assert auto.bounded == {} and auto.reasons == ()
    assert auto.max_abs_deviation > 0.1


def test_scheme_calibration_without_bounds_finds_none() -> None:
    published = fa.allocate(TEN, two_tranches(0.4, 0.25)).amounts
    fit = calibrate_scheme(TEN, two_tranches(0.5, 0.5), published)
    assert fit.bounded == {} and fit.floor is None and fit.cap is None
    assert fit.shares == pytest.approx({"人口": 0.4, "村": 0.6}, abs=5e-3)
    assert fa.allocate(TEN, fit.to_scheme(digits=2)).amounts == published


def test_scheme_calibration_table_in_both_languages() -> None:
    bounds = (fa.Floor(amount=150), fa.Cap(amount=800))
    published = fa.allocate(TEN, two_tranches(0.7, 0.6, bounds)).amounts
    fit = calibrate_scheme(TEN, two_tranches(0.5, 0.5), published)
    frame = fit.to_dataframe()
    assert list(frame.columns) == ["region", "fitted", "residual", "bound"]
    assert list(frame["bound"])[:3] == ["at the cap", "at the cap", "proportional"]
    with using("zh"):
        frame = fit.to_dataframe()
        html = fit._repr_html_()
    assert list(frame.columns) == ["地区", "拟合金额", "残差", "约束"]
    assert list(frame["约束"])[-2:] == ["保底", "保底"]
    assert "方案反推：切块 人口 0.7" in html


def test_scheme_calibration_refuses_fixed_amount_tranches() -> None:
    scheme = fa.Scheme(
        total=100,
        tranches=[
            fa.Tranche(
                name="X",
                amount=60,
                factors=[fa.Factor(name="x", rule=fa.Share(column="贫困人口"), weight=1)],
            ),
            fa.Tranche(
                name="Y",
                amount=40,
                factors=[fa.Factor(name="y", rule=fa.Share(column="重点村"), weight=1)],
            ),
        ],
    )
    published = fa.allocate(TEN, scheme).amounts
    with pytest.raises(fa.SchemeError) as caught:
        calibrate_scheme(TEN, scheme, published)
    assert "expected a tranche sized by a share" in caught.value.render("en")
    assert "a fixed amount of 60" in caught.value.render("en")
    assert "有因素的切块及其上级切块应按比例给定" in caught.value.render("zh")
    assert "固定金额 60" in caught.value.render("zh")


def test_scheme_calibration_with_every_region_bounded_says_so() -> None:
    table = fa.RegionTable.from_columns({"id": ["a", "b", "c", "d"], "x": [1, 1, 5, 5]}, id="id")
    scheme = fa.Scheme(
        total=100,
        tranches=[
            fa.Tranche(
                name="X",
                share=1,
                factors=[fa.Factor(name="x", rule=fa.Share(column="x"), weight=1)],
            )
        ],
    )
    published = {"a": 10, "b": 10, "c": 40, "d": 40}
    with pytest.raises(fa.DataError) as caught:
        calibrate_scheme(table, scheme, published)
    assert "no region is left to fit" in caught.value.render("en")
    assert "2 at the floor, 2 at the cap" in caught.value.render("en")
    assert "没有可以拟合的地区" in caught.value.render("zh")
    # stating there is no cap leaves c and d free, and they fit exactly
    fit = calibrate_scheme(table, scheme, published, cap=None)
    assert fit.bounded == {"a": "floor", "b": "floor"}
    assert fit.fitted == pytest.approx({"a": 10, "b": 10, "c": 40, "d": 40})


def test_scheme_calibration_rejects_a_bad_bound() -> None:
    published = fa.allocate(TEN, two_tranches(0.4, 0.25)).amounts
    with pytest.raises(fa.SchemeError) as caught:
        calibrate_scheme(TEN, two_tranches(0.5, 0.5), published, floor=-3)
    assert "-3" in caught.value.render("en")


def test_scheme_calibration_uses_the_schemes_own_bounds() -> None:
    """Shandong 2018: a floor of 60 that holds one city (not detectable from repeats) and a
    cap of 12% (446.04 万元, published as 446). Taken from the scheme, each is matched
    within one step, the bounded cities are those the trace says, and the recovered scheme
    re-allocates to the published amounts."""
    scheme = fa.load_scheme(EXAMPLE / "scheme.toml").scheme
    table = fa.read_table(EXAMPLE / "data.csv", id="地区")
    truth = fa.allocate(table, scheme)
    fit = calibrate_scheme(table, scheme, truth.amounts)
    words = {int(Hold.FLOOR): "floor", int(Hold.CAP): "cap"}
    held = {
        r: words[int(h)]
        for r, h in zip(truth.trace.ids, truth.trace.holds, strict=True)
        if int(h) in words
    }
    assert fit.bounded == dict(sorted(held.items(), key=lambda kv: table.ids.index(kv[0])))
    assert fit.fitted["济宁市"] == pytest.approx(446.04)
    assert fit.floor is None and fit.cap is None
    assert [m.render("en") for m in fit.reasons] == [
        "the scheme's own floors; regions within one step of theirs: 1",
        "the scheme's own caps; regions within one step of theirs: 3",
    ]
    assert fit.within_rounding
    assert fit.shares == pytest.approx({"贫困人口因素": 0.7, "重点民族村发展": 0.3}, abs=0.02)
    assert fa.allocate(table, fit.to_scheme()).amounts == truth.amounts


def test_recovered_bounds_are_plain_decimals() -> None:
    """150.0 becomes Decimal('150') in the recovered scheme, not Decimal('1.5E+2')."""
    bounds = (fa.Floor(amount=150), fa.Cap(amount=800))
    published = fa.allocate(TEN, two_tranches(0.7, 0.6, bounds)).amounts
    scheme = calibrate_scheme(TEN, two_tranches(0.5, 0.5), published).to_scheme(digits=2)
    assert [str(b.amount) for b in scheme.bounds] == ["150", "800"]
    assert [b.label("万元", "zh") for b in scheme.bounds] == ["保底 150 万元", "封顶 800 万元"]


def graded_start(tiers: dict[str, float]) -> fa.Scheme:
    """The graded two-tranche scheme with 50/50 shares and weights and the tiers given."""
    start = two_tranches(0.5, 0.5, graded=True)
    villages = start.tranches[1]
    coefficient = villages.coefficients[0]
    rule = coefficient.rule.replace(tiers=tiers)
    return start.replace(
        tranches=(
            start.tranches[0],
            villages.replace(coefficients=(coefficient.replace(rule=rule),)),
        )
    )


def test_tier_values_are_recovered_with_the_shares_and_weights() -> None:
    """Tiers A/B/C = 1.2/1.0/0.8 on the village tranche, floor and cap binding, whole 万元:
    starting from 1.2 for every tier, the ratios come back (A keeps the scheme's 1.2), and
    the recovered scheme re-allocates to the published table."""
    bounds = (fa.Floor(amount=150), fa.Cap(amount=800))
    published = fa.allocate(TEN, two_tranches(0.7, 0.6, bounds, graded=True)).amounts
    fit = calibrate_scheme(
        TEN, graded_start({"A": 1.2, "B": 1.2, "C": 1.2}), published, tiers=["绩效"]
    )
    assert fit.tiers["绩效"] == pytest.approx({"A": 1.2, "B": 1.0, "C": 0.8}, abs=0.01)
    assert fit.shares == pytest.approx({"人口": 0.7, "村": 0.3}, abs=5e-3)
    assert fit.bounded == {"A": "cap", "B": "cap", "I": "floor", "J": "floor"}
    again = fa.allocate(TEN, fit.to_scheme(digits=2))
    assert again.amounts == published
    assert again.scheme.tranches[1].coefficients[0].rule.tiers == {"A": 1.2, "B": 1.0, "C": 0.8}


def test_tier_values_from_unrounded_amounts_are_exact() -> None:
    """From the bounded amounts before rounding, the fit is exact: tiers, shares, weights."""
    bounds = (fa.Floor(amount=150), fa.Cap(amount=800))
    truth = fa.allocate(TEN, two_tranches(0.7, 0.6, bounds, graded=True)).trace
    published = dict(zip(truth.ids, truth.bounded.tolist(), strict=True))
    fit = calibrate_scheme(
        TEN,
        graded_start({"A": 1.2, "B": 0.5, "C": 2.0}),
        published,
        floor=150,
        cap=800,
        tiers=["绩效"],
    )
    assert fit.tiers["绩效"] == pytest.approx({"A": 1.2, "B": 1.0, "C": 0.8}, abs=1e-7)
    assert fit.shares == pytest.approx({"人口": 0.7, "村": 0.3}, abs=1e-8)
    assert fit.weights["人口/贫困人口"] == pytest.approx(0.6, abs=1e-8)
    assert fit.max_abs_deviation < 1e-6


def test_tier_fitting_names_a_coefficient_of_the_scheme() -> None:
    published = fa.allocate(TEN, two_tranches(0.7, 0.6, graded=True)).amounts
    with pytest.raises(fa.SchemeError) as caught:
        calibrate_scheme(TEN, two_tranches(0.5, 0.5, graded=True), published, tiers=["绩效x"])
    assert "no coefficient of the scheme has this name" in caught.value.render("en")
    assert "方案中没有这个名称的系数" in caught.value.render("zh")
    assert "绩效x" in caught.value.render("zh")


def test_a_detected_floor_the_fit_contradicts_is_flagged() -> None:
    """x = 3, 3, 5, 5 and amounts 10, 10, 40, 40: the two 10s are taken as a floor, but the
    free regions give u = 40 · 16/5 = 128, so their formula amount is 128 · 3/16 = 24,
    well above 10: the reasons say the detection is doubtful."""
    table = fa.RegionTable.from_columns({"id": ["a", "b", "c", "d"], "x": [3, 3, 5, 5]}, id="id")
    scheme = fa.Scheme(
        total=100,
        tranches=[
            fa.Tranche(
                name="X",
                share=1,
                factors=[fa.Factor(name="x", rule=fa.Share(column="x"), weight=1)],
            )
        ],
    )
    fit = calibrate_scheme(table, scheme, {"a": 10, "b": 10, "c": 40, "d": 40}, cap=None)
    assert fit.bounded == {"a": "floor", "b": "floor"}
    assert [m.render("en") for m in fit.reasons][1] == (
        "a, b: the fit gives them a step or more above the floor, so they may not be at it"
    )
    assert [m.render("zh") for m in fit.reasons][1].startswith(
        "a、b 按拟合结果的测算金额比保底高出"
    )
    # a consistent floor is not flagged: 1, 1, 5, 5 gives them 96 / 12 = 8 < 10
    consistent = table.with_column("x", np.array([1.0, 1.0, 5.0, 5.0]))
    fit = calibrate_scheme(consistent, scheme, {"a": 10, "b": 10, "c": 40, "d": 40}, cap=None)
    assert len(fit.reasons) == 1


def test_the_tier_fit_reports_its_steps() -> None:
    bounds = (fa.Floor(amount=150), fa.Cap(amount=800))
    published = fa.allocate(TEN, two_tranches(0.7, 0.6, bounds, graded=True)).amounts
    seen: list[tuple[int, int]] = []
    calibrate_scheme(
        TEN,
        graded_start({"A": 1.2, "B": 1.2, "C": 1.2}),
        published,
        tiers=["绩效"],
        progress=False,
        callback=lambda done, total: seen.append((done, total)),
    )
    assert seen and seen[0] == (1, seen[0][1]) and seen[0][1] > 1
    assert [d for d, _ in seen] == list(range(1, len(seen) + 1))  # one per alternating step
