"""Optional packages, imported only when used, with a message that says how to install them."""

from __future__ import annotations

import importlib
from typing import Any

from fundalloc.errors import DependencyError, Problem
from fundalloc.i18n import tr

__all__ = ["require"]


def require(module: str, extra: str) -> Any:
    """Import ``module``, or raise :class:`DependencyError` naming the extra that installs it.

    >>> require("json", "none").__name__
    'json'
    """
    try:
        return importlib.import_module(module)
    except ImportError:
        raise DependencyError(
            Problem(
                "",
                tr("scheme.optional.missing", module=module),
                hint=tr("scheme.optional.install", extra=extra),
            )
        ) from None
