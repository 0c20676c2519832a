"""Replay every file of the corpus (seeds and crash cases) against its target."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fuzz.harness import CORPUS
from tests.fuzz.known_crashes import KNOWN_UNFIXED, Known
from tests.fuzz.targets import REPLAY

FILES = sorted(p for folder in REPLAY for p in (CORPUS / folder).iterdir() if p.is_file())
KNOWN = {k.path for k in KNOWN_UNFIXED}


def _id(path: Path) -> str:
    name = path.relative_to(CORPUS).as_posix()
    return f"KNOWN-UNFIXED {name}" if name in KNOWN else name


@pytest.mark.fuzz
@pytest.mark.parametrize("path", FILES, ids=[_id(p) for p in FILES])
def test_replay(path: Path) -> None:
    """Every corpus file gives a result or a fundalloc error (crash cases included: a known,
    unfixed one fails here until its fix lands)."""
    REPLAY[path.parent.name](path)


@pytest.mark.fuzz
@pytest.mark.parametrize("known", KNOWN_UNFIXED, ids=[k.path for k in KNOWN_UNFIXED])
def test_known_crash_still_crashes(known: Known) -> None:
    """A listed crash that no longer crashes is fixed: its entry must leave KNOWN_UNFIXED."""
    path = CORPUS / known.path
    assert path.is_file(), f"{known.path} is listed in known_crashes.py but not in the corpus"
    try:
        REPLAY[path.parent.name](path)
    except AssertionError:
        return  # still crashes (test_replay shows how)
    pytest.fail(f"{known.path} no longer crashes: remove it from KNOWN_UNFIXED in known_crashes.py")


def test_known_crashes_are_crash_cases() -> None:
    """Only crash cases are listed, each once."""
    assert len(KNOWN) == len(KNOWN_UNFIXED)
    assert all(Path(k).name.startswith("crash-") for k in KNOWN)
