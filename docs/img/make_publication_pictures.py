"""Render the publication page (公示) of the Shandong 2018 example into docs/img: the HTML page
as a browser shows it (publication-html.png in Chinese, publication-html-en.png in English)
and the Word document as it prints (publication-docx.png, its first page).

Run from the repository root after changing fundalloc.io.publication, its templates or the
example:

    python docs/img/make_publication_pictures.py [--dpi 80] [--keep FOLDER]

It renders the pages with :mod:`fundalloc.io.publication` and the default templates (with
``SOURCE_DATE_EPOCH`` fixed, so the pictures only change when the output does), has headless
Chromium take a screenshot of the HTML, has LibreOffice print the DOCX to PDF and pdftoppm
turn its first page into a PNG, and trims the white margin. It needs ``chromium``
(``apt-get install chromium``), ``soffice`` (``apt-get install libreoffice-writer``),
``pdftoppm`` (``apt-get install poppler-utils``), a CJK font (``apt-get install
fonts-noto-cjk``) and Pillow, and stops with a message when one is missing. ``--keep`` keeps
the HTML, DOCX and PDF.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_workbook_picture import first_page, trim

import fundalloc as fa
from fundalloc.io.outputs import Provenance
from fundalloc.io.publication import render_docx, render_html

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "shandong_2018" / "scheme.toml"
OUTPUT = Path(__file__).resolve().parent
#: Chromium's window: wide enough for the page's 46em column, tall enough for the example.
WINDOW = (900, 1500)


def shandong() -> tuple[fa.Allocation, Provenance]:
    os.environ["SOURCE_DATE_EPOCH"] = "1700000000"
    loaded = fa.load_scheme(EXAMPLE)
    path = loaded.data_path()
    assert path is not None
    result = fa.allocate(fa.read_table(path, id=loaded.data.id), loaded.scheme)
    digest = hashlib.sha256(EXAMPLE.read_bytes()).hexdigest()
    return result, Provenance.of(EXAMPLE, digest, path)


def screenshot(page: Path, folder: Path) -> Path:
    """Headless Chromium's screenshot of ``page`` (PNG, in ``folder``)."""
    out = folder / f"{page.stem}.png"
    subprocess.run(
        [
            _chromium(),
            "--headless",
            "--no-sandbox",  # root in a container has no user namespace for the sandbox
            "--disable-gpu",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
            f"--user-data-dir={folder / 'chromium'}",
            f"--window-size={WINDOW[0]},{WINDOW[1]}",
            f"--screenshot={out}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return out


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return name
    raise SystemExit("not found: chromium (see this script's docstring)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dpi", type=int, default=80, help="resolution of the DOCX picture")
    parser.add_argument("--keep", type=Path, help="keep the HTML, DOCX and PDF in this folder")
    args = parser.parse_args(argv)
    missing = [tool for tool in ("soffice", "pdftoppm") if shutil.which(tool) is None]
    if missing:
        print(f"not found: {', '.join(missing)} (see this script's docstring)", file=sys.stderr)
        return 1
    _chromium()
    result, provenance = shandong()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for lang, name in (("zh", "publication-html"), ("en", "publication-html-en")):
            page = folder / f"{name}.html"
            page.write_text(render_html(result, lang=lang, provenance=provenance), encoding="utf-8")
            size = trim(screenshot(page, folder), OUTPUT / f"{name}.png")
            print(f"wrote {OUTPUT / f'{name}.png'} ({size[0]}×{size[1]})")
        document = folder / "publication-docx.docx"
        document.write_bytes(render_docx(result, lang="zh", provenance=provenance))
        size = trim(first_page(document, folder, args.dpi), OUTPUT / "publication-docx.png")
        print(f"wrote {OUTPUT / 'publication-docx.png'} ({size[0]}×{size[1]})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
