"""Draw the pictures of docs/plots.md from the Shandong 2018 example into docs/img/*.png.

Run from the repository root after changing fundalloc.plots or the example:

    python docs/img/make_plots.py [--font-file /usr/share/fonts/.../NotoSansCJK-Regular.ttc]

The region names are Chinese, so a CJK font is needed (see fundalloc.plots): the script takes
the first of ``fundalloc.plots.CJK_FONTS`` that matplotlib knows, or the font file given (on
Debian: ``apt-get install fonts-noto-cjk``), and stops if there is none rather than draw boxes.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt

import fundalloc as fa
from fundalloc import plots
from fundalloc.analysis import fairness

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "shandong_2018" / "scheme.toml"
HERE = Path(__file__).resolve().parent


def shandong() -> tuple[fa.RegionTable, fa.Scheme]:
    loaded = fa.load_scheme(EXAMPLE)
    path = loaded.data_path()
    assert path is not None
    return fa.read_table(path, id=loaded.data.id), loaded.scheme


def weight_swings(
    table: fa.RegionTable, scheme: fa.Scheme, region: str, change: float
) -> dict[str, tuple[float, float]]:
    """For every factor: the region's formula target (before bounds and rounding) with the
    factor's weight times (1 − change) and times (1 + change), the tranche's weights then
    rescaled to add up to 1."""
    rows: dict[str, tuple[float, float]] = {}
    for t, tranche in enumerate(scheme.tranches):
        for f, factor in enumerate(tranche.factors):
            amounts = []
            for scale in (1 - change, 1 + change):
                factors = list(tranche.factors)
                factors[f] = factor.replace(weight=factor.weight * scale)
                tranches = list(scheme.tranches)
                tranches[t] = tranche.replace(factors=factors, normalise_weights=True)
                result = fa.allocate(table, scheme.replace(tranches=tranches))
                amounts.append(result.targets[region])
            rows[factor.name] = (amounts[0], amounts[1])
    return rows


def draw(out: Path, font: str | None) -> list[Path]:
    """Write the four pictures into ``out``; with ``font`` None, matplotlib's default font."""
    table, scheme = shandong()
    result = fa.allocate(table, scheme)
    swings = weight_swings(table, scheme, "德州市", 0.2)
    pictures: dict[str, Callable[[], object]] = {
        "contributions.png": lambda: plots.contributions(result),
        "waterfall.png": lambda: plots.waterfall(result, "济宁市"),
        "lorenz.png": lambda: plots.lorenz(fairness.lorenz(result, "农村少数民族人口")),
        "tornado.png": lambda: plots.tornado(swings, base=result.targets["德州市"]).set_title(
            "德州市测算数：各因素权重 ±20%"
        ),
    }
    settings = {"font.family": "sans-serif", "font.sans-serif": [font, "DejaVu Sans"]}
    written = []
    with plt.rc_context(settings if font else {}):
        for name, picture in pictures.items():
            picture()
            figure = plt.gcf()
            figure.savefig(out / name, dpi=110, metadata={"Software": None})
            plt.close(figure)
            written.append(out / name)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--font-file", help="a font file that draws Chinese, to register first")
    args = parser.parse_args(argv)
    matplotlib.use("Agg")
    if args.font_file:
        from matplotlib import font_manager

        font_manager.fontManager.addfont(args.font_file)
    font = plots.cjk_font()
    if font is None:
        print("no CJK font known to matplotlib; pass --font-file", file=sys.stderr)
        return 1
    for path in draw(HERE, font):
        print(f"written: {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
