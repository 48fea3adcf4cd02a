"""The facilitator's step notes on a team workspace: a teammate's notes show without a refresh while nobody types
there, never replace words being typed, and are never overwritten silently: a save over them offers both (the
conflict dialog, Keep mine / Take theirs), also when it is the retry after the server was away, and the quit's
list of unsaved words names notes held beside a conflict. Notes left for later (Decide later) wait for their own
step and incident: other steps' words never replace them, nor take their hold, and they come back at their step.

This client reaches the server through a relay a test can unplug (tests/network_cable.py); the teammate (Ana)
reaches it directly."""
from __future__ import annotations

import pytest

from postmortem_desktop.services.agenda import SaveStepNotes, step_notes
from tests.helpers import billing_id
from ui.unsaved_words import UnsavedWords

MINE = "Room decided: refund the double charges today"
THEIRS = "Ana: call the three biggest accounts first"


@pytest.fixture
def window(facilitators_window):
    return facilitators_window


@pytest.fixture
def facilitator(window):
    window.facilitator.start()
    return window.facilitator


def _key(facilitator) -> str:
    return facilitator.agenda.steps[facilitator.index].key


def _stored(teammate, facilitator) -> str:
    return step_notes(teammate, billing_id(teammate), _key(facilitator))


def _type_then_ana_saves(qtbot, facilitator, teammate) -> None:
    """Mine typed (the pause not over yet), then Ana's notes for the same step saved and heard here."""
    facilitator.notes.edit.setFocus()
    facilitator.notes.edit.setPlainText(MINE)  # as typed: the save waits for the pause
    SaveStepNotes(billing_id(teammate), _key(facilitator), THEIRS).do(teammate)
    qtbot.waitUntil(lambda: facilitator.notes.unsaved.isVisibleTo(facilitator.notes), timeout=2000)


def test_a_teammates_notes_show_without_a_refresh_while_nobody_types_there(qtbot, facilitator, teammate,
                                                                          answer_with):
    shown = answer_with("keep_button")
    SaveStepNotes(billing_id(teammate), _key(facilitator), THEIRS).do(teammate)
    qtbot.waitUntil(lambda: facilitator.notes.text() == THEIRS, timeout=2000)
    facilitator.notes.edit.setPlainText(THEIRS + "; and refund today")  # more words, made from hers
    facilitator.save_notes()
    assert _stored(teammate, facilitator) == THEIRS + "; and refund today" and not shown


def test_a_teammates_notes_never_replace_words_being_typed_and_say_who_changed_them(qtbot, facilitator, teammate):
    _type_then_ana_saves(qtbot, facilitator, teammate)
    assert facilitator.notes.text() == MINE
    assert "Changed by Ana" in facilitator.notes.unsaved.text()
    (words,) = facilitator.unsaved_words()
    assert words.text == MINE and "changed by Ana while you typed" in words.why and not words.retryable
    assert _stored(teammate, facilitator) == THEIRS


def test_notes_saved_over_a_teammates_newer_notes_offer_both_and_keep_mine_saves_mine(qtbot, facilitator, teammate,
                                                                                    answer_with):
    shown = answer_with("keep_button")
    _type_then_ana_saves(qtbot, facilitator, teammate)
    facilitator.save_notes()  # the pause after typing
    (dialog,) = shown
    assert "changed by someone else" in dialog.text() and facilitator.agenda.steps[0].title in dialog.text()
    assert f"Yours: {MINE}" in dialog.informativeText() and f"Theirs: {THEIRS}" in dialog.informativeText()
    assert _stored(teammate, facilitator) == MINE
    assert facilitator.notes.text() == MINE and not facilitator.unsaved_words()
    assert not facilitator.notes.unsaved.isVisibleTo(facilitator.notes)


def test_take_theirs_shows_their_notes_and_the_next_words_are_made_from_them(qtbot, facilitator, teammate,
                                                                            answer_with):
    shown = answer_with("take_button")
    _type_then_ana_saves(qtbot, facilitator, teammate)
    facilitator.save_notes()
    assert len(shown) == 1
    assert _stored(teammate, facilitator) == THEIRS and facilitator.notes.text() == THEIRS
    assert not facilitator.unsaved_words()
    facilitator.notes.edit.setPlainText(THEIRS + "; agreed")
    facilitator.save_notes()
    assert len(shown) == 1 and _stored(teammate, facilitator) == THEIRS + "; agreed"


def test_moving_to_the_next_step_offers_both_before_the_notes_are_left(qtbot, facilitator, teammate, answer_with):
    shown = answer_with("keep_button")
    _type_then_ana_saves(qtbot, facilitator, teammate)
    key = _key(facilitator)
    facilitator.next_step()
    assert len(shown) == 1 and step_notes(teammate, billing_id(teammate), key) == MINE


def test_the_retry_after_the_server_was_away_does_not_overwrite_a_teammates_notes(qtbot, facilitator, teammate,
                                                                                 cable, answer_with):
    shown = answer_with("take_button")
    cable.unplug()
    facilitator.notes.edit.setPlainText(MINE)
    facilitator.save_notes()  # the pause: the server cannot be reached, the notes stay pending
    assert facilitator.notes.unsaved.isVisibleTo(facilitator.notes) and not shown
    SaveStepNotes(billing_id(teammate), _key(facilitator), THEIRS).do(teammate)  # meanwhile
    cable.plug()
    qtbot.waitUntil(lambda: bool(shown), timeout=15000)  # the retry offers both
    assert f"Theirs: {THEIRS}" in shown[0].informativeText()
    assert _stored(teammate, facilitator) == THEIRS and facilitator.notes.text() == THEIRS
    assert not facilitator.unsaved_words()


def test_quitting_lists_notes_held_beside_a_conflict_and_quit_anyway_keeps_a_copy_of_mine(
        qtbot, window, facilitator, teammate, leaving, answer_with):
    chosen = answer_with("keep_button")
    listed = leaving("leave")
    _type_then_ana_saves(qtbot, facilitator, teammate)
    assert window.close()
    (dialog,) = listed
    assert "Facilitator notes" in dialog.informativeText()
    assert "Changed by Ana while you typed" in dialog.informativeText()
    assert not dialog.save_button.isVisibleTo(dialog)  # trying again cannot decide a conflict
    assert MINE in dialog.copy_to.read_text(encoding="utf-8")
    assert not chosen and _stored(teammate, facilitator) == THEIRS  # theirs was never overwritten


def test_staying_after_the_quit_asked_offers_both_at_the_pause(qtbot, window, facilitator, teammate, leaving,
                                                             answer_with):
    chosen = answer_with("take_button")
    listed = leaving("cancel")
    _type_then_ana_saves(qtbot, facilitator, teammate)
    assert not window.close()
    assert len(listed) == 1 and facilitator.notes.text() == MINE
    qtbot.waitUntil(lambda: bool(chosen), timeout=5000)
    assert facilitator.notes.text() == THEIRS and _stored(teammate, facilitator) == THEIRS


# ---- Decide later: the words wait for their own step (and incident), not for whatever is shown next ----------
def _decide_later_on_the_first_step(qtbot, facilitator, teammate, answer_with) -> list:
    """Mine typed, Ana's saved over the same step, both offered at the pause: Decide later (the default button)."""
    shown = answer_with("later_button")
    _type_then_ana_saves(qtbot, facilitator, teammate)
    facilitator.save_notes()
    assert len(shown) == 1 and facilitator.notes.text() == MINE
    return shown


def _waiting(facilitator) -> dict[str, UnsavedWords]:
    """The unsaved words the quit's or the switch's list would show, by their field's name."""
    return {words.field: words for words in facilitator.unsaved_words()}


def test_notes_left_for_later_come_back_at_their_step_and_its_next_save_offers_both_again(
        qtbot, facilitator, teammate, answer_with):
    shown = answer_with("later_button")
    _type_then_ana_saves(qtbot, facilitator, teammate)
    facilitator.next_step()  # both offered before the notes are left: Decide later
    assert len(shown) == 1 and facilitator.index == 1
    facilitator.previous_step()
    assert facilitator.notes.text() == MINE  # mine, never Ana's in their place
    assert "Changed by Ana" in facilitator.notes.unsaved.text()
    facilitator.notes.edit.setPlainText(MINE + "; and tell them")  # more words join mine, not hers
    facilitator.save_notes()
    assert len(shown) == 2  # made from what mine were made from: both offered again
    assert f"Yours: {MINE}; and tell them" in shown[1].informativeText()
    assert f"Theirs: {THEIRS}" in shown[1].informativeText()
    assert _stored(teammate, facilitator) == THEIRS


def test_notes_typed_at_the_next_step_are_its_own_not_held_and_retried_when_the_server_is_back(
        qtbot, facilitator, teammate, cable, answer_with):
    shown = answer_with("later_button")
    _type_then_ana_saves(qtbot, facilitator, teammate)
    first = facilitator.agenda.steps[0]
    facilitator.next_step()  # both offered before the notes are left: Decide later
    assert len(shown) == 1
    second = facilitator.agenda.steps[1]
    cable.unplug()
    facilitator.notes.edit.setPlainText("Step two: the board agreed")
    facilitator.save_notes()  # the pause: the server cannot be reached
    waiting = _waiting(facilitator)
    held, typed = waiting[f"Facilitator notes: {first.title}"], waiting[f"Facilitator notes: {second.title}"]
    assert held.text == MINE and "changed by Ana" in held.why and not held.retryable
    assert typed.text == "Step two: the board agreed" and typed.retryable and "changed by" not in typed.why.lower()
    assert "Changed by" not in facilitator.notes.unsaved.text()  # the strip speaks of this step's notes
    cable.plug()
    qtbot.waitUntil(lambda: _stored(teammate, facilitator) == "Step two: the board agreed", timeout=15000)
    assert len(shown) == 1  # the retry never asks step 1's choice in passing
    assert [words.text for words in facilitator.unsaved_words()] == [MINE]
    assert step_notes(teammate, billing_id(teammate), first.key) == THEIRS


def _another_incident(teammate) -> int:
    from postmortem_desktop.services.incidents import IncidentService

    return next(s.id for s in IncidentService(teammate).list_incidents() if s.id != billing_id(teammate))


def test_notes_left_for_later_stay_with_their_incident_while_another_is_shown(qtbot, window, facilitator, teammate,
                                                                           answer_with):
    shown = _decide_later_on_the_first_step(qtbot, facilitator, teammate, answer_with)
    other = _another_incident(teammate)
    window.select_incident(other)
    assert window.hub.incident_id == other and facilitator.notes.text() != MINE
    facilitator.notes.edit.setPlainText("Other incident: nothing to refund")
    facilitator.save_notes()
    assert step_notes(teammate, other, _key(facilitator)) == "Other incident: nothing to refund"
    (held,) = facilitator.unsaved_words()  # mine still wait, for the billing incident, saying who changed it
    assert held.incident_id == billing_id(teammate) and held.text == MINE and "changed by Ana" in held.why
    window.select_incident(billing_id(teammate))
    assert facilitator.notes.text() == MINE and "Changed by Ana" in facilitator.notes.unsaved.text()
    assert len(shown) == 1 and _stored(teammate, facilitator) == THEIRS
