"""The publication page (公示) in HTML, Markdown and DOCX, from templates a bureau can adapt.

:func:`context` gathers everything the page shows into plain data: the title, the fund, the
document number (文号), the issuing office, the date, the public notice period (公示期) and the
contact when the scheme gives them, the formula in words with the weights as percentages, the
limits, the table (region, amount, share) with its total row, the rounding note (尾差) and the
hashes of the scheme and data files for a small footnote. Every word the page shows is in the
context too (``labels``), in Chinese by default or in English, so a template holds layout only
and a bureau's copy of one works in both languages.

:func:`render_html` and :func:`render_markdown` fill a Jinja2 template with that context: the
default one shipped in ``fundalloc/templates`` (:func:`default_template` gives its path, to
copy) or the bureau's own (``template=``, ``--template FILE``). In HTML every value is escaped
(Jinja2's autoescape: a region named ``<b>`` shows as ``<b>``); in Markdown every value is
escaped for Markdown (``|`` in a table cell, ``*``, ``_``, ``<`` …), unless the template marks
it ``|safe``. An undefined variable is an error, not an empty cell, so a typo in a copied
template is found the first time it runs.

:func:`render_docx` builds a Word document with python-docx (bureaus attach Word files). Its
"template" is a Word document: the page is appended to a copy of it, so the bureau's letterhead,
page setup, header, footer and styles (``Title``, ``Heading 1``, ``Normal``, ``List Bullet``)
are kept. We build the DOCX with python-docx from the same context rather than filling a Word
file with Jinja2 tags (docxtpl): a table of 10^5 rows is written in one piece of XML in linear
time, the document a bureau adapts is an ordinary Word file with no tags to break, and it takes
no package beyond python-docx.

With ``SOURCE_DATE_EPOCH`` set every format gives the same bytes for the same inputs: the date
comes from it (through the provenance), and in the DOCX so do the core properties' created and
modified dates and the zip entries' timestamps.
"""

from __future__ import annotations

import datetime as dt
import importlib
import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from decimal import Decimal
from importlib import resources
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal
from xml.sax.saxutils import escape as xml_escape

from fundalloc.bounds import Cap, Floor, GrowthCap, HoldHarmless
from fundalloc.errors import DataError, Problem
from fundalloc.factors import Factor, Group
from fundalloc.i18n import Lang, Message, language, tr
from fundalloc.money import format_amount
from fundalloc.optional import require
from fundalloc.result import METHOD_NAMES

if TYPE_CHECKING:
    import jinja2

    from fundalloc.io.outputs import Provenance
    from fundalloc.result import Allocation
    from fundalloc.scheme import Scheme, Tranche

__all__ = [
    "FIELDS",
    "context",
    "default_template",
    "render_docx",
    "render_html",
    "render_markdown",
]

TextFormat = Literal["html", "md"]
#: The default template of each text format, in the package folder ``fundalloc/templates``.
DEFAULT_TEMPLATES: dict[str, str] = {
    "html": "publication.html.j2",
    "md": "publication.md.j2",
}
#: Facts of the page a scheme may give, read with ``getattr`` (None when the scheme has no
#: such field): the issuing office, the date of the notice, the public notice period (公示期)
#: and a contact (phone, address).
FIELDS = ("issuer", "date", "period", "contact")


# ------------------------------------------------------------------------------ the context
def context(
    result: Allocation,
    *,
    provenance: Provenance,
    lang: Lang | None = None,
    labels: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Everything a publication template needs, as plain data.

    Parameters
    ----------
    result : Allocation
        The allocation to publish.
    provenance : Provenance
        Where it came from (:class:`fundalloc.io.outputs.Provenance`): the version, the
        time and the hashes of the footnote. The page's date is the scheme's only (none is
        made up from the clock).
    lang : {"zh", "en"}, optional
        The language of every word on the page (default: the current language,
        :func:`fundalloc.i18n.language`).
    labels : mapping of str to str, optional
        A scheme's ``[labels]``: words that replace the page's own by key (``region``,
        ``amount``, ``share``, ``total``, ``fund``, ``document``, ``formula``, ``note``, ...;
        see ``labels`` below). An ``amount`` label without a bracket gets the unit added.

    Returns
    -------
    dict
        ``lang``, ``html_lang``; ``labels`` (every word: ``region``, ``amount`` (with the
        unit), ``share``, ``total``, ``fund``, ``total_amount``, ``document``, ``issuer``,
        ``date``, ``period``, ``contact``, ``formula``, ``bounds``, ``table``, ``unit``,
        ``note``, ``colon``, ``scheme_hash``, ``data_hash``); ``title``; ``fund``,
        ``document``, ``issuer``, ``date``, ``period``, ``contact`` (text or None);
        ``unit``, ``total_amount``; ``facts`` (the ones given, in order, each with ``key``,
        ``label``, ``value``); ``formula`` and ``bounds`` (lines of text); ``rows`` (each
        with ``region``, ``amount``, ``share`` as shown and ``amount_value`` (Decimal),
        ``units`` (whole steps), ``share_value`` (float)); ``total_row`` (``label``,
        ``amount``, ``share``); ``rounding_note``; ``residual`` (the 尾差 as shown, or None);
        ``made_by``; ``hashes`` (each with ``label``, ``value``, ``short``); ``provenance``
        (its fields).

    Examples
    --------
    >>> import fundalloc as fa
    >>> from fundalloc.io.outputs import Provenance
    >>> table = fa.RegionTable.from_columns({"地区": ["甲", "乙"], "人口": [3, 1]}, id="地区")
    >>> scheme = fa.Scheme(name="示例资金", document="财预〔2026〕1号", total=10,
    ...     tranches=[fa.Tranche(name="因素", share=1, factors=[
    ...         fa.Factor(name="人口", rule=fa.Share(column="人口"), weight=1)])])
    >>> page = context(fa.allocate(table, scheme), lang="zh",
    ...                provenance=Provenance("s.toml", "ab" * 32, "d.csv", "", "0.1.0"))
    >>> page["title"], page["document"], page["formula"]
    ('示例资金', '财预〔2026〕1号', ['因素（占 100%）：人口 100%'])
    >>> [(row["region"], row["amount"], row["share"]) for row in page["rows"]]
    [('甲', '8', '80.00%'), ('乙', '2', '20.00%')]
    >>> page["total_row"]["amount"], page["rounding_note"]
    ('10', '金额按最大余额法取整到 1 万元，合计等于资金总额 10 万元。')
    """
    lang = language() if lang is None else lang
    scheme = result.scheme
    unit = scheme.unit

    def say(key: str, **params: Any) -> str:
        return tr(key, **params).render(lang)

    words = {
        "region": say("publication.label_region"),
        "amount": say("publication.label_amount", unit=unit),
        "share": say("publication.label_share"),
        "total": say("publication.label_total"),
        "fund": say("publication.label_fund"),
        "total_amount": say("publication.label_total_amount"),
        "document": say("publication.label_document"),
        "issuer": say("publication.label_issuer"),
        "date": say("publication.label_date"),
        "period": say("publication.label_period"),
        "contact": say("publication.label_contact"),
        "formula": say("publication.label_formula"),
        "bounds": say("publication.label_bounds"),
        "table": say("publication.label_table"),
        "unit": say("publication.label_unit"),
        "note": say("publication.label_note"),
        "colon": say("publication.label_colon"),
        "scheme_hash": say("publication.label_scheme_hash", algorithm="SHA-256"),
        "data_hash": say("publication.label_data_hash", algorithm="SHA-256"),
    }
    for key, value in (labels or {}).items():
        if key == "amount" and not any(b in value for b in "（("):
            value = f"{value}（{unit}）" if lang == "zh" else f"{value} ({unit})"
        words[key] = value

    given = {name: _given(scheme, name) for name in FIELDS}
    total_amount = f"{format_amount(scheme.total)} {unit}"
    facts = [
        ("fund", scheme.name or None),
        ("total_amount", total_amount),
        ("document", scheme.document or None),
        ("issuer", given["issuer"]),
        ("date", given["date"]),
        ("period", given["period"]),
        ("contact", given["contact"]),
    ]

    rows, total_row = _table(result, words)
    residual = result.unallocated
    hashes = [
        {"label": words[key], "value": value, "short": value[:12]}
        for key, value in (
            ("scheme_hash", provenance.scheme_sha256),
            ("data_hash", provenance.data_sha256),
        )
        if value
    ]
    return {
        "lang": lang,
        "html_lang": "zh-CN" if lang == "zh" else "en",
        "labels": words,
        "title": scheme.name or say("publication.title_default"),
        "fund": scheme.name or None,
        "document": scheme.document or None,
        **given,
        "unit": unit,
        "total_amount": total_amount,
        "facts": [
            {"key": key, "label": words[key], "value": value}
            for key, value in facts
            if value is not None
        ],
        "formula": _formula_words(scheme, lang),
        "bounds": _bound_words(scheme, lang),
        "rows": rows,
        "total_row": total_row,
        "rounding_note": _rounding_note(result, lang),
        "residual": f"{format_amount(abs(residual))} {unit}" if residual else None,
        "made_by": say(
            "publication.made_by", version=provenance.version, created=provenance.created
        ),
        "hashes": hashes,
        "provenance": {
            "scheme_path": provenance.scheme_path,
            "scheme_sha256": provenance.scheme_sha256,
            "data_path": provenance.data_path,
            "data_sha256": provenance.data_sha256,
            "version": provenance.version,
            "created": provenance.created,
        },
    }


def _given(scheme: Scheme, name: str) -> str | None:
    """A publication fact of the scheme as text, or None when it has no such field or it is
    empty (the scheme may not have the field yet: read with getattr)."""
    value = getattr(scheme, name, None)
    if value is None or value == "":
        return None
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _decimals(step: Decimal) -> int:
    return max(0, -int(step.normalize().as_tuple().exponent))


def _table(
    result: Allocation, words: Mapping[str, str]
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The rows (region, amount, share) and the total row, amounts shown to the step's
    decimals with grouped thousands, shares as percentages with two decimals."""
    scheme = result.scheme
    step = scheme.step
    places = _decimals(step)
    whole = step == step.to_integral_value()
    step_int = int(step)
    total = float(scheme.total)
    units = result.units.tolist()
    rows: list[dict[str, Any]] = []
    append = rows.append
    for region, u in zip(result.table.ids, units, strict=True):
        amount = u * step
        share = float(amount) / total
        append(
            {
                "region": region,
                "amount": f"{u * step_int:,}" if whole else f"{amount:,.{places}f}",
                "share": f"{share:.2%}",
                "amount_value": amount,
                "units": u,
                "share_value": share,
            }
        )
    allocated = sum(units) * step
    total_row = {
        "label": words["total"],
        "amount": f"{allocated:,.{places}f}",
        "share": f"{float(allocated) / total:.2%}",
    }
    return rows, total_row


def _percent(fraction: float) -> str:
    """A weight or share as a percentage, at most two decimals, no needless zeros."""
    return f"{format_amount(fraction * 100, 2)}%"


def _flat_factors(
    factors: Sequence[Factor], scale: float = 1.0, prefix: str = ""
) -> list[tuple[str, float]]:
    """Each factor's name (a group's sub-factors as ``group/name``) and its weight in the
    tranche, the weights of a level rescaled to add up to its parent's."""
    total = sum(f.weight for f in factors)
    out: list[tuple[str, float]] = []
    for f in factors:
        weight = scale * f.weight / total
        if isinstance(f.rule, Group):
            out += _flat_factors(f.rule.factors, weight, f"{prefix}{f.name}/")
        else:
            out.append((f"{prefix}{f.name}", weight))
    return out


def _size(tranche: Tranche, unit: str) -> Message:
    if tranche.share is not None:
        return tr("publication.size_share", share=_percent(tranche.share))
    if tranche.amount is not None:
        return tr("publication.size_amount", amount=format_amount(tranche.amount), unit=unit)
    return tr("publication.size_quota")


def _formula_words(scheme: Scheme, lang: Lang) -> list[str]:
    """The formula in words: which regions take part (when the scheme says), then one line
    per tranche that splits money among the regions: its size, its factors with their weights
    as percentages, its coefficients, its conditions."""
    lines = []
    if scheme.eligibility:
        conditions = [c.describe() for c in scheme.eligibility]
        lines.append(tr("publication.eligibility", conditions=conditions).render(lang))
    for path, tranche in scheme.walk():
        if tranche.tranches:
            continue
        where = "/".join(path)
        size = _size(tranche, scheme.unit)
        if tranche.quota is not None:
            line = tr(
                "publication.tranche_quota",
                path=where,
                size=size,
                column=tranche.quota.column,
                rate=format_amount(tranche.quota.rate, 6),
                unit=scheme.unit,
            )
        else:
            factors = [
                tr("publication.factor_weight", name=name, weight=_percent(weight))
                for name, weight in _flat_factors(tranche.factors)
            ]
            line = tr("publication.tranche_factors", path=where, size=size, factors=factors)
            if tranche.coefficients:
                names = [c.name for c in tranche.coefficients]
                line = tr("publication.tranche_coefficients", line=line, names=names)
        if tranche.eligibility:
            conditions = [c.describe() for c in tranche.eligibility]
            line = tr("publication.only_where", line=line, conditions=conditions)
        lines.append(line.render(lang))
    return lines


#: The messages of a floor and of a cap given as an amount, a share or a rate per unit.
_LIMIT_IDS: dict[type, tuple[str, str, str]] = {
    Floor: ("publication.floor_amount", "publication.floor_share", "publication.floor_per"),
    Cap: ("publication.cap_amount", "publication.cap_share", "publication.cap_per"),
}


def _bound_words(scheme: Scheme, lang: Lang) -> list[str]:
    """Each floor, cap and year-over-year limit in words (its own name first when it has one)."""
    unit = scheme.unit
    lines = []
    for bound in scheme.bounds:
        rule: Message
        if isinstance(bound, Floor | Cap):
            ids = _LIMIT_IDS[type(bound)]
            if bound.amount is not None:
                rule = tr(ids[0], amount=format_amount(bound.amount), unit=unit)
            elif bound.share is not None:
                rule = tr(ids[1], share=_percent(bound.share))
            else:
                rule = tr(
                    ids[2],
                    column=bound.per,
                    rate=format_amount(bound.rate or 0.0, 6),
                    unit=unit,
                )
        elif isinstance(bound, HoldHarmless):
            rule = tr("publication.hold_harmless", column=bound.column, ratio=_percent(bound.ratio))
        else:
            assert isinstance(bound, GrowthCap)
            rule = tr("publication.growth_cap", column=bound.column, ratio=_percent(bound.ratio))
        if bound.where:
            rule = tr(
                "publication.only_where", line=rule, conditions=[c.describe() for c in bound.where]
            )
        if bound.name:
            rule = tr("publication.named_bound", name=bound.name, rule=rule)
        lines.append(rule.render(lang))
    return lines


def _rounding_note(result: Allocation, lang: Lang) -> str:
    """How the amounts were rounded; with ``half_up`` the residual (尾差): money left
    unallocated when positive, an excess over the total when negative."""
    scheme = result.scheme
    step = format_amount(scheme.step, 12)
    residual = result.unallocated
    if not residual:
        note = tr(
            "publication.rounding_exact",
            method=METHOD_NAMES[lang][scheme.method],
            step=step,
            unit=scheme.unit,
            total=format_amount(scheme.total, 12),
        )
    else:
        note = tr(
            "publication.rounding_left" if residual > 0 else "publication.rounding_over",
            step=step,
            unit=scheme.unit,
            residual=format_amount(abs(residual), 12),
        )
    return note.render(lang)


# ------------------------------------------------------------------------------- templates
def default_template(format: TextFormat) -> Path:
    """The path of the default template of ``format`` ("html" or "md"), to copy and adapt.

    >>> default_template("md").name
    'publication.md.j2'
    """
    return Path(str(resources.files("fundalloc.templates").joinpath(DEFAULT_TEMPLATES[format])))


_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#])")
_MD_ENTITIES = str.maketrans({"<": "&lt;", "~": "&#126;"})
_MD_ENTITY_LIKE = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_MD_LEADING = re.compile(r"^([-+>])")
# anything markdown_escape changes: markup, entities, a leading - + >, and what splitlines()
# breaks at
_MD_ANY = re.compile(r"[\\`*_\[\]|#&<~\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]|^[-+>]")


def markdown_escape(value: Any) -> str:
    r"""A value as Markdown text that shows exactly as it is: line breaks become spaces, the
    characters Markdown reads as markup get a backslash (``\ ` * _ [ ] | #``, and ``- + >``
    at the start), ``<`` and ``~`` become entities, and so does an ``&`` that would start
    one, so a region's name can neither end a table cell nor become a link, emphasis or raw
    HTML; the rest (``>`` inside, ``&`` before a space) stays as written.

    >>> markdown_escape("甲|乙 <b>*x*</b> & 丙 > 0")
    '甲\\|乙 &lt;b>\\*x\\*&lt;/b> & 丙 > 0'
    >>> markdown_escape("-1\n二 &amp;")
    '\\-1 二 &amp;amp;'
    """
    text = str(value)
    if _MD_ANY.search(text) is None:  # most values: amounts, shares, plain names
        return text
    text = " ".join(text.splitlines())
    text = _MD_ENTITY_LIKE.sub("&amp;", text).translate(_MD_ENTITIES)
    return _MD_LEADING.sub(r"\\\1", _MD_SPECIAL.sub(r"\\\1", text))


def _md_finalize(value: Any) -> Any:
    """Every ``{{ value }}`` of a Markdown template is escaped, unless marked ``|safe``."""
    from markupsafe import Markup

    if isinstance(value, Markup):
        return str(value)
    return markdown_escape(value)


def _environment(format: TextFormat, folder: Path | None) -> jinja2.Environment:
    import jinja2

    loader: jinja2.BaseLoader = (
        jinja2.FileSystemLoader(str(folder))
        if folder is not None
        else jinja2.PackageLoader("fundalloc", "templates")
    )
    options: dict[str, Any] = {
        "loader": loader,
        "undefined": jinja2.StrictUndefined,
        "keep_trailing_newline": True,
        "trim_blocks": True,
        "lstrip_blocks": True,
        "auto_reload": False,
    }
    if format == "html":
        return jinja2.Environment(autoescape=True, **options)
    environment = jinja2.Environment(autoescape=False, finalize=_md_finalize, **options)
    environment.filters["md"] = markdown_escape
    return environment


def _place(file: str, line: int | None) -> Message:
    if line is None:
        return tr("publication.where_file", file=file)
    return tr("publication.where_line", file=file, line=line)


def _template_error(
    file: str, line: int | None, message: Message, found: str, format: TextFormat
) -> DataError:
    hint = tr("publication.template_hint", default=str(default_template(format)))
    return DataError(Problem(_place(file, line), message, found=found, hint=hint))


def _line_in(tb: TracebackType | None, filename: str | None) -> int | None:
    """The template line an error was raised on: Jinja2 rewrites the traceback so that the
    frames of a template carry its file name and line."""
    line = None
    while tb is not None:
        if filename is not None and tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _render_text(format: TextFormat, page: Mapping[str, Any], template: str | Path | None) -> str:
    import jinja2

    if template is None:
        folder, name, shown = None, DEFAULT_TEMPLATES[format], DEFAULT_TEMPLATES[format]
    else:
        path = Path(template)
        folder, name, shown = path.parent, path.name, str(template)
        if not path.is_file():
            raise _template_error(
                shown, None, tr("publication.template_missing"), repr(str(path)), format
            )
    environment = _environment(format, folder)
    try:
        compiled = environment.get_template(name)
    except UnicodeDecodeError as exc:
        raise _template_error(
            shown, None, tr("publication.template_not_text"), str(exc), format
        ) from None
    except jinja2.TemplateSyntaxError as exc:
        raise _template_error(
            exc.filename or shown,
            exc.lineno,
            tr("publication.template_syntax"),
            exc.message or "",
            format,
        ) from None
    except (jinja2.TemplateNotFound, OSError) as exc:
        raise _template_error(
            shown, None, tr("publication.template_missing"), str(exc), format
        ) from None
    try:
        return compiled.render(page)
    except jinja2.TemplateSyntaxError as exc:  # an included template
        raise _template_error(
            exc.filename or shown,
            exc.lineno,
            tr("publication.template_syntax"),
            exc.message or "",
            format,
        ) from None
    except jinja2.UndefinedError as exc:
        line = _line_in(exc.__traceback__, compiled.filename)
        # Jinja2 says "'name' is undefined" in English: show the name alone
        named = re.match(r"^('[^']*'|\S+) is undefined$", exc.message or "")
        found = named.group(1) if named else (exc.message or "")
        raise _template_error(
            shown, line, tr("publication.template_undefined"), found, format
        ) from None
    except jinja2.TemplateNotFound as exc:
        raise _template_error(
            shown, None, tr("publication.template_missing"), str(exc), format
        ) from None
    except (
        jinja2.TemplateError,
        TypeError,
        ValueError,
        ArithmeticError,
        LookupError,
        AttributeError,
    ) as exc:
        line = _line_in(exc.__traceback__, compiled.filename)
        raise _template_error(
            shown,
            line,
            tr("publication.template_failed"),
            f"{type(exc).__name__}: {exc}",
            format,
        ) from None


def render_html(
    result: Allocation,
    *,
    provenance: Provenance,
    lang: Lang | None = None,
    labels: Mapping[str, str] | None = None,
    template: str | Path | None = None,
) -> str:
    """The publication page as an HTML document, from ``template`` (a Jinja2 file; default:
    :func:`default_template` ``("html")``) filled with :func:`context`; every value escaped.

    Raises
    ------
    DataError
        If the template cannot be read, has a syntax error or uses a variable the context
        does not offer: naming the file and the line.
    """
    page = context(result, provenance=provenance, lang=lang, labels=labels)
    return _render_text("html", page, template)


def render_markdown(
    result: Allocation,
    *,
    provenance: Provenance,
    lang: Lang | None = None,
    labels: Mapping[str, str] | None = None,
    template: str | Path | None = None,
) -> str:
    """The publication page as Markdown, from ``template`` (a Jinja2 file; default:
    :func:`default_template` ``("md")``) filled with :func:`context`; every value escaped for
    Markdown (:func:`markdown_escape`) unless the template marks it ``|safe``.

    Raises
    ------
    DataError
        As :func:`render_html`.
    """
    page = context(result, provenance=provenance, lang=lang, labels=labels)
    return _render_text("md", page, template)


# ------------------------------------------------------------------------------------ DOCX
_TABLE_MARKER = "fundalloc publication table"
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_XML_SPECIAL = re.compile("[<>&\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _xml_text(value: str) -> str:
    r"""Text for a Word XML element: escaped, and the characters XML cannot hold shown as
    ``\xHH`` (a Word document cannot store them; the page shows them instead of dropping them).

    >>> _xml_text("甲<\x0b>")
    '甲&lt;\\x0b&gt;'
    """
    if _XML_SPECIAL.search(value) is None:
        return value
    return xml_escape(_XML_ILLEGAL.sub(lambda m: f"\\x{ord(m.group()):02x}", value))


def _cell(text: str, right: bool, bold: bool, header: bool = False) -> str:
    props = '<w:jc w:val="right"/>' if right else ('<w:jc w:val="center"/>' if header else "")
    run = "<w:rPr><w:b/><w:bCs/></w:rPr>" if bold else ""
    return (
        f'<w:tc><w:p><w:pPr><w:spacing w:before="0" w:after="0"/>{props}</w:pPr>'
        f'<w:r>{run}<w:t xml:space="preserve">{_xml_text(text)}</w:t></w:r></w:p></w:tc>'
    )


def _table_xml(page: Mapping[str, Any], declare: bool = False) -> str:
    """The allocation table as one ``w:tbl`` element: full width, ruled, the header row
    repeated on every printed page, the total row bold. Written as text in one pass:
    python-docx's ``add_row`` and ``cell`` are slower per row the larger the table. The
    prefix ``w`` is declared on the table only when the document's root does not bind it
    (``declare``)."""
    words = page["labels"]
    border = "".join(
        f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="808080"/>'
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    parts = [
        (f'<w:tbl xmlns:w="{_W}">' if declare else "<w:tbl>")
        + '<w:tblPr><w:tblW w:w="5000" w:type="pct"/>'
        f"<w:tblBorders>{border}</w:tblBorders>"
        '<w:tblCellMar><w:left w:w="80" w:type="dxa"/><w:right w:w="80" w:type="dxa"/>'
        '</w:tblCellMar><w:tblLook w:val="0020" w:firstRow="1"/></w:tblPr>'
        '<w:tblGrid><w:gridCol w:w="4600"/><w:gridCol w:w="2600"/><w:gridCol w:w="1800"/>'
        "</w:tblGrid>",
        "<w:tr><w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>",
        _cell(words["region"], False, True, True),
        _cell(words["amount"], False, True, True),
        _cell(words["share"], False, True, True),
        "</w:tr>",
    ]
    parts += [
        "<w:tr><w:trPr><w:cantSplit/></w:trPr>"
        + _cell(row["region"], False, False)
        + _cell(row["amount"], True, False)
        + _cell(row["share"], True, False)
        + "</w:tr>"
        for row in page["rows"]
    ]
    total = page["total_row"]
    parts += [
        "<w:tr><w:trPr><w:cantSplit/></w:trPr>",
        _cell(total["label"], False, True, True),
        _cell(total["amount"], True, True),
        _cell(total["share"], True, True),
        "</w:tr></w:tbl>",
    ]
    return "".join(parts)


def _docx_time() -> dt.datetime:
    from fundalloc.io.outputs import source_date

    return (source_date() or dt.datetime.now(dt.UTC)).replace(microsecond=0)


def _open_document(template: str | Path | None) -> Any:
    docx = require("docx", "docx")
    if template is None:
        document = docx.Document()
        _default_look(document)
        return document
    path = Path(template)
    try:
        return docx.Document(str(path))
    except Exception as exc:  # python-docx raises many kinds for a file that is not a DOCX
        raise DataError(
            Problem(
                tr("publication.where_file", file=str(template)),
                tr("publication.docx_template_bad"),
                found=f"{type(exc).__name__}: {exc}",
                hint=tr("publication.docx_template_hint"),
            )
        ) from None


def _default_look(document: Any) -> None:
    """The default template's look: A4 portrait, black text in a Chinese serif font, the
    title centred and large, headings bold and black."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin = section.bottom_margin = Cm(2.5)

    def font(style: Any, size: float, bold: bool) -> None:
        style.font.name = "SimSun"
        style.font.size = Pt(size)
        style.font.bold = bold
        style.font.color.rgb = RGBColor(0, 0, 0)
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        fonts.set(qn("w:eastAsia"), "宋体")
        fonts.set(qn("w:ascii"), "Times New Roman")
        fonts.set(qn("w:hAnsi"), "Times New Roman")

    styles = document.styles
    font(styles["Normal"], 12, False)
    font(styles["Title"], 20, True)
    title = styles["Title"].paragraph_format
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.space_after = Pt(12)
    # the default Title style draws a blue rule under the text
    borders = styles["Title"].element.pPr.find(qn("w:pBdr"))
    if borders is not None:
        styles["Title"].element.pPr.remove(borders)
    font(styles["Heading 1"], 14, True)
    styles["Heading 1"].paragraph_format.space_before = Pt(12)
    styles["Heading 1"].paragraph_format.space_after = Pt(6)


def _style(document: Any, name: str) -> str | None:
    """``name`` when the document has that style (a Word file saved by Word holds only the
    styles it uses), else None: the paragraph takes the document's default."""
    try:
        document.styles[name]
    except KeyError:
        return None
    return name


def render_docx(
    result: Allocation,
    *,
    provenance: Provenance,
    lang: Lang | None = None,
    labels: Mapping[str, str] | None = None,
    template: str | Path | None = None,
) -> bytes:
    """The publication page as a Word document (DOCX), built with python-docx.

    ``template`` is a Word document (the bureau's letterhead, page setup, header, footer and
    styles): the page is appended after what it holds. Paragraphs take the styles ``Title``,
    ``Heading 1``, ``List Bullet`` and ``Normal`` when the document has them. Without a
    template: A4 portrait, black text in 宋体.

    With ``SOURCE_DATE_EPOCH`` set the bytes are the same for the same inputs (the core
    properties' dates and the zip entries' times come from it).

    Raises
    ------
    DataError
        If ``template`` is not a readable Word document.
    DependencyError
        If python-docx is not installed (``pip install 'fundalloc[docx]'``).
    """
    page = context(result, provenance=provenance, lang=lang, labels=labels)
    document = _open_document(template)
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    etree = importlib.import_module("lxml.etree")  # python-docx's XML library; no stubs

    words = page["labels"]

    def paragraph(text: str, style: str | None = None) -> Any:
        return document.add_paragraph(_xml_safe(text), _style(document, style) if style else None)

    title = paragraph(page["title"], "Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if page["document"]:
        number = paragraph(page["document"])
        number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for fact in page["facts"]:
        if fact["key"] == "document":
            continue
        line = document.add_paragraph(style=None)
        line.add_run(_xml_safe(fact["label"] + words["colon"])).bold = True
        line.add_run(_xml_safe(fact["value"]))
    paragraph(words["formula"], "Heading 1")
    bullet = _style(document, "List Bullet")
    limits = [f"{words['bounds']}{words['colon']}{line}" for line in page["bounds"]]
    for text in [*page["formula"], *limits]:
        paragraph(text if bullet else f"• {text}", bullet)
    paragraph(words["table"], "Heading 1")
    unit = paragraph(f"{words['unit']}{words['colon']}{page['unit']}")
    unit.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    # the table goes in as text after saving, in place of this comment: inserting a parsed
    # table of 10^5 rows into the document tree takes lxml minutes (it walks the moved
    # subtree once per node), and serialising it again would take seconds
    marker = etree.Comment(_TABLE_MARKER)
    body = document.element.body
    if body.sectPr is not None:
        body.sectPr.addprevious(marker)
    else:
        body.append(marker)
    declare = document.element.nsmap.get("w") != _W
    note = document.add_paragraph()
    note.paragraph_format.space_before = Pt(6)
    note.add_run(_xml_safe(words["note"] + words["colon"])).bold = True
    note.add_run(_xml_safe(page["rounding_note"]))
    foot = [page["made_by"], *(f"{h['label']}{words['colon']}{h['value']}" for h in page["hashes"])]
    for text in foot:
        small = document.add_paragraph()
        run = small.add_run(_xml_safe(text))
        run.font.size = Pt(7)
        run.font.color.rgb = RGBColor(0x66, 0x66, 0x66)
        small.paragraph_format.space_after = Pt(0)

    when = _docx_time()
    properties = document.core_properties
    properties.title = _xml_safe(page["title"])[:255]
    properties.created = when.replace(tzinfo=None)
    properties.modified = when.replace(tzinfo=None)
    properties.revision = 1
    properties.last_modified_by = "fundalloc"
    properties.comments = ""  # python-docx's default template says "generated by python-docx"
    if template is None:
        properties.author = _xml_safe(page["issuer"] or "fundalloc")
    buffer = io.BytesIO()
    document.save(buffer)
    table = _table_xml(page, declare=declare).encode("utf-8")
    return _fixed_zip(buffer.getvalue(), when, document.part.partname.lstrip("/"), table)


def _xml_safe(text: str) -> str:
    """Text python-docx can store: the characters XML cannot hold shown as ``\\xHH``."""
    return _XML_ILLEGAL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _fixed_zip(data: bytes, when: dt.datetime, main: str, table: bytes) -> bytes:
    """The same zip with the table put in place of its marker in the ``main`` part, and every
    entry's time set to ``when`` (zip times start in 1980) and its permissions fixed:
    python-docx stamps each entry with the time of writing."""
    stamp = max(when, dt.datetime(1980, 1, 1, tzinfo=dt.UTC)).timetuple()[:6]
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            content = source.read(info)
            if info.filename == main:
                marker = f"<!--{_TABLE_MARKER}-->".encode()
                if content.count(marker) != 1:  # pragma: no cover - python-docx wrote it
                    raise RuntimeError("the table marker of the publication page went missing")
                content = content.replace(marker, table)
            target.writestr(entry, content, compresslevel=6)
    return out.getvalue()
