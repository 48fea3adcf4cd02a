"""Issue 14 follow-up: promises a tester broke with later exports, private notes and per-message roles.

Every file here is written by these tests in the shapes the vendors document (a Zendesk ticket-comments
export: ticket id, comment id, author, public flag, time, body; a social-support dump with reply-to ids).
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from postmortem_desktop.services import spreadsheet_import
from postmortem_desktop.services.conversation_list import list_conversations
from postmortem_desktop.services.incidents import CreateIncident
from postmortem_desktop.services.ticket_import import ImportOptions
from tests.helpers import write_csv

T0 = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
COMMENTS = ["Ticket ID", "Comment ID", "Author Name", "Author Email", "Public", "Created At", "Body"]


def at(minutes: int) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat()


def write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    return write_csv(path, header, rows)


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



def test_a_message_edited_at_its_source_is_replaced_not_added_again(workspace, incident, tmp_path):
    # Before: the edited comment 90003 was added beside its old text, so the conversation held it twice.
    imported(workspace, incident, write(tmp_path / "comments.csv", COMMENTS, [
        ["4711", "90001", "Jane", "jane@example.org", "true", at(0), "My invoice is wrong"],
        ["4711", "90003", "Sam", "sam@acme.test", "true", at(10), "Hi Jane, fixed"]]))
    summary = imported(workspace, incident, write(tmp_path / "edited.csv", COMMENTS, [
        ["4711", "90001", "Jane", "jane@example.org", "true", at(0), "My invoice is wrong"],
        ["4711", "90003", "Sam", "sam@acme.test", "true", at(10), "Hi Jane, fixed: the refund is on its way"],
        ["4711", "90006", "Jane", "jane@example.org", "true", at(30), "Thanks!"]]))
    (conversation,) = list_conversations(workspace, incident)
    assert [(m["external_id"], m["text"]) for m in conversation["messages"]] == [
        ("90001", "My invoice is wrong"), ("90003", "Hi Jane, fixed: the refund is on its way"),
        ("90006", "Thanks!")]
    assert (summary.imported, summary.updated) == (0, 1)


def test_a_later_export_without_an_edited_message_keeps_it_as_stored(workspace, incident, tmp_path):
    imported(workspace, incident, write(tmp_path / "comments.csv", COMMENTS, [
        ["4711", "90001", "Jane", "jane@example.org", "true", at(0), "My invoice is wrong"],
        ["4711", "90003", "Sam", "sam@acme.test", "true", at(10), "Hi Jane, fixed"]]))
    imported(workspace, incident, write(tmp_path / "later.csv", COMMENTS, [
        ["4711", "90003", "Sam", "sam@acme.test", "true", at(10), "Hi Jane, fixed (edited)"]]))
    (conversation,) = list_conversations(workspace, incident)
    assert [(m["external_id"], m["text"]) for m in conversation["messages"]] == [
        ("90001", "My invoice is wrong"), ("90003", "Hi Jane, fixed (edited)")]

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


# ---- 5. Kustomer labels, Salesforce email senders, a ServiceNow incident table export ------------------
def test_a_kustomer_message_export_maps_its_preview_text_and_sender(workspace, incident, tmp_path):
    imported(workspace, incident, write(tmp_path / "kustomer.csv", [
        "Conversation ID", "Message ID", "Channel", "Direction", "Created At", "Sent By", "Customer Name", "Preview"], [
        ["5f1a", "a1", "email", "in", at(0), "", "Zoe Q", "Package damaged"],
        ["5f1a", "a2", "email", "out", at(60), "Karl Agent", "Zoe Q", "Replacement sent"]]))
    assert stored(workspace, incident)["5f1a"] == [("Zoe Q", "customer", "Package damaged"),
                                                   ("Karl Agent", "agent", "Replacement sent")]


def test_a_salesforce_email_case_has_the_incoming_sender_as_its_customer(workspace, incident, tmp_path):
    imported(workspace, incident, write(tmp_path / "emails.csv", [
        "ParentId", "Id", "FromAddress", "FromName", "ToAddress", "Incoming", "MessageDate", "Subject", "TextBody"], [
        # the agent's reply first in the file: the customer must still be the incoming email's sender
        ["500A", "e2", "support@acme.test", "Acme Support", "kim@example.org", "false", at(60), "RE: Crash", "Fixed"],
        ["500A", "e1", "kim@example.org", "Kim Buyer", "support@acme.test", "true", at(0), "Crash", "App crashes"]]))
    [conversation] = [c for c in list_conversations(workspace, incident) if c["external_id"] == "500A"]
    assert conversation["customer"] in ("Kim Buyer", "kim@example.org")
    assert [(m["author"], m["role"]) for m in conversation["messages"]] == [("Kim Buyer", "customer"),
                                                                            ("Acme Support", "agent")]


def test_a_servicenow_incident_table_export_is_recognised(tmp_path):
    from postmortem_desktop.importers.sheet_reader import read_sheet
    from postmortem_desktop.importers.vendors import recognise_vendor

    path = write(tmp_path / "incident.csv", [
        "number", "opened_at", "short_description", "caller_id", "assigned_to", "state", "priority",
        "sys_updated_on"], [
        ["INC0010001", "2024-04-01 09:15:00", "Email down", "Abel Tuter", "Beth Anglin", "In Progress", "1 - Critical",
         "2024-04-01 10:00:00"]])
    sheet = read_sheet(path)
    guess = recognise_vendor(sheet.header, sheet.rows)
    columns = guess.mapping.describe(sheet.header)["columns"]
    assert guess.vendor == "ServiceNow"
    assert (columns["external_id"], columns["subject"], columns["requester_name"]) == (
        "number", "short_description", "caller_id")


# ---- 2. a reply to a message an earlier dump brought joins that message's thread -----------------------
SOCIAL = ["tweet_id", "author_id", "inbound", "created_at", "text", "in_response_to_tweet_id"]
SOCIAL_ROWS = [["1", "alice99", "True", at(0), "my card was charged twice", ""],
               ["2", "AcmeHelp", "False", at(5), "sorry! DM us your order number", "1"],
               ["3", "alice99", "True", at(10), "done", "2"],
               ["4", "AcmeHelp", "False", at(15), "refunded", "3"],
               ["5", "bob_k", "True", at(20), "app down?", ""]]
LATER_REPLY = [["7", "alice99", "True", at(60), "thanks all good", "4"]]


def test_a_later_reply_joins_the_stored_thread_of_the_message_it_answers(workspace, incident, tmp_path):
    imported(workspace, incident, write(tmp_path / "social.csv", SOCIAL, SOCIAL_ROWS))
    summary = imported(workspace, incident, write(tmp_path / "later.csv", SOCIAL, LATER_REPLY))
    conversations = stored(workspace, incident)
    assert sorted(conversations) == ["1", "5"]
    assert [text for _a, _r, text in conversations["1"]][-2:] == ["refunded", "thanks all good"]
    assert len(conversations["1"]) == 5
    assert (summary.imported, summary.updated) == (0, 1)
    # and a reply to that reply finds the thread too
    imported(workspace, incident, write(tmp_path / "later2.csv", SOCIAL,
                                        [["8", "AcmeHelp", "False", at(70), "glad to help", "7"]]))
    assert len(stored(workspace, incident)["1"]) == 6


def test_a_reply_chain_import_keeps_each_message_id_once_and_a_reply_still_finds_its_thread(workspace, incident,
                                                                                          tmp_path):
    # Format 7: a message's own id (message_external_ids) says which thread it is in; the import no
    # longer writes every id a second time into thread_message_ids (before: 5 rows here, one per id).
    imported(workspace, incident, write(tmp_path / "social.csv", SOCIAL, SOCIAL_ROWS))
    with workspace.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM thread_message_ids").scalar() == 0
        own = dict(conn.exec_driver_sql(
            "SELECT e.external_id, c.external_id FROM message_external_ids e JOIN messages m ON m.id = e.message_id "
            "JOIN conversations c ON c.id = m.conversation_id").all())
    assert own == {"1": "1", "2": "1", "3": "1", "4": "1", "5": "5"}
    imported(workspace, incident, write(tmp_path / "later.csv", SOCIAL, [["7", "alice99", "True", at(60), "ok", "2"]]))
    assert [text for _a, _r, text in stored(workspace, incident)["1"]][-1] == "ok"


def test_undoing_the_reply_import_forgets_the_reply_id(workspace, incident, tmp_path):
    from postmortem_desktop.services.import_undo import UndoableImport

    imported(workspace, incident, write(tmp_path / "social.csv", SOCIAL, SOCIAL_ROWS))
    summary = imported(workspace, incident, write(tmp_path / "later.csv", SOCIAL, LATER_REPLY))
    UndoableImport(incident, summary, lambda: iter(())).undo(workspace)
    assert len(stored(workspace, incident)["1"]) == 4
    # "7" is forgotten: a reply to it starts a thread of its own; a reply to "4" still joins thread "1"
    imported(workspace, incident, write(tmp_path / "after.csv", SOCIAL, [
        ["9", "AcmeHelp", "False", at(80), "anything else?", "7"], ["10", "alice99", "True", at(90), "ok", "4"]]))
    conversations = stored(workspace, incident)
    assert sorted(conversations) == ["1", "5", "7"]
    assert [text for _a, _r, text in conversations["7"]] == ["anything else?"]
    assert [text for _a, _r, text in conversations["1"]][-1] == "ok"
