"""A quote opened in a CSV and closed too late (or never) is said, naming its row and the rows it swallowed,
in the import summary and the preview; a real multi-line cell is not (issue 14 item 1). Files written here."""
from __future__ import annotations

import json

import pytest

from postmortem_desktop.cli import EXIT_OK, main
from postmortem_desktop.importers.sheet_errors import SheetError
from postmortem_desktop.importers.sheet_reader import read_sheet
from postmortem_desktop.importers.sheet_stream import stream_sheet
from postmortem_desktop.services import spreadsheet_import
from postmortem_desktop.services.ticket_import import ImportOptions
from postmortem_desktop.storage.workspace import open_workspace
from tests.shared_data import shared_file

HEADER = "id,created,subject,body"


def dump(path, bodies: dict[int, str], rows: int = 1000, subjects: dict[int, str] | None = None):
    """Q1…Q{rows}, one a minute from 2026-12-04 10:00; ``bodies``/``subjects`` give some rows their raw field."""
    lines = [HEADER]
    for n in range(1, rows + 1):
        subject = (subjects or {}).get(n, f"subj {n}")
        lines.append(f"Q{n},2026-12-04 {10 + n // 60 % 14:02d}:{n % 60:02d},{subject},{bodies.get(n, f'body {n}')}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def cli_json(*argv: str) -> dict:
    return json.loads(run_cli(*argv))


def run_cli(*argv: str) -> str:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(list(argv)) == EXIT_OK
    return out.getvalue()


def dry_run(workspace, path, *extra: str) -> str:
    return run_cli("import", str(workspace), str(path), "--incident", "1", "--dry-run", "--include-outside-window",
                   *extra)


def test_a_quote_closed_a_row_late_is_named_with_the_row_it_swallowed(tmp_path, demo_copy):
    # Q2's body opens a quote; Q3's body ends in a quoted word, whose closing quote closes Q2's cell
    path = dump(tmp_path / "q.csv", {2: '"body 2', 3: 'body 3 said "stop"'})
    summary = json.loads(dry_run(demo_copy, path, "--json"))
    assert summary["rows_read"] == 999  # Q3 is inside Q2's cell: what a careful reader of the file sees too
    [quote] = summary["open_quotes"]
    assert (quote["row"], quote["swallowed"], quote["at_end"]) == (3, ["Q3"], False)
    assert quote["warning"].startswith("row 3: a quote opened here runs over 1 line that looks like a row of its "
                                       "own (Q3); check the file for a missing closing quote")
    assert "warning: row 3: a quote opened here" in dry_run(demo_copy, path)
    preview = cli_json("preview", str(path), "--json")
    assert [q["row"] for q in preview["open_quotes"]] == [3]
    assert "warning: row 3" in run_cli("preview", str(path))


def test_a_swallowed_row_cut_short_by_the_closing_quote_counts_too(tmp_path):
    # the quote that closes Q2's cell opens Q5's quoted subject: Q5's line is inside the cell up to there
    path = dump(tmp_path / "q.csv", {2: '"body 2'}, subjects={5: '"subj, 5"'})
    sheet = read_sheet(path)
    [quote] = sheet.open_quotes
    assert (quote.row, quote.swallowed) == (3, ("Q3", "Q4", "Q5"))
    assert "over 3 lines that look like rows of their own (Q3, Q4, Q5)" in quote.message()


def test_real_line_breaks_in_quoted_cells_are_not_warned_about(tmp_path, demo_copy):
    bodies = {n: f'"body {n}\nsecond line, with a comma, and another\nQ and A: 12 tries, 3 days, no luck"'
              for n in range(3, 1001, 3)}
    path = dump(tmp_path / "multi.csv", bodies)
    summary = json.loads(dry_run(demo_copy, path, "--json"))
    assert summary["rows_read"] == 1000 and summary["open_quotes"] == []
    assert read_sheet(path).rows[2][3].count("\n") == 2


def test_a_quote_open_at_the_end_of_a_cut_file_is_said(tmp_path, demo_copy):
    path = tmp_path / "cut.csv"
    path.write_text(f'{HEADER}\nQ1,2026-12-04 10:01,subj 1,body 1\nQ2,2026-12-04 10:02,subj 2,"body 2 was cu',
                    encoding="utf-8")
    summary = json.loads(dry_run(demo_copy, path, "--json"))
    assert summary["rows_read"] == 2
    [quote] = summary["open_quotes"]
    assert (quote["row"], quote["at_end"], quote["swallowed"]) == (3, True, [])
    assert "never closed: the file ends inside it" in quote["warning"] and "cut short" in quote["warning"]
    assert read_sheet(path).rows[-1][3] == "body 2 was cu"  # the cell as the reader reads it, marker gone


def test_the_real_missing_quote_file_is_warned_about(demo_copy):
    path = shared_file("real/csv/csv-test-data__bad-missing-quote.csv")
    preview = cli_json("preview", str(path), "--json")
    assert [(q["row"], q["at_end"]) for q in preview["open_quotes"]] == [(2, True)]
    assert "warning: row 2: a quote opened here is never closed" in run_cli("preview", str(path))


def test_a_quote_that_swallows_the_rest_of_the_file_is_still_refused(tmp_path):
    path = dump(tmp_path / "rest.csv", {2: '"body 2'})
    with pytest.raises(SheetError, match="row 3 opens a quote that is never closed"):
        read_sheet(path)


def test_the_streamed_reader_and_the_helper_import_find_the_same(tmp_path):
    path = dump(tmp_path / "q.csv", {2: '"body 2', 3: 'body 3 said "stop"', 700: '"body 700',
                                     702: 'body 702 "quoted"'})
    stream = stream_sheet(path, head_rows=5)  # Q701's key is longer than any the head samples
    assert sum(1 for _ in stream.rows) == 997  # records: Q700's cell holds Q701 and Q702, so Q703 is record 701
    assert [(q.row, q.swallowed) for q in stream.head.open_quotes] == [(3, ("Q3",)), (700, ("Q701", "Q702"))]
    assert [(q.row, q.swallowed) for q in read_sheet(path).open_quotes] == [(3, ("Q3",)), (700, ("Q701", "Q702"))]


@pytest.mark.parametrize("parallel", [True, False], ids=["helper", "inline"])
def test_the_command_line_import_summary_holds_them_either_way(tmp_path, demo_copy, parallel):
    path = dump(tmp_path / "q.csv", {2: '"body 2', 3: 'body 3 said "stop"'})
    ws = open_workspace(demo_copy)
    try:
        summary = spreadsheet_import.run_to_end(spreadsheet_import.import_path(
            ws, 1, path, options=ImportOptions(include_outside_window=True), parallel=parallel))
    finally:
        ws.close()
    assert summary.rows_read == 999 and [(q.row, q.swallowed) for q in summary.open_quotes] == [(3, ("Q3",))]


def test_the_app_import_summary_holds_them(tmp_path, demo_copy):
    path = dump(tmp_path / "q.csv", {2: '"body 2', 3: 'body 3 said "stop"'})
    plan = spreadsheet_import.prepare_import(path)
    assert [q.row for q in plan.sheet.open_quotes] == [3]
    ws = open_workspace(demo_copy)
    try:
        summary = spreadsheet_import.run_import(ws, 1, plan, ImportOptions(include_outside_window=True))
    finally:
        ws.close()
    assert [q.row for q in summary.open_quotes] == [3] and summary.to_json()["open_quotes"][0]["swallowed"] == ["Q3"]
