from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

import fundalloc as fa
from fundalloc.errors import DataError
from fundalloc.io.layout import Grid, region_table


def shown(notices: tuple[object, ...]) -> list[str]:
    """Notices as the user reads them (in the tests' language, English)."""
    return [str(notice) for notice in notices]


def test_records_keep_row_order_and_chinese_ids() -> None:
    t = fa.RegionTable.from_records(
        [{"地区": "济南市", "人口": 3}, {"地区": "青岛市", "人口": 1}], id="地区"
    )
    assert t.ids == ("济南市", "青岛市")
    assert t.numeric("人口").tolist() == [3.0, 1.0]
    assert len(t) == 2 and "人口" in t and t.columns == ("人口",)


def test_columns_and_numeric_strings() -> None:
    t = fa.RegionTable.from_columns({"id": ["a", "b"], "x": ["1.5", " 2 "]}, id="id")
    assert t.numeric("x").tolist() == [1.5, 2.0]


def test_missing_id_column_lists_columns() -> None:
    with pytest.raises(fa.DataError, match="no id column '地区'.*'name'"):
        fa.RegionTable.from_records([{"name": "a"}], id="地区")


def test_duplicate_and_empty_ids_are_all_reported() -> None:
    with pytest.raises(fa.DataError) as err:
        fa.RegionTable.from_records([{"id": "a"}, {"id": "a"}, {"id": " "}, {"id": None}], id="id")
    messages = [str(p) for p in err.value.problems]
    assert messages == [
        "row 2, column 'id': duplicate region id 'a'; found it is also in row 1",
        "row 3, column 'id': expected a region id; found an empty cell",
        "row 4, column 'id': expected a region id; found an empty cell",
    ]


@pytest.mark.parametrize(
    ("value", "found"),
    [
        (None, "an empty cell"),
        ("", "an empty cell"),
        ("abc", "the text 'abc'"),
        (float("nan"), "NaN"),
        (float("inf"), "infinity"),
        ("NaN", "'NaN'"),
        (True, "the boolean True"),
    ],
)
def test_bad_numeric_cells_name_row_and_column(value: object, found: str) -> None:
    t = fa.RegionTable.from_records([{"id": "a", "x": 1}, {"id": "b", "x": value}], id="id")
    with pytest.raises(fa.DataError) as err:
        t.numeric("x")
    assert (
        str(err.value) == f"row 2, column 'x': expected a number; found {found}"
        or str(err.value) == f"row 2, column 'x': expected a finite number; found {found}"
    )


@pytest.mark.parametrize(
    ("value", "found"),
    [
        (10**400, "1.000e+400 (too large)"),
        (-(10**400), "-1.000e+400 (too large)"),
        (Decimal("1e999"), "1e+999 (too large)"),
        ("1e400", "'1e400' (too large)"),
        (Decimal("sNaN"), "NaN"),
        (Decimal("NaN"), "NaN"),
        (Decimal("-Infinity"), "infinity"),
        (float("inf"), "infinity"),
    ],
    ids=["int", "-int", "Decimal", "text", "sNaN", "NaN", "-Infinity", "inf"],
)
def test_numbers_no_float_can_hold_name_row_and_column(value: object, found: str) -> None:
    t = fa.RegionTable.from_records([{"id": "a", "x": 1}, {"id": "b", "x": value}], id="id")
    with pytest.raises(fa.DataError) as err:
        t.numeric("x")
    assert str(err.value) == f"row 2, column 'x': expected a finite number; found {found}"


def test_every_bad_cell_is_reported_at_once() -> None:
    t = fa.RegionTable.from_columns({"id": list("abc"), "x": ["x", 1, None]}, id="id")
    assert len(t.check("x")) == 2


def test_negative_where_not_allowed() -> None:
    t = fa.RegionTable.from_columns({"id": ["a", "b"], "x": [1, -2]}, id="id")
    assert t.numeric("x").tolist() == [1.0, -2.0]
    with pytest.raises(fa.DataError, match=r"row 2, column 'x': expected a number >= 0; found -2"):
        t.numeric("x", nonnegative=True)


def test_unknown_column_suggests_a_close_name() -> None:
    t = fa.RegionTable.from_columns({"id": ["a"], "贫困人口": [1]}, id="id")
    with pytest.raises(fa.DataError, match="no column '贫困人囗'.*did you mean '贫困人口'"):
        t.numeric("贫困人囗")


def test_arrays_are_read_only_and_copied() -> None:
    source = np.array([1.0, 2.0])
    t = fa.RegionTable.from_columns({"id": ["a", "b"], "x": source}, id="id")
    source[0] = 99
    assert t.numeric("x")[0] == 1.0
    with pytest.raises(ValueError, match="read-only"):
        t.numeric("x")[0] = 5


def test_take_keeps_user_row_numbers() -> None:
    t = fa.RegionTable.from_columns({"id": ["a", "b", "c"], "x": [1, "bad", 3]}, id="id")
    with pytest.raises(fa.DataError, match="row 2, column 'x'"):
        t.take([2, 1, 0]).numeric("x")


def test_csv_utf8_bom_and_gb18030(tmp_path) -> None:
    text = "地区,人口\n济南市,3\n\n青岛市,1\n"
    for encoding in ("utf-8-sig", "gb18030"):
        path = tmp_path / f"{encoding}.csv"
        path.write_bytes(text.encode(encoding))
        t = fa.read_table(path, id="地区")
        assert t.ids == ("济南市", "青岛市")
        assert t.row_number(1) == 4  # the blank row is skipped, row numbers kept


def test_csv_errors_name_the_file_and_line(tmp_path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("id,x\na,1\nb,oops\n", encoding="utf-8")
    with pytest.raises(
        fa.DataError, match=r"d\.csv, row 3, column 'x': expected a number; found the text 'oops'"
    ):
        fa.read_table(path, id="id").numeric("x")
    path.write_text("", encoding="utf-8")
    with pytest.raises(fa.DataError, match="empty file"):
        fa.read_table(path, id="id")
    path.write_text("id,x\n", encoding="utf-8")
    with pytest.raises(fa.DataError, match="only the header"):
        fa.read_table(path, id="id")
    path.write_text("id,x\na,1,2\n", encoding="utf-8")
    with pytest.raises(fa.DataError, match="row 2: expected at most 2 cells"):
        fa.read_table(path, id="id")
    with pytest.raises(fa.DataError, match="cannot read the file"):
        fa.read_table(tmp_path / "missing.csv", id="id")


def test_csv_rows_are_numbered_as_a_spreadsheet_shows_them(tmp_path) -> None:
    """Every message says "row"; a cell holding a line break does not shift later rows."""
    path = tmp_path / "d.csv"
    path.write_text('id,note,x\na,"two\nlines",1\n\nb,,oops\n', encoding="utf-8")
    with pytest.raises(fa.DataError, match=r"d\.csv, row 4, column 'x': expected a number"):
        fa.read_table(path, id="id").numeric("x")
    path.write_text('id,x\na,"1\n"\nb,1,2\n', encoding="utf-8")
    with pytest.raises(fa.DataError, match=r"d\.csv, row 3: expected at most 2 cells"):
        fa.read_table(path, id="id")


def test_with_column_returns_a_new_table() -> None:
    t = fa.RegionTable.from_columns({"id": ["a"], "x": [1]}, id="id")
    u = t.with_column("y", [2])
    assert "y" in u and "y" not in t


def test_kind_and_parent_attributes() -> None:
    rows = [
        {"地区": "济南市", "类型": "市", "上级": "山东省"},
        {"地区": "历城区", "类型": "区", "上级": "济南市"},
    ]
    t = fa.RegionTable.from_records(rows, id="地区", kind="类型", parent="上级")
    assert t.kinds == ("市", "区") and t.parents == ("山东省", "济南市")
    assert t.take([1]).parents == ("济南市",) and t.with_column("x", [1, 2]).kinds == ("市", "区")
    assert fa.RegionTable.from_records(rows, id="地区").kinds is None
    with pytest.raises(
        fa.DataError, match="row 2, column '上级': expected a parent; found an empty cell"
    ):
        fa.RegionTable.from_records([rows[0], {**rows[1], "上级": " "}], id="地区", parent="上级")
    with pytest.raises(fa.DataError, match="no kind column 'kind'"):
        fa.RegionTable.from_records(rows, id="地区", kind="kind")


def test_thousands_separators_and_full_width_digits() -> None:
    t = fa.RegionTable.from_columns(
        {"id": ["a", "b", "c"], "x": ["1,234", "１２，３４５．５", "－7"]}, id="id"
    )
    assert t.numeric("x").tolist() == [1234.0, 12345.5, -7.0]
    bad = fa.RegionTable.from_columns({"id": ["a"], "x": ["12,34"]}, id="id")
    with pytest.raises(fa.DataError, match="found the text '12,34'"):
        bad.numeric("x")


def test_total_row_is_checked_and_dropped(tmp_path) -> None:
    path = tmp_path / "d.csv"
    path.write_text(
        '地区,人口,类型\n甲,"1,200",市\n乙,300.5,市\n\n合  计,"1,500.5",\n', encoding="utf-8"
    )
    t = fa.read_table(path, id="地区")
    assert t.ids == ("甲", "乙") and t.numeric("人口").sum() == 1500.5
    assert tuple(shown(t.notices)) == (
        f"{path}: the 合计 row (row 5) matches the column sums and was dropped",
    )
    path.write_text("地区,人口\n甲,1200\n乙,300\n全省总计,1600\n", encoding="utf-8")
    with pytest.raises(
        fa.DataError,
        match=r"row 4, column '人口': the total row does not match the column: "
        r"the regions add up to 1,500; found 1,600 in the total row",
    ):
        fa.read_table(path, id="地区")


def test_trailing_empty_cells_are_fine_but_extra_values_are_not(tmp_path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("地区,人口,\n甲,1,\n乙,2,,\n", encoding="utf-8")
    assert fa.read_table(path, id="地区").numeric("人口").tolist() == [1, 2]
    path.write_text("地区,人口\n甲,1,9\n", encoding="utf-8")
    with pytest.raises(fa.DataError, match="row 2: expected at most 2 cells"):
        fa.read_table(path, id="地区")
    path.write_text("地区,,人口\n甲,1,9\n", encoding="utf-8")
    with pytest.raises(fa.DataError, match="an empty header in column 2"):
        fa.read_table(path, id="地区")


def test_dataframes_in_and_out() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"地区": ["甲", "乙"], "人口": [1.0, 3.0], "类型": ["市", "县"]})
    table = fa.from_dataframe(frame, id="地区", kind="类型")
    assert table.ids == ("甲", "乙") and table.kinds == ("市", "县")
    scheme = fa.Scheme(
        total=10,
        tranches=[
            fa.Tranche(
                name="t",
                share=1,
                factors=[fa.Factor(name="人口", rule=fa.Share(column="人口"), weight=1)],
            )
        ],
    )
    result = fa.allocate(table, scheme)
    assert result.amounts == {"甲": 2, "乙": 8}
    assert len(result.to_dataframe()) == 2  # its columns: tests/test_outputs.py
    with pytest.raises(fa.DataError, match="expected a pandas or polars DataFrame"):
        fa.from_dataframe([1, 2], id="地区")


def test_polars_out() -> None:
    pl = pytest.importorskip("polars")
    table = fa.from_dataframe(pl.DataFrame({"地区": ["甲", "乙"], "人口": [1.0, 3.0]}), id="地区")
    scheme = fa.Scheme(
        total=10,
        tranches=[
            fa.Tranche(
                name="t",
                share=1,
                factors=[fa.Factor(name="人口", rule=fa.Share(column="人口"), weight=1)],
            )
        ],
    )
    result = fa.allocate(table, scheme)
    assert result.amounts == {"甲": 2, "乙": 8}
    assert len(result.to_dataframe(library="polars")) == 2  # its columns: tests/test_outputs.py


def test_a_total_row_whose_id_cell_was_merged_away_is_found() -> None:
    """Bureaus merge 序号 and 地区 in the 合计 row: the word lands in 序号, the id cell is empty.

    (Changed on purpose: the 序号 column is now dropped, it is not data.)"""
    rows = [
        ["序号", "地区", "人口", "类型"],
        [1, "甲", 1200, "市"],
        [2, "乙", 300.5, "县"],
        ["合  计", None, 1500.5, None],
    ]
    grid = Grid("d.xlsx [表]", rows, [3, 4, 5, 6])
    table = region_table(grid, id="地区", kind="类型")
    assert table.ids == ("甲", "乙") and table.columns == ("人口", "类型")
    assert tuple(shown(table.notices)) == (
        "d.xlsx [表]: the 合计 row (row 6) matches the column sums and was dropped",
    )
    rows[-1] = ["全省合计", "", 1600, None]
    with pytest.raises(fa.DataError, match=r"row 6, column '人口': the total row does not match"):
        region_table(grid, id="地区")
    rows[-1] = [3, "", 1600, None]  # no total word: a region without an id
    with pytest.raises(fa.DataError, match=r"row 6, column '地区': expected a region id"):
        region_table(grid, id="地区")


@pytest.mark.parametrize(
    "rows",
    [[2, 3], [2, 3, None], [2, [3], 4], [2, 1.7976931348623157e308, 4], [2, 3, 2**70]],
    ids=["short", "None", "nested", "float", "huge"],
)
def test_row_numbers_are_checked(rows: list[object]) -> None:
    """verify hands over the row numbers recorded in an output (found by fuzzing)."""
    with pytest.raises(fa.DataError, match="expected 3 row numbers"):
        fa.RegionTable({"id": ["a", "b", "c"]}, id="id", rows=rows)  # type: ignore[arg-type]
    table = fa.RegionTable({"id": ["a", "b", "c"]}, id="id", rows=[5, 7, 9])
    assert table.take([2]).row_number(0) == 9


def test_the_id_column_can_be_read_like_any_column() -> None:
    """Issue 10: conditions may use the id column (地区 in [...])."""
    t = fa.RegionTable.from_columns({"地区": ["甲", "乙", "丙"], "x": [1, 2, 3]}, id="地区")
    assert t.text("地区") == ("甲", "乙", "丙") and t.raw("地区") == ("甲", "乙", "丙")
    assert "地区" in t and t.columns == ("x",)
    codes, lookup = t.take([2, 0]).codes("地区")
    assert codes.tolist() == [2, 0] and lookup == {"甲": 0, "乙": 1, "丙": 2}
    condition = fa.Condition(column="地区", op="not in", value=["乙"])
    assert condition.test(t).tolist() == [True, False, True]
    with pytest.raises(fa.DataError, match="row 1, column '地区': expected a number"):
        t.numeric("地区")


def test_a_long_list_of_bad_cells_is_cut_with_a_count_never_silently() -> None:
    # 120 text cells and 120 negatives: 50 listed each time, and the other 70 counted
    text = fa.RegionTable.from_columns(
        {"id": [f"r{i}" for i in range(120)], "x": ["abc"] * 120}, id="id"
    )
    with pytest.raises(fa.DataError) as caught:
        text.numeric("x")
    assert len(caught.value.problems) == 51
    assert str(caught.value.problems[-1]) == (
        "data, column 'x': 70 more rows with the same kind of problem are not listed"
    )
    negative = fa.RegionTable.from_columns(
        {"id": [f"r{i}" for i in range(120)], "x": np.full(120, -1.0)}, id="id"
    )
    problems = negative.check("x", nonnegative=True)
    assert len(problems) == 51 and "70 more rows" in str(problems[-1])
    nan = fa.RegionTable.from_columns(
        {"id": [f"r{i}" for i in range(51)], "x": np.full(51, np.nan)}, id="id"
    )
    assert str(nan.check("x")[-1]).endswith(
        "1 more row with the same kind of problem is not listed"
    )


def test_a_footnote_mark_on_a_number_is_text_not_more_digits() -> None:
    table = fa.RegionTable.from_columns(
        {"id": ["甲", "乙", "丙"], "x": ["1320¹", "310②", "１２０"]}, id="id"
    )
    problems = table.check("x")
    assert [str(p.found) for p in problems] == ["the text '1320¹'", "the text '310②'"]


# ---------------------------------------------------------------- messages in both languages
def test_cell_messages_in_chinese_and_english() -> None:
    t = fa.RegionTable.from_columns(
        {"id": ["a", "b", "c", "d"], "x": ["1", "abc", None, True], "y": [1, -2, np.nan, 3]},
        id="id",
        source="d.csv",
    )
    problems = DataError(t.check("x") + t.check("y") + t.check("y", nonnegative=False))
    assert problems.render("en").splitlines()[:4] == [
        "d.csv, row 2, column 'x': expected a number; found the text 'abc'",
        "d.csv, row 3, column 'x': expected a number; found an empty cell",
        "d.csv, row 4, column 'x': expected a number; found the boolean True",
        "d.csv, row 3, column 'y': expected a finite number; found NaN",
    ]
    assert problems.render("zh").splitlines()[:4] == [
        "d.csv，第 2 行“x”列：应为数字；实际为 文本 'abc'",
        "d.csv，第 3 行“x”列：应为数字；实际为 空单元格",
        "d.csv，第 4 行“x”列：应为数字；实际为 逻辑值 True",
        "d.csv，第 3 行“y”列：应为有限的数字；实际为 非数值",
    ]
    negative = fa.RegionTable.from_columns({"id": ["a"], "y": [-2]}, id="id").check(
        "y", nonnegative=True
    )
    assert negative[0].render("zh") == "第 1 行“y”列：应为不小于 0 的数字；实际为 -2"


def test_table_messages_in_chinese_and_english() -> None:
    with pytest.raises(DataError) as err:
        fa.RegionTable.from_columns(
            {"id": ["a", "a", "", "b\x07"], "x": [1, 2]}, id="id", kind="类型"
        )
    assert err.value.render("en").splitlines() == [
        "data, column 'x': expected 4 values like column 'id'; found 2",
        "row 2, column 'id': duplicate region id 'a'; found it is also in row 1",
        "row 3, column 'id': expected a region id; found an empty cell",
        "row 4, column 'id': expected a region id without control characters; found "
        "'b\\x07' (U+0007)",
        "data: no kind column '类型'; found columns 'id', 'x'",
    ]
    assert err.value.render("zh").splitlines() == [
        "数据，“x”列：应与“id”列一样有 4 个值；实际为 2",
        "第 2 行“id”列：地区名称 'a' 重复；实际为 第 1 行也有这个名称",
        "第 3 行“id”列：应为地区名称；实际为 空单元格",
        "第 4 行“id”列：地区名称中不应有控制字符；实际为 'b\\x07' (U+0007)",
        "数据：没有地区类型列“类型”；实际为 现有的列为 'id'、'x'",
    ]
    table = fa.RegionTable.from_columns({"id": ["a"], "贫困人口": [1]}, id="id")
    with pytest.raises(DataError) as err:
        table.numeric("贫困人囗")
    assert err.value.render("zh") == (
        "数据：没有“贫困人囗”列；实际为 现有的列为 '贫困人口'（提示：是否应为 '贫困人口'？）"
    )
    with pytest.raises(DataError) as err:
        table.with_columns({"id": ["b"]})
    assert err.value.render("en") == (
        "data, column 'id': cannot replace the id column "
        "(hint: make a new table with the new column as its id column)"
    )
    assert err.value.render("zh") == (
        "数据，“id”列：不能替换地区列（提示：另建一个表，以新的列为地区列）"
    )


# ---------------------------------------------------------------- columnar in (issue 12)
def test_arrow_polars_and_pandas_numbers_are_taken_without_a_copy() -> None:
    pa = pytest.importorskip("pyarrow")
    pl = pytest.importorskip("polars")
    pd = pytest.importorskip("pandas")
    arrow = pa.array([1.0, 2.0, 3.0])
    polars = pl.Series([1.0, 2.0, 3.0])
    pandas = pd.Series([1.0, 2.0, 3.0])
    for column, buffer in (
        (arrow, arrow.to_numpy()),
        (polars, polars.to_numpy()),
        (pandas, pandas.to_numpy()),
    ):
        t = fa.RegionTable.from_columns({"id": ["a", "b", "c"], "x": column}, id="id")
        x = t.numeric("x")
        assert x.tolist() == [1.0, 2.0, 3.0]
        if not buffer.flags.writeable:  # a view nobody can change: shared
            assert np.shares_memory(x, buffer)
        assert not x.flags.writeable


def test_a_null_is_an_empty_cell_never_nan() -> None:
    pa = pytest.importorskip("pyarrow")
    pl = pytest.importorskip("polars")
    pd = pytest.importorskip("pandas")
    for column in (
        pa.array([1.0, None]),
        pl.Series([1, None]),
        pd.Series([1, None], dtype="Int64"),
        pd.Series([1.5, None], dtype="Float64"),
    ):
        t = fa.RegionTable.from_columns({"id": ["a", "b"], "x": column}, id="id")
        assert [str(p) for p in t.check("x")] == [
            "row 2, column 'x': expected a number; found an empty cell"
        ], type(column)
        assert t.raw("x") == (1, None) or t.raw("x") == (1.5, None) or t.raw("x") == (1.0, None)


def test_nothing_is_coerced_in_any_column_type() -> None:
    ids = ["a", "b", "c"]
    cases = {
        "bool": (np.array([True, False, True]), "the boolean True"),
        "dates": (
            np.array(["2018-03-05", "NaT", "2018-01-01"], dtype="datetime64[D]"),
            "the date 2018-03-05",
        ),
        "mixed": (np.array([1, "2", "x"], dtype=object), "the text 'x'"),
        "inf": (np.array([1.0, np.inf, 2.0]), "infinity"),
    }
    for name, (values, found) in cases.items():
        problems = fa.RegionTable.from_columns({"id": ids, "x": values}, id="id").check("x")
        assert problems and str(problems[0].found) == found, name
    dates = fa.RegionTable.from_columns({"id": ids, "x": cases["dates"][0]}, id="id")
    assert [str(p.found) for p in dates.check("x")] == [
        "the date 2018-03-05",
        "an empty cell",
        "the date 2018-01-01",
    ]


def test_a_long_bad_column_describes_only_the_listed_cells(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Per-cell work only for the cells listed: a column of 10 000 booleans or texts is
    reported by 50 descriptions and a count, not 10 000 calls."""
    from fundalloc import table as module

    calls = 0
    real = module.to_number

    def counted(value: object) -> object:
        nonlocal calls
        calls += 1
        return real(value)

    monkeypatch.setattr(module, "to_number", counted)
    n = 10_000
    ids = [f"r{i}" for i in range(n)]
    for values in (np.ones(n, dtype=bool), ["abc"] * n, [True] * n):
        calls = 0
        problems = fa.RegionTable.from_columns({"id": ids, "x": values}, id="id").check("x")
        assert len(problems) == 51 and "9,950 more rows" in str(problems[-1])
        assert calls <= 50 + n * (isinstance(values, list) and values[0] == "abc"), calls
    mixed = [1.5] * n
    mixed[7] = "x"
    calls = 0
    problems = fa.RegionTable.from_columns({"id": ids, "x": mixed}, id="id").check("x")
    assert [str(p) for p in problems] == [
        "row 8, column 'x': expected a number; found the text 'x'"
    ]
    assert calls <= 2, calls  # the one bad cell: parsed once, described once


def test_with_columns_adds_and_replaces_and_shares_the_rest() -> None:
    t = fa.RegionTable.from_columns(
        {"id": ["a", "b"], "x": np.array([1.0, 2.0]), "k": ["市", "县"]}, id="id", kind="k"
    )
    x = t.numeric("x")
    t2 = t.with_columns({"y": [3, 4], "k": ["县", "县"]})
    assert t2.numeric("x") is x and t2.ids is t.ids  # shared, not checked again
    assert t2.numeric("y").tolist() == [3.0, 4.0] and t2.kinds == ("县", "县")
    assert t.kinds == ("市", "县") and "y" not in t
    with pytest.raises(DataError) as err:
        t.with_columns({"y": [1], "k": ["县", ""]})
    assert [str(p) for p in err.value.problems] == [
        "data, column 'y': expected 2 values like column 'id'; found 1",
        "row 2, column 'k': expected a kind; found an empty cell",
    ]
    taken = t.take([1, 0]).with_columns({"k": ["乙", "甲"]})
    codes, lookup = taken.codes("k")
    assert codes.tolist() == [0, 1] and lookup == {"乙": 0, "甲": 1}
