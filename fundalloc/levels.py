"""Allocation through several levels: province → cities and 省直管县 → counties, in one call.

The region table has a parent column (``RegionTable(..., parent="上级")``). Regions whose
parent is not itself a region of the table form the top level and share the first
scheme's total. Every region with children then passes its own rounded amount down: its
children share it by the scheme for their level (or a scheme given for that parent),
whose ``total`` is replaced by the parent's amount. Because each split is exact, the
children of every region add up exactly to its amount, at every level.

Examples
--------
>>> import fundalloc as fa
>>> table = fa.RegionTable.from_records([
...     {"地区": "甲市", "上级": "省", "人口": 60},
...     {"地区": "乙市", "上级": "省", "人口": 40},
...     {"地区": "甲一县", "上级": "甲市", "人口": 35},
...     {"地区": "甲二县", "上级": "甲市", "人口": 25},
... ], id="地区", parent="上级")
>>> people = fa.Factor(name="人口", rule=fa.Share(column="人口"), weight=1)
>>> by_population = [fa.Tranche(name="人口", share=1, factors=[people])]
>>> result = fa.allocate_levels(table, [fa.Scheme(total=100, tranches=by_population),
...                                     fa.Scheme(total=1, tranches=by_population)])
>>> {k: int(v) for k, v in result.amounts.items()}
{'甲市': 60, '乙市': 40, '甲一县': 35, '甲二县': 25}
>>> result.children("甲市")
('甲一县', '甲二县')
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from decimal import Decimal

from fundalloc.analysis._progress import Progress, reporter
from fundalloc.errors import DataError, FundallocError, Problem, SchemeError
from fundalloc.i18n import text, tr
from fundalloc.money import format_amount, units_of
from fundalloc.pipeline import allocate
from fundalloc.result import Allocation, RegionBreakdown
from fundalloc.scheme import Scheme
from fundalloc.table import RegionTable
from fundalloc.types import Lang, SolverName

__all__ = ["LevelAllocation", "allocate_levels"]


class LevelAllocation:
    """The result of :func:`allocate_levels`: one :class:`Allocation` per parent.

    Attributes
    ----------
    splits : dict
        Parent id (``None`` for the top level) to the allocation among its children.
    """

    def __init__(
        self,
        table: RegionTable,
        splits: dict[str | None, Allocation],
        depth: dict[str, int],
        unfunded: dict[str, str],
    ) -> None:
        self.table = table
        self.splits = splits
        self._depth = depth
        self._unfunded = unfunded  # child -> its parent, whose amount is 0: nothing to split
        self._split_of = {
            region: parent for parent, split in splits.items() for region in split.amounts
        }

    @property
    def amounts(self) -> dict[str, Decimal]:
        """Every region's amount, in table order (a parent's amount is its children's sum)."""
        return {region: self._amount(region) for region in self.table.ids}

    def _amount(self, region: str) -> Decimal:
        if region in self._unfunded:
            return Decimal(0)
        return self.splits[self._split_of[region]].amounts[region]

    def level(self, region: str) -> int:
        """0 for the top level, 1 for its children, ..."""
        return self._depth[self._known(region)]

    def children(self, region: str | None) -> tuple[str, ...]:
        """The regions that share ``region``'s amount (``None``: the top level)."""
        split = self.splits.get(region if region is None else self._known(region))
        if split is not None:
            return tuple(split.amounts)
        return tuple(child for child, parent in self._unfunded.items() if parent == region)

    def allocation_of(self, region: str) -> Allocation | None:
        """The allocation in which ``region`` got its amount (None: its parent got nothing)."""
        known = self._known(region)
        return None if known in self._unfunded else self.splits[self._split_of[known]]

    @property
    def breakdown(self) -> dict[str, RegionBreakdown]:
        """Every region's breakdown, from the split that gave it its amount."""
        return {region: self._breakdown(region) for region in self.table.ids}

    def _breakdown(self, region: str) -> RegionBreakdown:
        split = self.allocation_of(region)
        return RegionBreakdown(region, Decimal(0), ()) if split is None else split.breakdown[region]

    def explain(self, region: str, *, lang: Lang = "zh") -> str:
        """The account of ``region``'s amount, and of how it was passed down to its children."""
        split = self.allocation_of(region)
        if split is None:
            parent = self._unfunded[region]
            return tr("scheme.levels.unfunded", region=region, parent=parent).render(lang)
        text = split.explain(region, lang=lang)
        below = self.children(region)
        if below:
            split = self.splits[region]
            listed = [f"{child} {format_amount(split.amounts[child])}" for child in below]
            text += "\n  " + tr("scheme.levels.passed_down", children=listed).render(lang)
        return text

    def __repr__(self) -> str:
        top = self.splits[None]
        return (
            f"<LevelAllocation {format_amount(top.total)} {top.scheme.unit} to {len(self.table)} "
            f"regions on {max(self._depth.values()) + 1} levels>"
        )

    def _known(self, region: str) -> str:
        if region not in self._split_of and region not in self._unfunded:
            raise DataError(Problem(region, tr("scheme.levels.no_region")))
        return region


def allocate_levels(
    table: RegionTable,
    levels: Sequence[Scheme],
    *,
    per_parent: Mapping[str, Scheme] | None = None,
    solver: SolverName = "auto",
    progress: bool | None = None,
    callback: Progress | None = None,
) -> LevelAllocation:
    """Allocate down a tree of regions: each parent's amount is split among its children.

    Parameters
    ----------
    table : RegionTable
        All regions of all levels, with a parent column.
    levels : sequence of Scheme
        ``levels[0]`` splits its total among the top-level regions; ``levels[k]`` splits
        each level-(k-1) region's amount among its children (its own ``total`` is
        replaced by that amount, so any positive placeholder will do).
    per_parent : mapping of str to Scheme, optional
        A scheme for the children of one parent, instead of its level's.
    solver : {"auto", "exact", "highs", "cbc"}, default "auto"
        Passed to :func:`fundalloc.allocate`.
    progress : bool, optional
        Show a progress bar of the splits: None (default) when someone watches (a
        notebook, or a terminal on standard error), True always, False never.
    callback : callable, optional
        Called as ``callback(done, total)`` after each split.

    Raises
    ------
    DataError
        No parent column, or a cycle in the parents.
    SchemeError
        A level has children but no scheme, or a parent's amount is not a whole number of
        its children's steps, or the units differ.
    InfeasibleError
        A split cannot hold its bounds; the message names the parent.
    """
    if table.parents is None:
        raise DataError(
            Problem(
                table.source or tr("scheme.place.data"),
                tr("scheme.levels.parent_column"),
                hint=tr("scheme.levels.parent_column_hint"),
            )
        )
    if not levels:
        raise SchemeError(Problem("allocate_levels", tr("scheme.levels.no_scheme")))
    ids, parents = table.ids, table.parents
    position = {region: i for i, region in enumerate(ids)}
    children: dict[str | None, list[int]] = {}
    for i, parent in enumerate(parents):
        children.setdefault(parent if parent in position else None, []).append(i)
    depth = _depths(ids, parents, position, table)
    per_parent = dict(per_parent or {})
    unknown = sorted(set(per_parent) - set(position))
    if unknown:
        raise SchemeError(
            Problem("per_parent", tr("scheme.levels.unknown_parents"), found=", ".join(unknown))
        )
    if None not in children:
        raise DataError(
            Problem(
                table.source or tr("scheme.place.data"),
                tr("scheme.levels.top_level"),
                found=tr("scheme.levels.no_top"),
            )
        )

    splits: dict[str | None, Allocation] = {
        None: allocate(table.take(children[None]), levels[0], solver=solver)
    }
    placed: dict[str, str | None] = dict.fromkeys(splits[None].amounts)  # region -> its split
    unfunded: dict[str, str] = {}
    queue: deque[str] = deque(splits[None].amounts)  # breadth first: a parent before its children
    splitting = 1 + sum(1 for parent in children if parent is not None)  # the top split too
    with reporter(
        splitting, text("common.progress_splits"), progress=progress, callback=callback
    ) as report:
        done = 1
        report(done)
        while queue:
            parent = queue.popleft()
            below = children.get(parent)
            if not below:
                continue
            level = depth[parent] + 1
            scheme = per_parent.get(parent) or (levels[level] if level < len(levels) else None)
            if scheme is None:
                raise SchemeError(
                    Problem(
                        parent,
                        tr("scheme.levels.no_level_scheme", level=level + 1),
                        hint=tr(
                            "scheme.levels.no_level_scheme_hint", count=level + 1, parent=parent
                        ),
                    )
                )
            split = None if parent in unfunded else splits[placed[parent]]
            if (
                split is None or split.amounts[parent] == 0
            ):  # nothing to pass down: descendants get 0
                for i in below:
                    unfunded[ids[i]] = parent
                queue.extend(ids[i] for i in below)
            else:
                amount = split.amounts[parent]
                splits[parent] = _split(
                    table.take(below), scheme, amount, split.scheme, parent, solver
                )
                placed.update(dict.fromkeys(splits[parent].amounts, parent))
                queue.extend(splits[parent].amounts)
            done += 1
            report(done)
    return LevelAllocation(table, splits, depth, unfunded)


def _split(
    sub: RegionTable,
    scheme: Scheme,
    amount: Decimal,
    above: Scheme,
    parent: str,
    solver: SolverName,
) -> Allocation:
    if scheme.unit != above.unit:
        raise SchemeError(
            Problem(
                parent,
                tr("scheme.levels.units", unit=scheme.unit, parent_unit=above.unit),
            )
        )
    if units_of(amount, scheme.step) is None:
        raise SchemeError(
            Problem(
                parent,
                tr(
                    "scheme.levels.step",
                    amount=format_amount(amount),
                    unit=above.unit,
                    step=format_amount(scheme.step),
                ),
            )
        )
    try:
        return allocate(sub, scheme.replace(total=amount), solver=solver)
    except FundallocError as exc:
        problems = [
            Problem(
                tr("scheme.place.children_at", parent=parent, where=p.where)
                if p.where
                else tr("scheme.place.children", parent=parent),
                p.message,
                p.found,
                p.hint,
            )
            for p in exc.problems
        ]
        raise type(exc)(problems) from None


def _depths(
    ids: tuple[str, ...], parents: tuple[str, ...], position: dict[str, int], table: RegionTable
) -> dict[str, int]:
    depth: dict[str, int] = {}
    for start in ids:
        chain: list[str] = []
        region: str | None = start
        while region is not None and region not in depth:
            if region in chain:
                cycle = chain[chain.index(region) :]
                raise DataError(
                    Problem(
                        table.where(position[region], table.parent_column or "parent"),
                        tr("scheme.levels.tree"),
                        found=tr("scheme.levels.cycle", regions=" → ".join([*cycle, region])),
                    )
                )
            chain.append(region)
            parent = parents[position[region]]
            region = parent if parent in position else None
        base = depth[region] + 1 if region is not None else 0
        for k, item in enumerate(reversed(chain)):
            depth[item] = base + k
    return depth
