"""Messages of the analysis tools and plots.

Each entry is ``id: (Chinese, English)``, ids prefixed ``analysis.``; see :mod:`fundalloc.i18n`
for the rules every message follows.
"""

MESSAGES: dict[str, tuple[str, str]] = {
    # compare
    "analysis.compare_no_region": (
        "两次分配中都没有这个地区",
        "no such region in either allocation",
    ),
    "analysis.compare_expected_side": (
        "应为一次分配结果（`Allocation`）或「地区 → 金额」的映射",
        "expected an Allocation or a mapping of region id to amount",
    ),
    "analysis.compare_place": ("{side}，{region}", "{side}, {region}"),
    "analysis.expected_finite_number": ("应为有限的数", "expected a finite number"),
    "analysis.compare_before": ("调整前", "before"),
    "analysis.compare_after": ("调整后", "after"),
    "analysis.compare_total": (
        "{first} → {second}：合计 {before} → {after}{unit}，{change}",
        "{first} → {second}: total {before} → {after}{unit}, {change}",
    ),
    "analysis.compare_in_both": ("两边都有的地区 {count} 个", "{count} regions in both"),
    "analysis.compare_only_in": ("；仅在{side}中：{regions}", "; only in {side}: {regions}"),
    "analysis.compare_gain": ("增加 {count} 个", "{count} gain"),
    "analysis.compare_lose": ("减少 {count} 个", "{count} lose"),
    "analysis.compare_listed": ("：{regions}", ": {regions}"),
    "analysis.compare_more": ("，另有 {count} 个", ", and {count} more"),
    "analysis.compare_new": ("（新增）", " (new)"),
    "analysis.compare_percent": ("（{percent}）", " ({percent})"),
    "analysis.compare_unchanged": ("不变 {count} 个", "{count} unchanged"),
    # fairness
    "analysis.fairness_amount": ("金额", "amount"),
    "analysis.fairness_amounts": ("金额", "amounts"),
    "analysis.fairness_population": ("人口", "population"),
    "analysis.fairness_expected_flat": (
        "应为每个地区一个值（一维序列）",
        "expected one value per region (a flat sequence)",
    ),
    "analysis.fairness_shape": ("形状 {shape}", "shape {shape}"),
    "analysis.fairness_finite_amount": (
        "金额应为有限的数",
        "expected a finite number as its amount",
    ),
    "analysis.fairness_finite_population": (
        "人口应为有限的数",
        "expected a finite number as its population",
    ),
    "analysis.fairness_expected_amounts": (
        "应为分配结果（`Allocation`）、「地区 → 金额」的映射或金额序列",
        "expected an Allocation, a mapping of region id to amount, or a sequence",
    ),
    "analysis.fairness_the_text": ("文字 {text}", "the text {text}"),
    "analysis.fairness_position": ("第 {index} 个", "position {index}"),
    "analysis.fairness_at_least_one": ("至少应有一个地区", "expected at least one region"),
    "analysis.fairness_none": ("没有", "none"),
    "analysis.fairness_nonnegative": ("金额应不小于 0", "expected an amount of at least 0"),
    "analysis.fairness_positive_total": (
        "合计应大于 0 才能计算份额",
        "expected a positive total to measure shares of",
    ),
    "analysis.fairness_column_needs_allocation": (
        "列名（{column}）只能与分配结果（`Allocation`）一起使用",
        "a column name ({column}) works only with an Allocation",
    ),
    "analysis.fairness_column_hint": (
        "传入「地区 → 人口」的映射，或与金额同序的数组",
        "pass a mapping of region id to population, or an array in the same order",
    ),
    "analysis.fairness_mapping_needs_ids": (
        "人口按地区给出时，金额也要按地区给出",
        "a mapping of populations needs amounts by region id",
    ),
    "analysis.fairness_amounts_in_sequence": ("金额是序列", "amounts in a sequence"),
    "analysis.fairness_mapping_hint": (
        "把金额按地区给出，或把人口按序列给出",
        "pass the amounts as a mapping, or the populations as a sequence",
    ),
    "analysis.fairness_no_population": (
        "这个地区没有人口数",
        "no population given for this region",
    ),
    "analysis.fairness_no_amount": (
        "有人口数的地区没有金额",
        "a population for a region with no amount",
    ),
    "analysis.fairness_one_per_region": (
        "应有 {count} 个值，与金额一样每个地区一个",
        "expected {count} values, one per region like the amounts",
    ),
    "analysis.fairness_positive_population": ("人口应大于 0", "expected a positive population"),
    "analysis.fairness_summary": (
        "{regions} 个地区，按金额\n"
        "基尼系数 {gini:.4f} · 泰尔指数 {theil:.4f} · 变异系数 {cv:.4f} · "
        "赫芬达尔指数 {hhi:.4f}（平均分配时 {equal:.4f}）\n"
        "均值 {mean:.6g}，最小 {minimum:.6g}，最大 {maximum:.6g}",
        "{regions} regions, amounts\n"
        "Gini {gini:.4f} · Theil T {theil:.4f} · CV {cv:.4f} · "
        "HHI {hhi:.4f} (equal split {equal:.4f})\n"
        "mean {mean:.6g}, min {minimum:.6g}, max {maximum:.6g}",
    ),
    "analysis.fairness_summary_weighted": (
        "{regions} 个地区，按人均金额（人口加权）\n"
        "基尼系数 {gini:.4f} · 泰尔指数 {theil:.4f} · 变异系数 {cv:.4f} · "
        "赫芬达尔指数 {hhi:.4f}（平均分配时 {equal:.4f}）\n"
        "均值 {mean:.6g}，最小 {minimum:.6g}，最大 {maximum:.6g}",
        "{regions} regions, per-capita amounts, population-weighted\n"
        "Gini {gini:.4f} · Theil T {theil:.4f} · CV {cv:.4f} · "
        "HHI {hhi:.4f} (equal split {equal:.4f})\n"
        "mean {mean:.6g}, min {minimum:.6g}, max {maximum:.6g}",
    ),
    # shared by the analysis tools
    "analysis.expected_positive_number": ("应为正数", "expected a positive number"),
    "analysis.items": ("{items}", "{items}"),
    "analysis.did_you_mean": ("是否想写 {names}？", "did you mean {names}?"),
    # calibrate
    "analysis.calibrate_eligibility": ("参与条件", "eligibility"),
    "analysis.calibrate_coefficients": ("调节系数", "coefficients"),
    "analysis.calibrate_published": ("公布的金额", "published"),
    "analysis.calibrate_published_region": (
        "公布的金额，地区 {region}",
        "published, region {region}",
    ),
    "analysis.calibrate_nobody_eligible": (
        "没有地区满足参与条件：{conditions}",
        "no region meets the eligibility: {conditions}",
    ),
    "analysis.calibrate_zero_outside": (
        "不参与的地区（不满足 {conditions}）金额应为 0",
        "expected 0 for the regions that do not take part ({conditions} fails)",
    ),
    "analysis.calibrate_listed": ("{items}（另有 {more} 个）", "{items} (and {more} more)"),
    "analysis.calibrate_zero_outside_hint": (
        "检查参与条件，或只给出这个切块的金额",
        "check the eligibility, or give the amounts of this tranche only",
    ),
    "analysis.calibrate_factor_wiped": (
        "每个因素乘以调节系数后应仍有正的份额",
        "expected every factor to keep a positive share after the coefficients",
    ),
    "analysis.calibrate_factor_wiped_found": (
        "凡 {factors} 为正的地区，调节系数（{coefficients}）都是 0",
        "the coefficients ({coefficients}) are 0 wherever {factors} is positive",
    ),
    "analysis.calibrate_factor_wiped_hint": (
        "被调节系数清零的因素无法反推权重",
        "a factor the coefficients wipe out has no weight to recover",
    ),
    "analysis.calibrate_path_needs_scheme": (
        "切块路径只能与方案（`Scheme`）或切块（`Tranche`）一起使用",
        "a tranche path needs a Scheme or a Tranche",
    ),
    "analysis.calibrate_expected_factor": ("应为因素（`Factor`）", "expected a Factor"),
    "analysis.calibrate_expected_model": (
        "应为方案（`Scheme`）、切块（`Tranche`）或非空的因素列表",
        "expected a Scheme, a Tranche or a non-empty list of Factors",
    ),
    "analysis.calibrate_factor_twice": (
        "因素名 {name} 用了不止一次",
        "factor name {name} is used more than once",
    ),
    "analysis.calibrate_nonnegative": ("金额应不小于 0", "expected an amount >= 0"),
    "analysis.calibrate_every_region": (
        "表中每个地区都应有金额（没有的写 0）",
        "expected an amount for every region of the table (0 for none)",
    ),
    "analysis.calibrate_none_for": ("缺少：{regions}", "none for {regions}"),
    "analysis.calibrate_only_table_regions": (
        "应只含表中的地区",
        "expected only regions of the table",
    ),
    "analysis.calibrate_expected_published": (
        "应为「地区 → 金额」的映射或列名",
        "expected a mapping of region id to amount, or a column name",
    ),
    "analysis.calibrate_positive_total": (
        "金额合计应大于 0：没有可以还原的分配",
        "expected amounts adding up to more than 0: there is nothing to reproduce",
    ),
    "analysis.calibrate_total_zero": ("合计为 0", "a total of 0"),
    "analysis.calibrate_no_convergence": (
        "权重反推的最小二乘求解没有收敛；请报告这份数据",
        "the calibration least-squares solver did not converge; please report this data",
    ),
    "analysis.no_such_region": ("没有这个地区", "no such region"),
    "analysis.expected_one_of": ("应为以下之一：{names}", "expected one of: {names}"),
    "analysis.expected_draws": (
        "抽样次数应为不小于 1 的整数",
        "expected a whole number of draws >= 1",
    ),
    "analysis.expected_nonnegative": ("应为不小于 0 的有限数", "expected a finite number >= 0"),
    # sensitivity
    "analysis.sensitivity_found_types": ("{first} 和 {second}", "{first} and {second}"),
    "analysis.sensitivity_hint_scheme_file": (
        "`load_scheme` 返回的是 `SchemeFile`：请传入它的 `.scheme`",
        "load_scheme returns a SchemeFile: pass its .scheme",
    ),
    "analysis.sensitivity_hint_leave_scheme": (
        "分配结果（`Allocation`）已含方案：不要再传 `scheme`",
        "an Allocation already holds its scheme: leave scheme out",
    ),
    "analysis.sensitivity_expected_weights": (
        "应为分配结果（`Allocation`）、权重模型（`WeightModel`），或地区表（`RegionTable`）加方案（`Scheme`）",
        "expected an Allocation, a WeightModel, or a RegionTable and a Scheme",
    ),
    "analysis.sensitivity_expected_data": (
        "应为分配结果（`Allocation`），或地区表（`RegionTable`）加方案（`Scheme`）",
        "expected an Allocation, or a RegionTable and a Scheme",
    ),
    "analysis.sensitivity_not_swept": ("这个权重没有扫描", "this weight was not swept"),
    "analysis.sensitivity_expected_values": (
        "应为非空的数值列表",
        "expected a non-empty list of numbers",
    ),
    "analysis.sensitivity_nothing_to_sweep": (
        "没有可扫描的权重：每个权重都独占其切块",
        "no weight to sweep: every weight holds its tranche",
    ),
    "analysis.sensitivity_expected_region": (
        "应给出要显示金额的地区",
        "expected the region whose amount to show",
    ),
    "analysis.sensitivity_expected_change": (
        "相对变化应在 0 和 1 之间",
        "expected a relative change between 0 and 1",
    ),
    "analysis.sensitivity_dirichlet_noise": (
        "狄利克雷噪声应小于 1（`α = w (1/noise² − 1)`）",
        "expected Dirichlet noise below 1 (α = w (1/noise² − 1))",
    ),
    "analysis.sensitivity_derived_column": (
        "应为输入列；派生列由输入列重新计算",
        "expected an input column; a derived column is recomputed from the inputs",
    ),
    "analysis.sensitivity_derived_column_hint": (
        "扰动它的表达式所用的列",
        "perturb the columns its expression uses",
    ),
    "analysis.sensitivity_expected_columns": (
        "至少应给出一个要扰动的列",
        "expected at least one column to perturb",
    ),
    "analysis.sensitivity_expected_percentiles": (
        "百分位数应在 0 和 100 之间",
        "expected percentiles between 0 and 100",
    ),
    # weights
    "analysis.weights_expected_columns_names": (
        "应为指标列的列名",
        "expected names of the indicator columns",
    ),
    "analysis.weights_the_columns_are": ("已有的列：{names}", "the columns are {names}"),
    "analysis.weights_negative_needs_minmax": (
        '逆向指标需要 `normalise="minmax"`：份额没有「越小越好」的方向',
        'negative indicators need normalise="minmax": a share has no "smaller is better" direction',
    ),
    "analysis.weights_expected_normalise": (
        '应为 `"minmax"` 或 `"share"`',
        'expected "minmax" or "share"',
    ),
    "analysis.weights_nonnegative": ("应为不小于 0 的数", "expected a number >= 0"),
    "analysis.weights_at_least_two": (
        "至少要有 2 个地区才能比较",
        "expected at least 2 regions to compare",
    ),
    "analysis.weights_regions": ("{count} 个地区", "{count} region(s)"),
    "analysis.weights_expected_varying_column": (
        "至少应有一列的值在地区之间不同",
        "expected at least one column whose values differ between regions",
    ),
    "analysis.weights_all_constant": (
        "每一列都是常数（{names}）",
        "every column is constant ({names})",
    ),
    "analysis.weights_array_cell": (
        "第 {row} 行第 {column} 列（{name}）",
        "row {row}, column {column} ({name})",
    ),
    "analysis.weights_expected_table_columns": (
        "应为表中指标列的列名",
        "expected the names of the indicator columns of the table",
    ),
    "analysis.weights_for_example": ("例如 `{code}`", "e.g. `{code}`"),
    "analysis.weights_expected_data": (
        "应为地区表（`RegionTable`）或二维数值数组",
        "expected a RegionTable or a 2-D array of numbers",
    ),
    "analysis.weights_expected_matrix": (
        "应为二维数组：每个地区一行，每个指标一列",
        "expected a 2-D array with one row per region and one column per indicator",
    ),
    "analysis.weights_names_per_column": (
        "应有 {count} 个名称，数组每列一个",
        "expected {count} names, one per column of the array",
    ),
    "analysis.weights_column_twice": (
        "列名 {name} 用了不止一次",
        "column name {name} is used more than once",
    ),
    "analysis.weights_criterion_twice": (
        "准则名 {name} 用了不止一次",
        "criterion name {name} is used more than once",
    ),
    "analysis.weights_factor_twice": (
        "因素名 {name} 用了不止一次",
        "factor name {name} is used more than once",
    ),
    "analysis.weights_column_empty": ("列名不应为空", "expected a non-empty column name"),
    "analysis.weights_criterion_empty": ("准则名不应为空", "expected a non-empty criterion name"),
    "analysis.weights_factor_empty": ("因素名不应为空", "expected a non-empty factor name"),
    "analysis.weights_names_per_row": (
        "应有 {count} 个名称，矩阵每行一个",
        "expected {count} names, one per row of the matrix",
    ),
    "analysis.weights_expected_ahp_method": (
        '应为 `"eigenvector"` 或 `"geometric"`',
        'expected "eigenvector" or "geometric"',
    ),
    "analysis.weights_no_random_index": (
        "萨蒂的表只给出 n ≤ 15 的随机一致性指标，矩阵的 n = {n}",
        "Saaty's table gives the random index for n <= 15, the matrix has n = {n}",
    ),
    "analysis.weights_random_index_hint": (
        "从覆盖该阶数的表中取值，传入 `random_index=`",
        "pass random_index= from a table that covers it",
    ),
    "analysis.weights_pairwise": ("判断矩阵", "pairwise matrix"),
    "analysis.weights_pairwise_cell": (
        "判断矩阵第 {row} 行第 {column} 列",
        "pairwise matrix, row {row}, column {column}",
    ),
    "analysis.weights_expected_consistency": (
        "一致性比率应小于 {limit}（萨蒂准则）",
        "expected a consistency ratio below {limit} (Saaty's rule)",
    ),
    "analysis.weights_consistency_hint": (
        "与权重偏离最大的判断是 {first} : {second} = {judged}，而权重给出的比为 {implied}；"
        "请修改判断，或传入 `force=True` 仍使用这组权重",
        "the judgment furthest from the weights is {first} : {second} = {judged}, while the "
        "weights imply {implied}; revise the judgments, or pass force=True to use the weights "
        "anyway",
    ),
    "analysis.weights_expected_square": (
        "应为方阵（由行组成的列表）",
        "expected a square matrix (a list of rows)",
    ),
    "analysis.weights_expected_square_n": (
        "应为方阵：{n} 行，每行 {n} 个值",
        "expected a square matrix: {n} rows of {n} cells",
    ),
    "analysis.weights_row_lengths": ("各行长度 {lengths}", "row lengths {lengths}"),
    "analysis.weights_expected_judgment": (
        "应为正数或分数（如 '1/3'）",
        "expected a positive number or a fraction such as '1/3'",
    ),
    "analysis.weights_expected_diagonal": (
        "对角线应为 1（准则与自身同等重要）",
        "expected 1 on the diagonal (a criterion is as important as itself)",
    ),
    "analysis.weights_expected_reciprocal": (
        "应为第 {row} 行第 {column} 列（{judged}）的倒数 {reciprocal}，相对误差不超过 {tolerance}",
        "expected the reciprocal of row {row}, column {column} ({judged}): {reciprocal}, within "
        "a relative {tolerance}",
    ),
    "analysis.weights_product": ("{value}（乘积 {product}）", "{value} (product {product})"),
    "analysis.weights_at_least_one_name": ("至少应有一个名称", "expected at least one name"),
    "analysis.weights_every_factor": ("每个因素都应有权重", "expected a weight for every factor"),
    "analysis.weights_only_tranche_factors": (
        "应只给出本切块因素的权重",
        "expected weights of the tranche's factors only",
    ),
    "analysis.weights_the_factors_are": ("本切块的因素：{names}", "the factors are {names}"),
    "analysis.weights_expected_tranche_path": (
        "应给出一个含因素的切块的路径",
        "expected the path of one tranche with factors",
    ),
    "analysis.weights_tranches_with_factors": (
        "含因素的切块有 {count} 个：{names}",
        "{count} tranches with factors: {names}",
    ),
    "analysis.weights_pass_tranche": (
        "用 `tranche=` 指定其中一个",
        "pass tranche= with one of them",
    ),
    "analysis.weights_expected_factor_tranche": (
        "应为按加权因素分配的切块",
        "expected a tranche split by weighted factors",
    ),
    "analysis.weights_quota_tranche": ("定额切块", "a quota tranche"),
    "analysis.weights_parent_tranche": ("由子切块组成的切块", "a tranche of sub-tranches"),
    "analysis.weights_the_tranches_are": (
        "含因素的切块：{names}",
        "the tranches with factors are {names}",
    ),
    "analysis.weights_no_such_tranche": ("没有这个切块", "no such tranche"),
    # decompose
    "analysis.decompose_part_total": ("总额", "total"),
    "analysis.decompose_part_data": ("数据", "data"),
    "analysis.decompose_part_weights": ("权重与切块", "weights"),
    "analysis.decompose_part_coefficients": ("调节系数", "coefficients"),
    "analysis.decompose_part_bounds": ("保底封顶与组合约束", "bounds"),
    "analysis.decompose_part_rounding": ("取整", "rounding"),
    "analysis.decompose_part_amount": ("{part} {amount}", "{part} {amount}"),
    "analysis.decompose_region": ("地区", "region"),
    "analysis.decompose_change": ("变化", "change"),
    "analysis.decompose_method_sequential": ("依次分解", "sequential"),
    "analysis.decompose_method_shapley": ("沙普利值分解", "Shapley"),
    "analysis.decompose_head": (
        "变化原因（{method}，顺序：{order}）",
        "causes of the change ({method}, order: {order})",
    ),
    "analysis.decompose_total_line": (
        "合计变化 {change} {unit}：{parts}",
        "total change {change} {unit}: {parts}",
    ),
    "analysis.decompose_more": ("另有 {count} 个地区", "{count} more regions"),
    "analysis.decompose_unit": ("单位", "unit"),
    "analysis.decompose_same_unit": (
        "两次分配应使用相同的单位",
        "expected the two allocations to have the same unit",
    ),
    "analysis.decompose_coefficients": ("调节系数", "coefficients"),
    "analysis.decompose_tranches_differ": (
        "两个方案的切块不同，调节系数也不同：无法把调节系数的影响与权重分开",
        "the two schemes' tranches differ and so do their coefficients: the coefficients' part "
        "cannot be told apart from the weights'",
    ),
    "analysis.decompose_tranches_differ_hint": (
        "只在一边出现的切块已列出；让两边的切块相同，或让调节系数相同",
        "the tranches in one scheme only are listed; give both the same tranches, or the "
        "same coefficients",
    ),
    "analysis.decompose_hybrid": ("中间方案", "hybrid"),
    "analysis.decompose_hybrid_failed": (
        "把调整后的 {parts} 换入调整前的分配后无法计算",
        "the allocation before, with the {parts} of the allocation after, cannot be made",
    ),
    "analysis.decompose_hybrid_hint": (
        '换一种顺序（`order=`），或改用 `method="sequential"` 避开这个中间方案；原因如下',
        'try another order (order=), or method="sequential" to avoid this hybrid; the '
        "reason follows",
    ),
    "analysis.decompose_expected_order": (
        "应为以下各部分的一个排列：{parts}",
        "expected a permutation of {parts}",
    ),
    # tables of the results (to_dataframe, Jupyter)
    "analysis.table_left_out": ("……另有 {count} 行", "… {count} more rows"),
    "analysis.table_calibration": (
        "权重反推：{weights}；R² = {r_squared}，最大偏差 {deviation} {unit}",
        "calibration: {weights}; R² = {r_squared}, largest deviation {deviation} {unit}",
    ),
    "analysis.table_lorenz": ("洛伦兹曲线（基尼系数 {gini}）", "Lorenz curve (Gini {gini})"),
    "analysis.table_derivatives": (
        "金额对权重的导数（λ = {multiplier}）",
        "d amount / d weight (λ = {multiplier})",
    ),
    "analysis.table_sweep": ("{count} 个权重的逐一扫描", "one-at-a-time sweeps of {count} weights"),
    "analysis.table_monte_carlo": ("蒙特卡洛模拟，{draws} 次抽样", "Monte Carlo, {draws} draws"),
    "analysis.table_entropy": ("熵权法权重", "entropy weights"),
    "analysis.table_ahp": (
        "层次分析法权重（一致性比率 {ratio}，最大特征值 {lam}）",
        "AHP weights (consistency ratio {ratio}, λ_max = {lam})",
    ),
    "analysis.column_region": ("地区", "region"),
    "analysis.column_fitted": ("拟合金额", "fitted"),
    "analysis.column_residual": ("残差", "residual"),
    "analysis.column_population_share": ("人口累计份额", "population share"),
    "analysis.column_amount_share": ("金额累计份额", "amount share"),
    "analysis.column_measure": ("指标", "measure"),
    "analysis.column_value": ("值", "value"),
    "analysis.column_amount": ("金额", "amount"),
    "analysis.column_derivative": ("对「{label}」的导数", "d / d {label}"),
    "analysis.column_weight": ("权重", "weight"),
    "analysis.column_weight_value": ("权重值", "weight value"),
    "analysis.column_baseline": ("基准", "baseline"),
    "analysis.column_mean": ("均值", "mean"),
    "analysis.column_percentile": ("第 {p} 百分位", "P{p}"),
    "analysis.column_floor_rate": ("触及保底的比例", "floor rate"),
    "analysis.column_cap_rate": ("触及封顶的比例", "cap rate"),
    "analysis.column_indicator": ("指标", "indicator"),
    "analysis.column_entropy": ("熵", "entropy"),
    "analysis.column_divergence": ("差异系数", "divergence"),
    "analysis.column_criterion": ("准则", "criterion"),
    "analysis.measure_gini": ("基尼系数", "Gini"),
    "analysis.measure_theil": ("泰尔指数", "Theil T"),
    "analysis.measure_cv": ("变异系数", "CV"),
    "analysis.measure_hhi": ("赫芬达尔指数", "HHI"),
    "analysis.measure_mean": ("均值", "mean"),
    "analysis.measure_minimum": ("最小值", "minimum"),
    "analysis.measure_maximum": ("最大值", "maximum"),
    # plots
    "analysis.plot_no_cjk_font": (
        "没有找到中文字体，图中的中文会显示为方框：请安装一种中文字体"
        "（Debian/Ubuntu：`apt-get install fonts-noto-cjk`；Windows 和 macOS 自带中文字体），"
        "然后删除 matplotlib 的字体缓存（`matplotlib.get_cachedir()` 所指的文件夹）",
        "no Chinese font found, so the Chinese in the plot shows as boxes: install one "
        "(Debian/Ubuntu: `apt-get install fonts-noto-cjk`; Windows and macOS ship one), then "
        "delete matplotlib's font cache (the folder `matplotlib.get_cachedir()` names)",
    ),
    # interactive weights (analysis/explore.py)
    "analysis.explore_column_region": ("地区", "region"),
    "analysis.explore_column_baseline": ("基准（{unit}）", "baseline ({unit})"),
    "analysis.explore_column_amount": ("金额（{unit}）", "amount ({unit})"),
    "analysis.explore_column_change": ("变化（{unit}）", "change ({unit})"),
    "analysis.explore_item_quota": ("定额", "quotas"),
    "analysis.explore_item_bounds": ("保底、封顶和比例调整", "floors, caps and the adjustment"),
    "analysis.explore_item_rounding": ("取整", "rounding"),
    "analysis.explore_axis_amount": ("金额（{unit}）", "amount ({unit})"),
    "analysis.explore_path": ("文件", "file"),
    "analysis.explore_export": ("导出方案文件", "export the scheme file"),
    "analysis.explore_written": ("已写入方案文件 {path}", "scheme file written: {path}"),
    # calibration of a whole scheme (analysis/calibrate.py: calibrate_scheme)
    "analysis.calibrate_scheme_at_floor": ("保底", "at the floor"),
    "analysis.calibrate_scheme_at_cap": ("封顶", "at the cap"),
    "analysis.calibrate_scheme_free": ("按比例", "proportional"),
    "analysis.calibrate_scheme_column_bound": ("约束", "bound"),
    "analysis.calibrate_scheme_caption": (
        "方案反推：切块 {shares}；权重 {weights}；R² = {r_squared}，最大偏差 {deviation} {unit}",
        "scheme calibration: tranches {shares}; weights {weights}; R² = {r_squared}, "
        "largest deviation {deviation} {unit}",
    ),
    "analysis.calibrate_scheme_tranches": ("切块", "tranches"),
    "analysis.calibrate_scheme_zero_share": (
        "反推出的切块比例为 0，方案不能这样写",
        "a recovered tranche share is 0, which a scheme cannot state",
    ),
    "analysis.calibrate_scheme_zero_share_hint": (
        "从方案中删去这个切块，或检查公布的金额",
        "drop the tranche from the scheme, or check the published amounts",
    ),
    "analysis.calibrate_scheme_outside": (
        "不参与分配的地区公布金额应为 0",
        "expected 0 for the regions that do not take part",
    ),
    "analysis.calibrate_scheme_none_free": (
        "没有可以拟合的地区：参与分配的地区都处于保底或封顶",
        "no region is left to fit: every region taking part is at the floor or the cap",
    ),
    "analysis.calibrate_scheme_all_bounded": (
        "{floors} 个地区保底，{caps} 个地区封顶",
        "{floors} at the floor, {caps} at the cap",
    ),
    "analysis.calibrate_scheme_none_free_hint": (
        "用 `floor=None` 或 `cap=None` 关闭自动识别，或直接给出保底和封顶金额",
        "turn detection off with `floor=None` or `cap=None`, or state the floor and the cap",
    ),
    "analysis.calibrate_scheme_detected_floor": (
        "最小的公布金额 {amount} 有 {count} 个地区相同，视为保底",
        "the smallest published amount, {amount}, is shared by {count} regions: taken as the floor",
    ),
    "analysis.calibrate_scheme_detected_cap": (
        "最大的公布金额 {amount} 有 {count} 个地区相同，视为封顶",
        "the largest published amount, {amount}, is shared by {count} regions: taken as the cap",
    ),
    "analysis.calibrate_scheme_stated_floor": (
        "给定的保底 {amount}：{count} 个地区的公布金额与它相差不到一个取整单位",
        "the floor stated, {amount}; regions within one step of it: {count}",
    ),
    "analysis.calibrate_scheme_stated_cap": (
        "给定的封顶 {amount}：{count} 个地区的公布金额与它相差不到一个取整单位",
        "the cap stated, {amount}; regions within one step of it: {count}",
    ),
    "analysis.calibrate_scheme_own_floor": (
        "方案自己的保底：{count} 个地区的公布金额与其保底相差不到一个取整单位",
        "the scheme's own floors; regions within one step of theirs: {count}",
    ),
    "analysis.calibrate_scheme_own_cap": (
        "方案自己的封顶：{count} 个地区的公布金额与其封顶相差不到一个取整单位",
        "the scheme's own caps; regions within one step of theirs: {count}",
    ),
    "analysis.calibrate_scheme_share_tranche": (
        "有因素的切块及其上级切块应按比例给定（反推的正是这个比例）",
        "expected a tranche sized by a share (the share is what is recovered)",
    ),
    "analysis.calibrate_scheme_fixed_amount": ("固定金额 {amount}", "a fixed amount of {amount}"),
    "analysis.calibrate_scheme_share_tranche_hint": (
        "把固定金额改为占上级切块的比例",
        "give the tranche's size as a share of its parent instead",
    ),
    "analysis.explore_tiers": ("系数档次", "coefficient tiers"),
    "analysis.explore_limits": ("保底和封顶", "floors and caps"),
    "analysis.explore_no_tier": ("没有这个系数档次", "no such coefficient tier"),
    "analysis.explore_no_limit": (
        "没有这个按金额或比例给出的保底或封顶",
        "no floor or cap given as an amount or a share has this name",
    ),
    "analysis.explore_refused": ("未采用这个值：{error}", "this value was not taken: {error}"),
    # robustness (analysis/robustness.py)
    "analysis.robustness_stability_caption": (
        "取整稳定性：对 {columns} 加相对噪声 {noise}，{draws} 次抽样",
        "rounding stability: relative noise {noise} on {columns}, {draws} draws",
    ),
    "analysis.robustness_column_amount": ("公布金额（{unit}）", "published ({unit})"),
    "analysis.robustness_column_changed": ("取整结果变化的概率", "probability of a change"),
    "analysis.robustness_column_mean_change": (
        "平均变化（{unit}）",
        "mean absolute change ({unit})",
    ),
    "analysis.robustness_manipulability_caption": (
        "可操纵性：单独把 {column} 多报 {overstatement}% 的收益",
        "manipulability: the gain from overstating {column} by {overstatement}% alone",
    ),
    "analysis.robustness_column_bounded": ("取整前金额（{unit}）", "before rounding ({unit})"),
    "analysis.robustness_column_gain": ("收益（{unit}）", "gain ({unit})"),
    "analysis.robustness_column_relative_gain": ("相对收益", "relative gain"),
    "analysis.robustness_expected_overstatement": (
        "多报比例应为大于 −1 的有限数",
        "expected a finite overstatement above −1",
    ),
    "analysis.robustness_column_unused": (
        "方案中没有因素使用这一列",
        "no factor of the scheme reads this column",
    ),
    "analysis.robustness_column_unused_hint": (
        "给出某个因素所用的指标列",
        "name the indicator column of one of the factors",
    ),
    "analysis.robustness_constraints": ("分组约束", "group constraints"),
    "analysis.robustness_no_groups": (
        "有分组约束的方案不能用解析式计算",
        "the analytic form does not model group constraints",
    ),
    "analysis.robustness_no_groups_hint": (
        "改为逐个地区修改数据后重新分配",
        "re-allocate with each region's data changed instead",
    ),
    # calibration of tier values (analysis/calibrate.py: calibrate_scheme(tiers=...))
    "analysis.calibrate_scheme_one_tiered": (
        "每个切块最多反推一个分档系数，且应为分档系数",
        "expected at most one coefficient per tranche to fit, and a tiered one",
    ),
    "analysis.calibrate_scheme_no_tiered": (
        "方案中没有这个名称的系数",
        "no coefficient of the scheme has this name",
    ),
    "analysis.calibrate_scheme_tiered_twice": (
        "这个系数用在多个切块中，无法单独反推",
        "this coefficient is used in several tranches and cannot be fitted alone",
    ),
    "analysis.calibrate_scheme_floor_doubt": (
        "{regions} 按拟合结果的测算金额比保底高出一个取整单位以上，可能并不处于保底",
        "{regions}: the fit gives them a step or more above the floor, so they may not be at it",
    ),
    "analysis.calibrate_scheme_cap_doubt": (
        "{regions} 按拟合结果的测算金额比封顶低一个取整单位以上，可能并不处于封顶",
        "{regions}: the fit gives them a step or more below the cap, so they may not be at it",
    ),
    # decompose: shown in compare, the waterfall plot and the XLSX
    "analysis.decompose_needs_allocations": (
        "分解变化原因需要两边都是分配结果",
        "the causes of a change need both sides to be allocations",
    ),
    "analysis.decompose_found_mappings": ("金额表", "mappings of amounts"),
    "analysis.decompose_needs_allocations_hint": (
        "传入两次分配的结果（含方案与数据），而不是地区金额表",
        "pass the two allocations (with their schemes and data), not mappings of amounts",
    ),
    "analysis.decompose_region_parts": ("{region}：{parts}", "{region}: {parts}"),
    "analysis.decompose_no_parts": ("无变化", "no change"),
    "analysis.decompose_sheet": ("变化原因", "causes"),
    "analysis.decompose_title": (
        "各地区金额变化原因（{method}，顺序：{order}）",
        "Causes of each region's change ({method}, order: {order})",
    ),
    "analysis.decompose_units": ("单位：{unit}", "unit: {unit}"),
    "analysis.decompose_all_regions": ("合计", "all regions"),
    "analysis.decompose_sum_of_parts": ("各部分之和", "sum of the parts"),
    "analysis.decompose_check": ("核对", "check"),
    "analysis.decompose_yes": ("是", "yes"),
    "analysis.decompose_no": ("否", "no"),
    "analysis.decompose_plot_title": (
        "{region}：{before} → {after} {unit}，变化 {change}",
        "{region}: {before} → {after} {unit}, change {change}",
    ),
    # the words of the plots
    "analysis.plot_amount": ("分配额", "amount"),
    "analysis.plot_lowered": ("调低", "input lowered"),
    "analysis.plot_raised": ("调高", "input raised"),
    "analysis.plot_base": ("基准", "base"),
    "analysis.plot_curve": ("洛伦兹曲线（基尼系数 {gini:.3f}）", "Lorenz curve (Gini {gini:.3f})"),
    "analysis.plot_equality": ("绝对平均线", "line of equality"),
    "analysis.plot_population": ("累计人口占比", "cumulative share of the population"),
    "analysis.plot_money": ("累计资金占比", "cumulative share of the money"),
}
