"""Benchmark: many weight vectors at once (WeightModel.evaluate) against one allocate per vector.

What is measured (same generated problem and weight vectors for both):

``vectorised``
    ``WeightModel.evaluate(W)`` for ``--vectors`` weight vectors (default 10 000) over
    ``--regions`` regions (default 3 000): the formula targets of every vector, the common
    λ of the floors and caps per vector (safeguarded Newton, rows in chunks) and the
    bounded amounts, a ``vectors × regions`` float64 array. Building the model (one
    ``fundalloc.allocate`` plus the factor shares) is timed separately and once.

``loop``
    ``fundalloc.allocate(table, model.scheme_for(w))`` one vector at a time: the way
    to do it without the model. It also rounds, explains nothing and is exact. Only
    ``--sample`` vectors (default 200) are run; the time for all vectors is that time
    × vectors / sample, an *extrapolation*, printed as such.

``evaluate`` on dask
    The same ``WeightModel.evaluate(W)`` with ``executor=client.get_executor()`` of a
    ``dask.distributed.LocalCluster`` of ``--workers`` worker processes (one thread each) on
    127.0.0.1: blocks of 2 048 vectors are tasks. Starting the cluster is timed separately.

``monte_carlo_data``
    ``--draws`` draws (default 200) of 10% noise on two columns, each through the whole
    pipeline: sequential, on a ``ProcessPoolExecutor(--workers)`` and on the dask cluster
    (one run each, after a warm-up call of 8 draws that makes the workers import
    fundalloc). The results must be identical to the bit; the table says so.

Agreement: on the sampled vectors, the largest absolute difference between the
vectorised amounts and the loop's bounded amounts (``trace.bounded``, before rounding),
and between the multipliers λ.

The problem: two tranches (80% by four factors with a tiered coefficient, 20% by two
factors), a floor of half the mean amount and a cap of three times the mean, both
binding for some regions; the weight vectors are Dirichlet draws around the scheme's
weights. Timings are the best of ``--repeat`` runs (the loop: one run). Nothing is
asserted; the goal line at the end reports yes/no.

Run (from the repository root, with the project virtualenv)::

    .venv/bin/python benchmarks/bench_sweep.py
    .venv/bin/python benchmarks/bench_sweep.py --vectors 10000 --regions 3000 --sample 200
    .venv/bin/python benchmarks/bench_sweep.py --draws 200 --workers 2   # --no-dask: skip dask

On Windows and macOS the pools start fresh processes that import this file: it is guarded by
``if __name__ == "__main__"``.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import sys
import time
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Any

import numpy as np
from _timing import best_of, fmt_s  # benchmarks/ is on sys.path when run

import fundalloc as fa
from fundalloc.analysis.sensitivity import MonteCarlo, WeightModel, monte_carlo_data, weight_model

GOAL_SECONDS = 2.0


def make_problem(n: int, seed: int) -> tuple[fa.RegionTable, fa.Scheme]:
    rng = np.random.default_rng([seed, n])
    population = rng.lognormal(11, 0.8, n).round()
    poor = (population * rng.uniform(0.01, 0.15, n)).round() + 1
    villages = rng.poisson(4, n)
    income = rng.lognormal(9.5, 0.3, n).round()
    grade = rng.choice(["A", "B", "C"], n, p=[0.2, 0.6, 0.2])
    table = fa.RegionTable.from_columns(
        {
            "id": [f"R{i:05d}" for i in range(n)],
            "population": population,
            "poor": poor,
            "villages": villages,
            "income": income,
            "grade": list(grade),
        },
        id="id",
    )
    total = 100 * n
    factors = fa.Tranche(
        name="factors",
        share=0.8,
        factors=[
            fa.Factor(name="population", rule=fa.Share(column="population"), weight=0.3),
            fa.Factor(name="poor", rule=fa.Share(column="poor"), weight=0.3),
            fa.Factor(
                name="incidence",
                rule=fa.Ratio(numerator="poor", denominator="population"),
                weight=0.2,
            ),
            fa.Factor(name="capacity", rule=fa.Inverse(column="income"), weight=0.2),
        ],
        coefficients=[
            fa.Coefficient(
                name="grade", rule=fa.Tiered(column="grade", tiers={"A": 1.1, "B": 1, "C": 0.9})
            )
        ],
    )
    villages_tranche = fa.Tranche(
        name="villages",
        share=0.2,
        factors=[
            fa.Factor(name="villages", rule=fa.Share(column="villages"), weight=0.7),
            fa.Factor(name="poor", rule=fa.Share(column="poor"), weight=0.3),
        ],
    )
    scheme = fa.Scheme(
        total=total,
        tranches=[factors, villages_tranche],
        bounds=[fa.Floor(amount=total / n * 0.5), fa.Cap(amount=total / n * 3)],
    )
    return table, scheme


def weight_vectors(model: WeightModel, count: int, seed: int) -> np.ndarray:
    """Dirichlet draws around the scheme's weights, tranche by tranche (α = 50 w)."""
    rng = np.random.default_rng([seed, count, 2])
    out = np.empty((count, len(model.labels)))
    start = 0
    while start < len(model.labels):
        block = model.tranche_of(start)
        out[:, block] = rng.dirichlet(50 * model.weights[block], size=count)
        start = int(block.stop)
    return out


def monte_carlo_rows(
    table: fa.RegionTable, scheme: fa.Scheme, draws: int, executors: dict[str, Executor | None]
) -> list[tuple[str, float, bool]]:
    """(label, seconds, identical to the sequential run) of monte_carlo_data per executor."""
    rows: list[tuple[str, float, bool]] = []
    first: MonteCarlo | None = None
    for label, executor in executors.items():
        # warm up: the workers import fundalloc and numpy on their first task
        monte_carlo_data(table, scheme, columns=["poor"], draws=8, executor=executor)
        start = time.perf_counter()
        result = monte_carlo_data(
            table,
            scheme,
            columns=["poor", "population"],
            draws=draws,
            seed=1,
            keep_draws=True,
            executor=executor,
            progress=False,
        )
        seconds = time.perf_counter() - start
        first = first or result
        assert first.samples is not None and result.samples is not None
        rows.append((label, seconds, bool(np.array_equal(result.samples, first.samples))))
    return rows


def with_dask(workers: int, work: Callable[[Executor], Any]) -> tuple[float, Any]:
    """Start a LocalCluster of ``workers`` processes, time its start, run ``work`` on it."""
    from distributed import Client, LocalCluster

    start = time.perf_counter()
    cluster = LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",
    )
    client = Client(cluster)
    client.submit(int).result()  # the workers are up
    started = time.perf_counter() - start
    try:
        return started, work(client.get_executor())
    finally:
        client.close()
        cluster.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--vectors", type=int, default=10_000)
    parser.add_argument("--regions", type=int, default=3_000)
    parser.add_argument("--sample", type=int, default=200, help="vectors run through the loop")
    parser.add_argument("--chunk", type=int, default=64, help="rows solved together")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--draws", type=int, default=200, help="monte_carlo_data draws")
    parser.add_argument("--workers", type=int, default=2, help="processes of the pools")
    parser.add_argument("--no-dask", action="store_true", help="skip the dask LocalCluster")
    args = parser.parse_args(argv)
    use_dask = not args.no_dask and importlib.util.find_spec("distributed") is not None

    table, scheme = make_problem(args.regions, args.seed)
    t_build, model = best_of(lambda: weight_model(table, scheme), args.repeat)
    weights = weight_vectors(model, args.vectors, args.seed)
    t_vec, batch = best_of(lambda: model.evaluate(weights, chunk=args.chunk), args.repeat)
    at_floor, at_cap = model.binding(batch.amounts)

    sample = np.linspace(0, args.vectors - 1, min(args.sample, args.vectors)).round()
    sample = np.unique(sample.astype(np.intp))
    start = time.perf_counter()
    loop = [fa.allocate(table, model.scheme_for(weights[b])).trace for b in sample]
    t_loop = time.perf_counter() - start
    t_loop_all = t_loop * args.vectors / sample.size
    diff = max(
        float(np.abs(tr.bounded - batch.amounts[b]).max())
        for tr, b in zip(loop, sample, strict=True)
    )
    lam_diff = max(
        abs(tr.multiplier - batch.multipliers[b]) for tr, b in zip(loop, sample, strict=True)
    )
    scale = float(np.abs(batch.amounts).max())

    with ProcessPoolExecutor(args.workers) as pool:
        pool.submit(int).result()  # the workers are up
        mc_rows = monte_carlo_rows(
            table,
            scheme,
            args.draws,
            {"sequential": None, f"ProcessPoolExecutor({args.workers})": pool},
        )
    t_cluster, t_vec_dask, dask_same = None, None, None
    if use_dask:

        def on_dask(executor: Executor) -> tuple[float, bool, list[tuple[str, float, bool]]]:
            start = time.perf_counter()
            spread = model.evaluate(weights, chunk=args.chunk, executor=executor, progress=False)
            seconds = time.perf_counter() - start
            same = bool(np.array_equal(spread.amounts, batch.amounts))
            label = f"dask LocalCluster({args.workers})"
            return seconds, same, monte_carlo_rows(table, scheme, args.draws, {label: executor})

        t_cluster, (t_vec_dask, dask_same, dask_rows) = with_dask(args.workers, on_dask)
        mc_rows += dask_rows

    print("# fundalloc weight sweep benchmark\n")
    print(
        f"- Python {platform.python_version()}, numpy {np.__version__}; CPU count "
        f"{os.cpu_count()}; {platform.machine()}, {platform.system()} {platform.release()}"
    )
    print(
        f"- {args.vectors:,} weight vectors × {args.regions:,} regions, "
        f"{len(model.labels)} weights in 2 tranches, floor 0.5·mean and cap 3·mean; "
        f"chunk {args.chunk}, best of {args.repeat}, seed {args.seed}"
    )
    print(
        f"- binding over all vectors: {at_floor.mean():.1%} of region-vectors at the floor, "
        f"{at_cap.mean():.1%} at the cap; λ from {batch.multipliers.min():.4f} to "
        f"{batch.multipliers.max():.4f}\n"
    )
    print("| path | vectors run | time | per vector | all vectors |")
    print("|---|---:|---:|---:|---:|")
    print(f"| build model (one allocate + shares) | — | {fmt_s(t_build)} | — | — |")
    print(
        f"| vectorised `evaluate` | {args.vectors:,} | {fmt_s(t_vec)} | "
        f"{t_vec / args.vectors * 1e6:.1f} µs | {fmt_s(t_vec)} |"
    )
    print(
        f"| loop of `fa.allocate` | {sample.size:,} | {fmt_s(t_loop)} | "
        f"{t_loop / sample.size * 1e3:.2f} ms | {fmt_s(t_loop_all)} (extrapolated) |"
    )
    if t_vec_dask is not None:
        print(
            f"| vectorised `evaluate` on dask LocalCluster({args.workers}) | {args.vectors:,} | "
            f"{fmt_s(t_vec_dask)} | {t_vec_dask / args.vectors * 1e6:.1f} µs | "
            f"{fmt_s(t_vec_dask)} (identical: {'yes' if dask_same else 'NO'}) |"
        )
    print(f"\nloop (extrapolated to {args.vectors:,}) / vectorised: {t_loop_all / t_vec:,.0f}×")
    print(
        f"agreement on the {sample.size} sampled vectors: max abs(amount difference) "
        f"{diff:.3g} (amounts up to {scale:,.0f}; relative {diff / scale:.2g}), "
        f"max abs(λ difference) {lam_diff:.3g}"
    )
    print(
        f"goal: vectorised under {GOAL_SECONDS:g} s: {'yes' if t_vec < GOAL_SECONDS else 'no'} "
        f"({fmt_s(t_vec)})"
    )
    if t_vec_dask is not None:
        print(f"dask LocalCluster `evaluate` / sequential: {t_vec_dask / t_vec:.2f}×")

    print(
        f"\n## monte_carlo_data: {args.draws} draws × {args.regions:,} regions, "
        "two columns with 10% noise, the whole pipeline per draw (one run each)\n"
    )
    print("| executor | time | per draw | / sequential | identical to sequential |")
    print("|---|---:|---:|---:|---|")
    t_seq = mc_rows[0][1]
    for label, seconds, same in mc_rows:
        print(
            f"| {label} | {fmt_s(seconds)} | {seconds / args.draws * 1e3:.1f} ms | "
            f"{seconds / t_seq:.2f}× | {'yes' if same else 'NO'} |"
        )
    if t_cluster is not None:
        print(f"\n(starting the dask LocalCluster took {fmt_s(t_cluster)}, not counted above)")
    elif not args.no_dask:
        print("\n(dask is not installed: pip install 'dask[distributed]')")
    return 0


if __name__ == "__main__":
    sys.exit(main())
