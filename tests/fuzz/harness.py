"""The fuzzing harness: the one property every target shares, its budget, and the fuzzers.

The property: a call on untrusted input either returns or raises a
:class:`fundalloc.errors.FundallocError`. Anything else is a bug, and so are

- an input that takes more than :data:`CPU_SECONDS` of CPU time or :data:`WALL_SECONDS` of
  wall time (:class:`Hang`: a timer interrupts it, so a hang cannot stall the run), and
- one that needs more than :data:`MEMORY_HEADROOM` bytes of address space beyond what the
  process already holds (the soft ``RLIMIT_AS`` is lowered around each call, so a memory bomb
  becomes a ``MemoryError`` instead of taking the machine down).

A *fuzzer* (:func:`fuzzer`) is a Hypothesis property over one kind of input; its test runs it
for a number of examples scaled from the active profile (dev, ci), or, with ``--fuzz``, in
batches for ``--fuzz-seconds`` each, recording every crash (the smallest input per signature)
instead of stopping at the first. Crash inputs are written to
``$TMPDIR/fundalloc-fuzz-crashes/`` (or ``--fuzz-save``) for adding to ``corpus/``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import resource
import signal
import tempfile
import time
import types
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fundalloc
from fundalloc.errors import FundallocError

FUZZ_DIR = Path(__file__).resolve().parent
CORPUS = FUZZ_DIR / "corpus"
REPO = FUZZ_DIR.parent.parent
PACKAGE = Path(fundalloc.__file__).resolve().parent

#: Per input: CPU seconds (process CPU time, so other load on the machine does not count) ...
CPU_SECONDS = float(os.environ.get("FUNDALLOC_FUZZ_CPU_SECONDS", "2"))
#: ... and wall seconds (generous: only a blocked call reaches it).
WALL_SECONDS = float(os.environ.get("FUNDALLOC_FUZZ_WALL_SECONDS", "20"))
#: Address space one input may add to the process.
MEMORY_HEADROOM = 2 * 2**30

#: The corpus folder of a target's inputs, where it is not the target's name.
CORPUS_FOLDERS = {"allocate": "scheme", "xlsx-openpyxl": "xlsx"}

#: Inputs tried per target in this process, and warnings that escaped the library.
TRIED: Counter[str] = Counter()
WARNINGS: Counter[str] = Counter()


class Hang(BaseException):
    """An input ran over its time budget.

    A BaseException, so that an ``except Exception`` in the code under test cannot turn a
    hang into an ordinary error.
    """


# ----------------------------------------------------------------------------- the budget
@contextlib.contextmanager
def time_budget(cpu: float = CPU_SECONDS, wall: float = WALL_SECONDS) -> Iterator[None]:
    """Interrupt the block with :class:`Hang` after ``cpu`` CPU seconds or ``wall`` seconds."""

    def interrupt(signum: int, frame: types.FrameType | None) -> None:
        raise Hang(
            f"over {cpu:g} s of CPU time" if signum == signal.SIGPROF else f"over {wall:g} s"
        )

    old = signal.signal(signal.SIGPROF, interrupt), signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_PROF, cpu)
    signal.setitimer(signal.ITIMER_REAL, wall)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGPROF, old[0])
        signal.signal(signal.SIGALRM, old[1])


def address_space() -> int:
    """The process's current virtual memory size in bytes."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmSize in /proc/self/status")


@contextlib.contextmanager
def memory_limit(headroom: int = MEMORY_HEADROOM) -> Iterator[None]:
    """Lower the soft address-space limit to what the process holds plus ``headroom``."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = address_space() + headroom
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


# ------------------------------------------------------------------------------- crashes
def _place(frame: types.FrameType) -> str:
    """``path:qualname`` of a frame, the path relative to the repository or site-packages."""
    filename = frame.f_code.co_filename
    for root in (str(REPO) + os.sep, f"site-packages{os.sep}", f"python3.11{os.sep}"):
        if root in filename:
            filename = filename.split(root, 1)[1]
            break
    # a comprehension or lambda is its function's: the signature should not depend on it
    return f"{filename}:{frame.f_code.co_qualname.split('.<locals>')[0]}"


def signature(exc: BaseException) -> str:
    """What identifies a crash across inputs: its type, where it was raised, and the last
    fundalloc function it went through (line numbers left out, so that it survives edits).

    A hang is identified by the fundalloc function it was in and the module it was in when
    interrupted (the exact line it was interrupted at varies).
    """
    frames = []
    tb = exc.__traceback__
    while tb is not None:
        frames.append(tb.tb_frame)
        tb = tb.tb_next
    ours = [f for f in frames if Path(f.f_code.co_filename).resolve().is_relative_to(PACKAGE)]
    kind = type(exc)
    name = (
        kind.__qualname__
        if kind.__module__ == "builtins"
        else f"{kind.__module__}.{kind.__qualname__}"
    )
    if not frames:
        return name
    inner = _place(frames[-1])
    if isinstance(exc, Hang):
        inner = inner.split(":")[0]
    via = f" via {_place(ours[-1])}" if ours and ours[-1] is not frames[-1] else ""
    return f"{name} in {inner}{via}"


@dataclass(frozen=True)
class Crash:
    """A call that ended in anything but a fundalloc error."""

    target: str
    signature: str
    message: str
    data: bytes
    suffix: str

    def save(self, folder: Path) -> Path:
        """Write the input to ``folder`` as ``crash-<sha12><suffix>``; return its path."""
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"crash-{hashlib.sha256(self.data).hexdigest()[:12]}{self.suffix}"
        path.write_bytes(self.data)
        return path

    def report(self, saved: Path | None = None) -> str:
        shown = self.data[:300]
        more = f" … ({len(self.data)} bytes)" if len(self.data) > 300 else ""
        text = f"[{self.target}] {self.signature}\n  {self.message}\n  input: {shown!r}{more}"
        if saved is not None:
            folder = CORPUS_FOLDERS.get(self.target, self.target)
            text += f"\n  saved as {saved} (copy it into tests/fuzz/corpus/{folder}/)"
        return text


@dataclass
class Recorder:
    """Crashes of a long run: the smallest input per (target, signature)."""

    folder: Path
    crashes: dict[tuple[str, str], Crash] = field(default_factory=dict)

    def record(self, crash: Crash) -> None:
        key = (crash.target, crash.signature)
        if key not in self.crashes or len(crash.data) < len(self.crashes[key].data):
            self.crashes[key] = crash


#: Where crash inputs of failing runs are written; set from --fuzz-save by the conftest.
CRASH_FOLDER = Path(tempfile.gettempdir()) / "fundalloc-fuzz-crashes"
#: The recorder of the long run in progress (None: a crash fails the test at once).
RECORDER: Recorder | None = None


def run(
    target: str,
    call: Callable[[], object],
    data: bytes,
    suffix: str = "",
    *,
    isolate: bool = False,
) -> Crash | None:
    """Call ``call`` within the budget; the crash if it ended in anything but a fundalloc error.

    ``data`` and ``suffix`` are the input as a file would hold it, for the crash report.
    Warnings are not errors here (the command line shows them); they are counted in
    :data:`WARNINGS` for the summary. With ``isolate`` the call runs in a forked child, so
    that native code that aborts or crashes the process (a Rust allocation failure in
    python-calamine, a segfault) is a crash of this input instead of the end of the run.
    """
    TRIED[target] += 1
    if isolate:
        return _run_forked(target, call, data, suffix)
    crash, seen = _run_here(target, call, data, suffix)
    WARNINGS.update(seen)
    return crash


def _run_here(
    target: str, call: Callable[[], object], data: bytes, suffix: str
) -> tuple[Crash | None, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with memory_limit(), time_budget():
                call()
        except FundallocError:
            pass
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # everything else is the bug this harness looks for
            message = f"{type(exc).__name__}: {str(exc)[:300]}"
            return Crash(target, signature(exc), message, data, suffix), []
    seen = [
        f"{target}: {w.category.__name__} from {Path(w.filename).stem}: {str(w.message)[:80]}"
        for w in caught
    ]
    return None, seen


def _run_forked(target: str, call: Callable[[], object], data: bytes, suffix: str) -> Crash | None:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: run, report through the pipe, and leave without cleaning up
        os.close(read_end)
        try:
            crash, seen = _run_here(target, call, data, suffix)
            report = {"crash": crash and [crash.signature, crash.message], "warnings": seen[:20]}
            os.write(write_end, json.dumps(report).encode()[:60000])
        finally:
            os._exit(0)
    os.close(write_end)
    deadline = time.monotonic() + WALL_SECONDS + 5
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done or time.monotonic() > deadline:
            break
        time.sleep(0.002)
    if not done:
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    with os.fdopen(read_end, "rb") as pipe:
        text = pipe.read()
    if os.WIFSIGNALED(status):
        name = signal.Signals(os.WTERMSIG(status)).name
        why = "killed after the wall-time budget" if not done else f"the process died of {name}"
        return Crash(target, f"{name} (process killed)", why, data, suffix)
    if not text:
        return Crash(target, "no report (process exited)", f"exit status {status}", data, suffix)
    report = json.loads(text)
    WARNINGS.update(report["warnings"])
    if report["crash"] is None:
        return None
    return Crash(target, report["crash"][0], report["crash"][1], data, suffix)


def check(
    target: str,
    call: Callable[[], object],
    data: bytes,
    suffix: str = "",
    *,
    isolate: bool = False,
) -> None:
    """Assert the property: in a long run record a crash, otherwise fail the test on it."""
    crash = run(target, call, data, suffix, isolate=isolate)
    if crash is None:
        return
    if RECORDER is not None:
        RECORDER.record(crash)
        return
    raise AssertionError(crash.report(crash.save(CRASH_FOLDER / target)))


# ------------------------------------------------------------------------------- fuzzers
def scaled(cost: float) -> int:
    """Examples for a fuzzer of relative ``cost`` (1: a fast target) under the active profile.

    The dev profile's 60 examples give 60 / cost examples per fuzzer, the ci profile's 150
    are taken as 80, so that the whole tests/fuzz folder stays near a minute of CPU time on
    two cores in both.
    """
    return max(10, round(min(settings.default.max_examples, 80) / cost))


@dataclass(frozen=True)
class Fuzzer:
    """A property over generated inputs, run short by default and long with ``--fuzz``."""

    name: str
    cost: float
    strategies: dict[str, st.SearchStrategy[Any]]
    body: Callable[..., None]

    def hypothesis_test(self, max_examples: int, profile: str | None = None) -> Callable[[], None]:
        base = settings.get_profile(profile) if profile else settings.default
        return settings(  # type: ignore[no-any-return]
            base,
            max_examples=max_examples,
            deadline=None,  # the time budget is per call, in CPU seconds: see time_budget
            suppress_health_check=[
                HealthCheck.too_slow,
                HealthCheck.data_too_large,
                HealthCheck.filter_too_much,
                HealthCheck.large_base_example,
            ],
        )(given(**self.strategies)(self.body))

    def test(self) -> Callable[[pytest.FixtureRequest], None]:
        """The pytest test of this fuzzer."""

        def test_fuzz(request: pytest.FixtureRequest) -> None:
            seconds = request.config.getoption("--fuzz-seconds") if _long(request) else 0
            if not seconds:
                self.hypothesis_test(scaled(self.cost))()
                return
            long_run(self, seconds)

        test_fuzz.__name__ = test_fuzz.__qualname__ = f"test_{self.name}"
        test_fuzz.__doc__ = self.body.__doc__
        return pytest.mark.fuzz(test_fuzz)


def _long(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--fuzz"))


def fuzzer(
    name: str, *, cost: float = 1, **strategies: st.SearchStrategy[Any]
) -> Callable[[Callable[..., None]], Fuzzer]:
    """Make a :class:`Fuzzer` of a property body and its strategies (keyword arguments)."""

    def wrap(body: Callable[..., None]) -> Fuzzer:
        return Fuzzer(name, cost, strategies, body)

    return wrap


#: Long runs of this process: fuzzer name -> (seconds, batches).
LONG_RUNS: dict[str, tuple[float, int]] = {}


def long_run(fuzz: Fuzzer, seconds: float) -> None:
    """Run ``fuzz`` in batches of the ``fuzz`` profile for ``seconds``; fail listing every
    crash signature found (each with its smallest input, saved under the crash folder)."""
    global RECORDER
    recorder = Recorder(CRASH_FOLDER)
    RECORDER, start, batches = recorder, time.monotonic(), 0
    batch = max(20, round(settings.get_profile("fuzz").max_examples / fuzz.cost))
    try:
        while time.monotonic() - start < seconds:
            fuzz.hypothesis_test(batch, profile="fuzz")()
            batches += 1
    finally:
        RECORDER = None
        LONG_RUNS[fuzz.name] = (time.monotonic() - start, batches)
    if recorder.crashes:
        reports = [c.report(c.save(recorder.folder / c.target)) for c in recorder.crashes.values()]
        raise AssertionError(
            f"{len(reports)} crash signature(s) in {fuzz.name}:\n" + "\n".join(reports)
        )


def slug(text: str) -> str:
    """A file-name-safe short form of ``text``."""
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:60]
