"""docs/notebooks/walkthrough.ipynb runs without errors and shows what the library gives.

The notebook is stored with its outputs (so the docs and GitHub show them). The test executes
a copy in a fresh kernel of this interpreter (ipykernel, through nbclient) and checks that

- no cell raises;
- a few known numbers appear (the total 3,717 万元, 菏泽市's 309 万元);
- every cell's printed text equals the stored one, so stored outputs never go stale.

After changing the notebook or the library's printed output, refresh the stored outputs with::

    python tests/test_notebook.py

Pictures (PNG) and widget views are not compared: they depend on the installed fonts and on
the kernel session.
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import Any

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NOTEBOOK = Path(__file__).resolve().parents[1] / "docs" / "notebooks" / "walkthrough.ipynb"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def execute(notebook: Any) -> Any:
    """A copy of ``notebook`` executed in a new kernel of this interpreter (cwd: its folder)."""
    done = copy.deepcopy(notebook)
    client = nbclient.NotebookClient(
        done,
        timeout=120,
        kernel_name="python3",  # ipykernel's own spec: the interpreter running this
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
        store_widget_state=False,
    )
    client.execute()
    return done


def printed(notebook: Any) -> list[str]:
    """Per code cell, what it printed to stdout and its text result (no pictures)."""
    out = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        parts = []
        for output in cell.outputs:
            if output.output_type == "stream" and output.name == "stdout":
                parts.append(output.text)
            elif output.output_type == "error":
                parts.append(f"{output.ename}: {output.evalue}")
            elif "data" in output and WIDGET_VIEW not in output.data:
                parts.append(str(output.data.get("text/plain", "")))
        out.append("".join(parts))
    return out


@pytest.fixture(scope="module")
def executed() -> Any:
    return execute(nbformat.read(NOTEBOOK, as_version=4))


def test_the_walkthrough_runs_without_errors(executed: Any) -> None:
    errors = [
        output
        for cell in executed.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "error"
    ]
    assert errors == []
    text = "\n".join(printed(executed))
    assert "3,717 万元 to 16 regions" in text
    assert "菏泽市：309 万元" in text  # the explanation, in Chinese by default
    assert "total after the move: 3717" in text
    pictures = [
        output
        for cell in executed.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if "data" in output and "image/png" in output.data
    ]
    assert pictures  # the contributions plot was drawn


def test_the_stored_outputs_are_what_the_notebook_prints(executed: Any) -> None:
    stored = nbformat.read(NOTEBOOK, as_version=4)
    assert printed(stored) == printed(executed), (
        "the stored outputs are stale: run `python tests/test_notebook.py`"
    )


def refresh() -> None:
    """Execute the notebook and store its outputs (widget views left out)."""
    done = execute(nbformat.read(NOTEBOOK, as_version=4))
    for cell in done.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if not ("data" in o and WIDGET_VIEW in o.data)]
            cell.metadata.pop("execution", None)
    done.metadata.pop("widgets", None)
    nbformat.write(done, NOTEBOOK)
    print(f"outputs stored in {NOTEBOOK}", file=sys.stderr)


if __name__ == "__main__":
    refresh()
