"""The command line, ``fundalloc``: thin — it parses, calls the library and prints.

Exit codes: 0 success; 1 the allocation is impossible (infeasible requirements, or
``verify`` found a difference); 2 bad usage or bad input; 3 an internal error. A user error
prints one clear message per problem and no traceback; ``--debug`` shows the traceback.
Outputs are written atomically and an output that is one of the inputs is refused.

Every line it prints is in Chinese by default and in English with ``--lang en`` (before or
after the command) or ``FUNDALLOC_LANG=en``: the language is read from the arguments before
argparse sees them, so even a usage error is in the chosen language, and argparse's own
words (``usage:``, its section titles and error messages) come from the catalogue through
argparse's gettext hook (:func:`_argparse_in_our_words`).

Only :mod:`argparse` and the message catalogue are imported up front, so
``fundalloc --help`` stays fast.
"""

from __future__ import annotations

import argparse
import errno
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from fundalloc.i18n import CATALOGUE, LANGUAGES, Message, language, text, tr, using

if TYPE_CHECKING:
    from collections.abc import Sequence

    from fundalloc.analysis._progress import Stages
    from fundalloc.errors import Problem
    from fundalloc.i18n import Lang
    from fundalloc.io.outputs import OutputFormat
    from fundalloc.io.schemefile import DataSource, SchemeFile
    from fundalloc.result import Allocation
    from fundalloc.table import RegionTable

__all__ = ["main"]

EXIT_OK, EXIT_IMPOSSIBLE, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
FORMATS = ("csv", "xlsx", "json", "md", "html", "docx")
#: The formats of the publication page, the ones ``--template`` applies to.
PAGE_FORMATS = ("md", "html", "docx")
#: How many differences ``verify`` lists; the rest are counted.
VERIFY_LISTED = 50


class UsageError(Exception):
    """Bad usage that argparse cannot see (an output that is an input, an unknown format)."""

    def __init__(self, message: Message) -> None:
        super().__init__(message)
        self.message = message


# ------------------------------------------------------------------------ the language
#: ``--lang`` as argparse accepts it, abbreviations included (no other option of any
#: command starts with ``--l``), with its value after ``=`` or as the next argument.
_LANG_OPTION = re.compile(r"--l(?:a(?:ng?)?)?(?:=(.*))?")


def _language_in(argv: Sequence[str]) -> Lang | None:
    """The language the arguments ask for (the last ``--lang``), read before argparse so
    that its help and errors are in it; None when they name none or an unknown one (argparse
    then reports the unknown one)."""
    chosen: Lang | None = None
    for k, arg in enumerate(argv):
        if arg == "--":
            break
        match = _LANG_OPTION.fullmatch(arg)
        if match is None:
            continue
        value = match.group(1) if "=" in arg else (argv[k + 1] if k + 1 < len(argv) else None)
        if value in LANGUAGES:
            chosen = cast("Lang", value)
    return chosen


#: argparse's own messages (its gettext message ids) and the catalogue's ids for them.
#: Messages of argparse that only a programming error can raise (a bad ``nargs``, a
#: conflicting option) are left out: tests/test_cli_language.py reads argparse's source and
#: fails when a message a user can meet is missing here.
_ARGPARSE: dict[str, str] = {
    "usage: ": "cli.argparse.usage",
    "positional arguments": "cli.argparse.positionals",
    "options": "cli.argparse.options",
    "show this help message and exit": "cli.argparse.help",
    "show program's version number and exit": "cli.argparse.version",
    "%(prog)s: error: %(message)s\n": "cli.argparse.error",
    "argument %(argument_name)s: %(message)s": "cli.argparse.argument",
    "the following arguments are required: %s": "cli.argparse.required",
    "one of the arguments %s is required": "cli.argparse.one_of_required",
    "unrecognized arguments: %s": "cli.argparse.unrecognized",
    "not allowed with argument %s": "cli.argparse.not_allowed_with",
    "ignored explicit argument %r": "cli.argparse.ignored_explicit",
    "expected one argument": "cli.argparse.expected_one",
    "expected at most one argument": "cli.argparse.expected_at_most_one",
    "expected at least one argument": "cli.argparse.expected_at_least_one",
    "expected %s argument": "cli.argparse.expected_n",
    "expected %s arguments": "cli.argparse.expected_n_plural",
    "ambiguous option: %(option)s could match %(matches)s": "cli.argparse.ambiguous",
    "invalid %(type)s value: %(value)r": "cli.argparse.invalid_value",
    "invalid choice: %(value)r (choose from %(choices)s)": "cli.argparse.invalid_choice",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "cli.argparse.unknown_parser",
}
_FIELD = re.compile(r"\{(\w+)(!r)?\}")


def _percent_style(template: str) -> str:
    """A catalogue template in argparse's %-style: ``{name}`` → ``%(name)s``, ``{0}`` →
    ``%s``, ``{0!r}`` → ``%r``; a literal ``%`` doubled."""

    def field(match: re.Match[str]) -> str:
        name, conversion = match.group(1), "r" if match.group(2) else "s"
        return f"%{conversion}" if name.isdigit() else f"%({name}){conversion}"

    return _FIELD.sub(field, template.replace("%", "%%"))


def _argparse_gettext(message: str) -> str:
    key = _ARGPARSE.get(message) if message else None
    if key is None:
        return message  # a programming error's message, or None (a group without a title)
    return _percent_style(CATALOGUE[key][LANGUAGES.index(language())])


def _argparse_ngettext(singular: str, plural: str, count: int) -> str:
    return _argparse_gettext(singular if count == 1 else plural)


@contextmanager
def _argparse_in_our_words() -> Iterator[None]:
    """argparse's words from the catalogue, in the current language, inside the block.

    argparse passes every message through ``gettext`` (``argparse._``) precisely so that
    it can be translated; this points that hook at the catalogue while the command line
    builds and runs its parser, and puts it back after, so another parser in the same
    process (a test runner's) keeps its own words.
    """
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._ = _argparse_gettext  # type: ignore[attr-defined]
    argparse.ngettext = _argparse_ngettext  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]


# ------------------------------------------------------------------------ the parser
#: A wide (CJK) character, or a run of narrow ones with the closing punctuation that must
#: not start a line; a space. The pieces a line of help is wrapped between.
_PIECES = re.compile(
    r" |[^ \u2e80-\uffef]+[，。、；：！？）」』】》]*|[\u2e80-\uffef][，。、；：！？）」』】》]*"
)


def _columns(line: str) -> int:
    """How many terminal columns ``line`` takes: a wide (CJK) character takes two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def _wrap(words: str, width: int) -> list[str]:
    """``words`` wrapped to ``width`` terminal columns, Chinese between any two characters
    (but never before a closing mark), English between words."""
    lines: list[str] = []
    line = ""
    for piece in _PIECES.findall(" ".join(words.split())):
        if piece == " ":
            line += " " if line else ""
        elif (
            line.strip()
            and _columns(line.rstrip()) + (line != line.rstrip()) + _columns(piece) > width
        ):
            lines.append(line.rstrip())
            line = piece
        else:
            line += piece
    if line.strip():
        lines.append(line.rstrip())
    return lines


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's layout, measured in terminal columns (a Chinese character takes two;
    argparse counts characters, so Chinese help overflowed and its columns did not line
    up)."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        return _wrap(text, width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(indent + line for line in _wrap(text, width - len(indent)))

    def _format_action(self, action: argparse.Action) -> str:
        out = super()._format_action(action)
        header = self._format_action_invocation(action)
        extra = _columns(header) - len(header)
        first, newline, rest = out.partition("\n")
        start = first.find(header)
        if not extra or start < 0 or len(first) == start + len(header):
            return out  # nothing wide, or the help starts on the next line already
        end = start + len(header)
        spaces = len(first) - end - len(first[end:].lstrip(" "))
        help_text = first[end + spaces :]
        if spaces - extra >= 2:
            first = first[:end] + " " * (spaces - extra) + help_text
        else:  # too wide beside its help: the help goes below, as argparse does
            first = first[:end] + "\n" + " " * (end + spaces) + help_text
        return first + newline + rest

    def _format_usage(self, *args: Any, **kwargs: Any) -> str:
        out = super()._format_usage(*args, **kwargs)
        opening = out.split(self._prog, 1)[0] + self._prog
        extra = _columns(opening) - len(opening)
        if not extra:
            return out
        lines = out.split("\n")
        return "\n".join(
            [lines[0]]
            + [" " * extra + line if line.startswith(" ") else line for line in lines[1:]]
        )


class _Version(argparse.Action):
    """``--version``: the package's version and Python's, looked up only when asked for."""

    def __init__(self, option_strings: list[str], dest: str, help: str | None = None) -> None:
        super().__init__(option_strings, dest=dest, default=argparse.SUPPRESS, nargs=0, help=help)

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        print(_version())
        parser.exit()


def _version() -> str:
    import platform
    from importlib.metadata import PackageNotFoundError, version

    try:
        number = version("fundalloc")
    except PackageNotFoundError:  # run from a source tree that is not installed
        from fundalloc import __version__ as number
    return text(
        "cli.version",
        program="fundalloc",
        version=number,
        python=f"Python {platform.python_version()}",
    )


def _parser() -> argparse.ArgumentParser:
    """The parser, its help in the current language (build it inside
    :func:`_argparse_in_our_words`)."""
    parser = argparse.ArgumentParser(
        prog="fundalloc",
        formatter_class=_HelpFormatter,
        description=text("cli.description"),
        epilog=text("cli.epilog", verify="verify"),
    )
    parser.add_argument("--version", action=_Version, help=text("cli.help.version"))
    parser.add_argument("--debug", action="store_true", help=text("cli.help.debug"))
    lang_help = text("cli.help.lang", zh="zh", en="en", variable="FUNDALLOC_LANG")
    parser.add_argument("--lang", choices=LANGUAGES, default=None, help=lang_help)
    commands = parser.add_subparsers(
        dest="command", required=True, metavar=text("cli.metavar.command")
    )

    def command(name: str, help_id: str) -> argparse.ArgumentParser:
        words = text(help_id)
        sub = commands.add_parser(
            name, help=words, description=words, formatter_class=_HelpFormatter
        )
        # on every command too, whichever place the user types it; SUPPRESS keeps the
        # top-level value when the command is not given its own
        sub.add_argument("--lang", choices=LANGUAGES, default=argparse.SUPPRESS, help=lang_help)
        sub.add_argument(
            "--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS
        )
        return sub

    def scheme_and_data(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "scheme", type=Path, metavar=text("cli.metavar.scheme"), help=text("cli.help.scheme")
        )
        sub.add_argument(
            "--data",
            type=Path,
            metavar=text("cli.metavar.file"),
            help=text("cli.help.data", table="[data]"),
        )
        sub.add_argument("--sheet", metavar=text("cli.metavar.sheet"), help=text("cli.help.sheet"))
        sub.add_argument(
            "--solver",
            choices=("auto", "exact", "highs", "cbc"),
            default="auto",
            help=text(
                "cli.help.solver",
                exact="exact",
                highs="highs",
                cbc="cbc",
                auto="auto",
                install="pip install 'fundalloc[lp]'",
            ),
        )
        sub.add_argument(
            "--time-limit",
            type=_seconds,
            metavar=text("cli.metavar.seconds"),
            help=text("cli.help.time_limit"),
        )

    allocate = command("allocate", "cli.help.allocate")
    scheme_and_data(allocate)
    allocate.add_argument(
        "--output",
        "-o",
        type=Path,
        metavar=text("cli.metavar.file"),
        help=text("cli.help.output"),
    )
    allocate.add_argument("--format", choices=FORMATS, help=text("cli.help.format"))
    allocate.add_argument(
        "--template",
        type=Path,
        metavar=text("cli.metavar.file"),
        help=text(
            "cli.help.template",
            formats=", ".join(PAGE_FORMATS),
            text_formats="md, html",
            engine="Jinja2",
            docx="docx",
            word="Word",
        ),
    )
    allocate.add_argument(
        "--calculation-sheet",
        action=argparse.BooleanOptionalAction,
        default=None,
        help=text("cli.help.calculation_sheet"),
    )

    scheme_and_data(command("validate", "cli.help.validate"))

    explain = command("explain", "cli.help.explain")
    scheme_and_data(explain)
    explain.add_argument("region", metavar=text("cli.metavar.region"), help=text("cli.help.region"))

    init = command("init", "cli.help.init")
    init.add_argument(
        "directory",
        type=Path,
        metavar=text("cli.metavar.directory"),
        help=text("cli.help.directory"),
    )

    verify = command("verify", "cli.help.verify")
    verify.add_argument(
        "output",
        type=Path,
        metavar=text("cli.metavar.output"),
        help=text("cli.help.verify_output", command="fundalloc allocate"),
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code.

    The language is the last ``--lang`` of ``argv``, else ``FUNDALLOC_LANG``, else
    Chinese; it holds for everything printed, usage errors and ``--help`` included, and is
    put back when the command returns.
    """
    arguments = sys.argv[1:] if argv is None else list(argv)
    with using(_language_in(arguments) or language()):
        with _argparse_in_our_words():
            args = _parser().parse_args(arguments)
        with using(args.lang or language()):
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
        impossible = isinstance(exc, InfeasibleError | SolverError)
        print(text("cli.impossible" if impossible else "cli.error"), file=sys.stderr)
        for line in [p.render() for p in exc.problems] or [exc.render()]:
            print(f"  {line}", file=sys.stderr)
        return EXIT_IMPOSSIBLE if impossible else EXIT_USAGE
    if isinstance(exc, UsageError):
        print(text("cli.error_line", message=exc.message), file=sys.stderr)
        return EXIT_USAGE
    if isinstance(exc, BrokenPipeError):  # the reader left (``fundalloc allocate … | head``)
        import os

        # nothing more can be shown; point standard output at nothing so that Python's own
        # flush at exit does not fail a second time
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    if isinstance(exc, OSError):  # a folder missing, no permission, a disk full
        reason = _os_reason(exc)
        if exc.filename:
            reason = text("common.problem", where=str(exc.filename), message=reason)
        print(text("cli.error_line", message=reason), file=sys.stderr)
        return EXIT_USAGE
    kind = type(exc).__name__
    print(text("cli.internal_error", kind=kind, detail=str(exc)), file=sys.stderr)
    if not debug:
        print(text("cli.internal_hint", debug="--debug"), file=sys.stderr)
    return EXIT_INTERNAL


#: The catalogue's words for the errors the system reports most (its own text is English).
_OS_REASONS = {
    errno.ENOENT: "cli.os.ENOENT",
    errno.EACCES: "cli.os.EACCES",
    errno.EPERM: "cli.os.EACCES",
    errno.EISDIR: "cli.os.EISDIR",
    errno.ENOTDIR: "cli.os.ENOTDIR",
    errno.ENOSPC: "cli.os.ENOSPC",
    errno.EROFS: "cli.os.EROFS",
    errno.ENAMETOOLONG: "cli.os.ENAMETOOLONG",
}


def _os_reason(exc: OSError) -> str:
    """Why the system refused, in the current language: a message the library put in the
    error, else the catalogue's words for the errno."""
    import os

    reason = exc.strerror
    if isinstance(reason, Message):
        return reason.render()
    if reason is None or reason == os.strerror(exc.errno or 0):
        if exc.errno in _OS_REASONS:
            return text(_OS_REASONS[exc.errno])
        return text("cli.os.other", code=errno.errorcode.get(exc.errno or 0, str(exc.errno)))
    return str(reason)  # a sentence of the library's own (io.atomic's "cannot write here")


# ------------------------------------------------------------------------------- helpers
def _read(
    path: Path, source: DataSource, columns: Sequence[str] = (), sheet: str | None = None
) -> RegionTable:
    """The data file as the scheme's [data] table describes it (``--sheet``: that sheet)."""
    from fundalloc.io.tables import read_table

    return read_table(
        path,
        id=source.id,
        kind=source.kind,
        parent=source.parent,
        sheet=source.sheet if sheet is None else sheet,
        encoding=source.encoding,
        columns=columns,
    )


def _check_sheet(args: argparse.Namespace, data_path: Path) -> None:
    """``--sheet`` names a sheet of a workbook: refused for a CSV file rather than ignored."""
    from fundalloc.errors import DataError, Problem

    if args.sheet is not None and data_path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise DataError(
            Problem(
                str(data_path),
                tr("cli.sheet_not_xlsx", option="--sheet"),
                found=tr("cli.sheet_not_xlsx_found", suffix=data_path.suffix or "?"),
            )
        )


def _load(args: argparse.Namespace, stages: Stages) -> tuple[SchemeFile, RegionTable, Path]:
    from fundalloc.errors import DataError, Problem
    from fundalloc.io.schemefile import load_scheme

    stages.step(tr("cli.stage.scheme"))
    scheme_file = load_scheme(args.scheme)
    data_path = args.data.resolve() if args.data else scheme_file.data_path()
    if data_path is None:
        raise DataError(
            Problem(
                str(args.scheme),
                tr("cli.no_data", table="[data]"),
                hint=tr("cli.no_data_hint", option="--data FILE"),
            )
        )
    _check_sheet(args, data_path)
    needed = sorted(
        {c for c, _ in scheme_file.scheme.needs()} - {n for n, _ in scheme_file.scheme.derived}
    )
    stages.step(tr("cli.stage.data"))
    table = _read(data_path, scheme_file.data, needed, args.sheet)
    for notice in table.notices:
        stages.note(text("cli.notice", notice=notice))
    return scheme_file, table, data_path


def _allocate(args: argparse.Namespace, stages: Stages) -> tuple[SchemeFile, Allocation, Path]:
    from fundalloc.pipeline import allocate

    scheme_file, table, data_path = _load(args, stages)
    stages.step(tr("cli.stage.allocate"))
    result = allocate(table, scheme_file.scheme, solver=args.solver, time_limit=args.time_limit)
    return scheme_file, result, data_path


def _stages(total: int) -> Stages:
    from fundalloc.analysis._progress import Stages

    return Stages(total)


def _seconds(given: str) -> float:
    """A positive number of seconds, for --time-limit."""
    try:
        value = float(given)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(text("cli.seconds", text=given))
    return value


def _output_format(path: Path, given: str | None) -> OutputFormat:
    suffix = path.suffix.lower().lstrip(".")
    fmt = given or {"htm": "html", "markdown": "md"}.get(suffix, suffix)
    if fmt not in FORMATS:
        option = f"--format {'|'.join(FORMATS)}"
        raise UsageError(tr("cli.unknown_format", name=path.name, option=option))
    return cast("OutputFormat", fmt)


# ------------------------------------------------------------------------------- commands
def _cmd_allocate(args: argparse.Namespace) -> int:
    from fundalloc.io.outputs import Provenance, render, text_table, write_output

    if args.format and not args.output:
        raise UsageError(tr("cli.format_needs_output", option="--format", output="--output FILE"))
    fmt = _output_format(args.output, args.format) if args.output else None
    if args.template is not None and fmt not in PAGE_FORMATS:
        raise UsageError(
            tr(
                "cli.template_needs_page",
                option="--template",
                format=fmt or "",
                formats=", ".join(PAGE_FORMATS),
            )
            if fmt is not None
            else tr("cli.template_needs_output", option="--template", output="--output FILE")
        )
    if args.output is not None:
        inputs = {args.scheme.resolve(), *([args.data.resolve()] if args.data else [])}
        if args.template is not None:
            inputs.add(args.template.resolve())
        if args.output.resolve() in inputs:
            raise UsageError(tr("cli.output_is_input", path=str(args.output)))
    lang = language()
    with _stages(4 if fmt else 3) as stages:
        scheme_file, result, data_path = _allocate(args, stages)
        if args.output is not None and fmt is not None:
            if args.output.resolve() == data_path:
                raise UsageError(tr("cli.output_is_data", path=str(args.output)))
            stages.step(tr("cli.stage.write"))
            provenance = Provenance.of(scheme_file.path, scheme_file.sha256, data_path)
            assert scheme_file.path is not None
            source = scheme_file.data
            if args.sheet is not None:  # the sheet read, not the one the scheme names
                source = source.replace(sheet=args.sheet)
            payload = render(
                result,
                fmt,
                lang=lang,
                labels=scheme_file.labels,
                provenance=provenance,
                data=source,
                scheme_text=scheme_file.text,  # as read: its SHA-256 is the recorded one
                scheme_format="json" if scheme_file.path.suffix.lower() == ".json" else "toml",
                calculation_sheet=args.calculation_sheet,
                template=args.template,
            )
            write_output(args.output, payload)
    print(text_table(result, lang, scheme_file.labels))
    if args.output is not None:
        print(text("cli.wrote", path=str(args.output)), file=sys.stderr)
    return EXIT_OK


def _cmd_validate(args: argparse.Namespace) -> int:
    from fundalloc.errors import SchemeError
    from fundalloc.io.schemefile import load_scheme

    try:
        load_scheme(args.scheme)
    except SchemeError as exc:  # report the data's problems with the scheme's, in one pass
        raise SchemeError([*exc.problems, *_data_problems(args)]) from None
    with _stages(3) as stages:
        _, result, data_path = _allocate(args, stages)
    regions = len(result.table)
    print(
        text(
            "cli.validate_ok_one" if regions == 1 else "cli.validate_ok",
            scheme=str(args.scheme),
            regions=regions,
            data=data_path.name,
            total=result.scheme.total,
            unit=result.scheme.unit,
        )
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
        _check_sheet(args, data_path)
        _read(data_path, source, sheet=args.sheet)
    except FundallocError as exc:
        return list(exc.problems)
    return []


def _cmd_explain(args: argparse.Namespace) -> int:
    with _stages(3) as stages:
        _, result, _ = _allocate(args, stages)
    print(result.explain(args.region, lang=language()))
    return EXIT_OK


def _cmd_init(args: argparse.Namespace) -> int:
    from fundalloc.io.starter import write_starter

    for path in write_starter(args.directory):
        print(text("cli.wrote", path=str(path)), file=sys.stderr)
    command = f"fundalloc allocate {args.directory / 'scheme.toml'}"
    print(text("cli.next", command=command))
    return EXIT_OK


def _cmd_verify(args: argparse.Namespace) -> int:
    from fundalloc.io.verify import verify

    with _stages(1) as stages:
        stages.step(tr("cli.stage.verify"))
        differences = verify(args.output)
    output = str(args.output)
    if not differences:
        print(text("cli.verify_identical", output=output))
        return EXIT_OK
    count = len(differences)
    key = "cli.verify_difference" if count == 1 else "cli.verify_differences"
    print(text(key, output=output, count=count))
    for line in differences[:VERIFY_LISTED]:
        print(f"  {line}")
    if count > VERIFY_LISTED:
        print("  " + text("cli.verify_more", count=count - VERIFY_LISTED))
    return EXIT_IMPOSSIBLE


_COMMANDS: dict[str, Any] = {
    "allocate": _cmd_allocate,
    "validate": _cmd_validate,
    "explain": _cmd_explain,
    "init": _cmd_init,
    "verify": _cmd_verify,
}

if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
