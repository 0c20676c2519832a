"""Messages of reading data files and region tables: cells, rows, headers, totals, notices.

Each entry is ``id: (Chinese, English)``, ids prefixed ``data.``; see :mod:`fundalloc.i18n`
for the rules every message follows. Row numbers are passed as text (``row="12345"``), so
that they read as a spreadsheet shows them, without thousands separators.
"""

MESSAGES: dict[str, tuple[str, str]] = {
    # ---------------------------------------------------------------- places
    "data.data": ("数据", "data"),
    "data.in_source": ("{source}，{place}", "{source}, {place}"),
    "data.row": ("第 {row} 行", "row {row}"),
    "data.row_column": ("第 {row} 行“{column}”列", "row {row}, column {column!r}"),
    "data.row_letter": ("第 {row} 行 {letter} 列", "row {row}, column {letter}"),
    "data.column": ("“{column}”列", "column {column!r}"),
    "data.with_cell": ("{place}（单元格 {cell}）", "{place} (cell {cell})"),
    # ---------------------------------------------------------------- cells: expected
    "data.expected_number": ("应为数字", "expected a number"),
    "data.expected_finite": ("应为有限的数字", "expected a finite number"),
    "data.expected_nonnegative": ("应为不小于 0 的数字", "expected a number >= 0"),
    "data.expected_id": ("应为地区名称", "expected a region id"),
    "data.expected_id_without_control": (
        "地区名称中不应有控制字符",
        "expected a region id without control characters",
    ),
    "data.expected_kind": ("应填写地区类型", "expected a kind"),
    "data.expected_parent": ("应填写上级地区", "expected a parent"),
    # ---------------------------------------------------------------- cells: found
    "data.found_empty": ("空单元格", "an empty cell"),
    "data.found_boolean": ("逻辑值 {value}", "the boolean {value}"),
    "data.found_nan": ("非数值", "NaN"),
    "data.found_infinity": ("无穷大", "infinity"),
    "data.found_too_large": ("{value}（超出范围）", "{value} (too large)"),
    "data.found_text": ("文本 {text!r}", "the text {text!r}"),
    "data.found_spreadsheet_error": ("表格错误值 {error}", "the spreadsheet error {error}"),
    "data.found_date": ("日期 {date}", "the date {date}"),
    "data.found_datetime": ("日期时间 {value}", "the date and time {value}"),
    "data.found_time": ("时间 {value}", "the time {value}"),
    "data.found_duration": ("时长 {value}", "the duration {value}"),
    "data.found_type": ("{kind} 类型的值", "a {kind}"),
    "data.formula_no_result": (
        "未保存计算结果的公式 {formula}",
        "the formula {formula} with no saved result",
    ),
    "data.formula_no_result_empty": ("没有保存计算结果的公式", "a formula with no saved result"),
    # ---------------------------------------------------------------- the table
    "data.no_id_column": ("没有地区列“{column}”", "no id column {column!r}"),
    "data.no_kind_column": ("没有地区类型列“{column}”", "no kind column {column!r}"),
    "data.no_parent_column": ("没有上级地区列“{column}”", "no parent column {column!r}"),
    "data.no_column": ("没有“{column}”列", "no column {column!r}"),
    "data.found_columns": ("现有的列为 {columns}", "columns {columns}"),
    "data.found_no_columns": ("没有任何列", "no columns"),
    "data.hint_id_column": (
        "用 `id=` 指定写有地区名称的列",
        "pass id= with the name of the column that names the regions",
    ),
    "data.did_you_mean": ("是否应为 {name!r}？", "did you mean {name!r}?"),
    "data.wrong_length": (
        "应与“{id}”列一样有 {count} 个值",
        "expected {count} values like column {id!r}",
    ),
    "data.expected_row_numbers": (
        "应有 {count} 个行号（整数，每个地区一个）",
        "expected {count} row numbers (whole numbers, one for each region)",
    ),
    "data.found_values_of_type": (
        "{count} 个 {dtype} 类型的值",
        "{count} values of type {dtype}",
    ),
    "data.duplicate_id": ("地区名称 {id!r} 重复", "duplicate region id {id!r}"),
    "data.duplicate_id_alike": (
        "地区名称 {id!r} 重复（与 {other!r} 读起来相同）",
        "duplicate region id {id!r} (it reads the same as {other!r})",
    ),
    "data.also_in_row": ("第 {row} 行也有这个名称", "it is also in row {row}"),
    "data.hint_lookalike": (
        "两者只差不可见字符、空格或全角字符",
        "the two differ only by invisible characters, spaces or full-width forms",
    ),
    "data.cannot_replace_id": ("不能替换地区列", "cannot replace the id column"),
    "data.hint_replace_id": (
        "另建一个表，以新的列为地区列",
        "make a new table with the new column as its id column",
    ),
    # ---------------------------------------------------------------- files
    "data.cannot_read_file": ("无法读取文件", "cannot read the file"),
    "data.found_no_such_file": ("文件不存在", "no such file"),
    "data.expected_xlsx_or_csv": ("应为 XLSX 或 CSV 文件", "expected a .xlsx or .csv file"),
    "data.found_file_of_type": ("{suffix} 文件", "a {suffix} file"),
    "data.hint_save_as_xlsx_or_csv": (
        "在 Excel 中另存为 XLSX 或 CSV UTF-8",
        "save it from Excel as .xlsx or CSV UTF-8",
    ),
    "data.expected_dataframe": (
        "应为 `pandas` 或 `polars` 的数据框",
        "expected a pandas or polars DataFrame",
    ),
    "data.cannot_decode": ("无法按 {encoding} 解码文件", "cannot decode the file as {encoding}"),
    "data.expected_utf8_or_gb18030": (
        "应为 UTF-8 或 GB18030 编码的文本",
        "expected text in UTF-8 or GB18030",
    ),
    "data.found_undecodable": ("无法解码的字节", "undecodable bytes"),
    "data.hint_save_as_csv_utf8": (
        "在 Excel 中另存为 CSV UTF-8",
        "save the file as CSV UTF-8 from Excel",
    ),
    "data.expected_closing_quote": (
        "带引号的单元格应有结束引号",
        "expected a closing quote for the quoted cell",
    ),
    "data.found_no_closing_quote": (
        "{text!r}，直到文件末尾都没有结束引号",
        "{text!r} and no closing quote up to the end of the file",
    ),
    "data.hint_closing_quote": (
        "补上结束引号，或删去开头的引号",
        "close the quote, or remove the opening one",
    ),
    "data.expected_comma_after_quote": (
        "结束引号后应为逗号或行尾",
        "expected a comma or the end of the row after a closing quote",
    ),
    "data.hint_double_quote": (
        '带引号的单元格中的引号应写成两个引号（""）',
        'write a quote inside a quoted cell as two quotes ("")',
    ),
    "data.invalid_csv_row": ("不是有效的 CSV 行", "not a valid CSV row"),
    "data.expected_small_parts": (
        "工作簿各部分解压后应不超过 {megabytes} 兆字节",
        "expected parts of at most {megabytes} MB uncompressed",
    ),
    "data.found_large_part": ("{part} 有 {megabytes} 兆字节", "{part} of {megabytes} MB"),
    "data.hint_split_workbook": (
        "拆分工作簿，或把工作表另存为 CSV",
        "split the workbook, or save the sheet as CSV",
    ),
    "data.unreadable_xlsx": ("不是可读取的 XLSX 工作簿", "not a readable XLSX workbook"),
    "data.hint_save_again_as_xlsx": (
        "在 Excel 中打开并重新另存为 XLSX 文件",
        "open it in Excel and save it again as .xlsx",
    ),
    "data.expected_a_sheet": ("工作簿中应有工作表", "expected a workbook with a sheet"),
    "data.found_no_sheets": ("没有工作表", "no sheets"),
    "data.expected_sheet_number": (
        "工作表序号应在 1 到 {count} 之间",
        "expected a sheet number from 1 to {count}",
    ),
    "data.no_sheet": ("没有工作表 {sheet!r}", "no sheet {sheet!r}"),
    "data.found_sheets": ("现有工作表 {sheets}", "sheets {sheets}"),
    # ---------------------------------------------------------------- the layout of a file
    "data.expected_header": ("应有表头行和各地区的行", "expected a header row and regions"),
    "data.found_empty_file": ("空文件", "an empty file"),
    "data.row_holds": (
        "第 {row} 行有所需列中的 {names}",
        "row {row} holds {names} of the needed columns",
    ),
    "data.none_in_first_rows": (
        "前 {count} 行中没有任何所需的列",
        "none of the needed columns in the first {count} rows",
    ),
    "data.name_in_rows": ("{holds}；“{name}”在第 {rows} 行", "{holds}; {name!r} is in row {rows}"),
    "data.hint_check_names": ("对照方案检查列名", "check the column names against the scheme"),
    "data.expected_unique_names": ("列名应各不相同", "expected unique column names"),
    "data.found_repeated_name": (
        "{name!r} 出现不止一次（{letters} 列）",
        "{name!r} more than once (columns {letters})",
    ),
    "data.found_repeated_name_as": (
        "{name!r} 出现不止一次（{letters} 列），写作 {forms}",
        "{name!r} more than once (columns {letters}), as {forms}",
    ),
    "data.hint_names_lookalike": (
        "这些列名只差不可见字符、空格或全角字符",
        "the names differ only by invisible characters, spaces or full-width forms",
    ),
    "data.expected_column_names": ("每一列都应有列名", "expected a name for every column"),
    "data.found_empty_headers": (
        "第 {columns} 列的表头为空",
        "an empty header in column {columns}",
    ),
    "data.expected_own_cell": (
        "每个地区的数字应在它自己的单元格中",
        "expected a number in each region's own cell",
    ),
    "data.found_merged_number": (
        "合并单元格 {range} 中的 {value}，跨第 {first} 至 {last} 行",
        "{value} in the merged cells {range} over rows {first} to {last}",
    ),
    "data.hint_unmerge": (
        "合并的数字无法分给各地区：取消合并，给每个地区填上自己的数值",
        "a merged number cannot be split among regions: unmerge the cells and give each "
        "region its value",
    ),
    "data.expected_cells_like_header": (
        "单元格应与表头一样不超过 {count} 个",
        "expected at most {count} cells like the header",
    ),
    "data.found_cells_past": (
        "{count} 个，最后一列之后还有数值（{letter} 列）",
        "{count}, with values past the last column (column {letter})",
    ),
    "data.expected_no_numbers_in_note": ("注释行中不应有数字", "expected no numbers in a note row"),
    "data.of_which_row": (
        "应为地区、合计或注释；“其中”行是对上一行的细分，不是地区",
        "expected a region, a total or a note; a 其中 (of which) row breaks down the row above "
        "and is not a region",
    ),
    "data.heading_with_values": (
        "有数值的行应有地区名称，而不是分组标题",
        "expected a region id, not a group heading, in a row with values",
    ),
    "data.subtotal_without_regions": (
        "小计行上方本组没有地区",
        "a 小计 row with no region above it in its group",
    ),
    "data.hint_subtotal": (
        "小计行应紧跟在它所合计的地区之后",
        "a 小计 row follows the regions it sums",
    ),
    "data.expected_no_region_below_total": (
        "合计行（第 {row} 行）下方不应再有地区",
        "expected no region below the total row (row {row})",
    ),
    "data.found_region": ("地区 {id!r}", "the region {id!r}"),
    "data.hint_move_total": (
        "把合计行移到最后一个地区下方，或把该地区移到合计行上方",
        "move the total row below the last region, or the region above it",
    ),
    "data.expected_no_hidden_region": (
        "隐藏的行中不应有地区",
        "expected no region in a hidden row",
    ),
    "data.found_hidden_region": (
        "地区 {id!r} 所在的行被工作簿隐藏",
        "the region {id!r} in a row the workbook hides",
    ),
    "data.hint_hidden": (
        "该地区不参与分配就删去这一行，否则取消隐藏",
        "delete the row if the region takes no part, or unhide it",
    ),
    "data.expected_regions": (
        "表头下方应至少有一个地区",
        "expected at least one region below the header",
    ),
    "data.found_only_header": ("只有表头", "only the header"),
    # ---------------------------------------------------------------- totals
    "data.total_mismatch": (
        "合计行与该列不符：各地区之和为 {sum}",
        "the total row does not match the column: the regions add up to {sum}",
    ),
    "data.subtotal_mismatch": (
        "小计行与本组（第 {span} 行）不符：各地区之和为 {sum}",
        "the 小计 row does not match its group (rows {span}): the regions add up to {sum}",
    ),
    "data.found_in_total_row": ("{row_kind}行中的 {value}", "{value} in the {row_kind} row"),
    "data.hint_fix_total": ("更正数据或{row_kind}行", "correct the data or the {row_kind} row"),
    "data.span": ("{first} 至 {last}", "{first} to {last}"),
    "data.kind_total": ("合计", "total"),
    "data.kind_subtotal": ("小计", "小计"),
    "data.unchecked_total_cell": (
        "“{name}”（{row_kind}行中是{what}）",
        "{name!r} ({what} in the {row_kind} row)",
    ),
    "data.unchecked_region_cell": (
        "“{name}”（第 {row} 行不是数字）",
        "{name!r} (not a number in row {row})",
    ),
    "data.unchecked_rate": (
        "“{name}”（{row_kind}行为 {value}，在各地区数值的范围内：是比率或平均数，不是合计）",
        "{name!r} (the {row_kind} row holds {value}, within the regions' range: a rate or "
        "average, not a sum)",
    ),
    "data.then": ("{first}；{rest}", "{first}; {rest}"),
    # ---------------------------------------------------------------- notices
    "data.notice": ("{source}：{text}", "{source}: {text}"),
    "data.note_dropped": (
        "第 {row} 行是注释，已去掉：{label}",
        "row {row} is a note and was dropped: {label}",
    ),
    "data.heading_dropped": (
        "第 {row} 行是分组标题，已去掉：{label}",
        "row {row} is a group heading and was dropped: {label}",
    ),
    "data.total_row": ("{label}行（第 {row} 行）", "the {label} row (row {row})"),
    "data.subtotal_row": ("小计行 {label!r}（第 {row} 行）", "the 小计 row {label!r} (row {row})"),
    "data.sums_of_columns": ("各列之和", "the column sums"),
    "data.sums_of": ("{names}之和", "the sums of {names}"),
    "data.sums_below": (
        "其下各地区（第 {span} 行）{sums}",
        "{sums} of the regions below it (rows {span})",
    ),
    "data.sums_of_group": ("本组（第 {span} 行）之和", "the sums of its group (rows {span})"),
    "data.sums_of_over_group": (
        "本组（第 {span} 行）{names} 之和",
        "the sums of {names} over its group (rows {span})",
    ),
    "data.total_no_numbers": (
        "{row}没有可核对的数字，已去掉",
        "{row} holds no numbers to check and was dropped",
    ),
    "data.total_unchecked": (
        "{row}未经核对即去掉：未核对 {unchecked}",
        "{row} was dropped without a check: not checked {unchecked}",
    ),
    "data.total_matches": ("{row}与{sums}相符，已去掉", "{row} matches {sums} and was dropped"),
    "data.total_matches_partly": (
        "{row}与{sums}相符，已去掉；未核对：{unchecked}",
        "{row} matches {sums} and was dropped; not checked: {unchecked}",
    ),
}
