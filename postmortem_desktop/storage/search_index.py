"""The full-text index over conversations, filled in bulk after imports (not per row by trigger)."""
from __future__ import annotations

from sqlalchemy import Connection, text

_BODY = ("(SELECT group_concat(m.text, char(10)) FROM messages m WHERE m.conversation_id = c.id)")


def reindex_incident(conn: Connection, incident_id: int) -> None:
    """Rebuilds the index rows of every conversation of one incident in two statements."""
    conn.execute(text("DELETE FROM conversation_search WHERE rowid IN "
                      "(SELECT id FROM conversations WHERE incident_id = :i)"), {"i": incident_id})
    conn.execute(text(f"INSERT INTO conversation_search(rowid, subject, body) "
                      f"SELECT c.id, c.subject, coalesce({_BODY}, '') FROM conversations c "
                      f"WHERE c.incident_id = :i"), {"i": incident_id})


def reindex_conversations(conn: Connection, conversation_ids: list[int]) -> None:
    for chunk_start in range(0, len(conversation_ids), 500):
        chunk = conversation_ids[chunk_start:chunk_start + 500]
        params = {f"p{i}": cid for i, cid in enumerate(chunk)}
        marks = ", ".join(f":p{i}" for i in range(len(chunk)))
        conn.execute(text(f"DELETE FROM conversation_search WHERE rowid IN ({marks})"), params)
        conn.execute(text(f"INSERT INTO conversation_search(rowid, subject, body) "
                          f"SELECT c.id, c.subject, coalesce({_BODY}, '') FROM conversations c "
                          f"WHERE c.id IN ({marks})"), params)


def search_conversation_ids(conn: Connection, incident_id: int, query: str, limit: int = 200,
                            offset: int = 0) -> list[int]:
    """Conversation ids matching a user's words (each word a prefix), best match first."""
    terms = [t for t in "".join(ch if ch.isalnum() else " " for ch in query).split() if t]
    if not terms:
        return []
    match = " ".join(f'"{t}"*' for t in terms)
    rows = conn.execute(text(
        "SELECT s.rowid FROM conversation_search s JOIN conversations c ON c.id = s.rowid "
        "WHERE conversation_search MATCH :m AND c.incident_id = :i ORDER BY rank LIMIT :l OFFSET :o"),
        {"m": match, "i": incident_id, "l": limit, "o": offset})
    return [r[0] for r in rows]
