"""Golden cases worked out by hand (see tests/golden/README.md for every calculation).

Each JSON file in ``tests/golden`` holds the inputs, the scheme settings, the expected
integer amounts and the intermediate values of the hand calculation (targets, λ, the
bounded amounts, remainders) as exact fractions written as strings ("4250/19").

Two kinds of test run on every file:

- ``test_hand_calculation_*`` re-checks the stored hand calculation with
  :class:`fractions.Fraction` only (no fundalloc code), so a typo in a golden file
  cannot pass silently;
- the other tests run the inputs through the public API of fundalloc and compare
  with the stored values: amounts and totals exactly, targets, λ and bounded amounts
  with ``rel=1e-9``.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import fundalloc as fa

GOLDEN = Path(__file__).parent / "golden"
_FILES = {p.stem: json.loads(p.read_text("utf-8")) for p in sorted(GOLDEN.glob("case*.json"))}
ALLOCATE_CASES = [name for name, case in _FILES.items() if "regions" in case]
APPORTION_CASES = [name for name, case in _FILES.items() if "states" in case]


def load(name: str) -> dict[str, Any]:
    """A golden case with JSON numbers as Python floats and ints."""
    case: dict[str, Any] = json.loads((GOLDEN / f"{name}.json").read_text("utf-8"))
    return case


def load_exact(name: str) -> dict[str, Any]:
    """A golden case with decimal JSON numbers read exactly as Fractions (1.2 -> 6/5)."""
    case: dict[str, Any] = json.loads(
        (GOLDEN / f"{name}.json").read_text("utf-8"), parse_float=Fraction
    )
    return case


def frac(value: Any) -> Fraction:
    return Fraction(value) if not isinstance(value, str) else Fraction(value.replace(" ", ""))


def approx(value: Any) -> Any:
    return pytest.approx(float(frac(value)), rel=1e-9)


# ---------------------------------------------------------------------- building the scheme
def build_rule(spec: dict[str, Any]) -> Any:
    kind = spec["kind"]
    if kind == "share":
        return fa.Share(column=spec["column"])
    if kind == "group":
        return fa.Group(factors=[build_factor(f) for f in spec["factors"]])
    if kind == "max":
        return fa.Max(of=[build_rule(r) for r in spec["of"]])
    if kind == "product":
        terms = []
        for term in spec["terms"]:
            options = {
                k: (float(frac(v)) if isinstance(v, str) and k != "column" else v)
                for k, v in term.items()
            }
            terms.append(fa.Term(**options))
        return fa.Product(terms=terms)
    raise AssertionError(f"unknown rule kind in a golden file: {kind}")


def build_factor(spec: dict[str, Any]) -> fa.Factor:
    return fa.Factor(name=spec["name"], rule=build_rule(spec["rule"]), weight=spec["weight"])


def build_bound(spec: dict[str, Any]) -> Any:
    options = {k: v for k, v in spec.items() if k != "kind"}
    return {"floor": fa.Floor, "cap": fa.Cap}[spec["kind"]](**options)


def build_scheme(case: dict[str, Any]) -> fa.Scheme:
    s = case["scheme"]
    return fa.Scheme(
        name=case["name"],
        total=s["total"],
        unit=s["unit"],
        step=s["step"],
        rounding=s["rounding"],
        tranches=[
            fa.Tranche(name="因素", share=1, factors=[build_factor(f) for f in s["factors"]])
        ],
        bounds=[build_bound(b) for b in s["bounds"]],
    )


def build_table(case: dict[str, Any], *, reverse: bool = False) -> fa.RegionTable:
    records = case["regions"][::-1] if reverse else case["regions"]
    return fa.RegionTable.from_records(records, id=case["id_column"])


def run(name: str, *, reverse: bool = False) -> tuple[dict[str, Any], fa.Allocation]:
    case = load(name)
    return case, fa.allocate(build_table(case, reverse=reverse), build_scheme(case))


# ---------------------------------------------------------------------- allocation cases
@pytest.mark.parametrize("name", ALLOCATE_CASES)
def test_amounts_are_exact_and_add_up(name: str) -> None:
    case, result = run(name)
    expected = {region: Decimal(v) for region, v in case["expected"]["amounts"].items()}
    assert result.amounts == expected
    assert list(result.amounts) == [r[case["id_column"]] for r in case["regions"]]  # row order
    assert all(isinstance(v, Decimal) for v in result.amounts.values())
    assert sum(result.amounts.values()) == Decimal(case["scheme"]["total"])
    assert result.unallocated == 0
    assert result.ties == ()  # the golden cases are chosen without ties at the cutoff


@pytest.mark.parametrize("name", ALLOCATE_CASES)
def test_targets(name: str) -> None:
    case, result = run(name)
    targets = case["expected"]["targets"]
    assert result.targets == {region: approx(t) for region, t in targets.items()}


@pytest.mark.parametrize("name", ALLOCATE_CASES)
def test_common_multiplier(name: str) -> None:
    case, result = run(name)
    assert result.multiplier == approx(case["expected"]["lambda"])


@pytest.mark.parametrize("name", ALLOCATE_CASES)
def test_bounded_amounts(name: str) -> None:
    case, result = run(name)
    bounded = dict(zip(result.trace.ids, result.trace.bounded.tolist(), strict=True))
    assert bounded == {region: approx(a) for region, a in case["expected"]["bounded"].items()}


@pytest.mark.parametrize("name", ALLOCATE_CASES)
def test_breakdown_names_the_binding_bounds(name: str) -> None:
    case, result = run(name)
    moved = frac(case["expected"]["lambda"]) != 1
    for region, binding in case["expected"]["binding"].items():
        parts = result.breakdown[region]
        stages = {item.stage for item in parts.items}
        if binding in ("floor", "cap"):
            assert binding in stages, (region, parts)
        elif moved:
            assert "adjustment" in stages, (region, parts)
        assert sum(item.amount for item in parts.items) == parts.amount
        assert parts.amount == Decimal(case["expected"]["amounts"][region])


@pytest.mark.parametrize("name", ALLOCATE_CASES)
def test_row_order_does_not_matter(name: str) -> None:
    _, result = run(name)
    _, reversed_result = run(name, reverse=True)
    assert dict(reversed_result.amounts) == dict(result.amounts)


# ---------------------------------------------------------------------- apportionment cases
def sorted_states(case: dict[str, Any]) -> list[dict[str, Any]]:
    states: list[dict[str, Any]] = case["states"]
    assert [s["state"] for s in states] == sorted(s["state"] for s in states)  # code-point order
    return states


@pytest.mark.parametrize("name", APPORTION_CASES)
def test_apportionment_through_round_units(name: str) -> None:
    case = load(name)
    states = sorted_states(case)
    total_population = case["total_population"]
    for r in case["runs"]:
        seats = r["seats"]
        # exact quotas, computed from the populations (Hamilton's quotas are also stored)
        quotas = np.array([seats * s["population"] / total_population for s in states])
        if "quotas" in r:
            assert quotas.tolist() == [approx(r["quotas"][s["state"]]) for s in states]
        n = len(states)
        result = fa.round_units(
            quotas, quotas, seats, np.zeros(n, np.int64), np.full(n, seats, np.int64), r["method"]
        )
        expected = [r["expected"][s["state"]] for s in states]
        assert result.units.tolist() == expected, (r["method"], seats)
        assert int(result.units.sum()) == seats
        assert result.ties == ()


@pytest.mark.parametrize("name", APPORTION_CASES)
def test_apportionment_through_a_scheme(name: str) -> None:
    case = load(name)
    table = fa.RegionTable.from_records(case["states"], id="state")
    for r in case["runs"]:
        bounds = [fa.Floor(amount=case["floor_seats"])] if case["floor_seats"] else []
        scheme = fa.Scheme(
            total=r["seats"],
            unit=case["unit"],
            step=1,
            rounding=r["method"],
            bounds=bounds,
            tranches=[
                fa.Tranche(
                    name="House",
                    share=1,
                    factors=[
                        fa.Factor(name="population", rule=fa.Share(column="population"), weight=1)
                    ],
                )
            ],
        )
        result = fa.allocate(table, scheme)
        expected = {k: Decimal(v) for k, v in r["expected"].items()}
        assert result.amounts == expected, (r["method"], r["seats"])
        assert sum(result.amounts.values()) == r["seats"]


def test_alabama_paradox_in_the_small_case() -> None:
    """Hamilton takes a seat from C when the house grows from 16 to 17; divisor methods do not."""
    case = load("case6b_alabama_paradox_small")
    runs = {(r["method"], r["seats"]): r["expected"] for r in case["runs"]}
    assert runs["largest_remainder", 16]["C"] == 2
    assert runs["largest_remainder", 17]["C"] == 1
    for method in ("jefferson", "webster"):
        assert all(runs[method, 17][s] >= runs[method, 16][s] for s in "ABC")


def test_1790_historical_apportionments() -> None:
    """Jefferson at 105 is the 1792 Act; Hamilton at 120 is the bill Washington vetoed."""
    case = load("case6a_us_house_1790")
    runs = {(r["method"], r["seats"]): r["expected"] for r in case["runs"]}
    assert runs["jefferson", 105] == case["historical"]["1792 Act (Jefferson, 105)"]
    assert runs["largest_remainder", 120] == case["historical"]["vetoed bill (Hamilton, 120)"]
    # the classic contrast: Hamilton gives Virginia 18 and Delaware 2, Jefferson 19 and 1
    hamilton, jefferson = runs["largest_remainder", 105], runs["jefferson", 105]
    assert (hamilton["Virginia"], hamilton["Delaware"]) == (18, 2)
    assert (jefferson["Virginia"], jefferson["Delaware"]) == (19, 1)


# ---------------------------------------------------------------------- the hand calculations
def hand_scores(rule: dict[str, Any], rows: list[dict[str, Any]]) -> list[Fraction]:
    """The rule's scores in exact arithmetic, written from the formulas in the README."""
    kind = rule["kind"]
    if kind == "share":
        return [frac(row[rule["column"]]) for row in rows]
    if kind == "group":
        parts = [(frac(f["weight"]), hand_shares(f["rule"], rows)) for f in rule["factors"]]
        return [sum((w * s[i] for w, s in parts), Fraction(0)) for i in range(len(rows))]
    if kind == "max":
        formulas = [hand_shares(r, rows) for r in rule["of"]]
        return [max(f[i] for f in formulas) for i in range(len(rows))]
    if kind == "product":
        out = [Fraction(1)] * len(rows)
        for term in rule["terms"]:
            x = [frac(row[term["column"]]) for row in rows]
            if term.get("relative"):
                mean = sum(x, Fraction(0)) / len(x)
                x = [v / mean for v in x]
            base = [frac(term.get("offset", 0)) + frac(term.get("scale", 1)) * v for v in x]
            if "lower" in term:
                base = [max(b, frac(term["lower"])) for b in base]
            if "upper" in term:
                base = [min(b, frac(term["upper"])) for b in base]
            exponent = term.get("exponent", 1)
            assert exponent == int(exponent)
            out = [o * b ** int(exponent) for o, b in zip(out, base, strict=True)]
        return out
    raise AssertionError(kind)


def hand_shares(rule: dict[str, Any], rows: list[dict[str, Any]]) -> list[Fraction]:
    scores = hand_scores(rule, rows)
    return [s / sum(scores) for s in scores]


def check_largest_remainder(
    exact: dict[str, Fraction], total: int, amounts: dict[str, int]
) -> None:
    """amounts = floor(exact) plus one unit to the (total − Σ floor) largest remainders, no tie."""
    floors = {k: math.floor(v) for k, v in exact.items()}
    left = total - sum(floors.values())
    got_one = {k for k in exact if amounts[k] == floors[k] + 1}
    assert all(amounts[k] in (floors[k], floors[k] + 1) for k in exact)
    assert len(got_one) == left
    rem = {k: exact[k] - floors[k] for k in exact}
    if got_one and len(got_one) < len(exact):
        assert min(rem[k] for k in got_one) > max(rem[k] for k in exact if k not in got_one)


@pytest.mark.parametrize("name", ALLOCATE_CASES)
def test_hand_calculation_of_allocation_case(name: str) -> None:
    case = load_exact(name)
    scheme, exp = case["scheme"], case["expected"]
    ids = [row[case["id_column"]] for row in case["regions"]]
    total = scheme["total"]
    # targets: total × Σ_j w_j · share_ij
    combined = [Fraction(0)] * len(ids)
    for f in scheme["factors"]:
        shares = hand_shares(f["rule"], case["regions"])
        combined = [c + frac(f["weight"]) * s for c, s in zip(combined, shares, strict=True)]
    targets = {k: total * c for k, c in zip(ids, combined, strict=True)}
    assert targets == {k: frac(v) for k, v in exp["targets"].items()}
    assert sum(targets.values()) == total
    # bounds: a_i = clip(λ t_i, lo, hi) with the stored λ, and Σ a_i = total
    lo = max([Fraction(0)] + [frac(b["amount"]) for b in scheme["bounds"] if b["kind"] == "floor"])
    caps = [
        frac(b["share"]) * total if "share" in b else frac(b["amount"])
        for b in scheme["bounds"]
        if b["kind"] == "cap"
    ]
    hi = min(caps) if caps else None
    lam = frac(exp["lambda"])
    bounded = {}
    for k, t in targets.items():
        a = max(lam * t, lo)
        a = min(a, hi) if hi is not None else a
        bounded[k] = a
        binding = "floor" if lam * t < lo else "cap" if hi is not None and lam * t > hi else "free"
        assert binding == exp["binding"][k], k
    assert bounded == {k: frac(v) for k, v in exp["bounded"].items()}
    assert sum(bounded.values()) == total
    # largest remainder to whole units
    assert {k: math.floor(v) for k, v in bounded.items()} == exp["rounded_down"]
    remainders = {k: frac(v) for k, v in exp["remainders"].items()}
    assert {k: v - math.floor(v) for k, v in bounded.items()} == remainders
    check_largest_remainder(bounded, total, exp["amounts"])
    assert sorted(k for k in ids if exp["amounts"][k] > exp["rounded_down"][k]) == sorted(
        exp["largest_remainders_get_a_unit"]
    )
    assert sum(exp["amounts"].values()) == total


@pytest.mark.parametrize("name", APPORTION_CASES)
def test_hand_calculation_of_apportionment_case(name: str) -> None:
    case = load_exact(name)
    pop = {s["state"]: s["population"] for s in case["states"]}
    assert sum(pop.values()) == case["total_population"]
    for r in case["runs"]:
        seats, expected = r["seats"], r["expected"]
        assert sum(expected.values()) == seats
        if r["method"] == "largest_remainder":
            quotas = {k: Fraction(seats * p, case["total_population"]) for k, p in pop.items()}
            assert quotas == {k: frac(v) for k, v in r["quotas"].items()}
            check_largest_remainder(quotas, seats, expected)
            continue
        # divisor methods: one divisor d gives every state its seats
        d = Fraction(r["witness_divisor"])
        interval = r["divisor_interval"]
        above, up_to = frac(interval["above"]), frac(interval["up_to"])
        if r["method"] == "jefferson":  # a = floor(p / d), valid for d in (above, up_to]
            assert above < d <= up_to
            assert {k: math.floor(p / d) for k, p in pop.items()} == expected
            assert above == max(Fraction(p, expected[k] + 1) for k, p in pop.items())
            assert up_to == min(Fraction(p, expected[k]) for k, p in pop.items() if expected[k])
        else:  # webster: a = round(p / d), d in (above, up_to)
            assert above < d < up_to
            assert {k: math.floor(p / d + Fraction(1, 2)) for k, p in pop.items()} == expected
            assert above == max(p / (expected[k] + Fraction(1, 2)) for k, p in pop.items())
            assert up_to == min(
                p / (expected[k] - Fraction(1, 2)) for k, p in pop.items() if expected[k]
            )
