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
}
