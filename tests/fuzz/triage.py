"""Sort crash inputs by signature and add the smallest of each to the corpus.

    /work/venv/bin/python -m tests.fuzz.triage [FOLDER] [--add]

FOLDER (default ``$TMPDIR/fundalloc-fuzz-crashes``) holds crash inputs in subfolders named
after their corpus folder or target (csv, xlsx, scheme, allocate, expression, verify), as
the harness saves them. Each is replayed; the signatures found are printed with the
smallest input of each. With ``--add`` those inputs are copied into tests/fuzz/corpus and a
``Known(...)`` line is printed for each, to paste into known_crashes.py.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from tests.fuzz import harness
from tests.fuzz.harness import CORPUS, CORPUS_FOLDERS, Recorder
from tests.fuzz.targets import REPLAY


def triage(folder: Path) -> dict[tuple[str, str], Path]:
    """The smallest input of each (corpus folder, signature) among the files under ``folder``."""
    found: dict[tuple[str, str], Path] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        corpus_folder = CORPUS_FOLDERS.get(path.parent.name, path.parent.name)
        if corpus_folder not in REPLAY:
            continue
        harness.RECORDER = recorder = Recorder(folder)
        try:
            REPLAY[corpus_folder](path)
        finally:
            harness.RECORDER = None
        for _, sig in recorder.crashes:
            key = (corpus_folder, sig)
            if key not in found or path.stat().st_size < found[key].stat().st_size:
                found[key] = path
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", type=Path, default=harness.CRASH_FOLDER)
    parser.add_argument("--add", action="store_true", help="copy into tests/fuzz/corpus")
    args = parser.parse_args()
    for (corpus_folder, sig), path in sorted(triage(args.folder).items()):
        line = f"{corpus_folder}: {sig}\n    {path} ({path.stat().st_size} bytes)"
        if args.add:
            target = CORPUS / corpus_folder / path.name
            shutil.copy(path, target)
            line += f"\n    Known({target.relative_to(CORPUS).as_posix()!r}, {sig!r}, issue=...),"
        print(line)


if __name__ == "__main__":
    main()
