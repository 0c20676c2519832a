"""The solver registry: one place chooses the solver; HiGHS comes with scipy, so group
constraints of every shape work on a plain install (no highspy, no PuLP)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import fundalloc as fa
from fundalloc.i18n import using
from fundalloc.solvers import SOLVERS, Structure, choose, lp

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "shandong_groups" / "overlapping.toml"


def _plain_install(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """highspy and PuLP made unimportable; returns the list the LP backends used are
    appended to."""
    monkeypatch.setitem(sys.modules, "highspy", None)
    monkeypatch.setitem(sys.modules, "pulp", None)
    used: list[str] = []
    solve = lp.solve_lp

    def recording(program: lp.LinearProgram, backend: str, **kwargs: object) -> object:
        used.append(backend)
        return solve(program, backend, **kwargs)  # type: ignore[arg-type]

    from fundalloc.rounding import rows
    from fundalloc.solvers import qp

    monkeypatch.setattr(rows, "solve_lp", recording)
    monkeypatch.setattr(qp, "solve_lp", recording)
    return used


def test_every_solver_knows_its_name_installation_and_support() -> None:
    assert list(SOLVERS) == ["exact", "highs", "cbc"]
    assert all(SOLVERS[name].name == name for name in SOLVERS)
    bounds, groups, overlapping = (Structure(s) for s in ("bounds", "groups", "overlapping"))
    exact = SOLVERS["exact"]
    assert exact.supports(bounds) and exact.supports(groups) and not exact.supports(overlapping)
    assert all(SOLVERS[n].supports(s) for n in ("highs", "cbc") for s in (bounds, overlapping))
    assert choose("auto", groups) is exact
    assert choose("auto", overlapping) is SOLVERS["highs"]
    if lp.is_installed("highs"):
        assert SOLVERS["highs"].lp_backend() == "highs"


def test_unknown_and_unsupported_solvers_say_so_in_both_languages() -> None:
    with pytest.raises(fa.SolverError) as err:
        choose("gurobi", Structure("bounds"))
    assert err.value.render("en") == (
        "solver: unknown solver 'gurobi'; expected one of: auto, exact, highs, cbc"
    )
    assert err.value.render("zh") == (
        "求解器：未知的求解器 'gurobi'；应为以下之一：auto、exact、highs、cbc"
    )
    with pytest.raises(fa.SolverError) as err:
        choose("exact", Structure("overlapping"))
    with using("zh"):
        assert "改用 `solver='auto'`" in str(err.value)
    assert "use solver='auto'" in err.value.render("en")


def test_highs_is_installed_without_highspy(monkeypatch: pytest.MonkeyPatch) -> None:
    _plain_install(monkeypatch)
    assert not lp.is_installed("highs") and not lp.is_installed("cbc")
    assert SOLVERS["highs"].is_installed() and not SOLVERS["cbc"].is_installed()
    assert lp.backend_for("auto") == lp.backend_for("highs") == "scipy"
    assert SOLVERS["exact"].lp_backend() == SOLVERS["highs"].lp_backend() == "scipy"
    with pytest.raises(fa.DependencyError) as err:
        choose("cbc", Structure("bounds"))
    assert "pip install 'fundalloc[lp]'" in err.value.render("en")
    assert "求解器 'cbc' 未安装" in err.value.render("zh")


@pytest.mark.parametrize("solver", ["auto", "highs"])
def test_overlapping_groups_on_a_plain_install_give_the_same_amounts(
    monkeypatch: pytest.MonkeyPatch, solver: str
) -> None:
    pytest.importorskip("highspy")
    loaded = fa.load_scheme(EXAMPLE)
    table = fa.read_table(loaded.data_path(), id="地区")
    with_highspy = fa.allocate(table, loaded.scheme, solver=solver)
    used = _plain_install(monkeypatch)
    plain = fa.allocate(table, loaded.scheme, solver=solver)
    # the example's plain rounding breaks a row, so the integer programme ran, on scipy
    assert used and set(used) == {"scipy"}
    assert plain.amounts == with_highspy.amounts
    assert (plain.trace.holds == with_highspy.trace.holds).all()
