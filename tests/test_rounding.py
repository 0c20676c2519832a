from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import fundalloc as fa
from fundalloc.rounding import DIVISORS, round_units
from tests.strategies import Units, unit_problems

METHODS = ["largest_remainder", *DIVISORS]


def rnd(
    exact: list[float],
    total: int,
    method: str = "largest_remainder",
    lower: list[int] | None = None,
    upper: list[int] | None = None,
) -> list[int]:
    n = len(exact)
    lo = np.array(lower or [0] * n, np.int64)
    hi = np.array(upper or [total] * n, np.int64)
    return round_units(
        np.array(exact, float), np.array(exact, float), total, lo, hi, method
    ).units.tolist()


def test_largest_remainder_classic() -> None:
    # 10 seats, quotas 4.6, 3.3, 2.1: floors 4, 3, 2 and the last seat to the largest remainder
    assert rnd([4.6, 3.3, 2.1], 10) == [5, 3, 2]


def test_divisor_methods_on_a_small_case() -> None:
    weights = [5.6, 3.4, 1.0]  # quotas for 10 seats
    assert rnd(weights, 10, "jefferson") == [6, 3, 1]  # λ = 1.1: 6.16, 3.74, 1.1 rounded down
    assert rnd(weights, 10, "webster") == [6, 3, 1]  # λ = 1: 5.6, 3.4, 1.0 rounded half up
    assert rnd(weights, 10, "adams") == [5, 4, 1]  # λ = 0.885: 4.96, 3.01, 0.89 rounded up


def test_signpost_ties_follow_the_tie_rule() -> None:
    # 5.5 and 3.5 sit exactly on Webster's signposts: equal claims, larger weight first
    assert rnd([5.5, 3.5, 1.0], 10, "webster") == [6, 3, 1]


def test_huntington_hill_and_adams_give_everyone_one() -> None:
    assert min(rnd([100, 100, 0.001], 5, "huntington_hill")) == 1
    assert min(rnd([100, 100, 0.001], 5, "adams")) == 1
    assert rnd([100, 100, 0.001], 5, "jefferson")[2] == 0


def test_bounds_hold() -> None:
    assert rnd([8.0, 1.0, 1.0], 10, lower=[0, 2, 2]) == [6, 2, 2]
    assert rnd([8.0, 1.0, 1.0], 10, "webster", upper=[5, 10, 10]) == [5, 3, 2] or rnd(
        [8.0, 1.0, 1.0], 10, "webster", upper=[5, 10, 10]
    ) == [5, 2, 3]


def test_ties_are_broken_by_exact_amount_then_id_and_reported() -> None:
    r = round_units(
        np.array([1.5, 1.5, 2.0]),
        np.array([1.5, 1.5, 2.0]),
        5,
        np.zeros(3, np.int64),
        np.full(3, 5, np.int64),
    )
    assert r.units.tolist() == [2, 1, 2]
    assert (r.ties[0].winners, r.ties[0].losers) == ((0,), (1,))


def test_half_up_reports_the_residual() -> None:
    r = round_units(
        np.array([1.5, 1.5, 2.0]),
        np.array([1.5, 1.5, 2.0]),
        5,
        np.zeros(3, np.int64),
        np.full(3, 5, np.int64),
        "half_up",
    )
    assert r.units.tolist() == [2, 2, 2] and r.unallocated == -1


def test_infeasible_unit_bounds() -> None:
    with pytest.raises(fa.InfeasibleError, match="cannot hold 5 units"):
        rnd([1, 1], 5, upper=[2, 2])


def test_unknown_method() -> None:
    with pytest.raises(fa.SchemeError, match="unknown rounding method 'bankers'"):
        rnd([1.0], 1, "bankers")


@given(unit_problems(), st.sampled_from(METHODS))
def test_exact_total_and_bounds(p: Units, method: str) -> None:
    r = round_units(p.exact, p.weights, p.total, p.lower, p.upper, method)
    assert int(r.units.sum()) == p.total
    assert (r.units >= p.lower).all() and (r.units <= p.upper).all()


@given(unit_problems())
def test_largest_remainder_stays_within_one_unit(p: Units) -> None:
    r = round_units(p.exact, p.weights, p.total, p.lower, p.upper)
    assert (np.abs(r.units - p.exact) < 1 + 1e-9).all()


@given(unit_problems(), st.sampled_from(list(DIVISORS)))
def test_divisor_methods_are_house_monotone(p: Units, method: str) -> None:
    if p.total >= int(np.where(p.weights > 0, p.upper, p.lower).sum()):
        return  # no room for one more unit
    now = round_units(p.exact, p.weights, p.total, p.lower, p.upper, method).units
    more = round_units(p.exact, p.weights, p.total + 1, p.lower, p.upper, method).units
    assert (more >= now).all()


@given(unit_problems(), st.sampled_from(list(DIVISORS)))
def test_divisor_methods_match_the_one_at_a_time_definition(p: Units, method: str) -> None:
    """Hand out units one by one to the largest priority w / d(s): the textbook definition."""
    signpost = DIVISORS[method]
    units = p.lower.copy()
    positive = p.weights > 0
    units[~positive] = p.lower[~positive]
    for _ in range(p.total - int(units.sum())):
        with np.errstate(divide="ignore", invalid="ignore"):
            priority = np.where(
                positive & (units < p.upper), p.weights / signpost(units.astype(float)), -np.inf
            )
        best = np.flatnonzero(priority == priority.max())
        if priority.max() == -np.inf:
            return  # only zero-weight regions have room; the vectorised method refuses too
        units[best[np.lexsort((best, -p.weights[best]))[0]]] += 1
    r = round_units(p.exact, p.weights, p.total, p.lower, p.upper, method).units
    assert r.tolist() == units.tolist()


def test_apportion_is_order_free_and_bounded() -> None:
    weights = {"丙": 1.0, "甲": 5.5, "乙": 3.5}
    assert fa.apportion(weights, 10) == {"丙": 1, "甲": 6, "乙": 3}
    assert list(fa.apportion(weights, 10)) == ["丙", "甲", "乙"]
    assert fa.apportion(dict(reversed(weights.items())), 10) == fa.apportion(weights, 10)
    assert fa.apportion(weights, 10, minimum={"丙": 3}) == {"丙": 3, "甲": 4, "乙": 3}
    assert fa.apportion(weights, 10, maximum=5, method="jefferson")["甲"] == 5


def test_apportion_rejects_bad_input() -> None:
    with pytest.raises(fa.DataError, match="乙: expected a finite weight >= 0; found -1"):
        fa.apportion({"甲": 1, "乙": -1}, 3)
    with pytest.raises(fa.SchemeError, match="half_up does not"):
        fa.apportion({"甲": 1}, 3, method="half_up")
    with pytest.raises(fa.InfeasibleError):
        fa.apportion({"甲": 1, "乙": 1}, 3, maximum=1)


def test_adams_with_fewer_units_than_regions_follows_the_tie_rule() -> None:
    weights = {f"r{i:03d}": 1.0 + i / 1000 for i in range(300)}
    result = fa.apportion(weights, 100, method="adams")
    assert sum(result.values()) == 100
    assert [k for k, v in result.items() if v] == [f"r{i:03d}" for i in range(200, 300)]


def test_apportion_validates_its_numbers() -> None:
    with pytest.raises(fa.SchemeError, match="expected a whole number of items"):
        fa.apportion({"a": 1.0}, 10.5)  # type: ignore[arg-type]
    with pytest.raises(fa.SchemeError, match="a minimum must be >= 0"):
        fa.apportion({"a": 1.0, "b": 1.0}, 4, minimum={"a": -1})
