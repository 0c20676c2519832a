from __future__ import annotations

from decimal import Decimal

import pytest

import fundalloc as fa


def factor(name: str = "x", weight: float = 1.0) -> fa.Factor:
    return fa.Factor(name=name, rule=fa.Share(column=name), weight=weight)


def tranche(**kw: object) -> fa.Tranche:
    kw.setdefault("name", "t")
    kw.setdefault("share", 1)
    kw.setdefault("factors", [factor()])
    return fa.Tranche(**kw)  # type: ignore[arg-type]


def test_scheme_defaults_and_repr() -> None:
    s = fa.Scheme(total=3717, tranches=[tranche()])
    assert (s.total, s.unit, s.step, s.method, s.total_units) == (
        Decimal(3717),
        "万元",
        Decimal(1),
        "largest_remainder",
        3717,
    )
    assert repr(s) == (
        "Scheme(total=Decimal('3717'), tranches=(Tranche(name='t', share=1.0, factors="
        "(Factor(name='x', rule=Share(column='x'), weight=1.0),)),))"
    )


def test_weights_must_add_to_one_or_be_normalised() -> None:
    with pytest.raises(fa.SchemeError, match=r"weights add up to 1.2 \(a 0.6 \+ b 0.6\)"):
        tranche(factors=[factor("a", 0.6), factor("b", 0.6)])
    t = tranche(factors=[factor("a", 0.6), factor("b", 0.6)], normalise_weights=True)
    assert len(t.factors) == 2
    fa.Tranche(
        name="t", share=1, factors=[factor("a", 0.1 + 0.2), factor("b", 0.7)]
    )  # 1e-16 off is fine


def test_negative_weight_and_duplicate_names_are_rejected() -> None:
    with pytest.raises(fa.SchemeError, match="weight of 'b' is negative"):
        tranche(factors=[factor("a", 1.5), factor("b", -0.5)])
    with pytest.raises(fa.SchemeError, match="factor name 'a' is used more than once"):
        tranche(factors=[factor("a", 0.5), factor("a", 0.5)])
    with pytest.raises(fa.SchemeError, match="tranche name 't' is used more than once"):
        fa.Scheme(total=10, tranches=[tranche(share=0.5), tranche(share=0.5)])


def test_tranche_shares_and_kinds() -> None:
    with pytest.raises(fa.SchemeError, match=r"tranche shares add up to 1.2 \(a 0.8 \+ b 0.4\)"):
        fa.Scheme(total=10, tranches=[tranche(name="a", share=0.8), tranche(name="b", share=0.4)])
    with pytest.raises(
        fa.SchemeError, match="exactly one of share, amount or quota; got share, amount"
    ):
        tranche(share=1, amount=5)
    with pytest.raises(
        fa.SchemeError, match="exactly one of quota, factors or sub-tranches; got none"
    ):
        fa.Tranche(name="t", share=1)
    with pytest.raises(
        fa.SchemeError, match="fixed tranches add up to 20 万元 but the total is 10 万元"
    ):
        fa.Scheme(total=10, tranches=[tranche(share=None, amount=20)])


def test_total_must_be_a_multiple_of_the_step() -> None:
    with pytest.raises(fa.SchemeError, match="total 3,717.5 is not a whole multiple of the step 1"):
        fa.Scheme(total=Decimal("3717.5"), tranches=[tranche()])
    assert (
        fa.Scheme(total=Decimal("3717.5"), step=Decimal("0.1"), tranches=[tranche()]).total_units
        == 37175
    )


def test_all_problems_are_reported_with_key_paths() -> None:
    with pytest.raises(fa.SchemeError) as err:
        fa.Scheme(total=-1, rounding="bankers", tranches=[tranche()])
    wheres = sorted(p.where for p in err.value.problems)
    assert wheres == ["Scheme.rounding", "Scheme.total"]
    assert "rounding: expected one of 'largest_remainder', 'jefferson'" in str(err.value)
    assert "found 'bankers'" in str(err.value)


def test_unknown_keys_are_rejected() -> None:
    with pytest.raises(fa.SchemeError, match="Scheme.totl"):
        fa.Scheme.parse({"totl": 5, "tranches": []})


def test_round_trip_and_equality() -> None:
    s = fa.Scheme(
        total=100,
        tranches=[
            tranche(
                coefficients=[
                    fa.Coefficient(name="c", rule=fa.Tiered(column="g", tiers={"A": 1.1}))
                ]
            )
        ],
        bounds=[fa.Floor(amount=5), fa.Cap(share=0.5)],
    )
    again = fa.Scheme.parse(s.model_dump(mode="json"))
    assert again == s and hash(again) == hash(s)
    assert s.replace(total=200) != s


def test_aliases_for_rounding_methods() -> None:
    assert fa.Scheme(total=10, tranches=[tranche()], rounding="dhondt").method == "jefferson"
    assert fa.Scheme(total=10, tranches=[tranche()], rounding="sainte_lague").method == "webster"


def test_needs_lists_every_column() -> None:
    s = fa.Scheme(
        total=10,
        tranches=[
            tranche(
                factors=[
                    fa.Factor(name="r", rule=fa.Ratio(numerator="p", denominator="q"), weight=1)
                ]
            )
        ],
        eligibility=[fa.Condition(column="k", op="==", value="市")],
        bounds=[fa.Floor(per="pop", rate=1)],
    )
    assert sorted(c for c, _ in s.needs()) == ["k", "p", "pop", "q"]


def test_nan_and_infinity_are_rejected() -> None:
    with pytest.raises(fa.SchemeError, match="finite number"):
        fa.Factor(name="x", rule=fa.Share(column="x"), weight=float("nan"))
    with pytest.raises(fa.SchemeError, match="finite number"):
        fa.Tiered(column="g", tiers={"A": float("inf")})
    with pytest.raises(fa.SchemeError, match="finite number"):
        fa.Condition(column="x", op=">", value=float("nan"))


def test_model_validate_raises_our_error() -> None:
    with pytest.raises(fa.SchemeError, match="Scheme.total"):
        fa.Scheme.model_validate({"total": -5, "tranches": []})
    with pytest.raises(fa.SchemeError, match="Scheme.total"):
        fa.Scheme.model_validate_json('{"total": -5, "tranches": []}')


def test_totals_beyond_int64_steps_are_refused() -> None:
    with pytest.raises(fa.SchemeError, match="at most 2\\*\\*62 steps"):
        fa.Scheme(total=10**9, step=Decimal("1e-12"), tranches=[tranche()])
