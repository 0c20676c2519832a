"""A walkthrough of the analysis tools on the Shandong 2018 scheme (鲁民发〔2018〕47号).

Run from the repository root::

    python examples/walkthrough/analysis.py            # prints each step
    python examples/walkthrough/analysis.py --plots out/   # also writes the four plots

It is the script twin of a notebook, executed by ``tests/test_examples.py``: every number it
prints comes from the library, so when the library changes, the walkthrough shows it.
"""

from __future__ import annotations

import argparse
from decimal import Decimal
from pathlib import Path

import numpy as np

import fundalloc as fa
from fundalloc.analysis import calibrate, compare, fairness, multiyear, sensitivity, weights

HERE = Path(__file__).resolve().parent
SHANDONG = HERE.parent / "shandong_2018"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plots", type=Path, help="write the plots (PNG) into this folder")
    args = parser.parse_args(argv)

    loaded = fa.load_scheme(SHANDONG / "scheme.toml")
    scheme = loaded.scheme
    table = fa.read_table(SHANDONG / "data.csv", id="地区")
    base = fa.allocate(table, scheme)
    print(f"1. 基准分配 baseline: {base.total} {scheme.unit} to {len(base.amounts)} cities")

    # 2. which weight moves which city: analytic derivatives (万元 per unit of weight)
    slopes = sensitivity.derivatives(base)
    label = slopes.labels[0]
    steepest = max(slopes.ids, key=lambda r: abs(slopes.of(r)[label]))
    print(
        f"2. 导数 derivatives: «{label}» moves {steepest} most, "
        f"{slopes.of(steepest)[label]:+.1f} 万元 per unit of weight "
        f"({slopes.status[slopes.ids.index(steepest)]})"
    )

    # 3. a tornado for one city: each weight ±20 %
    rows = sensitivity.tornado(base, region="菏泽市", change=0.2)
    widest = max(rows, key=lambda label: abs(rows[label][1] - rows[label][0]))
    low, high = rows[widest]
    print(f"3. 龙卷风图 tornado for 菏泽市: widest swing {widest}: {low:.1f} .. {high:.1f} 万元")

    # 4. Monte Carlo on the weights: 10 % relative noise, 500 draws
    mc = sensitivity.monte_carlo_weights(base, draws=500, noise=0.1, seed=2018)
    band = mc.band("菏泽市")
    print(
        f"4. 蒙特卡洛 Monte Carlo: 菏泽市 5-95% band {band[5]:.1f} .. {band[95]:.1f} "
        f"(median {band[50]:.1f}); median Spearman {float(np.median(mc.spearman)):.3f}"
    )

    # 5. where weights could come from: the entropy method on the four poverty indicators
    columns = [
        "少数民族贫困人口",
        "已脱贫享受政策人口",
        "因病因残致贫占比",
        "农村居民人均可支配收入",
    ]
    entropy = weights.entropy_weights(table, columns, negative=["农村居民人均可支配收入"])
    shown = ", ".join(f"{c} {w:.3f}" for c, w in entropy.weights.items())
    print(f"5. 熵权法 entropy weights: {shown}")
    ahp = weights.ahp_weights([[1, 2, 3], [0.5, 1, 2], [1 / 3, 0.5, 1]], ["规模", "巩固", "难度"])
    print(
        f"   层次分析法 AHP: CR = {ahp.consistency_ratio:.4f}, weights "
        + ", ".join(f"{n} {w:.3f}" for n, w in ahp.weights.items())
    )

    # 6. calibration: recover the first tranche's weights from its published amounts
    first = base.scheme.tranches[0]
    published = {
        region: sum(
            (item.amount for item in breakdown.items if item.tranche == first.name),
            Decimal(0),
        )
        for region, breakdown in base.breakdown.items()
    }
    fit = calibrate.calibrate(table, scheme, published, tranche=first.name)
    print(
        "6. 反推权重 calibration: "
        + ", ".join(f"{n} {w:.3f}" for n, w in fit.weights.items())
        + f"; R² {fit.r_squared:.4f}, largest deviation {fit.max_abs_deviation:.3f} 万元"
    )

    # 7. compare: the same scheme with other weights for the first tranche's four factors
    # (an illustration, not a recommendation)
    alternative = weights.with_weights(
        scheme,
        {"贫困人口规模": 0.4, "巩固脱贫人口": 0.3, "贫困发生率": 0.15, "脱贫难度": 0.15},
        tranche=first.name,
    )
    change = compare.compare(base, fa.allocate(table, alternative))
    gain, loss = change.largest_gain, change.largest_loss
    assert gain is not None and loss is not None
    print(
        f"7. 方案比较 comparison: {len(change.gainers)} gain, {len(change.losers)} lose; "
        f"largest gain {gain.region} {gain.difference:+} 万元, largest loss {loss.region} "
        f"{loss.difference:+} 万元"
    )

    # 8. fairness per rural minority resident
    f = fairness.fairness(base, "农村少数民族人口")
    print(
        f"8. 公平性 fairness per resident: Gini {f.gini:.3f}, Theil {f.theil:.3f}, "
        f"CV {f.cv:.3f}, HHI of shares {f.hhi:.3f}"
    )

    # 9. three years with 5 % budget growth from an older allocation (last year's amounts:
    # here the baseline scaled to 95 %), no city losing cash and at most +20 % a year
    last_year = {r: a * Decimal("0.95") for r, a in base.amounts.items()}
    sim = multiyear.simulate(table, scheme, 3, growth=0.05, start=last_year, pace=0.2)
    print(
        "9. 多年模拟 three years: budgets "
        + ", ".join(str(y.budget) for y in sim.years)
        + f"; years to converge: {sim.years_to_converge}"
    )

    if args.plots:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        from fundalloc import plots

        font = plots.cjk_font()  # region names are Chinese: use a CJK font when one is installed
        if font is not None:
            matplotlib.rcParams["font.family"] = [font]
        args.plots.mkdir(parents=True, exist_ok=True)
        for name, draw in (
            ("contributions", lambda ax: plots.contributions(base, ax=ax)),
            ("waterfall", lambda ax: plots.waterfall(base, "菏泽市", ax=ax)),
            ("lorenz", lambda ax: plots.lorenz(fairness.lorenz(base, "农村少数民族人口"), ax=ax)),
            ("tornado", lambda ax: plots.tornado(rows, base=float(base.amounts["菏泽市"]), ax=ax)),
        ):
            figure, ax = plt.subplots(figsize=(8, 5))
            draw(ax)
            figure.savefig(args.plots / f"{name}.png", dpi=80)
            plt.close(figure)
        print(f"plots written to {args.plots}")


if __name__ == "__main__":
    main()
