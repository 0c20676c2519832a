from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given

import fundalloc as fa
from fundalloc.io.schemefile import DataSource, dump_scheme, load_scheme, loads_scheme, plain
from tests.strategies import schemes

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "shandong_2018"


@given(schemes())
def test_toml_round_trip(scheme: fa.Scheme) -> None:
    assert loads_scheme(dump_scheme(scheme)).scheme == scheme


@given(schemes())
def test_json_round_trip(scheme: fa.Scheme) -> None:
    assert loads_scheme(dump_scheme(scheme, format="json"), format="json").scheme == scheme


@given(schemes())
def test_dumps_leave_out_defaults_and_keep_kinds(scheme: fa.Scheme) -> None:
    document = plain(scheme)
    assert "unit" not in document or document["unit"] != "万元"
    for bound in document.get("bounds", []):
        assert "kind" in bound
    for tranche in document["tranches"]:
        for factor in tranche.get("factors", []):
            assert "kind" in factor["rule"]


def test_data_and_labels_sections(tmp_path: Path) -> None:
    scheme = load_scheme(EXAMPLE / "scheme.toml").scheme
    text = dump_scheme(scheme, data=DataSource(path="d.xlsx", sheet=2), labels={"amount": "资金"})
    (tmp_path / "s.toml").write_text(text, encoding="utf-8")
    loaded = load_scheme(tmp_path / "s.toml")
    assert loaded.data.sheet == 2 and loaded.labels == {"amount": "资金"}
    assert loaded.data_path() == (tmp_path / "d.xlsx").resolve()
    assert len(loaded.sha256) == 64


def test_every_problem_at_once_with_paths_lines_and_hints() -> None:
    text = (EXAMPLE / "scheme.toml").read_text(encoding="utf-8")
    broken = (
        text.replace("weight = 0.35", "weigth = 0.35")
        .replace("total = 3717", "total = -5")
        .replace('op = ">"', 'op = "~"')
        .replace('path = "data.csv"', 'paht = "data.csv"')
    )
    with pytest.raises(fa.SchemeError) as err:
        loads_scheme(broken, where="s.toml")
    text_of = [str(p) for p in err.value.problems]
    assert any(
        t.startswith("s.toml, line ") and "total: expected a number greater than 0; found -5" in t
        for t in text_of
    )
    chinese = [p.render("zh") for p in err.value.problems]
    assert any("第 8 行：total：应为大于 0 的数；实际为 -5" in t for t in chinese)
    assert any("未知的键 'weigth'（提示：是否想写 'weight'？）" in t for t in chinese)
    assert any(
        "tranches[1].factors[1].weigth: unknown key 'weigth' (hint: did you mean 'weight'?)" in t
        for t in text_of
    )
    assert any("eligibility[1].op" in t for t in text_of)
    assert any("data.paht: unknown key 'paht' (hint: did you mean 'path'?)" in t for t in text_of)
    assert len(text_of) >= 5


def test_json_scheme_file(tmp_path: Path) -> None:
    scheme = load_scheme(EXAMPLE / "scheme.toml").scheme
    path = tmp_path / "s.json"
    path.write_text(dump_scheme(scheme, format="json"), encoding="utf-8")
    assert load_scheme(path).scheme == scheme
    assert json.loads(path.read_text(encoding="utf-8"))["schema_version"] == 1


@pytest.mark.parametrize("format", ["toml", "json"])
def test_deeply_nested_files_are_scheme_errors(format: str) -> None:
    nested = "[" * 5000 + "]" * 5000
    text = (
        f"schema_version = 1\ntotal = {nested}\n"
        if format == "toml"
        else f'{{"schema_version": 1, "total": {nested}}}'
    )
    with pytest.raises(fa.SchemeError, match=r"^s\.file: nested too deeply"):
        loads_scheme(text, format=format, where="s.file")


@pytest.mark.parametrize("version", ["true", "1.0", "1e0"])
def test_schema_version_must_be_the_integer_1(version: str) -> None:
    scheme = load_scheme(EXAMPLE / "scheme.toml").scheme
    for format in ("toml", "json"):
        text = dump_scheme(scheme, format=format)
        line = "schema_version = 1" if format == "toml" else '"schema_version": 1'
        assert line in text
        changed = text.replace(line, line[:-1] + version, 1)
        with pytest.raises(fa.SchemeError, match=r"s\.file: schema_version: expected 1; found"):
            loads_scheme(changed, format=format, where="s.file")


def test_a_missing_key_gives_its_path_and_no_line() -> None:
    text = """\
schema_version = 1
total = 100
[[tranches]]
name = "a"
share = 0.5
factors = [{ name = "x", weight = 1, rule = { kind = "share", column = "x" } }]
[[tranches]]
name = "b"
share = 0.5
factors = [{ name = "x", weight = 1, rule = { kind = "share" } }]
"""
    with pytest.raises(fa.SchemeError) as err:
        loads_scheme(text, where="s.toml")
    assert [str(p) for p in err.value.problems] == [
        "s.toml: tranches[2].factors[1].rule.column: missing key 'column'"
    ]


@pytest.mark.parametrize(
    "text",
    [
        "schema_version = 1\n" + ".".join(["a"] * 30_000) + " = 1\n",  # 21 s in tomllib
        "schema_version = 1\n[" + ".".join(["a"] * 30_000) + "]\n",
        "schema_version = 1\nx = " + "{a = " * 100 + "1" + "}" * 100 + "\n",
        "schema_version = 1\nx = "
        + "{"
        + ".".join(["a"] * 40)
        + " = {"
        + ".".join(["b"] * 40)
        + " = 1}}\n",
    ],
    ids=["dotted key", "dotted table header", "inline tables", "dotted keys in inline tables"],
)
def test_deep_toml_is_refused_before_it_is_parsed(text: str) -> None:
    import time

    start = time.perf_counter()
    with pytest.raises(
        fa.SchemeError, match=r"^s\.toml: nested too deeply; found more than 64 levels by line 2"
    ):
        loads_scheme(text, where="s.toml")
    assert time.perf_counter() - start < 1


def test_deep_json_is_refused_before_it_is_parsed() -> None:
    text = '{"schema_version": 1,\n"total": ' + "[" * 100_000 + "]" * 100_000 + "}"
    with pytest.raises(
        fa.SchemeError, match=r"^s\.json: nested too deeply; found more than 64 levels by line 2"
    ):
        loads_scheme(text, format="json", where="s.json")


def test_dots_and_brackets_inside_strings_and_comments_do_not_count() -> None:
    dots = "." * 200
    text = (EXAMPLE / "scheme.toml").read_text(encoding="utf-8")
    old = 'document = "鲁民发〔2018〕47号"'
    assert old in text
    text = text.replace(old, f'# {dots} [[[[ {{{{\ndocument = "{dots}[[[[\\"{dots}"')
    assert loads_scheme(text).scheme.document == f'{dots}[[[["{dots}'
    multiline = text.replace(
        f'document = "{dots}[[[[\\"{dots}"', f"document = '''\n{dots}\n{'[' * 100}'''"
    )
    assert loads_scheme(multiline).scheme.document == f"{dots}\n{'[' * 100}"
    basic = text.replace(
        f'document = "{dots}[[[[\\"{dots}"', f'document = """\n{dots}""\n{"{" * 100}"""'
    )
    assert loads_scheme(basic).scheme.document == f'{dots}""\n{"{" * 100}'


def test_keys_below_a_dotted_table_header_count_with_it() -> None:
    text = "schema_version = 1\n[" + ".".join(["a"] * 40) + "]\n" + ".".join(["b"] * 40) + " = 1\n"
    with pytest.raises(
        fa.SchemeError, match=r"nested too deeply; found more than 64 levels by line 3"
    ):
        loads_scheme(text, where="s.toml")


@pytest.mark.parametrize("format", ["toml", "json"])
def test_a_scheme_file_larger_than_any_scheme_is_refused(format: str) -> None:
    from fundalloc.io.schemefile import MAX_SCHEME_CHARACTERS

    padding = "x" * (MAX_SCHEME_CHARACTERS + 1)
    text = (
        f'schema_version = 1\nname = "{padding}"\n'
        if format == "toml"
        else f'{{"schema_version": 1, "name": "{padding}"}}'
    )
    with pytest.raises(
        fa.SchemeError,
        match=r"^s\.file: too large for a scheme file: expected at most 1,000,000 characters; "
        r"found 1,000,0\d\d",
    ):
        loads_scheme(text, format=format, where="s.file")


def test_a_lone_surrogate_in_a_json_scheme_is_a_scheme_error() -> None:
    text = (EXAMPLE / "scheme.toml").read_text(encoding="utf-8")
    scheme = loads_scheme(text).scheme
    document = json.loads(dump_scheme(scheme, format="json"))
    document["name"] = "资金\ud800"
    with pytest.raises(
        fa.SchemeError, match=r"^s\.json: name: expected text; found a lone surrogate \\ud800"
    ):
        loads_scheme(json.dumps(document), format="json", where="s.json")
