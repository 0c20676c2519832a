"""The rounding methods by name, with nothing heavy imported: the names a scheme may give.

The ``Literal`` type of a scheme's ``rounding`` setting lives outside the rounding package
(so that the scheme does not import rounding); it must list exactly :data:`NAMES`.

>>> canonical_method("dhondt")
'jefferson'
>>> NAMES[:3]
('largest_remainder', 'jefferson', 'webster')
"""

from __future__ import annotations

from fundalloc.errors import SchemeError

__all__ = ["ALIASES", "DIVISOR_METHODS", "METHODS", "NAMES", "canonical_method"]

#: The divisor methods, in the order of :data:`METHODS`.
DIVISOR_METHODS = ("jefferson", "webster", "huntington_hill", "adams")

#: The rounding methods by their canonical names.
METHODS = ("largest_remainder", *DIVISOR_METHODS, "half_up")

#: Other names of the same methods: D'Hondt is Jefferson, Sainte-Laguë is Webster,
#: Hamilton is largest remainder.
ALIASES = {"dhondt": "jefferson", "sainte_lague": "webster", "hamilton": "largest_remainder"}

#: Every name a scheme may give: the methods, then the aliases.
NAMES = (*METHODS, *ALIASES)


def canonical_method(name: str) -> str:
    """The method's canonical name; unknown names raise :class:`SchemeError`."""
    name = ALIASES.get(name, name)
    if name not in METHODS:
        raise SchemeError(
            f"unknown rounding method {name!r}; expected one of: "
            f"{', '.join(METHODS)} (or dhondt, sainte_lague, hamilton)"
        )
    return name
