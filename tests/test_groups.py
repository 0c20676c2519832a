"""The vectorised parts of the exact group path, checked against the plain definitions.

:func:`group_multipliers` finds every group's multiplier with one sort instead of a run
of the exact solver per group, :func:`round_by_groups` rounds every group's members at
once instead of calling :func:`round_units` per group, and :func:`broken_rows` checks
group totals in integers: each must give what the per-group definition gives.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import fundalloc as fa
from fundalloc.constraints import Row, broken_rows
from fundalloc.rounding import round_units
from fundalloc.solvers.exact import BoundedProblem, solve_proportional
from fundalloc.solvers.groups import GroupBox, group_multipliers, round_by_groups


def _groups(draw: st.DrawFn, n: int) -> list[np.ndarray]:
    """Non-overlapping groups of the n regions (some regions in none, groups may be empty)."""
    label = draw(st.lists(st.integers(-1, 3), min_size=n, max_size=n))
    return [np.flatnonzero(np.array(label) == g) for g in range(4)]


_amounts = st.one_of(st.just(0.0), st.integers(0, 50).map(float), st.floats(0.01, 1e4))


@st.composite
def reaching(draw: st.DrawFn) -> tuple[BoundedProblem, list[np.ndarray], np.ndarray]:
    n = draw(st.integers(1, 12))
    t = np.array(draw(st.lists(_amounts, min_size=n, max_size=n)))
    lo = np.array(draw(st.lists(_amounts, min_size=n, max_size=n))) / 10
    room = np.array(draw(st.lists(st.one_of(st.just(np.inf), _amounts), min_size=n, max_size=n)))
    hi = lo + room
    groups, bounds = [], []
    for m in _groups(draw, n):
        floors = float(lo[m].sum())
        reach = float(np.where(t[m] > 0, hi[m], lo[m]).sum())
        if not m.size or reach <= floors * (1 + 1e-9):
            continue
        top = min(reach, floors + 1e5)
        bounds.append(floors + draw(st.floats(0.01, 0.99)) * (top - floors))
        groups.append(m)
    return BoundedProblem(t, lo, hi, 0.0), groups, np.array(bounds)


@given(reaching())
def test_group_multipliers_give_each_group_its_bound(
    case: tuple[BoundedProblem, list[np.ndarray], np.ndarray],
) -> None:
    problem, groups, bounds = case
    found = group_multipliers(problem, groups, bounds)
    for m, bound, lam in zip(groups, bounds, found, strict=True):
        t, lo, hi = problem.targets[m], problem.lower[m], problem.upper[m]
        reached = float(np.where(t > 0, np.clip(lam * t, lo, hi), lo).sum())
        assert reached == pytest.approx(bound, rel=1e-9, abs=1e-9)
        alone = solve_proportional(BoundedProblem(t, lo, hi, float(bound)))
        assert np.allclose(np.clip(lam * t, lo, hi), alone.amounts, rtol=1e-9, atol=1e-9)


def test_a_large_group_does_not_spoil_a_small_one_after_it() -> None:
    # the breakpoints' running sums cross groups: 1e12 in the first group once left the
    # second (targets 1e-5) at a total of 0 instead of its bound of 1
    p = BoundedProblem(np.array([1e12, 1e-5, 1e-5]), np.zeros(3), np.full(3, np.inf), 0.0)
    lam = group_multipliers(p, [np.array([0]), np.array([1, 2])], np.array([2e12, 1.0]))
    assert lam[0] == 2.0 and lam[1] * 2e-5 == pytest.approx(1.0, rel=1e-12)


def test_group_multipliers_with_no_groups_or_no_moving_region() -> None:
    p = BoundedProblem(np.zeros(2), np.ones(2), np.full(2, 5.0), 0.0)
    assert group_multipliers(p, [], np.empty(0)).size == 0
    assert group_multipliers(p, [np.array([0, 1])], np.array([2.0])).tolist() == [0.0]


def _reference(
    quotas: np.ndarray,
    targets: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    shares: list[int],
    boxes: list[GroupBox],
) -> tuple[list[int], list[tuple[tuple[int, ...], tuple[int, ...]]]]:
    """Each group's members rounded by round_units on its own (the definition)."""
    units = np.zeros(len(quotas), dtype=np.int64)
    ties = []
    upper = np.where(targets > 0, upper, lower)
    for box, share in zip(boxes, shares, strict=True):
        m = box.members
        inner = round_units(quotas[m], targets[m], share, lower[m], upper[m])
        units[m] = inner.units
        ties += [
            (tuple(int(m[i]) for i in tie.winners), tuple(int(m[i]) for i in tie.losers))
            for tie in inner.ties
        ]
    return units.tolist(), ties


@st.composite
def roundings(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list]:
    """Quotas (quarters and thirds make exact ties and near ties at the cut), targets
    (some zero), bounds around the quotas and non-overlapping groups."""
    n = draw(st.integers(1, 14))
    quotas = np.array(
        draw(
            st.lists(
                st.one_of(
                    st.integers(0, 40).map(lambda k: k / 4),
                    st.integers(0, 30).map(lambda k: k / 3),
                    st.floats(0, 10),
                ),
                min_size=n,
                max_size=n,
            )
        )
    )
    positive = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    targets = np.where(np.array(positive), quotas, 0.0)
    lower = np.maximum(np.floor(quotas).astype(np.int64) - draw(st.integers(0, 1)), 0)
    upper = np.ceil(quotas).astype(np.int64) + draw(st.integers(0, 1))
    return quotas, targets, lower, upper, _groups(draw, n)


@given(roundings())
def test_round_by_groups_rounds_each_group_as_round_units_does(case: tuple) -> None:
    quotas, targets, lower, upper, groups = case
    boxes = [GroupBox(m) for m in groups if m.size]
    held = np.where(targets > 0, upper, lower)
    total = min(max(round(float(quotas.sum())), int(lower.sum())), int(held.sum()))
    result = round_by_groups(quotas, targets, lower, upper, total, boxes, [], Fraction(1))
    assert int(result.units.sum()) == total
    assert np.all((result.units >= lower) & (result.units <= held))
    # given each group's total, its members are rounded as round_units rounds them alone
    shares = [int(result.units[b.members].sum()) for b in boxes]
    units, ties = _reference(quotas, targets, lower, upper, shares, boxes)
    inside = np.concatenate([b.members for b in boxes] or [np.empty(0, dtype=np.int64)])
    assert result.units[inside].tolist() == np.array(units)[inside].tolist()
    grouped = set(inside.tolist())  # ties between regions in no group: tested below
    assert [(t.winners, t.losers) for t in result.ties if grouped >= {*t.winners}] == ties


def _row(members: list[int], n: int, lower: Fraction | None, upper: Fraction | None) -> Row:
    label = f"{members} in [{lower}, {upper}]"
    return Row(((Fraction(1), np.array(members, dtype=np.int64)),), lower, upper, 0, label, n)


@given(
    st.lists(st.integers(0, 50), min_size=1, max_size=8),
    st.lists(st.tuples(st.integers(0, 400), st.integers(1, 40)), min_size=2, max_size=2),
    st.sampled_from([Fraction(1), Fraction(1, 100), Fraction(10), Fraction(3, 7)]),
)
def test_group_totals_are_checked_exactly(
    units: list[int], bounds: list[tuple[int, int]], step: Fraction
) -> None:
    n = len(units)
    lower, upper = (Fraction(a, b) * step * 3 for a, b in bounds)
    rows = [_row(list(range(0, n, 2)), n, lower, None), _row(list(range(n)), n, None, upper)]
    value = [step * sum(units[0:n:2]), step * sum(units)]
    holds = [value[0] >= lower, value[1] <= upper]
    expected = [r.label for r, ok in zip(rows, holds, strict=True) if not ok]
    assert broken_rows(rows, units, step) == expected


def test_a_table_taken_from_another_reuses_its_codes() -> None:
    table = fa.RegionTable.from_columns(
        {"id": ["a", "b", "c", "d"], "city": ["x", "y", "x", " z "]}, id="id"
    )
    codes, lookup = table.codes("city")
    assert codes.tolist() == [0, 1, 0, 2] and lookup == {"x": 0, "y": 1, "z": 2}
    order = np.array([3, 0], dtype=np.intp)
    taken = table.take(order)
    assert taken.codes("city")[0].tolist() == [2, 0]
    order[0] = 1  # the caller's array is still the caller's

    tests = {
        ("==", "z"): [True, False],
        ("!=", "x"): [True, False],
        ("in", ("x", "w")): [False, True],
        ("not in", ("x", "w")): [True, False],
        ("==", "w"): [False, False],
    }
    for (op, value), want in tests.items():
        assert fa.Condition(column="city", op=op, value=value).test(taken).tolist() == want


def test_a_tie_between_regions_in_no_group_is_reported() -> None:
    # regions 0 and 1 (in no group) tie for the last unit: region 0 wins, and it is said
    quotas = np.array([1.5, 1.5, 2.0, 2.0])
    bounds = np.zeros(4, dtype=np.int64), np.full(4, 5, dtype=np.int64)
    result = round_by_groups(
        quotas, quotas, *bounds, 7, [GroupBox(np.array([2, 3]))], [], Fraction(1)
    )
    assert result.units.tolist() == [2, 1, 2, 2]
    assert [(t.winners, t.losers) for t in result.ties] == [((0,), (1,))]
