"""Messages of outputs, explanations, publication pages and verify.

Each entry is ``id: (Chinese, English)``, ids prefixed ``output.``; see :mod:`fundalloc.i18n`
for the rules every message follows.
"""

MESSAGES: dict[str, tuple[str, str]] = {
    # ---- the stages of a breakdown (Item.stage), for tables, plots and explain
    "output.stage.factor": ("因素", "factor"),
    "output.stage.quota": ("定额", "quota"),
    "output.stage.coefficients": ("调节系数", "coefficients"),
    "output.stage.floor": ("保底", "floor"),
    "output.stage.cap": ("封顶", "cap"),
    "output.stage.adjustment": ("比例调整", "proportional adjustment"),
    "output.stage.group": ("组合约束", "group constraint"),
    "output.stage.rounding": ("取整", "rounding"),
    # ---- rounding methods
    "output.method.largest_remainder": ("最大余额法", "largest remainder"),
    "output.method.jefferson": ("最大除数法（洪德法）", "Jefferson (D'Hondt)"),
    "output.method.webster": ("圣拉格法（韦伯斯特法）", "Webster (Sainte-Laguë)"),
    "output.method.huntington_hill": ("亨廷顿-希尔法", "Huntington-Hill"),
    "output.method.adams": ("亚当斯法", "Adams"),
    "output.method.half_up": ("四舍五入", "half-up, independently"),
    # ---- explain: one line per template
    "output.explain.head": ("{region}：{amount}", "{region}: {amount}"),
    "output.explain.excluded": (
        "  不参与分配：不满足条件 {condition}",
        "  does not take part: fails the condition {condition}",
    ),
    "output.explain.tranche": ("  切块「{path}」{amount}：", "  tranche '{path}' of {amount}:"),
    "output.explain.tranche_out": (
        "  切块「{path}」{amount}：不参与，不满足 {conditions}",
        "  tranche '{path}' of {amount}: not taking part, fails {conditions}",
    ),
    "output.explain.factor": (
        "    {name}（权重 {weight:.4g}，份额 {share:.4%}）：{amount}",
        "    {name} (weight {weight:.4g}, share {share:.4%}): {amount}",
    ),
    "output.explain.quota": ("    定额 {name}：{amount}", "    quota {name}: {amount}"),
    "output.explain.coefficients": (
        "    调节系数 {factors}（乘后按切块总额重新归一）：{amount}",
        "    coefficients {factors} (then rescaled to the tranche): {amount}",
    ),
    "output.explain.target": ("  测算数：{amount}", "  formula target: {amount}"),
    "output.explain.floor": (
        "  保底（{name}，达到保底）：{amount}",
        "  floor ({name}, raised to its floor): {amount}",
    ),
    "output.explain.cap": (
        "  封顶（{name}，受封顶限制）：{amount}",
        "  cap ({name}, held at its cap): {amount}",
    ),
    "output.explain.adjustment": (
        "  比例调整（{name}，按共同比例为保底/封顶调整）：{amount}",
        "  proportional adjustment ({name}, scaled with the others to fit the bounds): {amount}",
    ),
    "output.explain.group": (
        "  组合约束（{name}，本组按自己的比例 ×{ratio:.6g} 调整）：{amount}",
        "  group constraint ({name}, its group scaled by its own ×{ratio:.6g}): {amount}",
    ),
    "output.explain.rounding": (
        "  取整（{method}，单位 {step}）：{amount}",
        "  rounding ({method}, step {step}): {amount}",
    ),
    "output.explain.tie": (
        "  并列：与 {others} 对最后一个单位的主张相同，"
        "按规则（测算数较大者优先，再按名称）{outcome}",
        "  tie: same claim to the last unit as {others}; by the rule (larger exact amount "
        "first, then id order) it {outcome}",
    ),
    "output.explain.tie_won": ("获得该单位", "got the unit"),
    "output.explain.tie_lost": ("未获得该单位", "did not get the unit"),
    "output.explain.total": ("  合计：{amount}", "  amount: {amount}"),
    "output.lambda": ("λ = {value}", "λ = {value}"),
    "output.no_such_region": ("没有这个地区", "no such region"),
    "output.did_you_mean": ("是否要找 {name}？", "did you mean {name}?"),
    # ---- column headers and words of the tables (a scheme's [labels] overrides them by key)
    "output.label.region": ("地区", "region"),
    "output.label.amount": ("分配金额", "amount"),
    "output.label.target": ("测算数", "formula target"),
    "output.label.bounded": ("限额调整后", "bounded amount"),
    "output.label.units": ("取整单位数", "steps"),
    "output.label.share": ("占比", "share"),
    "output.label.total": ("合计", "total"),
    "output.label.stage": ("环节", "stage"),
    "output.label.tranche": ("切块", "tranche"),
    "output.label.item": ("项目", "item"),
    "output.label.value": ("金额", "amount"),
    "output.label.factor": ("因素", "factor"),
    "output.label.weight": ("权重", "weight"),
    "output.label.rule": ("计算方法", "rule"),
    "output.label.rounding": ("取整", "rounding"),
    "output.label.unit": ("单位", "unit"),
    "output.label.fund": ("资金名称", "fund"),
    "output.label.document": ("文号", "document"),
    "output.label.formula": ("分配方法", "method"),
    "output.label.note": ("说明", "note"),
    "output.label.key": ("项目", "item"),
    "output.label.content": ("内容", "content"),
    "output.label.bound_kind": ("限额环节", "bound stage"),
    "output.label.bound_name": ("限额", "bound"),
    "output.label.bound_value": ("限额调整", "bound effect"),
    "output.with_unit": ("{label}（{unit}）", "{label} ({unit})"),
    "output.column_item": ("{stage}：{tranche}/{name}", "{stage}: {tranche}/{name}"),
    "output.amount_decimal": ("{label}（精确）", "{label} (exact)"),
    # ---- sheet names of the XLSX output
    "output.sheet.allocation": ("分配结果", "allocation"),
    "output.sheet.detail": ("测算明细", "calculation"),
    "output.sheet.factors": ("分配因素及权重", "factors and weights"),
    "output.sheet.input": ("输入数据", "input data"),
    "output.sheet.provenance": ("来源", "provenance"),
    # ---- provenance
    "output.provenance.scheme_file": ("方案文件", "scheme file"),
    "output.provenance.scheme_sha256": ("方案 SHA-256", "scheme SHA-256"),
    "output.provenance.data_file": ("数据文件", "data file"),
    "output.provenance.data_sha256": ("数据 SHA-256", "data SHA-256"),
    "output.provenance.version": ("fundalloc 版本", "fundalloc version"),
    "output.provenance.created": ("生成时间", "created"),
    "output.provenance.python": ("Python 版本", "Python version"),
    # ---- titles, notes, the terminal table
    "output.title.allocation": ("资金分配结果", "Allocation"),
    "output.title.short": ("分配结果", "allocation"),
    "output.title.with_document": ("{name}（{document}）", "{name} ({document})"),
    "output.title.with_total": ("{title}：{total} {unit}", "{title}: {total} {unit}"),
    "output.fact": ("{key}：{value}", "{key}: {value}"),
    "output.quota_size": ("定额", "quota"),
    "output.quota_rule": ("定额", "quota"),
    "output.tranche_cell": ("{path}（{size}）", "{path} ({size})"),
    "output.rounding_exact": (
        "金额按{method}取整到 {step}，合计等于总额 {total}。",
        "Amounts are rounded to {step} by {method}; they add up to the total of {total}.",
    ),
    "output.rounding_left": (
        "金额各自四舍五入到 {step}；尾差 {size} 未分配。",
        "Amounts are rounded half-up to {step} one by one; {size} are left unallocated.",
    ),
    "output.rounding_over": (
        "金额各自四舍五入到 {step}；合计超出总额 {size}。",
        "Amounts are rounded half-up to {step} one by one; they exceed the total by {size}.",
    ),
    "output.more_regions": (
        "…（另有 {count} 个地区未显示，见输出文件）",
        "… ({count} more regions not shown: see the output file)",
    ),
    "output.calculation_left_out": (
        "本工作簿未包含测算表：{count} 个地区，超过默认上限 {limit}（生成较慢）；"
        "需要时用 --calculation-sheet 或 `calculation_sheet=True`。",
        "The calculation sheet is left out: {count} regions, above the default limit of "
        "{limit} (it is slow to write); ask for it with --calculation-sheet or "
        "calculation_sheet=True.",
    ),
    # ---- the HTML repr in Jupyter
    "output.repr.caption": (
        "{title}：{total} {unit}，{count} 个地区，{method}取整到 {step} {unit}",
        "{title}: {total} {unit}, {count} regions, rounded to {step} {unit} by {method}",
    ),
    "output.repr.left_out": ("… 另有 {count} 个地区", "… {count} more regions"),
    "output.repr.excluded": (
        "不参与分配（不满足参与条件）：{regions}",
        "not taking part (not eligible): {regions}",
    ),
    "output.repr.excluded_more": (
        "{regions} 等 {count} 个",
        "{regions} and others, {count} in all",
    ),
    "output.repr.tie": (
        "并列：{won} 获得最后的单位，{lost} 未获得",
        "tie: {won} got the last unit, {lost} did not",
    ),
    "output.repr.residual": ("尾差 {size} {unit} 未分配", "{size} {unit} left unallocated (尾差)"),
    "output.repr.excess": (
        "合计超出总额 {size} {unit}",
        "the amounts exceed the total by {size} {unit}",
    ),
    # ---- errors of the outputs
    "output.unknown_format": (
        "未知的输出格式 {name}；可用的格式：{known}",
        "unknown output format {name}; expected one of: {known}",
    ),
    "output.source_date_epoch": (
        "应为自 1970-01-01（协调世界时）起的整数秒",
        "expected a whole number of seconds since 1970-01-01 UTC",
    ),
    "output.unknown_language": (
        "未知的语言 {name}；可用：{known}",
        "unknown language {name}; expected one of: {known}",
    ),
    # ---- verify
    "output.verify.expected_output": (
        "应为 `fundalloc allocate` 生成的 `.json` 或 `.xlsx` 输出",
        "expected a .json or .xlsx output of fundalloc allocate",
    ),
    "output.verify.a_file": ("{suffix} 文件", "a {suffix} file"),
    "output.verify.extensionless": ("无扩展名的文件", "an extensionless file"),
    "output.verify.not_json": (
        "不是 `fundalloc allocate` 生成的 JSON 输出",
        "not a JSON output of fundalloc allocate",
    ),
    "output.verify.not_xlsx": (
        "不是 `fundalloc allocate` 生成的 XLSX 输出",
        "not an XLSX output of fundalloc allocate",
    ),
    "output.verify.not_readable": (
        "不是 `fundalloc allocate` 生成的可读输出",
        "not a readable output of fundalloc allocate",
    ),
    "output.verify.expected": ("应为{what}", "expected {what}"),
    "output.verify.missing": ("缺少", "missing"),
    "output.verify.no_such_key": ("没有这个键", "no such key"),
    "output.verify.an_amount": (
        '以数字写出的金额，如 "279" 或 "12.5"',
        'an amount written as digits, like "279" or "12.5"',
    ),
    "output.verify.a_finite_number": ("有限的数", "a finite number"),
    "output.verify.kind_text": ("文本", "text"),
    "output.verify.kind_number": ("数", "a number"),
    "output.verify.kind_table": ("键值表", "a table of keys"),
    "output.verify.kind_list": ("列表", "a list"),
    "output.verify.kind_nothing": ("空值", "nothing"),
    "output.verify.kind_boolean": ("真或假", "true or false"),
    "output.verify.or": ("{first}或{second}", "{first} or {second}"),
    "output.verify.found_boolean": ("布尔值 {value}", "the boolean {value}"),
    "output.verify.found_table": ("有 {count} 个键的表", "a table of {count} keys"),
    "output.verify.found_list": ("有 {count} 项的列表", "a list of {count} items"),
    "output.verify.found_null": ("`null`", "null"),
    "output.verify.found_value": ("{value}", "{value}"),
    "output.verify.recorded_data": ("记录的数据：{error}", "the recorded data: {error}"),
    "output.verify.nested": ("嵌套过深", "nested too deeply"),
    "output.verify.recorded_scheme": ("{where}（记录的方案）", "{where} (recorded scheme)"),
    "output.verify.recorded_data_place": ("{where}（记录的数据）", "{where} (recorded data)"),
    "output.verify.top_level": ("（顶层）", "(top level)"),
    "output.verify.scheme_hash": (
        "方案 SHA-256：输出中为 {then}…，但记录的方案文本为 {now}…（方案文本或其哈希被修改过）",
        "scheme SHA-256: {then}… in the output, but the recorded scheme text has {now}… "
        "(the scheme text or its hash was edited)",
    ),
    "output.verify.scheme_changed": (
        "方案文件 {path} 在生成输出后已改变（当时 SHA-256 为 {then}…，现在为 {now}…）",
        "the scheme file {path} has changed since the output was made "
        "(SHA-256 {then}… then, {now}… now)",
    ),
    "output.verify.data_changed": (
        "数据文件 {path} 在生成输出后已改变（当时 SHA-256 为 {then}…，现在为 {now}…）",
        "the data file {path} has changed since the output was made "
        "(SHA-256 {then}… then, {now}… now)",
    ),
    "output.verify.what_amount": ("金额", "amount"),
    "output.verify.what_target": ("测算数", "target"),
    "output.verify.what_share": ("占比", "share"),
    "output.verify.what_weight": ("权重", "weight"),
    "output.verify.what_tranche": ("切块", "tranche"),
    "output.verify.what_factor": ("因素", "factor"),
    "output.verify.what_rule": ("计算方法", "rule"),
    "output.verify.what_header": ("表头", "header"),
    "output.verify.what_bound": ("限额", "bound"),
    "output.verify.what_bound_stage": ("限额环节", "bound stage"),
    "output.verify.differs": (
        "{where}：{what}在输出中为 {then}，现在为 {now}",
        "{where}: {what} {then} in the output, {now} now",
    ),
    "output.verify.header_differs": (
        "{key}：输出中为 {then}，现在为 {now}",
        "{key}: {then} in the output, {now} now",
    ),
    "output.verify.cells_like_columns": (
        "应与 `data.columns` 一样有 {count} 个单元格",
        "expected {count} cells like data.columns",
    ),
    "output.verify.cells": ("{count} 个单元格", "{count} cells"),
    "output.verify.row_numbers": ("{count} 个行号的列表", "a list of {count} row numbers"),
    "output.verify.among_amounts": ("分配金额", "amounts"),
    "output.verify.among_targets": ("测算数", "targets"),
    "output.verify.only_in_output": (
        "{region}：只在输出的{among}中",
        "{region}: only in the output's {among}",
    ),
    "output.verify.missing_from_output": (
        "{region}：输出的{among}中没有",
        "{region}: missing from the output's {among}",
    ),
    "output.verify.breakdown_not_a_region": (
        "{region}：输出中有该地区的明细，但分配中没有这个地区",
        "{region}: a breakdown in the output for a region not in the allocation",
    ),
    "output.verify.breakdown_missing": (
        "{region}：输出中缺少明细",
        "{region}: the breakdown is missing from the output",
    ),
    "output.verify.breakdown_length": (
        "{region}：明细在输出中有 {then} 项，现在为 {now} 项",
        "{region}: the breakdown has {then} items in the output, {now} now",
    ),
    "output.verify.breakdown_item": (
        "{region}，明细第 {item} 项",
        "{region}, breakdown item {item}",
    ),
    "output.verify.item_differs": (
        "{where}：输出中为 {then}，现在为 {now}",
        "{where}: {then} in the output, {now} now",
    ),
    "output.verify.named": ("{where}（{name}）", "{where} ({name})"),
    "output.verify.too_large": (
        "解压后 {size} 字节，超过读取上限 {limit}",
        "{size} bytes uncompressed, above the {limit} read",
    ),
    "output.verify.sheets": (
        "工作表为 {found}；应为 {zh} 或 {en}",
        "the sheets {found}; expected {zh} or {en}",
    ),
    "output.verify.no_scheme_row": (
        "工作表 {sheet} 中没有 `scheme` 行",
        "no 'scheme' row on the sheet {sheet}",
    ),
    "output.verify.no_header_row": (
        "工作表 {sheet} 中没有表头行",
        "no header row on the sheet {sheet}",
    ),
    "output.verify.header_not_text": (
        "工作表 {sheet} 的表头单元格不是文本",
        "a header cell on the sheet {sheet} is not text",
    ),
    "output.verify.empty_cell": ("空单元格", "an empty cell"),
    "output.verify.the_text": ("文本 {text}", "the text {text}"),
    "output.verify.no_total_row": (
        "{sheet}：输出中没有合计行",
        "{sheet}: no total row in the output",
    ),
    "output.verify.id_twice": (
        "{ref}：输出中的地区名 {id} 重复出现",
        "{ref}: a region id {id} in the output, twice",
    ),
    "output.verify.id_not_text": (
        "{ref}：输出中的地区名 {id} 应为文本",
        "{ref}: a region id {id} in the output, expected text",
    ),
    "output.verify.missing_from_sheet": (
        "{region}：工作表 {sheet} 中没有",
        "{region}: missing from the sheet {sheet}",
    ),
    "output.verify.at": ("{name}（{ref}）", "{name} ({ref})"),
    "output.verify.only_in_sheet": (
        "{region}（{ref}）：只在输出中",
        "{region} ({ref}): only in the output",
    ),
    "output.verify.total_row": ("合计行（{ref}）", "the total row ({ref})"),
    "output.verify.in_column": ("{name}，{column}（{ref}）", "{name}, {column} ({ref})"),
    "output.verify.factor_rows": (
        "{sheet}：输出中有 {then} 行因素，现在为 {now} 行",
        "{sheet}: {then} rows of factors in the output, {now} now",
    ),
    "output.verify.factor_at": (
        "{tranche} 中的 {factor}（{ref}）",
        "{factor} in {tranche} ({ref})",
    ),
    "output.workbook.sheet_name": ("测算表", "calculation sheet"),
    # ---- the calculation sheet (测算表, io/workbook.py)
    "output.workbook.region": ("地区", "region"),
    "output.workbook.amount": ("分配金额", "amount"),
    "output.workbook.target": ("测算数", "formula target"),
    "output.workbook.total": ("合计", "total"),
    "output.workbook.unit": ("单位", "unit"),
    "output.workbook.note": ("说明", "note"),
    "output.workbook.title": ("分配测算表", "calculation sheet"),
    "output.workbook.join": ("", " "),
    "output.workbook.data": ("基础数据", "input data"),
    "output.workbook.taking_part": ("参与分配", "takes part"),
    "output.workbook.taking_part_tranche": ("参与本切块", "in tranche"),
    "output.workbook.share": ("份额", "share"),
    "output.workbook.weighted": ("金额", "amount"),
    "output.workbook.score": ("指标值", "value"),
    "output.workbook.subtotal": ("系数前小计", "before coefficients"),
    "output.workbook.quota": ("定额", "quota"),
    "output.workbook.result": ("测算结果", "result"),
    "output.workbook.sum_target": ("测算数合计", "formula target"),
    "output.workbook.fixed": ("其中定额", "of which quotas"),
    "output.workbook.floor": ("保底", "floor"),
    "output.workbook.cap": ("封顶", "cap"),
    "output.workbook.bounded": ("限额调整后", "bounded"),
    "output.workbook.residual": ("尾差", "rounding residual"),
    "output.workbook.check": ("核对", "check"),
    "output.workbook.params": ("参数", "parameters"),
    "output.workbook.yes": ("是", "yes"),
    "output.workbook.no": ("否", "no"),
    "output.workbook.no_cap": ("—", "—"),
    "output.workbook.params_comment": (
        "参数行：份额列上方为因素权重，金额列上方为该因素的金额（切块金额 × 权重），测算数列上"
        "方为切块金额（定额列上方为每单位定额），限额调整后列上方为共同比例 λ（名称 λ），分配金"
        "额列上方为总额（名称 总额），尾差列上方为取整单位。",
        "Parameter row: above a share, the factor's weight; above a factor's amount, the "
        "tranche amount × weight; above a formula target, the tranche amount (above a quota, "
        "the quota per unit); above the bounded amounts, the common multiplier λ (name λ); "
        "above the amounts, the total (name `总额`); above the residual, the step.",
    ),
    "output.workbook.unit_line": ("单位：{unit}", "unit: {unit}"),
    "output.workbook.notes_head": ("说明：", "Notes:"),
    "output.workbook.note_rounding": (
        "分配金额按{method}取整到 {step} {unit}（fundalloc 的取整规则，故为数值）；尾差 = 分配"
        "金额 − 限额调整后金额，核对列显示每个地区的尾差不足一个取整单位，合计行核对分配金额合"
        "计等于总额 {total} {unit}。",
        "Amounts are rounded to {step} {unit} by {method} (fundalloc's rule, hence values); "
        "residual = amount − bounded amount; the check column shows each residual is less than "
        "one step, and the total row checks the amounts add up to the total of {total} {unit}.",
    ),
    "output.workbook.note_half_up": (
        "分配金额各自四舍五入到 {step} {unit}（fundalloc 的取整规则，故为数值）；合计与总额 {to"
        "tal} {unit} 相差 {residual} {unit}。",
        "Amounts are rounded half-up to {step} {unit} one by one (fundalloc's rule, hence "
        "values); they differ from the total of {total} {unit} by {residual} {unit}.",
    ),
    "output.workbook.note_shares": (
        "份额 = 指标值 ÷ 参与地区合计；金额 = 切块金额 × 权重 × 份额；",
        "share = value / sum over the regions taking part; amount = tranche amount × weight × "
        "share; ",
    ),
    "output.workbook.note_coefficients": (
        "测算数 = 切块金额 × 系数 × 小计 ÷ Σ(系数 × 小计)；",
        "formula target = tranche amount × coefficient × subtotal / Σ(coefficient × subtotal); ",
    ),
    "output.workbook.note_bounded": (
        "限额调整后 = {formula}，λ 为使合计等于总额的共同比例。",
        "bounded = {formula}, with λ the common multiplier that makes the total fit.",
    ),
    "output.workbook.note_fixed": (
        "定额部分不随 λ 缩放：限额调整后 = {formula}。",
        "Quotas are not scaled by λ: bounded = {formula}.",
    ),
    "output.workbook.note_cells": (
        "蓝底为输入数据，橙底为 fundalloc 计算的数值（原因见表头批注），其余单元格为公式，参数"
        "行的权重、切块金额和 λ 均可修改后重算。",
        "Blue cells are input data, orange cells are values computed by fundalloc (the header "
        "comment says why), all others are formulas; the weights, tranche amounts and λ in the "
        "parameter row can be changed and recalculated.",
    ),
    "output.workbook.note_excluded": (
        "不参与分配的地区（参与分配 = 0）各项均为 0。",
        "Regions not taking part (takes part = 0) have 0 everywhere.",
    ),
    "output.workbook.why_rounded": (
        "分配金额按 fundalloc 的取整规则（{method}，单位 {step}）计算，保证合计等于总额，Excel "
        "公式无法表达该规则，故为数值；核对列检查它与限额调整后金额相差不足一个单位。",
        "The amounts follow fundalloc's rounding rule ({method}, step {step}), which keeps the "
        "total exact and which a formula cannot express, hence values; the check column tests "
        "that each is within one step of the bounded amount.",
    ),
    "output.workbook.why_composite": (
        "综合指数（{what}）需按参与地区标准化并处理负值，公式难以表达，份额为 fundalloc 计算的"
        "数值。",
        "A composite index ({what}) is normalised over the regions taking part and its "
        "negative values handled; the shares are fundalloc's values.",
    ),
    "output.workbook.why_product": (
        "带指数的乘积公式（{what}）的份额为 fundalloc 计算的数值。",
        "The shares of a product with exponents ({what}) are fundalloc's values.",
    ),
    "output.workbook.why_extreme": (
        "多个公式取{which}后再按比例（{what}）的份额为 fundalloc 计算的数值。",
        "The shares of the {which} of several formulas ({what}) are fundalloc's values.",
    ),
    "output.workbook.why_group": (
        "因素组（{what}）由子因素按权重合成，份额为 fundalloc 计算的数值。",
        "A factor group ({what}) is combined from its sub-factors; fundalloc's values.",
    ),
    "output.workbook.why_inverse": (
        "逆向指标以参与地区的{which}为参照（{what}），仅部分地区参与时公式难以表达，为 fundallo"
        "c 计算的数值。",
        "An inverse indicator referred to the {which} ({what}) over only the regions taking "
        "part; fundalloc's values.",
    ),
    "output.workbook.why_derived": (
        "派生列 {name} = {what}，由 fundalloc 按方案计算，为数值。",
        "Derived column {name} = {what}, computed by fundalloc: values.",
    ),
    "output.workbook.why_groups": (
        "存在组合约束（{what}），各组有各自的比例，由 fundalloc 的组合求解得出，为数值，不能用"
        "单一的 λ 公式表达。",
        "Group constraints ({what}) give each group its own multiplier, found by fundalloc's "
        "group solver: values, not one λ formula.",
    ),
    "output.workbook.why_coefficient": (
        "调节系数（{what}）为 fundalloc 计算的数值。",
        "The coefficient ({what}) is fundalloc's value.",
    ),
    "output.workbook.max": ("大", "larger"),
    "output.workbook.min": ("小", "smaller"),
    "output.workbook.mean": ("平均值", "mean"),
    "output.workbook.largest": ("最大值", "largest value"),
    "output.workbook.smallest": ("最小值", "smallest value"),
    "output.workbook.bounds_comment": ("来自：{what}", "from: {what}"),
    "output.workbook.weights_normalised": (
        "权重按合计归一后使用。",
        "Weights are used divided by their sum.",
    ),
}
