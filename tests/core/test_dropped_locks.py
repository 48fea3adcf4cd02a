"""A writer whose SQLite locks were dropped behind its back loses nothing to a reader in another process.

POSIX drops every fcntl lock a process holds on a file when it closes *any* descriptor of that file.
Qt does exactly that when it sniffs a file's type (QMimeDatabase, which file dialogs use to show a
folder): with a workspace open in the app, opening the Import dialog in the workspace's folder left
the app holding none of SQLite's locks. The next program to close the workspace (the command line, a
second window) then believed it was the last user, checkpointed, and deleted the -wal and -shm files;
the app went on committing into the deleted journal, and its later edits were lost when it stopped.
"""
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from postmortem_desktop.services.incidents import CreateIncident, IncidentService
from postmortem_desktop.storage.workspace import create_workspace, open_workspace

ROOT = Path(__file__).resolve().parents[2]


def titles_seen_by_another_process(path: Path) -> list[str]:
    """What a second process of this app reads from the workspace (it opens it read-only and closes it)."""
    script = textwrap.dedent(f"""
        import json, sys
        sys.path.insert(0, {str(ROOT)!r})
        from postmortem_desktop.storage.workspace import open_workspace
        from postmortem_desktop.services.incidents import IncidentService
        ws = open_workspace({str(path)!r})
        assert ws.read_only, "the app in the test process holds the writer's lock"
        print(json.dumps(sorted(i.title for i in IncidentService(ws).list_incidents())))
        ws.close()
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60)
    return json.loads(out.stdout)


def drop_this_process_locks(path: Path) -> None:
    """What Qt's type sniffing does to the file: open a second descriptor of it, read, close it."""
    fd = os.open(path, os.O_RDONLY)
    os.read(fd, 64)
    os.close(fd)


def test_a_reader_closing_after_the_writers_locks_were_dropped_keeps_the_writers_journal(tmp_path):
    path = tmp_path / "w.pmw"
    create_workspace(path).close()
    ws = open_workspace(path)
    try:
        assert not ws.read_only
        CreateIncident(title="Card payments failing").do(ws)
        drop_this_process_locks(path)
        assert titles_seen_by_another_process(path) == ["Card payments failing"]
        assert Path(f"{path}-wal").exists(), "a reader deleted the journal the writer is still using"
        CreateIncident(title="Refunds delayed").do(ws)  # committed after the reader came and went
        assert titles_seen_by_another_process(path) == ["Card payments failing", "Refunds delayed"]
    finally:
        ws.close()
    reopened = open_workspace(path)  # after the writer closed: both edits are in the file itself
    try:
        assert sorted(i.title for i in IncidentService(reopened).list_incidents()) == [
            "Card payments failing", "Refunds delayed"]
    finally:
        reopened.close()
