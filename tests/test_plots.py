"""fundalloc.plots: the drawn bars and lines carry the allocation's numbers exactly.

Region names are Chinese and the test machine may have no CJK font, so matplotlib's
"Glyph ... missing from font(s)" warning is ignored here (and only that one).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt

import fundalloc as fa
from fundalloc import plots
from fundalloc.errors import DataError, DependencyError, SchemeError

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [
    pytest.mark.filterwarnings("ignore:Glyph .* missing from font"),
    pytest.mark.filterwarnings("ignore::fundalloc.plots.CJKFontWarning"),
]


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def shandong() -> fa.Allocation:
    loaded = fa.load_scheme(ROOT / "examples" / "shandong_2018" / "scheme.toml")
    path = loaded.data_path()
    assert path is not None
    return fa.allocate(fa.read_table(path, id="地区"), loaded.scheme)


def _floored() -> fa.Allocation:
    """Targets 80, 10, 10 of 100; a floor of 20 lifts b and c by 10 each, which a pays:
    λ = 0.75 makes a's 80 into 60 (an adjustment of −20)."""
    table = fa.RegionTable.from_columns({"id": ["a", "b", "c"], "poor": [8, 1, 1]}, id="id")
    scheme = fa.Scheme(
        total=100,
        tranches=[
            fa.Tranche(
                name="因素",
                share=1,
                factors=[fa.Factor(name="贫困人口", rule=fa.Share(column="poor"), weight=1)],
            )
        ],
        bounds=[fa.Floor(name="保底 20", amount=20)],
    )
    return fa.allocate(table, scheme)


def _widths(container: Any) -> list[float]:
    return [float(p.get_width()) for p in container]


def _by_label(ax: Any) -> dict[str, Any]:
    return {c.get_label(): c for c in ax.containers}


# ------------------------------------------------------------------ contributions
def test_contributions_segments_are_the_hand_computed_items() -> None:
    ax = plots.contributions(_floored(), lang="en")
    bars = _by_label(ax)
    assert list(bars) == ["贫困人口", "floor", "proportional adjustment", "rounding"]
    assert _widths(bars["贫困人口"]) == pytest.approx([80, 10, 10])
    assert _widths(bars["floor"]) == pytest.approx([0, 10, 10])
    assert _widths(bars["proportional adjustment"]) == pytest.approx([-20, 0, 0])
    assert _widths(bars["rounding"]) == pytest.approx([0, 0, 0])
    # the floor stacks after the factor; a's negative adjustment hangs left of zero
    assert [float(p.get_x()) for p in bars["floor"]] == pytest.approx([0, 10, 10])
    cut = bars["proportional adjustment"][0]
    assert float(cut.get_x()) == 0 and float(cut.get_x() + cut.get_width()) == pytest.approx(-20)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b", "c"]
    (ticks,) = [line for line in ax.get_lines() if line.get_label() == "amount"]
    assert list(ticks.get_xdata()) == [60, 20, 20]


def test_contributions_reconcile_to_every_amount(shandong: fa.Allocation) -> None:
    ax = plots.contributions(shandong, lang="zh")
    regions = list(shandong.amounts)
    assert [t.get_text() for t in ax.get_yticklabels()] == regions
    # each series holds, region by region, the sum of the items of its kind
    expected: dict[str, np.ndarray] = {}
    for r, region in enumerate(regions):
        for item in shandong.breakdown[region].items:
            key = (
                plots.WORDS["zh"][item.stage]
                if item.stage in ("floor", "cap", "adjustment", "rounding")
                else f"{item.tranche} · "
                + (item.name if item.stage == "factor" else f"调节系数（{item.name}）")
            )
            expected.setdefault(key, np.zeros(len(regions)))[r] += float(item.amount)
    bars = _by_label(ax)
    assert set(bars) == set(expected)
    assert {"保底", "封顶", "比例调整", "取整"} <= set(bars)
    for label, values in expected.items():
        assert _widths(bars[label]) == pytest.approx(values.tolist(), abs=1e-9), label
    # positives stack right of zero, negatives left of it, and together make the amount
    for r, region in enumerate(regions):
        patches = [c[r] for c in ax.containers]
        right = sorted(
            (float(p.get_x()), float(p.get_width())) for p in patches if p.get_width() > 0
        )
        left = sorted(
            ((float(p.get_x()), float(p.get_width())) for p in patches if p.get_width() < 0),
            reverse=True,
        )
        edge = 0.0
        for x, w in right:
            assert x == pytest.approx(edge)
            edge += w
        edge = 0.0
        for x, w in left:
            assert x == pytest.approx(edge)
            edge += w
        total = sum(float(p.get_width()) for p in patches)
        assert total == pytest.approx(float(shandong.amounts[region]), abs=1e-9)


def test_contributions_top_and_vertical(shandong: fa.Allocation) -> None:
    amounts = shandong.amounts
    ax = plots.contributions(shandong, top=4, orientation="vertical", lang="zh")
    shown = [t.get_text() for t in ax.get_xticklabels()]
    # 济宁, 临沂 and 聊城 are all held at the 12% cap (446); ties keep table order
    assert shown == ["济宁市", "临沂市", "聊城市", "德州市"]
    assert [amounts[r] for r in shown] == [Decimal(446)] * 3 + [Decimal(403)]
    heights = np.array([[float(p.get_height()) for p in c] for c in ax.containers])
    assert heights.sum(axis=0) == pytest.approx([446, 446, 446, 403])
    (ticks,) = [line for line in ax.get_lines() if line.get_label() == "分配额"]
    assert list(ticks.get_ydata()) == [446, 446, 446, 403]


def test_contributions_draw_on_the_given_axes(shandong: fa.Allocation) -> None:
    figure, (left, right) = plt.subplots(1, 2)
    before = plt.get_fignums()
    assert plots.contributions(shandong, ax=right) is right
    assert plt.get_fignums() == before and not left.containers
    figure.canvas.draw()


@pytest.mark.parametrize(
    ("settings", "where"),
    [
        ({"top": 0}, "top"),
        ({"top": 2.5}, "top"),
        ({"orientation": "diagonal"}, "orientation"),
        ({"lang": "fr"}, "lang"),
    ],
)
def test_contributions_reject_bad_settings(
    shandong: fa.Allocation, settings: dict[str, Any], where: str
) -> None:
    with pytest.raises(SchemeError) as info:
        plots.contributions(shandong, **settings)
    assert info.value.problems[0].where == where


# ------------------------------------------------------------------ waterfall
def test_waterfall_runs_from_zero_through_every_item(shandong: fa.Allocation) -> None:
    parts = shandong.breakdown["济宁市"]
    ax = plots.waterfall(shandong, "济宁市", lang="zh")
    steps, final = ax.containers
    values = [float(i.amount) for i in parts.items]
    assert _widths(steps) == pytest.approx(values)
    assert [float(p.get_x()) for p in steps] == pytest.approx(np.cumsum([0, *values[:-1]]))
    assert float(final[0].get_x()) == 0
    assert float(final[0].get_width()) == 446
    last = steps[len(values) - 1]
    assert float(last.get_x() + last.get_width()) == pytest.approx(446)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[-1] == "分配额"
    assert labels[0] == "贫困人口因素 · 贫困人口规模"
    assert "封顶（单市不超过总额 12%）" in labels and "取整（最大余额法）" in labels
    written = [t.get_text() for t in ax.texts]
    assert written[-1] == "446" and "−29.7" in written


def test_waterfall_vertical_and_in_english() -> None:
    ax = plots.waterfall(_floored(), "b", orientation="vertical", lang="en")
    steps, final = ax.containers
    assert [float(p.get_height()) for p in steps] == pytest.approx([10, 10, 0])
    assert [float(p.get_y()) for p in steps] == pytest.approx([0, 10, 20])
    assert float(final[0].get_height()) == 20
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "贫困人口",
        "floor (保底 20)",
        "rounding (largest remainder)",
        "amount",
    ]
    ax.figure.canvas.draw()


def test_waterfall_unknown_region_names_the_closest(shandong: fa.Allocation) -> None:
    with pytest.raises(DataError, match="济宁市"):
        plots.waterfall(shandong, "济宁")


# ------------------------------------------------------------------ lorenz
def _curve(**changes: Any) -> SimpleNamespace:
    values = {
        "population_share": np.array([0.0, 0.25, 0.5, 1.0]),
        "amount_share": np.array([0.0, 0.1, 0.3, 1.0]),
        "gini": 0.325,
    }
    return SimpleNamespace(**{**values, **changes})


def test_lorenz_draws_the_curve_given_and_the_line_of_equality() -> None:
    ax = plots.lorenz(_curve(), lang="zh")
    curve, equality = ax.get_lines()
    assert list(curve.get_xdata()) == [0.0, 0.25, 0.5, 1.0]
    assert list(curve.get_ydata()) == [0.0, 0.1, 0.3, 1.0]
    assert list(equality.get_xdata()) == [0, 1] and list(equality.get_ydata()) == [0, 1]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["洛伦兹曲线（基尼系数 0.325）", "绝对平均线"]
    assert ax.get_xlim() == (0, 1) and ax.get_ylim() == (0, 1)


def test_lorenz_compares_curves_on_one_axes_with_one_equality_line() -> None:
    ax = plots.lorenz(_curve(), label="A {gini:.2f}", lang="en")
    plots.lorenz(_curve(gini=0.1, amount_share=[0, 0.2, 0.45, 1]), ax=ax, label="B {gini:.2f}")
    assert [line.get_label() for line in ax.get_lines()] == ["A 0.33", "line of equality", "B 0.10"]
    ax.figure.canvas.draw()


@pytest.mark.parametrize(
    ("curve", "where"),
    [
        (SimpleNamespace(population_share=[0, 1], gini=0.0), "curve"),
        (_curve(amount_share=np.array([0.0, 0.5, 1.0])), "curve"),
        (_curve(population_share=np.array([0.0, 0.5, 2.0, 3.0])), "curve.population_share"),
        (_curve(amount_share=np.array([0.0, np.nan, 0.5, 1.0])), "curve.amount_share"),
        (_curve(amount_share=np.array([1.0])), "curve.amount_share"),
        (_curve(gini=float("nan")), "curve.gini"),
        (_curve(gini="high"), "curve.gini"),
    ],
)
def test_lorenz_rejects_what_is_not_a_curve(curve: object, where: str) -> None:
    with pytest.raises(DataError) as info:
        plots.lorenz(curve)  # type: ignore[arg-type]
    assert info.value.problems[0].where == where


def test_lorenz_of_the_fairness_module(shandong: fa.Allocation) -> None:
    fairness = pytest.importorskip("fundalloc.analysis.fairness")
    curve = fairness.lorenz(shandong)
    ax = plots.lorenz(curve)
    (line, _) = ax.get_lines()
    assert list(line.get_xdata()) == pytest.approx(list(curve.population_share))
    assert list(line.get_ydata()) == pytest.approx(list(curve.amount_share))


# ------------------------------------------------------------------ tornado
def test_tornado_sorts_by_swing_and_centres_on_the_base() -> None:
    rows = {"a": (99.0, 101.0), "b": (90.0, 120.0), "c": (104.0, 96.0), "d": (101.0, 99.0)}
    ax = plots.tornado(rows, base=Decimal(100), lang="en")
    # swings: b 30, c 8, then a and d 2 each in the order given
    assert [t.get_text() for t in ax.get_yticklabels()] == ["b", "c", "a", "d"]
    lowered, raised = ax.containers
    assert lowered.get_label() == "input lowered" and raised.get_label() == "input raised"
    assert _widths(lowered) == pytest.approx([-10, 4, -1, 1])
    assert _widths(raised) == pytest.approx([20, -4, 1, -1])
    assert {float(p.get_x()) for p in (*lowered, *raised)} == {100.0}
    assert ax.get_ylim()[0] > ax.get_ylim()[1]  # the first row on top
    ax.figure.canvas.draw()


def test_tornado_top_keeps_the_widest() -> None:
    ax = plots.tornado({"a": (1, 2), "b": (0, 5), "c": (2, 2)}, base=1.5, top=2)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["b", "a"]


@pytest.mark.parametrize(
    ("rows", "base", "where"),
    [
        ({}, 1.0, "rows"),
        ({"a": (1.0,)}, 1.0, "rows['a']"),
        ({"a": (1.0, float("inf"))}, 1.0, "rows['a']"),
        ({"a": (1.0, 2.0)}, float("nan"), "base"),
    ],
)
def test_tornado_rejects_bad_rows(rows: Any, base: float, where: str) -> None:
    with pytest.raises(DataError) as info:
        plots.tornado(rows, base=base)
    assert info.value.problems[0].where == where


def test_tornado_of_the_sensitivity_module(shandong: fa.Allocation) -> None:
    sensitivity = pytest.importorskip("fundalloc.analysis.sensitivity")
    rows = sensitivity.tornado(shandong, region="德州市")
    base = float(shandong.trace.bounded[shandong.trace.ids.index("德州市")])
    ax = plots.tornado(rows, base=base)
    widest = sorted(rows, key=lambda label: -abs(rows[label][1] - rows[label][0]))
    assert [t.get_text() for t in ax.get_yticklabels()] == widest
    lowered, raised = ax.containers
    assert _widths(lowered) == pytest.approx([rows[label][0] - base for label in widest])
    assert _widths(raised) == pytest.approx([rows[label][1] - base for label in widest])


# ------------------------------------------------------------------ the package around them
def test_nothing_global_changes(shandong: fa.Allocation) -> None:
    before = dict(plt.rcParams)
    plots.contributions(shandong)
    plots.waterfall(shandong, "东营市")
    plots.lorenz(_curve())
    plots.tornado({"a": (1, 2)}, base=1.5)
    assert dict(plt.rcParams) == before


def test_missing_matplotlib_says_how_to_install_it(
    shandong: fa.Allocation, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    monkeypatch.setitem(sys.modules, "matplotlib.font_manager", None)
    calls = [
        lambda: plots.contributions(shandong),
        lambda: plots.waterfall(shandong, "济宁市"),
        lambda: plots.lorenz(_curve()),
        lambda: plots.tornado({"a": (1, 2)}, base=1),
        plots.cjk_font,
    ]
    for call in calls:
        with pytest.raises(DependencyError, match=r"pip install 'fundalloc\[plot\]'"):
            call()


def test_importing_the_module_does_not_import_matplotlib() -> None:
    code = "import sys, fundalloc.plots; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_cjk_font_prefers_the_listed_order(monkeypatch: pytest.MonkeyPatch) -> None:
    from matplotlib import font_manager

    fonts = [SimpleNamespace(name=n) for n in ("DejaVu Sans", "SimHei", "Noto Sans CJK SC")]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", fonts)
    assert plots.cjk_font() == "Noto Sans CJK SC"
    monkeypatch.setattr(font_manager.fontManager, "ttflist", fonts[:1])
    monkeypatch.setattr(plots, "_register_system_cjk_fonts", lambda: False)
    assert plots.cjk_font() is None


def test_a_cjk_font_installed_after_the_font_cache_is_found(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from matplotlib import font_manager

    system = [p for p in font_manager.findSystemFonts() if plots._CJK_FILES.search(Path(p).name)]
    if not system:
        pytest.skip("no CJK font file on this machine (apt-get install fonts-noto-cjk)")
    stale = [
        f
        for f in font_manager.fontManager.ttflist
        if not plots._CJK_FILES.search(Path(f.fname).name)
    ]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", stale)  # a cache from before
    assert plots.cjk_font() in plots.CJK_FONTS


def test_the_docs_pictures_script_draws_all_four(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("make_plots", ROOT / "docs/img/make_plots.py")
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    written = script.draw(tmp_path, None)
    assert sorted(p.name for p in written) == [
        "contributions.png",
        "lorenz.png",
        "tornado.png",
        "waterfall.png",
    ]
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in written)


def test_chinese_labels_draw_in_a_cjk_font_without_any_setting(shandong: fa.Allocation) -> None:
    import io
    import warnings

    font = plots.cjk_font()
    if font is None:
        pytest.skip("no CJK font installed (apt-get install fonts-noto-cjk)")
    before = dict(plt.rcParams)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph ... missing" for a box
        for ax in (
            plots.contributions(shandong, lang="zh"),
            plots.waterfall(shandong, "济南市", lang="zh"),
        ):
            ax.figure.savefig(io.BytesIO(), format="png")
            labels = [*ax.get_yticklabels(), *ax.get_xticklabels()]
            assert all(t.get_fontfamily()[0] == font for t in labels)
    assert dict(plt.rcParams) == before  # no global setting changed


def test_without_a_cjk_font_the_plot_says_how_to_install_one(
    shandong: fa.Allocation, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(plots, "cjk_font", lambda: None)
    with pytest.warns(plots.CJKFontWarning, match="fonts-noto-cjk"):
        plots.waterfall(shandong, "济南市", lang="en")  # the region's name is Chinese


def test_the_words_follow_the_current_language(shandong: fa.Allocation) -> None:
    from fundalloc.i18n import using

    with using("zh"):
        assert plots.lorenz(_curve()).get_legend_handles_labels()[1][1] == "绝对平均线"
    with using("en"):
        assert plots.lorenz(_curve()).get_legend_handles_labels()[1][1] == "line of equality"
