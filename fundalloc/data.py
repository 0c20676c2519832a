"""What rules, conditions, bounds and constraints read from the region table, and how.

:class:`Data` is the small protocol they read through (a
:class:`~fundalloc.table.RegionTable` provides it); :data:`Need` is a column requirement a
spec declares before anything is computed, so that every missing or bad column is reported
at once; :func:`nonnegative` reads a column that must be >= 0 where it matters.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
import numpy.typing as npt

from fundalloc.errors import MAX_LISTED, DataError, Problem, Text, not_listed
from fundalloc.i18n import Message, tr
from fundalloc.types import BoolArray, FloatArray, NeedKind

__all__ = ["Data", "Need", "column_place", "fail", "mean_over", "nonnegative"]


class Data(Protocol):
    """What a rule reads: the region table (see :class:`fundalloc.RegionTable`)."""

    @property
    def ids(self) -> tuple[str, ...]: ...

    def __len__(self) -> int: ...

    def numeric(self, column: str, *, nonnegative: bool = False) -> FloatArray: ...

    def text(self, column: str) -> tuple[str, ...]: ...

    def codes(self, column: str) -> tuple[npt.NDArray[np.intp], dict[str, int]]: ...

    def where(self, index: int, column: str) -> Text: ...


#: A column requirement: (column, "number" | "nonnegative" | "text").
Need = tuple[str, NeedKind]


def column_place(data: Data, column: str) -> Message:
    """A column of ``data`` as a place in a message (``data.csv, column '人口'``)."""
    source = getattr(data, "source", None)
    if source:
        return tr("scheme.place.source_column", source=source, column=column)
    return tr("scheme.place.column", column=column)


def fail(
    data: Data,
    column: str,
    rows: npt.NDArray[np.intp],
    message: Text,
    found: FloatArray | None = None,
) -> DataError:
    """A :class:`DataError` naming each of ``rows`` of ``column`` (the first
    :data:`~fundalloc.errors.MAX_LISTED`, the rest counted) with its value."""
    problems = [
        Problem(
            data.where(int(i), column), message, found=None if found is None else f"{found[i]:g}"
        )
        for i in rows[:MAX_LISTED]
    ]
    return DataError(problems + not_listed(len(rows), str(column_place(data, column))))


def nonnegative(data: Data, column: str, mask: BoolArray) -> FloatArray:
    """The column as numbers, required to be >= 0 only where ``mask`` holds.

    Regions that do not take part may hold anything numeric: a negative gap
    (标准支出 − 标准收入) is what excludes a region in the first place.
    """
    values = data.numeric(column)
    bad = np.flatnonzero(mask & (values < 0))
    if bad.size:
        raise fail(data, column, bad, tr("scheme.data.expected_nonnegative"), values)
    return values


def mean_over(values: FloatArray, mask: BoolArray) -> float:
    """The mean of ``values`` over the regions in ``mask`` (0 when there are none)."""
    return float(values[mask].mean()) if mask.any() else 0.0
