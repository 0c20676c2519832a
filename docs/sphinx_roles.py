"""Sphinx roles and directives in numpydoc docstrings, made Markdown for mkdocstrings.

fundalloc's docstrings are numpydoc, written for Sphinx: ``:func:`allocate```,
``:class:`~fundalloc.Allocation```, ``.. math::``. mkdocstrings renders docstrings as
Markdown, where those would show as raw text. This griffe extension (registered under the
Python handler's ``extensions`` in ``mkdocs.yml``) rewrites each docstring of the package
once it is loaded:

- a role (``:func:``, ``:class:``, ``:meth:``, ``:mod:``, ``:data:``, ``:attr:``, ``:exc:``,
  ``:obj:``, ``:const:``) becomes a cross-reference to the object's full path, resolved the
  way Sphinx resolves it: in the scope of the documented object (its class, its module and
  what the module imports), then as an absolute path, then as the one object of the package
  with that name. The path is canonical (``fundalloc.Allocation`` links to
  ``fundalloc.result.Allocation``). The link is an *optional* autorefs reference: an object
  that is not in the API reference (a private helper, an undocumented attribute) shows as
  plain code instead of failing the build. A name that is not the package's (``csv``,
  ``OSError``) is plain code. A name that resolves nowhere is reported as a warning, which
  fails ``mkdocs build --strict``. ``~`` shows the last component, ``title <target>`` an
  explicit title, ``!name`` no link, as in Sphinx.
- ``:math:`x``` becomes inline arithmatex ``$x$``, and a ``.. math::`` block a ``$$`` block
  (rendered by MathJax through ``pymdownx.arithmatex``).
- ``.. note::``, ``.. warning::``, ``.. seealso::``, ``.. versionadded::``,
  ``.. versionchanged::`` and ``.. deprecated::`` become admonitions.

Code is left alone: doctest examples, fenced blocks and ````literal```` spans. A doctest
outside the Examples section (which griffe renders as code itself) is fenced as ``pycon``:
Markdown would otherwise read it as text (``x["a"]["b"]`` as a link).
``docs/check_site.py`` checks the built site for anything left over.
"""

from __future__ import annotations

import builtins
import re
import sys
from collections.abc import Callable, Iterator
from typing import Any

import griffe

ROLES = ("func", "class", "meth", "mod", "data", "attr", "exc", "obj", "const")
ROLE = re.compile(r":(?:py:)?(?P<role>[a-z]+):`(?P<content>[^`]+)`")  # may span lines
LITERAL = re.compile(r"``.+?``", re.S)
DIRECTIVE = re.compile(r"^(?P<indent>[ \t]*)\.\. (?P<name>[a-z][a-z-]*)::[ \t]*(?P<arg>.*)$")
FENCE = re.compile(r"^\s*(```|~~~)")
UNDERLINE = re.compile(r"\s*-{3,}\s*")
ADMONITIONS = {
    "note": ("note", None),
    "warning": ("warning", None),
    "seealso": ("info", "See also"),
    "versionadded": ("info", "New in version {arg}"),
    "versionchanged": ("info", "Changed in version {arg}"),
    "deprecated": ("warning", "Deprecated since version {arg}"),
}

#: What each role names, as griffe's kinds (an attribute may be a property).
KINDS = {
    "func": {"function"},
    "meth": {"function"},
    "class": {"class"},
    "exc": {"class"},
    "mod": {"module"},
    "data": {"attribute", "type alias"},
    "attr": {"attribute", "function"},
    "const": {"attribute"},
}

PROSE, CODE, ITEM = "prose", "code", "item"
#: numpydoc sections whose items are ``name : type, default ...`` lines
ITEM_SECTIONS = {
    "Parameters",
    "Other Parameters",
    "Returns",
    "Yields",
    "Receives",
    "Raises",
    "Warns",
    "Attributes",
}

#: Turns a role and its target into a canonical path, or None when the target is not the
#: package's; raises LookupError when the name resolves nowhere.
Resolver = Callable[[str, str], "str | None"]


def convert(text: str, resolve: Resolver) -> str:
    """The docstring ``text`` with Sphinx roles and directives turned into Markdown."""
    lines = text.split("\n")
    out: list[tuple[str, str]] = []  # (PROSE, CODE or ITEM, line)
    i = 0
    in_fence = False
    section, depth = "", 0  # the numpydoc section the line is in, and its indentation
    while i < len(lines):
        line = lines[i]
        indent = len(line) - len(line.lstrip())
        if i + 1 < len(lines) and line.strip() and UNDERLINE.fullmatch(lines[i + 1]):
            section, depth = line.strip(), indent
        if FENCE.match(line):
            in_fence = not in_fence
            out.append((CODE, line))
            i += 1
        elif in_fence:
            out.append((CODE, line))
            i += 1
        elif line.lstrip().startswith(">>>"):  # a doctest runs to the next blank line
            end = i
            while end < len(lines) and lines[end].strip():
                end += 1
            doctest = lines[i:end]
            if section != "Examples":  # griffe makes code of those; elsewhere it is text
                before = [""] if out and out[-1][1].strip() else []
                pad = " " * indent
                doctest = [*before, f"{pad}```pycon", *doctest, f"{pad}```"]
            out.extend((CODE, d) for d in doctest)
            i = end
        elif match := DIRECTIVE.match(line):
            block, i = _directive(lines, i, match)
            # a Markdown block needs blank lines around it; the docstring may have them
            if not block[0][1] and out and not out[-1][1].strip():
                block = block[1:]
            if not block[-1][1] and (i == len(lines) or not lines[i].strip()):
                block = block[:-1]
            out.extend(block)
        elif section in ITEM_SECTIONS and line.strip() and indent <= depth:
            out.append((ITEM, line))
            i += 1
        else:
            out.append((PROSE, line))
            i += 1
    # roles are converted a run of prose lines at a time: one may be broken across lines
    converted: list[str] = []
    run: list[str] = []
    for kind, line in out:
        if kind == PROSE:
            run.append(line)
            continue
        if run:
            converted.append(_convert_roles("\n".join(run), resolve))
            run = []
        # an item's type and default are shown as code by griffe: the role's bare title
        converted.append(_convert_roles(line, resolve, bare=True) if kind == ITEM else line)
    if run:
        converted.append(_convert_roles("\n".join(run), resolve))
    return "\n".join(converted)


def _body(lines: list[str], start: int, indent: int) -> tuple[list[str], int]:
    """The lines from ``start`` indented deeper than ``indent`` (blank lines included)."""
    end = start
    body: list[str] = []
    while end < len(lines):
        line = lines[end]
        if line.strip() and len(line) - len(line.lstrip()) <= indent:
            break
        body.append(line)
        end += 1
    while body and not body[-1].strip():
        body.pop()
        end -= 1
    return body, end


def _dedent(body: list[str]) -> list[str]:
    depth = min((len(b) - len(b.lstrip()) for b in body if b.strip()), default=0)
    return [b[depth:] for b in body]


def _directive(lines: list[str], i: int, match: re.Match[str]) -> tuple[list[tuple[str, str]], int]:
    """The Markdown for the directive on line ``i`` as (kind, line), and the next line."""
    indent, name, arg = match["indent"], match["name"], match["arg"].strip()
    body, end = _body(lines, i + 1, len(indent))
    if name == "math":
        formula = [arg] if arg else []
        formula += [b.strip() for b in body]
        formula = [f for f in formula if f]
        math = ["", f"{indent}$$", *(f"{indent}{f}" for f in formula), f"{indent}$$", ""]
        return [(CODE, m) for m in math], end
    if name in ADMONITIONS:
        kind, title = ADMONITIONS[name]
        text = _dedent(body)
        if title is None:
            head = f"{indent}!!! {kind}"
            if arg:
                text = [arg, *text]
        else:
            head = f'{indent}!!! {kind} "{title.format(arg=arg)}"'
        body = [f"{indent}    {t}" if t.strip() else "" for t in text]
        return [(PROSE, b) for b in ["", head, *body, ""]], end
    return [(PROSE, lines[i])], i + 1


def _convert_roles(line: str, resolve: Resolver, *, bare: bool = False) -> str:
    parts = []
    last = 0
    for literal in LITERAL.finditer(line):
        parts.append(ROLE.sub(lambda m: _role(m, resolve, bare), line[last : literal.start()]))
        parts.append(literal.group())
        last = literal.end()
    parts.append(ROLE.sub(lambda m: _role(m, resolve, bare), line[last:]))
    return "".join(parts)


def _role(match: re.Match[str], resolve: Resolver, bare: bool = False) -> str:
    role, content = match["role"], " ".join(match["content"].split())
    if role == "math":
        return f"${content}$"
    if role not in ROLES:
        return match.group()
    if explicit := re.fullmatch(r"(?P<title>.+?)\s*<(?P<target>[^<>]+)>", content):
        title, target, link = explicit["title"], explicit["target"].strip(), True
    else:
        target, link = content, True
        if target.startswith("!"):
            target, link = target[1:], False
        if target.startswith("~"):
            target = target[1:]
            title = target.rpartition(".")[2]
        else:
            title = target
    target = target.lstrip(".")
    shown = f"<code>{_escape(title)}</code>"
    path = resolve(role, target) if link else None
    if bare:
        return title
    if path is None:
        return f"`{title}`"
    return f'<autoref identifier="{path}" optional>{shown}</autoref>'


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _external(target: str) -> bool:
    head = target.partition(".")[0]
    return head in sys.stdlib_module_names or hasattr(builtins, head)


def resolver(obj: griffe.Object, package: griffe.Module) -> Resolver:
    """How a role in ``obj``'s docstring finds its target in ``package``."""

    def canonical(path: str) -> str | None:
        try:
            found = package.modules_collection[path]
            return str(found.canonical_path)
        except (KeyError, griffe.AliasResolutionError, griffe.CyclicAliasError):
            return None

    def resolve(role: str, target: str) -> str | None:
        head, _, rest = target.partition(".")
        scope: griffe.Object | griffe.Alias | None = obj
        while scope is not None:  # the object, its class, its module (not the package)
            if head in scope.members:
                member = scope.members[head]
                base = member.target_path if isinstance(member, griffe.Alias) else member.path
                path = canonical(f"{base}.{rest}" if rest else base)
                if path is not None:
                    return path
                if not base.startswith(f"{package.name}."):
                    return None  # an import from elsewhere (numpy, the standard library)
                break
            scope = None if scope.is_module else scope.parent
        if target == package.name or target.startswith(f"{package.name}."):
            path = canonical(target)
            if path is not None:
                return path
        matches = sorted(
            {
                str(o.canonical_path)
                for o in _objects(package)
                if o.path.endswith(f".{target}") and o.kind.value in KINDS.get(role, {o.kind.value})
            }
        )
        if len(matches) > 1:  # the nearest to the object, as Sphinx searches
            nearness = {m: _common(m, obj.path) for m in matches}
            nearest = max(nearness.values())
            matches = [m for m in matches if nearness[m] == nearest]
        if len(matches) == 1:
            return matches[0]
        if _external(target) or (rest and head != package.name):
            return None  # another package's (scipy.sparse.csgraph.maximum_flow)
        line = obj.docstring.lineno if obj.docstring else obj.lineno
        where = f"{obj.relative_filepath}:{line}" if line else obj.path
        found = f" (it could be {', '.join(matches)})" if matches else ""
        raise LookupError(f"{where}: {target!r} names no object of {package.name}{found}")

    return resolve


def _common(a: str, b: str) -> int:
    """How many leading components the dotted paths ``a`` and ``b`` share."""
    n = 0
    for x, y in zip(a.split("."), b.split("."), strict=False):
        if x != y:
            break
        n += 1
    return n


def _objects(obj: griffe.Object) -> Iterator[griffe.Object]:
    yield obj
    for member in obj.members.values():
        if not isinstance(member, griffe.Alias):
            yield from _objects(member)


class SphinxRoles(griffe.Extension):
    """Rewrite every docstring of a loaded package (see the module docstring)."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        for obj in _objects(pkg):
            docstring = obj.docstring
            if docstring is None:
                continue
            resolve = resolver(obj, pkg)

            def checked(role: str, target: str, resolve: Resolver = resolve) -> str | None:
                try:
                    return resolve(role, target)
                except LookupError as error:
                    griffe.logger.warning("%s", error)
                    return None

            docstring.value = convert(docstring.value, checked)
            docstring.__dict__.pop("parsed", None)  # parsed again from the new text
