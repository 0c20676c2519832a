"""Money: exact amounts as Decimal, integer counts of the rounding step, readable numbers.

Amounts are counted in the scheme's unit (万元, 元 …); the rounding *step* (1, 0.1,
0.01 of the unit) turns them into integers: ``units = amount / step``. Only shares
and intermediate targets are floats; every final amount is ``units × step``.
"""

from __future__ import annotations

import math
from decimal import Decimal
from numbers import Integral, Real
from typing import Any

import numpy as np

__all__ = ["exact_decimal", "format_amount", "units_of"]


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
    """A number with its thousands grouped by spaces, at most ``places`` decimals, and no
    needless zeros.

    >>> format_amount(4000)
    '4 000'
    >>> format_amount(Decimal("3717.50"))
    '3 717.5'
    >>> format_amount(1234.56789)
    '1 234.5679'
    >>> format_amount(Decimal("-11.111111111"), 6)
    '-11.111111'
    >>> format_amount(float("inf"))
    'unlimited'
    """
    if isinstance(value, float):
        value = float(value)  # numpy floats repr as "np.float64(...)"
        if value != value or value in (float("inf"), float("-inf")):
            return "unlimited" if value > 0 else str(value)
        value = Decimal(repr(round(value, places)))
    number = Decimal(value)
    if int(number.as_tuple().exponent) < -places:
        number = number.quantize(Decimal(1).scaleb(-places))
    text = f"{number:,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(",", " ")


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
