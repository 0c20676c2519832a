"""The region table: unique ids, indicator columns, optional attributes.

A :class:`RegionTable` holds one row per region. Columns are kept as given; a
column becomes numeric when something asks for it as a number, and every problem
in it (missing value, NaN, infinity, text, a date, a negative where none is allowed)
is reported at once with the row and column, so a bureau fixes its spreadsheet in one
pass. Reading files (CSV, XLSX, title rows, 合计 rows) is the reader layer's job
(:mod:`fundalloc.io.tables`); the table knows nothing about files.

Ids and text are taken the way a reader sees them: invisible characters (zero-width
spaces, soft hyphens, byte-order marks and every other format character) are removed and
surrounding whitespace is stripped; the text is otherwise kept as written. Two ids are
the same when their keys are (:func:`text_key`: NFKC, so full-width and half-width forms
agree, with all whitespace removed), so look-alike duplicates are refused.

Rows are numbered the way the user sees them: records count from 1 unless the reader
gives the file's own row numbers. Messages say "row" for every source.
"""

from __future__ import annotations

import datetime
import itertools
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from fundalloc.errors import MAX_LISTED, DataError, Problem, not_listed

__all__ = ["RegionTable"]

FloatArray = npt.NDArray[np.float64]

_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?", re.ASCII)
# what a spreadsheet reads as a number (Python's float also takes 1_000 and non-ASCII digits)
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
# the number before a percent sign (no exponent: a spreadsheet shows 1E+2% as text)
_PERCENT = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)", re.ASCII)
_NOT_FINITE = re.compile(r"[+-]?(?:inf|infinity|nan)", re.IGNORECASE)
_MISSING_TEXT = frozenset({"", "na", "n/a", "nan", "null", "none", "-", "—"})
#: The error values a spreadsheet shows in a cell whose formula failed.
SPREADSHEET_ERRORS = frozenset(
    {"#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#GETTING_DATA"}
)
# Unicode's format characters (category Cf: zero-width spaces and joiners, direction marks,
# the soft hyphen, the byte-order mark, tags ...), listed so that importing stays fast; a test
# checks the list against the running Python's Unicode database
_INVISIBLE = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001"
    "\U000e0020-\U000e007f]"
)
# C0 and C1 but tab and line breaks (a cell may hold two lines)
# a quick superset of _INVISIBLE (a class of few ranges is searched much faster)
_MAYBE_INVISIBLE = re.compile(
    "[\u00ad\u0600-\u08e2\u180e\u200b-\u206f\ufeff-\ufffb\U000110bd-\U000e007f]"
)
_SPACES_BUT_LINE_BREAK = tuple(
    c for c in map(chr, range(0x3001)) if c.isspace() and c != "\n"
)  # every character str.isspace() accepts is below U+3001
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SPACE = re.compile(r"\s+")
# whitespace but the line break, control characters (the line break aside)
_UNCLEAN = re.compile("[^\\S\n]|[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def clean_text(value: Any) -> str:
    """The text of a cell as a reader sees it: invisible characters removed, surrounding
    whitespace (including no-break and ideographic spaces) stripped, the rest as written.

    Examples
    --------
    >>> clean_text("\\u200b 济南市\\u00a0")
    '济南市'
    >>> clean_text(None), clean_text(12)
    ('', '12')
    """
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return _INVISIBLE.sub("", str(value)).strip()


def text_key(text: str) -> str:
    """The key two texts are compared by: NFKC (full-width and half-width forms agree,
    a no-break space is a space) with every whitespace character removed.

    Examples
    --------
    >>> text_key("历　下") == text_key("历下") and text_key("ＡＢ１") == "AB1"
    True
    """
    if text.isascii() and text.isprintable() and " " not in text:
        return text  # NFKC keeps printable ASCII as it is
    return _SPACE.sub("", unicodedata.normalize("NFKC", _INVISIBLE.sub("", text)))


def _clean_texts(values: Sequence[Any]) -> list[str]:
    """:func:`clean_text` of every value; a few passes over the joined text when all are str."""
    cells = list(values)
    if cells and set(map(type, cells)) == {str}:
        joined = "\n".join(cells)
        if joined.count("\n") == len(cells) - 1:  # no cell holds a line break
            if not joined.isascii() and _MAYBE_INVISIBLE.search(joined):
                joined = _INVISIBLE.sub("", joined)
            return list(map(str.strip, joined.split("\n")))
    return [clean_text(v) for v in cells]


def _already_clean(cells: list[Any]) -> bool:
    """Whether every cell is text that :func:`clean_text` and :func:`text_key` keep as it
    is: no whitespace, no invisible or control character, NFKC-normal (a few passes over
    the joined text, in C).

    Examples
    --------
    >>> _already_clean(["济南市", "青岛市"]), _already_clean(["济南 市"]), _already_clean(["ａ"])
    (True, False, False)
    """
    if not cells or set(map(type, cells)) != {str}:
        return False
    joined = "\n".join(cells)
    return (
        joined.count("\n") == len(cells) - 1
        and _UNCLEAN.search(joined) is None
        and (joined.isascii() or _MAYBE_INVISIBLE.search(joined) is None)
        and unicodedata.is_normalized("NFKC", joined)
    )


def _text_keys(texts: list[str]) -> list[str]:
    """:func:`text_key` of every (clean) text, in one pass when none holds a line break."""
    joined = "\n".join(texts)
    if joined.count("\n") == len(texts) - 1:
        normal = unicodedata.normalize("NFKC", joined)
        if any(space in normal for space in _SPACES_BUT_LINE_BREAK):
            normal = re.sub(r"[^\S\n]+", "", normal)
        keys = normal.split("\n")
        if len(keys) == len(texts):
            return keys
    return [text_key(t) for t in texts]


class NoValue:
    """A cell that shows something but holds no value a program can read: a formula whose
    result was never saved. Its text is what the cell holds; ``found`` says what it is.

    Examples
    --------
    >>> cell = NoValue("=B3*2", "the formula =B3*2 with no saved result")
    >>> str(cell), to_number(cell).found
    ('=B3*2', 'the formula =B3*2 with no saved result')
    """

    __slots__ = ("found", "text")

    def __init__(self, text: str, found: str) -> None:
        self.text = text
        self.found = found

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"NoValue({self.text!r}, {self.found!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, NoValue):
            return NotImplemented
        return (self.text, self.found) == (other.text, other.found)

    def __hash__(self) -> int:
        return hash((NoValue, self.text, self.found))


def _readonly(array: npt.NDArray[Any]) -> npt.NDArray[Any]:
    array.flags.writeable = False
    return array


def _object_array(values: Sequence[Any]) -> npt.NDArray[Any]:
    out = np.empty(len(values), dtype=object)
    out[:] = values if isinstance(values, list | tuple) else list(values)
    return out


class NotANumber(NamedTuple):
    """Why a cell is not a finite number: what was expected there and what was found."""

    expected: str
    found: str


_NUMBER = "expected a number"
_FINITE = "expected a finite number"


def _described(value: object) -> str:
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return f"the date {value.date().isoformat()}"
        return f"the date and time {value.isoformat(sep=' ')}"
    if isinstance(value, datetime.date):
        return f"the date {value.isoformat()}"
    if isinstance(value, datetime.time):
        return f"the time {value.isoformat()}"
    if isinstance(value, datetime.timedelta):
        return f"the duration {value}"
    return f"a {type(value).__name__}"


#: Full-width ASCII forms (U+FF01-U+FF5E) and the spaces a spreadsheet shows as blank.
_FULL_WIDTH: dict[int, int | str] = {
    **{code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)},
    **dict.fromkeys([0x3000, 0x00A0, *range(0x2000, 0x200B), 0x202F, 0x205F], " "),
}


def to_number(value: object) -> float | NotANumber:
    """The float value of one cell, or what was expected and found instead.

    Text is read as a spreadsheet reads it: full-width digits and signs become ASCII,
    thousands separators are dropped (``"1,234,567.5"``), a trailing percent sign (``%``
    or ``％``) divides by 100 (``"12.5%"`` is 0.125, as a spreadsheet stores it), and
    nothing else: ``"1_000"`` and digits of other scripts are text.

    Examples
    --------
    >>> to_number("１２，３４５．５"), to_number(" 7 "), to_number("12.5%")
    (12345.5, 7.0, 0.125)
    >>> to_number("1_000").found, to_number("#DIV/0!").found, to_number("1320¹").found
    ("the text '1_000'", 'the spreadsheet error #DIV/0!', "the text '1320¹'")
    """
    if value is None:
        return NotANumber(_NUMBER, "an empty cell")
    if isinstance(value, bool):
        return NotANumber(_NUMBER, f"the boolean {value}")
    if isinstance(value, NoValue):
        return NotANumber(_NUMBER, value.found)
    if isinstance(value, Decimal) and value.is_nan():  # float() refuses a signalling NaN
        return NotANumber(_FINITE, "NaN")
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
        # only full-width forms and spaces are folded: NFKC would also read a footnote mark
        # (1320¹, 310②) as more digits of the number
        text = _INVISIBLE.sub("", value).translate(_FULL_WIDTH).strip()
        if text.lower() in _MISSING_TEXT:
            return NotANumber(_NUMBER, "an empty cell" if not text else f"{value!r}")
        if text.upper() in SPREADSHEET_ERRORS:
            return NotANumber(_NUMBER, f"the spreadsheet error {text.upper()}")
        percent = text.endswith("%")  # NFKC made the full-width ％ a %
        if percent:
            text = text[:-1].rstrip()
        if _THOUSANDS.fullmatch(text):
            text = text.replace(",", "")
        if percent:
            if not _PERCENT.fullmatch(text):
                return NotANumber(_NUMBER, f"the text {value!r}")
            return float(Decimal(text).scaleb(-2))  # correctly rounded: 3.3% is 0.033
        if not (_PLAIN_NUMBER.fullmatch(text) or _NOT_FINITE.fullmatch(text)):
            return NotANumber(_NUMBER, f"the text {value!r}")
        number = float(text)
        written_finite = "inf" not in text.lower()
        shown = repr(value)
    else:
        return NotANumber(_NUMBER, _described(value))
    if math.isnan(number):
        return NotANumber(_FINITE, "NaN")
    if math.isinf(number):
        return NotANumber(_FINITE, f"{shown} (too large)" if written_finite else "infinity")
    return number


def to_numbers(values: Sequence[Any]) -> tuple[FloatArray, dict[int, NotANumber]]:
    """:func:`to_number` of every cell, as an array (NaN where there is no number) and the
    reason for each cell that is not a number, by position.

    Columns of plain numbers, or of plain ASCII numbers as text (what a CSV file holds),
    are converted without looking at each cell in Python.

    Examples
    --------
    >>> values, bad = to_numbers(["1", "2.5", "x"])
    >>> values.tolist()[:2], bad
    ([1.0, 2.5], {2: NotANumber(expected='expected a number', found="the text 'x'")})
    """
    cells = values if isinstance(values, list | tuple) else list(values)
    kinds = set(map(type, cells))
    out: FloatArray | None = None
    if kinds <= {float, int}:  # a bool's type is bool: it takes the careful path
        try:
            out = np.array(cells, dtype=np.float64)
        except OverflowError:
            out = None
    elif kinds == {str}:
        joined = "\n".join(cells)
        if joined.isascii() and "_" not in joined:  # what float takes then, a spreadsheet does
            try:
                out = np.array(cells, dtype=np.float64)  # float() on each cell, in C
            except ValueError:
                out = None
    bad: dict[int, NotANumber] = {}
    if out is not None:
        for i in np.flatnonzero(~np.isfinite(out)).tolist():
            number = to_number(cells[i])
            if isinstance(number, NotANumber):
                bad[i] = number
        return out, bad
    out = np.empty(len(cells), dtype=np.float64)
    for i, cell in enumerate(cells):
        number = to_number(cell)
        if isinstance(number, NotANumber):
            bad[i] = number
            out[i] = np.nan
        else:
            out[i] = number
    return out, bad


def _row_numbers(
    rows: Sequence[int] | npt.NDArray[np.integer[Any]], n: int, where: str
) -> npt.NDArray[np.int64]:
    """The row numbers given for a table of ``n`` regions: whole numbers, one per region."""
    try:
        numbers = np.asarray(rows)
    except (ValueError, TypeError, OverflowError):
        numbers = np.asarray([], dtype=object)
    fine = (
        numbers.ndim == 1
        and numbers.dtype.kind in "iu"
        and len(numbers) == n
        and (n == 0 or (int(numbers.min()) >= 0 and int(numbers.max()) < 2**63))
    )
    if not fine:
        raise DataError(
            Problem(
                where,
                f"expected {n} row numbers (whole numbers, one for each region)",
                found=f"{len(rows) if hasattr(rows, '__len__') else 'no'} values of type "
                f"{numbers.dtype if numbers.ndim == 1 else 'nested'}",
            )
        )
    return numbers.astype(np.int64)


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
        The row number of each region as the user sees it (a file's rows);
        by default 1, 2, 3, ...
    places : mapping of str to str, optional
        Where each column is in the source, for messages (a spreadsheet's column
        letter): a cell is then named as ``row 5, column '人口' (cell C5)``.

    Raises
    ------
    DataError
        If the id column is missing, an id is empty, holds a control character or is
        repeated (also when two ids differ only by invisible characters, whitespace or
        full-width forms), or the columns have different lengths; all such problems are
        reported together.

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
        rows: Sequence[int] | npt.NDArray[np.integer[Any]] | None = None,
        places: Mapping[str, str] | None = None,
    ) -> None:
        self.source = source
        self._places: dict[str, str] = dict(places or {})
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
            np.arange(1, n + 1, dtype=np.int64) if rows is None else _row_numbers(rows, n, where)
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
        ids, id_problems = self._check_ids(list(columns[id]), id)
        problems += id_problems
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
                for i, value in enumerate(_clean_texts(list(columns[name])))
                if not value
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
        """Whether the table has ``column``: the id column too (a condition may name it)."""
        return column in self._columns or column == self.id_column

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
        row = self.row_number(index)
        place = self._places.get(column)
        return f"{prefix}row {row}, column {column!r}" + (f" (cell {place}{row})" if place else "")

    def text(self, column: str) -> tuple[str, ...]:
        """The values of ``column`` as text (for attributes such as kind or parent), the way
        a reader sees them (:func:`clean_text`). The id column is a column here too, so a
        condition may name regions (``地区 in [...]``).

        Examples
        --------
        >>> RegionTable.from_columns({"id": ["a", "b"], "x": [1, 2]}, id="id").text("id")
        ('a', 'b')
        """
        cached = self._text.get(column)
        if cached is None:
            if column == self.id_column:
                return self._ids
            self._require(column)
            cached = tuple(_clean_texts(self._columns[column].tolist()))
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
        if column == self.id_column:
            return self._ids
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
        if column not in self._columns and column != self.id_column:
            return [self._unknown(column)]
        if column not in self._numeric:
            raw = (
                self._columns[column]
                if column != self.id_column
                else _object_array(list(self._ids))
            )
            values: FloatArray
            problems = []
            if raw.dtype.kind in "iuf":  # a numeric numpy array
                values = raw.astype(np.float64)
                bad = np.flatnonzero(~np.isfinite(values))
                for i in bad[:MAX_LISTED]:
                    what = "NaN" if np.isnan(values[i]) else "infinity"
                    problems.append(
                        Problem(self.where(int(i), column), "expected a finite number", found=what)
                    )
                problems += not_listed(bad.size, self._column_place(column))
            else:
                values, reasons = to_numbers(raw.tolist())
                problems = [
                    Problem(self.where(i, column), reason.expected, found=reason.found)
                    for i, reason in itertools.islice(reasons.items(), MAX_LISTED)
                ]
                problems += not_listed(len(reasons), self._column_place(column))
            if problems:
                return problems
            self._numeric[column] = _readonly(values)
        values = self._numeric[column]
        if nonnegative and (values < 0).any():
            negative = np.flatnonzero(values < 0)
            return [
                Problem(
                    self.where(int(i), column), "expected a number >= 0", found=f"{values[i]:g}"
                )
                for i in negative[:MAX_LISTED]
            ] + not_listed(negative.size, self._column_place(column))
        return []

    def _column_place(self, column: str) -> str:
        """A column as a place for messages: ``"data.csv, column '人口'"``."""
        return f"{self.source or 'data'}, column {column!r}"

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
            places=self._places,
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
        table._places = self._places
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

    def _check_ids(self, raw: list[Any], id: str) -> tuple[list[str], list[Problem]]:
        """The ids as a reader sees them, and every empty, unreadable or repeated one."""
        if _already_clean(raw):  # the common case: no cell to clean, keys are the texts
            ids: list[str] = raw
            if len(set(ids)) == len(ids) and "" not in ids:
                return ids, []
        problems: list[Problem] = []
        for i, value in enumerate(raw if NoValue in set(map(type, raw)) else ()):
            if isinstance(value, NoValue):
                problems.append(
                    Problem(self.where(i, id), "expected a region id", found=value.found)
                )
                raw[i] = None
        ids = _clean_texts(raw)
        keys = _text_keys(ids)
        if "" in keys or len(set(keys)) < len(keys):
            seen: dict[str, int] = {}
            for i, (text, key) in enumerate(zip(ids, keys, strict=True)):
                if not key:
                    problems.append(
                        Problem(self.where(i, id), "expected a region id", found="an empty cell")
                    )
                elif key in seen:
                    first = seen[key]
                    same = ids[first] == text
                    problems.append(
                        Problem(
                            self.where(i, id),
                            f"duplicate region id {text!r}"
                            + ("" if same else f" (it reads the same as {ids[first]!r})"),
                            found=f"it is also in row {self.row_number(first)}",
                            hint=None
                            if same
                            else "the two differ only by invisible characters, spaces or "
                            "full-width forms",
                        )
                    )
                else:
                    seen[key] = i
        if _CONTROL.search("".join(ids)):
            problems += [
                Problem(
                    self.where(i, id),
                    "expected a region id without control characters",
                    found=f"{text!r} (U+{ord(_CONTROL.findall(text)[0]):04X})",
                )
                for i, text in enumerate(ids)
                if _CONTROL.search(text)
            ]
        return ids, problems

    def _require(self, column: str) -> None:
        if column not in self._columns and column != self.id_column:
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
