"""Vendor recognition from header rows, the mappings it proposes, and the real sample exports."""
from __future__ import annotations

import csv
from datetime import datetime, timezone
from pathlib import Path

import pytest

from postmortem_desktop.importers.field_mapping import map_rows
from postmortem_desktop.importers.records import SkippedRow, TicketRow
from postmortem_desktop.importers.sheet_reader import read_sheet
from postmortem_desktop.importers.vendors import GENERIC, recognise_vendor
from tests.shared_data import shared_file

UTC = timezone.utc




def write_csv(path: Path, header: list[str], rows: list[list[str]], delimiter: str = ",") -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def mapped_names(guess, header: list[str]) -> dict[str, object]:
    names: dict[str, object] = {}
    for name, value in guess.mapping.columns.items():
        names[name] = [header[i] for i in value] if isinstance(value, list) else header[value]
    return names


def import_one(tmp_path: Path, header: list[str], rows: list[list[str]], *, delimiter: str = ",",
               timezone_name: str | None = None):
    sheet = read_sheet(write_csv(tmp_path / "dump.csv", header, rows, delimiter))
    guess = recognise_vendor(sheet.header, sheet.rows)
    if timezone_name:
        guess.mapping.timezone = timezone_name
    return guess, list(map_rows(sheet, guess.mapping))


ZENDESK = ["Id", "Requester", "Requester id", "Requester email", "Submitter", "Assignee", "Group", "Subject",
           "Tags", "Status", "Priority", "Via", "Ticket type", "Created at", "Updated at", "Organization",
           "Solved at", "Satisfaction Score", "Plan [list]"]


def test_zendesk_is_recognised_and_mapped(tmp_path):
    row = ["848", "Ana Ruiz", "9001", "ana@x.io", "Ana Ruiz", "Bo", "Billing", "Card charged twice",
           "billing outage", "open", "high", "Web form", "incident", "2024-05-06 10:20", "2024-05-06 11:00",
           "Acme", "", "", "Pro"]
    guess, [ticket] = import_one(tmp_path, ZENDESK, [row], timezone_name="Europe/Paris")
    assert guess.vendor == "Zendesk" and guess.timezone is None
    names = mapped_names(guess, ZENDESK)
    assert names["external_id"] == "Id" and names["channel"] == "Via" and names["requester_id"] == "Requester id"
    assert names["requester_name"] == "Requester" and names["tags"] == ["Tags"]
    assert ticket.external_id == "848" and ticket.organization == "Acme" and ticket.tags == ["billing", "outage"]
    assert ticket.created_at == datetime(2024, 5, 6, 8, 20, tzinfo=UTC)


FRESHDESK = ["Ticket ID", "Subject", "Description", "Status", "Priority", "Source", "Type", "Agent", "Group",
             "Created time", "Due by Time", "Resolved time", "Closed time", "Last update time", "Tags", "Product",
             "Full name", "Email", "Company Name"]


def test_freshdesk_is_recognised_and_its_zone_is_left_to_the_user(tmp_path):
    row = ["101", "Export fails", "<div>It fails &amp; times out</div>", "Open", "High", "Email", "Incident",
           "Bo", "Tier 1", "2025-12-07 10:20:31", "", "", "", "2025-12-07 11:00:00", "export,urgent", "App",
           "Ana Ruiz", "ana@x.io", "Acme"]
    guess, [ticket] = import_one(tmp_path, FRESHDESK, [row])
    assert guess.vendor == "Freshdesk" and guess.timezone is None and guess.notes
    names = mapped_names(guess, FRESHDESK)
    assert (names["created_at"], names["updated_at"], names["channel"]) == ("Created time", "Last update time",
                                                                            "Source")
    assert (names["requester_name"], names["requester_email"], names["organization"]) == (
        "Full name", "Email", "Company Name")
    assert ticket.body == "It fails & times out" and ticket.tags == ["export", "urgent"]


INTERCOM = ["Conversation ID", "Conversation started at (America/New_York)", "Updated at (America/New_York)",
            "Channel", "Started by", "Conversation tag", "Conversation rating", "User name", "Company name"]


def test_intercom_takes_its_zone_from_the_header_name(tmp_path):
    row = ["215", "2024-05-06 10:20", "2024-05-06 12:00", "Messenger", "user", "outage", "1", "Ana Ruiz", "Acme"]
    guess, [ticket] = import_one(tmp_path, INTERCOM, [row])
    assert guess.vendor == "Intercom" and guess.timezone == "America/New_York"
    assert guess.mapping.timezone == "America/New_York"
    assert mapped_names(guess, INTERCOM)["updated_at"] == "Updated at (America/New_York)"
    assert ticket.created_at == datetime(2024, 5, 6, 14, 20, tzinfo=UTC)
    assert ticket.tags == ["outage"] and ticket.requester_name == "Ana Ruiz"


JIRA = ["Summary", "Issue key", "Issue id", "Issue Type", "Status", "Priority", "Assignee", "Reporter",
        "Reporter Id", "Created", "Updated", "Resolved", "Labels", "Labels", "Description", "Comment", "Comment"]


def test_jira_repeated_labels_and_comments_map_to_several_columns(tmp_path):
    row = ["Invoices missing", "SD-7", "10007", "Incident", "Open", "High", "Bo", "Ana Ruiz", "acc-ana",
           "11/May/24 03:26 PM", "11/May/24 04:00 PM", "", "billing", "outage", "Cannot send invoices",
           "11/May/24 03:40 PM;acc-bo;Looking into it", "11/May/24 03:50 PM;acc-ana;Client meeting at 5!"]
    guess, [ticket] = import_one(tmp_path, JIRA, [row])
    assert guess.vendor == "Jira Service Management"
    assert guess.mapping.columns["tags"] == [12, 13] and guess.mapping.columns["comments"] == [15, 16]
    assert mapped_names(guess, JIRA)["external_id"] == "Issue key"
    assert ticket.tags == ["billing", "outage"]
    assert [(c.author, c.role) for c in ticket.comments] == [("acc-bo", "agent"), ("acc-ana", "customer")]
    assert ticket.comments[1].at == datetime(2024, 5, 11, 15, 50, tzinfo=UTC)


def test_help_scout_semicolon_export_maps_from_addresses_to_email(tmp_path):
    header = ["Number", "From", "Subject", "Created"]
    rows = [["3051", "ana@x.io", "Refund, please", "2024-05-06T10:20:00Z"],
            ["3052", "bo@y.io", "Login", "2024-05-06T10:25:00Z"]]
    guess, tickets = import_one(tmp_path, header, rows, delimiter=";")
    assert guess.vendor == "Help Scout" and guess.timezone == "UTC"
    assert mapped_names(guess, header)["requester_email"] == "From"
    assert [t.requester_email for t in tickets] == ["ana@x.io", "bo@y.io"]
    assert tickets[0].subject == "Refund, please"


def test_hubspot_is_recognised_and_mapped(tmp_path):
    header = ["Ticket ID", "Ticket name", "Ticket status", "Create date", "Ticket owner", "Pipeline", "Source",
              "Last activity date"]
    row = ["5512", "Payment page blank", "New", "2024-05-06 10:20", "Bo", "Support", "Chat", "2024-05-06 11:20"]
    guess, [ticket] = import_one(tmp_path, header, [row])
    assert guess.vendor == "HubSpot"
    names = mapped_names(guess, header)
    assert (names["subject"], names["status"], names["created_at"], names["updated_at"]) == (
        "Ticket name", "Ticket status", "Create date", "Last activity date")
    assert ticket.subject == "Payment page blank" and ticket.channel == "Chat"


def test_zoho_desk_is_recognised_by_its_ticket_suffixes(tmp_path):
    header = ["Ticket Id", "Subject", "Created Time (Ticket)", "Status (Ticket)", "Priority (Ticket)",
              "Contact Name", "Account Name"]
    row = ["88", "Data gone?", "07 Dec 2025 10:20 AM", "Open", "High", "Ana Ruiz", "Acme"]
    guess, [ticket] = import_one(tmp_path, header, [row])
    assert guess.vendor == "Zoho Desk"
    assert mapped_names(guess, header)["status"] == "Status (Ticket)"
    assert ticket.created_at == datetime(2025, 12, 7, 10, 20, tzinfo=UTC) and ticket.organization == "Acme"


def test_front_is_recognised_and_keyed_by_conversation(tmp_path):
    header = ["Message ID", "Conversation ID", "Direction", "Status", "Inbox", "Message date", "Author",
              "Contact name", "Contact handle", "Extract", "Tags", "Subject"]
    row = ["msg_1", "cnv_9", "Inbound", "open", "Support", "2024-05-06 10:20", "", "Ana Ruiz", "ana@x.io",
           "My export is stuck", "outage", "Export"]
    guess, [ticket] = import_one(tmp_path, header, [row])
    assert guess.vendor == "Front" and any("one row per message" in note for note in guess.notes)
    assert ticket.external_id == "cnv_9" and ticket.body == "My export is stuck"
    assert ticket.requester_email == "ana@x.io" and ticket.channel == "Support"


def test_an_unknown_header_gets_a_generic_best_guess():
    header = ["Case", "Opened", "Who", "What happened"]
    rows = [[f"C{n}", f"2024-05-0{n} 10:2{n}", f"p{n}@x.io", "The page stayed blank after paying " * 2]
            for n in range(1, 4)]
    guess = recognise_vendor(header, rows)
    assert guess.vendor == GENERIC and guess.timezone is None
    names = mapped_names(guess, header)
    assert names == {"external_id": "Case", "created_at": "Opened", "requester_email": "Who",
                     "body": "What happened"}


def test_a_header_sharing_only_a_few_names_with_a_vendor_stays_generic():
    assert recognise_vendor(["Id", "Subject", "Status", "Notes"]).vendor == GENERIC


# ------------------------------------------------------------------------------ real files


def test_the_real_jira_flattened_export_gets_a_sensible_mapping():
    sheet = read_sheet(shared_file("jira_ibm_servicedesk_flattened.csv"))
    guess = recognise_vendor(sheet.header, sheet.rows)
    names = mapped_names(guess, sheet.header)
    # "key" repeats (SD-183 three times) while "id" is unique, so "id" identifies an issue.
    assert names["external_id"] == "id"
    assert (names["subject"], names["created_at"], names["tags"]) == ("summary", "created", ["labels"])
    assert (names["requester_email"], names["requester_name"]) == ("reporter_email", "reporter_name")
    assert "comments" not in names  # comments_count is a number, not comments
    results = list(map_rows(sheet, guess.mapping))
    assert all(isinstance(result, TicketRow) for result in results) and len(results) == 10
    assert results[0].created_at == datetime(2018, 5, 11, 6, 46, 53, tzinfo=UTC)
    assert results[0].subject == "Re-create schemas on <conf> DB2 Warehouse"


def test_the_real_kaggle_export_gets_a_sensible_mapping():
    sheet = read_sheet(shared_file("kaggle_customer_support_tickets_head200.csv"))
    guess = recognise_vendor(sheet.header, sheet.rows)
    names = mapped_names(guess, sheet.header)
    assert names["external_id"] == "Ticket ID" and names["body"] == "Ticket Description"
    assert (names["subject"], names["status"], names["channel"]) == ("Ticket Subject", "Ticket Status",
                                                                     "Ticket Channel")
    assert (names["requester_name"], names["requester_email"]) == ("Customer Name", "Customer Email")
    # The only ticket time in this data set: purchase dates carry no time of day.
    assert names["created_at"] == "First Response Time"
    results = list(map_rows(sheet, guess.mapping))
    skipped = [result for result in results if isinstance(result, SkippedRow)]
    assert len(results) == 200 and len(skipped) == 51
    assert all("has no created time" in result.reason for result in skipped)
    first = results[0]
    assert first.body.startswith("I'm having an issue with the {product_purchased}. Please assist.\n\n")


@pytest.mark.parametrize("header", [ZENDESK, FRESHDESK, INTERCOM, JIRA])
def test_every_vendor_mapping_is_valid_for_its_own_header(header):
    assert recognise_vendor(header).mapping.validate(header) == []
