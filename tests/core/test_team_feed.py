"""The change feed: a commit on a team workspace is heard by the other clients, within a second."""
from __future__ import annotations

import queue
import time

import psycopg
import pytest

from postmortem_desktop.domain.changes import DataChange
from postmortem_desktop.services.commands import RuleError
from postmortem_desktop.services.review_answers import REVIEW_CHANGES, ReviewService, SetReviewAnswer
from postmortem_desktop.storage.team_feed import ChangeFeed, ChangeNotice
from postmortem_desktop.storage.workspace import open_workspace
from tests.helpers import billing_id


def _answer(workspace, incident_id: int, key: str) -> str:
    return next(a.answer for a in ReviewService(workspace).answers(incident_id) if a.key == key)


@pytest.fixture
def two_clients(team_demo_url, monkeypatch):
    monkeypatch.setenv("POSTMORTEM_USER", "Ana (support lead)")
    a = open_workspace(team_demo_url)
    monkeypatch.delenv("POSTMORTEM_USER")
    b = open_workspace(team_demo_url)
    heard: queue.Queue[ChangeNotice] = queue.Queue()
    feed = ChangeFeed(b.engine.url, b.client_id, heard.put)
    feed.start()
    assert feed.listening.wait(10)
    yield a, b, heard, feed
    feed.stop()
    a.close()
    b.close()


def test_an_edit_is_heard_by_the_other_client_with_what_changed_and_who(two_clients):
    a, b, heard, _feed = two_clients
    iid = billing_id(a)
    start = time.monotonic()
    SetReviewAnswer(iid, "wording", "Ana's wording note", based_on="").do(a)
    notice = heard.get(timeout=1.0)
    assert time.monotonic() - start < 1.0
    assert (notice.incident_id, notice.changes, notice.user) == (iid, REVIEW_CHANGES, "Ana (support lead)")
    assert notice.client == a.client_id
    assert _answer(b, iid, "wording") == "Ana's wording note"  # what the notice says is already readable


def test_a_client_does_not_hear_its_own_edits_and_a_refused_edit_says_nothing(two_clients):
    a, b, heard, _feed = two_clients
    iid = billing_id(a)
    SetReviewAnswer(iid, "wording", "B's own note").do(b)  # B's feed ignores B's notices
    with pytest.raises(RuleError):
        SetReviewAnswer(iid, "wording", "stale", based_on="not what is stored").do(a)  # rolled back: no notice
    with pytest.raises(queue.Empty):
        heard.get(timeout=0.5)
    SetReviewAnswer(iid, "wording", "Ana's", based_on="B's own note").do(a)
    assert heard.get(timeout=1.0).user == "Ana (support lead)"
    b_user = b.user
    assert b_user and b_user != "Ana (support lead)"  # without a display name: the database role


def test_undo_is_attributed_too_and_heard(two_clients):
    a, _b, heard, _feed = two_clients
    iid = billing_id(a)
    edit = SetReviewAnswer(iid, "wording", "Ana's", based_on="")
    edit.do(a)
    edit.undo(a)
    assert [heard.get(timeout=1.0).changes for _ in range(2)] == [REVIEW_CHANGES, REVIEW_CHANGES]


def test_the_feed_reconnects_by_itself_and_then_says_everything_may_have_changed(two_clients, team_server):
    a, _b, heard, feed = two_clients
    with team_server.admin() as admin:
        killed = admin.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                               "WHERE application_name = 'postmortem feed'").fetchone()
    assert killed is not None and killed[0] >= 1
    notice = heard.get(timeout=5.0)
    assert (notice.incident_id, notice.changes) == (-1, DataChange.everything())
    assert feed.reconnects == 1
    iid = billing_id(a)
    SetReviewAnswer(iid, "wording", "after the reconnection").do(a)
    assert heard.get(timeout=1.0).incident_id == iid


def test_a_foreign_notification_on_the_channel_is_ignored(two_clients, team_demo_url):
    _a, b, heard, _feed = two_clients
    with psycopg.connect(team_demo_url, autocommit=True) as conn:
        conn.execute("SELECT pg_notify('postmortem_changes', 'not json')")
        conn.execute("SELECT pg_notify('postmortem_changes', '{\"incident\": 1}')")
    with pytest.raises(queue.Empty):
        heard.get(timeout=0.5)


def test_undo_is_refused_when_someone_changed_the_answer_since(demo):
    iid = billing_id(demo)
    mine = SetReviewAnswer(iid, "wording", "Mine", based_on=_answer(demo, iid, "wording"))
    mine.do(demo)
    SetReviewAnswer(iid, "wording", "Theirs", based_on="Mine").do(demo)  # a teammate, after my edit
    with pytest.raises(RuleError, match="changed by someone else since your edit"):
        mine.undo(demo)
    assert _answer(demo, iid, "wording") == "Theirs"


def test_undo_of_a_closeout_field_is_refused_when_changed_since_and_works_otherwise(demo):
    from postmortem_desktop.services.review_answers import EditCloseoutFields

    iid = billing_id(demo)
    before = ReviewService(demo).closeout_fields(iid).trust_signals
    mine = EditCloseoutFields(iid, trust_signals="Mine")
    mine.do(demo)
    theirs = EditCloseoutFields(iid, trust_signals="Theirs")
    theirs.do(demo)
    with pytest.raises(RuleError, match="changed by someone else"):
        mine.undo(demo)
    theirs.undo(demo)
    mine.undo(demo)  # once theirs is gone again, mine is what is stored: undo works
    assert ReviewService(demo).closeout_fields(iid).trust_signals == before


def test_every_edit_and_undo_is_attributed_to_its_user_in_the_incident_history(two_clients):
    a, b, _heard, _feed = two_clients
    iid = billing_id(a)
    ana = SetReviewAnswer(iid, "wording", "Ana's", based_on="")
    ana.do(a)
    SetReviewAnswer(iid, "wording", "B's", based_on="Ana's").do(b)
    with pytest.raises(RuleError):
        SetReviewAnswer(iid, "wording", "stale", based_on="Ana's").do(a)  # refused: not in the history
    with pytest.raises(RuleError):
        ana.undo(a)  # changed by B since: refused, not in the history
    edits = ReviewService(b).edits(iid)
    assert [(e.user, e.what, e.undone) for e in edits] == [
        ("Ana (support lead)", "Edit Answer: support wording", False), (b.user, "Edit Answer: support wording", False)]
    assert edits[0].at <= edits[1].at


def test_a_file_keeps_no_edit_attribution(demo_file, tmp_path):
    import shutil

    copy = tmp_path / "copy.pmw"
    shutil.copy(demo_file, copy)
    workspace = open_workspace(copy)
    try:
        iid = billing_id(workspace)
        SetReviewAnswer(iid, "wording", "Mine").do(workspace)
        assert workspace.user == "" and ReviewService(workspace).edits(iid) == []
    finally:
        workspace.close()


def test_a_ticket_import_and_its_undo_are_heard_by_the_other_client_and_listed_as_edits(two_clients):
    """An import writes with COPY on its own connection, not through an edit's session: the other clients
    must still hear of it on commit (and of its undo), or their timeline and board miss the new tickets;
    and Who edited must list it with its user like any edit."""
    from postmortem_desktop.services import spreadsheet_import
    from postmortem_desktop.services.import_undo import UndoableImport
    from postmortem_desktop.services.ticket_import import ImportOptions
    from tests.shared_data import shared_file

    a, _b, heard, _feed = two_clients
    iid = billing_id(a)
    plan = spreadsheet_import.prepare_import(shared_file("real/tickets/bugzilla/perceval__bugzilla_buglist_next.csv"))
    options = ImportOptions(include_outside_window=True)
    summary = spreadsheet_import.run_import(a, iid, plan, options)
    assert summary.imported == 2
    notice = heard.get(timeout=1.0)
    assert (notice.incident_id, notice.user) == (iid, "Ana (support lead)")
    assert notice.changes & DataChange.CONVERSATION
    UndoableImport(iid, summary, lambda: spreadsheet_import.import_generator(a, iid, plan, options)).undo(a)
    notice = heard.get(timeout=1.0)
    assert notice.incident_id == iid and notice.changes & DataChange.CONVERSATION
    # and both join the incident's record of who edited it, as edits do
    edits = ReviewService(a).edits(iid)[-2:]
    name = "Import perceval__bugzilla_buglist_next.csv"
    assert [(e.user, e.what, e.undone) for e in edits] == [("Ana (support lead)", name, False),
                                                          ("Ana (support lead)", name, True)]
    assert all(abs((e.at - edits[0].at).total_seconds()) < 60 for e in edits)
