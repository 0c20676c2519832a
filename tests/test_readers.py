"""The reader layer (fundalloc.io.tables, csvfile, xlsxfile, layout) on files made the way
bureaus make them: titles, unit rows, two-row merged headers, 合计 and 小计 rows, notes,
signatures, GB18030, and spoiled versions of each."""

from __future__ import annotations

import datetime
import re
import sys
import time
import unicodedata
import zipfile
from pathlib import Path

import pytest

import fundalloc as fa
from fundalloc.table import _INVISIBLE, _MAYBE_INVISIBLE, NoValue

openpyxl = pytest.importorskip("openpyxl")


def shown(notices: tuple[object, ...]) -> list[str]:
    """Notices as the user reads them (in the tests' language, English)."""
    return [str(notice) for notice in notices]


def write_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list[object]], merged: tuple[str, ...] = ()) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "测算表"
    for row in rows:
        sheet.append(row)
    for ref in merged:
        sheet.merge_cells(ref)
    book.save(path)
    return path


@pytest.fixture(params=["openpyxl", "calamine"])
def engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every XLSX test runs with both engines (calamine when installed)."""
    if request.param == "calamine":
        pytest.importorskip("python_calamine")
    from fundalloc.io import tables, xlsxfile

    def forced(path: str, sheet: str | int | None = None, *, engine: str = "auto") -> object:
        return xlsxfile.xlsx_grid(path, sheet, engine=request.param)

    monkeypatch.setattr(tables, "xlsx_grid", forced)
    return str(request.param)


def problems(err: pytest.ExceptionInfo[fa.DataError]) -> list[str]:
    return [str(p) for p in err.value.problems]


# ---------------------------------------------------------------- regressions (issue 16)
def test_an_unterminated_quote_is_an_error_not_the_rest_of_the_file(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "d.csv", '地区,贫困人口,备注\n甲市,500,"见附件\n乙市,300,\n丙市,200,\n'
    )
    with pytest.raises(fa.DataError) as err:
        fa.read_table(path, id="地区")
    assert problems(err) == [
        f"{path}, row 2, column C: expected a closing quote for the quoted cell; "
        "found '\"见附件' and no closing quote up to the end of the file "
        "(hint: close the quote, or remove the opening one)"
    ]


def test_text_after_a_closing_quote_is_an_error(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "d.csv", '地区,x\n甲,1\n"乙"市,2\n丙,3\n')
    with pytest.raises(fa.DataError, match=r"row 3, column A: expected a comma or the end"):
        fa.read_table(path, id="地区")


def test_a_quoted_line_break_is_still_one_row(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "d.csv", 'id,note,x\na,"two\nlines",1\nb,"x\r\ny","oops"\n')
    with pytest.raises(fa.DataError, match=r"d\.csv, row 3, column 'x': expected a number"):
        fa.read_table(path, id="id").numeric("x")


def test_xlsx_rows_below_a_stale_dimension_are_read(tmp_path: Path, engine: str) -> None:
    path = write_xlsx(
        tmp_path / "d.xlsx",
        [
            ["地区", "x", "y", "z"],
            ["甲", 1, 1, 1],
            ["乙", 2, 2, 2],
            ["丙", 3, 3, 3],
            ["丁", 4, 4, 4],
        ],
    )
    _rewrite(
        path,
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(b'<dimension ref="A1:D5"/>', b'<dimension ref="A1:D3"/>'),
    )
    table = fa.read_table(path, id="地区")
    assert table.ids == ("甲", "乙", "丙", "丁") and table.numeric("x").tolist() == [1, 2, 3, 4]


def test_a_huge_declared_dimension_costs_only_the_cells_that_exist(
    tmp_path: Path, engine: str
) -> None:
    path = write_xlsx(tmp_path / "d.xlsx", [["地区", "x"], ["甲", 1]])
    _rewrite(
        path,
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(b'<dimension ref="A1:B2"/>', b'<dimension ref="A1:XFD1048576"/>'),
    )
    start = time.perf_counter()
    assert fa.read_table(path, id="地区").ids == ("甲",)
    assert time.perf_counter() - start < 5


def _rewrite(path: Path, part: str, change) -> None:  # type: ignore[no-untyped-def]
    with zipfile.ZipFile(path) as archive:
        parts = {i.filename: archive.read(i) for i in archive.infolist()}
    # openpyxl writes empty elements as <x /> with its own writer and <x/> with lxml
    parts[part] = re.sub(rb"\s+/>", b"/>", parts[part])
    changed = change(parts[part])
    assert changed != parts[part], "the damage did not apply"
    parts[part] = changed
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda xml: xml[: len(xml) // 2], id="truncated sheet XML"),
        pytest.param(
            lambda xml: re.sub(  # 甲 (lxml writes it as &#30002;)
                rb'<c r="A2" t="inlineStr"><is><t>[^<]*</t></is>', b'<c r="A2" t="s"><v>9</v>', xml
            ),
            id="shared string out of range",
        ),
        pytest.param(lambda xml: xml.replace(b'<row r="2"', b'<row r="x"'), id="bad row"),
        pytest.param(lambda xml: xml.replace(b'r="A2"', b'r="2A"'), id="bad cell ref"),
        pytest.param(lambda xml: xml.replace(b"<v>1</v>", b"<v>1<v>"), id="bad nesting"),
    ],
)
def test_a_damaged_workbook_is_a_data_error(tmp_path: Path, damage, engine: str) -> None:  # type: ignore[no-untyped-def]
    path = write_xlsx(tmp_path / "d.xlsx", [["地区", "x"], ["甲", 1], ["乙", 2]])
    _rewrite(path, "xl/worksheets/sheet1.xml", damage)
    with pytest.raises(fa.DataError) as err:
        fa.read_table(path, id="地区").numeric("x")
    text = str(err.value)
    assert "not a readable XLSX workbook" in text or "expected" in text, text
    if "not a readable" in text:
        assert "open it in Excel and save it again as .xlsx" in text


def test_a_damaged_workbook_part_is_a_data_error(tmp_path: Path, engine: str) -> None:
    path = write_xlsx(tmp_path / "d.xlsx", [["地区", "x"], ["甲", 1]])
    _rewrite(path, "xl/workbook.xml", lambda xml: xml[:40])
    with pytest.raises(fa.DataError, match="not a readable XLSX workbook"):
        fa.read_table(path, id="地区")
    path.write_bytes(path.read_bytes()[:300])
    with pytest.raises(fa.DataError, match="not a readable XLSX workbook"):
        fa.read_table(path, id="地区")


def test_a_workbook_declaring_a_giant_part_is_refused_before_reading(tmp_path: Path) -> None:
    from fundalloc.io import xlsxfile

    path = write_xlsx(tmp_path / "d.xlsx", [["地区", "x"], ["甲", 1]])
    size = max(i.file_size for i in zipfile.ZipFile(path).infolist())
    old = xlsxfile.MAX_PART_BYTES
    xlsxfile.MAX_PART_BYTES = size - 1
    try:
        with pytest.raises(fa.DataError, match="expected parts of at most"):
            fa.read_table(path, id="地区")
    finally:
        xlsxfile.MAX_PART_BYTES = old


def _wide(path: Path, columns: int) -> float:
    """Seconds to read a 4-row file ``columns`` wide (the best of three)."""
    header = ",".join(f"c{j}" for j in range(columns))
    row = "甲" + ",1" * columns + "\n"
    write_csv(path, f"地区,{header}\n{row}{row.replace('甲', '乙')}{row.replace('甲', '丙')}")
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        table = fa.read_table(path, id="地区")
        best = min(best, time.perf_counter() - start)
    assert len(table.columns) == columns
    return best


def test_the_header_duplicate_check_is_linear(tmp_path: Path) -> None:
    """80 000 columns took 81 s (header.count per column); 40 000 is timed against 4 000 so that a
    loaded machine does not fail it: linear is 10 times slower, quadratic 100 times."""
    small, large = _wide(tmp_path / "s.csv", 4_000), _wide(tmp_path / "l.csv", 40_000)
    assert large < 30 * small + 0.5, (small, large)
    header = ",".join(f"c{j}" for j in range(80_000))
    path = write_csv(tmp_path / "d.csv", "地区," + header + ",c7\n甲" + ",1" * 80_001 + "\n")
    with pytest.raises(fa.DataError, match=r"found 'c7' more than once \(columns I, DNHZ\)"):
        fa.read_table(path, id="地区")


# ---------------------------------------------------------------- what bureaus keep
BUREAU = [
    ["2018年少数民族发展资金分配测算表"],
    ["单位：人、万元"],
    ["序号", "地区", "人口情况", None, "等次"],
    [None, None, "贫困人口", "农村人口", None],
    [1, "甲市", 500, 10000, "A"],
    [2, "乙市", 300, 8000, "B"],
    [None, "一片区小计", 800, 18000, None],
    [3, "丙市", 120, 9000, "B"],
    [4, "丁市", 80, 5000, "A"],
    [None, "二片区小计", 200, 14000, None],
    ["合  计", None, 1000, 32000, None],
    ["注：贫困人口为2017年底建档立卡数。"],
    ["数据来源：省扶贫办"],
    ["制表人：张三", None, None, "审核人：李四"],
]
MERGED = ("A1:E1", "A3:A4", "B3:B4", "C3:D3", "E3:E4", "A11:B11")
NOTICES = [
    "the 小计 row '一片区小计' (row 7) matches the sums of its group (rows 5 to 6) and was "
    "dropped; not checked: nothing",
]


def _expected_notices(source: str) -> list[str]:
    return [
        f"{source}: the 小计 row '一片区小计' (row 7) matches the sums of its group "
        "(rows 5 to 6) and was dropped",
        f"{source}: the 小计 row '二片区小计' (row 10) matches the sums of its group "
        "(rows 8 to 9) and was dropped",
        f"{source}: the 合计 row (row 11) matches the column sums and was dropped",
        f"{source}: row 12 is a note and was dropped: 注：贫困人口为2017年底建档立卡数。",
        f"{source}: row 13 is a note and was dropped: 数据来源：省扶贫办",
        f"{source}: row 14 is a note and was dropped: 制表人：张三 审核人：李四",
    ]


def _csv_text(rows: list[list[object]]) -> str:
    return "".join(",".join("" if c is None else str(c) for c in row) + "\n" for row in rows)


NEEDED = ["贫困人口", "农村人口", "等次"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_a_bureau_csv(tmp_path: Path, encoding: str) -> None:
    path = write_csv(tmp_path / "d.csv", _csv_text(BUREAU), encoding)
    table = fa.read_table(path, id="地区", columns=NEEDED)
    assert table.ids == ("甲市", "乙市", "丙市", "丁市")
    assert table.columns == ("贫困人口", "农村人口", "等次")  # 序号 dropped
    assert table.numeric("贫困人口").tolist() == [500, 300, 120, 80]
    assert [table.row_number(i) for i in range(4)] == [5, 6, 8, 9]
    assert shown(table.notices) == _expected_notices(str(path))


def test_a_bureau_xlsx_with_merged_title_and_two_row_header(tmp_path: Path, engine: str) -> None:
    path = write_xlsx(tmp_path / "d.xlsx", BUREAU, MERGED)
    table = fa.read_table(path, id="地区", columns=NEEDED)
    assert table.ids == ("甲市", "乙市", "丙市", "丁市")
    assert table.columns == ("贫困人口", "农村人口", "等次")
    assert table.numeric("农村人口").tolist() == [10000, 8000, 9000, 5000]
    assert shown(table.notices) == _expected_notices(f"{path} [测算表]")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_subtotal_that_does_not_match_names_row_column_and_numbers(
    tmp_path: Path, fmt: str, engine: str
) -> None:
    rows = [list(r) for r in BUREAU]
    rows[9] = [None, "二片区小计", 210, 14000, None]
    rows[10] = ["合  计", None, 1010, 32000, None]
    path = _write(tmp_path, fmt, rows)
    with pytest.raises(fa.DataError) as err:
        fa.read_table(path, id="地区", columns=NEEDED)
    cell = " (cell C10)" if fmt == "xlsx" else ""
    assert problems(err) == [
        f"{_source(path)}, row 10, column '贫困人口'{cell}: the 小计 row does not match its group "
        "(rows 8 to 9): the regions add up to 200; found 210 in the 小计 row "
        "(hint: correct the data or the 小计 row)",
        f"{_source(path)}, row 11, column '贫困人口'{cell.replace('10', '11')}: the total row "
        "does not match the column: the regions add up to 1,000; found 1,010 in the total row "
        "(hint: correct the data or the total row)",
    ]


def _write(
    tmp_path: Path, fmt: str, rows: list[list[object]], merged: tuple[str, ...] = ()
) -> Path:
    if fmt == "csv":
        return write_csv(tmp_path / "d.csv", _csv_text(rows))
    return write_xlsx(tmp_path / "d.xlsx", rows, merged)


def _source(path: Path) -> str:
    return f"{path} [测算表]" if path.suffix == ".xlsx" else str(path)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_region_after_the_total_row_is_an_error(tmp_path: Path, fmt: str, engine: str) -> None:
    rows = [["地区", "x"], ["甲", 1], ["乙", 2], ["合计", 3], ["丙", 4]]
    path = _write(tmp_path, fmt, rows)
    with pytest.raises(fa.DataError) as err:
        fa.read_table(path, id="地区")
    cell = " (cell A5)" if fmt == "xlsx" else ""
    assert problems(err) == [
        f"{_source(path)}, row 5, column '地区'{cell}: expected no region below the total row "
        "(row 4); found the region '丙' (hint: move the total row below the last region, or "
        "the region above it)"
    ]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_total_above_the_regions_is_checked_against_them(
    tmp_path: Path, fmt: str, engine: str
) -> None:
    rows = [["地区", "x"], ["全省总计", 3], ["甲", 1], ["乙", 2]]
    path = _write(tmp_path, fmt, rows)
    table = fa.read_table(path, id="地区")
    assert table.ids == ("甲", "乙")
    assert tuple(shown(table.notices)) == (
        f"{_source(path)}: the 总计 row (row 2) matches the column sums of the regions below "
        "it (rows 3 to 4) and was dropped",
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_notice_names_the_columns_it_did_not_check(tmp_path: Path, fmt: str, engine: str) -> None:
    rows = [
        ["地区", "x", "类型", "备注"],
        ["甲", 1, "市", ""],
        ["乙", 2, "县", "x"],
        ["合计", 3, "—", "2个"],
    ]
    path = _write(tmp_path, fmt, rows)
    table = fa.read_table(path, id="地区")
    assert tuple(shown(table.notices)) == (
        f"{_source(path)}: the 合计 row (row 4) matches the sums of 'x' and was dropped; "
        "not checked: '类型' ('—' in the total row), '备注' (the text '2个' in the total row)",
    )


def test_a_formula_without_a_saved_result_is_never_claimed_checked(
    tmp_path: Path, engine: str
) -> None:
    rows = [["地区", "x", "y"], ["甲", 1, 5], ["乙", 2, 6], ["合计", "=SUM(B2:B3)", 11]]
    path = write_xlsx(tmp_path / "d.xlsx", rows)  # openpyxl saves formulas without results
    table = fa.read_table(path, id="地区")
    assert tuple(shown(table.notices)) == (
        f"{path} [测算表]: the 合计 row (row 4) matches the sums of 'y' and was dropped; "
        "not checked: 'x' (the formula =SUM(B2:B3) with no saved result in the total row)",
    )


@pytest.mark.parametrize(
    ("value", "found"),
    [
        ("=B2*2", "the formula =B2*2 with no saved result"),
        ("#DIV/0!", "the spreadsheet error #DIV/0!"),
        ("#N/A", "the spreadsheet error #N/A"),
        (datetime.date(2018, 1, 5), "the date 2018-01-05"),
        (datetime.time(12, 30), "the time 12:30:00"),
        (True, "the boolean True"),
        ("1_000", "the text '1_000'"),
    ],
)
def test_cells_that_are_not_numbers_name_the_cell(
    tmp_path: Path, value: object, found: str, engine: str
) -> None:
    path = write_xlsx(
        tmp_path / "d.xlsx",
        [["标题"], ["地区", "x", "备注"], ["甲", 1, value], ["乙", value, None]],
    )
    table = fa.read_table(path, id="地区")  # 备注 holds it too, and is never used
    with pytest.raises(fa.DataError) as err:
        table.numeric("x")
    assert problems(err) == [
        f"{path} [测算表], row 4, column 'x' (cell B4): expected a number; found {found}"
    ]


def test_numbers_as_text_with_separators_and_full_width_digits(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "d.csv", '地区,x\n甲,"1,234"\n乙,１２，３４５．５\n丙,－7\n丁,١٢\n')
    table = fa.read_table(path, id="地区")
    with pytest.raises(
        fa.DataError, match=r"row 5, column 'x': expected a number; found the text '١٢'"
    ):
        table.numeric("x")
    assert table.take([0, 1, 2]).numeric("x").tolist() == [1234, 12345.5, -7]


# ---------------------------------------------------------------- ids and headers
@pytest.mark.parametrize(
    "twin",
    ["甲市\u200b", " 甲市", "甲市\u00a0", "\ufeff甲市", "甲\u00ad市", "甲　市", "甲市\u2060"],
)
def test_look_alike_ids_are_duplicates(tmp_path: Path, twin: str) -> None:
    path = write_csv(tmp_path / "d.csv", f"地区,x\n甲市,1\n乙市,2\n{twin},3\n")
    with pytest.raises(fa.DataError) as err:
        fa.read_table(path, id="地区")
    (problem,) = err.value.problems
    assert str(problem.where) == f"{path}, row 4, column '地区'"
    assert str(problem.found) == "it is also in row 2"


def test_ids_are_kept_as_written_without_invisible_characters(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "d.csv", "地区,x\n\u200b甲市 ,1\nＡ区,2\n")
    assert fa.read_table(path, id="地区").ids == ("甲市", "Ａ区")  # full-width kept


def test_a_control_character_in_an_id_names_the_cell(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "d.csv", "地区,x\n甲\x07市,1\n乙,2\n")
    with pytest.raises(fa.DataError) as err:
        fa.read_table(path, id="地区")
    assert problems(err) == [
        f"{path}, row 2, column '地区': expected a region id without control characters; "
        "found '甲\\x07市' (U+0007)"
    ]


def test_look_alike_headers_are_duplicates_and_match_the_scheme(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "d.csv", "地区,贫困人口\u200b,贫困 人口\n甲,1,2\n")
    with pytest.raises(fa.DataError, match=r"found '贫困人口' more than once \(columns B, C\)"):
        fa.read_table(path, id="地区")
    path.write_text("\u200b地区 ,贫困人口（人）\n甲,1\n", encoding="utf-8")
    table = fa.read_table(path, id="地区", columns=["贫困人口(人)"])
    assert table.columns == ("贫困人口(人)",) and table.numeric("贫困人口(人)").tolist() == [1]


def test_the_invisible_characters_are_every_format_character() -> None:
    every = [chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf"]
    assert all(_INVISIBLE.fullmatch(c) and _MAYBE_INVISIBLE.fullmatch(c) for c in every)


# ---------------------------------------------------------------- the header
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_missing_header_says_what_was_seen_where(tmp_path: Path, fmt: str, engine: str) -> None:
    rows = [["测算表"], ["地区", "贫困人囗", "等次"], ["甲", 1, "A"]]
    path = _write(tmp_path, fmt, rows)
    with pytest.raises(fa.DataError) as err:
        fa.read_table(path, id="地区", columns=["贫困人口", "等次", "面积"])
    assert problems(err) == [
        f"{_source(path)}: no column '贫困人口'; found row 2 holds '地区', '等次' of the needed "
        "columns (hint: did you mean '贫困人囗'?)",
        f"{_source(path)}: no column '面积'; found row 2 holds '地区', '等次' of the needed "
        "columns (hint: check the column names against the scheme)",
    ]


def test_rows_that_are_neither_regions_nor_totals_nor_notes_are_errors(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "d.csv",
        "地区,x,y\n甲,1,2\n,3,4\n其中：开发区,1,1\n注：见附件,5,\n一、县,1,\n乙,1,1\n",
    )
    with pytest.raises(fa.DataError) as err:
        fa.read_table(path, id="地区")
    assert problems(err) == [
        f"{path}, row 3, column '地区': expected a region id; found an empty cell",
        f"{path}, row 4: expected a region, a total or a note; a 其中 (of which) row breaks "
        "down the row above and is not a region; found '其中：开发区'",
        f"{path}, row 5: expected no numbers in a note row; found '注：见附件'",
        f"{path}, row 6, column '地区': expected a region id, not a group heading, in a row "
        "with values; found '一、县'",
    ]


def test_group_headings_and_blank_rows_are_dropped(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "d.csv", "地区,x\n一、地级市,\n甲,1\n,\n（二）省直管县,\n乙,2\n")
    table = fa.read_table(path, id="地区")
    assert table.ids == ("甲", "乙")
    assert tuple(shown(table.notices)) == (
        f"{path}: row 2 is a group heading and was dropped: 一、地级市",
        f"{path}: row 5 is a group heading and was dropped: （二）省直管县",
    )


def test_the_cli_reads_a_bureau_workbook(tmp_path: Path, engine: str) -> None:
    """The same allocation from the bureau's XLSX and from a plain CSV of its regions."""
    plain = write_csv(
        tmp_path / "plain.csv",
        "地区,贫困人口,农村人口,等次\n甲市,500,10000,A\n"
        "乙市,300,8000,B\n丙市,120,9000,B\n丁市,80,5000,A\n",
    )
    bureau = write_xlsx(tmp_path / "d.xlsx", BUREAU, MERGED)
    scheme = fa.Scheme(
        total=1000,
        tranches=[
            fa.Tranche(
                name="t",
                share=1,
                factors=[fa.Factor(name="p", rule=fa.Share(column="贫困人口"), weight=1)],
            )
        ],
    )
    a = fa.allocate(fa.read_table(plain, id="地区"), scheme)
    b = fa.allocate(fa.read_table(bureau, id="地区", columns=NEEDED), scheme)
    assert a.amounts == b.amounts


def test_both_engines_give_the_same_grid(tmp_path: Path) -> None:
    """calamine reads the values; formulas without results and error values come from the
    sheet's XML, so the grid is openpyxl's, cell for cell."""
    pytest.importorskip("python_calamine")
    from fundalloc.io import xlsxfile

    rows = [list(r) for r in BUREAU]
    rows[4] = [1, "甲市", 500, "=SUM(1,2)", "#DIV/0!"]
    rows[5] = [2, "乙市", 300.25, datetime.datetime(2018, 1, 5), True]
    rows[7] = [3, "丙市", "1,200", datetime.time(12, 30), "#N/A"]
    path = write_xlsx(tmp_path / "d.xlsx", rows, MERGED)
    sheet = openpyxl.load_workbook(path)["测算表"]
    sheet["Z40"] = "far"
    sheet["C9"] = '=IF(A1<>"",1,2)'
    sheet.parent.save(path)
    fast = xlsxfile._read_calamine(str(path), None)
    careful = xlsxfile._read(str(path), None)
    assert fast is not None
    trim = lambda grid: [  # noqa: E731
        (n, [repr(c) for c in row] + ["None"] * (30 - len(row)))
        for n, row in zip(grid.numbers, grid.rows, strict=True)
        if any(c is not None for c in row)
    ]
    assert trim(fast) == trim(careful)
    assert sorted(fast.merged) == sorted(careful.merged)
    assert isinstance(fast.rows[8][2], NoValue)
    assert str(fast.rows[8][2].found) == 'the formula =IF(A1<>"",1,2) with no saved result'


def test_calamine_hands_over_when_the_used_area_dwarfs_the_cells(tmp_path: Path) -> None:
    pytest.importorskip("python_calamine")
    from fundalloc.io import xlsxfile

    path = write_xlsx(tmp_path / "d.xlsx", [["地区", "x"], ["甲", 1]])
    sheet = openpyxl.load_workbook(path)["测算表"]
    sheet["XFD1048576"] = 1
    sheet.parent.save(path)
    assert xlsxfile._read_calamine(str(path), None) is None
    with pytest.raises(fa.DataError, match=r"row 1048576, column '地区' \(cell A1048576\): exp"):
        fa.read_table(path, id="地区")


def test_the_quick_scan_finds_every_row_that_may_not_be_a_region() -> None:
    from fundalloc.io.layout import _maybe_special

    texts = ["一、县", "甲", "全省合计", "", "（二）", "乙：", "丙", " 其中x", "一二"]
    assert sorted(_maybe_special(texts)) == [0, 2, 4, 5, 7]
    assert _maybe_special([]) == [] and _maybe_special(["甲", "乙"]) == []


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_two_row_header_is_found_without_the_scheme_columns(
    tmp_path: Path, fmt: str, engine: str
) -> None:
    path = _write(tmp_path, fmt, BUREAU, MERGED)
    table = fa.read_table(path, id="地区")
    assert table.columns == ("贫困人口", "农村人口", "等次")
    assert table.ids == ("甲市", "乙市", "丙市", "丁市")


def test_a_column_named_like_the_row_numbers_is_kept_when_asked_for(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "d.csv", "序号,地区,x\n1,甲,5\n2,乙,6\n")
    assert fa.read_table(path, id="地区").columns == ("x",)
    assert fa.read_table(path, id="地区", columns=["序号"]).columns == ("序号", "x")


def test_a_date_under_the_table_is_a_note(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "d.csv", "地区,x\n甲,1\n乙,2\n合计,3\n二〇一八年五月十日\n")
    assert str(fa.read_table(path, id="地区").notices[-1]) == (
        f"{path}: row 5 is a note and was dropped: 二〇一八年五月十日"
    )
    path.write_text("地区,x\n甲,1\n乙,2\n2018年5月\n", encoding="utf-8")  # no 合计 above it
    table = fa.read_table(path, id="地区")
    assert table.ids == ("甲", "乙")
    assert tuple(shown(table.notices)) == (f"{path}: row 4 is a note and was dropped: 2018年5月",)


def test_a_total_word_in_any_text_cell_of_a_row_without_id(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "d.csv", "序号,地区,x,备注\n1,甲,1,\n2,乙,2,\n,,3,全省合计\n")
    table = fa.read_table(path, id="地区")
    assert table.ids == ("甲", "乙")
    assert tuple(shown(table.notices)) == (
        f"{path}: the 合计 row (row 4) matches the column sums and was dropped",
    )


# ---------------------------------------------------------------- follow-ups (issue 10)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_rate_or_average_in_the_total_row_is_named_not_checked(
    tmp_path: Path, fmt: str, engine: str
) -> None:
    rows = [
        ["地区", "贫困人口", "贫困发生率"],
        ["甲", 100, 2.5],
        ["乙", 300, 4.1],
        ["丙", 200, 0],
        ["合计", 600, 3.2],
    ]
    path = _write(tmp_path, fmt, rows)
    table = fa.read_table(path, id="地区", columns=["贫困人口", "贫困发生率"])
    assert table.ids == ("甲", "乙", "丙")
    assert tuple(shown(table.notices)) == (
        f"{_source(path)}: the 合计 row (row 5) matches the sums of '贫困人口' and was dropped; "
        "not checked: '贫困发生率' (the total row holds 3.2, within the regions' range: a rate "
        "or average, not a sum)",
    )


@pytest.mark.parametrize(
    ("values", "total"),
    [
        ([2.5, 4.1, 0], 4.2),  # above the largest: a sum that is wrong
        ([2.5, 4.1, 0], -1),  # below the smallest
        ([0, 4.1, 0], 3.2),  # one positive value: the sum is that value
        ([-2.5, 4.1, 1], 3.2),  # a negative value: a sum can be anywhere
    ],
)
def test_a_total_outside_the_rate_rule_stays_a_mismatch(
    tmp_path: Path, values: list[float], total: float
) -> None:
    body = "".join(f"{r},{v}\n" for r, v in zip("甲乙丙", values, strict=True))
    path = write_csv(tmp_path / "d.csv", f"地区,率\n{body}合计,{total}\n")
    with pytest.raises(fa.DataError) as err:
        fa.read_table(path, id="地区", columns=["率"])
    assert problems(err)[0].startswith(
        f"{path}, row 5, column '率': the total row does not match the column"
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_percentage_as_text_is_read_as_its_fraction(
    tmp_path: Path, fmt: str, engine: str
) -> None:
    rows = [["地区", "率"], ["甲", "12.5%"], ["乙", "３．３％"], ["丙", " 100 %"], ["丁", "1,250%"]]
    if fmt == "csv":  # as Excel saves it: the cell with a comma quoted
        path = write_csv(
            tmp_path / "d.csv", '地区,率\n甲,12.5%\n乙,３．３％\n丙, 100 %\n丁,"1,250%"\n'
        )
    else:
        path = write_xlsx(tmp_path / "d.xlsx", rows)
    assert fa.read_table(path, id="地区").numeric("率").tolist() == [0.125, 0.033, 1.0, 12.5]


@pytest.mark.parametrize("text", ["%", "12.5%%", "%12.5", "1e2%", "inf%"])
def test_a_percent_sign_without_a_plain_number_is_text(tmp_path: Path, text: str) -> None:
    path = write_csv(tmp_path / "d.csv", f"地区,率\n甲,{text}\n")
    with pytest.raises(fa.DataError) as err:
        fa.read_table(path, id="地区").numeric("率")
    assert problems(err) == [
        f"{path}, row 2, column '率': expected a number; found the text {text!r}"
    ]


def test_a_merged_text_cell_in_the_body_fills_down(tmp_path: Path, engine: str) -> None:
    rows = [
        ["片区", "地区", "x"],
        ["一片区", "甲", 1],
        [None, "乙", 2],
        ["二片区", "丙", 3],
        [None, "丁", 4],
        [None, "合计", 10],
    ]
    path = write_xlsx(tmp_path / "d.xlsx", rows, ("A2:A3", "A4:A5"))
    table = fa.read_table(path, id="地区", parent="片区")
    assert table.parents == ("一片区", "一片区", "二片区", "二片区")
    assert table.numeric("x").tolist() == [1, 2, 3, 4]


def test_a_merged_number_over_several_regions_is_an_error(tmp_path: Path, engine: str) -> None:
    rows = [["地区", "x", "y"], ["甲", 1, 5], ["乙", None, 6], ["丙", 3, 7]]
    path = write_xlsx(tmp_path / "d.xlsx", rows, ("B2:B3",))
    with pytest.raises(fa.DataError) as err:
        fa.read_table(path, id="地区")
    assert problems(err) == [
        f"{path} [测算表], row 2, column 'x' (cell B2): expected a number in each region's own "
        "cell; found 1 in the merged cells B2:B3 over rows 2 to 3 (hint: a merged number "
        "cannot be split among regions: unmerge the cells and give each region its value)"
    ]


def test_a_percentage_total_is_checked_to_the_places_it_shows(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "d.csv", "地区,x\n甲,1.25%\n乙,2.5%\n合计,3.9%\n")
    with pytest.raises(fa.DataError) as err:  # 3.75% is 3.8% to one place, not 3.9%
        fa.read_table(path, id="地区")
    assert "the regions add up to 0.0375; found 0.039 in the total row" in problems(err)[0]
    path.write_text("地区,x\n甲,1.25%\n乙,2.5%\n合计,3.8%\n", encoding="utf-8")
    notice = fa.read_table(path, id="地区").notices[0]
    assert str(notice).endswith("matches the column sums and was dropped")


def test_reading_leaves_the_cycle_collector_as_it_found_it(tmp_path: Path) -> None:
    import gc

    good = write_csv(tmp_path / "good.csv", "地区,x\n甲,1\n")
    bad = write_csv(tmp_path / "bad.csv", "地区,x\n甲,1\n合计,2\n")
    assert gc.isenabled()
    fa.read_table(good, id="地区")
    with pytest.raises(fa.DataError):
        fa.read_table(bad, id="地区")
    assert gc.isenabled()
    gc.disable()
    try:
        fa.read_table(good, id="地区")
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_note_merged_over_several_rows_is_one_note(tmp_path: Path, engine: str) -> None:
    rows = [
        ["片区", "地区", "x"],
        ["一片区", "甲", 1],
        [None, "乙", 2],
        [None, "合计", 3],
        ["注：人口为年末数。"],
        [None],
    ]
    path = write_xlsx(tmp_path / "d.xlsx", rows, ("A2:A3", "A5:C6"))
    table = fa.read_table(path, id="地区", parent="片区")
    assert table.parents == ("一片区", "一片区")
    assert tuple(shown(table.notices[1:])) == (
        f"{path} [测算表]: row 5 is a note and was dropped: 注：人口为年末数。",
    )


@pytest.mark.parametrize(
    ("label", "at"),
    [("全省", "first"), ("共计", "last"), ("合計", "last"), ("總計", "last"), ("全市", "last")],
)
def test_other_words_for_the_whole_are_totals_not_regions(
    tmp_path: Path, label: str, at: str
) -> None:
    # a row named 全省 or 共计 taken as a region got 12% of the money with exit 0
    rows = "甲,1\n乙,2\n"
    text = f"地区,x\n{label},3\n{rows}" if at == "first" else f"地区,x\n{rows}{label},3\n"
    table = fa.read_table(write_csv(tmp_path / "d.csv", text), id="地区")
    assert table.ids == ("甲", "乙")
    assert f"the {label} row" in str(table.notices[0])


def test_a_county_whose_name_starts_like_a_whole_area_is_a_region(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "d.csv", "地区,x\n全州县,1\n全椒县,2\n合计,3\n")
    assert fa.read_table(path, id="地区").ids == ("全州县", "全椒县")


def test_the_rate_rule_needs_a_rate_like_column_name(tmp_path: Path) -> None:
    # a count column's wrong 小计 within its group's range is a mismatch, not a "rate"
    text = "地区,人口\n甲,1320\n乙,310\n一片区小计,1030\n丙,5\n合计,1635\n"
    with pytest.raises(fa.DataError) as err:
        fa.read_table(write_csv(tmp_path / "d.csv", text), id="地区")
    assert "the 小计 row does not match its group" in problems(err)[0]


def test_a_region_in_a_hidden_row_is_an_error_not_read_silently(
    tmp_path: Path, engine: str
) -> None:
    # hiding a row is how a clerk "removes" a region; it was read and given money with exit 0
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "测算表"
    for row in (["地区", "x"], ["甲", 1], ["乙", 2], ["莱芜市", 3], ["说明：隐藏行", None]):
        sheet.append(row)
    sheet.row_dimensions[4].hidden = True
    sheet.row_dimensions[5].hidden = True  # a hidden note stays a note
    book.save(tmp_path / "d.xlsx")
    with pytest.raises(fa.DataError) as err:
        fa.read_table(tmp_path / "d.xlsx", id="地区")
    assert problems(err) == [
        f"{tmp_path / 'd.xlsx'} [测算表], row 4: expected no region in a hidden row; found the "
        "region '莱芜市' in a row the workbook hides (hint: delete the row if the region takes "
        "no part, or unhide it)"
    ]


@pytest.mark.parametrize("name", ["万年县", "菏泽市"])
def test_a_region_after_a_note_is_not_swallowed_by_it(tmp_path: Path, name: str) -> None:
    # 万年县 (its 年 sent it down the careful path) was dropped as the note's next line
    text = f"地区,x\n甲,1\n乙,2\n注：下一地区数据待补\n{name}\n"
    table = fa.read_table(write_csv(tmp_path / "d.csv", text), id="地区", columns=["x"])
    assert table.ids == ("甲", "乙", name)
    with pytest.raises(fa.DataError, match="row 5, column 'x': expected a number; found an empty"):
        table.numeric("x")


def test_a_note_goes_on_over_a_line_of_prose(tmp_path: Path) -> None:
    text = "地区,x\n甲,1\n乙,2\n注：1.数据来源于统计年鉴；\n2.贫困人口为年末数。\n"
    table = fa.read_table(write_csv(tmp_path / "d.csv", text), id="地区", columns=["x"])
    assert table.ids == ("甲", "乙") and len(table.notices) == 2


def test_a_total_row_without_numbers_says_so_in_plain_words(tmp_path: Path) -> None:
    table = fa.read_table(write_csv(tmp_path / "d.csv", "地区,x\n甲,1\n乙,2\n合计,\n"), id="地区")
    assert tuple(shown(table.notices)) == (
        f"{tmp_path / 'd.csv'}: the 合计 row (row 4) holds no numbers to check and was dropped",
    )


# ---------------------------------------------------------------- messages in both languages
def test_layout_notices_and_errors_in_chinese_and_english(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "d.csv",
        "2018年测算表\n地区,人口,贫困发生率\n一、一片区\n甲,1,2.5\n乙,2,4.1\n合计,3,3.2\n注：人口为年末数\n",
    )
    table = fa.read_table(path, id="地区")
    assert [n.render("en") for n in table.notices] == [
        f"{path}: row 3 is a group heading and was dropped: 一、一片区",
        f"{path}: the 合计 row (row 6) matches the sums of '人口' and was dropped; not checked: "
        "'贫困发生率' (the total row holds 3.2, within the regions' range: a rate or average, "
        "not a sum)",
        f"{path}: row 7 is a note and was dropped: 注：人口为年末数",
    ]
    assert [n.render("zh") for n in table.notices] == [
        f"{path}：第 3 行是分组标题，已去掉：一、一片区",
        f"{path}：合计行（第 6 行）与'人口'之和相符，已去掉；未核对：“贫困发生率”（合计行为 3.2，"
        "在各地区数值的范围内：是比率或平均数，不是合计）",
        f"{path}：第 7 行是注释，已去掉：注：人口为年末数",
    ]
    path.write_text("地区,人口\n甲,1\n乙,2\n合计,4\n丙,1\n", encoding="utf-8")
    with pytest.raises(fa.DataError) as err:
        fa.read_table(path, id="地区")
    assert err.value.render("en").splitlines() == [
        f"{path}, row 5, column '地区': expected no region below the total row (row 4); found "
        "the region '丙' (hint: move the total row below the last region, or the region above it)"
    ]
    assert err.value.render("zh").splitlines() == [
        f"{path}，第 5 行“地区”列：合计行（第 4 行）下方不应再有地区；实际为 地区 '丙'"
        "（提示：把合计行移到最后一个地区下方，或把该地区移到合计行上方）"
    ]
    path.write_text("地区,人口\n甲,1\n乙,2\n合计,4\n", encoding="utf-8")
    with pytest.raises(fa.DataError) as err:
        fa.read_table(path, id="地区")
    assert err.value.render("zh") == (
        f"{path}，第 4 行“人口”列：合计行与该列不符：各地区之和为 3；实际为 合计行中的 4"
        "（提示：更正数据或合计行）"
    )
    with pytest.raises(fa.DataError) as err:
        fa.read_table(path, id="地区", columns=["人囗"])
    assert err.value.render("zh") == (
        f"{path}：没有“人囗”列；实际为 第 1 行有所需列中的 '地区'（提示：对照方案检查列名）"
    )


def test_file_messages_in_chinese_and_english(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "d.csv", '地区,x\n甲,"1\n')
    with pytest.raises(fa.DataError) as err:
        fa.read_table(path, id="地区")
    assert err.value.render("zh") == (
        f"{path}，第 2 行 B 列：带引号的单元格应有结束引号；"
        "实际为 '\"1'，直到文件末尾都没有结束引号（提示：补上结束引号，或删去开头的引号）"
    )
    path.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(fa.DataError) as err:
        fa.read_table(path, id="地区")
    assert err.value.render("en") == (
        f"{path}: expected text in UTF-8 or GB18030; found undecodable bytes "
        "(hint: save the file as CSV UTF-8 from Excel)"
    )
    assert err.value.render("zh") == (
        f"{path}：应为 UTF-8 或 GB18030 编码的文本；实际为 无法解码的字节"
        "（提示：在 Excel 中另存为 CSV UTF-8）"
    )
    book = write_xlsx(tmp_path / "d.xlsx", [["地区", "x"], ["甲", 1]])
    with pytest.raises(fa.DataError) as err:
        fa.read_table(book, id="地区", sheet="表二")
    assert err.value.render("en") == f"{book}: no sheet '表二'; found sheets '测算表'"
    assert err.value.render("zh") == f"{book}：没有工作表 '表二'；实际为 现有工作表 '测算表'"
    with pytest.raises(fa.DataError) as err:
        fa.read_table(tmp_path / "d.xls", id="地区")
    assert err.value.render("zh") == (
        f"{tmp_path / 'd.xls'}：应为 XLSX 或 CSV 文件；实际为 .xls 文件"
        "（提示：在 Excel 中另存为 XLSX 或 CSV UTF-8）"
    )
