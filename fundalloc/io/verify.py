"""``fundalloc verify``: recompute an output from what it records and report any difference.

A JSON output or an XLSX workbook written by ``fundalloc allocate`` holds the scheme file's
text (and its format) and the input data. They are run again with this fundalloc, and
everything the output states is compared exactly with the fresh run: every amount (as
recorded, not rounded first), the total row, the formula targets and shares, and for JSON
the total, unit, step, method, residual and every breakdown item. When the scheme or data
file still exists at the recorded path and its SHA-256 differs from the recorded one, that
is reported too. A damaged output is a :class:`~fundalloc.errors.DataError`, never a crash.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from fundalloc.errors import DataError, Problem
from fundalloc.io.outputs import _plain  # amounts as the outputs write them, to compare
from fundalloc.io.schemefile import DataSource, loads_scheme
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


def _damaged(path: Path, what: str, exc: BaseException | str) -> DataError:
    found = exc if isinstance(exc, str) else f"{type(exc).__name__}: {exc}"
    return DataError(Problem(str(path), f"not {what} output of fundalloc allocate", found=found))


def _rerun(recorded: dict[str, Any], where: str) -> Allocation:
    scheme_file = loads_scheme(
        recorded["scheme"], format=recorded["format"], where=f"{where} (recorded scheme)"
    )
    source: DataSource = recorded["source"]
    columns, rows = recorded["columns"], recorded["rows"]
    data = {str(name): [row[j] for row in rows] for j, name in enumerate(columns)}
    table = RegionTable(
        data,
        id=source.id,
        kind=source.kind,
        parent=source.parent,
        source=f"{where} (recorded data)",
        rows=recorded.get("row_numbers"),
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


# ------------------------------------------------------------------------------------- JSON
def _verify_json(path: Path) -> list[str]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        result = doc["result"]
        recorded = {
            "scheme": doc["scheme"],
            "format": doc.get("scheme_format", "toml"),
            "source": DataSource.parse(doc.get("data_source", {})),
            "columns": doc["data"]["columns"],
            "rows": doc["data"]["rows"],
            "row_numbers": doc["data"].get("row_numbers"),
        }
        amounts = {str(k): Decimal(str(v)) for k, v in result["amounts"].items()}
        header = {k: str(result[k]) for k in ("total", "unit", "step", "method", "unallocated")}
        breakdown = {
            str(region): [(str(s), str(t), str(n), Decimal(str(a))) for s, t, n, a in items]
            for region, items in result.get("breakdown", {}).items()
        }
        targets = {str(k): float(v) for k, v in result.get("targets", {}).items()}
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, InvalidOperation) as exc:
        raise _damaged(path, "a JSON", exc) from None
    fresh = _rerun(recorded, str(path))
    differences = _file_changes(doc.get("provenance", {}))
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
    differences += _compare(amounts, fresh.amounts, "amount")
    differences += _compare_floats(targets, fresh.targets, "target")
    for region, items in breakdown.items():
        parts = fresh.breakdown.get(region)
        if parts is not None and items != [
            (i.stage, i.tranche, i.name, i.amount) for i in parts.items
        ]:
            differences.append(f"{region}: the breakdown differs")
    return differences


# ------------------------------------------------------------------------------------- XLSX
def _verify_xlsx(path: Path) -> list[str]:
    openpyxl = require("openpyxl", "excel")
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            sheets = book.worksheets
            results = [list(r) for r in sheets[0].iter_rows(values_only=True)]
            inputs = [list(r) for r in sheets[3].iter_rows(values_only=True)]
            source_rows = [list(r) for r in sheets[4].iter_rows(values_only=True)]
        finally:
            book.close()
        start = next(k for k, row in enumerate(source_rows) if row and row[0] == "scheme")
        fields = {str(row[0]): row[1] for row in source_rows[1:start] if row and row[0]}
        recorded = {
            "scheme": "\n".join("" if r[1] is None else str(r[1]) for r in source_rows[start + 1 :])
            + "\n",
            "format": str(fields.get("scheme_format") or "toml"),
            "source": DataSource.parse(json.loads(str(fields["data_source"]))),
            "columns": [str(c) for c in inputs[0]],
            "rows": inputs[1:],
        }
        *body, total_row = results[1:]
        amounts = {str(r[0]): _exact(r[2]) for r in body}
        targets = {str(r[0]): float(r[1]) for r in body}
        shares = {str(r[0]): float(r[3]) for r in body}
        stated_total = _exact(total_row[2])
        stated_share = float(total_row[3])
    except Exception as exc:  # any damage to the workbook is the same problem for the user
        raise _damaged(path, "an XLSX", exc) from None
    provenance = {_PROVENANCE_KEYS.get(k, k): str(v) for k, v in fields.items()}
    fresh = _rerun(recorded, str(path))
    differences = _file_changes(provenance)
    differences += _compare(amounts, fresh.amounts, "amount")
    differences += _compare_floats(targets, fresh.targets, "target")
    total = fresh.scheme.total
    differences += _compare_floats(
        shares, {k: float(v / total) for k, v in fresh.amounts.items()}, "share"
    )
    allocated = sum(fresh.amounts.values(), Decimal(0))
    if stated_total != allocated:
        differences.append(f"the total row: {stated_total} in the output, {allocated} now")
    differences += _compare_floats(
        {"the total row": stated_share}, {"the total row": float(allocated / total)}, "share"
    )
    return differences


def _exact(value: Any) -> Decimal:
    """A recorded number exactly as written (a float cell by its shortest repr)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise TypeError(f"expected a number, found {value!r}")
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def _compare(recorded: dict[str, Decimal], fresh: dict[str, Decimal], what: str) -> list[str]:
    out = []
    for region in sorted(set(recorded) | set(fresh)):
        then, now = recorded.get(region), fresh.get(region)
        if then is None or now is None:
            out.append(
                f"{region}: {'only in the output' if now is None else 'missing from the output'}"
            )
        elif then != now:
            out.append(f"{region}: {what} {_plain(then)} in the output, {_plain(now)} now")
    return out


def _compare_floats(recorded: dict[str, float], fresh: dict[str, float], what: str) -> list[str]:
    return [
        f"{region}: {what} {value:.10g} in the output, {fresh[region]:.10g} now"
        for region, value in recorded.items()
        if region in fresh and abs(value - fresh[region]) > 1e-9 * max(1.0, abs(fresh[region]))
    ]
