"""Several sources pooled (多条渠道进水、一个龙头出水), each kept to its own uses.

A bureau pools several funds — provincial special funds, city matching funds, funds
integrated from other departments — and splits the pooled total across its regions by
one scheme, but each fund may only pay for the regions (or uses) it is meant for
(渠道不乱、用途不变), and each region's account must say what each fund paid
(各记其功). :func:`allocate_sources` does this in three steps:

1. **Targets.** The scheme's total (which must equal the sum of the sources) is
   allocated by :func:`fundalloc.allocate`; each region's rounded amount is its target.
2. **Region totals.** The money is passed to the regions so that every source that
   may fund at least one region is spent exactly and each region gets its target.
   When the eligibility rules make that impossible, the totals miss their targets by
   as little as possible (the least ``Σ |total − target|``), and the unavoidable
   shortfall or excess is shared in proportion to the targets, as far as the rules
   allow. Every such conflict is reported in :attr:`SourcedAllocation.conflicts`.
3. **Who pays.** Each region's total is split among the sources that may fund it in
   proportion to *source weights*, one per source, chosen so that every source is
   spent exactly: in every region, two sources that may both fund it pay in the same
   ratio. (Where a source must fill some regions completely — say it holds exactly
   what the only regions it may fund need — the other sources pay nothing there.)

Everything is computed in whole units of the scheme's step, in Python integers, so
every source is spent exactly, every region's total is exactly the sum of what the
sources paid, and no source pays a region it may not fund. Only the weights of step 3
are floats; they choose between integer answers but never make one. The order of the
rows never changes the result; ties are broken by region id (code points), then by
the order of the sources.

Examples
--------
>>> import fundalloc as fa
>>> from fundalloc.sources import Source, allocate_sources
>>> table = fa.RegionTable.from_records([
...     {"地区": "甲县", "人口": 50, "民族乡": 1},
...     {"地区": "乙县", "人口": 30, "民族乡": 0},
...     {"地区": "丙县", "人口": 20, "民族乡": 2}], id="地区")
>>> people = fa.Factor(name="人口", rule=fa.Share(column="人口"), weight=1)
>>> scheme = fa.Scheme(total=100, tranches=[fa.Tranche(name="人口", share=1, factors=[people])])
>>> sources = [
...     Source(name="省级", amount=60),
...     Source(name="部门", amount=40,
...               eligibility=[fa.Condition(column="民族乡", op=">", value=0)])]
>>> result = allocate_sources(table, scheme, sources)
>>> {s: {r: int(v) for r, v in paid.items()} for s, paid in result.paid.items()}
{'省级': {'甲县': 21, '乙县': 30, '丙县': 9}, '部门': {'甲县': 29, '乙县': 0, '丙县': 11}}
>>> {r: int(v) for r, v in result.amounts.items()} == {r: int(v) for r, v in
...                                                     result.targets.items()}
True
>>> print(result.explain("丙县"))
丙县：20 万元（测算数 20 万元）
  省级：9 万元（45.00%）
  部门：11 万元（55.00%）
"""

from __future__ import annotations

import dataclasses
import difflib
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from typing import TYPE_CHECKING, Any, Self

import numpy as np
from pydantic import Field, model_validator

from fundalloc.errors import DataError, InfeasibleError, Problem, SchemeError, SolverError
from fundalloc.factors import Condition, Need
from fundalloc.money import format_amount, units_of
from fundalloc.pipeline import allocate
from fundalloc.result import Lang
from fundalloc.spec import Spec

if TYPE_CHECKING:
    from fundalloc.result import Allocation
    from fundalloc.scheme import Scheme
    from fundalloc.table import RegionTable

__all__ = ["TEXT", "Source", "SourcedAllocation", "allocate_sources"]

_RESERVED = ("target", "amount", "difference")


class Source(Spec):
    """One source of money (一条渠道) and the regions it may fund.

    Parameters
    ----------
    name : str
        Unique among the sources; names the source in accounts and records.
    amount : Decimal
        The money, in the scheme's unit; at least 0 and a whole number of the scheme's
        step (checked by :func:`allocate_sources`).
    eligibility : sequence of Condition
        The source may fund only the regions meeting all of these conditions.
    regions : sequence of str, optional
        The source may fund only these region ids (with ``eligibility`` too: only those
        of them that meet the conditions). By default every region.

    Examples
    --------
    >>> Source(name="部门整合资金", amount=640,
    ...        eligibility=[Condition(column="民族乡", op=">", value=0)])
    Source(name='部门整合资金', amount=Decimal('640'),
           eligibility=(Condition(column='民族乡', op='>', value=0.0),))
    >>> Source(name="市级配套资金", amount=-5)
    Traceback (most recent call last):
    ...
    fundalloc.errors.SchemeError: Source: the amount of '市级配套资金' is negative (-5)
    """

    name: str = Field(min_length=1)
    amount: Decimal
    eligibility: tuple[Condition, ...] = ()
    regions: tuple[str, ...] | None = None

    @model_validator(mode="after")
    def _check(self) -> Self:
        problems = []
        if self.amount < 0:
            problems.append(
                f"the amount of {self.name!r} is negative ({format_amount(self.amount)})"
            )
        if self.regions is not None:
            if not self.regions:
                problems.append(
                    f"{self.name!r} lists no regions, so it could fund none "
                    "(leave regions out to allow every region)"
                )
            twice = sorted(r for r, k in Counter(self.regions).items() if k > 1)
            if twice:
                problems.append(f"{self.name!r} lists {', '.join(map(repr, twice))} more than once")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def needs(self) -> Iterator[Need]:
        """The columns the eligibility conditions read."""
        for condition in self.eligibility:
            yield from condition.needs()


#: The words of an account, per language (see :meth:`SourcedAllocation.explain`).
TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "head": "{region}：{amount}（测算数 {target}）",
        "paid": "  {source}：{amount}（{share:.2%}）",
        "unpaid": "  {source}：0",
        "ineligible": "  {source}：不可用于本地区（{reason}）",
        "not_listed": "不在该渠道的地区名单内",
        "fails": "不满足 {conditions}",
        "short": "  比测算数少 {amount}：可用于本地区的渠道资金不足",
        "over": "  比测算数多 {amount}：有渠道只能用于包括本地区在内的地区，须在此用完",
        "and": "、",
    },
    "en": {
        "head": "{region}: {amount} (target {target})",
        "paid": "  {source}: {amount} ({share:.2%})",
        "unpaid": "  {source}: 0",
        "ineligible": "  {source}: may not fund this region ({reason})",
        "not_listed": "not on its list of regions",
        "fails": "fails {conditions}",
        "short": "  {amount} below the target: the sources that may fund this region do not "
        "hold enough",
        "over": "  {amount} above the target: a source that may fund only a few regions, this "
        "one among them, must be spent here",
        "and": ", ",
    },
}


class SourcedAllocation:
    """The result of :func:`allocate_sources`: a source × region table of exact amounts.

    Attributes
    ----------
    allocation : Allocation
        The allocation of the pooled total by the scheme; its amounts are the targets,
        and its :meth:`~fundalloc.result.Allocation.explain` explains them.
    sources : tuple of Source
        The sources, in the order given.
    table : RegionTable
        The regions (with the scheme's derived columns), in the order given.
    conflicts : tuple of Problem
        Why some source is not spent or some region misses its target; empty when every
        source is spent and every region gets its target exactly.
    """

    def __init__(
        self,
        *,
        allocation: Allocation,
        sources: tuple[Source, ...],
        eligible: list[list[bool]],
        units: list[list[int]],
        conflicts: tuple[Problem, ...],
    ) -> None:
        self.allocation = allocation
        self.sources = sources
        self.table = allocation.table
        self.conflicts = conflicts
        self._eligible = eligible  # [source][row]
        self._units = units  # [source][row], whole steps
        self._row = {region: i for i, region in enumerate(self.table.ids)}

    # ------------------------------------------------------------------ amounts
    @property
    def unit(self) -> str:
        """The money unit of the scheme (万元 …)."""
        return self.allocation.scheme.unit

    @cached_property
    def paid(self) -> dict[str, dict[str, Decimal]]:
        """Source name to region id to what the source paid it (0 included), in table order."""
        step, ids = self.allocation.scheme.step, self.table.ids
        return {
            source.name: {region: u * step for region, u in zip(ids, row, strict=True)}
            for source, row in zip(self.sources, self._units, strict=True)
        }

    @cached_property
    def amounts(self) -> dict[str, Decimal]:
        """Region id to its total from all sources, in table order."""
        step = self.allocation.scheme.step
        return {
            region: sum(row[i] for row in self._units) * step
            for i, region in enumerate(self.table.ids)
        }

    @cached_property
    def targets(self) -> dict[str, Decimal]:
        """Region id to its target: its amount in the allocation of the pooled total."""
        return dict(self.allocation.amounts)

    @cached_property
    def differences(self) -> dict[str, Decimal]:
        """Region id to its total minus its target (negative: short of it)."""
        targets = self.allocation.amounts
        return {region: amount - targets[region] for region, amount in self.amounts.items()}

    @cached_property
    def spent(self) -> dict[str, Decimal]:
        """Source name to what it paid in all."""
        step = self.allocation.scheme.step
        return {s.name: sum(row) * step for s, row in zip(self.sources, self._units, strict=True)}

    @cached_property
    def unspent(self) -> dict[str, Decimal]:
        """Source name to what it could not pay (no region may receive it), usually 0."""
        return {s.name: s.amount - self.spent[s.name] for s in self.sources}

    @cached_property
    def eligible(self) -> dict[str, tuple[str, ...]]:
        """Source name to the regions it may fund, in table order."""
        ids = self.table.ids
        return {
            s.name: tuple(r for r, ok in zip(ids, row, strict=True) if ok)
            for s, row in zip(self.sources, self._eligible, strict=True)
        }

    @property
    def exact(self) -> bool:
        """True when every source is spent and every region gets exactly its target."""
        return not self.conflicts

    def __repr__(self) -> str:
        scheme = self.allocation.scheme
        state = "exact" if self.exact else f"{len(self.conflicts)} conflicts"
        return (
            f"<SourcedAllocation {format_amount(scheme.total)} {scheme.unit} from "
            f"{len(self.sources)} sources to {len(self.table)} regions, {state}>"
        )

    # ------------------------------------------------------------------ explain
    def explain(self, region: str, *, lang: Lang = "zh") -> str:
        """The account of one region: its total, its target, and what each source paid.

        Sources that may not fund the region are listed with the reason; a difference
        from the target is stated with its cause.

        Parameters
        ----------
        region : str
            The region id.
        lang : {"zh", "en"}
            The language of the account (templates in :data:`TEXT`).

        Raises
        ------
        DataError
            If there is no such region (with the closest id as a hint).
        """
        if lang not in TEXT:
            raise SchemeError(f"unknown language {lang!r}; expected one of: {', '.join(TEXT)}")
        text, unit = TEXT[lang], self.unit
        i = self._index(region)
        step = self.allocation.scheme.step
        total = sum(row[i] for row in self._units)

        def money(units: int | Decimal) -> str:
            return f"{format_amount(units * step if isinstance(units, int) else units, 6)} {unit}"

        target = self.allocation.amounts[region]
        lines = [text["head"].format(region=region, amount=money(total), target=money(target))]
        row = self.table.take([i])
        for source, paid, eligible in zip(self.sources, self._units, self._eligible, strict=True):
            if paid[i]:
                lines.append(
                    text["paid"].format(
                        source=source.name, amount=money(paid[i]), share=paid[i] / total
                    )
                )
            elif eligible[i]:
                lines.append(text["unpaid"].format(source=source.name))
            else:
                failed = [c.describe() for c in source.eligibility if not c.test(row)[0]]
                reason = (
                    text["fails"].format(conditions=text["and"].join(failed))
                    if failed
                    else text["not_listed"]
                )
                lines.append(text["ineligible"].format(source=source.name, reason=reason))
        difference = total * step - target
        if difference:
            key = "short" if difference < 0 else "over"
            lines.append(text[key].format(amount=money(abs(difference))))
        return "\n".join(lines)

    # ------------------------------------------------------------------ export
    def to_records(self) -> list[dict[str, Any]]:
        """One mapping per region in table order: id, target, what each source paid (keyed
        by its name), amount (the total) and difference (amount − target).

        Examples
        --------
        For the example of :mod:`fundalloc.sources`, ``to_records()[0]`` is
        ``{"地区": "甲县", "target": 50, "省级": 21, "部门": 29, "amount": 50,
        "difference": 0}`` (all Decimal).
        """
        paid, amounts, targets = self.paid, self.amounts, self.allocation.amounts
        records = []
        for region in self.table.ids:
            row: dict[str, Any] = {self.table.id_column: region, "target": targets[region]}
            row.update({name: by_region[region] for name, by_region in paid.items()})
            row["amount"] = amounts[region]
            row["difference"] = amounts[region] - targets[region]
            records.append(row)
        return records

    def _index(self, region: str) -> int:
        try:
            return self._row[region]
        except KeyError:
            close = difflib.get_close_matches(region, self.table.ids, n=1, cutoff=0.5)
            raise DataError(
                Problem(
                    region, "no such region", hint=f"did you mean {close[0]!r}?" if close else None
                )
            ) from None


def allocate_sources(
    table: RegionTable,
    scheme: Scheme,
    sources: Sequence[Source],
    *,
    strict: bool = False,
    solver: str = "auto",
) -> SourcedAllocation:
    """Split a pooled total across regions by a scheme, each source kept to its regions.

    Parameters
    ----------
    table : RegionTable
        The regions and their indicators.
    scheme : Scheme
        The scheme for the pooled total; its ``total`` must equal the sum of the sources.
    sources : sequence of Source
        The sources, with their amounts and the regions each may fund. Their order
        breaks ties (after region ids).
    strict : bool, default False
        Raise :class:`~fundalloc.errors.InfeasibleError` instead of returning a result
        in which a source is not spent or a region misses its target.
    solver : str, default "auto"
        Passed to :func:`fundalloc.allocate`.

    Returns
    -------
    SourcedAllocation
        The source × region amounts, each region's total and target, what each source
        could not spend, and the conflicts that made a region miss its target.

    Raises
    ------
    SchemeError
        No sources or duplicate names; an amount that is not a whole number of the
        scheme's step; sources that do not add up to the scheme's total; a source
        naming regions that are not in the table.
    DataError
        A column a source's eligibility reads is missing or not numeric where it must be.
    InfeasibleError
        With ``strict=True``: the eligibility rules keep some source from being spent or
        some region from its target (the message names the numbers).

    Notes
    -----
    With targets ``t_i`` (whole steps), source amounts ``A_s`` and ``E_s`` the regions
    source ``s`` may fund, the amounts ``x_si`` are whole steps with ``x_si = 0`` for
    ``i ∉ E_s`` and ``Σ_i x_si = A_s`` for every source with ``E_s`` non-empty. Among
    those, the region totals ``y_i = Σ_s x_si`` minimise ``Σ_i |y_i − t_i|``: they
    equal the targets whenever that is possible. A shortfall or excess that cannot be
    avoided is shared as ``y_i ≈ c · t_i`` with one ratio ``c`` per group of regions
    that the rules tie together — the unique such split that minimises
    ``Σ_i y_i² / t_i`` (Fujishige's lexicographically optimal base: found exactly in
    fractions, with a min cut per ratio; rounded by largest remainder while a feasible
    integer flow is kept, one unit at a time around its residual cycles). Then
    ``x_si ≈ y_i · w_s / Σ_{r may fund i} w_r`` with one weight ``w_s`` per source such
    that every source is spent (matrix scaling by Newton's method; the weights are
    floats, the rounding to whole steps is exact: each entry stays within one step of its
    exact value, and single units move along alternating paths until every source's
    total is exact).

    References
    ----------
    S. Fujishige, "Lexicographically optimal base of a polymatroid with respect to a
    weight vector", *Mathematics of Operations Research* 5 (1980) 186–196.

    Examples
    --------
    See :mod:`fundalloc.sources`.
    """
    sources = tuple(sources)
    step, unit = scheme.step, scheme.unit
    _check_sources(table, scheme, sources)
    allocation = allocate(table, scheme, solver=solver)
    data = allocation.table
    eligible = _eligibility(data, sources)

    order = sorted(range(len(data)), key=lambda i: data.ids[i])  # code points: row order free
    targets = [int(u) for u in allocation.units.tolist()]
    amounts = [_units(s.amount, step) for s in sources]
    solution = _solve(
        amounts, [[row[i] for i in order] for row in eligible], [targets[i] for i in order]
    )

    units = [[0] * len(data) for _ in sources]
    for s, row in enumerate(solution.units):
        for k, i in enumerate(order):
            units[s][i] = row[k]
    names = [s.name for s in sources]
    ids = [data.ids[i] for i in order]
    conflicts = tuple(c.problem(names, ids, step, unit) for c in solution.conflicts)
    if strict and conflicts:
        raise InfeasibleError(conflicts)
    return SourcedAllocation(
        allocation=allocation,
        sources=sources,
        eligible=eligible,
        units=units,
        conflicts=conflicts,
    )


# ---------------------------------------------------------------------- checks


def _units(amount: Decimal, step: Decimal) -> int:
    units = units_of(amount, step)
    assert units is not None  # checked by _check_sources
    return units


def _check_sources(table: RegionTable, scheme: Scheme, sources: tuple[Source, ...]) -> None:
    if not sources:
        raise SchemeError("allocate_sources needs at least one source")
    step, unit = scheme.step, scheme.unit
    problems: list[Problem] = []
    names = [s.name for s in sources]
    problems += [
        Problem("sources", f"the name {n!r} is used by more than one source")
        for n in sorted(n for n, k in Counter(names).items() if k > 1)
    ]
    reserved = {*_RESERVED, table.id_column}
    problems += [
        Problem(
            f"source {n!r}",
            "the name is a column of the records already",
            hint=f"choose a name other than {', '.join(map(repr, sorted(reserved)))}",
        )
        for n in names
        if n in reserved
    ]
    known = set(table.ids)
    for source in sources:
        where = f"source {source.name!r}"
        if units_of(source.amount, step) is None:
            problems.append(
                Problem(
                    where,
                    f"expected an amount that is a whole number of the step "
                    f"{format_amount(step)} {unit}",
                    found=f"{format_amount(source.amount, 10)} {unit}",
                )
            )
        unknown = [r for r in source.regions or () if r not in known]
        if unknown:
            close = difflib.get_close_matches(unknown[0], table.ids, n=1)
            problems.append(
                Problem(
                    where,
                    "names regions that are not in the table",
                    found=", ".join(map(repr, unknown[:10]))
                    + (f" and {len(unknown) - 10} more" if len(unknown) > 10 else ""),
                    hint=f"did you mean {close[0]!r}?" if close else None,
                )
            )
    total = sum((s.amount for s in sources), Decimal(0))
    if total != scheme.total:
        problems.append(
            Problem(
                "sources",
                f"the sources add up to {format_amount(total, 10)} {unit} but the scheme's "
                f"total is {format_amount(scheme.total, 10)} {unit}",
                hint=f"scheme.replace(total={format_amount(total, 10).replace(',', '')})",
            )
        )
    if problems:
        raise SchemeError(problems)


def _eligibility(data: RegionTable, sources: tuple[Source, ...]) -> list[list[bool]]:
    """Per source, per row: may the source fund the region? (every column problem at once)"""
    problems: list[Problem] = []
    for source in sources:
        for column, how in source.needs():
            if column not in data:
                close = difflib.get_close_matches(column, data.columns, n=1)
                problems.append(
                    Problem(
                        f"source {source.name!r}, eligibility",
                        f"no column {column!r}",
                        found=f"columns {', '.join(map(repr, data.columns)) or 'none'}",
                        hint=f"did you mean {close[0]!r}?" if close else None,
                    )
                )
            elif how != "text":
                problems += [
                    Problem(f"source {source.name!r}: {p.where}", p.message, p.found, p.hint)
                    for p in data.check(column)
                ]
    if problems:
        raise DataError(problems)
    out = []
    for source in sources:
        mask = np.ones(len(data), dtype=bool)
        for condition in source.eligibility:
            mask &= condition.test(data)
        if source.regions is not None:
            named = frozenset(source.regions)
            mask &= np.fromiter((i in named for i in data.ids), dtype=bool, count=len(data))
        out.append([bool(v) for v in mask.tolist()])
    return out


# ---------------------------------------------------------------------- the split, in units
#
# Regions that the same sources may fund form a *class*: within a class they are
# interchangeable, so the flow problems below are posed on classes (at most 2**m − 1
# of them for m sources) and each class's amounts are split among its regions at the end.


@dataclass(frozen=True)
class _Conflict:
    """A group of regions tied to a group of sources, whose targets cannot all be met."""

    kind: str  # "unspendable", "unfunded", "short", "over", "over_zero"
    regions: tuple[int, ...]  # canonical positions
    sources: tuple[int, ...]
    money: int  # whole steps the sources can pay into the regions
    target: int  # whole steps the regions' targets add up to
    others: tuple[int, ...] = ()  # further sources that may fund the regions

    def problem(self, names: list[str], ids: list[str], step: Decimal, unit: str) -> Problem:
        def money(units: int) -> str:
            return f"{format_amount(units * step, 10)} {unit}"

        def listed(items: Sequence[str]) -> str:
            if len(items) > 10:
                return ", ".join(items[:10]) + f" and {len(items) - 10} more"
            return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]

        regions = listed([ids[i] for i in self.regions]) if self.regions else ""
        sources = listed([names[s] for s in self.sources]) if self.sources else ""
        if self.kind == "unspendable":
            return Problem(
                f"source {sources}",
                f"no region may receive it, so {money(self.money)} cannot be spent",
                hint="check its regions and eligibility",
            )
        if self.kind == "unfunded":
            return Problem(
                regions,
                f"no source may fund {'it' if len(self.regions) == 1 else 'them'}, so "
                f"{money(self.target)} of targets cannot be met",
            )
        each = "it gets" if len(self.regions) == 1 else "each gets"
        ratio = f"{self.money / self.target:.2%}" if self.target else ""
        if self.kind == "short":
            elsewhere = (
                f"; {listed([names[s] for s in self.others])} must be spent in full on "
                "regions that are even shorter"
                if self.others
                else ""
            )
            return Problem(
                regions,
                f"the targets add up to {money(self.target)} but only {money(self.money)} "
                f"from {sources} can be spent here{elsewhere}; {each} about {ratio} of its "
                "target",
            )
        if self.kind == "over":
            return Problem(
                sources,
                f"{money(self.money)} may be spent only on {regions}, whose targets add up "
                f"to {money(self.target)}; {each} about {ratio} of its target",
            )
        return Problem(
            sources,
            f"{money(self.money)} may be spent only on {regions}, whose targets are 0; "
            "it is split among them equally",
        )


@dataclass(frozen=True)
class _Solution:
    units: list[list[int]]  # [source][region], canonical region order
    conflicts: list[_Conflict]


def _solve(amounts: list[int], eligible: list[list[bool]], targets: list[int]) -> _Solution:
    """The source × region amounts in whole steps (regions in canonical order)."""
    m, n = len(amounts), len(targets)
    conflicts: list[_Conflict] = []
    spendable = [s for s in range(m) if amounts[s] > 0 and any(eligible[s])]
    for s in range(m):
        if amounts[s] > 0 and not any(eligible[s]):
            conflicts.append(_Conflict("unspendable", (), (s,), amounts[s], 0))

    members: dict[tuple[int, ...], list[int]] = {}
    for i in range(n):
        members.setdefault(tuple(s for s in spendable if eligible[s][i]), []).append(i)
    unfunded = [i for i in members.pop((), []) if targets[i] > 0]
    if unfunded:
        target = sum(targets[i] for i in unfunded)
        conflicts.append(_Conflict("unfunded", tuple(unfunded), (), 0, target))
    classes = list(members)  # in order of their first region
    problem = _Classes(
        amounts,
        classes,
        [sum(targets[i] for i in members[c]) for c in classes],
        [len(members[c]) for c in classes],
        spendable,
    )
    totals, groups = problem.totals()
    for conflict in problem.conflicts(groups):
        regions = sorted(i for k in conflict.regions for i in members[classes[k]])
        conflicts.append(dataclasses.replace(conflict, regions=tuple(regions)))
    pay = problem.payers(totals)

    units = [[0] * n for _ in range(m)]
    for k, signature in enumerate(classes):
        regions = members[signature]
        weights = [targets[i] for i in regions]
        share = _largest_remainder(totals[k], weights if any(weights) else [1] * len(regions))
        room = dict(zip(regions, share, strict=True))
        payers = [s for s in signature if pay[s][k] > 0]
        for j, s in enumerate(payers):
            left = [room[i] for i in regions]
            part = left if j == len(payers) - 1 else _largest_remainder(pay[s][k], left)
            for i, x in zip(regions, part, strict=True):
                units[s][i] = x
                room[i] -= x
    return _Solution(units, conflicts)


def _largest_remainder(total: int, weights: list[int]) -> list[int]:
    """``total`` split in proportion to ``weights`` (integers, positive sum), exactly:
    floors, then one more to the largest remainders, ties to the earlier position."""
    whole = sum(weights)
    parts = [total * w // whole for w in weights]
    rest = total - sum(parts)
    ranked = sorted(range(len(weights)), key=lambda j: (-(total * weights[j] % whole), j))
    for j in ranked[:rest]:
        parts[j] += 1
    return parts


@dataclass(frozen=True)
class _Group:
    """Classes that share one ratio of total to weight in the lexicographically optimal split."""

    classes: tuple[int, ...]
    sources: tuple[int, ...]
    ratio: Fraction
    by_count: bool  # the weights were region counts (the classes' targets are all 0)


class _Classes:
    """The flow problem on classes: sources with amounts, classes with targets and sizes."""

    def __init__(
        self,
        amounts: list[int],
        classes: list[tuple[int, ...]],
        targets: list[int],
        sizes: list[int],
        spendable: list[int],
    ) -> None:
        self.amounts = amounts
        self.classes = classes
        self.targets = targets
        self.sizes = sizes
        self.spendable = spendable
        self.split: dict[tuple[int, int], int] = {}  # a feasible source × class flow

    # --------------------------------------------------------- step 2: class totals
    def totals(self) -> tuple[list[int], list[_Group]]:
        """Whole-step totals per class: every spendable source spent, the totals as close to
        the targets as possible and the rest shared in proportion to them."""
        if not self.classes:
            return [], []
        remaining = list(range(len(self.classes)))
        alive = set(self.spendable)
        groups = self._groups(remaining, alive, self.targets, by_count=False)
        if remaining:  # every class left has a target of 0: share what is left by head count
            groups += self._groups(remaining, alive, self.sizes, by_count=True)
        exact = [Fraction(0)] * len(self.classes)
        group_of = [0] * len(self.classes)
        for g, group in enumerate(groups):
            weights = self.sizes if group.by_count else self.targets
            for k in group.classes:
                exact[k] = group.ratio * weights[k]
                group_of[k] = g
        # a network: 0 → source s (its amount) → class k (no limit) → group g → 1, where
        # each group's total is exact (it is what its sources hold) and each class's total
        # is rounded down or up from its exact value
        m, c = len(self.amounts), len(self.classes)
        pairs = self._pairs()
        arcs: list[_Arc] = [(2 + s, 2 + m + k, 0, None) for s, k in pairs]
        arcs += [(0, 2 + s, self.amounts[s], self.amounts[s]) for s in self.spendable]
        for group_index, group in enumerate(groups):
            total = sum((exact[k] for k in group.classes), Fraction(0))
            assert total.denominator == 1  # a group's total is what its sources hold
            arcs.append((2 + m + c + group_index, 1, int(total), int(total)))
        entries = [(2 + m + k, 2 + m + c + group_of[k]) for k in range(c)]
        totals, flows = _round_on(2 + m + c + len(groups), arcs, entries, exact)
        self.split = dict(zip(pairs, flows, strict=False))
        return totals, groups

    def _groups(
        self, remaining: list[int], alive: set[int], weights: list[int], *, by_count: bool
    ) -> list[_Group]:
        """Peel off the classes with the smallest ratio of reachable money to weight (the
        decomposition algorithm for a lexicographically optimal base, with Dinkelbach's
        iteration and a min cut for each ratio). Stops when the weights left are all 0."""
        groups = []
        while remaining:
            weight = sum(weights[k] for k in remaining)
            if weight == 0:
                break
            ratio = Fraction(sum(self.amounts[s] for s in self._touching(remaining, alive)), weight)
            while True:
                chosen, money = self._tightest(remaining, alive, weights, ratio)
                chosen_weight = sum(weights[k] for k in chosen)
                if money - ratio * chosen_weight >= 0:
                    break
                ratio = Fraction(money, chosen_weight)
            used = self._touching(chosen, alive)
            groups.append(_Group(tuple(chosen), tuple(sorted(used)), ratio, by_count))
            taken = set(chosen)
            remaining[:] = [k for k in remaining if k not in taken]
            alive -= used
        return groups

    def _touching(self, classes: Sequence[int], alive: set[int]) -> set[int]:
        return {s for k in classes for s in self.classes[k] if s in alive}

    def _tightest(
        self, remaining: list[int], alive: set[int], weights: list[int], ratio: Fraction
    ) -> tuple[list[int], int]:
        """The largest set C of classes minimising money(C) − ratio · weight(C), where
        money(C) is what the sources still alive that may fund C hold; and money(C)."""
        p, q = ratio.numerator, ratio.denominator
        sources = sorted(alive)
        node = {s: 2 + j for j, s in enumerate(sources)}
        first = 2 + len(sources)
        graph = _Graph(first + len(remaining))
        big = 1 + q * sum(self.amounts[s] for s in sources) + p * sum(weights)
        for s in sources:
            graph.add(0, node[s], q * self.amounts[s])
        for j, k in enumerate(remaining):
            graph.add(first + j, 1, p * weights[k])
            for s in self.classes[k]:
                if s in alive:
                    graph.add(node[s], first + j, big)
        graph.max_flow(0, 1)
        seen = graph.reachable(0)
        chosen = [k for j, k in enumerate(remaining) if not seen[first + j]]
        return chosen, sum(self.amounts[s] for s in self._touching(chosen, alive))

    def _pairs(self) -> list[tuple[int, int]]:
        return [(s, k) for k in range(len(self.classes)) for s in self.classes[k]]

    def conflicts(self, groups: list[_Group]) -> list[_Conflict]:
        """The groups whose totals miss their targets (regions: class indices)."""
        out = []
        for group in groups:
            weights = self.sizes if group.by_count else self.targets
            money = group.ratio * sum(weights[k] for k in group.classes)
            target = sum(self.targets[k] for k in group.classes)
            if group.by_count:
                if not money:
                    continue
                kind = "over_zero"
            elif group.ratio == 1:
                continue
            else:
                kind = "short" if group.ratio < 1 else "over"
            others = {s for k in group.classes for s in self.classes[k]} - set(group.sources)
            out.append(
                _Conflict(
                    kind, group.classes, group.sources, int(money), target, tuple(sorted(others))
                )
            )
        return out

    # --------------------------------------------------------- step 3: who pays
    def payers(self, totals: list[int]) -> list[list[int]]:
        """Per source, per class: the whole steps it pays, in proportion to source weights."""
        m, c = len(self.amounts), len(self.classes)
        pay = [[0] * c for _ in range(m)]
        for sources, classes in _blocks(self.spendable, self.classes, totals, self.split):
            pattern = [[s for s in self.classes[k] if s in sources] for k in classes]
            if len(sources) == 1:
                for k in classes:
                    pay[sources[0]][k] = totals[k]
                continue
            shares = _proportions(
                [totals[k] for k in classes],
                [self.amounts[s] for s in sources],
                [[s in may for s in sources] for may in pattern],
            )
            row = {s: j for j, s in enumerate(sources)}
            exact = [
                [Fraction(totals[k]) * Fraction(float(shares[j, row[s]])) for s in may]
                for j, (k, may) in enumerate(zip(classes, pattern, strict=True))
            ]
            paid = _round_rows(
                [self.amounts[s] for s in sources],
                [[row[s] for s in may] for may in pattern],
                exact,
                [totals[k] for k in classes],
            )
            for k, may, parts in zip(classes, pattern, paid, strict=True):
                for s, x in zip(may, parts, strict=True):
                    pay[s][k] = x
        return pay


def _blocks(
    spendable: list[int],
    classes: list[tuple[int, ...]],
    totals: list[int],
    flows: Mapping[tuple[int, int], int],
) -> list[tuple[list[int], list[int]]]:
    """The sources and classes that trade with each other: strongly connected components
    of the residual graph of a feasible split (arcs source → class where the source may
    fund it, class → source where it pays it). A source pays a class in some exact split
    exactly when both are in one component."""
    funded = [k for k in range(len(classes)) if totals[k] > 0]
    nodes = [("s", s) for s in spendable] + [("c", k) for k in funded]
    index = {v: j for j, v in enumerate(nodes)}
    out: list[list[int]] = [[] for _ in nodes]
    for k in funded:
        for s in classes[k]:
            out[index["s", s]].append(index["c", k])
            if flows.get((s, k), 0) > 0:
                out[index["c", k]].append(index["s", s])
    component = _components(out)
    blocks: dict[int, tuple[list[int], list[int]]] = {}
    for j, (kind, v) in enumerate(nodes):
        block = blocks.setdefault(component[j], ([], []))
        (block[0] if kind == "s" else block[1]).append(v)
    return list(blocks.values())


def _components(out: list[list[int]]) -> list[int]:
    """Strongly connected components (Kosaraju, iterative): a component number per node."""
    n = len(out)
    seen = [False] * n
    finished: list[int] = []
    for root in range(n):
        if seen[root]:
            continue
        seen[root] = True
        stack = [(root, 0)]
        while stack:
            v, j = stack.pop()
            if j < len(out[v]):
                stack.append((v, j + 1))
                w = out[v][j]
                if not seen[w]:
                    seen[w] = True
                    stack.append((w, 0))
            else:
                finished.append(v)
    back: list[list[int]] = [[] for _ in range(n)]
    for v in range(n):
        for w in out[v]:
            back[w].append(v)
    component = [-1] * n
    count = 0
    for root in reversed(finished):
        if component[root] >= 0:
            continue
        component[root] = count
        todo = [root]
        while todo:
            v = todo.pop()
            for w in back[v]:
                if component[w] < 0:
                    component[w] = count
                    todo.append(w)
        count += 1
    return component


def _proportions(totals: list[int], amounts: list[int], may: list[list[bool]]) -> np.ndarray:
    """Shares ``π[k, s]`` of class k's total paid by source s, ``π = w_s / Σ_{r may} w_r``,
    with weights such that every source is spent: Newton's method on the convex dual
    ``Σ_k t_k log Σ_{s may} e^{u_s} − Σ_s a_s u_s`` (``w = e^u``, one weight pinned)."""
    t = np.array(totals, dtype=np.float64)
    t /= t.sum()
    a = np.array(amounts, dtype=np.float64)
    a /= a.sum()
    mask = np.array(may, dtype=bool)
    m = len(amounts)

    def evaluate(u: np.ndarray) -> tuple[float, np.ndarray]:
        z = np.where(mask, u[None, :], -np.inf)
        top = z.max(axis=1)
        e = np.where(mask, np.exp(z - top[:, None]), 0.0)
        size = e.sum(axis=1)
        value = float((t * (top + np.log(size))).sum() - (a * u).sum())
        return value, e / size[:, None]

    u = np.zeros(m)
    value, shares = evaluate(u)
    for _ in range(200):
        paid = (shares * t[:, None]).sum(axis=0)
        gradient = paid - a
        if float(np.abs(gradient).max()) <= 1e-15:
            break
        weighted = shares * t[:, None]
        hessian = np.diag(paid) - (weighted[:, :, None] * shares[:, None, :]).sum(axis=0)
        direction = np.zeros(m)
        direction[1:] = np.linalg.lstsq(hessian[1:, 1:], -gradient[1:], rcond=None)[0]
        slope = float((gradient * direction).sum())
        if slope >= 0:
            break
        size = 1.0
        while True:
            trial, trial_shares = evaluate(u + size * direction)
            if trial <= value + 1e-4 * size * slope or size < 1e-12:
                break
            size /= 2
        if trial > value:
            break
        u, value, shares = u + size * direction, trial, trial_shares
    return shares


# ---------------------------------------------------------------------- rounding


_Arc = tuple[int, int, int, int | None]  # tail, head, lower bound, upper bound (None: none)


def _round_on(
    nodes: int, arcs: list[_Arc], entries: list[tuple[int, int]], exact: Sequence[Fraction]
) -> tuple[list[int], list[int]]:
    """Whole-step flows on the ``entries`` arcs, each the floor or the ceiling of its exact
    value, such that the network (0 → … → 1, with ``arcs``) still has a feasible flow: the
    largest fractional parts are rounded up first as long as a feasible flow remains (ties
    to the earlier entry; parts within 1e-9 count as equal, so float noise never decides).
    Returns the entries' flows and the flows of ``arcs``."""
    boxed = arcs + [
        (u, v, _floor(x), -_floor(-x)) for (u, v), x in zip(entries, exact, strict=True)
    ]
    flows = _feasible(nodes, boxed, 0, 1)
    if flows is None:  # cannot happen: the exact values are a feasible flow
        raise SolverError("allocate_sources: no whole-step flow next to the exact one")
    network = _Circulation(nodes, boxed, flows)
    fractional = [j for j, x in enumerate(exact) if x.denominator != 1]
    for j in sorted(fractional, key=lambda j: (-_floor(exact[j] % 1 * 10**9), j)):
        e = len(arcs) + j
        if network.flow[e] == network.lo[e]:
            network.push(e)  # around a cycle, if there is one
        network.fix(e)
    return network.flow[len(arcs) :], network.flow[: len(arcs)]


def _round_rows(
    amounts: list[int], pattern: list[list[int]], exact: list[list[Fraction]], totals: list[int]
) -> list[list[int]]:
    """A whole-step matrix (one row per class, over the sources in ``pattern``) next to
    ``exact``, with every class total and every source amount exact.

    Each class's total is split by largest remainder of its exact parts (ties to the
    earlier source); then units are moved from sources that pay too much to sources that
    pay too little along alternating paths (one entry up, another in the same class
    down, …), every entry kept at the floor or the ceiling of its exact value — or, if the
    float weights were too inexact for that, anywhere from 0 up."""
    centred = []
    for x, total in zip(exact, totals, strict=True):
        whole = sum(x, Fraction(0))
        centred.append(
            [total * v / whole for v in x] if whole else [Fraction(total, len(x))] * len(x)
        )
    parts = []
    for x in centred:
        floors = [_floor(v) for v in x]
        rest = int(sum(x, Fraction(0))) - sum(floors)
        for j in sorted(range(len(x)), key=lambda j: (-_floor(x[j] % 1 * 10**9), j))[:rest]:
            floors[j] += 1
        parts.append(floors)
    a = len(amounts)
    paid = [0] * a
    for may, p in zip(pattern, parts, strict=True):
        for s, f in zip(may, p, strict=True):
            paid[s] += f
    under = [s for s in range(a) for _ in range(max(amounts[s] - paid[s], 0))]
    over = [s for s in range(a) for _ in range(max(paid[s] - amounts[s], 0))]
    for loose in (False, True):
        arcs: list[_Arc] = [
            (s, a + k, 0, None) if loose else (s, a + k, _floor(v), -_floor(-v))
            for k, (may, x) in enumerate(zip(pattern, centred, strict=True))
            for s, v in zip(may, x, strict=True)
        ]
        network = _Circulation(a + len(totals), arcs, [f for p in parts for f in p])
        if all(network.move(low, high) for low, high in zip(under, over, strict=True)):
            flat = iter(network.flow)
            return [[next(flat) for _ in may] for may in pattern]
    raise SolverError("allocate_sources: no whole-step split of the sources")


def _floor(x: Fraction) -> int:
    return x.numerator // x.denominator


class _Circulation:
    """A flow with bounds on its arcs, changed only along paths and cycles of the residual
    graph, one unit or more at a time (Python integers: exact)."""

    def __init__(self, nodes: int, arcs: list[_Arc], flows: list[int]) -> None:
        self.tail = [u for u, _, _, _ in arcs]
        self.head = [v for _, v, _, _ in arcs]
        self.lo = [lo for _, _, lo, _ in arcs]
        self.hi = [hi for _, _, _, hi in arcs]
        self.flow = list(flows)
        self.touching: list[list[int]] = [[] for _ in range(nodes)]
        for e, (u, v, _, _) in enumerate(arcs):
            self.touching[u].append(e)
            self.touching[v].append(e)

    def fix(self, e: int) -> None:
        """Hold arc ``e`` at its flow from now on."""
        self.lo[e] = self.hi[e] = self.flow[e]

    def push(self, e: int) -> bool:
        """One unit more on arc ``e``, around a cycle through it (False: there is none)."""
        hi = self.hi[e]
        path = self._path(self.head[e], self.tail[e], e)
        if path is None or (hi is not None and self.flow[e] >= hi):
            return False
        self._augment([*path, (e, 1)], 1)
        return True

    def move(self, start: int, end: int) -> bool:
        """One unit along a residual path from node ``start`` to node ``end`` (False: there
        is none)."""
        path = self._path(start, end, -1)
        if path is None:
            return False
        self._augment(path, 1)
        return True

    def _path(self, start: int, end: int, skip: int) -> list[tuple[int, int]] | None:
        """A shortest residual path (arcs with their direction), by breadth-first search."""
        came: dict[int, tuple[int, int]] = {start: (-1, 0)}
        queue = [start]
        for x in queue:
            if x == end:
                break
            for a in self.touching[x]:
                if a == skip:
                    continue
                hi = self.hi[a]
                if self.tail[a] == x and (hi is None or self.flow[a] < hi):
                    y, direction = self.head[a], 1
                elif self.head[a] == x and self.flow[a] > self.lo[a]:
                    y, direction = self.tail[a], -1
                else:
                    continue
                if y not in came:
                    came[y] = (a, direction)
                    queue.append(y)
        if end not in came or start == end:
            return None
        path = []
        y = end
        while y != start:
            a, direction = came[y]
            path.append((a, direction))
            y = self.tail[a] if direction > 0 else self.head[a]
        return path

    def _augment(self, path: list[tuple[int, int]], step: int) -> None:
        for a, direction in path:
            self.flow[a] += direction * step


# ---------------------------------------------------------------------- flows (exact integers)


def _feasible(
    nodes: int, arcs: list[tuple[int, int, int, int | None]], source: int, sink: int
) -> list[int] | None:
    """A flow from ``source`` to ``sink`` with every arc ``(u, v, lo, hi)`` carrying between
    lo and hi (None: unbounded), as one flow per arc; None when there is none. The usual
    reduction of lower bounds to a max flow, in Python integers."""
    if any(hi is not None and hi < lo for _, _, lo, hi in arcs):
        return None
    big = 1 + sum(lo + (hi or 0) for _, _, lo, hi in arcs)
    graph = _Graph(nodes + 2)
    start, end = nodes, nodes + 1
    excess = [0] * nodes
    ids = []
    for u, v, lo, hi in arcs:
        ids.append(graph.add(u, v, (big if hi is None else hi) - lo))
        excess[v] += lo
        excess[u] -= lo
    graph.add(sink, source, big)
    need = 0
    for v, x in enumerate(excess):
        if x > 0:
            graph.add(start, v, x)
            need += x
        elif x < 0:
            graph.add(v, end, -x)
    if graph.max_flow(start, end) != need:
        return None
    return [lo + graph.flow(e) for (_, _, lo, _), e in zip(arcs, ids, strict=True)]


class _Graph:
    """A flow network with integer capacities (Dinic's algorithm); exact at any size."""

    def __init__(self, nodes: int) -> None:
        self.adjacent: list[list[int]] = [[] for _ in range(nodes)]
        self.head: list[int] = []
        self.residual: list[int] = []  # arc e and its reverse e ^ 1

    def add(self, u: int, v: int, capacity: int) -> int:
        e = len(self.head)
        self.head += [v, u]
        self.residual += [capacity, 0]
        self.adjacent[u].append(e)
        self.adjacent[v].append(e + 1)
        return e

    def flow(self, e: int) -> int:
        return self.residual[e ^ 1]

    def reachable(self, source: int) -> list[bool]:
        seen = [False] * len(self.adjacent)
        seen[source] = True
        todo = [source]
        while todo:
            u = todo.pop()
            for e in self.adjacent[u]:
                v = self.head[e]
                if self.residual[e] > 0 and not seen[v]:
                    seen[v] = True
                    todo.append(v)
        return seen

    def max_flow(self, source: int, sink: int) -> int:
        total = 0
        while True:
            level = self._levels(source)
            if level[sink] < 0:
                return total
            pointer = [0] * len(self.adjacent)
            while pushed := self._augment(source, sink, level, pointer):
                total += pushed

    def _levels(self, source: int) -> list[int]:
        level = [-1] * len(self.adjacent)
        level[source] = 0
        queue = [source]
        for u in queue:
            for e in self.adjacent[u]:
                v = self.head[e]
                if self.residual[e] > 0 and level[v] < 0:
                    level[v] = level[u] + 1
                    queue.append(v)
        return level

    def _augment(self, source: int, sink: int, level: list[int], pointer: list[int]) -> int:
        path: list[int] = []
        u = source
        while True:
            if u == sink:
                pushed = min(self.residual[e] for e in path)
                for e in path:
                    self.residual[e] -= pushed
                    self.residual[e ^ 1] += pushed
                return pushed
            arcs = self.adjacent[u]
            while pointer[u] < len(arcs):
                e = arcs[pointer[u]]
                if self.residual[e] > 0 and level[self.head[e]] == level[u] + 1:
                    break
                pointer[u] += 1
            else:
                if u == source:
                    return 0
                level[u] = -1  # a dead end: never again in this phase
                e = path.pop()
                u = self.head[e ^ 1]
                pointer[u] += 1
                continue
            path.append(arcs[pointer[u]])
            u = self.head[arcs[pointer[u]]]
