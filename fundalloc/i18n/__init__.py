"""Every message a user reads, in Chinese by default and in English on request.

One table of message ids, not gettext: each id maps to its Chinese and its English text
side by side, in the catalogue module of its area (:mod:`fundalloc.i18n.common`,
``cli``, ``data``, ``scheme``, ``solve``, ``rounding``, ``output``, ``publication``,
``analysis``; ids are prefixed with the module's name), merged here into
:data:`CATALOGUE`. We chose a table over gettext catalogues (``.po``/``.mo`` through
Babel) because fundalloc has exactly two languages and every message must exist in both:
a table puts the two texts of one message on one screen, needs no compile step in the
build or the wheel, is checked by a plain test (every id used in the code exists, both
texts have the same placeholders, the Chinese text holds no English word and the English
no Chinese one outside the bureau terms of :data:`TERMS`), and an id typed wrong fails the
test suite rather than silently showing the English text, which is gettext's fallback.

How code says something::

    from fundalloc.i18n import tr

    raise DataError(Problem(where, tr("data.not_a_number", column=name), found=repr(cell)))

:func:`tr` returns a :class:`Message`: the id and its parameters, rendered in the language
current when it is shown (``str(message)``), so an error raised in one language can be
shown in the other (:meth:`Message.render`). Parameters are rendered too: a nested
:class:`Message` in the same language, an ``int`` or ``Decimal`` with its thousands grouped
by commas (``3,717``), a list or tuple joined by ``、`` or ``", "``, anything else by
:func:`format` with the template's format spec (``{share:.2%}``).

The language is, in order: the one set by :func:`set_language` or :func:`using` (a context
variable, so threads and tasks keep their own), else the ``FUNDALLOC_LANG`` environment
variable (``zh`` or ``en``), else Chinese.

>>> from fundalloc.i18n import Message, tr, using
>>> message = tr("common.more_not_listed", count=1200)
>>> with using("en"):
...     str(message)
'1,200 more rows with the same kind of problem are not listed'
>>> message.render("zh")
'另有 1,200 行同类问题未列出'
"""

from __future__ import annotations

import os
import string
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from typing import Any, Literal, get_args

from fundalloc.i18n import (
    analysis,
    cli,
    common,
    data,
    output,
    publication,
    rounding,
    scheme,
    solve,
)

__all__ = [
    "CATALOGUE",
    "LANGUAGES",
    "TERMS",
    "Lang",
    "Message",
    "group_digits",
    "language",
    "set_language",
    "text",
    "tr",
    "using",
]

#: The languages fundalloc speaks.
Lang = Literal["zh", "en"]
LANGUAGES: tuple[Lang, ...] = get_args(Lang)

#: Words a message in either language may hold as they are: file formats, the program's
#: own name, and the bureau's Chinese terms that an English message quotes (a 合计 row).
TERMS = frozenset(
    {
        "CSV",
        "XLSX",
        "JSON",
        "TOML",
        "HTML",
        "DOCX",
        "Markdown",
        "UTF-8",
        "GB18030",
        "fundalloc",
        "pip",
        "Excel",
        "LibreOffice",
        "Jupyter",
        "Debian",
        "Ubuntu",
        "Windows",
        "macOS",
        "matplotlib",
        "SHA-256",
        "ZIP",
        "Python",
    }
)


def _merge() -> dict[str, tuple[str, str]]:
    merged: dict[str, tuple[str, str]] = {}
    for module in (common, cli, data, scheme, solve, rounding, output, publication, analysis):
        for key, texts in module.MESSAGES.items():
            if key in merged:
                raise RuntimeError(f"message id {key!r} is defined twice")  # pragma: no cover
            merged[key] = texts
    return merged


#: Message id to its (Chinese, English) templates.
CATALOGUE: Mapping[str, tuple[str, str]] = _merge()

_chosen: ContextVar[Lang | None] = ContextVar("fundalloc_language", default=None)


def _check(lang: str) -> Lang:
    if lang not in LANGUAGES:
        from fundalloc.errors import SchemeError

        raise SchemeError(
            f"unknown language {lang!r} / 未知的语言 {lang!r}: expected zh or en / 应为 zh 或 en"
        )
    return lang


def language() -> Lang:
    """The language messages are shown in now: :func:`set_language`, else
    ``FUNDALLOC_LANG``, else ``"zh"``.

    >>> with using("en"):
    ...     language()
    'en'
    """
    chosen = _chosen.get()
    if chosen is not None:
        return chosen
    env = os.environ.get("FUNDALLOC_LANG", "").strip().lower()
    return env if env in LANGUAGES else "zh"


def set_language(lang: Lang | None) -> None:
    """Show every message from now on in ``lang`` (``None``: back to the default).

    Raises
    ------
    SchemeError
        If ``lang`` is neither ``"zh"`` nor ``"en"``.
    """
    _chosen.set(None if lang is None else _check(lang))


@contextmanager
def using(lang: Lang) -> Iterator[None]:
    """Show messages in ``lang`` inside the ``with`` block only."""
    token = _chosen.set(_check(lang))
    try:
        yield
    finally:
        _chosen.reset(token)


def group_digits(value: int | Decimal) -> str:
    """An integer or Decimal with its thousands grouped by commas, as Chinese tables write
    them (``3,717``; ``12,345.678``), digits after the point kept as they are.

    >>> group_digits(3717), group_digits(Decimal("-1234567.50")), group_digits(12)
    ('3,717', '-1,234,567.50', '12')
    """
    return f"{value:,}" if isinstance(value, int) else f"{Decimal(value):,f}"


class _Formatter(string.Formatter):
    def __init__(self, lang: Lang) -> None:
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, Message):
            return value.render(self.lang)
        if isinstance(value, (list, tuple)):
            joiner = "、" if self.lang == "zh" else ", "
            return joiner.join(self.format_field(v, format_spec) for v in value)
        if not format_spec and isinstance(value, (int, Decimal)) and not isinstance(value, bool):
            return group_digits(value)
        return format(value, format_spec)


class Message:
    """A message id and its parameters, rendered in the current language when shown.

    Two messages are equal when their ids and parameters are. ``str(message)`` renders
    it in :func:`language`; :meth:`render` in a given one.
    """

    __slots__ = ("key", "params")

    def __init__(self, key: str, params: Mapping[str, Any]) -> None:
        if key not in CATALOGUE:
            raise KeyError(f"no message {key!r} in the catalogue")
        self.key = key
        self.params = dict(params)

    def render(self, lang: Lang | None = None) -> str:
        """The text in ``lang`` (default: the current language)."""
        lang = language() if lang is None else _check(lang)
        template = CATALOGUE[self.key][LANGUAGES.index(lang)]
        return _Formatter(lang).vformat(template, (), self.params)

    def __str__(self) -> str:
        return self.render()

    def __repr__(self) -> str:
        return f"tr({self.key!r}, {', '.join(f'{k}={v!r}' for k, v in self.params.items())})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Message) and (self.key, self.params) == (other.key, other.params)

    def __hash__(self) -> int:
        return hash(self.key)

    def __contains__(self, part: str) -> bool:
        return part in self.render()

    def __add__(self, other: object) -> str:
        return str(self) + str(other)

    def __radd__(self, other: object) -> str:
        return str(other) + str(self)


def tr(key: str, /, **params: Any) -> Message:
    """The message ``key`` of :data:`CATALOGUE` with its parameters (rendered when shown).

    Raises
    ------
    KeyError
        If the catalogue has no such id (a programming error, caught by the tests).
    """
    return Message(key, params)


def text(key: str, /, **params: Any) -> str:
    """The message ``key`` rendered now, in the current language: for text that is built
    once and never re-rendered (a column header, a line of a printed table)."""
    return Message(key, params).render()
