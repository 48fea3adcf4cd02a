"""Who edited an incident: the names an undo or redo refusal and a conflict (Keep mine / Take theirs) give."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .schema import EditRecord


def editors_since(session: Session, incident_id: int, user: str, what: str, *, undone: bool) -> tuple[str, ...]:
    """The other people who edited the incident after `user`'s latest record of `what` (the edit itself, or
    its undo when `undone`), in the order they did.

    The history names edits, not rows: those whose own edit had the same name (the same answer or field)
    are given when there are any, otherwise everyone who edited the incident since. Empty when nothing
    says who (a file keeps no history, or only `user`'s name is there: the same person elsewhere).
    """
    mark = session.scalar(select(func.max(EditRecord.id)).where(
        EditRecord.incident_id == incident_id, EditRecord.user == user, EditRecord.what == what,
        EditRecord.undone == undone))
    if mark is None:
        return ()
    later = session.execute(select(EditRecord.user, EditRecord.what).where(
        EditRecord.incident_id == incident_id, EditRecord.id > mark).order_by(EditRecord.id)).all()
    same = [name for name, done in later if done == what] or [name for name, _done in later]
    return tuple(name for name in dict.fromkeys(same) if name != user)


def last_editor(session: Session, incident_id: int, user: str, what: str, *, like: str = "") -> str:
    """Who a conflict over the edit `what` (the same field or answer) of the incident names: the last person other
    than `user` who made that edit, or its undo. "" when nothing says (a file keeps no history, an edit of no one
    incident, or only `user` made it: the same person elsewhere).

    `like`: a LIKE pattern of a family of edits' names, where the name does not say which row (an action item's
    edits are named after the fields they set; a contact's, a system event's likewise). The history cannot tell
    which item a teammate edited, so a name is given only when one person alone made such edits since `user`'s
    own latest edit of the incident: with two, either may have changed this one, and naming the wrong one
    is worse than "someone else"."""
    if not like:
        return session.scalar(select(EditRecord.user).where(
            EditRecord.incident_id == incident_id, EditRecord.what == what, EditRecord.user != user)
            .order_by(EditRecord.id.desc()).limit(1)) or ""
    mine = session.scalar(select(func.max(EditRecord.id)).where(
        EditRecord.incident_id == incident_id, EditRecord.user == user)) or 0
    others = session.scalars(select(EditRecord.user).where(
        EditRecord.incident_id == incident_id, EditRecord.what.like(like), EditRecord.user != user,
        EditRecord.id > mine).distinct()).all()
    return others[0] if len(others) == 1 else ""
