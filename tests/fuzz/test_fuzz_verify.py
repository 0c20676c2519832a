"""Fuzzing ``verify``'s readers with real outputs of ``fundalloc allocate``, mutated."""

from __future__ import annotations

import io
import random
import tomllib
from pathlib import Path

from hypothesis import strategies as st

from tests.fuzz import mutate
from tests.fuzz.harness import CORPUS, check, fuzzer
from tests.fuzz.targets import scratch, seeds, verify_output

JSON_OUTPUTS = seeds("verify", ".json")
XLSX_OUTPUTS = seeds("verify", ".xlsx")
#: The bureau scheme without its name and data path (the round trip sets both).
BUREAU = {
    k: v
    for k, v in tomllib.loads((CORPUS / "scheme" / "bureau.toml").read_text("utf-8")).items()
    if k not in ("name", "data")
}


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


# ------------------------------------------------------------- what fundalloc writes, verify reads
ANY_IDS = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=12
).filter(lambda s: s.strip())
#: Ids a reader keeps (mostly), with the characters that have broken writers and verify.
PLAIN_IDS = st.text(
    st.sampled_from("甲乙丙丁戊己县市区 -=+@'\"#,;:\u2028\u00a0\u3000（）()·09aZ"),
    min_size=1,
    max_size=10,
).filter(lambda s: s.strip())


def _ids(ids: st.SearchStrategy[str]) -> st.SearchStrategy[list[str]]:
    return st.lists(ids, min_size=3, max_size=6, unique_by=lambda s: s.strip())


@fuzzer(
    "verify_roundtrip",
    cost=6,
    ids=st.one_of(_ids(PLAIN_IDS), _ids(ANY_IDS)),
    note=st.text(max_size=20),
    suffix=st.sampled_from([".json", ".xlsx"]),
)
def verify_roundtrip(ids: list[str], note: str, suffix: str) -> None:
    """``allocate -o`` then ``verify`` through the command line, with odd region ids (control
    characters, U+2028, U+0085, leading ``=``) and odd text in the scheme's name and comment:
    allocate exits 0, 1 or 2, and when it wrote an output, verify finds it identical (issue
    10: "verify must accept everything fundalloc writes")."""
    import contextlib
    import csv
    import io

    import tomli_w

    from fundalloc.cli import main

    folder = scratch(b"", ".d").with_suffix("")
    folder.mkdir(exist_ok=True)
    scheme = folder / "scheme.toml"
    document = {"name": note, **BUREAU}
    comment = "# " + " ".join(note.splitlines()) + "\n"
    scheme.write_text(comment + tomli_w.dumps(document), encoding="utf-8")
    data = folder / "data.csv"
    with data.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["地区", "贫困人口", "农村人口"])
        writer.writerows([i, 100 + 7 * k, 5000 + 300 * k] for k, i in enumerate(ids))
    output = folder / f"out{suffix}"
    output.unlink(missing_ok=True)

    def command(*argv: str) -> tuple[int, str]:
        err = io.StringIO()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            code = main(list(argv))
        return code, err.getvalue()

    def call() -> None:
        code, err = command("allocate", str(scheme), "--data", str(data), "-o", str(output))
        assert code in (0, 1, 2), f"allocate exited {code}: {err}"
        if code == 0:
            code, err = command("verify", str(output))
            assert code == 0, f"verify of fundalloc's own output exited {code}: {err}"

    payload = scheme.read_bytes() + b"\n--- data.csv ---\n" + data.read_bytes()
    check("roundtrip", call, payload, ".txt", isolate=suffix == ".xlsx")


test_verify_roundtrip = verify_roundtrip.test()
