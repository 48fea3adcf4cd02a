"""Full-text search on a team workspace: PostgreSQL's tsvector over the GIN indexes migrations.py builds.

The same answers as the file's FTS5 search (storage/search_index.py) for the same words: every word
must appear, each as a prefix, newest message first. The user's words reach the server only as a
bound parameter; each is reduced to letters and digits first, so none is query syntax either.
"""
from __future__ import annotations

from sqlalchemy import Connection, text

# exactly the indexed expressions (migrations.TEAM_SEARCH_DDL), so the planner uses the GIN indexes
MESSAGE_MATCH = "to_tsvector('simple', m.text) @@ to_tsquery('simple', :m)"
SUBJECT_MATCH = "to_tsvector('simple', c.subject) @@ to_tsquery('simple', :m)"
MATCHING_MESSAGE_IDS = f"SELECT m.id FROM messages m WHERE {MESSAGE_MATCH}"
MATCHING_CONVERSATION_IDS = f"SELECT c.id FROM conversations c WHERE {SUBJECT_MATCH}"


def tsquery(words: list[str]) -> str:
    """Every word, each as a prefix: 'refund':* & 'card':*."""
    return " & ".join(f"'{word}':*" for word in words)


def search_conversation_ids(conn: Connection, incident_id: int, words: list[str], wanted: int) -> list[int]:
    """Up to `wanted` ids of the incident's matching conversations: by their messages first, newest first."""
    params = {"m": tsquery(words), "i": incident_id}
    found: dict[int, None] = {}
    for sql in (
        f"SELECT m.conversation_id FROM messages m JOIN conversations c ON c.id = m.conversation_id "
        f"WHERE {MESSAGE_MATCH} AND c.incident_id = :i ORDER BY m.id DESC",
        f"SELECT c.id FROM conversations c WHERE {SUBJECT_MATCH} AND c.incident_id = :i ORDER BY c.id DESC",
    ):
        # streamed with a server-side cursor: stop reading as soon as the page is full
        result = conn.execute(text(sql), params, execution_options={"stream_results": True, "yield_per": 500})
        try:
            for (cid,) in result:
                found.setdefault(cid)
                if len(found) >= wanted:
                    break
        finally:
            result.close()
        if len(found) >= wanted:
            break
    return list(found)
