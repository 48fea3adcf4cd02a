"""Message-level dumps (one row per message): grouping, roles, idempotent re-import, the conversations command.

The files here are written by these tests in the shapes public exports have (a social-support dump:
id, author, inbound, created time, text, reply-to id; a Front-like messages export). Before issue 14
every reply became its own "ticket" with the requester as author and no roles.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from postmortem_desktop.cli import main
from postmortem_desktop.importers.field_mapping import FieldMapping
from postmortem_desktop.importers.message_dump import role_from_cell, thread_roots
from postmortem_desktop.services import spreadsheet_import
from postmortem_desktop.services.conversation_list import list_conversations
from postmortem_desktop.services.incidents import CreateIncident
from postmortem_desktop.services.ticket_import import ImportOptions
from tests.helpers import address, write_csv

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
SOCIAL = ["id", "author", "inbound", "created_at", "text", "in_reply_to"]


def at(minutes: int) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat()


SOCIAL_ROWS = [
    ["1", "@ann", "True", at(1), "my card was charged twice @Shop", ""],
    ["2", "@Shop", "False", at(3), "@ann sorry! can you DM us the order number?", "1"],
    ["3", "@ann", "True", at(5), "@Shop sent", "2"],
    ["4", "@bob", "True", at(2), "checkout is spinning forever", ""],
    ["5", "@Shop", "False", at(4), "@bob we are looking into it", "4"],
    ["6", "@cid", "True", at(6), "@Shop same here", "99"],  # answers a message not in the file
    ["7", "@Shop", "False", at(7), "@cid thanks for telling us", "6"],
]


def write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    return write_csv(path, header, rows)


@pytest.fixture
def incident(workspace):
    cmd = CreateIncident(title="Checkout", technical_start=T0, technical_end=T0 + timedelta(hours=1))
    cmd.do(workspace)
    return cmd.incident_id


def imported(workspace, incident, path: Path, mapping: FieldMapping | None = None):
    plan = spreadsheet_import.prepare_import(path, preset=mapping)
    return spreadsheet_import.run_import(workspace, incident, plan, ImportOptions(include_outside_window=True))


def stored(workspace, incident) -> dict[str, list[tuple[str, str, str]]]:
    return {c["external_id"]: [(m["author"], m["role"], m["text"]) for m in c["messages"]]
            for c in list_conversations(workspace, incident)}


# ---- grouping --------------------------------------------------------------------------------------
def test_thread_roots_follow_replies_to_the_first_message():
    assert thread_roots({"1": "", "2": "1", "3": "2", "4": ""}) == {"1": "1", "2": "1", "3": "1", "4": "4"}


def test_a_missing_parent_is_the_root_of_its_replies():
    assert thread_roots({"6": "99", "7": "6", "8": "99"}) == {"6": "99", "7": "99", "8": "99"}


def test_a_reply_cycle_ends_at_its_smallest_id_and_loses_nothing():
    roots = thread_roots({"5": "7", "6": "5", "7": "6", "8": "7"})
    assert roots == {"5": "5", "6": "5", "7": "5", "8": "5"}


def test_social_dump_is_grouped_by_reply_chains_with_roles_from_inbound(workspace, incident, tmp_path):
    summary = imported(workspace, incident, write(tmp_path / "social.csv", SOCIAL, SOCIAL_ROWS))
    assert (summary.rows_read, summary.imported, summary.conversations, summary.messages) == (7, 3, 3, 7)
    assert summary.duplicates == [] and summary.skipped == []
    conversations = stored(workspace, incident)
    assert conversations["1"] == [("@ann", "customer", "my card was charged twice @Shop"),
                                  ("@Shop", "agent", "@ann sorry! can you DM us the order number?"),
                                  ("@ann", "customer", "@Shop sent")]
    assert [role for _, role, _ in conversations["99"]] == ["customer", "agent"]


def test_the_preview_survey_says_how_rows_group_and_why_each_author_has_a_role(tmp_path):
    plan = spreadsheet_import.prepare_import(write(tmp_path / "social.csv", SOCIAL, SOCIAL_ROWS))
    survey = spreadsheet_import.message_survey(plan)
    assert survey is not None
    assert (survey.grouping, survey.conversations, survey.messages) == ("reply chains", 3, 7)
    shop = next(entry for entry in survey.authors if entry.author == "@Shop")
    assert (shop.role, shop.source, shop.messages) == ("agent", "column", 3)
    assert "inbound" in shop.reason


def test_without_a_role_column_an_author_who_answers_many_people_is_an_agent(tmp_path):
    rows = [[i, author, text_at, f"message {i}", parent] for i, author, text_at, parent in (
        ("1", "ann", at(1), ""), ("2", "Shop", at(2), "1"), ("3", "bob", at(3), ""), ("4", "Shop", at(4), "3"),
        ("5", "cid", at(5), ""), ("6", "Shop", at(6), "5"), ("7", "cid", at(7), "6"),
        ("8", "dan", at(8), ""), ("9", "Helper", at(9), "8"))]
    path = write(tmp_path / "plain.csv", ["id", "author", "created_at", "text", "in_reply_to"], rows)
    survey = spreadsheet_import.message_survey(spreadsheet_import.prepare_import(path))
    roles = {entry.author: (entry.role, entry.source) for entry in survey.authors}
    assert roles["Shop"] == ("agent", "behaviour")  # answers three different people
    assert roles["Helper"] == ("agent", "behaviour")  # starts nothing, answers only a customer
    assert {roles[name][0] for name in ("ann", "bob", "cid", "dan")} == {"customer"}


def test_a_role_the_person_corrects_is_the_role_every_message_of_that_author_gets(workspace, incident, tmp_path):
    path = write(tmp_path / "social.csv", SOCIAL, SOCIAL_ROWS)
    plan = spreadsheet_import.prepare_import(path)
    plan.mapping.roles = {"@bob": "internal"}
    spreadsheet_import.run_import(workspace, incident, plan, ImportOptions(include_outside_window=True))
    assert stored(workspace, incident)["4"][0][:2] == ("@bob", "internal")
    again = FieldMapping.from_json(plan.mapping.to_json(), plan.sheet.header)
    assert again.roles == {"@bob": "internal"}  # kept in a saved preset too


def test_a_role_that_is_not_one_of_ours_is_refused_with_the_choices():
    mapping = FieldMapping({"external_id": 0, "created_at": 1}, roles={"x": "boss"})
    assert any("customer, agent, internal" in problem for problem in mapping.validate(["id", "created"]))


@pytest.mark.parametrize("column, value, role", [
    ("inbound", "True", "customer"), ("inbound", "false", "agent"), ("Direction", "outbound", "agent"),
    ("direction", "Inbound", "customer"), ("Author type", "end-user", "customer"), ("author_type", "admin", "agent"),
    ("Public", "false", "internal"), ("public", "true", None), ("is_private", "yes", "internal"),
    ("direction", "sideways", None),
])
def test_role_columns_are_read_by_their_name_and_value(column, value, role):
    assert role_from_cell(column, value) == role


FRONT = ["Message ID", "Conversation ID", "Direction", "Inbox", "Message date", "Contact handle", "Author",
         "Subject", "Extract"]


def test_rows_sharing_a_conversation_id_are_one_conversation_in_time_order(workspace, incident, tmp_path):
    rows = [["m2", "c1", "outbound", "Support", at(4), "ann@example.com", "Tom", "Refund", "Refund sent."],
            ["m1", "c1", "inbound", "Support", at(1), "ann@example.com", "", "Refund", "Where is my refund?"],
            ["m3", "c2", "inbound", "Support", at(2), "bob@example.com", "", "Login", "Cannot log in"]]
    summary = imported(workspace, incident, write(tmp_path / "front.csv", FRONT, rows))
    assert summary.vendor == "Front"
    assert (summary.imported, summary.conversations, summary.messages, summary.duplicates) == (2, 2, 3, [])
    assert stored(workspace, incident)["c1"] == [("ann@example.com", "customer", "Where is my refund?"),
                                                 ("Tom", "agent", "Refund sent.")]


# ---- re-import ---------------------------------------------------------------------------------------
def message_ids(workspace) -> dict[str, int]:
    with workspace.engine.connect() as conn:
        return dict((text, mid) for mid, text in conn.exec_driver_sql("SELECT id, text FROM messages"))


def test_the_same_dump_twice_adds_nothing_and_a_grown_one_adds_only_its_new_messages(workspace, incident, tmp_path):
    path = write(tmp_path / "social.csv", SOCIAL, SOCIAL_ROWS)
    imported(workspace, incident, path)
    before = message_ids(workspace)
    again = imported(workspace, incident, path)
    assert (again.imported, again.updated, again.unchanged) == (0, 0, 3)
    assert message_ids(workspace) == before
    grown = SOCIAL_ROWS + [["8", "@Shop", "False", at(8), "@ann refund is on its way", "3"],
                           ["9", "@dee", "True", at(9), "still broken for me", ""]]
    summary = imported(workspace, incident, write(tmp_path / "social.csv", SOCIAL, grown))
    assert (summary.imported, summary.updated, summary.unchanged) == (1, 1, 2)
    after = message_ids(workspace)
    assert {text: after[text] for text in before} == before  # old messages kept as they were (ids, tags)
    assert set(after) - set(before) == {"@ann refund is on its way", "still broken for me"}
    assert [author for author, _, _ in stored(workspace, incident)["1"]] == ["@ann", "@Shop", "@ann", "@Shop"]


def test_the_helper_process_groups_a_dump_as_the_app_does(workspace, incident, tmp_path):
    path = write(tmp_path / "social.csv", SOCIAL, SOCIAL_ROWS)
    steps = spreadsheet_import.import_path(workspace, incident, path, parallel=True,
                                           options=ImportOptions(include_outside_window=True))
    summary = spreadsheet_import.run_to_end(steps)
    assert (summary.imported, summary.conversations, summary.messages) == (3, 3, 7)
    assert [role for _, role, _ in stored(workspace, incident)["1"]] == ["customer", "agent", "customer"]


# ---- Jira's readable key ---------------------------------------------------------------------------
def test_jira_readable_key_is_the_ticket_id_not_the_numeric_id(tmp_path):
    # Before (issue 16): the numeric "id" became the ticket id and "key" (CSC-14) was left unmapped.
    rows = [["Printer offline", at(1), "10014", "CSC-14"], ["Login loop", at(2), "10015", "CSC-15"]]
    plan = spreadsheet_import.prepare_import(write(tmp_path / "jira.csv", ["summary", "created", "id", "key"], rows))
    assert plan.mapping.column("external_id") == 3
    assert [row.external_id for row in spreadsheet_import.preview(plan)] == ["CSC-14", "CSC-15"]


# ---- command line ----------------------------------------------------------------------------------
def test_conversations_command_lists_messages_with_roles(workspace, incident, tmp_path, capsys):
    path = write(tmp_path / "social.csv", SOCIAL, SOCIAL_ROWS)
    ws_path = address(workspace)
    workspace.close()
    assert main(["import", ws_path, str(path), "--incident", str(incident), "--include-outside-window",
                 "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["conversations"], summary["messages"]) == (3, 7)
    assert main(["conversations", ws_path, "--incident", str(incident), "--json"]) == 0
    listed = {c["external_id"]: c for c in json.loads(capsys.readouterr().out)}
    first = listed["1"]["messages"][1]
    # the message's own id in the file (the reply "2"), its thread's id beside it
    assert {k: first[k] for k in ("external_id", "conversation_external_id", "at", "author", "role", "channel")} == {
        "external_id": "2", "conversation_external_id": "1", "at": at(3), "author": "@Shop", "role": "agent",
        "channel": "ticket"}
    assert [m["external_id"] for m in listed["1"]["messages"]] == ["1", "2", "3"]


def test_conversations_command_of_an_unknown_incident_is_a_usage_error(demo_copy, capsys):
    assert main(["conversations", str(demo_copy), "--incident", "999", "--json"]) == 2
    assert "no incident 999" in capsys.readouterr().err


def test_conversations_piped_to_head_ends_quietly(demo_copy):
    command = f"{sys.executable} -m postmortem_desktop.cli conversations {demo_copy} --incident 1 --json | head -1"
    out = subprocess.run(["bash", "-o", "pipefail", "-c", command], cwd=ROOT, capture_output=True, text=True,
                         timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stderr
    assert out.stdout == "[\n"
    assert "BrokenPipeError" not in out.stderr and "unexpected" not in out.stderr


def test_a_key_that_repeats_for_different_issues_does_not_replace_the_unique_id(tmp_path):
    rows = [["Printer offline", at(1), "10014", "SD-183"], ["Login loop", at(2), "10015", "SD-183"]]
    plan = spreadsheet_import.prepare_import(write(tmp_path / "jira.csv", ["summary", "created", "id", "key"], rows))
    assert plan.mapping.column("external_id") == 2


def test_undo_of_a_grown_dump_puts_kept_messages_back_in_their_places(workspace, incident, tmp_path):
    from postmortem_desktop.services.import_undo import UndoableImport

    imported(workspace, incident, write(tmp_path / "social.csv", SOCIAL, SOCIAL_ROWS))

    def rows_of_thread_1():
        with workspace.engine.connect() as conn:
            return conn.exec_driver_sql("SELECT m.id, m.position, m.text FROM messages m JOIN conversations c "
                                        "ON c.id = m.conversation_id WHERE c.external_id = '1' "
                                        "ORDER BY m.position, m.id").fetchall()

    before = rows_of_thread_1()
    # a reply the first export missed, between two messages already here: the later one moves down
    grown = [*SOCIAL_ROWS, ["10", "@Shop", "False", at(4), "@ann got it, checking", "2"]]
    plan = spreadsheet_import.prepare_import(write(tmp_path / "social.csv", SOCIAL, grown))
    summary = spreadsheet_import.run_import(workspace, incident, plan, ImportOptions(include_outside_window=True))
    assert [text for _, _, text in rows_of_thread_1()] == [
        "my card was charged twice @Shop", "@ann sorry! can you DM us the order number?", "@ann got it, checking",
        "@Shop sent"]
    UndoableImport(incident, summary, lambda: iter(())).undo(workspace)
    assert rows_of_thread_1() == before


def test_a_conversation_without_a_subject_column_is_named_by_its_first_message(workspace, incident, tmp_path):
    imported(workspace, incident, write(tmp_path / "social.csv", SOCIAL, SOCIAL_ROWS))
    subjects = {c["external_id"]: c["subject"] for c in list_conversations(workspace, incident)}
    assert subjects["1"] == "my card was charged twice @Shop"  # as a pasted conversation is named


def test_a_message_repeated_in_one_file_is_counted_as_read_but_stored_once(workspace, incident, tmp_path):
    rows = [["m1", "c1", "inbound", "Support", at(1), "ann@example.com", "", "Refund", "Where is my refund?"],
            ["m2", "c1", "outbound", "Support", at(4), "ann@example.com", "Tom", "Refund", "Refund sent."],
            ["m1", "c1", "inbound", "Support", at(1), "ann@example.com", "", "Refund", "Where is my refund?"]]
    summary = imported(workspace, incident, write(tmp_path / "front.csv", FRONT, rows))
    assert (summary.rows_read, summary.conversations, summary.messages) == (3, 1, 2)


def test_an_in_reply_to_column_of_addresses_does_not_make_reply_chains(tmp_path):
    rows = [["1", at(1), "a@example.com", "Hello"], ["2", at(2), "b@example.com", "Hi"]]
    path = write(tmp_path / "mail.csv", ["id", "created", "in reply to", "body"], rows)
    plan = spreadsheet_import.prepare_import(path)
    assert plan.mapping.column("reply_to") is None
    assert len(spreadsheet_import.preview(plan)) == 2


def test_a_row_that_ends_before_its_reply_to_cell_starts_a_conversation(tmp_path):
    path = tmp_path / "short.csv"
    lines = [",".join(SOCIAL), *(",".join(row) for row in SOCIAL_ROWS[:3]), f"8,@dee,True,{at(9)},still broken"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    plan = spreadsheet_import.prepare_import(path)
    conversations = {row.external_id: row for row in spreadsheet_import.preview(plan)}
    assert set(conversations) == {"1", "8"}
    assert [(m.author, m.role) for m in conversations["8"].comments] == [("@dee", "customer")]


def test_the_text_outputs_count_conversations_and_messages(workspace, incident, tmp_path, capsys):
    path = write(tmp_path / "social.csv", SOCIAL, SOCIAL_ROWS)
    ws_path = address(workspace)
    workspace.close()
    assert main(["import", ws_path, str(path), "--incident", str(incident), "--include-outside-window"]) == 0
    assert "(3 conversations, 7 messages)" in capsys.readouterr().out
    assert main(["conversations", ws_path, "--incident", str(incident)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("3 conversations, 7 messages")
    assert "@Shop (agent): @ann sorry! can you DM us the order number?" in out


# ---- each message's own id (issue 14) ----------------------------------------------------------------
def own_ids(workspace, incident) -> dict[str, list[tuple[str | None, str]]]:
    return {c["external_id"]: [(m["external_id"], m["text"]) for m in c["messages"]]
            for c in list_conversations(workspace, incident)}


def test_a_message_id_dump_gives_each_message_its_own_id_not_its_conversations(workspace, incident, tmp_path):
    rows = [["m2", "c1", "outbound", "Support", at(4), "ann@example.com", "Tom", "Refund", "Refund sent."],
            ["m1", "c1", "inbound", "Support", at(1), "ann@example.com", "", "Refund", "Where is my refund?"],
            ["m3", "c2", "inbound", "Support", at(2), "bob@example.com", "", "Login", "Cannot log in"]]
    imported(workspace, incident, write(tmp_path / "front.csv", FRONT, rows))
    assert own_ids(workspace, incident) == {"c1": [("m1", "Where is my refund?"), ("m2", "Refund sent.")],
                                            "c2": [("m3", "Cannot log in")]}
    [message] = [m for c in list_conversations(workspace, incident) for m in c["messages"]
                 if m["text"] == "Cannot log in"]
    assert message["conversation_external_id"] == "c2"


def test_a_ticket_dump_has_no_message_ids_so_each_message_says_none(workspace, incident, tmp_path):
    path = write(tmp_path / "tickets.csv", ["Ticket ID", "Subject", "Description", "Created at"],
                 [["T-1", "Invoices", "My invoices page is blank", at(1)]])
    imported(workspace, incident, path)
    assert own_ids(workspace, incident) == {"T-1": [(None, "My invoices page is blank")]}


def test_a_grown_dump_gives_its_new_messages_their_ids_and_undo_keeps_the_old_ones(workspace, incident, tmp_path):
    from postmortem_desktop.services.import_undo import UndoableImport

    imported(workspace, incident, write(tmp_path / "social.csv", SOCIAL, SOCIAL_ROWS))
    before = own_ids(workspace, incident)
    assert before["1"] == [("1", "my card was charged twice @Shop"),
                           ("2", "@ann sorry! can you DM us the order number?"), ("3", "@Shop sent")]
    # re-imported conversations are rewritten (ticket_store.apply_updates): the new reply gets its id there
    grown = [*SOCIAL_ROWS, ["10", "@Shop", "False", at(4), "@ann got it, checking", "2"]]
    plan = spreadsheet_import.prepare_import(write(tmp_path / "social.csv", SOCIAL, grown))
    summary = spreadsheet_import.run_import(workspace, incident, plan, ImportOptions(include_outside_window=True))
    assert [own for own, _ in own_ids(workspace, incident)["1"]] == ["1", "2", "10", "3"]
    UndoableImport(incident, summary, lambda: iter(())).undo(workspace)
    assert own_ids(workspace, incident) == before
    with workspace.engine.connect() as conn:  # the undone reply's id went with it
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM message_external_ids WHERE external_id = '10'").scalar() == 0


def test_the_conversations_command_help_says_what_a_messages_external_id_is(capsys):
    with pytest.raises(SystemExit):
        main(["conversations", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "the message's own id in the imported file" in help_text and "null when the file gave it none" in help_text


def test_the_helper_process_keeps_each_messages_own_id_too(workspace, incident, tmp_path):
    path = write(tmp_path / "social.csv", SOCIAL, SOCIAL_ROWS)
    steps = spreadsheet_import.import_path(workspace, incident, path, parallel=True,
                                           options=ImportOptions(include_outside_window=True))
    spreadsheet_import.run_to_end(steps)
    assert [own for own, _ in own_ids(workspace, incident)["1"]] == ["1", "2", "3"]
