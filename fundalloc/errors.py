"""The errors fundalloc raises: one root, a shallow tree, builtin bases kept.

Every error carries its problems as data (:attr:`FundallocError.problems`), so a
caller can show all of them at once or inspect them programmatically; ``str(error)``
renders one line per problem.

>>> err = DataError([Problem("row 3, column 人口", "expected a number", found="'abc'")])
>>> print(err)
row 3, column 人口: expected a number; found 'abc'
>>> isinstance(err, ValueError)
True
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "MAX_LISTED",
    "DataError",
    "DependencyError",
    "FundallocError",
    "InfeasibleError",
    "Problem",
    "SchemeError",
    "SolverError",
    "not_listed",
]

#: How many cells with the same problem in one column an error lists; the rest are counted.
MAX_LISTED = 50


@dataclass(frozen=True)
class Problem:
    """One thing wrong: where, what was expected, what was found, and a hint.

    Parameters
    ----------
    where : str
        The place: a file, row and column, a key path in a scheme, or a region.
    message : str
        What is wrong or what was expected.
    found : str, optional
        What was found instead.
    hint : str, optional
        How to fix it.
    """

    where: str
    message: str
    found: str | None = None
    hint: str | None = None

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        if self.found is not None:
            text += f"; found {self.found}"
        if self.hint:
            text += f" (hint: {self.hint})"
        return text


class FundallocError(Exception):
    """Root of every error fundalloc raises on purpose.

    Parameters
    ----------
    problems : str or iterable of Problem
        One message, or the problems found (all of them, not just the first).
    """

    def __init__(self, problems: str | Problem | Iterable[Problem]) -> None:
        if isinstance(problems, str):
            problems = [Problem("", problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class SchemeError(FundallocError, ValueError):
    """The scheme is invalid: weights, tranche shares, bounds, rounding settings."""


class DataError(FundallocError, ValueError):
    """The region data is invalid: missing, non-numeric, negative, duplicate ids."""


class InfeasibleError(FundallocError):
    """The requirements cannot all hold: floors above the total, a cap below a floor."""


class SolverError(FundallocError, RuntimeError):
    """A solver failed or is not installed."""


class DependencyError(FundallocError, ImportError):
    """An optional package is needed and not installed; the message says how to install it."""


def not_listed(count: int, where: str) -> list[Problem]:
    """A closing problem that counts the cells left out of a list cut at :data:`MAX_LISTED`
    (nothing when none were), so that a long list is never cut without a word.

    >>> not_listed(50, "data.csv, column '人口'")
    []
    >>> print(not_listed(120, "data.csv, column '人口'")[0])
    data.csv, column '人口': 70 more rows with the same kind of problem are not listed
    """
    if count <= MAX_LISTED:
        return []
    left = count - MAX_LISTED
    rows = (
        "1 more row with the same kind of problem is"
        if left == 1
        else f"{left} more rows with the same kind of problem are"
    )
    return [Problem(where, f"{rows} not listed")]
