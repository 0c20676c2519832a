"""Rounding to whole units by a named method: :func:`round_units` and :func:`apportion`."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

import numpy as np

from fundalloc.errors import DataError, InfeasibleError, Problem, SchemeError, SolverError
from fundalloc.i18n import tr
from fundalloc.rounding.divisor import _divisor
from fundalloc.rounding.largest import largest_remainder
from fundalloc.rounding.names import canonical_method
from fundalloc.rounding.quotas import FloatArray, IntArray, Quotas, _Cache, _floors, tie_tolerance
from fundalloc.rounding.result import RoundingResult

__all__ = ["apportion", "round_units"]


# -------------------------------------------------------------------- independent
def _half_up(quotas: Quotas, total: int, lower: IntArray, upper: IntArray) -> RoundingResult:
    approx, error = quotas.approx()
    offset = Fraction(1, 2) + tie_tolerance(total)
    units = np.clip(_floors(approx, error, _Cache(quotas), offset), lower, upper)
    return RoundingResult(units.astype(np.int64), total - int(units.sum()), ())


#: The rounding methods by name (aliases: dhondt, sainte_lague, hamilton).


def round_units(
    exact: FloatArray | Quotas,
    weights: FloatArray,
    total: int,
    lower: IntArray,
    upper: IntArray,
    method: str = "largest_remainder",
    *,
    stage: str = "rounding",
) -> RoundingResult:
    """Round to whole units, handing out exactly ``total`` units within the bounds.

    Parameters
    ----------
    exact : array of float or Quotas
        The exact amounts in units (already bounded); used by largest remainder and half-up.
        A float array is taken as the exact dyadic rationals it holds; :class:`Quotas`
        carries amounts that binary64 cannot hold exactly (``total · w_i / Σ w``).
    weights : array of float
        The unbounded targets; divisor methods apportion by these within the bounds
        (any common scale: only their ratios matter).
    total : int
        The units to hand out.
    lower, upper : array of int
        Per-region bounds in units. A region with zero weight is held at its lower
        bound, as in the proportional rule.
    method : str
        See the module documentation.
    stage : str
        What computed the amounts, named by the error when one is not a finite number.

    Raises
    ------
    SolverError
        An amount or weight is not a finite number (NaN or infinite): the stage that made
        it is named; nothing is ever rounded from NaN.
    InfeasibleError
        The bounds in whole units cannot hold the total.

    Notes
    -----
    The arrays must be in region-id order: ties fall to the lower index.

    Examples
    --------
    >>> exact = np.array([3.5, 3.5, 3.0])
    >>> r = round_units(exact, exact, 10, np.zeros(3, np.int64), np.full(3, 10, np.int64))
    >>> r.units.tolist(), r.ties[0].winners, r.ties[0].losers
    ([4, 3, 3], (0,), (1,))
    """
    method = canonical_method(method)
    quotas = exact if isinstance(exact, Quotas) else Quotas(np.asarray(exact, dtype=np.float64))
    weights = np.asarray(weights, dtype=np.float64)
    _check_finite(quotas, weights, stage)
    lower = np.asarray(lower, dtype=np.int64)
    # as in the proportional rule, a region with no weight stays at its lower bound
    upper = np.where(weights > 0, np.asarray(upper, dtype=np.int64), lower)
    least, most = _whole_sum(lower), _whole_sum(upper)
    if least > total or most < total or (lower > upper).any():
        raise InfeasibleError(
            Problem("", tr("rounding.bounds_cannot_hold", least=least, most=most, total=total))
        )
    if method == "largest_remainder":
        return largest_remainder(quotas, total, lower, upper)
    if method == "half_up":
        return _half_up(quotas, total, lower, upper)
    return _divisor(weights, total, lower, upper, method)


def _whole_sum(values: IntArray) -> int:
    """The exact sum of int64 values (numpy's wraps past 2**63: ten caps of 10**18)."""
    biggest = int(np.abs(values).max(initial=0))
    if biggest * max(len(values), 1) < 2**62:
        return int(values.sum())
    return sum(values.tolist())


def _check_finite(quotas: Quotas, weights: FloatArray, stage: str) -> None:
    """Nothing that is not a finite number is ever rounded."""
    bad = ~np.isfinite(quotas.base) | ~np.isfinite(weights)
    if quotas.slope is not None:
        bad |= ~np.isfinite(quotas.slope)
    if bad.any():
        where = np.flatnonzero(bad)
        raise SolverError(
            Problem(
                stage,
                tr("rounding.not_finite"),
                found=tr(
                    "rounding.list",
                    items=[
                        tr(
                            "rounding.not_finite_at",
                            position=i,
                            amount=repr(float(quotas.base[i])),
                            weight=repr(float(weights[i])),
                        )
                        for i in where[:10].tolist()
                    ],
                ),
                hint=tr("rounding.defect"),
            )
        )


def apportion(
    weights: Mapping[str, float],
    total: int,
    *,
    method: str = "webster",
    minimum: int | Mapping[str, int] = 0,
    maximum: int | Mapping[str, int] | None = None,
) -> dict[str, int]:
    """Apportion ``total`` indivisible items (places, villages, households) by weight.

    The regions are put in id order first, so the tie rule of this module applies
    and the order of ``weights`` never matters.

    Parameters
    ----------
    weights : mapping of str to float
        Region id to its weight (population, need); non-negative.
    total : int
        The items to hand out.
    method : str, default "webster"
        Any method of :data:`METHODS` but ``half_up``.
    minimum, maximum : int or mapping of str to int
        Per-region bounds, the same for all or per region (missing regions: 0 and
        no maximum).

    Returns
    -------
    dict of str to int
        Region id to its items, in the order of ``weights``; they add up to ``total``.

    Examples
    --------
    >>> apportion({"甲": 5.6, "乙": 3.4, "丙": 1.0}, 10, method="jefferson")
    {'甲': 6, '乙': 3, '丙': 1}
    >>> apportion({"甲": 5.6, "乙": 3.4, "丙": 0.2}, 10, method="jefferson", minimum=1)
    {'甲': 6, '乙': 3, '丙': 1}
    """
    if canonical_method(method) == "half_up":
        raise SchemeError(Problem("", tr("rounding.apportion_half_up", method="half_up")))
    if isinstance(total, bool) or not isinstance(total, int | np.integer) or total < 0:
        raise SchemeError(Problem("", tr("rounding.apportion_total", found=repr(total))))
    ids = sorted(weights)
    w = np.array([float(weights[i]) for i in ids], dtype=np.float64)
    bad = [
        Problem(i, tr("rounding.weight"), found=repr(weights[i]))
        for i, x in zip(ids, w, strict=True)
        if not (np.isfinite(x) and x >= 0)
    ]
    if bad:
        raise DataError(bad)

    def per_region(bound: int | Mapping[str, int] | None, default: int) -> IntArray:
        if bound is None:
            return np.full(len(ids), default, dtype=np.int64)
        if isinstance(bound, Mapping):
            return np.array([int(bound.get(i, default)) for i in ids], dtype=np.int64)
        return np.full(len(ids), int(bound), dtype=np.int64)

    lower = per_region(minimum, 0)
    upper = per_region(maximum, total)
    negative = [region for region, lo in zip(ids, lower.tolist(), strict=True) if lo < 0]
    if negative:
        raise SchemeError(Problem("", tr("rounding.negative_minimum", regions=negative)))
    units = round_units(Quotas.proportional(w, total), w, total, lower, upper, method).units
    position = {region: k for k, region in enumerate(ids)}
    return {region: int(units[position[region]]) for region in weights}
