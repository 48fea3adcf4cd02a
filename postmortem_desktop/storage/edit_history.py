"""Who edited an incident, a card or a column: the names an undo or redo refusal and a conflict (Keep mine / Take
theirs) give.

The incident's history (EditRecord) names edits, not rows: who edited "an action item" cannot say which one. A card's
columns and a column itself have histories of their own (CardEdit, WorkspaceEdit: a tag is every incident's column,
so its edits belong to the workspace), written by the edit that changed them while it held their rows: the last
record of a card is who changed it last, exactly. Everywhere the rule is the same: a person is named only when the
history says unambiguously who; never the wrong one, so "someone else" when it cannot say.
"""
from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Connection, func, insert, literal, or_, select
from sqlalchemy.orm import Session

from . import incident_settings
from .id_sets import among
from .incident_settings import MEETING_PREFIX, setting_key
from .schema import CardEdit, EditRecord, Incident, Quote, Tag, WorkspaceEdit

if TYPE_CHECKING:
    from .handle import EditMade

#: the environment variable that names the person whose edits these are (a team workspace's, a meeting file's)
DISPLAY_NAME_VARIABLE = "POSTMORTEM_USER"


def display_name() -> str:
    """The configured display name, "" when none is."""
    return os.environ.get(DISPLAY_NAME_VARIABLE, "").strip()


def meeting_signer() -> str:
    """Whom a meeting file's edits are signed by: the display name, else the computer's login name."""
    try:
        return display_name() or getpass.getuser()
    except (KeyError, OSError):  # a login without a name in the password database
        return "someone at the meeting"


def write(session: Session, edit: EditMade, user: str) -> None:
    """In the edit's transaction: the edit in the incident's history (the workspace's, for an edit of no one
    incident) and in the history of the cards and columns it changed, signed by user. `at` in each: the mapping's
    default, now. Rows gone by the end of the edit (an incident or card it deleted, a column it merged away) are
    left out: nothing of theirs can be in conflict any more."""
    who = (literal(user), literal(edit.what), literal(edit.undone))
    if edit.incident_id > 0:  # an incident's edit
        session.execute(insert(EditRecord).from_select(
            ["incident_id", "user", "what", "undone"],
            select(Incident.id, *who).where(Incident.id == edit.incident_id)))
    elif edit.columns:  # an edit of the whole workspace: of its columns (tags)...
        session.execute(insert(WorkspaceEdit).from_select(
            ["tag_id", "user", "what", "undone"], select(Tag.id, *who).where(among(Tag.id, edit.columns))))
    else:  # ...or of something else of it (its settings, the columns' order, a publish into it)
        session.execute(insert(WorkspaceEdit).values(user=user, what=edit.what, undone=edit.undone))
    if edit.cards:  # one parameter (id_sets.among): a merge's cards may be more than a statement may bind
        session.execute(insert(CardEdit).from_select(
            ["quote_id", "user", "what", "undone"], select(Quote.id, *who).where(among(Quote.id, edit.cards))))


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


#: the name a bring back's edit starts with (services/publish.py): it rewrote every field and answer of the
#: incident, so it counts as the latest edit of each of them (a conflict after it names who brought it back)
BRING_BACK = "Bring Back from"
_BROUGHT_BACK = EditRecord.what.like(f"{BRING_BACK} %")


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
            EditRecord.incident_id == incident_id, or_(EditRecord.what == what, _BROUGHT_BACK),
            EditRecord.user != user).order_by(EditRecord.id.desc()).limit(1)) or ""
    mine = session.scalar(select(func.max(EditRecord.id)).where(
        EditRecord.incident_id == incident_id, EditRecord.user == user)) or 0
    others = session.scalars(select(EditRecord.user).where(
        EditRecord.incident_id == incident_id, or_(EditRecord.what.like(like), _BROUGHT_BACK), EditRecord.user != user,
        EditRecord.id > mine).distinct()).all()
    return others[0] if len(others) == 1 else ""


def _one_teammate(names: set[str], user: str) -> str:
    """The one name there, unless it is `user`'s own (the same person in another window) or there are several."""
    return next(iter(names)) if len(names) == 1 and user not in names else ""


def last_card_editor(session: Session, quote_ids: tuple[int, ...], user: str) -> str:
    """Who a conflict over cards names: whoever changed these cards' columns last (the cards a conflict found
    changed), when that is one teammate for them all and not `user`; "" otherwise, or when a card's history is
    empty (a file keeps none; a card changed before format 10)."""
    last = {session.scalar(select(CardEdit.user).where(CardEdit.quote_id == quote_id)
                           .order_by(CardEdit.id.desc()).limit(1)) or "" for quote_id in quote_ids}
    return _one_teammate(last, user) if "" not in last else ""


def card_editors_since(session: Session, quote_ids: tuple[int, ...], user: str, what: str, *,
                       undone: bool) -> tuple[str, ...]:
    """The other people who changed these cards' columns after `user`'s latest record of `what` on them (the edit,
    or its undo when `undone`), in the order they did; empty when nothing says."""
    mark = session.scalar(select(func.max(CardEdit.id)).where(
        among(CardEdit.quote_id, quote_ids), CardEdit.user == user, CardEdit.what == what, CardEdit.undone == undone))
    if mark is None:
        return ()
    later = session.scalars(select(CardEdit.user).where(among(CardEdit.quote_id, quote_ids), CardEdit.id > mark)
                            .order_by(CardEdit.id)).all()
    return tuple(name for name in dict.fromkeys(later) if name != user)


def last_column_editor(session: Session, tag_id: int, user: str, like: str) -> str:
    """Who a conflict over a column (a tag) names: whoever last made an edit of that column named like `like` (its
    name's edits, or its colour's: a recolour does not change a name), or its undo; "" when that is `user` or
    nobody is recorded."""
    last = session.scalar(select(WorkspaceEdit.user).where(
        WorkspaceEdit.tag_id == tag_id, WorkspaceEdit.what.like(like)).order_by(WorkspaceEdit.id.desc()).limit(1))
    return _one_teammate({last}, user) if last else ""


def column_editors_since(session: Session, tag_ids: tuple[int, ...], user: str, what: str, *,
                         undone: bool) -> tuple[str, ...]:
    """The other people who edited the workspace's columns after `user`'s latest record of `what` (the edit, or its
    undo when `undone`), in the order they did: of these columns (tag ids), or, with none, of the columns' order (a
    reorder names no one column). As editors_since: those who made the same edit when any did, else everyone who
    edited them since; empty when nothing says (a file keeps no history)."""
    which = among(WorkspaceEdit.tag_id, tag_ids) if tag_ids else WorkspaceEdit.tag_id.is_(None)
    mark = session.scalar(select(func.max(WorkspaceEdit.id)).where(
        which, WorkspaceEdit.user == user, WorkspaceEdit.what == what, WorkspaceEdit.undone == undone))
    if mark is None:
        return ()
    # the order changes with any column added or merged away too: every column's edit since counts for it
    since = select(WorkspaceEdit.user, WorkspaceEdit.what).where(WorkspaceEdit.id > mark)
    later = session.execute((since.where(which) if tag_ids else since).order_by(WorkspaceEdit.id)).all()
    same = [name for name, done in later if done == what] or [name for name, _done in later]
    return tuple(name for name in dict.fromkeys(same) if name != user)


def last_workspace_editor(session: Session, user: str, what: str) -> str:
    """Who a conflict over something of the whole workspace names (one of its settings, the agenda; the columns'
    order): whoever last made the edit `what` of it, or its undo; "" when that is `user` or nobody is recorded (a
    file keeps none)."""
    last = session.scalar(select(WorkspaceEdit.user).where(
        WorkspaceEdit.tag_id.is_(None), WorkspaceEdit.what == what).order_by(WorkspaceEdit.id.desc()).limit(1))
    return _one_teammate({last}, user) if last else ""


def workspace_editors_since(session: Session, user: str, what: str, *, undone: bool) -> tuple[str, ...]:
    """The other people who made the workspace's edit `what` (of one of its settings), or its undo, after `user`'s
    latest record of it (the edit, or its undo when `undone`), in the order they did; empty when nothing says."""
    mark = session.scalar(select(func.max(WorkspaceEdit.id)).where(
        WorkspaceEdit.tag_id.is_(None), WorkspaceEdit.user == user, WorkspaceEdit.what == what,
        WorkspaceEdit.undone == undone))
    if mark is None:
        return ()
    later = session.scalars(select(WorkspaceEdit.user).where(
        WorkspaceEdit.tag_id.is_(None), WorkspaceEdit.what == what, WorkspaceEdit.id > mark)
        .order_by(WorkspaceEdit.id)).all()
    return tuple(name for name in dict.fromkeys(later) if name != user)


# ---- a meeting file's history ------------------------------------------------------------------------------------
# A file keeps no history: it is one person's. A team incident saved to a file for a meeting without network
# (publish.save_steps) is edited there by whoever runs the meeting, and brought back into the team workspace; so
# such a file goes on with the incident's history, signing each edit as meeting_signer() does, and the bring back
# carries those records with it. The file remembers how far the history went when it was saved: the bring back is
# allowed only while the team's history goes exactly that far (nobody edited it there since).
_SAVED_UNTIL = "history_until"
# the count beside it, in a setting of its own: an older release reads history_until as a number
_SAVED_RECORDS = "history_records"


def _saved_until_key(incident_id: int) -> str:
    return setting_key(MEETING_PREFIX, incident_id, _SAVED_UNTIL)


def _saved_records_key(incident_id: int) -> str:
    return setting_key(MEETING_PREFIX, incident_id, _SAVED_RECORDS)


@dataclass(frozen=True)
class HistoryEnd:
    """Where an incident's history ended: its last record's id (0: none) and how many records it had (None: a
    meeting file saved before the count was kept).

    The id alone cannot say that nobody edited the incident since: ids are handed out when a record is written, not
    when its edit commits, so an edit that began first and committed last has the lower id, behind the mark. The
    count catches it: records are only ever added."""

    last: int
    records: int | None = None

    def same_as(self, other: HistoryEnd) -> bool:
        """Whether the history went no further in other than in this (the count compared where both know it)."""
        return self.last == other.last and (self.records is None or other.records is None
                                            or self.records == other.records)


def history_end(history: list[dict]) -> HistoryEnd:
    """Where the history ended, from its records (incident_edits rows as captured)."""
    return HistoryEnd(max((row["id"] for row in history), default=0), len(history))


def team_history_end(session_or_conn: Session | Connection, incident_id: int) -> HistoryEnd:
    """Where the incident's history ends in this workspace now."""
    last, records = session_or_conn.execute(select(func.max(EditRecord.id), func.count()).where(
        EditRecord.incident_id == incident_id)).one()
    return HistoryEnd(last or 0, records)


def mark_saved_for_meeting(session: Session, incident_id: int, until: HistoryEnd) -> None:
    """In the file a team incident was just saved into: from now on its edits of the incident are in its history,
    and until (where the team workspace's history of it ended when saved) is where the team's must still end for a
    bring back."""
    incident_settings.put(session, _saved_until_key(incident_id), str(until.last))
    if until.records is not None:
        incident_settings.put(session, _saved_records_key(incident_id), str(until.records))


def keeps_history(session: Session, incident_id: int) -> bool:
    """Whether this file goes on with the incident's history (a meeting file's incident)."""
    return incident_settings.value(session, _saved_until_key(incident_id)) is not None


def meeting_mark(settings: list[dict], history: list[dict], incident_id: int, *, from_team: bool) -> HistoryEnd | None:
    """Where a copy of the incident into a file must say its history ended when saved (mark_saved_for_meeting):
    from a team workspace, where its history there ended (history: incident_edits rows as captured); from a
    meeting file, the mark that file has, so a copy of the meeting file brings back as the meeting file would;
    None: the copy is no meeting file."""
    if from_team:
        return history_end(history)
    return history_when_saved(settings, incident_id)


def history_when_saved(settings: list[dict], incident_id: int) -> HistoryEnd | None:
    """From an incident's settings (incident_settings.capture's rows): where its history ended in the team workspace
    when it was saved for a meeting, or None when it is no meeting file's."""
    values = {row["key"]: row["value"] for row in settings}
    last, records = values.get(_saved_until_key(incident_id)), values.get(_saved_records_key(incident_id))
    return HistoryEnd(int(last), int(records) if records is not None else None) if last is not None else None
