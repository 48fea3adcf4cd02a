"""A choice being made on the Review screen (the customer message's Sent / Not sending and its reason, a customer
severity level) stays when a teammate's change re-reads the screen: an unrelated change leaves it alone, and a
teammate's decision of the same thing under it is said beside it ("Changed by Ana", Keep mine / Take theirs), never
silently dropped on either side. With nothing chosen, the stored decision shows as before."""
from __future__ import annotations

import pytest

from postmortem_desktop.services.customer_message import DecideCustomerMessage
from postmortem_desktop.services.customer_severity import DecideSeverity, SeverityService
from postmortem_desktop.services.incidents import IncidentService
from postmortem_desktop.services.review_answers import ReviewService, SetReviewAnswer
from tests.helpers import billing_id
from tests.ui.team_screens import review_screen

REASON = "we phoned every account"


@pytest.fixture
def review(qtbot, team_demo_url, teammate):
    yield from review_screen(qtbot, team_demo_url)


def _teammate_answers_another_question(qtbot, review, teammate, text="Ana: an unrelated answer") -> None:
    """Ana saves an answer on another tab; returns once this screen has re-read it."""
    SetReviewAnswer(billing_id(teammate), "wording", text, based_on=None).do(teammate)
    field = review.answers.blocks["wording"].answer
    qtbot.waitUntil(lambda: field.toPlainText() == text, timeout=3000)


def _choose_not_sending(qtbot, message) -> None:
    message.not_sending.click()
    message.reason.setFocus()
    qtbot.keyClicks(message.reason, REASON)


def _stored_decision(teammate) -> tuple[str, str]:
    fields = ReviewService(teammate).closeout_fields(billing_id(teammate))
    return fields.customer_message_decision, fields.customer_message_reason


# ---- the customer message decision --------------------------------------------------------------------------
@pytest.mark.parametrize("focus_moved", [False, True], ids=["typing the reason", "looking at the draft"])
def test_a_decision_being_chosen_stays_over_a_teammates_unrelated_change(qtbot, review, teammate, focus_moved):
    message = review.message
    _choose_not_sending(qtbot, message)
    if focus_moved:
        message.editor.setFocus()  # Ben reads the draft again before Record decision
    _teammate_answers_another_question(qtbot, review, teammate)
    assert message.not_sending.isChecked() and not message.sent.isChecked()
    assert message.reason.text() == REASON
    assert message.choice_bar.isHidden()  # nothing to decide: Ana decided nothing

    message.record_button.click()  # recorded as chosen, from the decision Ben saw
    assert _stored_decision(teammate) == ("not_sending", REASON)
    assert not message.choice.changed and message.choice_bar.isHidden()
    assert "<b>not sending</b>" in message.decision.text()


def test_a_teammates_decision_under_the_choice_is_said_and_keep_mine_records_mine(qtbot, review, teammate):
    message = review.message
    _choose_not_sending(qtbot, message)
    DecideCustomerMessage(billing_id(teammate), "sent", shown=_stored_decision(teammate)).do(teammate)
    qtbot.waitUntil(lambda: not message.choice_bar.isHidden(), timeout=3000)
    said = message.choice_bar.message.text()
    assert "Changed by Ana" in said and "“sent”" in said and REASON in said
    assert message.not_sending.isChecked() and message.reason.text() == REASON  # Ben's choice, not replaced
    assert "<b>sent</b>" in message.decision.text()  # what is recorded now reads above it

    message.choice_bar.keep_button.click()  # recorded over Ana's, knowingly
    assert _stored_decision(teammate) == ("not_sending", REASON)
    assert message.choice_bar.isHidden() and not message.choice.changed


def test_take_theirs_drops_the_choice_and_record_decision_asks_before_overwriting(qtbot, review, teammate,
                                                                                answer_with):
    message = review.message
    _choose_not_sending(qtbot, message)
    DecideCustomerMessage(billing_id(teammate), "sent", shown=_stored_decision(teammate)).do(teammate)
    qtbot.waitUntil(lambda: not message.choice_bar.isHidden(), timeout=3000)

    asked = answer_with("later_button")  # Record decision is made from what Ben saw: Ana's since is asked about
    message.record_button.click()
    assert len(asked) == 1 and "Ana" in asked[0].windowTitle()
    assert _stored_decision(teammate) == ("sent", "")
    assert message.not_sending.isChecked() and message.reason.text() == REASON  # Decide later keeps it

    message.choice_bar.take_button.click()
    assert message.sent.isChecked() and not message.not_sending.isChecked() and message.reason.text() == ""
    assert message.choice_bar.isHidden()


def test_with_nothing_chosen_a_teammates_decision_shows(qtbot, review, teammate):
    message = review.message
    message.reason.setFocus()  # focus alone is no choice
    DecideCustomerMessage(billing_id(teammate), "not_sending", "Ana: all were called",
                          shown=_stored_decision(teammate)).do(teammate)
    qtbot.waitUntil(lambda: message.not_sending.isChecked(), timeout=3000)
    assert message.reason.text() == "Ana: all were called" and message.choice_bar.isHidden()


def test_another_incident_shows_its_own_decision_not_the_one_being_chosen(qtbot, review, teammate):
    message = review.message
    _choose_not_sending(qtbot, message)
    two_factor = next(s.id for s in IncidentService(teammate).list_incidents() if s.id != billing_id(teammate))
    review.hub.set_incident(two_factor)  # its stored decision: sent
    assert message.sent.isChecked() and not message.not_sending.isChecked() and message.reason.text() == ""
    assert not message.choice.changed


# ---- the customer severity -----------------------------------------------------------------------------------
def _other_level(widget) -> str:
    suggested = widget._state.suggestion.suggested
    return next(widget.level.itemText(i) for i in range(widget.level.count()) if widget.level.itemText(i) != suggested)


def test_a_level_being_chosen_stays_over_a_teammates_unrelated_change(qtbot, review, teammate):
    widget = review.severity
    other = _other_level(widget)
    widget.level.setCurrentText(other)
    widget.reason.setFocus()
    qtbot.keyClicks(widget.reason, "finance customers lost a day")
    _teammate_answers_another_question(qtbot, review, teammate)
    assert widget.level.currentText() == other
    assert widget.reason.text() == "finance customers lost a day"
    assert widget.override_button.text() == f"Override with {other}" and widget.override_button.isEnabled()
    assert widget.choice_bar.isHidden()

    widget.override_button.click()
    stored = SeverityService(teammate).severity(billing_id(teammate))
    assert (stored.confirmed, stored.reason) == (other, "finance customers lost a day")
    assert widget.level.currentText() == other and widget.reason.text() == "" and not widget.choice.changed


def test_a_teammates_severity_decision_under_the_chosen_level_is_said_and_kept_apart(qtbot, review, teammate):
    widget = review.severity
    iid = billing_id(teammate)
    other = _other_level(widget)
    widget.level.setCurrentText(other)
    widget.reason.setText("refunds took a week")
    state = SeverityService(teammate).severity(iid)
    DecideSeverity(iid, state.suggestion, state.suggestion.suggested, "Ana: agencies' renewals",
                   shown=state).do(teammate)
    qtbot.waitUntil(lambda: not widget.choice_bar.isHidden(), timeout=3000)
    said = widget.choice_bar.message.text()
    assert "Changed by Ana" in said and "Ana: agencies' renewals" in said and other in said
    assert widget.level.currentText() == other and widget.reason.text() == "refunds took a week"
    assert "Decided by Ana:" in widget.decision.text()

    widget.choice_bar.keep_button.click()  # Ben's override, recorded over Ana's confirmation, knowingly
    stored = SeverityService(teammate).severity(iid)
    assert (stored.confirmed, stored.reason) == (other, "refunds took a week")
    assert widget.choice_bar.isHidden() and widget.reason.text() == ""


def test_take_theirs_shows_the_teammates_level(qtbot, review, teammate):
    widget = review.severity
    iid = billing_id(teammate)
    widget.level.setCurrentText(_other_level(widget))
    state = SeverityService(teammate).severity(iid)
    DecideSeverity(iid, state.suggestion, state.suggestion.suggested, "Ana: as suggested", shown=state).do(teammate)
    qtbot.waitUntil(lambda: not widget.choice_bar.isHidden(), timeout=3000)
    widget.choice_bar.take_button.click()
    assert widget.level.currentText() == state.suggestion.suggested and widget.choice_bar.isHidden()
    assert not widget.choice.changed


def test_with_nothing_chosen_a_teammates_override_shows_in_the_level(qtbot, review, teammate):
    widget = review.severity
    iid = billing_id(teammate)
    other = _other_level(widget)
    state = SeverityService(teammate).severity(iid)
    DecideSeverity(iid, state.suggestion, other, "Ana: worse than it looks", shown=state).do(teammate)
    qtbot.waitUntil(lambda: widget.level.currentText() == other, timeout=3000)
    assert widget.choice_bar.isHidden() and widget.reason.text() == ""
