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
}
