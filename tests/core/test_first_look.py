"""The first look at a workspace file (services/first_look.py): the services' content, read without writing."""
from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys

from postmortem_desktop.services.first_look import first_look
from postmortem_desktop.services.incidents import IncidentService
from postmortem_desktop.services.timeline import TimelineService
from postmortem_desktop.storage.workspace import open_workspace


def test_the_first_look_shows_what_the_services_return(demo_copy):
    look = first_look(demo_copy)
    workspace = open_workspace(demo_copy)
    try:
        incidents = IncidentService(workspace).list_incidents()
        assert look is not None
        assert look.incidents == incidents and len(incidents) == 2
        assert look.incident_id == incidents[0].id
        assert look.timeline == TimelineService(workspace).timeline_data(incidents[0].id)
        assert look.timeline is not None and len(look.timeline.conversations.ids) > 0
        assert look.zone_name == "UTC"
    finally:
        workspace.close()


def test_the_first_look_leaves_the_file_as_it_was_and_its_lock_free(demo_copy):
    before = hashlib.sha256(demo_copy.read_bytes()).hexdigest()
    siblings = sorted(p.name for p in demo_copy.parent.iterdir())
    assert first_look(demo_copy) is not None
    assert hashlib.sha256(demo_copy.read_bytes()).hexdigest() == before
    # SQLite's read-only reader of a WAL file may leave its (empty) index files, which the open then uses
    added = sorted(set(p.name for p in demo_copy.parent.iterdir()) - set(siblings))
    assert set(added) <= {"demo.pmw-wal", "demo.pmw-shm"}
    workspace = open_workspace(demo_copy)  # the writer that follows still gets it for writing
    try:
        assert not workspace.read_only
    finally:
        workspace.close()


def test_the_first_look_passes_what_it_cannot_read_to_the_full_open(tmp_path):
    missing = tmp_path / "missing.pmw"
    assert first_look(missing) is None
    assert not missing.exists()  # not created by looking
    text = tmp_path / "notes.pmw"
    text.write_text("not a workspace")
    assert first_look(text) is None
    assert text.read_text() == "not a workspace"
    foreign = tmp_path / "foreign.pmw"
    with sqlite3.connect(foreign) as connection:  # a SQLite file, but whose tables are not a workspace's
        connection.execute("CREATE TABLE incidents (id INTEGER)")
    assert first_look(foreign) is None


def test_the_first_look_imports_no_sqlalchemy():
    code = ("import sys; from pathlib import Path; from postmortem_desktop.services.first_look import first_look; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'psycopg')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "[]"
