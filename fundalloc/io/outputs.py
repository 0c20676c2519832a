"""Outputs for publication (公示) and audit: CSV, XLSX, JSON, Markdown, HTML and DOCX.

One renderer per format in the plain dict :data:`RENDERERS` (format name to a function
giving the bytes); :func:`render` looks the format up there, and an unknown one is a
:class:`~fundalloc.errors.SchemeError` listing the known ones. Every renderer reads the
allocation's columns (:attr:`fundalloc.result.Allocation.units`,
:attr:`~fundalloc.result.Allocation.breakdown_columns` ...), never a Decimal per region
and item, so every output takes time and memory linear in the regions.

Every output is rendered completely in memory and then written atomically (a temporary
file in the same folder, then a rename), so a failed run never leaves a half-written file.

Every output carries provenance: the SHA-256 of the scheme and of the data file, the
fundalloc version and the time (in CSV as ``key,value`` rows below the table, after a
blank row). The JSON output and the XLSX workbook (:mod:`fundalloc.io.xlsxout`) also hold
the scheme and the input data, so ``fundalloc verify`` can recompute the allocation from
them alone.

Column headers and every word come from the message catalogue
(:mod:`fundalloc.i18n.output`) in Chinese or English (``lang``), and a scheme file's
``[labels]`` table overrides any header by key (``region``, ``amount``, ``target``, ...).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import platform
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from fundalloc.errors import DataError, Problem, SchemeError
from fundalloc.factors import Factor, Group
from fundalloc.i18n import Lang, tr, using
from fundalloc.io.atomic import write_atomic
from fundalloc.io.reprs import TEXT_TABLE_ROWS, text_table
from fundalloc.io.schemefile import SCHEMA_VERSION, DataSource, dump_scheme, plain
from fundalloc.money import format_amount
from fundalloc.result import (
    BOUND_STAGES,
    Allocation,
    method_name,
    plain_decimal,
    plain_steps,
)
from fundalloc.scheme import Scheme, Tranche

__all__ = [
    "FORMATS",
    "LABELS",
    "RENDERERS",
    "TEXT_TABLE_ROWS",
    "Provenance",
    "render",
    "text_table",
    "write_output",
]

_SHEET_MESSAGES = (
    "output.sheet.allocation",
    "output.sheet.detail",
    "output.sheet.factors",
    "output.sheet.input",
    "output.sheet.provenance",
)
#: The sheets of the XLSX workbook, per language.
SHEET_NAMES: dict[str, list[str]] = {
    lang: [tr(key).render(lang) for key in _SHEET_MESSAGES] for lang in ("zh", "en")
}
OutputFormat = Literal["csv", "xlsx", "json", "md", "html", "docx"]

#: The message of each header and word a scheme's [labels] table may override.
_LABEL_MESSAGES: dict[str, str] = {
    "region": "output.label.region",
    "amount": "output.label.amount",
    "target": "output.label.target",
    "share": "output.label.share",
    "total": "output.label.total",
    "stage": "output.label.stage",
    "tranche": "output.label.tranche",
    "item": "output.label.item",
    "value": "output.label.value",
    "factor": "output.label.factor",
    "weight": "output.label.weight",
    "rule": "output.label.rule",
    "rounding": "output.label.rounding",
    "unit": "output.label.unit",
    "fund": "output.label.fund",
    "document": "output.label.document",
    "formula": "output.label.formula",
    "note": "output.label.note",
    "key": "output.label.key",
    "content": "output.label.content",
    "bound_kind": "output.label.bound_kind",
    "bound_name": "output.label.bound_name",
}
#: Column headers and words per language; a scheme's [labels] table overrides them by key.
LABELS: dict[str, dict[str, str]] = {
    lang: {key: tr(message).render(lang) for key, message in _LABEL_MESSAGES.items()}
    for lang in ("zh", "en")
}

_PROVENANCE_MESSAGES = (
    "output.provenance.scheme_file",
    "output.provenance.scheme_sha256",
    "output.provenance.data_file",
    "output.provenance.data_sha256",
    "output.provenance.version",
    "output.provenance.created",
    "output.provenance.python",
)


@dataclass(frozen=True)
class Provenance:
    """Where an allocation came from: enough to tell whether it can be reproduced.

    Paths are recorded relative to the scheme file (:meth:`of`: the scheme file's name, the
    data file relative to its folder), and the time is ``SOURCE_DATE_EPOCH``'s when that is
    set, so the same files give the same provenance on any machine."""

    scheme_path: str
    scheme_sha256: str
    data_path: str
    data_sha256: str
    version: str
    created: str = field(default_factory=lambda: _now())
    python: str = field(default_factory=platform.python_version)

    @classmethod
    def of(cls, scheme_path: Path | None, scheme_sha256: str, data_path: Path | None) -> Provenance:
        from fundalloc import __version__

        data_hash = hashlib.sha256(data_path.read_bytes()).hexdigest() if data_path else ""
        return cls(
            scheme_path.name if scheme_path else "",
            scheme_sha256,
            _relative(data_path, scheme_path.parent if scheme_path else None),
            data_hash,
            __version__,
        )

    def items(self, lang: Lang) -> list[tuple[str, str]]:
        """The provenance as (label, value) pairs, labelled in ``lang``."""
        names = [tr(key).render(lang) for key in _PROVENANCE_MESSAGES]
        values = [
            self.scheme_path,
            self.scheme_sha256,
            self.data_path,
            self.data_sha256,
            self.version,
            self.created,
            self.python,
        ]
        return list(zip(names, values, strict=True))


def _relative(path: Path | None, folder: Path | None) -> str:
    """``path`` relative to ``folder`` (the scheme file's), with ``/`` on every system, so
    the same files give the same provenance wherever they are; as given when it cannot be
    (another drive)."""
    if path is None:
        return ""
    if folder is None:
        return path.as_posix()
    try:
        return Path(os.path.relpath(path.resolve(), folder.resolve())).as_posix()
    except ValueError:
        return path.as_posix()


# ------------------------------------------------------------------------------- pieces
def labels_for(lang: Lang, overrides: dict[str, str] | None = None) -> dict[str, str]:
    """The headers and words in ``lang``, with a scheme's [labels] over them."""
    return {**LABELS[lang], **(overrides or {})}


def amount_header(result: Allocation, labels: dict[str, str], lang: Lang) -> str:
    """The amount column's header with the unit (unless the label already holds one)."""
    if "（" in labels["amount"] or "(" in labels["amount"]:
        return labels["amount"]
    return tr("output.with_unit", label=labels["amount"], unit=result.scheme.unit).render(lang)


def factor_rows(
    scheme: Scheme, labels: dict[str, str], lang: Lang
) -> tuple[list[str], list[list[Any]]]:
    """Tranches, factors and their weights as published (分配因素及权重)."""
    header = [labels["tranche"], labels["factor"], labels["weight"], labels["rule"]]
    rows: list[list[Any]] = []
    for path, tranche in scheme.walk():
        where = tr(
            "output.tranche_cell",
            path="/".join(path),
            size=_tranche_size(tranche, scheme.unit, lang),
        ).render(lang)
        if tranche.quota is not None:
            rows.append(
                [
                    where,
                    f"{tranche.quota.column} × {tranche.quota.rate:g}",
                    "",
                    tr("output.quota_rule").render(lang),
                ]
            )
        for factor in _flat_factors(tranche.factors):
            rows.append([where, factor[0], factor[1], factor[2]])
        for coefficient in tranche.coefficients:
            rows.append([where, coefficient.name, "×", coefficient.rule.describe()])
    return header, rows


def _flat_factors(
    factors: Sequence[Factor], scale: float = 1.0, prefix: str = ""
) -> list[tuple[str, float, str]]:
    total = sum(f.weight for f in factors)
    out: list[tuple[str, float, str]] = []
    for f in factors:
        weight = scale * f.weight / total
        if isinstance(f.rule, Group):
            out += _flat_factors(f.rule.factors, weight, f"{prefix}{f.name}/")
        else:
            out.append((f"{prefix}{f.name}", round(weight, 10), f.rule.describe()))
    return out


def _tranche_size(tranche: Tranche, unit: str, lang: Lang) -> str:
    if tranche.share is not None:
        return f"{tranche.share:.4g}"
    if tranche.amount is not None:
        return f"{format_amount(tranche.amount)} {unit}"
    return tr("output.quota_size").render(lang)


def rounding_note(result: Allocation, lang: Lang) -> str:
    """How the amounts were rounded; with ``half_up`` the residual (尾差), which is money left
    unallocated when positive and an excess over the total when negative."""
    scheme = result.scheme
    step = f"{format_amount(scheme.step)} {scheme.unit}"
    residual = result.unallocated
    size = f"{format_amount(abs(residual))} {scheme.unit}"
    if not residual:
        return tr(
            "output.rounding_exact",
            method=method_name(scheme.method),
            step=step,
            total=f"{format_amount(scheme.total)} {scheme.unit}",
        ).render(lang)
    key = "output.rounding_left" if residual > 0 else "output.rounding_over"
    return tr(key, step=step, size=size).render(lang)


def total_share(result: Allocation) -> float:
    """The share of the total row: what was allocated over the total (not 1 with half_up)."""
    return float(result.allocated / result.total) if result.total else 0.0


def title_of(result: Allocation, lang: Lang, fallback: str = "output.title.allocation") -> str:
    """The fund's name (or ``fallback``) with its document number (文号)."""
    scheme = result.scheme
    name = scheme.name or tr(fallback).render(lang)
    if scheme.document:
        return tr("output.title.with_document", name=name, document=scheme.document).render(lang)
    return name


# ------------------------------------------------------------------------------- renderers
@dataclass(frozen=True)
class Job:
    """What a renderer is given: the allocation and everything said about it."""

    result: Allocation
    lang: Lang
    labels: dict[str, str]
    provenance: Provenance
    scheme_text: str
    data: DataSource
    scheme_format: str = "toml"
    calculation_sheet: bool | None = None
    #: The publication page's template (HTML, Markdown: Jinja2; DOCX: a Word file), or None
    #: for the default one.
    template: Path | None = None
    #: The scheme's own [labels] as written (not merged with :data:`LABELS`): the
    #: publication page has words of its own and takes only these over them.
    label_overrides: dict[str, str] | None = None


def _csv(job: Job) -> bytes:
    """The allocation table, then a blank row, then the provenance as key, value rows."""
    import csv

    result, labels = job.result, job.labels
    header = [
        labels["region"],
        labels["target"],
        amount_header(result, labels, job.lang),
        labels["share"],
    ]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(
        zip(
            result.ids,
            [f"{t:.6f}" for t in result.target_values.tolist()],
            plain_steps(result.units, result.scheme.step),
            [f"{s:.6f}" for s in result.share_values.tolist()],
            strict=True,
        )
    )
    writer.writerow([labels["total"], "", plain_decimal(result.allocated), ""])
    writer.writerow([])
    writer.writerows(job.provenance.items(job.lang))
    return buffer.getvalue().encode("utf-8-sig")


class BreakdownTexts:
    """Every region's breakdown as the outputs write it, by column: the fixed items'
    (stage, tranche, name) and amount texts, the bound item's where a region has one, the
    rounding item's; in table order."""

    def __init__(self, result: Allocation) -> None:
        parts = result.breakdown_columns
        self.heads = [(c.stage, c.tranche, c.name) for c in parts.items]
        self.values = [parts.plain(c.quanta) for c in parts.items]
        self.codes = parts.bound_stage.tolist()
        self.names = parts.bound_name.tolist()
        self.bound_names = parts.bound_names
        self.bound = parts.plain(parts.bound)
        self.rounding = parts.plain(parts.rounding)
        self.method = result.scheme.method

    def region(self, i: int) -> list[list[str]]:
        """Region i's items as ``[stage, tranche, name, amount]`` lists."""
        items = [[*head, values[i]] for head, values in zip(self.heads, self.values, strict=True)]
        if self.codes[i]:
            stage = BOUND_STAGES[self.codes[i]]
            items.append([stage, "", self.bound_names[self.names[i]], self.bound[i]])
        items.append(["rounding", "", self.method, self.rounding[i]])
        return items

    def same(self, i: int, items: list[list[str]]) -> bool:
        """Whether ``items`` are region i's, exactly as written."""
        fixed = len(self.heads)
        if len(items) != fixed + (2 if self.codes[i] else 1):
            return False
        for item, head, values in zip(items, self.heads, self.values, strict=False):
            if (
                item[3] != values[i]
                or item[0] != head[0]
                or item[1] != head[1]
                or item[2] != head[2]
            ):
                return False
        if self.codes[i]:
            stage = BOUND_STAGES[self.codes[i]]
            if items[fixed] != [stage, "", self.bound_names[self.names[i]], self.bound[i]]:
                return False
        return items[-1] == ["rounding", "", self.method, self.rounding[i]]

    def json(self, ids: Sequence[str]) -> str:
        """The breakdown object as ``json.dumps`` writes it (``{"id": [[...], ...], ...}``),
        made from the columns' texts without a list per item."""

        def head(*words: str) -> str:
            return json.dumps(list(words), ensure_ascii=False)[:-1] + ', "'

        columns = [
            [prefix + v + '"]' for v in values]
            for prefix, values in zip((head(*h) for h in self.heads), self.values, strict=True)
        ]
        tail = head("rounding", "", self.method)
        rounding = [tail + v + '"]' for v in self.rounding]
        if any(self.codes):
            heads = [[head(stage, "", name) for name in self.bound_names] for stage in BOUND_STAGES]
            bound = [
                heads[c][k] + v + '"]' if c else None
                for c, k, v in zip(self.codes, self.names, self.bound, strict=True)
            ]
            columns.append(bound)  # type: ignore[arg-type]
        columns.append(rounding)
        keys = [json.dumps(region, ensure_ascii=False) for region in ids]
        entries = [
            f"{key}: [{', '.join(c for c in row if c is not None)}]"
            for key, row in zip(keys, zip(*columns, strict=True), strict=True)
        ]
        return "{" + ", ".join(entries) + "}"


def _english_breakdown(result: Allocation) -> dict[str, list[list[str]]]:
    with using("en"):
        return dict(zip(result.ids, breakdown_lists(result), strict=True))


def breakdown_lists(result: Allocation) -> list[list[list[str]]]:
    """Every region's breakdown as ``[stage, tranche, name, amount]`` lists (the amount as
    the outputs write it), in table order, built from the columns."""
    texts = BreakdownTexts(result)
    return [texts.region(i) for i in range(len(result.table))]


def document(
    result: Allocation,
    scheme_text: str,
    data: DataSource,
    provenance: Provenance,
    scheme_format: str = "toml",
    *,
    breakdown: bool = True,
) -> dict[str, Any]:
    """Everything needed to re-run and check the allocation, as plain JSON data (without
    ``result.breakdown`` when ``breakdown`` is false: the JSON renderer writes it as text
    from the columns)."""
    table = result.table
    columns = input_columns(result)
    # each column taken once (``raw`` copies a whole column), then the rows zipped
    values = [table.ids, *[[jsonable(v) for v in table.raw(c)] for c in columns[1:]]]
    rows = [list(row) for row in zip(*values, strict=True)]
    ids = result.ids
    return {
        "fundalloc": provenance.version,
        "schema_version": SCHEMA_VERSION,
        "provenance": dict(provenance.items("en")),
        "scheme": scheme_text,
        "scheme_format": scheme_format,
        "data_source": plain(data),
        "data": {
            "columns": columns,
            "rows": rows,
            "row_numbers": [table.row_number(i) for i in range(len(table))],
        },
        "result": {
            "total": plain_decimal(result.total),
            "unit": result.scheme.unit,
            "step": plain_decimal(result.scheme.step),
            "method": result.scheme.method,
            "unallocated": plain_decimal(result.unallocated),
            "targets": dict(zip(ids, result.target_values.tolist(), strict=True)),
            "amounts": dict(zip(ids, plain_steps(result.units, result.scheme.step), strict=True)),
            **({"breakdown": _english_breakdown(result)} if breakdown else {}),
        },
    }


def _json(job: Job) -> bytes:
    result = job.result
    doc = document(
        result, job.scheme_text, job.data, job.provenance, job.scheme_format, breakdown=False
    )
    with using("en"):  # a machine record: bounds named as in every version before
        breakdown = BreakdownTexts(result).json(result.ids)
    return _json_text(doc, {"result": ("breakdown", breakdown)}).encode()


def _is_derived(scheme: Scheme, column: str) -> bool:
    return any(name == column for name, _ in scheme.derived)


def input_columns(result: Allocation) -> list[str]:
    """The input data's columns as the outputs record them: the id, then every column that
    is not derived by the scheme."""
    table = result.table
    return [table.id_column, *[c for c in table.columns if not _is_derived(result.scheme, c)]]


def jsonable(value: Any) -> Any:
    """A cell of the input data as JSON holds it."""
    if value is None or isinstance(value, str | bool):
        return value
    if isinstance(value, int | float):
        return value
    if hasattr(value, "item"):
        return value.item()
    return str(value)


def _markdown(job: Job) -> bytes:
    """The publication page in Markdown (:func:`fundalloc.io.publication.render_markdown`)."""
    from fundalloc.io.publication import render_markdown

    return render_markdown(job.result, **_page_options(job)).encode("utf-8")


def _html(job: Job) -> bytes:
    """The publication page in HTML (:func:`fundalloc.io.publication.render_html`)."""
    from fundalloc.io.publication import render_html

    return render_html(job.result, **_page_options(job)).encode("utf-8")


def _docx(job: Job) -> bytes:
    """The publication page as a Word document (:func:`fundalloc.io.publication.render_docx`)."""
    from fundalloc.io.publication import render_docx

    return render_docx(job.result, **_page_options(job))


def _page_options(job: Job) -> dict[str, Any]:
    return {
        "provenance": job.provenance,
        "lang": job.lang,
        "labels": job.label_overrides,
        "template": job.template,
    }


def _xlsx(job: Job) -> bytes:
    from fundalloc.io.xlsxout import workbook

    return workbook(job)


#: Format name to its renderer: the one place a format is chosen.
RENDERERS: dict[str, Callable[[Job], bytes]] = {
    "csv": _csv,
    "xlsx": _xlsx,
    "json": _json,
    "md": _markdown,
    "html": _html,
    "docx": _docx,
}
FORMATS: tuple[str, ...] = tuple(RENDERERS)


def render(
    result: Allocation,
    format: OutputFormat,
    *,
    lang: Lang = "zh",
    labels: dict[str, str] | None = None,
    provenance: Provenance,
    data: DataSource | None = None,
    scheme_text: str | None = None,
    scheme_format: str = "toml",
    calculation_sheet: bool | None = None,
    template: Path | None = None,
) -> bytes:
    """The bytes of one output format. ``scheme_text`` is the scheme file as written (in
    ``scheme_format``), recorded in JSON and XLSX outputs so they can be verified.

    ``verify`` checks the provenance's scheme SHA-256 against the recorded text: pass the
    scheme file's text as read (``SchemeFile.text``) with the provenance of that file, as
    the command line does. Without ``scheme_text`` the scheme is dumped, and the provenance's
    scheme SHA-256 should then be that of the dump (or empty, to record none).

    The XLSX workbook holds the calculation sheet (测算表, see
    :func:`fundalloc.io.workbook.write_calculation_sheet`) as its sixth sheet when
    ``calculation_sheet`` is true, or by default (``None``) when the allocation has at most
    :data:`CALCULATION_SHEET_LIMIT` regions; a workbook without it says so in a note below
    the allocation table. With ``SOURCE_DATE_EPOCH`` set, every format gives the same bytes
    for the same inputs.

    The publication page (``md``, ``html``, ``docx``) comes from
    :mod:`fundalloc.io.publication`, filled into ``template`` (a Jinja2 file for Markdown and
    HTML, a Word document for DOCX) or into the default one; the other formats take no
    template. ``labels`` are the scheme's [labels] as written.

    Raises
    ------
    SchemeError
        If ``format`` is not one of :data:`FORMATS`.
    DataError
        If the publication template cannot be read or filled (naming the file and line).
    """
    renderer = RENDERERS.get(format)
    if renderer is None:
        raise SchemeError(
            Problem("format", tr("output.unknown_format", name=repr(format), known=list(FORMATS)))
        )
    data = data or DataSource()
    text = (
        scheme_text
        if scheme_text is not None
        else dump_scheme(result.scheme, data=data, labels=labels)
    )
    job = Job(
        result,
        lang,
        labels_for(lang, labels),
        provenance,
        text,
        data,
        scheme_format,
        calculation_sheet,
        template,
        labels,
    )
    with using(lang):  # rule and bound descriptions in the output's language too
        return renderer(job)


def _json_text(doc: dict[str, Any], raw: dict[str, tuple[str, str]] | None = None) -> str:
    """The JSON output: one top-level key per line, each value on its line.

    ``json.dumps`` with ``indent`` runs Python's own encoder (its C encoder only writes
    without indentation), about three quarters of the JSON output's time at 10^4 regions:
    each value is written by the C encoder instead.

    >>> print(_json_text({"a": 1, "b": {"c": [1, "甲"]}}), end="")
    {
     "a": 1,
     "b": {"c": [1, "甲"]}
    }
    """
    raw = raw or {}

    def value(key: str, content: Any) -> str:
        text = json.dumps(content, ensure_ascii=False)
        if key in raw:  # one more key at the end of an object, given as JSON text
            name, added = raw[key]
            text = f"{text[:-1]}, {json.dumps(name, ensure_ascii=False)}: {added}}}"
        return text

    items = (
        f" {json.dumps(key, ensure_ascii=False)}: {value(key, content)}"
        for key, content in doc.items()
    )
    return "{\n" + ",\n".join(items) + "\n}\n"


def write_output(path: Path, data: bytes) -> None:
    """Write an output atomically (see :func:`fundalloc.io.atomic.write_atomic`)."""
    write_atomic(path, data)


#: Regions up to which the XLSX output holds the calculation sheet (测算表) by default: the
#: sheet writes a few formulas per region and cell (about 1 s per 1 000 regions), so a larger
#: workbook leaves it out unless asked (``calculation_sheet=True``, ``--calculation-sheet``).
CALCULATION_SHEET_LIMIT = 20_000
#: Rows above the header on the allocation, calculation and factors sheets: a merged title
#: row and a unit row (``verify`` finds the header by its first cell).
TITLE_ROWS = 2


def source_date() -> dt.datetime | None:
    """The time of ``SOURCE_DATE_EPOCH`` (UTC) when it is set: outputs made with it set are
    byte for byte the same (the reproducible-builds convention)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return None
    try:
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    except (ValueError, OverflowError, OSError):
        raise DataError(
            [Problem("SOURCE_DATE_EPOCH", tr("output.source_date_epoch"), found=repr(epoch))]
        ) from None


def _now() -> str:
    return (source_date() or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")


# kept for callers of the names this module used to hold
def _plain(value: Decimal) -> str:
    return plain_decimal(value)
