"""Opening workspaces: refusals leave files untouched; a second process gets read-only access."""
import hashlib
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from postmortem_desktop.services.incidents import CreateIncident
from postmortem_desktop.storage import migrations
from postmortem_desktop.storage.workspace import (
    DamagedWorkspaceError,
    NewerWorkspaceError,
    NotAWorkspaceError,
    ReadOnlyWorkspaceError,
    WorkspaceError,
    create_workspace,
    open_workspace,
)

ROOT = Path(__file__).resolve().parents[2]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.file_only("WAL and SQLite pragmas are a file's")
def test_new_workspace_is_wal_with_foreign_keys_and_built_in_tags(workspace):
    with workspace.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA user_version").scalar() == migrations.SCHEMA_VERSION
        names = {r[0] for r in conn.exec_driver_sql("SELECT name FROM tags")}
    assert {"confusion", "trust-loss", "data-fear", "calming-wording", "worsening-wording"} <= names


def test_a_text_file_is_refused_as_not_a_workspace(tmp_path):
    path = tmp_path / "notes.pmw"
    path.write_text("this is not a database\n")
    before = digest(path)
    with pytest.raises(NotAWorkspaceError, match="not a workspace"):
        open_workspace(path)
    assert digest(path) == before


def test_an_empty_file_is_refused_as_not_a_workspace(tmp_path):
    path = tmp_path / "empty.pmw"
    path.write_bytes(b"")
    with pytest.raises(NotAWorkspaceError):
        open_workspace(path)
    assert path.read_bytes() == b""


def test_another_apps_sqlite_database_is_refused_untouched(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    before = digest(path)
    with pytest.raises(NotAWorkspaceError, match="not a postmortem workspace"):
        open_workspace(path)
    assert digest(path) == before


def _closed_workspace(path: Path) -> Path:
    ws = create_workspace(path)
    for n in range(30):
        CreateIncident(title=f"Incident {n} " + "x" * 300).do(ws)
    ws.close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    return path


def test_a_damaged_workspace_is_refused_untouched(tmp_path):
    path = _closed_workspace(tmp_path / "damaged.pmw")
    data = bytearray(path.read_bytes())
    page = 4096
    # scribble over the middle of the second page onward (b-tree pages), keep the header valid
    for i in range(page + 8, min(len(data), 4 * page), 7):
        data[i] = 0xA5
    path.write_bytes(bytes(data))
    before = digest(path)
    with pytest.raises(DamagedWorkspaceError, match="damaged"):
        open_workspace(path)
    assert digest(path) == before


def test_a_workspace_from_a_newer_version_is_refused_untouched(tmp_path):
    path = _closed_workspace(tmp_path / "future.pmw")
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {migrations.SCHEMA_VERSION + 1}")
    conn.close()
    before = digest(path)
    with pytest.raises(NewerWorkspaceError, match="newer version"):
        open_workspace(path)
    assert digest(path) == before


def test_a_missing_file_gets_a_clear_message(tmp_path):
    with pytest.raises(WorkspaceError, match="does not exist"):
        open_workspace(tmp_path / "nope.pmw")


@pytest.mark.file_only("a file's name; a team workspace's refusal is in test_team_workspace.py")
def test_create_refuses_to_overwrite(workspace):
    with pytest.raises(WorkspaceError, match="already exists"):
        create_workspace(workspace.path)


def test_second_process_gets_read_only_access_and_a_clear_refusal_to_write(tmp_path):
    path = tmp_path / "shared.pmw"
    ws = create_workspace(path)
    CreateIncident(title="Billing outage").do(ws)
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        from postmortem_desktop.storage.workspace import open_workspace, ReadOnlyWorkspaceError
        from postmortem_desktop.services.incidents import IncidentService, CreateIncident
        ws = open_workspace({str(path)!r})
        print("read_only", ws.read_only)
        print("titles", [s.title for s in IncidentService(ws).list_incidents()])
        try:
            CreateIncident(title="second writer").do(ws)
        except ReadOnlyWorkspaceError as exc:
            print("refused", "read-only" in str(exc))
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    ws.close()
    assert out.returncode == 0, out.stderr
    assert "read_only True" in out.stdout
    assert "titles ['Billing outage']" in out.stdout
    assert "refused True" in out.stdout
    reopened = open_workspace(path)
    assert not reopened.read_only
    reopened.close()


def test_read_only_workspace_refuses_commands_in_process_too(tmp_path):
    path = tmp_path / "twice.pmw"
    first = create_workspace(path)
    second = open_workspace(path)  # the lock is per open file, so this is the "other window"
    try:
        assert second.read_only
        with pytest.raises(ReadOnlyWorkspaceError):
            CreateIncident(title="x").do(second)
    finally:
        second.close()
        first.close()
