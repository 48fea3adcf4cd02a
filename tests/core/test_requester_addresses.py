"""A requester column named for the person but holding email addresses maps to the requester's email (issue 14)."""
from __future__ import annotations

from postmortem_desktop.importers.records import TicketRow
from postmortem_desktop.services import spreadsheet_import

ROWS = [("101", "Login broken", "2026-12-04 10:00"), ("102", "Card declined", "2026-12-04 10:05"),
        ("103", "Export fails", "2026-12-04 10:09")]


def _dump(tmp_path, requesters: list[str]):
    path = tmp_path / "dump.csv"
    lines = ["Ticket ID,Requester,Subject,Created"]
    lines += [f"{ticket},{who},{subject},{created}" for (ticket, subject, created), who in zip(ROWS, requesters,
                                                                                                strict=True)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_requester_column_of_addresses_is_the_requester_email(tmp_path):
    plan = spreadsheet_import.prepare_import(_dump(tmp_path, ["ann@example.com", "bob@example.org",
                                                              "cy@example.net"]))
    assert plan.mapping.column("requester_email") == 1
    assert plan.mapping.column("requester_name") is None
    first = spreadsheet_import.preview(plan)[0]
    assert isinstance(first, TicketRow)
    assert (first.requester_email, first.requester_name) == ("ann@example.com", "")


def test_a_requester_column_of_names_stays_the_requester_name(tmp_path):
    plan = spreadsheet_import.prepare_import(_dump(tmp_path, ["Ann Lee", "Bob Ray", "Cy Moss"]))
    assert plan.mapping.column("requester_name") == 1
    assert plan.mapping.column("requester_email") is None
