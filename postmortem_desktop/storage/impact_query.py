"""The incident-related conversation filter and the customer impact window built on it, shared by every screen,
the report and the follow-up."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select, union_all

from ..domain import timing
from ..domain.vocabulary import Channel
from .schema import Conversation, Incident, Message


def _as_utc(value) -> datetime | None:  # noqa: ANN001
    # Aggregates bypass the column type, so SQLite hands back text; normalise it here.
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime.fromisoformat(value)
    return timing.as_utc(value)


def incident_related(incident_ids: int | Iterable[int] | None) -> ColumnElement[bool]:
    """Conversations that count as an incident's damage: not pre-existing (old confusion), not internal chatter.

    The one definition, for one incident (an id), several (ids) or every incident (None). Whether an
    event also falls inside the incident's review window is the impact window's rule, below.
    """
    related = and_(Conversation.pre_existing.is_(False), Conversation.channel != Channel.INTERNAL.value)
    if incident_ids is None:
        return related
    if isinstance(incident_ids, int):
        return and_(Conversation.incident_id == incident_ids, related)
    return and_(Conversation.incident_id.in_(list(incident_ids)), related)


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

    A customer event is a customer's message in a conversation that is not pre-existing and not
    internal, inside the incident's review window when it has one (so next week's follow-up
    tickets do not stretch the incident's impact); a conversation without messages (a bare
    imported ticket) counts by its own times.
    """
    related = incident_related(incident_ids)

    def in_window(column):  # noqa: ANN001, ANN202
        return and_(or_(Incident.review_start.is_(None), column >= Incident.review_start),
                    or_(Incident.review_end.is_(None), column <= Incident.review_end))

    from_messages = (
        select(Conversation.incident_id.label("iid"), Message.at.label("first"), Message.at.label("last"))
        .join(Message, Message.conversation_id == Conversation.id)
        .join(Incident, Incident.id == Conversation.incident_id)
        .where(related, Message.role == "customer", Message.at.is_not(None), in_window(Message.at))
    )
    bare = (
        select(Conversation.incident_id, Conversation.first_at, Conversation.last_at)
        .join(Incident, Incident.id == Conversation.incident_id)
        .where(related, Conversation.first_at.is_not(None), in_window(Conversation.first_at),
               ~select(Message.id).where(Message.conversation_id == Conversation.id).exists())
    )
    events = union_all(from_messages, bare).subquery()
    query = select(events.c.iid, func.min(events.c.first), func.max(events.c.last)).group_by(events.c.iid)
    return {iid: (_as_utc(first), _as_utc(last)) for iid, first, last in session.execute(query)}
