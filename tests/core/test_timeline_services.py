"""Timeline data for an incident and the undoable system-event commands."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from postmortem_desktop.services.commands import RuleError
from postmortem_desktop.services.incidents import CreateIncident, IncidentService
from postmortem_desktop.services.timeline import (
    AddSystemEvent,
    AddSystemEvents,
    DeleteSystemEvent,
    EditSystemEvent,
    MoveSystemEvent,
    TimelineService,
)
from postmortem_desktop.storage.schema import Conversation, Message, Quote, SystemEvent, Tag, TagAssignment
from tests.helpers import billing_id

START = datetime(2026, 11, 18, 10, 20, tzinfo=timezone.utc)

def test_timeline_data_holds_every_dated_conversation_sorted_by_start(demo):
    incident_id = billing_id(demo)
    data = TimelineService(demo).timeline_data(incident_id)
    with demo.reading() as session:
        expected = session.scalars(select(Conversation.id).where(Conversation.incident_id == incident_id,
                                                                 Conversation.first_at.is_not(None))).all()
    convs = data.conversations
    assert sorted(convs.ids) == sorted(expected)
    assert list(convs.starts) == sorted(convs.starts)
    assert all(e >= s for s, e in zip(convs.starts, convs.ends, strict=False))


def test_timeline_windows_and_headline_agree_with_the_incident_service(demo):
    incident_id = billing_id(demo)
    data = TimelineService(demo).timeline_data(incident_id)
    impact = IncidentService(demo).impact(incident_id)
    assert data.headline == impact.headline
    assert data.customer_start == impact.customer.start.timestamp()
    assert data.customer_end == impact.customer.end.timestamp()
    assert data.technical_end - data.technical_start == impact.technical.duration.total_seconds()
    assert data.status_page_resolved == impact.status_page_resolved.timestamp()


def conversation_with_tags(ws, assignments):
    """A new incident with one conversation whose one message carries the given (tag, source) pairs."""
    create = CreateIncident(title="Tags", technical_start=START, technical_end=START + timedelta(minutes=30))
    create.do(ws)
    with ws.transaction() as session:
        conv = Conversation(incident_id=create.incident_id, channel="chat", first_at=START, last_at=START)
        session.add(conv)
        session.flush()
        msg = Message(conversation_id=conv.id, at=START, role="customer", text="I paid twice, is my data gone?")
        session.add(msg)
        session.flush()
        tags = {t.name: t.id for t in session.scalars(select(Tag))}
        for position, (name, source) in enumerate(assignments):
            quote = Quote(conversation_id=conv.id, message_id=msg.id, start=position, end=position + 1, text="x")
            session.add(quote)
            session.flush()
            session.add(TagAssignment(tag_id=tags[name], quote_id=quote.id, source=source))
    return create.incident_id


def dominant(ws, incident_id):
    convs = TimelineService(ws).timeline_data(incident_id).conversations
    return convs.tags[convs.tag[0]].name if convs.tag[0] >= 0 else None


def test_dominant_tag_is_the_most_frequent_harm_tag(workspace):
    incident_id = conversation_with_tags(workspace, [("data-fear", "manual"), ("data-fear", "accepted"),
                                                     ("confusion", "manual")])
    assert dominant(workspace, incident_id) == "data-fear"


def test_agent_wording_colours_a_bar_only_without_a_harm_tag(workspace):
    incident_id = conversation_with_tags(workspace, [("calming-wording", "manual"), ("calming-wording", "manual"),
                                                     ("confusion", "manual")])
    assert dominant(workspace, incident_id) == "confusion"


def test_suggested_tags_do_not_colour_the_timeline_until_accepted(workspace):
    incident_id = conversation_with_tags(workspace, [("churn-risk", "suggested"), ("churn-risk", "dismissed")])
    assert dominant(workspace, incident_id) is None


def test_conversation_brief_names_the_customer_first_message_and_tags(demo):
    data = TimelineService(demo).timeline_data(billing_id(demo))
    tagged = next(cid for cid, tag in zip(data.conversations.ids, data.conversations.tag, strict=False) if tag >= 0)
    brief = TimelineService(demo).conversation_brief(tagged)
    assert brief.customer and brief.first_message and brief.tags
    assert TimelineService(demo).conversation_brief(10 ** 9) is None


def events(ws, incident_id):
    with ws.reading() as session:
        return {e.id: (e.at, e.kind, e.title) for e in session.scalars(
            select(SystemEvent).where(SystemEvent.incident_id == incident_id))}


def test_add_system_event_undoes_and_redoes_with_the_same_id(demo):
    incident_id = billing_id(demo)
    before = events(demo, incident_id)
    cmd = AddSystemEvent(incident_id, START + timedelta(minutes=7), "alert", "Queue depth alert")
    cmd.do(demo)
    assert events(demo, incident_id)[cmd.event_id][2] == "Queue depth alert"
    cmd.undo(demo)
    assert events(demo, incident_id) == before
    cmd.do(demo)
    assert cmd.event_id in events(demo, incident_id)


def test_move_and_edit_system_event_are_undoable(demo):
    incident_id = billing_id(demo)
    event_id, (at, kind, title) = next(iter(events(demo, incident_id).items()))
    move = MoveSystemEvent(event_id, incident_id, at + timedelta(minutes=5))
    move.do(demo)
    assert events(demo, incident_id)[event_id][0] == at + timedelta(minutes=5)
    move.undo(demo)
    assert events(demo, incident_id)[event_id][0] == at
    edit = EditSystemEvent(event_id, incident_id, kind="note", title="Renamed")
    edit.do(demo)
    assert events(demo, incident_id)[event_id][1:] == ("note", "Renamed")
    edit.undo(demo)
    assert events(demo, incident_id)[event_id][1:] == (kind, title)


def test_events_with_unknown_kinds_naive_times_or_no_title_are_refused(demo):
    incident_id = billing_id(demo)
    with pytest.raises(RuleError):
        AddSystemEvent(incident_id, START, "explosion", "Boom")
    with pytest.raises(RuleError):
        AddSystemEvent(incident_id, START.replace(tzinfo=None), "alert", "Boom")
    with pytest.raises(RuleError):
        EditSystemEvent(1, incident_id, title="  ")


def test_delete_system_event_undo_restores_the_same_row(demo):
    incident_id = billing_id(demo)
    before = events(demo, incident_id)
    event_id = next(iter(before))
    cmd = DeleteSystemEvent(event_id, incident_id)
    cmd.do(demo)
    assert event_id not in events(demo, incident_id)
    cmd.undo(demo)
    assert events(demo, incident_id) == before


def test_bulk_add_is_one_undo_step(demo):
    incident_id = billing_id(demo)
    before = events(demo, incident_id)
    cmd = AddSystemEvents(incident_id, [dict(at=START + timedelta(minutes=i), kind="note", title=f"line {i}")
                                        for i in range(50)])
    cmd.do(demo)
    assert len(events(demo, incident_id)) == len(before) + 50
    cmd.undo(demo)
    assert events(demo, incident_id) == before
    cmd.do(demo)
    assert set(cmd.event_ids) <= set(events(demo, incident_id))
