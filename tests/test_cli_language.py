"""The command line in Chinese by default and in English on request (issue 11), its
version, its --sheet option and its progress bar.

tests/conftest.py sets FUNDALLOC_LANG=en for the test run: the Chinese default is run with
that variable removed from the subprocess's environment.
"""

from __future__ import annotations

import argparse
import ast
import gettext
import io
import json
import os
import re
import select
import shutil
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path

import pytest

from fundalloc import cli
from fundalloc.analysis import _progress
from fundalloc.i18n import language

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "shandong_2018"
BAD = Path(__file__).resolve().parent / "data" / "bad"
COMMANDS = ("allocate", "validate", "explain", "init", "verify")
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def run(
    *args: str, lang: str | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """``fundalloc args`` with FUNDALLOC_LANG set to ``lang`` (None: not set)."""
    env = {k: v for k, v in os.environ.items() if k != "FUNDALLOC_LANG"}
    if lang is not None:
        env["FUNDALLOC_LANG"] = lang
    return subprocess.run(
        [sys.executable, "-m", "fundalloc", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        env=env,
        check=False,
    )


def english_words(text: str) -> list[str]:
    """The English words of a Chinese screen that are not names a user types: options,
    choices, commands, file formats, the program and its variable."""
    text = re.sub(r"\{[^}]*\}", " ", text)  # choices
    text = re.sub(r"(?<![\w-])--?[a-z][a-z-]*", " ", text)  # options
    text = re.sub(r"pip\s+install\s+'fundalloc\[lp\]'", " ", text)
    text = text.replace("[data]", " ")  # the scheme file's table, as it is spelled there
    names = {"fundalloc", "FUNDALLOC_LANG", "TOML", "JSON", "CSV", "XLSX", "zh", "en"}
    names |= {*COMMANDS, "exact", "highs", "cbc", "auto", "py", "toml", "csv"}
    names |= {"md", "html", "docx", "Jinja", "Word"}  # the page's formats, its template kinds
    return [w for w in re.findall(r"[A-Za-z_]{2,}", text) if w not in names]


# ------------------------------------------------------------------------------ help
@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_help_of_every_command_is_chinese_by_default(command: str) -> None:
    done = run(*([command] if command else []), "--help")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith(f"用法：fundalloc {command}".rstrip() + " [-h]"), out
    assert "\n选项:\n" in out and "显示此帮助并退出" in out
    assert "位置参数" in out
    assert english_words(out) == [], out


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_help_of_every_command_in_english_on_request(command: str) -> None:
    where = [command] if command else []
    top = run("--lang", "en", *where, "--help")
    assert top.returncode == 0, top.stderr
    out = top.stdout
    assert out.startswith(f"usage: fundalloc {command}".rstrip() + " [-h]"), out
    assert "\noptions:\n" in out and "show this help message and exit" in out
    assert "positional arguments" in out
    assert CJK.findall(out.replace("测算表", "")) == [], out
    assert run(*where, "--lang", "en", "--help").stdout == out  # on the command too
    assert run(*where, "--help", lang="en").stdout == out  # or by FUNDALLOC_LANG
    assert run(*where, "--lang=en", "--help", lang="zh").stdout == out  # --lang wins


def test_help_lines_up_in_terminal_columns() -> None:
    """A Chinese character takes two columns: the help texts start in one column and no
    line is wider than the terminal."""
    env_columns = 80
    done = subprocess.run(
        [sys.executable, "-m", "fundalloc", "allocate", "--help"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**{k: v for k, v in os.environ.items() if k != "FUNDALLOC_LANG"}, "COLUMNS": "80"},
        check=False,
    )
    lines = done.stdout.splitlines()
    assert max(cli._columns(line) for line in lines) <= env_columns
    data = next(line for line in lines if line.startswith("  --data "))
    solver_help = next(line for line in lines if "线性规划" in line and line.startswith(" " * 10))
    column = cli._columns(data.split("数据文件（")[0])
    assert column == len(solver_help) - len(solver_help.lstrip(" ")) == 24


# ------------------------------------------------------------------------------ usage errors
def test_a_usage_error_in_both_languages() -> None:
    zh = run("allocate")
    assert zh.returncode == 2
    assert zh.stderr.startswith("用法：fundalloc allocate [-h]")
    assert zh.stderr.endswith("fundalloc allocate：错误：缺少必需的参数：方案文件\n"), zh.stderr
    en = run("allocate", "--lang", "en")
    assert en.returncode == 2
    assert en.stderr.startswith("usage: fundalloc allocate [-h]")
    assert en.stderr.endswith(
        "fundalloc allocate: error: the following arguments are required: scheme\n"
    )
    zh = run("allocate", "s.toml", "--solver", "gurobi")
    assert "错误：参数 --solver：无效的取值 'gurobi'（可选：'auto', 'exact', 'highs', 'cbc'）" in (
        zh.stderr
    )
    en = run("allocate", "s.toml", "--solver", "gurobi", lang="en")
    assert "error: argument --solver: invalid choice: 'gurobi'" in en.stderr
    zh = run("nonsense")
    assert zh.returncode == 2 and "fundalloc：错误：参数 命令：无效的取值 'nonsense'" in zh.stderr
    zh = run("allocate", "s.toml", "--time-limit", "soon")
    assert "错误：参数 --time-limit：应为正的秒数；实际为 'soon'" in zh.stderr
    zh = run("verify", "a", "b")
    assert zh.stderr.endswith("fundalloc：错误：无法识别的参数：b\n"), zh.stderr
    en = run("verify", "a", "b", "--lang", "en")
    assert en.stderr.endswith("fundalloc: error: unrecognized arguments: b\n"), en.stderr


def test_an_unknown_language_is_a_usage_error_in_the_default_one() -> None:
    done = run("--lang", "fr", "allocate", "s.toml")
    assert done.returncode == 2
    assert "参数 --lang：无效的取值 'fr'（可选：'zh', 'en'）" in done.stderr


def test_every_argparse_message_a_user_can_meet_has_our_words() -> None:
    """argparse's source, read: each message it passes through gettext is in the
    catalogue, or is one only a programming error raises. A new Python that adds a message
    fails here rather than printing it in English."""
    tree = ast.parse(Path(argparse.__file__).read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        called = isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        if called and node.func.id in ("_", "ngettext"):  # type: ignore[attr-defined]
            found |= {a.value for a in node.args if isinstance(a, ast.Constant)}  # type: ignore[attr-defined]
    programming_errors = {
        ".__call__() not defined",
        "conflicting subparser: %s",
        "conflicting subparser alias: %s",
        'argument "-" with mode %r',
        "can't open '%(filename)s': %(error)s",
        "cannot merge actions - two groups are named %r",
        "'required' is an invalid argument for positionals",
        "invalid option string %(option)r: must start with a character %(prefix_chars)r",
        "dest= is required for options like %r",
        "invalid conflict_resolution value: %r",
        "conflicting option string: %s",
        "conflicting option strings: %s",
        "mutually exclusive arguments must be optional",
        "cannot have multiple subparser arguments",
        "unexpected option string: %s",
        "%r is not callable",
        "subcommands",
        "invalid nargs value",
        "length of metavar tuple does not match nargs",
    }
    found = {m for m in found if isinstance(m, str)}
    assert sorted(found - programming_errors - set(cli._ARGPARSE)) == []


def test_the_argparse_hook_is_put_back() -> None:
    with pytest.raises(SystemExit):
        cli.main(["--lang", "zh", "allocate"])
    assert argparse._ is gettext.gettext  # type: ignore[attr-defined]
    assert language() == "en"  # the test run's: --lang held for the command only


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["allocate", "s.toml", "--lang", "en"], "en"),
        (["--lang=en", "verify", "x"], "en"),
        (["--la", "en", "init", "x"], "en"),
        (["--lang", "en", "explain", "s.toml", "--lang", "zh"], "zh"),
        (["--lang", "fr"], None),
        (["explain", "s.toml", "--", "--lang", "en"], None),
        (["--lang"], None),
    ],
)
def test_the_language_is_read_before_argparse(argv: list[str], expected: str | None) -> None:
    assert cli._language_in(argv) == expected


# ------------------------------------------------------------------------------ errors
def bad(
    name: str, tmp_path: Path, *args: str, lang: str | None = None
) -> subprocess.CompletedProcess[str]:
    shutil.copytree(BAD / name, tmp_path / name, dirs_exist_ok=True)
    return run(*args, lang=lang, cwd=tmp_path / name)


def test_a_data_error_in_both_languages(tmp_path: Path) -> None:
    zh = bad("negative", tmp_path, "allocate", "scheme.toml")
    assert zh.returncode == 2
    first, line = zh.stderr.splitlines()[:2]
    assert first == "fundalloc：错误："
    assert line.startswith("  ") and "data.csv，第 4 行“贫困人口”列：" in line, line
    assert line.endswith("；实际为 -120"), line
    en = bad("negative", tmp_path, "allocate", "scheme.toml", "--lang", "en")
    assert en.stderr.splitlines()[0] == "fundalloc: error:"
    assert en.stderr.rstrip().endswith(
        "data.csv, row 4, column '贫困人口': expected a number >= 0; found -120"
    )


def test_a_scheme_error_in_both_languages(tmp_path: Path) -> None:
    zh = bad("negative_total", tmp_path, "allocate", "scheme.toml")
    assert zh.returncode == 2
    assert (
        zh.stderr
        == "fundalloc：错误：\n  scheme.toml，第 3 行：total：应为大于 0 的数；实际为 -1000\n"
    )
    en = bad("negative_total", tmp_path, "allocate", "scheme.toml", lang="en")
    assert en.stderr.splitlines()[0] == "fundalloc: error:"
    assert en.stderr.splitlines()[1].startswith("  scheme.toml, line 3: total: ")


def test_an_infeasible_error_in_both_languages(tmp_path: Path) -> None:
    zh = bad("floors_above_total", tmp_path, "allocate", "scheme.toml")
    assert zh.returncode == 1
    heading, line = zh.stderr.splitlines()
    assert heading == "fundalloc：无法分配："
    assert line.startswith("  ") and "1,200 万元" in line and "1,000 万元" in line
    assert "（提示：" in line, line
    en = bad("floors_above_total", tmp_path, "allocate", "scheme.toml", "--lang", "en")
    assert en.returncode == 1
    assert en.stderr == (
        "fundalloc: the allocation is impossible:\n"
        "  floors: the floors add up to 1,200 万元 but the total is 1,000 万元 "
        "(hint: lower the floors or raise the total)\n"
    )


def test_the_command_lines_own_errors_in_both_languages(tmp_path: Path) -> None:
    args = ["allocate", "scheme.toml", "-o", "scheme.toml", "--format", "csv"]
    zh = bad("output_is_scheme", tmp_path, *args)
    assert zh.stderr == "fundalloc：错误：输出文件 'scheme.toml' 是输入文件之一；请另选一个文件\n"
    en = bad("output_is_scheme", tmp_path, *args, lang="en")
    assert en.stderr == (
        "fundalloc: error: the output 'scheme.toml' is one of the inputs; choose another file\n"
    )
    zh = run("allocate", str(EXAMPLE / "scheme.toml"), "--format", "csv")
    assert zh.stderr == "fundalloc：错误：--format 需要与 --output FILE 同用\n"
    zh = run("allocate", str(EXAMPLE / "scheme.toml"), "-o", "r.txt", cwd=tmp_path)
    assert zh.stderr == (
        "fundalloc：错误：无法从 'r.txt' 判断输出格式；请用 --format csv|xlsx|json|md|html|docx\n"
    )


def test_a_system_error_in_both_languages(capsys: pytest.CaptureFixture[str]) -> None:
    error = FileNotFoundError(2, os.strerror(2), "甲.csv")
    assert cli._fail(error, debug=False) == 2
    assert capsys.readouterr().err == "fundalloc: error: 甲.csv: no such file or folder\n"
    from fundalloc.i18n import using

    with using("zh"):
        assert cli._fail(error, debug=False) == 2
        assert cli._fail(OSError(28, os.strerror(28)), debug=False) == 2
        assert cli._fail(OSError(5, os.strerror(5)), debug=False) == 2
    assert capsys.readouterr().err == (
        "fundalloc：错误：甲.csv：文件或文件夹不存在\n"
        "fundalloc：错误：磁盘已满\n"
        "fundalloc：错误：系统错误（错误码 EIO）\n"
    )


# ------------------------------------------------------------------------------ notices
def test_a_notice_in_both_languages(tmp_path: Path) -> None:
    lines = (EXAMPLE / "data.csv").read_text(encoding="utf-8").splitlines()
    rows = [line.split(",") for line in lines[1:]]
    sums = [sum(float(r[j]) for r in rows) for j in range(2, 9)]
    total = ",".join(["合计", "", *(f"{s:g}" for s in sums), ""])
    (tmp_path / "data.csv").write_text("\n".join([*lines, total]) + "\n", encoding="utf-8")
    shutil.copy(EXAMPLE / "scheme.toml", tmp_path / "scheme.toml")
    zh = run("allocate", "scheme.toml", cwd=tmp_path)
    assert zh.returncode == 0, zh.stderr
    (notice,) = zh.stderr.splitlines()
    assert notice.startswith("fundalloc：") and "合计" in notice and "第 18 行" in notice, notice
    en = run("allocate", "scheme.toml", "--lang", "en", cwd=tmp_path)
    assert en.stderr.startswith("fundalloc: "), en.stderr
    assert en.stderr.endswith("the 合计 row (row 18) matches the column sums and was dropped\n"), (
        en.stderr
    )


# ------------------------------------------------------------------------------ verify, init
def test_verify_in_both_languages(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    assert run("allocate", str(EXAMPLE / "scheme.toml"), "-o", str(out)).returncode == 0
    assert run("verify", str(out)).stdout == f"{out}：与重新计算的结果一致\n"
    assert run("verify", str(out), lang="en").stdout == f"{out}: identical to a fresh run\n"
    doc = json.loads(out.read_text(encoding="utf-8"))
    doc["result"]["amounts"]["济南市"] = "280"
    out.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    zh = run("verify", str(out))
    assert zh.returncode == 1
    assert zh.stdout.splitlines()[0] == f"{out}：与重新计算的结果有 1 处差异："
    assert zh.stdout.splitlines()[1].startswith("  济南市")
    en = run("verify", "--lang", "en", str(out))
    assert en.returncode == 1
    assert en.stdout == (
        f"{out}: 1 difference from a fresh run:\n  济南市: amount 280 in the output, 279 now\n"
    )
    doc["result"]["total"] = "9999"
    out.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert run("verify", str(out)).stdout.startswith(f"{out}：与重新计算的结果有 2 处差异：\n")
    assert run("verify", str(out), lang="en").stdout.startswith(
        f"{out}: 2 differences from a fresh run:\n"
    )


def test_init_in_both_languages(tmp_path: Path) -> None:
    zh = run("init", str(tmp_path / "新"))
    assert zh.returncode == 0
    assert zh.stderr == (
        f"fundalloc：已写出 {tmp_path / '新' / 'scheme.toml'}\n"
        f"fundalloc：已写出 {tmp_path / '新' / 'data.csv'}\n"
    )
    assert zh.stdout == f"下一步：fundalloc allocate {tmp_path / '新' / 'scheme.toml'}\n"
    en = run("init", str(tmp_path / "new"), "--lang", "en")
    assert en.stderr == (
        f"fundalloc: wrote {tmp_path / 'new' / 'scheme.toml'}\n"
        f"fundalloc: wrote {tmp_path / 'new' / 'data.csv'}\n"
    )
    assert en.stdout == f"next: fundalloc allocate {tmp_path / 'new' / 'scheme.toml'}\n"


def test_validate_and_the_table_in_both_languages() -> None:
    scheme = str(EXAMPLE / "scheme.toml")
    zh = run("validate", scheme)
    assert zh.stdout == f"{scheme}：通过 — data.csv 中的 16 个地区，3,717 万元 已精确分配\n"
    en = run("validate", scheme, lang="en")
    assert en.stdout == f"{scheme}: ok — 16 regions from data.csv, 3,717 万元 allocated exactly\n"
    assert "分配金额" in run("allocate", scheme).stdout
    assert "分配金额" not in run("allocate", scheme, "--lang", "en").stdout


# ------------------------------------------------------------------------------ --version
@pytest.mark.parametrize(("lang", "opening", "closing"), [(None, "（", "）"), ("en", " (", ")")])
def test_version(lang: str | None, opening: str, closing: str) -> None:
    done = run("--version", lang=lang)
    assert done.returncode == 0
    python = ".".join(map(str, sys.version_info[:3]))
    expected = f"fundalloc {version('fundalloc')}{opening}Python {python}{closing}\n"
    assert done.stdout == expected


# ------------------------------------------------------------------------------ --sheet
@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    """The example's data on the second sheet, notes on the first."""
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.title = "说明"
    book.active.append(["本表说明"])
    sheet = book.create_sheet("数据")
    lines = (EXAMPLE / "data.csv").read_text(encoding="utf-8").splitlines()
    sheet.append(lines[0].split(","))
    for line in lines[1:]:
        cells = line.split(",")
        sheet.append([cells[0], cells[1], *[float(c) for c in cells[2:9]], cells[9]])
    book.save(tmp_path / "data.xlsx")
    shutil.copy(EXAMPLE / "scheme.toml", tmp_path / "scheme.toml")
    return tmp_path


def test_sheet_chooses_the_sheet_of_a_workbook(workbook: Path) -> None:
    expected = run("allocate", str(EXAMPLE / "scheme.toml")).stdout
    args = ("allocate", "scheme.toml", "--data", "data.xlsx")
    done = run(*args, "--sheet", "数据", "-o", "r.json", cwd=workbook)
    assert done.returncode == 0, done.stderr
    assert done.stdout == expected
    assert run("verify", "r.json", cwd=workbook).returncode == 0
    recorded = json.loads((workbook / "r.json").read_text(encoding="utf-8"))
    assert "数据" in json.dumps(recorded, ensure_ascii=False)
    first = run(*args, cwd=workbook)  # the first sheet holds no header: an error
    assert first.returncode == 2 and "说明" in first.stderr


def test_an_unknown_sheet_lists_the_sheets(workbook: Path) -> None:
    args = ("allocate", "scheme.toml", "--data", "data.xlsx", "--sheet", "无此表")
    for lang in (None, "en"):
        done = run(*args, cwd=workbook, lang=lang)
        assert done.returncode == 2
        assert "无此表" in done.stderr and "'说明'" in done.stderr and "'数据'" in done.stderr
    done = run("validate", *args[1:], cwd=workbook)
    assert done.returncode == 2 and "'说明'" in done.stderr and "'数据'" in done.stderr


def test_sheet_with_a_csv_file_is_refused(workbook: Path) -> None:
    zh = run("allocate", str(EXAMPLE / "scheme.toml"), "--sheet", "数据")
    assert zh.returncode == 2
    assert zh.stderr.endswith("data.csv：--sheet 只用于 XLSX 数据文件；实际为 一个 .csv 文件\n")
    en = run("allocate", str(EXAMPLE / "scheme.toml"), "--sheet", "数据", lang="en")
    assert en.stderr.endswith("data.csv: --sheet is for XLSX data files only; found a .csv file\n")


# ------------------------------------------------------------------------------ the bar
class Terminal:
    """A pseudo-terminal: ``stream`` writes to it (a terminal to whoever checks), ``read``
    gets what was written."""

    def __init__(self) -> None:
        import fcntl
        import struct
        import termios

        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        self.stream = open(slave, "w", encoding="utf-8", buffering=1)  # noqa: SIM115

    def read(self, wait: float = 0.0) -> str:
        out = b""
        deadline = time.monotonic() + wait
        while True:
            ready, _, _ = select.select(
                [self.master], [], [], max(0.0, deadline - time.monotonic())
            )
            if not ready:
                return out.decode("utf-8", "replace")
            out += os.read(self.master, 65536)

    def close(self) -> None:
        self.stream.close()
        os.close(self.master)


@pytest.fixture
def terminal() -> Terminal:
    if sys.platform == "win32":
        pytest.skip("needs a POSIX pseudo-terminal")
    pytest.importorskip("tqdm")
    opened = Terminal()
    yield opened  # type: ignore[misc]
    opened.close()


def _slow_allocate(monkeypatch: pytest.MonkeyPatch, terminal: Terminal, seen: list[str]) -> None:
    """allocate waits until the bar is on the terminal (at most 10 s), so the bar is seen
    during the allocating step whatever the machine's speed."""
    import fundalloc.pipeline

    real = fundalloc.pipeline.allocate

    def slow(*args: object, **kwargs: object) -> object:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and "/3" not in "".join(seen):
            seen.append(terminal.read(0.1))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(fundalloc.pipeline, "allocate", slow)


@pytest.mark.parametrize(("lang", "label"), [("zh", "分配："), ("en", "allocating: ")])
def test_a_bar_on_a_terminal_for_a_long_run(
    lang: str,
    label: str,
    terminal: Terminal,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(_progress, "STAGES_DELAY", 0.0)  # "long" from the start
    monkeypatch.setattr(sys, "stderr", terminal.stream)
    seen: list[str] = []
    _slow_allocate(monkeypatch, terminal, seen)
    assert cli.main(["allocate", str(EXAMPLE / "scheme.toml"), "--lang", lang]) == 0
    seen.append(terminal.read(0.2))
    shown = "".join(seen)
    assert f"{label} 67%|" in shown and "| 2/3 [00:0" in shown, shown
    assert shown.rsplit("]", 1)[1].strip(" \r") == "", repr(shown[-200:])  # the bar removed
    assert "济南市" in capsys.readouterr().out  # the table on standard output, as always
    if lang == "zh":
        assert re.findall("[A-Za-z]{2,}", shown) == []


def test_no_bar_for_a_quick_run_on_a_terminal(
    terminal: Terminal, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stderr", terminal.stream)
    assert cli.main(["allocate", str(EXAMPLE / "scheme.toml")]) == 0
    assert terminal.read(0.2) == ""  # well under two seconds: nothing


def test_no_bar_when_standard_error_is_not_a_terminal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(_progress, "STAGES_DELAY", 0.0)
    made = []
    real = _progress.Stages.__init__

    def spy(self: _progress.Stages, *args: object, **kwargs: object) -> None:
        real(self, *args, **kwargs)  # type: ignore[arg-type]
        made.append(self)

    monkeypatch.setattr(_progress.Stages, "__init__", spy)
    assert cli.main(["allocate", str(EXAMPLE / "scheme.toml")]) == 0
    assert capsys.readouterr().err == ""
    assert made and all(stages._thread is None for stages in made)


def test_stages_draw_after_the_delay_and_leave_a_clean_line(terminal: Terminal) -> None:
    from fundalloc.i18n import using

    with using("zh"), _progress.Stages(2, delay=0.0, stream=terminal.stream) as stages:
        stages.step("读取")
        first = terminal.read(2.0)
        stages.note("fundalloc：一条说明")
        stages.step("分配")
        second = terminal.read(1.0)
    last = terminal.read(0.5)
    assert "读取：  0%|" in first and "0/2" in first, first
    assert "fundalloc：一条说明" in second and "分配： 50%|" in second, second
    assert last.replace(" ", "").strip("\r\x1b[A") == "", repr(last)  # the bar removed
    quiet = io.StringIO()
    with _progress.Stages(2, delay=0.0, stream=quiet) as stages:
        stages.step("读取")
        stages.note("一条说明")
    assert quiet.getvalue() == "一条说明\n"


def test_analysis_bars_label_in_the_current_language() -> None:
    from fundalloc.i18n import using

    out = io.StringIO()
    tqdm = pytest.importorskip("tqdm")
    with using("zh"), _progress.reporter(2, "抽样", progress=False, callback=None) as report:
        report(2)
    bar = tqdm.tqdm(total=2, file=out, desc="抽样：", bar_format=_progress.BAR_FORMAT)
    bar.update(2)
    bar.close()
    assert "抽样：100%|" in out.getvalue() and "it/s" not in out.getvalue()


def test_a_reader_that_leaves_early_is_not_an_error() -> None:
    """``fundalloc allocate … | head``: the table cut short, no message, exit 0."""
    env = {k: v for k, v in os.environ.items() if k != "FUNDALLOC_LANG"}
    with subprocess.Popen(
        [sys.executable, "-m", "fundalloc", "allocate", str(EXAMPLE / "scheme.toml")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.close()  # before the program has printed anything
        err = process.stderr.read()
    assert process.returncode == 0 and err == b""


@pytest.mark.slow
def test_a_long_run_shows_its_bar_on_a_terminal_only(tmp_path: Path) -> None:
    """A real run of 200 000 regions (several seconds): a bar on a terminal after two
    seconds, removed at the end; nothing when standard error is a pipe."""
    if sys.platform == "win32":
        pytest.skip("needs a POSIX pseudo-terminal")
    pytest.importorskip("tqdm")
    rows = ["地区,贫困人口,农村人口,等次"]
    rows += [f"地区{i},{1 + i % 900},{1000 + i % 19000},{'AB'[i % 2]}" for i in range(200_000)]
    (tmp_path / "data.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    scheme = (BAD / "negative" / "scheme.toml").read_text(encoding="utf-8")
    scheme = scheme.replace("total = 1000", "total = 10000000").replace("amount = 50", "amount = 0")
    (tmp_path / "scheme.toml").write_text(scheme, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "FUNDALLOC_LANG"}
    command = [sys.executable, "-m", "fundalloc", "allocate", "scheme.toml"]
    terminal = Terminal()
    try:
        with subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=terminal.stream, cwd=tmp_path, env=env
        ) as process:
            seen = []
            while process.poll() is None:
                seen.append(terminal.read(0.2))
        seen.append(terminal.read(0.2))
    finally:
        terminal.close()
    shown = "".join(seen)
    assert process.returncode == 0
    assert "/3 [00:0" in shown and ("读取数据：" in shown or "分配：" in shown), shown[-300:]
    assert shown.rsplit("]", 1)[1].strip(" \r") == ""  # removed at the end
    piped = subprocess.run(command, capture_output=True, cwd=tmp_path, env=env, check=False)
    assert piped.returncode == 0 and piped.stderr == b""
