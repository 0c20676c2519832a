"""Bound labels and the infeasibility messages of bounds and the pipeline, in Chinese and
in English, never a mix of the two."""

from __future__ import annotations

import pytest

import fundalloc as fa
from fundalloc.i18n import using

TABLE = fa.RegionTable.from_columns(
    {"地区": ["甲", "乙", "丙"], "人口": [10, 20, 30], "上年": [5, 5, 5]}, id="地区"
)


def scheme(**kwargs: object) -> fa.Scheme:
    return fa.Scheme(
        total=100,
        tranches=[
            fa.Tranche(
                name="因素",
                share=1,
                factors=[fa.Factor(name="人口", rule=fa.Share(column="人口"), weight=1)],
            )
        ],
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("bound", "zh", "en"),
    [
        (fa.Floor(amount=25), "保底 25 万元", "floor 25 万元"),
        (fa.Cap(amount=3717), "封顶 3,717 万元", "cap 3,717 万元"),
        (fa.Cap(share=0.2), "封顶为总额的 20%", "cap 20% of the total"),
        (fa.Floor(per="人口", rate=0.5), "保底每单位人口 0.5 万元", "floor 0.5 万元 per 人口"),
        (fa.HoldHarmless(column="上年", ratio=0.9), "不低于 上年 的 90%", "at least 90% of 上年"),
        (fa.GrowthCap(column="上年", ratio=1.2), "不高于 上年 的 120%", "at most 120% of 上年"),
        (fa.Floor(amount=1, name="基本保障"), "基本保障", "基本保障"),
    ],
)
def test_bound_labels_in_both_languages(bound: fa.Floor, zh: str, en: str) -> None:
    assert bound.label("万元", "zh") == zh
    assert bound.label("万元", "en") == en
    with using("zh"):
        assert bound.label("万元") == zh  # the current language by default


def test_a_condition_in_a_label_is_in_the_same_language() -> None:
    floor = fa.Floor(amount=25, where=[fa.Condition(column="人口", op=">", value=15)])
    zh, en = floor.label("万元", "zh"), floor.label("万元", "en")
    assert zh.startswith("保底 25 万元（适用于 ") and "where" not in zh
    assert en.startswith("floor 25 万元 where ")


def test_floors_above_the_total_say_so_in_both_languages() -> None:
    with pytest.raises(fa.InfeasibleError) as err:
        fa.allocate(TABLE, scheme(bounds=[fa.Floor(amount=40)]))
    assert err.value.render("en") == (
        "floors: the floors add up to 120 万元 but the total is 100 万元 "
        "(hint: lower the floors or raise the total)"
    )
    assert err.value.render("zh") == (
        "保底：保底合计 120 万元，但总额只有 100 万元（提示：降低保底或提高总额）"
    )


def test_a_cap_below_a_floor_names_both_bounds_in_one_language() -> None:
    bounds = [
        fa.Floor(amount=30),
        fa.Cap(amount=20, where=[fa.Condition(column="地区", op="==", value="甲")]),
    ]
    with pytest.raises(fa.InfeasibleError) as err:
        fa.allocate(TABLE, scheme(bounds=bounds))
    zh = err.value.render("zh")
    assert zh.startswith("甲：封顶 20 万元（来自 封顶 20 万元（适用于 ")
    assert "低于保底 30 万元（来自 保底 30 万元）" in zh
    assert "floor" not in zh and "cap" not in zh
    en = err.value.render("en")
    assert en.startswith("甲: the cap 20 万元 (from cap 20 万元 where ")
    assert "is below the floor 30 万元 (from floor 30 万元)" in en


def test_pipeline_messages_in_both_languages() -> None:
    eligible = [fa.Condition(column="人口", op=">", value=100)]
    with pytest.raises(fa.InfeasibleError) as err:
        fa.allocate(TABLE, scheme(eligibility=eligible))
    assert err.value.render("en").startswith("eligibility: no region meets the scheme's")
    assert err.value.render("zh").startswith("分配条件：没有地区满足方案的分配条件：")
    with pytest.raises(fa.InfeasibleError) as err:
        fa.allocate(TABLE, scheme(step=10, bounds=[fa.Floor(amount=31)]))
    assert err.value.render("en") == (
        "floors: rounded up to whole steps of 10 万元, the floors add up to 120 万元 but the "
        "total is 100 万元"
    )
    assert err.value.render("zh") == (
        "保底：按 10 万元 的整数倍向上取整后，保底合计 120 万元，但总额为 100 万元"
    )


def test_a_bound_spelled_wrong_says_so_in_chinese() -> None:
    with using("zh"), pytest.raises(fa.SchemeError) as err:
        fa.Floor(per="人口")
    assert "`per` 和 `rate` 必须同时给出" in str(err.value)
