"""``fundalloc init``'s files: a starter scheme commented in the chosen language that loads
and allocates as written, and messages in both languages; optional packages say how to
install them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import fundalloc as fa
from fundalloc.io.schemefile import load_scheme
from fundalloc.io.starter import STARTER_SCHEME, starter_scheme, write_starter
from fundalloc.optional import require

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_starter_runs_as_written(tmp_path: Path, lang: str) -> None:
    written = write_starter(tmp_path / "new", lang)  # type: ignore[arg-type]
    scheme_file = load_scheme(written[0])
    table = fa.read_csv(written[1], id="地区")
    result = fa.allocate(table, scheme_file.scheme)
    assert sum(result.amounts.values()) == 1000


def test_the_starter_comments_are_in_one_language() -> None:
    comments = {
        lang: [line.split("#", 1)[1] for line in starter_scheme(lang).splitlines() if "#" in line]  # type: ignore[arg-type]
        for lang in ("zh", "en")
    }
    assert starter_scheme("zh") == STARTER_SCHEME
    assert comments["zh"][0].startswith(" 因素法分配方案")
    assert comments["en"][0].startswith(" Factor-method allocation scheme")
    bureau_terms = ("万元", "文号")
    for line in comments["en"]:
        for term in bureau_terms:
            line = line.replace(term, "")
        assert not CJK.search(line), line
    assert all(not re.search(r"\b(Edit|the)\b", line) for line in comments["zh"])


def test_never_overwrites_and_says_so_in_both_languages(tmp_path: Path) -> None:
    write_starter(tmp_path)
    with pytest.raises(fa.DataError) as err:
        write_starter(tmp_path)
    assert err.value.render("en").splitlines()[0] == (
        f"{tmp_path / 'scheme.toml'}: already exists and is not overwritten "
        "(hint: choose an empty folder)"
    )
    assert err.value.render("zh").splitlines()[0] == (
        f"{tmp_path / 'scheme.toml'}：已存在，不会覆盖（提示：请选一个空文件夹）"
    )
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    with pytest.raises(fa.DataError) as err:
        write_starter(tmp_path / "notes.txt" / "new")
    assert "notes.txt：示例文件应写入一个文件夹；实际为 一个文件" in err.value.render("zh")


def test_a_missing_optional_package_says_how_to_install_it() -> None:
    with pytest.raises(fa.DependencyError) as err:
        require("no_such_module_for_fundalloc", "plots")
    assert err.value.render("en") == (
        "this needs the optional package 'no_such_module_for_fundalloc' "
        "(hint: pip install 'fundalloc[plots]')"
    )
    assert err.value.render("zh") == (
        "这需要可选的包 'no_such_module_for_fundalloc'"
        "（提示：安装：`pip install 'fundalloc[plots]'`）"
    )
