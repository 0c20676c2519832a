"""Benchmark: fundalloc's exact bounded solve plus integer rounding, against named peers.

What is measured (for each size n, same generated problem for every contender):

``fundalloc``
    ``solve_proportional(BoundedProblem(t, lo, hi, total))`` followed by
    ``round_units(amounts, t, total, ceil(lo), floor(hi), "largest_remainder")``,
    including the conversion of the bounds to whole units (step = 1 unit). This is
    the pipeline the project makes claims about. Solve and rounding are also timed
    separately so the split is visible.

``numpy.argsort``
    One ``np.argsort`` (default kind) of n random float64 values. It is the yardstick
    for "about as fast as one sort": the exact solver is one sort of 2n breakpoints
    plus O(n) passes. ``np.argsort(kind="stable")`` is timed too, for context only
    (the solver sorts with ``kind="stable"``).

``PuLP+CBC``
    The same bounded problem written as the weighted-L1 LP a practitioner would
    write (see :func:`build_cbc_model`), solved by the CBC binary bundled with PuLP,
    only for n <= ``--cbc-max``. Model build and solve are timed separately; the
    solve time is wall time of ``prob.solve`` (it includes PuLP writing the MPS file,
    CBC's start-up and PuLP reading the solution back); CBC's own wall time, read
    from its log, is shown next to it. One run per size: CBC is too slow to repeat.
    If CBC stops on ``--cbc-time-limit`` the result column says so (PuLP itself
    still reports "Optimal" in that case).

Timings are the best of ``--repeat`` runs with ``time.perf_counter`` (CBC: one run).
Nothing timed is asserted; the "targets" lines at the end only report yes/no.

The amounts are compared too: whether CBC's x add up to the total and are whole
units, whether fundalloc's rounded units add up to the total, and how far apart the
two answers are. They are *expected* to differ, see :func:`compare_amounts`.

Run (from the repository root, with the project virtualenv)::

    .venv/bin/python benchmarks/bench_bounds.py
    .venv/bin/python benchmarks/bench_bounds.py --sizes 10000 100000 1000000 \\
        --repeat 5 --cbc-max 100000 --cbc-time-limit 60 --seed 0
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from _peers import l1_objective, solve_with_cbc  # benchmarks/ is on sys.path when run
from _timing import best_of, fmt_s

from fundalloc.rounding import round_units
from fundalloc.solvers.exact import BoundedProblem, solve_proportional

MEAN_UNITS = 100  # total = MEAN_UNITS * n units
FLOOR_SHARE = 0.5  # lo_i = FLOOR_SHARE * total / n
CAP_SHARE = 3.0  # hi_i = CAP_SHARE * total / n
LOGNORMAL_SIGMA = 1.0


# ------------------------------------------------------------------ problem generator
@dataclass(frozen=True)
class Instance:
    targets: np.ndarray  # float64, > 0, sums to total (before bounds)
    lower: np.ndarray  # float64
    upper: np.ndarray  # float64
    total: int  # whole units
    n_floor_bind: int  # regions whose target is below the floor (before scaling)
    n_cap_bind: int  # regions whose target is above the cap (before scaling)


def make_instance(n: int, seed: int) -> Instance:
    """n regions, lognormal targets scaled to sum to ``total = MEAN_UNITS * n`` units,
    floors at half the mean and caps at three times the mean (same for every region)."""
    rng = np.random.default_rng([seed, n])
    total = MEAN_UNITS * n
    raw = rng.lognormal(mean=0.0, sigma=LOGNORMAL_SIGMA, size=n)
    targets = raw * (total / raw.sum())
    mean = total / n
    lower = np.full(n, FLOOR_SHARE * mean)
    upper = np.full(n, CAP_SHARE * mean)
    # Feasible by construction: sum(lo) = 0.5 total <= total <= 3 total = sum(hi).
    if not (lower.sum() <= total <= upper.sum() and np.all(lower <= upper)):
        raise SystemExit(f"generated instance for n={n} is infeasible")
    return Instance(
        targets, lower, upper, total, int((targets < lower).sum()), int((targets > upper).sum())
    )


# ------------------------------------------------------------------ timing helper


# ------------------------------------------------------------------ contender: fundalloc
def fundalloc_pipeline(inst: Instance):
    """The measured pipeline: exact bounded solve, then largest-remainder rounding."""
    sol = solve_proportional(
        BoundedProblem(inst.targets, inst.lower, inst.upper, float(inst.total))
    )
    lower_units = np.ceil(inst.lower).astype(np.int64)  # step = 1 unit
    upper_units = np.floor(inst.upper).astype(np.int64)
    rounded = round_units(
        sol.amounts, inst.targets, inst.total, lower_units, upper_units, method="largest_remainder"
    )
    return sol, rounded


def bench_fundalloc(inst: Instance, repeat: int) -> dict[str, Any]:
    t_all, (sol, rounded) = best_of(lambda: fundalloc_pipeline(inst), repeat)
    # The split, timed separately (best of repeat each).
    problem = BoundedProblem(inst.targets, inst.lower, inst.upper, float(inst.total))
    t_solve, _ = best_of(lambda: solve_proportional(problem), repeat)
    lower_units = np.ceil(inst.lower).astype(np.int64)
    upper_units = np.floor(inst.upper).astype(np.int64)
    t_round, _ = best_of(
        lambda: round_units(sol.amounts, inst.targets, inst.total, lower_units, upper_units), repeat
    )
    units = rounded.units
    return {
        "time": t_all,
        "solve": t_solve,
        "round": t_round,
        "amounts": sol.amounts,
        "multiplier": sol.multiplier,
        "units": units,
        "sum_exact": int(units.sum()) == inst.total,
        "within_bounds": bool(np.all((units >= lower_units) & (units <= upper_units))),
        "n_at_floor": int(np.isclose(sol.amounts, inst.lower).sum()),
        "n_at_cap": int(np.isclose(sol.amounts, inst.upper).sum()),
    }


# ------------------------------------------------------------------ peer: numpy.argsort
def bench_argsort(n: int, seed: int, repeat: int) -> dict[str, float]:
    values = np.random.default_rng([seed, n, 1]).random(n)
    t_default, _ = best_of(lambda: np.argsort(values), repeat)
    t_stable, _ = best_of(lambda: np.argsort(values, kind="stable"), repeat)
    return {"time": t_default, "stable": t_stable}


# ------------------------------------------------------------------ peer: PuLP + CBC
def build_cbc_model(inst: Instance):
    """The weighted-L1 LP: minimise sum_i (p_i + m_i) / t_i subject to

        lo_i <= x_i <= hi_i            (box bounds on x)
        x_i - p_i + m_i = t_i          (n equality rows; p_i, m_i >= 0)
        sum_i x_i = total              (one row)

    Formulation choice: x keeps its box bounds and the deviation is tied to x by n
    equality rows. The tempting substitution x_i = t_i + p_i - m_i with only box
    bounds ``0 <= p_i <= hi_i - t_i`` and ``0 <= m_i <= t_i - lo_i`` is *wrong* here:
    whenever t_i < lo_i (about 40% of regions in this generator) the upper bound on
    m_i is negative, i.e. the LP is infeasible, and the floor is not enforced. (A
    correct box-only form exists, with bounds on p and m depending on the sign of
    lo_i - t_i and hi_i - t_i, but it is not what people write.)
    """
    import pulp

    n = inst.targets.size
    prob = pulp.LpProblem("bounded_allocation", pulp.LpMinimize)
    x = [
        pulp.LpVariable(f"x{i}", lowBound=float(inst.lower[i]), upBound=float(inst.upper[i]))
        for i in range(n)
    ]
    p = [pulp.LpVariable(f"p{i}", lowBound=0) for i in range(n)]
    m = [pulp.LpVariable(f"m{i}", lowBound=0) for i in range(n)]
    w = 1.0 / inst.targets
    prob += pulp.lpSum(float(w[i]) * (p[i] + m[i]) for i in range(n))
    for i in range(n):
        prob += x[i] - p[i] + m[i] == float(inst.targets[i]), f"dev{i}"
    prob += pulp.lpSum(x) == inst.total, "total"
    return prob, x


def bench_cbc(inst: Instance, time_limit: float) -> dict[str, Any]:
    """Build and solve the LP once. Besides PuLP's wall time, CBC's own wall time is read
    from its log (the difference is PuLP writing the MPS file and reading the solution).

    Beware: when CBC stops on its time limit, PuLP 3.3.2 still sets ``prob.status`` to
    "Optimal" (``sol_status`` is "Solution Found") although the returned point is not
    optimal and can be primal infeasible. The status printed here comes from CBC's log.
    """

    start = time.perf_counter()
    prob, x = build_cbc_model(inst)
    t_build = time.perf_counter() - start
    t_solve, cbc_result, cbc_wall, values = solve_with_cbc(prob, x, time_limit)
    return {
        "build": t_build,
        "time": t_solve,
        "cbc_wall": cbc_wall,
        "status": cbc_result,
        "optimal": cbc_result.startswith("Optimal"),
        "x": values,
    }


def compare_amounts(inst: Instance, fa: dict[str, Any], cbc: dict[str, Any]) -> dict[str, Any]:
    """Report-only comparison of CBC's x with fundalloc's rounded units.

    They are expected to differ, for two reasons: (1) the weighted-L1 LP is a
    different rule from the proportional one (it moves the regions whose unit of
    deviation is cheapest, i.e. the largest targets, instead of scaling everyone by
    one lambda), and (2) the L1 LP is degenerate and has many optima, so CBC returns
    whichever vertex it reaches. fundalloc's answer is feasible for the LP, so its
    LP objective is printed next to CBC's (CBC's must be <= fundalloc's).
    """
    x = cbc["x"]
    units = fa["units"]
    frac = np.abs(x - np.round(x))
    diff = np.abs(units - x)
    return {
        "cbc_sum_err": float(abs(x.sum() - inst.total)),
        "cbc_bound_viol": float(np.max(np.maximum(inst.lower - x, x - inst.upper).clip(0))),
        "cbc_nonint": int((frac > 1e-6).sum()),
        "cbc_max_frac": float(frac.max()),
        "max_diff": float(diff.max()),
        "n_diff_gt1": int((diff > 1.0 + 1e-9).sum()),
        "obj_cbc": l1_objective(x, inst.targets),
        "obj_fundalloc_exact": l1_objective(fa["amounts"], inst.targets),
    }


# ------------------------------------------------------------------ output


def fmt_ratio(r: float | None) -> str:
    return "—" if r is None else (f"{r:,.0f}×" if r >= 100 else f"{r:.2f}×")


def print_header(args: argparse.Namespace) -> None:
    import pulp

    print("# fundalloc bounded solve + rounding benchmark\n")
    print(
        f"- Python {platform.python_version()} ({platform.python_implementation()}), "
        f"numpy {np.__version__}, pulp {pulp.__version__} (bundled CBC)"
    )
    print(
        f"- CPU count: {os.cpu_count()} (os.cpu_count); "
        f"usable: {len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else '?'}; "
        f"machine {platform.machine()}, {platform.system()} {platform.release()}"
    )
    print(
        f"- sizes {args.sizes}, best of {args.repeat}, seed {args.seed}, "
        f"CBC for n <= {args.cbc_max} (one run, timeLimit {args.cbc_time_limit:g} s)"
    )
    print(
        f"- problem: total = {MEAN_UNITS}·n units, lognormal(σ={LOGNORMAL_SIGMA}) targets "
        f"scaled to the total, floor {FLOOR_SHARE}·mean, cap {CAP_SHARE}·mean, step 1 unit\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--cbc-max",
        type=int,
        default=100_000,
        help="run PuLP+CBC only for n up to this (default 100000)",
    )
    parser.add_argument(
        "--cbc-time-limit", type=float, default=60.0, help="CBC timeLimit in seconds (default 60)"
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    print_header(args)
    rows, amount_rows = [], []
    for n in args.sizes:
        inst = make_instance(n, args.seed)
        fa = bench_fundalloc(inst, args.repeat)
        srt = bench_argsort(n, args.seed, args.repeat)
        cbc = bench_cbc(inst, args.cbc_time_limit) if n <= args.cbc_max else None
        rows.append((n, inst, fa, srt, cbc))
        if cbc is not None:
            amount_rows.append((n, fa, cbc, compare_amounts(inst, fa, cbc)))
        print(f"  (done n={n:,})", file=sys.stderr, flush=True)

    print("## Timings\n")
    print(
        "| n | at floor / at cap | fundalloc solve+round | solve | round "
        "| numpy.argsort | argsort stable | fundalloc / argsort "
        "| CBC build | CBC solve (PuLP wall) | CBC own wall | CBC result "
        "| CBC solve / fundalloc | CBC own / fundalloc |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|")
    for n, _inst, fa, srt, cbc in rows:
        binding = f"{fa['n_at_floor']:,} / {fa['n_at_cap']:,}"
        cells = [
            f"{n:,}",
            binding,
            fmt_s(fa["time"]),
            fmt_s(fa["solve"]),
            fmt_s(fa["round"]),
            fmt_s(srt["time"]),
            fmt_s(srt["stable"]),
            fmt_ratio(fa["time"] / srt["time"]),
        ]
        if cbc is None:
            cells += ["—"] * 6
        else:
            own = cbc["cbc_wall"]
            cells += [
                fmt_s(cbc["build"]),
                fmt_s(cbc["time"]),
                fmt_s(own),
                cbc["status"] if cbc["optimal"] else f"**{cbc['status']}** (not optimal)",
                fmt_ratio(cbc["time"] / fa["time"]),
                fmt_ratio(own / fa["time"] if own is not None else None),
            ]
        print("| " + " | ".join(cells) + " |")

    print("\n## Amounts\n")
    print(
        "fundalloc: rounded units (largest remainder). CBC: x of the weighted-L1 LP. "
        "Differences are expected (the L1 LP is a different rule from proportional "
        "scaling, and it has many optima); they are reported, not asserted.\n"
    )
    print(
        "| n | λ | fundalloc Σunits = total | fundalloc within bounds "
        "| CBC abs(Σx − total) | CBC max bound violation | CBC non-integer x "
        "| CBC max abs(x − round(x)) | max abs(units − x) | regions differing > 1 unit "
        "| LP objective: CBC | LP objective: fundalloc exact |"
    )
    print("|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    by_n = {n: cmp_ for n, _, _, cmp_ in amount_rows}
    for n, _inst, fa, _, _ in rows:
        cells = [
            f"{n:,}",
            f"{fa['multiplier']:.6f}",
            "yes" if fa["sum_exact"] else "NO",
            "yes" if fa["within_bounds"] else "NO",
        ]
        if n in by_n:
            c = by_n[n]
            cells += [
                f"{c['cbc_sum_err']:.3g}",
                f"{c['cbc_bound_viol']:.3g}",
                f"{c['cbc_nonint']:,}",
                f"{c['cbc_max_frac']:.3g}",
                f"{c['max_diff']:.3g}",
                f"{c['n_diff_gt1']:,}",
                f"{c['obj_cbc']:.6g}",
                f"{c['obj_fundalloc_exact']:.6g}",
            ]
        else:
            cells += ["—"] * 8
        print("| " + " | ".join(cells) + " |")

    print("\n## Targets (reported, not asserted)\n")
    for n, _inst, fa, srt, cbc in rows:
        if n == 1_000_000:
            print(
                f"- n = 10^6: fundalloc {fmt_s(fa['time'])}, under 1 s: "
                f"{'yes' if fa['time'] < 1 else 'no'}; "
                f"within 5× of one argsort ({fmt_ratio(fa['time'] / srt['time'])}): "
                f"{'yes' if fa['time'] <= 5 * srt['time'] else 'no'}"
            )
        if n == 10_000 and cbc is not None:
            r = cbc["time"] / fa["time"]
            print(
                f"- n = 10^4: CBC solve (PuLP wall) / fundalloc = {fmt_ratio(r)}, "
                f"at least 1000×: {'yes' if r >= 1000 else 'no'}"
                + ("" if cbc["optimal"] else " (CBC did not reach an optimum)")
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
