"""Moving incidents between workspaces: publish a file's incidents to a team workspace, save a team incident
to a new file (for a meeting without network). One unit of work each, for the app and the command line.

Both are generators of progress steps `(rows done, rows in all)` returning the CopyResult, so the app runs
them on a worker with Cancel (ui/workers.py); closing one early rolls the target's transaction back. The
copy itself, ids and all, is storage/incident_copy.py.
"""
from __future__ import annotations

from collections.abc import Generator, Iterable
from contextlib import nullcontext
from pathlib import Path

from sqlalchemy.orm import Session

from ..domain.changes import DataChange
from ..storage import edit_history, incident_copy, meeting_origin
from ..storage.edit_history import BRING_BACK, mark_saved_for_meeting, meeting_mark, team_history_end
from ..storage.errors import ReadOnlyWorkspaceError, WorkspaceError
from ..storage.handle import EditMade
from ..storage.incident_copy import AlreadyInTarget, CopyResult
from ..storage.workspace import Workspace, creating_file
from ..storage.workspace_kind import WorkspaceKind, address_key, kind_of, remembered_address, team_url
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
    A meeting file then notes the bring back (_note_bring_back), so its later edits may come back too.
    """
    target.require_writable(moving_ids=True)
    with source.reading() as session:
        conn = session.connection()
        parcel = incident_copy.gather(conn, None if incident_ids is None else list(incident_ids))
    notes = bring_back and target.kind is WorkspaceKind.TEAM and _is_meeting_file(source, parcel)
    if notes:
        _require_notable(source)
    team_committed = False
    try:
        # a bring back's note in the file is written before the team's commit and committed right after it: a file
        # that cannot take it refuses the whole bring back (the team's transaction rolls back)
        with source.transaction() if notes else nullcontext() as file_session:
            with target.transaction() as session:
                result = yield from incident_copy.put(session.connection(), parcel, target.name, as_copy=as_copy,
                                                      bring_back=bring_back, writer=target.user,
                                                      source_name=source.name)
                if not as_copy:
                    result.deleted_there = _deleted_there(source, target, parcel, result)
                if target.kind is WorkspaceKind.FILE:  # a team incident's meeting file goes on with its history
                    from_team = remembered_address(source.engine.url) if source.kind is WorkspaceKind.TEAM else None
                    _mark_meeting_files(session, parcel, result, from_team=from_team)
                came_back = result.brought_back + (result.deleted_there if bring_back else [])
                for incident_id in came_back:  # in its history, after the copy's own records
                    target.record_edit(session, incident_id, DataChange.everything(), f"{BRING_BACK} {source.name}",
                                       cards=result.cards_brought_back.get(incident_id, ()))
                # the other clients of a team workspace hear of the new incidents on commit (a file: nothing to tell)
                target.record_edit(session, WORKSPACE_WIDE, DataChange.everything(), f"Publish from {source.name}")
                if file_session is not None:
                    _note_bring_back(file_session, session, result, came_back, f"{BRING_BACK} {source.name}",
                                     target.user)
            team_committed = True
    except Exception as exc:
        if not team_committed:
            raise
        raise WorkspaceError(
            f"The changes were brought back into {target.name}, but {source.name} could not note that ({exc}). "
            "Bringing this file back again would be refused as changed there: to go on working without the network, "
            "save the incident as a file again from the team workspace.") from exc
    return result


def _is_meeting_file(source: Workspace, parcel: incident_copy.Parcel) -> bool:
    """Whether the source is a file holding a team incident saved for a meeting (its history goes on there)."""
    return source.kind is WorkspaceKind.FILE and any(
        edit_history.history_when_saved(snap.settings, snap.rows["incidents"][0]["id"]) is not None
        for snap in parcel.incidents)


def _require_notable(source: Workspace) -> None:
    """A bring back notes in the meeting file where the team's history ends after it: refused up front (nothing
    copied) when the file may not be written."""
    try:
        source.require_writable()
    except ReadOnlyWorkspaceError as exc:
        raise ReadOnlyWorkspaceError(
            f"{exc} Bringing its changes back also notes in {source.name} that they came back, so that later edits "
            "made there can come back too; nothing was copied. Open the file where it may be written (or a copy of "
            "it) and bring it back from there.") from exc


def _note_bring_back(file_session: Session, team_session: Session, result: CopyResult, came_back: list[int],
                     what: str, user: str) -> None:
    """In the meeting file, for each incident brought back: the bring back in its history (as in the team's, so a
    later bring back carries it), and its mark moved to where the team's history ends now (edit_history.py): up to
    date with the team, so further edits there may come back, while a teammate's edit made since still refuses it."""
    source_of = {copied.target_id: copied.source_id for copied in result.incidents}
    for incident_id in came_back:
        source_id = source_of[incident_id]
        if not edit_history.keeps_history(file_session, source_id):
            continue  # a plain file's incident: it keeps no history, and no mark says where the team's ended
        edit_history.write(file_session, EditMade(source_id, DataChange.everything(), what, False,
                                                  result.cards_brought_back_in_source.get(incident_id, ()), ()), user)
        mark_saved_for_meeting(file_session, source_id, team_history_end(team_session, incident_id))
    file_session.flush()  # takes the file's write lock now, before the team's commit: a file that refuses, refuses it


def _deleted_there(source: Workspace, target: Workspace, parcel: incident_copy.Parcel, result: CopyResult) -> list[int]:
    """The target's new incidents copied from a meeting file saved from this very team workspace (or from one it does
    not say): the team's copy was deleted there since, as it was not found there."""
    if source.kind is not WorkspaceKind.FILE or target.kind is not WorkspaceKind.TEAM:
        return []
    here = address_key(remembered_address(target.engine.url))
    target_of = {copied.source_id: copied.target_id for copied in result.incidents}
    found = []
    for snap in parcel.incidents:
        source_id = snap.rows["incidents"][0]["id"]
        if (edit_history.history_when_saved(snap.settings, source_id) is None
                or target_of[source_id] in result.brought_back):
            continue
        address = meeting_origin.saved_from_in(snap.settings, source_id)
        if not address or address_key(address) == here:
            found.append(target_of[source_id])
    return found


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
