"""Hypothesis profiles, the --run-slow option, the fuzzing options and the tests' language.

Profiles: ``dev`` (default, quick), ``ci`` (more examples, still within CI's budget,
chosen when CI=true) and ``slow`` (long property runs, with ``--run-slow``). ``fuzz`` is the
profile of each batch of a long fuzzing run (``--fuzz``, see tests/fuzz/README.md); it is not
loaded for the other tests.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=60, deadline=None)
settings.register_profile(
    "ci",
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "slow", max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "fuzz",
    max_examples=500,  # per batch: a long run repeats batches for --fuzz-seconds
    deadline=None,  # the harness bounds each input's CPU time instead
    database=None,  # a long run records its crashes itself (tests/fuzz/harness.py)
    suppress_health_check=list(HealthCheck),
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--run-slow", action="store_true", help="run long property runs and benchmarks"
    )
    parser.addoption(
        "--fuzz",
        action="store_true",
        help="long fuzzing run: each fuzzer of tests/fuzz runs for --fuzz-seconds",
    )
    parser.addoption(
        "--fuzz-seconds",
        type=float,
        default=60.0,
        help="with --fuzz: seconds per fuzzer (default 60)",
    )
    parser.addoption(
        "--fuzz-save",
        default=None,
        help="folder for crash inputs (default: $TMPDIR/fundalloc-fuzz-crashes)",
    )


def pytest_configure(config: pytest.Config) -> None:
    # The tests' own language is English, so that an assertion on a message reads the same
    # in every test module; the tests of the Chinese default (tests/test_i18n.py, the CLI's
    # language tests) choose their language explicitly. Set here, before collection, so the
    # doctests in fundalloc/ see it too.
    os.environ["FUNDALLOC_LANG"] = "en"
    config.addinivalue_line("markers", "fuzz: the fuzzing harness (tests/fuzz); longer with --fuzz")
    if config.getoption("--run-slow"):
        settings.load_profile("slow")
    elif os.environ.get("CI"):
        settings.load_profile("ci")
    else:
        settings.load_profile("dev")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--run-slow"):
        return
    skip = pytest.mark.skip(reason="long run: use --run-slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
