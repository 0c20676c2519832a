"""Comparing two allocations: exact differences, gainers and losers, one-sided regions."""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import fundalloc as fa
from fundalloc.analysis.compare import Change, Comparison, compare

ROWS = [
    {"地区": "甲市", "贫困人口": 500, "重点村": 2},
    {"地区": "乙市", "贫困人口": 300, "重点村": 5},
    {"地区": "丙市", "贫困人口": 200, "重点村": 3},
]


def scheme(poor: float, total: int = 100) -> fa.Scheme:
    return fa.Scheme(
        total=total,
        tranches=[
            fa.Tranche(
                name="因素",
                share=1,
                factors=[
                    fa.Factor(name="贫困人口", rule=fa.Share(column="贫困人口"), weight=poor),
                    fa.Factor(name="重点村", rule=fa.Share(column="重点村"), weight=1 - poor),
                ],
            )
        ],
    )


def test_two_schemes_on_the_same_regions() -> None:
    table = fa.RegionTable.from_records(ROWS, id="地区")
    # all by poor population: 50 / 30 / 20; all by villages (2:5:3): 20 / 50 / 30
    a = fa.allocate(table, scheme(1.0))
    b = fa.allocate(table, scheme(0.0))
    result = compare(a, b, labels=("人口", "村"))
    assert [(c.region, c.before, c.after, c.difference) for c in result.changes] == [
        ("甲市", 50, 20, -30),
        ("乙市", 30, 50, 20),
        ("丙市", 20, 30, 10),
    ]
    assert [c.percent for c in result.changes] == [-60.0, pytest.approx(200 / 3), 50.0]
    assert result.total_before == result.total_after == 100
    assert result.difference == 0 and result.percent == 0.0
    assert [c.region for c in result.gainers] == ["乙市", "丙市"]
    assert [c.region for c in result.losers] == ["甲市"]
    assert result.largest_gain == result["乙市"]
    assert result.largest_loss == result["甲市"]
    assert result.unit == "万元" and result.id_column == "地区"
    assert result.to_records()[0] == {
        "地区": "甲市",
        "人口": Decimal(50),
        "村": Decimal(20),
        "difference": Decimal(-30),
        "percent": -60.0,
    }
    assert str(result) == (
        "人口 → 村: total 100 → 100 万元, ±0 (+0.00%)\n"
        "3 regions in both\n"
        "2 gain: 乙市 +20 (+66.67%), 丙市 +10 (+50.00%)\n"
        "1 lose: 甲市 −30 (−60.00%)"
    )


def test_differences_are_exact_decimals() -> None:
    result = compare({"a": Decimal("0.1"), "b": 0.1}, {"a": Decimal("0.3"), "b": 0.3})
    assert result["a"].difference == Decimal("0.2")  # not 0.19999999999999998
    assert result["b"].difference == Decimal("0.2")  # floats are read by their shortest form
    assert result.total_after - result.total_before == result.difference == Decimal("0.4")
    huge = Decimal("1e40")
    far = compare({"a": huge}, {"a": Decimal("10000000000000000000000000000000000000000.01")})
    assert far["a"].difference == Decimal("0.01")  # beyond the default 28 digits
    assert far.total_after == Decimal("10000000000000000000000000000000000000000.01")


def test_regions_on_one_side_only() -> None:
    result = compare({"甲": 100, "乙": 60, "丙": 40}, {"甲": 90, "乙": 75, "丁": 35})
    assert result.only_before == ("丙",) and result.only_after == ("丁",)
    assert [c.region for c in result.changes] == ["甲", "乙", "丙", "丁"]
    assert result["丙"] == Change("丙", Decimal(40), None, Decimal(-40), -100.0)
    assert result["丁"] == Change("丁", None, Decimal(35), Decimal(35), None)
    assert (result["甲"].status, result["丙"].status, result["丁"].status) == (
        "both",
        "only before",
        "only after",
    )
    assert [c.region for c in result.gainers] == ["丁", "乙"]
    assert [c.region for c in result.losers] == ["丙", "甲"]
    assert result.to_records()[3] == {
        "region": "丁",
        "before": None,
        "after": Decimal(35),
        "difference": Decimal(35),
        "percent": None,
    }
    with pytest.raises(fa.DataError, match="戊: no such region in either allocation"):
        result["戊"]


def test_percent_is_none_from_zero_and_ties_sort_by_id() -> None:
    result = compare({"b": 0, "a": 10, "c": 10, "d": 5}, {"b": 5, "a": 15, "c": 15, "d": 5})
    assert result["b"].percent is None
    assert [c.region for c in result.gainers] == ["a", "b", "c"]  # all +5: by id
    assert result.unchanged == ("d",)
    assert result.losers == () and result.largest_loss is None
    assert compare({"a": 0}, {"a": 0}).percent is None


def test_a_long_summary_is_shortened() -> None:
    before = {f"r{i}": 10 for i in range(8)}
    after = {f"r{i}": 10 + i for i in range(8)}
    assert str(compare(before, after)).splitlines()[2] == (
        "7 gain: r7 +7 (+70.00%), r6 +6 (+60.00%), r5 +5 (+50.00%), r4 +4 (+40.00%), "
        "r3 +3 (+30.00%), and 2 more"
    )
    assert str(compare(before, after)).splitlines()[3:] == ["0 lose", "1 unchanged"]


def test_units_differ_or_mappings_give_no_unit() -> None:
    table = fa.RegionTable.from_records(ROWS, id="地区")
    a = fa.allocate(table, scheme(1.0))
    b = fa.allocate(table, scheme(1.0).replace(unit="元"))
    assert compare(a, b).unit == ""
    assert compare(a, dict(a.amounts)).unit == ""
    assert compare(a, a).unchanged == ("甲市", "乙市", "丙市")


def test_dataframes_keep_exact_amounts() -> None:
    result = compare({"甲": Decimal("1.5")}, {"甲": Decimal("2.25"), "乙": 1})
    frame = result.to_dataframe()
    assert list(frame.columns) == ["region", "before", "after", "difference", "percent"]
    assert frame["difference"].tolist() == [Decimal("0.75"), Decimal(1)]
    assert frame["before"].tolist()[1] is None
    pytest.importorskip("polars")  # an optional extra, not installed by the test extra
    polars = result.to_dataframe(library="polars")
    assert polars["difference"].to_list() == [Decimal("0.75"), Decimal("1")]


@pytest.mark.parametrize(
    ("side", "message"),
    [
        ({"甲": math.nan}, "before, 甲: expected a finite number; found nan"),
        ({"甲": Decimal("Infinity")}, "before, 甲: expected a finite number"),
        ({"甲": True}, "before, 甲: expected a finite number; found True"),
        ({"甲": "12"}, "before, 甲: expected a finite number; found '12'"),
        ([1, 2], "before: expected an Allocation or a mapping of region id to amount"),
    ],
)
def test_bad_sides(side: object, message: str) -> None:
    with pytest.raises(fa.DataError) as error:
        compare(side, {"甲": 1})  # type: ignore[arg-type]
    assert message in str(error.value)


def test_numpy_numbers_are_read_exactly() -> None:
    result = compare({"a": np.int64(3), "b": np.float64(0.1)}, {"a": 4, "b": 0.2})
    assert result["a"].difference == 1 and result["b"].difference == Decimal("0.1")


_amount = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False)
_sides = st.dictionaries(st.sampled_from(list("甲乙丙丁戊己庚辛")), _amount, max_size=8)


@given(_sides, _sides)
def test_differences_add_up_exactly(a: dict[str, Decimal], b: dict[str, Decimal]) -> None:
    result = compare(a, b)
    assert isinstance(result, Comparison)
    assert sum((c.difference for c in result.changes), Decimal(0)) == result.difference
    assert result.total_before == sum(a.values(), Decimal(0))
    assert result.total_after == sum(b.values(), Decimal(0))
    for change in result.changes:
        assert (change.after or 0) == (change.before or 0) + change.difference
    regions = [c.region for c in result.gainers] + [c.region for c in result.losers]
    assert sorted(regions + list(result.unchanged)) == sorted(set(a) | set(b))
    gains = [c.difference for c in result.gainers]
    losses = [c.difference for c in result.losers]
    assert gains == sorted(gains, reverse=True) and losses == sorted(losses)
    assert all(g > 0 for g in gains) and all(x < 0 for x in losses)


def test_the_summary_reads_whole_in_chinese_or_english() -> None:
    from fundalloc.i18n import using

    result = compare({"甲市": 100, "乙市": 60, "丙市": 40}, {"甲市": 90, "乙市": 75, "丁市": 35})
    with using("zh"):
        assert str(result).splitlines() == [
            "调整前 → 调整后：合计 200 → 200，±0（+0.00%）",
            "两边都有的地区 2 个；仅在调整前中：丙市；仅在调整后中：丁市",
            "增加 2 个：丁市 +35（新增）、乙市 +15（+25.00%）",
            "减少 2 个：丙市 −40（−100.00%）、甲市 −10（−10.00%）",
        ]
    with using("en"):
        assert str(result).splitlines()[0] == "before → after: total 200 → 200, ±0 (+0.00%)"
    with using("zh"), pytest.raises(fa.DataError) as caught:
        result["戊市"]
    assert caught.value.render("zh") == "戊市：两次分配中都没有这个地区"


# ---------------------------------------------------------------- causes of the changes
def _pair() -> tuple[fa.Allocation, fa.Allocation]:
    table = fa.RegionTable.from_records(ROWS, id="地区")
    grown = fa.RegionTable.from_records(
        [{**row, "贫困人口": row["贫困人口"] + 100 * (row["地区"] == "丙市")} for row in ROWS],
        id="地区",
    )
    return fa.allocate(table, scheme(0.6)), fa.allocate(grown, scheme(0.4, total=130))


def test_causes_are_the_decomposition_and_add_up_to_each_difference() -> None:
    from fundalloc.analysis.decompose import PARTS, decompose

    before, after = _pair()
    result = compare(before, after)
    assert result.decomposition is None
    for method in ("sequential", "shapley"):
        causes = result.causes(method=method)
        assert causes == decompose(before, after, method=method)
        for change in result.changes:
            parts = causes[change.region].parts
            assert list(parts) == list(PARTS)
            assert sum(parts.values()) == change.difference
            assert any(v != 0 for k, v in parts.items() if k != "total")
    reordered = result.causes(order=("data", "total", "weights", "coefficients", "bounds"))
    assert reordered.order[0] == "data"


def test_compare_decompose_shows_the_parts_and_leaves_the_plain_summary_alone() -> None:
    from fundalloc.i18n import using

    before, after = _pair()
    plain = compare(before, after)
    shown = compare(before, after, decompose="sequential")
    assert shown.decomposition is not None
    assert shown.causes() is shown.decomposition  # kept, not made again
    assert shown == plain  # the same changes; the decomposition is extra
    with using("en"):
        lines = str(shown).splitlines()
        assert str(plain).splitlines() == [
            line for line in lines[: len(lines) - 2] if not line.startswith("    ")
        ]
        gainer = shown.gainers[0]
        parts = shown.decomposition[gainer.region].parts
        expected = ", ".join(
            f"{name} {'+' if parts[key] > 0 else '−'}{fa.money.format_amount(abs(parts[key]), 6)}"
            for key, name in [(k, k) for k in parts]
            if parts[key] != 0
        )
        assert f"    {gainer.region}: {expected}" in lines
        assert lines[-2].startswith("causes of the change (sequential, order: total, data,")
    with using("zh"):
        text = str(shown)
        assert f"    {gainer.region}：总额 " in text
        assert "变化原因（依次分解，顺序：总额、数据、权重与切块" in text
    records = shown.to_records()
    assert [r["difference"] for r in records] == [
        sum(r[k] for k in ("total", "data", "weights", "coefficients", "bounds", "rounding"))
        for r in records
    ]
    assert "total" not in plain.to_records()[0]


def test_causes_need_two_allocations() -> None:
    result = compare({"甲市": 1}, {"甲市": 2})
    with pytest.raises(fa.SchemeError) as caught:
        result.causes()
    assert caught.value.render("en") == (
        "decompose: the causes of a change need both sides to be allocations; found mappings "
        "of amounts (hint: pass the two allocations (with their schemes and data), not "
        "mappings of amounts)"
    )
    assert caught.value.render("zh").startswith("decompose：分解变化原因需要两边都是分配结果")
    with pytest.raises(fa.SchemeError):
        compare({"甲市": 1}, {"甲市": 2}, decompose="shapley")
    before, after = _pair()
    with pytest.raises(fa.SchemeError, match="method"):
        compare(before, after, decompose="bogus")  # type: ignore[arg-type]
