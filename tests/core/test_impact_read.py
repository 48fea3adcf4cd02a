"""The impact window's raw SQL (storage/impact_read.py) against the ORM's definitions it must agree with."""
from __future__ import annotations

from sqlalchemy import select

from postmortem_desktop.storage.fast_read import read_cursor
from postmortem_desktop.storage.impact_query import incident_related
from postmortem_desktop.storage.impact_read import RELATED_PARAMS, RELATED_SQL, customer_event_bounds
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
