"""Decide later at the pause, then the facilitator moves on (issue 18): a facilitator in front of a room who chose
Decide later is not asked the same question again as they leave the step (PageDown, PageUp, a jump), also when
the team server went away in between. The notes stay held for their own step, neither written nor lost; the
notes strip names the step whose notes wait; coming back and typing there asks again, and so does leaving
facilitator mode; quitting lists them and keeps a copy.

This client reaches the server through a relay a test can unplug (tests/network_cable.py); the teammate (Ana)
reaches it directly."""
from __future__ import annotations

import pytest

from postmortem_desktop.services.agenda import SaveStepNotes, step_notes
from tests.helpers import billing_id

MINE = "Room decided: refund the double charges today"
THEIRS = "Ana: call the three biggest accounts first"


@pytest.fixture
def window(facilitators_window):
    return facilitators_window


@pytest.fixture
def facilitator(window):
    window.facilitator.start()
    return window.facilitator


def _key(facilitator, index: int) -> str:
    return facilitator.agenda.steps[index].key


def _stored(teammate, facilitator, index: int) -> str:
    return step_notes(teammate, billing_id(teammate), _key(facilitator, index))


def _later_at_the_pause(qtbot, facilitator, teammate, answer_with) -> list:
    """Mine typed at the step on screen, Ana's saved over the same step and heard here; the pause in typing comes
    (the save timer, not a step change) and both are offered: Decide later. Returns the dialogs shown so far."""
    shown = answer_with("later_button")
    facilitator.notes.edit.setFocus()
    facilitator.notes.edit.setPlainText(MINE)  # as typed: the save waits for the pause
    SaveStepNotes(billing_id(teammate), _key(facilitator, facilitator.index), THEIRS).do(teammate)
    qtbot.waitUntil(lambda: "Changed by Ana" in facilitator.notes.unsaved.text(), timeout=5000)  # her change heard
    qtbot.waitUntil(lambda: len(shown) == 1, timeout=5000)  # the pause came and offered both
    assert facilitator.notes.text() == MINE
    return shown


def _held(facilitator, index: int):
    """The unsaved words the quit's list would show for step `index`'s notes."""
    title = facilitator.agenda.steps[index].title
    (words,) = [w for w in facilitator.unsaved_words() if w.field == f"Facilitator notes: {title}"]
    return words


def _assert_held_not_written(facilitator, teammate, index: int) -> None:
    words = _held(facilitator, index)
    assert words.text == MINE and "changed by Ana" in words.why and not words.retryable
    assert _stored(teammate, facilitator, index) == THEIRS


def test_pagedown_after_decide_later_at_the_pause_leaves_the_step_without_asking_again(
        qtbot, facilitator, teammate, answer_with):
    shown = _later_at_the_pause(qtbot, facilitator, teammate, answer_with)
    facilitator.next_step()
    assert facilitator.index == 1 and len(shown) == 1
    _assert_held_not_written(facilitator, teammate, 0)


def test_the_next_step_names_the_step_whose_notes_wait_for_a_choice(qtbot, facilitator, teammate, answer_with):
    _later_at_the_pause(qtbot, facilitator, teammate, answer_with)
    facilitator.next_step()
    strip = facilitator.notes.unsaved
    assert strip.isVisibleTo(facilitator.notes)
    assert facilitator.agenda.steps[0].title in strip.text() and "choice" in strip.text()
    assert facilitator.notes.text() == ""  # the next step's own (empty) notes, never the held ones


def test_pageup_after_decide_later_at_the_pause_leaves_the_step_without_asking_again(
        qtbot, facilitator, teammate, answer_with):
    facilitator.go_to(1)
    shown = _later_at_the_pause(qtbot, facilitator, teammate, answer_with)
    facilitator.previous_step()
    assert facilitator.index == 0 and len(shown) == 1
    _assert_held_not_written(facilitator, teammate, 1)


def test_jumping_to_another_step_after_decide_later_does_not_ask_again(qtbot, facilitator, teammate, answer_with):
    shown = _later_at_the_pause(qtbot, facilitator, teammate, answer_with)
    facilitator.go_to(3)
    assert facilitator.index == 3 and len(shown) == 1
    _assert_held_not_written(facilitator, teammate, 0)


def test_coming_back_shows_the_held_notes_and_typing_there_asks_again_at_the_pause(
        qtbot, facilitator, teammate, answer_with):
    shown = _later_at_the_pause(qtbot, facilitator, teammate, answer_with)
    facilitator.next_step()
    facilitator.previous_step()
    assert facilitator.index == 0 and facilitator.notes.text() == MINE
    assert "Changed by Ana" in facilitator.notes.unsaved.text()
    facilitator.next_step()  # only looked: leaving again asks nothing
    facilitator.previous_step()
    assert len(shown) == 1
    answer_with("keep_button")
    facilitator.notes.edit.setPlainText(MINE + "; and tell them")
    qtbot.waitUntil(lambda: len(shown) == 2, timeout=5000)  # the pause asks again, with the words as they are now
    assert f"Yours: {MINE}; and tell them" in shown[1].informativeText()
    assert _stored(teammate, facilitator, 0) == MINE + "; and tell them" and not facilitator.unsaved_words()


def test_words_typed_after_decide_later_and_left_before_the_pause_are_offered_as_the_step_is_left(
        qtbot, facilitator, teammate, answer_with):
    shown = _later_at_the_pause(qtbot, facilitator, teammate, answer_with)
    facilitator.notes.edit.setPlainText(MINE + "; and tell them")  # new words, never offered yet
    facilitator.next_step()
    assert len(shown) == 2 and f"Yours: {MINE}; and tell them" in shown[1].informativeText()


def test_the_server_going_away_after_decide_later_neither_asks_again_nor_loses_the_notes(
        qtbot, facilitator, teammate, cable, answer_with):
    shown = _later_at_the_pause(qtbot, facilitator, teammate, answer_with)
    cable.unplug()
    facilitator.next_step()  # the next step cannot be read: shown as not read
    assert facilitator.index == 1 and facilitator.notes.edit.isReadOnly()
    cable.plug()
    qtbot.waitUntil(lambda: not facilitator.notes.edit.isReadOnly(), timeout=15000)  # read by itself
    facilitator.previous_step()
    assert facilitator.notes.text() == MINE and "Changed by Ana" in facilitator.notes.unsaved.text()
    facilitator.next_step()
    assert len(shown) == 1
    _assert_held_not_written(facilitator, teammate, 0)


def test_leaving_facilitator_mode_asks_again_for_notes_left_for_later(qtbot, window, facilitator, teammate,
                                                                     answer_with):
    shown = _later_at_the_pause(qtbot, facilitator, teammate, answer_with)
    facilitator.next_step()
    answer_with("keep_button")
    facilitator.stop()
    assert len(shown) == 2 and f"Yours: {MINE}" in shown[1].informativeText()
    assert _stored(teammate, facilitator, 0) == MINE and not facilitator.unsaved_words()


def test_decide_later_again_on_leaving_the_mode_keeps_the_notes_and_the_window_says_so(
        qtbot, window, facilitator, teammate, answer_with):
    shown = _later_at_the_pause(qtbot, facilitator, teammate, answer_with)
    first = facilitator.agenda.steps[0].title
    facilitator.next_step()
    facilitator.stop()
    assert len(shown) == 2
    _assert_held_not_written(facilitator, teammate, 0)
    assert first in window.statusBar().currentMessage()
    facilitator.start()  # back in the mode, the held notes are where they were typed
    assert facilitator.notes.text() == MINE and len(shown) == 2


def test_quitting_after_decide_later_and_moving_on_lists_the_held_notes_and_keeps_a_copy(
        qtbot, window, facilitator, teammate, leaving, answer_with):
    shown = _later_at_the_pause(qtbot, facilitator, teammate, answer_with)
    listed = leaving("leave")
    facilitator.next_step()
    assert window.close()
    (dialog,) = listed
    assert facilitator.agenda.steps[0].title in dialog.informativeText()
    assert MINE in dialog.copy_to.read_text(encoding="utf-8")
    assert len(shown) == 1 and _stored(teammate, facilitator, 0) == THEIRS


def test_showing_another_incident_after_decide_later_keeps_the_notes_with_their_incident(
        qtbot, window, facilitator, teammate, answer_with):
    from postmortem_desktop.services.incidents import IncidentService

    shown = _later_at_the_pause(qtbot, facilitator, teammate, answer_with)
    facilitator.next_step()
    other = next(s.id for s in IncidentService(teammate).list_incidents() if s.id != billing_id(teammate))
    window.select_incident(other)
    window.select_incident(billing_id(teammate))
    facilitator.previous_step()
    assert facilitator.notes.text() == MINE and len(shown) == 1
    _assert_held_not_written(facilitator, teammate, 0)


def test_while_the_server_is_away_the_strip_names_both_the_unsaved_notes_and_the_held_ones(
        qtbot, facilitator, teammate, cable, answer_with):
    _later_at_the_pause(qtbot, facilitator, teammate, answer_with)
    facilitator.next_step()
    cable.unplug()
    facilitator.notes.edit.setPlainText("Step two: the board agreed")
    facilitator.save_notes()  # the pause: the server cannot be reached
    strip = facilitator.notes.unsaved
    assert strip.isVisibleTo(facilitator.notes) and strip.toolTip()  # the server's words
    assert "Not saved yet" in strip.text() and facilitator.agenda.steps[0].title in strip.text()
