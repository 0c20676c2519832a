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


def _problems(call: object, lang: str) -> list[str]:
    with pytest.raises(fa.SchemeError) as err:
        call()  # type: ignore[operator]
    return [p.render(lang) for p in err.value.problems]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("make", "english", "chinese"),
    [
        (
            lambda: fa.Scheme(tranches=[tranche()]),
            "Scheme.total: missing key 'total'",
            "Scheme.total：缺少键 'total'",
        ),
        (
            lambda: fa.Share(column="x", colum="y"),
            "Share.colum: unknown key 'colum'",
            "Share.colum：未知的键 'colum'",
        ),
        (
            lambda: fa.Scheme(total=1, tranches=[tranche()], rounding="bankers"),
            "Scheme.rounding: expected one of 'largest_remainder', 'jefferson', 'webster', "
            "'huntington_hill', 'adams', 'half_up', 'dhondt', 'sainte_lague', 'hamilton'; "
            "found 'bankers'",
            "Scheme.rounding：应为以下之一：'largest_remainder'、'jefferson'、'webster'、"
            "'huntington_hill'、'adams'、'half_up'、'dhondt'、'sainte_lague'、'hamilton'；"
            "实际为 'bankers'",
        ),
        (
            lambda: fa.Factor(name="x", rule=fa.Share(column="x"), weight="heavy"),
            "Factor.weight: expected a number; found 'heavy'",
            "Factor.weight：应为数字；实际为 'heavy'",
        ),
        (
            lambda: fa.Scheme(total="a lot", tranches=[tranche()]),
            "Scheme.total: expected a number; found 'a lot'",
            "Scheme.total：应为数字；实际为 'a lot'",
        ),
        (
            lambda: fa.Scheme(total=-5, tranches=[tranche()]),
            "Scheme.total: expected a number greater than 0; found -5",
            "Scheme.total：应为大于 0 的数；实际为 -5",
        ),
        (
            lambda: fa.Tranche(name="t", share=1.5, factors=[factor()]),
            "Tranche.share: expected a number less than or equal to 1; found 1.5",
            "Tranche.share：应为不大于 1 的数；实际为 1.5",
        ),
        (
            lambda: fa.Scheme(total=1, tranches=[]),
            "Scheme.tranches: expected 1 or more items; found []",
            "Scheme.tranches：应至少有 1 项；实际为 []",
        ),
        (
            lambda: fa.Tranche(name="", share=1, factors=[factor()]),
            "Tranche.name: expected 1 or more characters; found ''",
            "Tranche.name：应至少有 1 个字符；实际为 ''",
        ),
        (
            lambda: fa.Factor.model_validate(
                {"name": "x", "weight": 1, "rule": {"kind": "shares"}}
            ),
            "Factor.rule: expected kind to be one of 'share', 'ratio', 'inverse', 'composite', "
            "'product', 'tiered', 'group', 'max', 'min'; found 'shares'",
            "Factor.rule：kind 应为以下之一：'share'、'ratio'、'inverse'、'composite'、"
            "'product'、'tiered'、'group'、'max'、'min'；实际为 'shares'",
        ),
        (
            lambda: fa.Factor.model_validate({"name": "x", "weight": 1, "rule": {"column": "x"}}),
            "Factor.rule: missing key 'kind', which says what kind this is",
            "Factor.rule：缺少键 'kind'，它说明这是哪一种",
        ),
        (
            lambda: fa.Factor(name="x", rule=fa.Share(column="x"), weight=float("inf")),
            "Factor.weight: expected a finite number; found inf",
            "Factor.weight：应为有限的数；实际为 inf",
        ),
        (
            lambda: fa.Tranche(name="t", share=1, normalise_weights="maybe", factors=[factor()]),
            "Tranche.normalise_weights: expected true or false; found 'maybe'",
            "Tranche.normalise_weights：应为 `true` 或 `false`；实际为 'maybe'",
        ),
    ],
)
def test_pydantic_errors_in_our_words_in_both_languages(
    make: object, english: str, chinese: str
) -> None:
    assert english in _problems(make, "en")
    assert chinese in _problems(make, "zh")


def test_scheme_checks_in_both_languages() -> None:
    bad = lambda: tranche(factors=[factor("a", 0.6), factor("a", -0.6)], amount=5)  # noqa: E731
    assert _problems(bad, "zh") == [
        "Tranche：`share`、`amount`、`quota` 应恰好给出一个；实际给出 share、amount",
        "Tranche：因素名 'a' 用了不止一次",
        "Tranche：'a' 的权重为负数（-0.6）",
    ]
    assert _problems(bad, "en")[0] == (
        "Tranche: give exactly one of share, amount or quota; got share, amount"
    )
    fixed = lambda: fa.Scheme(total=10, tranches=[tranche(share=None, amount=20)])  # noqa: E731
    assert _problems(fixed, "zh") == ["Scheme：固定金额切块合计 20 万元，但总额只有 10 万元"]
    steps = lambda: fa.Scheme(total=10.5, tranches=[tranche()])  # noqa: E731
    assert _problems(steps, "zh") == ["Scheme：总额 10.5 不是取整单位 1 的整数倍"]
    derived = lambda: fa.Scheme(total=1, derived={"x": "a.b"}, tranches=[tranche()])  # noqa: E731
    assert _problems(derived, "zh") == [
        'Scheme.derived：x：表达式 "a.b"，第 1 个字符：不允许使用属性访问'
    ]
    assert _problems(derived, "en") == [
        'Scheme.derived: x: expression "a.b", at character 1: attribute access is not allowed'
    ]


def test_the_scheme_html_is_in_the_current_language() -> None:
    from fundalloc.i18n import using

    scheme = fa.Scheme(
        total=100,
        eligibility=[fa.Condition(column="x", op=">", value=0)],
        tranches=[tranche()],
    )
    with using("zh"):
        chinese = scheme._repr_html_()
    with using("en"):
        english = scheme._repr_html_()
    assert "总额 100 万元，取整到 1 万元（largest_remainder）" in chinese
    assert "参与条件：x &gt; 0" in chinese and "切块 / 因素" in chinese
    assert "total 100 万元, rounded to 1 万元 (largest_remainder)" in english
    assert "taking part: x &gt; 0" in english and "Tranche / factor" in english


def _imported_by(module: str) -> set[str]:
    import subprocess
    import sys

    code = f"import sys, {module}; print(' '.join(m for m in sys.modules if 'fundalloc' in m))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_the_scheme_does_not_import_rounding() -> None:
    loaded = _imported_by("fundalloc.scheme")
    assert "fundalloc.scheme" in loaded
    assert not {m for m in loaded if m.startswith(("fundalloc.rounding", "fundalloc.pipeline"))}


def test_bounds_and_constraints_do_not_import_factor_rules() -> None:
    assert "fundalloc.factors" not in _imported_by("fundalloc.bounds")
    assert "fundalloc.factors" not in _imported_by("fundalloc.constraints")


def test_a_date_that_is_not_one_says_what_a_date_looks_like() -> None:
    tranche = fa.Tranche(
        name="t", share=1, factors=[fa.Factor(name="x", weight=1, rule=fa.Share(column="x"))]
    )
    with pytest.raises(fa.SchemeError) as caught:
        fa.Scheme(total=1, date="2026/12/03", tranches=[tranche])  # type: ignore[arg-type]
    assert caught.value.render("zh") == "Scheme.date：应为日期，如 2026-12-03；实际为 '2026/12/03'"
    assert "expected a date such as 2026-12-03" in caught.value.render("en")
