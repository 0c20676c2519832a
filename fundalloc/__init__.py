"""fundalloc: the factor method (因素法) for splitting a fixed public budget across regions.

Indicators become weighted shares, coefficients adjust them, floors and caps bound
them with one common proportional multiplier, and money is rounded to a unit with
the total kept exact. Every amount is explained by the trace of the allocation.

>>> import fundalloc as fa
>>> table = fa.RegionTable.from_columns({"id": ["a", "b"], "poor": [3, 1]}, id="id")
>>> scheme = fa.Scheme(total=10, tranches=[fa.Tranche(name="all", share=1, factors=[
...     fa.Factor(name="poor", rule=fa.Share(column="poor"), weight=1)])])
>>> fa.allocate(table, scheme).amounts
{'a': Decimal('8'), 'b': Decimal('2')}
"""

from fundalloc.allocate import allocate
from fundalloc.bounds import Cap, Floor, GrowthCap, HoldHarmless
from fundalloc.errors import (
    DataError,
    FundallocError,
    InfeasibleError,
    Problem,
    SchemeError,
    SolverError,
)
from fundalloc.factors import (
    Coefficient,
    Composite,
    Condition,
    Factor,
    Group,
    Inverse,
    Max,
    Min,
    Part,
    Product,
    Quota,
    Ratio,
    Share,
    Term,
    Tiered,
)
from fundalloc.result import Allocation, Item, RegionBreakdown
from fundalloc.rounding import apportion, round_units
from fundalloc.scheme import Scheme, Tranche
from fundalloc.table import RegionTable

__version__ = "0.1.0"

__all__ = [
    "Allocation",
    "Cap",
    "Coefficient",
    "Composite",
    "Condition",
    "DataError",
    "Factor",
    "Floor",
    "FundallocError",
    "Group",
    "GrowthCap",
    "HoldHarmless",
    "InfeasibleError",
    "Inverse",
    "Item",
    "Max",
    "Min",
    "Part",
    "Problem",
    "Product",
    "Quota",
    "Ratio",
    "RegionBreakdown",
    "RegionTable",
    "Scheme",
    "SchemeError",
    "Share",
    "SolverError",
    "Term",
    "Tiered",
    "Tranche",
    "__version__",
    "allocate",
    "apportion",
    "round_units",
]
