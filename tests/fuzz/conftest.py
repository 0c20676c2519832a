"""The fuzzing harness: its marker, crash folder and report (inputs tried per target, warnings
that escaped the library, long runs)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.fuzz import harness


def pytest_configure(config: pytest.Config) -> None:
    folder = config.getoption("--fuzz-save")
    if folder:
        harness.CRASH_FOLDER = Path(folder).resolve()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test of this folder is marked ``fuzz`` (``-m "not fuzz"`` leaves them all out)."""
    here = Path(__file__).parent
    for item in items:
        if item.path.is_relative_to(here):
            item.add_marker(pytest.mark.fuzz)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not harness.TRIED:
        return
    write = terminalreporter.write_line
    terminalreporter.section("fuzzing")
    for target, count in sorted(harness.TRIED.items()):
        write(f"{target:>12}: {count} inputs")
    for name, (seconds, batches) in sorted(harness.LONG_RUNS.items()):
        write(f"long run {name}: {seconds:.0f} s, {batches} batches")
    if harness.WARNINGS:
        write(f"warnings that escaped the library ({sum(harness.WARNINGS.values())}):")
        for text, count in harness.WARNINGS.most_common(15):
            write(f"  {count:>6} × {text}")
    if terminalreporter.config.getoption("--fuzz"):
        harness.CRASH_FOLDER.mkdir(parents=True, exist_ok=True)
        summary = harness.CRASH_FOLDER / "summary.json"
        summary.write_text(
            json.dumps(
                {
                    "tried": dict(harness.TRIED),
                    "long_runs": harness.LONG_RUNS,
                    "warnings": dict(harness.WARNINGS),
                },
                ensure_ascii=False,
                indent=1,
            ),
            encoding="utf-8",
        )
        write(f"summary and crash inputs in {harness.CRASH_FOLDER}")
