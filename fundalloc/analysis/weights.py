"""Where weights come from: the entropy weight method (熵权法), AHP (层次分析法), equal weights.

Each function returns the weights by name, adding up to 1, with the numbers that justify
them (entropies; λ_max, CI and CR). :func:`with_weights` puts a set of weights into an
existing :class:`~fundalloc.Scheme`, by factor name, and returns the new scheme; the old one
is unchanged.

- :func:`entropy_weights` is *objective*: a column whose values differ more between regions
  (lower entropy) gets more weight. It says nothing about which indicator matters more for
  the policy; it is often combined with, or checked against, AHP.
- :func:`ahp_weights` is *subjective*: weights from a matrix of pairwise judgments
  ("poor population is 3 times as important as area"), refused when the judgments
  contradict each other too much (consistency ratio CR >= 0.1) unless ``force=True``.
- :func:`equal_weights` is the baseline.

Calibration (which weights reproduce a published table) is in
:mod:`fundalloc.analysis.calibrate`.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from fundalloc.analysis._frames import Tabular
from fundalloc.errors import MAX_LISTED, DataError, Problem, SchemeError, Text, not_listed
from fundalloc.factors import Condition, FloatArray
from fundalloc.i18n import text, tr
from fundalloc.scheme import Scheme, Tranche
from fundalloc.table import RegionTable

__all__ = [
    "CONSISTENCY_LIMIT",
    "SAATY_RANDOM_INDEX",
    "AHPWeights",
    "EntropyWeights",
    "ahp_weights",
    "entropy_weights",
    "equal_weights",
    "with_weights",
]

SAATY_RANDOM_INDEX: dict[int, float] = {
    1: 0.0,
    2: 0.0,
    3: 0.58,
    4: 0.90,
    5: 1.12,
    6: 1.24,
    7: 1.32,
    8: 1.41,
    9: 1.45,
    10: 1.49,
    11: 1.51,
    12: 1.48,
    13: 1.56,
    14: 1.57,
    15: 1.59,
}
"""Saaty's random index RI by matrix size n: the mean consistency index of random reciprocal
matrices with judgments from the 1/9 … 9 scale (Saaty 1980)."""

CONSISTENCY_LIMIT = 0.1
"""Saaty's acceptance rule: a pairwise matrix is consistent enough when CR < 0.1."""


# ---------------------------------------------------------------------------- entropy


@dataclass(frozen=True)
class EntropyWeights(Tabular):
    """The result of :func:`entropy_weights`.

    Attributes
    ----------
    weights : dict of str to float
        Column name to its weight ``d_j / Σ d``; they add up to 1.
    entropies : dict of str to float
        Column name to its entropy ``e_j`` in [0, 1] (1: the column does not tell regions
        apart).
    divergences : dict of str to float
        Column name to ``d_j = 1 − e_j`` (差异系数, degree of divergence).
    normalise : str
        The normalisation used, ``"minmax"`` or ``"share"``.
    negative : tuple of str
        The columns treated as "smaller is better".
    constant : tuple of str
        The columns with the same value for every region: entropy 1, weight 0.
    """

    weights: dict[str, float]
    entropies: dict[str, float]
    divergences: dict[str, float]
    normalise: str
    negative: tuple[str, ...]
    constant: tuple[str, ...]

    def _table(self) -> tuple[str, dict[str, Sequence[Any]]]:
        names = list(self.weights)
        return text("analysis.table_entropy"), {
            text("analysis.column_indicator"): names,
            text("analysis.column_weight_value"): [self.weights[n] for n in names],
            text("analysis.column_entropy"): [self.entropies[n] for n in names],
            text("analysis.column_divergence"): [self.divergences[n] for n in names],
        }


def entropy_weights(
    data: RegionTable | npt.ArrayLike,
    columns: Sequence[str] | None = None,
    *,
    negative: Collection[str] = (),
    normalise: Literal["minmax", "share"] = "minmax",
) -> EntropyWeights:
    """Objective weights of indicators by the entropy weight method (熵权法).

    Parameters
    ----------
    data : RegionTable or array_like
        The regions: a :class:`~fundalloc.RegionTable` (then ``columns`` names the
        indicators), or a 2-D array with one row per region and one column per indicator.
    columns : sequence of str, optional
        The indicator columns of the table; for an array, names for its columns
        (default ``"x1"``, ``"x2"``, …).
    negative : collection of str, default ()
        The indicators where a smaller value is better (负向指标), such as per-capita fiscal
        revenue when poorer regions should weigh more. Only with ``normalise="minmax"``.
    normalise : {"minmax", "share"}, default "minmax"
        How each indicator is made comparable before its entropy is taken:

        - ``"minmax"`` (the standard method): ``y = (x − min) / (max − min)``, and for a
          negative indicator ``y = (max − x) / (max − min)``;
        - ``"share"``: ``y = x`` (values must be >= 0), so ``p`` is each region's share of
          the column, as a :class:`~fundalloc.Share` factor uses it.

    Returns
    -------
    EntropyWeights
        Weights, entropies and divergences by column name.

    Raises
    ------
    DataError
        Fewer than two regions; a value that is not a finite number; a negative value with
        ``normalise="share"``; or every column constant (no column tells regions apart).
    SchemeError
        No columns, a repeated column name, a ``negative`` name that is not a column, or
        ``negative`` with ``normalise="share"``.

    Notes
    -----
    With ``n`` regions and normalised values ``y_ij``:

    .. math:: p_{ij} = \\frac{y_{ij}}{\\sum_i y_{ij}}, \\qquad
              e_j = -\\frac{1}{\\ln n} \\sum_i p_{ij} \\ln p_{ij}, \\qquad
              d_j = 1 - e_j, \\qquad w_j = \\frac{d_j}{\\sum_k d_k}

    with ``0 · ln 0 = 0`` (under min-max the smallest region has ``p = 0``; no small constant
    is added to avoid it, as some variants do). A constant column has no ``p`` (its
    min-max is 0/0); it is given ``e = 1``, so ``d = 0`` and weight 0, and listed in
    :attr:`EntropyWeights.constant`. When every column is constant there are no weights and
    a :class:`DataError` says so.

    The weights depend on the regions compared: adding or removing one region changes
    them, and under min-max so does any change to the smallest or largest value.

    References
    ----------
    C. E. Shannon, "A mathematical theory of communication", *Bell System Technical
    Journal* 27 (1948) 379-423.
    Z. Zou, Y. Yun and J. Sun, "Entropy method for determination of weight of evaluating
    indicators in fuzzy synthetic evaluation for water quality assessment", *Journal of
    Environmental Sciences* 18 (2006) 1020-1023.

    Examples
    --------
    Poor population differs a lot between the three cities, area hardly at all:

    >>> import fundalloc as fa
    >>> table = fa.RegionTable.from_columns(
    ...     {"地区": ["甲", "乙", "丙"], "贫困人口": [10, 50, 90], "面积": [300, 310, 305]},
    ...     id="地区")
    >>> result = entropy_weights(table, ["贫困人口", "面积"], normalise="share")
    >>> {k: round(v, 4) for k, v in result.weights.items()}
    {'贫困人口': 0.9996, '面积': 0.0004}
    >>> round(result.entropies["贫困人口"], 4), round(result.entropies["面积"], 4)
    (0.7766, 0.9999)

    Min-max stretches every column to [0, 1] first, so here area (3% apart) would weigh as
    much as poor population (9 times apart): choose the normalisation on purpose.

    >>> entropy_weights(table, ["贫困人口", "面积"]).weights
    {'贫困人口': 0.5, '面积': 0.5}

    The same data as an array, with income as a negative indicator under min-max:

    >>> r = entropy_weights([[10, 3.1], [50, 2.0], [90, 1.2]], ["poor", "income"],
    ...                     negative=["income"])
    >>> {k: round(v, 4) for k, v in r.weights.items()}
    {'poor': 0.5114, 'income': 0.4886}
    """
    values, names, where = _indicator_matrix(data, columns)
    negative = (negative,) if isinstance(negative, str) else tuple(negative)
    problems = _check_names(names, "column")
    unknown = [c for c in negative if c not in names]
    if unknown:
        problems.append(
            Problem(
                "negative",
                tr("analysis.weights_expected_columns_names"),
                found=", ".join(map(repr, unknown)),
                hint=tr("analysis.weights_the_columns_are", names=[repr(n) for n in names]),
            )
        )
    if negative and normalise == "share":
        problems.append(
            Problem(
                "negative",
                tr("analysis.weights_negative_needs_minmax"),
                found=", ".join(map(repr, negative)),
            )
        )
    if normalise not in ("minmax", "share"):
        problems.append(
            Problem("normalise", tr("analysis.weights_expected_normalise"), found=repr(normalise))
        )
    if problems:
        raise SchemeError(problems)
    n = values.shape[0]
    if n < 2:
        raise DataError(
            Problem(
                "data",
                tr("analysis.weights_at_least_two"),
                found=tr("analysis.weights_regions", count=n),
            )
        )
    if normalise == "share":
        bad = [
            Problem(
                where(int(i), names[j]),
                tr("analysis.weights_nonnegative"),
                found=f"{values[i, j]:g}",
            )
            for i, j in zip(*np.nonzero(values < 0), strict=True)
        ]
        if bad:
            raise DataError([*bad[:MAX_LISTED], *not_listed(len(bad), "data")])

    entropy = np.ones(len(names))
    constant = []
    for j, name in enumerate(names):
        x = values[:, j]
        lo, hi = float(x.min()), float(x.max())
        if hi == lo:
            constant.append(name)
            continue
        if normalise == "minmax":
            y = (hi - x) / (hi - lo) if name in negative else (x - lo) / (hi - lo)
        else:
            y = x
        p = y / y.sum()
        p = p[p > 0]
        entropy[j] = -float(np.sum(p * np.log(p))) / math.log(n)
    divergence = np.clip(1.0 - entropy, 0.0, None)
    if not divergence.sum() > 0:
        raise DataError(
            Problem(
                "data",
                tr("analysis.weights_expected_varying_column"),
                found=tr("analysis.weights_all_constant", names=[repr(n) for n in names]),
            )
        )
    weights = divergence / divergence.sum()
    return EntropyWeights(
        weights=dict(zip(names, weights.tolist(), strict=True)),
        entropies=dict(zip(names, entropy.tolist(), strict=True)),
        divergences=dict(zip(names, divergence.tolist(), strict=True)),
        normalise=normalise,
        negative=tuple(c for c in names if c in negative),
        constant=tuple(constant),
    )


class _Where:
    """Where a cell is, for messages: the table's own row and column, or an array's."""

    def __init__(self, table: RegionTable | None, names: Sequence[str]) -> None:
        self.table = table
        self.index = {name: j for j, name in enumerate(names)}

    def __call__(self, i: int, column: str) -> Text:
        if self.table is not None:
            return self.table.where(i, column)
        return tr(
            "analysis.weights_array_cell",
            row=i + 1,
            column=self.index[column] + 1,
            name=repr(column),
        )


def _indicator_matrix(
    data: RegionTable | npt.ArrayLike, columns: Sequence[str] | None
) -> tuple[FloatArray, list[str], _Where]:
    if isinstance(data, RegionTable):
        if columns is None or isinstance(columns, str) or not columns:
            raise SchemeError(
                Problem(
                    "columns",
                    tr("analysis.weights_expected_table_columns"),
                    found=repr(columns),
                    hint=tr(
                        "analysis.weights_for_example",
                        code='entropy_weights(table, ["贫困人口", "面积"])',
                    ),
                )
            )
        names = list(columns)
        problems = [p for name in dict.fromkeys(names) for p in data.check(name)]
        if problems:
            raise DataError(problems)
        matrix = np.column_stack([data.numeric(name) for name in names])
        return matrix, names, _Where(data, names)
    try:
        matrix = np.asarray(data, dtype=np.float64)
    except (TypeError, ValueError):
        raise DataError(
            Problem("data", tr("analysis.weights_expected_data"), found=_kind(data))
        ) from None
    if matrix.ndim != 2 or matrix.shape[1] == 0:
        raise DataError(
            Problem(
                "data",
                tr("analysis.weights_expected_matrix"),
                found=tr("analysis.fairness_shape", shape=str(matrix.shape)),
            )
        )
    if columns is None:
        names = [f"x{j + 1}" for j in range(matrix.shape[1])]
    elif isinstance(columns, str) or len(columns) != matrix.shape[1]:
        raise SchemeError(
            Problem(
                "columns",
                tr("analysis.weights_names_per_column", count=matrix.shape[1]),
                found=repr(columns),
            )
        )
    else:
        names = list(columns)
    where = _Where(None, names)
    bad = [
        Problem(
            where(int(i), names[j]), tr("analysis.expected_finite_number"), found=f"{matrix[i, j]}"
        )
        for i, j in zip(*np.nonzero(~np.isfinite(matrix)), strict=True)
    ]
    if bad:
        raise DataError([*bad[:MAX_LISTED], *not_listed(len(bad), "data")])
    return matrix, names, where


def _kind(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


_NAME_TWICE = {
    "column": "analysis.weights_column_twice",
    "criterion": "analysis.weights_criterion_twice",
    "factor": "analysis.weights_factor_twice",
}
_NAME_EMPTY = {
    "column": "analysis.weights_column_empty",
    "criterion": "analysis.weights_criterion_empty",
    "factor": "analysis.weights_factor_empty",
}


def _check_names(names: Sequence[str], what: str) -> list[Problem]:
    problems = [
        Problem("names", tr(_NAME_TWICE[what], name=repr(n)))
        for n in sorted({n for n in names if names.count(n) > 1})
    ]
    problems += [
        Problem("names", tr(_NAME_EMPTY[what]), found=repr(n))
        for n in names
        if not isinstance(n, str) or not n.strip()
    ]
    return problems


# ---------------------------------------------------------------------------- AHP


@dataclass(frozen=True)
class AHPWeights(Tabular):
    """The result of :func:`ahp_weights`.

    Attributes
    ----------
    weights : dict of str to float
        Criterion name to its weight; they add up to 1.
    lambda_max : float
        The principal eigenvalue of the pairwise matrix (``n`` for a consistent matrix).
    consistency_index : float
        ``CI = (λ_max − n) / (n − 1)`` (0 for n <= 2).
    random_index : float
        ``RI``, from :data:`SAATY_RANDOM_INDEX` unless given.
    consistency_ratio : float
        ``CR = CI / RI`` (0 for n <= 2).
    method : str
        ``"eigenvector"`` or ``"geometric"``.
    """

    weights: dict[str, float]
    lambda_max: float
    consistency_index: float
    random_index: float
    consistency_ratio: float
    method: str

    def _table(self) -> tuple[str, dict[str, Sequence[Any]]]:
        names = list(self.weights)
        caption = text(
            "analysis.table_ahp",
            ratio=f"{self.consistency_ratio:.4f}",
            lam=f"{self.lambda_max:.4f}",
        )
        return caption, {
            text("analysis.column_criterion"): names,
            text("analysis.column_weight_value"): [self.weights[n] for n in names],
        }

    @property
    def consistent(self) -> bool:
        """Whether ``CR < 0.1`` (Saaty's rule)."""
        return self.consistency_ratio < CONSISTENCY_LIMIT


def _furthest_judgment(a: FloatArray, w: FloatArray) -> tuple[int, int]:
    """The judgment above the diagonal furthest from the weights (ties: first in row order).

    >>> _furthest_judgment(np.array([[1, 3, 1 / 3], [1 / 3, 1, 3], [3, 1 / 3, 1]]),
    ...                    np.full(3, 1 / 3))
    (0, 1)
    """
    i, j = np.triu_indices(len(w), k=1)
    gap = np.abs(np.log(a[i, j] * w[j] / w[i]))  # 0 where a judgment fits the weights
    first = int(np.flatnonzero(gap >= gap.max() * (1 - 1e-9))[0])
    return int(i[first]), int(j[first])


def ahp_weights(
    matrix: npt.ArrayLike | Sequence[Sequence[float | str | Fraction]],
    names: Sequence[str] | None = None,
    *,
    method: Literal["eigenvector", "geometric"] = "eigenvector",
    force: bool = False,
    tolerance: float = 0.05,
    random_index: float | None = None,
) -> AHPWeights:
    """Weights from a pairwise comparison matrix by the analytic hierarchy process (层次分析法).

    Parameters
    ----------
    matrix : array_like of shape (n, n)
        ``matrix[i][j]`` says how many times more important criterion ``i`` is than ``j``
        (Saaty's scale 1/9 … 9). Cells may be numbers or fractions written as text
        (``"1/3"``). It must be positive with ones on the diagonal and reciprocal
        (``a_ji = 1 / a_ij``).
    names : sequence of str, optional
        The criteria, in the order of the rows (default ``"x1"``, ``"x2"``, …). Use the
        factor names of a tranche to pass the result to :func:`with_weights`.
    method : {"eigenvector", "geometric"}, default "eigenvector"
        ``"eigenvector"``: Saaty's principal right eigenvector. ``"geometric"``: the
        normalised geometric means of the rows (方根法; the logarithmic least-squares
        solution of Crawford and Williams).
    force : bool, default False
        Return the weights even when ``CR >= 0.1``.
    tolerance : float, default 0.05
        How far ``a_ij × a_ji`` may be from 1 (and the diagonal from 1), relatively: 0.05
        lets reciprocals written with two decimals pass (1/8 as 0.13 is 4% off) and still
        catches a judgment entered the wrong way round.
    random_index : float, optional
        The RI to use instead of :data:`SAATY_RANDOM_INDEX` (another published table, or
        a matrix larger than 15).

    Returns
    -------
    AHPWeights
        The weights by name, λ_max, CI, RI and CR.

    Raises
    ------
    SchemeError
        The matrix is not square, has a cell that is not a positive number, a diagonal
        cell that is not 1, or a pair of cells that are not reciprocal (every such cell
        named); or ``CR >= 0.1`` and not ``force`` (the message gives CR and the judgment
        furthest from the weights: the largest ``|log(a_ij w_j / w_i)|`` over the
        judgments above the diagonal; judgments within a relative 1e-9 of it are ties,
        broken by the first in row order, so the hint never depends on rounding noise).

    Notes
    -----
    The upper triangle is taken as the judgments; the lower triangle is only checked
    against it and then replaced by the exact reciprocals, so ``0.33`` written for 1/3
    does not move the result.

    CI and CR depend on the matrix only, not on the weighting method: λ_max is always
    the principal eigenvalue (the Perron root), with ``λ_max >= n`` and equality exactly
    when the judgments are consistent (``a_ij a_jk = a_ik``). For n <= 2 a reciprocal
    matrix is always consistent: CI = CR = 0.

    References
    ----------
    T. L. Saaty, *The Analytic Hierarchy Process*, McGraw-Hill, 1980 (the random index).
    T. L. Saaty, "How to make a decision: the analytic hierarchy process", *European
    Journal of Operational Research* 48 (1990) 9-26.
    G. Crawford and C. Williams, "A note on the analysis of subjective judgment matrices",
    *Journal of Mathematical Psychology* 29 (1985) 387-405.

    Examples
    --------
    Poverty population is judged 3 times as important as incidence and 5 times as
    important as the villages; incidence twice as important as the villages:

    >>> result = ahp_weights([[1, 3, 5], ["1/3", 1, 2], ["1/5", "1/2", 1]],
    ...                      ["贫困人口", "贫困发生率", "重点村"])
    >>> {k: round(v, 4) for k, v in result.weights.items()}
    {'贫困人口': 0.6483, '贫困发生率': 0.2297, '重点村': 0.122}
    >>> round(result.lambda_max, 4), round(result.consistency_ratio, 4), result.consistent
    (3.0037, 0.0032, True)

    Judgments that contradict each other are refused:

    >>> ahp_weights([[1, 3, "1/3"], ["1/3", 1, 3], [3, "1/3", 1]])
    Traceback (most recent call last):
    ...
    fundalloc.errors.SchemeError: pairwise matrix: expected a consistency ratio below 0.1 ...
    """
    a = _pairwise(matrix, tolerance)
    n = a.shape[0]
    names = [f"x{i + 1}" for i in range(n)] if names is None else list(names)
    problems = _check_names(names, "criterion")
    if len(names) != n:
        problems.append(
            Problem("names", tr("analysis.weights_names_per_row", count=n), found=repr(names))
        )
    if method not in ("eigenvector", "geometric"):
        problems.append(
            Problem("method", tr("analysis.weights_expected_ahp_method"), found=repr(method))
        )
    ri = SAATY_RANDOM_INDEX.get(n) if random_index is None else float(random_index)
    if ri is None:
        problems.append(
            Problem(
                "random_index",
                tr("analysis.weights_no_random_index", n=n),
                hint=tr("analysis.weights_random_index_hint"),
            )
        )
    elif n >= 3 and not (math.isfinite(ri) and ri > 0):
        problems.append(
            Problem("random_index", tr("analysis.expected_positive_number"), found=f"{ri}")
        )
    if problems:
        raise SchemeError(problems)
    assert ri is not None

    lam = _principal_eigenvalue(a) if n > 2 else float(n)
    if method == "eigenvector":
        w = _principal_vector(a)
    else:
        w = np.exp(np.log(a).mean(axis=1))
        w = w / w.sum()
    ci = max((lam - n) / (n - 1), 0.0) if n > 2 else 0.0
    cr = ci / ri if n > 2 else 0.0
    if cr >= CONSISTENCY_LIMIT and not force:
        i, j = _furthest_judgment(a, w)
        raise SchemeError(
            Problem(
                tr("analysis.weights_pairwise"),
                tr("analysis.weights_expected_consistency", limit=f"{CONSISTENCY_LIMIT:g}"),
                found=f"CR = {cr:.3f} (λ_max = {lam:.4f}, CI = {ci:.4f}, RI = {ri:.2f})",
                hint=tr(
                    "analysis.weights_consistency_hint",
                    first=names[i],
                    second=names[j],
                    judged=_fraction(a[i, j]),
                    implied=f"{w[i] / w[j]:.3g}",
                ),
            )
        )
    return AHPWeights(
        weights=dict(zip(names, w.tolist(), strict=True)),
        lambda_max=lam,
        consistency_index=ci,
        random_index=ri,
        consistency_ratio=cr,
        method=method,
    )


def _fraction(x: float) -> str:
    """A judgment as it is usually written: 3, or 1/3."""
    if x >= 1 or x <= 0:
        return f"{x:.3g}"
    inverse = 1 / x
    return f"1/{round(inverse)}" if abs(inverse - round(inverse)) < 1e-9 else f"{x:.3g}"


def _cell(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(Fraction(value.strip())) if isinstance(value, str) else float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return number if math.isfinite(number) else None


def _pairwise(matrix: object, tolerance: float) -> FloatArray:
    """The matrix as floats, checked, with its lower triangle made the exact reciprocal of
    the upper."""
    rows = matrix.tolist() if isinstance(matrix, np.ndarray) else matrix
    if not isinstance(rows, Sequence) or isinstance(rows, str) or not rows:
        raise SchemeError(
            Problem(
                tr("analysis.weights_pairwise"),
                tr("analysis.weights_expected_square"),
                found=_kind(rows),
            )
        )
    n = len(rows)
    lengths = [len(r) if isinstance(r, Sequence) and not isinstance(r, str) else -1 for r in rows]
    if any(length != n for length in lengths):
        raise SchemeError(
            Problem(
                tr("analysis.weights_pairwise"),
                tr("analysis.weights_expected_square_n", n=n),
                found=tr("analysis.weights_row_lengths", lengths=[str(x) for x in lengths]),
            )
        )
    a = np.empty((n, n))
    problems = []
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            number = _cell(value)
            if number is None or number <= 0:
                problems.append(
                    Problem(
                        tr("analysis.weights_pairwise_cell", row=i + 1, column=j + 1),
                        tr("analysis.weights_expected_judgment"),
                        found=_kind(value),
                    )
                )
                number = 1.0
            a[i, j] = number
    if problems:
        raise SchemeError(problems)
    problems += [
        Problem(
            tr("analysis.weights_pairwise_cell", row=i + 1, column=i + 1),
            tr("analysis.weights_expected_diagonal"),
            found=f"{a[i, i]:g}",
        )
        for i in range(n)
        if abs(a[i, i] - 1) > tolerance
    ]
    for i, j in _upper(n):
        product = a[i, j] * a[j, i]
        if abs(product - 1) > tolerance:
            problems.append(
                Problem(
                    tr("analysis.weights_pairwise_cell", row=j + 1, column=i + 1),
                    tr(
                        "analysis.weights_expected_reciprocal",
                        row=i + 1,
                        column=j + 1,
                        judged=_fraction(a[i, j]),
                        reciprocal=f"{1 / a[i, j]:.4g}",
                        tolerance=f"{tolerance:g}",
                    ),
                    found=tr(
                        "analysis.weights_product", value=f"{a[j, i]:g}", product=f"{product:.4g}"
                    ),
                )
            )
    if problems:
        raise SchemeError(problems)
    upper = np.triu(a, 1)
    return np.asarray(upper + np.triu(1.0 / a, 1).T + np.eye(n), dtype=np.float64)


def _upper(n: int) -> Iterator[tuple[int, int]]:
    for i in range(n):
        for j in range(i + 1, n):
            yield i, j


def _principal_eigenvalue(a: FloatArray) -> float:
    values = np.linalg.eigvals(a)
    return float(values[np.argmax(values.real)].real)


def _principal_vector(a: FloatArray) -> FloatArray:
    """The Perron vector of a positive matrix, scaled to add up to 1."""
    values, vectors = np.linalg.eig(a)
    v = np.abs(vectors[:, int(np.argmax(values.real))].real)
    return np.asarray(v / v.sum(), dtype=np.float64)


# ---------------------------------------------------------------------------- equal


def equal_weights(names: Sequence[str]) -> dict[str, float]:
    """The same weight ``1 / n`` for each of ``n`` names.

    Raises
    ------
    SchemeError
        No names, an empty name, or a name used twice.

    Examples
    --------
    >>> equal_weights(["贫困人口", "贫困发生率", "重点村"])
    {'贫困人口': 0.3333333333333333, '贫困发生率': 0.3333333333333333, '重点村': 0.3333333333333333}
    """
    names = list(names)
    problems = _check_names(names, "factor")
    if not names:
        problems.append(
            Problem(
                "names",
                tr("analysis.weights_at_least_one_name"),
                found=tr("analysis.fairness_none"),
            )
        )
    if problems:
        raise SchemeError(problems)
    return dict.fromkeys(names, 1.0 / len(names))


# ---------------------------------------------------------------------------- schemes


def with_weights(
    scheme: Scheme, weights: Mapping[str, float], *, tranche: str | None = None
) -> Scheme:
    """The scheme with the weights of one tranche's factors replaced, by factor name.

    Parameters
    ----------
    scheme : Scheme
        The scheme to change (it is not modified: schemes are immutable).
    weights : mapping of str to float
        Factor name to its new weight, for every factor of the tranche (for example
        ``entropy_weights(...).weights`` or :func:`equal_weights`). They must add up to 1,
        unless the tranche has ``normalise_weights``.
    tranche : str, optional
        The path of the tranche, names joined by ``"/"`` (``"因素/人口"``); needed only when
        the scheme has more than one tranche with factors.

    Returns
    -------
    Scheme
        A validated copy; everything but the weights is the same.

    Raises
    ------
    SchemeError
        The tranche is not found or not given when needed, a factor has no weight or a
        weight names no factor, or the weights are invalid (negative, not adding up to 1).

    Examples
    --------
    >>> import fundalloc as fa
    >>> scheme = fa.Scheme(total=100, tranches=[fa.Tranche(name="因素", share=1, factors=[
    ...     fa.Factor(name="人口", rule=fa.Share(column="人口"), weight=0.5),
    ...     fa.Factor(name="面积", rule=fa.Share(column="面积"), weight=0.5)])])
    >>> new = with_weights(scheme, {"人口": 0.7, "面积": 0.3})
    >>> [f.weight for f in new.tranches[0].factors]
    [0.7, 0.3]
    >>> [f.weight for f in scheme.tranches[0].factors]
    [0.5, 0.5]
    """
    path, leaf, _ = _find_leaf(scheme.tranches, tranche)
    names = [f.name for f in leaf.factors]
    missing = [n for n in names if n not in weights]
    unknown = [n for n in weights if n not in names]
    problems = []
    if missing:
        problems.append(
            Problem(
                "/".join(path),
                tr("analysis.weights_every_factor"),
                found=tr("analysis.calibrate_none_for", regions=[repr(m) for m in missing]),
            )
        )
    if unknown:
        problems.append(
            Problem(
                "/".join(path),
                tr("analysis.weights_only_tranche_factors"),
                found=", ".join(map(repr, unknown)),
                hint=tr("analysis.weights_the_factors_are", names=[repr(n) for n in names]),
            )
        )
    if problems:
        raise SchemeError(problems)
    factors = tuple(f.replace(weight=float(weights[f.name])) for f in leaf.factors)
    return scheme.replace(tranches=_replaced(scheme.tranches, path, leaf.replace(factors=factors)))


def _replaced(
    tranches: tuple[Tranche, ...], path: tuple[str, ...], new: Tranche
) -> tuple[Tranche, ...]:
    head, rest = path[0], path[1:]
    return tuple(
        t
        if t.name != head
        else (new if not rest else t.replace(tranches=_replaced(t.tranches, rest, new)))
        for t in tranches
    )


def _find_leaf(
    tranches: Sequence[Tranche], tranche: str | None
) -> tuple[tuple[str, ...], Tranche, tuple[Condition, ...]]:
    """The tranche with factors at ``tranche`` (a "/"-joined path), or the only one.

    Returns its path, the tranche, and the eligibility conditions of it and its ancestors.
    """
    found: list[tuple[tuple[str, ...], Tranche, tuple[Condition, ...]]] = []

    def walk(
        ts: Sequence[Tranche], path: tuple[str, ...], conditions: tuple[Condition, ...]
    ) -> None:
        for t in ts:
            here, met = (*path, t.name), (*conditions, *t.eligibility)
            found.append((here, t, met))
            walk(t.tranches, here, met)

    walk(tranches, (), ())
    leaves = [item for item in found if item[1].factors]
    shown = [repr("/".join(p)) for p, _, _ in leaves]
    if tranche is None:
        if len(leaves) == 1:
            return leaves[0]
        raise SchemeError(
            Problem(
                "tranche",
                tr("analysis.weights_expected_tranche_path"),
                found=tr("analysis.weights_tranches_with_factors", count=len(leaves), names=shown),
                hint=tr("analysis.weights_pass_tranche"),
            )
        )
    wanted = tuple(tranche.split("/"))
    for item in found:
        if item[0] == wanted:
            if not item[1].factors:
                raise SchemeError(
                    Problem(
                        tranche,
                        tr("analysis.weights_expected_factor_tranche"),
                        found=tr(
                            "analysis.weights_quota_tranche"
                            if item[1].quota
                            else "analysis.weights_parent_tranche"
                        ),
                        hint=tr("analysis.weights_the_tranches_are", names=shown),
                    )
                )
            return item
    raise SchemeError(
        Problem(
            "tranche",
            tr("analysis.weights_no_such_tranche"),
            found=repr(tranche),
            hint=tr("analysis.weights_the_tranches_are", names=shown),
        )
    )
