"""Plots of an allocation and of its analyses (the ``plot`` extra: matplotlib).

Four pictures, each drawn on a matplotlib ``Axes`` and returned, so they compose with
anything else on a figure:

- :func:`contributions`: every region's amount as stacked bars of its breakdown items
  (factor contributions per tranche, coefficients, bounds, rounding), negative items below
  zero, the final amount marked;
- :func:`waterfall`: one region's amount built up item by item from zero;
- :func:`lorenz`: a Lorenz curve with the line of equality and the Gini coefficient;
- :func:`tornado`: how far an amount moves when each input is lowered or raised, the
  widest swing on top.

Pass ``ax`` to draw on an existing ``Axes``; without it each function makes a new figure
(with constrained layout) and draws on that. matplotlib is imported only when a function
is called; without it they raise :class:`~fundalloc.errors.DependencyError` saying
``pip install 'fundalloc[plot]'``.

Chinese labels
--------------
Region names and the words of ``lang="zh"`` are Chinese, which matplotlib's default font
(DejaVu Sans) cannot draw: it shows boxes and warns ``Glyph ... missing from font(s)``.
Each function therefore gives the texts of its figure the first installed font of
:data:`CJK_FONTS` whenever any of them is Chinese (on the texts themselves: no global
setting changes, and the figure draws right wherever it is saved or shown). When none is
installed it warns (:class:`CJKFontWarning`) with how to install one: on Debian or Ubuntu
``apt-get install fonts-noto-cjk``, on Windows and macOS a Chinese font ships with the
system. To choose the font yourself for other figures, :func:`cjk_font` names the first
CJK font matplotlib knows of::

    import matplotlib.pyplot as plt
    from fundalloc import plots

    font = plots.cjk_font()  # e.g. "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC"
    with plt.rc_context({"font.family": "sans-serif",
                         "font.sans-serif": [font, "DejaVu Sans"]}):
        ax = plots.contributions(result)
        ax.figure.savefig("contributions.png", dpi=150)

The font must be known when the figure is *drawn* (saved or shown), so keep the drawing
inside the ``with`` block, or set ``plt.rcParams`` once at the top of a notebook. A font
installed after matplotlib built its font cache is not seen until the cache is rebuilt
(delete the folder ``matplotlib.get_cachedir()``) or the file is registered with
``matplotlib.font_manager.fontManager.addfont(path)``.
"""

from __future__ import annotations

import math
import os
import re
import warnings
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, Protocol

import numpy as np
import numpy.typing as npt

from fundalloc.errors import DataError, Problem, SchemeError
from fundalloc.i18n import CATALOGUE, LANGUAGES, language, text, tr
from fundalloc.money import format_amount
from fundalloc.optional import require
from fundalloc.result import METHOD_NAMES, STAGE_NAMES, Item

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.container import BarContainer

    from fundalloc.analysis.decompose import Decomposition
    from fundalloc.result import Allocation, RegionBreakdown

__all__ = [
    "CJK_FONTS",
    "WORDS",
    "CJKFontWarning",
    "LorenzCurve",
    "change_waterfall",
    "cjk_font",
    "contributions",
    "lorenz",
    "tornado",
    "waterfall",
]

FloatArray = npt.NDArray[np.float64]
Lang = Literal["zh", "en"]
Orientation = Literal["horizontal", "vertical"]

CJK_FONTS: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "Heiti SC",
    "STHeiti",
    "Arial Unicode MS",
    "Droid Sans Fallback",
    "Noto Serif CJK SC",
    "SimSun",
)
"""Fonts that draw Chinese, in the order :func:`cjk_font` prefers them (Linux, Windows, macOS)."""

_WORD_MESSAGES = {
    "amount": "analysis.plot_amount",
    "lowered": "analysis.plot_lowered",
    "raised": "analysis.plot_raised",
    "base": "analysis.plot_base",
    "curve": "analysis.plot_curve",
    "equality": "analysis.plot_equality",
    "population": "analysis.plot_population",
    "money": "analysis.plot_money",
}
WORDS: dict[str, dict[str, str]] = {
    lang: {
        **STAGE_NAMES[lang],
        **{word: CATALOGUE[key][k] for word, key in _WORD_MESSAGES.items()},
    }
    for k, lang in enumerate(LANGUAGES)
}
"""The words of the plots (stage names, legends, axis labels), per language."""

# the stages after the formula target, in the order they act
_AFTER_TARGET = ("floor", "cap", "group", "adjustment", "rounding")
_STAGE_COLOURS = {
    "floor": "#1b7837",
    "cap": "#b2182b",
    "group": "#762a83",
    "adjustment": "#8c8c8c",
    "rounding": "#404040",
}
_EQUALITY_GID = "fundalloc-equality"


class CJKFontWarning(UserWarning):
    """No CJK font is installed, so the Chinese in a plot would show as boxes."""


class LorenzCurve(Protocol):
    """What :func:`lorenz` draws: cumulative shares from 0 to 1 and the Gini coefficient
    (as :func:`fundalloc.analysis.fairness.lorenz` returns)."""

    @property
    def population_share(self) -> Any: ...

    @property
    def amount_share(self) -> Any: ...

    @property
    def gini(self) -> float: ...


# ------------------------------------------------------------------------------ helpers
def _pyplot() -> Any:
    return require("matplotlib.pyplot", "plot")


def _words(lang: str | None) -> dict[str, str]:
    """The plots' words in ``lang``, by default the current language (:mod:`fundalloc.i18n`)."""
    chosen = language() if lang is None else lang
    if chosen not in WORDS:
        raise SchemeError(
            Problem("lang", tr("analysis.expected_one_of", names=list(WORDS)), found=repr(chosen))
        )
    return WORDS[chosen]


def _check_orientation(orientation: str) -> bool:
    """True for horizontal bars."""
    if orientation not in ("horizontal", "vertical"):
        raise SchemeError(
            Problem("orientation", "expected 'horizontal' or 'vertical'", found=repr(orientation))
        )
    return orientation == "horizontal"


def _check_top(top: int | None) -> None:
    if top is not None and (isinstance(top, bool) or not isinstance(top, int) or top < 1):
        raise SchemeError(Problem("top", "expected a whole number >= 1 or None", found=repr(top)))


def _has_cjk(text: str) -> bool:
    return any(
        "\u3000" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\uff00" <= ch <= "\uffef"
        for ch in text
    )


def _finish(ax: Axes) -> Axes:
    """Give every text of the figure a CJK font when any of it is Chinese.

    The family is set on the texts themselves (and on the tick labels the axes make later),
    naming the font, so the figure draws right whatever ``rcParams`` say when it is saved or
    shown, and no global setting changes. Without a CJK font, a :class:`CJKFontWarning`
    says how to install one (the Chinese would show as boxes).
    """
    from matplotlib.text import Text

    texts = [t for t in ax.figure.findobj(Text) if isinstance(t, Text)]
    labels = [t.get_text() for t in texts]
    labels += [str(label) for axis in (ax.xaxis, ax.yaxis) for label in axis.get_ticklabels()]
    if not any(_has_cjk(label) for label in labels):
        return ax
    font = cjk_font()
    if font is None:
        warnings.warn(CJKFontWarning(text("analysis.plot_no_cjk_font")), stacklevel=3)
        return ax
    family = [font, "DejaVu Sans"]
    for t in texts:
        t.set_fontfamily(family)
    for axes in ax.figure.get_axes():
        axes.tick_params(labelfontfamily=family)
    return ax


def _new_axes(plt: Any, width: float, height: float) -> Axes:
    _, ax = plt.subplots(figsize=(width, height), layout="constrained")
    return ax  # type: ignore[no-any-return]


def _label_axis(ax: Axes, horizontal: bool, positions: FloatArray, labels: list[str]) -> None:
    """Put the category labels on the category axis; the first category on top or left."""
    if horizontal:
        ax.set_yticks(positions, labels)
        ax.set_ylim(len(labels) - 0.5, -0.5)
    else:
        ax.set_xticks(positions, labels, rotation=90)
        ax.set_xlim(-0.5, len(labels) - 0.5)


def _bars(
    ax: Axes,
    horizontal: bool,
    positions: FloatArray,
    values: FloatArray,
    starts: FloatArray,
    **style: Any,
) -> BarContainer:
    """Bars of ``values`` from ``starts`` at ``positions``, across or upright."""
    if horizontal:
        width = style.pop("width")
        return ax.barh(positions, values, height=width, left=starts, **style)
    return ax.bar(positions, values, bottom=starts, **style)


def _number(value: float) -> str:
    return format_amount(float(value), 2)


# ------------------------------------------------------------------------------ contributions
def _series(
    parts: list[RegionBreakdown], words: dict[str, str], lang: str
) -> list[tuple[str, str, FloatArray]]:
    """(stage, legend label, amount per region) for each kind of breakdown item.

    Items of a tranche (factor, quota, coefficients) keep their order in the breakdown;
    every region's breakdown lists the same ones. The bound stages and rounding follow,
    one series each, whatever bound gave the item.
    """
    keys: dict[tuple[str, ...], str] = {}
    labels: dict[tuple[str, ...], str] = {}
    several = len({item.tranche for part in parts for item in part.items if item.tranche}) > 1
    for part in parts:
        for item in part.items:
            if item.stage not in _AFTER_TARGET and _key(item) not in keys:
                keys[_key(item)] = item.stage
                labels[_key(item)] = _item_label(item, words, lang, several)
    present = {item.stage for part in parts for item in part.items}
    for stage in _AFTER_TARGET:
        if stage in present:
            keys[(stage,)] = stage
            labels[(stage,)] = words[stage]
    index = {key: j for j, key in enumerate(keys)}
    values = np.zeros((len(keys), len(parts)))
    for r, part in enumerate(parts):
        for item in part.items:
            values[index[_key(item)], r] += float(item.amount)
    return [(keys[key], labels[key], values[index[key]]) for key in keys]


def _key(item: Item) -> tuple[str, ...]:
    """Which series an item belongs to: its tranche item, or its stage after the target."""
    return (item.stage,) if item.stage in _AFTER_TARGET else (item.stage, item.tranche, item.name)


def contributions(
    allocation: Allocation,
    *,
    ax: Axes | None = None,
    top: int | None = None,
    orientation: Orientation = "horizontal",
    lang: Lang | None = None,
) -> Axes:
    """Each region's amount as stacked bars of its breakdown items.

    One segment per item of :attr:`Allocation.breakdown
    <fundalloc.result.Allocation.breakdown>`: the contribution of each factor (or quota)
    of each tranche, the effect of the tranche's coefficients, then the effect of the
    bounds (floor, cap, group constraint or the proportional adjustment λ) and of
    rounding. Positive items stack rightwards (upwards) from zero, negative ones
    leftwards (downwards), so the segments of a region add up to its amount, which is
    marked by a black tick.

    Parameters
    ----------
    allocation : Allocation
        The result of :func:`fundalloc.allocate`.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.
    top : int, optional
        Only the ``top`` regions with the largest amounts, largest first (ties in table
        order); by default every region in table order.
    orientation : {"horizontal", "vertical"}
        Horizontal bars (regions down the side) or vertical ones.
    lang : {"zh", "en"}
        The language of the stage names (:data:`WORDS`).

    Returns
    -------
    matplotlib.axes.Axes
        One bar container per series, labelled as in the legend, and the tick line of
        the amounts (labelled with ``WORDS[lang]["amount"]``).

    Examples
    --------
    >>> import fundalloc as fa
    >>> from fundalloc import plots
    >>> table = fa.RegionTable.from_columns({"id": ["a", "b"], "poor": [3, 1]}, id="id")
    >>> scheme = fa.Scheme(total=10, tranches=[fa.Tranche(name="all", share=1, factors=[
    ...     fa.Factor(name="poor", rule=fa.Share(column="poor"), weight=1)])])
    >>> ax = plots.contributions(fa.allocate(table, scheme), lang="en")
    >>> [(c.get_label(), [float(p.get_width()) for p in c]) for c in ax.containers]
    [('poor', [7.5, 2.5]), ('rounding', [0.5, -0.5])]
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)
    """
    plt = _pyplot()
    lang = language() if lang is None else lang
    words = _words(lang)
    horizontal = _check_orientation(orientation)
    _check_top(top)
    regions = list(allocation.amounts)
    if top is not None:
        amounts = allocation.amounts
        regions = sorted(regions, key=lambda r: -amounts[r])[:top]
    parts = [allocation.breakdown[region] for region in regions]
    n = len(parts)
    if ax is None:
        ax = (
            _new_axes(plt, 10, max(3.0, 0.4 * n + 1.5))
            if horizontal
            else _new_axes(plt, max(6.0, 0.5 * n + 3), 6)
        )
    series = _series(parts, words, lang)
    positions = np.arange(n, dtype=float)
    above = np.zeros(n)
    below = np.zeros(n)
    count = sum(stage not in _STAGE_COLOURS for stage, _, _ in series)
    colours = plt.colormaps["tab10" if count <= 10 else "tab20"].colors
    factor_count = 0
    for stage, label, values in series:
        if stage in _STAGE_COLOURS:
            colour, hatch = _STAGE_COLOURS[stage], None
        else:
            colour, hatch = (
                colours[factor_count % len(colours)],
                ("//" if stage == "coefficients" else None),
            )
            factor_count += 1
        # zero items start at zero, so no empty bar pins the axis' far end
        start = np.where(values > 0, above, np.where(values < 0, below, 0.0))
        _bars(
            ax,
            horizontal,
            positions,
            values,
            start,
            width=0.7,
            label=label,
            color=colour,
            hatch=hatch,
            edgecolor="white",
            linewidth=0.5,
        )
        above += np.where(values >= 0, values, 0.0)
        below += np.where(values < 0, values, 0.0)
    totals = np.array([float(part.amount) for part in parts])
    unit = allocation.scheme.unit
    ticks = (totals, positions) if horizontal else (positions, totals)
    ax.plot(
        *ticks,
        linestyle="none",
        marker="|" if horizontal else "_",
        markersize=14,
        color="black",
        label=words["amount"],
    )
    if horizontal:
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_xlabel(unit)
    else:
        ax.axhline(0, color="black", linewidth=0.8)
        ax.set_ylabel(unit)
    _label_axis(ax, horizontal, positions, regions)
    handles, names = ax.get_legend_handles_labels()
    first = names.index(words["amount"])  # the amounts' tick goes last, after the stages
    ax.legend(
        [*handles[:first], *handles[first + 1 :], handles[first]],
        [*names[:first], *names[first + 1 :], names[first]],
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        fontsize="small",
        frameon=False,
    )
    if allocation.scheme.name:
        ax.set_title(allocation.scheme.name)
    return _finish(ax)


# ------------------------------------------------------------------------------ waterfall
def waterfall(
    allocation: Allocation,
    region: str,
    *,
    ax: Axes | None = None,
    orientation: Orientation = "horizontal",
    lang: Lang | None = None,
) -> Axes:
    """One region's amount built up from zero, item by item of its breakdown.

    Each bar starts where the previous one ended and spans one item (leftwards when the
    item is negative); dashed connectors join them; the last bar, from zero, is the final
    amount. Every bar is labelled with its value.

    Parameters
    ----------
    allocation : Allocation
        The result of :func:`fundalloc.allocate`.
    region : str
        The region id.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.
    orientation : {"horizontal", "vertical"}
        Items down the side, read from the top (the default), or along the bottom.
    lang : {"zh", "en"}
        The language of the stage names (:data:`WORDS`).

    Returns
    -------
    matplotlib.axes.Axes
        With two bar containers: the items (in breakdown order) and the final amount.

    Raises
    ------
    DataError
        If there is no such region (with the closest id as a hint).

    Examples
    --------
    >>> import fundalloc as fa
    >>> from fundalloc import plots
    >>> table = fa.RegionTable.from_columns({"id": ["a", "b"], "poor": [3, 1]}, id="id")
    >>> scheme = fa.Scheme(total=10, tranches=[fa.Tranche(name="all", share=1, factors=[
    ...     fa.Factor(name="poor", rule=fa.Share(column="poor"), weight=1)])])
    >>> ax = plots.waterfall(fa.allocate(table, scheme), "b", lang="en")
    >>> steps, final = ax.containers
    >>> [(float(p.get_x()), float(p.get_width())) for p in steps]
    [(0.0, 2.5), (2.5, -0.5)]
    >>> float(final[0].get_width())
    2.0
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)
    """
    plt = _pyplot()
    lang = language() if lang is None else lang
    words = _words(lang)
    horizontal = _check_orientation(orientation)
    allocation._region(region)  # a DataError with a hint when there is no such region
    part = allocation.breakdown[region]
    several = len({item.tranche for item in part.items if item.tranche}) > 1
    names = [_item_label(item, words, lang, several) for item in part.items]
    values = np.array([float(item.amount) for item in part.items])
    total = float(part.amount)
    labels = [*names, words["amount"]]
    ax = _draw_waterfall(
        ax,
        plt,
        horizontal,
        labels,
        values,
        total,
        allocation.scheme.unit,
        [_signed(v) for v in values],
        format_amount(part.amount),
    )
    ax.set_title(
        f"{region}：{format_amount(part.amount)} {allocation.scheme.unit}"
        if lang == "zh"
        else f"{region}: {format_amount(part.amount)} {allocation.scheme.unit}"
    )
    return _finish(ax)


def _draw_waterfall(
    ax: Axes | None,
    plt: Any,
    horizontal: bool,
    labels: list[str],
    values: FloatArray,
    final: float,
    unit: str,
    step_labels: list[str],
    final_label: str,
) -> Axes:
    """Bars from 0, each starting where the previous one ended, then a final bar from 0 to
    ``final``, with dashed connectors, a zero line, the values on the bars and the
    category labels (the last label is the final bar's)."""
    starts = np.concatenate([[0.0], np.cumsum(values)[:-1]])
    n = len(labels)
    if ax is None:
        ax = (
            _new_axes(plt, 9, max(3.0, 0.4 * n + 1.2))
            if horizontal
            else _new_axes(plt, max(6.0, 0.6 * n + 2), 6)
        )
    positions = np.arange(n, dtype=float)
    colours = np.where(values >= 0, "#4393c3", "#d6604d").tolist()
    steps = _bars(ax, horizontal, positions[:-1], values, starts, width=0.6, color=colours)
    last = _bars(
        ax, horizontal, positions[-1:], np.array([final]), np.zeros(1), width=0.6, color="#252525"
    )
    # dashed connectors from the end of each bar to the start of the next
    ends = np.concatenate([starts[1:], [final]])
    lines = ax.vlines if horizontal else ax.hlines
    lines(
        ends,
        positions[:-1] + 0.3,
        positions[1:] - 0.3,
        colors="#808080",
        linestyles="dashed",
        linewidth=0.8,
    )
    reach = np.concatenate([[0.0, final], starts, starts + values])
    low, high = float(reach.min()), float(reach.max())
    pad = 0.15 * (high - low or 1.0)
    limits = (low - pad if low < 0 else low, high + pad if high > 0 else high)
    if horizontal:
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_xlim(*limits)
        ax.set_xlabel(unit)
    else:
        ax.axhline(0, color="black", linewidth=0.8)
        ax.set_ylim(*limits)
        ax.set_ylabel(unit)
    ax.bar_label(steps, labels=step_labels, padding=3, fontsize="small")
    ax.bar_label(last, labels=[final_label], padding=3, fontsize="small")
    _label_axis(ax, horizontal, positions, labels)
    return ax


def _item_label(item: Item, words: dict[str, str], lang: str, tranche: bool) -> str:
    """A breakdown item in words: the factor's name, or the stage with what gave it."""
    if item.stage == "factor":
        text = item.name
    else:
        what = (
            METHOD_NAMES[lang].get(item.name, item.name) if item.stage == "rounding" else item.name
        )
        text = f"{words[item.stage]}（{what}）" if lang == "zh" else f"{words[item.stage]} ({what})"
    return f"{item.tranche} · {text}" if tranche and item.tranche else text


def _signed(value: float) -> str:
    return ("+" if value > 0 else "−" if value < 0 else "") + _number(abs(value))


# ------------------------------------------------------------------------------ lorenz
def lorenz(
    curve: LorenzCurve,
    *,
    ax: Axes | None = None,
    label: str | None = None,
    lang: Lang | None = None,
) -> Axes:
    """A Lorenz curve, the line of equality and the Gini coefficient in the legend.

    The area between the two lines, half the Gini coefficient, is shaded. Drawn again on
    the same ``ax`` (to compare allocations), the line of equality is not repeated.

    Parameters
    ----------
    curve : object with ``population_share``, ``amount_share`` and ``gini``
        Cumulative shares from 0 to 1 (equal length) and the Gini coefficient, as
        :func:`fundalloc.analysis.fairness.lorenz` returns.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new square figure when None.
    label : str, optional
        The curve's legend entry; by default "Lorenz curve (Gini 0.123)" in ``lang``.
        ``{gini}`` in it is replaced by the coefficient (``"方案甲 {gini:.3f}"``).
    lang : {"zh", "en"}
        The language of the labels (:data:`WORDS`).

    Returns
    -------
    matplotlib.axes.Axes
        The curve is the last line drawn before the line of equality.

    Raises
    ------
    DataError
        If the shares are not two equal-length runs of finite numbers in [0, 1], at
        least two long, or the Gini coefficient is not a finite number.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from fundalloc import plots
    >>> curve = SimpleNamespace(population_share=np.array([0, 0.5, 1]),
    ...                         amount_share=np.array([0, 0.25, 1]), gini=0.25)
    >>> ax = plots.lorenz(curve, lang="en")
    >>> [line.get_label() for line in ax.get_lines()]
    ['Lorenz curve (Gini 0.250)', 'line of equality']
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)
    """
    plt = _pyplot()
    lang = language() if lang is None else lang
    words = _words(lang)
    x, y, gini = _curve_data(curve)
    if ax is None:
        ax = _new_axes(plt, 5.5, 5.5)
    text = (label if label is not None else words["curve"]).format(gini=gini)
    (line,) = ax.plot(x, y, marker="." if len(x) <= 40 else None, label=text)
    ax.fill_between(x, y, x, color=line.get_color(), alpha=0.12, linewidth=0)
    if not any(other.get_gid() == _EQUALITY_GID for other in ax.get_lines()):
        ax.plot(
            [0, 1],
            [0, 1],
            linestyle="--",
            color="#808080",
            label=words["equality"],
            gid=_EQUALITY_GID,
        )
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_aspect("equal")
    ax.set_xlabel(words["population"])
    ax.set_ylabel(words["money"])
    ax.legend(loc="upper left", fontsize="small")
    return _finish(ax)


def _curve_data(curve: object) -> tuple[FloatArray, FloatArray, float]:
    missing = [
        name for name in ("population_share", "amount_share", "gini") if not hasattr(curve, name)
    ]
    if missing:
        raise DataError(
            Problem(
                "curve",
                "expected an object with population_share, amount_share and gini "
                "(as fundalloc.analysis.fairness.lorenz returns)",
                found=f"a {type(curve).__name__} without {', '.join(missing)}",
            )
        )
    problems = []
    arrays = []
    for name in ("population_share", "amount_share"):
        try:
            values = np.asarray(getattr(curve, name), dtype=float)
        except (TypeError, ValueError):
            problems.append(
                Problem(f"curve.{name}", "expected numbers", found=repr(getattr(curve, name))[:80])
            )
            continue
        arrays.append(values)
        if values.ndim != 1 or values.size < 2:
            problems.append(
                Problem(
                    f"curve.{name}",
                    "expected a 1-D array of at least 2 shares",
                    found=f"shape {values.shape}",
                )
            )
        elif not np.all(np.isfinite(values)) or values.min() < -1e-9 or values.max() > 1 + 1e-9:
            problems.append(
                Problem(
                    f"curve.{name}",
                    "expected shares between 0 and 1",
                    found=f"from {values.min():g} to {values.max():g}",
                )
            )
    if len(arrays) == 2 and not problems and arrays[0].shape != arrays[1].shape:
        problems.append(
            Problem(
                "curve",
                "expected population_share and amount_share of equal length",
                found=f"{arrays[0].size} and {arrays[1].size}",
            )
        )
    try:
        gini = float(curve.gini)  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        gini = math.nan
    if not math.isfinite(gini):
        problems.append(Problem("curve.gini", "expected a finite number", found=repr(curve.gini)))  # type: ignore[attr-defined]
    if problems:
        raise DataError(problems)
    return arrays[0], arrays[1], gini


# ------------------------------------------------------------------------------ tornado
def tornado(
    rows: Mapping[str, tuple[float, float]],
    *,
    base: float | Decimal,
    ax: Axes | None = None,
    top: int | None = None,
    lang: Lang | None = None,
) -> Axes:
    """A tornado chart: how far a result moves when each input is lowered or raised.

    Each row is a bar pair around ``base``: to the result with the input lowered and to
    the result with it raised. Rows are sorted by their swing ``|raised − lowered|``,
    the widest on top (equal swings keep their given order).

    Parameters
    ----------
    rows : mapping of str to (float, float)
        Input label to (result with the input lowered, result with it raised), as
        :func:`fundalloc.analysis.sensitivity.tornado` returns.
    base : float or Decimal
        The result with every input as it is.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.
    top : int, optional
        Only the ``top`` rows with the widest swings.
    lang : {"zh", "en"}
        The language of the legend (:data:`WORDS`).

    Returns
    -------
    matplotlib.axes.Axes
        With two bar containers, lowered and raised, in the order shown (top first); each
        bar starts at ``base``.

    Raises
    ------
    DataError
        If there are no rows, a row is not a pair of finite numbers, or ``base`` is not
        finite.

    Examples
    --------
    >>> from fundalloc import plots
    >>> ax = plots.tornado({"weight a": (95, 104), "weight b": (80, 130)}, base=100)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['weight b', 'weight a']
    >>> [float(p.get_width()) for p in ax.containers[1]]
    [30.0, 4.0]
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)
    """
    plt = _pyplot()
    lang = language() if lang is None else lang
    words = _words(lang)
    _check_top(top)
    centre, table = _tornado_data(rows, base)
    order = sorted(range(len(table)), key=lambda k: -abs(table[k][2] - table[k][1]))
    if top is not None:
        order = order[:top]
    labels = [table[k][0] for k in order]
    low = np.array([table[k][1] for k in order])
    high = np.array([table[k][2] for k in order])
    n = len(labels)
    if ax is None:
        ax = _new_axes(plt, 8, max(2.5, 0.45 * n + 1.3))
    positions = np.arange(n, dtype=float)
    ax.barh(
        positions, low - centre, left=centre, height=0.6, color="#d6604d", label=words["lowered"]
    )
    ax.barh(
        positions, high - centre, left=centre, height=0.6, color="#4393c3", label=words["raised"]
    )
    ax.axvline(centre, color="black", linewidth=0.8)
    _label_axis(ax, True, positions, labels)
    ax.set_xlabel(f"{words['base']} {_number(centre)}")
    ax.legend(loc="best", fontsize="small")
    return _finish(ax)


def _tornado_data(
    rows: Mapping[str, tuple[float, float]], base: float | Decimal
) -> tuple[float, list[tuple[str, float, float]]]:
    problems = []
    try:
        centre = float(base)
    except (TypeError, ValueError):
        centre = math.nan
    if not math.isfinite(centre):
        problems.append(Problem("base", "expected a finite number", found=repr(base)))
    if not isinstance(rows, Mapping) or not rows:
        raise DataError(
            [
                *problems,
                Problem(
                    "rows",
                    "expected a mapping of at least one label to (lowered, raised)",
                    found=repr(rows)[:80],
                ),
            ]
        )
    table = []
    for name, pair in rows.items():
        try:
            low, high = (float(v) for v in pair)
        except (TypeError, ValueError):
            problems.append(
                Problem(
                    f"rows[{name!r}]", "expected a pair (lowered, raised)", found=repr(pair)[:80]
                )
            )
            continue
        if not (math.isfinite(low) and math.isfinite(high)):
            problems.append(
                Problem(f"rows[{name!r}]", "expected finite numbers", found=repr(pair)[:80])
            )
            continue
        table.append((str(name), low, high))
    if problems:
        raise DataError(problems)
    return centre, table


# ------------------------------------------------------------------------------ fonts
def cjk_font() -> str | None:
    """The first font of :data:`CJK_FONTS` that matplotlib knows, or None.

    When matplotlib's font cache knows none (it was built before the font was installed),
    the system's CJK font files are registered with it first, so a font installed later is
    found without deleting the cache.

    Use it in ``font.sans-serif`` (see the module notes); it changes no setting itself.

    Examples
    --------
    >>> from fundalloc import plots
    >>> plots.cjk_font() in (None, *plots.CJK_FONTS)
    True
    """
    font_manager = require("matplotlib.font_manager", "plot")
    for attempt in range(2):
        known = {font.name for font in font_manager.fontManager.ttflist}
        found = next((name for name in CJK_FONTS if name in known), None)
        if found is not None or attempt or not _register_system_cjk_fonts():
            return found
    return None  # pragma: no cover - the loop returns


#: File names of the CJK fonts :func:`cjk_font` looks for among the system's fonts when
#: matplotlib's font cache knows none (it was built before the font was installed).
_CJK_FILES = re.compile(
    r"cjk|wqy|wenquanyi|simhei|simsun|msyh|pingfang|sourcehan|droidsansfallback|notosanssc",
    re.IGNORECASE,
)


def _register_system_cjk_fonts() -> bool:
    """Register with matplotlib the system's CJK font files that its cache does not know;
    True when any was added."""
    font_manager = require("matplotlib.font_manager", "plot")
    known = {getattr(font, "fname", None) for font in font_manager.fontManager.ttflist}
    added = False
    for path in font_manager.findSystemFonts():
        if path not in known and _CJK_FILES.search(os.path.basename(path)):
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):  # pragma: no cover - a broken file
                continue
            added = True
    return added


# --------------------------------------------------------------------- change waterfall
def change_waterfall(
    decomposition: Decomposition,
    region: str,
    *,
    ax: Axes | None = None,
    lang: Lang | None = None,
    orientation: Orientation = "horizontal",
) -> Axes:
    """One region's change built up from zero, part by part of its decomposition.

    One bar per part of :data:`fundalloc.analysis.decompose.PARTS` (total, data, weights,
    coefficients, bounds, rounding), each starting where the previous one ended (leftwards
    or downwards when the part is negative), dashed connectors between them, and a last
    dark bar from zero equal to the change. Every bar is labelled with its exact amount.

    Parameters
    ----------
    decomposition : Decomposition
        The result of :func:`fundalloc.analysis.decompose.decompose` (or
        :meth:`fundalloc.analysis.compare.Comparison.causes`).
    region : str
        The region id.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.
    lang : {"zh", "en"}, optional
        The language of the part names and the title; the current language when None
        (Chinese unless :func:`fundalloc.i18n.set_language` or ``FUNDALLOC_LANG`` says
        otherwise).
    orientation : {"horizontal", "vertical"}
        Parts down the side, read from the top (the default), or along the bottom.

    Returns
    -------
    matplotlib.axes.Axes
        With two bar containers: the parts (in :data:`~fundalloc.analysis.decompose.PARTS`
        order) and the change.

    Raises
    ------
    SchemeError
        No such region in the decomposition, or an unknown orientation or language.

    Examples
    --------
    >>> import fundalloc as fa
    >>> from fundalloc import plots
    >>> from fundalloc.analysis.decompose import decompose
    >>> table = fa.RegionTable.from_columns({"地区": ["甲", "乙"], "人口": [30, 10]}, id="地区")
    >>> factors = (fa.Factor(name="人口", weight=1, rule=fa.Share(column="人口")),)
    >>> scheme = fa.Scheme(total=100,
    ...                    tranches=(fa.Tranche(name="因素", share=1, factors=factors),))
    >>> d = decompose(fa.allocate(table, scheme),
    ...               fa.allocate(table.with_column("人口", [20, 20]), scheme.replace(total=120)))
    >>> ax = plots.change_waterfall(d, "甲", lang="en")
    >>> parts, change = ax.containers
    >>> [(float(p.get_x()), float(p.get_width())) for p in parts][:2]
    [(0.0, 15.0), (15.0, -30.0)]
    >>> float(change[0].get_width())
    -15.0
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)
    """
    from fundalloc.analysis.decompose import PARTS, part_name
    from fundalloc.i18n import language, using

    plt = _pyplot()
    horizontal = _check_orientation(orientation)
    item = decomposition[region]  # a SchemeError naming the region when there is none
    with using(language() if lang is None else lang):
        labels = [str(part_name(p)) for p in PARTS] + [text("analysis.decompose_change")]
        title = text(
            "analysis.decompose_plot_title",
            region=region,
            before=format_amount(item.before or Decimal(0)),
            after=format_amount(item.after or Decimal(0)),
            unit=decomposition.unit,
            change=_exact_signed(item.change),
        )
    exact = [item.parts[p] for p in PARTS]
    values = np.array([float(v) for v in exact])
    ax = _draw_waterfall(
        ax,
        plt,
        horizontal,
        labels,
        values,
        float(item.change),
        decomposition.unit,
        [_exact_signed(v) for v in exact],
        _exact_signed(item.change),
    )
    ax.set_title(title)
    return _finish(ax)


def _exact_signed(amount: Decimal) -> str:
    """``+15``, ``−2.127273``, ``±0``: an exact amount with its sign."""
    return ("+" if amount > 0 else "−" if amount < 0 else "±") + format_amount(abs(amount), 6)
