"""Checks of the ticket-dump importer on ticket files that are not message-level dumps.

Files: real/tickets/redmine/*.csv, bugzilla/*.csv, servicenow/*.csv (B covers tickets/conversations/
and the jira/redmine JSON files). Per file:
- `postmortem preview` reads it without an unexpected error (exit 4 only for a file the truth calls
  broken, BROKEN below, quoting the truth);
- `postmortem import --dry-run` never exits 1. It may refuse with exit 4 and a message: redmine's
  fixtures are issue lists for Redmine's own importer, several without a ticket id or a created time,
  which an import into an incident needs; the refusal must then say so;
- bom / valid_utf8: the encoding the product reports;
- ServiceNow's event log (the truth's rows, columns, header, incidents, date_format and
  first_opened_at, states): rows read, the header, one conversation per incident number, the
  opened_at column read day first with every value a date and the first one the truth's time, and
  the count of each incident_state.
Not checked: line_endings and ends_with_newline (facts about bytes, not records); source_assertions
(Redmine's and perceval's own test settings and pages); first_incident / last_incident (which
conversation comes first needs the stored conversations, which B's `postmortem conversations` lists).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any

from postmortem_desktop.importers.dates import DAYFIRST, DateColumnParser
from tests.real_corpus.check import Check, expected_files, truths
from tests.real_corpus.sheet_facts import dry_run_import, encoding_check, no_crash, preview, product_sheet

KIND = "tickets"
FOLDERS = ("tickets/redmine/", "tickets/bugzilla/", "tickets/servicenow/")

BROKEN = {
    "tickets/redmine/redmine__import_issues_no_data_row.csv": "source asserts 'The file does not contain any data'",
    "tickets/redmine/redmine__invalid-Shift_JIS.csv": "source asserts 'not a valid Shift_JIS encoded file'",
    "tickets/redmine/redmine__unclosed_quoted_field.csv": "source asserts 'The file is not a CSV file or does not "
                                                          "match the settings'",
}


def checks() -> list[Check]:
    found: list[Check] = []
    for relative in sorted(expected_files()):
        if relative.startswith(FOLDERS) and relative.endswith(".csv"):
            found.extend(_file_checks(relative))
    return found


def _file_checks(relative: str) -> list[Check]:
    found = [
        Check(KIND, f"{relative}: read without an unexpected error",
              lambda: no_crash(preview(relative), BROKEN.get(relative))),
        Check(KIND, f"{relative}: import never crashes, and says why when it refuses",
              lambda: _import_answers(relative)),
    ]
    if relative in BROKEN:
        return found
    for truth in truths(relative):
        for name, run in _truth_checks(relative, truth):
            found.append(Check(KIND, f"{relative}: {name}", run))
    return found


def _import_answers(relative: str) -> None:
    run = dry_run_import(relative)
    no_crash(run, "an import needs a ticket id and a created time" if run.code == 4 else None)


def _truth_checks(relative: str, truth: dict[str, Any]) -> list[tuple[str, Callable[[], None]]]:
    found: list[tuple[str, Callable[[], None]]] = []
    if "valid_utf8" in truth:
        found.append(("encoding", lambda: encoding_check(relative, truth, preview(relative).json()["encoding"])))
    if "rows" in truth:
        found.append((f"{truth['rows']} rows", lambda: _equal(preview(relative).json()["rows"], truth["rows"])))
    if "header" in truth:
        found.append(("header", lambda: _equal(preview(relative).json()["columns"], truth["header"])))
    if "columns" in truth:
        found.append((f"{truth['columns']} columns",
                      lambda: _equal(len(preview(relative).json()["columns"]), truth["columns"])))
    if "incidents" in truth:
        found.append((f"{truth['incidents']} conversations",
                      lambda: _equal(_conversations(relative), truth["incidents"])))
    if "first_opened_at" in truth:
        found.append(("opened_at read day first, every value a date, the first as the truth",
                      lambda: _opened_at(relative, truth["first_opened_at"])))
    if "states" in truth:
        found.append(("incident states", lambda: _equal(_states(relative), truth["states"])))
    return found


def _equal(got: object, expected: object) -> None:
    assert got == expected, f"product {got!r}, truth {expected!r}"


def _conversations(relative: str) -> int:
    run = dry_run_import(relative)
    assert run.code == 0, f"import refused: {run.err.strip()[:160]}"
    summary = run.json()
    return int(summary["imported"]) + int(summary["updated"]) + int(summary["unchanged"])


def _opened_at(relative: str, first: str) -> None:
    [report] = [r for r in preview(relative).json()["dates"] if r["column"] == "opened_at"]
    assert report["day_order"] == DAYFIRST, f"day order {report['day_order']}"
    assert report["parsed"] == report["filled"], f"not dates: {report['not_dates']}"
    # the truth's own format: DD-MM-YYYY HH:MM, no zone
    expected = datetime.strptime(first, "%d-%m-%Y %H:%M")
    _header, rows, sheet = product_sheet(relative)
    column = sheet.header.index("opened_at")
    read = DateColumnParser("UTC", report["day_order"]).parse(rows[0][column])
    assert read is not None and read.replace(tzinfo=None) == expected, f"first opened_at read as {read}"


def _states(relative: str) -> dict[str, int]:
    _header, rows, sheet = product_sheet(relative)
    column = sheet.header.index("incident_state")
    return dict(Counter(row[column] for row in rows))
