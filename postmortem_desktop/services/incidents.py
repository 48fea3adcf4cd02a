"""Incident use cases: list with both durations, details, create, edit and delete (undoable)."""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from ..domain import timing
from ..domain.changes import DataChange
from ..domain.errors import MissingIncident
from ..domain.vocabulary import SEVERITIES, IncidentStatus
from ..storage import incident_copy, incident_settings, snapshot
from ..storage.fast_read import read_cursor
from ..storage.impact_query import customer_event_bounds
from ..storage.schema import Incident
from ..storage.workspace import Workspace
from .commands import Edit, RuleError, UpdateFields
from .incident_list import IncidentSummary, read_incident_order, read_incident_summaries

DEFAULT_REVIEW_HOURS = 72
EDITABLE_FIELDS = (
    "title", "service", "technical_severity", "technical_start", "technical_end",
    "status_page_resolved", "review_start", "review_end",
)


@dataclass(frozen=True)
class IncidentDetails:
    id: int
    title: str
    service: str
    technical_severity: str
    customer_severity_suggested: str
    customer_severity: str
    customer_severity_reason: str
    status: str
    technical_start: datetime | None
    technical_end: datetime | None
    status_page_resolved: datetime | None
    review_start: datetime | None
    review_end: datetime | None


@dataclass(frozen=True)
class ImpactFigures:
    technical: timing.Window | None
    customer: timing.Window | None
    status_page_resolved: datetime | None
    status_page_gap: timedelta | None
    headline: str


class IncidentService:
    """Queries about incidents; every call is its own read transaction returning plain data."""

    def __init__(self, workspace: Workspace):
        self.workspace = workspace

    def list_incidents(self) -> list[IncidentSummary]:
        with self.workspace.reading() as session, read_cursor(session) as cursor:
            return read_incident_summaries(cursor)

    def list_one(self, incident_id: int) -> tuple[list[int], IncidentSummary | None]:
        """The list's order of ids and one incident's row (None: gone), for re-reading one row of the list."""
        with self.workspace.reading() as session, read_cursor(session) as cursor:
            rows = read_incident_summaries(cursor, [incident_id])
            return read_incident_order(cursor), rows[0] if rows else None

    def get(self, incident_id: int) -> IncidentDetails:
        with self.workspace.reading() as session:
            inc = session.get(Incident, incident_id)
            if inc is None:
                raise MissingIncident(incident_id)
            return IncidentDetails(**{f.name: getattr(inc, f.name) for f in fields(IncidentDetails)})

    def impact(self, incident_id: int) -> ImpactFigures:
        details = self.get(incident_id)
        with self.workspace.reading() as session:
            first, last = customer_event_bounds(session, [incident_id]).get(incident_id, (None, None))
        customer = timing.customer_impact_window([first, last])
        technical = timing.technical_window(details.technical_start, details.technical_end)
        return ImpactFigures(
            technical=technical, customer=customer, status_page_resolved=details.status_page_resolved,
            status_page_gap=timing.status_page_gap(details.status_page_resolved, customer),
            headline=timing.headline(technical, customer, details.status_page_resolved),
        )


def check_incident_fields(values: dict[str, Any]) -> None:
    """Refuses edits that would make an incident's times or severity meaningless."""
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise RuleError(f"These incident fields cannot be edited here: {', '.join(sorted(unknown))}.")
    if "title" in values and not str(values["title"]).strip():
        raise RuleError("An incident needs a title.")
    sev = values.get("technical_severity")
    if sev is not None and sev not in SEVERITIES:
        raise RuleError(f"Technical severity must be one of {', '.join(SEVERITIES)}.")
    for key in ("technical_start", "technical_end", "status_page_resolved", "review_start", "review_end"):
        value = values.get(key)
        if value is not None and (not isinstance(value, datetime) or value.tzinfo is None):
            raise RuleError(f"{key.replace('_', ' ')} must be a time with a zone.")


def check_order(merged: dict[str, Any]) -> None:
    start, end = merged.get("technical_start"), merged.get("technical_end")
    if start and end and end < start:
        raise RuleError("Recovery cannot come before the first failure.")
    rs, re_ = merged.get("review_start"), merged.get("review_end")
    if rs and re_ and re_ < rs:
        raise RuleError("The review window must end after it starts.")


def default_review_window(start: datetime | None, end: datetime | None) -> tuple[datetime | None, datetime | None]:
    """The incident window plus 72 hours after recovery (a short look back before it, too)."""
    if start is None:
        return None, None
    anchor = end or start
    return start - timedelta(hours=1), anchor + timedelta(hours=DEFAULT_REVIEW_HOURS)


# CreateIncident's incident_id until the incident exists (ids start at 1)
NOT_YET_CREATED = 0


class CreateIncident(Edit):
    changes = DataChange.INCIDENT

    def __init__(self, **values: Any):
        values.setdefault("title", "New incident")
        check_incident_fields(values)
        check_order(values)
        if values.get("technical_start") and not values.get("review_start"):
            values["review_start"], values["review_end"] = default_review_window(
                values["technical_start"], values.get("technical_end"))
        super().__init__(NOT_YET_CREATED)
        self.values = values
        self.name = f"New Incident “{values['title']}”"

    def apply(self, session: Session) -> None:
        inc = Incident(status=IncidentStatus.DRAFT.value, **self.values)
        if self.incident_id != NOT_YET_CREATED:  # redo keeps the same id so later commands still match
            inc.id = self.incident_id
        session.add(inc)
        session.flush()
        self.incident_id = inc.id
        # a file gives a deleted incident's number again; one deleted before deletes took its settings left them
        incident_settings.forget(session.connection(), inc.id)

    def revert(self, session: Session) -> None:
        snapshot.delete_incident_rows(session.connection(), self.incident_id)


class UpdateIncident(UpdateFields):
    refused_when_closed = True

    def __init__(self, incident_id: int, **changes: Any):
        check_incident_fields(changes)
        label = ", ".join(k.replace("_", " ") for k in changes) or "nothing"
        super().__init__(Incident, incident_id, changes, name=f"Edit {label}",
                         kind=DataChange.INCIDENT, incident_id=incident_id)

    @classmethod
    def made_from(cls, incident_id: int, shown: dict[str, Any], changes: dict[str, Any]) -> UpdateIncident:
        """The edit of an editor that showed these stored values: refused (EditConflict) when a teammate
        changed them since, so theirs is never overwritten silently."""
        edit = cls(incident_id, **changes)
        edit.based_on = dict(shown)
        return edit

    def before_set(self, row: Incident, changes: dict[str, Any]) -> None:
        merged = {k: getattr(row, k) for k in EDITABLE_FIELDS}
        merged.update(changes)
        check_order(merged)


class DeleteIncident(Edit):
    changes = DataChange.everything()  # everything of the incident goes with it

    def __init__(self, incident_id: int, title: str = ""):
        super().__init__(incident_id)
        self.name = f"Delete Incident “{title}”" if title else "Delete Incident"
        self._snapshot: snapshot.IncidentSnapshot | None = None

    def apply(self, session: Session) -> None:
        conn = snapshot.one_moment(session)  # bulk SQL inside the edit's own transaction, seeing one moment
        self._snapshot = snapshot.capture(conn, self.incident_id)
        if not self._snapshot.rows["incidents"]:
            raise MissingIncident(self.incident_id)
        snapshot.delete_incident_rows(conn, self.incident_id)

    def revert(self, session: Session) -> None:
        assert self._snapshot is not None, "undo before do"
        conn = session.connection()
        again = incident_copy.back_again(conn, self._snapshot)
        if again is not None:  # its uid is taken: refused in words before anything is written
            raise RuleError(_back_again(self.name, again))
        snapshot.restore(conn, self._snapshot)


def _back_again(name: str, again: incident_copy.BackAgain) -> str:
    how = (f"{again.by or 'someone'} brought it back ({again.what})" if again.what else
           "it was published into this workspace again")
    return (f"“{name}” cannot be undone: since the delete, {how} as incident {again.incident_id} “{again.title}”, "
            "so it is here already. Nothing was undone: go on with that one (putting this one back would make the "
            "incident twice).")
