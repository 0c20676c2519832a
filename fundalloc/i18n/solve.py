"""Messages of solving and rounding: infeasible requirements, solvers, sources.

Each entry is ``id: (Chinese, English)``, ids prefixed ``solve.``; see :mod:`fundalloc.i18n`
for the rules every message follows.
"""

MESSAGES: dict[str, tuple[str, str]] = {}
