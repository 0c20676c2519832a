"""Benchmark: how each public path grows with the number of regions (issue 12).

Each path is timed at 10^4, 10^5 and 10^6 regions (``--sizes``) on generated data, and its
growth exponent is the least-squares slope of log(time) on log(n). One sort grows as
n log n, a slope of about 1.05-1.1 over this range; any path above ~1.15 grows faster than
n log n and is a defect (STYLE.md: "any public path above n log n is a bug"). A path whose
time at a size passes ``--budget`` seconds is not run at the larger sizes: its exponent is
fitted on the sizes it ran, and the table says so.

Times are the process's CPU time by default (``--clock cpu``, :func:`time.process_time`): on
a shared machine wall time measures the other processes too (at a load of 8 on 2 CPUs the wall
clock gave read_csv an exponent of 1.27, its CPU time 1.06). The paths run in one thread, so
on an idle machine the two clocks agree; ``--clock wall`` measures wall time.

The paths (the data: ids 县0000000 …, a lognormal indicator 人口, a second one 面积, a kind
市/县, and for the levels a parent column):

``read_csv``            ``fa.read_csv`` of an n-row bureau CSV (title row, header, 合计 row)
``from_columns``        ``RegionTable.from_columns`` from numpy columns
``allocate``            ``fa.allocate`` with a binding floor and cap (whole units)
``amounts``             ``result.amounts``: every region's amount as Decimal
``allocate_sources``    ``fa.allocate_sources`` with 5 sources, each eligible for a part
``group_floor``         ``fa.allocate`` with a ``GroupFloor(regions=[...])`` naming n/4 regions
``allocate_levels``     ``fa.allocate_levels``: n/100 cities, each splitting among 99 counties
``monte_carlo_data``    ``monte_carlo_data`` of 10 draws (noise on 人口), sequential

Run (from the repository root)::

    /work/venv/bin/python benchmarks/bench_scaling.py
    /work/venv/bin/python benchmarks/bench_scaling.py --sizes 10000 100000 --paths allocate
    /work/venv/bin/python benchmarks/bench_scaling.py --profile group_floor 100000
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

MEAN_UNITS = 100
CLOCK: list[Callable[[], float]] = [time.process_time]  # the clock chosen by --clock
LIMIT = 1.15  # above this the path grows faster than n log n


def data(n: int, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "地区": np.array([f"县{i:07d}" for i in range(n)], dtype=object),
        "人口": rng.lognormal(10.0, 1.2, n),
        "面积": rng.uniform(100.0, 5000.0, n),
        "类型": np.where(rng.random(n) < 0.1, "市", "县").astype(object),
    }


def scheme(n: int, *, bounds: bool = True, constraints: tuple[Any, ...] = ()) -> Any:
    import fundalloc as fa

    factors = [
        fa.Factor(name="人口", rule=fa.Share(column="人口"), weight=0.7),
        fa.Factor(name="面积", rule=fa.Share(column="面积"), weight=0.3),
    ]
    return fa.Scheme(
        total=MEAN_UNITS * n,
        tranches=[fa.Tranche(name="因素", share=1, factors=factors)],
        bounds=[fa.Floor(amount=MEAN_UNITS // 2), fa.Cap(share=3.0 / n)] if bounds else [],
        constraints=list(constraints),
    )


def write_csv(path: Path, columns: dict[str, np.ndarray]) -> None:
    ids, x, area = columns["地区"].tolist(), columns["人口"], columns["面积"]
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write("2026年分配因素表\n地区,人口,面积\n")
        f.writelines(
            f"{i},{a!r},{b!r}\n" for i, a, b in zip(ids, x.tolist(), area.tolist(), strict=True)
        )
        f.write(f"合计,{math.fsum(x.tolist())!r},{math.fsum(area.tolist())!r}\n")


# ---------------------------------------------------------------- the paths: setup, then call
def path_read_csv(n: int, folder: Path) -> Callable[[], Any]:
    import fundalloc as fa

    path = folder / f"read_{n}.csv"
    write_csv(path, data(n))
    return lambda: fa.read_csv(path, id="地区", columns=["人口", "面积"])


def path_from_columns(n: int, folder: Path) -> Callable[[], Any]:
    import fundalloc as fa

    columns = data(n)
    return lambda: fa.RegionTable.from_columns(columns, id="地区")


def _table(n: int) -> Any:
    import fundalloc as fa

    return fa.RegionTable.from_columns(data(n), id="地区", kind="类型")


def path_allocate(n: int, folder: Path) -> Callable[[], Any]:
    import fundalloc as fa

    table, plan = _table(n), scheme(n)
    return lambda: fa.allocate(table, plan)


def path_amounts(n: int, folder: Path) -> Callable[[], Any]:
    import fundalloc as fa

    table, plan = _table(n), scheme(n)

    def call() -> Any:
        result = fa.allocate(table, plan)  # a fresh result: amounts are cached on it
        start = CLOCK[0]()
        amounts = result.amounts
        return CLOCK[0]() - start, amounts

    return call


def path_allocate_sources(n: int, folder: Path) -> Callable[[], Any]:
    import fundalloc as fa

    table, plan = _table(n), scheme(n, bounds=False)
    total = MEAN_UNITS * n
    ids = table.ids
    sources = [
        fa.Source(name="中央资金", amount=total * 4 // 10),
        fa.Source(
            name="省级资金",
            amount=total * 2 // 10,
            eligibility=[fa.Condition(column="类型", op="==", value="县")],
        ),
        fa.Source(name="市级配套", amount=total // 10, regions=list(ids[: n // 2])),
        fa.Source(name="部门整合", amount=total // 10, regions=list(ids[n // 4 :])),
        fa.Source(name="社会帮扶", amount=total - total * 8 // 10),
    ]
    return lambda: fa.allocate_sources(table, plan, sources)


def path_group_floor(n: int, folder: Path) -> Callable[[], Any]:
    import fundalloc as fa

    table = _table(n)
    quarter = list(table.ids[::4])
    plan = scheme(n, constraints=(fa.GroupFloor(regions=quarter, share=0.4),))
    return lambda: fa.allocate(table, plan)


def path_allocate_levels(n: int, folder: Path) -> Callable[[], Any]:
    import fundalloc as fa

    cities = max(n // 100, 1)
    rng = np.random.default_rng(0)
    ids = np.array(
        [f"市{i:05d}" for i in range(cities)] + [f"县{i:07d}" for i in range(n - cities)],
        dtype=object,
    )
    parents = np.concatenate(
        [np.full(cities, "省", dtype=object), ids[rng.integers(0, cities, n - cities)]]
    )
    table = fa.RegionTable.from_columns(
        {"地区": ids, "上级": parents, "人口": rng.lognormal(10, 1.2, n)}, id="地区", parent="上级"
    )
    people = fa.Factor(name="人口", rule=fa.Share(column="人口"), weight=1)
    tranches = [fa.Tranche(name="人口", share=1, factors=[people])]
    levels = [
        fa.Scheme(total=MEAN_UNITS * n, tranches=tranches),
        fa.Scheme(total=1, tranches=tranches),
    ]
    return lambda: fa.allocate_levels(table, levels)


def path_monte_carlo_data(n: int, folder: Path) -> Callable[[], Any]:
    from fundalloc.analysis.sensitivity import monte_carlo_data

    table, plan = _table(n), scheme(n)
    return lambda: monte_carlo_data(table, plan, columns=["人口"], draws=10, seed=0, progress=False)


PATHS: dict[str, Callable[[int, Path], Callable[[], Any]]] = {
    "read_csv": path_read_csv,
    "from_columns": path_from_columns,
    "allocate": path_allocate,
    "amounts": path_amounts,
    "allocate_sources": path_allocate_sources,
    "group_floor": path_group_floor,
    "allocate_levels": path_allocate_levels,
    "monte_carlo_data": path_monte_carlo_data,
}


CLOCKS: dict[str, Callable[[], float]] = {"cpu": time.process_time, "wall": time.perf_counter}


def timed(call: Callable[[], Any], repeat: int, clock: Callable[[], float]) -> float:
    best = math.inf
    for _ in range(repeat):
        gc.collect()
        start = clock()
        out = call()
        elapsed = clock() - start
        if isinstance(out, tuple) and len(out) == 2 and isinstance(out[0], float):
            elapsed = out[0]  # the call timed its own part (amounts)
        best = min(best, elapsed)
    return best


def slope(sizes: list[int], times: list[float]) -> float | None:
    if len(sizes) < 2:
        return None
    return float(np.polyfit(np.log(sizes), np.log(times), 1)[0])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--paths", nargs="+", default=list(PATHS), choices=list(PATHS))
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--budget", type=float, default=60.0, help="seconds; see the docstring")
    parser.add_argument("--clock", choices=list(CLOCKS), default="cpu", help="see the docstring")
    parser.add_argument("--profile", nargs=2, metavar=("PATH", "N"), default=None)
    args = parser.parse_args(argv)
    CLOCK[0] = CLOCKS[args.clock]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.profile:
            import cProfile
            import pstats

            call = PATHS[args.profile[0]](int(args.profile[1]), folder)
            call()  # warm: imports, caches of the scheme
            profiler = cProfile.Profile()
            profiler.enable()
            call()
            profiler.disable()
            pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
            return 0
        print(f"# growth of the public paths, Python {platform.python_version()}, ")
        print(f"# numpy {np.__version__}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
        print(f"# sort of n floats for scale: exponent ~1.05-1.1; above {LIMIT}: a defect")
        print(f"# clock: {args.clock} (process CPU time unless --clock wall)\n")
        header = " | ".join(f"{n:,}" for n in args.sizes)
        print(f"| path | {header} | exponent | |")
        print("|---|" + "---|" * len(args.sizes) + "---|---|")
        for name in args.paths:
            sizes: list[int] = []
            times: list[float] = []
            note = ""
            for n in args.sizes:
                if times and times[-1] > args.budget:
                    note = f"stopped after {sizes[-1]:,}: {times[-1]:.0f} s > budget"
                    break
                call = PATHS[name](n, folder)
                call()  # warm: imports, caches of the scheme
                times.append(timed(call, args.repeat if n < 1_000_000 else 1, CLOCK[0]))
                sizes.append(n)
            k = slope(sizes, times)
            cells = [f"{t:.3f} s" for t in times] + ["—"] * (len(args.sizes) - len(times))
            verdict = "" if k is None else ("DEFECT" if k > LIMIT else "ok")
            exponent = "—" if k is None else f"{k:.2f}"
            print(f"| {name} | {' | '.join(cells)} | {exponent} | {verdict} {note} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
