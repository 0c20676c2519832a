"""Several sources pooled: each spent exactly, kept to its regions, credited per region."""

from __future__ import annotations

import itertools
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import fundalloc as fa
from fundalloc.sources import Source, SourcedAllocation, _round_rows, _solve, allocate_sources

ROOT = Path(__file__).resolve().parents[1]


def by(column: str, total: int | str = 100, **settings: object) -> fa.Scheme:
    factor = fa.Factor(name=column, rule=fa.Share(column=column), weight=1)
    return fa.Scheme(
        total=total, tranches=[fa.Tranche(name=column, share=1, factors=[factor])], **settings
    )


ROWS = [
    {"地区": "甲县", "人口": 50, "民族乡": 1},
    {"地区": "乙县", "人口": 30, "民族乡": 0},
    {"地区": "丙县", "人口": 20, "民族乡": 2},
]
TOWNSHIPS = fa.Condition(column="民族乡", op=">", value=0)
IN_KIND_A = fa.Condition(column="kind", op="==", value="a")
NEEDY = fa.Condition(column="need", op=">", value=10)


def table(rows: list[dict[str, object]] = ROWS) -> fa.RegionTable:
    return fa.RegionTable.from_records(rows, id="地区")


def units(result: SourcedAllocation) -> dict[str, dict[str, int]]:
    return {s: {r: int(v) for r, v in paid.items()} for s, paid in result.paid.items()}


def check_exact(result: SourcedAllocation) -> None:
    """Every source spent (or reported), no region paid by a source it may not use, and
    every region's total the sum of what the sources paid."""
    for source in result.sources:
        paid = result.paid[source.name]
        assert all(v >= 0 for v in paid.values())
        assert sum(paid.values()) + result.unspent[source.name] == source.amount
        allowed = set(result.eligible[source.name])
        assert all(v == 0 for r, v in paid.items() if r not in allowed)
        assert result.unspent[source.name] == (source.amount if not allowed else 0)
    for region, amount in result.amounts.items():
        assert amount == sum(paid[region] for paid in result.paid.values())
        assert result.differences[region] == amount - result.targets[region]


# ---------------------------------------------------------------------- the rule


def test_each_source_is_spent_and_every_region_gets_its_target() -> None:
    sources = [
        Source(name="省级", amount=60),
        Source(name="部门", amount=40, eligibility=[TOWNSHIPS]),
    ]
    result = allocate_sources(table(), by("人口"), sources)
    check_exact(result)
    assert result.exact and not result.conflicts
    assert result.amounts == result.targets == {"甲县": 50, "乙县": 30, "丙县": 20}
    # 乙县 may only take 省级; 甲县 and 丙县 share both in one ratio (省级 : 部门 = 3 : 4)
    assert units(result) == {
        "省级": {"甲县": 21, "乙县": 30, "丙县": 9},
        "部门": {"甲县": 29, "乙县": 0, "丙县": 11},
    }
    assert result.spent == {"省级": 60, "部门": 40}
    assert repr(result) == "<SourcedAllocation 100 万元 from 2 sources to 3 regions, exact>"


def test_a_list_of_regions_and_conditions_together() -> None:
    sources = [
        Source(name="省级", amount=70),
        Source(name="市级", amount=30, regions=["甲县", "乙县"], eligibility=[TOWNSHIPS]),
    ]
    result = allocate_sources(table(), by("人口"), sources)
    check_exact(result)
    assert result.eligible == {"省级": ("甲县", "乙县", "丙县"), "市级": ("甲县",)}
    assert units(result)["市级"] == {"甲县": 30, "乙县": 0, "丙县": 0}
    text = result.explain("乙县")
    assert "市级：不可用于本地区（不满足 民族乡 > 0）" in text
    assert "市级：不可用于本地区" in result.explain("丙县")
    assert "不在该渠道的地区名单内" in result.explain("丙县")
    assert "市级: may not fund this region (not on its list of regions)" in result.explain(
        "丙县", lang="en"
    )


def test_explain_names_what_each_source_paid() -> None:
    sources = [
        Source(name="省级", amount=60),
        Source(name="部门", amount=40, eligibility=[TOWNSHIPS]),
    ]
    result = allocate_sources(table(), by("人口"), sources)
    assert result.explain("甲县") == (
        "甲县：50 万元（测算数 50 万元）\n  省级：21 万元（42.00%）\n  部门：29 万元（58.00%）"
    )
    assert result.explain("乙县", lang="en").splitlines() == [
        "乙县: 30 万元 (target 30 万元)",
        "  省级: 30 万元 (100.00%)",
        "  部门: may not fund this region (fails 民族乡 > 0)",
    ]


def test_a_source_that_exactly_fills_its_regions_keeps_the_others_out() -> None:
    # 部门 holds exactly 丙县's target and may fund nothing else: 省级 pays nothing there
    sources = [
        Source(name="省级", amount=80),
        Source(name="部门", amount=20, regions=["丙县"]),
    ]
    result = allocate_sources(table(), by("人口"), sources)
    assert units(result) == {
        "省级": {"甲县": 50, "乙县": 30, "丙县": 0},
        "部门": {"甲县": 0, "乙县": 0, "丙县": 20},
    }


def test_to_records() -> None:
    sources = [
        Source(name="省级", amount=60),
        Source(name="部门", amount=40, eligibility=[TOWNSHIPS]),
    ]
    records = allocate_sources(table(), by("人口"), sources).to_records()
    assert records[1] == {
        "地区": "乙县",
        "target": Decimal(30),
        "省级": Decimal(30),
        "部门": Decimal(0),
        "amount": Decimal(30),
        "difference": Decimal(0),
    }
    assert [r["地区"] for r in records] == ["甲县", "乙县", "丙县"]


def test_cents_and_large_amounts_stay_exact() -> None:
    total = Decimal("123456789012.37")
    sources = [
        Source(name="省级", amount=Decimal("100000000000.01")),
        Source(name="部门", amount=Decimal("23456789012.36"), eligibility=[TOWNSHIPS]),
    ]
    result = allocate_sources(table(), by("人口", total, step=Decimal("0.01")), sources)
    check_exact(result)
    assert result.exact
    assert sum(result.amounts.values()) == total
    assert all(v == v.quantize(Decimal("0.01")) for p in result.paid.values() for v in p.values())


def test_a_source_is_an_immutable_value() -> None:
    source = Source(name="市级", amount="150.50", regions=["甲县"], eligibility=[TOWNSHIPS])
    assert Source.model_validate(source.model_dump()) == source
    assert source.replace(amount=100).amount == 100 and source.amount == Decimal("150.50")
    assert list(source.needs()) == [("民族乡", "number")]
    with pytest.raises(fa.SchemeError, match="Source.colour"):
        Source(name="市级", amount=1, colour="red")  # type: ignore[call-arg]


# ---------------------------------------------------------------------- conflicts


def test_a_restricted_source_larger_than_its_regions_targets_is_still_spent() -> None:
    # 部门 (60) may only fund 甲县 and 丙县, whose targets add up to 70 … but 省级 (40) may
    # fund only 乙县 (target 30): 乙县 gets 10 too many, 甲县 and 丙县 share 10 too few
    sources = [
        Source(name="省级", amount=40, regions=["乙县"]),
        Source(name="部门", amount=60, eligibility=[TOWNSHIPS]),
    ]
    result = allocate_sources(table(), by("人口"), sources)
    check_exact(result)
    assert not result.exact
    assert result.amounts == {"甲县": Decimal(43), "乙县": Decimal(40), "丙县": Decimal(17)}
    assert result.differences == {"甲县": -7, "乙县": 10, "丙县": -3}
    messages = [str(p) for p in result.conflicts]
    assert messages == [
        "丙县 and 甲县: the targets add up to 70 万元 but only 60 万元 from 部门 can be spent "
        "here; each gets about 85.71% of its target",
        "省级: 40 万元 may be spent only on 乙县, whose targets add up to 30 万元; it gets "
        "about 133.33% of its target",
    ]
    assert "比测算数少 7 万元：可用于本地区的渠道资金不足" in result.explain("甲县")
    assert "10 万元 above the target" in result.explain("乙县", lang="en")
    with pytest.raises(fa.InfeasibleError, match="the targets add up to 70 万元 but only 60"):
        allocate_sources(table(), by("人口"), sources, strict=True)


def test_a_source_no_region_may_receive_is_reported_unspent() -> None:
    sources = [
        Source(name="省级", amount=90),
        Source(name="部门", amount=10, regions=["乙县"], eligibility=[TOWNSHIPS]),
    ]
    result = allocate_sources(table(), by("人口"), sources)
    check_exact(result)
    assert result.unspent == {"省级": 0, "部门": 10}
    # the shortfall of 10 is shared in proportion to the targets 50 : 30 : 20
    assert result.amounts == {"甲县": 45, "乙县": 27, "丙县": 18}
    assert str(result.conflicts[0]) == (
        "source 部门: no region may receive it, so 10 万元 cannot be spent "
        "(hint: check its regions and eligibility)"
    )
    assert repr(result).endswith("2 conflicts>")


def test_a_region_no_source_may_fund() -> None:
    sources = [Source(name="部门", amount=100, eligibility=[TOWNSHIPS])]
    result = allocate_sources(table(), by("人口"), sources)
    check_exact(result)
    assert result.amounts == {"甲县": 71, "乙县": 0, "丙县": 29}
    assert str(result.conflicts[0]) == (
        "乙县: no source may fund it, so 30 万元 of targets cannot be met"
    )


def test_money_for_regions_whose_target_is_0_is_split_equally() -> None:
    rows = [{**r, "人口": 0 if r["地区"] != "甲县" else 50} for r in ROWS]
    sources = [
        Source(name="省级", amount=90),
        Source(name="部门", amount=10, regions=["乙县", "丙县"]),
    ]
    result = allocate_sources(table(rows), by("人口"), sources)
    check_exact(result)
    assert result.amounts == {"甲县": 90, "乙县": 5, "丙县": 5}
    assert "whose targets are 0; it is split among them equally" in str(result.conflicts[-1])


def test_a_shortfall_is_shared_in_proportion_to_the_targets() -> None:
    amounts, eligible = [100, 100], [[True, True, False], [False, False, True]]
    solution = _solve(amounts, eligible, [60, 60, 80])
    totals = [sum(row[i] for row in solution.units) for i in range(3)]
    assert totals == [50, 50, 100]
    assert [c.kind for c in solution.conflicts] == ["short", "over"]


# ---------------------------------------------------------------------- errors


def test_amounts_must_be_whole_steps_and_add_up_to_the_total() -> None:
    with pytest.raises(fa.SchemeError) as caught:
        allocate_sources(
            table(),
            by("人口"),
            [Source(name="省级", amount=60), Source(name="市级", amount="12.5")],
        )
    assert str(caught.value).splitlines() == [
        "source '市级': expected an amount that is a whole number of the step 1 万元; "
        "found 12.5 万元",
        "sources: the sources add up to 72.5 万元 but the scheme's total is 100 万元 "
        "(hint: scheme.replace(total=72.5))",
    ]


def test_a_negative_amount_names_the_source() -> None:
    with pytest.raises(fa.SchemeError, match="the amount of '市级' is negative \\(-5\\)"):
        Source(name="市级", amount=-5)
    with pytest.raises(fa.SchemeError, match="'市级' lists no regions"):
        Source(name="市级", amount=5, regions=[])
    with pytest.raises(fa.SchemeError, match="'市级' lists '甲县' more than once"):
        Source(name="市级", amount=5, regions=["甲县", "甲县"])


def test_unknown_regions_and_duplicate_names() -> None:
    sources = [
        Source(name="省级", amount=60),
        Source(name="省级", amount=30),
        Source(name="amount", amount=10, regions=["甲", "丁县"]),
    ]
    with pytest.raises(fa.SchemeError) as caught:
        allocate_sources(table(), by("人口"), sources)
    assert str(caught.value).splitlines() == [
        "sources: the name '省级' is used by more than one source",
        "source 'amount': the name is a column of the records already (hint: choose a name "
        "other than 'amount', 'difference', 'target', '地区')",
        "source 'amount': names regions that are not in the table; found '甲', '丁县' "
        "(hint: did you mean '甲县'?)",
    ]
    with pytest.raises(fa.SchemeError, match="at least one source"):
        allocate_sources(table(), by("人口"), [])


def test_a_missing_eligibility_column_names_the_source() -> None:
    sources = [
        Source(name="省级", amount=60, eligibility=[fa.Condition(column="民族", op=">", value=0)]),
        Source(
            name="部门", amount=40, eligibility=[fa.Condition(column="地区类", op="==", value="a")]
        ),
    ]
    with pytest.raises(fa.DataError) as caught:
        allocate_sources(table(), by("人口"), sources)
    lines = str(caught.value).splitlines()
    assert lines[0] == (
        "source '省级', eligibility: no column '民族'; found columns '人口', '民族乡' "
        "(hint: did you mean '民族乡'?)"
    )
    assert lines[1].startswith("source '部门', eligibility: no column '地区类'")
    rows = [{**r, "民族乡": "x" if r["地区"] == "乙县" else r["民族乡"]} for r in ROWS]
    with pytest.raises(fa.DataError, match="source '部门': row 2, column '民族乡': expected a"):
        allocate_sources(
            table(rows),
            by("人口"),
            [
                Source(name="省级", amount=60),
                Source(name="部门", amount=40, eligibility=[TOWNSHIPS]),
            ],
        )


def test_explain_an_unknown_region_or_language() -> None:
    result = allocate_sources(table(), by("人口"), [Source(name="省级", amount=100)])
    with pytest.raises(fa.DataError, match="甲: no such region \\(hint: did you mean '甲县'\\?\\)"):
        result.explain("甲")
    with pytest.raises(fa.SchemeError, match="unknown language 'fr'"):
        result.explain("甲县", lang="fr")  # type: ignore[arg-type]


# ---------------------------------------------------------------------- rounding internals


def test_rows_are_repaired_even_from_inexact_weights() -> None:
    # weights that say 省级 pays everything although both must pay 5: the entries leave
    # their floor/ceiling boxes, and every total is still exact
    exact = [[Fraction(0), Fraction(5)], [Fraction(0), Fraction(5)]]
    parts = _round_rows([5, 5], [[0, 1], [0, 1]], exact, [5, 5])
    assert [sum(p) for p in parts] == [5, 5]
    assert [parts[0][0] + parts[1][0], parts[0][1] + parts[1][1]] == [5, 5]


# ---------------------------------------------------------------------- properties


@st.composite
def pooled(draw: st.DrawFn) -> tuple[list[dict[str, object]], fa.Scheme, list[Source]]:
    n = draw(st.integers(1, 6))
    ids = [f"{draw(st.sampled_from('甲乙丙丁东西南北'))}{i}县" for i in range(n)]
    need = draw(st.lists(st.integers(0, 50), min_size=n, max_size=n))
    need[draw(st.integers(0, n - 1))] += 1
    kind = draw(st.lists(st.sampled_from("ab"), min_size=n, max_size=n))
    rows: list[dict[str, object]] = [
        {"地区": r, "need": x, "kind": k} for r, x, k in zip(ids, need, kind, strict=True)
    ]
    m = draw(st.integers(1, 4))
    amounts = draw(st.lists(st.integers(0, 300), min_size=m, max_size=m))
    if sum(amounts) == 0:
        amounts[0] = 1
    sources = []
    for s, amount in enumerate(amounts):
        regions = draw(st.none() | st.lists(st.sampled_from(ids), min_size=1, unique=True))
        conditions = draw(st.sampled_from([[], [IN_KIND_A], [NEEDY]]))
        sources.append(Source(name=f"s{s}", amount=amount, regions=regions, eligibility=conditions))
    step = draw(st.sampled_from([Decimal(1), Decimal(10), Decimal("0.01")]))
    scheme = by("need", sum(amounts) * step, step=step)
    return rows, scheme, [s.replace(amount=s.amount * step) for s in sources]


def least_deviation(result: SourcedAllocation) -> int:
    """The smallest Σ|total − target| any split could reach, by brute force over the sets
    of regions (max flow = min cut): unspendable money + 2 × (spendable − max flow), where
    the max flow sends the sources' money to the regions, each up to its target."""
    step = result.allocation.scheme.step
    ids = list(result.table.ids)
    target = {r: int(v / step) for r, v in result.targets.items()}
    money = {s.name: int(s.amount / step) for s in result.sources}
    usable = {name: set(regions) for name, regions in result.eligible.items() if regions}
    spendable = sum(money[name] for name in usable)
    unspendable = sum(money.values()) - spendable
    flow = min(
        sum(money[name] for name, regions in usable.items() if regions & set(chosen))
        + sum(target[r] for r in ids if r not in chosen)
        for size in range(len(ids) + 1)
        for chosen in itertools.combinations(ids, size)
    )
    return unspendable + 2 * (spendable - flow)


@given(pooled(), st.randoms(use_true_random=False))
def test_exact_eligible_closest_and_order_free(
    case: tuple[list[dict[str, object]], fa.Scheme, list[Source]], random: object
) -> None:
    rows, scheme, sources = case
    result = allocate_sources(table(rows), scheme, sources)
    check_exact(result)
    step = scheme.step
    deviation = sum(abs(int(d / step)) for d in result.differences.values())
    assert deviation == least_deviation(result)
    assert result.exact == (deviation == 0 and not any(result.unspent.values()))
    shuffled = list(rows)
    random.shuffle(shuffled)  # type: ignore[attr-defined]
    again = allocate_sources(table(shuffled), scheme, sources)
    assert again.paid == result.paid
    assert again.conflicts == result.conflicts
    assert list(again.paid["s0"]) == [r["地区"] for r in shuffled]


# ---------------------------------------------------------------------- the example


def test_the_qujing_example_spends_each_fund_on_its_counties() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "qujing_pooled" / "sources.py")],
        capture_output=True,
        text=True,
        check=True,
        encoding="utf-8",
    )
    lines = done.stdout.splitlines()
    assert lines[1].split("\t") == [
        "地区",
        "测算数",
        "省级专项资金",
        "市级配套资金",
        "部门整合资金",
        "合计",
    ]
    assert lines[11].split("\t") == ["合计", "2400", "1450", "310", "640", "2400"]
    rows = {line.split("\t")[0]: line.split("\t")[1:] for line in lines[2:11]}
    assert all(cells[0] == cells[-1] for cells in rows.values())  # every target met
    assert rows["麒麟区"][2:4] == ["0", "0"]  # neither listed nor with an ethnic township
    assert "会泽县：374 万元（测算数 374 万元）" in done.stdout
    assert "!" not in done.stdout  # no conflicts
