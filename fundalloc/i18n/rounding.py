"""Messages of rounding, rounding by groups and under rows, and pooled sources.

Each entry is ``id: (Chinese, English)``, ids prefixed ``rounding.``; see :mod:`fundalloc.i18n`
for the rules every message follows.
"""

MESSAGES: dict[str, tuple[str, str]] = {}
