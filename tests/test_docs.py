"""Every Python example in the user docs runs, and prints what the page shows after it.

Each page's ``python`` blocks run in order in one namespace, in a temporary folder that
holds a copy of ``examples/`` and every block titled as a file (``title="regions.csv"``
after the language); a block that prints must be followed by a ``text`` block with
exactly that output.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "docs").glob("**/*.md"))
BLOCK = re.compile(r"^```(\w*)([^\n]*)\n(.*?)^```", re.S | re.M)
TITLE = re.compile(r'title="([^"]+)"')


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT / "docs")))
def test_page_examples(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    found = list(BLOCK.finditer(page.read_text(encoding="utf-8")))
    blocks = [(m.group(1), m.group(3)) for m in found]
    if not any(lang == "python" for lang, _ in blocks):
        pytest.skip("no Python examples")
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    for m in found:
        if title := TITLE.search(m.group(2)):
            (tmp_path / title.group(1)).write_text(m.group(3), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "__docs__"}
    for k, (lang, code) in enumerate(blocks):
        if lang != "python":
            continue
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, f"{page.name} block {k}", "exec"), namespace)
        printed = out.getvalue()
        if not printed:
            continue
        following = blocks[k + 1] if k + 1 < len(blocks) else ("", "")
        assert following[0] == "text", f"block {k} prints but no text block follows it"
        assert printed.rstrip("\n") == following[1].rstrip("\n"), f"block {k} output differs"
