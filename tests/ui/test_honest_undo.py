"""The undo stack never lies: a failed undo or redo leaves the stack index and the record as they were and
says why; an import's undo and redo run on a worker with progress, and Cancel changes nothing."""
import threading
from datetime import datetime

import pytest
from PySide6.QtWidgets import QMessageBox, QProgressDialog

from postmortem_desktop.services import spreadsheet_import
from postmortem_desktop.services.commands import Command, CommandGroup, RuleError
from postmortem_desktop.services.import_undo import UndoableImport
from postmortem_desktop.services.incidents import CreateIncident
from ui.undo import WorkspaceSession


def incident_titles(workspace) -> list[str]:
    with workspace.engine.connect() as conn:
        return [row[0] for row in conn.exec_driver_sql("SELECT title FROM incidents ORDER BY id")]


class Refusing(Command):
    """An edit whose undo (or redo) the record refuses, the way a rule or a locked file would."""

    name = "Refusing edit"

    def __init__(self, *, refuse_undo: bool = True, refuse_redo: bool = False):
        self.refuse_undo, self.refuse_redo = refuse_undo, refuse_redo
        self.done = 0  # how many times it is applied now (0 or 1)
        self.runs = 0  # how many times do() was asked for

    def do(self, workspace) -> None:
        self.runs += 1
        if self.refuse_redo and self.runs > 1:
            raise RuleError("the redo was refused for a reason the person can act on")
        self.done += 1

    def undo(self, workspace) -> None:
        if self.refuse_undo:
            raise RuleError("the undo was refused for a reason the person can act on")
        self.done -= 1


@pytest.fixture
def warnings(monkeypatch) -> list[tuple[str, str]]:
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, title, text, *a, **k: shown.append((title, text)))
    return shown


def test_a_failed_undo_leaves_the_stack_and_the_record_as_they_were_and_says_why(main_window, warnings):
    session = main_window.session
    session.run(CreateIncident(title="Kept incident"))
    session.run(Refusing())
    index, titles = session.undo_stack.index(), incident_titles(session.workspace)
    main_window.undo_action.trigger()
    assert session.undo_stack.index() == index  # before: QUndoStack had moved while nothing changed
    assert incident_titles(session.workspace) == titles
    assert warnings == [("Undo not possible", "the undo was refused for a reason the person can act on")]
    assert main_window.undo_action.text() == "&Undo Refusing edit"


def test_a_failed_redo_leaves_the_stack_where_the_record_is(main_window, warnings):
    session = main_window.session
    command = Refusing(refuse_undo=False, refuse_redo=True)
    session.run(command)
    main_window.undo_action.trigger()
    assert command.done == 0
    index = session.undo_stack.index()
    main_window.redo_action.trigger()
    assert session.undo_stack.index() == index and command.done == 0
    assert warnings and warnings[0][0] == "Redo not possible"
    assert main_window.redo_action.text() == "&Redo Refusing edit"


def test_an_unexpected_error_in_undo_is_reported_and_the_stack_stays(main_window, warnings):
    class Broken(Refusing):
        def undo(self, workspace) -> None:
            raise ZeroDivisionError("bug")

    session = main_window.session
    session.run(Broken())
    index = session.undo_stack.index()
    main_window.undo_action.trigger()
    assert session.undo_stack.index() == index
    assert "Nothing changed" in warnings[0][1] and "ZeroDivisionError" in warnings[0][1]


def test_a_group_whose_undo_fails_half_way_is_redone_so_the_record_stays_whole(workspace):
    created = CreateIncident(title="First of the group")
    group = CommandGroup("Two edits", [created, Refusing()])
    group.do(workspace)
    with pytest.raises(RuleError):
        group.undo(workspace)  # the refusing one is undone first and refuses: nothing is undone
    assert incident_titles(workspace) == ["First of the group"]

    group = CommandGroup("Two edits", [Refusing(), CreateIncident(title="Second")])
    group.do(workspace)
    with pytest.raises(RuleError):
        group.undo(workspace)  # "Second" was undone, then the refusal: it is done again
    assert incident_titles(workspace) == ["First of the group", "Second"]


def _csv(tmp_path, rows: int, start):
    path = tmp_path / "dump.csv"
    lines = ["Ticket ID,Subject,Created at,Description"]
    lines += [f"{n},Subject {n},{start:%Y-%m-%d %H:%M},Card declined {n}" for n in range(1, rows + 1)]
    path.write_text("\n".join(lines) + "\n")
    return path


def _imported(main_window, tmp_path, rows: int) -> UndoableImport:
    session: WorkspaceSession = main_window.session
    incident = CreateIncident(title="Import target")
    session.run(incident)
    plan = spreadsheet_import.prepare_import(_csv(tmp_path, rows, datetime(2026, 11, 18, 10, 0)))
    options = spreadsheet_import.ImportOptions(include_outside_window=True)
    summary = spreadsheet_import.run_import(session.workspace, incident.incident_id, plan, options)
    command = UndoableImport(incident.incident_id, summary, lambda: spreadsheet_import.import_generator(
        session.workspace, incident.incident_id, plan, options))
    session.push_done(command)
    return command


def conversations(workspace) -> int:
    with workspace.engine.connect() as conn:
        return conn.exec_driver_sql("SELECT count(*) FROM conversations").scalar()


def test_undo_of_an_import_runs_on_a_worker_with_progress_and_cancel_changes_nothing(qtbot, main_window,
                                                                                  tmp_path):
    session = main_window.session
    command = _imported(main_window, tmp_path, 1200)
    stored = conversations(session.workspace)
    gate = threading.Event()
    original = command.undo_steps

    def gated(workspace):
        steps = original(workspace)
        yield next(steps)  # the first chunk is deleted inside the open transaction
        gate.wait(10)
        yield from steps

    command.undo_steps = gated
    index = session.undo_stack.index()
    main_window.undo_action.trigger()
    assert session.stepping  # it runs on a worker: the window is free meanwhile
    progress = main_window.findChild(QProgressDialog, "long_work_progress")
    assert progress is not None and progress.labelText().startswith("Undo Import dump.csv")
    progress.canceled.emit()  # what its Cancel button sends
    gate.set()
    qtbot.waitUntil(lambda: not session.stepping, timeout=10000)
    assert session.undo_stack.index() == index
    assert conversations(session.workspace) == stored  # the half-done deletion was rolled back

    command.undo_steps = original
    main_window.undo_action.trigger()
    qtbot.waitUntil(lambda: not session.stepping, timeout=10000)
    assert session.undo_stack.index() == index - 1
    assert conversations(session.workspace) == stored - 1200
    main_window.redo_action.trigger()
    qtbot.waitUntil(lambda: not session.stepping, timeout=20000)
    assert session.undo_stack.index() == index
    assert conversations(session.workspace) == stored


def test_edits_wait_while_a_long_undo_writes(qtbot, main_window, tmp_path, warnings):
    session = main_window.session
    command = _imported(main_window, tmp_path, 300)
    gate = threading.Event()
    original = command.undo_steps

    def gated(workspace):
        steps = original(workspace)
        yield next(steps)
        gate.wait(10)
        yield from steps

    command.undo_steps = gated
    main_window.undo_action.trigger()
    assert not main_window.hub.run(CreateIncident(title="typed meanwhile"))
    assert "as soon as it finishes" in warnings[-1][1]
    main_window.undo_action.trigger()  # a second Ctrl+Z while the first runs is ignored
    gate.set()
    qtbot.waitUntil(lambda: not session.stepping, timeout=10000)
    # one undo ran (the import's), not two: the incident it went into is the next step back
    assert main_window.undo_action.text() == "&Undo New Incident “Import target”"
    assert incident_titles(session.workspace)[-1] == "Import target"


class ChangedByTeammate(Refusing):
    """An edit whose undo a teammate's change since refuses (the team workspace's ChangedSince)."""

    def undo(self, workspace) -> None:
        from postmortem_desktop.services.commands import ChangedSince

        raise ChangedSince(self.name, undoing=True, by=("Ana",))


@pytest.mark.parametrize("skip", [True, False], ids=["skip", "keep"])
def test_an_undo_refused_over_a_teammates_change_offers_to_skip_that_step(main_window, monkeypatch, skip):
    """The refused step stays on top while the teammate's change stands; skipping it lets Ctrl+Z reach the person's
    earlier step (undoing nothing of its own); keeping it (the default) leaves the stack as it was."""
    session = main_window.session
    earlier, refused = Refusing(refuse_undo=False), ChangedByTeammate()
    session.run(earlier)
    session.run(refused)
    offered: list[str] = []
    monkeypatch.setattr("ui.main_window.offer_to_skip_step", lambda _parent, exc: offered.append(str(exc)) or skip)
    main_window.undo_action.trigger()
    assert len(offered) == 1 and "changed by Ana since your edit" in offered[0]
    assert session.undo_stack.count() == (1 if skip else 2)
    assert refused.done == 1  # nothing of it was undone either way
    main_window.undo_action.trigger()
    assert earlier.done == (0 if skip else 1)  # kept: the refused step is still the one Ctrl+Z meets
    assert len(offered) == (1 if skip else 2)


def test_skip_takes_off_only_the_refused_step_when_another_came_on_top_while_the_person_decided(main_window,
                                                                                                  monkeypatch):
    session = main_window.session
    refused, newer = ChangedByTeammate(), Refusing(refuse_undo=False)
    session.run(refused)

    def decide(_parent, _exc) -> bool:  # an edit lands while the box is open
        session.run(newer)
        return True

    monkeypatch.setattr("ui.main_window.offer_to_skip_step", decide)
    main_window.undo_action.trigger()
    assert session.undo_stack.count() == 2 and session.step_to_undo() is newer
    assert newer.done == 1 and refused.done == 1  # neither was skipped or undone


def test_a_refused_redo_or_another_refusal_offers_no_skip(main_window, monkeypatch):
    session = main_window.session
    offered, shown = [], []
    monkeypatch.setattr("ui.main_window.offer_to_skip_step", lambda *_args: offered.append(1) or True)
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, title, text, *_rest: shown.append(title))
    session.run(Refusing())
    main_window.undo_action.trigger()  # a rule's refusal, which the person can act on: the step stays
    assert offered == [] and shown == ["Undo not possible"] and session.undo_stack.count() == 1
