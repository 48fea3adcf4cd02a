"""A bulk import's search mode: insert triggers set aside inside the transaction, put back exactly as they were."""
import sqlite3

import pytest

from postmortem_desktop.services.incidents import CreateIncident
from postmortem_desktop.storage import search_index
from postmortem_desktop.storage.workspace import open_workspace

INSERT_TRIGGERS = ("messages_search_insert", "conversations_search_insert")
pytestmark = pytest.mark.file_only("SQLite's triggers and FTS5 bulk mode; a team workspace's search has neither")


def triggers(conn: sqlite3.Connection) -> dict[str, str]:
    return dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"))


def test_a_bulk_sets_the_insert_triggers_aside_and_puts_them_back_word_for_word(workspace, tmp_path):
    path = tmp_path / "test.pmw"
    workspace.close()
    conn = sqlite3.connect(path, isolation_level=None)
    before = triggers(conn)
    assert set(INSERT_TRIGGERS) <= set(before)
    conn.execute("BEGIN IMMEDIATE")
    search_index.begin_bulk(conn.cursor())
    during = triggers(conn)
    # no per-row WHEN subquery while the rows go in: the triggers are not there at all
    assert not set(INSERT_TRIGGERS) & set(during)
    assert {name: sql for name, sql in before.items() if name not in INSERT_TRIGGERS} == during
    conn.execute("ROLLBACK")  # Cancel, or an error, mid-import: they come back with the rollback
    assert triggers(conn) == before
    assert conn.execute("SELECT bulk FROM search_state").fetchone() == (0,)

    conn.execute("BEGIN IMMEDIATE")
    search_index.begin_bulk(conn.cursor())
    search_index.end_bulk(conn.cursor())
    conn.execute("COMMIT")
    assert triggers(conn) == before
    conn.close()
    # the workspace's schema check (foreign or changed triggers are refused) still accepts it, and rows
    # written outside a bulk are indexed by the triggers again
    ws = open_workspace(path)
    try:
        create = CreateIncident(title="Search")
        create.do(ws)
        incident = create.incident_id
        with ws.engine.begin() as c:
            c.exec_driver_sql("INSERT INTO conversations (incident_id, channel, subject, status, customer_task, "
                              "symptom, pre_existing, vendor_tags) VALUES (?, 'chat', 'walrus', '', '', '', 0, '')",
                              (incident,))
            conversation = c.exec_driver_sql("SELECT max(id) FROM conversations").scalar()
            c.exec_driver_sql("INSERT INTO messages (conversation_id, position, author, role, text) "
                              "VALUES (?, 0, 'a', 'customer', 'narwhal')", (conversation,))
        with ws.engine.connect() as c:
            assert search_index.search_conversation_ids(c, incident, "narwhal") == [conversation]
            assert search_index.search_conversation_ids(c, incident, "walrus") == [conversation]
    finally:
        ws.close()
