"""The rounding methods by name, with nothing heavy imported: the names a scheme may give.

The names themselves are defined once, as the ``Literal`` types of :mod:`fundalloc.types`
(``CanonicalMethod``, ``RoundingMethod``) with their ``ALIASES``, outside the rounding
package, so that the scheme validates its ``rounding`` without importing rounding; this
module reads them from there and checks a name given at run time.

>>> canonical_method("dhondt")
'jefferson'
>>> NAMES[:3]
('largest_remainder', 'jefferson', 'webster')
"""

from __future__ import annotations

from typing import get_args

from fundalloc.errors import Problem, SchemeError
from fundalloc.i18n import tr
from fundalloc.types import ALIASES, METHODS, CanonicalMethod, RoundingMethod

__all__ = ["ALIASES", "DIVISOR_METHODS", "METHODS", "NAMES", "canonical_method"]

#: The divisor methods, in the order of :data:`METHODS`.
DIVISOR_METHODS: tuple[CanonicalMethod, ...] = tuple(
    m for m in METHODS if m not in ("largest_remainder", "half_up")
)

#: Every name a scheme may give: the methods, then the aliases (the values of
#: :data:`fundalloc.types.RoundingMethod`).
NAMES: tuple[RoundingMethod, ...] = get_args(RoundingMethod)


def canonical_method(name: str) -> CanonicalMethod:
    """The method's canonical name; unknown names raise :class:`SchemeError`.

    >>> canonical_method("bankers")
    Traceback (most recent call last):
    ...
    fundalloc.errors.SchemeError: unknown rounding method 'bankers'; expected one of: \
largest_remainder, jefferson, webster, huntington_hill, adams, half_up (or dhondt, \
sainte_lague, hamilton)
    """
    if name in ALIASES:
        return ALIASES[name]
    if name not in METHODS:
        raise SchemeError(
            Problem(
                "",
                tr(
                    "rounding.unknown_method", name=name, names=list(METHODS), aliases=list(ALIASES)
                ),
            )
        )
    return name  # one of METHODS: checked just above
