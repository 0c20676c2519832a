"""Several sources pooled (多条渠道进水、一个龙头出水), each kept to its own uses.

A bureau pools several funds — provincial special funds, city matching funds, funds
integrated from other departments — and splits the pooled total across its regions by
one scheme, but each fund may only pay for the regions (or uses) it is meant for
(渠道不乱、用途不变), and each region's account must say what each fund paid
(各记其功). :func:`allocate_sources` does this in three steps:

1. **Targets.** The scheme's total (which must equal the sum of the sources) is
   allocated by :func:`fundalloc.allocate`; each region's rounded amount is its target.
2. **Region totals.** The money is passed to the regions so that every source that
   may fund at least one region is spent exactly and each region gets its target.
   When the eligibility rules make that impossible, the totals miss their targets by
   as little as possible (the least ``Σ |total − target|``), and the unavoidable
   shortfall or excess is shared in proportion to the targets, as far as the rules
   allow. Every such conflict is reported in :attr:`SourcedAllocation.conflicts`.
3. **Who pays.** Each region's total is split among the sources that may fund it in
   proportion to *source weights*, one per source, chosen so that every source is
   spent exactly: in every region, two sources that may both fund it pay in the same
   ratio. (Where a source must fill some regions completely — say it holds exactly
   what the only regions it may fund need — the other sources pay nothing there.)

Everything is computed in whole units of the scheme's step, in Python integers, so
every source is spent exactly, every region's total is exactly the sum of what the
sources paid, and no source pays a region it may not fund. Only the weights of step 3
are floats; they choose between integer answers but never make one. The order of the
rows never changes the result; ties are broken by region id (code points), then by
the order of the sources.

The package: :mod:`~fundalloc.sources.api` (the sources, :func:`allocate_sources` and
its result), :mod:`~fundalloc.sources.classes` (steps 2 and 3 on classes of regions that
the same sources may fund, and their rounding to whole steps), on the exact integer
flows of :mod:`fundalloc.solvers.flow`.

Examples
--------
>>> import fundalloc as fa
>>> from fundalloc.sources import Source, allocate_sources
>>> table = fa.RegionTable.from_records([
...     {"地区": "甲县", "人口": 50, "民族乡": 1},
...     {"地区": "乙县", "人口": 30, "民族乡": 0},
...     {"地区": "丙县", "人口": 20, "民族乡": 2}], id="地区")
>>> people = fa.Factor(name="人口", rule=fa.Share(column="人口"), weight=1)
>>> scheme = fa.Scheme(total=100, tranches=[fa.Tranche(name="人口", share=1, factors=[people])])
>>> sources = [
...     Source(name="省级", amount=60),
...     Source(name="部门", amount=40,
...               eligibility=[fa.Condition(column="民族乡", op=">", value=0)])]
>>> result = allocate_sources(table, scheme, sources)
>>> {s: {r: int(v) for r, v in paid.items()} for s, paid in result.paid.items()}
{'省级': {'甲县': 21, '乙县': 30, '丙县': 9}, '部门': {'甲县': 29, '乙县': 0, '丙县': 11}}
>>> {r: int(v) for r, v in result.amounts.items()} == {r: int(v) for r, v in
...                                                     result.targets.items()}
True
>>> print(result.explain("丙县"))
丙县：20 万元（测算数 20 万元）
  省级：9 万元（45.00%）
  部门：11 万元（55.00%）
"""

from __future__ import annotations

from fundalloc.sources.api import TEXT, Source, SourcedAllocation, allocate_sources

# the tests reach these two parts of the split directly
from fundalloc.sources.classes import _round_rows as _round_rows
from fundalloc.sources.classes import _solve as _solve

__all__ = ["TEXT", "Source", "SourcedAllocation", "allocate_sources"]
