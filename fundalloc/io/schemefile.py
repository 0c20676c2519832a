"""Scheme files: TOML (primary) and JSON, loaded into the same validated :class:`Scheme`.

A scheme file holds the scheme's own keys (see :class:`fundalloc.Scheme`) at the top
level, plus:

- ``schema_version = 1`` (required), so that later versions of the format can be told apart;
- an optional ``[data]`` table naming the data file (relative to the scheme's folder),
  its id column and, for spreadsheets, the sheet;
- an optional ``[labels]`` table with the column headers to use in outputs.

A file larger than :data:`MAX_SCHEME_CHARACTERS` or nested deeper than
:data:`MAX_SCHEME_DEPTH` (tables, arrays and dotted keys together) is refused before it is
parsed, so that reading a scheme, or ``verify`` reading the scheme inside someone else's
output, takes bounded time and memory.

Every problem in a file is reported at once, each with its key path
(``tranches[1].factors[2].weight``), the line where the key stands when it can be
found, and a hint ("did you mean 'weight'?"). Dumping leaves out defaults and keeps
what a reader needs (the ``kind`` of each rule and bound); loading a dump gives an
equal scheme.

Examples
--------
>>> text = '''
... schema_version = 1
... total = 100
... [[tranches]]
... name = "因素"
... share = 1
... factors = [{name = "人口", weight = 1, rule = {kind = "share", column = "人口"}}]
... '''
>>> loaded = loads_scheme(text)
>>> loaded.scheme.total
Decimal('100')
>>> loads_scheme(dump_scheme(loaded.scheme)).scheme == loaded.scheme
True
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import re
import tomllib
import types
import typing
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import tomli_w
from pydantic import BaseModel, Field, ValidationError

from fundalloc.bounds import BOUNDS
from fundalloc.errors import Problem, SchemeError
from fundalloc.factors import RULES
from fundalloc.i18n import Message, tr
from fundalloc.scheme import Scheme
from fundalloc.spec import TAGS, Spec, _short, explain_error, key_path

__all__ = [
    "SCHEMA_VERSION",
    "DataSource",
    "SchemeFile",
    "dump_scheme",
    "json_schema",
    "load_scheme",
    "loads_scheme",
    "read_data_source",
]

#: The version of the scheme-file format this fundalloc reads and writes.
SCHEMA_VERSION = 1

Format = Literal["toml", "json"]
_TAGS = TAGS
#: The model of each ``kind`` tag a location may hold.
_MODELS: dict[str, type[BaseModel]] = {k: v for k, v in (*RULES.items(), *BOUNDS.items())}


class DataSource(Spec):
    """Where a scheme's data lives: the ``[data]`` table of a scheme file.

    Parameters
    ----------
    path : str, optional
        The data file, relative to the scheme file's folder (CSV or XLSX).
    id : str, default "地区"
        The id column.
    kind, parent : str, optional
        The kind and parent columns.
    sheet : str or int, optional
        For XLSX: the sheet's name or its position from 1 (default: the first).
    encoding : str, optional
        For CSV: the encoding (default: detected).
    """

    path: str | None = None
    id: str = "地区"
    kind: str | None = None
    parent: str | None = None
    sheet: str | int | None = None
    encoding: str | None = None


@dataclass(frozen=True)
class SchemeFile:
    """A loaded scheme file: the scheme, its data source, labels and provenance."""

    scheme: Scheme
    data: DataSource = field(default_factory=DataSource)
    labels: dict[str, str] = field(default_factory=dict)
    path: Path | None = None
    sha256: str = ""
    #: The file's text as read (line ends kept, a byte-order mark left out): what outputs
    #: record, so that its SHA-256 can be checked against :attr:`sha256`.
    text: str = ""

    def data_path(self) -> Path | None:
        """The data file named by the scheme, resolved against the scheme's folder."""
        if self.data.path is None:
            return None
        folder = self.path.parent if self.path is not None else Path.cwd()
        return (folder / self.data.path).resolve()


class _Labels(BaseModel):
    labels: dict[str, str] = Field(default_factory=dict)


# ---------------------------------------------------------------------------------- loading
def load_scheme(path: str | Path) -> SchemeFile:
    """Read and validate a scheme file (``.toml`` or ``.json``).

    Raises
    ------
    SchemeError
        Listing every problem, each with its key path, line and hint.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SchemeError(
            Problem(str(path), tr("scheme.file.unreadable"), found=_said(exc.strerror))
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SchemeError(
            Problem(str(path), tr("scheme.file.not_utf8"), found=tr("scheme.file.undecodable"))
        ) from None
    kind: Format = "json" if path.suffix.lower() == ".json" else "toml"
    loaded = loads_scheme(text, format=kind, where=str(path))
    return SchemeFile(
        loaded.scheme,
        loaded.data,
        loaded.labels,
        path.resolve(),
        hashlib.sha256(raw).hexdigest(),
        text,
    )


def read_data_source(path: str | Path) -> DataSource | None:
    """The ``[data]`` table of a scheme file, even when the rest of the file is invalid; None
    when the file cannot be read or parsed or the table itself is invalid. (``validate``
    uses it to check the data of a scheme that has problems of its own.)"""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
        document = _parse(text, "json" if path.suffix.lower() == ".json" else "toml", str(path))
        return DataSource.parse(document.get("data", {}))
    except (OSError, UnicodeDecodeError, SchemeError):
        return None


def loads_scheme(text: str, *, format: Format = "toml", where: str = "scheme") -> SchemeFile:
    """Validate a scheme from the text of a TOML or JSON file."""
    document = _parse(text, format, where)
    problems: list[Problem] = []
    version = document.pop("schema_version", None)
    if version is None:
        problems.append(
            Problem(
                where,
                tr("scheme.file.version_missing", version=SCHEMA_VERSION),
                found=tr("scheme.file.no_version"),
            )
        )
    elif type(version) is not int or version != SCHEMA_VERSION:  # true and 1.0 equal 1
        problems.append(
            Problem(
                tr("scheme.place.key", where=where, path="schema_version"),
                tr("scheme.file.version_expected", version=SCHEMA_VERSION),
                found=_version_found(version),
                hint=(
                    tr("scheme.file.version_reads", version=SCHEMA_VERSION)
                    if isinstance(version, int) and not isinstance(version, bool)
                    else tr("scheme.file.version_whole", version=SCHEMA_VERSION)
                ),
            )
        )
    data_raw = document.pop("data", {})
    labels_raw = document.pop("labels", {})
    data = _validate(DataSource, data_raw, ("data",), text, where, problems)
    labels = _validate(_Labels, {"labels": labels_raw}, (), text, where, problems)
    scheme = _validate(Scheme, document, (), text, where, problems)
    if problems:
        raise SchemeError(problems)
    assert (
        isinstance(scheme, Scheme) and isinstance(data, DataSource) and isinstance(labels, _Labels)
    )
    return SchemeFile(
        scheme,
        data,
        dict(labels.labels),
        None,
        hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(),
        text,
    )


def _version_found(version: Any) -> Message | str:
    if isinstance(version, bool):
        return tr("scheme.file.found_boolean", value=str(version).lower())
    if isinstance(version, float | Decimal):
        return tr("scheme.file.found_decimal", value=str(version))
    return _short(version)


#: The largest scheme file read, in characters: a scheme holds rules, not the regions' data,
#: and tomllib reads about a megabyte a second.
MAX_SCHEME_CHARACTERS = 1_000_000
#: The deepest nesting of tables, arrays and dotted keys a scheme file may have. tomllib's
#: time grows with the square of a dotted key's length (30 000 parts take 21 s) and
#: nesting deeper than Python's recursion limit crashes the parsers, so both are counted
#: before parsing.
MAX_SCHEME_DEPTH = 64

# the tokens that matter for nesting, with strings and comments taken whole so that what
# they hold does not count (an over-approximation of TOML's and JSON's grammars is enough)
_NESTING = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"{3,5}|\'\'\'.*?\'{3,5}|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'|#[^\n]*|[\[\]{}=,.\n]',
    re.DOTALL,
)


def _guard(text: str, format: Format, where: str) -> None:
    """Refuse a text too large or too deeply nested to parse in bounded time and memory.

    The depth counted is that of the document the text makes: each open table or array
    adds one level plus the dotted parts of the key it is the value of, and in TOML the
    parts of the last ``[table.header]`` add to every key below it.
    """
    if len(text) > MAX_SCHEME_CHARACTERS:
        raise SchemeError(
            Problem(
                where,
                tr("scheme.file.too_large", limit=MAX_SCHEME_CHARACTERS),
                found=f"{len(text):,}",
                hint=tr("scheme.file.too_large_hint"),
            )
        )
    opened: list[int] = []  # the levels each open bracket added
    depth = 0  # their sum
    header = 0  # the levels of the current [table.header]
    key = dots = 0  # the dotted parts of the key whose value this is; dots since then
    in_header = False
    line_start = True
    for token in _NESTING.finditer(text):
        mark = token.group()
        if mark in "[{":
            if format == "toml" and line_start and mark == "[" and not opened:
                in_header, header = True, 0
            opened.append(1 + key + dots)
            depth += opened[-1]
            key = dots = 0
        elif mark in "]}":
            if opened:
                depth -= opened.pop()
            if in_header and not opened:
                in_header, header = False, 1 + dots
            if not in_header:  # [[a.b]]: the header's dots count at its last bracket
                key = dots = 0
        elif mark == "=":
            key, dots = dots, 0
        elif mark in ",\n":
            key = dots = 0
        elif mark == ".":
            dots += 1
        line_start = mark == "\n" or (line_start and mark[0] == "#")
        level = depth + key + dots + (0 if in_header else header)
        if level > MAX_SCHEME_DEPTH:
            line = text.count("\n", 0, token.start()) + 1
            raise _too_deep(where, tr("scheme.file.levels", limit=MAX_SCHEME_DEPTH, line=line))


def _parse(text: str, format: Format, where: str) -> dict[str, Any]:
    _guard(text, format, where)
    try:
        if format == "json":
            document = json.loads(text, parse_float=Decimal)
        else:
            document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        line = re.search(r"\(at line (\d+), column (\d+)\)", message)
        place = tr("scheme.place.line", where=where, line=int(line.group(1))) if line else where
        raise SchemeError(
            Problem(
                place,
                tr("scheme.file.not_toml"),
                found=_said(message.split(" (at line")[0]),
                hint=_toml_hint(text, line),
            )
        ) from None
    except json.JSONDecodeError as exc:
        raise SchemeError(
            Problem(
                tr("scheme.place.line", where=where, line=exc.lineno),
                tr("scheme.file.not_json"),
                found=_said(exc.msg),
            )
        ) from None
    except RecursionError:
        raise _too_deep(where) from None
    if not isinstance(document, dict):
        raise SchemeError(
            Problem(where, tr("scheme.file.top_table"), found=_said(type(document).__name__))
        )
    surrogates = _lone_surrogates(document, (), where) if format == "json" else []
    if surrogates:
        raise SchemeError(surrogates)
    return document


def _said(words: object) -> Message:
    """What Python or a parser said, quoted as it is (its words are English)."""
    return tr("scheme.file.said", words=str(words))


def _too_deep(where: str, found: Message | None = None) -> SchemeError:
    return SchemeError(
        Problem(
            where,
            tr("scheme.file.too_deep"),
            found=found,
            hint=tr("scheme.file.too_deep_hint"),
        )
    )


def _lone_surrogates(value: Any, loc: tuple[Any, ...], where: str) -> list[Problem]:
    """JSON's ``\\ud800`` escapes give strings that no file or workbook can hold."""
    if isinstance(value, str):
        bad = _SURROGATE.search(value)
        if bad is None:
            return []
        return [
            Problem(
                tr("scheme.place.key", where=where, path=_key_path(loc)),
                tr("scheme.expected.text"),
                found=tr("scheme.file.surrogate", code=f"\\u{ord(bad.group()):04x}"),
                hint=tr("scheme.file.surrogate_hint"),
            )
        ]
    if isinstance(value, dict):
        out = [p for k in value if isinstance(k, str) for p in _lone_surrogates(k, loc, where)]
        for key, item in value.items():
            out += _lone_surrogates(item, (*loc, key), where)
        return out
    if isinstance(value, list):
        return [p for k, item in enumerate(value) for p in _lone_surrogates(item, (*loc, k), where)]
    return []


_SURROGATE = re.compile("[\ud800-\udfff]")


def _toml_hint(text: str, line: re.Match[str] | None) -> Message | None:
    """A hint for the commonest TOML slip in Chinese schemes: a bare key that is not ASCII."""
    lines = text.splitlines()
    if line is None or int(line.group(1)) > len(lines):
        return None
    bare = re.match(r"""\s*([^\s"'=\[]+)\s*=""", lines[int(line.group(1)) - 1])
    if bare and not bare.group(1).isascii():
        return tr("scheme.file.quote_key", key=bare.group(1))
    return None


def _validate(
    model: type[BaseModel],
    data: Any,
    prefix: tuple[Any, ...],
    text: str,
    where: str,
    problems: list[Problem],
) -> BaseModel | None:
    try:
        # pydantic's own validator: its errors carry the locations turned into key paths here
        return model.__pydantic_validator__.validate_python(data)  # type: ignore[no-any-return]
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        nested = {e["loc"][:k] for e in errors for k in range(len(e["loc"]))}
        for error in errors:
            if error["type"] == "too_short" and error["loc"] in nested:
                continue  # its items failed and are reported themselves
            loc = (*prefix, *error["loc"])
            path = _key_path(loc)
            # a missing key stands on no line; another key of that name would mislead
            line = None if error["type"] == "missing" else _line_of(text, loc)
            place = (
                tr("scheme.place.line_key", where=where, line=line, path=path)
                if line
                else tr("scheme.place.key", where=where, path=path)
            )
            hint = None
            if error["type"] == "extra_forbidden":
                hint = _did_you_mean(model, loc[len(prefix) :])
            for message, found in explain_error(error):
                problems.append(Problem(place, message, found=found, hint=hint))
        return None


def _key_path(loc: tuple[Any, ...]) -> str | Message:
    """A location as a user reads it (:func:`fundalloc.spec.key_path`), or the words for
    the top level."""
    return key_path(loc) or tr("scheme.place.top")


def _line_of(text: str, loc: tuple[Any, ...]) -> int | None:
    """The line of the last key of ``loc`` when it stands on exactly one line of the file."""
    keys = [p for p in loc if isinstance(p, str) and p not in _TAGS]
    if not keys:
        return None
    pattern = re.compile(
        rf'^\s*"?{re.escape(keys[-1])}"?\s*[=:]|[{{,]\s*"?{re.escape(keys[-1])}"?\s*[=:]'
    )
    lines = [n for n, line in enumerate(text.splitlines(), start=1) if pattern.search(line)]
    return lines[0] if len(lines) == 1 else None


def _did_you_mean(model: type[BaseModel], loc: tuple[Any, ...]) -> Message | None:
    fields = _fields_at(model, loc[:-1])
    if not fields:
        return None
    close = difflib.get_close_matches(str(loc[-1]), fields, n=1, cutoff=0.5)
    if close:
        return tr("scheme.key.did_you_mean", name=close[0])
    return tr("scheme.key.allowed", names=sorted(fields))


def _fields_at(model: type[BaseModel] | None, loc: tuple[Any, ...]) -> list[str]:
    """The keys allowed at ``loc`` below ``model``, following field annotations and tags."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if (
            isinstance(part, str)
            and part in _TAGS
            and not (
                isinstance(current, type)
                and issubclass(current, BaseModel)
                and part in current.model_fields
            )
        ):
            current = _MODELS.get(part)
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return []
        info = current.model_fields.get(str(part))
        if info is None:
            return []
        current = _model_in(info.annotation)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [name for name in current.model_fields if name != "kind"]
    return []


def _model_in(annotation: Any) -> Any:
    """The model type inside ``tuple[X, ...]``, ``X | None``, ``Annotated[...]``; a union of
    several models (a discriminated union) gives None: the tag that follows picks one."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _model_in(typing.get_args(annotation)[0])
    if origin in (tuple, list):
        return _model_in(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        models = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _model_in(models[0]) if len(models) == 1 else None
    return annotation


def json_schema() -> dict[str, Any]:
    """The JSON schema of a scheme file: the scheme's keys, ``schema_version``, ``[data]``
    and ``[labels]``; every closed set of names (a rounding method, a rule's ``kind``, a
    comparison) is listed as its allowed values, for editors and other tools.

    >>> schema = json_schema()
    >>> schema["properties"]["rounding"]["enum"][:3]
    ['largest_remainder', 'jefferson', 'webster']
    """
    schema = Scheme.model_json_schema()
    data = DataSource.model_json_schema()
    schema["title"] = "fundalloc scheme file"
    schema["properties"] = {
        "schema_version": {"const": SCHEMA_VERSION, "type": "integer"},
        **schema["properties"],
        "data": {k: v for k, v in data.items() if k != "title"},
        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
    }
    schema["required"] = ["schema_version", *schema.get("required", [])]
    return schema


# ---------------------------------------------------------------------------------- dumping
def plain(spec: BaseModel) -> dict[str, Any]:
    """The spec as plain data, defaults left out (``kind`` kept: a reader needs it)."""
    out: dict[str, Any] = {}
    for name, info in type(spec).model_fields.items():
        value = getattr(spec, name)
        tag = typing.get_origin(info.annotation) is Literal and name == "kind"
        if (
            not tag
            and not info.is_required()
            and value == info.get_default(call_default_factory=True)
        ):
            continue
        # derived columns are ordered (name, expression) pairs, written as a table
        out[name] = dict(value) if name == "derived" else _plain_value(value)
    if "kind" in out:
        out = {"kind": out.pop("kind"), **out}
    return out


def _plain_value(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return plain(value)
    if isinstance(value, tuple | list):
        return [_plain_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain_value(v) for k, v in value.items()}
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            return int(value)
        as_float = float(value)
        return as_float if Decimal(repr(as_float)) == value else str(value)
    return value


def dump_scheme(
    scheme: Scheme,
    *,
    data: DataSource | None = None,
    labels: dict[str, str] | None = None,
    format: Format = "toml",
) -> str:
    """The text of a scheme file for ``scheme``: minimal, and loading it gives an equal scheme."""
    document: dict[str, Any] = {"schema_version": SCHEMA_VERSION, **plain(scheme)}
    if data is not None and plain(data):
        document["data"] = plain(data)
    if labels:
        document["labels"] = dict(labels)
    if format == "json":
        return json.dumps(document, ensure_ascii=False, indent=2, default=_json_date) + "\n"
    return tomli_w.dumps(document)


def _json_date(value: Any) -> str:
    """A date in a JSON scheme file: ISO text (``"2026-12-03"``), which loading reads back."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
