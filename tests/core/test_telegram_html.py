"""Telegram Desktop's HTML export (messages.html, messages2.html…): authors, joined messages, times, pages.

The fixture under fixtures/telegram/ is written for these tests in the shape Telegram Desktop's
exporter writes (export_output_html.cpp): not a copy of anyone's export.
"""
from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from postmortem_desktop.cli import main
from postmortem_desktop.importers.conversation_files import read_conversation_file, read_conversation_path

EXPORT = Path(__file__).parent / "fixtures" / "telegram" / "ChatExport_2026-11-18"
BERLIN = ZoneInfo("Europe/Berlin")


def _whole_export(**options):
    return read_conversation_path(EXPORT / "messages.html", tz=BERLIN, **options)


def test_each_message_has_its_author_and_a_joined_message_repeats_the_previous_one():
    parsed = _whole_export()
    assert parsed.format == "telegram-html"
    assert [m.author for m in parsed.messages] == ["Ann Lee", "Ann Lee", "Tom Reyes", "Ann Lee", "Ann Lee",
                                                   "Tom Reyes"]


def test_times_come_from_the_date_title_with_its_utc_offset_or_in_the_given_zone_without_one():
    at = [m.at for m in _whole_export().messages]
    assert at[0] == datetime(2026, 11, 18, 8, 12, 4, tzinfo=UTC)  # "18.11.2026 09:12:04 UTC+01:00"
    assert at[-1] == datetime(2026, 11, 18, 9, 40, tzinfo=UTC)  # "18.11.2026 10:40:00", read in Berlin


def test_text_keeps_line_breaks_and_entities_and_drops_reply_and_bot_details():
    texts = [m.text for m in _whole_export().messages]
    assert texts[0] == "Hi, the invoice page is blank since this morning & I can't export."
    assert texts[1] == ("I need to send an invoice before a client meeting at 10.\n"
                        "Is my data safe? See https://status.example.com")
    assert texts[2] == "Invoices: degraded performance, we are investigating."  # forwarded, no "In reply to"
    assert texts[3] == "[Photo]"  # a media message is kept, as the JSON export's are


def test_service_messages_day_separators_and_page_links_are_dropped():
    texts = " ".join(m.text for m in _whole_export().messages)
    assert "invited" not in texts and "18 November 2026" not in texts and "Next messages" not in texts
    assert len(_whole_export().messages) == 6


def test_the_agent_named_by_the_person_is_the_agent():
    roles = {m.author: m.role for m in _whole_export(agent_names=["Tom Reyes"]).messages}
    assert roles == {"Ann Lee": "customer", "Tom Reyes": "agent"}


def test_any_page_given_by_path_reads_every_page_in_order():
    first = [(m.author, m.text) for m in _whole_export().messages]
    assert [(m.author, m.text) for m in read_conversation_path(EXPORT / "messages2.html", tz=BERLIN).messages] == first


def test_one_page_given_as_bytes_is_read_alone():
    page = EXPORT / "messages2.html"
    parsed = read_conversation_file(page.name, page.read_bytes(), tz=BERLIN)
    assert parsed.format == "telegram-html"
    # the first message of page 2 is joined to an author on page 1, which is not there
    assert [(m.author, m.text) for m in parsed.messages] == [("", "That is the error I get."),
                                                             ("Tom Reyes", "Fixed now, sorry for the trouble.")]


def test_a_zipped_chat_export_reads_its_pages_in_order(tmp_path):
    archive = tmp_path / "ChatExport_2026-11-18.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for name in ("messages2.html", "messages.html"):  # stored out of order on purpose
            zipped.write(EXPORT / name, f"ChatExport_2026-11-18/{name}")
    parsed = read_conversation_file(archive.name, archive.read_bytes(), tz=BERLIN)
    assert [(m.author, m.text) for m in parsed.messages] == [(m.author, m.text) for m in _whole_export().messages]


def test_parse_transcript_command_reads_the_export(capsys):
    assert main(["parse-transcript", str(EXPORT / "messages.html"), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["format"] == "telegram-html" and len(printed["messages"]) == 6
