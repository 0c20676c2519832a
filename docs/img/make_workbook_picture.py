"""Render the calculation sheet (测算表) of the Shandong 2018 example into
docs/img/calculation-sheet.png, the way a bureau prints it.

Run from the repository root after changing fundalloc.io.workbook or the example:

    python docs/img/make_workbook_picture.py [--dpi 200] [--keep FOLDER]

It writes the workbook with :func:`fundalloc.io.workbook.calculation_workbook`, has
LibreOffice print it to PDF with the sheet's own print setup (A4 landscape, one page wide,
header rows repeated), turns the first page into a PNG with pdftoppm and trims the white
margin. It needs ``soffice`` (``apt-get install libreoffice-calc``), ``pdftoppm``
(``apt-get install poppler-utils``), a CJK font (``apt-get install fonts-noto-cjk``) and
Pillow, and stops with a message when one is missing. ``--keep`` keeps the XLSX and PDF.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import fundalloc as fa
from fundalloc.io.workbook import calculation_workbook

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "shandong_2018" / "scheme.toml"
OUTPUT = Path(__file__).resolve().parent / "calculation-sheet.png"


def shandong() -> fa.Allocation:
    loaded = fa.load_scheme(EXAMPLE)
    path = loaded.data_path()
    assert path is not None
    return fa.allocate(fa.read_table(path, id=loaded.data.id), loaded.scheme)


def render(folder: Path, dpi: int) -> Path:
    """The workbook, its PDF and the PNG of its first page, in ``folder``."""
    book = folder / "calculation-sheet.xlsx"
    book.write_bytes(calculation_workbook(shandong()))
    return first_page(book, folder, dpi)


def first_page(book: Path, folder: Path, dpi: int) -> Path:
    """The PNG of the first page LibreOffice prints of ``book`` (in ``folder``)."""
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(book),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    stem = folder / f"{book.stem}-page"
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            str(dpi),
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(book.with_suffix(".pdf")),
            str(stem),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return stem.with_suffix(".png")


def trim(page: Path, output: Path, margin: int = 24) -> tuple[int, int]:
    """Cut the white paper around the printed sheet, keeping ``margin`` pixels; the page
    footer (its number), far below the sheet, is left out."""
    import numpy as np
    from PIL import Image

    with Image.open(page) as image:
        rgb = image.convert("RGB")
    ink = (np.asarray(rgb) < 250).any(axis=2)
    rows, columns = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if rows.size == 0:
        raise SystemExit(f"{page} is blank: LibreOffice printed nothing")
    gaps = np.diff(rows)
    widest = int(gaps.argmax()) if gaps.size else 0
    bottom = rows[widest] if gaps.size and gaps[widest] > rgb.height // 5 else rows[-1]
    box = (
        max(int(columns[0]) - margin, 0),
        max(int(rows[0]) - margin, 0),
        min(int(columns[-1]) + margin, rgb.width),
        min(int(bottom) + margin, rgb.height),
    )
    cropped = rgb.crop(box)
    cropped.save(output, optimize=True)
    return cropped.size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dpi", type=int, default=200, help="resolution of the PNG")
    parser.add_argument("--keep", type=Path, help="keep the XLSX and PDF in this folder")
    args = parser.parse_args(argv)
    missing = [tool for tool in ("soffice", "pdftoppm") if shutil.which(tool) is None]
    if missing:
        print(f"not found: {', '.join(missing)} (see this script's docstring)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as temporary:
        folder = args.keep or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        size = trim(render(folder, args.dpi), OUTPUT)
    print(f"wrote {OUTPUT.relative_to(ROOT)} ({size[0]}×{size[1]} pixels)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
