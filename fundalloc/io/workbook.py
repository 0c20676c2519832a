"""The calculation sheet (测算表): the allocation as live Excel formulas over the input data.

A bureau or an auditor re-checks an allocation in Excel. :func:`write_calculation_sheet`
adds a sheet in the bureau's wide layout to an XlsxWriter workbook: one row per region
with each indicator (the input cells), each factor's share and weighted amount, the
coefficients, the formula target (测算数), the floor (保底) and the cap (封顶), the bounded
amount, the rounded amount (分配金额) and the rounding residual (尾差), and a 合计 row.

Every derived cell is a formula over the input cells and the parameter row (weights,
tranche amounts, λ in a named cell), written together with the number fundalloc
computed, so the sheet shows the right numbers before any recalculation and an auditor
who recalculates sees the same numbers come back.

What is a value, not a formula, and why
---------------------------------------
- The rounded amounts: they need fundalloc's exact rule (largest remainder with ties
  broken by a documented order, or a divisor method). A check column shows that each is
  within one step of the bounded amount, and the 合计 row checks they add up to the total.
- Shares of factors whose rule a formula cannot reasonably express: a composite index
  (normalised over the regions taking part, negative values clipped or shifted), a
  product of terms with exponents, the larger or smaller of several formulas, a factor
  group; and an inverse indicator referred to the largest or smallest value when only
  some regions take part. Coefficients with such rules likewise.
- Derived columns of the scheme (its safe expressions).
- The bounded amounts when group constraints were solved (each group has its own
  multiplier, found by the group solver or the general quadratic programme).

Each such column is shaded and its header carries a comment saying why.

Everything is read from the allocation's trace (:class:`fundalloc.result.Trace`);
nothing is allocated a second way. Two numbers are not in the trace and are taken from
what is: a factor's share is its contribution divided by the tranche amount times the
factor's weight, and the per-region value of a ratio, inverse or tiered indicator comes
from the factor's own rule (:meth:`fundalloc.factors.Share.scores` and the like).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt

from fundalloc.bounds import Cap, Floor, GrowthCap, HoldHarmless
from fundalloc.errors import Problem, SchemeError
from fundalloc.factors import (
    Composite,
    Condition,
    Group,
    Inverse,
    Max,
    Min,
    Product,
    Ratio,
    Rule,
    Share,
    Tiered,
    normalised_weights,
)
from fundalloc.i18n import CATALOGUE, LANGUAGES, tr
from fundalloc.money import format_amount
from fundalloc.optional import require
from fundalloc.result import METHOD_NAMES

if TYPE_CHECKING:
    from fundalloc.result import Allocation
    from fundalloc.scheme import Tranche
    from fundalloc.trace import LeafTrace

__all__ = ["SHEET_NAME", "WORDS", "calculation_workbook", "write_calculation_sheet"]

Lang = Literal["zh", "en"]
FloatArray = npt.NDArray[np.float64]

#: The calculation sheet's name per language (the breakdown sheet of the XLSX output is
#: 测算明细 / calculation).
SHEET_NAME: dict[str, str] = {
    lang: tr("output.workbook.sheet_name").render(lang) for lang in ("zh", "en")
}

#: The message of each word of the sheet (:mod:`fundalloc.i18n.output`).
_WORD_MESSAGES: dict[str, str] = {
    "region": "output.workbook.region",
    "amount": "output.workbook.amount",
    "target": "output.workbook.target",
    "total": "output.workbook.total",
    "unit": "output.workbook.unit",
    "note": "output.workbook.note",
    "title": "output.workbook.title",
    "join": "output.workbook.join",
    "data": "output.workbook.data",
    "taking_part": "output.workbook.taking_part",
    "taking_part_tranche": "output.workbook.taking_part_tranche",
    "share": "output.workbook.share",
    "weighted": "output.workbook.weighted",
    "score": "output.workbook.score",
    "subtotal": "output.workbook.subtotal",
    "quota": "output.workbook.quota",
    "result": "output.workbook.result",
    "sum_target": "output.workbook.sum_target",
    "fixed": "output.workbook.fixed",
    "floor": "output.workbook.floor",
    "cap": "output.workbook.cap",
    "bounded": "output.workbook.bounded",
    "residual": "output.workbook.residual",
    "check": "output.workbook.check",
    "params": "output.workbook.params",
    "yes": "output.workbook.yes",
    "no": "output.workbook.no",
    "no_cap": "output.workbook.no_cap",
    "params_comment": "output.workbook.params_comment",
    "unit_line": "output.workbook.unit_line",
    "notes_head": "output.workbook.notes_head",
    "note_rounding": "output.workbook.note_rounding",
    "note_half_up": "output.workbook.note_half_up",
    "note_shares": "output.workbook.note_shares",
    "note_coefficients": "output.workbook.note_coefficients",
    "note_bounded": "output.workbook.note_bounded",
    "note_fixed": "output.workbook.note_fixed",
    "note_cells": "output.workbook.note_cells",
    "note_excluded": "output.workbook.note_excluded",
    "why_rounded": "output.workbook.why_rounded",
    "why_composite": "output.workbook.why_composite",
    "why_product": "output.workbook.why_product",
    "why_extreme": "output.workbook.why_extreme",
    "why_group": "output.workbook.why_group",
    "why_inverse": "output.workbook.why_inverse",
    "why_derived": "output.workbook.why_derived",
    "why_groups": "output.workbook.why_groups",
    "why_coefficient": "output.workbook.why_coefficient",
    "max": "output.workbook.max",
    "min": "output.workbook.min",
    "mean": "output.workbook.mean",
    "largest": "output.workbook.largest",
    "smallest": "output.workbook.smallest",
    "bounds_comment": "output.workbook.bounds_comment",
    "weights_normalised": "output.workbook.weights_normalised",
}

#: The words of the sheet per language: the catalogue's templates (their placeholders are
#: filled where the sheet is written); ``labels`` (a scheme's [labels])
#: override ``region``, ``amount``, ``target``, ``total``, ``unit`` and ``note``.
WORDS: dict[str, dict[str, str]] = {
    lang: {key: CATALOGUE[message][k] for key, message in _WORD_MESSAGES.items()}
    for k, lang in enumerate(LANGUAGES)
}

_LABEL_KEYS = ("region", "amount", "target", "total", "unit", "note")

# row layout (0-based): title, unit line, two header rows, the parameter row, then regions
_TITLE, _UNIT, _HEAD1, _HEAD2, _PARAMS, _FIRST = 0, 1, 2, 3, 4, 5
_LAMBDA_NAME = "λ"
_TOTAL_NAME = "总额"
_INPUT_FILL = "#DDEBF7"
_VALUE_FILL = "#FCE4D6"
_HEAD_FILL = "#F2F2F2"
_FONT = "SimSun"
_HEADER_WIDTH = 10  # a header wider than this (five CJK characters) wraps


def _column_name(index: int) -> str:
    """The letters of a 0-based column: 0 -> A, 26 -> AA."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


def _plain(value: Any) -> Any:
    return value if isinstance(value, str) else float(value)


@dataclass(frozen=True)
class _Cells:
    """A column's region cells: the values fundalloc computed (numbers or text) and, per
    row, the formula that recalculates it (None: the row holds the value alone)."""

    values: Sequence[Any] | npt.NDArray[Any]
    formula: Callable[[int], str | None] | None = None

    def plain(self) -> list[Any]:
        """The values as Python floats and strings, for writing."""
        if isinstance(self.values, np.ndarray) and self.values.dtype.kind in "biuf":
            return [float(v) for v in self.values.tolist()]
        return [_plain(v) for v in self.values]


def _values(values: Sequence[Any] | npt.NDArray[Any]) -> _Cells:
    """A column of values, no formulas."""
    return _Cells(values)


def _formulas(
    formula: Callable[[int], str | None], values: Sequence[Any] | npt.NDArray[Any]
) -> _Cells:
    """A column of formulas, each with the value fundalloc computed."""
    return _Cells(values, formula)


@dataclass
class _Column:
    """One column of the sheet: its headers, number format and, per region, a formula (or
    None for a value) and the value fundalloc computed."""

    key: str
    group: str
    header: str
    style: str  # "text", "count", "number", "ratio", "percent", "money", "detail", "check"
    cell: _Cells
    kind: str = "formula"  # "input", "formula", "value" (shaded, with the comment below)
    comment: str = ""
    total: Callable[[], tuple[str | None, Any]] | None = None
    param: tuple[Callable[[], str] | None, Any, str] | None = None  # formula, value, style


@dataclass
class _Layout:
    """The columns in order, with the cell references formulas use."""

    n: int
    columns: list[_Column] = field(default_factory=list)
    index: dict[str, int] = field(default_factory=dict)
    letters: dict[str, str] = field(default_factory=dict)

    def add(self, column: _Column) -> None:
        self.index[column.key] = len(self.columns)
        self.columns.append(column)

    def letter(self, key: str) -> str:
        letter = self.letters.get(key)
        if letter is None:
            letter = self.letters[key] = _column_name(self.index[key])
        return letter

    def ref(self, key: str, i: int) -> str:
        """The cell of region row ``i`` (0-based) in column ``key``: ``C6``."""
        return f"{self.letter(key)}{_FIRST + i + 1}"

    def range(self, key: str) -> str:
        """The region rows of column ``key``: ``C$6:C$21``."""
        letter = self.letter(key)
        return f"{letter}${_FIRST + 1}:{letter}${_FIRST + self.n}"

    def param(self, key: str) -> str:
        """The parameter cell of column ``key``: ``$C$5``."""
        return f"${self.letter(key)}${_PARAMS + 1}"

    def total(self, key: str) -> str:
        """The 合计 cell of column ``key``."""
        return f"{self.letter(key)}{_FIRST + self.n + 1}"


def write_calculation_sheet(
    workbook: Any,
    result: Allocation,
    *,
    lang: Lang = "zh",
    labels: Mapping[str, str] | None = None,
    name: str | None = None,
) -> Any:
    """Add the calculation sheet (测算表) of ``result`` to an XlsxWriter workbook.

    Parameters
    ----------
    workbook : xlsxwriter.Workbook
        The workbook to add the sheet to (``constant_memory`` works too: the sheet is
        written row by row). The sheet defines the workbook names ``λ`` (the common
        multiplier of the bounds) and ``总额`` (the total), so add one calculation sheet
        per workbook.
    result : Allocation
        The allocation; every number is read from its trace.
    lang : {"zh", "en"}, default "zh"
        The language of the headers and notes.
    labels : mapping, optional
        Overrides of the words ``region``, ``amount``, ``target``, ``total``, ``unit``,
        ``note`` (a scheme file's ``[labels]``).
    name : str, optional
        The sheet's name (default 测算表 / calculation sheet).

    Returns
    -------
    xlsxwriter.worksheet.Worksheet
        The sheet added.

    Raises
    ------
    SchemeError
        If ``lang`` is not a known language.

    Notes
    -----
    Per leaf tranche of amount ``A`` with factor weights ``w_j`` and coefficients ``c``,
    each row holds ``s_ij = x_ij / Σ_k x_kj`` (份额), ``A w_j s_ij`` (金额) and the target
    ``t_i``; then ``a_i = min(max(λ t_i, lo_i), hi_i)`` (限额调整后) with λ in a named cell,
    the rounded amount (a value) and ``尾差 = amount − a_i``.

    Examples
    --------
    >>> import fundalloc as fa, io, xlsxwriter
    >>> table = fa.RegionTable.from_records([
    ...     {"地区": "甲市", "贫困人口": 500}, {"地区": "乙市", "贫困人口": 300},
    ...     {"地区": "丙市", "贫困人口": 200}], id="地区")
    >>> scheme = fa.Scheme(total=100, tranches=[fa.Tranche(name="因素", share=1, factors=[
    ...     fa.Factor(name="贫困人口", rule=fa.Share(column="贫困人口"), weight=1)])],
    ...     bounds=[fa.Floor(amount=25)])
    >>> book = xlsxwriter.Workbook(io.BytesIO(), {"in_memory": True})
    >>> sheet = write_calculation_sheet(book, fa.allocate(table, scheme))
    >>> sheet.name
    '测算表'
    >>> book.close()
    """
    if lang not in WORDS:
        raise SchemeError(
            Problem("lang", tr("output.unknown_language", name=repr(lang), known=list(WORDS)))
        )
    require("xlsxwriter", "excel")
    words = {**WORDS[lang], **{k: v for k, v in (labels or {}).items() if k in _LABEL_KEYS}}
    words["lang"] = lang
    sheet_name = name or SHEET_NAME[lang]
    layout = _build(result, words)
    sheet = workbook.add_worksheet(sheet_name)
    if hasattr(sheet, "_prepare_formula"):
        # XlsxWriter runs some thirty regular expressions over every formula to prefix the
        # functions Excel added after 2010 (``_xlfn.``): 80% of the time of this sheet.
        # The sheet uses none of them (only IF, AND, OR, SUM, SUMPRODUCT, AVERAGE, MIN, MAX,
        # ABS, ROUND), and the expressions would also rewrite a tier label inside quotes,
        # so its formulas are written as they are.
        sheet._prepare_formula = _as_written
    _write(workbook, sheet, sheet_name, layout, result, words)
    return sheet


def calculation_workbook(
    result: Allocation, *, lang: Lang = "zh", labels: Mapping[str, str] | None = None
) -> bytes:
    """A workbook holding only the calculation sheet of ``result``, as bytes.

    The workbook's creation time is ``SOURCE_DATE_EPOCH`` when that is set, so the same
    allocation gives the same bytes.

    Examples
    --------
    >>> import fundalloc as fa
    >>> table = fa.RegionTable.from_records([{"地区": "甲", "人口": 3}, {"地区": "乙", "人口": 1}],
    ...                                     id="地区")
    >>> scheme = fa.Scheme(total=8, tranches=[fa.Tranche(name="人口", share=1, factors=[
    ...     fa.Factor(name="人口", rule=fa.Share(column="人口"), weight=1)])])
    >>> calculation_workbook(fa.allocate(table, scheme))[:2]
    b'PK'
    """
    xlsxwriter = require("xlsxwriter", "excel")
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        created = dt.datetime.fromtimestamp(int(epoch), dt.UTC).replace(tzinfo=None)
        book.set_properties({"created": created})
    write_calculation_sheet(book, result, lang=lang, labels=labels)
    book.close()
    return buffer.getvalue()


# --------------------------------------------------------------------------------- building
def _in_rows(values: npt.NDArray[Any], order: npt.NDArray[np.intp]) -> npt.NDArray[Any]:
    """Values in region-id order (the trace's) put in table row order (the sheet's)."""
    out = np.empty_like(values)
    out[order] = values
    return out


def _build(result: Allocation, words: dict[str, str]) -> _Layout:
    """Lay out the columns: region, inputs, eligibility, each leaf tranche, the result."""
    trace, scheme, table = result.trace, result.scheme, result.table
    order = trace.order
    n = len(table)
    layout = _Layout(n)
    ids = table.ids

    layout.add(
        _Column(
            "id",
            words["region"],
            words["region"],
            "text",
            _values(ids),
            kind="input",
            total=lambda: (None, words["total"]),
        )
    )

    # ---- input columns: every column the scheme reads, in the table's order
    needed: dict[str, bool] = {}
    for column, how in scheme.needs():
        needed[column] = needed.get(column, False) or how != "text"
    derived = dict(scheme.derived)
    summable = _summable(scheme)
    for column in [c for c in table.columns if c in needed]:
        if needed[column]:
            values = table.numeric(column)
            style = "count" if bool(np.all(values == np.round(values))) else "number"
            col_total = _sum_total(layout, f"in:{column}", float(values.sum()))
            layout.add(
                _Column(
                    f"in:{column}",
                    words["data"],
                    column,
                    style,
                    _values(values),
                    kind="value" if column in derived else "input",
                    comment=words["why_derived"].format(name=column, what=derived[column])
                    if column in derived
                    else "",
                    total=col_total if column in summable else None,
                )
            )
        else:
            texts = table.text(column)
            layout.add(
                _Column(
                    f"in:{column}",
                    words["data"],
                    column,
                    "text",
                    _values(texts),
                    kind="value" if column in derived else "input",
                    comment=words["why_derived"].format(name=column, what=derived[column])
                    if column in derived
                    else "",
                )
            )

    # ---- participation
    base_mask: str | None = None
    if scheme.eligibility:
        taking = _in_rows(trace.taking_part.astype(np.int64), order)
        conditions = scheme.eligibility
        layout.add(
            _Column(
                "mask",
                words["taking_part"],
                words["taking_part"],
                "count",
                _formulas(partial(_mask_formula, layout, conditions, None), taking),
                total=_sum_total(layout, "mask", float(taking.sum())),
            )
        )
        base_mask = "mask"

    # ---- leaf tranches
    paths = dict(scheme.walk())
    quota_keys: dict[tuple[str, ...], str] = {}
    target_keys: list[str] = []
    for number, leaf in enumerate(trace.leaves):
        key = _leaf(layout, result, leaf, number, words, paths, base_mask, quota_keys)
        target_keys.append(key)

    # ---- the result
    _result_columns(layout, result, words, target_keys, quota_keys)
    return layout


def _summable(scheme: Any) -> set[str]:
    """Columns whose 合计 means something: counts and amounts shared out, quotas, per-unit
    bounds and last year's amounts."""
    out: set[str] = set()

    def visit(rule: Any) -> None:
        if isinstance(rule, Share):
            out.add(rule.column)
        elif isinstance(rule, Ratio):
            out.update((rule.numerator, rule.denominator))
        elif isinstance(rule, Group):
            for factor in rule.factors:
                visit(factor.rule)
        elif isinstance(rule, Max | Min):
            for sub in rule.of:
                visit(sub)

    for _, tranche in scheme.walk():
        if tranche.quota is not None:
            out.add(tranche.quota.column)
        for factor in tranche.factors:
            visit(factor.rule)
    for bound in scheme.bounds:
        if isinstance(bound, Floor | Cap) and bound.per is not None:
            out.add(bound.per)
        elif isinstance(bound, HoldHarmless | GrowthCap):
            out.add(bound.column)
    return out


def _sum_total(layout: _Layout, key: str, value: float) -> Callable[[], tuple[str | None, Any]]:
    return lambda: (f"=SUM({layout.range(key)})", value)


def _text(value: str) -> str:
    """A text constant in a formula."""
    return '"' + value.replace('"', '""') + '"'


def _number_literal(value: float | Decimal) -> str:
    """A number constant in a formula (repr keeps every digit of a float)."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


_OPS = {">": ">", ">=": ">=", "<": "<", "<=": "<=", "==": "=", "!=": "<>"}


def _condition(layout: _Layout, condition: Condition, i: int) -> str:
    """One eligibility condition as an Excel test on the input cell."""
    cell = layout.ref(f"in:{condition.column}", i)
    value = condition.value
    if isinstance(value, float):
        return f"{cell}{_OPS[condition.op]}{_number_literal(value)}"
    if isinstance(value, tuple):
        if condition.op == "in":
            return "OR(" + ",".join(f"{cell}={_text(v)}" for v in value) + ")" if value else "FALSE"
        return "AND(" + ",".join(f"{cell}<>{_text(v)}" for v in value) + ")" if value else "TRUE"
    return f"{cell}{_OPS[condition.op]}{_text(value)}"


def _conditions(
    layout: _Layout, conditions: Sequence[Condition], i: int, mask: str | None = None
) -> str:
    tests = [f"{layout.ref(mask, i)}=1"] if mask else []
    tests += [_condition(layout, c, i) for c in conditions]
    return tests[0] if len(tests) == 1 else "AND(" + ",".join(tests) + ")"


def _mask_formula(
    layout: _Layout, conditions: Sequence[Condition], mask: str | None, i: int
) -> str:
    """1 when region row i meets the conditions (and takes part in ``mask``), else 0."""
    return f"=IF({_conditions(layout, conditions, i, mask)},1,0)"


def _sum_of(layout: _Layout, keys: Sequence[str], i: int) -> str:
    """The sum of the cells of row i in the columns ``keys``: ``=D6+G6``."""
    return "=" + "+".join(layout.ref(k, i) for k in keys)


def _share_formula(layout: _Layout, score: str, mask: str | None, i: int) -> str:
    """A factor's share: the score over the sum of the scores (of the regions taking part,
    when the score is an input column that regions outside may fill)."""
    if mask and score.startswith("in:"):
        return (
            f"={layout.ref(mask, i)}*{layout.ref(score, i)}/"
            f"SUMPRODUCT({layout.range(mask)},{layout.range(score)})"
        )
    return f"={layout.ref(score, i)}/SUM({layout.range(score)})"


def _param_times(layout: _Layout, param: str, key: str, i: int) -> str:
    """The parameter of one column times the cell of another: ``=$D$5*C6``."""
    return f"={layout.param(param)}*{layout.ref(key, i)}"


def _param_product(layout: _Layout, first: str, second: str) -> str:
    """The product of two parameter cells: ``=$H$5*$C$5``."""
    return f"={layout.param(first)}*{layout.param(second)}"


def _tranche_amount(
    result: Allocation,
    leaf_path: tuple[str, ...],
    quota_keys: dict[tuple[str, ...], str],
    layout: _Layout,
) -> str:
    """The leaf tranche's amount as a formula over 总额, the fixed amounts and the quota
    columns, the way :func:`fundalloc.pipeline.allocate` splits it."""
    siblings = result.scheme.tranches
    expression = _TOTAL_NAME
    for depth in range(len(leaf_path)):
        here = leaf_path[: depth + 1]
        tranche = next(t for t in siblings if t.name == here[-1])
        if tranche.amount is not None:
            expression = _number_literal(tranche.amount)
        else:
            taken = [_number_literal(t.amount) for t in siblings if t.amount is not None]
            taken += [
                f"SUM({layout.range(quota_keys[(*here[:-1], t.name)])})"
                for t in siblings
                if t.quota is not None
            ]
            left = f"MAX({expression}-({'+'.join(taken)}),0)" if taken else expression
            share = _number_literal(float(tranche.share or 0))
            expression = f"{share}*{left}"
        siblings = tranche.tranches
    return "=" + expression


def _why(rule: Rule, words: dict[str, str], masked: bool) -> str:
    """Why a rule's scores are values, or "" when a formula expresses them."""
    what = rule.describe()
    if isinstance(rule, Composite):
        return words["why_composite"].format(what=what)
    if isinstance(rule, Product):
        return words["why_product"].format(what=what)
    if isinstance(rule, Max | Min):
        which = words["max"] if isinstance(rule, Max) else words["min"]
        return words["why_extreme"].format(which=which, what=what)
    if isinstance(rule, Group):
        return words["why_group"].format(what=what)
    if isinstance(rule, Inverse) and rule.reference != "mean" and masked:
        which = words["largest"] if rule.reference == "max" else words["smallest"]
        return words["why_inverse"].format(which=which, what=what)
    return ""


def _score_formula(rule: Rule, layout: _Layout, i: int, *, mask: str | None) -> str:
    """A formula for the rule's score in row i (Share, Ratio, Inverse, Tiered only)."""
    if isinstance(rule, Share):
        body = layout.ref(f"in:{rule.column}", i)
    elif isinstance(rule, Ratio):
        top = layout.ref(f"in:{rule.numerator}", i)
        bottom = layout.ref(f"in:{rule.denominator}", i)
        body = f"IF({bottom}>0,{top}/{bottom},0)"
    elif isinstance(rule, Inverse):
        x = layout.ref(f"in:{rule.column}", i)
        column = layout.range(f"in:{rule.column}")
        if rule.reference == "mean":
            reference = (
                f"SUMPRODUCT({layout.range(mask)},{column})/SUM({layout.range(mask)})"
                if mask
                else f"AVERAGE({column})"
            )
        else:
            reference = f"{'MAX' if rule.reference == 'max' else 'MIN'}({column})"
        body = f"IF({x}>0,{reference}/{x},0)"
    elif isinstance(rule, Tiered):
        x = layout.ref(f"in:{rule.column}", i)
        body = _number_literal(rule.default if rule.default is not None else 0.0)
        for label, value in reversed(list(rule.tiers.items())):
            body = f"IF({x}={_text(label)},{_number_literal(value)},{body})"
    else:  # pragma: no cover - callers ask _why first
        raise TypeError(type(rule).__name__)
    return f"=IF({layout.ref(mask, i)}=1,{body},0)" if mask else f"={body}"


def _leaf(
    layout: _Layout,
    result: Allocation,
    leaf: LeafTrace,
    number: int,
    words: dict[str, str],
    paths: dict[tuple[str, ...], Tranche],
    base_mask: str | None,
    quota_keys: dict[tuple[str, ...], str],
) -> str:
    """The columns of one leaf tranche; returns the key of its target column."""
    trace, table = result.trace, result.table
    order = trace.order
    tranche = leaf.tranche
    group = "/".join(leaf.path)
    prefix = f"t{number}"
    targets = _in_rows(leaf.targets, order)
    target_key = f"{prefix}:target"

    # participation in this tranche, when its own or its parents' conditions narrow it (a
    # quota tranche has none of its own: its regions are its parent's)
    conditions = [c for k in range(1, len(leaf.path) + 1) for c in paths[leaf.path[:k]].eligibility]
    mask = base_mask
    if conditions:
        mask = f"{prefix}:mask"
        inside = _in_rows(leaf.taking_part.astype(np.int64), order)
        layout.add(
            _Column(
                mask,
                group,
                words["taking_part_tranche"],
                "count",
                _formulas(partial(_mask_formula, layout, tuple(conditions), base_mask), inside),
                total=_sum_total(layout, mask, float(inside.sum())),
            )
        )

    if tranche.quota is not None:
        quota = tranche.quota
        column = f"in:{quota.column}"
        quota_keys[leaf.path] = target_key

        def quota_formula(i: int) -> str:
            formula = f"={layout.param(target_key)}*{layout.ref(column, i)}"
            if mask:
                formula = f"=IF({layout.ref(mask, i)}=1,{formula[1:]},0)"
            return formula

        layout.add(
            _Column(
                target_key,
                group,
                f"{words['quota']}（{quota.column} × {quota.rate:g}）",
                "detail",
                _formulas(quota_formula, targets),
                total=_sum_total(layout, target_key, float(leaf.targets.sum())),
                param=(None, float(quota.rate), "rate"),
            )
        )
        return target_key

    masked = mask is not None
    in_table_order = np.empty(len(table), dtype=bool)
    in_table_order[order] = leaf.taking_part
    weights = normalised_weights(tranche.factors)
    amount_keys_used: list[str] = []
    for j, factor in enumerate(tranche.factors):
        rule = factor.rule
        fkey = f"{prefix}:f{j}"
        weight = float(weights[j])
        contributions = _in_rows(leaf.contributions[j], order)
        factor_amount = leaf.amount * weight
        if factor_amount > 0:
            shares = contributions / factor_amount
        else:  # a zero weight or an empty tranche: the trace holds no share, ask the rule
            from fundalloc.factors import shares_of

            shares = shares_of(rule, table, in_table_order, factor.name)
        why = _why(rule, words, masked)
        score_key: str | None = None
        if not why and not isinstance(rule, Share):
            score_key = f"{fkey}:score"
            raw = np.where(in_table_order, rule.scores(table, in_table_order), 0.0)
            layout.add(
                _Column(
                    score_key,
                    group,
                    f"{factor.name}{words['join']}{words['score']}",
                    "ratio",
                    _formulas(partial(_score_formula, rule, layout, mask=mask), raw),
                    total=_sum_total(layout, score_key, float(raw.sum())),
                )
            )
        elif not why:
            score_key = f"in:{rule.column}"  # type: ignore[union-attr]

        share_cells = (
            _values(shares)
            if score_key is None
            else _formulas(partial(_share_formula, layout, score_key, mask), shares)
        )

        layout.add(
            _Column(
                f"{fkey}:share",
                group,
                f"{factor.name}{words['join']}{words['share']}",
                "percent",
                share_cells,
                kind="value" if why else "formula",
                comment=why,
                total=_sum_total(layout, f"{fkey}:share", float(shares.sum())),
                param=(None, weight, "weight"),
            )
        )
        layout.add(
            _Column(
                f"{fkey}:amount",
                group,
                f"{factor.name}{words['join']}{words['weighted']}",
                "detail",
                _formulas(
                    partial(_param_times, layout, f"{fkey}:amount", f"{fkey}:share"), contributions
                ),
                total=_sum_total(layout, f"{fkey}:amount", float(contributions.sum())),
                param=(
                    partial(_param_product, layout, target_key, f"{fkey}:share"),
                    factor_amount,
                    "amount",
                ),
            )
        )
        amount_keys_used.append(f"{fkey}:amount")

    def plain_sum(i: int) -> str:
        return "=" + "+".join(layout.ref(k, i) for k in amount_keys_used)

    coefficient_keys: list[str] = []
    if tranche.coefficients:
        before = _in_rows(leaf.before, order)
        layout.add(
            _Column(
                f"{prefix}:before",
                group,
                words["subtotal"],
                "detail",
                _formulas(plain_sum, before),
                total=_sum_total(layout, f"{prefix}:before", float(leaf.before.sum())),
            )
        )
        for c, coefficient in enumerate(tranche.coefficients):
            ckey = f"{prefix}:c{c}"
            values = _in_rows(leaf.multipliers[c], order)
            why = _why(coefficient.rule, words, masked)
            cell: _Cells
            if isinstance(coefficient.rule, Inverse | Ratio | Share | Tiered) and not why:
                cell = _formulas(
                    partial(_score_formula, coefficient.rule, layout, mask=mask), values
                )
                kind = "formula"
            else:
                why = why or words["why_coefficient"].format(what=coefficient.rule.describe())
                cell, kind = _values(values), "value"
            layout.add(
                _Column(
                    ckey,
                    group,
                    coefficient.name,
                    "ratio",
                    cell,
                    kind=kind,
                    comment=why,
                )
            )
            coefficient_keys.append(ckey)

    def target_formula(i: int) -> str:
        if not coefficient_keys:
            return plain_sum(i)
        factors = [f"{prefix}:before", *coefficient_keys]
        product = "*".join(layout.ref(k, i) for k in factors)
        mass = ",".join(layout.range(k) for k in factors)
        return f"={layout.param(target_key)}*{product}/SUMPRODUCT({mass})"

    header = words["target"]
    if tranche.normalise_weights:
        header += "*"
    layout.add(
        _Column(
            target_key,
            group,
            header,
            "detail",
            _formulas(target_formula, targets),
            comment=words["weights_normalised"] if tranche.normalise_weights else "",
            total=_sum_total(layout, target_key, float(leaf.targets.sum())),
            param=(
                lambda: _tranche_amount(result, leaf.path, quota_keys, layout),
                leaf.amount,
                "tranche",
            ),
        )
    )
    return target_key


def _result_columns(
    layout: _Layout,
    result: Allocation,
    words: dict[str, str],
    target_keys: list[str],
    quota_keys: dict[tuple[str, ...], str],
) -> None:
    """测算数合计, 定额, 保底, 封顶, 限额调整后, 分配金额, 尾差, 核对."""
    trace, scheme = result.trace, result.scheme
    order = trace.order
    group = words["result"]
    targets = _in_rows(trace.targets, order)
    fixed = _in_rows(trace.fixed, order)
    lower = _in_rows(trace.limits.lower, order)
    upper = _in_rows(trace.limits.upper, order)
    lower_from = _in_rows(trace.limits.lower_from, order)
    upper_from = _in_rows(trace.limits.upper_from, order)
    bounded = _in_rows(trace.bounded, order)
    step = scheme.step
    units = _in_rows(trace.units, order)
    amounts = [int(u) * step for u in units.tolist()]

    if len(target_keys) > 1:
        layout.add(
            _Column(
                "target",
                group,
                words["sum_target"],
                "detail",
                _formulas(partial(_sum_of, layout, tuple(target_keys)), targets),
                total=_sum_total(layout, "target", float(trace.targets.sum())),
            )
        )
        target = "target"
    else:
        target = target_keys[0]
    has_fixed = bool(quota_keys)
    if has_fixed:
        layout.add(
            _Column(
                "fixed",
                group,
                words["fixed"],
                "detail",
                _formulas(partial(_sum_of, layout, tuple(quota_keys.values())), fixed),
                total=_sum_total(layout, "fixed", float(trace.fixed.sum())),
            )
        )
    bounds = scheme.bounds
    has_floor = any(isinstance(b, Floor | HoldHarmless) for b in bounds)
    has_cap = any(isinstance(b, Cap | GrowthCap) for b in bounds)

    def limit(i: int, k: int) -> str | None:
        """The bound that gives region i its floor or cap, as a formula (None: an amount
        or no bound, a value)."""
        if k < 0:
            return None
        bound = bounds[k]
        if isinstance(bound, Floor | Cap):
            if bound.amount is not None:
                return None
            if bound.share is not None:
                return f"={_TOTAL_NAME}*{_number_literal(bound.share)}"
            assert bound.per is not None and bound.rate is not None
            return f"={_number_literal(bound.rate)}*{layout.ref(f'in:{bound.per}', i)}"
        return f"={_number_literal(bound.ratio)}*{layout.ref(f'in:{bound.column}', i)}"

    def sources(kinds: tuple[type, ...]) -> str:
        return words["bounds_comment"].format(
            what="; ".join(b.label(scheme.unit) for b in bounds if isinstance(b, kinds))
        )

    if has_floor:
        layout.add(
            _Column(
                "floor",
                group,
                words["floor"],
                "detail",
                _formulas(lambda i: limit(i, int(lower_from[i])), lower),
                comment=sources((Floor, HoldHarmless)),
                total=_sum_total(layout, "floor", float(trace.limits.lower.sum())),
            )
        )

    capped = np.isfinite(upper)

    def cap_formula(i: int) -> str | None:
        return limit(i, int(upper_from[i])) if capped[i] else None

    if has_cap:
        layout.add(
            _Column(
                "cap",
                group,
                words["cap"],
                "detail",
                _formulas(
                    cap_formula,
                    [
                        float(u) if c else words["no_cap"]
                        for u, c in zip(upper, capped, strict=True)
                    ],
                ),
                comment=sources((Cap, GrowthCap)),
            )
        )
    groups = trace.region_multipliers is not None

    def bounded_formula(i: int) -> str:
        t = layout.ref(target, i)
        lo = layout.ref("floor", i) if has_floor else "0"
        with_cap = has_cap and bool(capped[i])
        hi = layout.ref("cap", i) if with_cap else ""
        if has_fixed:
            f = layout.ref("fixed", i)
            inner = f"MAX({_LAMBDA_NAME}*MAX({t}-{f},0),MAX({lo}-{f},0))"
            if with_cap:
                inner = f"MIN({inner},{hi}-{f})"
            return f"={f}+{inner}"
        inner = f"MAX({_LAMBDA_NAME}*{t},{lo})" if has_floor else f"{_LAMBDA_NAME}*{t}"
        if with_cap:
            inner = f"MIN({inner},{hi})"
        return f"={inner}"

    layout.add(
        _Column(
            "bounded",
            group,
            words["bounded"],
            "detail",
            _values(bounded) if groups else _formulas(bounded_formula, bounded),
            kind="value" if groups else "formula",
            comment=words["why_groups"].format(
                what="; ".join(c.label(scheme.unit) for c in scheme.constraints)
            )
            if groups
            else "",
            total=_sum_total(layout, "bounded", float(trace.bounded.sum())),
            param=(None, trace.multiplier, "lambda"),
        )
    )
    method = METHOD_NAMES[words["lang"]][scheme.method]
    allocated = sum(amounts, Decimal(0))
    layout.add(
        _Column(
            "amount",
            group,
            f"{words['amount']}",
            "money",
            _values(amounts),
            kind="value",
            comment=words["why_rounded"].format(method=method, step=format_amount(step)),
            total=_sum_total(layout, "amount", float(allocated)),
            param=(None, float(scheme.total), "total"),
        )
    )
    residuals = np.array([float(a) for a in amounts]) - bounded
    layout.add(
        _Column(
            "residual",
            group,
            words["residual"],
            "detail",
            _formulas(
                lambda i: f"={layout.ref('amount', i)}-{layout.ref('bounded', i)}", residuals
            ),
            total=_sum_total(layout, "residual", float(residuals.sum())),
            param=(None, float(step), "step"),
        )
    )
    yes, no = words["yes"], words["no"]
    decimals = _decimals(step)
    layout.add(
        _Column(
            "check",
            group,
            words["check"],
            "check",
            _formulas(
                lambda i: (
                    f"=IF(ABS({layout.ref('residual', i)})<{layout.param('residual')},"
                    f"{_text(yes)},{_text(no)})"
                ),
                [yes if abs(r) < float(step) else no for r in residuals.tolist()],
            ),
            total=lambda: (
                f"=IF(ROUND({layout.total('amount')}-{_TOTAL_NAME},{decimals})=0,"
                f"{_text(yes)},{_text(no)})",
                yes if allocated == scheme.total else no,
            ),
        )
    )


def _decimals(step: Decimal) -> int:
    return max(0, -int(step.normalize().as_tuple().exponent))


# --------------------------------------------------------------------------------- writing
def _width(text: str) -> int:
    """Display width: CJK (wide and full-width) characters count double."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _widths(values: Sequence[Any] | npt.NDArray[Any], style: str, decimals: int) -> list[int]:
    """The display widths that size a column: every text, and the largest and smallest
    number (the widest once formatted)."""
    if isinstance(values, np.ndarray) and values.dtype.kind in "biuf":
        numbers = values.astype(np.float64)
        texts: list[str] = []
    else:
        numbers = np.array([v for v in values if not isinstance(v, str)], dtype=np.float64)
        texts = [v for v in values if isinstance(v, str)]
    shown = [_width(t) for t in texts]
    if numbers.size:
        shown += [_width(_shown(float(v), style, decimals)) for v in (numbers.max(), numbers.min())]
    return shown


def _shown(value: Any, style: str, decimals: int) -> str:
    """Roughly how a value is displayed in its number format, to size the column."""
    if isinstance(value, str):
        return value
    if style == "percent":
        return f"{value:.2%}"
    if style == "count":
        return f"{value:,.0f}"
    if style == "money":
        return f"{value:,.{decimals}f}"
    if style == "detail":
        return f"{value:,.{decimals + 2}f}"
    return f"{value:,.4f}"


def _write(
    workbook: Any,
    sheet: Any,
    sheet_name: str,
    layout: _Layout,
    result: Allocation,
    words: dict[str, str],
) -> None:
    scheme = result.scheme
    decimals = _decimals(scheme.step)
    money = "#,##0" + ("." + "0" * decimals if decimals else "")
    detail = "#,##0." + "0" * (decimals + 2)
    numbers = {
        "text": "@",
        "count": "#,##0",
        "number": "#,##0.00##",
        "ratio": "0.0000##",
        "percent": "0.00%",
        "money": money,
        "detail": detail,
        "check": "@",
    }
    params = {
        "weight": "0.00%",
        "amount": detail,
        "tranche": detail,
        "rate": "#,##0.######",
        "lambda": '"λ="0.000000',
        "total": money,
        "step": "0." + "0" * decimals if decimals else "0",
    }
    base = {"font_name": _FONT, "font_size": 10, "border": 1, "valign": "vcenter"}
    cache: dict[tuple[Any, ...], Any] = {}

    def fmt(**options: Any) -> Any:
        key = tuple(sorted(options.items()))
        if key not in cache:
            cache[key] = workbook.add_format({**base, **options})
        return cache[key]

    fills = {"input": _INPUT_FILL, "value": _VALUE_FILL, "formula": None}

    def body(column: _Column, bold: bool = False) -> Any:
        options: dict[str, Any] = {"num_format": numbers[column.style]}
        fill = fills[column.kind]
        if fill and not bold:
            options["bg_color"] = fill
        if column.style in ("text", "check"):
            # region names to the left, short labels (tiers, types) and checks centred
            options["align"] = "left" if column.key == "id" else "center"
        if bold:
            options["bold"] = True
            options["bg_color"] = _HEAD_FILL
        return fmt(**options)

    columns = layout.columns
    last = len(columns) - 1
    n = layout.n

    # widths from the values shown and the headers (which wrap)
    widths = []
    for column in columns:
        shown = _widths(column.cell.values, column.style, decimals)
        if column.total is not None:
            shown.append(_width(_shown(column.total()[1], column.style, decimals)))
        if column.param is not None:
            shown.append(_width(_param_shown(column.param, decimals)))
        if column.key == "id":
            shown.append(_width(words["params"]) + 1)  # bold
        longest = max(shown, default=4)
        head = _width(column.header)
        width = max(longest, min(head, _HEADER_WIDTH), 6) + 2
        widths.append(width)
        sheet.set_column(layout.index[column.key], layout.index[column.key], width)

    # ---- title and unit rows
    title = scheme.name or words["title"]
    if scheme.document:
        title += f"（{scheme.document}）"
    title_format = workbook.add_format(
        {"font_name": _FONT, "bold": True, "font_size": 16, "align": "center", "valign": "vcenter"}
    )
    sheet.set_row(_TITLE, 30)
    if last > 0:
        sheet.merge_range(_TITLE, 0, _TITLE, last, title, title_format)
    else:  # pragma: no cover - a sheet always has more than one column
        sheet.write_string(_TITLE, 0, title, title_format)
    plain = workbook.add_format({"font_name": _FONT, "font_size": 10})
    unit_line = words["unit_line"].format(unit=scheme.unit)
    method = METHOD_NAMES[words["lang"]][scheme.method]
    sheet.write_string(_UNIT, 0, unit_line, plain)
    right = workbook.add_format({"font_name": _FONT, "font_size": 10, "align": "right"})
    if last > 0:
        sheet.write_string(
            _UNIT, last, f"{method} · {format_amount(scheme.step)} {scheme.unit}", right
        )

    # ---- two header rows: groups merged across their columns, then column headers
    head = fmt(bold=True, align="center", text_wrap=True, bg_color=_HEAD_FILL)
    lines = max(-(-_width(c.header) // max(w - 2, 1)) for c, w in zip(columns, widths, strict=True))
    sheet.set_row(_HEAD1, 20)
    sheet.set_row(_HEAD2, 14 * max(lines, 1) + 6)
    start = 0
    spanning: set[int] = set()
    for k in range(1, len(columns) + 1):
        if k == len(columns) or columns[k].group != columns[start].group:
            group = columns[start].group
            if k - 1 == start and columns[start].header == group:  # one header, two rows
                sheet.merge_range(_HEAD1, start, _HEAD2, start, group, head)
                spanning.add(start)
            elif k - 1 > start:
                sheet.merge_range(_HEAD1, start, _HEAD1, k - 1, group, head)
            else:
                sheet.write_string(_HEAD1, start, group, head)
            start = k
    for c, column in enumerate(columns):
        if c not in spanning:
            sheet.write_string(_HEAD2, c, column.header, head)
        if column.comment:
            sheet.write_comment(_HEAD2, c, column.comment, {"x_scale": 2.5, "y_scale": 2})

    # ---- the parameter row: weights, factor and tranche amounts, rates, λ, total, step
    param_label = fmt(bold=True, align="left", bg_color=_HEAD_FILL)
    sheet.write_string(_PARAMS, 0, words["params"], param_label)
    sheet.write_comment(_PARAMS, 0, words["params_comment"], {"x_scale": 3, "y_scale": 2})
    for c, column in enumerate(columns[1:], start=1):
        style = fmt(num_format=numbers["text"], bg_color=_HEAD_FILL)
        if column.param is None:
            sheet.write_blank(_PARAMS, c, None, style)
            continue
        make, value, kind = column.param
        style = fmt(num_format=params[kind], bg_color=_HEAD_FILL, align="center", bold=True)
        if make is None:
            sheet.write_number(_PARAMS, c, float(value), style)
        else:
            sheet.write_formula(_PARAMS, c, make(), style, float(value))
    for key, defined in (("bounded", _LAMBDA_NAME), ("amount", _TOTAL_NAME)):
        quoted = sheet_name.replace("'", "''")
        workbook.define_name(defined, f"='{quoted}'!{layout.param(key)}")

    # ---- the regions
    styles = [body(column) for column in columns]
    values = [column.cell.plain() for column in columns]
    formulas = [column.cell.formula for column in columns]
    for i in range(n):
        row = _FIRST + i
        for c in range(len(columns)):
            formula_of = formulas[c]
            formula = None if formula_of is None else formula_of(i)
            _cell(sheet, row, c, formula, values[c][i], styles[c])

    # ---- 合计
    totals = _FIRST + n
    for c, column in enumerate(columns):
        style = body(column, bold=True)
        if column.total is None:
            sheet.write_blank(totals, c, None, style)
            continue
        formula, value = column.total()
        _cell(sheet, totals, c, formula, value, style)

    # ---- notes
    residual = result.unallocated
    step_text, total_text = format_amount(scheme.step), format_amount(scheme.total)
    notes = [words["notes_head"]]
    if residual:
        notes.append(
            words["note_half_up"].format(
                step=step_text,
                unit=scheme.unit,
                total=total_text,
                residual=format_amount(residual),
            )
        )
    else:
        notes.append(
            words["note_rounding"].format(
                method=method, step=step_text, unit=scheme.unit, total=total_text
            )
        )
    floor, cap, target = words["floor"], words["cap"], words["target"]
    has_floor, has_cap = "floor" in layout.index, "cap" in layout.index
    scaled = f"λ × {target}"
    bounded = f"MAX({scaled}, {floor})" if has_floor else scaled
    bounded = f"MIN({bounded}, {cap})" if has_cap else bounded
    notes.append(
        words["note_shares"]
        + (words["note_coefficients"] if any(c.key.endswith(":c0") for c in columns) else "")
        + words["note_bounded"].format(formula=bounded)
    )
    if "fixed" in layout.index:
        quota = words["quota"]
        scaled = f"λ × ({target} − {quota})"
        inner = f"MAX({scaled}, {floor} − {quota})" if has_floor else scaled
        inner = f"MIN({inner}, {cap} − {quota})" if has_cap else inner
        notes.append(words["note_fixed"].format(formula=f"{quota} + {inner}"))
    notes.append(words["note_cells"])
    if not result.trace.taking_part.all():
        notes.append(words["note_excluded"])
    note_format = workbook.add_format(
        {"font_name": _FONT, "font_size": 10, "text_wrap": True, "valign": "top"}
    )
    span = sum(widths)
    for k, note in enumerate(notes):
        row = totals + 2 + k
        height = 14 * max(1, -(-_width(note) // max(span - 4, 20)))
        sheet.set_row(row, height + 2)
        if last > 0:
            sheet.merge_range(row, 0, row, last, note, note_format)
        else:  # pragma: no cover
            sheet.write_string(row, 0, note, note_format)

    # ---- view and print
    sheet.freeze_panes(_FIRST, 1)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(_HEAD1, _PARAMS)
    sheet.print_area(0, 0, totals + 1 + len(notes), last)
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    sheet.center_horizontally()
    sheet.set_footer("&C&P / &N")


def _param_shown(param: tuple[Any, Any, str], decimals: int) -> str:
    """Roughly how a parameter cell is displayed, to size its column."""
    _, value, kind = param
    if kind == "weight":
        return f"{value:.2%}"
    if kind == "lambda":
        return f"λ={value:.6f}"
    if kind == "rate":
        return f"{value:,g}"
    return f"{value:,.{decimals + 2}f}"


def _as_written(formula: str, expand_future_functions: bool = False) -> str:
    """A formula as the sheet's XML holds it: without the leading "="."""
    return formula[1:] if formula.startswith("=") else formula


def _cell(sheet: Any, row: int, col: int, formula: str | None, value: Any, style: Any) -> None:
    """Write a formula with its cached value, or a value; text always as text (a region
    named "=1+1" stays a name)."""
    if formula is not None:
        sheet.write_formula(row, col, formula, style, value)
    elif isinstance(value, str):
        sheet.write_string(row, col, value, style)
    else:
        sheet.write_number(row, col, float(value), style)
