"""The trace records, once, why each region holds its amount (the solver decides it) and
the raw shares and weights of every factor."""

from __future__ import annotations

import numpy as np
import pytest

import fundalloc as fa
from fundalloc.trace import Hold

IDS = ["甲市", "乙市", "丙市", "丁市", "戊县", "己县"]
TABLE = fa.RegionTable.from_columns(
    {
        "地区": IDS,
        "类型": ["市", "市", "市", "市", "县", "县"],
        "人口": [400, 300, 150, 100, 30, 20],
        "村": [1, 2, 3, 4, 5, 6],
    },
    id="地区",
)
COUNTIES = [fa.Condition(column="类型", op="==", value="县")]


def scheme(**kwargs: object) -> fa.Scheme:
    return fa.Scheme(
        total=1000,
        tranches=[
            fa.Tranche(
                name="因素",
                share=1,
                factors=[
                    fa.Factor(name="人口", rule=fa.Share(column="人口"), weight=0.75),
                    fa.Factor(name="村", rule=fa.Share(column="村"), weight=0.25),
                ],
            )
        ],
        **kwargs,  # type: ignore[arg-type]
    )


def holds(result: fa.Allocation) -> dict[str, tuple[str, int]]:
    trace = result.trace
    return {
        region: (Hold(int(code)).name, int(by))
        for region, code, by in zip(trace.ids, trace.holds, trace.held_by, strict=True)
    }


def test_floor_cap_free_and_excluded_are_recorded_with_what_holds_them() -> None:
    s = scheme(
        bounds=[fa.Floor(amount=1), fa.Floor(amount=150, where=COUNTIES), fa.Cap(amount=300)],
        eligibility=[fa.Condition(column="人口", op=">", value=20)],
    )
    r = fa.allocate(TABLE, s)
    assert r.trace.holds.dtype == np.int8 and r.trace.held_by.dtype == np.intp
    assert holds(r) == {
        "甲市": ("CAP", 2),
        "乙市": ("FREE", -1),
        "丙市": ("FREE", -1),
        "丁市": ("FREE", -1),
        "戊县": ("FLOOR", 1),
        "己县": ("EXCLUDED", 0),
    }


@pytest.mark.parametrize("solver", ["auto", "exact", "highs"])
def test_a_binding_group_is_recorded_with_its_row_on_every_path(solver: str) -> None:
    s = scheme(
        bounds=[fa.Cap(amount=330)],
        constraints=[
            fa.GroupCap(name="市", regions=["丙市", "丁市"], amount=200),
            fa.GroupFloor(name="县", where=COUNTIES, share=0.2),
        ],
    )
    r = fa.allocate(TABLE, s, solver=solver)
    assert holds(r) == {
        "甲市": ("CAP", 0),
        "乙市": ("FREE", -1),
        "丙市": ("GROUP", 0),
        "丁市": ("GROUP", 0),
        "戊县": ("GROUP", 1),
        "己县": ("GROUP", 1),
    }
    assert r.trace.row_labels[1] == "县"


def test_overlapping_groups_on_the_general_path_name_their_rows() -> None:
    s = scheme(
        constraints=[
            fa.GroupFloor(name="南", regions=["丁市", "戊县"], amount=200),
            fa.GroupCap(name="北", regions=["戊县", "己县"], amount=90),
        ],
    )
    r = fa.allocate(TABLE, s)
    got = holds(r)
    assert got["丁市"] == ("GROUP", 0) and got["甲市"] == ("FREE", -1)


def test_the_raw_shares_and_weights_of_each_factor_are_kept() -> None:
    r = fa.allocate(TABLE, scheme())
    (leaf,) = r.trace.leaves
    assert leaf.weights.tolist() == [0.75, 0.25]
    people = np.array([400, 300, 150, 100, 30, 20])[np.argsort(IDS)]
    assert leaf.shares[0] == pytest.approx(people / people.sum())
    assert leaf.shares.sum(axis=1) == pytest.approx([1.0, 1.0])
    assert leaf.contributions == pytest.approx(1000 * leaf.weights[:, None] * leaf.shares)


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("solver", ["auto", "highs"])
def test_what_the_trace_says_holds_each_region_is_true(seed: int, solver: str) -> None:
    rng = np.random.default_rng(seed)
    n = 12
    table = fa.RegionTable.from_columns(
        {
            "地区": [f"r{i:02d}" for i in range(n)],
            "x": rng.integers(0, 40, n).astype(float) + (rng.random(n) < 0.85),
            "kind": rng.choice(["a", "b"], n).tolist(),
        },
        id="地区",
    )
    s = fa.Scheme(
        total=600,
        tranches=[
            fa.Tranche(
                name="T",
                share=1,
                factors=[fa.Factor(name="x", rule=fa.Share(column="x"), weight=1)],
            )
        ],
        bounds=[
            fa.Floor(amount=int(rng.integers(5, 25))),
            fa.Cap(
                amount=int(rng.integers(60, 120)),
                where=[fa.Condition(column="kind", op="==", value="a")],
            ),
        ],
    )
    try:
        result = fa.allocate(table, s, solver=solver)
    except fa.InfeasibleError:
        pytest.skip("the drawn bounds cannot hold the total")
    trace, limits = result.trace, result.trace.limits
    holds, by = trace.holds, trace.held_by
    floor, cap, free = holds == Hold.FLOOR, holds == Hold.CAP, holds == Hold.FREE
    assert ((holds == Hold.EXCLUDED) == ~trace.taking_part).all()
    assert trace.bounded[floor] == pytest.approx(limits.lower[floor], rel=1e-9)
    assert (by[floor] == limits.lower_from[floor]).all()
    assert trace.bounded[cap] == pytest.approx(limits.upper[cap], rel=1e-9)
    assert (by[cap] == limits.upper_from[cap]).all()
    scaled = trace.multiplier * trace.targets[free]
    assert trace.bounded[free] == pytest.approx(scaled, rel=1e-9, abs=1e-9)
    assert (by[free] == -1).all()
