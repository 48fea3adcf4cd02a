"""Telegram Desktop's HTML chat export (its default: ChatExport_*/messages.html, messages2.html…) as raw messages.

Each message is a ``<div class="message default clearfix" id="message123">`` whose body holds a
``<div class="pull_right date details" title="30.09.2018 22:03:27 UTC+03:00">`` (the full date, time
and, in newer exports, the UTC offset; the visible text is only the clock), a ``from_name`` and a
``text`` div. A message the same person sent soon after their previous one is "joined": it has no
``from_name`` and repeats the previous author. Service messages (``message service``: day separators,
joins, pins, calls) are dropped. A message without text keeps its media's title (``[Photo]``), as the
JSON export's media messages are kept. Read with the standard library's html.parser.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from html.parser import HTMLParser

from postmortem_desktop.importers.transcript_formats import RawMessage

# The pages of one export: messages.html, then messages2.html, messages3.html… (1,000 messages each)
PAGE_NAME = re.compile(r"^messages(\d*)\.html$", re.IGNORECASE)
# Marks of the export's page layout, found in its first kilobytes
_MARKS = (b'class="page_wrap"', b'class="history"')
_TITLE_TIME = re.compile(r"(\d{2})\.(\d{2})\.(\d{4}) (\d{2}):(\d{2}):(\d{2})(?: UTC([+-])(\d{2}):?(\d{2}))?")
_VOID = frozenset(("br", "img", "hr", "meta", "link", "input", "source", "wbr"))
_SPACES = re.compile(r"[ \t\r\n\f]+")
_MESSAGE_ID = re.compile(r"message(-?\d{1,20})")


def looks_like_telegram_html(head: bytes) -> bool:
    """Whether a file's first bytes are a page of Telegram Desktop's HTML export."""
    return all(mark in head for mark in _MARKS) and b'class="message ' in head


def page_number(name: str) -> int:
    """1 for messages.html, N for messagesN.html: the order the pages are read in."""
    match = PAGE_NAME.match(name)
    return int(match.group(1) or 1) if match else 0


def _message_number(element_id: str | None) -> str:
    """123 from id="message123", the number Telegram gives the message in its chat (as its JSON export's "id")."""
    match = _MESSAGE_ID.fullmatch(element_id or "")
    return match.group(1) if match else ""


def read_telegram_html(pages: Iterable[str], tz: tzinfo) -> list[RawMessage]:
    """The messages of the export's pages, given in order; ``tz`` reads times written without an offset."""
    reader = _PageReader(tz)
    for page in pages:
        reader.feed(page)
        reader.finish_message()  # a page ends with its last message closed; never join across pages
    reader.close()
    return reader.messages


@dataclass
class _Message:
    joined: bool
    external_id: str = ""  # the number of its div's id="message123"
    author: str = ""
    title: str = ""
    text: list[str] = field(default_factory=list)
    media: str = ""


class _PageReader(HTMLParser):
    """Walks the pages' tags, keeping for each open element the part of a message it is."""

    def __init__(self, tz: tzinfo) -> None:
        super().__init__(convert_charrefs=True)
        self.tz = tz
        self.messages: list[RawMessage] = []
        self._open: list[tuple[str, str]] = []  # (tag, part) of every open element
        self._message: _Message | None = None
        self._last_author = ""

    def _inside(self, part: str) -> bool:
        return any(open_part == part for _, open_part in self._open)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        classes = (values.get("class") or "").split()
        if tag == "br":
            self._data("\n")
        if tag in _VOID:
            if tag == "img" and "photo" in classes and self._message is not None:
                self._message.media = self._message.media or "Photo"
            return
        self._open.append((tag, self._part(tag, classes, values)))

    def _part(self, tag: str, classes: list[str], values: dict[str, str | None]) -> str:
        if tag == "div" and "message" in classes:
            self.finish_message()
            if "default" in classes:
                self._message = _Message(joined="joined" in classes, external_id=_message_number(values.get("id")))
                return "message"
            return "service"  # day separators, joins, pins, calls: not what a person wrote
        message = self._message
        if message is None or self._inside("service"):
            return ""
        if "forwarded" in classes:
            return "forwarded"  # the forwarded text is this message's; its from_name is not this author
        if "date" in classes and "details" in classes and not message.title and not self._inside("forwarded"):
            message.title = values.get("title") or ""
            return ""
        if "from_name" in classes and not self._inside("forwarded"):
            return "from_name"
        if "text" in classes and "bold" not in classes:
            return "text"
        if "title" in classes and self._inside("media"):
            return "media_title"
        if "media_wrap" in classes:
            return "media"
        if "details" in classes:
            return "details"  # "via @bot" beside a name, a reply's "In reply to this message"
        return ""

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index][0] == tag:
                if self._open[index][1] == "message":
                    self.finish_message()
                del self._open[index:]
                return

    def handle_data(self, data: str) -> None:
        self._data(_SPACES.sub(" ", data))

    def _data(self, data: str) -> None:
        message = self._message
        if message is None or self._inside("details"):
            return
        if self._inside("text"):
            message.text.append(data)
        elif self._inside("from_name"):
            message.author += data
        elif self._inside("media_title") and not message.media:
            message.media = data.strip()

    def finish_message(self) -> None:
        message, self._message = self._message, None
        if message is None:
            return
        author = " ".join(message.author.split()) or (self._last_author if message.joined else "")
        self._last_author = author
        text = "\n".join(line.strip() for line in "".join(message.text).split("\n")).strip()
        if not text and message.media:
            text = f"[{message.media}]"
        self.messages.append(RawMessage(author=author, at=self._time(message.title), lines=text.split("\n"),
                                        external_id=message.external_id))

    def _time(self, title: str) -> datetime | None:
        match = _TITLE_TIME.search(title)
        if match is None:
            return None
        day, month, year, hour, minute, second, sign, offset_hours, offset_minutes = match.groups()
        try:
            wall = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second))
            if sign is None:  # older exports: the computer's wall time, no offset
                return wall.replace(tzinfo=self.tz).astimezone(UTC)
            offset = timedelta(hours=int(offset_hours), minutes=int(offset_minutes))
            return wall.replace(tzinfo=timezone(offset if sign == "+" else -offset)).astimezone(UTC)
        except (ValueError, OverflowError):
            return None  # 31.02.2020, or a time at the edge of what datetime holds
