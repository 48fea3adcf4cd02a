"""Full-text search on a team workspace: PostgreSQL's tsvector over the GIN indexes migrations.py builds.

The same answers as the file's FTS5 search (storage/search_index.py) for the same words: the index
holds the words FTS5 sees (migrations.team_words: an email's, a URL's or a phone number's parts, accents
dropped); every word must appear, each as a prefix, newest message first. The user's words reach the server only as a
bound parameter; each is split where the indexes split text first (search_index.search_words), and every character of
query syntax is such a separator, so none is query syntax either.
"""
from __future__ import annotations

from sqlalchemy import Connection

from . import search_page
from .migrations import TEAM_WORDS, team_words

# The words asked for, through the same configuration as the index (so without their accents where the
# text's are dropped); each is split where the indexes split text already (search_index.search_words).
_ASKED = f"to_tsquery('{TEAM_WORDS}', :m)"
# exactly the indexed expressions (migrations.team_words), so the planner uses the GIN indexes
MESSAGE_MATCH = f"{team_words('m.text')} @@ {_ASKED}"
SUBJECT_MATCH = f"{team_words('c.subject')} @@ {_ASKED}"
MATCHING_MESSAGE_IDS = f"SELECT m.id FROM messages m WHERE {MESSAGE_MATCH}"
MATCHING_CONVERSATION_IDS = f"SELECT c.id FROM conversations c WHERE {SUBJECT_MATCH}"


# The ids of an incident's quote cards whose conversation matches :m (a message's text, or the subject).
# The quotes are matched first, and only the matching ones are checked for their incident, one primary-key
# look-up each: checking every quote's incident first read all 100k conversations of a large incident
# (a sequential scan, ~10 ms) before any word was matched. A common word's matching messages come from
# the GIN index and are hashed against the few thousand quotes (EXPLAIN ANALYZE, 100k conversations,
# 'refund' in 66k messages: 45-68 ms before, 35-48 ms after, and 8 ms less again since the card's own
# text is matched by the board, not by a LIKE here). Each id comes once.
QUOTED_MATCHES = (
    "WITH hits AS MATERIALIZED ("
    "SELECT q.id, q.conversation_id FROM quotes q JOIN messages m ON m.conversation_id = q.conversation_id "
    f" WHERE {MESSAGE_MATCH} "
    "UNION SELECT q.id, q.conversation_id FROM quotes q JOIN conversations c ON c.id = q.conversation_id "
    f" WHERE {SUBJECT_MATCH}) "
    "SELECT hits.id FROM hits JOIN conversations c ON c.id = hits.conversation_id WHERE c.incident_id = :i")


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
# ... but gathering every match of a common word is most of a first page's cost (85k ids: 30-36 ms over 100k
# messages). So the newest :k messages are tried first, each row's words worked out (about 60 us a row): a
# common word fills the page there (4-6 ms); a rarer one costs those rows (12-15 ms at 200) before the
# gathering above. Its rows are the newest of the same order, so the page reads the same either way.
NEWEST_CONVERSATIONS_BY_MESSAGE = (
    "SELECT m.conversation_id FROM (SELECT id, conversation_id, text FROM messages ORDER BY id DESC LIMIT :k) m "
    f"JOIN conversations c ON c.id = m.conversation_id WHERE {MESSAGE_MATCH} AND c.incident_id = :i "
    "ORDER BY m.id DESC LIMIT :w")
#: how many of the newest messages are tried first, for each conversation wanted on the page (at most NEWEST_MOST)
NEWEST_PER_WANTED, NEWEST_MOST = 4, 400
CONVERSATIONS_BY_SUBJECT = (
    f"SELECT c.id FROM conversations c WHERE c.id = ANY (ARRAY({MATCHING_CONVERSATION_IDS})) "
    "AND c.incident_id = :i ORDER BY c.id DESC")


def search_conversation_ids(conn: Connection, incident_id: int, words: list[str], wanted: int) -> list[int]:
    """Up to `wanted` ids of the incident's matching conversations: by their messages first, newest first."""
    # a server-side cursor, so the rows stream and reading stops at a full page
    newest = min(NEWEST_PER_WANTED * wanted, NEWEST_MOST)
    return search_page.first_ids(conn, (NEWEST_CONVERSATIONS_BY_MESSAGE, CONVERSATIONS_BY_MESSAGE,
                                        CONVERSATIONS_BY_SUBJECT),
                                 {"m": tsquery(words), "i": incident_id, "k": newest, "w": wanted}, wanted,
                                 execution_options={"stream_results": True, "yield_per": 500})
