"""Benchmark: the public path at numpy speed (issue 12), against one ``numpy.argsort``.

What is measured, for each size n (a fresh interpreter per measurement, so that its peak
memory is its own; fundalloc, numpy and the data are ready before the clock):

``numpy columns``
    ``RegionTable.from_columns({"地区": ids, "人口": x})`` from numpy arrays (ids an object
    array of str, x float64), ``fa.allocate`` with a binding floor (half the mean amount)
    and a binding cap (three times the mean share) under whole-unit rounding, and reading
    every amount (``sum(result.amounts.values())``): what a notebook user calls.
``Python lists``
    The same, the columns given as Python lists.
``numpy.argsort``
    One ``np.argsort`` of n random float64 values, timed in the same interpreter: the
    yardstick ("about as fast as one sort"; the bounded solve is one sort of 2n breakpoints).
``CLI``
    ``fundalloc allocate scheme.toml --data data.csv -o out.csv`` on an n-row CSV (a
    subprocess: start-up, reading, allocating, writing), against ``pandas`` doing the same
    job by hand in a subprocess: ``read_csv``, the proportional floor/cap multiplier by
    bisection, whole units by largest remainder, ``to_csv``. The ratio is printed.

Times are the best of ``--repeat`` calls (the CLI: of ``--cli-repeat`` processes). Peak
memory is the process's peak resident set size (VmHWM) after the calls. Nothing is asserted;
the goal lines (at 10^6: API under 1 s and within 20x one argsort, from lists under 2 s,
memory under 1 GB; the CLI under 5 s) report yes/no.

Run (from the repository root)::

    /work/venv/bin/python benchmarks/bench_public.py
    /work/venv/bin/python benchmarks/bench_public.py --sizes 10000 100000 1000000 --repeat 3
    /work/venv/bin/python benchmarks/bench_public.py --profile 1000000   # cProfile of the API
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
MEAN_UNITS = 100  # total = MEAN_UNITS * n whole units
FLOOR = MEAN_UNITS // 2  # half the mean amount: binds for the small regions
CAP_SHARES = 3.0  # three times the mean share: binds for the large ones

SCHEME = """\
schema_version = 1
name = "基准测试"
total = {total}
bounds = [
    {{ kind = "floor", name = "保底", amount = {floor} }},
    {{ kind = "cap", name = "封顶", share = {cap} }},
]

[[tranches]]
name = "人口因素"
share = 1

[[tranches.factors]]
name = "人口"
weight = 1

[tranches.factors.rule]
kind = "share"
column = "人口"

[data]
id = "地区"
"""

PANDAS_BY_HAND = """
import sys, time
import numpy as np, pandas as pd
start = time.perf_counter()
frame = pd.read_csv(sys.argv[1])
x = frame["人口"].to_numpy(dtype=float)
total, floor, cap = int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]) * int(sys.argv[2])
t = total * x / x.sum()
lo, hi = 0.0, 1.0
while np.clip(hi * t, floor, cap).sum() < total:
    hi *= 2
for _ in range(100):  # the common multiplier: clip(lam * t, floor, cap) adds up to the total
    lam = (lo + hi) / 2
    lo, hi = (lam, hi) if np.clip(lam * t, floor, cap).sum() < total else (lo, lam)
a = np.clip(hi * t, floor, cap)
units = np.floor(a).astype(np.int64)
left = total - int(units.sum())
units[np.argsort(-(a - units), kind="stable")[:left]] += 1  # largest remainder
frame["金额"] = units
frame.to_csv(sys.argv[5], index=False)
print(time.perf_counter() - start)
"""


def make_data(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Ids 县0000000 … and a heavy-tailed indicator (lognormal), so both bounds bind."""
    rng = np.random.default_rng(seed)
    ids = np.array([f"县{i:07d}" for i in range(n)], dtype=object)
    return ids, rng.lognormal(10.0, 1.2, n)


def scheme(n: int) -> Any:
    import fundalloc as fa

    return fa.Scheme(
        total=MEAN_UNITS * n,
        tranches=[
            fa.Tranche(
                name="人口因素",
                share=1,
                factors=[fa.Factor(name="人口", rule=fa.Share(column="人口"), weight=1)],
            )
        ],
        bounds=[fa.Floor(amount=FLOOR), fa.Cap(share=CAP_SHARES / n)],
    )


def peak_rss_mb() -> float:
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(n: int, mode: str, repeat: int, seed: int) -> dict[str, Any]:
    """One size in this interpreter: the API path timed in its parts, and one argsort."""
    import fundalloc as fa

    ids, x = make_data(n, seed)
    columns: dict[str, Any] = {"地区": ids, "人口": x}
    if mode == "lists":
        columns = {"地区": ids.tolist(), "人口": x.tolist()}
    plan = scheme(n)
    fa.allocate(fa.RegionTable.from_columns(columns, id="地区"), plan)  # warm: imports
    sort_input = np.random.default_rng(seed + 1).random(n)
    best: dict[str, float] = {}
    for _ in range(repeat):
        start = time.perf_counter()
        np.argsort(sort_input)
        best["argsort"] = min(best.get("argsort", np.inf), time.perf_counter() - start)
        t0 = time.perf_counter()
        table = fa.RegionTable.from_columns(columns, id="地区")
        t1 = time.perf_counter()
        result = fa.allocate(table, plan)
        t2 = time.perf_counter()
        total = sum(result.amounts.values())
        t3 = time.perf_counter()
        assert total == MEAN_UNITS * n, total
        for key, value in (("table", t1 - t0), ("allocate", t2 - t1), ("amounts", t3 - t2)):
            best[key] = min(best.get(key, np.inf), value)
        best["path"] = min(best.get("path", np.inf), t3 - t0)
    holds = getattr(result.trace, "holds", None)  # why each region holds its amount
    binding = ""
    if holds is not None:
        names = {0: "free", 1: "at the floor", 2: "at the cap"}
        values, counts = np.unique(np.asarray(holds), return_counts=True)
        binding = ", ".join(
            f"{names.get(v, v)}: {c:,}"
            for v, c in zip(values.tolist(), counts.tolist(), strict=True)
        )
    return {**best, "peak_mb": peak_rss_mb(), "binding": binding}


def run_child(n: int, mode: str, repeat: int, seed: int) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(n), mode, str(repeat), str(seed)],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"child {n} {mode} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def write_csv(path: Path, n: int, seed: int) -> None:
    ids, x = make_data(n, seed)
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write("地区,人口\n")
        f.writelines(f"{i},{v!r}\n" for i, v in zip(ids.tolist(), x.tolist(), strict=True))


def time_cli(folder: Path, n: int, seed: int, repeat: int) -> dict[str, Any]:
    data = folder / f"data_{n}.csv"
    write_csv(data, n, seed)
    scheme_path = folder / "scheme.toml"
    scheme_path.write_text(
        SCHEME.format(total=MEAN_UNITS * n, floor=FLOOR, cap=CAP_SHARES / n), encoding="utf-8"
    )
    env = {**os.environ, "FUNDALLOC_LANG": "zh"}
    cli, peak = np.inf, 0.0
    code = (
        "import sys, resource; from fundalloc.cli import main; code = main(sys.argv[1:]); "
        "print(open('/proc/self/status').read().split('VmHWM:')[1].split()[0], "
        "file=sys.stderr); sys.exit(code)"
    )
    out = folder / "out.csv"
    command = ["--data", str(data), "-o", str(out)]
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", code, "allocate", str(scheme_path), *command],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        elapsed = time.perf_counter() - start
        if done.returncode != 0:
            raise RuntimeError(f"the CLI failed:\n{done.stderr[-3000:]}")
        cli = min(cli, elapsed)
        peak = max(peak, int(done.stderr.strip().splitlines()[-1]) / 1024)
    pandas = np.inf
    by_hand = [str(data), str(MEAN_UNITS * n), str(FLOOR), str(CAP_SHARES / n)]
    by_hand.append(str(folder / "pandas.csv"))
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", PANDAS_BY_HAND, *by_hand],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"pandas by hand failed:\n{done.stderr[-3000:]}")
        pandas = min(pandas, time.perf_counter() - start)
    return {"cli": cli, "cli_peak_mb": peak, "pandas": pandas}


def profile(n: int, seed: int) -> None:
    import cProfile
    import pstats

    import fundalloc as fa

    ids, x = make_data(n, seed)
    plan = scheme(n)
    fa.allocate(
        fa.RegionTable.from_columns({"地区": ids[:10], "人口": x[:10]}, id="地区"), scheme(10)
    )
    profiler = cProfile.Profile()
    profiler.enable()
    result = fa.allocate(fa.RegionTable.from_columns({"地区": ids, "人口": x}, id="地区"), plan)
    sum(result.amounts.values())
    profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


def main(argv: list[str] | None = None) -> int:
    args_in = sys.argv[1:] if argv is None else argv
    if args_in[:1] == ["--child"]:
        n, mode, repeat, seed = args_in[1:5]
        print(json.dumps(measure(int(n), mode, int(repeat), int(seed))))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cli-size", type=int, default=1_000_000)
    parser.add_argument("--cli-repeat", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--profile", type=int, default=None, metavar="N")
    args = parser.parse_args(args_in)
    if args.profile:
        profile(args.profile, args.seed)
        return 0
    print(f"# public path, {platform.python_version()}, numpy {np.__version__}, ")
    print(f"# {platform.machine()} {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}\n")
    print("| n | input | table | allocate | amounts | path | argsort | path/argsort | peak MB |")
    print("|---|---|---|---|---|---|---|---|---|")
    rows: dict[tuple[int, str], dict[str, Any]] = {}
    for n in args.sizes:
        for mode in ("numpy", "lists"):
            r = run_child(n, mode, args.repeat, args.seed)
            rows[(n, mode)] = r
            print(
                f"| {n:,} | {mode} | {r['table']:.3f} | {r['allocate']:.3f} | "
                f"{r['amounts']:.3f} | {r['path']:.3f} | {r['argsort']:.4f} | "
                f"{r['path'] / r['argsort']:.1f}x | {r['peak_mb']:.0f} |",
                flush=True,
            )
    print(f"\nbounds: {rows[(args.sizes[-1], 'numpy')]['binding'] or 'not in the trace'}")
    with tempfile.TemporaryDirectory() as tmp:
        c = time_cli(Path(tmp), args.cli_size, args.seed, args.cli_repeat)
    print(
        f"\nCLI, {args.cli_size:,}-row CSV to CSV: {c['cli']:.2f} s "
        f"(peak {c['cli_peak_mb']:.0f} MB); pandas by hand {c['pandas']:.2f} s; "
        f"CLI / pandas = {c['cli'] / c['pandas']:.1f}x"
    )
    big = rows.get((1_000_000, "numpy"))
    if big is not None:
        lists = rows[(1_000_000, "lists")]
        print("\ngoals at 10^6 (issue 12):")
        print(
            f"  numpy columns under 1 s: {'yes' if big['path'] < 1 else 'no'} ({big['path']:.2f} s)"
        )
        ratio = big["path"] / big["argsort"]
        print(f"  within 20x one argsort: {'yes' if ratio <= 20 else 'no'} ({ratio:.1f}x)")
        print(
            f"  from lists under 2 s: {'yes' if lists['path'] < 2 else 'no'} "
            f"({lists['path']:.2f} s)"
        )
        peak = max(big["peak_mb"], lists["peak_mb"])
        print(f"  memory under 1 GB: {'yes' if peak < 1024 else 'no'} ({peak:.0f} MB)")
    if args.cli_size == 1_000_000:
        print(f"  CLI under 5 s: {'yes' if c['cli'] < 5 else 'no'} ({c['cli']:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
