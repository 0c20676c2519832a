"""Pooled sources, steps 2 and 3 (:mod:`fundalloc.sources`): the class totals and who
pays, in whole steps.

Regions that the same sources may fund form a *class*: within a class they are
interchangeable, so the flow problems are posed on classes (at most 2**m − 1 of them for m
sources) and each class's amounts are split among its regions at the end, by the one
largest-remainder rule of :mod:`fundalloc.rounding.largest`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np

from fundalloc.errors import Problem, SolverError
from fundalloc.i18n import Message, tr
from fundalloc.money import format_amount

if TYPE_CHECKING:
    pass

from fundalloc.rounding.largest import (
    ExactQuotas,
    largest_remainder,
    remainder_order,
    split_in_proportion,
)
from fundalloc.rounding.quotas import tie_tolerance
from fundalloc.solvers.flow import Arc, Circulation, Network, components, feasible_flow, floor


@dataclass(frozen=True)
class _Conflict:
    """A group of regions tied to a group of sources, whose targets cannot all be met."""

    kind: str  # "unspendable", "unfunded", "short", "over", "over_zero"
    regions: tuple[int, ...]  # canonical positions
    sources: tuple[int, ...]
    money: int  # whole steps the sources can pay into the regions
    target: int  # whole steps the regions' targets add up to
    others: tuple[int, ...] = ()  # further sources that may fund the regions

    def problem(self, names: list[str], ids: list[str], step: Decimal, unit: str) -> Problem:
        def money(units: int) -> str:
            return f"{format_amount(units * step, 10)} {unit}"

        def listed(items: Sequence[str]) -> Message | str:
            if len(items) > 10:
                return tr("rounding.sources.more", listed=list(items[:10]), count=len(items) - 10)
            if len(items) == 1:
                return items[0]
            return tr("rounding.sources.list_end", items=list(items[:-1]), last=items[-1])

        regions = listed([ids[i] for i in self.regions]) if self.regions else ""
        sources = listed([names[s] for s in self.sources]) if self.sources else ""
        one = len(self.regions) == 1
        if self.kind == "unspendable":
            return Problem(
                tr("rounding.sources.place.source_list", names=sources),
                tr("rounding.sources.unspendable", money=money(self.money)),
                hint=tr("rounding.sources.unspendable_hint"),
            )
        if self.kind == "unfunded":
            key = "rounding.sources.unfunded_one" if one else "rounding.sources.unfunded"
            return Problem(regions, tr(key, money=money(self.target)))
        ratio = f"{self.money / self.target:.2%}" if self.target else ""
        if self.kind == "short":
            elsewhere: Message | str = (
                tr("rounding.sources.elsewhere", sources=listed([names[s] for s in self.others]))
                if self.others
                else ""
            )
            key = (
                "rounding.sources.conflict_short_one" if one else "rounding.sources.conflict_short"
            )
            return Problem(
                regions,
                tr(
                    key,
                    target=money(self.target),
                    money=money(self.money),
                    sources=sources,
                    elsewhere=elsewhere,
                    ratio=ratio,
                ),
            )
        if self.kind == "over":
            key = "rounding.sources.over_one" if one else "rounding.sources.over_many"
            return Problem(
                sources,
                tr(
                    key,
                    money=money(self.money),
                    regions=regions,
                    target=money(self.target),
                    ratio=ratio,
                ),
            )
        return Problem(
            sources,
            tr("rounding.sources.over_zero", money=money(self.money), regions=regions),
        )


@dataclass(frozen=True)
class _Solution:
    units: list[list[int]]  # [source][region], canonical region order
    conflicts: list[_Conflict]


def _solve(amounts: list[int], eligible: list[list[bool]], targets: list[int]) -> _Solution:
    """The source × region amounts in whole steps (regions in canonical order)."""
    m, n = len(amounts), len(targets)
    conflicts: list[_Conflict] = []
    may = np.array(eligible, dtype=bool).reshape(m, n)
    spendable = [s for s in range(m) if amounts[s] > 0 and may[s].any()]
    for s in range(m):
        if amounts[s] > 0 and not may[s].any():
            conflicts.append(_Conflict("unspendable", (), (s,), amounts[s], 0))

    # each region's class: the set of spendable sources that may fund it, as packed bits;
    # classes in order of their first region
    bits = np.packbits(may[spendable].T, axis=1) if spendable else np.zeros((n, 1), np.uint8)
    _, first, class_of = np.unique(bits, axis=0, return_index=True, return_inverse=True)
    class_of = np.asarray(class_of).reshape(-1)
    rank = np.empty(len(first), dtype=np.intp)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first))
    class_of = rank[class_of]
    signatures: list[tuple[int, ...]] = [()] * len(first)
    for k, i in zip(rank.tolist(), first.tolist(), strict=True):
        signatures[k] = tuple(s for s in spendable if may[s, i])
    t = np.array(targets, dtype=np.int64 if max(targets, default=0) < 2**62 else object)
    if () in signatures:  # regions no source may fund: left out of the classes
        empty = signatures.index(())
        unfunded = np.flatnonzero((class_of == empty) & (t > 0)).tolist()
        if unfunded:
            target = sum(targets[i] for i in unfunded)
            conflicts.append(_Conflict("unfunded", tuple(unfunded), (), 0, target))
        keep = np.arange(len(signatures)) != empty
        renumber = np.cumsum(keep) - 1
        class_of = np.where(class_of == empty, -1, renumber[class_of])
        signatures.pop(empty)
    classes = signatures
    funded = np.flatnonzero(class_of >= 0)
    index = funded[np.argsort(class_of[funded], kind="stable")]  # by class, then position
    sizes = np.bincount(class_of[funded], minlength=len(classes)).astype(np.intp)
    starts = np.cumsum(sizes) - sizes
    members = np.split(index, starts[1:]) if len(classes) else []
    problem = _Classes(
        amounts,
        classes,
        [sum(targets[i] for i in group.tolist()) for group in members],
        sizes.tolist(),
        spendable,
    )
    totals, groups = problem.totals()
    for conflict in problem.conflicts(groups):
        regions = sorted(i for k in conflict.regions for i in members[k].tolist())
        conflicts.append(dataclasses.replace(conflict, regions=tuple(regions)))
    pay = problem.payers(totals)

    # each class's total among its regions, then each source's part of it, source by
    # source (the last source paying a class takes what is left): the one rule
    room = split_in_proportion(totals, t[index], sizes) if len(index) else np.zeros(0, np.int64)
    units = np.zeros((m, n), dtype=room.dtype)
    payers = [[p for p in signature if pay[p][k] > 0] for k, signature in enumerate(classes)]
    for s in range(m):
        paying = [k for k in range(len(classes)) if s in payers[k]]
        for last in (True, False):
            chosen = [k for k in paying if (payers[k][-1] == s) == last]
            if not chosen:
                continue
            at = np.concatenate([np.arange(starts[k], starts[k] + sizes[k]) for k in chosen])
            if last:
                part = room[at]
            else:
                part = split_in_proportion([pay[s][k] for k in chosen], room[at], sizes[chosen])
            units[s, index[at]] = part
            room[at] -= part
    return _Solution(units.tolist(), conflicts)


@dataclass(frozen=True)
class _Group:
    """Classes that share one ratio of total to weight in the lexicographically optimal split."""

    classes: tuple[int, ...]
    sources: tuple[int, ...]
    ratio: Fraction
    by_count: bool  # the weights were region counts (the classes' targets are all 0)


class _Classes:
    """The flow problem on classes: sources with amounts, classes with targets and sizes."""

    def __init__(
        self,
        amounts: list[int],
        classes: list[tuple[int, ...]],
        targets: list[int],
        sizes: list[int],
        spendable: list[int],
    ) -> None:
        self.amounts = amounts
        self.classes = classes
        self.targets = targets
        self.sizes = sizes
        self.spendable = spendable
        self.split: dict[tuple[int, int], int] = {}  # a feasible source × class flow

    # --------------------------------------------------------- step 2: class totals
    def totals(self) -> tuple[list[int], list[_Group]]:
        """Whole-step totals per class: every spendable source spent, the totals as close to
        the targets as possible and the rest shared in proportion to them."""
        if not self.classes:
            return [], []
        remaining = list(range(len(self.classes)))
        alive = set(self.spendable)
        groups = self._groups(remaining, alive, self.targets, by_count=False)
        if remaining:  # every class left has a target of 0: share what is left by head count
            groups += self._groups(remaining, alive, self.sizes, by_count=True)
        exact = [Fraction(0)] * len(self.classes)
        group_of = [0] * len(self.classes)
        for g, group in enumerate(groups):
            weights = self.sizes if group.by_count else self.targets
            for k in group.classes:
                exact[k] = group.ratio * weights[k]
                group_of[k] = g
        # a network: 0 → source s (its amount) → class k (no limit) → group g → 1, where
        # each group's total is exact (it is what its sources hold) and each class's total
        # is rounded down or up from its exact value
        m, c = len(self.amounts), len(self.classes)
        pairs = self._pairs()
        arcs: list[Arc] = [(2 + s, 2 + m + k, 0, None) for s, k in pairs]
        arcs += [(0, 2 + s, self.amounts[s], self.amounts[s]) for s in self.spendable]
        for group_index, group in enumerate(groups):
            total = sum((exact[k] for k in group.classes), Fraction(0))
            assert total.denominator == 1  # a group's total is what its sources hold
            arcs.append((2 + m + c + group_index, 1, int(total), int(total)))
        entries = [(2 + m + k, 2 + m + c + group_of[k]) for k in range(c)]
        totals, flows = _round_on(2 + m + c + len(groups), arcs, entries, exact)
        self.split = dict(zip(pairs, flows, strict=False))
        return totals, groups

    def _groups(
        self, remaining: list[int], alive: set[int], weights: list[int], *, by_count: bool
    ) -> list[_Group]:
        """Peel off the classes with the smallest ratio of reachable money to weight (the
        decomposition algorithm for a lexicographically optimal base, with Dinkelbach's
        iteration and a min cut for each ratio). Stops when the weights left are all 0."""
        groups = []
        while remaining:
            weight = sum(weights[k] for k in remaining)
            if weight == 0:
                break
            ratio = Fraction(sum(self.amounts[s] for s in self._touching(remaining, alive)), weight)
            while True:
                chosen, money = self._tightest(remaining, alive, weights, ratio)
                chosen_weight = sum(weights[k] for k in chosen)
                if money - ratio * chosen_weight >= 0:
                    break
                ratio = Fraction(money, chosen_weight)
            used = self._touching(chosen, alive)
            groups.append(_Group(tuple(chosen), tuple(sorted(used)), ratio, by_count))
            taken = set(chosen)
            remaining[:] = [k for k in remaining if k not in taken]
            alive -= used
        return groups

    def _touching(self, classes: Sequence[int], alive: set[int]) -> set[int]:
        return {s for k in classes for s in self.classes[k] if s in alive}

    def _tightest(
        self, remaining: list[int], alive: set[int], weights: list[int], ratio: Fraction
    ) -> tuple[list[int], int]:
        """The largest set C of classes minimising money(C) − ratio · weight(C), where
        money(C) is what the sources still alive that may fund C hold; and money(C)."""
        p, q = ratio.numerator, ratio.denominator
        sources = sorted(alive)
        node = {s: 2 + j for j, s in enumerate(sources)}
        first = 2 + len(sources)
        graph = Network(first + len(remaining))
        big = 1 + q * sum(self.amounts[s] for s in sources) + p * sum(weights)
        for s in sources:
            graph.add(0, node[s], q * self.amounts[s])
        for j, k in enumerate(remaining):
            graph.add(first + j, 1, p * weights[k])
            for s in self.classes[k]:
                if s in alive:
                    graph.add(node[s], first + j, big)
        graph.max_flow(0, 1)
        seen = graph.reachable(0)
        chosen = [k for j, k in enumerate(remaining) if not seen[first + j]]
        return chosen, sum(self.amounts[s] for s in self._touching(chosen, alive))

    def _pairs(self) -> list[tuple[int, int]]:
        return [(s, k) for k in range(len(self.classes)) for s in self.classes[k]]

    def conflicts(self, groups: list[_Group]) -> list[_Conflict]:
        """The groups whose totals miss their targets (regions: class indices)."""
        out = []
        for group in groups:
            weights = self.sizes if group.by_count else self.targets
            money = group.ratio * sum(weights[k] for k in group.classes)
            target = sum(self.targets[k] for k in group.classes)
            if group.by_count:
                if not money:
                    continue
                kind = "over_zero"
            elif group.ratio == 1:
                continue
            else:
                kind = "short" if group.ratio < 1 else "over"
            others = {s for k in group.classes for s in self.classes[k]} - set(group.sources)
            out.append(
                _Conflict(
                    kind, group.classes, group.sources, int(money), target, tuple(sorted(others))
                )
            )
        return out

    # --------------------------------------------------------- step 3: who pays
    def payers(self, totals: list[int]) -> list[list[int]]:
        """Per source, per class: the whole steps it pays, in proportion to source weights."""
        m, c = len(self.amounts), len(self.classes)
        pay = [[0] * c for _ in range(m)]
        for sources, classes in _blocks(self.spendable, self.classes, totals, self.split):
            pattern = [[s for s in self.classes[k] if s in sources] for k in classes]
            if len(sources) == 1:
                for k in classes:
                    pay[sources[0]][k] = totals[k]
                continue
            shares = _proportions(
                [totals[k] for k in classes],
                [self.amounts[s] for s in sources],
                [[s in may for s in sources] for may in pattern],
            )
            row = {s: j for j, s in enumerate(sources)}
            exact = [
                [Fraction(totals[k]) * Fraction(float(shares[j, row[s]])) for s in may]
                for j, (k, may) in enumerate(zip(classes, pattern, strict=True))
            ]
            paid = _round_rows(
                [self.amounts[s] for s in sources],
                [[row[s] for s in may] for may in pattern],
                exact,
                [totals[k] for k in classes],
            )
            for k, may, parts in zip(classes, pattern, paid, strict=True):
                for s, x in zip(may, parts, strict=True):
                    pay[s][k] = x
        return pay


def _blocks(
    spendable: list[int],
    classes: list[tuple[int, ...]],
    totals: list[int],
    flows: Mapping[tuple[int, int], int],
) -> list[tuple[list[int], list[int]]]:
    """The sources and classes that trade with each other: strongly connected components
    of the residual graph of a feasible split (arcs source → class where the source may
    fund it, class → source where it pays it). A source pays a class in some exact split
    exactly when both are in one component."""
    funded = [k for k in range(len(classes)) if totals[k] > 0]
    nodes = [("s", s) for s in spendable] + [("c", k) for k in funded]
    index = {v: j for j, v in enumerate(nodes)}
    tails: list[int] = []
    heads: list[int] = []
    for k in funded:
        for s in classes[k]:
            tails.append(index["s", s])
            heads.append(index["c", k])
            if flows.get((s, k), 0) > 0:
                tails.append(index["c", k])
                heads.append(index["s", s])
    component = components(len(nodes), tails, heads).tolist()
    blocks: dict[int, tuple[list[int], list[int]]] = {}
    for j, (kind, v) in enumerate(nodes):
        block = blocks.setdefault(component[j], ([], []))
        (block[0] if kind == "s" else block[1]).append(v)
    return list(blocks.values())


def _proportions(totals: list[int], amounts: list[int], may: list[list[bool]]) -> np.ndarray:
    """Shares ``π[k, s]`` of class k's total paid by source s, ``π = w_s / Σ_{r may} w_r``,
    with weights such that every source is spent: Newton's method on the convex dual
    ``Σ_k t_k log Σ_{s may} e^{u_s} − Σ_s a_s u_s`` (``w = e^u``, one weight pinned)."""
    t = np.array(totals, dtype=np.float64)
    t /= t.sum()
    a = np.array(amounts, dtype=np.float64)
    a /= a.sum()
    mask = np.array(may, dtype=bool)
    m = len(amounts)

    def evaluate(u: np.ndarray) -> tuple[float, np.ndarray]:
        z = np.where(mask, u[None, :], -np.inf)
        top = z.max(axis=1)
        e = np.where(mask, np.exp(z - top[:, None]), 0.0)
        size = e.sum(axis=1)
        value = float((t * (top + np.log(size))).sum() - (a * u).sum())
        return value, e / size[:, None]

    u = np.zeros(m)
    value, shares = evaluate(u)
    for _ in range(200):
        paid = (shares * t[:, None]).sum(axis=0)
        gradient = paid - a
        if float(np.abs(gradient).max()) <= 1e-15:
            break
        weighted = shares * t[:, None]
        hessian = np.diag(paid) - (weighted[:, :, None] * shares[:, None, :]).sum(axis=0)
        direction = np.zeros(m)
        direction[1:] = np.linalg.lstsq(hessian[1:, 1:], -gradient[1:], rcond=None)[0]
        slope = float((gradient * direction).sum())
        if slope >= 0:
            break
        size = 1.0
        while True:
            trial, trial_shares = evaluate(u + size * direction)
            if trial <= value + 1e-4 * size * slope or size < 1e-12:
                break
            size /= 2
        if trial > value:
            break
        u, value, shares = u + size * direction, trial, trial_shares
    return shares


# ---------------------------------------------------------------------- rounding


def _round_on(
    nodes: int, arcs: list[Arc], entries: list[tuple[int, int]], exact: Sequence[Fraction]
) -> tuple[list[int], list[int]]:
    """Whole-step flows on the ``entries`` arcs, each the floor or the ceiling of its exact
    value, such that the network (0 → … → 1, with ``arcs``) still has a feasible flow: the
    largest fractional parts are rounded up first as long as a feasible flow remains, in
    the order of the one largest-remainder rule
    (:func:`~fundalloc.rounding.largest.remainder_order`; the values are exact rationals,
    so equal parts are equal exactly and go to the earlier entry). Returns the entries'
    flows and the flows of ``arcs``."""
    boxed = arcs + [(u, v, floor(x), -floor(-x)) for (u, v), x in zip(entries, exact, strict=True)]
    flows = feasible_flow(nodes, boxed, 0, 1)
    if flows is None:  # cannot happen: the exact values are a feasible flow
        raise SolverError(Problem("", tr("rounding.sources.no_flow")))
    network = Circulation(nodes, boxed, flows)
    whole = {j for j, x in enumerate(exact) if x.denominator == 1}
    for j in (j for j in remainder_order(exact, Fraction(0)) if j not in whole):
        e = len(arcs) + j
        if network.flow[e] == network.lo[e]:
            network.push(e)  # around a cycle, if there is one
        network.fix(e)
    return network.flow[len(arcs) :], network.flow[: len(arcs)]


def _round_rows(
    amounts: list[int], pattern: list[list[int]], exact: list[list[Fraction]], totals: list[int]
) -> list[list[int]]:
    """A whole-step matrix (one row per class, over the sources in ``pattern``) next to
    ``exact``, with every class total and every source amount exact.

    Each class's total is split by the one largest-remainder rule on its exact parts (parts
    within :func:`~fundalloc.rounding.tie_tolerance` of the class's total count as equal,
    as the float weights make them inexact; ties to the earlier source); then units are
    moved from sources that pay too much to sources that pay too little along alternating
    paths (one entry up, another in the same class down, …), every entry kept at the floor
    or the ceiling of its exact value — or, if the float weights were too inexact for
    that, anywhere from 0 up."""
    centred = []
    for x, total in zip(exact, totals, strict=True):
        whole = sum(x, Fraction(0))
        centred.append(
            [total * v / whole for v in x] if whole else [Fraction(total, len(x))] * len(x)
        )
    parts = []
    for x, total in zip(centred, totals, strict=True):
        size = len(x)
        rounded = largest_remainder(
            ExactQuotas.of(x),
            total,
            np.zeros(size, dtype=np.int64),
            np.full(size, total, dtype=np.int64),
            tolerance=tie_tolerance(total),
            by_amount=False,
        )
        parts.append([int(u) for u in rounded.units.tolist()])
    a = len(amounts)
    paid = [0] * a
    for may, p in zip(pattern, parts, strict=True):
        for s, f in zip(may, p, strict=True):
            paid[s] += f
    under = [s for s in range(a) for _ in range(max(amounts[s] - paid[s], 0))]
    over = [s for s in range(a) for _ in range(max(paid[s] - amounts[s], 0))]
    for loose in (False, True):
        arcs: list[Arc] = [
            (s, a + k, 0, None) if loose else (s, a + k, floor(v), -floor(-v))
            for k, (may, x) in enumerate(zip(pattern, centred, strict=True))
            for s, v in zip(may, x, strict=True)
        ]
        network = Circulation(a + len(totals), arcs, [f for p in parts for f in p])
        if all(network.move(low, high) for low, high in zip(under, over, strict=True)):
            flat = iter(network.flow)
            return [[next(flat) for _ in may] for may in pattern]
    raise SolverError(Problem("", tr("rounding.sources.no_split")))
