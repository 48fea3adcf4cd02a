"""Issue 14 follow-up: short CJK files, headerless CSVs and chat pastes a tester found misread.

Every input is written here by the test, in the shapes the tester's files had (no third-party text).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from postmortem_desktop.importers.sheet_reader import read_sheet
from postmortem_desktop.importers.text_decoding import decode_text

SHORT_CJK = {  # a ticket dump of one row: header, id, time, "refund", "Mr Chen"/"Mr Wang"/"Tanaka"/"Mr Kim"
    "big5": "退款,陳先生", "gb18030": "退款,王先生", "cp932": "返金,田中", "cp949": "환불,김씨"}


@pytest.mark.parametrize("codec", sorted(SHORT_CJK))
def test_a_short_file_in_a_common_cjk_encoding_is_read_in_it(tmp_path, codec):
    # Before: the Big5 file was read as Korean Johab, which charset-normalizer ranked first.
    text = "Ticket ID,Created,Subject,Requester\n1,2024-05-06 10:20," + SHORT_CJK[codec] + "\n"
    path = tmp_path / f"{codec}.csv"
    path.write_bytes(text.encode(codec))
    decoded = decode_text(path.read_bytes())
    assert decoded.text == text
    assert read_sheet(path).rows[0][2] == SHORT_CJK[codec].split(",")[0]


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# ---- 7. a CSV without a header row whose records mix text with ids, times and addresses ---------------
NO_HEADER = ("1001,2024-05-06 10:20,Login broken,ann@example.com\n"
             "1002,2024-05-06 10:30,Refund please,bob@example.com\n"
             "1003,2024-05-06 10:40,App crash,cy@example.com\n")


def test_a_headerless_csv_with_text_columns_keeps_its_first_record_as_data(tmp_path):
    from postmortem_desktop.importers.sheet_stream import stream_sheet

    path = write(tmp_path / "noheader.csv", NO_HEADER)
    sheet = read_sheet(path)
    assert sheet.has_header is False
    assert sheet.header == ["Column 1", "Column 2", "Column 3", "Column 4"]
    assert [row[0] for row in sheet.rows] == ["1001", "1002", "1003"]
    stream = stream_sheet(path)
    assert stream.head.has_header is False and len(stream.head.rows) == 3


def test_a_header_of_words_above_such_records_is_still_a_header(tmp_path):
    sheet = read_sheet(write(tmp_path / "header.csv", "Ticket ID,Created,Subject,Email\n" + NO_HEADER))
    assert sheet.has_header is True and len(sheet.rows) == 3


# ---- 8. chat pastes whose header is a line of its own ----------------------------------------------------
def test_a_telegram_desktop_copy_is_one_message_per_header():
    from postmortem_desktop.importers.transcripts import parse_transcript

    parsed = parse_transcript("Anna Petrova, [06.05.2024 10:20]\nPayment does not go through\nsince this morning\n\n"
                              "Acme Support, [06.05.2024 10:21]\nChecking now\n\n"
                              "Anna Petrova, [06.05.2024 10:25]\nThanks\n")
    assert parsed.format == "telegram"
    assert [(m.author, m.at.isoformat(), m.text) for m in parsed.messages] == [
        ("Anna Petrova", "2024-05-06T10:20:00+00:00", "Payment does not go through\nsince this morning"),
        ("Acme Support", "2024-05-06T10:21:00+00:00", "Checking now"),
        ("Anna Petrova", "2024-05-06T10:25:00+00:00", "Thanks")]


def test_a_teams_copy_with_last_first_names_above_the_stamp_splits_into_messages():
    from postmortem_desktop.importers.transcripts import parse_transcript

    parsed = parse_transcript("Smith, John (Support)\n5/6/2024 10:20\nCustomer says checkout broken\n"
                              "Doe, Jane (Billing)\n5/6/2024 10:21\nLooking\n2 Like reactions.\nLast read\n"
                              "Smith, John (Support)\n5/6/2024 10:25\nthanks\n")
    assert [(m.author, m.text) for m in parsed.messages] == [
        ("Smith, John (Support)", "Customer says checkout broken"), ("Doe, Jane (Billing)", "Looking"),
        ("Smith, John (Support)", "thanks")]


# ---- minor: an IANA zone after the time, an Outlook .msg given to the ticket importer -------------------
def test_a_time_followed_by_an_iana_zone_name_is_read_in_that_zone():
    from postmortem_desktop.importers.dates import parse_datetime

    assert parse_datetime("2024-05-06 10:20:00 America/New_York").isoformat() == "2024-05-06T14:20:00+00:00"
    assert parse_datetime("2024-01-06 10:20 Europe/Berlin").isoformat() == "2024-01-06T09:20:00+00:00"
    with pytest.raises(ValueError, match="time zone that is not known"):
        parse_datetime("2024-05-06 10:20 Europe/Nowhere")


def test_an_outlook_msg_given_as_a_ticket_dump_is_refused_naming_the_format(tmp_path):
    from postmortem_desktop.importers.sheet_errors import SheetError

    path = tmp_path / "mail.msg"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 4)  # OLE2's signature, then noise
    with pytest.raises(SheetError, match=r"Outlook message \(\.msg\)"):
        read_sheet(path)
