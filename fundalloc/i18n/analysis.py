"""Messages of the analysis tools and plots.

Each entry is ``id: (Chinese, English)``, ids prefixed ``analysis.``; see :mod:`fundalloc.i18n`
for the rules every message follows.
"""

MESSAGES: dict[str, tuple[str, str]] = {}
