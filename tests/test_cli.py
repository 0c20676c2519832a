"""The command line end to end, through a subprocess, as a bureau would run it."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import fundalloc as fa
from fundalloc.io.outputs import Provenance, render, text_table

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "shandong_2018"
BAD = Path(__file__).resolve().parent / "data" / "bad"
CASES = sorted(p.name for p in BAD.iterdir() if (p / "case.toml").is_file())


def fundalloc(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fundalloc", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        check=False,
    )


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= 30


@pytest.mark.parametrize("name", CASES)
def test_bad_input(name: str, tmp_path: Path) -> None:
    case = tomllib.loads((BAD / name / "case.toml").read_text(encoding="utf-8"))
    work = tmp_path / name
    shutil.copytree(BAD / name, work)
    before = set(work.iterdir())
    done = fundalloc(*case["args"].split(), cwd=work)
    assert done.returncode == case["exit"], done.stderr
    assert "Traceback" not in done.stderr
    import re

    assert re.search(case["message"], done.stderr), done.stderr
    assert set(work.iterdir()) == before, "an output or temporary file was left behind"


def test_allocate_the_bundled_example_to_every_format(tmp_path: Path) -> None:
    for fmt in ("csv", "xlsx", "json", "md", "html"):
        out = tmp_path / f"result.{fmt}"
        done = fundalloc("allocate", str(EXAMPLE / "scheme.toml"), "-o", str(out), "--lang", "zh")
        assert done.returncode == 0, done.stderr
        assert "济宁市" in done.stdout and "3,717" in done.stdout
        assert out.stat().st_size > 0
    with (tmp_path / "result.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    total_row = rows[rows.index([]) - 1]
    assert rows[0][0] == "地区" and total_row[0] == "合计" and Decimal(total_row[2]) == 3717
    assert (tmp_path / "result.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # BOM for Excel
    doc = json.loads((tmp_path / "result.json").read_text(encoding="utf-8"))
    assert sum(Decimal(v) for v in doc["result"]["amounts"].values()) == 3717
    assert len(doc["provenance"]["scheme SHA-256"]) == 64
    assert "鲁民发〔2018〕47号" in (tmp_path / "result.md").read_text(encoding="utf-8")
    assert "<table>" in (tmp_path / "result.html").read_text(encoding="utf-8")
    for fmt in ("json", "xlsx"):
        done = fundalloc("verify", str(tmp_path / f"result.{fmt}"))
        assert done.returncode == 0 and "identical" in done.stdout, done.stdout + done.stderr


def _total_row(sheet: Any) -> int:
    """The row of the allocation sheet's 合计 (the notes follow it)."""
    return next(r[0].row for r in sheet.iter_rows(min_row=4) if r[0].value in ("合计", "=合计"))


def test_xlsx_output_has_the_publication_sheets(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    out = tmp_path / "r.xlsx"
    args = ("allocate", str(EXAMPLE / "scheme.toml"), "-o", str(out), "--lang", "zh")
    assert fundalloc(*args).returncode == 0
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == [
        "分配结果",
        "测算明细",
        "分配因素及权重",
        "输入数据",
        "来源",
        "测算表",
    ]
    sheet = book["分配结果"]
    total = _total_row(sheet)
    assert sheet.cell(row=total, column=3).value == 3717
    assert isinstance(sheet.cell(row=4, column=3).value, int | float)
    assert sheet.cell(row=4, column=3).number_format == "#,##0"
    detail = book["测算明细"]  # one row per region: its items, then its amount
    rows = {row[0]: row for row in detail.iter_rows(min_row=4, values_only=True)}
    items = [v for v in rows["济宁市"][1:-1] if isinstance(v, int | float)]
    assert sum(items) == pytest.approx(446) and rows["济宁市"][-1] == 446


def test_verify_reports_a_tampered_output(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    assert fundalloc("allocate", str(EXAMPLE / "scheme.toml"), "-o", str(out)).returncode == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    doc["result"]["amounts"]["济南市"] = "280"
    out.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    done = fundalloc("verify", str(out))
    assert done.returncode == 1 and "济南市: amount 280 in the output, 279 now" in done.stdout
    doc["result"]["amounts"]["济南市"] = "279"
    doc["result"]["total"] = "9999"
    out.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    done = fundalloc("verify", str(out))
    assert done.returncode == 1 and "total: 9999 in the output, 3717 now" in done.stdout
    out.write_text(out.read_text(encoding="utf-8")[:-40], encoding="utf-8")
    done = fundalloc("verify", str(out))
    assert done.returncode == 2 and "not a JSON output of fundalloc allocate" in done.stderr
    assert "Traceback" not in done.stderr


def test_verify_reads_the_workbook_exactly(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    out = tmp_path / "r.xlsx"
    args = ("allocate", str(EXAMPLE / "scheme.toml"), "-o", str(out), "--lang", "zh")
    assert fundalloc(*args).returncode == 0
    done = fundalloc("verify", str(out))
    assert done.returncode == 0 and "identical to a fresh run" in done.stdout, done.stdout
    book = openpyxl.load_workbook(out)
    sheet = book.worksheets[0]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "济南市")
    row[2].value = 279.4  # within rounding of 279: an exact check still sees it
    book.save(out)
    done = fundalloc("verify", str(out))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "济南市 (分配结果!C4): amount 279.4 in the output, 279 now" in done.stdout
    row[2].value = 279
    last = _total_row(sheet)
    sheet.cell(row=last, column=3).value = 3718
    book.save(out)
    done = fundalloc("verify", str(out))
    assert done.returncode == 1
    assert f"the total row (分配结果!C{last}): amount 3718 in the output, 3717 now" in done.stdout
    out.write_bytes(b"PK\x03\x04 not really a workbook")
    done = fundalloc("verify", str(out))
    assert done.returncode == 2 and "not an XLSX output of fundalloc allocate" in done.stderr


@pytest.mark.parametrize(
    ("output", "words"),
    [
        ("no such folder/r.csv", "the folder 'no such folder' does not exist"),
        ("a file/r.csv", "'a file' is a file, not a folder"),
        ("a folder", "it is a folder; expected a file name"),
        ("/proc/self/r.csv", "cannot create a file in the folder '/proc/self'"),
    ],
)
def test_an_output_that_cannot_be_written_is_named_as_given(
    output: str, words: str, tmp_path: Path
) -> None:
    if output.startswith("/proc") and not Path("/proc/self").is_dir():
        pytest.skip("needs /proc")
    (tmp_path / "a file").write_text("x", encoding="utf-8")
    (tmp_path / "a folder").mkdir()
    before = set(tmp_path.rglob("*"))
    args = ["allocate", str(EXAMPLE / "scheme.toml"), "-o", output, "--format", "csv"]
    done = fundalloc(*args, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert f"fundalloc: error: {output}: cannot write here: {words}" in done.stderr, done.stderr
    assert ".tmp" not in done.stderr and ".fundalloc-" not in done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert set(tmp_path.rglob("*")) == before


def test_format_needs_an_output() -> None:
    done = fundalloc("allocate", str(EXAMPLE / "scheme.toml"), "--format", "csv")
    assert done.returncode == 2 and "--format needs --output FILE" in done.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_outputs_get_the_mode_of_an_ordinary_new_file(tmp_path: Path) -> None:
    import os
    import stat

    out = tmp_path / "r.csv"
    assert fundalloc("allocate", str(EXAMPLE / "scheme.toml"), "-o", str(out)).returncode == 0
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask
    out.chmod(0o640)
    assert fundalloc("allocate", str(EXAMPLE / "scheme.toml"), "-o", str(out)).returncode == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o640


def test_explain_validate_and_english(tmp_path: Path) -> None:
    done = fundalloc("explain", str(EXAMPLE / "scheme.toml"), "东营市", "--lang", "zh")
    assert done.returncode == 0 and "保底" in done.stdout and "东营市：60 万元" in done.stdout
    done = fundalloc("explain", str(EXAMPLE / "scheme.toml"), "东营市", "--lang", "en")
    assert "floor" in done.stdout
    done = fundalloc("validate", str(EXAMPLE / "scheme.toml"))
    assert done.returncode == 0 and "ok" in done.stdout
    done = fundalloc("allocate", str(EXAMPLE / "scheme.toml"), "--lang", "en")
    assert "region" in done.stdout and "amount" in done.stdout


def test_init_writes_a_runnable_starter_and_never_overwrites(tmp_path: Path) -> None:
    assert fundalloc("init", str(tmp_path / "new")).returncode == 0
    done = fundalloc("allocate", str(tmp_path / "new" / "scheme.toml"))
    assert done.returncode == 0 and "1,000" in done.stdout
    again = fundalloc("init", str(tmp_path / "new"))
    assert again.returncode == 2 and "already exists and is not overwritten" in again.stderr


def test_data_the_way_bureaus_have_it(tmp_path: Path) -> None:
    """CSV in GB18030 and with a BOM; XLSX with a merged title row and a 合计 row."""
    scheme = (EXAMPLE / "scheme.toml").read_text(encoding="utf-8")
    data = (EXAMPLE / "data.csv").read_text(encoding="utf-8")
    expected = fundalloc("allocate", str(EXAMPLE / "scheme.toml")).stdout
    for name, raw in (("gb.csv", data.encode("gb18030")), ("bom.csv", data.encode("utf-8-sig"))):
        (tmp_path / name).write_bytes(raw)
        (tmp_path / "s.toml").write_text(
            scheme.replace('path = "data.csv"', f'path = "{name}"'), encoding="utf-8"
        )
        done = fundalloc("allocate", str(tmp_path / "s.toml"))
        assert done.returncode == 0 and done.stdout == expected, done.stderr
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "测算表"
    rows = list(csv.reader(data.splitlines()))
    sheet.append(["2018年少数民族发展资金测算表"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(rows[0]))
    sheet.append(["单位：人、个"])
    sheet.append(rows[0])
    for row in rows[1:]:
        sheet.append([row[0], row[1], *[float(c) for c in row[2:9]], row[9]])
    sums = [sum(float(r[j]) for r in rows[1:]) for j in range(2, 9)]
    sheet.append(["合计", None, *sums, None])
    book.save(tmp_path / "data.xlsx")
    (tmp_path / "s.toml").write_text(
        scheme.replace('path = "data.csv"', 'path = "data.xlsx"\nsheet = "测算表"'),
        encoding="utf-8",
    )
    done = fundalloc("allocate", str(tmp_path / "s.toml"))
    assert done.returncode == 0, done.stderr
    assert done.stdout == expected
    assert "the 合计 row (row 20) matches the column sums and was dropped" in done.stderr


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    shutil.copytree(BAD / "negative", tmp_path / "c")
    done = fundalloc("--debug", "allocate", "scheme.toml", cwd=tmp_path / "c")
    assert done.returncode == 2 and "Traceback" in done.stderr


def test_help_and_usage_errors() -> None:
    done = fundalloc("--help")
    assert done.returncode == 0 and "allocate" in done.stdout
    assert fundalloc("allocate").returncode == 2
    assert fundalloc("nonsense").returncode == 2


# ------------------------------------------------------------- outputs, without a subprocess
PROVENANCE = Provenance(
    "s.toml", "a" * 64, "d.csv", "b" * 64, "0.0", created="2024-01-01T00:00:00+00:00", python="3"
)


def _allocation(
    total: int, ids: tuple[str, ...] = ("甲", "乙", "丙"), rounding: str = "largest_remainder"
) -> fa.Allocation:
    table = fa.RegionTable.from_columns({"地区": list(ids), "人口": [1] * len(ids)}, id="地区")
    factor = fa.Factor(name="人口", rule=fa.Share(column="人口"), weight=1)
    scheme = fa.Scheme(
        total=total, rounding=rounding, tranches=[fa.Tranche(name="t", share=1, factors=[factor])]
    )
    return fa.allocate(table, scheme)


def _provenance_of(result: fa.Allocation, labels: dict[str, str] | None = None) -> Provenance:
    """A provenance whose scheme SHA-256 is that of the scheme text render records."""
    import hashlib

    from fundalloc.io.schemefile import DataSource, dump_scheme

    text = dump_scheme(result.scheme, data=DataSource(), labels=labels)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Provenance("s.toml", digest, "d.csv", "b" * 64, "0.0", created="2024-01-01", python="3")


def test_csv_output_records_its_provenance_after_a_blank_row() -> None:
    text = render(_allocation(9), "csv", provenance=PROVENANCE).decode("utf-8-sig")
    rows = list(csv.reader(text.splitlines()))
    blank = rows.index([])
    assert rows[blank - 1] == ["合计", "", "9", ""]
    assert rows[blank + 1 :] == [[k, v] for k, v in PROVENANCE.items("zh")]


@pytest.mark.parametrize(
    ("total", "share", "zh", "en"),
    [
        (2, "150.00%", "合计超出总额 1 万元", "they exceed the total by 1 万元"),
        (10, "90.00%", "尾差 1 万元 未分配", "1 万元 are left unallocated"),
    ],
)
def test_half_up_outputs_say_whether_the_total_is_exceeded_or_short(
    total: int, share: str, zh: str, en: str
) -> None:
    result = _allocation(total, rounding="half_up")
    for lang, words in (("zh", zh), ("en", en)):
        table = text_table(result, lang)
        assert words in table and "-1" not in table
        assert table.splitlines()[-2].endswith(share)  # the total row: allocated / total
        page = render(result, "md", lang=lang, provenance=PROVENANCE).decode()
        assert PAGE_WORDS[total][lang] in page  # the publication page says it its own way


#: What the publication page says of the residual (尾差) of the cases above.
PAGE_WORDS = {
    2: {"zh": "合计超出资金总额 1 万元（尾差）", "en": "they exceed the total by 1 万元 (尾差)"},
    10: {"zh": "尾差 1 万元 未分配", "en": "a residual (尾差) of 1 万元 is left unallocated"},
}


def test_the_workbook_total_row_states_the_share_allocated(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    from fundalloc.io.verify import verify

    out = tmp_path / "r.xlsx"
    result = _allocation(2, rounding="half_up")
    out.write_bytes(render(result, "xlsx", provenance=_provenance_of(result)))
    assert verify(out) == []
    book = openpyxl.load_workbook(out)
    sheet = book.worksheets[0]
    last = _total_row(sheet)
    assert sheet.cell(row=last, column=4).value == 1.5
    sheet.cell(row=last, column=4).value = 1.0
    book.save(out)
    assert verify(out) == [f"the total row (分配结果!D{last}): share 1 in the output, 1.5 now"]


def test_markdown_cells_escape_pipes_and_keep_to_one_line() -> None:
    result = _allocation(3, ids=("甲|乙", "丙\n丁", "戊"))
    page = render(result, "md", labels={"region": "地|区"}, provenance=PROVENANCE).decode()
    table = [line for line in page.splitlines() if line.startswith("|")]
    assert table[0] == "| 地\\|区 | 分配金额（万元） | 占比 |"
    assert any(line.startswith("| 甲\\|乙 | 1 |") for line in table)
    assert any(line.startswith("| 丙 丁 | 1 |") for line in table)
    assert all(line.replace("\\|", "").count("|") == 4 for line in table)


def test_xlsx_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    from fundalloc.io.verify import verify

    out = tmp_path / "r.xlsx"
    result = _allocation(3, ids=("=1+1", "+SUM(A1)", "@x"))
    out.write_bytes(
        render(
            result,
            "xlsx",
            labels={"total": "=合计"},
            provenance=_provenance_of(result, {"total": "=合计"}),
        )
    )
    book = openpyxl.load_workbook(out)
    for sheet in book.worksheets[:5]:  # the sixth, the 测算表, is formulas by design
        for row in sheet.iter_rows():
            assert all(cell.data_type != "f" for cell in row), sheet.title
    assert all(cell.data_type != "f" for cell in book.worksheets[5]["A"])  # its region ids
    first = book.worksheets[0]
    assert [first.cell(row=r, column=1).value for r in range(4, 8)] == [
        "=1+1",
        "+SUM(A1)",
        "@x",
        "=合计",
    ]
    assert verify(out) == []


def test_solver_and_time_limit_flags() -> None:
    groups = ROOT / "examples" / "shandong_groups" / "overlapping.toml"
    auto = fundalloc("allocate", str(groups))
    assert auto.returncode == 0, auto.stderr
    cbc = fundalloc("allocate", str(groups), "--solver", "cbc", "--time-limit", "30")
    assert cbc.returncode == 0, cbc.stderr
    assert cbc.stdout == auto.stdout  # the same amounts whichever LP solver
    exact = fundalloc("allocate", str(groups), "--solver", "exact")
    assert exact.returncode == 1 and "Traceback" not in exact.stderr
    assert "overlap" in exact.stderr and "solver='auto'" in exact.stderr
    for bad in ("0", "-1", "soon", "inf"):
        done = fundalloc("allocate", str(groups), "--time-limit", bad)
        assert done.returncode == 2 and "expected a positive number of seconds" in done.stderr
    unknown = fundalloc("allocate", str(groups), "--solver", "gurobi")
    assert unknown.returncode == 2 and "invalid choice" in unknown.stderr


def test_validate_reports_scheme_and_data_problems_in_one_pass(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from fundalloc.cli import main

    scheme = (BAD / "unknown_key" / "scheme.toml").read_text(encoding="utf-8")
    assert "weigth = 0.6" in scheme
    (tmp_path / "scheme.toml").write_text(scheme, encoding="utf-8")
    data = (BAD / "duplicate_ids" / "data.csv").read_text(encoding="utf-8")
    (tmp_path / "data.csv").write_text(data, encoding="utf-8")
    assert main(["validate", str(tmp_path / "scheme.toml")]) == 2
    err = capsys.readouterr().err
    assert "unknown key 'weigth'" in err, err
    assert "duplicate region id '甲市'" in err, err
    # --data names the data when the scheme's [data] table is the broken part
    broken = scheme.replace('path = "data.csv"', 'paht = "data.csv"')
    (tmp_path / "scheme.toml").write_text(broken, encoding="utf-8")
    args = ["validate", str(tmp_path / "scheme.toml"), "--data", str(tmp_path / "data.csv")]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "unknown key 'paht'" in err and "duplicate region id '甲市'" in err, err
    # a scheme that is fine and data that is not: the data's problems, as before
    (tmp_path / "scheme.toml").write_text(scheme.replace("weigth", "weight"), encoding="utf-8")
    assert main(["validate", str(tmp_path / "scheme.toml")]) == 2
    err = capsys.readouterr().err
    assert "duplicate region id '甲市'" in err and "weigth" not in err, err


def test_init_into_a_file_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from fundalloc.cli import main

    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    assert main(["init", str(tmp_path / "notes.txt")]) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path / 'notes.txt'}: expected a folder for the starter files; found a file" in err
    assert main(["init", str(tmp_path / "notes.txt" / "new")]) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path / 'notes.txt'}: expected a folder for the starter files; found a file" in err
    assert "internal error" not in err


# ------------------------------------------------------------------ the publication page
def _example(tmp_path: Path) -> Path:
    shutil.copy(EXAMPLE / "data.csv", tmp_path / "data.csv")
    shutil.copy(EXAMPLE / "scheme.toml", tmp_path / "scheme.toml")
    return tmp_path / "scheme.toml"


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_allocate_fills_a_bureaus_copy_of_the_page_template_in_both_languages(
    fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from fundalloc.cli import main
    from fundalloc.io.publication import default_template

    scheme = _example(tmp_path)
    mine = tmp_path / f"bureau.{fmt}.j2"
    source = default_template(fmt).read_text(encoding="utf-8")  # type: ignore[arg-type]
    mine.write_text(source + "\n市财政局复核 {{ labels.total }}\n", encoding="utf-8")
    plain, bureau = tmp_path / f"plain.{fmt}", tmp_path / f"bureau.{fmt}"
    for lang, total in (("zh", "合计"), ("en", "Total")):
        assert main(["--lang", lang, "allocate", str(scheme), "-o", str(plain)]) == 0
        assert (
            main(
                [
                    "--lang",
                    lang,
                    "allocate",
                    str(scheme),
                    "-o",
                    str(bureau),
                    "--template",
                    str(mine),
                ]
            )
            == 0
        )
        page = bureau.read_text(encoding="utf-8")
        assert f"市财政局复核 {total}" in page  # the change, with the page's word in `lang`
        assert "市财政局复核" not in plain.read_text(encoding="utf-8")
        assert "济宁市" in page and "鲁民发〔2018〕47号" in page
    capsys.readouterr()


def test_allocate_writes_the_page_as_a_word_document_keeping_a_template(tmp_path: Path) -> None:
    docx = pytest.importorskip("docx")
    from fundalloc.cli import main

    scheme = _example(tmp_path)
    letterhead = docx.Document()
    letterhead.add_paragraph("某某市财政局文件")
    letterhead.save(str(tmp_path / "letterhead.docx"))
    for lang, template in (("zh", []), ("en", ["--template", str(tmp_path / "letterhead.docx")])):
        out = tmp_path / f"page_{lang}.docx"
        assert main(["--lang", lang, "allocate", str(scheme), "-o", str(out), *template]) == 0
        document = docx.Document(str(out))
        words = [p.text for p in document.paragraphs]
        cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
        assert "济宁市" in cells and cells[cells.index("济宁市") + 1].strip() != ""
        assert ("某某市财政局文件" in words) == bool(template)
        assert any("鲁民发〔2018〕47号" in w for w in words)


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("zh", "fundalloc：错误：--template 只用于公示页（md, html, docx），不用于 csv 输出"),
        ("en", "fundalloc: error: --template is for the publication page (md, html, docx), "),
    ],
)
def test_a_template_for_a_table_output_is_a_usage_error(
    lang: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from fundalloc.cli import main

    scheme = _example(tmp_path)
    template = tmp_path / "t.j2"
    template.write_text("{{ title }}", encoding="utf-8")
    for fmt in ("csv", "xlsx", "json"):
        out = tmp_path / f"r.{fmt}"
        argv = [
            "--lang",
            lang,
            "allocate",
            str(scheme),
            "-o",
            str(out),
            "--template",
            str(template),
        ]
        assert main(argv) == 2
        assert message.replace("csv", fmt) in capsys.readouterr().err
        assert not out.exists()


def test_a_broken_template_is_exit_2_naming_its_line_and_leaves_no_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from fundalloc.cli import main

    scheme = _example(tmp_path)
    bad = tmp_path / "bad.html.j2"
    bad.write_text("<h1>{{ title }}</h1>\n{{ no_such_thing }}\n", encoding="utf-8")
    out = tmp_path / "r.html"
    assert (
        main(["--lang", "en", "allocate", str(scheme), "-o", str(out), "--template", str(bad)]) == 2
    )
    err = capsys.readouterr().err
    assert f"template {bad}, line 2: the template uses a variable the page does not offer" in err
    assert "Traceback" not in err and not out.exists()
    zh = ["--lang", "zh", "allocate", str(scheme), "-o", str(out)]
    assert main([*zh, "--template", str(bad)]) == 2
    assert f"模板 {bad} 第 2 行：模板使用了公示页没有的变量" in capsys.readouterr().err
    assert main([*zh, "--template", str(tmp_path / "none.j2")]) == 2
    assert "模板文件不存在或无法读取" in capsys.readouterr().err


def test_an_unknown_output_format_is_still_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from fundalloc.cli import main

    scheme = _example(tmp_path)
    assert main(["--lang", "en", "allocate", str(scheme), "-o", str(tmp_path / "r.txt")]) == 2
    assert "use --format csv|xlsx|json|md|html|docx" in capsys.readouterr().err


def test_verify_refuses_a_publication_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from fundalloc.cli import main

    scheme = _example(tmp_path)
    for fmt in ("md", "html"):
        out = tmp_path / f"r.{fmt}"
        assert main(["allocate", str(scheme), "-o", str(out)]) == 0
        capsys.readouterr()
        assert main(["--lang", "en", "verify", str(out)]) == 2
        err = capsys.readouterr().err
        assert (
            f"{out}: expected a .json or .xlsx output of fundalloc allocate; found a .{fmt} file"
            in err
        )


def test_a_template_without_an_output_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from fundalloc.cli import main

    scheme = _example(tmp_path)
    template = str(tmp_path / "t.j2")
    assert main(["--lang", "zh", "allocate", str(scheme), "--template", template]) == 2
    assert "--template 需要与 --output FILE 同用" in capsys.readouterr().err
    assert main(["--lang", "en", "allocate", str(scheme), "--template", template]) == 2
    assert "--template needs --output FILE" in capsys.readouterr().err
