"""The impact window's raw SQL (storage/impact_read.py) against the ORM's definitions it must agree with."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from postmortem_desktop.services.incidents import CreateIncident
from postmortem_desktop.storage.fast_read import read_cursor
from postmortem_desktop.storage.impact_query import incident_related
from postmortem_desktop.storage.impact_read import (
    RELATED_PARAMS,
    RELATED_SQL,
    customer_event_bounds,
    has_customer_events,
)
from postmortem_desktop.storage.schema import Conversation


def test_the_raw_related_filter_keeps_the_same_conversations_as_incident_related(demo):
    # the demo has pre-existing and internal conversations in both incidents: both spellings must drop them
    with demo.reading() as session:
        by_orm = set(session.scalars(select(Conversation.id).where(incident_related(None))))
        every = set(session.scalars(select(Conversation.id)))
        with read_cursor(session) as cursor:
            by_sql = {row[0] for row in cursor.execute(f"SELECT c.id FROM conversations c WHERE {RELATED_SQL}",
                                                       RELATED_PARAMS)}
    assert by_sql == by_orm
    assert by_orm < every  # something was left out, so the filter was really tested


def test_bounds_for_chosen_incidents_are_those_of_every_incident_and_none_asked_is_none_read(demo):
    with demo.reading() as session, read_cursor(session) as cursor:
        every = customer_event_bounds(cursor)
        assert len(every) == 2 and all(first < last for first, last in every.values())
        for incident_id, bounds in every.items():
            assert customer_event_bounds(cursor, [incident_id]) == {incident_id: bounds}
        assert customer_event_bounds(cursor, []) == {}
        assert all(first.tzinfo is not None for first, _last in every.values())


def test_whether_an_incident_has_customer_events_agrees_with_its_bounds(demo):
    """The close-out checklist asks only whether there are any (an EXISTS that stops at the first, where the
    bounds scan every customer message): with messages, with none, and a bare ticket that counts by its times."""
    empty, bare = CreateIncident(title="Nothing from customers yet"), CreateIncident(title="One bare ticket")
    empty.do(demo)
    bare.do(demo)
    with demo.transaction() as session:
        session.add(Conversation(incident_id=bare.incident_id, external_id="T-1", channel="ticket",
                                 first_at=datetime(2026, 11, 18, 10, tzinfo=UTC),
                                 last_at=datetime(2026, 11, 18, 11, tzinfo=UTC)))
        session.add(Conversation(incident_id=empty.incident_id, external_id="I-1", channel="internal",
                                 first_at=datetime(2026, 11, 18, 10, tzinfo=UTC)))  # internal chatter: not one
    with demo.reading() as session, read_cursor(session) as cursor:
        every = customer_event_bounds(cursor)
        answers = {}
        for (incident_id,) in cursor.execute("SELECT id FROM incidents").fetchall():
            answers[incident_id] = has_customer_events(cursor, incident_id)
            assert answers[incident_id] == (incident_id in every)
    assert answers[bare.incident_id] and not answers[empty.incident_id]
    assert sum(answers.values()) == 3  # the demo's two incidents have customer messages
