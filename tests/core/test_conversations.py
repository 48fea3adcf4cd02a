"""Pasted, dropped and typed conversations: stored with roles, searchable, undoable, refusing nonsense."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from postmortem_desktop.importers.records import ParsedMessage
from postmortem_desktop.importers.transcripts import parse_transcript
from postmortem_desktop.services.commands import RuleError
from postmortem_desktop.services.conversations import AddConversation, NewConversation, typed_note
from postmortem_desktop.services.incidents import CreateIncident, IncidentService
from postmortem_desktop.storage.search_index import search_conversation_ids

T0 = datetime(2026, 11, 18, 10, 20, tzinfo=timezone.utc)


@pytest.fixture
def incident(workspace):
    cmd = CreateIncident(title="Billing", technical_start=T0, technical_end=T0 + timedelta(minutes=40))
    cmd.do(workspace)
    return cmd.incident_id


def test_a_pasted_chat_becomes_a_conversation_with_corrected_roles(workspace, incident):
    parsed = parse_transcript("[10:31] Dana Whitfield: did my payment go through??\n"
                              "[10:33] Marcus: Checking, one moment\n[10:40] Dana Whitfield: ok thanks",
                              day=T0.date())
    new = NewConversation(channel="chat", messages=parsed.messages, customer_name="Dana Whitfield",
                          roles={"Marcus": "agent"}, source_format=parsed.format)
    cmd = AddConversation(incident, new)
    cmd.do(workspace)
    with workspace.engine.connect() as c:
        rows = c.exec_driver_sql("SELECT author, role FROM messages ORDER BY position").fetchall()
        assert search_conversation_ids(c, incident, "payment go through") == [cmd.conversation_id]
    assert rows == [("Dana Whitfield", "customer"), ("Marcus", "agent"), ("Dana Whitfield", "customer")]
    impact = IncidentService(workspace).impact(incident)
    assert impact.customer.start == T0.replace(minute=31) and impact.customer.end == T0.replace(minute=40)


def test_undo_removes_the_conversation_and_the_customer_it_created_and_redo_restores(workspace, incident):
    new = NewConversation(channel="chat", messages=[ParsedMessage("Ana", "refund?", T0, "customer")],
                          customer_name="Ana Lima", customer_email="ana@example.com")
    cmd = AddConversation(incident, new)
    cmd.do(workspace)
    first_id = cmd.conversation_id
    cmd.undo(workspace)
    with workspace.engine.connect() as c:
        assert c.exec_driver_sql("SELECT count(*) FROM conversations").scalar() == 0
        assert c.exec_driver_sql("SELECT count(*) FROM customers").scalar() == 0
        assert search_conversation_ids(c, incident, "refund") == []
    cmd.do(workspace)
    assert cmd.conversation_id == first_id


def test_typed_call_note_is_an_agent_message_on_the_call_channel(workspace, incident):
    cmd = AddConversation(incident, typed_note("call", "Priya", "Customer says they paid twice.", T0, "agent"))
    cmd.do(workspace)
    with workspace.engine.connect() as c:
        assert c.execute(text("SELECT channel, external_id LIKE 'CALL-%' FROM conversations")).first() == ("call", 1)
    assert cmd.name == "Add Call Note"


@pytest.mark.parametrize("new, message", [
    (NewConversation(channel="fax", messages=[ParsedMessage("a", "x")]), "Channel"),
    (NewConversation(channel="chat", messages=[ParsedMessage("a", "   ")]), "nothing to add"),
    (NewConversation(channel="chat", messages=[ParsedMessage("a", "x")], roles={"a": "boss"}), "Unknown role"),
])
def test_nonsense_is_refused_before_anything_is_written(new, message):
    with pytest.raises(RuleError, match=message):
        AddConversation(1, new)
