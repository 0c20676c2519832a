"""The base of every specification value: frozen, strict, and failing with SchemeError.

Specs (factor rules, tranches, bounds, schemes) are immutable pydantic models:
equal specs compare equal, hash alike and serialise the same way; ``replace``
returns a changed copy. Invalid settings raise :class:`~fundalloc.errors.SchemeError`
listing every problem with its key path, never pydantic's own error type.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Self

from pydantic import BaseModel, ConfigDict, ValidationError

from fundalloc.errors import Problem, SchemeError

__all__ = ["Spec", "check_weights"]

WEIGHT_TOLERANCE = 1e-9


if TYPE_CHECKING:
    from pydantic._internal._model_construction import ModelMetaclass
else:
    ModelMetaclass = type(BaseModel)  # the public way to reach pydantic's metaclass


class _SpecMeta(ModelMetaclass):
    """Turns pydantic's errors into :class:`SchemeError` when a spec is called directly.

    Only direct calls (``Floor(amount=-1)``) pass through here; pydantic's own nested
    validation does not, so a nested problem is reported once, at the top, with its path.
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
        except ValidationError as exc:
            raise SchemeError(problems_from(exc, where or cls.__name__)) from None

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


def problems_from(exc: ValidationError, root: str) -> list[Problem]:
    """Turn pydantic's errors into our problems, each with its key path."""
    problems = []
    for error in exc.errors(include_url=False):
        path = ".".join(str(part) for part in (root, *error["loc"]) if part != "")
        message = error["msg"].removeprefix("Value error, ")
        found = None
        if error["type"] not in {"value_error", "missing"} and "input" in error:
            found = _short(error["input"])
        problems.append(Problem(path, message, found=found))
    return problems


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def check_weights(weights: Sequence[float], names: Iterable[str], *, normalise: bool) -> list[str]:
    """Problems with a set of weights: negative, zero in total, or not adding to 1.

    >>> print(*check_weights([0.6, 0.6], ["a", "b"], normalise=False))
    the weights add up to 1.2 (a 0.6 + b 0.6), expected 1 within 1e-09;
    set normalise_weights=true to rescale them
    """
    names = list(names)
    if not all(math.isfinite(w) for w in weights):
        listed = ", ".join(f"{n} {w}" for n, w in zip(names, weights, strict=True))
        return [f"every weight must be a finite number; found {listed}"]
    problems = [
        f"the weight of {name!r} is negative ({w:g})"
        for name, w in zip(names, weights, strict=True)
        if w < 0
    ]
    total = sum(weights)
    if problems:
        return problems
    if total <= 0:
        return ["the weights add up to 0; at least one must be positive"]
    if not normalise and abs(total - 1) > WEIGHT_TOLERANCE:
        terms = " + ".join(f"{n} {w:g}" for n, w in zip(names, weights, strict=True))
        return [
            f"the weights add up to {total:.10g} ({terms}), expected 1 within "
            f"{WEIGHT_TOLERANCE:g}; set normalise_weights=true to rescale them"
        ]
    return []
