"""Exact integer flows (fundalloc.solvers.flow) and the sources' rounding by the one
largest-remainder rule, at scales binary64 and int32 cannot hold."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import fundalloc as fa
from fundalloc.rounding.largest import remainder_order, split_in_proportion
from fundalloc.solvers.flow import Network, components, feasible_flow
from fundalloc.sources import Source, _solve, allocate_sources


def test_a_capacity_above_int32_is_carried_exactly() -> None:
    # scipy.sparse.csgraph.maximum_flow takes int32 capacities: 2**31 + 7 does not fit
    net = Network(4)
    a = net.add(0, 1, 2**31 + 7)
    b = net.add(1, 3, 2**40)
    c = net.add(0, 2, 3 * 10**18 + 1)
    d = net.add(2, 3, 3 * 10**18)
    assert net.max_flow(0, 3) == 2**31 + 7 + 3 * 10**18
    assert (net.flow(a), net.flow(b), net.flow(c), net.flow(d)) == (
        2**31 + 7,
        2**31 + 7,
        3 * 10**18,
        3 * 10**18,
    )
    # the min cut: what the source still reaches
    assert net.reachable(0) == [True, False, True, False]


def test_scipys_maximum_flow_is_not_enough_for_such_capacities() -> None:
    # why the module keeps its own: scipy refuses (or truncates) a capacity past int32
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import maximum_flow

    graph = csr_matrix(np.array([[0, 2**31 + 7], [0, 0]], dtype=np.int64))
    try:
        got = maximum_flow(graph, 0, 1).flow_value
    except (ValueError, TypeError, OverflowError):
        return
    assert got != 2**31 + 7


def test_a_feasible_flow_with_lower_bounds_past_binary64() -> None:
    big = 10**17 + 3  # not a binary64 number
    flows = feasible_flow(3, [(0, 2, big, None), (2, 1, 0, big)], 0, 1)
    assert flows == [big, big]
    assert feasible_flow(3, [(0, 2, big, None), (2, 1, 0, big - 1)], 0, 1) is None


def test_strongly_connected_components_group_the_cycles() -> None:
    labels = components(5, [0, 1, 1, 2, 3], [1, 0, 2, 3, 2]).tolist()
    assert labels[0] == labels[1] and labels[2] == labels[3]
    assert len({labels[0], labels[2], labels[4]}) == 3


@given(
    st.lists(st.integers(0, 10**6), min_size=1, max_size=30),
    st.integers(0, 10**15),
)
def test_split_in_proportion_is_the_exact_rule_at_any_scale(weights: list[int], total: int) -> None:
    got = split_in_proportion([total], np.array(weights, dtype=np.int64), np.array([len(weights)]))
    mass = sum(weights) or len(weights)
    w = weights if sum(weights) else [1] * len(weights)
    floors = [total * x // mass for x in w]
    rest = [total * x % mass for x in w]
    # the rule by hand, in integers: floors, then the largest remainders, ties to the earlier
    ranked = sorted(range(len(w)), key=lambda j: (-rest[j], j))
    want = floors[:]
    for j in ranked[: total - sum(floors)]:
        want[j] += 1
    assert got.tolist() == want
    assert sum(got.tolist()) == total


def test_remainder_order_is_exact_and_breaks_ties_by_position() -> None:
    third = Fraction(1, 3)
    quotas = [2 + third, Fraction(5, 1), 7 + third, Fraction(1, 2) + Fraction(1, 10**30)]
    assert remainder_order(quotas, Fraction(0)) == [3, 0, 2, 1]
    assert remainder_order(quotas, Fraction(1, 2)) == [0, 2, 3, 1]


def test_the_class_split_matches_the_integer_rule_at_10_15_steps() -> None:
    # targets that binary64 cannot divide exactly; one source each way
    targets = [10**15 + 1, 10**15 + 2, 3, 10**15 - 7]
    total = sum(targets)
    eligible = [[True, True, True, True], [False, True, True, False]]
    amounts = [total - 10**15, 10**15]
    solution = _solve(amounts, eligible, targets)
    assert not solution.conflicts
    assert [sum(col) for col in zip(*solution.units, strict=True)] == targets
    assert [sum(row) for row in solution.units] == amounts
    assert solution.units[1][0] == solution.units[1][3] == 0


@pytest.mark.parametrize("steps", [10**15, 10**15 + 1])
def test_pooled_sources_at_10_15_steps_are_exact(steps: int) -> None:
    table = fa.RegionTable.from_records(
        [
            {"地区": "甲县", "人口": 3, "乡": 1},
            {"地区": "乙县", "人口": 3, "乡": 0},
            {"地区": "丙县", "人口": 1, "乡": 2},
        ],
        id="地区",
    )
    factor = fa.Factor(name="人口", rule=fa.Share(column="人口"), weight=1)
    scheme = fa.Scheme(total=steps, tranches=[fa.Tranche(name="人口", share=1, factors=[factor])])
    part = steps // 3
    sources = [
        Source(name="省级", amount=steps - part),
        Source(name="部门", amount=part, eligibility=[fa.Condition(column="乡", op=">", value=0)]),
    ]
    result = allocate_sources(table, scheme, sources)
    assert result.exact
    assert sum(result.amounts.values()) == steps
    assert result.amounts == result.targets
    assert result.spent == {"省级": steps - part, "部门": part}
    assert result.paid["部门"]["乙县"] == 0
    # 3 : 3 : 1 of the total, by the one rule (ties to the smaller id: 丙 < 乙 < 甲)
    exact = {
        "甲县": Fraction(3 * steps, 7),
        "乙县": Fraction(3 * steps, 7),
        "丙县": Fraction(steps, 7),
    }
    assert all(abs(Fraction(result.amounts[r]) - exact[r]) < 1 for r in exact)
