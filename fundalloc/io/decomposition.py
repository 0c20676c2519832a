"""The causes of every region's change as an XLSX sheet (the ``excel`` extra: XlsxWriter).

:func:`write_xlsx` writes a :class:`~fundalloc.analysis.decompose.Decomposition` as one
sheet a bureau can check by hand:

- a title saying the method and the order of the parts, and a line with the unit;
- a frozen header row, its columns named in the reader's language: the region, the amount
  before and after, the change, one column per part (total, data, weights, coefficients,
  bounds, rounding), the sum of the parts (an Excel ``SUM`` formula) and a check column (an
  ``IF`` formula saying whether that sum is the change);
- one row per region, then a 合计 row summing every column with ``SUM`` formulas.

Amounts are written as numbers (not text), with as many decimals as the decomposition
needs, so they can be summed and charted; formula cells carry their values, so a viewer
that does not recalculate shows the right numbers too. The workbook is written row by row
(``constant_memory``) and saved atomically (:func:`fundalloc.io.atomic.write_atomic`): a
crash leaves the old file or the new one, never half of one.

>>> import fundalloc as fa
>>> from fundalloc.analysis.decompose import decompose
>>> from fundalloc.io.decomposition import decomposition_workbook
>>> table = fa.RegionTable.from_columns({"地区": ["甲", "乙"], "人口": [30, 10]}, id="地区")
>>> factors = (fa.Factor(name="人口", weight=1, rule=fa.Share(column="人口")),)
>>> scheme = fa.Scheme(total=100, tranches=(fa.Tranche(name="因素", share=1, factors=factors),))
>>> d = decompose(fa.allocate(table, scheme),
...               fa.allocate(table.with_column("人口", [20, 20]), scheme.replace(total=120)))
>>> decomposition_workbook(d)[:2]
b'PK'
"""

from __future__ import annotations

import io
import os
from decimal import Decimal
from typing import TYPE_CHECKING

from fundalloc.i18n import text
from fundalloc.io.atomic import write_atomic
from fundalloc.optional import require

if TYPE_CHECKING:
    from fundalloc.analysis.decompose import Decomposition

__all__ = ["decomposition_workbook", "write_xlsx"]

#: The first data row (0-based): title, unit, header above it.
_FIRST = 3


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _width(label: str) -> int:
    """Columns a label takes: two for a Chinese character, one for another."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in label)


def _places(values: list[Decimal]) -> int:
    """The decimals needed to show every value exactly."""
    return max((max(-int(v.normalize().as_tuple().exponent), 0) for v in values), default=0)


def decomposition_workbook(decomposition: Decomposition) -> bytes:
    """The XLSX file of ``decomposition``, as bytes (see the module's notes)."""
    from fundalloc.analysis.decompose import _METHOD_NAMES, PARTS, part_name

    xlsxwriter = require("xlsxwriter", "excel")
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True})
    sheet = book.add_worksheet(text("analysis.decompose_sheet"))
    regions = decomposition.regions
    amounts = [
        v
        for r in regions
        for v in (r.before, r.after, r.change, *r.parts.values())
        if v is not None
    ]
    places = _places(amounts)
    number = "#,##0" + ("." + "0" * places if places else "")
    title = book.add_format({"bold": True, "font_size": 14})
    header = book.add_format({"bold": True, "bottom": 1, "text_wrap": True, "align": "center"})
    money = book.add_format({"num_format": number})
    money_total = book.add_format({"num_format": number, "bold": True, "top": 1})
    total_label = book.add_format({"bold": True, "top": 1})
    check_total = book.add_format({"bold": True, "top": 1, "align": "center"})
    check = book.add_format({"align": "center"})

    names = [
        text("analysis.decompose_region"),
        text("analysis.compare_before"),
        text("analysis.compare_after"),
        text("analysis.decompose_change"),
        *(str(part_name(p)) for p in PARTS),
        text("analysis.decompose_sum_of_parts"),
        text("analysis.decompose_check"),
    ]
    first_part, last_part = 4, 4 + len(PARTS) - 1
    sum_col, check_col = last_part + 1, last_part + 2
    labels = [r.region for r in regions] + [text("analysis.decompose_all_regions"), names[0]]
    sheet.set_column(0, 0, max(8, max(_width(label) for label in labels) + 2))
    sheet.set_column(1, sum_col, 11 + places)
    sheet.set_column(check_col, check_col, 8)
    sheet.freeze_panes(_FIRST, 1)
    sheet.set_landscape()  # printed: every column on one page wide, the header on each page
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(2)

    method = text(_METHOD_NAMES[decomposition.method])
    order = [part_name(p) for p in decomposition.order]
    sheet.write_string(0, 0, text("analysis.decompose_title", method=method, order=order), title)
    sheet.write_string(1, 0, text("analysis.decompose_units", unit=decomposition.unit))
    for col, name in enumerate(names):
        sheet.write_string(2, col, name, header)

    yes, no = text("analysis.decompose_yes"), text("analysis.decompose_no")
    change_col = _column_letter(3)

    def check_formula(row: int) -> str:
        # the parts add up to the change, to a billionth of the largest amount of the row
        # (the cells hold binary floats; the decomposition itself is exact)
        excel = row + 1
        return (
            f"=IF(ABS({_column_letter(sum_col)}{excel}-{change_col}{excel})"
            f"<=1E-9*MAX(1,ABS(B{excel}),ABS(C{excel}),ABS(D{excel})),"
            f'"{yes}","{no}")'
        )

    row = _FIRST
    for r in regions:
        sheet.write_string(row, 0, r.region)
        for col, value in ((1, r.before), (2, r.after), (3, r.change)):
            if value is None:
                sheet.write_blank(row, col, None, money)
            else:
                sheet.write_number(row, col, float(value), money)
        for offset, part in enumerate(PARTS):
            sheet.write_number(row, first_part + offset, float(r.parts[part]), money)
        excel = row + 1
        sheet.write_formula(
            row,
            sum_col,
            f"=SUM({_column_letter(first_part)}{excel}:{_column_letter(last_part)}{excel})",
            money,
            float(sum(r.parts.values(), Decimal(0))),
        )
        sheet.write_formula(row, check_col, check_formula(row), check, yes)
        row += 1

    last = row  # the 合计 row (0-based); its data rows are _FIRST + 1 .. last in Excel terms
    sheet.write_string(last, 0, text("analysis.decompose_all_regions"), total_label)
    totals: dict[int, Decimal] = {
        1: sum((r.before or Decimal(0) for r in regions), Decimal(0)),
        2: sum((r.after or Decimal(0) for r in regions), Decimal(0)),
        3: sum((r.change for r in regions), Decimal(0)),
    }
    for offset, part in enumerate(PARTS):
        totals[first_part + offset] = decomposition.totals[part]
    totals[sum_col] = totals[3]
    for col in range(1, sum_col + 1):
        letter = _column_letter(col)
        formula = f"=SUM({letter}{_FIRST + 1}:{letter}{last})" if regions else "=0"
        sheet.write_formula(last, col, formula, money_total, float(totals[col]))
    sheet.write_formula(last, check_col, check_formula(last), check_total, yes)
    book.close()
    return buffer.getvalue()


def write_xlsx(decomposition: Decomposition, path: str | os.PathLike[str]) -> None:
    """Write ``decomposition`` to the XLSX file ``path``, atomically (see the module's notes).

    Raises
    ------
    DependencyError
        XlsxWriter is not installed (``pip install 'fundalloc[excel]'``).
    OSError
        The file cannot be written; ``filename`` is ``path``.
    """
    write_atomic(path, decomposition_workbook(decomposition))
