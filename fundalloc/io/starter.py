"""``fundalloc init``: a starter scheme and data template that ``fundalloc allocate`` runs as written."""

from __future__ import annotations

from pathlib import Path

from fundalloc.errors import DataError, Problem
from fundalloc.io.atomic import write_atomic

__all__ = ["STARTER_DATA", "STARTER_SCHEME", "write_starter"]

STARTER_SCHEME = """\
# 因素法分配方案（fundalloc 方案文件）。Edit the numbers, then: fundalloc allocate scheme.toml
schema_version = 1
name = "2025年某专项资金"          # 资金名称
document = ""                      # 文号，如 某财预〔2025〕1号
total = 1000                       # 总额
unit = "万元"
step = 1                           # 取整单位：1 万元
rounding = "largest_remainder"     # 最大余额法；或 webster、jefferson、half_up

[data]
path = "data.csv"                  # 相对本文件的数据表
id = "地区"

# 只有满足条件的地区参与分配
[[eligibility]]
column = "贫困人口"
op = ">"
value = 0

# 切块一：80% 按因素分配
[[tranches]]
name = "因素分配"
share = 0.8
factors = [
  { name = "贫困人口规模", weight = 0.5, rule = { kind = "share", column = "贫困人口" } },
  { name = "贫困发生率", weight = 0.3, rule = { kind = "ratio", numerator = "贫困人口", denominator = "农村人口" } },
  { name = "财力状况", weight = 0.2, rule = { kind = "inverse", column = "人均财力" } },
]
coefficients = [
  { name = "绩效系数", rule = { kind = "tiered", column = "绩效等次", tiers = { "优秀" = 1.1, "良好" = 1.0, "一般" = 0.9 } } },
]

# 切块二：20% 按重点村个数
[[tranches]]
name = "重点村"
share = 0.2
factors = [{ name = "重点村个数", weight = 1, rule = { kind = "share", column = "重点村" } }]

# 保底与封顶
[[bounds]]
kind = "floor"
name = "每地保底 50 万元"
amount = 50

[[bounds]]
kind = "cap"
name = "单地不超过总额 30%"
share = 0.3
"""

STARTER_DATA = """\
地区,贫困人口,农村人口,人均财力,绩效等次,重点村
甲市,1200,52000,3.1,优秀,8
乙市,300,61000,5.2,良好,2
丙市,800,30000,2.8,良好,6
丁市,150,28000,4.0,一般,1
戊市,2100,90000,2.2,优秀,14
"""


def write_starter(directory: Path) -> list[Path]:
    """Write ``scheme.toml`` and ``data.csv`` into ``directory``; never overwrite a file."""
    for part in (directory, *directory.parents):
        if part.exists() and not part.is_dir():
            raise DataError(
                Problem(
                    str(part),
                    "expected a folder for the starter files",
                    found="a file",
                    hint="name a new or existing folder",
                )
            )
    files = {directory / "scheme.toml": STARTER_SCHEME, directory / "data.csv": STARTER_DATA}
    existing = [p for p in files if p.exists()]
    if existing:
        raise DataError(
            [
                Problem(
                    str(p), "already exists and is not overwritten", hint="choose an empty folder"
                )
                for p in existing
            ]
        )
    directory.mkdir(parents=True, exist_ok=True)
    for path, text in files.items():
        write_atomic(path, text.encode("utf-8-sig" if path.suffix == ".csv" else "utf-8"))
    return list(files)
