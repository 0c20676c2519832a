"""Fairness measures: hand-computed values, known identities and properties."""

from __future__ import annotations

import math
import random
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import fundalloc as fa
from fundalloc.analysis.fairness import (
    Fairness,
    Lorenz,
    coefficient_of_variation,
    fairness,
    gini,
    hhi,
    lorenz,
    theil,
)


def pairwise_gini(a: list[float], p: list[float]) -> float:
    """The definition, independently: Σ_i Σ_j p_i p_j |y_i − y_j| / (2 P² μ)."""
    y = [x / q for x, q in zip(a, p, strict=True)]
    total_p, mean = sum(p), sum(a) / sum(p)
    s = sum(
        pi * pj * abs(yi - yj)
        for yi, pi in zip(y, p, strict=True)
        for yj, pj in zip(y, p, strict=True)
    )
    return s / (2 * total_p**2 * mean)


def direct_theil(a: list[float], p: list[float]) -> float:
    """Σ_i w_i (y_i/μ) ln(y_i/μ), from per-capita amounts."""
    mean = sum(a) / sum(p)
    return sum(
        (q / sum(p)) * (x / q / mean) * math.log(x / q / mean)
        for x, q in zip(a, p, strict=True)
        if x > 0
    )


# ------------------------------------------------------------------ hand-computed values
def test_two_equal_regions_three_to_one() -> None:
    # amounts 3 and 1, one weight each: mean 2, |3 − 1| · 2 pairs / (2 · 2² · 2) = 0.25
    assert gini([3, 1]) == pytest.approx(0.25, abs=1e-15)
    assert theil([3, 1]) == pytest.approx(0.75 * math.log(1.5) + 0.25 * math.log(0.5))
    assert coefficient_of_variation([3, 1]) == pytest.approx(0.5)  # sd 1 over mean 2
    assert hhi([3, 1]) == pytest.approx(0.75**2 + 0.25**2)


def test_population_weighted_values() -> None:
    # 甲: 10 for 1 person (10 a head); 乙: 30 for 4 people (7.5 a head); mean 40 / 5 = 8
    amounts, population = {"甲": 10, "乙": 30}, {"甲": 1, "乙": 4}
    curve = lorenz(amounts, population)
    assert curve.population_share.tolist() == [0.0, 0.8, 1.0]
    assert curve.amount_share.tolist() == [0.0, 0.75, 1.0]
    assert curve.regions == ("乙", "甲")
    # 1 − 0.8 · 0.75 − 0.2 · 1.75 = 0.05; pairwise 2 · 1 · 4 · 2.5 / (2 · 25 · 8) = 0.05
    assert curve.gini == pytest.approx(0.05, abs=1e-15)
    assert gini(amounts, population) == pytest.approx(pairwise_gini([10, 30], [1, 4]))
    # s = (0.25, 0.75), w = (0.2, 0.8)
    expected = 0.25 * math.log(0.25 / 0.2) + 0.75 * math.log(0.75 / 0.8)
    assert theil(amounts, population) == pytest.approx(expected, rel=1e-12)
    assert theil(amounts, population) == pytest.approx(0.007382, abs=1e-6)
    # variance 0.2 · (10 − 8)² + 0.8 · (7.5 − 8)² = 1
    assert coefficient_of_variation(amounts, population) == pytest.approx(1 / 8)
    assert hhi(amounts) == pytest.approx(0.625)  # shares only: population plays no part


def test_fairness_bundles_the_measures() -> None:
    result = fairness({"甲": 10, "乙": 30}, {"甲": 1, "乙": 4})
    assert result == Fairness(
        gini=pytest.approx(0.05),  # type: ignore[arg-type]
        theil=pytest.approx(0.007382, abs=1e-6),  # type: ignore[arg-type]
        cv=pytest.approx(0.125),  # type: ignore[arg-type]
        hhi=pytest.approx(0.625),  # type: ignore[arg-type]
        mean=pytest.approx(8.0),  # type: ignore[arg-type]
        minimum=7.5,
        maximum=10.0,
        regions=2,
        weighted=True,
    )
    assert str(result) == (
        "2 regions, per-capita amounts, population-weighted\n"
        "Gini 0.0500 · Theil T 0.0074 · CV 0.1250 · HHI 0.6250 (equal split 0.5000)\n"
        "mean 8, min 7.5, max 10"
    )
    assert not fairness([1, 2]).weighted
    assert str(fairness([1, 2])).startswith("2 regions, amounts\n")


# ------------------------------------------------------------------ identities
@pytest.mark.parametrize("n", [1, 2, 3, 7, 50])
def test_equal_amounts_are_perfectly_equal(n: int) -> None:
    result = fairness([5.5] * n)
    assert result.gini == pytest.approx(0.0, abs=1e-12)
    assert result.theil == pytest.approx(0.0, abs=1e-12)
    assert result.cv == pytest.approx(0.0, abs=1e-12)
    assert result.hhi == pytest.approx(1 / n)
    # the same per head is equal too, whatever the populations
    people = [float(k + 1) for k in range(n)]
    per_head = fairness([3 * q for q in people], people)
    assert per_head.gini == pytest.approx(0.0, abs=1e-12)
    assert per_head.theil == pytest.approx(0.0, abs=1e-12)
    assert per_head.cv == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("n", [2, 3, 4, 10, 100])
def test_one_region_gets_everything(n: int) -> None:
    amounts = [0.0] * n
    amounts[n // 2] = 42.0
    result = fairness(amounts)
    assert result.gini == pytest.approx((n - 1) / n)
    assert result.theil == pytest.approx(math.log(n))  # the maximum, ln n
    assert result.cv == pytest.approx(math.sqrt(n - 1))
    assert result.hhi == pytest.approx(1.0)
    curve = lorenz(amounts)
    assert curve.amount_share.tolist() == [0.0] * n + [1.0]
    assert curve.population_share == pytest.approx(np.arange(n + 1) / n)


def test_lorenz_ties_are_broken_by_region_id_and_the_curve_is_read_only() -> None:
    curve = lorenz({"丙": 1, "甲": 1, "乙": 1, "丁": 2})
    assert curve.regions == ("丙", "乙", "甲", "丁")  # code points: 丙 4E19 < 乙 4E59 < 甲 7532
    with pytest.raises(ValueError, match="read-only"):
        curve.amount_share[0] = 0.5
    assert isinstance(curve, Lorenz)


# ------------------------------------------------------------------ inputs
def allocation() -> fa.Allocation:
    table = fa.RegionTable.from_records(
        [
            {"地区": "甲市", "人口": 100, "贫困人口": 30},
            {"地区": "乙市", "人口": 300, "贫困人口": 10},
            {"地区": "丙市", "人口": 200, "贫困人口": 0},
        ],
        id="地区",
    )
    factor = fa.Factor(name="贫困人口", rule=fa.Share(column="贫困人口"), weight=1)
    scheme = fa.Scheme(total=40, tranches=[fa.Tranche(name="因素", share=1, factors=[factor])])
    return fa.allocate(table, scheme)


def test_an_allocation_with_a_population_column() -> None:
    result = allocation()
    assert result.amounts == {"甲市": 30, "乙市": 10, "丙市": 0}
    expected = pairwise_gini([30, 10, 0], [100, 300, 200])
    assert gini(result, "人口") == pytest.approx(expected)
    assert gini(result, {"甲市": 100, "乙市": 300, "丙市": 200}) == pytest.approx(expected)
    # a sequence of populations follows the table's rows
    assert gini(result, [100, 300, 200]) == pytest.approx(expected)
    assert gini(result) == pytest.approx(pairwise_gini([30, 10, 0], [1, 1, 1]))


@pytest.mark.parametrize(
    "amounts",
    [
        [30, 10, 0],
        (30.0, 10.0, 0.0),
        np.array([30, 10, 0]),
        np.array([30.0, 10.0, 0.0]),
        [Decimal("30"), Decimal("10"), Decimal("0")],
        [np.int64(30), np.float32(10), 0],
    ],
)
def test_sequences_and_arrays_of_any_number_type(amounts: object) -> None:
    assert gini(amounts, [100, 300, 200]) == pytest.approx(  # type: ignore[arg-type]
        pairwise_gini([30, 10, 0], [100, 300, 200])
    )


@pytest.mark.parametrize(
    ("population", "message"),
    [
        ({"甲": 5, "乙": 0}, "乙: expected a positive population; found 0"),
        ({"甲": -1, "乙": 2}, "甲: expected a positive population; found -1"),
        ({"甲": 5}, "乙: no population given for this region"),
        ({"甲": 5, "乙": 2, "丙": 1}, "丙: a population for a region with no amount"),
        ({"甲": 5, "乙": math.nan}, "乙: expected a finite number as its population; found nan"),
        ({"甲": 5, "乙": "many"}, "乙: expected a finite number as its population; found 'many'"),
        ("人口", "a column name ('人口') works only with an Allocation"),
        ([1, 2, 3], "population: expected 2 values, one per region like the amounts; found 3"),
    ],
)
def test_bad_populations_name_the_region(population: object, message: str) -> None:
    with pytest.raises(fa.DataError) as error:
        fairness({"甲": 1, "乙": 2}, population)  # type: ignore[arg-type]
    assert message in str(error.value)


def test_bad_populations_in_a_sequence_name_the_position() -> None:
    with pytest.raises(fa.DataError, match=r"position 1: expected a positive population; found 0"):
        gini([1, 2, 3], [4, 0, 5])
    with pytest.raises(fa.DataError, match="a mapping of populations needs amounts by region id"):
        gini([1, 2], {"a": 1, "b": 2})


@pytest.mark.parametrize(
    ("amounts", "message"),
    [
        ({"甲": -1, "乙": 2}, "甲: expected an amount of at least 0; found -1"),
        ({"甲": 0, "乙": 0}, "amounts: expected a positive total to measure shares of; found 0"),
        ({}, "amounts: expected at least one region; found none"),
        ({"甲": True}, "甲: expected a finite number as its amount; found True"),
        ({"甲": float("inf")}, "甲: expected a finite number as its amount; found inf"),
        ("12", "expected an Allocation, a mapping of region id to amount, or a sequence"),
        ([[1, 2], [3, 4]], "expected one value per region"),
    ],
)
def test_bad_amounts(amounts: object, message: str) -> None:
    with pytest.raises(fa.DataError) as error:
        fairness(amounts)  # type: ignore[arg-type]
    assert message in str(error.value)


def test_an_unknown_column_of_the_allocation() -> None:
    with pytest.raises(fa.DataError, match="no column '农业人口'"):
        gini(allocation(), "农业人口")


# ------------------------------------------------------------------ properties
@st.composite
def distributions(draw: st.DrawFn) -> tuple[list[float], list[float]]:
    n = draw(st.integers(1, 12))
    amounts = draw(st.lists(st.one_of(st.just(0.0), st.floats(0.01, 1e6)), min_size=n, max_size=n))
    amounts[draw(st.integers(0, n - 1))] += 1.0  # a positive total
    population = draw(st.lists(st.floats(0.5, 1e5), min_size=n, max_size=n))
    return amounts, population


@given(distributions())
def test_gini_matches_the_pairwise_definition(case: tuple[list[float], list[float]]) -> None:
    amounts, population = case
    assert gini(amounts, population) == pytest.approx(pairwise_gini(amounts, population), abs=1e-9)
    assert theil(amounts, population) == pytest.approx(
        direct_theil(amounts, population), rel=1e-9, abs=1e-12
    )


@given(distributions(), st.floats(1e-3, 1e3), st.floats(1e-3, 1e3))
def test_scaling_amounts_or_populations_changes_nothing(
    case: tuple[list[float], list[float]], k: float, c: float
) -> None:
    amounts, population = case
    base = fairness(amounts, population)
    scaled = fairness([k * a for a in amounts], [c * p for p in population])
    for name in ("gini", "theil", "cv", "hhi"):
        assert getattr(scaled, name) == pytest.approx(getattr(base, name), rel=1e-9, abs=1e-12)


@given(distributions(), st.randoms(use_true_random=False))
def test_row_order_changes_nothing(
    case: tuple[list[float], list[float]], rng: random.Random
) -> None:
    amounts, population = case
    ids = [f"r{i}" for i in range(len(amounts))]
    rows = list(zip(ids, amounts, population, strict=True))
    shuffled = rows[:]
    rng.shuffle(shuffled)
    first = fairness({i: a for i, a, _ in rows}, {i: p for i, _, p in rows})
    second = fairness({i: a for i, a, _ in shuffled}, {i: p for i, _, p in shuffled})
    assert first == second  # exactly: regions are put in id order first
    one = lorenz({i: a for i, a, _ in rows}, {i: p for i, _, p in rows})
    two = lorenz({i: a for i, a, _ in shuffled}, {i: p for i, _, p in shuffled})
    assert one.regions == two.regions
    assert one.amount_share.tolist() == two.amount_share.tolist()
    # arrays have no ids: the same up to floating-point summation order
    order = [rows.index(r) for r in shuffled]
    assert gini([amounts[i] for i in order], [population[i] for i in order]) == pytest.approx(
        first.gini, abs=1e-12
    )


@given(distributions())
def test_ranges_and_the_shape_of_the_lorenz_curve(case: tuple[list[float], list[float]]) -> None:
    amounts, population = case
    n = len(amounts)
    result = fairness(amounts, population)
    w_min = min(population) / sum(population)
    assert 0.0 <= result.gini <= 1.0 - w_min + 1e-12
    assert 0.0 <= result.theil <= math.log(1 / w_min) + 1e-9
    assert 1 / n - 1e-12 <= result.hhi <= 1.0 + 1e-12
    assert result.cv >= 0.0
    assert result.minimum <= result.mean <= result.maximum
    curve = lorenz(amounts, population)
    x, y = curve.population_share, curve.amount_share
    assert len(x) == len(y) == n + 1
    assert x[0] == y[0] == 0.0 and x[-1] == y[-1] == 1.0
    assert (np.diff(x) > 0).all() and (np.diff(y) >= -1e-15).all()
    assert (y <= x + 1e-12).all()  # below the diagonal
    slopes = np.diff(y) / np.diff(x)
    assert (np.diff(slopes) >= -1e-9 * max(1.0, float(slopes.max()))).all()  # convex
    area = float(np.sum(np.diff(x) * (y[1:] + y[:-1]) / 2))
    assert curve.gini == pytest.approx(1 - 2 * area, abs=1e-12)


@given(distributions(), st.data())
def test_theil_splits_into_within_and_between_groups(
    case: tuple[list[float], list[float]], data: st.DataObject
) -> None:
    """T = Σ_g S_g T_g + Σ_g S_g ln(S_g / W_g): an identity the implementation does not use."""
    amounts, population = case
    groups = data.draw(st.lists(st.integers(0, 2), min_size=len(amounts), max_size=len(amounts)))
    total_a, total_p = sum(amounts), sum(population)
    within = between = 0.0
    for g in set(groups):
        a = [x for x, k in zip(amounts, groups, strict=True) if k == g]
        p = [q for q, k in zip(population, groups, strict=True) if k == g]
        share_a, share_p = sum(a) / total_a, sum(p) / total_p
        if share_a > 0:
            within += share_a * theil(a, p)
            between += share_a * math.log(share_a / share_p)
    assert theil(amounts, population) == pytest.approx(within + between, rel=1e-9, abs=1e-12)


def test_summary_and_errors_read_whole_in_chinese_or_english() -> None:
    from fundalloc.i18n import using

    summary = fairness({"甲": 10, "乙": 30})
    with using("zh"):
        assert str(summary).splitlines()[0] == "2 个地区，按金额"
        assert str(summary).splitlines()[1].startswith("基尼系数 0.2500 · 泰尔指数")
    with using("en"):
        assert str(summary).splitlines()[0] == "2 regions, amounts"
    with pytest.raises(fa.DataError) as caught:
        fairness([1.0] * 60 + [-1.0] * 60)
    zh = caught.value.render("zh").splitlines()
    assert zh[0] == "第 60 个：金额应不小于 0；实际为 -1"
    assert zh[-1] == "金额：另有 10 行同类问题未列出" and len(zh) == 51
    assert caught.value.render("en").splitlines()[0] == (
        "position 60: expected an amount of at least 0; found -1"
    )
