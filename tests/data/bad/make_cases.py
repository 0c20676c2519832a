"""Writes the malformed-input corpus: one folder per case, each from the good base case with
one thing broken, and a case.toml saying how fundalloc must fail.

Run from this folder: python make_cases.py (the folders are committed; this documents them).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import tomli_w

HERE = Path(__file__).resolve().parent

SCHEME = """\
schema_version = 1
name = "测试资金"
total = 1000
unit = "万元"

[data]
path = "data.csv"
id = "地区"

[[tranches]]
name = "因素分配"
share = 1
factors = [
  { name = "贫困人口", weight = 0.6, rule = { kind = "share", column = "贫困人口" } },
  { name = "发生率", weight = 0.4, rule = { kind = "ratio", numerator = "贫困人口", denominator = "农村人口" } },
]
coefficients = [{ name = "绩效", rule = { kind = "tiered", column = "等次", tiers = { "A" = 1.1, "B" = 1.0 } } }]

[[bounds]]
kind = "floor"
amount = 50
"""

DATA = """\
地区,贫困人口,农村人口,等次
甲市,500,10000,A
乙市,300,8000,B
丙市,120,9000,B
丁市,80,5000,A
"""


def case(
    name: str,
    message: str,
    *,
    exit: int = 2,
    scheme: str = SCHEME,
    data: str | bytes | None = DATA,
    data_name: str = "data.csv",
    args: str = "allocate scheme.toml -o out.csv",
    scheme_name: str = "scheme.toml",
    extra: dict[str, bytes] | None = None,
    folders: tuple[str, ...] = (),
) -> None:
    folder = HERE / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    for name_of, raw in (extra or {}).items():
        (folder / name_of).write_bytes(raw)
    for sub in folders:  # with a file inside: git keeps no empty folder
        (folder / sub).mkdir()
        (folder / sub / "keep.txt").write_text("a folder the output must not replace\n")
    (folder / scheme_name).write_text(scheme, encoding="utf-8")
    if data is not None:
        path = folder / data_name
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    (folder / "case.toml").write_text(
        tomli_w.dumps({"args": args, "exit": exit, "message": message}), encoding="utf-8"
    )


def output_json(change: Callable[[dict[str, Any]], None] | None = None) -> bytes:
    """A JSON output of the base case as ``fundalloc allocate`` writes it (provenance fixed so
    the file does not change from run to run), then changed by ``change``."""
    import hashlib
    import json
    import tempfile

    from fundalloc.io.outputs import Provenance, render
    from fundalloc.io.schemefile import loads_scheme
    from fundalloc.io.tables import read_table
    from fundalloc.pipeline import allocate

    scheme_file = loads_scheme(SCHEME)
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "data.csv").write_text(DATA, encoding="utf-8")
        table = read_table(
            Path(folder) / "data.csv", id="地区", columns=["贫困人口", "农村人口", "等次"]
        )
    provenance = Provenance(
        "scheme.toml",
        hashlib.sha256(SCHEME.encode()).hexdigest(),
        "data.csv",
        hashlib.sha256(DATA.encode()).hexdigest(),
        "0.1.0",
        created="2026-01-01T00:00:00+00:00",
        python="3.11",
    )
    raw = render(
        allocate(table, scheme_file.scheme),
        "json",
        provenance=provenance,
        data=scheme_file.data,
        scheme_text=SCHEME,
    )
    if change is None:
        return raw
    doc = json.loads(raw)
    change(doc)
    return json.dumps(doc, ensure_ascii=False, indent=1).encode()


def workbook(sheets: dict[str, str]) -> bytes:
    """An XLSX workbook with one sheet per CSV text, its bytes the same on every run (fixed
    dates inside and on each part of the archive)."""
    import datetime
    import io
    import re
    import zipfile

    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, csv_text in sheets.items():
        sheet = book.create_sheet(title)
        for line in csv_text.splitlines():
            sheet.append([int(c) if c.isdigit() else c for c in line.split(",")])
    fixed = datetime.datetime(2026, 1, 1)
    book.properties.created = book.properties.modified = fixed
    raw = io.BytesIO()
    book.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zipped:
        for item in source.infolist():
            part = zipfile.ZipInfo(item.filename, date_time=(2026, 1, 1, 0, 0, 0))
            part.compress_type = zipfile.ZIP_DEFLATED
            raw_part = source.read(item.filename)
            if item.filename == "docProps/core.xml":  # openpyxl stamps the time of saving
                raw_part = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2026-01-01T00:00:00Z", raw_part
                )
            zipped.writestr(part, raw_part)
    return out.getvalue()


def data_with(row: int, column: str, value: str) -> str:
    lines = [line.split(",") for line in DATA.splitlines()]
    lines[row][lines[0].index(column)] = value
    return "\n".join(",".join(line) for line in lines) + "\n"


def main() -> None:
    # ---- data
    case(
        "nan_cell",
        r"data\.csv, row 3, column '贫困人口': expected a number; found 'NaN'",
        data=data_with(2, "贫困人口", "NaN"),
    )
    case(
        "inf_cell",
        r"row 2, column '农村人口': expected a finite number; found infinity",
        data=data_with(1, "农村人口", "inf"),
    )
    case(
        "negative",
        r"row 4, column '贫困人口': expected a number >= 0; found -120",
        data=data_with(3, "贫困人口", "-120"),
    )
    case(
        "text_in_number",
        r"row 5, column '贫困人口': expected a number; found the text 'abc'",
        data=data_with(4, "贫困人口", "abc"),
    )
    case(
        "empty_cell",
        r"row 2, column '农村人口': expected a number; found an empty cell",
        data=data_with(1, "农村人口", ""),
    )
    case(
        "empty_file", r"data\.csv: expected a header row and regions; found an empty file", data=""
    )
    case(
        "header_only",
        r"data\.csv: expected at least one region below the header; found only the header",
        data="地区,贫困人口,农村人口,等次\n",
    )
    case(
        "duplicate_ids",
        r"row 3, column '地区': duplicate region id '甲市'; found it is also in row 2",
        data=data_with(2, "地区", "甲市"),
    )
    case(
        "empty_id",
        r"row 4, column '地区': expected a region id; found an empty cell",
        data=data_with(3, "地区", " "),
    )
    case(
        "missing_column",
        r"no column '农村人口'.*did you mean",
        data=DATA.replace("农村人口", "农村人囗"),
    )
    case("missing_id_column", r"no id column '地区'", data=DATA.replace("地区", "区域"))
    case(
        "duplicate_header",
        r"row 1: expected unique column names; found '贫困人口' more than once",
        data=DATA.replace("农村人口", "贫困人口"),
    )
    case(
        "extra_cells",
        r"row 3: expected at most 4 cells like the header",
        data=DATA.replace("乙市,300,8000,B", "乙市,300,8000,B,9"),
    )
    case(
        "total_row_mismatch",
        r"row 6, column '贫困人口': the total row does not match the column: the regions add up to 1,000; found 1,100",
        data=DATA + "合计,1100,32000,\n",
    )
    case(
        "undecodable",
        r"data\.csv: expected text in UTF-8 or GB18030; found undecodable bytes",
        data=b"\xff\xfe\xff\x80\x80",
    )
    case(
        "zero_denominator",
        r"row 2, column '农村人口': expected a positive denominator",
        data=data_with(1, "农村人口", "0"),
    )
    case(
        "unknown_tier",
        r"row 3, column '等次': expected one of 'A', 'B'; found 'C'",
        data=data_with(2, "等次", "C"),
    )
    case(
        "chinese_bare_key",
        r"line 7: not valid TOML; found Invalid statement \(hint: quote keys that are not plain ASCII",
        scheme=SCHEME.replace("[data]", '[derived]\n缺口 = "贫困人口 * 2"\n\n[data]'),
    )
    case("missing_data_file", r"data\.csv: cannot read the file", data=None)
    case(
        "truncated_xlsx",
        r"data\.xlsx: not a readable XLSX workbook",
        data=b"PK\x03\x04\x14\x00\x00\x00\x08\x00truncated",
        data_name="data.xlsx",
        scheme=SCHEME.replace('path = "data.csv"', 'path = "data.xlsx"'),
    )
    case(
        "legacy_xls",
        r"expected a \.xlsx or \.csv file; found a \.xls file",
        data=b"\xd0\xcf\x11\xe0",
        data_name="data.xls",
        scheme=SCHEME.replace('path = "data.csv"', 'path = "data.xls"'),
    )
    # ---- scheme
    case(
        "weights_not_one",
        r"tranches\[1\].*the weights add up to 1.2 \(贫困人口 0.6 \+ 发生率 0.6\)",
        scheme=SCHEME.replace("weight = 0.4", "weight = 0.6"),
    )
    case(
        "negative_weight",
        r"the weight of '发生率' is negative",
        scheme=SCHEME.replace("weight = 0.4", "weight = -0.4"),
    )
    case(
        "unknown_key",
        r"line 14: tranches\[1\].factors\[1\].weigth: unknown key 'weigth' \(hint: did you mean 'weight'\?\)",
        scheme=SCHEME.replace("weight = 0.6", "weigth = 0.6"),
    )
    case(
        "wrong_type",
        r"line 3: total: expected a number; found 'a lot'",
        scheme=SCHEME.replace("total = 1000", 'total = "a lot"'),
    )
    case(
        "negative_total",
        r"line 3: total: expected a number greater than 0; found -1000",
        scheme=SCHEME.replace("total = 1000", "total = -1000"),
    )
    case(
        "tranche_shares_above_one",
        r"the tranche shares add up to 1.5 \(因素分配 1 \+ 奖励 0.5\)",
        scheme=SCHEME.replace(
            "[[bounds]]",
            '[[tranches]]\nname = "奖励"\nshare = 0.5\nfactors = [{ name = "村", weight = 1, rule = { kind = "share", column = "贫困人口" } }]\n\n[[bounds]]',
        ),
    )
    case(
        "fixed_above_total",
        r"the fixed tranches add up to 2,000 万元 but the total is 1,000 万元",
        scheme=SCHEME.replace("share = 1\n", "amount = 2000\n"),
    )
    case(
        "no_schema_version",
        r"scheme\.toml: expected schema_version = 1 at the top",
        scheme=SCHEME.replace("schema_version = 1\n", ""),
    )
    case(
        "future_schema_version",
        r"schema_version: expected 1; found 2",
        scheme=SCHEME.replace("schema_version = 1", "schema_version = 2"),
    )
    case(
        "toml_syntax",
        r"scheme\.toml, line 3: not valid TOML",
        scheme=SCHEME.replace("total = 1000", "total = = 1000"),
    )
    case(
        "json_syntax",
        r"scheme\.json, line 1: not valid JSON",
        scheme='{"schema_version": 1, "total": }',
        scheme_name="scheme.json",
        args="allocate scheme.json -o out.csv",
    )
    case(
        "unknown_rule_kind",
        r"tranches\[1\].factors\[1\].rule: expected kind to be one of 'share', .*; found 'shares'",
        scheme=SCHEME.replace(
            'kind = "share", column = "贫困人口" }', 'kind = "shares", column = "贫困人口" }'
        ),
    )
    case(
        "unknown_column_in_scheme",
        r"no column '人口总数'",
        scheme=SCHEME.replace('numerator = "贫困人口"', 'numerator = "人口总数"'),
    )
    case(
        "total_not_multiple_of_step",
        r"the total 1,000.5 is not a whole multiple of the step 1",
        scheme=SCHEME.replace("total = 1000", "total = 1000.5"),
    )
    case(
        "unknown_rounding",
        r"line 5: rounding: expected one of 'largest_remainder', .*; found 'bankers'",
        scheme=SCHEME.replace('unit = "万元"', 'unit = "万元"\nrounding = "bankers"'),
    )
    case(
        "dunder_expression",
        r"the name '__import__' is not allowed",
        scheme=SCHEME.replace(
            "[data]", "[derived]\n\"坏\" = \"__import__('os').system('true')\"\n\n[data]"
        ),
    )
    case(
        "attribute_expression",
        r"attribute access is not allowed",
        scheme=SCHEME.replace("[data]", '[derived]\n"坏" = "贫困人口.real"\n\n[data]'),
    )
    case(
        "expression_division_by_zero",
        r"expected a finite number for every region; found .*inf",
        scheme=SCHEME.replace(
            "[data]", '[derived]\n"比" = "贫困人口 / (农村人口 - 10000)"\n\n[data]'
        ),
    )
    # ---- infeasible (exit 1)
    case(
        "floors_above_total",
        r"the floors add up to 1,200 万元 but the total is 1,000 万元",
        exit=1,
        scheme=SCHEME.replace("amount = 50", "amount = 300"),
    )
    case(
        "cap_below_floor",
        r"the cap 40 万元 \(from cap 40 万元\) is below the floor 50 万元",
        exit=1,
        scheme=SCHEME + '\n[[bounds]]\nkind = "cap"\namount = 40\n',
    )
    case(
        "nobody_eligible",
        r"no region meets the scheme's eligibility: 贫困人口 > 10000",
        exit=1,
        scheme=SCHEME.replace(
            "[data]", '[[eligibility]]\ncolumn = "贫困人口"\nop = ">"\nvalue = 10000\n\n[data]'
        ),
    )
    # ---- usage
    case(
        "output_is_input",
        r"the output 'data\.csv' is the data file",
        args="allocate scheme.toml -o data.csv",
    )
    case(
        "output_is_scheme",
        r"the output 'scheme\.toml' is one of the inputs",
        args="allocate scheme.toml -o scheme.toml --format csv",
    )
    case(
        "unknown_output_format",
        r"cannot tell the output format from 'out\.txt'",
        args="allocate scheme.toml -o out.txt",
    )
    # ---- outputs that cannot be written: named as the user gave them, no temporary name
    case(
        "output_folder_missing",
        r"fundalloc: error: no_such_folder/out\.csv: cannot write here: the folder "
        r"'no_such_folder' does not exist",
        args="allocate scheme.toml -o no_such_folder/out.csv",
    )
    case(
        "output_under_a_file",
        r"data\.csv/out\.csv: cannot write here: 'data\.csv' is a file, not a folder",
        args="allocate scheme.toml -o data.csv/out.csv",
    )
    case(
        "output_is_a_folder",
        r"fundalloc: error: results: cannot write here: it is a folder; expected a file name",
        args="allocate scheme.toml -o results --format csv",
        folders=("results",),
    )
    # ---- verify on damaged outputs: a data error (exit 2), never an internal error
    case(
        "verify_not_json",
        r"out\.json: not a JSON output of fundalloc allocate; found a JSON syntax error at line",
        args="verify out.json",
        extra={"out.json": output_json()[:-40]},
    )
    case(
        "verify_scheme_not_text",
        r"out\.json: scheme: expected text; found a table of 1 keys",
        args="verify out.json",
        extra={"out.json": output_json(lambda d: d.update(scheme={"total": 1000}))},
    )
    case(
        "verify_ragged_rows",
        r"out\.json: data\.rows\[2\]: expected 4 cells like data\.columns; found 3 cells",
        args="verify out.json",
        extra={"out.json": output_json(lambda d: d["data"]["rows"][1].pop())},
    )
    case(
        "verify_deep_nesting",
        r"out\.json: not a JSON output of fundalloc allocate; found nested too deeply",
        args="verify out.json",
        extra={
            "out.json": output_json().replace(
                b'"scheme_format"', b'"x": ' + b"[" * 10**5 + b"]" * 10**5 + b', "scheme_format"', 1
            )
        },
    )
    case(
        "verify_amount_not_digits",
        r"out\.json: result\.amounts\.甲市: expected an amount written as digits",
        args="verify out.json",
        extra={
            "out.json": output_json(
                lambda d: d["result"]["amounts"].update({"甲市": "1e999999999"})
            )
        },
    )
    case(
        "verify_scheme_dotted_keys",
        r"out\.json \(recorded scheme\): nested too deeply; found more than 64 levels",
        args="verify out.json",
        extra={
            "out.json": output_json(
                lambda d: d.update(scheme=d["scheme"] + ".".join(["a"] * 30_000) + " = 1\n")
            )
        },
    )
    case(
        "explain_unknown_region",
        r"甲县: no such region \(hint: did you mean '甲市'\?\)",
        args="explain scheme.toml 甲县",
    )
    # ---- command-line options (issue 11)
    case(
        "sheet_unknown",  # the sheet asked for, and the sheets there are
        r"data\.xlsx.*'测算'.*'说明', '数据'",
        args="allocate scheme.toml --sheet 测算 -o out.csv",
        data=workbook({"说明": "本表说明", "数据": DATA}),
        data_name="data.xlsx",
        scheme=SCHEME.replace('path = "data.csv"', 'path = "data.xlsx"'),
    )
    case(
        "sheet_on_csv",
        r"data\.csv: --sheet is for XLSX data files only; found a \.csv file",
        args="allocate scheme.toml --sheet 数据 -o out.csv",
    )
    case(
        "unknown_language",
        r"argument --lang: invalid choice: 'fr' \(choose from 'zh', 'en'\)",
        args="allocate scheme.toml --lang fr -o out.csv",
    )


if __name__ == "__main__":
    main()
