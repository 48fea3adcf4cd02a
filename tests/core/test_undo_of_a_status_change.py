"""Undo and redo of a status change (close, reopen, the follow-up outcome) keep closing enforced: refused
(ChangedSince) when a teammate changed the incident's status since, and an undo or redo that would put the incident
back into a closed status re-checks the close-out checklist and is refused with its message when the record is no
longer complete. Ana works in the `demo` handle, Ben in his own (`ben`: a second client on a team workspace, the one
handle on a file). Both engines."""
from __future__ import annotations

import pytest

from postmortem_desktop.domain.errors import ChangedSince, RuleError
from postmortem_desktop.services.closeout import CloseIncident, CloseoutService, ReopenIncident
from postmortem_desktop.services.followup import RecordFollowUpOutcome
from postmortem_desktop.services.review_answers import EditCloseoutFields
from tests.core.test_closeout_service import complete_the_demo
from tests.helpers import billing_id


@pytest.fixture
def closed(demo) -> int:
    """The demo's billing incident with a complete record, closed by Ana."""
    iid = billing_id(demo)
    complete_the_demo(demo, iid)
    CloseIncident(iid).do(demo)
    return iid


def status(ws, iid: int) -> str:
    return CloseoutService(ws).checklist(iid).status


def test_an_outcome_is_not_undone_after_a_teammate_reopened_and_emptied_the_record(demo, ben, closed):
    outcome = RecordFollowUpOutcome(closed, "Tickets back to normal")
    outcome.do(demo)
    ReopenIncident(closed, "damage understated").do(ben)
    EditCloseoutFields(closed, trust_signals="").do(ben)
    with pytest.raises(ChangedSince, match="cannot be undone"):
        outcome.undo(demo)
    assert status(demo, closed) == "in_review"  # not closed again over an incomplete record


def test_an_outcome_undone_is_not_redone_after_a_teammate_reopened(demo, ben, closed):
    outcome = RecordFollowUpOutcome(closed, "Tickets back to normal")
    outcome.do(demo)
    outcome.undo(demo)
    ReopenIncident(closed, "damage understated").do(ben)
    with pytest.raises(ChangedSince, match="cannot be redone"):
        outcome.do(demo)
    assert status(demo, closed) == "in_review"


def test_a_close_is_not_undone_after_a_teammate_reopened(demo, ben, closed):
    close = CloseIncident(closed)
    ReopenIncident(closed).do(demo)
    close.do(demo)
    ReopenIncident(closed, "damage understated").do(ben)
    with pytest.raises(ChangedSince, match="cannot be undone"):
        close.undo(demo)
    assert status(demo, closed) == "in_review"


def test_a_reopen_is_not_undone_over_an_incomplete_record(demo, ben, closed):
    reopen = ReopenIncident(closed, "damage understated")
    reopen.do(demo)
    EditCloseoutFields(closed, trust_signals="").do(ben)
    with pytest.raises(RuleError, match="cannot be closed yet") as refused:
        reopen.undo(demo)
    assert "Trust signals" in str(refused.value)
    assert status(demo, closed) == "in_review"
    assert not CloseoutService(demo).checklist(closed).can_close


def test_a_reopen_undone_is_not_redone_after_a_teammate_reopened(demo, ben, closed):
    reopen = ReopenIncident(closed, "mine")
    reopen.do(demo)
    reopen.undo(demo)
    assert status(demo, closed) == "closed"  # the record is complete: closed again
    ReopenIncident(closed, "Ben's").do(ben)
    with pytest.raises(ChangedSince, match="cannot be redone"):
        reopen.do(demo)
    assert status(demo, closed) == "in_review"
