"""Where weights come from: entropy weights, AHP, equal weights, with_weights."""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import fundalloc as fa
from fundalloc.analysis.weights import (
    SAATY_RANDOM_INDEX,
    ahp_weights,
    entropy_weights,
    equal_weights,
    with_weights,
)

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "shandong_2018"


def plogp(p: list[float]) -> float:
    """Σ p ln p with 0 ln 0 = 0, written out."""
    return sum(x * math.log(x) for x in p if x > 0)


# ---------------------------------------------------------------------------- entropy


def test_entropy_minmax_by_hand() -> None:
    # a: 1, 2, 3 → min-max 0, 1/2, 1 → p 0, 1/3, 2/3
    # b: 2, 2, 5 → 0, 0, 1 → p 0, 0, 1 → e = 0 (all in one region: the most informative)
    result = entropy_weights([[1, 2], [2, 2], [3, 5]], ["a", "b"])
    e_a = -plogp([0, 1 / 3, 2 / 3]) / math.log(3)
    assert result.entropies == pytest.approx({"a": e_a, "b": 0.0}, abs=1e-15)
    d_a, d_b = 1 - e_a, 1.0
    assert result.divergences == pytest.approx({"a": d_a, "b": d_b})
    assert result.weights == pytest.approx({"a": d_a / (d_a + d_b), "b": d_b / (d_a + d_b)})
    assert result.weights["a"] == pytest.approx(0.2961, abs=1e-4)  # e_a = 0.5794
    assert result.normalise == "minmax" and result.constant == () and result.negative == ()


def test_entropy_share_by_hand() -> None:
    # x: 1, 1, 2 → p 1/4, 1/4, 1/2;  y: 3, 1, 0 → p 3/4, 1/4, 0
    result = entropy_weights([[1, 3], [1, 1], [2, 0]], ["x", "y"], normalise="share")
    e_x = -plogp([0.25, 0.25, 0.5]) / math.log(3)
    e_y = -plogp([0.75, 0.25]) / math.log(3)
    assert result.entropies == pytest.approx({"x": e_x, "y": e_y})
    total = (1 - e_x) + (1 - e_y)
    assert result.weights == pytest.approx({"x": (1 - e_x) / total, "y": (1 - e_y) / total})


def test_negative_indicator_is_the_column_turned_around() -> None:
    x = np.array([[10, 3.1, 7], [50, 2.0, 1], [90, 1.2, 4], [20, 2.5, 4]])
    turned = x.copy()
    turned[:, 1] = -turned[:, 1]
    a = entropy_weights(x, ["poor", "income", "villages"], negative=["income"])
    b = entropy_weights(turned, ["poor", "income", "villages"])
    assert a.weights == pytest.approx(b.weights, abs=1e-15)
    assert a.negative == ("income",)
    assert entropy_weights(x, ["poor", "income", "villages"], negative="income") == a
    # and it matters: the positive reading gives other weights
    assert entropy_weights(x).weights["x2"] != pytest.approx(a.weights["income"])


def test_constant_column_gets_weight_zero_and_all_constant_is_an_error() -> None:
    result = entropy_weights([[1, 5], [2, 5], [4, 5]], ["a", "flat"])
    assert result.weights == {"a": 1.0, "flat": 0.0}
    assert result.entropies["flat"] == 1.0 and result.constant == ("flat",)
    zero = entropy_weights([[1, 0], [2, 0]], ["a", "zero"], normalise="share")
    assert zero.weights == {"a": 1.0, "zero": 0.0}
    with pytest.raises(fa.DataError, match="every column is constant"):
        entropy_weights([[1, 5], [1, 5]], ["a", "b"])


def test_entropy_from_a_table_matches_the_array() -> None:
    table = fa.read_table(EXAMPLE / "data.csv", id="地区")
    columns = ["少数民族贫困人口", "已脱贫享受政策人口", "农村居民人均可支配收入"]
    from_table = entropy_weights(table, columns, negative=["农村居民人均可支配收入"])
    matrix = np.column_stack([table.numeric(c) for c in columns])
    from_array = entropy_weights(matrix, columns, negative=["农村居民人均可支配收入"])
    assert from_table == from_array
    assert sum(from_table.weights.values()) == pytest.approx(1, abs=1e-15)


def test_entropy_refuses_bad_input() -> None:
    table = fa.RegionTable.from_columns({"id": ["a", "b"], "x": [1, -2], "t": ["u", "v"]}, id="id")
    with pytest.raises(fa.DataError, match="no column 'missing'"):
        entropy_weights(table, ["x", "missing"])
    with pytest.raises(fa.DataError, match="row 2, column 'x': expected a number >= 0"):
        entropy_weights(table, ["x"], normalise="share")
    with pytest.raises(fa.DataError, match="column 't'"):
        entropy_weights(table, ["t"])
    with pytest.raises(fa.SchemeError, match="names of the indicator columns"):
        entropy_weights(table)
    with pytest.raises(fa.SchemeError, match="expected names of the indicator columns"):
        entropy_weights(table, ["x"], negative=["y"])
    with pytest.raises(fa.SchemeError, match='negative indicators need normalise="minmax"'):
        entropy_weights([[1, 2], [3, 4]], negative=["x1"], normalise="share")
    with pytest.raises(fa.SchemeError, match="'x' is used more than once"):
        entropy_weights(table, ["x", "x"])
    with pytest.raises(fa.DataError, match="at least 2 regions"):
        entropy_weights([[1, 2]])
    with pytest.raises(fa.DataError, match=r"row 2, column 1 \('x1'\): expected a finite number"):
        entropy_weights([[1, 2], [np.nan, 3]])
    with pytest.raises(fa.DataError, match="2-D array"):
        entropy_weights([1, 2, 3])
    with pytest.raises(fa.SchemeError, match="expected 2 names"):
        entropy_weights([[1, 2], [3, 4]], ["only"])


_cell = st.floats(0, 1e6, allow_nan=False).map(lambda x: round(x, 3))
_matrices = st.tuples(st.integers(2, 8), st.integers(1, 4)).flatmap(
    lambda shape: st.lists(
        st.lists(_cell, min_size=shape[1], max_size=shape[1]), min_size=shape[0], max_size=shape[0]
    )
)


@given(_matrices, st.randoms(use_true_random=False), st.floats(0.01, 100))
def test_entropy_properties(rows: list[list[float]], rng: object, factor: float) -> None:
    x = np.array(rows)
    if all(np.ptp(x, axis=0) == 0):
        with pytest.raises(fa.DataError):
            entropy_weights(x)
        return
    for normalise in ("minmax", "share"):
        result = entropy_weights(x, normalise=normalise)  # type: ignore[arg-type]
        w = np.array(list(result.weights.values()))
        e = np.array(list(result.entropies.values()))
        assert (w >= 0).all() and w.sum() == pytest.approx(1, abs=1e-12)
        assert ((e >= -1e-12) & (e <= 1 + 1e-12)).all()
        # neither the order of the regions nor the scale of a column matters
        perm = np.array(rng.sample(range(len(x)), len(x)))  # type: ignore[attr-defined]
        scaled = x[perm].copy()
        scaled[:, 0] *= factor
        again = entropy_weights(scaled, normalise=normalise)  # type: ignore[arg-type]
        assert list(again.weights.values()) == pytest.approx(list(w), abs=1e-9)


# ---------------------------------------------------------------------------- AHP

# Saaty (1990), "How to make a decision: the analytic hierarchy process", EJOR 48, 9-26: the
# house example, eight criteria (size, transportation, neighbourhood, age, yard, modern
# facilities, condition, financing). Published: priorities .173 .054 .188 .018 .031 .036
# .167 .333, λ_max = 9.669, C.I. = 0.238, C.R. = 0.169 (Saaty keeps it despite CR > 0.1).
HOUSE = [
    [1, 5, 3, 7, 6, 6, "1/3", "1/4"],
    ["1/5", 1, "1/3", 5, 3, 3, "1/5", "1/7"],
    ["1/3", 3, 1, 6, 3, 4, 6, "1/5"],
    ["1/7", "1/5", "1/6", 1, "1/3", "1/4", "1/7", "1/8"],
    ["1/6", "1/3", "1/3", 3, 1, "1/2", "1/5", "1/6"],
    ["1/6", "1/3", "1/4", 4, 2, 1, "1/5", "1/6"],
    [3, 5, "1/6", 7, 5, 5, 1, "1/2"],
    [4, 7, 5, 8, 6, 6, 2, 1],
]
HOUSE_PRIORITIES = [0.173, 0.054, 0.188, 0.018, 0.031, 0.036, 0.167, 0.333]


def test_saaty_house_example_is_refused_then_forced() -> None:
    with pytest.raises(fa.SchemeError, match=r"CR = 0\.169 \(λ_max = 9\.6689, CI = 0\.2384"):
        ahp_weights(HOUSE)
    result = ahp_weights(HOUSE, force=True)
    assert [round(w, 3) for w in result.weights.values()] == HOUSE_PRIORITIES
    assert round(result.lambda_max, 3) == 9.669
    assert round(result.consistency_index, 3) == 0.238
    assert round(result.consistency_ratio, 3) == 0.169
    assert result.random_index == 1.41 and not result.consistent


def test_three_by_three_closed_form() -> None:
    # For a 3×3 reciprocal matrix with a12 = a, a13 = b, a23 = c (Saaty 1980):
    # λ_max = 1 + (b/(ac))^(1/3) + (ac/b)^(1/3), and the eigenvector is the geometric mean of
    # the rows (the two methods agree for n = 3).
    a, b, c = 3.0, 5.0, 2.0
    result = ahp_weights([[1, a, b], [1 / a, 1, c], [1 / b, 1 / c, 1]])
    r = (b / (a * c)) ** (1 / 3)
    lam = 1 + r + 1 / r
    assert result.lambda_max == pytest.approx(lam, rel=1e-12)
    assert result.consistency_index == pytest.approx((lam - 3) / 2, rel=1e-9)
    assert result.consistency_ratio == pytest.approx((lam - 3) / 2 / 0.58, rel=1e-9)
    g = np.array([(a * b) ** (1 / 3), (c / a) ** (1 / 3), (1 / (b * c)) ** (1 / 3)])
    assert list(result.weights.values()) == pytest.approx(list(g / g.sum()), rel=1e-12)
    geometric = ahp_weights([[1, a, b], [1 / a, 1, c], [1 / b, 1 / c, 1]], method="geometric")
    assert geometric.weights == pytest.approx(result.weights, rel=1e-12)
    assert geometric.consistency_ratio == result.consistency_ratio


def test_consistent_matrix_gives_its_ratios() -> None:
    w = np.array([0.5, 0.25, 0.15, 0.1])
    result = ahp_weights(w[:, None] / w[None, :], ["a", "b", "c", "d"])
    assert list(result.weights.values()) == pytest.approx(list(w), rel=1e-12)
    assert result.lambda_max == pytest.approx(4, abs=1e-12)
    assert result.consistency_ratio == pytest.approx(0, abs=1e-12) and result.consistent


def test_geometric_method_is_the_log_least_squares_solution() -> None:
    matrix = np.array(
        [[1, 4, 3, 7], [1 / 4, 1, 1 / 3, 3], [1 / 3, 3, 1, 5], [1 / 7, 1 / 3, 1 / 5, 1]]
    )
    result = ahp_weights(matrix, method="geometric")
    # min Σ_ij (ln a_ij − x_i + x_j)² with Σ x = 0, solved as a plain linear least squares
    n = len(matrix)
    rows, rhs = [], []
    for i in range(n):
        for j in range(n):
            row = np.zeros(n)
            row[i] += 1
            row[j] -= 1
            rows.append(row)
            rhs.append(math.log(matrix[i, j]))
    rows.append(np.ones(n))
    rhs.append(0.0)
    x = np.linalg.lstsq(np.array(rows), np.array(rhs), rcond=None)[0]
    expected = np.exp(x) / np.exp(x).sum()
    assert list(result.weights.values()) == pytest.approx(list(expected), rel=1e-12)
    # CR is a property of the matrix, the same for both methods
    assert result.consistency_ratio == ahp_weights(matrix).consistency_ratio


def test_small_matrices_are_always_consistent() -> None:
    assert ahp_weights([[1]], ["only"]).weights == {"only": 1.0}
    two = ahp_weights([[1, 3], ["1/3", 1]], ["a", "b"])
    assert two.weights == pytest.approx({"a": 0.75, "b": 0.25})
    assert two.consistency_index == 0 and two.consistency_ratio == 0 and two.lambda_max == 2


def test_reciprocity_is_checked_cell_by_cell() -> None:
    wrong_way = [[1, 3, 5], [3, 1, 2], [0.2, 0.5, 1]]  # row 2, column 1 should be 1/3
    with pytest.raises(fa.SchemeError) as caught:
        ahp_weights(wrong_way)
    assert len(caught.value.problems) == 1
    assert str(caught.value) == (
        "pairwise matrix, row 2, column 1: expected the reciprocal of row 1, column 2 (3): "
        "0.3333, within a relative 0.05; found 3 (product 9)"
    )
    # rounded reciprocals pass, and the exact reciprocal of the upper triangle is used
    rounded = ahp_weights([[1, 3, 5], [0.33, 1, 2], [0.2, 0.5, 1]])
    exact = ahp_weights([[1, 3, 5], [Fraction(1, 3), 1, 2], ["1/5", "1/2", 1]])
    assert rounded == exact
    with pytest.raises(fa.SchemeError, match="product 0.99"):
        ahp_weights([[1, 3], [0.33, 1]], tolerance=0.001)


def test_bad_matrices_are_refused() -> None:
    with pytest.raises(fa.SchemeError, match="square matrix: 2 rows of 2 cells"):
        ahp_weights([[1, 2, 3], [0.5, 1]])
    with pytest.raises(fa.SchemeError, match="row 1, column 2: expected a positive number"):
        ahp_weights([[1, 0], [1, 1]])
    with pytest.raises(fa.SchemeError, match="row 2, column 1: expected a positive number"):
        ahp_weights([[1, 2], ["half", 1]])
    with pytest.raises(fa.SchemeError, match="row 2, column 2: expected 1 on the diagonal"):
        ahp_weights([[1, 2], [0.5, 2]])
    with pytest.raises(fa.SchemeError, match="expected 2 names"):
        ahp_weights([[1, 2], [0.5, 1]], ["a"])
    with pytest.raises(fa.SchemeError, match="'a' is used more than once"):
        ahp_weights([[1, 2], [0.5, 1]], ["a", "a"])
    with pytest.raises(fa.SchemeError, match="square matrix"):
        ahp_weights([])


def test_refusal_names_the_judgment_furthest_from_the_weights() -> None:
    # consistent with weights 8 : 4 : 2 : 1 except a : d, entered the wrong way round
    matrix = [[1, 2, 4, "1/8"], ["1/2", 1, 2, 4], ["1/4", "1/2", 1, 2], [8, "1/4", "1/2", 1]]
    with pytest.raises(fa.SchemeError) as caught:
        ahp_weights(matrix, ["a", "b", "c", "d"])
    hint = caught.value.problems[0].hint
    assert hint is not None and "a : d = 1/8" in hint and "force=True" in hint


def test_refusal_breaks_a_tie_between_judgments_by_row_order() -> None:
    # a > b (3), b > c (3), but c > a (3): a perfect cycle, the weights are equal and every
    # judgment is equally far from them; the first in row order is named, whatever the noise
    with pytest.raises(fa.SchemeError) as caught:
        ahp_weights([[1, 3, "1/3"], ["1/3", 1, 3], [3, "1/3", 1]], ["a", "b", "c"])
    problem = caught.value.problems[0]
    assert problem.found is not None and problem.found.startswith("CR = 1.149")
    assert problem.hint is not None and "a : b = 3" in problem.hint


def test_random_index_beyond_saaty_table() -> None:
    n = 16
    w = np.arange(1, n + 1, dtype=float)
    consistent = w[:, None] / w[None, :]
    with pytest.raises(fa.SchemeError, match="n <= 15"):
        ahp_weights(consistent)
    assert ahp_weights(consistent, random_index=1.6).consistency_ratio == pytest.approx(0, abs=1e-9)
    assert SAATY_RANDOM_INDEX[3] == 0.58 and SAATY_RANDOM_INDEX[10] == 1.49


# ---------------------------------------------------------------------------- equal, schemes


def test_equal_weights() -> None:
    weights = equal_weights(["a", "b", "c"])
    assert weights == {"a": 1 / 3, "b": 1 / 3, "c": 1 / 3}
    with pytest.raises(fa.SchemeError, match="at least one name"):
        equal_weights([])
    with pytest.raises(fa.SchemeError, match="'a' is used more than once"):
        equal_weights(["a", "a"])


def test_with_weights_replaces_one_tranche_only() -> None:
    scheme = fa.load_scheme(EXAMPLE / "scheme.toml").scheme
    new = with_weights(
        scheme, {"已退出重点民族村": 0.6, "省扶贫工作重点民族村": 0.4}, tranche="重点民族村发展"
    )
    assert [f.weight for f in new.tranches[1].factors] == [0.6, 0.4]
    assert new.tranches[0] == scheme.tranches[0]
    assert [f.weight for f in scheme.tranches[1].factors] == [0.8, 0.2]  # unchanged
    assert new.replace(tranches=scheme.tranches) == scheme
    # and the new scheme allocates
    table = fa.read_table(EXAMPLE / "data.csv", id="地区")
    assert sum(fa.allocate(table, new).amounts.values()) == 3717


def test_with_weights_from_entropy_and_ahp() -> None:
    scheme = fa.load_scheme(EXAMPLE / "scheme.toml").scheme
    table = fa.read_table(EXAMPLE / "data.csv", id="地区")
    names = [f.name for f in scheme.tranches[1].factors]
    columns = [f.rule.column for f in scheme.tranches[1].factors]  # type: ignore[union-attr]
    entropy = entropy_weights(table, columns, normalise="share")
    by_name = dict(zip(names, entropy.weights.values(), strict=True))
    assert (
        sum(
            fa.allocate(
                table, with_weights(scheme, by_name, tranche="重点民族村发展")
            ).amounts.values()
        )
        == 3717
    )
    ahp = ahp_weights([[1, 4], ["1/4", 1]], names)
    assert (
        with_weights(scheme, ahp.weights, tranche="重点民族村发展").tranches[1].factors[0].weight
        == 0.8
    )


def test_with_weights_refuses_what_does_not_fit() -> None:
    scheme = fa.load_scheme(EXAMPLE / "scheme.toml").scheme
    with pytest.raises(
        fa.SchemeError, match="2 tranches with factors: '贫困人口因素', '重点民族村发展'"
    ):
        with_weights(scheme, {})
    with pytest.raises(fa.SchemeError, match="no such tranche; found '其他'"):
        with_weights(scheme, {}, tranche="其他")
    with pytest.raises(fa.SchemeError) as caught:
        with_weights(scheme, {"已退出重点民族村": 1.0, "村": 0.0}, tranche="重点民族村发展")
    assert "none for '省扶贫工作重点民族村'" in str(caught.value)
    assert "expected weights of the tranche's factors only; found '村'" in str(caught.value)
    with pytest.raises(fa.SchemeError, match="add up to 1.1"):
        with_weights(
            scheme, {"已退出重点民族村": 0.8, "省扶贫工作重点民族村": 0.3}, tranche="重点民族村发展"
        )


def test_with_weights_in_nested_tranches() -> None:
    share = fa.Share(column="x")
    scheme = fa.Scheme(
        total=100,
        tranches=[
            fa.Tranche(name="base", quota=fa.Quota(column="x", rate=1)),
            fa.Tranche(
                name="rest",
                share=1,
                tranches=[
                    fa.Tranche(
                        name="inner",
                        share=1,
                        factors=[
                            fa.Factor(name="a", rule=share, weight=0.5),
                            fa.Factor(name="b", rule=share, weight=0.5),
                        ],
                    )
                ],
            ),
        ],
    )
    new = with_weights(scheme, {"a": 0.9, "b": 0.1})  # the only tranche with factors
    assert [f.weight for f in new.tranches[1].tranches[0].factors] == [0.9, 0.1]
    assert (
        with_weights(scheme, {"a": 0.2, "b": 0.8}, tranche="rest/inner")
        .tranches[1]
        .tranches[0]
        .factors[1]
        .weight
        == 0.8
    )
    with pytest.raises(fa.SchemeError, match="found a quota tranche"):
        with_weights(scheme, {}, tranche="base")
    with pytest.raises(fa.SchemeError, match="found a tranche of sub-tranches"):
        with_weights(scheme, {}, tranche="rest")


def test_refusals_read_whole_in_chinese() -> None:
    matrix = [[1, 2, 4, "1/8"], ["1/2", 1, 2, 4], ["1/4", "1/2", 1, 2], [8, "1/4", "1/2", 1]]
    with pytest.raises(fa.SchemeError) as caught:
        ahp_weights(matrix, ["a", "b", "c", "d"])
    zh = caught.value.render("zh")
    assert zh.startswith("判断矩阵：一致性比率应小于 0.1（萨蒂准则）；实际为 CR = ")
    assert "与权重偏离最大的判断是 a : d = 1/8" in zh and "`force=True`" in zh
    with pytest.raises(fa.SchemeError) as caught:
        ahp_weights([[1, "x"], [1, 1]])
    assert caught.value.render("zh") == (
        "判断矩阵第 1 行第 2 列：应为正数或分数（如 '1/3'）；实际为 'x'"
    )
    with pytest.raises(fa.SchemeError) as caught:
        equal_weights([])
    assert caught.value.render("zh") == "names：至少应有一个名称；实际为 没有"
