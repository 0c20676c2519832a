"""The names fundalloc accepts and the array shapes it passes around, defined once.

Every closed set of names a user may write (a rounding method, a solver, a rule's
``kind``, a language) is a :data:`~typing.Literal` here, so that a type checker rejects a
misspelt name in user code (``rounding="banana"``), the JSON schema of a scheme lists the
allowed values, and the code that dispatches on a name reads its set from here.

Specs take some settings in a wider form than they keep: an amount may be given as an
``int``, ``float`` or :class:`~decimal.Decimal` and is kept as a ``Decimal``; a list may be
given for a tuple. :data:`Amount`, :data:`OptionalAmount` and :data:`Items` say so to a type
checker (as descriptors: the type read is the kept one, the type accepted by the
constructor is the wider one; PEP 681's descriptor-typed fields), while at run time they are
plain ``Decimal`` and ``tuple[T, ...]`` for pydantic.

>>> from typing import get_args
>>> get_args(SolverName)
('auto', 'exact', 'highs', 'cbc')
>>> canonical_rounding("dhondt")
'jefferson'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar, get_args, overload

import numpy as np
import numpy.typing as npt

from fundalloc.i18n import Lang

__all__ = [
    "ALIASES",
    "BOUND_KINDS",
    "CONSTRAINT_KINDS",
    "EMPTY",
    "METHODS",
    "NONE",
    "OPERATORS",
    "RULE_KINDS",
    "SOLVERS",
    "Amount",
    "BoolArray",
    "BoundKind",
    "CanonicalMethod",
    "Coerced",
    "ConstraintKind",
    "FloatArray",
    "IntArray",
    "Items",
    "Lang",
    "NeedKind",
    "Negative",
    "Normalise",
    "Operator",
    "OptionalAmount",
    "Reference",
    "RoundingMethod",
    "RuleKind",
    "SolverName",
    "canonical_rounding",
    "given",
]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]

#: The rounding methods by their canonical names (see :mod:`fundalloc.rounding`).
CanonicalMethod = Literal[
    "largest_remainder", "jefferson", "webster", "huntington_hill", "adams", "half_up"
]
#: Every name a scheme's ``rounding`` accepts: the canonical names and the usual aliases.
RoundingMethod = Literal[
    "largest_remainder",
    "jefferson",
    "webster",
    "huntington_hill",
    "adams",
    "half_up",
    "dhondt",
    "sainte_lague",
    "hamilton",
]
METHODS: tuple[CanonicalMethod, ...] = get_args(CanonicalMethod)
#: The aliases of the rounding methods, to their canonical names.
ALIASES: Mapping[str, CanonicalMethod] = {
    "dhondt": "jefferson",
    "sainte_lague": "webster",
    "hamilton": "largest_remainder",
}

#: The solvers :func:`fundalloc.allocate` accepts (``"auto"`` lets it choose).
SolverName = Literal["auto", "exact", "highs", "cbc"]
SOLVERS: tuple[SolverName, ...] = get_args(SolverName)

#: The ``kind`` of each factor rule, as scheme files write it.
RuleKind = Literal[
    "share", "ratio", "inverse", "composite", "product", "tiered", "group", "max", "min"
]
RULE_KINDS: tuple[RuleKind, ...] = get_args(RuleKind)
#: The ``kind`` of each per-region bound.
BoundKind = Literal["floor", "cap", "hold_harmless", "growth_cap"]
BOUND_KINDS: tuple[BoundKind, ...] = get_args(BoundKind)
#: The ``kind`` of each group constraint.
ConstraintKind = Literal["group_floor", "group_cap", "group_ratio"]
CONSTRAINT_KINDS: tuple[ConstraintKind, ...] = get_args(ConstraintKind)

#: The comparisons of an eligibility condition.
Operator = Literal[">", ">=", "<", "<=", "==", "!=", "in", "not in"]
OPERATORS: tuple[Operator, ...] = get_args(Operator)
#: What an inverse indicator divides: the mean, the largest or the smallest value.
Reference = Literal["mean", "max", "min"]
#: How a composite index normalises its parts.
Normalise = Literal["zscore", "minmax", "ratio_to_mean"]
#: What a composite index does with a negative value.
Negative = Literal["error", "clip", "shift"]
#: How a column is read: any number, a number >= 0, or text.
NeedKind = Literal["number", "nonnegative", "text"]


def canonical_rounding(name: str) -> CanonicalMethod:
    """The canonical name of a rounding method or alias (``KeyError`` for an unknown one:
    a scheme's ``rounding`` is checked against :data:`RoundingMethod` when it is built)."""
    if name in ALIASES:
        return ALIASES[name]
    if name in METHODS:
        return name
    raise KeyError(name)


_Get = TypeVar("_Get")
_Set = TypeVar("_Set")
_T = TypeVar("_T")

if TYPE_CHECKING:

    class Coerced(Generic[_Get, _Set]):
        """A field read as ``_Get`` and given to the constructor as ``_Set``."""

        @overload
        def __get__(self, instance: None, owner: Any) -> Coerced[_Get, _Set]: ...
        @overload
        def __get__(self, instance: object, owner: Any) -> _Get: ...
        def __get__(self, instance: object, owner: Any) -> Any: ...
        def __set__(self, instance: object, value: _Set) -> None: ...

else:

    class Coerced:
        """At run time ``Coerced[Kept, Given]`` is ``Kept``: pydantic validates to it."""

        def __class_getitem__(cls, params: tuple[Any, Any]) -> Any:
            return params[0]


def given(value: object) -> Any:
    """A field's default, typed ``Any`` for a descriptor-typed field (:data:`Amount`,
    :data:`Items`): pydantic's mypy plugin would otherwise compare it with the descriptor."""
    return value


#: The empty default of an :data:`Items` field, and the ``None`` of an optional one.
EMPTY: Any = ()
NONE: Any = None

#: An amount of money: given as int, float or Decimal, kept as an exact Decimal.
Amount = Coerced[Decimal, Decimal | int | float]
#: An optional amount of money.
OptionalAmount = Coerced[Decimal | None, Decimal | int | float | None]
#: Several items: given as any sequence (a list), kept as a tuple.
Items = Coerced[tuple[_T, ...], Sequence[_T]]
