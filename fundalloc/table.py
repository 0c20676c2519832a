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
gives the file's own row numbers. Messages say "row" for every source; every message, and
every place a message names (``data.csv, row 5, column '人口'``), comes from the catalogue
(:mod:`fundalloc.i18n.data`), in Chinese by default.

Columns are validated vectorised (:func:`parse_numbers`): a column of numbers, or of
numbers written as text, is converted in C, and only its bad cells are looked at in
Python; a column of a million regions is checked in tens of milliseconds.
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

from fundalloc.errors import MAX_LISTED, DataError, Problem, Text, not_listed
from fundalloc.i18n import Message, tr

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
    # str.isprintable is false for every whitespace character but the space, every control
    # and every format (invisible) character: three passes in C, no regular expression
    return (
        joined.count("\n") == len(cells) - 1
        and " " not in joined
        and joined.replace("\n", "").isprintable()
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
    >>> cell = NoValue("=B3*2", tr("data.formula_no_result", formula="=B3*2"))
    >>> str(cell), to_number(cell).found.render("en")
    ('=B3*2', 'the formula =B3*2 with no saved result')
    """

    __slots__ = ("found", "text")

    def __init__(self, text: str, found: Text) -> None:
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
        return hash((NoValue, self.text))


def _readonly(array: npt.NDArray[Any]) -> npt.NDArray[Any]:
    array.flags.writeable = False
    return array


def _object_array(values: Sequence[Any]) -> npt.NDArray[Any]:
    out = np.empty(len(values), dtype=object)
    out[:] = values if isinstance(values, list | tuple) else list(values)
    return out


class NotANumber(NamedTuple):
    """Why a cell is not a finite number: what was expected there and what was found."""

    expected: Message
    found: Text


def _described(value: object) -> Message:
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return tr("data.found_date", date=value.date().isoformat())
        return tr("data.found_datetime", value=value.isoformat(sep=" "))
    if isinstance(value, datetime.date):
        return tr("data.found_date", date=value.isoformat())
    if isinstance(value, datetime.time):
        return tr("data.found_time", value=value.isoformat())
    if isinstance(value, datetime.timedelta):
        return tr("data.found_duration", value=str(value))
    return tr("data.found_type", kind=type(value).__name__)


#: Full-width ASCII forms (U+FF01-U+FF5E) and the spaces a spreadsheet shows as blank.
_FULL_WIDTH: dict[int, int | str] = {
    **{code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)},
    **dict.fromkeys([0x3000, 0x00A0, *range(0x2000, 0x200B), 0x202F, 0x205F], " "),
}


def _not_a_number(found: Text) -> NotANumber:
    return NotANumber(tr("data.expected_number"), found)


def _not_finite(found: Text) -> NotANumber:
    return NotANumber(tr("data.expected_finite"), found)


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
    >>> [to_number(v).found.render("en") for v in ("1_000", "#DIV/0!", "1320¹")]
    ["the text '1_000'", 'the spreadsheet error #DIV/0!', "the text '1320¹'"]
    >>> to_number("1320¹").found.render("zh")
    "文本 '1320¹'"
    """
    if value is None:
        return _not_a_number(tr("data.found_empty"))
    if isinstance(value, bool):
        return _not_a_number(tr("data.found_boolean", value=str(value)))
    if isinstance(value, NoValue):
        return _not_a_number(value.found)
    if isinstance(value, Decimal) and value.is_nan():  # float() refuses a signalling NaN
        return _not_finite(tr("data.found_nan"))
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
            return _not_a_number(tr("data.found_empty") if not text else repr(value))
        if text.upper() in SPREADSHEET_ERRORS:
            return _not_a_number(tr("data.found_spreadsheet_error", error=text.upper()))
        percent = text.endswith("%")  # the full-width ％ is a % now
        if percent:
            text = text[:-1].rstrip()
        if _THOUSANDS.fullmatch(text):
            text = text.replace(",", "")
        if percent:
            if not _PERCENT.fullmatch(text):
                return _not_a_number(tr("data.found_text", text=value))
            return float(Decimal(text).scaleb(-2))  # correctly rounded: 3.3% is 0.033
        if not (_PLAIN_NUMBER.fullmatch(text) or _NOT_FINITE.fullmatch(text)):
            return _not_a_number(tr("data.found_text", text=value))
        number = float(text)
        written_finite = "inf" not in text.lower()
        shown = repr(value)
    else:
        return _not_a_number(_described(value))
    if math.isnan(number):
        return _not_finite(tr("data.found_nan"))
    if math.isinf(number):
        if written_finite:
            return _not_finite(tr("data.found_too_large", value=shown))
        return _not_finite(tr("data.found_infinity"))
    return number


IntArray = npt.NDArray[np.intp]

#: Cell types that are never a number (:func:`to_number` says what each is).
_NEVER_NUMBERS = (
    type(None),
    bool,
    np.bool_,
    NoValue,
    datetime.date,
    datetime.time,
    datetime.timedelta,
    bytes,
)
# the lines of a column's joined text (no cell holding a line break) that are not a plain
# number as a spreadsheet writes it: those need a look of their own (thousands separators,
# percentages, full-width forms, or not a number at all)
_NOT_PLAIN_LINE = re.compile(
    r"^(?![ \t]*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?[ \t]*$).*$",
    re.ASCII | re.MULTILINE,
)


def parse_numbers(values: Sequence[Any]) -> tuple[FloatArray, IntArray]:
    """:func:`to_number` of every cell, vectorised: the values (NaN where there is no
    finite number) and the positions of the cells that are not finite numbers, in order.

    Cells are taken by type, each type converted in one step in C: numbers at once, text
    by one pass of numpy's parser (and when that fails, one search over the joined text
    for the cells that are not plain numbers; only those are read one by one, as they may
    be ``1,234``, ``12%`` or full-width), and cells that are never numbers (empty,
    booleans, dates, formulas without a result) without converting anything. Ask
    :func:`to_number` of a listed cell why it is not a number.

    Examples
    --------
    >>> values, bad = parse_numbers(["1", "2.5", "x", 4, True, "1,000"])
    >>> values.tolist()[:2], values.tolist()[5], bad.tolist()
    ([1.0, 2.5], 1000.0, [2, 4])
    """
    cells = values if isinstance(values, list) else list(values)
    kinds = set(map(type, cells))
    if len(kinds) <= 1 or kinds <= {float, int}:
        return _parse_kind(next(iter(kinds)) if len(kinds) == 1 else float, cells)
    # several types: each cell's type coded in one pass, then each type converted at once
    order = {kind: k for k, kind in enumerate(kinds)}
    codes = np.fromiter(map(order.__getitem__, map(type, cells)), np.intp, len(cells))
    array = _object_array(cells)
    out = np.empty(len(cells), dtype=np.float64)
    bad: list[IntArray] = []
    for kind, code in order.items():
        index = np.flatnonzero(codes == code)
        part, part_bad = _parse_kind(kind, array[index].tolist())
        out[index] = part
        bad.append(index[part_bad])
    return out, np.sort(np.concatenate(bad))


def _parse_kind(kind: type, cells: list[Any]) -> tuple[FloatArray, IntArray]:
    """:func:`parse_numbers` of cells all of type ``kind``."""
    n = len(cells)
    if n == 0:
        return np.empty(0), np.empty(0, dtype=np.intp)
    if issubclass(kind, _NEVER_NUMBERS):
        return np.full(n, np.nan), np.arange(n, dtype=np.intp)
    if kind is str:
        return _parse_texts(cells)
    if issubclass(kind, int | float | Decimal | np.integer | np.floating):
        try:
            out = np.array(cells, dtype=np.float64)
        except (OverflowError, ValueError, TypeError):  # beyond binary64, a signalling NaN
            pass
        else:
            return out, np.flatnonzero(~np.isfinite(out))
    return _parse_each(cells)


def _parse_each(cells: Sequence[Any]) -> tuple[FloatArray, IntArray]:
    """:func:`to_number` of each cell, in Python (for the cells that need it)."""
    out = np.empty(len(cells), dtype=np.float64)
    bad: list[int] = []
    for i, cell in enumerate(cells):
        number = to_number(cell)
        if isinstance(number, NotANumber):
            bad.append(i)
            out[i] = np.nan
        else:
            out[i] = number
    return out, np.asarray(bad, dtype=np.intp)


def _parse_texts(texts: list[str]) -> tuple[FloatArray, IntArray]:
    n = len(texts)
    joined = "\n".join(texts)
    if joined.count("\n") != n - 1:  # a cell holds a line break: each its own look
        return _parse_each(texts)
    if joined.isascii() and "_" not in joined:  # what float takes then, a spreadsheet does
        try:
            out = np.array(texts, dtype=np.float64)  # float() on each cell, in C
        except ValueError:
            pass
        else:
            return out, np.flatnonzero(~np.isfinite(out))
    starts = np.zeros(n, dtype=np.intp)
    np.cumsum(np.fromiter(map(len, texts), np.intp, n)[:-1] + 1, out=starts[1:])
    # each match starts a line: its position among the lines' starts is the cell's
    odd = np.searchsorted(
        starts, np.fromiter((m.start() for m in _NOT_PLAIN_LINE.finditer(joined)), np.intp)
    ).astype(np.intp)
    return _merge_parts(texts, odd)


def _merge_parts(texts: list[str], odd: IntArray) -> tuple[FloatArray, IntArray]:
    """Plain numbers converted at once, the ``odd`` cells one by one."""
    n = len(texts)
    plain = np.ones(n, dtype=bool)
    plain[odd] = False
    array = _object_array(texts)
    out = np.empty(n, dtype=np.float64)
    good = np.flatnonzero(plain)
    out[good] = np.array(array[good].tolist(), dtype=np.float64)
    part, part_bad = _parse_each(array[odd].tolist())
    out[odd] = part
    bad = np.concatenate([good[~np.isfinite(out[good])], odd[part_bad]])
    return out, np.sort(bad)


def to_numbers(values: Sequence[Any]) -> tuple[FloatArray, dict[int, NotANumber]]:
    """:func:`parse_numbers` with the reason for each cell that is not a number, by
    position (for short columns: a long one lists its first reasons only, see
    :meth:`RegionTable.check`).

    Examples
    --------
    >>> values, bad = to_numbers(["1", "2.5", "x"])
    >>> values.tolist()[:2], {i: r.found.render("en") for i, r in bad.items()}
    ([1.0, 2.5], {2: "the text 'x'"})
    """
    cells = values if isinstance(values, list) else list(values)
    out, bad = parse_numbers(cells)
    reasons = {int(i): to_number(cells[i]) for i in bad.tolist()}
    return out, {i: r for i, r in reasons.items() if isinstance(r, NotANumber)}


def _row_numbers(
    rows: Sequence[int] | npt.NDArray[np.integer[Any]], n: int, where: Text
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
                tr("data.expected_row_numbers", count=n),
                found=tr(
                    "data.found_values_of_type",
                    count=len(rows) if hasattr(rows, "__len__") else 0,
                    dtype=str(numbers.dtype) if numbers.ndim == 1 else "nested",
                ),
            )
        )
    return numbers.astype(np.int64)


#: What a table holds a column as: a read-only numpy array, one value per region.
Column = npt.NDArray[Any]


def _column(values: Any) -> Column:
    """A column as the table keeps it, converted once: a numpy array stays (copied: its
    owner could change it); pandas, polars and Arrow columns of numbers without missing
    values are taken without a copy when the library hands over a read-only view (nobody
    can change the data under it: Arrow's buffers, pandas' copy on write), copied when the
    view is writeable; a missing value (None, pandas' NA, a null) becomes None in an object
    array, so that it is reported as an empty cell and never read as NaN; any other
    sequence becomes an object array of its cells as given, so that a stray ``True`` or
    ``"1,2"`` is reported instead of coerced."""
    if isinstance(values, np.ndarray):
        return _readonly(np.array(values, copy=True))
    module = type(values).__module__.partition(".")[0]
    if module == "pandas" and hasattr(values, "array"):
        array = _from_pandas(values)
    elif module == "polars" and hasattr(values, "null_count"):
        array = _from_polars(values)
    elif module == "pyarrow" and hasattr(values, "null_count"):
        array = _from_arrow(values)
    else:
        return _readonly(_object_array(values))
    if array.flags.writeable and array.dtype.kind != "O":  # a view its owner can change
        array = array.copy()
    return _readonly(array)


def _from_pandas(series: Any) -> Column:
    dtype = series.dtype
    if isinstance(dtype, np.dtype) and dtype.kind != "O":
        return np.asarray(series.to_numpy())  # a view of the data
    if bool(series.isna().any()):
        return _object_array(series.to_numpy(dtype=object, na_value=None).tolist())
    numpy_dtype = getattr(dtype, "numpy_dtype", None)
    if numpy_dtype is not None and np.dtype(numpy_dtype).kind in "iufb":
        return np.asarray(series.to_numpy(dtype=numpy_dtype))
    return _object_array(series.to_numpy(dtype=object).tolist())


def _from_polars(series: Any) -> Column:
    if series.null_count():
        return _object_array(series.to_list())
    array = np.asarray(series.to_numpy())
    return array if array.dtype.kind in "iufbMm" else _object_array(array.tolist())


def _from_arrow(array: Any) -> Column:
    if array.null_count:
        return _object_array(array.to_pylist())
    out = np.asarray(array.to_numpy(zero_copy_only=False))
    return out if out.dtype.kind in "iufbMm" else _object_array(out.tolist())


def _texts_of(array: Column) -> list[Any]:
    """The cells of a column as Python values (numpy strings become str)."""
    cells: list[Any] = (array.astype(object) if array.dtype.kind in "US" else array).tolist()
    return cells


def _cells_of(array: Column, index: IntArray) -> list[Any]:
    """The cells at ``index`` as :func:`to_number` takes them: dates as dates (numpy's
    datetime64 and timedelta64 in microseconds, so that ``.tolist()`` gives Python's)."""
    part = array[index]
    if part.dtype.kind == "M":
        part = part.astype("datetime64[us]")
    elif part.dtype.kind == "m":
        part = part.astype("timedelta64[us]")
    cells: list[Any] = part.tolist()
    return cells


class RegionTable:
    """Regions with their indicators, validated where they are used.

    Parameters
    ----------
    columns : mapping of str to sequence
        Column name to values, one value per region, including the id column: lists,
        tuples, numpy arrays, pandas and polars Series, pyarrow arrays.
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

    Notes
    -----
    Columns are converted once, when the table is made (see :func:`_column`): numpy
    arrays are copied, pandas, polars and Arrow columns of numbers without missing values
    are taken without a copy, lists become object arrays. A column is validated as a
    number when it is first used as one, vectorised (:func:`parse_numbers`): only the bad
    cells are looked at one by one, and at most :data:`~fundalloc.errors.MAX_LISTED` of
    them are listed per column, the rest counted. Nothing is coerced: a boolean, a date,
    text that is not a number, NaN and infinity are errors naming the cell.

    :attr:`notices` holds what a reader dropped and checked (a 合计 row, a note) as
    :class:`~fundalloc.i18n.Message` values, rendered in the language current when they
    are shown, like the problems of an error.

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

    notices: tuple[Text, ...]

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
        self._inherited: frozenset[str] = frozenset()  # columns coded as in _taken_from
        self._id_array: npt.NDArray[Any] | None = None
        self.id_column = id
        self.kind_column = kind
        self.parent_column = parent
        where = self._source_place()
        if id not in columns:
            raise DataError(
                Problem(
                    where,
                    tr("data.no_id_column", column=id),
                    found=_columns_found(list(columns)),
                    hint=tr("data.hint_id_column"),
                )
            )
        arrays = {name: _column(values) for name, values in columns.items()}
        n = len(arrays[id])
        self._rows: npt.NDArray[np.int64] = (
            np.arange(1, n + 1, dtype=np.int64) if rows is None else _row_numbers(rows, n, where)
        )
        problems = self._lengths(arrays, n)
        raw_ids = _texts_of(arrays[id])
        ids, id_problems = self._check_ids(raw_ids, id)
        problems += id_problems
        self._ids: tuple[str, ...] = tuple(ids)
        if ids is raw_ids and arrays[id].dtype == object:  # the ids as given: keep the array
            self._id_array = arrays[id]
        problems += self._check_attributes(arrays, kind, parent)
        if problems:
            raise DataError(problems)
        self._columns: dict[str, Column] = {k: v for k, v in arrays.items() if k != id}
        self._numeric: dict[str, FloatArray] = {}
        self.notices = ()

    def _source_place(self) -> Text:
        return self.source if self.source else tr("data.data")

    def _lengths(self, arrays: Mapping[str, Column], n: int) -> list[Problem]:
        return [
            Problem(
                tr(
                    "data.in_source", source=self._source_place(), place=tr("data.column", column=k)
                ),
                tr("data.wrong_length", count=n, id=self.id_column),
                found=str(len(v)),
            )
            for k, v in arrays.items()
            if len(v) != n
        ]

    def _check_attributes(
        self, arrays: Mapping[str, Column], kind: str | None, parent: str | None
    ) -> list[Problem]:
        """Every missing kind or parent column, and every region without a kind or parent."""
        problems: list[Problem] = []
        for name, missing, expected in (
            (kind, "data.no_kind_column", "data.expected_kind"),
            (parent, "data.no_parent_column", "data.expected_parent"),
        ):
            if name is None:
                continue
            if name not in arrays:
                problems.append(
                    Problem(
                        self._source_place(),
                        tr(missing, column=name),
                        found=_columns_found(list(arrays)),
                    )
                )
                continue
            if len(arrays[name]) != len(self._ids):
                continue  # its length is the problem
            texts = _clean_texts(_texts_of(arrays[name]))
            empty = [i for i, value in enumerate(texts) if not value]
            problems += [
                Problem(
                    self.where(i, name),
                    tr(expected),
                    found=tr("data.found_empty"),
                )
                for i in empty[:MAX_LISTED]
            ]
            problems += not_listed(len(empty), self._column_place(name))
        return problems

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
        columns: Mapping[str, Any],
        *,
        id: str,
        kind: str | None = None,
        parent: str | None = None,
        source: str | None = None,
    ) -> RegionTable:
        """Build a table from a mapping of column name to values: lists, numpy arrays,
        pandas or polars Series, pyarrow arrays (see the class's Notes for what is copied).

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

    def where(self, index: int, column: str) -> Message:
        """A place for messages: ``data.csv, row 5, column '人口'`` (in Chinese
        ``data.csv，第 5 行“人口”列``).

        Examples
        --------
        >>> t = RegionTable.from_columns({"id": ["a"], "x": [1]}, id="id", source="d.csv")
        >>> t.where(0, "x").render("en"), t.where(0, "x").render("zh")
        ("d.csv, row 1, column 'x'", 'd.csv，第 1 行“x”列')
        """
        row = self.row_number(index)
        place: Message = tr("data.row_column", row=str(row), column=column)
        letter = self._places.get(column)
        if letter:
            place = tr("data.with_cell", place=place, cell=f"{letter}{row}")
        return tr("data.in_source", source=self.source, place=place) if self.source else place

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
            cached = tuple(_clean_texts(_texts_of(self._columns[column])))
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
            if self._taken_from is not None and column in self._inherited:
                table, index = self._taken_from
                codes, lookup = table.codes(column)
                cached = _readonly(codes[index]), lookup
            else:
                seen: dict[str, int] = {}
                text = self.text(column)
                codes = np.fromiter(
                    map(seen.setdefault, text, itertools.count()), np.intp, len(text)
                )
                # setdefault gave each new text the count at its first row: renumber 0, 1, ...
                first = np.fromiter(seen.values(), np.intp, len(seen))
                renumber = np.empty(len(text) + 1, dtype=np.intp)
                renumber[first] = np.arange(len(seen), dtype=np.intp)
                seen = dict(zip(seen, range(len(seen)), strict=True))
                cached = _readonly(renumber[codes] if len(text) else codes), seen
            self._codes[column] = cached
        return cached

    def raw(self, column: str) -> tuple[Any, ...]:
        """The values of ``column`` as they were given (for re-running from a saved output)."""
        if column == self.id_column:
            return self._ids
        self._require(column)
        return tuple(self._columns[column].tolist())

    def numeric(self, column: str, *, nonnegative: bool = False) -> FloatArray:
        """The values of ``column`` as finite floats (read-only; no copy when the column is
        a float64 array).

        Raises
        ------
        DataError
            Naming every row of the column that is missing, not a number, NaN,
            infinite, or (with ``nonnegative=True``) negative: at most
            :data:`~fundalloc.errors.MAX_LISTED` of each, the rest counted.
        """
        problems = self.check(column, nonnegative=nonnegative)
        if problems:
            raise DataError(problems)
        return self._numeric[column]

    def check(self, column: str, *, nonnegative: bool = False) -> list[Problem]:
        """Every problem with ``column`` as a numeric column (empty when it is fine).

        Examples
        --------
        >>> t = RegionTable.from_columns({"id": ["a", "b"], "x": ["1", "abc"]}, id="id")
        >>> print(t.check("x")[0].render("zh"))
        第 2 行“x”列：应为数字；实际为 文本 'abc'
        """
        if column not in self._columns and column != self.id_column:
            return [self._unknown(column)]
        if column not in self._numeric:
            raw = self._columns[column] if column != self.id_column else self._ids_array()
            if raw.dtype.kind in "iuf":  # numbers: only NaN and infinity to look for
                values = raw if raw.dtype == np.float64 else raw.astype(np.float64)
                bad = np.flatnonzero(~np.isfinite(values))
            elif raw.dtype.kind in "bMmc":  # never numbers: every cell is one to report
                values = np.full(len(raw), np.nan)
                bad = np.arange(len(raw), dtype=np.intp)
            else:
                values, bad = parse_numbers(_texts_of(raw))
            if bad.size:
                listed = bad[:MAX_LISTED]
                problems = []
                for i, cell in zip(listed.tolist(), _cells_of(raw, listed), strict=True):
                    reason = to_number(cell)
                    assert isinstance(reason, NotANumber), (column, i, cell)
                    problems.append(
                        Problem(self.where(i, column), reason.expected, found=reason.found)
                    )
                return problems + not_listed(bad.size, self._column_place(column))
            self._numeric[column] = _readonly(values)
        values = self._numeric[column]
        if nonnegative and (values < 0).any():
            negative = np.flatnonzero(values < 0)
            return [
                Problem(
                    self.where(int(i), column),
                    tr("data.expected_nonnegative"),
                    found=f"{values[i]:g}",
                )
                for i in negative[:MAX_LISTED]
            ] + not_listed(negative.size, self._column_place(column))
        return []

    def _column_place(self, column: str) -> Message:
        """A column as a place for messages: ``data.csv, column '人口'``."""
        return tr(
            "data.in_source", source=self._source_place(), place=tr("data.column", column=column)
        )

    def _known_numbers(self, column: str, values: FloatArray) -> None:
        """Keep ``values`` as ``column``'s numbers: what :func:`parse_numbers` gave for its
        cells, all finite (a reader that parsed the column already, to check a total)."""
        assert len(values) == len(self) and bool(np.isfinite(values).all()), column
        self._numeric[column] = _readonly(values)

    def _ids_array(self) -> npt.NDArray[Any]:
        """The ids as a read-only object array (made once, for :meth:`take`)."""
        if self._id_array is None:
            self._id_array = _readonly(_object_array(self._ids))
        return self._id_array

    # ------------------------------------------------------------------ new tables
    def with_columns(self, columns: Mapping[str, Any]) -> RegionTable:
        """A copy of the table with ``columns`` added or replaced, each converted and
        validated as the constructor does (one value per region; a kind or parent column
        filled in every row; numbers checked when used). The ids, the other columns and
        what is known of them are shared, not checked again.

        Raises
        ------
        DataError
            If a column would replace the id column, or has the wrong length, or a new
            kind or parent column has an empty cell; all such problems at once.

        Examples
        --------
        >>> t = RegionTable.from_columns({"id": ["a", "b"], "x": [1, 2]}, id="id")
        >>> t2 = t.with_columns({"y": np.array([3.0, 4.0]), "x": ["5", "6"]})
        >>> t2.numeric("y").tolist(), t2.numeric("x").tolist(), t.numeric("x").tolist()
        ([3.0, 4.0], [5.0, 6.0], [1.0, 2.0])
        """
        if self.id_column in columns:
            raise DataError(
                Problem(
                    self._column_place(self.id_column),
                    tr("data.cannot_replace_id"),
                    hint=tr("data.hint_replace_id"),
                )
            )
        arrays = {name: _column(values) for name, values in columns.items()}
        problems = self._lengths(arrays, len(self))
        problems += self._check_attributes(
            arrays,
            self.kind_column if self.kind_column in arrays else None,
            self.parent_column if self.parent_column in arrays else None,
        )
        if problems:
            raise DataError(problems)
        table = self._copy()
        table._columns = {**self._columns, **arrays}
        table._numeric = {k: v for k, v in self._numeric.items() if k not in arrays}
        table._text = {k: v for k, v in self._text.items() if k not in arrays}
        table._codes = {k: v for k, v in self._codes.items() if k not in arrays}
        table._inherited = self._inherited - set(arrays)
        return table

    def with_column(self, name: str, values: Any) -> RegionTable:
        """A copy of the table with ``name`` added or replaced (:meth:`with_columns`).

        Examples
        --------
        >>> t = RegionTable.from_columns({"id": ["a", "b"], "x": [1, 2]}, id="id")
        >>> t.with_column("y", [3, 4]).numeric("y")
        array([3., 4.])
        """
        return self.with_columns({name: values})

    def _copy(self) -> RegionTable:
        """A new table sharing everything with this one (each part is read-only)."""
        table = object.__new__(RegionTable)
        table.__dict__.update(self.__dict__)
        return table

    def take(self, indices: Sequence[int] | npt.NDArray[np.intp]) -> RegionTable:
        """The regions at ``indices``, in that order; row numbers in messages stay the user's.

        Examples
        --------
        >>> t = RegionTable.from_columns({"id": ["a", "b", "c"], "x": [1, 2, 3]}, id="id")
        >>> t.take([2, 0]).ids
        ('c', 'a')
        """
        index = np.asarray(indices, dtype=np.intp)
        table = self._copy()
        table._ids = tuple(self._ids_array()[index].tolist())
        table._id_array = None
        table._columns = {k: _readonly(v[index]) for k, v in self._columns.items()}
        table._numeric = {k: _readonly(v[index]) for k, v in self._numeric.items()}
        table._rows = self._rows[index]
        table._text = {}
        table._codes = {}
        table._taken_from = (self, _readonly(index.copy()))
        table._inherited = frozenset({*self._columns, self.id_column})
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
                    Problem(self.where(i, id), tr("data.expected_id"), found=value.found)
                )
                raw[i] = None
        ids = _clean_texts(raw)
        keys = _text_keys(ids)
        if "" in keys or len(set(keys)) < len(keys):
            seen: dict[str, int] = {}
            for i, (text, key) in enumerate(zip(ids, keys, strict=True)):
                if not key:
                    problems.append(
                        Problem(
                            self.where(i, id), tr("data.expected_id"), found=tr("data.found_empty")
                        )
                    )
                elif key in seen:
                    first = seen[key]
                    same = ids[first] == text
                    problems.append(
                        Problem(
                            self.where(i, id),
                            tr("data.duplicate_id", id=text)
                            if same
                            else tr("data.duplicate_id_alike", id=text, other=ids[first]),
                            found=tr("data.also_in_row", row=str(self.row_number(first))),
                            hint=None if same else tr("data.hint_lookalike"),
                        )
                    )
                else:
                    seen[key] = i
        if _CONTROL.search("".join(ids)):
            problems += [
                Problem(
                    self.where(i, id),
                    tr("data.expected_id_without_control"),
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
            self._source_place(),
            tr("data.no_column", column=column),
            found=_columns_found(list(self._columns)),
            hint=tr("data.did_you_mean", name=close[0]) if close else None,
        )


def _columns_found(names: list[str]) -> Message:
    """What a table or file holds instead of a missing column: its columns."""
    if not names:
        return tr("data.found_no_columns")
    return tr("data.found_columns", columns=[repr(name) for name in names])
