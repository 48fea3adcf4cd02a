"""Real-corpus checks for message-level and API dumps: tickets/conversations, tickets/jira, the Redmine
issue JSON, and the ServiceNow incident log (a vendor layout added with them).

Every file first gets a "no unexpected error" check: the command line's import, run in-process into a
fresh workspace, must not exit 1. The JSON files are REST API answers or a research data set, not
exports a help desk writes, so the import refuses them (exit 4) with a message saying what the file
is and which export to make; their checks are that refusal and the facts the message states, taken
from the truth (conversation and turn counts, the Redmine issue's id and journal count).

Truth keys not checked, and why:
- conversations/abcd: `speakers_per_convo`, `flows`, `timestamps`: the file is refused as a whole
  (a JSON research set, not a support tool's export), so no message or role is read from it.
- jira/*.json: the truth is the source's test snippets about custom-field mapping and request
  paging, which describe the API client, not the file's content the product could reproduce.
- servicenow: `states` counts every row's state (the incident's history); the product keeps one
  conversation per incident with its latest state, so row-level states are not represented.
  `date_format` is checked through the parsed first opening time; `line_endings`, `bom` are the
  reader's concern (checked with the CSV corpus).
"""
from __future__ import annotations

import contextlib
import io
import json
import re
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from postmortem_desktop.cli import main
from tests.real_corpus.check import Check, real_file, truths

KIND = "tickets"
ABCD = "tickets/conversations/abcd__abcd_sample.json"
JIRA = ("tickets/jira/perceval__jira_issues_page_1.json", "tickets/jira/perceval__jira_comments_issue_page_1.json")
REDMINE = "tickets/redmine/perceval__redmine_issue_7311.json"
SERVICENOW = "tickets/servicenow/uci_incident_event_log__first150incidents.csv"


class _Imported:
    """One run of `postmortem import … --json` (and `conversations --json`) into a fresh workspace, kept."""

    def __init__(self, relative: str) -> None:
        self.relative = relative
        self._result: tuple[int, str, str, list] | None = None

    def result(self) -> tuple[int, str, str, list]:
        """(exit code, stdout, stderr, conversations listed after the import)."""
        if self._result is None:
            self._result = self._run()
        return self._result

    def _run(self) -> tuple[int, str, str, list]:
        from postmortem_desktop.services.incidents import CreateIncident
        from postmortem_desktop.storage.workspace import create_workspace

        with tempfile.TemporaryDirectory(prefix="corpus_dumps_") as folder:
            path = Path(folder) / "w.pmw"
            workspace = create_workspace(path)
            command = CreateIncident(title="Corpus", technical_start=datetime(2016, 1, 1, tzinfo=UTC),
                                     technical_end=datetime(2016, 1, 1, 1, tzinfo=UTC))
            command.do(workspace)
            workspace.close()
            code, out, err = _cli(["import", str(path), str(real_file(self.relative)), "--incident",
                                   str(command.incident_id), "--include-outside-window", "--json"])
            listed: list = []
            if code == 0:
                listed_code, listed_out, listed_err = _cli(["conversations", str(path), "--incident",
                                                            str(command.incident_id), "--json"])
                assert listed_code == 0, f"conversations exited {listed_code}: {listed_err}"
                listed = json.loads(listed_out)
            return code, out, err, listed


def _cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def _no_crash(run: _Imported, allowed: tuple[int, ...]) -> Callable[[], None]:
    def check() -> None:
        code, _out, err, _listed = run.result()
        if code == 1:
            raise RuntimeError(f"exit 1 (unexpected error): {err.strip()}")
        assert code in allowed, f"exit {code}, expected {allowed}: {err.strip()}"
    return check


def _refused_saying(run: _Imported, *needles: str) -> Callable[[], None]:
    def check() -> None:
        code, _out, err, _listed = run.result()
        assert code == 4, f"exit {code}, expected 4 (bad input): {err.strip()}"
        missing = [needle for needle in needles if needle not in err]
        assert not missing, f"the refusal does not say {missing}: {err.strip()}"
    return check


def _abcd_checks() -> list[Check]:
    truth = truths(ABCD)[0]
    run = _Imported(ABCD)
    turns = ", ".join(str(count) for count in truth["turns_per_convo"].values())
    return [
        Check(KIND, f"{ABCD}: no unexpected error", _no_crash(run, (0, 4))),
        Check(KIND, f"{ABCD}: refused as JSON naming its {truth['conversations']} conversations",
              _refused_saying(run, "JSON", f"{truth['conversations']} conversations", "CSV")),
        Check(KIND, f"{ABCD}: the refusal counts each conversation's turns ({turns})",
              _refused_saying(run, f"({turns} turns)")),
    ]


def _jira_checks() -> list[Check]:
    found = []
    for relative in JIRA:
        run = _Imported(relative)
        found += [Check(KIND, f"{relative}: no unexpected error", _no_crash(run, (0, 4))),
                  Check(KIND, f"{relative}: refused as Jira JSON with the export to make instead",
                        _refused_saying(run, "Jira", "JSON", "Export › CSV"))]
    return found


def _redmine_checks() -> list[Check]:
    snippets = " ".join(assertion["snippet"] for assertion in truths(REDMINE)[0]["source_assertions"])
    issue_id = re.search(r"assertEqual\(issue\['id'\], (\d+)\)", snippets)
    journals = re.search(r"assertEqual\(len\(issue\['journals'\]\), (\d+)\)", snippets)
    assert issue_id and journals, "the Redmine truth no longer asserts the issue id and journal count"
    run = _Imported(REDMINE)
    return [
        Check(KIND, f"{REDMINE}: no unexpected error", _no_crash(run, (0, 4))),
        Check(KIND, f"{REDMINE}: refused as a Redmine issue {issue_id.group(1)} with "
              f"{journals.group(1)} journal entries",
              _refused_saying(run, "Redmine", f"issue {issue_id.group(1)}", f"{journals.group(1)} journal entries")),
    ]


def _servicenow_checks() -> list[Check]:
    truth = truths(SERVICENOW)[0]
    run = _Imported(SERVICENOW)

    def summary() -> dict:
        code, out, err, _listed = run.result()
        assert code == 0, f"exit {code}: {err.strip()}"
        return json.loads(out)

    def rows() -> None:
        assert summary()["rows_read"] == truth["rows"], f"rows_read {summary()['rows_read']}, truth {truth['rows']}"

    def incidents() -> None:
        data = summary()
        assert (data["conversations"], data["imported"]) == (truth["incidents"], truth["incidents"]), data

    def vendor() -> None:
        data = summary()
        assert data["vendor"] == "ServiceNow", data["vendor"]
        assert data["mapping"]["columns"]["external_id"] == "number", data["mapping"]

    def first_and_last() -> None:
        listed = {conversation["external_id"]: conversation for conversation in run.result()[3]}
        assert {truth["first_incident"], truth["last_incident"]} <= set(listed), sorted(listed)[:3]
        opened = datetime.strptime(truth["first_opened_at"], "%d-%m-%Y %H:%M").replace(tzinfo=UTC)
        assert listed[truth["first_incident"]]["first_at"] == opened.isoformat(), listed[truth["first_incident"]]

    def header() -> None:
        from postmortem_desktop.importers.sheet_reader import read_sheet

        assert read_sheet(real_file(SERVICENOW)).header == truth["header"]

    return [
        Check(KIND, f"{SERVICENOW}: no unexpected error", _no_crash(run, (0,))),
        Check(KIND, f"{SERVICENOW}: {truth['rows']} rows read", rows),
        Check(KIND, f"{SERVICENOW}: {truth['incidents']} incidents, one conversation each", incidents),
        Check(KIND, f"{SERVICENOW}: recognised as ServiceNow, ticket id from 'number'", vendor),
        Check(KIND, f"{SERVICENOW}: {truth['first_incident']} opened {truth['first_opened_at']} (day first), "
              f"{truth['last_incident']} present", first_and_last),
        Check(KIND, f"{SERVICENOW}: its {truth['columns']} columns read by name", header),
    ]


def checks() -> list[Check]:
    return [*_abcd_checks(), *_jira_checks(), *_redmine_checks(), *_servicenow_checks()]
