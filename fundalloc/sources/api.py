"""Pooled sources: :class:`Source`, :func:`allocate_sources` and its result,
:class:`SourcedAllocation` (see :mod:`fundalloc.sources`)."""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterator, Sequence
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any, Self

import numpy as np
from pydantic import Field, model_validator

from fundalloc.errors import DataError, InfeasibleError, Problem, SchemeError
from fundalloc.factors import Condition, Need
from fundalloc.money import format_amount, units_of
from fundalloc.pipeline import allocate
from fundalloc.result import Lang
from fundalloc.spec import Spec

if TYPE_CHECKING:
    from fundalloc.result import Allocation
    from fundalloc.scheme import Scheme
    from fundalloc.table import RegionTable

from fundalloc.sources.classes import _solve

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
