"""Robustness of the result: rounding stability and manipulability, per region.

Two questions every region's published amount raises:

* **Rounding stability** (:func:`rounding_stability`): if the data were off by a small
  relative amount (a survey error, a late correction), would the region's *rounded* amount
  change? A Monte Carlo over the data, with the noise model of
  :func:`fundalloc.analysis.sensitivity.monte_carlo_data` (each value times an independent
  ``exp(σε − σ²/2)``), each draw through the whole pipeline, rounding included: the share of
  draws in which the region's published amount differs from the baseline's.
* **Manipulability** (:func:`manipulability`): how much would a region gain by overstating
  one of its indicators by 1%? Re-allocating once per region costs O(n²); the analytic form
  below costs O(n) for all regions together.

The analytic form
-----------------
For a share factor ``s_i = x_i / X`` (rule :class:`fundalloc.factors.Share`), region ``r``
reporting ``(1 + δ) x_r`` moves its share to ``(1 + δ) x_r / (X + δ x_r)`` and every other
region's to ``x_i / (X + δ x_r)``. In a tranche of size ``A`` with weights ``w_j`` and
coefficient products ``m_i``, the region's target ``A m_r Σ_j w_j s_rj / Σ_k m_k Σ_j w_j
s_kj`` is then, with ``c_j = Σ_k m_k s_kj``,

.. math:: t'_r = A\\, m_r \\frac{\\sum_j w_j s'_{rj}}{\\sum_j w_j c'_j}, \\qquad
          s'_{rj} = \\frac{(1+δ) s_{rj}}{1 + δ s_{rj}}, \\quad
          c'_j = \\frac{c_j + δ m_r s_{rj}}{1 + δ s_{rj}}

for the factors on the column (the others unchanged): the coefficients renormalise exactly.
The targets of all tranches add up. The bounded amounts of the other regions keep **their
bound status** (at a floor, at a cap, or free): the approximation. Then the free regions
still share the same money, so λ moves to ``λ' = λ Σ_free t / Σ_free t'`` (the sums over
the free regions, region ``r`` included when it is free, computed for every ``r`` at once
from per-factor sums), and the region's amount is
``q_r + clip(λ' t'_r, lo_r − q_r, hi_r − q_r)``. This is exact when no other region crosses
a bound (and always when no bound binds). A region at a bound keeps λ: it stays there, or
leaves it by a little the form does not follow. The test suite compares it with real
re-allocations.

Only factors whose rule is a :class:`~fundalloc.factors.Share` of the column are moved;
other factors that read the column (ratios, inverse indicators, composites, derived
columns) are listed in :attr:`Manipulability.unmodelled`, and their effect is not in the
gain.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import numpy.typing as npt

from fundalloc.analysis._frames import Tabular
from fundalloc.analysis._progress import Progress, reporter
from fundalloc.analysis.sensitivity import (
    _TASKS,
    _UNPICKLED,
    _allocation,
    _check_counts,
    _check_draws_per_task,
    _noisy,
    _perturbed_columns,
    _position,
    _Shared,
    _shared,
)
from fundalloc.errors import Problem, SchemeError
from fundalloc.factors import Share
from fundalloc.i18n import text, tr
from fundalloc.pipeline import allocate
from fundalloc.result import Allocation
from fundalloc.scheme import Scheme
from fundalloc.table import RegionTable
from fundalloc.trace import Hold

__all__ = ["Manipulability", "RoundingStability", "manipulability", "rounding_stability"]

FloatArray = npt.NDArray[np.float64]


# ------------------------------------------------------------------ rounding stability


@dataclass(frozen=True)
class RoundingStability(Tabular):
    """The result of :func:`rounding_stability`.

    Attributes
    ----------
    ids : tuple of str
        The regions, in id order.
    amounts : ndarray, shape (n,)
        The baseline's published (rounded) amounts, in the money unit.
    changed : ndarray, shape (n,)
        Per region, the share of draws in which its rounded amount differs from the
        baseline's.
    mean_abs_change : ndarray, shape (n,)
        Per region, the mean ``|rounded amount − baseline|`` over the draws, in the unit.
    columns : tuple of str
        The columns perturbed.
    noise : float
        The relative noise σ.
    draws : int
        The number of draws.
    unit : str
        The money unit.
    """

    ids: tuple[str, ...]
    amounts: FloatArray
    changed: FloatArray
    mean_abs_change: FloatArray
    columns: tuple[str, ...]
    noise: float
    draws: int
    unit: str

    def _table(self) -> tuple[str, dict[str, Sequence[Any]]]:
        caption = text(
            "analysis.robustness_stability_caption",
            columns=list(self.columns),
            noise=f"{self.noise:g}",
            draws=self.draws,
        )
        return caption, {
            text("analysis.column_region"): list(self.ids),
            text("analysis.robustness_column_amount", unit=self.unit): self.amounts.tolist(),
            text("analysis.robustness_column_changed"): self.changed.tolist(),
            text("analysis.robustness_column_mean_change", unit=self.unit): (
                self.mean_abs_change.tolist()
            ),
        }

    def of(self, region: str) -> float:
        """The share of draws in which ``region``'s rounded amount changed."""
        return float(self.changed[_position(self.ids, region)])

    def plot(self, *, ax: Any = None, top: int | None = None) -> Any:
        """Horizontal bars of :attr:`changed`, the least stable region on top.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Where to draw; a new figure when None.
        top : int, optional
            Only the ``top`` least stable regions.

        Returns
        -------
        matplotlib.axes.Axes
            One bar container, in the order shown; labels in the reader's language.
        """
        caption, _ = self._table()
        return _bars(
            self.ids, self.changed, text("analysis.robustness_column_changed"), caption, ax, top
        )


def rounding_stability(
    source: Allocation | RegionTable,
    scheme: Scheme | None = None,
    *,
    columns: Sequence[str],
    noise: float = 0.01,
    draws: int = 100,
    seed: int | None = None,
    executor: Executor | None = None,
    draws_per_task: int | None = None,
    progress: bool | None = None,
    callback: Progress | None = None,
) -> RoundingStability:
    """How likely each region's rounded amount is to change under relative noise in the data.

    Parameters
    ----------
    source : Allocation or RegionTable
        An allocation (leave ``scheme`` out), or a table and a scheme.
    scheme : Scheme, optional
        With a table.
    columns : sequence of str
        The numeric input columns to perturb (derived columns are recomputed from them).
    noise : float, default 0.01
        Each value is multiplied by an independent ``exp(σε − σ²/2)``, ``ε ~ N(0, 1)``,
        ``σ = noise`` (the noise model of
        :func:`fundalloc.analysis.sensitivity.monte_carlo_data`).
    draws : int, default 100
        Number of draws; each runs the whole pipeline, rounding included.
    seed : int, optional
        Draw ``d`` uses the ``d``-th stream spawned from ``numpy.random.SeedSequence(seed)``,
        as :func:`~fundalloc.analysis.sensitivity.monte_carlo_data` does.
    executor : concurrent.futures.Executor, optional
        Runs the draws with ``executor.map``, in tasks of ``draws_per_task`` draws, with
        the machinery of :func:`~fundalloc.analysis.sensitivity.monte_carlo_data` (table
        and scheme pickled once, unpickled once per worker process); the result is the same
        as without one. By default the draws run here, one after the other.
    draws_per_task : int, optional
        Draws per task handed to the executor; by default about 64 tasks.
    progress : bool, optional
        Show a progress bar (None: when someone watches and the call is slow).
    callback : callable, optional
        ``callback(done, total)`` after each draw (with an executor: after each task).

    Returns
    -------
    RoundingStability

    Raises
    ------
    DataError
        A column that is missing, derived or not numeric, or none given.
    SchemeError
        ``draws`` below 1 or a negative ``noise``; as :func:`fundalloc.allocate` otherwise.
    InfeasibleError
        As :func:`fundalloc.allocate`, for a draw whose data break a bound.

    Notes
    -----
    With ``D`` draws the share has a standard error of at most ``0.5/√D`` (0.05 at 100).
    Group constraints are solved, since every draw runs the pipeline.

    Examples
    --------
    >>> import fundalloc as fa
    >>> table = fa.RegionTable.from_columns(
    ...     {"id": ["a", "b", "c"], "x": [1, 1, 2], "y": [3, 1, 0]}, id="id")
    >>> scheme = fa.Scheme(total=100, tranches=[fa.Tranche(name="T", share=1, factors=[
    ...     fa.Factor(name="x", rule=fa.Share(column="x"), weight=1)])])
    >>> rounding_stability(table, scheme, columns=["y"], draws=10, seed=0).changed
    array([0., 0., 0.])
    """
    allocation, columns = _perturbed_columns(source, scheme, columns)
    table, scheme = allocation.table, allocation.scheme
    _check_counts(draws, noise, (50,))
    ids = allocation.trace.ids
    baseline = _rounded(allocation, ids)
    changed = np.zeros(len(ids))
    moved = np.zeros(len(ids))
    _check_draws_per_task(draws_per_task)
    seeds = np.random.SeedSequence(seed).spawn(draws)
    with reporter(
        draws, text("common.progress_draws"), progress=progress, callback=callback
    ) as report:
        if executor is None:
            results: Iterator[FloatArray] = (
                _rounded_draws(table, scheme, columns, noise, ids, seeds[d : d + 1])
                for d in range(draws)
            )
        else:
            import pickle
            import uuid

            size = draws_per_task or -(-draws // _TASKS)
            shared = _Shared(uuid.uuid4().hex, pickle.dumps((table, scheme, columns, noise)))
            chunks = [seeds[d : d + size] for d in range(0, draws, size)]
            results = executor.map(partial(_shared_rounded_draws, shared, ids), chunks)
        done = 0
        for amounts in results:
            difference = np.abs(amounts - baseline)
            changed += (difference > 0).sum(axis=0)
            moved += difference.sum(axis=0)
            done += amounts.shape[0]
            report(done)
    if executor is not None:
        _UNPICKLED.pop(shared.token, None)  # a thread pool unpickled it in this process
    return RoundingStability(
        ids=ids,
        amounts=baseline,
        changed=changed / draws,
        mean_abs_change=moved / draws,
        columns=columns,
        noise=float(noise),
        draws=int(draws),
        unit=scheme.unit,
    )


def _rounded_draws(
    table: RegionTable,
    scheme: Scheme,
    columns: tuple[str, ...],
    noise: float,
    ids: tuple[str, ...],
    seeds: Sequence[np.random.SeedSequence],
) -> FloatArray:
    """The published amounts of one draw per seed, in id order (module level: picklable);
    the noise exactly as :func:`~fundalloc.analysis.sensitivity.monte_carlo_data` draws it."""
    out = np.empty((len(seeds), len(ids)))
    base = {column: table.numeric(column) for column in columns}
    for d, stream in enumerate(seeds):
        drawn = _noisy(table, base, noise, np.random.default_rng(stream))
        out[d] = _rounded(allocate(drawn, scheme), ids)
    return out


def _shared_rounded_draws(
    shared: _Shared, ids: tuple[str, ...], seeds: Sequence[np.random.SeedSequence]
) -> FloatArray:
    """:func:`_rounded_draws` on the shared table, scheme, columns and noise (executors)."""
    table, scheme, columns, noise = _shared(shared)
    return _rounded_draws(table, scheme, columns, noise, ids, seeds)


def _rounded(allocation: Allocation, ids: tuple[str, ...]) -> FloatArray:
    """The published amounts in id order, as floats (exact: multiples of the step)."""
    amounts = allocation.amounts
    return np.array([float(amounts[region]) for region in ids])


# ------------------------------------------------------------------------ manipulability


@dataclass(frozen=True)
class Manipulability(Tabular):
    """The result of :func:`manipulability`.

    Attributes
    ----------
    ids : tuple of str
        The regions, in id order.
    column : str
        The indicator overstated.
    overstatement : float
        The relative overstatement δ (0.01 for 1%).
    bounded : ndarray, shape (n,)
        The baseline's bounded amounts (before rounding).
    gain : ndarray, shape (n,)
        Per region, its bounded amount when it alone overstates ``column`` by δ, minus
        ``bounded``, in the money unit (the other regions' bound status held fixed: see the
        module's notes).
    relative_gain : ndarray, shape (n,)
        ``gain / bounded`` (0 where the amount is 0).
    unmodelled : tuple of str
        Factors (``"tranche/factor"``) that read the column by a rule other than a share:
        their effect is not in ``gain``.
    unit : str
        The money unit.
    """

    ids: tuple[str, ...]
    column: str
    overstatement: float
    bounded: FloatArray
    gain: FloatArray
    relative_gain: FloatArray
    unmodelled: tuple[str, ...]
    unit: str

    def _table(self) -> tuple[str, dict[str, Sequence[Any]]]:
        caption = text(
            "analysis.robustness_manipulability_caption",
            column=self.column,
            overstatement=f"{100 * self.overstatement:g}",
        )
        return caption, {
            text("analysis.column_region"): list(self.ids),
            text("analysis.robustness_column_bounded", unit=self.unit): self.bounded.tolist(),
            text("analysis.robustness_column_gain", unit=self.unit): self.gain.tolist(),
            text("analysis.robustness_column_relative_gain"): self.relative_gain.tolist(),
        }

    def of(self, region: str) -> float:
        """``region``'s gain, in the money unit."""
        return float(self.gain[_position(self.ids, region)])

    def plot(self, *, ax: Any = None, top: int | None = None) -> Any:
        """Horizontal bars of :attr:`gain`, the largest on top (see
        :meth:`RoundingStability.plot`)."""
        caption, _ = self._table()
        label = text("analysis.robustness_column_gain", unit=self.unit)
        return _bars(self.ids, self.gain, label, caption, ax, top)


def manipulability(
    source: Allocation | RegionTable,
    scheme: Scheme | None = None,
    *,
    column: str,
    overstatement: float = 0.01,
) -> Manipulability:
    """How much each region would gain by overstating one of its indicators.

    Parameters
    ----------
    source : Allocation or RegionTable
        An allocation (leave ``scheme`` out), or a table and a scheme.
    scheme : Scheme, optional
        With a table.
    column : str
        The indicator a region overstates (one region at a time, the others honest).
    overstatement : float, default 0.01
        The relative overstatement δ: the region reports ``(1 + δ) x``.

    Returns
    -------
    Manipulability

    Raises
    ------
    DataError
        ``column`` is not a numeric column of the table.
    SchemeError
        ``overstatement`` is not a finite number > −1; no factor of the scheme reads
        ``column``; the scheme has group constraints (regions held by a group follow the
        group's own multiplier, which the form does not model: re-allocate instead).

    Notes
    -----
    The analytic form and its approximation are in the module's notes: every region at
    once in O(n), with the other regions' bound status held fixed (exact when none of them
    crosses a bound).

    Examples
    --------
    Two regions with 1 and 3, 100 万元 by their shares: overstating by 1% moves 甲 from
    1/4 to 1.01/4.01 of the money, a gain of 75/401 万元:

    >>> import fundalloc as fa
    >>> table = fa.RegionTable.from_columns({"id": ["甲", "乙"], "x": [1, 3]}, id="id")
    >>> scheme = fa.Scheme(total=100, tranches=[fa.Tranche(name="T", share=1, factors=[
    ...     fa.Factor(name="x", rule=fa.Share(column="x"), weight=1)])])
    >>> result = manipulability(table, scheme, column="x")
    >>> round(result.of("甲"), 6), round(75 / 401, 6)
    (0.187032, 0.187032)
    """
    allocation = _allocation(source, scheme, "data")
    table, scheme = allocation.table, allocation.scheme
    delta = float(overstatement)
    if not (np.isfinite(delta) and delta > -1):
        raise SchemeError(
            Problem(
                "overstatement",
                tr("analysis.robustness_expected_overstatement"),
                found=repr(overstatement),
            )
        )
    if scheme.constraints:
        raise SchemeError(
            Problem(
                tr("analysis.robustness_constraints"),
                tr("analysis.robustness_no_groups"),
                found=tr(
                    "analysis.items", items=[c.description(scheme.unit) for c in scheme.constraints]
                ),
                hint=tr("analysis.robustness_no_groups_hint"),
            )
        )
    if column not in {name for name, _ in scheme.derived}:
        table.numeric(column)  # missing or not numeric: the table's own message
    trace = allocation.trace
    n = len(trace.ids)
    free = trace.holds == Hold.FREE
    target = np.zeros(n)  # t'_r: each region's formula part when it alone overstates
    free_after = np.zeros(n)  # Σ over the free regions of t'_i, when region r overstates
    free_before = 0.0  # Σ over the free regions of t_i
    unmodelled: list[str] = []
    used = False
    for leaf in trace.leaves:
        tranche = leaf.tranche
        if tranche.quota is not None or not tranche.factors:
            continue
        m = leaf.multipliers.prod(axis=0) if leaf.coefficient_names else np.ones(n)
        s = leaf.shares  # (J, n): s_ij
        w = leaf.weights
        c = (s * m).sum(axis=1)  # (J,): c_j = Σ_k m_k s_kj
        c_free = (s * m)[:, free].sum(axis=1)  # (J,): the same over the free regions
        on = np.zeros(len(tranche.factors), dtype=bool)
        for j, factor in enumerate(tranche.factors):
            if isinstance(factor.rule, Share) and factor.rule.column == column:
                on[j] = True
            elif any(need == column for need, _ in factor.rule.needs()):
                unmodelled.append("/".join((*leaf.path, factor.name)))
        used |= bool(on.any()) or bool(unmodelled)
        # column r of each array: region r overstating, everyone else honest
        grow = np.where(on[:, None], 1.0 + delta * s, 1.0)  # 1 + δ s_rj on the column
        own = np.where(on[:, None], (1.0 + delta) * s / grow, s)  # s'_rj
        mass = np.where(on[:, None], (c[:, None] + delta * m * s) / grow, c[:, None])  # c'_j
        extra = np.where(free, delta * m * s, 0.0)  # r's own growth counts if r is free
        mass_free = np.where(on[:, None], (c_free[:, None] + extra) / grow, c_free[:, None])
        denominator = w @ mass
        scale = np.divide(leaf.amount, denominator, out=np.zeros(n), where=denominator > 0)
        target += scale * m * (w @ own)
        free_after += scale * (w @ mass_free)
        total_mass = float(w @ c)
        if total_mass > 0:
            free_before += leaf.amount * float(w @ c_free) / total_mass
    if not used:
        raise SchemeError(
            Problem(
                column,
                tr("analysis.robustness_column_unused"),
                hint=tr("analysis.robustness_column_unused_hint"),
            )
        )
    limits = trace.limits
    fixed = trace.fixed
    lam = float(trace.multiplier)
    # λ' keeps the money of the free regions: λ' Σ_free t' = λ Σ_free t (the bounded regions
    # hold their amounts); for a bounded region λ itself (its own bound holds or it leaves it)
    multiplier = np.where(
        free & (free_after > 0),
        lam * free_before / np.where(free_after > 0, free_after, 1.0),
        lam,
    )
    after = fixed + np.clip(multiplier * target, limits.lower - fixed, limits.upper - fixed)
    after = np.where(trace.taking_part, after, 0.0)
    bounded = np.asarray(trace.bounded, dtype=np.float64)
    gain = after - bounded + 0.0  # no -0.0
    gain[gain == 0] = 0.0
    relative = np.divide(gain, bounded, out=np.zeros(n), where=bounded > 0)
    return Manipulability(
        ids=trace.ids,
        column=column,
        overstatement=delta,
        bounded=bounded,
        gain=gain,
        relative_gain=relative,
        unmodelled=tuple(unmodelled),
        unit=scheme.unit,
    )


def _bars(
    ids: tuple[str, ...], values: FloatArray, label: str, caption: str, ax: Any, top: int | None
) -> Any:
    """Horizontal bars of ``values`` by region, the largest on top (ties in id order)."""
    from fundalloc.plots import _check_top, _finish, _new_axes, _pyplot

    plt = _pyplot()
    _check_top(top)
    order = sorted(range(len(ids)), key=lambda k: -values[k])
    if top is not None:
        order = order[:top]
    if ax is None:
        ax = _new_axes(plt, 8, max(2.5, 0.35 * len(order) + 1.3))
    positions = np.arange(len(order), dtype=float)
    ax.barh(positions, [float(values[k]) for k in order], height=0.6, color="#4393c3")
    ax.set_yticks(positions, [ids[k] for k in order])
    ax.set_ylim(len(order) - 0.5, -0.5)
    ax.set_xlabel(label)
    ax.set_title(caption, fontsize="medium")
    return _finish(ax)
