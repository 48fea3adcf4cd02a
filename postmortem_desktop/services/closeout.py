"""Close-out use cases: the checklist from the database, close (refused until complete), reopen, schedule."""
from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain import checklist
from ..domain.changes import DataChange
from ..domain.checklist import ChecklistItem
from ..domain.errors import MissingIncident
from ..domain.vocabulary import IncidentStatus
from ..storage.closeout_query import hold_closeout, load_closeout_record
from ..storage.decisions import record_decision, withdraw_decision
from ..storage.schema import FollowUp, Incident
from ..storage.workspace import Workspace
from .commands import Edit, EditConflict, RuleError, refuse_redo_if_changed_since, refuse_undo_if_changed_since

CLOSED_STATES = (IncidentStatus.CLOSED.value, IncidentStatus.FOLLOWED_UP.value)
STATUS_CHANGES = DataChange.INCIDENT  # the status and its history entry


@dataclass(frozen=True)
class ChecklistState:
    incident_id: int
    status: str
    items: tuple[ChecklistItem, ...]

    @property
    def can_close(self) -> bool:
        return checklist.can_close(list(self.items))

    @property
    def done(self) -> int:
        return sum(1 for item in self.items if item.ok)

    @property
    def missing(self) -> tuple[ChecklistItem, ...]:
        return tuple(item for item in self.items if not item.ok)


@dataclass(frozen=True)
class FollowUpSchedule:
    scheduled_at: datetime | None
    review_held_on: date | None


def _today() -> date:
    return datetime.now(UTC).date()


def _incident(session: Session, incident_id: int) -> Incident:
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise MissingIncident(incident_id)
    return incident


# The record is read by one storage query, the same one the report's checklist reads.
load_record = load_closeout_record


def refuse_unless_complete(session: Session, incident_id: int, today: date | None = None, *, lead: str = "") -> None:
    """Refuses (the checklist's own message, after `lead`) unless the close-out record is complete: every way an
    incident comes to a closed status (close, an undo of a reopen, a redo of a follow-up outcome) checks it here,
    in its own transaction, after hold_closeout."""
    items = checklist.evaluate(load_record(session, incident_id, today))
    if not checklist.can_close(items):
        raise RuleError(lead + checklist.refusal_message(items))


class CloseoutService:
    """Queries about the close-out; each call is one read transaction returning plain data."""

    def __init__(self, workspace: Workspace):
        self.workspace = workspace

    def checklist(self, incident_id: int, today: date | None = None) -> ChecklistState:
        with self.workspace.reading() as session:
            record = load_record(session, incident_id, today)
            status = _incident(session, incident_id).status
        return ChecklistState(incident_id, status, tuple(checklist.evaluate(record)))

    def follow_up(self, incident_id: int) -> FollowUpSchedule:
        with self.workspace.reading() as session:
            _incident(session, incident_id)
            row = session.scalar(select(FollowUp).where(FollowUp.incident_id == incident_id))
            return FollowUpSchedule(row.scheduled_at if row else None, row.review_held_on if row else None)


class _StatusChange(Edit):
    """Moves an incident to a new status and records the decision; undo puts both back."""
    incident_id: int  # always given here (the base allows None)

    changes = STATUS_CHANGES
    kind = ""

    def __init__(self, incident_id: int, detail: str = ""):
        self.incident_id = incident_id
        self.detail = detail
        self._old_status: str | None = None
        self._history_id: int | None = None

    def check(self, session: Session, incident: Incident) -> None: ...

    @abstractmethod
    def new_status(self) -> str:
        """The status this change sets (closed, reopened to in review)."""

    def apply(self, session: Session) -> None:
        # waits for any edit of the close-out record in flight on another client, then checks what it left
        hold_closeout(session, self.incident_id)
        incident = _incident(session, self.incident_id)
        if self._old_status is not None:  # a redo: over the status its undo left, not a teammate's since
            refuse_redo_if_changed_since(self.name, self._old_status, incident.status)
        self.check(session, incident)
        self._old_status = incident.status
        incident.status = self.new_status()
        self._history_id = record_decision(session, self.incident_id, self.kind, self.detail)

    def revert(self, session: Session) -> None:
        assert self._old_status is not None, "undo before do"
        # a teammate who reopened or closed it since decided its status last: the undo would overwrite that
        refuse_undo_if_changed_since(self.name, self.new_status(), hold_closeout(session, self.incident_id))
        if self._old_status in CLOSED_STATES:  # closing again: only a complete record may be closed
            refuse_unless_complete(session, self.incident_id,
                                   lead=f"“{self.name}” cannot be undone: it would close the incident again.\n")
        _incident(session, self.incident_id).status = self._old_status
        withdraw_decision(session, self._history_id)


class CloseIncident(_StatusChange):
    """Closes an incident — the one rule every path shares: refused, listing what is missing."""
    incident_id: int  # always given here (the base allows None)

    name = "Close Incident"
    kind = "closed"

    def __init__(self, incident_id: int, today: date | None = None):
        super().__init__(incident_id, "Close-out record complete.")
        self.today = today

    def check(self, session: Session, incident: Incident) -> None:
        if incident.status in CLOSED_STATES:
            raise RuleError("This incident is already closed.")
        refuse_unless_complete(session, self.incident_id, self.today)

    def new_status(self) -> str:
        return IncidentStatus.CLOSED.value


class ReopenIncident(_StatusChange):
    incident_id: int  # always given here (the base allows None)
    name = "Reopen Incident"
    kind = "reopened"

    def __init__(self, incident_id: int, reason: str = ""):
        super().__init__(incident_id, reason.strip() or "Reopened.")

    def check(self, session: Session, incident: Incident) -> None:
        if incident.status not in CLOSED_STATES:
            raise RuleError("Only a closed incident can be reopened.")

    def new_status(self) -> str:
        return IncidentStatus.IN_REVIEW.value


class ScheduleFollowUp(Edit):
    """Sets when the follow-up check happens and the review date it is counted from."""
    incident_id: int  # always given here (the base allows None)

    refused_when_closed = True

    name = "Schedule Follow-up"
    changes = DataChange.FOLLOW_UP

    def __init__(self, incident_id: int, scheduled_at: datetime, review_held_on: date, *,
                 based_on: FollowUpSchedule | None = None):
        """based_on: the schedule the person's screen showed; refused (EditConflict) when a teammate changed it."""
        if scheduled_at.tzinfo is None:
            raise RuleError("The follow-up time needs a time zone.")
        if scheduled_at.date() < review_held_on:
            raise RuleError("The follow-up check cannot come before the review.")
        self.incident_id = incident_id
        self.values = {"scheduled_at": scheduled_at, "review_held_on": review_held_on}
        self.based_on = None if based_on is None else _schedule_of(based_on)
        self._old: dict | None = None  # the schedule before this edit; None: there was none (undo removes the row)
        self._done = False

    def _row(self, session: Session) -> FollowUp | None:
        # locked until commit on a team workspace, so a teammate's schedule cannot slip between check and write
        return session.scalar(select(FollowUp).where(FollowUp.incident_id == self.incident_id).with_for_update())

    def apply(self, session: Session) -> None:
        _incident(session, self.incident_id)
        row = self._row(session)
        stored = None if row is None else {key: getattr(row, key) for key in self.values}
        if not self._done:
            if self.based_on is not None and (stored or dict.fromkeys(self.values)) != self.based_on:
                raise EditConflict(self.name, based_on=self.based_on, yours=dict(self.values), theirs=stored)
            self._old, self._done = stored, True
        else:  # a redo: over what its undo left
            refuse_redo_if_changed_since(self.name, self._old, stored)
        if row is None:
            row = FollowUp(incident_id=self.incident_id)
            session.add(row)
        for key, value in self.values.items():
            setattr(row, key, value)

    def revert(self, session: Session) -> None:
        row = self._row(session)
        stored = None if row is None else {key: getattr(row, key) for key in self.values}
        refuse_undo_if_changed_since(self.name, self.values, stored)
        assert row is not None  # it holds this edit's schedule
        if self._old is None:
            session.delete(row)
        else:
            for key, value in self._old.items():
                setattr(row, key, value)


def _schedule_of(shown: FollowUpSchedule) -> dict:
    """A schedule as the edit stores it, to compare with the stored one."""
    return {"scheduled_at": shown.scheduled_at, "review_held_on": shown.review_held_on}
