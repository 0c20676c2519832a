"""Benchmark: reading bureau-shaped CSV and XLSX files with ``read_table``, against pandas.

The files (written into a temporary folder, or ``--folder``, from one seed): a title row
(merged across the table in XLSX), a unit row (单位：人), the header 地区 | 贫困人口 | 农村人口 |
等次 | 已脱贫享受政策人口, ``n`` region rows with unique ids (县0000000, 县0000001, …; whole
numbers, 等次 one of 一档/二档/三档) and a 合计 row holding the exact column sums (等次 empty).
CSV is UTF-8 with a BOM; XLSX is written by XlsxWriter when it is installed, else by
openpyxl in write-only mode (title not merged). ``--shape plain`` drops the title and unit
rows (the header is the first row; the 合计 row stays), for readers that do not look for
the header.

What is measured, on the same files, each measurement in a fresh interpreter (so that its
peak RSS is its own; the reader's modules, and for XLSX openpyxl and python-calamine if
installed, are imported before the clock and the baseline RSS):

``fundalloc.read_table``
    ``read_table(path, id="地区", columns=[...the four columns...])``: what users call. It
    finds the header, checks the 合计 row against the sums and drops it, and validates
    every cell. "regions" is ``len(table.ids)`` (it must be ``n``).
``fundalloc read_xlsx(engine="openpyxl")``
    When python-calamine is installed, ``read_table`` reads XLSX with it (if this fundalloc
    has that engine); this row times the openpyxl fallback of ``fundalloc.io.tables``.
``pandas.read_csv`` / ``pandas.read_excel``
    ``read_csv(path, skiprows=2, encoding="utf-8-sig")`` and ``read_excel(path, skiprows=2,
    engine=...)`` with openpyxl, and with calamine when python-calamine is installed: the
    peers, told where the header is, checking nothing (their "regions" count the 合计 row).
``fundalloc allocate`` (CLI)
    The whole command in a subprocess on the largest CSV: ``fundalloc allocate scheme.toml
    --data FILE -o out.csv`` with a one-tranche scheme (two share factors and a tiered
    coefficient on 等次, total 100·n 万元): start-up, reading, allocating, writing.

Times are the best of ``--repeat`` calls within the interpreter (the CLI: best of
``--cli-repeat`` processes, each ``python -c`` calling ``fundalloc.cli.main`` as the console
script does, then reporting its peak RSS). Memory is the peak resident set size of the
process (VmHWM) after one call, made before the timed ones, and its growth: that peak minus
the peak before the call (after the imports; 0 when the call stays under it, so only
meaningful for large files). The growth exponent is the least-squares slope of log(time)
on log(rows) over the sizes measured.
Nothing is asserted; the goal lines (issue 10: 10^6 CSV rows and 10^5 XLSX rows through
``read_table`` in under 5 s each) report yes/no. ``--profile`` instead runs cProfile on
``read_table`` of the largest CSV and XLSX and prints the top costs.

Run (from the repository root, with the project virtualenv)::

    .venv/bin/python benchmarks/bench_read.py
    .venv/bin/python benchmarks/bench_read.py --csv-sizes 10000 100000 1000000 \\
        --xlsx-sizes 10000 100000 --repeat 3 --cli-repeat 1 --seed 0
    .venv/bin/python benchmarks/bench_read.py --profile
"""

from __future__ import annotations

import argparse
import csv
import importlib
import importlib.util
import inspect
import json
import math
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
from _timing import best_of, fmt_s  # benchmarks/ is on sys.path when run

ID = "地区"
COLUMNS = ("贫困人口", "农村人口", "等次", "已脱贫享受政策人口")
TITLE = "2026年少数民族发展资金分配因素表（基准测试数据）"
UNIT = "单位：人"
GRADES = ("一档", "二档", "三档")
GOAL_SECONDS = 5.0
GOALS = {"csv": 1_000_000, "xlsx": 100_000}  # rows that read_table must read in GOAL_SECONDS


# ------------------------------------------------------------------ the files
def make_columns(n: int, seed: int) -> dict[str, list[Any]]:
    """n regions: unique ids, whole-number populations, a grade."""
    rng = np.random.default_rng([seed, n])
    rural = rng.integers(2_000, 200_000, n)
    poor = (rural * rng.uniform(0.005, 0.15, n)).astype(np.int64)
    exited = (poor * rng.uniform(0.5, 3.0, n)).astype(np.int64)
    grade = rng.integers(0, len(GRADES), n)
    return {
        ID: [f"县{i:07d}" for i in range(n)],
        "贫困人口": poor.tolist(),
        "农村人口": rural.tolist(),
        "等次": [GRADES[g] for g in grade],
        "已脱贫享受政策人口": exited.tolist(),
    }


def total_row(cols: dict[str, list[Any]]) -> list[Any]:
    """合计 with the exact sums of the number columns (等次 left empty)."""
    return [
        "合计",
        sum(cols["贫困人口"]),
        sum(cols["农村人口"]),
        "",
        sum(cols["已脱贫享受政策人口"]),
    ]


def write_csv(path: Path, cols: dict[str, list[Any]], shape: str) -> None:
    width = len(cols)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        if shape == "bureau":
            writer.writerow([TITLE] + [""] * (width - 1))
            writer.writerow([UNIT] + [""] * (width - 1))
        writer.writerow(list(cols))
        writer.writerows(zip(*cols.values(), strict=True))
        writer.writerow(total_row(cols))


def write_xlsx(path: Path, cols: dict[str, list[Any]], shape: str) -> str:
    """Write the sheet; returns the writer's name."""
    width = len(cols)
    rows = zip(*cols.values(), strict=True)
    try:
        import xlsxwriter
    except ImportError:
        xlsxwriter = None
    if xlsxwriter is not None:
        workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
        sheet = workbook.add_worksheet("因素表")
        top = 0
        if shape == "bureau":
            sheet.merge_range(0, 0, 0, width - 1, TITLE)
            sheet.write_row(1, 0, [UNIT])
            top = 2
        sheet.write_row(top, 0, list(cols))
        for r, row in enumerate(rows, start=top + 1):
            sheet.write_row(r, 0, row)
        sheet.write_row(top + len(cols[ID]) + 1, 0, total_row(cols))
        workbook.close()
        return f"XlsxWriter {metadata.version('xlsxwriter')}"
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("因素表")
    if shape == "bureau":
        sheet.append([TITLE])
        sheet.append([UNIT])
    sheet.append(list(cols))
    for row in rows:
        sheet.append(row)
    sheet.append(total_row(cols))
    workbook.save(path)
    return f"openpyxl {metadata.version('openpyxl')} (write-only)"


def data_file(folder: Path, fmt: str, n: int, shape: str, seed: int) -> Path:
    """The file for (format, n), written unless ``folder`` already holds it."""
    path = folder / f"read_{shape}_{n}_s{seed}.{fmt}"
    if not path.exists():
        cols = make_columns(n, seed)
        tmp = path.with_suffix(f".part.{fmt}")
        write_csv(tmp, cols, shape) if fmt == "csv" else write_xlsx(tmp, cols, shape)
        tmp.replace(path)
    return path


SCHEME = """\
schema_version = 1
name = "读取基准"
total = {total}

[[tranches]]
name = "因素"
share = 1.0

[[tranches.factors]]
name = "贫困人口"
weight = 0.6
rule = {{ kind = "share", column = "贫困人口" }}

[[tranches.factors]]
name = "巩固脱贫"
weight = 0.4
rule = {{ kind = "share", column = "已脱贫享受政策人口" }}

[[tranches.coefficients]]
name = "等次系数"
rule = {{ kind = "tiered", column = "等次", tiers = {{ "一档" = 1.1, "二档" = 1, "三档" = 0.9 }} }}
"""


# ------------------------------------------------------------------ one measurement (child)
def reader(contender: str, path: str, skip: int) -> Callable[[], Any]:
    """Import what ``contender`` needs and return the call to time."""
    xlsx = path.endswith(".xlsx")
    if xlsx:  # the XLSX engines, which the readers import on first use
        importlib.import_module("openpyxl")
        if importlib.util.find_spec("python_calamine") is not None:
            importlib.import_module("python_calamine")
    if contender == "fundalloc":
        import fundalloc

        return lambda: fundalloc.read_table(path, id=ID, columns=list(COLUMNS))
    if contender == "fundalloc-openpyxl":
        from fundalloc.io.tables import read_xlsx

        return lambda: read_xlsx(path, id=ID, columns=list(COLUMNS), engine="openpyxl")
    import pandas as pd

    if not xlsx:
        return lambda: pd.read_csv(path, skiprows=skip, encoding="utf-8-sig")
    engine = {"pandas": "openpyxl", "pandas-calamine": "calamine"}[contender]
    return lambda: pd.read_excel(path, skiprows=skip, engine=engine)


def peak_kib() -> int:
    """This process's peak RSS in KiB: VmHWM, which exec resets (Linux keeps ``ru_maxrss``
    across fork and exec, so a child would report the benchmark's own size)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # elsewhere: the best there is


def measure(contender: str, path: str, skip: int, repeat: int) -> dict[str, Any]:
    fn = reader(contender, path, skip)
    before = peak_kib()
    try:  # the peak of one call alone (best_of holds one result while it reads the next)
        result = fn()
        peak = peak_kib()
        rows = len(result.ids) if contender.startswith("fundalloc") else len(result)
        module = result.__module__
        del result
        seconds, _ = best_of(fn, repeat)
    except Exception as exc:  # a reader that refuses the file is a result, not a crash
        return {"error": f"{type(exc).__name__}: {exc}"}
    where = str(Path(sys.modules[module.split(".")[0]].__file__ or "?").parent)
    return {
        "seconds": seconds,
        "rss_kib": peak,
        "growth_kib": peak - before,
        "rows": rows,
        "module": where,
    }


# ------------------------------------------------------------------ the parent
def run_child(contender: str, path: Path, skip: int, repeat: int, timeout: float) -> dict[str, Any]:
    command = [sys.executable, __file__, "--measure", contender, str(path)]
    command += ["--skip", str(skip), "--repeat", str(repeat)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"no answer within {timeout:g} s"}
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        tail = (done.stderr.strip().splitlines() or ["?"])[-1]
        return {"error": f"exit {done.returncode}: {tail}"}
    return json.loads(lines[-1])


CLI_WRAPPER = """\
import sys
from fundalloc.cli import main  # what the fundalloc console script runs
try:
    code = main(sys.argv[1:])
finally:
    with open("/proc/self/status") as fh:
        hwm = [line.split()[1] for line in fh if line.startswith("VmHWM:")]
    sys.stderr.write(f"\\nVmHWM_KiB {hwm[0] if hwm else 0}\\n")
sys.exit(code)
"""


def run_cli(folder: Path, data: Path, n: int, repeat: int) -> dict[str, Any]:
    """``fundalloc allocate`` in a subprocess: best wall time, peak RSS, regions written."""
    scheme = folder / f"scheme_{n}.toml"
    scheme.write_text(SCHEME.format(total=100 * n), encoding="utf-8")
    out = folder / f"out_{n}.csv"
    command = [sys.executable, "-c", CLI_WRAPPER, "allocate", str(scheme)]
    command += ["--data", str(data), "-o", str(out)]
    best, rss, status, err = math.inf, 0, 0, ""
    for _ in range(repeat):
        out.unlink(missing_ok=True)
        start = time.perf_counter()
        done = subprocess.run(  # cwd: so that `python -c` imports fundalloc as installed
            command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=folder
        )
        best = min(best, time.perf_counter() - start)
        status = done.returncode
        err, _, hwm = done.stderr.decode("utf-8", "replace").rpartition("VmHWM_KiB ")
        rss = max(rss, int(hwm.strip() or 0))
    result: dict[str, Any] = {"seconds": best, "rss_kib": rss, "exit": status}
    if status != 0:
        result["error"] = err
    elif out.exists():
        with out.open(encoding="utf-8-sig") as fh:  # region rows: their ids start with 县
            result["rows"] = sum(1 for line in fh if line.startswith("县"))
    return result


def exponent(points: list[tuple[int, float]]) -> float | None:
    """Least-squares slope of log(time) on log(rows)."""
    if len(points) < 2:
        return None
    x, y = np.log([p[0] for p in points]), np.log([p[1] for p in points])
    return float(np.polyfit(x, y, 1)[0])


def brief(error: str, folder: Path) -> str:
    """An error for a table cell: its first two lines, without the folder, ``|`` escaped."""
    lines = [line.strip() for line in error.replace(f"{folder}{os.sep}", "").splitlines()]
    text = " / ".join([line for line in lines if line][:2]).replace("|", "\\|")
    return text if len(text) <= 200 else text[:199] + "…"


def fmt_mib(kib: int | None) -> str:
    return "—" if kib is None else f"{kib / 1024:,.0f} MiB"


def openpyxl_engine() -> bool:
    """Whether fundalloc's XLSX reader can be told to use openpyxl (its fallback when
    python-calamine is missing), so the fallback is timed too."""
    try:
        from fundalloc.io.tables import read_xlsx
    except ImportError:
        return False
    return "engine" in inspect.signature(read_xlsx).parameters


def version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def profile(paths: list[Path], top: int) -> None:
    import cProfile
    import pstats

    import fundalloc

    for path in paths:
        if path.suffix == ".xlsx":
            import openpyxl  # noqa: F401
        profiler = cProfile.Profile()
        start = time.perf_counter()
        profiler.enable()
        table = fundalloc.read_table(path, id=ID, columns=list(COLUMNS))
        profiler.disable()
        elapsed = time.perf_counter() - start
        print(
            f"\n## cProfile: read_table({path.name}) — {len(table.ids):,} regions, {elapsed:.2f} s"
        )
        print("(wall time under the profiler, which inflates Python-level calls)\n")
        for key in ("tottime", "cumulative"):
            print(f"### top {top} by {key}\n```")
            stats = pstats.Stats(profiler, stream=sys.stdout)
            stats.strip_dirs().sort_stats(key).print_stats(top)
            print("```")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--csv-sizes", type=int, nargs="*", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--xlsx-sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--shape", choices=("bureau", "plain"), default="bureau")
    parser.add_argument("--repeat", type=int, default=3, help="calls per measurement")
    parser.add_argument("--cli-repeat", type=int, default=1, help="CLI processes (0: none)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per measurement")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--folder", type=Path, help="keep the files here and reuse them")
    parser.add_argument("--profile", action="store_true", help="cProfile read_table instead")
    parser.add_argument("--top", type=int, default=20, help="rows of the profile")
    parser.add_argument("--measure", nargs=2, metavar=("READER", "PATH"), help=argparse.SUPPRESS)
    parser.add_argument("--skip", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.measure:
        print(json.dumps(measure(*args.measure, args.skip, args.repeat)))
        return 0

    with tempfile.TemporaryDirectory(prefix="bench_read_") as tmp:
        folder = (args.folder or Path(tmp)).resolve()
        folder.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        files = {
            fmt: {n: data_file(folder, fmt, n, args.shape, args.seed) for n in sizes}
            for fmt, sizes in (("csv", args.csv_sizes), ("xlsx", args.xlsx_sizes))
        }
        t_write = time.perf_counter() - start
        if args.profile:
            biggest = [files[f][max(files[f])] for f in ("csv", "xlsx") if files[f]]
            profile(biggest, args.top)
            return 0
        report(args, folder, files, t_write)
    return 0


LABELS = {
    ("csv", "fundalloc"): "fundalloc.read_table",
    ("csv", "pandas"): "pandas.read_csv",
    ("xlsx", "fundalloc"): "fundalloc.read_table",
    ("xlsx", "fundalloc-openpyxl"): 'fundalloc read_xlsx(engine="openpyxl")',
    ("xlsx", "pandas"): "pandas.read_excel (openpyxl)",
    ("xlsx", "pandas-calamine"): "pandas.read_excel (calamine)",
}


def report(
    args: argparse.Namespace, folder: Path, files: dict[str, dict[int, Path]], t_write: float
) -> None:
    skip = 2 if args.shape == "bureau" else 0
    calamine = version("python-calamine") != "not installed"
    contenders = {
        "csv": ["fundalloc", "pandas"],
        "xlsx": [
            "fundalloc",
            *(["fundalloc-openpyxl"] if calamine and openpyxl_engine() else []),
            "pandas",
            *(["pandas-calamine"] if calamine else []),
        ],
    }
    results: dict[tuple[str, str, int], dict[str, Any]] = {}
    for fmt, by_size in files.items():
        for n, path in by_size.items():
            for who in contenders[fmt]:
                results[fmt, who, n] = run_child(who, path, skip, args.repeat, args.timeout)
    cli = None
    if args.cli_repeat > 0 and files["csv"]:
        n = max(files["csv"])
        cli = (n, run_cli(folder, files["csv"][n], n, args.cli_repeat))

    print("# fundalloc reading benchmark\n")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"- Python {platform.python_version()}, fundalloc {version('fundalloc')}, "
        f"pandas {version('pandas')}, numpy {np.__version__}, openpyxl {version('openpyxl')}, "
        f"python-calamine {version('python-calamine')}, XlsxWriter {version('xlsxwriter')}; "
        f"CPU count {os.cpu_count()}; {platform.machine()}, "
        f"{platform.system()} {platform.release()}; load average after the run {load}"
    )
    where = {
        r["module"] for (_, who, _), r in results.items() if who == "fundalloc" and "module" in r
    }
    print(f"- fundalloc imported from {', '.join(sorted(where)) or '—'}")
    shape = "title row, unit row, header" if args.shape == "bureau" else "header"
    writer = "XlsxWriter" if version("xlsxwriter") != "not installed" else "openpyxl"
    print(
        f"- files: {shape}, n regions, 合计 row; CSV UTF-8 with BOM, XLSX by {writer}; "
        f"written in {fmt_s(t_write)}; best of {args.repeat} calls, each reader in a fresh "
        f"interpreter; seed {args.seed}"
    )
    print(
        "- peak RSS: the process's VmHWM; growth: over the peak after the imports; "
        "fa ÷ this: read_table's time (RSS growth) over this reader's\n"
    )
    for fmt, by_size in files.items():
        if by_size:
            print(f"## {fmt.upper()}\n")
            print(
                "| rows | file | reader | time | peak RSS | RSS growth | regions read "
                "| fa ÷ this: time | fa ÷ this: RSS growth |"
            )
            print("|---:|---:|---|---:|---:|---:|---:|---:|---:|")
            for n, path in by_size.items():
                for who in contenders[fmt]:
                    print(row_line(fmt, who, n, path, results, folder))
            print()

    print("## growth exponent (least-squares slope of log time on log rows)\n")
    print("| format | reader | rows | exponent |")
    print("|---|---|---|---:|")
    for fmt, by_size in files.items():
        for who in contenders[fmt] if by_size else ():
            points = [
                (n, results[fmt, who, n]["seconds"])
                for n in by_size
                if "error" not in results[fmt, who, n]
            ]
            k = exponent(points)
            span = f"{min(points)[0]:,} to {max(points)[0]:,}" if points else "—"
            k_text = "—" if k is None else f"{k:.2f}"
            print(f"| {fmt.upper()} | {LABELS[fmt, who]} | {span} | {k_text} |")
    print()

    if cli is not None:
        n, r = cli
        print("## whole CLI: fundalloc allocate scheme.toml --data FILE -o out.csv\n")
        print("| rows | time | peak RSS | exit | regions written |")
        print("|---:|---:|---:|---:|---|")
        rows = f"{r['rows']:,}" if "rows" in r else brief(r.get("error", "—"), folder)
        print(f"| {n:,} | {fmt_s(r['seconds'])} | {fmt_mib(r['rss_kib'])} | {r['exit']} | {rows} |")
        print()

    for fmt, n in GOALS.items():
        r = results.get((fmt, "fundalloc", n))
        goal = f"goal: read_table, {n:,} {fmt.upper()} rows under {GOAL_SECONDS:g} s"
        if r is None:
            print(f"{goal}: not measured (add {n} to --{fmt}-sizes)")
        elif "error" in r:
            print(f"{goal}: no ({brief(r['error'], folder)})")
        else:
            met = "yes" if r["seconds"] < GOAL_SECONDS else "no"
            print(f"{goal}: {met} ({fmt_s(r['seconds'])})")


def row_line(
    fmt: str,
    who: str,
    n: int,
    path: Path,
    results: dict[tuple[str, str, int], dict[str, Any]],
    folder: Path,
) -> str:
    """One row of a format's table; a peer's row carries fundalloc's ratios over it."""
    r, ours = results[fmt, who, n], results[fmt, "fundalloc", n]
    head = f"| {n:,} | {path.stat().st_size / 2**20:,.2f} MiB | {LABELS[fmt, who]} |"
    if "error" in r:
        return f"{head} {brief(r['error'], folder)} | | | | | |"
    ratio_t = ratio_m = "—"
    if who != "fundalloc" and "error" not in ours:
        ratio_t = f"{ours['seconds'] / r['seconds']:.2f}×"
        ratio_m = f"{ours['growth_kib'] / max(r['growth_kib'], 1):.2f}×"
    return (
        f"{head} {fmt_s(r['seconds'])} | {fmt_mib(r['rss_kib'])} | {fmt_mib(r['growth_kib'])} "
        f"| {r['rows']:,} | {ratio_t} | {ratio_m} |"
    )


if __name__ == "__main__":
    sys.exit(main())
