"""The close-out record of one incident, read once for every reader: close-out panel, close command, CLI and report."""
from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain import checklist
from ..domain.checklist import CloseoutRecord
from ..domain.errors import MissingIncident
from .bulk import BulkCursor, on_team
from .impact_query import has_customer_events
from .schema import ActionItem, FollowUp, Incident


def hold_closeout(session: Session, incident_id: int) -> str | None:
    """Locks the incident's row until the caller's transaction ends and returns its status (None: no incident).

    The one rule that keeps closing enforced with several writers: the closing transaction and every edit
    that can make the checklist incomplete (an edit of the close-out record) take this lock first, so a close
    re-checks the checklist after any such edit has committed, and such an edit sees a close that committed
    first (and is refused). Without it, on a team workspace, a close could read the checklist while another
    client's uncommitted edit was emptying it. A file has one writer, so SQLite ignores FOR UPDATE.
    """
    return session.scalar(select(Incident.status).where(Incident.id == incident_id).with_for_update())


def share_closeout(cur: BulkCursor, incident_id: int) -> str | None:
    """hold_closeout for an undo that deletes what the record may rest on (an import's, a paste's conversations),
    on a raw cursor in its transaction: the incident's status (None: no incident), its row held until the end.

    A share lock (FOR SHARE): a close's FOR UPDATE waits for the undo, or the undo for the close, so the undo sees
    a close that committed first and a close re-checks the record the undo left; yet the history record every
    edit writes (a foreign key's KEY SHARE) does not wait for it, so an edit that has added a card meanwhile and
    holds a table the undo then locks (storage/undo_reach.lock_reach) finishes instead of deadlocking with it.
    """
    statement = "SELECT status FROM incidents WHERE id = ?" + (" FOR SHARE" if on_team(cur) else "")
    row = cur.execute(statement, (incident_id,)).fetchone()
    return None if row is None else row[0]


def load_closeout_record(session: Session, incident_id: int, today: date | None = None) -> CloseoutRecord:
    """The checklist's view of one incident, read inside the caller's transaction.

    Without a recorded review date the review is taken to be today: the date a facilitator
    would schedule the follow-up from.
    """
    inc = session.get(Incident, incident_id)
    if inc is None:
        raise MissingIncident(incident_id)
    items = session.scalars(select(ActionItem).where(ActionItem.incident_id == incident_id)).all()
    follow = session.scalar(select(FollowUp).where(FollowUp.incident_id == incident_id))
    return CloseoutRecord(
        customer_damage=inc.customer_damage, service=inc.service, most_broken_task=inc.most_broken_task,
        first_workaround=inc.first_workaround, trust_signals=inc.trust_signals,
        trust_signals_none_seen=bool(inc.trust_signals_none_seen),
        action_items=tuple(checklist.ActionItemFacts(i.area, i.owner, i.due_date) for i in items),
        has_customer_impact_window=has_customer_events(session, incident_id),
        contact_list_reviewed=bool(inc.contact_list_reviewed),
        customer_message_decision=inc.customer_message_decision or "",
        customer_message_reason=inc.customer_message_reason or "",
        review_date=(follow.review_held_on if follow and follow.review_held_on
                     else (today or datetime.now(UTC).date())),
        follow_up_on=follow.scheduled_at.date() if follow and follow.scheduled_at else None,
    )
