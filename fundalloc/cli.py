"""The command line, ``fundalloc``: thin — it parses, calls the library and prints.

Exit codes: 0 success; 1 the allocation is impossible (infeasible requirements, or
``verify`` found a difference); 2 bad usage or bad input. A user error prints one clear
message per problem and no traceback; ``--debug`` shows the traceback. Outputs are written
atomically and an output that is one of the inputs is refused.

Only :mod:`argparse` is imported up front, so ``fundalloc --help`` stays fast.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from collections.abc import Sequence

    from fundalloc.errors import Problem
    from fundalloc.io.outputs import OutputFormat
    from fundalloc.io.schemefile import DataSource, SchemeFile
    from fundalloc.result import Allocation
    from fundalloc.table import RegionTable

__all__ = ["main"]

EXIT_OK, EXIT_IMPOSSIBLE, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad usage that argparse cannot see (an output that is an input, an unknown format)."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fundalloc",
        description="The factor method (因素法): split a fixed budget across regions, exactly and "
        "explainably.",
        epilog="Exit codes: 0 success, 1 the allocation is impossible (or verify found a "
        "difference), 2 bad usage or input.",
    )
    parser.add_argument("--debug", action="store_true", help="show the traceback of an error")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def scheme_and_data(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("scheme", type=Path, help="the scheme file (.toml or .json)")
        sub.add_argument(
            "--data",
            type=Path,
            help="the data file (.csv or .xlsx); default: the scheme's [data] path",
        )
        sub.add_argument(
            "--lang",
            choices=("zh", "en"),
            default="zh",
            help="language of headers and accounts (default zh)",
        )
        sub.add_argument(
            "--solver",
            choices=("auto", "exact", "highs", "cbc"),
            default="auto",
            help="exact: per-region bounds and non-overlapping groups only; highs, cbc: the "
            "general path with that LP solver (pip install 'fundalloc[lp]'); default auto",
        )
        sub.add_argument(
            "--time-limit",
            type=_seconds,
            metavar="SECONDS",
            help="stop an LP solve after this many seconds (exit 1 when reached)",
        )
        sub.add_argument(
            "--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS
        )

    allocate = commands.add_parser("allocate", help="allocate and print the table; write a file")
    scheme_and_data(allocate)
    allocate.add_argument("--output", "-o", type=Path, help="write the allocation to this file")
    allocate.add_argument(
        "--format",
        choices=("csv", "xlsx", "json", "md", "html"),
        help="the output format (default: from the output's extension)",
    )
    allocate.add_argument(
        "--calculation-sheet",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="XLSX: add the calculation sheet (测算表) of live formulas; default: when there "
        "are at most 20,000 regions (it takes about 1 s per 1,000 regions)",
    )

    validate = commands.add_parser("validate", help="report every problem in a scheme and its data")
    scheme_and_data(validate)

    explain = commands.add_parser("explain", help="the account of one region's amount")
    scheme_and_data(explain)
    explain.add_argument("region", help="the region id")

    init = commands.add_parser("init", help="write a starter scheme and data template")
    init.add_argument("directory", type=Path, help="the folder to write into (created if needed)")
    init.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS
    )

    verify = commands.add_parser(
        "verify",
        help="recompute an output (JSON or XLSX) from its provenance and report any difference",
    )
    verify.add_argument("output", type=Path, help="a JSON or XLSX output of fundalloc allocate")
    verify.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        return int(_COMMANDS[args.command](args))
    except Exception as exc:
        return _fail(exc, debug=args.debug)


def _fail(exc: Exception, *, debug: bool) -> int:
    from fundalloc.errors import FundallocError, InfeasibleError, SolverError

    if debug:
        import traceback

        traceback.print_exception(exc, file=sys.stderr)
    if isinstance(exc, FundallocError):
        code = EXIT_IMPOSSIBLE if isinstance(exc, InfeasibleError | SolverError) else EXIT_USAGE
        kind = "the allocation is impossible" if code == EXIT_IMPOSSIBLE else "error"
        lines = [str(p) for p in exc.problems] or [str(exc)]
        print(f"fundalloc: {kind}:", file=sys.stderr)
        for line in lines:
            print(f"  {line}", file=sys.stderr)
        return code
    if isinstance(exc, UsageError):
        print(f"fundalloc: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if isinstance(exc, OSError):  # a folder missing, no permission, a disk full
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"fundalloc: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"fundalloc: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
    if not debug:
        print("  (run again with --debug for the traceback, and please report it)", file=sys.stderr)
    return 3


# ------------------------------------------------------------------------------- helpers
def _read(path: Path, source: DataSource, columns: Sequence[str] = ()) -> RegionTable:
    """The data file as the scheme's [data] table describes it."""
    from fundalloc.io.tables import read_table

    return read_table(
        path,
        id=source.id,
        kind=source.kind,
        parent=source.parent,
        sheet=source.sheet,
        encoding=source.encoding,
        columns=columns,
    )


def _load(args: argparse.Namespace) -> tuple[SchemeFile, RegionTable, Path]:
    from fundalloc.errors import DataError, Problem
    from fundalloc.io.schemefile import load_scheme

    scheme_file = load_scheme(args.scheme)
    data_path = args.data.resolve() if args.data else scheme_file.data_path()
    if data_path is None:
        raise DataError(
            Problem(
                str(args.scheme),
                "no data file: the scheme has no [data] path",
                hint="pass --data FILE",
            )
        )
    source = scheme_file.data
    needed = sorted(
        {c for c, _ in scheme_file.scheme.needs()} - {n for n, _ in scheme_file.scheme.derived}
    )
    table = _read(data_path, source, needed)
    for notice in table.notices:
        print(f"fundalloc: {notice}", file=sys.stderr)
    return scheme_file, table, data_path


def _allocate(args: argparse.Namespace) -> tuple[SchemeFile, Allocation, Path]:
    from fundalloc.pipeline import allocate

    scheme_file, table, data_path = _load(args)
    result = allocate(table, scheme_file.scheme, solver=args.solver, time_limit=args.time_limit)
    return scheme_file, result, data_path


def _seconds(text: str) -> float:
    """A positive number of seconds, for --time-limit."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, found {text!r}")
    return value


def _output_format(path: Path, given: str | None) -> OutputFormat:
    suffix = path.suffix.lower().lstrip(".")
    fmt = given or {"htm": "html", "markdown": "md"}.get(suffix, suffix)
    if fmt not in ("csv", "xlsx", "json", "md", "html"):
        raise UsageError(
            f"cannot tell the output format from {path.name!r}; use --format csv|xlsx|json|md|html"
        )
    return cast("OutputFormat", fmt)


# ------------------------------------------------------------------------------- commands
def _cmd_allocate(args: argparse.Namespace) -> int:
    from fundalloc.io.outputs import Provenance, render, text_table, write_output

    if args.format and not args.output:
        raise UsageError("--format needs --output FILE")
    fmt = _output_format(args.output, args.format) if args.output else None
    if args.output is not None:
        inputs = {args.scheme.resolve(), *([args.data.resolve()] if args.data else [])}
        if args.output.resolve() in inputs:
            raise UsageError(
                f"the output {str(args.output)!r} is one of the inputs; choose another file"
            )
    scheme_file, result, data_path = _allocate(args)
    if args.output is not None and args.output.resolve() == data_path:
        raise UsageError(f"the output {str(args.output)!r} is the data file; choose another file")
    print(text_table(result, args.lang, scheme_file.labels))
    if args.output is not None and fmt is not None:
        provenance = Provenance.of(scheme_file.path, scheme_file.sha256, data_path)
        assert scheme_file.path is not None
        payload = render(
            result,
            fmt,
            lang=args.lang,
            labels=scheme_file.labels,
            provenance=provenance,
            data=scheme_file.data,
            scheme_text=scheme_file.text,  # as read: its SHA-256 is the recorded one
            scheme_format="json" if scheme_file.path.suffix.lower() == ".json" else "toml",
            calculation_sheet=args.calculation_sheet,
        )
        write_output(args.output, payload)
        print(f"fundalloc: wrote {args.output}", file=sys.stderr)
    return EXIT_OK


def _cmd_validate(args: argparse.Namespace) -> int:
    from fundalloc.errors import SchemeError
    from fundalloc.io.schemefile import load_scheme

    try:
        load_scheme(args.scheme)
    except SchemeError as exc:  # report the data's problems with the scheme's, in one pass
        raise SchemeError([*exc.problems, *_data_problems(args)]) from None
    _, result, data_path = _allocate(args)
    regions = len(result.table)
    print(
        f"{args.scheme}: ok — {regions} regions from {data_path.name}, "
        f"{result.scheme.total} {result.scheme.unit} allocated exactly"
    )
    return EXIT_OK


def _data_problems(args: argparse.Namespace) -> list[Problem]:
    """The problems in the data file of a scheme that is itself invalid: read with the
    scheme's [data] table when that part is valid (the id column, sheet, encoding), the
    header found by the id column alone."""
    from fundalloc.errors import FundallocError
    from fundalloc.io.schemefile import DataSource, read_data_source

    source = read_data_source(args.scheme)
    if args.data is not None:
        data_path = args.data
        source = source or DataSource()
    elif source is not None and source.path is not None:
        data_path = args.scheme.parent / source.path
    else:
        return []  # no data file to read: the scheme's problems say what is wrong
    try:
        _read(data_path, source)
    except FundallocError as exc:
        return list(exc.problems)
    return []


def _cmd_explain(args: argparse.Namespace) -> int:
    _, result, _ = _allocate(args)
    print(result.explain(args.region, lang=args.lang))
    return EXIT_OK


def _cmd_init(args: argparse.Namespace) -> int:
    from fundalloc.io.starter import write_starter

    for path in write_starter(args.directory):
        print(f"fundalloc: wrote {path}", file=sys.stderr)
    print(f"next: fundalloc allocate {args.directory / 'scheme.toml'}")
    return EXIT_OK


def _cmd_verify(args: argparse.Namespace) -> int:
    from fundalloc.io.verify import verify

    differences = verify(args.output)
    if differences:
        print(f"{args.output}: {len(differences)} difference(s) from a fresh run:")
        for line in differences[:50]:
            print(f"  {line}")
        return EXIT_IMPOSSIBLE
    print(f"{args.output}: identical to a fresh run")
    return EXIT_OK


_COMMANDS: dict[str, Any] = {
    "allocate": _cmd_allocate,
    "validate": _cmd_validate,
    "explain": _cmd_explain,
    "init": _cmd_init,
    "verify": _cmd_verify,
}

if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
