"""What the benchmarks share about their peers: solving a PuLP model with CBC and reading
CBC's own verdict and wall time from its log, and the L1 objective the peers minimise."""

from __future__ import annotations

import os
import re
import tempfile
import time
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np


def solve_with_cbc(
    prob: Any, variables: Sequence[Any], time_limit: float
) -> tuple[float, str, float | None, np.ndarray]:
    """Solve ``prob`` with PuLP's CBC: (wall time of ``prob.solve``, CBC's result line,
    CBC's own wall time or None, the variables' values with NaN where unset).

    The result comes from CBC's log, not from PuLP: when CBC stops on its time limit,
    PuLP 3.3 still reports "Optimal" although the point need not be optimal or feasible.
    """
    import pulp

    with tempfile.TemporaryDirectory() as tmp:
        log_path = os.path.join(tmp, "cbc.log")
        with warnings.catch_warnings():  # PuLP 3.3 deprecates PULP_CBC_CMD (PuLP 4 drops it)
            warnings.simplefilter("ignore", DeprecationWarning)
            solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit, logPath=log_path)
        start = time.perf_counter()
        prob.solve(solver)
        elapsed = time.perf_counter() - start
        with open(log_path, encoding="utf-8", errors="replace") as fh:
            log = fh.read()
    result = re.search(r"^Result - (.*)$", log, re.M)
    optimal_line = re.search(r"^Optimal objective", log, re.M)
    status = (
        result.group(1).strip()
        if result
        else "Optimal"
        if optimal_line
        else f"pulp: {pulp.LpStatus[prob.status]}"
    )
    wall = re.search(
        r"Total time \(CPU seconds\):\s*([\d.]+)\s*\(Wallclock seconds\):\s*([\d.]+)", log
    )
    values = np.array([v.varValue if v.varValue is not None else np.nan for v in variables])
    return elapsed, status, float(wall.group(2)) if wall else None, values


def l1_objective(x: np.ndarray, t: np.ndarray) -> float:
    """The peers' LP objective Σ_i |x_i − t_i| / t_i, evaluated at any amounts."""
    return float(np.sum(np.abs(x - t) / t))
