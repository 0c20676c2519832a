"""Progress bars of the long analysis calls: shown when asked or when someone watches,
never otherwise, never on standard output, and no error without tqdm."""

from __future__ import annotations

import io
import sys
import types
from collections.abc import Callable

import pytest

import fundalloc as fa
from fundalloc.analysis import _progress
from fundalloc.analysis.multiyear import simulate
from fundalloc.analysis.sensitivity import (
    monte_carlo_data,
    monte_carlo_weights,
    sweep,
    weight_model,
)
from fundalloc.errors import DependencyError, SchemeError


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _table() -> fa.RegionTable:
    return fa.RegionTable.from_columns(
        {"id": ["a", "b", "c"], "x": [1, 1, 2], "y": [3, 1, 0]}, id="id"
    )


def _scheme() -> fa.Scheme:
    return fa.Scheme(
        total=100,
        tranches=[
            fa.Tranche(
                name="T",
                share=1,
                factors=[
                    fa.Factor(name="x", rule=fa.Share(column="x"), weight=0.5),
                    fa.Factor(name="y", rule=fa.Share(column="y"), weight=0.5),
                ],
            )
        ],
    )


# each long call, with what its bar counts and how many
CALLS: dict[str, tuple[Callable[..., object], str, int]] = {
    "monte_carlo_weights": (
        lambda **kw: monte_carlo_weights(_table(), _scheme(), draws=30, seed=1, **kw),
        "weight vectors",
        30,
    ),
    "monte_carlo_data": (
        lambda **kw: monte_carlo_data(_table(), _scheme(), columns=["x"], draws=5, seed=1, **kw),
        "draws",
        5,
    ),
    "sweep": (
        lambda **kw: sweep(_table(), _scheme(), values=[0, 0.5, 1], **kw),
        "weight vectors",
        6,
    ),
    "evaluate": (
        lambda **kw: weight_model(_table(), _scheme()).evaluate([[1, 1], [1, 2]], **kw),
        "weight vectors",
        2,
    ),
    "simulate": (
        lambda **kw: simulate(
            _table(), _scheme(), 4, growth=0.1, start={"a": 40, "b": 30, "c": 30}, **kw
        ),
        "years",
        4,
    ),
}


@pytest.mark.parametrize("name", CALLS)
def test_the_bar_shows_when_asked(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    call, what, total = CALLS[name]
    seen: list[tuple[int, int]] = []
    call(progress=True, callback=lambda d, t: seen.append((d, t)))
    out, err = capsys.readouterr()
    assert out == ""
    assert f"{what}: 100%" in err and f"{total}/{total}" in err
    assert seen[-1] == (total, total)


@pytest.mark.parametrize("name", CALLS)
def test_no_bar_when_turned_off_even_on_a_terminal(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(_progress, "_DELAY", 0.0)
    call, what, _ = CALLS[name]
    call(progress=False)
    assert terminal.getvalue() == ""
    call()  # by default a terminal shows it
    assert f"{what}: 100%" in terminal.getvalue()


def test_no_bar_by_default_when_nobody_watches(monkeypatch: pytest.MonkeyPatch) -> None:
    redirected = io.StringIO()  # a file or a pipe: not a terminal
    monkeypatch.setattr(sys, "stderr", redirected)
    monkeypatch.setattr(_progress, "_DELAY", 0.0)
    for call, _, _ in CALLS.values():
        call()
    assert redirected.getvalue() == ""


def test_the_automatic_bar_waits_half_a_second(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with _progress.reporter(3, "quick", progress=None, callback=None) as report:
        report(3)
    assert terminal.getvalue() == ""  # a quick call prints nothing


def test_a_jupyter_kernel_is_watched(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert not _progress._watched()
    monkeypatch.setitem(sys.modules, "ipykernel.zmqshell", types.ModuleType("ipykernel.zmqshell"))
    assert _progress._watched()


def test_without_tqdm_no_bar_and_no_error(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(_progress, "_DELAY", 0.0)
    monkeypatch.setitem(sys.modules, "tqdm", None)  # what an environment without tqdm sees
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    seen: list[tuple[int, int]] = []
    for call, _, _ in CALLS.values():
        call(callback=lambda d, t: seen.append((d, t)))
    assert terminal.getvalue() == "" and seen  # the callback still runs
    call, _, _ = CALLS["sweep"]
    with pytest.raises(DependencyError, match=r"pip install 'fundalloc\[progress\]'"):
        call(progress=True)


def test_a_function_given_as_progress_is_refused() -> None:
    call, _, _ = CALLS["monte_carlo_data"]
    with pytest.raises(SchemeError, match="progress: expected True, False or None.*callback="):
        call(progress=lambda d, t: None)
    with pytest.raises(SchemeError, match="callback: expected a function"):
        call(callback="yes")
