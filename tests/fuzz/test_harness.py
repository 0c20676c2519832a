"""The harness itself: it must flag what it claims to flag, and pass what it claims to pass."""

from __future__ import annotations

import io
import os
import random
import time
import zipfile

import pytest

from fundalloc.errors import DataError
from tests.fuzz import harness, mutate
from tests.fuzz.harness import Hang, Recorder, check, run, signature, time_budget
from tests.fuzz.targets import seeds


def _raise(exc: BaseException) -> None:
    raise exc


def test_a_result_or_a_fundalloc_error_passes() -> None:
    assert run("self", lambda: 1, b"") is None
    assert run("self", lambda: _raise(DataError("bad row")), b"") is None


@pytest.mark.parametrize(
    "exc", [ZeroDivisionError("x"), KeyError("k"), RecursionError(), MemoryError(), SystemExit(3)]
)
def test_anything_else_is_a_crash(exc: BaseException) -> None:
    crash = run("self", lambda: _raise(exc), b"input", ".csv")
    assert crash is not None
    assert crash.signature.startswith(type(exc).__name__)
    assert "tests/fuzz/test_harness.py:_raise" in crash.signature


def test_a_hang_is_interrupted_even_inside_except_exception() -> None:
    def swallowing() -> None:
        try:
            while True:
                pass
        except Exception as exc:  # code under test that turns everything into its own error
            raise DataError("swallowed") from exc

    start = time.monotonic()
    with pytest.raises(Hang), time_budget(cpu=0.3):
        swallowing()
    assert time.monotonic() - start < 5


def test_a_memory_bomb_is_a_memory_error_not_a_dead_machine() -> None:
    crash = run("self", lambda: bytearray(harness.MEMORY_HEADROOM + 2**30), b"")
    assert crash is not None and crash.signature.startswith("MemoryError")
    assert len(bytearray(2**20)) == 2**20  # the limit is lifted afterwards


def test_an_isolated_call_that_kills_its_process_is_a_crash_of_that_input() -> None:
    crash = run("self", os.abort, b"", isolate=True)
    assert crash is not None and crash.signature == "SIGABRT (process killed)"
    crash = run("self", lambda: _raise(KeyError("k")), b"", isolate=True)
    assert crash is not None and crash.signature.startswith(
        "KeyError in tests/fuzz/test_harness.py"
    )
    assert run("self", lambda: _raise(DataError("bad")), b"", isolate=True) is None


def test_signature_leaves_out_lines_and_comprehensions() -> None:
    def one() -> None:
        [_raise(ValueError(i)) for i in range(1)]

    def two() -> None:
        _raise(ValueError(2))

    first, second = (run("self", f, b"") for f in (one, two))
    assert first is not None and second is not None
    assert first.signature == second.signature  # raised in _raise, reached from no fundalloc code
    try:
        [_raise(TypeError()) for _ in range(1)]
    except TypeError as exc:
        assert "<listcomp>" not in signature(exc)


def test_check_fails_the_test_or_records_in_a_long_run() -> None:
    with pytest.raises(AssertionError, match=r"\[self\] ZeroDivisionError"):
        check("self", lambda: 1 / 0, b"1/0", ".txt")
    harness.RECORDER = recorder = Recorder(harness.CRASH_FOLDER)
    try:
        check("self", lambda: 1 / 0, b"longer input", ".txt")
        check("self", lambda: 1 / 0, b"short", ".txt")
    finally:
        harness.RECORDER = None
    (crash,) = recorder.crashes.values()
    assert crash.data == b"short"  # the smallest input of the signature is kept


def test_mutators_are_deterministic_and_keep_workbooks_zips() -> None:
    data = seeds("xlsx", ".xlsx")[0].read_bytes()
    first = [mutate.mutate_xlsx(data, random.Random(n)) for n in range(30)]
    assert first == [mutate.mutate_xlsx(data, random.Random(n)) for n in range(30)]
    assert len(set(first)) > 20
    zips = sum(zipfile.is_zipfile(io.BytesIO(d)) for d in first)
    assert zips >= 20  # mostly structure-aware: a member mutated, the package re-zipped
    text = mutate.dumps({"a": "DEEP-NEST-3"})
    assert '"a": [[[0]]]' in text
