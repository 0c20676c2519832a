"""``fundalloc verify``: recompute an output from what it records and report any difference.

A JSON output or an XLSX workbook written by ``fundalloc allocate`` holds the scheme file's
text (and its format) and the input data. They are run again with this fundalloc, and every
number the output states is compared with the fresh run, each difference named by what and
where:

- JSON: the total, unit, step, method and residual; every region's amount (exactly, as
  recorded), formula target, and every item of its breakdown (stage, tranche, name and
  amount, exactly); a region missing from or added to any of them.
- XLSX: on the allocation sheet every region's formula target, amount and share and the
  total row's; on the calculation sheet every item of every region's breakdown and its
  amount row; on the factors sheet every tranche, factor, weight and rule. Amounts are
  compared exactly with what fundalloc writes (the amount as a binary64 number);
  targets, shares and weights, which are binary64 results, to a relative 1e-9.
- Both: the scheme SHA-256 against the recorded scheme text (so an edited scheme is seen
  even when the amounts were edited to match), and, when the scheme or data file still
  exists at the recorded path, its SHA-256 against the recorded one.

What cannot be checked: the recorded input data has no hash of its own (the data SHA-256
is of the data file, checked only while that file exists), so data and amounts edited
together are seen only against the original data file.

A damaged or malformed output (not JSON, the wrong shape at any level, ragged rows, deep
nesting, numbers fundalloc never writes) is a :class:`~fundalloc.errors.DataError` naming
the place, never a crash.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from fundalloc.errors import DataError, FundallocError, Problem
from fundalloc.io.outputs import (
    SHEET_NAMES,
    TITLE_ROWS,
    Lang,
    _detail_rows,
    _factor_rows,
    _plain,  # amounts as the outputs write them, to compare
    _rows,
    _total_share,
    labels_for,
    xlsx_unescape,
)
from fundalloc.io.schemefile import DataSource, SchemeFile, loads_scheme
from fundalloc.optional import require
from fundalloc.pipeline import allocate
from fundalloc.result import Allocation
from fundalloc.table import RegionTable

__all__ = ["verify"]

_PROVENANCE_KEYS = {  # the Chinese labels of Provenance.items("zh") to the English keys
    "方案文件": "scheme file",
    "方案 SHA-256": "scheme SHA-256",
    "数据文件": "data file",
    "数据 SHA-256": "data SHA-256",
}
#: The most uncompressed bytes read from a workbook (a fundalloc workbook of 10^5 regions
#: holds about 60 MB).
MAX_XLSX_BYTES = 1 << 30
_RELATIVE = 1e-9  # tolerance for binary64 results: targets, shares, weights
_AMOUNT = re.compile(r"-?[0-9]{1,40}(\.[0-9]{1,40})?")  # as fundalloc writes an amount


def verify(path: Path) -> list[str]:
    """The differences between ``path`` and a fresh run (empty when identical)."""
    if path.suffix.lower() == ".json":
        return _verify_json(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _verify_xlsx(path)
    raise DataError(
        Problem(
            str(path),
            "expected a .json or .xlsx output of fundalloc allocate",
            found=f"a {path.suffix or 'extensionless'} file",
        )
    )


def _damaged(path: Path | str, what: str, exc: BaseException | str) -> DataError:
    found = exc if isinstance(exc, str) else f"{type(exc).__name__}: {exc}"
    return DataError(Problem(str(path), f"not {what} output of fundalloc allocate", found=found))


class _Shape:
    """Typed access to a parsed document: a wrong type is a DataError naming its path."""

    def __init__(self, where: str) -> None:
        self.where = where

    def fail(self, path: str, expected: str, value: Any) -> DataError:
        return DataError(
            Problem(f"{self.where}: {path}", f"expected {expected}", found=_kind(value))
        )

    def get(
        self, parent: dict[str, Any], key: str, path: str, kind: type | tuple[type, ...]
    ) -> Any:
        if key not in parent:
            raise DataError(Problem(f"{self.where}: {path}", "missing", found="no such key"))
        return self.of(parent[key], path, kind)

    def of(self, value: Any, path: str, kind: type | tuple[type, ...]) -> Any:
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if isinstance(value, bool) and bool not in kinds:
            raise self.fail(path, _names(kinds), value)
        if not isinstance(value, kinds):
            raise self.fail(path, _names(kinds), value)
        return value

    def amount(self, value: Any, path: str) -> Decimal:
        if not isinstance(value, str) or not _AMOUNT.fullmatch(value):
            raise self.fail(path, 'an amount written as digits, like "279" or "12.5"', value)
        return Decimal(value)

    def number(self, value: Any, path: str) -> float:
        number = self.of(value, path, (int, float))
        try:
            as_float = float(number)
        except OverflowError:
            as_float = float("inf")
        if as_float != as_float or as_float in (float("inf"), float("-inf")):
            raise self.fail(path, "a finite number", value)
        return as_float


def _names(kinds: tuple[type, ...]) -> str:
    words = {
        str: "text",
        int: "a number",
        float: "a number",
        dict: "a table of keys",
        list: "a list",
        type(None): "nothing",
        bool: "true or false",
    }
    return " or ".join(dict.fromkeys(words.get(k, k.__name__) for k in kinds))


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, dict):
        return f"a table of {len(value)} keys"
    if isinstance(value, list):
        return f"a list of {len(value)} items"
    if value is None:
        return "null"
    text = repr(value)
    return f"{type(value).__name__} {text[:40]}{'…' if len(text) > 40 else ''}"


def _rerun(recorded: dict[str, Any], where: str) -> tuple[SchemeFile, Allocation]:
    scheme_file = loads_scheme(
        recorded["scheme"], format=recorded["format"], where=f"{where} (recorded scheme)"
    )
    source: DataSource = recorded["source"]
    columns, rows = recorded["columns"], recorded["rows"]
    data = {str(name): [row[j] for row in rows] for j, name in enumerate(columns)}
    try:
        table = RegionTable(
            data,
            id=source.id,
            kind=source.kind,
            parent=source.parent,
            source=f"{where} (recorded data)",
            rows=recorded.get("row_numbers"),
        )
        return scheme_file, allocate(table, scheme_file.scheme)
    except FundallocError:
        raise
    except (ArithmeticError, ValueError, TypeError, RecursionError) as exc:
        # a value of the recorded data that the table cannot take (a number beyond binary64)
        found = f"the recorded data: {type(exc).__name__}: {exc}"
        raise _damaged(where, "a readable", found) from None


def _scheme_hash(recorded_hash: str, text: str) -> list[str]:
    """The recorded scheme SHA-256 against the recorded scheme text (with or without a BOM)."""
    if not recorded_hash:
        return []
    raw = text.encode("utf-8", "surrogatepass")
    candidates = {
        hashlib.sha256(raw).hexdigest(),
        hashlib.sha256(b"\xef\xbb\xbf" + raw).hexdigest(),
    }
    if recorded_hash in candidates:
        return []
    return [
        f"scheme SHA-256: {recorded_hash[:12]}… in the output, but the recorded scheme text "
        f"has {hashlib.sha256(raw).hexdigest()[:12]}… (the scheme text or its hash was edited)"
    ]


def _file_changes(provenance: dict[str, str], folder: Path) -> list[str]:
    """The recorded files that have changed since. Paths are recorded relative to the
    scheme file (outputs of earlier versions: as given); a relative one is looked for beside
    the output, where the scheme file usually is, then from the working folder."""
    out = []
    for label, path_key, hash_key in (
        ("scheme", "scheme file", "scheme SHA-256"),
        ("data", "data file", "data SHA-256"),
    ):
        recorded_path, recorded_hash = provenance.get(path_key, ""), provenance.get(hash_key, "")
        try:
            candidates = [Path(recorded_path)] if recorded_path else []
            if candidates and not candidates[0].is_absolute():
                candidates.insert(0, folder / recorded_path)
            found = next((p for p in candidates if p.is_file()), None)
            now = hashlib.sha256(found.read_bytes()).hexdigest() if found else ""
        except (OSError, ValueError):  # unreadable, or a path no file can have
            continue
        if recorded_hash and now and now != recorded_hash:
            out.append(
                f"the {label} file {recorded_path} has changed since the output was made "
                f"(SHA-256 {recorded_hash[:12]}… then, {now[:12]}… now)"
            )
    return out


def _differ(where: str, what: str, then: object, now: object) -> str:
    return f"{where}: {what} {then} in the output, {now} now"


def _close(then: float, now: float) -> bool:
    return abs(then - now) <= _RELATIVE * max(1.0, abs(now))


def _g(value: float) -> str:
    return f"{value:.10g}"


# ------------------------------------------------------------------------------------- JSON
def _verify_json(path: Path) -> list[str]:
    where = str(path)
    try:
        doc = json.loads(path.read_bytes().decode("utf-8"))
    except RecursionError:
        raise _damaged(path, "a JSON", "nested too deeply") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:  # ValueError: JSONDecodeError,
        raise _damaged(path, "a JSON", exc) from None  # or an integer of over 4300 digits
    shape = _Shape(where)
    doc = shape.of(doc, "(top level)", dict)
    result = shape.get(doc, "result", "result", dict)
    data = shape.get(doc, "data", "data", dict)
    columns = shape.get(data, "columns", "data.columns", list)
    for j, name in enumerate(columns):
        shape.of(name, f"data.columns[{j + 1}]", str)
    rows = shape.get(data, "rows", "data.rows", list)
    for k, row in enumerate(rows):
        shape.of(row, f"data.rows[{k + 1}]", list)
        if len(row) != len(columns):
            raise DataError(
                Problem(
                    f"{where}: data.rows[{k + 1}]",
                    f"expected {len(columns)} cells like data.columns",
                    found=f"{len(row)} cells",
                )
            )
        for j, cell in enumerate(row):
            shape.of(cell, f"data.rows[{k + 1}][{j + 1}]", (str, int, float, bool, type(None)))
    row_numbers = data.get("row_numbers")
    if row_numbers is not None:
        shape.of(row_numbers, "data.row_numbers", list)
        if len(row_numbers) != len(rows):
            raise shape.fail("data.row_numbers", f"a list of {len(rows)} row numbers", row_numbers)
        for k, number in enumerate(row_numbers):
            shape.of(number, f"data.row_numbers[{k + 1}]", int)
    scheme_format = shape.of(doc.get("scheme_format", "toml"), "scheme_format", str)
    if scheme_format not in ("toml", "json"):
        raise shape.fail("scheme_format", '"toml" or "json"', scheme_format)
    try:
        source = DataSource.parse(shape.of(doc.get("data_source", {}), "data_source", dict))
    except FundallocError as exc:
        raise _damaged(path, "a JSON", f"data_source: {exc}") from None
    provenance = shape.of(doc.get("provenance", {}), "provenance", dict)
    for key, value in provenance.items():
        shape.of(value, f"provenance.{key}", str)
    scheme_text = shape.get(doc, "scheme", "scheme", str)
    header = {
        k: shape.get(result, k, f"result.{k}", str)
        for k in ("total", "unit", "step", "method", "unallocated")
    }
    amounts = {
        region: shape.amount(value, f"result.amounts.{region}")
        for region, value in shape.get(result, "amounts", "result.amounts", dict).items()
    }
    targets = {
        region: shape.number(value, f"result.targets.{region}")
        for region, value in shape.of(result.get("targets", {}), "result.targets", dict).items()
    }
    breakdown: dict[str, list[tuple[str, str, str, Decimal]]] = {}
    for region, items in shape.of(result.get("breakdown", {}), "result.breakdown", dict).items():
        shape.of(items, f"result.breakdown.{region}", list)
        parsed = []
        for k, item in enumerate(items):
            at = f"result.breakdown.{region}[{k + 1}]"
            shape.of(item, at, list)
            if len(item) != 4:
                raise shape.fail(at, "[stage, tranche, name, amount]", item)
            stage, tranche, name = (shape.of(v, at, str) for v in item[:3])
            parsed.append((stage, tranche, name, shape.amount(item[3], f"{at}[4]")))
        breakdown[region] = parsed

    recorded = {
        "scheme": scheme_text,
        "format": scheme_format,
        "source": source,
        "columns": columns,
        "rows": rows,
        "row_numbers": row_numbers,
    }
    _, fresh = _rerun(recorded, where)
    differences = _file_changes(provenance, path.parent)
    differences += _scheme_hash(provenance.get("scheme SHA-256", ""), scheme_text)
    scheme = fresh.scheme
    now = {
        "total": _plain(scheme.total),
        "unit": scheme.unit,
        "step": _plain(scheme.step),
        "method": scheme.method,
        "unallocated": _plain(fresh.unallocated),
    }
    differences += [
        f"{key}: {header[key]} in the output, {now[key]} now"
        for key in now
        if header[key] != now[key]
    ]
    differences += _by_region(amounts, fresh.amounts, "amount", _plain, lambda a, b: a == b)
    differences += _by_region(
        targets, fresh.targets, "target", _g, lambda a, b: _close(a, b), "targets"
    )
    differences += _json_breakdown(breakdown, fresh)
    return differences


def _by_region(
    recorded: dict[str, Any],
    fresh: dict[str, Any],
    what: str,
    show: Callable[[Any], str],
    same: Callable[[Any, Any], bool],
    among: str = "amounts",
) -> list[str]:
    out = []
    for region in sorted(set(recorded) | set(fresh)):
        if region not in fresh:
            out.append(f"{region}: only in the output's {among}")
        elif region not in recorded:
            out.append(f"{region}: missing from the output's {among}")
        elif not same(recorded[region], fresh[region]):
            out.append(_differ(region, what, show(recorded[region]), show(fresh[region])))
    return out


def _json_breakdown(
    breakdown: dict[str, list[tuple[str, str, str, Decimal]]], fresh: Allocation
) -> list[str]:
    out = []
    now = {
        region: [(i.stage, i.tranche, i.name, i.amount) for i in parts.items]
        for region, parts in fresh.breakdown.items()
    }
    for region in sorted(set(breakdown) | set(now)):
        if region not in now:
            out.append(f"{region}: a breakdown in the output for a region not in the allocation")
            continue
        if region not in breakdown:
            out.append(f"{region}: the breakdown is missing from the output")
            continue
        out += _items(region, breakdown[region], now[region], lambda k: f"item {k + 1}")
    return out


def _items(
    region: str,
    then: list[tuple[str, str, str, Decimal]],
    now: list[tuple[str, str, str, Decimal]],
    place: Callable[[int], str],
) -> list[str]:
    out = []
    if len(then) != len(now):
        out.append(f"{region}: the breakdown has {len(then)} items in the output, {len(now)} now")
    for k, (a, b) in enumerate(zip(then, now, strict=False)):
        where = f"{region}, breakdown {place(k)}"
        if a[:3] != b[:3]:
            then_name, now_name = " / ".join(a[:3]), " / ".join(b[:3])
            out.append(f"{where}: {then_name} in the output, {now_name} now")
        elif a[3] != b[3]:
            out.append(
                _differ(f"{where} ({' / '.join(a[:3])})", "amount", _plain(a[3]), _plain(b[3]))
            )
    return out


# ------------------------------------------------------------------------------------- XLSX
def _verify_xlsx(path: Path) -> list[str]:
    openpyxl = require("openpyxl", "excel")
    try:
        with zipfile.ZipFile(path) as archive:
            size = sum(info.file_size for info in archive.infolist())
        if size > MAX_XLSX_BYTES:
            raise _damaged(
                path, "an XLSX", f"{size:,} bytes uncompressed, above the {MAX_XLSX_BYTES:,} read"
            )
        # our own handle, closed whatever happens: openpyxl leaves its archive open when a
        # damaged workbook fails to load
        with path.open("rb") as handle:
            book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
            try:
                names = [sheet.title for sheet in book.worksheets]
                lang: Lang | None = (
                    "zh"
                    if names[:5] == SHEET_NAMES["zh"]
                    else "en"
                    if names[:5] == SHEET_NAMES["en"]
                    else None
                )
                if lang is None:
                    raise ValueError(
                        f"the sheets {', '.join(names)}; expected {', '.join(SHEET_NAMES['zh'])} "
                        f"or {', '.join(SHEET_NAMES['en'])}"
                    )
                widths = (4, 5, 4, None, 2)
                sheets = [_cells(book.worksheets[k], widths[k]) for k in range(5)]
            finally:
                book.close()
    except DataError:
        raise
    except Exception as exc:  # any damage to the workbook is the same problem for the user
        raise _damaged(path, "an XLSX", exc) from None
    results, detail, factors, inputs, source_rows = sheets
    where = str(path)
    try:
        start = next(k for k, row in enumerate(source_rows) if row and row[0] == "scheme")
    except StopIteration:
        raise _damaged(path, "an XLSX", f"no 'scheme' row on the sheet {names[4]}") from None
    fields = {str(row[0]): row[1] for row in source_rows[1:start] if row and row[0]}
    scheme_text = "\n".join("" if r[1] is None else str(r[1]) for r in source_rows[start + 1 :])
    recorded_hash = str(fields.get("方案 SHA-256", fields.get("scheme SHA-256", "")))
    if _scheme_hash(recorded_hash, scheme_text) and not _scheme_hash(
        recorded_hash, scheme_text + "\n"
    ):
        scheme_text += "\n"  # workbooks of earlier versions left out the last line break
    if not inputs or not inputs[0]:
        raise _damaged(path, "an XLSX", f"no header row on the sheet {names[3]}")
    columns = inputs[0]
    while columns and columns[-1] is None:
        columns = columns[:-1]
    if any(not isinstance(c, str) for c in columns):
        raise _damaged(path, "an XLSX", f"a header cell on the sheet {names[3]} is not text")
    try:
        source = DataSource.parse(json.loads(str(fields.get("data_source", "{}"))))
    except (ValueError, TypeError, RecursionError, FundallocError) as exc:
        raise _damaged(path, "an XLSX", f"data_source: {exc}") from None
    scheme_format = str(fields.get("scheme_format") or "toml")
    if scheme_format not in ("toml", "json"):
        raise _damaged(path, "an XLSX", f"scheme_format {scheme_format!r}")
    recorded = {
        "scheme": scheme_text,
        "format": scheme_format,
        "source": source,
        "columns": columns,
        "rows": [list(r[: len(columns)]) + [None] * (len(columns) - len(r)) for r in inputs[1:]],
    }
    provenance = {
        _PROVENANCE_KEYS.get(k, k): "" if v is None else str(v) for k, v in fields.items()
    }
    scheme_file, fresh = _rerun(recorded, where)
    labels = labels_for(lang, scheme_file.labels)
    differences = _file_changes(provenance, path.parent)
    differences += _scheme_hash(provenance.get("scheme SHA-256", ""), scheme_text)
    differences += _xlsx_results(results, fresh, labels, names[0])
    differences += _xlsx_detail(detail, fresh, lang, labels, names[1])
    differences += _xlsx_factors(factors, fresh, labels, names[2])
    return differences


def _header(rows: list[list[Any]], first: str) -> int:
    """The index of the header row: the first row whose first cell is ``first``, below the
    title rows (workbooks of earlier versions have it first, and no title rows)."""
    for k in range(min(len(rows), TITLE_ROWS + 1)):
        if rows[k] and rows[k][0] == first:
            return k
    return 0


def _cells(sheet: Any, width: int | None) -> list[list[Any]]:
    """The sheet's rows as values (text unescaped), read to the cells that exist."""
    sheet.reset_dimensions()  # never trust a declared <dimension>
    if width is None:
        header = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), ())
        width = max([k + 1 for k, v in enumerate(header) if v is not None] or [1])
    return [
        [xlsx_unescape(v) if isinstance(v, str) else v for v in row]
        for row in sheet.iter_rows(max_col=width, values_only=True)
    ]


def _ref(sheet: str, row: int, column: int) -> str:
    return f"{sheet}!{'ABCDEFGHIJ'[column]}{row + 1}"


def _number_cell(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return float(value)
    except OverflowError:  # an integer beyond binary64: no number fundalloc writes
        return math.inf if value > 0 else -math.inf


def _shown(value: Any) -> str:
    if isinstance(value, float):
        return (
            _plain(Decimal(repr(value)))
            if value == value and abs(value) != float("inf")
            else repr(value)
        )
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return (
        "an empty cell"
        if value is None
        else f"the text {value!r}"
        if isinstance(value, str)
        else repr(value)
    )


def _compare_cell(out: list[str], where: str, what: str, value: Any, now: Any, exact: bool) -> None:
    """Compare one cell: ``now`` is a Decimal amount (compared as the float fundalloc
    writes), a float (to a relative 1e-9) or text (exactly)."""
    if isinstance(now, str):
        if value != now:
            out.append(_differ(where, what, _shown(value), repr(now)))
        return
    number = _number_cell(value)
    expected = float(now)
    shown_now = _plain(now) if isinstance(now, Decimal) else _g(expected)
    if number is None:
        out.append(_differ(where, what, _shown(value), shown_now))
    elif (number != expected) if exact else not _close(number, expected):
        out.append(_differ(where, what, _shown(value) if exact else _g(number), shown_now))


def _xlsx_results(
    rows: list[list[Any]], fresh: Allocation, labels: dict[str, str], sheet: str
) -> list[str]:
    out: list[str] = []
    _, expected = _rows(fresh, labels)
    start = _header(rows, labels["region"])
    body = [(k, r) for k, r in enumerate(rows) if k > start and any(v is not None for v in r)]
    while body and not any(_number_cell(v) is not None for v in body[-1][1]):
        body.pop()  # the notes below the total row (rounding, a calculation sheet left out)
    if not body:
        return [f"{sheet}: no total row in the output"]
    *regions, (last, total_row) = body
    seen: dict[str, tuple[int, list[Any]]] = {}
    for k, row in regions:
        region = row[0]
        if not isinstance(region, str) or region in seen:
            out.append(
                f"{_ref(sheet, k, 0)}: a region id {_shown(region)} in the output, "
                f"{'twice' if region in seen else 'expected text'}"
            )
            continue
        seen[region] = (k, row + [None] * (4 - len(row)))
    for region, target, amount, share in expected:
        if region not in seen:
            out.append(f"{region}: missing from the sheet {sheet}")
            continue
        k, row = seen.pop(region)
        for column, what, now, exact in (
            (1, "target", target, False),
            (2, "amount", amount, True),
            (3, "share", share, False),
        ):
            _compare_cell(
                out, f"{region} ({_ref(sheet, k, column)})", what, row[column], now, exact
            )
    out += [
        f"{region} ({_ref(sheet, k, 0)}): only in the output" for region, (k, _) in seen.items()
    ]
    total_row = total_row + [None] * (4 - len(total_row))
    for column, what, now, exact in (
        (1, "target", float(sum(fresh.targets.values())), False),
        (2, "amount", sum(fresh.amounts.values(), Decimal(0)), True),
        (3, "share", _total_share(fresh), False),
    ):
        _compare_cell(
            out, f"the total row ({_ref(sheet, last, column)})", what, total_row[column], now, exact
        )
    return out


def _xlsx_detail(
    rows: list[list[Any]], fresh: Allocation, lang: Lang, labels: dict[str, str], sheet: str
) -> list[str]:
    out: list[str] = []
    _, expected = _detail_rows(fresh, lang, labels)
    stated: dict[str, list[tuple[int, list[Any]]]] = {}
    start = _header(rows, labels["region"])
    for k, row in enumerate(rows):
        if k <= start or not any(v is not None for v in row):
            continue
        stated.setdefault(str(row[0]), []).append((k, row + [None] * (5 - len(row))))
    wanted: dict[str, list[list[Any]]] = {}
    for row in expected:
        wanted.setdefault(row[0], []).append(row)
    for region in [r for r in stated if r not in wanted]:
        out.append(
            f"{region} ({_ref(sheet, stated[region][0][0], 0)}): a breakdown in the "
            "output for a region not in the allocation"
        )
    for region, now in wanted.items():
        then = stated.get(region)
        if then is None:
            out.append(f"{region}: the breakdown is missing from the sheet {sheet}")
            continue
        if len(then) != len(now):
            out.append(
                f"{region}: the breakdown on the sheet {sheet} has {len(then)} rows in the "
                f"output, {len(now)} now"
            )
        for (k, row), want in zip(then, now, strict=False):
            last = want is now[-1]
            name = " / ".join(str(v) for v in want[1:4] if v) if not last else labels["amount"]
            columns = (
                ((4, "amount"),)
                if last
                else ((1, "stage"), (2, "tranche"), (3, "item"), (4, "amount"))
            )
            for column, what in columns:
                _compare_cell(
                    out,
                    f"{region}, {name} ({_ref(sheet, k, column)})",
                    what,
                    row[column] if row[column] is not None or column == 4 else "",
                    want[column],
                    True,
                )
    return out


def _xlsx_factors(
    rows: list[list[Any]], fresh: Allocation, labels: dict[str, str], sheet: str
) -> list[str]:
    out: list[str] = []
    _, expected = _factor_rows(fresh.scheme, labels)
    start = _header(rows, labels["tranche"])
    stated = [
        (k, r + [None] * (4 - len(r)))
        for k, r in enumerate(rows)
        if k > start and any(v is not None for v in r)
    ]
    if len(stated) != len(expected):
        out.append(f"{sheet}: {len(stated)} rows of factors in the output, {len(expected)} now")
    for (k, row), want in zip(stated, expected, strict=False):
        name = f"{want[1]} in {want[0]}"
        for column, what in ((0, "tranche"), (1, "factor"), (2, "weight"), (3, "rule")):
            now = want[column]
            value = row[column] if row[column] is not None else ""
            if isinstance(now, float):
                _compare_cell(out, f"{name} ({_ref(sheet, k, column)})", what, value, now, False)
            else:
                _compare_cell(
                    out, f"{name} ({_ref(sheet, k, column)})", what, value, str(now), True
                )
    return out
