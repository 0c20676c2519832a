"""Exact rounding at any scale, and no NaN ever rounded (issues 10 and 16).

The references here are written plainly with :class:`fractions.Fraction`, independently of
:mod:`fundalloc.rounding`: each takes the float inputs as the exact dyadic rationals they
are and applies the documented rule.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fundalloc as fa
from fundalloc.rounding import Quotas, round_units
from tests.strategies import LargeProblem, extreme_indicators, large_problems

SUBNORMAL_MIN = 5e-324
NORMAL_MIN = 2.2250738585072014e-308


def _issue16_table(x: list[float]) -> fa.RegionTable:
    n = len(x)
    return fa.RegionTable.from_columns(
        {"地区": [f"r{i:02d}" for i in range(n)], "x": x, "y": [1.0] * n}, id="地区"
    )


def _issue16_scheme(total: int = 71, cap: float | None = 7) -> fa.Scheme:
    return fa.Scheme(
        total=total,
        tranches=[
            fa.Tranche(
                name="t",
                share=1,
                factors=[
                    fa.Factor(name="s", rule=fa.Share(column="x"), weight=0.6),
                    fa.Factor(name="r", rule=fa.Ratio(numerator="x", denominator="y"), weight=0.4),
                ],
            )
        ],
        bounds=[] if cap is None else [fa.Cap(amount=cap)],
    )


def test_issue16_smallest_normal_indicator_gives_exact_finite_amounts() -> None:
    # regression (issue 16): every amount came out as -9 223 372 036 854 775 802 with exit 0
    x = [1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 276, NORMAL_MIN]
    result = fa.allocate(_issue16_table(x), _issue16_scheme())
    amounts = [result.amounts[f"r{i:02d}"] for i in range(12)]
    # nine regions of x = 1 and the region of x = 276 are held at the cap of 7 (70 in all);
    # the one unit left can only go to the region with the tiny positive share (λ = 1/t)
    assert amounts == [7, 0, 7, 7, 7, 7, 7, 7, 7, 7, 7, 1]
    assert sum(amounts) == 71
    assert all(np.isfinite(result.trace.bounded))


# ------------------------------------------------------------------ plain Fraction references
def tolerance(total: int) -> Fraction:
    """The documented tie tolerance: 2**-30 + total · 2**-40 units, at most 2**-20."""
    return min(Fraction(1, 2**30) + Fraction(total, 2**40), Fraction(1, 2**20))


def quotas_of(weights: np.ndarray, total: int) -> list[Fraction]:
    w = [Fraction(float(x)) for x in weights]
    mass = sum(w, Fraction(0))
    return [total * x / mass for x in w]


def reference_largest_remainder(
    q: list[Fraction], total: int, lower: list[int], upper: list[int]
) -> list[int]:
    """Floors (an amount within the tolerance below a whole unit counts as whole), then one
    unit each to the largest remainders; remainders within the tolerance of the cutoff are
    equal and go by the larger exact amount, then the lower index. Taking back is the
    exact reverse."""
    tau = tolerance(total)
    n = len(q)
    units = [min(max(math.floor(q[i] + tau), lower[i]), upper[i]) for i in range(n)]
    while (short := total - sum(units)) != 0:
        give = short > 0
        room = [i for i in range(n) if (units[i] < upper[i] if give else units[i] > lower[i])]
        count = abs(short)
        if count >= len(room):  # every one takes (gives) a unit, as often as it can at once
            reach = [upper[i] - units[i] if give else units[i] - lower[i] for i in room]
            times = min(count // len(room), *reach)
            for i in room:
                units[i] += times if give else -times
            continue
        else:
            claim = {i: (q[i] - units[i]) if give else -(q[i] - units[i]) for i in room}
            cut = sorted(claim.values(), reverse=True)[count - 1]
            over = [i for i in room if claim[i] > cut + tau]
            level = [i for i in room if abs(claim[i] - cut) <= tau]
            level.sort(key=lambda i: (-q[i], i))  # the tie rule: larger amount, lower index
            if not give:
                level.reverse()
            chosen = over + level[: count - len(over)]
        for i in chosen:
            units[i] += 1 if give else -1
    return units


def signposts_below(method: str, x: Fraction) -> int:
    """How many of the method's signposts d(0), d(1), ... lie strictly below ``x >= 0``."""
    if x <= 0:
        return 0
    if method == "jefferson":  # d(s) = s + 1
        return max(0, math.ceil(x) - 1)
    if method == "webster":  # d(s) = s + 1/2
        return max(0, math.ceil(x - Fraction(1, 2)))
    if method == "adams":  # d(s) = s
        return math.ceil(x)
    s = math.floor(x)  # huntington_hill: d(s)² = s (s + 1) < x²
    while s > 0 and s * (s + 1) >= x * x:
        s -= 1
    while (s + 1) * (s + 2) < x * x:
        s += 1
    return s + 1


def priority(method: str, w: Fraction, s: int) -> tuple[int, Fraction]:
    """The claim of a region of weight ``w`` holding ``s`` units to one more, as an
    (infinite?, value) pair; Huntington-Hill compares squares (the same order)."""
    if method == "jefferson":
        return 0, w / (s + 1)
    if method == "webster":
        return 0, w / (s + Fraction(1, 2))
    if s == 0:
        return 1, Fraction(0)
    if method == "adams":
        return 0, w / s
    return 0, w * w / (s * (s + 1))


def reference_divisor(
    method: str, weights: np.ndarray, total: int, lower: list[int], upper: list[int]
) -> list[int]:
    """The textbook definition from a consistent start: every region at the method's
    rounding of λ·w_i (λ = total / Σ w, exactly), within its bounds; then units one at a time
    to the largest claim (ties: larger weight, lower index), or back from the smallest."""
    w = [Fraction(float(x)) for x in weights]
    mass = sum(w, Fraction(0))
    n = len(w)
    units = [
        min(max(signposts_below(method, total * w[i] / mass), lower[i]), upper[i])
        if w[i] > 0
        else lower[i]
        for i in range(n)
    ]
    while (short := total - sum(units)) != 0:
        if short > 0:
            room = [i for i in range(n) if w[i] > 0 and units[i] < upper[i]]
            best = max(room, key=lambda i: (priority(method, w[i], units[i]), w[i], -i))
            units[best] += 1
        else:
            held = [i for i in range(n) if w[i] > 0 and units[i] > lower[i]]
            worst = min(held, key=lambda i: (priority(method, w[i], units[i] - 1), w[i], -i))
            units[worst] -= 1
    return units


# ------------------------------------------------------------------ properties at 10^12–10^18
@settings(max_examples=60, deadline=None)
@given(large_problems())
def test_largest_remainder_is_exact_at_national_totals(p: LargeProblem) -> None:
    q = quotas_of(p.weights, p.total)
    expected = reference_largest_remainder(q, p.total, p.lower.tolist(), p.upper.tolist())
    got = round_units(
        Quotas.proportional(p.weights, p.total), p.weights, p.total, p.lower, p.upper
    ).units.tolist()
    assert got == expected
    assert sum(got) == p.total
    if (p.lower == 0).all() and (p.upper == p.total).all():
        # unbounded: every amount within one unit of its exact quota
        assert all(abs(u - x) < 1 for u, x in zip(got, q, strict=True))


@settings(max_examples=60, deadline=None)
@given(large_problems(bounded=False))
def test_apportion_largest_remainder_is_exact_at_national_totals(p: LargeProblem) -> None:
    ids = [f"r{i:02d}" for i in range(len(p.weights))]
    got = fa.apportion(dict(zip(ids, p.weights.tolist(), strict=True)), p.total, method="hamilton")
    q = quotas_of(p.weights, p.total)
    expected = reference_largest_remainder(q, p.total, [0] * len(q), [p.total] * len(q))
    assert [got[i] for i in ids] == expected


@settings(max_examples=60, deadline=None)
@given(large_problems())
def test_half_up_is_exact_at_national_totals(p: LargeProblem) -> None:
    q = quotas_of(p.weights, p.total)
    tau = tolerance(p.total)
    expected = [
        min(max(math.floor(x + Fraction(1, 2) + tau), lo), hi)
        for x, lo, hi in zip(q, p.lower.tolist(), p.upper.tolist(), strict=True)
    ]
    r = round_units(
        Quotas.proportional(p.weights, p.total), p.weights, p.total, p.lower, p.upper, "half_up"
    )
    assert r.units.tolist() == expected
    assert r.unallocated == p.total - sum(expected)


@settings(max_examples=40, deadline=None)
@given(
    large_problems(bounded=False),
    st.sampled_from(["jefferson", "webster", "huntington_hill", "adams"]),
)
def test_divisor_methods_are_exact_at_national_totals(p: LargeProblem, method: str) -> None:
    expected = reference_divisor(method, p.weights, p.total, p.lower.tolist(), p.upper.tolist())
    got = round_units(
        Quotas.proportional(p.weights, p.total), p.weights, p.total, p.lower, p.upper, method
    ).units.tolist()
    assert got == expected


def test_largest_remainder_at_1e16_matches_the_exact_rule() -> None:
    # binary64 remainders decided this wrongly before (off by up to 3 units at 10^16)
    rng = np.random.default_rng(16)
    for _ in range(20):
        w = rng.lognormal(0, 2, 25)
        total = 10**16 + int(rng.integers(0, 10**6))
        n = len(w)
        q = quotas_of(w, total)
        expected = reference_largest_remainder(q, total, [0] * n, [total] * n)
        got = round_units(
            Quotas.proportional(w, total),
            w,
            total,
            np.zeros(n, np.int64),
            np.full(n, total, np.int64),
        ).units.tolist()
        assert got == expected
        assert all(abs(u - x) < 1 for u, x in zip(got, q, strict=True))


def test_an_exact_tie_at_national_totals_goes_by_the_tie_rule() -> None:
    # equal weights: equal exact remainders (1/3 each); the two units left go to the lower ids
    total = 10**18 + 1
    r = round_units(
        Quotas.proportional(np.ones(3), total),
        np.ones(3),
        total,
        np.zeros(3, np.int64),
        np.full(3, total, np.int64),
    )
    base = total // 3
    assert r.units.tolist() == [base + 1, base + 1, base]
    assert (r.ties[0].winners, r.ties[0].losers) == ((0, 1), (2,))


# ------------------------------------------------------------------ the public path
def reference_capped(
    targets: list[Fraction], total: Fraction, cap: Fraction | None
) -> list[Fraction]:
    """``clip(λ t_i, 0, cap)`` adding up to ``total``, by water-filling in Fractions."""
    capped: set[int] = set()
    while True:
        free = [i for i in range(len(targets)) if i not in capped and targets[i] > 0]
        mass = sum((targets[i] for i in free), Fraction(0))
        lam = (total - len(capped) * (cap or 0)) / mass
        newly = {i for i in free if cap is not None and lam * targets[i] >= cap}
        if not newly:
            return [
                cap if i in capped else (lam * targets[i] if targets[i] > 0 else Fraction(0))
                for i in range(len(targets))
            ]
        capped |= newly


def check_against_reference(result: fa.Allocation, total: int, cap: int | None) -> None:
    ids = list(result.trace.ids)
    targets = [Fraction(float(t)) for t in result.trace.targets]
    q = reference_capped(targets, Fraction(total), None if cap is None else Fraction(cap))
    n = len(ids)
    upper = [cap if cap is not None else total] * n
    upper = [u if t > 0 else 0 for u, t in zip(upper, targets, strict=True)]
    expected = reference_largest_remainder(q, total, [0] * n, upper)
    got = [int(result.amounts[i]) for i in ids]
    assert got == expected
    assert sum(got) == total
    assert all(abs(u - x) < 1 for u, x in zip(got, q, strict=True))


def one_share(total: int, cap: int | None) -> fa.Scheme:
    return fa.Scheme(
        total=total,
        unit="元",
        tranches=[
            fa.Tranche(
                name="t",
                share=1,
                factors=[fa.Factor(name="x", rule=fa.Share(column="x"), weight=1)],
            )
        ],
        bounds=[] if cap is None else [fa.Cap(amount=cap)],
    )


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(1e-3, 1e6), min_size=2, max_size=10),
    st.integers(10**15, 10**15 + 10**9),
    st.booleans(),
)
def test_allocate_is_exact_at_1e15_steps(x: list[float], total: int, capped: bool) -> None:
    n = len(x)
    cap = (total // n) + total // (4 * n) if capped else None
    table = fa.RegionTable.from_columns(
        {"地区": [f"r{i:02d}" for i in range(n)], "x": x}, id="地区"
    )
    result = fa.allocate(table, one_share(total, cap))
    assert sum(result.amounts.values()) == Decimal(total)
    check_against_reference(result, total, cap)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(extreme_indicators, min_size=2, max_size=12),
    st.sampled_from([71, 10**6, 10**15]),
    st.booleans(),
)
def test_extreme_indicators_give_exact_amounts_or_a_clear_error(
    x: list[float], total: int, capped: bool
) -> None:
    n = len(x)
    cap = -(-total // n) + 1 + total // (3 * n) if capped else None
    try:
        result = fa.allocate(_issue16_table(x), _issue16_scheme(total, cap))
    except (fa.DataError, fa.SolverError, fa.InfeasibleError) as error:
        assert str(error)  # a named, readable error; never NaN rounded
        return
    assert all(np.isfinite(result.trace.bounded))
    assert all(a >= 0 for a in result.amounts.values())
    assert sum(result.amounts.values()) == Decimal(total)
    check_against_reference(result, total, cap)


def test_subnormal_indicator_alone_in_the_free_set() -> None:
    # a subnormal share: λ = 1 / t is far beyond binary64, and still exact
    x = [1, 1, 1, 1e-310]
    result = fa.allocate(_issue16_table(x), _issue16_scheme(total=31, cap=10))
    assert [int(result.amounts[f"r{i:02d}"]) for i in range(4)] == [10, 10, 10, 1]


def test_round_units_refuses_nan_naming_the_stage() -> None:
    with pytest.raises(fa.SolverError, match=r"^bounds: expected a finite amount .* nan"):
        round_units(
            np.array([1.0, np.nan]),
            np.array([1.0, 1.0]),
            2,
            np.zeros(2, np.int64),
            np.full(2, 2, np.int64),
            stage="bounds",
        )


# ------------------------------------------------------------------ partitioned groups
def reference_grouped(
    targets: list[Fraction],
    labels: list[int],
    floors: dict[int, Fraction],
    caps: dict[int, Fraction],
    total: Fraction,
) -> list[Fraction]:
    """The proportional rule under non-overlapping group floors and caps, in Fractions:
    group ``g`` gets ``clip(λ T_g, F_g, C_g)`` (``T_g`` its targets' sum), shared among its
    members by target, a region in no group ``λ t_i``, and ``λ`` makes them add up to
    ``total`` (solved on the breakpoints of this piecewise linear function)."""
    groups = sorted(set(labels) - {-1})
    mass = {g: sum((t for t, k in zip(targets, labels, strict=True) if k == g), Fraction(0))
            for g in groups}  # fmt: skip
    alone = sum((t for t, k in zip(targets, labels, strict=True) if k == -1), Fraction(0))

    def group_amount(g: int, lam: Fraction) -> Fraction:
        x = lam * mass[g]
        if g in floors:
            x = max(x, floors[g])
        if g in caps:
            x = min(x, caps[g])
        return x

    def h(lam: Fraction) -> Fraction:
        return lam * alone + sum((group_amount(g, lam) for g in groups), Fraction(0))

    points = sorted(
        {Fraction(0)}
        | {b / mass[g] for g in groups if mass[g] for b in (floors.get(g), caps.get(g)) if b}
    )
    lam = None
    for left, right in zip(points, [*points[1:], None], strict=True):
        if right is not None and h(right) < total:
            continue
        # linear on [left, right] (beyond the last breakpoint: on [left, left + 1])
        far = left + 1 if right is None else right
        slope = (h(far) - h(left)) / (far - left)
        lam = left + (total - h(left)) / slope
        break
    assert lam is not None and h(lam) == total
    out = []
    for t, k in zip(targets, labels, strict=True):
        if k == -1:
            out.append(lam * t)
        else:
            out.append(group_amount(k, lam) * t / mass[k] if mass[k] else Fraction(0))
    return out


@st.composite
def grouped_problems(draw: st.DrawFn) -> tuple[list[float], list[int], dict, dict, int]:
    n = draw(st.integers(2, 9))
    x = draw(st.lists(st.floats(1e-3, 1e6), min_size=n, max_size=n))
    labels = draw(st.lists(st.integers(-1, 2), min_size=n, max_size=n))
    labels[0] = -1  # one region in no group takes up what the groups leave
    total = draw(st.integers(10**12, 10**18))
    mass = sum(x)
    floors, caps = {}, {}
    for g in set(labels) - {-1}:
        share = Fraction(total) * Fraction(sum(v for v, k in zip(x, labels, strict=True)
                                               if k == g)) / Fraction(mass)  # fmt: skip
        kind = draw(st.sampled_from(["floor", "cap", "both", "slack floor"]))
        raise_ = Fraction(draw(st.integers(1, 10**6)), 10**7)  # up to 10% above or below
        if kind in ("floor", "both"):
            floors[g] = math.ceil(share * (1 + raise_))
        if kind == "slack floor":
            floors[g] = math.floor(share * (1 - raise_))
        if kind in ("cap", "both"):
            caps[g] = math.floor(share * (1 - raise_) if kind == "cap" else share * 2)
    if sum(floors.values()) > total:
        floors.clear()
    return x, labels, floors, caps, total


@settings(max_examples=60, deadline=None)
@given(grouped_problems())
def test_partitioned_groups_are_exact_at_national_totals(
    case: tuple[list[float], list[int], dict, dict, int],
) -> None:
    x, labels, floors, caps, total = case
    n = len(x)
    ids = [f"r{i:02d}" for i in range(n)]
    table = fa.RegionTable.from_columns({"地区": ids, "x": x}, id="地区")
    constraints: list[Any] = []
    for g in sorted(set(labels) - {-1}):
        members = [ids[i] for i in range(n) if labels[i] == g]
        if g in floors:
            constraints.append(fa.GroupFloor(name=f"f{g}", regions=members, amount=floors[g]))
        if g in caps:
            constraints.append(fa.GroupCap(name=f"c{g}", regions=members, amount=caps[g]))
    plain = one_share(total, None)
    scheme = fa.Scheme(
        total=total, unit="元", tranches=list(plain.tranches), constraints=constraints
    )
    result = fa.allocate(table, scheme)
    targets = [Fraction(float(t)) for t in result.trace.targets]
    exact = reference_grouped(
        targets,
        labels,
        {g: Fraction(v) for g, v in floors.items()},
        {g: Fraction(v) for g, v in caps.items()},
        Fraction(total),
    )
    got = [int(result.amounts[i]) for i in ids]
    assert sum(got) == total
    assert all(abs(u - q) < 1 for u, q in zip(got, exact, strict=True)), (got, exact)
    for g in set(labels) - {-1}:
        held = sum(u for u, k in zip(got, labels, strict=True) if k == g)
        assert g not in floors or held >= floors[g]
        assert g not in caps or held <= caps[g]


def test_bounds_whose_sum_passes_int64_are_summed_exactly() -> None:
    # ten caps of 0.92 · 2**63 each: numpy's int64 sum wrapped to a negative number and a
    # feasible problem was refused as "0 to -9223372036854775806 cannot hold ..."
    total = 922_337_203_685_477_581
    units = round_units(
        np.ones(10), np.ones(10), total, np.zeros(10, np.int64), np.full(10, total, np.int64)
    ).units
    assert int(sum(units.tolist())) == total and max(units) - min(units) <= 1


@pytest.mark.parametrize("method", ["jefferson", "webster", "adams", "huntington_hill"])
def test_divisor_methods_with_tiny_weights_finish(method: str) -> None:
    # 1e12 / 1e-300 overflowed the first λ to infinity and the settling loop then moved one
    # unit a pass over 10^12 units; run in a child so that a regression fails instead of hanging
    import subprocess
    import sys

    code = (
        "from fundalloc.rounding import apportion\n"
        f"r = apportion({{'a': 1e-300, 'b': 1e-308, 'c': 3e-301}}, 10**12, method={method!r})\n"
        "print(sum(r.values()), r['b'])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    total, b = map(int, done.stdout.split())
    assert total == 10**12 and b in (7692, 7693)  # 10^12 · 1e-8 / 1.30000001 = 7692.3


def test_uncapped_regions_near_2_62_steps_do_not_wrap_the_caps_sum() -> None:
    # regression: three regions without caps, 4·10^18 steps: each region's cap in steps is
    # the total, and their int64 sum wrapped to a negative number ("caps add up to -6.4e18")
    table = fa.RegionTable.from_columns({"地区": ["甲", "乙", "丙"], "人口": [90, 9, 1]}, id="地区")
    total = Decimal("4000000000000000000")
    scheme = fa.Scheme(
        total=total,
        unit="元",
        tranches=[
            fa.Tranche(
                name="因素",
                share=1,
                factors=[fa.Factor(name="人口", rule=fa.Share(column="人口"), weight=1)],
            )
        ],
    )
    amounts = fa.allocate(table, scheme).amounts
    assert sum(amounts.values()) == total
    assert amounts["丙"] == total / 100
