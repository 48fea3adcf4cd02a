"""The customer severity and message decisions and the contact list on a team workspace: a teammate's change
the review screen has not shown yet is never overwritten; the person sees both and keeps theirs or takes the teammate's.

The change feed is stopped, so the teammate's change reaches the screen only through the refusal."""
from __future__ import annotations

import pytest

from postmortem_desktop.services.customer_severity import DecideSeverity, SeverityService
from tests.helpers import billing_id
from tests.ui.team_screens import review_screen


@pytest.fixture
def review(qtbot, team_demo_url):
    for screen in review_screen(qtbot, team_demo_url):
        screen.hub.session._teammates.stop()  # only the decision's based_on can catch the race
        yield screen


def _teammate_decides(teammate) -> str:
    iid = billing_id(teammate)
    state = SeverityService(teammate).severity(iid)
    other = next(level for level in ("SEV1", "SEV2", "SEV3", "SEV4") if level != state.suggestion.suggested)
    DecideSeverity(iid, state.suggestion, other, "Ana: every agency's renewal failed", shown=state).do(teammate)
    return other


@pytest.mark.parametrize("button", ["keep_button", "take_button"])
def test_confirming_after_a_teammate_decided_shows_both_decisions(qtbot, review, teammate, answer_with, button):
    shown = answer_with(button)
    widget = review.severity
    suggested = widget._state.suggestion.suggested
    theirs = _teammate_decides(teammate)
    widget.confirm_button.click()
    text = shown[0].informativeText()
    assert f"Theirs: {theirs} — Ana: every agency's renewal failed" in text and f"Yours: {suggested}" in text
    stored = SeverityService(teammate).severity(billing_id(teammate)).confirmed
    assert stored == (suggested if button == "keep_button" else theirs)
    assert f"<b>{stored}</b>" in widget.decision.text()  # the widget shows what is stored


@pytest.mark.parametrize("button", ["keep_button", "take_button"])
def test_a_contact_reason_a_teammate_changed_shows_both(qtbot, review, teammate, answer_with, button):
    from postmortem_desktop.services.contacts import ContactService, EditContact, FlagContacts

    shown = answer_with(button)
    iid = billing_id(teammate)
    customer = ContactService(teammate).contact_suggestions(iid)[0].customer_id
    FlagContacts(iid, [(customer, "charged twice")]).do(teammate)
    review.refresh()  # the contact list shows the flagged customer, reason "charged twice"
    EditContact(iid, customer, reason="Ana: asked for a call back").do(teammate)
    review.contacts._on_model_contact_edited(customer, {"reason": "refund promised by email"})
    assert "Yours: reason: refund promised by email" in shown[0].informativeText()
    assert "Theirs: reason: Ana: asked for a call back" in shown[0].informativeText()
    stored = next(c.reason for c in ContactService(teammate).contacts(iid) if c.customer_id == customer)
    assert stored == ("refund promised by email" if button == "keep_button" else "Ana: asked for a call back")
    assert next(r.reason for r in review.contacts.model.rows if r.customer_id == customer) == stored


@pytest.mark.parametrize("button", ["keep_button", "take_button"])
def test_a_message_decision_a_teammate_made_first_shows_both(qtbot, review, teammate, answer_with, button):
    from postmortem_desktop.services.customer_message import DecideCustomerMessage
    from postmortem_desktop.services.review_answers import ReviewService

    shown = answer_with(button)
    iid = billing_id(teammate)
    DecideCustomerMessage(iid, "not_sending", "Ana: legal is still reviewing it").do(teammate)
    review.message.sent.setChecked(True)
    review.message.record_button.click()
    assert "Yours: sent" in shown[0].informativeText()
    assert "Theirs: not sending, because Ana: legal is still reviewing it" in shown[0].informativeText()
    stored = ReviewService(teammate).closeout_fields(iid).customer_message_decision
    assert stored == ("sent" if button == "keep_button" else "not_sending")
    assert ("sent" if stored == "sent" else "not sending") in review.message.decision.text()


def test_a_generated_draft_does_not_replace_a_teammates_newer_message(qtbot, review, teammate, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from postmortem_desktop.services.review_answers import EditCloseoutFields, ReviewService

    iid = billing_id(teammate)
    EditCloseoutFields(iid, customer_message="Ana's message, written by hand").do(teammate)
    monkeypatch.setattr(QMessageBox, "question", lambda *_a, **_k: QMessageBox.StandardButton.Yes)
    review.message.draft_button.click()
    assert ReviewService(teammate).closeout_fields(iid).customer_message == "Ana's message, written by hand"
    editor = review.message.editor
    assert editor.in_conflict and "Ana's message, written by hand" in editor.conflict_bar.message.text()
