"""The first look at a workspace file: what its first screen shows, read before the storage layer loads.

Start-up paints the window, shows this (the incident list, the first incident's timeline), and only then
imports SQLAlchemy and opens the workspace for real: lock, checks, migrations, the writable session
(bench/bench_startup.py). The rows come from the same raw reads the services use (incident_list,
timeline_read), so the live screens that replace them show the same content. Nothing here writes or
takes the workspace's lock.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from ..domain.errors import MissingIncident
from ..storage.fast_read import ReadCursor, file_read_cursor
from ..timeline.layout import TimelineData
from .incident_list import IncidentSummary, read_incident_summaries
from .timeline_read import read_timeline_data

# Tables the first look reads: all must be plain tables (a file whose "incidents" is a view is left to
# the full open's schema check, which says what is wrong with it).
_TABLES = ("incidents", "conversations", "messages", "customers", "system_events", "tags", "tag_assignments",
           "quotes", "workspace_settings")


@dataclass(frozen=True)
class FirstLook:
    incidents: list[IncidentSummary]
    #: the incident shown first (the list's first row), -1 when there is none
    incident_id: int
    #: its timeline, None when there is no incident
    timeline: TimelineData | None
    zone_name: str


def first_look(path: Path) -> FirstLook | None:
    """The first screen's content, or None when the file cannot be read this way (missing, not SQLite, an
    older or foreign schema, busy): the full open then opens, migrates or refuses it and says why."""
    try:
        with file_read_cursor(path) as cursor:
            if not _plain_tables(cursor):
                return None
            incidents = read_incident_summaries(cursor)
            incident_id = incidents[0].id if incidents else -1
            timeline = read_timeline_data(cursor, incident_id) if incidents else None
            return FirstLook(incidents, incident_id, timeline, _display_zone(cursor))
    except (sqlite3.Error, ValueError, MissingIncident):  # ValueError: a time the file spells wrongly
        return None


def _plain_tables(cursor: ReadCursor) -> bool:
    marks = ", ".join("?" * len(_TABLES))
    found = cursor.execute(f"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ({marks})",
                           _TABLES).fetchone()
    return found is not None and found[0] == len(_TABLES)


def _display_zone(cursor: ReadCursor) -> str:
    # the setting services.settings.get_setting(workspace, "display_timezone", "UTC") reads
    row = cursor.execute("SELECT value FROM workspace_settings WHERE key = ?", ("display_timezone",)).fetchone()
    return row[0] if row is not None else "UTC"
