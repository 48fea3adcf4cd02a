"""Help-desk layouts added for issue 14, recognised from their headers (docs/vendor-layouts.md says where
each header comes from). The rows are written here in those shapes; the ServiceNow file is real."""
from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest

from postmortem_desktop.importers.message_dump import collect, is_message_level
from postmortem_desktop.importers.sheet_reader import read_sheet
from postmortem_desktop.importers.vendors import recognise_vendor
from postmortem_desktop.services import spreadsheet_import
from tests.real_corpus.check import real_file

A, B = "2026-11-18T10:01:00Z", "2026-11-18T10:05:00Z"

# vendor, header, two rows, then for a message-level dump (one conversation, customer first) each message's
# role, and for a ticket-level one each row's ticket id; and whether the dump is message-level
CASES = [
    ("Zendesk ticket comments", ["Ticket ID", "Comment ID", "Author", "Public", "Created at", "Body"],
     [["77", "1", "Ann", "true", A, "It charged me twice"], ["77", "2", "Tom", "false", B, "Refund via finance?"]],
     ["customer", "internal"], True),
    ("Zendesk ticket comments", ["id", "ticket_id", "author_id", "public", "created_at", "body"],
     [["1", "77", "501", "true", A, "It charged me twice"], ["2", "77", "900", "false", B, "Check finance"]],
     ["customer", "internal"], True),
    ("Intercom conversation parts", ["Conversation ID", "Part ID", "Part type", "Author type", "Author name",
                                     "Created at (UTC)", "Body"],
     [["c9", "p1", "comment", "user", "Ann", A, "<p>Cannot pay</p>"],
      ["c9", "p2", "comment", "admin", "Tom", B, "On it"]],
     ["customer", "agent"], True),
    ("Intercom conversation parts", ["conversation_id", "id", "part_type", "author_type", "author_name",
                                     "created_at", "body"],
     # an Intercom "note" part is a private note, whoever wrote it (issue 14 follow-up)
     [["c9", "p1", "comment", "lead", "Ann", A, "Cannot pay"], ["c9", "p2", "note", "bot", "Fin", B, "Routing"]],
     ["customer", "internal"], True),
    ("Help Scout threads", ["Conversation ID", "Thread ID", "Type", "Created by", "Created at", "Body"],
     [["h1", "t1", "customer", "ann@example.com", A, "Card declined"], ["h1", "t2", "note", "Tom", B, "Known bug"]],
     ["customer", "internal"], True),
    ("Salesforce case comments", ["Id", "ParentId", "CommentBody", "IsPublished", "CreatedById", "CreatedDate"],
     [["cc1", "500A", "Customer called back", "true", "005x", A], ["cc2", "500A", "Escalated", "false", "005y", B]],
     [None, "internal"], True),
    ("Salesforce email messages", ["Id", "ParentId", "FromAddress", "Incoming", "MessageDate", "Subject", "TextBody"],
     [["em1", "500A", "ann@example.com", "true", A, "Invoice", "Where is it?"],
      ["em2", "500A", "support@shop.example", "false", B, "Re: Invoice", "Sent again"]],
     ["customer", "agent"], True),
    ("Gorgias messages", ["id", "ticket_id", "from_agent", "sender.email", "created_datetime", "body_text"],
     [["m1", "g5", "False", "ann@example.com", A, "Order late"],
      ["m2", "g5", "True", "tom@shop.example", B, "Shipped"]],
     ["customer", "agent"], True),
    ("Kustomer messages", ["id", "conversation_id", "channel", "direction", "created_by", "created_at", "preview"],
     [["k1", "kc1", "email", "in", "cust1", A, "Help"], ["k2", "kc1", "email", "out", "agent7", B, "Done"]],
     ["customer", "agent"], True),
    ("Salesforce Service Cloud", ["Case Number", "Subject", "Status", "Priority", "Date/Time Opened", "Case Origin",
                                  "Contact Name", "Account Name", "Description"],
     [["00001026", "Payment failed", "New", "High", A, "Web", "Ann Lee", "Acme", "Card declined at checkout"],
      ["00001027", "Login", "Closed", "Low", B, "Phone", "Bob Roe", "Initech", "Cannot log in"]],
     ["00001026", "00001027"], False),
    ("Salesforce Service Cloud", ["Id", "CaseNumber", "Subject", "Status", "Origin", "CreatedDate", "SuppliedEmail",
                                  "Description"],
     [["5001", "00001026", "Payment failed", "New", "Web", A, "ann@example.com", "Card declined"],
      ["5002", "00001027", "Login", "Closed", "Email", B, "bob@example.com", "Cannot log in"]],
     ["00001026", "00001027"], False),
    ("Gorgias", ["id", "subject", "status", "channel", "via", "created_datetime", "customer.email", "tags"],
     [["g5", "Order late", "open", "email", "email", A, "ann@example.com", "shipping"],
      ["g6", "Refund", "closed", "chat", "chat", B, "bob@example.com", "refund"]],
     ["g5", "g6"], False),
    ("Kustomer", ["id", "name", "status", "channels", "customer", "created_at", "preview"],
     [["kc1", "Order late", "open", "email", "Ann", A, "Where is my order"],
      ["kc2", "Refund", "done", "chat", "Bob", B, "Refund please"]],
     ["kc1", "kc2"], False),
]


def write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.mark.parametrize("vendor, header, rows, roles, message_level", CASES,
                         ids=[f"{case[0]}-{case[1][1]}" for case in CASES])
def test_layouts_are_recognised_and_map_messages_with_roles(tmp_path, vendor, header, rows, roles, message_level):
    # Before: all but Front's were "generic", their rows each a ticket with the requester as author.
    path = write(tmp_path / "export.csv", header, rows)
    sheet = read_sheet(path)
    guess = recognise_vendor(sheet.header, sheet.rows)
    assert guess.vendor == vendor
    assert is_message_level(guess.mapping) == message_level
    mapped = list(spreadsheet_import.preview(spreadsheet_import.prepare_import(path)))
    if not message_level:
        assert [row.external_id for row in mapped] == roles  # the ticket ids
        assert mapped[0].created_at == datetime(2026, 11, 18, 10, 1, tzinfo=UTC)
        return
    assert len(mapped) == 1 and mapped[0].rows == 2  # one conversation of two messages
    messages = mapped[0].comments
    assert [message.at for message in messages] == [datetime(2026, 11, 18, 10, 1, tzinfo=UTC),
                                                    datetime(2026, 11, 18, 10, 5, tzinfo=UTC)]
    for message, role in zip(messages, roles, strict=True):
        if role is not None:  # None: the file does not say, so behaviour decides (tested elsewhere)
            assert message.role == role
    assert "<p>" not in messages[0].text


def test_a_front_export_maps_its_author_and_direction():
    header = ["Message ID", "Conversation ID", "Direction", "Inbox", "Message date", "Author", "Contact handle",
              "Extract"]
    guess = recognise_vendor(header)
    assert guess.vendor == "Front"
    assert (guess.mapping.column("message_id"), guess.mapping.column("author_role"),
            guess.mapping.column("author")) == (0, 2, 5)


def test_the_real_servicenow_event_log_is_one_conversation_per_incident_with_its_latest_state():
    path = real_file("tickets/servicenow/uci_incident_event_log__first150incidents.csv")
    plan = spreadsheet_import.prepare_import(path)
    assert plan.vendor == "ServiceNow"
    described = plan.mapping.describe(plan.sheet.header)["columns"]
    assert (described["external_id"], described["created_at"], described["status"]) == (
        "number", "opened_at", "incident_state")
    assert plan.mapping.day_order == "dayfirst"  # "29-02-2016 01:16"


def test_a_servicenow_list_export_with_labels_is_recognised():
    guess = recognise_vendor(["Number", "Opened", "Short description", "Caller", "Priority", "State", "Category"])
    assert guess.vendor == "ServiceNow"
    assert guess.mapping.column("subject") == 2 and guess.mapping.column("requester_name") == 3


def test_message_survey_counts_a_vendor_dump(tmp_path):
    header, rows = CASES[0][1], CASES[0][2]
    sheet = read_sheet(write(tmp_path / "z.csv", header, rows))
    survey = collect(sheet, recognise_vendor(sheet.header, sheet.rows).mapping).survey()
    assert (survey.grouping, survey.conversations, survey.messages) == ("column 'Ticket ID'", 1, 2)
