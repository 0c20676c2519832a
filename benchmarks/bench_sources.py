"""Benchmark: pooled sources (``allocate_sources``) with five sources, against named peers.

What is measured, for each size n (the same generated problem for every contender):

``allocate_sources``
    The public call: the allocation of the pooled total by a one-factor scheme, then the
    class decomposition, the class totals, who pays and the rounding to whole steps, with
    five sources (one for every region, one for half of them by a condition, two by a
    three-valued condition, one for the first quarter by a list of regions). Every source
    is spent and every region gets its target (checked exactly).
``allocate``
    ``fa.allocate`` alone on the same table and scheme: the part of the work that is not
    the sources'.
``_solve``
    The sources' split alone (targets, eligibility and amounts already in whole steps).
``argsort``
    One ``numpy.argsort`` of n floats, the yardstick every benchmark reports ratios to.

Timings are the best of ``--repeat`` runs with ``time.perf_counter``; the table prints
each time and its ratio to the argsort of the same n, and the growth exponent of
``allocate_sources`` between consecutive sizes. Nothing is asserted.

Run: ``python benchmarks/bench_sources.py`` (sizes 10^4 and 10^5; ``--sizes`` to change).
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import best_of, fmt_s

import fundalloc as fa
from fundalloc.sources import Source, _solve, allocate_sources


def condition(column: str, op: str, value: float) -> fa.Condition:
    return fa.Condition(column=column, op=op, value=value)  # type: ignore[arg-type]


def make_instance(n: int, seed: int = 1) -> tuple[fa.RegionTable, fa.Scheme, list[Source]]:
    rng = np.random.default_rng(seed)
    ids = [f"r{i:07d}" for i in range(n)]
    table = fa.RegionTable.from_columns(
        {
            "id": ids,
            "pop": rng.integers(1, 10_000, n).astype(float),
            "a": rng.integers(0, 2, n).astype(float),
            "b": rng.integers(0, 3, n).astype(float),
        },
        id="id",
    )
    total = 10 * n
    factor = fa.Factor(name="p", rule=fa.Share(column="pop"), weight=1)
    scheme = fa.Scheme(total=total, tranches=[fa.Tranche(name="t", share=1, factors=[factor])])
    amounts = [total * 3 // 10, total // 5, total // 5, total // 5]
    amounts.append(total - sum(amounts))
    sources = [
        Source(name="s0", amount=amounts[0]),
        Source(
            name="s1", amount=amounts[1], eligibility=[fa.Condition(column="a", op=">", value=0)]
        ),
        Source(
            name="s2", amount=amounts[2], eligibility=[fa.Condition(column="b", op=">", value=0)]
        ),
        Source(
            name="s3", amount=amounts[3], eligibility=[fa.Condition(column="b", op="==", value=2)]
        ),
        Source(name="s4", amount=amounts[4], regions=ids[: n // 4]),
    ]
    return table, scheme, sources


def measure(n: int, repeat: int) -> tuple[float, float, float, float]:
    """The times of argsort, allocate_sources, allocate and _solve at size ``n``."""
    table, scheme, sources = make_instance(n)
    floats = np.random.default_rng(0).random(n)
    t_sort, _ = best_of(lambda: np.argsort(floats), max(repeat, 5))
    t_sources, result = best_of(lambda: allocate_sources(table, scheme, sources), repeat)
    if not result.exact or sum(result.amounts.values()) != scheme.total:
        raise SystemExit(f"n={n}: the sources' result is not exact")
    t_alloc, allocation = best_of(lambda: fa.allocate(table, scheme), repeat)
    order = sorted(range(n), key=lambda i: allocation.table.ids[i])
    targets = [int(result.targets[allocation.table.ids[i]]) for i in order]
    eligible = [[row[i] for i in order] for row in result._eligible]
    amounts = [int(s.amount) for s in sources]
    t_solve, _ = best_of(lambda: _solve(amounts, eligible, targets), repeat)
    return t_sort, t_sources, t_alloc, t_solve


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'n':>9} {'contender':>17} {'time':>10} {'× argsort':>10}")
    previous: tuple[int, float] | None = None
    for n in args.sizes:
        t_sort, t_sources, t_alloc, t_solve = measure(n, args.repeat)
        for name, seconds in (
            ("allocate_sources", t_sources),
            ("allocate", t_alloc),
            ("_solve", t_solve),
            ("argsort", t_sort),
        ):
            print(f"{n:>9} {name:>17} {fmt_s(seconds):>10} {seconds / t_sort:>9.0f}×")
        if previous is not None:
            growth = math.log(t_sources / previous[1]) / math.log(n / previous[0])
            print(f"{'':>9} allocate_sources grows as n^{growth:.2f} from {previous[0]} to {n}")
        previous = (n, t_sources)


if __name__ == "__main__":
    main()
