"""An exclusive lock beside the workspace file, released by the OS when the process dies."""
from __future__ import annotations

import os
from pathlib import Path


class WorkspaceLock:
    """Held while a process writes a workspace; a second process finds it taken and opens read-only."""

    def __init__(self, workspace_path: Path):
        self.path = workspace_path.with_name(workspace_path.name + ".lock")
        self._fd: int | None = None

    def acquire(self) -> bool:
        """True when this process now holds the lock; False when another process has it."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            _lock_fd(fd)
        except OSError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            _unlock_fd(self._fd)
        finally:
            os.close(self._fd)
            self._fd = None
        # The file stays: unlinking it would let a waiting process lock an orphaned inode while a
        # third one locks a new file, and both would write.

    @property
    def held(self) -> bool:
        return self._fd is not None


if os.name == "nt":  # pragma: no cover - exercised on Windows builds only
    import msvcrt

    def _lock_fd(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

    def _unlock_fd(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _lock_fd(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock_fd(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
