"""Derived columns from safe expressions: ``max(标准支出 - 标准收入, 0)``, ``贫困人口 / 农村人口``.

An expression is parsed with :mod:`ast` and checked against a whitelist before anything is
evaluated; it is never passed to ``eval`` or ``exec``. Allowed:

- numbers, and column names (Chinese included); a name that is not a Python identifier
  goes in backticks: ```人均GDP(元)` / 10000``. Python reads names NFKC-normalised (the
  full-width ``ｐｏｏｒ`` as ``poor``), so a name that normalisation would change is
  rejected: it goes in backticks, where it is taken exactly as written;
- ``+ - * / // % **``, unary ``-`` and ``+``, comparisons ``< <= > >= == !=`` (a chained
  comparison is allowed), ``and``, ``or``, ``not``;
- the functions ``min(a, b, ...)``, ``max(a, b, ...)``, ``abs(x)``, ``log(x)``,
  ``sqrt(x)``, ``clip(x, lo, hi)`` and ``where(condition, a, b)``.

Everything else — attribute access, subscripts, lambdas, comprehensions, strings, any
other call, dunder names — is rejected with a message that names the construct and its
position (the character of the expression as written, counting from 1). Evaluation is
vectorised over the regions in binary64; a comparison counts as 1 or 0 in arithmetic. A
result that is not a finite number in some row (a division by zero, the log of a negative
number) is an error naming the rows.

A column may share its name with a function: in ``min(min, x)`` the first ``min`` is the
function, the second the column.

Examples
--------
>>> from fundalloc import RegionTable
>>> t = RegionTable.from_columns({"id": ["a", "b"], "支出": [10, 5], "收入": [4, 8]}, id="id")
>>> Expression.parse("max(支出 - 收入, 0)").evaluate(t)
array([6., 0.])
>>> try:
...     Expression.parse("__import__('os')")
... except ExpressionError as error:
...     print(error.render("en"))
expression "__import__('os')", at character 1: the name '__import__' is not
allowed (dunder names are never allowed)
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from fundalloc.errors import DataError, Problem, SchemeError
from fundalloc.i18n import Message, tr
from fundalloc.types import FloatArray

__all__ = ["FUNCTIONS", "Expression", "ExpressionError"]

MAX_LENGTH = 2000


class ExpressionError(SchemeError):
    """An expression is not allowed or not valid; the message names the construct."""


def _error(where: Message, message: Message) -> ExpressionError:
    return ExpressionError(Problem(where, message))


def _clip(x: Any, lo: Any, hi: Any) -> Any:
    return np.minimum(np.maximum(x, lo), hi)


def _where(condition: Any, a: Any, b: Any) -> Any:
    return np.where(np.asarray(condition) != 0, a, b)


def _fold(function: Callable[[Any, Any], Any]) -> Callable[..., Any]:
    def folded(*args: Any) -> Any:
        out = args[0]
        for arg in args[1:]:
            out = function(out, arg)
        return out

    return folded


#: The functions an expression may call, with (fewest, most) arguments.
FUNCTIONS: dict[str, tuple[Callable[..., Any], int, int | None]] = {
    "min": (_fold(np.minimum), 2, None),
    "max": (_fold(np.maximum), 2, None),
    "abs": (np.abs, 1, 1),
    "log": (np.log, 1, 1),
    "sqrt": (np.sqrt, 1, 1),
    "clip": (_clip, 3, 3),
    "where": (_where, 3, 3),
}

_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: np.add,
    ast.Sub: np.subtract,
    ast.Mult: np.multiply,
    ast.Div: np.true_divide,
    ast.FloorDiv: np.floor_divide,
    ast.Mod: np.mod,
    ast.Pow: np.power,
}
_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Lt: np.less,
    ast.LtE: np.less_equal,
    ast.Gt: np.greater,
    ast.GtE: np.greater_equal,
    ast.Eq: np.equal,
    ast.NotEq: np.not_equal,
}

#: What a rejected construct is called in messages.
_NAMES: dict[type[ast.AST], str] = {
    ast.Attribute: "scheme.construct.attribute",
    ast.Subscript: "scheme.construct.subscript",
    ast.Lambda: "scheme.construct.lambda",
    ast.ListComp: "scheme.construct.comprehension",
    ast.SetComp: "scheme.construct.comprehension",
    ast.DictComp: "scheme.construct.comprehension",
    ast.GeneratorExp: "scheme.construct.comprehension",
    ast.List: "scheme.construct.list",
    ast.Tuple: "scheme.construct.tuple",
    ast.Dict: "scheme.construct.dict",
    ast.Set: "scheme.construct.set",
    ast.Starred: "scheme.construct.starred",
    ast.IfExp: "scheme.construct.conditional",
    ast.NamedExpr: "scheme.construct.assignment",
    ast.JoinedStr: "scheme.construct.fstring",
    ast.Await: "scheme.construct.await",
    ast.Yield: "scheme.construct.yield",
    ast.YieldFrom: "scheme.construct.yield",
    ast.Slice: "scheme.construct.slice",
}


def _construct(node_type: type[ast.AST]) -> Message:
    """What a construct is called, in the message's language."""
    key = _NAMES.get(node_type)
    return tr(key) if key else tr("scheme.construct.other", name=node_type.__name__)


_BACKTICKS = re.compile(r"`([^`]*)`")


@dataclass(frozen=True)
class _Source:
    """The text Python parses, and the way back from its positions to the text as written.

    Each backtick name becomes a placeholder identifier (padded with spaces, so that it
    stays one token) made from a prefix that occurs nowhere in the written text, so a
    placeholder can never be taken for a name the user wrote.
    """

    text: str  # as written
    body: str  # backticks replaced, stripped: what ast parses
    origin: tuple[int, ...]  # per character of body (and one past its end): index in text
    starts: tuple[int, ...]  # where each line of body starts

    @classmethod
    def of(cls, text: str) -> tuple[_Source, dict[str, str]]:
        """The source of ``text`` and its placeholders (placeholder -> column name)."""
        prefix = "_q"
        while prefix in text:
            prefix += "q"
        names: dict[str, str] = {}
        parts: list[str] = []
        origin: list[int] = []
        done = 0
        for match in _BACKTICKS.finditer(text):
            parts.append(text[done : match.start()])
            origin += range(done, match.start())
            key = f" {prefix}{len(names)} "
            names[key.strip()] = match.group(1)
            parts.append(key)
            origin += [match.start()] * len(key)
            done = match.end()
        parts.append(text[done:])
        origin += [*range(done, len(text)), len(text)]
        source = "".join(parts)
        lead = len(source) - len(source.lstrip())
        body = source.strip()
        starts = (0, *(m.end() for m in re.finditer(r"\r\n|\r|\n", body)))
        return cls(text, body, tuple(origin[lead : lead + len(body) + 1]), starts), names

    def character(self, line: int, column: int) -> int:
        """The 1-based character of the written text at ``column`` (characters) of ``line``."""
        line = min(max(line, 1), len(self.starts))
        index = min(max(self.starts[line - 1] + column, 0), len(self.origin) - 1)
        return self.origin[index] + 1

    def line(self, number: int) -> str:
        end = self.starts[number] if number < len(self.starts) else len(self.body)
        return self.body[self.starts[number - 1] : end]

    def at(self, node: ast.AST) -> int:
        """The 1-based character of the written text where ``node`` starts."""
        line = getattr(node, "lineno", 1)
        byte = getattr(node, "col_offset", 0)  # ast counts UTF-8 bytes
        column = len(self.line(line).encode()[:byte].decode(errors="ignore"))
        return self.character(line, column)

    def written(self, node: ast.Name) -> str:
        """The name as it stands in the source, before Python normalised it (NFKC)."""
        if node.end_lineno != node.lineno or node.end_col_offset is None:
            return node.id  # a name is on one line; nothing to compare otherwise
        raw = self.line(node.lineno).encode()[node.col_offset : node.end_col_offset]
        return raw.decode(errors="replace")


@dataclass(frozen=True)
class Expression:
    """A parsed, checked expression over the region table's columns.

    Use :meth:`parse`; the expression text is kept for messages and round trips.
    """

    text: str
    tree: ast.Expression
    names: dict[str, str]  # placeholder identifier -> column name (backticks)

    @classmethod
    def parse(cls, text: str) -> Expression:
        """Parse and check ``text``; raise :class:`ExpressionError` if anything is not allowed."""
        if not isinstance(text, str):
            raise ExpressionError(
                Problem("", tr("scheme.expression.not_text"), found=type(text).__name__)
            )
        if len(text) > MAX_LENGTH:
            raise ExpressionError(
                Problem(
                    "",
                    tr("scheme.expression.too_long", limit=MAX_LENGTH),
                    found=tr("scheme.expression.characters", count=len(text)),
                )
            )
        source, names = _Source.of(text)
        try:
            tree = ast.parse(source.body, mode="eval")
        except SyntaxError as exc:
            where = (
                tr(
                    "scheme.place.expression_at",
                    text=text,
                    character=source.character(exc.lineno or 1, exc.offset - 1),
                )
                if exc.offset
                else tr("scheme.place.expression", text=text)
            )
            raise _error(where, tr("scheme.expression.syntax", detail=exc.msg)) from None
        except (RecursionError, MemoryError, ValueError) as exc:
            raise _error(
                tr("scheme.place.expression", text=text),
                tr("scheme.expression.unparsable", reason=str(exc)),
            ) from None
        try:
            nodes = list(ast.walk(tree))
            # dunder names first: they are the most telling problem an expression can have
            nodes.sort(
                key=lambda node: not (isinstance(node, ast.Name) and node.id.startswith("__"))
            )
            for node in nodes:
                _check(node, source, names)
        except RecursionError:
            raise _error(
                tr("scheme.place.expression", text=text), tr("scheme.expression.too_deep")
            ) from None
        return cls(text, tree, names)

    def columns(self) -> tuple[str, ...]:
        """The column names the expression reads, in order of appearance, once each."""
        called = {id(node.func) for node in ast.walk(self.tree) if isinstance(node, ast.Call)}
        found = sorted(
            (node.lineno, node.col_offset, node.id)
            for node in ast.walk(self.tree)
            if isinstance(node, ast.Name) and id(node) not in called  # min(...) vs a column min
        )
        return tuple(dict.fromkeys(self.names.get(name, name) for *_, name in found))

    def evaluate(self, data: Any) -> FloatArray:
        """The expression's value per region of ``data`` (a :class:`~fundalloc.RegionTable`).

        Raises
        ------
        DataError
            If a column it reads is missing or not numeric, or the result is not a finite
            number in some rows (named).
        """
        problems = [p for column in self.columns() for p in data.check(column)]
        if problems:
            raise DataError(problems)
        n = len(data)
        try:
            with np.errstate(all="ignore"):
                value = self._eval(self.tree.body, data)
                out = np.broadcast_to(np.asarray(value, dtype=np.float64), (n,)).copy()
        except RecursionError:
            raise _error(
                tr("scheme.place.expression", text=self.text), tr("scheme.expression.too_deep")
            ) from None
        except (OverflowError, ValueError, TypeError) as exc:
            raise _error(
                tr("scheme.place.expression", text=self.text),
                tr("scheme.expression.unevaluable", reason=str(exc)),
            ) from None
        bad = np.flatnonzero(~np.isfinite(out))
        if bad.size:
            ids = data.ids
            raise DataError(
                Problem(
                    tr("scheme.place.expression", text=self.text),
                    tr("scheme.expression.finite"),
                    found=", ".join(f"{ids[i]} {out[i]}" for i in bad[:10]),
                    hint=tr("scheme.expression.finite_hint"),
                )
            )
        return out

    def _eval(self, node: ast.AST, data: Any) -> Any:
        if isinstance(node, ast.Constant):
            return np.float64(node.value)  # type: ignore[arg-type]  # numbers only, see _check
        if isinstance(node, ast.Name):
            return data.numeric(self.names.get(node.id, node.id))
        if isinstance(node, ast.BinOp):
            left = _number(self._eval(node.left, data))
            right = _number(self._eval(node.right, data))
            return _BINARY[type(node.op)](left, right)
        if isinstance(node, ast.UnaryOp):
            operand = self._eval(node.operand, data)
            if isinstance(node.op, ast.Not):
                return np.logical_not(operand)
            return -_number(operand) if isinstance(node.op, ast.USub) else _number(operand)
        if isinstance(node, ast.Compare):
            result: Any = True
            left = self._eval(node.left, data)
            for op, right_node in zip(node.ops, node.comparators, strict=True):
                right = self._eval(right_node, data)
                result = np.logical_and(result, _COMPARE[type(op)](left, right))
                left = right
            return result
        if isinstance(node, ast.BoolOp):
            values = [np.asarray(self._eval(v, data)) != 0 for v in node.values]
            combine = np.logical_and if isinstance(node.op, ast.And) else np.logical_or
            return _fold(combine)(*values)
        assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        function = FUNCTIONS[node.func.id][0]
        return function(*(_number(self._eval(a, data)) for a in node.args))


def _number(value: Any) -> Any:
    """Booleans (comparisons) count as 1 and 0 in arithmetic."""
    array = np.asarray(value)
    return array.astype(np.float64) if array.dtype == bool else value


def _check(node: ast.AST, source: _Source, names: dict[str, str]) -> None:
    where = tr("scheme.place.expression_at", text=source.text, character=source.at(node))
    if isinstance(
        node, ast.Expression | ast.Load | ast.And | ast.Or | ast.Not | ast.USub | ast.UAdd
    ):
        return
    if isinstance(node, ast.BinOp) and type(node.op) not in _BINARY:
        raise _error(where, tr("scheme.expression.operator", name=type(node.op).__name__))
    if isinstance(node, ast.Compare):
        for op in node.ops:
            if type(op) not in _COMPARE:
                raise _error(where, tr("scheme.expression.operator", name=type(op).__name__))
    if isinstance(node, ast.BinOp | ast.UnaryOp | ast.BoolOp | ast.Compare):
        return
    if isinstance(node, ast.operator | ast.cmpop):
        return
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise _error(where, tr("scheme.expression.constant", value=repr(node.value)))
        return
    if isinstance(node, ast.Name):
        written = source.written(node)
        if written != node.id:  # Python reads names NFKC-normalised: ｐｏｏｒ is poor
            raise _error(where, tr("scheme.expression.normalised", written=written, read=node.id))
        if node.id.startswith("__") or node.id.endswith("__"):
            raise _error(where, tr("scheme.expression.dunder", name=node.id))
        return  # a column, or a function checked with its call
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Name) and node.func.id.startswith("__"):
            raise _error(where, tr("scheme.expression.dunder", name=node.func.id))
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            called: Message | str = (
                (f"`{names[node.func.id]}`" if node.func.id in names else node.func.id)
                if isinstance(node.func, ast.Name)
                else (
                    _construct(type(node.func))
                    if type(node.func) in _NAMES
                    else tr("scheme.construct.expression")
                )
            )
            shown = repr(called) if isinstance(called, str) else called
            raise _error(
                where, tr("scheme.expression.call", called=shown, functions=list(FUNCTIONS))
            )
        if node.keywords:
            raise _error(where, tr("scheme.expression.keywords", function=node.func.id))
        _, fewest, most = FUNCTIONS[node.func.id]
        count = len(node.args)
        if count < fewest or (most is not None and count > most):
            expected = (
                tr("scheme.expression.exactly", count=fewest)
                if fewest == most
                else tr("scheme.expression.at_least", count=fewest)
            )
            raise _error(
                where,
                tr(
                    "scheme.expression.arguments",
                    function=node.func.id,
                    expected=expected,
                    count=count,
                ),
            )
        return
    raise _error(where, tr("scheme.expression.not_allowed", construct=_construct(type(node))))
