"""Messages of the publication pages (公示) in HTML, Markdown and DOCX and their templates.

Each entry is ``id: (Chinese, English)``, ids prefixed ``publication.``; see :mod:`fundalloc.i18n`
for the rules every message follows.
"""

MESSAGES: dict[str, tuple[str, str]] = {}
