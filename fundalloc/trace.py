"""The trace of one allocation: what every stage did, per region, as plain arrays.

The pipeline (:func:`fundalloc.allocate`) records it once; the result, its breakdown and
explanation, the outputs and the analysis tools read it and never re-derive it. In
particular, *why* each region holds its amount is decided by the solver that computed
the amount and kept here (:attr:`Trace.holds` and :attr:`Trace.held_by`); nobody compares
amounts with bounds again afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from fundalloc.bounds import Limits
from fundalloc.rounding import TieBreak

if TYPE_CHECKING:
    from fundalloc.scheme import Tranche

__all__ = ["Hold", "LeafTrace", "Trace"]

FloatArray = npt.NDArray[np.float64]


class Hold(IntEnum):
    """Why a region holds its bounded amount: the code stored per region in
    :attr:`Trace.holds` (an ``int8`` array), with :attr:`Trace.held_by` saying by what.

    ========  ====  ===================================================================
    name      code  ``held_by``
    ========  ====  ===================================================================
    FREE      0     -1: the formula amount scaled by the common λ (or, inside a group
                    that binds elsewhere, untouched by any bound); fixed quotas as given
    FLOOR     1     the index into ``limits.bounds`` of the floor that holds it
    CAP       2     the index into ``limits.bounds`` of the cap that holds it
    GROUP     3     the index into ``row_labels`` of the group constraint (row) that
                    holds it: its amount is scaled by the group's own multiplier
    EXCLUDED  4     the index of the first eligibility condition it fails (gets 0)
    ========  ====  ===================================================================
    """

    FREE = 0
    FLOOR = 1
    CAP = 2
    GROUP = 3
    EXCLUDED = 4


@dataclass(frozen=True)
class LeafTrace:
    """What one leaf tranche did (arrays over regions in id order).

    ``shares[j]`` is factor j's raw share (its scores over the regions taking part in the
    tranche, adding up to 1) and ``weights[j]`` its weight normalised within the tranche;
    ``contributions[j] = amount · weights[j] · shares[j]`` is factor j's part before
    coefficients; ``before`` their sum; ``targets`` the tranche's amounts after
    coefficients. A quota tranche has no factors (``shares`` of shape (0, n)).
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
    shares: FloatArray
    weights: FloatArray


@dataclass(frozen=True)
class Trace:
    """Every stage of one allocation, in region-id order.

    ``order[k]`` is the table row of the k-th region in id order. ``fixed`` is each
    region's part from fixed quotas, which the bounds' multiplier λ does not scale.

    ``holds[k]`` (``int8``, a :class:`Hold` code) says why region k holds its bounded
    amount ``bounded[k]``, and ``held_by[k]`` (``intp``) by what: for ``FLOOR`` and
    ``CAP`` the index of the bound in ``limits.bounds``, for ``GROUP`` the index of the
    constraint row in ``row_labels``, for ``EXCLUDED`` the eligibility condition's index
    (as ``excluded_by``), for ``FREE`` -1. The solver that computed the amounts decided it
    (exactly, from the exact multiplier, on the exact paths; from the branch its clip took
    on the general path); read it, never compare amounts with bounds again.
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
    holds: npt.NDArray[np.int8]
    held_by: npt.NDArray[np.intp]
    region_multipliers: FloatArray | None = None
    group_rows: npt.NDArray[np.intp] | None = None
    row_labels: tuple[str, ...] = ()
