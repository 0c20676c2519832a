"""The targets: each reader of untrusted input, called through its public entry point.

Each target takes the input as a file would hold it (bytes and a suffix), so that a crash
is saved and replayed as a file. Corpus folders are named after the targets:

========== ================================================================= ==================
folder     call                                                              input
========== ================================================================= ==================
csv, xlsx  ``fundalloc.read_table(path, id="地区", columns=...)``, then every     a data file
           column read as numbers (``table.check``)
scheme     ``fundalloc.io.schemefile.load_scheme(path)`` (TOML or JSON), then     a scheme file
           ``allocate`` on :func:`fuzz_table` (target ``allocate``)
expression ``Expression.parse(text)``, ``.columns()`` and ``.evaluate`` on        an expression
           :func:`expression_table`
verify     ``fundalloc.io.verify.verify(path)``                                   an output file
========== ================================================================= ==================
"""

from __future__ import annotations

import atexit
import csv
import inspect
import shutil
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path

import fundalloc
from fundalloc.expressions import Expression
from fundalloc.io.schemefile import load_scheme
from fundalloc.io.verify import verify
from fundalloc.table import RegionTable
from tests.fuzz.harness import CORPUS, REPO, check

#: The id column and the columns the bureau seeds hold; a read asks for these.
ID = "地区"
READER_COLUMNS = ("贫困人口", "农村人口")

_SCRATCH = Path(tempfile.mkdtemp(prefix="fundalloc-fuzz-"))
atexit.register(shutil.rmtree, _SCRATCH, ignore_errors=True)


def scratch(data: bytes, suffix: str) -> Path:
    """``data`` written to this process's scratch file with ``suffix``."""
    path = _SCRATCH / f"input{suffix}"
    path.write_bytes(data)
    return path


# ----------------------------------------------------------------------------- tables
@cache
def fuzz_table() -> RegionTable:
    """The Shandong example's data plus the bureau columns: every seed scheme allocates on it."""
    with open(REPO / "examples" / "shandong_2018" / "data.csv", encoding="utf-8") as file:
        header, *rows = csv.reader(file)  # not read_table: the readers are under test
    columns = {name: [row[j] for row in rows] for j, name in enumerate(header)}
    table = RegionTable.from_columns(columns, id=ID)
    poor = [500 + 37 * i for i in range(len(table))]
    rural = [20000 + 1000 * i for i in range(len(table))]
    return table.with_column("贫困人口", poor).with_column("农村人口", rural)


@cache
def expression_table() -> RegionTable:
    """Columns with the values that break arithmetic: zero, negatives, the extremes of binary64."""
    return RegionTable.from_columns(
        {
            "id": ["a", "b", "c", "d", "e", "f"],
            "x": [0.0, -1.0, 1e308, 5e-324, 2.2250738585072014e-308, 3.0],
            "y": [1.0, 0.0, -1e308, 1e-300, 7.0, 2.0],
            "人口": [100, 0, 3, 1, 2**53, 10],
            "人均GDP(元)": [1e4, 2e4, 3e4, 4e4, 5e4, 6e4],
            "min": [1, 2, 3, 4, 5, 6],
        },
        id="id",
    )


# ---------------------------------------------------------------------------- targets
def _engines() -> tuple[str, ...]:
    """The XLSX engines ``read_xlsx`` offers besides its default (none before it offered any)."""
    from fundalloc.io.tables import read_xlsx

    return ("openpyxl",) if "engine" in inspect.signature(read_xlsx).parameters else ()


def read_data(data: bytes, suffix: str) -> None:
    """Read a data file as a scheme needing :data:`READER_COLUMNS` would, and use every column;
    an XLSX file also through openpyxl (target ``xlsx-openpyxl``) when the default engine is
    another (python-calamine)."""

    def use(table: RegionTable) -> None:
        for column in table.columns:
            table.check(column)
            table.check(column, nonnegative=True)

    def call() -> None:
        use(fundalloc.read_table(scratch(data, suffix), id=ID, columns=READER_COLUMNS))

    # XLSX goes through native code (python-calamine): a child process, so that an abort is
    # a crash of this input and not the end of the run
    isolate = suffix == ".xlsx"
    check(suffix.lstrip("."), call, data, suffix, isolate=isolate)
    if isolate:
        from fundalloc.io.tables import read_xlsx

        for engine in _engines():

            def call_engine(engine: str = engine) -> None:
                path = scratch(data, suffix)
                use(read_xlsx(path, id=ID, columns=READER_COLUMNS, engine=engine))  # type: ignore[arg-type]

            check(f"xlsx-{engine}", call_engine, data, suffix, isolate=True)


def load_and_allocate(data: bytes, suffix: str) -> None:
    """Load a scheme file; when it loads, allocate with it on :func:`fuzz_table`."""
    loaded: list[fundalloc.Scheme] = []

    def load() -> None:
        loaded.append(load_scheme(scratch(data, suffix)).scheme)

    check("scheme", load, data, suffix)
    if loaded:
        check("allocate", lambda: fundalloc.allocate(fuzz_table(), loaded[0]), data, suffix)


def expression(text: str) -> None:
    """Parse an expression; when it parses, list its columns and evaluate it."""
    data = text.encode("utf-8", "surrogatepass")

    def call() -> None:
        parsed = Expression.parse(text)
        parsed.columns()
        parsed.evaluate(expression_table())

    check("expression", call, data, ".txt")


def verify_output(data: bytes, suffix: str) -> None:
    """``verify`` an output file (JSON or XLSX)."""
    call = lambda: verify(scratch(data, suffix))  # noqa: E731
    check("verify", call, data, suffix, isolate=suffix == ".xlsx")


#: The target of each corpus folder: how a file in it is replayed.
REPLAY: dict[str, Callable[[Path], None]] = {
    "csv": lambda p: read_data(p.read_bytes(), p.suffix),
    "xlsx": lambda p: read_data(p.read_bytes(), p.suffix),
    "scheme": lambda p: load_and_allocate(p.read_bytes(), p.suffix),
    "expression": lambda p: expression(p.read_bytes().decode("utf-8", "surrogatepass")),
    "verify": lambda p: verify_output(p.read_bytes(), p.suffix),
}


def seeds(folder: str, *suffixes: str) -> list[Path]:
    """The seed files of a corpus folder (crash cases are replayed, not mutated)."""
    return sorted(
        p
        for p in (CORPUS / folder).iterdir()
        if p.suffix in suffixes and not p.name.startswith("crash-")
    )
