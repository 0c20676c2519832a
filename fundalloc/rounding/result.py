"""What a rounding returns: whole units per region, the units left unallocated, the ties."""

from __future__ import annotations

from dataclasses import dataclass, field

from fundalloc.rounding.quotas import IntArray

__all__ = ["RoundingResult", "TieBreak"]


@dataclass(frozen=True)
class TieBreak:
    """A tie at the cutoff: ``winners`` got a unit that ``losers`` with an equal claim did not.

    Indices are positions in the arrays given to :func:`round_units`.
    """

    claim: float
    winners: tuple[int, ...]
    losers: tuple[int, ...]


@dataclass(frozen=True)
class RoundingResult:
    """Integer units per region, the units left unallocated (``half_up`` only), and ties."""

    units: IntArray
    unallocated: int = 0
    ties: tuple[TieBreak, ...] = field(default_factory=tuple)
