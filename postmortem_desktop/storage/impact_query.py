"""The incident-related conversation filter and the customer impact window built on it, shared by every screen,
the report and the follow-up."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, and_, or_

from ..domain.vocabulary import Channel
from . import impact_read
from .fast_read import read_cursor
from .id_sets import among
from .schema import Conversation, Incident


def incident_related(incident_ids: int | Iterable[int] | None) -> ColumnElement[bool]:
    """Conversations that count as an incident's damage: not pre-existing (old confusion), not internal chatter.

    The one definition, for one incident (an id), several (ids) or every incident (None); the impact
    window's raw SQL spells it as impact_read.RELATED_SQL (tests/core/test_impact_read.py holds them equal). Whether an
    event also falls inside the incident's review window is the impact window's rule, below.
    """
    related = and_(Conversation.pre_existing.is_(False), Conversation.channel != Channel.INTERNAL.value)
    if incident_ids is None:
        return related
    if isinstance(incident_ids, int):
        return and_(Conversation.incident_id == incident_ids, related)
    return and_(among(Conversation.incident_id, incident_ids), related)


def overlaps_review_window() -> ColumnElement[bool]:
    """A conversation (joined with its Incident) that reaches into the incident's review window.

    One wholly before or after it is never in a fitted timeline; counts of what the review looks at
    leave it out (the timeline's rows count the same way: timeline.layout.TimelineLayout.review_counts).
    """
    return and_(or_(Incident.review_start.is_(None), Conversation.last_at.is_(None),
                    Conversation.last_at >= Incident.review_start),
                or_(Incident.review_end.is_(None), Conversation.first_at.is_(None),
                    Conversation.first_at <= Incident.review_end))


def customer_event_bounds(session, incident_ids: list[int] | None = None) -> dict[int, tuple]:  # noqa: ANN001
    """{incident id: (first, last)} of incident-related customer events, as aware UTC datetimes.

    The rule is written once, in raw SQL (storage/impact_read.py), so that the first look at a workspace
    reads the same window before SQLAlchemy is even imported.
    """
    session.flush()  # the raw cursor sees only what the session has written
    with read_cursor(session) as cursor:
        return impact_read.customer_event_bounds(cursor, incident_ids)


def has_customer_events(session, incident_id: int) -> bool:  # noqa: ANN001
    """Whether the incident has a customer impact window, without scanning all its customer events."""
    session.flush()
    with read_cursor(session) as cursor:
        return impact_read.has_customer_events(cursor, incident_id)
