"""One table per analysis result: ``to_dataframe()`` and the HTML shown in Jupyter.

A result class derives from :class:`Tabular` and says what its table is (:meth:`_table`: a
caption and columns of equal length, named in the reader's language); :class:`Tabular`
builds the pandas or polars DataFrame (numbers stay numbers: float64 or int64 columns) and
the HTML table, which lists at most :data:`HTML_ROWS` rows (the first and last halves, with a
row saying how many are left out). Every name in the HTML is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any, Literal

import numpy as np

from fundalloc.i18n import text
from fundalloc.optional import require

__all__ = ["HTML_ROWS", "Tabular"]

#: The most rows the HTML table of a result lists in full.
HTML_ROWS = 20


class Tabular:
    """Mixin for analysis results: ``to_dataframe()`` and ``_repr_html_()`` from one table."""

    def _table(self) -> tuple[str, dict[str, Sequence[Any]]]:  # pragma: no cover - abstract
        raise NotImplementedError

    def to_dataframe(self, *, library: Literal["pandas", "polars"] = "pandas") -> Any:
        """The result's table as a pandas (default) or polars DataFrame, with numeric
        columns and column names in the reader's language (:mod:`fundalloc.i18n`)."""
        module = require(library, library)
        _, columns = self._table()
        data = {name: _column(values) for name, values in columns.items()}
        return module.DataFrame(data)

    def _repr_html_(self) -> str:
        caption, columns = self._table()
        names = list(columns)
        rows = len(next(iter(columns.values()), ()))
        half = HTML_ROWS // 2
        shown: list[int | None] = (
            [*range(half), None, *range(rows - half, rows)]
            if rows > HTML_ROWS
            else list(range(rows))
        )
        body = []
        for i in shown:
            if i is None:
                note = escape(text("analysis.table_left_out", count=rows - 2 * half))
                body.append(f"<tr><td colspan='{len(names)}'>{note}</td></tr>")
                continue
            cells = []
            for name in names:
                value = columns[name][i]
                align = "right" if _is_number(value) else "left"
                cells.append(f"<td style='text-align:{align}'>{escape(_shown(value))}</td>")
            body.append("<tr>" + "".join(cells) + "</tr>")
        head = "".join(f"<th>{escape(name)}</th>" for name in names)
        return (
            f"<table><caption style='text-align:left'>{escape(caption)}</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
        )


def _column(values: Sequence[Any]) -> Any:
    array = np.asarray(values)
    if array.dtype.kind in "iuf":
        return array
    if all(_is_number(v) for v in values):
        return np.asarray([float(v) for v in values], dtype=np.float64)
    return list(values)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def _shown(value: Any) -> str:
    if isinstance(value, (float, np.floating)):
        number = float(value)
        return f"{number:,.6g}" if abs(number) < 1e6 else f"{number:,.2f}"
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    return str(value)
