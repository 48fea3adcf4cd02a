"""A ticket id repeated in a file becomes one conversation, reported; UTF-8 with stray code-page lines stays UTF-8."""
import csv
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from postmortem_desktop.cli import main
from postmortem_desktop.importers.sheet_reader import read_sheet
from postmortem_desktop.importers.sheet_stream import NotUtf8, stream_sheet
from postmortem_desktop.importers.text_decoding import decode_text
from postmortem_desktop.services import spreadsheet_import
from postmortem_desktop.services.incidents import CreateIncident
from postmortem_desktop.services.ticket_import import ImportOptions
from postmortem_desktop.storage.workspace import create_workspace, open_workspace

T0 = datetime(2026, 11, 18, 10, 20, tzinfo=timezone.utc)
HEADER = ["Id", "Requester", "Requester email", "Subject", "Status", "Via", "Created at", "Description"]
ALL = ImportOptions(include_outside_window=True)


def ticket(n: int, minute: int = 0, body: str = "", status: str = "open", ticket_id: str = "") -> list[str]:
    return [ticket_id or str(n), f"Customer {n}", f"c{n}@example.com", f"Charged twice #{n}", status, "Email",
            (T0 + timedelta(minutes=minute)).strftime("%Y-%m-%d %H:%M"), body or f"I paid twice for order {n}."]


def write_dump(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def fresh(path: Path):
    ws = create_workspace(path)
    cmd = CreateIncident(title="Billing", technical_start=T0, technical_end=T0 + timedelta(minutes=40))
    cmd.do(ws)
    return ws, cmd.incident_id


def conversations(ws) -> dict:
    """external id -> (status, first_at, last_at, [message texts in position order])."""
    with ws.engine.connect() as c:
        q = c.exec_driver_sql
        found = {}
        for cid, external_id, status, first_at, last_at in q(
                "SELECT id, external_id, status, first_at, last_at FROM conversations"):
            texts = [t for (t,) in q("SELECT text FROM messages WHERE conversation_id = ? ORDER BY position", (cid,))]
            found[external_id] = (status, first_at, last_at, texts)
        return found


def import_three_ways(tmp_path: Path, source: Path) -> list[tuple[dict, dict]]:
    """(summary as JSON, conversations) through the helper process, the same planner in-process, and the dialog."""
    results = []
    for name, run in (
        ("helper", lambda ws, i: spreadsheet_import.run_to_end(
            spreadsheet_import.import_path(ws, i, source, options=ALL, parallel=True))),
        ("inline", lambda ws, i: spreadsheet_import.run_to_end(
            spreadsheet_import.import_path(ws, i, source, options=ALL, parallel=False))),
        ("dialog", lambda ws, i: spreadsheet_import.run_import(ws, i, spreadsheet_import.prepare_import(source), ALL)),
    ):
        ws, incident = fresh(tmp_path / f"{name}.pmw")
        try:
            summary = run(ws, incident).to_json()
            summary.pop("batch_id")
            results.append((summary, conversations(ws)))
        finally:
            ws.close()
    return results


# ---- a ticket id repeated within one file -------------------------------------------------------------------
def message_level_dump(path: Path) -> Path:
    """Ticket 7 on rows 2, 4 and 6 (three messages, the last one a repeat of the first), ticket 8 on row 3."""
    return write_dump(path, [
        ticket(7, 1, "The invoice page spins."),
        ticket(8, 2),
        ticket(7, 5, "Still spinning, I retried twice.", status="pending"),
        ticket(9, 3),
        ticket(7, 1, "The invoice page spins.", status="pending"),
    ])


def test_rows_sharing_a_ticket_id_become_one_conversation_reported_with_both_rows(tmp_path):
    source = message_level_dump(tmp_path / "messages.csv")
    (helper, helper_db), (inline, inline_db), (dialog, dialog_db) = import_three_ways(tmp_path, source)
    assert helper == inline == dialog and helper_db == inline_db == dialog_db
    assert helper["imported"] == 3 and helper["rows_read"] == 5
    status, first_at, last_at, texts = helper_db["7"]
    assert texts == ["The invoice page spins.", "Still spinning, I retried twice."]  # nothing dropped
    assert status == "pending" and first_at < last_at  # the later row's state; the span of both messages
    assert [(d["row"], d["first_row"], d["ticket_id"], d["new_messages"]) for d in helper["duplicates"]] == [
        (4, 2, "7", 1), (6, 2, "7", 0)]
    assert "same ticket id (7) as row 2" in helper["duplicates"][0]["reason"]


def test_a_repeat_whose_first_row_went_out_in_an_earlier_chunk_is_merged_too(tmp_path):
    rows = [ticket(n, n % 40) for n in range(1, 2500)]  # the helper's first chunk is 1,000 conversations
    rows.append(ticket(5, 39, "A second message, 2,500 rows later."))
    (helper, helper_db), (inline, inline_db), (dialog, dialog_db) = import_three_ways(
        tmp_path, write_dump(tmp_path / "long.csv", rows))
    assert helper == inline == dialog and helper_db == inline_db == dialog_db
    assert helper_db["5"][3] == ["I paid twice for order 5.", "A second message, 2,500 rows later."]
    assert [(d["row"], d["first_row"]) for d in helper["duplicates"]] == [(2501, 6)]


def test_reimporting_a_message_level_dump_changes_nothing_and_still_reports_its_repeats(tmp_path):
    source = message_level_dump(tmp_path / "messages.csv")
    ws, incident = fresh(tmp_path / "w.pmw")
    try:
        spreadsheet_import.run_to_end(spreadsheet_import.import_path(ws, incident, source, options=ALL))
        stored = conversations(ws)
        again = spreadsheet_import.run_to_end(spreadsheet_import.import_path(ws, incident, source, options=ALL))
        assert conversations(ws) == stored
        assert (again.imported, again.updated, again.unchanged) == (0, 0, 3)
        assert [(d.row, d.first_row) for d in again.duplicates] == [(4, 2), (6, 2)]
    finally:
        ws.close()


def test_a_newer_dump_repeating_a_ticket_already_here_merges_both_rows_into_it(tmp_path):
    ws, incident = fresh(tmp_path / "w.pmw")
    try:
        spreadsheet_import.run_to_end(spreadsheet_import.import_path(
            ws, incident, write_dump(tmp_path / "old.csv", [ticket(7, 1, "First.")]), options=ALL))
        newer = write_dump(tmp_path / "new.csv", [ticket(7, 1, "First."), ticket(7, 9, "Second.", status="solved")])
        summary = spreadsheet_import.run_to_end(spreadsheet_import.import_path(ws, incident, newer, options=ALL))
        assert conversations(ws)["7"][0] == "solved" and conversations(ws)["7"][3] == ["First.", "Second."]
        assert summary.updated == 1 and [(d.row, d.first_row, d.new_messages) for d in summary.duplicates] == [
            (3, 2, 1)]
    finally:
        ws.close()


def test_the_cli_lists_each_repeated_ticket_id_with_both_rows(tmp_path, capsys):
    source = message_level_dump(tmp_path / "messages.csv")
    ws, incident = fresh(tmp_path / "w.pmw")
    ws.close()
    assert main(["import", str(tmp_path / "w.pmw"), str(source), "--incident", str(incident),
                 "--include-outside-window", "--dry-run", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [(d["row"], d["first_row"], d["ticket_id"]) for d in data["duplicates"]] == [(4, 2, "7"), (6, 2, "7")]
    assert main(["import", str(tmp_path / "w.pmw"), str(source), "--incident", str(incident),
                 "--include-outside-window"]) == 0
    out = capsys.readouterr().out
    assert "2 repeated a ticket id" in out
    assert "  row 4: has the same ticket id (7) as row 2: its new message was added" in out
    assert "  row 6: has the same ticket id (7) as row 2: it repeats messages" in out


# ---- UTF-8 with a few lines from a Windows code page ------------------------------------------------------------
def late_cp1252_dump(path: Path, rows: int = 3000) -> Path:
    """UTF-8 (café, naïve, 東京) far past the first megabyte of text, then two rows saved as Windows-1252."""
    body = [ticket(n, n % 40, f"café naïve 東京 order {n} " * 4) for n in range(1, rows)]
    write_dump(path, body)
    with path.open("a", newline="", encoding="cp1252") as fh:
        writer = csv.writer(fh)
        writer.writerow(ticket(rows, 2, "déjà payé – “twice”"))
        writer.writerow(ticket(rows + 1, 3, "résumé"))
    return path


def test_utf8_with_late_cp1252_lines_keeps_its_utf8_and_counts_the_lines_read_otherwise():
    data = "Id,Text\n1,café naïve\n2,東京\n".encode() + "3,déjà payé\n".encode("cp1252") + "4,fin ü\n".encode()
    decoded = decode_text(data)
    assert decoded.text == "Id,Text\n1,café naïve\n2,東京\n3,déjà payé\n4,fin ü\n"
    assert (decoded.codec, decoded.lines_not_utf8, decoded.lines_not_utf8_read_as) == ("utf-8", 1, "cp1252")


def test_a_line_mixing_utf8_and_cp1252_keeps_both():
    decoded = decode_text("Id,Text\n1,café,".encode() + "déjà".encode("cp1252") + b"\n")
    assert decoded.text == "Id,Text\n1,café,déjà\n" and decoded.lines_not_utf8 == 1


def test_stray_lines_are_read_in_the_code_page_of_the_files_own_script():
    cyrillic = decode_text("Id,Text\n1,привет\n".encode() + "2,Оплата не прошла\n".encode("cp1251"))
    japanese = decode_text("Id,Text\n1,東京\n".encode() + "2,日本語の請求書\n".encode("cp932"))
    assert cyrillic.text.endswith("2,Оплата не прошла\n") and cyrillic.lines_not_utf8_read_as == "cp1251"
    assert japanese.text.endswith("2,日本語の請求書\n") and japanese.lines_not_utf8_read_as == "cp932"


def test_a_file_all_in_cp1252_is_still_read_whole_as_cp1252():
    decoded = decode_text("Id,Text\n1,café\n2,déjà\n".encode("cp1252"))
    assert (decoded.text, decoded.codec, decoded.lines_not_utf8) == ("Id,Text\n1,café\n2,déjà\n", "cp1252", 0)


def test_a_utf8_bom_file_with_a_stray_cp1252_byte_is_read_not_refused():
    decoded = decode_text(b"\xef\xbb\xbfId,Text\n1,caf\xe9\n")
    assert (decoded.text, decoded.codec, decoded.lines_not_utf8) == ("Id,Text\n1,café\n", "utf-8-sig", 1)


def test_the_stream_and_the_whole_read_agree_on_late_cp1252_lines(tmp_path):
    source = late_cp1252_dump(tmp_path / "late.csv")
    with pytest.raises(NotUtf8):  # streamed as UTF-8 until the stray bytes, then read whole
        list(stream_sheet(source).rows)
    whole, stream = read_sheet(source), stream_sheet(source, whole_text=True)
    assert list(stream.rows) == list(whole.numbered_rows())
    for sheet in (whole, stream.head):
        assert (sheet.encoding, sheet.lines_not_utf8, sheet.lines_not_utf8_read_as) == ("utf-8", 2, "cp1252")


def test_an_import_of_utf8_with_late_cp1252_rows_keeps_cafe_and_reports_the_count_every_way(tmp_path, capsys):
    source = late_cp1252_dump(tmp_path / "late.csv")
    (helper, helper_db), (inline, inline_db), (dialog, dialog_db) = import_three_ways(tmp_path, source)
    assert helper == inline == dialog and helper_db == inline_db == dialog_db
    assert (helper["encoding"], helper["lines_not_utf8"], helper["lines_not_utf8_read_as"]) == ("utf-8", 2, "cp1252")
    assert helper_db["1"][3] == [("café naïve 東京 order 1 " * 4).strip()]  # the UTF-8 text is not read as cp1252
    assert helper_db["3000"][3] == ["déjà payé – “twice”"] and helper_db["3001"][3] == ["résumé"]
    ws, incident = fresh(tmp_path / "cli.pmw")
    ws.close()
    assert main(["import", str(tmp_path / "cli.pmw"), str(source), "--incident", str(incident),
                 "--include-outside-window"]) == 0
    assert ("2 lines of this UTF-8 file held bytes that are not UTF-8, read as Windows-1252 "
            "(line 3,001: 6 bytes; line 3,002: 2 bytes); the rest stayed UTF-8.") in capsys.readouterr().out
    reopened = open_workspace(tmp_path / "cli.pmw")
    try:
        assert conversations(reopened)["2"][3] == [("café naïve 東京 order 2 " * 4).strip()]
    finally:
        reopened.close()


def test_a_transcript_file_with_a_stray_cp1252_line_keeps_its_utf8_in_the_cli(tmp_path, capsys):
    path = tmp_path / "chat.txt"
    path.write_bytes("12/30/24, 9:15 PM - Zoë: the café invoice failed\n".encode()
                     + "12/30/24, 9:16 PM - Support: déjà vu, checking\n".encode("cp1252"))
    assert main(["parse-transcript", str(path), "--json"]) == 0
    messages = json.loads(capsys.readouterr().out)["messages"]
    assert [(m["author"], m["text"]) for m in messages] == [("Zoë", "the café invoice failed"),
                                                            ("Support", "déjà vu, checking")]


_LINE = st.text(st.characters(exclude_categories=("Cs", "Zl", "Zp"),
                              exclude_characters="\n\r\x0b\x0c\x1c\x1d\x1e\x85\ufeff"), max_size=30)
_WESTERN = st.text(st.sampled_from("abc XYZ,;déjàéèüöß€–“”ñç"), min_size=1, max_size=20).filter(
    lambda line: not line.isascii())


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.booleans(), _LINE, _WESTERN), min_size=1, max_size=25))
def test_every_utf8_line_comes_out_as_it_was_whatever_lines_of_cp1252_surround_it(lines):
    data, expected, legacy = "café\n".encode(), ["café"], 0  # one line that shows the file is UTF-8
    for is_legacy, text, western in lines:
        raw = western.encode("cp1252") if is_legacy else text.encode()
        if is_legacy:
            try:
                raw.decode("utf-8")
                continue  # by chance valid UTF-8 too (é€€ is U+9000): not a stray line
            except UnicodeDecodeError:
                legacy += 1
        data += raw + b"\n"
        expected.append(None if is_legacy else text)
    decoded = decode_text(data)
    got = decoded.text.split("\n")[:-1]
    assert len(got) == len(expected)
    assert ([line for line, want in zip(got, expected, strict=False) if want is not None]
            == [w for w in expected if w is not None])
    assert decoded.lines_not_utf8 == legacy
