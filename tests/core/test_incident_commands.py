"""Incident edits are commands: they do, undo and redo, and refuse what the rules forbid."""
from datetime import datetime, timedelta, timezone

import pytest

from postmortem_desktop.services.commands import RuleError
from postmortem_desktop.services.incidents import (
    CreateIncident,
    DeleteIncident,
    IncidentService,
    UpdateIncident,
)
from postmortem_desktop.storage.schema import Conversation, Message, Quote, Tag, TagAssignment

T0 = datetime(2026, 11, 18, 10, 20, tzinfo=timezone.utc)


def titles(ws):
    return [s.title for s in IncidentService(ws).list_incidents()]


def test_create_then_undo_then_redo_keeps_the_same_id(workspace):
    cmd = CreateIncident(title="Billing outage", technical_start=T0)
    cmd.do(workspace)
    first_id = cmd.incident_id
    assert titles(workspace) == ["Billing outage"]
    cmd.undo(workspace)
    assert titles(workspace) == []
    cmd.do(workspace)
    assert cmd.incident_id == first_id
    assert titles(workspace) == ["Billing outage"]


def test_new_incident_gets_a_default_review_window_of_72_hours_after_recovery(workspace):
    cmd = CreateIncident(title="x", technical_start=T0, technical_end=T0 + timedelta(minutes=40))
    cmd.do(workspace)
    details = IncidentService(workspace).get(cmd.incident_id)
    assert details.review_end == T0 + timedelta(minutes=40, hours=72)
    assert details.review_start <= T0


def test_update_is_undoable(workspace):
    cmd = CreateIncident(title="Old title")
    cmd.do(workspace)
    edit = UpdateIncident(cmd.incident_id, title="New title", technical_severity="SEV2")
    edit.do(workspace)
    assert IncidentService(workspace).get(cmd.incident_id).technical_severity == "SEV2"
    edit.undo(workspace)
    details = IncidentService(workspace).get(cmd.incident_id)
    assert (details.title, details.technical_severity) == ("Old title", "SEV3")


def test_recovery_before_first_failure_is_refused_and_nothing_changes(workspace):
    cmd = CreateIncident(title="x", technical_start=T0, technical_end=T0 + timedelta(minutes=40))
    cmd.do(workspace)
    with pytest.raises(RuleError, match="Recovery cannot come before"):
        UpdateIncident(cmd.incident_id, technical_end=T0 - timedelta(minutes=5)).do(workspace)
    assert IncidentService(workspace).get(cmd.incident_id).technical_end == T0 + timedelta(minutes=40)


def test_empty_title_and_unknown_severity_are_refused():
    with pytest.raises(RuleError, match="title"):
        CreateIncident(title="  ")
    with pytest.raises(RuleError, match="SEV1"):
        UpdateIncident(1, technical_severity="critical")


def test_naive_times_are_refused():
    with pytest.raises(RuleError, match="zone"):
        CreateIncident(title="x", technical_start=datetime(2026, 1, 1, 10, 0))


def test_delete_and_undo_restore_conversations_quotes_and_tags(workspace):
    cmd = CreateIncident(title="Billing", technical_start=T0)
    cmd.do(workspace)
    with workspace.transaction() as s:
        conv = Conversation(incident_id=cmd.incident_id, external_id="ZD-1", channel="ticket",
                            first_at=T0, last_at=T0)
        s.add(conv)
        s.flush()
        msg = Message(conversation_id=conv.id, at=T0 + timedelta(minutes=4), author="Dana", text="charged twice?")
        s.add(msg)
        s.flush()
        quote = Quote(conversation_id=conv.id, message_id=msg.id, start=0, end=14, text="charged twice?")
        s.add(quote)
        s.flush()
        tag = s.query(Tag).filter_by(name="trust-loss").one()
        s.add(TagAssignment(tag_id=tag.id, quote_id=quote.id))
    delete = DeleteIncident(cmd.incident_id, "Billing")
    delete.do(workspace)
    assert titles(workspace) == []
    with workspace.reading() as s:
        assert s.query(Message).count() == 0 and s.query(TagAssignment).count() == 0
    delete.undo(workspace)
    assert titles(workspace) == ["Billing"]
    with workspace.reading() as s:
        assert s.query(Message).one().text == "charged twice?"
        assert s.query(TagAssignment).one().quote_id == s.query(Quote).one().id
    assert IncidentService(workspace).impact(cmd.incident_id).customer.start == T0 + timedelta(minutes=4)


def test_impact_ignores_pre_existing_and_internal_conversations(workspace):
    cmd = CreateIncident(title="Billing", technical_start=T0, technical_end=T0 + timedelta(minutes=40))
    cmd.do(workspace)
    with workspace.transaction() as s:
        for ext, channel, pre, minutes in (("A", "ticket", False, 5), ("B", "chat", False, 275),
                                           ("C", "ticket", True, -600), ("D", "internal", False, 900)):
            conv = Conversation(incident_id=cmd.incident_id, external_id=ext, channel=channel, pre_existing=pre)
            s.add(conv)
            s.flush()
            s.add(Message(conversation_id=conv.id, at=T0 + timedelta(minutes=minutes), role="customer", text="?"))
    impact = IncidentService(workspace).impact(cmd.incident_id)
    assert impact.customer.start == T0 + timedelta(minutes=5)
    assert impact.customer.end == T0 + timedelta(minutes=275)
    summary = IncidentService(workspace).list_incidents()[0]
    assert (summary.technical_minutes, summary.customer_minutes) == (40, 270)


def test_a_later_edit_of_the_same_field_is_absorbed_so_one_undo_reverts_both(workspace):
    cmd = CreateIncident(title="Original")
    cmd.do(workspace)
    first = UpdateIncident(cmd.incident_id, title="Orig")
    first.do(workspace)
    second = UpdateIncident(cmd.incident_id, title="Origami")
    second.do(workspace)
    assert first.absorb(second)
    assert not first.absorb(UpdateIncident(cmd.incident_id, service="billing"))  # another field stays apart
    first.undo(workspace)
    assert IncidentService(workspace).get(cmd.incident_id).title == "Original"
    first.do(workspace)  # redo applies the latest text
    assert IncidentService(workspace).get(cmd.incident_id).title == "Origami"


def test_a_command_group_is_one_step_and_undoes_what_it_did_when_a_member_is_refused(workspace):
    from postmortem_desktop.services.commands import CommandGroup

    cmd = CreateIncident(title="Group")
    cmd.do(workspace)
    ok = UpdateIncident(cmd.incident_id, service="billing")
    refused = UpdateIncident(cmd.incident_id, technical_start=T0, technical_end=T0 - timedelta(minutes=1))
    with pytest.raises(RuleError):
        CommandGroup("Two edits", [ok, refused]).do(workspace)
    assert IncidentService(workspace).get(cmd.incident_id).service == ""
    group = CommandGroup("Two edits", [UpdateIncident(cmd.incident_id, service="billing"),
                                      UpdateIncident(cmd.incident_id, title="Grouped")])
    group.do(workspace)
    group.undo(workspace)
    details = IncidentService(workspace).get(cmd.incident_id)
    assert (details.service, details.title) == ("", "Group")


def _uid_and_thread_ids(ws, incident_id):
    from sqlalchemy import select

    from postmortem_desktop.storage.schema import IncidentUid, ThreadMessageId

    with ws.reading() as s:
        uid = s.scalar(select(IncidentUid.uid).where(IncidentUid.incident_id == incident_id))
        threads = s.execute(select(ThreadMessageId.conversation_id, ThreadMessageId.external_id)
                            .join(Conversation, Conversation.id == ThreadMessageId.conversation_id)
                            .where(Conversation.incident_id == incident_id)).all()
    return uid, sorted(threads)


def test_a_new_incident_has_a_uid_and_undoing_its_delete_brings_back_its_uid_and_thread_ids(workspace):
    # The uid is what a publish recognises an incident by; before, undoing a delete also lost the
    # reply-chain message ids, so a later reply started a new thread.
    from postmortem_desktop.storage.schema import ThreadMessageId

    cmd = CreateIncident(title="Billing outage", technical_start=T0)
    cmd.do(workspace)
    with workspace.transaction() as s:
        conv = Conversation(incident_id=cmd.incident_id, external_id="T-1", subject="s")
        s.add(conv)
        s.flush()
        s.add(ThreadMessageId(conversation_id=conv.id, external_id="m-1"))
    before = _uid_and_thread_ids(workspace, cmd.incident_id)
    assert before[0] and len(before[0]) == 32 and len(before[1]) == 1
    delete = DeleteIncident(cmd.incident_id)
    delete.do(workspace)
    assert _uid_and_thread_ids(workspace, cmd.incident_id) == (None, [])
    delete.undo(workspace)
    assert _uid_and_thread_ids(workspace, cmd.incident_id) == before
