"""``fundalloc verify``: every number an output states is checked, every damaged output is a
data error (exit 2, never a traceback), and everything fundalloc writes verifies."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import fundalloc as fa
from fundalloc.cli import main
from fundalloc.io.outputs import TITLE_ROWS, Provenance, render
from fundalloc.io.schemefile import DataSource, dump_scheme
from fundalloc.io.verify import verify

openpyxl = pytest.importorskip("openpyxl")

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "shandong_2018"


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("outputs")
    made = {}
    for name in ("r.json", "r.xlsx", "en.xlsx"):
        args = ["allocate", str(EXAMPLE / "scheme.toml"), "-o", str(folder / name)]
        assert main([*args, "--lang", "en" if name.startswith("en") else "zh"]) == 0
        made[name] = folder / name
    return made


def copy(outputs: dict[str, Path], name: str, tmp_path: Path) -> Path:
    return Path(shutil.copy(outputs[name], tmp_path / name))


def test_what_fundalloc_writes_verifies(outputs: dict[str, Path]) -> None:
    for path in outputs.values():
        assert verify(path) == [], path.name


# ---------------------------------------------------------------------------------- JSON
def _set(*keys: Any, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        for key in keys[:-1]:
            doc = doc[key]
        doc[keys[-1]] = value(doc[keys[-1]]) if callable(value) else value

    change.on_document = True  # type: ignore[attr-defined]
    return change


def _drop(*keys: Any) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        for key in keys[:-1]:
            doc = doc[key]
        del doc[keys[-1]]

    change.on_document = True  # type: ignore[attr-defined]
    return change


JINAN = ("result", "breakdown", "济南市")

JSON_CHANGES = {
    "amount": (
        _set("result", "amounts", "济南市", value="280"),
        "济南市: amount 280 in the output, 279 now",
    ),
    "total": (_set("result", "total", value="9999"), "total: 9999 in the output, 3717 now"),
    "unit": (_set("result", "unit", value="元"), "unit: 元 in the output, 万元 now"),
    "step": (_set("result", "step", value="0.5"), "step: 0.5 in the output, 1 now"),
    "method": (
        _set("result", "method", value="webster"),
        "method: webster in the output, largest_remainder now",
    ),
    "residual": (_set("result", "unallocated", value="1"), "unallocated: 1 in the output, 0 now"),
    "target": (
        _set("result", "targets", "济南市", value=lambda t: t + 1),
        "济南市: target 271.5310455 in the output, 270.5310455 now",
    ),
    "breakdown amount": (
        _set(*JINAN, 0, 3, value="87.3"),
        "济南市, breakdown item 1 (factor / 贫困人口因素 / 贫困人口规模): "
        "amount 87.3 in the output, 87.298865 now",
    ),
    "breakdown name": (
        _set(*JINAN, 0, 2, value="人口"),
        "济南市, breakdown item 1: factor / 贫困人口因素 / 人口 in the output, "
        "factor / 贫困人口因素 / 贫困人口规模 now",
    ),
    "breakdown item removed": (
        _drop(*JINAN, 8),
        "济南市: the breakdown has 8 items in the output, 9 now",
    ),
    "breakdown removed": (_drop(*JINAN), "济南市: the breakdown is missing from the output"),
    "breakdown added": (
        _set("result", "breakdown", "某市", value=[]),
        "某市: a breakdown in the output for a region not in the allocation",
    ),
    "amount removed": (
        _drop("result", "amounts", "济南市"),
        "济南市: missing from the output's amounts",
    ),
    "amount added": (
        _set("result", "amounts", "某市", value="1"),
        "某市: only in the output's amounts",
    ),
    "target removed": (
        _drop("result", "targets", "济南市"),
        "济南市: missing from the output's targets",
    ),
    "scheme hash": (
        _set("provenance", "scheme SHA-256", value="0" * 64),
        "scheme SHA-256: 000000000000… in the output, but the recorded scheme text has",
    ),
    "scheme text": (
        _set("scheme", value=lambda t: t.replace("3717", "3718")),
        "scheme SHA-256: ",
    ),
}


@pytest.mark.parametrize("change", list(JSON_CHANGES))
def test_verify_reports_each_number_changed_in_a_json_output(
    change: str, outputs: dict[str, Path], tmp_path: Path
) -> None:
    path = copy(outputs, "r.json", tmp_path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    alter, expected = JSON_CHANGES[change]
    alter(doc)
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    differences = verify(path)
    assert any(line.startswith(expected) for line in differences), differences


def _text(change: Callable[[str], str]) -> Callable[[Path], None]:
    def alter(path: Path) -> None:
        path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")

    return alter


def _doc(change: Callable[[dict[str, Any]], None]) -> Callable[[Path], None]:
    def alter(path: Path) -> None:
        doc = json.loads(path.read_text(encoding="utf-8"))
        change(doc)
        path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")

    return alter


def _ragged(doc: dict[str, Any]) -> None:
    doc["data"]["rows"][2].pop()


def _nested(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth - 1):
        value = [value]
    return value


MALFORMED_JSON = {
    "not JSON": (_text(lambda t: t[:-40]), "not a JSON output of fundalloc allocate"),
    "not UTF-8": (
        lambda p: p.write_bytes(b"\xff\xfe{}"),
        "not a JSON output of fundalloc allocate",
    ),
    "a list": (
        _text(lambda t: f"[{t}]"),
        "(top level): expected a table of keys; found a list of 1 items",
    ),
    "scheme a number": (_set("scheme", value=42), "scheme: expected text; found int 42"),
    "scheme missing": (_drop("scheme"), "scheme: missing"),
    "scheme format": (
        _set("scheme_format", value="yaml"),
        'scheme_format: expected "toml" or "json"',
    ),
    "result a list": (_set("result", value=[]), "result: expected a table of keys; found a list"),
    "amounts a list": (
        _set("result", "amounts", value=[1]),
        "result.amounts: expected a table of keys",
    ),
    "amount a list": (
        _set("result", "amounts", "济南市", value=[279]),
        "result.amounts.济南市: expected an amount",
    ),
    "amount a number": (
        _set("result", "amounts", "济南市", value=279),
        "result.amounts.济南市: expected an amount",
    ),
    "amount huge": (
        _set("result", "amounts", "济南市", value="1e999999999"),
        "result.amounts.济南市: expected an amount",
    ),
    "total a table": (_set("result", "total", value={}), "result.total: expected text"),
    "target text": (
        _set("result", "targets", "济南市", value="270"),
        "result.targets.济南市: expected a number",
    ),
    "target boolean": (
        _set("result", "targets", "济南市", value=True),
        "result.targets.济南市: expected a number",
    ),
    "target NaN": (
        _set("result", "targets", "济南市", value=float("nan")),
        "result.targets.济南市: expected a finite number",
    ),
    "target huge": (
        _text(lambda t: t.replace('"targets": {', '"targets": {"x": 1' + "0" * 5000 + ",")),
        "not a JSON output",
    ),
    "breakdown a list": (
        _set("result", "breakdown", value=[]),
        "result.breakdown: expected a table of keys",
    ),
    "breakdown item short": (
        _set(*JINAN, 0, value=["factor", "x", "1"]),
        "result.breakdown.济南市[1]: expected [stage, tranche, name, amount]",
    ),
    "breakdown item amount": (
        _set(*JINAN, 0, 3, value=None),
        "result.breakdown.济南市[1][4]: expected an amount",
    ),
    "data missing": (_drop("data"), "data: missing"),
    "columns a text": (_set("data", "columns", value="地区"), "data.columns: expected a list"),
    "column a number": (_set("data", "columns", 0, value=1), "data.columns[1]: expected text"),
    "rows a table": (_set("data", "rows", value={}), "data.rows: expected a list"),
    "row a text": (_set("data", "rows", 0, value="济南市"), "data.rows[1]: expected a list"),
    "ragged row": (
        _doc(_ragged),
        "data.rows[3]: expected 10 cells like data.columns; found 9 cells",
    ),
    "cell a table": (
        _set("data", "rows", 0, 2, value={"a": 1}),
        "data.rows[1][3]: expected text or a number",
    ),
    "row numbers": (_set("data", "row_numbers", value="2"), "data.row_numbers: expected a list"),
    "row numbers short": (
        _set("data", "row_numbers", value=[2]),
        "data.row_numbers: expected a list of 16 row numbers",
    ),
    "provenance a list": (_set("provenance", value=[]), "provenance: expected a table of keys"),
    "provenance value": (
        _set("provenance", "scheme SHA-256", value=5),
        "provenance.scheme SHA-256: expected text",
    ),
    "data source a list": (_set("data_source", value=[]), "data_source: expected a table of keys"),
    "data source key": (
        _set("data_source", value={"id": 5}),
        "not a JSON output of fundalloc allocate; found data_source",
    ),
    "deep nesting": (
        _text(
            lambda t: t.replace(
                '"scheme_format"', '"x": ' + "[" * 100_000 + "]" * 100_000 + ', "scheme_format"', 1
            )
        ),
        "not a JSON output of fundalloc allocate; found nested too deeply",
    ),
    "deep cell": (
        _set("data", "columns", 0, value=lambda _: _nested(900)),
        "data.columns[1]: expected text; found a list of 1 items",
    ),
    "scheme deeply dotted": (
        _set("scheme", value=lambda t: t + ".".join(["a"] * 30_000) + " = 1\n"),
        "nested too deeply",
    ),
    "scheme not valid": (
        _set("scheme", value="total = = 1"),
        "(recorded scheme), line 1: not valid TOML",
    ),
}


@pytest.mark.parametrize("case", list(MALFORMED_JSON))
def test_a_malformed_json_output_is_a_data_error(
    case: str, outputs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = copy(outputs, "r.json", tmp_path)
    alter, expected = MALFORMED_JSON[case]
    (_doc(alter) if getattr(alter, "on_document", False) else alter)(path)
    code = main(["verify", str(path)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "internal error" not in err and "Traceback" not in err
    assert expected in err, err


def test_cells_the_table_cannot_take_are_data_errors(
    outputs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = copy(outputs, "r.json", tmp_path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["data"]["rows"][0][2] = 10**400  # an integer beyond binary64
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert main(["verify", str(path)]) == 2
    err = capsys.readouterr().err
    assert "internal error" not in err and "Traceback" not in err
    text = json.dumps(doc, ensure_ascii=False).replace("1" + "0" * 400, "Infinity", 1)
    path.write_text(text, encoding="utf-8")
    assert main(["verify", str(path)]) == 2
    err = capsys.readouterr().err
    assert "internal error" not in err and "Traceback" not in err


# ---------------------------------------------------------------------------------- XLSX
FIRST_ROW = TITLE_ROWS + 2  # the first region's row (1-based) below the title rows and header


def _row_of(sheet: Any, region: str) -> int:
    return next(r[0].row for r in sheet.iter_rows(min_row=2) if r[0].value == region)


def _last_row(sheet: Any) -> int:
    """The total row of the allocation sheet (notes follow it), else the last row."""
    total = [r[0].row for r in sheet.iter_rows(min_row=FIRST_ROW) if r[0].value == "合计"]
    return total[-1] if total else sheet.max_row


def _cell(sheet_index: int, region: str | None, column: int, value: Any) -> Callable[[Any], str]:
    def change(book: Any) -> str:
        sheet = book.worksheets[sheet_index]
        row = _last_row(sheet) if region is None else _row_of(sheet, region)
        sheet.cell(row=row, column=column).value = value
        return f"{sheet.title}!{'ABCDEFGHIJKLM'[column - 1]}{row}"

    return change


def _header_cell(sheet: Any, column: int, value: str) -> str:
    sheet.cell(row=TITLE_ROWS + 1, column=column).value = value
    return ""


def _delete(sheet_index: int, region: str | None, count: int = 1) -> Callable[[Any], str]:
    def change(book: Any) -> str:
        sheet = book.worksheets[sheet_index]
        row = FIRST_ROW if region is None else _row_of(sheet, region)
        sheet.delete_rows(row, count)
        return ""

    return change


XLSX_CHANGES = {
    "amount": (_cell(0, "济南市", 3, 279.4), "济南市 ({ref}): amount 279.4 in the output, 279 now"),
    "target": (
        _cell(0, "济南市", 2, 271.5),
        "济南市 ({ref}): target 271.5 in the output, 270.5310455 now",
    ),
    "share": (
        _cell(0, "济南市", 4, 0.08),
        "济南市 ({ref}): share 0.08 in the output, 0.07506053269 now",
    ),
    "amount as text": (
        _cell(0, "济南市", 3, "279"),
        "济南市 ({ref}): amount the text '279' in the output, 279 now",
    ),
    "total amount": (
        _cell(0, None, 3, 3718),
        "the total row ({ref}): amount 3718 in the output, 3717 now",
    ),
    "total target": (_cell(0, None, 2, 1.0), "the total row ({ref}): target 1 in the output"),
    "total share": (
        _cell(0, None, 4, 0.5),
        "the total row ({ref}): share 0.5 in the output, 1 now",
    ),
    "region removed": (_delete(0, "济南市"), "济南市: missing from the sheet 分配结果"),
    "region renamed": (_cell(0, "济南市", 1, "某市"), "某市 ({ref}): only in the output"),
    "breakdown amount": (
        _cell(1, "济南市", 2, 87.3),
        "济南市, 因素：贫困人口因素/贫困人口规模 ({ref}): amount 87.3 in the output, 87.298865 now",
    ),
    "breakdown bound stage": (
        _cell(1, "济南市", 9, "保底"),
        "济南市, 限额环节 ({ref}): bound stage the text '保底' in the output, '比例调整' now",
    ),
    "breakdown bound name": (
        _cell(1, "济南市", 10, "λ = 2"),
        "济南市, 限额 ({ref}): bound the text 'λ = 2' in the output, 'λ = 1.03183' now",
    ),
    "breakdown rounding": (
        _cell(1, "济南市", 12, 0.5),
        "济南市, 取整 ({ref}): amount 0.5 in the output, -0.141542 now",
    ),
    "breakdown row removed": (_delete(1, "济南市"), "济南市: missing from the sheet 测算明细"),
    "breakdown row added": (
        _cell(1, "济南市", 1, "某市"),
        "某市 ({ref}): only in the output",
    ),
    "breakdown header": (
        lambda book: _header_cell(book.worksheets[1], 2, "人口"),
        "测算明细: header 地区 | 人口 |",
    ),
    "breakdown total": (
        _cell(1, None, 13, 1.0),
        "the total row ({ref}): amount 1 in the output, 3717 now",
    ),
    "weight": (_cell(2, None, 3, 0.5), "({ref}): weight 0.5 in the output"),
    "weight as text": (_cell(2, None, 3, "0.5"), "({ref}): weight the text '0.5' in the output"),
    "factor name": (_cell(2, None, 2, "某因素"), "({ref}): factor the text '某因素' in the output"),
    "factor removed": (_delete(2, None), "分配因素及权重: "),
    "scheme hash": (
        _cell(4, "方案 SHA-256", 2, "0" * 64),
        "scheme SHA-256: 000000000000… in the output",
    ),
}


@pytest.mark.parametrize("change", list(XLSX_CHANGES))
def test_verify_reports_each_number_changed_in_a_workbook(
    change: str, outputs: dict[str, Path], tmp_path: Path
) -> None:
    path = copy(outputs, "r.xlsx", tmp_path)
    book = openpyxl.load_workbook(path)
    alter, expected = XLSX_CHANGES[change]
    ref = alter(book)
    book.save(path)
    differences = verify(path)
    assert any(expected.format(ref=ref) in line for line in differences), differences


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (lambda book: setattr(book.worksheets[0], "title", "结果"), "expected 分配结果"),
        (lambda book: book.remove(book.worksheets[4]), "expected 分配结果"),
        (lambda book: book.worksheets[4].delete_rows(1, 10_000), "no 'scheme' row"),
        (lambda book: book.worksheets[3].delete_rows(1, 10_000), "no header row"),
        (lambda book: setattr(book.worksheets[3]["A1"], "value", 5), "is not text"),
    ],
)
def test_a_damaged_workbook_is_a_data_error(
    damage: Callable[[Any], None],
    expected: str,
    outputs: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = copy(outputs, "r.xlsx", tmp_path)
    book = openpyxl.load_workbook(path)
    damage(book)
    book.save(path)
    assert main(["verify", str(path)]) == 2
    err = capsys.readouterr().err
    assert "not an XLSX output of fundalloc allocate" in err and expected in err, err
    assert "internal error" not in err


# ------------------------------------------------------------- what fundalloc writes verifies
SCHEME_TEXT = (EXAMPLE / "scheme.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "text",
    [
        SCHEME_TEXT.replace("name = ", "# 行\u2028分隔 and \x85 next line\nname = ", 1),
        SCHEME_TEXT.replace('name = "2018年', 'name = "2018\u2028年\u0085'),
        SCHEME_TEXT.replace("\n", "\r\n"),
        "\ufeff" + SCHEME_TEXT,
        SCHEME_TEXT.rstrip("\n"),
        SCHEME_TEXT + "\n\n",
        SCHEME_TEXT.replace("name = ", "# _x0041_ and _x000D_ stay as written\nname = ", 1),
    ],
    ids=[
        "U+2028 and U+0085 in a comment",
        "in a name",
        "CRLF",
        "BOM",
        "no final newline",
        "blank lines at the end",
        "escape-like text",
    ],
)
def test_any_scheme_text_is_recorded_exactly(text: str, tmp_path: Path) -> None:
    shutil.copy(EXAMPLE / "data.csv", tmp_path / "data.csv")
    scheme = tmp_path / "scheme.toml"
    scheme.write_bytes(text.encode("utf-8"))
    for name in ("r.json", "r.xlsx"):
        assert main(["allocate", str(scheme), "-o", str(tmp_path / name)]) == 0
        assert verify(tmp_path / name) == [], name


def _provenance(text: str) -> Provenance:
    return Provenance(
        "s.toml",
        hashlib.sha256(text.encode()).hexdigest(),
        "d.csv",
        "b" * 64,
        "0.0",
        "2024-01-01",
        "3",
    )


@pytest.mark.parametrize(
    "ids",
    [
        # the table refuses control characters in ids; the scheme's names below still hold
        # them (exit 3 from the workbook writer before)
        ("甲市", "乙市", "丙市"),
        ("甲_x0041_", "_x000B_", "丙\r市"),  # text that looks like an escape; a carriage return
        ("甲\ufffe", "乙\u2028市", "丙\x85"),
    ],
)
def test_a_workbook_holds_any_region_id_and_verifies(ids: tuple[str, ...], tmp_path: Path) -> None:
    table = fa.RegionTable.from_columns({"地区": list(ids), "人口": [1, 2, 3]}, id="地区")
    factor = fa.Factor(name="人\x0b口", rule=fa.Share(column="人口"), weight=1)
    scheme = fa.Scheme(total=6, tranches=[fa.Tranche(name="t\x07", share=1, factors=[factor])])
    result = fa.allocate(table, scheme)
    text = dump_scheme(scheme, data=DataSource(), labels={"total": "合\x0b计"})
    out = tmp_path / "r.xlsx"
    out.write_bytes(
        render(
            result,
            "xlsx",
            labels={"total": "合\x0b计"},
            provenance=_provenance(text),
            scheme_text=text,
        )
    )
    book = openpyxl.load_workbook(out)
    shown = [book.worksheets[0].cell(row=r, column=1).value for r in range(2, 5)]
    assert shown[0] != ids[0] or ids[0].isprintable()  # escaped as Excel does, not dropped
    assert verify(out) == []
    for fmt in ("json",):
        path = tmp_path / f"r.{fmt}"
        path.write_bytes(render(result, fmt, provenance=_provenance(text), scheme_text=text))
        assert verify(path) == []


def test_the_control_character_id_through_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = (EXAMPLE / "data.csv").read_text(encoding="utf-8").replace("济南市", "济南\x0b市", 1)
    (tmp_path / "data.csv").write_text(data, encoding="utf-8")
    shutil.copy(EXAMPLE / "scheme.toml", tmp_path / "scheme.toml")
    code = main(["allocate", str(tmp_path / "scheme.toml"), "-o", str(tmp_path / "r.xlsx")])
    err = capsys.readouterr().err
    assert code in (0, 2) and "internal error" not in err, err
    if code == 0:  # the readers may refuse an invisible character in an id: never a crash
        assert verify(tmp_path / "r.xlsx") == []


def test_a_workbook_of_the_previous_version_verifies(
    outputs: dict[str, Path], tmp_path: Path
) -> None:
    # before, the scheme was stored by splitlines(): no row for the text after the last "\n"
    path = copy(outputs, "r.xlsx", tmp_path)
    book = openpyxl.load_workbook(path)
    source = book.worksheets[4]
    assert source.cell(row=source.max_row, column=2).value in (None, "")
    source.delete_rows(source.max_row)
    book.save(path)
    assert verify(path) == []


def test_a_missing_or_broken_output_is_named_in_the_readers_words(tmp_path: Path) -> None:
    from fundalloc.errors import DataError
    from fundalloc.io.verify import verify

    with pytest.raises(DataError) as caught:
        verify(tmp_path / "nosuch.json")
    assert caught.value.render("zh").endswith("nosuch.json：应为一个文件；实际为 没有这个文件")
    broken = tmp_path / "out.json"
    broken.write_text('{"fundalloc": "0.1.0", "x": ', encoding="utf-8")
    with pytest.raises(DataError) as caught:
        verify(broken)
    zh = caught.value.render("zh")
    assert "第 1 行第 29 个字符处的 JSON 语法错误" in zh and "JSONDecodeError" not in zh
    truncated = tmp_path / "out.xlsx"
    truncated.write_bytes(b"PK\x03\x04 not a whole archive")
    with pytest.raises(DataError) as caught:
        verify(truncated)
    assert "BadZipFile" not in caught.value.render("zh")
    assert "not a whole XLSX file" in caught.value.render("en")
