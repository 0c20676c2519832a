"""CSV files as rows of text: decoding (UTF-8 with or without BOM, GB18030) and parsing.

A CSV file's rows are numbered the way a spreadsheet shows them: one row per record, so a
blank line is a row and a cell holding a line break is not two. Parsing is strict where
Python's :mod:`csv` module is lenient and would lose data without a word: a quoted cell
that is never closed (the module reads the rest of the file into it) and text after a
closing quote are errors naming the row and column.

Examples
--------
>>> csv_rows(b'id,x\\na,"1,5"\\n', "d.csv")
[['id', 'x'], ['a', '1,5']]
>>> csv_rows(b'id,note\\na,"see\\nb,2\\n', "d.csv")
Traceback (most recent call last):
...
fundalloc.errors.DataError: d.csv, row 2, column B: expected a closing quote for the quoted cell;
found '"see' and no closing quote up to the end of the file (hint: ...)
"""

from __future__ import annotations

import csv
import io
import re

from fundalloc.errors import DataError, Problem
from fundalloc.i18n import Message, tr
from fundalloc.io.layout import column_letter

__all__ = ["csv_rows", "decode"]

_QUOTED = re.compile(r'"(?:[^"]|"")*"')
_UNQUOTED = re.compile(r"[^,\r\n]*")


def decode(data: bytes, name: str, encoding: str | None = None) -> str:
    """The text of a file: in ``encoding`` when given, else UTF-8 (a byte-order mark is
    dropped), else GB18030 (what Chinese Excel writes as "CSV").

    Examples
    --------
    >>> decode("地区".encode("gb18030"), "d.csv"), decode(b"\\xef\\xbb\\xbfid", "d.csv")
    ('地区', 'id')
    """
    if encoding is not None:
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise DataError(
                Problem(name, tr("data.cannot_decode", encoding=encoding), found=str(exc))
            ) from None
    for candidate in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(candidate)
        except UnicodeDecodeError:
            continue
    raise DataError(
        Problem(
            name,
            tr("data.expected_utf8_or_gb18030"),
            found=tr("data.found_undecodable"),
            hint=tr("data.hint_save_as_csv_utf8"),
        )
    )


def csv_rows(data: bytes, name: str, encoding: str | None = None) -> list[list[str]]:
    """Every record of a CSV file, in order (a blank line is an empty list).

    Raises
    ------
    DataError
        If the file cannot be decoded, or a record is malformed (a quoted cell never
        closed, text after a closing quote, a cell beyond the :mod:`csv` field limit),
        naming its row and column.
    """
    text = decode(data, name, encoding)
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        rows.extend(reader)  # keeps the records read before an error
    except csv.Error as exc:
        raise _malformed(text, rows, name, exc) from None
    return rows


def _line_breaks(cells: list[str]) -> int:
    return sum(c.count("\n") + c.count("\r") - c.count("\r\n") for c in cells if len(c) > 1)


def _malformed(text: str, rows: list[list[str]], name: str, exc: csv.Error) -> DataError:
    """The error for the record after ``rows``: where it starts, which cell is wrong."""
    row = len(rows) + 1
    start = len(rows) + sum(_line_breaks(r) for r in rows)  # physical lines before it
    lines = io.StringIO(text, newline="").readlines()
    rest = "".join(lines[start:])
    pos, column = 0, 1
    while pos <= len(rest):
        if rest.startswith('"', pos):
            quoted = _QUOTED.match(rest, pos)
            if quoted is None:
                preview = rest[pos : pos + 20].splitlines()[0] if rest[pos:] else '"'
                return DataError(
                    Problem(
                        _place(name, row, column),
                        tr("data.expected_closing_quote"),
                        found=tr("data.found_no_closing_quote", text=preview),
                        hint=tr("data.hint_closing_quote"),
                    )
                )
            pos = quoted.end()
            if pos < len(rest) and rest[pos] not in ",\r\n":
                return DataError(
                    Problem(
                        _place(name, row, column),
                        tr("data.expected_comma_after_quote"),
                        found=f"{rest[quoted.start() : pos + 10].splitlines()[0]!r}",
                        hint=tr("data.hint_double_quote"),
                    )
                )
        else:
            unquoted = _UNQUOTED.match(rest, pos)
            assert unquoted is not None  # it matches the empty string
            pos = unquoted.end()
        if pos >= len(rest) or rest[pos] != ",":
            break
        pos += 1
        column += 1
    place = tr("data.in_source", source=name, place=tr("data.row", row=str(row)))
    return DataError(Problem(place, tr("data.invalid_csv_row"), found=str(exc)))


def _place(name: str, row: int, column: int) -> Message:
    """``d.csv, row 2, column B`` as a message."""
    at = tr("data.row_letter", row=str(row), letter=column_letter(column))
    return tr("data.in_source", source=name, place=at)
