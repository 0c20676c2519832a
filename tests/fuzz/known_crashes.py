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
    # allocate: the overlapping-groups example with the tier coefficient 二档 = 1e308 (a
    # finite scheme value): non-finite targets reach the general path's solver
    Known(
        "scheme/crash-e9e7729a86e2.toml",
        "IndexError in fundalloc/solvers/exact.py:solve_proportional",
        "16",
    ),
    # allocate: the partitioned-groups example with total = 10^18 (万元 steps of 1) takes
    # about 9 s of CPU in the largest-remainder rounding of 17 regions (the budget is 2 s)
    Known(
        "scheme/crash-7f8a4fe98d61.toml",
        "tests.fuzz.harness.Hang in tests/fuzz/harness.py via fundalloc/rounding.py:"
        "_largest_remainder",
        "10",
    ),
    # verify on a JSON output with one value changed (issue 10: "verify answers malformed
    # JSON ... with an internal error"); the change is in each comment
    Known(  # "provenance": null
        "verify/crash-bb4397c6e2a6.json",
        "AttributeError in fundalloc/io/verify.py:_file_changes",
        "10",
    ),
    Known(  # a breakdown item whose amount is not a string or number
        "verify/crash-bf18ed3d6be2.json",
        "AttributeError in fundalloc/io/verify.py:_verify_json",
        "10",
    ),
    Known(  # a data row with one cell more than the columns
        "verify/crash-2f70ae5b3fc1.json",
        "IndexError in fundalloc/io/verify.py:_rerun",
        "10",
    ),
    Known(  # "row_numbers" one shorter than the rows
        "verify/crash-ef5fbb04bb6e.json",
        "IndexError in fundalloc/table.py:RegionTable.take",
        "10",
    ),
    Known(  # "row_numbers": 1.7976931348623157e+308
        "verify/crash-173cea6bcf6c.json",
        "OverflowError in fundalloc/table.py:RegionTable.__init__",
        "10",
    ),
    Known(  # a value nested 5000 arrays deep
        "verify/crash-d293c02a0ecc.json",
        "RecursionError in json/decoder.py:JSONDecoder.raw_decode via "
        "fundalloc/io/verify.py:_verify_json",
        "10",
    ),
    Known(  # "scheme": 0 (a number, not the scheme's text)
        "verify/crash-8cc1714b5379.json",
        "TypeError in fundalloc/io/schemefile.py:_guard",
        "10",
    ),
    Known(  # "scheme": ["…"] (a list)
        "verify/crash-7fe83e743784.json",
        "TypeError in fundalloc/io/schemefile.py:_guard",
        "10",
    ),
    Known(  # "scheme SHA-256": {"v": "…"}
        "verify/crash-d5844fadf178.json",
        "TypeError in fundalloc/io/verify.py:_file_changes",
        "10",
    ),
    Known(  # "data file": {"v": "…"}
        "verify/crash-cbcdc39a5841.json",
        "TypeError in pathlib.py:PurePath._parse_args via fundalloc/io/verify.py:_file_changes",
        "10",
    ),
    Known(  # a data row replaced by the number -1
        "verify/crash-0fa265416995.json",
        "TypeError in fundalloc/io/verify.py:_rerun",
        "10",
    ),
    Known(  # "row_numbers": [2, 3, null, 5, 6]
        "verify/crash-da9b29d74c72.json",
        "TypeError in fundalloc/table.py:RegionTable.__init__",
        "10",
    ),
    Known(  # "row_numbers": [2, [3], 4, 5, 6]
        "verify/crash-ed2737fb6f68.json",
        "ValueError in fundalloc/table.py:RegionTable.__init__",
        "10",
    ),
]
