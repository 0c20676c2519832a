"""The HTML shown in Jupyter for an allocation and a scheme: numbers, totals, truncation,
notes, and names from user data escaped."""

from __future__ import annotations

from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest

import fundalloc as fa
from fundalloc.i18n import using

ROOT = Path(__file__).resolve().parents[1]


class _Cells(HTMLParser):
    """The text of every table row (as lists of cells), the caption and the list items."""

    def __init__(self, markup: str) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.items: list[str] = []
        self.caption = ""
        self._into: list[str] | None = None
        self._where = ""
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.rows[-1].append("")
            self._where = "cell"
        elif tag == "li":
            self.items.append("")
            self._where = "item"
        elif tag == "caption":
            self._where = "caption"

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th", "li", "caption"):
            self._where = ""

    def handle_data(self, data: str) -> None:
        if self._where == "cell":
            self.rows[-1][-1] += data
        elif self._where == "item":
            self.items[-1] += data
        elif self._where == "caption":
            self.caption += data


def _shares(names: list[str], values: list[float], total: int, **scheme: object) -> fa.Allocation:
    table = fa.RegionTable.from_columns({"地区": names, "人口": values}, id="地区")
    factor = fa.Factor(name="人口", rule=fa.Share(column="人口"), weight=1)
    return fa.allocate(
        table,
        fa.Scheme(
            total=total,
            tranches=[fa.Tranche(name="因素", share=1, factors=[factor])],
            **scheme,  # type: ignore[arg-type]
        ),
    )


@pytest.fixture(autouse=True)
def chinese() -> object:
    """The HTML speaks the current language; these tests read the Chinese one (the English
    one is tested at the end)."""
    with using("zh"):
        yield


@pytest.fixture(scope="module")
def shandong() -> fa.Allocation:
    loaded = fa.load_scheme(ROOT / "examples" / "shandong_2018" / "scheme.toml")
    path = loaded.data_path()
    assert path is not None
    return fa.allocate(fa.read_table(path, id="地区"), loaded.scheme)


# ------------------------------------------------------------------ Allocation
def test_allocation_table_rows_and_total(shandong: fa.Allocation) -> None:
    page = _Cells(shandong._repr_html_())
    header, *rows, total = page.rows
    assert header == ["地区", "测算数", "分配金额（万元）", "占比"]
    assert [r[0] for r in rows] == list(shandong.amounts)
    row = dict(zip([r[0] for r in rows], rows, strict=True))
    target = shandong.targets["济宁市"]
    assert row["济宁市"] == ["济宁市", f"{target:.4f}", "446", "12.00%"]  # held at the 12% cap
    assert row["东营市"][2:] == ["60", "1.61%"]  # raised to the 60 floor; 60 / 3717
    assert row["威海市"] == ["威海市", "0.0000", "0", "0.00%"]
    assert total == ["合计", "3,717.0000", "3,717", "100.00%"]
    assert page.caption == (
        "2018年中央及省少数民族发展资金（鲁民发〔2018〕47号）：3,717 万元，16 个地区，"
        "最大余额法取整到 1 万元"
    )
    assert page.items == ["不参与分配（不满足参与条件）：威海市"]


def test_allocation_names_are_escaped() -> None:
    names = ["<script>alert(1)</script>", "A & B", "'q'"]
    result = _shares(names, [2, 1, 1], 100, name="<b>fund</b>", unit="<元>")
    markup = result._repr_html_()
    assert "<script>" not in markup and "<b>fund" not in markup and "<元>" not in markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markup and "A &amp; B" in markup
    page = _Cells(markup)
    assert [r[0] for r in page.rows[1:-1]] == names
    assert page.rows[0][2] == "分配金额（<元>）"
    assert page.caption.startswith("<b>fund</b>：100 <元>")


def test_allocation_many_regions_show_head_and_tail_but_total_all() -> None:
    names = [f"县{k:02d}" for k in range(25)]
    result = _shares(names, [float(k + 1) for k in range(25)], 3250)
    _, *rows, total = _Cells(result._repr_html_()).rows
    assert [r[0] for r in rows] == [*names[:10], "… 另有 5 个地区", *names[-10:]]
    assert len(rows[10]) == 1
    # 3250 × k / 325 = 10 k exactly, so the total row adds up the hidden regions too
    assert rows[0][2] == "10" and rows[-1][2] == "250"
    assert total == ["合计", "3,250.0000", "3,250", "100.00%"]


def test_allocation_of_twenty_regions_is_shown_whole() -> None:
    names = [f"县{k:02d}" for k in range(20)]
    _, *rows, _ = _Cells(_shares(names, [1.0] * 20, 40)._repr_html_()).rows
    assert [r[0] for r in rows] == names


def test_allocation_notes_ties_and_the_residual() -> None:
    tied = _shares(["甲", "乙", "丙"], [1, 1, 2], 6)  # 1.5, 1.5 and 3: one unit for two
    assert tied.ties == ((("乙",), ("甲",)),)  # by id order: 乙 (U+4E59) before 甲
    assert _Cells(tied._repr_html_()).items == ["并列：乙 获得最后的单位，甲 未获得"]
    rounded = _shares(["甲", "乙", "丙"], [1, 1, 1], 10, rounding="half_up")
    assert rounded.unallocated == Decimal(1)
    page = _Cells(rounded._repr_html_())
    assert page.items == ["尾差 1 万元 未分配"]
    assert page.rows[-1] == ["合计", "10.0000", "9", "90.00%"]


def test_allocation_repr_is_unchanged(shandong: fa.Allocation) -> None:
    assert repr(shandong) == (
        "<Allocation 2018年中央及省少数民族发展资金: 3,717 万元 to 16 regions by largest_remainder>"
    )


# ------------------------------------------------------------------ Scheme
def test_scheme_tree_with_shares_amounts_weights_and_bounds(shandong: fa.Allocation) -> None:
    page = _Cells(shandong.scheme._repr_html_())
    header, *rows = page.rows
    assert header == ["切块 / 因素", "份额（金额）", "权重", "计算方法"]
    assert rows[0] == ["贫困人口因素", "70%（2,601.9 万元）", "", ""]  # 0.7 × 3717
    assert rows[1] == ["贫困人口规模", "", "35%", "少数民族贫困人口"]
    assert rows[3] == ["贫困发生率", "", "20%", "少数民族贫困人口 / 农村少数民族人口"]
    assert rows[5] == [
        "× 农村少数民族贫困人口系数",
        "",
        "",
        "贫困人口档次（一档→1.1、二档→1.05、三档→1）",
    ]
    assert rows[6] == ["重点民族村发展", "30%（1,115.1 万元）", "", ""]
    assert [r[0] for r in rows[7:]] == ["已退出重点民族村", "省扶贫工作重点民族村"]
    assert page.items == [
        "总额 3,717 万元，取整到 1 万元（largest_remainder）",
        "参与条件：已脱贫享受政策人口 > 0",
        "保底：每市保底 60 万元",
        "封顶：单市不超过总额 12%",
    ]


def test_scheme_nested_fixed_and_quota_tranches() -> None:
    def factor(name: str, weight: float) -> fa.Factor:
        return fa.Factor(name=name, rule=fa.Share(column=name), weight=weight)

    scheme = fa.Scheme(
        total=1000,
        step=Decimal("0.1"),
        derived={"人均": "收入 / 人口"},
        tranches=[
            fa.Tranche(name="定额", amount=200, factors=[factor("边境", 1)]),
            fa.Tranche(
                name="因素",
                share=1,
                tranches=[
                    fa.Tranche(
                        name="人口",
                        share=0.6,
                        normalise_weights=True,
                        factors=[factor("人口", 2), factor("面积", 1)],
                        eligibility=[fa.Condition(column="人口", op=">", value=0)],
                    ),
                    fa.Tranche(name="村", share=0.4, factors=[factor("村", 1)]),
                ],
            ),
        ],
        constraints=[fa.GroupCap(regions=["甲"], amount=300)],
    )
    page = _Cells(scheme._repr_html_())
    assert page.rows[1:] == [
        ["定额", "200 万元", "", ""],
        ["边境", "", "100%", "边境"],
        ["因素", "100%（800 万元）", "", ""],
        ["人口", "60%（480 万元）", "", ""],  # 0.6 of the 800 the fixed 200 leave
        ["人口", "", "66.6667%", "人口"],  # weights 2 : 1, normalised
        ["面积", "", "33.3333%", "面积"],
        ["参与条件", "", "", "人口 > 0"],
        ["村", "40%（320 万元）", "", ""],
        ["村", "", "100%", "村"],
    ]
    assert "派生列 人均 = 收入 / 人口" in page.items
    assert "组合约束：地区 甲 合计不高于 300 万元" in page.items
    # a quota's amount needs the data, so its share siblings show no amount
    quota = fa.Scheme(
        total=100,
        tranches=[
            fa.Tranche(name="基数", quota=fa.Quota(column="上年", rate=1)),
            fa.Tranche(name="增量", share=1, factors=[factor("人口", 1)]),
        ],
    )
    assert _Cells(quota._repr_html_()).rows[1:] == [
        ["基数", "定额", "", ""],
        ["定额", "", "", "上年 × 1 万元"],
        ["增量", "100%", "", ""],
        ["人口", "", "100%", "人口"],
    ]


def test_scheme_names_are_escaped() -> None:
    scheme = fa.Scheme(
        name="<i>fund</i>",
        total=10,
        tranches=[
            fa.Tranche(
                name="<script>",
                share=1,
                factors=[fa.Factor(name="a&b", rule=fa.Share(column="<c>"), weight=1)],
            )
        ],
        eligibility=[fa.Condition(column="kind", op="==", value="<x>")],
        bounds=[fa.Floor(name="<floor>", amount=1)],
    )
    markup = scheme._repr_html_()
    for raw in ("<script>", "<i>", "<c>", "<x>", "<floor>", "a&b"):
        assert raw not in markup
    page = _Cells(markup)
    assert page.rows[1] == ["<script>", "100%（10 万元）", "", ""]
    assert page.rows[2] == ["a&b", "", "100%", "<c>"]
    assert "参与条件：kind == '<x>'" in page.items and "保底：<floor>" in page.items


def test_allocation_table_in_english(shandong: fa.Allocation) -> None:
    with using("en"):
        page = _Cells(shandong._repr_html_())
    assert page.rows[0] == ["地区", "formula target", "amount (万元)", "share"]
    assert page.rows[-1][0] == "total"
    assert "regions, rounded to 1 万元 by largest remainder" in page.caption
    assert page.items == ["not taking part (not eligible): 威海市"]
