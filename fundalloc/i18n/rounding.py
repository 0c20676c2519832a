"""Messages of rounding, rounding by groups and under rows, and pooled sources.

Each entry is ``id: (Chinese, English)``, ids prefixed ``rounding.``; see :mod:`fundalloc.i18n`
for the rules every message follows.
"""

MESSAGES: dict[str, tuple[str, str]] = {
    # ---- rounding methods (fundalloc.rounding)
    "rounding.unknown_method": (
        "未知的舍入方法 '{name}'；应为以下之一：{names}（或别名 {aliases}）",
        "unknown rounding method '{name}'; expected one of: {names} (or {aliases})",
    ),
    "rounding.bounds_cannot_hold": (
        "以整步计的保底与封顶（合计 {least} 至 {most} 步，无权重的地区按保底计）容不下 {total} 步",
        "the bounds in whole units ({least} to {most}, regions with no weight held at their "
        "lower bound) cannot hold {total} units",
    ),
    "rounding.bounds_after_rounding": (
        "舍入后保底与封顶容不下总数",
        "the bounds cannot hold the total after rounding",
    ),
    "rounding.not_finite": (
        "舍入前每个地区的金额都应为有限数",
        "expected a finite amount for every region before rounding",
    ),
    "rounding.list": ("{items}", "{items}"),
    "rounding.not_finite_at": (
        "第 {position} 位：金额 {amount}，权重 {weight}",
        "position {position}: amount {amount}, weight {weight}",
    ),
    "rounding.defect": (
        "这是 fundalloc 的缺陷，请连同数据一并报告",
        "this is a defect in fundalloc; please report it with the data",
    ),
    "rounding.apportion_half_up": (
        "`apportion` 须分出全部总数，{method} 做不到",
        "apportion hands out exactly the total; {method} does not",
    ),
    "rounding.apportion_total": (
        "应为要分配的整数个数；实际为 {found}",
        "expected a whole number of items to apportion, found {found}",
    ),
    "rounding.weight": ("应为不小于 0 的有限权重", "expected a finite weight >= 0"),
    "rounding.negative_minimum": (
        "最小值须不小于 0；以下地区的最小值为负：{regions}",
        "a minimum must be >= 0; found a negative one for {regions}",
    ),
    # ---- rounding under group constraints (fundalloc.rounding.rows, solvers.groups)
    "rounding.place.constraints": ("区域组合约束", "constraints"),
    "rounding.groups_within_tolerance": (
        "区域组合约束 {names} 不能同时满足：相差不到 {amount} {unit}",
        "the group constraints {names} cannot all hold: they miss by less than {amount} {unit}",
    ),
    "rounding.semicolons": ("{first}；{rest}", "{first}; {rest}"),
    "rounding.groups_relax": ("将其中一条放宽这么多", "relax one of them by that much"),
    "rounding.rows_none": (
        "没有一种按整步的舍入能在保底与封顶之内满足每条区域组合约束；请将一条区域组合约束放宽一步",
        "no rounding to whole steps keeps every group constraint within the floors and caps; "
        "widen a group constraint by one step",
    ),
    "rounding.rows_total": (
        "线性规划求解器给出的整数舍入合计 {got} 步，而不是 {total} 步",
        "the integer rounding from the LP solver gives {got} units instead of {total}",
    ),
    "rounding.rows_repairs": (
        "修正 {repairs} 次后，线性规划求解器给出的整数舍入"
        "仍以小于其容差的幅度违反区域组合约束：{rows}",
        "the integer rounding from the LP solver breaks a group constraint by less than the "
        "solver's tolerance even after {repairs} repairs: {rows}",
    ),
    "rounding.rows_rounds": (
        "整数舍入经 {backend} 求解 {rounds} 轮仍未收敛",
        "the integer rounding did not converge in {rounds} rounds of the {backend} solver",
    ),
    # ---- pooled sources (fundalloc.sources): the account of one region
    "rounding.sources.head": (
        "{region}：{amount}（测算数 {target}）",
        "{region}: {amount} (target {target})",
    ),
    "rounding.sources.paid": (
        "  {source}：{amount}（{share:.2%}）",
        "  {source}: {amount} ({share:.2%})",
    ),
    "rounding.sources.unpaid": ("  {source}：0", "  {source}: 0"),
    "rounding.sources.ineligible": (
        "  {source}：不可用于本地区（{reason}）",
        "  {source}: may not fund this region ({reason})",
    ),
    "rounding.sources.not_listed": ("不在该渠道的地区名单内", "not on its list of regions"),
    "rounding.sources.fails": ("不满足 {conditions}", "fails {conditions}"),
    "rounding.sources.short": (
        "  比测算数少 {amount}：可用于本地区的渠道资金不足",
        "  {amount} below the target: the sources that may fund this region do not hold enough",
    ),
    "rounding.sources.over": (
        "  比测算数多 {amount}：有渠道只能用于包括本地区在内的地区，须在此用完",
        "  {amount} above the target: a source that may fund only a few regions, this one "
        "among them, must be spent here",
    ),
    "rounding.sources.and": ("、", ", "),
    # ---- pooled sources: the sources themselves
    "rounding.sources.place.source": ("渠道 '{name}'", "source '{name}'"),
    "rounding.sources.place.sources": ("渠道", "sources"),
    "rounding.sources.place.eligibility": (
        "渠道 '{name}'，适用条件",
        "source '{name}', eligibility",
    ),
    "rounding.sources.place.in_source": ("渠道 '{name}'：{where}", "source '{name}': {where}"),
    "rounding.sources.place.source_list": ("渠道 {names}", "source {names}"),
    "rounding.sources.negative": (
        "'{name}' 的金额为负（{amount}）",
        "the amount of '{name}' is negative ({amount})",
    ),
    "rounding.sources.no_regions": (
        "'{name}' 的地区名单为空，无法用于任何地区（省略地区名单即可用于所有地区）",
        "'{name}' lists no regions, so it could fund none (leave regions out to allow every "
        "region)",
    ),
    "rounding.sources.twice": (
        "'{name}' 重复列出了 {regions}",
        "'{name}' lists {regions} more than once",
    ),
    "rounding.sources.none": (
        "`allocate_sources` 至少需要一个渠道",
        "allocate_sources needs at least one source",
    ),
    "rounding.sources.same_name": (
        "名称 '{name}' 被多个渠道使用",
        "the name '{name}' is used by more than one source",
    ),
    "rounding.sources.reserved": (
        "该名称已是结果记录中的列名",
        "the name is a column of the records already",
    ),
    "rounding.sources.choose_other": (
        "请换一个名称，不要用 {names}",
        "choose a name other than {names}",
    ),
    "rounding.sources.not_whole": (
        "金额应为步长 {step} {unit} 的整数倍",
        "expected an amount that is a whole number of the step {step} {unit}",
    ),
    "rounding.sources.unknown_regions": (
        "列出了数据表中没有的地区",
        "names regions that are not in the table",
    ),
    "rounding.sources.more": ("{listed} 等（另有 {count} 个）", "{listed} and {count} more"),
    "rounding.sources.did_you_mean": ("是否想写 '{name}'？", "did you mean '{name}'?"),
    "rounding.sources.total": (
        "各渠道合计 {total} {unit}，而方案总额为 {scheme_total} {unit}",
        "the sources add up to {total} {unit} but the scheme's total is {scheme_total} {unit}",
    ),
    "rounding.sources.total_hint": ("{call}", "{call}"),
    "rounding.sources.no_column": ("没有列 '{column}'", "no column '{column}'"),
    "rounding.sources.columns": ("列 {columns}", "columns {columns}"),
    "rounding.sources.no_columns": ("无", "none"),
    "rounding.sources.no_such_region": ("没有这个地区", "no such region"),
    # ---- pooled sources: why a source is not spent or a region misses its target
    "rounding.sources.unspendable": (
        "没有地区可以接收该渠道的资金，{money} 无法使用",
        "no region may receive it, so {money} cannot be spent",
    ),
    "rounding.sources.unspendable_hint": (
        "请检查该渠道的地区名单和适用条件",
        "check its regions and eligibility",
    ),
    "rounding.sources.unfunded_one": (
        "没有渠道可以用于该地区，{money} 的测算数无法满足",
        "no source may fund it, so {money} of targets cannot be met",
    ),
    "rounding.sources.unfunded": (
        "没有渠道可以用于这些地区，{money} 的测算数无法满足",
        "no source may fund them, so {money} of targets cannot be met",
    ),
    "rounding.sources.elsewhere": (
        "；{sources} 须全部用于缺口更大的地区",
        "; {sources} must be spent in full on regions that are even shorter",
    ),
    "rounding.sources.conflict_short_one": (
        "测算数合计 {target}，但此处只能使用来自 {sources} 的 {money}{elsewhere}；"
        "该地区约得到其测算数的 {ratio}",
        "the targets add up to {target} but only {money} from {sources} can be spent "
        "here{elsewhere}; it gets about {ratio} of its target",
    ),
    "rounding.sources.conflict_short": (
        "测算数合计 {target}，但此处只能使用来自 {sources} 的 {money}{elsewhere}；"
        "每个地区约得到其测算数的 {ratio}",
        "the targets add up to {target} but only {money} from {sources} can be spent "
        "here{elsewhere}; each gets about {ratio} of its target",
    ),
    "rounding.sources.over_one": (
        "{money} 只能用于 {regions}，其测算数合计 {target}；该地区约得到其测算数的 {ratio}",
        "{money} may be spent only on {regions}, whose targets add up to {target}; it gets "
        "about {ratio} of its target",
    ),
    "rounding.sources.over_many": (
        "{money} 只能用于 {regions}，其测算数合计 {target}；每个地区约得到其测算数的 {ratio}",
        "{money} may be spent only on {regions}, whose targets add up to {target}; each gets "
        "about {ratio} of its target",
    ),
    "rounding.sources.over_zero": (
        "{money} 只能用于 {regions}，其测算数均为 0；在这些地区之间平均分配",
        "{money} may be spent only on {regions}, whose targets are 0; it is split among them "
        "equally",
    ),
    "rounding.sources.list_end": ("{items}和{last}", "{items} and {last}"),
    "rounding.sources.no_flow": (
        "`allocate_sources`：找不到与精确解相邻的整步流",
        "allocate_sources: no whole-step flow next to the exact one",
    ),
    "rounding.sources.no_split": (
        "`allocate_sources`：找不到各渠道的整步分配",
        "allocate_sources: no whole-step split of the sources",
    ),
}
