"""Moving incidents between a file and a team workspace: real round trips of the demo, and the refusals.

An incident is compared between two workspaces table by table (every table that holds its rows), with
each row's key and every reference replaced by a label that does not depend on the key's number: the
row's place among its table's rows ordered by content. So equal pictures mean the same rows, the same
links between them, and the same times, authors, external ids, history and uid, whatever keys they got.
"""
from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select, text

from postmortem_desktop.services.agenda import SaveStepNotes, step_notes
from postmortem_desktop.services.customer_message import DecideCustomerMessage
from postmortem_desktop.services.incidents import CreateIncident, IncidentService, UpdateIncident
from postmortem_desktop.services.publish import (
    AlreadyInTarget,
    copy_steps,
    publish,
    save_incident_as_file,
    save_steps,
)
from postmortem_desktop.services.quotes import board_cards
from postmortem_desktop.services.tagging import AssignTag, list_tags
from postmortem_desktop.storage import snapshot
from postmortem_desktop.storage.errors import ReadOnlyWorkspaceError, ServerUnavailableError, WorkspaceError
from postmortem_desktop.storage.schema import (
    AccountActivity,
    ActionItem,
    ActionItemLink,
    Base,
    Conversation,
    Customer,
    FollowUp,
    ImportBatch,
    Incident,
    IncidentContact,
    IncidentHistory,
    Message,
    MessageExternalId,
    Quote,
    ReviewAnswer,
    ReviewAnswerQuote,
    Tag,
    TagAssignment,
    ThreadMessageId,
)
from postmortem_desktop.storage.search_index import search_conversation_ids
from postmortem_desktop.storage.workspace import create_workspace, open_workspace
from tests.core.test_team_workspace import _database, _drop_connections, _reader

T0 = datetime(2026, 11, 18, 10, 20, tzinfo=UTC)
WORKSPACE_WIDE_LABELS = {"tags": ("name",), "customers": ("name", "email", "phone", "organization", "segment")}


def picture(ws, incident_id: int) -> dict[str, list[tuple]]:
    """The incident's rows per table, keys and references replaced by content labels (see the module doc)."""
    with ws.reading() as session:
        conn = session.connection()
        snap = snapshot.capture(conn, incident_id)
        labels: dict[str, dict[Any, Any]] = {
            name: {row.id: tuple(getattr(row, f) for f in fields)
                   for row in conn.execute(select(Base.metadata.tables[name]))}
            for name, fields in WORKSPACE_WIDE_LABELS.items()}
    shown: dict[str, list[tuple]] = {}
    for model in snapshot.ORDER:
        table = Base.metadata.tables[model.__tablename__]
        refs = {c.name: next(iter(c.foreign_keys)).column.table.name for c in table.columns if c.foreign_keys}
        rows = []
        for row in snap.rows[table.name]:
            content = tuple(sorted((k, labels[refs[k]].get(v) if k in refs and v is not None else v)
                                   for k, v in row.items() if k != "id"))
            rows.append((content, row.get("id")))
        rows.sort(key=lambda pair: repr(pair[0]))
        labels[table.name] = {key: (table.name, n) for n, (_content, key) in enumerate(rows)}
        shown[table.name] = [content for content, _key in rows]
    return shown


def titles(ws) -> list[str]:
    return sorted(i.title for i in IncidentService(ws).list_incidents())


def count(ws, model) -> int:
    with ws.reading() as session:
        return len(session.scalars(select(model.id)).all())


@pytest.fixture
def source(demo_copy):
    ws = open_workspace(demo_copy)
    yield ws
    ws.close()


@pytest.fixture
def team(team_database):
    ws = create_workspace(team_database)
    yield ws
    ws.close()


def _ids(ws) -> list[int]:
    return sorted(i.id for i in IncidentService(ws).list_incidents())


def _fill_what_the_demo_leaves_empty(ws, incident_id: int) -> None:
    """Rows in the tables the demo has none in, linked the way the app links them, and a tag of our own."""
    with ws.transaction() as s:
        conv = s.scalars(select(Conversation).where(Conversation.incident_id == incident_id,
                                                    Conversation.customer_id.is_not(None))).first()
        quote = s.scalars(select(Quote).where(Quote.conversation_id == conv.id)).first() or Quote(
            conversation_id=conv.id, text="whole conversation")
        own_tag = Tag(name="double-charge", description="charged twice", color=3, position=20)
        batch = ImportBatch(incident_id=incident_id, file_name="zendesk.csv", file_hash="ab12", vendor="zendesk",
                            rows_read=9, imported=8, skipped=1, imported_at=T0)
        action = ActionItem(incident_id=incident_id, area="support", description="Macro for refunds", owner="Ana",
                            due_date=date(2026, 11, 25), created_at=T0)
        answer = s.scalars(select(ReviewAnswer).where(ReviewAnswer.incident_id == incident_id)).first()
        s.add_all([quote, own_tag, batch, action])
        s.flush()
        conv.import_batch_id = batch.id
        message = s.scalars(select(Message).where(Message.conversation_id == conv.id)).first()
        s.add_all([
            MessageExternalId(message_id=message.id, external_id="comment-1042"),
            IncidentContact(incident_id=incident_id, customer_id=conv.customer_id, reason="lost money",
                            contacted=True, contacted_on=date(2026, 11, 19)),
            ThreadMessageId(conversation_id=conv.id, external_id="<m1@help.example>"),
            TagAssignment(tag_id=own_tag.id, quote_id=quote.id, source="suggested", phrase="charged twice",
                          created_at=T0),
            ActionItemLink(action_item_id=action.id, quote_id=quote.id),
            ActionItemLink(action_item_id=action.id, tag_id=own_tag.id),
            ReviewAnswerQuote(review_answer_id=answer.id, quote_id=quote.id),
            AccountActivity(incident_id=incident_id, account="acme", day=date(2026, 11, 20), count=3),
            IncidentHistory(incident_id=incident_id, at=T0, kind="severity_confirmed", detail="S2: money lost",
                            decided_by="Ana (support lead)"),  # as a team workspace's decision saved to a file
            FollowUp(incident_id=incident_id, scheduled_at=T0, review_held_on=date(2026, 11, 18), outcome="calm"),
        ])


def test_demo_file_to_team_to_new_file_keeps_every_row_link_time_and_history(source, team, tmp_path):
    first = _ids(source)[0]
    SaveStepNotes(first, "walk", "Ana: the retry page confused most").do(source)
    _fill_what_the_demo_leaves_empty(source, first)
    before = {i: picture(source, i) for i in _ids(source)}
    # a file keeps no history of edits, of the incident's or its cards'
    assert [name for name, rows in before[first].items() if not rows] == ["incident_edits", "card_edits"]

    result = publish(source, team)

    assert result.tags_added == ["double-charge"] and result.customers_added > 0
    assert result.ids_all_kept, result.new_ids
    assert sorted(i.target_id for i in result.incidents) == _ids(source)  # a new team ws
    assert {i: picture(team, i) for i in _ids(team)} == before
    assert step_notes(team, first, "walk") == "Ana: the retry page confused most"
    editable = next(i.id for i in IncidentService(team).list_incidents() if i.status in ("draft", "in_review"))
    UpdateIncident(editable, service="Billing API (team)").do(team)  # attributed in incident_edits
    confusion = next(t.id for t in list_tags(team) if t.name == "confusion")
    card = next(c.quote_id for c in board_cards(team, editable) if confusion not in c.tag_ids)  # one it changes
    AssignTag(editable, [card], confusion).do(team)  # card_edits
    DecideCustomerMessage(editable, "not_sending", "legal is reviewing it").do(team)  # decided by the team's user
    on_team = picture(team, editable)
    assert on_team["incident_edits"] and on_team["card_edits"]
    assert [dict(row)["decided_by"] for row in on_team["incident_history"]
            if dict(row)["kind"] == "message_not_sending"] == [team.user] != [""]

    out = tmp_path / "meeting.pmw"
    saved = save_incident_as_file(team, out, editable)

    assert saved.target == "meeting.pmw" and [i.title for i in saved.incidents] == [
        i.title for i in IncidentService(team).list_incidents() if i.id == editable]
    local = open_workspace(out)
    try:
        assert picture(local, saved.incidents[0].target_id) == on_team
        # full-text search works on both targets afterwards (FTS5 on the file, tsvector on the server)
        for ws, incident in ((team, editable), (local, saved.incidents[0].target_id)):
            with ws.reading() as session:
                assert search_conversation_ids(session.connection(), incident, "refund")
    finally:
        local.close()


def test_every_incident_of_a_team_workspace_copies_into_a_file(source, team, tmp_path):
    """`postmortem publish URL FILE` without --incident: the team's incidents are listed inside the one repeatable-read
    picture they are copied from (listing them first made the server refuse that picture, and nothing was copied)."""
    publish(source, team)
    target = create_workspace(tmp_path / "all.pmw")
    try:
        result = publish(team, target)
        assert sorted(i.source_id for i in result.incidents) == _ids(team)
        assert titles(target) == titles(team)
    finally:
        target.close()


def test_a_second_publish_is_refused_naming_the_incident_there_and_changes_nothing(source, team):
    publish(source, team)
    counts = {name: count(team, model) for name, model in (("incidents", Incident), ("tags", Tag))}
    title = IncidentService(source).list_incidents()[0].title

    with pytest.raises(AlreadyInTarget, match=rf"“{title}” is already in .* as incident \d+ “{title}”"):
        publish(source, team, [_ids(source)[0]])

    assert {name: count(team, model) for name, model in (("incidents", Incident), ("tags", Tag))} == counts


def test_publishing_as_a_copy_gives_new_keys_where_taken_and_the_same_rows(source, team):
    publish(source, team)
    incident = _ids(source)[0]
    result = publish(source, team, [incident], as_copy=True)

    copy_id = result.incidents[0].target_id
    assert copy_id not in _ids(source) and result.new_ids["incidents"] == 1 and result.new_ids["messages"] > 0
    original, copied = picture(source, incident), picture(team, copy_id)
    assert copied.pop("incident_uids") != original.pop("incident_uids")  # a separate incident: its own uid
    title = dict(original["incidents"][0])["title"]  # a title of its own, saying it is a copy and where from
    assert copied.pop("incidents") != original.pop("incidents")
    assert _title(team, copy_id) == f"{title} (copy from {source.name})" == result.incidents[0].title
    assert copied == original
    assert result.tags_added == [] and result.customers_added == 0  # matched by name / by all their fields


def test_copies_have_titles_the_list_tells_apart(source, team):
    """Found by a new user: a copy had exactly the original's title, so only its number told them apart. The copy
    says where it came from; a second copy from the same file is numbered; the original keeps its title."""
    publish(source, team)
    incident = _ids(source)[0]
    title = _title(source, incident)
    first = publish(source, team, [incident], as_copy=True).incidents[0].target_id
    second = publish(source, team, [incident], as_copy=True).incidents[0].target_id
    assert (_title(team, incident), _title(team, first), _title(team, second)) == (
        title, f"{title} (copy from {source.name})", f"{title} (copy 2 from {source.name})")


def _title(ws, incident_id: int) -> str:
    return IncidentService(ws).get(incident_id).title


def test_a_publish_into_a_team_workspace_with_other_incidents_remaps_keys_consistently(source, team_demo_url):
    target = open_workspace(team_demo_url)  # the demo written separately: the same keys taken, other uids
    try:
        before = {i: picture(source, i) for i in _ids(source)}
        result = publish(source, target)

        assert result.new_ids["incidents"] == len(before) and result.kept_ids.get("incidents", 0) == 0
        assert {i.source_id: picture(target, i.target_id) for i in result.incidents} == before
        created = CreateIncident(title="After the publish")  # the server's sequences were moved past the copies
        created.do(target)
        assert created.incident_id > max(i.target_id for i in result.incidents)
    finally:
        target.close()


def test_a_read_only_team_workspace_is_refused_with_its_reason_before_anything_is_read(source, team_server, team,
                                                                                       team_database):
    reader = open_workspace(_reader(team_server, team_database))
    try:
        with pytest.raises(ReadOnlyWorkspaceError, match="may read it but not change it"):
            publish(source, reader)
    finally:
        reader.close()
    assert titles(team) == []


def test_a_connection_lost_mid_publish_leaves_nothing_on_the_team_workspace(source, team_server, team):
    steps = copy_steps(source, team)
    next(steps)
    next(steps)  # some rows written inside the open transaction
    _drop_connections(team_server, _database(team.name))
    with pytest.raises(ServerUnavailableError, match="Nothing of the last change was saved"):
        for _step in steps:
            pass
    assert titles(team) == [] and count(team, Customer) == 0


def test_cancel_mid_publish_leaves_nothing_and_cancel_mid_save_leaves_no_file(source, team, tmp_path):
    steps = copy_steps(source, team)
    next(steps)
    next(steps)
    steps.close()
    assert titles(team) == [] and count(team, Customer) == 0

    publish(source, team)
    folder = tmp_path / "meeting"
    folder.mkdir()
    save = save_steps(team, folder / "later.pmw", _ids(team)[0])
    next(save)
    next(save)
    save.close()
    assert list(folder.iterdir()) == []  # neither the file nor its temporary name


def test_saving_over_an_existing_file_is_refused_and_the_file_kept(source, tmp_path):
    existing = tmp_path / "taken.pmw"
    existing.write_bytes(b"someone's notes")
    with pytest.raises(WorkspaceError, match="taken.pmw already exists"):
        save_incident_as_file(source, existing, _ids(source)[0])
    assert existing.read_bytes() == b"someone's notes"
    assert not [p.name for p in tmp_path.iterdir() if "taken" in p.name and p.name != "taken.pmw"]


def test_publishing_between_two_files_keeps_the_uid_so_publishing_back_is_refused(source, tmp_path):
    incident = _ids(source)[0]
    save_incident_as_file(source, tmp_path / "one.pmw", incident)
    other = open_workspace(tmp_path / "one.pmw")
    try:
        with pytest.raises(AlreadyInTarget, match="already in demo.pmw"):
            publish(other, source)
    finally:
        other.close()
    with source.reading() as session:
        assert session.execute(text("SELECT COUNT(*) FROM incidents")).scalar() == len(_ids(source))


def test_a_client_killed_mid_publish_and_mid_save_leaves_nothing_on_either_target(demo_copy, team_database, tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import textwrap
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    create_workspace(team_database).close()
    meeting = tmp_path / "meeting" / "review.pmw"

    def killed_while_copying(call: str) -> None:
        # the child stops between two steps, its transaction open with rows written, and is killed there
        script = textwrap.dedent(f"""
            import sys, time
            sys.path.insert(0, {str(root)!r})
            from postmortem_desktop.services.publish import copy_steps, save_steps
            from postmortem_desktop.storage.workspace import open_workspace
            source = open_workspace({str(demo_copy)!r})
            target = open_workspace({team_database!r})
            steps = {call}
            next(steps); next(steps); next(steps)
            print("writing", flush=True)
            time.sleep(60)
        """)
        proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                                env={**os.environ, "PYTHONPATH": str(root)})
        assert proc.stdout.readline().strip() == "writing"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)

    killed_while_copying("copy_steps(source, target)")
    team = open_workspace(team_database)
    try:
        assert titles(team) == [] and count(team, Customer) == 0
        source = open_workspace(demo_copy)
        try:  # and it can be published afterwards (under new ids: the killed one's stay handed out)
            published = publish(source, team).incidents[0].target_id
        finally:
            source.close()
    finally:
        team.close()

    killed_while_copying(f"save_steps(target, {str(meeting)!r}, {published})")
    assert not meeting.exists()  # only a hidden .creating file can stay behind, never a half file by the name


def test_the_other_clients_of_the_team_workspace_hear_of_a_publish_and_nothing_of_a_refused_one(source, team):
    import queue

    from postmortem_desktop.domain.changes import DataChange
    from postmortem_desktop.storage.team_feed import ChangeFeed

    other = open_workspace(team.name)
    heard: queue.Queue = queue.Queue()
    feed = ChangeFeed(other.engine.url, other.client_id, heard.put)
    feed.start()
    try:
        assert feed.listening.wait(10)
        publish(source, team)
        notice = heard.get(timeout=1.0)
        assert notice.changes == DataChange.everything() and notice.client == team.client_id
        assert titles(other) == titles(source)  # what the notice announces is already readable there
        with pytest.raises(AlreadyInTarget):
            publish(source, team)
        with pytest.raises(queue.Empty):
            heard.get(timeout=0.5)
    finally:
        feed.stop()
        other.close()
