"""Reads pasted email threads (Gmail quoting, Outlook header blocks) and dropped .eml files."""
from __future__ import annotations

import email
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from email import policy
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr, parsedate_to_datetime, parsedate_tz

from postmortem_desktop.importers import email_attribution
from postmortem_desktop.importers.email_attribution import attribution, attribution_sender, header_line, join_wrapped
from postmortem_desktop.importers.email_body import body_text
from postmortem_desktop.importers.transcript_formats import (
    CLOCK_TEXT,
    MONTHS,
    DayClock,
    RawMessage,
    is_noise,
    parse_clock,
    utc_offset,
)

# "-----Original Message-----", "---------- Forwarded message ---------", "Begin forwarded message:",
# Thunderbird's "-------- Forwarded Message --------", and the Danish/German/French spellings.
_ORIGINAL = re.compile(
    r"^(?:-{2,}\s?(?:Original Message|Forwarded message|Oprindelig meddelelse|Ursprüngliche Nachricht"
    r"|Message d'origine|Message transféré|Messaggio originale|Mensaje original|Пересылаемое сообщение"
    r"|Oorspronkelijk bericht|Alkuperäinen viesti|Opprinnelig melding|Ursprungligt meddelande|Oprindelig besked)"
    r"\s?-{2,}"
    r"|Begin forwarded message:)$", re.I)
_RULE = re.compile(r"^_{10,}$")
_SIGN_OFF = re.compile(r"^(?:Sent from my \w[\w ]{0,40}|Get Outlook for \w+|\[Quoted text hidden\])$", re.I)
_QUOTE = re.compile(r"^(?:>\s?)+")
_CLOCK_IN = re.compile(CLOCK_TEXT)
_ZONE_NAME = re.compile(r"\b(?:GMT|UTC)\s?[+-]\d|\b[A-Z]{2,4}T\b")
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
    # The hand-written reader for the common English shapes; dateutil (then dateparser) for the rest and
    # for anything naming a zone ("EDT", "GMT+1"), which the fast reader would silently read as local.
    fast = None if _ZONE_NAME.search(text) else _fast_when(text, tz)
    return fast or email_attribution.parse_when(text[:200], tz)


def _fast_when(text: str, tz: tzinfo) -> datetime | None:
    # The shapes Gmail and Outlook print in English, read without a parser library.
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


def _attribution_sender(head: str, after: str, tz: tzinfo) -> Sender:
    name, address, when = attribution_sender(head, after)
    return Sender(name, address, parse_when(when, tz) if when else None)


def stated_zone(when: str) -> tzinfo | None:
    """The UTC offset an RFC 2822 date states ("Fri, 04 Dec 2026 10:00:00 -0800"), if it states one."""
    parsed = parsedate_tz(when) if when else None
    if parsed is None or parsed[9] is None or "-0000" in when:  # -0000: "the zone is not known" (RFC 2822)
        return None
    try:
        return timezone(timedelta(seconds=parsed[9]))
    except ValueError:  # an offset of a day or more
        return None


def _header_zone(headers: dict[str, str]) -> tzinfo | None:
    return stated_zone(headers.get("sent") or headers.get("date") or "")


def _header_sender(headers: dict[str, str], tz: tzinfo) -> Sender:
    raw = headers.get("from", "").replace("[mailto:", "<").replace("]", ">").replace("<mailto:", " <")
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
        out.append((depth, (raw[marks.end():] if marks else raw).strip()))
    # Clients wrap a long "On … wrote:" line; join it back before matching.
    return join_wrapped(out)


def score_email(lines: Sequence[str]) -> int:
    score = 0
    texts = [text for _, text in _depths(lines)]
    for index, text in enumerate(texts):
        header = header_line(text)
        # An Outlook block: "From:" with another header within four lines, above (French "Message du :")
        # or below it.
        if attribution(text) or _ORIGINAL.match(text) or header and header[0] == "from" and any(
                (other := header_line(near)) and other[0] in ("sent", "date", "to", "subject")
                for near in texts[max(0, index - 4):index] + texts[index + 1:index + 5]):
            score += 10
    return score


def read_email(lines: Sequence[str], clock: DayClock, top: Sender | None = None,
               top_zone: tzinfo | None = None) -> list[RawMessage]:
    """Messages of a pasted thread in chronological order (threads paste newest first).

    A time in an "On … wrote:" line states no zone: the replier's mail client wrote it on the
    replier's clock, so it is read in the zone of the nearest header above that states an offset (the
    reply's own Date), and in the paste's time zone only when no header states one.
    """
    zone = top_zone or clock.tz
    newest_first: list[RawMessage] = []
    open_at: dict[int, RawMessage] = {}
    pending: dict[str, str] | None = None

    def start(depth: int, sender: Sender) -> None:
        message = RawMessage(author=sender.name, at=sender.at, address=sender.address)
        newest_first.append(message)
        open_at[depth] = message

    if top is not None:
        start(0, top)
    # A quoted message whose lines carry no ">" continues at the depth of the line that introduced it.
    introduced: tuple[int, RawMessage] | None = None
    awaiting: str | None = None
    above: dict[str, str] = {}
    for depth, text in _depths(lines):
        if not text and pending is not None:
            continue  # blank lines inside a header block (HTML forwards put them between rows)
        if awaiting is not None and pending is not None:
            # Thunderbird's forward puts each header's value on the line below its key.
            pending.setdefault(awaiting, text)
            awaiting = None
            continue
        header = header_line(text)
        # A block opens with "From:", or with any header right below a forward's separator (Thunderbird).
        opens = header is not None and (header[0] == "from" or introduced is not None and not introduced[1].lines)
        if header and pending is None and not opens:
            above[header[0]] = header[1]  # French Outlook puts "Message du :" (the date) above "De :"
        elif text:
            above = {} if header is None else above
        if header and (pending is not None or opens):
            pending = pending or dict(above)
            if header[1]:
                pending.setdefault(header[0], header[1])
            else:
                awaiting = header[0]
            continue
        if pending is not None:
            start(depth, _header_sender(pending, clock.tz))
            zone = _header_zone(pending) or zone
            pending = None
            introduced = None  # the header block named who wrote what follows
        if introduced is not None and text:
            if depth == introduced[0]:
                open_at[depth] = introduced[1]
            introduced = None
        found = attribution(text)
        if found:
            start(depth + 1, _attribution_sender(*found, zone))
            introduced = (depth, newest_first[-1])
        elif _ORIGINAL.match(text):
            start(depth + 1, Sender("", "", None))  # who wrote it comes in the header block, if any
            introduced = (depth, newest_first[-1])
        elif not (_RULE.match(text) or _SIGN_OFF.match(text) or is_noise(text)):
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
        value = str(message.get(name, ""))
        return _undamaged(message, name) if "\ufffd" in value else value
    except (AttributeError, IndexError, KeyError, ValueError, OverflowError):
        # The stdlib's header parser trips on some damaged values ('From: {"a"; {' raises
        # AttributeError, a 40-digit year OverflowError); the raw text is still worth reading.
        return next((str(value) for key, value in message.raw_items() if key.lower() == name.lower()), "")


def _undamaged(message: EmailMessage, name: str) -> str:
    # Raw 8-bit bytes in a header (a client that skipped RFC 2047): read them as UTF-8, else Windows-1252,
    # rather than show U+FFFD where the sender's name had a "ü".
    raw = next((value for key, value in message.raw_items() if key.lower() == name.lower()), "")
    data = str(raw).encode("ascii", "surrogateescape")
    as_utf8 = data.decode("utf-8", errors="replace")
    valid = sum(1 for char in as_utf8 if ord(char) > 127 and char != "\ufffd")
    # Mostly valid UTF-8 with a stray byte is still UTF-8 (Cyrillic read as Windows-1252 would be all
    # mojibake); a lone "ü" byte (0xFC) is Windows-1252.
    return as_utf8 if valid > as_utf8.count("\ufffd") else data.decode("cp1252", errors="replace")


def read_eml(data: bytes, clock: DayClock) -> list[RawMessage]:
    """Messages of one .eml file: the message itself last, the thread it quotes before it."""
    message = email.message_from_bytes(bounded_header_fields(data), policy=policy.default)
    if not isinstance(message, EmailMessage):
        return []
    name, address = parseaddr(_header_text(message, "From"))
    raw_date = _header_text(message, "Date")
    top = Sender(name or address, address, parse_when(raw_date, clock.tz) if raw_date else None)
    body = body_text(message) or _without_text(message, top)
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    return read_email(body.split("\n"), clock, top, stated_zone(raw_date))


def _without_text(message: EmailMessage, sender: Sender) -> str:
    """What a mail with no readable text still says (its subject, and what its body is instead), so
    a sender and a time that parsed are not lost; "" when the headers name neither sender nor subject.

    Outlook Express sending only an attachment, or a spam mail whose body a damaged Date header
    swallowed (flanker's outlook-express.eml, mail's bad_date_header.eml), would otherwise give nothing.
    """
    subject = " ".join(_header_text(message, "Subject").split())
    if not subject and not sender.name:
        return ""
    # the content type only: an attachment's file name is often raw 8-bit bytes in the header
    what = f"[no text body: {message.get_content_type()}]" if message.is_multipart() or message.get_payload() \
        else "[no body]"
    return f"{subject}\n{what}" if subject else what
