"""Timeline use cases: columnar timeline data for an incident (fast raw SQL) and undoable system-event edits."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ..domain.changes import DataChange
from ..domain.errors import MissingIncident
from ..domain.vocabulary import SystemEventKind
from ..gc_pause import collector_paused
from ..storage.fast_read import read_cursor
from ..storage.id_sets import among
from ..storage.schema import Incident, SystemEvent
from ..storage.workspace import Workspace
from ..timeline.layout import TimelineData
from .commands import (
    Edit,
    EditConflict,
    RuleError,
    UpdateFields,
    refuse_if_parents_gone,
    refuse_redo_if_changed_since,
    refuse_undo_if_changed_since,
)
from .timeline_read import EVIDENCE_SQL, parse_db_time, read_timeline_data

KINDS = tuple(k.value for k in SystemEventKind)


@dataclass(frozen=True)
class ConversationBrief:
    """What the timeline's tooltip says about one conversation."""

    id: int
    customer: str
    organization: str
    segment: str
    channel: str
    subject: str
    first_message: str
    tags: tuple[str, ...]
    first_at: datetime | None
    last_at: datetime | None
    pre_existing: bool


@dataclass(frozen=True)
class SystemEventDetails:
    id: int
    incident_id: int
    at: datetime
    kind: str
    title: str
    detail: str


class TimelineService:
    """Read side of the timeline; every call is one read transaction returning plain data."""

    def __init__(self, workspace: Workspace):
        self.workspace = workspace

    def timeline_data(self, incident_id: int) -> TimelineData:
        # 100k conversations become long-lived rows with no cycles (gc_pause.py): frozen afterwards, a full
        # collection no longer walks them, which took 40 ms out of one zoom step of a team workspace
        with collector_paused(), self.workspace.reading() as session, read_cursor(session) as cursor:
            return read_timeline_data(cursor, incident_id)

    def conversation_brief(self, conversation_id: int) -> ConversationBrief | None:
        with self.workspace.reading() as session, read_cursor(session) as cursor:
            row = cursor.execute(
                "SELECT c.id, coalesce(cu.name, ''), coalesce(cu.organization, ''), coalesce(cu.segment, ''),"
                " c.channel, c.subject, c.first_at, c.last_at, c.pre_existing FROM conversations c"
                " LEFT JOIN customers cu ON cu.id = c.customer_id WHERE c.id = ?", (conversation_id,)).fetchone()
            if row is None:
                return None
            message = cursor.execute(
                "SELECT text FROM messages WHERE conversation_id = ? ORDER BY (role != 'customer'), position"
                " LIMIT 1", (conversation_id,)).fetchone()
            # position is selected too: PostgreSQL orders a DISTINCT only by what it selects
            tags = [name for (name, _position) in cursor.execute(
                "SELECT DISTINCT t.name, t.position FROM tag_assignments ta JOIN tags t ON t.id = ta.tag_id"
                " LEFT JOIN quotes q ON q.id = ta.quote_id LEFT JOIN messages m ON m.id = ta.message_id"
                f" WHERE (q.conversation_id = ? OR m.conversation_id = ?) AND ta.source IN ({EVIDENCE_SQL})"
                " ORDER BY t.position", (conversation_id, conversation_id))]
        text = (message[0] if message else "").strip()
        return ConversationBrief(
            id=row[0], customer=row[1], organization=row[2], segment=row[3], channel=row[4], subject=row[5],
            first_message=text if len(text) <= 240 else text[:239].rstrip() + "…", tags=tuple(tags),
            first_at=parse_db_time(row[6]), last_at=parse_db_time(row[7]), pre_existing=bool(row[8]))

    def system_event(self, event_id: int) -> SystemEventDetails:
        with self.workspace.reading() as session:
            ev = session.get(SystemEvent, event_id)
            if ev is None:
                raise RuleError(f"System event {event_id} no longer exists.")
            return SystemEventDetails(ev.id, ev.incident_id, ev.at, ev.kind, ev.title, ev.detail)


# ---- commands -----------------------------------------------------------------------------------

def _check_event(values: dict[str, Any]) -> None:
    at = values.get("at")
    if "at" in values and (not isinstance(at, datetime) or at.tzinfo is None):
        raise RuleError("A system event needs a time with a zone.")
    if "kind" in values and values["kind"] not in KINDS:
        raise RuleError(f"A system event's kind must be one of {', '.join(KINDS)}.")
    if "title" in values and not str(values["title"]).strip():
        raise RuleError("A system event needs a title.")
    unknown = set(values) - {"at", "kind", "title", "detail"}
    if unknown:
        raise RuleError(f"These system-event fields cannot be edited: {', '.join(sorted(unknown))}.")


class AddSystemEvents(Edit):
    """Adds many system events (pasted log lines, an alerts CSV) as one undo step.

    Its undo deletes them only as it left them: when a teammate edited or moved one since, it is refused
    (ChangedSince), not deleted with their edit. One a teammate deleted since is no longer its to delete, and its
    redo puts back only the events its undo deleted."""
    incident_id: int  # always given here (the base allows None)

    changes = DataChange.SYSTEM_EVENT

    def __init__(self, incident_id: int, events: Iterable[dict[str, Any]], name: str | None = None):
        self.incident_id = incident_id
        self.events = [dict(e, detail=e.get("detail", "")) for e in events]
        for values in self.events:
            _check_event(values)
        if not self.events:
            raise RuleError("There are no system events to add.")
        self.name = name or f"Add {len(self.events)} System Events"
        self.event_ids: list[int] = []
        self._made: dict[int, tuple] = {}  # the events as this edit stored them (its redo: as it put them back)

    def apply(self, session: Session) -> None:
        if session.get(Incident, self.incident_id) is None:
            raise MissingIncident(self.incident_id)
        if not self.event_ids:
            rows = [SystemEvent(incident_id=self.incident_id, **values) for values in self.events]
            session.add_all(rows)
            session.flush()
            self.event_ids = [row.id for row in rows]
            again = self.event_ids
        else:  # redo keeps the ids so later commands (move, edit) still find their event
            again = list(self._made)  # those its undo deleted; one a teammate had deleted stays deleted
            # the undo left none of them: one there now was put back by someone since (their delete's undo)
            refuse_redo_if_changed_since(self.name, {}, _stored_events(session, again))
            values_of = dict(zip(self.event_ids, self.events, strict=True))
            if again:
                session.execute(insert(SystemEvent), [dict(values_of[eid], id=eid, incident_id=self.incident_id)
                                                      for eid in again])
        self._made = _stored_events(session, again)

    def revert(self, session: Session) -> None:
        stored = _stored_events(session, self.event_ids, lock=True)
        # a teammate's edit or move of one since would be deleted with it; one they deleted is theirs to keep deleted
        refuse_undo_if_changed_since(self.name, {eid: self._made[eid] for eid in stored if eid in self._made}, stored)
        self._made = stored
        for row in session.scalars(select(SystemEvent).where(among(SystemEvent.id, list(stored)))):
            session.delete(row)


def _stored_events(session: Session, event_ids: list[int], *, lock: bool = False) -> dict[int, tuple]:
    """The events of these ids as stored now (time, kind, title, detail), by id; locked until commit with `lock`
    on a team workspace, so a teammate's edit waits for the undo that compares them."""
    query = select(SystemEvent.id, SystemEvent.at, SystemEvent.kind, SystemEvent.title, SystemEvent.detail).where(
        among(SystemEvent.id, event_ids))
    session.flush()
    return {row[0]: tuple(row[1:]) for row in session.execute(query.with_for_update() if lock else query)}


class AddSystemEvent(AddSystemEvents):
    incident_id: int  # always given here (the base allows None)
    def __init__(self, incident_id: int, at: datetime, kind: str, title: str, detail: str = ""):
        super().__init__(incident_id, [dict(at=at, kind=kind, title=title, detail=detail)],
                         name=f"Add System Event “{title}”")

    @property
    def event_id(self) -> int | None:
        return self.event_ids[0] if self.event_ids else None


class EditSystemEvent(UpdateFields):
    conflicts_with_names = "%System Event%"  # an event is edited, moved on the timeline or deleted
    incident_id: int  # always given here (the base allows None)
    gone = "This system event was deleted by someone else."

    def __init__(self, event_id: int, incident_id: int, name: str = "Edit System Event",
                 based_on: dict[str, Any] | None = None, **changes: Any):
        """based_on: the values the editor showed; refused (EditConflict) when a teammate changed them since."""
        _check_event(changes)
        super().__init__(SystemEvent, event_id, changes, name=name, kind=DataChange.SYSTEM_EVENT,
                         incident_id=incident_id, based_on=based_on)


class MoveSystemEvent(EditSystemEvent):
    incident_id: int  # always given here (the base allows None)
    def __init__(self, event_id: int, incident_id: int, at: datetime, shown_at: datetime | None = None):
        """shown_at: where the timeline showed the event when it was dragged (None: no check)."""
        super().__init__(event_id, incident_id, name="Move System Event",
                         based_on=None if shown_at is None else {"at": shown_at}, at=at)


class DeleteSystemEvent(Edit):
    """Deletes one system event. Made from the event as a screen showed it (`based_on`: its shown fields), it is
    refused (EditConflict) when a teammate changed it since, rather than deleting their edit with it; None: no check.
    """
    conflicts_with_names = EditSystemEvent.conflicts_with_names
    changes = DataChange.SYSTEM_EVENT

    def __init__(self, event_id: int, incident_id: int, title: str = "", *,
                 based_on: dict[str, Any] | None = None):
        self.event_id = event_id
        self.incident_id = incident_id
        self.name = f"Delete System Event “{title}”" if title else "Delete System Event"
        self.based_on = dict(based_on) if based_on is not None else None
        self._row: dict[str, Any] | None = None

    def apply(self, session: Session) -> None:
        # locked until commit on a team workspace, so a teammate's edit cannot slip in after the check below
        row = session.get(SystemEvent, self.event_id, with_for_update=True)
        if row is None:
            raise RuleError(f"System event {self.event_id} no longer exists.")
        stored = {c: getattr(row, c) for c in ("id", "incident_id", "at", "kind", "title", "detail")}
        if self._row is not None:  # a redo: the event as its undo put it back, or someone has changed it since
            refuse_redo_if_changed_since(self.name, self._row, stored)
        elif self.based_on is not None:
            theirs = {key: stored[key] for key in self.based_on}
            if theirs != self.based_on:
                raise EditConflict(self.name, based_on=self.based_on, yours=None, theirs=theirs)
        self._row = stored
        session.delete(row)

    def revert(self, session: Session) -> None:
        assert self._row is not None, "undo before do"
        refuse_if_parents_gone(session, self.name, SystemEvent.__table__, [self._row])  # its incident deleted since
        session.add(SystemEvent(**self._row))
