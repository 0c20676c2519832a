"""The allocation result: exact amounts, the trace of every stage, breakdown and explanation.

Nothing here prints. :attr:`Allocation.breakdown` and :meth:`Allocation.explain`
are built from the trace on first use; the trace itself is plain arrays in region-id
order.

How the breakdown reconciles exactly
------------------------------------
Each region's amount is the sum of its items: each factor's (or quota's)
contribution per tranche, the effect of the tranche's coefficients, the effect of
the bounds (the binding floor or cap, or for free regions the proportional
adjustment ``(λ − 1) · t`` that funds the others' floors or spreads their caps),
and the rounding effect. Every item but the last is the stage's value quantised to
a millionth of the step; the rounding item is the final amount minus their sum, so
the items add up to the amount exactly, in Decimal.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt

from fundalloc.errors import DataError, Problem, SchemeError
from fundalloc.factors import normalised_weights
from fundalloc.io.atomic import write_atomic  # re-exported: it used to live here
from fundalloc.money import format_amount
from fundalloc.optional import require
from fundalloc.trace import LeafTrace, Trace  # re-exported: they used to live here

if TYPE_CHECKING:
    from fundalloc.scheme import Scheme
    from fundalloc.table import RegionTable

__all__ = [
    "METHOD_NAMES",
    "STAGE_NAMES",
    "TEXT",
    "Allocation",
    "Item",
    "LeafTrace",
    "RegionBreakdown",
    "Trace",
]

Lang = Literal["zh", "en"]


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


#: The words of an explanation, per language; every line of :meth:`Allocation.explain`
#: comes from one of these templates.
TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "head": "{region}：{amount}",
        "excluded": "  不参与分配：不满足条件 {condition}",
        "tranche": "  切块「{path}」{amount}：",
        "tranche_out": "  切块「{path}」{amount}：不参与，不满足 {conditions}",
        "factor": "    {name}（权重 {weight:.4g}，份额 {share:.4%}）：{amount}",
        "quota": "    定额 {name}：{amount}",
        "coefficients": "    调节系数 {factors}（乘后按切块总额重新归一）：{amount}",
        "target": "  测算数：{amount}",
        "floor": "  保底（{name}，达到保底）：{amount}",
        "cap": "  封顶（{name}，受封顶限制）：{amount}",
        "adjustment": "  比例调整（{name}，按共同比例为保底/封顶调整）：{amount}",
        "group": "  组合约束（{name}，本组按自己的比例 ×{ratio:.6g} 调整）：{amount}",
        "rounding": "  取整（{method}，单位 {step}）：{amount}",
        "tie": "  并列：与 {others} 对最后一个单位的主张相同，"
        "按规则（测算数较大者优先，再按名称）{outcome}",
        "tie_won": "获得该单位",
        "tie_lost": "未获得该单位",
        "total": "  合计：{amount}",
        "and": "、",
    },
    "en": {
        "head": "{region}: {amount}",
        "excluded": "  does not take part: fails the condition {condition}",
        "tranche": "  tranche '{path}' of {amount}:",
        "tranche_out": "  tranche '{path}' of {amount}: not taking part, fails {conditions}",
        "factor": "    {name} (weight {weight:.4g}, share {share:.4%}): {amount}",
        "quota": "    quota {name}: {amount}",
        "coefficients": "    coefficients {factors} (then rescaled to the tranche): {amount}",
        "target": "  formula target: {amount}",
        "floor": "  floor ({name}, raised to its floor): {amount}",
        "cap": "  cap ({name}, held at its cap): {amount}",
        "adjustment": "  proportional adjustment ({name}, scaled with the others to fit the "
        "bounds): {amount}",
        "group": "  group constraint ({name}, its group scaled by its own ×{ratio:.6g}): {amount}",
        "rounding": "  rounding ({method}, step {step}): {amount}",
        "tie": "  tie: same claim to the last unit as {others}; by the rule (larger exact amount "
        "first, then id order) it {outcome}",
        "tie_won": "got the unit",
        "tie_lost": "did not get the unit",
        "total": "  amount: {amount}",
        "and": ", ",
    },
}

#: The stages of a breakdown (``Item.stage``) by language, for tables and plots.
STAGE_NAMES: dict[str, dict[str, str]] = {
    "zh": {
        "factor": "因素",
        "quota": "定额",
        "coefficients": "调节系数",
        "floor": "保底",
        "cap": "封顶",
        "adjustment": "比例调整",
        "group": "组合约束",
        "rounding": "取整",
    },
    "en": {
        "factor": "factor",
        "quota": "quota",
        "coefficients": "coefficients",
        "floor": "floor",
        "cap": "cap",
        "adjustment": "proportional adjustment",
        "group": "group constraint",
        "rounding": "rounding",
    },
}

METHOD_NAMES: dict[str, dict[str, str]] = {
    "zh": {
        "largest_remainder": "最大余额法",
        "jefferson": "最大除数法（D'Hondt）",
        "webster": "圣拉格法（Webster）",
        "huntington_hill": "亨廷顿-希尔法",
        "adams": "亚当斯法",
        "half_up": "四舍五入",
    },
    "en": {
        "largest_remainder": "largest remainder",
        "jefferson": "Jefferson (D'Hondt)",
        "webster": "Webster (Sainte-Laguë)",
        "huntington_hill": "Huntington-Hill",
        "adams": "Adams",
        "half_up": "half-up, independently",
    },
}

#: The most regions the HTML table of an allocation (in Jupyter) lists in full; above that
#: it shows the first and last half of this many.
_HTML_ROWS = 20


class Allocation:
    """The result of :func:`fundalloc.allocate`.

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
        self._position = {region: k for k, region in enumerate(trace.ids)}

    # ------------------------------------------------------------------ amounts
    @cached_property
    def units(self) -> npt.NDArray[np.int64]:
        """Whole steps per region, in table row order."""
        out = np.empty_like(self.trace.units)
        out[self.trace.order] = self.trace.units
        out.flags.writeable = False
        return out

    @cached_property
    def amounts(self) -> dict[str, Decimal]:
        """Region id to its final amount (Decimal), in table row order."""
        step = self.scheme.step
        return {
            region: int(u) * step
            for region, u in zip(self.table.ids, self.units.tolist(), strict=True)
        }

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
        t = self.trace.targets
        return {region: float(t[self._position[region]]) for region in self.table.ids}

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
        """The allocation as a compact HTML table, for Jupyter.

        Region, formula target, amount and share of the total, with a total row; the
        scheme's name, total, unit and rounding above it; below it, the regions that take
        no part, ties broken in rounding and any residual (尾差). With more than
        :data:`_HTML_ROWS` regions only the first and last half of that many are shown,
        with a row saying how many are left out (the total row still adds up all). Every
        name is HTML-escaped.
        """
        from html import escape

        scheme, unit = self.scheme, self.scheme.unit
        regions = list(self.amounts)
        amounts, targets = self.amounts, self.targets
        half = _HTML_ROWS // 2
        cut = len(regions) > _HTML_ROWS
        shown = [*regions[:half], None, *regions[-half:]] if cut else regions

        def share(amount: Decimal) -> str:
            return f"{float(amount / scheme.total):.2%}"

        def row(cells: list[str], tag: str = "td") -> str:
            first, *numbers = cells
            return (
                f"<tr><{tag} style='text-align:left'>{escape(first)}</{tag}>"
                + "".join(f"<{tag} style='text-align:right'>{escape(c)}</{tag}>" for c in numbers)
                + "</tr>"
            )

        body = []
        for region in shown:
            if region is None:
                body.append(
                    f"<tr><td colspan='4' style='text-align:center'>… 另有 "
                    f"{len(regions) - 2 * half} 个地区</td></tr>"
                )
                continue
            amount = amounts[region]
            body.append(
                row([region, _fixed(targets[region]), format_amount(amount), share(amount)])
            )
        allocated = sum(amounts.values(), Decimal(0))
        method = METHOD_NAMES["zh"][scheme.method]
        title = scheme.name or "分配结果"
        if scheme.document:
            title += f"（{scheme.document}）"
        caption = (
            f"{title}：{format_amount(scheme.total)} {unit}，{len(regions)} 个地区，"
            f"{method}取整到 {format_amount(scheme.step)} {unit}"
        )
        html = [
            "<div class='fundalloc-allocation'><table>",
            f"<caption style='text-align:left'>{escape(caption)}</caption>",
            "<thead>"
            + row([self.table.id_column, "测算数", f"分配金额（{unit}）", "占比"], "th")
            + "</thead>",
            "<tbody>" + "".join(body) + "</tbody>",
            "<tfoot>"
            + row(
                [
                    "合计",
                    _fixed(sum(targets.values())),
                    format_amount(allocated),
                    share(allocated),
                ],
                "th",
            )
            + "</tfoot></table>",
        ]
        notes = self._html_notes()
        if notes:
            html.append("<ul>" + "".join(f"<li>{escape(n)}</li>" for n in notes) + "</ul>")
        html.append("</div>")
        return "\n".join(html)

    def _html_notes(self) -> list[str]:
        """What the HTML table does not show: excluded regions, ties, the residual."""
        unit, notes = self.scheme.unit, []
        taking_part = self.trace.taking_part
        out = [r for r in self.table.ids if not taking_part[self._position[r]]]
        if out:
            listed = "、".join(out[:5]) + (f" 等 {len(out)} 个" if len(out) > 5 else "")
            notes.append(f"不参与分配（不满足参与条件）：{listed}")
        for won, lost in self.ties:
            notes.append(f"并列：{'、'.join(won)} 获得最后的单位，{'、'.join(lost)} 未获得")
        residual = self.unallocated
        if residual > 0:
            notes.append(f"尾差 {format_amount(residual)} {unit} 未分配")
        elif residual < 0:
            notes.append(f"合计超出总额 {format_amount(-residual)} {unit}")
        return notes

    # ------------------------------------------------------------------ breakdown
    def _quantum(self) -> Decimal:
        exponent = self.scheme.step.normalize().as_tuple().exponent
        return Decimal(1).scaleb(min(int(exponent), 0) - 6)

    def _region(self, region: str) -> int:
        try:
            return self._position[region]
        except KeyError:
            import difflib

            close = difflib.get_close_matches(region, self.trace.ids, n=1, cutoff=0.5)
            raise DataError(
                Problem(
                    region, "no such region", hint=f"did you mean {close[0]!r}?" if close else None
                )
            ) from None

    def _items(self, k: int) -> RegionBreakdown:
        trace, scheme = self.trace, self.scheme
        q = self._quantum()

        def dec(x: float) -> Decimal:
            return Decimal(float(x)).quantize(q, rounding=ROUND_HALF_EVEN)

        items: list[Item] = []
        for leaf in trace.leaves:
            path = "/".join(leaf.path)
            if leaf.tranche.quota is not None:
                quota = leaf.tranche.quota
                items.append(
                    Item("quota", path, f"{quota.column} × {quota.rate:g}", dec(leaf.targets[k]))
                )
                continue
            items += [
                Item("factor", path, name, dec(leaf.contributions[j, k]))
                for j, name in enumerate(leaf.factor_names)
            ]
            if leaf.coefficient_names:
                items.append(
                    Item(
                        "coefficients",
                        path,
                        ", ".join(leaf.coefficient_names),
                        dec(leaf.targets[k]) - dec(leaf.before[k]),
                    )
                )
        target = float(trace.targets[k])
        bounded = float(trace.bounded[k])
        stage, name = self._binding(k)
        if stage:
            items.append(Item(stage, "", name, dec(bounded) - dec(target)))
        amount = int(trace.units[k]) * scheme.step
        items.append(
            Item("rounding", "", scheme.method, amount - sum((i.amount for i in items), Decimal(0)))
        )
        return RegionBreakdown(trace.ids[k], amount, tuple(items))

    def _binding(self, k: int) -> tuple[str, str]:
        """Which bound stage applies to region k: ('floor'|'cap'|'adjustment'|'', label)."""
        trace, limits, unit = self.trace, self.trace.limits, self.scheme.unit
        if not trace.taking_part[k]:
            return "", ""
        fixed = trace.fixed[k]
        multiplier = (
            trace.multiplier
            if trace.region_multipliers is None
            else float(trace.region_multipliers[k])
        )
        scaled = fixed + multiplier * (trace.targets[k] - fixed)
        bounded = trace.bounded[k]
        if limits.lower_from[k] >= 0 and scaled < limits.lower[k] and bounded <= limits.lower[k]:
            return "floor", limits.bounds[limits.lower_from[k]].label(unit)
        if limits.upper_from[k] >= 0 and scaled >= limits.upper[k] and bounded >= limits.upper[k]:
            return "cap", limits.bounds[limits.upper_from[k]].label(unit)
        if trace.group_rows is not None and trace.group_rows[k] >= 0:
            return "group", trace.row_labels[trace.group_rows[k]]
        if abs(trace.bounded[k] - trace.targets[k]) > 1e-12 * max(1.0, abs(trace.targets[k])):
            return "adjustment", f"λ = {trace.multiplier:.6g}"
        return "", ""

    @cached_property
    def breakdown(self) -> dict[str, RegionBreakdown]:
        """Region id to its breakdown, whose items add up exactly to the amount."""
        return {region: self._items(self._position[region]) for region in self.table.ids}

    # ------------------------------------------------------------------ explain
    def explain(self, region: str, *, lang: Lang = "zh") -> str:
        """A readable account of one region's amount, rendered from the trace.

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
        k = self._region(region)
        text, trace, unit = TEXT[lang], self.trace, self.scheme.unit
        parts = self._items(k)

        def money(amount: Decimal, sign: bool = True) -> str:
            mark = "+" if sign and amount > 0 else ("−" if amount < 0 else "")
            return f"{mark}{format_amount(abs(amount), 6)} {unit}"

        lines = [text["head"].format(region=region, amount=money(parts.amount, sign=False))]
        if not trace.taking_part[k]:
            condition = self.scheme.eligibility[int(trace.excluded_by[k])]
            lines.append(text["excluded"].format(condition=condition.describe()))
            return "\n".join(lines)
        row = self.table.take(trace.order[k : k + 1])
        for leaf in trace.leaves:
            path = "/".join(leaf.path)
            size = money(Decimal(repr(round(leaf.amount, 6))), sign=False)
            if not leaf.taking_part[k]:
                failed = [c.describe() for c in leaf.tranche.eligibility if not c.test(row)[0]]
                lines.append(
                    text["tranche_out"].format(path=path, amount=size, conditions=", ".join(failed))
                )
                continue
            lines.append(text["tranche"].format(path=path, amount=size))
            weights = (
                normalised_weights(leaf.tranche.factors) if leaf.tranche.factors else np.zeros(0)
            )
            for item in parts.items:
                if item.tranche != path:
                    continue
                if item.stage == "factor":
                    j = leaf.factor_names.index(item.name)
                    size = leaf.amount * weights[j]
                    share = leaf.contributions[j, k] / size if size > 0 else 0.0
                    lines.append(
                        text["factor"].format(
                            name=item.name,
                            weight=weights[j],
                            share=share,
                            amount=money(item.amount, sign=False),
                        )
                    )
                elif item.stage == "quota":
                    lines.append(
                        text["quota"].format(name=item.name, amount=money(item.amount, sign=False))
                    )
                elif item.stage == "coefficients":
                    factors = " × ".join(
                        f"{name} ×{leaf.multipliers[c, k]:.4g}"
                        for c, name in enumerate(leaf.coefficient_names)
                    )
                    lines.append(
                        text["coefficients"].format(factors=factors, amount=money(item.amount))
                    )
        lines.append(text["target"].format(amount=money(parts.target, sign=False)))
        for item in parts.items:
            if item.stage in ("floor", "cap", "adjustment"):
                lines.append(text[item.stage].format(name=item.name, amount=money(item.amount)))
            elif item.stage == "group":
                ratio = float(self.trace.region_multipliers[k])  # type: ignore[index]
                lines.append(
                    text["group"].format(name=item.name, ratio=ratio, amount=money(item.amount))
                )
            elif item.stage == "rounding":
                lines.append(
                    text["rounding"].format(
                        method=METHOD_NAMES[lang][item.name],
                        step=f"{format_amount(self.scheme.step)} {unit}",
                        amount=money(item.amount),
                    )
                )
        for tie in trace.ties:
            if k in tie.winners or k in tie.losers:
                others = text["and"].join(
                    trace.ids[i] for i in (*tie.winners, *tie.losers) if i != k
                )
                outcome = text["tie_won"] if k in tie.winners else text["tie_lost"]
                lines.append(text["tie"].format(others=others, outcome=outcome))
        lines.append(text["total"].format(amount=money(parts.amount, sign=False)))
        return "\n".join(lines)

    # ------------------------------------------------------------------ export
    def to_records(self, *, detail: bool = False) -> list[dict[str, Any]]:
        """One mapping per region in table order: id and amount, and with ``detail`` the
        target and every breakdown item (keys like ``"factor:因素/贫困人口"``).

        Examples
        --------
        For the example of :func:`fundalloc.allocate`, ``to_records()[0]`` is
        ``{"地区": "甲市", "amount": Decimal("37")}``.
        """
        id_name = self.table.id_column
        records: list[dict[str, Any]] = []
        for region, amount in self.amounts.items():
            row: dict[str, Any] = {id_name: region, "amount": amount}
            if detail:
                parts = self.breakdown[region]
                row["target"] = parts.target
                for item in parts.items:
                    key = f"{item.stage}:{item.tranche}/{item.name}" if item.tranche else item.stage
                    row[key] = row.get(key, Decimal(0)) + item.amount
            records.append(row)
        return records

    def to_dataframe(
        self, *, library: Literal["pandas", "polars"] = "pandas", detail: bool = False
    ) -> Any:
        """The records as a pandas or polars DataFrame (imported only now).

        Amounts stay exact: they are Decimal values (an object column in pandas, a
        decimal column in polars).
        """
        records = self.to_records(detail=detail)
        module = require(library, library)
        if library == "pandas":
            return module.DataFrame.from_records(records)
        return module.DataFrame(records, infer_schema_length=None)

    def to_csv(self, path: str | os.PathLike[str], *, detail: bool = False) -> None:
        """Write the records as CSV in UTF-8 with a byte-order mark (so Excel shows Chinese).

        The file is written to a temporary name and renamed, so a failed run never
        leaves a half-written file.
        """
        records = self.to_records(detail=detail)
        names: dict[str, None] = {}
        for row in records:
            names.update(dict.fromkeys(row))
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(names), restval="0", lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: _plain(v) for k, v in row.items()} for row in records)
        write_atomic(path, buffer.getvalue().encode("utf-8-sig"))


def _fixed(value: float, places: int = 4) -> str:
    """A float with ``places`` decimals and its thousands grouped by commas, for columns."""
    return f"{value:,.{places}f}"


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return (
            format(value.normalize(), "f")
            if value == value.to_integral_value()
            else format(value, "f")
        )
    return value
