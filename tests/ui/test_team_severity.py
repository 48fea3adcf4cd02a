"""The customer severity decision on a team workspace: a teammate's decision the review screen has not shown
yet is never overwritten; the facilitator sees both and keeps theirs or takes the teammate's.

The change feed is stopped, so the teammate's decision reaches the screen only through the refusal."""
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
