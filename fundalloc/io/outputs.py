"""Outputs for publication (公示) and audit: CSV, XLSX, JSON, Markdown and HTML.

Every output is rendered completely in memory and then written atomically (a temporary
file in the same folder, then a rename), so a failed run never leaves a half-written file.

Every output carries provenance: the SHA-256 of the scheme and of the data file, the
fundalloc version and the time (in CSV as ``key,value`` rows below the table, after a
blank row). The JSON output and the XLSX workbook also hold the scheme
and the input data, so ``fundalloc verify`` can recompute the allocation from them alone.

Column headers come in Chinese or English (``lang``), and a scheme file's ``[labels]``
table overrides any of them by key (``region``, ``amount``, ``target``, ...).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import io
import json
import os
import platform
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from fundalloc.errors import DataError, Problem
from fundalloc.factors import Factor, Group
from fundalloc.io.atomic import write_atomic
from fundalloc.io.schemefile import SCHEMA_VERSION, DataSource, dump_scheme, plain
from fundalloc.money import format_amount
from fundalloc.optional import require
from fundalloc.result import METHOD_NAMES, STAGE_NAMES, Allocation
from fundalloc.scheme import Scheme, Tranche

__all__ = ["FORMATS", "LABELS", "Provenance", "render", "text_table", "write_output"]

Lang = Literal["zh", "en"]
#: The sheets of the XLSX workbook, per language.
SHEET_NAMES: dict[str, list[str]] = {
    "zh": ["分配结果", "测算明细", "分配因素及权重", "输入数据", "来源"],
    "en": ["allocation", "calculation", "factors and weights", "input data", "provenance"],
}
OutputFormat = Literal["csv", "xlsx", "json", "md", "html"]
FORMATS: tuple[str, ...] = ("csv", "xlsx", "json", "md", "html")

#: Column headers and words per language; a scheme's [labels] table overrides them by key.
LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "region": "地区",
        "amount": "分配金额",
        "target": "测算数",
        "share": "占比",
        "total": "合计",
        "stage": "环节",
        "tranche": "切块",
        "item": "项目",
        "value": "金额",
        "factor": "因素",
        "weight": "权重",
        "rule": "计算方法",
        "rounding": "取整",
        "unit": "单位",
        "fund": "资金名称",
        "document": "文号",
        "formula": "分配方法",
        "note": "说明",
        "key": "项目",
        "content": "内容",
    },
    "en": {
        "region": "region",
        "amount": "amount",
        "target": "formula target",
        "share": "share",
        "total": "total",
        "stage": "stage",
        "tranche": "tranche",
        "item": "item",
        "value": "amount",
        "factor": "factor",
        "weight": "weight",
        "rule": "rule",
        "rounding": "rounding",
        "unit": "unit",
        "fund": "fund",
        "document": "document",
        "formula": "method",
        "note": "note",
        "key": "item",
        "content": "content",
    },
}


@dataclass(frozen=True)
class Provenance:
    """Where an allocation came from: enough to tell whether it can be reproduced.

    Paths are recorded relative to the scheme file (:meth:`of`: the scheme file's name, the
    data file relative to its folder), and the time is ``SOURCE_DATE_EPOCH``'s when that is
    set, so the same files give the same provenance on any machine."""

    scheme_path: str
    scheme_sha256: str
    data_path: str
    data_sha256: str
    version: str
    created: str = field(default_factory=lambda: _now())
    python: str = field(default_factory=platform.python_version)

    @classmethod
    def of(cls, scheme_path: Path | None, scheme_sha256: str, data_path: Path | None) -> Provenance:
        from fundalloc import __version__

        data_hash = hashlib.sha256(data_path.read_bytes()).hexdigest() if data_path else ""
        return cls(
            scheme_path.name if scheme_path else "",
            scheme_sha256,
            _relative(data_path, scheme_path.parent if scheme_path else None),
            data_hash,
            __version__,
        )

    def items(self, lang: Lang) -> list[tuple[str, str]]:
        names = {
            "zh": [
                "方案文件",
                "方案 SHA-256",
                "数据文件",
                "数据 SHA-256",
                "fundalloc 版本",
                "生成时间",
                "Python 版本",
            ],
            "en": [
                "scheme file",
                "scheme SHA-256",
                "data file",
                "data SHA-256",
                "fundalloc version",
                "created",
                "Python version",
            ],
        }[lang]
        values = [
            self.scheme_path,
            self.scheme_sha256,
            self.data_path,
            self.data_sha256,
            self.version,
            self.created,
            self.python,
        ]
        return list(zip(names, values, strict=True))


def _relative(path: Path | None, folder: Path | None) -> str:
    """``path`` relative to ``folder`` (the scheme file's), with ``/`` on every system, so
    the same files give the same provenance wherever they are; as given when it cannot be
    (another drive)."""
    if path is None:
        return ""
    if folder is None:
        return path.as_posix()
    try:
        return Path(os.path.relpath(path.resolve(), folder.resolve())).as_posix()
    except ValueError:
        return path.as_posix()


# ------------------------------------------------------------------------------- rendering
def labels_for(lang: Lang, overrides: dict[str, str] | None = None) -> dict[str, str]:
    return {**LABELS[lang], **(overrides or {})}


def _amount_header(result: Allocation, labels: dict[str, str]) -> str:
    return (
        f"{labels['amount']}（{result.scheme.unit}）"
        if "（" not in labels["amount"]
        else labels["amount"]
    )


def _rows(result: Allocation, labels: dict[str, str]) -> tuple[list[str], list[list[Any]]]:
    """The allocation table: region, formula target, amount, share of the total."""
    header = [labels["region"], labels["target"], _amount_header(result, labels), labels["share"]]
    rows = [
        [
            region,
            result.targets[region],
            amount,
            float(amount / result.total) if result.total else 0.0,
        ]
        for region, amount in result.amounts.items()
    ]
    return header, rows


def _detail_rows(
    result: Allocation, lang: Lang, labels: dict[str, str]
) -> tuple[list[str], list[list[Any]]]:
    """Every stage per region, reconciling exactly to the amount (测算明细)."""
    header = [labels["region"], labels["stage"], labels["tranche"], labels["item"], labels["value"]]
    rows: list[list[Any]] = []
    for region, parts in result.breakdown.items():
        for item in parts.items:
            name = (
                METHOD_NAMES[lang].get(item.name, item.name)
                if item.stage == "rounding"
                else item.name
            )
            rows.append([region, STAGE_NAMES[lang][item.stage], item.tranche, name, item.amount])
        rows.append([region, labels["amount"], "", "", parts.amount])
    return header, rows


def _factor_rows(scheme: Scheme, labels: dict[str, str]) -> tuple[list[str], list[list[Any]]]:
    """Tranches, factors and their weights as published (分配因素及权重)."""
    header = [labels["tranche"], labels["factor"], labels["weight"], labels["rule"]]
    rows: list[list[Any]] = []
    for path, tranche in scheme.walk():
        where = "/".join(path)
        size = _tranche_size(tranche, scheme.unit)
        if tranche.quota is not None:
            rows.append(
                [
                    f"{where}（{size}）",
                    f"{tranche.quota.column} × {tranche.quota.rate:g}",
                    "",
                    "定额/quota",
                ]
            )
        for factor in _flat_factors(tranche.factors):
            rows.append([f"{where}（{size}）", factor[0], factor[1], factor[2]])
        for coefficient in tranche.coefficients:
            rows.append([f"{where}（{size}）", coefficient.name, "×", coefficient.rule.describe()])
    return header, rows


def _flat_factors(
    factors: Sequence[Factor], scale: float = 1.0, prefix: str = ""
) -> list[tuple[str, float, str]]:
    total = sum(f.weight for f in factors)
    out: list[tuple[str, float, str]] = []
    for f in factors:
        weight = scale * f.weight / total
        if isinstance(f.rule, Group):
            out += _flat_factors(f.rule.factors, weight, f"{prefix}{f.name}/")
        else:
            out.append((f"{prefix}{f.name}", round(weight, 10), f.rule.describe()))
    return out


def _tranche_size(tranche: Tranche, unit: str) -> str:
    if tranche.share is not None:
        return f"{tranche.share:.4g}"
    if tranche.amount is not None:
        return f"{format_amount(tranche.amount)} {unit}"
    return "定额"


def _formula_words(scheme: Scheme, lang: Lang) -> list[str]:
    """The formula in words: each tranche with its factors and weights."""
    lines = []
    for path, tranche in scheme.walk():
        if tranche.tranches:
            continue
        factors = "，".join(
            f"{name} {weight:.4g}" for name, weight, _ in _flat_factors(tranche.factors)
        )
        size = _tranche_size(tranche, scheme.unit)
        if tranche.quota is not None:
            lines.append(
                f"{'/'.join(path)}（{size}）：{tranche.quota.column} × {tranche.quota.rate:g}"
            )
            continue
        coefficients = "、".join(c.name for c in tranche.coefficients)
        tail = (
            (
                f"；再乘{coefficients}后归一"
                if lang == "zh"
                else f"; then times {coefficients}, rescaled"
            )
            if coefficients
            else ""
        )
        lines.append(f"{'/'.join(path)}（{size}）：{factors}{tail}")
    return lines


def _rounding_note(result: Allocation, lang: Lang) -> str:
    """How the amounts were rounded; with ``half_up`` the residual (尾差), which is money left
    unallocated when positive and an excess over the total when negative."""
    scheme = result.scheme
    method = METHOD_NAMES[lang][scheme.method]
    step = f"{format_amount(scheme.step)} {scheme.unit}"
    residual = result.unallocated
    size = f"{format_amount(abs(residual))} {scheme.unit}"
    if lang == "zh":
        if not residual:
            return f"金额按{method}取整到 {step}，合计等于总额 {format_amount(scheme.total)} {scheme.unit}。"
        tail = f"尾差 {size} 未分配" if residual > 0 else f"合计超出总额 {size}"
        return f"金额各自四舍五入到 {step}；{tail}。"
    if not residual:
        return (
            f"Amounts are rounded to {step} by {method}; they add up to the total of "
            f"{format_amount(scheme.total)} {scheme.unit}."
        )
    tail = f"{size} are left unallocated" if residual > 0 else f"they exceed the total by {size}"
    return f"Amounts are rounded half-up to {step} one by one; {tail}."


def _total_share(result: Allocation) -> float:
    """The share of the total row: what was allocated over the total (not 1 with half_up)."""
    return float(sum(result.amounts.values(), Decimal(0)) / result.total)


def _number(value: Any, places: int = 6) -> str:
    if isinstance(value, Decimal):
        return format_amount(value, places)
    if isinstance(value, float):
        return format_amount(value, places)
    return str(value)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


#: Above this many regions the terminal table shows its head, its tail and the total.
TEXT_TABLE_ROWS = 50


def text_table(
    result: Allocation,
    lang: Lang = "zh",
    labels: dict[str, str] | None = None,
    *,
    limit: int | None = TEXT_TABLE_ROWS,
) -> str:
    """The allocation as an aligned text table for the terminal (CJK characters count double).

    Above ``limit`` regions (None: no limit) only the first and last ``limit // 2`` are
    shown, with a line counting those left out, then the total: printing a million rows to
    a terminal takes longer than the allocation.
    """
    chosen = labels_for(lang, labels)
    header, rows = _rows(result, chosen)
    left_out = 0
    if limit is not None and len(rows) > limit:
        keep = max(limit // 2, 1)
        left_out = len(rows) - 2 * keep
        rows = rows[:keep] + rows[-keep:]
    cells = [header] + [[r[0], _number(r[1], 4), _number(r[2]), f"{r[3]:.2%}"] for r in rows]
    cells.append(
        [
            chosen["total"],
            _number(sum(result.targets.values()), 4),
            _number(sum(result.amounts.values(), Decimal(0))),
            f"{_total_share(result):.2%}",
        ]
    )
    widths = [max(_width(row[j]) for row in cells) for j in range(len(header))]

    def line(row: list[str]) -> str:
        first = row[0] + " " * (widths[0] - _width(row[0]))
        rest = [" " * (w - _width(c)) + c for c, w in zip(row[1:], widths[1:], strict=True)]
        return "  ".join([first, *rest])

    title = result.scheme.name or ("分配结果" if lang == "zh" else "allocation")
    out = [
        f"{title}：{format_amount(result.total)} {result.scheme.unit}"
        if lang == "zh"
        else f"{title}: {format_amount(result.total)} {result.scheme.unit}",
        line(cells[0]),
    ]
    body = [line(row) for row in cells[1:]]
    if left_out:
        gap = (
            f"…（另有 {left_out:,} 个地区未显示，见输出文件）"
            if lang == "zh"
            else f"… ({left_out:,} more regions not shown: see the output file)"
        )
        half = (len(body) - 1) // 2
        body = [*body[:half], gap, *body[half:]]
    out += body
    if result.unallocated:
        out.append(_rounding_note(result, lang))
    return "\n".join(out)


def _csv(result: Allocation, lang: Lang, labels: dict[str, str], provenance: Provenance) -> bytes:
    """The allocation table, then a blank row, then the provenance as key, value rows."""
    import csv

    header, rows = _rows(result, labels)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for region, target, amount, share in rows:
        writer.writerow([region, f"{target:.6f}", _plain(amount), f"{share:.6f}"])
    writer.writerow([labels["total"], "", _plain(sum(result.amounts.values(), Decimal(0))), ""])
    writer.writerow([])
    writer.writerows(provenance.items(lang))
    return buffer.getvalue().encode("utf-8-sig")


def _plain(value: Decimal) -> str:
    return (
        format(value.normalize(), "f") if value == value.to_integral_value() else format(value, "f")
    )


def document(
    result: Allocation,
    scheme_text: str,
    data: DataSource,
    provenance: Provenance,
    scheme_format: str = "toml",
) -> dict[str, Any]:
    """Everything needed to re-run and check the allocation, as plain JSON data."""
    table = result.table
    columns = _input_columns(result)
    # each column taken once (``raw`` copies a whole column), then the rows zipped
    values = [table.ids, *[[_jsonable(v) for v in table.raw(c)] for c in columns[1:]]]
    rows = [list(row) for row in zip(*values, strict=True)]
    return {
        "fundalloc": provenance.version,
        "schema_version": SCHEMA_VERSION,
        "provenance": dict(provenance.items("en")),
        "scheme": scheme_text,
        "scheme_format": scheme_format,
        "data_source": plain(data),
        "data": {
            "columns": columns,
            "rows": rows,
            "row_numbers": [table.row_number(i) for i in range(len(table))],
        },
        "result": {
            "total": _plain(result.total),
            "unit": result.scheme.unit,
            "step": _plain(result.scheme.step),
            "method": result.scheme.method,
            "unallocated": _plain(result.unallocated),
            "targets": {region: target for region, target in result.targets.items()},
            "amounts": {region: _plain(amount) for region, amount in result.amounts.items()},
            "breakdown": {
                region: [[i.stage, i.tranche, i.name, _plain(i.amount)] for i in parts.items]
                for region, parts in result.breakdown.items()
            },
        },
    }


def _is_derived(scheme: Scheme, column: str) -> bool:
    return any(name == column for name, _ in scheme.derived)


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | bool):
        return value
    if isinstance(value, int | float):
        return value
    if hasattr(value, "item"):
        return value.item()
    return str(value)


def _markdown(
    result: Allocation, lang: Lang, labels: dict[str, str], provenance: Provenance
) -> str:
    scheme = result.scheme
    header, rows = _rows(result, labels)
    title = scheme.name or ("资金分配公示" if lang == "zh" else "Allocation")
    lines = [f"# {title}", ""]
    facts = [
        (labels["fund"], scheme.name or "—"),
        (labels["amount"], f"{format_amount(scheme.total)} {scheme.unit}"),
    ]
    if scheme.document:
        facts.append((labels["document"], scheme.document))
    lines += [f"- **{k}**：{v}" if lang == "zh" else f"- **{k}**: {v}" for k, v in facts]
    lines += ["", f"## {labels['formula']}", ""]
    lines += [f"- {w}" for w in _formula_words(scheme, lang)]
    if scheme.bounds:
        lines.append(
            f"- {'限额' if lang == 'zh' else 'bounds'}："
            + "；".join(b.label(scheme.unit) for b in scheme.bounds)
        )
    lines += [
        "",
        f"## {'分配结果' if lang == 'zh' else 'Amounts'}",
        "",
        "| " + " | ".join([_md_cell(header[0]), _md_cell(header[2])]) + " |",
        "| --- | ---: |",
    ]
    lines += [f"| {_md_cell(r[0])} | {_plain(r[2])} |" for r in rows]
    lines += [
        f"| **{_md_cell(labels['total'])}** | **{_plain(sum(result.amounts.values(), Decimal(0)))}** |",
        "",
        f"{labels['note']}：{_rounding_note(result, lang)}"
        if lang == "zh"
        else f"{labels['note']}: {_rounding_note(result, lang)}",
        "",
        f"<small>fundalloc {provenance.version} · {provenance.created} · "
        f"scheme SHA-256 {provenance.scheme_sha256[:12]} · data SHA-256 {provenance.data_sha256[:12]}</small>",
        "",
    ]
    return "\n".join(lines)


def _md_cell(text: str) -> str:
    """Text for a Markdown table cell: ``|`` escaped, line breaks made spaces."""
    return " ".join(str(text).splitlines()).replace("|", "\\|")


def _html(result: Allocation, lang: Lang, labels: dict[str, str], provenance: Provenance) -> str:
    scheme = result.scheme
    e = html.escape
    header, rows = _rows(result, labels)
    title = scheme.name or ("资金分配公示" if lang == "zh" else "Allocation")
    facts = [
        (labels["fund"], scheme.name or "—"),
        (labels["amount"], f"{format_amount(scheme.total)} {scheme.unit}"),
    ]
    if scheme.document:
        facts.append((labels["document"], scheme.document))
    body = [
        f"<h1>{e(title)}</h1>",
        "<dl>" + "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in facts) + "</dl>",
        f"<h2>{e(labels['formula'])}</h2>",
        "<ul>"
        + "".join(f"<li>{e(w)}</li>" for w in _formula_words(scheme, lang))
        + ("".join(f"<li>{e(b.label(scheme.unit))}</li>" for b in scheme.bounds))
        + "</ul>",
        f"<table><thead><tr><th>{e(header[0])}</th><th>{e(header[2])}</th></tr></thead><tbody>",
        *[f'<tr><td>{e(r[0])}</td><td class="n">{e(_plain(r[2]))}</td></tr>' for r in rows],
        f"</tbody><tfoot><tr><th>{e(labels['total'])}</th>"
        f'<th class="n">{e(_plain(sum(result.amounts.values(), Decimal(0))))}</th></tr></tfoot></table>',
        f"<p>{e(_rounding_note(result, lang))}</p>",
        f'<p class="p">fundalloc {e(provenance.version)} · {e(provenance.created)} · scheme SHA-256 '
        f"{e(provenance.scheme_sha256)} · data SHA-256 {e(provenance.data_sha256)}</p>",
    ]
    style = (
        "body{font-family:sans-serif;max-width:52em;margin:2em auto}table{border-collapse:collapse}"
        "td,th{border:1px solid #999;padding:.2em .6em}.n{text-align:right}.p{color:#666;font-size:.8em}"
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
        f"<title>{e(title)}</title><style>{style}</style></head><body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )


#: Regions up to which the XLSX output holds the calculation sheet (测算表) by default: the
#: sheet writes a few formulas per region and cell (about 1 s per 1 000 regions), so a larger
#: workbook leaves it out unless asked (``calculation_sheet=True``, ``--calculation-sheet``).
CALCULATION_SHEET_LIMIT = 20_000
#: Rows above the header on the allocation, calculation and factors sheets: a merged title
#: row and a unit row (``verify`` finds the header by its first cell).
TITLE_ROWS = 2


def source_date() -> dt.datetime | None:
    """The time of ``SOURCE_DATE_EPOCH`` (UTC) when it is set: outputs made with it set are
    byte for byte the same (the reproducible-builds convention)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return None
    try:
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    except (ValueError, OverflowError, OSError):
        raise DataError(
            [
                Problem(
                    "SOURCE_DATE_EPOCH",
                    "expected a whole number of seconds since 1970-01-01 UTC",
                    found=repr(epoch),
                )
            ]
        ) from None


def _now() -> str:
    return (source_date() or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")


def _money_format(step: Decimal) -> tuple[str, int]:
    decimals = max(0, -int(step.normalize().as_tuple().exponent))
    return "#,##0" + ("." + "0" * decimals if decimals else ""), decimals


def _shown_width(value: Any, decimals: int) -> int:
    """How many columns a cell's shown text takes (CJK characters two)."""
    if isinstance(value, str):
        return max((_width(line) for line in value.split("\n")), default=0)
    if isinstance(value, bool) or value is None:
        return 0
    if isinstance(value, int):
        return len(str(value))
    if isinstance(value, float) and decimals == -1:  # as given: the shortest round trip
        return len(repr(value))
    if isinstance(value, int | float | Decimal):
        return len(f"{float(value):,.{decimals}f}")
    return len(str(value))


class _Widths:
    """Column widths that fit what the cells show, counted as the cells are written."""

    def __init__(self, count: int, cap: int = 60) -> None:
        self.widths = [0] * count
        self.cap = cap

    def see(self, column: int, value: Any, decimals: int = 0) -> None:
        width = _shown_width(value, decimals)
        if width > self.widths[column]:
            self.widths[column] = width

    def see_column(self, column: int, values: Sequence[Any], decimals: int = 0) -> None:
        for value in values:
            self.see(column, value, decimals)

    def shown(self, minimum: int = 6) -> list[int]:
        return [min(self.cap, max(minimum, width) + 2) for width in self.widths]

    def apply(self, sheet: Any, minimum: int = 6) -> None:
        for column, width in enumerate(self.shown(minimum)):
            sheet.set_column(column, column, width)


class _Book:
    """The formats an XLSX output uses, made once per workbook."""

    def __init__(self, book: Any, money: str) -> None:
        edge = {"border": 1, "valign": "vcenter"}
        self.title = book.add_format(
            {
                "bold": True,
                "font_size": 14,
                "align": "center",
                "valign": "vcenter",
                "text_wrap": True,
            }
        )
        self.unit = book.add_format({"align": "right"})
        self.header = book.add_format(
            {**edge, "bold": True, "align": "center", "text_wrap": True, "bg_color": "#DDEBF7"}
        )
        self.text = book.add_format(edge)
        self.money = book.add_format({**edge, "num_format": money})
        self.target = book.add_format({**edge, "num_format": "#,##0.0000"})
        self.detail = book.add_format({**edge, "num_format": "#,##0.000000"})
        self.percent = book.add_format({**edge, "num_format": "0.00%"})
        self.weight = book.add_format({**edge, "num_format": "0.00%", "align": "right"})
        self.total_text = book.add_format({**edge, "bold": True, "align": "center"})
        self.total_money = book.add_format({**edge, "bold": True, "num_format": money})
        self.total_target = book.add_format({**edge, "bold": True, "num_format": "#,##0.0000"})
        self.total_percent = book.add_format({**edge, "bold": True, "num_format": "0.00%"})
        self.note = book.add_format({"text_wrap": True, "valign": "top"})
        self.plain = book.add_format({})
        self.key = book.add_format({**edge, "bold": True})
        self.wrap = book.add_format({**edge, "text_wrap": True})


def _top(
    sheet: Any,
    styles: _Book,
    width: int,
    title: str,
    unit: str,
    header: Sequence[str],
    table_width: int,
) -> None:
    """The title row (merged, on as many lines as a title wider than the table's
    ``table_width`` characters needs), the unit row and the header; frozen below the header,
    the header repeated on every printed page, A4 landscape fitted to the page width."""
    lines = -(-_width(title) * 14 // (11 * max(1, table_width - 2)))  # 14-point title
    sheet.set_row(0, 22 * max(1, lines))
    sheet.merge_range(0, 0, 0, width - 1, title, styles.title)
    if width > 1:
        sheet.merge_range(1, 0, 1, width - 1, unit, styles.unit)
    else:
        sheet.write_string(1, 0, unit, styles.unit)
    for column, text in enumerate(header):
        sheet.write_string(TITLE_ROWS, column, text, styles.header)
    sheet.freeze_panes(TITLE_ROWS + 1, 0)
    _print_setup(sheet, TITLE_ROWS)


def _print_setup(sheet: Any, header_row: int) -> None:
    sheet.set_paper(9)  # A4
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)  # one page wide, as many pages tall as needed
    sheet.repeat_rows(0, header_row)
    sheet.center_horizontally()
    sheet.set_footer("&C&P / &N")


def _title(result: Allocation, lang: Lang) -> str:
    scheme = result.scheme
    name = scheme.name or ("资金分配结果" if lang == "zh" else "Allocation")
    if scheme.document:
        return f"{name}（{scheme.document}）" if lang == "zh" else f"{name} ({scheme.document})"
    return name


def _unit_line(result: Allocation, lang: Lang, labels: dict[str, str]) -> str:
    colon = "：" if lang == "zh" else ": "
    return f"{labels['unit']}{colon}{result.scheme.unit}"


def _input_cell(value: Any) -> Any:
    """An input cell as the input sheet holds it: a text that reads as a number whose own
    text is exactly the given one (``"95"``, ``"12.5"``) becomes that number, so the sheet
    holds numbers; any other text (``"007"``, ``"1.50"``, a 20-digit number) stays text,
    so re-running from the sheet sees the very same values."""
    value = _jsonable(value)
    if not isinstance(value, str) or not value or len(value) > 17:
        return value
    if _INTEGER.fullmatch(value):
        number: int | float = int(value)
    elif _DECIMAL.fullmatch(value):
        number = float(value)
        if f"{number:.16G}" != value and repr(number) != value:
            return value
    else:
        return value
    return number if str(number) == value else value


_INTEGER = re.compile(r"-?(0|[1-9][0-9]{0,14})")
_DECIMAL = re.compile(r"-?(0|[1-9][0-9]*)\.[0-9]*[1-9]")


def _xlsx(
    result: Allocation,
    lang: Lang,
    labels: dict[str, str],
    provenance: Provenance,
    scheme_text: str,
    data: DataSource,
    scheme_format: str = "toml",
    calculation_sheet: bool | None = None,
) -> bytes:
    xlsxwriter = require("xlsxwriter", "excel")
    from fundalloc.io.workbook import write_calculation_sheet

    scheme = result.scheme
    money, decimals = _money_format(scheme.step)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer,
        {
            "constant_memory": True,  # every sheet is written row by row
            "strings_to_numbers": False,
            "strings_to_formulas": False,  # a region named "=HYPERLINK(...)" stays text
            "strings_to_urls": False,
        },
    )
    created = source_date()
    book.set_properties(
        {
            "title": _title(result, lang),
            "created": (created or dt.datetime.now(dt.UTC)).replace(tzinfo=None),
        }
    )
    styles = _Book(book, money)
    names = SHEET_NAMES[lang]
    title = _title(result, lang)
    unit = _unit_line(result, lang, labels)
    n = len(result.table)
    include = n <= CALCULATION_SHEET_LIMIT if calculation_sheet is None else calculation_sheet

    # 分配结果: region, formula target, amount, share; 合计; the rounding note
    sheet = book.add_worksheet(names[0])
    header, rows = _rows(result, labels)
    widths = _Widths(4)
    for column, text in enumerate(header):
        widths.see(column, text)
    regions = [r[0] for r in rows]
    targets = [float(r[1]) for r in rows]
    amounts = [float(r[2]) for r in rows]
    shares = [r[3] for r in rows]
    total_target = float(sum(result.targets.values()))
    total_amount = float(sum(result.amounts.values(), Decimal(0)))
    widths.see_column(0, regions)
    widths.see_column(1, [total_target, min(targets, default=0.0)], 4)
    widths.see(2, total_amount, decimals)
    widths.see(2, min(amounts, default=0.0), decimals)
    widths.see(3, "100.00%")
    _top(sheet, styles, 4, title, unit, header, sum(widths.shown()))
    row = TITLE_ROWS + 1
    for region, target, amount, share in zip(regions, targets, amounts, shares, strict=True):
        sheet.write_string(row, 0, region, styles.text)
        sheet.write_number(row, 1, target, styles.target)
        sheet.write_number(row, 2, amount, styles.money)
        sheet.write_number(row, 3, share, styles.percent)
        row += 1
    sheet.write_string(row, 0, labels["total"], styles.total_text)
    sheet.write_number(row, 1, total_target, styles.total_target)
    sheet.write_number(row, 2, total_amount, styles.total_money)
    sheet.write_number(row, 3, _total_share(result), styles.total_percent)
    notes = [f"{labels['note']}{'：' if lang == 'zh' else ': '}{_rounding_note(result, lang)}"]
    if not include:
        notes.append(_left_out_note(n, lang))
    widths.apply(sheet)
    for note in notes:
        row += 1
        sheet.merge_range(row, 0, row, 3, note, styles.note)
        sheet.set_row(row, 15 * max(1, -(-_width(note) // max(1, sum(widths.widths) + 8))))

    # 测算明细: every stage of every region's breakdown
    detail = book.add_worksheet(names[1])
    header, drows = _detail_rows(result, lang, labels)
    widths = _Widths(5)
    for column, text in enumerate(header):
        widths.see(column, text)
    for column in range(1, 4):
        widths.see_column(column, list({r[column] for r in drows}))
    widths.see_column(0, regions)
    _top(detail, styles, 5, title, unit, header, sum(widths.shown()))
    row = TITLE_ROWS + 1
    largest = 0.0
    for region, stage, tranche, item, value in drows:
        amount = float(value)
        detail.write_string(row, 0, region, styles.text)
        detail.write_string(row, 1, stage, styles.text)
        detail.write_string(row, 2, tranche, styles.text)
        detail.write_string(row, 3, item, styles.text)
        detail.write_number(row, 4, amount, styles.detail)
        largest = max(largest, abs(amount))
        row += 1
    widths.see(4, -largest, 6)
    widths.apply(detail)

    # 分配因素及权重: tranches, factors, weights as percentages, rules
    factors = book.add_worksheet(names[2])
    header, frows = _factor_rows(scheme, labels)
    widths = _Widths(4, cap=80)
    for column, text in enumerate(header):
        widths.see(column, text)
    for values in frows:
        for column, value in enumerate(values):
            widths.see(column, "100.00%" if isinstance(value, float) else str(value))
    _top(factors, styles, 4, title, "", header, sum(widths.shown()))
    for k, values in enumerate(frows, start=TITLE_ROWS + 1):
        for column, value in enumerate(values):
            if isinstance(value, float):
                factors.write_number(k, column, value, styles.weight)
            else:
                factors.write_string(k, column, str(value), styles.wrap)
    widths.apply(factors)

    # 输入数据: the data as given (numbers as numbers), header in the first row
    inputs = book.add_worksheet(names[3])
    table = result.table
    columns = _input_columns(result)
    widths = _Widths(len(columns))
    for column, name in enumerate(columns):
        inputs.write_string(0, column, name, styles.header)
        widths.see(column, name)
    cells = [list(table.ids)] + [[_input_cell(v) for v in table.raw(c)] for c in columns[1:]]
    for column, values in enumerate(cells):
        widths.see_column(column, values, -1)
    for i in range(n):
        for column, values in enumerate(cells):
            value = values[i]
            if value is None:
                continue
            if isinstance(value, str):
                inputs.write_string(i + 1, column, value)
            elif isinstance(value, bool):
                inputs.write_boolean(i + 1, column, value)
            else:
                inputs.write_number(i + 1, column, value)
    inputs.freeze_panes(1, 1)
    _print_setup(inputs, 0)
    widths.apply(inputs)

    # 来源: provenance as 项目 | 内容, then the scheme file, one line per row
    source = book.add_worksheet(names[4])
    source.write_string(0, 0, labels["key"], styles.header)
    source.write_string(0, 1, labels["content"], styles.header)
    items = [
        *provenance.items(lang),
        ("data_source", json.dumps(plain(data), ensure_ascii=False)),
        ("scheme_format", scheme_format),
        ("scheme", ""),
    ]
    for k, (key, value) in enumerate(items, start=1):
        source.write_string(k, 0, key, styles.key)
        source.write_string(k, 1, value, styles.text)
    # one row per line, split at "\n" only: splitlines() would also split at U+2028, U+0085
    # and others, which joining with "\n" cannot give back
    for k, text_line in enumerate(scheme_text.split("\n"), start=len(items) + 1):
        if text_line:
            source.write_string(k, 1, text_line)
        else:
            source.write_blank(k, 1, None, styles.plain)  # the row is kept: a line of the text
    key_width = max(_width(key) for key, _ in items)
    source.set_column(0, 0, key_width + 2)
    source.set_column(1, 1, 90)
    _print_setup(source, 0)

    if include:
        write_calculation_sheet(book, result, lang=lang, labels=labels)
    book.close()
    return buffer.getvalue()


def _left_out_note(n: int, lang: Lang) -> str:
    if lang == "zh":
        return (
            f"本工作簿未包含测算表：{n:,} 个地区，超过默认上限 {CALCULATION_SHEET_LIMIT:,}"
            "（生成较慢）；需要时用 --calculation-sheet 或 calculation_sheet=True。"
        )
    return (
        f"The calculation sheet is left out: {n:,} regions, above the default limit of "
        f"{CALCULATION_SHEET_LIMIT:,} (it is slow to write); ask for it with "
        "--calculation-sheet or calculation_sheet=True."
    )


def _input_columns(result: Allocation) -> list[str]:
    table = result.table
    return [table.id_column, *[c for c in table.columns if not _is_derived(result.scheme, c)]]


# The characters an XLSX cell cannot hold as they are (XML 1.0 forbids most control
# characters, and a parser reads a carriage return as a line feed), and a text that would read
# as an escape: both are written as OOXML's _xHHHH_ escapes, as Excel itself does.
_UNSTORABLE = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff]")
_LOOKS_ESCAPED = re.compile("_(?=x[0-9A-Fa-f]{4}_)")
_ESCAPE = re.compile("_x([0-9A-Fa-f]{4})_")


def xlsx_text(text: str) -> str:
    r"""Text as an XLSX cell holds it: control characters as ``_xHHHH_`` escapes (Excel shows
    the character), and an underscore that would start such an escape as ``_x005F_``.

    >>> xlsx_text("甲\x0b市_x0041_")
    '甲_x000B_市_x005F_x0041_'
    >>> xlsx_unescape(xlsx_text("甲\x0b市_x0041_\r\n"))
    '甲\x0b市_x0041_\r\n'
    """
    return _UNSTORABLE.sub(
        lambda m: f"_x{ord(m.group()):04X}_", _LOOKS_ESCAPED.sub("_x005F_", text)
    )


def xlsx_unescape(text: str) -> str:
    """The text an XLSX cell holds, its ``_xHHHH_`` escapes read back (see :func:`xlsx_text`)."""
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def render(
    result: Allocation,
    format: OutputFormat,
    *,
    lang: Lang = "zh",
    labels: dict[str, str] | None = None,
    provenance: Provenance,
    data: DataSource | None = None,
    scheme_text: str | None = None,
    scheme_format: str = "toml",
    calculation_sheet: bool | None = None,
) -> bytes:
    """The bytes of one output format. ``scheme_text`` is the scheme file as written (in
    ``scheme_format``), recorded in JSON and XLSX outputs so they can be verified.

    ``verify`` checks the provenance's scheme SHA-256 against the recorded text: pass the
    scheme file's text as read (``SchemeFile.text``) with the provenance of that file, as
    the command line does. Without ``scheme_text`` the scheme is dumped, and the provenance's
    scheme SHA-256 should then be that of the dump (or empty, to record none).

    The XLSX workbook holds the calculation sheet (测算表, see
    :func:`fundalloc.io.workbook.write_calculation_sheet`) as its sixth sheet when
    ``calculation_sheet`` is true, or by default (``None``) when the allocation has at most
    :data:`CALCULATION_SHEET_LIMIT` regions; a workbook without it says so in a note below
    the allocation table. With ``SOURCE_DATE_EPOCH`` set, every format gives the same bytes
    for the same inputs."""
    chosen = labels_for(lang, labels)
    data = data or DataSource()
    text = (
        scheme_text
        if scheme_text is not None
        else dump_scheme(result.scheme, data=data, labels=labels)
    )
    if format == "csv":
        return _csv(result, lang, chosen, provenance)
    if format == "xlsx":
        return _xlsx(result, lang, chosen, provenance, text, data, scheme_format, calculation_sheet)
    if format == "json":
        return _json_text(document(result, text, data, provenance, scheme_format)).encode()
    if format == "md":
        return _markdown(result, lang, chosen, provenance).encode("utf-8")
    return _html(result, lang, chosen, provenance).encode("utf-8")


def _json_text(doc: dict[str, Any]) -> str:
    """The JSON output: one top-level key per line, each value on its line.

    ``json.dumps`` with ``indent`` runs Python's own encoder (its C encoder only writes
    without indentation), about three quarters of the JSON output's time at 10^4 regions:
    each value is written by the C encoder instead.

    >>> print(_json_text({"a": 1, "b": {"c": [1, "甲"]}}), end="")
    {
     "a": 1,
     "b": {"c": [1, "甲"]}
    }
    """
    items = (
        f" {json.dumps(key, ensure_ascii=False)}: {json.dumps(value, ensure_ascii=False)}"
        for key, value in doc.items()
    )
    return "{\n" + ",\n".join(items) + "\n}\n"


def write_output(path: Path, data: bytes) -> None:
    """Write an output atomically (see :func:`fundalloc.io.atomic.write_atomic`)."""
    write_atomic(path, data)
