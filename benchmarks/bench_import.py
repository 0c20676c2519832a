"""How long ``import fundalloc`` and ``fundalloc --help`` take, against named peers.

Each command runs in a fresh interpreter ``--repeat`` times; the median wall time is
reported, with ratios to a bare ``python -c pass`` and to importing numpy and pydantic
(which fundalloc loads only when a name is first used). The target from issue 3: both
under 0.3 s. Nothing is asserted.

Run:  python benchmarks/bench_import.py [--repeat 15]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time

COMMANDS = {
    "python -c pass (baseline)": [sys.executable, "-c", "pass"],
    "import numpy (peer)": [sys.executable, "-c", "import numpy"],
    "import pydantic (peer)": [sys.executable, "-c", "import pydantic"],
    "import fundalloc": [sys.executable, "-c", "import fundalloc"],
    "import fundalloc; fa.allocate": [sys.executable, "-c", "import fundalloc as fa; fa.allocate"],
    "fundalloc --help": [shutil.which("fundalloc") or sys.executable, "--help"]
    if shutil.which("fundalloc")
    else [sys.executable, "-m", "fundalloc", "--help"],
}


def median_seconds(command: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    results = {name: median_seconds(command, args.repeat) for name, command in COMMANDS.items()}
    base = results["python -c pass (baseline)"]
    numpy_time = results["import numpy (peer)"]
    version = sys.version.split()[0]
    print(f"# import time, median of {args.repeat} fresh interpreters (Python {version})\n")
    print("| command | median | vs bare python | vs import numpy | under 0.3 s |")
    print("|---|---:|---:|---:|---|")
    for name, seconds in results.items():
        ratios = f"{seconds / base:.2f}× | {seconds / numpy_time:.2f}×"
        print(
            f"| {name} | {seconds * 1000:.0f} ms | {ratios} | {'yes' if seconds < 0.3 else 'no'} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
