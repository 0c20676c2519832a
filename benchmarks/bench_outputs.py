"""Benchmark: writing every output format (``render`` then the atomic write) and ``verify``
of the XLSX and JSON outputs, against pandas writing the same table.

The allocation: ``n`` regions with unique ids (县0000000, …), whole-number populations and a
grade, one tranche of two share factors (weights 0.6 and 0.4) and a tiered coefficient on
the grade, total 100·n 万元 rounded to whole 万元 by largest remainder: the shape of a
bureau's table, at sizes no bureau has, to show the time grows linearly.

What is measured, per size, in a fresh interpreter (so that memory is that size's own), the
allocation made once before the clock:

``render + write`` per format
    ``render(result, fmt, provenance=..., data=...)`` and ``write_output(path, bytes)``: what
    ``fundalloc allocate -o FILE`` does after allocating. ``xlsx`` is the workbook without
    the calculation sheet (测算表), as ``fundalloc`` writes it above
    ``CALCULATION_SHEET_LIMIT`` regions, so the sizes compare like with like; ``xlsx+测算表``
    is the workbook with it, measured up to that limit (``--calculation-sheet``: at every
    size).
``breakdown[one region]`` and ``to_pandas(detail=True)``
    Reading one region's breakdown from an allocation that has built nothing yet (it is
    made from that region's numbers alone), and the numeric DataFrame with every item.
``verify`` of the XLSX and the JSON
    ``fundalloc.io.verify.verify(path)``: reading the output back, re-running the
    allocation from the data and scheme it records, and comparing every number.
the peer, pandas
    ``DataFrame.to_csv`` / ``to_json(orient="records")`` / ``to_excel(engine="xlsxwriter")`` /
    ``to_html`` / ``to_markdown`` (when tabulate is installed) of the allocation table
    (region, formula target, amount, share), built from the allocation before the clock:
    one sheet, no breakdown, no provenance, no checks. The ratio is ours over the peer's.

Times are the best of ``--repeat`` calls (wall clock), with the mean CPU time of the process
beside them (on a shared, loaded machine the wall clock also counts waiting). Memory is the
peak resident set size reached during the call above the resident size before it (the peak
is reset through ``/proc/self/clear_refs`` before each call; Linux only, "—" elsewhere). The
growth exponent is the least-squares slope of log(time) on log(regions) over the sizes
measured (1 is linear). A size is skipped for a format, with the reason printed, when the
time measured at the previous size, scaled linearly, would exceed ``--budget`` seconds.
Nothing is asserted; the goal line (issue 11: 10^5 regions in under 10 s for every format
and for verify of the XLSX) reports yes/no.

Run (from the repository root, with the project virtualenv)::

    /work/venv/bin/python benchmarks/bench_outputs.py
    /work/venv/bin/python benchmarks/bench_outputs.py --sizes 10000 100000 1000000 --repeat 1
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
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
from _timing import best_of, fmt_s  # benchmarks/ is on sys.path when run

FORMATS = ("csv", "json", "xlsx", "md", "html", "xlsx+测算表")
VERIFIED = ("xlsx", "json")
GOAL_N = 100_000
GOAL_SECONDS = 10.0
GRADES = ("一档", "二档", "三档")
PEERS = {
    "csv": "pandas to_csv",
    "json": "pandas to_json",
    "xlsx": "pandas to_excel(xlsxwriter)",
    "md": "pandas to_markdown",
    "html": "pandas to_html",
    "xlsx+测算表": "pandas to_excel(xlsxwriter)",
}


# ------------------------------------------------------------------ the allocation
def allocation(n: int, seed: int) -> Any:
    import fundalloc as fa

    rng = np.random.default_rng([seed, n])
    rural = rng.integers(2_000, 200_000, n)
    poor = (rural * rng.uniform(0.005, 0.15, n)).astype(np.int64)
    exited = (poor * rng.uniform(0.5, 3.0, n)).astype(np.int64)
    grade = rng.integers(0, len(GRADES), n)
    table = fa.RegionTable.from_columns(
        {
            "地区": [f"县{i:07d}" for i in range(n)],
            "贫困人口": poor.tolist(),
            "已脱贫享受政策人口": exited.tolist(),
            "等次": [GRADES[g] for g in grade],
        },
        id="地区",
    )
    scheme = fa.Scheme(
        name="输出基准",
        total=100 * n,
        unit="万元",
        tranches=[
            fa.Tranche(
                name="因素",
                share=1,
                factors=[
                    fa.Factor(name="贫困人口", rule=fa.Share(column="贫困人口"), weight=0.6),
                    fa.Factor(
                        name="巩固脱贫", rule=fa.Share(column="已脱贫享受政策人口"), weight=0.4
                    ),
                ],
                coefficients=[
                    fa.Coefficient(
                        name="等次系数",
                        rule=fa.Tiered(
                            column="等次", tiers={"一档": 1.1, "二档": 1.0, "三档": 0.9}
                        ),
                    )
                ],
            )
        ],
    )
    return fa.allocate(table, scheme)


# ------------------------------------------------------------------ one size (child)
def _reset_peak() -> int:
    """Reset the peak RSS (VmHWM) to the current RSS; return the current RSS in KiB."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        with open("/proc/self/status") as fh:
            return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:"))
    except OSError:
        return -1


def _peak() -> int:
    try:
        with open("/proc/self/status") as fh:
            return next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:"))
    except OSError:
        return -1


def _measured(fn: Any, repeat: int) -> dict[str, Any]:
    base = _reset_peak()
    cpu = time.process_time()
    seconds, _ = best_of(fn, repeat)
    cpu = (time.process_time() - cpu) / repeat
    peak = _peak()
    return {
        "s": seconds,
        "cpu": cpu,
        "mib": (peak - base) / 1024 if base >= 0 and peak >= 0 else None,
    }


def child(n: int, seed: int, repeat: int, skip: list[str], calculation_sheet: bool) -> None:
    import pandas as pd

    from fundalloc.io.outputs import CALCULATION_SHEET_LIMIT, Provenance, render, write_output
    from fundalloc.io.verify import verify

    result = allocation(n, seed)
    provenance = Provenance("scheme.toml", "", "data.csv", "", "bench", "2026-01-01T00:00:00")
    frame = pd.DataFrame(
        {
            "地区": list(result.ids),
            "测算数": result.target_values,
            "分配金额": result.amount_values,
            "占比": result.share_values,
        }
    )
    out: dict[str, Any] = {}
    from fundalloc.result import Allocation

    fresh = Allocation(table=result.table, scheme=result.scheme, trace=result.trace)
    fresh.breakdown[result.ids[0]]  # the first call imports what numpy needs
    middle = result.ids[n // 2]
    out["breakdown[one region]"] = _measured(lambda: fresh.breakdown[middle], repeat)
    out["to_pandas(detail=True)"] = _measured(lambda: fresh.to_pandas(detail=True), repeat)
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in FORMATS:
            if fmt in skip:
                continue
            sheet = fmt == "xlsx+测算表"
            if sheet and not calculation_sheet and n > CALCULATION_SHEET_LIMIT:
                continue
            kind = "xlsx" if sheet else fmt
            path = Path(tmp) / f"out{'-sheet' if sheet else ''}.{kind}"

            def write(kind: str = kind, path: Path = path, sheet: bool = sheet) -> None:
                write_output(
                    path,
                    render(result, kind, provenance=provenance, calculation_sheet=sheet),  # type: ignore[arg-type]
                )

            out[fmt] = _measured(write, repeat)
            out[fmt]["bytes"] = path.stat().st_size
            peer = Path(tmp) / f"peer.{kind}"
            call = {
                "csv": lambda peer=peer: frame.to_csv(peer, index=False),
                "json": lambda peer=peer: frame.to_json(peer, orient="records", force_ascii=False),
                "xlsx": lambda peer=peer: frame.to_excel(peer, index=False, engine="xlsxwriter"),
                "html": lambda peer=peer: frame.to_html(peer, index=False),
                "md": lambda peer=peer: frame.to_markdown(peer, index=False),
                "xlsx+测算表": lambda peer=peer: frame.to_excel(
                    peer, index=False, engine="xlsxwriter"
                ),
            }[fmt]
            try:
                out[f"peer {fmt}"] = _measured(call, repeat)
            except ImportError as exc:  # to_markdown needs tabulate
                out[f"peer {fmt}"] = {"s": None, "mib": None, "why": str(exc).splitlines()[0]}
            if fmt in VERIFIED and f"verify {fmt}" not in skip:

                def check(path: Path = path) -> None:
                    differences = verify(path)
                    if differences:
                        raise AssertionError(differences[:3])

                out[f"verify {fmt}"] = _measured(check, repeat)
    print(json.dumps(out))


# ------------------------------------------------------------------ the driver
def run_size(
    n: int, seed: int, repeat: int, skip: list[str], calculation_sheet: bool
) -> dict[str, Any]:
    args = [sys.executable, __file__, "--child", str(n), "--seed", str(seed)]
    args += ["--repeat", str(repeat), "--skip", *skip] if skip else ["--repeat", str(repeat)]
    if calculation_sheet:
        args.append("--calculation-sheet")
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"size {n} failed:\n{done.stderr}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def slope(points: list[tuple[int, float]]) -> float | None:
    if len(points) < 2:
        return None
    x = np.log([p[0] for p in points])
    y = np.log([p[1] for p in points])
    return float(np.polyfit(x, y, 1)[0])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--budget",
        type=float,
        default=150.0,
        help="skip a size for a format when the previous size's time × the size ratio exceeds "
        "this many seconds (default 150)",
    )
    parser.add_argument("--calculation-sheet", action="store_true")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--skip", nargs="*", default=[], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.seed, args.repeat, args.skip, args.calculation_sheet)
        return 0

    versions = ", ".join(
        f"{p} {metadata.version(p)}" for p in ("fundalloc", "XlsxWriter", "openpyxl", "pandas")
    )
    print(f"# outputs: render + write, and verify; Python {platform.python_version()}, {versions}")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"# {os.cpu_count()} CPUs, load average {load:.1f} at the start (a wall clock far "
        f"above the CPU time means the machine was busy); best of {args.repeat}; seed "
        f"{args.seed}\n"
    )
    rows: dict[str, dict[int, dict[str, Any]]] = {}
    skipped: list[str] = []
    previous: dict[str, tuple[int, float]] = {}
    for n in sorted(args.sizes):
        skip = []
        for key, (m, seconds) in previous.items():
            projected = seconds * n / m
            if projected > args.budget:
                skip.append(key)
                skipped.append(
                    f"{key} at {n:,}: skipped, {fmt_s(seconds)} at {m:,} scales to "
                    f"{fmt_s(projected)}, above --budget {args.budget:g} s"
                )
        measured = run_size(n, args.seed, args.repeat, skip, args.calculation_sheet)
        for key, value in measured.items():
            rows.setdefault(key, {})[n] = value
            if value.get("s") is not None and not key.startswith("peer"):
                previous[key] = (n, value["s"])
    sizes = sorted(args.sizes)
    head = "| what | " + " | ".join(f"{n:,} regions" for n in sizes)
    print(head + " | growth exponent | vs peer at largest common size |")
    print("|" + " --- |" * (len(sizes) + 3))
    goal_ok = []
    extra = ("breakdown[one region]", "to_pandas(detail=True)")
    for key in [*FORMATS, *(f"verify {v}" for v in VERIFIED), *extra]:
        if key not in rows:
            continue
        cells = []
        for n in sizes:
            v = rows[key].get(n)
            if v is None:
                cells.append("skipped")
                continue
            mib = "—" if v["mib"] is None else f"{v['mib']:.0f} MiB"
            cells.append(f"{fmt_s(v['s'])} (CPU {fmt_s(v['cpu'])}), {mib}")
        exponent = slope([(n, v["s"]) for n, v in rows[key].items()])
        ratio = "—"
        peer = rows.get(f"peer {key}", {})
        common = [n for n in sizes if n in rows[key] and peer.get(n, {}).get("s")]
        if common:
            n = common[-1]
            ratio = f"{rows[key][n]['s'] / peer[n]['s']:.1f}× {PEERS[key]} ({fmt_s(peer[n]['s'])})"
        elif key in PEERS and peer:
            why = next((v.get("why") for v in peer.values() if v.get("why")), "")
            ratio = f"{PEERS[key]}: {why}" if why else "—"
        name = key if key.startswith("verify") or key in extra else f"render+write {key}"
        shown = "—" if exponent is None else f"{exponent:.2f}"
        print(f"| {name} | " + " | ".join(cells) + f" | {shown} | {ratio} |")
        if GOAL_N in rows[key]:
            goal_ok.append((name, rows[key][GOAL_N]["s"], rows[key][GOAL_N]["cpu"]))
    print()
    for line in skipped:
        print(f"- {line}")
    if goal_ok:
        print(
            f"\ngoal (10^5 regions under {GOAL_SECONDS:g} s each): "
            + ", ".join(
                f"{name} {'yes' if wall < GOAL_SECONDS else 'NO'} (CPU "
                f"{'yes' if cpu < GOAL_SECONDS else 'NO'})"
                for name, wall, cpu in goal_ok
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
