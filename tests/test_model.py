"""The weight model reads the allocation's trace and speaks both languages."""

from __future__ import annotations

import numpy as np
import pytest

import fundalloc as fa
from fundalloc.analysis._model import WeightModel
from fundalloc.factors import shares_of

TABLE = fa.RegionTable.from_columns(
    {"id": ["a", "b", "c"], "x": [1.0, 1.0, 2.0], "y": [3.0, 1.0, 0.0]}, id="id"
)


def scheme(**kwargs: object) -> fa.Scheme:
    return fa.Scheme(
        total=100,
        tranches=[
            fa.Tranche(
                name="T",
                share=1,
                factors=[
                    fa.Factor(name="x", rule=fa.Share(column="x"), weight=0.25),
                    fa.Factor(name="y", rule=fa.Share(column="y"), weight=0.75),
                ],
            )
        ],
        **kwargs,  # type: ignore[arg-type]
    )


def test_the_model_takes_the_shares_the_pipeline_recorded() -> None:
    allocation = fa.allocate(TABLE, scheme())
    model = WeightModel.from_allocation(allocation)
    (leaf,) = allocation.trace.leaves
    assert model.weights.tolist() == leaf.weights.tolist() == [0.25, 0.75]
    assert np.array_equal(model._adjusted, leaf.shares)
    mask = np.ones(3, dtype=bool)
    again = shares_of(fa.Share(column="x"), TABLE, mask, "T/x")
    assert leaf.shares[0] == pytest.approx(again)


def test_model_errors_in_both_languages() -> None:
    model = WeightModel.from_allocation(fa.allocate(TABLE, scheme()))
    with pytest.raises(fa.SchemeError) as err:
        model.index("T/z")
    assert "did you mean 'T/y'?" in err.value.render("en")
    assert "是否想写 'T/y'？" in err.value.render("zh")
    grouped = scheme(constraints=[fa.GroupFloor(regions=["a"], amount=10)])
    with pytest.raises(fa.SchemeError) as err:
        WeightModel.from_allocation(fa.allocate(TABLE, grouped))
    zh = err.value.render("zh")
    assert zh.startswith("组合约束：向量化的权重模型只处理逐地区的保底和封顶")
    assert "地区 a 合计不低于 10 万元" in zh and "at least" not in zh
