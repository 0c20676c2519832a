from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

import fundalloc as fa


def share(name: str, column: str | None = None, weight: float = 1.0) -> fa.Factor:
    return fa.Factor(name=name, rule=fa.Share(column=column or name), weight=weight)


TABLE = fa.RegionTable.from_records(
    [
        {"地区": "甲", "poor": 50, "villages": 2, "gap": 10, "last": 30, "grade": "A", "border": 1},
        {"地区": "乙", "poor": 30, "villages": 5, "gap": -4, "last": 40, "grade": "B", "border": 0},
        {"地区": "丙", "poor": 20, "villages": 3, "gap": 6, "last": 20, "grade": "C", "border": 2},
    ],
    id="地区",
)


def scheme(**kw: object) -> fa.Scheme:
    kw.setdefault("total", 100)
    kw.setdefault("tranches", [fa.Tranche(name="f", share=1, factors=[share("poor")])])
    return fa.Scheme(**kw)  # type: ignore[arg-type]


def test_plain_shares() -> None:
    r = fa.allocate(TABLE, scheme())
    assert r.amounts == {"甲": 50, "乙": 30, "丙": 20}
    assert r.multiplier == 1


def test_eligibility_excludes_and_explains() -> None:
    r = fa.allocate(TABLE, scheme(eligibility=[fa.Condition(column="gap", op=">", value=0)]))
    assert r.amounts == {"甲": 71, "乙": 0, "丙": 29}
    assert "不参与分配：不满足条件 gap > 0" in r.explain("乙")
    assert "does not take part: fails the condition gap > 0" in r.explain("乙", lang="en")


def test_no_eligible_region_is_an_error() -> None:
    with pytest.raises(
        fa.InfeasibleError, match="no region meets the scheme's eligibility: gap > 100"
    ):
        fa.allocate(TABLE, scheme(eligibility=[fa.Condition(column="gap", op=">", value=100)]))


def test_tranches_split_fixed_quota_and_shares() -> None:
    s = scheme(
        total=200,
        tranches=[
            fa.Tranche(name="border", quota=fa.Quota(column="border", rate=10)),  # 30 in all
            fa.Tranche(name="fixed", amount=70, factors=[share("villages")]),
            fa.Tranche(name="rest", share=1, factors=[share("poor")]),  # 200 - 30 - 70
        ],
    )
    r = fa.allocate(TABLE, s)
    assert r.targets == pytest.approx({"甲": 10 + 14 + 50, "乙": 0 + 35 + 30, "丙": 20 + 21 + 20})
    assert sum(r.amounts.values()) == 200


def test_base_plus_increment() -> None:
    s = scheme(
        total=120,
        tranches=[
            fa.Tranche(name="基数", quota=fa.Quota(column="last", rate=1)),
            fa.Tranche(name="增量", share=1, factors=[share("poor")]),
        ],
    )
    assert fa.allocate(TABLE, s).amounts == {"甲": 45, "乙": 49, "丙": 26}


def test_fixed_and_quota_above_the_parent_is_infeasible() -> None:
    s = scheme(
        total=50,
        tranches=[
            fa.Tranche(name="基数", quota=fa.Quota(column="last", rate=1)),
            fa.Tranche(name="增量", share=1, factors=[share("poor")]),
        ],
    )
    with pytest.raises(fa.InfeasibleError, match="take 90 万元 but there are only 50 万元"):
        fa.allocate(TABLE, s)


def test_money_left_without_a_share_tranche_is_an_error() -> None:
    s = scheme(total=100, tranches=[fa.Tranche(name="基数", quota=fa.Quota(column="last", rate=1))])
    with pytest.raises(fa.InfeasibleError, match="10 万元 are left"):
        fa.allocate(TABLE, s)


def test_sub_tranches_and_tranche_eligibility() -> None:
    s = scheme(
        total=100,
        tranches=[
            fa.Tranche(
                name="main",
                share=1,
                tranches=[
                    fa.Tranche(name="a", share=0.5, factors=[share("poor")]),
                    fa.Tranche(
                        name="b",
                        share=0.5,
                        factors=[share("villages")],
                        eligibility=[fa.Condition(column="grade", op="!=", value="B")],
                    ),
                ],
            )
        ],
    )
    r = fa.allocate(TABLE, s)
    assert r.targets == pytest.approx({"甲": 25 + 20, "乙": 15, "丙": 10 + 30})
    assert "切块「main/b」50 万元：不参与，不满足 grade != 'B'" in r.explain("乙")


def test_coefficients_multiply_then_rescale() -> None:
    s = scheme(
        tranches=[
            fa.Tranche(
                name="f",
                share=1,
                factors=[share("poor")],
                coefficients=[
                    fa.Coefficient(
                        name="绩效",
                        rule=fa.Tiered(column="grade", tiers={"A": 1.1, "B": 1.0, "C": 0.9}),
                    )
                ],
            )
        ]
    )
    r = fa.allocate(TABLE, s)
    mass = 50 * 1.1 + 30 + 20 * 0.9
    assert r.targets == pytest.approx(
        {"甲": 100 * 55 / mass, "乙": 100 * 30 / mass, "丙": 100 * 18 / mass}
    )


def test_every_column_problem_is_reported_at_once_in_row_order() -> None:
    bad = fa.RegionTable.from_records(
        [{"id": "b", "x": 1, "y": "?"}, {"id": "a", "x": "?", "y": 2}], id="id"
    )
    s = scheme(
        tranches=[
            fa.Tranche(name="f", share=1, factors=[share("x", weight=0.5), share("y", weight=0.5)])
        ],
        bounds=[fa.Floor(per="z", rate=1)],
    )
    with pytest.raises(fa.DataError) as err:
        fa.allocate(bad, s)
    assert [str(p.where) for p in err.value.problems] == [
        "row 2, column 'x'",
        "row 1, column 'y'",
        "data",
    ]
    assert "no column 'z'" in str(err.value)


def test_negative_share_among_regions_taking_part_names_the_row() -> None:
    bad = fa.RegionTable.from_records([{"id": "a", "x": -1}, {"id": "b", "x": 2}], id="id")
    with pytest.raises(fa.DataError, match="row 1, column 'x': expected a number >= 0; found -1"):
        fa.allocate(bad, scheme(tranches=[fa.Tranche(name="f", share=1, factors=[share("x")])]))


def test_gap_pattern_negative_gaps_only_exclude() -> None:
    """缺口: only regions with a positive gap take part, in proportion to the gap."""
    t = fa.RegionTable.from_columns({"id": list("abcd"), "gap": [30, -12, 10, 0]}, id="id")
    s = scheme(
        total=80,
        eligibility=[fa.Condition(column="gap", op=">", value=0)],
        tranches=[fa.Tranche(name="缺口", share=1, factors=[share("gap")])],
    )
    assert fa.allocate(t, s).amounts == {"a": 60, "b": 0, "c": 20, "d": 0}


def test_hold_harmless_and_growth_cap() -> None:
    s = scheme(
        total=100,
        bounds=[fa.HoldHarmless(column="last", ratio=0.9), fa.GrowthCap(column="last", ratio=1.5)],
    )
    r = fa.allocate(TABLE, s)
    assert r.amounts["乙"] >= 36 and r.amounts["甲"] <= 45 and sum(r.amounts.values()) == 100


def test_infeasible_floors_name_the_numbers() -> None:
    with pytest.raises(
        fa.InfeasibleError, match="the floors add up to 120 万元 but the total is 100 万元"
    ):
        fa.allocate(TABLE, scheme(bounds=[fa.Floor(amount=40)]))


def test_floors_rounded_up_to_the_step_must_fit() -> None:
    with pytest.raises(
        fa.InfeasibleError,
        match="rounded up to whole steps of 1 万元, the floors add up to 102 万元",
    ):
        fa.allocate(TABLE, scheme(bounds=[fa.Floor(amount=Decimal("33.2"))]))
    with pytest.raises(
        fa.InfeasibleError, match="no whole step of 1 万元 lies between the floor and the cap"
    ):
        only = [fa.Condition(column="poor", op="==", value=20)]
        fa.allocate(
            TABLE,
            scheme(
                bounds=[
                    fa.Floor(amount=Decimal("20.2"), where=only),
                    fa.Cap(amount=Decimal("20.8"), where=only),
                ]
            ),
        )


def test_bounds_hold_after_rounding_with_fractional_floors() -> None:
    r = fa.allocate(TABLE, scheme(bounds=[fa.Floor(share=0.2537)]))  # 25.37 rounds up to 26
    assert min(r.amounts.values()) >= 26


def test_half_up_reports_the_residual() -> None:
    t = fa.RegionTable.from_columns({"id": list("abc"), "x": [1, 1, 1]}, id="id")
    s = fa.Scheme(
        total=100,
        tranches=[fa.Tranche(name="f", share=1, factors=[share("x")])],
        rounding="half_up",
    )
    r = fa.allocate(t, s)
    assert r.amounts == {"a": 33, "b": 33, "c": 33} and r.unallocated == 1
    assert sum(r.amounts.values()) + r.unallocated == r.total


def test_divisor_places_with_a_minimum() -> None:
    t = fa.RegionTable.from_columns({"id": list("abcd"), "pop": [1000, 500, 30, 10]}, id="id")
    s = fa.Scheme(
        total=20,
        unit="人",
        step=1,
        rounding="jefferson",
        bounds=[fa.Floor(amount=1)],
        tranches=[fa.Tranche(name="f", share=1, factors=[share("pop")])],
    )
    r = fa.allocate(t, s)
    assert r.amounts == {"a": 12, "b": 6, "c": 1, "d": 1}


def test_step_smaller_than_the_unit() -> None:
    t = fa.RegionTable.from_columns({"id": list("abc"), "x": [1, 1, 1]}, id="id")
    s = fa.Scheme(
        total=Decimal("10.00"),
        step=Decimal("0.01"),
        tranches=[fa.Tranche(name="f", share=1, factors=[share("x")])],
    )
    r = fa.allocate(t, s)
    assert r.amounts == {"a": Decimal("3.34"), "b": Decimal("3.33"), "c": Decimal("3.33")}


def test_unknown_solver() -> None:
    with pytest.raises(fa.SolverError, match="unknown solver"):
        fa.allocate(TABLE, scheme(), solver="nope")


def test_result_arrays_follow_table_order() -> None:
    r = fa.allocate(TABLE, scheme())
    assert r.units.tolist() == [50, 30, 20]
    assert list(r.amounts) == list(TABLE.ids)
    assert "100 万元 to 3 regions by largest_remainder" in repr(r)
    assert isinstance(r.units, np.ndarray)


# ---- regressions from the review of the core (one test per finding)


def one_factor(total: str, step: str = "1", **kw: object) -> fa.Scheme:
    return fa.Scheme(
        total=Decimal(total),
        step=Decimal(step),
        tranches=[fa.Tranche(name="t", share=1, factors=[share("x")])],
        **kw,  # type: ignore[arg-type]
    )


def test_binary_noise_does_not_decide_a_tie() -> None:
    # exact amounts 51.36, 62.06 and 19.26 share the remainder 0.6; the larger amounts win
    t = fa.RegionTable.from_columns(
        {"id": ["r0", "r1", "r2", "r3", "r4"], "x": [10, 8, 24, 29, 9]}, id="id"
    )
    r = fa.allocate(t, one_factor("171.2", "0.1"))
    assert (r.amounts["r2"], r.amounts["r3"], r.amounts["r4"]) == (
        Decimal("51.4"),
        Decimal("62.1"),
        Decimal("19.2"),
    )
    assert r.ties == ((("r2", "r3"), ("r4",)),)


def test_half_up_rounds_exact_halves_up() -> None:
    t = fa.RegionTable.from_columns({"id": ["a", "b"], "x": [3, 39]}, id="id")
    r = fa.allocate(t, one_factor("156.1", "0.1", rounding="half_up"))
    assert r.amounts == {"a": Decimal("11.2"), "b": Decimal("145.0")} and r.unallocated == Decimal(
        "-0.1"
    )


def test_fixed_quotas_are_not_scaled_by_the_bounds() -> None:
    t = fa.RegionTable.from_columns(
        {"id": ["a", "b", "c"], "n": [3, 0, 0], "x": [0, 9, 1]}, id="id"
    )
    s = fa.Scheme(
        total=100,
        tranches=[
            fa.Tranche(name="定额", quota=fa.Quota(column="n", rate=10)),
            fa.Tranche(name="因素", share=1, factors=[share("x")]),
        ],
        bounds=[fa.Floor(amount=50, where=[fa.Condition(column="x", op="==", value=1)])],
    )
    assert fa.allocate(t, s).amounts == {"a": 30, "b": 20, "c": 50}
    with pytest.raises(
        fa.InfeasibleError, match="a: the cap 20 万元 .* is below its fixed quota 30 万元"
    ):
        fa.allocate(t, s.replace(bounds=[fa.Cap(amount=20)]))


def test_an_all_zero_factor_names_its_tranche() -> None:
    t = fa.RegionTable.from_columns({"id": ["a", "b"], "x": [0, 0], "y": [1, 2]}, id="id")
    s = fa.Scheme(
        total=10,
        tranches=[
            fa.Tranche(name="任务", share=0.5, factors=[share("y")]),
            fa.Tranche(name="奖励", share=0.5, factors=[share("x")]),
        ],
    )
    with pytest.raises(fa.DataError, match="factor '奖励/x': expected a positive score"):
        fa.allocate(t, s)


def test_an_overflowing_product_is_named_not_turned_into_nan() -> None:
    t = fa.RegionTable.from_columns({"id": ["a", "b"], "x": [1e10, 2]}, id="id")
    s = fa.Scheme(
        total=10,
        tranches=[
            fa.Tranche(
                name="t",
                share=1,
                factors=[
                    fa.Factor(
                        name="p",
                        rule=fa.Product(terms=[fa.Term(column="x", exponent=60)]),
                        weight=1,
                    )
                ],
            )
        ],
    )
    with pytest.raises(
        fa.DataError, match="factor 't/p': expected a finite score for every region; found a inf"
    ):
        fa.allocate(t, s)


def test_explain_edge_cases() -> None:
    t = fa.RegionTable.from_columns({"id": ["a", "b"], "x": [1, 2]}, id="id")
    s = fa.Scheme(
        total=10,
        tranches=[
            fa.Tranche(name="all", amount=10, factors=[share("x")]),
            fa.Tranche(name="none", share=1, factors=[share("x")]),
        ],
    )
    r = fa.allocate(t, s)
    assert "份额 0.0000%" in r.explain("a")  # a tranche of 0 explains without NaN or a warning
    with pytest.raises(fa.SchemeError, match="unknown language 'fr'"):
        r.explain("a", lang="fr")  # type: ignore[arg-type]


def test_empty_table() -> None:
    with pytest.raises(fa.DataError, match="expected at least one region"):
        fa.allocate(fa.RegionTable.from_records([], id="id"), scheme())


# ------------------------------------------------------- every used cell, in every row
def test_a_negative_value_in_an_excluded_row_is_a_data_error_naming_the_cell() -> None:
    # 乙 is excluded by a condition on another column; its negative poor population is
    # still wrong data, not a reason to leave it out silently
    t = fa.RegionTable.from_records(
        [
            {"地区": "甲", "poor": 50, "kind": "重点"},
            {"地区": "乙", "poor": -30, "kind": "一般"},
            {"地区": "丙", "poor": 20, "kind": "重点"},
        ],
        id="地区",
    )
    s = scheme(eligibility=[fa.Condition(column="kind", op="==", value="重点")])
    with pytest.raises(
        fa.DataError, match=r"row 2, column 'poor': expected a number >= 0; found -30"
    ):
        fa.allocate(t, s)


def test_a_non_number_in_an_excluded_row_is_a_data_error() -> None:
    t = fa.RegionTable.from_records(
        [{"地区": "甲", "poor": 50, "gap": 3}, {"地区": "乙", "poor": "n/a", "gap": -1}], id="地区"
    )
    s = scheme(eligibility=[fa.Condition(column="gap", op=">", value=0)])
    with pytest.raises(fa.DataError, match=r"row 2, column 'poor'"):
        fa.allocate(t, s)


def test_a_negative_excluded_by_a_condition_on_its_own_column_is_allowed() -> None:
    # the gap pattern in a sub-tranche: the tranche's own condition excludes the negative gap
    t = fa.RegionTable.from_columns(
        {"id": list("abc"), "poor": [1, 1, 2], "gap": [30, -12, 10]}, id="id"
    )
    s = scheme(
        total=100,
        tranches=[
            fa.Tranche(name="人口", share=0.5, factors=[share("poor")]),
            fa.Tranche(
                name="缺口",
                share=0.5,
                eligibility=[fa.Condition(column="gap", op=">", value=0)],
                factors=[share("gap")],
            ),
        ],
    )
    assert fa.allocate(t, s).amounts == {"a": 50, "b": 12, "c": 38}


def test_a_zero_denominator_in_an_excluded_row_is_fine() -> None:
    # a ratio's zero denominator only matters where the ratio is used
    t = fa.RegionTable.from_columns(
        {"id": ["a", "b", "c"], "poor": [5, 3, 1], "rural": [100, 0, 50], "ok": [1, 0, 1]}, id="id"
    )
    s = scheme(
        eligibility=[fa.Condition(column="ok", op=">", value=0)],
        tranches=[
            fa.Tranche(
                name="f",
                share=1,
                factors=[
                    fa.Factor(
                        name="发生率",
                        rule=fa.Ratio(numerator="poor", denominator="rural"),
                        weight=1,
                    )
                ],
            )
        ],
    )
    assert fa.allocate(t, s).amounts == {"a": 71, "b": 0, "c": 29}


def test_a_condition_may_name_the_id_column() -> None:
    s = scheme(eligibility=[fa.Condition(column="地区", op="in", value=["甲", "丙"])])
    r = fa.allocate(TABLE, s)
    assert r.amounts == {"甲": 71, "乙": 0, "丙": 29}
    s = scheme(eligibility=[fa.Condition(column="地区", op="!=", value="甲")])
    assert fa.allocate(TABLE, s).amounts == {"甲": 0, "乙": 60, "丙": 40}


def test_a_scheme_file_condition_may_name_the_id_column() -> None:
    from fundalloc.io.schemefile import loads_scheme

    text = """
schema_version = 1
total = 100
eligibility = [{ column = "地区", op = "in", value = ["甲", "丙"] }]

[[tranches]]
name = "f"
share = 1

[[tranches.factors]]
name = "poor"
weight = 1

[tranches.factors.rule]
kind = "share"
column = "poor"
"""
    loaded = loads_scheme(text)
    assert fa.allocate(TABLE, loaded.scheme).amounts == {"甲": 71, "乙": 0, "丙": 29}
