"""Rounding money to the step, and apportioning indivisible items, with integer arithmetic.

All methods work on integer counts of the step ("units") with per-region integer
bounds ``[lower, upper]`` and hand out exactly ``total`` units.

``largest_remainder`` (Hamilton, the default for money)
    Every region first gets its exact amount rounded down (within its bounds);
    the units left go one each to the largest remainders. Every amount is within
    one unit of its exact value. When the total grows by one unit, a region can
    *lose* a unit (the Alabama paradox). On random problems this happens in a few
    percent of cases, more with more regions: measured about 2.4% with 3 regions
    and 6-7% with 10-50 regions (see the rounding page of the docs).

``jefferson`` (D'Hondt), ``webster`` (Sainte-Laguë), ``huntington_hill``, ``adams``
    Bounded divisor methods: the amounts are ``clip(round(λ · t_i), lower_i, upper_i)``
    for one common λ and the method's rounding rule (down; half-up; at the
    geometric mean; up). They are *house monotone*: raising the total never takes
    a unit from any region. A divisor method can move an amount more than one unit
    from its exact value. Huntington-Hill and Adams give every region with a
    positive target at least one unit.

``half_up``
    Independent rounding of each amount half-up, as a hand-made workbook does; the
    rounded amounts need not add up to the total and the difference (尾差) is
    reported, never hidden.

Exact at any scale
    Every decision (floors, remainders against the cutoff, halves, divisor priorities,
    ties) is made on exact rational values: the amounts are :class:`Quotas` (floats taken
    as the dyadic rationals they are, times exact rationals such as ``total / Σ w``).
    Each step decides first in binary64 with a proven error bound and recomputes exactly
    (Fractions) only what that bound cannot settle, so totals of 10^18 units are exact and
    everyday totals take the float path. The rounding under group constraints
    (:func:`round_by_groups`, :func:`round_with_rows`) decides the same way.

Ties
    A tie is two regions with the same claim to the last unit: the same exact remainder
    (within :func:`tie_tolerance`, at most 2**-20 of a unit, which absorbs the binary64
    error of formula targets at everyday totals) or exactly the same divisor priority. It is
    broken by the larger exact amount (for divisor methods, the larger weight), then by the
    smaller region id in Unicode code-point order, never by row order; every broken tie is
    reported. When units must be taken back (the first estimate overshot, or bounds forced
    it), they are taken in exactly the reverse of that order, so the result is the same
    either way.

Non-finite amounts
    A NaN or infinite amount or weight is refused (:class:`SolverError` naming the stage),
    never rounded.

The package, in the order a rounding runs
    :mod:`~fundalloc.rounding.names` (the methods by name, importing nothing heavy),
    :mod:`~fundalloc.rounding.quotas` (exact amounts, exact floors, the tie tolerance),
    :mod:`~fundalloc.rounding.largest` (the one largest-remainder rule: every path that
    rounds by largest remainder calls it), :mod:`~fundalloc.rounding.divisor`,
    :mod:`~fundalloc.rounding.methods` (:func:`round_units`, :func:`apportion`),
    :mod:`~fundalloc.rounding.groups` (keeping the totals of groups that do not overlap),
    :mod:`~fundalloc.rounding.rows` (keeping any constraint rows: a small integer
    programme) and :mod:`~fundalloc.rounding.cascade` (the three in the order the
    pipeline tries them).

References
----------
M. L. Balinski and H. P. Young, *Fair Representation: Meeting the Ideal of One Man,
One Vote*, 2nd ed., Brookings, 2001.
"""

from __future__ import annotations

from fundalloc.rounding.cascade import cascade
from fundalloc.rounding.divisor import DIVISORS
from fundalloc.rounding.groups import GroupBox, round_by_groups
from fundalloc.rounding.largest import largest_remainder, largest_remainder_by_group
from fundalloc.rounding.methods import apportion, round_units
from fundalloc.rounding.names import ALIASES, METHODS, NAMES, canonical_method
from fundalloc.rounding.quotas import Quotas, noise, tie_tolerance
from fundalloc.rounding.result import RoundingResult, TieBreak
from fundalloc.rounding.rows import round_with_rows

__all__ = [
    "ALIASES",
    "DIVISORS",
    "METHODS",
    "NAMES",
    "GroupBox",
    "Quotas",
    "RoundingResult",
    "TieBreak",
    "apportion",
    "canonical_method",
    "cascade",
    "largest_remainder",
    "largest_remainder_by_group",
    "noise",
    "round_by_groups",
    "round_units",
    "round_with_rows",
    "tie_tolerance",
]
