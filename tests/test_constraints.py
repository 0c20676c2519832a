"""Constraints across regions: group floors, caps and ratios, solved exactly or by HiGHS."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import fundalloc as fa
from fundalloc.solvers import lp
from tests.strategies import Case, cases

pytest.importorskip("highspy")

IDS = ["甲市", "乙市", "丙市", "丁市", "戊县", "己县"]
TABLE = fa.RegionTable.from_columns(
    {
        "地区": IDS,
        "类型": ["市", "市", "市", "市", "县", "县"],
        "人口": [400, 300, 150, 100, 30, 20],
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
                factors=[fa.Factor(name="人口", rule=fa.Share(column="人口"), weight=1)],
            )
        ],
        **kwargs,  # type: ignore[arg-type]
    )


def amounts(result: fa.Allocation) -> dict[str, int]:
    return {k: int(v) for k, v in result.amounts.items()}


def test_a_binding_group_floor_scales_the_group_and_the_rest_proportionally() -> None:
    s = scheme(constraints=[fa.GroupFloor(name="县级不低于", where=COUNTIES, share=0.1)])
    for solver in ("auto", "exact", "highs"):
        r = fa.allocate(TABLE, s, solver=solver)
        got = amounts(r)
        # the counties' 50 of need are raised to 100 (×2); the cities share the other 900 (×0.947)
        assert got == {"甲市": 379, "乙市": 284, "丙市": 142, "丁市": 95, "戊县": 60, "己县": 40}
        assert sum(r.amounts.values()) == 1000
        item = r.breakdown["戊县"].items[-2]
        assert (item.stage, item.name) == ("group", "县级不低于")
        assert "组合约束（县级不低于，本组按自己的比例 ×2 调整）" in r.explain("戊县")
        assert "group constraint (县级不低于" in r.explain("戊县", lang="en")


def test_a_group_cap_and_a_group_that_does_not_bind() -> None:
    s = scheme(
        constraints=[
            fa.GroupCap(regions=["甲市", "乙市"], share=0.6),
            fa.GroupFloor(where=COUNTIES, amount=10),  # 50 already: not binding
        ]
    )
    r = fa.allocate(TABLE, s)
    got = amounts(r)
    assert got["甲市"] + got["乙市"] == 600 and sum(got.values()) == 1000
    assert r.breakdown["戊县"].items[-2].stage == "adjustment"
    assert r.breakdown["甲市"].items[-2].stage == "group"


def test_overlapping_groups_and_ratios_need_highs_and_hold_exactly() -> None:
    s = scheme(
        constraints=[
            fa.GroupFloor(where=COUNTIES, share=0.1),
            fa.GroupCap(regions=["甲市", "戊县"], amount=400),  # overlaps the counties
            fa.GroupRatio(regions=["丁市"], of_regions=["丙市"], at_least=0.8),
        ]
    )
    with pytest.raises(fa.SolverError, match="use solver='auto'"):
        fa.allocate(TABLE, s, solver="exact")
    r = fa.allocate(TABLE, s)
    got = amounts(r)
    assert sum(got.values()) == 1000
    assert got["戊县"] + got["己县"] >= 100
    assert got["甲市"] + got["戊县"] <= 400
    assert got["丁市"] >= 0.8 * got["丙市"]


def test_highs_and_cbc_give_the_same_amounts() -> None:
    s = scheme(
        constraints=[
            fa.GroupFloor(where=COUNTIES, share=0.1),
            fa.GroupCap(regions=["甲市", "戊县"], amount=400),
            fa.GroupRatio(regions=["丁市"], of_regions=["丙市"], at_least=0.8),
        ]
    )
    highs = fa.allocate(TABLE, s, solver="highs")
    if not lp.is_installed("cbc"):
        pytest.skip("CBC is not installed")
    cbc = fa.allocate(TABLE, s, solver="cbc")
    assert highs.amounts == cbc.amounts


def test_overlapping_groups_meet_the_optimality_conditions_worked_by_hand() -> None:
    s = scheme(
        constraints=[
            fa.GroupFloor(where=COUNTIES, share=0.1),
            fa.GroupCap(regions=["甲市", "戊县"], amount=400),
            fa.GroupRatio(regions=["丁市"], of_regions=["丙市"], at_least=0.8),
        ]
    )
    r = fa.allocate(TABLE, s)
    # All three rows bind here (checked below by the signs). Region i gets
    # t_i (1 + z_i / 2) with z_i = y0 + Σ ±y_k over the rows it is in, y0 for the total:
    # 甲 400(1 + (y0 − y2)/2), 乙 300(1 + y0/2), 丙 150(1 + (y0 − 0.8 y3)/2),
    # 丁 100(1 + (y0 + y3)/2), 戊 30(1 + (y0 + y1 − y2)/2), 己 20(1 + (y0 + y1)/2),
    # and the four binding equations are linear in y: Σ = 1000, 戊 + 己 = 100,
    # 甲 + 戊 = 400, 丁 − 0.8 丙 = 0.
    t = np.array([400, 300, 150, 100, 30, 20], dtype=float)  # 甲 乙 丙 丁 戊 己
    z = np.array(  # z_i as coefficients of (y0, y1, y2, y3)
        [[1, 0, -1, 0], [1, 0, 0, 0], [1, 0, 0, -0.8], [1, 0, 0, 1], [1, 1, -1, 0], [1, 1, 0, 0]]
    )
    rows = np.array(
        [[1, 1, 1, 1, 1, 1], [0, 0, 0, 0, 1, 1], [1, 0, 0, 0, 1, 0], [0, 0, -0.8, 1, 0, 0]]
    )
    goal = np.array([1000, 100, 400, 0])
    # rows @ (t + t z y / 2) = goal
    y = np.linalg.solve(rows @ (t[:, None] * z) / 2, goal - rows @ t)
    assert (y[1:] > 0).all()  # every row binds, with the sign of a binding floor or cap
    expected = t * (1 + z @ y / 2)
    by_id = dict(zip(r.trace.ids, r.trace.bounded, strict=True))
    got = np.array([by_id[k] for k in ["甲市", "乙市", "丙市", "丁市", "戊县", "己县"]])
    assert np.allclose(got, expected, rtol=1e-12, atol=1e-9)
    want = {"甲市": 342, "乙市": 306, "丙市": 140, "丁市": 112, "戊县": 58, "己县": 42}
    assert amounts(r) == want


def test_a_constraint_within_a_rounding_error_of_the_answer_still_rounds() -> None:
    # a third of 219 stored as the float 0.333… is 72.99999999999999: the county cap binds
    # at just under 73, so no region rounded down or up meets it and the total; the
    # rounding then moves one unit further, to the region nearest its quota
    table = fa.RegionTable.from_columns(
        {"地区": ["甲", "乙", "丙"], "类型": ["市", "市", "县"], "人口": [1, 0, 1]}, id="地区"
    )
    s = fa.Scheme(
        total=219,
        tranches=[
            fa.Tranche(
                name="因素",
                share=1,
                factors=[fa.Factor(name="人口", rule=fa.Share(column="人口"), weight=1)],
            )
        ],
        constraints=[fa.GroupCap(where=COUNTIES, share=1 / 3)],
    )
    r = fa.allocate(table, s)
    assert amounts(r) == {"丙": 72, "乙": 0, "甲": 147}


def test_a_group_floor_the_caps_cannot_reach_names_them() -> None:
    s = scheme(
        bounds=[fa.Cap(amount=40, where=COUNTIES)],
        constraints=[fa.GroupFloor(name="县级不低于", where=COUNTIES, share=0.1)],
    )
    with pytest.raises(
        fa.InfeasibleError,
        match="县级不低于: the group needs 100 万元 but the caps on 己县, 戊县 allow at most "
        "80 万元; short by 20 万元",
    ):
        fa.allocate(TABLE, s)


def test_conflicting_general_constraints_are_diagnosed_by_how_much() -> None:
    s = scheme(
        bounds=[fa.Floor(amount=100)],
        constraints=[
            fa.GroupCap(name="甲乙合计不高于", regions=["甲市", "乙市"], amount=150),
            fa.GroupFloor(regions=["乙市", "丙市"], amount=10),
        ],
    )
    with pytest.raises(
        fa.InfeasibleError,
        match="甲乙合计不高于: the group may get at most 150 万元 but the floors on 乙市, 甲市 "
        "need 200 万元; over by 50 万元",
    ):
        fa.allocate(TABLE, s)


def test_a_group_of_unknown_regions_or_no_regions() -> None:
    with pytest.raises(fa.DataError, match="not in the table; found 庚市"):
        fa.allocate(TABLE, scheme(constraints=[fa.GroupFloor(regions=["庚市"], amount=1)]))
    empty = [fa.Condition(column="类型", op="==", value="区")]
    with pytest.raises(fa.InfeasibleError, match="no region taking part is in the group"):
        fa.allocate(TABLE, scheme(constraints=[fa.GroupFloor(where=empty, amount=1)]))
    with pytest.raises(fa.SchemeError, match="name the group"):
        fa.GroupFloor(amount=1)
    with pytest.raises(fa.SchemeError, match="exactly one of amount or share"):
        fa.GroupCap(where=COUNTIES, amount=1, share=0.1)


def test_constraints_in_a_scheme_file(tmp_path: object) -> None:
    text = """
schema_version = 1
total = 1000
[[tranches]]
name = "因素"
share = 1
factors = [{ name = "人口", weight = 1, rule = { kind = "share", column = "人口" } }]
[[constraints]]
kind = "group_floor"
name = "县级不低于"
where = [{ column = "类型", op = "==", value = "县" }]
share = 0.1
"""
    from fundalloc.io.schemefile import loads_scheme

    loaded = loads_scheme(text, where="s.toml").scheme
    assert (
        loaded.constraints
        == scheme(
            constraints=[fa.GroupFloor(name="县级不低于", where=COUNTIES, share=0.1)]
        ).constraints
    )
    assert fa.load_scheme is not None and "group_floor" in fa.dump_scheme(loaded)


def _group_floor(case: Case, share: float) -> fa.Scheme:
    return case.scheme.replace(
        constraints=[
            fa.GroupFloor(where=[fa.Condition(column="grade", op="==", value="A")], share=share),
            fa.GroupCap(where=[fa.Condition(column="grade", op="==", value="C")], share=share),
        ]
    )


def _dual_tolerance(result: fa.Allocation) -> float:
    """1e-9 of the total, or 1e-14 times the spread of the positive targets when larger
    (the dual values grow with the spread and cancel in binary64)."""
    targets = result.trace.targets[result.trace.targets > 0]
    spread = float(targets.max() / targets.min()) if targets.size else 1.0
    return max(1e-9, 1e-14 * spread)


def _exact_units(result: fa.Allocation) -> int:
    return int(result.trace.units.sum())


@given(cases(), st.floats(0.05, 0.6))
def test_the_exact_group_path_is_the_quadratic_programme(case: Case, share: float) -> None:
    s = _group_floor(case, share)
    try:
        exact = fa.allocate(case.table, s, solver="exact")
    except fa.InfeasibleError:
        assume(False)
        return
    try:
        qp = fa.allocate(case.table, s, solver="highs")
    except fa.SolverError:
        # the documented limit of the general path (docs/constraints.md, Limits): a region
        # that must get more than 1e13 times its formula amount
        positive = exact.trace.targets > 0
        assume(float(np.max(exact.trace.bounded[positive] / exact.trace.targets[positive])) > 1e13)
        return
    total = float(s.total)
    # the dual method's answer is the exact path's to floating-point error, which grows
    # with the spread of the targets (see the docstring of solvers.qp.solve_rows)
    tolerance = _dual_tolerance(exact)
    assert np.allclose(exact.trace.bounded, qp.trace.bounded, rtol=0, atol=tolerance * total)
    for r in (exact, qp):
        assert _exact_units(r) == s.total_units
        grades = case.table.text("grade")
        by_id = dict(zip(case.table.ids, grades, strict=True))
        a = sum(v for k, v in r.amounts.items() if by_id[k] == "A")
        c = sum(v for k, v in r.amounts.items() if by_id[k] == "C")
        limit = s.total * Decimal(repr(share))
        assert a >= limit or not any(g == "A" for g in grades)
        assert c <= limit


@given(cases())
def test_the_general_path_agrees_with_the_exact_solver_on_per_region_bounds(case: Case) -> None:
    exact = fa.allocate(case.table, case.scheme)
    qp = fa.allocate(case.table, case.scheme, solver="highs")
    total = float(case.scheme.total)
    tolerance = _dual_tolerance(exact)
    assert np.allclose(exact.trace.bounded, qp.trace.bounded, rtol=0, atol=tolerance * total)
    assert sum(qp.amounts.values()) == case.scheme.total
    step = case.scheme.step
    assert all(abs(exact.amounts[k] - qp.amounts[k]) <= step for k in exact.amounts)


@given(cases(), st.randoms())
def test_row_order_does_not_matter_with_constraints(case: Case, rnd: object) -> None:
    s = _group_floor(case, 0.2)
    try:
        first = fa.allocate(case.table, s)
    except fa.InfeasibleError:
        assume(False)
        return
    rows = list(case.rows)
    rnd.shuffle(rows)  # type: ignore[attr-defined]
    again = fa.allocate(fa.RegionTable.from_records(rows, id="id"), s)
    assert first.amounts == again.amounts


@pytest.mark.parametrize("backend", ["highs", "cbc"])
def test_each_lp_backend_solves_a_small_integer_programme(backend: str) -> None:
    if not lp.is_installed(backend):
        pytest.skip(f"{backend} is not installed")
    # minimise -x0 - 2 x1 with x0 + x1 <= 1.5, whole x in [0, 1]: x = (0, 1); pytest's
    # -W error also catches any deprecation warning from the modelling layer
    program = lp.LinearProgram(
        cost=np.array([-1.0, -2.0]),
        col_lower=np.zeros(2),
        col_upper=np.ones(2),
        rows=[np.ones(2)],
        row_lower=[-np.inf],
        row_upper=[1.5],
        integer=True,
    )
    status, x = lp.solve_lp(program, backend)
    assert status == "optimal" and np.rint(x).tolist() == [0.0, 1.0]
