"""Robustness: rounding stability (Monte Carlo over the data) and manipulability (analytic)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

import fundalloc as fa
from fundalloc.analysis.robustness import manipulability, rounding_stability
from fundalloc.i18n import using

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "shandong_2018"


def one_factor(total: int = 100, column: str = "x", **extra: object) -> fa.Scheme:
    return fa.Scheme(
        total=total,
        tranches=[
            fa.Tranche(
                name="T",
                share=1,
                factors=[fa.Factor(name=column, rule=fa.Share(column=column), weight=1)],
            )
        ],
        **extra,  # type: ignore[arg-type]
    )


def reallocated_gain(allocation: fa.Allocation, column: str, region: str, delta: float) -> float:
    """The real thing: the region's bounded amount after re-allocating with its value raised."""
    table, scheme = allocation.table, allocation.scheme
    values = table.numeric(column).copy()
    values[table.ids.index(region)] *= 1 + delta
    again = fa.allocate(table.with_column(column, values), scheme).trace
    k = again.ids.index(region)
    return float(again.bounded[k] - allocation.trace.bounded[k])


# ------------------------------------------------------------------------ manipulability


def test_manipulability_worked_case_by_fractions() -> None:
    """x = 1 and 3 share 100: 甲 overstating by 1% holds 1.01/4.01, a gain of
    100 (101/401 − 1/4) = 75/401; 乙 holds 3.03/4.03, a gain of 100 (303/403 − 3/4) = 75/403."""
    table = fa.RegionTable.from_columns({"id": ["甲", "乙"], "x": [1, 3]}, id="id")
    result = manipulability(table, one_factor(), column="x")
    assert result.ids == ("乙", "甲")
    assert result.of("甲") == pytest.approx(float(Fraction(75, 401)), abs=1e-12)
    assert result.of("乙") == pytest.approx(float(Fraction(75, 403)), abs=1e-12)
    assert result.relative_gain[1] == pytest.approx(float(Fraction(75, 401) / 25), abs=1e-12)
    assert result.unmodelled == ()


def test_manipulability_with_coefficients_and_two_factors_equals_reallocation() -> None:
    """No bound binds: the analytic form is exact, coefficients renormalised included."""
    table = fa.RegionTable.from_columns(
        {
            "id": list("abcdef"),
            "x": [5.0, 3.0, 8.0, 1.0, 2.5, 4.0],
            "y": [1.0, 7.0, 2.0, 2.0, 3.0, 0.5],
            "g": ["A", "B", "C", "A", "B", "C"],
        },
        id="id",
    )
    scheme = fa.Scheme(
        total=1000,
        tranches=[
            fa.Tranche(
                name="P",
                share=0.6,
                coefficients=[
                    fa.Coefficient(
                        name="k", rule=fa.Tiered(column="g", tiers={"A": 1.2, "B": 1.0, "C": 0.7})
                    )
                ],
                factors=[
                    fa.Factor(name="x", rule=fa.Share(column="x"), weight=0.7),
                    fa.Factor(name="y", rule=fa.Share(column="y"), weight=0.3),
                ],
            ),
            fa.Tranche(
                name="Q",
                share=0.4,
                factors=[fa.Factor(name="x2", rule=fa.Share(column="x"), weight=1)],
            ),
        ],
    )
    allocation = fa.allocate(table, scheme)
    result = manipulability(allocation, column="x", overstatement=0.05)
    for region in table.ids:
        assert result.of(region) == pytest.approx(
            reallocated_gain(allocation, "x", region, 0.05), abs=1e-9
        )
        assert result.of(region) > 0


def test_manipulability_with_binding_floor_and_cap_matches_reallocation() -> None:
    """Shandong 2018 (a floor and three caps binding): the form holds the others' bound
    status and moves λ; the cities at a bound gain nothing, the free ones what a real
    re-allocation gives them."""
    scheme = fa.load_scheme(EXAMPLE / "scheme.toml").scheme
    table = fa.read_table(EXAMPLE / "data.csv", id="地区")
    allocation = fa.allocate(table, scheme)
    for column in ("已脱贫享受政策人口", "重点民族村"):
        result = manipulability(allocation, column=column)
        assert result.unmodelled == ()
        for region in ("济南市", "泰安市", "德州市", "东营市", "济宁市"):
            assert result.of(region) == pytest.approx(
                reallocated_gain(allocation, column, region, 0.01), abs=1e-9
            )
        assert result.of("东营市") == 0 and result.of("济宁市") == 0  # floor, cap
    # holding λ fixed instead would be off by several percent (济南: 0.595 against 0.563)
    assert result.of("济南市") == pytest.approx(0, abs=1e-9)  # no 重点民族村 in 济南


def test_manipulability_lists_the_factors_it_does_not_model() -> None:
    scheme = fa.load_scheme(EXAMPLE / "scheme.toml").scheme
    table = fa.read_table(EXAMPLE / "data.csv", id="地区")
    result = manipulability(table, scheme, column="少数民族贫困人口")
    assert result.unmodelled == ("贫困人口因素/贫困发生率",)


def test_manipulability_messages_in_both_languages() -> None:
    table = fa.RegionTable.from_columns({"id": ["a", "b"], "x": [1, 3], "z": [1, 1]}, id="id")
    with pytest.raises(fa.SchemeError) as caught:
        manipulability(table, one_factor(), column="z")
    assert "no factor of the scheme reads this column" in caught.value.render("en")
    assert "方案中没有因素使用这一列" in caught.value.render("zh")
    with pytest.raises(fa.SchemeError) as caught:
        manipulability(table, one_factor(), column="x", overstatement=-1)
    assert "expected a finite overstatement above −1" in caught.value.render("en")
    assert "多报比例应为大于 −1 的有限数" in caught.value.render("zh")
    with pytest.raises(fa.DataError):
        manipulability(table, one_factor(), column="nope")
    result = manipulability(table, one_factor(), column="x")
    assert list(result.to_dataframe().columns) == [
        "region",
        "before rounding (万元)",
        "gain (万元)",
        "relative gain",
    ]
    with using("zh"):
        frame = result.to_dataframe()
        html = result._repr_html_()
    assert list(frame.columns) == ["地区", "取整前金额（万元）", "收益（万元）", "相对收益"]
    assert "可操纵性：单独把 x 多报 1% 的收益" in html


# ------------------------------------------------------------------- rounding stability


def test_rounding_stability_of_a_tie_is_a_coin_toss() -> None:
    """Two equal regions split 3 万元: 1.5 each, the tie broken by the documented rule.
    Under any noise the larger value takes the odd 万元, so each region's rounded amount
    changes in about half of the draws, and always together (the total is fixed)."""
    table = fa.RegionTable.from_columns({"id": ["a", "b"], "x": [1.0, 1.0]}, id="id")
    result = rounding_stability(
        table, one_factor(total=3), columns=["x"], noise=0.01, draws=200, seed=3
    )
    assert sorted(result.amounts.tolist()) == [1, 2]
    a, b = result.of("a"), result.of("b")
    assert a == b
    assert 0.34 < a < 0.66  # binomial(200, 1/2): 4.5 standard errors either side
    assert result.mean_abs_change.tolist() == [a, a]  # a change is always one 万元


def test_rounding_stability_without_noise_or_with_an_unused_column_changes_nothing() -> None:
    scheme = fa.load_scheme(EXAMPLE / "scheme.toml").scheme
    table = fa.read_table(EXAMPLE / "data.csv", id="地区")
    allocation = fa.allocate(table, scheme)
    none = rounding_stability(allocation, columns=["少数民族贫困人口"], noise=0.0, draws=3, seed=0)
    assert (none.changed == 0).all()
    assert dict(zip(none.ids, none.amounts, strict=True)) == {
        r: float(v) for r, v in allocation.amounts.items()
    }
    noisy = rounding_stability(
        allocation, columns=["少数民族贫困人口"], noise=0.02, draws=20, seed=0
    )
    again = rounding_stability(
        allocation, columns=["少数民族贫困人口"], noise=0.02, draws=20, seed=0
    )
    assert (noisy.changed == again.changed).all()  # seeded
    # the cities at the cap and the floor keep their amount; others move
    held = {
        r for r, h in zip(allocation.trace.ids, allocation.trace.holds, strict=True) if h in (1, 2)
    }
    assert held and all(noisy.of(r) == 0 for r in held)
    assert noisy.changed.max() > 0


def test_rounding_stability_messages_in_both_languages() -> None:
    table = fa.RegionTable.from_columns({"id": ["a", "b"], "x": [1, 3]}, id="id")
    with pytest.raises(fa.DataError) as caught:
        rounding_stability(table, one_factor(), columns=[])
    assert "expected at least one column to perturb" in caught.value.render("en")
    assert "至少应给出一个要扰动的列" in caught.value.render("zh")
    with pytest.raises(fa.SchemeError) as caught:
        rounding_stability(table, one_factor(), columns=["x"], draws=0)
    assert "expected a whole number of draws >= 1" in caught.value.render("en")
    assert "抽样次数应为不小于 1 的整数" in caught.value.render("zh")
    result = rounding_stability(table, one_factor(), columns=["x"], draws=5, seed=1)
    with using("zh"):
        frame = result.to_dataframe()
        html = result._repr_html_()
    assert list(frame.columns) == [
        "地区",
        "公布金额（万元）",
        "取整结果变化的概率",
        "平均变化（万元）",
    ]
    assert "取整稳定性：对 x 加相对噪声 0.01，5 次抽样" in html
    assert list(result.to_dataframe().columns) == [
        "region",
        "published (万元)",
        "probability of a change",
        "mean absolute change (万元)",
    ]
    assert np.isfinite(result.mean_abs_change).all()


def test_plots_sort_the_regions_and_speak_the_language(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    table = fa.RegionTable.from_columns({"id": ["a", "b", "c"], "x": [1, 5, 3]}, id="id")
    result = manipulability(table, one_factor(), column="x")
    ax = result.plot(top=2)
    gains = sorted(result.gain.tolist(), reverse=True)[:2]
    assert [float(p.get_width()) for p in ax.containers[0]] == pytest.approx(gains)
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "b",
        "c",
    ]  # gain ≈ δ x (X − x) / X²: 20, 18, 8 (× 100 δ / 81)
    assert ax.get_xlabel() == "gain (万元)"
    ax.figure.savefig(tmp_path / "gain.png")
    plt.close(ax.figure)
    stability = rounding_stability(table, one_factor(), columns=["x"], draws=5, seed=0)
    with using("zh"):
        ax = stability.plot()
    assert ax.get_xlabel() == "取整结果变化的概率"
    assert len(ax.containers[0]) == 3
    plt.close(ax.figure)


def test_rounding_stability_is_the_same_with_an_executor() -> None:
    """Draws handed to a process pool in tasks give the very same result (seeded streams)."""
    from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

    scheme = fa.load_scheme(EXAMPLE / "scheme.toml").scheme
    table = fa.read_table(EXAMPLE / "data.csv", id="地区")
    allocation = fa.allocate(table, scheme)
    settings = {"columns": ["少数民族贫困人口"], "noise": 0.02, "draws": 12, "seed": 5}
    here = rounding_stability(allocation, **settings)  # type: ignore[arg-type]
    calls: list[tuple[int, int]] = []
    with ProcessPoolExecutor(max_workers=2) as pool:
        there = rounding_stability(
            allocation,
            executor=pool,
            draws_per_task=5,
            callback=lambda done, total: calls.append((done, total)),
            **settings,  # type: ignore[arg-type]
        )
    with ThreadPoolExecutor(max_workers=2) as pool:
        threads = rounding_stability(allocation, executor=pool, **settings)  # type: ignore[arg-type]
    assert (here.changed == there.changed).all() and (here.changed == threads.changed).all()
    assert (here.mean_abs_change == there.mean_abs_change).all()
    assert here.changed.max() > 0  # the draws do move amounts: the comparison means something
    assert calls == [(5, 12), (10, 12), (12, 12)]
    with pytest.raises(fa.SchemeError) as caught:
        rounding_stability(allocation, draws_per_task=0, **settings)  # type: ignore[arg-type]
    assert "抽样次数应为不小于 1 的整数" in caught.value.render("zh")
