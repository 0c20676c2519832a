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
import platform
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

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
        "key": "key",
    },
}


@dataclass(frozen=True)
class Provenance:
    """Where an allocation came from: enough to tell whether it can be reproduced."""

    scheme_path: str
    scheme_sha256: str
    data_path: str
    data_sha256: str
    version: str
    created: str = field(
        default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    )
    python: str = field(default_factory=platform.python_version)

    @classmethod
    def of(cls, scheme_path: Path | None, scheme_sha256: str, data_path: Path | None) -> Provenance:
        from fundalloc import __version__

        data_hash = hashlib.sha256(data_path.read_bytes()).hexdigest() if data_path else ""
        return cls(
            str(scheme_path or ""), scheme_sha256, str(data_path or ""), data_hash, __version__
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


def text_table(result: Allocation, lang: Lang = "zh", labels: dict[str, str] | None = None) -> str:
    """The allocation as an aligned text table for the terminal (CJK characters count double)."""
    chosen = labels_for(lang, labels)
    header, rows = _rows(result, chosen)
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
    out += [line(row) for row in cells[1:]]
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
    columns = [table.id_column, *[c for c in table.columns if not _is_derived(result.scheme, c)]]
    rows = [
        [region, *[_jsonable(table.raw(c)[i]) for c in columns[1:]]]
        for i, region in enumerate(table.ids)
    ]
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


def _xlsx(
    result: Allocation,
    lang: Lang,
    labels: dict[str, str],
    provenance: Provenance,
    scheme_text: str,
    data: DataSource,
    scheme_format: str = "toml",
) -> bytes:
    openpyxl = require("openpyxl", "excel")
    from openpyxl.styles import Font

    decimals = max(0, -int(result.scheme.step.normalize().as_tuple().exponent))
    money = "#,##0" + ("." + "0" * decimals if decimals else "")
    book = openpyxl.Workbook()
    bold = Font(bold=True)
    names = SHEET_NAMES[lang]

    sheet = book.active
    sheet.title = names[0]
    header, rows = _rows(result, labels)
    _append(sheet, header)
    for region, target, amount, share in rows:
        _append(sheet, [region, target, float(amount), share])
    _append(
        sheet,
        [
            labels["total"],
            sum(result.targets.values()),
            float(sum(result.amounts.values(), Decimal(0))),
            _total_share(result),
        ],
    )
    for row in sheet.iter_rows(min_row=2):
        row[1].number_format = "#,##0.0000"
        row[2].number_format = money
        row[3].number_format = "0.00%"
    for cell in (*sheet[1], *sheet[sheet.max_row]):
        cell.font = bold

    detail = book.create_sheet(names[1])
    header, rows = _detail_rows(result, lang, labels)
    _append(detail, header)
    for row in rows:
        _append(detail, [*row[:4], float(row[4])])
        detail.cell(row=detail.max_row, column=5).number_format = "#,##0.000000"
    for cell in detail[1]:
        cell.font = bold

    factors = book.create_sheet(names[2])
    header, rows = _factor_rows(result.scheme, labels)
    _append(factors, header)
    for row in rows:
        _append(factors, row)
    for cell in factors[1]:
        cell.font = bold

    inputs = book.create_sheet(names[3])
    table = result.table
    columns = [table.id_column, *[c for c in table.columns if not _is_derived(result.scheme, c)]]
    _append(inputs, columns)
    for i, region in enumerate(table.ids):
        _append(inputs, [region, *[_jsonable(table.raw(c)[i]) for c in columns[1:]]])

    source = book.create_sheet(names[4])
    _append(source, [labels["key"], labels["value"]])
    for key, value in provenance.items(lang):
        _append(source, [key, value])
    _append(source, ["data_source", json.dumps(plain(data), ensure_ascii=False)])
    _append(source, ["scheme_format", scheme_format])
    _append(source, ["scheme", ""])
    # one row per line, split at "\n" only: splitlines() would also split at U+2028, U+0085
    # and others, which joining with "\n" cannot give back
    for text_line in scheme_text.split("\n"):
        _append(source, ["", text_line])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


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


def _append(sheet: Any, values: Sequence[Any]) -> None:
    """Append a row whose text stays text: openpyxl would store a string starting with "="
    as a formula, and a region named "=HYPERLINK(...)" must not become one. Control
    characters are escaped (:func:`xlsx_text`)."""
    sheet.append([xlsx_text(v) if isinstance(v, str) else v for v in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str) and cell.value.startswith("="):
            cell.data_type = "s"


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
) -> bytes:
    """The bytes of one output format. ``scheme_text`` is the scheme file as written (in
    ``scheme_format``), recorded in JSON and XLSX outputs so they can be verified.

    ``verify`` checks the provenance's scheme SHA-256 against the recorded text: pass the
    scheme file's text as read (``SchemeFile.text``) with the provenance of that file, as
    the command line does. Without ``scheme_text`` the scheme is dumped, and the provenance's
    scheme SHA-256 should then be that of the dump (or empty, to record none)."""
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
        return _xlsx(result, lang, chosen, provenance, text, data, scheme_format)
    if format == "json":
        return (
            json.dumps(
                document(result, text, data, provenance, scheme_format),
                ensure_ascii=False,
                indent=1,
            )
            + "\n"
        ).encode()
    if format == "md":
        return _markdown(result, lang, chosen, provenance).encode("utf-8")
    return _html(result, lang, chosen, provenance).encode("utf-8")


def write_output(path: Path, data: bytes) -> None:
    """Write an output atomically (see :func:`fundalloc.io.atomic.write_atomic`)."""
    write_atomic(path, data)
