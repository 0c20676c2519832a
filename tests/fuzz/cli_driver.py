"""Run ``python -m fundalloc`` on many argument lists in one process: the CLI fuzz test's driver.

    python tests/fuzz/cli_driver.py CASES.json RESULTS.jsonl

CASES.json is a list of argument lists. For each, ``fundalloc/__main__.py`` is run as
``python -m fundalloc`` runs it (runpy, with ``sys.argv`` set), its stdout and stderr are
captured, and one JSON line goes to RESULTS.jsonl: ``{"case": i, "code": exit code,
"stderr": …}``, after a ``{"start": i}`` line, so that a case that kills or hangs the
process is known. Starting Python once instead of per case makes hundreds of cases take
seconds. Each case has a CPU-time budget (a ``"hang"`` code when over it), and the process
an address-space limit of what it holds after importing fundalloc plus 2 GiB.
"""

from __future__ import annotations

import contextlib
import io
import json
import resource
import runpy
import signal
import sys
import traceback
import types

CPU_SECONDS = 10.0
HEADROOM = 2 * 2**30


class Hang(BaseException):
    """The case ran over its CPU budget (a BaseException: the CLI cannot catch it)."""


def _interrupt(signum: int, frame: types.FrameType | None) -> None:
    raise Hang


def _vm_size() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmSize")


def main(cases_path: str, results_path: str) -> None:
    import fundalloc.cli
    import fundalloc.io.outputs
    import fundalloc.io.verify
    import fundalloc.pipeline  # noqa: F401  (imported before the memory limit is measured)

    resource.setrlimit(resource.RLIMIT_AS, (_vm_size() + HEADROOM, resource.RLIM_INFINITY))
    signal.signal(signal.SIGPROF, _interrupt)
    with open(cases_path, encoding="utf-8") as file:
        cases = json.load(file)
    with open(results_path, "w", encoding="utf-8") as results:
        for i, argv in enumerate(cases):
            results.write(json.dumps({"start": i}) + "\n")
            results.flush()
            out, err = io.StringIO(), io.StringIO()
            code: object = None
            sys.argv = ["fundalloc", *argv]
            signal.setitimer(signal.ITIMER_PROF, CPU_SECONDS)
            try:
                with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                    runpy.run_module("fundalloc", run_name="__main__", alter_sys=True)
            except SystemExit as exit:
                code = exit.code
            except Hang:
                code = "hang"
            except BaseException:  # escaped the command line's own handler: report it
                code = "escaped"
                err.write(traceback.format_exc())
            finally:
                signal.setitimer(signal.ITIMER_PROF, 0)
            result = {"case": i, "code": code, "stderr": err.getvalue()[-3000:]}
            results.write(json.dumps(result, ensure_ascii=False) + "\n")
            results.flush()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
