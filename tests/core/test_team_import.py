"""Bulk import on both engines, and what only a team workspace's COPY import must also get right.

A team workspace writes an import's new rows with COPY under ids it took from the tables' sequences
(storage/team_bulk.py), in one transaction: a grown dump adds only its new tickets, later edits of any
client get fresh ids, and a client killed in the middle of a COPY leaves nothing of its import behind.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text

from postmortem_desktop.services import spreadsheet_import
from postmortem_desktop.services.conversations import AddConversation, AddConversations, typed_note
from postmortem_desktop.services.incidents import CreateIncident
from postmortem_desktop.services.ticket_import import ImportOptions
from postmortem_desktop.storage.search_index import search_conversation_ids
from postmortem_desktop.storage.team_bulk import BULK_WRITER_PREFIX
from postmortem_desktop.storage.workspace import create_workspace, open_workspace
from tests.core.test_import_pipeline import T0, write_csv, zendesk_row
from tests.helpers import search_index_sound

ROOT = Path(__file__).resolve().parents[2]
ALL = ImportOptions(include_outside_window=True)


def rows(count: int, word: str = "spun") -> list[list[str]]:
    return [zendesk_row(n, (T0 + timedelta(minutes=n)).strftime("%Y-%m-%d %H:%M"), body=f"It {word} forever ({n}).")
            for n in range(1, count + 1)]


def import_file(workspace, incident: int, path: Path, *, parallel: bool):
    return spreadsheet_import.run_to_end(spreadsheet_import.import_path(workspace, incident, path, options=ALL,
                                                                        parallel=parallel))


def table_counts(conn) -> tuple[int, ...]:
    return tuple(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
                 for table in ("conversations", "messages", "customers", "import_batches"))


@pytest.fixture
def incident(workspace) -> int:
    command = CreateIncident(title="Billing", technical_start=T0, technical_end=T0 + timedelta(hours=2))
    command.do(workspace)
    return command.incident_id


@pytest.mark.parametrize("parallel", [False, True], ids=["in-process", "helper"])
def test_a_grown_dump_adds_only_its_new_tickets_and_later_rows_get_fresh_ids(workspace, incident, tmp_path,
                                                                             parallel):
    first = import_file(workspace, incident, write_csv(tmp_path / "a.csv", rows(30)), parallel=parallel)
    assert (first.imported, first.updated) == (30, 0)
    grown = import_file(workspace, incident, write_csv(tmp_path / "b.csv", rows(45)), parallel=parallel)
    assert (grown.imported, grown.updated, grown.unchanged) == (15, 0, 30)
    with workspace.engine.connect() as conn:
        assert table_counts(conn)[:2] == (45, 45)
        highest = conn.execute(text("SELECT max(id) FROM conversations")).scalar_one()
        assert len(search_conversation_ids(conn, incident, "forever")) == 45
    assert search_index_sound(workspace)
    # the ids the imports took are behind every later insert: the ORM's one row, then a bulk add's
    note = AddConversation(incident, typed_note("call", "Priya", "Customer paid twice.", T0, "agent"))
    note.do(workspace)
    assert note.conversation_id == highest + 1
    added = AddConversations(incident, [typed_note("chat", "Ana", "Still spinning", T0, "customer")],
                             batch_kind="transcript", file_name="chat.txt")
    added.do(workspace)
    assert added.conversation_ids == [highest + 2]
    third = import_file(workspace, incident, write_csv(tmp_path / "c.csv", rows(46)), parallel=parallel)
    assert (third.imported, third.unchanged) == (1, 45)
    with workspace.engine.connect() as conn:
        assert conn.execute(text("SELECT max(id) FROM conversations")).scalar_one() == highest + 3


# ---- a client killed in the middle of a COPY ---------------------------------------------------------------
# The child imports a dump into the team workspace in-process and, inside the COPY of its second chunk of
# messages (the first chunks are already in the server's transaction), says so and stops there: the COPY
# stays open on the server until the parent SIGKILLs the child.
CHILD = """
import sys, time
from postmortem_desktop.services import spreadsheet_import
from postmortem_desktop.services.ticket_import import ImportOptions
from postmortem_desktop.storage import team_bulk
from postmortem_desktop.storage.workspace import open_workspace

copy_rows = team_bulk.TeamCursor.copy_rows
copies = []

def stalling(self, table, columns, rows, constants=()):
    copies.append(table)
    def rows_then_stall():
        for n, row in enumerate(rows):
            if table == "messages" and copies.count("messages") == 2 and n == 100:
                print("copying", flush=True)
                time.sleep(600)
            yield row
    return copy_rows(self, table, columns, rows_then_stall(), constants)

team_bulk.TeamCursor.copy_rows = stalling
workspace = open_workspace(sys.argv[1])
steps = spreadsheet_import.import_path(workspace, int(sys.argv[2]), sys.argv[3],
                                       options=ImportOptions(include_outside_window=True), parallel=False)
spreadsheet_import.run_to_end(steps)
print("finished", flush=True)
"""


def _copying_backends(url: str) -> list[tuple]:
    with psycopg.connect(url, autocommit=True) as conn:
        # an import's connection is named for it while it holds the bulk tables (team_bulk.BULK_WRITER_PREFIX)
        return conn.execute("SELECT pid, query FROM pg_stat_activity WHERE datname = current_database() "
                            "AND application_name LIKE %s AND state = 'active' AND query LIKE 'COPY%%'",
                            (BULK_WRITER_PREFIX + "%",)).fetchall()


def _wait_until_gone(url: str, pid: int) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        for _ in range(200):
            if conn.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone() == (0,):
                return
            time.sleep(0.05)
    raise AssertionError(f"the killed client's server process {pid} is still there")


def test_a_client_killed_during_the_copy_leaves_nothing_and_the_workspace_still_imports(team_database, tmp_path):
    workspace = create_workspace(team_database)
    try:
        incident = CreateIncident(title="Billing", technical_start=T0, technical_end=T0 + timedelta(hours=2))
        incident.do(workspace)
        with workspace.engine.connect() as conn:
            before = table_counts(conn)
    finally:
        workspace.close()
    big = write_csv(tmp_path / "big.csv", rows(12_000, word="zyzzyva"))  # three chunks of 5,000 conversations
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p))
    child = subprocess.Popen([sys.executable, "-c", CHILD, team_database, str(incident.incident_id), str(big)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert child.stdout is not None
        said = child.stdout.readline().strip()
        assert said == "copying", child.stderr.read() if child.stderr else said
        copying = _copying_backends(team_database)
        assert [query.split("(")[0].strip() for _pid, query in copying] == ['COPY "messages"']
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    _wait_until_gone(team_database, copying[0][0])

    workspace = open_workspace(team_database)
    try:
        with workspace.engine.connect() as conn:
            assert table_counts(conn) == before  # nothing of the killed import: not its first chunks, not its batch
            assert search_conversation_ids(conn, incident.incident_id, "zyzzyva") == []
        # its locks went with it: the next import runs, and its rows are the only ones there
        summary = import_file(workspace, incident.incident_id, write_csv(tmp_path / "small.csv", rows(20)),
                              parallel=False)
        assert summary.imported == 20
        with workspace.engine.connect() as conn:
            assert table_counts(conn)[:2] == (before[0] + 20, before[1] + 20)
            assert len(search_conversation_ids(conn, incident.incident_id, "forever")) == 20
    finally:
        workspace.close()


def test_another_clients_conversation_waits_for_a_running_import_then_takes_an_id_after_its_own(team_database,
                                                                                              tmp_path):
    import threading

    importer = create_workspace(team_database)
    other = open_workspace(team_database)
    try:
        incident = CreateIncident(title="Billing", technical_start=T0, technical_end=T0 + timedelta(hours=2))
        incident.do(importer)
        steps = spreadsheet_import.import_path(importer, incident.incident_id,
                                               write_csv(tmp_path / "a.csv", rows(6_000)), options=ALL,
                                               parallel=False)
        next(steps)  # the import is under way: its ids are reserved and its first rows read
        note = AddConversation(incident.incident_id, typed_note("call", "Priya", "Paid twice.", T0, "agent"))
        failures: list[BaseException] = []

        def add_note() -> None:
            try:
                note.do(other)
            except BaseException as exc:  # reported below, in the test's thread
                failures.append(exc)

        adding = threading.Thread(target=add_note)
        adding.start()
        adding.join(timeout=1.0)
        assert adding.is_alive()  # its insert waits for the import's lock rather than taking one of its ids
        summary = spreadsheet_import.run_to_end(steps)
        adding.join(timeout=30)
        assert not adding.is_alive() and failures == []
        assert summary.imported == 6_000
        with importer.engine.connect() as conn:
            imported = conn.execute(text("SELECT max(id) FROM conversations WHERE external_id NOT LIKE 'CALL-%'")
                                    ).scalar_one()
            assert conn.execute(text("SELECT count(*) FROM conversations")).scalar_one() == 6_001
        assert note.conversation_id == imported + 1
    finally:
        other.close()
        importer.close()


def test_an_import_whose_conversation_and_customer_ids_multiply_past_32_bits_imports_and_undoes(workspace, incident,
                                                                                                  tmp_path):
    """A team workspace's ids are int4: the undo's digest multiplied a conversation's id by its customer's as int4,
    so every import failed ("integer out of range") once the two passed 2**31 together (about 237k conversations
    with 9,000 customers). Both engines import, and undo, with ids that large."""
    from postmortem_desktop.services.import_undo import UndoableImport
    from postmortem_desktop.storage.schema import Conversation, Customer

    with workspace.transaction() as session:
        if workspace.kind.value == "team":  # the next ids the sequences give
            session.execute(text("SELECT setval('conversations_id_seq', 100000), setval('customers_id_seq', 30000)"))
        else:  # a file numbers past the largest id there
            session.add_all([Customer(id=30000, name="Earlier"),
                             Conversation(id=100000, incident_id=incident, external_id="earlier", subject="Earlier")])
    summary = import_file(workspace, incident, write_csv(tmp_path / "dump.csv", rows(14)), parallel=False)
    assert summary.imported == 14
    with workspace.reading() as session:
        assert session.scalar(text("SELECT CAST(max(id) AS BIGINT) * max(customer_id) FROM conversations "
                                   "WHERE external_id <> 'earlier'")) > 2 ** 31
    UndoableImport(incident, summary, rerun=lambda: iter(())).undo(workspace)
    with workspace.reading() as session:
        assert session.scalar(text("SELECT count(*) FROM conversations WHERE external_id <> 'earlier'")) == 0


def test_a_running_import_names_its_user_to_the_other_clients_and_only_while_it_runs(team_database, monkeypatch):
    """storage/team_bulk.bulk_writer: whose import holds the bulk tables, as another client asks while it waits."""
    from postmortem_desktop.storage.team_bulk import bulk_transaction, bulk_writer

    monkeypatch.setenv("POSTMORTEM_USER", "Ana (support lead)")
    ana = create_workspace(team_database)
    monkeypatch.delenv("POSTMORTEM_USER")
    ben = open_workspace(team_database)
    try:
        assert bulk_writer(ben) is None
        with bulk_transaction(ana) as transaction:
            transaction.cursor.lock()  # what an import's first reserved id does (storage/bulk.next_id)
            assert bulk_writer(ben) == "Ana (support lead)"
            assert bulk_writer(ana) == "Ana (support lead)"  # another of Ana's connections: her own import
        assert bulk_writer(ben) is None  # rolled back: the pooled connection is no longer named
        with ana.engine.connect() as conn:
            assert conn.exec_driver_sql("SHOW application_name").scalar() == "postmortem"
    finally:
        ben.close()
        ana.close()


@pytest.mark.parametrize("name", ["José Núñez (support)", "นภา (ผู้จัดการฝ่ายบริการลูกค้า)"],
                         ids=["not-ascii", "too-long"])
def test_a_running_import_names_any_user_readably(team_database, monkeypatch, name):
    """The server keeps only 63 bytes of printable ASCII of a connection's name: a name outside that comes back
    whole (quoted on the way), and one too long for it is told by its database role, never as garbled bytes."""
    from postmortem_desktop.storage.team_bulk import bulk_transaction, bulk_writer

    monkeypatch.setenv("POSTMORTEM_USER", name)
    ana = create_workspace(team_database)
    monkeypatch.delenv("POSTMORTEM_USER")
    ben = open_workspace(team_database)
    try:
        with bulk_transaction(ana) as transaction:
            transaction.cursor.lock()
            with ana.engine.connect() as conn:
                role = conn.exec_driver_sql("SELECT current_user").scalar()
            assert bulk_writer(ben) == (name if name.startswith("José") else role)
    finally:
        ben.close()
        ana.close()
