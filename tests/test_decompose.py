"""The change decomposition: each region's change split exactly into total, data, weights,
coefficients, bounds and rounding, checked on a case worked by hand with fractions, on the
Shapley value as the average over all 120 orders, and on random pairs at every scale."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from itertools import permutations
from typing import Literal

import pytest
from hypothesis import given, settings

import fundalloc as fa
from fundalloc.analysis.decompose import ORDER, PARTS, decompose
from fundalloc.i18n import using
from tests.strategies import decomposition_pairs

IDS = ["甲", "乙", "丙"]


def _table(pop: list[int], grade: list[str]) -> fa.RegionTable:
    return fa.RegionTable.from_columns(
        {"地区": IDS, "人口": pop, "需求": [1, 1, 2], "等级": grade}, id="地区"
    )


def _scheme(total: int, w: float, tiers: dict[str, float], floor: int | None) -> fa.Scheme:
    return fa.Scheme(
        total=total,
        tranches=[
            fa.Tranche(
                name="因素",
                share=1,
                factors=[
                    fa.Factor(name="人口", weight=w, rule=fa.Share(column="人口")),
                    fa.Factor(name="需求", weight=1 - w, rule=fa.Share(column="需求")),
                ],
                coefficients=[
                    fa.Coefficient(name="等级", rule=fa.Tiered(column="等级", tiers=tiers))
                ],
            )
        ],
        bounds=[fa.Floor(amount=floor)] if floor is not None else [],
    )


BEFORE = (_table([10, 20, 30], ["A", "A", "B"]), _scheme(120, 0.5, {"A": 1.0, "B": 1.0}, None))
AFTER = (_table([10, 50, 30], ["A", "B", "B"]), _scheme(150, 0.25, {"A": 1.0, "B": 0.4}, 38))


def _by_hand(
    total: int, pop: list[int], w: Fraction, tiers: list[Fraction], floor: int | None
) -> list[Fraction]:
    """The bounded amounts of the three regions, computed from the rules with fractions."""
    need = [1, 1, 2]
    t = [
        w * Fraction(p, sum(pop)) + (1 - w) * Fraction(n, sum(need))
        for p, n in zip(pop, need, strict=True)
    ]
    mass = sum(c * x for c, x in zip(tiers, t, strict=True))
    target = [total * c * x / mass for c, x in zip(tiers, t, strict=True)]
    if floor is None:
        return target
    low: set[int] = set()  # the proportional rule: floors raised, the others scaled by one λ
    while True:
        free = total - floor * len(low)
        scale = free / sum(x for k, x in enumerate(target) if k not in low)
        out = [Fraction(floor) if k in low else Fraction(x * scale) for k, x in enumerate(target)]
        below = {k for k, x in enumerate(out) if x < floor}
        if not below:
            return out
        low |= below


def _hybrid(switched: set[str]) -> list[Fraction]:
    total = 150 if "total" in switched else 120
    pop = [10, 50, 30] if "data" in switched else [10, 20, 30]
    grade = ["A", "B", "B"] if "data" in switched else ["A", "A", "B"]
    w = Fraction(1, 4) if "weights" in switched else Fraction(1, 2)
    tier = {"A": Fraction(1), "B": Fraction(2, 5)} if "coefficients" in switched else None
    tiers = [tier[g] for g in grade] if tier else [Fraction(1)] * 3
    floor = 38 if "bounds" in switched else None
    return _by_hand(total, pop, w, tiers, floor)


def test_the_floor_binds_in_the_worked_case() -> None:
    after = _hybrid(set(ORDER))
    assert after[1] == 38 and sum(after) == 150
    assert (
        _by_hand(
            150, [10, 50, 30], Fraction(1, 4), [Fraction(1), Fraction(2, 5), Fraction(2, 5)], None
        )[1]
        < 38
    )


def test_sequential_parts_are_the_switches_worked_by_hand() -> None:
    before, after = fa.allocate(*BEFORE), fa.allocate(*AFTER)
    result = decompose(before, after)
    switched: set[str] = set()
    previous = _hybrid(switched)
    expected: dict[str, dict[str, Fraction]] = {region: {} for region in IDS}
    for part in ORDER:
        switched.add(part)
        now = _hybrid(switched)
        for k, region in enumerate(IDS):
            expected[region][part] = now[k] - previous[k]
        previous = now
    for region in IDS:
        got = result[region]
        assert got.change == after.amounts[region] - before.amounts[region]
        assert sum(got.parts.values()) == got.change  # exactly
        for part in ORDER:
            assert abs(Fraction(got.parts[part]) - expected[region][part]) <= Fraction(1, 10**6)
    assert result.order == ORDER and list(result["甲"].parts) == list(PARTS)


def test_shapley_is_the_average_over_every_order() -> None:
    before, after = fa.allocate(*BEFORE), fa.allocate(*AFTER)
    shapley = decompose(before, after, method="shapley")
    orders = list(permutations(ORDER))
    assert len(orders) == 120
    average = {region: dict.fromkeys(ORDER, Fraction(0)) for region in IDS}
    for order in orders:
        switched: set[str] = set()
        previous = _hybrid(switched)
        for part in order:
            switched.add(part)
            now = _hybrid(switched)
            for k, region in enumerate(IDS):
                average[region][part] += (now[k] - previous[k]) / len(orders)
            previous = now
    for region in IDS:
        for part in ORDER:
            got = Fraction(shapley[region].parts[part])
            assert abs(got - average[region][part]) <= Fraction(1, 10**6)
        assert sum(shapley[region].parts.values()) == shapley[region].change
    # a different order changes the sequential parts, never the Shapley ones
    reversed_ = decompose(before, after, order=tuple(reversed(ORDER)))
    assert reversed_["甲"].parts != decompose(before, after)["甲"].parts
    assert reversed_.order == tuple(reversed(ORDER))


def test_a_change_of_one_part_only_is_all_that_part() -> None:
    table, scheme = BEFORE
    before = fa.allocate(table, scheme)
    after = fa.allocate(table, scheme.replace(total=Decimal(180)))
    methods: tuple[Literal["sequential", "shapley"], ...] = ("sequential", "shapley")
    for method in methods:
        result = decompose(before, after, method=method)
        for region in result:  # the total's part, and the rounding of the new amounts
            assert region.parts["total"] + region.parts["rounding"] == region.change
            assert all(region.parts[p] == 0 for p in ORDER if p != "total")
            assert abs(region.parts["rounding"]) < 1


def test_regions_in_one_allocation_only_count_zero_on_the_other_side() -> None:
    table, scheme = BEFORE
    before = fa.allocate(table, scheme)
    smaller = fa.RegionTable.from_columns(
        {"地区": ["甲", "丁"], "人口": [10, 10], "需求": [1, 1], "等级": ["A", "A"]}, id="地区"
    )
    after = fa.allocate(smaller, scheme)
    result = decompose(before, after)
    assert [r.region for r in result] == ["甲", "乙", "丙", "丁"]
    assert result["乙"].after is None and result["乙"].change == -before.amounts["乙"]
    assert result["丁"].before is None and result["丁"].parts["data"] == 60
    assert sum(result.totals.values()) == 0  # the same total, moved around


@settings(deadline=None, max_examples=25)  # 36 allocations per example
@given(decomposition_pairs())
def test_parts_add_up_to_every_change_exactly_at_every_scale(pair) -> None:  # type: ignore[no-untyped-def]
    before, after = fa.allocate(*pair.before), fa.allocate(*pair.after)
    methods: tuple[Literal["sequential", "shapley"], ...] = ("sequential", "shapley")
    for method in methods:
        result = decompose(before, after, method=method)
        for region in result:
            assert sum(region.parts.values(), Decimal(0)) == region.change
            assert list(region.parts) == list(PARTS)
        assert sum(result.totals.values(), Decimal(0)) == after.total - before.total


def test_a_hybrid_that_cannot_be_made_is_named() -> None:
    table, scheme = BEFORE
    before = fa.allocate(table, scheme.replace(total=Decimal(300)))
    after = fa.allocate(table, scheme.replace(total=Decimal(300), bounds=(fa.Floor(amount=90),)))
    small = fa.allocate(table, scheme.replace(total=Decimal(240)))
    with pytest.raises(fa.InfeasibleError) as caught:
        decompose(small, after, order=("bounds", "total", "data", "weights", "coefficients"))
    zh = caught.value.render("zh")
    assert zh.startswith("中间方案：把调整后的 保底封顶与组合约束 换入调整前的分配后无法计算")
    assert "floors" in caught.value.render("en") or "保底" in zh
    assert decompose(before, after)["甲"].parts["bounds"] > 0  # the floor lifts 甲


def test_errors_and_summary_in_chinese_and_english() -> None:
    before, after = fa.allocate(*BEFORE), fa.allocate(*AFTER)
    result = decompose(before, after)
    with using("zh"):
        head = str(result).splitlines()
    assert (
        head[0]
        == "变化原因（依次分解，顺序：总额、数据、权重与切块、调节系数、保底封顶与组合约束）"
    )
    assert head[1].startswith("合计变化 +30 万元：总额 +30、数据 ±0")
    with using("en"):
        assert str(result).splitlines()[0] == (
            "causes of the change (sequential, order: total, data, weights, coefficients, bounds)"
        )
    other_unit = fa.allocate(BEFORE[0], BEFORE[1].replace(unit="元"))
    with pytest.raises(fa.SchemeError) as caught:
        decompose(before, other_unit)
    assert caught.value.render("zh") == "单位：两次分配应使用相同的单位；实际为 万元 → 元"
    with pytest.raises(fa.SchemeError, match="expected a permutation"):
        decompose(before, after, order=("total", "data"))
    with pytest.raises(fa.SchemeError, match="expected one of"):
        decompose(before, after, method="banana")  # type: ignore[arg-type]


def test_dataframe_is_numeric_with_readable_names() -> None:
    pandas = pytest.importorskip("pandas")
    result = decompose(fa.allocate(*BEFORE), fa.allocate(*AFTER))
    with using("zh"):
        frame = result.to_dataframe()
    assert list(frame.columns)[:4] == ["地区", "调整前", "调整后", "变化"]
    assert frame["变化"].dtype == "float64"
    assert isinstance(frame, pandas.DataFrame)
    assert "<table>" in result._repr_html_()


def test_each_part_sums_over_the_regions_to_its_exact_total_rounded() -> None:
    """Regression: every region's part was rounded to a millionth alone, so a part whose
    effects cancel over the regions (the data, under the same total) showed a total change
    of −0.000001, with +0.000001 of rounding to make up for it."""
    from tests.test_compare import _pair

    before, after = _pair()
    for method in ("sequential", "shapley"):
        result = decompose(before, after, method=method)  # type: ignore[arg-type]
        assert result.totals == {
            "total": 30,
            "data": 0,
            "weights": 0,
            "coefficients": 0,
            "bounds": 0,
            "rounding": 0,
        }
        for region in result:
            assert sum(region.parts.values()) == region.change
        with using("en"):
            assert str(result).splitlines()[1] == (
                "total change +30 万元: total +30, data ±0, weights ±0, coefficients ±0, "
                "bounds ±0, rounding ±0"
            )
