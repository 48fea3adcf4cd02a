"""The schema-version ladder, for both engines: one transaction per step, a file backed up before the first.

Why this ladder and not Alembic: every file ever written is checked against the schema this ladder
builds for its version (schema_check), the ladder is already the one record of what each version
is, and Alembic would add a second one plus a version table inside every file (a format change).
On PostgreSQL the same steps run, with the search index built the server's way (tsvector + GIN)
and the version kept in a one-row table, since there is no user_version; each step's DDL commits or
rolls back with its stamp, so a failed upgrade leaves the database as it was.
"""
from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Column, Connection, ForeignKey, Integer, MetaData, String, Table, Text, text
from sqlalchemy.exc import DBAPIError

from . import sqlite_files
from .schema import Base, UTCDateTime
from .word_separators import separators_pattern

APPLICATION_ID = 0x504D5744  # "PMWD": marks a SQLite file as one of our workspaces
SCHEMA_VERSION = 10

# Full-text search: message text through an external-content index over `messages` (the text is
# not stored twice), subjects in a small index of their own. Triggers keep both in step with every
# insert, delete and edit, except while a bulk import has set search_state.bulk = 1 inside its
# transaction (it also drops the two insert triggers there and makes them again before it commits):
# then it indexes its rows itself in one statement, which is about 3x faster than per-row triggers
# at 100k rows (storage/search_index.py).
SEARCH_DDL = (
    "CREATE TABLE search_state (bulk INTEGER NOT NULL)",
    "INSERT INTO search_state (bulk) VALUES (0)",
    # detail=column, columnsize=0: search needs words and prefixes, not phrases or ranking; the
    # index builds 1.4x faster (0.61 s vs 0.84 s per 100k messages) and answers as quickly.
    "CREATE VIRTUAL TABLE message_search USING fts5(text, content='messages', content_rowid='id', "
    "tokenize = 'unicode61 remove_diacritics 2', detail = column, columnsize = 0)",
    "CREATE VIRTUAL TABLE conversation_search USING fts5(subject, tokenize = 'unicode61 remove_diacritics 2', "
    "detail = none, columnsize = 0)",
    "CREATE TRIGGER messages_search_insert AFTER INSERT ON messages "
    "WHEN (SELECT bulk FROM search_state) = 0 BEGIN "
    "INSERT INTO message_search(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER messages_search_delete AFTER DELETE ON messages BEGIN "
    "INSERT INTO message_search(message_search, rowid, text) VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER messages_search_update AFTER UPDATE OF text ON messages BEGIN "
    "INSERT INTO message_search(message_search, rowid, text) VALUES ('delete', old.id, old.text); "
    "INSERT INTO message_search(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER conversations_search_insert AFTER INSERT ON conversations "
    "WHEN (SELECT bulk FROM search_state) = 0 BEGIN "
    "INSERT INTO conversation_search(rowid, subject) VALUES (new.id, new.subject); END",
    "CREATE TRIGGER conversations_search_delete AFTER DELETE ON conversations BEGIN "
    "DELETE FROM conversation_search WHERE rowid = old.id; END",
    "CREATE TRIGGER conversations_search_update AFTER UPDATE OF subject ON conversations BEGIN "
    "DELETE FROM conversation_search WHERE rowid = old.id; "
    "INSERT INTO conversation_search(rowid, subject) VALUES (new.id, new.subject); END",
)


# PostgreSQL's own full-text search: expression GIN indexes over the text itself (nothing stored
# twice, nothing to keep in step by hand). Version 1 built them over PostgreSQL's own words; version 8
# rebuilds them over the file's words (TEAM_WORDS_INDEX_DDL). Frozen, so old workspaces upgrade the same way.
TEAM_SEARCH_DDL = (
    "CREATE INDEX message_search ON messages USING gin (to_tsvector('simple', text))",
    "CREATE INDEX conversation_search ON conversations USING gin (to_tsvector('simple', subject))",
)

# The words of a text as a file's FTS5 index sees them (unicode61 remove_diacritics 2, above), on the
# server: every run of the characters FTS5 splits words at becomes a space first (word_separators.py),
# because PostgreSQL's own parser keeps an email, a host, a URL or "555-0163" whole (or splits them its
# own way), so none of their parts was found. Then the server's 'simple' words, lower-cased, without their
# accents where the server has unaccent (TEAM_WORDS). storage/team_search.py queries with exactly this
# expression, so the planner uses the GIN indexes; an import's COPY is indexed by it too (team_bulk.py).
TEAM_WORDS = "postmortem_words"  # the text search configuration: 'simple', with unaccent where the server allows


def team_words(column: str) -> str:
    """The indexed expression over column: its words as a tsvector (format 9 on)."""
    return _words_split_at(column, separators_pattern())


def _words_split_at(column: str, separators: str) -> str:
    return f"to_tsvector('{TEAM_WORDS}', regexp_replace({column}, {_sql_text(separators)}, ' ', 'g'))"


def _sql_text(value: str) -> str:
    """value as an SQL string constant. One holding a backslash (the separators' \\uXXXX) is written E'…' with the
    backslashes doubled: the same constant on every server, also one with standard_conforming_strings off, which
    would read '\\u0000' as an escape (the indexes and the queries must spell one constant)."""
    if "\\" not in value:
        return f"'{value}'"
    return "E'" + value.replace("\\", "\\\\") + "'"


# Format 8 split at whatever the server's locale said was not a letter or digit. Frozen for the ladder.
_V8_SEPARATORS = "[^[:alnum:]]+"
TEAM_WORDS_CONFIGURATION = f"CREATE TEXT SEARCH CONFIGURATION {TEAM_WORDS} (COPY = simple)"
# Run again over a workspace that has them (one stamped back by hand) it makes them afresh, as first.
TEAM_WORDS_DDL = (
    "DROP INDEX IF EXISTS message_search",
    "DROP INDEX IF EXISTS conversation_search",
    f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {TEAM_WORDS}",
    TEAM_WORDS_CONFIGURATION,
)
TEAM_WORDS_INDEX_DDL = (
    f"CREATE INDEX message_search ON messages USING gin ({_words_split_at('text', _V8_SEPARATORS)})",
    f"CREATE INDEX conversation_search ON conversations USING gin ({_words_split_at('subject', _V8_SEPARATORS)})",
)
# Format 9: the same, split where FTS5 splits (word_separators.py), not where the server's locale says.
TEAM_SEPARATORS_INDEX_DDL = (
    "DROP INDEX message_search",
    "DROP INDEX conversation_search",
    f"CREATE INDEX message_search ON messages USING gin ({team_words('text')})",
    f"CREATE INDEX conversation_search ON conversations USING gin ({team_words('subject')})",
)
# unaccent (a contrib extension, in Debian's postgresql package) is "trusted": a role that may CREATE in
# the database (its owner) may add it. word and numword: what a run of letters and digits holding one
# that is not ASCII can be to the parser (ASCII-only words have no accents to drop).
UNACCENT_DDL = (
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    f"ALTER TEXT SEARCH CONFIGURATION {TEAM_WORDS} ALTER MAPPING FOR word, numword WITH unaccent, simple",
)
# Why adding unaccent may fail, and the words are then kept with their accents: no right to add an
# extension (42501), none installed on the server (58P01), an unaccent dictionary out of reach (42704),
# a server that does not support it (0A000).
_NO_UNACCENT = frozenset({"42501", "58P01", "42704", "0A000"})
# The format number and application id of a team workspace (a file keeps them in its header).
TEAM_FORMAT_DDL = (
    "CREATE TABLE workspace_format (application_id INTEGER NOT NULL, version INTEGER NOT NULL)",
    f"INSERT INTO workspace_format (application_id, version) VALUES ({APPLICATION_ID}, 0)",
)


def is_team(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


# Tables of version 1 that a later step changed, as version 1 made them (frozen: the mapping has moved on).
# Format 10 added incident_history.decided_by. `incidents` is here only for the foreign key to name.
_V1 = MetaData()
Table("incidents", _V1, Column("id", Integer, primary_key=True))
V1_INCIDENT_HISTORY = Table(
    "incident_history", _V1,
    Column("id", Integer, primary_key=True),
    Column("incident_id", Integer, ForeignKey("incidents.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("at", UTCDateTime, nullable=False),
    Column("kind", String, nullable=False),
    Column("detail", Text, nullable=False),
)
CHANGED_LATER = frozenset({"incident_history"})


def _to_v1(conn: Connection) -> None:
    # Version 1 is the first released schema: the current mapping, but for the tables added by a later step
    # (ADDED_LATER) and those a later step changed, built here as version 1 had them (CHANGED_LATER).
    if is_team(conn):
        for statement in TEAM_FORMAT_DDL:
            conn.exec_driver_sql(statement)
    Base.metadata.create_all(conn, tables=[t for t in Base.metadata.sorted_tables
                                           if t.name not in ADDED_LATER | CHANGED_LATER])
    _V1.create_all(conn, tables=[V1_INCIDENT_HISTORY])
    for statement in TEAM_SEARCH_DDL if is_team(conn) else SEARCH_DDL:
        conn.exec_driver_sql(statement)


def _to_v2(conn: Connection) -> None:
    # Version 2 stores each review answer that is also a close-out fact (vocabulary.RECORD_FIELD_OF_ANSWER)
    # once, in the incident's close-out field. An answer typed before moves there; where both were
    # typed and differ, the answer is kept after the field's text, so nothing a person wrote is lost.
    # The mapping is frozen here so that old files keep upgrading the same way.
    for question, field in (("task", "most_broken_task"), ("workaround", "first_workaround")):
        answer = ("(SELECT a.answer FROM review_answers a "
                  f"WHERE a.incident_id = incidents.id AND a.question = '{question}')")
        # the blank line between the two texts is a bound value: SQLite spells it char(10), PostgreSQL chr(10)
        conn.execute(text(
            f"UPDATE incidents SET {field} = CASE "
            f"WHEN trim(coalesce({field}, '')) = '' THEN {answer} "
            f"WHEN trim({field}) = trim({answer}) THEN {field} "
            f"ELSE {field} || :blank_line || {answer} END "
            f"WHERE trim(coalesce({answer}, '')) <> ''"), {"blank_line": "\n\n"})
        conn.exec_driver_sql(f"UPDATE review_answers SET answer = '' WHERE question = '{question}'")


def _to_v3(conn: Connection) -> None:
    # Version 3 attributes each edit of an incident in a team workspace to its user (schema.EditRecord).
    Base.metadata.create_all(conn, tables=[Base.metadata.tables["incident_edits"]])


def _to_v4(conn: Connection) -> None:
    # Version 4 keeps the message ids of reply-chain dumps, so a later reply joins its thread
    # (schema.ThreadMessageId). Messages imported before have none: their replies start a thread.
    Base.metadata.create_all(conn, tables=[Base.metadata.tables["thread_message_ids"]])


def _to_v5(conn: Connection) -> None:
    # Version 5 keeps each imported message's own id from its file (schema.MessageExternalId), so
    # `postmortem conversations --json` names the message, not only its conversation. Messages
    # imported before have none.
    Base.metadata.create_all(conn, tables=[Base.metadata.tables["message_external_ids"]])


def _to_v6(conn: Connection) -> None:
    # Version 6 gives each incident a uid that stays with it when it is published to a team workspace or
    # saved to a file (schema.IncidentUid), so a second publish is recognised. Incidents made before get
    # a random one here, each engine's own way (32 hex digits, as schema.new_incident_uid makes them).
    Base.metadata.create_all(conn, tables=[Base.metadata.tables["incident_uids"]])
    random_hex = "md5(random()::text || clock_timestamp()::text || id::text)" if is_team(conn) \
        else "lower(hex(randomblob(16)))"
    conn.exec_driver_sql(f"INSERT INTO incident_uids (incident_id, uid) SELECT id, {random_hex} FROM incidents")


def _to_v7(conn: Connection) -> None:
    # Version 7 reads which thread a reply-chain dump's message id is in from the message's own id
    # (message_external_ids: its message, whose conversation is the thread), so an import no longer
    # writes every id a second time into thread_message_ids (a fifth of a 100k-message import's
    # writing). The ids that table holds twice go; it keeps only those no stored message carries
    # (messages imported between formats 4 and 5 have no own id), and the lookup reads both
    # (services/ticket_store.stored_thread_ids). The same SQL on both engines.
    conn.exec_driver_sql(
        "DELETE FROM thread_message_ids WHERE EXISTS (SELECT 1 FROM message_external_ids e "
        "JOIN messages m ON m.id = e.message_id WHERE m.conversation_id = thread_message_ids.conversation_id "
        "AND e.external_id = thread_message_ids.external_id)")


def _to_v8(conn: Connection) -> None:
    # Version 8 makes a team workspace's search find what a file's finds: its indexes over the words as
    # FTS5 sees them (team_words), not PostgreSQL's parser's. A file's FTS5 index already does: nothing.
    if not is_team(conn):
        return
    for statement in TEAM_WORDS_DDL:
        conn.exec_driver_sql(statement)
    _drop_accents_where_allowed(conn)
    for statement in TEAM_WORDS_INDEX_DDL:
        conn.exec_driver_sql(statement)


def _to_v9(conn: Connection) -> None:
    # Version 9 splits a team workspace's words where a file's FTS5 index splits them (TEAM_SEPARATORS_INDEX_DDL):
    # a Thai, Hindi, Arabic or Hebrew word a file finds is found, whatever the server's locale. A file: nothing.
    if is_team(conn):
        for statement in TEAM_SEPARATORS_INDEX_DDL:
            conn.exec_driver_sql(statement)


def _to_v10(conn: Connection) -> None:
    # Version 10 says who made each decision (incident_history.decided_by: a team workspace's user; "" for a
    # file, one person's, and for every decision recorded before), and who changed a card's columns and the
    # columns themselves (schema.CardEdit, schema.WorkspaceEdit), so a conflict over them names the teammate.
    # The same DDL on both engines. The two tables come from the mapping, as steps 3 to 6 make theirs: a step
    # that changes one later freezes its shape here first, as V1_INCIDENT_HISTORY is.
    conn.exec_driver_sql("ALTER TABLE incident_history ADD COLUMN decided_by VARCHAR DEFAULT '' NOT NULL")
    Base.metadata.create_all(conn, tables=[Base.metadata.tables["card_edits"], Base.metadata.tables["workspace_edits"]])


def _drop_accents_where_allowed(conn: Connection) -> None:
    """The words without their accents, as a file's, when the server lets this role add unaccent.

    Otherwise (a role that may create tables but not extensions, a server without contrib) the
    workspace is still made or upgraded: "café" is then found as written, not by "cafe"
    (docs/architecture.md, team workspaces). Index and queries use the same configuration either way.
    """
    try:
        with conn.begin_nested():
            for statement in UNACCENT_DDL:
                conn.exec_driver_sql(statement)
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) not in _NO_UNACCENT:
            raise


# Tables of the mapping that a later step adds, not version 1 (which builds the rest of the mapping)
ADDED_LATER = frozenset({"incident_edits", "thread_message_ids", "message_external_ids", "incident_uids", "card_edits",
                         "workspace_edits"})
LADDER: dict[int, Callable[[Connection], None]] = {1: _to_v1, 2: _to_v2, 3: _to_v3, 4: _to_v4, 5: _to_v5, 6: _to_v6,
                                                   7: _to_v7, 8: _to_v8, 9: _to_v9, 10: _to_v10}


def upgrade(conn_factory: Callable[[], Connection], from_version: int) -> None:
    """Runs every step above from_version, each in its own transaction, stamping the version."""
    upgrade_to(conn_factory, from_version, SCHEMA_VERSION)


def upgrade_to(conn_factory: Callable[[], Connection], from_version: int, to_version: int) -> None:
    """Runs the steps from from_version up to to_version (also builds the expected schema of a version)."""
    for version in range(from_version + 1, to_version + 1):
        with conn_factory() as conn:
            if is_team(conn) and _done_by_another_client(conn, version):
                conn.commit()
                continue
            LADDER[version](conn)
            _stamp(conn, version)
            conn.commit()


def _done_by_another_client(conn: Connection, version: int) -> bool:
    """Several clients may upgrade one team workspace at once: one step at a time, each step once."""
    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": APPLICATION_ID})
    if conn.scalar(text("SELECT to_regclass('workspace_format')")) is None:
        return False
    return bool(conn.scalar(text("SELECT version FROM workspace_format")) >= version)


def _stamp(conn: Connection, version: int) -> None:
    if is_team(conn):
        conn.execute(text("UPDATE workspace_format SET version = :v"), {"v": version})
    else:
        conn.exec_driver_sql(f"PRAGMA user_version = {int(version)}")


def backup_file(path: Path, from_version: int) -> Path:
    """Copies the workspace with SQLite's online backup before a migration touches it."""
    target = path.with_name(f"{path.name}.v{from_version}.bak")
    n = 1
    while target.exists():
        target = path.with_name(f"{path.name}.v{from_version}.{n}.bak")
        n += 1
    src = sqlite_files.connect(path, read_only=True)
    try:
        dst = sqlite3.connect(os.fspath(target))
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    return target
