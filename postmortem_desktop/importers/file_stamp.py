"""Telling a file that changed while it was read: its identity on disk before and after the read.

An import reads a file and records its SHA-256 with the rows. If the file is edited, replaced or
still being written meanwhile, the rows would come from one version and the hash from another, or
from a half-written file. So every read that produces stored rows is bracketed: the stamp is taken
before the first byte is read and again after the last (and after the hash), and any difference
refuses the whole import.
"""
from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from .sheet_errors import SheetError


@dataclass(frozen=True)
class FileStamp:
    """What changes when a file's bytes do: size and modification time, and which file the name
    points at (an editor saving by rename gives a new inode even when size and mtime match)."""

    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int
    device: int


def stamp_of(path: str | os.PathLike[str]) -> FileStamp | None:
    """The file's stamp now, or None when it cannot be looked at (the read reports why)."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return FileStamp(info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev)


class FileChangedError(SheetError):
    """The file was different after it was read than before: nothing read from it may be stored."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"'{name}' changed while it was being imported (it was edited or is still being "
                         "written). Nothing was imported; try again when it is complete.")

    def __reduce__(self) -> tuple[type[FileChangedError], tuple[str]]:  # crosses from the helper process intact
        return FileChangedError, (self.name,)


def refuse_if_changed(path: str | os.PathLike[str], before: FileStamp | None) -> None:
    """Raises FileChangedError unless the file still has the stamp it had before the read."""
    if stamp_of(path) != before:
        raise FileChangedError(Path(path).name)


class FileDigest:
    """The file's SHA-256 (recorded with the import), worked out on a thread meanwhile.

    Hashing releases the GIL, so on a second core it costs the reader nothing.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._value = ""
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(Path(path),), name="import-file-digest", daemon=True)
        self._thread.start()

    def _run(self, path: Path) -> None:
        digest = hashlib.sha256()
        try:
            with path.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 22), b""):
                    if self._stopped.is_set():
                        return
                    digest.update(block)
        except OSError:
            return  # the import itself reports the unreadable file
        self._value = digest.hexdigest()

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join()

    def result(self) -> str:
        self._thread.join()
        return self._value


class GuardedRead:
    """One read of a file that produces stored rows, bracketed by stamps, with its hash meanwhile.

    Create it before the first byte is read (the stamp is taken and hashing starts); call
    ``finish()`` once the last row is read, inside the import's transaction, for the hash or a
    FileChangedError. Used as a context manager around the read, it also reports a failure the
    change caused (a record cut short mid-quote, say) as the change, not as damage.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.before = stamp_of(self.path)
        self._digest = FileDigest(self.path)

    def __enter__(self) -> GuardedRead:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()
        if isinstance(error, ValueError) and not isinstance(error, FileChangedError) and self.changed():
            raise FileChangedError(self.path.name) from error

    def stop(self) -> None:
        """Stops hashing (Cancel or an error: no reason to finish); harmless once finished."""
        self._digest.stop()

    def changed(self) -> bool:
        return stamp_of(self.path) != self.before

    def finish(self) -> str:
        """The hash of the bytes that were read; raises FileChangedError if the file changed."""
        value = self._digest.result()
        refuse_if_changed(self.path, self.before)
        return value
