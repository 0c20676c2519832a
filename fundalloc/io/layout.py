"""The layout of a bureau's table: where the header is, which rows are regions.

CSV and XLSX readers turn a file into numbered rows of cells (a :class:`Grid`);
:func:`region_table` finds the header and the regions in it the same way for both.

The header
    The header is the first row, among the first :data:`HEADER_SEARCH_ROWS`, that holds
    the id column and every column asked for (the scheme's columns, the kind and the parent
    column); names are compared the way a reader sees them (:func:`~fundalloc.table.text_key`:
    invisible characters, whitespace and full-width forms do not matter) and a column is
    named as the caller spells it. Rows above it (titles, a unit row, the upper row of a
    two-row header) are skipped. In a spreadsheet a merged cell counts in every cell it
    covers; in both formats an empty header cell takes the name above it when the row above
    holds two or more different names (the upper row of a two-row header: ``地区`` merged down
    two rows), so a two-row header reads as its lower names. A 序号 (row number) column is
    dropped: it is not data.

The rows below the header, each one of these (``label`` is the id cell's text, or when that
is empty the first filled cell's, as when 序号 and 地区 are merged in a 合计 row):

- blank: no filled cell; skipped;
- a total: ``label`` holds 合计 or 总计 (spaces aside, so ``合 计`` and ``全省合计`` too); checked
  against every region above it (or, when it comes before any region, every region below)
  and dropped with a notice;
- a subtotal: ``label`` holds 小计 (``一片区小计``); checked against its group, the regions since
  the previous total, subtotal or the header, and dropped with a notice;
- a note: its first filled cell is text starting with 注, 说明, 备注 or 附注 (a number may follow:
  ``注1：``), or with 数据来源, 资料来源, 来源, 制表, 审核, 复核, 填报, 填表, 负责, 联系, 单位,
  计量单位, 金额单位 or 日期 and up to four more characters (``制表人``, ``单位负责人``), then a
  colon (``：`` or ``:``), and no other cell holds a number. Rows right after a note holding a
  single text cell continue it, and so does a row holding only a date (``2018年5月10日``, or
  a date cell). Notes (signature rows and unit rows included) are dropped with a
  notice;
- a group heading: ``label`` starts with a Chinese numeral and 、 or ． (``一、地级市``), or a
  numeral in brackets (``（一）``), and no other cell is filled; dropped with a notice;
- a region: anything else with an id.

Errors, each naming the row: a region after a closing total; a row without an id that is none
of the above; a ``其中`` (of which) row; a note or a heading that holds numbers; a subtotal with
no region above it in its group; a total or subtotal that does not match (naming the column
and both numbers). A column is checked when the total row holds a value in it; a total cell
or a region cell that is not a number (text, a formula without a saved result) makes the
column "not checked" in the notice, never silently passed. So does a total that is a rate or
an average rather than a sum (the overall 贫困发生率): a value that is not the sum but lies
within the range of the values it would sum, when those are all >= 0 and at least two are
positive (their sum is then above the largest: no sum can be that value); any other value
that does not match is an error.

Merged cells below the header: a range merged over several rows gives its value to the
cells it covers in each row below its first that holds values of its own (a 片区 merged over
its cities; a note merged over a block of rows stays one note); a number merged so is an
error naming the range (which region holds it cannot be told). A range within one row is
read as its first cell, by the rules above.
"""

from __future__ import annotations

import bisect
import datetime
import itertools
import math
import operator
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from fundalloc.errors import DataError, Problem, Text
from fundalloc.i18n import Message, tr
from fundalloc.table import (
    FloatArray,
    NotANumber,
    NoValue,
    RegionTable,
    clean_text,
    parse_numbers,
    text_key,
    to_number,
)

__all__ = ["HEADER_SEARCH_ROWS", "Grid", "column_letter", "region_table"]

#: How far down a file the header row is looked for.
HEADER_SEARCH_ROWS = 30

_TOTALS = ("合计", "总计", "共计", "合計", "總計", "共計")
_SUBTOTAL = "小计"
_SUBTOTALS = (_SUBTOTAL, "小計")
_WORDS = (*_TOTALS, *_SUBTOTALS)
#: Labels that name the whole area above the regions: a total row when they are the whole label
#: (全州县 is a county, 全省 is the province's total)
_WHOLE_AREA = frozenset(
    {"全省", "全市", "全县", "全区", "全州", "全盟", "全旗", "全国", "全自治区"}
)
_TOTAL_LABELS = frozenset({*_TOTALS, *_WHOLE_AREA})
#: Words in a column's name that make a rate or an average plausible in a total row
_RATE_WORDS = ("率", "比", "均", "系数", "指数", "%", "％")
_NOTE = re.compile(
    r"(?:(?:注|说明|备注|附注)[0-9一二三四五六七八九十①-⑳()（）]*"
    r"|(?:数据来源|资料来源|来源|制表|审核|复核|填报|填表|负责|联系|单位|计量单位|金额单位|日期)"
    r"[^:：]{0,4})[:：]"
)
_NUMERAL = "0-9〇零一二三四五六七八九十"
_DATE = re.compile(rf"[{_NUMERAL}]{{2,4}}年(?:[{_NUMERAL}]{{1,2}}月(?:[{_NUMERAL}]{{1,3}}日)?)?")
_HEADING = re.compile(r"[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[)）]")
_OF_WHICH = "其中"
_PROSE = re.compile(r"[，。；：、,.;:（）()“”\s]")
# a quick test that a cell may be something other than a region's id (the exact rules above
# decide), run over a column's cells joined by line breaks
# (two patterns, each starting with something the regular-expression engine scans for fast),
# each with the characters one of which any match holds: a pattern is run only when one of
# them is in the text at all (str's own search, many times faster than the pattern's scan)
_MAYBE_SPECIAL = (
    (re.compile(r"[计計:：年]|\n[^\S\n]*全"), "计計:：年全"),
    (re.compile(r"\n[^\S\n]*(?:其中|[一二三四五六七八九十]+[^\S\n]*[、.．]|[（(])"), "其、.．（("),
)
_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")
_ROW_NUMBER_COLUMNS = frozenset({"序号", "序", "No.", "NO.", "No"})


def column_letter(column: int) -> str:
    """A spreadsheet's name for a column counted from 1.

    Examples
    --------
    >>> column_letter(1), column_letter(27), column_letter(16384)
    ('A', 'AA', 'XFD')
    """
    out = ""
    while column:
        column, rest = divmod(column - 1, 26)
        out = chr(65 + rest) + out
    return out


@dataclass
class Grid:
    """A file as rows of cells, the way a reader hands it over.

    Parameters
    ----------
    source : str
        The file (and sheet) for messages.
    rows : sequence of list
        The cells of each row, from column 1; a row may be shorter than others.
    numbers : sequence of int
        The row number the user sees for each row.
    merged : sequence of (int, int, int, int)
        Merged ranges as (first row, first column, last row, last column), 1-based.
    letters : bool
        Name columns by letter in messages (a spreadsheet), besides by name.
    past : mapping of int to int
        For rows whose cells were cut at the grid's width: the first column past it that
        holds a value, by position in ``rows``.
    hidden : frozenset of int
        The row numbers a spreadsheet hides: a region there is an error (a hidden row is
        how a clerk "removes" a region, but the file still holds it).
    """

    source: str
    rows: Sequence[list[Any]]
    numbers: Sequence[int]
    merged: Sequence[tuple[int, int, int, int]] = ()
    letters: bool = False
    past: Mapping[int, int] = field(default_factory=dict)
    hidden: frozenset[int] = frozenset()


def _filled(cell: Any) -> bool:
    if cell is None:
        return False
    if cell.__class__ is str:
        return bool(cell.strip())
    return bool(str(cell).strip())


def _header_name(cell: Any) -> str:
    # a header cell often holds a line break (贫困人口↵（人）): the name is one line
    if cell.__class__ is str and cell.isprintable() and cell == cell.strip():
        return cell  # the common case: nothing to clean
    return _LINE_BREAKS.sub("", clean_text(cell))


def region_table(
    grid: Grid,
    *,
    id: str,
    kind: str | None = None,
    parent: str | None = None,
    columns: Sequence[str] = (),
) -> RegionTable:
    """The regions of a grid: header found, non-region rows checked and dropped.

    Parameters
    ----------
    grid : Grid
        The rows of the file.
    id, kind, parent : str
        As for :class:`~fundalloc.table.RegionTable`.
    columns : sequence of str
        The columns the header row must hold besides those.

    Raises
    ------
    DataError
        If there is no header, a row is neither a region nor a recognised non-region row,
        or a total does not match; all such problems at once where they can be.

    Examples
    --------
    >>> rows = [["2018年测算表"], ["单位：人"], ["地区", "人口"], ["甲", "1"], ["乙", "2"],
    ...         ["合计", "3"], ["注：人口为年末数"]]
    >>> table = region_table(Grid("d.csv", rows, range(1, 8)), id="地区", columns=["人口"])
    >>> table.ids
    ('甲', '乙')
    >>> for notice in table.notices:
    ...     print(notice.render("en"))
    d.csv: the 合计 row (row 6) matches the column sums and was dropped
    d.csv: row 7 is a note and was dropped: 注：人口为年末数
    >>> for notice in table.notices:
    ...     print(notice.render("zh"))
    d.csv：合计行（第 6 行）与各列之和相符，已去掉
    d.csv：第 7 行是注释，已去掉：注：人口为年末数
    """
    source = grid.source
    if not any(any(_filled(c) for c in row) for row in grid.rows):
        raise DataError(
            Problem(source, tr("data.expected_header"), found=tr("data.found_empty_file"))
        )
    wanted = {name: text_key(name) for name in (id, kind, parent, *columns) if name}
    top = _top_rows(grid)
    at = _find_header(top, set(wanted.values()))
    if at is None:
        raise DataError(_no_header(grid, top, wanted, id))
    if _lower_header_below(grid, top, at, wanted[id]):
        at += 1
    names = list(top[at])
    while names and not names[-1]:
        names.pop()
    by_key = {key: name for name, key in wanted.items()}
    names = [by_key.get(text_key(n), n) for n in names]
    merged_problems = _fill_merged_body(grid, at, names)
    if merged_problems:
        raise DataError(merged_problems)
    return _Body(grid, at, names, id=id, kind=kind, parent=parent, columns=columns).table()


def _fill_merged_body(grid: Grid, at: int, names: list[str]) -> list[Problem]:
    """Give a range merged over several rows below the header its value in the rows below
    its first that hold values of their own (a 片区 merged over its cities), in place; a
    number merged so is a problem naming the range (which region holds it cannot be told).
    The range's first row, and rows holding nothing else (a note merged over a block of
    rows), are left as they are, and so are ranges within one row (a 合计 label over 序号
    and 地区, a note across the table): the row rules read them by their first cell."""
    header = grid.numbers[at]
    ranges = [m for m in grid.merged if m[0] > header and m[2] > m[0]]
    if not ranges:
        return []
    index = {number: i for i, number in enumerate(grid.numbers) if i > at}
    problems: list[Problem] = []
    for first_row, first_col, last_row, last_col in ranges:
        if first_row not in index:
            continue
        anchor = grid.rows[index[first_row]]
        value = anchor[first_col - 1] if first_col <= len(anchor) else None
        if not _filled(value):
            continue
        width = min(last_col, first_col + 1024)
        covered = [
            grid.rows[index[number]]
            for number in range(first_row + 1, last_row + 1)
            if number in index  # a row without cells holds nothing else
        ]
        covered = [
            row
            for row in covered
            if any(_filled(c) for j, c in enumerate(row) if not first_col - 1 <= j < width)
        ]
        if not covered:
            continue
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            j = first_col - 1
            cell = f"{column_letter(first_col)}{first_row}"
            place: Message = (
                tr(
                    "data.with_cell",
                    place=tr("data.row_column", row=str(first_row), column=names[j]),
                    cell=cell,
                )
                if j < len(names) and names[j]
                else tr("data.row_letter", row=str(first_row), letter=cell)
            )
            problems.append(
                Problem(
                    tr("data.in_source", source=grid.source, place=place),
                    tr("data.expected_own_cell"),
                    found=tr(
                        "data.found_merged_number",
                        value=str(value),
                        range=f"{cell}:{column_letter(last_col)}{last_row}",
                        first=str(first_row),
                        last=str(last_row),
                    ),
                    hint=tr("data.hint_unmerge"),
                )
            )
            continue
        for row in covered:
            if len(row) < width:
                row.extend([None] * (width - len(row)))
            for j in range(first_col - 1, width):
                if not _filled(row[j]):
                    row[j] = value
    return problems


def _top_rows(grid: Grid) -> list[list[str]]:
    """The names in the first rows as the header search sees them: merged cells filled, and
    empty cells of a row below a row of two or more names taking those names."""
    count = min(len(grid.rows), HEADER_SEARCH_ROWS)
    top = [[_header_name(c) for c in row] for row in grid.rows[:count]]
    index = {number: i for i, number in enumerate(grid.numbers[:count])}
    for first_row, first_col, last_row, last_col in grid.merged:
        if first_row not in index:
            continue
        anchor_row = top[index[first_row]]
        value = anchor_row[first_col - 1] if first_col <= len(anchor_row) else ""
        if not value:
            continue
        width = min(last_col, first_col + 1024)
        for number in range(first_row, last_row + 1):
            if number not in index:
                continue
            row = top[index[number]]
            if len(row) < width:
                row.extend([""] * (width - len(row)))
            for j in range(first_col - 1, width):
                row[j] = row[j] or value
    for k in range(len(top) - 1, 0, -1):
        above = top[k - 1]
        if len(set(above) - {""}) < 2:
            continue
        row = top[k]
        if len(row) < len(above):
            row.extend([""] * (len(above) - len(row)))
        for j in range(len(above)):
            row[j] = row[j] or above[j]
    return top


def _lower_header_below(grid: Grid, top: list[list[str]], at: int, id_key: str) -> bool:
    """Whether the row below the header row is the lower row of a two-row header: the header
    row has a repeated or empty name (``人口情况`` over two columns), and the row below has an
    empty id cell and only text that is not a number, some of it under those names."""
    if at + 1 >= len(top):
        return False
    upper, below = top[at], grid.rows[at + 1]
    ii = next((j for j, n in enumerate(upper) if n and text_key(n) == id_key), None)
    if ii is None or (ii < len(below) and _filled(below[ii])):
        return False
    filled = [j for j, c in enumerate(below) if _filled(c)]
    if not filled or any(
        not isinstance(below[j], str) or not isinstance(to_number(below[j]), NotANumber)
        for j in filled
    ):
        return False
    seen = [text_key(n) for n in upper]
    return any(j >= len(upper) or not upper[j] or seen.count(seen[j]) > 1 for j in filled)


def _find_header(top: list[list[str]], wanted: set[str]) -> int | None:
    for k, row in enumerate(top):
        if wanted <= {text_key(name) for name in row if name}:
            return k
    return None


def _no_header(grid: Grid, top: list[list[str]], wanted: dict[str, str], id: str) -> list[Problem]:
    """Which needed names were seen in which rows, and which were not seen."""
    import difflib

    keys_by_row = [{text_key(name) for name in row if name} for row in top]
    best = max(range(len(top)), key=lambda k: (len(keys_by_row[k] & set(wanted.values())), -k))
    best_names = [name for name in top[best] if name]
    present = [name for name, key in wanted.items() if key in keys_by_row[best]]
    holds = (
        tr("data.row_holds", row=str(grid.numbers[best]), names=[repr(n) for n in present])
        if present
        else tr("data.none_in_first_rows", count=len(top))
    )
    problems = _duplicates(top[best], _row_place(grid.source, grid.numbers[best]))
    for name, key in wanted.items():
        if key in keys_by_row[best]:
            continue
        elsewhere = [grid.numbers[k] for k, keys in enumerate(keys_by_row) if key in keys]
        found = (
            tr("data.name_in_rows", holds=holds, name=name, rows=[str(r) for r in elsewhere])
            if elsewhere
            else holds
        )
        close = difflib.get_close_matches(name, best_names, n=1)
        hint = tr("data.did_you_mean", name=close[0]) if close else None
        if name == id:
            problems.append(
                Problem(
                    grid.source,
                    tr("data.no_id_column", column=name),
                    found=found,
                    hint=hint or tr("data.hint_id_column"),
                )
            )
        else:
            problems.append(
                Problem(
                    grid.source,
                    tr("data.no_column", column=name),
                    found=found,
                    hint=hint or tr("data.hint_check_names"),
                )
            )
    return problems


def _column_texts(body: Sequence[list[Any]], lengths: list[int], j: int) -> list[str]:
    """The cells of column ``j`` (from 0), with "" where a cell is not text or is missing."""
    if not body:
        return []
    if min(lengths) > j:
        cells = list(map(operator.itemgetter(j), body))
    else:
        cells = [row[j] if len(row) > j else "" for row in body]
    if set(map(type, cells)) == {str}:
        return cells
    return [c if c.__class__ is str else "" for c in cells]


def _maybe_special(texts: list[str]) -> list[int]:
    """The positions of the texts that may make a row something other than a region
    (:data:`_MAYBE_SPECIAL`): one search over the joined text instead of one per row."""
    out: list[int] = []
    if texts:
        joined = "\n" + "\n".join(texts)  # each text follows a line break
        ends: list[int] = []  # text i spans ends[i - 1] (its line break) to ends[i]
        for pattern, needles in _MAYBE_SPECIAL:
            if any(needle in joined for needle in needles):
                ends = ends or list(itertools.accumulate(map((1).__add__, map(len, texts))))
                out += [bisect.bisect_right(ends, m.start()) for m in pattern.finditer(joined)]
    return sorted(set(out))


def _row_place(source: str, row: int) -> Message:
    """``d.csv, row 5`` as a message."""
    return tr("data.in_source", source=source, place=tr("data.row", row=str(row)))


def _duplicates(names: list[str], where: Text) -> list[Problem]:
    """Columns whose names read the same (:func:`~fundalloc.table.text_key`), in one pass."""
    first: dict[str, int] = {}
    repeated: dict[str, list[int]] = {}
    for j, name in enumerate(names):
        if not name:
            continue
        key = text_key(name)
        if key in first:
            repeated.setdefault(key, [first[key]]).append(j)
        else:
            first[key] = j
    problems = []
    for places in repeated.values():
        same = {names[j] for j in places}
        letters = [column_letter(j + 1) for j in places]
        problems.append(
            Problem(
                where,
                tr("data.expected_unique_names"),
                found=tr("data.found_repeated_name", name=names[places[0]], letters=letters)
                if len(same) == 1
                else tr(
                    "data.found_repeated_name_as",
                    name=names[places[0]],
                    letters=letters,
                    forms=[repr(n) for n in sorted(same)],
                ),
                hint=None if len(same) == 1 else tr("data.hint_names_lookalike"),
            )
        )
    return problems


def _decimals(text: str) -> int:
    """The decimal places a number written as text shows (a percentage two more).

    Examples
    --------
    >>> _decimals("1,234.50"), _decimals("3.2%"), _decimals("７％"), _decimals("12")
    (2, 3, 2, 0)
    """
    shown = unicodedata.normalize("NFKC", text).strip()
    percent = 2 if shown.endswith("%") else 0
    shown = shown.rstrip("%").rstrip()
    return (len(shown.split(".")[1]) if "." in shown else 0) + percent


def _within_range(values: FloatArray, value: float) -> bool:
    """Whether a total cell holds a rate or an average, not a (wrong) sum: the regions'
    values are all >= 0, at least two of them are positive (so their sum exceeds the
    largest), and the total lies within their range.

    Examples
    --------
    >>> import numpy as np
    >>> _within_range(np.array([2.5, 4.1, 0.0]), 3.2), _within_range(np.array([2.5, 4.1]), 6.5)
    (True, False)
    """
    if not len(values) or values.min() < 0 or int((values > 0).sum()) < 2:
        return False
    return bool(values.min() <= value <= values.max())


#: The errors of a row that name its id cell.
_ID_ERRORS = frozenset({"data.expected_id", "data.heading_with_values"})


def _then(items: list[Message]) -> Message:
    """Messages one after another, separated by semicolons (items that hold commas)."""
    out = items[-1]
    for item in reversed(items[:-1]):
        out = tr("data.then", first=item, rest=out)
    return out


@dataclass
class _Total:
    """A total or subtotal row and the regions it sums (positions in the region list)."""

    index: int  # position in grid.rows
    label: str
    first: int
    stop: int  # -1: up to the last region (a total above the regions)


class _Body:
    """The rows below the header, classified."""

    def __init__(
        self,
        grid: Grid,
        at: int,
        names: list[str],
        *,
        id: str,
        kind: str | None,
        parent: str | None,
        columns: Sequence[str] = (),
    ) -> None:
        self.grid = grid
        self.at = at
        self.names = names
        self.id = id
        self.kind = kind
        self.parent = parent
        self.attributes = {id, kind, parent} - {None}
        self.header_number = grid.numbers[at]
        self.id_index = names.index(id)
        self.row_number_index = next(
            (
                j
                for j, n in enumerate(names)
                if n in _ROW_NUMBER_COLUMNS and n not in self.attributes and n not in columns
            ),
            None,
        )
        self.problems: list[Problem] = []
        self.notices: list[tuple[int, Message]] = []  # (position in grid.rows, notice)
        self.regions: list[int] = []  # positions in grid.rows
        self.cells: list[list[Any]] = []  # their cells, exactly as wide as the header
        self.totals: list[_Total] = []
        # the columns read as numbers for the totals: their values and bad positions
        self.numbers: dict[int, tuple[FloatArray, list[int]]] = {}

    def where(self, index: int, j: int | None = None) -> Message:
        """The place of row ``index`` (and column ``j``) for messages."""
        row = str(self.grid.numbers[index])
        place: Message
        if j is None:
            place = tr("data.row", row=row)
        elif j >= len(self.names) or not self.names[j]:
            place = tr("data.row_letter", row=row, letter=column_letter(j + 1))
        else:
            place = tr("data.row_column", row=row, column=self.names[j])
            if self.grid.letters:
                place = tr("data.with_cell", place=place, cell=f"{column_letter(j + 1)}{row}")
        return tr("data.in_source", source=self.grid.source, place=place)

    # ------------------------------------------------------------------ header
    def check_header(self) -> list[int]:
        """The header's problems; the positions of the columns the table keeps."""
        # an unnamed column is fine when it is empty (a spacer), so only those are looked at
        blank = [
            j
            for j, name in enumerate(self.names)
            if not name and any(_filled(cells[j]) for cells in self.cells)
        ]
        where = _row_place(self.grid.source, self.header_number)
        if blank:
            self.problems.append(
                Problem(
                    where,
                    tr("data.expected_column_names"),
                    found=tr(
                        "data.found_empty_headers",
                        columns=[f"{j + 1} ({column_letter(j + 1)})" for j in blank],
                    ),
                )
            )
        self.problems += _duplicates(self.names, where)
        return [j for j, name in enumerate(self.names) if name and j != self.row_number_index]

    # ------------------------------------------------------------------ rows
    def classify(self) -> None:
        rows, width, ii = self.grid.rows, len(self.names), self.id_index
        seq = self.row_number_index
        start = self.at + 1
        # the rows that need a look of their own; every other row is a region (with a
        # non-empty text id, nothing that may make it a total, note or heading, and no
        # values past the header), taken in bulk
        body = rows[start:]
        lengths = list(map(len, body))
        ids = _column_texts(body, lengths, ii)
        positions = list(itertools.compress(range(len(ids)), map(operator.not_, ids)))
        positions += _maybe_special(ids)
        if seq is not None:
            positions += _maybe_special(_column_texts(body, lengths, seq))
        positions += itertools.compress(range(len(body)), map(width.__lt__, lengths))
        look = {start + i for i in positions}
        look.update(self.grid.past)
        short = {
            start + i for i in itertools.compress(range(len(body)), map(width.__gt__, lengths))
        }
        stops = sorted(look)
        stops.append(len(rows))
        regions, cells_out = self.regions, self.cells
        closed: int | None = None  # the row of a total below regions
        group_start = 0  # position in regions where the current group starts
        in_note = False
        pos = start
        for stop in stops:
            if pos < stop and closed is None:
                regions.extend(range(pos, stop))
                cells_out.extend(rows[pos:stop])
                if short:  # pad the regions with fewer cells than the header
                    first = len(cells_out) - (stop - pos)
                    for r in short.intersection(range(pos, stop)):
                        cells_out[first + r - pos] = self.fit(r, rows[r])
                in_note = False
                pos = stop
            for r in range(pos, min(stop + 1, len(rows))):
                in_note, closed, group_start = self.one(r, in_note, closed, group_start)
            pos = stop + 1

    def one(
        self, r: int, in_note: bool, closed: int | None, group_start: int
    ) -> tuple[bool, int | None, int]:
        """Classify row ``r``; the state after it (in a note, the closing total's row, the
        start of the current group)."""
        regions, cells_out = self.regions, self.cells
        cells = self.grid.rows[r]
        ii = self.id_index
        kind, label = self.kind_of(cells, in_note)
        if kind == "blank":
            return in_note, closed, group_start
        in_note = kind == "note"
        if kind == "note":
            text = tr("data.note_dropped", row=str(self.grid.numbers[r]), label=label)
            self.notices.append((r, tr("data.notice", source=self.grid.source, text=text)))
        elif kind == "heading":
            text = tr("data.heading_dropped", row=str(self.grid.numbers[r]), label=label)
            self.notices.append((r, tr("data.notice", source=self.grid.source, text=text)))
        elif kind == "total":
            if regions:
                self.totals.append(_Total(r, str(label), 0, len(regions)))
                closed = r if closed is None else closed
            else:
                self.totals.append(_Total(r, str(label), 0, -1))
            group_start = len(regions)
        elif kind == "subtotal":
            if closed is not None or group_start == len(regions):
                self.problems.append(
                    Problem(
                        self.where(r),
                        tr("data.subtotal_without_regions"),
                        found=repr(label),
                        hint=tr("data.hint_subtotal"),
                    )
                )
            else:
                self.totals.append(_Total(r, str(label), group_start, len(regions)))
            group_start = len(regions)
        elif kind == "region":
            if closed is not None:
                self.problems.append(
                    Problem(
                        self.where(r, ii),
                        tr(
                            "data.expected_no_region_below_total",
                            row=str(self.grid.numbers[closed]),
                        ),
                        found=tr("data.found_region", id=clean_text(cells[ii])),
                        hint=tr("data.hint_move_total"),
                    )
                )
                return False, closed, group_start
            regions.append(r)
            cells_out.append(self.fit(r, cells))
        else:  # an error: kind is the message
            assert isinstance(kind, Message)
            self.problems.append(
                Problem(self.where(r, ii if kind.key in _ID_ERRORS else None), kind, found=label)
            )
        return in_note, closed, group_start

    def fit(self, r: int, cells: list[Any]) -> list[Any]:
        """A region's cells exactly as wide as the header; values past it are an error."""
        width = len(self.names)
        extra = next((j for j in range(width, len(cells)) if _filled(cells[j])), None)
        if extra is None and r in self.grid.past:
            extra = self.grid.past[r] - 1
        if extra is not None:
            self.problems.append(
                Problem(
                    self.where(r),
                    tr("data.expected_cells_like_header", count=width),
                    found=tr(
                        "data.found_cells_past",
                        count=max(len(cells), extra + 1),
                        letter=column_letter(extra + 1),
                    ),
                )
            )
        if len(cells) >= width:
            return cells[:width] if len(cells) > width else cells
        return cells + [None] * (width - len(cells))

    def kind_of(self, cells: list[Any], in_note: bool) -> tuple[str | Message, Text]:
        """What a row is (see the module's rules), and the text that says so; for a row
        that is an error, the message."""
        filled = [(j, c) for j, c in enumerate(cells) if _filled(c)]
        if not filled:
            return "blank", ""
        ii = self.id_index
        id_cell = cells[ii] if len(cells) > ii else None
        text_cells = [(j, c) for j, c in filled if isinstance(c, str)]
        label = clean_text(id_cell) if _filled(id_cell) else ""
        key = text_key(label)
        if not label and text_cells:
            # the id cell empty (序号 and 地区 merged): the total word may be in any text cell
            label = clean_text(text_cells[0][1])
            key = text_key(label)
            word = next((w for _, c in text_cells for w in _WORDS if w in text_key(c)), None)
            if word is not None:
                key = word
        first_j, first = filled[0]
        first_text = clean_text(first) if isinstance(first, str) else ""
        if first_text and _NOTE.match(text_key(first_text)):
            others = [c for j, c in filled if j != first_j]
            if any(not isinstance(to_number(c), NotANumber) for c in others):
                return tr("data.expected_no_numbers_in_note"), repr(first_text)
            return "note", " ".join(clean_text(c) for _, c in filled)
        if any(word in key for word in _TOTALS):
            return "total", next(w for w in _TOTALS if w in key)
        if key in _WHOLE_AREA:
            return "total", key
        if any(word in key for word in _SUBTOTALS):
            return "subtotal", label
        if (
            in_note
            and len(filled) == 1
            and first_text
            and (first_j != self.id_index or _PROSE.search(first_text) or len(first_text) > 12)
        ):
            # a note's next line; but a short name alone in the id column is a region (its
            # missing numbers are reported), never swallowed by the note above it
            return "note", first_text
        if len(filled) == 1 and (
            isinstance(first, datetime.date)
            or (first_text and _DATE.fullmatch(text_key(first_text)))
        ):
            return "note", first_text or str(first)
        if key.startswith(_OF_WHICH):
            return tr("data.of_which_row"), repr(label)
        if _HEADING.match(key):
            if len(filled) == 1:
                return "heading", label
            return tr("data.heading_with_values"), repr(label)
        if not _filled(id_cell):
            return tr("data.expected_id"), tr("data.found_empty")
        return "region", label

    # ------------------------------------------------------------------ totals
    def check_totals(self, keep: list[int], by_position: list[npt.NDArray[Any]]) -> None:
        numbers = self.numbers
        region_rows = self.regions
        for total in self.totals:
            stop = len(region_rows) if total.stop < 0 else total.stop
            cells = self.fit(total.index, list(self.grid.rows[total.index]))
            checked: list[str] = []
            unchecked: list[Message] = []
            row_kind = tr(
                "data.kind_total" if total.label in _TOTAL_LABELS else "data.kind_subtotal"
            )
            for j in keep:
                name = self.names[j]
                if name in self.attributes or not _filled(cells[j]):
                    continue
                if isinstance(cells[j], str) and any(w in text_key(cells[j]) for w in _WORDS):
                    continue  # the label (合计 in a column other than the id's)
                if j not in numbers:
                    converted, positions = parse_numbers(by_position[j].tolist())
                    numbers[j] = (converted, positions.tolist())
                values, bad = numbers[j]
                value = to_number(cells[j])
                if isinstance(value, NotANumber):
                    what = cells[j].found if isinstance(cells[j], NoValue) else value.found
                    unchecked.append(
                        tr("data.unchecked_total_cell", name=name, what=what, row_kind=row_kind)
                    )
                    continue
                inside = bad[bisect.bisect_left(bad, total.first) : bisect.bisect_left(bad, stop)]
                if inside:
                    row = self.grid.numbers[region_rows[inside[0]]]
                    unchecked.append(tr("data.unchecked_region_cell", name=name, row=str(row)))
                    continue
                column_sum = math.fsum(values[total.first : stop].tolist())
                decimals = _decimals(cells[j]) if isinstance(cells[j], str) else 0
                slack = max(
                    1e-9 * abs(column_sum),
                    0.5 * 10.0**-decimals if isinstance(cells[j], str) else 1e-6,
                )
                if abs(column_sum - value) > slack:
                    if any(w in name for w in _RATE_WORDS) and _within_range(
                        values[total.first : stop], value
                    ):
                        unchecked.append(
                            tr(
                                "data.unchecked_rate",
                                name=name,
                                row_kind=row_kind,
                                value=f"{value:,.10g}",
                            )
                        )
                        continue
                    what = (
                        tr("data.total_mismatch", sum=f"{column_sum:,.10g}")
                        if total.label in _TOTAL_LABELS
                        else tr(
                            "data.subtotal_mismatch",
                            span=self.span(total.first, stop),
                            sum=f"{column_sum:,.10g}",
                        )
                    )
                    self.problems.append(
                        Problem(
                            self.where(total.index, j),
                            what,
                            found=tr(
                                "data.found_in_total_row",
                                value=f"{value:,.10g}",
                                row_kind=row_kind,
                            ),
                            hint=tr("data.hint_fix_total", row_kind=row_kind),
                        )
                    )
                    continue
                checked.append(name)
            self.notices.append((total.index, self.total_notice(total, stop, checked, unchecked)))

    def span(self, first: int, stop: int) -> Message:
        numbers, regions = self.grid.numbers, self.regions
        return tr(
            "data.span", first=str(numbers[regions[first]]), last=str(numbers[regions[stop - 1]])
        )

    def total_notice(
        self, total: _Total, stop: int, checked: list[str], unchecked: list[Message]
    ) -> Message:
        number = str(self.grid.numbers[total.index])
        names = [repr(name) for name in checked]
        row: Message
        sums: Message
        if total.label in _TOTAL_LABELS:
            row = tr("data.total_row", label=total.label, row=number)
            sums = tr("data.sums_of_columns") if not unchecked else tr("data.sums_of", names=names)
            if total.stop < 0 and stop:
                sums = tr("data.sums_below", sums=sums, span=self.span(0, stop))
        else:
            row = tr("data.subtotal_row", label=total.label, row=number)
            span = self.span(total.first, stop)
            sums = (
                tr("data.sums_of_group", span=span)
                if not unchecked
                else tr("data.sums_of_over_group", names=names, span=span)
            )
        text: Message
        if not checked:
            if not unchecked:
                text = tr("data.total_no_numbers", row=row)
            else:
                text = tr("data.total_unchecked", row=row, unchecked=_then(unchecked))
        elif unchecked:
            text = tr("data.total_matches_partly", row=row, sums=sums, unchecked=unchecked)
        else:
            text = tr("data.total_matches", row=row, sums=sums)
        return tr("data.notice", source=self.grid.source, text=text)

    # ------------------------------------------------------------------ table
    def table(self) -> RegionTable:
        self.classify()
        keep = self.check_header()
        if self.grid.hidden:
            numbers = self.grid.numbers
            self.problems += [
                Problem(
                    _row_place(self.grid.source, numbers[r]),
                    tr("data.expected_no_hidden_region"),
                    found=tr(
                        "data.found_hidden_region", id=clean_text(self.grid.rows[r][self.id_index])
                    ),
                    hint=tr("data.hint_hidden"),
                )
                for r in self.regions
                if numbers[r] in self.grid.hidden
            ]
        if self.problems:
            raise DataError(self.problems)
        if not self.regions:
            raise DataError(
                Problem(
                    self.grid.source,
                    tr("data.expected_regions"),
                    found=tr("data.found_only_header"),
                )
            )
        # one 2-D object array (every region row is exactly as wide as the header): its
        # columns are views, made in C three times as fast as transposing the lists
        cells = np.empty((len(self.cells), len(self.names)), dtype=object)
        cells[...] = self.cells
        self.cells = []
        by_position = [cells[:, j] for j in range(len(self.names))]
        self.check_totals(keep, by_position)
        if self.problems:
            raise DataError(self.problems)
        columns = {self.names[j]: by_position[j] for j in keep}
        places = {self.names[j]: column_letter(j + 1) for j in keep} if self.grid.letters else None
        numbers = self.grid.numbers
        table = RegionTable(
            columns,
            id=self.id,
            kind=self.kind,
            parent=self.parent,
            source=self.grid.source,
            rows=np.asarray(self.regions) + numbers.start  # a CSV file: rows from 1
            if isinstance(numbers, range) and numbers.step == 1
            else [numbers[r] for r in self.regions],
            places=places,
        )
        table.notices = tuple(text for _, text in sorted(self.notices, key=lambda n: n[0]))
        for j, (values, bad) in self.numbers.items():
            if not bad:  # read once for the totals: the table need not read them again
                table._known_numbers(self.names[j], values)
        return table
