"""Importing a ticket file on two cores: a helper process reads and maps, this process writes.

Reading a 100k-row dump, mapping it and writing it are each about a second of CPU, and Python
runs one thread at a time, so the helper process (services/import_helper.py: no Qt, no workspace)
reads the file as a stream, maps each row and plans ids (services/ticket_plan.py), and appends
chunks of finished row tuples to a temporary file (see _Helper). This process only inserts
them, indexes search as it goes, and commits, inside the one import transaction. Cancel or any error stops the helper
and rolls the transaction back, so the workspace is left exactly as it was.

Reading again: when no one has settled the day order, the helper takes it from the first rows
and watches the rest; and it decodes a UTF-8 file as it reads it. If the whole file turns out
to read differently (another day order, a byte that is not UTF-8), it says "read again", this
process rolls the transaction back, and the import runs once more the way the whole file needs.

Untrusted workbooks: a workbook (XLSX, ODS, XLS, SpreadsheetML) is always read by the helper,
for the import and for the preview alike (read_sheet_in_helper), whatever its size. The helper
runs under a memory cap (HelperLimits.memory_bytes, applied by the helper itself) and this process
kills it when the file takes longer than HelperLimits.read_seconds to read: a file that gets past
the checks in importers/workbook_safety.py costs a refused file (SheetError), never the app.
"""
from __future__ import annotations

import atexit
import contextlib
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Generator, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..gc_pause import collector_paused
from ..importers.file_stamp import GuardedRead
from ..importers.sheet_errors import SheetError
from ..importers.sheet_reader import Sheet, is_workbook
from ..storage.workspace import Workspace
from . import ticket_store
from .import_helper import (
    FRAME_HEAD_BYTES,
    MEMORY_CAP_VARIABLE,
    FileJob,
    SheetJob,
    produce,
    unpacked_rows,
    write_frame,
)
from .ticket_import import ImportOptions, ImportSummary, run_in_import_transaction
from .ticket_plan import PlanChunk, PlanState

# Below this a file imports faster in-process than a helper process starts (~0.1 s).
PARALLEL_MIN_BYTES = 4 << 20
POLL_SECONDS = 0.05  # how often a waiting import yields, so Cancel is never far away
_NAP = 0.002  # how long to wait before looking for the helper's next message again
HELPER_FLAG = "--import-helper"  # the frozen app's launcher runs the helper when given this


@dataclass(frozen=True)
class HelperLimits:
    """What reading one untrusted file may cost the helper before the file is refused.

    A 100,000-row XLSX needs ~340 MB and 3 s to read (10 s on a busy machine): the caps leave
    room for ten times that, and none for the gigabytes a workbook bomb asks for.
    """

    memory_bytes: int = 2 << 30  # address space (RLIMIT_AS); POSIX only
    read_seconds: float = 120.0  # until the file is read: a workbook whole, a text file's head

    def for_file(self, path: Path) -> HelperLimits:
        """The caps for one file: a text file decoded whole (up to 1 GB) needs about three times
        its size, and its size is what it is, not what a bomb claims, so its cap grows with it."""
        try:
            size = path.stat().st_size
        except OSError:
            return self
        return replace(self, memory_bytes=max(self.memory_bytes, 4 * size))


def needs_helper(path: Path) -> bool:
    """Whether importing the file (when nobody chooses) runs in a helper: a workbook always, a text file when large."""
    return path.exists() and (path.stat().st_size >= PARALLEL_MIN_BYTES or is_workbook(path))


class HelperFailed(RuntimeError):
    """The helper process died or raised something this process cannot rebuild."""

    def __init__(self, what: str) -> None:
        super().__init__(f"The import stopped: {what}\nNothing was imported; the workspace is as it was.")


def import_file(workspace: Workspace, incident_id: int, job: FileJob, options: ImportOptions | None = None,
                *, parallel: bool | None = None,
                limits: HelperLimits | None = None) -> Generator[tuple[int, int | None], None, ImportSummary]:
    """Imports ``job.path`` as one transaction; yields (done, total) progress; returns the summary.

    ``parallel`` None chooses by file size, and always the helper for a workbook (see the module's
    docstring); tests force either way to prove both agree. ``limits`` are the helper's caps.
    """
    options = options or ImportOptions()
    limits = limits or HelperLimits()
    path = Path(job.path)
    if parallel is None:
        parallel = needs_helper(path)
    summary = ImportSummary(file_name=path.name, vendor="", encoding=None, delimiter=None, mapping={},
                            dry_run=options.dry_run)

    with collector_paused():  # hundreds of thousands of long-lived tuples, no cycles (gc_pause.py)
        while True:
            read, source = GuardedRead(path), None  # stamped before the helper reads a byte, checked before the commit
            try:
                # Started before the transaction: the helper reads the file while this process
                # opens the transaction and reads the incident's state, then receives that state.
                source = _helper_for(job, limits) if parallel else _Inline(job)
                return (yield from run_in_import_transaction(
                    workspace, incident_id, path, summary, options,
                    lambda cur, state: _store(cur, state, source, summary, read)))  # noqa: B023
            except _ReadAgain as again:  # rolled back already; rare, see the module's docstring
                job = replace(job, **again.changes)
            finally:
                read.stop()
                if source is not None:
                    source.stop()


def _store(cur, state: PlanState, source, summary: ImportSummary, read: GuardedRead):  # noqa: ANN001, ANN202
    with read:  # a file that changed meanwhile is refused, so the transaction rolls back (file_stamp.py)
        yield from _write(cur, source.messages(state), summary, ticket_store.SearchCatchUp(state))
        summary.file_hash = read.finish()


class _ReadAgain(Exception):
    def __init__(self, changes: dict) -> None:
        super().__init__(f"the file must be read again with {sorted(changes)} changed")
        self.changes = changes  # FileJob fields


def _write(cur, messages, summary: ImportSummary,  # noqa: ANN001
           search: ticket_store.SearchCatchUp) -> Generator[tuple[int, int | None], None, None]:
    """Applies the helper's messages in order: plan, chunks, then done (or read-again)."""
    # No SAVEPOINT to restart from: SQLite would copy every page it changes into a
    # sub-journal, which made the inserts 2x slower. A restart rolls the transaction back instead.
    ticket_store.begin(cur)
    for kind, payload in messages:
        if kind == "wait":
            yield payload
        elif kind == "plan":
            (summary.vendor, summary.encoding, summary.delimiter, summary.mapping, summary.lines_not_utf8,
             summary.lines_not_utf8_read_as, summary.lines_not_utf8_where) = payload
        elif kind == "chunk":
            rows, progress = payload
            chunk = PlanChunk(*rows)
            ticket_store.write_chunk(cur, chunk)
            search.written(chunk)
            search.index_if_worth_it(cur)
            yield progress
        elif kind == "open quotes":
            summary.open_quotes = list(payload)
        elif kind == "read again":
            raise _ReadAgain(payload)
        elif kind == "done":
            ticket_store.finish(cur, payload, summary, indexed=search.indexed)
            yield payload.rows_read, payload.rows_read
            return
    raise HelperFailed("the helper process stopped before the end of the file.")


class _Inline:
    """The producer run in this process (small files: a few MB at most), all at once."""

    def __init__(self, job: FileJob) -> None:
        self.job = job

    def messages(self, state: PlanState) -> Iterator[tuple[str, Any]]:
        outbox: list = []
        produce(self.job, lambda: state, outbox.append)
        return iter(outbox)

    def stop(self) -> None:
        pass


def read_sheet_in_helper(path: Path | str, limits: HelperLimits | None = None) -> Sheet:
    """The whole sheet read by a helper process under ``limits``; SheetError as read_sheet raises,
    and also for a file that needs more memory or time than the limits allow."""
    helper = _helper_for(SheetJob(str(path)), limits or HelperLimits())
    try:
        with collector_paused():  # the sheet arrives as a million small objects and no cycles (gc_pause.py)
            for kind, payload in helper.messages(None):
                if kind == "sheet":
                    return payload
    finally:
        helper.stop()
    raise HelperFailed("the helper process sent no sheet.")


# A helper started before the person has chosen a file: Python and the readers take ~0.2 s to
# start, a third of reading a 10,000-row workbook, and the preview need not wait for them; nor
# does the import of a text file, which the preview read in this process (_helper_for).
_standby: list[_Helper] = []
_standby_lock = threading.Lock()


def warm_up() -> None:
    """Starts a helper that waits for the next workbook to read (at most one waits at a time)."""
    with _standby_lock:
        if _standby and _standby[0].usable_for(HelperLimits()):
            return
        stale = _standby[:]
        _standby[:] = [_Helper.standby(HelperLimits())]
    for helper in stale:
        helper.stop()


def stop_standby() -> None:
    """Ends the waiting helper, if any (at exit, and in tests)."""
    with _standby_lock:
        stale = _standby[:]
        _standby.clear()
    for helper in stale:
        helper.stop()


atexit.register(stop_standby)  # a waiting helper would end by itself when its stdin closes; sooner is tidier


def _helper_for(job: FileJob | SheetJob, limits: HelperLimits) -> _Helper:
    """A helper given ``job``: the one waiting since the Import dialog opened, when its caps fit the
    file (a file import saves its ~0.1 s start too, not only a workbook's preview), else a new one."""
    helper = _standby_helper(limits.for_file(Path(job.path)))
    if helper is None:
        return _Helper(job, limits)
    helper.take(job)
    return helper


def _standby_helper(limits: HelperLimits) -> _Helper | None:
    with _standby_lock:
        helper = _standby.pop() if _standby else None
    if helper is not None and not helper.usable_for(limits):
        helper.stop()
        return None
    return helper


def needs_more_memory(name: str, limits: HelperLimits) -> SheetError:
    cap = limits.memory_bytes
    size = f"{cap / (1 << 30):.3g} GB" if cap >= 1 << 30 else f"{cap / (1 << 20):.0f} MB"
    return SheetError(f"'{name}' needs more memory than {size} to read; it may be "
                      "damaged or hostile; nothing was imported. Open it in Excel or LibreOffice, save it as CSV "
                      "UTF-8, and import that.")


def takes_too_long(name: str, limits: HelperLimits) -> SheetError:
    return SheetError(f"'{name}' took longer than {limits.read_seconds:g} seconds to read, so reading it was "
                      "stopped; it may be damaged or hostile; nothing was imported. Open it in Excel or "
                      "LibreOffice, save it as CSV UTF-8, and import that.")


# How a helper that ran out of its memory cap ends: Python's MemoryError, or Rust's abort on a failed allocation.
_OUT_OF_MEMORY_SIGNS = (b"memory allocation of", b"MemoryError", b"Cannot allocate memory", b"std::bad_alloc")
# the spreadsheet reader (Rust, through pyo3) gave up on the file: a panic, not a bug of ours
_READER_PANIC_SIGNS = (b"PanicException", b"panicked at")


def reader_gave_up(name: str, output: bytes) -> SheetError:
    """A hostile or damaged workbook that panicked the reader: refused in words, without its backtrace."""
    lines = output.decode("utf-8", "replace").splitlines()
    reason = next((line.split("PanicException:", 1)[1].strip() for line in lines if "PanicException:" in line), "")
    return SheetError(f"'{name}' could not be read: the spreadsheet reader gave up on it"
                      + (f" ({reason})" if reason else "") + ". It may be damaged or hostile; nothing was "
                      "imported. Open it in Excel or LibreOffice, save it as CSV UTF-8, and import that.")


def helper_command() -> list[str]:
    """How to start the helper: this interpreter, or the frozen app in its helper role."""
    if getattr(sys, "frozen", False):
        return [sys.executable, HELPER_FLAG]
    return [sys.executable, "-m", "postmortem_desktop.services.import_helper"]


class _Helper:
    """The producer in a helper process; stop() ends it however far it got.

    The helper writes its messages to a temporary file, not a pipe: a pipe holds 64 KB, so the
    helper would wait at every 3 MB chunk until this process, busy inserting, got round to
    reading it (measured: 0.12 s of its 1.5 s). A file never makes it wait, and this process
    reads each chunk whole when it is ready for it.
    """

    def __init__(self, job: FileJob | SheetJob, limits: HelperLimits) -> None:
        self._start(limits.for_file(Path(job.path)))
        self.take(job)

    @classmethod
    def standby(cls, limits: HelperLimits) -> _Helper:
        """A helper started and waiting for its job (see warm_up)."""
        helper = cls.__new__(cls)
        helper._start(limits)
        return helper

    def _start(self, limits: HelperLimits) -> None:
        self._limits = limits
        # The helper's temporary files (a workbook's checked copy, importers/checked_copy.py: as
        # large as the sheet) go in a folder this process removes, even when the helper is killed.
        self._scratch = tempfile.mkdtemp(prefix="postmortem-helper-")
        # both held open for the helper's life (its stderr and stdout): closed in _remove_files
        self._errors = tempfile.TemporaryFile()  # noqa: SIM115
        self._outbox = tempfile.NamedTemporaryFile(prefix="postmortem-import-", suffix=".frames",  # noqa: SIM115
                                                   delete=False)
        self._sender: threading.Thread | None = None
        try:
            self._process = subprocess.Popen(helper_command(), stdin=subprocess.PIPE, stdout=self._outbox,
                                             stderr=self._errors, env=_helper_environment(limits, self._scratch))
        except OSError:
            self._remove_files()
            raise
        self._frames = _FrameFile(self._outbox.name)
        if os.name == "posix":
            # both processes have it open: gone from the folder now, so even if the app is killed
            # mid-import nothing is left behind (elsewhere stop() removes it)
            Path(self._outbox.name).unlink(missing_ok=True)

    def take(self, job: FileJob | SheetJob) -> None:
        """Hands the helper its job; the time cap starts now."""
        self._name = Path(job.path).name
        self._read_by = time.monotonic() + self._limits.read_seconds
        self._send(job)

    def usable_for(self, limits: HelperLimits) -> bool:
        return self._limits == limits and self._process.poll() is None

    def _send(self, message: object, then_close: bool = False) -> None:
        try:
            stdin = self._process.stdin
            assert stdin is not None  # Popen(stdin=PIPE)
            write_frame(stdin, message)
            if then_close:
                stdin.close()
        except (BrokenPipeError, OSError, ValueError):
            pass  # it has already stopped: messages() reports why

    def messages(self, state: PlanState | None) -> Iterator[tuple[str, Any]]:
        # The helper reads the state only once it has read the file's head (for a workbook, after
        # parsing the whole sheet): sent from a thread, a state larger than the pipe never keeps
        # this generator from yielding, so Cancel still answers within POLL_SECONDS. A SheetJob
        # needs no state (None): its stdin is just closed.
        self._sender = threading.Thread(target=self._send, args=(state, True), name="import-state-sender",
                                        daemon=True) if state is not None else None
        if self._sender is not None:
            self._sender.start()
        else:
            self._send_close()
        progress: tuple[int, int | None] = (0, None)
        waited = 0.0
        read = False  # whether the file is read (its head, for a streamed text file): the time cap ends
        while True:
            data = self._frames.next()
            if data is None and self._process.poll() is not None and (data := self._frames.next()) is None:
                raise self._failure()
            if data is None:
                if not read and time.monotonic() > self._read_by:
                    self.stop()  # killed now, not when the caller gets round to it
                    raise takes_too_long(self._name, self._limits)
                time.sleep(_NAP)  # the helper is on another core; this one has nothing to do yet
                waited += _NAP
                if waited >= POLL_SECONDS:
                    waited = 0.0
                    yield "wait", progress
                continue
            kind, payload = unpacked_rows(pickle.loads(data))
            read = read or kind in ("plan", "sheet")
            if kind == "error":
                raise needs_more_memory(self._name, self._limits) if isinstance(payload, MemoryError) else payload
            if kind == "crash":
                raise HelperFailed(f"the helper process failed:\n{payload}")
            if kind == "chunk":
                progress = payload[1]
            yield kind, payload
            if kind in ("done", "read again", "sheet"):
                return

    def _send_close(self) -> None:
        with contextlib.suppress(OSError):  # it has already stopped: messages() reports why
            stdin = self._process.stdin
            assert stdin is not None  # Popen(stdin=PIPE)
            stdin.close()

    def _failure(self) -> Exception:
        """Why the helper stopped: the memory cap (a refused file), or a HelperFailed saying how."""
        code = self._process.wait()
        self._errors.seek(0)
        output = self._errors.read()
        if any(sign in output for sign in _OUT_OF_MEMORY_SIGNS):
            return needs_more_memory(self._name, self._limits)
        if any(sign in output for sign in _READER_PANIC_SIGNS):
            return reader_gave_up(self._name, output)
        detail = output.decode("utf-8", "replace").strip()[-2000:]
        return HelperFailed(f"the helper process stopped unexpectedly (exit code {code})."
                            + (f"\n{detail}" if detail else ""))

    def stop(self) -> None:
        try:
            if self._process.poll() is None:
                self._process.kill()
            self._process.wait()
            if self._sender is not None:
                self._sender.join()  # the pipe broke when the helper went, so this returns at once
            # bytes still buffered for a helper that is gone: nobody will read them
            with contextlib.suppress(OSError):
                if self._process.stdin is not None:
                    self._process.stdin.close()
        finally:
            self._frames.close()
            self._remove_files()

    def _remove_files(self) -> None:
        self._outbox.close()
        self._errors.close()
        Path(self._outbox.name).unlink(missing_ok=True)
        shutil.rmtree(self._scratch, ignore_errors=True)


class _FrameFile:
    """Reads the frames a helper appends to a file, each only once it is written whole."""

    def __init__(self, path: str) -> None:
        self._file = open(path, "rb")  # noqa: SIM115 - closed by close()
        self._offset = 0

    def next(self) -> bytes | None:
        self._file.seek(self._offset)
        head = self._file.read(FRAME_HEAD_BYTES)
        if len(head) < FRAME_HEAD_BYTES:
            return None
        size = int.from_bytes(head, "little")
        data = self._file.read(size)
        if len(data) < size:
            return None  # still being written
        self._offset += FRAME_HEAD_BYTES + size
        return data

    def close(self) -> None:
        self._file.close()


def _helper_environment(limits: HelperLimits, scratch: str) -> dict:
    env = dict(os.environ)
    env[MEMORY_CAP_VARIABLE] = str(limits.memory_bytes)
    env["TMPDIR"] = env["TEMP"] = env["TMP"] = scratch  # Python's tempfile looks at these, in this order
    # the helper must find this package even when the app was started from elsewhere
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    return env
