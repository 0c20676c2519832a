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
        t.startswith("s.toml, line ") and "total: Input should be greater than 0" in t
        for t in text_of
    )
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
