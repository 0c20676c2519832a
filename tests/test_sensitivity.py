"""Sensitivity analysis: the vectorised weight model against the pipeline, derivatives against
finite differences of the pipeline, sweeps, tornado, Monte Carlo and executors."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

import fundalloc as fa
from fundalloc.analysis import sensitivity as sens
from fundalloc.analysis.sensitivity import (
    WeightModel,
    derivatives,
    monte_carlo_data,
    monte_carlo_weights,
    solve_multipliers,
    sweep,
    tornado,
    weight_model,
)
from fundalloc.analysis.weights import with_weights
from fundalloc.errors import DataError, InfeasibleError, SchemeError
from fundalloc.solvers.exact import BoundedProblem, solve_proportional
from tests.strategies import Case, cases

ROOT = Path(__file__).resolve().parents[1]


# ------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def shandong() -> fa.Allocation:
    loaded = fa.load_scheme(ROOT / "examples" / "shandong_2018" / "scheme.toml")
    path = loaded.data_path()
    assert path is not None
    return fa.allocate(fa.read_table(path, id="地区"), loaded.scheme)


def _three() -> fa.RegionTable:
    return fa.RegionTable.from_columns(
        {"id": ["a", "b", "c"], "x": [1, 1, 2], "y": [3, 1, 0]}, id="id"
    )


def _two_factor(wx: float, **changes: object) -> fa.Scheme:
    return fa.Scheme(
        total=100,
        tranches=[
            fa.Tranche(
                name="T",
                share=1,
                factors=[
                    fa.Factor(name="x", rule=fa.Share(column="x"), weight=wx),
                    fa.Factor(name="y", rule=fa.Share(column="y"), weight=1 - wx),
                ],
            )
        ],
        **changes,
    )


def _rich_table() -> fa.RegionTable:
    """Nine regions; 辛县 has no rural population and is not eligible."""
    return fa.RegionTable.from_columns(
        {
            "地区": ["甲县", "乙县", "丙县", "丁县", "戊县", "己县", "庚县", "辛县", "壬县"],
            "人口": [120, 80, 60, 45, 30, 150, 20, 10, 70],
            "贫困人口": [12, 10, 9, 3, 6, 8, 4, 1, 2],
            "重点村": [3, 0, 5, 1, 2, 0, 4, 1, 0],
            "收入": [9000, 11000, 8000, 12000, 7500, 13000, 7000, 9500, 10000],
            "等次": ["A", "B", "C", "B", "A", "C", "B", "B", "A"],
            "上年": [130, 90, 80, 40, 40, 120, 30, 10, 45],
            "边境": [1, 0, 0, 1, 0, 0, 1, 0, 0],
            "农村人口": [100, 60, 50, 40, 30, 90, 20, 0, 60],
        },
        id="地区",
    )


def _rich_scheme() -> fa.Scheme:
    """Nested tranches, a quota, coefficients, tranche eligibility, floors, caps and a hold
    harmless: everything the weight model must carry over from the pipeline."""
    return fa.Scheme(
        total=700,
        eligibility=[fa.Condition(column="农村人口", op=">", value=0)],
        tranches=[
            fa.Tranche(name="边境定额", quota=fa.Quota(column="边境", rate=15)),
            fa.Tranche(
                name="因素",
                share=0.7,
                tranches=[
                    fa.Tranche(
                        name="人口",
                        share=0.6,
                        factors=[
                            fa.Factor(name="人口", rule=fa.Share(column="人口"), weight=0.5),
                            fa.Factor(name="贫困", rule=fa.Share(column="贫困人口"), weight=0.3),
                            fa.Factor(name="财力", rule=fa.Inverse(column="收入"), weight=0.2),
                        ],
                        coefficients=[
                            fa.Coefficient(
                                name="绩效",
                                rule=fa.Tiered(column="等次", tiers={"A": 1.2, "B": 1, "C": 0.8}),
                            )
                        ],
                    ),
                    fa.Tranche(
                        name="村",
                        share=0.4,
                        eligibility=[fa.Condition(column="重点村", op=">", value=0)],
                        factors=[
                            fa.Factor(name="重点村", rule=fa.Share(column="重点村"), weight=0.6),
                            fa.Factor(name="贫困", rule=fa.Share(column="贫困人口"), weight=0.4),
                        ],
                    ),
                ],
            ),
            fa.Tranche(
                name="发生率",
                share=0.3,
                factors=[
                    fa.Factor(
                        name="发生率",
                        rule=fa.Ratio(numerator="贫困人口", denominator="人口"),
                        weight=1,
                    )
                ],
            ),
        ],
        bounds=[
            fa.Floor(amount=35),
            fa.Cap(share=0.17),
            fa.HoldHarmless(column="上年", ratio=0.9),
        ],
    )


@pytest.fixture(scope="module")
def rich() -> fa.Allocation:
    return fa.allocate(_rich_table(), _rich_scheme())


def _bounded(table: fa.RegionTable, scheme: fa.Scheme) -> np.ndarray:
    return fa.allocate(table, scheme).trace.bounded


# ------------------------------------------------------------------ the model
def test_model_labels_and_weights(rich: fa.Allocation) -> None:
    model = weight_model(rich)
    assert model.labels == (
        "因素/人口/人口",
        "因素/人口/贫困",
        "因素/人口/财力",
        "因素/村/重点村",
        "因素/村/贫困",
        "发生率/发生率",
    )
    assert model.weights.tolist() == pytest.approx([0.5, 0.3, 0.2, 0.6, 0.4, 1.0])
    assert model.ids == rich.trace.ids
    assert [model.movable(k) for k in range(6)] == [True] * 5 + [False]
    assert model.tranche_of(4) == slice(3, 5)


def test_model_reproduces_the_allocation(rich: fa.Allocation) -> None:
    model = weight_model(rich)
    batch = model.evaluate(model.weights)
    assert batch.amounts[0] == pytest.approx(rich.trace.bounded, rel=1e-12, abs=1e-9)
    assert batch.multipliers[0] == pytest.approx(rich.multiplier, rel=1e-12)
    assert model.targets(model.weights)[0] == pytest.approx(rich.trace.targets, rel=1e-12)
    # some bounds bind, so the test exercises λ: a hold-harmless floor and the cap
    at_floor, at_cap = model.binding(batch.amounts)
    assert at_floor[0].any() and at_cap[0].any()


def test_model_equals_one_allocate_per_vector(rich: fa.Allocation) -> None:
    model = weight_model(rich)
    rng = np.random.default_rng(3)
    weights = rng.random((25, len(model.labels))) + 0.01
    weights[0, 0] = 0.0  # a zero weight
    batch = model.evaluate(weights)
    for b in range(weights.shape[0]):
        scheme = model.scheme_for(weights[b])
        expected = _bounded(rich.table, scheme)
        assert batch.amounts[b] == pytest.approx(expected, rel=1e-10, abs=1e-9)
        assert batch.amounts[b].sum() == pytest.approx(700, rel=1e-12)
    # the batch's weights are normalised per tranche
    assert batch.weights[:, 0:3].sum(axis=1) == pytest.approx(np.ones(25))


def test_model_by_hand() -> None:
    """x shares (¼, ¼, ½), y shares (¾, ¼, 0); weights 0.2 / 0.8 give targets 65, 25, 10.
    A floor of 20 lifts c by 10, paid by a and b in proportion: λ = 80/90."""
    model = weight_model(_three(), _two_factor(0.2, bounds=[fa.Floor(amount=20)]))
    batch = model.evaluate([[0.2, 0.8], [1, 0], [0.5, 0.5]])
    assert batch.amounts[0] == pytest.approx([65 * 8 / 9, 25 * 8 / 9, 20])
    assert batch.multipliers[0] == pytest.approx(8 / 9)
    # x alone: 25, 25, 50 (no bound binds); half and half: 50, 25, 25
    assert batch.amounts[1] == pytest.approx([25, 25, 50])
    assert batch.amounts[2] == pytest.approx([50, 25, 25])
    # raw weights are normalised within the tranche: (2, 2) is (0.5, 0.5)
    assert model.evaluate([2, 2]).amounts[0] == pytest.approx([50, 25, 25])


def test_quotas_are_not_scaled_and_floors_count_them() -> None:
    """A quota of 30 for a, then 100 by the factors; a floor of 30 each. a's quota meets its
    floor, so only its formula part is scaled with the others'."""
    table = fa.RegionTable.from_columns(
        {"id": ["a", "b", "c"], "q": [1, 0, 0], "x": [1, 2, 7], "y": [7, 2, 1]}, id="id"
    )
    scheme = fa.Scheme(
        total=130,
        tranches=[
            fa.Tranche(name="定额", quota=fa.Quota(column="q", rate=30)),
            fa.Tranche(
                name="F",
                share=1,
                factors=[
                    fa.Factor(name="x", rule=fa.Share(column="x"), weight=0.5),
                    fa.Factor(name="y", rule=fa.Share(column="y"), weight=0.5),
                ],
            ),
        ],
        bounds=[fa.Floor(amount=30)],
    )
    model = weight_model(table, scheme)
    assert model.fixed.tolist() == [30, 0, 0]
    rows = np.array([[0.5, 0.5], [1, 0], [0, 1], [0.9, 0.1]])
    batch = model.evaluate(rows)
    for b, w in enumerate(rows):
        expected = _bounded(table, with_weights(scheme, {"x": w[0], "y": w[1]}, tranche="F"))
        assert batch.amounts[b] == pytest.approx(expected, rel=1e-12)
    # x alone: formula parts 10, 20, 70. b is lifted to 30; a's formula part and c share the
    # other 70 as 10 : 70, λ = 0.875: a = 30 + 8.75 (the quota is not scaled), c = 61.25
    assert batch.amounts[1] == pytest.approx([38.75, 30, 61.25])
    assert batch.multipliers[1] == pytest.approx(0.875)


@given(cases())
def test_model_matches_the_pipeline_on_generated_cases(case: Case) -> None:
    allocation = fa.allocate(case.table, case.scheme)
    model = weight_model(allocation)
    # both weights positive: no region loses its target, so the caps still hold the total
    weights = np.array([[0.5, 0.5], [0.9, 0.1], [0.05, 0.95]])
    batch = model.evaluate(np.vstack([model.weights, weights]))
    total = float(case.scheme.total)
    assert batch.amounts[0] == pytest.approx(allocation.trace.bounded, rel=1e-9, abs=1e-9 * total)
    for b, w in enumerate(weights, start=1):
        scheme = with_weights(case.scheme, {"x": w[0], "y": w[1]})
        expected = _bounded(case.table, scheme)
        assert batch.amounts[b] == pytest.approx(expected, rel=1e-9, abs=1e-9 * total)


# ------------------------------------------------------------------ the batched solve
@st.composite
def _rows(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    n = draw(st.integers(1, 30))
    b = draw(st.integers(1, 6))
    value = st.one_of(st.just(0.0), st.floats(1e-6, 1e4), st.integers(1, 5).map(float))
    targets = np.array(draw(st.lists(value, min_size=n * b, max_size=n * b))).reshape(b, n)
    targets[:, draw(st.integers(0, n - 1))] += 1.0
    lower = np.array(draw(st.lists(st.integers(0, 5).map(float), min_size=n, max_size=n)))
    extra = st.one_of(st.integers(0, 40).map(float), st.just(np.inf))
    upper = lower + np.array(draw(st.lists(extra, min_size=n, max_size=n)))
    most = np.where(targets > 0, upper, lower).sum(axis=1).min()
    least = float(lower.sum())
    top = min(most, least + 500.0)
    total = draw(st.floats(least, top)) if top > least else least
    return targets, lower, upper, total


@given(_rows())
def test_batched_multipliers_match_the_exact_solver_row_by_row(
    problem: tuple[np.ndarray, np.ndarray, np.ndarray, float],
) -> None:
    targets, lower, upper, total = problem
    lam = solve_multipliers(targets, lower, upper, total, chunk=4)
    for b in range(targets.shape[0]):
        exact = solve_proportional(BoundedProblem(targets[b], lower, upper, total)).amounts
        ours = np.clip(lam[b] * targets[b], lower, upper)
        assert ours == pytest.approx(exact, rel=1e-9, abs=1e-9 * max(1.0, total))


def test_batched_solve_with_dense_kinks() -> None:
    """Many breakpoints right around the answer (every target just below its floor or just
    above its cap), where plain Newton steps cross one kink at a time."""
    rng = np.random.default_rng(0)
    n = 2000
    targets = rng.lognormal(0, 1, (20, n))
    lower = np.quantile(targets, 0.3) * rng.uniform(0.99, 1.01, n)
    upper = np.quantile(targets, 0.9) * rng.uniform(0.99, 1.01, n)
    total = float(np.clip(targets[0], lower, upper).sum())
    lam = solve_multipliers(targets, lower, upper, total, start=5.0)
    for b in range(20):
        exact = solve_proportional(BoundedProblem(targets[b], lower, upper, total))
        assert np.clip(lam[b] * targets[b], lower, upper) == pytest.approx(exact.amounts, rel=1e-9)


def test_batched_solve_reports_rows_the_caps_cannot_hold() -> None:
    targets = np.array([[1.0, 1.0], [1.0, 0.0]])
    with pytest.raises(InfeasibleError, match="weight vectors 1:.*hold only 60 but 100"):
        solve_multipliers(targets, np.zeros(2), np.full(2, 60.0), 100.0)


def test_chunks_and_executors_do_not_change_the_result(rich: fa.Allocation) -> None:
    model = weight_model(rich)
    weights = np.random.default_rng(1).random((4500, len(model.labels))) + 0.05
    seen: list[tuple[int, int]] = []
    base = model.evaluate(weights, callback=lambda done, total: seen.append((done, total)))
    assert seen == [(2048, 4500), (4096, 4500), (4500, 4500)]
    small = model.evaluate(weights, chunk=7)
    assert np.allclose(small.amounts, base.amounts, rtol=1e-13, atol=1e-12)
    threaded: list[tuple[int, int]] = []
    with ThreadPoolExecutor(2) as pool:
        other = model.evaluate(
            weights, executor=pool, callback=lambda d, t: threaded.append((d, t))
        )
    assert np.array_equal(other.amounts, base.amounts)
    assert np.array_equal(other.multipliers, base.multipliers)
    assert threaded == seen


# ------------------------------------------------------------------ derivatives
def test_derivatives_by_hand() -> None:
    """Weights 0.2 / 0.8 and a floor of 20 on c: a = 80 (75 − 50v) / (100 − 50v) with v the
    weight of x, so da/dv = 80 · (−1250) / 90² = −1000/81; b mirrors a; c stays at 20."""
    d = derivatives(_three(), _two_factor(0.2, bounds=[fa.Floor(amount=20)]))
    assert d.status == ("free", "free", "floor")
    assert d.of("a") == pytest.approx({"T/x": -1000 / 81, "T/y": 1000 / 81})
    assert d.of("b") == pytest.approx({"T/x": 1000 / 81, "T/y": -1000 / 81})
    assert d.of("c") == {"T/x": 0.0, "T/y": 0.0}
    assert d.multiplier == pytest.approx(8 / 9)


def test_derivatives_without_bounds_are_the_target_derivatives() -> None:
    """No bound: c = 100 (½ v) = 50 v, so dc/dv = 50; a = 100 (¼ v + ¾ (1 − v)) → −50."""
    d = derivatives(_three(), _two_factor(0.5))
    assert d.status == ("free", "free", "free")
    assert d.of("c")["T/x"] == pytest.approx(50)
    assert d.of("a")["T/x"] == pytest.approx(-50)
    assert d.of("b")["T/x"] == pytest.approx(0, abs=1e-12)


def _finite_difference(
    allocation: fa.Allocation, model: WeightModel, label: str, h: float
) -> np.ndarray:
    k = model.index(label)
    up = model.scheme_for(model.with_weight(label, model.weights[k] + h))
    down = model.scheme_for(model.with_weight(label, model.weights[k] - h))
    return (_bounded(allocation.table, up) - _bounded(allocation.table, down)) / (2 * h)


@pytest.mark.parametrize("which", ["rich", "shandong"])
def test_derivatives_match_central_differences_of_the_pipeline(
    which: str, rich: fa.Allocation, shandong: fa.Allocation
) -> None:
    allocation = rich if which == "rich" else shandong
    model = weight_model(allocation)
    d = derivatives(allocation)
    free = np.array([s == "free" for s in d.status])
    held = np.array([s in ("floor", "cap", "excluded") for s in d.status])
    assert free.any() and held.any()
    for k, label in enumerate(model.labels):
        if not model.movable(k):
            assert not d.values[:, k].any()
            continue
        fd = _finite_difference(allocation, model, label, 1e-5)
        assert d.values[free, k] == pytest.approx(fd[free], rel=1e-5, abs=1e-5)
        assert d.values[held, k].tolist() == [0.0] * int(held.sum())
        assert fd[held] == pytest.approx(0, abs=1e-6)
        # the total is fixed: what some regions gain, the others lose
        assert d.values[:, k].sum() == pytest.approx(0, abs=1e-8)


def test_derivative_statuses_of_shandong(shandong: fa.Allocation) -> None:
    d = derivatives(shandong)
    status = dict(zip(d.ids, d.status, strict=True))
    assert status["威海市"] == "excluded"
    assert status["东营市"] == "floor"
    assert {r for r, s in status.items() if s == "cap"} == {"临沂市", "济宁市", "聊城市"}
    assert d.amounts == pytest.approx(shandong.trace.bounded)


def test_a_region_exactly_at_its_floor_is_a_kink() -> None:
    """x = y, so c's target is 20 for any weights, exactly its floor."""
    table = fa.RegionTable.from_columns(
        {"id": ["a", "b", "c"], "x": [5, 3, 2], "y": [5, 3, 2]}, id="id"
    )
    d = derivatives(table, _two_factor(0.5, bounds=[fa.Floor(amount=20)]))
    assert d.status == ("free", "free", "kink")


# ------------------------------------------------------------------ sweeps and tornado
def test_with_weight_rescales_the_others_in_proportion(rich: fa.Allocation) -> None:
    model = weight_model(rich)
    vector = model.with_weight("因素/人口/贫困", 0.6)
    # the others of the tranche (0.5, 0.2) share the remaining 0.4 as 5 : 2
    assert vector[:3] == pytest.approx([0.4 * 5 / 7, 0.6, 0.4 * 2 / 7])
    assert vector[3:] == pytest.approx(model.weights[3:])


def test_sweep_values_and_amounts(rich: fa.Allocation) -> None:
    model = weight_model(rich)
    result = sweep(rich, values=[0, 0.25, 1])
    assert result.labels == model.labels[:5]  # the lone 发生率 weight cannot move
    assert result.amounts.shape == (5, 3, len(model.ids))
    for row, label in enumerate(result.labels):
        for g, value in enumerate([0, 0.25, 1]):
            expected = _bounded(rich.table, model.scheme_for(model.with_weight(label, value)))
            assert result.amounts[row, g] == pytest.approx(expected, rel=1e-10, abs=1e-9)
        at_floor, at_cap = model.binding(result.amounts[row])
        assert np.array_equal(result.at_floor[row], at_floor)
        assert np.array_equal(result.at_cap[row], at_cap)
    values, amounts = result.curve("因素/村/重点村", "甲县")
    assert values.tolist() == [0, 0.25, 1]
    assert amounts.tolist() == result.amounts[3, :, model.ids.index("甲县")].tolist()


def test_relative_sweep_through_the_base_is_the_allocation(rich: fa.Allocation) -> None:
    result = sweep(rich, values=[0.5, 1.0], relative=True, labels=["因素/人口/财力"])
    assert result.values[0] == pytest.approx([0.1, 0.2])
    assert result.amounts[0, 1] == pytest.approx(rich.trace.bounded, rel=1e-12)


def test_sweep_refuses_bad_grids_and_labels(rich: fa.Allocation) -> None:
    with pytest.raises(SchemeError, match="between 0 and 1.*found 1.2"):
        sweep(rich, values=[0.5, 1.2])
    with pytest.raises(SchemeError, match="holds its whole tranche"):
        sweep(rich, labels=["发生率/发生率"])
    with pytest.raises(SchemeError, match="did you mean '因素/人口/贫困'"):
        sweep(rich, labels=["因素/人口/贫"])
    with pytest.raises(SchemeError, match="smaller relative change"):
        sweep(rich, values=[2.5], relative=True, labels=["因素/村/重点村"])


def test_tornado_by_hand() -> None:
    """a = 100 (¼ v + ¾ (1 − v)); v = 0.4 gives 55, v = 0.6 gives 45."""
    rows = tornado(_three(), _two_factor(0.5), "a", change=0.2)
    assert list(rows) == ["T/x", "T/y"]
    assert rows["T/x"] == pytest.approx((55, 45))
    assert rows["T/y"] == pytest.approx((45, 55))


def test_tornado_of_an_allocation(shandong: fa.Allocation) -> None:
    rows = tornado(shandong, region="德州市")
    model = weight_model(shandong)
    assert list(rows) == list(model.labels)
    k = model.index("重点民族村发展/已退出重点民族村")
    low, high = rows["重点民族村发展/已退出重点民族村"]
    i = model.ids.index("德州市")
    for value, got in ((0.8 * 0.8, low), (0.8 * 1.2, high)):
        expected = _bounded(
            shandong.table, model.scheme_for(model.with_weight(model.labels[k], value))
        )
        assert got == pytest.approx(expected[i], rel=1e-12)


def test_tornado_refuses(shandong: fa.Allocation) -> None:
    with pytest.raises(SchemeError, match="expected the region"):
        tornado(shandong)
    with pytest.raises(DataError, match="no such region.*did you mean '德州市'"):
        tornado(shandong, region="德州")
    with pytest.raises(SchemeError, match="between 0 and 1"):
        tornado(shandong, region="德州市", change=1.5)
    with pytest.raises(SchemeError, match="重点民族村发展/已退出重点民族村.*found 1.04"):
        tornado(shandong, region="德州市", change=0.3)


# ------------------------------------------------------------------ Monte Carlo on weights
def test_monte_carlo_weights_summaries_are_those_of_the_draws(rich: fa.Allocation) -> None:
    mc = monte_carlo_weights(rich, draws=300, noise=0.3, seed=7, keep_draws=True)
    model = weight_model(rich)
    assert mc.samples is not None and mc.weights is not None
    assert mc.samples.shape == (300, len(model.ids))
    assert np.array_equal(mc.bands, np.percentile(mc.samples, [5, 50, 95], axis=0))
    i = model.ids.index("甲县")
    assert mc.band("甲县") == dict(zip((5, 50, 95), mc.bands[:, i].tolist(), strict=True))
    expected_turnover = 0.5 * np.abs(mc.samples - rich.trace.bounded).sum(axis=1) / 700
    assert mc.turnover == pytest.approx(expected_turnover)
    part = rich.trace.taking_part
    for d in (0, 1, 150):
        rho = stats.spearmanr(rich.trace.bounded[part], mc.samples[d, part]).statistic
        tau = stats.kendalltau(rich.trace.bounded[part], mc.samples[d, part]).statistic
        assert mc.spearman[d] == pytest.approx(rho)
        assert mc.kendall[d] == pytest.approx(tau)
        # each draw is the pipeline with those weights
        expected = _bounded(rich.table, model.scheme_for(mc.weights[d]))
        assert mc.samples[d] == pytest.approx(expected, rel=1e-10, abs=1e-9)
    at_floor, at_cap = model.binding(mc.samples)
    assert np.array_equal(mc.floor_rate, at_floor.mean(axis=0))
    assert np.array_equal(mc.cap_rate, at_cap.mean(axis=0))
    assert mc.floor_rate.max() > 0 and mc.cap_rate.max() > 0
    # the lone weight stays 1; every tranche's weights add up to 1
    assert mc.weights[:, 5].tolist() == [1.0] * 300
    assert mc.weights[:, 3:5].sum(axis=1) == pytest.approx(np.ones(300))


def test_monte_carlo_weights_is_deterministic_and_noise_free_at_zero(
    shandong: fa.Allocation,
) -> None:
    first = monte_carlo_weights(shandong, draws=50, seed=3)
    again = monte_carlo_weights(shandong, draws=50, seed=3)
    assert np.array_equal(first.bands, again.bands)
    assert np.array_equal(first.kendall, again.kendall)
    other = monte_carlo_weights(shandong, draws=50, seed=4)
    assert not np.array_equal(first.bands, other.bands)
    still = monte_carlo_weights(shandong, draws=5, noise=0.0, seed=3)
    assert still.bands == pytest.approx(np.tile(shandong.trace.bounded, (3, 1)))
    assert still.turnover == pytest.approx(np.zeros(5), abs=1e-12)
    assert still.spearman == pytest.approx(np.ones(5))


def test_dirichlet_weights_have_the_documented_mean_and_spread(rich: fa.Allocation) -> None:
    draws, noise = 4000, 0.2
    mc = monte_carlo_weights(
        rich, draws=draws, noise=noise, method="dirichlet", seed=11, keep_draws=True
    )
    assert mc.weights is not None
    base = weight_model(rich).weights
    mean, sd = mc.weights.mean(axis=0), mc.weights.std(axis=0)
    expected_sd = noise * np.sqrt(base * (1 - base))
    # within 5 standard errors of the mean, and the spread within 10%
    assert (np.abs(mean - base) <= 5 * expected_sd / np.sqrt(draws) + 1e-12).all()
    assert sd == pytest.approx(expected_sd, rel=0.1, abs=1e-12)


def test_dirichlet_keeps_zero_weights_at_zero() -> None:
    scheme = fa.Scheme(
        total=100,
        tranches=[
            fa.Tranche(
                name="T",
                share=1,
                factors=[
                    fa.Factor(name="x", rule=fa.Share(column="x"), weight=0.6),
                    fa.Factor(name="y", rule=fa.Share(column="y"), weight=0.4),
                    fa.Factor(name="z", rule=fa.Share(column="x"), weight=0),
                ],
            )
        ],
    )
    mc = monte_carlo_weights(
        _three(), scheme, draws=20, method="dirichlet", seed=0, keep_draws=True
    )
    assert mc.weights is not None
    assert mc.weights[:, 2].tolist() == [0.0] * 20
    assert mc.weights.sum(axis=1) == pytest.approx(np.ones(20))


def test_monte_carlo_weights_refuses_bad_settings(shandong: fa.Allocation) -> None:
    with pytest.raises(SchemeError, match="method: expected one of: lognormal, dirichlet"):
        monte_carlo_weights(shandong, method="normal")
    with pytest.raises(SchemeError, match="below 1"):
        monte_carlo_weights(shandong, method="dirichlet", noise=1.0)
    with pytest.raises(SchemeError) as info:
        monte_carlo_weights(shandong, draws=0, noise=-1, percentiles=(5, 150))
    assert [p.where for p in info.value.problems] == ["draws", "noise", "percentiles"]


# ------------------------------------------------------------------ Monte Carlo on data
def test_monte_carlo_data_draws_are_the_pipeline_on_noisy_data(rich: fa.Allocation) -> None:
    columns = ("贫困人口", "人口")
    mc = monte_carlo_data(rich, columns=columns, draws=4, noise=0.2, seed=5, keep_draws=True)
    assert mc.samples is not None
    seeds = np.random.SeedSequence(5).spawn(4)
    for d in range(4):
        rng = np.random.default_rng(seeds[d])
        table = rich.table
        for column in columns:
            values = table.numeric(column)
            table = table.with_column(column, values * rng.lognormal(-0.02, 0.2, values.size))
        assert np.array_equal(mc.samples[d], _bounded(table, rich.scheme))
    assert not np.allclose(mc.samples[0], rich.trace.bounded)
    assert mc.baseline.tolist() == rich.trace.bounded.tolist()


def test_monte_carlo_data_with_unused_column_changes_nothing() -> None:
    table = _three().with_column("z", [1, 2, 3])
    mc = monte_carlo_data(table, _two_factor(0.5), columns=["z"], draws=3, seed=0)
    assert mc.bands == pytest.approx(np.tile([50, 25, 25], (3, 1)))
    assert mc.turnover.tolist() == [0.0] * 3
    assert mc.floor_rate.tolist() == [0.0] * 3


def test_monte_carlo_data_same_with_threads_and_processes(shandong: fa.Allocation) -> None:
    kwargs: dict[str, object] = {"columns": ["少数民族贫困人口"], "draws": 6, "seed": 9}
    seen: list[tuple[int, int]] = []
    plain = monte_carlo_data(
        shandong, keep_draws=True, callback=lambda d, t: seen.append((d, t)), **kwargs
    )  # type: ignore[arg-type]
    assert seen == [(d, 6) for d in range(1, 7)]
    with ThreadPoolExecutor(2) as pool:
        threads = monte_carlo_data(shandong, keep_draws=True, executor=pool, **kwargs)  # type: ignore[arg-type]
    context = multiprocessing.get_context("spawn")
    counted: list[tuple[int, int]] = []
    with ProcessPoolExecutor(2, mp_context=context) as pool:
        processes = monte_carlo_data(
            shandong,
            keep_draws=True,
            executor=pool,
            callback=lambda d, t: counted.append((d, t)),
            **kwargs,  # type: ignore[arg-type]
        )
    assert counted == seen
    with ProcessPoolExecutor(2, mp_context=context) as pool:
        batched = monte_carlo_data(
            shandong,
            keep_draws=True,
            executor=pool,
            draws_per_task=4,
            callback=lambda d, t: counted.append((d, t)),
            **kwargs,  # type: ignore[arg-type]
        )
    assert counted[len(seen) :] == [(4, 6), (6, 6)]  # after each task of (up to) 4 draws
    for other in (threads, processes, batched):
        assert other.samples is not None and plain.samples is not None
        assert np.array_equal(other.samples, plain.samples)
        assert np.array_equal(other.bands, plain.bands)
        assert np.array_equal(other.floor_rate, plain.floor_rate)


def test_monte_carlo_data_refuses_bad_columns(shandong: fa.Allocation) -> None:
    with pytest.raises(DataError, match="类型"):
        monte_carlo_data(shandong, columns=["类型"])  # text
    with pytest.raises(DataError, match="人数"):
        monte_carlo_data(shandong, columns=["人数"])  # missing
    with pytest.raises(DataError, match="at least one column"):
        monte_carlo_data(shandong, columns=[])
    scheme = _two_factor(0.5, derived={"w": "x * 2"})
    with pytest.raises(DataError, match="w: expected an input column"):
        monte_carlo_data(_three(), scheme, columns=["w"])


# ------------------------------------------------------------------ what is refused
def test_group_constraints_are_refused_by_the_weight_model() -> None:
    table = _three().with_column("kind", ["城", "城", "乡"])
    scheme = _two_factor(
        0.5,
        constraints=[
            fa.GroupFloor(where=[fa.Condition(column="kind", op="==", value="乡")], amount=30)
        ],
    )
    with pytest.raises(SchemeError, match="group constraints") as info:
        weight_model(table, scheme)
    assert "with_weights" in str(info.value)
    # the data Monte Carlo runs the pipeline, so it solves them
    mc = monte_carlo_data(table, scheme, columns=["x"], draws=2, seed=0)
    assert mc.bands[:, 2] == pytest.approx([30, 30, 30])


def test_sources_are_checked(shandong: fa.Allocation) -> None:
    loaded = fa.load_scheme(ROOT / "examples" / "shandong_2018" / "scheme.toml")
    with pytest.raises(SchemeError, match=r"pass its \.scheme"):
        weight_model(shandong.table, loaded)  # type: ignore[arg-type]
    with pytest.raises(SchemeError, match="leave scheme out"):
        derivatives(shandong, shandong.scheme)
    with pytest.raises(SchemeError, match="a RegionTable and a Scheme"):
        weight_model(shandong.table)
    model = weight_model(shandong)
    assert weight_model(model) is model


def test_bad_weight_vectors_are_refused(shandong: fa.Allocation) -> None:
    model = weight_model(shandong)
    with pytest.raises(SchemeError, match="expected 6 weights per vector"):
        model.evaluate([0.5, 0.5])
    with pytest.raises(SchemeError, match=r"weights\[1\].*贫困发生率 = -0.1"):
        model.evaluate([model.weights, [0.3, 0.3, -0.1, 0.5, 0.5, 0.5]])
    with pytest.raises(SchemeError, match="重点民族村发展: .*all zero in weight vectors 0"):
        model.evaluate([0.3, 0.3, 0.2, 0.2, 0, 0])


def test_weights_that_leave_the_caps_short_are_infeasible() -> None:
    """y alone gives c nothing; a and b with caps of 45 cannot hold 100."""
    model = weight_model(_three(), _two_factor(0.5, bounds=[fa.Cap(amount=45)]))
    with pytest.raises(InfeasibleError, match="weight vectors 1:.*hold only 90 but 100"):
        model.evaluate([[0.5, 0.5], [0, 1]])


def test_public_names() -> None:
    assert set(sens.__all__) >= {
        "WeightModel",
        "derivatives",
        "sweep",
        "tornado",
        "monte_carlo_weights",
        "monte_carlo_data",
    }


def test_argument_errors_read_whole_in_chinese_or_english(rich: fa.Allocation) -> None:
    with pytest.raises(fa.SchemeError) as caught:
        monte_carlo_weights(rich, draws=0, noise=-1, percentiles=[101])
    assert caught.value.render("zh").splitlines() == [
        "draws：抽样次数应为不小于 1 的整数；实际为 0",
        "noise：应为不小于 0 的有限数；实际为 -1",
        "percentiles：百分位数应在 0 和 100 之间；实际为 101",
    ]
    assert caught.value.render("en").splitlines()[0] == (
        "draws: expected a whole number of draws >= 1; found 0"
    )
    with pytest.raises(fa.DataError) as region:
        tornado(rich, region="不存在的地区", change=0.1)
    assert region.value.render("zh").startswith("不存在的地区：没有这个地区")
