"""XLSX sheets as rows of cells (openpyxl, the ``excel`` extra), read the careful way.

- Every row the sheet holds is read, whatever its ``<dimension>`` says (openpyxl's read-only
  mode trusts a stale one and drops the rows below it), and the work is bounded by the cells
  that exist: only those are kept, and a row is made as wide as the widest of the first rows
  (where the header is), so a file declaring ``A1:XFD1048576`` costs what it holds.
- A formula without a saved result (a file written by a program that does not calculate)
  becomes a :class:`~fundalloc.table.NoValue` naming the formula; an error value
  (``#DIV/0!``) stays its text; dates and times stay dates and times. Each is an error
  naming the cell only where the column is used as a number.
- Merged ranges are returned with the rows (the header search fills them).
- Anything openpyxl, :mod:`zipfile` or the XML parser raises on a damaged file becomes a
  :class:`~fundalloc.errors.DataError` "not a readable XLSX workbook".
"""

from __future__ import annotations

import datetime
import html
import importlib.util
import itertools
import re
import xml.etree.ElementTree as ET
import xml.parsers.expat
import zipfile
from typing import Any, Literal

from fundalloc.errors import DataError, FundallocError, Problem
from fundalloc.i18n import Message, tr
from fundalloc.io.layout import HEADER_SEARCH_ROWS, Grid
from fundalloc.optional import require
from fundalloc.table import NoValue

__all__ = ["MAX_PART_BYTES", "xlsx_grid"]

#: The largest uncompressed part (sheet, shared strings ...) read from a workbook: a sheet
#: of 10^6 rows of ten cells is about 300 MB; larger ones are refused before reading.
MAX_PART_BYTES = 2**30

_XFD = 16384  # the last column a sheet can have

Engine = Literal["auto", "calamine", "openpyxl"]


def xlsx_grid(path: str, sheet: str | int | None = None, *, engine: Engine = "auto") -> Grid:
    """The rows of one sheet of a workbook.

    Parameters
    ----------
    path : str
        The ``.xlsx`` (or ``.xlsm``) file.
    sheet : str or int, optional
        The sheet's name, or its position counting from 1 (default: the first).
    engine : {"auto", "calamine", "openpyxl"}
        ``"calamine"`` reads values with python-calamine (about 15 times faster) and finds
        formulas without saved results and error values in the sheet's XML itself; it hands
        over to openpyxl when the sheet is one it cannot read as fast with the same result
        (XML with namespace prefixes, cells without references, a used area much larger
        than the cells it holds). ``"auto"`` is calamine when installed, else openpyxl.
        Both give the same grid.

    Raises
    ------
    DataError
        If the file is missing, not a readable workbook, or has no such sheet.
    """
    require("openpyxl", "excel")
    try:
        with zipfile.ZipFile(path) as archive:
            large = [i for i in archive.infolist() if i.file_size > MAX_PART_BYTES]
    except FileNotFoundError:
        raise DataError(
            Problem(path, tr("data.cannot_read_file"), found=tr("data.found_no_such_file"))
        ) from None
    except OSError as exc:
        raise DataError(
            Problem(path, tr("data.cannot_read_file"), found=exc.strerror or str(exc))
        ) from None
    except Exception as exc:  # anything zipfile raises on a damaged archive
        raise _unreadable(path, exc) from None
    if large:
        raise DataError(
            Problem(
                path,
                tr("data.expected_small_parts", megabytes=MAX_PART_BYTES // 2**20),
                found=tr(
                    "data.found_large_part",
                    part=large[0].filename,
                    megabytes=large[0].file_size // 2**20,
                ),
                hint=tr("data.hint_split_workbook"),
            )
        )
    try:
        if engine == "calamine" or (
            engine == "auto" and importlib.util.find_spec("python_calamine") is not None
        ):
            grid = _read_calamine(path, sheet)
            if grid is not None:
                return grid
        return _read(path, sheet)
    except FundallocError:  # ours: a missing sheet, a missing optional package
        raise
    except (MemoryError, KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException as exc:
        # openpyxl, zipfile, zlib and XML errors on a damaged file, and a panic inside
        # calamine (pyo3 raises PanicException, a BaseException)
        raise _unreadable(path, exc) from None


def _read(path: str, sheet: str | int | None) -> Grid:
    import openpyxl
    from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser

    class Parser(WorkSheetParser):  # type: ignore[misc]
        """openpyxl's sheet parser, telling a formula without a saved result from a blank."""

        def parse_cell(self, element: Any) -> dict[str, Any]:
            cell: dict[str, Any] = super().parse_cell(element)
            if cell["value"] is None:
                formula = element.find(FORMULA_TAG)
                if formula is not None:
                    text = "=" + (formula.text or "")
                    cell["value"] = NoValue(text, _no_result(text))
            return cell

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        chosen = _sheet(workbook.sheetnames, sheet, path)
        worksheet = workbook[chosen]
        with worksheet._get_source() as xml:
            parser = Parser(
                xml,
                worksheet._shared_strings,
                data_only=True,
                epoch=workbook.epoch,
                date_formats=workbook._date_formats,
                timedelta_formats=workbook._timedelta_formats,
            )
            sparse = [
                (number, [(c["column"], c["value"]) for c in cells if c["value"] is not None])
                for number, cells in parser.parse()
            ]
            merged = [
                _bounds(m.ref)
                for m in (parser.merged_cells.mergeCell if parser.merged_cells else [])
            ]
    finally:
        workbook.close()
    with zipfile.ZipFile(path) as archive:
        part = _sheet_part(archive, chosen)
        hidden = _hidden_rows(archive.read(part)) if part is not None else frozenset()
    return _grid(f"{path} [{chosen}]", sparse, merged, hidden)


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DOC_RELS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_MAIN_NAMESPACE = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_PREFIXED = re.compile(rb"<[A-Za-z_][\w.-]*:(?:c|row|f|v|sheetData)\b")
_CELL_REF = re.compile(rb'<c r="([A-Z]{1,3})([0-9]+)"')
# a cell reference that is not letters and digits (what _CELL_REF reads)
_ODD_REF = re.compile(rb'<c r="(?![A-Z]{1,3}[0-9]+")')
_ROW_REF = re.compile(rb'<row r="([0-9]+)"')
_ROW_TAG = re.compile(rb"<row\b[^>]*>")
_ROW_NUMBER = re.compile(rb'\br="([0-9]+)"')
_HIDDEN = re.compile(rb'\bhidden="(?:1|true)"')
_FORMULA = re.compile(rb"<f[ >/]")
_ERROR_CELL = re.compile(rb'<c r="([A-Z]{1,3})([0-9]+)"[^>]*?\bt="e"[^>]*>')
_VALUE = re.compile(rb"<v>([^<]+)</v>")
_FORMULA_TEXT = re.compile(rb"<f\b[^>]*>([^<]*)</f>")


def _read_calamine(path: str, sheet: str | int | None) -> Grid | None:
    """The grid by python-calamine, or None when openpyxl must read this sheet."""
    CalamineWorkbook = require("python_calamine", "excel").CalamineWorkbook

    workbook = CalamineWorkbook.from_path(path)
    try:
        chosen = _sheet(list(workbook.sheet_names), sheet, path)
        with zipfile.ZipFile(path) as archive:
            part = _sheet_part(archive, chosen)
            if part is None:
                return None
            xml = archive.read(part)
            for name in archive.namelist():  # calamine reads damaged XML without a word
                if name.endswith((".xml", ".rels")):
                    _well_formed(xml if name == part else archive.read(name))
        special = _special_cells(xml)
        if special is None:
            return None
        values = workbook.get_sheet_by_name(chosen)
        rows = _calamine_rows(values.to_python(skip_empty_area=False))
        merged = [
            (r0 + 1, c0 + 1, r1 + 1, c1 + 1)
            for (r0, c0), (r1, c1) in (values.merged_cell_ranges or [])
        ]
    finally:
        workbook.close()
    for (row, column), value in special.items():
        while len(rows) < row:
            rows.append([])
        cells = rows[row - 1]
        if len(cells) < column:
            cells.extend([None] * (column - len(cells)))
        cells[column - 1] = value
    return Grid(
        f"{path} [{chosen}]",
        rows,
        range(1, len(rows) + 1),
        merged=merged,
        letters=True,
        hidden=_hidden_rows(xml),
    )


def _well_formed(data: bytes) -> None:
    """Raise ExpatError unless ``data`` is well-formed XML (a parse that builds nothing)."""
    xml.parsers.expat.ParserCreate().Parse(data, True)


def _sheet_part(archive: zipfile.ZipFile, name: str) -> str | None:
    """The path of a sheet's XML inside the workbook."""
    book = ET.fromstring(archive.read("xl/workbook.xml"))
    rels = ET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_RELS}Relationship")}
    for element in book.iter(f"{_MAIN}sheet"):
        if element.get("name") == name:
            target = targets.get(element.get(f"{_DOC_RELS}id"), "")
            part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            return part if part in archive.namelist() else None
    return None


def _special_cells(xml: bytes) -> dict[tuple[int, int], Any] | None:
    """The cells calamine reads as blank that are not: formulas without a saved result
    (as :class:`~fundalloc.table.NoValue`) and error values (their text), by (row, column);
    None when the sheet is not one this reads with certainty or its used area is much larger
    than its cells (calamine would hold every cell of it)."""
    if _PREFIXED.search(xml) or _MAIN_NAMESPACE not in xml[:2048]:
        return None  # prefixed or unusual XML: openpyxl reads it the way the standard says
    refs = xml.count(b'<c r="')
    if (
        refs != xml.count(b"<c ") + xml.count(b"<c>") + xml.count(b"<c/>")
        or _ODD_REF.search(xml) is not None
    ):
        return None  # cells without a reference: their place is known only by counting
    if refs:
        # calamine places cells by their own references, whatever the <row> elements say
        declared = max(map(int, _ROW_REF.findall(xml))) if b"<row" in xml else 0
        rows = max(declared, _last_row(xml))
        if rows * _last_column(xml) > 4 * refs + 10**6:
            return None
    special: dict[tuple[int, int], Any] = {}
    for match in _FORMULA.finditer(xml):
        start = xml.rfind(b"<c ", 0, match.start())
        end = xml.find(b"</c>", match.start())
        cell = xml[start:end]
        if _VALUE.search(cell):
            continue
        ref = _CELL_REF.match(cell)
        if ref is None:
            return None
        formula = _FORMULA_TEXT.search(cell)
        text = "=" + html.unescape(formula.group(1).decode()) if formula else "="
        special[(int(ref.group(2)), _column(ref.group(1)))] = NoValue(text, _no_result(text))
    for match in _ERROR_CELL.finditer(xml):
        end = xml.find(b"</c>", match.end())
        value = _VALUE.search(xml, match.end(), end if end >= 0 else len(xml))
        if value is not None:
            key = (int(match.group(2)), _column(match.group(1)))
            special[key] = html.unescape(value.group(1).decode())
    return special


def _hidden_rows(xml: bytes) -> frozenset[int]:
    """The numbers of the rows a sheet hides (``<row r="5" hidden="1">``).

    >>> sorted(_hidden_rows(b'<row r="2" hidden="1"><row r="3"><row hidden="true" r="7">'))
    [2, 7]
    """
    if b'hidden="' not in xml:
        return frozenset()
    return frozenset(
        int(number.group(1))
        for row in _ROW_TAG.finditer(xml)
        if _HIDDEN.search(row.group(0)) and (number := _ROW_NUMBER.search(row.group(0)))
    )


def _last_row(xml: bytes) -> int:
    """The largest row a cell reference names (the longest digit runs first, so a sheet's
    thousands of references are not all listed).

    Examples
    --------
    >>> _last_row(b'<c r="B2"/><c r="E10"/>'), _last_row(b'<c r="A99999999"/>')
    (10, 99999999)
    """
    for width in range(9, 0, -1):
        found = re.findall(rb'<c r="[A-Z]{1,3}([0-9]{%d})"' % width, xml)
        if found:
            return int(max(found))
    return 10**9 if re.search(rb'<c r="[A-Z]{1,3}[0-9]{10}', xml) else 0


def _last_column(xml: bytes) -> int:
    """The largest column a cell reference names (without listing every reference: the
    longest letters first, and single letters from Z down).

    Examples
    --------
    >>> _last_column(b'<c r="B2"/><c r="E1"/>'), _last_column(b'<c r="A1"/><c r="AB3"/>')
    (5, 28)
    """
    for width in (3, 2):
        if re.search(rb'<c r="[A-Z]{%d}[0-9]' % width, xml):
            found = re.findall(rb'<c r="([A-Z]{%d})[0-9]' % width, xml)
            return max(map(_column, set(found)))
    for letter in range(ord("Z"), ord("A") - 1, -1):
        if xml.find(b'<c r="' + bytes([letter])) >= 0:
            return letter - 64
    return 0


def _column(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _calamine_rows(raw: list[list[Any]]) -> list[list[Any]]:
    """Every calamine row as :func:`_calamine_row` gives it; without a call per cell when
    the sheet holds no date (found in one pass over all cells)."""
    kinds = set(map(type, itertools.chain.from_iterable(raw)))
    if not kinds <= {str, float, int, bool}:
        return [_calamine_row(row) for row in raw]
    rows = [
        [
            None
            if v == ""
            else int(v)
            if v.__class__ is float and v.is_integer() and -(2**53) < v < 2**53
            else v
            for v in row
        ]
        for row in raw
    ]
    for cells in rows:
        while cells and cells[-1] is None:
            cells.pop()
    return rows


def _calamine_row(row: list[Any]) -> list[Any]:
    """A calamine row as openpyxl gives it, without the blank cells at its end (calamine
    makes every row as wide as the sheet)."""
    cells = [_calamine_value(v) for v in row]
    while cells and cells[-1] is None:
        cells.pop()
    return cells


def _calamine_value(value: Any) -> Any:
    """A calamine cell as openpyxl gives it: blank as None, whole numbers as int, a date as
    a datetime at midnight."""
    kind = value.__class__
    if kind is str:
        return value or None
    if kind is float:
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    if kind is datetime.date:
        return datetime.datetime(value.year, value.month, value.day)
    return value


def _no_result(text: str) -> Message:
    """What a formula cell without a saved result holds (``text`` is ``=`` and the formula)."""
    if text == "=":
        return tr("data.formula_no_result_empty")
    return tr("data.formula_no_result", formula=text)


def _bounds(ref: str) -> tuple[int, int, int, int]:
    """A merged range as (first row, first column, last row, last column)."""
    from openpyxl.utils.cell import range_boundaries

    min_col, min_row, max_col, max_row = range_boundaries(ref)
    return min_row, min_col, max_row, max_col


def _grid(
    source: str,
    sparse: list[tuple[int, list[tuple[int, Any]]]],
    merged: list[tuple[int, int, int, int]],
    hidden: frozenset[int] = frozenset(),
) -> Grid:
    """Dense rows, as wide as the widest of the first rows (cells past that are noted)."""
    sparse.sort(key=lambda row: row[0])  # rows may come in any order
    top = [cells for _, cells in sparse[: HEADER_SEARCH_ROWS + 1] if cells]
    width = min(max((max(c for c, _ in cells) for cells in top), default=1), _XFD)
    rows: list[list[Any]] = []
    numbers: list[int] = []
    past: dict[int, int] = {}
    for number, cells in sparse:
        if numbers and number == numbers[-1]:  # a row given twice: its cells join
            row = rows[-1]
        else:
            row = []
            rows.append(row)
            numbers.append(number)
        for column, value in cells:
            if column > width:
                past.setdefault(len(rows) - 1, column)
                continue
            if len(row) < column:
                row.extend([None] * (column - len(row)))
            row[column - 1] = value
    return Grid(source, rows, numbers, merged=merged, letters=True, past=past, hidden=hidden)


def _unreadable(path: str, exc: BaseException) -> DataError:
    return DataError(
        Problem(
            path,
            tr("data.unreadable_xlsx"),
            found=f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__,
            hint=tr("data.hint_save_again_as_xlsx"),
        )
    )


def _sheet(names: list[str], sheet: str | int | None, path: str) -> str:
    if not names:
        raise DataError(
            Problem(path, tr("data.expected_a_sheet"), found=tr("data.found_no_sheets"))
        )
    if sheet is None:
        return names[0]
    if isinstance(sheet, int):
        if not 1 <= sheet <= len(names):
            raise DataError(
                Problem(path, tr("data.expected_sheet_number", count=len(names)), found=str(sheet))
            )
        return names[sheet - 1]
    if sheet not in names:
        raise DataError(
            Problem(
                path,
                tr("data.no_sheet", sheet=sheet),
                found=tr("data.found_sheets", sheets=[repr(name) for name in names]),
            )
        )
    return sheet
