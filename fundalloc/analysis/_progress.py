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
stays its own. Its label is in the current language and its figures hold no words
(``抽样：100%|██████| 200/200 [00:03<00:00]``).

The command line shows its own steps (reading the scheme, the data, allocating, writing)
with :class:`Stages`: a bar on standard error once a command has run for
:data:`STAGES_DELAY` seconds, when standard error is a terminal; nothing otherwise.
"""

from __future__ import annotations

import importlib.util
import sys
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import IO, Any

from fundalloc.errors import Problem, SchemeError
from fundalloc.i18n import Message, text, tr
from fundalloc.optional import require

__all__ = ["BAR_FORMAT", "STAGES_DELAY", "Progress", "Reporter", "Stages", "reporter"]

#: ``callback(done, total)``: called after each finished piece of work, in order.
Progress = Callable[[int, int], object]

_DELAY = 0.5  # seconds before an automatic bar appears

#: Seconds a command of the command line runs before its bar appears: quicker runs print
#: nothing.
STAGES_DELAY = 2.0
_TICK = 0.25  # seconds between two redraws of a command's bar (its clock moves)

#: The bars' layout: the label (in the current language), then figures only — tqdm's
#: default adds a rate in "it/s", an English word in a Chinese line.
BAR_FORMAT = "{desc}{percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}]"
_STAGES_FORMAT = "{desc}{percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} [{elapsed}]"


def _terminal(stream: IO[str] | None) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (AttributeError, ValueError):  # a replaced or closed stream
        return False


def _watched() -> bool:
    """Whether someone watches: standard error is a terminal, or this is a Jupyter kernel."""
    if "ipykernel.zmqshell" in sys.modules:  # the test tqdm.autonotebook makes
        return True
    return _terminal(sys.stderr)


def _check(progress: object, callback: object) -> None:
    problems = []
    if not (progress is None or isinstance(progress, bool)):
        problems.append(
            Problem(
                "progress",
                tr("cli.progress.expected_flag"),
                found=repr(progress)[:60],
                hint=tr("cli.progress.pass_callback", callback="callback=")
                if callable(progress)
                else None,
            )
        )
    if callback is not None and not callable(callback):
        problems.append(
            Problem(
                "callback",
                tr("cli.progress.expected_callback"),
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
    total: int, what: str | Message, *, progress: bool | None, callback: Progress | None
) -> Reporter:
    """A :class:`Reporter` of ``total`` pieces of work called ``what`` (the bar's label,
    a catalogue message to have it in the current language).

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
    shown = {"desc": text("cli.progress.label", what=what), "bar_format": BAR_FORMAT}
    if progress is True:
        bar = require("tqdm.auto", "progress").tqdm(total=total, file=sys.stderr, **shown)
    elif progress is None and _watched() and importlib.util.find_spec("tqdm") is not None:
        auto = require("tqdm.auto", "progress")
        bar = auto.tqdm(total=total, file=sys.stderr, delay=_DELAY, **shown)
    return Reporter(total, bar, callback)


class Stages:
    """The steps of one command, shown as a bar on standard error once the command has run
    for ``delay`` seconds, when standard error is a terminal (and tqdm is installed);
    nothing otherwise. A context manager: leaving it removes the bar, so what the command
    prints next starts on a clean line.

    A thread waits ``delay`` seconds, then draws the bar and redraws it every quarter
    second, so its clock moves during a long step (a step itself reports no progress).

    Parameters
    ----------
    total : int
        The number of steps.
    delay : float, optional
        Seconds before the bar appears (default :data:`STAGES_DELAY`).
    stream : text stream, optional
        Where the bar goes (default: standard error as it is when the object is made).

    Examples
    --------
    >>> import io
    >>> with Stages(2, stream=io.StringIO()) as stages:  # not a terminal: no bar, no thread
    ...     stages.step("reading")
    ...     stages.step("allocating")
    >>> stages.done  # steps finished: "allocating" was still running when the block ended
    1
    """

    def __init__(self, total: int, *, delay: float | None = None, stream: IO[str] | None = None):
        self.total = total
        self.done = 0
        self._stream = sys.stderr if stream is None else stream
        self._delay = STAGES_DELAY if delay is None else delay
        self._label = ""
        self._started = time.time()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._bar: Any = None
        self._thread: threading.Thread | None = None
        if _terminal(self._stream) and importlib.util.find_spec("tqdm") is not None:
            self._thread = threading.Thread(target=self._run, name="fundalloc-progress")
            self._thread.daemon = True
            self._thread.start()

    def step(self, name: str | Message) -> None:
        """Start the next step, called ``name`` (rendered now, in the current language)."""
        label = text("cli.progress.label", what=name)
        with self._lock:
            self.done = min(self.done + (1 if self._label else 0), self.total)
            self._label = label
            if self._bar is not None:
                self._draw()

    def note(self, line: str) -> None:
        """Print ``line`` on the bar's stream without breaking the bar."""
        with self._lock:
            if self._bar is not None:
                self._bar.clear()
            print(line, file=self._stream)
            if self._bar is not None:
                self._bar.refresh()

    def _draw(self) -> None:  # with the lock held
        self._bar.n = self.done
        self._bar.set_description_str(self._label, refresh=False)
        self._bar.refresh()

    def _run(self) -> None:
        if self._stop.wait(self._delay):
            return  # done before the delay: no bar
        from tqdm import tqdm  # type: ignore[import-untyped,unused-ignore]

        with self._lock:
            if self._stop.is_set():
                return
            self._bar = tqdm(
                total=self.total,
                initial=self.done,
                desc=self._label,
                file=self._stream,
                leave=False,
                bar_format=_STAGES_FORMAT,
            )
            self._bar.start_t = self._started  # the clock counts from the command's start
            self._draw()
        while not self._stop.wait(_TICK):
            with self._lock:
                self._bar.refresh()

    def close(self) -> None:
        """Stop the clock and remove the bar."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        with self._lock:
            if self._bar is not None:
                self._bar.close()
                self._bar = None

    def __enter__(self) -> Stages:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
