"""The base of every specification value: frozen, strict, and failing with SchemeError.

Specs (factor rules, tranches, bounds, schemes) are immutable pydantic models:
equal specs compare equal, hash alike and serialise the same way; ``replace``
returns a changed copy. Invalid settings raise :class:`~fundalloc.errors.SchemeError`
listing every problem with its key path, never pydantic's own error type; pydantic's
English messages are translated into the catalogue's (:func:`explain_error`): what was
expected and what was found, in the current language.

Type checkers see each spec's constructor with its keywords and their types (pydantic's
``dataclass_transform``), so a wrong keyword or value is found before the program runs.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Self

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_core import ErrorDetails

from fundalloc.errors import Problem, SchemeError, Text
from fundalloc.i18n import Message, tr
from fundalloc.types import BOUND_KINDS, CONSTRAINT_KINDS, RULE_KINDS

__all__ = ["Spec", "SpecProblems", "check_weights", "explain_error", "key_path", "problems_from"]

WEIGHT_TOLERANCE = 1e-9

#: The ``kind`` tags pydantic adds to an error's location inside a discriminated union.
TAGS = frozenset((*RULE_KINDS, *BOUND_KINDS, *CONSTRAINT_KINDS))


class SpecProblems(ValueError):
    """Raised by a validator with all the problems it found, each a catalogue message;
    pydantic passes it through as a ``value_error`` and :func:`problems_from` lists them."""

    def __init__(self, messages: Iterable[Text]) -> None:
        self.messages = tuple(messages)
        super().__init__("; ".join(str(m) for m in self.messages))


if TYPE_CHECKING:
    # type checkers see pydantic's own metaclass, whose ``dataclass_transform`` gives every
    # spec a constructor with its keywords and their types (a subclass of it would hide it)
    from pydantic._internal._model_construction import ModelMetaclass as _SpecMeta
else:

    class _SpecMeta(type(BaseModel)):  # the public way to reach pydantic's metaclass
        """Turns pydantic's errors into :class:`SchemeError` when a spec is called directly.

        Only direct calls (``Floor(amount=-1)``) pass through here; pydantic's own nested
        validation does not, so a nested problem is reported once, at the top, with its
        path. (An ``__init__`` would not do: pydantic calls a custom ``__init__`` for
        nested models too.)
        """

        def __call__(cls, *args: Any, **kwargs: Any) -> Any:
            try:
                return super().__call__(*args, **kwargs)
            except ValidationError as exc:
                raise SchemeError(problems_from(exc, cls.__name__)) from None


class Spec(BaseModel, metaclass=_SpecMeta):
    """Base of the immutable specification values."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", validate_default=True, allow_inf_nan=False
    )

    @classmethod
    def model_validate(cls, obj: Any, *args: Any, **kwargs: Any) -> Self:
        """Pydantic's validation, with its errors raised as :class:`SchemeError`."""
        try:
            return super().model_validate(obj, *args, **kwargs)
        except ValidationError as exc:
            raise SchemeError(problems_from(exc, cls.__name__)) from None

    @classmethod
    def model_validate_json(cls, json_data: Any, *args: Any, **kwargs: Any) -> Self:
        """Pydantic's JSON validation, with its errors raised as :class:`SchemeError`."""
        try:
            return super().model_validate_json(json_data, *args, **kwargs)
        except ValidationError as exc:
            raise SchemeError(problems_from(exc, cls.__name__)) from None

    def __repr_args__(self) -> Any:
        """Only the fields that differ from their defaults, so a repr reads like the call."""
        for name, field in type(self).model_fields.items():
            value = getattr(self, name)
            if field.repr and (
                field.is_required() or value != field.get_default(call_default_factory=True)
            ):
                yield name, value

    @classmethod
    def parse(cls, data: Any, *, where: str = "") -> Self:
        """Validate plain data (as read from a file) into this spec."""
        try:
            return cls.model_validate(data)
        except SchemeError as exc:
            if not where:
                raise
            problems = [
                Problem(
                    f"{where}{str(p.where).removeprefix(cls.__name__)}",
                    p.message,
                    p.found,
                    p.hint,
                )
                for p in exc.problems
            ]
            raise SchemeError(problems) from None

    def replace(self, **changes: Any) -> Self:
        """A validated copy with ``changes`` applied (the original is unchanged).

        Examples
        --------
        >>> from fundalloc.factors import Share
        >>> Share(column="a").replace(column="b")
        Share(column='b')
        """
        data = {name: getattr(self, name) for name in type(self).model_fields}
        data.update(changes)
        return type(self)(**data)


def key_path(loc: Sequence[Any]) -> str:
    """A location as a user reads it: ``('tranches', 0, 'factors', 1, 'rule', 'share',
    'colum')`` becomes ``tranches[1].factors[2].rule.colum`` (positions from 1, the
    ``kind`` tags pydantic adds to a location left out).

    >>> key_path(("bounds", 0, "floor", "amount"))
    'bounds[1].amount'
    """
    parts: list[str] = []
    for k, part in enumerate(loc):
        previous = loc[k - 1] if k else None
        if (
            isinstance(part, str)
            and part in TAGS
            and (
                previous == "rule"
                or (
                    isinstance(previous, int)
                    and k >= 2
                    and loc[k - 2] in ("bounds", "of", "constraints")
                )
            )
        ):
            continue  # a discriminator pydantic adds to the location; not a key of the file
        if isinstance(part, int):
            parts[-1:] = [f"{parts[-1]}[{part + 1}]" if parts else f"[{part + 1}]"]
        else:
            parts.append(str(part))
    return ".".join(parts)


def problems_from(exc: ValidationError, root: str) -> list[Problem]:
    """Turn pydantic's errors into our problems, each with its key path below ``root``."""
    problems: list[Problem] = []
    for error in exc.errors(include_url=False):
        path = ".".join(p for p in (root, key_path(error["loc"])) if p)
        for message, found in explain_error(error):
            problems.append(Problem(path, message, found=found))
    return problems


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _quoted(text: object) -> list[str]:
    """The quoted values in pydantic's list of expected values (``"'a', 'b' or 'c'"``)."""
    return [f"'{v}'" for v in re.findall(r"'([^']*)'", str(text))]


_NUMBER = {"float_parsing", "float_type", "decimal_parsing", "decimal_type", "int_parsing"}
_NUMBER |= {"int_type", "int_from_float", "decimal_max_digits", "decimal_max_places"}
_NUMBER |= {"decimal_whole_digits"}
_KINDS = {
    "bool_parsing": "scheme.expected.bool",
    "bool_type": "scheme.expected.bool",
    "string_type": "scheme.expected.text",
    "string_unicode": "scheme.expected.text",
    "tuple_type": "scheme.expected.list",
    "list_type": "scheme.expected.list",
    "iterable_type": "scheme.expected.list",
    "dict_type": "scheme.expected.table",
    "model_type": "scheme.expected.table",
    "model_attributes_type": "scheme.expected.table",
    "dataclass_type": "scheme.expected.table",
    "finite_number": "scheme.expected.finite",
    "none_required": "scheme.expected.nothing",
    "date_type": "scheme.expected.date",
    "date_parsing": "scheme.expected.date",
    "date_from_datetime_parsing": "scheme.expected.date",
    "date_from_datetime_inexact": "scheme.expected.date",
}
_BOUNDS = {
    "greater_than": ("gt", "scheme.expected.gt"),
    "greater_than_equal": ("ge", "scheme.expected.ge"),
    "less_than": ("lt", "scheme.expected.lt"),
    "less_than_equal": ("le", "scheme.expected.le"),
}
_LENGTHS = {
    "too_short": ("min_length", "scheme.expected.at_least_items"),
    "string_too_short": ("min_length", "scheme.expected.at_least_characters"),
    "too_long": ("max_length", "scheme.expected.at_most_items"),
    "string_too_long": ("max_length", "scheme.expected.at_most_characters"),
}


def explain_error(error: ErrorDetails) -> list[tuple[Message | Text, str | None]]:
    """What one pydantic error says, as catalogue messages: ``(message, found)`` pairs
    (several for a validator that found several problems).

    >>> from pydantic import TypeAdapter, ValidationError
    >>> from typing import Literal
    >>> try:
    ...     TypeAdapter(Literal["a", "b"]).validate_python("c")
    ... except ValidationError as exc:
    ...     [(m.render("en"), f) for m, f in explain_error(exc.errors()[0])]
    [("expected one of 'a', 'b'", "'c'")]
    """
    kind = error["type"]
    ctx = error.get("ctx", {})
    found = _short(error["input"]) if "input" in error else None
    key = next((p for p in reversed(error["loc"]) if isinstance(p, str)), "")
    if kind in ("value_error", "assertion_error"):
        cause = ctx.get("error")
        if isinstance(cause, SpecProblems):
            return [(m, None) for m in cause.messages]
        if isinstance(cause, BaseException) and cause.args and isinstance(cause.args[0], Message):
            return [(cause.args[0], None)]
        return [(str(error["msg"]).removeprefix("Value error, "), None)]
    if kind == "missing":
        return [(tr("scheme.key.missing", key=str(key)), None)]
    if kind == "extra_forbidden":
        return [(tr("scheme.key.unknown", key=str(error["loc"][-1])), None)]
    if kind == "literal_error":
        return [(tr("scheme.expected.one_of", values=_quoted(ctx.get("expected", ""))), found)]
    if kind == "enum":
        return [(tr("scheme.expected.one_of", values=_quoted(ctx.get("expected", ""))), found)]
    if kind == "union_tag_invalid":
        tag = str(ctx.get("discriminator", "'kind'")).strip("'")
        return [
            (
                tr("scheme.expected.tag", key=tag, values=_quoted(ctx.get("expected_tags", ""))),
                repr(ctx.get("tag", "")),
            )
        ]
    if kind == "union_tag_not_found":
        tag = str(ctx.get("discriminator", "'kind'")).strip("'")
        return [(tr("scheme.expected.tag_key", key=tag), None)]
    if kind in _NUMBER:
        return [(tr("scheme.expected.number"), found)]
    if kind in _KINDS:
        return [(tr(_KINDS[kind]), found)]
    if kind in _BOUNDS:
        name, message = _BOUNDS[kind]
        limit = ctx.get(name)
        shown = f"{limit:g}" if isinstance(limit, float) else str(limit)
        return [(tr(message, limit=shown), found)]
    if kind in _LENGTHS:
        name, message = _LENGTHS[kind]
        return [(tr(message, count=int(ctx.get(name, 0))), found)]
    return [(tr("scheme.expected.valid", kind=kind), found)]


def check_weights(
    weights: Sequence[float], names: Iterable[str], *, normalise: bool
) -> list[Message]:
    """Problems with a set of weights: negative, zero in total, or not adding to 1.

    >>> print(*(m.render("en") for m in check_weights([0.6, 0.6], ["a", "b"], normalise=False)))
    the weights add up to 1.2 (a 0.6 + b 0.6), expected 1 within 1e-09;
    set normalise_weights=true to rescale them
    """
    names = list(names)
    if not all(math.isfinite(w) for w in weights):
        listed = [f"{n} {w}" for n, w in zip(names, weights, strict=True)]
        return [tr("scheme.weights.not_finite", weights=listed)]
    problems = [
        tr("scheme.weights.negative", name=name, weight=f"{w:g}")
        for name, w in zip(names, weights, strict=True)
        if w < 0
    ]
    total = sum(weights)
    if problems:
        return problems
    if total <= 0:
        return [tr("scheme.weights.zero")]
    if not normalise and abs(total - 1) > WEIGHT_TOLERANCE:
        terms = " + ".join(f"{n} {w:g}" for n, w in zip(names, weights, strict=True))
        return [
            tr(
                "scheme.weights.not_one",
                total=f"{total:.10g}",
                terms=terms,
                tolerance=f"{WEIGHT_TOLERANCE:g}",
            )
        ]
    return []
