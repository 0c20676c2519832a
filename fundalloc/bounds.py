"""Floors, caps and year-over-year limits, combined per region and checked for feasibility.

Every bound gives a lower or an upper limit per region, in the scheme's unit:

- :class:`Floor` / :class:`Cap` as an ``amount``, a ``share`` of the total, or
  ``rate`` per unit of an indicator (``per``: a per-capita floor);
- :class:`HoldHarmless`: at least ``ratio`` × a previous-amount column (0.9 = not
  below 90% of last year);
- :class:`GrowthCap`: at most ``ratio`` × a previous-amount column (1.2 = at most
  20% growth).

A bound may apply only to the regions meeting its ``where`` conditions. Several
floors give the largest floor, several caps the smallest cap. Regions that do not
take part (scheme eligibility) are held at zero and no bound applies to them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, ClassVar, Literal

import numpy as np
import numpy.typing as npt
from pydantic import Field, model_validator

from fundalloc.conditions import Condition
from fundalloc.data import Data, Need, nonnegative
from fundalloc.errors import InfeasibleError, Problem
from fundalloc.i18n import Message, text, tr
from fundalloc.money import format_amount
from fundalloc.spec import Spec
from fundalloc.types import EMPTY, NONE, BoolArray, FloatArray, Items, OptionalAmount

if TYPE_CHECKING:
    from fundalloc.i18n import Lang

__all__ = [
    "AT_BOUND",
    "BOUNDS",
    "Bound",
    "Cap",
    "Floor",
    "GrowthCap",
    "HoldHarmless",
    "Limits",
    "at_bounds",
    "combine",
]


#: The catalogue ids describing a cap (False) and a floor (True) by amount, share, rate.
_MESSAGES = {
    False: ("solve.bound.cap_amount", "solve.bound.cap_share", "solve.bound.cap_per"),
    True: ("solve.bound.floor_amount", "solve.bound.floor_share", "solve.bound.floor_per"),
}


class _Limit(Spec):
    """Common shape of floors and caps: exactly one of amount, share, or per + rate."""

    name: str = ""
    amount: OptionalAmount = Field(default=NONE, ge=0)
    share: float | None = Field(default=None, ge=0, le=1)
    per: str | None = None
    rate: float | None = Field(default=None, ge=0)
    where: Items[Condition] = Field(default=EMPTY)

    @model_validator(mode="after")
    def _one(self) -> _Limit:
        given = [k for k in ("amount", "share", "per") if getattr(self, k) is not None]
        if len(given) != 1:
            got = given or tr("solve.none")
            raise ValueError(text("solve.bound.one_of", got=got))
        if (self.per is None) != (self.rate is None):
            raise ValueError(text("solve.bound.per_and_rate"))
        return self

    def needs(self) -> Iterator[Need]:
        if self.per is not None:
            yield self.per, "nonnegative"
        for condition in self.where:
            yield from condition.needs()

    def values(self, data: Data, total: Decimal, mask: BoolArray) -> FloatArray:
        n = len(data)
        if self.amount is not None:
            return np.full(n, float(self.amount))
        if self.share is not None:
            return np.full(n, float(total * Decimal(repr(self.share))))
        assert self.per is not None and self.rate is not None
        return float(self.rate) * nonnegative(data, self.per, mask)

    def label(self, unit: str, lang: Lang | None = None) -> str:
        """The bound's name, else its :meth:`description` in ``lang`` (default: the
        current language), for breakdowns, explanations and messages."""
        return self.name or self.description(unit).render(lang)

    def description(self, unit: str) -> Message:
        """The bound in words, as a message rendered when it is shown."""
        amount, share, per = _MESSAGES[isinstance(self, Floor)]
        if self.amount is not None:
            text = tr(amount, amount=format_amount(self.amount), unit=unit)
        elif self.share is not None:
            text = tr(share, share=f"{self.share * 100:.4g}%")
        else:
            text = tr(per, rate=f"{self.rate:g}", unit=unit, per=self.per)
        if self.where:
            conditions = [c.description() for c in self.where]
            text = tr("solve.bound.where", text=text, conditions=conditions)
        return text


class Floor(_Limit):
    """A minimum amount per region (保底).

    Examples
    --------
    >>> Floor(amount=50).label("万元", "en"), Floor(amount=50).label("万元", "zh")
    ('floor 50 万元', '保底 50 万元')
    >>> Floor(per="人口", rate=0.002).label("万元", "en")
    'floor 0.002 万元 per 人口'
    """

    kind: Literal["floor"] = Field(default="floor", repr=False)


class Cap(_Limit):
    """A maximum amount per region (封顶).

    Examples
    --------
    >>> Cap(share=0.2).label("万元", "en"), Cap(share=0.2).label("万元", "zh")
    ('cap 20% of the total', '封顶为总额的 20%')
    """

    kind: Literal["cap"] = Field(default="cap", repr=False)


class _YearOverYear(Spec):
    _message: ClassVar[str]  # the catalogue id of the description
    name: str = ""
    column: str
    ratio: float = Field(gt=0)
    where: Items[Condition] = Field(default=EMPTY)

    def needs(self) -> Iterator[Need]:
        yield self.column, "nonnegative"
        for condition in self.where:
            yield from condition.needs()

    def values(self, data: Data, total: Decimal, mask: BoolArray) -> FloatArray:
        return self.ratio * nonnegative(data, self.column, mask)

    def label(self, unit: str, lang: Lang | None = None) -> str:
        """The bound's name, else its description in ``lang`` (default: the current
        language)."""
        return self.name or self.description(unit).render(lang)

    def description(self, unit: str) -> Message:
        """The bound in words, as a message rendered when it is shown."""
        return tr(self._message, ratio=f"{self.ratio:.0%}", column=self.column)


class HoldHarmless(_YearOverYear):
    """Not below ``ratio`` × last year's amount (保持上年水平; tiers such as 0.85/0.9/0.95).

    Examples
    --------
    >>> HoldHarmless(column="上年", ratio=0.9).label("万元", "en")
    'at least 90% of 上年'
    >>> HoldHarmless(column="上年", ratio=0.9).label("万元", "zh")
    '不低于 上年 的 90%'
    """

    kind: Literal["hold_harmless"] = Field(default="hold_harmless", repr=False)
    ratio: float = Field(default=1.0, gt=0)
    _message: ClassVar[str] = "solve.bound.hold_harmless"


class GrowthCap(_YearOverYear):
    """Not above ``ratio`` × last year's amount (增幅控制: 1.2 is at most +20%).

    Examples
    --------
    >>> GrowthCap(column="上年", ratio=1.2).label("万元", "en")
    'at most 120% of 上年'
    """

    kind: Literal["growth_cap"] = Field(default="growth_cap", repr=False)
    _message: ClassVar[str] = "solve.bound.growth_cap"


Bound = Annotated[Floor | Cap | HoldHarmless | GrowthCap, Field(discriminator="kind")]
"""Any bound; ``kind`` tells them apart in scheme files."""

#: Every bound by its ``kind``.
BOUNDS: dict[str, type[Spec]] = {
    "floor": Floor,
    "cap": Cap,
    "hold_harmless": HoldHarmless,
    "growth_cap": GrowthCap,
}

_LOWER = (Floor, HoldHarmless)

#: The one tolerance of "at a bound" in binary64, relative (absolute below 1): an amount,
#: or a bound turned into whole steps, within ``AT_BOUND · max(1, |bound|)`` of a floor or
#: cap sits at it. Why 1e-9: the binary noise it must absorb is far smaller (a bound typed
#: as a decimal, 0.02 × 3717 = 74.34000000000001, is off by 1e-16 relative; the batched
#: multiplier of :mod:`fundalloc.analysis._model` stops within 1e-11 of the total), and a
#: real difference is far larger (a rounding step is at least 1e-9 of the total only when
#: a total has fewer than 10^9 steps, which every budget we have seen has). The solvers
#: do not need it: they record which bound holds each region as they solve
#: (:attr:`fundalloc.trace.Trace.holds`); it serves amounts that carry no such record (the
#: weight model's batches, Monte Carlo draws) and the bounds in whole steps.
AT_BOUND = 1e-9


def at_bounds(
    amounts: FloatArray, lower: FloatArray, upper: FloatArray
) -> tuple[BoolArray, BoolArray]:
    """Which amounts sit at their floor and at their cap, within :data:`AT_BOUND`
    (amounts of shape (n,) or (B, n) over bounds of shape (n,)).

    >>> at_bounds(np.array([10.0, 5.0, 20.000000001]), np.array([10.0, 0, 0]),
    ...           np.array([np.inf, np.inf, 20.0]))
    (array([ True, False, False]), array([False, False,  True]))
    """
    slack_lo = AT_BOUND * np.maximum(1.0, lower)
    slack_hi = AT_BOUND * np.maximum(1.0, np.where(np.isfinite(upper), upper, 1.0))
    return amounts <= lower + slack_lo, amounts >= upper - slack_hi


@dataclass(frozen=True)
class Limits:
    """The combined bounds per region, with which bound gives each.

    ``lower_from[i]`` / ``upper_from[i]`` index into ``bounds`` (-1: none).
    """

    lower: FloatArray
    upper: FloatArray
    lower_from: npt.NDArray[np.intp]
    upper_from: npt.NDArray[np.intp]
    bounds: tuple[Bound, ...]


def combine(bounds: Sequence[Bound], data: Data, total: Decimal, taking_part: BoolArray) -> Limits:
    """The largest floor and the smallest cap per region.

    Regions outside ``taking_part`` get lower = upper = 0 and no bound.
    """
    n = len(data)
    lower = np.zeros(n)
    upper = np.full(n, np.inf)
    lower_from = np.full(n, -1, dtype=np.intp)
    upper_from = np.full(n, -1, dtype=np.intp)
    for k, bound in enumerate(bounds):
        applies = taking_part.copy()
        for condition in bound.where:
            applies &= condition.test(data)
        values = bound.values(data, total, applies)
        if isinstance(bound, _LOWER):
            better = applies & (values > lower)
            lower[better] = values[better]
            lower_from[better] = k
        else:
            better = applies & (values < upper)
            upper[better] = values[better]
            upper_from[better] = k
    upper[~taking_part] = 0.0
    return Limits(lower, upper, lower_from, upper_from, tuple(bounds))


def check_feasible(
    limits: Limits,
    ids: Sequence[str],
    total: Decimal,
    unit: str,
    targets: FloatArray,
    fixed: FloatArray | None = None,
) -> None:
    """Raise :class:`InfeasibleError` naming the numbers when no amounts fit the bounds.

    Checks that no cap is below its region's floor or its fixed quota, that the floors
    (or fixed quotas, where larger) fit in the total and that the caps can hold it. A
    region whose formula target is zero stays at its floor under the proportional rule,
    so its floor, not its cap, counts towards what the caps can hold. Every conflict is
    listed.
    """
    problems = []
    fixed = np.zeros_like(targets) if fixed is None else fixed

    def label(k: int) -> Message | str:
        return _named(limits.bounds[k], unit)

    for i in np.flatnonzero(limits.upper < fixed - AT_BOUND * np.maximum(1.0, fixed))[:20]:
        problems.append(
            Problem(
                ids[i],
                tr(
                    "solve.feasible.cap_below_quota",
                    cap=format_amount(limits.upper[i]),
                    unit=unit,
                    bound=label(limits.upper_from[i]),
                    quota=format_amount(fixed[i]),
                ),
            )
        )
    lower, upper = np.maximum(limits.lower, fixed), limits.upper
    for i in np.flatnonzero(limits.lower > upper)[:20]:
        cap = (
            tr("solve.feasible.from_bound", bound=label(limits.upper_from[i]))
            if limits.upper_from[i] >= 0
            else tr("solve.feasible.not_taking_part")
        )
        problems.append(
            Problem(
                ids[i],
                tr(
                    "solve.feasible.cap_below_floor",
                    cap=format_amount(upper[i]),
                    unit=unit,
                    why=cap,
                    floor=format_amount(limits.lower[i]),
                    bound=label(limits.lower_from[i]),
                ),
            )
        )
    t = float(total)
    low_sum = float(lower.sum())
    if low_sum > t * (1 + 1e-12):
        problems.append(
            Problem(
                tr("solve.where_floors"),
                tr(
                    "solve.feasible.floors_above_total",
                    floors=format_amount(low_sum),
                    total=format_amount(total),
                    unit=unit,
                ),
                hint=tr("solve.feasible.floors_hint"),
            )
        )
    reachable = np.where(targets - fixed > 0, upper, lower)
    high_sum = float(reachable.sum())
    if high_sum < t * (1 - 1e-12):
        zero = int(((targets - fixed <= 0) & (upper > lower)).sum())
        problems.append(
            Problem(
                tr("solve.where_caps"),
                tr(
                    "solve.feasible.caps_below_total_zero"
                    if zero
                    else "solve.feasible.caps_below_total",
                    caps=format_amount(high_sum),
                    total=format_amount(total),
                    unit=unit,
                    zero=zero,
                ),
                hint=tr("solve.feasible.caps_hint"),
            )
        )
    if problems:
        raise InfeasibleError(problems)


def _named(bound: Bound, unit: str) -> Message | str:
    """A bound's name (as the user gave it) or its description, as a message."""
    return bound.name or bound.description(unit)
