"""Recorded decisions (closed, reopened, severity decided, followed up, a contact removed): who decided, and when.

A decision joins the incident's history (schema.IncidentHistory) in the edit's own transaction, named after the
workspace's user (handle.user_of): a teammate on a team workspace, no one on a file (one person's record). Its
undo takes the row out again, so the history holds only decisions that stand.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .handle import user_of
from .schema import IncidentHistory

#: the kinds of a customer-severity decision (services/customer_severity.DecideSeverity)
SEVERITY_CONFIRMED, SEVERITY_OVERRIDDEN = "severity_confirmed", "severity_overridden"
SEVERITY_DECISIONS = (SEVERITY_CONFIRMED, SEVERITY_OVERRIDDEN)


def record_decision(session: Session, incident_id: int, kind: str, detail: str) -> int:
    """Adds the decision to the incident's history, now, by the session's user; its row id (for the undo)."""
    entry = IncidentHistory(incident_id=incident_id, kind=kind, detail=detail, decided_by=user_of(session))
    session.add(entry)
    session.flush()
    return entry.id


def withdraw_decision(session: Session, history_id: int | None) -> None:
    """Takes a decision out of the history again (its edit was undone); gone already is fine."""
    entry = session.get(IncidentHistory, history_id) if history_id is not None else None
    if entry is not None:
        session.delete(entry)


def who_decided(session: Session, incident_id: int, kinds: tuple[str, ...]) -> str:
    """Who made the decision of these kinds that stands (the last one recorded: an undone one has left the history);
    "" when none is recorded or it names no one (a file's, or one from before format 10).

    Last by id, not by time: a decision's time is its client's clock, which may be minutes off a teammate's, while
    ids follow the order the decisions were committed in (each holds the incident's row until then)."""
    return session.scalar(select(IncidentHistory.decided_by).where(
        IncidentHistory.incident_id == incident_id, IncidentHistory.kind.in_(kinds))
        .order_by(IncidentHistory.id.desc()).limit(1)) or ""
