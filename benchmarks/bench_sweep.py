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
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time

import numpy as np
from _timing import best_of, fmt_s  # benchmarks/ is on sys.path when run

import fundalloc as fa
from fundalloc.analysis.sensitivity import WeightModel, weight_model

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
    args = parser.parse_args(argv)

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
    return 0


if __name__ == "__main__":
    sys.exit(main())
