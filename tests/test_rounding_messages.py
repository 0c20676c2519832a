"""The messages of rounding, rounding under rows and pooled sources, in Chinese (the
default) and in English: each family rendered whole in one language."""

from __future__ import annotations

import re
from fractions import Fraction

import numpy as np
import pytest

import fundalloc as fa
from fundalloc.constraints import Row
from fundalloc.errors import SolverError
from fundalloc.i18n import using
from fundalloc.rounding import canonical_method, round_units, round_with_rows
from fundalloc.sources import TEXT, Source, allocate_sources

CJK = re.compile(r"[\u3400-\u9fff]")
TABLE = fa.RegionTable.from_records(
    [
        {"地区": "甲县", "人口": 50, "民族乡": 1},
        {"地区": "乙县", "人口": 30, "民族乡": 0},
        {"地区": "丙县", "人口": 20, "民族乡": 2},
    ],
    id="地区",
)
TOWNSHIPS = fa.Condition(column="民族乡", op=">", value=0)


def by_people(total: object = 100) -> fa.Scheme:
    factor = fa.Factor(name="人口", rule=fa.Share(column="人口"), weight=1)
    return fa.Scheme(total=total, tranches=[fa.Tranche(name="人口", share=1, factors=[factor])])


def english_words(text: str) -> list[str]:
    """Latin words of two letters or more (ids, numbers and unit names aside)."""
    return re.findall(r"[A-Za-z]{2,}", text)


def test_an_unknown_method_in_both_languages() -> None:
    with pytest.raises(fa.SchemeError) as caught:
        canonical_method("bankers")
    zh = caught.value.render("zh")
    assert zh.startswith("未知的舍入方法 'bankers'；应为以下之一：largest_remainder、jefferson")
    assert zh.endswith("（或别名 dhondt、sainte_lague、hamilton）")
    assert caught.value.render("en") == (
        "unknown rounding method 'bankers'; expected one of: largest_remainder, jefferson, "
        "webster, huntington_hill, adams, half_up (or dhondt, sainte_lague, hamilton)"
    )


def test_bounds_that_cannot_hold_the_total_in_both_languages() -> None:
    zero, two = np.zeros(2, np.int64), np.full(2, 2, np.int64)
    with pytest.raises(fa.InfeasibleError) as caught:
        round_units(np.array([1.0, 1.0]), np.array([1.0, 1.0]), 5000, zero, two)
    assert caught.value.render("zh") == (
        "以整步计的保底与封顶（合计 0 至 4 步，无权重的地区按保底计）容不下 5,000 步"
    )
    assert "cannot hold 5,000 units" in caught.value.render("en")


def test_a_non_finite_amount_in_both_languages() -> None:
    zero, two = np.zeros(2, np.int64), np.full(2, 2, np.int64)
    with pytest.raises(fa.SolverError) as caught:
        round_units(np.array([np.nan, 1.0]), np.array([1.0, 1.0]), 1, zero, two, stage="界限")
    assert caught.value.render("zh") == (
        "界限：舍入前每个地区的金额都应为有限数；实际为 第 0 位：金额 nan，权重 1.0"
        "（提示：这是 fundalloc 的缺陷，请连同数据一并报告）"
    )
    assert "position 0: amount nan, weight 1.0" in caught.value.render("en")


def test_apportion_errors_in_both_languages() -> None:
    with pytest.raises(fa.SchemeError) as caught:
        fa.apportion({"甲": 1.0}, 3, method="half_up")
    assert caught.value.render("zh") == "`apportion` 须分出全部总数，half_up 做不到"
    with pytest.raises(fa.DataError) as bad:
        fa.apportion({"甲": 1.0, "乙": -1.0}, 3)
    assert bad.value.render("zh") == "乙：应为不小于 0 的有限权重；实际为 -1.0"
    with pytest.raises(fa.SchemeError) as minimum:
        fa.apportion({"甲": 1.0, "乙": 1.0}, 3, minimum={"甲": -1, "乙": -2})
    assert minimum.value.render("zh") == "最小值须不小于 0；以下地区的最小值为负：乙、甲"
    assert minimum.value.render("en") == "a minimum must be >= 0; found a negative one for 乙, 甲"


def test_rounding_under_rows_that_cannot_hold_in_both_languages() -> None:
    row = Row(((Fraction(1), np.array([0])),), Fraction(3), None, 0, "甲至少 3", 2)
    bounds = np.zeros(2, dtype=np.int64), np.full(2, 2, dtype=np.int64)
    with pytest.raises(SolverError) as caught:
        round_with_rows(np.array([1.5, 1.5]), *bounds, 3, [row], Fraction(1))
    assert caught.value.render("zh").endswith("请将一条区域组合约束放宽一步")
    assert not english_words(caught.value.render("zh"))
    assert caught.value.render("en").endswith("widen a group constraint by one step")


def test_a_sources_account_in_both_languages() -> None:
    sources = [
        Source(name="省级", amount=70),
        Source(name="市级", amount=30, regions=["甲县", "乙县"], eligibility=[TOWNSHIPS]),
    ]
    result = allocate_sources(TABLE, by_people(), sources)
    assert result.explain("乙县").splitlines() == [
        "乙县：30 万元（测算数 30 万元）",
        "  省级：30 万元（100.00%）",
        "  市级：不可用于本地区（不满足 民族乡 > 0）",
    ]
    assert result.explain("乙县", lang="en").splitlines()[2] == (
        "  市级: may not fund this region (fails 民族乡 > 0)"
    )
    # the public TEXT is a view of the catalogue
    assert TEXT["zh"]["head"] == "{region}：{amount}（测算数 {target}）"
    assert TEXT["en"]["not_listed"] == "not on its list of regions"
    with pytest.raises(fa.DataError) as caught:
        result.explain("甲")
    assert caught.value.render("zh") == "甲：没有这个地区（提示：是否想写 '甲县'？）"


def test_the_sources_checks_in_both_languages() -> None:
    with pytest.raises(fa.SchemeError) as negative:
        Source(name="市级", amount=-5, regions=["甲县", "甲县"])
    zh = negative.value.render("zh")
    assert "'市级' 的金额为负（-5）" in zh and "'市级' 重复列出了 '甲县'" in zh
    with pytest.raises(fa.SchemeError) as caught:
        allocate_sources(
            TABLE,
            by_people(),
            [Source(name="省级", amount=60), Source(name="市级", amount="12.5", regions=["甲"])],
        )
    lines = caught.value.render("zh").splitlines()
    assert lines[0] == "渠道 '市级'：金额应为步长 1 万元 的整数倍；实际为 12.5 万元"
    assert lines[1] == (
        "渠道 '市级'：列出了数据表中没有的地区；实际为 '甲'（提示：是否想写 '甲县'？）"
    )
    assert lines[2] == (
        "渠道：各渠道合计 72.5 万元，而方案总额为 100 万元（提示：scheme.replace(total=72.5)）"
    )
    with pytest.raises(fa.SchemeError) as none:
        allocate_sources(TABLE, by_people(), [])
    assert none.value.render("zh") == "`allocate_sources` 至少需要一个渠道"
    with pytest.raises(fa.DataError) as column:
        allocate_sources(
            TABLE,
            by_people(),
            [
                Source(
                    name="部门",
                    amount=100,
                    eligibility=[fa.Condition(column="民族", op=">", value=0)],
                )
            ],
        )
    assert column.value.render("zh") == (
        "渠道 '部门'，适用条件：没有列 '民族'；实际为 列 '人口'、'民族乡'"
        "（提示：是否想写 '民族乡'？）"
    )


def test_a_conflict_in_both_languages() -> None:
    sources = [
        Source(name="省级", amount=90),
        Source(name="部门", amount=10, regions=["乙县"], eligibility=[TOWNSHIPS]),
    ]
    result = allocate_sources(TABLE, by_people(), sources)
    conflict, short = result.conflicts
    assert conflict.render("zh") == (
        "渠道 部门：没有地区可以接收该渠道的资金，10 万元 无法使用"
        "（提示：请检查该渠道的地区名单和适用条件）"
    )
    assert conflict.render("en") == (
        "source 部门: no region may receive it, so 10 万元 cannot be spent "
        "(hint: check its regions and eligibility)"
    )
    assert short.render("zh") == (
        "丙县、乙县和甲县：测算数合计 100 万元，但此处只能使用来自 省级 的 90 万元；"
        "每个地区约得到其测算数的 90.00%"
    )
    with pytest.raises(fa.InfeasibleError) as caught:
        allocate_sources(TABLE, by_people(), sources, strict=True)
    with using("zh"):
        text = str(caught.value)
    assert CJK.search(text) and "测算数合计" in text
    assert not [w for w in english_words(text) if w not in ("LP",)]
