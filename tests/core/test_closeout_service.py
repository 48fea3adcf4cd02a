"""Closing from the database: refused while items are missing, allowed when complete; reopen; undo."""
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from postmortem_desktop.services.actions import AddActionItem
from postmortem_desktop.services.closeout import CloseIncident, CloseoutService, ReopenIncident, ScheduleFollowUp
from postmortem_desktop.services.commands import RuleError
from postmortem_desktop.services.customer_message import DecideCustomerMessage
from postmortem_desktop.services.incidents import IncidentService
from postmortem_desktop.services.review_answers import EditCloseoutFields
from postmortem_desktop.storage.schema import IncidentHistory
from tests.helpers import billing_id

REVIEW_DAY = date(2026, 11, 20)


def complete_the_demo(ws, incident_id):
    EditCloseoutFields(incident_id, trust_signals="People asked for proof they were not charged twice").do(ws)
    AddActionItem(incident_id, area="support", description="Saved reply for payment outages",
                  owner="Priya Raman", due_date=date(2026, 11, 25)).do(ws)
    EditCloseoutFields(incident_id, contact_list_reviewed=True).do(ws)
    DecideCustomerMessage(incident_id, "sent").do(ws)
    ScheduleFollowUp(incident_id, datetime(2026, 11, 27, 15, tzinfo=timezone.utc), REVIEW_DAY).do(ws)


def history_kinds(ws, incident_id):
    with ws.reading() as s:
        return [h.kind for h in s.scalars(select(IncidentHistory).where(IncidentHistory.incident_id == incident_id)
                                          .order_by(IncidentHistory.id))]


def test_the_demo_checklist_shows_what_is_missing(demo):
    state = CloseoutService(demo).checklist(billing_id(demo))
    assert not state.can_close
    assert {i.key for i in state.missing} == {"trust_signals", "action_items", "contact_and_message", "follow_up"}
    assert "support" in next(i.missing for i in state.missing if i.key == "action_items")


def test_close_is_refused_listing_what_is_missing_and_nothing_changes(demo):
    iid = billing_id(demo)
    with pytest.raises(RuleError) as refused:
        CloseIncident(iid).do(demo)
    text = str(refused.value)
    assert "4 of 8" in text and "Trust signals" in text and "Follow-up" in text
    assert IncidentService(demo).get(iid).status == "in_review"
    assert "closed" not in history_kinds(demo, iid)


def test_close_is_refused_until_follow_up_is_scheduled_then_allowed(demo):
    iid = billing_id(demo)
    complete_the_demo(demo, iid)
    follow = CloseoutService(demo).follow_up(iid)
    ScheduleFollowUp(iid, follow.scheduled_at + timedelta(days=10), REVIEW_DAY).do(demo)  # 17 days: too late
    with pytest.raises(RuleError, match="Follow-up"):
        CloseIncident(iid).do(demo)
    ScheduleFollowUp(iid, datetime(2026, 11, 26, 15, tzinfo=timezone.utc), REVIEW_DAY).do(demo)
    close = CloseIncident(iid)
    close.do(demo)
    assert IncidentService(demo).get(iid).status == "closed"
    assert history_kinds(demo, iid)[-1] == "closed"
    close.undo(demo)
    assert IncidentService(demo).get(iid).status == "in_review"
    assert "closed" not in history_kinds(demo, iid)


def test_reopen_is_recorded_and_undoable(demo):
    iid = billing_id(demo)
    complete_the_demo(demo, iid)
    CloseIncident(iid).do(demo)
    with pytest.raises(RuleError, match="already closed"):
        CloseIncident(iid).do(demo)
    reopen = ReopenIncident(iid, "New duplicate-charge tickets arrived")
    reopen.do(demo)
    assert IncidentService(demo).get(iid).status == "in_review"
    with demo.reading() as s:
        last = s.scalars(select(IncidentHistory).where(IncidentHistory.incident_id == iid)
                         .order_by(IncidentHistory.id.desc())).first()
        assert (last.kind, last.detail) == ("reopened", "New duplicate-charge tickets arrived")
    reopen.undo(demo)
    assert IncidentService(demo).get(iid).status == "closed"


def test_reopen_of_an_open_incident_is_refused(demo):
    with pytest.raises(RuleError, match="Only a closed"):
        ReopenIncident(billing_id(demo)).do(demo)


def test_removing_a_completed_item_blocks_closing_again(demo):
    iid = billing_id(demo)
    complete_the_demo(demo, iid)
    assert CloseoutService(demo).checklist(iid).can_close
    EditCloseoutFields(iid, customer_damage="billing-api timeout").do(demo)
    state = CloseoutService(demo).checklist(iid)
    assert [i.key for i in state.missing] == ["customer_damage"]


def test_schedule_follow_up_undo_removes_the_schedule(demo):
    iid = billing_id(demo)
    cmd = ScheduleFollowUp(iid, datetime(2026, 11, 27, 15, tzinfo=timezone.utc), REVIEW_DAY)
    cmd.do(demo)
    assert CloseoutService(demo).follow_up(iid).review_held_on == REVIEW_DAY
    cmd.undo(demo)
    assert CloseoutService(demo).follow_up(iid).scheduled_at is None


def test_follow_up_before_the_review_is_refused():
    with pytest.raises(RuleError):
        ScheduleFollowUp(1, datetime(2026, 11, 19, tzinfo=timezone.utc), REVIEW_DAY)


def test_follow_up_outcome_needs_a_closed_incident_then_marks_it_followed_up(demo):
    from postmortem_desktop.services.followup import FollowUpService, RecordFollowUpOutcome

    iid = billing_id(demo)
    with pytest.raises(RuleError, match="Close the incident"):
        RecordFollowUpOutcome(iid, "No repeat confusion").do(demo)
    complete_the_demo(demo, iid)
    CloseIncident(iid).do(demo)
    record = RecordFollowUpOutcome(iid, "Two repeat questions about receipts; Brightline went quiet")
    record.do(demo)
    view = FollowUpService(demo).view(iid)
    assert view.status == "followed_up" and view.outcome.startswith("Two repeat")
    assert history_kinds(demo, iid)[-1] == "followed_up"
    record.undo(demo)
    assert FollowUpService(demo).view(iid).status == "closed"


def test_repeat_confusion_counts_conversations_either_side_of_the_review(demo):
    from postmortem_desktop.services.followup import FollowUpService

    iid = billing_id(demo)
    start = IncidentService(demo).get(iid).technical_start
    # a (pretend) review the day before the incident: every conversation counts as "after" it
    ScheduleFollowUp(iid, start + timedelta(days=7), start.date() - timedelta(days=1)).do(demo)
    early = {r.tag: r for r in FollowUpService(demo).view(iid).repeat}
    ScheduleFollowUp(iid, start + timedelta(days=30), (start + timedelta(days=20)).date()).do(demo)
    late = {r.tag: r for r in FollowUpService(demo).view(iid).repeat}
    assert early["confusion"].at_review + early["confusion"].after_review == \
        late["confusion"].at_review + late["confusion"].after_review
    assert late["confusion"].after_review == 0 and early["confusion"].after_review > 0
    assert FollowUpService(demo).view(iid).open_actions  # the demo's unfinished billing fixes


def test_a_closed_incidents_record_cannot_be_changed_until_it_is_reopened(demo):
    from postmortem_desktop.services.actions import ActionService, DeleteActionItem
    from postmortem_desktop.services.review_answers import SetReviewAnswer

    iid = billing_id(demo)
    complete_the_demo(demo, iid)
    CloseIncident(iid).do(demo)
    support = next(i for i in ActionService(demo).list_items(iid) if i.area == "support")
    for edit in (DeleteActionItem(iid, support.id), EditCloseoutFields(iid, customer_damage="changed later"),
                 SetReviewAnswer(iid, "task", "changed later")):
        with pytest.raises(RuleError, match="Reopen it"):
            edit.do(demo)
    assert CloseoutService(demo).checklist(iid).can_close  # still complete: nothing was changed
    ReopenIncident(iid, "A late correction").do(demo)
    DeleteActionItem(iid, support.id).do(demo)
    assert not CloseoutService(demo).checklist(iid).can_close


def test_properties_quotes_and_roles_of_a_closed_incident_are_fixed_too(demo):
    from sqlalchemy import select as sa_select

    from postmortem_desktop.services.incidents import UpdateIncident
    from postmortem_desktop.services.quotes import CorrectAuthorRole, DeleteQuote
    from postmortem_desktop.storage.schema import Conversation, Message, Quote

    iid = billing_id(demo)
    complete_the_demo(demo, iid)
    CloseIncident(iid).do(demo)
    with demo.reading() as s:
        quote_id, conversation_id = s.execute(sa_select(Quote.id, Quote.conversation_id).join(Conversation)
                                              .where(Conversation.incident_id == iid)).first()
        author = s.scalar(sa_select(Message.author).where(Message.conversation_id == conversation_id))
    for edit in (UpdateIncident(iid, service="checkout"), DeleteQuote(iid, [quote_id]),
                 CorrectAuthorRole(iid, conversation_id, author, "agent")):
        with pytest.raises(RuleError, match="Reopen it"):
            edit.do(demo)
    assert CloseoutService(demo).checklist(iid).can_close


def test_follow_up_tickets_after_the_review_window_do_not_stretch_the_impact_window(demo):
    from postmortem_desktop.importers.records import ParsedMessage
    from postmortem_desktop.services.conversations import AddConversation, NewConversation

    iid = billing_id(demo)
    before = IncidentService(demo).impact(iid).customer
    details = IncidentService(demo).get(iid)
    later = details.review_end + timedelta(days=3)
    AddConversation(iid, NewConversation(channel="ticket", messages=[
        ParsedMessage("Nadia", "Still confused about the duplicate receipt", later, "customer")])).do(demo)
    assert IncidentService(demo).impact(iid).customer == before
