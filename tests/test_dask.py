"""Every analysis function that takes an executor, on a real dask.distributed cluster.

One LocalCluster for the module (two worker processes of one thread each, on 127.0.0.1),
started and closed here; every result must be identical to the sequential
run, to the last bit.
"""

from __future__ import annotations

import importlib
import itertools
from collections.abc import Iterator
from concurrent.futures import Executor

import numpy as np
import pytest
from distributed import Client, LocalCluster

import fundalloc as fa
from fundalloc.analysis.sensitivity import (
    MonteCarlo,
    monte_carlo_data,
    monte_carlo_weights,
    sweep,
    weight_model,
)
from fundalloc.errors import InfeasibleError


@pytest.fixture(scope="module")
def executor() -> Iterator[Executor]:
    cluster = LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        # no fixed port: with dashboard_address=None the scheduler still serves its HTTP
        # routes on 8787 and warns (an error under -W error) when another cluster has it
        dashboard_address="127.0.0.1:0",
    )
    client = Client(cluster)
    client.run(importlib.import_module, "fundalloc.analysis.sensitivity")  # every worker, now
    try:
        yield client.get_executor()
    finally:
        client.close()
        cluster.close()


def _table(n: int = 120) -> fa.RegionTable:
    rng = np.random.default_rng(7)
    return fa.RegionTable.from_columns(
        {
            "id": [f"R{i:03d}" for i in range(n)],
            "人口": rng.lognormal(10, 0.8, n).round(),
            "贫困人口": rng.lognormal(7, 0.9, n).round() + 1,
            "收入": rng.lognormal(9.5, 0.3, n).round(),
            "等次": [("A", "B", "C")[i % 3] for i in range(n)],
        },
        id="id",
    )


def _scheme(n: int = 120) -> fa.Scheme:
    """Two tranches, a tiered coefficient, and a floor and a cap that both bind."""
    return fa.Scheme(
        total=100 * n,
        tranches=[
            fa.Tranche(
                name="人口",
                share=0.7,
                factors=[
                    fa.Factor(name="人口", rule=fa.Share(column="人口"), weight=0.4),
                    fa.Factor(name="贫困", rule=fa.Share(column="贫困人口"), weight=0.4),
                    fa.Factor(name="财力", rule=fa.Inverse(column="收入"), weight=0.2),
                ],
                coefficients=[
                    fa.Coefficient(
                        name="绩效",
                        rule=fa.Tiered(column="等次", tiers={"A": 1.1, "B": 1, "C": 0.9}),
                    )
                ],
            ),
            fa.Tranche(
                name="发生率",
                share=0.3,
                factors=[
                    fa.Factor(
                        name="发生率",
                        rule=fa.Ratio(numerator="贫困人口", denominator="人口"),
                        weight=1,
                    )
                ],
            ),
        ],
        bounds=[fa.Floor(amount=50), fa.Cap(amount=300)],
    )


@pytest.fixture(scope="module")
def allocation() -> fa.Allocation:
    result = fa.allocate(_table(), _scheme())
    bounded = result.trace.bounded
    assert (bounded <= 50 + 1e-9).any() and (bounded >= 300 - 1e-9).any()  # both bind
    return result


def test_the_cluster_needs_sized_iterables(executor: Executor) -> None:
    """The defect: dask's executor takes len() of every iterable, so the analysis
    functions failed with itertools.repeat; they now hand it lists."""
    with pytest.raises(TypeError, match="has no len"):
        executor.map(pow, itertools.repeat(2), [1, 2])


def test_evaluate(executor: Executor, allocation: fa.Allocation) -> None:
    model = weight_model(allocation)
    weights = np.random.default_rng(3).random((5000, len(model.labels))) + 0.05
    plain = model.evaluate(weights)
    seen: list[tuple[int, int]] = []
    spread = model.evaluate(weights, executor=executor, callback=lambda d, t: seen.append((d, t)))
    assert np.array_equal(spread.amounts, plain.amounts)
    assert np.array_equal(spread.multipliers, plain.multipliers)
    assert np.array_equal(spread.weights, plain.weights)
    assert seen == [(2048, 5000), (4096, 5000), (5000, 5000)]


def test_sweep(executor: Executor, allocation: fa.Allocation) -> None:
    grid = np.linspace(0, 1, 701).tolist()  # 3 weights × 701 points: more than one block
    plain = sweep(allocation, values=grid)
    spread = sweep(allocation, values=grid, executor=executor)
    assert spread.labels == plain.labels and len(plain.labels) * len(grid) > 2048
    for field in ("values", "amounts", "at_floor", "at_cap"):
        assert np.array_equal(getattr(spread, field), getattr(plain, field)), field


def _same(a: MonteCarlo, b: MonteCarlo) -> None:
    for field in ("baseline", "bands", "mean", "turnover", "floor_rate", "cap_rate", "samples"):
        assert np.array_equal(getattr(a, field), getattr(b, field)), field
    for field in ("spearman", "kendall"):
        assert np.array_equal(getattr(a, field), getattr(b, field), equal_nan=True), field
    assert a.draws == b.draws


@pytest.mark.parametrize("method", ["lognormal", "dirichlet"])
def test_monte_carlo_weights(executor: Executor, allocation: fa.Allocation, method: str) -> None:
    """One block of draws (test_evaluate has several): the summaries' Kendall τ costs a
    few milliseconds per draw, twice."""
    settings: dict[str, object] = {"draws": 100, "seed": 11, "keep_draws": True}
    plain = monte_carlo_weights(allocation, method=method, **settings)  # type: ignore[arg-type]
    spread = monte_carlo_weights(allocation, method=method, executor=executor, **settings)  # type: ignore[arg-type]
    _same(spread, plain)
    assert np.array_equal(spread.weights, plain.weights)  # type: ignore[arg-type]
    assert plain.floor_rate.mean() > 0 and plain.cap_rate.mean() > 0


@pytest.mark.parametrize("per_task", [None, 1, 4])
def test_monte_carlo_data(
    executor: Executor, allocation: fa.Allocation, per_task: int | None
) -> None:
    settings: dict[str, object] = {
        "columns": ["贫困人口", "人口"],
        "draws": 10,
        "noise": 0.2,
        "seed": 4,
        "keep_draws": True,
    }
    plain = monte_carlo_data(allocation, **settings)  # type: ignore[arg-type]
    seen: list[tuple[int, int]] = []
    spread = monte_carlo_data(
        allocation,
        executor=executor,
        draws_per_task=per_task,
        callback=lambda d, t: seen.append((d, t)),
        **settings,  # type: ignore[arg-type]
    )
    _same(spread, plain)
    size = per_task or 1  # 10 draws in about 64 tasks: one draw each
    assert seen == [(min(d, 10), 10) for d in range(size, 10 + size, size)]
    assert 0 < plain.floor_rate.mean() < 1 and 0 < plain.cap_rate.mean() < 1


def test_a_failing_draw_fails_the_call_with_its_own_error(executor: Executor) -> None:
    """A draw whose data break a bound raises the pipeline's error through the cluster."""
    table = fa.RegionTable.from_columns({"id": ["a", "b"], "x": [1.0, 1.0]}, id="id")
    scheme = fa.Scheme(
        total=100,
        tranches=[
            fa.Tranche(
                name="T",
                share=1,
                factors=[fa.Factor(name="x", rule=fa.Share(column="x"), weight=1)],
            )
        ],
        bounds=[fa.Floor(per="x", rate=50)],  # a floor of 50·x: infeasible once Σx > 2
    )
    with pytest.raises(InfeasibleError):
        monte_carlo_data(table, scheme, columns=["x"], draws=8, seed=0, executor=executor)
