"""The right to write one workspace, held on the database file itself: by identity, never by name.

A lock beside the file (`w.pmw.lock`) followed the name: through a hard link, a symlink or a deleted
lock file two processes both wrote, and one import was silently lost. This lock is taken on the
workspace file's own inode, so every name of the file meets the same lock, and the OS releases it
when the process dies.

POSIX: `flock` on the database file. It is independent of the `fcntl` byte-range locks SQLite takes
on the same file, with one trap: closing *any* descriptor of a file drops every `fcntl` lock this
process holds on it, which would silently cancel SQLite's own locking while its connections are open.
So this module opens each workspace file at most once per process, keeps that descriptor until the
last user in the process is gone, and never reads the file through a second descriptor.

Windows: `msvcrt.locking` locks are mandatory, so the lock takes one byte inside SQLite's lock-byte
page (offset 1 GiB), a page SQLite never reads or writes and whose first 512 bytes are its own locks.
"""
from __future__ import annotations

import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

# Byte 1 GiB + 1024: inside SQLite's lock-byte page (page size 4096 and up), past SQLite's own lock
# bytes (1 GiB .. 1 GiB + 511). Only used on Windows, where byte-range locks are mandatory.
_WINDOWS_LOCK_OFFSET = 0x40000000 + 1024


@dataclass
class _OpenFile:
    """This process's one descriptor of a workspace file, and how many workspaces use it."""

    fd: int
    users: int
    writer_held: bool


# (st_dev, st_ino) -> the process's descriptor of that file. Shared by every Workspace in the process.
_OPEN: dict[tuple[int, int], _OpenFile] = {}
_GUARD = threading.Lock()


def file_identity(path: Path) -> tuple[int, int]:
    """The identity of the file at path (device, inode): the same for every name of the file."""
    info = os.stat(path)
    return info.st_dev, info.st_ino


class WorkspaceLock:
    """Held while this process may write the workspace; any other opener, in any process, through
    any name of the same file, finds it taken and opens read-only."""

    def __init__(self, workspace_path: Path):
        self.workspace_path = workspace_path
        self._identity: tuple[int, int] | None = None
        self._writer = False

    def acquire(self, *, write: bool = True) -> bool:
        """Registers this workspace as a user of the file; True when it may also write.

        False when write is False, when another process holds the file, or when another workspace in
        this process does.
        """
        identity = file_identity(self.workspace_path)
        with _GUARD:
            entry = _OPEN.get(identity)
            if entry is None:
                fd = os.open(self.workspace_path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
                if file_identity_of_fd(fd) != identity:  # replaced between stat and open
                    os.close(fd)
                    raise FileNotFoundError(f"{self.workspace_path} was replaced while it was being opened")
                entry = _OpenFile(fd=fd, users=0, writer_held=False)
                _OPEN[identity] = entry
            entry.users += 1
            self._identity = identity
            if write and not entry.writer_held and _try_lock(entry.fd):
                entry.writer_held = True
                self._writer = True
            return self._writer

    def release(self) -> None:
        """Gives up this workspace's use; the descriptor closes (and the lock goes) with the last user.

        Call only after this workspace's SQLite connections are closed.
        """
        if self._identity is None:
            return
        with _GUARD:
            entry = _OPEN[self._identity]
            entry.users -= 1
            if self._writer:
                # Another process may write once every user here is gone; until then the lock stays,
                # because read-only windows in this process still have SQLite connections open.
                self._writer = False
            if entry.users == 0:
                del _OPEN[self._identity]
                try:
                    if entry.writer_held:
                        _unlock(entry.fd)
                finally:
                    os.close(entry.fd)
            self._identity = None

    def still_named(self) -> bool:
        """The workspace's path still names the file this lock is on (not renamed, moved or replaced)."""
        if self._identity is None:
            return False
        try:
            return file_identity(self.workspace_path) == self._identity
        except OSError:
            return False

    @property
    def held(self) -> bool:
        """True while this workspace holds the right to write."""
        return self._writer


def held_in_this_process(path: Path) -> bool:
    """Whether this process holds the right to write the file at path (by identity)."""
    try:
        identity = file_identity(path)
    except OSError:
        return False
    with _GUARD:
        entry = _OPEN.get(identity)
        return entry is not None and entry.writer_held


def read_start(path: Path, size: int) -> bytes:
    """The first size bytes of the file, read without closing a descriptor SQLite depends on.

    While a workspace in this process uses the file, its registered descriptor is read; otherwise no
    SQLite connection here has the file open, and a short-lived descriptor is safe.
    """
    identity = file_identity(path)
    with _GUARD:
        entry = _OPEN.get(identity)
        if entry is not None and hasattr(os, "pread"):  # Windows: closing never drops locks
            return os.pread(entry.fd, size, 0)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        return os.read(fd, size)
    finally:
        os.close(fd)


def file_identity_of_fd(fd: int) -> tuple[int, int]:
    info = os.fstat(fd)
    return info.st_dev, info.st_ino


if sys.platform == "win32":  # pragma: no cover - exercised on Windows builds only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
