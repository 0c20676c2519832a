"""The bundled examples run as documented and keep the totals of seed 001."""

from __future__ import annotations

import csv
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import fundalloc as fa

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "shandong_2018"


def run(script: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(EXAMPLE / script), *args],
        capture_output=True,
        text=True,
        check=True,
        encoding="utf-8",
    )
    return done.stdout


def test_data_matches_the_seed_totals() -> None:
    table = fa.read_table(EXAMPLE / "data.csv", id="地区")
    assert len(table) == 16
    assert table.numeric("少数民族贫困人口").sum() == 991
    assert table.numeric("已脱贫享受政策人口").sum() == 13284
    assert table.numeric("重点民族村").sum() == 10
    assert table.numeric("已退出重点民族村").sum() == 64


def test_shandong_allocation_runs_and_writes_its_breakdown(tmp_path: Path) -> None:
    out = tmp_path / "shandong.csv"
    text = run("allocate.py", "--explain", "东营市", "--output", str(out))
    assert "3717 万元" in text and "东营市：60 万元" in text and "保底" in text
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 16
    assert sum(Decimal(r["amount"]) for r in rows) == 3717
    amounts = {r["地区"]: Decimal(r["amount"]) for r in rows}
    assert amounts["威海市"] == 0  # takes no part
    assert min(v for v in amounts.values() if v) >= 60
    assert max(amounts.values()) <= Decimal("446.04")  # 12% of 3717


def test_training_places() -> None:
    text = run("training_places.py")
    last = text.strip().splitlines()[-1].split()
    assert last == ["合计", "200", "200", "200", "200"]


def test_the_scheme_file_is_the_python_scheme() -> None:
    import importlib.util

    from fundalloc.io.schemefile import load_scheme

    spec = importlib.util.spec_from_file_location("shandong", EXAMPLE / "allocate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert load_scheme(EXAMPLE / "scheme.toml").scheme == module.build_scheme()


def test_levels_example_splits_two_cities_exactly() -> None:
    text = run("levels.py")
    assert text.startswith("济南市 279 万元 = ") and "济宁市 446 万元 = " in text
    assert "章丘区：47 万元" in text


GROUPS = EXAMPLE.parent / "shandong_groups"


def _group_sums(result: fa.Allocation) -> dict[str, Decimal]:
    sums = {}
    for constraint in result.scheme.constraints:
        assert isinstance(constraint, fa.GroupFloor | fa.GroupCap)
        sums[constraint.name] = sum(result.amounts[r] for r in constraint.regions)
    return sums


def test_the_group_examples_hold_every_constraint_exactly() -> None:
    partitioned = fa.load_scheme(GROUPS / "partitioned.toml")
    table = fa.read_table(EXAMPLE / "data.csv", id="地区")
    got = fa.allocate(table, partitioned.scheme)
    sums = _group_sums(got)
    assert sums == {"鲁南四市合计不超过 35%": 1300, "胶东五市合计不低于 12%": 447}
    assert got.trace.region_multipliers is not None  # solved as groups, exactly
    overlapping = fa.load_scheme(GROUPS / "overlapping.toml").scheme
    highs = fa.allocate(table, overlapping)
    assert _group_sums(highs)["沿黄九市合计不超过 68%"] == 2527  # 0.68 × 3717 = 2527.56
    assert _group_sums(highs)["鲁南四市合计不超过 35%"] == 1300
    for r in (got, highs):
        assert sum(r.amounts.values()) == 3717
        assert max(r.amounts.values()) <= Decimal("446.04")  # the 12% cap per city


def test_the_analysis_walkthrough_runs(tmp_path: Path) -> None:
    script = EXAMPLE.parent / "walkthrough" / "analysis.py"
    done = subprocess.run(
        [sys.executable, "-W", "ignore::UserWarning", str(script), "--plots", str(tmp_path)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=True,
    )
    lines = done.stdout.splitlines()
    assert lines[0] == "1. 基准分配 baseline: 3717 万元 to 16 cities"
    # calibration recovers the scheme's own weights from its published tranche amounts
    assert "贫困人口规模 0.350, 巩固脱贫人口 0.250, 贫困发生率 0.200, 脱贫难度 0.200" in done.stdout
    assert any(
        line.startswith("9. 多年模拟 three years: budgets 3708, 3893, 4088") for line in lines
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "contributions.png",
        "lorenz.png",
        "tornado.png",
        "waterfall.png",
    ]
