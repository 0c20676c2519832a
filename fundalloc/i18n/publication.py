"""Messages of the publication pages (公示) in HTML, Markdown and DOCX and their templates.

Each entry is ``id: (Chinese, English)``, ids prefixed ``publication.``; see :mod:`fundalloc.i18n`
for the rules every message follows. The labels (``publication.label_*``) are the words a
template shows (headers, the names of the facts); the templates themselves hold no words, so a
bureau's copy of one works in both languages.
"""

MESSAGES: dict[str, tuple[str, str]] = {
    # --- the words of the page
    "publication.title_default": ("资金分配结果公示", "Allocation of funds: public notice"),
    "publication.label_region": ("地区", "Region"),
    "publication.label_amount": ("分配金额（{unit}）", "Amount ({unit})"),
    "publication.label_share": ("占比", "Share"),
    "publication.label_total": ("合计", "Total"),
    "publication.label_fund": ("资金名称", "Fund"),
    "publication.label_total_amount": ("资金总额", "Total to allocate"),
    "publication.label_document": ("文号", "Document No."),
    "publication.label_issuer": ("发布单位", "Issued by"),
    "publication.label_date": ("发布日期", "Date"),
    "publication.label_period": ("公示期", "Public notice period"),
    "publication.label_contact": ("联系方式", "Contact"),
    "publication.label_formula": ("分配方法", "How the funds are allocated"),
    "publication.label_bounds": ("限额", "Limits"),
    "publication.label_table": ("分配结果", "Amounts"),
    "publication.label_unit": ("单位", "Unit"),
    "publication.label_note": ("说明", "Note"),
    "publication.label_colon": ("：", ": "),
    "publication.label_scheme_hash": ("方案文件 {algorithm}", "scheme file {algorithm}"),
    "publication.label_data_hash": ("数据文件 {algorithm}", "data file {algorithm}"),
    "publication.made_by": (
        "由 fundalloc {version} 于 {created} 生成",
        "Made by fundalloc {version} on {created}",
    ),
    # --- the formula in words
    "publication.size_share": ("占 {share}", "{share}"),
    "publication.size_amount": ("{amount} {unit}", "{amount} {unit}"),
    "publication.size_quota": ("定额", "quota"),
    "publication.factor_weight": ("{name} {weight}", "{name} {weight}"),
    "publication.tranche_factors": ("{path}（{size}）：{factors}", "{path} ({size}): {factors}"),
    "publication.tranche_coefficients": (
        "{line}；再乘以调节系数{names}，按本切块总额归一",
        "{line}; then multiplied by the coefficients {names} and rescaled to the tranche",
    ),
    "publication.tranche_quota": (
        "{path}（{size}）：按{column}每单位 {rate} {unit}",
        "{path} ({size}): {rate} {unit} per unit of {column}",
    ),
    "publication.eligibility": (
        "参与分配的地区：{conditions}；其余地区不参与分配",
        "Regions taking part: those where {conditions}; the others get nothing",
    ),
    "publication.only_where": ("{line}（仅限 {conditions}）", "{line} (only where {conditions})"),
    # --- the limits in words
    "publication.floor_amount": (
        "每个地区不少于 {amount} {unit}",
        "at least {amount} {unit} a region",
    ),
    "publication.floor_share": (
        "每个地区不少于总额的 {share}",
        "at least {share} of the total a region",
    ),
    "publication.floor_per": (
        "每个地区不少于按{column}每单位 {rate} {unit}",
        "at least {rate} {unit} per unit of {column} a region",
    ),
    "publication.cap_amount": (
        "每个地区不超过 {amount} {unit}",
        "at most {amount} {unit} a region",
    ),
    "publication.cap_share": (
        "每个地区不超过总额的 {share}",
        "at most {share} of the total a region",
    ),
    "publication.cap_per": (
        "每个地区不超过按{column}每单位 {rate} {unit}",
        "at most {rate} {unit} per unit of {column} a region",
    ),
    "publication.hold_harmless": ("不低于{column}的 {ratio}", "at least {ratio} of {column}"),
    "publication.growth_cap": ("不超过{column}的 {ratio}", "at most {ratio} of {column}"),
    "publication.named_bound": ("{name}：{rule}", "{name}: {rule}"),
    # --- the rounding note
    "publication.rounding_exact": (
        "金额按{method}取整到 {step} {unit}，合计等于资金总额 {total} {unit}。",
        "Amounts are rounded to {step} {unit} by the {method} method; "
        "they add up to the total of {total} {unit}.",
    ),
    "publication.rounding_left": (
        "金额各自四舍五入到 {step} {unit}，尾差 {residual} {unit} 未分配。",
        "Amounts are rounded half-up to {step} {unit} one by one; "
        "a residual (尾差) of {residual} {unit} is left unallocated.",
    ),
    "publication.rounding_over": (
        "金额各自四舍五入到 {step} {unit}，合计超出资金总额 {residual} {unit}（尾差）。",
        "Amounts are rounded half-up to {step} {unit} one by one; "
        "they exceed the total by {residual} {unit} (尾差).",
    ),
    # --- template errors
    "publication.where_file": ("模板 {file}", "template {file}"),
    "publication.where_line": ("模板 {file} 第 {line} 行", "template {file}, line {line}"),
    "publication.template_missing": (
        "模板文件不存在或无法读取",
        "the template file cannot be read",
    ),
    "publication.template_not_text": (
        "模板文件不是 UTF-8 文本",
        "the template file is not UTF-8 text",
    ),
    "publication.template_syntax": ("模板有语法错误", "the template has a syntax error"),
    "publication.template_undefined": (
        "模板使用了公示页没有的变量",
        "the template uses a variable the page does not offer",
    ),
    "publication.template_failed": ("模板渲染失败", "the template failed to render"),
    "publication.template_hint": (
        "可用的变量见文档“公示页”一节；可从默认模板 {default} 复制后修改",
        "the variables a template can use are listed in the publication page docs; "
        "start from a copy of the default template {default}",
    ),
    "publication.docx_template_bad": (
        "不是可读的 DOCX 文档",
        "not a readable Word document (DOCX)",
    ),
    "publication.docx_template_hint": (
        "用文字处理软件（如 LibreOffice）另存为 DOCX 格式",
        "save it from Word or LibreOffice as a DOCX document",
    ),
}
