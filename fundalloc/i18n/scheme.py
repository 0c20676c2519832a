"""Messages of schemes, scheme files, factors, bounds, constraints, expressions and levels.

Each entry is ``id: (Chinese, English)``, ids prefixed ``scheme.``; see :mod:`fundalloc.i18n`
for the rules every message follows.
"""

MESSAGES: dict[str, tuple[str, str]] = {
    # ---- places
    "scheme.place.column": ("列 '{column}'", "column '{column}'"),
    "scheme.place.source_column": ("{source}，列 '{column}'", "{source}, column '{column}'"),
    "scheme.place.line": ("{where}，第 {line} 行", "{where}, line {line}"),
    "scheme.place.key": ("{where}：{path}", "{where}: {path}"),
    "scheme.place.line_key": ("{where}，第 {line} 行：{path}", "{where}, line {line}: {path}"),
    "scheme.place.top": ("（顶层）", "(top level)"),
    "scheme.place.factor": ("因素 '{name}'", "factor '{name}'"),
    "scheme.place.formula": ("第 {number} 个公式（{rule}）", "{rule} formula {number}"),
    "scheme.place.composite": ("{columns} 的综合指数", "composite index of {columns}"),
    "scheme.place.expression": ('表达式 "{text}"', 'expression "{text}"'),
    "scheme.place.expression_at": (
        '表达式 "{text}"，第 {character} 个字符',
        'expression "{text}", at character {character}',
    ),
    "scheme.place.children": ("{parent} 的下级", "children of {parent}"),
    "scheme.place.children_at": ("{parent} 的下级，{where}", "children of {parent}, {where}"),
    "scheme.place.data": ("数据", "data"),
    # ---- what pydantic checks, in our words
    "scheme.key.missing": ("缺少键 '{key}'", "missing key '{key}'"),
    "scheme.key.unknown": ("未知的键 '{key}'", "unknown key '{key}'"),
    "scheme.key.did_you_mean": ("是否想写 '{name}'？", "did you mean '{name}'?"),
    "scheme.key.allowed": ("此处可用的键：{names}", "the keys here are {names}"),
    "scheme.expected.one_of": ("应为以下之一：{values}", "expected one of {values}"),
    "scheme.expected.tag": (
        "{key} 应为以下之一：{values}",
        "expected {key} to be one of {values}",
    ),
    "scheme.expected.tag_key": (
        "缺少键 '{key}'，它说明这是哪一种",
        "missing key '{key}', which says what kind this is",
    ),
    "scheme.expected.number": ("应为数字", "expected a number"),
    "scheme.expected.bool": ("应为 `true` 或 `false`", "expected true or false"),
    "scheme.expected.text": ("应为文本", "expected text"),
    "scheme.expected.list": ("应为列表", "expected a list"),
    "scheme.expected.table": ("应为键值表", "expected a table of keys"),
    "scheme.expected.finite": ("应为有限的数", "expected a finite number"),
    "scheme.expected.nothing": ("此处不应有值", "expected no value here"),
    "scheme.expected.gt": ("应为大于 {limit} 的数", "expected a number greater than {limit}"),
    "scheme.expected.ge": (
        "应为不小于 {limit} 的数",
        "expected a number greater than or equal to {limit}",
    ),
    "scheme.expected.lt": ("应为小于 {limit} 的数", "expected a number less than {limit}"),
    "scheme.expected.le": (
        "应为不大于 {limit} 的数",
        "expected a number less than or equal to {limit}",
    ),
    "scheme.expected.at_least_items": ("应至少有 {count} 项", "expected at least {count} items"),
    "scheme.expected.at_most_items": ("应至多有 {count} 项", "expected at most {count} items"),
    "scheme.expected.at_least_characters": (
        "应至少有 {count} 个字符",
        "expected at least {count} characters",
    ),
    "scheme.expected.at_most_characters": (
        "应至多有 {count} 个字符",
        "expected at most {count} characters",
    ),
    "scheme.expected.valid": ("值不符合要求（{kind}）", "not a valid value ({kind})"),
    # ---- weights
    "scheme.weights.not_finite": (
        "每个权重都应为有限的数；实际为 {weights}",
        "every weight must be a finite number; found {weights}",
    ),
    "scheme.weights.negative": (
        "'{name}' 的权重为负数（{weight}）",
        "the weight of '{name}' is negative ({weight})",
    ),
    "scheme.weights.zero": (
        "权重之和为 0；至少一个应为正数",
        "the weights add up to 0; at least one must be positive",
    ),
    "scheme.weights.not_one": (
        "权重之和为 {total}（{terms}），应在 {tolerance} 以内等于 1；"
        "设 `normalise_weights = true` 可按比例换算",
        "the weights add up to {total} ({terms}), expected 1 within {tolerance}; "
        "set normalise_weights=true to rescale them",
    ),
    # ---- data read by rules
    "scheme.data.expected_nonnegative": ("应为不小于 0 的数", "expected a number >= 0"),
    # ---- conditions
    "scheme.condition.needs_list": (
        "比较 '{op}' 需要一个值的列表",
        "op '{op}' needs a list of values",
    ),
    "scheme.condition.needs_number": ("比较 '{op}' 需要一个数", "op '{op}' needs a number"),
    "scheme.condition.number": ("{column} {op} {value:g}", "{column} {op} {value:g}"),
    "scheme.condition.list": ("{column} {op} [{values}]", "{column} {op} [{values}]"),
    "scheme.condition.text": ("{column} {op} '{value}'", "{column} {op} '{value}'"),
    # ---- factor rules
    "scheme.rule.column": ("{column}", "{column}"),
    "scheme.rule.ratio": ("{numerator} / {denominator}", "{numerator} / {denominator}"),
    "scheme.rule.inverse": ("{reference}({column}) / {column}", "{reference}({column}) / {column}"),
    "scheme.rule.reference_mean": ("平均值", "mean"),
    "scheme.rule.reference_max": ("最大值", "max"),
    "scheme.rule.reference_min": ("最小值", "min"),
    "scheme.rule.zscore": ("标准分", "zscore"),
    "scheme.rule.minmax": ("极差标准化", "minmax"),
    "scheme.rule.ratio_to_mean": ("与均值之比", "ratio_to_mean"),
    "scheme.rule.composite_term": (
        "{weight}·{sign}{normalise}({column})",
        "{weight}·{sign}{normalise}({column})",
    ),
    "scheme.rule.composite": ("{terms}", "{terms}"),
    "scheme.rule.composite_offset": ("{offset} + {terms}", "{offset} + {terms}"),
    "scheme.rule.relative": ("{column}/平均值", "{column}/mean"),
    "scheme.rule.affine": ("{offset} + {scale}·{x}", "{offset} + {scale}·{x}"),
    "scheme.rule.clip": ("截断({x}, {lower}, {upper})", "clip({x}, {lower}, {upper})"),
    "scheme.rule.power": ("({x})^{exponent}", "({x})^{exponent}"),
    "scheme.rule.product": ("{terms}", "{terms}"),
    "scheme.rule.tiered": ("{column}（{tiers}）", "{column} ({tiers})"),
    "scheme.rule.group_term": ("{weight}·[{rule}]", "{weight}·[{rule}]"),
    "scheme.rule.group": ("{terms}", "{terms}"),
    "scheme.rule.max": ("取大({rules})", "max({rules})"),
    "scheme.rule.min": ("取小({rules})", "min({rules})"),
    "scheme.rule.positive_denominator": (
        "{numerator} / {denominator} 的分母应为正数",
        "expected a positive denominator for {numerator} / {denominator}",
    ),
    "scheme.rule.positive_inverse": (
        "逆向指标的值应为正数",
        "expected a positive value for an inverse indicator",
    ),
    "scheme.rule.positive_inverse_part": (
        "逆向分项的值应为正数",
        "expected a positive value for an inverse part",
    ),
    "scheme.rule.nonnegative_index": ("综合指数应不小于 0", "expected a non-negative index"),
    "scheme.rule.nonnegative_index_hint": (
        '设 `negative = "clip"` 或 `negative = "shift"`，或加一个 `offset`',
        'choose negative="clip" or negative="shift", or an offset',
    ),
    "scheme.rule.lower_above_upper": (
        "下限（{lower}）高于上限（{upper}）",
        "lower ({lower}) is above upper ({upper})",
    ),
    "scheme.rule.positive_base": ("{term} 的底数应为正数", "expected a positive base for {term}"),
    "scheme.rule.negative_tiers": (
        "档次系数应不小于 0；实际为 {tiers}",
        "tier values must be >= 0; found {tiers}",
    ),
    "scheme.rule.finite_scores": (
        "每个地区的得分都应为有限的数",
        "expected a finite score for every region",
    ),
    "scheme.rule.check_formula": ("检查公式 {rule}", "check the formula {rule}"),
    "scheme.rule.positive_score": (
        "参与分配的地区中应至少有一个得分为正",
        "expected a positive score for at least one region taking part",
    ),
    "scheme.rule.all_zero": ("得分全为 0（{rule}）", "all scores are 0 ({rule})"),
    "scheme.rule.total_of": ("得分之和为 {total}", "a total of {total}"),
    "scheme.factor.duplicate": (
        "因素名 '{name}' 用了不止一次",
        "factor name '{name}' is used more than once",
    ),
    # ---- tranches and schemes
    "scheme.tranche.none": ("都没有", "none"),
    "scheme.tranche.one_size": (
        "`share`、`amount`、`quota` 应恰好给出一个；实际给出 {given}",
        "give exactly one of share, amount or quota; got {given}",
    ),
    "scheme.tranche.one_way": (
        "切块应恰好按 `quota`、`factors`、`tranches` 之一分配；实际给出 {given}",
        "split the tranche by exactly one of quota, factors or sub-tranches; got {given}",
    ),
    "scheme.tranche.quota_alone": (
        "定额切块不能有调节系数或参与条件：每个地区得到 数量 × 定额",
        "a quota tranche takes no coefficients or eligibility: every region gets count × rate",
    ),
    "scheme.tranche.duplicate_coefficient": (
        "系数名 '{name}' 用了不止一次",
        "coefficient name '{name}' is used more than once",
    ),
    "scheme.tranche.duplicate": (
        "切块名 '{name}' 用了不止一次",
        "tranche name '{name}' is used more than once",
    ),
    "scheme.tranche.shares": (
        "各切块份额之和为 {total}（{terms}），应为 1：份额分的是定额和固定金额切块之外的部分",
        "the tranche shares add up to {total} ({terms}), expected 1: "
        "shares split what the fixed and quota tranches leave",
    ),
    "scheme.derived.duplicate": (
        "派生列 '{name}' 定义了不止一次",
        "derived column '{name}' is defined more than once",
    ),
    "scheme.derived.no_name": ("派生列需要一个名称", "a derived column needs a name"),
    "scheme.derived.problem": ("{name}：{problem}", "{name}: {problem}"),
    "scheme.total.too_many_steps": (
        "总额为 {units} 个 {step} 的取整单位；最多支持 2**62 个：请选更大的取整单位",
        "the total is {units} steps of {step}; at most 2**62 steps are supported: "
        "choose a larger step",
    ),
    "scheme.total.not_multiple": (
        "总额 {total} 不是取整单位 {step} 的整数倍",
        "the total {total} is not a whole multiple of the step {step}",
    ),
    "scheme.total.fixed_above": (
        "固定金额切块合计 {fixed} {unit}，但总额只有 {total} {unit}",
        "the fixed tranches add up to {fixed} {unit} but the total is {total} {unit}",
    ),
    # ---- a scheme shown in a notebook
    "scheme.html.title": ("分配方案", "Allocation scheme"),
    "scheme.html.title_document": ("{title}（{document}）", "{title} ({document})"),
    "scheme.html.total": (
        "总额 {total} {unit}，取整到 {step} {unit}（{method}）",
        "total {total} {unit}, rounded to {step} {unit} ({method})",
    ),
    "scheme.html.derived": ("派生列 {name} = {expression}", "derived column {name} = {expression}"),
    "scheme.html.eligibility": ("参与条件：{condition}", "taking part: {condition}"),
    "scheme.html.share_amount": ("{share}（{amount} {unit}）", "{share} ({amount} {unit})"),
    "scheme.html.quota": ("定额", "quota"),
    "scheme.html.condition": ("参与条件", "taking part"),
    "scheme.html.tranche_factor": ("切块 / 因素", "Tranche / factor"),
    "scheme.html.share": ("份额（金额）", "Share (amount)"),
    "scheme.html.weight": ("权重", "Weight"),
    "scheme.html.rule": ("计算方法", "Formula"),
    "scheme.html.floor": ("保底", "floor"),
    "scheme.html.cap": ("封顶", "cap"),
    "scheme.html.constraint": ("组合约束", "group constraint"),
    "scheme.html.limit": ("{kind}：{limit}", "{kind}: {limit}"),
    # ---- scheme files
    "scheme.file.unreadable": ("无法读取方案文件", "cannot read the scheme file"),
    "scheme.file.not_utf8": ("应为 UTF-8 文本文件", "expected a UTF-8 text file"),
    "scheme.file.undecodable": ("无法解码的字节", "undecodable bytes"),
    "scheme.file.version_missing": (
        "文件开头应有 `schema_version = {version}`",
        "expected schema_version = {version} at the top",
    ),
    "scheme.file.no_version": ("没有 `schema_version`", "no schema_version"),
    "scheme.file.version_expected": ("应为 {version}", "expected {version}"),
    "scheme.file.version_reads": (
        "此版本的 fundalloc 读取第 {version} 版方案文件",
        "this fundalloc reads version {version} scheme files",
    ),
    "scheme.file.version_whole": (
        "版本号是整数 {version}，不写小数点",
        "the version is the whole number {version}, written without a decimal point",
    ),
    "scheme.file.found_boolean": ("布尔值 {value}", "the boolean {value}"),
    "scheme.file.found_decimal": ("小数 {value}", "the decimal number {value}"),
    "scheme.file.too_large": (
        "方案文件过大：最多 {limit} 个字符",
        "too large for a scheme file: expected at most {limit} characters",
    ),
    "scheme.file.too_large_hint": (
        "方案文件只写规则；各地区的数据应放在数据文件中",
        "a scheme holds the rules; the regions' numbers belong in the data file",
    ),
    "scheme.file.levels": (
        "到第 {line} 行已超过 {limit} 层",
        "more than {limit} levels by line {line}",
    ),
    "scheme.file.too_deep": ("嵌套过深", "nested too deeply"),
    "scheme.file.too_deep_hint": (
        "方案文件只需要几层表、数组和带点的键",
        "a scheme file needs only a few levels of tables, arrays and dotted keys",
    ),
    "scheme.file.not_toml": ("不是有效的 TOML", "not valid TOML"),
    "scheme.file.not_json": ("不是有效的 JSON", "not valid JSON"),
    "scheme.file.top_table": ("顶层应为键值表", "expected a table of keys at the top"),
    "scheme.file.surrogate": ("单独的代理码 {code}", "a lone surrogate {code}"),
    "scheme.file.surrogate_hint": (
        "基本平面以外的字符写成一对转义，或直接写出该字符",
        "a character outside the BMP is written as a pair of escapes, or as itself",
    ),
    "scheme.file.quote_key": (
        '含中文等字符的键要加引号：`"{key}" = ...`',
        'quote keys that are not plain ASCII: "{key}" = ...',
    ),
}
