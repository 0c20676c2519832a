"""Crash-safe writes: a killed writer leaves nothing that a later run does not clean up, a
live writer's temporary file is never removed, and a write that cannot happen says so in the
user's words."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fundalloc.io import atomic
from fundalloc.io.atomic import write_atomic

posix = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and pids")

CHILD = """\
import sys
from fundalloc.io.atomic import write_atomic
path, size = sys.argv[1], int(sys.argv[2])
k = 0
while True:
    write_atomic(path, bytes([65 + k % 2]) * size)
    k += 1
"""


def _temporaries(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.name.startswith(".fundalloc-"))


def _complete(path: Path, size: int) -> bool:
    data = path.read_bytes()
    return len(data) == size and data in (b"A" * size, b"B" * size)


@posix
def test_a_writer_killed_mid_write_leaves_the_old_file_and_the_next_run_cleans_up(
    tmp_path: Path,
) -> None:
    size = 32 * 2**20
    out = tmp_path / "out.bin"
    out.write_bytes(b"A" * size)
    caught = 0
    for _ in range(20):  # until a kill lands while the temporary file exists
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(out), str(size)])
        mine = f"-{child.pid}-"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not any(
            mine in p.name for p in _temporaries(tmp_path)
        ):
            time.sleep(0.0005)
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        left = [p for p in _temporaries(tmp_path) if mine in p.name]
        assert _complete(out, size), "the output is neither the old nor the new file"
        if left:
            caught += 1
            break
    assert caught, "no kill landed during a write"
    write_atomic(out, b"new")
    assert _temporaries(tmp_path) == []
    assert out.read_bytes() == b"new"


def _name(pid: int, host: str | None = None) -> str:
    return f"{atomic.TEMP_PREFIX}{host or atomic.host_tag()}-{pid}-abcdefgh{atomic.TEMP_SUFFIX}"


@posix
def test_only_stale_temporary_files_of_our_naming_are_removed(tmp_path: Path) -> None:
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()
    try:
        live = tmp_path / _name(sleeper.pid)  # a concurrent writer on this machine
        ours = tmp_path / _name(os.getpid())  # another thread of this very process
        dead = tmp_path / _name(finished.pid)  # a writer that was killed
        other_host = tmp_path / _name(finished.pid, host="0123abcd")  # pid means nothing here
        old_other_host = tmp_path / _name(finished.pid, host="4567cdef")
        legacy_new = tmp_path / ".fundalloc-k20xcba7.tmp"  # earlier fundalloc, no pid
        legacy_old = tmp_path / ".fundalloc-o0on92ku.tmp"
        unrelated = tmp_path / ".fundalloc-notes.txt"
        folder = tmp_path / ".fundalloc-x-1-abcdefgh.tmp"
        for path in (live, ours, dead, other_host, old_other_host, legacy_new, legacy_old):
            path.write_bytes(b"partial")
        unrelated.write_text("mine", encoding="utf-8")
        folder.mkdir()
        an_hour_ago = time.time() - atomic.STALE_AFTER - 60
        for path in (old_other_host, legacy_old):
            os.utime(path, (an_hour_ago, an_hour_ago))
        write_atomic(tmp_path / "out.csv", b"x")
        remaining = {p.name for p in tmp_path.iterdir()}
        assert remaining == {
            live.name,
            ours.name,
            other_host.name,
            legacy_new.name,
            unrelated.name,
            folder.name,
            "out.csv",
        }
    finally:
        sleeper.kill()
        sleeper.wait()


@posix
def test_a_live_writer_whose_file_is_an_hour_old_is_stale(tmp_path: Path) -> None:
    # a pid can be reused: after STALE_AFTER a file is stale whoever holds the pid now
    path = tmp_path / _name(os.getpid())
    path.write_bytes(b"partial")
    an_hour_ago = time.time() - atomic.STALE_AFTER - 60
    os.utime(path, (an_hour_ago, an_hour_ago))
    write_atomic(tmp_path / "out.csv", b"x")
    assert not path.exists()


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="tells a folder by /proc")
def test_the_file_and_the_folder_are_synced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[str] = []
    real = os.fsync

    def spy(fd: int) -> None:
        synced.append("folder" if os.path.isdir(f"/proc/self/fd/{fd}") else "file")
        real(fd)

    real_replace = os.replace

    def replace(src: str, dst: str) -> None:
        synced.append("rename")
        real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "fsync", spy)
    monkeypatch.setattr(atomic.os, "replace", replace)
    out = tmp_path / "out.csv"
    write_atomic(out, b"x")
    assert synced == ["file", "rename", "folder"]  # the data is on disk before it is named


def test_the_new_file_is_named_with_this_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []
    real = os.replace

    def spy(src: str, dst: str) -> None:
        seen.append(os.path.basename(src))
        real(src, dst)

    monkeypatch.setattr(atomic.os, "replace", spy)
    write_atomic(tmp_path / "out.csv", b"x")
    assert len(seen) == 1 and atomic.is_ours(seen[0])
    assert f"-{os.getpid()}-" in seen[0] and seen[0].startswith(".fundalloc-")


@pytest.mark.parametrize(
    ("where", "words"),
    [
        ("no such folder/r.csv", "the folder 'no such folder' does not exist"),
        ("a file/r.csv", "'a file' is a file, not a folder"),
        ("a folder", "is a folder; expected a file name"),
    ],
)
def test_a_write_that_cannot_happen_names_the_path_as_given(
    where: str, words: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a file").write_text("x", encoding="utf-8")
    (tmp_path / "a folder").mkdir()
    with pytest.raises(OSError) as err:
        write_atomic(where, b"x")
    assert err.value.filename == where
    assert words in str(err.value.strerror)
    assert ".tmp" not in str(err.value)
    assert _temporaries(tmp_path) == []


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs /proc")
def test_a_folder_where_no_file_can_be_made_is_named(tmp_path: Path) -> None:
    with pytest.raises(OSError) as err:
        write_atomic("/proc/self/r.csv", b"x")
    assert err.value.filename == "/proc/self/r.csv"
    assert "cannot create a file in the folder '/proc/self'" in str(err.value.strerror)
    assert ".tmp" not in str(err.value)
