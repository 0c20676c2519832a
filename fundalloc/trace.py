"""The trace of one allocation: what every stage did, per region, as plain arrays.

The pipeline (:func:`fundalloc.allocate`) records it once; the result, its breakdown and
explanation, the outputs and the analysis tools read it and never re-derive it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from fundalloc.bounds import Limits
from fundalloc.rounding import TieBreak

if TYPE_CHECKING:
    from fundalloc.scheme import Tranche

__all__ = ["LeafTrace", "Trace"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class LeafTrace:
    """What one leaf tranche did (arrays over regions in id order).

    ``contributions[j]`` is factor j's part before coefficients; ``before`` their sum;
    ``targets`` the tranche's amounts after coefficients.
    """

    path: tuple[str, ...]
    amount: float
    taking_part: npt.NDArray[np.bool_]
    factor_names: tuple[str, ...]
    contributions: FloatArray
    coefficient_names: tuple[str, ...]
    multipliers: FloatArray
    before: FloatArray
    targets: FloatArray
    tranche: Tranche


@dataclass(frozen=True)
class Trace:
    """Every stage of one allocation, in region-id order.

    ``order[k]`` is the table row of the k-th region in id order. ``fixed`` is each
    region's part from fixed quotas, which the bounds' multiplier λ does not scale.
    """

    ids: tuple[str, ...]
    order: npt.NDArray[np.intp]
    taking_part: npt.NDArray[np.bool_]
    excluded_by: npt.NDArray[np.intp]
    leaves: tuple[LeafTrace, ...]
    targets: FloatArray
    fixed: FloatArray
    limits: Limits
    bounded: FloatArray
    multiplier: float
    units: npt.NDArray[np.int64]
    ties: tuple[TieBreak, ...]
    unallocated_units: int
    region_multipliers: FloatArray | None = None
    group_rows: npt.NDArray[np.intp] | None = None
    row_labels: tuple[str, ...] = ()
