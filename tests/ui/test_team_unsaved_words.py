"""Words not saved yet are never thrown away by quitting, opening another workspace or showing another incident.

Before the window lets go of them it saves what waits for a pause, then lists what is still not saved (the team
server is away, or a teammate's change awaits the person's choice) in one dialog: Try Saving Now, go on anyway
with a copy on the clipboard and in a file it names, or Cancel (the default), which stays.

This client reaches the server through a relay a test can unplug (tests/network_cable.py); the teammate reaches
it directly."""
from __future__ import annotations

from html import escape
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from postmortem_desktop.domain.vocabulary import REVIEW_QUESTIONS
from postmortem_desktop.services.incidents import IncidentService
from postmortem_desktop.services.review_answers import ReviewService, SetReviewAnswer
from tests.helpers import billing_id
from ui.unsaved_words_dialog import UnsavedWordsDialog

WORDING = dict(REVIEW_QUESTIONS)["wording"]  # question 4, the field the person typed in
TYPED = "Typed while the server is down: customers paid twice"


@pytest.fixture
def window(qtbot, settings, team_demo_url, team_server, cable, teammate):
    from ui.main_window import MainWindow

    window = MainWindow(settings)
    qtbot.addWidget(window)
    assert window.open_path(team_demo_url.replace(f":{team_server.port}/", f":{cable.port}/"))
    window.show()
    window.select_incident(billing_id(teammate))
    assert window.session._teammates.feed.listening.wait(10)
    yield window
    for holder in window._word_holders():  # a test that stayed leaves words behind: the window closes at teardown
        holder.forget_unsaved_words()
    window.hub.close_session()


@pytest.fixture
def answer(leaving):
    """The unsaved-words dialog's answers (tests/ui/conftest.py `leaving`)."""
    return leaving


def _mine_beside_theirs(qtbot, review, teammate, billing: int):
    """The person types "Mine" in the wording answer while Ana saves "Theirs": held beside hers, in conflict.
    The answer's field, and the other incident to switch to."""
    field = review.answers.blocks["wording"].answer
    field.setFocus()
    field.setPlainText("Mine")
    SetReviewAnswer(billing, "wording", "Theirs", based_on="").do(teammate)
    qtbot.waitUntil(lambda: field.in_conflict, timeout=2000)
    return field, next(s.id for s in IncidentService(teammate).list_incidents() if s.id != billing)


def _review(window):
    review = window.show_screen("review")
    review.tabs.setCurrentIndex(review.TAB_QUESTIONS)
    return review


def _type_unsaved(window, cable) -> object:
    """Question 4's answer typed while the server is away: the save fails, the words stay, unsaved."""
    field = _review(window).answers.blocks["wording"].answer
    cable.unplug()
    field.setPlainText(TYPED)
    field.commit()
    assert field.not_saved
    return field


def _stored(workspace) -> str:
    return next(a.answer for a in ReviewService(workspace).answers(billing_id(workspace)) if a.key == "wording")


def _named_file(dialog: UnsavedWordsDialog) -> Path:
    """The file the dialog says the words go to (it must say so)."""
    assert f"in this file:<br>{escape(str(dialog.copy_to))}" in dialog.informativeText().replace("&nbsp;", " ")
    return dialog.copy_to


def test_quitting_with_words_the_server_did_not_get_asks_first_and_cancel_stays(qtbot, window, cable, answer):
    shown = answer("cancel")
    field = _type_unsaved(window, cable)
    assert not window.close()
    assert window.isVisible() and window.session is not None
    (dialog,) = shown
    assert dialog.defaultButton() is dialog.cancel_button and dialog.escapeButton() is dialog.cancel_button
    assert WORDING in dialog.informativeText()  # the field, by name
    assert "Billing" in dialog.informativeText()  # whose incident
    assert "team server could not be reached" in dialog.informativeText()
    assert "Quit anyway?" in dialog.text()
    assert dialog.save_button.isVisibleTo(dialog)
    assert field.toPlainText() == TYPED and field.not_saved


def test_quit_anyway_keeps_a_copy_on_the_clipboard_and_in_the_file_the_dialog_names(qtbot, window, cable, teammate,
                                                                                   answer):
    shown = answer("leave")
    _type_unsaved(window, cable)
    assert window.close()
    (dialog,) = shown
    copy = _named_file(dialog)
    assert copy.is_file() and TYPED in copy.read_text(encoding="utf-8")
    assert WORDING in copy.read_text(encoding="utf-8")
    assert TYPED in QApplication.clipboard().text()
    assert _stored(teammate) != TYPED


def test_the_copy_goes_to_the_file_the_dialog_named_when_the_clock_moved_on_while_the_person_decided(
        qtbot, window, cable, answer, monkeypatch, tmp_path):
    """Seen once in CI: the name holds the time to the second, and was made again when Quit anyway was clicked; a
    second later, the words went to another file than the one the dialog named."""
    from ui import leaving

    names = iter([tmp_path / "named in the dialog.txt", tmp_path / "a second later.txt"])
    monkeypatch.setattr(leaving, "recovery_path", lambda: next(names))
    shown = answer("leave")
    _type_unsaved(window, cable)
    assert window.close()
    (dialog,) = shown
    assert dialog.copy_to == tmp_path / "named in the dialog.txt"
    assert TYPED in dialog.copy_to.read_text(encoding="utf-8")
    assert not (tmp_path / "a second later.txt").exists()


def test_try_saving_now_saves_the_words_and_quits_once_the_server_answers(qtbot, window, cable, teammate, answer):
    shown = answer("save", "cancel")
    field = _type_unsaved(window, cable)
    field._retry.stop()  # the person asks before the field's own retry comes round
    window.session._teammates.stop()
    cable.plug()
    assert window.close()
    assert len(shown) == 1  # saved at the first try: not asked again
    assert _stored(teammate) == TYPED


def test_try_saving_now_while_the_server_is_still_away_says_so_and_asks_again(qtbot, window, cable, answer):
    shown = answer("save", "cancel")
    field = _type_unsaved(window, cable)
    assert not window.close()
    assert len(shown) == 2
    assert "Tried again, and these are still not saved." in shown[1].text()
    assert field.toPlainText() == TYPED


def test_a_conflict_not_yet_decided_is_listed_with_who_and_quit_anyway_keeps_a_copy_of_mine(
        qtbot, window, teammate, answer):
    shown = answer("leave")
    review = _review(window)
    field = review.answers.blocks["wording"].answer
    field.setFocus()
    field.setPlainText("Mine: the status page wording worsened it")
    SetReviewAnswer(billing_id(teammate), "wording", "Ben's answer", based_on="").do(teammate)
    qtbot.waitUntil(lambda: field.in_conflict, timeout=2000)
    assert window.close()
    (dialog,) = shown
    assert "Changed by Ana while you typed" in dialog.informativeText()
    assert not dialog.save_button.isVisibleTo(dialog)  # trying again cannot decide a conflict
    assert "Keep mine or Take theirs" in dialog.informativeText()
    assert "Mine: the status page wording worsened it" in _named_file(dialog).read_text(encoding="utf-8")
    assert _stored(teammate) == "Ben's answer"  # theirs was never overwritten


def test_cancel_on_a_conflict_brings_its_field_forward(qtbot, window, teammate, answer):
    answer("cancel")
    review = _review(window)
    field = review.record.fields["customer_damage"]
    review.tabs.setCurrentIndex(review.TAB_RECORD)
    field.setFocus()
    field.setPlainText("Mine: customers paid twice")
    from postmortem_desktop.services.review_answers import EditCloseoutFields

    EditCloseoutFields(billing_id(teammate), customer_damage="Theirs").do(teammate)
    qtbot.waitUntil(lambda: field.in_conflict, timeout=2000)
    window.show_screen("timeline")
    assert not window.close()
    assert window.screens.currentWidget() is review and review.tabs.currentIndex() == review.TAB_RECORD
    assert field.toPlainText() == "Mine: customers paid twice" and field.in_conflict


def test_incident_properties_and_facilitator_notes_the_server_did_not_get_are_listed_too(
        qtbot, window, cable, teammate, answer):
    from ui.theme import theme_manager

    shown = answer("leave")
    properties = window.show_screen("properties")
    billing = billing_id(teammate)
    before = theme_manager().snapshot()
    window.facilitator.start()
    try:
        cable.unplug()
        properties.save(billing, "title", "Billing outage (renamed offline)",
                        based_on=properties.form.shown("title"))  # as the form does when the title was typed
        assert properties.unsaved
        window.facilitator.notes.edit.setPlainText("Room decided: refund the double charges")
        window.facilitator.save_notes()
        assert window.close()
    finally:
        theme_manager().restore(before)
    (dialog,) = shown
    assert "Properties: Title" in dialog.informativeText()
    assert "Facilitator notes" in dialog.informativeText()
    text = _named_file(dialog).read_text(encoding="utf-8")
    assert "Billing outage (renamed offline)" in text and "Room decided: refund the double charges" in text


def test_opening_another_workspace_asks_first_and_cancel_keeps_this_one(qtbot, window, cable, answer, monkeypatch,
                                                                        tmp_path):
    import ui.main_window

    shown = answer("cancel")
    field = _type_unsaved(window, cable)
    chosen: list[bool] = []
    monkeypatch.setattr(ui.main_window, "choose_file_to_open",
                        lambda *_args: chosen.append(True) or tmp_path / "other.pmw")
    opened: list[object] = []
    monkeypatch.setattr(window, "open_path", opened.append)
    window.open_action.trigger()
    assert chosen and shown and not opened  # asked after choosing, and stayed
    assert field.toPlainText() == TYPED and window.session is not None


def test_switching_incident_over_a_conflict_asks_and_cancel_stays_on_the_incident(qtbot, window, teammate, answer):
    shown = answer("cancel")
    billing = billing_id(teammate)
    field, other = _mine_beside_theirs(qtbot, _review(window), teammate, billing)
    window.select_incident(other)
    assert shown and "Show another incident anyway?" in shown[0].text()
    assert window.incident_id == billing
    assert window.incident_view.currentIndex().data(window.incident_model.ID_ROLE) == billing
    assert field.toPlainText() == "Mine" and field.in_conflict


def test_switching_incident_anyway_over_a_conflict_tells_the_truth_and_keeps_a_copy(qtbot, window, teammate,
                                                                                     answer):
    """It used to say the incident had been deleted by someone else, when a teammate had only changed the field."""
    shown = answer("leave")
    billing = billing_id(teammate)
    review = _review(window)
    field, other = _mine_beside_theirs(qtbot, review, teammate, billing)
    window.select_incident(other)
    assert window.incident_id == other
    (dialog,) = shown
    assert "Changed by Ana while you typed" in dialog.informativeText()
    notice = review.unsaved_notice
    assert notice is None or "deleted" not in notice.text()
    assert "Mine" in _named_file(dialog).read_text(encoding="utf-8") and "Mine" in QApplication.clipboard().text()
    assert not field.in_conflict and field.toPlainText() != "Mine"  # the other incident's answer shows


def test_a_conflict_dropped_without_asking_is_said_to_be_a_teammates_change_not_a_deletion(qtbot, teammate,
                                                                                           team_demo_url):
    """The review screen alone (no window to ask first): the note it shows says why, truthfully."""
    from tests.ui.team_screens import review_screen

    screens = review_screen(qtbot, team_demo_url)
    review = next(screens)
    try:
        billing = billing_id(teammate)
        field, other = _mine_beside_theirs(qtbot, review, teammate, billing)
        review.hub.set_incident(other)
        notice = review.unsaved_notice
        assert isinstance(notice, QMessageBox)
        assert "deleted" not in notice.text() and "changed by Ana while you typed" in notice.text()
        assert "clipboard" in notice.text() and "Unsaved words" in notice.text()  # and the file it is in
        assert QApplication.clipboard().text().count("Mine") >= 1
        notice.close()
    finally:
        next(screens, None)


def test_words_typed_just_before_quitting_a_file_workspace_are_saved_without_a_question(qtbot, main_window,
                                                                                        answer):
    shown = answer("cancel")
    main_window.select_incident(billing_id(main_window.session.workspace))
    field = _review(main_window).answers.blocks["wording"].answer
    field.setPlainText("Typed a moment before Quit")  # the save waits for a pause in typing
    workspace = main_window.session.workspace
    stored_before = _stored(workspace)
    assert main_window.close()
    assert not shown
    from postmortem_desktop.storage.workspace import open_workspace

    reopened = open_workspace(workspace.path)
    try:
        assert _stored(reopened) == "Typed a moment before Quit" != stored_before
    finally:
        reopened.close()


def test_on_a_file_words_typed_just_before_showing_another_incident_are_saved_to_theirs_and_the_switch_happens(
        qtbot, main_window, answer):
    shown = answer("cancel")
    workspace = main_window.session.workspace
    billing = billing_id(workspace)
    main_window.select_incident(billing)
    field = _review(main_window).answers.blocks["wording"].answer
    field.setPlainText("Typed a moment before switching")  # the save waits for a pause in typing
    other = next(s.id for s in IncidentService(workspace).list_incidents() if s.id != billing)
    main_window.select_incident(other)  # as a key in the list does: the field keeps the focus it had
    assert not shown
    assert main_window.incident_id == other
    assert main_window.incident_view.currentIndex().data(main_window.incident_model.ID_ROLE) == other
    assert _stored(workspace) == "Typed a moment before switching"
    other_answer = next(a.answer for a in ReviewService(workspace).answers(other) if a.key == "wording")
    assert other_answer != "Typed a moment before switching"
