"""Money: exact amounts as Decimal, integer counts of the rounding step, readable numbers.

Amounts are counted in the scheme's unit (万元, 元 …); the rounding *step* (1, 0.1,
0.01 of the unit) turns them into integers: ``units = amount / step``. Only shares
and intermediate targets are floats; every final amount is ``units × step``.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from numbers import Integral, Real
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["exact_decimal", "exact_sum", "format_amount", "units_of"]

# mantissas are split in two halves of this many bits, so that the halves of up to 2**26
# floats add up exactly in binary64 (|half| < 2**27, sum < 2**53)
_HALF = 26
_CHUNK = 2**25


def units_of(amount: Decimal, step: Decimal) -> int | None:
    """``amount / step`` when it is a whole number, else None.

    >>> units_of(Decimal("3717"), Decimal("1"))
    3717
    >>> units_of(Decimal("3717.5"), Decimal("1")) is None
    True
    """
    quotient = amount / step
    if quotient != quotient.to_integral_value():
        return None
    return int(quotient)


def format_amount(value: Decimal | float | int, places: int = 4) -> str:
    """A number with its thousands grouped by commas as Chinese tables write them, at most
    ``places`` decimals, and no needless zeros; an infinite bound is "不限" ("unlimited" in
    English, :mod:`fundalloc.i18n`).

    >>> format_amount(4000)
    '4,000'
    >>> format_amount(Decimal("3717.50"))
    '3,717.5'
    >>> format_amount(1234.56789)
    '1,234.5679'
    >>> format_amount(Decimal("-11.111111111"), 6)
    '-11.111111'
    >>> format_amount(float("inf"))
    'unlimited'
    """
    if isinstance(value, float):
        value = float(value)  # numpy floats repr as "np.float64(...)"
        if value != value or value in (float("inf"), float("-inf")):
            if value > 0:
                from fundalloc.i18n import text as _text

                return _text("common.unlimited")
            return str(value)
        value = Decimal(repr(round(value, places)))
    number = Decimal(value)
    if int(number.as_tuple().exponent) < -places:
        number = number.quantize(Decimal(1).scaleb(-places))
    text = f"{number:,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def exact_decimal(value: Any) -> Decimal | None:
    """The exact Decimal of a finite number (floats by their shortest form); None otherwise.

    Examples
    --------
    >>> exact_decimal(0.1), exact_decimal(3), exact_decimal(float("nan")), exact_decimal("1")
    (Decimal('0.1'), Decimal('3'), None, None)
    """
    if isinstance(value, bool | np.bool_):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, Integral):
        return Decimal(int(value))
    if isinstance(value, Real):
        number = float(value)
        return Decimal(repr(number)) if math.isfinite(number) else None
    return None


def exact_sum(values: npt.ArrayLike) -> Fraction:
    """The exact sum of finite floats, as a Fraction (no rounding at all).

    Every float is an integer mantissa times a power of two; the mantissas are summed
    exactly per exponent (in two halves, vectorised) and the few per-exponent sums are
    combined in Python integers, so the cost is O(n) in numpy whatever the spread of
    magnitudes (subnormals included).

    Raises
    ------
    ValueError
        If a value is not finite.

    Examples
    --------
    >>> exact_sum([0.1, 0.2]) == Fraction(0.1) + Fraction(0.2)
    True
    >>> exact_sum([1e308, 1e308, -1e308]) == Fraction(1e308)
    True
    >>> exact_sum([5e-324, 1.0]) - 1 == Fraction(1, 2**1074)
    True
    """
    x = np.asarray(values, dtype=np.float64).ravel()
    if not np.isfinite(x).all():
        raise ValueError("exact_sum needs finite values")
    x = x[x != 0]
    if x.size == 0:
        return Fraction(0)
    mantissa, exponent = np.frexp(x)
    whole = np.ldexp(mantissa, 53).astype(np.int64)  # exact: |whole| < 2**53
    high, low = whole >> _HALF, whole & ((1 << _HALF) - 1)
    least = int(exponent.min())
    where = exponent - least  # at most about 2100 levels: no sort needed
    size = int(where.max()) + 1
    sums = [0] * size
    for start in range(0, x.size, _CHUNK):  # each chunk's float sums are exact
        part = slice(start, start + _CHUNK)
        h = np.bincount(where[part], weights=high[part], minlength=size)
        lo = np.bincount(where[part], weights=low[part], minlength=size)
        for level in np.flatnonzero((h != 0) | (lo != 0)).tolist():
            sums[level] += (int(h[level]) << _HALF) + int(lo[level])
    bottom = least - 53
    numerator = sum(value << level for level, value in enumerate(sums) if value)
    return Fraction(numerator) * Fraction(2) ** bottom
