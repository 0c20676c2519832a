"""The spreadsheets bureaus really keep, through the command line (issues 10 and 16).

The corpus (tests/data/bureau, written by its make_corpus.py) holds the Shandong 2018 data laid
out as 测算表 are: titles, unit rows, two-row merged headers, 序号, 小计 and 合计 rows, notes and
signatures, numbers as text, GB18030 and BOM CSVs. cases.toml says what must happen with each:
a good file gives exactly the amounts of the tidy example, to the 万元; a spoiled one is refused
with exit 2, naming the file, row and column and what was found, and writes nothing.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import importlib.util
import io
import re
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from fundalloc.cli import main

ROOT = Path(__file__).resolve().parents[1]
SCHEME = ROOT / "examples" / "shandong_2018" / "scheme.toml"
TIDY = ROOT / "examples" / "shandong_2018" / "data.csv"
CORPUS = Path(__file__).resolve().parent / "data" / "bureau"
CASES = tomllib.loads((CORPUS / "cases.toml").read_text(encoding="utf-8"))
GOOD: list[dict[str, Any]] = CASES["good"]
SPOILED: list[dict[str, Any]] = CASES["spoiled"]

#: The amounts (万元) of the tidy run of examples/shandong_2018, pinned once (2026-12-03) so
#: that a change in the tidy run itself is seen too.
PINNED = {
    "济南市": 279,
    "青岛市": 63,
    "淄博市": 165,
    "枣庄市": 182,
    "东营市": 60,
    "烟台市": 62,
    "潍坊市": 150,
    "济宁市": 446,
    "泰安市": 290,
    "威海市": 0,
    "日照市": 102,
    "临沂市": 446,
    "德州市": 403,
    "聊城市": 446,
    "滨州市": 314,
    "菏泽市": 309,
}


def run(*args: str) -> tuple[int, str, str]:
    """``fundalloc ARGS`` in this process: the exit code, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def amounts(path: Path) -> dict[str, int]:
    """Region → amount from an allocation CSV written by ``fundalloc allocate -o``."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    column = next(j for j, name in enumerate(header) if name.startswith(("分配金额", "amount")))
    result: dict[str, int] = {}
    for row in rows[1:]:
        if not row or row[0] in ("合计", "total"):
            break
        result[row[0]] = int(row[column])
    return result


@pytest.fixture(scope="module")
def tidy(tmp_path_factory: pytest.TempPathFactory) -> dict[str, int]:
    out = tmp_path_factory.mktemp("tidy") / "out.csv"
    code, _, err = run("allocate", str(SCHEME), "--data", str(TIDY), "-o", str(out))
    assert code == 0, err
    return amounts(out)


def test_the_tidy_run_gives_the_pinned_amounts(tidy: dict[str, int]) -> None:
    assert tidy == PINNED
    assert sum(tidy.values()) == 3717


def names_row(line: str, row: int) -> bool:
    """Whether ``line`` names sheet row ``row`` ("row 24", "rows 13, 24 and 26")."""
    return re.search(rf"\brows?\s+(?:[\d\s,]|and\b)*?(?<!\d){row}(?![\d.])", line) is not None


# ------------------------------------------------------------------------------------ good
@pytest.mark.parametrize("case", GOOD, ids=[c["file"] for c in GOOD])
def test_a_good_file_gives_the_tidy_amounts(
    case: dict[str, Any], tidy: dict[str, int], tmp_path: Path
) -> None:
    data = CORPUS / case["file"]
    out = tmp_path / "out.csv"
    code, _, stderr = run("allocate", str(SCHEME), "--data", str(data), "-o", str(out))
    assert code == 0, stderr
    assert "Traceback" not in stderr and "internal error" not in stderr
    got = amounts(out)
    assert list(got) == list(tidy), "the regions read are not the 16 cities, in order"
    assert got == tidy
    assert got == PINNED
    lines = stderr.splitlines()
    for notice in case["notices"]:
        says = notice.get("says", [])
        assert any(
            names_row(line, notice["row"]) and (not says or any(s in line for s in says))
            for line in lines
        ), f"no notice naming row {notice['row']} ({' or '.join(says) or 'any'}):\n{stderr}"


@pytest.mark.parametrize("file", ["good/full.xlsx", "good/full_gb18030.csv"])
def test_a_condition_may_use_the_id_column(file: str, tmp_path: Path) -> None:
    """Issue 10: "Conditions may use the id column (地区 in [...])" — here 菏泽市 is left out
    by name, in a bureau file as in the tidy one."""
    text = SCHEME.read_text(encoding="utf-8")
    by_name = '    { column = "地区", op = "not in", value = ["菏泽市"] },\n'
    assert "eligibility = [\n" in text
    scheme = tmp_path / "scheme.toml"
    scheme.write_text(text.replace("eligibility = [\n", "eligibility = [\n" + by_name, 1), "utf-8")
    results = []
    for data in (TIDY, CORPUS / file):
        out = tmp_path / f"{data.stem}.out.csv"
        code, _, stderr = run("allocate", str(scheme), "--data", str(data), "-o", str(out))
        assert code == 0, stderr
        results.append(amounts(out))
    tidy, bureau = results
    assert bureau == tidy
    assert bureau["菏泽市"] == 0 and sum(bureau.values()) == 3717


# ------------------------------------------------------------------------------------ spoiled
def names_column(line: str, case: dict[str, Any]) -> bool:
    """Whether ``line`` names the case's column: by its header name or as the sheet shows it
    (the letter: "column H", "H24")."""
    if "column" in case and case["column"] in line:
        return True
    letter, row = case["letter"], case.get("row")
    return re.search(rf"\bcolumn {letter}\b", line) is not None or (
        row is not None and re.search(rf"\b{letter}{row}\b", line) is not None
    )


def holds(line: str, found: str | list[str]) -> bool:
    return any(f in line for f in found) if isinstance(found, list) else found in line


@pytest.mark.parametrize("case", SPOILED, ids=[c["file"] for c in SPOILED])
def test_a_spoiled_file_is_refused_naming_the_place(case: dict[str, Any], tmp_path: Path) -> None:
    data = CORPUS / case["file"]
    out = tmp_path / "out.csv"
    code, stdout, stderr = run("allocate", str(SCHEME), "--data", str(data), "-o", str(out))
    assert code == 2, f"exit {code}\n{stdout}\n{stderr}"
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr
    assert not out.exists(), "an output was written for a spoiled file"
    assert list(tmp_path.iterdir()) == [], "a temporary file was left behind"

    def the_line(line: str) -> bool:
        return (
            data.name in line
            and ("row" not in case or names_row(line, case["row"]))
            and ("row" not in case or "column" not in case or names_column(line, case))
            and all(holds(line, f) for f in case.get("found", []))
        )

    assert any(the_line(line) for line in stderr.splitlines()), (
        f"no line names {data.name}"
        + (f", row {case['row']}" if "row" in case else "")
        + (f", column {case['column']!r} ({case['letter']})" if "column" in case else "")
        + (f" and {case['found']}" if "found" in case else "")
        + f":\n{stderr}"
    )
    for text in case.get("stderr", []):
        assert text in stderr, f"{text!r} is not in:\n{stderr}"


# ------------------------------------------------------------------------------------ corpus
def _make_corpus() -> Any:
    spec = importlib.util.spec_from_file_location("make_corpus", CORPUS / "make_corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks its module up
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


def corpus_files() -> set[str]:
    return {
        p.relative_to(CORPUS).as_posix()
        for folder in ("good", "spoiled")
        for p in (CORPUS / folder).iterdir()
    }


def sheet_contents(path: Path) -> tuple[list[tuple[Any, ...]], list[str], str]:
    """A workbook's cells, merged ranges and declared dimension, for comparing workbooks
    written by another openpyxl version (whose bytes may differ)."""
    import zipfile

    import openpyxl

    sheet = openpyxl.load_workbook(path).worksheets[0]
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
    dimension = re.search(r'<dimension ref="([^"]*)"', xml)
    return (
        list(sheet.iter_rows(values_only=True)),
        sorted(map(str, sheet.merged_cells.ranges)),
        dimension.group(1) if dimension else "",
    )


def test_the_corpus_is_what_make_corpus_writes(tmp_path: Path) -> None:
    import openpyxl

    module = _make_corpus()
    written = module.build(tmp_path)
    assert {p.relative_to(tmp_path).as_posix() for p in written} == corpus_files()
    # the corpus was written by this openpyxl with its own XML writer; with lxml installed,
    # openpyxl writes through lxml, which spells the same XML in other bytes
    same_writer = openpyxl.__version__ == module.WRITTEN_WITH and not openpyxl.LXML
    for path in written:
        name = path.relative_to(tmp_path).as_posix()
        if path.suffix == ".xlsx" and not same_writer:
            # another openpyxl writes other bytes: the same sheets are what matters
            assert sheet_contents(path) == sheet_contents(CORPUS / name), f"{name} differs"
        else:
            assert path.read_bytes() == (CORPUS / name).read_bytes(), f"{name} differs"


def test_every_file_has_its_case_and_both_formats_are_there() -> None:
    named = [c["file"] for c in GOOD + SPOILED]
    assert len(named) == len(set(named))
    assert set(named) == corpus_files()
    assert len(named) >= 25
    for cases in (GOOD, SPOILED):
        assert {Path(c["file"]).suffix for c in cases} == {".csv", ".xlsx"}


def raw_cell(path: Path, row: int, letter: str) -> str:
    """The cell as the file holds it, read without fundalloc (for checking cases.toml)."""
    j = ord(letter) - ord("A")
    if path.suffix == ".xlsx":
        import openpyxl

        workbook = openpyxl.load_workbook(path)  # not read-only: formulas and every row
        value = workbook.worksheets[0].cell(row=row, column=j + 1).value
        if isinstance(value, dt.datetime):
            return f"{value.year}/{value.month}/{value.day}"
        return "" if value is None else str(value)
    data = path.read_bytes()
    text = data.decode("utf-8-sig") if data.startswith(b"\xef\xbb\xbf") else None
    if text is None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("gb18030")
    line = text.splitlines()[row - 1]  # no spoiled CSV has a line break inside a cell
    if line.count('"') % 2:  # the unterminated quote: the cell runs to the end of the line
        return line[line.rindex(",") + 1 :]
    cells = next(csv.reader([line]))
    return cells[j] if j < len(cells) else ""


@pytest.mark.parametrize("case", SPOILED, ids=[c["file"] for c in SPOILED])
def test_the_case_names_the_spoiled_cell(case: dict[str, Any]) -> None:
    row = case.get("row", case.get("cell_row"))
    assert raw_cell(CORPUS / case["file"], row, case["letter"]) == case["cell"]
    if "column" in case and "cell_row" not in case:
        # the header's name for the column: row 3, or row 4 under a merged group heading
        heads = {raw_cell(CORPUS / case["file"], r, case["letter"]) for r in (3, 4)}
        assert case["column"] in heads


def raw_rows(path: Path) -> list[list[str]]:
    """Every row of a file as text, read without fundalloc (for checking the corpus)."""
    if path.suffix == ".xlsx":
        import openpyxl

        sheet = openpyxl.load_workbook(path).worksheets[0]
        return [
            ["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)
        ]
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("case", GOOD, ids=[c["file"] for c in GOOD])
def test_a_good_file_holds_the_tidy_data(case: dict[str, Any]) -> None:
    """What a good file shows, cell by cell, is the tidy table: so its amounts must be the
    tidy run's."""
    import unicodedata

    with TIDY.open(encoding="utf-8", newline="") as f:
        tidy = {row["地区"]: row for row in csv.DictReader(f)}
    rows = raw_rows(CORPUS / case["file"])
    k = next(i for i, row in enumerate(rows) if "少数民族贫困人口" in row)
    above = rows[k - 1] if k else []
    header = [name or (above[j] if j < len(above) else "") for j, name in enumerate(rows[k])]
    seen = {}
    for row in rows[k + 1 :]:
        cells = dict(zip(header, row, strict=False))
        if cells.get("地区") in tidy:
            seen[cells["地区"]] = cells
    assert list(seen) == list(tidy)
    for city, expected in tidy.items():
        for name, value in expected.items():
            shown = unicodedata.normalize("NFKC", seen[city][name]).replace(",", "")
            assert shown == value, (city, name)


#: A message quoted on the data-files pages: `FILE[ [sheet]]: …` or `FILE[ [sheet]], row …`
#: (the Chinese page: `FILE[ [sheet]]：…`, `FILE[ [sheet]]，第 … 行`).
QUOTED = re.compile(r"`(([a-z0-9_]+\.(?:xlsx|csv))(?: \[[^\]]+\])?(?:[:,] |[：，])[^`]+)`")
PAGES = [ROOT / "docs" / "data-files.md", ROOT / "docs" / "zh" / "data-files.md"]


def quoted_messages() -> list[tuple[str, str, str]]:
    """(page, file, message) for every message the data-files pages quote from the corpus."""
    return [
        (page.relative_to(ROOT).as_posix(), m.group(2), m.group(1))
        for page in PAGES
        for m in QUOTED.finditer(page.read_text(encoding="utf-8"))
    ]


def test_the_pages_quote_messages() -> None:
    quoted = quoted_messages()
    assert len(quoted) >= 2 * 15
    assert {file for _, file, _ in quoted} <= {Path(f).name for f in corpus_files()}


@pytest.mark.parametrize(
    ("page", "file", "message"),
    [
        pytest.param(page, file, message, id=f"{'zh' if '/zh/' in page else 'en'}-{file}-{k}")
        for k, (page, file, message) in enumerate(quoted_messages())
    ],
)
def test_a_quoted_message_is_what_fundalloc_says(page: str, file: str, message: str) -> None:
    """The data-files pages show fundalloc's own words: each quoted message (with "…" for a
    part left out) is what the run on that corpus file prints, in the page's language."""
    data = next(CORPUS / f for f in corpus_files() if Path(f).name == file)
    lang = "zh" if "/zh/" in page else "en"  # the Chinese page quotes the Chinese messages
    _, _, stderr = run("allocate", str(SCHEME), "--data", str(data), "--lang", lang)
    parts = [p.strip() for p in message.split("…")]
    line = next((line for line in stderr.splitlines() if parts[0] in line), None)
    assert line is not None, f"{page}: {parts[0]!r} is not in:\n{stderr}"
    position = 0
    for part in parts:
        position = line.find(part, position)
        assert position >= 0, f"{page}: {part!r} is not in {line!r}"
