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

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fundalloc.bounds import Cap, Floor, GrowthCap, HoldHarmless
    from fundalloc.conditions import Condition
    from fundalloc.constraints import GroupCap, GroupFloor, GroupRatio
    from fundalloc.errors import (
        DataError,
        DependencyError,
        FundallocError,
        InfeasibleError,
        Problem,
        SchemeError,
        SolverError,
    )
    from fundalloc.factors import (
        Coefficient,
        Composite,
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
    from fundalloc.io.schemefile import dump_scheme, load_scheme
    from fundalloc.io.tables import from_dataframe, read_csv, read_table, read_xlsx
    from fundalloc.levels import LevelAllocation, allocate_levels
    from fundalloc.pipeline import allocate
    from fundalloc.result import Allocation, Item, RegionBreakdown
    from fundalloc.rounding import apportion, round_units
    from fundalloc.scheme import Scheme, Tranche
    from fundalloc.sources import Source, SourcedAllocation, allocate_sources
    from fundalloc.table import RegionTable

# Names load on first use (PEP 562), so that ``import fundalloc`` and ``fundalloc --help``
# stay fast: numpy and pydantic are imported only when something needs them.
_LAZY: dict[str, str] = {
    "LevelAllocation": "fundalloc.levels",
    "allocate_levels": "fundalloc.levels",
    "dump_scheme": "fundalloc.io.schemefile",
    "from_dataframe": "fundalloc.io.tables",
    "load_scheme": "fundalloc.io.schemefile",
    "read_csv": "fundalloc.io.tables",
    "read_table": "fundalloc.io.tables",
    "read_xlsx": "fundalloc.io.tables",
    "Allocation": "fundalloc.result",
    "Cap": "fundalloc.bounds",
    "Coefficient": "fundalloc.factors",
    "Composite": "fundalloc.factors",
    "Condition": "fundalloc.conditions",
    "DataError": "fundalloc.errors",
    "DependencyError": "fundalloc.errors",
    "Factor": "fundalloc.factors",
    "Floor": "fundalloc.bounds",
    "FundallocError": "fundalloc.errors",
    "Group": "fundalloc.factors",
    "GroupCap": "fundalloc.constraints",
    "GroupFloor": "fundalloc.constraints",
    "GroupRatio": "fundalloc.constraints",
    "GrowthCap": "fundalloc.bounds",
    "HoldHarmless": "fundalloc.bounds",
    "InfeasibleError": "fundalloc.errors",
    "Inverse": "fundalloc.factors",
    "Item": "fundalloc.result",
    "Max": "fundalloc.factors",
    "Min": "fundalloc.factors",
    "Part": "fundalloc.factors",
    "Problem": "fundalloc.errors",
    "Product": "fundalloc.factors",
    "Quota": "fundalloc.factors",
    "Ratio": "fundalloc.factors",
    "RegionBreakdown": "fundalloc.result",
    "RegionTable": "fundalloc.table",
    "Scheme": "fundalloc.scheme",
    "SchemeError": "fundalloc.errors",
    "Share": "fundalloc.factors",
    "SolverError": "fundalloc.errors",
    "Term": "fundalloc.factors",
    "Tiered": "fundalloc.factors",
    "Tranche": "fundalloc.scheme",
    "allocate": "fundalloc.pipeline",
    "allocate_sources": "fundalloc.sources",
    "Source": "fundalloc.sources",
    "SourcedAllocation": "fundalloc.sources",
    "apportion": "fundalloc.rounding",
    "round_units": "fundalloc.rounding",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'fundalloc' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__version__ = "0.1.0"

__all__ = [
    "Allocation",
    "Cap",
    "Coefficient",
    "Composite",
    "Condition",
    "DataError",
    "DependencyError",
    "Factor",
    "Floor",
    "FundallocError",
    "Group",
    "GroupCap",
    "GroupFloor",
    "GroupRatio",
    "GrowthCap",
    "HoldHarmless",
    "InfeasibleError",
    "Inverse",
    "Item",
    "LevelAllocation",
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
    "Source",
    "SourcedAllocation",
    "Term",
    "Tiered",
    "Tranche",
    "__version__",
    "allocate",
    "allocate_levels",
    "allocate_sources",
    "apportion",
    "dump_scheme",
    "from_dataframe",
    "load_scheme",
    "read_csv",
    "read_table",
    "read_xlsx",
    "round_units",
]
