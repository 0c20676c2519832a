"""Exact integer flows: a max-flow network, feasible flows with bounds, and a circulation
changed one unit at a time along residual paths and cycles, all in Python integers.

Used by pooled sources (:mod:`fundalloc.sources`) to find the min cuts of the class
decomposition and to round flows to whole steps while a feasible flow remains. The
strongly connected components of a residual graph are scipy's
(:func:`scipy.sparse.csgraph.connected_components` with ``connection="strong"``): they need
no capacities. The max flow is our own (:class:`Network`): scipy's
:func:`~scipy.sparse.csgraph.maximum_flow` truncates capacities to int32.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import numpy as np
import numpy.typing as npt

__all__ = ["Arc", "Circulation", "Network", "components", "feasible_flow", "floor"]


#: An arc with bounds: tail, head, lower bound, upper bound (None: none).
Arc = tuple[int, int, int, int | None]


def floor(x: Fraction) -> int:
    """``⌊x⌋`` of a Fraction, in integers."""
    return x.numerator // x.denominator


class Circulation:
    """A flow with bounds on its arcs, changed only along paths and cycles of the residual
    graph, one unit or more at a time (Python integers: exact)."""

    def __init__(self, nodes: int, arcs: list[Arc], flows: list[int]) -> None:
        self.tail = [u for u, _, _, _ in arcs]
        self.head = [v for _, v, _, _ in arcs]
        self.lo = [lo for _, _, lo, _ in arcs]
        self.hi = [hi for _, _, _, hi in arcs]
        self.flow = list(flows)
        self.touching: list[list[int]] = [[] for _ in range(nodes)]
        for e, (u, v, _, _) in enumerate(arcs):
            self.touching[u].append(e)
            self.touching[v].append(e)

    def fix(self, e: int) -> None:
        """Hold arc ``e`` at its flow from now on."""
        self.lo[e] = self.hi[e] = self.flow[e]

    def push(self, e: int) -> bool:
        """One unit more on arc ``e``, around a cycle through it (False: there is none)."""
        hi = self.hi[e]
        path = self._path(self.head[e], self.tail[e], e)
        if path is None or (hi is not None and self.flow[e] >= hi):
            return False
        self._augment([*path, (e, 1)], 1)
        return True

    def move(self, start: int, end: int) -> bool:
        """One unit along a residual path from node ``start`` to node ``end`` (False: there
        is none)."""
        path = self._path(start, end, -1)
        if path is None:
            return False
        self._augment(path, 1)
        return True

    def _path(self, start: int, end: int, skip: int) -> list[tuple[int, int]] | None:
        """A shortest residual path (arcs with their direction), by breadth-first search."""
        came: dict[int, tuple[int, int]] = {start: (-1, 0)}
        queue = [start]
        for x in queue:
            if x == end:
                break
            for a in self.touching[x]:
                if a == skip:
                    continue
                hi = self.hi[a]
                if self.tail[a] == x and (hi is None or self.flow[a] < hi):
                    y, direction = self.head[a], 1
                elif self.head[a] == x and self.flow[a] > self.lo[a]:
                    y, direction = self.tail[a], -1
                else:
                    continue
                if y not in came:
                    came[y] = (a, direction)
                    queue.append(y)
        if end not in came or start == end:
            return None
        path = []
        y = end
        while y != start:
            a, direction = came[y]
            path.append((a, direction))
            y = self.tail[a] if direction > 0 else self.head[a]
        return path

    def _augment(self, path: list[tuple[int, int]], step: int) -> None:
        for a, direction in path:
            self.flow[a] += direction * step


def feasible_flow(
    nodes: int, arcs: list[tuple[int, int, int, int | None]], source: int, sink: int
) -> list[int] | None:
    """A flow from ``source`` to ``sink`` with every arc ``(u, v, lo, hi)`` carrying between
    lo and hi (None: unbounded), as one flow per arc; None when there is none. The usual
    reduction of lower bounds to a max flow, in Python integers."""
    if any(hi is not None and hi < lo for _, _, lo, hi in arcs):
        return None
    big = 1 + sum(lo + (hi or 0) for _, _, lo, hi in arcs)
    graph = Network(nodes + 2)
    start, end = nodes, nodes + 1
    excess = [0] * nodes
    ids = []
    for u, v, lo, hi in arcs:
        ids.append(graph.add(u, v, (big if hi is None else hi) - lo))
        excess[v] += lo
        excess[u] -= lo
    graph.add(sink, source, big)
    need = 0
    for v, x in enumerate(excess):
        if x > 0:
            graph.add(start, v, x)
            need += x
        elif x < 0:
            graph.add(v, end, -x)
    if graph.max_flow(start, end) != need:
        return None
    return [lo + graph.flow(e) for (_, _, lo, _), e in zip(arcs, ids, strict=True)]


class Network:
    """A flow network with integer capacities (Dinic's algorithm); exact at any size.

    Our own, not :func:`scipy.sparse.csgraph.maximum_flow`: scipy's takes the capacities
    as an int32 matrix, so a capacity above 2**31 − 1 (21 474 836.47 万元 in cents, or a
    scaled capacity ``q · amount`` of the sources' min cuts) does not fit, while these
    capacities are Python integers of any size.

    Examples
    --------
    >>> net = Network(3)
    >>> first, second = net.add(0, 1, 2**40 + 1), net.add(1, 2, 2**40)
    >>> net.max_flow(0, 2) == 2**40, net.flow(first) == 2**40
    (True, True)
    """

    def __init__(self, nodes: int) -> None:
        self.adjacent: list[list[int]] = [[] for _ in range(nodes)]
        self.head: list[int] = []
        self.residual: list[int] = []  # arc e and its reverse e ^ 1

    def add(self, u: int, v: int, capacity: int) -> int:
        e = len(self.head)
        self.head += [v, u]
        self.residual += [capacity, 0]
        self.adjacent[u].append(e)
        self.adjacent[v].append(e + 1)
        return e

    def flow(self, e: int) -> int:
        return self.residual[e ^ 1]

    def reachable(self, source: int) -> list[bool]:
        seen = [False] * len(self.adjacent)
        seen[source] = True
        todo = [source]
        while todo:
            u = todo.pop()
            for e in self.adjacent[u]:
                v = self.head[e]
                if self.residual[e] > 0 and not seen[v]:
                    seen[v] = True
                    todo.append(v)
        return seen

    def max_flow(self, source: int, sink: int) -> int:
        total = 0
        while True:
            level = self._levels(source)
            if level[sink] < 0:
                return total
            pointer = [0] * len(self.adjacent)
            while pushed := self._augment(source, sink, level, pointer):
                total += pushed

    def _levels(self, source: int) -> list[int]:
        level = [-1] * len(self.adjacent)
        level[source] = 0
        queue = [source]
        for u in queue:
            for e in self.adjacent[u]:
                v = self.head[e]
                if self.residual[e] > 0 and level[v] < 0:
                    level[v] = level[u] + 1
                    queue.append(v)
        return level

    def _augment(self, source: int, sink: int, level: list[int], pointer: list[int]) -> int:
        path: list[int] = []
        u = source
        while True:
            if u == sink:
                pushed = min(self.residual[e] for e in path)
                for e in path:
                    self.residual[e] -= pushed
                    self.residual[e ^ 1] += pushed
                return pushed
            arcs = self.adjacent[u]
            while pointer[u] < len(arcs):
                e = arcs[pointer[u]]
                if self.residual[e] > 0 and level[self.head[e]] == level[u] + 1:
                    break
                pointer[u] += 1
            else:
                if u == source:
                    return 0
                level[u] = -1  # a dead end: never again in this phase
                e = path.pop()
                u = self.head[e ^ 1]
                pointer[u] += 1
                continue
            path.append(arcs[pointer[u]])
            u = self.head[arcs[pointer[u]]]


def components(nodes: int, tails: Sequence[int], heads: Sequence[int]) -> npt.NDArray[np.int32]:
    """Strongly connected components of the directed graph with arcs ``tails[j] →
    heads[j]``: a component number per node (scipy's, ``connection="strong"``; the
    numbers themselves mean nothing, only which nodes share one).

    >>> labels = components(4, [0, 1, 2], [1, 0, 3]).tolist()
    >>> labels[0] == labels[1], len(set(labels))
    (True, 3)
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    ones = np.ones(len(tails), dtype=np.int8)
    graph = coo_matrix((ones, (np.asarray(tails), np.asarray(heads))), shape=(nodes, nodes))
    _, labels = connected_components(graph.tocsr(), directed=True, connection="strong")
    out: npt.NDArray[np.int32] = np.asarray(labels, dtype=np.int32)
    return out
