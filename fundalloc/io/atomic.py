"""Crash-safe writes: a temporary file in the output's folder, synced, then renamed.

:func:`write_atomic` writes the bytes to a temporary file next to the output, ``fsync``\\ s
it, renames it over the output and ``fsync``\\ s the folder, so that after a crash or a kill
the output is either the old file or the new one, complete.

A writer killed before the rename leaves its temporary file behind. Each write therefore
first removes the *stale* temporary files of our own naming in the output's folder, and
only those. A temporary file is named ``.fundalloc-<host>-<pid>-<random>.tmp``, where
``<host>`` is 8 hex digits of the SHA-256 of this machine's name and ``<pid>`` the writing
process. It is stale when

- it was made on this machine and its process is no longer running (a concurrent writer's
  file, even one of another thread of this process, is kept), or
- it was last modified more than :data:`STALE_AFTER` seconds ago, whoever made it: a live
  writer touches its file until the moment it renames it, and a pid may be reused by an
  unrelated process. Files from another machine (a shared folder) and the
  ``.fundalloc-<random>.tmp`` files of earlier versions are judged by this age alone.

Nothing else is touched: not other names, not folders, not symbolic links.

A write that cannot happen raises an :class:`OSError` whose ``filename`` is the path as the
caller gave it (never the temporary file's) and whose ``strerror`` says why in a user's
words: the folder does not exist, a part of the path is a file, the output is a folder, no
permission.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import socket
import sys
import tempfile
import time

from fundalloc.i18n import tr

__all__ = ["STALE_AFTER", "TEMP_PREFIX", "TEMP_SUFFIX", "host_tag", "is_ours", "write_atomic"]

TEMP_PREFIX = ".fundalloc-"
TEMP_SUFFIX = ".tmp"
#: Seconds after its last change when any temporary file of ours is stale.
STALE_AFTER = 3600.0

_CURRENT = re.compile(
    r"\.fundalloc-(?P<host>[0-9a-f]{8})-(?P<pid>[1-9][0-9]{0,9})-[0-9a-z_]{8}\.tmp"
)
_LEGACY = re.compile(r"\.fundalloc-[0-9a-z_]{8}\.tmp")  # tempfile.mkstemp's names, before pids


def host_tag() -> str:
    """Eight hex digits naming this machine in temporary file names."""
    return hashlib.sha256(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:8]


def is_ours(name: str) -> bool:
    """Whether ``name`` is a temporary file name that fundalloc makes."""
    return bool(_CURRENT.fullmatch(name) or _LEGACY.fullmatch(name))


def write_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` through a synced temporary file in the same folder and a
    rename, after removing stale temporary files of ours there (see the module's notes)."""
    target = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(target))
    if os.path.isdir(target):
        raise _unwritable(target, errno.EISDIR)
    remove_stale(folder)
    try:
        handle, temporary = tempfile.mkstemp(
            dir=folder, prefix=f"{TEMP_PREFIX}{host_tag()}-{os.getpid()}-", suffix=TEMP_SUFFIX
        )
    except OSError as exc:
        raise _unwritable(target, exc.errno) from None
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        # mkstemp makes the file private; give it the mode a new file would have (or keep the
        # mode of the file it replaces), so a published output stays readable to others
        try:
            mode = os.stat(target).st_mode & 0o7777
        except OSError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException as exc:
        if os.path.lexists(temporary):
            os.unlink(temporary)
        if isinstance(exc, OSError):
            raise _unwritable(target, exc.errno) from None
        raise
    _sync_folder(folder)


def remove_stale(folder: str) -> list[str]:
    """Remove the stale temporary files of ours in ``folder``; the names removed."""
    removed: list[str] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        if not entry.name.startswith(TEMP_PREFIX) or not is_ours(entry.name):
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            if _stale(entry.name, now - entry.stat(follow_symlinks=False).st_mtime):
                os.unlink(entry.path)
                removed.append(entry.name)
        except OSError:  # gone already (another writer cleaned it), or not ours to remove
            continue
    return removed


def _stale(name: str, age: float) -> bool:
    if age > STALE_AFTER:
        return True
    match = _CURRENT.fullmatch(name)
    if match is None or match["host"] != host_tag() or sys.platform == "win32":
        return False  # judged by age alone
    return not _running(int(match["pid"]))


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: it exists and belongs to someone else
        return True
    return True


def _sync_folder(folder: str) -> None:
    """Make the rename durable: sync the folder's entry list (POSIX only; best effort)."""
    if sys.platform == "win32":
        return
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # some file systems cannot sync a folder; the rename still happened
        pass
    finally:
        os.close(fd)


def _unwritable(target: str, code: int | None) -> OSError:
    """An OSError naming ``target`` as given, saying why it cannot be written."""
    folder = os.path.dirname(target)
    shown = folder or "."
    if code == errno.EISDIR or os.path.isdir(target):
        return IsADirectoryError(
            errno.EISDIR,
            tr("common.write_is_folder"),
            target,
        )
    blocking = _file_in_the_way(folder)
    if blocking is not None:
        return NotADirectoryError(
            errno.ENOTDIR,
            tr("common.write_file_in_the_way", blocking=repr(blocking)),
            target,
        )
    if not os.path.isdir(shown):
        return FileNotFoundError(
            errno.ENOENT,
            tr("common.write_no_folder", folder=repr(shown)),
            target,
        )
    if code in (errno.EACCES, errno.EPERM):
        return PermissionError(
            code,
            tr("common.write_no_permission", folder=repr(shown)),
            target,
        )
    if code == errno.EROFS:
        return OSError(
            code,
            tr("common.write_read_only", folder=repr(shown)),
            target,
        )
    if code == errno.ENOSPC:
        return OSError(
            code,
            tr("common.write_disk_full", folder=repr(shown)),
            target,
        )
    reason = os.strerror(code) if code else "?"
    return OSError(
        code,
        tr("common.write_cannot_create", folder=repr(shown), reason=reason),
        target,
    )


def _file_in_the_way(folder: str) -> str | None:
    """The first part of ``folder`` (as given) that exists and is not a folder."""
    parts = []
    head = folder
    while head and head != os.path.dirname(head):
        parts.append(head)
        head = os.path.dirname(head)
    for part in reversed(parts):
        if os.path.lexists(part) and not os.path.isdir(part):
            return part
        if not os.path.lexists(part):
            return None
    return None
