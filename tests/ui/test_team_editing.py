"""Live team editing in the Review: a teammate's change shows within a second, and never replaces words
being typed; a conflict shows both versions and lets the person keep theirs or take the other."""
from __future__ import annotations

import pytest

from postmortem_desktop.services.review_answers import EditCloseoutFields, ReviewService, SetReviewAnswer
from postmortem_desktop.storage.workspace import open_workspace
from tests.helpers import billing_id
from tests.ui.team_screens import review_screen
from ui.hub import ScreenHub
from ui.undo import WorkspaceSession


@pytest.fixture
def review(qtbot, team_demo_url, teammate):
    yield from review_screen(qtbot, team_demo_url)


def _stored_answer(workspace, key: str) -> str:
    iid = billing_id(workspace)
    return next(a.answer for a in ReviewService(workspace).answers(iid) if a.key == key)


def test_a_teammates_answer_shows_within_a_second_without_a_manual_refresh(qtbot, review, teammate):
    field = review.answers.blocks["wording"].answer
    SetReviewAnswer(billing_id(teammate), "wording", "Ana: the apology calmed them", based_on="").do(teammate)
    qtbot.waitUntil(lambda: field.toPlainText() == "Ana: the apology calmed them", timeout=1000)
    assert not field.conflict_bar.isVisibleTo(review)


def test_words_being_typed_are_kept_and_the_bar_names_who_changed_it_keep_mine(qtbot, review, teammate):
    field = review.answers.blocks["wording"].answer
    field.setFocus()
    field.setPlainText("Mine: the status page wording worsened it")  # typed, not yet saved (the pause runs)
    SetReviewAnswer(billing_id(teammate), "wording", "Theirs", based_on="").do(teammate)
    qtbot.waitUntil(lambda: field.conflict_bar.isVisibleTo(review), timeout=1000)
    assert field.toPlainText() == "Mine: the status page wording worsened it"
    assert "Changed by Ana" in field.conflict_bar.message.text() and "Theirs" in field.conflict_bar.message.text()
    qtbot.wait(1000)  # past the save pause: nothing is saved while the person has not decided
    assert _stored_answer(teammate, "wording") == "Theirs"
    field.conflict_bar.keep_button.click()
    assert _stored_answer(teammate, "wording") == "Mine: the status page wording worsened it"
    assert not field.conflict_bar.isVisibleTo(review)


def test_take_theirs_replaces_the_typed_words_and_saves_nothing(qtbot, review, teammate):
    field = review.record.fields["trust_signals"]
    review.tabs.setCurrentIndex(review.TAB_RECORD)
    stored = ReviewService(teammate).closeout_fields(billing_id(teammate)).trust_signals
    field.setPlainText("Mine")
    EditCloseoutFields(billing_id(teammate), trust_signals="Theirs: asked for proof of refund").do(teammate)
    qtbot.waitUntil(lambda: field.conflict_bar.isVisibleTo(review), timeout=1000)
    assert stored != "Theirs: asked for proof of refund"
    field.conflict_bar.take_button.click()
    assert field.toPlainText() == "Theirs: asked for proof of refund"
    field.commit()  # nothing to save: the field shows what is stored
    assert review.hub.session.undo_stack.count() == 0


def test_a_save_racing_a_teammate_is_refused_and_shows_both_versions(qtbot, review, teammate):
    """The teammate's edit commits before the feed brings it: the save says what it was based on, the core
    refuses it (EditConflict), and the field shows theirs beside the person's words instead of a dialog."""
    review.hub.session._teammates.stop()  # the notice never arrives: only based_on can catch this
    field = review.answers.blocks["confusing"].answer
    read = field.toPlainText()
    SetReviewAnswer(billing_id(teammate), "confusing", "Theirs: the receipt page", based_on=read).do(teammate)
    field.setPlainText("Mine: the error after Pay")
    field.commit()
    assert field.conflict_bar.isVisibleTo(review)
    assert "Theirs: the receipt page" in field.conflict_bar.message.text()
    assert field.toPlainText() == "Mine: the error after Pay"
    assert _stored_answer(teammate, "confusing") == "Theirs: the receipt page"
    field.conflict_bar.keep_button.click()
    assert _stored_answer(teammate, "confusing") == "Mine: the error after Pay"


def test_undo_refuses_with_a_message_when_a_teammate_changed_the_answer_since(qtbot, review, teammate):
    field = review.answers.blocks["wording"].answer
    field.setPlainText("Mine")
    field.commit()
    session = review.hub.session
    assert session.undo_stack.count() == 1
    SetReviewAnswer(billing_id(teammate), "wording", "Theirs", based_on="Mine").do(teammate)
    with qtbot.waitSignal(session.step_failed) as failed:
        session.undo()
    label, error = failed.args
    assert label == "Undo Edit Answer: support wording" and "changed by Ana since your edit" in str(error)
    assert session.undo_stack.index() == 1  # the stack did not move
    assert _stored_answer(teammate, "wording") == "Theirs"


def test_a_refused_undo_can_be_skipped_so_ctrl_z_reaches_the_persons_earlier_edit(qtbot, review, teammate):
    """Before: the refused step stayed on top, every Ctrl+Z was refused again, and none of the person's earlier
    edits could be undone any more."""
    earlier = _stored_answer(teammate, "confusing")
    for key, words in (("confusing", "Mine: the receipt page"), ("wording", "Mine")):
        field = review.answers.blocks[key].answer
        field.setPlainText(words)
        field.commit()
    session = review.hub.session
    SetReviewAnswer(billing_id(teammate), "wording", "Theirs", based_on="Mine").do(teammate)
    with qtbot.waitSignal(session.step_failed):
        session.undo()
    assert session.undo_stack.index() == 2
    session.skip_refused_undo(session.step_to_undo())
    assert (session.undo_stack.count(), session.undo_stack.index()) == (1, 1)
    assert session.undo_stack.undoText() == "Edit Answer: most confusing page or message"
    session.undo()  # the earlier edit, which nobody changed since
    assert _stored_answer(teammate, "confusing") == earlier
    assert _stored_answer(teammate, "wording") == "Theirs"  # the skipped step undid nothing



def test_typing_after_a_teammates_change_is_a_step_of_its_own_so_undo_puts_theirs_back(qtbot, review, teammate):
    """Before: the second save merged into the first step (typing within 10 s), and one Ctrl+Z put back the answer
    from before the person's first words over the teammate's, without a word."""
    field = review.answers.blocks["wording"].answer
    field.setPlainText("Mine")
    field.commit()
    SetReviewAnswer(billing_id(teammate), "wording", "Theirs", based_on="Mine").do(teammate)
    qtbot.waitUntil(lambda: field.toPlainText() == "Theirs", timeout=1000)  # the screen showed theirs
    field.setPlainText("Theirs, and mine")
    field.commit()
    session = review.hub.session
    assert session.undo_stack.count() == 2
    session.undo()
    assert _stored_answer(teammate, "wording") == "Theirs"
    with qtbot.waitSignal(session.step_failed):  # the first step would overwrite theirs: refused, as any undo
        session.undo()
    assert _stored_answer(teammate, "wording") == "Theirs"


def test_redo_refuses_with_a_message_naming_the_teammate_who_changed_the_answer_after_the_undo(qtbot, review,
                                                                                               teammate):
    field = review.answers.blocks["wording"].answer
    field.setPlainText("Mine")
    field.commit()
    session = review.hub.session
    session.undo()
    assert session.undo_stack.index() == 0 and _stored_answer(teammate, "wording") != "Mine"
    SetReviewAnswer(billing_id(teammate), "wording", "Theirs",
                    based_on=_stored_answer(teammate, "wording")).do(teammate)
    with qtbot.waitSignal(session.step_failed) as failed:
        session.redo()
    label, error = failed.args
    assert label == "Redo Edit Answer: support wording"
    assert "changed by Ana after you undid it" in str(error) and "make your change by hand" in str(error)
    assert session.undo_stack.index() == 0 and session.undo_stack.canRedo()  # the stack did not move
    assert _stored_answer(teammate, "wording") == "Theirs"

def test_the_app_opens_a_team_workspace_from_its_url_and_titles_it_with_the_user(qtbot, team_demo_url, settings,
                                                                                  monkeypatch):
    from ui.app import choose_workspace
    from ui.main_window import MainWindow

    monkeypatch.setenv("POSTMORTEM_USER", "Ben")
    assert choose_workspace(team_demo_url, settings) == team_demo_url  # a URL stays a URL, not a file name
    window = MainWindow(settings)
    qtbot.addWidget(window)
    assert window.open_path(team_demo_url)
    try:
        assert window.windowTitle().startswith(team_demo_url) and window.windowTitle().endswith("— Ben")
        assert window.incident_id >= 0  # the first incident is selected, as for a file
    finally:
        window.hub.close_session()


def test_the_customer_message_draft_keeps_the_typed_text_when_a_teammate_changes_it(qtbot, review, teammate):
    review.tabs.setCurrentIndex(review.TAB_MESSAGE)
    editor = review.message.editor
    editor.setPlainText("Ben's draft: we are sorry")
    EditCloseoutFields(billing_id(teammate), customer_message="Ana's draft").do(teammate)
    qtbot.waitUntil(lambda: editor.conflict_bar.isVisibleTo(review), timeout=1000)
    assert editor.toPlainText() == "Ben's draft: we are sorry" and "Ana" in editor.conflict_bar.message.text()
    editor.conflict_bar.keep_button.click()
    assert ReviewService(teammate).closeout_fields(billing_id(teammate)).customer_message == "Ben's draft: we are sorry"


def test_the_contact_list_exports_from_a_team_workspace(qtbot, team_demo_url, tmp_path, monkeypatch):
    """A team workspace has no file: the export's inputs are the workspace's files (none), not its path."""
    from PySide6.QtWidgets import QMessageBox

    from ui import file_dialogs
    from ui.review.contacts_widget import ContactsWidget

    target = tmp_path / "contacts.csv"
    monkeypatch.setattr(file_dialogs, "ask_save_file_name", lambda *a, **k: (str(target), ""))
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    hub = ScreenHub()
    session = WorkspaceSession(open_workspace(team_demo_url))
    hub.set_session(session, "UTC")
    hub.set_incident(billing_id(session.workspace))
    widget = ContactsWidget(hub)
    qtbot.addWidget(widget)
    try:
        widget._on_export_clicked()
        assert target.read_text(encoding="utf-8-sig").splitlines()[0].startswith("name,organization")
    finally:
        session.close()


def test_who_edited_lists_each_edit_with_its_user_newest_first(qtbot, review, teammate):
    from ui.review.edits_widget import EditTableModel

    field = review.answers.blocks["wording"].answer
    field.setPlainText("Ben's note")
    field.commit()
    SetReviewAnswer(billing_id(teammate), "wording", "Ana's note", based_on="Ben's note").do(teammate)
    model = review.edits.model
    qtbot.waitUntil(lambda: model.rowCount() == 2, timeout=1000)
    assert review.tabs.isTabVisible(review.TAB_EDITS)
    rows = [(model.index(r, EditTableModel.COL_USER).data(), model.index(r, EditTableModel.COL_WHAT).data())
            for r in range(2)]
    assert rows == [("Ana", "Edit Answer: support wording"),
                    (review.hub.workspace.user, "Edit Answer: support wording")]
    from PySide6.QtCore import Qt
    # the times' zone is said, as the timeline says it (the hub's zone, here UTC)
    assert model.headerData(EditTableModel.COL_AT, Qt.Orientation.Horizontal) == "When (UTC)"


def test_a_file_has_no_who_edited_tab(qtbot, demo_copy):
    for screen in review_screen(qtbot, demo_copy):
        assert not screen.tabs.isTabVisible(screen.TAB_EDITS)


LONG_ANSWER = ("Customers could not pay their renewals for forty minutes, and many did not know whether a payment "
               "had gone through; several paid twice with a second card, one company postponed payroll, and a "
               "number of businesses switched to emailed PDF invoices and hand-kept spreadsheets for the day. ")


def test_the_conflict_bar_shows_where_a_long_text_differs_and_compare_shows_both_whole(qtbot, review, teammate):
    """A teammate's change at the end of a long answer: the bar's excerpt is around that change, not the first
    160 characters both versions share, and Compare… shows both whole with Keep mine there saving mine."""
    field = review.answers.blocks["workaround"].answer
    stored = _stored_answer(teammate, "workaround")
    SetReviewAnswer(billing_id(teammate), "workaround", LONG_ANSWER, based_on=stored).do(teammate)
    qtbot.waitUntil(lambda: field.toPlainText() == LONG_ANSWER, timeout=1000)
    field.setPlainText(LONG_ANSWER + "Refunds were slow.")
    SetReviewAnswer(billing_id(teammate), "workaround", LONG_ANSWER + "Refunds took nine days.",
                    based_on=LONG_ANSWER).do(teammate)
    qtbot.waitUntil(lambda: field.conflict_bar.isVisibleTo(review), timeout=1000)
    said = field.conflict_bar.message.text()
    assert "nine days" in said and "were slow" in said and "Changed by Ana" in said
    dialog = field.compare_versions()
    assert dialog is not None and dialog.isVisible()
    assert dialog.mine_view.toPlainText() == LONG_ANSWER + "Refunds were slow."
    assert dialog.theirs_view.toPlainText() == LONG_ANSWER + "Refunds took nine days."
    assert dialog.theirs_view.textCursor().position() == len(LONG_ANSWER + "Refunds ")  # the first difference
    dialog.keep_button.click()
    assert _stored_answer(teammate, "workaround") == LONG_ANSWER + "Refunds were slow."
    assert not field.conflict_bar.isVisibleTo(review)


def test_take_theirs_in_compare_shows_their_whole_text(qtbot, review, teammate):
    field = review.answers.blocks["workaround"].answer
    field.setPlainText("Mine")
    SetReviewAnswer(billing_id(teammate), "workaround", LONG_ANSWER,
                    based_on=_stored_answer(teammate, "workaround")).do(teammate)
    qtbot.waitUntil(lambda: field.conflict_bar.isVisibleTo(review), timeout=1000)
    dialog = field.compare_versions()
    assert dialog is not None
    dialog.take_button.click()
    assert field.toPlainText() == LONG_ANSWER and not field.in_conflict


@pytest.mark.parametrize("tab, key", [("questions", "contact"), ("record", "trust_signals")])
def test_the_conflict_bar_scrolls_into_view_on_a_small_screen(qtbot, review, teammate, tab, key):
    """At 1280x720 the bar under the last fields opened below the fold, and nothing showed a decision waited."""
    from PySide6.QtCore import QPoint

    review.resize(1280, 520)
    if tab == "record":
        review.tabs.setCurrentIndex(review.TAB_RECORD)
        field, area = review.record.fields[key], review.tabs.currentWidget()
    else:
        field, area = review.answers.blocks[key].answer, review.answers
    area.verticalScrollBar().setValue(0)  # reading the top of the tab, the field's words typed and unsaved
    field.setPlainText("Mine")
    if tab == "record":
        EditCloseoutFields(billing_id(teammate), trust_signals="Theirs").do(teammate)
    else:
        SetReviewAnswer(billing_id(teammate), key, "Theirs", based_on=_stored_answer(teammate, key)).do(teammate)
    qtbot.waitUntil(lambda: field.conflict_bar.isVisibleTo(review), timeout=1000)
    bar = field.conflict_bar

    def bar_in_view() -> bool:
        top = bar.mapTo(area.viewport(), QPoint(0, 0)).y()
        return top >= 0 and top + bar.height() <= area.viewport().height()

    qtbot.waitUntil(bar_in_view, timeout=1000)
