"""The command line on fuzzed files: exit code 0, 1 or 2, never a traceback or an internal error.

``fundalloc allocate`` on mutated scheme and data files (writing JSON, XLSX or CSV outputs)
and ``fundalloc verify`` on mutated outputs, a few hundred cases through one driver process
(tests/fuzz/cli_driver.py, which runs ``python -m fundalloc`` as runpy does, so that Python
starts once), and a few through real ``python -m fundalloc`` subprocesses.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.fuzz import mutate
from tests.fuzz.harness import CORPUS, CRASH_FOLDER, REPO, TRIED
from tests.fuzz.targets import seeds

#: Cases per driver run; the default test runs one batch, --fuzz as many as fit.
BATCH = 200
EXAMPLE_DATA = REPO / "examples" / "shandong_2018" / "data.csv"

#: Each seed scheme with the data files it allocates.
PAIRS: list[tuple[Path, list[Path]]] = [
    (scheme, [EXAMPLE_DATA])
    for scheme in seeds("scheme", ".toml")
    if scheme.stem in ("shandong", "partitioned", "overlapping")
] + [
    (scheme, [*seeds("csv", ".csv"), *seeds("xlsx", ".xlsx")])
    for scheme in seeds("scheme", ".toml", ".json")
    if scheme.stem == "bureau"
]


def _mutated(path: Path, rnd: random.Random) -> bytes:
    data = path.read_bytes()
    if path.suffix == ".xlsx":
        return mutate.mutate_xlsx(data, rnd)
    if path.suffix == ".json":
        return mutate.mutate_json(data, rnd)
    if path.suffix == ".toml":
        return mutate.mutate_text(data.decode("utf-8"), rnd).encode("utf-8", "surrogatepass")
    return mutate.mutate_bytes(data, rnd)


def make_cases(rnd: random.Random, folder: Path, count: int) -> list[list[str]]:
    """``count`` argument lists, each with its files in its own subfolder of ``folder``."""
    cases = []
    outputs = seeds("verify", ".json", ".xlsx")
    for i in range(count):
        case = folder / f"case{i:04d}"
        case.mkdir()
        if rnd.random() < 0.35:
            output = rnd.choice(outputs)
            target = case / f"output{output.suffix}"
            target.write_bytes(_mutated(output, rnd))
            cases.append(["verify", str(target)])
            continue
        scheme, datas = rnd.choice(PAIRS)
        data = rnd.choice(datas)
        which = rnd.random()
        scheme_bytes = _mutated(scheme, rnd) if which < 0.5 or which > 0.9 else scheme.read_bytes()
        data_bytes = _mutated(data, rnd) if which >= 0.5 else data.read_bytes()
        (case / f"scheme{scheme.suffix}").write_bytes(scheme_bytes)
        (case / f"data{data.suffix}").write_bytes(data_bytes)
        argv = [
            "allocate",
            str(case / f"scheme{scheme.suffix}"),
            "--data",
            str(case / f"data{data.suffix}"),
        ]
        output_suffix = rnd.choice(["", ".json", ".xlsx", ".csv"])
        if output_suffix:
            argv += ["-o", str(case / f"out{output_suffix}")]
        cases.append(argv)
    return cases


def _bad(code: object, stderr: str) -> bool:
    return code not in (0, 1, 2) or "Traceback" in stderr or "internal error" in stderr


def _save(case: Path) -> Path:
    target = CRASH_FOLDER / "cli" / case.name
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(case, target)
    return target


def run_batch(rnd: random.Random, folder: Path, count: int) -> list[str]:
    """Run ``count`` cases through the driver; the report of each bad one."""
    cases = make_cases(rnd, folder, count)
    (folder / "cases.json").write_text(json.dumps(cases), encoding="utf-8")
    results_path = folder / "results.jsonl"
    driver = Path(__file__).with_name("cli_driver.py")
    with contextlib.suppress(subprocess.TimeoutExpired):  # the last case started is reported
        subprocess.run(
            [sys.executable, str(driver), str(folder / "cases.json"), str(results_path)],
            cwd=folder,
            env={**os.environ, "PYTHONPATH": str(REPO)},  # this checkout's fundalloc
            timeout=60 + 10 * count,
            capture_output=True,
            check=False,
        )
    lines = [json.loads(line) for line in results_path.read_text(encoding="utf-8").splitlines()]
    done = {r["case"]: r for r in lines if "case" in r}
    started = [r["start"] for r in lines if "start" in r]
    TRIED["cli"] += len(done)
    bad = []
    for i, argv in enumerate(cases):
        result = done.get(i)
        if result is None:
            if started and i == started[-1]:
                saved = _save(Path(argv[1]).parent)
                bad.append(
                    f"case {i} killed or hung the process: fundalloc {' '.join(argv)}\n"
                    f"  saved in {saved}"
                )
            continue
        if _bad(result["code"], result["stderr"]):
            saved = _save(Path(argv[1]).parent)
            bad.append(
                f"case {i}: exit {result['code']}: fundalloc {' '.join(argv)}\n"
                f"  saved in {saved}\n  stderr: {result['stderr'][-800:]}"
            )
    assert len(done) == len(cases) or started, "the driver did not run"
    return bad


@pytest.mark.fuzz
def test_cli_on_fuzzed_files(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    """A few hundred fuzzed allocate and verify runs: exit 0, 1 or 2 and no traceback."""
    long = request.config.getoption("--fuzz")
    seed = int(time.time()) if long else 20181130
    rnd = random.Random(seed)
    seconds = request.config.getoption("--fuzz-seconds") if long else 0
    start, batch, bad = time.monotonic(), 0, []
    while True:
        folder = tmp_path / f"batch{batch}"
        folder.mkdir()
        bad += run_batch(rnd, folder, BATCH)
        batch += 1
        if time.monotonic() - start >= seconds:
            break
        shutil.rmtree(folder)
    assert not bad, f"{len(bad)} bad runs (seed {seed}):\n" + "\n".join(bad)


@pytest.mark.fuzz
def test_python_m_fundalloc_on_fuzzed_files(tmp_path: Path) -> None:
    """The real ``python -m fundalloc`` on a few fuzzed cases (the driver's stand-in checked)."""
    rnd = random.Random(7)
    cases = make_cases(rnd, tmp_path, 3)
    for argv in cases:
        done = subprocess.run(
            [sys.executable, "-m", "fundalloc", *argv],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            check=False,
        )
        assert not _bad(done.returncode, done.stderr), (argv, done.returncode, done.stderr)
    assert CORPUS.is_dir()
