"""Shandong 2018: 200 training places (培训群众200人, seed 001) across the cities.

Places are indivisible, so they are apportioned with a divisor method: Webster
(Sainte-Laguë) by default, with every city taking part getting at least one place.
The script also shows what D'Hondt (Jefferson) and largest remainder would give.

Run:  python examples/shandong_2018/training_places.py [--method webster]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import fundalloc as fa

HERE = Path(__file__).resolve().parent


def build_scheme(method: str = "webster") -> fa.Scheme:
    return fa.Scheme(
        name="2018年民族镇村农业实用技术培训名额",
        total=200,
        unit="人",
        step=1,
        tranches=[
            fa.Tranche(
                name="培训名额",
                share=1,
                factors=[
                    fa.Factor(
                        name="少数民族贫困人口",
                        rule=fa.Share(column="少数民族贫困人口"),
                        weight=0.5,
                    ),
                    fa.Factor(
                        name="已脱贫享受政策人口",
                        rule=fa.Share(column="已脱贫享受政策人口"),
                        weight=0.5,
                    ),
                ],
            )
        ],
        eligibility=[fa.Condition(column="已脱贫享受政策人口", op=">", value=0)],
        bounds=[fa.Floor(name="每市至少 1 人", amount=1)],
        rounding=method,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--method",
        default="webster",
        help="webster (default), jefferson, huntington_hill, adams or largest_remainder",
    )
    args = parser.parse_args(argv)
    table = fa.read_table(HERE / "data.csv", id="地区")
    methods = dict.fromkeys([args.method, "jefferson", "largest_remainder"])
    results = {m: fa.allocate(table, build_scheme(m)) for m in methods}
    print("200 training places; floor of one place per city taking part")
    print(f"{'地区':<6}{'exact':>9}" + "".join(f"{m:>19}" for m in methods))
    main_result = results[args.method]
    for region in table.ids:
        print(
            f"{region:<6}{main_result.targets[region]:>9.3f}"
            + "".join(f"{int(results[m].amounts[region]):>19}" for m in methods)
        )
    print(
        f"{'合计':<6}{200:>9}"
        + "".join(f"{int(sum(r.amounts.values())):>19}" for r in results.values())
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
