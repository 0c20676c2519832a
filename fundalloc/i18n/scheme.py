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
    "scheme.expected.date": ("应为日期，如 2026-12-03", "expected a date such as 2026-12-03"),
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
    "scheme.expected.at_least_items": ("应至少有 {count} 项", "expected {count} or more items"),
    "scheme.expected.at_most_items": ("应至多有 {count} 项", "expected {count} or fewer items"),
    "scheme.expected.at_least_characters": (
        "应至少有 {count} 个字符",
        "expected {count} or more characters",
    ),
    "scheme.expected.at_most_characters": (
        "应至多有 {count} 个字符",
        "expected {count} or fewer characters",
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
    "scheme.rule.plus": ("{left} + {right}", "{left} + {right}"),
    "scheme.rule.times": ("{left} × {right}", "{left} × {right}"),
    "scheme.rule.relative": ("{column}/平均值", "{column}/mean"),
    "scheme.rule.affine": ("{offset} + {scale}·{x}", "{offset} + {scale}·{x}"),
    "scheme.rule.clip": ("截断({x}, {lower}, {upper})", "clip({x}, {lower}, {upper})"),
    "scheme.rule.power": ("({x})^{exponent}", "({x})^{exponent}"),
    "scheme.rule.tiered": ("{column}（{tiers}）", "{column} ({tiers})"),
    "scheme.rule.group_term": ("{weight}·[{rule}]", "{weight}·[{rule}]"),
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
    # ---- expressions
    "scheme.expression.not_text": ("表达式应为文本", "expected an expression as text"),
    "scheme.expression.too_long": (
        "表达式过长：最多 {limit} 个字符",
        "expression too long: at most {limit} characters are allowed",
    ),
    "scheme.expression.characters": ("{count} 个字符", "{count} characters"),
    # Python's own words are quoted as they are, as code
    "scheme.expression.syntax": ("语法错误（解析器原话：`{detail}`）", "{detail}"),
    "scheme.expression.unparsable": (
        "无法解析（`{reason}`）",
        "cannot be parsed ({reason})",
    ),
    "scheme.expression.unevaluable": (
        "无法计算（`{reason}`）",
        "cannot be evaluated ({reason})",
    ),
    "scheme.expression.too_deep": ("嵌套过深", "nested too deeply"),
    "scheme.expression.finite": (
        "每个地区的结果都应为有限的数",
        "expected a finite number for every region",
    ),
    "scheme.expression.finite_hint": (
        "可能除以了 0，或对负数取了对数或平方根",
        "a division by zero or the log or square root of a negative number",
    ),
    "scheme.expression.operator": ("不允许使用运算符 {name}", "the operator {name} is not allowed"),
    "scheme.expression.constant": (
        "常量只能是数字，不能是 {value}",
        "only numbers are allowed as constants, not {value}",
    ),
    "scheme.expression.normalised": (
        "名称 '{written}' 会被读作 '{read}'；请写在反引号中：`{written}`",
        "the name '{written}' would be read as '{read}'; write it in backticks: `{written}`",
    ),
    "scheme.expression.dunder": (
        "不允许使用名称 '{name}'（双下划线名称一律不允许）",
        "the name '{name}' is not allowed (dunder names are never allowed)",
    ),
    "scheme.expression.call": (
        "不允许调用 {called}；可用的函数有 {functions}",
        "calling {called} is not allowed; the functions are {functions}",
    ),
    "scheme.expression.keywords": (
        "{function}() 中不允许使用关键字参数",
        "keyword arguments are not allowed in {function}()",
    ),
    "scheme.expression.exactly": ("{count} 个", "{count}"),
    "scheme.expression.at_least": ("至少 {count} 个", "at least {count}"),
    "scheme.expression.arguments": (
        "{function}() 需要 {expected}参数，实际给了 {count} 个",
        "{function}() takes {expected} arguments, got {count}",
    ),
    "scheme.expression.not_allowed": ("不允许使用{construct}", "{construct} is not allowed"),
    "scheme.construct.attribute": ("属性访问", "attribute access"),
    "scheme.construct.subscript": ("下标", "a subscript"),
    "scheme.construct.lambda": ("匿名函数", "a lambda"),
    "scheme.construct.comprehension": ("推导式", "a comprehension"),
    "scheme.construct.list": ("列表", "a list"),
    "scheme.construct.tuple": ("元组", "a tuple"),
    "scheme.construct.dict": ("字典", "a dict"),
    "scheme.construct.set": ("集合", "a set"),
    "scheme.construct.starred": ("星号参数", "a starred argument"),
    "scheme.construct.conditional": (
        "条件表达式（请用 `where(condition, a, b)`）",
        "a conditional expression (use where(condition, a, b))",
    ),
    "scheme.construct.assignment": ("赋值表达式", "an assignment expression"),
    "scheme.construct.fstring": ("格式化字符串", "an f-string"),
    "scheme.construct.await": ("`await`", "await"),
    "scheme.construct.yield": ("`yield`", "yield"),
    "scheme.construct.slice": ("切片", "a slice"),
    "scheme.construct.expression": ("表达式", "an expression"),
    "scheme.construct.other": ("语法结构 {name}", "the construct {name}"),
    # ---- several levels
    "scheme.levels.unfunded": (
        "{region}：0（上级 {parent} 分得 0，无可下分）",
        "{region}: 0 (its parent {parent} got nothing to pass down)",
    ),
    "scheme.levels.passed_down": ("下分：{children}", "passed down: {children}"),
    "scheme.levels.no_region": ("没有这个地区", "no such region"),
    "scheme.levels.parent_column": ("应有上级列", "expected a parent column"),
    "scheme.levels.parent_column_hint": (
        '指明上级列：`RegionTable(..., parent="上级")`',
        'name it: `RegionTable(..., parent="上级")`',
    ),
    "scheme.levels.no_scheme": ("至少需要一个方案", "needs at least one scheme"),
    "scheme.levels.unknown_parents": (
        "指定的地区不在数据表中",
        "names regions that are not in the table",
    ),
    "scheme.levels.top_level": (
        "应有顶层地区（其上级不在表中）",
        "expected top-level regions (whose parent is not in the table)",
    ),
    "scheme.levels.no_top": ("每个地区的上级都是表中的地区", "every region's parent is a region"),
    "scheme.levels.no_level_scheme": (
        "有第 {level} 级的下级地区，但没有这一级的方案",
        "has children at level {level} but there is no scheme for that level",
    ),
    "scheme.levels.no_level_scheme_hint": (
        "给出 {count} 个方案，或 `per_parent={{'{parent}': ...}}`",
        "give {count} schemes, or per_parent={{'{parent}': ...}}",
    ),
    "scheme.levels.units": (
        "下级按 {unit} 分配，但本级金额的单位是 {parent_unit}",
        "the children are allocated in {unit} but this region's amount is in {parent_unit}",
    ),
    "scheme.levels.step": (
        "金额 {amount} {unit} 不是下级取整单位 {step} 的整数倍",
        "the amount {amount} {unit} is not a whole number of its children's step {step}",
    ),
    "scheme.levels.tree": ("地区应构成一棵树", "expected a tree of regions"),
    "scheme.levels.cycle": ("一个环：{regions}", "a cycle: {regions}"),
    # ---- fundalloc init: the starter files' comments and messages
    "scheme.starter.title": (
        "因素法分配方案（fundalloc 方案文件）。改好数字后运行：`fundalloc allocate scheme.toml`",
        "Factor-method allocation scheme (a fundalloc scheme file). Edit the numbers, "
        "then run: fundalloc allocate scheme.toml",
    ),
    "scheme.starter.name": ("资金名称", "the fund's name"),
    "scheme.starter.document": (
        "文号，如 某财预〔2025〕1号",
        "the document number (文号)",
    ),
    "scheme.starter.total": ("总额", "the total"),
    "scheme.starter.step": ("取整单位：1 万元", "rounding step: 1 万元"),
    "scheme.starter.rounding": (
        "最大余额法；或 `webster`、`jefferson`、`half_up`",
        "largest remainder; or webster, jefferson, half_up",
    ),
    "scheme.starter.path": ("相对本文件的数据表", "the data file, relative to this file"),
    "scheme.starter.eligibility": (
        "只有满足条件的地区参与分配",
        "only the regions meeting the condition take part",
    ),
    "scheme.starter.tranche_factors": (
        "切块一：80% 按因素分配",
        "tranche one: 80% by the factors",
    ),
    "scheme.starter.tranche_villages": (
        "切块二：20% 按重点村个数",
        "tranche two: 20% by the number of priority villages",
    ),
    "scheme.starter.bounds": ("保底与封顶", "floors and caps"),
    "scheme.starter.expected_folder": (
        "示例文件应写入一个文件夹",
        "expected a folder for the starter files",
    ),
    "scheme.starter.a_file": ("一个文件", "a file"),
    "scheme.starter.folder_hint": ("请指定新的或已有的文件夹", "name a new or existing folder"),
    "scheme.starter.exists": ("已存在，不会覆盖", "already exists and is not overwritten"),
    "scheme.starter.exists_hint": ("请选一个空文件夹", "choose an empty folder"),
    # ---- optional packages
    "scheme.optional.missing": (
        "这需要可选的包 '{module}'",
        "this needs the optional package '{module}'",
    ),
    "scheme.optional.install": (
        "安装：`pip install 'fundalloc[{extra}]'`",
        "pip install 'fundalloc[{extra}]'",
    ),
    # what Python or a parser said, quoted as code in Chinese (its words are English)
    "scheme.file.said": ("`{words}`", "{words}"),
}
