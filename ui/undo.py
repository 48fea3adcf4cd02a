"""The open workspace as the UI sees it: core commands run through one QUndoStack."""
from __future__ import annotations

import time
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from postmortem_desktop.domain.changes import DataChange
from postmortem_desktop.services.commands import Command, RuleError
from postmortem_desktop.storage.team_bulk import bulk_writer
from postmortem_desktop.storage.team_feed import ChangeNotice
from postmortem_desktop.storage.workspace import Workspace

from .errors import rereads_in_background
from .team_feed import Teammate, listen_to_teammates


class BusyError(RuleError):
    """An edit asked for while a background import holds the workspace's write transaction."""


@dataclass(frozen=True)
class UndoStep:
    """The initiator of a change Edit › Undo or Redo made here: which command was undone or done again.

    A screen tells it from its own edit (itself as initiator), a teammate's (a Teammate) and an edit run without
    naming a screen (None: an import, Add Cards, or the suggestions worked out again after a decision)."""

    command: Command
    undone: bool


class UndoableCommand(QUndoCommand):
    """Mirrors one core command onto the undo stack; the core does the work."""

    def __init__(self, session: WorkspaceSession, command: Command):
        super().__init__(command.name)
        self._session = session
        self.command = command
        self._done_once = True  # the command already ran before it was pushed
        # Set by WorkspaceSession.undo()/redo(), which apply the core first and move the stack only
        # when that succeeded: the stack's own undo()/redo() then only moves the index.
        self.applied = False
        self._last_edit = time.monotonic()

    MERGE_SECONDS = 10.0  # typing pauses shorter than this stay one undo step

    def id(self) -> int:
        key = self.command.merge_key
        return -1 if key is None else hash(key) & 0x7FFFFFFF

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, UndoableCommand) or time.monotonic() - self._last_edit > self.MERGE_SECONDS:
            return False
        if not self.command.absorb(other.command):
            return False
        self._last_edit = time.monotonic()
        return True

    def redo(self) -> None:
        if self._done_once:
            self._done_once = False
            return
        if not self._take_applied():
            self.command.do(self._session.workspace)
        self._session.notify(self.command, UndoStep(self.command, undone=False))

    def undo(self) -> None:
        if not self._take_applied():
            self.command.undo(self._session.workspace)
        self._session.notify(self.command, UndoStep(self.command, undone=True))

    def _take_applied(self) -> bool:
        applied, self.applied = self.applied, False
        return applied


#: Runs a long undo or redo off the GUI thread with progress and Cancel (the window supplies it):
#: (label, make_generator, on_done, on_failed(exc)); Cancel calls neither callback.
LongStepRunner = Callable[[str, Callable[[], Generator], Callable[[], None], Callable[[BaseException], None]], None]


class WorkspaceSession(QObject):
    """Holds the open workspace and its undo stack; tells the screens what changed."""

    #: emitted after any edit, undo or redo: (the DataChange kinds it changed, incident id or -1, the
    #: object that ran the edit, or None for undo, redo and edits made elsewhere; a Teammate for an
    #: edit another client of a team workspace made)
    workspace_changed = Signal(object, int, object)
    #: an undo or redo that could not be done: (what was tried, e.g. "Undo Import x.csv", the error).
    #: The stack did not move and the record is as it was.
    step_failed = Signal(str, object)
    #: the team server's change feed is listening again after losing the server (a team workspace only)
    feed_reconnected = Signal()
    #: the team server stopped answering: the change feed lost it and could not connect again, or a re-read of a
    #: teammate's change (or after the feed reconnected) could not reach it, and the screens keep what they
    #: showed (the server's words). feed_reconnected says it is back.
    server_unreachable = Signal(str)
    #: an edit waits for a teammate's import, which holds the team workspace's conversations until it commits:
    #: (what to tell the person); waiting_over once the edit is through. The window says so while it waits.
    waiting_for_teammate = Signal(str)
    waiting_over = Signal()

    def __init__(self, workspace: Workspace, parent: QObject | None = None):
        super().__init__(parent)
        self.workspace = workspace
        self.undo_stack = QUndoStack(self)
        self._jobs: set = set()  # background workers reading or writing this workspace
        self._writing_job = None  # the one that holds the write transaction (an import), if any
        self._server_away = False  # the change feed lost the team server and has not heard it since
        self.closed = False
        self._stepping = False  # a long undo or redo is running
        self.long_step_runner: LongStepRunner | None = None
        # Teammates' notices heard since the last delivery, merged per incident: a burst (a teammate's typing
        # saved several times, or the notices that queued up while a long re-read ran) is re-read once.
        self._heard: dict[int, tuple[DataChange, str]] = {}
        self._deliver = QTimer(self)
        self._deliver.setSingleShot(True)
        self._deliver.setInterval(self.COALESCE_MS)
        self._deliver.timeout.connect(self._deliver_heard)
        # a team workspace: other clients' edits arrive as workspace_changed with a Teammate initiator
        self._teammates = listen_to_teammates(workspace, self._on_teammate_notice, self, self._on_feed_lost)

    COALESCE_MS = 20  # far below what a person notices; long enough to gather one commit's burst of notices

    def _on_feed_lost(self, message: str) -> None:
        if not self.closed:
            self._server_away = True
            self.server_unreachable.emit(message)

    def _on_teammate_notice(self, notice: ChangeNotice) -> None:
        if self.closed:
            return
        if notice.incident_id < 0 and not notice.client:  # the feed is back after losing the server
            self._server_away = False
            self.feed_reconnected.emit()
        kinds, _user = self._heard.get(notice.incident_id, (DataChange.NONE, ""))
        self._heard[notice.incident_id] = (kinds | notice.changes, notice.user)
        if not self._deliver.isActive():
            self._deliver.start()

    def _deliver_heard(self) -> None:
        """One workspace_changed per incident for all the notices heard since the last delivery."""
        heard, self._heard = self._heard, {}
        if self.closed:
            return
        everything = heard.get(-1, (DataChange.NONE, ""))
        if everything[0] == DataChange.everything():  # a reconnection: every screen re-reads all it shows
            heard = {-1: everything}
        with rereads_in_background(self.server_unreachable.emit):
            for incident_id, (changes, user) in heard.items():
                self.workspace_changed.emit(changes, incident_id, Teammate(user))

    # ---- background work ---------------------------------------------------------------------------
    def track(self, worker, *, writes: bool = False) -> None:  # noqa: ANN001 - a GeneratorWorker
        """Remembers a worker until it ends, so closing the workspace can stop it first.

        A writing worker holds SQLite's one write transaction until it finishes; edits meanwhile
        are refused with a message (BusyError) instead of failing as "database is locked".
        """
        self._jobs.add(worker)
        if writes:
            self._writing_job = worker
        for signal in (worker.signals.finished, worker.signals.failed, worker.signals.cancelled):
            signal.connect(lambda *_a, w=worker: self._forget(w))

    def _forget(self, worker) -> None:  # noqa: ANN001
        self._jobs.discard(worker)
        if self._writing_job is worker:
            self._writing_job = None

    @property
    def busy_writing(self) -> bool:
        return self._writing_job is not None

    def stop_jobs(self, timeout_s: float = 30.0) -> None:
        """Cancels every worker of this workspace and waits for each to let go of it."""
        for worker in list(self._jobs):
            worker.cancel()
        for worker in list(self._jobs):
            worker.done.wait(timeout_s)
        self._jobs.clear()
        self._writing_job = None

    # ---- edits ---------------------------------------------------------------------------------------
    def run(self, command: Command, initiator: object = None) -> Command:
        """Does the command now (raising on refusal, with nothing pushed) and makes it undoable.

        initiator: the screen that made the edit, so it can tell its own edits from others'.
        """
        if self.busy_writing:
            raise BusyError("An import is still being written to this workspace; this change can be made "
                            "as soon as it finishes (or is cancelled).")
        with self._saying_when_it_waits(command):
            command.do(self.workspace)
        self.undo_stack.push(UndoableCommand(self, command))
        self.notify(command, initiator)
        return command

    # ---- undo and redo ------------------------------------------------------------------------------
    def undo(self) -> None:
        """Edit › Undo: undoes the last step, moving the stack only once the record really changed."""
        if self.undo_stack.canUndo():
            self._step(self.undo_stack.index() - 1, undo=True)

    def redo(self) -> None:
        """Edit › Redo, likewise."""
        if self.undo_stack.canRedo():
            self._step(self.undo_stack.index(), undo=False)

    def _step(self, position: int, *, undo: bool) -> None:
        entry = self.undo_stack.command(position)
        assert isinstance(entry, UndoableCommand)
        command = entry.command
        label = f"{'Undo' if undo else 'Redo'} {command.name}"
        if self._stepping:
            return  # the last Ctrl+Z is still running; its progress dialog is up
        if self.busy_writing:
            self.step_failed.emit(label, BusyError("An import is still being written to this workspace; "
                                                   "try again as soon as it finishes (or is cancelled)."))
            return

        def steps() -> Generator:
            return command.undo_steps(self.workspace) if undo else command.redo_steps(self.workspace)

        def done() -> None:
            self._stepping = False
            entry.applied = True
            (self.undo_stack.undo if undo else self.undo_stack.redo)()

        def failed(exc: BaseException) -> None:
            self._stepping = False
            self.step_failed.emit(label, exc)

        if command.long_running and self.long_step_runner is not None:
            self._stepping = True
            self.long_step_runner(label, steps, done, failed)
            return
        try:
            with self._saying_when_it_waits(command):
                for _progress in steps():
                    pass
        except Exception as exc:
            failed(exc)
            return
        done()

    def step_to_undo(self) -> Command | None:
        """The edit Ctrl+Z would undo now, if any."""
        if not self.undo_stack.canUndo():
            return None
        step = self.undo_stack.command(self.undo_stack.index() - 1)
        return step.command if isinstance(step, UndoableCommand) else None

    def skip_refused_undo(self, refused: Command) -> None:
        """Takes the refused step off the stack, undoing nothing: its undo was refused because a teammate changed what
        it would put back, and while it stays on top none of the person's earlier steps can be undone. Only while it
        is still the step Ctrl+Z would undo: another may have come on top while the person decided.
        (Qt deletes a step marked obsolete instead of calling its undo.)"""
        if self.step_to_undo() is refused and not self._stepping:
            self.undo_stack.command(self.undo_stack.index() - 1).setObsolete(True)
            self.undo_stack.undo()

    @contextmanager
    def _saying_when_it_waits(self, command: Command) -> Iterator[None]:
        """Runs an edit of conversations, messages or customers on the GUI thread: when a teammate's import holds
        them (a team workspace), the edit waits until it commits, and the window says whose import it waits for
        rather than stopping without a word. Nothing is refused: the change is saved once the import ends."""
        # not asked while the change feed has lost the server: that would wait a connection timeout for nothing,
        # before the edit's own attempt says the server is away
        asks = DataChange.CONVERSATION in command.changes and not self._server_away
        who = bulk_writer(self.workspace) if asks else None
        if who is None:
            yield
            return
        self.waiting_for_teammate.emit(f"Waiting for {who}'s import to finish: this change is saved as soon as it "
                                       "ends, and the window answers again then.")
        try:
            yield
        finally:
            self.waiting_over.emit()

    @property
    def stepping(self) -> bool:
        """A long undo or redo is running on a worker."""
        return self._stepping

    def step_cancelled(self) -> None:
        """The long undo or redo was cancelled: nothing changed, the stack stays."""
        self._stepping = False

    def refresh(self, command: Command) -> Command:
        """Does a command that only replaces derived data (pending suggestions) without an undo step.

        After a person's decision the suggestions are recomputed from it; Ctrl+Z then undoes the
        decision itself, not the machine's refresh that followed it.
        """
        if self.busy_writing:
            raise BusyError("An import is still being written to this workspace.")
        command.do(self.workspace)
        if not command.wrote_nothing:  # nothing changed, nothing for the screens to read again
            self.notify(command)
        return command

    def push_done(self, command: Command) -> None:
        """Makes a command that already ran elsewhere (an import on a worker) undoable."""
        self.undo_stack.push(UndoableCommand(self, command))
        self.notify(command)

    def notify(self, command: Command, initiator: object = None) -> None:
        self.workspace_changed.emit(command.changes, command.incident_id, initiator)

    def close(self) -> None:
        self.closed = True
        self._deliver.stop()
        if self._teammates is not None:
            self._teammates.stop()
        self.stop_jobs()
        self.undo_stack.clear()
        self.workspace.close()
