"""The version ladder: a file at an older format is backed up, then upgraded step by step; a file
whose format number does not match what it holds is refused before any backup or upgrade."""
import hashlib
import sqlite3

import pytest

from postmortem_desktop.storage import migrations
from postmortem_desktop.storage.workspace import AlteredWorkspaceError, open_workspace


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
            assert c.exec_driver_sql("PRAGMA user_version").scalar() == migrations.SCHEMA_VERSION == 6
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
    conn.execute("DROP TABLE message_external_ids")
    conn.execute("DROP TABLE incident_uids")  # format 6's
    conn.execute("INSERT INTO tags (name, description, color, position, built_in) VALUES ('kept', '', 0, 99, 0)")
    conn.execute("PRAGMA user_version = 4")
    conn.commit()
    conn.close()
    ws = open_workspace(path)
    try:
        with ws.engine.connect() as c:
            assert c.exec_driver_sql("PRAGMA user_version").scalar() == 6
            assert c.exec_driver_sql("SELECT COUNT(*) FROM message_external_ids").scalar() == 0
            assert c.exec_driver_sql("SELECT COUNT(*) FROM tags WHERE name = 'kept'").scalar() == 1
    finally:
        ws.close()
    old = sqlite3.connect(tmp_path / "v4.pmw.v4.bak")
    assert old.execute("SELECT name FROM sqlite_master WHERE name = 'message_external_ids'").fetchall() == []
    old.close()


def test_a_version_5_file_is_backed_up_then_gives_each_incident_a_uid(demo_copy, tmp_path):
    # Version 6 gives every incident a uid that a publish carries along (a second publish is recognised);
    # the incidents of an older file each get a different one, and nothing else changes.
    conn = sqlite3.connect(demo_copy)
    conn.execute("DROP TABLE incident_uids")
    conn.execute("PRAGMA user_version = 5")
    incidents = conn.execute("SELECT id, title FROM incidents ORDER BY id").fetchall()
    conn.commit()
    conn.close()
    ws = open_workspace(demo_copy)
    try:
        with ws.engine.connect() as c:
            assert c.exec_driver_sql("PRAGMA user_version").scalar() == 6
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
        conn.execute("DROP TABLE incident_uids")
        conn.execute("UPDATE workspace_format SET version = 5")
        count = conn.execute("SELECT COUNT(*) FROM incidents").fetchone()[0]
    ws = open_workspace(team_demo_url)
    try:
        with ws.engine.connect() as c:
            assert c.exec_driver_sql("SELECT version FROM workspace_format").scalar() == 6
            uids = c.exec_driver_sql("SELECT uid FROM incident_uids").scalars().all()
    finally:
        ws.close()
    assert len(uids) == count >= 2 and len(set(uids)) == count and all(len(uid) == 32 for uid in uids)
