"""The rounding cascade (plain, then by groups, then under rows) as one function:
:func:`fundalloc.rounding.cascade` gives the pipeline's units, ties and errors on the
same inputs, captured from :func:`fundalloc.allocate` as it runs."""

from __future__ import annotations

import importlib
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import fundalloc as fa
import fundalloc.pipeline as pipeline
from fundalloc.rounding import cascade

# the module, not the function of the same name the package exports
cascade_module = importlib.import_module("fundalloc.rounding.cascade")

EXAMPLES = Path(__file__).parent.parent / "examples"

IDS = ["甲市", "乙市", "丙市", "丁市", "戊县", "己县"]
TABLE = fa.RegionTable.from_columns(
    {
        "地区": IDS,
        "类型": ["市", "市", "市", "市", "县", "县"],
        "人口": [401, 299, 151, 100, 31, 18],
    },
    id="地区",
)
COUNTIES = [fa.Condition(column="类型", op="==", value="县")]


def scheme(total: int = 1000, rounding: str = "largest_remainder", **kwargs: Any) -> fa.Scheme:
    return fa.Scheme(
        total=total,
        rounding=rounding,
        tranches=[
            fa.Tranche(
                name="因素",
                share=1,
                factors=[fa.Factor(name="人口", rule=fa.Share(column="人口"), weight=1)],
            )
        ],
        **kwargs,
    )


class Spy:
    """What the pipeline hands to its rounding: the first call of round_units (from the
    pipeline itself or from the cascade it calls), the rows and the groups."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.rounding: tuple[tuple[Any, ...], dict[str, Any]] | None = None
        self.rows: list[Any] = []
        self.boxes: Any = None
        real_round = cascade_module.round_units
        real_rows_of, real_partition = pipeline.rows_of, pipeline.partition

        def round_units(*args: Any, **kwargs: Any) -> Any:
            if self.rounding is None:
                self.rounding = (args, kwargs)
            return real_round(*args, **kwargs)

        def rows_of(*args: Any, **kwargs: Any) -> Any:
            self.rows = real_rows_of(*args, **kwargs)
            return self.rows

        def partition(*args: Any, **kwargs: Any) -> Any:
            self.boxes = real_partition(*args, **kwargs)
            return self.boxes

        monkeypatch.setattr(pipeline, "round_units", round_units, raising=False)
        monkeypatch.setattr(cascade_module, "round_units", round_units)
        monkeypatch.setattr(pipeline, "rows_of", rows_of)
        monkeypatch.setattr(pipeline, "partition", partition)

    def cascade(self, the_scheme: fa.Scheme, ids: list[str], solver: str) -> Any:
        assert self.rounding is not None
        args, kwargs = self.rounding
        quotas, targets, total, lower, upper, method = args
        return cascade(
            quotas,
            targets,
            total,
            lower,
            upper,
            method,
            step=Fraction(the_scheme.step),
            rows=self.rows,
            boxes=self.boxes,
            ids=ids,
            unit=the_scheme.unit,
            solver=solver,
            stage=kwargs.get("stage", "bounds"),
        )


def _feasible_cases() -> list[tuple[str, fa.RegionTable, fa.Scheme, str]]:
    table = fa.read_table(EXAMPLES / "shandong_2018" / "data.csv", id="地区")
    groups = EXAMPLES / "shandong_groups"
    return [
        ("plain", TABLE, scheme(), "auto"),
        ("webster", TABLE, scheme(rounding="webster"), "auto"),
        ("half_up", TABLE, scheme(total=997, rounding="half_up"), "auto"),
        (
            "group floor, partitioned",
            TABLE,
            scheme(constraints=[fa.GroupFloor(where=COUNTIES, share=0.1)]),
            "auto",
        ),
        (
            "group cap broken by plain rounding",
            TABLE,
            scheme(total=997, constraints=[fa.GroupCap(regions=["甲市", "乙市"], amount=600.5)]),
            "auto",
        ),
        (
            "overlapping and ratio",
            TABLE,
            scheme(
                constraints=[
                    fa.GroupFloor(where=COUNTIES, share=0.1),
                    fa.GroupCap(regions=["甲市", "戊县"], amount=400),
                    fa.GroupRatio(regions=["丁市"], of_regions=["丙市"], at_least=0.8),
                ]
            ),
            "auto",
        ),
        (
            "a cap within a rounding error of the answer",
            TABLE,
            scheme(constraints=[fa.GroupCap(where=COUNTIES, share=1 / 3)]),
            "auto",
        ),
        ("partitioned example", table, fa.load_scheme(groups / "partitioned.toml").scheme, "auto"),
        ("overlapping example", table, fa.load_scheme(groups / "overlapping.toml").scheme, "auto"),
    ]


@pytest.mark.parametrize(
    ("table", "the_scheme", "solver"),
    [case[1:] for case in _feasible_cases()],
    ids=[case[0] for case in _feasible_cases()],
)
def test_the_cascade_gives_the_pipelines_units_and_ties(
    monkeypatch: pytest.MonkeyPatch, table: fa.RegionTable, the_scheme: fa.Scheme, solver: str
) -> None:
    spy = Spy(monkeypatch)
    got = fa.allocate(table, the_scheme, solver=solver)
    rounded = spy.cascade(the_scheme, list(got.trace.ids), solver)
    assert rounded.units.tolist() == np.asarray(got.trace.units).tolist()
    assert rounded.ties == got.trace.ties
    assert rounded.unallocated == got.trace.unallocated_units
    assert int(rounded.units.sum()) + rounded.unallocated == the_scheme.total_units


@pytest.mark.parametrize(
    "constraints",
    [
        # one group: a floor of 2.5 and a cap of 2.7 steps hold in reals, in no whole step
        [fa.GroupFloor(regions=["己县"], amount=2.5), fa.GroupCap(regions=["己县"], amount=2.7)],
        # the same with a group that overlaps it: the general path names the rows
        [
            fa.GroupFloor(regions=["己县"], amount=2.5),
            fa.GroupCap(regions=["己县"], amount=2.7),
            fa.GroupCap(regions=["己县", "戊县"], amount=900),
        ],
    ],
    ids=["partitioned", "overlapping"],
)
def test_the_cascade_names_the_same_rows_when_whole_steps_cannot_hold_them(
    monkeypatch: pytest.MonkeyPatch, constraints: list[Any]
) -> None:
    pytest.importorskip("highspy")
    spy = Spy(monkeypatch)
    the_scheme = scheme(constraints=constraints)
    with pytest.raises(fa.InfeasibleError) as from_pipeline:
        fa.allocate(TABLE, the_scheme)
    ids = sorted(IDS)
    with pytest.raises(fa.InfeasibleError) as from_cascade:
        spy.cascade(the_scheme, ids, "auto")
    assert str(from_cascade.value) == str(from_pipeline.value)
    assert "2.5" in str(from_cascade.value) or "2.7" in str(from_cascade.value)


def test_without_rows_the_cascade_is_the_plain_rounding() -> None:
    quotas = np.array([3.5, 3.5, 3.0])
    lower, upper = np.zeros(3, np.int64), np.full(3, 10, np.int64)
    plain = fa.round_units(quotas, quotas, 10, lower, upper)
    rounded = cascade(quotas, quotas, 10, lower, upper, step=Fraction(1))
    assert rounded.units.tolist() == plain.units.tolist() == [4, 3, 3]
    assert rounded.ties == plain.ties
