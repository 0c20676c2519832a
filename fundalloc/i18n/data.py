"""Messages of reading data files and region tables: cells, rows, headers, totals, notices.

Each entry is ``id: (Chinese, English)``, ids prefixed ``data.``; see :mod:`fundalloc.i18n`
for the rules every message follows.
"""

MESSAGES: dict[str, tuple[str, str]] = {}
