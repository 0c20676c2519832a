"""Check a built site for Sphinx markup that reached the reader raw.

Usage: ``python docs/check_site.py SITE_DIR`` (after ``mkdocs build --strict -d SITE_DIR``).

Every HTML page is read as a reader sees it, outside ``<pre>`` blocks, ``<script>`` and
``<style>``: a role (``:func:`allocate```, which Markdown renders as ``:func:<code>…</code>``)
or a directive (``.. math::``, ``.. note::``) there is a docstring whose Sphinx markup
docs/sphinx_roles.py did not convert; so is a role inside inline code (griffe shows a
parameter's type and default as inline code) and an ``<autoref`` tag shown as text (an
autorefs link escaped where HTML was not expected). Each one is printed as ``page: text``
and the exit status is 1; 0 when there is none. A page that shows Sphinx markup on purpose
puts it in a code block.
"""

from __future__ import annotations

import re
import sys
from html.parser import HTMLParser
from pathlib import Path

#: Sphinx's roles (the Python domain's, with or without ``py:``, and the standard ones)
ROLE_NAMES = (
    r"(?:(?:py:)?(?:func|class|meth|mod|data|attr|exc|obj|const|type)"
    r"|math|ref|doc|term|any|envvar|option|program|file|samp|kbd|abbr|numref)"
)
#: a role whose backquotes Markdown turned into <code> (CODE marks where the code was)
ROLE_BEFORE_CODE = re.compile(rf":{ROLE_NAMES}:$")
#: a role left with its backquotes (inside a table cell, an attribute, escaped)
ROLE_TEXT = re.compile(rf"(?<![\w:]):{ROLE_NAMES}:`[^`]+`")
DIRECTIVE = re.compile(r"(?:^|\s)\.\. [a-z][a-z-]*::")
SKIP = {"pre", "script", "style", "textarea"}
#: tags inside a line of text; any other tag separates words
INLINE = {
    "a",
    "abbr",
    "autoref",
    "b",
    "code",
    "em",
    "i",
    "kbd",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
}


class _Text(HTMLParser):
    """The page's visible text as runs of prose and inline code."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[tuple[bool, str]] = [(False, "")]  # (code?, text)
        self.skip = 0
        self.code = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in INLINE:
            self.handle_data("\n")
        if tag in SKIP:
            self.skip += 1
        elif tag == "code" and not self.skip:
            self.code += 1
            self.parts.append((True, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag not in INLINE:
            self.handle_data("\n")
        if tag in SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag == "code" and not self.skip and self.code:
            self.code -= 1
            if not self.code:
                self.parts.append((False, ""))

    def handle_data(self, data: str) -> None:
        if not self.skip:
            code, text = self.parts[-1]
            self.parts[-1] = (code, text + data)


def problems(html: str) -> list[str]:
    """The raw roles and directives a reader would see in the page ``html``."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    found = []
    parts = parser.parts
    for k, (code, text) in enumerate(parts):
        found += ["<autoref> as text" for _ in range(text.count("<autoref"))]
        if code:
            found += [m.group() for m in ROLE_TEXT.finditer(text)]
            continue
        following = next((t for c, t in parts[k + 1 :] if c), None)
        before_code = k + 1 < len(parts) and parts[k + 1][0]
        if before_code and (m := ROLE_BEFORE_CODE.search(text)):
            found.append(f"{m.group()}`{following}`")
        found += [m.group() for m in ROLE_TEXT.finditer(text)]
        found += [m.group().strip() for m in DIRECTIVE.finditer(text)]
    return found


def check(site: Path) -> list[str]:
    """``page: text`` for each raw role or directive in the site's HTML pages."""
    report = []
    for page in sorted(site.rglob("*.html")):
        for text in problems(page.read_text(encoding="utf-8")):
            report.append(f"{page.relative_to(site)}: {text}")
    return report


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not Path(argv[0]).is_dir():
        print("usage: python docs/check_site.py SITE_DIR (a site built by mkdocs)", file=sys.stderr)
        return 2
    site = Path(argv[0])
    pages = list(site.rglob("*.html"))
    if not pages:
        print(f"{site}: no HTML pages (was the site built?)", file=sys.stderr)
        return 2
    report = check(site)
    for line in report:
        print(line)
    if report:
        print(f"{len(report)} raw Sphinx roles or directives in the built site", file=sys.stderr)
        return 1
    print(f"{len(pages)} pages: no raw Sphinx roles or directives")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
