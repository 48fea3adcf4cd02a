"""An email, a mailbox or a chat export given to `postmortem import`/`preview` (or the app's Import Tickets) is
said to be what it is, with where it goes instead, rather than "no column is mapped to ticket id" (issue 14
item 3). Real files are read from ../shared/data; the small ones written here are in shapes of our own."""
from __future__ import annotations

import contextlib
import io
import zipfile

import pytest

from postmortem_desktop.cli import EXIT_BAD_INPUT, main
from postmortem_desktop.importers.sheet_errors import SheetError
from postmortem_desktop.services import spreadsheet_import
from tests.shared_data import shared_file

WHERE_INSTEAD = ("not a ticket dump: add it to the incident as a conversation instead", "Paste Conversation",
                 "postmortem parse-transcript")


def refusal(*argv: str) -> str:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        assert main(list(argv)) == EXIT_BAD_INPUT
    text = err.getvalue()
    assert "no column is mapped" not in text
    assert all(words in text for words in WHERE_INSTEAD), text
    return text


@pytest.mark.parametrize(("relative", "what"), [
    ("real/email/eml/flanker__iphone.eml", "is an email (.eml)"),
    ("real/email/mbox/perceval__mbox_multipart.mbox", "is a mailbox (.mbox) of emails"),
    ("real/email/pasted/crisp__email_11.txt", "is an email thread"),
    ("real/email/html/quotequail__gmail_forward.html", "is an email thread"),
    ("real/chats/whatsapp/WhatsR__englishandroid24h.txt", "is a WhatsApp chat export"),
    ("real/chats/zoom/ethereum-pm__acdt_2026-03-23_075_chat.txt", "is a Zoom chat"),
    ("real/chats/discord/chat-analytics__DM_2A_2M.json", "chat app's JSON export"),
    ("real/chats/slack/perceval__slack_history.json", "is a Slack chat export (JSON)"),
    ("real/chats/slack/slack-export-viewer__testarchive.zip", "is a Slack export"),
])
def test_import_and_preview_say_what_the_conversation_file_is(demo_copy, relative, what):
    path = str(shared_file(relative))
    assert what in refusal("import", str(demo_copy), path, "--incident", "1", "--dry-run")
    assert what in refusal("preview", path)


def test_an_email_without_the_eml_name_is_known_by_its_headers(tmp_path, demo_copy):
    mail = tmp_path / "forwarded.txt"
    mail.write_text("From: Ann Lee <ann@example.com>\nTo: support@example.com\nSubject: Card declined twice\n"
                    "Date: Wed, 18 Nov 2026 10:05:00 +0000\n\nMy card was charged twice during the outage.\n",
                    encoding="utf-8")
    assert "is an email (.eml)" in refusal("import", str(demo_copy), str(mail), "--incident", "1")


def test_a_whatsapp_zip_is_known_by_its_chat_file(tmp_path):
    path = tmp_path / "chat.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("_chat.txt", "[18/11/2026, 10:00:00] Ann: is billing down?\n")
    with pytest.raises(SheetError, match="is a WhatsApp chat export, not a ticket dump"):
        spreadsheet_import.prepare_import(path)  # the app's Import Tickets… says the same


def test_a_ticket_dump_that_maps_is_never_taken_for_a_conversation(tmp_path):
    dump = tmp_path / "tickets.csv"
    dump.write_text("Id,Created,Subject,Description\n"
                    "1,2026-11-18 10:00,Ann: card declined,\"Ann: my card failed\nAgent: sorry, looking\"\n"
                    "2,2026-11-18 10:05,Bob: login loop,Bob: still looping\n", encoding="utf-8")
    plan = spreadsheet_import.prepare_import(dump)
    assert plan.mapping.unmapped_required() == [] and len(plan.sheet.rows) == 2


def test_a_table_that_does_not_map_keeps_the_mapping_advice(tmp_path, demo_copy):
    table = tmp_path / "numbers.csv"
    table.write_text("alpha,beta\ngamma,delta\n", encoding="utf-8")
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        assert main(["import", str(demo_copy), str(table), "--incident", "1"]) == EXIT_BAD_INPUT
    assert "no column is mapped to created time" in err.getvalue() and "not a ticket dump" not in err.getvalue()
