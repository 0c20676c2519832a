"""Fuzzing the CSV and XLSX readers through ``fundalloc.read_table``."""

from __future__ import annotations

import datetime
import io
import random
import re
import zipfile
from pathlib import Path

import pytest
from hypothesis import strategies as st

import fundalloc
from fundalloc.errors import FundallocError
from tests.fuzz import mutate
from tests.fuzz.harness import check, fuzzer, memory_limit, time_budget
from tests.fuzz.targets import ID, READER_COLUMNS, _engines, read_data, scratch, seeds

CSV_SEEDS = seeds("csv", ".csv")
XLSX_SEEDS = seeds("xlsx", ".xlsx")

#: Cells as bureaus write them, and as they go wrong.
TEXT_CELLS = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "甲县",
            "乙县",
            "合计",
            "总计",
            "小计",
            "合 计",
            "一片区小计",
            "注：数据来源于统计年鉴",
            "制表人：张三  审核人：李四",
            "单位：万元",
            "序号",
            "1,234",
            "１２３",
            "1_000",
            "-0",
            "1e308",
            "1e309",
            "nan",
            "inf",
            "#DIV/0!",
            "=SUM(B2:B3)",
            '"',
            'a"b',
            "\u200b甲县",
            "甲县\u200b",
            "\x00",
            "2018-05-27",
        ]
    ),
    st.integers(-(10**20), 10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(max_size=12),
)


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    """A table: optional title rows, a header holding the needed columns (or not), rows of
    bureau-like cells, optional notes, in one of the encodings bureaus use."""
    extra = draw(
        st.lists(st.sampled_from(["序号", "备注", "类型", "地区", "贫困人口"]), max_size=2)
    )
    header = draw(st.permutations([ID, *READER_COLUMNS, *extra]))
    if draw(st.booleans()):
        header = header[: draw(st.integers(0, len(header)))]
    width = len(header)
    rows = draw(st.lists(st.lists(TEXT_CELLS, min_size=0, max_size=width + 2), max_size=12))
    titles = draw(st.lists(TEXT_CELLS.map(lambda c: [c]), max_size=3))
    lines = []
    for row in [*titles, header, *rows]:
        quote = draw(st.booleans())
        cells = [f'"{c}"' if quote and '"' not in c else c for c in row]
        lines.append(",".join(cells))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = newline.join(lines) + draw(st.sampled_from(["", newline]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]))
    return text.encode(encoding, "replace")


@fuzzer("csv_bytes", data=st.binary(max_size=2000))
def csv_bytes(data: bytes) -> None:
    """Any bytes as a CSV file."""
    read_data(data, ".csv")


@fuzzer("csv_mutated", seed=st.sampled_from(CSV_SEEDS), rnd=st.randoms(use_true_random=False))
def csv_mutated(seed: Path, rnd: random.Random) -> None:
    """A bureau CSV file with a few byte-level edits."""
    read_data(mutate.mutate_bytes(seed.read_bytes(), rnd), ".csv")


@fuzzer("csv_structured", data=csv_files())
def csv_structured(data: bytes) -> None:
    """A generated bureau table: titles, headers, 合计 and note rows, odd cells, encodings."""
    read_data(data, ".csv")


@fuzzer(
    "xlsx_mutated",
    cost=3,
    seed=st.sampled_from(XLSX_SEEDS),
    rnd=st.randoms(use_true_random=False),
)
def xlsx_mutated(seed: Path, rnd: random.Random) -> None:
    """A bureau workbook with one XML member mutated (truncated, an attribute dropped, a
    shared string out of range, a stale or huge dimension, odd references, …) and re-zipped."""
    read_data(mutate.mutate_xlsx(seed.read_bytes(), rnd), ".xlsx")


XLSX_CELLS = st.one_of(
    TEXT_CELLS,
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(
        [
            datetime.date(2018, 5, 27),
            datetime.datetime(1900, 1, 1, 12, 30),
            datetime.time(12, 30),
            datetime.timedelta(days=2),
            "=B2*2",
            "#DIV/0!",
            "#N/A",
        ]
    ),
)


@st.composite
def workbooks(draw: st.DrawFn) -> bytes:
    """A workbook written by openpyxl: titles, a header, odd cells (dates, formulas without
    cached values, error values, booleans), merged ranges."""
    import openpyxl
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    def cell(value: object) -> object:  # openpyxl cannot write control characters
        return ILLEGAL_CHARACTERS_RE.sub("?", value) if isinstance(value, str) else value

    book = openpyxl.Workbook()
    sheet = book.active
    for _ in range(draw(st.integers(0, 2))):
        sheet.append([cell(draw(TEXT_CELLS))])
    header = draw(st.permutations([ID, *READER_COLUMNS, "序号"]))
    sheet.append(header)
    for row in draw(st.lists(st.lists(XLSX_CELLS, max_size=6), max_size=10)):
        sheet.append([cell(c) for c in row])
    for _ in range(draw(st.integers(0, 2))):
        top, left = draw(st.integers(1, 6)), draw(st.integers(1, 4))
        bottom, right = top + draw(st.integers(0, 2)), left + draw(st.integers(0, 2))
        if (bottom, right) != (top, left):
            # overlapping merges are kept: a hand-edited file may hold them
            sheet.merge_cells(start_row=top, start_column=left, end_row=bottom, end_column=right)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@fuzzer("xlsx_structured", cost=3, data=workbooks())
def xlsx_structured(data: bytes) -> None:
    """A generated workbook with bureau-like and odd cells."""
    read_data(data, ".xlsx")


test_csv_bytes = csv_bytes.test()
test_csv_mutated = csv_mutated.test()
test_csv_structured = csv_structured.test()
test_xlsx_mutated = xlsx_mutated.test()
test_xlsx_structured = xlsx_structured.test()


# ------------------------------------------------------- what a workbook declares is not trusted
def _with_dimension(data: bytes, ref: str) -> bytes:
    """The workbook with every sheet's declared <dimension> replaced by ``ref``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename.startswith("xl/worksheets/"):
                text = content.decode()
                if "<dimension" in text:
                    text = re.sub(r'<dimension ref="[^"]*"', f'<dimension ref="{ref}"', text)
                else:
                    text = text.replace("<sheetData", f'<dimension ref="{ref}"/><sheetData', 1)
                content = text.encode()
            target.writestr(info, content)
    return out.getvalue()


def _outcome(data: bytes) -> tuple[str, object]:
    """What reading gives: the ids and every cell, or the error's messages."""
    try:
        with memory_limit(), time_budget():
            table = fundalloc.read_table(scratch(data, ".xlsx"), id=ID, columns=READER_COLUMNS)
    except FundallocError as error:
        return "error", [p.message for p in error.problems]
    return "table", (table.ids, {c: [repr(v) for v in table.raw(c)] for c in table.columns})


@pytest.mark.fuzz
@pytest.mark.parametrize("ref", ["A1:B2", "A1", "A1:XFD1048576"], ids=["stale", "one-cell", "huge"])
@pytest.mark.parametrize("seed", XLSX_SEEDS, ids=[p.stem for p in XLSX_SEEDS])
def test_xlsx_declared_dimension_changes_nothing(seed: Path, ref: str) -> None:
    """A sheet's declared extent is a hint: a stale one must not drop rows (issue 16: read-only
    openpyxl trusted it), and a huge one in a small file must cost no more than the cells that
    exist (bounded here by the harness's time and memory budget)."""
    data = seed.read_bytes()
    assert _outcome(_with_dimension(data, ref)) == _outcome(data)


# ------------------------------------------------------------- the two XLSX engines agree
def _engine_outcome(data: bytes, engine: str) -> tuple[str, object]:
    """What one engine reads: the ids and each column's numbers or problem places, or that it
    refused the file."""
    from fundalloc.io.tables import read_xlsx

    try:
        with memory_limit(), time_budget():
            table = read_xlsx(scratch(data, ".xlsx"), id=ID, columns=READER_COLUMNS, engine=engine)  # type: ignore[arg-type]
            columns = {}
            for c in table.columns:
                problems = table.check(c)
                columns[c] = [p.where for p in problems] or table.numeric(c).tolist()
    except FundallocError:
        return "error", None
    return "table", (table.ids, columns)


@fuzzer(
    "xlsx_engines_agree",
    cost=4,
    seed=st.sampled_from(XLSX_SEEDS),
    rnd=st.randoms(use_true_random=False),
    mutations=st.integers(0, 2),
)
def xlsx_engines_agree(seed: Path, rnd: random.Random, mutations: int) -> None:
    """python-calamine and openpyxl read a workbook to the same table ("both give the same
    table", fundalloc.io.tables.read_xlsx). A damaged workbook may be refused by one and read
    by the other (openpyxl needs [Content_Types].xml, calamine does not), but what both read
    is the same table, and both refuse a truncated sheet."""
    data = seed.read_bytes()
    for _ in range(mutations):
        data = mutate.mutate_xlsx(data, rnd)
    engines = _engines()
    if not engines:
        return

    def call() -> None:
        calamine, openpyxl = _engine_outcome(data, "calamine"), _engine_outcome(data, "openpyxl")
        if mutations == 0 or calamine[0] == openpyxl[0] == "table":
            assert calamine == openpyxl, "python-calamine and openpyxl read different tables"

    check("xlsx-engines", call, data, ".xlsx", isolate=True)


test_xlsx_engines_agree = xlsx_engines_agree.test()
