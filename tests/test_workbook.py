"""The calculation sheet (测算表) recalculates to fundalloc's own numbers.

Each workbook is recalculated by an independent engine — the ``formulas`` package, and
LibreOffice where it is installed — and every formula cell must come back equal (to
1e-9 relative, and 1e-9 of the total absolute for cells near zero such as the 尾差
total) to the number fundalloc wrote as its cached value; those cached values are in
turn checked against the allocation's trace.
"""

from __future__ import annotations

import io
import math
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import fundalloc as fa
from fundalloc.io.schemefile import load_scheme
from fundalloc.io.workbook import calculation_workbook, write_calculation_sheet

openpyxl = pytest.importorskip("openpyxl")
xlsxwriter = pytest.importorskip("xlsxwriter")

EXAMPLE = Path(__file__).parent.parent / "examples" / "shandong_2018" / "scheme.toml"
FIRST = 6  # the first region row (1-based): title, unit, two header rows, parameters


# ------------------------------------------------------------------------------ the cases
def shandong() -> fa.Allocation:
    loaded = load_scheme(EXAMPLE)
    path = loaded.data_path()
    assert path is not None
    table = fa.read_table(path, id=loaded.data.id)
    return fa.allocate(table, loaded.scheme)


CITIES = fa.RegionTable.from_records(
    [
        {"地区": "甲市", "人口": 500, "村": 2, "收入": 1.2, "档次": "A", "上年": 40, "类型": "市"},
        {"地区": "乙市", "人口": 300, "村": 5, "收入": 0.8, "档次": "B", "上年": 35, "类型": "市"},
        {"地区": "丙县", "人口": 120, "村": 1, "收入": 0.7, "档次": "C", "上年": 20, "类型": "县"},
        {"地区": "丁县", "人口": 60, "村": 0, "收入": 1.1, "档次": "A", "上年": 9, "类型": "县"},
        {"地区": "戊县", "人口": 20, "村": 3, "收入": 0.9, "档次": "B", "上年": 6, "类型": "县"},
    ],
    id="地区",
)


def _factor(name: str, column: str, weight: float) -> fa.Factor:
    return fa.Factor(name=name, rule=fa.Share(column=column), weight=weight)


def floor_and_cap() -> fa.Allocation:
    """A floor and a cap that both bind (丁县 and 戊县 raised, 甲市 held down)."""
    scheme = fa.Scheme(
        total=200,
        tranches=[
            fa.Tranche(name="因素", share=1, factors=[_factor("人口", "人口", 1)]),
        ],
        bounds=[fa.Floor(name="保底 15", amount=15), fa.Cap(name="封顶 30%", share=0.3)],
    )
    result = fa.allocate(CITIES, scheme)
    limits, bounded = result.trace.limits, result.trace.bounded
    assert np.isclose(bounded, limits.lower).any() and np.isclose(bounded, limits.upper).any()
    return result


def coefficient_tier() -> fa.Allocation:
    """A tiered coefficient and an inverse coefficient, with a per-capita floor."""
    scheme = fa.Scheme(
        total=150,
        tranches=[
            fa.Tranche(
                name="因素",
                share=1,
                factors=[_factor("人口", "人口", 0.7), _factor("村", "村", 0.3)],
                coefficients=[
                    fa.Coefficient(
                        name="绩效系数",
                        rule=fa.Tiered(column="档次", tiers={"A": 1.2, "B": 1.0, "C": 0.8}),
                    ),
                    fa.Coefficient(name="财力系数", rule=fa.Inverse(column="收入")),
                ],
            )
        ],
        bounds=[fa.Floor(per="人口", rate=0.1)],
    )
    return fa.allocate(CITIES, scheme)


def two_tranches() -> fa.Allocation:
    """Two tranches, the second only for counties, under a scheme eligibility; a ratio, an
    inverse indicator over the regions taking part, a hold-harmless floor and a growth
    cap; money to 0.01."""
    scheme = fa.Scheme(
        total=Decimal("123.45"),
        step=Decimal("0.01"),
        eligibility=[fa.Condition(column="人口", op=">=", value=30)],
        tranches=[
            fa.Tranche(
                name="人口因素",
                share=0.8,
                factors=[
                    _factor("人口", "人口", 0.4),
                    fa.Factor(
                        name="人均村数",
                        rule=fa.Ratio(numerator="村", denominator="人口"),
                        weight=0.4,
                    ),
                    fa.Factor(name="财力", rule=fa.Inverse(column="收入"), weight=0.2),
                ],
            ),
            fa.Tranche(
                name="县域",
                share=0.2,
                eligibility=[
                    fa.Condition(column="类型", op="in", value=("县",)),
                    fa.Condition(column="档次", op="!=", value="Z"),
                ],
                factors=[_factor("村", "村", 1)],
            ),
        ],
        bounds=[fa.HoldHarmless(column="上年", ratio=0.5), fa.GrowthCap(column="上年", ratio=2)],
    )
    return fa.allocate(CITIES, scheme)


def quota_tranche() -> fa.Allocation:
    """A fixed amount, a quota per village and the rest by population, nested; a floor."""
    scheme = fa.Scheme(
        total=300,
        tranches=[
            fa.Tranche(name="定额", quota=fa.Quota(column="村", rate=10)),
            fa.Tranche(
                name="因素",
                share=1,
                tranches=[
                    fa.Tranche(name="固定", amount=Decimal(50), factors=[_factor("村", "村", 1)]),
                    fa.Tranche(name="人口", share=1, factors=[_factor("人口", "人口", 1)]),
                ],
            ),
        ],
        bounds=[fa.Floor(amount=40)],
    )
    return fa.allocate(CITIES, scheme)


def nested_quota() -> fa.Allocation:
    """A quota inside a tranche only for counties: the quota follows its parent's regions."""
    scheme = fa.Scheme(
        total=200,
        tranches=[
            fa.Tranche(name="全部", share=0.5, factors=[_factor("人口", "人口", 1)]),
            fa.Tranche(
                name="县级",
                share=0.5,
                eligibility=[fa.Condition(column="类型", op="==", value="县")],
                tranches=[
                    fa.Tranche(name="村定额", quota=fa.Quota(column="村", rate=2)),
                    fa.Tranche(name="县人口", share=1, factors=[_factor("人口", "人口", 1)]),
                ],
            ),
        ],
    )
    result = fa.allocate(CITIES, scheme)
    quota = next(leaf for leaf in result.trace.leaves if leaf.tranche.quota is not None)
    assert not quota.taking_part.all()  # 乙市 has villages but is not a county
    return result


def half_up() -> fa.Allocation:
    """Independent half-up rounding: a residual (尾差) is left unallocated."""
    scheme = fa.Scheme(
        total=100,
        rounding="half_up",
        tranches=[fa.Tranche(name="因素", share=1, factors=[_factor("村", "村", 1)])],
    )
    result = fa.allocate(CITIES, scheme)
    assert result.unallocated != 0
    return result


def group_constraint() -> fa.Allocation:
    """A group cap: the bounded amounts are values (each group has its own multiplier)."""
    scheme = fa.Scheme(
        total=100,
        tranches=[fa.Tranche(name="因素", share=1, factors=[_factor("人口", "人口", 1)])],
        constraints=[
            fa.GroupCap(where=[fa.Condition(column="类型", op="==", value="市")], share=0.6)
        ],
    )
    return fa.allocate(CITIES, scheme)


def values_only_rules() -> fa.Allocation:
    """A product with an exponent and a max of two formulas: shares are values; a derived
    column is a value the formulas use."""
    scheme = fa.Scheme(
        total=90,
        derived={"规模": "人口 * 2 + 村"},
        tranches=[
            fa.Tranche(
                name="因素",
                share=1,
                factors=[
                    fa.Factor(
                        name="乘积",
                        rule=fa.Product(
                            terms=[fa.Term(column="人口"), fa.Term(column="收入", exponent=-0.5)]
                        ),
                        weight=0.5,
                    ),
                    fa.Factor(
                        name="取大",
                        rule=fa.Max(of=[fa.Share(column="人口"), fa.Share(column="村")]),
                        weight=0.3,
                    ),
                    _factor("规模", "规模", 0.2),
                ],
            )
        ],
    )
    return fa.allocate(CITIES, scheme)


CASES = {
    "shandong": shandong,
    "floor_and_cap": floor_and_cap,
    "coefficient_tier": coefficient_tier,
    "two_tranches": two_tranches,
    "quota_tranche": quota_tranche,
    "nested_quota": nested_quota,
    "half_up": half_up,
    "group_constraint": group_constraint,
    "values_only_rules": values_only_rules,
}
#: The formulas engine parses a formula in about 10 ms (and imports scipy once, 8 s): the
#: cases beyond the five the issue names run with --run-slow.
SLOW_FOR_FORMULAS = {"half_up", "group_constraint", "values_only_rules"}


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[fa.Allocation, Path]]:
    folder = tmp_path_factory.mktemp("books")
    out = {}
    for name, case in CASES.items():
        result = case()
        path = folder / f"{name}.xlsx"
        path.write_bytes(calculation_workbook(result))
        out[name] = (result, path)
    return out


# ------------------------------------------------------------------------------ reading
def formula_cells(path: Path) -> dict[str, tuple[str, Any]]:
    """Every formula cell of the sheet: coordinate -> (formula, cached value)."""
    formulas = openpyxl.load_workbook(path).worksheets[0]
    cached = openpyxl.load_workbook(path, data_only=True).worksheets[0]
    return {
        cell.coordinate: (cell.value, cached[cell.coordinate].value)
        for row in formulas.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and cell.value.startswith("=")
    }


def same(got: Any, want: Any, scale: float) -> bool:
    if isinstance(want, bool | str):
        return bool(got == want)
    if isinstance(got, str) or got is None:
        return False
    return math.isclose(float(got), float(want), rel_tol=1e-9, abs_tol=1e-9 * scale)


def columns_by_header(path: Path) -> dict[str, int]:
    """Header (second header row, or the merged first one) -> 1-based column."""
    sheet = openpyxl.load_workbook(path).worksheets[0]
    out: dict[str, int] = {}
    for cell in sheet[4]:
        if cell.value is not None:
            out.setdefault(str(cell.value), cell.column)
    for cell in sheet[3]:
        if cell.value is not None:
            out.setdefault(str(cell.value), cell.column)
    return out


def column_values(sheet: Any, headers: dict[str, int], header: str, n: int) -> list[Any]:
    col = headers[header]
    return [sheet.cell(row=FIRST + i, column=col).value for i in range(n)]


def stored(values: np.ndarray) -> list[float]:
    """Numbers as XlsxWriter stores a number cell: 16 significant digits (Excel shows 15);
    a formula's cached value keeps every digit."""
    return [float(f"{v:.16G}") for v in values.tolist()]


def in_rows(result: fa.Allocation, values: np.ndarray) -> np.ndarray:
    out = np.empty_like(values)
    out[result.trace.order] = values
    return out


# ------------------------------------------------------------------------------ the tests
@pytest.mark.parametrize("name", list(CASES))
def test_cached_values_are_fundallocs_numbers(
    books: dict[str, tuple[fa.Allocation, Path]], name: str
) -> None:
    """Before any recalculation the sheet shows the trace's numbers and the exact amounts."""
    result, path = books[name]
    n = len(result.table)
    trace = result.trace
    book = openpyxl.load_workbook(path, data_only=True)
    sheet, headers = book.worksheets[0], columns_by_header(path)
    assert column_values(sheet, headers, "地区", n) == list(result.table.ids)
    amounts = column_values(sheet, headers, "分配金额", n)
    assert [Decimal(repr(a)) for a in amounts] == list(result.amounts.values())
    bounded = column_values(sheet, headers, "限额调整后", n)
    assert bounded == in_rows(result, trace.bounded).tolist()  # formulas: cached exactly
    header = "测算数合计" if len(trace.leaves) > 1 else "测算数"
    targets = column_values(sheet, headers, header, n)
    assert targets == in_rows(result, trace.targets).tolist()
    checks = column_values(sheet, headers, "核对", n + 1)
    assert checks[:n] == ["是"] * n
    assert checks[n] == ("否" if result.unallocated else "是")
    sheet_name, cell = next(iter(book.defined_names["λ"].destinations))
    assert book[sheet_name][cell].value == stored(np.array([trace.multiplier]))[0]
    sheet_name, cell = next(iter(book.defined_names["总额"].destinations))
    assert Decimal(repr(book[sheet_name][cell].value)) == result.total


@pytest.mark.parametrize(
    "name",
    [pytest.param(n, marks=pytest.mark.slow) if n in SLOW_FOR_FORMULAS else n for n in CASES],
)
def test_formulas_recalculate_to_fundallocs_numbers(
    books: dict[str, tuple[fa.Allocation, Path]], name: str
) -> None:
    """The ``formulas`` engine recalculates every formula cell to the cached number."""
    formulas = pytest.importorskip("formulas")
    result, path = books[name]
    cells = formula_cells(path)
    assert len(cells) > 5 * len(result.table)
    model = formulas.ExcelModel().loads(str(path)).finish()
    solution = model.calculate()
    got = {}
    for key, value in solution.items():
        where = key.rsplit("!", 1)[-1]
        if ":" not in where and hasattr(value, "value"):
            got[where] = value.value[0, 0]
    scale = float(result.total)
    wrong = {
        coordinate: (formula, cached, got.get(coordinate))
        for coordinate, (formula, cached) in cells.items()
        if not same(got.get(coordinate), cached, scale)
    }
    assert not wrong


@pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed"
)
def test_libreoffice_recalculates_to_fundallocs_numbers(
    books: dict[str, tuple[fa.Allocation, Path]], tmp_path: Path
) -> None:
    """LibreOffice, told to recalculate every formula on load, gets the same numbers.

    A canary cell whose cached value is wrong (``=1+1`` cached as 5) proves the
    recalculation happened."""
    profile = tmp_path / "profile" / "user"
    profile.mkdir(parents=True)
    (profile / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        '<item oor:path="/org.openoffice.Office.Calc/Formula/Load">'
        '<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>\n'
        "</oor:items>\n",
        encoding="utf-8",
    )
    canary = tmp_path / "canary.xlsx"
    book = xlsxwriter.Workbook(str(canary))
    book.add_worksheet().write_formula("A1", "=1+1", None, 5)
    book.close()
    out = tmp_path / "out"
    sources = [str(canary)] + [str(path) for _, path in books.values()]
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            *sources,
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    assert openpyxl.load_workbook(out / "canary.xlsx", data_only=True).active["A1"].value == 2
    for name, (result, path) in books.items():
        recalculated = openpyxl.load_workbook(out / path.name, data_only=True).worksheets[0]
        scale = float(result.total)
        wrong = {
            coordinate: (formula, cached, recalculated[coordinate].value)
            for coordinate, (formula, cached) in formula_cells(path).items()
            if not same(recalculated[coordinate].value, cached, scale)
        }
        assert not wrong, name


def test_derived_cells_are_formulas_or_explained(
    books: dict[str, tuple[fa.Allocation, Path]],
) -> None:
    """In every region row a cell is an input, a formula, or a value whose column header
    carries a comment saying why; the shares a formula cannot express are such values."""
    for name, (result, path) in books.items():
        sheet = openpyxl.load_workbook(path).worksheets[0]
        n = len(result.table)
        explained = {cell.column for cell in sheet[4] if cell.comment is not None}
        inputs = {
            cell.column
            for cell in sheet[FIRST]
            if cell.fill.fgColor.rgb and cell.fill.fgColor.rgb.endswith("DDEBF7")
        }
        for col in range(1, sheet.max_column + 1):
            cells = [sheet.cell(row=FIRST + i, column=col).value for i in range(n)]
            is_formula = [isinstance(v, str) and v.startswith("=") for v in cells]
            if col in inputs:
                assert not any(is_formula), (name, col)
            elif not all(is_formula):
                assert col in explained, (name, sheet.cell(row=4, column=col).value)
    headers = columns_by_header(books["values_only_rules"][1])
    sheet = openpyxl.load_workbook(books["values_only_rules"][1]).worksheets[0]
    for header in ("乘积份额", "取大份额", "规模"):
        assert sheet.cell(row=4, column=headers[header]).comment is not None
    assert str(sheet.cell(row=FIRST, column=headers["规模份额"]).value).startswith("=")
    group_sheet = openpyxl.load_workbook(books["group_constraint"][1]).worksheets[0]
    column = columns_by_header(books["group_constraint"][1])["限额调整后"]
    assert "组合约束" in group_sheet.cell(row=4, column=column).comment.text


def test_the_formulas_are_the_documented_ones(
    books: dict[str, tuple[fa.Allocation, Path]],
) -> None:
    """Shares over the column sum, weighted amounts from the parameter row, λ named."""
    result, path = books["floor_and_cap"]
    sheet = openpyxl.load_workbook(path).worksheets[0]
    headers = columns_by_header(path)
    letter = {h: openpyxl.utils.get_column_letter(c) for h, c in headers.items()}
    n = len(result.table)
    last = FIRST + n - 1
    people, share = letter["人口"], letter["人口份额"]
    assert (
        sheet[f"{share}{FIRST}"].value == f"={people}{FIRST}/SUM({people}${FIRST}:{people}${last})"
    )
    assert sheet[f"{letter['人口金额']}{FIRST}"].value == f"=${letter['人口金额']}$5*{share}{FIRST}"
    target, low, high = letter["测算数"], letter["保底"], letter["封顶"]
    assert sheet[f"{letter['限额调整后']}{FIRST}"].value == (
        f"=MIN(MAX(λ*{target}{FIRST},{low}{FIRST}),{high}{FIRST})"
    )
    assert (
        sheet[f"{letter['分配金额']}{last + 1}"].value
        == f"=SUM({letter['分配金额']}${FIRST}:{letter['分配金额']}${last})"
    )


def test_text_stays_text() -> None:
    """A region named like a formula is written as text, not as a formula."""
    table = fa.RegionTable.from_records(
        [{"地区": "=1+1", "人口": 3}, {"地区": '=HYPERLINK("x")', "人口": 1}], id="地区"
    )
    scheme = fa.Scheme(
        total=8, tranches=[fa.Tranche(name="因素", share=1, factors=[_factor("人口", "人口", 1)])]
    )
    sheet = openpyxl.load_workbook(io.BytesIO(calculation_workbook(fa.allocate(table, scheme))))
    cells = sheet.worksheets[0]
    assert [cells.cell(row=FIRST + i, column=1).value for i in range(2)] == [
        "=1+1",
        '=HYPERLINK("x")',
    ]
    assert all(cells.cell(row=FIRST + i, column=1).data_type == "s" for i in range(2))


def test_english_and_labels() -> None:
    result = floor_and_cap()
    data = calculation_workbook(result, lang="en", labels={"region": "county"})
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book["calculation sheet"]
    assert sheet["A3"].value == "county"
    words = {c.value for c in sheet[4]} | {c.value for c in sheet[3]}
    assert {"floor", "cap", "bounded", "amount", "rounding residual", "check"} <= words
    with pytest.raises(fa.SchemeError, match="unknown language"):
        calculation_workbook(result, lang="fr")  # type: ignore[arg-type]


def test_print_and_view_setup(books: dict[str, tuple[fa.Allocation, Path]]) -> None:
    """Title merged over the table, frozen header, A4 landscape one page wide, header rows
    repeated, 合计 row of SUMs, widths that fit the Chinese headers' wrapped lines."""
    result, path = books["shandong"]
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    assert sheet["A1"].value == "2018年中央及省少数民族发展资金（鲁民发〔2018〕47号）"
    assert f"A1:{openpyxl.utils.get_column_letter(sheet.max_column)}1" in {
        str(r) for r in sheet.merged_cells.ranges
    }
    assert sheet["A2"].value == "单位：万元"
    assert sheet.freeze_panes == f"B{FIRST}"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.paperSize == 9
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.fitToWidth in (None, 1)  # 1 is the default, left out
    assert sheet.page_setup.fitToHeight == 0
    assert sheet.print_title_rows == "$3:$5"
    total_row = FIRST + len(result.table)
    assert sheet.cell(row=total_row, column=1).value == "合计"
    for col in range(2, sheet.max_column + 1):
        width = sheet.column_dimensions[openpyxl.utils.get_column_letter(col)].width
        assert width >= 8


def test_constant_memory_and_reproducible(monkeypatch: pytest.MonkeyPatch) -> None:
    """The sheet is written row by row (so a constant_memory workbook takes it), and the
    same allocation gives the same bytes under SOURCE_DATE_EPOCH."""
    result = quota_tranche()
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": True})
    write_calculation_sheet(book, result)
    book.close()
    streamed = openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).worksheets[0]
    regular = openpyxl.load_workbook(io.BytesIO(calculation_workbook(result))).worksheets[0]
    assert [[c.value for c in row] for row in streamed.iter_rows()] == [
        [c.value for c in row] for row in regular.iter_rows()
    ]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert calculation_workbook(result) == calculation_workbook(result)


def test_beside_other_sheets() -> None:
    """Added after other sheets and under a name with a quote, the names λ and 总额 point at
    the calculation sheet's parameter cells."""
    result = floor_and_cap()
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.add_worksheet("分配结果").write_string(0, 0, "x")
    sheet = write_calculation_sheet(book, result, name="O'Brien 测算")
    book.close()
    assert sheet.name == "O'Brien 测算"
    loaded = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()), data_only=True)
    assert loaded.sheetnames == ["分配结果", "O'Brien 测算"]
    for name, want in (("λ", result.multiplier), ("总额", float(result.total))):
        sheet_name, cell = next(iter(loaded.defined_names[name].destinations))
        sheet_name = sheet_name.replace("''", "'")  # openpyxl leaves Excel's quoting
        assert sheet_name == "O'Brien 测算"
        assert loaded[sheet_name][cell].value == pytest.approx(want, rel=1e-15)
