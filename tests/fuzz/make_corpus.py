"""Write the seed corpus of the fuzzing harness (tests/fuzz/corpus/*): run from the repository.

    /work/venv/bin/python -m tests.fuzz.make_corpus

Seeds are small, realistic files: a bureau's CSV and XLSX tables (title and unit rows, a 序号
column, 小计 and 合计 rows, notes and signature rows, two-row headers, numbers stored as text,
GB18030), scheme files (the examples and a bureau scheme in TOML and JSON), expressions, and
the outputs of ``fundalloc allocate`` that ``verify`` reads. Crash cases (``crash-*``) are
added by hand from fuzzing runs and are left alone here.
"""

from __future__ import annotations

import datetime
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "corpus"
REPO = CORPUS.parent.parent.parent

TITLE = "2018年某市少数民族发展资金分配测算表"
HEADER = ["地区", "贫困人口", "农村人口"]
ROWS = [
    ["甲县", 1200, 56000],
    ["乙县", 830, 41000],
    ["丙区", 410, 23000],
    ["丁县", 1570, 60500],
    ["戊县", 960, 38800],
]

BUREAU_TOML = """\
# 某市少数民族发展资金：因素法（贫困人口 60%、贫困发生率 40%）80%，农村人口 20%。
schema_version = 1
name = "某市少数民族发展资金"
document = "某财农〔2018〕1号"
total = 1000
step = 0.1
bounds = [
    { kind = "floor", name = "保底 50 万元", amount = 50 },
    { kind = "cap", name = "不超过总额 40%", share = 0.4 },
]

[derived]
"贫困发生率" = "贫困人口 / 农村人口"

[[tranches]]
name = "贫困因素"
share = 0.8
factors = [
    { name = "贫困人口", weight = 0.6, rule = { kind = "share", column = "贫困人口" } },
    { name = "贫困发生率", weight = 0.4, rule = { kind = "share", column = "贫困发生率" } },
]

[[tranches]]
name = "农村人口"
share = 0.2
factors = [{ name = "农村人口", weight = 1, rule = { kind = "share", column = "农村人口" } }]

[data]
path = "../csv/plain.csv"
"""

EXPRESSIONS = {
    "gap": "max(标准支出 - 标准收入, 0)",
    "ratio": "贫困人口 / 农村人口",
    "backticks": "`人均GDP(元)` / 10000",
    "functions": "clip(log(x + 1) * sqrt(abs(y)), 0, 10) + where(x > y, 1, 0)",
    "chained": "0 < x <= 10 and not y == 0 or x // 2 % 3 ** 2",
    "shadow": "min(min, x) + max(x, y, 人口)",
    "unary": "-x + +y - -人口",
    "dunder": "__import__('os').system('true')",
}


def write_csv() -> None:
    folder = CORPUS / "csv"
    lines = [",".join(HEADER)] + [",".join(map(str, r)) for r in ROWS]
    total = ["合计", sum(r[1] for r in ROWS), sum(r[2] for r in ROWS)]
    (folder / "plain.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "gb18030_total.csv").write_bytes(
        ("\r\n".join([*lines, ",".join(map(str, total))]) + "\r\n").encode("gb18030")
    )
    bureau = [
        TITLE,
        "单位：人",
        "序号,地区,贫困人口,农村人口",
        "1,甲县,1200,56000",
        "2,乙县,830,41000",
        "一片区小计,,2030,97000",
        "3,丙区,410,23000",
        "4,丁县,1570,60500",
        "5,戊县,960,38800",
        "二片区小计,,2940,122300",
        "合 计,,4970,219300",
        "注：数据来源于2017年统计年鉴。",
        "制表人：张三  审核人：李四",
    ]
    (folder / "bureau_titles_subtotals.csv").write_text("\n".join(bureau) + "\n", encoding="utf-8")
    text = [
        "地区,贫困人口,农村人口,备注",
        '甲县,"1,200","56,000",',
        "乙县,８３０,４１０００,",
        '丙区,410,23000,"见附件,第 2 页',
        '另有说明"',
        "",
        "丁县, 1570 ,60500,",
        "戊县,960.0,3.88e4,",
    ]
    (folder / "bom_text_numbers.csv").write_bytes(("\r\n".join(text) + "\r\n").encode("utf-8-sig"))
    spoiled = [
        "地区,贫困人口,农村人口",
        "甲县,1200,56000",
        "乙县,-830,41000",
        "丙区,abc,23000",
        "甲县,1,1",
        ",5,5",
        "合计,999,1",
    ]
    (folder / "spoiled.csv").write_text("\n".join(spoiled) + "\n", encoding="utf-8")


def write_xlsx() -> None:
    import openpyxl

    folder = CORPUS / "xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append(row)
    book.save(folder / "plain.xlsx")

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "测算表"
    sheet.append([TITLE])
    sheet.merge_cells("A1:D1")
    sheet.append(["单位：人"])
    sheet.append(["序号", "地区", "贫困人口", "农村人口"])
    for n, row in enumerate(ROWS[:2], start=1):
        sheet.append([n, *row])
    sheet.append(["一片区小计", None, 2030, 97000])
    for n, row in enumerate(ROWS[2:], start=3):
        sheet.append([n, *row])
    sheet.append(["二片区小计", None, 2940, 122300])
    sheet.append(["合计", None, "=SUM(C4:C5)+SUM(C7:C9)", 219300])
    sheet.append(["注：数据来源于2017年统计年鉴。"])
    sheet.append(["制表人：张三", None, "审核人：李四"])
    book.create_sheet("说明").append(["本表为测算用"])
    book.save(folder / "bureau_titles_subtotals.xlsx")

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["地区", "人口情况", None])
    sheet.append([None, "贫困人口", "农村人口"])
    sheet.merge_cells("A1:A2")
    sheet.merge_cells("B1:C1")
    for row in ROWS:
        sheet.append(row)
    book.save(folder / "two_row_header.xlsx")

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([*HEADER, "备注"])
    sheet.append(["甲县", "1,200", "５６０００", "文本数字"])
    sheet.append(["乙县", 830, "=B2*2", "公式无缓存值"])
    sheet.append(["丙区", datetime.date(2018, 5, 27), 23000, "日期"])
    sheet.append(["丁县", "#DIV/0!", 60500, "错误值"])
    sheet.append(["戊县", True, 38800.5, "布尔值"])
    sheet.append(["己县", 1e308, 1e-320, None])
    book.save(folder / "odd_cells.xlsx")


def write_schemes() -> None:
    folder = CORPUS / "scheme"
    shutil.copy(REPO / "examples" / "shandong_2018" / "scheme.toml", folder / "shandong.toml")
    for name in ("partitioned", "overlapping"):
        shutil.copy(REPO / "examples" / "shandong_groups" / f"{name}.toml", folder / f"{name}.toml")
    (folder / "bureau.toml").write_text(BUREAU_TOML, encoding="utf-8")
    import tomllib

    document = tomllib.loads(BUREAU_TOML)
    (folder / "bureau.json").write_text(
        json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


def write_expressions() -> None:
    for name, text in EXPRESSIONS.items():
        (CORPUS / "expression" / f"{name}.txt").write_text(text, encoding="utf-8")


def write_outputs() -> None:
    """Outputs of ``fundalloc allocate``: the Shandong example and the bureau JSON scheme."""
    folder = CORPUS / "verify"
    runs = {
        "shandong": [str(REPO / "examples" / "shandong_2018" / "scheme.toml")],
        "bureau_json_scheme": [
            str(CORPUS / "scheme" / "bureau.json"),
            "--data",
            str(CORPUS / "xlsx" / "plain.xlsx"),
        ],
    }
    with tempfile.TemporaryDirectory() as tmp:
        for name, args in runs.items():
            for suffix in (".json", ".xlsx"):
                out = Path(tmp) / f"{name}{suffix}"
                subprocess.run(
                    [sys.executable, "-m", "fundalloc", "allocate", *args, "-o", str(out)],
                    check=True,
                    capture_output=True,
                )
                shutil.copy(out, folder / out.name)


def main() -> None:
    for name in ("csv", "xlsx", "scheme", "expression", "verify"):
        (CORPUS / name).mkdir(parents=True, exist_ok=True)
    write_csv()
    write_xlsx()
    write_schemes()
    write_expressions()
    write_outputs()


if __name__ == "__main__":
    main()
