"""``fundalloc init``: a starter scheme and data template that ``fundalloc allocate`` runs as written."""

from __future__ import annotations

import re
from pathlib import Path

from fundalloc.errors import DataError, Problem
from fundalloc.i18n import tr
from fundalloc.io.atomic import write_atomic
from fundalloc.types import Lang

__all__ = ["STARTER_DATA", "STARTER_SCHEME", "starter_scheme", "write_starter"]

_TEMPLATE = """\
# @title
schema_version = 1
name = "2025年某专项资金"          # @name
document = ""                      # @document
total = 1000                       # @total
unit = "万元"
step = 1                           # @step
rounding = "largest_remainder"     # @rounding

[data]
path = "data.csv"                  # @path
id = "地区"

# @eligibility
[[eligibility]]
column = "贫困人口"
op = ">"
value = 0

# @tranche_factors
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

# @tranche_villages
[[tranches]]
name = "重点村"
share = 0.2
factors = [{ name = "重点村个数", weight = 1, rule = { kind = "share", column = "重点村" } }]

# @bounds
[[bounds]]
kind = "floor"
name = "每地保底 50 万元"
amount = 50

[[bounds]]
kind = "cap"
name = "单地不超过总额 30%"
share = 0.3
"""

#: The comment of each ``@mark`` of the template, from the catalogue.
_COMMENTS = {
    "title": "scheme.starter.title",
    "name": "scheme.starter.name",
    "document": "scheme.starter.document",
    "total": "scheme.starter.total",
    "step": "scheme.starter.step",
    "rounding": "scheme.starter.rounding",
    "path": "scheme.starter.path",
    "eligibility": "scheme.starter.eligibility",
    "tranche_factors": "scheme.starter.tranche_factors",
    "tranche_villages": "scheme.starter.tranche_villages",
    "bounds": "scheme.starter.bounds",
}


def starter_scheme(lang: Lang | None = None) -> str:
    """The starter scheme file, its comments in ``lang`` (default: the current language);
    the names in it are the data's own (Chinese) column names in either language."""
    return re.sub(r"@(\w+)", lambda m: tr(_COMMENTS[m.group(1)]).render(lang), _TEMPLATE)


#: The starter scheme with its comments in Chinese.
STARTER_SCHEME = starter_scheme("zh")

STARTER_DATA = """\
地区,贫困人口,农村人口,人均财力,绩效等次,重点村
甲市,1200,52000,3.1,优秀,8
乙市,300,61000,5.2,良好,2
丙市,800,30000,2.8,良好,6
丁市,150,28000,4.0,一般,1
戊市,2100,90000,2.2,优秀,14
"""


def write_starter(directory: Path, lang: Lang | None = None) -> list[Path]:
    """Write ``scheme.toml`` (commented in ``lang``, default: the current language) and
    ``data.csv`` into ``directory``; never overwrite a file."""
    for part in (directory, *directory.parents):
        if part.exists() and not part.is_dir():
            raise DataError(
                Problem(
                    str(part),
                    tr("scheme.starter.expected_folder"),
                    found=tr("scheme.starter.a_file"),
                    hint=tr("scheme.starter.folder_hint"),
                )
            )
    files = {
        directory / "scheme.toml": starter_scheme(lang),
        directory / "data.csv": STARTER_DATA,
    }
    existing = [p for p in files if p.exists()]
    if existing:
        raise DataError(
            [
                Problem(str(p), tr("scheme.starter.exists"), hint=tr("scheme.starter.exists_hint"))
                for p in existing
            ]
        )
    directory.mkdir(parents=True, exist_ok=True)
    for path, text in files.items():
        write_atomic(path, text.encode("utf-8-sig" if path.suffix == ".csv" else "utf-8"))
    return list(files)
