"""``fundalloc verify``: recompute an output from what it records and report any difference.

A JSON output or an XLSX workbook written by ``fundalloc allocate`` holds the scheme file's
text and the input data. They are run again with this fundalloc and the amounts (and, for
JSON, every breakdown item) are compared. When the scheme or data file still exists at the
recorded path and its SHA-256 differs from the recorded one, that is reported too.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from fundalloc.errors import DataError, Problem
from fundalloc.io.schemefile import DataSource, loads_scheme
from fundalloc.optional import require
from fundalloc.pipeline import allocate
from fundalloc.result import Allocation
from fundalloc.table import RegionTable

__all__ = ["verify"]


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


def _rerun(
    scheme_text: str,
    source: DataSource,
    columns: list[str],
    rows: list[list[Any]],
    row_numbers: list[int] | None,
    where: str,
) -> Allocation:
    scheme_file = loads_scheme(scheme_text, where=f"{where} (recorded scheme)")
    data = {name: [row[j] for row in rows] for j, name in enumerate(columns)}
    table = RegionTable(
        data,
        id=source.id,
        kind=source.kind,
        parent=source.parent,
        source=f"{where} (recorded data)",
        rows=row_numbers,
    )
    return allocate(table, scheme_file.scheme)


def _file_changes(provenance: dict[str, str]) -> list[str]:
    out = []
    for label, path_key, hash_key in (
        ("scheme", "scheme file", "scheme SHA-256"),
        ("data", "data file", "data SHA-256"),
    ):
        recorded_path, recorded_hash = provenance.get(path_key, ""), provenance.get(hash_key, "")
        if recorded_path and recorded_hash and Path(recorded_path).is_file():
            now = hashlib.sha256(Path(recorded_path).read_bytes()).hexdigest()
            if now != recorded_hash:
                out.append(
                    f"the {label} file {recorded_path} has changed since the output was made "
                    f"(SHA-256 {recorded_hash[:12]}… then, {now[:12]}… now)"
                )
    return out


def _verify_json(path: Path) -> list[str]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        scheme_text, source = doc["scheme"], DataSource.parse(doc.get("data_source", {}))
        columns, rows = doc["data"]["columns"], doc["data"]["rows"]
        recorded = doc["result"]
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise DataError(
            Problem(
                str(path),
                "not a JSON output of fundalloc allocate",
                found=f"{type(exc).__name__}: {exc}",
            )
        ) from None
    fresh = _rerun(scheme_text, source, columns, rows, doc["data"].get("row_numbers"), str(path))
    differences = _file_changes(doc.get("provenance", {}))
    differences += _compare_amounts({k: Decimal(v) for k, v in recorded["amounts"].items()}, fresh)
    for region, items in recorded.get("breakdown", {}).items():
        now = fresh.breakdown.get(region)
        if now is None:
            continue
        then = [(s, t, n, Decimal(a)) for s, t, n, a in items]
        again = [(i.stage, i.tranche, i.name, i.amount) for i in now.items]
        if then != again:
            differences.append(f"{region}: the breakdown differs")
    return differences


def _verify_xlsx(path: Path) -> list[str]:
    openpyxl = require("openpyxl", "excel")
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        sheets = book.worksheets
        results = [list(r) for r in sheets[0].iter_rows(values_only=True)]
        inputs = [list(r) for r in sheets[3].iter_rows(values_only=True)]
        source_rows = [list(r) for r in sheets[4].iter_rows(values_only=True)]
        book.close()
    except Exception as exc:
        raise DataError(
            Problem(
                str(path),
                "not an XLSX output of fundalloc allocate",
                found=f"{type(exc).__name__}: {exc}",
            )
        ) from None
    try:
        start = next(k for k, row in enumerate(source_rows) if row[0] == "scheme")
        data_row = next(row for row in source_rows if row[0] == "data_source")
    except StopIteration:
        raise DataError(Problem(str(path), "the provenance sheet has no recorded scheme")) from None
    scheme_text = (
        "\n".join("" if row[1] is None else str(row[1]) for row in source_rows[start + 1 :]) + "\n"
    )
    provenance = {str(k): str(v) for k, v, *_ in source_rows[1:start] if k}
    names = {
        "方案文件": "scheme file",
        "方案 SHA-256": "scheme SHA-256",
        "数据文件": "data file",
        "数据 SHA-256": "data SHA-256",
    }
    provenance = {names.get(k, k): v for k, v in provenance.items()}
    source = DataSource.parse(json.loads(str(data_row[1])))
    fresh = _rerun(scheme_text, source, [str(c) for c in inputs[0]], inputs[1:], None, str(path))
    recorded = {str(row[0]): row[2] for row in results[1:-1]}
    step = fresh.scheme.step
    amounts = {
        region: (Decimal(repr(value)) / step).quantize(Decimal(1)) * step
        for region, value in recorded.items()
        if isinstance(value, int | float)
    }
    return _file_changes(provenance) + _compare_amounts(amounts, fresh)


def _compare_amounts(recorded: dict[str, Decimal], fresh: Allocation) -> list[str]:
    out = []
    for region in sorted(set(recorded) | set(fresh.amounts)):
        then, now = recorded.get(region), fresh.amounts.get(region)
        if then is None or now is None:
            out.append(
                f"{region}: {'only in the output' if now is None else 'missing from the output'}"
            )
        elif then != now:
            out.append(f"{region}: {then} in the output, {now} now")
    return out
