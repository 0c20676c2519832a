"""Progress of long analysis calls: a bar where someone watches, and a callback.

Every long call of :mod:`fundalloc.analysis` (Monte Carlo, sweeps, multi-year simulation)
takes two keywords:

``progress`` : bool or None, default None
    Show a progress bar (tqdm's ``auto`` front end: a widget in Jupyter, text on a
    terminal). None shows one when someone watches — standard error is a terminal, or the
    call runs in a Jupyter kernel — and only once the call has taken half a second, so
    quick calls print nothing. True always shows it (it needs tqdm:
    ``pip install 'fundalloc[progress]'``); False never. Without tqdm installed, None shows
    nothing and is not an error.
``callback`` : callable, optional
    ``callback(done, total)`` after each finished piece of work, in order, bar or no bar.

The bar is written to standard error, never to standard output, so a script's output
stays its own.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from types import TracebackType
from typing import Any

from fundalloc.errors import Problem, SchemeError
from fundalloc.optional import require

__all__ = ["Progress", "Reporter", "reporter"]

#: ``callback(done, total)``: called after each finished piece of work, in order.
Progress = Callable[[int, int], object]

_DELAY = 0.5  # seconds before an automatic bar appears


def _watched() -> bool:
    """Whether someone watches: standard error is a terminal, or this is a Jupyter kernel."""
    if "ipykernel.zmqshell" in sys.modules:  # the test tqdm.autonotebook makes
        return True
    stream = sys.stderr
    try:
        return stream is not None and stream.isatty()
    except (AttributeError, ValueError):  # a replaced or closed stream
        return False


def _check(progress: object, callback: object) -> None:
    problems = []
    if not (progress is None or isinstance(progress, bool)):
        problems.append(
            Problem(
                "progress",
                "expected True, False or None (whether to show a progress bar)",
                found=repr(progress)[:60],
                hint="pass a function called with (done, total) as callback="
                if callable(progress)
                else None,
            )
        )
    if callback is not None and not callable(callback):
        problems.append(
            Problem(
                "callback",
                "expected a function called with (done, total)",
                found=repr(callback)[:60],
            )
        )
    if problems:
        raise SchemeError(problems)


class Reporter:
    """Reports ``done`` out of ``total`` to a bar and a callback; a context manager that
    closes the bar (also when the work fails)."""

    def __init__(self, total: int, bar: Any, callback: Progress | None) -> None:
        self.total = total
        self._bar = bar
        self._callback = callback
        self._done = 0

    def __call__(self, done: int) -> None:
        if self._bar is not None:
            self._bar.update(done - self._done)
        self._done = done
        if self._callback is not None:
            self._callback(done, self.total)

    def __enter__(self) -> Reporter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._bar.close()


def reporter(
    total: int, what: str, *, progress: bool | None, callback: Progress | None
) -> Reporter:
    """A :class:`Reporter` of ``total`` pieces of work called ``what`` (the bar's label).

    Raises
    ------
    SchemeError
        ``progress`` is not True, False or None (a function given there belongs in
        ``callback``), or ``callback`` is not callable.
    DependencyError
        ``progress=True`` without tqdm installed.

    Examples
    --------
    >>> seen = []
    >>> with reporter(3, "draws", progress=False, callback=lambda d, t: seen.append(d)) as r:
    ...     for done in (1, 2, 3):
    ...         r(done)
    >>> seen
    [1, 2, 3]
    """
    _check(progress, callback)
    bar = None
    if progress is True:
        bar = require("tqdm.auto", "progress").tqdm(total=total, desc=what, file=sys.stderr)
    elif progress is None and _watched() and importlib.util.find_spec("tqdm") is not None:
        auto = require("tqdm.auto", "progress")
        bar = auto.tqdm(total=total, desc=what, file=sys.stderr, delay=_DELAY)
    return Reporter(total, bar, callback)
