"""A workspace refused at open (a value this app never writes, a foreign trigger) is said in a dialog over a
window that shows nothing of it, and the window stays as it was: on the workspace open before, or on no
workspace at start-up, never quitting."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from tests.core.test_workspace_untrusted import alter

HOSTILE = {
    "bad time": "UPDATE incidents SET technical_start = 'not-a-date' WHERE id = 1",
    "bad word": "UPDATE incidents SET status = 'bogus' WHERE id = 1",
    "foreign trigger": "CREATE TRIGGER wipe AFTER INSERT ON conversations BEGIN DELETE FROM action_items; END",
}


def hostile_copy(demo_file: Path, tmp_path: Path, statement: str) -> Path:
    """A colleague's workspace: the demo under another name, changed with plain SQLite."""
    path = tmp_path / "from a colleague.pmw"
    path.write_bytes(demo_file.read_bytes())
    return alter(path, statement)


def retitle(path: Path, title: str) -> Path:
    """Gives the first incident another title, so a list showing this file can be told apart."""
    return alter(path, f"UPDATE incidents SET title = '{title}' WHERE id = 1")


def titles(window) -> list[str]:
    return [window.incident_model.summary(r).title for r in range(window.incident_model.rowCount())]


class Refusals:
    """QMessageBox.warning, recorded with what the window showed when the message appeared."""

    def __init__(self, window=None):
        self.window = window
        self.shown: list[tuple[str, list[str], bool]] = []

    def __call__(self, _parent, _title, text, *args, **kwargs):
        timeline = self.window.screen_widgets["timeline"] if self.window.screen_widgets.is_built("timeline") else None
        self.shown.append((text, titles(self.window), timeline is not None and timeline.layout_ is not None))
        return QMessageBox.StandardButton.Ok


@pytest.mark.parametrize("case", HOSTILE)
def test_file_open_of_a_refused_workspace_keeps_the_one_open_before(qtbot, main_window, demo_file, tmp_path,
                                                                    monkeypatch, case):
    # Before (bad time): the title changed, the old list stayed, clicks did nothing, a traceback in the log.
    refusals = Refusals(main_window)
    monkeypatch.setattr(QMessageBox, "warning", refusals)
    before = (main_window.windowTitle(), titles(main_window), main_window.hub.session, main_window.incident_id)
    bad = retitle(hostile_copy(demo_file, tmp_path, HOSTILE[case]), "A colleague incident")
    assert not main_window.open_path(bad)
    [(text, _shown, _timeline)] = refusals.shown
    assert "left untouched" in text
    assert (main_window.windowTitle(), titles(main_window), main_window.hub.session, main_window.incident_id) == before
    # the workspace open before is still live: picking another incident shows it
    other = main_window.incident_model.summary(1).id
    main_window.select_incident(other)
    assert main_window.screen_widgets["timeline"].layout_.data.incident_id == other


def test_a_refused_workspace_in_the_recent_list_keeps_the_one_open_before(qtbot, main_window, demo_file, tmp_path,
                                                                          monkeypatch):
    from ui import recent_files

    refusals = Refusals(main_window)
    monkeypatch.setattr(QMessageBox, "warning", refusals)
    bad = hostile_copy(demo_file, tmp_path, HOSTILE["bad word"])
    recent_files.remember_workspace(main_window.settings, bad)
    before = titles(main_window)
    main_window._fill_recent_menu()
    [action] = [a for a in main_window.recent_menu.actions() if bad.name in a.text()]
    action.trigger()
    [(text, _shown, _timeline)] = refusals.shown
    assert "incidents.status of row 1 is 'bogus'" in text
    assert titles(main_window) == before and main_window.hub.session is not None


@pytest.mark.parametrize("case", HOSTILE)
def test_at_start_up_a_refused_workspace_is_never_shown_and_the_window_stays_open(qtbot, qapp, demo_file, tmp_path,
                                                                                  settings, monkeypatch, case):
    # Before (foreign trigger): the refusal stood over the file's own incidents and timeline, and OK quit the app.
    from ui import app

    bad = retitle(hostile_copy(demo_file, tmp_path, HOSTILE[case]), "A colleague incident")
    refusals = Refusals()
    monkeypatch.setattr(QMessageBox, "warning", refusals)
    monkeypatch.setattr(app, "QSettings", lambda: settings)
    monkeypatch.setattr(qapp, "quit", lambda: pytest.fail("the app quit on a refused workspace"))
    window = app.build_window(qapp, str(bad))
    refusals.window = window
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    qtbot.waitUntil(lambda: bool(refusals.shown), timeout=10000)
    [(text, shown, timeline_drawn)] = refusals.shown
    assert "left untouched" in text
    assert shown == [] and not timeline_drawn  # nothing of the file behind the message
    assert window.isVisible() and window.hub.session is None and titles(window) == [] and window.incident_id == -1
    assert window.windowTitle() == "Postmortem Desktop"
    assert window.open_action.isEnabled() and not window.new_incident_action.isEnabled()
    assert not window.screens.isEnabled()  # + Column, Suggest Tags… have no workspace to act on
    # the list and the timeline say why they are empty, and offer the way on
    # (a file whose raw read fails shows no first look, and its tab stays the blank placeholder)
    assert window.screen_widgets.is_built("timeline") == (case != "bad time")
    if case != "bad time":
        assert "No workspace is open" in window.screen_widgets["timeline"].view.item.empty_text
    empty = window.empty_incident_list
    assert empty.isVisible() and "No workspace is open" in empty.label.text()
    opened = []
    window.open_action.triggered.disconnect()
    window.open_action.triggered.connect(lambda: opened.append(True))
    empty.button.click()
    assert opened == [True]


def test_after_a_refusal_at_start_up_another_workspace_opens(qtbot, qapp, demo_file, demo_copy, tmp_path, settings,
                                                             monkeypatch):
    from ui import app

    bad = hostile_copy(demo_file, tmp_path, HOSTILE["bad time"])
    refusals = Refusals()
    monkeypatch.setattr(QMessageBox, "warning", refusals)
    monkeypatch.setattr(app, "QSettings", lambda: settings)
    window = app.build_window(qapp, str(bad))
    refusals.window = window
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: bool(refusals.shown), timeout=10000)
    assert window.open_path(demo_copy)
    assert len(titles(window)) == 2 and window.hub.session is not None
    assert not window.empty_incident_list.isVisible() and window.screens.isEnabled()
    assert window.screen_widgets["timeline"].layout_ is not None


def test_the_first_look_of_a_file_then_refused_is_taken_down(qtbot, demo_file, tmp_path, settings, monkeypatch):
    from postmortem_desktop.services.first_look import first_look
    from ui.main_window import MainWindow

    bad = hostile_copy(demo_file, tmp_path, HOSTILE["foreign trigger"])
    window = MainWindow(settings)
    qtbot.addWidget(window)
    look = first_look(bad)
    assert look is not None  # the raw read cannot tell: only the full open's checks can
    window.show_first_look(look)
    assert titles(window) and window.screen_widgets["timeline"].layout_ is not None
    refusals = Refusals(window)
    monkeypatch.setattr(QMessageBox, "warning", refusals)
    assert not window.open_path(bad)
    assert refusals.shown[0][1:] == ([], False)
    assert titles(window) == [] and window.screen_widgets["timeline"].layout_ is None


def test_the_bad_file_is_left_as_it_was(qtbot, main_window, demo_file, tmp_path, monkeypatch):
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: QMessageBox.StandardButton.Ok)
    bad = hostile_copy(demo_file, tmp_path, HOSTILE["bad time"])
    before = bad.read_bytes()
    main_window.open_path(bad)
    assert bad.read_bytes() == before
    conn = sqlite3.connect(f"file:{bad}?mode=ro", uri=True)
    try:
        assert conn.execute("SELECT technical_start FROM incidents WHERE id = 1").fetchone()[0] == "not-a-date"
    finally:
        conn.close()


def drop(window, path: Path) -> None:
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDropEvent

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    window.dropEvent(QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                                Qt.KeyboardModifier.NoModifier))


def test_a_dropped_workspace_is_opened_and_refused_as_by_file_open(qtbot, main_window, demo_file, tmp_path,
                                                                   monkeypatch):
    # Before: a dropped .pmw went to the ticket import, as if it were a spreadsheet.
    refusals = Refusals(main_window)
    monkeypatch.setattr(QMessageBox, "warning", refusals)
    before = (titles(main_window), main_window.hub.session)
    drop(main_window, hostile_copy(demo_file, tmp_path, HOSTILE["bad time"]))
    [(text, _shown, _timeline)] = refusals.shown
    assert "incidents.technical_start of row 1 is 'not-a-date'" in text
    assert (titles(main_window), main_window.hub.session) == before


def test_a_workspace_dropped_on_a_window_with_none_open_opens(qtbot, demo_copy, settings):
    from ui.main_window import MainWindow

    window = MainWindow(settings)
    qtbot.addWidget(window)
    drop(window, demo_copy)
    assert window.hub.session is not None and len(titles(window)) == 2
    window.close()


def test_at_start_up_a_team_workspace_that_does_not_open_leaves_the_window_saying_none_is_open(
        qtbot, qapp, tmp_path, settings, monkeypatch):
    """Before: a team address refused at start-up (its server away, or Esc on its password dialog) left a blank
    window with every board button enabled, and + Column ended in "Something went wrong: no workspace is open"."""
    from ui import app, team_opening

    monkeypatch.setattr(app, "QSettings", lambda: settings)
    monkeypatch.setattr(team_opening, "choose_and_open", lambda *_args, **_kw: False)  # the person pressed Esc
    monkeypatch.setattr(team_opening, "stored_password", lambda _address: None)
    window = app.build_window(qapp, "postgresql://ana@127.0.0.1:1/postmortem")  # nothing listens there
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    monkeypatch.setattr(QMessageBox, "warning", lambda *_args: QMessageBox.StandardButton.Ok)
    qtbot.waitUntil(lambda: window.empty_incident_list.isVisible(), timeout=15000)
    assert window.hub.session is None and "No workspace is open" in window.empty_incident_list.label.text()
    assert not window.screens.isEnabled()
