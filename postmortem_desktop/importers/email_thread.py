"""Reads pasted email threads (Gmail quoting, Outlook header blocks) and dropped .eml files."""
from __future__ import annotations

import email
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, tzinfo
from email import policy
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

from postmortem_desktop.importers.transcript_formats import (
    CLOCK_TEXT,
    MONTHS,
    DayClock,
    RawMessage,
    is_noise,
    parse_clock,
    utc_offset,
)

_ATTRIBUTION = re.compile(r"^On\s(?P<head>.{4,300}?)\s{0,12}wrote:$")
_ORIGINAL = re.compile(r"^-{2,}\s?(?:Original Message|Forwarded message)\s?-{2,}$", re.I)
_RULE = re.compile(r"^_{10,}$")
_HEADER = re.compile(r"^(?P<key>From|Sent|Date|To|Cc|Bcc|Subject|Reply-To|Importance):\s?(?P<value>.{0,500})$",
                     re.I)
_SIGN_OFF = re.compile(r"^(?:Sent from my \w[\w ]{0,40}|Get Outlook for \w+|\[Quoted text hidden\])$", re.I)
_QUOTE = re.compile(r"^(?:>\s?)+")
_CLOCK_IN = re.compile(CLOCK_TEXT)
_DATE_TOKENS = re.compile(
    r"(?P<iso>\d{4}-\d{2}-\d{2})|(?P<num>\d{1,2}[/.]\d{1,2}[/.]\d{2,4})|(?P<mon>[A-Za-z]{3,9})\.?"
    r"|(?P<year>\d{4})|(?P<n>\d{1,2})(?:st|nd|rd|th)?|(?P<zone>UTC|GMT|[+-]\d{2}:?\d{2})")


@dataclass(frozen=True)
class Sender:
    """Who wrote one email of the thread, and when."""

    name: str
    address: str
    at: datetime | None


def parse_when(text: str, tz: tzinfo) -> datetime | None:
    """UTC time of an email date such as "Mon, Jan 26, 2026 at 10:00 AM" or an RFC 2822 date."""
    try:
        parsed = parsedate_to_datetime(text)
        if parsed.tzinfo is not None:
            return parsed.astimezone(UTC)
    except (TypeError, ValueError, IndexError, OverflowError):  # OverflowError: a year of 40 digits
        pass
    clock_match = _CLOCK_IN.search(text)
    clock = parse_clock(clock_match.group()) if clock_match else (0, 0, 0)
    rest = text[: clock_match.start()] + " " + text[clock_match.end():] if clock_match else text
    day, zone = _loose_day(rest)
    if day is None or clock is None:
        return None
    try:
        return datetime.combine(day, time(*clock), tzinfo=zone or tz).astimezone(UTC)
    except (ValueError, OverflowError):  # "99:99", or a day at the edge of year 1..9999 in UTC
        return None


def _loose_day(text: str) -> tuple[date | None, tzinfo | None]:
    month = dom = year = None
    zone: tzinfo | None = None
    for token in _DATE_TOKENS.finditer(text[:200]):
        if token["iso"]:
            year, month, dom = (int(p) for p in token["iso"].split("-"))
        elif token["num"]:
            first, second, year = (int(p) for p in re.split(r"[/.]", token["num"]))
            # Day-first unless the first number cannot be a day of a month-first date.
            month, dom = (first, second) if second > 12 else (second, first)
        elif token["mon"] and token["mon"][:3].lower() in MONTHS:
            month = MONTHS[token["mon"][:3].lower()]
        elif token["year"]:
            year = int(token["year"])
        elif token["n"] and dom is None:
            dom = int(token["n"])
        elif token["zone"]:
            zone = utc_offset(token["zone"])
    if month is None or dom is None or year is None:
        return None, zone
    try:
        return date(year + 2000 if year < 100 else year, month, dom), zone
    except ValueError:
        return None, zone


def _attribution_sender(head: str, tz: tzinfo) -> Sender:
    # "Mon, Jan 26, 2026 at 10:00 AM Amy Brito <amy@example.net>": the name follows the clock.
    clock_match = _CLOCK_IN.search(head)
    when, who = (head[: clock_match.end()], head[clock_match.end():]) if clock_match else ("", head)
    name, address = parseaddr(who.strip(" ,"))
    if not address and "@" not in who:
        name, address = who.strip(" ,\"'"), ""
    return Sender(name.strip() or address, address, parse_when(when, tz) if when else None)


def _header_sender(headers: dict[str, str], tz: tzinfo) -> Sender:
    raw = headers.get("from", "").replace("[mailto:", "<").replace("]", ">")
    name, address = (getaddresses([raw]) or [("", "")])[0]
    if not address or "@" not in address:
        name, address = raw.strip(), ""
    when = headers.get("sent") or headers.get("date") or ""
    return Sender(name.strip() or address, address, parse_when(when, tz) if when else None)


def _depths(lines: Sequence[str]) -> list[tuple[int, str]]:
    """Each line's quote depth and its text with the ">" marks removed, long attributions rejoined."""
    out: list[tuple[int, str]] = []
    for raw in lines:
        marks = _QUOTE.match(raw)
        depth = marks.group().count(">") if marks else 0
        text = (raw[marks.end():] if marks else raw).strip()
        previous = out[-1] if out else None
        # Gmail wraps a long "On … wrote:" line; join it back before matching.
        if previous and previous[0] == depth and previous[1].startswith("On ") \
                and not previous[1].endswith("wrote:") and text.endswith("wrote:") and len(previous[1]) < 200:
            out[-1] = (depth, previous[1] + " " + text)
            continue
        out.append((depth, text))
    return out


def score_email(lines: Sequence[str]) -> int:
    score = 0
    for index, line in enumerate(lines):
        text = _QUOTE.sub("", line.strip()).strip()
        if _ATTRIBUTION.match(text) or _ORIGINAL.match(text) or text.lower().startswith("from:") and any(
                next_line.strip().lower().startswith(("sent:", "date:")) for next_line in lines[index + 1:index + 4]):
            score += 10
    return score


def read_email(lines: Sequence[str], clock: DayClock, top: Sender | None = None) -> list[RawMessage]:
    """Messages of a pasted thread in chronological order (threads paste newest first)."""
    newest_first: list[RawMessage] = []
    open_at: dict[int, RawMessage] = {}
    pending: dict[str, str] | None = None

    def start(depth: int, sender: Sender) -> None:
        message = RawMessage(author=sender.name, at=sender.at, address=sender.address)
        newest_first.append(message)
        open_at[depth] = message

    if top is not None:
        start(0, top)
    for depth, text in _depths(lines):
        header = _HEADER.match(text)
        if header and (pending is not None or header["key"].lower() == "from"):
            pending = pending or {}
            pending[header["key"].lower()] = header["value"].strip()
            continue
        if pending is not None:
            start(depth, _header_sender(pending, clock.tz))
            pending = None
        attribution = _ATTRIBUTION.match(text)
        if attribution:
            start(depth + 1, _attribution_sender(attribution["head"], clock.tz))
        elif not (_ORIGINAL.match(text) or _RULE.match(text) or _SIGN_OFF.match(text) or is_noise(text)):
            _add_line(open_at, newest_first, depth, text)
    if pending is not None:
        start(0, _header_sender(pending, clock.tz))
    if top is None:
        _name_top_reply(newest_first)
    return newest_first[::-1]


def _name_top_reply(newest_first: list[RawMessage]) -> None:
    # A pasted thread rarely shows who wrote the newest reply; between two people it is whoever
    # did not write the message being answered.
    if len(newest_first) < 2 or newest_first[0].author:
        return
    people = {m.author.casefold(): m for m in newest_first[1:] if m.author}
    answered = next((m for m in newest_first[1:] if m.author), None)
    if len(people) == 2 and answered is not None:
        other = next(m for key, m in people.items() if key != answered.author.casefold())
        newest_first[0].author, newest_first[0].address = other.author, other.address


def _add_line(open_at: dict[int, RawMessage], messages: list[RawMessage], depth: int,
              text: str) -> None:
    message = open_at.get(depth)
    if message is None:
        if not text:
            return
        message = RawMessage(author="")
        messages.append(message)
        open_at[depth] = message
    if text or (message.lines and message.lines[-1]):
        # Paragraph breaks survive as one empty line; leading and repeated blanks do not.
        message.lines.append(text)


def _body_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content: str = part.get_content()
    except (LookupError, UnicodeError):
        payload = part.get_payload(decode=True)  # the part's bytes, or None when it has none
        content = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else ""
    if part.get_content_subtype() == "html":
        content = html_to_text(content)
    return content


def html_to_text(markup: str) -> str:
    # Bounded so an unclosed <script> cannot make this quadratic.
    markup = re.sub(r"(?is)<(script|style)\b.{0,100000}?</\1\s{0,12}>", "", markup)
    markup = re.sub(r"(?i)<br\s*/?>|</p\s*>|</div\s*>|</blockquote\s*>", "\n", markup)
    return html.unescape(re.sub(r"<[^>]{0,2000}>", "", markup))


# RFC 5322 allows 998 characters a line. The fields read here (From, Date, Content-*) fit in far
# less than 2 KB; a longer one is damage or a long To/Cc list, which nothing here reads. The bound
# keeps the stdlib parser's quadratic cost to milliseconds (8 KB of quotes still took ~0.15 s).
_MAX_HEADER_FIELD = 2048
# What the stdlib's feed parser takes for the start of a header field (email.feedparser.headerRE).
_FIELD_START = re.compile(rb"^(?:From |[\041-\071\073-\176]*:)")
_BLANK = re.compile(rb"^\r?\n?$")


def bounded_header_fields(data: bytes) -> bytes:
    """The message without header fields longer than _MAX_HEADER_FIELD bytes, in every header block.

    The standard library's header parser takes time quadratic in a field's length (a 70 KB field
    of quote marks took 30 s), and a real field is never that long. Header blocks are the top of
    the file and the top of each MIME part (after a "--boundary" line).
    """
    out: list[bytes] = []
    field: list[bytes] = []
    in_header = True

    def flush() -> None:
        if sum(map(len, field)) <= _MAX_HEADER_FIELD:
            out.extend(field)
        field.clear()

    for line in data.splitlines(keepends=True):
        if in_header and field and line[:1] in (b" ", b"\t"):
            field.append(line)  # a folded continuation of the field being read
            continue
        flush()
        if in_header and _FIELD_START.match(line):
            field.append(line)
            continue
        in_header = line.startswith(b"--") and not _BLANK.match(line)
        out.append(line)
    flush()
    return b"".join(out)


def _header_text(message: EmailMessage, name: str) -> str:
    """A header's decoded text, or its raw text when the standard library cannot parse it."""
    try:
        return str(message.get(name, ""))
    except (AttributeError, IndexError, KeyError, ValueError, OverflowError):
        # The stdlib's header parser trips on some damaged values ('From: {"a"; {' raises
        # AttributeError, a 40-digit year OverflowError); the raw text is still worth reading.
        return next((str(value) for key, value in message.raw_items() if key.lower() == name.lower()), "")


def read_eml(data: bytes, clock: DayClock) -> list[RawMessage]:
    """Messages of one .eml file: the message itself last, the thread it quotes before it."""
    message = email.message_from_bytes(bounded_header_fields(data), policy=policy.default)
    if not isinstance(message, EmailMessage):
        return []
    name, address = parseaddr(_header_text(message, "From"))
    raw_date = _header_text(message, "Date")
    top = Sender(name or address, address, parse_when(raw_date, clock.tz) if raw_date else None)
    body = _body_text(message)
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    return read_email(body.split("\n"), clock, top)
