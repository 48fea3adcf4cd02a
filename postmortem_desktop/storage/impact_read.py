"""The customer impact window's first and last customer events, by raw SQL on either engine's cursor.

The one definition of which events bound the window: `impact_query.customer_event_bounds` runs it in a
session, the first look (services/first_look.py) on a read-only sqlite3 connection before SQLAlchemy
is imported.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from ..domain import timing
from ..domain.vocabulary import Channel
from .fast_read import ReadCursor

# `impact_query.incident_related` in SQL: not pre-existing (old confusion), not internal chatter.
RELATED_SQL = "c.pre_existing = ? AND c.channel <> ?"
RELATED_PARAMS: tuple[object, ...] = (False, Channel.INTERNAL.value)

# A customer's message in a related conversation, inside the incident's review window when it has one
# (so next week's follow-up tickets do not stretch the impact); a conversation without messages (a bare
# imported ticket) counts by its own times.
_MESSAGE_EVENTS_SQL = f"""
  SELECT c.incident_id AS iid, m.at AS first_at, m.at AS last_at
  FROM conversations c JOIN messages m ON m.conversation_id = c.id JOIN incidents i ON i.id = c.incident_id
  WHERE {RELATED_SQL} {{incidents}} AND m.role = 'customer' AND m.at IS NOT NULL
    AND (i.review_start IS NULL OR m.at >= i.review_start) AND (i.review_end IS NULL OR m.at <= i.review_end)
"""
_BARE_EVENTS_SQL = f"""
  SELECT c.incident_id AS iid, c.first_at AS first_at, c.last_at AS last_at
  FROM conversations c JOIN incidents i ON i.id = c.incident_id
  WHERE {RELATED_SQL} {{incidents}} AND c.first_at IS NOT NULL
    AND (i.review_start IS NULL OR c.first_at >= i.review_start)
    AND (i.review_end IS NULL OR c.first_at <= i.review_end)
    AND NOT EXISTS (SELECT 1 FROM messages bare WHERE bare.conversation_id = c.id)
"""
_EVENTS_SQL = (f"SELECT iid, min(first_at), max(last_at) FROM ({_MESSAGE_EVENTS_SQL} UNION ALL {_BARE_EVENTS_SQL})"
               " customer_events GROUP BY iid")
# whether there is any (all the close-out checklist asks): EXISTS lets either engine stop at the first event it
# finds through the indexes, where the bounds above scan every customer message of the incident
_ANY_EVENT_SQL = f"SELECT EXISTS ({_MESSAGE_EVENTS_SQL}) OR EXISTS ({_BARE_EVENTS_SQL})"


def as_utc(value: object) -> datetime | None:
    """A stored time as an aware UTC datetime: SQLite hands back text, PostgreSQL a naive datetime."""
    if value is None:
        return None
    return timing.as_utc(value if isinstance(value, datetime) else datetime.fromisoformat(str(value)))


def customer_event_bounds(cursor: ReadCursor, incident_ids: Iterable[int] | None = None
                          ) -> dict[int, tuple[datetime | None, datetime | None]]:
    """{incident id: (first, last)} of the customer events of those incidents (None: every incident)."""
    ids = None if incident_ids is None else list(incident_ids)
    if ids == []:
        return {}
    only = "" if ids is None else f"AND {cursor.among('c.incident_id')}"
    part_params = (*RELATED_PARAMS, *(() if ids is None else (cursor.ids_param(ids),)))
    rows = cursor.execute(_EVENTS_SQL.format(incidents=only), (*part_params, *part_params)).fetchall()
    return {iid: (as_utc(first), as_utc(last)) for iid, first, last in rows}


def has_customer_events(cursor: ReadCursor, incident_id: int) -> bool:
    """Whether the incident has a customer impact window at all (customer_event_bounds would find one)."""
    part_params = (*RELATED_PARAMS, incident_id)
    only = "AND c.incident_id = ?"
    return bool(cursor.execute(_ANY_EVENT_SQL.format(incidents=only), (*part_params, *part_params)).fetchone()[0])
