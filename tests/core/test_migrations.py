"""The version ladder: a file at an older format is backed up, then upgraded step by step; a file
whose format number does not match what it holds is refused before any backup or upgrade."""
import hashlib
import sqlite3

import pytest

from postmortem_desktop.storage import migrations
from postmortem_desktop.storage.workspace import AlteredWorkspaceError, open_workspace
from tests.helpers import BEFORE_FORMAT_10


def _stamped_file(path, *statements):
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA application_id = {migrations.APPLICATION_ID}")
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()
    return path


def test_a_version_0_file_is_backed_up_then_upgraded(tmp_path):
    # Version 0 is a file stamped as a workspace before its tables were made: the oldest format there is.
    path = _stamped_file(tmp_path / "old.pmw")
    ws = open_workspace(path)
    try:
        with ws.engine.connect() as c:
            assert c.exec_driver_sql("PRAGMA user_version").scalar() == migrations.SCHEMA_VERSION
            tables = {r[0] for r in c.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"incidents", "conversations", "messages", "quotes", "conversation_search"} <= tables
    finally:
        ws.close()
    backup = tmp_path / "old.pmw.v0.bak"
    assert backup.exists()
    old = sqlite3.connect(backup)
    assert old.execute("PRAGMA user_version").fetchone()[0] == 0
    assert old.execute("SELECT name FROM sqlite_master").fetchall() == []
    old.close()


def test_a_version_0_file_holding_tables_is_refused_without_a_backup(tmp_path):
    # Before: the ladder ran over whatever was there, failed half way (exit 1) and left a new .bak
    # on every attempt.
    path = _stamped_file(tmp_path / "odd.pmw", "CREATE TABLE leftover (x)")
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    for _attempt in range(2):
        with pytest.raises(AlteredWorkspaceError, match="table `leftover`"):
            open_workspace(path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["odd.pmw"]


def test_every_ladder_step_exists_up_to_the_current_version():
    assert sorted(migrations.LADDER) == list(range(1, migrations.SCHEMA_VERSION + 1))


def test_a_version_3_file_is_backed_up_then_gains_the_thread_message_ids(tmp_path):
    # Version 4 keeps reply-chain dumps' message ids (a later reply joins its thread); a version 3
    # file is copied aside first and keeps everything it held.
    from postmortem_desktop.storage.workspace import create_workspace

    path = tmp_path / "v3.pmw"
    create_workspace(path).close()
    conn = sqlite3.connect(path)
    for statement in BEFORE_FORMAT_10:
        conn.execute(statement)
    conn.execute("DROP TABLE thread_message_ids")
    conn.execute("DROP TABLE message_external_ids")  # format 5's: a version 3 file has neither
    conn.execute("DROP TABLE incident_uids")  # nor format 6's
    conn.execute("INSERT INTO tags (name, description, color, position, built_in) VALUES ('kept', '', 0, 99, 0)")
    conn.execute("PRAGMA user_version = 3")
    conn.commit()
    conn.close()
    ws = open_workspace(path)
    try:
        with ws.engine.connect() as c:
            assert c.exec_driver_sql("PRAGMA user_version").scalar() == migrations.SCHEMA_VERSION
            assert c.exec_driver_sql("SELECT COUNT(*) FROM thread_message_ids").scalar() == 0
            assert c.exec_driver_sql("SELECT COUNT(*) FROM tags WHERE name = 'kept'").scalar() == 1
    finally:
        ws.close()
    old = sqlite3.connect(tmp_path / "v3.pmw.v3.bak")
    assert old.execute("PRAGMA user_version").fetchone()[0] == 3
    assert old.execute("SELECT name FROM sqlite_master WHERE name = 'thread_message_ids'").fetchall() == []
    old.close()


def test_a_version_4_file_is_backed_up_then_gains_the_message_external_ids(tmp_path):
    # Version 5 keeps each imported message's own id from its file; messages from before have none.
    from postmortem_desktop.storage.workspace import create_workspace

    path = tmp_path / "v4.pmw"
    create_workspace(path).close()
    conn = sqlite3.connect(path)
    for statement in BEFORE_FORMAT_10:
        conn.execute(statement)
    conn.execute("DROP TABLE message_external_ids")
    conn.execute("DROP TABLE incident_uids")  # format 6's
    conn.execute("INSERT INTO tags (name, description, color, position, built_in) VALUES ('kept', '', 0, 99, 0)")
    conn.execute("PRAGMA user_version = 4")
    conn.commit()
    conn.close()
    ws = open_workspace(path)
    try:
        with ws.engine.connect() as c:
            assert c.exec_driver_sql("PRAGMA user_version").scalar() == migrations.SCHEMA_VERSION
            assert c.exec_driver_sql("SELECT COUNT(*) FROM message_external_ids").scalar() == 0
            assert c.exec_driver_sql("SELECT COUNT(*) FROM tags WHERE name = 'kept'").scalar() == 1
    finally:
        ws.close()
    old = sqlite3.connect(tmp_path / "v4.pmw.v4.bak")
    assert old.execute("SELECT name FROM sqlite_master WHERE name = 'message_external_ids'").fetchall() == []
    old.close()


# What format 6 wrote beside each imported message id (one thread row per reply-chain message), and a
# message from before format 5 that has no own id: only its thread row knows it.
_FORMAT_6_THREAD_ROWS = (
    "INSERT INTO thread_message_ids (conversation_id, external_id) SELECT m.conversation_id, e.external_id "
    "FROM message_external_ids e JOIN messages m ON m.id = e.message_id",
    "DELETE FROM message_external_ids WHERE external_id = '2'",
)


def test_a_version_6_workspace_keeps_only_the_thread_ids_no_message_carries(workspace, workspace_kind, request,
                                                                           tmp_path):
    # Version 7 reads a message's thread from its own id; the thread rows that repeat one go, the one
    # for a message without an own id stays, and replies to either kind still join their thread.
    from datetime import UTC, datetime

    from postmortem_desktop.services import spreadsheet_import
    from postmortem_desktop.services.incidents import CreateIncident
    from postmortem_desktop.services.ticket_import import ImportOptions
    from tests.helpers import write_csv

    def at(minutes):
        return datetime(2026, 11, 18, 10, minutes, tzinfo=UTC).isoformat()

    def import_rows(ws, name, rows):
        plan = spreadsheet_import.prepare_import(write_csv(tmp_path / name, header, rows))
        spreadsheet_import.run_import(ws, incident, plan, ImportOptions(include_outside_window=True))

    header = ["tweet_id", "author_id", "inbound", "created_at", "text", "in_response_to_tweet_id"]
    command = CreateIncident(title="Billing", technical_start=datetime(2026, 11, 18, 10, tzinfo=UTC),
                             technical_end=datetime(2026, 11, 18, 11, tzinfo=UTC))
    command.do(workspace)
    incident = command.incident_id
    import_rows(workspace, "social.csv", [["1", "alice99", "True", at(0), "charged twice", ""],
                                          ["2", "AcmeHelp", "False", at(5), "DM us", "1"],
                                          ["3", "alice99", "True", at(10), "done", "2"],
                                          ["5", "bob_k", "True", at(20), "app down?", ""]])
    workspace.close()
    if workspace_kind == "team":
        url = request.getfixturevalue("team_database")
        with request.getfixturevalue("team_server").admin(url.rsplit("/", 1)[1]) as conn:
            for statement in (*BEFORE_FORMAT_10, *_FORMAT_6_THREAD_ROWS, "UPDATE workspace_format SET version = 6"):
                conn.execute(statement)
        upgraded = open_workspace(url)
    else:
        path = tmp_path / "test.pmw"
        _stamped_file(path, *BEFORE_FORMAT_10, *_FORMAT_6_THREAD_ROWS, "PRAGMA user_version = 6")
        upgraded = open_workspace(path)
    try:
        with upgraded.engine.connect() as c:
            version = "SELECT version FROM workspace_format" if workspace_kind == "team" else "PRAGMA user_version"
            assert c.exec_driver_sql(version).scalar() == migrations.SCHEMA_VERSION
            kept = c.exec_driver_sql("SELECT c.external_id, t.external_id FROM thread_message_ids t "
                                     "JOIN conversations c ON c.id = t.conversation_id").all()
        assert [tuple(row) for row in kept] == [("1", "2")]
        # a reply to the message only its thread row knows, and one to a message that carries its id
        import_rows(upgraded, "later.csv", [["7", "bob_k", "True", at(30), "me too", "2"],
                                            ["8", "AcmeHelp", "False", at(35), "fixed", "3"]])
        with upgraded.engine.connect() as c:
            threads = c.exec_driver_sql("SELECT c.external_id, COUNT(*) FROM messages m JOIN conversations c "
                                        "ON c.id = m.conversation_id GROUP BY c.external_id ORDER BY 1").all()
        assert [tuple(row) for row in threads] == [("1", 5), ("5", 1)]
    finally:
        upgraded.close()
    if workspace_kind == "file":
        old = sqlite3.connect(tmp_path / "test.pmw.v6.bak")
        assert old.execute("PRAGMA user_version").fetchone()[0] == 6
        assert old.execute("SELECT COUNT(*) FROM thread_message_ids").fetchone()[0] == 4  # as format 6 had them
        old.close()


def test_a_version_5_file_is_backed_up_then_gives_each_incident_a_uid(demo_copy, tmp_path):
    # Version 6 gives every incident a uid that a publish carries along (a second publish is recognised);
    # the incidents of an older file each get a different one, and nothing else changes.
    conn = sqlite3.connect(demo_copy)
    for statement in BEFORE_FORMAT_10:
        conn.execute(statement)
    conn.execute("DROP TABLE incident_uids")
    conn.execute("PRAGMA user_version = 5")
    incidents = conn.execute("SELECT id, title FROM incidents ORDER BY id").fetchall()
    conn.commit()
    conn.close()
    ws = open_workspace(demo_copy)
    try:
        with ws.engine.connect() as c:
            assert c.exec_driver_sql("PRAGMA user_version").scalar() == migrations.SCHEMA_VERSION
            uids = c.exec_driver_sql("SELECT incident_id, uid FROM incident_uids ORDER BY incident_id").all()
            assert c.exec_driver_sql("SELECT id, title FROM incidents ORDER BY id").all() == incidents
    finally:
        ws.close()
    assert [row[0] for row in uids] == [row[0] for row in incidents] and len(incidents) >= 2
    assert len({row[1] for row in uids}) == len(uids) and all(len(row[1]) == 32 for row in uids)
    old = sqlite3.connect(tmp_path / "demo.pmw.v5.bak")
    assert old.execute("PRAGMA user_version").fetchone()[0] == 5
    old.close()


def test_a_version_5_team_workspace_gives_each_incident_a_uid(team_server, team_demo_url):
    with team_server.admin(team_demo_url.rsplit("/", 1)[1]) as conn:
        for statement in BEFORE_FORMAT_10:
            conn.execute(statement)
        conn.execute("DROP TABLE incident_uids")
        conn.execute("UPDATE workspace_format SET version = 5")
        count = conn.execute("SELECT COUNT(*) FROM incidents").fetchone()[0]
    ws = open_workspace(team_demo_url)
    try:
        with ws.engine.connect() as c:
            assert c.exec_driver_sql("SELECT version FROM workspace_format").scalar() == migrations.SCHEMA_VERSION
            uids = c.exec_driver_sql("SELECT uid FROM incident_uids").scalars().all()
    finally:
        ws.close()
    assert len(uids) == count >= 2 and len(set(uids)) == count and all(len(uid) == 32 for uid in uids)


def test_an_older_file_opened_for_reading_only_is_left_untouched_and_says_how_to_upgrade_it(demo_copy, tmp_path):
    from postmortem_desktop.storage.workspace import ReadOnlyWorkspaceError

    conn = sqlite3.connect(demo_copy)
    for statement in BEFORE_FORMAT_10:
        conn.execute(statement)
    conn.execute("DROP TABLE incident_uids")
    conn.execute("PRAGMA user_version = 5")
    conn.commit()
    conn.close()
    before = hashlib.sha256(demo_copy.read_bytes()).hexdigest()
    with pytest.raises(ReadOnlyWorkspaceError) as refused:  # what `postmortem incidents` does
        open_workspace(demo_copy, read_only=True)
    assert "left untouched" in str(refused.value) and "open it once for writing" in str(refused.value)
    assert hashlib.sha256(demo_copy.read_bytes()).hexdigest() == before
    assert not list(tmp_path.glob("*.bak"))
