"""How unequal an allocation is: Gini, Theil, coefficient of variation, HHI and the Lorenz curve.

Every measure here looks at **amounts per head** when a population is given: region ``i``
with amount ``a_i`` and population ``p_i`` has the per-capita amount ``y_i = a_i / p_i``,
and each region counts with its population share ``w_i = p_i / P``. Without a population
every region counts once (``w_i = 1/n``) and the measures describe the amounts themselves.
With ``A = Σ a_i`` and ``s_i = a_i / A`` each region's share of the money, the population-
weighted mean per head is ``μ = A / P``, and

| measure | formula | equal per head | at most |
| --- | --- | --- | --- |
| Gini | ``Σ_i Σ_j w_i w_j abs(y_i − y_j) / (2 μ)`` | 0 | 1 − min w |
| Theil T | ``Σ_i s_i ln(s_i / w_i)`` | 0 | ln(1 / min w) |
| coefficient of variation | ``sqrt(Σ_i w_i (y_i − μ)²) / μ`` | 0 | |
| HHI | ``Σ_i s_i²`` (shares of the money; no weights) | 1/n | 1 |

None of them changes when every amount (or every population) is multiplied by the same
positive number, or when the rows are listed in another order.

``amounts`` may be an :class:`~fundalloc.Allocation` (its final amounts), a mapping of
region id to a number, or a sequence or array of numbers; ``population`` a mapping of
region id to a number, a sequence or array in the same order as ``amounts``, or, with an
Allocation, the name of a column of its table. Amounts must be finite and not negative,
with a positive total; populations must be finite and positive. A bad value is a
:class:`~fundalloc.DataError` naming the region.

References
----------
F. A. Cowell, *Measuring Inequality*, 3rd ed., Oxford University Press, 2011 (the Gini
coefficient, Theil's index and the coefficient of variation with weights).
H. Theil, *Economics and Information Theory*, North-Holland, 1967.
A. O. Hirschman, "The paternity of an index", *American Economic Review* 54(5) (1964) 761
(the Herfindahl–Hirschman index of concentration).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from numbers import Real
from typing import TYPE_CHECKING, Any, Union

import numpy as np
import numpy.typing as npt

from fundalloc.analysis._frames import Tabular
from fundalloc.errors import MAX_LISTED, DataError, Problem, Text, not_listed
from fundalloc.i18n import text, tr

if TYPE_CHECKING:
    from fundalloc.result import Allocation

__all__ = [
    "Amounts",
    "Fairness",
    "Lorenz",
    "Population",
    "coefficient_of_variation",
    "fairness",
    "gini",
    "hhi",
    "lorenz",
    "theil",
]

FloatArray = npt.NDArray[np.float64]

Amounts = Union["Allocation", Mapping[str, Any], Sequence[Any], npt.NDArray[Any]]
"""An Allocation, a mapping of region id to an amount, or amounts in a sequence or array."""

Population = Mapping[str, Any] | Sequence[Any] | npt.NDArray[Any] | str | None
"""A mapping of region id to a population, a sequence or array in the order of the amounts,
the name of a column of an Allocation's table, or None for one weight per region."""


# ---------------------------------------------------------------------------- inputs
@dataclass(frozen=True)
class _Data:
    """Amounts and weights in a canonical order (ids in code-point order when there are ids)."""

    regions: tuple[str, ...]
    amounts: FloatArray
    population: FloatArray
    weighted: bool


def _number(value: Any) -> float | None:
    """The float value of a number (int, float, Decimal, NumPy); None for anything else."""
    if isinstance(value, bool | np.bool_):
        return None
    if isinstance(value, Real | Decimal | np.number):
        try:
            return float(value)
        except (OverflowError, ValueError):
            return math.inf
    return None


_WHAT = {"amount": "analysis.fairness_amount", "population": "analysis.fairness_population"}
_FINITE = {
    "amount": "analysis.fairness_finite_amount",
    "population": "analysis.fairness_finite_population",
}


def _values(
    values: Sequence[Any] | npt.NDArray[Any], labels: Sequence[Text], what: str
) -> FloatArray:
    """Finite floats, or one DataError listing every cell that is not a finite number."""
    array = np.asarray(values) if not isinstance(values, np.ndarray) else values
    if array.ndim != 1:
        raise DataError(
            Problem(
                tr(_WHAT[what]),
                tr("analysis.fairness_expected_flat"),
                found=tr("analysis.fairness_shape", shape=str(array.shape)),
            )
        )
    if array.dtype.kind in "iuf":
        out = array.astype(np.float64)
    else:
        out = np.empty(len(array), dtype=np.float64)
        for i, cell in enumerate(array.tolist() if array.dtype != object else list(array)):
            number = _number(cell)
            out[i] = math.nan if number is None else number
    bad = ~np.isfinite(out)
    if bad.any():
        where = np.flatnonzero(bad)
        raise DataError(
            [
                *(
                    Problem(
                        labels[i],
                        tr(_FINITE[what]),
                        found=repr(array[i].item() if hasattr(array[i], "item") else array[i]),
                    )
                    for i in where[:MAX_LISTED]
                ),
                *not_listed(len(where), tr(_WHAT[what])),
            ]
        )
    return out


def _is_allocation(value: object) -> bool:
    from fundalloc.result import Allocation

    return isinstance(value, Allocation)


def _collect(amounts: Amounts, population: Population) -> _Data:
    """Check and align amounts and populations."""
    ids: tuple[str, ...] | None
    if _is_allocation(amounts):
        allocation: Allocation = amounts  # type: ignore[assignment]
        ids = allocation.table.ids
        raw: list[Any] | npt.NDArray[Any] = list(allocation.amounts.values())
        if isinstance(population, str):
            population = allocation.table.numeric(population)
    elif isinstance(amounts, Mapping):
        ids = tuple(str(k) for k in amounts)
        raw = list(amounts.values())
    elif isinstance(amounts, str):
        raise DataError(
            Problem(
                tr("analysis.fairness_amounts"),
                tr("analysis.fairness_expected_amounts"),
                found=tr("analysis.fairness_the_text", text=repr(amounts)),
            )
        )
    else:
        ids = None
        # a numeric array is taken as it is (the fast path); anything else cell by cell
        raw = amounts if isinstance(amounts, np.ndarray) else list(amounts)  # type: ignore[arg-type]
    labels: Sequence[Text] = (
        ids
        if ids is not None
        else tuple(tr("analysis.fairness_position", index=i) for i in range(len(raw)))
    )
    if len(raw) == 0:
        raise DataError(
            Problem(
                tr("analysis.fairness_amounts"),
                tr("analysis.fairness_at_least_one"),
                found=tr("analysis.fairness_none"),
            )
        )
    a = _values(
        raw if isinstance(raw, np.ndarray) else np.asarray(raw, dtype=object), labels, "amount"
    )
    negative = np.flatnonzero(a < 0)
    if negative.size:
        raise DataError(
            [
                *(
                    Problem(labels[i], tr("analysis.fairness_nonnegative"), found=f"{a[i]:g}")
                    for i in negative[:MAX_LISTED]
                ),
                *not_listed(len(negative), tr("analysis.fairness_amounts")),
            ]
        )
    if not a.sum() > 0:
        raise DataError(
            Problem(
                tr("analysis.fairness_amounts"), tr("analysis.fairness_positive_total"), found="0"
            )
        )

    weighted = population is not None
    if population is None:
        p = np.ones(len(a))
    elif isinstance(population, str):
        raise DataError(
            Problem(
                tr("analysis.fairness_population"),
                tr("analysis.fairness_column_needs_allocation", column=repr(population)),
                hint=tr("analysis.fairness_column_hint"),
            )
        )
    elif isinstance(population, Mapping):
        if ids is None:
            raise DataError(
                Problem(
                    tr("analysis.fairness_population"),
                    tr("analysis.fairness_mapping_needs_ids"),
                    found=tr("analysis.fairness_amounts_in_sequence"),
                    hint=tr("analysis.fairness_mapping_hint"),
                )
            )
        keys = {str(k): v for k, v in population.items()}
        missing = [r for r in ids if r not in keys]
        known = set(ids)
        extra = [k for k in keys if k not in known]
        problems = [Problem(r, tr("analysis.fairness_no_population")) for r in missing[:MAX_LISTED]]
        problems += not_listed(len(missing), tr("analysis.fairness_population"))
        problems += [Problem(k, tr("analysis.fairness_no_amount")) for k in extra[:MAX_LISTED]]
        problems += not_listed(len(extra), tr("analysis.fairness_population"))
        if problems:
            raise DataError(problems)
        p = _values(np.asarray([keys[r] for r in ids], dtype=object), labels, "population")
    else:
        values = population if isinstance(population, np.ndarray) else list(population)
        if len(values) != len(a):
            raise DataError(
                Problem(
                    tr("analysis.fairness_population"),
                    tr("analysis.fairness_one_per_region", count=len(a)),
                    found=str(len(values)),
                )
            )
        p = _values(
            values if isinstance(values, np.ndarray) else np.asarray(values, dtype=object),
            labels,
            "population",
        )
    bad = np.flatnonzero(~(p > 0))
    if bad.size:
        raise DataError(
            [
                *(
                    Problem(
                        labels[i], tr("analysis.fairness_positive_population"), found=f"{p[i]:g}"
                    )
                    for i in bad[:MAX_LISTED]
                ),
                *not_listed(len(bad), tr("analysis.fairness_population")),
            ]
        )
    if ids is not None:  # id order, so that the row order never changes a result
        order = np.argsort(np.array(ids, dtype=str), kind="stable")
        return _Data(tuple(ids[i] for i in order), a[order], p[order], weighted)
    return _Data(tuple(str(i) for i in range(len(a))), a, p, weighted)


# ---------------------------------------------------------------------------- results
@dataclass(frozen=True, eq=False)
class Lorenz(Tabular):
    """The Lorenz curve of per-capita amounts.

    Regions are sorted by per-capita amount, smallest first (ties by region id, or by
    position for amounts given without ids); point ``k`` is the share of the population
    and the share of the money held by the first ``k`` regions. Both arrays have one point
    more than there are regions, start at 0.0 and end at 1.0, and are read-only.

    Attributes
    ----------
    population_share : numpy.ndarray
        Cumulative population shares (cumulative region counts / n without a population).
    amount_share : numpy.ndarray
        Cumulative shares of the money.
    gini : float
        Twice the area between the curve and the diagonal.
    regions : tuple of str
        The regions in curve order (positions as text for amounts given without ids).
    """

    population_share: FloatArray
    amount_share: FloatArray
    gini: float
    regions: tuple[str, ...] = ()

    def _table(self) -> tuple[str, dict[str, Sequence[Any]]]:
        return text("analysis.table_lorenz", gini=f"{self.gini:.4f}"), {
            text("analysis.column_population_share"): self.population_share.tolist(),
            text("analysis.column_amount_share"): self.amount_share.tolist(),
        }


@dataclass(frozen=True)
class Fairness(Tabular):
    """Every inequality measure of one set of amounts; see the module notes for the formulas.

    Attributes
    ----------
    gini : float
        Population-weighted Gini coefficient of the per-capita amounts.
    theil : float
        Theil's T index (GE(1)) of the per-capita amounts, population-weighted.
    cv : float
        Population-weighted coefficient of variation of the per-capita amounts (the
        population standard deviation over the mean, no n − 1 correction).
    hhi : float
        Herfindahl–Hirschman index of the regions' shares of the money (1/n for an equal
        split; ignores the population).
    mean, minimum, maximum : float
        The population-weighted mean per-capita amount (total / total population) and
        the smallest and largest per-capita amount.
    regions : int
        How many regions.
    weighted : bool
        Whether a population was given (False: every region counts once and the
        "per-capita" amounts are the amounts).
    """

    gini: float
    theil: float
    cv: float
    hhi: float
    mean: float
    minimum: float
    maximum: float
    regions: int
    weighted: bool

    def _table(self) -> tuple[str, dict[str, Sequence[Any]]]:
        names = [
            text("analysis.measure_gini"),
            text("analysis.measure_theil"),
            text("analysis.measure_cv"),
            text("analysis.measure_hhi"),
            text("analysis.measure_mean"),
            text("analysis.measure_minimum"),
            text("analysis.measure_maximum"),
        ]
        values = [self.gini, self.theil, self.cv, self.hhi, self.mean, self.minimum, self.maximum]
        return str(self).splitlines()[0], {
            text("analysis.column_measure"): names,
            text("analysis.column_value"): values,
        }

    def __str__(self) -> str:
        return text(
            "analysis.fairness_summary_weighted" if self.weighted else "analysis.fairness_summary",
            regions=self.regions,
            gini=self.gini,
            theil=self.theil,
            cv=self.cv,
            hhi=self.hhi,
            equal=1 / self.regions,
            mean=self.mean,
            minimum=self.minimum,
            maximum=self.maximum,
        )


# ---------------------------------------------------------------------------- measures
def _lorenz(data: _Data) -> Lorenz:
    per_capita = data.amounts / data.population
    order = np.argsort(per_capita, kind="stable")
    w = data.population[order] / data.population.sum()
    s = data.amounts[order] / data.amounts.sum()
    x = np.concatenate(([0.0], np.cumsum(w)))
    y = np.concatenate(([0.0], np.cumsum(s)))
    x[-1] = y[-1] = 1.0
    # 1 − Σ w_k (Y_k + Y_{k−1}): the trapezoids under the curve, doubled
    value = float(1.0 - np.sum(w * (y[1:] + y[:-1])))
    x.flags.writeable = y.flags.writeable = False
    return Lorenz(x, y, min(max(value, 0.0), 1.0), tuple(data.regions[i] for i in order))


def lorenz(amounts: Amounts, population: Population = None) -> Lorenz:
    """The Lorenz curve of the per-capita amounts, with the Gini coefficient.

    Parameters
    ----------
    amounts : Allocation, mapping, sequence or array
        The amounts (see the module notes).
    population : mapping, sequence, array or str, optional
        The population of each region; a column name with an Allocation; None for one
        weight per region.

    Returns
    -------
    Lorenz

    Raises
    ------
    DataError
        An amount that is negative or not a number, a zero total, a population that is
        zero, negative or missing (naming the region).

    Examples
    --------
    Two regions of one and four people get 10 and 30 (10 and 7.5 a head). The poorer
    per head holds 80% of the people and 75% of the money:

    >>> curve = lorenz({"甲": 10, "乙": 30}, {"甲": 1, "乙": 4})
    >>> curve.population_share.tolist(), curve.amount_share.tolist(), curve.regions
    ([0.0, 0.8, 1.0], [0.0, 0.75, 1.0], ('乙', '甲'))
    >>> round(curve.gini, 12)
    0.05
    """
    return _lorenz(_collect(amounts, population))


def gini(amounts: Amounts, population: Population = None) -> float:
    """The population-weighted Gini coefficient of the per-capita amounts.

    ``G = Σ_i Σ_j w_i w_j |y_i − y_j| / (2 μ)``, computed as one minus twice the area
    under the Lorenz curve: 0 when everyone gets the same per head, ``(n − 1)/n`` when
    one of ``n`` equally populous regions gets everything.

    Examples
    --------
    >>> gini([3, 1])
    0.25
    >>> gini([1, 0, 0, 0])
    0.75
    """
    return lorenz(amounts, population).gini


def _theil(data: _Data) -> float:
    s = data.amounts / data.amounts.sum()
    w = data.population / data.population.sum()
    held = s > 0  # 0 · ln 0 = 0
    return max(float(np.sum(s[held] * np.log(s[held] / w[held]))), 0.0)


def theil(amounts: Amounts, population: Population = None) -> float:
    """Theil's T index of the per-capita amounts, population-weighted.

    This is Theil's first measure, the generalised entropy index GE(1) (not Theil's L,
    the mean log deviation, which is undefined when a region gets nothing):

    ``T = Σ_i s_i ln(s_i / w_i) = Σ_i w_i (y_i/μ) ln(y_i/μ)``

    with ``s_i`` the region's share of the money and ``w_i`` its share of the
    population. It is 0 for equal per-capita amounts and at most ``ln(1 / min w_i)``
    (``ln n`` for equal weights), reached when the least populous region gets everything.
    Unlike the Gini coefficient it splits exactly into a within-group and a between-group
    part.

    References
    ----------
    Theil (1967), *Economics and Information Theory*; Cowell (2011), ch. 3.

    Examples
    --------
    >>> round(theil([3, 1]), 6)  # 0.75 ln 1.5 + 0.25 ln 0.5
    0.130812
    >>> round(theil([1, 0, 0, 0]), 6) == round(math.log(4), 6)
    True
    """
    return _theil(_collect(amounts, population))


def _cv(data: _Data) -> float:
    w = data.population / data.population.sum()
    y = data.amounts / data.population
    mean = float(data.amounts.sum() / data.population.sum())
    return math.sqrt(float(np.sum(w * (y - mean) ** 2))) / mean


def coefficient_of_variation(amounts: Amounts, population: Population = None) -> float:
    """The population-weighted coefficient of variation of the per-capita amounts.

    ``CV = sqrt(Σ_i w_i (y_i − μ)²) / μ``: the standard deviation of the per-capita
    amount over all people (the population form, divided by the total weight, with no
    ``n − 1`` correction) over its mean ``μ = A / P``. Without a population it is the
    population standard deviation of the amounts over their mean.

    Examples
    --------
    Per head 10 (one person) and 7.5 (four people): mean 8, variance
    0.2 · 2² + 0.8 · 0.5² = 1:

    >>> coefficient_of_variation({"甲": 10, "乙": 30}, {"甲": 1, "乙": 4})
    0.125
    """
    return _cv(_collect(amounts, population))


def hhi(amounts: Amounts) -> float:
    """The Herfindahl–Hirschman index of the regions' shares of the money, ``Σ s_i²``.

    Between ``1/n`` (an equal split among ``n`` regions) and 1 (one region gets
    everything); ``1 / HHI`` is the "effective number" of regions sharing the money. It
    looks at shares only, never at population.

    Examples
    --------
    >>> hhi([3, 1])
    0.625
    >>> hhi({"甲": 5, "乙": 5, "丙": 5, "丁": 5})
    0.25
    """
    data = _collect(amounts, None)
    s = data.amounts / data.amounts.sum()
    return float(np.sum(s * s))


def fairness(amounts: Amounts, population: Population = None) -> Fairness:
    """All the measures at once, from one check of the inputs.

    Parameters
    ----------
    amounts : Allocation, mapping, sequence or array
        The amounts (see the module notes).
    population : mapping, sequence, array or str, optional
        The population of each region; a column name with an Allocation; None for one
        weight per region.

    Returns
    -------
    Fairness

    Raises
    ------
    DataError
        As for :func:`lorenz`.

    Examples
    --------
    >>> import fundalloc as fa
    >>> table = fa.RegionTable.from_records([
    ...     {"地区": "甲市", "人口": 100, "贫困人口": 30},
    ...     {"地区": "乙市", "人口": 300, "贫困人口": 10}], id="地区")
    >>> scheme = fa.Scheme(total=40, tranches=[fa.Tranche(name="因素", share=1, factors=[
    ...     fa.Factor(name="贫困人口", rule=fa.Share(column="贫困人口"), weight=1)])])
    >>> result = fa.allocate(table, scheme)
    >>> print(fairness(result, "人口"))
    2 regions, per-capita amounts, population-weighted
    Gini 0.5000 · Theil T 0.5493 · CV 1.1547 · HHI 0.6250 (equal split 0.5000)
    mean 0.1, min 0.0333333, max 0.3
    """
    data = _collect(amounts, population)
    s = data.amounts / data.amounts.sum()
    per_capita = data.amounts / data.population
    return Fairness(
        gini=_lorenz(data).gini,
        theil=_theil(data),
        cv=_cv(data),
        hhi=float(np.sum(s * s)),
        mean=float(data.amounts.sum() / data.population.sum()),
        minimum=float(per_capita.min()),
        maximum=float(per_capita.max()),
        regions=len(data.amounts),
        weighted=data.weighted,
    )
