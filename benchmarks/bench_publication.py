"""Benchmark: the publication page (公示) in HTML, Markdown and DOCX against named peers.

The allocation is the one of ``bench_outputs.py`` (``n`` regions, two share factors, a tiered
coefficient, whole 万元), made once per size before the clock. Per size and format:

ours
    ``render_html`` / ``render_markdown`` / ``render_docx`` of :mod:`fundalloc.io.publication`
    with the default templates: the whole page (title, facts, formula in words, the table of
    region, amount and share with its total row, the rounding note, the hashes).
the peer
    ``html``: pandas ``DataFrame.to_html``; ``md``: pandas ``DataFrame.to_markdown``
    (tabulate); both of the same three columns, already formatted, built before the clock.
    ``docx``: python-docx filling the table the documented way (``Document().add_table``,
    ``table.add_row().cells`` per row), up to ``--docx-peer-max`` regions (its time grows
    faster than linearly: above that size it is left out, and so is the ratio), timed once.

Times are the best of ``--repeat`` calls (wall clock). The growth exponent is the slope of
log(time) on log(regions) over the sizes measured (1 is linear). Nothing is asserted; the goal
line (issue 11: 10^5 regions in under 10 s per format) reports yes/no.

Run (from the repository root, with the project virtualenv)::

    /work/venv/bin/python benchmarks/bench_publication.py
    /work/venv/bin/python benchmarks/bench_publication.py --sizes 10000 100000 --repeat 3
"""

from __future__ import annotations

import argparse
import math
import platform
import sys
from collections.abc import Callable
from importlib import metadata
from typing import Any

from _timing import best_of, fmt_s  # benchmarks/ is on sys.path when run
from bench_outputs import allocation

GOAL_N = 100_000
GOAL_SECONDS = 10.0
PEERS = {
    "html": "pandas to_html",
    "md": "pandas to_markdown",
    "docx": "python-docx add_row",
}


def _peer(fmt: str, frame: Any, n: int, docx_max: int) -> Callable[[], Any] | None:
    if fmt == "html":
        return lambda: frame.to_html(index=False)
    if fmt == "md":
        try:
            import tabulate  # noqa: F401
        except ImportError:
            return None
        return lambda: frame.to_markdown(index=False)
    if n > docx_max:
        return None

    def naive_docx() -> bytes:
        import io

        import docx

        document = docx.Document()
        table = document.add_table(rows=1, cols=3)
        for cell, text in zip(table.rows[0].cells, frame.columns, strict=True):
            cell.text = text
        for region, amount, share in frame.itertuples(index=False):
            cells = table.add_row().cells
            cells[0].text, cells[1].text, cells[2].text = region, amount, share
        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()

    return naive_docx


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--docx-peer-max", type=int, default=10_000)
    args = parser.parse_args(argv)

    import pandas as pd

    from fundalloc.io.outputs import Provenance
    from fundalloc.io.publication import context, render_docx, render_html, render_markdown

    ours = {"html": render_html, "md": render_markdown, "docx": render_docx}
    provenance = Provenance("scheme.toml", "0" * 64, "data.csv", "1" * 64, "bench")
    versions = ", ".join(
        f"{name} {metadata.version(name)}"
        for name in ("jinja2", "python-docx", "pandas", "tabulate")
        if _installed(name)
    )
    print(f"Python {platform.python_version()} on {platform.machine()}; {versions}")
    print(f"{'regions':>8}  {'format':<6} {'ours':>9}  {'peer':<22} {'peer time':>9}  ratio")
    times: dict[str, list[tuple[int, float]]] = {fmt: [] for fmt in ours}
    for n in args.sizes:
        result = allocation(n, args.seed)
        page = context(result, lang="zh", provenance=provenance)
        frame = pd.DataFrame(
            [(r["region"], r["amount"], r["share"]) for r in page["rows"]],
            columns=[page["labels"][k] for k in ("region", "amount", "share")],
        )
        for fmt, render in ours.items():
            ours_s, _ = best_of(
                lambda render=render, result=result: render(
                    result, lang="zh", provenance=provenance
                ),
                args.repeat,
            )
            times[fmt].append((n, ours_s))
            peer = _peer(fmt, frame, n, args.docx_peer_max)
            # python-docx's add_row takes minutes at 10^4 rows: timed once
            repeat = 1 if fmt == "docx" else args.repeat
            peer_s = best_of(peer, repeat)[0] if peer is not None else None
            ratio = f"{ours_s / peer_s:.3g}" if peer_s else "—"
            print(
                f"{n:>8,}  {fmt:<6} {fmt_s(ours_s):>9}  "
                f"{PEERS[fmt]:<22} {fmt_s(peer_s):>9}  {ratio}"
            )
            sys.stdout.flush()
    for fmt, points in times.items():
        if len(points) > 1:
            (n0, t0), (n1, t1) = points[0], points[-1]
            growth = math.log(t1 / t0) / math.log(n1 / n0)
            print(f"growth exponent {fmt}: {growth:.2f}")
        goal = [t for n, t in points if n == GOAL_N]
        if goal:
            met = "yes" if goal[0] < GOAL_SECONDS else "NO"
            print(f"goal {fmt} (10^5 regions under {GOAL_SECONDS:g} s): {met} ({fmt_s(goal[0])})")
    return 0


def _installed(name: str) -> bool:
    try:
        metadata.version(name)
    except metadata.PackageNotFoundError:
        return False
    return True


if __name__ == "__main__":
    raise SystemExit(main())
