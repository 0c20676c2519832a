"""A program importing fundalloc gets its mistakes from mypy: specs show their keywords and
types to a type checker (pydantic's ``dataclass_transform``), and the closed sets of names
are Literals that the JSON schema of a scheme file lists too."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import get_args

import pytest

import fundalloc
from fundalloc import rounding
from fundalloc.io.schemefile import json_schema
from fundalloc.types import (
    ALIASES,
    BOUND_KINDS,
    CONSTRAINT_KINDS,
    METHODS,
    OPERATORS,
    RULE_KINDS,
    RoundingMethod,
)

ROOT = Path(fundalloc.__file__).resolve().parents[1]

CORRECT = """\
from decimal import Decimal

import fundalloc as fa

people = fa.Factor(name="人口", rule=fa.Share(column="人口"), weight=0.6)
rate = fa.Factor(
    name="发生率", rule=fa.Ratio(numerator="贫困人口", denominator="人口"), weight=0.4
)
grade = fa.Coefficient(name="绩效", rule=fa.Tiered(column="等次", tiers={"A": 1.1}))
scheme = fa.Scheme(
    total=3717,
    step=Decimal("0.01"),
    rounding="webster",
    derived={"缺口": "max(支出 - 收入, 0)"},
    eligibility=[fa.Condition(column="缺口", op=">", value=0)],
    tranches=[
        fa.Tranche(name="因素", share=0.8, factors=[people, rate], coefficients=[grade]),
        fa.Tranche(name="固定", amount=100.5, factors=[people.replace(weight=1)]),
    ],
)
total: Decimal = scheme.total
method: str = scheme.method
"""

#: Bounds, constraints, sources and the solver, as a user writes them.
CORRECT_BOUNDS = """\
from decimal import Decimal

import fundalloc as fa

people = fa.Factor(name="人口", rule=fa.Share(column="人口"), weight=1)
scheme = fa.Scheme(
    total=3717,
    tranches=[fa.Tranche(name="因素", share=1, factors=[people])],
    bounds=[
        fa.Floor(amount=50),
        fa.Cap(share=0.3, where=[fa.Condition(column="人口", op=">", value=0)]),
        fa.HoldHarmless(column="上年", ratio=0.9),
        fa.GrowthCap(column="上年", ratio=1.2),
    ],
    constraints=[fa.GroupFloor(regions=["a", "b"], amount=Decimal("100"))],
)
source = fa.Source(name="中央", amount=2000, regions=["a"])
table = fa.RegionTable.from_columns({"id": ["a", "b"], "人口": [1, 2]}, id="id")
result = fa.allocate(table, scheme, solver="exact")
"""

#: Each mistake, with the words mypy's message must hold.
MISTAKES = {
    'fa.Floor(amount="abc")': r'Argument "amount" to "Floor" has incompatible type "str"',
    'fa.Factor(name="x", rule=fa.Share(column="a"), weight="heavy")': (
        r'Argument "weight" to "Factor" has incompatible type "str"; expected "float"'
    ),
    'fa.Share(colum="a")': r'Unexpected keyword argument "colum" for "Share"',
    'fa.Scheme(total=1, tranches=[], rounding="banana")': (
        r'Argument "rounding" to "Scheme" has incompatible type "Literal\[\'banana\'\]"'
    ),
    'fa.Scheme(total="a lot", tranches=[])': r'Argument "total" to "Scheme" has incompatible',
    'fa.Condition(column="a", op="~", value=1)': r'Argument "op" to "Condition"',
    'fa.Inverse(column="a", reference="median")': r'Argument "reference" to "Inverse"',
}


def _mypy(tmp_path: Path, source: str) -> subprocess.CompletedProcess[str]:
    mypy = Path(sys.executable).with_name("mypy")
    if not mypy.exists():
        found = shutil.which("mypy")
        if found is None:
            pytest.skip("mypy is not installed (it comes with the test extra)")
        mypy = Path(found)
    script = tmp_path / "user.py"
    script.write_text(source, encoding="utf-8")
    cache = ROOT / ".mypy_cache" / "user_code"
    return subprocess.run(
        [
            str(mypy),
            "--strict",
            "--config-file",
            os.devnull,  # a user's own settings: no pydantic plugin
            "--follow-imports=silent",  # fundalloc's own errors are not the user's
            "--cache-dir",
            str(cache),
            "--no-error-summary",
            str(script),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "MYPYPATH": str(ROOT)},  # an editable install hides the package
        timeout=300,
    )


def test_a_correct_user_script_type_checks(tmp_path: Path) -> None:
    result = _mypy(tmp_path, CORRECT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_bounds_sources_and_the_solver_type_check(tmp_path: Path) -> None:
    result = _mypy(tmp_path, CORRECT_BOUNDS)
    assert result.returncode == 0, result.stdout + result.stderr
    mistake = 'fa.allocate(fa.RegionTable.from_columns({}, id="id"), scheme, solver="banana")'
    result = _mypy(tmp_path, CORRECT_BOUNDS + mistake + "\n")
    assert re.search(r'user\.py:20: error: Argument "solver" to "allocate"', result.stdout)


def test_each_mistake_is_a_type_error_at_its_line(tmp_path: Path) -> None:
    lines = ["import fundalloc as fa", "", *MISTAKES]
    result = _mypy(tmp_path, "\n".join(lines) + "\n")
    assert result.returncode == 1, result.stdout + result.stderr
    reported = result.stdout.splitlines()
    for number, (line, expected) in enumerate(MISTAKES.items(), start=3):
        at_line = [r for r in reported if re.match(rf"^user\.py:{number}: error:", r)]
        assert any(re.search(expected, r) for r in at_line), (line, at_line, result.stdout)


def test_the_rounding_names_are_the_rounding_methods() -> None:
    assert set(METHODS) == set(rounding.METHODS)
    assert set(get_args(RoundingMethod)) == set(METHODS) | set(ALIASES)
    assert all(rounding.canonical_method(a) == m for a, m in ALIASES.items())


def test_the_kinds_are_the_registries() -> None:
    from fundalloc.bounds import BOUNDS
    from fundalloc.constraints import GroupCap, GroupFloor, GroupRatio
    from fundalloc.factors import RULES

    assert set(RULE_KINDS) == set(RULES)
    assert set(BOUND_KINDS) == set(BOUNDS)
    kinds = {m.model_fields["kind"].default for m in (GroupCap, GroupFloor, GroupRatio)}
    assert set(CONSTRAINT_KINDS) == kinds


def test_the_json_schema_lists_the_allowed_values() -> None:
    schema = json_schema()
    assert schema["properties"]["rounding"]["enum"] == list(get_args(RoundingMethod))
    assert schema["properties"]["schema_version"] == {"const": 1, "type": "integer"}
    assert "schema_version" in schema["required"] and "total" in schema["required"]
    definitions = schema["$defs"]
    assert definitions["Condition"]["properties"]["op"]["enum"] == list(OPERATORS)
    assert definitions["Inverse"]["properties"]["reference"]["enum"] == ["mean", "max", "min"]
    tags = definitions["Factor"]["properties"]["rule"]["discriminator"]["mapping"]
    assert set(tags) == set(RULE_KINDS)
    assert definitions["Tranche"]["additionalProperties"] is False
