"""Sensitivity of an allocation to its weights and data: derivatives, sweeps, Monte Carlo.

Everything here answers "what happens to each region if …" for the bounded amounts
*before rounding* (the pipeline's ``trace.bounded``): rounding moves an amount by less
than one step and would hide small effects behind ties.

Conventions
-----------
Weights are addressed by label: the tranche path and the factor name joined by "/"
(``"贫困人口因素/贫困发生率"``). Region arrays are in id order (``ids``).

*Moving one weight*: the weights of a tranche add up to 1, so when weight ``j`` goes
from ``w_j`` to ``v`` the other weights of its tranche give up (or take) the difference
in proportion to their own weights: ``w_i → w_i (1 − v) / (1 − w_j)``. The derivatives,
sweeps and tornado all use this convention, so a derivative is the slope of the sweep.
A weight that holds its whole tranche (the only factor, or next to zero weights)
cannot move and is left out of sweeps and tornados.

Weight analyses (:func:`derivatives`, :func:`sweep`, :func:`tornado`,
:func:`monte_carlo_weights`) re-evaluate the scheme vectorised from one allocation
(:class:`WeightModel`); schemes with group constraints are refused there (loop over
:func:`fundalloc.allocate` with :func:`fundalloc.analysis.weights.with_weights` instead).
Data analyses (:func:`monte_carlo_data`) run the whole pipeline per draw, optionally on
any :class:`concurrent.futures.Executor`.

References
----------
A. Saltelli et al., *Global Sensitivity Analysis: The Primer*, Wiley (2008): one-at-a-time
designs, tornado charts and Monte Carlo on the inputs.
M. G. Kendall, "The treatment of ties in ranking problems", *Biometrika* 33 (1945) 239-251
(τ-b, the rank correlation reported with ties).
O. D. Duncan and B. Duncan, "A methodological analysis of segregation indexes", *American
Sociological Review* 20 (1955) 210-217 (the dissimilarity index ½ Σ |p_i − q_i|, which the
turnover is for two allocations of the same total).

Examples
--------
>>> import fundalloc as fa
>>> from fundalloc.analysis.sensitivity import derivatives, tornado
>>> table = fa.RegionTable.from_columns(
...     {"id": ["a", "b", "c"], "x": [1, 1, 2], "y": [3, 1, 0]}, id="id")
>>> scheme = fa.Scheme(total=100, tranches=[fa.Tranche(name="T", share=1, factors=[
...     fa.Factor(name="x", rule=fa.Share(column="x"), weight=0.5),
...     fa.Factor(name="y", rule=fa.Share(column="y"), weight=0.5)])])
>>> derivatives(table, scheme).of("c")
{'T/x': 50.0, 'T/y': -50.0}
>>> tornado(table, scheme, "c", change=0.2)
{'T/x': (20.0, 30.0), 'T/y': (30.0, 20.0)}
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from functools import partial
from typing import Any, Literal, cast

import numpy as np
import numpy.typing as npt

from fundalloc.analysis._frames import Tabular
from fundalloc.analysis._model import (
    Batch,
    WeightModel,
    solve_multipliers,
)
from fundalloc.analysis._progress import Progress, reporter
from fundalloc.errors import DataError, Problem, SchemeError
from fundalloc.i18n import text, tr
from fundalloc.pipeline import allocate
from fundalloc.result import Allocation
from fundalloc.scheme import Scheme
from fundalloc.table import RegionTable
from fundalloc.trace import Hold

__all__ = [
    "Batch",
    "Derivatives",
    "MonteCarlo",
    "Progress",
    "Sweep",
    "WeightModel",
    "derivatives",
    "monte_carlo_data",
    "monte_carlo_weights",
    "solve_multipliers",
    "sweep",
    "tornado",
    "weight_model",
]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
Source = Allocation | RegionTable | WeightModel
Status = Literal["free", "floor", "cap", "kink", "excluded"]

_KINK = 1e-9  # relative distance to a bound within which a region counts as at the kink


# ---------------------------------------------------------------------------------- sources
def _allocation(source: object, scheme: object, what: str) -> Allocation:
    if isinstance(source, Allocation) and scheme is None:
        return source
    if isinstance(source, RegionTable) and isinstance(scheme, Scheme):
        return allocate(source, scheme)
    found = tr(
        "analysis.sensitivity_found_types",
        first=type(source).__name__,
        second=type(scheme).__name__,
    )
    hint = None
    if isinstance(getattr(scheme, "scheme", None), Scheme):
        hint = tr("analysis.sensitivity_hint_scheme_file")
    elif isinstance(source, Allocation):
        hint = tr("analysis.sensitivity_hint_leave_scheme")
    raise SchemeError(Problem(what, tr(_EXPECTED[what]), found=found, hint=hint))


_EXPECTED = {
    "weights": "analysis.sensitivity_expected_weights",
    "data": "analysis.sensitivity_expected_data",
}


def weight_model(source: Source, scheme: Scheme | None = None) -> WeightModel:
    """The :class:`WeightModel` of an allocation, or of a table and a scheme.

    Parameters
    ----------
    source : Allocation, RegionTable or WeightModel
        An allocation (then leave ``scheme`` out), a table (then give ``scheme``), or a
        model, returned as it is.
    scheme : Scheme, optional

    Raises
    ------
    SchemeError
        Anything else, or a scheme with group constraints (not modelled).

    Examples
    --------
    >>> import fundalloc as fa
    >>> table = fa.RegionTable.from_columns({"id": ["a", "b"], "x": [1, 3]}, id="id")
    >>> scheme = fa.Scheme(total=10, tranches=[fa.Tranche(name="T", share=1, factors=[
    ...     fa.Factor(name="x", rule=fa.Share(column="x"), weight=1)])])
    >>> weight_model(table, scheme).labels
    ('T/x',)
    """
    if isinstance(source, WeightModel) and scheme is None:
        return source
    return WeightModel.from_allocation(_allocation(source, scheme, "weights"))


# ---------------------------------------------------------------------------------- derivatives
@dataclass(frozen=True)
class Derivatives(Tabular):
    """d amount / d weight for every region and weight, at the allocation's weights.

    Attributes
    ----------
    ids : tuple of str
        The regions (rows of ``values``), in id order.
    labels : tuple of str
        The weights (columns of ``values``).
    values : ndarray, shape (n, K)
        ``values[i, k]``: the change of region i's bounded amount per unit of weight k
        (so per 0.01 of weight, divide by 100), the other weights of k's tranche rescaled.
    status : tuple of str
        Per region: ``"free"`` (no bound binds: the derivative is exact), ``"floor"`` or
        ``"cap"`` (held at a bound: 0), ``"kink"`` (exactly at a bound: the derivative
        is one-sided; the value given holds the region at its bound), ``"excluded"``
        (not taking part: 0).
    amounts : ndarray, shape (n,)
        The bounded amounts (before rounding).
    multiplier : float
        The common λ of the bounds.
    """

    ids: tuple[str, ...]
    labels: tuple[str, ...]
    values: FloatArray
    status: tuple[Status, ...]
    amounts: FloatArray
    multiplier: float

    def _table(self) -> tuple[str, dict[str, Sequence[Any]]]:
        columns: dict[str, Sequence[Any]] = {
            text("analysis.column_region"): list(self.ids),
            text("analysis.column_amount"): self.amounts.tolist(),
        }
        for k, label in enumerate(self.labels):
            columns[text("analysis.column_derivative", label=label)] = self.values[:, k].tolist()
        return text("analysis.table_derivatives", multiplier=f"{self.multiplier:.6g}"), columns

    def of(self, region: str) -> dict[str, float]:
        """Weight label to d amount / d weight for one region."""
        row = self.values[_position(self.ids, region)]
        return {label: float(v) for label, v in zip(self.labels, row, strict=True)}


def derivatives(source: Source, scheme: Scheme | None = None) -> Derivatives:
    """Analytic derivatives of every region's bounded amount with respect to every weight.

    Parameters
    ----------
    source : Allocation, RegionTable or WeightModel
        See :func:`weight_model`.
    scheme : Scheme, optional
        With a table.

    Returns
    -------
    Derivatives

    Notes
    -----
    Moving weight ``j`` (the other weights of its tranche rescaled, see the module
    notes) changes the formula targets by ``dt/dw_j``
    (:meth:`WeightModel.target_derivatives`). With bounds, the amounts are
    ``a_i = fixed_i + clip(λ f_i, lo_i, hi_i)``: a region at a bound does not move, and
    the free regions F share what the bound regions leave, ``λ Σ_F f = T − Σ_bound a``,
    so ``dλ = −λ Σ_F df / Σ_F f`` and for a free region

    .. math:: \\frac{da_i}{dw_j} = λ \\Bigl(\\frac{df_i}{dw_j}
              − f_i \\frac{\\sum_{k∈F} df_k/dw_j}{\\sum_{k∈F} f_k}\\Bigr).

    Without binding bounds λ = 1 and the amounts move exactly as the targets. The
    derivatives hold as long as no region reaches or leaves a bound; regions exactly at
    a bound are flagged ``"kink"``.

    Examples
    --------
    A floor of 20 binds for ``c``; ``a`` and ``b`` share what is left in proportion,
    so what one gains the other loses:

    >>> import fundalloc as fa
    >>> table = fa.RegionTable.from_columns(
    ...     {"id": ["a", "b", "c"], "x": [1, 1, 2], "y": [3, 1, 0]}, id="id")
    >>> scheme = fa.Scheme(total=100, bounds=[fa.Floor(amount=20)],
    ...     tranches=[fa.Tranche(name="T", share=1, factors=[
    ...         fa.Factor(name="x", rule=fa.Share(column="x"), weight=0.2),
    ...         fa.Factor(name="y", rule=fa.Share(column="y"), weight=0.8)])])
    >>> d = derivatives(table, scheme)
    >>> d.status
    ('free', 'free', 'floor')
    >>> d.amounts.round(4), round(d.multiplier, 4)
    (array([57.7778, 22.2222, 20.    ]), 0.8889)
    >>> {k: round(v, 4) for k, v in d.of("a").items()}
    {'T/x': -12.3457, 'T/y': 12.3457}
    """
    model = weight_model(source, scheme)
    base = model.evaluate(model.weights, progress=False)
    lam = float(base.multipliers[0])
    formula = model.targets(model.weights)[0] - model.fixed
    low = np.maximum(model.lower - model.fixed, 0.0)
    high = model.upper - model.fixed
    scaled = lam * formula
    near_low = model.has_floor & (np.abs(scaled - low) <= _KINK * np.maximum(1.0, low))
    near_high = model.has_cap & (np.abs(scaled - high) <= _KINK * np.maximum(1.0, high))
    zero = (formula == 0) & (low == 0)  # a zero target above a zero floor can only grow: free
    kink = (near_low & ~zero) | near_high
    floor = ~kink & (scaled < low)
    cap = ~kink & (scaled > high)
    excluded = ~model.taking_part
    free = ~(kink | floor | cap | excluded)
    dt = model.target_derivatives()
    values = np.zeros_like(dt)
    mass = float(formula[free].sum())
    if mass > 0:
        values[free] = lam * (dt[free] - np.outer(formula[free], dt[free].sum(axis=0) / mass))
    status: list[Status] = []
    for i in range(len(model.ids)):
        status.append(
            "excluded"
            if excluded[i]
            else "kink"
            if kink[i]
            else "floor"
            if floor[i]
            else "cap"
            if cap[i]
            else "free"
        )
    return Derivatives(model.ids, model.labels, values, tuple(status), base.amounts[0], lam)


# ---------------------------------------------------------------------------------- sweeps
@dataclass(frozen=True)
class Sweep(Tabular):
    """One-at-a-time sweeps: each weight over a grid, the others of its tranche rescaled.

    Attributes
    ----------
    ids : tuple of str
        The regions, in id order.
    labels : tuple of str
        The swept weights.
    values : ndarray, shape (L, G)
        ``values[l, g]``: the value of weight ``labels[l]`` at grid point g.
    amounts : ndarray, shape (L, G, n)
        The bounded amounts (before rounding) at each point.
    at_floor, at_cap : ndarray of bool, shape (L, G, n)
        Which regions sit at their floor or cap at each point.
    """

    ids: tuple[str, ...]
    labels: tuple[str, ...]
    values: FloatArray
    amounts: FloatArray
    at_floor: BoolArray
    at_cap: BoolArray

    def _table(self) -> tuple[str, dict[str, Sequence[Any]]]:
        labels, values, regions, amounts = [], [], [], []
        for row, label in enumerate(self.labels):
            for point, value in enumerate(self.values[row].tolist()):
                labels += [label] * len(self.ids)
                values += [value] * len(self.ids)
                regions += list(self.ids)
                amounts += self.amounts[row, point].tolist()
        return text("analysis.table_sweep", count=len(self.labels)), {
            text("analysis.column_weight"): labels,
            text("analysis.column_weight_value"): values,
            text("analysis.column_region"): regions,
            text("analysis.column_amount"): amounts,
        }

    def curve(self, label: str, region: str) -> tuple[FloatArray, FloatArray]:
        """The weight values and the region's amounts along one weight's sweep."""
        if label not in self.labels:
            raise SchemeError(
                Problem(label, tr("analysis.sensitivity_not_swept"), found=", ".join(self.labels))
            )
        row = self.labels.index(label)
        return self.values[row], self.amounts[row, :, _position(self.ids, region)]


def sweep(
    source: Source,
    scheme: Scheme | None = None,
    *,
    values: Sequence[float] | None = None,
    relative: bool = False,
    labels: Sequence[str] | None = None,
    executor: Executor | None = None,
    progress: bool | None = None,
    callback: Progress | None = None,
) -> Sweep:
    """Vary each weight over a grid, one at a time, the others of its tranche rescaled.

    Parameters
    ----------
    source : Allocation, RegionTable or WeightModel
        See :func:`weight_model`.
    scheme : Scheme, optional
        With a table.
    values : sequence of float, optional
        The grid: weights between 0 and 1 (default 0, 0.1, …, 1), or with ``relative``
        multiples of each weight's base value.
    relative : bool, default False
        Read ``values`` as multiples of the base weight (0.8 = 20% less).
    labels : sequence of str, optional
        The weights to sweep (default: every weight that can move).
    executor, progress, callback
        Passed to :meth:`WeightModel.evaluate` (every grid point of every weight is one
        row).

    Returns
    -------
    Sweep

    Raises
    ------
    SchemeError
        An unknown label, a weight that cannot move, or a grid value outside [0, 1].

    Examples
    --------
    >>> import fundalloc as fa
    >>> table = fa.RegionTable.from_columns(
    ...     {"id": ["a", "b", "c"], "x": [1, 1, 2], "y": [3, 1, 0]}, id="id")
    >>> scheme = fa.Scheme(total=100, tranches=[fa.Tranche(name="T", share=1, factors=[
    ...     fa.Factor(name="x", rule=fa.Share(column="x"), weight=0.5),
    ...     fa.Factor(name="y", rule=fa.Share(column="y"), weight=0.5)])])
    >>> result = sweep(table, scheme, values=[0, 0.5, 1], labels=["T/x"])
    >>> result.curve("T/x", "c")
    (array([0. , 0.5, 1. ]), array([ 0., 25., 50.]))
    """
    model = weight_model(source, scheme)
    chosen = (
        [label for k, label in enumerate(model.labels) if model.movable(k)]
        if labels is None
        else list(labels)
    )
    grid = np.asarray(np.linspace(0, 1, 11) if values is None else values, dtype=np.float64)
    if grid.ndim != 1 or grid.size == 0:
        raise SchemeError(
            Problem("values", tr("analysis.sensitivity_expected_values"), found=str(values))
        )
    rows, points = [], []
    for label in chosen:
        k = model.index(label)
        tried = model.weights[k] * grid if relative else grid
        block = model.tranche_of(k)
        vectors = np.tile(model.weights, (grid.size, 1))
        vectors[:, block] = model._moved(k, tried, label)
        rows.append(vectors)
        points.append(tried)
    if not rows:
        raise SchemeError(Problem("labels", tr("analysis.sensitivity_nothing_to_sweep")))
    batch = model.evaluate(
        np.concatenate(rows), executor=executor, progress=progress, callback=callback
    )
    at_floor, at_cap = model.binding(batch.amounts)
    shape = (len(chosen), grid.size, len(model.ids))
    return Sweep(
        model.ids,
        tuple(chosen),
        np.array(points),
        batch.amounts.reshape(shape),
        at_floor.reshape(shape),
        at_cap.reshape(shape),
    )


def tornado(
    source: Source,
    scheme: Scheme | None = None,
    region: str | None = None,
    *,
    change: float = 0.2,
) -> dict[str, tuple[float, float]]:
    """One region's amount with each weight ``change`` lower and higher (for a tornado plot).

    Parameters
    ----------
    source : Allocation, RegionTable or WeightModel
        See :func:`weight_model`.
    scheme : Scheme, optional
        With a table (``tornado(table, scheme, "甲市")``); leave it out with an
        allocation (``tornado(result, region="甲市")``).
    region : str
        The region.
    change : float, default 0.2
        The relative change: each weight at ``(1 − change)`` and ``(1 + change)`` times
        its value, the other weights of its tranche rescaled.

    Returns
    -------
    dict of str to (float, float)
        Weight label to the region's bounded amount (before rounding) with that weight
        lowered and raised, for every weight that can move, in scheme order.

    Raises
    ------
    SchemeError
        No region given, or a weight that would exceed 1 (use a smaller change).
    DataError
        No such region.

    Examples
    --------
    >>> import fundalloc as fa
    >>> table = fa.RegionTable.from_columns(
    ...     {"id": ["a", "b", "c"], "x": [1, 1, 2], "y": [3, 1, 0]}, id="id")
    >>> scheme = fa.Scheme(total=100, tranches=[fa.Tranche(name="T", share=1, factors=[
    ...     fa.Factor(name="x", rule=fa.Share(column="x"), weight=0.5),
    ...     fa.Factor(name="y", rule=fa.Share(column="y"), weight=0.5)])])
    >>> tornado(fa.allocate(table, scheme), region="a", change=0.5)
    {'T/x': (62.5, 37.5), 'T/y': (37.5, 62.5)}
    """
    if region is None:
        raise SchemeError(Problem("region", tr("analysis.sensitivity_expected_region")))
    if not 0 < change < 1:
        raise SchemeError(
            Problem("change", tr("analysis.sensitivity_expected_change"), found=repr(change))
        )
    model = weight_model(source, scheme)
    i = _position(model.ids, region)
    result = sweep(model, values=[1 - change, 1 + change], relative=True, progress=False)
    return {
        label: (float(result.amounts[k, 0, i]), float(result.amounts[k, 1, i]))
        for k, label in enumerate(result.labels)
    }


# ---------------------------------------------------------------------------------- Monte Carlo
@dataclass(frozen=True)
class MonteCarlo(Tabular):
    """Percentile bands, agreement with the baseline and binding rates over random draws.

    Attributes
    ----------
    ids : tuple of str
        The regions, in id order.
    baseline : ndarray, shape (n,)
        The bounded amounts without noise.
    percentiles : tuple of float
        The percentiles of ``bands``.
    bands : ndarray, shape (P, n)
        ``bands[p, i]``: percentile ``percentiles[p]`` of region i's amount over the draws.
    mean : ndarray, shape (n,)
        Each region's mean amount over the draws.
    spearman, kendall : ndarray, shape (D,)
        Per draw, the rank correlation (Spearman's ρ, Kendall's τ-b) of the amounts with
        the baseline, over the regions taking part in the baseline; NaN where a rank
        correlation is undefined (all amounts equal).
    turnover : ndarray, shape (D,)
        Per draw, the share of the total that changes hands: ``½ Σ |a − baseline| / total``.
    floor_rate, cap_rate : ndarray, shape (n,)
        Per region, the share of draws in which its floor (cap) binds.
    draws : int
        The number of draws.
    samples : ndarray, shape (D, n), optional
        Every draw's amounts (with ``keep_draws=True``).
    weights : ndarray, shape (D, K), optional
        Every draw's weights, normalised (weight noise with ``keep_draws=True``).
    """

    ids: tuple[str, ...]
    baseline: FloatArray
    percentiles: tuple[float, ...]
    bands: FloatArray
    mean: FloatArray
    spearman: FloatArray
    kendall: FloatArray
    turnover: FloatArray
    floor_rate: FloatArray
    cap_rate: FloatArray
    draws: int
    samples: FloatArray | None = None
    weights: FloatArray | None = None

    def _table(self) -> tuple[str, dict[str, Sequence[Any]]]:
        columns: dict[str, Sequence[Any]] = {
            text("analysis.column_region"): list(self.ids),
            text("analysis.column_baseline"): self.baseline.tolist(),
            text("analysis.column_mean"): self.mean.tolist(),
        }
        for k, p in enumerate(self.percentiles):
            columns[text("analysis.column_percentile", p=f"{p:g}")] = self.bands[:, k].tolist()
        columns[text("analysis.column_floor_rate")] = self.floor_rate.tolist()
        columns[text("analysis.column_cap_rate")] = self.cap_rate.tolist()
        return text("analysis.table_monte_carlo", draws=self.draws), columns

    def band(self, region: str) -> dict[float, float]:
        """Percentile to amount for one region."""
        i = _position(self.ids, region)
        return {p: float(v) for p, v in zip(self.percentiles, self.bands[:, i], strict=True)}


def _lognormal(
    model: WeightModel, rng: np.random.Generator, draws: int, noise: float
) -> FloatArray:
    factors = rng.lognormal(-0.5 * noise**2, noise, size=(draws, len(model.labels)))
    return np.asarray(model.weights * factors, dtype=np.float64)


def _dirichlet(
    model: WeightModel, rng: np.random.Generator, draws: int, noise: float
) -> FloatArray:
    if not noise < 1:
        raise SchemeError(
            Problem("noise", tr("analysis.sensitivity_dirichlet_noise"), found=repr(noise))
        )
    out = np.tile(model.weights, (draws, 1))
    done: set[int] = set()
    for k in range(len(model.labels)):
        block = model.tranche_of(k)
        if block.start in done:
            continue
        done.add(int(block.start))
        w = model.weights[block]
        positive = np.flatnonzero(w > 0)
        if positive.size > 1:
            drawn = rng.dirichlet(w[positive] * (1 / noise**2 - 1), size=draws)
            out[:, int(block.start) + positive] = drawn
    return out


#: How weights are perturbed, by name (see :func:`monte_carlo_weights`).
WEIGHT_NOISE: dict[str, Callable[[WeightModel, np.random.Generator, int, float], FloatArray]] = {
    "lognormal": _lognormal,
    "dirichlet": _dirichlet,
}


def monte_carlo_weights(
    source: Source,
    scheme: Scheme | None = None,
    *,
    draws: int = 1000,
    noise: float = 0.1,
    method: str = "lognormal",
    percentiles: Sequence[float] = (5, 50, 95),
    seed: int | None = None,
    keep_draws: bool = False,
    executor: Executor | None = None,
    progress: bool | None = None,
    callback: Progress | None = None,
) -> MonteCarlo:
    """Random weights around the scheme's: bands, rank agreement, turnover, binding rates.

    Parameters
    ----------
    source : Allocation, RegionTable or WeightModel
        See :func:`weight_model`.
    scheme : Scheme, optional
        With a table.
    draws : int, default 1000
        Number of random weight vectors.
    noise : float, default 0.1
        How far the weights move (see Notes).
    method : {"lognormal", "dirichlet"}, default "lognormal"
        How the weights are drawn.
    percentiles : sequence of float, default (5, 50, 95)
        The bands to report.
    seed : int, optional
        Seed of ``numpy.random.default_rng``; the same seed gives the same result,
        whatever the executor.
    keep_draws : bool, default False
        Keep every draw's amounts and weights (``draws × n`` floats).
    executor, progress, callback
        Passed to :meth:`WeightModel.evaluate` (one row per draw).

    Returns
    -------
    MonteCarlo

    Notes
    -----
    ``"lognormal"``: each weight is multiplied by an independent ``exp(σε − σ²/2)``,
    ``ε ~ N(0, 1)``, ``σ = noise`` (mean 1, so about ±noise relative), then each
    tranche's weights are renormalised. ``"dirichlet"``: each tranche's positive weights
    are drawn from a Dirichlet distribution with ``α = w (1/noise² − 1)``, so each weight
    has mean ``w`` and standard deviation ``noise · √(w (1 − w))``. Zero weights stay
    zero, and a factor alone in its tranche keeps its weight of 1.

    The amounts of all draws are evaluated at once (:meth:`WeightModel.evaluate`);
    Spearman's ρ is vectorised too, Kendall's τ is one ``scipy.stats.kendalltau`` per draw
    (about 0.5 ms for 3 000 regions).

    Examples
    --------
    >>> import fundalloc as fa
    >>> table = fa.RegionTable.from_columns(
    ...     {"id": ["a", "b", "c"], "x": [1, 1, 2], "y": [3, 1, 0]}, id="id")
    >>> scheme = fa.Scheme(total=100, tranches=[fa.Tranche(name="T", share=1, factors=[
    ...     fa.Factor(name="x", rule=fa.Share(column="x"), weight=0.5),
    ...     fa.Factor(name="y", rule=fa.Share(column="y"), weight=0.5)])])
    >>> mc = monte_carlo_weights(table, scheme, draws=200, noise=0.2, seed=1)
    >>> {p: round(v, 9) for p, v in mc.band("b").items()}  # 1/4 of both factors: fixed
    {5: 25.0, 50: 25.0, 95: 25.0}
    >>> bool(mc.band("a")[5] < 50 < mc.band("a")[95])
    True
    """
    model = weight_model(source, scheme)
    draw = WEIGHT_NOISE.get(method)
    if draw is None:
        raise SchemeError(
            Problem(
                "method",
                tr("analysis.expected_one_of", names=list(WEIGHT_NOISE)),
                found=repr(method),
            )
        )
    _check_counts(draws, noise, percentiles)
    weights = draw(model, np.random.default_rng(seed), draws, noise)
    batch = model.evaluate(weights, executor=executor, progress=progress, callback=callback)
    at_floor, at_cap = model.binding(batch.amounts)
    baseline = model.bounded
    return _summary(
        model.ids,
        baseline,
        batch.amounts,
        at_floor.mean(axis=0),
        at_cap.mean(axis=0),
        model.taking_part,
        model.total,
        percentiles,
        keep_draws,
        batch.weights if keep_draws else None,
    )


def _noisy(
    table: RegionTable, base: dict[str, FloatArray], noise: float, rng: np.random.Generator
) -> RegionTable:
    """``table`` with each column of ``base`` multiplied by independent lognormal noise of
    mean 1 (``exp(σε − σ²/2)``, ``σ = noise``), drawn from ``rng`` in column order."""
    drawn = table
    for column, values in base.items():
        drawn = drawn.with_column(
            column, values * rng.lognormal(-0.5 * noise**2, noise, size=values.size)
        )
    return drawn


def _check_draws_per_task(draws_per_task: object) -> None:
    if draws_per_task is not None and not (
        isinstance(draws_per_task, int | np.integer) and draws_per_task >= 1
    ):
        raise SchemeError(
            Problem("draws_per_task", tr("analysis.expected_draws"), found=repr(draws_per_task))
        )


def _data_draws(
    table: RegionTable,
    scheme: Scheme,
    columns: tuple[str, ...],
    noise: float,
    seeds: Sequence[np.random.SeedSequence],
) -> tuple[FloatArray, BoolArray, BoolArray]:
    """Draws of data noise through the whole pipeline, one per seed: the bounded amounts
    and where the floors and caps bind, one row per draw (module level: picklable)."""
    n = len(table)
    amounts = np.empty((len(seeds), n))
    floors = np.empty((len(seeds), n), dtype=bool)
    caps = np.empty((len(seeds), n), dtype=bool)
    base = {column: table.numeric(column) for column in columns}
    for d, seed in enumerate(seeds):
        drawn = _noisy(table, base, noise, np.random.default_rng(seed))
        trace = allocate(drawn, scheme).trace
        amounts[d] = trace.bounded
        floors[d] = trace.holds == Hold.FLOOR  # as the solver recorded it
        caps[d] = trace.holds == Hold.CAP
    return amounts, floors, caps


@dataclass(frozen=True)
class _Shared:
    """What every task of one call needs, pickled once here: a task carries these bytes
    (cheap to send), and each worker process unpickles them once per call, on its first
    task (:func:`_shared`), instead of the table being pickled and rebuilt for every draw."""

    token: str
    data: bytes


_Data = tuple[RegionTable, Scheme, tuple[str, ...], float]
_UNPICKLED: dict[str, _Data] = {}  # in a worker: the last call's data, by its token


def _shared(shared: _Shared) -> _Data:
    found = _UNPICKLED.get(shared.token)
    if found is None:
        import pickle

        found = cast(_Data, pickle.loads(shared.data))
        _UNPICKLED.clear()  # keep one call's data only
        _UNPICKLED[shared.token] = found
    return found


def _shared_draws(
    shared: _Shared, seeds: Sequence[np.random.SeedSequence]
) -> tuple[FloatArray, BoolArray, BoolArray]:
    """:func:`_data_draws` on the shared table, scheme, columns and noise (for executors)."""
    table, scheme, columns, noise = _shared(shared)
    return _data_draws(table, scheme, columns, noise, seeds)


_TASKS = 64  # by default the draws are handed to an executor in about this many tasks


def monte_carlo_data(
    source: Allocation | RegionTable,
    scheme: Scheme | None = None,
    *,
    columns: Sequence[str],
    draws: int = 100,
    noise: float = 0.1,
    percentiles: Sequence[float] = (5, 50, 95),
    seed: int | None = None,
    keep_draws: bool = False,
    executor: Executor | None = None,
    draws_per_task: int | None = None,
    progress: bool | None = None,
    callback: Progress | None = None,
) -> MonteCarlo:
    """Random relative noise on data columns, each draw through the whole pipeline.

    Parameters
    ----------
    source : Allocation or RegionTable
        An allocation (leave ``scheme`` out), or a table and a scheme.
    scheme : Scheme, optional
        With a table.
    columns : sequence of str
        The numeric input columns to perturb (not derived columns: they are recomputed
        from the perturbed inputs).
    draws : int, default 100
        Number of draws.
    noise : float, default 0.1
        Each value is multiplied by an independent ``exp(σε − σ²/2)``, ``ε ~ N(0, 1)``,
        ``σ = noise``: mean 1, about ±noise relative, never negative.
    percentiles : sequence of float, default (5, 50, 95)
        The bands to report.
    seed : int, optional
        Each draw gets its own stream spawned from ``numpy.random.SeedSequence(seed)``, so
        the result is the same whatever the executor and the order the draws finish in.
    keep_draws : bool, default False
        Keep every draw's amounts.
    executor : concurrent.futures.Executor, optional
        Runs the draws with ``executor.map``: a process pool, or a dask cluster's
        ``client.get_executor()`` (see the parallel page of the docs). The table, scheme
        and settings are pickled once; each task carries them as bytes and does
        ``draws_per_task`` draws, and each worker process unpickles them once. By default
        the draws run here, one after the other, with nothing pickled.
    draws_per_task : int, optional
        Draws per task handed to the executor; by default the draws are split into about
        64 tasks (more tasks balance a large cluster better, fewer cost less overhead).
    progress : bool, optional
        Show a progress bar: None (default) when someone watches (a terminal or Jupyter)
        and the call takes more than half a second, True always (needs tqdm), False never.
    callback : callable, optional
        ``callback(done, total)`` after each draw (with an executor: after each task),
        counting up to ``draws``.

    Returns
    -------
    MonteCarlo

    Raises
    ------
    DataError
        A column that is missing, derived or not numeric.
    SchemeError, InfeasibleError
        As :func:`fundalloc.allocate`, for the baseline or a draw (a draw whose data break
        a bound, for example); SchemeError also for ``draws_per_task`` below 1.

    Notes
    -----
    The amounts are the bounded amounts before rounding, as for the weight analyses.
    Group constraints are solved, since every draw runs the pipeline.

    Examples
    --------
    >>> import fundalloc as fa
    >>> table = fa.RegionTable.from_columns(
    ...     {"id": ["a", "b", "c"], "x": [1, 1, 2], "y": [3, 1, 0]}, id="id")
    >>> scheme = fa.Scheme(total=100, tranches=[fa.Tranche(name="T", share=1, factors=[
    ...     fa.Factor(name="x", rule=fa.Share(column="x"), weight=1)])])
    >>> mc = monte_carlo_data(table, scheme, columns=["y"], draws=20, seed=0)
    >>> mc.band("c")  # y is not used: the noise changes nothing
    {5: 50.0, 50: 50.0, 95: 50.0}
    """
    allocation, columns = _perturbed_columns(source, scheme, columns)
    table, scheme = allocation.table, allocation.scheme
    _check_counts(draws, noise, percentiles)
    _check_draws_per_task(draws_per_task)
    seeds = np.random.SeedSequence(seed).spawn(draws)
    n = len(table)
    amounts = np.empty((draws, n))
    floors = np.zeros(n)
    caps = np.zeros(n)
    with reporter(
        draws, text("common.progress_draws"), progress=progress, callback=callback
    ) as report:
        if executor is None:
            results: Iterator[tuple[FloatArray, BoolArray, BoolArray]] = (
                _data_draws(table, scheme, columns, noise, seeds[d : d + 1]) for d in range(draws)
            )
        else:
            import pickle
            import uuid

            size = draws_per_task or -(-draws // _TASKS)
            shared = _Shared(uuid.uuid4().hex, pickle.dumps((table, scheme, columns, noise)))
            # one function holding the data, mapped over sized lists of seeds (dask's
            # executor needs len(), and pickles the function once per graph)
            chunks = [seeds[d : d + size] for d in range(0, draws, size)]
            results = executor.map(partial(_shared_draws, shared), chunks)
        done = 0
        for a, at_floor, at_cap in results:
            amounts[done : done + a.shape[0]] = a
            floors += at_floor.sum(axis=0)
            caps += at_cap.sum(axis=0)
            done += a.shape[0]
            report(done)
    if executor is not None:
        _UNPICKLED.pop(shared.token, None)  # a thread pool unpickled it in this process
    trace = allocation.trace
    return _summary(
        trace.ids,
        trace.bounded,
        amounts,
        floors / draws,
        caps / draws,
        trace.taking_part,
        float(scheme.total),
        percentiles,
        keep_draws,
        None,
    )


def _perturbed_columns(
    source: object, scheme: object, columns: Sequence[str]
) -> tuple[Allocation, tuple[str, ...]]:
    """The allocation to perturb and the input columns to perturb, checked: each a numeric
    input column (a derived column is recomputed from the inputs), at least one."""
    allocation = _allocation(source, scheme, "data")
    table, chosen = allocation.table, tuple(columns)
    derived = {name for name, _ in allocation.scheme.derived}
    problems = [
        Problem(
            column,
            tr("analysis.sensitivity_derived_column"),
            hint=tr("analysis.sensitivity_derived_column_hint"),
        )
        for column in chosen
        if column in derived
    ]
    if problems:
        raise DataError(problems)
    if not chosen:
        raise DataError(Problem("columns", tr("analysis.sensitivity_expected_columns")))
    for column in chosen:
        table.numeric(column)  # missing or not numeric: the table's own message
    return allocation, chosen


def _check_counts(draws: int, noise: float, percentiles: Sequence[float]) -> None:
    problems = []
    if not (isinstance(draws, int | np.integer) and draws >= 1):
        problems.append(Problem("draws", tr("analysis.expected_draws"), found=repr(draws)))
    if not (np.isfinite(noise) and noise >= 0):
        problems.append(Problem("noise", tr("analysis.expected_nonnegative"), found=repr(noise)))
    bad = [p for p in percentiles if not 0 <= p <= 100]
    if bad or not percentiles:
        problems.append(
            Problem(
                "percentiles",
                tr("analysis.sensitivity_expected_percentiles"),
                found=", ".join(f"{p:g}" for p in bad) or tr("analysis.fairness_none"),
            )
        )
    if problems:
        raise SchemeError(problems)


def _summary(
    ids: tuple[str, ...],
    baseline: FloatArray,
    amounts: FloatArray,
    floor_rate: FloatArray,
    cap_rate: FloatArray,
    taking_part: BoolArray,
    total: float,
    percentiles: Sequence[float],
    keep_draws: bool,
    weights: FloatArray | None,
) -> MonteCarlo:
    spearman, kendall = _rank_correlations(baseline[taking_part], amounts[:, taking_part])
    return MonteCarlo(
        ids=ids,
        baseline=baseline,
        percentiles=tuple(percentiles),
        bands=np.percentile(amounts, list(percentiles), axis=0),
        mean=amounts.mean(axis=0),
        spearman=spearman,
        kendall=kendall,
        turnover=0.5 * np.abs(amounts - baseline).sum(axis=1) / total,
        floor_rate=floor_rate,
        cap_rate=cap_rate,
        draws=amounts.shape[0],
        samples=amounts if keep_draws else None,
        weights=weights,
    )


def _rank_correlations(base: FloatArray, draws: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Spearman's ρ (vectorised: Pearson of average ranks) and Kendall's τ-b (scipy) of
    each row of ``draws`` with ``base``; NaN where either side is constant."""
    from scipy.stats import kendalltau, rankdata

    rows = draws.shape[0]
    spearman = np.full(rows, np.nan)
    kendall = np.full(rows, np.nan)
    if base.size < 2 or np.ptp(base) == 0:
        return spearman, kendall
    varied = np.flatnonzero(np.ptp(draws, axis=1) > 0)
    if varied.size == 0:
        return spearman, kendall
    r0 = rankdata(base)
    r0 = (r0 - r0.mean()) / np.linalg.norm(r0 - r0.mean())
    ranks = rankdata(draws[varied], axis=1)
    ranks -= ranks.mean(axis=1, keepdims=True)
    spearman[varied] = ranks @ r0 / np.linalg.norm(ranks, axis=1)
    for d in varied:
        kendall[d] = kendalltau(base, draws[d]).statistic
    return spearman, kendall


def _position(ids: tuple[str, ...], region: str) -> int:
    try:
        return ids.index(region)
    except ValueError:
        import difflib

        close = difflib.get_close_matches(region, ids, n=1, cutoff=0.5)
        raise DataError(
            Problem(
                region,
                tr("analysis.no_such_region"),
                hint=tr("analysis.did_you_mean", names=repr(close[0])) if close else None,
            )
        ) from None
