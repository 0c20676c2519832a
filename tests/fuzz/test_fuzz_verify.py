"""Fuzzing ``verify``'s readers with real outputs of ``fundalloc allocate``, mutated."""

from __future__ import annotations

import io
import random
from pathlib import Path

from hypothesis import strategies as st

from tests.fuzz import mutate
from tests.fuzz.harness import fuzzer
from tests.fuzz.targets import seeds, verify_output

JSON_OUTPUTS = seeds("verify", ".json")
XLSX_OUTPUTS = seeds("verify", ".xlsx")


@fuzzer(
    "verify_json",
    cost=2,
    seed=st.sampled_from(JSON_OUTPUTS),
    rnd=st.randoms(use_true_random=False),
)
def verify_json(seed: Path, rnd: random.Random) -> None:
    """A JSON output with values retyped, removed, wrapped, deeply nested, or bytes edited
    (the recorded scheme and data included, so the scheme loader is reached this way too)."""
    verify_output(mutate.mutate_json(seed.read_bytes(), rnd), ".json")


@fuzzer(
    "verify_xlsx",
    cost=4,
    seed=st.sampled_from(XLSX_OUTPUTS),
    rnd=st.randoms(use_true_random=False),
)
def verify_xlsx(seed: Path, rnd: random.Random) -> None:
    """An XLSX output with one XML member mutated and re-zipped."""
    verify_output(mutate.mutate_xlsx(seed.read_bytes(), rnd), ".xlsx")


@fuzzer(
    "verify_xlsx_cells",
    cost=6,
    seed=st.sampled_from(XLSX_OUTPUTS),
    rnd=st.randoms(use_true_random=False),
)
def verify_xlsx_cells(seed: Path, rnd: random.Random) -> None:
    """An XLSX output re-saved by openpyxl with a few cells changed to values of any type
    (the amounts, the recorded scheme's lines, the data, the provenance), or rows removed."""
    import openpyxl
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = openpyxl.load_workbook(io.BytesIO(seed.read_bytes()))
    for _ in range(rnd.randint(1, 3)):
        sheet = rnd.choice(book.worksheets)
        if rnd.random() < 0.2 and sheet.max_row > 1:
            sheet.delete_rows(rnd.randint(1, sheet.max_row), rnd.randint(1, 3))
            continue
        row, column = rnd.randint(1, sheet.max_row + 1), rnd.randint(1, sheet.max_column + 1)
        value = mutate.random_value(rnd, depth=3)
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("?", value)
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**63:
            value = str(value)  # openpyxl writes only what Excel can hold
        sheet.cell(row, column).value = value
    if rnd.random() < 0.1:
        book.remove(rnd.choice(book.worksheets))
    out = io.BytesIO()
    book.save(out)
    verify_output(out.getvalue(), ".xlsx")


test_verify_json = verify_json.test()
test_verify_xlsx = verify_xlsx.test()
test_verify_xlsx_cells = verify_xlsx_cells.test()
