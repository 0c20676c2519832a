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
from typing import Annotated, Literal

import numpy as np
from pydantic import Field, field_validator, model_validator

# conditions and data access live in modules of their own (bounds and constraints read
# them without importing the factor rules); their names stay importable from here
from fundalloc.conditions import Condition
from fundalloc.data import Data as Data
from fundalloc.data import Need as Need
from fundalloc.data import fail, mean_over
from fundalloc.data import nonnegative as nonnegative
from fundalloc.errors import DataError, Problem
from fundalloc.i18n import Message, tr
from fundalloc.spec import Spec, SpecProblems, check_weights
from fundalloc.types import BoolArray as BoolArray
from fundalloc.types import FloatArray as FloatArray
from fundalloc.types import (
    Items,
    Lang,
    Negative,
    Normalise,
    Reference,
    RuleKind,
)

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

_fail = fail  # the old private name, kept for code that imported it
_mean = mean_over


class _RuleBase(Spec):
    """Common behaviour of rules (the public type is :data:`Rule`)."""

    def needs(self) -> Iterator[Need]:
        """The columns this rule reads and how."""
        raise NotImplementedError  # pragma: no cover - every rule overrides it

    def scores(self, data: Data, mask: BoolArray) -> FloatArray:
        """Non-negative scores; entries outside ``mask`` are ignored by callers."""
        raise NotImplementedError  # pragma: no cover

    def describe(self, lang: Lang | None = None) -> str:
        """A short formula in words, in ``lang`` (default: the current language), for
        explanations and publication."""
        return self.description().render(lang)

    def description(self) -> Message:
        """The formula in words, as a message rendered when it is shown."""
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

    kind: Literal["share"] = Field(default="share", repr=False)
    column: str

    def needs(self) -> Iterator[Need]:
        yield self.column, "nonnegative"

    def scores(self, data: Data, mask: BoolArray) -> FloatArray:
        return nonnegative(data, self.column, mask)

    def description(self) -> Message:
        return tr("scheme.rule.column", column=self.column)


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

    kind: Literal["ratio"] = Field(default="ratio", repr=False)
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
                tr(
                    "scheme.rule.positive_denominator",
                    numerator=self.numerator,
                    denominator=self.denominator,
                ),
                bottom,
            )
        out = np.zeros_like(top)
        np.divide(top, bottom, out=out, where=mask & (bottom > 0))
        return out

    def description(self) -> Message:
        return tr("scheme.rule.ratio", numerator=self.numerator, denominator=self.denominator)


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

    kind: Literal["inverse"] = Field(default="inverse", repr=False)
    column: str
    reference: Reference = "mean"

    def needs(self) -> Iterator[Need]:
        yield self.column, "nonnegative"

    def scores(self, data: Data, mask: BoolArray) -> FloatArray:
        x = data.numeric(self.column)
        bad = np.flatnonzero(mask & (x <= 0))
        if bad.size:
            raise fail(data, self.column, bad, tr("scheme.rule.positive_inverse"), x)
        ref = {
            "mean": _mean(x, mask),
            "max": float(x[mask].max(initial=0.0)),
            "min": float(x[mask].min(initial=np.inf)) if mask.any() else 0.0,
        }[self.reference]
        out = np.zeros_like(x)
        np.divide(ref, x, out=out, where=mask & (x > 0))
        return out

    def description(self) -> Message:
        return tr(
            "scheme.rule.inverse", reference=tr(_REFERENCES[self.reference]), column=self.column
        )


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

    kind: Literal["composite"] = Field(default="composite", repr=False)
    parts: Items[Part] = Field(min_length=1)
    normalise: Normalise = "zscore"
    negative: Negative = "error"
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
            raise SpecProblems(problems)
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
                        tr("scheme.place.composite", columns=[p.column for p in self.parts]),
                        tr("scheme.rule.nonnegative_index"),
                        found=listed,
                        hint=tr("scheme.rule.nonnegative_index_hint"),
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
                raise fail(data, part.column, bad, tr("scheme.rule.positive_inverse_part"), x)
            out = np.zeros_like(x)
            np.divide(mean, x, out=out, where=x > 0)
            return out
        return x / mean if mean > 0 else np.zeros_like(x)

    def description(self) -> Message:
        terms = [
            tr(
                "scheme.rule.composite_term",
                weight=f"{p.weight:g}",
                sign="−" if p.inverse else "",
                normalise=tr(_NORMALISATIONS[self.normalise]),
                column=p.column,
            )
            for p in self.parts
        ]
        if self.offset:
            return tr("scheme.rule.plus", left=f"{self.offset:g}", right=_joined(terms, "+"))
        return _joined(terms, "+")


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
            raise ValueError(
                tr(
                    "scheme.rule.lower_above_upper",
                    lower=f"{self.lower:g}",
                    upper=f"{self.upper:g}",
                )
            )
        return self

    def describe(self, lang: Lang | None = None) -> str:
        """The term in words, in ``lang`` (default: the current language)."""
        return self.description().render(lang)

    def description(self) -> Message:
        """The term as a message rendered when it is shown."""
        x: Message | str = (
            tr("scheme.rule.relative", column=self.column) if self.relative else self.column
        )
        if self.scale != 1 or self.offset:
            x = tr("scheme.rule.affine", offset=f"{self.offset:g}", scale=f"{self.scale:g}", x=x)
        if self.lower is not None or self.upper is not None:
            x = tr(
                "scheme.rule.clip",
                x=x,
                lower=f"{self.lower:g}" if self.lower is not None else "-∞",
                upper=f"{self.upper:g}" if self.upper is not None else "∞",
            )
        if self.exponent == 1:
            return x if isinstance(x, Message) else tr("scheme.rule.column", column=x)
        return tr("scheme.rule.power", x=x, exponent=f"{self.exponent:g}")


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

    kind: Literal["product"] = Field(default="product", repr=False)
    terms: Items[Term] = Field(min_length=1)

    def needs(self) -> Iterator[Need]:
        for term in self.terms:
            yield term.column, "number"

    def scores(self, data: Data, mask: BoolArray) -> FloatArray:
        out = np.ones(len(data))
        for term in self.terms:
            x = data.numeric(term.column)
            if term.relative:
                mean = mean_over(x, mask)
                x = x / mean if mean != 0 else np.zeros_like(x)
            base = term.offset + term.scale * x
            if term.lower is not None or term.upper is not None:
                base = np.clip(base, term.lower, term.upper)
            bad = np.flatnonzero(mask & ((base < 0) | ((base == 0) & (term.exponent < 0))))
            if bad.size:
                raise fail(
                    data,
                    term.column,
                    bad,
                    tr("scheme.rule.positive_base", term=term.description()),
                    base,
                )
            with np.errstate(divide="ignore"):
                out *= np.where(mask, base, 1.0) ** term.exponent
        return np.where(mask, out, 0.0)

    def description(self) -> Message:
        return _joined([t.description() for t in self.terms], "×")


class Tiered(_RuleBase):
    """Tiered coefficients from a text attribute: grade A/B/C gives 1.1/1.0/0.9.

    Examples
    --------
    >>> from fundalloc import RegionTable
    >>> t = RegionTable.from_columns({"id": ["a", "b"], "grade": ["A", "C"]}, id="id")
    >>> Tiered(column="grade", tiers={"A": 1.1, "B": 1.0, "C": 0.9}).scores(t, np.ones(2, bool))
    array([1.1, 0.9])
    """

    kind: Literal["tiered"] = Field(default="tiered", repr=False)
    column: str
    tiers: dict[str, float] = Field(min_length=1)
    default: float | None = None

    @field_validator("tiers")
    @classmethod
    def _nonnegative(cls, tiers: dict[str, float]) -> dict[str, float]:
        negative = [f"{k}={v:g}" for k, v in tiers.items() if v < 0]
        if negative:
            raise ValueError(tr("scheme.rule.negative_tiers", tiers=negative))
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
                            tr("scheme.expected.one_of", values=[repr(t) for t in self.tiers]),
                            found=repr(label),
                        )
                    )
                value = 0.0
            out[i] = value
        if problems:
            raise DataError(problems)
        return out

    def description(self) -> Message:
        tiers = [f"{k}→{v:g}" for k, v in self.tiers.items()]
        return tr("scheme.rule.tiered", column=self.column, tiers=tiers)


class Group(_RuleBase):
    """A factor group: its weight split among sub-factors.

    The score is ``Σ_j w_j · share_j`` (a share vector itself), so a group used
    as a :class:`Factor` with weight 0.3 hands 30% of the tranche to its
    sub-factors in the proportions of their weights.
    """

    kind: Literal["group"] = Field(default="group", repr=False)
    factors: Items[Factor] = Field(min_length=1)
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

    def description(self) -> Message:
        terms = [
            tr("scheme.rule.group_term", weight=f"{f.weight:g}", rule=f.rule.description())
            for f in self.factors
        ]
        return _joined(terms, "+")


class _Extreme(_RuleBase):
    of: Items[Rule] = Field(min_length=2)

    def needs(self) -> Iterator[Need]:
        for rule in self.of:
            yield from rule.needs()

    def _shares(self, data: Data, mask: BoolArray) -> FloatArray:
        return np.stack(
            [
                shares_of(
                    rule,
                    data,
                    mask,
                    tr("scheme.place.formula", rule=type(self).__name__.lower(), number=k + 1),
                )
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

    kind: Literal["max"] = Field(default="max", repr=False)

    def scores(self, data: Data, mask: BoolArray) -> FloatArray:
        return np.asarray(self._shares(data, mask).max(axis=0), dtype=np.float64)

    def description(self) -> Message:
        return tr("scheme.rule.max", rules=[r.description() for r in self.of])


class Min(_Extreme):
    """The smaller of several formulas per region (as shares), then pro rata."""

    kind: Literal["min"] = Field(default="min", repr=False)

    def scores(self, data: Data, mask: BoolArray) -> FloatArray:
        return np.asarray(self._shares(data, mask).min(axis=0), dtype=np.float64)

    def description(self) -> Message:
        return tr("scheme.rule.min", rules=[r.description() for r in self.of])


Rule = Annotated[
    Share | Ratio | Inverse | Composite | Product | Tiered | Group | Max | Min,
    Field(discriminator="kind"),
]
"""Any factor rule; the ``kind`` field tells them apart in scheme files."""

#: Every rule by its ``kind``: the names a scheme file uses.
RULES: dict[RuleKind, type[_RuleBase]] = {
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


def _check_factors(factors: tuple[Factor, ...], normalise: bool) -> None:
    names = [f.name for f in factors]
    problems = [
        tr("scheme.factor.duplicate", name=n)
        for n in sorted({n for n in names if names.count(n) > 1})
    ]
    problems += check_weights([f.weight for f in factors], names, normalise=normalise)
    if problems:
        raise SpecProblems(problems)


def shares_of(rule: Rule, data: Data, mask: BoolArray, name: str | Message) -> FloatArray:
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
                tr("scheme.place.factor", name=name),
                tr("scheme.rule.finite_scores"),
                found=", ".join(f"{ids[i]} {scores[i]}" for i in bad[:10]),
                hint=tr("scheme.rule.check_formula", rule=rule.description()),
            )
        )
    with np.errstate(over="ignore"):
        total = float(scores.sum())
    if total == np.inf:  # finite scores near the largest float: their sum overflows
        scores = np.ldexp(scores, -64)  # exact but for subnormal parts, far below any share
        total = float(scores.sum())
    if not (np.isfinite(total) and total > 0):
        found = (
            tr("scheme.rule.all_zero", rule=rule.description())
            if total == 0
            else tr("scheme.rule.total_of", total=f"{total}")
        )
        raise DataError(
            Problem(
                tr("scheme.place.factor", name=name), tr("scheme.rule.positive_score"), found=found
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


def _joined(terms: Sequence[Message], operator: Literal["+", "×"]) -> Message:
    """Terms joined by ``+`` or ``×`` (a list parameter would be joined by 、 in Chinese)."""
    out = terms[0]
    for term in terms[1:]:
        out = tr(
            "scheme.rule.plus" if operator == "+" else "scheme.rule.times", left=out, right=term
        )
    return out


_REFERENCES = {
    "mean": "scheme.rule.reference_mean",
    "max": "scheme.rule.reference_max",
    "min": "scheme.rule.reference_min",
}
_NORMALISATIONS = {
    "zscore": "scheme.rule.zscore",
    "minmax": "scheme.rule.minmax",
    "ratio_to_mean": "scheme.rule.ratio_to_mean",
}

for _model in (Group, Max, Min, Factor, Coefficient):
    _model.model_rebuild()
