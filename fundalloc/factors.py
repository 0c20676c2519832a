"""Factor rules: what turns indicators into non-negative scores.

A *rule* turns the region table into one non-negative score per region. Used as a
weighted factor (:class:`Factor`), the scores become shares ``score_i / Σ score``
over the regions that take part; used as a coefficient (:class:`Coefficient`), they
multiply the formula amounts, which are then rescaled so the tranche keeps its
amount (so only the *ratios* of a coefficient matter).

Statistics such as the mean in :class:`Inverse` or the z-scores in
:class:`Composite` are computed over the regions that take part (the eligible
ones), never over excluded regions.

The registry :data:`RULES` maps each rule's ``kind`` (its name in scheme files)
to its class.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Annotated, Literal, Protocol

import numpy as np
import numpy.typing as npt
from pydantic import Field, field_validator, model_validator

from fundalloc.errors import MAX_LISTED, DataError, Problem, not_listed
from fundalloc.spec import Spec, check_weights

__all__ = [
    "RULES",
    "Coefficient",
    "Composite",
    "Condition",
    "Factor",
    "Group",
    "Inverse",
    "Max",
    "Min",
    "Part",
    "Product",
    "Quota",
    "Ratio",
    "Rule",
    "Share",
    "Term",
    "Tiered",
]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


class Data(Protocol):
    """What a rule reads: the region table (see :class:`fundalloc.RegionTable`)."""

    @property
    def ids(self) -> tuple[str, ...]: ...

    def __len__(self) -> int: ...

    def numeric(self, column: str, *, nonnegative: bool = False) -> FloatArray: ...

    def text(self, column: str) -> tuple[str, ...]: ...

    def codes(self, column: str) -> tuple[npt.NDArray[np.intp], dict[str, int]]: ...

    def where(self, index: int, column: str) -> str: ...


#: A column requirement: (column, "number" | "nonnegative" | "text").
Need = tuple[str, str]


def _fail(
    data: Data,
    column: str,
    rows: npt.NDArray[np.intp],
    message: str,
    found: FloatArray | None = None,
) -> DataError:
    problems = [
        Problem(
            data.where(int(i), column), message, found=None if found is None else f"{found[i]:g}"
        )
        for i in rows[:MAX_LISTED]
    ]
    source = getattr(data, "source", None) or "data"
    return DataError(problems + not_listed(len(rows), f"{source}, column {column!r}"))


def nonnegative(data: Data, column: str, mask: BoolArray) -> FloatArray:
    """The column as numbers, required to be >= 0 only where ``mask`` holds.

    Regions that do not take part may hold anything numeric: a negative gap
    (标准支出 − 标准收入) is what excludes a region in the first place.
    """
    values = data.numeric(column)
    bad = np.flatnonzero(mask & (values < 0))
    if bad.size:
        raise _fail(data, column, bad, "expected a number >= 0", values)
    return values


def _mean(values: FloatArray, mask: BoolArray) -> float:
    return float(values[mask].mean()) if mask.any() else 0.0


class _RuleBase(Spec):
    """Common behaviour of rules (the public type is :data:`Rule`)."""

    def needs(self) -> Iterator[Need]:
        """The columns this rule reads and how."""
        raise NotImplementedError  # pragma: no cover - every rule overrides it

    def scores(self, data: Data, mask: BoolArray) -> FloatArray:
        """Non-negative scores; entries outside ``mask`` are ignored by callers."""
        raise NotImplementedError  # pragma: no cover

    def describe(self) -> str:
        """A short formula in words, for explanations and publication."""
        raise NotImplementedError  # pragma: no cover


class Share(_RuleBase):
    """The share of an indicator: ``x_i / Σ x``.

    Parameters
    ----------
    column : str
        A non-negative indicator (poor population, number of villages, area).

    Examples
    --------
    >>> from fundalloc import RegionTable
    >>> t = RegionTable.from_columns({"id": ["a", "b"], "poor": [30, 10]}, id="id")
    >>> Share(column="poor").scores(t, np.array([True, True]))
    array([30., 10.])
    """

    kind: Literal["share"] = Field("share", repr=False)
    column: str

    def needs(self) -> Iterator[Need]:
        yield self.column, "nonnegative"

    def scores(self, data: Data, mask: BoolArray) -> FloatArray:
        return nonnegative(data, self.column, mask)

    def describe(self) -> str:
        return self.column


class Ratio(_RuleBase):
    """The ratio of two indicators, such as poverty incidence = poor / rural population.

    ``0 / 0`` counts as 0 (a region with no rural population has no incidence); a
    positive numerator over a zero denominator is an error naming the row.

    Examples
    --------
    >>> from fundalloc import RegionTable
    >>> t = RegionTable.from_columns(
    ...     {"id": ["a", "b"], "poor": [5, 1], "rural": [100, 50]}, id="id")
    >>> Ratio(numerator="poor", denominator="rural").scores(t, np.array([True, True]))
    array([0.05, 0.02])
    """

    kind: Literal["ratio"] = Field("ratio", repr=False)
    numerator: str
    denominator: str

    def needs(self) -> Iterator[Need]:
        yield self.numerator, "nonnegative"
        yield self.denominator, "nonnegative"

    def scores(self, data: Data, mask: BoolArray) -> FloatArray:
        top = nonnegative(data, self.numerator, mask)
        bottom = nonnegative(data, self.denominator, mask)
        bad = np.flatnonzero(mask & (bottom == 0) & (top > 0))
        if bad.size:
            raise _fail(
                data,
                self.denominator,
                bad,
                f"expected a positive denominator for {self.numerator} / {self.denominator}",
                bottom,
            )
        out = np.zeros_like(top)
        np.divide(top, bottom, out=out, where=mask & (bottom > 0))
        return out

    def describe(self) -> str:
        return f"{self.numerator} / {self.denominator}"


class Inverse(_RuleBase):
    """An inverse indicator: lower values give more money.

    The score is ``reference / x_i`` where the reference is the mean (default),
    the largest or the smallest value over the regions taking part; every value
    must be positive. Used as a share, the reference does not matter; used as a
    coefficient, ``reference="mean"`` gives the usual "province mean ÷ local value".

    Examples
    --------
    >>> from fundalloc import RegionTable
    >>> t = RegionTable.from_columns({"id": ["a", "b"], "revenue": [1.0, 3.0]}, id="id")
    >>> Inverse(column="revenue").scores(t, np.array([True, True]))
    array([2.        , 0.66666667])
    """

    kind: Literal["inverse"] = Field("inverse", repr=False)
    column: str
    reference: Literal["mean", "max", "min"] = "mean"

    def needs(self) -> Iterator[Need]:
        yield self.column, "nonnegative"

    def scores(self, data: Data, mask: BoolArray) -> FloatArray:
        x = data.numeric(self.column)
        bad = np.flatnonzero(mask & (x <= 0))
        if bad.size:
            raise _fail(
                data, self.column, bad, "expected a positive value for an inverse indicator", x
            )
        ref = {
            "mean": _mean(x, mask),
            "max": float(x[mask].max(initial=0.0)),
            "min": float(x[mask].min(initial=np.inf)) if mask.any() else 0.0,
        }[self.reference]
        out = np.zeros_like(x)
        np.divide(ref, x, out=out, where=mask & (x > 0))
        return out

    def describe(self) -> str:
        return f"{self.reference}({self.column}) / {self.column}"


class Part(Spec):
    """One sub-indicator of a :class:`Composite` with its weight.

    ``inverse=True`` turns the sub-indicator around (lower is more need).
    """

    column: str
    weight: float
    inverse: bool = False


class Composite(_RuleBase):
    """A composite index of normalised sub-indicators with weights.

    Each column is normalised over the regions taking part, turned around if
    ``inverse``, and the weighted sum plus ``offset`` is the index:

    - ``"zscore"``: ``(x - mean) / std`` (population std; all equal gives 0);
      inverse: ``-z``;
    - ``"minmax"``: ``(x - min) / (max - min)`` (all equal gives 1); inverse: ``1 - m``;
    - ``"ratio_to_mean"``: ``x / mean``; inverse: ``mean / x``.

    Z-scores are negative for half the regions, so an index can be negative. The
    ``negative`` rule says what happens, never silently:

    - ``"error"`` (default): a negative index is a :class:`DataError` naming the regions;
    - ``"clip"``: negative values become 0 (those regions get nothing from this factor);
    - ``"shift"``: when the smallest value is negative, it is subtracted from all,
      so the lowest region scores 0 and the differences are kept.

    A common practice (财预〔2022〕58号's difficulty coefficient) is ``offset=1``
    with z-scores, keeping every region positive unless it is far below the mean.

    Examples
    --------
    >>> from fundalloc import RegionTable
    >>> t = RegionTable.from_columns({"id": list("abc"), "x": [1, 2, 3], "y": [3, 2, 1]}, id="id")
    >>> c = Composite(parts=[Part(column="x", weight=0.55), Part(column="y", weight=0.45)],
    ...               normalise="zscore", negative="shift")
    >>> c.scores(t, np.ones(3, bool)).round(4)
    array([0.    , 0.1225, 0.2449])
    """

    kind: Literal["composite"] = Field("composite", repr=False)
    parts: tuple[Part, ...] = Field(min_length=1)
    normalise: Literal["zscore", "minmax", "ratio_to_mean"] = "zscore"
    negative: Literal["error", "clip", "shift"] = "error"
    offset: float = 0.0
    normalise_weights: bool = False

    @model_validator(mode="after")
    def _weights(self) -> Composite:
        problems = check_weights(
            [p.weight for p in self.parts],
            [p.column for p in self.parts],
            normalise=self.normalise_weights,
        )
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def needs(self) -> Iterator[Need]:
        for part in self.parts:
            yield part.column, ("nonnegative" if self.normalise == "ratio_to_mean" else "number")

    def scores(self, data: Data, mask: BoolArray) -> FloatArray:
        total_weight = sum(p.weight for p in self.parts)
        index = np.full(len(data), float(self.offset))
        for part in self.parts:
            x = data.numeric(part.column)
            index += (part.weight / total_weight) * self._normalised(data, part, x, mask)
        negative = np.flatnonzero(mask & (index < 0))
        if negative.size:
            if self.negative == "error":
                ids = data.ids
                listed = ", ".join(f"{ids[i]} {index[i]:.4g}" for i in negative[:10])
                raise DataError(
                    Problem(
                        f"composite index of {', '.join(p.column for p in self.parts)}",
                        "expected a non-negative index",
                        found=listed,
                        hint='choose negative="clip" or negative="shift", or an offset',
                    )
                )
            shift = 0.0 if self.negative == "clip" else float(index[mask].min())
            index = np.maximum(index - shift, 0.0)
        return index

    def _normalised(self, data: Data, part: Part, x: FloatArray, mask: BoolArray) -> FloatArray:
        if not mask.any():
            return np.zeros_like(x)
        sub = x[mask]
        if self.normalise == "zscore":
            std = float(sub.std())
            z = (x - sub.mean()) / std if std > 0 else np.zeros_like(x)
            return -z if part.inverse else z
        if self.normalise == "minmax":
            lo, hi = float(sub.min()), float(sub.max())
            m = (x - lo) / (hi - lo) if hi > lo else np.ones_like(x)
            return 1 - m if part.inverse else m
        mean = float(sub.mean())
        if part.inverse:
            bad = np.flatnonzero(mask & (x <= 0))
            if bad.size:
                raise _fail(
                    data, part.column, bad, "expected a positive value for an inverse part", x
                )
            out = np.zeros_like(x)
            np.divide(mean, x, out=out, where=x > 0)
            return out
        return x / mean if mean > 0 else np.zeros_like(x)

    def describe(self) -> str:
        terms = " + ".join(
            f"{p.weight:g}·{'−' if p.inverse else ''}{self.normalise}({p.column})"
            for p in self.parts
        )
        return f"{self.offset:g} + {terms}" if self.offset else terms


class Term(Spec):
    """One term of a :class:`Product`: ``clip(offset + scale · x', lower, upper) ** exponent``.

    ``x'`` is the column, or with ``relative=True`` the column divided by its mean
    over the regions taking part (an income ratio).
    """

    column: str
    exponent: float = 1.0
    relative: bool = False
    scale: float = 1.0
    offset: float = 0.0
    lower: float | None = None
    upper: float | None = None

    @model_validator(mode="after")
    def _range(self) -> Term:
        if self.lower is not None and self.upper is not None and self.lower > self.upper:
            raise ValueError(f"lower ({self.lower:g}) is above upper ({self.upper:g})")
        return self

    def describe(self) -> str:
        x = f"{self.column}/mean" if self.relative else self.column
        if self.scale != 1 or self.offset:
            x = f"{self.offset:g} + {self.scale:g}·{x}"
        if self.lower is not None or self.upper is not None:
            x = (
                f"clip({x}, {self.lower if self.lower is not None else '-∞'}, "
                f"{self.upper if self.upper is not None else '∞'})"
            )
        return x if self.exponent == 1 else f"({x})^{self.exponent:g}"


class Product(_RuleBase):
    """A product of terms with exponents (IDA, Hill-Burton).

    IDA-style: ``rating^k × population × income^-0.125``::

        Product(terms=[Term(column="rating", exponent=5), Term(column="population"),
                       Term(column="gni", exponent=-0.125)])

    Hill-Burton-style: ``population × clamp(1 − 0.5 · income ratio, 1/3, 3/4)²``::

        Product(terms=[Term(column="population"),
                       Term(column="income", relative=True, scale=-0.5, offset=1,
                            lower=1/3, upper=3/4, exponent=2)])

    A term whose base is negative, or zero with a negative exponent, is an error
    naming the row.

    References
    ----------
    International Development Association, *IDA's Performance-Based Allocation System*.
    Hospital Survey and Construction Act (Hill-Burton), 1946, sec. 631.
    """

    kind: Literal["product"] = Field("product", repr=False)
    terms: tuple[Term, ...] = Field(min_length=1)

    def needs(self) -> Iterator[Need]:
        for term in self.terms:
            yield term.column, "number"

    def scores(self, data: Data, mask: BoolArray) -> FloatArray:
        out = np.ones(len(data))
        for term in self.terms:
            x = data.numeric(term.column)
            if term.relative:
                mean = _mean(x, mask)
                x = x / mean if mean != 0 else np.zeros_like(x)
            base = term.offset + term.scale * x
            if term.lower is not None or term.upper is not None:
                base = np.clip(base, term.lower, term.upper)
            bad = np.flatnonzero(mask & ((base < 0) | ((base == 0) & (term.exponent < 0))))
            if bad.size:
                raise _fail(
                    data, term.column, bad, f"expected a positive base for {term.describe()}", base
                )
            with np.errstate(divide="ignore"):
                out *= np.where(mask, base, 1.0) ** term.exponent
        return np.where(mask, out, 0.0)

    def describe(self) -> str:
        return " × ".join(t.describe() for t in self.terms)


class Tiered(_RuleBase):
    """Tiered coefficients from a text attribute: grade A/B/C gives 1.1/1.0/0.9.

    Examples
    --------
    >>> from fundalloc import RegionTable
    >>> t = RegionTable.from_columns({"id": ["a", "b"], "grade": ["A", "C"]}, id="id")
    >>> Tiered(column="grade", tiers={"A": 1.1, "B": 1.0, "C": 0.9}).scores(t, np.ones(2, bool))
    array([1.1, 0.9])
    """

    kind: Literal["tiered"] = Field("tiered", repr=False)
    column: str
    tiers: dict[str, float] = Field(min_length=1)
    default: float | None = None

    @field_validator("tiers")
    @classmethod
    def _nonnegative(cls, tiers: dict[str, float]) -> dict[str, float]:
        negative = [f"{k}={v:g}" for k, v in tiers.items() if v < 0]
        if negative:
            raise ValueError(f"tier values must be >= 0; found {', '.join(negative)}")
        return tiers

    def __hash__(self) -> int:
        return hash((self.column, tuple(self.tiers.items()), self.default))

    def needs(self) -> Iterator[Need]:
        yield self.column, "text"

    def scores(self, data: Data, mask: BoolArray) -> FloatArray:
        labels = data.text(self.column)
        out = np.empty(len(labels))
        problems = []
        for i, label in enumerate(labels):
            value = self.tiers.get(label, self.default)
            if value is None:
                if mask[i]:
                    problems.append(
                        Problem(
                            data.where(i, self.column),
                            f"expected one of {', '.join(map(repr, self.tiers))}",
                            found=repr(label),
                        )
                    )
                value = 0.0
            out[i] = value
        if problems:
            raise DataError(problems)
        return out

    def describe(self) -> str:
        return f"{self.column} ({', '.join(f'{k}→{v:g}' for k, v in self.tiers.items())})"


class Group(_RuleBase):
    """A factor group: its weight split among sub-factors.

    The score is ``Σ_j w_j · share_j`` (a share vector itself), so a group used
    as a :class:`Factor` with weight 0.3 hands 30% of the tranche to its
    sub-factors in the proportions of their weights.
    """

    kind: Literal["group"] = Field("group", repr=False)
    factors: tuple[Factor, ...] = Field(min_length=1)
    normalise_weights: bool = False

    @model_validator(mode="after")
    def _check(self) -> Group:
        _check_factors(self.factors, self.normalise_weights)
        return self

    def needs(self) -> Iterator[Need]:
        for factor in self.factors:
            yield from factor.rule.needs()

    def scores(self, data: Data, mask: BoolArray) -> FloatArray:
        return np.asarray(weighted_shares(self.factors, data, mask).sum(axis=0), dtype=np.float64)

    def describe(self) -> str:
        return " + ".join(f"{f.weight:g}·[{f.rule.describe()}]" for f in self.factors)


class _Extreme(_RuleBase):
    of: tuple[Rule, ...] = Field(min_length=2)

    def needs(self) -> Iterator[Need]:
        for rule in self.of:
            yield from rule.needs()

    def _shares(self, data: Data, mask: BoolArray) -> FloatArray:
        return np.stack(
            [
                shares_of(rule, data, mask, f"{type(self).__name__.lower()} formula {k + 1}")
                for k, rule in enumerate(self.of)
            ]
        )


class Max(_Extreme):
    """The larger of several formulas per region, then pro rata (US CDBG dual formula).

    Each formula is first turned into shares over the regions taking part; each
    region takes its largest share, and the result is rescaled to the total.

    References
    ----------
    Housing and Community Development Act of 1974, sec. 106 (CDBG formulas A and B).
    """

    kind: Literal["max"] = Field("max", repr=False)

    def scores(self, data: Data, mask: BoolArray) -> FloatArray:
        return np.asarray(self._shares(data, mask).max(axis=0), dtype=np.float64)

    def describe(self) -> str:
        return "max(" + ", ".join(r.describe() for r in self.of) + ")"


class Min(_Extreme):
    """The smaller of several formulas per region (as shares), then pro rata."""

    kind: Literal["min"] = Field("min", repr=False)

    def scores(self, data: Data, mask: BoolArray) -> FloatArray:
        return np.asarray(self._shares(data, mask).min(axis=0), dtype=np.float64)

    def describe(self) -> str:
        return "min(" + ", ".join(r.describe() for r in self.of) + ")"


Rule = Annotated[
    Share | Ratio | Inverse | Composite | Product | Tiered | Group | Max | Min,
    Field(discriminator="kind"),
]
"""Any factor rule; the ``kind`` field tells them apart in scheme files."""

#: Every rule by its ``kind``: the names a scheme file uses.
RULES: dict[str, type[_RuleBase]] = {
    "share": Share,
    "ratio": Ratio,
    "inverse": Inverse,
    "composite": Composite,
    "product": Product,
    "tiered": Tiered,
    "group": Group,
    "max": Max,
    "min": Min,
}


class Factor(Spec):
    """A named, weighted factor (分配因素) of a tranche or group.

    Examples
    --------
    >>> Factor(name="贫困人口", rule=Share(column="贫困人口"), weight=0.4)
    Factor(name='贫困人口', rule=Share(column='贫困人口'), weight=0.4)
    """

    name: str = Field(min_length=1)
    rule: Rule
    weight: float


class Coefficient(Spec):
    """A named coefficient (调节系数): its rule's scores multiply the formula amounts.

    The tranche is rescaled afterwards, so only the ratios between regions matter.

    Examples
    --------
    >>> Coefficient(name="绩效", rule=Tiered(column="等次", tiers={"A": 1.1, "B": 1.0}))
    Coefficient(name='绩效', rule=Tiered(column='等次', tiers={'A': 1.1, 'B': 1.0}))
    """

    name: str = Field(min_length=1)
    rule: Rule


class Quota(Spec):
    """A fixed quota per unit (定额): ``count_i × rate`` to each region.

    With ``rate=1`` and a column of last year's amounts, it is the base (基数) of a
    base + increment scheme.
    """

    column: str
    rate: float = Field(ge=0)

    def needs(self) -> Iterator[Need]:
        yield self.column, "nonnegative"


_OPS = {
    ">": np.greater,
    ">=": np.greater_equal,
    "<": np.less,
    "<=": np.less_equal,
    "==": np.equal,
    "!=": np.not_equal,
}


class Condition(Spec):
    """An eligibility condition on one column.

    Numbers compare numerically (``op`` one of ``> >= < <= == !=``); text values
    compare as text (``== != in``, with ``value`` a list for ``in`` / ``not in``).

    Examples
    --------
    >>> from fundalloc import RegionTable
    >>> t = RegionTable.from_columns({"id": ["a", "b"], "gap": [5, -2]}, id="id")
    >>> Condition(column="gap", op=">", value=0).test(t)
    array([ True, False])
    >>> Condition(column="gap", op=">", value=0).describe()
    'gap > 0'
    """

    column: str
    op: Literal[">", ">=", "<", "<=", "==", "!=", "in", "not in"]
    value: float | str | tuple[str, ...]

    @model_validator(mode="after")
    def _shape(self) -> Condition:
        if self.op in ("in", "not in") and not isinstance(self.value, tuple):
            raise ValueError(f"op {self.op!r} needs a list of values")
        if self.op in (">", ">=", "<", "<=") and not isinstance(self.value, float):
            raise ValueError(f"op {self.op!r} needs a number")
        return self

    @property
    def is_numeric(self) -> bool:
        return isinstance(self.value, float)

    def needs(self) -> Iterator[Need]:
        yield self.column, "number" if self.is_numeric else "text"

    def test(self, data: Data) -> BoolArray:
        """Which regions meet the condition."""
        if isinstance(self.value, float):
            return np.asarray(_OPS[self.op](data.numeric(self.column), self.value))
        codes, lookup = data.codes(self.column)
        if isinstance(self.value, tuple):
            inside = np.isin(codes, [lookup[v] for v in self.value if v in lookup])
            return inside if self.op == "in" else ~inside
        equal: BoolArray = codes == lookup.get(self.value, -1)
        return equal if self.op == "==" else ~equal

    def describe(self) -> str:
        value = self.value
        if isinstance(value, float):
            shown = f"{value:g}"
        elif isinstance(value, tuple):
            shown = "[" + ", ".join(value) + "]"
        else:
            shown = repr(value)
        return f"{self.column} {self.op} {shown}"


def _check_factors(factors: tuple[Factor, ...], normalise: bool) -> None:
    names = [f.name for f in factors]
    problems = [
        f"factor name {n!r} is used more than once"
        for n in sorted({n for n in names if names.count(n) > 1})
    ]
    problems += check_weights([f.weight for f in factors], names, normalise=normalise)
    if problems:
        raise ValueError("; ".join(problems))


def shares_of(rule: Rule, data: Data, mask: BoolArray, name: str) -> FloatArray:
    """The rule's scores as shares over the regions in ``mask`` (zero outside).

    ``name`` says where the rule is used (``tranche/factor``), for messages.

    Raises
    ------
    DataError
        If a score is not a finite number (an overflowing exponent), or no region in
        ``mask`` has a positive score, since shares are then undefined.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        scores = np.where(mask, rule.scores(data, mask), 0.0)
    bad = np.flatnonzero(~np.isfinite(scores))
    if bad.size:
        ids = data.ids
        raise DataError(
            Problem(
                f"factor {name!r}",
                "expected a finite score for every region",
                found=", ".join(f"{ids[i]} {scores[i]}" for i in bad[:10]),
                hint=f"check the formula {rule.describe()}",
            )
        )
    with np.errstate(over="ignore"):
        total = float(scores.sum())
    if total == np.inf:  # finite scores near the largest float: their sum overflows
        scores = np.ldexp(scores, -64)  # exact but for subnormal parts, far below any share
        total = float(scores.sum())
    if not (np.isfinite(total) and total > 0):
        found = f"all scores are 0 ({rule.describe()})" if total == 0 else f"a total of {total}"
        raise DataError(
            Problem(
                f"factor {name!r}",
                "expected a positive score for at least one region taking part",
                found=found,
            )
        )
    return scores / total


def weighted_shares(
    factors: tuple[Factor, ...], data: Data, mask: BoolArray, where: str = ""
) -> FloatArray:
    """Each factor's shares times its normalised weight, one row per factor.

    ``where`` is the path of the tranche or group, for messages.
    """
    weights = normalised_weights(factors)
    rows = np.stack(
        [
            w * shares_of(f.rule, data, mask, f"{where}/{f.name}" if where else f.name)
            for f, w in zip(factors, weights, strict=True)
        ]
    )
    return rows


def normalised_weights(factors: Sequence[Factor]) -> FloatArray:
    """The factors' weights divided by their sum (they add to 1 already unless the scheme
    asked to normalise)."""
    weights = np.array([f.weight for f in factors], dtype=np.float64)
    return np.asarray(weights / weights.sum(), dtype=np.float64)


for _model in (Group, Max, Min, Factor, Coefficient):
    _model.model_rebuild()
