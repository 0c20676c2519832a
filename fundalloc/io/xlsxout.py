"""The XLSX output: a workbook a bureau prints and an auditor re-checks, written in time
linear in the regions.

Sheets: 分配结果 (region, formula target, amount, share; 合计; the rounding note),
测算明细 (one row per region, one column per breakdown item, adding up to the amount),
分配因素及权重, 输入数据 (numbers as numbers), 来源 (provenance as 项目 | 内容, then the scheme
file line by line), and the calculation sheet 测算表 (:mod:`fundalloc.io.workbook`) up to
:data:`~fundalloc.io.outputs.CALCULATION_SHEET_LIMIT` regions by default.

How it stays linear and fast
----------------------------
XlsxWriter (``constant_memory``) writes everything around the regions: titles, headers,
the first region's row (which fixes the cell styles), the total row, notes, print setup.
The rows of the other regions, the bulk of the file, are made as sheet XML directly from
the allocation's columns (about ten times faster than a call per cell) and spliced into
the closed workbook after the first region's row; the archive is rewritten with the same
entries, names, times and order, so ``SOURCE_DATE_EPOCH`` still gives the same bytes.
Numbers are written as their shortest round-trip text (``repr``), so a cell holds exactly
the binary64 number fundalloc computed.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import unicodedata
import zipfile
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import numpy as np

from fundalloc.i18n import Lang, tr
from fundalloc.io.schemefile import plain
from fundalloc.optional import require
from fundalloc.result import BOUND_STAGES, stage_name

if TYPE_CHECKING:
    from fundalloc.io.outputs import Job
    from fundalloc.result import Allocation

__all__ = ["detail_header", "workbook", "xlsx_text", "xlsx_unescape"]


# ------------------------------------------------------------------ text in cells
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
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


_SPECIAL = re.compile("[&<>_\x00-\x08\x0b-\x1f\ufffe\uffff]")


def _xml_text(text: str) -> str:
    if _SPECIAL.search(text) is None:
        return text
    text = xlsx_text(text)
    if "&" in text or "<" in text or ">" in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


def _t_content(text: str) -> str:
    """The rest of a ``<t`` element: its attribute if needed, ``>`` and the text."""
    escaped = _xml_text(text)
    if text[0].isspace() or text[-1].isspace():
        return ' xml:space="preserve">' + escaped
    return ">" + escaped


def _letters(index: int) -> str:
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(65 + rest) + out
    return out


# ------------------------------------------------------------------ rows as sheet XML
class _Column:
    """One column of cells for :func:`_rows_xml`: ``kind`` is ``text``, ``number`` or
    ``cell`` (each value's own type), ``style`` the XlsxWriter format (or None)."""

    def __init__(self, kind: str, values: Sequence[Any], style: Any = None) -> None:
        self.kind, self.values, self.style = kind, values, style


def _cell_xml(ref: str, value: Any, s: str) -> str:
    if value is None:
        return f'<c r="{ref}"{s}/>' if s else ""
    if isinstance(value, str):
        if not value:
            return f'<c r="{ref}"{s}/>' if s else ""
        return f'<c r="{ref}"{s} t="inlineStr"><is><t{_t_content(value)}</t></is></c>'
    if isinstance(value, bool | np.bool_):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    return f'<c r="{ref}"{s}><v>{float(value)!r}</v></c>'


def _rows_xml(first: int, start: int, stop: int, columns: Sequence[_Column]) -> str:
    """Rows ``start..stop-1`` of the columns as sheet XML, the first of them at the sheet's
    0-based row ``first``: one row template, filled by one ``%`` over all the rows (a
    loop in C), each column giving its cells' values (numbers, escaped texts) or, for a
    column of mixed cells, each cell's whole XML."""
    numbers = list(range(first + 1, first + 1 + stop - start))
    template = ['<row r="%d">']
    arguments: list[Sequence[Any]] = [numbers]
    for j, column in enumerate(columns):
        letter = _letters(j)
        s = "" if column.style is None else f' s="{column.style._get_xf_index()}"'
        values = column.values[start:stop]
        if column.kind == "number":
            template.append(f'<c r="{letter}%d"{s}><v>%r</v></c>')
            arguments += [numbers, [float(v) for v in values]]
        elif column.kind == "text" and all(v.__class__ is str and v for v in values):
            template.append(f'<c r="{letter}%d"{s} t="inlineStr"><is><t%s</t></is></c>')
            arguments += [numbers, [_t_content(v) for v in values]]
        else:
            template.append("%s")
            arguments.append(
                [_cell_xml(f"{letter}{r}", v, s) for r, v in zip(numbers, values, strict=True)]
            )
    template.append("</row>")
    flat = tuple(x for row in zip(*arguments, strict=True) for x in row)
    return ("".join(template) * len(numbers)) % flat


def _write_row(sheet: Any, row: int, columns: Sequence[_Column], i: int) -> None:
    """Row ``i`` of the columns through XlsxWriter, at the sheet's row ``row``."""
    for j, column in enumerate(columns):
        value = column.values[i]
        if value is None or (isinstance(value, str) and not value):
            if column.style is not None:
                sheet.write_blank(row, j, None, column.style)
        elif isinstance(value, str):
            sheet.write_string(row, j, value, column.style)
        elif isinstance(value, bool | np.bool_):
            sheet.write_boolean(row, j, bool(value), column.style)
        else:
            sheet.write_number(row, j, float(value), column.style)


class _Splices:
    """Rows made as XML, to go into the closed workbook after a given row of a sheet."""

    def __init__(self) -> None:
        self.parts: dict[int, tuple[int, str]] = {}

    def body(self, sheet: Any, index: int, first: int, columns: Sequence[_Column], n: int) -> None:
        """Write the rows of ``n`` regions starting at the sheet's row ``first``: the first
        through XlsxWriter, the others as XML spliced in after it."""
        _write_row(sheet, first, columns, 0)
        if n > 1:
            self.parts[index] = (first + 1, _rows_xml(first + 1, 1, n, columns))

    def apply(self, data: bytes) -> bytes:
        if not self.parts:
            return data
        source = zipfile.ZipFile(io.BytesIO(data))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                content = source.read(info.filename)
                match = re.fullmatch(r"xl/worksheets/sheet([0-9]+)\.xml", info.filename)
                if match and int(match.group(1)) - 1 in self.parts:
                    after, xml = self.parts[int(match.group(1)) - 1]
                    content = _splice(content, after, xml)
                    # the big sheets deflated at level 1: three times faster, 20% larger
                    target.writestr(info, content, compresslevel=1)
                else:
                    target.writestr(info, content)
        return out.getvalue()


def _splice(content: bytes, after: int, xml: str) -> bytes:
    """``xml`` inserted after the sheet's row ``after`` (1-based ``r``)."""
    start = content.index(f'<row r="{after}"'.encode())
    end = content.index(b"</row>", start) + len(b"</row>")
    return content[:end] + xml.encode("utf-8") + content[end:]


# ------------------------------------------------------------------ widths
def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _text_width(values: Sequence[Any]) -> int:
    """The widest text among ``values`` (CJK characters two columns), measured exactly on
    the few widest by a quick estimate (UTF-8 length), so that a column of 10^6 names costs
    one pass in C."""
    texts = [v for v in values if isinstance(v, str)]
    if not texts:
        return 0
    estimate = np.fromiter(
        (len(t.encode("utf-8")) + len(t) for t in texts), dtype=np.int64, count=len(texts)
    )
    top = np.argsort(estimate)[-32:]
    return max(
        max((_width(line) for line in texts[k].split("\n")), default=0) for k in top.tolist()
    )


def _number_width(values: Any, decimals: int) -> int:
    """The widest number among ``values`` as shown with ``decimals`` decimals and grouped
    thousands."""
    array = np.asarray(values, dtype=np.float64)
    if not len(array):
        return 0
    finite = array[np.isfinite(array)]
    if not len(finite):
        return 0
    return max(len(f"{v:,.{decimals}f}") for v in (float(finite.min()), float(finite.max())))


class _Widths:
    def __init__(self, count: int, cap: int = 60) -> None:
        self.widths = [0] * count
        self.cap = cap

    def see(self, column: int, width: int) -> None:
        self.widths[column] = max(self.widths[column], width)

    def shown(self, minimum: int = 6) -> list[int]:
        return [min(self.cap, max(minimum, width) + 2) for width in self.widths]

    def apply(self, sheet: Any, minimum: int = 6) -> None:
        for column, width in enumerate(self.shown(minimum)):
            sheet.set_column(column, column, width)


# ------------------------------------------------------------------ formats
def _money_format(step: Decimal) -> tuple[str, int]:
    decimals = max(0, -int(step.normalize().as_tuple().exponent))
    return "#,##0" + ("." + "0" * decimals if decimals else ""), decimals


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
        self.total_detail = book.add_format({**edge, "bold": True, "num_format": "#,##0.000000"})
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
    column_widths: Sequence[int] | None = None,
) -> None:
    """The title row (merged, on as many lines as a title wider than the table's
    ``table_width`` characters needs), the unit row and the header (as tall as its widest
    text needs in ``column_widths``); frozen below the header,
    the header repeated on every printed page, A4 landscape fitted to the page width."""
    from fundalloc.io.outputs import TITLE_ROWS

    lines = -(-_width(title) * 14 // (11 * max(1, table_width - 2)))  # 14-point title
    sheet.set_row(0, 22 * max(1, lines))
    sheet.merge_range(0, 0, 0, width - 1, title, styles.title)
    if width > 1:
        sheet.merge_range(1, 0, 1, width - 1, unit, styles.unit)
    else:
        sheet.write_string(1, 0, unit, styles.unit)
    shown = column_widths or [max(8, min(60, _width(h) + 2)) for h in header]
    header_lines = max(
        -(-_width(text) // max(1, w - 1)) for text, w in zip(header, shown, strict=True)
    )
    if header_lines > 1:
        sheet.set_row(TITLE_ROWS, 14 * header_lines + 4)
    for column, text in enumerate(header):
        sheet.write_string(TITLE_ROWS, column, text, styles.header)
    sheet.freeze_panes(TITLE_ROWS + 1, 1)
    _print_setup(sheet, TITLE_ROWS)


def _print_setup(sheet: Any, header_row: int) -> None:
    sheet.set_paper(9)  # A4
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)  # one page wide, as many pages tall as needed
    sheet.repeat_rows(0, header_row)
    sheet.center_horizontally()
    sheet.set_footer("&C&P / &N")


def _input_cell(value: Any) -> Any:
    """An input cell as the input sheet holds it: a text that reads as a number whose own
    text is exactly the given one (``"95"``, ``"12.5"``) becomes that number, so the sheet
    holds numbers; any other text (``"007"``, ``"1.50"``, a 20-digit number) stays text,
    so re-running from the sheet sees the very same values."""
    from fundalloc.io.outputs import jsonable

    value = jsonable(value)
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


# ------------------------------------------------------------------ the breakdown, wide
def detail_header(result: Allocation, labels: dict[str, str], lang: Lang) -> list[str]:
    """The header of 测算明细: region, one column per item every region has, the bound's
    stage, name and amount, the rounding, the amount."""
    from fundalloc.io.outputs import amount_header

    parts = result.breakdown_columns
    items = [
        tr("output.column_item", stage=stage_name(c.stage), tranche=c.tranche, name=c.name).render(
            lang
        )
        for c in parts.items
    ]
    return [
        labels["region"],
        *items,
        labels["bound_kind"],
        labels["bound_name"],
        tr("output.label.bound_value").render(lang),
        stage_name("rounding").render(lang),
        amount_header(result, labels, lang),
    ]


def detail_columns(result: Allocation, lang: Lang) -> tuple[list[list[Any]], list[str]]:
    """The columns of 测算明细 as the cells hold them (amounts as binary64), and the kind
    of each (``text`` or ``number``)."""
    parts = result.breakdown_columns
    stage_names = ["", *(stage_name(s).render(lang) for s in BOUND_STAGES[1:])]
    codes = parts.bound_stage.tolist()
    names = parts.bound_name.tolist()
    bound = parts.floats(parts.bound)
    bound_cells: list[Any] = [b if c else None for b, c in zip(bound.tolist(), codes, strict=True)]
    columns: list[list[Any]] = [
        list(result.ids),
        *(parts.floats(c.quanta).tolist() for c in parts.items),
        [stage_names[c] if c else None for c in codes],
        [parts.bound_names[k] if c else None for k, c in zip(names, codes, strict=True)],
        bound_cells,
        parts.floats(parts.rounding).tolist(),
        result.amount_values.tolist(),
    ]
    kinds = ["text", *["number"] * len(parts.items), "text", "text", "cell", "number", "number"]
    return columns, kinds


# ------------------------------------------------------------------ the workbook
def workbook(job: Job) -> bytes:
    """The bytes of the XLSX output (see the module's docstring)."""
    from fundalloc.io.outputs import (
        CALCULATION_SHEET_LIMIT,
        SHEET_NAMES,
        TITLE_ROWS,
        amount_header,
        factor_rows,
        input_columns,
        rounding_note,
        source_date,
        title_of,
        total_share,
    )
    from fundalloc.io.workbook import write_calculation_sheet

    xlsxwriter = require("xlsxwriter", "excel")
    result, lang, labels = job.result, job.lang, job.labels
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
    title = title_of(result, lang)
    book.set_properties(
        {"title": title, "created": (created or dt.datetime.now(dt.UTC)).replace(tzinfo=None)}
    )
    styles = _Book(book, money)
    splices = _Splices()
    names = SHEET_NAMES[lang]
    unit = tr("output.fact", key=labels["unit"], value=scheme.unit).render(lang)
    n = len(result.table)
    include = (
        n <= CALCULATION_SHEET_LIMIT if job.calculation_sheet is None else job.calculation_sheet
    )
    ids = list(result.ids)
    id_width = _text_width(ids)

    # 分配结果: region, formula target, amount, share; 合计; the rounding note
    sheet = book.add_worksheet(names[0])
    header = [
        labels["region"],
        labels["target"],
        amount_header(result, labels, lang),
        labels["share"],
    ]
    widths = _Widths(4)
    for column, text in enumerate(header):
        widths.see(column, _width(text))
    total_target = float(np.sum(result.target_values))
    total_amount = float(result.allocated)
    widths.see(0, id_width)
    widths.see(1, _number_width([total_target, result.target_values.min()], 4))
    widths.see(2, _number_width([total_amount, result.amount_values.min()], decimals))
    widths.see(3, len("100.00%"))
    _top(sheet, styles, 4, title, unit, header, sum(widths.shown()), widths.shown())
    first = TITLE_ROWS + 1
    columns = [
        _Column("text", ids, styles.text),
        _Column("number", result.target_values.tolist(), styles.target),
        _Column("number", result.amount_values.tolist(), styles.money),
        _Column("number", result.share_values.tolist(), styles.percent),
    ]
    splices.body(sheet, 0, first, columns, n)
    row = first + n
    sheet.write_string(row, 0, labels["total"], styles.total_text)
    sheet.write_number(row, 1, total_target, styles.total_target)
    sheet.write_number(row, 2, total_amount, styles.total_money)
    sheet.write_number(row, 3, total_share(result), styles.total_percent)
    notes = [tr("output.fact", key=labels["note"], value=rounding_note(result, lang)).render(lang)]
    if not include:
        notes.append(
            tr("output.calculation_left_out", count=n, limit=CALCULATION_SHEET_LIMIT).render(lang)
        )
    widths.apply(sheet)
    for note in notes:
        row += 1
        sheet.merge_range(row, 0, row, 3, note, styles.note)
        sheet.set_row(row, 15 * max(1, -(-_width(note) // max(1, sum(widths.widths) + 8))))

    # 测算明细: one row per region, one column per item; a 合计 row
    detail = book.add_worksheet(names[1])
    header = detail_header(result, labels, lang)
    cells, kinds = detail_columns(result, lang)
    widths = _Widths(len(header))
    for column, text in enumerate(header):
        widths.see(column, min(_width(text), 12))
    widths.see(0, id_width)
    for column, (values, kind) in enumerate(zip(cells, kinds, strict=True)):
        if column == 0:
            continue
        present = [v for v in values if v is not None]
        if kind == "text":
            widths.see(column, _text_width(list(set(present))))
        elif present:
            places = decimals if column == len(header) - 1 else 6
            widths.see(column, _number_width([min(present), max(present), sum(present)], places))
    _top(detail, styles, len(header), title, unit, header, sum(widths.shown()), widths.shown())
    styled = [
        _Column(
            kind,
            values,
            styles.text
            if kind == "text"
            else styles.money
            if column == len(header) - 1
            else styles.detail,
        )
        for column, (values, kind) in enumerate(zip(cells, kinds, strict=True))
    ]
    splices.body(detail, 1, first, styled, n)
    row = first + n
    parts = result.breakdown_columns
    sums = [
        *(
            parts.floats(np.array([sum(c.quanta.tolist(), 0)], dtype=object))[0]
            for c in parts.items
        ),
        None,
        None,
        float(parts.floats(np.array([sum(parts.bound.tolist(), 0)], dtype=object))[0]),
        float(parts.floats(np.array([sum(parts.rounding.tolist(), 0)], dtype=object))[0]),
        total_amount,
    ]
    detail.write_string(row, 0, labels["total"], styles.total_text)
    for column, value in enumerate(sums, start=1):
        style = styles.total_money if column == len(header) - 1 else styles.total_detail
        if value is None:
            detail.write_blank(row, column, None, styles.total_text)
        else:
            detail.write_number(row, column, value, style)
    widths.apply(detail)

    # 分配因素及权重: tranches, factors, weights as percentages, rules
    factors = book.add_worksheet(names[2])
    header, frows = factor_rows(scheme, labels, lang)
    widths = _Widths(4, cap=80)
    for column, text in enumerate(header):
        widths.see(column, _width(text))
    for values in frows:
        for column, value in enumerate(values):
            widths.see(column, len("100.00%") if isinstance(value, float) else _width(str(value)))
    _top(factors, styles, 4, title, "", header, sum(widths.shown()), widths.shown())
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
    names_in = input_columns(result)
    widths = _Widths(len(names_in))
    for column, name in enumerate(names_in):
        inputs.write_string(0, column, name, styles.header)
        widths.see(column, _width(name))
    data_cells = [ids] + [
        [v if v.__class__ in (int, float) else _input_cell(v) for v in table.raw(c)]
        for c in names_in[1:]
    ]
    for column, values in enumerate(data_cells):
        texts = [v for v in values if isinstance(v, str)]
        numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
        widths.see(column, id_width if column == 0 else _text_width(texts))
        if numbers:
            widths.see(column, max(len(repr(min(numbers))), len(repr(max(numbers)))))
    splices.body(inputs, 3, 1, [_Column("cell", values) for values in data_cells], n)
    inputs.freeze_panes(1, 1)
    _print_setup(inputs, 0)
    widths.apply(inputs)

    # 来源: provenance as 项目 | 内容, then the scheme file, one line per row
    source = book.add_worksheet(names[4])
    source.write_string(0, 0, labels["key"], styles.header)
    source.write_string(0, 1, labels["content"], styles.header)
    items = [
        *job.provenance.items(lang),
        ("data_source", json.dumps(plain(job.data), ensure_ascii=False)),
        ("scheme_format", job.scheme_format),
        ("scheme", ""),
    ]
    for k, (key, value) in enumerate(items, start=1):
        source.write_string(k, 0, key, styles.key)
        source.write_string(k, 1, value, styles.text)
    # one row per line, split at "\n" only: splitlines() would also split at U+2028, U+0085
    # and others, which joining with "\n" cannot give back
    for k, text_line in enumerate(job.scheme_text.split("\n"), start=len(items) + 1):
        if text_line:
            source.write_string(k, 1, text_line)
        else:
            source.write_blank(k, 1, None, styles.plain)  # the row is kept: a line of the text
    source.set_column(0, 0, max(_width(key) for key, _ in items) + 2)
    source.set_column(1, 1, 90)
    _print_setup(source, 0)

    if include:
        write_calculation_sheet(book, result, lang=lang, labels=labels)
    book.close()
    return splices.apply(buffer.getvalue())
