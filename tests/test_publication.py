"""The publication page (公示): its context, the HTML, Markdown and DOCX renderings, templates
a bureau adapts, escaping, template errors, both languages and reproducible bytes."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import fundalloc as fa
from fundalloc.errors import DataError
from fundalloc.i18n import using
from fundalloc.io import publication
from fundalloc.io.outputs import Provenance
from fundalloc.io.publication import (
    context,
    default_template,
    markdown_escape,
    render_docx,
    render_html,
    render_markdown,
)

PROVENANCE = Provenance(
    "scheme.toml", "ab" * 32, "data.csv", "cd" * 32, "9.9.9", "2026-01-02T03:04:05+00:00"
)
REGIONS = ["济南市", "青岛市", "淄博市"]


def _table(regions: list[str] | None = None) -> fa.RegionTable:
    regions = regions or REGIONS
    n = len(regions)
    return fa.RegionTable.from_columns(
        {
            "地区": regions,
            "贫困人口": [30 + 7 * i for i in range(n)],
            "村数": [2 + i % 3 for i in range(n)],
            "等次": ["A" if i % 2 else "B" for i in range(n)],
        },
        id="地区",
    )


def _scheme(cls: type[fa.Scheme] = fa.Scheme, **extra: object) -> fa.Scheme:
    options: dict[str, object] = {
        "name": "2018年省级少数民族发展资金",
        "document": "鲁财农指〔2018〕1号",
        "total": Decimal("3717"),
        "tranches": [
            fa.Tranche(
                name="因素",
                share=1,
                factors=[
                    fa.Factor(name="贫困人口", rule=fa.Share(column="贫困人口"), weight=0.7),
                    fa.Factor(name="重点村", rule=fa.Share(column="村数"), weight=0.3),
                ],
                coefficients=[
                    fa.Coefficient(
                        name="绩效系数", rule=fa.Tiered(column="等次", tiers={"A": 1.1, "B": 1.0})
                    )
                ],
            )
        ],
        "bounds": [fa.Floor(amount=Decimal(100))],
    }
    options.update(extra)
    return cls(**options)  # type: ignore[arg-type]


def _allocation(**extra: object) -> fa.Allocation:
    return fa.allocate(_table(), _scheme(**extra))


# ------------------------------------------------------------------------------ context
def test_the_context_holds_what_the_page_shows_in_chinese() -> None:
    result = _allocation()
    page = context(result, lang="zh", provenance=PROVENANCE)
    assert page["title"] == "2018年省级少数民族发展资金"
    assert page["document"] == "鲁财农指〔2018〕1号"
    assert page["formula"] == [
        "因素（占 100%）：贫困人口 70%、重点村 30%；再乘以调节系数绩效系数，按本切块总额归一"
    ]
    assert page["bounds"] == ["每个地区不少于 100 万元"]
    assert [row["region"] for row in page["rows"]] == REGIONS
    assert [row["amount_value"] for row in page["rows"]] == list(result.amounts.values())
    assert sum(row["units"] for row in page["rows"]) == 3717
    assert page["total_row"] == {"label": "合计", "amount": "3,717", "share": "100.00%"}
    assert page["labels"]["amount"] == "分配金额（万元）"
    assert page["rounding_note"] == "金额按最大余额法取整到 1 万元，合计等于资金总额 3,717 万元。"
    assert page["residual"] is None
    assert page["hashes"][0] == {"label": "方案文件 SHA-256", "value": "ab" * 32, "short": "ab" * 6}
    assert page["made_by"] == "由 fundalloc 9.9.9 于 2026-01-02T03:04:05+00:00 生成"
    # the scheme gives no issuer, date, period or contact: none is shown, none made up
    assert [f["key"] for f in page["facts"]] == ["fund", "total_amount", "document"]
    assert page["issuer"] is page["date"] is page["period"] is page["contact"] is None


def test_the_context_in_english_has_no_chinese_word_of_its_own() -> None:
    page = context(_allocation(), lang="en", provenance=PROVENANCE)
    assert page["labels"]["region"] == "Region"
    assert page["labels"]["amount"] == "Amount (万元)"
    assert page["formula"] == [
        "因素 (100%): 贫困人口 70%, 重点村 30%; then multiplied by the coefficients 绩效系数 "
        "and rescaled to the tranche"
    ]
    assert page["bounds"] == ["at least 100 万元 a region"]
    assert page["rounding_note"] == (
        "Amounts are rounded to 1 万元 by the largest remainder method; they add up to the "
        "total of 3,717 万元."
    )
    words = " ".join(page["labels"].values())
    assert not re.search(r"[\u4e00-\u9fff]", words.replace("万元", ""))


def test_the_language_defaults_to_the_current_one() -> None:
    with using("zh"):
        assert context(_allocation(), provenance=PROVENANCE)["labels"]["total"] == "合计"
    with using("en"):
        assert context(_allocation(), provenance=PROVENANCE)["labels"]["total"] == "Total"


def test_the_publication_fields_of_a_scheme_are_shown_when_it_has_them() -> None:
    scheme = _scheme(
        fa.Scheme,
        issuer="山东省民族事务委员会",
        date=dt.date(2018, 5, 20),
        period="2018年5月20日至5月26日",
        contact="0531-12345678",
    )
    page = context(fa.allocate(_table(), scheme), lang="zh", provenance=PROVENANCE)
    facts = {f["key"]: (f["label"], f["value"]) for f in page["facts"]}
    assert facts["issuer"] == ("发布单位", "山东省民族事务委员会")
    assert facts["date"] == ("发布日期", "2018-05-20")
    assert facts["period"] == ("公示期", "2018年5月20日至5月26日")
    assert facts["contact"] == ("联系方式", "0531-12345678")
    html = render_html(fa.allocate(_table(), scheme), lang="en", provenance=PROVENANCE)
    assert "<dt>Public notice period</dt><dd>2018年5月20日至5月26日</dd>" in html


def test_labels_of_the_scheme_replace_the_pages_own() -> None:
    page = context(
        _allocation(),
        lang="zh",
        labels={"region": "市", "amount": "下达金额"},
        provenance=PROVENANCE,
    )
    assert page["labels"]["region"] == "市"
    assert page["labels"]["amount"] == "下达金额（万元）"


def test_the_formula_in_words_covers_groups_quotas_amounts_and_conditions() -> None:
    scheme = fa.Scheme(
        total=Decimal(1000),
        step=Decimal("0.01"),
        eligibility=[fa.Condition(column="村数", op=">", value=0)],
        tranches=[
            fa.Tranche(name="定额", quota=fa.Quota(column="村数", rate=10)),
            fa.Tranche(
                name="因素",
                amount=Decimal(600),
                eligibility=[fa.Condition(column="贫困人口", op=">", value=0)],
                factors=[
                    fa.Factor(
                        name="人口组",
                        weight=0.5,
                        rule=fa.Group(
                            factors=[
                                fa.Factor(name="甲", rule=fa.Share(column="贫困人口"), weight=1),
                                fa.Factor(name="乙", rule=fa.Share(column="村数"), weight=3),
                            ],
                            normalise_weights=True,
                        ),
                    ),
                    fa.Factor(name="村", rule=fa.Share(column="村数"), weight=0.5),
                ],
            ),
            fa.Tranche(
                name="其余",
                share=1,
                factors=[fa.Factor(name="村", rule=fa.Share(column="村数"), weight=1)],
            ),
        ],
        bounds=[
            fa.Cap(share=0.5, name="封顶"),
            fa.Floor(per="贫困人口", rate=0.5),
        ],
    )
    result = fa.allocate(_table(), scheme)
    page = context(result, lang="zh", provenance=PROVENANCE)
    assert page["formula"] == [
        "参与分配的地区：村数 > 0；其余地区不参与分配",
        "定额（定额）：按村数每单位 10 万元",
        "因素（600 万元）：人口组/甲 12.5%、人口组/乙 37.5%、村 50%（仅限 贫困人口 > 0）",
        "其余（占 100%）：村 100%",
    ]
    assert page["bounds"] == [
        "封顶：每个地区不超过总额的 50%",
        "每个地区不少于按贫困人口每单位 0.5 万元",
    ]
    assert page["rows"][0]["amount"] == f"{result.amounts['济南市']:,.2f}"
    assert page["total_row"]["amount"] == "1,000.00"


def test_a_residual_of_half_up_rounding_is_in_the_note() -> None:
    scheme = fa.Scheme(
        total=Decimal(10),
        rounding="half_up",
        tranches=[
            fa.Tranche(
                name="因素",
                share=1,
                factors=[fa.Factor(name="一", rule=fa.Share(column="村数"), weight=1)],
            )
        ],
    )
    result = fa.allocate(_table(["甲", "乙", "丙"]), scheme)  # 村数 2, 3, 4: 10·2/9 …
    assert result.unallocated
    zh = context(result, lang="zh", provenance=PROVENANCE)
    en = context(result, lang="en", provenance=PROVENANCE)
    size = f"{abs(result.unallocated)}"
    assert "尾差" in zh["rounding_note"] and size in zh["rounding_note"]
    assert "(尾差)" in en["rounding_note"] and "half-up" in en["rounding_note"]
    assert zh["residual"] == f"{size} 万元"
    assert zh["total_row"]["amount"] == str(sum(result.amounts.values()))


# ------------------------------------------------------------------------------ HTML
class _Cells(HTMLParser):
    """The text of every table cell of an HTML page, row by row."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.scripts = 0
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "script":
            self.scripts += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def test_the_html_page_escapes_names_from_the_data() -> None:
    regions = ["<script>alert(1)</script>", "甲 & 乙", '"丙"']
    result = fa.allocate(_table(regions), _scheme(name="<b>资金</b>", bounds=[]))
    html = render_html(result, lang="zh", labels={"share": "<i>占比</i>"}, provenance=PROVENANCE)
    parser = _Cells()
    parser.feed(html)
    assert parser.scripts == 0
    assert "<b>" not in html and "&lt;b&gt;资金&lt;/b&gt;" in html
    assert parser.rows[0] == ["地区", "分配金额（万元）", "<i>占比</i>"]
    assert [row[0] for row in parser.rows[1:-1]] == regions
    assert parser.rows[-1][0] == "合计"
    assert [row[1] for row in parser.rows[1:-1]] == [f"{a:,}" for a in result.amounts.values()]


def test_the_html_page_in_both_languages() -> None:
    zh = render_html(_allocation(), lang="zh", provenance=PROVENANCE)
    en = render_html(_allocation(), lang="en", provenance=PROVENANCE)
    assert '<html lang="zh-CN">' in zh and "<h2>分配方法</h2>" in zh and "说明：" in zh
    assert '<html lang="en">' in en and "<h2>How the funds are allocated</h2>" in en
    assert "Note: " in en and "说明" not in en


# -------------------------------------------------------------------------- Markdown
def test_markdown_cells_are_escaped_so_the_table_keeps_its_columns() -> None:
    markdown = pytest.importorskip("markdown")
    regions = ["甲|乙", "*丙*", "<b>丁</b>", "戊\\|", "己 &amp; 庚 > 0", "> 辛", "[壬](x)"]
    result = fa.allocate(_table(regions), _scheme(bounds=[]))
    text = render_markdown(result, lang="zh", provenance=PROVENANCE)
    html = markdown.markdown(text, extensions=["tables"])
    parser = _Cells()
    parser.feed(html)
    assert parser.rows[0] == ["地区", "分配金额（万元）", "占比"]
    assert [row[0] for row in parser.rows[1:-1]] == regions
    assert all(len(row) == 3 for row in parser.rows)
    assert parser.rows[-1][:2] == ["合计", "3,717"]


_MARKUP = [*"甲乙ab1 |\\`*_[]()<>&~#!-+=.:;\"'{}", "&amp;", "&#1;", "<b>", "**", "~~"]


@given(
    st.lists(st.sampled_from(_MARKUP), min_size=1, max_size=8)
    .map("".join)
    .filter(lambda s: s == s.strip())
)
def test_any_escaped_name_shows_as_it_is_in_a_markdown_table(name: str) -> None:
    markdown = pytest.importorskip("markdown")
    parser = _Cells()
    parser.feed(
        markdown.markdown(f"| h |\n| --- |\n| {markdown_escape(name)} |\n", extensions=["tables"])
    )
    assert parser.rows == [["h"], [name]]


def test_markdown_escape() -> None:
    assert markdown_escape("a|b") == "a\\|b"
    assert markdown_escape("line\nbreak") == "line break"
    assert markdown_escape("+1") == "\\+1"
    assert markdown_escape("3,717") == "3,717"


def test_the_markdown_page_in_both_languages() -> None:
    zh = render_markdown(_allocation(), lang="zh", provenance=PROVENANCE)
    en = render_markdown(_allocation(), lang="en", provenance=PROVENANCE)
    assert zh.startswith("# 2018年省级少数民族发展资金\n\n鲁财农指〔2018〕1号\n")
    assert "| 地区 | 分配金额（万元） | 占比 |" in zh and "- **资金总额**：3,717 万元" in zh
    assert (
        "| Region | Amount (万元) | Share |" in en and "- **Total to allocate**: 3,717 万元" in en
    )
    assert "| **Total** | **3,717** | **100.00%** |" in en


# -------------------------------------------------------------------------- templates
def test_a_copied_template_works_in_both_languages(tmp_path: Path) -> None:
    (tmp_path / "head.j2").write_text(
        "<header>{{ labels.document }}：{{ document }}</header>\n", encoding="utf-8"
    )
    mine = tmp_path / "mine.html.j2"
    mine.write_text(
        '{% include "head.j2" %}<h1>{{ title }}</h1>'
        "{% for row in rows %}<p>{{ row.region }}={{ row.amount }}</p>{% endfor %}"
        "<p>{{ labels.total }} {{ total_row.amount }}</p>",
        encoding="utf-8",
    )
    zh = render_html(_allocation(), lang="zh", provenance=PROVENANCE, template=mine)
    en = render_html(_allocation(), lang="en", provenance=PROVENANCE, template=str(mine))
    assert zh.startswith("<header>文号：鲁财农指〔2018〕1号</header>")
    assert en.startswith("<header>Document No.：鲁财农指〔2018〕1号</header>")
    assert "<p>合计 3,717</p>" in zh and "<p>Total 3,717</p>" in en


def test_the_default_templates_hold_no_words_of_their_own() -> None:
    for fmt in ("html", "md"):
        source = default_template(fmt).read_text(encoding="utf-8")  # type: ignore[arg-type]
        body = re.sub(r"\{#.*?#\}|<style>.*?</style>", "", source, flags=re.S)
        assert not re.search(r"[\u4e00-\u9fff]", body), fmt
        shown = re.sub(r"\{[{%].*?[%}]\}|<[^>]*>|\{[^{}]*\}", " ", body)  # tags, CSS rules
        words = set(re.findall(r"[A-Za-z]{3,}", shown)) - {"SHA"}
        assert words == set(), (fmt, words)


def test_a_template_with_a_syntax_error_names_the_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.md.j2"
    bad.write_text(
        "# {{ title }}\n\n| {{ labels.region }} |\n{% for row in rows %\n", encoding="utf-8"
    )
    with pytest.raises(DataError) as caught:
        render_markdown(_allocation(), provenance=PROVENANCE, template=bad)
    assert caught.value.render("en").startswith(
        f"template {bad}, line 4: the template has a syntax error; found "
    )
    assert caught.value.render("zh").startswith(f"模板 {bad} 第 4 行：模板有语法错误；实际为 ")
    assert str(default_template("md")) in caught.value.render("en")  # the hint: copy it


def test_a_copy_of_the_default_template_gives_the_same_page(tmp_path: Path) -> None:
    for fmt, render in (("html", render_html), ("md", render_markdown)):
        copy = tmp_path / f"copy.{fmt}.j2"
        copy.write_bytes(default_template(fmt).read_bytes())  # type: ignore[arg-type]
        for lang in ("zh", "en"):
            mine = render(_allocation(), lang=lang, provenance=PROVENANCE, template=copy)  # type: ignore[operator]
            assert mine == render(_allocation(), lang=lang, provenance=PROVENANCE)  # type: ignore[operator]


def test_an_undefined_variable_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "typo.html.j2"
    bad.write_text("<h1>{{ title }}</h1>\n\n<p>{{ totl_row.amount }}</p>\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        render_html(_allocation(), provenance=PROVENANCE, template=bad)
    message = caught.value.render("en")
    assert (
        f"template {bad}, line 3: the template uses a variable the page does not offer" in message
    )
    assert "found 'totl_row'" in message and "is undefined" not in message
    assert "publication.html.j2" in message  # the hint names the default to start from
    assert "is undefined" not in caught.value.render("zh")  # Jinja2's English left out


def test_a_missing_or_binary_template_is_a_data_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="the template file cannot be read"):
        render_html(_allocation(), provenance=PROVENANCE, template=tmp_path / "none.j2")
    binary = tmp_path / "gbk.j2"
    binary.write_bytes("{{ title }} 地区".encode("gbk"))
    with pytest.raises(DataError, match="not UTF-8 text") as caught:
        render_markdown(_allocation(), provenance=PROVENANCE, template=binary)
    assert "模板文件不是 UTF-8 文本" in caught.value.render("zh")


def test_a_failing_filter_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "filter.md.j2"
    bad.write_text("{{ title }}\n{{ rows | sum }}\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"line 2: the template failed to render; found TypeError"):
        render_markdown(_allocation(), provenance=PROVENANCE, template=bad)


# ------------------------------------------------------------------------------ DOCX
def _docx() -> Any:
    """python-docx (the ``docx`` extra): the DOCX tests are skipped without it."""
    return pytest.importorskip("docx")


def _docx_texts(data: bytes) -> tuple[list[str], list[list[str]]]:
    document = _docx().Document(io.BytesIO(data))
    rows = [[cell.text for cell in row.cells] for row in document.tables[0].rows]
    return [p.text for p in document.paragraphs], rows


def test_the_docx_page_holds_title_facts_formula_table_and_note() -> None:
    _docx()
    result = _allocation()
    paragraphs, rows = _docx_texts(render_docx(result, lang="zh", provenance=PROVENANCE))
    assert paragraphs[:4] == [
        "2018年省级少数民族发展资金",
        "鲁财农指〔2018〕1号",
        "资金名称：2018年省级少数民族发展资金",
        "资金总额：3,717 万元",
    ]
    assert (
        "分配方法" in paragraphs
        and "每个地区不少于 100 万元" in paragraphs[paragraphs.index("分配方法") + 2]
    )
    assert rows[0] == ["地区", "分配金额（万元）", "占比"]
    assert rows[1:-1] == [
        [region, f"{amount:,}", f"{float(amount) / 3717:.2%}"]
        for region, amount in result.amounts.items()
    ]
    assert rows[-1] == ["合计", "3,717", "100.00%"]
    assert any(p.startswith("说明：金额按最大余额法取整到 1 万元") for p in paragraphs)
    assert any(p == "方案文件 SHA-256：" + "ab" * 32 for p in paragraphs)
    header = (
        _docx().Document(io.BytesIO(render_docx(result, provenance=PROVENANCE))).tables[0].rows[0]
    )
    assert header._tr.trPr.xpath("./w:tblHeader")  # repeated on every printed page


def test_the_docx_page_in_english() -> None:
    _docx()
    paragraphs, rows = _docx_texts(render_docx(_allocation(), lang="en", provenance=PROVENANCE))
    assert rows[0] == ["Region", "Amount (万元)", "Share"]
    assert rows[-1][0] == "Total"
    assert "Total to allocate: 3,717 万元" in paragraphs
    assert "How the funds are allocated" in paragraphs


def test_the_docx_page_keeps_a_bureaus_word_template(tmp_path: Path) -> None:
    letterhead = _docx().Document()
    letterhead.add_paragraph("山东省民族事务委员会文件")
    letterhead.sections[0].header.paragraphs[0].text = "内部公示"
    path = tmp_path / "letterhead.docx"
    letterhead.save(str(path))
    document = _docx().Document(
        io.BytesIO(render_docx(_allocation(), provenance=PROVENANCE, template=path))
    )
    assert document.paragraphs[0].text == "山东省民族事务委员会文件"
    assert document.paragraphs[1].text == "2018年省级少数民族发展资金"
    assert document.sections[0].header.paragraphs[0].text == "内部公示"


def test_a_template_that_is_no_word_document_is_a_data_error(tmp_path: Path) -> None:
    _docx()
    path = tmp_path / "letterhead.docx"
    path.write_text("not a zip", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        render_docx(_allocation(), provenance=PROVENANCE, template=path)
    assert f"template {path}: not a readable Word document (DOCX)" in caught.value.render("en")
    assert "不是可读的 DOCX 文档" in caught.value.render("zh")


# ------------------------------------------------------------------ reproducible bytes
def test_the_same_inputs_give_the_same_bytes_with_source_date_epoch(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _docx()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1526774400")  # 2018-05-20 00:00 UTC
    result = _allocation()
    first = render_docx(result, provenance=PROVENANCE)
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {i.date_time for i in archive.infolist()} == {(2018, 5, 20, 0, 0, 0)}
    properties = _docx().Document(io.BytesIO(first)).core_properties
    assert properties.created == properties.modified == dt.datetime(2018, 5, 20, tzinfo=dt.UTC)
    assert render_docx(_allocation(), provenance=PROVENANCE) == first
    for render in (render_html, render_markdown):
        assert render(result, provenance=PROVENANCE) == render(_allocation(), provenance=PROVENANCE)


def test_without_source_date_epoch_the_docx_is_dated_now(monkeypatch: pytest.MonkeyPatch) -> None:
    _docx()
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    created = (
        _docx()
        .Document(io.BytesIO(render_docx(_allocation(), provenance=PROVENANCE)))
        .core_properties.created
    )
    assert created is not None and before <= created <= before + dt.timedelta(minutes=5)


def test_the_default_templates_ship_with_the_package() -> None:
    assert default_template("html").is_file() and default_template("md").is_file()
    assert publication.DEFAULT_TEMPLATES == {
        "html": "publication.html.j2",
        "md": "publication.md.j2",
    }


# ------------------------------------------------------------------ the scheme's facts
PUBLISHED_TOML = """
schema_version = 1
name = "少数民族发展资金"
document = "鲁民发〔2018〕47号"
issuer = "山东省民族事务委员会"
date = 2026-12-03
period = "2026年12月3日至12月9日"
contact = "0531-1234567"
total = 100

[[tranches]]
name = "因素"
share = 1
factors = [{ name = "贫困人口", rule = { kind = "share", column = "贫困人口" }, weight = 1 }]
"""


def test_a_scheme_file_gives_the_page_its_facts_and_they_round_trip() -> None:
    from fundalloc.io.schemefile import dump_scheme, loads_scheme

    scheme = loads_scheme(PUBLISHED_TOML).scheme
    assert (scheme.issuer, scheme.date, scheme.period, scheme.contact) == (
        "山东省民族事务委员会",
        dt.date(2026, 12, 3),
        "2026年12月3日至12月9日",
        "0531-1234567",
    )
    assert loads_scheme(dump_scheme(scheme)).scheme == scheme
    as_json = dump_scheme(scheme, format="json")
    assert '"date": "2026-12-03"' in as_json
    assert loads_scheme(as_json, format="json").scheme == scheme
    page = context(fa.allocate(_table(), scheme), lang="zh", provenance=PROVENANCE)
    assert (page["issuer"], page["date"], page["period"], page["contact"]) == (
        "山东省民族事务委员会",
        "2026-12-03",
        "2026年12月3日至12月9日",
        "0531-1234567",
    )
    assert set(publication.FIELDS) <= set(fa.Scheme.model_fields)


@pytest.mark.parametrize(
    "written",
    ["20261203", "0", "2026-12-03T10:00:00", '"2026/12/03"', '"2026-02-30"', '"yesterday"'],
)
def test_a_date_that_is_no_calendar_date_is_refused_not_coerced(written: str) -> None:
    from fundalloc.io.schemefile import loads_scheme

    text = PUBLISHED_TOML.replace("date = 2026-12-03", f"date = {written}")
    with pytest.raises(fa.SchemeError) as caught:
        loads_scheme(text)
    assert "date" in caught.value.render("en")
    assert "应为日期，如 2026-12-03" in caught.value.render("zh")  # not pydantic's date_type


def test_a_name_with_a_character_xml_cannot_hold_still_makes_a_docx() -> None:
    # regression: a vertical tab in the fund's name (TOML "\u000b" lets it through) crashed
    # python-docx's core properties with lxml's ValueError (found by a second read)
    _docx()
    data = render_docx(_allocation(name="资金\x0b名称"), lang="zh", provenance=PROVENANCE)
    document = _docx().Document(io.BytesIO(data))
    assert "\x0b" not in document.core_properties.title
    assert document.core_properties.comments == ""  # not "generated by python-docx"
