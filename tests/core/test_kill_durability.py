"""SIGKILL in the middle of a burst of edits loses none that were committed, and corrupts nothing."""
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

from postmortem_desktop.services.incidents import IncidentService
from postmortem_desktop.storage.workspace import create_workspace, open_workspace

ROOT = Path(__file__).resolve().parents[2]


def test_sigkill_during_a_burst_of_edits_loses_nothing_committed(tmp_path):
    path = tmp_path / "burst.pmw"
    create_workspace(path).close()
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        from postmortem_desktop.storage.workspace import open_workspace
        from postmortem_desktop.services.incidents import CreateIncident, UpdateIncident
        ws = open_workspace({str(path)!r})
        n = 0
        while True:
            cmd = CreateIncident(title=f"edit {{n}}")
            cmd.do(ws)
            UpdateIncident(cmd.incident_id, service=f"service {{n}}").do(ws)
            print(n, flush=True)   # printed only after both commits returned
            n += 1
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    confirmed = -1
    for line in proc.stdout:
        confirmed = int(line)
        if confirmed >= 60:
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert confirmed >= 60

    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    conn.close()
    ws = open_workspace(path)
    try:
        assert not ws.read_only  # the dead process's lock went with it
        details = {s.title: s for s in IncidentService(ws).list_incidents()}
        for n in range(confirmed + 1):
            assert f"edit {n}" in details
            assert IncidentService(ws).get(details[f"edit {n}"].id).service == f"service {n}"
    finally:
        ws.close()
