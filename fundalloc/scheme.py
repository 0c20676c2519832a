"""The scheme: total, unit and step, a tree of tranches, eligibility, bounds, rounding.

A :class:`Scheme` is an immutable value: equal schemes compare equal, ``repr`` is
readable, :meth:`~fundalloc.spec.Spec.replace` returns a changed copy. Invalid
settings raise :class:`~fundalloc.errors.SchemeError` listing every problem.

How a parent's amount is split among its tranches (切块)
--------------------------------------------------------
Each tranche takes either

- ``amount``: a fixed amount (12亿 + 5亿);
- ``quota``: a fixed quota per unit of an indicator (定额: 3000万 per border
  county), or with ``rate=1`` on last year's amounts, the base (基数) of a
  base + increment scheme; each region gets exactly ``count × rate``;
- ``share``: a fraction of what the fixed and quota tranches leave (80% by task
  volume + 20% performance reward). Shares of siblings add up to 1.

A tranche with a share or an amount is split among the regions by its
``factors`` (weighted shares, adjusted by its ``coefficients``), or further
into sub-tranches. The amounts of a tranche's regions are its *formula targets*;
the targets of all tranches add up per region, and the scheme's bounds then act
on that sum (:mod:`fundalloc.bounds`).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Self

from pydantic import Field, Strict, field_validator, model_validator

from fundalloc.bounds import Bound
from fundalloc.conditions import Condition
from fundalloc.constraints import Constraint
from fundalloc.data import Need
from fundalloc.errors import SchemeError
from fundalloc.expressions import Expression
from fundalloc.factors import Coefficient, Factor, Quota, _check_factors
from fundalloc.i18n import Message, text, tr
from fundalloc.money import format_amount, units_of
from fundalloc.spec import WEIGHT_TOLERANCE, Spec, SpecProblems
from fundalloc.types import (
    EMPTY,
    NONE,
    Amount,
    CanonicalMethod,
    Coerced,
    Items,
    OptionalAmount,
    RoundingMethod,
    canonical_rounding,
    given,
)

if TYPE_CHECKING:
    from fundalloc.table import RegionTable

__all__ = ["Scheme", "Tranche"]

#: Derived columns: given as a mapping (or pairs), kept as ordered (name, expression) pairs.
Derived = Coerced[tuple[tuple[str, str], ...], Mapping[str, str] | Sequence[tuple[str, str]]]


def _problem_message(problem: object) -> Message | str:
    """A problem of an expression as one message (its place and its text)."""
    from fundalloc.errors import Problem

    if not isinstance(problem, Problem):
        return str(problem)
    message = problem.message
    if problem.where:
        message = tr("common.problem", where=problem.where, message=message)
    if problem.found is not None:
        message = tr("common.found", text=message, found=problem.found)
    if problem.hint:
        message = tr("common.hint", text=message, hint=problem.hint)
    return message


class Tranche(Spec):
    """A block of money (切块) and how it is split.

    Parameters
    ----------
    name : str
        Unique among its siblings; shown in the breakdown.
    share, amount, quota : float, Decimal or Quota
        Exactly one: a fraction of the parent's remainder, a fixed amount in the
        scheme's unit, or a per-unit quota.
    factors : sequence of Factor
        The weighted factors; the weights add up to 1 unless ``normalise_weights``.
    coefficients : sequence of Coefficient
        Multipliers applied to the factor amounts, then rescaled to the tranche.
    eligibility : sequence of Condition
        Only regions meeting all conditions take part in this tranche.
    tranches : sequence of Tranche
        Sub-tranches, instead of factors.

    Examples
    --------
    >>> from fundalloc.factors import Share
    >>> Tranche(name="因素", share=1.0,
    ...         factors=[Factor(name="人口", rule=Share(column="人口"), weight=1)])
    Tranche(name='因素', share=1.0,
            factors=(Factor(name='人口', rule=Share(column='人口'), weight=1.0),))
    """

    name: str = Field(min_length=1)
    share: float | None = Field(default=None, gt=0, le=1)
    amount: OptionalAmount = Field(default=NONE, ge=0)
    quota: Quota | None = None
    factors: Items[Factor] = Field(default=EMPTY)
    coefficients: Items[Coefficient] = Field(default=EMPTY)
    eligibility: Items[Condition] = Field(default=EMPTY)
    tranches: Items[Tranche] = Field(default=EMPTY)
    normalise_weights: bool = False

    @model_validator(mode="after")
    def _check(self) -> Self:
        problems: list[Message] = []
        given = [k for k in ("share", "amount", "quota") if getattr(self, k) is not None]
        if len(given) != 1:
            problems.append(tr("scheme.tranche.one_size", given=_given(given)))
        ways = [k for k in ("quota", "factors", "tranches") if getattr(self, k)]
        if len(ways) != 1:
            problems.append(tr("scheme.tranche.one_way", given=_given(ways)))
        if self.quota is not None and (self.coefficients or self.eligibility):
            problems.append(tr("scheme.tranche.quota_alone"))
        if self.factors:
            try:
                _check_factors(self.factors, self.normalise_weights)
            except SpecProblems as exc:
                problems += [m for m in exc.messages if isinstance(m, Message)]
        names = [c.name for c in self.coefficients]
        problems += [
            tr("scheme.tranche.duplicate_coefficient", name=n)
            for n in sorted({n for n in names if names.count(n) > 1})
        ]
        problems += _check_siblings(self.tranches)
        if problems:
            raise SpecProblems(problems)
        return self

    def walk(self, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Tranche]]:
        """This tranche and all below it, with their name paths."""
        here = (*path, self.name)
        yield here, self
        for child in self.tranches:
            yield from child.walk(here)

    def needs(self) -> Iterator[Need]:
        if self.quota is not None:
            yield from self.quota.needs()
        for factor in self.factors:
            yield from factor.rule.needs()
        for coefficient in self.coefficients:
            yield from coefficient.rule.needs()
        for condition in self.eligibility:
            yield from condition.needs()
        for child in self.tranches:
            yield from child.needs()


def _given(keys: Sequence[str]) -> Message | list[str]:
    """The keys given, for a message: listed, or the word for none."""
    return list(keys) if keys else tr("scheme.tranche.none")


def _check_siblings(tranches: tuple[Tranche, ...]) -> list[Message]:
    names = [t.name for t in tranches]
    problems = [
        tr("scheme.tranche.duplicate", name=n)
        for n in sorted({n for n in names if names.count(n) > 1})
    ]
    shares = [t.share for t in tranches if t.share is not None]
    if shares and abs(sum(shares) - 1) > WEIGHT_TOLERANCE:
        terms = " + ".join(f"{t.name} {t.share:g}" for t in tranches if t.share is not None)
        problems.append(tr("scheme.tranche.shares", total=f"{sum(shares):.10g}", terms=terms))
    return problems


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class Scheme(Spec):
    """A factor-method allocation scheme (分配方案).

    Parameters
    ----------
    total : Decimal
        The money to allocate, in ``unit``; a whole multiple of ``step``.
    unit : str, default "万元"
        The money unit, for labels.
    step : Decimal, default 1
        The rounding step in ``unit`` (1 for whole 万元, 0.01, ...).
    tranches : sequence of Tranche
        The top-level split of the total.
    eligibility : sequence of Condition
        Only regions meeting all conditions take part; the others get zero.
    bounds : sequence of Floor, Cap, HoldHarmless, GrowthCap
        Per-region limits on the summed amount (see :mod:`fundalloc.bounds`).
    constraints : sequence of GroupFloor, GroupCap, GroupRatio
        Limits on what a group of regions gets together (see :mod:`fundalloc.constraints`).
    rounding : str, default "largest_remainder"
        See :mod:`fundalloc.rounding`.
    derived : mapping of str to str
        Columns computed from safe expressions before anything else, in order (a later
        one may use an earlier one), e.g. ``{"缺口": "max(标准支出 - 标准收入, 0)"}``; see
        :mod:`fundalloc.expressions`.
    name, document : str
        The fund's name and the source document number (文号), for publication.
    issuer : str
        The issuing office (发文单位), shown on the publication page.
    date : datetime.date, optional
        The date of the notice (a TOML date, ``date = 2026-12-03``, or ``"2026-12-03"`` in
        a JSON scheme file); the page shows no date without it (none is made up).
    period : str
        The public notice period (公示期), as the page should show it (``"2026年12月3日至
        12月9日"``).
    contact : str
        Who to contact about the allocation (a phone number, an address).

    Examples
    --------
    >>> from fundalloc.factors import Share
    >>> scheme = Scheme(total=100, tranches=[Tranche(name="因素", share=1, factors=[
    ...     Factor(name="人口", rule=Share(column="人口"), weight=1)])])
    >>> scheme.total, scheme.step, scheme.unit
    (Decimal('100'), Decimal('1'), '万元')
    >>> scheme == scheme.replace(total=100)
    True
    """

    name: str = ""
    document: str = ""
    #: The issuing office (发文单位), for the publication page.
    issuer: str = ""
    #: The date of the notice, for the publication page.
    date: Annotated[datetime.date, Strict()] | None = None
    #: The public notice period (公示期), for the publication page.
    period: str = ""
    #: A contact for questions (phone, address), for the publication page.
    contact: str = ""
    derived: Derived = Field(default=EMPTY)
    total: Amount = Field(gt=0)
    unit: str = "万元"
    step: Amount = Field(default=given(Decimal(1)), gt=0)
    tranches: Items[Tranche] = Field(min_length=1)
    eligibility: Items[Condition] = Field(default=EMPTY)
    bounds: Items[Bound] = Field(default=EMPTY)
    constraints: Items[Constraint] = Field(default=EMPTY)
    rounding: RoundingMethod = "largest_remainder"

    @field_validator("date", mode="before")
    @classmethod
    def _iso_date(cls, value: object) -> object:
        """A date written as text (a JSON scheme file has no dates) in ISO form only,
        ``YYYY-MM-DD``; anything else is left for the strict date check to refuse (a
        number is not taken for a timestamp, nor a time of day dropped)."""
        if isinstance(value, str) and _ISO_DATE.fullmatch(value):
            try:
                return datetime.date.fromisoformat(value)
            except ValueError:
                return value
        return value

    @field_validator("derived", mode="before")
    @classmethod
    def _derived_pairs(cls, value: object) -> object:
        return tuple(value.items()) if isinstance(value, Mapping) else value

    @field_validator("derived")
    @classmethod
    def _parse_expressions(cls, pairs: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
        problems: list[Message] = []
        names = [name for name, _ in pairs]
        problems += [
            tr("scheme.derived.duplicate", name=n)
            for n in sorted({n for n in names if names.count(n) > 1})
        ]
        for name, expression in pairs:
            if not name.strip():
                problems.append(tr("scheme.derived.no_name"))
            try:
                Expression.parse(expression)
            except SchemeError as exc:
                problems += [
                    tr("scheme.derived.problem", name=name, problem=_problem_message(p))
                    for p in exc.problems
                ]
        if problems:
            raise SpecProblems(problems)
        return pairs

    @property
    def expressions(self) -> dict[str, Expression]:
        """The derived columns as parsed expressions, in order."""
        return {name: Expression.parse(text) for name, text in self.derived}

    def derive(self, table: RegionTable) -> RegionTable:
        """The table with the derived columns added (the table itself when there are none)."""
        for name, expression in self.expressions.items():
            table = table.with_column(name, expression.evaluate(table))
        return table

    @model_validator(mode="after")
    def _check(self) -> Self:
        problems = _check_siblings(self.tranches)
        units = units_of(self.total, self.step)
        if units is not None and units >= 2**62:
            problems.append(
                tr("scheme.total.too_many_steps", units=units, step=format_amount(self.step))
            )
        if units is None:
            problems.append(
                tr(
                    "scheme.total.not_multiple",
                    total=format_amount(self.total),
                    step=format_amount(self.step),
                )
            )
        fixed = sum((t.amount for t in self.tranches if t.amount is not None), Decimal(0))
        if fixed > self.total:
            problems.append(
                tr(
                    "scheme.total.fixed_above",
                    fixed=format_amount(fixed),
                    total=format_amount(self.total),
                    unit=self.unit,
                )
            )
        if problems:
            raise SpecProblems(problems)
        return self

    @property
    def total_units(self) -> int:
        """The total as a whole number of steps."""
        units = units_of(self.total, self.step)
        assert units is not None  # checked on construction
        return units

    @property
    def method(self) -> CanonicalMethod:
        """The canonical name of the rounding method (``dhondt`` is ``jefferson``)."""
        return canonical_rounding(self.rounding)

    def needs(self) -> Iterator[Need]:
        """Every column the scheme reads and how (number, nonnegative, text), derived
        columns included."""
        for tranche in self.tranches:
            yield from tranche.needs()
        for condition in self.eligibility:
            yield from condition.needs()
        for bound in self.bounds:
            yield from bound.needs()
        for constraint in self.constraints:
            yield from constraint.needs()

    def walk(self) -> Iterator[tuple[tuple[str, ...], Tranche]]:
        """Every tranche with its name path, depth first."""
        for tranche in self.tranches:
            yield from tranche.walk()

    def _repr_html_(self) -> str:
        """The scheme as HTML, for Jupyter: total, unit and rounding; derived columns and
        eligibility; the tranche tree with each tranche's share and amount (when it follows
        from the scheme alone), its factors with their weights (as used, normalised) and
        rules, its coefficients, quota and conditions; then the bounds and constraints.
        Every name is HTML-escaped."""
        from html import escape

        from fundalloc.factors import normalised_weights

        unit = self.unit
        title = self.name or text("scheme.html.title")
        if self.document:
            title = text("scheme.html.title_document", title=title, document=self.document)
        facts = [
            text(
                "scheme.html.total",
                total=format_amount(self.total),
                step=format_amount(self.step),
                unit=unit,
                method=self.method,
            )
        ]
        facts += [
            text("scheme.html.derived", name=name, expression=expression)
            for name, expression in self.derived
        ]
        facts += [
            text("scheme.html.eligibility", condition=c.description()) for c in self.eligibility
        ]

        def row(depth: int, cells: list[str], bold: bool = False) -> str:
            first, *rest = (escape(c) for c in cells)
            if bold:
                first = f"<b>{first}</b>"
            return (
                f"<tr><td style='text-align:left;padding-left:{0.5 + 1.5 * depth}em'>{first}</td>"
                + "".join(f"<td style='text-align:left'>{c}</td>" for c in rest)
                + "</tr>"
            )

        sizes = _tranche_amounts(self.tranches, self.total)
        rows = []
        for path, tranche in self.walk():
            depth = len(path) - 1
            size = sizes.get(path)
            if tranche.share is not None:
                shown = f"{format_amount(tranche.share * 100, 4)}%"
                if size is not None:
                    shown = text(
                        "scheme.html.share_amount",
                        share=shown,
                        amount=format_amount(size),
                        unit=unit,
                    )
            elif tranche.amount is not None:
                shown = f"{format_amount(tranche.amount)} {unit}"
            else:
                shown = text("scheme.html.quota")
            rows.append(row(depth, [tranche.name, shown, "", ""], bold=True))
            if tranche.quota is not None:
                quota = tranche.quota
                rule = f"{quota.column} × {quota.rate:g} {unit}"
                rows.append(row(depth + 1, [text("scheme.html.quota"), "", "", rule]))
            if tranche.factors:
                weights = normalised_weights(tranche.factors)
                for factor, weight in zip(tranche.factors, weights, strict=True):
                    rows.append(
                        row(
                            depth + 1,
                            [
                                factor.name,
                                "",
                                f"{format_amount(float(weight) * 100, 4)}%",
                                factor.rule.describe(),
                            ],
                        )
                    )
            for coefficient in tranche.coefficients:
                rows.append(
                    row(depth + 1, [f"× {coefficient.name}", "", "", coefficient.rule.describe()])
                )
            for condition in tranche.eligibility:
                rows.append(
                    row(depth + 1, [text("scheme.html.condition"), "", "", condition.describe()])
                )
        header = "".join(
            f"<th style='text-align:left'>{h}</th>"
            for h in (
                text("scheme.html.tranche_factor"),
                text("scheme.html.share"),
                text("scheme.html.weight"),
                text("scheme.html.rule"),
            )
        )
        limits = [
            (
                text(
                    "scheme.html.floor"
                    if b.kind in ("floor", "hold_harmless")
                    else "scheme.html.cap"
                ),
                str(b.label(unit)),
            )
            for b in self.bounds
        ]
        limits += [(text("scheme.html.constraint"), str(c.label(unit))) for c in self.constraints]
        html = [
            "<div class='fundalloc-scheme'>",
            f"<p><b>{escape(title)}</b></p>",
            "<ul>" + "".join(f"<li>{escape(f)}</li>" for f in facts) + "</ul>",
            f"<table><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table>",
        ]
        lines = [text("scheme.html.limit", kind=kind, limit=limit) for kind, limit in limits]
        if limits:
            html.append("<ul>" + "".join(f"<li>{escape(line)}</li>" for line in lines) + "</ul>")
        html.append("</div>")
        return "\n".join(html)


def _tranche_amounts(
    tranches: tuple[Tranche, ...], amount: Decimal | None, path: tuple[str, ...] = ()
) -> dict[tuple[str, ...], Decimal]:
    """The amount of each tranche that follows from the scheme alone: a fixed amount, or a
    share of what the fixed siblings leave when no sibling is a quota (which needs data)."""
    out: dict[tuple[str, ...], Decimal] = {}
    fixed = sum((t.amount for t in tranches if t.amount is not None), Decimal(0))
    known = amount is not None and all(t.quota is None for t in tranches)
    for tranche in tranches:
        here = (*path, tranche.name)
        size: Decimal | None = None
        if tranche.amount is not None:
            size = tranche.amount
        elif tranche.share is not None and known and amount is not None:
            size = Decimal(repr(tranche.share)) * (amount - fixed)
        if size is not None:
            out[here] = size
        out.update(_tranche_amounts(tranche.tranches, size, here))
    return out


Tranche.model_rebuild()
