"""Full-text search on a team workspace: PostgreSQL's tsvector over the GIN indexes migrations.py builds.

The same answers as the file's FTS5 search (storage/search_index.py) for the same words: every word
must appear, each as a prefix, newest message first. The user's words reach the server only as a
bound parameter; each is reduced to letters and digits first, so none is query syntax either.
"""
from __future__ import annotations

from sqlalchemy import Connection

from . import search_page

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
    statements = (
        f"SELECT m.conversation_id FROM messages m JOIN conversations c ON c.id = m.conversation_id "
        f"WHERE {MESSAGE_MATCH} AND c.incident_id = :i ORDER BY m.id DESC",
        f"SELECT c.id FROM conversations c WHERE {SUBJECT_MATCH} AND c.incident_id = :i ORDER BY c.id DESC",
    )
    # a server-side cursor, so the rows stream and reading stops at a full page
    return search_page.first_ids(conn, statements, {"m": tsquery(words), "i": incident_id}, wanted,
                                 execution_options={"stream_results": True, "yield_per": 500})
