"""The region table: unique ids, indicator columns, optional attributes.

A :class:`RegionTable` holds one row per region. Columns are kept as given; a
column becomes numeric when something asks for it as a number, and every problem
in it (missing value, NaN, infinity, text, a negative where none is allowed) is
reported at once with the row and column, so a bureau fixes its spreadsheet in one
pass.

Rows are numbered the way the user sees them: records count from 1; a CSV file counts
its rows the way a spreadsheet shows them (the header is row 1, so the first region is
row 2; a blank line is a row, a cell holding a line break is not two). Messages say "row"
for every source.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from fundalloc.errors import DataError, Problem

__all__ = ["RegionTable"]

FloatArray = npt.NDArray[np.float64]

_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
_TOTAL_WORDS = ("合计", "总计", "小计")
_MISSING_TEXT = frozenset({"", "na", "n/a", "nan", "null", "none", "-", "—"})


def _readonly(array: npt.NDArray[Any]) -> npt.NDArray[Any]:
    array.flags.writeable = False
    return array


def _object_array(values: Sequence[Any]) -> npt.NDArray[Any]:
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


class _NotANumber(NamedTuple):
    """Why a cell is not a finite number: what was expected there and what was found."""

    expected: str
    found: str


_NUMBER = "expected a number"
_FINITE = "expected a finite number"


def _cell_number(value: object) -> float | _NotANumber:
    """The float value of one cell, or what was expected and found instead."""
    if value is None:
        return _NotANumber(_NUMBER, "an empty cell")
    if isinstance(value, bool):
        return _NotANumber(_NUMBER, f"the boolean {value}")
    if isinstance(value, Decimal) and value.is_nan():  # float() refuses a signalling NaN
        return _NotANumber(_FINITE, "NaN")
    if isinstance(value, int | float | Decimal | np.integer | np.floating):
        try:
            number = float(value)
        except OverflowError:  # an integer beyond binary64
            number = math.inf
        written_finite = (
            bool(np.isfinite(value))
            if isinstance(value, float | np.floating)
            else not (isinstance(value, Decimal) and value.is_infinite())
        )
        shown = f"{Decimal(value):.4g}" if isinstance(value, int | Decimal) else repr(value)
    elif isinstance(value, str):
        # full-width digits and signs (１２３，４５６．７) become ASCII;
        # "1,234,567.5" loses its commas
        text = unicodedata.normalize("NFKC", value).strip()
        if text.lower() in _MISSING_TEXT:
            return _NotANumber(_NUMBER, "an empty cell" if not text else f"{value!r}")
        if _THOUSANDS.match(text):
            text = text.replace(",", "")
        try:
            number = float(text)
        except ValueError:
            return _NotANumber(_NUMBER, f"the text {value!r}")
        written_finite = "inf" not in text.lower()
        shown = repr(value)
    else:
        return _NotANumber(_NUMBER, f"a {type(value).__name__}")
    if math.isnan(number):
        return _NotANumber(_FINITE, "NaN")
    if math.isinf(number):
        return _NotANumber(_FINITE, f"{shown} (too large)" if written_finite else "infinity")
    return number


class RegionTable:
    """Regions with their indicators, validated where they are used.

    Parameters
    ----------
    columns : mapping of str to sequence
        Column name to values, one value per region, including the id column.
    id : str
        Name of the id column (``"地区"`` in most bureau spreadsheets).
    kind, parent : str, optional
        Names of the columns that hold each region's kind (市, 省直管县, 县 …) and its
        parent region; every row must have a value.
    source : str, optional
        Where the data came from (a file name), used in error messages.
    rows : sequence of int, optional
        The row number of each region as the user sees it (a file's line
        numbers); by default 1, 2, 3, ...

    Raises
    ------
    DataError
        If the id column is missing, an id is empty or repeated, or the columns
        have different lengths; all such problems are reported together.

    Examples
    --------
    >>> table = RegionTable.from_records(
    ...     [{"地区": "济南市", "人口": 120}, {"地区": "青岛市", "人口": 80}], id="地区")
    >>> table.ids
    ('济南市', '青岛市')
    >>> table.numeric("人口")
    array([120.,  80.])
    """

    def __init__(
        self,
        columns: Mapping[str, Sequence[Any] | npt.NDArray[Any]],
        *,
        id: str,
        kind: str | None = None,
        parent: str | None = None,
        source: str | None = None,
        rows: Sequence[int] | None = None,
    ) -> None:
        self.source = source
        self._text: dict[str, tuple[str, ...]] = {}
        self._codes: dict[str, tuple[npt.NDArray[np.intp], dict[str, int]]] = {}
        self._taken_from: tuple[RegionTable, npt.NDArray[np.intp]] | None = None
        self.id_column = id
        self.kind_column = kind
        self.parent_column = parent
        where = source or "data"
        if id not in columns:
            raise DataError(
                Problem(
                    where,
                    f"no id column {id!r}",
                    found=f"columns {', '.join(map(repr, columns)) or 'none'}",
                    hint="pass id= with the name of the column that names the regions",
                )
            )
        lengths = {name: len(values) for name, values in columns.items()}
        n = lengths[id]
        self._rows: npt.NDArray[np.int64] = (
            np.arange(1, n + 1, dtype=np.int64) if rows is None else np.array(rows, dtype=np.int64)
        )
        problems = [
            Problem(
                f"{where}, column {name!r}",
                f"expected {n} values like column {id!r}",
                found=f"{length}",
            )
            for name, length in lengths.items()
            if length != n
        ]
        ids: list[str] = []
        seen: dict[str, int] = {}
        for i, raw in enumerate(columns[id]):
            text = "" if raw is None else str(raw).strip()
            if isinstance(raw, float) and math.isnan(raw):
                text = ""
            if not text:
                problems.append(
                    Problem(self.where(i, id), "expected a region id", found="an empty cell")
                )
            elif text in seen:
                problems.append(
                    Problem(
                        self.where(i, id),
                        f"duplicate region id {text!r}",
                        found=f"it is also in row {self.row_number(seen[text])}",
                    )
                )
            else:
                seen[text] = i
            ids.append(text)
        for attribute, name in (("kind", kind), ("parent", parent)):
            if name is None:
                continue
            if name not in columns:
                problems.append(
                    Problem(
                        where,
                        f"no {attribute} column {name!r}",
                        found=f"columns {', '.join(map(repr, columns))}",
                    )
                )
                continue
            problems += [
                Problem(self.where(i, name), f"expected a {attribute}", found="an empty cell")
                for i, value in enumerate(columns[name])
                if value is None or not str(value).strip()
            ]
        if problems:
            raise DataError(problems)
        self._ids: tuple[str, ...] = tuple(ids)
        # numpy arrays keep their dtype (the fast path); other sequences keep each cell as given,
        # so that a stray True or "1,2" in a column is reported instead of coerced
        self._columns: dict[str, npt.NDArray[Any]] = {
            name: _readonly(
                np.array(values, copy=True)
                if isinstance(values, np.ndarray)
                else _object_array(values)
            )
            for name, values in columns.items()
            if name != id
        }
        self._numeric: dict[str, FloatArray] = {}
        self.notices: tuple[str, ...] = ()

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_records(
        cls,
        records: Iterable[Mapping[str, Any]],
        *,
        id: str,
        kind: str | None = None,
        parent: str | None = None,
        source: str | None = None,
    ) -> RegionTable:
        """Build a table from an iterable of row mappings.

        Columns are the union of the keys, in order of first appearance; a key
        missing from a row is a missing value there.

        Examples
        --------
        >>> RegionTable.from_records([{"id": "a", "x": 1}, {"id": "b", "x": 2}], id="id")
        RegionTable(2 regions; columns: x)
        """
        rows = list(records)
        names: dict[str, None] = {}
        for row in rows:
            names.update(dict.fromkeys(row))
        columns = {name: [row.get(name) for row in rows] for name in names}
        if not rows:
            columns = {id: []}
        return cls(columns, id=id, kind=kind, parent=parent, source=source)

    @classmethod
    def from_columns(
        cls,
        columns: Mapping[str, Sequence[Any] | npt.NDArray[Any]],
        *,
        id: str,
        kind: str | None = None,
        parent: str | None = None,
        source: str | None = None,
    ) -> RegionTable:
        """Build a table from a mapping of column name to values.

        Examples
        --------
        >>> RegionTable.from_columns({"id": ["a", "b"], "x": [1.5, 2.5]}, id="id").numeric("x")
        array([1.5, 2.5])
        """
        return cls(columns, id=id, kind=kind, parent=parent, source=source)

    @classmethod
    def from_csv(
        cls,
        path: str | os.PathLike[str],
        *,
        id: str,
        kind: str | None = None,
        parent: str | None = None,
        encoding: str | None = None,
    ) -> RegionTable:
        """Read a CSV file with a header row; blank lines are skipped.

        Parameters
        ----------
        path : path-like
            The file.
        id : str
            Name of the id column.
        kind, parent : str, optional
            Names of the kind and parent columns (see :class:`RegionTable`).
        encoding : str, optional
            The text encoding. By default UTF-8 (with or without a byte-order
            mark) is tried first, then GB18030, which is what Chinese Excel writes.

        Notes
        -----
        Rows in error messages are the file's rows as a spreadsheet shows them: its line
        numbers, unless a quoted cell holds a line break.
        """
        name = os.fspath(path)
        try:
            data = Path(name).read_bytes()
        except OSError as exc:
            raise DataError(Problem(name, "cannot read the file", found=exc.strerror)) from None
        text = _decode(data, name, encoding)
        try:
            reader = csv.reader(io.StringIO(text, newline=""))
            rows = list(enumerate(reader, start=1))  # csv yields [] for a blank line
        except csv.Error as exc:
            raise DataError(Problem(name, "not a valid CSV file", found=str(exc))) from None
        return cls.from_rows(rows, id=id, kind=kind, parent=parent, source=name)

    @classmethod
    def from_rows(
        cls,
        rows: Sequence[tuple[int, Sequence[Any]]],
        *,
        id: str,
        kind: str | None = None,
        parent: str | None = None,
        source: str,
    ) -> RegionTable:
        """Build a table from numbered rows of cells, the first being the header.

        This is what the CSV and spreadsheet readers share: blank rows are skipped;
        cells past the header's width must be empty; and a last row whose id reads
        合计, 总计 or 小计 (or, with its id cell empty because 序号 and 地区 were merged,
        any of whose text cells does) is checked against the column sums and dropped,
        with a notice in :attr:`notices` (a mismatch is an error naming the row and column).

        Parameters
        ----------
        rows : sequence of (row number, cells)
            The row number is the one the user sees (a sheet's or a CSV file's row).
        id, kind, parent : str
            As for :class:`RegionTable`.
        source : str
            The file (and sheet) for messages.
        """
        kept: list[tuple[int, list[Any]]] = [
            (n, list(r)) for n, r in rows if any(_filled(c) for c in r)
        ]
        if not kept:
            raise DataError(
                Problem(source, "expected a header row and regions", found="an empty file")
            )
        header_line, header_cells = kept[0]
        while header_cells and not _filled(header_cells[-1]):
            header_cells.pop()
        header = ["" if c is None else str(c).strip() for c in header_cells]
        body = kept[1:]
        if not body:
            raise DataError(
                Problem(
                    source, "expected at least one region below the header", found="only the header"
                )
            )
        problems = [
            Problem(
                f"{source}, row {line}",
                f"expected at most {len(header)} cells like the header",
                found=f"{len(row)}, with values past the last column",
            )
            for line, row in body
            if any(_filled(c) for c in row[len(header) :])
        ]
        blank = [j + 1 for j, h in enumerate(header) if not h]
        if blank:
            problems.append(
                Problem(
                    f"{source}, row {header_line}",
                    "expected a name for every column",
                    found=f"an empty header in column {', '.join(map(str, blank))}",
                )
            )
        dupes = sorted({h for h in header if h and header.count(h) > 1})
        if dupes:
            problems.append(
                Problem(
                    f"{source}, row {header_line}",
                    "expected unique column names",
                    found=f"{', '.join(map(repr, dupes))} more than once",
                )
            )
        if problems:
            raise DataError(problems)
        body = [(line, (row + [None] * len(header))[: len(header)]) for line, row in body]
        notices: list[str] = []
        if id in header and len(body) > 1:
            label = _total_row_label(body[-1][1], header.index(id))
            if label:
                line, totals = body.pop()
                _check_totals(header, body, totals, id, (kind, parent), f"{source}, row {line}")
                notices.append(
                    f"{source}: the {label} row (row {line}) matches the column sums "
                    "and was dropped"
                )
        columns = {h: [row[j] for _, row in body] for j, h in enumerate(header)}
        table = cls(
            columns, id=id, kind=kind, parent=parent, source=source, rows=[n for n, _ in body]
        )
        table.notices = tuple(notices)
        return table

    # ------------------------------------------------------------------ access
    @property
    def ids(self) -> tuple[str, ...]:
        """The region ids, in row order."""
        return self._ids

    @property
    def columns(self) -> tuple[str, ...]:
        """The column names other than the id column."""
        return tuple(self._columns)

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, column: object) -> bool:
        return column in self._columns

    def __repr__(self) -> str:
        return f"RegionTable({len(self)} regions; columns: {', '.join(self._columns) or 'none'})"

    @property
    def kinds(self) -> tuple[str, ...] | None:
        """Each region's kind (市, 省直管县, 县 …), or None when the table has no kind column."""
        return None if self.kind_column is None else self.text(self.kind_column)

    @property
    def parents(self) -> tuple[str, ...] | None:
        """Each region's parent, or None when the table has no parent column.

        Examples
        --------
        >>> t = RegionTable.from_records([{"地区": "历下区", "上级": "济南市", "类型": "区"}],
        ...                              id="地区", kind="类型", parent="上级")
        >>> t.parents, t.kinds
        (('济南市',), ('区',))
        """
        return None if self.parent_column is None else self.text(self.parent_column)

    def row_number(self, index: int) -> int:
        """The row number the user sees for the region at ``index``."""
        return int(self._rows[index])

    def where(self, index: int, column: str) -> str:
        """A place for messages: ``"data.csv, row 5, column '人口'"``."""
        prefix = f"{self.source}, " if self.source else ""
        return f"{prefix}row {self.row_number(index)}, column {column!r}"

    def text(self, column: str) -> tuple[str, ...]:
        """The values of ``column`` as text (for attributes such as kind or parent)."""
        cached = self._text.get(column)
        if cached is None:
            self._require(column)
            cached = tuple(
                "" if v is None else str(v).strip() for v in self._columns[column].tolist()
            )
            self._text[column] = cached  # a table never changes: conditions re-read columns
        return cached

    def codes(self, column: str) -> tuple[npt.NDArray[np.intp], dict[str, int]]:
        """The values of ``column`` as text, coded: a code per region and the code of each
        distinct value (for vectorised conditions: comparing codes, not strings).

        A table taken from another (:meth:`take`) reuses that table's codes.

        Examples
        --------
        >>> t = RegionTable.from_columns({"id": ["a", "b", "c"], "city": ["x", "y", "x"]}, id="id")
        >>> codes, lookup = t.codes("city")
        >>> codes.tolist(), lookup
        ([0, 1, 0], {'x': 0, 'y': 1})
        """
        cached = self._codes.get(column)
        if cached is None:
            if self._taken_from is not None:
                table, index = self._taken_from
                codes, lookup = table.codes(column)
                cached = _readonly(codes[index]), lookup
            else:
                seen: dict[str, int] = {}
                text = self.text(column)
                codes = np.fromiter(
                    (seen.setdefault(v, len(seen)) for v in text), np.intp, len(text)
                )
                cached = _readonly(codes), seen
            self._codes[column] = cached
        return cached

    def raw(self, column: str) -> tuple[Any, ...]:
        """The values of ``column`` as they were given (for re-running from a saved output)."""
        self._require(column)
        return tuple(self._columns[column].tolist())

    def numeric(self, column: str, *, nonnegative: bool = False) -> FloatArray:
        """The values of ``column`` as finite floats.

        Raises
        ------
        DataError
            Naming every row of the column that is missing, not a number, NaN,
            infinite, or (with ``nonnegative=True``) negative.
        """
        problems = self.check(column, nonnegative=nonnegative)
        if problems:
            raise DataError(problems)
        return self._numeric[column]

    def check(self, column: str, *, nonnegative: bool = False) -> list[Problem]:
        """Every problem with ``column`` as a numeric column (empty when it is fine)."""
        if column not in self._columns:
            return [self._unknown(column)]
        if column not in self._numeric:
            raw = self._columns[column]
            values: FloatArray
            problems = []
            if raw.dtype.kind in "iuf":  # a numeric numpy array
                values = raw.astype(np.float64)
                bad = ~np.isfinite(values)
                for i in np.flatnonzero(bad)[:50]:
                    what = "NaN" if np.isnan(values[i]) else "infinity"
                    problems.append(
                        Problem(self.where(int(i), column), "expected a finite number", found=what)
                    )
            else:
                values = np.empty(len(raw), dtype=np.float64)
                for i, cell in enumerate(raw.tolist()):
                    number = _cell_number(cell)
                    if isinstance(number, _NotANumber):
                        problems.append(
                            Problem(self.where(i, column), number.expected, found=number.found)
                        )
                        values[i] = np.nan
                    else:
                        values[i] = number
            if problems:
                return problems
            self._numeric[column] = _readonly(values)
        values = self._numeric[column]
        if nonnegative and (values < 0).any():
            return [
                Problem(
                    self.where(int(i), column), "expected a number >= 0", found=f"{values[i]:g}"
                )
                for i in np.flatnonzero(values < 0)[:50]
            ]
        return []

    def with_column(self, name: str, values: Sequence[Any] | npt.NDArray[Any]) -> RegionTable:
        """A copy of the table with ``name`` added or replaced.

        Examples
        --------
        >>> t = RegionTable.from_columns({"id": ["a", "b"], "x": [1, 2]}, id="id")
        >>> t.with_column("y", [3, 4]).numeric("y")
        array([3., 4.])
        """
        if name == self.id_column:
            raise DataError(Problem(name, "cannot replace the id column"))
        columns: dict[str, Any] = {self.id_column: list(self._ids), **self._columns, name: values}
        return RegionTable(
            columns,
            id=self.id_column,
            kind=self.kind_column,
            parent=self.parent_column,
            source=self.source,
            rows=self._rows.tolist(),
        )

    def take(self, indices: Sequence[int] | npt.NDArray[np.intp]) -> RegionTable:
        """The regions at ``indices``, in that order; row numbers in messages stay the user's.

        Examples
        --------
        >>> t = RegionTable.from_columns({"id": ["a", "b", "c"], "x": [1, 2, 3]}, id="id")
        >>> t.take([2, 0]).ids
        ('c', 'a')
        """
        index = np.asarray(indices, dtype=np.intp)
        table = object.__new__(RegionTable)
        table.source = self.source
        table.id_column = self.id_column
        table.kind_column = self.kind_column
        table.parent_column = self.parent_column
        table._ids = tuple(self._ids[i] for i in index.tolist())
        table._columns = {k: _readonly(v[index]) for k, v in self._columns.items()}
        table._numeric = {k: _readonly(v[index]) for k, v in self._numeric.items()}
        table._rows = self._rows[index]
        table._text = {}
        table._codes = {}
        table._taken_from = (self, _readonly(index.copy()))
        table.notices = self.notices
        return table

    def _require(self, column: str) -> None:
        if column not in self._columns:
            raise DataError(self._unknown(column))

    def _unknown(self, column: str) -> Problem:
        import difflib

        close = difflib.get_close_matches(column, self._columns, n=1)
        return Problem(
            self.source or "data",
            f"no column {column!r}",
            found=f"columns {', '.join(map(repr, self._columns)) or 'none'}",
            hint=f"did you mean {close[0]!r}?" if close else None,
        )


def _decode(data: bytes, name: str, encoding: str | None) -> str:
    if encoding is not None:
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise DataError(
                Problem(name, f"cannot decode the file as {encoding}", found=str(exc))
            ) from None
    for candidate in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(candidate)
        except UnicodeDecodeError:
            continue
    raise DataError(
        Problem(
            name,
            "expected text in UTF-8 or GB18030",
            found="undecodable bytes",
            hint="save the file as CSV UTF-8 from Excel",
        )
    )


def _filled(cell: Any) -> bool:
    return cell is not None and str(cell).strip() != ""


def _total_label(cell: Any) -> str | None:
    """合计, 总计 or 小计 when a cell names a total (全省合计, 合 计 …)."""
    text = "".join(str(cell or "").split())
    return next((word for word in _TOTAL_WORDS if word in text), None)


def _total_row_label(cells: list[Any], id_index: int) -> str | None:
    """The total word of a last row that names a total, in its id cell or, when that is empty
    (序号 and 地区 merged, the word left in 序号), in any of its text cells."""
    if _filled(cells[id_index]):
        return _total_label(cells[id_index])
    texts = (c for c in cells if isinstance(c, str) and isinstance(_cell_number(c), _NotANumber))
    return next((label for label in map(_total_label, texts) if label), None)


def _check_totals(
    header: list[str],
    body: list[tuple[int, list[Any]]],
    totals: list[Any],
    id: str,
    attributes: tuple[str | None, ...],
    where: str,
) -> None:
    """Every numeric column's sum must match the total row (where it has a number)."""
    problems = []
    for j, name in enumerate(header):
        if name == id or name in attributes or not _filled(totals[j]):
            continue
        total = _cell_number(totals[j])
        values = [_cell_number(row[j]) for _, row in body]
        if isinstance(total, _NotANumber) or any(isinstance(v, _NotANumber) for v in values):
            continue  # not a numeric column; its own problems are reported where it is used
        column_sum = math.fsum(v for v in values if isinstance(v, float))
        text = str(totals[j]).strip()
        decimals = len(text.split(".")[1]) if isinstance(totals[j], str) and "." in text else 0
        slack = max(
            1e-9 * abs(column_sum), 0.5 * 10.0**-decimals if isinstance(totals[j], str) else 1e-6
        )
        if abs(column_sum - total) > slack:
            problems.append(
                Problem(
                    f"{where}, column {name!r}",
                    f"the total row does not match the column: the regions add up to "
                    f"{column_sum:,.10g}",
                    found=f"{total:,.10g} in the total row",
                    hint="correct the data or the total row",
                )
            )
    if problems:
        raise DataError(problems)
