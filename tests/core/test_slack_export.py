"""Slack workspace exports: names, threads, edits and files resolved; bot posts → events; chosen channels →
internal conversations; one undo step; idempotent; the command line."""
import json
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select

from postmortem_desktop.cli import main
from postmortem_desktop.importers.events import EventFileError
from postmortem_desktop.importers.events.slack_export import bot_events, read_slack_export, threads
from postmortem_desktop.services.incidents import CreateIncident
from postmortem_desktop.services.slack_import import SlackChoice, UnknownChannel, plan_slack_file
from postmortem_desktop.storage.schema import Conversation, Message, SystemEvent
from tests.helpers import foreign_key_problems

REAL = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "real" / "system-events" / "slack-export"
needs_real = pytest.mark.skipif(not REAL.exists(), reason="../shared/data/real is not beside this checkout")
UTC = timezone.utc
T0 = datetime(2026, 11, 18, 10, 20, tzinfo=UTC)


def ts(minutes: float) -> str:
    return f"{(T0 + timedelta(minutes=minutes)).timestamp():.6f}"


def write_export(path: Path) -> Path:
    """An export in the layout Slack documents: channels.json, users.json, <channel>/<day>.json."""
    users = [{"id": "U1", "name": "ravi", "real_name": "Ravi Deshpande", "profile": {"display_name": "Ravi"}},
             {"id": "U2", "name": "mia", "real_name": "Mia Chen", "profile": {"display_name": ""}}]
    channels = [{"id": "C1", "name": "inc-payments"}, {"id": "C2", "name": "support-escalations"}]
    incident = [
        {"type": "message", "subtype": "bot_message", "username": "PagerDuty", "bot_id": "B1", "ts": ts(1),
         "text": "", "attachments": [{"fallback": "Triggered #4127 Payment submit error rate above 25 %"}]},
        {"type": "message", "user": "U1", "ts": ts(2), "text": "<@U2> I'm on it, looks like the gateway pool"},
        {"type": "message", "subtype": "channel_join", "user": "U2", "ts": ts(2.5), "text": "<@U2> has joined"},
        {"type": "message", "user": "U2", "ts": ts(3), "text": "rolling back &amp; watching", "edited": {"user": "U2"}},
        {"type": "message", "subtype": "file_share", "ts": ts(4), "text": "<@U1> uploaded a file",
         "file": {"user": "U1", "name": "graph.png", "title": "p95 latency"}},
        {"type": "message", "subtype": "bot_message", "username": "Statuspage", "bot_id": "B2", "ts": ts(45),
         "text": "Resolved - Payments are working normally again."},
        {"type": "message", "subtype": "message_changed", "ts": ts(46),
         "message": {"ts": ts(2), "text": "<@U2> I'm on it, it is the connection pool"}},
        {"type": "message", "subtype": "bot_message", "username": "deploybot", "bot_id": "B3", "ts": ts(30),
         "text": "billing-api v4.17.3 rolled out to production"},
    ]
    escalations = [
        {"type": "message", "user": "U2", "ts": ts(10), "thread_ts": ts(10), "reply_count": 2,
         "text": "Customer Acme says they were charged twice, see <https://desk.example.com/t/881|ticket 881>"},
        {"type": "message", "user": "U1", "ts": ts(12), "thread_ts": ts(10), "text": "checking the gateway"},
        {"type": "message", "user": "U2", "ts": ts(14), "thread_ts": ts(10), "text": "refunded one"},
        {"type": "message", "user": "U2", "ts": ts(20), "text": "another: invoice stuck as unpaid"},
        {"type": "message", "user": "U2", "ts": ts(60 * 24 * 10), "text": "weeks later, unrelated"},
    ]
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("users.json", json.dumps(users))
        archive.writestr("channels.json", json.dumps(channels))
        archive.writestr("inc-payments/2026-11-18.json", json.dumps(incident))
        archive.writestr("support-escalations/2026-11-18.json", json.dumps(escalations[:4]))
        archive.writestr("support-escalations/2026-11-28.json", json.dumps(escalations[4:]))
    return path


@pytest.fixture
def export(tmp_path):
    return write_export(tmp_path / "slack.zip")


@pytest.fixture
def incident(workspace):
    create = CreateIncident(title="Payments", technical_start=T0, technical_end=T0 + timedelta(minutes=40))
    create.do(workspace)
    return create.incident_id


def test_names_edits_files_and_links_are_resolved(export):
    data = read_slack_export(export)
    messages = data.channels["inc-payments"].messages
    people = [m for m in messages if not m.bot]
    assert [m.author for m in people] == ["Ravi", "Mia Chen", "Ravi"]  # display name, else real name
    assert people[0].text == "@Mia Chen I'm on it, it is the connection pool" and people[0].edited
    assert people[1].text == "rolling back & watching"
    assert "[file: p95 latency]" in people[2].text
    assert "channel_join" not in {m.text for m in messages} and len(messages) == 6
    thread = threads(data.channels["support-escalations"])[ts(10)]
    assert [m.text for m in thread][0].endswith("see ticket 881") and len(thread) == 3


def test_bot_posts_become_events_of_the_right_kind(export):
    events = bot_events(read_slack_export(export).channels["inc-payments"])
    assert [(e.kind, e.title.split(":")[0]) for e in events][:2] == [("alert", "PagerDuty"), ("deploy", "deploybot")]
    # a status-page bot's "Resolved - …" reads like the status-page importers' titles: it suggests the marker
    assert (events[2].kind, events[2].title) == ("status-page",
                                                 "Resolved — Payments are working normally again. (Statuspage)")
    from postmortem_desktop.domain.system_window import suggest_window

    assert suggest_window([(e.at, e.kind, e.title) for e in events]).status_page_resolved.at == events[2].at


def test_plan_import_undo_and_reimport(workspace, incident, export):
    choice = SlackChoice(("inc-payments",), ("support-escalations",))
    plan = plan_slack_file(workspace, incident, export, choice)
    assert plan.outside_window == 1  # the message ten days later is left out of the review window
    assert len(plan.events.new) == 3
    subjects = [c.subject for c in plan.conversations]
    assert subjects[0] == "#inc-payments (incident channel)"
    assert [len(c.messages) for c in plan.conversations] == [3, 3, 1]
    assert {m.role for c in plan.conversations for m in c.messages} == {"internal"}
    command = plan.command()
    command.do(workspace)
    with workspace.reading() as session:
        assert session.scalar(select(func.count()).select_from(Conversation).where(
            Conversation.incident_id == incident, Conversation.channel == "internal")) == 3
        assert session.scalar(select(func.count()).select_from(SystemEvent)) == 3
    again = plan_slack_file(workspace, incident, export, choice)
    assert again.command() is None and again.conversations_present == 3 and again.events.already_present == 3
    command.undo(workspace)
    with workspace.reading() as session:
        assert session.scalar(select(func.count()).select_from(Conversation)) == 0
        assert session.scalar(select(func.count()).select_from(Message)) == 0
        assert session.scalar(select(func.count()).select_from(SystemEvent)) == 0
    command.do(workspace)
    with workspace.reading() as session:
        assert session.scalar(select(func.count()).select_from(Message)) == 7


def test_unknown_channel_is_named(workspace, incident, export):
    with pytest.raises(UnknownChannel, match="inc-payments, support-escalations"):
        plan_slack_file(workspace, incident, export, SlackChoice(("general",)))


def test_zip_that_is_no_slack_export_is_refused(tmp_path, workspace, incident):
    path = tmp_path / "other.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(EventFileError, match="channels.json"):
        read_slack_export(path)


@needs_real
def test_real_export_zip_and_its_unpacked_folder_agree():
    from_zip = read_slack_export(REAL / "testarchive.zip")
    from_folder = read_slack_export(REAL / "testarchive")
    assert set(from_zip.channels) == {"enrique", "traveling-sailor"}
    assert [(m.ts, m.author, m.text) for m in from_zip.channels["enrique"].messages] == \
        [(m.ts, m.author, m.text) for m in from_folder.channels["enrique"].messages]
    people = {m.author for c in from_zip.channels.values() for m in c.messages if not m.bot}
    # user ids resolved to display names (real names only where a display name is empty)
    assert people == {"abilinski", "doubledeez", "hamza", "heroeshannibal"}
    assert not any("<@U0" in m.text for c in from_zip.channels.values() for m in c.messages)
    commits = bot_events(from_zip.channels["traveling-sailor"])
    assert commits and all(e.kind in ("deploy", "alert", "note") for e in commits)
    assert sum(e.kind == "deploy" for e in commits) >= len(commits) - 3


def test_cli_imports_a_slack_export_and_rejects_a_mistyped_channel(demo_copy, export, capsys):
    args = ["import-events", str(demo_copy), str(export), "--incident", "1", "--include-outside-window",
            "--channel", "inc-payments", "--escalation-channel", "support-escalations", "--json"]
    assert main(args) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["conversations"] == 4 and data["by_kind"] == {"alert": 1, "deploy": 1, "status-page": 1}
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out)["conversations_present"] == 4
    assert main(["import-events", str(demo_copy), str(export), "--incident", "1", "--channel", "general"]) == 2
    assert "no channel general" in capsys.readouterr().err


def test_cli_slack_options_on_another_file_exit_4(demo_copy, tmp_path, capsys):
    other = tmp_path / "log.txt"
    other.write_text("2026-11-18T10:21:00Z ERROR boom\n")
    assert main(["import-events", str(demo_copy), str(other), "--incident", "1", "--channel", "x"]) == 4


def test_imported_threads_are_searchable_and_references_hold(workspace, incident, export):
    from postmortem_desktop.storage.search_index import search_conversation_ids

    command = plan_slack_file(workspace, incident, export, SlackChoice((), ("support-escalations",), True)).command()
    command.do(workspace)
    with workspace.engine.connect() as conn:
        found = search_conversation_ids(conn, incident, "refunded")
        assert len(found) == 1
        assert foreign_key_problems(conn) == []
        subject = conn.scalar(select(Conversation.subject).where(Conversation.id == found[0]))
    assert subject.startswith("Customer Acme says they were charged twice")
    command.undo(workspace)
    with workspace.engine.connect() as conn:
        assert search_conversation_ids(conn, incident, "refunded") == []
