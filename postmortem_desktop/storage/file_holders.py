"""Who holds a workspace file: the processes that have it open or locked, named for a message.

Best effort: on Linux the kernel lists file locks in /proc/locks and each process's open files under
/proc/PID/fd; elsewhere (or when /proc cannot be read) the answer is "another program".
"""
from __future__ import annotations

import os
from pathlib import Path

_PROC = Path("/proc")
_MAX_NAMED = 3


def describe(path: Path) -> str:
    """'process 4121 (sqlite3)', 'processes 4121 (sqlite3) and 4188 (python3)', or 'another program'."""
    pids = [pid for pid in holders(path) if pid != os.getpid()]
    if not pids:
        return "another program"
    named = [f"{pid} ({_command(pid)})" for pid in pids[:_MAX_NAMED]]
    noun = "process" if len(named) == 1 else "processes"
    return f"{noun} " + (named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1])


def holders(path: Path) -> list[int]:
    """Process ids that lock or have open the file at path (its -wal and -shm files count too)."""
    try:
        info = os.stat(path)
    except OSError:
        return []
    targets = {(info.st_dev, info.st_ino)}
    for suffix in ("-wal", "-shm"):
        try:
            side = os.stat(f"{path}{suffix}")
            targets.add((side.st_dev, side.st_ino))
        except OSError:
            pass
    found = dict.fromkeys(_lockers(targets))
    found.update(dict.fromkeys(_openers(targets)))
    return list(found)


def _lockers(targets: set[tuple[int, int]]) -> list[int]:
    inodes = {ino for _dev, ino in targets}
    try:
        lines = (_PROC / "locks").read_text().splitlines()
    except OSError:
        return []
    pids = []
    for line in lines:
        fields = line.split()
        # "1: FLOCK  ADVISORY  WRITE 4121 08:01:1234567 0 EOF" ("->" marks a waiting lock)
        if "->" in fields:
            continue
        try:
            pid, device_inode = int(fields[4]), fields[5]
        except (IndexError, ValueError):
            continue
        if pid > 0 and int(device_inode.rsplit(":", 1)[-1]) in inodes:
            pids.append(pid)
    return pids


def _openers(targets: set[tuple[int, int]]) -> list[int]:
    return [pid for pid, opened in _open_files() if opened & targets]


def _command(pid: int) -> str:
    try:
        return (_PROC / str(pid) / "comm").read_text().strip() or "unknown"
    except OSError:
        return "unknown"


def foreign_journal_users(path: Path) -> list[int]:
    """Processes that have this name's -wal or -shm file open but not the file itself.

    SQLite finds a database's journal by name. When a workspace is renamed or replaced while a
    process has it open, that process goes on using the journal of the old name, now beside another
    file: opening this file too would mix the two files' edits.
    """
    try:
        info = os.stat(path)
    except OSError:
        return []
    database = (info.st_dev, info.st_ino)
    journals = set()
    for suffix in ("-wal", "-shm"):
        try:
            side = os.stat(f"{path}{suffix}")
            journals.add((side.st_dev, side.st_ino))
        except OSError:
            pass
    if not journals:
        return []
    return [pid for pid, opened in _open_files() if opened & journals and database not in opened]


def _open_files() -> list[tuple[int, set[tuple[int, int]]]]:
    found = []
    try:
        entries = list(_PROC.iterdir())
    except OSError:
        return []
    for entry in entries:
        if not entry.name.isdigit():
            continue
        opened = set()
        try:
            for fd in (entry / "fd").iterdir():
                try:
                    info = os.stat(fd)
                except OSError:
                    continue
                opened.add((info.st_dev, info.st_ino))
        except OSError:
            continue
        found.append((int(entry.name), opened))
    return found
