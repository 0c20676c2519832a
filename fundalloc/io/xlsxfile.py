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

import zipfile
from typing import Any

from fundalloc.errors import DataError, Problem
from fundalloc.io.layout import HEADER_SEARCH_ROWS, Grid
from fundalloc.optional import require
from fundalloc.table import NoValue

__all__ = ["MAX_PART_BYTES", "xlsx_grid"]

#: The largest uncompressed part (sheet, shared strings ...) read from a workbook: a sheet
#: of 10^6 rows of ten cells is about 300 MB; larger ones are refused before reading.
MAX_PART_BYTES = 2**30

_XFD = 16384  # the last column a sheet can have


def xlsx_grid(path: str, sheet: str | int | None = None) -> Grid:
    """The rows of one sheet of a workbook.

    Parameters
    ----------
    path : str
        The ``.xlsx`` (or ``.xlsm``) file.
    sheet : str or int, optional
        The sheet's name, or its position counting from 1 (default: the first).

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
        raise DataError(Problem(path, "cannot read the file", found="no such file")) from None
    except OSError as exc:
        raise DataError(Problem(path, "cannot read the file", found=exc.strerror)) from None
    except Exception as exc:  # anything zipfile raises on a damaged archive
        raise _unreadable(path, exc) from None
    if large:
        raise DataError(
            Problem(
                path,
                f"expected parts of at most {MAX_PART_BYTES // 2**20} MB uncompressed",
                found=f"{large[0].filename} of {large[0].file_size // 2**20} MB",
                hint="split the workbook, or save the sheet as CSV",
            )
        )
    try:
        return _read(path, sheet)
    except DataError:
        raise
    except MemoryError:
        raise
    except Exception as exc:  # openpyxl, zipfile, zlib and XML errors on a damaged file
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
                    cell["value"] = NoValue(
                        text,
                        f"the formula {text} with no saved result"
                        if formula.text
                        else "a formula with no saved result",
                    )
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
    return _grid(f"{path} [{chosen}]", sparse, merged)


def _bounds(ref: str) -> tuple[int, int, int, int]:
    """A merged range as (first row, first column, last row, last column)."""
    from openpyxl.utils.cell import range_boundaries

    min_col, min_row, max_col, max_row = range_boundaries(ref)
    return min_row, min_col, max_row, max_col


def _grid(
    source: str,
    sparse: list[tuple[int, list[tuple[int, Any]]]],
    merged: list[tuple[int, int, int, int]],
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
    return Grid(source, rows, numbers, merged=merged, letters=True, past=past)


def _unreadable(path: str, exc: BaseException) -> DataError:
    return DataError(
        Problem(
            path,
            "not a readable XLSX workbook",
            found=f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__,
            hint="open it in Excel and save it again as .xlsx",
        )
    )


def _sheet(names: list[str], sheet: str | int | None, path: str) -> str:
    if not names:
        raise DataError(Problem(path, "expected a workbook with a sheet", found="no sheets"))
    if sheet is None:
        return names[0]
    if isinstance(sheet, int):
        if not 1 <= sheet <= len(names):
            raise DataError(
                Problem(path, f"expected a sheet number from 1 to {len(names)}", found=str(sheet))
            )
        return names[sheet - 1]
    if sheet not in names:
        raise DataError(
            Problem(path, f"no sheet {sheet!r}", found=f"sheets {', '.join(map(repr, names))}")
        )
    return sheet
