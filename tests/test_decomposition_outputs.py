"""The change decomposition shown: the XLSX sheet (read back with openpyxl, its SUM formulas
recalculated by the ``formulas`` engine) and the waterfall plot of one region's change."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

import fundalloc as fa
from fundalloc.analysis.decompose import PARTS, Decomposition, decompose
from fundalloc.i18n import using
from fundalloc.io.decomposition import write_xlsx
from tests.test_compare import _pair

openpyxl = pytest.importorskip("openpyxl")
pytest.importorskip("xlsxwriter")

ZH_HEADER = ["地区", "调整前", "调整后", "变化", "总额", "数据", "权重与切块", "调节系数",
             "保底封顶与组合约束", "取整", "各部分之和", "核对"]  # fmt: skip
EN_HEADER = ["region", "before", "after", "change", "total", "data", "weights", "coefficients",
             "bounds", "rounding", "sum of the parts", "check"]  # fmt: skip


@pytest.fixture(scope="module")
def decomposition() -> Decomposition:
    before, after = _pair()
    return decompose(before, after, method="shapley")


def _read(path: Path) -> tuple[list[list[object]], list[list[object]]]:
    formulas = openpyxl.load_workbook(path).worksheets[0]
    cached = openpyxl.load_workbook(path, data_only=True).worksheets[0]
    return (
        [list(row) for row in formulas.iter_rows(values_only=True)],
        [list(row) for row in cached.iter_rows(values_only=True)],
    )


def test_the_sheet_reads_back_as_numbers_with_a_total_row(
    decomposition: Decomposition, tmp_path: Path
) -> None:
    path = tmp_path / "causes.xlsx"
    with using("zh"):
        decomposition.to_xlsx(path)
    rows, cached = _read(path)
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    assert sheet.title == "变化原因"
    assert sheet.freeze_panes == "B4"
    assert (
        rows[0][0] == "各地区金额变化原因（沙普利值分解，顺序："
        "总额、数据、权重与切块、调节系数、保底封顶与组合约束）"
    )
    assert rows[1][0] == "单位：万元"
    assert rows[2] == ZH_HEADER
    n = len(decomposition)
    for got, region in zip(rows[3 : 3 + n], decomposition, strict=True):
        assert got[0] == region.region
        numbers = got[1:10]
        assert all(isinstance(v, float | int) for v in numbers)  # numbers, not text
        want = [region.before, region.after, region.change, *(region.parts[p] for p in PARTS)]
        assert [Decimal(repr(v)) for v in numbers] == [Decimal(repr(float(w))) for w in want]
        assert got[10].startswith("=SUM(E") and got[11].startswith("=IF(")
    total = rows[3 + n]
    assert total[0] == "合计"
    assert total[1:11] == [f"=SUM({c}4:{c}{3 + n})" for c in "BCDEFGHIJK"]
    assert cached[3 + n][11] == "是"
    assert len(rows) == 4 + n
    assert not list(tmp_path.glob(".fundalloc-*"))  # written atomically: no temporary left


def test_sum_formulas_recalculate_to_the_change(
    decomposition: Decomposition, tmp_path: Path
) -> None:
    formulas = pytest.importorskip("formulas")
    path = tmp_path / "causes.xlsx"
    with using("en"):
        write_xlsx(decomposition, path)
    rows, _ = _read(path)
    assert rows[2] == EN_HEADER
    solution = formulas.ExcelModel().loads(str(path)).finish().calculate()
    got = {}
    for key, value in solution.items():
        where = key.rsplit("!", 1)[-1]
        if ":" not in where and hasattr(value, "value"):
            got[where] = value.value[0, 0]
    n = len(decomposition)
    for k, region in enumerate(decomposition):
        excel = 4 + k
        assert got[f"K{excel}"] == pytest.approx(float(region.change), rel=1e-12, abs=1e-9)
        assert got[f"L{excel}"] == "yes"
    change = sum((r.change for r in decomposition), Decimal(0))
    assert got[f"K{4 + n}"] == pytest.approx(float(change), abs=1e-9)
    assert got[f"D{4 + n}"] == pytest.approx(float(change), abs=1e-9)
    assert got[f"L{4 + n}"] == "yes"


def test_a_wrong_part_is_caught_by_the_check_column(
    decomposition: Decomposition, tmp_path: Path
) -> None:
    """The check column is not decoration: a part off by one makes it say no."""
    formulas = pytest.importorskip("formulas")
    first = decomposition.regions[0]
    broken = Decomposition(
        decomposition.method,
        decomposition.order,
        decomposition.unit,
        (
            type(first)(
                first.region,
                first.before,
                first.after,
                {**first.parts, "data": first.parts["data"] + 1},
            ),
            *decomposition.regions[1:],
        ),
    )
    path = tmp_path / "broken.xlsx"
    with using("zh"):
        write_xlsx(broken, path)
    solution = formulas.ExcelModel().loads(str(path)).finish().calculate()
    got = {
        key.rsplit("!", 1)[-1]: value.value[0, 0]
        for key, value in solution.items()
        if hasattr(value, "value") and ":" not in key.rsplit("!", 1)[-1]
    }
    assert got["L4"] == "否"
    assert got["L5"] == "是"


def test_an_unwritable_path_is_an_os_error(decomposition: Decomposition, tmp_path: Path) -> None:
    with pytest.raises(OSError) as caught:
        decomposition.to_xlsx(tmp_path / "no such folder" / "causes.xlsx")
    assert caught.value.filename == str(tmp_path / "no such folder" / "causes.xlsx")


def test_a_region_on_one_side_only_leaves_its_other_amount_blank(tmp_path: Path) -> None:
    table = fa.RegionTable.from_columns({"地区": ["甲", "乙"], "人口": [30, 10]}, id="地区")
    factors = (fa.Factor(name="人口", weight=1, rule=fa.Share(column="人口")),)
    scheme = fa.Scheme(total=100, tranches=(fa.Tranche(name="因素", share=1, factors=factors),))
    grown = fa.RegionTable.from_columns(
        {"地区": ["甲", "乙", "丙"], "人口": [30, 10, 10]}, id="地区"
    )
    d = decompose(fa.allocate(table, scheme), fa.allocate(grown, scheme))
    path = tmp_path / "d.xlsx"
    d.to_xlsx(path)
    rows, cached = _read(path)
    assert rows[5][:4] == ["丙", None, 20, 20]
    assert cached[6][11] == "yes"  # the test suite reads English


# ------------------------------------------------------------------------- the waterfall
@pytest.mark.filterwarnings("ignore:Glyph .* missing from font")
@pytest.mark.filterwarnings("ignore::fundalloc.plots.CJKFontWarning")
@pytest.mark.parametrize("orientation", ["horizontal", "vertical"])
def test_waterfall_bars_are_the_parts_and_the_last_is_the_change(
    decomposition: Decomposition, orientation: str
) -> None:
    pytest.importorskip("matplotlib").use("Agg")
    import matplotlib.pyplot as plt

    from fundalloc import plots

    for region in decomposition:
        ax = plots.change_waterfall(
            decomposition,
            region.region,
            lang="en",
            orientation=orientation,  # type: ignore[arg-type]
        )
        try:
            steps, final = ax.containers
            size = "get_width" if orientation == "horizontal" else "get_height"
            start = "get_x" if orientation == "horizontal" else "get_y"
            heights = [float(getattr(p, size)()) for p in steps]
            assert heights == [float(region.parts[p]) for p in PARTS]
            starts = [float(getattr(p, start)()) for p in steps]
            assert starts[0] == 0
            assert starts[1:] == pytest.approx(list(__import__("numpy").cumsum(heights)[:-1]))
            assert float(getattr(final[0], size)()) == float(region.change)
            assert float(getattr(final[0], start)()) == 0
            ticks = ax.get_yticklabels() if orientation == "horizontal" else ax.get_xticklabels()
            assert [t.get_text() for t in ticks] == [*PARTS, "change"]
            assert ax.get_title().startswith(f"{region.region}: ")
        finally:
            plt.close(ax.figure)


@pytest.mark.filterwarnings("ignore:Glyph .* missing from font")
@pytest.mark.filterwarnings("ignore::fundalloc.plots.CJKFontWarning")
def test_waterfall_speaks_chinese_by_default_and_names_a_missing_region(
    decomposition: Decomposition,
) -> None:
    pytest.importorskip("matplotlib").use("Agg")
    import matplotlib.pyplot as plt

    from fundalloc import plots

    region = decomposition.regions[0]
    with using("zh"):
        ax = plots.change_waterfall(decomposition, region.region)
    try:
        labels = [t.get_text() for t in ax.get_yticklabels()]
        assert labels == [
            "总额",
            "数据",
            "权重与切块",
            "调节系数",
            "保底封顶与组合约束",
            "取整",
            "变化",
        ]
        before = fa.money.format_amount(region.before)
        assert ax.get_title().startswith(f"{region.region}：{before} → ")
        assert "万元，变化 " in ax.get_title()
    finally:
        plt.close(ax.figure)
    with pytest.raises(fa.SchemeError) as caught:
        plots.change_waterfall(decomposition, "戊市")
    assert caught.value.render("zh").startswith("戊市：")
    with pytest.raises(fa.SchemeError, match="orientation"):
        plots.change_waterfall(decomposition, region.region, orientation="diagonal")  # type: ignore[arg-type]
