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


KNOWN_UNFIXED: list[Known] = [
    # verify on the bureau XLSX output with one number cell of the 测算明细 sheet (E17)
    # replaced by a 400-digit integer: float() of calamine's int overflows
    Known(
        "verify/crash-c4af25f3bb4b.xlsx",
        "OverflowError in fundalloc/io/verify.py:_number_cell",
        "10",
    ),
    # read_table on a 5 KB workbook whose first cell reference is r="A99999999": the default
    # XLSX engine (python-calamine) allocates the whole declared grid (12.8 GB) and the
    # process aborts (Rust allocation failure, SIGABRT) under a memory limit, or swaps without
    # one (issue 16: "bound the work by the cells that exist"); the openpyxl engine reads it
    Known(
        "xlsx/crash-03cb46347ed0.xlsx",
        "SIGABRT (process killed)",
        "16",
    ),
]
