"""Messages shared by every area: how a problem is put together, and common words.

Each entry is ``id: (Chinese, English)``; see :mod:`fundalloc.i18n` for the rules.
"""

MESSAGES: dict[str, tuple[str, str]] = {
    # How one problem reads: place, message, what was found, the hint.
    "common.problem": ("{where}：{message}", "{where}: {message}"),
    "common.found": ("{text}；实际为 {found}", "{text}; found {found}"),
    "common.hint": ("{text}（提示：{hint}）", "{text} (hint: {hint})"),
    "common.more_not_listed": (
        "另有 {count} 行同类问题未列出",
        "{count} more rows with the same kind of problem are not listed",
    ),
    "common.one_more_not_listed": (
        "另有 1 行同类问题未列出",
        "1 more row with the same kind of problem is not listed",
    ),
    "common.unlimited": ("不限", "unlimited"),
    # why an output cannot be written (io/atomic.py)
    "common.write_is_folder": (
        "无法写到这里：这是一个文件夹，应为文件名",
        "cannot write here: it is a folder; expected a file name",
    ),
    "common.write_file_in_the_way": (
        "无法写到这里：{blocking} 是文件，不是文件夹",
        "cannot write here: {blocking} is a file, not a folder",
    ),
    "common.write_no_folder": (
        "无法写到这里：文件夹 {folder} 不存在",
        "cannot write here: the folder {folder} does not exist",
    ),
    "common.write_no_permission": (
        "无法写到这里：没有写入文件夹 {folder} 的权限",
        "cannot write here: no permission to write in the folder {folder}",
    ),
    "common.write_read_only": (
        "无法写到这里：文件夹 {folder} 是只读的",
        "cannot write here: the folder {folder} is read-only",
    ),
    "common.write_disk_full": (
        "无法写到这里：{folder} 所在的磁盘已满",
        "cannot write here: the disk holding {folder} is full",
    ),
    "common.write_cannot_create": (
        "无法写到这里：无法在文件夹 {folder} 中新建文件（{reason}）",
        "cannot write here: cannot create a file in the folder {folder} ({reason})",
    ),
    # what a progress bar counts
    "common.progress_draws": ("抽样", "draws"),
    "common.progress_weight_vectors": ("权重组合", "weight vectors"),
    "common.progress_splits": ("逐级分配", "splits"),
    "common.progress_tier_steps": ("拟合档次系数", "tier fitting steps"),
    # files that are not what they should be
    "common.expected_a_file": ("应为一个文件", "expected a file"),
    "common.a_folder": ("一个文件夹", "a folder"),
    "common.nothing_there": ("没有这个文件", "nothing there"),
    "common.json_syntax_at": (
        "第 {line} 行第 {column} 个字符处的 JSON 语法错误",
        "a JSON syntax error at line {line}, character {column}",
    ),
    "common.not_a_zip": (
        "不是完整的 XLSX 文件（XLSX 是 ZIP 压缩包，这个文件打不开）",
        "not a whole XLSX file (an XLSX is a ZIP archive; this one does not open)",
    ),
}
