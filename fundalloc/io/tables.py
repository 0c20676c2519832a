"""Reading region data the way bureaus have it: CSV, XLSX, pandas and polars DataFrames.

- :func:`read_table` reads a CSV or XLSX file by its extension; :func:`read_csv` and
  :func:`read_xlsx` read one format.
- CSV in UTF-8 (with or without BOM) or GB18030/GBK, detected (:mod:`fundalloc.io.csvfile`);
  XLSX with openpyxl, the ``excel`` extra (:mod:`fundalloc.io.xlsxfile`).
- Both the same way (:mod:`fundalloc.io.layout`): title and unit rows above the header and
  two-row headers skipped, the header found by the columns asked for; 合计, 总计 and 小计 rows
  anywhere checked against the rows they sum and dropped with a notice in
  :attr:`RegionTable.notices <fundalloc.table.RegionTable>`; notes, signature rows, unit rows,
  group headings and blank rows below the header dropped; a 序号 column dropped; any other row
  without a region id an error naming it. A rate or average in a total row (a value within
  the regions' range, not their sum) is named "not checked"; a text cell merged down over
  regions (XLSX) is each region's, a merged number an error; ``12.5%`` as text reads 0.125.
- DataFrames (pandas or polars, imported only when used) in with :func:`from_dataframe`.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "d.csv").write_text(
...     "2018年测算表\\n地区,人口\\n甲,1\\n乙,2\\n合计,3\\n制表人：张三\\n", encoding="utf-8")
>>> table = read_table(folder / "d.csv", id="地区", columns=["人口"])
>>> table.ids, table.numeric("人口").tolist()
(('甲', '乙'), [1.0, 2.0])
>>> for notice in table.notices:
...     print(notice.render("en").split(": ", 1)[1])
the 合计 row (row 5) matches the column sums and was dropped
row 6 is a note and was dropped: 制表人：张三
>>> print(table.notices[0].render("zh").split("：", 1)[1])
合计行（第 5 行）与各列之和相符，已去掉
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from fundalloc.errors import DataError, Problem
from fundalloc.i18n import tr
from fundalloc.io.csvfile import csv_rows
from fundalloc.io.layout import Grid, region_table
from fundalloc.io.xlsxfile import Engine, xlsx_grid
from fundalloc.table import RegionTable

__all__ = ["from_dataframe", "read_csv", "read_table", "read_xlsx"]


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
        A ``.xlsx``/``.xlsm`` file, or a CSV file (any other extension).
    id, kind, parent : str
        The id column and the optional kind and parent columns.
    sheet : str or int, optional
        For XLSX: the sheet's name, or its position counting from 1 (default: the first).
    encoding : str, optional
        For CSV: the text encoding (default: UTF-8, then GB18030).
    columns : sequence of str
        The columns the header row must hold besides the id, kind and parent columns (the
        scheme's): the header is the first row holding them all.

    Returns
    -------
    RegionTable
        The regions, with a notice in :attr:`~fundalloc.table.RegionTable.notices` for every
        row dropped that was not blank.

    Raises
    ------
    DataError
        Naming the file, row and column of every problem found.
    """
    name = os.fspath(path)
    suffix = Path(name).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(name, id=id, kind=kind, parent=parent, sheet=sheet, columns=columns)
    if suffix in (".xls", ".et"):
        raise DataError(
            Problem(
                name,
                tr("data.expected_xlsx_or_csv"),
                found=tr("data.found_file_of_type", suffix=suffix),
                hint=tr("data.hint_save_as_xlsx_or_csv"),
            )
        )
    return read_csv(name, id=id, kind=kind, parent=parent, encoding=encoding, columns=columns)


def read_csv(
    path: str | os.PathLike[str],
    *,
    id: str,
    kind: str | None = None,
    parent: str | None = None,
    encoding: str | None = None,
    columns: Sequence[str] = (),
) -> RegionTable:
    """Read a CSV file of regions; see :func:`read_table`.

    Rows are numbered as a spreadsheet shows them: one per record (a blank line is a row,
    a cell holding a line break is not two).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "d.csv"
    >>> _ = path.write_bytes("地区,人口\\n甲,１，２００\\n".encode("gb18030"))
    >>> read_csv(path, id="地区").numeric("人口").tolist()
    [1200.0]
    """
    name = os.fspath(path)
    try:
        data = Path(name).read_bytes()
    except OSError as exc:
        raise DataError(
            Problem(name, tr("data.cannot_read_file"), found=exc.strerror or str(exc))
        ) from None
    with _no_cycle_collection():
        rows = csv_rows(data, name, encoding)
        del data
        grid = Grid(name, rows, range(1, len(rows) + 1))
        del rows
        table = region_table(grid, id=id, kind=kind, parent=parent, columns=columns)
        del grid  # its million lists freed while the collector is off: never traversed
    return table


def read_xlsx(
    path: str | os.PathLike[str],
    *,
    id: str,
    kind: str | None = None,
    parent: str | None = None,
    sheet: str | int | None = None,
    columns: Sequence[str] = (),
    engine: Engine = "auto",
) -> RegionTable:
    """Read one sheet of an XLSX workbook; see :func:`read_table`.

    Rows in messages are the sheet's, and cells are named by letter too
    (``row 5, column '人口' (cell C5)``). ``engine`` chooses the XLSX reader (see
    :func:`~fundalloc.io.xlsxfile.xlsx_grid`): python-calamine when installed (much faster),
    else openpyxl; both give the same table.
    """
    with _no_cycle_collection():
        grid = xlsx_grid(os.fspath(path), sheet, engine=engine)
        table = region_table(grid, id=id, kind=kind, parent=parent, columns=columns)
        del grid  # its rows freed while the collector is off: never traversed
    return table


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused while a file is read, then restored as it was.

    Reading makes millions of lists and strings, and no reference cycles: each of the
    collector's passes over them is wasted work that grows with the file (a 10^6-row CSV
    read twice as fast without them). Memory is freed as usual by reference counting; the
    rows must be freed before the collector is back on, or its first pass, triggered by the
    next allocation, traverses all of them (0.9 s for a 10^6-row CSV).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def from_dataframe(
    frame: Any,
    *,
    id: str,
    kind: str | None = None,
    parent: str | None = None,
) -> RegionTable:
    """A table from a pandas or polars DataFrame (neither is imported unless given).

    Columns of numbers without missing values are taken without a copy where the library
    hands over a read-only view (pandas with copy on write, polars); a missing value is an
    empty cell (reported where the column is used as a number), never NaN.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"地区": ["甲", "乙"], "人口": pd.array([1.0, None], "Float64")})
    >>> print(from_dataframe(frame, id="地区").check("人口")[0].render("en"))
    DataFrame, row 2, column '人口': expected a number; found an empty cell
    """
    module = type(frame).__module__.split(".")[0]
    if module == "pandas":
        columns = {str(name): frame[name] for name in frame.columns}
    elif module == "polars":
        columns = {str(name): frame.get_column(name) for name in frame.columns}
    else:
        raise DataError(
            Problem(
                tr("data.data"),
                tr("data.expected_dataframe"),
                found=tr("data.found_type", kind=type(frame).__name__),
            )
        )
    return RegionTable.from_columns(columns, id=id, kind=kind, parent=parent, source="DataFrame")
