"""The rounding package's layout: its names are fundalloc.types', the scheme validates
without importing it, and the old import paths still give the same functions."""

from __future__ import annotations

import subprocess
import sys
from typing import get_args

import fundalloc.rounding as rounding
import fundalloc.types as types
from fundalloc.rounding.divisor import DIVISORS
from fundalloc.rounding.names import DIVISOR_METHODS, METHODS, NAMES


def test_the_method_names_are_the_literals_of_types() -> None:
    assert METHODS == get_args(types.CanonicalMethod) == rounding.METHODS
    assert get_args(types.RoundingMethod) == NAMES
    assert set(NAMES) == {*METHODS, *types.ALIASES}
    assert tuple(DIVISORS) == DIVISOR_METHODS == METHODS[1:-1]
    assert all(rounding.canonical_method(alias) == m for alias, m in types.ALIASES.items())


def test_the_scheme_is_validated_without_importing_rounding() -> None:
    code = (
        "import sys, fundalloc.scheme\n"
        "print(sorted(m for m in sys.modules if m.startswith('fundalloc.rounding')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.strip() == "[]"


def test_the_old_import_paths_give_the_same_functions() -> None:
    from fundalloc.solvers.groups import GroupBox, round_by_groups
    from fundalloc.solvers.integer import round_with_rows

    assert round_by_groups is rounding.round_by_groups
    assert GroupBox is rounding.GroupBox
    assert round_with_rows is rounding.round_with_rows
