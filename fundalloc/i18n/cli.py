"""Messages of the command line: --help of every command, usage errors, what it prints.

Each entry is ``id: (Chinese, English)``, ids prefixed ``cli.``; see :mod:`fundalloc.i18n`
for the rules every message follows.
"""

MESSAGES: dict[str, tuple[str, str]] = {}
