"""Work on one incident that must not run twice at once on a team workspace, though no row it locks says so.

Storing an incident's suggestions reads the pending ones, then deletes and writes the difference. Two
teammates' learning passes at once would both read the same rows and both write the new ones: each
suggestion stored twice, since no unique key holds a pair whose quote or message is NULL. A transaction-level
advisory lock keyed by the incident makes the second wait for the first's commit, and then read its rows.
It is the first thing its transaction takes, and only this work takes it, so the lock never closes a cycle
of waits itself. The pass's row writes can still meet a teammate's card edit on the same rows, as any two
edits can: the server then ends one of them, which says the workspace was busy. A file has one writer at a
time: there is nothing to take there.
"""
from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from .migrations import APPLICATION_ID

# the lock's first key, apart from every other lock the app takes (those are one bigint key each)
SUGGESTIONS = APPLICATION_ID


def hold_for_incident(session: Session, kind: int, incident_id: int) -> None:
    """Waits until no other transaction holds kind for the incident, then holds it until this one ends."""
    if session.get_bind().dialect.name != "postgresql":
        return
    # the two-key form takes int4 keys: a larger id shares its lock with a smaller one (a wait, never a fault)
    session.execute(text("SELECT pg_advisory_xact_lock(:kind, CAST(mod(:incident, 2147483647) AS integer))"),
                    {"kind": kind, "incident": incident_id})


__all__ = ["SUGGESTIONS", "hold_for_incident"]
