"""One workspace, one writer: exclusivity follows the file (hard links, symlinks, renames), not its name,
and a refused writer gets a message and exit 3 with nothing changed."""
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from postmortem_desktop.cli import main
from postmortem_desktop.services.incidents import CreateIncident
from postmortem_desktop.storage.workspace import ReadOnlyWorkspaceError, create_workspace, open_workspace

ROOT = Path(__file__).resolve().parents[2]

TICKETS = "Ticket ID,Subject,Created at,Requester,Description\n" + "".join(
    f"{n},Card declined {n},2026-11-18 10:{n:02d},Customer {n},My card was declined again\n" for n in range(1, 21)
)


def conversation_count(path: Path) -> int:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT count(*) FROM conversations").fetchone()[0]
    finally:
        conn.close()


class Holder:
    """Another process that opens the workspace for writing and keeps it until told to stop."""

    def __init__(self, path: Path):
        script = textwrap.dedent(f"""
            import sys
            sys.path.insert(0, {str(ROOT)!r})
            from postmortem_desktop.storage.workspace import open_workspace
            ws = open_workspace({str(path)!r})
            print("writer" if not ws.read_only else "reader", flush=True)
            sys.stdin.readline()
            ws.close()
        """)
        self.process = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True)
        self.role = self.process.stdout.readline().strip()

    def stop(self) -> None:
        self.process.communicate("\n", timeout=30)


@pytest.fixture
def incident_workspace(tmp_path) -> Path:
    path = tmp_path / "w.pmw"
    ws = create_workspace(path)
    CreateIncident(title="Card payments failing").do(ws)
    ws.close()
    return path


@pytest.fixture
def tickets(tmp_path) -> Path:
    path = tmp_path / "tickets.csv"
    path.write_text(TICKETS)
    return path


def test_an_import_through_a_hard_link_is_refused_not_lost(incident_workspace, tickets, capsys):
    # Before: two imports through two names both exited 0 and one was silently gone, because SQLite
    # keeps one journal per name. Now a file with other names is never written, through any name.
    other_name = incident_workspace.with_name("w2.pmw")
    os.link(incident_workspace, other_name)
    for name in (other_name, incident_workspace):
        assert main(["import", str(name), str(tickets), "--incident", "1"]) == 3
        err = capsys.readouterr().err
        assert "hard link" in err and "Copy it" in err
    assert conversation_count(incident_workspace) == 0
    ws = open_workspace(other_name)
    try:
        assert ws.read_only and "hard link" in ws.read_only_reason
    finally:
        ws.close()


def test_the_lock_is_on_the_file_so_a_symlink_or_a_new_name_meets_it(incident_workspace, tickets, capsys):
    holder = Holder(incident_workspace)
    try:
        assert holder.role == "writer"
        link = incident_workspace.with_name("link.pmw")
        link.symlink_to(incident_workspace)
        ws = open_workspace(link)
        try:
            assert ws.read_only
            assert ws.path == incident_workspace.resolve()  # SQLite's -wal is named after the real file
            assert f"process {holder.process.pid}" in ws.read_only_reason
        finally:
            ws.close()
        renamed = incident_workspace.with_name("renamed.pmw")
        os.rename(incident_workspace, renamed)  # the holder keeps the file, whatever it is called
        assert main(["import", str(renamed), str(tickets), "--incident", "1"]) == 3
        err = capsys.readouterr().err
        assert err.startswith("refused:") and f"process {holder.process.pid}" in err
        assert conversation_count(renamed) == 0
    finally:
        holder.stop()
    assert not list(incident_workspace.parent.glob("*.lock"))  # no sidecar lock to delete or replace


def test_a_second_writer_through_the_same_name_gets_exit_3_and_changes_nothing(incident_workspace, tickets,
                                                                             capsys):
    holder = Holder(incident_workspace)
    try:
        assert main(["import", str(incident_workspace), str(tickets), "--incident", "1"]) == 3
        assert "is editing it" in capsys.readouterr().err
        assert main(["reopen", str(incident_workspace), "--incident", "1", "--reason", "x"]) == 3
    finally:
        holder.stop()
    assert conversation_count(incident_workspace) == 0
    assert main(["import", str(incident_workspace), str(tickets), "--incident", "1"]) == 0
    assert conversation_count(incident_workspace) == 20


def test_another_sqlite_program_writing_is_named_and_refused_with_exit_3(incident_workspace, tickets, capsys):
    # Before: exit 1 and the raw "database is locked" SQL. SQLite's own lock refuses us; we say who holds it.
    script = textwrap.dedent(f"""
        import sqlite3, sys
        conn = sqlite3.connect({str(incident_workspace)!r}, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        print("holding", flush=True)
        sys.stdin.readline()
        conn.execute("ROLLBACK")
    """)
    other = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             text=True)
    try:
        assert other.stdout.readline().strip() == "holding"
        assert main(["import", str(incident_workspace), str(tickets), "--incident", "1"]) == 3
        err = capsys.readouterr().err
        assert f"process {other.pid}" in err and "nothing was changed" in err
        assert "database is locked" not in err
    finally:
        other.communicate("\n", timeout=30)
    assert conversation_count(incident_workspace) == 0


def test_in_process_the_second_window_is_read_only_and_says_so(incident_workspace):
    first = open_workspace(incident_workspace)
    second = open_workspace(incident_workspace.with_name("w.pmw"))
    try:
        assert not first.read_only and second.read_only
        assert "another window of this app" in second.read_only_reason
        with pytest.raises(ReadOnlyWorkspaceError, match="another window"):
            CreateIncident(title="x").do(second)
    finally:
        first.close()  # the writer closes first: the reader's SQLite connections must keep working
        with second.reading() as session:
            assert session.execute(__import__("sqlalchemy").text("SELECT count(*) FROM incidents")).scalar() == 1
        second.close()
    again = open_workspace(incident_workspace)
    assert not again.read_only
    again.close()


def test_a_leftover_lock_name_beside_the_file_changes_nothing(incident_workspace, tickets):
    # Before: a folder called w.pmw.lock made every command exit 1; the lock no longer lives beside the file.
    incident_workspace.with_name("w.pmw.lock").mkdir()
    assert main(["import", str(incident_workspace), str(tickets), "--incident", "1"]) == 0
    assert conversation_count(incident_workspace) == 20


WRITER = """
import sys, time
sys.path.insert(0, {root!r})
from postmortem_desktop.services.settings import SetSetting
from postmortem_desktop.storage.workspace import WorkspaceError, open_workspace
ws = open_workspace({path!r})
print("open", flush=True)
saved = refused = 0
for n in range(int(sys.argv[1])):
    try:
        SetSetting(f"k{{n}}", "v").do(ws)
        saved += 1
    except WorkspaceError as exc:
        refused += 1
        last = str(exc)
    if n == 5:
        print("ready", flush=True)
        sys.stdin.readline()
ws.close()
print("saved", saved, "refused", refused, flush=True)
if refused:
    print("message", last, flush=True)
"""


def _settings_count(path: Path) -> int:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT count(*) FROM workspace_settings WHERE key LIKE 'k%'").fetchone()[0]
    finally:
        conn.close()


def test_a_workspace_renamed_while_open_keeps_what_was_saved_and_refuses_the_rest(incident_workspace):
    # Before: SQLite's journal kept the old name, every later edit went there, and the renamed file had
    # none of them (the adversarial re-check lost 78 of 78).
    writer = subprocess.Popen([sys.executable, "-c", WRITER.format(root=str(ROOT), path=str(incident_workspace)),
                               "12"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert writer.stdout.readline().strip() == "open"
    assert writer.stdout.readline().strip() == "ready"
    moved = incident_workspace.with_name("moved.pmw")
    os.rename(incident_workspace, moved)
    out, _ = writer.communicate("\n", timeout=60)
    saved = int(out.split()[1])
    assert saved == 6 and "refused 6" in out and "renamed, moved or replaced" in out
    assert _settings_count(moved) == saved  # the six saved before the rename are in the file itself


def test_a_workspace_replaced_while_open_cannot_be_opened_beside_the_old_ones_journal(incident_workspace, tickets,
                                                                                    capsys):
    # Before: mv w.pmw moved.pmw; cp moved.pmw w.pmw; then an import of w.pmw shared the open file's
    # journal (same name) and 74 of 156 edits were lost.
    writer = subprocess.Popen([sys.executable, "-c", WRITER.format(root=str(ROOT), path=str(incident_workspace)),
                               "12"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "open"
        assert writer.stdout.readline().strip() == "ready"
        moved = incident_workspace.with_name("moved.pmw")
        os.rename(incident_workspace, moved)
        shutil.copy(moved, incident_workspace)
        assert main(["import", str(incident_workspace), str(tickets), "--incident", "1"]) == 3
        assert f"process {writer.pid}" in capsys.readouterr().err
    finally:
        writer.communicate("\n", timeout=60)
    assert conversation_count(incident_workspace) == 0


def test_a_new_workspace_never_takes_in_a_journal_left_under_its_name(tmp_path, capsys):
    # Before: a stale w.pmw-wal from another file was read into the fresh demo (its titles, its deletions).
    (tmp_path / "w.pmw-wal").write_bytes(b"\0" * 4096)
    assert main(["demo", str(tmp_path / "w.pmw")]) == 4
    assert "left over from an earlier file" in capsys.readouterr().err
    assert not (tmp_path / "w.pmw").exists()
