"""The columnar Allocation: breakdown columns that add up exactly, one region's breakdown
without the others', exact quantisation, numeric tables, and explain / verify / outputs
in Chinese and English from the catalogue."""

from __future__ import annotations

import json
import random
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import numpy as np
import pytest

import fundalloc as fa
from fundalloc.errors import SchemeError
from fundalloc.i18n import using
from fundalloc.io.outputs import Provenance, render
from fundalloc.io.verify import verify
from fundalloc.result import _quantise, plain_decimal

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "shandong_2018" / "scheme.toml"


@pytest.fixture(scope="module")
def shandong() -> fa.Allocation:
    loaded = fa.load_scheme(EXAMPLE)
    path = loaded.data_path()
    assert path is not None
    return fa.allocate(fa.read_table(path, id="地区"), loaded.scheme)


def test_every_breakdown_adds_up_exactly_to_its_amount(shandong: fa.Allocation) -> None:
    for region, parts in shandong.breakdown.items():
        assert sum((i.amount for i in parts.items), Decimal(0)) == parts.amount
        assert parts.amount == shandong.amounts[region]
    columns = shandong.breakdown_columns
    total = sum(c.quanta for c in columns.items) + columns.bound + columns.rounding
    assert (total == columns.amount).all()


def test_one_region_is_read_without_building_every_region(shandong: fa.Allocation) -> None:
    fresh = fa.Allocation(table=shandong.table, scheme=shandong.scheme, trace=shandong.trace)
    one = fresh.breakdown["临沂市"]
    assert "breakdown_columns" not in fresh.__dict__
    assert "amounts" not in fresh.__dict__
    assert one == shandong.breakdown_columns.region(shandong.ids.index("临沂市"))
    assert [i.stage for i in one.items][-2:] == ["cap", "rounding"]
    assert "临沂市" in fresh.breakdown and "某市" not in fresh.breakdown
    with pytest.raises(fa.DataError, match="did you mean '临沂市'"):
        fresh.breakdown["临沂"]


def test_quantise_is_decimal_quantize_exactly() -> None:
    rng = random.Random(7)
    values = [rng.uniform(-1e6, 1e6) for _ in range(2000)]
    values += [k + 0.5e-6 for k in range(50)]  # halves of the quantum, as close as binary64 gets
    values += [2.5e-6, -2.5e-6, 0.0, 1e12 + 0.123456789, 4.5e9 + 1e-7]
    got = _quantise(np.array(values), -6)
    want = [
        int(Decimal(v).quantize(Decimal("1e-6"), rounding=ROUND_HALF_EVEN).scaleb(6))
        for v in values
    ]
    assert [int(g) for g in got] == want


def test_tables_are_numeric_with_names_in_the_language(shandong: fa.Allocation) -> None:
    frame = shandong.to_pandas(lang="en", detail=True)
    assert list(frame.columns[:6]) == [
        "地区",
        "formula target",
        "bounded amount",
        "amount (万元)",
        "steps",
        "share",
    ]
    assert str(frame["amount (万元)"].dtype) == "float64"
    assert str(frame["steps"].dtype) == "int64"
    assert frame["steps"].sum() == 3717
    assert "cap" in frame.columns and "rounding" in frame.columns
    zh = shandong.to_dataframe(lang="zh", exact=True)
    assert "分配金额（万元）（精确）" in zh.columns
    assert zh["分配金额（万元）（精确）"].iloc[0] == Decimal(279)
    pytest.importorskip("pyarrow")
    arrow = shandong.to_arrow(lang="en", exact=True)
    assert str(arrow.schema.field("steps").type) == "int64"
    assert str(arrow.schema.field("amount (万元) (exact)").type).startswith("decimal128")
    pytest.importorskip("polars")
    polars = shandong.to_polars(lang="en")
    assert polars["steps"].sum() == 3717


def test_explain_in_both_languages(shandong: fa.Allocation) -> None:
    zh = shandong.explain("临沂市")
    en = shandong.explain("临沂市", lang="en")
    assert zh.splitlines()[0] == "临沂市：446 万元"
    assert "  封顶（单市不超过总额 12%，受封顶限制）：−6.97508 万元" in zh.splitlines()
    assert "  取整（最大余额法，单位 1 万元）：−0.039999 万元" in zh.splitlines()
    assert en.splitlines()[0] == "临沂市: 446 万元"
    assert "  cap (单市不超过总额 12%, held at its cap): −6.97508 万元" in en.splitlines()
    assert "  rounding (largest remainder, step 1 万元): −0.039999 万元" in en.splitlines()
    with pytest.raises(SchemeError):
        shandong.explain("临沂市", lang="fr")  # type: ignore[arg-type]


def test_an_unknown_output_format_is_an_error(shandong: fa.Allocation) -> None:
    provenance = Provenance("s", "", "d", "", "v")
    with pytest.raises(SchemeError, match="unknown output format 'pdf'"):
        render(shandong, "pdf", provenance=provenance)  # type: ignore[arg-type]


def test_verify_speaks_chinese_and_english(shandong: fa.Allocation, tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_bytes(render(shandong, "json", provenance=Provenance("s", "", "d", "", "v")))
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["result"]["amounts"]["济南市"] = "280"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    with using("zh"):
        assert verify(path) == ["济南市：金额在输出中为 280，现在为 279"]
    with using("en"):
        assert verify(path) == ["济南市: amount 280 in the output, 279 now"]
    path.write_text("{", encoding="utf-8")
    with pytest.raises(fa.DataError) as error:
        verify(path)
    assert "不是 `fundalloc allocate` 生成的 JSON 输出" in error.value.render("zh")


def test_pages_speak_one_language(shandong: fa.Allocation) -> None:
    provenance = Provenance("s", "ab" * 32, "d", "cd" * 32, "v", "2026-01-01T00:00:00")
    zh = render(shandong, "md", provenance=provenance).decode()
    en = render(shandong, "md", lang="en", provenance=provenance).decode()
    assert "金额按最大余额法取整到 1 万元，合计等于资金总额 3,717 万元。" in zh
    assert "方案文件 SHA-256 abababababab" in zh
    assert "Amounts are rounded to 1 万元 by the largest remainder method" in en
    assert "scheme file SHA-256 abababababab" in en and "方案" not in en


def test_plain_decimal_keeps_the_digits_outputs_write() -> None:
    assert [plain_decimal(Decimal(x)) for x in ("0E-6", "-1.500000", "3717")] == [
        "0",
        "-1.500000",
        "3717",
    ]


def test_an_unnamed_bound_is_named_in_each_output_language(tmp_path: Path) -> None:
    table = fa.RegionTable.from_columns({"地区": ["甲", "乙", "丙"], "人口": [90, 9, 1]}, id="地区")
    factor = fa.Factor(name="人口", rule=fa.Share(column="人口"), weight=1)
    scheme = fa.Scheme(
        total=100,
        tranches=[fa.Tranche(name="因素", share=1, factors=[factor])],
        bounds=[fa.Floor(amount=10)],
    )
    result = fa.allocate(table, scheme)
    with using("zh"):
        assert result.breakdown["丙"].items[-2].name == "保底 10 万元"
    with using("en"):
        assert result.breakdown["丙"].items[-2].name == "floor 10 万元"
    provenance = Provenance("s", "", "d", "", "v")
    for lang in ("zh", "en"):
        with using(lang):  # written in one language, verified in the other
            book = render(result, "xlsx", lang=lang, provenance=provenance)
            record = render(result, "json", lang=lang, provenance=provenance)
        (tmp_path / f"{lang}.xlsx").write_bytes(book)
        (tmp_path / f"{lang}.json").write_bytes(record)
        assert '"floor", "", "floor 10 万元"' in record.decode()  # the JSON names it in English
        for other in ("zh", "en"):
            with using(other):
                assert verify(tmp_path / f"{lang}.xlsx") == []
                assert verify(tmp_path / f"{lang}.json") == []
    cells = next(r for r in _rows(tmp_path / "zh.xlsx", 1) if r and r[0] == "丙")
    assert "保底 10 万元" in cells and "保底" in cells


def _rows(path: Path, sheet: int) -> list[list[object]]:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.load_workbook(path, read_only=True)
    return [list(r) for r in book.worksheets[sheet].iter_rows(values_only=True)]
