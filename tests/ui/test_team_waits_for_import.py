"""An edit of conversations waits while a teammate's import holds them on a team workspace (issue 18): the window
says whose import it waits for, with a wait cursor, instead of stopping without a word; the edit is saved when the
import commits, and the note goes away. An on-screen review found a call note's OK frozen for an import's 10 s."""
from __future__ import annotations

import threading
from datetime import UTC, datetime

import psycopg
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from postmortem_desktop.services.conversations import AddConversation, typed_note
from postmortem_desktop.services.incidents import IncidentService
from postmortem_desktop.storage.bulk import LOCK_BULK_TABLES
from postmortem_desktop.storage.team_bulk import BULK_WRITER_PREFIX, bulk_writer
from postmortem_desktop.storage.workspace_kind import team_url

HOLD_S = 1.0  # how long the teammate's "import" holds the tables once the edit waits


def _holding_the_bulk_tables(url: str, name: str) -> psycopg.Connection:
    """A teammate's import in the middle of its transaction, as storage/team_bulk.TeamCursor.lock leaves it."""
    holder = psycopg.connect(team_url(url).render_as_string(hide_password=False).replace("+psycopg", ""))
    holder.execute("SELECT set_config('application_name', %s, true)", (BULK_WRITER_PREFIX + name,))
    holder.execute(LOCK_BULK_TABLES)
    return holder


def test_a_call_note_waits_for_anas_import_and_says_so_then_is_saved(qtbot, team_window, team_demo_url):
    window = team_window
    workspace = window.hub.workspace
    incident_id = IncidentService(workspace).list_incidents()[0].id
    holder = _holding_the_bulk_tables(team_demo_url, "Ana (support lead)")
    seen: list[tuple[str, object]] = []

    def while_waiting(_message: str) -> None:  # after the window's own slot: what the person sees meanwhile
        cursor = QGuiApplication.overrideCursor()
        seen.append((window.statusBar().currentMessage(), cursor.shape() if cursor else None))
        threading.Timer(HOLD_S, holder.commit).start()  # the import commits a moment later

    window.hub.open_session.waiting_for_teammate.connect(while_waiting)
    try:
        note = typed_note("call", "Dana", "Called back: the invoice page works again.", datetime.now(UTC),
                          "customer")
        assert window.hub.run(AddConversation(incident_id, note))
    finally:
        holder.close()
    assert seen == [("Waiting for Ana (support lead)'s import to finish: this change is saved as soon as it ends, "
                     "and the window answers again then.", Qt.CursorShape.WaitCursor)]
    assert window.statusBar().currentMessage() == "" and QGuiApplication.overrideCursor() is None
    assert bulk_writer(workspace) is None


def test_an_edit_with_no_import_running_says_nothing(qtbot, team_window):
    window = team_window
    workspace = window.hub.workspace
    incident_id = IncidentService(workspace).list_incidents()[0].id
    seen: list[str] = []
    window.hub.open_session.waiting_for_teammate.connect(seen.append)
    note = typed_note("call", "Dana", "Called back.", datetime.now(UTC), "customer")
    assert window.hub.run(AddConversation(incident_id, note))
    assert seen == []
