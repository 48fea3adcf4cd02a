"""The team server going away while nobody edits: the window says so by itself, and choosing another incident
meanwhile stays on the one shown, saying why once.

The reviewer stopped the server for a minute with a window open: its status bar stayed empty (nothing re-read,
so nothing told), and a click on another incident stacked two modal boxes saying "Nothing of the last change
was saved" (nothing had been changed) while the list moved to incident 2 and the board stayed on incident 1.
This client reaches the server through a relay a test can unplug (tests/network_cable.py)."""
from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import QMessageBox

from postmortem_desktop.services.incidents import IncidentService
from tests.helpers import billing_id
from ui import errors, main_window, server_away
from ui.main_window import SERVER_AWAY_NOTE, SERVER_BACK_NOTE


@pytest.fixture
def window(qtbot, team_demo_url, team_server, cable, settings, teammate, monkeypatch):
    from ui.main_window import MainWindow

    monkeypatch.setattr(sys, "excepthook", errors._excepthook)  # the app's own, as ui/app.py installs it
    window = MainWindow(settings)
    qtbot.addWidget(window)
    assert window.open_path(team_demo_url.replace(f":{team_server.port}/", f":{cable.port}/"))
    window.show()
    window.select_incident(billing_id(teammate))
    window.show_screen("board")
    assert window.session._teammates.feed.listening.wait(10)
    yield window
    box = server_away.shown()
    if box is not None:
        box.close()
    window.hub.close_session()


@pytest.fixture
def warnings(monkeypatch):
    """Every modal warning the app would show (their stacking is what the reviewer saw)."""
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text, *_a, **_k: shown.append(text))
    return shown


def _other_incident(teammate) -> tuple[int, str]:
    return next((s.id, s.title) for s in IncidentService(teammate).list_incidents() if s.id != billing_id(teammate))


def _click(window, incident_id: int) -> None:
    """As a click on the incident's row in the list does."""
    window.incident_view.selectionModel().setCurrentIndex(
        window.incident_model.index(window.incident_model.row_of(incident_id), 0),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)


def _listed(window) -> int:
    return window.incident_model.summary(window.incident_view.currentIndex().row()).id


def test_an_idle_window_says_the_server_is_away_and_that_it_is_back_without_a_dialog(qtbot, window, cable,
                                                                                    warnings, monkeypatch):
    monkeypatch.setattr(main_window, "SERVER_BACK_MS", 300)  # said for a while, not for good
    assert not window.server_note.isVisible()
    cable.unplug()  # nobody edits, no teammate's change comes: only the feed can notice
    qtbot.waitUntil(lambda: window.server_note.isVisible(), timeout=5000)
    assert window.server_note.text() == SERVER_AWAY_NOTE
    assert "Connection refused" in window.server_note.toolTip()  # libpq's own words, for details
    assert not warnings and server_away.shown() is None
    cable.plug()
    qtbot.waitUntil(lambda: not window.server_note.isVisible(), timeout=10000)
    assert window.statusBar().currentMessage() == SERVER_BACK_NOTE  # the note did not just vanish
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == "", timeout=3000)
    assert not warnings


def test_choosing_another_incident_while_away_stays_on_the_one_shown_and_says_why_once(qtbot, window, cable,
                                                                                       teammate, warnings):
    billing = billing_id(teammate)
    board = window.screen_widgets["board"]
    cards = [card.quote_id for card in board.model.cards]
    assert cards
    other, other_title = _other_incident(teammate)
    cable.unplug()
    _click(window, other)
    _click(window, other)  # clicked again while the message is up: still one message
    assert window.incident_id == billing and _listed(window) == billing  # list and screens agree
    assert [card.quote_id for card in board.model.cards] == cards  # the board shows what it last read
    box = server_away.shown()
    assert box is not None and box.isVisible()
    assert f"Could not read “{other_title}” (#{other}): the team server is not answering" in box.text()
    assert "still show" in box.text() and "Billing" in box.text() and f"(#{billing})" in box.text()
    assert "Nothing of the last change" not in box.text() + box.detailedText()  # a read changes nothing
    assert not warnings  # no modal box, let alone two
    assert len([w for w in window.findChildren(QMessageBox) if w.isVisible()]) == 1
    assert window.server_note.isVisible()
    box.close()
    cable.plug()
    qtbot.waitUntil(lambda: not window.server_note.isVisible(), timeout=10000)
    _click(window, other)  # back: the switch is read and shown
    assert window.incident_id == other and _listed(window) == other
    assert [card.quote_id for card in board.model.cards] != cards
    assert not warnings


def test_a_screen_first_shown_while_away_says_so_once_and_names_no_lost_change(qtbot, window, cable, warnings):
    cable.unplug()
    qtbot.waitUntil(lambda: window.server_note.isVisible(), timeout=5000)
    for key in ("actions", "followup"):  # as a click on its tab: built and read now, and no answer
        window.screens.setCurrentIndex(window.screen_widgets.tab_index(key))
    box = server_away.shown()
    assert box is not None and box.isVisible()
    assert box.text().startswith("Could not read from ") and "last change" not in box.text()
    assert not warnings
    assert len([w for w in window.findChildren(QMessageBox) if w.isVisible()]) == 1
    box.close()
    cable.plug()
    qtbot.waitUntil(lambda: not window.server_note.isVisible(), timeout=10000)
    # the tab on view, left empty while away, is built once the server is back, without another click
    qtbot.waitUntil(lambda: window.screen_widgets.is_built("followup"), timeout=5000)
    assert window.screens.currentWidget() is window.screen_widgets["followup"]
    window.screens.setCurrentIndex(window.screen_widgets.tab_index("actions"))
    actions = window.screen_widgets["actions"]
    qtbot.waitUntil(lambda: actions.model.rowCount() > 0, timeout=5000)


def test_edits_refused_while_away_say_so_in_one_box_that_nothing_was_saved(qtbot, window, cable, teammate,
                                                                          warnings):
    from postmortem_desktop.services.incidents import CreateIncident

    before = len(IncidentService(teammate).list_incidents())
    cable.unplug()
    assert not window.hub.run(CreateIncident(title="Typed while away"))
    assert not window.hub.run(CreateIncident(title="And again"))
    box = server_away.shown()
    assert box is not None and "Nothing of the last change was saved" in box.text()  # an edit: said so
    assert not warnings
    assert len([w for w in window.findChildren(QMessageBox) if w.isVisible()]) == 1
    assert len(IncidentService(teammate).list_incidents()) == before


def test_a_box_whose_window_was_destroyed_is_forgotten_and_the_next_message_opens_a_new_one(qtbot):
    """The box opens over whatever window is active, which may be a short-lived dialog: when that goes, the box
    goes with it without `finished`, and the next message must not fail on the deleted box."""
    from PySide6.QtWidgets import QDialog

    from ui.server_away import tell

    dialog = QDialog()
    first = tell(dialog, "Could not read from the team server.")
    assert server_away.shown() is first
    dialog.deleteLater()
    qtbot.waitUntil(lambda: server_away.shown() is None, timeout=2000)
    second = tell(None, "Could not read from the team server again.")
    assert server_away.shown() is second and second.text().endswith("again.")
    second.close()


def test_a_real_click_on_another_incident_while_away_leaves_the_list_on_the_incident_shown(qtbot, window, cable,
                                                                                          teammate):
    """The reviewer clicked another incident while the server was away: the screens stayed, but after OK the list
    still highlighted the clicked row (the press moved the current row back, then selected the clicked one)."""
    from PySide6.QtCore import QPoint, Qt

    billing = billing_id(teammate)
    other, _title = _other_incident(teammate)
    cable.unplug()
    view = window.incident_view
    rect = view.visualRect(window.incident_model.index(window.incident_model.row_of(other), 0))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(rect.center()))
    box = server_away.shown()
    assert box is not None
    box.button(QMessageBox.StandardButton.Ok).click()

    def highlighted() -> list[int]:
        return [window.incident_model.summary(i.row()).id for i in view.selectionModel().selectedRows()]
    qtbot.waitUntil(lambda: highlighted() == [billing], timeout=2000)
    assert window.incident_id == billing and _listed(window) == billing
    qtbot.wait(50)  # and it stays so once the click is over
    assert highlighted() == [billing] and _listed(window) == billing
    cable.plug()
    qtbot.waitUntil(lambda: not window.server_note.isVisible(), timeout=10000)


def test_a_conversation_selected_while_away_is_not_shown_as_the_one_read_before(qtbot, window, cable, teammate,
                                                                                 warnings):
    """The reader kept the last conversation on view under the new selection, so its customer's words were read
    (and could be quoted) as the selected one's."""
    from postmortem_desktop.services.quotes import board_cards

    reader = window.screen_widgets["reader"]
    cards = board_cards(teammate, billing_id(teammate))
    first, second = list(dict.fromkeys(card.conversation_id for card in cards))[:2]
    window.hub.conversation_requested.emit(first, -1)  # as a click on a card does
    assert reader.conversation is not None and reader.conversation.id == first
    cable.unplug()
    window.hub.conversation_requested.emit(second, -1)
    assert reader.conversation is None and reader.spans == []
    assert reader.text.toPlainText() == ""  # nothing of the first conversation is left under the second's selection
    assert reader.header.text().startswith("Could not read this conversation: the team server is not answering")
    assert not reader.quote_button.isEnabled() and not reader.whole_button.isEnabled()
    assert server_away.shown() is None and not warnings  # said in the reader, where the person looks
    cable.plug()  # the feed reconnects and every screen re-reads: the reader reads the one asked for
    qtbot.waitUntil(lambda: reader.conversation is not None, timeout=15000)
    assert reader.conversation.id == second and reader.spans and reader.quote_button.isEnabled()
    assert "Could not read" not in reader.header.text()
