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


def indexes(conn: sqlite3.Connection) -> dict[str, str]:
    return dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'conversations' "
                             "AND sql IS NOT NULL ORDER BY name"))


def test_an_import_into_a_small_workspace_builds_the_conversation_indexes_once_after_its_rows(workspace, tmp_path):
    from datetime import UTC, datetime, timedelta

    from postmortem_desktop.services import spreadsheet_import, ticket_store
    from tests.helpers import write_csv

    path = tmp_path / "test.pmw"
    create = CreateIncident(title="Billing", technical_start=datetime(2026, 11, 18, 10, tzinfo=UTC),
                            technical_end=datetime(2026, 11, 18, 11, tzinfo=UTC))
    create.do(workspace)
    workspace.close()
    conn = sqlite3.connect(path, isolation_level=None)
    before = indexes(conn)
    assert set(ticket_store.SORTED_LATER) <= set(before)
    conn.execute("BEGIN IMMEDIATE")
    ticket_store.begin(conn.cursor())
    assert not set(ticket_store.SORTED_LATER) & set(indexes(conn))  # no b-tree insert per row meanwhile
    conn.execute("ROLLBACK")
    assert indexes(conn) == before
    conn.close()

    # a whole import: the indexes are back word for word, and hold every row (integrity_check reads them)
    start = datetime(2026, 11, 18, 10, 5)
    rows = [[str(n), f"Customer {n % 7}", f"c{n % 7}@example.com", (start + timedelta(minutes=n % 50)).strftime(
        "%Y-%m-%d %H:%M"), f"Subject {n}", "I was charged twice"] for n in range(1, 300)]
    csv_path = write_csv(tmp_path / "dump.csv", ["Id", "Requester", "Requester email", "Created at", "Subject",
                                                 "Description"], rows)
    ws = open_workspace(path)
    try:
        summary = spreadsheet_import.run_import(ws, create.incident_id, spreadsheet_import.prepare_import(csv_path))
        assert summary.imported == 299
    finally:
        ws.close()
    conn = sqlite3.connect(path)
    assert indexes(conn) == before
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    plan = " ".join(row[-1] for row in conn.execute(
        "EXPLAIN QUERY PLAN SELECT id FROM conversations WHERE incident_id = ? ORDER BY first_at", (1,)))
    assert "ix_conversations_incident_first" in plan
    conn.close()


def test_a_workspace_holding_many_conversations_keeps_its_indexes_through_an_import(workspace, tmp_path,
                                                                                   monkeypatch):
    from postmortem_desktop.services import ticket_store

    monkeypatch.setattr(ticket_store, "SORT_LATER_UP_TO", 0)  # stands for a workspace of 20,000+ conversations
    create = CreateIncident(title="Billing")
    create.do(workspace)
    with workspace.engine.begin() as c:
        c.exec_driver_sql("INSERT INTO conversations (incident_id, channel, subject, status, customer_task, "
                          "symptom, pre_existing, vendor_tags) VALUES (?, 'chat', 's', '', '', '', 0, '')",
                          (create.incident_id,))
    workspace.close()
    conn = sqlite3.connect(tmp_path / "test.pmw", isolation_level=None)
    before = indexes(conn)
    conn.execute("BEGIN IMMEDIATE")
    ticket_store.begin(conn.cursor())
    assert indexes(conn) == before  # rebuilding them would read every stored row
    conn.execute("ROLLBACK")
    conn.close()
