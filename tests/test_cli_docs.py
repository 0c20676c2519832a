"""Every command-line session quoted in the guides prints what the page shows.

The pages docs/cli.md, docs/zh/cli.md, docs/errors.md and docs/zh/errors.md quote sessions
in ``console`` blocks: lines starting with ``$ `` are commands, the lines below one are
what it printed (standard output and standard error as a terminal shows them). Each block
runs in a fresh folder holding ``shandong_2018/`` (the bundled example) and ``cases/NAME/``
for each malformed-input case of tests/data/bad; ``$ cd DIR`` changes folder within the
block. The Chinese pages run with no FUNDALLOC_LANG (the default language), the English
ones with FUNDALLOC_LANG=en. The folder's path is shown as ``/home/bureau``.

After a message changes on purpose, rewrite the quoted outputs from real runs with::

    python tests/test_cli_docs.py
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = {
    "cli.md": "en",
    "zh/cli.md": "zh",
    "errors.md": "en",
    "zh/errors.md": "zh",
}
BAD = ROOT / "tests" / "data" / "bad"
BLOCK = re.compile(r"^```console\n(.*?)^```\n", re.S | re.M)
SHOWN_ROOT = "/home/bureau"


def _folder(tmp: Path) -> Path:
    shutil.copytree(ROOT / "examples" / "shandong_2018", tmp / "shandong_2018")
    for case in BAD.iterdir():
        if (case / "case.toml").is_file():
            shutil.copytree(
                case, tmp / "cases" / case.name, ignore=shutil.ignore_patterns("case.toml")
            )
    return tmp


def _session(block: str, lang: str, root: Path) -> str:
    """The block with each command's output replaced by what it prints now."""
    env = {k: v for k, v in os.environ.items() if k != "FUNDALLOC_LANG"}
    env["PYTHONUNBUFFERED"] = "1"  # standard output and error in the order they were written
    env["COLUMNS"] = "100"
    if lang == "en":
        env["FUNDALLOC_LANG"] = "en"
    cwd = root
    out = []
    for line in block.splitlines():
        if not line.startswith("$ "):
            continue
        out.append(line)
        words = line[2:].split()
        if words[0] == "cd":
            cwd = cwd / words[1]
            continue
        assert words[0] == "fundalloc", line
        done = subprocess.run(
            [sys.executable, "-m", "fundalloc", *words[1:]],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            cwd=cwd,
            env=env,
            check=False,
        )
        printed = done.stdout.replace(str(root.resolve()), SHOWN_ROOT).replace(
            str(root), SHOWN_ROOT
        )
        out.extend(printed.rstrip("\n").splitlines())
    return "\n".join(out) + "\n"


def _blocks(page: str) -> list[str]:
    return BLOCK.findall((ROOT / "docs" / page).read_text(encoding="utf-8"))


@pytest.mark.parametrize("page", sorted(PAGES))
def test_quoted_sessions_print_what_the_page_shows(page: str, tmp_path: Path) -> None:
    blocks = _blocks(page)
    assert blocks, f"{page} quotes no session"
    root = _folder(tmp_path)
    for block in blocks:
        assert _session(block, PAGES[page], root) == block


def update() -> None:
    """Rewrite the quoted outputs of every page from real runs."""
    for page, lang in PAGES.items():
        path = ROOT / "docs" / page
        with tempfile.TemporaryDirectory() as folder:
            root = _folder(Path(folder))
            text = BLOCK.sub(
                lambda m: f"```console\n{_session(m.group(1), lang, root)}```\n",  # noqa: B023
                path.read_text(encoding="utf-8"),
            )
        path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    update()
