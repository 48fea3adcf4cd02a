"""The version ladder: a file at an older format is backed up, then upgraded step by step."""
import sqlite3

from postmortem_desktop.storage import migrations
from postmortem_desktop.storage.workspace import open_workspace


def test_a_version_0_file_is_backed_up_then_upgraded(tmp_path):
    # Version 0 is what a crash between stamping the file and creating its tables leaves behind.
    path = tmp_path / "old.pmw"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA application_id = {migrations.APPLICATION_ID}")
    conn.execute("CREATE TABLE leftover (x)")
    conn.commit()
    conn.close()
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
    assert old.execute("SELECT name FROM sqlite_master").fetchall() == [("leftover",)]
    old.close()


def test_every_ladder_step_exists_up_to_the_current_version():
    assert sorted(migrations.LADDER) == list(range(1, migrations.SCHEMA_VERSION + 1))
