"""Two allocations side by side: who gains, who loses, and by how much, exactly.

:func:`compare` takes two allocations — two schemes on the same regions, or the same
scheme in two years — as :class:`~fundalloc.Allocation` objects or mappings of region id
to amount, and returns a :class:`Comparison`: one :class:`Change` per region with both
amounts, the difference and the percentage change, the regions found on one side only,
the totals, and the gainers and losers sorted by the size of their change.

Differences are exact: amounts are Decimal and so are their differences (floats given in
a mapping are read by their shortest decimal form, ``0.1`` as ``Decimal("0.1")``). Only
the percentage change, a ratio, is a float.

Why did an amount change? When both sides are allocations, :meth:`Comparison.causes`
splits each region's change into the parts due to the total, the data, the weights, the
coefficients, the bounds and the rounding (:func:`fundalloc.analysis.decompose.decompose`),
adding up to it exactly. ``compare(a, b, decompose="sequential")`` (or ``"shapley"``)
computes that decomposition at once, keeps it in :attr:`Comparison.decomposition`, adds
one column per part to :meth:`Comparison.to_records` and, under each gainer and loser
listed by ``str``, the parts of its change. Without ``decompose`` the output is as before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal, Inexact
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal, Union

from fundalloc.errors import DataError, Problem, SchemeError
from fundalloc.i18n import text, tr
from fundalloc.money import exact_decimal, format_amount
from fundalloc.optional import require

if TYPE_CHECKING:
    from fundalloc.analysis.decompose import Decomposition
    from fundalloc.result import Allocation

__all__ = ["Change", "Comparison", "compare"]

Side = Union["Allocation", Mapping[str, Any]]
"""An Allocation or a mapping of region id to amount."""

# exact addition and subtraction of Decimals, whatever their size (an inexact result raises)
_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN, traps=[Inexact])
_ZERO = Decimal(0)


@dataclass(frozen=True)
class Change:
    """One region in both allocations.

    Attributes
    ----------
    region : str
        The region id.
    before, after : Decimal or None
        Its amount in the first and in the second allocation (None: not there).
    difference : Decimal
        ``after − before``, exactly, a missing side counting as 0.
    percent : float or None
        ``100 · difference / before``; None when ``before`` is 0 or missing.
    """

    region: str
    before: Decimal | None
    after: Decimal | None
    difference: Decimal
    percent: float | None

    @property
    def status(self) -> Literal["both", "only before", "only after"]:
        """Whether the region is in both allocations or in one only."""
        if self.before is None:
            return "only after"
        return "only before" if self.after is None else "both"


@dataclass(frozen=True)
class Comparison:
    """The result of :func:`compare`.

    Attributes
    ----------
    changes : tuple of Change
        One per region: the first allocation's regions in its order, then those only in
        the second, in its order.
    total_before, total_after : Decimal
        The totals of the two allocations.
    labels : tuple of str
        The names of the two sides (column names in :meth:`to_records`).
    unit : str
        The money unit, when both sides are allocations with the same unit; else "".
    id_column : str
        The name of the region column in :meth:`to_records`.
    decomposition : Decomposition or None
        The causes of every change, when :func:`compare` was asked for them
        (``decompose=``); else None.
    allocations : (Allocation, Allocation) or None
        The two sides, when both are allocations (what :meth:`causes` decomposes).
    """

    changes: tuple[Change, ...]
    total_before: Decimal
    total_after: Decimal
    labels: tuple[str, str] = ("before", "after")
    unit: str = ""
    id_column: str = "region"
    decomposition: Decomposition | None = field(default=None, repr=False, compare=False)
    allocations: tuple[Allocation, Allocation] | None = field(
        default=None, repr=False, compare=False
    )

    def __getitem__(self, region: str) -> Change:
        for change in self.changes:
            if change.region == region:
                return change
        raise DataError(Problem(region, tr("analysis.compare_no_region")))

    @property
    def difference(self) -> Decimal:
        """``total_after − total_before``, exactly."""
        return _EXACT.subtract(self.total_after, self.total_before)

    @property
    def percent(self) -> float | None:
        """The change of the total in percent (None when the first total is 0)."""
        return _percent(self.difference, self.total_before)

    @property
    def only_before(self) -> tuple[str, ...]:
        """The regions only in the first allocation."""
        return tuple(c.region for c in self.changes if c.after is None)

    @property
    def only_after(self) -> tuple[str, ...]:
        """The regions only in the second allocation."""
        return tuple(c.region for c in self.changes if c.before is None)

    @cached_property
    def gainers(self) -> tuple[Change, ...]:
        """The regions that get more, the largest gain first (ties by region id)."""
        up = [c for c in self.changes if c.difference > 0]
        return tuple(sorted(up, key=lambda c: (-c.difference, c.region)))

    @cached_property
    def losers(self) -> tuple[Change, ...]:
        """The regions that get less, the largest loss first (ties by region id)."""
        down = [c for c in self.changes if c.difference < 0]
        return tuple(sorted(down, key=lambda c: (c.difference, c.region)))

    @property
    def unchanged(self) -> tuple[str, ...]:
        """The regions whose amount is the same on both sides."""
        return tuple(c.region for c in self.changes if c.difference == 0)

    @property
    def largest_gain(self) -> Change | None:
        """The region with the largest gain (None when nobody gains)."""
        return self.gainers[0] if self.gainers else None

    @property
    def largest_loss(self) -> Change | None:
        """The region with the largest loss (None when nobody loses)."""
        return self.losers[0] if self.losers else None

    def causes(
        self,
        *,
        method: Literal["sequential", "shapley"] = "sequential",
        order: Sequence[str] | None = None,
    ) -> Decomposition:
        """Each region's change split exactly into its causes (total, data, weights,
        coefficients, bounds, rounding): :func:`fundalloc.analysis.decompose.decompose` of
        the two allocations.

        The decomposition made by ``compare(..., decompose=method)`` is returned as it is
        when ``method`` and ``order`` are the same.

        Raises
        ------
        SchemeError
            A side is a mapping of amounts, not an allocation (a decomposition needs the
            schemes and the data); and whatever :func:`~fundalloc.analysis.decompose.decompose`
            raises.
        """
        from fundalloc.analysis.decompose import ORDER, decompose

        chosen = ORDER if order is None else tuple(order)
        kept = self.decomposition
        if (
            kept is not None
            and kept.method == method
            and (method == "shapley" or kept.order == chosen)
        ):
            return kept
        if self.allocations is None:
            raise SchemeError(
                Problem(
                    "decompose",
                    tr("analysis.decompose_needs_allocations"),
                    found=tr("analysis.decompose_found_mappings"),
                    hint=tr("analysis.decompose_needs_allocations_hint"),
                )
            )
        return decompose(*self.allocations, method=method, order=chosen)

    def to_records(self) -> list[dict[str, Any]]:
        """One mapping per region, in the order of :attr:`changes`: the region, the two
        amounts under their labels (None where missing), ``difference`` and ``percent``;
        with a :attr:`decomposition`, then one key per part (``total``, ``data``,
        ``weights``, ``coefficients``, ``bounds``, ``rounding``).

        Examples
        --------
        >>> compare({"甲": 10}, {"甲": 12}).to_records()
        [{'region': '甲', 'before': Decimal('10'), 'after': Decimal('12'),
          'difference': Decimal('2'), 'percent': 20.0}]
        """
        first, second = self.labels
        records = [
            {
                self.id_column: c.region,
                first: c.before,
                second: c.after,
                "difference": c.difference,
                "percent": c.percent,
            }
            for c in self.changes
        ]
        if self.decomposition is not None:
            for record, c in zip(records, self.changes, strict=True):
                record.update(self.decomposition[c.region].parts)
        return records

    def to_dataframe(self, *, library: Literal["pandas", "polars"] = "pandas") -> Any:
        """The records as a pandas or polars DataFrame (imported only now).

        Amounts and differences stay exact Decimal values (an object column in pandas, a
        decimal column in polars).
        """
        records = self.to_records()
        module = require(library, library)
        if library == "pandas":
            return module.DataFrame.from_records(records, columns=list(records[0]))
        return module.DataFrame(records, infer_schema_length=None)

    def __str__(self) -> str:
        first, second = self.labels
        if (first, second) == ("before", "after"):  # the default names, in the reader's language
            first, second = text("analysis.compare_before"), text("analysis.compare_after")
        lines = [
            text(
                "analysis.compare_total",
                first=first,
                second=second,
                before=format_amount(self.total_before),
                after=format_amount(self.total_after),
                unit=f" {self.unit}" if self.unit else "",
                change=_signed(self.difference) + _pct(self.percent),
            )
        ]
        both = sum(1 for c in self.changes if c.status == "both")
        counts = text("analysis.compare_in_both", count=both)
        if self.only_before:
            counts += text("analysis.compare_only_in", side=first, regions=list(self.only_before))
        if self.only_after:
            counts += text("analysis.compare_only_in", side=second, regions=list(self.only_after))
        lines.append(counts)
        for key, group in (
            ("analysis.compare_gain", self.gainers),
            ("analysis.compare_lose", self.losers),
        ):
            shown = [
                f"{c.region} {_signed(c.difference)}"
                + (text("analysis.compare_new") if c.before is None else _pct(c.percent))
                for c in group[:5]
            ]
            line = text(key, count=len(group))
            if group:
                line += text("analysis.compare_listed", regions=shown)
                if len(group) > 5:
                    line += text("analysis.compare_more", count=len(group) - 5)
            lines.append(line)
            if self.decomposition is not None:
                lines += ["    " + _causes_line(self.decomposition, c.region) for c in group[:5]]
        if self.unchanged:
            lines.append(text("analysis.compare_unchanged", count=len(self.unchanged)))
        if self.decomposition is not None:
            lines += str(self.decomposition).splitlines()
        return "\n".join(lines)


def _causes_line(decomposition: Decomposition, region: str) -> str:
    """``甲市：总额 +15、数据 −30`` — the parts of one region's change that are not 0."""
    from fundalloc.analysis.decompose import PARTS, part_name

    parts = decomposition[region].parts
    shown = [
        tr("analysis.decompose_part_amount", part=part_name(p), amount=_signed(parts[p]))
        for p in PARTS
        if parts[p] != 0
    ]
    return text(
        "analysis.decompose_region_parts",
        region=region,
        parts=shown or [tr("analysis.decompose_no_parts")],
    )


def _signed(amount: Decimal) -> str:
    return ("+" if amount > 0 else "−" if amount < 0 else "±") + format_amount(abs(amount), 6)


def _pct(percent: float | None) -> str:
    if percent is None:
        return ""
    return text("analysis.compare_percent", percent=f"{percent:+.2f}%".replace("-", "−"))


def _percent(difference: Decimal, before: Decimal | None) -> float | None:
    if before is None or before == 0:
        return None
    return 100.0 * float(difference) / float(before)


def _side(side: Side, label: str) -> tuple[dict[str, Decimal], str | None, str]:
    """Amounts by region id, the unit (None for a mapping) and the id column name."""
    from fundalloc.result import Allocation

    if isinstance(side, Allocation):
        return dict(side.amounts), side.scheme.unit, side.table.id_column
    if not isinstance(side, Mapping):
        raise DataError(
            Problem(
                label,
                tr("analysis.compare_expected_side"),
                found=type(side).__name__,
            )
        )
    amounts: dict[str, Decimal] = {}
    problems = []
    for key, value in side.items():
        number = exact_decimal(value)
        if number is None:
            problems.append(
                Problem(
                    tr("analysis.compare_place", side=label, region=str(key)),
                    tr("analysis.expected_finite_number"),
                    found=repr(value),
                )
            )
        else:
            amounts[str(key)] = number
    if problems:
        raise DataError(problems)
    return amounts, None, "region"


def compare(
    a: Side,
    b: Side,
    *,
    labels: tuple[str, str] = ("before", "after"),
    decompose: Literal["sequential", "shapley"] | None = None,
) -> Comparison:
    """Compare two allocations region by region.

    Parameters
    ----------
    a, b : Allocation or mapping of str to number
        The first ("before", the baseline) and the second ("after") allocation.
    labels : (str, str), default ("before", "after")
        Names for the two sides, used by :meth:`Comparison.to_records` and ``str``.
    decompose : {"sequential", "shapley"} or None, default None
        Also split each region's change into its causes with this method
        (:meth:`Comparison.causes`): kept in :attr:`Comparison.decomposition`, shown by
        ``str`` under each listed gainer and loser and as columns of ``to_records``. Both
        sides must then be allocations.

    Returns
    -------
    Comparison

    Raises
    ------
    DataError
        A side that is neither an Allocation nor a mapping, or an amount that is not a
        finite number.
    SchemeError
        ``decompose`` with a side that is a mapping, or an unknown method.

    Examples
    --------
    >>> result = compare({"甲市": 100, "乙市": 60, "丙市": 40},
    ...                  {"甲市": 90, "乙市": 75, "丁市": 35}, labels=("2018", "2019"))
    >>> result["乙市"]
    Change(region='乙市', before=Decimal('60'), after=Decimal('75'), difference=Decimal('15'),
           percent=25.0)
    >>> [c.region for c in result.gainers], [c.region for c in result.losers]
    (['丁市', '乙市'], ['丙市', '甲市'])
    >>> print(result)  # in English (FUNDALLOC_LANG=en); Chinese by default
    2018 → 2019: total 200 → 200, ±0 (+0.00%)
    2 regions in both; only in 2018: 丙市; only in 2019: 丁市
    2 gain: 丁市 +35 (new), 乙市 +15 (+25.00%)
    2 lose: 丙市 −40 (−100.00%), 甲市 −10 (−10.00%)
    """
    first, unit_a, id_a = _side(a, labels[0])
    second, unit_b, _ = _side(b, labels[1])
    changes = []
    for region, before in first.items():
        after = second.get(region)
        diff = _EXACT.subtract(_ZERO if after is None else after, before)
        changes.append(Change(region, before, after, diff, _percent(diff, before)))
    changes += [
        Change(region, None, after, after, None)
        for region, after in second.items()
        if region not in first
    ]
    from fundalloc.result import Allocation

    both = (a, b) if isinstance(a, Allocation) and isinstance(b, Allocation) else None
    comparison = Comparison(
        changes=tuple(changes),
        total_before=_exact_sum(first.values()),
        total_after=_exact_sum(second.values()),
        labels=(str(labels[0]), str(labels[1])),
        unit=unit_a if unit_a is not None and unit_a == unit_b else "",
        id_column=id_a,
        allocations=both,
    )
    if decompose is None:
        return comparison
    return replace(comparison, decomposition=comparison.causes(method=decompose))


def _exact_sum(values: Any) -> Decimal:
    total = _ZERO
    for value in values:
        total = _EXACT.add(total, value)
    return total
