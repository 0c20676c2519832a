"""Interactive weights in Jupyter: a slider per factor weight, the table and the plot redrawn.

:func:`explore` shows, for an allocation, one slider per factor weight (grouped by
tranche; moving one rescales the others of its tranche in proportion, so each tranche's
weights still add up to 1), the allocation table with the change from the baseline, the
contributions of each factor to the largest amounts, and a button that writes the current
scheme as a scheme file (TOML).

Each move is computed by the vectorised weight model
(:class:`~fundalloc.analysis.sensitivity.WeightModel`): the bounded amounts for the new
weights, then rounding to the scheme's step with the scheme's rounding method and the same
bounds in whole steps as :func:`fundalloc.allocate`; the pipeline is not run again, so an
update at 3 000 regions takes a few milliseconds (``benchmarks/bench_explore.py``). The
computation is :meth:`Explorer.update`, usable without widgets; :attr:`Explorer.widget`
needs ipywidgets (``pip install 'fundalloc[explore]'``), imported only when asked for.

Each tier of a tiered coefficient and each floor or cap given as an amount or a share has
a slider too. Those change the model itself: a move runs :func:`fundalloc.allocate` once
with the current weights and rebuilds the weight model from it (10 to 15 ms at 3 000
regions); a value the bounds cannot hold is refused with the reason, and the
slider goes back.

>>> import fundalloc as fa
>>> table = fa.RegionTable.from_columns(
...     {"id": ["a", "b", "c"], "x": [1, 1, 2], "y": [3, 1, 0]}, id="id")
>>> scheme = fa.Scheme(total=100, tranches=[fa.Tranche(name="T", share=1, factors=[
...     fa.Factor(name="x", rule=fa.Share(column="x"), weight=0.5),
...     fa.Factor(name="y", rule=fa.Share(column="y"), weight=0.5)])])
>>> explorer = Explorer(fa.allocate(table, scheme))
>>> view = explorer.update(explorer.moved("T/x", 1.0))
>>> {region: str(amount) for region, amount in view.amounts.items()}
{'a': '25', 'b': '25', 'c': '50'}
>>> {region: str(change) for region, change in view.changes.items()}
{'a': '-25', 'b': '0', 'c': '25'}
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from fundalloc.analysis._model import WeightModel
from fundalloc.errors import FundallocError, Problem, SchemeError
from fundalloc.i18n import text, tr
from fundalloc.io.atomic import write_atomic
from fundalloc.io.schemefile import dump_scheme
from fundalloc.money import format_amount
from fundalloc.optional import require
from fundalloc.pipeline import _unit_bounds
from fundalloc.result import Allocation
from fundalloc.rounding import round_units
from fundalloc.scheme import Scheme

__all__ = ["Explorer", "View", "explore"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class View:
    """What the explorer shows for one weight vector.

    Attributes
    ----------
    weights : dict of str to float
        Each weight's label (``"tranche/factor"``) and value, each tranche adding up to 1.
    amounts : dict of str to Decimal
        Region id to its rounded amount, in table row order (what :func:`fundalloc.allocate`
        gives for these weights).
    changes : dict of str to Decimal
        Region id to its amount minus the baseline's.
    bounded : ndarray
        The bounded amounts before rounding, in table row order.
    contributions : dict of str to ndarray
        Per item (each weight's label, then quotas, bounds and rounding) its part of each
        region's amount, in table row order; the items add up to the amounts.
    """

    weights: dict[str, float]
    amounts: dict[str, Decimal]
    changes: dict[str, Decimal]
    bounded: FloatArray
    contributions: dict[str, FloatArray]


class Explorer:
    """The state behind :func:`explore`: the baseline, the current weights, the last view.

    Parameters
    ----------
    allocation : Allocation
        The baseline; its scheme must have weighted factors and no group constraints
        (see :class:`~fundalloc.analysis.sensitivity.WeightModel`).
    top : int, default 15
        How many regions (the largest amounts) the contributions plot shows.
    path : str or Path, default "scheme_explored.toml"
        Where the export button writes the scheme file.

    Attributes
    ----------
    baseline : Allocation
        The allocation given: what the changes are measured from.
    allocation : Allocation
        The allocation the weight model was built from: the baseline, or the last one
        made by :meth:`set_tier` or :meth:`set_limit`.
    model : WeightModel
        The weight model of :attr:`allocation`.
    weights : ndarray
        The current weights, over ``model.labels``.
    view : View
        What is shown for the current weights.
    """

    def __init__(
        self,
        allocation: Allocation,
        *,
        top: int = 15,
        path: str | Path = "scheme_explored.toml",
    ) -> None:
        self.baseline = allocation
        self.top = top
        self.path = Path(path)
        self._baseline = allocation.amounts
        self._adopt(allocation)
        self._widget: Any = None
        self._sliders: dict[str, Any] = {}
        self._tier_sliders: dict[str, Any] = {}
        self._limit_sliders: dict[str, Any] = {}
        self._syncing = False

    def _adopt(self, allocation: Allocation) -> None:
        """Take ``allocation`` (the baseline, or one with moved tiers or bounds) as the
        state the weight sliders move from."""
        self.allocation = allocation
        self.model = WeightModel.from_allocation(allocation)
        scheme, trace = allocation.scheme, allocation.trace
        self._lower_units, self._upper_units = _unit_bounds(
            trace.limits.lower, trace.limits.upper, float(scheme.step), scheme.total_units
        )
        # model arrays are in id order; the table shows rows in table order
        self._rows = np.empty(len(trace.order), dtype=np.intp)
        self._rows[np.asarray(trace.order)] = np.arange(len(trace.order))
        self._row_ids = tuple(allocation.table.ids)
        self.weights = self.model.weights.copy()
        self.view = self.update(self.weights)

    # ------------------------------------------------------------------ computing
    def moved(self, label: str, value: float) -> FloatArray:
        """The current weights with ``label`` set to ``value`` and the others of its tranche
        rescaled in proportion (shared equally when they are all zero), so the tranche still
        adds up to 1.

        Raises
        ------
        SchemeError
            An unknown label (the closest one as a hint) or a value outside [0, 1].
        """
        k = self.model.index(label)
        if not 0.0 <= value <= 1.0:
            raise SchemeError(Problem(label, tr("solve.model.weight_range"), found=f"{value:g}"))
        block = self.model.tranche_of(k)
        vector = self.weights.copy()
        part = vector[block].copy()
        j = k - int(block.start)
        others = np.arange(len(part)) != j
        rest = float(part[others].sum())
        if others.any():
            if rest > 0:
                part[others] *= (1.0 - value) / rest
            else:
                part[others] = (1.0 - value) / int(others.sum())
            part[j] = value
        vector[block] = part
        return vector

    def update(self, weights: FloatArray) -> View:
        """The view for ``weights`` (over :attr:`WeightModel.labels`), without drawing.

        This is what each slider move computes: the weight model's bounded amounts, their
        rounding to the step within the bounds, the change from the baseline and each
        item's contribution.

        Notes
        -----
        The rounding here works on the model's binary64 amounts, the pipeline's on exact
        quotas: where two regions' remainders tie to within the last bits, the two may break
        the tie differently (one step apart). The tests compare both on every weight of the
        Shandong example over a grid, at its floor and cap, and find them equal.
        """
        model = self.model
        batch = model.evaluate(weights, progress=False)
        w = batch.weights[0]
        bounded = batch.amounts[0]
        lam = float(batch.multipliers[0])
        scheme = self.allocation.scheme
        step = float(scheme.step)
        formula = model._formula(batch.weights)[0]
        rounded = round_units(
            bounded / step,
            formula + model.fixed,
            scheme.total_units,
            self._lower_units,
            self._upper_units,
            scheme.method,
        )
        units = np.asarray(rounded.units)
        scales = model._scales(batch.weights)[0]
        parts: dict[str, FloatArray] = {}
        for k, label in enumerate(model.labels):
            parts[label] = (lam * scales[k] * model._adjusted[k])[self._rows]
        free_part = lam * formula
        parts[text("analysis.explore_item_quota")] = model.fixed[self._rows]
        parts[text("analysis.explore_item_bounds")] = (bounded - model.fixed - free_part)[
            self._rows
        ]
        parts[text("analysis.explore_item_rounding")] = (units * step - bounded)[self._rows]
        in_rows = units[self._rows]
        amounts = {
            region: int(u) * scheme.step
            for region, u in zip(self._row_ids, in_rows.tolist(), strict=True)
        }
        return View(
            weights=dict(zip(model.labels, w.tolist(), strict=True)),
            amounts=amounts,
            changes={r: amounts[r] - self._baseline[r] for r in self._row_ids},
            bounded=bounded[self._rows],
            contributions=parts,
        )

    def set_weight(self, label: str, value: float) -> View:
        """Move one weight (the others of its tranche rescaled) and recompute the view."""
        self.weights = self.moved(label, value)
        self.view = self.update(self.weights)
        return self.view

    @property
    def tiers(self) -> dict[str, float]:
        """Each coefficient tier of the current scheme, labelled
        ``"tranche/coefficient[tier]"``, and its value."""
        return {label: value for label, (_, _, _, value) in _tiers(self.scheme()).items()}

    @property
    def limits(self) -> dict[str, float]:
        """Each floor or cap given as an amount or a share (not per capita), labelled by its
        name, or ``"bounds[i]"`` (its place in the scheme file) when it has none, and its
        value."""
        return {label: value for label, (_, _, value) in _limits(self.scheme()).items()}

    def set_tier(self, label: str, value: float) -> View:
        """Set one coefficient tier (a label of :attr:`tiers`) and recompute.

        A tier changes the tranche's adjusted shares, so this runs :func:`fundalloc.allocate`
        once with the current weights and rebuilds the weight model from it (10 to 15 ms at
        3 000 regions); the weight sliders then move from there.

        Raises
        ------
        SchemeError
            An unknown label or a negative value (the state is left as it was).
        """
        tiers = _tiers(self.scheme())
        if label not in tiers:
            raise SchemeError(
                Problem(label, tr("analysis.explore_no_tier"), found=", ".join(tiers))
            )
        path, name, tier, _ = tiers[label]
        return self._rescheme(_with_tier(self.scheme(), path, name, tier, value))

    def set_limit(self, label: str, value: float) -> View:
        """Set one floor or cap (a label of :attr:`limits`: its amount, or its share of the
        total) and recompute, as :meth:`set_tier` does.

        Raises
        ------
        SchemeError
            An unknown label or an invalid value.
        InfeasibleError
            Bounds that cannot hold the total (the state is left as it was).
        """
        limits = _limits(self.scheme())
        if label not in limits:
            raise SchemeError(
                Problem(label, tr("analysis.explore_no_limit"), found=", ".join(limits))
            )
        index, field, _ = limits[label]
        scheme = self.scheme()
        bounds = list(scheme.bounds)
        number: Decimal | float = Decimal(repr(float(value))) if field == "amount" else value
        bounds[index] = bounds[index].replace(**{field: number})
        return self._rescheme(scheme.replace(bounds=bounds))

    def _rescheme(self, scheme: Scheme) -> View:
        from fundalloc.pipeline import allocate

        self._adopt(allocate(self.allocation.table, scheme))
        return self.view

    def scheme(self) -> Scheme:
        """The baseline scheme with the current weights."""
        return self.model.scheme_for(self.weights)

    def export(self, path: str | Path | None = None) -> Path:
        """Write the current scheme as a scheme file (TOML) and return its path."""
        target = Path(path) if path is not None else self.path
        write_atomic(target, dump_scheme(self.scheme()).encode("utf-8"))
        return target

    # ------------------------------------------------------------------ showing
    def table_html(self) -> str:
        """The allocation table (baseline, amount, change) as HTML."""
        view = self.view
        unit = html.escape(str(self.allocation.scheme.unit))
        head = "".join(
            f"<th>{html.escape(text(key, unit=unit))}</th>"
            for key in (
                "analysis.explore_column_region",
                "analysis.explore_column_baseline",
                "analysis.explore_column_amount",
                "analysis.explore_column_change",
            )
        )
        rows = []
        for region in self._row_ids:
            change = view.changes[region]
            sign = "+" if change > 0 else ""
            rows.append(
                f"<tr><td>{html.escape(region)}</td>"
                f"<td>{format_amount(self._baseline[region])}</td>"
                f"<td>{format_amount(view.amounts[region])}</td>"
                f"<td>{sign}{format_amount(change)}</td></tr>"
            )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"

    def figure(self) -> Any:
        """The contributions of each item to the :attr:`top` largest amounts: a matplotlib
        ``Figure`` of its own, outside pyplot's list of open figures."""
        from fundalloc.plots import _finish, _pyplot

        _pyplot()  # matplotlib, or the error that says how to install it
        from matplotlib.figure import Figure

        view = self.view
        values = np.array([float(view.amounts[r]) for r in self._row_ids])
        order = np.argsort(-values, kind="stable")[: self.top]
        fig = Figure(figsize=(8, 0.35 * len(order) + 1.5))
        ax = fig.add_subplot()
        positions = np.arange(len(order))
        right = np.zeros(len(order))
        left = np.zeros(len(order))
        for name, part in view.contributions.items():
            chosen = part[order]
            base = np.where(chosen >= 0, right, left)
            ax.barh(positions, chosen, left=base, label=name)
            right += np.maximum(chosen, 0)
            left += np.minimum(chosen, 0)
        ax.set_yticks(positions, [self._row_ids[i] for i in order])
        ax.invert_yaxis()
        ax.set_xlabel(text("analysis.explore_axis_amount", unit=self.allocation.scheme.unit))
        ax.legend(fontsize="small", loc="lower right")
        _finish(ax)  # a CJK font for the Chinese labels, or a warning saying how to get one
        fig.subplots_adjust(left=0.22, right=0.97, bottom=1.0 / (0.35 * len(order) + 1.5))
        return fig

    @property
    def widget(self) -> Any:
        """The ipywidgets box: sliders, the export button, the table and the plot."""
        if self._widget is None:
            self._widget = self._build()
        return self._widget

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def _build(self) -> Any:
        widgets = require("ipywidgets", "explore")
        model = self.model
        controls: list[Any] = []
        current: tuple[str, ...] | None = None
        for k, (path, name) in enumerate(model.keys):
            if path != current:
                current = path
                title = html.escape("/".join(path))
                controls.append(widgets.HTML(f"<b>{title}</b>"))
            slider = widgets.FloatSlider(
                value=float(self.weights[k]),
                min=0.0,
                max=1.0,
                step=0.01,
                description=name,
                continuous_update=False,
                readout_format=".3f",
                disabled=not model.movable(k),
                style={"description_width": "initial"},
            )
            slider.observe(self._on_slider(model.labels[k]), names="value")
            self._sliders[model.labels[k]] = slider
            controls.append(slider)
        tiers = self.tiers
        if tiers:
            title = html.escape(text("analysis.explore_tiers"))
            controls.append(widgets.HTML(f"<b>{title}</b>"))
        for label, value in tiers.items():
            slider = widgets.FloatSlider(
                value=value,
                min=0.0,
                max=max(2.0, 2 * value),
                step=0.01,
                description=label,
                continuous_update=False,
                readout_format=".3f",
                style={"description_width": "initial"},
            )
            slider.observe(self._on_rescheme(label, self.set_tier), names="value")
            self._tier_sliders[label] = slider
            controls.append(slider)
        limits = _limits(self.scheme())
        if limits:
            title = html.escape(text("analysis.explore_limits"))
            controls.append(widgets.HTML(f"<b>{title}</b>"))
        total = float(self.allocation.scheme.total)
        for label, (_, field, value) in limits.items():
            slider = widgets.FloatSlider(
                value=value,
                min=0.0,
                max=1.0 if field == "share" else total,
                step=0.001 if field == "share" else float(self.allocation.scheme.step),
                description=label,
                continuous_update=False,
                readout_format=".3f" if field == "share" else ",.2f",
                style={"description_width": "initial"},
            )
            slider.observe(self._on_rescheme(label, self.set_limit), names="value")
            self._limit_sliders[label] = slider
            controls.append(slider)
        self._path_box = widgets.Text(
            value=str(self.path), description=text("analysis.explore_path")
        )
        self._button = widgets.Button(description=text("analysis.explore_export"))
        self._status = widgets.HTML("")
        self._button.on_click(lambda _: self._on_export())
        self._table = widgets.HTML(self.table_html())
        self._plot = widgets.Image(format="png")
        self._draw_plot()
        side = widgets.VBox([*controls, widgets.HBox([self._path_box, self._button]), self._status])
        return widgets.HBox([side, widgets.VBox([self._table, self._plot])])

    def _on_slider(self, label: str) -> Any:
        def changed(event: dict[str, Any]) -> None:
            if self._syncing:
                return
            self.set_weight(label, float(event["new"]))
            self._redraw(keep=label)

        return changed

    def _on_rescheme(self, label: str, setter: Any) -> Any:
        """A tier or bound slider: recompute, or say why not and put the slider back."""

        def changed(event: dict[str, Any]) -> None:
            if self._syncing:
                return
            try:
                setter(label, float(event["new"]))
            except FundallocError as error:
                self._status.value = html.escape(
                    text("analysis.explore_refused", error=str(error))
                ).replace("\n", "<br>")
                self._syncing = True
                try:
                    event["owner"].value = event["old"]
                finally:
                    self._syncing = False
                return
            self._status.value = ""
            self._redraw(keep=label)

        return changed

    def _redraw(self, keep: str) -> None:
        """Put every weight slider at the current weights and redraw the table and plot."""
        self._syncing = True
        try:
            for other, slider in self._sliders.items():
                value = float(self.weights[self.model.index(other)])
                if other != keep and slider.value != value:
                    slider.value = value
        finally:
            self._syncing = False
        self._table.value = self.table_html()
        self._draw_plot()

    def _on_export(self) -> None:
        written = self.export(self._path_box.value)
        self._status.value = html.escape(text("analysis.explore_written", path=str(written)))

    def _draw_plot(self) -> None:
        import io

        buffer = io.BytesIO()
        self.figure().savefig(buffer, format="png", dpi=80)
        self._plot.value = buffer.getvalue()


def _tiers(scheme: Scheme) -> dict[str, tuple[tuple[str, ...], str, str, float]]:
    """Every tier of every tiered coefficient: label to (tranche path, coefficient, tier,
    value), in scheme order."""
    from fundalloc.factors import Tiered

    out: dict[str, tuple[tuple[str, ...], str, str, float]] = {}

    def walk(tranches: Any, prefix: tuple[str, ...]) -> None:
        for tranche in tranches:
            path = (*prefix, tranche.name)
            for coefficient in tranche.coefficients:
                if isinstance(coefficient.rule, Tiered):
                    for tier, value in coefficient.rule.tiers.items():
                        label = f"{'/'.join(path)}/{coefficient.name}[{tier}]"
                        out[label] = (path, coefficient.name, tier, float(value))
            walk(tranche.tranches, path)

    walk(scheme.tranches, ())
    return out


def _with_tier(scheme: Scheme, path: tuple[str, ...], name: str, tier: str, value: float) -> Scheme:
    def walk(tranches: Any, prefix: tuple[str, ...]) -> list[Any]:
        out = []
        for tranche in tranches:
            here = (*prefix, tranche.name)
            if here == path:
                coefficients = [
                    c.replace(rule=c.rule.replace(tiers={**c.rule.tiers, tier: value}))
                    if c.name == name
                    else c
                    for c in tranche.coefficients
                ]
                tranche = tranche.replace(coefficients=coefficients)
            elif tranche.tranches:
                tranche = tranche.replace(tranches=walk(tranche.tranches, here))
            out.append(tranche)
        return out

    return scheme.replace(tranches=walk(scheme.tranches, ()))


def _limits(scheme: Scheme) -> dict[str, tuple[int, str, float]]:
    """Floors and caps given as an amount or a share: label to (index, field, value)."""
    from fundalloc.bounds import Cap, Floor

    out: dict[str, tuple[int, str, float]] = {}
    for i, bound in enumerate(scheme.bounds):
        if not isinstance(bound, Floor | Cap):
            continue
        for field in ("amount", "share"):
            value = getattr(bound, field)
            if value is not None:
                out[bound.name or f"bounds[{i}]"] = (i, field, float(value))
    return out


def explore(
    allocation: Allocation, *, top: int = 15, path: str | Path = "scheme_explored.toml"
) -> Explorer:
    """Sliders for the weights of ``allocation``'s scheme, in Jupyter (see the module).

    Shown when it is the last expression of a cell; ``explore(...).widget`` is the
    ipywidgets box itself. Needs ipywidgets: ``pip install 'fundalloc[explore]'``.

    Raises
    ------
    DependencyError
        If ipywidgets is not installed (with the command that installs it).
    SchemeError
        If the scheme has no weighted factor or has group constraints.
    """
    explorer = Explorer(allocation, top=top, path=path)
    explorer.widget  # noqa: B018 - build now, so a missing ipywidgets is said at once
    return explorer
