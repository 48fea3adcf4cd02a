"""The two-process import: same result as the in-process import, all or nothing, Cancel, failures."""
import csv
import pickle
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from openpyxl import Workbook

from postmortem_desktop.importers.field_mapping import AmbiguousDatesError, MappingError
from postmortem_desktop.importers.sheet_reader import SheetError
from postmortem_desktop.services import import_pipeline, spreadsheet_import
from postmortem_desktop.services.incidents import CreateIncident
from postmortem_desktop.services.ticket_import import ImportOptions
from postmortem_desktop.storage.search_index import search_conversation_ids
from postmortem_desktop.storage.workspace import create_workspace
from tests.shared_data import shared_file

T0 = datetime(2026, 11, 18, 10, 20, tzinfo=timezone.utc)
ZENDESK = ["Id", "Requester", "Requester id", "Requester email", "Submitter", "Assignee", "Group", "Subject",
           "Tags", "Status", "Priority", "Via", "Ticket type", "Created at", "Updated at", "Organization",
           "Description"]
ALL = ImportOptions(include_outside_window=True)




def zendesk_row(n: int, created: str, body: str = "I clicked Pay and it spun.") -> list[str]:
    return [str(n), f"Customer {n % 7}", str(9000 + n), f"c{n % 7}@example.com", "", "Agent", "Billing",
            f"Payment problem #{n}", "billing, payment" if n % 3 else "", "open", "normal",
            ("Web form", "Chat", "Phone", "Email")[n % 4], "incident", created, created, "Brightline", body]


def write_csv(path: Path, rows: list[list[str]], header: list[str] = ZENDESK, **kwargs) -> Path:
    with path.open("w", newline="", encoding=kwargs.pop("encoding", "utf-8")) as fh:
        writer = csv.writer(fh, **kwargs)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def tricky_rows(count: int = 30) -> list[list[str]]:
    """Rows that exercise every branch: HTML, CRs, duplicates, no id, bad and empty dates, long text."""
    rows = []
    for n in range(1, count + 1):
        minute = (T0 + timedelta(minutes=n - 20)).strftime("%Y-%m-%d %H:%M")  # some before the window
        rows.append(zendesk_row(n, minute))
    rows[2][16] = "<p>Card <b>declined</b> &amp; charged</p><br>twice"
    rows[3][16] = "line one\rline two\r\nline three"
    rows[4][0] = ""  # no ticket id
    rows[5][13] = "not a date"
    rows[6][13] = ""  # no created time
    rows[7][16] = ""  # no description: a conversation without messages
    rows[8][0] = "3"  # the same ticket again, later in the file: merged into one conversation
    rows[9][0] = "848.0"  # an id a spreadsheet turned into a float
    rows[10][16] = "x" * 5000
    rows[11][14] = "2026-11-18 31:99"  # updated time that does not parse
    return rows


def snapshot(ws) -> dict:
    """Everything an import writes, without the ids it happened to get."""
    with ws.engine.connect() as c:
        q = c.exec_driver_sql
        return {
            "conversations": sorted(q(
                "SELECT c.external_id, c.channel, cu.email, cu.name, cu.organization, c.subject, c.status, "
                "c.vendor_tags, c.first_at, c.last_at FROM conversations c LEFT JOIN customers cu "
                "ON cu.id = c.customer_id").fetchall(), key=repr),
            "messages": sorted(q(
                "SELECT c.external_id, m.position, m.at, m.author, m.role, m.text FROM messages m "
                "JOIN conversations c ON c.id = m.conversation_id").fetchall(), key=repr),
            "customers": sorted(q("SELECT name, email, organization, segment FROM customers").fetchall()),
            "batches": q("SELECT file_name, file_hash, vendor, mapping_json, rows_read, imported, updated, skipped, "
                         "outside_window FROM import_batches").fetchall(),
            "search": sorted(q("SELECT rowid FROM message_search WHERE message_search MATCH 'declined OR spun'")
                             .fetchall()),
            "subjects": q("SELECT count(*) FROM conversation_search WHERE conversation_search MATCH 'payment'")
            .scalar(),
            "bulk": q("SELECT bulk FROM search_state").scalar(),
            "fts_config": sorted(q("SELECT k, v FROM message_search_config").fetchall()),
            # imports run with foreign keys off: every reference must still hold
            "broken_references": q("PRAGMA foreign_key_check").fetchall(),
            "foreign_keys_on": q("PRAGMA foreign_keys").scalar(),
        }


def search_index_intact(ws) -> bool:
    """FTS5's own check that the index holds exactly the rows of its content table (rank 1)."""
    with ws.engine.connect() as c:
        for table in ("message_search", "conversation_search"):
            c.exec_driver_sql(f"INSERT INTO {table}({table}, rank) VALUES ('integrity-check', 1)")
    return True


def summary_of(summary) -> dict:
    data = summary.to_json()
    data.pop("batch_id")
    return data


def fresh_incident(path: Path):
    ws = create_workspace(path)
    cmd = CreateIncident(title="Billing", technical_start=T0, technical_end=T0 + timedelta(minutes=40))
    cmd.do(ws)
    return ws, cmd.incident_id


def import_three_ways(tmp_path: Path, source: Path, options: ImportOptions = ALL, **kwargs) -> list[tuple]:
    """(summary, snapshot) for: the helper process, the same planner in-process, and map_rows."""
    results = []
    for name, run in (
        ("helper", lambda ws, i: spreadsheet_import.run_to_end(
            spreadsheet_import.import_path(ws, i, source, options=options, parallel=True, **kwargs))),
        ("inline", lambda ws, i: spreadsheet_import.run_to_end(
            spreadsheet_import.import_path(ws, i, source, options=options, parallel=False, **kwargs))),
        ("mapped", lambda ws, i: spreadsheet_import.run_import(
            ws, i, spreadsheet_import.prepare_import(source, **kwargs), options)),
    ):
        ws, incident = fresh_incident(tmp_path / f"{name}.pmw")
        try:
            results.append((summary_of(run(ws, incident)), snapshot(ws)))
            assert search_index_intact(ws)
        finally:
            ws.close()
    return results


@pytest.mark.parametrize("options", [ALL, ImportOptions()])
def test_helper_import_equals_the_in_process_import_row_for_row(tmp_path, options):
    source = write_csv(tmp_path / "tricky.csv", tricky_rows())
    (helper, helper_db), (inline, inline_db), (mapped, mapped_db) = import_three_ways(tmp_path, source, options)
    assert helper == inline == mapped
    assert helper_db == inline_db == mapped_db
    assert helper["skipped"] and helper["imported"] > 20  # the file really has skips and imports
    assert helper_db["search"] and helper_db["bulk"] == 0
    assert helper_db["broken_references"] == [] and helper_db["foreign_keys_on"] == 1
    assert ("automerge", 4) in helper_db["fts_config"]  # search settles back to FTS5's defaults


@pytest.mark.parametrize("name", ["jira_ibm_servicedesk_flattened.csv", "kaggle_customer_support_tickets_head200.csv"])
def test_real_exports_import_the_same_through_the_helper(tmp_path, name):
    (helper, helper_db), (inline, inline_db), (mapped, mapped_db) = import_three_ways(tmp_path, shared_file(name))
    assert helper == inline == mapped and helper_db == inline_db == mapped_db
    assert helper["imported"] > 0


def test_workbook_and_utf16_tab_files_import_the_same_through_the_helper(tmp_path):
    rows = tricky_rows(12)
    book = Workbook()
    book.active.append(ZENDESK)
    for row in rows:
        book.active.append([float(cell) if cell.isdigit() else cell for cell in row])  # ids as numbers
    book.save(tmp_path / "dump.xlsx")
    tsv = write_csv(tmp_path / "dump.txt", rows, delimiter="\t", encoding="utf-16")
    for source in (tmp_path / "dump.xlsx", tsv):
        folder = tmp_path / source.suffix[1:]
        folder.mkdir()
        (helper, helper_db), (inline, inline_db), (mapped, mapped_db) = import_three_ways(folder, source)
        assert helper == inline == mapped and helper_db == inline_db == mapped_db
        # 12 rows: no id, a bad created time, none at all, a bad updated time; one ticket twice
        assert (helper["imported"], helper["updated"], len(helper["skipped"])) == (7, 0, 4)


def test_a_file_that_stops_being_utf8_far_down_imports_as_a_whole_read_sees_it(tmp_path):
    rows = [zendesk_row(n, "2026-11-18 10:30", body="paid twice " * 20) for n in range(1, 5000)]
    source = write_csv(tmp_path / "late.csv", rows)  # ~1.5 MB of UTF-8 ...
    with source.open("a", encoding="cp1252", newline="") as fh:  # ... then a Windows-1252 row, as Excel leaves
        csv.writer(fh).writerow(zendesk_row(5000, "2026-11-18 10:31", body="déjà payé"))
    (helper, helper_db), (inline, inline_db), (mapped, mapped_db) = import_three_ways(tmp_path, source)
    assert helper == inline == mapped and helper_db == inline_db == mapped_db
    assert helper["encoding"] == "cp1252" and helper["imported"] == 5000
    assert any(row[5] == "déjà payé" for row in helper_db["messages"])


def test_imports_without_descriptions_index_only_their_own_rows(tmp_path):
    with_text = write_csv(tmp_path / "a.csv", [zendesk_row(n, "2026-11-18 10:30") for n in range(1, 3000)])
    ws, incident = fresh_incident(tmp_path / "w.pmw")
    try:
        for parallel in (True, False):
            spreadsheet_import.run_to_end(spreadsheet_import.import_path(ws, incident, with_text, options=ALL,
                                                                         parallel=parallel))
        sizes = []
        for n in range(3):  # tickets with no description: a chunk holding conversations but no messages
            rows = [zendesk_row(10000 + 100 * n + i, "2026-11-18 10:30", body="") for i in range(10)]
            empty = write_csv(tmp_path / f"e{n}.csv", rows)
            spreadsheet_import.run_to_end(spreadsheet_import.import_path(ws, incident, empty, options=ALL,
                                                                         parallel=bool(n % 2)))
            assert search_index_intact(ws)
            with ws.engine.connect() as c:
                sizes.append(c.exec_driver_sql("SELECT sum(length(block)) FROM message_search_data").scalar())
        assert sizes[0] == sizes[1] == sizes[2]  # no message was indexed again
    finally:
        ws.close()


def test_reimport_through_the_helper_updates_and_never_duplicates(tmp_path):
    source = write_csv(tmp_path / "a.csv", tricky_rows())
    ws, incident = fresh_incident(tmp_path / "w.pmw")
    try:
        first = spreadsheet_import.run_to_end(spreadsheet_import.import_path(ws, incident, source, options=ALL,
                                                                             parallel=True))
        before = snapshot(ws)
        again = spreadsheet_import.run_to_end(spreadsheet_import.import_path(ws, incident, source, options=ALL,
                                                                             parallel=True))
        # the same file again: every ticket is already here as it stands, so nothing is rewritten
        assert (again.imported, again.updated, again.unchanged) == (0, 0, first.imported)
        assert snapshot(ws)["messages"] == before["messages"] and not again.undo.old_conversations
        rows = tricky_rows()
        rows[0][7], rows[1][16] = "A new subject", "A new description"  # a newer dump: two tickets changed
        newer = spreadsheet_import.run_to_end(spreadsheet_import.import_path(
            ws, incident, write_csv(tmp_path / "b.csv", rows), options=ALL, parallel=True))
        assert (newer.imported, newer.updated, newer.unchanged) == (0, 2, first.imported - 2)
        assert len(newer.undo.old_conversations) == 2 and not newer.undo.created_conversation_ids
        after = snapshot(ws)
        assert len(after["conversations"]) == len(before["conversations"])  # never duplicated
        assert any(row[5] == "A new subject" for row in after["conversations"])
        assert any(row[5] == "A new description" for row in after["messages"])
        assert search_index_intact(ws) and after["broken_references"] == []
    finally:
        ws.close()


def day_order_file(tmp_path: Path, deciding: str | None) -> Path:
    """More rows than the helper reads first, all 05/06-style, with a deciding date far down."""
    rows = [zendesk_row(n, f"0{1 + n % 9}/0{1 + n % 8}/2026 10:{n % 60:02d}") for n in range(1, 400)]
    if deciding:
        rows[350][13] = rows[350][14] = deciding
    return write_csv(tmp_path / "dates.csv", rows)


def test_a_day_order_decided_far_down_the_file_reads_it_again(tmp_path):
    source = day_order_file(tmp_path, "25/06/2026 10:00")  # only day-first reads this
    (helper, helper_db), (inline, inline_db), (mapped, mapped_db) = import_three_ways(tmp_path, source)
    assert helper == inline == mapped and helper_db == inline_db == mapped_db
    assert helper["mapping"]["day_order"] is None and not helper["skipped"]
    first_at = {row[0]: row[8] for row in helper_db["conversations"]}
    assert first_at["8"].startswith("2026-01-09")  # "09/01/2026" read day first, as row 351 shows
    assert first_at["351"].startswith("2026-06-25")


COMMENTED = ["Id", "Subject", "Created", "Updated", "Description", "Comment"]


def test_comment_dates_follow_a_day_order_decided_far_down_the_file(tmp_path):
    # the date columns never need the order until row 251; Jira-style comments need it all along
    rows = [[str(n), f"s{n}", "2026-11-18 10:30", "" if n <= 250 else "25/11/2026 10:00", "paid twice",
             "05/11/26 10:00;agent1;We are looking"] for n in range(1, 301)]
    source = write_csv(tmp_path / "comments.csv", rows, header=COMMENTED)
    (helper, helper_db), (inline, inline_db), (mapped, mapped_db) = import_three_ways(tmp_path, source)
    assert helper == inline == mapped and helper_db == inline_db == mapped_db
    assert ("1", 1, "2026-11-05 10:00:00.000000", "agent1", "agent", "We are looking") in helper_db["messages"]


@pytest.mark.parametrize("short_row", [False, True])
def test_rows_that_are_skipped_still_count_as_day_order_evidence(tmp_path, short_row):
    rows = [[str(n), f"s{n}", f"0{1 + n % 9}/0{1 + n % 8}/2026 10:00", "", "paid twice"] for n in range(1, 301)]
    rows[280][0], rows[280][2] = "", "25/06/2026 10:00"  # no id, so skipped: but only this date decides
    if short_row:
        rows[290] = ["291", "a row cut short"]  # mapped by row(), with its whole block
    source = write_csv(tmp_path / "evidence.csv", rows, header=COMMENTED[:5])
    (helper, helper_db), (inline, inline_db), (mapped, mapped_db) = import_three_ways(tmp_path, source)
    assert helper == inline == mapped and helper_db == inline_db == mapped_db
    assert helper["imported"] == 298 + (not short_row)


def test_dates_no_row_decides_refuse_the_import_and_write_nothing(tmp_path):
    source = day_order_file(tmp_path, None)
    ws, incident = fresh_incident(tmp_path / "w.pmw")
    try:
        before = snapshot(ws)
        with pytest.raises(AmbiguousDatesError) as raised:
            spreadsheet_import.run_to_end(spreadsheet_import.import_path(ws, incident, source, parallel=True))
        assert raised.value.column_name == "Created at" and raised.value.samples
        assert snapshot(ws) == before
        summary = spreadsheet_import.run_to_end(spreadsheet_import.import_path(
            ws, incident, source, day_order="monthfirst", options=ALL, parallel=True))
        assert summary.imported == 399 and not summary.skipped
    finally:
        ws.close()


def test_a_quote_never_closed_at_the_end_rolls_everything_back(tmp_path):
    source = write_csv(tmp_path / "q.csv", tricky_rows(3000))
    with source.open("a", encoding="utf-8") as fh:
        fh.write('9999,"Broken quote,x,y\n' + "\n".join(",".join(ZENDESK) for _ in range(5)) + "\n")
    ws, incident = fresh_incident(tmp_path / "w.pmw")
    try:
        before = snapshot(ws)
        with pytest.raises(SheetError, match="never closed"):
            spreadsheet_import.run_to_end(spreadsheet_import.import_path(ws, incident, source, options=ALL,
                                                                         parallel=True))
        assert snapshot(ws) == before
    finally:
        ws.close()


def test_cancel_mid_import_stops_the_helper_and_leaves_nothing(tmp_path, monkeypatch):
    started = []
    real_helper = import_pipeline._Helper

    class Watched(real_helper):
        def __init__(self, job, limits):
            super().__init__(job, limits)
            started.append(self._process)

    monkeypatch.setattr(import_pipeline, "_Helper", Watched)
    source = write_csv(tmp_path / "big.csv", [zendesk_row(n, "2026-11-18 10:30") for n in range(1, 20001)])
    ws, incident = fresh_incident(tmp_path / "w.pmw")
    try:
        before = snapshot(ws)
        steps = spreadsheet_import.import_path(ws, incident, source, options=ALL, parallel=True)
        done = 0
        while done == 0:
            done, _total = next(steps)  # some rows written: the helper is well under way
        steps.close()  # what Cancel does
        assert snapshot(ws) == before
        assert started and all(process.poll() is not None for process in started)
    finally:
        ws.close()


def test_a_helper_that_dies_is_reported_and_nothing_is_written(tmp_path, monkeypatch):
    monkeypatch.setattr(import_pipeline, "helper_command",
                        lambda: [sys.executable, "-c", "import sys; sys.stderr.write('out of memory'); sys.exit(9)"])
    source = write_csv(tmp_path / "a.csv", tricky_rows())
    ws, incident = fresh_incident(tmp_path / "w.pmw")
    try:
        before = snapshot(ws)
        with pytest.raises(import_pipeline.HelperFailed, match=r"exit code 9[\s\S]*out of memory"):
            spreadsheet_import.run_to_end(spreadsheet_import.import_path(ws, incident, source, parallel=True))
        assert snapshot(ws) == before
    finally:
        ws.close()


def test_bad_files_and_mappings_come_back_from_the_helper_as_themselves(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    ws, incident = fresh_incident(tmp_path / "w.pmw")
    try:
        with pytest.raises(SheetError, match="empty"):
            spreadsheet_import.run_to_end(spreadsheet_import.import_path(ws, incident, empty, parallel=True))
        plan = spreadsheet_import.prepare_import(write_csv(tmp_path / "a.csv", tricky_rows()))
        plan.mapping.columns["created_at"] = 999
        with pytest.raises(MappingError) as raised:
            spreadsheet_import.run_import(ws, incident, plan, ALL)
        assert raised.value.problems
    finally:
        ws.close()


def test_import_errors_survive_the_trip_between_processes():
    for error in (MappingError(["no id column", "created twice"]), AmbiguousDatesError("Created", ["05/06"]),
                  SheetError("'x.csv' is empty")):
        again = pickle.loads(pickle.dumps(error))
        assert type(again) is type(error) and str(again) == str(error)
    assert pickle.loads(pickle.dumps(MappingError(["a", "b"]))).problems == ["a", "b"]


def test_the_dialog_path_uses_the_helper_for_big_files_with_the_previewed_mapping(tmp_path, monkeypatch):
    source = write_csv(tmp_path / "a.csv", tricky_rows())
    plan = spreadsheet_import.prepare_import(source)
    plan.mapping.columns["subject"] = ZENDESK.index("Group")  # the person's own choice in the dialog
    used = []
    monkeypatch.setattr(import_pipeline, "PARALLEL_MIN_BYTES", 0)
    real = import_pipeline.import_file
    monkeypatch.setattr(import_pipeline, "import_file", lambda *a, **k: (used.append(k), (yield from real(*a, **k)))[1])
    ws, incident = fresh_incident(tmp_path / "w.pmw")
    try:
        summary = spreadsheet_import.run_import(ws, incident, plan, ALL)
        subjects = {row[5] for row in snapshot(ws)["conversations"]}
    finally:
        ws.close()
    assert used == [{"parallel": True}] and summary.imported > 20
    assert subjects == {"Billing"}  # mapped as the person chose, not as the vendor guess would


def test_search_finds_rows_indexed_in_pieces_during_the_import(tmp_path):
    rows = [zendesk_row(n, "2026-11-18 10:30", body=f"tok{n}x refund") for n in range(1, 25001)]
    source = write_csv(tmp_path / "big.csv", rows)
    ws, incident = fresh_incident(tmp_path / "w.pmw")
    try:
        summary = spreadsheet_import.run_to_end(spreadsheet_import.import_path(ws, incident, source, options=ALL,
                                                                               parallel=True))
        assert summary.imported == 25000
        with ws.engine.connect() as conn:
            for n in (1, 12345, 20001, 25000):  # in the first, a middle and the last of the pieces indexed
                assert len(search_conversation_ids(conn, incident, f"tok{n}x")) == 1
            assert len(search_conversation_ids(conn, incident, "refund", limit=30000)) == 25000
    finally:
        ws.close()


def test_a_frozen_app_is_started_again_in_its_helper_role(monkeypatch):
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", "/opt/postmortem-desktop/postmortem-desktop")
    assert import_pipeline.helper_command() == ["/opt/postmortem-desktop/postmortem-desktop", "--import-helper"]
    spec = (Path(__file__).resolve().parents[2] / "build.spec").read_text(encoding="utf-8")
    assert "--import-helper" in spec and "import_helper import main" in spec  # and the launcher routes it


def test_stray_output_in_the_helper_does_not_corrupt_its_messages(tmp_path, monkeypatch):
    noisy = ("import sys, postmortem_desktop.services.import_helper as h\n"
             "real = h.produce\n"
             "def produce(*args):\n"
             "    print('a library printing to stdout'); sys.stdout.flush(); real(*args)\n"
             "h.produce = produce\n"
             "sys.exit(h.main())\n")
    monkeypatch.setattr(import_pipeline, "helper_command", lambda: [sys.executable, "-c", noisy])
    source = write_csv(tmp_path / "a.csv", tricky_rows())
    ws, incident = fresh_incident(tmp_path / "w.pmw")
    try:
        summary = spreadsheet_import.run_to_end(spreadsheet_import.import_path(ws, incident, source, options=ALL,
                                                                               parallel=True))
        assert summary.imported > 20
    finally:
        ws.close()


def test_a_helper_that_cannot_start_leaves_no_files_and_writes_nothing(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "temp"))
    (tmp_path / "temp").mkdir()
    monkeypatch.setattr(import_pipeline, "helper_command", lambda: [str(tmp_path / "no-such-program")])
    source = write_csv(tmp_path / "a.csv", tricky_rows())
    ws, incident = fresh_incident(tmp_path / "w.pmw")
    try:
        before = snapshot(ws)
        with pytest.raises(OSError):
            spreadsheet_import.run_to_end(spreadsheet_import.import_path(ws, incident, source, parallel=True))
        assert snapshot(ws) == before
    finally:
        ws.close()
    assert list((tmp_path / "temp").iterdir()) == []


def test_a_file_changed_after_the_preview_imports_the_rows_that_were_previewed(tmp_path, monkeypatch):
    monkeypatch.setattr(import_pipeline, "PARALLEL_MIN_BYTES", 0)
    source = write_csv(tmp_path / "a.csv", tricky_rows())
    plan = spreadsheet_import.prepare_import(source)
    previewed = len(plan.sheet.rows)
    write_csv(source, tricky_rows() + [zendesk_row(n, "2026-11-18 10:30") for n in range(100, 150)])  # re-exported
    ws, incident = fresh_incident(tmp_path / "w.pmw")
    try:
        summary = spreadsheet_import.run_import(ws, incident, plan, ALL)
    finally:
        ws.close()
    assert summary.rows_read == previewed


def test_a_helper_gone_before_the_state_reaches_it_is_reported_as_itself(tmp_path, monkeypatch):
    import tempfile
    import time

    from postmortem_desktop.services import ticket_store

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "temp"))
    (tmp_path / "temp").mkdir()
    monkeypatch.setattr(import_pipeline, "helper_command",
                        lambda: [sys.executable, "-c", "import sys; sys.exit(9)"])
    real_state = ticket_store.load_plan_state

    def slow_state(*args):  # a busy workspace: the helper is long gone when its state is sent
        time.sleep(0.5)
        return real_state(*args)

    monkeypatch.setattr(ticket_store, "load_plan_state", slow_state)
    source = write_csv(tmp_path / "a.csv", tricky_rows())
    ws, incident = fresh_incident(tmp_path / "w.pmw")
    try:
        with pytest.raises(import_pipeline.HelperFailed, match="exit code 9"):
            spreadsheet_import.run_to_end(spreadsheet_import.import_path(ws, incident, source, parallel=True))
    finally:
        ws.close()
    assert list((tmp_path / "temp").iterdir()) == []


def test_the_helper_reads_and_plans_without_importing_sqlalchemy_or_qt():
    # Everything the helper imports to read, map and plan a file (import_helper._produce): SQLAlchemy
    # alone took it ~0.2 s before it read a byte, on the import's serial path (issue 14's budget).
    code = ("import sys; import postmortem_desktop.services.import_helper; "
            "from postmortem_desktop.importers import field_mapping, message_dump, sheet_stream, vendors; "
            "from postmortem_desktop.services import ticket_plan; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'psycopg', 'PySide6'}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "[]"


def test_an_import_takes_the_helper_that_waits_since_the_dialog_opened(tmp_path):
    # The Import dialog starts a helper while the person picks a file (get_ready_to_read); a CSV is
    # previewed in this process, so that helper was left waiting and a new one (~0.1 s to start and
    # import its readers) was started for the import itself.
    path = write_csv(tmp_path / "dump.csv", tricky_rows())
    spreadsheet_import.get_ready_to_read()
    waiting = import_pipeline._standby[0]._process
    ws, incident = fresh_incident(tmp_path / "w.pmw")
    try:
        summary = spreadsheet_import.run_to_end(spreadsheet_import.import_path(ws, incident, path, options=ALL,
                                                                               parallel=True))
        assert import_pipeline._standby == [] and waiting.poll() is not None  # it did the import, and ended
        in_process, other = fresh_incident(tmp_path / "in_process.pmw")
        try:
            expected = spreadsheet_import.run_to_end(spreadsheet_import.import_path(
                in_process, other, path, options=ALL, parallel=False))
            assert snapshot(ws) == snapshot(in_process) and summary_of(summary) == summary_of(expected)
        finally:
            in_process.close()
    finally:
        ws.close()
        import_pipeline.stop_standby()


class StrSubclass(str):
    """What marshal cannot write (a str subclass some reader might hand back); pickle can."""


def test_chunk_rows_cross_to_the_importer_marshalled_and_any_other_value_still_arrives_whole():
    from postmortem_desktop.services.import_helper import packed_rows, unpacked_rows

    rows = ([(1, "Ann", "ann@example.org", "", "")], [(7, 1, "t-1", "chat", None, "", "", "", None, None)],
            [(3, 7, 0, "2026-11-18 10:00:00.000000", "Ann", "customer", "hi")], [(3, "m-1")])
    packed = packed_rows(("chunk", (rows, (1, None))))
    assert isinstance(packed[1][0], bytes)
    assert unpacked_rows(pickle.loads(pickle.dumps(packed))) == ("chunk", (rows, (1, None)))

    odd = ([(1, StrSubclass("Ann"), "", "", "")], [], [], [])
    packed = packed_rows(("chunk", (odd, (1, None))))
    assert unpacked_rows(pickle.loads(pickle.dumps(packed))) == ("chunk", (odd, (1, None)))
    assert packed_rows(("done", "result")) == ("done", "result")


def test_the_command_line_starts_a_large_files_helper_before_it_opens_the_workspace(tmp_path, monkeypatch):
    from contextlib import contextmanager

    from postmortem_desktop.cli import import_commands, main

    waiting_when_opened = []
    real_opened = import_commands.opened

    @contextmanager
    def watched(*args, **kwargs):
        waiting_when_opened.append(bool(import_pipeline._standby))
        with real_opened(*args, **kwargs) as ws:
            yield ws

    monkeypatch.setattr(import_commands, "opened", watched)
    source = write_csv(tmp_path / "dump.csv", tricky_rows())
    ws, incident = fresh_incident(tmp_path / "w.pmw")
    ws.close()
    assert main(["import", str(tmp_path / "w.pmw"), str(source), "--incident", str(incident)]) == 0
    assert waiting_when_opened == [False]  # a small file imports in this process: no helper to start
    monkeypatch.setattr(import_pipeline, "PARALLEL_MIN_BYTES", 0)  # every file counts as large
    assert main(["import", str(tmp_path / "w.pmw"), str(source), "--incident", str(incident)]) == 0
    assert waiting_when_opened == [False, True] and import_pipeline._standby == []  # started early, then taken
