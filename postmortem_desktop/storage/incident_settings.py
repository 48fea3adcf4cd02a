"""Settings that belong to one incident: workspace settings keyed PREFIX + "{incident id}." + name.

They live in workspace_settings beside the workspace-wide ones, so adding one needs no format change. What makes
them the incident's is that they go where its rows go: a delete takes them (snapshot.delete_incident_rows) and its
undo puts them back (snapshot.capture, restore); publishing and saving for a meeting carry those in TRAVELLING.

A file numbers a new incident after the highest one left, so a deleted incident's number comes back. Before
deletes took these settings along, the next incident inherited its step notes; `forget` at every new incident
clears what such a delete left in files written then.
"""
from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Connection, delete, insert, or_, select
from sqlalchemy.orm import Session

from .schema import WorkspaceSetting

#: the facilitator's notes of each agenda step: NOTES_PREFIX + "{incident id}.{step key}"
NOTES_PREFIX = "facilitator.notes."
#: whether a person asked for the incident's suggested tags, and which Suggest Tags they are from (suggestions.py)
SUGGESTIONS_PREFIX = "suggestions."
#: a file saved from a team workspace for a meeting: how far the incident's history went there (edit_history.py)
MEETING_PREFIX = "meeting."
PREFIXES = (NOTES_PREFIX, SUGGESTIONS_PREFIX, MEETING_PREFIX)
#: those that go with the incident to another workspace: not where a meeting file came from, which is the file's own
TRAVELLING = (NOTES_PREFIX, SUGGESTIONS_PREFIX)


def setting_key(prefix: str, incident_id: int, name: str) -> str:
    return f"{prefix}{incident_id}.{name}"


def renumbered(key: str, incident_ids: Mapping[int, int]) -> str:
    """A travelling setting's key for its incident's number where it is copied (incident_ids: old -> new)."""
    prefix = next(p for p in TRAVELLING if key.startswith(p))
    old_id, _, name = key[len(prefix):].partition(".")
    return setting_key(prefix, incident_ids[int(old_id)], name)


def value(session: Session, key: str) -> str | None:
    """The setting's value as stored now (a teammate's write since this session last read it included)."""
    row = session.get(WorkspaceSetting, key, populate_existing=True)
    return row.value if row is not None else None


def put(session: Session, key: str, new: str | None) -> str | None:
    """Writes the setting in the session's transaction (None: deletes it); returns what it was."""
    row = session.get(WorkspaceSetting, key, populate_existing=True)
    before = row.value if row is not None else None
    if new is None:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(WorkspaceSetting(key=key, value=new))
    else:
        row.value = new
    session.flush()
    return before


def _of_incident(incident_id: int):  # noqa: ANN202 - an SQL condition
    # LIKE with the escape spelled out: a prefix's "." and "_" stay themselves on both engines
    return or_(*(WorkspaceSetting.key.startswith(f"{prefix}{incident_id}.", autoescape=True) for prefix in PREFIXES))


def capture(conn: Connection, incident_id: int) -> list[dict]:
    """The incident's settings as rows (key, value)."""
    return [dict(row._mapping) for row in conn.execute(
        select(WorkspaceSetting.__table__).where(_of_incident(incident_id)).order_by(WorkspaceSetting.key))]


def forget(conn: Connection, incident_id: int) -> None:
    """Deletes the incident's settings: at its delete, and at a new incident given a number a deleted one had."""
    conn.execute(delete(WorkspaceSetting).where(_of_incident(incident_id)))


def put_back(conn: Connection, rows: list[dict]) -> None:
    """Writes the rows back, each unless its key was written since (a teammate's late notes on the deleted
    incident's number, say): that later one is kept, and the undo does not fail on a duplicate key."""
    if not rows:
        return
    written = set(conn.scalars(select(WorkspaceSetting.key).where(WorkspaceSetting.key.in_([r["key"] for r in rows]))))
    missing = [row for row in rows if row["key"] not in written]
    if missing:
        conn.execute(insert(WorkspaceSetting), missing)


__all__ = ["NOTES_PREFIX", "PREFIXES", "SUGGESTIONS_PREFIX", "TRAVELLING", "capture", "forget", "put_back",
           "renumbered", "setting_key"]
