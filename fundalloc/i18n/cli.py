"""Messages of the command line: --help of every command, usage errors, what it prints.

Each entry is ``id: (Chinese, English)``, ids prefixed ``cli.``; see :mod:`fundalloc.i18n`
for the rules every message follows.

The ``cli.argparse.*`` entries are argparse's own words (its usage line, section titles and
error messages): :mod:`fundalloc.cli` hands them to argparse through argparse's gettext hook,
turning ``{name}`` into ``%(name)s`` and ``{0}`` into ``%s``, so they keep argparse's
placeholders under our names.
"""

MESSAGES: dict[str, tuple[str, str]] = {
    # ---------------------------------------------------------------- argparse's own words
    "cli.argparse.usage": ("用法：", "usage: "),
    "cli.argparse.positionals": ("位置参数", "positional arguments"),
    "cli.argparse.options": ("选项", "options"),
    "cli.argparse.help": ("显示此帮助并退出", "show this help message and exit"),
    "cli.argparse.error": ("{prog}：错误：{message}\n", "{prog}: error: {message}\n"),
    "cli.argparse.argument": (
        "参数 {argument_name}：{message}",
        "argument {argument_name}: {message}",
    ),
    "cli.argparse.required": ("缺少必需的参数：{0}", "the following arguments are required: {0}"),
    "cli.argparse.one_of_required": (
        "参数 {0} 中必须给出一个",
        "one of the arguments {0} is required",
    ),
    "cli.argparse.unrecognized": ("无法识别的参数：{0}", "unrecognized arguments: {0}"),
    "cli.argparse.not_allowed_with": ("不能与参数 {0} 同时使用", "not allowed with argument {0}"),
    "cli.argparse.ignored_explicit": (
        "此选项不接受值，却给了 {0!r}",
        "ignored explicit argument {0!r}",
    ),
    "cli.argparse.expected_one": ("需要一个值", "expected one argument"),
    "cli.argparse.expected_at_most_one": ("最多需要一个值", "expected at most one argument"),
    "cli.argparse.expected_at_least_one": ("至少需要一个值", "expected at least one argument"),
    "cli.argparse.expected_n": ("需要 {0} 个值", "expected {0} argument"),
    "cli.argparse.expected_n_plural": ("需要 {0} 个值", "expected {0} arguments"),
    "cli.argparse.ambiguous": (
        "选项 {option} 有歧义，可能是 {matches}",
        "ambiguous option: {option} could match {matches}",
    ),
    "cli.argparse.invalid_value": (
        "无效的值 {value!r}（{type}）",
        "invalid {type} value: {value!r}",
    ),
    "cli.argparse.invalid_choice": (
        "无效的取值 {value!r}（可选：{choices}）",
        "invalid choice: {value!r} (choose from {choices})",
    ),
    "cli.argparse.unknown_parser": (
        "未知的命令 {parser_name!r}（可选：{choices}）",
        "unknown parser {parser_name!r} (choices: {choices})",
    ),
    "cli.argparse.version": ("显示版本号并退出", "show program's version number and exit"),
    # ---------------------------------------------------------------- --help of every command
    "cli.description": (
        "因素法：把一笔固定的资金精确地、可解释地分配到各地区。",
        "The factor method: split a fixed budget across regions, exactly and explainably.",
    ),
    "cli.epilog": (
        "退出码：0 成功；1 无法分配（或 {verify} 发现差异）；2 用法或输入有误；3 内部错误。",
        "Exit codes: 0 success, 1 the allocation is impossible (or {verify} found a "
        "difference), 2 bad usage or input, 3 an internal error.",
    ),
    "cli.metavar.command": ("命令", "COMMAND"),
    "cli.metavar.file": ("文件", "FILE"),
    "cli.metavar.seconds": ("秒数", "SECONDS"),
    "cli.metavar.sheet": ("工作表", "SHEET"),
    "cli.metavar.scheme": ("方案文件", "scheme"),
    "cli.metavar.region": ("地区", "region"),
    "cli.metavar.directory": ("文件夹", "directory"),
    "cli.metavar.output": ("输出文件", "output"),
    "cli.help.debug": ("出错时显示回溯信息（供报告问题用）", "show the traceback of an error"),
    "cli.help.lang": (
        "所有消息、表格和说明的语言：{zh} 中文（默认）或 {en} 英文；也可设环境变量 {variable}",
        "the language of every message, table and account: {zh} Chinese (the default) or {en} "
        "English; or set {variable}",
    ),
    "cli.help.version": ("显示版本号并退出", "show the version and exit"),
    "cli.help.allocate": (
        "分配并打印结果表；可写出文件",
        "allocate and print the table; write a file",
    ),
    "cli.help.validate": (
        "一次列出方案及其数据中的全部问题",
        "report every problem in a scheme and its data",
    ),
    "cli.help.explain": ("说明某一地区金额的来由", "the account of one region's amount"),
    "cli.help.init": ("写出示例方案和数据模板", "write a starter scheme and data template"),
    "cli.help.verify": (
        "按输出文件（JSON 或 XLSX）记录的来源重新计算，并报告任何差异",
        "recompute an output (JSON or XLSX) from its provenance and report any difference",
    ),
    "cli.help.scheme": ("方案文件（TOML 或 JSON 格式）", "the scheme file (.toml or .json)"),
    "cli.help.data": (
        "数据文件（CSV 或 XLSX）；默认为方案中 {table} 表的路径",
        "the data file (.csv or .xlsx); default: the scheme's {table} path",
    ),
    "cli.help.sheet": (
        "XLSX 数据文件中要读取的工作表名称；默认为方案中指定的或第一张工作表",
        "the sheet of an XLSX data file to read; default: the scheme's, else the first",
    ),
    "cli.help.solver": (
        "{exact}：仅用于逐地区上下限和互不重叠的分组；{highs}、{cbc}：用该线性规划求解器"
        "走一般路径（{install}）；默认 {auto}",
        "{exact}: per-region bounds and non-overlapping groups only; {highs}, {cbc}: the "
        "general path with that LP solver ({install}); default {auto}",
    ),
    "cli.help.time_limit": (
        "线性规划求解超过这么多秒即停止（此时退出码为 1）",
        "stop an LP solve after this many seconds (exit 1 when reached)",
    ),
    "cli.help.output": ("把分配结果写入此文件", "write the allocation to this file"),
    "cli.help.format": (
        "输出格式（默认按输出文件的扩展名）",
        "the output format (default: from the output's extension)",
    ),
    "cli.help.template": (
        "公示页（{formats}）的模板：{text_formats} 用 {engine} 文件，{docx} 用 {word} 文档；"
        "默认用随包提供的模板",
        "the publication page's ({formats}) template: a {engine} file for {text_formats}, "
        "a {word} document for {docx}; default: the one shipped with fundalloc",
    ),
    "cli.help.calculation_sheet": (
        "XLSX：加入含实时公式的测算表；默认在地区不超过 20,000 个时加入（每 1,000 个地区约 1 秒）",
        "XLSX: add the calculation sheet (测算表) of live formulas; default: when there are "
        "at most 20,000 regions (it takes about 1 s per 1,000 regions)",
    ),
    "cli.help.region": ("地区编码或名称", "the region id"),
    "cli.help.directory": (
        "写入的文件夹（不存在则新建）",
        "the folder to write into (created if needed)",
    ),
    "cli.help.verify_output": (
        "由 {command} 写出的 JSON 或 XLSX 文件",
        "a JSON or XLSX output of {command}",
    ),
    "cli.version": ("{program} {version}（{python}）", "{program} {version} ({python})"),
    # ---------------------------------------------------------------- what the commands print
    "cli.error": ("fundalloc：错误：", "fundalloc: error:"),
    "cli.impossible": ("fundalloc：无法分配：", "fundalloc: the allocation is impossible:"),
    "cli.error_line": ("fundalloc：错误：{message}", "fundalloc: error: {message}"),
    "cli.notice": ("fundalloc：{notice}", "fundalloc: {notice}"),
    "cli.internal_error": (
        "fundalloc：内部错误：{kind}：{detail}",
        "fundalloc: internal error: {kind}: {detail}",
    ),
    "cli.internal_hint": (
        "  （加 {debug} 重新运行可看到回溯信息，并请报告此问题）",
        "  (run again with {debug} for the traceback, and please report it)",
    ),
    "cli.wrote": ("fundalloc：已写出 {path}", "fundalloc: wrote {path}"),
    "cli.next": ("下一步：{command}", "next: {command}"),
    "cli.validate_ok": (
        "{scheme}：通过 — {data} 中的 {regions} 个地区，{total} {unit} 已精确分配",
        "{scheme}: ok — {regions} regions from {data}, {total} {unit} allocated exactly",
    ),
    "cli.validate_ok_one": (
        "{scheme}：通过 — {data} 中的 1 个地区，{total} {unit} 已精确分配",
        "{scheme}: ok — 1 region from {data}, {total} {unit} allocated exactly",
    ),
    "cli.verify_identical": (
        "{output}：与重新计算的结果一致",
        "{output}: identical to a fresh run",
    ),
    "cli.verify_differences": (
        "{output}：与重新计算的结果有 {count} 处差异：",
        "{output}: {count} differences from a fresh run:",
    ),
    "cli.verify_difference": (
        "{output}：与重新计算的结果有 1 处差异：",
        "{output}: 1 difference from a fresh run:",
    ),
    "cli.verify_more": ("另有 {count} 处差异未列出", "{count} more differences are not listed"),
    "cli.no_data": (
        "没有数据文件：方案中没有 {table} 路径",
        "no data file: the scheme has no {table} path",
    ),
    "cli.no_data_hint": ("用 {option} 指定数据文件", "pass {option}"),
    "cli.sheet_not_xlsx": (
        "{option} 只用于 XLSX 数据文件",
        "{option} is for XLSX data files only",
    ),
    "cli.sheet_not_xlsx_found": ("一个 {suffix} 文件", "a {suffix} file"),
    "cli.seconds": (
        "应为正的秒数；实际为 {text!r}",
        "expected a positive number of seconds, found {text!r}",
    ),
    "cli.unknown_format": (
        "无法从 {name!r} 判断输出格式；请用 {option}",
        "cannot tell the output format from {name!r}; use {option}",
    ),
    "cli.format_needs_output": ("{option} 需要与 {output} 同用", "{option} needs {output}"),
    "cli.template_needs_page": (
        "{option} 只用于公示页（{formats}），不用于 {format} 输出",
        "{option} is for the publication page ({formats}), not for {format} output",
    ),
    "cli.template_needs_output": (
        "{option} 需要与 {output} 同用（公示页的格式）",
        "{option} needs {output} (a publication page's format)",
    ),
    "cli.output_is_input": (
        "输出文件 {path!r} 是输入文件之一；请另选一个文件",
        "the output {path!r} is one of the inputs; choose another file",
    ),
    "cli.output_is_data": (
        "输出文件 {path!r} 就是数据文件；请另选一个文件",
        "the output {path!r} is the data file; choose another file",
    ),
    # An operating system's error, by its errno (the system's own text is English).
    "cli.os.ENOENT": ("文件或文件夹不存在", "no such file or folder"),
    "cli.os.EACCES": ("没有权限", "permission denied"),
    "cli.os.EISDIR": ("这是一个文件夹，不是文件", "it is a folder, not a file"),
    "cli.os.ENOTDIR": ("路径中有一部分不是文件夹", "a part of the path is not a folder"),
    "cli.os.ENOSPC": ("磁盘已满", "the disk is full"),
    "cli.os.EROFS": ("只读文件系统", "the file system is read-only"),
    "cli.os.ENAMETOOLONG": ("文件名太长", "the file name is too long"),
    "cli.os.other": ("系统错误（错误码 {code}）", "system error {code}"),
    # ---------------------------------------------------------------- progress
    "cli.stage.scheme": ("读取方案", "reading the scheme"),
    "cli.stage.data": ("读取数据", "reading the data"),
    "cli.stage.allocate": ("分配", "allocating"),
    "cli.stage.write": ("写出文件", "writing the output"),
    "cli.stage.verify": ("核对", "verifying"),
    "cli.progress.label": ("{what}：", "{what}: "),
    "cli.progress.expected_flag": (
        "应为 `True`、`False` 或 `None`（是否显示进度条）",
        "expected True, False or None (whether to show a progress bar)",
    ),
    "cli.progress.pass_callback": (
        "请把以 (已完成, 总数) 调用的函数传给 {callback}",
        "pass a function called with (done, total) as {callback}",
    ),
    "cli.progress.expected_callback": (
        "应为以 (已完成, 总数) 调用的函数",
        "expected a function called with (done, total)",
    ),
}
