"""Linear and integer programmes, stated once and solved by HiGHS or by CBC through PuLP.

Two parts of the constraint paths are linear programmes: the elastic re-solve that
diagnoses infeasible constraints (on every path, in reals and in whole steps) and the
integer rounding that keeps every group constraint in whole steps. :class:`LinearProgram`
states them in arrays; :func:`solve_lp` hands them to a backend:

``"highs"``
    HiGHS through its own Python interface, highspy (``pip install "fundalloc[lp]"``).
``"cbc"``
    CBC through PuLP, the modelling layer (PuLP 3.x bundles CBC; PuLP 4.x needs
    ``pip install "pulp[cbc]"``). CBC reports its values to about 8 significant digits,
    so nothing it returns is money until it has been rounded and checked exactly, which
    the callers do.
``"scipy"``
    The copy of HiGHS bundled with scipy (``scipy.optimize.milp``), a dependency of
    fundalloc: HiGHS when highspy is not installed (:func:`backend_for`), so group
    constraints of any shape work on a plain install.

None of them writes to the process's stdout: HiGHS is made with its output switched off
before it can print its banner (:func:`_new_highs`), CBC runs with ``msg=False``, and
scipy's HiGHS prints nothing by default. Nothing here redirects file descriptors, so
allocations may run in several threads at once.

Both backends give the same answers on these programmes, up to ties of equal cost that
:func:`fundalloc.solvers.integer.round_with_rows` cannot settle one step at a time.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from fundalloc.errors import DependencyError, Problem, SolverError
from fundalloc.i18n import tr
from fundalloc.optional import require
from fundalloc.solvers.exact import FloatArray

__all__ = [
    "BACKENDS",
    "LinearProgram",
    "backend_for",
    "diagnosis_backend",
    "is_installed",
    "solve_lp",
]

#: The LP/MILP backends, by name.
BACKENDS = ("highs", "cbc")

Status = Literal["optimal", "infeasible"]


@dataclass(frozen=True)
class LinearProgram:
    """minimise ``cost · x`` subject to ``row_lower <= A x <= row_upper`` and
    ``col_lower <= x <= col_upper``, with ``x`` whole where ``integer`` (every column when
    True, those marked when an array).

    Row ``k`` of ``A`` is ``rows[k]``, a dense array over the first columns or a dict
    (column → coefficient), plus the sparse entries ``extra[k]``, for the few columns a
    dense row would waste.
    """

    cost: FloatArray
    col_lower: FloatArray
    col_upper: FloatArray
    rows: Sequence[FloatArray | dict[int, float]]
    row_lower: Sequence[float]
    row_upper: Sequence[float]
    extra: Sequence[dict[int, float]] = ()
    integer: bool | npt.NDArray[np.bool_] = False
    what: str = "solve.lp_programme"  # the catalogue id naming the programme in messages

    @property
    def whole(self) -> npt.NDArray[np.bool_]:
        """Which columns are whole numbers."""
        return np.broadcast_to(np.asarray(self.integer, dtype=bool), len(self.cost))

    def sparse(self) -> tuple[list[int], list[int], list[float]]:
        """Row-wise (start, index, value) arrays of the constraint matrix."""
        start, index, value = [0], [], []
        for k, row in enumerate(self.rows):
            if isinstance(row, dict):
                index += list(row)
                value += list(row.values())
            else:
                nz = np.flatnonzero(row)
                index += nz.tolist()
                value += row[nz].tolist()
            if k < len(self.extra):
                index += list(self.extra[k])
                value += list(self.extra[k].values())
            start.append(len(index))
        return start, index, value


def is_installed(backend: str) -> bool:
    """Whether ``backend`` ("highs" or "cbc") can be used here."""
    try:
        if backend == "cbc":
            return _cbc_command(None) is not None
        require("highspy", "lp")
    except DependencyError:
        return False
    return backend == "highs"


def backend_for(solver: str) -> str:
    """The LP backend a ``solver`` choice uses: "cbc" for CBC; for "highs", "auto" and
    "exact" HiGHS, through highspy when installed, else the copy bundled with scipy
    (``"scipy"``), so that every programme can be solved on a plain install.

    Raises :class:`DependencyError` saying how to install CBC when it is asked for and
    not installed.
    """
    if solver == "cbc":
        if not is_installed("cbc"):
            raise DependencyError(
                Problem(
                    tr("solve.where_solver"),
                    tr("solve.not_installed", name="cbc"),
                    hint=tr("solve.install_cbc"),
                )
            )
        return "cbc"
    return "highs" if is_installed("highs") else "scipy"


def diagnosis_backend(solver: str) -> str:
    """The backend that diagnoses infeasible constraints: :func:`backend_for` (the
    diagnosis is a small programme over the regions' patterns, so every path names the
    conflicting constraints without the ``lp`` extra)."""
    return backend_for(solver)


def solve_lp(
    program: LinearProgram, backend: str, *, time_limit: float | None = None
) -> tuple[Status, FloatArray]:
    """Solve ``program`` with ``backend``: ("optimal", x) or ("infeasible", empty).

    Raises :class:`SolverError` on a time limit or any other outcome.
    """
    if backend == "highs":
        return _highs(program, time_limit)
    if backend == "cbc":
        return _cbc(program, time_limit)
    if backend == "scipy":
        return _scipy(program, time_limit)
    raise SolverError(  # pragma: no cover - the backends are chosen by backend_for
        Problem(
            tr("solve.where_solver"),
            tr("solve.unknown_backend", name=backend, names=[*BACKENDS, "scipy"]),
        )
    )


def _new_highs(highspy: Any) -> Any:
    """A HiGHS instance that prints nothing, made without touching the process's stdout.

    ``highspy.Highs()`` enables its callbacks in its constructor, and HiGHS prints its
    banner on stdout (at the C level, once per process) when callbacks are enabled with
    output still on (highspy 1.16). The core class underneath, which highspy exports as
    ``_Highs`` and scipy's own HiGHS interface also uses, enables nothing, so its output
    can be switched off before anything is printed. Nothing here needs the callbacks.
    """
    core = getattr(highspy, "_Highs", None) or highspy.Highs
    h = core()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("log_to_console", False)
    return h


def _highs(program: LinearProgram, time_limit: float | None) -> tuple[Status, FloatArray]:
    highspy = require("highspy", "lp")
    h = _new_highs(highspy)
    h.setOptionValue("threads", 1)
    if time_limit is not None:
        h.setOptionValue("time_limit", float(time_limit))
    # an integer programme is solved to optimality, not to HiGHS's default 0.01% gap
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", 0.0)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = len(program.cost), len(program.rows)
    lp.col_cost_ = np.asarray(program.cost, dtype=np.float64)
    lp.col_lower_ = np.asarray(program.col_lower, dtype=np.float64)
    lp.col_upper_ = np.asarray(program.col_upper, dtype=np.float64)
    lp.row_lower_ = np.asarray(program.row_lower, dtype=np.float64)
    lp.row_upper_ = np.asarray(program.row_upper, dtype=np.float64)
    whole = program.whole
    if whole.any():
        kinds = (highspy.HighsVarType.kContinuous, highspy.HighsVarType.kInteger)
        lp.integrality_ = [kinds[w] for w in whole.tolist()]
    start, index, value = program.sparse()
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = np.asarray(start, dtype=np.int32)
    lp.a_matrix_.index_ = np.asarray(index, dtype=np.int32)
    lp.a_matrix_.value_ = np.asarray(value, dtype=np.float64)
    h.passModel(lp)
    h.run()
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kOptimal:
        return "optimal", np.asarray(h.getSolution().col_value, dtype=np.float64)
    if status == highspy.HighsModelStatus.kInfeasible:
        return "infeasible", np.empty(0)
    if status == highspy.HighsModelStatus.kTimeLimit:
        raise _failed("solve.lp_time_limit", "HiGHS", program)
    raise _failed("solve.lp_failed", "HiGHS", program, h.modelStatusToString(status))


def _scipy(program: LinearProgram, time_limit: float | None) -> tuple[Status, FloatArray]:
    """The programme with the HiGHS bundled with scipy (``scipy.optimize.milp``), which
    prints nothing."""
    from scipy.optimize import LinearConstraint, milp
    from scipy.sparse import csr_array

    start, index, value = program.sparse()
    matrix = csr_array((value, index, start), shape=(len(program.rows), len(program.cost)))
    options: dict[str, Any] = {"mip_rel_gap": 0.0}
    if time_limit is not None:
        options["time_limit"] = float(time_limit)
    found = milp(
        np.asarray(program.cost, dtype=np.float64),
        integrality=program.whole.astype(np.int64),
        bounds=(program.col_lower, program.col_upper),
        constraints=LinearConstraint(matrix, program.row_lower, program.row_upper),
        options=options,
    )
    if found.status == 0:
        return "optimal", np.asarray(found.x, dtype=np.float64)
    if found.status == 2:
        return "infeasible", np.empty(0)
    if found.status == 1:
        raise _failed("solve.lp_time_limit", "HiGHS (scipy)", program)
    raise _failed("solve.lp_failed", "HiGHS (scipy)", program, str(found.message))


def _cbc_command(time_limit: float | None) -> Any:
    """PuLP's CBC: the ``cbc`` of ``pulp[cbc]`` or on the path (PuLP 4), else the copy
    bundled with PuLP 3 (whose class PuLP 3.3 marks deprecated); None when neither runs."""
    pulp = require("pulp", "lp")
    options = {"msg": False, "timeLimit": time_limit, "gapRel": 0.0, "gapAbs": 0.0}
    command = pulp.COIN_CMD(**options)
    if command.available():
        return command
    bundled = getattr(pulp, "PULP_CBC_CMD", None)
    if bundled is None:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        command = bundled(**options)
    return command if command.available() else None


def _cbc(program: LinearProgram, time_limit: float | None) -> tuple[Status, FloatArray]:
    pulp = require("pulp", "lp")
    n = len(program.cost)
    model = pulp.LpProblem("fundalloc", pulp.LpMinimize)
    categories = [pulp.LpInteger if w else pulp.LpContinuous for w in program.whole.tolist()]

    def finite(v: float) -> float | None:
        return float(v) if np.isfinite(v) else None

    # PuLP 3.3 deprecates constructing variables directly (PuLP 4 attaches them to the
    # model); older PuLP has only the constructor
    new = getattr(model, "add_variable", None) or pulp.LpVariable
    x = [
        new(f"x{j}", finite(program.col_lower[j]), finite(program.col_upper[j]), cat=categories[j])
        for j in range(n)
    ]
    model += pulp.lpSum(float(c) * x[j] for j, c in enumerate(program.cost) if c != 0)
    start, index, value = program.sparse()
    for k in range(len(program.rows)):
        expr = pulp.lpSum(value[p] * x[index[p]] for p in range(start[k], start[k + 1]))
        lo, hi = program.row_lower[k], program.row_upper[k]
        if np.isfinite(lo) and np.isfinite(hi) and lo == hi:
            model += expr == float(lo), f"r{k}"
            continue
        if np.isfinite(lo):
            model += expr >= float(lo), f"r{k}lo"
        if np.isfinite(hi):
            model += expr <= float(hi), f"r{k}hi"
    command = _cbc_command(time_limit)
    if command is None:
        backend_for("cbc")  # the message that says how to install it
    model.solve(command)
    status = pulp.LpStatus[model.status]
    if status == "Optimal":
        # PuLP 3.x reports "Optimal" when CBC stops at its time limit with a feasible
        # answer; the callers check every answer exactly, so a worse one is still safe
        values = np.asarray([v.varValue or 0.0 for v in x], dtype=np.float64)
        return "optimal", values
    if status == "Infeasible":
        return "infeasible", np.empty(0)
    raise _failed("solve.lp_failed", "CBC", program, str(status))


def _failed(key: str, solver: str, program: LinearProgram, status: str = "") -> SolverError:
    """The solver ``solver`` stopped without an answer to ``program``."""
    return SolverError(
        Problem(
            tr("solve.where_solver"),
            tr(key, solver=solver, what=tr(program.what)),
            found=status or None,
        )
    )
