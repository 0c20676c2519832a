"""Solvers turn a bounded problem into amounts; the registry chooses one, in one place.

Every solver has a ``name``, says whether it ``is_installed()`` here and whether it
``supports(structure)`` the constraints of a scheme (:class:`Structure`), and names the
``lp_backend`` that solves its linear and integer programmes (the integer rounding under
group constraints and the elastic diagnosis of infeasible ones,
:mod:`fundalloc.solvers.lp`). :data:`SOLVERS` lists them; :func:`choose` is the one
place that picks the solver of an allocation:

``"exact"``
    The exact proportional solver (:mod:`fundalloc.solvers.exact`), for per-region bounds
    and group floors and caps on groups that do not overlap
    (:mod:`fundalloc.solvers.groups`). Always installed.
``"highs"``
    The general path (the quadratic programme of :mod:`fundalloc.solvers.qp`) with its
    programmes solved by HiGHS: through highspy when installed (the ``lp`` extra), else
    the copy of HiGHS bundled with scipy (``scipy.optimize.milp``), a dependency of
    fundalloc. Always installed; supports every constraint.
``"cbc"``
    The general path with CBC through PuLP (``pip install "fundalloc[lp]"``).
``"auto"``
    ``"exact"`` when it supports the constraints, else ``"highs"``.

>>> choose("auto", Structure("overlapping")).name
'highs'
>>> SOLVERS["highs"].is_installed()
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from fundalloc.errors import DependencyError, Problem, SolverError
from fundalloc.i18n import tr
from fundalloc.solvers import lp
from fundalloc.solvers.exact import BoundedProblem, ExactSolver, ProportionalSolution

__all__ = [
    "SOLVERS",
    "BoundedProblem",
    "ProportionalSolution",
    "Solver",
    "Structure",
    "choose",
    "get_solver",
]

#: The shapes of constraints a scheme can have, from the simplest.
Shape = Literal["bounds", "groups", "overlapping"]


@dataclass(frozen=True)
class Structure:
    """What a solver must handle: ``"bounds"`` (per-region floors and caps only),
    ``"groups"`` (group floors and caps on groups that do not overlap) or
    ``"overlapping"`` (groups sharing some regions, or ratio constraints)."""

    shape: Shape


class Solver(Protocol):
    """What a solver provides."""

    @property
    def name(self) -> str: ...

    def is_installed(self) -> bool: ...

    def supports(self, structure: Structure) -> bool: ...

    def lp_backend(self) -> str: ...


class Exact(ExactSolver):
    """The exact solver; its few programmes (a diagnosis, a rounding under rows) go to
    the default backend (:func:`fundalloc.solvers.lp.backend_for`)."""

    def supports(self, structure: Structure) -> bool:
        return structure.shape != "overlapping"

    def lp_backend(self) -> str:
        return lp.backend_for("auto")


@dataclass(frozen=True)
class General:
    """The general path, its programmes solved by the LP backend ``backend``."""

    name: str
    backend: str

    def is_installed(self) -> bool:
        return lp.is_installed(self.backend) or self.backend == "highs"

    def supports(self, structure: Structure) -> bool:
        return True

    def lp_backend(self) -> str:
        return lp.backend_for(self.name)


#: Solvers by name: the one list of them.
SOLVERS: dict[str, Solver] = {
    "exact": Exact(),
    "highs": General("highs", "highs"),
    "cbc": General("cbc", "cbc"),
}


def _named(name: str) -> Solver:
    try:
        return SOLVERS[name]
    except KeyError:
        raise SolverError(
            Problem(
                tr("solve.where_solver"),
                tr("solve.unknown_solver", name=name, names=["auto", *SOLVERS]),
            )
        ) from None


def choose(name: str, structure: Structure) -> Solver:
    """The solver for an allocation: ``name`` ("auto" or a key of :data:`SOLVERS`) for
    constraints of this ``structure``.

    Raises
    ------
    SolverError
        An unknown name, or a solver that does not support the constraints.
    DependencyError
        A solver that is not installed, saying how to install it.
    """
    if name == "auto":
        exact = SOLVERS["exact"]
        return exact if exact.supports(structure) else SOLVERS["highs"]
    solver = _named(name)
    if not solver.is_installed():
        # only CBC can be missing: HiGHS comes with scipy, the exact solver with fundalloc
        raise DependencyError(
            Problem(
                tr("solve.where_solver"),
                tr("solve.not_installed", name=name),
                hint=tr("solve.install_cbc"),
            )
        )
    if not solver.supports(structure):
        raise SolverError(
            Problem(
                tr("solve.where_solver"),
                tr("solve.unsupported", name=name),
                hint=tr("solve.unsupported_hint"),
            )
        )
    return solver


def get_solver(name: str) -> Solver:
    """The solver called ``name`` ("auto": the exact solver, for per-region bounds)."""
    return choose(name, Structure("bounds"))
