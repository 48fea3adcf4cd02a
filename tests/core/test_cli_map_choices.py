"""Choosing a column on the command line (`--map FIELD=COLUMN`), and a mapping refusal that says how (issue 14
item 4): before, "no column is mapped to ticket id: choose the column…" named no way to choose one there."""
from __future__ import annotations

import contextlib
import io
import json

import pytest

from postmortem_desktop.cli import EXIT_BAD_INPUT, EXIT_OK, main
from postmortem_desktop.importers.field_mapping import MappingError
from postmortem_desktop.importers.mapping_choices import apply_choices
from postmortem_desktop.importers.mapping_guess import guess_mapping
from postmortem_desktop.services import spreadsheet_import
from postmortem_desktop.services.ticket_import import ImportOptions
from postmortem_desktop.storage.workspace import open_workspace
from tests.shared_data import shared_file

REDMINE = "real/tickets/redmine/redmine__import_issues.csv"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def dry_run(workspace, path, *extra: str) -> tuple[int, str, str]:
    return run("import", str(workspace), str(path), "--incident", "1", "--dry-run", "--include-outside-window", *extra)


def test_the_refusal_says_how_to_choose_the_missing_column_here(demo_copy):
    code, _out, err = dry_run(demo_copy, shared_file(REDMINE))
    assert code == EXIT_BAD_INPUT
    assert "no column is mapped to ticket id" in err
    assert "choose a column with --map external_id=COLUMN" in err and "--mapping NAME" in err


def test_a_headerless_big5_file_is_told_both_fields_to_choose(demo_copy):
    code, _out, err = dry_run(demo_copy, shared_file("real/csv/openrefine__big5.txt"))
    assert code == EXIT_BAD_INPUT and "--map external_id=COLUMN --map created_at=COLUMN" in err


def test_map_chooses_the_ticket_id_of_a_real_redmine_file(demo_copy):
    code, out, err = dry_run(demo_copy, shared_file(REDMINE), "--map", "external_id=subject", "--json")
    assert code == EXIT_OK, err
    summary = json.loads(out)
    assert summary["mapping"]["columns"]["external_id"] == "subject" and summary["rows_read"] == 3


def test_map_by_label_and_number_on_a_file_without_a_header(tmp_path, demo_copy):
    path = tmp_path / "noheader.csv"
    path.write_text("A-1,2026-11-18 10:00,Card declined,ann@example.com\n"
                    "A-2,2026-11-18 10:05,Login loop,bob@example.com\n", encoding="utf-8")
    code, out, err = dry_run(demo_copy, path, "--no-header", "--map", "Ticket ID=1", "--map", "created time=Column 2",
                             "--map", "subject=3", "--json")
    assert code == EXIT_OK, err
    summary = json.loads(out)
    assert summary["mapping"]["columns"]["external_id"] == "Column 1"
    assert summary["mapping"]["columns"]["created_at"] == "Column 2" and summary["imported"] == 2


def test_a_chosen_column_leaves_the_field_the_guess_gave_it():
    header = ["Number", "Subject", "Opened"]
    rows = [["7", "KB-1", "2026-11-18 10:00"], ["8", "KB-2", "2026-11-18 10:05"]]
    mapping = apply_choices(guess_mapping(header, rows), header, ["external_id=Subject"])
    assert mapping.column("external_id") == 1 and mapping.column("subject") is None
    assert mapping.validate(header) == []
    tagged = apply_choices(guess_mapping(header, rows), header, ["tags=1", "tags=subject", "created_at="])
    assert tagged.columns["tags"] == [0, 1] and tagged.column("created_at") is None


@pytest.mark.parametrize(("choice", "words"), [
    ("ticketid=1", "is not a field we import; the fields are external_id (ticket id)"),
    ("external_id=Nope", "this file has no column 'Nope'; name one of its columns, or give its number: 1 'priority'"),
    ("external_id", "names no column: write FIELD=COLUMN"),
])
def test_a_bad_choice_is_named_with_what_would_do(demo_copy, choice, words):
    code, _out, err = dry_run(demo_copy, shared_file(REDMINE), "--map", choice)
    assert code == EXIT_BAD_INPUT and words in err


def test_preview_takes_the_same_choices_and_lists_what_is_missing(tmp_path):
    code, out, _err = run("preview", str(shared_file(REDMINE)))
    assert code == EXIT_OK
    assert "cannot import yet: no column is mapped to ticket id" in out and "--map external_id=COLUMN" in out
    code, out, _err = run("preview", str(shared_file(REDMINE)), "--map", "external_id=2", "--json")
    data = json.loads(out)
    assert data["mapping"]["columns"]["external_id"] == "subject" and data["problems"] == []


def test_the_helper_process_applies_the_choices_too(tmp_path, demo_copy):
    ws = open_workspace(demo_copy)
    try:
        summary = spreadsheet_import.run_to_end(spreadsheet_import.import_path(
            ws, 1, shared_file(REDMINE), options=ImportOptions(include_outside_window=True, dry_run=True),
            parallel=True, choices=["external_id=subject"]))
        with pytest.raises(MappingError) as refused:
            spreadsheet_import.run_to_end(spreadsheet_import.import_path(ws, 1, shared_file(REDMINE), parallel=True))
    finally:
        ws.close()
    assert summary.mapping["columns"]["external_id"] == "subject"
    assert refused.value.unmapped == ("external_id",)  # crossed from the helper process with its fields
