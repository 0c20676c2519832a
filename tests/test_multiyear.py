"""Multi-year simulation: hand-computed convergence, exact totals, no cash loss, clear errors."""

from __future__ import annotations

import random
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

import fundalloc as fa
from fundalloc.analysis.multiyear import HoldHarmlessTier, Simulation, simulate
from fundalloc.i18n import using


def by_population(total: int = 100, **settings: object) -> fa.Scheme:
    factor = fa.Factor(name="人口", rule=fa.Share(column="人口"), weight=1)
    return fa.Scheme(
        total=total, tranches=[fa.Tranche(name="人口", share=1, factors=[factor])], **settings
    )


def regions(**population: float) -> fa.RegionTable:
    return fa.RegionTable.from_records(
        [{"地区": name, "人口": p} for name, p in population.items()], id="地区"
    )


def path(run: Simulation, region: str) -> list[int]:
    return [int(year.amounts[region]) for year in run.years]


# ------------------------------------------------------------------ hand-computed cases
def test_no_cash_loss_converges_when_the_target_catches_up() -> None:
    """Equal need, 甲 starts with 90 of 100, the budget grows 20% a year, nobody loses cash.

    Budgets 120, 144, 172.8 → 173, 207.6 → 208: 甲's target (half) passes 90 in year 4,
    the first year with 100 · 1.2^k / 2 ≥ 90, i.e. k ≥ ln 1.8 / ln 1.2 = 3.2.
    """
    run = simulate(regions(甲=1, 乙=1), by_population(), 5, growth=0.2, start={"甲": 90, "乙": 10})
    assert [year.budget for year in run.years] == [120, 144, 173, 208, 250]
    assert path(run, "甲") == [90, 90, 90, 104, 125]
    assert path(run, "乙") == [30, 54, 83, 104, 125]
    # 86.5 each in year 3: the tie goes to the smaller id in code points, 乙 (U+4E59)
    assert [int(y.targets["甲"]) for y in run.years] == [60, 72, 86, 104, 125]
    assert [y.converged for y in run.years] == [False, False, False, True, True]
    assert run.years_to_converge == 4 and run.converged_in == 4
    first = run.years[0]
    assert first.bounds == {"甲": "hold harmless: at least 100% of last year", "乙": ""}
    assert first.differences == {"甲": Decimal(30), "乙": Decimal(-30)}
    assert first.distance == {"甲": 0.5, "乙": -0.5}
    assert run.amounts[0] == {"甲": 90, "乙": 10}  # the start, labelled one before year 1
    assert run[4].amounts == {"甲": 104, "乙": 104}
    # year 3: 甲 90 for a target of 86 (+4.65%), 乙 83 for 87; the ±50% tie of year 1 goes to
    # the smaller id, 乙
    assert str(run).splitlines()[1:] == [
        "year        budget   growth  held  paced  bounded    outside  furthest from target",
        "start          100",
        "1              120  +20.00%     1      0        0          2  乙 -50.00%",
        "2              144  +20.00%     1      0        0          2  乙 -25.00%",
        "3              173  +20.00%     1      0        0          2  甲 +4.65%",
        "4              208  +20.00%     0      0        0          0  乙 +0.00%",
        "5              250  +20.00%     0      0        0          0  乙 +0.00%",
        "converged in 4 years, from 4 (tolerance 0.01 of the target, or one step)",
    ]
    assert run.years[2].outside == ("甲", "乙")


def test_pace_of_change_limits_growth_towards_the_target() -> None:
    """Targets 75 / 25 of a flat 100; 甲 may grow at most 10% a year and 乙 may fall freely:
    55, 60 (60.5 rounded down), 66, 72 (72.6), then 75 = its target in year 5."""
    run = simulate(
        regions(甲=3, 乙=1),
        by_population(),
        6,
        growth=0,
        start={"甲": 50, "乙": 50},
        pace=0.1,
        hold_harmless=None,
    )
    assert path(run, "甲") == [55, 60, 66, 72, 75, 75]
    assert path(run, "乙") == [45, 40, 34, 28, 25, 25]
    assert run.years_to_converge == 5
    assert run.years[0].bounds == {"甲": "pace of change: at most +10% a year", "乙": ""}
    assert run.years[4].bounds == {"甲": "", "乙": ""}
    # year 4: 甲 is 3 below 75, more than 1% of it and more than one step
    assert not run.years[3].converged
    assert run.years[3].furthest == ("乙", 0.12)


def test_a_looser_tolerance_converges_earlier() -> None:
    # year 4 has 72 / 28 for targets of 75 / 25: 乙 is 12% over
    common = dict(growth=0, start={"甲": 50, "乙": 50}, pace=0.1, hold_harmless=None)
    table, scheme = regions(甲=3, 乙=1), by_population()
    assert simulate(table, scheme, 6, tolerance=0.15, **common).years_to_converge == 4  # type: ignore[arg-type]
    assert simulate(table, scheme, 6, tolerance=0.0, **common).years_to_converge == 5  # type: ignore[arg-type]
    assert simulate(table, scheme, 4, **common).years_to_converge is None  # type: ignore[arg-type]


def test_hold_harmless_tiers_by_distance_from_target() -> None:
    """Everyone keeps their cash except regions more than 5% over target, which keep 98%.

    With whole 万元, 98% of 90 (88.2) rounds up to 89: 甲 loses one a year until it is
    52, within 5% of its target of 50, where the 100% tier holds it for good."""
    tiers = [HoldHarmlessTier(ratio=1.0), HoldHarmlessTier(ratio=0.98, above=0.05)]
    run = simulate(
        regions(甲=1, 乙=1), by_population(), 40, growth=0, start={"甲": 90, "乙": 10},
        hold_harmless=tiers,
    )  # fmt: skip
    assert path(run, "甲") == [*range(89, 51, -1), 52, 52]
    assert all(int(y.amounts["乙"]) == 100 - int(y.amounts["甲"]) for y in run.years)
    assert run.years[0].bounds["甲"] == (
        "hold harmless: at least 98% of last year where over target by more than 5%"
    )
    assert run.years[-1].bounds["甲"] == "hold harmless: at least 100% of last year"
    assert run.years_to_converge is None  # 52 is 4% over 50
    assert run.years[0].allocation.explain("甲", lang="en").splitlines()[4] == (
        "  floor (hold harmless: at least 98% of last year where over target by more than 5%, "
        "raised to its floor): +38.2 万元"
    )


def test_a_region_under_no_tier_has_no_floor() -> None:
    # only regions over target are protected (at 95%); 乙 is under target and may fall
    run = simulate(
        regions(甲=1, 乙=3), by_population(), 1, growth=0, start={"甲": 60, "乙": 40},
        hold_harmless=[HoldHarmlessTier(ratio=0.95, above=0.0)],
    )  # fmt: skip
    assert run.years[0].amounts == {"甲": 57, "乙": 43}  # 甲 at ⌈0.95 · 60⌉, 乙 takes the rest


def test_a_minimum_growth_through_a_ratio_above_one() -> None:
    run = simulate(
        regions(甲=1, 乙=1), by_population(), 1, growth=0.1, start={"甲": 80, "乙": 20},
        hold_harmless=1.02,
    )  # fmt: skip
    assert run.years[0].amounts == {"甲": Decimal(82), "乙": Decimal(28)}  # ⌈81.6⌉ = 82


def test_the_previous_column_holds_last_years_simulated_amounts() -> None:
    """Base (基数 = last year) plus an equal increment, with a pace of 20%.

    Year 1 (110): targets 90 + 5 and 10 + 5; 乙 may grow to 12 only, so 98 / 12. With
    ``previous`` the base of year 2 (121) is 98 / 12: targets 103.5 / 17.5 (the tie for the
    last unit goes to the larger exact amount), amounts 107 / 14 (乙 again at +20%). Without
    it, the table's 上年 stays 90 / 10: targets 90 + 10.5 and 10 + 10.5."""
    table = fa.RegionTable.from_records(
        [{"地区": "甲", "人口": 1, "上年": 90}, {"地区": "乙", "人口": 1, "上年": 10}], id="地区"
    )
    factor = fa.Factor(name="人口", rule=fa.Share(column="人口"), weight=1)
    scheme = fa.Scheme(
        total=100,
        tranches=[
            fa.Tranche(name="基数", quota=fa.Quota(column="上年", rate=1)),
            fa.Tranche(name="增量", share=1, factors=[factor]),
        ],
    )
    run = simulate(table, scheme, 2, growth=0.1, start="上年", pace=0.2, hold_harmless=None)
    assert run.start == {"甲": 90, "乙": 10}
    assert [y.targets for y in run.years] == [{"甲": 95, "乙": 15}, {"甲": 104, "乙": 17}]
    assert [y.amounts for y in run.years] == [{"甲": 98, "乙": 12}, {"甲": 107, "乙": 14}]
    same = simulate(
        table, scheme, 2, growth=0.1, start={"甲": 90, "乙": 10}, pace=0.2, hold_harmless=None,
        previous="上年",
    )  # fmt: skip
    assert [y.amounts for y in same.years] == [y.amounts for y in run.years]
    fixed = simulate(
        table, scheme, 2, growth=0.1, start={"甲": 90, "乙": 10}, pace=0.2, hold_harmless=None
    )
    assert fixed.years[1].targets == {"甲": 101, "乙": 20}


def test_the_schemes_own_bounds_hold_for_the_regions_that_take_part() -> None:
    """丙 does not take part: its target is 0, the scheme's floor of 30 is not for it, but
    hold harmless keeps its 10. 乙's floor of 30 lifts its target; its hold-harmless
    40 lifts its amount."""
    table = fa.RegionTable.from_records(
        [
            {"地区": "甲", "人口": 3, "参与": 1},
            {"地区": "乙", "人口": 1, "参与": 1},
            {"地区": "丙", "人口": 1, "参与": 0},
        ],
        id="地区",
    )
    scheme = by_population(
        eligibility=[fa.Condition(column="参与", op=">", value=0)],
        bounds=[fa.Floor(amount=30, name="保底 30")],
    )
    run = simulate(table, scheme, 1, growth=0.1, start={"甲": 50, "乙": 40, "丙": 10})
    year = run.years[0]
    assert year.targets == {"甲": 80, "乙": 30, "丙": 0}
    assert year.amounts == {"甲": 60, "乙": 40, "丙": 10}
    assert year.bounds["丙"] == year.bounds["乙"] == "hold harmless: at least 100% of last year"
    assert year.distance["丙"] is None
    gone = simulate(table, scheme, 1, growth=0.1, start={"甲": 50, "乙": 40, "丙": 10},
                    hold_harmless=None)  # fmt: skip
    assert gone.years[0].amounts == {"甲": 80, "乙": 30, "丙": 0}


def test_growth_per_year_rounds_half_up_to_the_step() -> None:
    run = simulate(
        regions(甲=1, 乙=1), by_population(), 3, growth=[0.005, Decimal("-0.1"), 0],
        start={"甲": 50, "乙": 50}, hold_harmless=None,
    )  # fmt: skip
    assert [y.budget for y in run.years] == [101, 91, 91]  # 100.5 → 101; 90.9 → 91
    assert [y.growth for y in run.years] == [Decimal("0.005"), Decimal("-0.1"), 0]
    tens = simulate(
        regions(甲=1, 乙=1), by_population(step=10), 2, growth=0.04, start={"甲": 50, "乙": 50}
    )
    assert [y.budget for y in tens.years] == [100, 100]  # 104 → 100 in steps of 10


def test_half_up_schemes_still_spend_each_budget_exactly() -> None:
    run = simulate(
        regions(甲=1, 乙=1, 丙=1), by_population(rounding="half_up"), 2, growth=0.0,
        start={"甲": 40, "乙": 30, "丙": 30}, hold_harmless=None,
    )  # fmt: skip
    assert [y.target_allocation.unallocated for y in run.years] == [1, 1]  # 33 × 3 = 99
    assert all(sum(y.amounts.values()) == y.budget for y in run.years)


# ------------------------------------------------------------------ errors
def test_a_falling_budget_under_no_cash_loss_names_the_year() -> None:
    with pytest.raises(fa.InfeasibleError) as error:
        simulate(
            regions(甲=1, 乙=1), by_population(), 3, growth=[0.1, -0.2, 0],
            start={"甲": 60, "乙": 40}, first_year=2019,
        )  # fmt: skip
    lines = str(error.value).splitlines()
    assert lines[0] == (
        "year 2020: the budget of 88 万元 (last year 110 万元, -20.00%) cannot be allocated "
        "within the year-over-year limits (hint: lower the hold-harmless ratio, raise the "
        "pace, or change the growth)"
    )
    assert lines[1].startswith("floors: the floors add up to 110 万元 but the total is 88 万元")
    assert str(error.value.problems[0].where) == "year 2020"
    assert error.value.render("zh").splitlines()[:2] == [
        "第 2020 年：预算 88 万元（上年 110 万元，-20.00%）无法在逐年增减限制之内分配"
        "（提示：降低保持上年水平的比例、放宽调整节奏，或改变增长率）",
        "保底：保底合计 110 万元，但总额只有 88 万元（提示：降低保底或提高总额）",
    ]


def test_a_pace_too_slow_for_the_budget_names_the_year() -> None:
    with pytest.raises(fa.InfeasibleError) as error:
        simulate(regions(甲=1, 乙=1), by_population(), 2, growth=0.2, start={"甲": 60, "乙": 40},
                 pace=0.1)  # fmt: skip
    assert str(error.value).splitlines()[1] == (
        "caps: the caps add up to 110 万元 but the total is 120 万元 "
        "(hint: raise the caps or lower the total)"
    )


def test_a_cap_of_the_scheme_below_a_hold_harmless_floor() -> None:
    scheme = by_population(bounds=[fa.Cap(share=0.6, name="不超过 60%")])
    with pytest.raises(fa.InfeasibleError) as error:
        simulate(regions(甲=1, 乙=1), scheme, 1, growth=0, start={"甲": 70, "乙": 30})
    assert str(error.value).splitlines()[1] == (
        "甲: the cap 60 万元 (from 不超过 60%) is below the floor 70 万元 "
        "(from hold harmless: at least 100% of last year)"
    )


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"years": 0}, "years: expected a whole number of years, at least 1; found 0"),
        ({"growth": -1}, "growth: expected a growth rate above −1 (0.05 for +5%); found -1"),
        ({"growth": [0.1]}, "growth: expected one growth rate per year (2); found 1 rates"),
        ({"growth": [0.1, "x"]}, "growth[1]: expected a growth rate above −1"),
        ({"pace": -0.1}, "pace: expected the largest yearly growth as a fraction of at least 0"),
        ({"tolerance": -1}, "tolerance: expected a finite number of at least 0"),
        (
            {"hold_harmless": [HoldHarmlessTier(ratio=1), HoldHarmlessTier(ratio=0.9)]},
            "hold_harmless: two tiers apply to the same regions; found above=None twice",
        ),
        ({"hold_harmless": ["x"]}, "hold_harmless[0]: expected a HoldHarmlessTier; found 'x'"),
    ],
)
def test_bad_settings(settings: dict[str, object], message: str) -> None:
    arguments: dict[str, object] = {"years": 2, "growth": 0.1, "start": {"甲": 50, "乙": 50}}
    arguments.update(settings)
    with pytest.raises(fa.SchemeError) as error:
        simulate(regions(甲=1, 乙=1), by_population(), **arguments)  # type: ignore[arg-type]
    assert message in str(error.value)


@pytest.mark.parametrize(
    ("start", "message"),
    [
        ({"甲": 50}, "start, 乙: no amount for last year given for this region"),
        ({"甲": 50, "乙": 1, "丙": 1}, "start, 丙: not a region of the table"),
        ({"甲": 50, "乙": -1}, "start, 乙: expected an amount of at least 0; found -1"),
        ({"甲": 0, "乙": 0}, "start: expected last year's amounts to add up to more than 0"),
        ("上年", "no column '上年'"),
        ([50, 50], "start: expected last year's amounts as a mapping of region id to amount"),
    ],
)
def test_bad_start_amounts(start: object, message: str) -> None:
    with pytest.raises(fa.DataError) as error:
        simulate(regions(甲=1, 乙=1), by_population(), 1, growth=0, start=start)  # type: ignore[arg-type]
    assert message in str(error.value)


def test_an_allocation_as_the_start_and_the_outputs() -> None:
    table = regions(甲=3, 乙=1)
    last = fa.allocate(table, by_population().replace(total=80))
    run = simulate(table, by_population(), 2, growth=0.25, start=last, first_year=2024)
    assert run.start == {"甲": 60, "乙": 20}
    assert [y.year for y in run.years] == [2024, 2025]
    assert run.years_to_converge == 1 and run.converged_in == 2024
    assert run.to_records()[0] == {
        "year": 2024,
        "地区": "甲",
        "budget": Decimal(100),
        "amount": Decimal(75),
        "target": Decimal(75),
        "difference": Decimal(0),
        "distance": 0.0,
        "bound": "",
    }
    frame = run.to_dataframe()
    assert frame.shape == (4, 8) and frame["amount"].tolist()[-1] == Decimal(31)
    assert str(run).splitlines()[-1] == (
        "converged in 1 year, from 2024 (tolerance 0.01 of the target, or one step)"
    )
    with pytest.raises(KeyError, match="no simulated year 2023; the years are 2024 to 2025"):
        run[2023]


# ------------------------------------------------------------------ properties
@st.composite
def cases(draw: st.DrawFn) -> dict[str, object]:
    n = draw(st.integers(1, 6))
    kinds = draw(st.lists(st.sampled_from("甲乙丙丁戊"), min_size=n, max_size=n))
    names = [f"{c}{i}" for i, c in enumerate(kinds)]
    # every region has a target: a region with none stays at its floor under the proportional
    # rule, and a pace could then hold too little of a growing budget (a true conflict)
    population = draw(st.lists(st.integers(1, 100), min_size=n, max_size=n))
    start = draw(st.lists(st.integers(100, 10_000), min_size=n, max_size=n))
    years = draw(st.integers(1, 4))
    rates = st.floats(0, 0.3).map(lambda g: round(g, 4))
    growth = draw(st.lists(rates, min_size=years, max_size=years))
    pace = draw(st.one_of(st.none(), st.floats(max(growth) + 0.05, 0.6)))
    step = draw(st.sampled_from(["1", "0.01"]))
    return {
        "rows": [{"地区": r, "人口": p} for r, p in zip(names, population, strict=True)],
        "start": dict(zip(names, start, strict=True)),
        "years": years,
        "growth": growth,
        "pace": pace,
        "step": Decimal(step),
    }


@given(cases())
def test_totals_exact_and_no_region_loses_cash(case: dict[str, object]) -> None:
    table = fa.RegionTable.from_records(case["rows"], id="地区")  # type: ignore[arg-type]
    step = case["step"]
    assert isinstance(step, Decimal)
    run = simulate(
        table,
        by_population(step=step),
        case["years"],  # type: ignore[arg-type]
        growth=case["growth"],  # type: ignore[arg-type]
        start=case["start"],  # type: ignore[arg-type]
        pace=case["pace"],  # type: ignore[arg-type]
    )
    last = {r: Decimal(v) for r, v in case["start"].items()}  # type: ignore[attr-defined]
    budget = sum(last.values(), Decimal(0))
    for year, rate in zip(run.years, case["growth"], strict=True):  # type: ignore[call-overload]
        grown = budget * (1 + Decimal(repr(rate))) / step
        budget = grown.to_integral_value(rounding=ROUND_HALF_UP) * step
        assert year.budget == budget
        assert sum(year.amounts.values()) == budget == sum(year.targets.values())
        for region, amount in year.amounts.items():
            assert amount >= last[region]  # no cash loss
            assert amount % step == 0
            if case["pace"] is not None:
                # caps round down with the pipeline's relative 1e-9 of slack for binary noise
                cap = last[region] * (1 + Decimal(repr(case["pace"])))
                assert amount <= cap * (1 + Decimal("1e-9"))
        within = all(
            abs(a - year.targets[r]) <= max(Decimal("0.01") * year.targets[r], step)
            for r, a in year.amounts.items()
        )
        assert year.converged == within
        last = year.amounts
    tail = [y.converged for y in run.years]
    expected = next((k + 1 for k in range(len(tail)) if all(tail[k:])), None)
    assert run.years_to_converge == expected


@given(cases(), st.randoms(use_true_random=False))
def test_row_order_changes_nothing(case: dict[str, object], rng: random.Random) -> None:
    rows = list(case["rows"])  # type: ignore[call-overload]
    shuffled = rows[:]
    rng.shuffle(shuffled)
    settings = {k: case[k] for k in ("growth", "start", "pace")}
    scheme = by_population(step=case["step"])
    one = simulate(fa.RegionTable.from_records(rows, id="地区"), scheme, case["years"], **settings)  # type: ignore[arg-type]
    two = simulate(
        fa.RegionTable.from_records(shuffled, id="地区"), scheme, case["years"], **settings
    )  # type: ignore[arg-type]
    assert [y.amounts for y in one.years] == [y.amounts for y in two.years]
    assert one.years_to_converge == two.years_to_converge


# floors round up to whole steps: amounts of at least 100 and a cut of at least 5% leave room
@given(st.lists(st.integers(100, 5000), min_size=2, max_size=6), st.floats(0.5, 0.9))
def test_a_hold_harmless_ratio_is_a_floor_when_the_budget_falls(
    start: list[int], ratio: float
) -> None:
    names = [f"r{i}" for i in range(len(start))]
    table = fa.RegionTable.from_records(
        [{"地区": r, "人口": i + 1} for i, r in enumerate(names)], id="地区"
    )
    cut = (ratio - 1) / 2  # the budget falls by half of what the floors allow
    run = simulate(
        table, by_population(), 1, growth=round(cut, 6), start=dict(zip(names, start, strict=True)),
        hold_harmless=ratio,
    )  # fmt: skip
    for region, amount in run.years[0].amounts.items():
        assert amount >= Decimal(repr(ratio)) * start[names.index(region)] - Decimal("1e-9")


def test_the_year_table_and_bound_names_in_chinese() -> None:
    with using("zh"):
        run = simulate(
            regions(甲=1, 乙=1), by_population(), 2, growth=0.2, start={"甲": 90, "乙": 10}
        )
        lines = str(run).splitlines()
    assert run.years[0].bounds == {"甲": "保持上年水平：不低于上年的 100%", "乙": ""}
    assert run.years[0].kinds == {"甲": "held", "乙": ""}
    assert lines[0].startswith("单位：万元；保上年：处于保持上年水平的保底")
    assert lines[-1] == "2 年内未收敛（容差为目标的 0.01，或一个取整单位）"
