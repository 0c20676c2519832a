"""Crash cases in tests/fuzz/corpus that the code does not survive yet.

Each entry is a corpus file and the signature it fails with (see
:func:`tests.fuzz.harness.signature`). Its replay test in test_corpus.py fails until the
fix lands (they are not xfailed: a failing replay is the reminder); then
``test_known_crash_still_crashes`` fails too, asking for the entry to be removed from this
list, and the file stays in the corpus as a regression case. Empty this list as fixes land.
"""

from __future__ import annotations

from typing import NamedTuple


class Known(NamedTuple):
    """A corpus file that crashes today, with its signature and the issue that covers it."""

    path: str  # relative to tests/fuzz/corpus
    signature: str
    issue: str


KNOWN_UNFIXED: list[Known] = []
