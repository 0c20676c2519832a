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
}
