"""Conditions on one column, shared by eligibility, bounds, constraints and sources.

Examples
--------
>>> from fundalloc import RegionTable
>>> t = RegionTable.from_columns({"id": ["a", "b"], "gap": [5, -2]}, id="id")
>>> Condition(column="gap", op=">", value=0).test(t)
array([ True, False])
>>> Condition(column="等次", op="in", value=["A", "B"]).describe("en")
'等次 in [A, B]'
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np
from pydantic import Field, model_validator

from fundalloc.data import Data, Need
from fundalloc.i18n import Message, tr
from fundalloc.spec import Spec
from fundalloc.types import BoolArray, Coerced, Lang, Operator

__all__ = ["Condition"]

_OPS: dict[str, Callable[[Any, Any], Any]] = {
    ">": np.greater,
    ">=": np.greater_equal,
    "<": np.less,
    "<=": np.less_equal,
    "==": np.equal,
    "!=": np.not_equal,
}

#: A condition's value: a number, a text, or several texts (given as any sequence).
Value = Coerced[float | str | tuple[str, ...], float | str | Sequence[str]]


class Condition(Spec):
    """An eligibility condition on one column.

    Numbers compare numerically (``op`` one of ``> >= < <= == !=``); text values
    compare as text (``== != in``, with ``value`` a list for ``in`` / ``not in``).

    Examples
    --------
    >>> Condition(column="gap", op=">", value=0).describe("zh")
    'gap > 0'
    """

    column: str
    op: Operator
    value: Value = Field()

    @model_validator(mode="after")
    def _shape(self) -> Condition:
        if self.op in ("in", "not in") and not isinstance(self.value, tuple):
            raise ValueError(tr("scheme.condition.needs_list", op=self.op))
        if self.op in (">", ">=", "<", "<=") and not isinstance(self.value, float):
            raise ValueError(tr("scheme.condition.needs_number", op=self.op))
        return self

    @property
    def is_numeric(self) -> bool:
        return isinstance(self.value, float)

    def needs(self) -> Iterator[Need]:
        yield self.column, "number" if self.is_numeric else "text"

    def test(self, data: Data) -> BoolArray:
        """Which regions meet the condition."""
        if isinstance(self.value, float):
            return np.asarray(_OPS[self.op](data.numeric(self.column), self.value))
        codes, lookup = data.codes(self.column)
        if isinstance(self.value, tuple):
            inside = np.isin(codes, [lookup[v] for v in self.value if v in lookup])
            return inside if self.op == "in" else ~inside
        equal: BoolArray = codes == lookup.get(self.value, -1)
        return equal if self.op == "==" else ~equal

    def describe(self, lang: Lang | None = None) -> str:
        """The condition in words (``贫困人口 > 0``), in ``lang`` (default: the current
        language), for explanations and publication."""
        return self.description().render(lang)

    def description(self) -> Message:
        """The condition in words, as a message rendered when it is shown."""
        value = self.value
        if isinstance(value, float):
            return tr("scheme.condition.number", column=self.column, op=self.op, value=value)
        if isinstance(value, tuple):
            return tr("scheme.condition.list", column=self.column, op=self.op, values=value)
        return tr("scheme.condition.text", column=self.column, op=self.op, value=value)
