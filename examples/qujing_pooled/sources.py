"""曲靖: three funds pooled for the minority areas of nine counties, each fund kept to its uses.

Seed 000 (曲靖市民宗委) names the funds: 省级民族专项资金, 市财政配套资金 and the funds of
other departments integrated (整合各级各部门资金); seed 004 names the rule, "多条渠道进水、
一个龙头出水 … 渠道不乱、用途不变、统筹安排、集中投入、各记其功". The county data in
``data.csv`` and the amounts below are synthetic (see README.md).

Run:  python examples/qujing_pooled/sources.py [--explain 县] [--lang en]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import fundalloc as fa
from fundalloc.sources import Source, SourcedAllocation, allocate_sources

HERE = Path(__file__).resolve().parent


def load_table() -> fa.RegionTable:
    return fa.read_table(HERE / "data.csv", id="地区")


def build_sources() -> list[Source]:
    return [
        # the province's special funds may go to every county
        Source(name="省级专项资金", amount=1450),
        # the city's matching funds follow the counties of its action plan (a list of ids)
        Source(
            name="市级配套资金",
            amount=310,
            regions=["沾益区", "陆良县", "师宗县", "罗平县", "会泽县"],
        ),
        # the departments' funds are integrated only for counties with ethnic townships
        Source(
            name="部门整合资金",
            amount=640,
            eligibility=[fa.Condition(column="民族乡", op=">", value=0)],
        ),
    ]


def build_scheme(total: int) -> fa.Scheme:
    factors = fa.Tranche(
        name="因素分配",
        share=0.8,
        factors=[
            fa.Factor(
                name="少数民族贫困人口", rule=fa.Share(column="少数民族贫困人口"), weight=0.4
            ),
            fa.Factor(name="贫困民族村委会", rule=fa.Share(column="贫困民族村委会"), weight=0.35),
            fa.Factor(name="民族行政村", rule=fa.Share(column="民族行政村"), weight=0.25),
        ],
    )
    villages = fa.Tranche(
        name="示范创建",
        share=0.2,
        factors=[fa.Factor(name="市级示范村", rule=fa.Share(column="市级示范村"), weight=1)],
    )
    return fa.Scheme(
        name="曲靖市少数民族发展资金（统筹整合）",
        total=total,
        unit="万元",
        tranches=[factors, villages],
        bounds=[fa.Floor(name="每县保底 60 万元", amount=60)],
    )


def allocate() -> SourcedAllocation:
    sources = build_sources()
    total = sum(int(s.amount) for s in sources)
    return allocate_sources(load_table(), build_scheme(total), sources)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--explain", default="会泽县", help="the county to explain (会泽县)")
    parser.add_argument("--lang", default="zh", choices=["zh", "en"])
    args = parser.parse_args(argv)

    result = allocate()
    names = [s.name for s in result.sources]
    scheme = result.allocation.scheme
    print(f"{scheme.name}：{scheme.total} {scheme.unit}")
    print("\t".join(["地区", "测算数", *names, "合计"]))
    for row in result.to_records():
        cells = [row["target"], *(row[n] for n in names), row["amount"]]
        print("\t".join([row["地区"], *map(str, cells)]))
    sums = [sum(result.targets.values()), *result.spent.values(), sum(result.amounts.values())]
    print("\t".join(["合计", *map(str, sums)]))
    print()
    print(result.explain(args.explain, lang=args.lang))
    for problem in result.conflicts:
        print(f"! {problem}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
