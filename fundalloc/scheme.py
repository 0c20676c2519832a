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

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Self

from pydantic import Field, field_validator, model_validator

from fundalloc.bounds import Bound
from fundalloc.constraints import Constraint
from fundalloc.errors import SchemeError
from fundalloc.expressions import Expression
from fundalloc.factors import Coefficient, Condition, Factor, Need, Quota, _check_factors
from fundalloc.money import format_amount, units_of
from fundalloc.rounding import canonical_method
from fundalloc.spec import WEIGHT_TOLERANCE, Spec

if TYPE_CHECKING:
    from fundalloc.table import RegionTable

__all__ = ["Scheme", "Tranche"]


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
    share: float | None = Field(None, gt=0, le=1)
    amount: Decimal | None = Field(None, ge=0)
    quota: Quota | None = None
    factors: tuple[Factor, ...] = ()
    coefficients: tuple[Coefficient, ...] = ()
    eligibility: tuple[Condition, ...] = ()
    tranches: tuple[Tranche, ...] = ()
    normalise_weights: bool = False

    @model_validator(mode="after")
    def _check(self) -> Self:
        problems = []
        given = [k for k in ("share", "amount", "quota") if getattr(self, k) is not None]
        if len(given) != 1:
            problems.append(
                f"give exactly one of share, amount or quota; got {', '.join(given) or 'none'}"
            )
        ways = [k for k in ("quota", "factors", "tranches") if getattr(self, k)]
        if len(ways) != 1:
            problems.append(
                "split the tranche by exactly one of quota, factors or sub-tranches; "
                f"got {', '.join(ways) or 'none'}"
            )
        if self.quota is not None and (self.coefficients or self.eligibility):
            problems.append(
                "a quota tranche takes no coefficients or eligibility: every region "
                "gets count × rate"
            )
        if self.factors:
            try:
                _check_factors(self.factors, self.normalise_weights)
            except ValueError as exc:
                problems.append(str(exc))
        names = [c.name for c in self.coefficients]
        problems += [
            f"coefficient name {n!r} is used more than once"
            for n in sorted({n for n in names if names.count(n) > 1})
        ]
        problems += _check_siblings(self.tranches)
        if problems:
            raise ValueError("; ".join(problems))
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


def _check_siblings(tranches: tuple[Tranche, ...]) -> list[str]:
    names = [t.name for t in tranches]
    problems = [
        f"tranche name {n!r} is used more than once"
        for n in sorted({n for n in names if names.count(n) > 1})
    ]
    shares = [t.share for t in tranches if t.share is not None]
    if shares and abs(sum(shares) - 1) > WEIGHT_TOLERANCE:
        terms = " + ".join(f"{t.name} {t.share:g}" for t in tranches if t.share is not None)
        problems.append(
            f"the tranche shares add up to {sum(shares):.10g} ({terms}), expected 1: "
            "shares split what the fixed and quota tranches leave"
        )
    return problems


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
    derived: tuple[tuple[str, str], ...] = ()
    total: Decimal = Field(gt=0)
    unit: str = "万元"
    step: Decimal = Field(Decimal(1), gt=0)
    tranches: tuple[Tranche, ...] = Field(min_length=1)
    eligibility: tuple[Condition, ...] = ()
    bounds: tuple[Bound, ...] = ()
    constraints: tuple[Constraint, ...] = ()
    rounding: str = "largest_remainder"

    @field_validator("derived", mode="before")
    @classmethod
    def _derived_pairs(cls, value: object) -> object:
        return tuple(value.items()) if isinstance(value, Mapping) else value

    @field_validator("derived")
    @classmethod
    def _parse_expressions(cls, pairs: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
        problems = []
        names = [name for name, _ in pairs]
        problems += [
            f"derived column {n!r} is defined more than once"
            for n in sorted({n for n in names if names.count(n) > 1})
        ]
        for name, text in pairs:
            if not name.strip():
                problems.append("a derived column needs a name")
            try:
                Expression.parse(text)
            except SchemeError as exc:
                problems.append(f"{name}: {exc}")
        if problems:
            raise ValueError("; ".join(problems))
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

    @field_validator("rounding")
    @classmethod
    def _method(cls, name: str) -> str:
        canonical_method(name)
        return name

    @model_validator(mode="after")
    def _check(self) -> Self:
        problems = _check_siblings(self.tranches)
        units = units_of(self.total, self.step)
        if units is not None and units >= 2**62:
            problems.append(
                f"the total is {units} steps of {format_amount(self.step)}; at most 2**62 "
                "steps are supported: choose a larger step"
            )
        if units is None:
            problems.append(
                f"the total {format_amount(self.total)} is not a whole multiple of "
                f"the step {format_amount(self.step)}"
            )
        fixed = sum((t.amount for t in self.tranches if t.amount is not None), Decimal(0))
        if fixed > self.total:
            problems.append(
                f"the fixed tranches add up to {format_amount(fixed)} {self.unit} "
                f"but the total is {format_amount(self.total)} {self.unit}"
            )
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def total_units(self) -> int:
        """The total as a whole number of steps."""
        units = units_of(self.total, self.step)
        assert units is not None  # checked on construction
        return units

    @property
    def method(self) -> str:
        """The canonical name of the rounding method."""
        return canonical_method(self.rounding)

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
        title = self.name or "分配方案"
        if self.document:
            title += f"（{self.document}）"
        facts = [
            f"总额 {format_amount(self.total)} {unit}，取整到 {format_amount(self.step)} {unit}"
            f"（{self.method}）"
        ]
        facts += [f"派生列 {name} = {text}" for name, text in self.derived]
        facts += [f"参与条件：{c.describe()}" for c in self.eligibility]

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
                    shown += f"（{format_amount(size)} {unit}）"
            elif tranche.amount is not None:
                shown = f"{format_amount(tranche.amount)} {unit}"
            else:
                shown = "定额"
            rows.append(row(depth, [tranche.name, shown, "", ""], bold=True))
            if tranche.quota is not None:
                quota = tranche.quota
                rows.append(
                    row(depth + 1, ["定额", "", "", f"{quota.column} × {quota.rate:g} {unit}"])
                )
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
                rows.append(row(depth + 1, ["参与条件", "", "", condition.describe()]))
        header = "".join(
            f"<th style='text-align:left'>{h}</th>"
            for h in ("切块 / 因素", "份额（金额）", "权重", "计算方法")
        )
        limits = [
            ("保底" if b.kind in ("floor", "hold_harmless") else "封顶", b.label(unit))
            for b in self.bounds
        ]
        limits += [("组合约束", c.label(unit)) for c in self.constraints]
        html = [
            "<div class='fundalloc-scheme'>",
            f"<p><b>{escape(title)}</b></p>",
            "<ul>" + "".join(f"<li>{escape(f)}</li>" for f in facts) + "</ul>",
            f"<table><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table>",
        ]
        if limits:
            html.append(
                "<ul>"
                + "".join(f"<li>{escape(kind)}：{escape(text)}</li>" for kind, text in limits)
                + "</ul>"
            )
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
