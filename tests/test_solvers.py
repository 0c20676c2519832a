from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import fundalloc as fa
from fundalloc.solvers import SOLVERS, get_solver
from fundalloc.solvers.exact import BoundedProblem, solve_proportional


def solve(
    t: list[float], lo: list[float], hi: list[float], total: float
) -> tuple[np.ndarray, float]:
    s = solve_proportional(
        BoundedProblem(np.array(t, float), np.array(lo, float), np.array(hi, float), total)
    )
    return s.amounts, s.multiplier


def test_no_bound_binding_is_plain_scaling() -> None:
    a, lam = solve([10, 20, 70], [0, 0, 0], [np.inf] * 3, 200)
    assert a.tolist() == pytest.approx([20, 40, 140]) and lam == pytest.approx(2)


def test_floor_is_funded_by_proportional_reduction() -> None:
    a, lam = solve([10, 40, 50], [30, 0, 0], [np.inf] * 3, 100)
    assert lam == pytest.approx(70 / 90)
    assert a.tolist() == pytest.approx([30, 40 * 70 / 90, 50 * 70 / 90])


def test_cap_is_redistributed() -> None:
    a, lam = solve([10, 40, 50], [0, 0, 0], [np.inf, np.inf, 40], 100)
    assert a.tolist() == pytest.approx([12, 48, 40]) and lam == pytest.approx(1.2)


def test_differs_from_fix_and_renormalise_once() -> None:
    # Fix a at its floor of 20 and renormalise once: b gets 80 · 28/90 = 24.89, below its own
    # floor of 25. The exact rule also floors b and scales c alone: λ = 55/62.
    a, lam = solve([10, 28, 62], [20, 25, 0], [np.inf] * 3, 100)
    assert a.tolist() == pytest.approx([20, 25, 55]) and lam == pytest.approx(55 / 62)


def test_zero_targets_sit_at_their_floor() -> None:
    a, _ = solve([0, 10, 10], [5, 0, 0], [np.inf] * 3, 25)
    assert a.tolist() == pytest.approx([5, 10, 10])


def test_all_zero_targets_need_floors_that_make_the_total() -> None:
    a, _ = solve([0, 0], [5, 5], [np.inf] * 2, 10)
    assert a.tolist() == [5, 5]
    with pytest.raises(fa.InfeasibleError, match="no region has a positive formula amount"):
        solve([0, 0], [5, 5], [np.inf] * 2, 11)


@given(st.data())
def test_solution_sums_and_respects_bounds(data: st.DataObject) -> None:
    n = data.draw(st.integers(1, 40))
    # targets of 0 or at least 1e-6: real data never needs multipliers beyond binary64
    t = np.array(
        data.draw(st.lists(st.one_of(st.just(0.0), st.floats(1e-6, 1e6)), min_size=n, max_size=n))
    )
    t[0] += 1
    lo = np.array(data.draw(st.lists(st.floats(0, 100), min_size=n, max_size=n)))
    hi = lo + np.array(data.draw(st.lists(st.floats(0, 1e4), min_size=n, max_size=n)))
    total = data.draw(st.floats(float(lo.sum()), float(np.where(t > 0, hi, lo).sum())))
    s = solve_proportional(BoundedProblem(t, lo, hi, total))
    assert s.amounts.sum() == pytest.approx(total, rel=1e-9, abs=1e-6)
    assert (s.amounts >= lo - 1e-9).all() and (s.amounts <= hi + 1e-9).all()
    free = (s.amounts > lo + 1e-7) & (s.amounts < hi - 1e-7)
    assert s.amounts[free] == pytest.approx(s.multiplier * t[free], rel=1e-9)  # one common λ


def test_extreme_targets_fail_loudly_not_silently() -> None:
    with pytest.raises(fa.SolverError, match="too many orders of magnitude"):
        solve([1e-308, 9e5, 9e5], [0, 0, 0], [2342, 10, 10], 2000)


def test_widely_spread_targets_are_still_exact() -> None:
    a, _ = solve([1.0, 3.77, 4e-123, 771296], [0, 0, 0, 0], [0, 28, 10000, 9769], 19797)
    assert a.tolist() == pytest.approx([0, 28, 10000, 9769])


def test_registry() -> None:
    assert get_solver("auto") is SOLVERS["exact"] and SOLVERS["exact"].is_installed()
    with pytest.raises(
        fa.SolverError, match="unknown solver 'gurobi'; expected one of: auto, exact"
    ):
        get_solver("gurobi")


def test_bounds_that_cannot_hold_say_which_numbers() -> None:
    # the solver's own last word, for callers that skip the checks: never "cannot hold the
    # total (100): the amounts reach 90", which contradicts itself when a floor is above a cap
    def why(lower: list[float], upper: list[float]) -> str:
        problem = BoundedProblem(np.array([1.0, 1.0]), np.array(lower), np.array(upper), 100.0)
        with pytest.raises(fa.InfeasibleError) as err:
            solve_proportional(problem)
        return str(err.value)

    assert why([0, 70], [100, 60]) == (
        "region 1 (of 2, in the order given) has a floor of 70 above its cap of 60"
    )
    assert why([60, 60], [100, 100]) == "the floors add up to 120 but the total is 100"
    assert why([0, 0], [30, 30]) == (
        "the caps add up to 60 (regions with a zero target held at their floors) but the total "
        "is 100"
    )


def test_the_solvers_last_word_in_chinese() -> None:
    problem = BoundedProblem(
        np.array([1.0, 1.0]), np.array([0.0, 70]), np.array([100.0, 60]), 100.0
    )
    with pytest.raises(fa.InfeasibleError) as err:
        solve_proportional(problem)
    assert err.value.render("zh") == "第 1 个地区（共 2 个，按给定顺序）的保底 70 高于其封顶 60"
    with pytest.raises(fa.SolverError) as spread:
        solve([1e-308, 9e5, 9e5], [0, 0, 0], [2342, 10, 10], 2000)
    assert spread.value.render("zh").startswith("因素测算额跨越的数量级太多")
