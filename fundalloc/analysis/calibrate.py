"""Calibration: the weights that best reproduce a published allocation (反推权重).

A bureau publishes last year's table (测算表) with the factor data but perhaps not the
weights, or with weights rounded to whole percent. :func:`calibrate` finds the
non-negative weights adding up to 1 that reproduce the published amounts best in the
least-squares sense, and says how well: the largest deviation in the money unit, R²,
and whether the fit is as good as the rounding of the published amounts allows.

The model
---------
For one tranche with factors ``j`` (shares ``s_ij`` over the regions taking part,
computed by each factor's rule exactly as :func:`fundalloc.allocate` does) and published
amounts ``p_i`` adding up to ``T``:

.. math:: p_i \\approx T \\sum_j w_j s_{ij}, \\qquad w_j \\ge 0, \\quad \\sum_j w_j = 1.

With coefficients ``c_i`` (调节系数) the tranche's formula is
``T c_i Σ_j w_j s_ij / Σ_k c_k Σ_j w_j s_kj``, not linear in ``w``; but it is linear in
``v_j = w_j m_j / Σ_l w_l m_l`` with ``m_j = Σ_k c_k s_kj`` over the *coefficient-adjusted
shares* ``s'_ij = c_i s_ij / m_j``, each again adding up to 1. The fit is made on those,
exactly, and ``w_j ∝ v_j / m_j`` is returned: the weights to put in the scheme.

What :func:`calibrate` does not model: floors and caps (a region held at a floor has an
amount the weights do not explain) and other tranches (give the amounts of the one
tranche). :func:`calibrate_scheme` does: from the final published amounts it recovers the
tranche shares and the weights of every tranche together, with the regions at a floor or
cap found and left out of the proportional fit.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np
import numpy.typing as npt

from fundalloc.analysis._frames import Tabular
from fundalloc.analysis._progress import Progress, reporter
from fundalloc.analysis.weights import _find_leaf
from fundalloc.errors import (
    MAX_LISTED,
    DataError,
    InfeasibleError,
    Problem,
    SchemeError,
    SolverError,
    not_listed,
)
from fundalloc.factors import Coefficient, Condition, Factor, FloatArray, shares_of
from fundalloc.i18n import Message, text, tr
from fundalloc.money import format_amount
from fundalloc.scheme import Scheme, Tranche
from fundalloc.table import RegionTable

__all__ = ["Calibration", "SchemeCalibration", "calibrate", "calibrate_scheme"]


@dataclass(frozen=True)
class Calibration(Tabular):
    """The result of :func:`calibrate`.

    Attributes
    ----------
    weights : dict of str to float
        Factor name to its recovered weight; non-negative, adding up to 1.
    fitted : dict of str to float
        Region id to the amount these weights give (before any rounding), in table order.
    residuals : dict of str to float
        Region id to ``published − fitted``; they add up to 0.
    max_abs_deviation : float
        The largest ``|published − fitted|``, in the money unit.
    worst : str
        The region with that deviation.
    r_squared : float or None
        ``1 − Σ residual² / Σ (published − mean)²`` over the regions taking part; None when
        every one of them has the same published amount (R² is then undefined).
    total : float
        ``T``, the published amounts added up.
    step : Decimal
        The rounding step of the published amounts.
    unit : str
        The money unit ("" when not known).
    identifiable : bool
        False when different weights give exactly the same amounts (two factors with the
        same shares, say); the weights are then one of many equally good answers.
    tranche : str
        The path of the tranche calibrated ("" for a list of factors).
    """

    weights: dict[str, float]
    fitted: dict[str, float]
    residuals: dict[str, float]
    max_abs_deviation: float
    worst: str
    r_squared: float | None
    total: float
    step: Decimal
    unit: str
    identifiable: bool
    tranche: str

    def _table(self) -> tuple[str, dict[str, Sequence[Any]]]:
        regions = list(self.fitted)
        caption = text(
            "analysis.table_calibration",
            weights=[f"{name} {weight:.4g}" for name, weight in self.weights.items()],
            r_squared="—" if self.r_squared is None else f"{self.r_squared:.6f}",
            deviation=f"{self.max_abs_deviation:.6g}",
            unit=self.unit,
        )
        return caption, {
            text("analysis.column_region"): regions,
            text("analysis.column_fitted"): [self.fitted[r] for r in regions],
            text("analysis.column_residual"): [self.residuals[r] for r in regions],
        }

    @property
    def within_rounding(self) -> bool:
        """Whether every published amount is within one step of the fitted amount.

        The largest-remainder method moves each amount by less than one step from its exact
        value (independent half-up rounding by at most half a step), so a fit within one
        step is as close as the published table can tell: the weights reproduce it up to the
        rounding.
        """
        return self.max_abs_deviation < float(self.step)


def calibrate(
    table: RegionTable,
    model: Scheme | Tranche | Sequence[Factor],
    published: Mapping[str, Decimal | float | int] | str,
    *,
    tranche: str | None = None,
    step: Decimal | float | int | str | None = None,
) -> Calibration:
    """The non-negative weights adding up to 1 that reproduce a published allocation best.

    Parameters
    ----------
    table : RegionTable
        The regions and their factor data.
    model : Scheme, Tranche or sequence of Factor
        Where the factors come from: the one tranche with factors of a scheme (or the one
        named by ``tranche``), a tranche, or a list of factors. Their current weights are
        ignored; coefficients and eligibility (of the scheme and of every tranche on the
        path) are used as :func:`fundalloc.allocate` uses them, and a scheme's derived
        columns are computed first.
    published : mapping of str to number, or str
        The published amounts of that tranche, by region id (for every region of the
        table), or the name of a column of ``table`` that holds them.
    tranche : str, optional
        The tranche's path in the scheme, names joined by ``"/"``; needed only when the
        scheme has more than one tranche with factors.
    step : Decimal, optional
        The rounding step of the published amounts, for :attr:`Calibration.within_rounding`;
        by default the scheme's step, or 1.

    Returns
    -------
    Calibration
        The weights by factor name, fitted amounts, residuals and fit statistics.

    Raises
    ------
    DataError
        The published ids differ from the table's (all listed), an amount is negative or
        not a number, they add up to 0, a region that does not take part has an amount, or
        a factor column is missing or invalid.
    SchemeError
        The tranche is not found, not given when needed, or has no factors; a factor list
        is empty or repeats a name; the step is not positive.
    InfeasibleError
        No region meets the eligibility.

    Notes
    -----
    The least-squares problem on the simplex, ``min ‖A v − p/T‖`` subject to ``v >= 0``,
    ``Σ v = 1``, is solved by a primal active-set method (Lawson and Hanson's NNLS
    strategy with the equality kept exactly): each step solves the equality-constrained
    problem on the current support in a null-space basis of ``Σ v = 1`` by an SVD least
    squares (so collinear factors do not break it), then steps back to the boundary when a
    weight would turn negative, or frees the weight whose Lagrange multiplier is most
    negative. It stops when the KKT conditions hold: every free weight has the same
    gradient ``μ``, every zero weight a gradient at least ``μ``. With a handful of factors
    this takes a few steps and is exact up to floating point, unlike NNLS with the
    sum-to-one constraint appended as a heavily weighted row, whose answer depends on
    the weight chosen. See the test suite for the KKT check.

    Because the fitted amounts are the projection of the published ones on a convex set
    that contains the true formula amounts, ``‖fitted − true‖ <= ‖published − true‖``:
    rounding the published table by at most a step per region moves the fitted amounts by
    at most ``√n`` steps in total, and the weights by at most that divided by
    ``T σ_min(A)``.

    References
    ----------
    C. L. Lawson and R. J. Hanson, *Solving Least Squares Problems*, Prentice-Hall, 1974,
    ch. 23 (NNLS) and 20-22 (least squares with equality constraints).
    J. Nocedal and S. J. Wright, *Numerical Optimization*, 2nd ed., Springer, 2006,
    algorithm 16.3 (active-set method for convex QP).

    Examples
    --------
    Allocate 1000 万元 by known weights, then recover them from the rounded table:

    >>> import fundalloc as fa
    >>> table = fa.RegionTable.from_columns({
    ...     "地区": ["甲", "乙", "丙", "丁"], "贫困人口": [500, 300, 150, 50],
    ...     "重点村": [2, 5, 3, 10]}, id="地区")
    >>> scheme = fa.Scheme(total=1000, tranches=[fa.Tranche(name="因素", share=1, factors=[
    ...     fa.Factor(name="贫困人口", rule=fa.Share(column="贫困人口"), weight=0.6),
    ...     fa.Factor(name="重点村", rule=fa.Share(column="重点村"), weight=0.4)])])
    >>> published = fa.allocate(table, scheme).amounts
    >>> published
    {'甲': Decimal('340'), '乙': Decimal('280'), '丙': Decimal('150'), '丁': Decimal('230')}
    >>> fit = calibrate(table, scheme, published)
    >>> {k: round(v, 4) for k, v in fit.weights.items()}
    {'贫困人口': 0.6, '重点村': 0.4}
    >>> round(fit.max_abs_deviation, 4), fit.within_rounding, round(fit.r_squared, 6)
    (0.0, True, 1.0)
    """
    name, factors, coefficients, conditions, unit, default_step, table = _model(
        table, model, tranche
    )
    step_value = _step(default_step if step is None else step)
    amounts = _published(table, published)

    order = np.argsort(np.array(table.ids, dtype=str), kind="stable")
    data = table.take(order)
    p = amounts[order]
    mask = np.ones(len(data), dtype=bool)
    for condition in conditions:
        mask &= condition.test(data)
    if not mask.any():
        raise InfeasibleError(
            Problem(
                name or tr("analysis.calibrate_eligibility"),
                tr(
                    "analysis.calibrate_nobody_eligible",
                    conditions=[c.describe() for c in conditions],
                ),
            )
        )
    outside = np.flatnonzero(~mask & (p != 0))
    if outside.size:
        raise DataError(
            Problem(
                tr("analysis.calibrate_published"),
                tr(
                    "analysis.calibrate_zero_outside",
                    conditions=[c.describe() for c in conditions],
                ),
                found=_listed([f"{data.ids[i]} {format_amount(float(p[i]))}" for i in outside]),
                hint=tr("analysis.calibrate_zero_outside_hint"),
            )
        )
    total = float(p.sum())

    prefix = f"{name}/" if name else ""
    shares = np.column_stack([shares_of(f.rule, data, mask, f"{prefix}{f.name}") for f in factors])
    mass = np.ones(len(factors))
    if coefficients:
        c = np.prod([np.where(mask, k.rule.scores(data, mask), 0.0) for k in coefficients], axis=0)
        mass = c @ shares
        dead = [f.name for f, m in zip(factors, mass, strict=True) if not m > 0]
        if dead:
            raise DataError(
                Problem(
                    name or tr("analysis.calibrate_coefficients"),
                    tr("analysis.calibrate_factor_wiped"),
                    found=tr(
                        "analysis.calibrate_factor_wiped_found",
                        coefficients=[k.name for k in coefficients],
                        factors=[repr(d) for d in dead],
                    ),
                    hint=tr("analysis.calibrate_factor_wiped_hint"),
                )
            )
        shares = c[:, None] * shares / mass[None, :]

    v = _simplex_lstsq(shares, p / total)
    w = v / mass
    w = w / w.sum()
    fitted = total * (shares @ v)
    residual = p - fitted
    deviation = np.abs(residual)
    worst = int(np.argmax(deviation))
    inside = p[mask]
    ss_tot = float(np.sum((inside - inside.mean()) ** 2))
    ss_res = float(np.sum(residual[mask] ** 2))

    back = np.empty_like(order)
    back[order] = np.arange(len(order))
    ids = table.ids
    return Calibration(
        weights=dict(zip([f.name for f in factors], w.tolist(), strict=True)),
        fitted=dict(zip(ids, fitted[back].tolist(), strict=True)),
        residuals=dict(zip(ids, residual[back].tolist(), strict=True)),
        max_abs_deviation=float(deviation[worst]),
        worst=data.ids[worst],
        r_squared=None if ss_tot == 0 else 1.0 - ss_res / ss_tot,
        total=total,
        step=step_value,
        unit=unit,
        identifiable=bool(np.linalg.matrix_rank(shares) == len(factors)),
        tranche=name,
    )


def _model(
    table: RegionTable, model: Scheme | Tranche | Sequence[Factor], tranche: str | None
) -> tuple[
    str,
    tuple[Factor, ...],
    tuple[Coefficient, ...],
    tuple[Condition, ...],
    str,
    Decimal,
    RegionTable,
]:
    """The factors to fit and everything around them: the tranche path, coefficients,
    eligibility, unit, default step, and the table with the scheme's derived columns."""
    if isinstance(model, Scheme):
        path, leaf, conditions = _find_leaf(model.tranches, tranche)
        return (
            "/".join(path),
            leaf.factors,
            leaf.coefficients,
            (*model.eligibility, *conditions),
            model.unit,
            model.step,
            model.derive(table),
        )
    if isinstance(model, Tranche):
        path, leaf, conditions = _find_leaf((model,), tranche)
        return "/".join(path), leaf.factors, leaf.coefficients, conditions, "", Decimal(1), table
    if tranche is not None:
        raise SchemeError(
            Problem("tranche", tr("analysis.calibrate_path_needs_scheme"), found=repr(tranche))
        )
    factors = tuple(model) if isinstance(model, Sequence) else ()
    problems = [
        Problem(f"factors[{k}]", tr("analysis.calibrate_expected_factor"), found=repr(f)[:60])
        for k, f in enumerate(factors)
        if not isinstance(f, Factor)
    ]
    if not factors:
        problems.append(Problem("model", tr("analysis.calibrate_expected_model")))
    if not problems:
        names = [f.name for f in factors]
        problems += [
            Problem("factors", tr("analysis.calibrate_factor_twice", name=repr(n)))
            for n in sorted({n for n in names if names.count(n) > 1})
        ]
    if problems:
        raise SchemeError(problems)
    return "", factors, (), (), "", Decimal(1), table


def _listed(items: Sequence[str], shown: int = 20) -> Message:
    """The first ``shown`` items, and how many more there are."""
    if len(items) <= shown:
        return tr("analysis.items", items=list(items))
    return tr("analysis.calibrate_listed", items=list(items[:shown]), more=len(items) - shown)


def _step(step: Decimal | float | int | str) -> Decimal:
    try:
        value = Decimal(str(step))
    except (InvalidOperation, ValueError):
        value = Decimal("NaN")
    if not (value.is_finite() and value > 0):
        raise SchemeError(
            Problem("step", tr("analysis.expected_positive_number"), found=repr(step))
        )
    return value


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _published(table: RegionTable, published: Mapping[str, object] | str) -> FloatArray:
    """The published amounts in table row order, checked."""
    if isinstance(published, str):
        values = table.numeric(published)
        bad = np.flatnonzero(values < 0)
        if bad.size:
            raise DataError(
                [
                    *(
                        Problem(
                            table.where(int(i), published),
                            tr("analysis.calibrate_nonnegative"),
                            found=f"{values[i]:g}",
                        )
                        for i in bad[:MAX_LISTED]
                    ),
                    *not_listed(len(bad), tr("analysis.calibrate_published")),
                ]
            )
    elif isinstance(published, Mapping):
        ids = table.ids
        known = set(ids)
        missing = [i for i in ids if i not in published]
        unknown = [str(k) for k in published if k not in known]
        problems = []
        if missing:
            problems.append(
                Problem(
                    tr("analysis.calibrate_published"),
                    tr("analysis.calibrate_every_region"),
                    found=tr("analysis.calibrate_none_for", regions=_listed(missing)),
                )
            )
        if unknown:
            import difflib

            close = [difflib.get_close_matches(k, ids, n=1, cutoff=0.5) for k in unknown[:20]]
            hints = [f"{k!r} → {c[0]!r}" for k, c in zip(unknown, close, strict=False) if c]
            problems.append(
                Problem(
                    tr("analysis.calibrate_published"),
                    tr("analysis.calibrate_only_table_regions"),
                    found=_listed(unknown),
                    hint=tr("analysis.did_you_mean", names=hints) if hints else None,
                )
            )
        if problems:
            raise DataError(problems)
        values = np.empty(len(ids))
        for k, region in enumerate(ids):
            number = _number(published[region])
            if number is None or number < 0:
                problems.append(
                    Problem(
                        tr("analysis.calibrate_published_region", region=region),
                        tr("analysis.calibrate_nonnegative"),
                        found=repr(published[region]),
                    )
                )
                number = 0.0
            values[k] = number
        if problems:
            raise DataError(
                [
                    *problems[:MAX_LISTED],
                    *not_listed(len(problems), tr("analysis.calibrate_published")),
                ]
            )
    else:
        raise DataError(
            Problem(
                tr("analysis.calibrate_published"),
                tr("analysis.calibrate_expected_published"),
                found=type(published).__name__,
            )
        )
    if not values.sum() > 0:
        raise DataError(
            Problem(
                tr("analysis.calibrate_published"),
                tr("analysis.calibrate_positive_total"),
                found=tr("analysis.calibrate_total_zero"),
            )
        )
    return np.asarray(values, dtype=np.float64)


# ---------------------------------------------------------------------------- the solver


def _simplex_lstsq(a: FloatArray, b: FloatArray) -> FloatArray:
    """``argmin ‖a v − b‖`` subject to ``v >= 0`` and ``Σ v = 1``, by a primal active set.

    Starts at the best single column (a vertex of the simplex), keeps ``v`` feasible
    throughout, and stops when the KKT conditions hold (see :func:`calibrate`).
    """
    k = a.shape[1]
    scale = float(np.linalg.norm(a))
    tol = 1e-12 * (1.0 + scale) * (1.0 + scale + float(np.linalg.norm(b)))
    start = int(np.argmin(np.linalg.norm(a - b[:, None], axis=0)))
    v = np.zeros(k)
    v[start] = 1.0
    free = np.zeros(k, dtype=bool)
    free[start] = True
    blocked = np.zeros(k, dtype=bool)  # freed, then dropped at once: not again until v moves
    added = -1
    for _ in range(50 + 10 * k):
        z = _equality_lstsq(a[:, free], b)
        if (z > 0).all():
            v[:] = 0.0
            v[free] = z
            gradient = a.T @ (a @ v - b)
            mu = float(gradient[free].mean())
            multipliers = np.where(free | blocked, np.inf, gradient - mu)
            added = int(np.argmin(multipliers))
            if not multipliers[added] < -tol:
                return np.asarray(v / v.sum(), dtype=np.float64)
            free[added] = True
            continue
        # step from v towards z until the first weight reaches 0, and drop it
        current = v[free]
        gap = current - z  # > 0 where z <= 0, except where both are 0
        steps = np.full(len(z), np.inf)
        falling = z <= 0
        steps[falling] = np.divide(
            current[falling],
            gap[falling],
            out=np.zeros(int(falling.sum())),
            where=gap[falling] > 0,
        )
        alpha = float(steps.min())
        moved = current + alpha * (z - current)
        indices = np.flatnonzero(free)
        drop = indices[(moved <= 0) | (steps <= alpha)]
        v[indices] = np.maximum(moved, 0.0)
        v[drop] = 0.0
        free[drop] = False
        if alpha > 0:
            blocked[:] = False
        elif added in drop:
            blocked[added] = True
    raise SolverError(  # pragma: no cover - the active set is finite; this guards a bug
        Problem("", tr("analysis.calibrate_no_convergence"))
    )


def _equality_lstsq(a: FloatArray, b: FloatArray) -> FloatArray:
    """``argmin ‖a z − b‖`` subject to ``Σ z = 1`` (no sign constraint), the least-norm one
    when it is not unique: ``z = 1/f + Z u`` with ``Z`` an orthonormal basis of ``Σ z = 0``."""
    f = a.shape[1]
    if f == 1:
        return np.ones(1)
    q, _ = np.linalg.qr(np.ones((f, 1)), mode="complete")
    basis = q[:, 1:]
    z0 = np.full(f, 1.0 / f)
    u = np.linalg.lstsq(a @ basis, b - a @ z0, rcond=None)[0]
    return np.asarray(z0 + basis @ u, dtype=np.float64)


# ------------------------------------------------------------ several tranches and bounds


@dataclass(frozen=True)
class SchemeCalibration(Tabular):
    """The result of :func:`calibrate_scheme`.

    Attributes
    ----------
    weights : dict of str to float
        ``"tranche/.../factor"`` to the recovered weight, non-negative and adding up to 1
        within each tranche (all 0 in a tranche whose recovered share is 0).
    shares : dict of str to float
        ``"tranche/..."`` (each tranche with factors, by path) to its recovered part of the
        money the factor tranches share, ``A_t / Σ_u A_u``.
    amounts : dict of str to float
        ``"tranche/..."`` to ``A_t``, the recovered size of the tranche in the money unit.
    multiplier : float
        λ, the common factor of the free regions (``amount = λ · target``).
    fitted : dict of str to float
        Region id to its fitted amount before rounding: ``λ · target`` for a free region,
        the bound for a bounded one, 0 for a region that does not take part; table order.
    residuals : dict of str to float
        Region id to ``published − fitted``.
    bounded : dict of str to str
        Region id to ``"floor"`` or ``"cap"`` for the regions taken as bounded (left out of
        the proportional fit), in table order.
    floor, cap : float or None
        The uniform floor and cap the regions in :attr:`bounded` were taken to sit at; None
        when there is none or when the scheme's own bounds were used.
    reasons : tuple of Message
        Why: one message per bound detected or stated (rendered in the reader's language),
        and one naming the regions taken as at a floor (cap) whose fitted formula amount is
        above (below) it by a step or more, which contradicts the fit: check the bound.
    max_abs_deviation : float
        The largest ``|published − fitted|`` over all regions, in the money unit.
    worst : str
        The region with that deviation.
    r_squared : float or None
        R² of the proportional fit over the free regions (None when they all have the same
        amount).
    total : float
        The published amounts added up.
    step : Decimal
        The rounding step of the published amounts.
    unit : str
        The money unit.
    identifiable : bool
        False when different weights and shares fit the free regions equally well (two
        factors with the same shares over them, or fewer free regions than unknowns).
    scheme : Scheme
        The scheme given (its weights, shares and bounds are what :meth:`to_scheme`
        replaces).
    tiers : dict of str to dict of str to float
        For each coefficient named in ``tiers=``, its recovered tier values (see
        :func:`calibrate_scheme`); empty when none was asked for.
    """

    weights: dict[str, float]
    shares: dict[str, float]
    amounts: dict[str, float]
    multiplier: float
    fitted: dict[str, float]
    residuals: dict[str, float]
    bounded: dict[str, str]
    floor: float | None
    cap: float | None
    reasons: tuple[Message, ...]
    max_abs_deviation: float
    worst: str
    r_squared: float | None
    total: float
    step: Decimal
    unit: str
    identifiable: bool
    scheme: Scheme
    tiers: dict[str, dict[str, float]]

    def _table(self) -> tuple[str, dict[str, Sequence[Any]]]:
        regions = list(self.fitted)
        words = {
            "floor": text("analysis.calibrate_scheme_at_floor"),
            "cap": text("analysis.calibrate_scheme_at_cap"),
        }
        caption = text(
            "analysis.calibrate_scheme_caption",
            shares=[f"{name} {share:.4g}" for name, share in self.shares.items()],
            weights=[f"{name} {weight:.4g}" for name, weight in self.weights.items()],
            r_squared="—" if self.r_squared is None else f"{self.r_squared:.6f}",
            deviation=f"{self.max_abs_deviation:.6g}",
            unit=self.unit,
        )
        free = text("analysis.calibrate_scheme_free")
        return caption, {
            text("analysis.column_region"): regions,
            text("analysis.column_fitted"): [self.fitted[r] for r in regions],
            text("analysis.column_residual"): [self.residuals[r] for r in regions],
            text("analysis.calibrate_scheme_column_bound"): [
                words[self.bounded[r]] if r in self.bounded else free for r in regions
            ],
        }

    @property
    def within_rounding(self) -> bool:
        """Whether every published amount is within one step of its fitted amount (see
        :attr:`Calibration.within_rounding`)."""
        return self.max_abs_deviation < float(self.step)

    def to_scheme(self, *, digits: int | None = None) -> Scheme:
        """The scheme given with the recovered weights and tranche shares, and the floor and
        cap found (when the scheme has no bounds of its own).

        Parameters
        ----------
        digits : int, optional
            Round every weight and share to this many decimals first (the last of each
            group takes the rest, so that they still add up to 1): published schemes use
            round percentages, and the recovered ones are exact only up to the rounding of
            the published amounts.

        Raises
        ------
        SchemeError
            A recovered tranche share or all the weights of a tranche are 0 (a scheme
            cannot say that: drop the tranche or the factor).
        """
        from fundalloc.bounds import Cap, Floor

        zero = [path for path, share in self.shares.items() if not share > 0]
        if zero:
            raise SchemeError(
                Problem(
                    tr("analysis.calibrate_scheme_tranches"),
                    tr("analysis.calibrate_scheme_zero_share"),
                    found=tr("analysis.items", items=zero),
                    hint=tr("analysis.calibrate_scheme_zero_share_hint"),
                )
            )
        amounts = {tuple(k.split("/")): v for k, v in self.amounts.items()}

        def size(path: tuple[str, ...], tranche: Tranche) -> float:
            if tranche.factors:
                return amounts[path]
            return sum(size((*path, c.name), c) for c in tranche.tranches if c.quota is None)

        def rebuilt(path: tuple[str, ...], tranches: tuple[Tranche, ...]) -> tuple[Tranche, ...]:
            sized = [t for t in tranches if t.quota is None]
            sizes = _rounded([size((*path, t.name), t) for t in sized], digits)
            share = dict(zip([t.name for t in sized], sizes, strict=True))
            out = []
            for t in tranches:
                here = (*path, t.name)
                if t.quota is not None:
                    out.append(t)
                    continue
                changes: dict[str, Any] = {"share": share[t.name]}
                if t.coefficients and self.tiers:
                    changes["coefficients"] = tuple(
                        c.replace(
                            rule=c.rule.replace(
                                tiers={
                                    k: (v if digits is None else round(v, digits))
                                    for k, v in self.tiers[c.name].items()
                                }
                            )
                        )
                        if c.name in self.tiers
                        else c
                        for c in t.coefficients
                    )
                if t.factors:
                    label = "/".join(here)
                    w = _rounded([self.weights[f"{label}/{f.name}"] for f in t.factors], digits)
                    changes["factors"] = tuple(
                        f.replace(weight=x) for f, x in zip(t.factors, w, strict=True)
                    )
                else:
                    changes["tranches"] = rebuilt(here, t.tranches)
                out.append(t.replace(**changes))
            return tuple(out)

        changes: dict[str, Any] = {"tranches": rebuilt((), self.scheme.tranches)}
        if not self.scheme.bounds:
            bounds: list[Floor | Cap] = []
            if self.floor is not None:
                bounds.append(Floor(amount=_decimal(self.floor)))
            if self.cap is not None:
                bounds.append(Cap(amount=_decimal(self.cap)))
            changes["bounds"] = tuple(bounds)
        return self.scheme.replace(**changes)


def _decimal(value: float) -> Decimal:
    """The float as the shortest Decimal, without an exponent (150.0 → 150, not 1.5E+2)."""
    number = Decimal(repr(value))
    if number == number.to_integral_value():
        return number.quantize(Decimal(1))
    return number.normalize()


def _rounded(values: Sequence[float], digits: int | None) -> list[float]:
    """``values / Σ values``, rounded to ``digits`` decimals with the last taking the rest."""
    array = np.asarray(values, dtype=np.float64)
    total = float(array.sum())
    if not total > 0:
        return [0.0] * len(values)
    array = array / total
    if digits is None:
        return [float(x) for x in array]
    out = [round(float(x), digits) for x in array[:-1]]
    return [*out, round(1.0 - sum(out), digits)]


def calibrate_scheme(
    table: RegionTable,
    scheme: Scheme,
    published: Mapping[str, Decimal | float | int] | str,
    *,
    floor: Decimal | float | int | str | None = "auto",
    cap: Decimal | float | int | str | None = "auto",
    step: Decimal | float | int | str | None = None,
    tiers: Sequence[str] = (),
    progress: bool | None = None,
    callback: Progress | None = None,
) -> SchemeCalibration:
    """The weights and tranche shares of ``scheme`` that reproduce a published table, with
    the regions held at a floor or a cap found and fitted as bounded.

    Parameters
    ----------
    table : RegionTable
        The regions and their factor data.
    scheme : Scheme
        The structure: tranches (with factors, or fixed quotas), factors, coefficients,
        eligibility, derived columns, total and step. Its weights and the shares of its
        tranches with factors are ignored (they are what is recovered); its bounds are
        used only to say which regions may sit at a bound (see ``floor`` and ``cap``).
    published : mapping of str to number, or str
        The published final amounts by region id (every region of the table), or the name
        of a column of ``table`` holding them.
    floor, cap : number, "auto" or None
        The floor (cap) the regions were held at. ``"auto"`` (default): the scheme's own
        floors (caps), per region, when it has any; otherwise the smallest (largest)
        published amount of the regions taking part, when at least two regions share it. A
        number: that amount for every region. None: no floor (cap). A region whose
        published amount is within one step of its floor (cap) is taken as bounded (the
        rounding moves an amount by less than a step), the floor first.
    step : Decimal, optional
        The rounding step of the published amounts; by default the scheme's.
    tiers : sequence of str, optional
        Names of :class:`~fundalloc.factors.Tiered` coefficients whose tier values are
        unknown too (at most one per tranche). Coefficients are rescaled within their
        tranche, so only the ratios of the tiers are recovered: the first tier listed in
        the scheme that some free region has keeps the scheme's value, the others are
        scaled to it; a tier no free region has keeps the scheme's value (and
        ``identifiable`` is False). Fitted by alternating least squares: the weights with
        the tiers fixed, then each tier's value in closed form with the weights fixed,
        until they stop moving (a local optimum; start from the scheme's values).
    progress : bool, optional
        With ``tiers``, a progress bar of the alternating steps (at most
        ``_TIER_STEPS``; it ends early when the values settle): None (default) when
        someone watches (a notebook, or a terminal on standard error), True always, False
        never.
    callback : callable, optional
        Called as ``callback(done, total)`` after each alternating step.

    Returns
    -------
    SchemeCalibration
        The weights, tranche shares, λ, the bounded regions and why, fitted amounts and fit
        statistics; :meth:`SchemeCalibration.to_scheme` gives the scheme to re-allocate with.

    Raises
    ------
    DataError
        As :func:`calibrate`; and when no region is left free to fit.
    SchemeError
        A tranche with factors (or one above it) is sized by a fixed amount rather than a
        share, the scheme has group constraints, or the step, floor or cap is not a
        positive number.

    Notes
    -----
    With tranches ``t`` of sizes ``A_t`` (adding up to ``F``, the money the factor
    tranches share), weights ``w_tj``, coefficient-adjusted factor shares
    ``G_tij = m_i s_tij`` (``m_i`` the product of the region's coefficients, ``s_tij`` the
    factor's share as :func:`fundalloc.allocate` computes it) and the tranche's mass
    ``M_t = Σ_j w_tj Σ_k G_tkj``, a free region's bounded amount is

    .. math:: a_i = q_i + λ \\sum_t \\frac{A_t}{M_t} \\sum_j w_{tj} G_{tij}
              = q_i + \\sum_{t,j} u_{tj} G_{tij},
              \\qquad u_{tj} = λ A_t w_{tj} / M_t \\ge 0,

    with ``q_i`` the region's fixed quotas: linear in ``u``. The free regions are fitted by
    non-negative least squares (Lawson and Hanson), and the parameters come back exactly:
    ``Σ_j u_tj Σ_k G_tkj = λ A_t``, so ``λ = Σ_tj u_tj Σ_k G_tkj / F``,
    ``A_t = F Σ_j u_tj Σ_k G_tkj / Σ_{t,j} u_tj Σ_k G_tkj`` and ``w_tj ∝ u_tj``. The regions
    at a floor or a cap carry no information on the weights (their amount is the bound), so
    they are left out of the fit: that is the unique proportional rule of the brief,
    ``a_i = clip(λ t_i, lo, hi)``, read backwards.

    A bound is detected only from amounts that repeat: a single region at a cap looks like
    any other region with a large amount; state the cap then. Coefficients are taken from
    the scheme, except the tiered ones named in ``tiers``, whose tier values are fitted too.

    References
    ----------
    C. L. Lawson and R. J. Hanson, *Solving Least Squares Problems*, Prentice-Hall, 1974,
    ch. 23 (NNLS).

    Examples
    --------
    Two tranches (70% by poor population and incidence, 30% by villages), a floor of 150
    and a cap of 800 万元, rounded to whole 万元; recovered from the published table alone:

    >>> import fundalloc as fa
    >>> table = fa.RegionTable.from_columns({
    ...     "地区": list("ABCDEFGHIJ"),
    ...     "贫困人口": [900, 820, 610, 480, 350, 300, 210, 120, 60, 40],
    ...     "发生率": [3.1, 5.2, 4.4, 2.0, 6.5, 3.3, 2.7, 4.9, 1.5, 1.2],
    ...     "重点村": [8, 12, 6, 7, 9, 4, 3, 5, 1, 1]}, id="地区")
    >>> def scheme_with(a, w, bounds=()):
    ...     return fa.Scheme(total=5000, bounds=bounds, tranches=[
    ...         fa.Tranche(name="人口", share=a, factors=[
    ...             fa.Factor(name="贫困人口", rule=fa.Share(column="贫困人口"), weight=w),
    ...             fa.Factor(name="发生率", rule=fa.Share(column="发生率"), weight=1 - w)]),
    ...         fa.Tranche(name="村", share=1 - a, factors=[
    ...             fa.Factor(name="重点村", rule=fa.Share(column="重点村"), weight=1)])])
    >>> bounds = [fa.Floor(amount=150), fa.Cap(amount=800)]
    >>> published = fa.allocate(table, scheme_with(0.7, 0.6, bounds)).amounts
    >>> fit = calibrate_scheme(table, scheme_with(0.5, 0.5), published)
    >>> {k: round(v, 2) for k, v in fit.shares.items()}
    {'人口': 0.7, '村': 0.3}
    >>> {k: round(v, 2) for k, v in fit.weights.items()}
    {'人口/贫困人口': 0.6, '人口/发生率': 0.4, '村/重点村': 1.0}
    >>> fit.bounded
    {'A': 'cap', 'B': 'cap', 'I': 'floor', 'J': 'floor'}
    >>> [reason.render("en") for reason in fit.reasons]  # doctest: +NORMALIZE_WHITESPACE
    ['the smallest published amount, 150, is shared by 2 regions: taken as the floor',
     'the largest published amount, 800, is shared by 2 regions: taken as the cap']
    >>> fit.within_rounding
    True
    >>> fa.allocate(table, fit.to_scheme(digits=2)).amounts == published
    True
    """
    from scipy.optimize import nnls

    from fundalloc.analysis._model import WeightModel
    from fundalloc.pipeline import allocate

    step_value = _step(scheme.step if step is None else step)
    _check_sized_by_share(scheme.tranches, ())
    table_ids = table.ids
    amounts = _published(table, published)
    base = allocate(table, scheme)
    model = WeightModel.from_allocation(base)
    ids = model.ids
    row = {region: k for k, region in enumerate(table_ids)}
    p = amounts[[row[region] for region in ids]]
    taking = model.taking_part
    outside = np.flatnonzero(~taking & (p != 0))
    if outside.size:
        raise DataError(
            Problem(
                tr("analysis.calibrate_published"),
                tr("analysis.calibrate_scheme_outside"),
                found=_listed([f"{ids[i]} {format_amount(float(p[i]))}" for i in outside]),
                hint=tr("analysis.calibrate_zero_outside_hint"),
            )
        )

    # which regions sit at a bound: within one step of it (the rounding moves an amount by
    # less than a step), the floor taken first
    one = float(step_value)
    reasons: list[Message] = []
    inside = p[taking]
    lower = np.zeros(len(ids))
    upper = np.full(len(ids), np.inf)
    at_floor = np.zeros(len(ids), dtype=bool)
    at_cap = np.zeros(len(ids), dtype=bool)
    floor_value = cap_value = None
    if isinstance(floor, str) and floor == "auto" and model.has_floor.any():
        lower = np.asarray(model.lower, dtype=np.float64)
        at_floor = taking & model.has_floor & (np.abs(p - lower) < one)
        reasons.append(tr("analysis.calibrate_scheme_own_floor", count=int(at_floor.sum())))
    else:
        floor_value = _bound_value(floor, "floor", inside, float(inside.min()), one, reasons)
        if floor_value is not None:
            lower[:] = floor_value
            at_floor = taking & (np.abs(p - floor_value) < one)
    if isinstance(cap, str) and cap == "auto" and model.has_cap.any():
        upper = np.asarray(model.upper, dtype=np.float64)
        at_cap = taking & model.has_cap & (np.abs(p - upper) < one) & ~at_floor
        reasons.append(tr("analysis.calibrate_scheme_own_cap", count=int(at_cap.sum())))
    else:
        cap_value = _bound_value(cap, "cap", inside, float(inside.max()), one, reasons)
        if cap_value is not None:
            upper[:] = cap_value
            at_cap = taking & (np.abs(p - cap_value) < one) & ~at_floor
    free = taking & ~at_floor & ~at_cap
    if not free.any():
        raise DataError(
            Problem(
                tr("analysis.calibrate_published"),
                tr("analysis.calibrate_scheme_none_free"),
                found=tr(
                    "analysis.calibrate_scheme_all_bounded",
                    floors=int(at_floor.sum()),
                    caps=int(at_cap.sum()),
                ),
                hint=tr("analysis.calibrate_scheme_none_free_hint"),
            )
        )

    formula = p - model.fixed
    fits = _tier_fits(base, model, tuple(tiers), table)
    with reporter(
        _TIER_STEPS if fits else 1,
        text("common.progress_tier_steps"),
        progress=progress,
        callback=callback,
    ) as report:
        g, u, values = _fit(model, fits, formula, free, nnls, report)
    mass = g.sum(axis=1)  # (K,) Σ_k G_tkj
    money = u * mass  # λ A_t w_tj per factor
    formula_total = sum(leaf.size for leaf in model._leaves)
    lam = float(money.sum()) / formula_total
    fitted = np.where(taking, model.fixed + u @ g, 0.0)
    # a region taken as at its floor whose fitted formula amount is above it by a step or
    # more (at its cap: below it) contradicts the fit: say so, the detection may be wrong
    above = np.flatnonzero(at_floor & (fitted > lower + one))
    below = np.flatnonzero(at_cap & (fitted < upper - one))
    if above.size:
        reasons.append(
            tr("analysis.calibrate_scheme_floor_doubt", regions=_listed([ids[i] for i in above]))
        )
    if below.size:
        reasons.append(
            tr("analysis.calibrate_scheme_cap_doubt", regions=_listed([ids[i] for i in below]))
        )
    fitted[at_floor] = lower[at_floor]
    fitted[at_cap] = upper[at_cap]
    residual = p - fitted
    deviation = np.abs(residual)
    worst = int(np.argmax(deviation))
    fp = p[free]
    ss_tot = float(np.sum((fp - fp.mean()) ** 2))
    ss_res = float(np.sum(residual[free] ** 2))

    weights: dict[str, float] = {}
    shares: dict[str, float] = {}
    sizes: dict[str, float] = {}
    spent = float(money.sum())
    for leaf in model._leaves:
        block = slice(leaf.start, leaf.start + len(leaf.names))
        path = "/".join(leaf.path)
        part = float(money[block].sum())
        shares[path] = part / spent if spent > 0 else 0.0
        sizes[path] = formula_total * shares[path]
        within = u[block]
        norm = float(within.sum())
        for name, x in zip(leaf.names, within, strict=True):
            weights[f"{path}/{name}"] = float(x) / norm if norm > 0 else 0.0
    back = [ids.index(region) for region in table_ids] if ids != table_ids else None
    order = back if back is not None else list(range(len(ids)))
    bounded = {
        ids[i]: ("floor" if at_floor[i] else "cap") for i in order if at_floor[i] or at_cap[i]
    }
    return SchemeCalibration(
        weights=weights,
        shares=shares,
        amounts=sizes,
        multiplier=lam,
        fitted={ids[i]: float(fitted[i]) for i in order},
        residuals={ids[i]: float(residual[i]) for i in order},
        bounded=bounded,
        floor=floor_value,
        cap=cap_value,
        reasons=tuple(reasons),
        max_abs_deviation=float(deviation[worst]),
        worst=ids[worst],
        r_squared=None if ss_tot == 0 else 1.0 - ss_res / ss_tot,
        total=float(p.sum()),
        step=step_value,
        unit=scheme.unit,
        identifiable=bool(np.linalg.matrix_rank(g[:, free]) == g.shape[0])
        and all(
            bool((free & (fit.grade == k)).any()) for fit in fits for k in range(len(fit.names))
        ),
        scheme=scheme,
        tiers={
            fit.coefficient: dict(zip(fit.names, (float(x) for x in value), strict=True))
            for fit, value in zip(fits, values, strict=True)
        },
    )


def _bound_value(
    given: Decimal | float | int | str | None,
    kind: str,
    inside: FloatArray,
    extreme: float,
    step: float,
    reasons: list[Message],
) -> float | None:
    """The floor (cap) to take: stated, detected as a repeated extreme amount, or none."""
    if given is None:
        return None
    if isinstance(given, str) and given == "auto":
        count = int(np.sum(inside == extreme))
        if count < 2 or not extreme > 0:
            return None
        detected = (
            "analysis.calibrate_scheme_detected_floor"
            if kind == "floor"
            else "analysis.calibrate_scheme_detected_cap"
        )
        reasons.append(tr(detected, amount=_decimal(extreme), count=count))
        return extreme
    number = _number(given) if not isinstance(given, str) else _number(given.strip())
    if number is None or not number > 0:
        raise SchemeError(Problem(kind, tr("analysis.expected_positive_number"), found=repr(given)))
    count = int(np.sum(np.abs(inside - number) < step))
    stated = (
        "analysis.calibrate_scheme_stated_floor"
        if kind == "floor"
        else "analysis.calibrate_scheme_stated_cap"
    )
    reasons.append(tr(stated, amount=_decimal(number), count=count))
    return number


def _check_sized_by_share(tranches: Sequence[Tranche], path: tuple[str, ...]) -> None:
    """Every tranche with factors, and every one above such a tranche, is sized by a share."""
    problems = []
    for t in tranches:
        here = (*path, t.name)
        if t.quota is not None:
            continue
        if t.share is None:
            problems.append(
                Problem(
                    "/".join(here),
                    tr("analysis.calibrate_scheme_share_tranche"),
                    found=tr("analysis.calibrate_scheme_fixed_amount", amount=t.amount),
                    hint=tr("analysis.calibrate_scheme_share_tranche_hint"),
                )
            )
        _check_sized_by_share(t.tranches, here)
    if problems:
        raise SchemeError(problems)


@dataclass(frozen=True)
class _TierFit:
    """A tiered coefficient whose tier values are fitted: where it sits and what it reads."""

    coefficient: str
    block: slice  # its tranche's factors in the stacked weight vector
    shares: FloatArray  # (J, n) the tranche's raw factor shares
    other: FloatArray  # (n,) the product of the tranche's other coefficients
    grade: npt.NDArray[np.intp]  # (n,) index into names, -1 for the default value
    names: tuple[str, ...]
    initial: FloatArray  # the scheme's tier values
    default: float


def _tier_fits(base: Any, model: Any, names: tuple[str, ...], table: RegionTable) -> list[_TierFit]:
    """The tiered coefficients named, found in the allocation's leaf tranches."""
    from fundalloc.factors import Tiered

    fits: list[_TierFit] = []
    found: dict[str, int] = {}
    problems = []
    trace = base.trace
    paths = {leaf.path: leaf for leaf in trace.leaves}
    for leaf in model._leaves:
        traced = paths[leaf.path]
        tranche = traced.tranche
        mine = [c for c in tranche.coefficients if c.name in names]
        for c in mine:
            found[c.name] = found.get(c.name, 0) + 1
        if len(mine) > 1 or any(not isinstance(c.rule, Tiered) for c in mine):
            problems.append(
                Problem(
                    "/".join(leaf.path),
                    tr("analysis.calibrate_scheme_one_tiered"),
                    found=tr("analysis.items", items=[c.name for c in mine]),
                )
            )
            continue
        if not mine:
            continue
        coefficient = mine[0]
        rule = coefficient.rule
        assert isinstance(rule, Tiered)
        k = traced.coefficient_names.index(coefficient.name)
        multipliers = np.asarray(traced.multipliers, dtype=np.float64)
        other = np.prod(np.delete(multipliers, k, axis=0), axis=0)
        data = base.scheme.derive(table)
        labels = data.text(rule.column)
        tier_names = tuple(rule.tiers)
        index = {name: j for j, name in enumerate(tier_names)}
        grade = np.array([index.get(labels[int(row)], -1) for row in trace.order], dtype=np.intp)
        fits.append(
            _TierFit(
                coefficient.name,
                slice(leaf.start, leaf.start + len(leaf.names)),
                np.asarray(traced.shares, dtype=np.float64),
                other,
                grade,
                tier_names,
                np.array([rule.tiers[name] for name in tier_names], dtype=np.float64),
                0.0 if rule.default is None else float(rule.default),
            )
        )
    missing = [name for name in names if name not in found]
    twice = [name for name, count in found.items() if count > 1]
    if missing:
        problems.append(
            Problem(
                "tiers",
                tr("analysis.calibrate_scheme_no_tiered"),
                found=tr("analysis.items", items=missing),
            )
        )
    if twice:
        problems.append(
            Problem(
                "tiers",
                tr("analysis.calibrate_scheme_tiered_twice"),
                found=tr("analysis.items", items=twice),
            )
        )
    if problems:
        raise SchemeError(problems)
    return fits


def _multiplier(fit: _TierFit, values: FloatArray) -> FloatArray:
    tier = np.where(fit.grade >= 0, values[np.maximum(fit.grade, 0)], fit.default)
    return np.asarray(fit.other * tier, dtype=np.float64)


def _fit(
    model: Any,
    fits: list[_TierFit],
    formula: FloatArray,
    free: npt.NDArray[np.bool_],
    nnls: Any,
    report: Callable[[int], None],
) -> tuple[FloatArray, FloatArray, list[FloatArray]]:
    """The stacked adjusted shares, the fitted ``u`` and the tier values of each fit."""
    g = np.array(model._adjusted, dtype=np.float64)
    values = [fit.initial.copy() for fit in fits]
    if not fits:
        u, _ = nnls(g[:, free].T, formula[free])
        report(1)
        return g, np.asarray(u, dtype=np.float64), values
    for done in range(1, _TIER_STEPS + 1):
        report(done)
        for fit, value in zip(fits, values, strict=True):
            g[fit.block] = fit.shares * _multiplier(fit, value)
        u, _ = nnls(g[:, free].T, formula[free])
        moved = 0.0
        for fit, value in zip(fits, values, strict=True):
            part = u[fit.block] @ (fit.shares * fit.other)  # the tranche's part per unit tier
            rest = formula - (u @ g - u[fit.block] @ g[fit.block])
            for k in range(len(fit.names)):
                chosen = free & (fit.grade == k)
                denominator = float(part[chosen] @ part[chosen])
                if denominator > 0:
                    new = max(float(part[chosen] @ rest[chosen]) / denominator, 0.0)
                    moved = max(moved, abs(new - value[k]) / (1.0 + abs(value[k])))
                    value[k] = new
        if moved < 1e-13:
            break
    # only the ratios count: the first tier some free region has keeps the scheme's value
    for fit, value in zip(fits, values, strict=True):
        present = [k for k in range(len(fit.names)) if (free & (fit.grade == k)).any()]
        if present and value[present[0]] > 0:
            scale = fit.initial[present[0]] / value[present[0]]
            for k in present:
                value[k] *= scale
        g[fit.block] = fit.shares * _multiplier(fit, value)
    u, _ = nnls(g[:, free].T, formula[free])
    return g, np.asarray(u, dtype=np.float64), values


_TIER_STEPS = 2000  # alternating steps at most when tier values are fitted
