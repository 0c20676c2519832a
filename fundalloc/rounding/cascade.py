"""The rounding of an allocation, in the order the pipeline tries it.

1. Plain rounding by the scheme's method (:func:`~fundalloc.rounding.round_units`).
2. When it breaks a group row and the groups do not overlap: rounding by groups
   (:func:`~fundalloc.rounding.round_by_groups`), exact and without an integer programme;
   it fails exactly when the rows cannot hold in whole steps, and then the rows to relax
   are named.
3. When rows are still broken (overlapping groups, ratio rows): rounding under the rows
   (:func:`~fundalloc.rounding.round_with_rows`), after the rows have been checked to hold
   in some whole-step amounts (the rows to relax are named otherwise).

The first that keeps every row is the answer; which one it was is not recorded (the
trace records the units and the ties of the plain rounding or of rounding by groups).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from fundalloc.constraints import IntArray, Row, broken_rows
from fundalloc.errors import InfeasibleError
from fundalloc.rounding.groups import GroupBox, round_by_groups
from fundalloc.rounding.methods import round_units
from fundalloc.rounding.quotas import FloatArray, Quotas
from fundalloc.rounding.result import RoundingResult
from fundalloc.rounding.rows import round_with_rows

__all__ = ["cascade"]


def cascade(
    quotas: Quotas | FloatArray,
    targets: FloatArray,
    total: int,
    lower: IntArray,
    upper: IntArray,
    method: str = "largest_remainder",
    *,
    step: Fraction,
    rows: Sequence[Row] = (),
    boxes: Sequence[GroupBox] | None = None,
    ids: Sequence[str] = (),
    unit: str = "",
    solver: str = "auto",
    time_limit: float | None = None,
    stage: str = "bounds",
) -> RoundingResult:
    """Round the bounded amounts to whole steps keeping ``total`` and every row exactly.

    Parameters
    ----------
    quotas : Quotas or ndarray of float
        The bounded amounts in steps, exact (see :class:`~fundalloc.rounding.Quotas`).
    targets : ndarray of float
        The unbounded targets in money (divisor methods apportion by them; a region with
        no target stays at its floor).
    total : int
        The total in whole steps.
    lower, upper : ndarray of int
        Each region's floor and cap in whole steps.
    method : str
        The scheme's rounding method (:data:`~fundalloc.rounding.NAMES`).
    step : Fraction
        The rounding step in money, for the rows' bounds.
    rows : sequence of Row
        The constraint rows (none: the plain rounding is the answer).
    boxes : sequence of GroupBox, optional
        The rows as groups that do not overlap (:func:`fundalloc.solvers.groups.partition`),
        or None when they overlap or compare groups.
    ids, unit : sequence of str, str
        Region ids and the money's unit, to name the rows that cannot hold.
    solver, time_limit
        The backend and time limit of the integer programme and of the diagnosis.
    stage : str
        What computed the amounts, named when one is not a finite number.

    Raises
    ------
    InfeasibleError
        The bounds cannot hold the total in whole steps, or the rows cannot all hold in
        whole steps (the rows to relax are named).
    SolverError
        An amount is not a finite number, or the integer programme fails.

    Examples
    --------
    >>> import numpy as np
    >>> r = cascade(np.array([3.5, 3.5, 3.0]), np.array([3.5, 3.5, 3.0]), 10,
    ...             np.zeros(3, np.int64), np.full(3, 10, np.int64), step=Fraction(1))
    >>> r.units.tolist()
    [4, 3, 3]
    """
    # a function-level import: solvers.qp imports solvers.groups, which imports this package
    from fundalloc.solvers.qp import check_whole_steps

    rounded = round_units(quotas, targets, total, lower, upper, method, stage=stage)
    plain = rounded.units

    def name_the_rows() -> None:
        # feasible in reals is not feasible in whole steps: name the rows before rounding
        # under them
        check_whole_steps(
            rows,
            plain,
            lower,
            upper,
            targets,
            total,
            step,
            ids,
            unit,
            solver=solver,
            time_limit=time_limit,
        )

    if boxes is None:
        name_the_rows()
    elif broken_rows(rows, plain, step):
        # partitioned groups: rounding by groups is exact and fails exactly when the rows
        # cannot hold in whole steps (then the rows are named; the check's LP works in
        # binary64, which misjudges group bounds beyond 2**53 steps)
        try:
            rounded = round_by_groups(
                quotas, targets / float(step), lower, upper, total, boxes, rows, step
            )
        except InfeasibleError:
            name_the_rows()
            raise
    if rows and broken_rows(rows, rounded.units, step):
        rounded = RoundingResult(
            round_with_rows(
                quotas,
                lower,
                upper,
                total,
                rows,
                step,
                solver=solver,
                time_limit=time_limit,
                targets=targets,
            )
        )
    return rounded
