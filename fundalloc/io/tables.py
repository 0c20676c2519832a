"""Reading region data the way bureaus have it: CSV, XLSX, pandas and polars DataFrames.

- CSV in UTF-8 (with or without BOM) or GB18030/GBK, detected (:meth:`RegionTable.from_csv`).
- XLSX (extra ``fundalloc[excel]``, openpyxl): a sheet by name or by position from 1; the
  header row is the first one holding the id column and the columns the scheme needs, so
  merged title rows above it are skipped; row numbers in messages are the sheet's.
- Both: blank rows ignored, thousands separators and full-width digits accepted, a trailing
  合计/总计/小计 row checked against the column sums and dropped with a notice.
- DataFrames (pandas or polars, imported only when used) in with :func:`from_dataframe`.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "d.csv").write_text("地区,人口\\n甲,1\\n乙,2\\n合计,3\\n", encoding="utf-8")
>>> table = read_table(folder / "d.csv", id="地区")
>>> table.ids, table.notices[0].endswith("matches the column sums and was dropped")
(('甲', '乙'), True)
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fundalloc.errors import DataError, Problem
from fundalloc.optional import require
from fundalloc.table import RegionTable

__all__ = ["from_dataframe", "read_table"]

#: How far down a sheet the header row is looked for.
HEADER_SEARCH_ROWS = 30


def read_table(
    path: str | os.PathLike[str],
    *,
    id: str,
    kind: str | None = None,
    parent: str | None = None,
    sheet: str | int | None = None,
    encoding: str | None = None,
    columns: Sequence[str] = (),
) -> RegionTable:
    """Read a CSV or XLSX file of regions (by its extension).

    Parameters
    ----------
    path : path-like
        A ``.csv`` or ``.xlsx`` file.
    id, kind, parent : str
        The id column and the optional kind and parent columns.
    sheet : str or int, optional
        For XLSX: the sheet's name, or its position counting from 1 (default: the first).
    encoding : str, optional
        For CSV: the text encoding (default: UTF-8, then GB18030).
    columns : sequence of str
        For XLSX: the columns the header row must hold besides the id.
    """
    name = os.fspath(path)
    suffix = Path(name).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(name, id=id, kind=kind, parent=parent, sheet=sheet, columns=columns)
    if suffix in (".xls", ".et"):
        raise DataError(
            Problem(
                name,
                "expected a .xlsx or .csv file",
                found=f"a {suffix} file",
                hint="save it from Excel as .xlsx or CSV UTF-8",
            )
        )
    return RegionTable.from_csv(name, id=id, kind=kind, parent=parent, encoding=encoding)


def read_xlsx(
    path: str,
    *,
    id: str,
    kind: str | None = None,
    parent: str | None = None,
    sheet: str | int | None = None,
    columns: Sequence[str] = (),
) -> RegionTable:
    """Read one sheet of an XLSX workbook; see :func:`read_table`."""
    openpyxl = require("openpyxl", "excel")
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise DataError(Problem(path, "cannot read the file", found="no such file")) from None
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise _unreadable(path, exc) from None
    try:
        chosen = _sheet(workbook.sheetnames, sheet, path)
        rows = [
            (n, list(cells))
            for n, cells in enumerate(workbook[chosen].iter_rows(values_only=True), start=1)
        ]
    except DataError:
        raise
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise _unreadable(path, exc) from None
    finally:
        workbook.close()
    source = f"{path} [{chosen}]"
    wanted = {id, *columns} - {""}
    for k, (_, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        present = {str(c).strip() for c in cells if c is not None}
        if wanted <= present:
            return RegionTable.from_rows(rows[k:], id=id, kind=kind, parent=parent, source=source)
    raise DataError(
        Problem(
            source,
            f"no header row with the columns {', '.join(map(repr, sorted(wanted)))} "
            f"in the first {HEADER_SEARCH_ROWS} rows",
            hint="check the column names against the scheme",
        )
    )


def _unreadable(path: str, exc: Exception) -> DataError:
    return DataError(
        Problem(
            path,
            "not a readable XLSX workbook",
            found=str(exc) or type(exc).__name__,
            hint="open it in Excel and save it again as .xlsx",
        )
    )


def _sheet(names: list[str], sheet: str | int | None, path: str) -> str:
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


def from_dataframe(
    frame: Any,
    *,
    id: str,
    kind: str | None = None,
    parent: str | None = None,
) -> RegionTable:
    """A table from a pandas or polars DataFrame (neither is imported unless given)."""
    module = type(frame).__module__.split(".")[0]
    if module == "pandas":
        columns = {str(name): frame[name].to_numpy() for name in frame.columns}
    elif module == "polars":
        columns = {str(name): frame.get_column(name).to_numpy() for name in frame.columns}
    else:
        raise DataError(
            Problem("data", "expected a pandas or polars DataFrame", found=type(frame).__name__)
        )
    return RegionTable.from_columns(
        {k: list(v) if v.dtype.kind == "O" else v for k, v in columns.items()},
        id=id,
        kind=kind,
        parent=parent,
        source="DataFrame",
    )
