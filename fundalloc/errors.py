"""The errors fundalloc raises: one root, a shallow tree, builtin bases kept.

Every error carries its problems as data (:attr:`FundallocError.problems`), so a
caller can show all of them at once or inspect them programmatically; ``str(error)``
renders one line per problem.

>>> err = DataError([Problem("row 3, column 人口", "expected a number", found="'abc'")])
>>> print(err.render("en"))
row 3, column 人口: expected a number; found 'abc'
>>> print(err.render("zh"))
row 3, column 人口：expected a number；实际为 'abc'
>>> isinstance(err, ValueError)
True
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fundalloc.i18n import Message, tr

if TYPE_CHECKING:
    from fundalloc.i18n import Lang

#: Text of a problem: a plain string (a name, a place) or a catalogue message, rendered in
#: the language current when the problem is shown.
Text = str | Message

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

    Messages from :func:`fundalloc.i18n.tr` are rendered in the language current when the
    problem is shown (:meth:`render` for a given one).

    Parameters
    ----------
    where : str or Message
        The place: a file, row and column, a key path in a scheme, or a region.
    message : str or Message
        What is wrong or what was expected.
    found : str or Message, optional
        What was found instead.
    hint : str or Message, optional
        How to fix it.
    """

    where: Text
    message: Text
    found: Text | None = None
    hint: Text | None = None

    def render(self, lang: Lang | None = None) -> str:
        """The problem as one line in ``lang`` (default: the current language)."""

        def show(part: Text) -> str:
            return part.render(lang) if isinstance(part, Message) else part

        text = show(self.message)
        if self.where:
            text = tr("common.problem", where=show(self.where), message=text).render(lang)
        if self.found is not None:
            text = tr("common.found", text=text, found=show(self.found)).render(lang)
        if self.hint:
            text = tr("common.hint", text=text, hint=show(self.hint)).render(lang)
        return text

    def __str__(self) -> str:
        return self.render()


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
        super().__init__(*self.problems)

    def render(self, lang: Lang | None = None) -> str:
        """One line per problem, in ``lang`` (default: the current language)."""
        return "\n".join(p.render(lang) for p in self.problems)

    def __str__(self) -> str:
        return self.render()


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


def not_listed(count: int, where: Text) -> list[Problem]:
    """A closing problem that counts the cells left out of a list cut at :data:`MAX_LISTED`
    (nothing when none were), so that a long list is never cut without a word.

    >>> not_listed(50, "data.csv, column '人口'")
    []
    >>> print(not_listed(120, "data.csv, column '人口'")[0].render("en"))
    data.csv, column '人口': 70 more rows with the same kind of problem are not listed
    """
    if count <= MAX_LISTED:
        return []
    left = count - MAX_LISTED
    if left == 1:
        return [Problem(where, tr("common.one_more_not_listed"))]
    return [Problem(where, tr("common.more_not_listed", count=left))]
