from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import fundalloc as fa
from fundalloc.expressions import Expression, ExpressionError

TABLE = fa.RegionTable.from_columns(
    {
        "id": ["a", "b", "c"],
        "标准支出": [10, 5, 3],
        "标准收入": [4, 8, 3],
        "贫困人口": [5, 0, 2],
        "农村人口": [100, 50, 0],
        "人均GDP(元)": [20000, 30000, 10000],
    },
    id="id",
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("max(标准支出 - 标准收入, 0)", [6, 0, 0]),
        ("(标准支出 + 标准收入) / 2", [7, 6.5, 3]),
        ("`人均GDP(元)` / 10000", [2, 3, 1]),
        ("where(标准支出 > 标准收入, 1, 0.5)", [1, 0.5, 0.5]),
        ("clip(标准支出, 4, 6)", [6, 5, 4]),
        ("min(标准支出, 标准收入, 3.5)", [3.5, 3.5, 3]),
        ("abs(标准收入 - 标准支出)", [6, 3, 0]),
        ("sqrt(标准支出 * 10) + log(1)", [10, np.sqrt(50), np.sqrt(30)]),
        ("(标准支出 > 4) * 3", [3, 3, 0]),
        ("1 < 标准支出 <= 5", [0, 1, 1]),
        ("not 标准支出 > 4 and 标准收入 < 5", [0, 0, 1]),
        ("标准支出 % 4 + 标准支出 // 4 + 2 ** 2", [8, 6, 7]),
    ],
)
def test_allowed_expressions(text: str, expected: list[float]) -> None:
    assert Expression.parse(text).evaluate(TABLE) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("text", "construct"),
    [
        ("__import__('os')", "the name '__import__' is not allowed"),
        ("标准支出.real", "attribute access is not allowed"),
        ("().__class__", "attribute access is not allowed"),
        ("标准支出[0]", "a subscript is not allowed"),
        ("lambda: 1", "a lambda is not allowed"),
        ("[x for x in 标准支出]", "a comprehension is not allowed"),
        ("open('f')", "calling 'open' is not allowed"),
        ("print(1)", "calling 'print' is not allowed"),
        ("'text'", "only numbers are allowed as constants"),
        ("True + 1", "only numbers are allowed as constants"),
        ("__builtins__", "the name '__builtins__' is not allowed"),
        ("min(1)", "min() takes at least 2 arguments, got 1"),
        ("clip(1, 2)", "clip() takes 3 arguments, got 2"),
        ("max(a=1, b=2)", "keyword arguments are not allowed"),
        ("a if b else c", "a conditional expression"),
        ("f'{1}'", "an f-string is not allowed"),
        ("1 +", "invalid syntax"),
        ("", "invalid syntax"),
        ("1\x00", "null bytes"),
        ("1 << 2", "the operator LShift is not allowed"),
        ("x in y", "the operator In is not allowed"),
        ("(" * 400 + "1" + ")" * 400, "expression"),
        ("1" * 3000, "at most 2,000 characters are allowed; found 3,000 characters"),
    ],
)
def test_rejected_constructs_are_named(text: str, construct: str) -> None:
    with pytest.raises(ExpressionError, match=__import__("re").escape(construct)):
        Expression.parse(text)


def test_columns_and_missing_columns() -> None:
    e = Expression.parse("max(`人均GDP(元)` - 标准收入, 标准收入)")
    assert e.columns() == ("人均GDP(元)", "标准收入")
    with pytest.raises(fa.DataError, match="no column '标准收支'"):
        Expression.parse("标准收支 + 1").evaluate(TABLE)


def test_non_finite_results_name_the_regions() -> None:
    with pytest.raises(fa.DataError, match=r"贫困人口 / 农村人口.*found c inf"):
        Expression.parse("贫困人口 / 农村人口").evaluate(TABLE)
    with pytest.raises(fa.DataError, match="found a inf, b inf, c inf"):
        Expression.parse("9 ** 9 ** 9 ** 9").evaluate(TABLE)
    with pytest.raises(fa.DataError, match="found b nan"):
        Expression.parse("sqrt(标准支出 - 标准收入)").evaluate(TABLE)


def test_derived_columns_in_a_scheme() -> None:
    table = fa.RegionTable.from_columns(
        {"id": list("abc"), "支出": [10, 5, 9], "收入": [4, 8, 3]}, id="id"
    )
    scheme = fa.Scheme(
        total=60,
        derived={"缺口": "max(支出 - 收入, 0)", "双倍缺口": "缺口 * 2"},
        eligibility=[fa.Condition(column="缺口", op=">", value=0)],
        tranches=[
            fa.Tranche(
                name="缺口",
                share=1,
                factors=[fa.Factor(name="缺口", rule=fa.Share(column="双倍缺口"), weight=1)],
            )
        ],
    )
    assert fa.allocate(table, scheme).amounts == {"a": 30, "b": 0, "c": 30}
    assert scheme.derived == (("缺口", "max(支出 - 收入, 0)"), ("双倍缺口", "缺口 * 2"))


def test_bad_derived_expressions_are_scheme_errors() -> None:
    with pytest.raises(fa.SchemeError, match="坏: expression .*attribute access"):
        fa.Scheme(
            total=1,
            derived={"坏": "x.y"},
            tranches=[
                fa.Tranche(
                    name="t",
                    share=1,
                    factors=[fa.Factor(name="x", rule=fa.Share(column="x"), weight=1)],
                )
            ],
        )


_TOKENS = st.sampled_from(
    [
        "标准支出",
        "标准收入",
        "1",
        "0",
        "2.5",
        "+",
        "-",
        "*",
        "/",
        "**",
        "%",
        "(",
        ")",
        ",",
        "<",
        ">=",
        "==",
        "and",
        "or",
        "not",
        "max(",
        "min(",
        "log(",
        "sqrt(",
        "clip(",
        "where(",
        "abs(",
        "`人均GDP(元)`",
        "__class__",
        ".",
        "[",
        "]",
        "lambda",
        ":",
        "'s'",
        "x",
        "1e308",
        " ",
    ]
)


@given(st.one_of(st.text(max_size=60), st.lists(_TOKENS, max_size=25).map("".join)))
def test_arbitrary_text_raises_only_our_errors(text: str) -> None:
    try:
        value = Expression.parse(text).evaluate(TABLE)
    except fa.FundallocError:
        return
    assert value.shape == (3,) and np.isfinite(value).all()


def test_names_python_would_normalise_are_rejected_with_a_hint() -> None:
    table = fa.RegionTable.from_columns({"id": ["a"], "ｐｏｏｒ": [1], "poor": [9]}, id="id")
    with pytest.raises(ExpressionError) as err:
        Expression.parse("1 + ｐｏｏｒ")
    assert str(err.value) == (
        "expression \"1 + ｐｏｏｒ\", at character 5: the name 'ｐｏｏｒ' would be read as "
        "'poor'; write it in backticks: `ｐｏｏｒ`"
    )
    assert Expression.parse("`ｐｏｏｒ` + 1").evaluate(table).tolist() == [2.0]
    with pytest.raises(ExpressionError, match="would be read as 'max'"):
        Expression.parse("ｍａｘ(1, 2)")


@pytest.mark.parametrize(
    ("text", "column", "expected"),
    [("`人均GDP(元)` + _col0_", "_col0_", 101.0), ("`人均GDP(元)` + _q0 * 1000", "_q0", 2100.0)],
)
def test_backtick_names_cannot_clash_with_written_names(
    text: str, column: str, expected: float
) -> None:
    table = fa.RegionTable.from_columns(
        {"id": ["a"], "_col0_": [1], "人均GDP(元)": [100], "_q0": [2]}, id="id"
    )
    expression = Expression.parse(text)
    assert expression.columns() == ("人均GDP(元)", column)
    assert expression.evaluate(table).tolist() == [expected]


def test_a_backtick_name_is_one_token() -> None:
    with pytest.raises(ExpressionError, match="invalid syntax"):
        Expression.parse("`人均GDP(元)`x")


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("人口 + 人口.real", 6),  # a node: col_offset counts UTF-8 bytes
        ("`人均GDP(元)` + 人口.real", 14),  # after a backtick name
        ("  人口 +* 1", 7),  # leading spaces are stripped before parsing
        ("人口 人口", 4),  # a syntax error
        ("`人均GDP(元)` `x`", 12),
        ("(1 +\n 人口.real)", 7),  # on the second line
    ],
)
def test_positions_are_characters_of_the_expression_as_written(text: str, position: int) -> None:
    with pytest.raises(ExpressionError, match=f"at character {position}:"):
        Expression.parse(text)


def test_a_column_named_like_a_function_is_a_column() -> None:
    table = fa.RegionTable.from_columns({"id": ["a", "b"], "min": [1, 5], "x": [3, 3]}, id="id")
    expression = Expression.parse("min(min, x) + min")
    assert expression.columns() == ("min", "x")
    assert expression.evaluate(table).tolist() == [2.0, 8.0]
    with pytest.raises(fa.DataError, match="no column 'max'"):
        Expression.parse("max + 1").evaluate(TABLE)


@pytest.mark.parametrize(
    ("text", "chinese"),
    [
        (
            "__import__('os')",
            "表达式 \"__import__('os')\"，第 1 个字符：不允许使用名称 '__import__'",
        ),
        ("贫困人口.real", "不允许使用属性访问"),
        ("a if b else c", "不允许使用条件表达式（请用 `where(condition, a, b)`）"),
        ("clip(1, 2)", "clip() 需要 3 个参数，实际给了 2 个"),
        ("min(1)", "min() 需要 至少 2 个参数，实际给了 1 个"),
        ("1 +", '表达式 "1 +"：语法错误（解析器原话：`invalid syntax`）'),
        ("open(1)", "不允许调用 'open'；可用的函数有 min、max、abs、log、sqrt、clip、where"),
    ],
)
def test_expression_errors_in_chinese(text: str, chinese: str) -> None:
    with pytest.raises(ExpressionError) as err:
        Expression.parse(text)
    assert chinese in err.value.render("zh")
    assert not __import__("re").search(r"[\u4e00-\u9fff]", err.value.render("en").replace(text, ""))


def test_a_non_finite_result_in_chinese() -> None:
    with pytest.raises(fa.DataError) as err:
        Expression.parse("贫困人口 / 农村人口").evaluate(TABLE)
    assert '表达式 "贫困人口 / 农村人口"：每个地区的结果都应为有限的数；实际为 c inf' in (
        err.value.render("zh")
    )
    assert "（提示：可能除以了 0，或对负数取了对数或平方根）" in err.value.render("zh")
