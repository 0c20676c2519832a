"""Messages of solving and rounding: infeasible requirements, solvers, sources.

Each entry is ``id: (Chinese, English)``, ids prefixed ``solve.``; see :mod:`fundalloc.i18n`
for the rules every message follows.
"""

MESSAGES: dict[str, tuple[str, str]] = {
    # ---------------------------------------------------------------- solvers
    "solve.where_solver": ("求解器", "solver"),
    "solve.unknown_solver": (
        "未知的求解器 {name!r}；应为以下之一：{names}",
        "unknown solver {name!r}; expected one of: {names}",
    ),
    "solve.not_installed": ("求解器 {name!r} 未安装", "the solver {name!r} is not installed"),
    "solve.install_cbc": (
        "安装方法：`pip install 'fundalloc[lp]'`（`PuLP` 4.x 还需 `pip install 'pulp[cbc]'`）",
        "pip install 'fundalloc[lp]' (with PuLP 4.x: pip install 'pulp[cbc]')",
    ),
    "solve.unsupported": (
        "精确求解器只处理互不重叠的分组保底和封顶；这些约束相互重叠或比较不同分组",
        "the exact solver handles group floors and caps on groups that do not overlap; "
        "these constraints overlap or compare groups",
    ),
    "solve.unsupported_hint": (
        "改用 `solver='auto'`（或 `'highs'`、`'cbc'`）",
        "use solver='auto' (or 'highs' or 'cbc')",
    ),
    "solve.unknown_backend": (
        "未知的线性规划后端 {name!r}；应为以下之一：{names}",
        "unknown LP backend {name!r}; expected one of: {names}",
    ),
    "solve.lp_programme": ("线性规划", "linear programme"),
    "solve.lp_elastic": ("弹性重解（诊断冲突的约束）", "elastic re-solve"),
    "solve.lp_time_limit": (
        "{solver} 求解{what}时达到时间上限",
        "{solver} reached its time limit on the {what}",
    ),
    "solve.lp_failed": ("{solver} 未能求解{what}", "{solver} could not solve the {what}"),
    "solve.where_group_solution": ("分组约束的解", "the group-constrained solution"),
    # ---------------------------------------------------------------- bounds (labels)
    "solve.bound.floor_amount": ("保底 {amount} {unit}", "floor {amount} {unit}"),
    "solve.bound.floor_share": ("保底为总额的 {share}", "floor {share} of the total"),
    "solve.bound.floor_per": ("保底每单位{per} {rate} {unit}", "floor {rate} {unit} per {per}"),
    "solve.bound.cap_amount": ("封顶 {amount} {unit}", "cap {amount} {unit}"),
    "solve.bound.cap_share": ("封顶为总额的 {share}", "cap {share} of the total"),
    "solve.bound.cap_per": ("封顶每单位{per} {rate} {unit}", "cap {rate} {unit} per {per}"),
    "solve.bound.where": ("{text}（适用于 {conditions}）", "{text} where {conditions}"),
    "solve.bound.hold_harmless": ("不低于 {column} 的 {ratio}", "at least {ratio} of {column}"),
    "solve.bound.growth_cap": ("不高于 {column} 的 {ratio}", "at most {ratio} of {column}"),
    "solve.bound.one_of": (
        "`amount`、`share`、`per`（连同 `rate`）必须且只能给出一个；实际给出 {got}",
        "give exactly one of amount, share or per (with rate); got {got}",
    ),
    "solve.bound.per_and_rate": (
        "`per` 和 `rate` 必须同时给出：`rate` 是按 `per` 列每单位的金额",
        "per and rate go together: rate is the amount per unit of column per",
    ),
    # ---------------------------------------------------------------- feasibility of bounds
    "solve.where_floors": ("保底", "floors"),
    "solve.where_caps": ("封顶", "caps"),
    "solve.feasible.cap_below_quota": (
        "封顶 {cap} {unit}（来自 {bound}）低于其固定定额 {quota} {unit}",
        "the cap {cap} {unit} (from {bound}) is below its fixed quota {quota} {unit}",
    ),
    "solve.feasible.from_bound": ("来自 {bound}", "from {bound}"),
    "solve.feasible.not_taking_part": ("该地区不参与分配", "it does not take part"),
    "solve.feasible.cap_below_floor": (
        "封顶 {cap} {unit}（{why}）低于保底 {floor} {unit}（来自 {bound}）",
        "the cap {cap} {unit} ({why}) is below the floor {floor} {unit} (from {bound})",
    ),
    "solve.feasible.floors_above_total": (
        "保底合计 {floors} {unit}，但总额只有 {total} {unit}",
        "the floors add up to {floors} {unit} but the total is {total} {unit}",
    ),
    "solve.feasible.floors_hint": ("降低保底或提高总额", "lower the floors or raise the total"),
    "solve.feasible.caps_below_total": (
        "封顶合计 {caps} {unit}，但总额为 {total} {unit}",
        "the caps add up to {caps} {unit} but the total is {total} {unit}",
    ),
    "solve.feasible.caps_below_total_zero": (
        "封顶合计 {caps} {unit}（其中 {zero} 个因素测算额为零的地区按保底计，因为按比例规则它们"
        "分不到更多），但总额为 {total} {unit}",
        "the caps add up to {caps} {unit} (counting the {zero} regions with a zero formula "
        "amount at their floor, since the proportional rule gives them nothing more) but the "
        "total is {total} {unit}",
    ),
    "solve.feasible.caps_hint": ("提高封顶或降低总额", "raise the caps or lower the total"),
    # ---------------------------------------------------------------- the pipeline
    "solve.expected_a_region": ("应至少有一个地区", "expected at least one region"),
    "solve.none": ("没有", "none"),
    "solve.where_eligibility": ("分配条件", "eligibility"),
    "solve.where_total": ("总额", "total"),
    "solve.no_region_eligible": (
        "没有地区满足方案的分配条件：{conditions}",
        "no region meets the scheme's eligibility: {conditions}",
    ),
    "solve.no_region_in_tranche": (
        "参与分配的地区都不满足这一块的条件：{conditions}",
        "no region taking part meets this tranche's eligibility: {conditions}",
    ),
    "solve.expected_finite_amounts": (
        "每个地区都应得到有限的金额",
        "expected a finite amount for every region",
    ),
    "solve.defect_hint": (
        "这是 fundalloc 的缺陷，请连同数据一起报告",
        "this is a defect in fundalloc; please report it with the data",
    ),
    "solve.quotas_above_amount": (
        "固定金额和定额块共需 {taken} {unit}，但只有 {amount} {unit}",
        "the fixed and quota tranches take {taken} {unit} but there are only {amount} {unit}",
    ),
    "solve.left_after_quotas": (
        "固定金额和定额块分配后还剩 {left} {unit}，且没有按比例分配的块",
        "{left} {unit} are left after the fixed and quota tranches and no tranche takes a share",
    ),
    "solve.left_after_quotas_hint": (
        "增加一个 `share=1` 的块分配其余部分",
        "add a tranche with share=1 for the rest",
    ),
    "solve.coefficients_all_zero": (
        "所有因素份额为正的地区，其调节系数都为 0",
        "the coefficients are 0 for every region with a positive factor share",
    ),
    "solve.expected_finite_targets": (
        "每个地区的因素测算额都应是有限数（因素份额乘以调节系数超出了双精度浮点数的范围）",
        "expected a finite formula amount for every region (the factor shares times the "
        "coefficients went beyond binary64)",
    ),
    "solve.expected_finite_targets_hint": (
        "检查调节系数和因素数值是否有极端的数量级",
        "check the coefficients and factor values for extreme magnitudes",
    ),
    "solve.no_step_between": (
        "保底和封顶之间没有 {step} {unit} 的整数倍：保底向上取整为 {floor} {unit}，"
        "封顶向下取整为 {cap} {unit}",
        "no whole step of {step} {unit} lies between the floor and the cap: the floor rounds "
        "up to {floor} {unit}, the cap rounds down to {cap} {unit}",
    ),
    "solve.floors_in_steps": (
        "按 {step} {unit} 的整数倍向上取整后，保底合计 {floors} {unit}，但总额为 {total} {unit}",
        "rounded up to whole steps of {step} {unit}, the floors add up to {floors} {unit} but "
        "the total is {total} {unit}",
    ),
    "solve.caps_in_steps": (
        "按 {step} {unit} 的整数倍向下取整后，封顶合计 {caps} {unit}，但总额为 {total} {unit}",
        "rounded down to whole steps of {step} {unit}, the caps add up to {caps} {unit} but "
        "the total is {total} {unit}",
    ),
    "solve.no_multiplier": (
        "没有任何比例系数能使约束后的金额加总等于总额",
        "no multiplier makes the bounded amounts add up to the total",
    ),
    "solve.groups_unsettled": (
        "精确分组求解未能确定哪些分组保底和封顶起作用",
        "the exact group solve did not settle which group floors and caps bind",
    ),
    # ---------------------------------------------------------------- group constraints
    "solve.where_constraints": ("组合约束", "constraints"),
    "solve.group.unknown_regions": (
        "分组列出的地区不在数据表中",
        "a group names regions that are not in the table",
    ),
    "solve.group.regions": ("地区 {regions}", "regions {regions}"),
    "solve.group.regions_more": (
        "地区 {regions} 及另外 {more} 个",
        "regions {regions} and {more} more",
    ),
    "solve.group.both": ("{first} 且 {second}", "{first} and {second}"),
    "solve.group.all_regions": ("全部地区", "all regions"),
    "solve.group.floor_amount": (
        "{group} 合计不低于 {amount} {unit}",
        "at least {amount} {unit} together for {group}",
    ),
    "solve.group.cap_amount": (
        "{group} 合计不高于 {amount} {unit}",
        "at most {amount} {unit} together for {group}",
    ),
    "solve.group.floor_share": (
        "{group} 合计不低于总额的 {share}",
        "at least {share} of the total together for {group}",
    ),
    "solve.group.cap_share": (
        "{group} 合计不高于总额的 {share}",
        "at most {share} of the total together for {group}",
    ),
    "solve.group.at_least": ("不低于 {ratio}", "at least {ratio}"),
    "solve.group.at_most": ("不高于 {ratio}", "at most {ratio}"),
    "solve.group.ratio": ("{group}：{words} ×（{other}）", "{words} × ({other}) for {group}"),
    "solve.group.amount_or_share": (
        "`amount` 和 `share` 必须且只能给出一个",
        "give exactly one of amount or share",
    ),
    "solve.group.name_the_group": (
        "请指明分组：`where` 条件、`regions` 地区名单，或两者都给",
        "name the group: where conditions, regions, or both",
    ),
    "solve.group.at_least_or_at_most": (
        "请给出 `at_least`、`at_most` 或两者",
        "give at_least, at_most or both",
    ),
    "solve.group.crossed_ratio": (
        "`at_least` {at_least} 大于 `at_most` {at_most}",
        "at_least {at_least} is above at_most {at_most}",
    ),
    # ---------------------------------------------------------------- diagnosis of constraints
    "solve.diag.row": ("«{label}»", "«{label}»"),
    "solve.diag.then": ("{first}；{second}", "{first}; {second}"),
    "solve.diag.list_last": ("{rest}和{last}", "{rest} and {last}"),
    "solve.diag.names_more": ("{names} 及另外 {more} 个", "{names} and {more} more"),
    "solve.diag.cannot_hold": (
        "组合约束无法同时满足：{labels}",
        "the group constraints cannot all hold: {labels}",
    ),
    "solve.diag.dual_failed": (
        "组合约束可以同时满足（弹性重解无需放宽任何约束），但对偶求解器没有找到最优解："
        "问题处在浮点数精度的边缘；请连同方案和数据一起报告",
        "the group constraints can all hold (the elastic re-solve relaxes nothing), but the "
        "dual solver found no optimum: the problem is at the edge of floating-point "
        "tolerances; please report it with the scheme and data",
    ),
    "solve.diag.no_whole_steps": (
        "没有按 {step} {unit} 整数倍的金额能满足全部组合约束：{labels}",
        "no amounts in whole steps of {step} {unit} keep every group constraint: {labels}",
    ),
    "solve.diag.no_region_in_group": (
        "{label}：没有参与分配的地区属于该分组，因此无法得到 {amount} {unit}",
        "{label}: no region taking part is in the group, so it cannot get {amount} {unit}",
    ),
    "solve.diag.caps_on": ("{names} 的封顶", "the caps on {names}"),
    "solve.diag.floors_on": ("{names} 的保底", "the floors on {names}"),
    "solve.diag.no_formula": (
        "没有因素测算额的地区（{names}）",
        "the regions with no formula amount ({names})",
    ),
    "solve.diag.total": ("总额 {total}", "the total of {total}"),
    "solve.diag.others": ("其他地区的保底和封顶", "the bounds of the other regions"),
    "solve.diag.whole": ("（按 {step} {unit} 的整数倍）", " (in whole steps of {step} {unit})"),
    "solve.diag.group_short": (
        "{label}：该分组需要 {need} {unit}，但{conflict}最多只允许 {reached} {unit}；"
        "差 {gap} {unit}{whole}",
        "{label}: the group needs {need} {unit} but {conflict} allow at most {reached} {unit}; "
        "short by {gap} {unit}{whole}",
    ),
    "solve.diag.group_short_one": (
        "{label}：该分组需要 {need} {unit}，但{conflict}最多只允许 {reached} {unit}；"
        "差 {gap} {unit}{whole}",
        "{label}: the group needs {need} {unit} but {conflict} allows at most {reached} {unit}; "
        "short by {gap} {unit}{whole}",
    ),
    "solve.diag.group_over": (
        "{label}：该分组最多可得 {cap} {unit}，但{conflict}需要 {reached} {unit}；"
        "超出 {gap} {unit}{whole}",
        "{label}: the group may get at most {cap} {unit} but {conflict} need {reached} {unit}; "
        "over by {gap} {unit}{whole}",
    ),
    "solve.diag.group_over_one": (
        "{label}：该分组最多可得 {cap} {unit}，但{conflict}需要 {reached} {unit}；"
        "超出 {gap} {unit}{whole}",
        "{label}: the group may get at most {cap} {unit} but {conflict} needs {reached} {unit}; "
        "over by {gap} {unit}{whole}",
    ),
    "solve.diag.row_conflict": (
        "{label} 与{conflict}冲突，相差 {gap} {unit}{whole}：请将其（或它们）至少放宽这么多",
        "{label} conflicts with {conflict} by {gap} {unit}{whole}: relax it (or them) by at "
        "least that much",
    ),
    # ---------------------------------------------------------------- the exact solver
    "solve.exact.no_target": (
        "没有地区的因素测算额为正，而保底（{floors}）凑不足总额（{total}）",
        "no region has a positive formula amount, and the floors ({floors}) do not make up "
        "the total ({total})",
    ),
    "solve.exact.spread": (
        "因素测算额跨越的数量级太多，无法在双精度浮点数中求解（最小的正数 {smallest}，"
        "最大 {largest}）；某个地区的保底或封顶超出了可表示的最大比例系数",
        "the formula targets span too many orders of magnitude to solve in binary64 "
        "(smallest positive {smallest}, largest {largest}); a region's bound lies beyond the "
        "largest representable multiplier",
    ),
    "solve.exact.crossed": (
        "第 {region} 个地区（共 {count} 个，按给定顺序）的保底 {floor} 高于其封顶 {cap}",
        "region {region} (of {count}, in the order given) has a floor of {floor} above its "
        "cap of {cap}",
    ),
    "solve.exact.and_more": ("{text}，另有 {more} 个", "{text}, and {more} more"),
    "solve.exact.floors": (
        "保底合计 {floors}，但总额为 {total}",
        "the floors add up to {floors} but the total is {total}",
    ),
    "solve.exact.caps": (
        "封顶合计 {caps}（测算额为零的地区按保底计），但总额为 {total}",
        "the caps add up to {caps} (regions with a zero target held at their floors) but the "
        "total is {total}",
    ),
    # ---------------------------------------------------------------- several years
    "solve.multiyear.tier": (
        "保持上年水平：不低于上年的 {ratio}",
        "hold harmless: at least {ratio} of last year",
    ),
    "solve.multiyear.tier_over": (
        "保持上年水平：不低于上年的 {ratio}（限高于目标 {above} 以上的地区）",
        "hold harmless: at least {ratio} of last year where over target by more than {above}",
    ),
    "solve.multiyear.tier_under": (
        "保持上年水平：不低于上年的 {ratio}（限低于目标不到 {above} 的地区）",
        "hold harmless: at least {ratio} of last year where under target by less than {above}",
    ),
    "solve.multiyear.pace": (
        "调整节奏：每年至多增长 {pace}",
        "pace of change: at most +{pace} a year",
    ),
    "solve.multiyear.no_year": (
        "没有模拟第 {year} 年；模拟的年份为 {first} 至 {last}",
        "no simulated year {year}; the years are {first} to {last}",
    ),
    "solve.multiyear.legend": (
        "保上年：处于保持上年水平的保底；控节奏：处于调整节奏的封顶；"
        "受限：处于方案自身的保底或封顶；偏离：不在容差之内",
        "held: at a hold-harmless floor; paced: at the pace-of-change cap; bounded: at a floor "
        "or cap of the scheme; outside: not within the tolerance",
    ),
    "solve.multiyear.in_unit": ("单位：{unit}；{legend}", "in {unit}; {legend}"),
    "solve.multiyear.year": ("年份", "year"),
    "solve.multiyear.budget": ("预算", "budget"),
    "solve.multiyear.growth": ("增长", "growth"),
    "solve.multiyear.held": ("保上年", "held"),
    "solve.multiyear.paced": ("控节奏", "paced"),
    "solve.multiyear.bounded": ("受限", "bounded"),
    "solve.multiyear.outside": ("偏离", "outside"),
    "solve.multiyear.furthest": ("离目标最远的地区", "furthest from target"),
    "solve.multiyear.start": ("起始", "start"),
    "solve.multiyear.years": ("年", "years"),
    "solve.multiyear.rule": (
        "容差为目标的 {tolerance}，或一个取整单位",
        "tolerance {tolerance} of the target, or one step",
    ),
    "solve.multiyear.not_converged": (
        "{years} 年内未收敛（{rule}）",
        "not converged within {years} years ({rule})",
    ),
    "solve.multiyear.converged": (
        "{years} 年收敛，自 {first} 年起（{rule}）",
        "converged in {years} years, from {first} ({rule})",
    ),
    "solve.multiyear.converged_one": (
        "{years} 年收敛，自 {first} 年起（{rule}）",
        "converged in {years} year, from {first} ({rule})",
    ),
    "solve.multiyear.start_zero": (
        "上年金额合计应大于 0",
        "expected last year's amounts to add up to more than 0",
    ),
    "solve.multiyear.where_year": ("第 {year} 年", "year {year}"),
    "solve.multiyear.budget_to_zero": (
        "预算按 {rate} 增长，从 {before} {unit} 变为 0",
        "the budget grows by {rate} from {before} {unit} to 0",
    ),
    "solve.multiyear.budget_to_zero_hint": (
        "增长率应大于 −1，且至少保留一个取整单位",
        "a rate above −1 that keeps at least one step",
    ),
    "solve.multiyear.context": (
        "预算 {budget} {unit}（上年 {before} {unit}，{rate}）",
        "the budget of {budget} {unit} (last year {before} {unit}, {rate})",
    ),
    "solve.multiyear.cannot_allocate": (
        "方案无法分配{context}",
        "the scheme cannot allocate {context}",
    ),
    "solve.multiyear.limits": (
        "{context}无法在逐年增减限制之内分配",
        "{context} cannot be allocated within the year-over-year limits",
    ),
    "solve.multiyear.limits_hint": (
        "降低保持上年水平的比例、放宽调整节奏，或改变增长率",
        "lower the hold-harmless ratio, raise the pace, or change the growth",
    ),
    "solve.multiyear.expected_years": (
        "年数应为不小于 1 的整数",
        "expected a whole number of years, at least 1",
    ),
    "solve.multiyear.expected_pace": (
        "应为不小于 0 的每年最大增幅（0.1 表示 +10%），或 `None`",
        "expected the largest yearly growth as a fraction of at least 0 (0.1 for +10%), or None",
    ),
    "solve.multiyear.expected_tolerance": (
        "应为不小于 0 的有限数",
        "expected a finite number of at least 0",
    ),
    "solve.multiyear.one_rate_per_year": (
        "每年应有一个增长率（共 {years} 年）",
        "expected one growth rate per year ({years})",
    ),
    "solve.multiyear.rates": ("{count} 个增长率", "{count} rates"),
    "solve.multiyear.expected_rate": (
        "增长率应大于 −1（0.05 表示 +5%）",
        "expected a growth rate above −1 (0.05 for +5%)",
    ),
    "solve.multiyear.expected_tier": ("应为 `HoldHarmlessTier`", "expected a HoldHarmlessTier"),
    "solve.multiyear.two_tiers": (
        "两个档次适用于同一批地区",
        "two tiers apply to the same regions",
    ),
    "solve.multiyear.twice": ("`{above}` 出现两次", "{above} twice"),
    "solve.multiyear.expected_start": (
        "上年金额应为地区到金额的映射、一个分配结果（`Allocation`）或一列的列名",
        "expected last year's amounts as a mapping of region id to amount, an Allocation, "
        "or a column name",
    ),
    "solve.multiyear.where_start": ("上年金额，{region}", "start, {region}"),
    "solve.multiyear.no_start": (
        "没有给出该地区的上年金额",
        "no amount for last year given for this region",
    ),
    "solve.multiyear.not_a_region": ("不是数据表中的地区", "not a region of the table"),
    "solve.multiyear.not_a_region_hint": ("检查地区名称的拼写", "check the spelling of the id"),
    "solve.multiyear.expected_amount": ("金额应不小于 0", "expected an amount of at least 0"),
    # ---------------------------------------------------------------- the weight model
    "solve.model.no_groups": (
        "向量化的权重模型只处理逐地区的保底和封顶；该方案含有组合约束",
        "the vectorised weight model handles per-region floors and caps only; this scheme "
        "has group constraints",
    ),
    "solve.model.no_groups_hint": (
        "用 `fundalloc.analysis.weights.with_weights` 生成方案，循环调用 `fundalloc.allocate`，"
        "它会求解这些约束",
        "loop over fundalloc.allocate with schemes from "
        "fundalloc.analysis.weights.with_weights, which solves them",
    ),
    "solve.model.constraints": ("{constraints}", "{constraints}"),
    "solve.model.no_factors": (
        "方案中没有可供模型调整的加权因素",
        "the scheme has no weighted factors for the model to vary",
    ),
    "solve.model.no_label": (
        "没有权重使用这个标签；标签是块的路径和因素名称用 '/' 连接而成",
        "no weight has this label; labels are the tranche path and the factor name joined by '/'",
    ),
    "solve.model.did_you_mean": ("是否想写 {label}？", "did you mean {label}?"),
    "solve.model.weight_range": (
        "权重应在 0 和 1 之间（同一块的权重合计为 1）",
        "expected weights between 0 and 1 (the weights of a tranche add up to 1)",
    ),
    "solve.model.smaller_change": ("使用更小的相对变化", "use a smaller relative change"),
    "solve.model.whole_tranche": (
        "该权重占了整个块，其他权重按比例缩放时它无法变化",
        "this weight holds its whole tranche, so it cannot change with the other weights rescaled",
    ),
    "solve.model.weight": ("权重 {weight}", "weight {weight}"),
    "solve.model.expected_rows": ("行数应为正数", "expected a positive number of rows"),
    "solve.model.weights_per_vector": (
        "每个向量应有 {count} 个权重（{labels}）",
        "expected {count} weights per vector ({labels})",
    ),
    "solve.model.shape": ("形状 {shape}", "shape {shape}"),
    "solve.model.finite_weights": ("权重应为不小于 0 的有限数", "expected finite weights >= 0"),
    "solve.model.positive_weight": (
        "每个块至少应有一个正的权重",
        "expected at least one positive weight in every tranche",
    ),
    "solve.model.all_zero": ("权重向量 {rows} 全为零", "all zero in weight vectors {rows}"),
    "solve.model.vectors": ("权重向量 {rows}", "weight vectors {rows}"),
    "solve.model.and_more": ("{shown} 及另外 {more} 个", "{shown} and {more} more"),
    "solve.model.coefficients_zero": (
        "加权因素份额为正的地区，其调节系数都为 0",
        "the coefficients are 0 for every region with a positive share of the weighted factors",
    ),
    "solve.model.stopped": (
        "比例系数停在离总额 {gap} 处",
        "the multiplier stopped {gap} away from the total",
    ),
    "solve.model.caps_short": (
        "封顶（加上目标为零的地区的保底）只能容纳 {caps}，但需要分配 {total}",
        "the caps (with the floors of regions whose target is 0) hold only {caps} but {total} "
        "must be allocated",
    ),
    "solve.model.caps_short_hint": (
        "权重为 0 会使一些地区没有目标额，只能停在保底",
        "a weight of 0 leaves regions with no target, at their floor",
    ),
    "solve.model.no_convergence": (
        "比例系数在 {steps} 步内没有收敛",
        "the multiplier did not converge in {steps} steps",
    ),
}
