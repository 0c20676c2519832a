from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

import fundalloc as fa
from fundalloc.bounds import check_feasible, combine

ALL = np.ones(3, dtype=bool)


def table() -> fa.RegionTable:
    return fa.RegionTable.from_columns(
        {
            "id": ["a", "b", "c"],
            "pop": [10, 20, 30],
            "last": [50, 40, 10],
            "kind": ["市", "县", "市"],
        },
        id="id",
    )


def test_floor_and_cap_kinds() -> None:
    t = table()
    assert fa.Floor(amount=5).values(t, Decimal(100), ALL).tolist() == [5, 5, 5]
    assert fa.Cap(share=0.25).values(t, Decimal(100), ALL).tolist() == [25, 25, 25]
    assert fa.Floor(per="pop", rate=0.5).values(t, Decimal(100), ALL).tolist() == [5, 10, 15]
    assert fa.HoldHarmless(column="last", ratio=0.9).values(t, Decimal(100), ALL).tolist() == [
        45,
        36,
        9,
    ]
    assert fa.GrowthCap(column="last", ratio=1.2).values(
        t, Decimal(100), ALL
    ).tolist() == pytest.approx([60, 48, 12])


def test_limit_needs_exactly_one_kind() -> None:
    with pytest.raises(fa.SchemeError, match="exactly one of amount, share or per"):
        fa.Floor(amount=1, share=0.1)
    with pytest.raises(fa.SchemeError, match="per and rate go together"):
        fa.Floor(share=0.1, rate=2)
    with pytest.raises(fa.SchemeError, match="greater than or equal to 0"):
        fa.Cap(amount=-1)


def test_combine_takes_largest_floor_smallest_cap_and_where() -> None:
    limits = combine(
        [
            fa.Floor(amount=5),
            fa.Floor(amount=8, where=[fa.Condition(column="kind", op="==", value="县")]),
            fa.Cap(amount=30),
            fa.Cap(amount=20, where=[fa.Condition(column="pop", op=">", value=25)]),
        ],
        table(),
        Decimal(100),
        ALL,
    )
    assert limits.lower.tolist() == [5, 8, 5] and limits.lower_from.tolist() == [0, 1, 0]
    assert limits.upper.tolist() == [30, 30, 20] and limits.upper_from.tolist() == [2, 2, 3]


def test_regions_not_taking_part_are_held_at_zero() -> None:
    limits = combine([fa.Floor(amount=5)], table(), Decimal(100), np.array([True, False, True]))
    assert limits.lower.tolist() == [5, 0, 5] and limits.upper.tolist() == [np.inf, 0, np.inf]


def test_infeasible_messages_name_the_numbers() -> None:
    limits = combine([fa.Floor(amount=1400)], table(), Decimal(3717), ALL)
    with pytest.raises(
        fa.InfeasibleError, match="the floors add up to 4,200 万元 but the total is 3,717 万元"
    ):
        check_feasible(limits, ["a", "b", "c"], Decimal(3717), "万元", np.ones(3))
    limits = combine([fa.Floor(amount=10), fa.Cap(per="pop", rate=0.5)], table(), Decimal(30), ALL)
    with pytest.raises(fa.InfeasibleError) as err:
        check_feasible(limits, ["a", "b", "c"], Decimal(30), "万元", np.ones(3))
    assert str(err.value) == (
        "a: the cap 5 万元 (from cap 0.5 万元 per pop) is below the floor 10 万元 "
        "(from floor 10 万元)"
    )
    limits = combine([fa.Cap(amount=10)], table(), Decimal(31), ALL)
    with pytest.raises(
        fa.InfeasibleError, match="the caps add up to 30 万元 but the total is 31 万元"
    ):
        check_feasible(limits, ["a", "b", "c"], Decimal(31), "万元", np.ones(3))
    with pytest.raises(
        fa.InfeasibleError,
        match=r"the caps add up to 20 万元 \(counting the 1 regions with a "
        "zero formula amount at their floor",
    ):
        check_feasible(limits, ["a", "b", "c"], Decimal(25), "万元", np.array([1.0, 0.0, 1.0]))


def test_labels_are_readable() -> None:
    assert fa.Floor(amount=Decimal("86.7")).label("万元") == "floor 86.7 万元"
    assert fa.HoldHarmless(column="上年", ratio=0.95).label("万元") == "at least 95% of 上年"
    assert fa.Cap(name="封顶", share=0.2).label("万元") == "封顶"
