"""The message catalogue: every id the code uses exists, both languages say the same thing
with the same placeholders, and neither language leaks into the other."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from fundalloc.errors import DataError, Problem, not_listed
from fundalloc.i18n import CATALOGUE, TERMS, Message, language, set_language, tr, using

PACKAGE = Path(__file__).resolve().parents[1] / "fundalloc"
SOURCES = {path: path.read_text(encoding="utf-8") for path in PACKAGE.rglob("*.py")}
USED = re.compile(r"""\b(?:tr|text)\(\s*["']([a-z_]+\.[a-z0-9_.]+)["']""")
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
#: Chinese words an English message may quote as they are (the bureau's own terms).
QUOTED_ZH = ("合计", "小计", "总计", "共计", "其中", "万元", "元", "测算表", "尾差", "公示", "文号")


def _fields(template: str) -> set[str]:
    return {
        name.split(".")[0].split("[")[0]
        for _, name, _, _ in string.Formatter().parse(template)
        if name
    }


def _stripped(template: str) -> str:
    """The template without placeholders, code in backticks, command-line options and the
    words of TERMS: what is left must be in the template's own language."""
    out = re.sub(r"\{[^{}]*\}", " ", template)
    out = re.sub(r"`[^`]*`", " ", out)
    out = re.sub(r"(?<![\w-])--?[a-z][a-z0-9-]*", " ", out)
    for term in sorted(TERMS, key=len, reverse=True):
        out = out.replace(term, " ")
    return out


def test_every_id_the_code_uses_is_in_the_catalogue() -> None:
    missing = sorted(
        f"{path.relative_to(PACKAGE)}: {key}"
        for path, source in SOURCES.items()
        if path.parent.name != "i18n"  # the catalogue's docstring shows a made-up id
        for key in USED.findall(source)
        if key not in CATALOGUE
    )
    assert missing == []


def test_every_catalogue_entry_is_used() -> None:
    everything = "\n".join(source for path, source in SOURCES.items() if path.parent.name != "i18n")
    unused = [key for key in CATALOGUE if f'"{key}"' not in everything]
    assert unused == []


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_both_languages_have_the_same_placeholders(key: str) -> None:
    zh, en = CATALOGUE[key]
    assert _fields(zh) == _fields(en), key


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_chinese_text_holds_no_english_word(key: str) -> None:
    zh = _stripped(CATALOGUE[key][0])
    assert re.findall(r"[A-Za-z]{2,}", zh) == [], key


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_english_text_holds_no_chinese_word(key: str) -> None:
    en = _stripped(CATALOGUE[key][1])
    for word in sorted(QUOTED_ZH, key=len, reverse=True):
        en = en.replace(word, " ")
    assert CJK.findall(en) == [], key


def test_the_default_language_is_chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FUNDALLOC_LANG")
    assert language() == "zh"
    monkeypatch.setenv("FUNDALLOC_LANG", "EN")
    assert language() == "en"
    monkeypatch.setenv("FUNDALLOC_LANG", "fr")  # not a language of ours: the default
    assert language() == "zh"
    with using("en"):
        assert language() == "en"
    monkeypatch.delenv("FUNDALLOC_LANG")
    set_language("en")
    try:
        assert language() == "en"
    finally:
        set_language(None)
    assert language() == "zh"


def test_an_unknown_language_is_refused_in_both() -> None:
    with pytest.raises(ValueError, match="expected zh or en / 应为 zh 或 en"):
        set_language("fr")  # type: ignore[arg-type]


def test_a_problem_renders_whole_in_one_language() -> None:
    problem = Problem("data.csv", tr("common.more_not_listed", count=3717), found="x", hint="y")
    assert problem.render("zh") == "data.csv：另有 3,717 行同类问题未列出；实际为 x（提示：y）"
    assert problem.render("en") == (
        "data.csv: 3,717 more rows with the same kind of problem are not listed; found x (hint: y)"
    )
    error = DataError([problem, *not_listed(51, "data.csv")])
    with using("zh"):
        assert str(error).splitlines()[1] == "data.csv：另有 1 行同类问题未列出"
    assert error.render("en").splitlines()[1] == (
        "data.csv: 1 more row with the same kind of problem is not listed"
    )


def test_parameters_render_in_the_message_language() -> None:
    inner = tr("common.unlimited")
    outer = tr("common.problem", where=inner, message=["a", "b"])
    assert outer.render("zh") == "不限：a、b"
    assert outer.render("en") == "unlimited: a, b"
    assert tr("common.more_not_listed", count=12).render("en").startswith("12 more")
    assert isinstance(tr("common.unlimited"), Message)
    with pytest.raises(KeyError, match="no message"):
        tr("common.no_such_message")
