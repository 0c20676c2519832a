from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

import fundalloc as fa


def by(column: str) -> list[fa.Tranche]:
    return [
        fa.Tranche(
            name=column,
            share=1,
            factors=[fa.Factor(name=column, rule=fa.Share(column=column), weight=1)],
        )
    ]


ROWS = [
    {"地区": "甲市", "上级": "省", "人口": 60},
    {"地区": "乙市", "上级": "省", "人口": 40},
    {"地区": "甲一县", "上级": "甲市", "人口": 35},
    {"地区": "甲二县", "上级": "甲市", "人口": 25},
    {"地区": "甲一镇", "上级": "甲一县", "人口": 1},
    {"地区": "甲二镇", "上级": "甲一县", "人口": 2},
]


def table(rows: list[dict[str, object]] = ROWS) -> fa.RegionTable:
    return fa.RegionTable.from_records(rows, id="地区", parent="上级")


def test_three_levels_sum_exactly() -> None:
    schemes = [fa.Scheme(total=Decimal("100.00"), step=Decimal("0.01"), tranches=by("人口"))] * 3
    result = fa.allocate_levels(table(), schemes)
    amounts = result.amounts
    assert amounts["甲市"] + amounts["乙市"] == 100
    assert amounts["甲一县"] + amounts["甲二县"] == amounts["甲市"]
    assert amounts["甲一镇"] + amounts["甲二镇"] == amounts["甲一县"]
    assert (result.level("甲市"), result.level("甲一县"), result.level("甲一镇")) == (0, 1, 2)
    assert result.children(None) == ("甲市", "乙市") and result.children("乙市") == ()
    assert "下分：甲一县 35、甲二县 25" in result.explain("甲市")
    assert all(sum(i.amount for i in b.items) == b.amount for b in result.breakdown.values())


def test_per_parent_scheme_and_missing_level() -> None:
    flat = fa.Scheme(total=1, tranches=by("人口"))
    rows = [r for r in ROWS if "镇" not in str(r["地区"])]
    equal = fa.Scheme(total=1, tranches=by("一"))
    t = table([{**r, "一": 1} for r in rows])
    result = fa.allocate_levels(t, [flat.replace(total=100)], per_parent={"甲市": equal})
    assert (result.amounts["甲一县"], result.amounts["甲二县"]) == (30, 30)
    with pytest.raises(
        fa.SchemeError, match="甲市: has children at level 2 but there is no scheme"
    ) as err:
        fa.allocate_levels(t, [flat.replace(total=100)])
    assert err.value.render("zh") == (
        "甲市：有第 2 级的下级地区，但没有这一级的方案"
        "（提示：给出 2 个方案，或 `per_parent={'甲市': ...}`）"
    )


def test_a_parent_with_nothing_passes_nothing_down() -> None:
    t = table(
        [
            {**r, "人口": 0 if r["地区"] in ("甲市", "甲一县", "甲二县") else r["人口"]}
            for r in ROWS
            if "镇" not in str(r["地区"])
        ]
    )
    result = fa.allocate_levels(t, [fa.Scheme(total=10, tranches=by("人口"))] * 2)
    assert result.amounts == {"甲市": 0, "乙市": 10, "甲一县": 0, "甲二县": 0}
    assert "上级 甲市 分得 0" in result.explain("甲一县")
    assert "its parent 甲市 got nothing to pass down" in result.explain("甲一县", lang="en")


def test_errors_name_the_parent() -> None:
    schemes = [
        fa.Scheme(total=100, tranches=by("人口")),
        fa.Scheme(total=1, tranches=by("人口"), bounds=[fa.Floor(amount=50)]),
    ]
    rows = [r for r in ROWS if "镇" not in str(r["地区"])]
    with pytest.raises(
        fa.InfeasibleError, match="children of 甲市, floors: the floors add up to 100"
    ):
        fa.allocate_levels(table(rows), schemes)
    with pytest.raises(
        fa.SchemeError,
        match="甲市: the amount 60 万元 is not a whole number of its children's step 7",
    ) as err:
        fa.allocate_levels(table(rows), [schemes[0], schemes[0].replace(step=7, total=7)])
    assert err.value.render("zh") == "甲市：金额 60 万元 不是下级取整单位 7 的整数倍"
    with pytest.raises(fa.DataError, match="expected a parent column") as err:
        fa.allocate_levels(fa.RegionTable.from_records(rows, id="地区"), schemes)
    assert "数据：应有上级列" in err.value.render("zh")


def test_cycles_are_refused() -> None:
    rows = [
        {"地区": "a", "上级": "b", "x": 1},
        {"地区": "b", "上级": "a", "x": 1},
        {"地区": "c", "上级": "省", "x": 1},
    ]
    with pytest.raises(fa.DataError, match="a cycle: a → b → a"):
        fa.allocate_levels(table(rows), [fa.Scheme(total=1, tranches=by("x"))])


@st.composite
def trees(draw: st.DrawFn) -> list[dict[str, object]]:
    n = draw(st.integers(1, 40))
    rows: list[dict[str, object]] = []
    for i in range(n):
        parent = (
            "省" if i == 0 or draw(st.integers(0, 3)) == 0 else f"r{draw(st.integers(0, i - 1))}"
        )
        rows.append({"地区": f"r{i}", "上级": parent, "需": draw(st.integers(1, 1000))})
    return rows


@given(trees(), st.integers(1, 10**6))
def test_children_always_add_up_to_their_parent(rows: list[dict[str, object]], total: int) -> None:
    result = fa.allocate_levels(table(rows), [fa.Scheme(total=total, tranches=by("需"))] * 40)
    amounts = result.amounts
    assert sum(amounts[r] for r in result.children(None)) == total
    for region in amounts:
        below = result.children(region)
        if below:
            assert sum(amounts[c] for c in below) == amounts[region]


def test_the_splits_report_their_progress() -> None:
    schemes = [fa.Scheme(total=Decimal("100.00"), step=Decimal("0.01"), tranches=by("人口"))] * 3
    seen: list[tuple[int, int]] = []
    fa.allocate_levels(
        table(), schemes, progress=False, callback=lambda done, total: seen.append((done, total))
    )
    # the top split, then 甲市 and 甲一县, the two parents with children
    assert seen == [(1, 3), (2, 3), (3, 3)]
