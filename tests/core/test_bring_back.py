"""A team incident saved to a file for a meeting without network, edited there, and brought back (issue 18).

An on-screen review found the meeting's words had no way back: publishing the file again was refused ("already
there"), and a copy made a second incident. Bring back replaces the team incident with the file's, ids kept,
when nobody changed it there since the file was saved from it; when someone did, it is refused with nothing
written, since the file's version would overwrite theirs.
"""
from __future__ import annotations

import contextlib
import io
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from postmortem_desktop.cli import EXIT_REFUSED, main
from postmortem_desktop.services.conversations import AddConversation, typed_note
from postmortem_desktop.services.incidents import UpdateIncident
from postmortem_desktop.services.publish import AlreadyInTarget, publish, save_incident_as_file
from postmortem_desktop.services.review_answers import ReviewService, SetReviewAnswer
from postmortem_desktop.storage.schema import Conversation, EditRecord, Incident
from postmortem_desktop.storage.workspace import open_workspace

MEETING_ANSWER = "Agencies stopped invoicing their clients for a day (said at the review meeting)."


@pytest.fixture
def team(team_demo_url):
    workspace = open_workspace(team_demo_url)
    yield workspace
    workspace.close()


@pytest.fixture
def incident_id(team) -> int:
    with team.reading() as session:
        return session.scalars(select(Incident.id).order_by(Incident.id)).first()


@pytest.fixture
def meeting(team, incident_id, tmp_path):
    """The incident saved to a file, then edited there at the meeting: an answer and a typed call note."""
    path = tmp_path / "meeting.pmw"
    save_incident_as_file(team, path, incident_id)
    workspace = open_workspace(path)
    SetReviewAnswer(incident_id, "wording", MEETING_ANSWER).do(workspace)
    AddConversation(incident_id, typed_note("call", "Dana", "Called back after the meeting.",
                                            datetime.now(UTC), "customer")).do(workspace)
    yield workspace
    workspace.close()


def _conversation_ids(workspace, incident_id: int) -> set[int]:
    with workspace.reading() as session:
        return set(session.scalars(select(Conversation.id).where(Conversation.incident_id == incident_id)))


def _answer(workspace, incident_id: int) -> str:
    return next(a.answer for a in ReviewService(workspace).answers(incident_id) if a.key == "wording")


def test_the_meetings_changes_come_back_into_the_unchanged_team_incident_with_its_ids(team, incident_id, meeting):
    before = _conversation_ids(team, incident_id)
    with pytest.raises(AlreadyInTarget) as refused:  # without asking for it: refused as before, saying it may
        publish(meeting, team, [incident_id])
    assert refused.value.may_bring_back and "bring this copy's changes back" in str(refused.value)

    result = publish(meeting, team, [incident_id], bring_back=True)
    assert result.brought_back == [incident_id] and [i.target_id for i in result.incidents] == [incident_id]
    assert _answer(team, incident_id) == MEETING_ANSWER
    after = _conversation_ids(team, incident_id)
    # every conversation kept its id; the call note came too (under a new one: the file's was taken there)
    assert before < after and len(after - before) == 1
    with team.reading() as session:
        last = session.execute(select(EditRecord.what, EditRecord.user).where(EditRecord.incident_id == incident_id)
                               .order_by(EditRecord.id.desc())).first()
    assert last is not None and tuple(last) == (f"Bring Back from {meeting.name}", team.user)

    UpdateIncident(incident_id, title="Renamed on the team after the bring back").do(team)
    with pytest.raises(AlreadyInTarget) as again:  # a teammate's edit since the bring back is not overwritten
        publish(meeting, team, [incident_id], bring_back=True)
    assert not again.value.may_bring_back and "changed there after this copy was made" in str(again.value)


def test_a_team_incident_changed_since_the_meeting_file_is_not_overwritten(team, incident_id, meeting):
    UpdateIncident(incident_id, title="Billing outage (renamed in the team workspace)").do(team)
    before = _conversation_ids(team, incident_id), _answer(team, incident_id)
    with pytest.raises(AlreadyInTarget) as refused:
        publish(meeting, team, [incident_id], bring_back=True)
    assert not refused.value.may_bring_back
    assert "changed there after this copy was made from it" in str(refused.value)
    assert (_conversation_ids(team, incident_id), _answer(team, incident_id)) == before  # nothing written


def test_the_command_line_says_which_choices_there_are(team, team_demo_url, incident_id, meeting):
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        assert main(["publish", str(meeting.path), team_demo_url, "--incident", str(incident_id)]) == EXIT_REFUSED
    assert "Run again with --bring-back or --as-copy." in err.getvalue()
    out = io.StringIO()
    meeting.close()  # the command line opens the file itself
    with contextlib.redirect_stdout(out):
        assert main(["publish", str(meeting.path), team_demo_url, "--incident", str(incident_id), "--bring-back"]) == 0
    assert f"brought back (replaced, nobody had changed them there): incident {incident_id}" in out.getvalue()
    assert _answer(team, incident_id) == MEETING_ANSWER


def test_a_file_target_never_takes_a_copy_back(team, incident_id, meeting, tmp_path):
    """A file records no history, so nothing says whether its incident changed since: a copy of the meeting file
    edited on its own is never replaced by the meeting's."""
    import shutil

    meeting.close()
    other = tmp_path / "other.pmw"
    shutil.copy(meeting.path, other)
    mine = open_workspace(other)
    again = open_workspace(meeting.path)
    try:
        SetReviewAnswer(incident_id, "wording", "Typed in the other file.").do(mine)
        with pytest.raises(AlreadyInTarget) as refused:
            publish(again, mine, [incident_id], bring_back=True)
        assert not refused.value.may_bring_back
        assert _answer(mine, incident_id) == "Typed in the other file."
    finally:
        mine.close()
        again.close()


def test_a_column_renamed_on_the_team_since_the_meeting_file_refuses_the_bring_back(team, incident_id, meeting):
    """A column's edits are the whole workspace's (no incident's history has them): one of the incident's
    columns renamed there since would come back beside what a teammate made of it."""
    from postmortem_desktop.services.quotes import board_cards
    from postmortem_desktop.services.tagging import RenameTag, list_tags

    used = {tag for card in board_cards(team, incident_id) for tag in card.tag_ids}
    column = next(t for t in list_tags(team) if t.id in used)
    RenameTag(column.id, f"{column.name}-renamed", column.name).do(team)
    with pytest.raises(AlreadyInTarget) as refused:
        publish(meeting, team, [incident_id], bring_back=True)
    assert not refused.value.may_bring_back and f"“{column.name}”" in str(refused.value)
    assert "renamed, merged or removed there" in str(refused.value)
    assert _answer(team, incident_id) != MEETING_ANSWER


def test_a_conflict_after_a_bring_back_names_who_brought_it_back(team_demo_url, incident_id, meeting, monkeypatch):
    from postmortem_desktop.services.commands import EditConflict

    monkeypatch.setenv("POSTMORTEM_USER", "Ben (engineer)")
    ben = open_workspace(team_demo_url)
    monkeypatch.setenv("POSTMORTEM_USER", "Ana (support lead)")
    ana = open_workspace(team_demo_url)
    try:
        seen = _answer(ben, incident_id)  # Ben's screen shows the answer as it was
        publish(meeting, ana, [incident_id], bring_back=True)
        with pytest.raises(EditConflict) as refused:
            SetReviewAnswer(incident_id, "wording", "Ben's words", based_on=seen).do(ben)
        assert refused.value.by == "Ana (support lead)"
    finally:
        ana.close()
        ben.close()


def test_a_history_whose_keys_must_move_keeps_its_order(team_database, tmp_path):
    """Some of an incident's history rows keep their keys on the target, others are taken there: all of them move,
    in order, so the last decision (by key) is still the last (before: the moved ones landed above the kept)."""
    from sqlalchemy import text

    from postmortem_desktop.services.incidents import CreateIncident
    from postmortem_desktop.storage.schema import IncidentHistory
    from postmortem_desktop.storage.workspace import create_workspace

    source = create_workspace(tmp_path / "s.pmw")
    target = create_workspace(team_database)
    try:
        made = CreateIncident(title="Order", technical_start=datetime(2026, 11, 18, tzinfo=UTC))
        made.do(source)
        with source.transaction() as session:
            for key, who in ((50, "Ana"), (5000, "Ben")):  # Ana decided first, Ben after
                session.add(IncidentHistory(id=key, incident_id=made.incident_id, kind="severity_confirmed",
                                            detail="", decided_by=who))
        with target.transaction() as session:  # the target's sequence handed out 1,000 keys already
            session.execute(text("SELECT setval('incident_history_id_seq', 1000)"))
        publish(source, target)
        with target.reading() as session:
            order = session.scalars(select(IncidentHistory.decided_by).order_by(IncidentHistory.id)).all()
        assert order == ["Ana", "Ben"]
    finally:
        source.close()
        target.close()


def test_the_meetings_edits_come_back_in_the_team_history_signed_by_who_made_them(team, incident_id, tmp_path,
                                                                                 monkeypatch):
    """Before, a file kept no history: the team's history showed one "Bring Back" by whoever brought the file back,
    and nothing of who changed what at the meeting."""
    with team.reading() as session:
        saved_at = [e.id for e in session.scalars(select(EditRecord).where(EditRecord.incident_id == incident_id))]
    path = tmp_path / "meeting.pmw"
    save_incident_as_file(team, path, incident_id)
    monkeypatch.setenv("POSTMORTEM_USER", "Dana (facilitator)")
    meeting = open_workspace(path)
    try:
        answer = SetReviewAnswer(incident_id, "wording", MEETING_ANSWER)
        answer.do(meeting)
        retitle = UpdateIncident(incident_id, title="Checkout outage (as named at the review)")
        retitle.do(meeting)
        retitle.undo(meeting)
        made_there = [(e.user, e.what, e.undone) for e in ReviewService(meeting).edits(incident_id)][len(saved_at):]
        assert made_there == [("Dana (facilitator)", answer.name, False), ("Dana (facilitator)", retitle.name, False),
                              ("Dana (facilitator)", retitle.name, True)]
        publish(meeting, team, [incident_id], bring_back=True)  # allowed: nobody edited it on the team since
    finally:
        meeting.close()
    history = [(e.user, e.what, e.undone) for e in ReviewService(team).edits(incident_id)]
    assert history[len(saved_at):] == [*made_there, (team.user, f"Bring Back from {path.name}", False)]
    assert _answer(team, incident_id) == MEETING_ANSWER


@pytest.mark.parametrize("teammate_edits", [False, True], ids=["nobody edited since", "a teammate edited since"])
def test_a_copy_of_a_meeting_file_brings_back_as_the_meeting_file_would(team, team_demo_url, incident_id, tmp_path,
                                                                      monkeypatch, teammate_edits):
    """A meeting file saved again as a file is a meeting file too: it goes on with the history, and the bring back
    checks the team's history against where it ended when the first file was saved. Found by code review: the copy
    had the meeting's records but not that mark, so the check used its last record's id, which the team's next
    edit takes too: a teammate's edit was overwritten, or the person's own edit refused the bring back."""
    meeting_path, copy_path = tmp_path / "meeting.pmw", tmp_path / "copy of the meeting.pmw"
    save_incident_as_file(team, meeting_path, incident_id)
    monkeypatch.setenv("POSTMORTEM_USER", "Dana (facilitator)")
    meeting = open_workspace(meeting_path)
    try:
        retitle = UpdateIncident(incident_id, title="Renamed at the meeting")
        retitle.do(meeting)
        save_incident_as_file(meeting, copy_path, incident_id)
    finally:
        meeting.close()
    copy = open_workspace(copy_path)
    try:
        answer = SetReviewAnswer(incident_id, "wording", MEETING_ANSWER)
        answer.do(copy)  # the copy carries the meeting's record and keeps its own
        assert [(e.user, e.what) for e in ReviewService(copy).edits(incident_id)][-2:] == [
            ("Dana (facilitator)", retitle.name), ("Dana (facilitator)", answer.name)]
        if teammate_edits:
            monkeypatch.setenv("POSTMORTEM_USER", "Ben (engineer)")
            ben = open_workspace(team_demo_url)
            try:
                UpdateIncident(incident_id, title="Renamed by Ben on the team").do(ben)
            finally:
                ben.close()
            with pytest.raises(AlreadyInTarget) as refused:
                publish(copy, team, [incident_id], bring_back=True)
            assert not refused.value.may_bring_back
            assert _title(team, incident_id) == "Renamed by Ben on the team"
        else:
            publish(copy, team, [incident_id], bring_back=True)
            assert _title(team, incident_id) == "Renamed at the meeting"
            assert _answer(team, incident_id) == MEETING_ANSWER
            users = [e.user for e in ReviewService(team).edits(incident_id)][-3:]
            assert users == ["Dana (facilitator)", "Dana (facilitator)", team.user]
    finally:
        copy.close()


def _title(workspace, incident_id: int) -> str:
    with workspace.reading() as session:
        return session.get(Incident, incident_id).title


def _history(workspace, incident_id: int) -> list[tuple[str, str, bool]]:
    return [(e.user, e.what, e.undone) for e in ReviewService(workspace).edits(incident_id)]


def test_a_meeting_file_brings_back_again_after_further_edits_there(team, team_demo_url, incident_id, tmp_path,
                                                                  monkeypatch):
    """Found by a new user: after one bring back, every later one was refused as "changed there ... (last, Mia at
    the meeting: Bring Back from meeting2.pmw)", the file's own bring back. The bring back now notes in the file where
    the team's history ends after it, in its history as in the team's, so further edits there come back too, while a
    teammate's edit made on the team after it still refuses them."""
    path = tmp_path / "meeting2.pmw"
    save_incident_as_file(team, path, incident_id)
    monkeypatch.setenv("POSTMORTEM_USER", "Mia at the meeting")
    meeting = open_workspace(path)
    try:
        SetReviewAnswer(incident_id, "wording", MEETING_ANSWER).do(meeting)
        publish(meeting, team, [incident_id], bring_back=True)
        first = _history(team, incident_id)

        later = SetReviewAnswer(incident_id, "wording", "Said later, at the same meeting.")
        later.do(meeting)
        result = publish(meeting, team, [incident_id], bring_back=True)  # before: refused, by its own bring back
        assert result.brought_back == [incident_id]
        assert _answer(team, incident_id) == "Said later, at the same meeting."
        history = _history(team, incident_id)
        assert history[:len(first)] == first  # the first bring back's record stays in the team's history
        assert history[len(first):] == [("Mia at the meeting", later.name, False),
                                        (team.user, f"Bring Back from {path.name}", False)]
        assert _history(meeting, incident_id) == history  # the file says its bring backs, as the team's history does

        monkeypatch.setenv("POSTMORTEM_USER", "Ben (engineer)")
        ben = open_workspace(team_demo_url)
        try:
            UpdateIncident(incident_id, title="Renamed by Ben after the bring back").do(ben)
        finally:
            ben.close()
        SetReviewAnswer(incident_id, "wording", "Said after Ben's rename.").do(meeting)
        with pytest.raises(AlreadyInTarget) as refused:
            publish(meeting, team, [incident_id], bring_back=True)
        assert not refused.value.may_bring_back and "Ben (engineer)" in str(refused.value)
        assert _answer(team, incident_id) == "Said later, at the same meeting."
    finally:
        meeting.close()


def test_a_meeting_file_that_cannot_note_the_bring_back_brings_nothing_back(team, incident_id, tmp_path):
    """The note in the file goes with the team's transaction: a file that may not be written refuses the bring back
    in words, with nothing written on the team (else its next bring back would be refused with no reason given)."""
    from postmortem_desktop.storage.errors import ReadOnlyWorkspaceError

    path = tmp_path / "meeting.pmw"
    save_incident_as_file(team, path, incident_id)
    writable = open_workspace(path)
    SetReviewAnswer(incident_id, "wording", MEETING_ANSWER).do(writable)
    writable.close()
    before = _history(team, incident_id), _answer(team, incident_id)
    meeting = open_workspace(path, read_only=True)
    try:
        with pytest.raises(ReadOnlyWorkspaceError, match="nothing was copied"):
            publish(meeting, team, [incident_id], bring_back=True)
    finally:
        meeting.close()
    assert (_history(team, incident_id), _answer(team, incident_id)) == before


def test_a_file_locked_by_another_writer_leaves_the_team_incident_as_it_was(team, incident_id, tmp_path):
    """The file's note is written before the team's commit: when the file cannot take it (another program writing
    it), the team's transaction rolls back too."""
    import sqlite3

    path = tmp_path / "meeting.pmw"
    save_incident_as_file(team, path, incident_id)
    meeting = open_workspace(path)
    try:
        SetReviewAnswer(incident_id, "wording", MEETING_ANSWER).do(meeting)
        before = _history(team, incident_id), _answer(team, incident_id)
        other = sqlite3.connect(path, timeout=0)
        other.execute("BEGIN IMMEDIATE")  # another writer holds the file
        try:
            with pytest.raises(Exception, match="(?i)locked|busy|another program"):
                publish(meeting, team, [incident_id], bring_back=True)
        finally:
            other.rollback()
            other.close()
        assert (_history(team, incident_id), _answer(team, incident_id)) == before
        publish(meeting, team, [incident_id], bring_back=True)  # once free, it goes through
        assert _answer(team, incident_id) == MEETING_ANSWER
    finally:
        meeting.close()


def test_a_file_that_fails_to_keep_the_note_after_the_teams_commit_is_said(team, incident_id, tmp_path, monkeypatch):
    """The two databases commit one after the other: when the file's commit fails after the team's (a full disk,
    say), the person is told the changes came back but the file could not note it, and what to do."""
    from contextlib import contextmanager

    from postmortem_desktop.storage.errors import WorkspaceError

    path = tmp_path / "meeting.pmw"
    save_incident_as_file(team, path, incident_id)
    meeting = open_workspace(path)
    try:
        SetReviewAnswer(incident_id, "wording", MEETING_ANSWER).do(meeting)
        real = meeting.transaction

        @contextmanager
        def failing_commit():
            with real() as session:
                yield session
                raise OSError("disk full")  # at the file's commit, after the team's: the file's note rolls back

        monkeypatch.setattr(meeting, "transaction", failing_commit)
        with pytest.raises(WorkspaceError) as said:
            publish(meeting, team, [incident_id], bring_back=True)
        assert f"brought back into {team.name}, but {meeting.name} could not note that (disk full)" in str(said.value)
        assert "save the incident as a file again" in str(said.value)
        assert _answer(team, incident_id) == MEETING_ANSWER  # the team has it
        monkeypatch.undo()
        with pytest.raises(AlreadyInTarget):  # as said: the file's mark did not move
            publish(meeting, team, [incident_id], bring_back=True)
    finally:
        meeting.close()


def test_a_meeting_file_brought_back_after_a_delete_says_so_and_the_delete_undo_is_refused_in_words(
        team, incident_id, tmp_path, monkeypatch):
    """Found by a new user: the team deleted the incident while a meeting file of it was out; its bring back came in
    as a new incident without a word about the delete, and Undo of the delete then failed on the database's unique
    key (raw SQL). The summary says the team's copy had been deleted; the undo is refused in words, nothing
    written."""
    from postmortem_desktop.services.commands import RuleError
    from postmortem_desktop.services.incidents import DeleteIncident, IncidentService

    path = tmp_path / "meeting3.pmw"
    save_incident_as_file(team, path, incident_id)
    title = IncidentService(team).get(incident_id).title
    delete = DeleteIncident(incident_id, title)
    delete.do(team)
    monkeypatch.setenv("POSTMORTEM_USER", "Mia at the meeting")
    meeting = open_workspace(path)
    try:
        SetReviewAnswer(incident_id, "wording", MEETING_ANSWER).do(meeting)
        result = publish(meeting, team, [incident_id], bring_back=True)
        back = result.incidents[0].target_id
        assert back != incident_id and result.deleted_there == [back] and result.brought_back == []
        assert _history(team, back)[-1] == (team.user, f"Bring Back from {path.name}", False)
        assert _answer(team, back) == MEETING_ANSWER
        with team.reading() as session:
            incidents = session.scalars(select(Incident.id)).all()

        with pytest.raises(RuleError) as refused:
            delete.undo(team)
        assert (f"brought it back (Bring Back from {path.name}) as incident {back}" in str(refused.value)
                and f"{team.user} brought" in str(refused.value) and "Nothing was undone" in str(refused.value))
        with team.reading() as session:
            assert session.scalars(select(Incident.id)).all() == incidents

        SetReviewAnswer(incident_id, "wording", "Said later.").do(meeting)  # the file goes on into that one
        assert publish(meeting, team, [incident_id], bring_back=True).brought_back == [back]
        assert _answer(team, back) == "Said later."
    finally:
        meeting.close()


def test_the_command_line_says_the_team_had_deleted_it(team, team_demo_url, incident_id, tmp_path):
    from postmortem_desktop.services.incidents import DeleteIncident

    path = tmp_path / "meeting3.pmw"
    save_incident_as_file(team, path, incident_id)
    DeleteIncident(incident_id).do(team)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["publish", str(path), team_demo_url, "--bring-back"]) == 0
    assert "deleted in" in out.getvalue() and "so it came back as a new incident" in out.getvalue()
