"""Moving incidents between workspaces: publish a file's incidents to a team workspace, save a team incident
to a new file (for a meeting without network). One unit of work each, for the app and the command line.

Both are generators of progress steps `(rows done, rows in all)` returning the CopyResult, so the app runs
them on a worker with Cancel (ui/workers.py); closing one early rolls the target's transaction back. The
copy itself, ids and all, is storage/incident_copy.py.
"""
from __future__ import annotations

from collections.abc import Generator, Iterable
from pathlib import Path

from sqlalchemy.orm import Session

from ..domain.changes import DataChange
from ..storage import incident_copy, meeting_origin
from ..storage.edit_history import BRING_BACK, mark_saved_for_meeting, meeting_mark
from ..storage.errors import WorkspaceError
from ..storage.incident_copy import AlreadyInTarget, CopyResult
from ..storage.workspace import Workspace, creating_file
from ..storage.workspace_kind import WorkspaceKind, kind_of, remembered_address, team_url
from .commands import WORKSPACE_WIDE

__all__ = ["AlreadyInTarget", "CopyResult", "copy_steps", "publish", "save_incident_as_file", "save_steps",
           "saved_from"]

Steps = Generator[tuple[int, int], None, CopyResult]


def copy_steps(source: Workspace, target: Workspace, incident_ids: Iterable[int] | None = None, *,
               as_copy: bool = False, bring_back: bool = False) -> Steps:
    """Copies the incidents (all of them when None) from source into target in one transaction on the target.

    Refused before anything is read when the target may not be written (its read-only reason, or a role that
    may edit but not number rows in a block, as a copy does), and
    with nothing written when an incident is already there (AlreadyInTarget, unless as_copy).
    bring_back: an incident already there that nobody changed since this copy was made from it (a file saved for
    a meeting without network, edited there) is replaced by it instead, ids kept; its history says who did it.
    """
    target.require_writable(moving_ids=True)
    with source.reading() as session:
        conn = session.connection()
        parcel = incident_copy.gather(conn, None if incident_ids is None else list(incident_ids))
    with target.transaction() as session:
        result = yield from incident_copy.put(session.connection(), parcel, target.name, as_copy=as_copy,
                                              bring_back=bring_back, writer=target.user,
                                              source_name=source.name)
        if target.kind is WorkspaceKind.FILE:  # a team incident's meeting file goes on with its history
            from_team = remembered_address(source.engine.url) if source.kind is WorkspaceKind.TEAM else None
            _mark_meeting_files(session, parcel, result, from_team=from_team)
        for incident_id in result.brought_back:  # in its history, after the copy's own records
            target.record_edit(session, incident_id, DataChange.everything(), f"{BRING_BACK} {source.name}",
                               cards=result.cards_brought_back.get(incident_id, ()))
        # the other clients of a team workspace hear of the new incidents on commit (a file: nothing to tell)
        target.record_edit(session, WORKSPACE_WIDE, DataChange.everything(), f"Publish from {source.name}")
    return result


def _mark_meeting_files(session: Session, parcel: incident_copy.Parcel, result: CopyResult, *,
                        from_team: str | None) -> None:
    """Each incident copied into a file from a team workspace (from_team: its address, no password), or from a
    meeting file, is a meeting file's: marked with where its history ended in the team workspace
    (storage/edit_history.py) and that workspace's address (storage/meeting_origin.py)."""
    target_of = {copied.source_id: copied.target_id for copied in result.incidents}
    for snap in parcel.incidents:
        source_id = snap.rows["incidents"][0]["id"]
        until = meeting_mark(snap.settings, snap.rows["incident_edits"], source_id, from_team=from_team is not None)
        if until is not None and source_id in target_of:
            mark_saved_for_meeting(session, target_of[source_id], until)
            address = from_team if from_team is not None else meeting_origin.saved_from_in(snap.settings, source_id)
            if address:
                meeting_origin.mark_saved_from(session, target_of[source_id], address)


def saved_from(workspace: Workspace, incident_id: int) -> str:
    """The team workspace's address this file's incident (else any of its incidents) was saved from for a meeting,
    without a password; "" when it is no meeting file (or one saved before the address was kept)."""
    if workspace.kind is not WorkspaceKind.FILE:
        return ""
    with workspace.reading() as session:
        address = meeting_origin.saved_from(session, incident_id)
    # the file is untrusted like any other: only an address of the parts a meeting file keeps is offered
    if not address or kind_of(address) is not WorkspaceKind.TEAM:
        return ""
    try:
        return remembered_address(team_url(address))
    except WorkspaceError:
        return ""


def save_steps(source: Workspace, path: Path | str, incident_id: int) -> Steps:
    """Saves one incident into a new workspace file at path, which appears only when it is complete."""
    with creating_file(path) as new:
        result = yield from copy_steps(source, new.workspace, [incident_id])
    result.target = new.path.name
    return result


def run(steps: Steps) -> CopyResult:
    """Runs a copy's steps to the end, for callers without progress (the command line, scripts)."""
    while True:
        try:
            next(steps)
        except StopIteration as stop:
            return stop.value


def publish(source: Workspace, target: Workspace, incident_ids: Iterable[int] | None = None, *,
            as_copy: bool = False, bring_back: bool = False) -> CopyResult:
    return run(copy_steps(source, target, incident_ids, as_copy=as_copy, bring_back=bring_back))


def save_incident_as_file(source: Workspace, path: Path | str, incident_id: int) -> CopyResult:
    return run(save_steps(source, path, incident_id))
