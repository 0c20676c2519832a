"""Render the first printed page of every sheet of the XLSX output of the Shandong 2018
example into docs/img/output-<sheet>.png, the way a bureau prints the workbook.

Run from the repository root after changing fundalloc.io.outputs or the example:

    python docs/img/make_output_pictures.py [--dpi 110] [--keep FOLDER]

It writes the workbook as ``fundalloc allocate examples/shandong_2018/scheme.toml -o
r.xlsx`` does (with ``SOURCE_DATE_EPOCH`` fixed, so the pictures only change when the
output does), makes one workbook per sheet with openpyxl (the other sheets removed, their
print setup kept), has LibreOffice print each to PDF with the sheet's own print setup (A4
landscape, one page wide, header rows repeated), turns the first page into a PNG with
pdftoppm and trims the white margin. It needs ``soffice``, ``pdftoppm``, a CJK font and
Pillow (see make_workbook_picture.py). ``--keep`` keeps the workbooks and PDFs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_workbook_picture import first_page, trim

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "shandong_2018" / "scheme.toml"
OUTPUT = Path(__file__).resolve().parent
#: The pictures' names, one per sheet in the workbook's order.
NAMES = ("allocation", "breakdown", "factors", "input", "provenance", "calculation")


def workbook(folder: Path) -> Path:
    from fundalloc.cli import main

    os.environ["SOURCE_DATE_EPOCH"] = "1700000000"
    path = folder / "r.xlsx"
    if main(["allocate", str(EXAMPLE), "-o", str(path)]) != 0:
        raise SystemExit("fundalloc allocate failed")
    return path


def one_sheet(path: Path, index: int, folder: Path) -> Path:
    """A copy of the workbook holding only its sheet ``index``."""
    import openpyxl

    book = openpyxl.load_workbook(path)
    keep = book.worksheets[index]
    for sheet in list(book.worksheets):
        if sheet is not keep:
            book.remove(sheet)
    if index != 5:  # the names λ and 总额 point at the calculation sheet
        for name in list(book.defined_names):
            del book.defined_names[name]
    out = folder / f"{NAMES[index]}.xlsx"
    book.save(out)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dpi", type=int, default=110, help="resolution of the PNGs")
    parser.add_argument("--keep", type=Path, help="keep the workbooks and PDFs in this folder")
    args = parser.parse_args(argv)
    missing = [tool for tool in ("soffice", "pdftoppm") if shutil.which(tool) is None]
    if missing:
        print(f"not found: {', '.join(missing)} (see this script's docstring)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as temporary:
        folder = args.keep or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        path = workbook(folder)
        for index, name in enumerate(NAMES):
            page = first_page(one_sheet(path, index, folder), folder, args.dpi)
            size = trim(page, OUTPUT / f"output-{name}.png")
            print(f"wrote docs/img/output-{name}.png ({size[0]}×{size[1]} pixels)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
