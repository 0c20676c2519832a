"""Benchmark: one slider move of ``fundalloc.analysis.explore`` at 3 000 regions.

What is measured (same generated problem as ``bench_sweep.py``: two tranches, six weights,
a tiered coefficient, a binding floor and cap):

``update``
    ``Explorer.update(Explorer.moved(label, value))``: what every slider move computes —
    the weight model's bounded amounts for the new weights, rounding to the step within
    the bounds (largest remainder, total exact), the change from the baseline and each
    item's contribution. The goal is under 50 ms at 3 000 regions.
``argsort`` (the named peer, same run)
    ``numpy.argsort`` of 3 000 random floats: a floor for "anything done per region".
``allocate``
    ``fundalloc.allocate`` with the moved weights: the pipeline the update replaces.
``tier`` and ``bound``
    ``Explorer.set_tier`` / ``Explorer.set_limit``: a coefficient tier or a floor moved,
    which runs ``allocate`` once and rebuilds the weight model from it.
``table`` and ``plot``
    Rendering the HTML table of every region, and drawing the contributions of the 15
    largest amounts to PNG (matplotlib, Agg): what the widget adds on top of ``update``.

Timings are the best of ``--repeat`` runs; nothing is asserted, the goal line says yes/no.

Run (from the repository root, with the project virtualenv)::

    .venv/bin/python benchmarks/bench_explore.py
    .venv/bin/python benchmarks/bench_explore.py --regions 3000 --repeat 20
"""

from __future__ import annotations

import argparse
import io
import warnings

import numpy as np
from _timing import best_of, fmt_s
from bench_sweep import make_problem

import fundalloc as fa
from fundalloc.analysis.explore import Explorer

GOAL = 0.050  # seconds per update at 3 000 regions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    table, scheme = make_problem(args.regions, args.seed)
    base = fa.allocate(table, scheme)
    explorer = Explorer(base)
    label = explorer.model.labels[0]
    values = iter(np.linspace(0.05, 0.95, 10_000))

    def update() -> object:
        return explorer.update(explorer.moved(label, float(next(values))))

    noise = np.random.default_rng(args.seed).random(args.regions)
    t_update, view = best_of(update, args.repeat)
    t_sort, _ = best_of(lambda: np.argsort(noise), args.repeat)
    moved = explorer.moved(label, 0.5)
    t_allocate, want = best_of(
        lambda: fa.allocate(table, explorer.model.scheme_for(moved)), max(3, args.repeat // 5)
    )
    explorer.weights = moved
    explorer.view = explorer.update(moved)
    same = explorer.view.amounts == want.amounts
    t_table, _ = best_of(explorer.table_html, args.repeat)
    tier = next(iter(explorer.tiers))
    tier_values = iter(np.linspace(0.8, 1.3, 10_000))
    t_tier, _ = best_of(
        lambda: explorer.set_tier(tier, float(next(tier_values))), max(3, args.repeat // 5)
    )
    limit, start = next(iter(explorer.limits.items()))
    limit_values = iter(np.linspace(0.9, 1.1, 10_000) * start)
    t_bound, _ = best_of(
        lambda: explorer.set_limit(limit, float(next(limit_values))), max(3, args.repeat // 5)
    )

    def plot() -> bytes:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "Glyph missing" where no CJK font is installed
            buffer = io.BytesIO()
            explorer.figure().savefig(buffer, format="png", dpi=80)
        return buffer.getvalue()

    import matplotlib

    matplotlib.use("Agg")
    t_plot, _ = best_of(plot, max(3, args.repeat // 5))

    print(f"regions: {args.regions}, weights: {len(explorer.model.labels)}, best of {args.repeat}")
    print(f"{'what':<10} {'time':>10} {'× argsort':>10}")
    for name, t in (
        ("update", t_update),
        ("argsort", t_sort),
        ("allocate", t_allocate),
        ("tier", t_tier),
        ("bound", t_bound),
        ("table", t_table),
        ("plot", t_plot),
    ):
        print(f"{name:<10} {fmt_s(t):>10} {t / t_sort:>10.1f}")
    print(f"update vs allocate: {t_allocate / t_update:.1f}× faster")
    print(f"amounts equal to allocate with the moved weights: {'yes' if same else 'NO'}")
    print(f"goal: update under {GOAL * 1e3:.0f} ms: {'yes' if t_update < GOAL else 'NO'}")
    slowest = max(t_tier, t_bound)
    print(
        f"goal: tier and bound moves under {GOAL * 1e3:.0f} ms: {'yes' if slowest < GOAL else 'NO'}"
    )
    del view


if __name__ == "__main__":
    main()
