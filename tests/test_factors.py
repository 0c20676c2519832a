from __future__ import annotations

import numpy as np
import pytest

import fundalloc as fa
from fundalloc.factors import RULES, shares_of

ALL = np.ones(3, dtype=bool)


def table(**columns: list[object]) -> fa.RegionTable:
    return fa.RegionTable.from_columns({"id": ["a", "b", "c"], **columns}, id="id")


def test_share_scores_are_the_indicator() -> None:
    t = table(x=[1, 2, 5])
    assert shares_of(fa.Share(column="x"), t, ALL, "x").tolist() == [0.125, 0.25, 0.625]


def test_shares_use_only_regions_taking_part() -> None:
    t = table(x=[1, 2, 5])
    mask = np.array([True, True, False])
    assert shares_of(fa.Share(column="x"), t, mask, "x").tolist() == pytest.approx(
        [1 / 3, 2 / 3, 0]
    )


def test_zero_total_share_is_an_error_not_an_equal_split() -> None:
    with pytest.raises(fa.DataError, match="factor 'x'.*all scores are 0"):
        shares_of(fa.Share(column="x"), table(x=[0, 0, 0]), ALL, "x")


def test_ratio_zero_over_zero_and_positive_over_zero() -> None:
    rule = fa.Ratio(numerator="p", denominator="r")
    assert rule.scores(table(p=[1, 0, 2], r=[4, 0, 8]), ALL).tolist() == [0.25, 0.0, 0.25]
    with pytest.raises(fa.DataError, match="row 2, column 'r': expected a positive denominator"):
        rule.scores(table(p=[1, 3, 2], r=[4, 0, 8]), ALL)


def test_inverse_reference_mean_and_positive_values() -> None:
    assert fa.Inverse(column="x").scores(table(x=[1, 2, 3]), ALL).tolist() == [2, 1, 2 / 3]
    assert fa.Inverse(column="x", reference="max").scores(table(x=[1, 2, 4]), ALL).tolist() == [
        4,
        2,
        1,
    ]
    with pytest.raises(fa.DataError, match="expected a positive value"):
        fa.Inverse(column="x").scores(table(x=[1, 0, 3]), ALL)


def test_composite_zscore_negative_rules() -> None:
    parts = [fa.Part(column="x", weight=1.0)]
    t = table(x=[1, 2, 3])
    z = np.array([-1, 0, 1]) / np.std([1, 2, 3])
    with pytest.raises(fa.DataError, match="expected a non-negative index; found a -1.225"):
        fa.Composite(parts=parts).scores(t, ALL)
    assert fa.Composite(parts=parts, negative="clip").scores(t, ALL) == pytest.approx(
        np.maximum(z, 0)
    )
    assert fa.Composite(parts=parts, negative="shift").scores(t, ALL) == pytest.approx(z - z.min())
    assert fa.Composite(parts=parts, offset=2).scores(t, ALL) == pytest.approx(z + 2)


def test_composite_normalisations_and_inverse_parts() -> None:
    t = table(x=[1, 2, 3], y=[2, 2, 2])
    minmax = fa.Composite(
        parts=[fa.Part(column="x", weight=0.5), fa.Part(column="y", weight=0.5, inverse=True)],
        normalise="minmax",
    )
    assert minmax.scores(t, ALL) == pytest.approx([0.0, 0.25, 0.5])  # y all equal: 1, inverse 0
    ratio = fa.Composite(
        parts=[fa.Part(column="x", weight=1.0, inverse=True)], normalise="ratio_to_mean"
    )
    assert ratio.scores(t, ALL) == pytest.approx([2.0, 1.0, 2 / 3])


def test_composite_weights_validated() -> None:
    with pytest.raises(fa.SchemeError, match="add up to 1.2"):
        fa.Composite(parts=[fa.Part(column="x", weight=0.6), fa.Part(column="y", weight=0.6)])
    fa.Composite(
        parts=[fa.Part(column="x", weight=3), fa.Part(column="y", weight=1)], normalise_weights=True
    )


def test_product_ida_and_hill_burton() -> None:
    t = table(rating=[2, 3, 4], pop=[10, 20, 30], gni=[1, 16, 256])
    ida = fa.Product(
        terms=[
            fa.Term(column="rating", exponent=2),
            fa.Term(column="pop"),
            fa.Term(column="gni", exponent=-0.25),
        ]
    )
    assert ida.scores(t, ALL) == pytest.approx([40, 90, 120])
    hb = fa.Product(
        terms=[
            fa.Term(column="pop"),
            fa.Term(
                column="income",
                relative=True,
                scale=-0.5,
                offset=1,
                lower=1 / 3,
                upper=3 / 4,
                exponent=2,
            ),
        ]
    )
    t2 = table(pop=[1, 1, 1], income=[0.2, 1.0, 1.8])  # mean 1: ratios 0.2, 1, 1.8
    assert hb.scores(t2, ALL) == pytest.approx([0.75**2, 0.5**2, (1 / 3) ** 2])


def test_product_rejects_negative_base() -> None:
    with pytest.raises(fa.DataError, match="row 1, column 'x': expected a positive base"):
        fa.Product(terms=[fa.Term(column="x", offset=-5)]).scores(table(x=[1, 9, 9]), ALL)
    with pytest.raises(fa.SchemeError, match="lower .* is above upper"):
        fa.Term(column="x", lower=2, upper=1)


def test_max_and_min_compare_shares() -> None:
    t = table(a=[1, 1, 2], b=[3, 0, 1])
    rule = fa.Max(of=[fa.Share(column="a"), fa.Share(column="b")])
    assert rule.scores(t, ALL) == pytest.approx([0.75, 0.25, 0.5])
    assert fa.Min(of=[fa.Share(column="a"), fa.Share(column="b")]).scores(t, ALL) == pytest.approx(
        [0.25, 0, 0.25]
    )


def test_group_splits_its_weight() -> None:
    group = fa.Group(
        factors=[
            fa.Factor(name="a", rule=fa.Share(column="a"), weight=0.5),
            fa.Factor(name="b", rule=fa.Share(column="b"), weight=0.5),
        ]
    )
    assert group.scores(table(a=[1, 1, 2], b=[2, 1, 1]), ALL) == pytest.approx([0.375, 0.25, 0.375])


def test_tiered_unknown_tier_names_the_row() -> None:
    rule = fa.Tiered(column="g", tiers={"A": 1.1, "B": 1.0})
    assert rule.scores(table(g=["A", "B", "A"]), ALL).tolist() == [1.1, 1.0, 1.1]
    with pytest.raises(
        fa.DataError, match="row 3, column 'g': expected one of 'A', 'B'; found 'Z'"
    ):
        rule.scores(table(g=["A", "B", "Z"]), ALL)
    assert fa.Tiered(column="g", tiers={"A": 2}, default=1).scores(
        table(g=["A", "Q", "A"]), ALL
    ).tolist() == [2, 1, 2]
    with pytest.raises(fa.SchemeError, match="tier values must be >= 0"):
        fa.Tiered(column="g", tiers={"A": -1})


def test_condition_numbers_and_text() -> None:
    t = table(gap=[5, -1, 0], kind=["市", "县", "市"])
    assert fa.Condition(column="gap", op=">", value=0).test(t).tolist() == [True, False, False]
    assert fa.Condition(column="kind", op="==", value="市").test(t).tolist() == [True, False, True]
    assert fa.Condition(column="kind", op="not in", value=["县"]).test(t).tolist() == [
        True,
        False,
        True,
    ]
    with pytest.raises(fa.SchemeError, match="needs a list"):
        fa.Condition(column="kind", op="in", value="市")


def test_specs_are_immutable_comparable_and_hashable() -> None:
    a = fa.Factor(name="x", rule=fa.Share(column="x"), weight=0.5)
    b = fa.Factor(name="x", rule=fa.Share(column="x"), weight=0.5)
    assert a == b and hash(a) == hash(b)
    with pytest.raises(Exception, match="frozen"):
        a.weight = 1  # type: ignore[misc]
    assert a.replace(weight=0.7).weight == 0.7 and a.weight == 0.5
    assert set(RULES) == {
        "share",
        "ratio",
        "inverse",
        "composite",
        "product",
        "tiered",
        "group",
        "max",
        "min",
    }


def test_rule_round_trips_through_plain_data() -> None:
    rule = fa.Factor(
        name="d", rule=fa.Max(of=[fa.Share(column="a"), fa.Inverse(column="b")]), weight=1
    )
    assert fa.Factor.parse(rule.model_dump()) == rule


def test_descriptions_in_both_languages() -> None:
    from fundalloc.factors import Composite, Group, Inverse, Max, Part, Product, Term, Tiered

    rules = {
        Inverse(column="财力"): ("平均值(财力) / 财力", "mean(财力) / 财力"),
        Composite(
            parts=[Part(column="a", weight=0.55), Part(column="b", weight=0.45, inverse=True)],
            offset=1,
        ): ("1 + 0.55·标准分(a) + 0.45·−标准分(b)", "1 + 0.55·zscore(a) + 0.45·−zscore(b)"),
        Product(
            terms=[
                Term(column="人口"),
                Term(column="收入", relative=True, scale=-0.5, offset=1, lower=0.25, exponent=2),
            ]
        ): (
            "人口 × (截断(1 + -0.5·收入/平均值, 0.25, ∞))^2",
            "人口 × (clip(1 + -0.5·收入/mean, 0.25, ∞))^2",
        ),
        Tiered(column="等次", tiers={"A": 1.1, "B": 1}): (
            "等次（A→1.1、B→1）",
            "等次 (A→1.1, B→1)",
        ),
        Max(of=[fa.Share(column="a"), fa.Ratio(numerator="b", denominator="c")]): (
            "取大(a、b / c)",
            "max(a, b / c)",
        ),
        Group(
            factors=[
                fa.Factor(name="a", rule=fa.Share(column="a"), weight=0.5),
                fa.Factor(name="b", rule=Inverse(column="b", reference="max"), weight=0.5),
            ]
        ): ("0.5·[a] + 0.5·[最大值(b) / b]", "0.5·[a] + 0.5·[max(b) / b]"),
    }
    for rule, (chinese, english) in rules.items():
        assert (rule.describe("zh"), rule.describe("en")) == (chinese, english)


def test_data_errors_of_rules_in_chinese() -> None:
    t = table(id=["a", "b"], x=[1.0, 0.0], y=[0.0, 0.0])
    with pytest.raises(fa.DataError) as err:
        fa.Inverse(column="x").scores(t, np.ones(2, bool))
    assert err.value.render("zh").endswith("“x”列：逆向指标的值应为正数；实际为 0")
    assert err.value.render("en").endswith(
        "column 'x': expected a positive value for an inverse indicator; found 0"
    )
    with pytest.raises(fa.DataError) as err:
        shares_of(fa.Share(column="y"), t, np.ones(2, bool), "切块/y")
    assert err.value.render("zh") == (
        "因素 '切块/y'：参与分配的地区中应至少有一个得分为正；实际为 得分全为 0（y）"
    )
    assert err.value.render("en") == (
        "factor '切块/y': expected a positive score for at least one region taking part; "
        "found all scores are 0 (y)"
    )
