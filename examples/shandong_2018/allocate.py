"""Shandong 2018: 3717 万元 of minority development funds across 16 cities (seed 001).

鲁民发〔2018〕47号: "下达时综合考虑少数民族贫困人口规模、贫困发生率、脱贫难度，
按照农村少数民族贫困人口系数、64个已退出建档立卡省定扶贫工作重点民族村发展等因素
进行系数量化分配". The per-city data in
``data.csv`` is synthetic (see README.md); the province totals match the document.

Run:  python examples/shandong_2018/allocate.py [--output FILE.csv] [--explain 城市]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import fundalloc as fa

HERE = Path(__file__).resolve().parent


def load_table() -> fa.RegionTable:
    return fa.read_table(HERE / "data.csv", id="地区")


def build_scheme() -> fa.Scheme:
    poverty = fa.Tranche(
        name="贫困人口因素",
        share=0.7,
        factors=[
            fa.Factor(name="贫困人口规模", rule=fa.Share(column="少数民族贫困人口"), weight=0.35),
            fa.Factor(name="巩固脱贫人口", rule=fa.Share(column="已脱贫享受政策人口"), weight=0.25),
            fa.Factor(
                name="贫困发生率",
                rule=fa.Ratio(numerator="少数民族贫困人口", denominator="农村少数民族人口"),
                weight=0.2,
            ),
            fa.Factor(
                name="脱贫难度",
                # z-scores: more poverty from illness or disability and lower rural income
                # mean harder exits; offset 1 keeps the index positive, what is still below 0
                # is clipped.
                rule=fa.Composite(
                    parts=[
                        fa.Part(column="因病因残致贫占比", weight=0.55),
                        fa.Part(column="农村居民人均可支配收入", weight=0.45, inverse=True),
                    ],
                    normalise="zscore",
                    offset=1.0,
                    negative="clip",
                ),
                weight=0.2,
            ),
        ],
        coefficients=[
            fa.Coefficient(
                name="农村少数民族贫困人口系数",
                rule=fa.Tiered(
                    column="贫困人口档次", tiers={"一档": 1.1, "二档": 1.05, "三档": 1.0}
                ),
            ),
        ],
    )
    villages = fa.Tranche(
        name="重点民族村发展",
        share=0.3,
        factors=[
            fa.Factor(
                name="已退出重点民族村", rule=fa.Share(column="已退出重点民族村"), weight=0.8
            ),
            fa.Factor(name="省扶贫工作重点民族村", rule=fa.Share(column="重点民族村"), weight=0.2),
        ],
    )
    return fa.Scheme(
        name="2018年中央及省少数民族发展资金",
        document="鲁民发〔2018〕47号",
        total=3717,
        unit="万元",
        step=1,
        tranches=[poverty, villages],
        eligibility=[fa.Condition(column="已脱贫享受政策人口", op=">", value=0)],
        bounds=[
            fa.Floor(name="每市保底 60 万元", amount=60),
            fa.Cap(name="单市不超过总额 12%", share=0.12),
        ],
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", help="write the allocation with its breakdown to this CSV file")
    parser.add_argument("--explain", default="济宁市", help="the city to explain (default 济宁市)")
    args = parser.parse_args(argv)

    result = fa.allocate(load_table(), build_scheme())
    print(f"{result.scheme.name}（{result.scheme.document}）：{result.total} {result.scheme.unit}")
    print(f"{'地区':<6}{'测算数':>12}{'分配额':>8}")
    for region, amount in result.amounts.items():
        print(f"{region:<6}{result.targets[region]:>12.4f}{amount:>8}")
    print(f"{'合计':<6}{sum(result.targets.values()):>12.4f}{sum(result.amounts.values()):>8}")
    print()
    print(result.explain(args.explain))
    if args.output:
        result.to_csv(args.output, detail=True)
        print(f"\nwritten: {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
