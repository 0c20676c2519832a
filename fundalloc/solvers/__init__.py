"""Solvers turn a bounded problem into amounts.

A solver has a ``name``, says whether it ``is_installed()``, and ``solve``s a
:class:`BoundedProblem`. The registry :data:`SOLVERS` is the one place that lists them.
"""

from __future__ import annotations

from typing import Protocol

from fundalloc.errors import SolverError
from fundalloc.solvers.exact import BoundedProblem, ExactSolver, ProportionalSolution

__all__ = ["SOLVERS", "BoundedProblem", "ProportionalSolution", "Solver", "get_solver"]


class Solver(Protocol):
    """What a solver provides."""

    name: str

    def is_installed(self) -> bool: ...

    def solve(self, problem: BoundedProblem) -> ProportionalSolution: ...


#: Solvers by name.
SOLVERS: dict[str, Solver] = {"exact": ExactSolver()}


def get_solver(name: str) -> Solver:
    """The solver called ``name`` ("auto" is the exact solver for per-region bounds)."""
    if name == "auto":
        name = "exact"
    try:
        solver = SOLVERS[name]
    except KeyError:
        raise SolverError(
            f"unknown solver {name!r}; expected one of: auto, {', '.join(SOLVERS)}"
        ) from None
    if not solver.is_installed():
        raise SolverError(f"the solver {name!r} is not installed")
    return solver
