"""Two teammates' edits in flight at the same moment on one team workspace: what an adversarial review found.

Each test holds one client's edit open (written, not yet committed) while the other's runs, then commits it: the
order a test suite running one edit at a time never reaches, and the one where a teammate's edit was lost.
"""
from __future__ import annotations

import contextlib
import threading

import pytest
from sqlalchemy import select

from postmortem_desktop.services.incidents import CreateIncident, DeleteIncident
from postmortem_desktop.services.publish import AlreadyInTarget, publish, save_incident_as_file
from postmortem_desktop.services.review_answers import ReviewService, SetReviewAnswer
from postmortem_desktop.services.tagging import AssignTag, applied_tags
from postmortem_desktop.storage.errors import WorkspaceBusyError
from postmortem_desktop.storage.schema import Conversation, EditRecord, Quote, Tag
from postmortem_desktop.storage.workspace import create_workspace, open_workspace
from tests.helpers import billing_id


@pytest.fixture
def clients(team_database):
    """Ana's and Ben's clients on one team workspace."""
    ana = create_workspace(team_database)
    ben = open_workspace(team_database)
    yield ana, ben
    ben.close()
    ana.close()


@contextlib.contextmanager
def held_open(workspace, edit):
    """edit written in its transaction (its history record too) but not committed until the block ends."""
    with workspace.transaction() as session:
        edit.apply(session)
        workspace.record_edit(session, edit.incident_id, edit.changes, edit.name)
        yield


def _answer(workspace, incident_id: int, key: str) -> str:
    return next(a.answer for a in ReviewService(workspace).answers(incident_id) if a.key == key)


def _incident_worded(workspace, wording: str) -> int:
    """A new incident whose support-wording answer says wording."""
    created = CreateIncident(title="Billing")
    created.do(workspace)
    SetReviewAnswer(created.incident_id, "wording", wording).do(workspace)
    return created.incident_id


def test_deleting_an_incident_while_a_teammates_edit_of_it_commits_is_stopped_not_lost_by_its_undo(clients):
    """Before: Ben's delete copied the incident (for its undo) before Ana's edit committed, then deleted her edited
    row once it had: Ana was told her answer was saved, and Ben's undo of the delete put back the copy without it."""
    ana, ben = clients
    incident = _incident_worded(ana, "Our first wording.")
    delete = DeleteIncident(incident, "Billing")
    outcome: list[BaseException | None] = []

    def ben_deletes() -> None:
        try:
            delete.do(ben)
            outcome.append(None)
        except BaseException as exc:  # the test asserts what it was
            outcome.append(exc)

    with held_open(ana, SetReviewAnswer(incident, "wording", "Ana's wording.", based_on="Our first wording.")):
        deleting = threading.Thread(target=ben_deletes)
        deleting.start()
        deleting.join(timeout=1.0)
        assert deleting.is_alive()  # the delete waits for Ana's edit of the incident's row
    deleting.join(timeout=30)
    assert len(outcome) == 1 and isinstance(outcome[0], WorkspaceBusyError), outcome
    assert "nothing of it was saved" in str(outcome[0])
    assert _answer(ana, incident, "wording") == "Ana's wording."  # the incident and her edit stand


def test_a_delete_after_a_teammates_edit_committed_keeps_it_in_what_its_undo_puts_back(clients):
    ana, ben = clients
    incident = _incident_worded(ana, "Ana's wording.")
    delete = DeleteIncident(incident, "Billing")
    delete.do(ben)
    delete.undo(ben)
    assert _answer(ana, incident, "wording") == "Ana's wording."


def _card_and_free_column(workspace, incident_id: int, nth: int) -> tuple[int, dict, int]:
    """The incident's nth card, its columns as a screen shows them, and a column it is not in."""
    with workspace.reading() as session:
        card = session.scalars(select(Quote.id).join(Conversation, Conversation.id == Quote.conversation_id)
                               .where(Conversation.incident_id == incident_id).order_by(Quote.id)).all()[nth]
        shown = applied_tags(session, [card])
        free = next(tag for tag in session.scalars(select(Tag.id).order_by(Tag.id)) if tag not in shown[card])
    return card, shown, free


def test_a_meeting_file_does_not_come_back_over_an_edit_that_committed_after_it_was_saved(team_demo_url, tmp_path):
    """Before: "nobody edited it since" was the team's last history record's id. Ben's card edit took its record's
    id first and committed last, after Ana's later-numbered one and after the save (card edits do not wait for each
    other): the mark already stood past his record, and the bring back put the meeting's version over his edit."""
    ana, ben = open_workspace(team_demo_url), open_workspace(team_demo_url)
    try:
        incident = billing_id(ana)
        path = tmp_path / "meeting.pmw"
        card, shown, free = _card_and_free_column(ben, incident, 0)
        with held_open(ben, AssignTag(incident, [card], free, "Ben's column").made_from(shown)):
            other, other_shown, other_free = _card_and_free_column(ana, incident, 1)
            AssignTag(incident, [other], other_free, "Ana's column").made_from(other_shown).do(ana)
            save_incident_as_file(ana, path, incident)  # reads the team as it is: without Ben's edit
        with ana.reading() as session:  # the order that was missed: Ben's record has the lower id, yet came last
            last_two = session.scalars(select(EditRecord.what).where(EditRecord.incident_id == incident)
                                       .order_by(EditRecord.id.desc()).limit(2)).all()
        assert [what.endswith("Ana's column”") for what in last_two] == [True, False]
        meeting = open_workspace(path)
        try:
            SetReviewAnswer(incident, "wording", "Said at the meeting.").do(meeting)
            with pytest.raises(AlreadyInTarget, match="changed there after this copy was made"):
                publish(meeting, ana, [incident], bring_back=True)
        finally:
            meeting.close()
        with ana.reading() as session:
            assert free in applied_tags(session, [card])[card]  # Ben's edit stands
    finally:
        ben.close()
        ana.close()


def test_a_paste_undone_while_a_meeting_file_is_brought_back_waits_rather_than_deadlocks(team_demo_url, tmp_path,
                                                                                        monkeypatch):
    """Before: the undo held the incident's row (FOR SHARE) and then waited for the tables; the bring back held
    the tables and then waited for the row: the server ended one as a deadlock. Every writer now takes the
    incident's row before the tables, so one waits for the other; the bring back then sees the undo in the team's
    history and is refused in words."""
    from postmortem_desktop.services import conversations
    from postmortem_desktop.services.conversations import AddConversation
    from tests.core.test_undo_after_teammate_bulk import paste

    ana, ben = open_workspace(team_demo_url), open_workspace(team_demo_url)
    try:
        incident = billing_id(ben)
        pasted = AddConversation(incident, paste())
        pasted.do(ben)
        path = tmp_path / "meeting.pmw"
        save_incident_as_file(ana, path, incident)
        meeting = open_workspace(path)
        SetReviewAnswer(incident, "wording", "Said at the meeting.").do(meeting)
        holding, go = threading.Event(), threading.Event()
        measure = conversations.measure_reach

        def held(*args, **kwargs):  # the undo holds the incident's row and is about to lock the tables
            holding.set()
            go.wait(10)
            return measure(*args, **kwargs)

        monkeypatch.setattr(conversations, "measure_reach", held)
        outcome: dict[str, BaseException | None] = {}

        def run(name, work) -> None:
            try:
                work()
                outcome[name] = None
            except BaseException as exc:  # the test asserts what it was
                outcome[name] = exc

        undo = threading.Thread(target=run, args=("undo", lambda: pasted.undo(ben)))
        undo.start()
        assert holding.wait(10)
        bring_back = threading.Thread(target=run, args=(
            "bring back", lambda: publish(meeting, ana, [incident], bring_back=True)))
        bring_back.start()
        bring_back.join(timeout=1.0)
        assert bring_back.is_alive()  # waits for the undo's hold on the incident
        go.set()
        undo.join(30)
        bring_back.join(30)
        meeting.close()
        assert outcome["undo"] is None
        assert isinstance(outcome["bring back"], AlreadyInTarget), outcome["bring back"]
    finally:
        ben.close()
        ana.close()


def test_a_deleted_incident_comes_back_after_a_teammate_merged_away_a_column_its_cards_were_in(demo):
    """Before: putting the incident back failed on the database's foreign key (its cards' rows named the merged-away
    column), so the delete could not be undone. The rows come back as the key's own rule would have left them had
    they been there during the merge: the merged-away column's rows gone, the rest as they were."""
    from postmortem_desktop.services.quotes import board_cards
    from postmortem_desktop.services.tagging import MergeTags

    incident = billing_id(demo)
    before = {card.quote_id: set(card.tag_ids) for card in board_cards(demo, incident)}
    merged_away = next(tag for tags in before.values() for tag in tags)
    into = next(tag for tags in before.values() for tag in tags if tag != merged_away)
    delete = DeleteIncident(incident, "Billing")
    delete.do(demo)
    MergeTags(merged_away, into).do(demo)  # a teammate, meanwhile
    delete.undo(demo)
    after = {card.quote_id: set(card.tag_ids) for card in board_cards(demo, incident)}
    assert after == {quote: tags - {merged_away} for quote, tags in before.items()}


def test_a_meeting_files_mark_keeps_the_last_id_readable_alone_and_an_older_mark_still_brings_back(team_demo_url,
                                                                                                   tmp_path):
    """The record count is a setting of its own: an older release reads history_until as a number. A meeting file
    saved by an older release has no count, and brings back as it always did (by the last id alone)."""
    from postmortem_desktop.storage.schema import WorkspaceSetting

    team = open_workspace(team_demo_url)
    try:
        incident = billing_id(team)
        path = tmp_path / "meeting.pmw"
        save_incident_as_file(team, path, incident)
        meeting = open_workspace(path)
        try:
            with meeting.transaction() as session:
                marks = {row.key.rsplit(".", 1)[1]: row for row in session.scalars(
                    select(WorkspaceSetting).where(WorkspaceSetting.key.like("meeting.%")))}
                assert int(marks["history_until"].value) >= 0 and int(marks["history_records"].value) >= 0
                session.delete(marks["history_records"])  # as an older release saved it
            SetReviewAnswer(incident, "wording", "Said at the meeting.").do(meeting)
            publish(meeting, team, [incident], bring_back=True)
        finally:
            meeting.close()
        assert _answer(team, incident, "wording") == "Said at the meeting."
    finally:
        team.close()
