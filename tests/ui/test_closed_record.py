"""A closed incident reads as closed everywhere: no "ready to close", no edits, one Reopen path."""
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog

from postmortem_desktop.services.incidents import IncidentService
from postmortem_desktop.storage.workspace import open_workspace
from ui.hub import ScreenHub
from ui.undo import WorkspaceSession


@pytest.fixture
def hub(qtbot, demo_copy):
    hub = ScreenHub()
    session = WorkspaceSession(open_workspace(demo_copy))
    hub.set_session(session, "UTC")
    closed = next(s.id for s in IncidentService(session.workspace).list_incidents() if s.status == "closed")
    hub.set_incident(closed)
    yield hub
    session.close()


@pytest.fixture
def screens(qtbot, hub):
    from ui.actions.actions_screen import ActionsScreen
    from ui.followup.followup_screen import FollowUpScreen
    from ui.incidents.properties_screen import PropertiesScreen
    from ui.review.review_screen import ReviewScreen

    made = {"review": ReviewScreen(hub), "actions": ActionsScreen(hub), "properties": PropertiesScreen(hub),
            "followup": FollowUpScreen(hub)}
    for widget in made.values():
        qtbot.addWidget(widget)
        widget.show()
        widget.refresh()
    return made


def editable_record_controls(review):
    record = review.record
    return ([not field.isReadOnly() for field in record.fields.values()]
            + [not block.answer.isReadOnly() for block in review.answers.blocks.values()]
            + [record.none_seen.isEnabled(), review.message.draft_button.isEnabled(),
               review.message.sent.isEnabled(), review.contacts.reviewed.isEnabled(),
               review.severity.confirm_button.isEnabled()])


def assert_choice_held(qtbot, combo):
    """The combo box reads in the theme's text colour (enabled), and neither keys nor clicks change its choice."""
    shown = combo.currentText()
    for key in (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_End, Qt.Key.Key_Space):
        qtbot.keyClick(combo, key)
    qtbot.mouseClick(combo, Qt.MouseButton.LeftButton)
    assert combo.isEnabled() and combo.currentText() == shown and not combo.view().isVisible()


def test_a_closed_incident_never_says_ready_to_close_and_its_record_takes_no_edits(qtbot, hub, screens):
    review = screens["review"]
    assert review.closed_banner.isVisibleTo(review)
    assert "ready to close" not in review.checklist.summary.text()
    assert "closed" in review.checklist.summary.text()
    assert not any(button.isVisibleTo(review.checklist) for *_, button in review.checklist.rows.values())
    assert "cannot close until" not in review.record.intro.text()
    assert not any(editable_record_controls(review))
    assert review.record.fields["customer_damage"].toPlainText()  # still readable
    actions = screens["actions"]
    assert actions.closed_banner.isVisibleTo(actions) and not actions.add_button.isEnabled()
    form = screens["properties"].form
    # no edits, and nothing greyed out: read-only editors, so the words stay readable and can be copied
    assert form.title.isReadOnly() and form.service.isReadOnly()
    assert_choice_held(qtbot, form.severity)
    assert all(editor.edit.isReadOnly() and not editor.known.isEnabled() for editor in form.times.values())
    assert form.body.isEnabled() and form.title.isEnabled() and form.closed_note.isVisibleTo(form)
    assert "cannot close" not in screens["followup"].schedule_state.text()


def test_reopen_from_the_banner_makes_the_record_editable_again_and_undo_closes_it(qtbot, hub, screens,
                                                                                   monkeypatch):
    review = screens["review"]
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("A customer reported a late refund", True))
    with qtbot.waitSignal(hub.workspace_changed):
        review.closed_banner.reopen_button.click()
    review.refresh()
    screens["actions"].refresh()
    assert IncidentService(hub.workspace).get(hub.incident_id).status == "in_review"
    assert not review.closed_banner.isVisibleTo(review)
    assert all(editable_record_controls(review))
    assert screens["actions"].add_button.isEnabled()
    screens["properties"].refresh()
    form = screens["properties"].form
    assert not form.title.isReadOnly() and form.times["technical_start"].known.isEnabled()
    choice = form.severity.currentText()
    with qtbot.waitSignal(hub.workspace_changed):
        qtbot.keyClick(form.severity, Qt.Key.Key_Down)  # takes a choice again
    assert form.severity.currentText() != choice
    hub.session.undo_stack.undo()  # that choice; the next undo is the reopen's
    hub.session.undo_stack.undo()
    review.refresh()
    assert not any(editable_record_controls(review))


def test_closed_without_a_severity_decision_says_so_and_offers_nothing_it_cannot_do(qtbot, demo_copy):
    """Customer severity is not on the close-out list, so a closed record may lack it: the tab says plainly
    that none was recorded instead of asking to confirm with buttons that cannot be pressed."""
    import sqlite3

    from ui.review.review_screen import ReviewScreen

    with sqlite3.connect(demo_copy) as db:
        db.execute("UPDATE incidents SET customer_severity = '', customer_severity_reason = '' WHERE status = 'closed'")
    hub = ScreenHub()
    session = WorkspaceSession(open_workspace(demo_copy))
    hub.set_session(session, "UTC")
    hub.set_incident(next(s.id for s in IncidentService(session.workspace).list_incidents() if s.status == "closed"))
    review = ReviewScreen(hub)
    qtbot.addWidget(review)
    review.show()
    review.refresh()
    severity = review.severity
    assert "No customer severity was decided" in severity.decision.text()
    assert "confirm" not in severity.decision.text().lower()
    assert not any(w.isVisibleTo(severity) for w in (severity.level, severity.reason, severity.confirm_button,
                                                      severity.override_button))
    session.close()
