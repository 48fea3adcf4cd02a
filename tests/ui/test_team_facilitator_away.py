"""Facilitator mode when the team server goes away mid-review (issue 18): stepping never shows one step's notes
under another, words typed for a step are saved for that step only, however the person moves, and the step on
screen is read by itself once the server answers again. No dialog in front of the room, no traceback.

This client reaches the server through a relay a test can unplug (tests/network_cable.py); the teammate (Ana)
reaches it directly."""
from __future__ import annotations

import pytest

from postmortem_desktop.services.agenda import SaveStepNotes, step_notes
from tests.helpers import billing_id
from ui.facilitator.overlay import NOT_READ

FIRST = "Room decided: refund the double charges today"
SECOND = "Ana: call the three biggest accounts first"


@pytest.fixture
def window(facilitators_window):
    return facilitators_window


@pytest.fixture
def facilitator(window):
    window.facilitator.start()
    return window.facilitator


@pytest.fixture
def no_dialogs(monkeypatch):
    """Any message box or conflict dialog that would open in front of the room is remembered (and answered)."""
    from PySide6.QtWidgets import QMessageBox

    shown: list[str] = []

    def remember(*args, **_kwargs):
        shown.append(" ".join(str(a) for a in args[1:3]))
        return QMessageBox.StandardButton.Ok

    for name in ("warning", "critical", "information"):
        monkeypatch.setattr(QMessageBox, name, remember)
    monkeypatch.setattr(QMessageBox, "open", lambda box: shown.append(box.text()))
    return shown


def _key(facilitator, index: int) -> str:
    return facilitator.agenda.steps[index].key


def _stored(teammate, facilitator, index: int) -> str:
    return step_notes(teammate, billing_id(teammate), _key(facilitator, index))


def _notes_editable(facilitator) -> bool:
    return not facilitator.notes.edit.isReadOnly()


def test_pagedown_while_the_server_is_away_shows_the_next_step_as_not_read_never_the_last_steps_words(
        qtbot, facilitator, teammate, cable, no_dialogs):
    SaveStepNotes(billing_id(teammate), _key(facilitator, 0), FIRST).do(teammate)
    qtbot.waitUntil(lambda: facilitator.notes.text() == FIRST, timeout=3000)
    cable.unplug()
    facilitator.next_step()
    assert facilitator.index == 1
    assert facilitator.header.title.text() == facilitator.agenda.steps[1].title
    assert facilitator.notes.text() == "" and not _notes_editable(facilitator)
    assert NOT_READ in facilitator.notes.edit.placeholderText()
    assert facilitator.header.server_note.isVisibleTo(facilitator.header)
    assert FIRST not in " ".join(b.text for s in facilitator.room.slides for b in s.blocks)
    assert facilitator.room.slides and "not read yet" in facilitator.room.slides[0].blocks[0].text.lower()
    assert not facilitator.unsaved_words() and not no_dialogs


def test_the_step_on_screen_is_read_by_itself_when_the_server_answers_again(qtbot, facilitator, teammate, cable,
                                                                            no_dialogs):
    cable.unplug()
    facilitator.next_step()
    SaveStepNotes(billing_id(teammate), _key(facilitator, 1), SECOND).do(teammate)  # meanwhile
    cable.plug()
    qtbot.waitUntil(lambda: facilitator.notes.text() == SECOND, timeout=15000)
    assert _notes_editable(facilitator) and not facilitator.header.server_note.isVisibleTo(facilitator.header)
    assert facilitator.room.slides and "not read yet" not in facilitator.room.slides[0].blocks[0].text.lower()
    facilitator.notes.edit.setPlainText(SECOND + "; agreed")  # made from what was read, saved for step 2
    facilitator.save_notes()
    assert _stored(teammate, facilitator, 1) == SECOND + "; agreed" and _stored(teammate, facilitator, 0) == ""
    assert not no_dialogs


def test_notes_not_saved_on_one_step_are_saved_for_that_step_while_the_person_moves_on(qtbot, facilitator,
                                                                                      teammate, cable, no_dialogs):
    cable.unplug()
    facilitator.notes.edit.setPlainText(FIRST)
    facilitator.save_notes()  # the pause: the server cannot be reached
    facilitator.next_step()
    facilitator.next_step()
    assert facilitator.index == 2 and facilitator.notes.text() == ""
    (words,) = facilitator.unsaved_words()
    assert words.text == FIRST and facilitator.agenda.steps[0].title in words.field
    assert facilitator.notes.unsaved.isVisibleTo(facilitator.notes)  # said beside the notes, wherever they are
    assert facilitator.agenda.steps[0].title in facilitator.notes.unsaved.text()
    cable.plug()
    qtbot.waitUntil(lambda: _stored(teammate, facilitator, 0) == FIRST, timeout=15000)
    qtbot.waitUntil(lambda: _notes_editable(facilitator), timeout=5000)
    assert _stored(teammate, facilitator, 2) == "" and facilitator.notes.text() == ""
    assert not facilitator.unsaved_words() and not facilitator.notes.unsaved.isVisibleTo(facilitator.notes)
    facilitator.go_to(0)  # back (PageUp would page through this step's slides first)
    assert facilitator.notes.text() == FIRST and not no_dialogs


def test_going_back_to_a_step_whose_notes_are_not_saved_shows_them_and_more_words_join_them(
        qtbot, facilitator, teammate, cable, no_dialogs):
    cable.unplug()
    facilitator.notes.edit.setPlainText(FIRST)
    facilitator.save_notes()
    facilitator.next_step()
    facilitator.previous_step()
    assert facilitator.index == 0 and facilitator.notes.text() == FIRST and _notes_editable(facilitator)
    facilitator.notes.edit.setPlainText(FIRST + ", and call them")
    facilitator.save_notes()
    cable.plug()
    qtbot.waitUntil(lambda: _stored(teammate, facilitator, 0) == FIRST + ", and call them", timeout=15000)
    assert not no_dialogs


def test_typing_in_another_step_keeps_the_notes_left_for_later_on_the_step_before(qtbot, facilitator, teammate,
                                                                                   answer_with):
    shown = answer_with("later_button")
    facilitator.notes.edit.setPlainText(FIRST)  # as typed
    SaveStepNotes(billing_id(teammate), _key(facilitator, 0), "Ana's notes").do(teammate)
    qtbot.waitUntil(lambda: facilitator.notes.unsaved.isVisibleTo(facilitator.notes), timeout=3000)
    facilitator.next_step()  # both offered: Decide later keeps mine for step 1
    assert len(shown) == 1 and facilitator.index == 1
    facilitator.notes.edit.setPlainText(SECOND)
    facilitator.save_notes()
    assert _stored(teammate, facilitator, 1) == SECOND
    assert [w.text for w in facilitator.unsaved_words()] == [FIRST]  # still waiting for the choice, for step 1
    assert _stored(teammate, facilitator, 0) == "Ana's notes"


def test_the_boards_editing_screen_shown_while_the_server_is_away_keeps_its_cards_and_reads_itself_when_back(
        qtbot, facilitator, cable, no_dialogs):
    from ui.board.board_screen import NOT_ANSWERING

    cable.unplug()
    facilitator.next_step()  # the board's step
    assert facilitator.agenda.steps[facilitator.index].screen == "board"
    facilitator.toggle_editing_screen()  # F7: the board itself
    board = facilitator.host.screen_widgets["board"]
    assert board.isVisible() and board.status.text() == NOT_ANSWERING
    facilitator.toggle_editing_screen()  # and back to the room, which says the step is not read yet
    assert "not read yet" in facilitator.room.slides[0].blocks[0].text.lower()
    cable.plug()
    qtbot.waitUntil(lambda: "not read yet" not in facilitator.room.slides[0].blocks[0].text.lower(), timeout=15000)
    facilitator.toggle_editing_screen()
    assert board.status.text() != NOT_ANSWERING and board.model.cards
    assert not no_dialogs


def test_starting_facilitator_mode_while_the_server_is_away_says_so_and_changes_nothing(qtbot, window, cable,
                                                                                       no_dialogs):
    from ui.facilitator.facilitator_controller import NOT_STARTED

    cable.unplug()
    window.facilitator.start()
    assert not window.facilitator.active and window.statusBar().currentMessage() == NOT_STARTED
    assert window.menuBar().isVisible() and not no_dialogs
    cable.plug()
    qtbot.waitUntil(lambda: window.facilitator.start() or window.facilitator.active, timeout=15000)
