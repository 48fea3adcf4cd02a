"""The Review screen's "Decisions recorded" says who made each decision on a team workspace (a teammate's arrives
through the change feed), and the decision that stands says who decided it; a file's name no one."""
from __future__ import annotations

from html import escape

import pytest

from postmortem_desktop.services.customer_severity import DecideSeverity, SeverityService
from postmortem_desktop.services.review_answers import ReviewService
from tests.helpers import billing_id
from tests.ui.team_screens import review_screen


@pytest.fixture
def review(qtbot, team_demo_url):
    yield from review_screen(qtbot, team_demo_url)


def test_a_teammates_decision_shows_with_her_name_and_mine_with_mine(qtbot, review, teammate):
    widget = review.severity
    iid = billing_id(teammate)
    state = SeverityService(teammate).severity(iid)
    DecideSeverity(iid, state.suggestion, state.suggestion.suggested, "agencies' renewals", shown=state).do(teammate)
    qtbot.waitUntil(lambda: "Decided by Ana:" in widget.decision.text(), timeout=3000)  # heard through the feed
    assert widget.history.text().count("UTC — Ana: ") == 1

    other = "SEV2" if state.suggestion.suggested != "SEV2" else "SEV3"
    widget.level.setCurrentText(other)
    widget.reason.setText("refunds took a week")
    widget.override_button.click()
    me = review.hub.workspace.user
    assert me and me != "Ana"
    assert f"Decided by {me}: customer <b>{other}</b>" in widget.decision.text()
    lines = widget.history.text().split("<br>")
    assert "UTC — Ana: " in lines[-2] and f"UTC — {me}: customer {other}" in lines[-1]


def test_a_files_decisions_show_no_name(qtbot, demo_copy):
    for screen in review_screen(qtbot, demo_copy):
        widget = screen.severity
        widget.confirm_button.click()
        assert widget.decision.text().startswith("Decided: customer <b>")
        decided = ReviewService(screen.hub.workspace).history(screen.hub.incident_id)[-1]
        assert decided.by == "" and widget.history.text().endswith(f"UTC — {escape(decided.detail)}")
