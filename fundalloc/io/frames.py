"""An allocation as records, a CSV of records, and Arrow, pandas and polars tables.

The tables are numeric and cheap: built from the allocation's columns (no per-region
Decimal), with amounts as binary64 and as whole steps (int64); the exact amount as a
decimal column only when asked for (``exact=True``). Column names are in the chosen
language (:mod:`fundalloc.i18n`). The records and their CSV keep exact Decimal amounts.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from fundalloc.i18n import Lang, tr
from fundalloc.optional import require
from fundalloc.result import BOUND_STAGES, plain_steps, stage_name

if TYPE_CHECKING:
    from fundalloc.result import Allocation

__all__ = ["columns", "records", "records_csv", "to_arrow", "to_pandas", "to_polars"]


def _key(stage: str, tranche: str, name: str) -> str:
    return f"{stage}:{tranche}/{name}" if tranche else stage


def _record_columns(result: Allocation, detail: bool) -> dict[str, list[Any]]:
    """The records' values by key, in the order the keys first appear, as Decimal."""
    id_name = result.table.id_column
    out: dict[str, list[Any]] = {
        id_name: list(result.ids),
        "amount": list(result.amounts.values()),
    }
    if not detail:
        return out
    parts = result.breakdown_columns
    d = parts.decimal
    out["target"] = [d(v) for v in parts.target().tolist()]
    for item in parts.items:
        key = _key(item.stage, item.tranche, item.name)
        values = [d(v) for v in item.quanta.tolist()]
        if key in out:
            out[key] = [a + b for a, b in zip(out[key], values, strict=True)]
        else:
            out[key] = values
    # the bound item's key appears where its first region is; rounding after the first's
    codes = parts.bound_stage
    first = {
        c: int(np.argmax(codes == c)) for c in range(1, len(BOUND_STAGES)) if (codes == c).any()
    }
    bound = parts.bound.tolist()
    for c in sorted(first, key=lambda c: (first[c] > 0, first[c])):
        if first[c] > 0 and "rounding" not in out:
            out["rounding"] = [d(v) for v in parts.rounding.tolist()]
        mask = (codes == c).tolist()
        out[BOUND_STAGES[c]] = [d(v) if m else None for v, m in zip(bound, mask, strict=True)]
    if "rounding" not in out:
        out["rounding"] = [d(v) for v in parts.rounding.tolist()]
    return out


def records(result: Allocation, *, detail: bool = False) -> list[dict[str, Any]]:
    """One mapping per region in table order: id and amount, and with ``detail`` the target
    and every breakdown item (see :meth:`fundalloc.result.Allocation.to_records`)."""
    values = _record_columns(result, detail)
    keys = list(values)
    if not detail:
        return [dict(zip(keys, row, strict=True)) for row in zip(*values.values(), strict=True)]
    bound_keys = [k for k in keys if k in BOUND_STAGES[1:]]
    first = [k for k in keys if k not in bound_keys and k != "rounding"]
    columns = [values[k] for k in first]
    bounds = [values[k] for k in bound_keys]
    rounding = values["rounding"]
    out = []
    for i, row in enumerate(zip(*columns, strict=True)):
        record = dict(zip(first, row, strict=True))
        for key, column in zip(bound_keys, bounds, strict=True):
            if column[i] is not None:
                record[key] = column[i]
        record["rounding"] = rounding[i]
        out.append(record)
    return out


def records_csv(result: Allocation, *, detail: bool = False) -> bytes:
    """The records as CSV in UTF-8 with a byte-order mark; an item a region does not have
    is 0."""
    parts = result.breakdown_columns if detail else None
    header = [result.table.id_column, "amount"]
    cells: list[list[str]] = [list(result.ids), plain_steps(result.units, result.scheme.step)]
    if parts is not None:
        values = _record_columns(result, detail)
        for key, column in list(values.items())[2:]:
            header.append(key)
            cells.append(["0" if v is None else _plain(v) for v in column])
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(zip(*cells, strict=True))
    return buffer.getvalue().encode("utf-8-sig")


def _plain(value: Decimal) -> str:
    from fundalloc.result import plain_decimal

    return plain_decimal(value)


def columns(
    result: Allocation, *, detail: bool = False, exact: bool = False, lang: Lang | None = None
) -> dict[str, npt.NDArray[Any] | list[Any]]:
    """The allocation's numeric columns by readable name, in table order.

    Region id (the table's id column), formula target, bounded amount (after floors, caps
    and group constraints, before rounding), amount (binary64), whole steps (int64, or
    Python ints beyond it), share of the total; with ``detail`` each breakdown item in
    binary64 (a bound stage that holds no region is left out; an item a region does not
    have is 0); with ``exact`` the amount as Decimal."""

    def say(key: str, **params: Any) -> str:
        return tr(key, **params).render(lang)

    unit = result.scheme.unit
    amount = say("output.with_unit", label=say("output.label.amount"), unit=unit)
    out: dict[str, npt.NDArray[Any] | list[Any]] = {
        result.table.id_column: list(result.ids),
        say("output.label.target"): result.target_values,
        say("output.label.bounded"): result.bounded_values,
        amount: result.amount_values,
        say("output.label.units"): result.units,
        say("output.label.share"): result.share_values,
    }
    if detail:
        parts = result.breakdown_columns
        for item in parts.items:
            name = say(
                "output.column_item",
                stage=stage_name(item.stage),
                tranche=item.tranche,
                name=item.name,
            )
            previous = out.get(name)
            values = parts.floats(item.quanta)
            out[name] = values if previous is None else np.asarray(previous) + values
        bound = parts.floats(parts.bound)
        for code in range(1, len(BOUND_STAGES)):
            mask = parts.bound_stage == code
            if mask.any():
                out[stage_name(BOUND_STAGES[code]).render(lang)] = np.where(mask, bound, 0.0)
        out[stage_name("rounding").render(lang)] = parts.floats(parts.rounding)
    if exact:
        out[say("output.amount_decimal", label=amount)] = list(result.amounts.values())
    return out


def _decimal_scale(result: Allocation) -> int:
    return max(0, -int(result.scheme.step.normalize().as_tuple().exponent))


def to_arrow(
    result: Allocation, *, detail: bool = False, exact: bool = False, lang: Lang | None = None
) -> Any:
    """:func:`columns` as a pyarrow Table (the numeric columns without a copy)."""
    pa = require("pyarrow", "arrow")
    data = columns(result, detail=detail, exact=exact, lang=lang)
    arrays = {}
    for name, values in data.items():
        if isinstance(values, list) and values and isinstance(values[0], Decimal):
            arrays[name] = pa.array(values, type=pa.decimal128(38, _decimal_scale(result)))
        elif isinstance(values, np.ndarray) and values.dtype == object:
            arrays[name] = pa.array([int(v) for v in values.tolist()], type=pa.decimal128(38, 0))
        else:
            arrays[name] = pa.array(values)
    return pa.table(arrays)


def to_pandas(
    result: Allocation, *, detail: bool = False, exact: bool = False, lang: Lang | None = None
) -> Any:
    """:func:`columns` as a pandas DataFrame (Decimal amounts, with ``exact``, as objects)."""
    pd = require("pandas", "pandas")
    data = columns(result, detail=detail, exact=exact, lang=lang)
    return pd.DataFrame(
        {
            name: (
                pd.Series(values, dtype=object)
                if isinstance(values, list) and values and isinstance(values[0], Decimal)
                else values
            )
            for name, values in data.items()
        }
    )


def to_polars(
    result: Allocation, *, detail: bool = False, exact: bool = False, lang: Lang | None = None
) -> Any:
    """:func:`columns` as a polars DataFrame (a decimal column with ``exact``)."""
    pl = require("polars", "polars")
    data = columns(result, detail=detail, exact=exact, lang=lang)
    series = []
    for name, values in data.items():
        if isinstance(values, list) and values and isinstance(values[0], Decimal):
            series.append(pl.Series(name, values, dtype=pl.Decimal(38, _decimal_scale(result))))
        elif isinstance(values, np.ndarray) and values.dtype == object:
            series.append(
                pl.Series(name, [int(v) for v in values.tolist()], dtype=pl.Decimal(38, 0))
            )
        else:
            series.append(pl.Series(name, values))
    return pl.DataFrame(series)
