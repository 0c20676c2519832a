"""The allocation as a function of the factor weights, evaluated for many weight vectors at once.

Tranche sizes, coefficients, quotas and bounds do not depend on the weights, so one
:func:`fundalloc.allocate` run gives everything needed to re-evaluate the amounts for
other weights without the pipeline: per leaf tranche the factor shares ``s_kj``, the
product of its coefficients ``m_k`` and its size ``A``; per region the fixed quota
part and the bounds. For a tranche with normalised weights ``w_j``

    t_k = A · m_k Σ_j w_j s_kj / Σ_l m_l Σ_j w_j s_lj,

the formula targets of all tranches add up per region, and the bounds act as in the
pipeline: ``a_k = fixed_k + clip(λ f_k, lo_k − fixed_k, hi_k − fixed_k)`` with one λ
per weight vector (``f`` the formula part). The amounts are the bounded amounts
*before rounding* (the pipeline's ``trace.bounded``).

The λ of each weight vector is found by a safeguarded Newton iteration on the
continuous, non-decreasing, piecewise-linear ``F(λ) = Σ clip(λ f, lo, hi)``: on a
linear piece one Newton step lands on the answer, so the iteration ends as soon as
the set of free regions stops changing; a bracket around the answer turns a step that
leaves it into a bisection step, so it always ends. Rows are processed in chunks so
that the arrays stay in cache.

References
----------
K. C. Kiwiel, "Breakpoint searching algorithms for the continuous quadratic knapsack
problem", *Mathematical Programming* 112 (2008) 473-491 (Newton-type methods for the
same piecewise-linear equation, with safeguards).
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from fundalloc.analysis._progress import Progress, reporter
from fundalloc.analysis.weights import with_weights
from fundalloc.bounds import at_bounds
from fundalloc.errors import InfeasibleError, Problem, SchemeError, SolverError
from fundalloc.i18n import Message, text, tr
from fundalloc.money import format_amount
from fundalloc.result import Allocation
from fundalloc.scheme import Scheme

__all__ = ["Batch", "Progress", "WeightModel", "solve_multipliers"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

_T = TypeVar("_T", bound=np.generic)

_RESIDUAL = 1e-11  # |Σ a − total| accepted by the batched λ, relative to the total
_MAX_STEPS = 200  # Newton / bisection steps per row before giving up (never reached in tests)
_NEWTON_ONLY = 8  # after this many steps, every other step bisects the bracket
_BLOCK = 2048  # rows per task handed to an executor


@dataclass(frozen=True)
class Batch:
    """Bounded amounts (before rounding) for a batch of weight vectors.

    Attributes
    ----------
    ids : tuple of str
        The regions, in id order: the columns of ``amounts``.
    weights : ndarray, shape (B, K)
        The weight vectors, normalised within each tranche.
    amounts : ndarray, shape (B, n)
        ``amounts[b, k]``: region ``ids[k]``'s bounded amount for weight vector ``b``.
    multipliers : ndarray, shape (B,)
        The common λ of the bounds for each weight vector.
    """

    ids: tuple[str, ...]
    weights: FloatArray
    amounts: FloatArray
    multipliers: FloatArray


@dataclass(frozen=True)
class _Leaf:
    path: tuple[str, ...]
    size: float
    start: int  # the leaf's weights are entries start .. start + len(names) of the vector
    names: tuple[str, ...]
    adjusted: FloatArray  # (K_leaf, n): m_k · s_kj, the coefficient-adjusted shares


@dataclass(frozen=True, eq=False)
class WeightModel:
    """The bounded amounts of an allocation as a function of its factor weights.

    Build it with :meth:`from_allocation` or
    :func:`fundalloc.analysis.sensitivity.weight_model`. The weights form one flat vector
    over every factor of every leaf tranche, in scheme order; entry ``k`` is labelled
    ``labels[k]`` = the tranche path and the factor name joined by "/"
    (``"贫困人口因素/贫困发生率"``). Region arrays are in id order (:attr:`ids`).

    Attributes
    ----------
    ids : tuple of str
        The regions, in id order (Unicode code points), as in the allocation's trace.
    labels : tuple of str
        One label per weight: ``"tranche/.../factor"``.
    keys : tuple of (tuple of str, str)
        One (tranche path, factor name) pair per weight.
    weights : ndarray, shape (K,)
        The scheme's weights, normalised within each tranche (they add up to 1 per tranche).
    total : float
        The scheme's total.
    fixed : ndarray, shape (n,)
        Each region's part from quota tranches (not scaled by λ).
    lower, upper : ndarray, shape (n,)
        Each region's combined floor and cap (0 and inf where there is none).
    has_floor, has_cap : ndarray of bool, shape (n,)
        Whether a floor or a cap applies to the region.
    taking_part : ndarray of bool, shape (n,)
        The regions meeting the scheme's eligibility (the others get nothing).
    multiplier : float
        λ of the allocation the model was built from.
    bounded : ndarray, shape (n,)
        The allocation's bounded amounts (before rounding).
    scheme : Scheme
        The allocation's scheme.

    Notes
    -----
    Group constraints (``scheme.constraints``) are not modelled: :meth:`from_allocation`
    refuses such schemes. Loop over :func:`fundalloc.allocate` with schemes from
    :func:`fundalloc.analysis.weights.with_weights` instead.
    """

    ids: tuple[str, ...]
    labels: tuple[str, ...]
    keys: tuple[tuple[tuple[str, ...], str], ...]
    weights: FloatArray
    total: float
    fixed: FloatArray
    lower: FloatArray
    upper: FloatArray
    has_floor: BoolArray
    has_cap: BoolArray
    taking_part: BoolArray
    multiplier: float
    bounded: FloatArray
    scheme: Scheme
    _leaves: tuple[_Leaf, ...]
    _adjusted: FloatArray  # (K, n): the leaves' adjusted shares stacked
    _mass: FloatArray  # (K,): Σ_l m_l s_lj per factor

    # ------------------------------------------------------------------ building
    @classmethod
    def from_allocation(cls, allocation: Allocation) -> WeightModel:
        """The model of ``allocation``'s scheme around its data.

        Raises
        ------
        SchemeError
            If the scheme has group constraints (not modelled) or no weighted factor.

        Examples
        --------
        >>> import fundalloc as fa
        >>> table = fa.RegionTable.from_columns(
        ...     {"id": ["a", "b", "c"], "x": [1, 1, 2], "y": [3, 1, 0]}, id="id")
        >>> scheme = fa.Scheme(total=100, tranches=[fa.Tranche(name="T", share=1, factors=[
        ...     fa.Factor(name="x", rule=fa.Share(column="x"), weight=0.5),
        ...     fa.Factor(name="y", rule=fa.Share(column="y"), weight=0.5)])])
        >>> model = WeightModel.from_allocation(fa.allocate(table, scheme))
        >>> model.labels
        ('T/x', 'T/y')
        >>> model.evaluate([[1, 0], [0, 1]]).amounts
        array([[25., 25., 50.],
               [75., 25.,  0.]])
        """
        scheme, trace = allocation.scheme, allocation.trace
        if scheme.constraints:
            raise SchemeError(
                Problem(
                    tr("solve.where_constraints"),
                    tr("solve.model.no_groups"),
                    found=tr(
                        "solve.model.constraints",
                        constraints=[c.description(scheme.unit) for c in scheme.constraints],
                    ),
                    hint=tr("solve.model.no_groups_hint"),
                )
            )
        leaves: list[_Leaf] = []
        keys: list[tuple[tuple[str, ...], str]] = []
        weights: list[float] = []
        for leaf in trace.leaves:
            tranche = leaf.tranche
            if tranche.quota is not None or not tranche.factors:
                continue
            # the raw shares as the pipeline computed them, kept in the trace
            shares = leaf.shares
            coefficients = (
                leaf.multipliers.prod(axis=0) if leaf.coefficient_names else np.ones(len(trace.ids))
            )
            leaves.append(
                _Leaf(
                    leaf.path,
                    float(leaf.amount),
                    len(keys),
                    tuple(f.name for f in tranche.factors),
                    shares * coefficients,
                )
            )
            keys += [(leaf.path, f.name) for f in tranche.factors]
            weights += leaf.weights.tolist()
        if not leaves:
            raise SchemeError(Problem("tranches", tr("solve.model.no_factors")))
        limits = trace.limits
        adjusted = np.concatenate([leaf.adjusted for leaf in leaves])
        return cls(
            ids=trace.ids,
            labels=tuple("/".join((*path, name)) for path, name in keys),
            keys=tuple(keys),
            weights=_frozen(np.array(weights)),
            total=float(scheme.total),
            fixed=_frozen(trace.fixed),
            lower=_frozen(limits.lower),
            upper=_frozen(limits.upper),
            has_floor=_frozen(limits.lower_from >= 0),
            has_cap=_frozen(limits.upper_from >= 0),
            taking_part=_frozen(trace.taking_part),
            multiplier=float(trace.multiplier),
            bounded=_frozen(trace.bounded),
            scheme=scheme,
            _leaves=tuple(leaves),
            _adjusted=_frozen(adjusted),
            _mass=_frozen(adjusted.sum(axis=1)),
        )

    # ------------------------------------------------------------------ weights
    def index(self, label: str) -> int:
        """The position of the weight labelled ``label`` in the weight vector.

        Raises
        ------
        SchemeError
            If there is no such weight (the closest label as a hint).
        """
        try:
            return self.labels.index(label)
        except ValueError:
            import difflib

            close = difflib.get_close_matches(label, self.labels, n=1, cutoff=0.4)
            raise SchemeError(
                Problem(
                    label,
                    tr("solve.model.no_label"),
                    found=", ".join(self.labels),
                    hint=tr("solve.model.did_you_mean", label=repr(close[0])) if close else None,
                )
            ) from None

    def tranche_of(self, k: int) -> slice:
        """The positions of the weights that share a tranche with weight ``k``."""
        for leaf in self._leaves:
            if leaf.start <= k < leaf.start + len(leaf.names):
                return slice(leaf.start, leaf.start + len(leaf.names))
        raise IndexError(k)

    def movable(self, k: int) -> bool:
        """Whether weight ``k`` can change: false when it holds its whole tranche (alone or
        next to zero weights), since the others have nothing to give up."""
        return bool(self.weights[k] < 1.0)

    def with_weight(self, label: str, value: float) -> FloatArray:
        """The base weights with ``label`` set to ``value`` and the others of its tranche
        rescaled in proportion so the tranche's weights still add up to 1.

        Raises
        ------
        SchemeError
            If ``value`` is outside [0, 1] or the weight cannot move (see :meth:`movable`).

        Examples
        --------
        >>> import fundalloc as fa
        >>> table = fa.RegionTable.from_columns({"id": ["a"], "x": [1], "y": [1], "z": [1]},
        ...                                     id="id")
        >>> scheme = fa.Scheme(total=1, tranches=[fa.Tranche(name="T", share=1, factors=[
        ...     fa.Factor(name=c, rule=fa.Share(column=c), weight=w)
        ...     for c, w in (("x", 0.5), ("y", 0.3), ("z", 0.2))])])
        >>> model = WeightModel.from_allocation(fa.allocate(table, scheme))
        >>> model.with_weight("T/x", 0.75).round(6)
        array([0.75, 0.15, 0.1 ])
        """
        k = self.index(label)
        vector = self.weights.copy()
        vector[self.tranche_of(k)] = self._moved(k, np.array([value]), label)[0]
        return vector

    def _moved(self, k: int, values: FloatArray, label: str) -> FloatArray:
        """The tranche's weights with weight k at each of ``values`` (rows), others rescaled."""
        block = self.tranche_of(k)
        base = self.weights[block]
        j = k - int(block.start)
        bad = [float(v) for v in values if not 0.0 <= v <= 1.0]
        if bad:
            raise SchemeError(
                Problem(
                    label,
                    tr("solve.model.weight_range"),
                    found=", ".join(f"{v:g}" for v in bad),
                    hint=tr("solve.model.smaller_change") if min(bad) >= 0 else None,
                )
            )
        if not self.movable(k):
            raise SchemeError(
                Problem(
                    label,
                    tr("solve.model.whole_tranche"),
                    found=tr("solve.model.weight", weight=f"{base[j]:g}"),
                )
            )
        rows = np.outer((1.0 - values) / (1.0 - base[j]), base)
        rows[:, j] = values
        return rows

    def scheme_for(self, weights: Sequence[float] | FloatArray) -> Scheme:
        """The scheme with the given weight vector (normalised within each tranche), for
        :func:`fundalloc.allocate`: the loop the model replaces, and the way to check it.

        Examples
        --------
        >>> import fundalloc as fa
        >>> table = fa.RegionTable.from_columns({"id": ["a", "b"], "x": [1, 3], "y": [1, 1]},
        ...                                     id="id")
        >>> scheme = fa.Scheme(total=10, tranches=[fa.Tranche(name="T", share=1, factors=[
        ...     fa.Factor(name="x", rule=fa.Share(column="x"), weight=0.5),
        ...     fa.Factor(name="y", rule=fa.Share(column="y"), weight=0.5)])])
        >>> model = WeightModel.from_allocation(fa.allocate(table, scheme))
        >>> [f.weight for f in model.scheme_for([3, 1]).tranches[0].factors]
        [0.75, 0.25]
        """
        vector = self._validate(np.atleast_2d(np.asarray(weights, dtype=np.float64)))[0]
        scheme = self.scheme
        for leaf in self._leaves:
            values = vector[leaf.start : leaf.start + len(leaf.names)]
            scheme = with_weights(
                scheme,
                dict(zip(leaf.names, values.tolist(), strict=True)),
                tranche="/".join(leaf.path),
            )
        return scheme

    # ------------------------------------------------------------------ evaluation
    def targets(self, weights: Sequence[Sequence[float]] | FloatArray) -> FloatArray:
        """Formula targets (quota parts included) for each weight vector, shape (B, n)."""
        w = self._validate(np.atleast_2d(np.asarray(weights, dtype=np.float64)))
        return self._formula(w) + self.fixed

    def evaluate(
        self,
        weights: Sequence[float] | Sequence[Sequence[float]] | FloatArray,
        *,
        chunk: int = 64,
        executor: Executor | None = None,
        progress: bool | None = None,
        callback: Progress | None = None,
    ) -> Batch:
        """The bounded amounts (before rounding) for each weight vector.

        Parameters
        ----------
        weights : array_like, shape (K,) or (B, K)
            Weight vectors over :attr:`labels`; each tranche's weights are normalised to
            add up to 1, so only their ratios within a tranche matter.
        chunk : int, default 64
            Rows solved together; small enough for the arrays to stay in cache.
        executor : concurrent.futures.Executor, optional
            Blocks of 2048 rows are evaluated with ``executor.map``: a thread or process
            pool, or a dask cluster's ``client.get_executor()`` (see the parallel page of
            the docs). Threads help: numpy releases the GIL. By default everything runs
            here, in order.
        progress : bool, optional
            Show a progress bar: None (default) when someone watches (a terminal or
            Jupyter) and the call takes more than half a second, True always (needs
            tqdm), False never.
        callback : callable, optional
            ``callback(done, total)`` with the number of rows done, after each block.

        Returns
        -------
        Batch

        Raises
        ------
        SchemeError
            A weight that is negative or not finite, or a tranche whose weights add up to 0.
        InfeasibleError
            Weight vectors for which the bounds cannot hold the total: regions whose target
            becomes zero stay at their floor, so the caps may no longer hold the total.

        Notes
        -----
        The result does not depend on ``chunk`` or the executor beyond the last bits of
        floating point. Amounts are not rounded; the single-allocation path rounds them.
        """
        w = self._validate(np.atleast_2d(np.asarray(weights, dtype=np.float64)))
        if chunk < 1:
            raise SchemeError(Problem("chunk", tr("solve.model.expected_rows"), found=repr(chunk)))
        rows = w.shape[0]
        scale = self._scales(w)
        starts = list(range(0, rows, _BLOCK))
        amounts = np.empty((rows, len(self.ids)))
        multipliers = np.empty(rows)
        with reporter(
            rows, text("common.progress_weight_vectors"), progress=progress, callback=callback
        ) as report:
            if executor is None:
                for s in starts:
                    e = min(s + _BLOCK, rows)
                    _evaluate_into(self, scale[s:e], chunk, s, amounts[s:e], multipliers[s:e])
                    report(e)
            else:
                # sized lists, not itertools.repeat: dask's executor needs len()
                tasks = len(starts)
                blocks = [scale[s : s + _BLOCK] for s in starts]
                results = executor.map(
                    _evaluate_block, [self] * tasks, blocks, [chunk] * tasks, starts
                )
                for s, (a, lam) in zip(starts, results, strict=True):
                    amounts[s : s + a.shape[0]] = a
                    multipliers[s : s + a.shape[0]] = lam
                    report(s + a.shape[0])
        return Batch(self.ids, w, amounts, multipliers)

    def target_derivatives(self) -> FloatArray:
        """d target_i / d weight_k at the base weights, shape (n, K), before bounds.

        Weight ``k`` moves with the other weights of its tranche rescaled in proportion
        (as :meth:`with_weight` does); a weight that cannot move (:meth:`movable`) has a
        column of zeros.

        Notes
        -----
        With ``G_kj = m_k s_kj``, ``u_k = Σ_j w_j G_kj``, ``U = Σ_k u_k`` and
        ``c_j = Σ_k G_kj``, the tranche targets are ``t_k = A u_k / U``; moving weight
        ``j`` along ``(e_j − w) / (1 − w_j)`` (which keeps the sum at 1) gives

        .. math:: \\frac{dt_k}{dw_j} = \\frac{A}{U}\\,
                  \\frac{G_{kj} - u_k c_j / U}{1 - w_j}.
        """
        out = np.zeros((len(self.ids), len(self.labels)))
        for leaf in self._leaves:
            block = slice(leaf.start, leaf.start + len(leaf.names))
            w = self.weights[block]
            u = w @ leaf.adjusted
            c = self._mass[block]
            mass = float(w @ c)
            for j in range(len(leaf.names)):
                if w[j] < 1.0:
                    out[:, leaf.start + j] = (
                        leaf.size / mass * (leaf.adjusted[j] - u * c[j] / mass) / (1.0 - w[j])
                    )
        return out

    def binding(self, amounts: FloatArray) -> tuple[BoolArray, BoolArray]:
        """Which regions sit at their floor and at their cap, for amounts of this model.

        A region counts as at its floor (cap) when it has one and its amount equals it
        within :data:`fundalloc.bounds.AT_BOUND` (the amounts of other weights carry no
        record of their bounds; the allocation's own are in its trace,
        :attr:`fundalloc.trace.Trace.holds`).
        """
        at_floor, at_cap = _binding(amounts, self.lower, self.upper)
        return at_floor & self.has_floor, at_cap & self.has_cap

    # ------------------------------------------------------------------ internals
    def _validate(self, w: FloatArray) -> FloatArray:
        if w.ndim != 2 or w.shape[1] != len(self.labels):
            raise SchemeError(
                Problem(
                    "weights",
                    tr(
                        "solve.model.weights_per_vector",
                        count=str(len(self.labels)),
                        labels=", ".join(self.labels),
                    ),
                    found=tr("solve.model.shape", shape=str(w.shape)),
                )
            )
        bad = ~np.isfinite(w) | (w < 0)
        if bad.any():
            b, k = np.argwhere(bad)[0]
            raise SchemeError(
                Problem(
                    f"weights[{b}]",
                    tr("solve.model.finite_weights"),
                    found=f"{self.labels[k]} = {w[b, k]}",
                )
            )
        out = np.empty_like(w)
        for leaf in self._leaves:
            block = slice(leaf.start, leaf.start + len(leaf.names))
            sums = w[:, block].sum(axis=1, keepdims=True)
            empty = np.flatnonzero(sums[:, 0] <= 0)
            if empty.size:
                raise SchemeError(
                    Problem(
                        "/".join(leaf.path),
                        tr("solve.model.positive_weight"),
                        found=tr("solve.model.all_zero", rows=_rows(empty)),
                    )
                )
            out[:, block] = w[:, block] / sums
        return out

    def _scales(self, w: FloatArray) -> FloatArray:
        """Per weight vector and factor, ``A w_j / Σ_k m_k Σ_j w_j s_kj``: the formula part
        is then ``scales @ G`` with the stacked adjusted shares G."""
        scale = np.empty_like(w)
        for leaf in self._leaves:
            block = slice(leaf.start, leaf.start + len(leaf.names))
            mass = w[:, block] @ self._mass[block]
            empty = np.flatnonzero(~(mass > 0))
            if empty.size:
                raise SchemeError(
                    Problem(
                        "/".join(leaf.path),
                        tr("solve.model.coefficients_zero"),
                        found=tr("solve.model.vectors", rows=_rows(empty)),
                    )
                )
            scale[:, block] = w[:, block] * (leaf.size / mass)[:, None]
        return scale

    def _formula(self, w: FloatArray) -> FloatArray:
        """The formula part of the targets (without quotas), shape (B, n)."""
        return np.asarray(np.einsum("bk,kn->bn", self._scales(w), self._adjusted))


def _frozen(array: npt.NDArray[_T]) -> npt.NDArray[_T]:
    out = np.array(array)
    out.flags.writeable = False
    return out


def _rows(indices: npt.NDArray[np.intp]) -> Message | str:
    """Row numbers, ten at most and a count of the others."""
    shown = ", ".join(str(int(i)) for i in indices[:10])
    if indices.size > 10:
        return tr("solve.model.and_more", shown=shown, more=str(indices.size - 10))
    return shown


#: amounts of other weight vectors carry no record of their bounds: compared within the one
#: tolerance, :data:`fundalloc.bounds.AT_BOUND`
_binding = at_bounds


def _evaluate_block(
    model: WeightModel, scale: FloatArray, chunk: int, first: int
) -> tuple[FloatArray, FloatArray]:
    """Amounts and λ for a block of weight vectors, given as the per-factor scales of
    :meth:`WeightModel._scales` (module level, so an executor can pickle it)."""
    amounts = np.empty((scale.shape[0], len(model.ids)))
    multipliers = np.empty(scale.shape[0])
    _evaluate_into(model, scale, chunk, first, amounts, multipliers)
    return amounts, multipliers


def _evaluate_into(
    model: WeightModel,
    scale: FloatArray,
    chunk: int,
    first: int,
    amounts: FloatArray,
    multipliers: FloatArray,
) -> None:
    fixed = model.fixed
    low = np.maximum(model.lower - fixed, 0.0)
    high = model.upper - fixed
    total = model.total - float(fixed.sum())
    rows, n = scale.shape[0], len(model.ids)
    size = min(chunk, rows)
    formula, scaled, clipped = np.empty((size, n)), np.empty((size, n)), np.empty((size, n))
    free = np.empty((size, n), dtype=bool)
    for s in range(0, rows, chunk):
        m = min(chunk, rows - s)
        # einsum, not @: BLAS threads on such thin products stall unpredictably
        np.einsum("bk,kn->bn", scale[s : s + m], model._adjusted, out=formula[:m])
        multipliers[s : s + m] = _solve_chunk(
            formula[:m],
            low,
            high,
            total,
            model.multiplier,
            first + s,
            scaled[:m],
            clipped[:m],
            free[:m],
        )
        np.add(clipped[:m], fixed, out=amounts[s : s + m])


def solve_multipliers(
    targets: FloatArray,
    lower: FloatArray,
    upper: FloatArray,
    total: float,
    *,
    start: float = 1.0,
    chunk: int = 64,
) -> FloatArray:
    """For each row ``b`` of ``targets``, the λ with ``Σ_k clip(λ t_bk, lo_k, hi_k) = total``.

    The batched counterpart of :func:`fundalloc.solvers.exact.solve_proportional`: the
    bounds are the same for every row and feasible (``lo <= hi``, ``Σ lo <= total``);
    ``start`` is the first guess of λ.

    Raises
    ------
    InfeasibleError
        Rows whose caps (floors where the target is 0) cannot hold the total.
    SolverError
        If a row does not converge (not expected: the bracket halves at worst).

    Notes
    -----
    Per row, a Newton step ``λ + (total − F(λ)) / Σ_free t`` on the piecewise-linear
    ``F(λ) = Σ clip(λ t, lo, hi)``, kept inside a bracket ``[λL, λU]`` around the answer
    (a step that leaves it bisects instead, or doubles λ while there is no upper end).
    On the linear piece holding the answer one step is exact, so a row stops once its free
    regions no longer change, within a relative 1e-11 of the total. After 8 steps every
    other step bisects, so no row needs more than about 120 steps however close the kinks.

    Examples
    --------
    >>> t = np.array([[10.0, 40.0, 50.0], [50.0, 40.0, 10.0]])
    >>> lam = solve_multipliers(t, np.array([30.0, 0, 0]), np.full(3, np.inf), 100.0)
    >>> lam.round(6)
    array([0.777778, 1.      ])
    """
    targets = np.asarray(targets, dtype=np.float64)
    rows, n = targets.shape
    lam = np.empty(rows)
    size = max(1, min(chunk, rows))
    scaled, clipped = np.empty((size, n)), np.empty((size, n))
    free = np.empty((size, n), dtype=bool)
    for s in range(0, rows, size):
        m = min(size, rows - s)
        lam[s : s + m] = _solve_chunk(
            targets[s : s + m], lower, upper, total, start, s, scaled[:m], clipped[:m], free[:m]
        )
    return lam


def _solve_chunk(
    targets: FloatArray,
    lower: FloatArray,
    upper: FloatArray,
    total: float,
    start: float,
    first: int,
    scaled: FloatArray,
    clipped: FloatArray,
    free: BoolArray,
) -> FloatArray:
    """λ per row; on return ``clipped`` holds ``clip(λ t, lo, hi)`` (the buffers are reused
    so that a chunk's arrays stay in cache)."""
    rows = targets.shape[0]
    lam = np.full(rows, start if start > 0 else 1.0)
    lam_lo = np.zeros(rows)
    lam_hi = np.full(rows, np.inf)
    done = np.zeros(rows, dtype=bool)
    tolerance = _RESIDUAL * max(1.0, abs(total))
    for count in range(_MAX_STEPS):
        np.multiply(targets, lam[:, None], out=scaled)
        np.clip(scaled, lower, upper, out=clipped)
        gap = total - clipped.sum(axis=1)
        done |= np.abs(gap) <= tolerance
        if done.all():
            off = np.flatnonzero(np.abs(gap) > 1e-9 * max(1.0, abs(total)))
            if off.size:
                raise SolverError(
                    Problem(
                        tr("solve.model.vectors", rows=_rows(off + first)),
                        tr("solve.model.stopped", gap=f"{float(gap[off[0]]):g}"),
                    )
                )
            return lam
        np.equal(scaled, clipped, out=free)
        slope = np.einsum("ij,ij->i", targets, free)  # Σ t over free regions; faster than where=
        below = gap > 0
        lam_lo = np.where(below, lam, lam_lo)
        lam_hi = np.where(below, lam_hi, lam)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = lam + gap / slope
        inside = (slope > 0) & (step > lam_lo) & (step < lam_hi)
        capped = np.isfinite(lam_hi)
        if count >= _NEWTON_ONLY and count % 2:  # Newton may cross one kink per step: halve
            inside &= ~capped
        fallback = np.where(capped, 0.5 * (lam_lo + lam_hi), 2.0 * lam)
        done |= capped & (lam_hi - lam_lo <= 4 * np.finfo(float).eps * lam_hi)
        lam = np.where(done, lam, np.where(inside, step, fallback))
    stuck = np.flatnonzero(~done)
    reachable = np.where(targets[stuck] > 0, upper, lower).sum(axis=1)
    short = reachable < total * (1 - 1e-12)
    if short.any():
        raise InfeasibleError(
            Problem(
                tr("solve.model.vectors", rows=_rows(stuck[short] + first)),
                tr(
                    "solve.model.caps_short",
                    caps=format_amount(float(reachable[short][0])),
                    total=format_amount(total),
                ),
                hint=tr("solve.model.caps_short_hint"),
            )
        )
    raise SolverError(
        Problem(
            tr("solve.model.vectors", rows=_rows(stuck + first)),
            tr("solve.model.no_convergence", steps=str(_MAX_STEPS)),
        )
    )
