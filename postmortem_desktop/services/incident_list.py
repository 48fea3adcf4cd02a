"""The incident list's rows (title, status, severities, both windows' lengths) by raw SQL on a driver cursor.

No SQLAlchemy here: IncidentService.list_incidents reads through its session's cursor, the first look
(services/first_look.py) through a read-only sqlite3 connection before the storage layer loads.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..domain import timing
from ..storage.fast_read import ReadCursor
from ..storage.impact_read import as_utc, customer_event_bounds


@dataclass(frozen=True)
class IncidentSummary:
    id: int
    title: str
    status: str
    technical_severity: str
    customer_severity: str
    technical_minutes: int | None
    customer_minutes: int | None


def read_incident_summaries(cursor: ReadCursor, incident_ids: list[int] | None = None) -> list[IncidentSummary]:
    """Every incident (or only those of incident_ids), the latest first failure first."""
    only = "" if incident_ids is None else f" WHERE {cursor.among('id')}"
    rows = cursor.execute(
        "SELECT id, title, status, technical_severity, customer_severity, technical_start, technical_end"
        f" FROM incidents{only} ORDER BY technical_start DESC, id DESC",
        () if incident_ids is None else (cursor.ids_param(incident_ids),)).fetchall()
    # the windows' bounds scan every customer message of the incidents read: one incident's, when that is all
    bounds = customer_event_bounds(cursor, incident_ids)
    result = []
    for iid, title, status, technical_severity, customer_severity, start, end in rows:
        impact = timing.customer_impact_window(list(bounds.get(iid, (None, None))))
        tech = timing.technical_window(as_utc(start), as_utc(end))
        result.append(IncidentSummary(
            id=iid, title=title, status=status, technical_severity=technical_severity,
            customer_severity=customer_severity,
            technical_minutes=timing.minutes(tech.duration) if tech else None,
            customer_minutes=timing.minutes(impact.duration) if impact else None,
        ))
    return result


def read_incident_order(cursor: ReadCursor) -> list[int]:
    """The incidents' ids in the list's order, without their windows (cheap)."""
    return [iid for (iid,) in cursor.execute("SELECT id FROM incidents ORDER BY technical_start DESC, id DESC")]
