"""The invariants of allocate, over problems Hypothesis builds (tests/strategies.py)."""

from __future__ import annotations

import random
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import fundalloc as fa
from fundalloc.rounding import METHODS
from tests.strategies import Case, cases


def run(case: Case, rows: list[dict[str, object]] | None = None) -> fa.Allocation:
    table = case.table if rows is None else fa.RegionTable.from_records(rows, id="id")
    return fa.allocate(table, case.scheme)


@given(cases(methods=tuple(m for m in METHODS if m != "half_up")))
def test_exact_total(case: Case) -> None:
    r = run(case)
    assert sum(r.amounts.values()) == case.scheme.total
    assert all(v == v.quantize(case.scheme.step) for v in r.amounts.values())


@given(cases(methods=("half_up",)))
def test_half_up_residual_accounts_for_the_total(case: Case) -> None:
    r = run(case)
    assert sum(r.amounts.values()) + r.unallocated == case.scheme.total


@given(cases(methods=tuple(METHODS)))
def test_bounds_hold_before_and_after_rounding(case: Case) -> None:
    r = run(case)
    lim = r.trace.limits
    assert (r.trace.bounded >= lim.lower * (1 - 1e-12) - 1e-9).all()
    assert (r.trace.bounded <= lim.upper * (1 + 1e-12) + 1e-9).all()
    amounts = r.trace.units * float(case.scheme.step)
    assert (amounts >= lim.lower - 1e-9).all() and (amounts <= lim.upper + 1e-9).all()


@given(cases(methods=tuple(METHODS)), st.randoms(use_true_random=False))
def test_row_order_is_irrelevant(case: Case, rng: random.Random) -> None:
    rows = list(case.rows)
    rng.shuffle(rows)
    assert run(case).amounts == dict(
        sorted(run(case, rows).amounts.items(), key=lambda kv: case.table.ids.index(kv[0]))
    )


@given(cases(), st.integers(-20, 20))
def test_scaling_a_share_factor_changes_nothing(case: Case, exponent: int) -> None:
    scale = 2.0**exponent  # exact in binary floating point
    rows = [{**row, "x": row["x"] * scale} for row in case.rows]
    assert run(case, rows).amounts == run(case).amounts


@given(cases(bounds=False), st.data())
def test_more_need_never_lowers_the_formula_target(case: Case, data: st.DataObject) -> None:
    k = data.draw(st.integers(0, len(case.rows) - 1))
    extra = data.draw(st.floats(0.5, 1e5))
    rows = [dict(row) for row in case.rows]
    rows[k]["x"] = float(rows[k]["x"]) + extra  # type: ignore[arg-type]
    region = str(rows[k]["id"])
    assert run(case, rows).targets[region] >= run(case).targets[region] * (1 - 1e-12)


@given(cases(methods=tuple(METHODS)))
def test_deterministic(case: Case) -> None:
    first, second = run(case), run(case)
    assert first.amounts == second.amounts
    assert first.to_records(detail=True) == second.to_records(detail=True)


@given(cases(methods=tuple(METHODS)))
def test_breakdown_reconciles_exactly(case: Case) -> None:
    r = run(case)
    for region, parts in r.breakdown.items():
        assert sum((i.amount for i in parts.items), Decimal(0)) == parts.amount == r.amounts[region]


@pytest.mark.slow
@given(cases(methods=tuple(METHODS)))
def test_explain_renders_for_every_region(case: Case) -> None:
    r = run(case)
    for region in r.amounts:
        assert region in r.explain(region) and region in r.explain(region, lang="en")


def test_largest_remainder_alabama_paradox_is_real_and_divisors_avoid_it() -> None:
    """Count how often raising the total by one unit takes a unit away (documented as ~2%)."""
    rng = np.random.default_rng(0)
    hits = {"largest_remainder": 0, "webster": 0}
    trials = 400
    for _ in range(trials):
        n = int(rng.integers(3, 8))
        w = rng.random(n) * 100
        seats = int(rng.integers(n, 40))
        zero, big = np.zeros(n, np.int64), np.full(n, 10**6, np.int64)
        for method in hits:
            a = fa.round_units(w / w.sum() * seats, w, seats, zero, big, method).units
            b = fa.round_units(w / w.sum() * (seats + 1), w, seats + 1, zero, big, method).units
            hits[method] += bool((b < a).any())
    assert hits["webster"] == 0
    assert 0 < hits["largest_remainder"] < trials * 0.1
