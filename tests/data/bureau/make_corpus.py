"""Write the corpus of bureau files: the Shandong 2018 data the way finance bureaus keep it.

Every file holds the 16 cities of ``examples/shandong_2018/data.csv`` (the tidy table), laid out
as a 测算表 is laid out in practice, so a good file must give exactly the amounts of the tidy run
and a spoiled one must be refused naming the place. The expectations live in ``cases.toml``
beside the files; ``tests/test_bureau_files.py`` runs them.

Run ``python tests/data/bureau/make_corpus.py [FOLDER]`` to (re)write the files into FOLDER
(default: this folder). The output is byte-identical from run to run: XLSX workbooks get fixed
document properties and fixed zip timestamps, so the test suite checks that the committed files
are what this script writes.

The layouts (rows as the sheet shows them)
------------------------------------------
``full`` — what a provincial 测算表 looks like::

    1  2018年省级少数民族发展资金分配测算表          (merged A1:L1)
    2  单位：万元、人                                (merged A2:L2)
    3  序号 | 地区 | 类型 | 人口情况 (D3:F3) | 民族村情况 (G3:H3) | 脱贫难度 (I3:J3) |
           贫困人口档次 | 备注
    4  (under 人口情况) 少数民族贫困人口 | 已脱贫享受政策人口 | 农村少数民族人口 |
       (under 民族村情况) 重点民族村 | 已退出重点民族村 |
       (under 脱贫难度) 因病因残致贫占比 | 农村居民人均可支配收入
       (序号, 地区, 类型, 贫困人口档次, 备注 merged down rows 3-4)
    5-12   一片区: 济南市 … 济宁市 (序号 1-8)
    13     一片区小计
    14     (blank separator)
    15-22  二片区: 泰安市 … 菏泽市 (序号 9-16)
    23     二片区小计
    24     合计
    25     (blank)
    26     注：1.贫困人口为2017年底建档立卡数据；2.威海市无少数民族贫困人口，不参与分配。
    27     数据来源：省扶贫办、省统计局
    28     (blank)
    29     制表人：张三        审核人：李四        2018年9月13日

``simple`` — one header row::

    1  title   2  单位：万元、人   3  header (序号 … 备注)   4-19  the 16 cities
    20 合计 (when the file has one)   21 注：…   22 数据来源：…   23 blank   24 制表人：…

``plain`` — a sheet kept by a script: header in row 1, the cities in rows 2-17, a total in 18.

Subtotals and totals sum the count columns (D-H); the ratio and income columns (I, J) and the
text columns are left empty there, as bureaus do.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
TIDY = HERE.parents[2] / "examples" / "shandong_2018" / "data.csv"

TITLE = "2018年省级少数民族发展资金分配测算表"
UNIT = "单位：万元、人"
NOTE = "注：1.贫困人口为2017年底建档立卡数据；2.威海市无少数民族贫困人口，不参与分配。"
SOURCE = "数据来源：省扶贫办、省统计局"
SIGNATURE = "制表人：张三        审核人：李四        2018年9月13日"

#: The columns of a bureau sheet, A to L, and the group heading over each (None: merged down).
COLUMNS = [
    ("序号", None),
    ("地区", None),
    ("类型", None),
    ("少数民族贫困人口", "人口情况"),
    ("已脱贫享受政策人口", "人口情况"),
    ("农村少数民族人口", "人口情况"),
    ("重点民族村", "民族村情况"),
    ("已退出重点民族村", "民族村情况"),
    ("因病因残致贫占比", "脱贫难度"),
    ("农村居民人均可支配收入", "脱贫难度"),
    ("贫困人口档次", None),
    ("备注", None),
]
NAMES = [name for name, _ in COLUMNS]
#: Columns a subtotal or total adds up.
SUMMED = [
    "少数民族贫困人口",
    "已脱贫享受政策人口",
    "农村少数民族人口",
    "重点民族村",
    "已退出重点民族村",
]
#: Columns shown with a thousands separator ("#,##0"), as Excel then writes them to CSV.
THOUSANDS = {"少数民族贫困人口", "已脱贫享受政策人口", "农村少数民族人口", "农村居民人均可支配收入"}
GROUPS = [("一片区", slice(0, 8)), ("二片区", slice(8, 16))]
WIDTH = len(COLUMNS)

#: The openpyxl that wrote the committed workbooks (another version may write other bytes for
#: the same sheets; the test then compares their contents).
WRITTEN_WITH = "3.1.5"
#: Fixed document properties and zip timestamps, so the bytes never change.
STAMP = dt.datetime(2018, 9, 13, 9, 0, 0)
ZIP_TIME = (2018, 9, 13, 9, 0, 0)


def cities() -> list[dict[str, Any]]:
    """The 16 cities of the tidy example, numbers as ints."""
    with TIDY.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    text = {"地区", "类型", "贫困人口档次"}
    return [{k: v if k in text else int(v) for k, v in row.items()} for row in rows]


def col(name: str) -> int:
    """0-based position of a column in the bureau layout."""
    return NAMES.index(name)


def letter(name: str) -> str:
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[col(name)]


# ------------------------------------------------------------------------------------ sheets
@dataclass
class Sheet:
    """A sheet as rows of cells (row 1 first), with its merged ranges and cell styles."""

    rows: list[list[Any]]
    merges: list[str] = field(default_factory=list)
    #: columns shown with a thousands separator
    thousands: set[str] = field(default_factory=lambda: set(THOUSANDS))

    def put(self, row: int, name: str, value: Any) -> None:
        cells = self.rows[row - 1]
        cells += [None] * (WIDTH - len(cells))
        cells[col(name)] = value

    def find(self, text: str) -> int:
        """The row number whose 地区 cell is ``text``."""
        return next(n for n, r in enumerate(self.rows, 1) if len(r) > 1 and r[1] == text)


def region_row(number: int, city: dict[str, Any]) -> list[Any]:
    return [number, *(city.get(name) for name in NAMES[1:-1]), None]


def total_row(label: str, members: list[dict[str, Any]], *, in_number: bool = False) -> list[Any]:
    row: list[Any] = [None] * WIDTH
    row[0 if in_number else 1] = label
    for name in SUMMED:
        row[col(name)] = sum(c[name] for c in members)
    return row


def full_layout() -> Sheet:
    """Title, unit, a two-row merged header, 序号, two groups with 小计, 合计, notes, signature."""
    data = cities()
    # a merged heading is written once, in its first cell, as Excel keeps and exports it
    upper = [
        group if group and (j == 0 or COLUMNS[j - 1][1] != group) else None if group else name
        for j, (name, group) in enumerate(COLUMNS)
    ]
    lower = [None if group is None else name for name, group in COLUMNS]
    rows: list[list[Any]] = [[TITLE], [UNIT], upper, lower]
    number = 0
    for g, (group, part) in enumerate(GROUPS):
        if g:
            rows.append([])
        for city in data[part]:
            number += 1
            rows.append(region_row(number, city))
        rows.append(total_row(f"{group}小计", data[part]))
    rows.append(total_row("合计", data))
    rows += [[], [NOTE], [SOURCE], [], [SIGNATURE]]
    merges = ["A1:L1", "A2:L2", "D3:F3", "G3:H3", "I3:J3"]
    merges += [f"{c}3:{c}4" for c in "ABCKL"]
    return Sheet(rows, merges)


def simple_layout(*, total: bool = True) -> Sheet:
    """Title, unit, one header row, 序号, the 16 cities, an optional 合计, notes, signature."""
    data = cities()
    rows: list[list[Any]] = [[TITLE], [UNIT], list(NAMES)]
    rows += [region_row(i, city) for i, city in enumerate(data, 1)]
    if total:
        rows.append(total_row("合计", data))
    rows += [[NOTE], [SOURCE], [], [SIGNATURE]]
    return Sheet(rows, ["A1:L1", "A2:L2"])


def plain_layout(total_label: str, *, in_number: bool = False) -> Sheet:
    """Header in row 1 (a sheet kept by a script), the cities, a total row, nothing else."""
    data = cities()
    rows: list[list[Any]] = [list(NAMES)]
    rows += [region_row(i, city) for i, city in enumerate(data, 1)]
    rows.append(total_row(total_label, data, in_number=in_number))
    return Sheet(rows)


# ------------------------------------------------------------------------------------ writers
def write_xlsx(path: Path, sheet: Sheet, *, patch: Callable[[str], str] | None = None) -> None:
    """Write ``sheet`` with openpyxl, then fix its timestamps (and apply ``patch`` to the
    sheet's XML) so that the bytes are the same on every run."""
    import openpyxl
    from openpyxl.styles import Alignment, Font

    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = "测算表"
    for r, cells in enumerate(sheet.rows, 1):
        for c, value in enumerate(cells, 1):
            if value is None:
                continue
            cell = ws.cell(row=r, column=c, value=value)
            name = NAMES[c - 1] if c <= WIDTH else ""
            if name in sheet.thousands and isinstance(value, int):
                cell.number_format = "#,##0"
            if isinstance(value, dt.date):
                cell.number_format = "yyyy/m/d"
    for merged in sheet.merges:
        ws.merge_cells(merged)
    ws["A1"].font = Font(bold=True, size=16)
    ws["A1"].alignment = Alignment(horizontal="center")
    workbook.properties.creator = "张三"
    workbook.properties.title = TITLE
    workbook.properties.created = STAMP
    workbook.properties.modified = STAMP
    buffer = io.BytesIO()
    workbook.save(buffer)
    path.write_bytes(_stable_zip(buffer.getvalue(), patch))


def _stable_zip(data: bytes, patch: Callable[[str], str] | None) -> bytes:
    stamp = STAMP.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "docProps/core.xml":  # openpyxl stamps "modified" at save time
                text = content.decode("utf-8")
                text = re.sub(
                    r"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)", rf"\g<1>{stamp}\2", text
                )
                content = text.encode("utf-8")
            if patch is not None and item.filename == "xl/worksheets/sheet1.xml":
                content = patch(content.decode("utf-8")).encode("utf-8")
            info = zipfile.ZipInfo(item.filename, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            target.writestr(info, content)
    return out.getvalue()


def shown(value: Any, name: str, sheet: Sheet) -> str:
    """A cell as Excel writes it to CSV: its displayed text."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return f"{value.year}/{value.month}/{value.day}"
    if isinstance(value, int) and name in sheet.thousands:
        return f"{value:,}"
    return str(value)


def csv_text(sheet: Sheet, *, width: int = WIDTH, newline: str = "\r\n") -> str:
    """``sheet`` the way Excel's "CSV" writes it: every row padded to the used width,
    displayed values, quotes only where needed, CRLF line ends (unless told otherwise)."""
    names = NAMES + [""] * (width - WIDTH)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    for cells in sheet.rows:
        padded = (list(cells) + [None] * width)[:width]
        writer.writerow([shown(v, names[j], sheet) for j, v in enumerate(padded)])
    return buffer.getvalue()


def write_csv(
    path: Path, sheet: Sheet, *, encoding: str, width: int = WIDTH, newline: str = "\r\n"
) -> None:
    """Write ``sheet`` as :func:`csv_text` in ``encoding``."""
    path.write_bytes(csv_text(sheet, width=width, newline=newline).encode(encoding))


# ------------------------------------------------------------------------------------ corpus
def to_text_numbers(sheet: Sheet, first: int, last: int) -> None:
    """Rows ``first``-``last``: numbers typed as text, with thousands separators and, for some
    cities, full-width digits (as pasted from a Word table or typed with a Chinese IME)."""
    full_width = str.maketrans("0123456789,", "０１２３４５６７８９，")
    for n in range(first, last + 1):
        cells = sheet.rows[n - 1]
        for j, value in enumerate(cells):
            if j == 0 or not isinstance(value, int):
                continue
            text = f"{value:,}"
            cells[j] = text.translate(full_width) if n % 3 == 0 else text


def build(folder: Path) -> list[Path]:
    """Write every file of the corpus into ``folder``; returns the paths written."""
    good, spoiled = folder / "good", folder / "spoiled"
    good.mkdir(parents=True, exist_ok=True)
    spoiled.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def xlsx(path: Path, sheet: Sheet, patch: Callable[[str], str] | None = None) -> None:
        write_xlsx(path, sheet, patch=patch)
        written.append(path)

    def csv_(path: Path, sheet: Sheet, **options: Any) -> None:
        write_csv(path, sheet, **options)
        written.append(path)

    # ---- good: every one must give exactly the amounts of the tidy run
    # the whole bureau layout, as kept in Excel and as Excel saves it to CSV (GB18030, CRLF)
    xlsx(good / "full.xlsx", full_layout())
    csv_(good / "full_gb18030.csv", full_layout(), encoding="gb18030")

    # a heading row above each group (一、一片区), as many 测算表 have
    sheet = full_layout()
    sheet.rows.insert(14, [None, "二、二片区"])
    sheet.rows.insert(4, [None, "一、一片区"])
    xlsx(good / "group_headings.xlsx", sheet)
    csv_(good / "group_headings.csv", sheet, encoding="gb18030")

    # the 合计 first, right under the header (row 4), as many published tables have it
    sheet = simple_layout()
    sheet.rows.insert(3, sheet.rows.pop(19))
    xlsx(good / "total_first.xlsx", sheet)
    csv_(good / "total_first_utf8bom.csv", sheet, encoding="utf-8-sig")

    # numbers typed as text (thousands separators, full-width digits); 合计 in the merged
    # 序号+地区 cell, spelled 合　计 with an ideographic space
    sheet = simple_layout()
    to_text_numbers(sheet, 4, 20)
    sheet.rows[19][0], sheet.rows[19][1] = "合　计", None
    sheet.merges.append("A20:B20")
    xlsx(good / "text_numbers.xlsx", sheet)
    # the same typed into a CSV saved as "CSV UTF-8" (BOM, CRLF); the total spelled 合 计
    sheet = simple_layout()
    to_text_numbers(sheet, 4, 20)
    sheet.rows[19][1] = "合 计"
    csv_(good / "text_numbers_utf8bom.csv", sheet, encoding="utf-8-sig")

    # subtotals and total as =SUM() formulas without cached values (a workbook saved by a
    # program, not by Excel): the rows are recognised and dropped, their check "not checked"
    sheet = full_layout()
    for label, first, last in (("一片区小计", 5, 12), ("二片区小计", 15, 22)):
        n = sheet.find(label)
        for name in SUMMED:
            c = letter(name)
            sheet.put(n, name, f"=SUM({c}{first}:{c}{last})")
    n = sheet.find("合计")
    for name in SUMMED:
        c = letter(name)
        sheet.put(n, name, f"={c}13+{c}23")
    xlsx(good / "formula_totals.xlsx", sheet)

    # a stale <dimension>: the sheet declares A1:D3 while its data runs to L29
    xlsx(
        good / "stale_dimension.xlsx",
        full_layout(),
        patch=lambda xml: re.sub(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:D3"/>', xml),
    )

    # a 7 KB workbook declaring the whole sheet, A1:XFD1048576: read by the cells that exist
    xlsx(
        good / "huge_dimension.xlsx",
        full_layout(),
        patch=lambda xml: re.sub(
            r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:XFD1048576"/>', xml
        ),
    )

    # a CSV written by a script (UTF-8, LF, header in row 1): quoted notes with commas, doubled
    # quotes and a line break (one spreadsheet row, two lines), and a 总计 row at the end
    sheet = plain_layout("总计")
    sheet.put(2, "备注", "含原莱芜市部分村, 见附件1")
    sheet.put(9, "备注", '按"一档"计算\n系数1.1')
    sheet.put(12, "备注", '"重点"民族村已全部退出')
    csv_(good / "quoted_notes.csv", sheet, encoding="utf-8", newline="\n")

    # an XLSX whose 备注 holds an unbalanced quote (harmless: XLSX has no quoting), header in
    # row 1, and a 总计 row whose label sits in the merged 序号+地区 cell
    sheet = plain_layout("总计", in_number=True)
    sheet.merges.append("A18:B18")
    sheet.put(2, "备注", '"见附件')
    sheet.put(10, "备注", '他说"好')
    xlsx(good / "quote_in_cell.xlsx", sheet)

    # ---- spoiled: each must be refused (exit 2), naming the place, writing nothing
    # a 合计 that does not match: 已退出重点民族村 64 typed as 46
    sheet = full_layout()
    sheet.put(24, "已退出重点民族村", 46)
    xlsx(spoiled / "total_mismatch.xlsx", sheet)
    csv_(spoiled / "total_mismatch.csv", sheet, encoding="gb18030")

    # a 小计 that does not match its group: 二片区 少数民族贫困人口 598 typed as 589
    sheet = full_layout()
    sheet.put(23, "少数民族贫困人口", 589)
    xlsx(spoiled / "subtotal_mismatch.xlsx", sheet)
    csv_(spoiled / "subtotal_mismatch.csv", sheet, encoding="utf-8-sig")

    # a region row after the 合计 row (莱芜市 appended below the total)
    sheet = full_layout()
    sheet.rows[24] = [17, "莱芜市", "市", 6, 90, 4000, 0, 1, 59, 15800, "三档", None]
    xlsx(spoiled / "region_after_total.xlsx", sheet)
    csv_(spoiled / "region_after_total.csv", sheet, encoding="gb18030")

    # a row in the middle of the regions (row 14, between the two groups) that reads like a
    # note but holds numbers (莱芜市's figures under a remark): not a note, and not a region
    sheet = full_layout()
    sheet.rows[13] = [None, "注：莱芜市并入济南市后的增量", None, 6, 90, 4000, 0, 1]
    xlsx(spoiled / "note_in_middle.xlsx", sheet)
    csv_(spoiled / "note_in_middle.csv", sheet, encoding="utf-8-sig")

    # a 其中 row under 济南市 (row 5: the part of it that was 莱芜市), holding numbers, in a
    # table with no total to catch the double count: not a region, so an error naming it
    sheet = simple_layout(total=False)
    sheet.rows.insert(4, [None, "其中：莱芜区", None, 6, 90, 4000, 0, 1, 59, 15800, "三档", None])
    xlsx(spoiled / "breakdown_row.xlsx", sheet)
    csv_(spoiled / "breakdown_row.csv", sheet, encoding="gb18030")

    # a formula without a cached value in a region's cell (济宁市 少数民族贫困人口)
    sheet = full_layout()
    sheet.put(12, "少数民族贫困人口", "=60+68")
    xlsx(spoiled / "formula_cell.xlsx", sheet)

    # a date in a number column: 淄博市 已退出重点民族村 "3-5" became 2018-03-05
    sheet = full_layout()
    sheet.put(7, "已退出重点民族村", dt.date(2018, 3, 5))
    xlsx(spoiled / "date_cell.xlsx", sheet)
    csv_(spoiled / "date_cell.csv", sheet, encoding="gb18030")

    # #DIV/0! in a number column: 威海市 因病因残致贫占比 (0 poor / 0), an excluded region
    sheet = full_layout()
    sheet.put(16, "因病因残致贫占比", "#DIV/0!")
    xlsx(spoiled / "div0.xlsx", sheet)
    csv_(spoiled / "div0.csv", sheet, encoding="gb18030")

    # 济宁市 twice, the second id with a zero-width space (pasted from a web system)
    sheet = simple_layout(total=False)
    jining = list(sheet.rows[sheet.find("济宁市") - 1])
    jining[0], jining[1] = 17, "济宁\u200b市"
    sheet.rows.insert(19, jining)
    xlsx(spoiled / "zwsp_duplicate.xlsx", sheet)
    csv_(spoiled / "zwsp_duplicate.csv", sheet, encoding="utf-8-sig")

    # a header twice, the second with a trailing non-breaking space (last year's column, M)
    sheet = simple_layout(total=False)
    sheet.rows[2].append("少数民族贫困人口\u00a0")
    for n, city in enumerate(cities(), 4):
        sheet.rows[n - 1].append(city["少数民族贫困人口"] + 7)
    xlsx(spoiled / "nbsp_header.xlsx", sheet)
    csv_(spoiled / "nbsp_header.csv", sheet, encoding="utf-8-sig", width=WIDTH + 1)

    # `1_320` in a number column (济南市 已脱贫享受政策人口): Python's float reads it, Excel not
    sheet = full_layout()
    sheet.put(5, "已脱贫享受政策人口", "1_320")
    xlsx(spoiled / "underscore_number.xlsx", sheet)
    csv_(spoiled / "underscore_number.csv", sheet, encoding="gb18030")

    # a control character (BEL, U+0007) inside an id; XLSX stores it as Excel does, _x0007_
    sheet = simple_layout()
    sheet.rows[3][1] = "济南_x0007_市"
    xlsx(spoiled / "control_char.xlsx", sheet)
    sheet.rows[3][1] = "济南\x07市"
    csv_(spoiled / "control_char.csv", sheet, encoding="utf-8-sig")

    # the header is not found: 少数民族贫困人口 headed 贫困人口
    sheet = simple_layout()
    sheet.rows[2][col("少数民族贫困人口")] = "贫困人口"
    xlsx(spoiled / "header_not_found.xlsx", sheet)
    csv_(spoiled / "header_not_found.csv", sheet, encoding="gb18030")

    # a negative poor population in 威海市, which the eligibility excludes (totals consistent)
    sheet = full_layout()
    sheet.put(16, "少数民族贫困人口", -3)
    sheet.put(23, "少数民族贫困人口", 595)
    sheet.put(24, "少数民族贫困人口", 988)
    xlsx(spoiled / "negative_excluded.xlsx", sheet)
    csv_(spoiled / "negative_excluded.csv", sheet, encoding="utf-8-sig")

    # an unterminated quote in the unused 备注 column (济南市, row 4): written by hand, since
    # no CSV writer produces it; the rows below must not vanish into the open cell
    lines = csv_text(simple_layout()).split("\r\n")
    assert lines[3].startswith("1,济南市,") and lines[3].endswith(",")
    lines[3] += '"见附件'
    path = spoiled / "unterminated_quote.csv"
    path.write_bytes("\r\n".join(lines).encode("gb18030"))
    written.append(path)
    return written


def main(argv: list[str]) -> int:
    folder = Path(argv[1]) if len(argv) > 1 else HERE
    for path in build(folder):
        print(path.relative_to(folder))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
