"""Shandong 2018 one level further down: province → 16 cities → the counties of 济南市 and 济宁市.

The cities are allocated as in allocate.py; each of the two cities then splits its own
rounded amount among its counties (synthetic county data in levels.csv: the county figures
add up to their city's). Children always add up exactly to their parent.

Run:  python examples/shandong_2018/levels.py
"""

from __future__ import annotations

from pathlib import Path

from allocate import build_scheme

import fundalloc as fa

HERE = Path(__file__).resolve().parent


def county_scheme() -> fa.Scheme:
    return fa.Scheme(
        name="县级分配",
        total=1,  # replaced by each city's amount
        tranches=[
            fa.Tranche(
                name="县级因素",
                share=1,
                factors=[
                    fa.Factor(
                        name="贫困人口", rule=fa.Share(column="少数民族贫困人口"), weight=0.7
                    ),
                    fa.Factor(
                        name="已退出重点民族村",
                        rule=fa.Share(column="已退出重点民族村"),
                        weight=0.3,
                    ),
                ],
            )
        ],
        bounds=[fa.Floor(name="每县保底 5 万元", amount=5)],
    )


def main() -> int:
    table = fa.read_table(HERE / "levels.csv", id="地区", kind="类型", parent="上级")
    result = fa.allocate_levels(table, [build_scheme(), county_scheme()])
    amounts = result.amounts
    for city in ("济南市", "济宁市"):
        counties = result.children(city)
        print(f"{city} {amounts[city]} 万元 = " + " + ".join(f"{c} {amounts[c]}" for c in counties))
        assert sum(amounts[c] for c in counties) == amounts[city]
    print()
    print(result.explain("章丘区"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
