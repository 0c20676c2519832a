"""fundalloc.analysis.explore: the widget driven from Python, headless.

Each test moves a slider the way a user does (setting its ``value`` on the widget's model)
and checks what is shown against :func:`fundalloc.allocate` run on a scheme with the moved
weights, built here independently of the explorer. The test machine may have no CJK font,
so matplotlib's "Glyph ... missing" warning is ignored (as in test_plots.py).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt

import fundalloc as fa
from fundalloc.analysis import with_weights
from fundalloc.analysis.explore import Explorer, explore
from fundalloc.errors import DependencyError, SchemeError
from fundalloc.i18n import using

pytest.importorskip("ipywidgets")

ROOT = Path(__file__).resolve().parents[1]
SHANDONG = ROOT / "examples" / "shandong_2018"
pytestmark = [
    pytest.mark.filterwarnings("ignore:Glyph .* missing from font"),
    pytest.mark.filterwarnings("ignore::fundalloc.plots.CJKFontWarning"),
]


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def shandong() -> tuple[fa.RegionTable, fa.Scheme, fa.Allocation]:
    scheme = fa.load_scheme(SHANDONG / "scheme.toml").scheme
    table = fa.read_table(SHANDONG / "data.csv", id="地区")
    return table, scheme, fa.allocate(table, scheme)


def _cells(table_html: str) -> list[list[str]]:
    rows = re.findall(r"<tr>(.*?)</tr>", table_html)
    return [re.findall(r"<t[dh]>(.*?)</t[dh]>", row) for row in rows]


def _tranche_weights(scheme: fa.Scheme, tranche: str) -> dict[str, float]:
    [found] = [t for t in scheme.tranches if t.name == tranche]
    return {f.name: float(f.weight) for f in found.factors}


def test_moving_a_slider_shows_what_allocate_gives(shandong: Any) -> None:
    table, scheme, base = shandong
    explorer = explore(base)
    slider = explorer._sliders["贫困人口因素/贫困人口规模"]
    slider.value = 0.5  # as the browser would set it
    # the others of the tranche keep their ratios and fill the rest: 0.25 : 0.2 : 0.2 of 0.65
    old = _tranche_weights(scheme, "贫困人口因素")
    rest = 1 - old["贫困人口规模"]
    expected = {name: 0.5 if name == "贫困人口规模" else w * 0.5 / rest for name, w in old.items()}
    moved = with_weights(scheme, expected, tranche="贫困人口因素")
    want = fa.allocate(table, moved)
    assert explorer.view.amounts == want.amounts
    assert sum(explorer.view.amounts.values()) == 3717
    assert explorer.view.amounts != base.amounts  # the move changed something
    # the other sliders of the tranche were moved, and still add up to 1
    sliders = explorer._sliders
    tranche = [v for k, v in sliders.items() if k.startswith("贫困人口因素/")]
    assert sum(s.value for s in tranche) == pytest.approx(1.0, abs=1e-12)
    for name, w in expected.items():
        assert sliders[f"贫困人口因素/{name}"].value == pytest.approx(w, abs=1e-12)
    # the other tranche did not move
    for name, w in _tranche_weights(scheme, "重点民族村发展").items():
        assert sliders[f"重点民族村发展/{name}"].value == pytest.approx(w)
    # the table shown holds the same numbers: baseline, amount, change
    cells = _cells(explorer._table.value)
    assert len(cells) == 1 + len(table.ids)
    for region, baseline, amount, change in cells[1:]:
        assert Decimal(baseline.replace(",", "")) == base.amounts[region]
        assert Decimal(amount.replace(",", "")) == want.amounts[region]
        assert Decimal(change.replace(",", "")) == want.amounts[region] - base.amounts[region]


def test_every_weight_at_every_grid_point_matches_allocate(shandong: Any) -> None:
    # Shandong's scheme has a floor (60) and a cap (12%) that bind at some of these points
    table, _, base = shandong
    explorer = Explorer(base)
    floors = caps = 0
    for label in explorer.model.labels:
        for value in (0.0, 0.15, 0.5, 0.9, 1.0):
            explorer.weights = explorer.model.weights.copy()
            view = explorer.set_weight(label, value)
            want = fa.allocate(table, explorer.scheme())
            assert view.amounts == want.amounts, (label, value)
            floors += Decimal(60) in view.amounts.values()
            caps += Decimal(446) in view.amounts.values()  # 12% of 3717, whole 万元
    assert floors and caps  # the grid reaches both bounds


def test_contributions_add_up_to_the_amounts(shandong: Any) -> None:
    _, _, base = shandong
    explorer = Explorer(base)
    view = explorer.set_weight("重点民族村发展/已退出重点民族村", 0.3)
    total = sum(view.contributions.values())
    amounts = [float(a) for a in view.amounts.values()]
    assert total == pytest.approx(amounts, abs=1e-9)
    assert set(explorer.model.labels) <= set(view.contributions)


def test_the_plot_is_redrawn_on_a_move(shandong: Any) -> None:
    _, _, base = shandong
    explorer = explore(base)
    before = bytes(explorer._plot.value)
    assert before.startswith(b"\x89PNG")
    explorer._sliders["重点民族村发展/已退出重点民族村"].value = 0.1
    after = bytes(explorer._plot.value)
    assert after.startswith(b"\x89PNG") and after != before


def test_export_writes_a_scheme_file_that_reproduces_the_amounts(
    shandong: Any, tmp_path: Path
) -> None:
    table, _, base = shandong
    explorer = explore(base)
    explorer._sliders["贫困人口因素/贫困发生率"].value = 0.42
    explorer._path_box.value = str(tmp_path / "moved.toml")
    explorer._button.click()
    loaded = fa.load_scheme(tmp_path / "moved.toml")
    assert fa.allocate(table, loaded.scheme).amounts == explorer.view.amounts
    assert _tranche_weights(loaded.scheme, "贫困人口因素")["贫困发生率"] == pytest.approx(0.42)
    assert str(tmp_path / "moved.toml") in explorer._status.value
    with using("zh"):
        explorer._button.click()
        assert "已写入方案文件" in explorer._status.value


def test_a_weight_whose_others_are_zero_shares_the_rest_equally() -> None:
    table = fa.RegionTable.from_columns(
        {"id": ["a", "b"], "x": [1, 3], "y": [1, 1], "z": [2, 1]}, id="id"
    )
    scheme = fa.Scheme(
        total=100,
        tranches=[
            fa.Tranche(
                name="T",
                share=1,
                factors=[
                    fa.Factor(name=c, rule=fa.Share(column=c), weight=w)
                    for c, w in (("x", 1.0), ("y", 0.0), ("z", 0.0))
                ],
            )
        ],
    )
    explorer = explore(fa.allocate(table, scheme))
    explorer._sliders["T/x"].value = 0.4
    assert [s.value for s in explorer._sliders.values()] == pytest.approx([0.4, 0.3, 0.3])
    want = fa.allocate(table, with_weights(scheme, {"x": 0.4, "y": 0.3, "z": 0.3}))
    assert explorer.view.amounts == want.amounts


def test_bad_moves_are_scheme_errors_in_both_languages(shandong: Any) -> None:
    _, _, base = shandong
    explorer = Explorer(base)
    with pytest.raises(SchemeError) as err:
        explorer.moved("贫困人口因素/贫困发生率", 1.5)
    assert "1.5" in err.value.render("en") and "1.5" in err.value.render("zh")
    with pytest.raises(SchemeError) as err:
        explorer.moved("贫困人口因素/贫困发生", 0.5)
    assert "贫困人口因素/贫困发生率" in err.value.render("en")


def test_table_headers_in_chinese_by_default_and_in_english(shandong: Any) -> None:
    _, _, base = shandong
    explorer = Explorer(base)
    with using("zh"):
        assert _cells(explorer.table_html())[0] == [
            "地区",
            "基准（万元）",
            "金额（万元）",
            "变化（万元）",
        ]
    with using("en"):
        assert _cells(explorer.table_html())[0] == [
            "region",
            "baseline (万元)",
            "amount (万元)",
            "change (万元)",
        ]


def test_without_ipywidgets_the_error_says_how_to_install(
    shandong: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, _, base = shandong
    monkeypatch.setitem(sys.modules, "ipywidgets", None)
    with pytest.raises(DependencyError) as err:
        explore(base)
    assert "pip install 'fundalloc[explore]'" in err.value.render("en")
    assert "pip install 'fundalloc[explore]'" in err.value.render("zh")
    assert "安装" in err.value.render("zh")
    # the computation itself needs no widgets
    assert Explorer(base).view.amounts == base.amounts


def _with_tier(scheme: fa.Scheme, tier: str, value: float) -> fa.Scheme:
    """The Shandong scheme with one tier of its poverty coefficient changed (built by hand)."""
    poverty = scheme.tranches[0]
    [coefficient] = poverty.coefficients
    rule = coefficient.rule.replace(tiers={**coefficient.rule.tiers, tier: value})
    poverty = poverty.replace(coefficients=[coefficient.replace(rule=rule)])
    return scheme.replace(tranches=[poverty, *scheme.tranches[1:]])


def test_a_tier_slider_shows_what_allocate_gives(shandong: Any) -> None:
    table, scheme, base = shandong
    explorer = explore(base)
    label = "贫困人口因素/农村少数民族贫困人口系数[一档]"
    assert explorer.tiers[label] == 1.1
    explorer._tier_sliders[label].value = 1.4
    want = fa.allocate(table, _with_tier(scheme, "一档", 1.4))
    assert explorer.view.amounts == want.amounts != base.amounts
    # the weight sliders still work from there, against the moved tier
    explorer._sliders["贫困人口因素/贫困发生率"].value = 0.5
    rest = 1 - 0.2
    moved = {
        name: 0.5 if name == "贫困发生率" else w * 0.5 / rest
        for name, w in _tranche_weights(scheme, "贫困人口因素").items()
    }
    want = fa.allocate(
        table, with_weights(_with_tier(scheme, "一档", 1.4), moved, tranche="贫困人口因素")
    )
    assert explorer.view.amounts == want.amounts
    # the change is still from the original baseline
    region = "济南市"
    assert explorer.view.changes[region] == want.amounts[region] - base.amounts[region]


def test_floor_and_cap_sliders_show_what_allocate_gives(shandong: Any) -> None:
    table, scheme, base = shandong
    explorer = explore(base)
    assert explorer.limits == {"每市保底 60 万元": 60.0, "单市不超过总额 12%": 0.12}
    explorer._limit_sliders["每市保底 60 万元"].value = 100
    explorer._limit_sliders["单市不超过总额 12%"].value = 0.1
    moved = scheme.replace(
        bounds=[
            scheme.bounds[0].replace(amount=Decimal(100)),
            scheme.bounds[1].replace(share=0.1),
        ]
    )
    want = fa.allocate(table, moved)
    assert explorer.view.amounts == want.amounts
    assert min(a for a in want.amounts.values() if a > 0) == 100  # the floor binds
    assert max(want.amounts.values()) == Decimal("371")  # 10% of 3717, whole 万元


def test_a_floor_the_total_cannot_hold_is_refused_and_the_slider_goes_back(
    shandong: Any,
) -> None:
    _, _, base = shandong
    explorer = explore(base)
    slider = explorer._limit_sliders["每市保底 60 万元"]
    before = dict(explorer.view.amounts)
    slider.value = 1000  # 15 cities × 1000 > 3717
    assert slider.value == 60
    assert explorer.view.amounts == before
    assert explorer.limits["每市保底 60 万元"] == 60.0
    assert "this value was not taken" in explorer._status.value
    assert "3,717" in explorer._status.value
    with using("zh"):
        slider.value = 1000
        assert "未采用这个值" in explorer._status.value and slider.value == 60


def test_unknown_tier_or_bound_labels_are_scheme_errors(shandong: Any) -> None:
    _, _, base = shandong
    explorer = Explorer(base)
    with pytest.raises(SchemeError) as err:
        explorer.set_tier("贫困人口因素/农村少数民族贫困人口系数[四档]", 1.0)
    assert "[一档]" in err.value.render("en") and "没有这个系数档次" in err.value.render("zh")
    with pytest.raises(SchemeError) as err:
        explorer.set_limit("每市保底", 1.0)
    assert "每市保底 60 万元" in err.value.render("en")
    assert "保底或封顶" in err.value.render("zh")


def test_random_moves_on_a_larger_problem_match_allocate() -> None:
    # 400 regions, a tiered coefficient, a binding floor and cap, and a 0.1 step: the float
    # rounding of the model must break the same ties as the pipeline's exact rounding
    rng = np.random.default_rng(15)
    n = 400
    table = fa.RegionTable.from_columns(
        {
            "id": [f"R{i:03d}" for i in range(n)],
            "pop": rng.lognormal(10, 1, n).round(),
            "poor": rng.integers(1, 5000, n),
            "area": rng.uniform(1, 100, n).round(1),
            "grade": list(rng.choice(["A", "B", "C"], n)),
        },
        id="id",
    )
    scheme = fa.Scheme(
        total=40_000,
        step=Decimal("0.1"),
        tranches=[
            fa.Tranche(
                name="T",
                share=1,
                factors=[
                    fa.Factor(name="pop", rule=fa.Share(column="pop"), weight=0.4),
                    fa.Factor(name="poor", rule=fa.Share(column="poor"), weight=0.4),
                    fa.Factor(name="area", rule=fa.Share(column="area"), weight=0.2),
                ],
                coefficients=[
                    fa.Coefficient(
                        name="g",
                        rule=fa.Tiered(column="grade", tiers={"A": 1.2, "B": 1.0, "C": 0.8}),
                    )
                ],
            )
        ],
        bounds=[fa.Floor(amount=40), fa.Cap(share=0.01)],
    )
    explorer = Explorer(fa.allocate(table, scheme))
    for _ in range(15):
        label = str(rng.choice(explorer.model.labels))
        view = explorer.set_weight(label, float(rng.uniform(0, 1)))
        assert view.amounts == fa.allocate(table, explorer.scheme()).amounts, label
    assert Decimal(40) in view.amounts.values() and Decimal(400) in view.amounts.values()


def test_the_drawn_bars_add_up_to_the_largest_amounts(shandong: Any) -> None:
    _, _, base = shandong
    explorer = Explorer(base, top=5)
    view = explorer.set_weight("贫困人口因素/贫困人口规模", 0.6)
    ax = explorer.figure().axes[0]
    largest = sorted(view.amounts.items(), key=lambda item: -item[1])[:5]
    assert [t.get_text() for t in ax.get_yticklabels()] == [r for r, _ in largest]
    labels = [c.get_label() for c in ax.containers]
    assert labels == list(view.contributions)  # one series per item, in order
    for row, (_, amount) in enumerate(largest):
        segments = sum(c.patches[row].get_width() for c in ax.containers)
        assert segments == pytest.approx(float(amount), abs=1e-9)
