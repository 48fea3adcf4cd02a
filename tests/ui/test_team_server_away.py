"""The team server going away mid-edit: typed words are never lost. They stay in the field, unsaved and
said so, the app reconnects by itself and saves them; a teammate's change made meanwhile is a conflict.

This client reaches the server through a relay a test can unplug (tests/network_cable.py); the teammate
reaches it directly, so it can change the record while this client cannot."""
from __future__ import annotations

import pytest

from postmortem_desktop.services.review_answers import ReviewService, SetReviewAnswer
from tests.helpers import billing_id
from tests.ui.team_screens import review_screen
from ui.review.text_field import RETRY_AFTER_MS

TYPED = "Typed while the server is down"


@pytest.fixture
def review(qtbot, team_demo_url, team_server, cable, teammate):
    yield from review_screen(qtbot, team_demo_url.replace(f":{team_server.port}/", f":{cable.port}/"))


@pytest.fixture
def dialogs(monkeypatch, qtbot, cable):
    """Any warning shown is read for as long as the server takes to come back: its modal loop runs meanwhile,
    as it does while a person reads it (the first time the reviewer lost their words)."""
    from PySide6.QtWidgets import QMessageBox

    shown: list[str] = []

    def read_while_the_server_returns(_parent, _title, text, *_args, **_kwargs):
        shown.append(text)
        cable.plug()
        qtbot.wait(6000)  # the feed reconnects within its longest wait (5 s) and the screen re-reads
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "warning", read_while_the_server_returns)
    return shown


def _answer(workspace, key: str) -> str:
    return next(a.answer for a in ReviewService(workspace).answers(billing_id(workspace)) if a.key == key)


def _field(review, where: str):
    if where == "answer":
        return review.answers.blocks["wording"].answer  # question 4
    review.tabs.setCurrentIndex(review.TAB_RECORD)
    return review.record.fields["customer_damage"]


def _stored(workspace, where: str) -> str:
    if where == "answer":
        return _answer(workspace, "wording")
    return ReviewService(workspace).closeout_fields(billing_id(workspace)).customer_damage


@pytest.mark.parametrize("where", ["answer", "closeout"])
def test_words_typed_while_the_server_is_away_stay_and_are_saved_when_it_is_back(qtbot, review, teammate,
                                                                                cable, dialogs, where):
    field = _field(review, where)
    feed = review.hub.session._teammates.feed
    cable.unplug()
    field.setPlainText(TYPED)
    field.commit()  # the pause after typing: the save cannot reach the server
    assert field.toPlainText() == TYPED
    assert field.not_saved and field.conflict_bar.isVisibleTo(review)
    assert "Not saved yet" in field.conflict_bar.message.text()
    assert "failed or was lost" in field.conflict_bar.message.toolTip()  # the server's own words, for details
    assert not field.conflict_bar.keep_button.isVisibleTo(review)  # nothing to decide
    cable.plug()
    qtbot.waitUntil(lambda: feed.reconnects >= 1, timeout=10000)  # the app reconnects by itself
    qtbot.waitUntil(lambda: _stored(teammate, where) == TYPED, timeout=10000)
    assert field.toPlainText() == TYPED
    assert not field.not_saved and not field.conflict_bar.isVisibleTo(review)
    assert not dialogs  # no modal message per retry; the bar under the field says it


def test_a_teammates_change_made_while_the_server_was_away_is_a_conflict_with_both_kept(qtbot, review, teammate,
                                                                                        cable, dialogs):
    field = _field(review, "answer")
    cable.unplug()
    field.setPlainText(TYPED)
    field.commit()
    SetReviewAnswer(billing_id(teammate), "wording", "Ana's answer, saved meanwhile", based_on="").do(teammate)
    cable.plug()
    qtbot.waitUntil(lambda: field.in_conflict, timeout=15000)
    assert field.toPlainText() == TYPED
    assert "Ana's answer, saved meanwhile" in field.conflict_bar.message.text()
    assert field.conflict_bar.keep_button.isVisibleTo(review)
    qtbot.wait(RETRY_AFTER_MS + 500)  # nothing is saved while the person has not decided
    assert _answer(teammate, "wording") == "Ana's answer, saved meanwhile"
    field.conflict_bar.keep_button.click()
    assert _answer(teammate, "wording") == TYPED


def test_more_words_typed_while_away_are_saved_too(qtbot, review, teammate, cable, dialogs):
    field = _field(review, "closeout")
    cable.unplug()
    field.setPlainText(TYPED)
    field.commit()
    field.setPlainText(TYPED + ", and more")
    field.commit()
    assert field.not_saved
    cable.plug()
    qtbot.waitUntil(lambda: _stored(teammate, "closeout") == TYPED + ", and more", timeout=15000)
    assert field.toPlainText() == TYPED + ", and more"


def test_without_a_reconnection_notice_the_field_tries_again_by_itself(qtbot, review, teammate, cable, dialogs):
    """Only the edit's connection was lost (the feed stayed up, or is gone): the retry after a wait saves."""
    review.hub.session._teammates.stop()  # no notice will come
    field = _field(review, "answer")
    cable.unplug()
    field.setPlainText(TYPED)
    field.commit()
    assert field.not_saved
    cable.plug()
    qtbot.waitUntil(lambda: _stored(teammate, "answer") == TYPED, timeout=RETRY_AFTER_MS + 3000)
    assert field.toPlainText() == TYPED and not field.conflict_bar.isVisibleTo(review)


def test_facilitator_notes_typed_while_the_server_is_away_stay_and_are_saved_when_it_is_back(
        qtbot, settings, team_demo_url, team_server, cable, teammate, dialogs):
    from postmortem_desktop.services.agenda import step_notes
    from ui.main_window import MainWindow
    from ui.theme import theme_manager

    window = MainWindow(settings)
    qtbot.addWidget(window)
    assert window.open_path(team_demo_url.replace(f":{team_server.port}/", f":{cable.port}/"))
    window.show()
    window.select_incident(billing_id(teammate))
    feed = window.session._teammates.feed
    assert feed.listening.wait(10)
    before = theme_manager().snapshot()
    facilitator = window.facilitator
    facilitator.start()
    try:
        step = facilitator.agenda.steps[facilitator.index]
        cable.unplug()
        facilitator.notes.edit.setPlainText("Room decided: refund the double charges")  # as typed
        facilitator.save_notes()  # the pause after typing: the server cannot be reached
        assert facilitator.notes.unsaved.isVisibleTo(facilitator.notes) and not dialogs
        cable.plug()
        qtbot.waitUntil(lambda: step_notes(teammate, billing_id(teammate), step.key)
                        == "Room decided: refund the double charges", timeout=15000)
        assert facilitator.notes.text() == "Room decided: refund the double charges"
        assert not facilitator.notes.unsaved.isVisibleTo(facilitator.notes)
    finally:
        facilitator.stop()
        theme_manager().restore(before)
        window.hub.close_session()


def test_words_not_saved_when_the_person_moves_to_another_incident_go_to_the_clipboard_with_why(
        qtbot, review, teammate, cable, dialogs):
    from PySide6.QtWidgets import QApplication

    from postmortem_desktop.services.incidents import IncidentService

    field = _field(review, "answer")
    cable.unplug()
    field.setPlainText(TYPED)
    field.commit()
    cable.plug()
    review.hub.session._teammates.stop()  # before the retry: the person moves on first
    field._retry.stop()
    other = next(s.id for s in IncidentService(teammate).list_incidents() if s.id != billing_id(teammate))
    review.hub.set_incident(other)
    assert QApplication.clipboard().text() == TYPED
    assert review.unsaved_notice is not None and "could not be reached" in review.unsaved_notice.text()
    review.unsaved_notice.close()


@pytest.mark.parametrize("tab, box, stored", [
    ("TAB_RECORD", "record.none_seen", "trust_signals_none_seen"),
    ("TAB_CONTACTS", "contacts.reviewed", "contact_list_reviewed")])  # the contacts' box kept it, once
def test_a_tick_the_server_could_not_save_is_taken_back_off_the_box(qtbot, review, teammate, cable, tab, box,
                                                                    stored):
    """A checkbox has no field to keep unsaved words in: it shows what is stored, never a tick that was not saved."""
    review.tabs.setCurrentIndex(getattr(review, tab))
    part, name = box.split(".")
    box = getattr(getattr(review, part), name)
    stored_before = getattr(ReviewService(teammate).closeout_fields(billing_id(teammate)), stored)
    assert box.isChecked() == stored_before
    cable.unplug()
    box.click()  # No trust signals were seen
    assert box.isChecked() == stored_before
    assert getattr(ReviewService(teammate).closeout_fields(billing_id(teammate)), stored) == stored_before
    from ui import server_away

    told = server_away.shown()  # and the person is told why, in the one box
    assert told is not None and "Nothing of the last change was saved" in told.text()
    told.close()
    cable.plug()
