"""Several years of one scheme: a growing budget, hold-harmless tiers and a pace of change.

A formula rarely replaces last year's table at once. When a new scheme gives some regions
much less than they had, funders move towards it over several years: every region keeps
(most of) its cash, and the growth of the budget goes first to those below their formula
amount. NHS England calls this *pace of change*: each year's allocation moves from last
year's towards the formula *target*, under a minimum and a maximum growth, and the gap
(*distance from target*) closes over the years. The US Title I hold-harmless rule keeps
85, 90 or 95% of last year's amount by tier.

:func:`simulate` runs this year by year with the library's own pipeline, so the
proportional rule and the exact rounding of :func:`fundalloc.allocate` hold every year:

1. **Budget.** Year ``k`` has the budget ``B_k = B_{k−1} · (1 + g_k)``, rounded half up to
   a whole step of the scheme; ``B_0`` is the sum of the start amounts (last year's).
2. **Target.** The target ``T_k`` is the scheme's own allocation of ``B_k``
   (:func:`fundalloc.allocate` with the total replaced). If the scheme refers to last
   year's amounts through a column (a :class:`~fundalloc.HoldHarmless`, a base quota), name
   it as ``previous``: it holds the previous simulated year's amounts in every year.
3. **Actual.** The amounts ``a_k`` are the proportional rule applied to the targets, with
   year-over-year bounds on last year's amounts ``a_{k−1}``:
   ``a_k = clip(λ T_k, lower, upper)`` with one ``λ`` so that they add up to ``B_k``, then
   rounded to the step with the total exact. ``lower`` is the hold-harmless floor
   (``ratio · a_{k−1}``, a :class:`~fundalloc.HoldHarmless`) of the region's tier,
   ``upper`` the pace of change (``(1 + pace) · a_{k−1}``, a :class:`~fundalloc.GrowthCap`)
   for regions that had money last year; the scheme's own floors and caps hold too for
   the regions that take part. Regions below their floor under ``λ T_k`` stay at it, the
   others share what is left in proportion to their targets.

Hold-harmless tiers (:class:`HoldHarmlessTier`) depend on the *distance from target*
``(a_{k−1} − T_k) / T_k`` at the start of the year: ``[HoldHarmlessTier(ratio=1.0),
HoldHarmlessTier(ratio=0.98, above=0.05)]`` keeps everyone's cash except that regions more
than 5% over their target may lose up to 2% a year. A ratio above 1 is a minimum growth.

A year has **converged** when every region is within ``tolerance`` of its target:
``|a_i − T_i| ≤ max(tolerance · T_i, step)`` (one rounding step is always allowed).
``years_to_converge`` counts the years until the first year from which every later year
of the horizon has converged; None if the last year has not.

Floors are rounded up and caps down to whole steps, as everywhere in the library: with a
step of 1 万元, "at least 98% of 37" is 37.

References
----------
NHS England (2016), *Technical Guide to Allocation Formulae and Pace of Change for 2016-17
to 2020-21 Revenue Allocations to Clinical Commissioning Groups and Commissioning Areas*.
NHS England and NHS Improvement (2019), *Fair Shares: a guide to NHS allocations* ("from
target shares to final allocations"; "pace of change policy").
Elementary and Secondary Education Act, section 1122(c) (20 U.S.C. 6332(c)): the Title I
hold-harmless at 95%, 90% or 85% of the previous year's amount.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any, Literal

from pydantic import Field

from fundalloc.analysis._progress import Progress, reporter
from fundalloc.bounds import Cap, Floor, GrowthCap, HoldHarmless
from fundalloc.errors import DataError, InfeasibleError, Problem, SchemeError
from fundalloc.factors import Condition, Factor, Share
from fundalloc.i18n import Lang, Message, text, tr
from fundalloc.money import exact_decimal, format_amount
from fundalloc.optional import require
from fundalloc.pipeline import allocate
from fundalloc.result import Allocation
from fundalloc.scheme import Scheme, Tranche
from fundalloc.spec import Spec
from fundalloc.table import RegionTable
from fundalloc.trace import Hold

__all__ = ["HoldHarmlessTier", "Simulation", "Year", "simulate"]


class HoldHarmlessTier(Spec):
    """One hold-harmless tier: at least ``ratio`` × last year's amount.

    Parameters
    ----------
    ratio : float
        The share of last year's amount a region keeps at least (1.0: no cash loss;
        0.98: at most 2% less; 1.02: at least 2% more, a minimum growth).
    above : float, optional
        The tier applies to regions whose distance from target at the start of the year,
        ``(last year − target) / target``, is above this (0.05: more than 5% over
        target). None (the default) applies to every region. A region takes the tier
        with the largest ``above`` it exceeds; a region exceeding none has no
        hold-harmless floor.

    Examples
    --------
    >>> HoldHarmlessTier(ratio=0.98, above=0.05).label("en")
    'hold harmless: at least 98% of last year where over target by more than 5%'
    >>> HoldHarmlessTier(ratio=0.98, above=0.05).label("zh")
    '保持上年水平：不低于上年的 98%（限高于目标 5% 以上的地区）'
    """

    ratio: float = Field(gt=0)
    above: float | None = None

    def label(self, lang: Lang | None = None) -> str:
        """The name the tier's bound has in breakdowns and messages, in ``lang`` (default:
        the current language)."""
        ratio = _percent_text(self.ratio)
        if self.above is None:
            return _text_in(lang, "solve.multiyear.tier", ratio=ratio)
        key = "solve.multiyear.tier_over" if self.above >= 0 else "solve.multiyear.tier_under"
        return _text_in(lang, key, ratio=ratio, above=_percent_text(abs(self.above)))


def _text_in(lang: Lang | None, key: str, /, **params: Any) -> str:
    """The message ``key`` rendered in ``lang`` (default: the current language)."""
    return tr(key, **params).render(lang)


def _percent_text(x: float) -> str:
    return f"{x * 100:g}%"


@dataclass(frozen=True)
class Year:
    """One simulated year.

    Attributes
    ----------
    year : int
        Its label (``first_year``, ``first_year + 1``, ...).
    budget : Decimal
        The year's budget; the amounts add up to it exactly.
    growth : Decimal
        The budget's growth rate over last year's, as given.
    amounts : dict of str to Decimal
        The actual amounts, in table row order.
    targets : dict of str to Decimal
        The scheme's own allocation of the budget.
    bounds : dict of str to str
        For each region, the name of the bound that holds it (a hold-harmless tier, the
        pace of change, a floor or cap of the scheme), or "" when it gets its share of
        ``λ T`` (read from the allocation's trace: :attr:`fundalloc.trace.Trace.holds`).
    outside : tuple of str
        The regions not within the tolerance of their target, in table row order.
    allocation, target_allocation : Allocation
        The allocations behind ``amounts`` and ``targets``, for breakdowns and
        explanations.
    kinds : dict of str to str
        For each region, the kind of bound that holds it: "held" (a hold-harmless tier),
        "paced" (the pace of change), "bounded" (a floor or cap of the scheme) or "".
    """

    year: int
    budget: Decimal
    growth: Decimal
    amounts: dict[str, Decimal]
    targets: dict[str, Decimal]
    bounds: dict[str, str]
    outside: tuple[str, ...]
    allocation: Allocation = field(repr=False, compare=False)
    target_allocation: Allocation = field(repr=False, compare=False)
    kinds: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    @property
    def converged(self) -> bool:
        """Whether every region is within the tolerance of its target."""
        return not self.outside

    @property
    def differences(self) -> dict[str, Decimal]:
        """Amount minus target per region, exactly."""
        return {r: a - self.targets[r] for r, a in self.amounts.items()}

    @property
    def distance(self) -> dict[str, float | None]:
        """The distance from target, ``(amount − target) / target`` (0.05: 5% over);
        None for a region whose target is 0."""
        return {
            r: float((a - self.targets[r]) / self.targets[r]) if self.targets[r] else None
            for r, a in self.amounts.items()
        }

    @property
    def furthest(self) -> tuple[str, float]:
        """The region furthest from its target in relative terms, and its distance
        (regions with a target of 0 left out; ties by region id)."""
        known = [(r, d) for r, d in self.distance.items() if d is not None]
        region, distance = min(known, key=lambda rd: (-abs(rd[1]), rd[0]))
        return region, distance


@dataclass(frozen=True)
class Simulation:
    """The result of :func:`simulate`.

    Attributes
    ----------
    start : dict of str to Decimal
        The amounts of the year before the first (the baseline), in table row order.
    years : tuple of Year
        The simulated years in order.
    years_to_converge : int or None
        How many years until every region is, and stays to the end of the horizon,
        within the tolerance of its target; None if the last year has not converged.
    tolerance : float
        The relative tolerance of convergence.
    unit : str
        The money unit.
    step : Decimal
        The rounding step.
    id_column : str
        The name of the region column in :meth:`to_records`.
    """

    start: dict[str, Decimal]
    years: tuple[Year, ...]
    years_to_converge: int | None
    tolerance: float
    unit: str
    step: Decimal
    id_column: str = "region"

    def __getitem__(self, year: int) -> Year:
        """The simulated year with this label."""
        for item in self.years:
            if item.year == year:
                return item
        raise KeyError(
            text(
                "solve.multiyear.no_year",
                year=str(year),
                first=str(self.years[0].year),
                last=str(self.years[-1].year),
            )
        )

    @property
    def amounts(self) -> dict[int, dict[str, Decimal]]:
        """Year label to the amounts, the start year (labelled one before the first) included."""
        first = self.years[0].year - 1
        return {first: self.start, **{y.year: y.amounts for y in self.years}}

    @property
    def targets(self) -> dict[int, dict[str, Decimal]]:
        """Year label to the targets of that year."""
        return {y.year: y.targets for y in self.years}

    @property
    def converged_in(self) -> int | None:
        """The label of the year from which every year has converged (None: not within
        the horizon)."""
        k = self.years_to_converge
        return None if k is None else self.years[k - 1].year

    def to_records(self) -> list[dict[str, Any]]:
        """One mapping per simulated year and region: ``year``, the region, ``budget``,
        ``amount``, ``target``, ``difference`` (exact Decimals), ``distance`` (a float, None
        for a zero target) and ``bound`` (the name of the bound holding it, or "")."""
        records = []
        for year in self.years:
            distance = year.distance
            for region, amount in year.amounts.items():
                records.append(
                    {
                        "year": year.year,
                        self.id_column: region,
                        "budget": year.budget,
                        "amount": amount,
                        "target": year.targets[region],
                        "difference": amount - year.targets[region],
                        "distance": distance[region],
                        "bound": year.bounds[region],
                    }
                )
        return records

    def to_dataframe(self, *, library: Literal["pandas", "polars"] = "pandas") -> Any:
        """The records as a pandas or polars DataFrame (imported only now); amounts stay
        exact Decimal values."""
        records = self.to_records()
        module = require(library, library)
        if library == "pandas":
            return module.DataFrame.from_records(records, columns=list(records[0]))
        return module.DataFrame(records, infer_schema_length=None)

    def __str__(self) -> str:
        """A table by year: budget, growth, how many regions each kind of bound holds, how
        many are not within the tolerance, and the region furthest from its target."""
        legend = text("solve.multiyear.legend")
        start = text("solve.multiyear.start")
        head = [
            text(key)
            for key in (
                "solve.multiyear.year",
                "solve.multiyear.budget",
                "solve.multiyear.growth",
                "solve.multiyear.held",
                "solve.multiyear.paced",
                "solve.multiyear.bounded",
                "solve.multiyear.outside",
                "solve.multiyear.furthest",
            )
        ]
        lines = [
            text("solve.multiyear.in_unit", unit=self.unit, legend=legend) if self.unit else legend,
            f"{head[0]:<6}{head[1]:>12}{head[2]:>9}{head[3]:>6}{head[4]:>7}{head[5]:>9}  "
            f"{head[6]:>9}  {head[7]}",
            f"{start:<6}{format_amount(sum(self.start.values(), Decimal(0))):>12}",
        ]
        for year in self.years:
            kinds = list(year.kinds.values())
            region, distance = year.furthest
            lines.append(
                f"{year.year:<6}{format_amount(year.budget):>12}{float(year.growth):>+9.2%}"
                f"{kinds.count('held'):>6}{kinds.count('paced'):>7}{kinds.count('bounded'):>9}  "
                f"{len(year.outside):>9}  {region} {distance:+.2%}"
            )
        rule = tr("solve.multiyear.rule", tolerance=f"{self.tolerance:.4g}")
        if self.years_to_converge is None:
            lines.append(
                text("solve.multiyear.not_converged", years=str(len(self.years)), rule=rule)
            )
        else:
            key = (
                "solve.multiyear.converged"
                if self.years_to_converge > 1
                else "solve.multiyear.converged_one"
            )
            lines.append(
                text(
                    key,
                    years=str(self.years_to_converge),
                    first=str(self.converged_in),
                    rule=rule,
                )
            )
        return "\n".join(lines)


# ---------------------------------------------------------------------------- simulate
_TARGET, _LAST, _TIER, _TAKES_PART = "target", "last year", "hold-harmless tier", "takes part"


def simulate(
    table: RegionTable,
    scheme: Scheme,
    years: int,
    *,
    growth: float | Decimal | Sequence[float | Decimal],
    start: Mapping[str, Any] | Allocation | str,
    pace: float | None = None,
    hold_harmless: float | Sequence[HoldHarmlessTier] | None = 1.0,
    previous: str | None = None,
    tolerance: float = 0.01,
    first_year: int = 1,
    progress: bool | None = None,
    callback: Progress | None = None,
) -> Simulation:
    """Simulate ``years`` years of ``scheme`` moving from ``start`` towards its targets.

    Parameters
    ----------
    table : RegionTable
        The regions; the same data every year (except the ``previous`` column).
    scheme : Scheme
        The allocation scheme; its total is replaced by each year's budget.
    years : int
        How many years to simulate (at least 1).
    growth : float, Decimal or sequence of them
        The budget's growth rate each year (0.05: +5%; above −1), or one rate per year.
    start : mapping of str to number, Allocation or str
        Last year's amounts (the baseline), for every region of the table: a mapping, an
        allocation, or the name of a column of ``table``. Their sum is last year's budget.
    pace : float, optional
        The pace of change: at most ``1 + pace`` times last year's amount (0.1: at most
        +10% a year), for regions that had money last year. None: no limit.
    hold_harmless : float, sequence of HoldHarmlessTier, or None, default 1.0
        At least this share of last year's amount for every region (1.0: no region gets
        less cash than last year), tiers by distance from target, or None for no floor.
    previous : str, optional
        The column of ``table`` that holds last year's amounts for the scheme's own bounds
        or quotas; every year it holds the previous year's simulated amounts. By default
        ``start`` when that is a column name.
    tolerance : float, default 0.01
        A region has converged when within this share of its target (or one step).
    first_year : int, default 1
        The label of the first simulated year (the start is ``first_year − 1``).
    progress : bool, optional
        Show a progress bar of the years: None (default) when someone watches (a
        terminal or Jupyter) and the call takes more than half a second, True always
        (needs tqdm), False never.
    callback : callable, optional
        ``callback(done, years)`` after each simulated year.

    Returns
    -------
    Simulation

    Raises
    ------
    SchemeError
        Settings out of range: fewer than one year, a growth rate of −1 or less, a growth
        sequence of the wrong length, a negative pace or tolerance, two tiers with the same
        ``above``.
    DataError
        Start amounts missing for a region, given for a region not in the table, negative,
        or adding up to zero.
    InfeasibleError
        When a year's rules cannot hold together — a falling budget below the hold-harmless
        floors, a pace too slow to spend a growing budget, a cap of the scheme below a
        region's hold-harmless floor; the first problem names the year and the budgets,
        the others the numbers that conflict.

    Examples
    --------
    Two regions of equal need, one starting with 90 of 100. The budget grows 20% a year
    and nobody loses cash, so 甲 keeps 90 until its half of the budget catches up:

    >>> import fundalloc as fa
    >>> table = fa.RegionTable.from_records(
    ...     [{"地区": "甲", "人口": 1}, {"地区": "乙", "人口": 1}], id="地区")
    >>> scheme = fa.Scheme(total=100, tranches=[fa.Tranche(name="人口", share=1, factors=[
    ...     fa.Factor(name="人口", rule=fa.Share(column="人口"), weight=1)])])
    >>> run = simulate(table, scheme, 5, growth=0.2, start={"甲": 90, "乙": 10})
    >>> for y in run.years:
    ...     print(y.year, y.budget, y.amounts["甲"], y.amounts["乙"], y.converged)
    1 120 90 30 False
    2 144 90 54 False
    3 173 90 83 False
    4 208 104 104 True
    5 250 125 125 True
    >>> run.years_to_converge
    4
    """
    _check_settings(years, pace, tolerance)
    rates = _growth_rates(growth, years)
    tiers = _tiers(hold_harmless)
    baseline = _start_amounts(start, table)
    last = baseline
    if previous is None and isinstance(start, str):
        previous = start
    budget = sum(last.values(), Decimal(0))
    if not budget > 0:
        raise DataError(Problem("start", tr("solve.multiyear.start_zero")))
    unit, step = scheme.unit, scheme.step
    names = _fresh_names(table, scheme)
    out: list[Year] = []
    with reporter(
        len(rates), text("solve.multiyear.years"), progress=progress, callback=callback
    ) as report:
        for k, rate in enumerate(rates):
            label = first_year + k
            before = budget
            budget = _grow(budget, rate, step)
            if not budget > 0:
                raise SchemeError(
                    Problem(
                        tr("solve.multiyear.where_year", year=str(label)),
                        tr(
                            "solve.multiyear.budget_to_zero",
                            rate=f"{rate:%}",
                            before=format_amount(before),
                            unit=unit,
                        ),
                        hint=tr("solve.multiyear.budget_to_zero_hint"),
                    )
                )
            year_table = (
                table if previous is None else table.with_column(previous, list(last.values()))
            )
            context = tr(
                "solve.multiyear.context",
                budget=format_amount(budget),
                before=format_amount(before),
                rate=f"{float(rate):+.2%}",
                unit=unit,
            )
            try:
                target = allocate(year_table, scheme.replace(total=budget))
            except InfeasibleError as exc:
                raise _in_year(
                    exc, label, tr("solve.multiyear.cannot_allocate", context=context)
                ) from None
            actual_table, actual_scheme = _actual_problem(
                year_table, scheme, target, last, tiers, pace, budget, names
            )
            try:
                allocation = allocate(actual_table, actual_scheme)
            except InfeasibleError as exc:
                raise _in_year(
                    exc,
                    label,
                    tr("solve.multiyear.limits", context=context),
                    tr("solve.multiyear.limits_hint"),
                ) from None
            amounts = dict(allocation.amounts)
            targets = dict(target.amounts)
            bounds, kinds = _binding(allocation, scheme, len(tiers))
            out.append(
                Year(
                    year=label,
                    budget=budget,
                    growth=rate,
                    amounts=amounts,
                    targets=targets,
                    bounds=bounds,
                    kinds=kinds,
                    outside=tuple(
                        r
                        for r, a in amounts.items()
                        if abs(a - targets[r]) > max(Decimal(repr(tolerance)) * targets[r], step)
                    ),
                    allocation=allocation,
                    target_allocation=target,
                )
            )
            last = amounts
            report(k + 1)
    converged = None
    for k in range(len(out), 0, -1):
        if not out[k - 1].converged:
            break
        converged = k
    return Simulation(
        start=baseline,
        years=tuple(out),
        years_to_converge=converged,
        tolerance=tolerance,
        unit=unit,
        step=step,
        id_column=table.id_column,
    )


def _check_settings(years: int, pace: float | None, tolerance: float) -> None:
    problems = []
    if isinstance(years, bool) or not isinstance(years, int) or years < 1:
        problems.append(Problem("years", tr("solve.multiyear.expected_years"), found=repr(years)))
    if pace is not None and not (
        isinstance(pace, int | float) and math.isfinite(pace) and pace >= 0
    ):
        problems.append(
            Problem(
                "pace",
                tr("solve.multiyear.expected_pace"),
                found=repr(pace),
            )
        )
    if not (isinstance(tolerance, int | float) and math.isfinite(tolerance) and tolerance >= 0):
        problems.append(
            Problem("tolerance", tr("solve.multiyear.expected_tolerance"), found=repr(tolerance))
        )
    if problems:
        raise SchemeError(problems)


def _growth_rates(growth: Any, years: int) -> list[Decimal]:
    given = list(growth) if isinstance(growth, Sequence) and not isinstance(growth, str) else None
    if given is not None and len(given) != years:
        raise SchemeError(
            Problem(
                "growth",
                tr("solve.multiyear.one_rate_per_year", years=str(years)),
                found=tr("solve.multiyear.rates", count=str(len(given))),
            )
        )
    values = given if given is not None else [growth] * years
    rates: list[Decimal] = []
    problems = []
    for k, value in enumerate(values):
        rate = exact_decimal(value)
        if rate is None or not rate > -1:
            where = "growth" if given is None else f"growth[{k}]"
            problems.append(Problem(where, tr("solve.multiyear.expected_rate"), found=repr(value)))
        else:
            rates.append(rate)
    if problems:
        raise SchemeError(problems[:1] if given is None else problems)
    return rates


def _tiers(hold_harmless: Any) -> tuple[HoldHarmlessTier, ...]:
    if hold_harmless is None:
        return ()
    if isinstance(hold_harmless, HoldHarmlessTier):
        return (hold_harmless,)
    if isinstance(hold_harmless, int | float | Decimal) and not isinstance(hold_harmless, bool):
        return (HoldHarmlessTier(ratio=float(hold_harmless)),)
    tiers = tuple(hold_harmless)
    problems = [
        Problem(f"hold_harmless[{k}]", tr("solve.multiyear.expected_tier"), found=repr(t))
        for k, t in enumerate(tiers)
        if not isinstance(t, HoldHarmlessTier)
    ]
    thresholds = [t.above for t in tiers if isinstance(t, HoldHarmlessTier)]
    problems += [
        Problem(
            "hold_harmless",
            tr("solve.multiyear.two_tiers"),
            found=tr("solve.multiyear.twice", above=f"above={a!r}"),
        )
        for a in sorted({a for a in thresholds if thresholds.count(a) > 1}, key=repr)
    ]
    if problems:
        raise SchemeError(problems)
    return tiers


def _start_amounts(start: Any, table: RegionTable) -> dict[str, Decimal]:
    """Last year's amounts by region id, in table row order, checked."""
    if isinstance(start, str):
        values = table.numeric(start, nonnegative=True)
        return {r: _exact(float(v)) for r, v in zip(table.ids, values.tolist(), strict=True)}
    given: Mapping[str, Any]
    if isinstance(start, Allocation):
        given = start.amounts
    elif isinstance(start, Mapping):
        given = start
    else:
        raise DataError(
            Problem(
                "start",
                tr("solve.multiyear.expected_start"),
                found=type(start).__name__,
            )
        )
    by_id = {str(k): v for k, v in given.items()}
    problems = [
        Problem(tr("solve.multiyear.where_start", region=r), tr("solve.multiyear.no_start"))
        for r in table.ids
        if r not in by_id
    ]
    ids = set(table.ids)
    problems += [
        Problem(
            tr("solve.multiyear.where_start", region=r),
            tr("solve.multiyear.not_a_region"),
            hint=tr("solve.multiyear.not_a_region_hint"),
        )
        for r in by_id
        if r not in ids
    ]
    out: dict[str, Decimal] = {}
    for region in table.ids:
        if region not in by_id:
            continue
        value = exact_decimal(by_id[region])
        if value is None or value < 0:
            problems.append(
                Problem(
                    tr("solve.multiyear.where_start", region=region),
                    tr("solve.multiyear.expected_amount"),
                    found=repr(by_id[region]),
                )
            )
        else:
            out[region] = value
    if problems:
        raise DataError(problems[:40])
    return out


def _exact(x: float) -> Decimal:
    value = Decimal(repr(x))
    return Decimal(int(value)) if value == value.to_integral_value() else value


def _grow(budget: Decimal, rate: Decimal, step: Decimal) -> Decimal:
    """``budget · (1 + rate)`` rounded half up to a whole step."""
    with localcontext() as ctx:
        ctx.prec = 60
        units = (budget * (1 + rate) / step).to_integral_value(rounding=ROUND_HALF_UP)
        return units * step


def _fresh_names(table: RegionTable, scheme: Scheme) -> dict[str, str]:
    """Names for the helper columns that clash with no column of the table or the scheme."""
    taken = set(table.columns) | {name for name, _ in scheme.derived} | {table.id_column}
    names = {}
    for name in (_TARGET, _LAST, _TIER, _TAKES_PART):
        fresh = name
        while fresh in taken:
            fresh = f"_{fresh}"
        taken.add(fresh)
        names[name] = fresh
    return names


def _in_year(
    exc: InfeasibleError, year: int, what: Message, hint: Message | None = None
) -> InfeasibleError:
    where = tr("solve.multiyear.where_year", year=str(year))
    return InfeasibleError([Problem(where, what, hint=hint), *exc.problems])


def _tier_of(
    tiers: Sequence[HoldHarmlessTier], last: Decimal, target: Decimal
) -> HoldHarmlessTier | None:
    """The tier of the largest ``above`` the region's distance from target exceeds."""
    distance = math.inf if last > 0 else 0.0  # a zero target: any amount is over it
    if target > 0:
        distance = float((last - target) / target)
    chosen: HoldHarmlessTier | None = None
    for tier in tiers:
        if tier.above is None or distance > tier.above:
            above = -math.inf if tier.above is None else tier.above
            if chosen is None or above > (-math.inf if chosen.above is None else chosen.above):
                chosen = tier
    return chosen


def _actual_problem(
    table: RegionTable,
    scheme: Scheme,
    target: Allocation,
    last: dict[str, Decimal],
    tiers: Sequence[HoldHarmlessTier],
    pace: float | None,
    budget: Decimal,
    names: dict[str, str],
) -> tuple[RegionTable, Scheme]:
    """The year's actual allocation as a scheme: the targets as the only factor, the
    hold-harmless tiers and the pace as bounds on last year's amounts."""
    targets = target.amounts
    position = {r: k for k, r in enumerate(target.trace.ids)}
    taking_part = target.trace.taking_part
    chosen = [_tier_of(tiers, last[r], targets[r]) for r in table.ids]
    columns: dict[str, list[Any]] = {
        names[_TARGET]: [targets[r] for r in table.ids],
        names[_LAST]: [last[r] for r in table.ids],
        names[_TIER]: ["" if t is None else str(tiers.index(t)) for t in chosen],
        names[_TAKES_PART]: ["yes" if taking_part[position[r]] else "no" for r in table.ids],
    }
    for name, values in columns.items():
        table = table.with_column(name, values)
    eligible = Condition(column=names[_TAKES_PART], op="==", value="yes")
    bounds: list[Floor | Cap | HoldHarmless | GrowthCap] = [
        bound.replace(name=bound.label(scheme.unit), where=(*bound.where, eligible))
        for bound in scheme.bounds
    ]
    bounds += [
        HoldHarmless(
            name=tier.label(),
            column=names[_LAST],
            ratio=tier.ratio,
            where=[Condition(column=names[_TIER], op="==", value=str(k))],
        )
        for k, tier in enumerate(tiers)
    ]
    if pace is not None:
        bounds.append(
            GrowthCap(
                name=text("solve.multiyear.pace", pace=_percent_text(pace)),
                column=names[_LAST],
                ratio=1 + pace,
                where=[Condition(column=names[_LAST], op=">", value=0.0)],
            )
        )
    factor = Factor(name="target", rule=Share(column=names[_TARGET]), weight=1)
    actual = Scheme(
        name=scheme.name,
        document=scheme.document,
        derived=scheme.derived,
        total=budget,
        unit=scheme.unit,
        step=scheme.step,
        tranches=[Tranche(name="target", share=1, factors=[factor])],
        bounds=bounds,
        constraints=scheme.constraints,
        # half-up rounding leaves a residual; the simulated years keep the total exact
        rounding="largest_remainder" if scheme.method == "half_up" else scheme.rounding,
    )
    return table, actual


def _binding(
    allocation: Allocation, scheme: Scheme, tiers: int
) -> tuple[dict[str, str], dict[str, str]]:
    """Region id to the name of the bound that holds it ("" when free) and to its kind
    ("held", "paced", "bounded" or ""), in row order, read from the trace (the solver
    decided it). The year's bounds are the scheme's own, then one per hold-harmless tier,
    then the pace of change (:func:`_actual_problem`)."""
    trace = allocation.trace
    limits = trace.limits
    unit = allocation.scheme.unit
    own = len(scheme.bounds)
    names: dict[str, str] = {}
    kinds: dict[str, str] = {}
    bounded = (trace.holds == Hold.FLOOR) | (trace.holds == Hold.CAP)
    for k, region in enumerate(trace.ids):
        if not bounded[k]:
            names[region], kinds[region] = "", ""
            continue
        index = int(trace.held_by[k])
        names[region] = limits.bounds[index].label(unit)
        kinds[region] = "bounded" if index < own else "held" if index < own + tiers else "paced"
    order = allocation.table.ids
    return {r: names[r] for r in order}, {r: kinds[r] for r in order}
