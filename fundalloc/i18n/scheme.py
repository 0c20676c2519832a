"""Messages of schemes, scheme files, factors, bounds, constraints, expressions and levels.

Each entry is ``id: (Chinese, English)``, ids prefixed ``scheme.``; see :mod:`fundalloc.i18n`
for the rules every message follows.
"""

MESSAGES: dict[str, tuple[str, str]] = {}
