"""The one query behind the customer impact window, shared by the incident list, timeline and report."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, or_, select, union_all

from ..domain import timing
from .schema import Conversation, Incident, Message


def _as_utc(value) -> datetime | None:  # noqa: ANN001
    # Aggregates bypass the column type, so SQLite hands back text; normalise it here.
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime.fromisoformat(value)
    return timing.as_utc(value)


def customer_event_bounds(session, incident_ids: list[int] | None = None) -> dict[int, tuple]:  # noqa: ANN001
    """{incident id: (first, last)} of incident-related customer events, as aware UTC datetimes.

    A customer event is a customer's message in a conversation that is not pre-existing and not
    internal, inside the incident's review window when it has one (so next week's follow-up
    tickets do not stretch the incident's impact); a conversation without messages (a bare
    imported ticket) counts by its own times.
    """
    related = and_(Conversation.pre_existing.is_(False), Conversation.channel != "internal")
    if incident_ids is not None:
        related = and_(related, Conversation.incident_id.in_(incident_ids))

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
