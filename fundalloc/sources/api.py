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

from fundalloc.conditions import Condition
from fundalloc.data import Need
from fundalloc.errors import DataError, InfeasibleError, Problem, SchemeError
from fundalloc.i18n import CATALOGUE, LANGUAGES, Lang, Message, tr
from fundalloc.money import format_amount, units_of
from fundalloc.pipeline import allocate
from fundalloc.sources.classes import _solve
from fundalloc.spec import Spec, SpecProblems
from fundalloc.types import EMPTY, NONE, Amount, Coerced, Items, SolverName

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
    amount: Amount
    eligibility: Items[Condition] = Field(default=EMPTY)
    regions: Coerced[tuple[str, ...] | None, Sequence[str] | None] = Field(default=NONE)

    @model_validator(mode="after")
    def _check(self) -> Self:
        problems: list[Message] = []
        if self.amount < 0:
            amount = format_amount(self.amount)
            problems.append(tr("rounding.sources.negative", name=self.name, amount=amount))
        if self.regions is not None:
            if not self.regions:
                problems.append(tr("rounding.sources.no_regions", name=self.name))
            twice = sorted(r for r, k in Counter(self.regions).items() if k > 1)
            if twice:
                regions = [repr(r) for r in twice]
                problems.append(tr("rounding.sources.twice", name=self.name, regions=regions))
        if problems:
            raise SpecProblems(problems)
        return self

    def needs(self) -> Iterator[Need]:
        """The columns the eligibility conditions read."""
        for condition in self.eligibility:
            yield from condition.needs()


#: The words of an account, per language (see :meth:`SourcedAllocation.explain`): a view of
#: the catalogue (:mod:`fundalloc.i18n.rounding`), where the texts are defined.
TEXT: dict[str, dict[str, str]] = {
    lang: {
        "head": CATALOGUE["rounding.sources.head"][k],
        "paid": CATALOGUE["rounding.sources.paid"][k],
        "unpaid": CATALOGUE["rounding.sources.unpaid"][k],
        "ineligible": CATALOGUE["rounding.sources.ineligible"][k],
        "not_listed": CATALOGUE["rounding.sources.not_listed"][k],
        "fails": CATALOGUE["rounding.sources.fails"][k],
        "short": CATALOGUE["rounding.sources.short"][k],
        "over": CATALOGUE["rounding.sources.over"][k],
        "and": CATALOGUE["rounding.sources.and"][k],
    }
    for k, lang in enumerate(LANGUAGES)
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

    @cached_property
    def _rows(self) -> dict[str, int]:
        return {region: i for i, region in enumerate(self.table.ids)}

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
            The language of the account (the texts are in the catalogue,
            :mod:`fundalloc.i18n.rounding`; :data:`TEXT` shows them).

        Raises
        ------
        DataError
            If there is no such region (with the closest id as a hint).
        """

        def say(key: str, **params: Any) -> str:
            return tr(key, **params).render(lang)  # an unknown language: SchemeError

        say("rounding.sources.and")
        unit = self.unit
        i = self._index(region)
        step = self.allocation.scheme.step
        total = sum(row[i] for row in self._units)

        def money(units: int | Decimal) -> str:
            return f"{format_amount(units * step if isinstance(units, int) else units, 6)} {unit}"

        target = self.allocation.amounts[region]
        lines = [
            say("rounding.sources.head", region=region, amount=money(total), target=money(target))
        ]
        row = self.table.take([i])
        for source, paid, eligible in zip(self.sources, self._units, self._eligible, strict=True):
            if paid[i]:
                share = paid[i] / total
                amount = money(paid[i])
                lines.append(
                    say("rounding.sources.paid", source=source.name, amount=amount, share=share)
                )
            elif eligible[i]:
                lines.append(say("rounding.sources.unpaid", source=source.name))
            else:
                failed = [c.description() for c in source.eligibility if not c.test(row)[0]]
                reason = (
                    tr("rounding.sources.fails", conditions=failed)
                    if failed
                    else tr("rounding.sources.not_listed")
                )
                lines.append(say("rounding.sources.ineligible", source=source.name, reason=reason))
        difference = total * step - target
        if difference < 0:
            lines.append(say("rounding.sources.short", amount=money(-difference)))
        elif difference > 0:
            lines.append(say("rounding.sources.over", amount=money(difference)))
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
            return self._rows[region]
        except KeyError:
            close = difflib.get_close_matches(region, self.table.ids, n=1, cutoff=0.5)
            hint = tr("rounding.sources.did_you_mean", name=close[0]) if close else None
            raise DataError(
                Problem(region, tr("rounding.sources.no_such_region"), hint=hint)
            ) from None


def allocate_sources(
    table: RegionTable,
    scheme: Scheme,
    sources: Sequence[Source],
    *,
    strict: bool = False,
    solver: SolverName = "auto",
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

    # regions in id order (code points), as the allocation's trace holds them: row order
    # never changes the result
    order = np.asarray(allocation.trace.order, dtype=np.intp)
    targets = np.asarray(allocation.units)[order].tolist()
    amounts = [_units(s.amount, step) for s in sources]
    may = np.array(eligible, dtype=bool).reshape(len(sources), len(data))
    solution = _solve(amounts, may[:, order].tolist(), [int(t) for t in targets])

    paid = np.array(solution.units, dtype=object).reshape(len(sources), len(data))
    units = np.zeros_like(paid)
    units[:, order] = paid
    names = [s.name for s in sources]
    ids = [data.ids[i] for i in order.tolist()]
    conflicts = tuple(c.problem(names, ids, step, unit) for c in solution.conflicts)
    if strict and conflicts:
        raise InfeasibleError(conflicts)
    return SourcedAllocation(
        allocation=allocation,
        sources=sources,
        eligible=eligible,
        units=units.tolist(),
        conflicts=conflicts,
    )


# ---------------------------------------------------------------------- checks


def _units(amount: Decimal, step: Decimal) -> int:
    units = units_of(amount, step)
    assert units is not None  # checked by _check_sources
    return units


def _check_sources(table: RegionTable, scheme: Scheme, sources: tuple[Source, ...]) -> None:
    if not sources:
        raise SchemeError(Problem("", tr("rounding.sources.none")))
    step, unit = scheme.step, scheme.unit
    problems: list[Problem] = []
    names = [s.name for s in sources]
    everywhere = tr("rounding.sources.place.sources")
    problems += [
        Problem(everywhere, tr("rounding.sources.same_name", name=n))
        for n in sorted(n for n, k in Counter(names).items() if k > 1)
    ]
    reserved = {*_RESERVED, table.id_column}
    problems += [
        Problem(
            tr("rounding.sources.place.source", name=n),
            tr("rounding.sources.reserved"),
            hint=tr("rounding.sources.choose_other", names=[repr(r) for r in sorted(reserved)]),
        )
        for n in names
        if n in reserved
    ]
    known = set(table.ids)
    for source in sources:
        where = tr("rounding.sources.place.source", name=source.name)
        if units_of(source.amount, step) is None:
            problems.append(
                Problem(
                    where,
                    tr("rounding.sources.not_whole", step=format_amount(step), unit=unit),
                    found=f"{format_amount(source.amount, 10)} {unit}",
                )
            )
        unknown = [r for r in source.regions or () if r not in known]
        if unknown:
            close = difflib.get_close_matches(unknown[0], table.ids, n=1)
            listed = [repr(r) for r in unknown[:10]]
            problems.append(
                Problem(
                    where,
                    tr("rounding.sources.unknown_regions"),
                    found=(
                        tr("rounding.sources.more", listed=listed, count=len(unknown) - 10)
                        if len(unknown) > 10
                        else tr("rounding.list", items=listed)
                    ),
                    hint=tr("rounding.sources.did_you_mean", name=close[0]) if close else None,
                )
            )
    total = sum((s.amount for s in sources), Decimal(0))
    if total != scheme.total:
        call = f"scheme.replace(total={format_amount(total, 10).replace(',', '')})"
        problems.append(
            Problem(
                everywhere,
                tr(
                    "rounding.sources.total",
                    total=format_amount(total, 10),
                    scheme_total=format_amount(scheme.total, 10),
                    unit=unit,
                ),
                hint=tr("rounding.sources.total_hint", call=call),
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
                columns = [repr(c) for c in data.columns]
                problems.append(
                    Problem(
                        tr("rounding.sources.place.eligibility", name=source.name),
                        tr("rounding.sources.no_column", column=column),
                        found=(
                            tr("rounding.sources.columns", columns=columns)
                            if columns
                            else tr("rounding.sources.no_columns")
                        ),
                        hint=tr("rounding.sources.did_you_mean", name=close[0]) if close else None,
                    )
                )
            elif how != "text":
                problems += [
                    Problem(
                        tr("rounding.sources.place.in_source", name=source.name, where=p.where),
                        p.message,
                        p.found,
                        p.hint,
                    )
                    for p in data.check(column)
                ]
    if problems:
        raise DataError(problems)
    out = []
    row: dict[str, int] | None = None
    for source in sources:
        mask = np.ones(len(data), dtype=bool)
        for condition in source.eligibility:
            mask &= condition.test(data)
        if source.regions is not None:
            if row is None:
                row = {region: i for i, region in enumerate(data.ids)}
            listed = np.zeros(len(data), dtype=bool)
            listed[[row[r] for r in source.regions]] = True  # checked: every one is there
            mask &= listed
        out.append(mask.tolist())
    return out
