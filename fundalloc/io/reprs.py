"""How an allocation shows itself: the HTML table in Jupyter and the text table in the
terminal, in the current language, built from the allocation's columns."""

from __future__ import annotations

import unicodedata
from html import escape
from typing import TYPE_CHECKING, Any

import numpy as np

from fundalloc.i18n import Lang, language, text, tr
from fundalloc.money import format_amount
from fundalloc.result import method_name

if TYPE_CHECKING:
    from fundalloc.result import Allocation

__all__ = ["TEXT_TABLE_ROWS", "allocation_html", "notes", "text_table"]

#: Above this many regions the terminal table shows its head, its tail and the total.
TEXT_TABLE_ROWS = 50


def _fixed(value: float, places: int = 4) -> str:
    """A float with ``places`` decimals and its thousands grouped by commas, for columns."""
    return f"{value:,.{places}f}"


def _shown_rows(n: int, limit: int) -> tuple[list[int], int]:
    """The rows shown of ``n`` when only ``limit`` fit: the first and last half, and how
    many are left out."""
    if n <= limit:
        return list(range(n)), 0
    half = max(limit // 2, 1)
    return [*range(half), *range(n - half, n)], n - 2 * half


def notes(result: Allocation) -> list[str]:
    """What a table of amounts does not show: excluded regions, ties, the residual."""
    unit, out = result.scheme.unit, []
    taking_part = result.trace.taking_part[result._inverse]
    excluded = np.flatnonzero(~taking_part)
    if len(excluded):
        ids = result.ids
        shown = [ids[i] for i in excluded[:5].tolist()]
        listed = (
            tr("output.repr.excluded_more", regions=shown, count=len(excluded))
            if len(excluded) > 5
            else shown
        )
        out.append(text("output.repr.excluded", regions=listed))
    for won, lost in result.ties:
        out.append(text("output.repr.tie", won=list(won), lost=list(lost)))
    residual = result.unallocated
    if residual > 0:
        out.append(text("output.repr.residual", size=format_amount(residual), unit=unit))
    elif residual < 0:
        out.append(text("output.repr.excess", size=format_amount(-residual), unit=unit))
    return out


def allocation_html(result: Allocation, *, rows: int = 20) -> str:
    """The allocation as a compact HTML table, for Jupyter.

    Region, formula target, amount and share of the total, with a total row; the scheme's
    name, total, unit and rounding above it; below it, the regions that take no part, ties
    broken in rounding and any residual (尾差). With more than ``rows`` regions only the
    first and last half of that many are shown, with a row saying how many are left out
    (the total row still adds up all). Every name is HTML-escaped.
    """
    scheme, unit = result.scheme, result.scheme.unit
    ids = result.ids
    shown, left_out = _shown_rows(len(ids), rows)
    targets, units, shares = result.target_values, result.units, result.share_values
    step = scheme.step

    def row(cells: list[str], tag: str = "td") -> str:
        first, *numbers = cells
        return (
            f"<tr><{tag} style='text-align:left'>{escape(first)}</{tag}>"
            + "".join(f"<{tag} style='text-align:right'>{escape(c)}</{tag}>" for c in numbers)
            + "</tr>"
        )

    body = []
    for position, i in enumerate(shown):
        if left_out and position == len(shown) // 2:
            body.append(
                "<tr><td colspan='4' style='text-align:center'>"
                + escape(text("output.repr.left_out", count=left_out))
                + "</td></tr>"
            )
        body.append(
            row(
                [
                    ids[i],
                    _fixed(float(targets[i])),
                    format_amount(int(units[i]) * step),
                    f"{float(shares[i]):.2%}",
                ]
            )
        )
    allocated = result.allocated
    title = scheme.name or text("output.title.short")
    if scheme.document:
        title = text("output.title.with_document", name=title, document=scheme.document)
    caption = text(
        "output.repr.caption",
        title=title,
        total=format_amount(scheme.total),
        unit=unit,
        count=len(ids),
        method=method_name(scheme.method),
        step=format_amount(step),
    )
    header = [
        result.table.id_column,
        text("output.label.target"),
        text("output.with_unit", label=text("output.label.amount"), unit=unit),
        text("output.label.share"),
    ]
    total_share = float(allocated / scheme.total) if scheme.total else 0.0
    html = [
        "<div class='fundalloc-allocation'><table>",
        f"<caption style='text-align:left'>{escape(caption)}</caption>",
        "<thead>" + row(header, "th") + "</thead>",
        "<tbody>" + "".join(body) + "</tbody>",
        "<tfoot>"
        + row(
            [
                text("output.label.total"),
                _fixed(float(np.sum(targets))),
                format_amount(allocated),
                f"{total_share:.2%}",
            ],
            "th",
        )
        + "</tfoot></table>",
    ]
    found = notes(result)
    if found:
        html.append("<ul>" + "".join(f"<li>{escape(n)}</li>" for n in found) + "</ul>")
    html.append("</div>")
    return "\n".join(html)


def _width(value: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in value)


def text_table(
    result: Allocation,
    lang: Lang | None = None,
    labels: dict[str, str] | None = None,
    *,
    limit: int | None = TEXT_TABLE_ROWS,
) -> str:
    """The allocation as an aligned text table for the terminal (CJK characters count double).

    Above ``limit`` regions (None: no limit) only the first and last ``limit // 2`` are
    shown, with a line counting those left out, then the total: printing a million rows to
    a terminal takes longer than the allocation.
    """
    from fundalloc.io.outputs import amount_header, labels_for, rounding_note

    lang = lang or language()
    chosen = labels_for(lang, labels)
    scheme = result.scheme
    ids = result.ids
    shown, left_out = _shown_rows(len(ids), len(ids) if limit is None else limit)
    header = [
        chosen["region"],
        chosen["target"],
        amount_header(result, chosen, lang),
        chosen["share"],
    ]
    cells = [header]
    for i in shown:
        cells.append(
            [
                ids[i],
                _fixed(float(result.target_values[i])),
                format_amount(int(result.units[i]) * scheme.step, 6),
                f"{float(result.share_values[i]):.2%}",
            ]
        )
    allocated = result.allocated
    cells.append(
        [
            chosen["total"],
            _fixed(float(np.sum(result.target_values))),
            format_amount(allocated, 6),
            f"{float(allocated / scheme.total) if scheme.total else 0.0:.2%}",
        ]
    )
    widths = [max(_width(row[j]) for row in cells) for j in range(len(header))]

    def line(row: list[str]) -> str:
        first = row[0] + " " * (widths[0] - _width(row[0]))
        rest = [" " * (w - _width(c)) + c for c, w in zip(row[1:], widths[1:], strict=True)]
        return "  ".join([first, *rest])

    def say(key: str, **params: Any) -> str:
        return tr(key, **params).render(lang)

    title = scheme.name or say("output.title.short")
    out = [
        say(
            "output.title.with_total",
            title=title,
            total=format_amount(result.total),
            unit=scheme.unit,
        ),
        line(cells[0]),
    ]
    body = [line(row) for row in cells[1:]]
    if left_out:
        half = (len(body) - 1) // 2
        body = [*body[:half], say("output.more_regions", count=left_out), *body[half:]]
    out += body
    if result.unallocated:
        out.append(rounding_note(result, lang))
    return "\n".join(out)
