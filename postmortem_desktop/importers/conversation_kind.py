"""An email, a mailbox or a chat export given where a ticket dump was expected: said as what it is.

`postmortem import W mail.eml` read the mail as a one-column table and then complained that no
column holds a ticket id. A conversation file is added to an incident as a conversation (Paste
Conversation or a drop in the app; `postmortem parse-transcript` reads its messages), so the import
says that instead. Containers are known from their first bytes or name before the file is read as a
table (conversation_container); a chat transcript or an email thread pasted into a .txt or saved as
.html is known only once no column could be mapped (transcript_format), so a ticket dump is never
refused for looking like a chat.
"""
from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from pathlib import Path

from postmortem_desktop.domain.json_input import load_json
from postmortem_desktop.importers.chat_json import NotAChatExport, read_chat_json
from postmortem_desktop.importers.conversation_files import looks_like_chat_json
from postmortem_desktop.importers.email_body import html_to_text
from postmortem_desktop.importers.sheet_errors import SheetError
from postmortem_desktop.importers.telegram_html import looks_like_telegram_html
from postmortem_desktop.importers.text_decoding import decode_transcript, looks_binary
from postmortem_desktop.importers.transcripts import UNKNOWN, parse_transcript

_HEAD_BYTES = 64 * 1024
_MAX_JSON_BYTES = 64 << 20  # as json_dumps: a larger JSON file is refused as JSON without being parsed
# An email's first lines are headers ("From: …", "Subject: …"); a table's first line is not.
_HEADER_LINE = re.compile(rb"^[A-Za-z][A-Za-z0-9-]*:[ \t]")
_MAIL_HEADERS = (b"from", b"date", b"subject", b"to", b"received", b"message-id", b"mime-version", b"return-path")
_MBOX_START = re.compile(rb"^From \S")
_HTML_START = re.compile(rb"^\s*(?:<!doctype html|<html|<head|<body|<div|<meta)", re.I)
_FORMAT_NAMES = {"email": "an email thread", "whatsapp": "a WhatsApp chat export", "zoom": "a Zoom chat",
                 "slack": "a Slack conversation", "slack-markdown": "a Slack conversation",
                 "teams": "a Teams conversation", "telegram": "a Telegram chat", "irc": "an IRC log",
                 "zendesk-chat": "a Zendesk chat transcript", "intercom": "an Intercom conversation",
                 "plain": "a pasted conversation ('Name: text' lines)"}


def not_a_ticket_dump(name: str, what: str) -> SheetError:
    """The refusal of a conversation file given as a ticket dump: what it is, and where it goes instead."""
    return SheetError(
        f"'{name}' is {what}, not a ticket dump: add it to the incident as a conversation instead. In the app, "
        "drop the file on the window, or copy its text and use Paste Conversation (Ctrl+V); on the command line, "
        f"`postmortem parse-transcript {name}` reads its messages.")


def conversation_instead(path: Path, unmapped: Sequence[str]) -> SheetError | None:
    """The refusal to give instead of "no column is mapped to …" (``unmapped`` required fields) when the
    file reads as a chat or an email thread; None when it does not (then the mapping is the problem)."""
    what = transcript_format(path) if unmapped else None
    return None if what is None else not_a_ticket_dump(path.name, what)


def refuse_conversation(path: Path) -> None:
    """Raises not_a_ticket_dump when ``path`` is an email, mailbox or chat export by its first bytes or name."""
    what = conversation_container(path)
    if what is not None:
        raise not_a_ticket_dump(path.name, what)


def conversation_container(path: Path) -> str | None:
    """What conversation file ``path`` is before it is read as a table ("an email (.eml)"…), or None."""
    try:
        with path.open("rb") as handle:
            head = handle.read(_HEAD_BYTES)
    except OSError:
        return None  # the sheet reader says why it cannot be opened
    suffix = path.suffix.lower()
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if suffix == ".mbox" or (_MBOX_START.match(start) and b"\nFrom:" in head):
        return "a mailbox (.mbox) of emails"
    if suffix == ".eml" or _mail_headers(start):
        return "an email (.eml)"
    if start[:1] in (b"{", b"["):
        return _chat_json(path, head)
    if looks_like_telegram_html(head):
        return "a page of a Telegram chat export"
    if head.startswith(b"PK\x03\x04"):
        return _chat_zip(path)
    if _HTML_START.match(start):
        return transcript_format(path)  # an email or chat saved as a web page; else the reader says "web page"
    return None


def _chat_json(path: Path, head: bytes) -> str | None:
    """"a Discord chat export"… for a JSON file chat_json reads, by its platform; None for other JSON."""
    if looks_like_chat_json(head):
        return "a chat app's JSON export"
    try:
        if path.stat().st_size > _MAX_JSON_BYTES:
            return None  # json_dumps refuses it as JSON, unread
        platform, _messages = read_chat_json(load_json(path.read_bytes()))
    except (OSError, ValueError, NotAChatExport, AttributeError, TypeError, KeyError):
        return None  # not JSON, or JSON of something else: json_dumps says what
    return f"a {platform.capitalize()} chat export (JSON)"


def _mail_headers(start: bytes) -> bool:
    lines = start.split(b"\n", 12)[:12]
    names = [line.split(b":", 1)[0].strip().lower() for line in lines if _HEADER_LINE.match(line)]
    return len(names) >= 3 and b"from" in names and any(name in _MAIL_HEADERS[1:] for name in names)


def _chat_zip(path: Path) -> str | None:
    try:
        with zipfile.ZipFile(path) as archive:
            names = [name.lower() for name in archive.namelist()[:20_000]]
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if any(name.endswith("channels.json") for name in names):
        return "a Slack export"
    if any(name.endswith("_chat.txt") or name.rsplit("/", 1)[-1].startswith("whatsapp chat") for name in names):
        return "a WhatsApp chat export"
    return None


def transcript_format(path: Path) -> str | None:
    """What chat or email thread a text or web page's first 64 KB reads as ("a WhatsApp chat export"…), or None
    when it reads as no known conversation (a table, prose)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(_HEAD_BYTES)
    except OSError:
        return None
    if not head.strip() or looks_binary(head):
        return None
    text = decode_transcript(head)
    if _HTML_START.match(head.lstrip(b"\xef\xbb\xbf")):
        text = html_to_text(text)
    parsed = parse_transcript(text)
    if parsed.format == UNKNOWN or len(parsed.messages) < 2:
        return None
    return _FORMAT_NAMES.get(parsed.format, f"a {parsed.format} conversation")
