"""JSON given to the ticket import is refused with what it is and what to export (exit 4), not misread.

Before: the real Jira and Redmine REST answers failed as "no column is mapped to ticket id", and
the ABCD conversations as "has a header but no rows": true of the text, useless to the person.
"""
from __future__ import annotations

import pytest

from postmortem_desktop.cli import main
from postmortem_desktop.importers.sheet_errors import SheetError
from postmortem_desktop.services import spreadsheet_import
from tests.real_corpus.check import real_file


@pytest.mark.parametrize("relative, says", [
    ("tickets/jira/perceval__jira_issues_page_1.json", "Jira's REST search results (JSON: 2 issues, HELP-6043"),
    ("tickets/jira/perceval__jira_comments_issue_page_1.json", "one Jira issue's comments"),
    ("tickets/redmine/perceval__redmine_issue_7311.json", "Redmine issue as its REST API returns it (JSON: issue 7311"),
    ("tickets/conversations/abcd__abcd_sample.json", "JSON list of 3 conversations"),
])
def test_a_json_dump_is_refused_saying_what_it_is(relative, says, demo_copy, capsys):
    with pytest.raises(SheetError, match="not a ticket export") as refused:
        spreadsheet_import.prepare_import(real_file(relative))
    assert says in str(refused.value)
    assert main(["import", str(demo_copy), str(real_file(relative)), "--incident", "1"]) == 4
    assert says in capsys.readouterr().err


def test_a_csv_whose_first_cell_starts_with_a_bracket_is_still_read(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("[id],created,subject\n1,2026-11-18 10:00,Charged twice\n", encoding="utf-8")
    plan = spreadsheet_import.prepare_import(path)
    assert plan.sheet.header[0] == "[id]"
