"""Constraints across regions: what a group of regions gets together.

A group is the regions taking part that meet all ``where`` conditions and, when
``regions`` is given, are among those ids: province-administered counties
(``kind == "省直管县"``), border counties, the counties of one city (``parent == "济宁市"``).

- :class:`GroupFloor`: the group together gets at least an ``amount`` or a ``share`` of the
  total (不低于);
- :class:`GroupCap`: at most an ``amount`` or a ``share`` of the total (不高于);
- :class:`GroupRatio`: the group gets at least / at most ``ratio`` times what another group
  (``of_where`` / ``of_regions``; every region taking part when both are empty) gets.

How they are met, in the proportional sense of the per-region bounds: each region still
gets ``clip(m_i · t_i, lo_i, hi_i)``, where the multiplier ``m_i`` is the common λ except in
the groups whose constraint binds, which get their own. When the groups do not overlap
(every county in at most one constrained group) this is solved exactly without an LP (see
:func:`fundalloc.solvers.groups.solve_partitioned`); otherwise by the quadratic programme of
:mod:`fundalloc.solvers.qp`, whose optimum is the same rule.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from typing import TYPE_CHECKING, Annotated, Any, Literal

import numpy as np
import numpy.typing as npt
from pydantic import Field, model_validator

from fundalloc.conditions import Condition
from fundalloc.data import Data, Need
from fundalloc.errors import DataError, Problem
from fundalloc.i18n import Message, text, tr
from fundalloc.money import format_amount
from fundalloc.spec import Spec
from fundalloc.types import EMPTY, NONE, BoolArray, FloatArray, Items, OptionalAmount

if TYPE_CHECKING:
    from fundalloc.i18n import Lang

IntArray = npt.NDArray[np.int64]

__all__ = [
    "CONSTRAINTS",
    "Constraint",
    "GroupCap",
    "GroupFloor",
    "GroupRatio",
    "Row",
    "broken_rows",
    "rows_of",
]


def _members(
    where: Sequence[Condition], regions: Sequence[str], data: Data, taking_part: BoolArray
) -> BoolArray:
    mask = taking_part.copy()
    for condition in where:
        mask &= condition.test(data)
    if regions:
        named = frozenset(regions)
        unknown = sorted(named.difference(data.ids))
        if unknown:
            raise DataError(
                Problem(
                    tr("solve.where_constraints"),
                    tr("solve.group.unknown_regions"),
                    found=", ".join(unknown[:10]),
                )
            )
        # set membership: np.isin on object arrays compares every pair (27 s at 10^5 regions)
        mask &= np.fromiter((i in named for i in data.ids), dtype=bool, count=len(data.ids))
    return mask


def _describe(where: Sequence[Condition], regions: Sequence[str]) -> Message:
    """The group in words: its conditions and the regions it names (five at most)."""
    parts: list[Message] = [c.description() for c in where]
    if len(regions) > 5:
        parts.append(
            tr("solve.group.regions_more", regions=list(regions[:5]), more=len(regions) - 5)
        )
    elif regions:
        parts.append(tr("solve.group.regions", regions=list(regions)))
    return _joined(parts) if parts else tr("solve.group.all_regions")


def _joined(parts: Sequence[Message]) -> Message:
    """``a and b and c`` (``a 且 b 且 c``), as one message."""
    out = parts[0]
    for part in parts[1:]:
        out = tr("solve.group.both", first=out, second=part)
    return out


class _GroupTotal(Spec):
    name: str = ""
    where: Items[Condition] = Field(default=EMPTY)
    regions: Items[str] = Field(default=EMPTY)
    amount: OptionalAmount = Field(default=NONE, ge=0)
    share: float | None = Field(default=None, ge=0, le=1)

    @model_validator(mode="after")
    def _one(self) -> _GroupTotal:
        if (self.amount is None) == (self.share is None):
            raise ValueError(text("solve.group.amount_or_share"))
        if not self.where and not self.regions:
            raise ValueError(text("solve.group.name_the_group"))
        return self

    def needs(self) -> Iterator[Need]:
        for condition in self.where:
            yield from condition.needs()

    def members(self, data: Data, taking_part: BoolArray) -> BoolArray:
        """Which regions are in the group."""
        return _members(self.where, self.regions, data, taking_part)

    def bound(self, total: Decimal) -> Fraction:
        """The group's floor or cap in the scheme's unit, exactly."""
        if self.amount is not None:
            return Fraction(self.amount)
        assert self.share is not None
        return Fraction(Decimal(repr(self.share)) * total)

    def label(self, unit: str, lang: Lang | None = None) -> str:
        """The constraint's name, else its :meth:`description` in ``lang`` (default: the
        current language)."""
        return self.name or self.description(unit).render(lang)

    def description(self, unit: str) -> Message:
        """The constraint in words, as a message rendered when it is shown."""
        group = _describe(self.where, self.regions)
        floor = isinstance(self, GroupFloor)
        if self.amount is not None:
            key = "solve.group.floor_amount" if floor else "solve.group.cap_amount"
            return tr(key, amount=format_amount(self.amount), unit=unit, group=group)
        key = "solve.group.floor_share" if floor else "solve.group.cap_share"
        return tr(key, share=f"{(self.share or 0.0) * 100:.4g}%", group=group)


class GroupFloor(_GroupTotal):
    """A group of regions together gets at least an amount or a share of the total.

    Examples
    --------
    >>> floor = GroupFloor(where=[Condition(column="kind", op="==", value="县")], share=0.2)
    >>> floor.label("万元", "en")
    "at least 20% of the total together for kind == '县'"
    """

    kind: Literal["group_floor"] = Field(default="group_floor", repr=False)


class GroupCap(_GroupTotal):
    """A group of regions together gets at most an amount or a share of the total.

    Examples
    --------
    >>> GroupCap(regions=["甲市", "乙市"], amount=500).label("万元", "en")
    'at most 500 万元 together for regions 甲市, 乙市'
    >>> GroupCap(regions=["甲市", "乙市"], amount=500).label("万元", "zh")
    '地区 甲市、乙市 合计不高于 500 万元'
    """

    kind: Literal["group_cap"] = Field(default="group_cap", repr=False)


class GroupRatio(Spec):
    """A group gets at least / at most ``ratio`` times what another group gets.

    The other group is ``of_where`` / ``of_regions``; when both are empty it is every region
    taking part, so ``at_least=0.3`` alone says "the group gets at least 30% of what is
    allocated".

    Examples
    --------
    >>> GroupRatio(where=[Condition(column="边境", op="==", value="是")],
    ...            of_where=[Condition(column="边境", op="==", value="否")],
    ...            at_least=0.5).label("万元", "en")
    "at least 0.5 × (边境 == '否') for 边境 == '是'"
    """

    kind: Literal["group_ratio"] = Field(default="group_ratio", repr=False)
    name: str = ""
    where: Items[Condition] = Field(default=EMPTY)
    regions: Items[str] = Field(default=EMPTY)
    of_where: Items[Condition] = Field(default=EMPTY)
    of_regions: Items[str] = Field(default=EMPTY)
    at_least: float | None = Field(default=None, ge=0)
    at_most: float | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _check(self) -> GroupRatio:
        if self.at_least is None and self.at_most is None:
            raise ValueError(text("solve.group.at_least_or_at_most"))
        if self.at_least is not None and self.at_most is not None and self.at_least > self.at_most:
            raise ValueError(
                text(
                    "solve.group.crossed_ratio",
                    at_least=f"{self.at_least:g}",
                    at_most=f"{self.at_most:g}",
                )
            )
        if not self.where and not self.regions:
            raise ValueError(text("solve.group.name_the_group"))
        return self

    def needs(self) -> Iterator[Need]:
        for condition in (*self.where, *self.of_where):
            yield from condition.needs()

    def members(self, data: Data, taking_part: BoolArray) -> BoolArray:
        """Which regions are in the group."""
        return _members(self.where, self.regions, data, taking_part)

    def others(self, data: Data, taking_part: BoolArray) -> BoolArray:
        """Which regions are in the group it is compared with."""
        return _members(self.of_where, self.of_regions, data, taking_part)

    def label(self, unit: str, lang: Lang | None = None) -> str:
        """The constraint's name, else its :meth:`description` in ``lang`` (default: the
        current language)."""
        return self.name or self.description(unit).render(lang)

    def description(self, unit: str) -> Message:
        """The constraint in words, as a message rendered when it is shown."""
        words = []
        if self.at_least is not None:
            words.append(tr("solve.group.at_least", ratio=f"{self.at_least:g}"))
        if self.at_most is not None:
            words.append(tr("solve.group.at_most", ratio=f"{self.at_most:g}"))
        return tr(
            "solve.group.ratio",
            words=_joined(words),
            other=_describe(self.of_where, self.of_regions),
            group=_describe(self.where, self.regions),
        )


Constraint = Annotated[GroupFloor | GroupCap | GroupRatio, Field(discriminator="kind")]

#: Constraint classes by their ``kind`` in scheme files.
CONSTRAINTS: dict[str, type[GroupFloor | GroupCap | GroupRatio]] = {
    "group_floor": GroupFloor,
    "group_cap": GroupCap,
    "group_ratio": GroupRatio,
}


@dataclass(frozen=True)
class Row:
    """One linear constraint ``lower <= Σ_i coefficients_i · a_i <= upper`` on the amounts
    of ``size`` regions.

    ``terms`` holds the row exactly, as (coefficient, region indices) pairs (members: 1,
    others: −ratio), so that rounded amounts are checked in exact arithmetic with one
    integer sum per coefficient; ``source`` indexes the scheme's constraints.
    """

    terms: tuple[tuple[Fraction, IntArray], ...]
    lower: Fraction | None
    upper: Fraction | None
    source: int
    label: str
    size: int

    @cached_property
    def coefficients(self) -> FloatArray:
        """The row as a dense array of floats (made when first asked for: the exact
        group path never needs it)."""
        dense = np.zeros(self.size)
        for c, index in self.terms:
            dense[index] = float(c)
        dense.flags.writeable = False
        return dense

    def holds(self, units: IntArray, step: Fraction) -> bool:
        r"""Whether amounts of ``units`` whole ``step``\ s satisfy the row, exactly."""
        if len(self.terms) == 1 and self.terms[0][0] == 1:
            return self.keeps(int(units[self.terms[0][1]].sum()), step)
        value = step * sum((c * int(units[index].sum()) for c, index in self.terms), Fraction(0))
        return (self.lower is None or value >= self.lower) and (
            self.upper is None or value <= self.upper
        )

    def keeps(self, total: int, step: Fraction) -> bool:
        r"""Whether a group total of ``total`` whole ``step``\ s satisfies the row (a row
        of coefficients 1), in integers."""
        whole = total * step.numerator
        return (
            self.lower is None
            or whole * self.lower.denominator >= self.lower.numerator * step.denominator
        ) and (
            self.upper is None
            or whole * self.upper.denominator <= self.upper.numerator * step.denominator
        )

    @property
    def is_group_total(self) -> bool:
        """Whether the row is a plain group total (every coefficient 1)."""
        return all(c == 1 for c, _ in self.terms)

    @cached_property
    def members(self) -> IntArray:
        """The indices of the regions with a non-zero coefficient, in order."""
        if len(self.terms) == 1:
            return self.terms[0][1]
        return np.sort(np.concatenate([index for _, index in self.terms] or [_NONE]))


_NONE = np.empty(0, dtype=np.int64)
_ONE = Fraction(1)


def runs(groups: Sequence[IntArray]) -> tuple[IntArray, npt.NDArray[np.intp]]:
    """The groups' region indices one after another, and each group's length (for
    :func:`run_sums`)."""
    sizes = np.array([len(g) for g in groups], dtype=np.intp)
    return np.concatenate([*groups, _NONE]).astype(np.int64), sizes


def run_sums(values: npt.NDArray[Any], sizes: npt.NDArray[np.intp]) -> npt.NDArray[Any]:
    """The sums of consecutive runs of ``sizes`` values (0 for an empty run), each run
    summed on its own (exact for integers)."""
    sums: npt.NDArray[Any] = np.zeros(len(sizes), dtype=values.dtype)
    filled = sizes > 0
    if filled.any():
        sums[filled] = np.add.reduceat(values, (np.cumsum(sizes) - sizes)[filled])
    return sums


def broken_rows(rows: Sequence[Row], units: Sequence[int] | IntArray, step: Fraction) -> list[str]:
    r"""The labels of the rows that rounded amounts (whole ``step``\ s) break, checked exactly.

    Group totals (the common case: a row per city) are summed all at once.
    """
    whole = np.asarray(units, dtype=np.int64)
    totals = [row.is_group_total and len(row.terms) == 1 for row in rows]
    index, sizes = runs([row.terms[0][1] for row, total in zip(rows, totals, strict=True) if total])
    group_sums = iter(run_sums(whole[index], sizes).tolist())
    return [
        row.label
        for row, total in zip(rows, totals, strict=True)
        if not (row.keeps(next(group_sums), step) if total else row.holds(whole, step))
    ]


def rows_of(
    constraints: Sequence[GroupFloor | GroupCap | GroupRatio],
    data: Data,
    taking_part: BoolArray,
    total: Decimal,
    unit: str,
) -> list[Row]:
    """The constraints as linear rows over the regions of ``data`` (in its order)."""
    rows: list[Row] = []
    for k, constraint in enumerate(constraints):
        members = constraint.members(data, taking_part)
        label = constraint.label(unit)
        if isinstance(constraint, GroupRatio):
            others = constraint.others(data, taking_part)
            for ratio, is_floor in ((constraint.at_least, True), (constraint.at_most, False)):
                if ratio is None:
                    continue
                r = Fraction(repr(ratio))
                terms = (
                    (Fraction(1), np.flatnonzero(members & ~others)),
                    (1 - r, np.flatnonzero(members & others)),
                    (-r, np.flatnonzero(others & ~members)),
                )
                rows.append(
                    Row(
                        tuple((c, index) for c, index in terms if c != 0 and index.size),
                        Fraction(0) if is_floor else None,
                        None if is_floor else Fraction(0),
                        k,
                        label,
                        len(members),
                    )
                )
            continue
        bound = constraint.bound(total)
        is_floor = isinstance(constraint, GroupFloor)
        rows.append(
            Row(
                ((_ONE, members.nonzero()[0]),),
                bound if is_floor else None,
                None if is_floor else bound,
                k,
                label,
                len(members),
            )
        )
    return rows
