"""Why did our amount change? Each region's change split exactly into its causes.

Between two allocations (two years, or two schemes for the same year), a region's change
``after − before`` is split into the parts due to

``total``
    the budget (the scheme's total);
``data``
    the region data (the table, with the scheme's derived columns);
``weights``
    the formula: tranche shares, fixed amounts and quotas, factor weights and rules,
    eligibility (everything in the tranches but the coefficients);
``coefficients``
    the tranches' adjustment coefficients;
``bounds``
    floors, caps and group constraints;
``rounding``
    the change of the rounding effect (the rounded amount minus the amount before rounding).

The first five are measured on the amounts before rounding (the bounded amounts of the
trace) of *hybrid* allocations: the scheme and data of ``before`` with some parts taken from
``after``. The **sequential** decomposition switches the parts one at a time in
:data:`ORDER` (total, data, weights, coefficients, bounds) and gives each part the change its
switch makes; its result depends on that order, which is why the order is recorded in the
result. The **Shapley** decomposition gives each part its average effect over every order
(``5! = 120`` orders, computed from the ``2^5 = 32`` hybrids), so that no part is favoured by
coming first.

Exactness: the amounts before rounding are binary floats, taken as the exact rationals they
are; each of the five parts is rounded to a millionth of the step (as the breakdown's items
are) so that its regions add up to its exact total rounded (largest remainders), and
``rounding`` is the rest, so that the parts of a region add up to its change exactly,
to the unit, in Decimal.

A hybrid can be impossible (``after``'s floors with ``before``'s smaller total): the
decomposition then says which hybrid, and the sequential one suggests another order.

>>> import fundalloc as fa
>>> from fundalloc.analysis.decompose import decompose
>>> table = fa.RegionTable.from_columns({"地区": ["甲", "乙"], "人口": [30, 10]}, id="地区")
>>> factors = (fa.Factor(name="人口", weight=1, rule=fa.Share(column="人口")),)
>>> scheme = fa.Scheme(total=100, tranches=(fa.Tranche(name="因素", share=1, factors=factors),))
>>> before = fa.allocate(table, scheme)
>>> after = fa.allocate(table.with_column("人口", [20, 20]), scheme.replace(total=120))
>>> d = decompose(before, after)
>>> d["甲"].parts
{'total': Decimal('15'), 'data': Decimal('-30'), 'weights': Decimal('0'),
 'coefficients': Decimal('0'), 'bounds': Decimal('0'), 'rounding': Decimal('0')}
>>> d["甲"].change, sum(d["甲"].parts.values())
(Decimal('-15'), Decimal('-15'))
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import MAX_PREC, Decimal, localcontext
from fractions import Fraction
from itertools import combinations
from typing import TYPE_CHECKING, Any, Literal

from fundalloc.errors import FundallocError, InfeasibleError, Problem, SchemeError
from fundalloc.i18n import Message, text, tr
from fundalloc.money import format_amount
from fundalloc.optional import require

if TYPE_CHECKING:
    from fundalloc.result import Allocation
    from fundalloc.scheme import Scheme, Tranche
    from fundalloc.table import RegionTable

__all__ = ["ORDER", "PARTS", "Decomposition", "RegionDecomposition", "decompose"]

Part = Literal["total", "data", "weights", "coefficients", "bounds"]

#: The order of the sequential decomposition: each part is switched from ``before`` to
#: ``after`` in this order.
ORDER: tuple[Part, ...] = ("total", "data", "weights", "coefficients", "bounds")

#: Every part of a change, the rounding last.
PARTS: tuple[str, ...] = (*ORDER, "rounding")

_PART_NAMES = {
    "total": "analysis.decompose_part_total",
    "data": "analysis.decompose_part_data",
    "weights": "analysis.decompose_part_weights",
    "coefficients": "analysis.decompose_part_coefficients",
    "bounds": "analysis.decompose_part_bounds",
    "rounding": "analysis.decompose_part_rounding",
}


_METHOD_NAMES = {
    "sequential": "analysis.decompose_method_sequential",
    "shapley": "analysis.decompose_method_shapley",
}


def part_name(part: str) -> Message:
    """The readable name of a part, in the reader's language (总额, 数据, 权重, …)."""
    return tr(_PART_NAMES[part])


@dataclass(frozen=True)
class RegionDecomposition:
    """One region's change and its parts (keys :data:`PARTS`), adding up to it exactly.

    ``before`` / ``after`` are None for a region in one allocation only (its amount on the
    other side counts as 0).
    """

    region: str
    before: Decimal | None
    after: Decimal | None
    parts: dict[str, Decimal]

    @property
    def change(self) -> Decimal:
        """``after − before``, exactly (a missing side counts as 0)."""
        return (self.after or Decimal(0)) - (self.before or Decimal(0))


@dataclass(frozen=True)
class Decomposition:
    """The result of :func:`decompose`: every region's change split into its parts.

    Attributes
    ----------
    method : {"sequential", "shapley"}
    order : tuple of str
        The order the parts were switched in (sequential), or :data:`ORDER` (Shapley, whose
        result does not depend on it).
    unit : str
    regions : tuple of RegionDecomposition
        In the order of ``before``'s table, then the regions only in ``after``.
    """

    method: Literal["sequential", "shapley"]
    order: tuple[str, ...]
    unit: str
    regions: tuple[RegionDecomposition, ...]

    def __getitem__(self, region: str) -> RegionDecomposition:
        for item in self.regions:
            if item.region == region:
                return item
        raise SchemeError(Problem(region, tr("analysis.no_such_region")))

    def __iter__(self) -> Iterator[RegionDecomposition]:
        return iter(self.regions)

    def __len__(self) -> int:
        return len(self.regions)

    @property
    def totals(self) -> dict[str, Decimal]:
        """Each part summed over the regions (the total's own change, split)."""
        return {part: sum((r.parts[part] for r in self.regions), Decimal(0)) for part in PARTS}

    def to_records(self) -> list[dict[str, Any]]:
        """One mapping per region: ``region``, ``before``, ``after``, ``change`` and one key
        per part (Decimal amounts)."""
        return [
            {
                "region": r.region,
                "before": r.before,
                "after": r.after,
                "change": r.change,
                **r.parts,
            }
            for r in self.regions
        ]

    def to_xlsx(self, path: str | os.PathLike[str]) -> None:
        """Write the decomposition to an XLSX file, atomically: one row per region with a
        SUM column checking that the parts add up to the change, and a 合计 row
        (:func:`fundalloc.io.decomposition.write_xlsx`; the ``excel`` extra)."""
        from fundalloc.io.decomposition import write_xlsx

        write_xlsx(self, path)

    def to_dataframe(self, *, library: Literal["pandas", "polars"] = "pandas") -> Any:
        """The records as a pandas or polars DataFrame with numeric (float64) amounts and
        column names in the reader's language."""
        module = require(library, library)
        names = {
            "region": text("analysis.decompose_region"),
            "before": text("analysis.compare_before"),
            "after": text("analysis.compare_after"),
            "change": text("analysis.decompose_change"),
            **{part: str(part_name(part)) for part in PARTS},
        }
        columns: dict[str, list[Any]] = {name: [] for name in names.values()}
        for record in self.to_records():
            for key, value in record.items():
                number = value if key == "region" or value is None else float(value)
                columns[names[key]].append(math.nan if value is None else number)
        return module.DataFrame(columns)

    def __str__(self) -> str:
        method = text(_METHOD_NAMES[self.method])
        lines = [
            text("analysis.decompose_head", method=method, order=[part_name(p) for p in self.order])
        ]
        totals = self.totals
        lines.append(
            text(
                "analysis.decompose_total_line",
                change=_signed(sum(totals.values(), Decimal(0))),
                unit=self.unit,
                parts=[
                    tr(
                        "analysis.decompose_part_amount",
                        part=part_name(p),
                        amount=_signed(totals[p]),
                    )
                    for p in PARTS
                ],
            )
        )
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        from html import escape

        head = "".join(
            f"<th>{escape(h)}</th>"
            for h in (
                text("analysis.decompose_region"),
                text("analysis.decompose_change"),
                *(str(part_name(p)) for p in PARTS),
            )
        )
        rows = []
        for r in self.regions[:20]:
            cells = [r.region, _signed(r.change), *(_signed(r.parts[p]) for p in PARTS)]
            rows.append(
                "<tr>"
                + "".join(
                    f"<td style='text-align:{'left' if k == 0 else 'right'}'>{escape(c)}</td>"
                    for k, c in enumerate(cells)
                )
                + "</tr>"
            )
        more = len(self.regions) - 20
        if more > 0:
            note = escape(text("analysis.decompose_more", count=more))
            rows.append(f"<tr><td colspan='{len(PARTS) + 2}'>{note}</td></tr>")
        caption = escape(str(self).splitlines()[0])
        return (
            f"<table><caption style='text-align:left'>{caption}</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        )


def _signed(amount: Decimal) -> str:
    sign = "+" if amount > 0 else "−" if amount < 0 else "±"
    return sign + format_amount(abs(amount), 6)


# ---------------------------------------------------------------------------- hybrids
def _paths(
    tranches: Sequence[Tranche], prefix: tuple[str, ...] = ()
) -> dict[tuple[str, ...], Tranche]:
    out: dict[tuple[str, ...], Tranche] = {}
    for t in tranches:
        path = (*prefix, t.name)
        out[path] = t
        out.update(_paths(t.tranches, path))
    return out


def _with_coefficients(
    tranches: Sequence[Tranche],
    coefficients: Mapping[tuple[str, ...], tuple[Any, ...]],
    prefix: tuple[str, ...] = (),
) -> tuple[Tranche, ...]:
    return tuple(
        t.replace(
            coefficients=coefficients.get((*prefix, t.name), ()),
            tranches=_with_coefficients(t.tranches, coefficients, (*prefix, t.name)),
        )
        for t in tranches
    )


class _Sides:
    """The two allocations' parts, and the hybrid made of a chosen set of ``after``'s parts."""

    def __init__(self, before: Allocation, after: Allocation) -> None:
        self.before, self.after = before, after
        a, b = before.scheme, after.scheme
        if a.unit != b.unit:
            raise SchemeError(
                Problem(
                    tr("analysis.decompose_unit"),
                    tr("analysis.decompose_same_unit"),
                    found=f"{a.unit} → {b.unit}",
                )
            )
        self.paths = (_paths(a.tranches), _paths(b.tranches))
        self.coefficients = tuple(
            {p: t.coefficients for p, t in paths.items() if t.coefficients} for paths in self.paths
        )
        if self.coefficients[0] != self.coefficients[1] and set(self.paths[0]) != set(
            self.paths[1]
        ):
            only = ["/".join(p) for p in sorted(set(self.paths[0]) ^ set(self.paths[1]))]
            raise SchemeError(
                Problem(
                    tr("analysis.decompose_coefficients"),
                    tr("analysis.decompose_tranches_differ"),
                    found=", ".join(only),
                    hint=tr("analysis.decompose_tranches_differ_hint"),
                )
            )
        # The largest step that divides both totals and both steps, for the hybrids: their
        # amounts before rounding do not depend on it, and every total is a whole number of it.
        numbers = (a.total, b.total, a.step, b.step)
        places = max(-min(int(x.normalize().as_tuple().exponent), 0) for x in numbers)
        common = math.gcd(*(int(x.scaleb(places)) for x in numbers))
        self.step = Decimal(common).scaleb(-places)
        self.cache: dict[frozenset[str], dict[str, Fraction]] = {}

    def scheme(self, switched: frozenset[str]) -> Scheme:
        a, b = self.before.scheme, self.after.scheme
        formula = b if "weights" in switched else a
        coefficients = self.coefficients[1 if "coefficients" in switched else 0]
        bounds = b if "bounds" in switched else a
        data = b if "data" in switched else a
        return formula.replace(
            total=(b if "total" in switched else a).total,
            step=self.step,
            rounding="largest_remainder",
            derived=data.derived,
            tranches=_with_coefficients(formula.tranches, coefficients),
            bounds=bounds.bounds,
            constraints=bounds.constraints,
        )

    def table(self, switched: frozenset[str]) -> RegionTable:
        return (self.after if "data" in switched else self.before).table

    def bounded(self, switched: frozenset[str]) -> dict[str, Fraction]:
        """Region id to its amount before rounding, exactly, for the hybrid ``switched``."""
        if switched in self.cache:
            return self.cache[switched]
        if not switched:
            values = _bounded(self.before)
        elif switched == frozenset(ORDER):
            values = _bounded(self.after)
        else:
            from fundalloc.pipeline import allocate

            try:
                values = _bounded(allocate(self.table(switched), self.scheme(switched)))
            except FundallocError as error:
                raise InfeasibleError(
                    [
                        Problem(
                            tr("analysis.decompose_hybrid"),
                            tr(
                                "analysis.decompose_hybrid_failed",
                                parts=[part_name(p) for p in ORDER if p in switched],
                            ),
                            hint=tr("analysis.decompose_hybrid_hint"),
                        ),
                        *error.problems,
                    ]
                ) from error
        self.cache[switched] = values
        return values


def _bounded(allocation: Allocation) -> dict[str, Fraction]:
    trace = allocation.trace
    return {
        region: Fraction(float(value))
        for region, value in zip(trace.ids, trace.bounded.tolist(), strict=True)
    }


def decompose(
    before: Allocation,
    after: Allocation,
    *,
    method: Literal["sequential", "shapley"] = "sequential",
    order: Sequence[str] = ORDER,
) -> Decomposition:
    """Split every region's change from ``before`` to ``after`` into its causes, exactly.

    Parameters
    ----------
    before, after : Allocation
        The two allocations (two years, or two schemes); they must have the same unit.
    method : {"sequential", "shapley"}, default "sequential"
        ``sequential``: switch the parts from ``before`` to ``after`` one at a time in
        ``order``, each part getting the change its switch makes. ``shapley``: each part's
        average effect over every order (the Shapley value), which does not depend on the
        order.
    order : sequence of str, default :data:`ORDER`
        A permutation of :data:`ORDER`, for the sequential method.

    Returns
    -------
    Decomposition
        Per region, the parts ``total``, ``data``, ``weights``, ``coefficients``,
        ``bounds`` and ``rounding``, adding up to its change exactly.

    Raises
    ------
    SchemeError
        Different units, an unknown method or order, or coefficients that cannot be told
        apart from the weights (the tranches differ and so do the coefficients).
    InfeasibleError
        A hybrid allocation is impossible; the message names it.
    """
    if method not in ("sequential", "shapley"):
        raise SchemeError(
            Problem(
                "method",
                tr("analysis.expected_one_of", names=["'sequential'", "'shapley'"]),
                found=repr(method),
            )
        )
    chosen = tuple(order)
    if sorted(chosen) != sorted(ORDER):
        raise SchemeError(
            Problem(
                "order",
                tr("analysis.decompose_expected_order", parts=list(ORDER)),
                found=repr(chosen),
            )
        )
    sides = _Sides(before, after)
    first, second = before.amounts, after.amounts
    regions = [*first, *(r for r in second if r not in first)]
    zero = Fraction(0)

    if method == "sequential":
        effects: dict[str, dict[str, Fraction]] = {}
        switched: frozenset[str] = frozenset()
        previous = sides.bounded(switched)
        for part in chosen:
            switched = switched | {part}
            now = sides.bounded(switched)
            effects[part] = {r: now.get(r, zero) - previous.get(r, zero) for r in regions}
            previous = now
    else:
        effects = {part: dict.fromkeys(regions, zero) for part in ORDER}
        m = len(ORDER)
        for part in ORDER:
            others = [p for p in ORDER if p != part]
            for size in range(m):
                weight = Fraction(
                    math.factorial(size) * math.factorial(m - size - 1), math.factorial(m)
                )
                for subset in combinations(others, size):
                    without = sides.bounded(frozenset(subset))
                    with_part = sides.bounded(frozenset((*subset, part)))
                    for r in regions:
                        effects[part][r] += weight * (with_part.get(r, zero) - without.get(r, zero))

    quantum = before.scheme.step.min(after.scheme.step).scaleb(-6)
    rounded = {part: _round_column(effects[part], quantum) for part in ORDER}
    out = []
    for r in regions:
        amount_before, amount_after = first.get(r), second.get(r)
        change = (amount_after or Decimal(0)) - (amount_before or Decimal(0))
        parts: dict[str, Decimal] = {part: rounded[part][r] for part in ORDER}
        parts["rounding"] = _tidy(change - sum(parts.values(), Decimal(0)))
        ordered = {p: parts[p] for p in PARTS}
        out.append(RegionDecomposition(r, amount_before, amount_after, ordered))
    return Decomposition(
        method=method,
        order=chosen if method == "sequential" else ORDER,
        unit=after.scheme.unit,
        regions=tuple(out),
    )


def _round_column(effects: Mapping[str, Fraction], quantum: Decimal) -> dict[str, Decimal]:
    """One part's exact effects, region by region, in whole quanta that add up to the
    exact sum of the effects rounded to a quantum (half to even).

    Each effect is first rounded down; the quanta still missing go to the largest remainders
    (equal remainders: the earlier region). Every region's part is then within a quantum of
    its exact effect, and a part that cancels over the regions (the data moving money
    between regions under the same total) sums to exactly 0, instead of showing the
    regions' separate roundings as a change of the total.
    """
    step = Fraction(quantum)
    quotas = {r: e / step for r, e in effects.items()}
    floors = {r: math.floor(q) for r, q in quotas.items()}
    target = round(sum(quotas.values(), Fraction(0)))  # Python rounds Fractions half to even
    missing = target - sum(floors.values())
    by_remainder = sorted(quotas, key=lambda r: -(quotas[r] - floors[r]))  # stable: ties in order
    for r in by_remainder[:missing]:
        floors[r] += 1
    with localcontext(prec=MAX_PREC):  # exact products, whatever their size
        return {r: _tidy(Decimal(units) * quantum) for r, units in floors.items()}


def _tidy(amount: Decimal) -> Decimal:
    """``amount`` without needless zeros (``0.0`` as ``0``, ``1.50`` as ``1.5``)."""
    if amount == amount.to_integral_value():
        return amount.quantize(Decimal(1))
    return amount.normalize()
