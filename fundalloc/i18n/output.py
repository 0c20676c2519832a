"""Messages of outputs, explanations, publication pages and verify.

Each entry is ``id: (Chinese, English)``, ids prefixed ``output.``; see :mod:`fundalloc.i18n`
for the rules every message follows.
"""

MESSAGES: dict[str, tuple[str, str]] = {}
