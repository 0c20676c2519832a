"""``fundalloc verify``: recompute an output from what it records and report any difference.

A JSON output or an XLSX workbook written by ``fundalloc allocate`` holds the scheme file's
text (and its format) and the input data. They are run again with this fundalloc, and every
number the output states is compared with the fresh run, each difference named by what and
where:

- JSON: the total, unit, step, method and residual; every region's amount (exactly, as
  recorded), formula target, and every item of its breakdown (stage, tranche, name and
  amount, exactly); a region missing from or added to any of them.
- XLSX: on the allocation sheet every region's formula target, amount and share and the
  total row's; on the breakdown sheet (测算明细, one row per region, one column per item)
  its header and every cell of every region's row; on the factors sheet every tranche,
  factor, weight and rule. Amounts are compared exactly with what fundalloc writes (the
  amount as a binary64 number); targets, shares and weights, which are binary64 results,
  to a relative 1e-9. The sheets are read with python-calamine (through
  :func:`fundalloc.io.xlsxfile.xlsx_grid`, which hands a sheet it cannot read as fast to
  openpyxl), so verifying takes time linear in the regions.
- Both: the scheme SHA-256 against the recorded scheme text (so an edited scheme is seen
  even when the amounts were edited to match), and, when the scheme or data file still
  exists at the recorded path, its SHA-256 against the recorded one.

What cannot be checked: the recorded input data has no hash of its own (the data SHA-256
is of the data file, checked only while that file exists), so data and amounts edited
together are seen only against the original data file.

Every difference and every error is a message of the catalogue
(:mod:`fundalloc.i18n.output`), in the current language.

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
from fundalloc.i18n import Lang, Message, text, tr, using
from fundalloc.io.outputs import (
    SHEET_NAMES,
    TITLE_ROWS,
    BreakdownTexts,
    Provenance,
    factor_rows,
    labels_for,
    total_share,
)
from fundalloc.io.schemefile import DataSource, SchemeFile, loads_scheme
from fundalloc.io.xlsxout import detail_columns, detail_header, xlsx_unescape
from fundalloc.optional import require
from fundalloc.pipeline import allocate
from fundalloc.result import Allocation, plain_decimal, plain_steps
from fundalloc.table import RegionTable

__all__ = ["verify"]

#: The provenance labels of every language to the English keys the JSON output uses.
_PROVENANCE_KEYS = {
    label: english
    for (label, _), (english, _) in zip(
        Provenance("", "", "", "", "", "", "").items("zh"),
        Provenance("", "", "", "", "", "", "").items("en"),
        strict=True,
    )
}
#: The most uncompressed bytes read from a workbook (a fundalloc workbook of 10^5 regions
#: holds about 60 MB).
MAX_XLSX_BYTES = 1 << 30
_RELATIVE = 1e-9  # tolerance for binary64 results: targets, shares, weights
_AMOUNT = re.compile(r"-?[0-9]{1,40}(\.[0-9]{1,40})?")  # as fundalloc writes an amount


def verify(path: Path) -> list[str]:
    """The differences between ``path`` and a fresh run (empty when identical), each in
    the current language."""
    if not path.is_file():
        found = tr("common.a_folder") if path.is_dir() else tr("common.nothing_there")
        raise DataError(Problem(str(path), tr("common.expected_a_file"), found=found))
    if path.suffix.lower() == ".json":
        return [str(m) for m in _verify_json(path)]
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return [str(m) for m in _verify_xlsx(path)]
    raise DataError(
        Problem(
            str(path),
            tr("output.verify.expected_output"),
            found=tr("output.verify.a_file", suffix=path.suffix)
            if path.suffix
            else tr("output.verify.extensionless"),
        )
    )


_WHAT = {
    "json": "output.verify.not_json",
    "xlsx": "output.verify.not_xlsx",
    "readable": "output.verify.not_readable",
}


def _damaged(path: Path | str, what: str, exc: BaseException | Message | str) -> DataError:
    found: Message | str
    if isinstance(exc, str | Message):
        found = exc
    elif isinstance(exc, json.JSONDecodeError):  # the parser's words are English: say where
        found = tr("common.json_syntax_at", line=exc.lineno, column=exc.colno)
    elif isinstance(exc, zipfile.BadZipFile):
        found = tr("common.not_a_zip")
    else:
        found = f"{type(exc).__name__}: {exc}"
    return DataError(Problem(str(path), tr(_WHAT[what]), found=found))


class _Shape:
    """Typed access to a parsed document: a wrong type is a DataError naming its path."""

    def __init__(self, where: str) -> None:
        self.where = where

    def fail(self, path: str, expected: Message | str, value: Any) -> DataError:
        return DataError(
            Problem(
                f"{self.where}: {path}",
                tr("output.verify.expected", what=expected),
                found=_kind(value),
            )
        )

    def get(
        self, parent: dict[str, Any], key: str, path: str, kind: type | tuple[type, ...]
    ) -> Any:
        if key not in parent:
            raise DataError(
                Problem(
                    f"{self.where}: {path}",
                    tr("output.verify.missing"),
                    found=tr("output.verify.no_such_key"),
                )
            )
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
            raise self.fail(path, tr("output.verify.an_amount"), value)
        return Decimal(value)

    def number(self, value: Any, path: str) -> float:
        number = self.of(value, path, (int, float))
        try:
            as_float = float(number)
        except OverflowError:
            as_float = float("inf")
        if as_float != as_float or as_float in (float("inf"), float("-inf")):
            raise self.fail(path, tr("output.verify.a_finite_number"), value)
        return as_float


_KIND_WORDS: dict[type, str] = {
    str: "output.verify.kind_text",
    int: "output.verify.kind_number",
    float: "output.verify.kind_number",
    dict: "output.verify.kind_table",
    list: "output.verify.kind_list",
    type(None): "output.verify.kind_nothing",
    bool: "output.verify.kind_boolean",
}


def _names(kinds: tuple[type, ...]) -> Message:
    words = list(dict.fromkeys(_KIND_WORDS[k] for k in kinds if k in _KIND_WORDS))
    out = tr(words[0])
    for word in words[1:]:
        out = tr("output.verify.or", first=out, second=tr(word))
    return out


def _kind(value: Any) -> Message:
    if isinstance(value, bool):
        return tr("output.verify.found_boolean", value=str(value).lower())
    if isinstance(value, dict):
        return tr("output.verify.found_table", count=len(value))
    if isinstance(value, list):
        return tr("output.verify.found_list", count=len(value))
    if value is None:
        return tr("output.verify.found_null")
    text = repr(value)
    shown = f"{type(value).__name__} {text[:40]}{'…' if len(text) > 40 else ''}"
    return tr("output.verify.found_value", value=shown)


def _rerun(recorded: dict[str, Any], where: str) -> tuple[SchemeFile, Allocation]:
    scheme_file = loads_scheme(
        recorded["scheme"],
        format=recorded["format"],
        where=text("output.verify.recorded_scheme", where=where),
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
            source=text("output.verify.recorded_data_place", where=where),
            rows=recorded.get("row_numbers"),
        )
        return scheme_file, allocate(table, scheme_file.scheme)
    except FundallocError:
        raise
    except (ArithmeticError, ValueError, TypeError, RecursionError) as exc:
        # a value of the recorded data that the table cannot take (a number beyond binary64)
        found = tr("output.verify.recorded_data", error=f"{type(exc).__name__}: {exc}")
        raise _damaged(where, "readable", found) from None


def _scheme_hash(recorded_hash: str, text: str) -> list[Message]:
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
        tr(
            "output.verify.scheme_hash",
            then=recorded_hash[:12],
            now=hashlib.sha256(raw).hexdigest()[:12],
        )
    ]


def _file_changes(provenance: dict[str, str], folder: Path) -> list[Message]:
    """The recorded files that have changed since. Paths are recorded relative to the
    scheme file (outputs of earlier versions: as given); a relative one is looked for beside
    the output, where the scheme file usually is, then from the working folder."""
    out = []
    for key, path_key, hash_key in (
        ("output.verify.scheme_changed", "scheme file", "scheme SHA-256"),
        ("output.verify.data_changed", "data file", "data SHA-256"),
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
            out.append(tr(key, path=recorded_path, then=recorded_hash[:12], now=now[:12]))
    return out


_WHAT_WORDS = {
    "amount": "output.verify.what_amount",
    "target": "output.verify.what_target",
    "share": "output.verify.what_share",
    "weight": "output.verify.what_weight",
    "tranche": "output.verify.what_tranche",
    "factor": "output.verify.what_factor",
    "rule": "output.verify.what_rule",
    "header": "output.verify.what_header",
    "bound": "output.verify.what_bound",
    "bound stage": "output.verify.what_bound_stage",
}


def _differ(where: str | Message, what: str, then: object, now: object) -> Message:
    return tr("output.verify.differs", where=where, what=tr(_WHAT_WORDS[what]), then=then, now=now)


def _close(then: float, now: float) -> bool:
    return abs(then - now) <= _RELATIVE * max(1.0, abs(now))


def _g(value: float) -> str:
    return f"{value:.10g}"


# ------------------------------------------------------------------------------------- JSON
def _is_cell(value: Any) -> bool:
    return value is None or value.__class__ in (str, int, float, bool)


def _verify_json(path: Path) -> list[Message]:
    where = str(path)
    try:
        doc = json.loads(path.read_bytes().decode("utf-8"))
    except RecursionError:
        raise _damaged(path, "json", tr("output.verify.nested")) from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:  # ValueError: JSONDecodeError,
        raise _damaged(path, "json", exc) from None  # or an integer of over 4300 digits
    shape = _Shape(where)
    doc = shape.of(doc, text("output.verify.top_level"), dict)
    result = shape.get(doc, "result", "result", dict)
    data = shape.get(doc, "data", "data", dict)
    columns = shape.get(data, "columns", "data.columns", list)
    for j, name in enumerate(columns):
        shape.of(name, f"data.columns[{j + 1}]", str)
    rows = shape.get(data, "rows", "data.rows", list)
    width = len(columns)
    for k, row in enumerate(rows):
        # one quick test per row; the careful one names the first bad cell
        if row.__class__ is list and len(row) == width and all(map(_is_cell, row)):
            continue
        shape.of(row, f"data.rows[{k + 1}]", list)
        if len(row) != width:
            raise DataError(
                Problem(
                    f"{where}: data.rows[{k + 1}]",
                    tr("output.verify.cells_like_columns", count=width),
                    found=tr("output.verify.cells", count=len(row)),
                )
            )
        for j, cell in enumerate(row):
            shape.of(cell, f"data.rows[{k + 1}][{j + 1}]", (str, int, float, bool, type(None)))
    row_numbers = data.get("row_numbers")
    if row_numbers is not None:
        shape.of(row_numbers, "data.row_numbers", list)
        if len(row_numbers) != len(rows):
            raise shape.fail(
                "data.row_numbers", tr("output.verify.row_numbers", count=len(rows)), row_numbers
            )
        for k, number in enumerate(row_numbers):
            shape.of(number, f"data.row_numbers[{k + 1}]", int)
    scheme_format = shape.of(doc.get("scheme_format", "toml"), "scheme_format", str)
    if scheme_format not in ("toml", "json"):
        raise shape.fail(
            "scheme_format", tr("output.verify.or", first='"toml"', second='"json"'), scheme_format
        )
    try:
        source = DataSource.parse(shape.of(doc.get("data_source", {}), "data_source", dict))
    except FundallocError as exc:
        raise _damaged(path, "json", f"data_source: {exc}") from None
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
    breakdown: dict[str, list[list[str]]] = {}
    for region, items in shape.of(result.get("breakdown", {}), "result.breakdown", dict).items():
        if items.__class__ is list and all(
            item.__class__ is list
            and len(item) == 4
            and all(v.__class__ is str for v in item)
            and _AMOUNT.fullmatch(item[3])
            for item in items
        ):
            breakdown[region] = items
            continue
        shape.of(items, f"result.breakdown.{region}", list)
        for k, item in enumerate(items):
            at = f"result.breakdown.{region}[{k + 1}]"
            shape.of(item, at, list)
            if len(item) != 4:
                raise shape.fail(at, "[stage, tranche, name, amount]", item)
            for v in item[:3]:
                shape.of(v, at, str)
            shape.amount(item[3], f"{at}[4]")
        breakdown[region] = items  # pragma: no cover - the careful checks raise first

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
        "total": plain_decimal(scheme.total),
        "unit": scheme.unit,
        "step": plain_decimal(scheme.step),
        "method": scheme.method,
        "unallocated": plain_decimal(fresh.unallocated),
    }
    differences += [
        tr("output.verify.header_differs", key=key, then=header[key], now=now[key])
        for key in now
        if header[key] != now[key]
    ]
    ids = fresh.ids
    fresh_amounts = dict(zip(ids, plain_steps(fresh.units, scheme.step), strict=True))
    differences += _by_region(
        amounts,
        fresh_amounts,
        "amount",
        plain_decimal,
        lambda a, b: a == Decimal(b),
        "output.verify.among_amounts",
    )
    differences += _by_region(
        targets,
        dict(zip(ids, fresh.target_values.tolist(), strict=True)),
        "target",
        _g,
        _close,
        "output.verify.among_targets",
    )
    with using("en"):  # the JSON names bounds in English (a machine record)
        differences += _json_breakdown(breakdown, fresh)
    return differences


def _by_region(
    recorded: dict[str, Any],
    fresh: dict[str, Any],
    what: str,
    show: Callable[[Any], str],
    same: Callable[[Any, Any], bool],
    among: str,
) -> list[Message]:
    out: list[Message] = []
    for region in sorted(set(recorded) | set(fresh)):
        if region not in fresh:
            out.append(tr("output.verify.only_in_output", region=region, among=tr(among)))
        elif region not in recorded:
            out.append(tr("output.verify.missing_from_output", region=region, among=tr(among)))
        elif not same(recorded[region], fresh[region]):
            then = show(recorded[region])
            now = fresh[region] if isinstance(fresh[region], str) else show(fresh[region])
            out.append(_differ(region, what, then, now))
    return out


def _json_breakdown(breakdown: dict[str, list[list[str]]], fresh: Allocation) -> list[Message]:
    out: list[Message] = []
    texts = BreakdownTexts(fresh)
    position = {region: i for i, region in enumerate(fresh.ids)}
    for region in sorted(set(breakdown) | set(position)):
        if region not in position:
            out.append(tr("output.verify.breakdown_not_a_region", region=region))
            continue
        if region not in breakdown:
            out.append(tr("output.verify.breakdown_missing", region=region))
            continue
        then_items = breakdown[region]
        if texts.same(position[region], then_items):
            continue
        now_items = texts.region(position[region])
        if len(then_items) != len(now_items):
            out.append(
                tr(
                    "output.verify.breakdown_length",
                    region=region,
                    then=len(then_items),
                    now=len(now_items),
                )
            )
        for k, (a, b) in enumerate(zip(then_items, now_items, strict=False)):
            where = tr("output.verify.breakdown_item", region=region, item=k + 1)
            if a[:3] != b[:3]:
                out.append(
                    tr(
                        "output.verify.item_differs",
                        where=where,
                        then=" / ".join(a[:3]),
                        now=" / ".join(b[:3]),
                    )
                )
            elif Decimal(a[3]) != Decimal(b[3]):
                named = tr("output.verify.named", where=where, name=" / ".join(a[:3]))
                out.append(_differ(named, "amount", plain_decimal(Decimal(a[3])), b[3]))
    return out


# ------------------------------------------------------------------------------------- XLSX
def _verify_xlsx(path: Path) -> list[Message]:
    try:
        with zipfile.ZipFile(path) as archive:
            size = sum(info.file_size for info in archive.infolist())
    except Exception as exc:  # any damage to the archive is the same problem for the user
        raise _damaged(path, "xlsx", exc) from None
    if size > MAX_XLSX_BYTES:
        raise _damaged(path, "xlsx", tr("output.verify.too_large", size=size, limit=MAX_XLSX_BYTES))
    names = _sheet_names(path)
    lang: Lang | None = (
        "zh" if names[:5] == SHEET_NAMES["zh"] else "en" if names[:5] == SHEET_NAMES["en"] else None
    )
    if lang is None:
        raise _damaged(
            path,
            "xlsx",
            tr(
                "output.verify.sheets",
                found=", ".join(names),
                zh=", ".join(SHEET_NAMES["zh"]),
                en=", ".join(SHEET_NAMES["en"]),
            ),
        )
    try:
        sheets = [_cells(path, name, k) for k, name in enumerate(names[:5])]
    except FundallocError:
        raise
    except (MemoryError, KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException as exc:  # any damage to the workbook (a panic inside calamine too)
        raise _damaged(path, "xlsx", exc) from None
    results, detail, factors, inputs, source_rows = sheets
    where = str(path)
    try:
        start = next(k for k, row in enumerate(source_rows) if row and row[0] == "scheme")
    except StopIteration:
        raise _damaged(path, "xlsx", tr("output.verify.no_scheme_row", sheet=names[4])) from None
    fields = {
        str(row[0]): row[1] if len(row) > 1 else None
        for row in source_rows[1:start]
        if row and row[0]
    }
    scheme_text = "\n".join(
        "" if len(r) < 2 or r[1] is None else str(r[1]) for r in source_rows[start + 1 :]
    )
    recorded_hash = str(fields.get("方案 SHA-256", fields.get("scheme SHA-256", "")))
    if _scheme_hash(recorded_hash, scheme_text) and not _scheme_hash(
        recorded_hash, scheme_text + "\n"
    ):
        scheme_text += "\n"  # workbooks of earlier versions left out the last line break
    if not inputs or not inputs[0]:
        raise _damaged(path, "xlsx", tr("output.verify.no_header_row", sheet=names[3]))
    columns = list(inputs[0])
    while columns and columns[-1] is None:  # pop: slicing made this quadratic in the width
        columns.pop()
    if any(not isinstance(c, str) for c in columns):
        raise _damaged(path, "xlsx", tr("output.verify.header_not_text", sheet=names[3]))
    try:
        source = DataSource.parse(json.loads(str(fields.get("data_source", "{}"))))
    except (ValueError, TypeError, RecursionError, FundallocError) as exc:
        raise _damaged(path, "xlsx", f"data_source: {exc}") from None
    scheme_format = str(fields.get("scheme_format") or "toml")
    if scheme_format not in ("toml", "json"):
        raise _damaged(path, "xlsx", f"scheme_format {scheme_format!r}")
    width = len(columns)
    recorded = {
        "scheme": scheme_text,
        "format": scheme_format,
        "source": source,
        "columns": columns,
        "rows": [
            r[:width] if len(r) >= width else r + [None] * (width - len(r)) for r in inputs[1:]
        ],
    }
    provenance = {
        _PROVENANCE_KEYS.get(k, k): "" if v is None else str(v) for k, v in fields.items()
    }
    scheme_file, fresh = _rerun(recorded, where)
    labels = labels_for(lang, scheme_file.labels)
    differences = _file_changes(provenance, path.parent)
    differences += _scheme_hash(provenance.get("scheme SHA-256", ""), scheme_text)
    with using(lang):  # rules and bounds described as the workbook describes them
        differences += _xlsx_results(results, fresh, labels, lang, names[0])
        differences += _xlsx_detail(detail, fresh, labels, lang, names[1])
        differences += _xlsx_factors(factors, fresh, labels, lang, names[2])
    return differences


def _sheet_names(path: Path) -> list[str]:
    """The workbook's sheet names, from its workbook part (no sheet is read)."""
    import xml.etree.ElementTree as ET

    try:
        with zipfile.ZipFile(path) as archive:
            root = ET.fromstring(archive.read("xl/workbook.xml"))
    except Exception as exc:  # any damage to the workbook is the same problem for the user
        raise _damaged(path, "xlsx", exc) from None
    return [
        str(element.get("name"))
        for element in root.iter()
        if element.tag.endswith("}sheet") or element.tag == "sheet"
    ]


_ROW_NUMBER = re.compile(rb'<row [^>]*?r="([0-9]+)"')
_CELL_REF = re.compile(rb'<c r="([A-Z]{1,3})([0-9]+)"')


def _cells(path: Path, sheet: str, index: int) -> list[list[Any]]:
    """The sheet's rows as values (text unescaped), row k of the list being row k + 1 of
    the sheet: blank as None, whole numbers as int.

    Read with python-calamine (it unescapes ``_xHHHH_`` itself) when the sheet's cells
    name no row or column far past those it holds (calamine would allocate the whole
    area), else with openpyxl (whose text is unescaped here). Rows of blank cells at the
    end, which calamine leaves out (on the provenance sheet they are lines of the scheme
    text), are added back up to the sheet's last row."""
    import importlib.util

    with zipfile.ZipFile(path) as archive:
        xml = archive.read(f"xl/worksheets/sheet{index + 1}.xml")
    rows_seen = _ROW_NUMBER.findall(xml)
    last_row = max((int(r) for r in rows_seen), default=0)
    letters = {m[0] for m in _CELL_REF.findall(xml[:65536])}
    wide = max((len(x) for x in letters), default=1) > 2
    compact = last_row <= 2 * len(rows_seen) + 64 and not wide
    if compact and importlib.util.find_spec("python_calamine") is not None:
        from python_calamine import CalamineWorkbook

        workbook = CalamineWorkbook.from_path(str(path))
        try:
            raw = workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        finally:
            workbook.close()
        if index < 2:  # the big sheets: numbers are compared as floats
            rows = [[None if v == "" else v for v in row] for row in raw]
        else:
            rows = [
                [
                    None
                    if v == ""
                    else int(v)
                    if v.__class__ is float and v.is_integer() and -(2**53) < v < 2**53
                    else v
                    for v in row
                ]
                for row in raw
            ]
        while len(rows) < last_row:  # rows of blank cells at the end (lines of the scheme)
            rows.append([])
        return rows
    openpyxl = require("openpyxl", "excel")
    with path.open("rb") as handle:
        book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        try:
            ws = book[sheet]
            ws.reset_dimensions()  # never trust a declared <dimension>
            return [
                [xlsx_unescape(v) if isinstance(v, str) else v for v in row]
                for row in ws.iter_rows(values_only=True)
            ]
        finally:
            book.close()


def _header(rows: list[list[Any]], first: str) -> int:
    """The index of the header row: the first row whose first cell is ``first``, below the
    title rows (workbooks of earlier versions have it first, and no title rows)."""
    for k in range(min(len(rows), TITLE_ROWS + 1)):
        if rows[k] and rows[k][0] == first:
            return k
    return 0


def _ref(sheet: str, row: int, column: int) -> str:
    letters = ""
    index = column + 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{sheet}!{letters}{row + 1}"


def _number_cell(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return float(value)
    except OverflowError:  # an integer beyond binary64: no number fundalloc writes
        return math.inf if value > 0 else -math.inf


def _shown(value: Any) -> str | Message:
    if isinstance(value, float):
        return (
            plain_decimal(Decimal(repr(value)))
            if value == value and abs(value) != float("inf")
            else repr(value)
        )
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if value is None:
        return tr("output.verify.empty_cell")
    if isinstance(value, str):
        return tr("output.verify.the_text", text=repr(value))
    return repr(value)


def _compare_cell(
    out: list[Message], where: str | Message, what: str, value: Any, now: Any, exact: bool
) -> None:
    """Compare one cell: ``now`` is a Decimal amount (compared as the float fundalloc
    writes), a float (to a relative 1e-9), text (exactly) or None (an empty cell)."""
    if now is None:
        if value is not None and value != "":
            out.append(_differ(where, what, _shown(value), tr("output.verify.empty_cell")))
        return
    if isinstance(now, str):
        if value != now:
            out.append(_differ(where, what, _shown(value), repr(now)))
        return
    number = _number_cell(value)
    expected = float(now)
    shown_now = plain_decimal(now) if isinstance(now, Decimal) else _g(expected)
    if number is None:
        out.append(_differ(where, what, _shown(value), shown_now))
    elif (number != expected) if exact else not _close(number, expected):
        out.append(_differ(where, what, _shown(value) if exact else _g(number), shown_now))


def _padded(row: list[Any], width: int) -> list[Any]:
    return row + [None] * (width - len(row)) if len(row) < width else row


def _xlsx_results(
    rows: list[list[Any]], fresh: Allocation, labels: dict[str, str], lang: Lang, sheet: str
) -> list[Message]:
    out: list[Message] = []
    start = _header(rows, labels["region"])
    body = [(k, r) for k, r in enumerate(rows) if k > start and any(v is not None for v in r)]
    while body and not any(_number_cell(v) is not None for v in body[-1][1]):
        body.pop()  # the notes below the total row (rounding, a calculation sheet left out)
    if not body:
        return [tr("output.verify.no_total_row", sheet=sheet)]
    *regions, (last, total_row) = body
    seen: dict[str, tuple[int, list[Any]]] = {}
    for k, row in regions:
        region = row[0]
        if not isinstance(region, str) or region in seen:
            key = "output.verify.id_twice" if region in seen else "output.verify.id_not_text"
            out.append(tr(key, ref=_ref(sheet, k, 0), id=_shown(region)))
            continue
        seen[region] = (k, _padded(row, 4))
    targets = fresh.target_values.tolist()
    amounts = fresh.amount_values.tolist()
    shares = fresh.share_values.tolist()
    step = fresh.scheme.step
    units = fresh.units
    for i, region in enumerate(fresh.ids):
        if region not in seen:
            out.append(tr("output.verify.missing_from_sheet", region=region, sheet=sheet))
            continue
        k, row = seen.pop(region)
        # the quick test: every cell as written; the careful comparison only when one is not
        if (
            row[1].__class__ in (int, float)
            and row[2].__class__ in (int, float)
            and row[3].__class__ in (int, float)
            and row[2] == amounts[i]
            and _close(row[1], targets[i])
            and _close(row[3], shares[i])
        ):
            continue
        for column, what, now, exact in (
            (1, "target", targets[i], False),
            (2, "amount", int(units[i]) * step, True),
            (3, "share", shares[i], False),
        ):
            where = tr("output.verify.at", name=region, ref=_ref(sheet, k, column))
            _compare_cell(out, where, what, row[column], now, exact)
    out += [
        tr("output.verify.only_in_sheet", region=region, ref=_ref(sheet, k, 0))
        for region, (k, _) in seen.items()
    ]
    total_row = _padded(total_row, 4)
    for column, what, now, exact in (
        (1, "target", float(sum(targets)), False),
        (2, "amount", fresh.allocated, True),
        (3, "share", total_share(fresh), False),
    ):
        where = tr("output.verify.total_row", ref=_ref(sheet, last, column))
        _compare_cell(out, where, what, total_row[column], now, exact)
    return out


def _xlsx_detail(
    rows: list[list[Any]], fresh: Allocation, labels: dict[str, str], lang: Lang, sheet: str
) -> list[Message]:
    """The breakdown sheet: its header, then each region's row cell by cell, then the
    total row's amount."""
    out: list[Message] = []
    header = detail_header(fresh, labels, lang)
    width = len(header)
    start = _header(rows, labels["region"])
    stated = _padded(list(rows[start]) if start < len(rows) else [], width)[:width]
    if stated != header:
        out.append(
            _differ(
                sheet,
                "header",
                " | ".join(str(v) for v in stated),
                " | ".join(header),
            )
        )
        return out
    seen: dict[str, tuple[int, list[Any]]] = {}
    last: tuple[int, list[Any]] | None = None
    for k in range(start + 1, len(rows)):
        row = rows[k]
        if not any(v is not None for v in row):
            continue
        region = row[0]
        if region == labels["total"]:
            last = (k, _padded(row, width))
            continue
        if not isinstance(region, str) or region in seen:
            key = "output.verify.id_twice" if region in seen else "output.verify.id_not_text"
            out.append(tr(key, ref=_ref(sheet, k, 0), id=_shown(region)))
            continue
        seen[region] = (k, _padded(row, width))
    columns, _ = detail_columns(fresh, lang)
    bound_kind = len(header) - 5
    for i, region in enumerate(fresh.ids):
        if region not in seen:
            out.append(tr("output.verify.missing_from_sheet", region=region, sheet=sheet))
            continue
        k, row = seen.pop(region)
        if all(row[j] == columns[j][i] for j in range(1, width)):
            continue  # the quick test: every cell exactly as written
        for j in range(1, width):
            now = columns[j][i]
            what = (
                "bound stage" if j == bound_kind else "bound" if j == bound_kind + 1 else "amount"
            )
            where = tr(
                "output.verify.in_column", name=region, column=header[j], ref=_ref(sheet, k, j)
            )
            _compare_cell(out, where, what, row[j], now, True)
    out += [
        tr("output.verify.only_in_sheet", region=region, ref=_ref(sheet, k, 0))
        for region, (k, _) in seen.items()
    ]
    if last is None:
        out.append(tr("output.verify.no_total_row", sheet=sheet))
    else:
        k, row = last
        where = tr("output.verify.total_row", ref=_ref(sheet, k, width - 1))
        _compare_cell(out, where, "amount", row[width - 1], fresh.allocated, True)
    return out


def _xlsx_factors(
    rows: list[list[Any]], fresh: Allocation, labels: dict[str, str], lang: Lang, sheet: str
) -> list[Message]:
    out: list[Message] = []
    _, expected = factor_rows(fresh.scheme, labels, lang)
    start = _header(rows, labels["tranche"])
    stated = [
        (k, _padded(r, 4))
        for k, r in enumerate(rows)
        if k > start and any(v is not None for v in r)
    ]
    if len(stated) != len(expected):
        out.append(
            tr("output.verify.factor_rows", sheet=sheet, then=len(stated), now=len(expected))
        )
    for (k, row), want in zip(stated, expected, strict=False):
        for column, what in ((0, "tranche"), (1, "factor"), (2, "weight"), (3, "rule")):
            now = want[column]
            value = row[column] if row[column] is not None else ""
            where = tr(
                "output.verify.factor_at",
                factor=want[1],
                tranche=want[0],
                ref=_ref(sheet, k, column),
            )
            if isinstance(now, float):
                _compare_cell(out, where, what, value, now, False)
            else:
                _compare_cell(out, where, what, value, str(now), True)
    return out
