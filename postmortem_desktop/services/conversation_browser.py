"""Browsing an incident's conversations, carded or not, and finding words inside them."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text

from ..storage import search_index
from ..storage.fast_read import read_cursor
from ..storage.workspace import Workspace
from .quotes import _customer_label, _stored_time

#: rows one look returns: enough to browse, few enough to list at once
BROWSE_LIMIT = 500


@dataclass(frozen=True)
class UncardedMatches:
    """Conversations without a card that a search's words are in: `count` of them, or more when `at_least`."""

    count: int
    at_least: bool


@dataclass(frozen=True)
class ConversationRow:
    id: int
    started: datetime | None
    channel: str
    customer: str
    subject: str
    cards: int  # quotes on the board from this conversation
    pre_existing: bool


def browse_conversations(workspace: Workspace, incident_id: int, query: str = "",
                         limit: int = BROWSE_LIMIT) -> list[ConversationRow]:
    """The incident's conversations in time order, or only those whose words match query (the same
    full-text index as the board's search), whether or not they have a card yet."""
    with workspace.reading() as session:
        where, params = "c.incident_id = :i", {"i": incident_id, "l": limit}
        if query.strip():
            ids = search_index.search_conversation_ids(session.connection(), incident_id, query, limit=limit)
            if not ids:
                return []
            params.update({f"c{n}": cid for n, cid in enumerate(ids)})
            where += " AND c.id IN (" + ", ".join(f":c{n}" for n in range(len(ids))) + ")"
        rows = session.execute(text(
            "SELECT c.id, c.first_at, c.channel, cu.name, cu.organization, c.subject, c.pre_existing, "
            " (SELECT count(*) FROM quotes q WHERE q.conversation_id = c.id) "
            "FROM conversations c LEFT JOIN customers cu ON cu.id = c.customer_id "
            f"WHERE {where} ORDER BY c.first_at IS NULL, c.first_at, c.id LIMIT :l"), params).all()
    return [ConversationRow(row[0], _stored_time(row[1]), row[2] or "", _customer_label(row[3], row[4]),
                            row[5] or "", int(row[7]), bool(row[6])) for row in rows]


def count_uncarded_matches(workspace: Workspace, incident_id: int, query: str,
                           limit: int = BROWSE_LIMIT) -> UncardedMatches:
    """How many of the conversations browse_conversations would list for query have no card yet (of the first
    `limit` the words are in: more may match, which the count then says).

    Counted from the index and the quotes alone, without reading the rows' customers and subjects:
    the board asks on every search, inside its 100 ms filter budget.
    """
    if not query.strip():
        return UncardedMatches(0, False)
    with workspace.reading() as session:
        ids = search_index.search_conversation_ids(session.connection(), incident_id, query, limit=limit)
        if not ids:
            return UncardedMatches(0, False)
        # on the driver's cursor: as a SQLAlchemy text() each count of ids was a new statement to compile,
        # 70 ms for 500 of them (the first search of a session)
        with read_cursor(session) as cursor:
            carded = cursor.execute("SELECT count(DISTINCT conversation_id) FROM quotes WHERE "
                                    + cursor.among("conversation_id"), (cursor.ids_param(ids),)).fetchone()[0]
    return UncardedMatches(len(set(ids)) - int(carded), len(ids) >= limit)
