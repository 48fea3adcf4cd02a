"""Importing ticket dumps into an incident: idempotent, all or nothing, nothing dropped silently."""
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from postmortem_desktop.cli import main
from postmortem_desktop.importers.sheet_reader import SheetError
from postmortem_desktop.services import spreadsheet_import
from postmortem_desktop.services.incidents import CreateIncident
from postmortem_desktop.services.ticket_import import ImportOptions
from postmortem_desktop.storage.search_index import search_conversation_ids
from postmortem_desktop.storage.workspace import open_workspace
from tests import helpers
from tests.shared_data import shared_file

T0 = datetime(2026, 11, 18, 10, 20, tzinfo=timezone.utc)
ZENDESK = ["Id", "Requester", "Requester id", "Requester email", "Submitter", "Assignee", "Group", "Subject",
           "Tags", "Status", "Priority", "Via", "Ticket type", "Created at", "Updated at", "Organization",
           "Description"]


def zendesk_row(n, created, subject="Payment did not go through", body="I clicked Pay and it spun."):
    return [str(n), f"Customer {n}", str(9000 + n), f"c{n}@example.com", "", "Agent", "Billing", subject,
            "billing payment", "open", "normal", "Web form" if n % 2 else "Chat", "incident",
            created.strftime("%Y-%m-%d %H:%M"), (created + timedelta(minutes=30)).strftime("%Y-%m-%d %H:%M"),
            "Brightline Studio", body]


def write_csv(path: Path, rows, header=ZENDESK) -> Path:
    return helpers.write_csv(path, header, rows)


@pytest.fixture
def incident(workspace):
    cmd = CreateIncident(title="Billing", technical_start=T0, technical_end=T0 + timedelta(minutes=40))
    cmd.do(workspace)
    return cmd.incident_id


def counts(ws):
    with ws.engine.connect() as c:
        return (*(c.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar()
                  for t in ("conversations", "messages", "customers", "import_batches")),
                helpers.searchable_subjects(c))


def test_zendesk_dump_imports_with_vendor_mapping_and_search(workspace, incident, tmp_path):
    path = write_csv(tmp_path / "zd.csv", [zendesk_row(n, T0 + timedelta(minutes=n)) for n in range(1, 11)])
    plan = spreadsheet_import.prepare_import(path)
    assert plan.vendor == "Zendesk"
    summary = spreadsheet_import.run_import(workspace, incident, plan)
    assert (summary.rows_read, summary.imported, summary.updated, summary.skipped) == (10, 10, 0, [])
    assert counts(workspace) == (10, 10, 10, 1, 10)
    with workspace.engine.connect() as c:
        assert search_conversation_ids(c, incident, "spun") != []
        channels = {r[0] for r in c.exec_driver_sql("SELECT channel FROM conversations")}
    assert channels == {"ticket", "chat"}


def test_reimporting_a_newer_dump_updates_by_external_id_and_never_duplicates(workspace, incident, tmp_path):
    first = write_csv(tmp_path / "a.csv", [zendesk_row(n, T0 + timedelta(minutes=n)) for n in range(1, 6)])
    spreadsheet_import.run_import(workspace, incident, spreadsheet_import.prepare_import(first))
    newer = write_csv(tmp_path / "b.csv", [zendesk_row(n, T0 + timedelta(minutes=n), subject="Charged twice?")
                                           for n in range(1, 8)])
    summary = spreadsheet_import.run_import(workspace, incident, spreadsheet_import.prepare_import(newer))
    assert (summary.imported, summary.updated) == (2, 5)
    with workspace.engine.connect() as c:
        assert c.exec_driver_sql("SELECT count(*) FROM conversations").scalar() == 7
        assert {r[0] for r in c.exec_driver_sql("SELECT subject FROM conversations")} == {"Charged twice?"}
        assert c.exec_driver_sql("SELECT count(*) FROM messages").scalar() == 7
        assert c.exec_driver_sql("SELECT count(*) FROM import_batches").scalar() == 2
        batch = c.exec_driver_sql("SELECT file_name, vendor, file_hash, imported, updated FROM import_batches "
                                  "ORDER BY id DESC").first()
    assert batch[0] == "b.csv" and batch[1] == "Zendesk" and len(batch[2]) == 64 and batch[3:] == (2, 5)


def test_rows_outside_the_review_window_are_counted_and_left_out_unless_asked(workspace, incident, tmp_path):
    rows = [zendesk_row(1, T0 + timedelta(minutes=5)), zendesk_row(2, T0 - timedelta(days=10)),
            zendesk_row(3, T0 + timedelta(days=30))]
    path = write_csv(tmp_path / "w.csv", rows)
    summary = spreadsheet_import.run_import(workspace, incident, spreadsheet_import.prepare_import(path))
    assert (summary.imported, summary.outside_window) == (1, 2)
    summary = spreadsheet_import.run_import(workspace, incident, spreadsheet_import.prepare_import(path),
                                            ImportOptions(include_outside_window=True))
    # ticket 1 is already here exactly as the file has it: left alone, not "updated"
    assert (summary.imported, summary.updated, summary.unchanged, summary.outside_window) == (2, 0, 1, 0)


def test_unparseable_dates_are_listed_with_row_number_and_reason(workspace, incident, tmp_path):
    rows = [zendesk_row(1, T0), zendesk_row(2, T0)]
    rows[1][13] = "not a date"
    summary = spreadsheet_import.run_import(workspace, incident,
                                            spreadsheet_import.prepare_import(write_csv(tmp_path / "d.csv", rows)))
    assert summary.imported == 1
    assert [s.row for s in summary.skipped] == [3]
    assert "not a date" in summary.skipped[0].reason


def test_cancel_mid_import_leaves_the_workspace_exactly_as_before(workspace, incident, tmp_path):
    rows = [zendesk_row(n, T0 + timedelta(seconds=n)) for n in range(1, 5001)]
    plan = spreadsheet_import.prepare_import(write_csv(tmp_path / "big.csv", rows))
    before = counts(workspace)
    gen = spreadsheet_import.import_generator(workspace, incident, plan)
    next(gen)  # some rows done, transaction open
    gen.close()  # what the worker does on Cancel
    assert counts(workspace) == before
    summary = spreadsheet_import.run_import(workspace, incident, plan)  # the workspace is usable after
    assert summary.imported == 5000


def test_a_failure_in_the_middle_rolls_everything_back(workspace, incident, tmp_path, monkeypatch):
    from postmortem_desktop.services import ticket_import

    plan = spreadsheet_import.prepare_import(write_csv(tmp_path / "x.csv", [zendesk_row(1, T0)]))
    before = counts(workspace)

    def explode(*_a, **_k):
        raise OSError("disk full")

    monkeypatch.setattr(ticket_import, "_record_batch", explode)
    with pytest.raises(OSError):
        spreadsheet_import.run_import(workspace, incident, plan)
    assert counts(workspace) == before


def test_dry_run_stores_nothing_but_reports_counts(workspace, incident, tmp_path):
    path = write_csv(tmp_path / "z.csv", [zendesk_row(n, T0) for n in range(1, 4)])
    before = counts(workspace)
    summary = spreadsheet_import.run_import(workspace, incident, spreadsheet_import.prepare_import(path),
                                            ImportOptions(dry_run=True))
    assert summary.imported == 3 and counts(workspace) == before


def test_presets_are_saved_by_name_and_reapplied(workspace, incident, tmp_path):
    path = write_csv(tmp_path / "p.csv", [zendesk_row(1, T0)])
    plan = spreadsheet_import.prepare_import(path)
    spreadsheet_import.save_preset(workspace, "Our Zendesk", plan)
    assert spreadsheet_import.preset_names(workspace) == ["Our Zendesk"]
    mapping = spreadsheet_import.load_preset(workspace, "Our Zendesk", plan.sheet.header)
    assert mapping.column("subject") == ZENDESK.index("Subject")


def test_real_jira_export_imports_every_issue(workspace, tmp_path):
    cmd = CreateIncident(title="Old", technical_start=datetime(2018, 5, 11, 6, 0, tzinfo=timezone.utc),
                         technical_end=datetime(2018, 5, 11, 7, 0, tzinfo=timezone.utc))
    cmd.do(workspace)
    source = shared_file("jira_ibm_servicedesk_flattened.csv")
    summary = spreadsheet_import.run_import(workspace, cmd.incident_id, spreadsheet_import.prepare_import(source),
                                            ImportOptions(include_outside_window=True))
    assert summary.rows_read == 10 and summary.imported + summary.updated + len(summary.skipped) == 10
    assert summary.imported >= 9


# ---- command line --------------------------------------------------------------------------------
def test_cli_import_json_summary_has_every_key(workspace, incident, tmp_path, capsys):
    path = write_csv(tmp_path / "c.csv", [zendesk_row(n, T0) for n in range(1, 4)])
    ws_path = helpers.address(workspace)
    workspace.close()
    assert main(["import", ws_path, str(path), "--incident", str(incident), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"vendor", "encoding", "delimiter", "mapping", "rows_read", "imported", "updated", "outside_window",
            "skipped"} <= set(data)
    assert (data["vendor"], data["delimiter"], data["imported"]) == ("Zendesk", ",", 3)


@pytest.mark.parametrize("content, expected", [
    (b"", "empty"),
    (",".join(ZENDESK).encode() + b"\n", "no rows"),
    (bytes(range(256)) * 64, ""),
])
def test_cli_bad_files_exit_4_and_change_nothing(workspace, incident, tmp_path, capsys, content, expected):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    before = counts(workspace)
    ws_path = helpers.address(workspace)
    workspace.close()  # the command line is another process's view of the file, and may write
    assert main(["import", ws_path, str(path), "--incident", str(incident)]) == 4
    err = capsys.readouterr().err
    assert err.startswith("error:") and expected in err
    reopened = open_workspace(helpers.address(workspace))
    try:
        assert counts(reopened) == before
    finally:
        reopened.close()


def test_cli_ambiguous_dates_ask_for_day_order(workspace, incident, tmp_path, capsys):
    rows = [zendesk_row(1, T0), zendesk_row(2, T0)]
    rows[0][13], rows[1][13] = "05/06/2026 10:20", "07/08/2026 11:00"
    path = write_csv(tmp_path / "amb.csv", rows)
    workspace.close()  # the command line is another process's view of the file
    assert main(["import", helpers.address(workspace), str(path), "--incident", str(incident)]) == 4
    assert "--dayfirst or --monthfirst" in capsys.readouterr().err
    assert main(["import", helpers.address(workspace), str(path), "--incident", str(incident), "--dayfirst",
                 "--include-outside-window", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["imported"] == 2


def test_cli_parse_transcript_prints_messages(tmp_path, capsys):
    path = tmp_path / "chat.txt"
    path.write_text("12/30/24, 9:15 PM - Alice: did my payment go through?\n"
                    "12/30/24, 9:16 PM - Support: Checking now\n", encoding="utf-8")
    assert main(["parse-transcript", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["format"] == "whatsapp"
    assert [m["author"] for m in data["messages"]] == ["Alice", "Support"]
    assert data["messages"][1]["role"] == "agent"


def test_cli_parse_transcript_given_a_folder_is_bad_input(tmp_path, capsys):
    assert main(["parse-transcript", str(tmp_path)]) == 4
    assert "is a folder" in capsys.readouterr().err


def test_reading_a_missing_file_is_a_sheet_error(tmp_path):
    with pytest.raises(SheetError):
        spreadsheet_import.prepare_import(tmp_path / "none.csv")


def fts_ok(ws):
    return helpers.search_index_sound(ws)


def test_search_index_stays_sound_through_import_reimport_delete_and_undo(workspace, incident, tmp_path):
    from postmortem_desktop.services.incidents import DeleteIncident

    a = write_csv(tmp_path / "a.csv", [zendesk_row(n, T0 + timedelta(minutes=n)) for n in range(1, 30)])
    spreadsheet_import.run_import(workspace, incident, spreadsheet_import.prepare_import(a))
    b = write_csv(tmp_path / "b.csv", [zendesk_row(n, T0 + timedelta(minutes=n), body="refund please")
                                       for n in range(1, 40)])
    spreadsheet_import.run_import(workspace, incident, spreadsheet_import.prepare_import(b))
    assert fts_ok(workspace)
    with workspace.engine.connect() as c:
        assert len(search_conversation_ids(c, incident, "refund")) == 39
        assert search_conversation_ids(c, incident, "spun") == []  # the old text left the index
    delete = DeleteIncident(incident)
    delete.do(workspace)
    assert fts_ok(workspace)
    delete.undo(workspace)
    assert fts_ok(workspace)
    with workspace.engine.connect() as c:
        assert len(search_conversation_ids(c, incident, "refund")) == 39
        if c.dialect.name == "sqlite":  # a file's triggers index again after the imports (a team workspace has none)
            assert c.exec_driver_sql("SELECT bulk FROM search_state").scalar() == 0


def test_undo_of_an_import_puts_the_incident_back_and_redo_runs_it_again(workspace, incident, tmp_path):
    from postmortem_desktop.services.import_undo import UndoableImport

    first = write_csv(tmp_path / "a.csv", [zendesk_row(n, T0 + timedelta(minutes=n)) for n in range(1, 6)])
    spreadsheet_import.run_import(workspace, incident, spreadsheet_import.prepare_import(first))
    with workspace.engine.connect() as c:
        before = c.exec_driver_sql("SELECT id, subject, first_at FROM conversations ORDER BY id").fetchall()
        before_msgs = c.exec_driver_sql("SELECT id, text FROM messages ORDER BY id").fetchall()
    before_counts = counts(workspace)
    newer = write_csv(tmp_path / "b.csv", [zendesk_row(n, T0 + timedelta(minutes=n), subject="Charged twice?",
                                                       body="refund now") for n in range(1, 9)])
    plan = spreadsheet_import.prepare_import(newer)
    summary = spreadsheet_import.run_import(workspace, incident, plan)
    command = UndoableImport(incident, summary, lambda: spreadsheet_import.import_generator(workspace, incident, plan))
    command.undo(workspace)
    assert counts(workspace) == before_counts
    with workspace.engine.connect() as c:
        assert c.exec_driver_sql("SELECT id, subject, first_at FROM conversations ORDER BY id").fetchall() == before
        assert c.exec_driver_sql("SELECT id, text FROM messages ORDER BY id").fetchall() == before_msgs
        assert search_conversation_ids(c, incident, "refund") == []
        assert len(search_conversation_ids(c, incident, "spun")) == 5
    assert fts_ok(workspace)
    command.do(workspace)
    with workspace.engine.connect() as c:
        assert c.exec_driver_sql("SELECT count(*) FROM conversations WHERE subject = 'Charged twice?'").scalar() == 8
    assert fts_ok(workspace)


def _xlsx_bytes_with(tmp_path, sheet_xml: bytes, compress=True) -> Path:
    import zipfile

    from openpyxl import Workbook

    good = tmp_path / "good.xlsx"
    wb = Workbook()
    wb.active.append(ZENDESK)
    wb.save(good)
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = sheet_xml if item.filename == "xl/worksheets/sheet1.xml" else src.read(item.filename)
            dst.writestr(item.filename, data)
    return bad


def _zip_bomb(tmp_path):
    head = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    return _xlsx_bytes_with(tmp_path, head + b" " * (50 * 1024 * 1024) + b"</sheetData></worksheet>")


def _entity_bomb(tmp_path):
    lol = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
           b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
           b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>')
    return _xlsx_bytes_with(tmp_path, lol)


def _truncated(tmp_path):
    from openpyxl import Workbook

    path = tmp_path / "full.xlsx"
    wb = Workbook()
    for n in range(200):
        wb.active.append([n, "x" * 50])
    wb.save(path)
    cut = tmp_path / "truncated.xlsx"
    cut.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    return cut


def _mangled(tmp_path):
    return shared_file("kaggle_customer_support_tickets_EXCEL_SEMICOLON_MANGLED_head.csv")


@pytest.mark.parametrize("make_file, phrase", [
    (_zip_bomb, ""), (_entity_bomb, ""), (_truncated, ""), (_mangled, "semicolon"),
])
def test_hostile_and_broken_workbooks_are_refused_fast_with_the_workspace_unchanged(workspace, incident, tmp_path,
                                                                                   capsys, make_file, phrase):
    import time

    path = make_file(tmp_path)
    before = counts(workspace)
    ws_path = helpers.address(workspace)
    workspace.close()
    started = time.perf_counter()
    assert main(["import", ws_path, str(path), "--incident", str(incident)]) == 4
    assert time.perf_counter() - started < 5
    err = capsys.readouterr().err
    assert err.startswith("error:") and phrase in err and len(err) > 40
    from postmortem_desktop.storage.workspace import open_workspace

    again = open_workspace(ws_path)
    try:
        assert counts(again) == before
    finally:
        again.close()


def import_three_and_tag_their_messages(workspace, incident, tmp_path) -> Path:
    from postmortem_desktop.storage.schema import Tag, TagAssignment

    path = write_csv(tmp_path / "a.csv", [zendesk_row(n, T0 + timedelta(minutes=n)) for n in range(1, 4)])
    spreadsheet_import.run_import(workspace, incident, spreadsheet_import.prepare_import(path))
    with workspace.transaction() as s:
        tag = s.query(Tag).filter_by(name="confusion").one()
        for (mid,) in s.execute(text_sql("SELECT id FROM messages")):
            s.add(TagAssignment(tag_id=tag.id, message_id=mid, source="suggested", phrase="spun"))
    return path


def test_reimporting_the_same_dump_keeps_the_tags_on_its_messages(workspace, incident, tmp_path):
    path = import_three_and_tag_their_messages(workspace, incident, tmp_path)
    summary = spreadsheet_import.run_import(workspace, incident, spreadsheet_import.prepare_import(path))
    assert (summary.imported, summary.updated, summary.unchanged) == (0, 0, 3)
    with workspace.engine.connect() as c:
        assert c.exec_driver_sql("SELECT count(*) FROM tag_assignments").scalar() == 3  # nothing rewritten


def test_undoing_a_reimport_brings_back_the_tags_on_the_old_messages(workspace, incident, tmp_path):
    from postmortem_desktop.services.import_undo import UndoableImport

    import_three_and_tag_their_messages(workspace, incident, tmp_path)
    plan = spreadsheet_import.prepare_import(write_csv(tmp_path / "b.csv", [zendesk_row(n, T0, body="new words")
                                                                            for n in range(1, 4)]))
    summary = spreadsheet_import.run_import(workspace, incident, plan)
    with workspace.engine.connect() as c:
        assert c.exec_driver_sql("SELECT count(*) FROM tag_assignments").scalar() == 0  # went with the messages
        assert helpers.foreign_key_problems(c) == []
    UndoableImport(incident, summary, lambda: summary).undo(workspace)
    with workspace.engine.connect() as c:
        assert c.exec_driver_sql("SELECT count(*) FROM tag_assignments").scalar() == 3


def text_sql(sql):
    from sqlalchemy import text

    return text(sql)
