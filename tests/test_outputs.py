"""The outputs as a bureau publishes them: the same bytes for the same inputs, and a
workbook that prints as it is (title, unit, 合计, widths, percentages, numbers as numbers)."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pytest

import fundalloc as fa
from fundalloc.cli import main
from fundalloc.io import outputs
from fundalloc.io.outputs import FORMATS, Provenance, render
from fundalloc.io.verify import verify

openpyxl = pytest.importorskip("openpyxl")
pytest.importorskip("xlsxwriter")

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "shandong_2018"


def _allocation(n: int = 3) -> fa.Allocation:
    table = fa.RegionTable.from_records(
        [{"地区": f"{i}号县", "人口": 10 + i, "等次": "007"} for i in range(n)], id="地区"
    )
    scheme = fa.Scheme(
        name="某资金",
        document="某财〔2026〕1号",
        total=10 * n,
        tranches=[
            fa.Tranche(
                name="人口",
                share=1,
                factors=[fa.Factor(name="人口", rule=fa.Share(column="人口"), weight=1)],
            )
        ],
    )
    return fa.allocate(table, scheme)


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_same_inputs_give_the_same_bytes_with_source_date_epoch(
    fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if fmt == "docx":
        pytest.importorskip("docx")
    shutil.copy(EXAMPLE / "data.csv", tmp_path / "data.csv")
    shutil.copy(EXAMPLE / "scheme.toml", tmp_path / "scheme.toml")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    made = []
    for name in ("a", "b"):
        out = tmp_path / f"{name}.{fmt}"
        assert main(["allocate", str(tmp_path / "scheme.toml"), "-o", str(out)]) == 0
        made.append(out.read_bytes())
    assert made[0] == made[1]
    if fmt == "xlsx":  # the workbook's creation time, and the provenance's, are the epoch's
        with zipfile.ZipFile(tmp_path / "a.xlsx") as archive:
            assert b"2023-11-14T22:13:20Z" in archive.read("docProps/core.xml")
        source = openpyxl.load_workbook(tmp_path / "a.xlsx").worksheets[4]
        assert "2023-11-14T22:13:20+00:00" in [r[1].value for r in source.iter_rows()]
    elif fmt == "docx":  # the document's dates and the zip entries' times are the epoch's
        with zipfile.ZipFile(tmp_path / "a.docx") as archive:
            assert b"2023-11-14T22:13:20Z" in archive.read("docProps/core.xml")
            assert {info.date_time for info in archive.infolist()} == {(2023, 11, 14, 22, 13, 20)}
    else:
        assert "2023-11-14T22:13:20+00:00" in made[0].decode("utf-8-sig")


def test_a_bad_source_date_epoch_is_a_data_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(fa.DataError, match="SOURCE_DATE_EPOCH"):
        outputs.source_date()


def test_provenance_paths_are_relative_to_the_scheme_file(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    shutil.copy(EXAMPLE / "data.csv", tmp_path / "data" / "d.csv")
    shutil.copy(EXAMPLE / "scheme.toml", tmp_path / "scheme.toml")
    provenance = Provenance.of(tmp_path / "scheme.toml", "", tmp_path / "data" / "d.csv")
    assert (provenance.scheme_path, provenance.data_path) == ("scheme.toml", "data/d.csv")


def test_the_workbook_prints_as_it_is(tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    result = _allocation()
    out.write_bytes(render(result, "xlsx", provenance=Provenance("s", "", "d", "", "v")))
    assert verify(out) == []
    book = openpyxl.load_workbook(out)
    sheet = book.worksheets[0]
    assert sheet["A1"].value == "某资金（某财〔2026〕1号）"
    assert "A1:D1" in {str(r) for r in sheet.merged_cells.ranges}
    assert sheet["A2"].value == "单位：万元"
    assert [c.value for c in sheet[3]] == ["地区", "测算数", "分配金额（万元）", "占比"]
    assert sheet.freeze_panes == "B4"  # below the header, right of the region names
    assert sheet.print_title_rows == "$1:$3"
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet["A7"].value == "合计" and sheet["C7"].value == 30
    assert sheet["D4"].number_format == "0.00%" and sheet["C4"].number_format == "#,##0"
    assert sheet["A8"].value.startswith("说明：")  # the rounding note
    assert sheet["C4"].border.left.style == "thin"
    # a width that fits the widest shown text, CJK characters counted twice
    assert sheet.column_dimensions["C"].width >= 2 * len("分配金额（万元）")
    factors = book.worksheets[2]
    assert factors["C4"].value == 1 and factors["C4"].number_format == "0.00%"
    inputs = book.worksheets[3]
    assert [c.value for c in inputs[2]] == ["0号县", 10, "007"]  # "007" stays text
    source = book.worksheets[4]
    assert [c.value for c in source[1]] == ["项目", "内容"]


def test_the_english_provenance_header(tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    out.write_bytes(
        render(_allocation(), "xlsx", lang="en", provenance=Provenance("s", "", "d", "", "v"))
    )
    source = openpyxl.load_workbook(out).worksheets[4]
    assert [c.value for c in source[1]] == ["item", "content"]


def test_input_numbers_are_numbers_only_when_the_text_is_exactly_the_number() -> None:
    from fundalloc.io import xlsxout

    cell = xlsxout._input_cell
    assert [cell("95"), cell("12.5"), cell("-3"), cell("0.1")] == [95, 12.5, -3, 0.1]
    for text in ("007", "1.50", "1e3", "12345678901234567890", "+5", " 5", "1.", "-0"):
        assert cell(text) == text


def test_the_calculation_sheet_is_there_up_to_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = _allocation()
    provenance = Provenance("s", "", "d", "", "v")

    def names(data: bytes) -> list[str]:
        return list(openpyxl.load_workbook(io.BytesIO(data)).sheetnames)

    assert names(render(result, "xlsx", provenance=provenance))[5] == "测算表"
    assert len(names(render(result, "xlsx", provenance=provenance, calculation_sheet=False))) == 5
    monkeypatch.setattr(outputs, "CALCULATION_SHEET_LIMIT", 2)
    left_out = render(result, "xlsx", provenance=provenance)
    assert len(names(left_out)) == 5
    out = tmp_path / "r.xlsx"
    out.write_bytes(left_out)
    sheet = openpyxl.load_workbook(out).worksheets[0]
    notes = [r[0].value for r in sheet.iter_rows(min_row=8) if r[0].value]
    assert any("未包含测算表" in str(n) for n in notes), notes
    assert verify(out) == []
    forced = render(result, "xlsx", provenance=provenance, calculation_sheet=True)
    assert names(forced)[5] == "测算表"


def test_the_command_line_chooses_the_calculation_sheet(tmp_path: Path) -> None:
    shutil.copy(EXAMPLE / "data.csv", tmp_path / "data.csv")
    shutil.copy(EXAMPLE / "scheme.toml", tmp_path / "scheme.toml")
    for flag, count in (("--no-calculation-sheet", 5), ("--calculation-sheet", 6)):
        out = tmp_path / f"{flag}.xlsx"
        assert main(["allocate", str(tmp_path / "scheme.toml"), "-o", str(out), flag]) == 0
        assert len(openpyxl.load_workbook(out).sheetnames) == count, flag


def test_the_terminal_table_shows_head_tail_and_total_above_its_limit() -> None:
    result = _allocation(120)
    lines = outputs.text_table(result, "en").splitlines()
    # title, header, 25 + 25 regions, the gap line, the total
    assert len(lines) == 1 + 1 + 50 + 1 + 1
    assert lines[27] == "… (70 more regions not shown: see the output file)"
    assert lines[-1].startswith("total")
    full = outputs.text_table(result, "en", limit=None).splitlines()
    assert len(full) == 1 + 1 + 120 + 1 and full[-1] == lines[-1]  # the same total either way
    assert full[2:27] == lines[2:27] and full[-26:] == lines[-26:]
    zh = outputs.text_table(result, "zh").splitlines()
    assert zh[27] == "…（另有 70 个地区未显示，见输出文件）"
