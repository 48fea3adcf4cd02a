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


def quoted_matches(likes: str) -> str:
    """SQL for the ids of an incident's quote cards whose conversation matches :m or whose text is like `likes`.

    The incident's few thousand quotes are read first, then only their conversations' messages and subjects
    are joined to the matches. The file's form (each card checked against every matching message's id)
    makes PostgreSQL hash all of a common word's matches over 100k conversations, which its planner
    underestimates a hundredfold: twice the time of this one. Ids may repeat; the caller keeps a set.
    """
    return (
        "WITH quoted AS MATERIALIZED (SELECT q.id, q.conversation_id, q.text FROM quotes q "
        " JOIN conversations c ON c.id = q.conversation_id WHERE c.incident_id = :i) "
        "SELECT quoted.id FROM quoted JOIN messages m ON m.conversation_id = quoted.conversation_id "
        f" WHERE {MESSAGE_MATCH} "
        "UNION ALL SELECT quoted.id FROM quoted JOIN conversations c ON c.id = quoted.conversation_id "
        f" WHERE {SUBJECT_MATCH} "
        f"UNION ALL SELECT quoted.id FROM quoted WHERE {likes}")


def tsquery(words: list[str]) -> str:
    """Every word, each as a prefix: 'refund':* & 'card':*."""
    return " & ".join(f"'{word}':*" for word in words)


# An incident's matching conversations, by their messages' newest match first, then by their subjects.
# The matching ids come from the GIN index first (ARRAY(...) is computed once, before the walk), and the
# walk down the primary key checks each row against them. Without that, a search read through a cursor
# (as search_page does) is planned to start fast: down the primary key, working out every message's
# tsvector until a page is full: 20 ms for a common word, but 2.4 s over 100k messages for a word that
# matches nothing (the board asks while the person is still typing).
CONVERSATIONS_BY_MESSAGE = (
    "SELECT m.conversation_id FROM messages m JOIN conversations c ON c.id = m.conversation_id "
    f"WHERE m.id = ANY (ARRAY({MATCHING_MESSAGE_IDS})) AND c.incident_id = :i ORDER BY m.id DESC")
CONVERSATIONS_BY_SUBJECT = (
    f"SELECT c.id FROM conversations c WHERE c.id = ANY (ARRAY({MATCHING_CONVERSATION_IDS})) "
    "AND c.incident_id = :i ORDER BY c.id DESC")


def search_conversation_ids(conn: Connection, incident_id: int, words: list[str], wanted: int) -> list[int]:
    """Up to `wanted` ids of the incident's matching conversations: by their messages first, newest first."""
    # a server-side cursor, so the rows stream and reading stops at a full page
    return search_page.first_ids(conn, (CONVERSATIONS_BY_MESSAGE, CONVERSATIONS_BY_SUBJECT),
                                 {"m": tsquery(words), "i": incident_id}, wanted,
                                 execution_options={"stream_results": True, "yield_per": 500})
