"""A conversation file as a person drops or names it: text, .eml, mbox, HTML, JSON chat export or zip.

One entry point recognises the container by its bytes (zip and OLE2 magic numbers, JSON's first
character, an mbox's "From " line, HTML tags) rather than trusting the file's name, and hands the
content to the reader of that shape. Binary files this app cannot read are refused with a message
naming what they look like, never decoded as text.
"""
from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path
from typing import Any

from postmortem_desktop.importers.chat_json import NotAChatExport, read_chat_json, read_slack_messages
from postmortem_desktop.importers.email_body import html_to_text
from postmortem_desktop.importers.email_thread import read_eml
from postmortem_desktop.importers.records import ParsedTranscript
from postmortem_desktop.importers.telegram_html import (
    PAGE_NAME,
    looks_like_telegram_html,
    page_number,
    read_telegram_html,
)
from postmortem_desktop.importers.text_decoding import decode_transcript, looks_binary, transcript_text
from postmortem_desktop.importers.transcript_formats import DayClock, RawMessage
from postmortem_desktop.importers.transcripts import finish_messages, parse_eml, parse_transcript

_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# A zip member is read whole; these caps keep a zip bomb from filling memory.
_MAX_MEMBERS = 20_000
_MAX_UNPACKED = 256 * 1024 * 1024
_SLACK_DAY = re.compile(r"^(?:.*/)?(?P<channel>[^/]+)/\d{4}-\d{2}-\d{2}\.json$")
_MBOX_SEPARATOR = re.compile(rb"^From \S", re.M)
_HEAD_BYTES = 64 * 1024  # where a Telegram page's layout marks are, after its head of styles and scripts
_HTML_START = re.compile(rb"^\s*(?:<!doctype html|<html|<head|<body|<div|<meta)", re.I)


# Keys that together mark a chat platform's JSON export in the first bytes of a file.
_CHAT_JSON_MARKS = ((b'"guild"', b'"channel"'), (b'"participants"', b'"sender_name"'), (b'"order"', b'"posts"'),
                    (b'"from_id"', b'"messages"'), (b'"msg"', b'"u"'), (b'"update_id"', b'"result"'),
                    (b'"createdDateTime"', b'"messageType"'))


def looks_like_chat_json(head: bytes) -> bool:
    """Whether a .json file's first bytes show a chat export (Discord, Messenger, Telegram…), not system events."""
    return any(all(mark in head for mark in marks) for marks in _CHAT_JSON_MARKS)


class UnreadableConversation(ValueError):
    """A file that holds no conversation this app reads; the message says what it is and what to do."""


def read_conversation_file(name: str, data: bytes, *, day: date | None = None, tz: tzinfo = UTC,
                           agent_names: Iterable[str] = ()) -> ParsedTranscript:
    """The messages of a conversation file, whatever container it came in."""
    if data.startswith(_OLE2_MAGIC):
        raise UnreadableConversation(
            f"{name} is an Outlook message (.msg) or another Microsoft Office binary file (OLE2), which this app "
            "cannot read safely; in Outlook use File › Save As › Text Only (.txt) or drag the mail out as .eml")
    if data.startswith(_ZIP_MAGIC):
        return _read_zip(name, data, day=day, tz=tz, agent_names=agent_names)
    if name.lower().endswith(".eml"):
        return _read_eml_file(name, data, tz, agent_names)
    if _MBOX_SEPARATOR.match(data[:5]) and b"\nFrom:" in data[:20000] or name.lower().endswith(".mbox"):
        return _read_mbox(data, tz, agent_names)
    if looks_binary(data):
        raise UnreadableConversation(
            f"{name} is not text (it looks like a workbook, an image or another binary file); give a pasted "
            "conversation as a .txt file, an .eml or .mbox file, or a chat app's export (.json or .zip)")
    decoded = transcript_text(data)
    return replace(_read_text(data, decoded.text, day, tz, agent_names), decoding_notice=decoded.notice)


def _read_text(data: bytes, text: str, day: date | None, tz: tzinfo, agent_names: Iterable[str]) -> ParsedTranscript:
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped[:1] in "{[":
        parsed = _read_json(stripped, tz, agent_names)
        if parsed is not None:
            return parsed
    if looks_like_telegram_html(data[:_HEAD_BYTES]):
        return _telegram_pages([text], tz, agent_names)
    if _HTML_START.match(data[:2000].lstrip(b"\xef\xbb\xbf")):
        text = html_to_text(text)
    return parse_transcript(text, day=day, tz=tz, agent_names=agent_names)


def read_conversation_path(path: Path, *, day: date | None = None, tz: tzinfo = UTC,
                           agent_names: Iterable[str] = ()) -> ParsedTranscript:
    """A conversation file named by its path: as read_conversation_file, with the other pages of a
    Telegram HTML export beside it (messages.html, messages2.html…) read too, in order, whichever was given."""
    data = path.read_bytes()
    if PAGE_NAME.match(path.name) and looks_like_telegram_html(data[:_HEAD_BYTES]):
        pages = sorted((page for page in path.parent.iterdir() if PAGE_NAME.match(page.name) and page.is_file()),
                       key=lambda page: page_number(page.name))
        if sum(page.stat().st_size for page in pages) > _MAX_UNPACKED:
            raise UnreadableConversation(f"the Telegram export beside {path.name} is more than "
                                         f"{_MAX_UNPACKED // 1024 ** 2} MB; export a shorter period")
        return _telegram_pages([decode_transcript(page.read_bytes()) for page in pages], tz, agent_names)
    return read_conversation_file(path.name, data, day=day, tz=tz, agent_names=agent_names)


def _telegram_pages(pages: list[str], tz: tzinfo, agent_names: Iterable[str]) -> ParsedTranscript:
    messages = finish_messages(read_telegram_html(pages, tz), agent_names)
    return ParsedTranscript(format="telegram-html", messages=messages)


def _read_eml_file(name: str, data: bytes, tz: tzinfo, agent_names: Iterable[str]) -> ParsedTranscript:
    """A dropped .eml: whatever of it parses (headers, body), or a refusal saying what is wrong, never nothing."""
    if looks_binary(data):
        raise UnreadableConversation(
            f"{name} is not an email: its bytes are binary, not mail headers and text (the file may be damaged "
            "or another kind of file named .eml); save the mail again from the mail program as .eml")
    parsed = parse_eml(data, tz=tz, agent_names=agent_names)
    if not parsed.messages:
        raise UnreadableConversation(
            f"{name} holds no message that can be read: no sender, subject or text was found in it (the file may "
            "be empty or cut off); save the mail again from the mail program as .eml")
    return parsed


def _read_json(text: str, tz: tzinfo, agent_names: Iterable[str]) -> ParsedTranscript | None:
    try:
        data = json.loads(text)
    except ValueError:
        return None  # text that only starts with a bracket: read as a pasted transcript
    try:
        platform, raw = read_chat_json(data, tz)
    except NotAChatExport as exc:
        raise UnreadableConversation(str(exc)) from exc
    return ParsedTranscript(format=platform, messages=finish_messages(raw, agent_names))


def _read_zip(name: str, data: bytes, *, day: date | None, tz: tzinfo,
              agent_names: Iterable[str]) -> ParsedTranscript:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = [info for info in archive.infolist() if not info.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnreadableConversation(f"{name} is a damaged zip archive ({exc}); export the chat again") from exc
    if len(infos) > _MAX_MEMBERS or sum(info.file_size for info in infos) > _MAX_UNPACKED:
        raise UnreadableConversation(f"{name} unpacks to more than {_MAX_MEMBERS:,} files or "
                                     f"{_MAX_UNPACKED // 1024 ** 2} MB; export a shorter period")
    try:
        if any(info.filename.endswith("channels.json") for info in infos):
            return _read_slack_zip(archive, infos, agent_names)
        pages = sorted((info for info in infos if PAGE_NAME.match(info.filename.rsplit("/", 1)[-1])),
                       key=lambda info: (info.filename.rsplit("/", 1)[0] if "/" in info.filename else "",
                                         page_number(info.filename.rsplit("/", 1)[-1])))
        if pages and looks_like_telegram_html(archive.read(pages[0])[:_HEAD_BYTES]):
            return _telegram_pages([decode_transcript(archive.read(info)) for info in pages], tz, agent_names)
        texts = [info for info in infos if info.filename.lower().endswith(".txt")]
        if texts:
            # WhatsApp shares "_chat.txt" (iOS) or "WhatsApp Chat with X.txt" (Android) beside the media.
            chosen = min(texts, key=lambda info: (not info.filename.endswith("_chat.txt"), -info.file_size))
            return parse_transcript(decode_transcript(archive.read(chosen)), day=day, tz=tz, agent_names=agent_names)
        jsons = [info for info in infos if info.filename.lower().endswith(".json")]
        if len(jsons) == 1:
            parsed = _read_json(decode_transcript(archive.read(jsons[0])), tz, agent_names)
            if parsed is not None:
                return parsed
    except (zipfile.BadZipFile, OSError, RuntimeError, EOFError) as exc:  # RuntimeError: an encrypted member
        raise UnreadableConversation(f"{name} could not be unpacked ({exc}); export the chat again") from exc
    raise UnreadableConversation(f"{name} is a zip archive with no chat inside (no .txt chat export, Slack "
                                 "export or chat JSON); unpack it and give the chat file itself")


def _read_slack_zip(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo],
                    agent_names: Iterable[str]) -> ParsedTranscript:
    users: dict[str, str] = {}
    raw: list[RawMessage] = []
    for info in infos:
        if info.filename.endswith("users.json"):
            users.update(_slack_users(_json_member(archive, info)))
    for info in sorted(infos, key=lambda i: i.filename):
        if _SLACK_DAY.match(info.filename):
            raw.extend(read_slack_messages(_json_member(archive, info), users))
    raw.sort(key=lambda m: m.at or datetime.min.replace(tzinfo=UTC))
    return ParsedTranscript(format="slack-export", messages=finish_messages(raw, agent_names))


def _json_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Any:
    try:
        return json.loads(archive.read(info))
    except ValueError:
        return None  # one damaged day file does not lose the others


def _slack_users(items: Any) -> dict[str, str]:
    names: dict[str, str] = {}
    for user in items if isinstance(items, list) else []:
        if isinstance(user, dict) and user.get("id"):
            profile = user["profile"] if isinstance(user.get("profile"), dict) else {}
            names[str(user["id"])] = str(profile.get("display_name") or user.get("real_name")
                                         or profile.get("real_name") or user.get("name") or user["id"])
    return names


def _read_mbox(data: bytes, tz: tzinfo, agent_names: Iterable[str]) -> ParsedTranscript:
    """Each message of a mailbox, without the earlier messages it quotes (they are in the mailbox too)."""
    clock = DayClock(datetime.now(tz).date(), tz)
    starts = [found.start() for found in _MBOX_SEPARATOR.finditer(data)] or [0]
    raw: list[RawMessage] = []
    for begin, end in zip(starts, starts[1:] + [len(data)], strict=True):
        chunk = data[begin:end].split(b"\n", 1)[1] if data[begin:begin + 5] == b"From " else data[begin:end]
        try:
            thread = read_eml(chunk, clock)
        except (ValueError, LookupError, UnicodeError, TypeError):
            continue
        if thread:
            raw.append(thread[-1])
    raw.sort(key=lambda m: m.at or datetime.min.replace(tzinfo=UTC))
    return ParsedTranscript(format="mbox", messages=finish_messages(raw, agent_names))
