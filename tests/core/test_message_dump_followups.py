"""Issue 14 follow-up: promises a tester broke with later exports, private notes and per-message roles.

Every file here is written by these tests in the shapes the vendors document (a Zendesk ticket-comments
export: ticket id, comment id, author, public flag, time, body; a social-support dump with reply-to ids).
"""
from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from postmortem_desktop.services import spreadsheet_import
from postmortem_desktop.services.conversation_list import list_conversations
from postmortem_desktop.services.incidents import CreateIncident
from postmortem_desktop.services.ticket_import import ImportOptions

pytestmark = pytest.mark.not_on_team_yet(
    "a dump is imported through SQLite's driver (storage/bulk.py); a team workspace's COPY import is the "
    "next step of issue 18")

T0 = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
COMMENTS = ["Ticket ID", "Comment ID", "Author Name", "Author Email", "Public", "Created At", "Body"]


def at(minutes: int) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat()


def write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def incident(workspace):
    cmd = CreateIncident(title="Billing", technical_start=T0, technical_end=T0 + timedelta(hours=1))
    cmd.do(workspace)
    return cmd.incident_id


def imported(workspace, incident, path: Path):
    plan = spreadsheet_import.prepare_import(path)
    return spreadsheet_import.run_import(workspace, incident, plan, ImportOptions(include_outside_window=True))


def stored(workspace, incident) -> dict[str, list[tuple[str, str, str]]]:
    return {c["external_id"]: [(m["author"], m["role"], m["text"]) for m in c["messages"]]
            for c in list_conversations(workspace, incident)}


# ---- 1. a later export adds to the stored conversation, never replaces it ----------------------------
def test_a_later_comment_export_adds_its_message_and_keeps_the_stored_ones(workspace, incident, tmp_path):
    imported(workspace, incident, write(tmp_path / "comments.csv", COMMENTS, [
        ["4711", "90001", "Jane", "jane@example.org", "true", at(0), "My invoice is wrong"],
        ["4711", "90003", "Sam", "sam@acme.test", "true", at(10), "Hi Jane, fixed"],
        ["4712", "90004", "Raj", "raj@example.net", "true", at(20), "Login fails"]]))
    summary = imported(workspace, incident, write(tmp_path / "later.csv", COMMENTS, [
        ["4711", "90006", "Jane", "jane@example.org", "true", at(30), "Thanks!"]]))
    texts = {key: [text for _a, _r, text in messages] for key, messages in stored(workspace, incident).items()}
    assert texts["4711"] == ["My invoice is wrong", "Hi Jane, fixed", "Thanks!"]
    assert texts["4712"] == ["Login fails"]
    assert (summary.imported, summary.updated) == (0, 1)


def test_the_same_comment_export_again_still_changes_nothing(workspace, incident, tmp_path):
    path = write(tmp_path / "comments.csv", COMMENTS, [
        ["4711", "90001", "Jane", "jane@example.org", "true", at(0), "My invoice is wrong"],
        ["4711", "90003", "Sam", "sam@acme.test", "true", at(10), "Hi Jane, fixed"]])
    imported(workspace, incident, path)
    summary = imported(workspace, incident, path)
    assert (summary.updated, summary.unchanged) == (0, 1)
    assert len(stored(workspace, incident)["4711"]) == 2


# ---- 3. a private note is one message's kind, not its author's role -----------------------------------
def test_one_private_note_leaves_the_same_agents_public_replies_as_agent_replies(workspace, incident, tmp_path):
    imported(workspace, incident, write(tmp_path / "comments.csv", COMMENTS, [
        ["1", "11", "Cust A", "", "true", at(0), "help"],
        ["1", "12", "Agent S", "", "false", at(4), "private note"],
        ["1", "13", "Agent S", "", "true", at(5), "public reply"]]))
    assert [role for _a, role, _t in stored(workspace, incident)["1"]] == ["customer", "internal", "agent"]


# ---- 4. private notes marked by a column other than the author-role one --------------------------------
NOTE_DUMPS = {
    "intercom": (["Conversation ID", "Part ID", "Part type", "Author type", "Author name", "Created at", "Body"], [
        ["9", "1", "comment", "user", "Ana", at(0), "hi"],
        ["9", "2", "note", "admin", "Tom", at(5), "the private note"],
        ["9", "3", "comment", "admin", "Tom", at(6), "a reply"]]),
    "gorgias": (["ticket_id", "message_id", "channel", "from_agent", "sender_email", "created_datetime", "body_text",
                 "public"], [
        ["9", "m1", "email", "False", "eve@example.com", at(0), "hi", "True"],
        ["9", "m2", "internal-note", "True", "gia@shop.test", at(5), "the private note", "False"],
        ["9", "m3", "email", "True", "gia@shop.test", at(6), "a reply", "True"]]),
    "salesforce": (["ParentId", "Id", "CommentBody", "IsPublished", "CreatedBy.Name", "CreatedDate"], [
        ["9", "c0", "hi", "true", "Cy Customer", at(0)],
        ["9", "c1", "the private note", "false", "Lee Agent", at(5)],
        ["9", "c2", "a reply", "true", "Lee Agent", at(6)]]),
}


@pytest.mark.parametrize("vendor", sorted(NOTE_DUMPS))
def test_a_note_is_internal_and_a_published_reply_is_not(workspace, incident, tmp_path, vendor):
    header, rows = NOTE_DUMPS[vendor]
    imported(workspace, incident, write(tmp_path / f"{vendor}.csv", header, rows))
    roles = {text: role for _a, role, text in stored(workspace, incident)["9"]}
    assert roles["the private note"] == "internal"
    assert roles["a reply"] == "agent"
