"""Bad and unusual text through imports, publish and save-local, on both engines.

PostgreSQL cannot store a NUL character and neither driver can encode a lone surrogate; the one rule
for both (domain/storable_text.py) drops the NUL and replaces the surrogate with U+FFFD where text
enters, so a file and a team workspace hold the same text and a file's incident always publishes.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from postmortem_desktop.domain.errors import RuleError
from postmortem_desktop.importers.transcripts import parse_transcript
from postmortem_desktop.services import spreadsheet_import
from postmortem_desktop.services.conversations import AddConversation, AddConversations, NewConversation, typed_note
from postmortem_desktop.services.import_undo import UndoableImport
from postmortem_desktop.services.incidents import CreateIncident, UpdateIncident
from postmortem_desktop.services.publish import publish, save_incident_as_file
from postmortem_desktop.services.quotes import CreateQuote
from postmortem_desktop.storage.workspace import create_workspace, open_workspace
from tests.core.test_import_pipeline import T0, write_csv, zendesk_row
from tests.core.test_team_import import import_file
from tests.shared_data import shared_file


@pytest.fixture
def incident(workspace) -> int:
    return new_incident(workspace)


def new_incident(workspace) -> int:
    command = CreateIncident(title="Billing", technical_start=T0, technical_end=T0 + timedelta(hours=2))
    command.do(workspace)
    return command.incident_id


def messages(workspace) -> list[tuple[str, str]]:
    with workspace.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(text("SELECT author, text FROM messages ORDER BY id"))]


def test_a_pasted_chat_with_a_nul_and_a_lone_surrogate_stores_the_same_text_on_both_engines(workspace, incident):
    # a chat export's JSON may carry "\ud83d" without its partner, and a paste may carry a NUL
    parsed = parse_transcript("[10:30] Ana\x00: it spun\x00 again \ud83d\n[10:31] Bob: looking \ud83d\ude42\n")
    chat = NewConversation(channel="chat", messages=parsed.messages, source_format=parsed.format,
                           subject="Spun\x00")
    AddConversations(incident, [chat], batch_kind="transcript", file_name="chat\x00.txt").do(workspace)
    assert messages(workspace) == [("Ana", "it spun again \ufffd"), ("Bob", "looking 🙂")]
    with workspace.engine.connect() as conn:
        assert conn.execute(text("SELECT subject FROM conversations")).scalar_one() == "Spun"
        assert conn.execute(text("SELECT file_name FROM import_batches")).scalar_one() == "chat.txt"


def test_a_typed_note_with_a_nul_and_a_lone_surrogate_is_stored_cleaned_on_both_engines(workspace, incident):
    note = AddConversation(incident, typed_note("call", "Pri\x00ya", "Paid \ud800twice.\x00", T0, "agent"))
    note.do(workspace)
    assert messages(workspace) == [("Priya", "Paid \ufffdtwice.")]
    note.undo(workspace)
    assert messages(workspace) == []


def test_an_edit_with_a_nul_or_a_lone_surrogate_is_stored_cleaned_on_both_engines(workspace, incident):
    # on a team workspace this was psycopg's bare "text fields cannot contain NUL", the edit lost
    UpdateIncident(incident, title="Bill\x00ing \udc80", service="Pay\x00ments").do(workspace)
    with workspace.engine.connect() as conn:
        assert tuple(conn.execute(text("SELECT title, service FROM incidents")).one()) == ("Billing \ufffd",
                                                                                         "Payments")


def test_a_real_csv_with_a_nul_and_every_copy_special_character_imports_the_same_on_both_engines(workspace,
                                                                                             incident, tmp_path):
    # csvkit's null_byte.csv is a real file whose second record starts with a NUL
    assert b"\x00" in shared_file("real/csv/csvkit__null_byte.csv").read_bytes()
    nasty = "back\\slash\ttab\r\nCRLF\n\\.\n\"quoted\" 'single' é漢字🙂 \\N\x00end"
    row = zendesk_row(1, (T0 + timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M"), body=nasty)
    row[1], row[7] = "Requester \\. \t漢字", "Subject \\N\t\"x\""
    summary = import_file(workspace, incident, write_csv(tmp_path / "a.csv", [row]), parallel=False)
    assert summary.imported == 1
    assert messages(workspace) == [("Requester \\. \t漢字",
                                    "back\\slash\ttab\nCRLF\n\\.\n\"quoted\" 'single' é漢字🙂 \\Nend")]
    with workspace.engine.connect() as conn:
        assert conn.execute(text("SELECT subject FROM conversations")).scalar_one() == "Subject \\N\t\"x\""


def test_an_incident_on_a_file_that_holds_a_nul_publishes_and_saves_back_without_it(tmp_path, team_database):
    source = create_workspace(tmp_path / "old.pmw")
    team = create_workspace(team_database)
    try:
        incident = new_incident(source)
        AddConversation(incident, typed_note("call", "Priya", "Paid twice.", T0, "agent")).do(source)
        with source.engine.begin() as conn:  # as a file written before the rule may hold it
            conn.execute(text("UPDATE messages SET text = 'Paid' || char(0) || ' twice.', "
                              "author = 'Pri' || char(0) || 'ya'"))
            conn.execute(text("UPDATE incidents SET title = 'Bill' || char(0) || 'ing'"))
        result = publish(source, team)
        assert [copied.title for copied in result.incidents] == ["Bill\x00ing"]  # as the source names it
        assert messages(team) == [("Priya", "Paid twice.")]
        with team.engine.connect() as conn:
            assert conn.execute(text("SELECT title FROM incidents")).scalar_one() == "Billing"
        save_incident_as_file(team, tmp_path / "meeting.pmw", result.incidents[0].target_id)
        saved = open_workspace(tmp_path / "meeting.pmw")
        try:
            assert messages(saved) == [("Priya", "Paid twice.")]
        finally:
            saved.close()
    finally:
        team.close()
        source.close()


# ---- undo of an import after a teammate worked on one of its conversations -------------------------------

def test_undo_of_an_import_refuses_when_a_teammate_made_a_card_from_one_of_its_conversations(team_database,
                                                                                           tmp_path):
    mine = create_workspace(team_database)
    theirs = open_workspace(team_database)
    try:
        incident = new_incident(mine)
        plan = spreadsheet_import.prepare_import(write_csv(tmp_path / "a.csv", [
            zendesk_row(n, (T0 + timedelta(minutes=n)).strftime("%Y-%m-%d %H:%M")) for n in range(1, 4)]))
        summary = spreadsheet_import.run_import(mine, incident, plan)
        command = UndoableImport(incident, summary,
                                 lambda: spreadsheet_import.import_generator(mine, incident, plan))
        with theirs.engine.connect() as conn:
            conversation = conn.execute(text("SELECT min(id) FROM conversations")).scalar_one()
        card = CreateQuote(incident, conversation)  # the teammate's card, from the whole conversation
        card.do(theirs)
        with pytest.raises(RuleError, match=r"cannot be undone.*1 card") as refused:
            command.undo(mine)
        assert "a.csv" in str(refused.value)
        with mine.engine.connect() as conn:  # nothing of the import was taken away, the card is still there
            assert conn.execute(text("SELECT count(*) FROM conversations")).scalar_one() == 3
            assert conn.execute(text("SELECT id FROM quotes")).scalar_one() == card.quote_id
        card.undo(theirs)  # once the card is gone, the import undoes cleanly
        command.undo(mine)
        with mine.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM conversations")).scalar_one() == 0
    finally:
        theirs.close()
        mine.close()


# ---- publish into a team workspace that already has tags and customers ------------------------------------

def _customer_note(name: str, email: str = "") -> NewConversation:
    note = typed_note("chat", name, "It spun.", T0, "customer")
    note.customer_name, note.customer_email = name, email
    return note


def test_customers_that_differ_only_in_case_are_one_person_on_the_team_as_an_import_matches_them(tmp_path,
                                                                                               team_database):
    source = create_workspace(tmp_path / "mine.pmw")
    team = create_workspace(team_database)
    try:
        incident = new_incident(source)
        for note in (_customer_note("Ana", "Ana@Example.com"), _customer_note("Bob"), _customer_note("bob")):
            AddConversation(incident, note).do(source)
        with team.engine.begin() as conn:  # the team knows Ana already, her name in capitals
            conn.execute(text("INSERT INTO customers (name, email, phone, organization, segment) "
                              "VALUES ('ANA', 'ana@example.com', '', '', '')"))
        result = publish(source, team)
        assert (result.customers_matched, result.customers_added) == (1, 1)
        with team.engine.connect() as conn:
            people = conn.execute(text("SELECT id, name FROM customers ORDER BY id")).fetchall()
            assert [name for _id, name in people] == ["ANA", "Bob"]
            linked = conn.execute(text("SELECT customer_id FROM conversations ORDER BY id")).scalars().all()
            assert linked == [people[0][0], people[1][0], people[1][0]]
    finally:
        team.close()
        source.close()


def _incident_with_a_card(ws) -> tuple[int, CreateQuote]:
    """A new incident on ws holding one typed chat and a quote card made from it."""
    incident = new_incident(ws)
    note = AddConversation(incident, typed_note("chat", "Ana", "It spun.", T0, "customer"))
    note.do(ws)
    card = CreateQuote(incident, note.conversation_id)
    card.do(ws)
    return incident, card


def test_a_tag_the_team_has_in_another_colour_is_the_teams_tag_and_not_a_second_one(tmp_path, team_database):
    source = create_workspace(tmp_path / "mine.pmw")
    team = create_workspace(team_database)
    try:
        incident, card = _incident_with_a_card(source)
        with source.engine.begin() as conn:
            conn.execute(text("UPDATE tags SET color = 7"))
            tag = conn.execute(text("SELECT min(id) FROM tags")).scalar_one()
            conn.execute(text("INSERT INTO tag_assignments (tag_id, quote_id, source, phrase, created_at) "
                              "VALUES (:tag, :quote, 'manual', '', '2026-11-18 10:30:00.000000')"),
                         {"tag": tag, "quote": card.quote_id})
        with team.engine.connect() as conn:
            tags_before = conn.execute(text("SELECT id, name, color FROM tags ORDER BY id")).fetchall()
        result = publish(source, team)
        assert result.tags_added == []
        with team.engine.connect() as conn:
            assert conn.execute(text("SELECT id, name, color FROM tags ORDER BY id")).fetchall() == tags_before
            assert conn.execute(text("SELECT tag_id FROM tag_assignments WHERE source = 'manual'")).scalar_one() \
                == tags_before[0][0]
    finally:
        team.close()
        source.close()


# ---- save-local into a place that cannot take the file ----------------------------------------------------

def test_save_local_into_a_read_only_folder_or_onto_a_full_disk_says_so_and_leaves_nothing(team_demo_url,
                                                                                          tmp_path):
    from tests.core.test_workspace_places import in_private_mounts, results

    folder = tmp_path / "ro"
    folder.mkdir()
    logs = tmp_path / "logs"
    logs.mkdir()
    out = in_private_mounts(f"""
        mount --bind -o ro '{folder}' '{folder}'
        $PM save-local '{team_demo_url}' '{folder}/meeting.pmw' --incident 1 2> '{logs}/ro.err'; echo ro=$?
        echo "ro_left=$(ls -A '{folder}' | tr '\\n' ' ')"
        disk=$(mktemp -d)
        mount -t tmpfs -o size=256k tmpfs "$disk"
        $PM save-local '{team_demo_url}' "$disk/meeting.pmw" --incident 1 2> '{logs}/full.err'; echo full=$?
        echo "full_left=$(ls -A "$disk" | tr '\\n' ' ')"
    """)
    found = results(out)
    ro_message, full_message = (logs / "ro.err").read_text(), (logs / "full.err").read_text()
    assert (found["ro"], found["full"]) == ("4", "3"), (out.stderr, ro_message, full_message)  # 3: refused
    assert "read-only" in ro_message.lower() and "meeting.pmw" in ro_message, ro_message
    # before: "… so the last change was not saved; everything saved before it is intact", of a file never made
    assert "is full, so meeting.pmw was not made" in full_message and "saved before" not in full_message
    assert "Traceback" not in ro_message + full_message
    assert (found["ro_left"].strip(), found["full_left"].strip()) == ("", "")


# ---- an incident on a file whose rows refer to rows no longer there ---------------------------------------

def test_a_file_whose_card_tag_refers_to_a_deleted_tag_publishes_the_rest_and_says_what_was_left_out(
        tmp_path, team_database, capsys):
    import sqlite3

    from postmortem_desktop.cli import main

    path = tmp_path / "old.pmw"
    source = create_workspace(path)
    try:
        incident, card = _incident_with_a_card(source)
        with source.engine.connect() as conn:
            assignments = conn.execute(text("SELECT count(*) FROM tag_assignments")).scalar_one()
            gone = conn.execute(text("SELECT max(id) FROM tags")).scalar_one() + 50
    finally:
        source.close()
    raw = sqlite3.connect(path)  # as a file written with the reference check off may hold it
    raw.execute("INSERT INTO tag_assignments (tag_id, quote_id, source, phrase, created_at) "
                "VALUES (?, ?, 'manual', '', '2026-11-18 10:30:00.000000')", (gone, card.quote_id))
    raw.commit()
    raw.close()
    create_workspace(team_database).close()
    assert main(["publish", str(path), team_database]) == 0  # before: "a tags row … was not copied", exit 1
    said = capsys.readouterr().out
    assert "left out, as they need rows the source no longer has: tag_assignments 1" in said
    team = open_workspace(team_database)
    try:
        assert messages(team) == [("Ana", "It spun.")]
        with team.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM quotes")).scalar_one() == 1
            assert conn.execute(text("SELECT count(*) FROM tag_assignments")).scalar_one() == assignments
    finally:
        team.close()


def test_a_password_in_the_url_is_never_printed_nor_stored_by_publish_or_save_local(tmp_path, team_database,
                                                                                    capsys, monkeypatch):
    import os
    import sqlite3

    from postmortem_desktop.cli import main

    password = next(line for line in open(os.environ["PGPASSFILE"]).read().splitlines() if line).rsplit(":", 1)[1]
    monkeypatch.setenv("PGPASSFILE", "/nonexistent")  # only the URL's password can log in
    url = team_database.replace("postmortem@", f"postmortem:{password}@")
    source = create_workspace(tmp_path / "mine.pmw")
    new_incident(source)
    source.close()
    create_workspace(url).close()
    runs = (["publish", str(tmp_path / "mine.pmw"), url], ["publish", str(tmp_path / "mine.pmw"), url],
            ["publish", str(tmp_path / "mine.pmw"), url, "--as-copy", "--json"],
            ["save-local", url, str(tmp_path / "meeting.pmw"), "--incident", "1"],
            ["save-local", url, str(tmp_path / "meeting.pmw"), "--incident", "1", "--json"])
    codes = []
    for args in runs:
        codes.append(main(args))
        said = capsys.readouterr()
        assert password not in said.out + said.err, args
    assert codes == [0, 3, 0, 0, 4]  # the second publish and the second save are refusals
    team = open_workspace(url)
    try:
        with team.engine.connect() as conn:
            for table in ("incidents", "incident_edits", "incident_history", "import_batches", "workspace_settings"):
                assert password not in str(conn.execute(text(f"SELECT * FROM {table}")).fetchall()), table
    finally:
        team.close()
    for name in ("mine.pmw", "meeting.pmw"):
        assert password not in "\n".join(sqlite3.connect(tmp_path / name).iterdump()), name


# ---- at the same time on one team workspace -------------------------------------------------------------

def _in_a_thread(job):
    """Starts job on a thread; returns it and the list its result or exception lands in."""
    import threading

    outcome: list = []

    def run() -> None:
        try:
            outcome.append(job())
        except BaseException as exc:  # reported by the test, in its own thread
            outcome.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def test_a_second_import_into_the_incident_at_the_same_time_waits_and_adds_only_what_the_first_did_not(
        team_database, tmp_path):
    from tests.core.test_team_import import ALL, rows

    first_client, second_client = create_workspace(team_database), open_workspace(team_database)
    try:
        incident = new_incident(first_client)
        first = spreadsheet_import.import_path(first_client, incident, write_csv(tmp_path / "a.csv", rows(3000)),
                                               options=ALL, parallel=False)
        next(first)  # under way: it has read the incident's state and holds its ids
        second, outcome = _in_a_thread(lambda: spreadsheet_import.run_to_end(spreadsheet_import.import_path(
            second_client, incident, write_csv(tmp_path / "b.csv", rows(3500)), options=ALL, parallel=False)))
        second.join(timeout=1.0)
        assert second.is_alive()  # waits for the first before reading what to plan from
        assert spreadsheet_import.run_to_end(first).imported == 3000
        second.join(timeout=60)
        # before: psycopg's UniqueViolation on (incident_id, external_id), the second import lost
        summary = outcome[0]
        assert not isinstance(summary, BaseException), summary
        assert (summary.imported, summary.unchanged) == (500, 3000)
        with first_client.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*), count(DISTINCT external_id) FROM conversations")).one() \
                == (3500, 3500)
    finally:
        second_client.close()
        first_client.close()


def test_a_publish_during_an_import_waits_for_it_and_both_arrive_whole(team_database, tmp_path, demo_copy):
    from tests.core.test_team_import import ALL, rows

    importer, publisher = create_workspace(team_database), open_workspace(team_database)
    source = open_workspace(demo_copy)
    try:
        with source.engine.connect() as conn:
            demo_conversations = conn.execute(text("SELECT count(*) FROM conversations")).scalar_one()
        incident = new_incident(importer)
        steps = spreadsheet_import.import_path(importer, incident, write_csv(tmp_path / "a.csv", rows(3000)),
                                               options=ALL, parallel=False)
        next(steps)
        publishing, outcome = _in_a_thread(lambda: publish(source, publisher))
        publishing.join(timeout=1.0)
        assert publishing.is_alive()
        assert spreadsheet_import.run_to_end(steps).imported == 3000
        publishing.join(timeout=60)
        # before: IntegrityError on customers_pkey: it picked as free the ids the import had numbered its rows with
        assert not isinstance(outcome[0], BaseException), outcome[0]
        with importer.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM conversations")).scalar_one() \
                == 3000 + demo_conversations
            assert conn.execute(text("SELECT count(*) FROM messages m LEFT JOIN conversations c "
                                     "ON c.id = m.conversation_id WHERE c.id IS NULL")).scalar_one() == 0
    finally:
        source.close()
        publisher.close()
        importer.close()


def test_a_file_import_with_a_10_mb_cell_odd_text_and_far_dates_survives_publish_and_save_local(tmp_path,
                                                                                              team_database):
    from tests.core.test_team_import import ALL

    huge = ("It spun and spun. " * 600_000)[:10_000_000]
    nasty = "back\\slash\ttab\r\n\\.\n\"quoted\" 漢字🙂 \\N\x00end"
    dumps = [zendesk_row(1, "1900-01-01 00:00", body=huge), zendesk_row(2, "1969-07-20 20:17", body=nasty),
             zendesk_row(3, "2101-01-01 00:00"), zendesk_row(4, "9999-12-31 23:59")]
    source = create_workspace(tmp_path / "mine.pmw")
    team = create_workspace(team_database)
    try:
        incident = new_incident(source)
        summary = spreadsheet_import.run_to_end(spreadsheet_import.import_path(
            source, incident, write_csv(tmp_path / "a.csv", dumps), options=ALL, parallel=False))
        assert summary.imported == 4

        def stored(ws) -> list[tuple]:
            with ws.engine.connect() as conn:
                return [(m.external_id, str(m.at), m.text) for m in conn.execute(text(
                    "SELECT c.external_id, m.at, m.text FROM messages m JOIN conversations c "
                    "ON c.id = m.conversation_id ORDER BY c.external_id"))]

        in_file = stored(source)
        assert [(eid, at[:19]) for eid, at, _ in in_file] == [
            ("1", "1900-01-01 00:00:00"), ("2", "1969-07-20 20:17:00"), ("3", "2101-01-01 00:00:00"),
            ("4", "9999-12-31 23:59:00")]
        assert len(in_file[0][2]) == len(huge.strip()) and in_file[1][2] == nasty.replace("\r\n", "\n").replace(
            "\x00", "")
        published = publish(source, team)
        save_incident_as_file(team, tmp_path / "meeting.pmw", published.incidents[0].target_id)
        saved = open_workspace(tmp_path / "meeting.pmw")
        try:
            # the team engine reads times back as datetimes, a file as text: compared as text to the second
            assert [(e, a[:19], t) for e, a, t in stored(team)] == [(e, a[:19], t) for e, a, t in in_file]
            assert stored(saved) == in_file
        finally:
            saved.close()
    finally:
        team.close()
        source.close()


# ---- a value longer than a team workspace's index can hold -------------------------------------------------

@pytest.mark.parametrize("column", [0, 3], ids=["ticket-id", "requester-email"])
def test_a_row_with_an_id_or_email_of_20_000_characters_is_skipped_by_name_on_both_engines(workspace, incident,
                                                                                          tmp_path, column):
    import random
    import string

    # random letters: PostgreSQL compresses a repeated one below its index's limit (about 2,700 bytes)
    long_value = "".join(random.Random(column).choices(string.ascii_letters, k=20_000))
    row = zendesk_row(1, "2026-11-18 10:30")
    row[column] = long_value + ("@example.com" if column == 3 else "")
    # before: a file imported both rows; a team workspace failed whole with "the connection … was lost"
    summary = import_file(workspace, incident, write_csv(tmp_path / "a.csv", [row, zendesk_row(2, "2026-11-18 10:31")]),
                          parallel=False)
    assert summary.imported == 1
    [skipped] = summary.skipped
    assert skipped.row == 2 and "longer than any real id or email" in skipped.reason
    assert ("'Id'" if column == 0 else "'Requester email'") in skipped.reason


def test_a_value_too_large_for_the_server_is_named_as_such_not_as_a_lost_connection():
    from psycopg import errors as pg_errors

    from postmortem_desktop.storage.errors import ServerUnavailableError
    from postmortem_desktop.storage.team_workspace import diagnose

    said = diagnose(pg_errors.ProgramLimitExceeded("index row requires 20016 bytes, maximum size is 8191"),
                    "postgresql://ana@db/incidents", reading=False, role="ana")
    assert said is not None and not isinstance(said, ServerUnavailableError)
    assert "too large" in str(said) and "column mapping" in str(said) and "connection" not in str(said)


def test_a_pasted_conversation_with_a_20_000_character_customer_email_is_refused_alike_on_both_engines(
        workspace, incident):
    import random
    import string

    note = _customer_note("Ana", "".join(random.Random(1).choices(string.ascii_letters, k=20_000)) + "@example.com")
    # before: a file stored it; a team workspace failed with the server's index-size error
    with pytest.raises(RuleError, match=r"customer email is 20,012 characters long"):
        AddConversation(incident, note)
    assert messages(workspace) == []
