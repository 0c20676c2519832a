"""Every analysis result has a table: ``to_dataframe()`` with numeric columns named in the
reader's language, and an HTML repr for Jupyter that escapes names and cuts long tables."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import fundalloc as fa
from fundalloc.analysis import (
    ahp_weights,
    derivatives,
    entropy_weights,
    monte_carlo_weights,
    sweep,
)
from fundalloc.analysis.calibrate import calibrate
from fundalloc.analysis.fairness import fairness, lorenz
from fundalloc.i18n import using

pandas = pytest.importorskip("pandas")

TABLE = fa.RegionTable.from_columns(
    {"地区": ["甲<b>", "乙", "丙"], "x": [10.0, 20.0, 30.0], "y": [3.0, 1.0, 1.0]}, id="地区"
)
SCHEME = fa.Scheme(
    total=600,
    tranches=[
        fa.Tranche(
            name="T",
            share=1,
            factors=[
                fa.Factor(name="x", weight=0.5, rule=fa.Share(column="x")),
                fa.Factor(name="y", weight=0.5, rule=fa.Share(column="y")),
            ],
        )
    ],
)


def _results() -> dict[str, Any]:
    allocation = fa.allocate(TABLE, SCHEME)
    return {
        "calibration": calibrate(TABLE, SCHEME, dict(allocation.amounts)),
        "fairness": fairness(allocation),
        "lorenz": lorenz(allocation),
        "derivatives": derivatives(allocation),
        "sweep": sweep(allocation, values=[0.2, 0.8]),
        "monte_carlo": monte_carlo_weights(allocation, draws=5, seed=1, progress=False),
        "entropy": entropy_weights(TABLE, ["x", "y"]),
        "ahp": ahp_weights([[1, 2], ["1/2", 1]], ["x", "y"]),
    }


@pytest.mark.parametrize("name", list(_results()))
def test_the_dataframe_is_numeric_and_named_in_the_readers_language(name: str) -> None:
    with using("zh"):
        zh = _results()[name].to_dataframe()
    with using("en"):
        en = _results()[name].to_dataframe()
    assert zh.shape == en.shape and len(zh) > 0
    assert list(zh.columns) != list(en.columns)  # names follow the language
    numeric = [c for c in zh.columns if zh[c].dtype == np.float64]
    assert numeric, zh.dtypes  # the numbers are numbers, not text
    for column in zh.columns:
        assert not any("\u4e00" <= ch <= "\u9fff" for ch in "".join(map(str, en.columns)))
        assert column  # no empty names


@pytest.mark.parametrize("name", list(_results()))
def test_the_html_repr_escapes_names(name: str) -> None:
    with using("zh"):
        html = _results()[name]._repr_html_()
    assert html.startswith("<table><caption")
    assert "<b>" not in html.replace("<tbody>", "")  # 甲<b> is escaped where it is shown


def test_a_long_table_is_cut_with_a_note() -> None:
    many = fa.RegionTable.from_columns(
        {"地区": [f"r{k}" for k in range(50)], "x": list(range(1, 51))}, id="地区"
    )
    scheme = SCHEME.replace(
        tranches=(
            fa.Tranche(
                name="T",
                share=1,
                factors=(fa.Factor(name="x", weight=1, rule=fa.Share(column="x")),),
            ),
        )
    )
    result = derivatives(fa.allocate(many, scheme))
    with using("zh"):
        html = result._repr_html_()
    assert html.count("<tr>") == 1 + 20 + 1  # header, 20 rows, the note
    assert "……另有 30 行" in html
    assert len(result.to_dataframe()) == 50
