"""The preview's date report: per mapped date column, how many values read and the first that do not."""
from __future__ import annotations

import io
import json
from contextlib import redirect_stdout

from postmortem_desktop.cli import main
from postmortem_desktop.services import spreadsheet_import
from tests.shared_data import shared_file


def _dump(path, created):
    path.write_text("Ticket ID,Subject,Created at\n" + "".join(
        f"{n},Payment failed,{value}\n" for n, value in enumerate(created, 1)), encoding="utf-8")
    return path


def test_the_report_counts_dates_and_names_the_first_values_that_are_not(tmp_path):
    created = ["Tue Oct 31 22:10:47 +0000 2017"] * 5 + ["soon", "Tue Oct 31 22:11:02 +0000 2017", "n/a"]
    plan = spreadsheet_import.prepare_import(_dump(tmp_path / "t.csv", created))
    plan.mapping.columns["created_at"] = 2
    [report] = spreadsheet_import.date_report(plan)
    assert (report.field, report.column, report.filled, report.parsed) == ("created_at", "Created at", 8, 6)
    assert [(failure.row, failure.value) for failure in report.failures] == [(7, "soon"), (9, "n/a")]
    assert "6 of 8 values read as dates" in report.summary()


def test_the_report_names_values_a_person_must_give_a_day_order_for(tmp_path):
    plan = spreadsheet_import.prepare_import(_dump(tmp_path / "t.csv", ["05/06/2024 10:20", "07/08/2024 11:00"]))
    plan.mapping.columns["created_at"] = 2
    [report] = spreadsheet_import.date_report(plan)
    assert report.ambiguous == ["05/06/2024 10:20", "07/08/2024 11:00"] and report.parsed == 0


def test_the_preview_command_shows_dates_encoding_and_header_before_any_import():
    source = shared_file("real/tickets/servicenow/uci_incident_event_log__first150incidents.csv")
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(["preview", str(source), "--json"])
    data = json.loads(out.getvalue())
    assert code == 0 and data["rows"] == 972 and data["encoding"] == "utf-8" and data["has_header"]
    [created] = [report for report in data["dates"] if report["field"] == "created_at"]
    assert (created["column"], created["parsed"], created["day_order"]) == ("opened_at", 972, "dayfirst")
