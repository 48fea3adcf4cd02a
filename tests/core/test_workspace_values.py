"""A workspace whose stored values this app never writes (a bad time, a word outside the vocabulary) is refused
at open, untouched, with exit 4 and where the value is; publish reads through the same check."""
import json
import sqlite3
from pathlib import Path

import pytest

from postmortem_desktop.cli import main
from postmortem_desktop.services import spreadsheet_import
from postmortem_desktop.services.ticket_import import ImportOptions
from postmortem_desktop.storage import value_check
from postmortem_desktop.storage.workspace import DamagedWorkspaceError, open_workspace
from tests.core.test_workspace_untrusted import alter, digest
from tests.shared_data import shared_file


def first_id(path: Path, table: str) -> int:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute(f"SELECT min(rowid) FROM {table}").fetchone()[0]
    finally:
        conn.close()


def store(path: Path, table: str, column: str, value: object) -> int:
    """Writes value into the first row of table with plain SQLite, as another program could; its row id."""
    row = first_id(path, table)
    alter(path, f"UPDATE {table} SET {column} = {value} WHERE rowid = {row}")
    return row


STRAY = [
    # (table, column, SQL literal): each read back failed in a screen, a report or a publish, or spread to a team
    ("incidents", "technical_start", "'not-a-date'"),
    ("messages", "at", "'garbage!!'"),
    ("incidents", "status", "'bogus'"),
    ("incidents", "customer_severity", "'SEV999'"),
    ("incidents", "technical_severity", "'P1'"),
    ("messages", "role", "'alien'"),
    ("conversations", "channel", "'pigeon'"),
    ("system_events", "kind", "'explosion'"),
    ("tag_assignments", "source", "'robot'"),
    ("action_items", "area", "'finance'"),
    ("action_items", "status", "'maybe'"),
    ("review_answers", "question", "'why'"),
    ("incidents", "technical_end", "'2026-02-30 10:00:00.000000'"),   # no such day: Python refuses it
    ("incidents", "technical_end", "'2026-11-18 24:00:00.000000'"),   # no such hour
    ("incidents", "created_at", "'2026-11-18T10:00:00+00:00'"),        # another form than the stored one
    ("incidents", "created_at", "'0000-01-01 00:00:00.000000'"),       # before Python's first year
    ("messages", "at", "1731920000"),                                  # a number, not text
    ("messages", "at", "x'00'"),                                       # a blob
    ("action_items", "due_date", "'2026-13-01'"),
    ("follow_ups", "review_held_on", "'next week'"),
]


@pytest.mark.parametrize("table, column, literal", STRAY)
def test_a_workspace_holding_a_value_this_app_never_writes_is_refused_untouched(demo_copy, table, column, literal,
                                                                               capsys):
    row = store(demo_copy, table, column, literal)
    before = digest(demo_copy)
    with pytest.raises(DamagedWorkspaceError, match=f"{table}.{column} of row {row} is "):
        open_workspace(demo_copy)
    assert main(["incidents", str(demo_copy)]) == 4
    err = capsys.readouterr().err
    assert "holds a value this app never writes" in err and "left untouched" in err
    assert "restore it from a backup" in err  # what to do
    assert digest(demo_copy) == before


def test_the_message_names_the_value_and_what_this_app_writes_there(demo_copy):
    store(demo_copy, "incidents", "status", "'bogus'")
    with pytest.raises(DamagedWorkspaceError) as caught:
        open_workspace(demo_copy)
    assert "'bogus'" in str(caught.value)
    assert "'draft', 'in_review', 'closed', 'followed_up'" in str(caught.value)


def test_a_long_stray_value_is_quoted_shortened(demo_copy):
    store(demo_copy, "messages", "role", "'" + "x" * 5000 + "'")
    with pytest.raises(DamagedWorkspaceError) as caught:
        open_workspace(demo_copy)
    assert len(str(caught.value)) < 600


@pytest.mark.parametrize("table, column, literal", [
    ("incidents", "technical_end", "'2024-02-29 23:59:59.999999'"),  # a leap day, the last microsecond
    ("incidents", "technical_end", "NULL"),                           # a time not known yet
    ("incidents", "customer_severity", "''"),                         # not decided yet
    ("action_items", "due_date", "'2024-02-29'"),
])
def test_values_this_app_writes_at_their_edges_still_open(demo_copy, table, column, literal):
    store(demo_copy, table, column, literal)
    open_workspace(demo_copy).close()


def test_a_real_ticket_dump_imported_leaves_only_values_this_app_writes(demo_copy):
    # the check must never refuse what the app itself stores: an import of a real dump, then reopened
    workspace = open_workspace(demo_copy)
    try:
        plan = spreadsheet_import.prepare_import(
            shared_file("real/tickets/servicenow/uci_incident_event_log__first150incidents.csv"))
        summary = spreadsheet_import.run_import(workspace, 1, plan, ImportOptions(include_outside_window=True))
        assert summary.imported > 0
    finally:
        workspace.close()
    conn = sqlite3.connect(f"file:{demo_copy}?mode=ro", uri=True)
    try:
        assert value_check.first_stray_value(conn) is None
    finally:
        conn.close()
    open_workspace(demo_copy).close()


def test_publish_of_a_workspace_with_a_bad_time_is_refused_and_the_target_unchanged(demo_copy, tmp_path, capsys):
    # Before: "unexpected error: ValueError: Invalid isoformat string: 'garbage!!'", exit 1
    store(demo_copy, "messages", "at", "'garbage!!'")
    target = tmp_path / "team-copy.pmw"
    assert main(["demo", str(target)]) == 0
    before = digest(target)
    assert main(["publish", "--as-copy", str(demo_copy), str(target)]) == 4
    assert "messages.at of row" in capsys.readouterr().err
    assert digest(target) == before


def test_publish_as_copy_to_a_team_never_spreads_words_outside_the_vocabulary(demo_copy, team_database, capsys):
    # Before: the copy went through and every teammate's list showed "SEV3 → SEV99…"
    store(demo_copy, "incidents", "customer_severity", "'SEV999'")
    assert main(["new", team_database]) == 0
    capsys.readouterr()
    assert main(["publish", "--as-copy", str(demo_copy), team_database]) == 4
    assert "incidents.customer_severity" in capsys.readouterr().err
    assert main(["incidents", team_database, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def alter_team(url: str, statement: str) -> None:
    """Changes a team workspace on its server by hand, as a person with psql could."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(statement)


@pytest.mark.parametrize("statement, where", [
    ("UPDATE incidents SET customer_severity = 'SEV999' WHERE id = 1", "incidents.customer_severity of row 1"),
    ("UPDATE messages SET role = 'alien' WHERE id = (SELECT min(id) FROM messages)", "messages.role of row"),
])
def test_a_team_workspace_holding_a_word_outside_the_vocabulary_is_refused_and_never_copied(
        team_demo_url, tmp_path, statement, where, capsys):
    # Before: it opened, and save-local (or a publish from it) carried the word on
    alter_team(team_demo_url, statement)
    with pytest.raises(DamagedWorkspaceError, match=where):
        open_workspace(team_demo_url)
    saved = tmp_path / "mine.pmw"
    assert main(["save-local", team_demo_url, str(saved), "--incident", "1"]) == 4
    assert "holds a value this app never writes" in capsys.readouterr().err
    assert not saved.exists()


@pytest.mark.parametrize("literal", [
    "'2026-11-18 10:00:00garbage.999999'",  # text between the seconds and a fraction
    "'2026-11-18 10:00:00Z.123456'",         # a zone, then a fraction
    "'2026-11-18 10:00:00.00000Z'",          # a zone in place of the last digit
    "'2026-11-18 10:00:00.1234567'",         # seven digits
    "'2026-11-18 10:00:00.0000 '",           # a trailing space
])
def test_a_time_with_anything_around_the_stored_form_is_refused(demo_copy, literal):
    row = store(demo_copy, "messages", "at", literal)
    with pytest.raises(DamagedWorkspaceError, match=f"messages.at of row {row} is "):
        open_workspace(demo_copy)
