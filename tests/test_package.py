"""The package's public face: every name in ``fundalloc.__all__`` is what it says it is."""

from __future__ import annotations

import subprocess
import sys

import fundalloc


def test_public_names_survive_their_submodules_being_imported_first() -> None:
    # With lazy names (PEP 562) a submodule that shares a public name shadows it as soon as
    # anything imports the submodule: ``fa.allocate`` became a module once ``fundalloc.levels``
    # had imported the pipeline.  Run in a fresh interpreter so the import order is ours.
    code = """
import importlib, pkgutil, types
import fundalloc as fa
for info in pkgutil.walk_packages(fa.__path__, "fundalloc."):
    if info.name != "fundalloc.__main__":
        importlib.import_module(info.name)
bad = [n for n in fa.__all__ if isinstance(getattr(fa, n), types.ModuleType)]
print(",".join(bad))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


def test_every_public_name_resolves() -> None:
    for name in fundalloc.__all__:
        assert getattr(fundalloc, name) is not None
    assert sorted(dir(fundalloc)) == sorted(fundalloc.__all__)


def test_analysis_modules_stay_modules_whatever_is_imported_first() -> None:
    code = (
        "import fundalloc.analysis.fairness, fundalloc.analysis.calibrate, "
        "fundalloc.analysis.compare\n"
        "import types, fundalloc.analysis as a\n"
        "assert all(isinstance(getattr(a, m), types.ModuleType) "
        "for m in ('fairness', 'calibrate', 'compare', 'weights', 'sensitivity', 'multiyear'))\n"
        "assert callable(a.fairness.fairness) and callable(a.gini)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
