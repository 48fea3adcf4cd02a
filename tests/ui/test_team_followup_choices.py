"""The Follow-up screen keeps what the person is doing when a teammate's change re-reads it: the dates being chosen
(not scheduled yet) and the outcome being typed (not recorded yet) stay over an unrelated change; a teammate's
schedule or outcome stored under them is said beside them ("Changed by Ana", Keep mine / Take theirs); with nothing
chosen or typed, the stored ones show as before."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from postmortem_desktop.analysis.quiet_accounts import ActivityRow
from postmortem_desktop.services.actions import AddActionItem
from postmortem_desktop.services.closeout import FollowUpSchedule, ScheduleFollowUp
from postmortem_desktop.services.followup import FollowUpService, ImportActivity, RecordFollowUpOutcome
from postmortem_desktop.services.incidents import IncidentService
from tests.helpers import billing_id
from tests.ui.team_screens import screen_of

TYPED = "Two accounts still double-paying; chase the refund item"
ANAS_CHECK, ANAS_REVIEW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC), date(2026, 11, 25)


def _followup_screen(qtbot, url, incident_of):
    """Yields the Follow-up screen of url's incident_of(workspace), once the change feed listens."""
    from ui.followup.followup_screen import FollowUpScreen

    yield from screen_of(qtbot, url, FollowUpScreen, incident_of, size=(1200, 900))


@pytest.fixture
def followup(qtbot, team_demo_url, teammate):
    """The billing incident's: in review, nothing scheduled."""
    yield from _followup_screen(qtbot, team_demo_url, billing_id)


@pytest.fixture
def closed_followup(qtbot, team_demo_url, teammate):
    """The two-factor incident's: closed, its check scheduled, no outcome recorded."""
    yield from _followup_screen(qtbot, team_demo_url, _two_factor)


def _two_factor(workspace) -> int:
    return next(s.id for s in IncidentService(workspace).list_incidents() if s.title.startswith("Two-factor"))


def _teammate_adds_an_action_item(qtbot, screen, teammate) -> None:
    """Ana adds an action item (nothing to do with the schedule or the outcome); returns once the screen re-read."""
    before = screen.actions.rowCount()
    AddActionItem(billing_id(teammate), area="support", description="Ana: reword the refund macro").do(teammate)
    qtbot.waitUntil(lambda: screen.actions.rowCount() == before + 1, timeout=3000)


def _stored_schedule(teammate, iid: int) -> FollowUpSchedule:
    view = FollowUpService(teammate).view(iid)
    return FollowUpSchedule(view.scheduled_at, view.review_held_on)


def _choose_dates(screen):
    review = screen.review_date.date().addDays(-3)
    screen.review_date.setDate(review)
    screen.check_at.setFocus()
    check = screen.check_at.dateTime().addDays(2)
    screen.check_at.setDateTime(check)
    return review, check


# ---- the schedule's dates ------------------------------------------------------------------------------------
def test_dates_being_chosen_stay_over_a_teammates_unrelated_change_and_are_the_ones_scheduled(qtbot, followup,
                                                                                          teammate):
    review, check = _choose_dates(followup)
    _teammate_adds_an_action_item(qtbot, followup, teammate)
    assert followup.review_date.date() == review and followup.check_at.dateTime() == check
    assert followup.dates_bar.isHidden()

    followup.schedule_button.click()
    stored = _stored_schedule(teammate, billing_id(teammate))
    assert stored.review_held_on == date(review.year(), review.month(), review.day())
    assert stored.scheduled_at == datetime.fromtimestamp(check.toSecsSinceEpoch(), tz=UTC)
    assert not followup.dates.changed and followup.dates_bar.isHidden()


def test_a_teammates_schedule_under_the_dates_being_chosen_is_said_and_take_theirs_shows_it(qtbot, followup,
                                                                                         teammate):
    iid = billing_id(teammate)
    review, check = _choose_dates(followup)
    ScheduleFollowUp(iid, ANAS_CHECK, ANAS_REVIEW, based_on=_stored_schedule(teammate, iid)).do(teammate)
    qtbot.waitUntil(lambda: not followup.dates_bar.isHidden(), timeout=3000)
    said = followup.dates_bar.message.text()
    assert "Changed by Ana" in said and "2026-11-25" in said and "2026-12-01 10:00" in said
    assert followup.review_date.date() == review and followup.check_at.dateTime() == check  # Ben's, kept
    assert "Scheduled for Tuesday 01 December, 10:00" in followup.schedule_state.text()  # what is stored now

    followup.dates_bar.take_button.click()
    assert followup.review_date.date().toPython() == ANAS_REVIEW
    assert followup.check_at.dateTime().toSecsSinceEpoch() == int(ANAS_CHECK.timestamp())
    assert followup.dates_bar.isHidden() and not followup.dates.changed


def test_schedule_over_a_teammates_schedule_asks_first_and_keep_mine_saves_the_dates_chosen(qtbot, followup,
                                                                                        teammate, answer_with):
    iid = billing_id(teammate)
    review, _check = _choose_dates(followup)
    ScheduleFollowUp(iid, ANAS_CHECK, ANAS_REVIEW, based_on=_stored_schedule(teammate, iid)).do(teammate)
    qtbot.waitUntil(lambda: not followup.dates_bar.isHidden(), timeout=3000)
    asked = answer_with("keep_button")
    followup.schedule_button.click()  # made from the schedule Ben saw: Ana's since is offered beside his
    assert len(asked) == 1 and "Ana" in asked[0].windowTitle()
    assert _stored_schedule(teammate, iid).review_held_on == review.toPython()
    assert followup.dates_bar.isHidden() and not followup.dates.changed


def test_with_no_dates_chosen_a_teammates_schedule_shows(qtbot, followup, teammate):
    iid = billing_id(teammate)
    ScheduleFollowUp(iid, ANAS_CHECK, ANAS_REVIEW, based_on=_stored_schedule(teammate, iid)).do(teammate)
    qtbot.waitUntil(lambda: followup.review_date.date().toPython() == ANAS_REVIEW, timeout=3000)
    assert followup.check_at.dateTime().toSecsSinceEpoch() == int(ANAS_CHECK.timestamp())
    assert followup.dates_bar.isHidden()


# ---- the outcome ---------------------------------------------------------------------------------------------
def test_an_outcome_being_typed_stays_over_a_teammates_unrelated_change_after_the_focus_moved(qtbot, closed_followup,
                                                                                            teammate):
    followup = closed_followup
    followup.outcome.setFocus()
    qtbot.keyClicks(followup.outcome, TYPED)
    followup.check_at.setFocus()  # Ben looks at the schedule before recording
    # Ana imports the accounts' activity for the check (the outcome's neighbour, not the outcome)
    ImportActivity(_two_factor(teammate), [ActivityRow("acme", date(2026, 11, 25), 5)], "ana.csv").do(teammate)
    qtbot.waitUntil(lambda: "1 activity rows imported" in followup.rule.text(), timeout=3000)
    assert followup.outcome.toPlainText() == TYPED
    assert followup.outcome.conflict_bar.isHidden()
    assert FollowUpService(teammate).view(_two_factor(teammate)).outcome == ""  # leaving the box recorded nothing
    (words,) = followup.unsaved_words()  # asked about before the window lets go of them
    assert words.text == TYPED and "not recorded" in words.why and not words.retryable
    assert words.go_to == ("followup", "outcome")


def test_a_teammates_outcome_recorded_under_the_words_being_typed_is_said_beside_them(qtbot, closed_followup,
                                                                                     teammate):
    screen = closed_followup
    iid = _two_factor(teammate)
    screen.outcome.setFocus()
    qtbot.keyClicks(screen.outcome, TYPED)
    RecordFollowUpOutcome(iid, "Ana: nobody wrote in again").do(teammate)
    qtbot.waitUntil(lambda: screen.outcome.in_conflict, timeout=3000)
    assert screen.outcome.toPlainText() == TYPED  # Ben's words, not replaced
    bar = screen.outcome.conflict_bar
    assert not bar.isHidden() and "Changed by Ana" in bar.message.text() and "Ana: nobody" in bar.message.text()
    # her outcome is recorded and the incident followed up: Record outcome cannot replace it, so no Keep mine (it
    # was offered, and always failed with "Close the incident before recording the follow-up outcome")
    assert bar.keep_button.isHidden() and not bar.take_button.isHidden()
    assert "not replaced from here" in bar.message.text()
    (words,) = screen.unsaved_words()
    assert "Ana" in words.why and not words.retryable

    bar.take_button.click()
    assert screen.outcome.toPlainText() == "Ana: nobody wrote in again" and not screen.outcome.holds_unsaved
    assert screen.unsaved_words() == []


def test_record_outcome_records_the_words_typed_and_nothing_is_left_unsaved(qtbot, closed_followup, teammate):
    screen = closed_followup
    screen.outcome.setFocus()
    qtbot.keyClicks(screen.outcome, TYPED + "  ")
    screen.outcome_button.click()
    assert FollowUpService(teammate).view(_two_factor(teammate)).outcome == TYPED
    assert screen.outcome.toPlainText() == TYPED and not screen.outcome.holds_unsaved
    assert screen.outcome.conflict_bar.isHidden() and screen.unsaved_words() == []


def test_with_nothing_typed_a_teammates_outcome_shows(qtbot, closed_followup, teammate):
    screen = closed_followup
    screen.outcome.setFocus()  # focus alone is no typing
    RecordFollowUpOutcome(_two_factor(teammate), "Ana: nobody wrote in again").do(teammate)
    qtbot.waitUntil(lambda: screen.outcome.toPlainText() == "Ana: nobody wrote in again", timeout=3000)
    assert screen.outcome.conflict_bar.isHidden() and screen.unsaved_words() == []


def test_switching_incident_with_an_outcome_typed_and_not_recorded_asks_first(qtbot, team_window, teammate, leaving):
    """Nothing records the outcome but its button (it marks the incident followed up), so leaving its words asks."""
    shown = leaving("cancel", "leave")
    window = team_window
    billing, two_factor = billing_id(teammate), _two_factor(teammate)
    window.select_incident(two_factor)
    screen = window.show_screen("followup")
    screen.outcome.setFocus()
    qtbot.keyClicks(screen.outcome, TYPED)
    window.select_incident(billing)
    assert len(shown) == 1 and "Follow-up outcome" in shown[0].informativeText()
    assert window.incident_id == two_factor and screen.outcome.toPlainText() == TYPED  # Cancel stays

    window.select_incident(billing)  # Switch Anyway: a copy is kept, and the billing incident's outcome shows
    assert len(shown) == 2 and window.incident_id == billing
    assert TYPED in shown[1].detailedText()
    assert screen.outcome.toPlainText() == "" and not screen.outcome.holds_unsaved


def test_no_outcome_is_typed_on_an_incident_still_in_review(qtbot, followup):
    """Found in a user's trial: words typed there could never be recorded (Record outcome needs it closed), and
    leaving then said "Record outcome saves it" of a button that was off."""
    assert followup.outcome.isReadOnly() and "once the incident is closed" in followup.outcome.placeholderText()
    followup.outcome.setFocus()
    qtbot.keyClicks(followup.outcome, TYPED)
    assert followup.outcome.toPlainText() == "" and followup.unsaved_words() == []


def test_the_outcome_is_typed_on_a_closed_incident(closed_followup):
    assert not closed_followup.outcome.isReadOnly()
