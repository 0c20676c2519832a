"""Every Python example in the user docs runs, and prints what the page shows after it.

Each page's ``python`` blocks run in order in one namespace, in a temporary folder that
holds a copy of ``examples/`` and every block titled as a file (``title="regions.csv"``
after the language); a block that prints must be followed by a ``text`` block with
exactly that output.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import re
import shutil
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "docs").glob("**/*.md"))
BLOCK = re.compile(r"^```(\w*)([^\n]*)\n(.*?)^```", re.S | re.M)
TITLE = re.compile(r'title="([^"]+)"')


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT / "docs")))
def test_page_examples(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    found = list(BLOCK.finditer(page.read_text(encoding="utf-8")))
    blocks = [(m.group(1), m.group(3)) for m in found]
    if not any(lang == "python" for lang, _ in blocks):
        pytest.skip("no Python examples")
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    for m in found:
        if title := TITLE.search(m.group(2)):
            (tmp_path / title.group(1)).write_text(m.group(3), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "__docs__"}
    for k, (lang, code) in enumerate(blocks):
        if lang != "python":
            continue
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, f"{page.name} block {k}", "exec"), namespace)
        printed = out.getvalue()
        if not printed:
            continue
        following = blocks[k + 1] if k + 1 < len(blocks) else ("", "")
        assert following[0] == "text", f"block {k} prints but no text block follows it"
        assert printed.rstrip("\n") == following[1].rstrip("\n"), f"block {k} output differs"


# The API reference: docs/sphinx_roles.py turns the docstrings' Sphinx markup into Markdown,
# docs/check_site.py finds any left in the built site.


def _docs_module(name: str) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "docs" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def roles() -> types.ModuleType:
    pytest.importorskip("griffe")  # the docs extra
    return _docs_module("sphinx_roles")


@pytest.fixture(scope="module")
def check_site() -> types.ModuleType:
    return _docs_module("check_site")


def _paths(role: str, target: str) -> str | None:
    """A resolver for the samples: fundalloc names gain a module, others are external."""
    if target == "nowhere":
        raise LookupError("nowhere")
    return f"fundalloc.mod.{target.rpartition('.')[2]}" if target[0] != "c" else None


def _ref(path: str, shown: str) -> str:
    return f'<autoref identifier="{path}" optional><code>{shown}</code></autoref>'


def test_roles_become_optional_cross_references(roles: types.ModuleType) -> None:
    text = (
        "See :func:`allocate`, :class:`~fundalloc.result.Allocation`, :py:meth:`Trace.explain`,\n"
        ":attr:`the notices <fundalloc.table.RegionTable.notices>` and :func:`!private`;\n"
        ":mod:`csv` is not ours, ``:func:`literal``` stays. :attr:`Allocation.breakdown\n"
        "<fundalloc.result.Allocation.breakdown>` is broken across lines."
    )
    assert roles.convert(text, _paths) == (
        f"See {_ref('fundalloc.mod.allocate', 'allocate')}, "
        f"{_ref('fundalloc.mod.Allocation', 'Allocation')}, "
        f"{_ref('fundalloc.mod.explain', 'Trace.explain')},\n"
        f"{_ref('fundalloc.mod.notices', 'the notices')} and `private`;\n"
        "`csv` is not ours, ``:func:`literal``` stays. "
        f"{_ref('fundalloc.mod.breakdown', 'Allocation.breakdown')} is broken across lines."
    )


def test_items_types_and_defaults_keep_the_bare_name(roles: types.ModuleType) -> None:
    text = (
        "Parameters\n----------\norder : sequence of str, default :data:`ORDER`\n"
        "    A permutation of :data:`ORDER`.\n\nRaises\n------\n:class:`~pkg.Bad`\n"
        "    When :func:`c` fails."
    )
    assert roles.convert(text, _paths) == (
        "Parameters\n----------\norder : sequence of str, default ORDER\n"
        f"    A permutation of {_ref('fundalloc.mod.ORDER', 'ORDER')}.\n\nRaises\n------\nBad\n"
        "    When `c` fails."
    )
    with pytest.raises(LookupError):  # still checked
        roles.convert("Parameters\n----------\nx : :class:`nowhere`", _paths)


def test_code_is_left_alone(roles: types.ModuleType) -> None:
    text = "```toml\nkey = ':mod:`z`'\n```\nExamples\n--------\n>>> print(':func:`x`')\n:func:`x`"
    assert roles.convert(text, _paths) == text


def test_a_doctest_outside_examples_becomes_code(roles: types.ModuleType) -> None:
    text = 'The schema.\n    >>> s["a"]["b"]\n    ... # :func:`x`\n    1\n\nThen :func:`c`.'
    assert roles.convert(text, _paths) == (
        'The schema.\n\n    ```pycon\n    >>> s["a"]["b"]\n    ... # :func:`x`\n    1\n    ```\n\n'
        "Then `c`."
    )


def test_math_becomes_arithmatex(roles: types.ModuleType) -> None:
    text = (
        "The target is\n\n"
        ".. math:: t_i = A \\, \\frac{x_i}{\\sum_k x_k},\n"
        "          \\qquad s_i = x_i\n\n"
        "for :math:`i \\in R`.\n\n"
        "    .. math::\n\n"
        "        a = b\n"
    )
    assert roles.convert(text, _paths) == (
        "The target is\n\n$$\nt_i = A \\, \\frac{x_i}{\\sum_k x_k},\n\\qquad s_i = x_i\n$$\n\n"
        "for $i \\in R$.\n\n    $$\n    a = b\n    $$\n"
    )


def test_directives_become_admonitions(roles: types.ModuleType) -> None:
    text = ".. note:: Amounts are exact,\n   to the yuan.\n\n.. versionadded:: 0.2\n\nAfter."
    assert roles.convert(text, _paths) == (
        "\n!!! note\n    Amounts are exact,\n    to the yuan.\n\n"
        '!!! info "New in version 0.2"\n\nAfter.'
    )
    unknown = ".. todo:: later"
    assert roles.convert(unknown, _paths) == unknown  # left for check_site.py to report


def test_an_unknown_name_is_an_error(roles: types.ModuleType) -> None:
    with pytest.raises(LookupError):
        roles.convert("Calls :func:`nowhere`.", _paths)


SAMPLE_PACKAGE = {
    "__init__.py": '"""The package; see :mod:`pkg.core`."""\nfrom pkg.core import Table\n',
    "errors.py": (
        '"""Errors."""\nclass Bad(ValueError):\n    """Raised by :func:`pkg.core.run`."""\n'
    ),
    "core.py": '''"""Core: :class:`Table` and :func:`run`; :class:`~pkg.Table` too."""
import csv
from pkg.errors import Bad


class Table:
    """A table; :meth:`render` draws it, :attr:`size` counts it."""

    size: int = 0
    """How many rows."""

    def render(self) -> str:
        """Draw; see :meth:`Table.render`, :func:`_helper`, :mod:`csv` and :class:`OSError`."""
        return ""


def run() -> None:
    """Raise :class:`Bad` (:exc:`pkg.errors.Bad`), print with :func:`report`."""


def _helper() -> None:
    """Nothing."""
''',
    "report.py": '"""Report."""\ndef report() -> None:\n    """Print :func:`undefined_name`."""\n',
    "types.py": '"""Types."""\nMETHODS = ()\n"""All."""\n',
    "sub/__init__.py": '"""Sub."""\n',
    "sub/names.py": '"""Names."""\nMETHODS = ()\n"""Some."""\n',
    "sub/use.py": '"""Use :data:`METHODS`."""\n',
}


def _write_package(root: Path) -> None:
    for name, source in SAMPLE_PACKAGE.items():
        (root / "pkg" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "pkg" / name).write_text(source, encoding="utf-8")


def test_names_resolve_in_the_object_s_scope(roles: types.ModuleType, tmp_path: Path) -> None:
    griffe = pytest.importorskip("griffe")
    _write_package(tmp_path)
    package = griffe.load("pkg", search_paths=[tmp_path])

    def resolved(path: str, target: str, role: str = "func") -> str | None:
        return roles.resolver(package[path], package)(role, target)

    assert resolved("core", "Table") == "pkg.core.Table"  # defined in the module
    assert resolved("core", "Bad") == "pkg.errors.Bad"  # imported: the canonical path
    assert resolved("core", "pkg.Table") == "pkg.core.Table"  # re-exported: canonical
    assert resolved("core.Table", "render") == "pkg.core.Table.render"  # a class member
    assert resolved("core.Table.render", "Table.render") == "pkg.core.Table.render"
    assert resolved("core.Table.render", "_helper") == "pkg.core._helper"
    assert resolved("core", "pkg.errors.Bad") == "pkg.errors.Bad"  # absolute
    assert resolved("core.run", "report") == "pkg.report.report"  # the one function so named
    assert resolved("core.run", "report", "mod") == "pkg.report"  # the one module so named
    assert resolved("sub.use", "METHODS", "data") == "pkg.sub.names.METHODS"  # the nearest
    with pytest.raises(LookupError, match=r"it could be pkg\.sub\.names\.METHODS, pkg\.types"):
        resolved("core", "METHODS", "data")  # two, neither nearer
    assert resolved("core", "csv") is None  # imported from the standard library
    assert resolved("core", "OSError") is None  # a builtin
    with pytest.raises(LookupError, match="undefined_name"):
        resolved("report.report", "undefined_name")


def test_the_extension_rewrites_every_docstring(
    roles: types.ModuleType, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    griffe = pytest.importorskip("griffe")
    _write_package(tmp_path)
    extensions = griffe.load_extensions(str(ROOT / "docs" / "sphinx_roles.py"))
    with caplog.at_level("WARNING"):
        package = griffe.load("pkg", search_paths=[tmp_path], extensions=extensions)
    assert package.docstring.value == (f"The package; see {_ref('pkg.core', 'pkg.core')}.")
    assert package["core.Table"].docstring.value == (
        f"A table; {_ref('pkg.core.Table.render', 'render')} draws it, "
        f"{_ref('pkg.core.Table.size', 'size')} counts it."
    )
    assert package["core.run"].docstring.parsed[0].value == (
        f"Raise {_ref('pkg.errors.Bad', 'Bad')} ({_ref('pkg.errors.Bad', 'pkg.errors.Bad')}), "
        f"print with {_ref('pkg.report.report', 'report')}."
    )
    assert package["core.Table.render"].docstring.value.endswith("`csv` and `OSError`.")
    warnings = [r.getMessage() for r in caplog.records if "names no object" in r.getMessage()]
    assert len(warnings) == 1
    assert warnings[0].endswith("pkg/report.py:3: 'undefined_name' names no object of pkg")
    assert "`undefined_name`" in package["report.report"].docstring.value


def test_the_site_check_finds_raw_markup(check_site: types.ModuleType, tmp_path: Path) -> None:
    page = (
        "<html><body><p>Use :func:<code>allocate</code> and :class:`Scheme`.</p>"
        "<p>.. math:: t_i = x_i</p><p>A type: <code>default :data:`ORDER`</code></p>"
        "<p>(<code>&lt;autoref identifier=&#34;x&#34; optional&gt;x&lt;/autoref&gt;</code>)</p>"
        "<pre><code>.. note:: in a code block</code></pre>"
        "<script>var a = ':meth:`y`';</script></body></html>"
    )
    (tmp_path / "reference").mkdir()
    (tmp_path / "reference" / "index.html").write_text(page, encoding="utf-8")
    (tmp_path / "index.html").write_text("<p>A time: 12:30: fine.</p>", encoding="utf-8")
    assert check_site.check(tmp_path) == [
        "reference/index.html: :func:`allocate`",
        "reference/index.html: :class:`Scheme`",
        "reference/index.html: .. math::",
        "reference/index.html: :data:`ORDER`",
        "reference/index.html: <autoref> as text",
    ]
    assert check_site.main([str(tmp_path)]) == 1
    (tmp_path / "reference" / "index.html").write_text("<p>clean</p>", encoding="utf-8")
    assert check_site.main([str(tmp_path)]) == 0
    assert check_site.main([str(tmp_path / "missing")]) == 2
