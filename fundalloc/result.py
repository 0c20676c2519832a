"""The allocation result, columnar: ids, whole steps, targets, bounded amounts and the
per-stage breakdown as arrays in table order; amounts by id, breakdowns and explanations
built on demand from them.

Nothing here prints or writes: the HTML shown in Jupyter, the CSV file and every other
output are rendered by :mod:`fundalloc.io` (the methods here delegate to it).

How the breakdown reconciles exactly
------------------------------------
Each region's amount is the sum of its items: each factor's (or quota's)
contribution per tranche, the effect of the tranche's coefficients, the effect of
the bounds (the binding floor or cap, or for free regions the proportional
adjustment ``(λ − 1) · t`` that funds the others' floors or spreads their caps),
and the rounding effect. Every item but the last is the stage's value quantised to
a millionth of the step (exactly as ``Decimal(x).quantize`` does, half to even); the
rounding item is the final amount minus their sum, so the items add up to the amount
exactly. The columns hold each item as a whole number of that quantum (int64, or
Python ints beyond it), so the sums are integer sums; :class:`RegionBreakdown` shows
them as Decimal.
"""

from __future__ import annotations

import bisect
import functools
import os
from collections.abc import Callable, ItemsView, Iterator, Mapping, ValuesView
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt

from fundalloc.errors import DataError, Problem
from fundalloc.factors import normalised_weights
from fundalloc.i18n import CATALOGUE, LANGUAGES, Lang, Message, tr
from fundalloc.io.atomic import write_atomic  # re-exported: it used to live here
from fundalloc.money import format_amount
from fundalloc.trace import LeafTrace, Trace  # re-exported: they used to live here

if TYPE_CHECKING:
    from fundalloc.scheme import Scheme
    from fundalloc.table import RegionTable

__all__ = [
    "BOUND_STAGES",
    "METHOD_NAMES",
    "STAGE_NAMES",
    "Allocation",
    "Amounts",
    "BreakdownColumns",
    "Item",
    "ItemColumn",
    "LeafTrace",
    "RegionBreakdown",
    "Trace",
    "method_name",
    "stage_name",
    "write_atomic",
]

#: The message of each breakdown stage (``Item.stage``).
_STAGE_MESSAGES: dict[str, str] = {
    "factor": "output.stage.factor",
    "quota": "output.stage.quota",
    "coefficients": "output.stage.coefficients",
    "floor": "output.stage.floor",
    "cap": "output.stage.cap",
    "adjustment": "output.stage.adjustment",
    "group": "output.stage.group",
    "rounding": "output.stage.rounding",
}
#: The message of each rounding method (``Scheme.method``).
_METHOD_MESSAGES: dict[str, str] = {
    "largest_remainder": "output.method.largest_remainder",
    "jefferson": "output.method.jefferson",
    "webster": "output.method.webster",
    "huntington_hill": "output.method.huntington_hill",
    "adams": "output.method.adams",
    "half_up": "output.method.half_up",
}


def _by_language(messages: Mapping[str, str]) -> dict[str, dict[str, str]]:
    return {
        lang: {key: CATALOGUE[message][k] for key, message in messages.items()}
        for k, lang in enumerate(LANGUAGES)
    }


#: The stages of a breakdown by language (from the catalogue), for tables and plots.
STAGE_NAMES: dict[str, dict[str, str]] = _by_language(_STAGE_MESSAGES)
#: The rounding methods by language (from the catalogue).
METHOD_NAMES: dict[str, dict[str, str]] = _by_language(_METHOD_MESSAGES)
#: The bound stages of :attr:`BreakdownColumns.bound_stage`, by code (0: no bound item).
BOUND_STAGES: tuple[str, ...] = ("", "floor", "cap", "adjustment", "group")


def stage_name(stage: str) -> Message:
    """The name of a breakdown stage, in the language current when shown."""
    return tr(_STAGE_MESSAGES[stage])


def method_name(method: str) -> Message | str:
    """The name of a rounding method, in the language current when shown."""
    return tr(_METHOD_MESSAGES[method]) if method in _METHOD_MESSAGES else method


@dataclass(frozen=True)
class Item:
    """One line of a region's breakdown.

    ``stage`` is one of ``factor``, ``quota``, ``coefficients``, ``floor``, ``cap``,
    ``adjustment``, ``group`` (a group constraint binds), ``rounding``; ``tranche`` the
    tranche path joined by "/".
    """

    stage: str
    tranche: str
    name: str
    amount: Decimal


@dataclass(frozen=True)
class RegionBreakdown:
    """A region's amount and the items that add up to it exactly."""

    region: str
    amount: Decimal
    items: tuple[Item, ...]

    @property
    def target(self) -> Decimal:
        """The formula target: the factor, quota and coefficient items."""
        return sum(
            (i.amount for i in self.items if i.stage in ("factor", "quota", "coefficients")),
            Decimal(0),
        )


@dataclass(frozen=True)
class ItemColumn:
    """One breakdown item that every region has (a factor's or quota's contribution, a
    tranche's coefficients), as whole quanta per region."""

    stage: str
    tranche: str
    name: str
    quanta: npt.NDArray[Any]


@dataclass(frozen=True)
class BreakdownColumns:
    """Every region's breakdown as columns, in the order of the regions asked for.

    Each amount is a whole number of quanta of ``10**exponent`` (int64, or Python ints
    where int64 would overflow). ``items`` are the items every region has; then the bound
    item, present where ``bound_stage`` (a code into :data:`BOUND_STAGES`) is not 0, named
    ``bound_names[bound_name]`` (the bound's label in the language current when it is read:
    ``bound_labels`` makes each); then the rounding item. ``amount`` is the final amount in
    quanta: the items add up to it exactly.
    """

    ids: tuple[str, ...]
    exponent: int
    items: tuple[ItemColumn, ...]
    bound_stage: npt.NDArray[np.int8]
    bound_name: npt.NDArray[np.intp]
    bound_labels: tuple[Callable[[], str], ...]
    bound: npt.NDArray[Any]
    rounding: npt.NDArray[Any]
    amount: npt.NDArray[Any]
    units: npt.NDArray[Any]
    step: Decimal
    method: str

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def bound_names(self) -> tuple[str, ...]:
        """The bound items' names, in the current language."""
        from fundalloc.i18n import language

        lang = language()
        cache: dict[str, tuple[str, ...]] = self.__dict__.setdefault("_names", {})
        if lang not in cache:
            cache[lang] = tuple(label() for label in self.bound_labels)
        return cache[lang]

    def decimal(self, quanta: int) -> Decimal:
        """A whole number of quanta as the Decimal the breakdown shows."""
        return Decimal(int(quanta)).scaleb(self.exponent)

    def target(self) -> npt.NDArray[Any]:
        """The formula target in quanta: the sum of the factor, quota and coefficient items."""
        total: npt.NDArray[Any] = np.zeros(len(self.ids), dtype=_dtype(*self._arrays()))
        for item in self.items:
            total = total + item.quanta
        return total

    def _arrays(self) -> list[npt.NDArray[Any]]:
        return [c.quanta for c in self.items] + [self.bound, self.rounding, self.amount]

    def region(self, i: int) -> RegionBreakdown:
        """The breakdown of the i-th region of the columns."""
        d = self.decimal
        items = [Item(c.stage, c.tranche, c.name, d(c.quanta[i])) for c in self.items]
        code = int(self.bound_stage[i])
        if code:
            items.append(
                Item(BOUND_STAGES[code], "", self.bound_names[self.bound_name[i]], d(self.bound[i]))
            )
        items.append(Item("rounding", "", self.method, d(self.rounding[i])))
        return RegionBreakdown(self.ids[i], int(self.units[i]) * self.step, tuple(items))

    def floats(self, quanta: npt.NDArray[Any]) -> npt.NDArray[np.float64]:
        """A column in quanta as binary64 amounts (for tables and plots)."""
        scale = Decimal(1).scaleb(self.exponent)
        if quanta.dtype == object:
            return np.array([float(int(q) * scale) for q in quanta.tolist()], dtype=np.float64)
        return quanta.astype(np.float64) / float(10 ** (-self.exponent))

    def plain(self, quanta: npt.NDArray[Any]) -> list[str]:
        """A column in quanta as the text an output writes (as :func:`plain_decimal` does)."""
        return plain_quanta(quanta, self.exponent)


def plain_decimal(value: Decimal) -> str:
    """A Decimal as outputs write it: a whole number without its trailing ``.000``, any
    other as it is, never in exponent form.

    >>> [plain_decimal(Decimal(x)) for x in ("37.000000", "12.50", "1E+2")]
    ['37', '12.50', '100']
    """
    if value == value.to_integral_value():
        return format(value.normalize(), "f")
    return format(value, "f")


def _fixed_texts(values: npt.NDArray[Any], places: int) -> list[str] | None:
    """Whole numbers ``q`` as the text of ``q / 10**places`` with its trailing zeros kept
    and ``.000…`` dropped, formatted in one C loop; None when the numbers are too large for
    binary64 to carry every digit (|q| ≥ 2^50)."""
    if values.dtype == object or not len(values):
        return None if len(values) else []
    if int(np.abs(values).max()) >= 2**50:
        return None
    floats = values.astype(np.float64) / float(10**places) if places else values.astype(np.float64)
    text = (f"%.{places}f\n" * len(floats)) % tuple(floats.tolist())
    if places:
        text = text.replace("." + "0" * places + "\n", "\n")
    return text.split("\n")[:-1]


def plain_quanta(quanta: npt.NDArray[Any] | list[int], exponent: int) -> list[str]:
    """Whole numbers of quanta of ``10**exponent`` as :func:`plain_decimal` writes the
    Decimal ``q·10**exponent`` (without building a Decimal per number).

    >>> plain_quanta([37000000, 12500000, -1, 0], -6)
    ['37', '12.500000', '-0.000001', '0']
    """
    if exponent < 0:
        fast = _fixed_texts(np.asarray(quanta), -exponent)
        if fast is not None:
            return fast
    values = quanta.tolist() if isinstance(quanta, np.ndarray) else list(quanta)
    if exponent >= 0:
        scale = 10**exponent
        return [str(int(q) * scale) for q in values]
    places = -exponent
    unit = 10**places
    out = []
    for q in values:
        q = int(q)
        whole, part = divmod(abs(q), unit)
        sign = "-" if q < 0 else ""
        out.append(f"{sign}{whole}" if not part else f"{sign}{whole}.{part:0{places}d}")
    return out


def plain_steps(units: npt.NDArray[Any], step: Decimal) -> list[str]:
    """Whole steps as :func:`plain_decimal` writes ``units · step``.

    >>> plain_steps(np.array([1, 25, 30]), Decimal("0.1"))
    ['0.1', '2.5', '3']
    """
    sign, digits, exponent = step.as_tuple()
    coefficient = int("".join(map(str, digits))) * (-1 if sign else 1)
    exponent = int(exponent)
    units = np.asarray(units)
    if exponent >= 0:
        scale = coefficient * 10**exponent
        if units.dtype != object and int(np.abs(units).max(initial=0)) * abs(scale) < 2**62:
            texts: list[str] = (units.astype(np.int64) * scale).astype(str).tolist()
            return texts
        return [str(int(u) * scale) for u in units.tolist()]
    if units.dtype != object and int(np.abs(units).max(initial=0)) * abs(coefficient) < 2**50:
        return plain_quanta(units.astype(np.int64) * coefficient, exponent)
    return plain_quanta(
        np.array([int(u) * coefficient for u in units.tolist()], dtype=object), exponent
    )


_INT64_SAFE = 2**62


def _dtype(*arrays: npt.NDArray[Any]) -> Any:
    return object if any(a.dtype == object for a in arrays) else np.int64


def _quantise(values: npt.NDArray[np.float64], exponent: int) -> npt.NDArray[Any]:
    """Each binary64 value as a whole number of quanta of ``10**exponent``, exactly as
    ``Decimal(value).quantize(Decimal(1).scaleb(exponent), ROUND_HALF_EVEN)`` gives it.

    ``rint(value · 10**-exponent)`` is that number except where the product's rounding error
    may cross a half (or the product is too large to hold every integer); those values are
    done in Decimal. The result is int64, or Python ints where int64 would not hold them.
    """
    values = np.asarray(values, dtype=np.float64)
    scaled = values * float(10 ** (-exponent)) if exponent < 0 else values / 10.0**exponent
    near_half = np.abs(scaled - np.floor(scaled) - 0.5) <= 4 * np.spacing(np.abs(scaled))
    careful = near_half | ~(np.abs(scaled) < 2.0**52) | (exponent > 0)
    if not careful.any():
        return np.rint(scaled).astype(np.int64)
    quantum = Decimal(1).scaleb(exponent)
    exact = {
        int(k): int(
            Decimal(float(values[k])).quantize(quantum, rounding=ROUND_HALF_EVEN).scaleb(-exponent)
        )
        for k in np.flatnonzero(careful).tolist()
        if np.isfinite(values[k])
    }
    if all(-_INT64_SAFE < v < _INT64_SAFE for v in exact.values()):
        out = np.where(careful, 0, np.rint(np.where(careful, 0.0, scaled))).astype(np.int64)
        for k, v in exact.items():
            out[k] = v
        return out
    quick = np.where(careful, 0.0, scaled)
    big = np.array([int(v) for v in np.rint(quick).tolist()], dtype=object)
    for k, v in exact.items():
        big[k] = v
    return big


def _exact(array: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """An int64 array as Python ints (object), for sums that might pass int64."""
    return array.astype(object) if array.dtype != object else array


def _fits(*arrays: npt.NDArray[Any]) -> bool:
    """Whether a sum of these int64 arrays stays inside int64."""
    if any(a.dtype == object for a in arrays):
        return False
    bound = sum(int(np.abs(a).max(initial=0)) for a in arrays)
    return bound < _INT64_SAFE


#: The most regions the HTML table of an allocation (in Jupyter) lists in full; above that
#: it shows the first and last half of this many.
_HTML_ROWS = 20


class _Breakdowns(Mapping[str, RegionBreakdown]):
    """Region id to its breakdown, in table order, built on demand: one region's is made
    from that region's numbers alone; iterating over all uses the columns."""

    def __init__(self, result: Allocation) -> None:
        self._result = result

    def __getitem__(self, region: str) -> RegionBreakdown:
        result = self._result
        if "breakdown_columns" in result.__dict__:
            return result.breakdown_columns.region(result._row(region))
        k = result._position(region)
        return result._columns_at(np.array([k], dtype=np.intp)).region(0)

    def __iter__(self) -> Iterator[str]:
        return iter(self._result.table.ids)

    def __len__(self) -> int:
        return len(self._result.table)

    def __contains__(self, region: object) -> bool:
        try:
            self._result._position(region)  # type: ignore[arg-type]
        except (DataError, TypeError):
            return False
        return True

    def values(self) -> Iterator[RegionBreakdown]:  # type: ignore[override]
        columns = self._result.breakdown_columns
        return (columns.region(i) for i in range(len(columns)))

    def items(self) -> Iterator[tuple[str, RegionBreakdown]]:  # type: ignore[override]
        columns = self._result.breakdown_columns
        return ((columns.ids[i], columns.region(i)) for i in range(len(columns)))


class Amounts(Mapping[str, Decimal]):
    """Region id to its final amount: a read-only view over the allocation's whole steps.

    Iterates in table row order; a Decimal is made only when an amount is read, so that
    reading every amount of 10^6 regions costs one multiplication each, not a dict of them
    first. Equal to any mapping with the same items; ``repr`` shows it as a dict.

    >>> Amounts(("甲", "乙"), np.array([3, 4]), Decimal("0.5"))
    {'甲': Decimal('1.5'), '乙': Decimal('2.0')}
    """

    __slots__ = ("_ids", "_index", "_step", "_units")

    def __init__(self, ids: tuple[str, ...], units: npt.NDArray[np.int64], step: Decimal) -> None:
        self._ids = ids
        self._units = units
        self._step = step
        self._index: dict[str, int] | None = None

    def __getitem__(self, region: str) -> Decimal:
        if self._index is None:
            self._index = {r: k for k, r in enumerate(self._ids)}
        return int(self._units[self._index[region]]) * self._step

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, region: object) -> bool:
        if self._index is None:
            self._index = {r: k for k, r in enumerate(self._ids)}
        return region in self._index

    def values(self) -> _AmountValues:
        return _AmountValues(self)

    def items(self) -> _AmountItems:
        return _AmountItems(self)

    def _decimals(self) -> Iterator[Decimal]:
        step = self._step
        return (u * step for u in self._units.tolist())

    def __repr__(self) -> str:
        return repr(dict(self.items()))


class _AmountValues(ValuesView[Decimal]):
    _mapping: Amounts

    def __iter__(self) -> Iterator[Decimal]:
        return self._mapping._decimals()


class _AmountItems(ItemsView[str, Decimal]):
    _mapping: Amounts

    def __iter__(self) -> Iterator[tuple[str, Decimal]]:
        return zip(self._mapping._ids, self._mapping._decimals(), strict=True)


class Allocation:
    """The result of :func:`fundalloc.allocate`, columnar.

    Arrays in table row order: :attr:`units` (whole steps), :attr:`target_values`,
    :attr:`bounded_values`, :attr:`breakdown_columns`; views by id built on demand:
    :attr:`amounts`, :attr:`targets`, :attr:`breakdown`.

    Attributes
    ----------
    scheme : Scheme
        The scheme that was applied.
    table : RegionTable
        The regions, in the order given.
    trace : Trace
        Every stage, in region-id order.
    """

    def __init__(self, *, table: RegionTable, scheme: Scheme, trace: Trace) -> None:
        self.table = table
        self.scheme = scheme
        self.trace = trace

    # ------------------------------------------------------------------ columns
    @property
    def ids(self) -> tuple[str, ...]:
        """The region ids, in table row order."""
        return self.table.ids

    @cached_property
    def _inverse(self) -> npt.NDArray[np.intp]:
        """For each table row, its position in the trace (id order)."""
        inverse = np.empty(len(self.trace.order), dtype=np.intp)
        inverse[self.trace.order] = np.arange(len(self.trace.order), dtype=np.intp)
        return inverse

    def _in_rows(self, values: npt.NDArray[Any]) -> npt.NDArray[Any]:
        out = values[self._inverse]
        out.flags.writeable = False
        return out

    @cached_property
    def units(self) -> npt.NDArray[Any]:
        """Whole steps per region, in table row order (int64, or Python ints beyond it)."""
        return self._in_rows(np.asarray(self.trace.units))

    @cached_property
    def target_values(self) -> npt.NDArray[np.float64]:
        """The formula target per region, in table row order."""
        return self._in_rows(np.asarray(self.trace.targets, dtype=np.float64))

    @cached_property
    def bounded_values(self) -> npt.NDArray[np.float64]:
        """The amount after floors, caps and group constraints, before rounding, per
        region in table row order."""
        return self._in_rows(np.asarray(self.trace.bounded, dtype=np.float64))

    @cached_property
    def amount_values(self) -> npt.NDArray[np.float64]:
        """The final amounts as binary64 (for tables and plots; exact: :attr:`amounts`)."""
        step = self.scheme.step
        if self.units.dtype != object and float(np.abs(self.units).max(initial=0)) < 2.0**53:
            exponent = int(step.as_tuple().exponent)
            if exponent < 0:
                coefficient = float(step.scaleb(-exponent))
                return self.units.astype(np.float64) * coefficient / float(10**-exponent)
            return self.units.astype(np.float64) * float(step)
        return np.array([float(int(u) * step) for u in self.units.tolist()], dtype=np.float64)

    @cached_property
    def share_values(self) -> npt.NDArray[np.float64]:
        """Each final amount over the total."""
        total = float(self.scheme.total)
        return self.amount_values / total if total else np.zeros(len(self.table))

    @cached_property
    def breakdown_columns(self) -> BreakdownColumns:
        """Every region's breakdown as columns, in table row order."""
        return self._columns_at(self._inverse)

    # ------------------------------------------------------------------ amounts
    @cached_property
    def amounts(self) -> Amounts:
        """Region id to its final amount (Decimal), in table row order.

        A read-only mapping over the whole steps: each Decimal is made when it is read
        (iterating over ``values()`` or ``items()`` does not build a dict first), and it
        compares equal to a dict with the same items.
        """
        return Amounts(self.table.ids, self.units, self.scheme.step)

    @property
    def allocated(self) -> Decimal:
        """The sum of the final amounts (the total, except with ``half_up``)."""
        steps: int = sum(self.units.tolist(), 0)
        return steps * self.scheme.step

    @property
    def total(self) -> Decimal:
        """The scheme's total."""
        return self.scheme.total

    @property
    def unallocated(self) -> Decimal:
        """The rounding residual (尾差) left unallocated; zero except with ``half_up``."""
        return self.trace.unallocated_units * self.scheme.step

    @property
    def multiplier(self) -> float:
        """The common λ of the bounded solve (1 when no bound binds)."""
        return self.trace.multiplier

    @cached_property
    def targets(self) -> dict[str, float]:
        """Region id to its formula target before bounds and rounding."""
        return dict(zip(self.table.ids, self.target_values.tolist(), strict=True))

    @property
    def ties(self) -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
        """Each tie broken in rounding: (regions that got the unit, regions with an equal claim
        that did not)."""
        ids = self.trace.ids
        return tuple(
            (tuple(ids[i] for i in t.winners), tuple(ids[i] for i in t.losers))
            for t in self.trace.ties
        )

    def __repr__(self) -> str:
        name = f"{self.scheme.name}: " if self.scheme.name else ""
        return (
            f"<Allocation {name}{format_amount(self.total)} {self.scheme.unit} to "
            f"{len(self.table)} regions by {self.scheme.method}>"
        )

    def _repr_html_(self) -> str:
        """The allocation as a compact HTML table, for Jupyter (see
        :func:`fundalloc.io.reprs.allocation_html`)."""
        from fundalloc.io.reprs import allocation_html

        return allocation_html(self, rows=_HTML_ROWS)

    # ------------------------------------------------------------------ breakdown
    def _exponent(self) -> int:
        exponent = self.scheme.step.normalize().as_tuple().exponent
        return min(int(exponent), 0) - 6

    def _position(self, region: str) -> int:
        """The trace position (id order) of ``region``, by bisection over the sorted ids."""
        ids = self.trace.ids
        k = bisect.bisect_left(ids, region) if isinstance(region, str) else len(ids)
        if k < len(ids) and ids[k] == region:
            return k
        import difflib

        close = (
            difflib.get_close_matches(str(region), ids, n=1, cutoff=0.5) if len(ids) < 10**5 else []
        )
        raise DataError(
            Problem(
                str(region),
                tr("output.no_such_region"),
                hint=tr("output.did_you_mean", name=repr(close[0])) if close else None,
            )
        )

    _region = _position  # the name plots and others call

    def _row(self, region: str) -> int:
        return int(self.trace.order[self._position(region)])

    def _bindings(
        self, ks: npt.NDArray[np.intp]
    ) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.intp], tuple[Callable[[], str], ...]]:
        """Which bound item the regions at trace positions ``ks`` have: codes into
        :data:`BOUND_STAGES`, and the index of each one's label.

        Read from the trace (:attr:`~fundalloc.trace.Trace.holds`, decided by the solver):
        a region held by a floor, a cap or a group constraint has that item; a free region
        whose bounded amount differs from its formula target (the common λ moved it) has
        the proportional adjustment; excluded regions and untouched ones have none."""
        from fundalloc.trace import Hold

        trace, limits, unit = self.trace, self.trace.limits, self.scheme.unit
        holds = np.asarray(trace.holds)[ks]
        held_by = np.asarray(trace.held_by)[ks]
        targets, bounded = trace.targets[ks], trace.bounded[ks]
        floor, cap, group = holds == Hold.FLOOR, holds == Hold.CAP, holds == Hold.GROUP
        adjustment = (holds == Hold.FREE) & (
            np.abs(bounded - targets) > 1e-12 * np.maximum(1.0, np.abs(targets))
        )
        code = np.zeros(len(ks), dtype=np.int8)
        code[floor], code[cap], code[adjustment], code[group] = 1, 2, 3, 4
        names: list[Callable[[], str]] = [str]
        index = np.zeros(len(ks), dtype=np.intp)
        for mask in (floor, cap):
            for b in np.unique(held_by[mask]).tolist():
                names.append(functools.partial(limits.bounds[b].label, unit))
                index[mask & (held_by == b)] = len(names) - 1
        if adjustment.any():
            names.append(tr("output.lambda", value=f"{trace.multiplier:.6g}").render)
            index[adjustment] = len(names) - 1
        for row in np.unique(held_by[group]).tolist():
            names.append(functools.partial(str, trace.row_labels[row]))
            index[group & (held_by == row)] = len(names) - 1
        return code, index, tuple(names)

    def _columns_at(self, ks: npt.NDArray[np.intp]) -> BreakdownColumns:
        """The breakdown of the regions at trace positions ``ks`` (vectorised)."""
        trace, scheme = self.trace, self.scheme
        exponent = self._exponent()

        def q(values: npt.NDArray[np.float64]) -> npt.NDArray[Any]:
            return _quantise(np.asarray(values, dtype=np.float64)[ks], exponent)

        def minus(a: npt.NDArray[Any], b: npt.NDArray[Any]) -> npt.NDArray[Any]:
            difference: npt.NDArray[Any] = a - b if _fits(a, b) else _exact(a) - _exact(b)
            return difference

        items: list[ItemColumn] = []
        for leaf in trace.leaves:
            path = "/".join(leaf.path)
            if leaf.tranche.quota is not None:
                quota = leaf.tranche.quota
                items.append(
                    ItemColumn("quota", path, f"{quota.column} × {quota.rate:g}", q(leaf.targets))
                )
                continue
            items += [
                ItemColumn("factor", path, name, q(leaf.contributions[j]))
                for j, name in enumerate(leaf.factor_names)
            ]
            if leaf.coefficient_names:
                items.append(
                    ItemColumn(
                        "coefficients",
                        path,
                        ", ".join(leaf.coefficient_names),
                        minus(q(leaf.targets), q(leaf.before)),
                    )
                )
        code, name_index, names = self._bindings(ks)
        bound = minus(q(trace.bounded), q(trace.targets))
        bound = np.where(code > 0, bound, 0).astype(bound.dtype)
        units = np.asarray(trace.units)[ks]
        per_step = int(scheme.step.scaleb(-exponent))
        columns = [c.quanta for c in items] + [bound]
        if (
            _fits(units * 0, *columns)
            and float(np.abs(units).max(initial=0)) * per_step < _INT64_SAFE
        ):
            amount = units.astype(np.int64) * per_step
            if _fits(amount, *columns):
                rounding = amount - sum(columns, np.zeros(len(ks), dtype=np.int64))
            else:
                amount, rounding = self._exact_rounding(units, per_step, columns)
        else:
            amount, rounding = self._exact_rounding(units, per_step, columns)
        return BreakdownColumns(
            ids=tuple(trace.ids[k] for k in ks.tolist()),
            exponent=exponent,
            items=tuple(items),
            bound_stage=code,
            bound_name=name_index,
            bound_labels=names,
            bound=bound,
            rounding=rounding,
            amount=amount,
            units=units,
            step=scheme.step,
            method=scheme.method,
        )

    @staticmethod
    def _exact_rounding(
        units: npt.NDArray[Any], per_step: int, columns: list[npt.NDArray[Any]]
    ) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
        amount = np.array([int(u) * per_step for u in units.tolist()], dtype=object)
        spent = sum((_exact(c) for c in columns), np.zeros(len(units), dtype=object))
        return amount, amount - spent

    @property
    def breakdown(self) -> Mapping[str, RegionBreakdown]:
        """Region id to its breakdown, whose items add up exactly to the amount.

        A view: one region's breakdown is built from that region's numbers when it is read;
        iterating over every region uses :attr:`breakdown_columns`."""
        return _Breakdowns(self)

    # ------------------------------------------------------------------ explain
    def explain(self, region: str, *, lang: Lang = "zh") -> str:
        """A readable account of one region's amount, rendered from the trace.

        Parameters
        ----------
        region : str
            The region id.
        lang : {"zh", "en"}
            The language of the account (its lines come from the catalogue,
            :mod:`fundalloc.i18n.output`).

        Raises
        ------
        DataError
            If there is no such region (with the closest id as a hint).
        SchemeError
            If ``lang`` is neither ``"zh"`` nor ``"en"``.
        """
        from fundalloc.i18n import _check

        lang = _check(lang)
        k = self._position(region)
        trace, unit = self.trace, self.scheme.unit
        parts = self._columns_at(np.array([k], dtype=np.intp)).region(0)

        def say(key: str, **params: Any) -> str:
            return tr(key, **params).render(lang)

        def money(amount: Decimal, sign: bool = True) -> str:
            mark = "+" if sign and amount > 0 else ("−" if amount < 0 else "")
            return f"{mark}{format_amount(abs(amount), 6)} {unit}"

        lines = [say("output.explain.head", region=region, amount=money(parts.amount, False))]
        if not trace.taking_part[k]:
            condition = self.scheme.eligibility[int(trace.excluded_by[k])]
            lines.append(say("output.explain.excluded", condition=condition.describe()))
            return "\n".join(lines)
        row = self.table.take(trace.order[k : k + 1])
        for leaf in trace.leaves:
            path = "/".join(leaf.path)
            size = money(Decimal(repr(round(leaf.amount, 6))), sign=False)
            if not leaf.taking_part[k]:
                failed = [c.describe() for c in leaf.tranche.eligibility if not c.test(row)[0]]
                lines.append(
                    say("output.explain.tranche_out", path=path, amount=size, conditions=failed)
                )
                continue
            lines.append(say("output.explain.tranche", path=path, amount=size))
            weights = (
                normalised_weights(leaf.tranche.factors) if leaf.tranche.factors else np.zeros(0)
            )
            for item in parts.items:
                if item.tranche != path:
                    continue
                if item.stage == "factor":
                    j = leaf.factor_names.index(item.name)
                    size_j = leaf.amount * weights[j]
                    share = leaf.contributions[j, k] / size_j if size_j > 0 else 0.0
                    lines.append(
                        say(
                            "output.explain.factor",
                            name=item.name,
                            weight=float(weights[j]),
                            share=float(share),
                            amount=money(item.amount, sign=False),
                        )
                    )
                elif item.stage == "quota":
                    lines.append(
                        say(
                            "output.explain.quota", name=item.name, amount=money(item.amount, False)
                        )
                    )
                elif item.stage == "coefficients":
                    factors = " × ".join(
                        f"{name} ×{leaf.multipliers[c, k]:.4g}"
                        for c, name in enumerate(leaf.coefficient_names)
                    )
                    lines.append(
                        say(
                            "output.explain.coefficients",
                            factors=factors,
                            amount=money(item.amount),
                        )
                    )
        lines.append(say("output.explain.target", amount=money(parts.target, sign=False)))
        for item in parts.items:
            if item.stage in ("floor", "cap", "adjustment"):
                key = {
                    "floor": "output.explain.floor",
                    "cap": "output.explain.cap",
                    "adjustment": "output.explain.adjustment",
                }[item.stage]
                lines.append(say(key, name=item.name, amount=money(item.amount)))
            elif item.stage == "group":
                ratio = float(self.trace.region_multipliers[k])  # type: ignore[index]
                lines.append(
                    say(
                        "output.explain.group",
                        name=item.name,
                        ratio=ratio,
                        amount=money(item.amount),
                    )
                )
            elif item.stage == "rounding":
                lines.append(
                    say(
                        "output.explain.rounding",
                        method=method_name(item.name),
                        step=f"{format_amount(self.scheme.step)} {unit}",
                        amount=money(item.amount),
                    )
                )
        for tie in trace.ties:
            if k in tie.winners or k in tie.losers:
                others = [trace.ids[i] for i in (*tie.winners, *tie.losers) if i != k]
                outcome = tr(
                    "output.explain.tie_won" if k in tie.winners else "output.explain.tie_lost"
                )
                lines.append(say("output.explain.tie", others=others, outcome=outcome))
        lines.append(say("output.explain.total", amount=money(parts.amount, sign=False)))
        return "\n".join(lines)

    # ------------------------------------------------------------------ export
    def to_records(self, *, detail: bool = False) -> list[dict[str, Any]]:
        """One mapping per region in table order: id and amount (exact Decimal), and with
        ``detail`` the target and every breakdown item (keys like
        ``"factor:因素/贫困人口"``).

        Examples
        --------
        For the example of :func:`fundalloc.allocate`, ``to_records()[0]`` is
        ``{"地区": "甲市", "amount": Decimal("37")}``.
        """
        from fundalloc.io.frames import records

        return records(self, detail=detail)

    def to_arrow(
        self, *, detail: bool = False, exact: bool = False, lang: Lang | None = None
    ) -> Any:
        """The allocation as a pyarrow Table, numeric (see :func:`fundalloc.io.frames.columns`):
        id, formula target, bounded amount, amount (float64), whole steps (int64), share;
        ``detail`` adds every breakdown item (float64), ``exact`` the amount as decimal."""
        from fundalloc.io.frames import to_arrow

        return to_arrow(self, detail=detail, exact=exact, lang=lang)

    def to_pandas(
        self, *, detail: bool = False, exact: bool = False, lang: Lang | None = None
    ) -> Any:
        """The allocation as a pandas DataFrame, numeric (columns as :meth:`to_arrow`;
        ``exact`` adds an object column of Decimal amounts)."""
        from fundalloc.io.frames import to_pandas

        return to_pandas(self, detail=detail, exact=exact, lang=lang)

    def to_polars(
        self, *, detail: bool = False, exact: bool = False, lang: Lang | None = None
    ) -> Any:
        """The allocation as a polars DataFrame, numeric (columns as :meth:`to_arrow`;
        ``exact`` adds a decimal column)."""
        from fundalloc.io.frames import to_polars

        return to_polars(self, detail=detail, exact=exact, lang=lang)

    def to_dataframe(
        self,
        *,
        library: Literal["pandas", "polars"] = "pandas",
        detail: bool = False,
        exact: bool = False,
        lang: Lang | None = None,
    ) -> Any:
        """:meth:`to_pandas` or :meth:`to_polars` (imported only now)."""
        if library == "polars":
            return self.to_polars(detail=detail, exact=exact, lang=lang)
        return self.to_pandas(detail=detail, exact=exact, lang=lang)

    def to_csv(self, path: str | os.PathLike[str], *, detail: bool = False) -> None:
        """Write the records as CSV in UTF-8 with a byte-order mark (so Excel shows Chinese).

        The file is written to a temporary name and renamed, so a failed run never
        leaves a half-written file (see :func:`fundalloc.io.frames.records_csv`).
        """
        from fundalloc.io.frames import records_csv

        write_atomic(path, records_csv(self, detail=detail))
