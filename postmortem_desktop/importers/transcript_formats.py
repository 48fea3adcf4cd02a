"""Line recognisers for each pasted chat shape, turning lines into raw messages."""
from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache

# Every pattern below is anchored and bounds its repeated groups, so each line costs at most a
# constant amount of backtracking: a 50 MB paste stays linear.

CLOCK_TEXT = r"\d{1,2}:\d{2}(?::\d{2})?(?:\s?[AaPp]\.?\s?[Mm]\.?)?"
_CLOCK_RE = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s?([AaPp])\.?\s?[Mm]\.?)?")
_WEEKDAY = (r"Mon(?:day)?|Tue(?:s(?:day)?)?|Wed(?:nesday)?|Thu(?:r(?:s(?:day)?)?)?|Fri(?:day)?"
            r"|Sat(?:urday)?|Sun(?:day)?")
_MONTH = (r"Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
          r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?")
MONTHS = {name: number for number, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
WEEKDAYS = {name: number for number, name in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))}
# A stamp is an optional day (relative, numeric m/d or "Jan 26") and a clock time.
STAMP_TEXT = (rf"(?:(?:Yesterday|Today|{_WEEKDAY}|\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?"
              rf"|(?:{_MONTH})\.?\s\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s\d{{4}})?),?\s(?:at\s)?)?{CLOCK_TEXT}")
_STAMP_RE = re.compile(
    rf"(?:(?:(?P<rel>Yesterday|Today|{_WEEKDAY})|(?P<md>\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?)"
    rf"|(?P<mon>{_MONTH})\.?\s(?P<dom>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s(?P<yr>\d{{4}}))?),?\s(?:at\s)?)?"
    rf"(?P<clock>{CLOCK_TEXT})", re.I)

_NOISE_MAX = 300
_NOISE = re.compile(r"""^(?:
    last\ read | new\ messages? | edited | \(edited\) | delivered
  | seen (?:\ by\ .{1,120} | \ ·\ .{1,40})?
  | \d{1,4}\ [\w ]{1,30}\ reactions?\.?
  | [^*]{1,80}\ (?:has\ )?(?:joined|left)\ the\ (?:chat|channel|conversation|meeting|group)\.?
  | \*\*\*.{0,200}\*\*\*
  | [^.]{1,80}\ (?:is|are)\ typing(?:\.{3}|…)? | typing(?:\.{3}|…)
  | <?media\ omitted>? | (?:image|video|audio|sticker|gif|document|photo)\ omitted
  | <attached:\ [^>]{1,200}> | this\ message\ was\ deleted | you\ deleted\ this\ message
  | [\w\-]{1,60}\.(?:png|jpe?g|gif|heic) | \[(?:image|avatar|photo|gif|sticker)\]
  | avatar | profile\ (?:picture|image|photo)
  | :[a-z0-9_+\-]{1,40}:(?:\s\d{1,4})?
  | view\ thread | \d{1,4}\ repl(?:y|ies)(?:\ last\ reply\ .{0,60})? | last\ reply\ .{0,60}
  | reacted\ to\ .{1,200}\ with\ \S{1,10} | removed\ a\ \S{1,10}\ reaction\ from\ .{1,200}
)$""", re.I | re.X)
_EDITED_SUFFIXES = (" (edited)", "<This message was edited>", "(edited)")


@dataclass
class RawMessage:
    """A message while it is being read: lines still open for continuation, role not yet decided."""

    author: str
    at: datetime | None = None
    lines: list[str] = field(default_factory=list)
    address: str = ""
    role_hint: str = ""
    external_id: str = ""  # the message's own id in the export (Telegram's, Slack's ts…); "" when it has none


class DayClock:
    """Turns clock times read on a given day into UTC, moving to the next day past midnight."""

    def __init__(self, day: date, tz: tzinfo) -> None:
        self.reference = day
        self.day = day
        self.tz = tz
        self._last: datetime | None = None

    def at(self, hour: int, minute: int, second: int = 0, on: date | None = None) -> datetime | None:
        """The UTC time, or None when the clock is impossible or the day is past year 1..9999 in UTC."""
        if not (0 <= hour < 24 and 0 <= minute < 60 and 0 <= second < 60):
            return None
        if on is not None:
            self.day = on
        local = datetime.combine(self.day, time(hour, minute, second), tzinfo=self.tz)
        try:
            if on is None and self._last is not None and local - self._last < -timedelta(hours=12):
                # A clock that jumps back by more than half a day has crossed midnight.
                local += timedelta(days=1)
                self.day = local.date()
            self._last = local
            return local.astimezone(UTC)
        except OverflowError:  # a paste about 31 Dec 9999 (or 1 Jan 1 east of UTC) has no time to give
            return None

    def clock_at(self, clock_text: str, on: date | None = None) -> datetime | None:
        parts = parse_clock(clock_text)
        return None if parts is None else self.at(*parts, on=on)


@dataclass(frozen=True)
class ChatFormat:
    """A transcript shape: how strongly a sample looks like it, and how to read all of it."""

    name: str
    score: Callable[[Sequence[str]], int]
    read: Callable[[Sequence[str], DayClock], list[RawMessage]]
    min_score: int = 1


@lru_cache(maxsize=4096)
def parse_clock(text: str) -> tuple[int, int, int] | None:
    """Hour (24 h), minute, second of a clock text such as "9:15 PM" or "22:47:05"."""
    match = _CLOCK_RE.fullmatch(text.strip())
    if match is None:
        return None
    hour, minute = int(match[1]), int(match[2])
    second = int(match[3] or 0)
    if match[4]:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if match[4] in "Pp" else 0)
    return hour, minute, second


def days_before(reference: date, days: int) -> date | None:
    """The day that many days before reference; None before 1 January of year 1."""
    try:
        return reference - timedelta(days=days)
    except OverflowError:
        return None


def _recent_weekday(reference: date, name: str) -> date | None:
    # Chat apps name the weekday only for the past week, never for today.
    back = (reference.weekday() - WEEKDAYS[name[:3].lower()]) % 7 or 7
    return days_before(reference, back)


def month_day(reference: date, month: int, dom: int, year: int | None) -> date | None:
    """A date from month and day; without a year, the latest one not after the reference day."""
    try:
        if year is not None:
            return date(year + 2000 if year < 100 else year, month, dom)
        found = date(reference.year, month, dom)
        return found if found <= reference else date(reference.year - 1, month, dom)
    except ValueError:
        return None


def stamp_day(match: re.Match[str], reference: date) -> date | None:
    """The day part of a stamp match, or None when the stamp gives only a clock time."""
    rel = (match["rel"] or "").lower()
    if rel == "today":
        return reference
    if rel == "yesterday":
        return days_before(reference, 1)
    if rel:
        return _recent_weekday(reference, rel)
    if match["md"]:
        parts = [int(p) for p in match["md"].split("/")]
        return month_day(reference, parts[0], parts[1], parts[2] if len(parts) > 2 else None)
    if match["mon"]:
        year = int(match["yr"]) if match["yr"] else None
        return month_day(reference, MONTHS[match["mon"][:3].lower()], int(match["dom"]), year)
    return None


def parse_stamp(text: str, clock: DayClock) -> datetime | None:
    """UTC time of a stamp such as "Yesterday 10:21 AM", "1/5 10:21 AM" or "Jan 26, 10:21 AM"."""
    match = _STAMP_RE.fullmatch(text.strip())
    if match is None:
        return None
    # Apps print a bare clock time only for today's messages.
    return clock.clock_at(match["clock"], on=stamp_day(match, clock.reference) or clock.reference)


def is_noise(line: str) -> bool:
    """True for lines that chat apps add around messages: joins, reactions, read marks, placeholders."""
    return len(line) <= _NOISE_MAX and _NOISE.match(line) is not None


def clean(line: str) -> str:
    """A message line without the "edited" marks apps append."""
    for suffix in _EDITED_SUFFIXES:
        if line.endswith(suffix):
            return line[: -len(suffix)].rstrip()
    return line


def begin(author: str, at: datetime | None, text: str = "", *, address: str = "", role_hint: str = "") -> RawMessage:
    """A new raw message whose first line (if any) is already on the header line."""
    message = RawMessage(author=author.strip(), at=at, address=address, role_hint=role_hint)
    text = text.strip()
    if text and not is_noise(text):
        message.lines.append(clean(text))
    return message


SKIP = object()
Recogniser = Callable[[str, "RawMessage | None"], "RawMessage | object | None"]


def collect(lines: Sequence[str], recognise: Recogniser) -> list[RawMessage]:
    """Group lines into messages: a recogniser returns a new message, SKIP, or None (continuation)."""
    messages: list[RawMessage] = []
    current: RawMessage | None = None
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        found = recognise(line, current)
        if isinstance(found, RawMessage):
            current = found
            messages.append(found)
        elif found is None and not (len(line) <= _NOISE_MAX and _NOISE.match(line)):
            if current is None:
                # Text before the first header is kept rather than lost.
                current = RawMessage(author="")
                messages.append(current)
            current.lines.append(clean(line))
    return messages


def count_matches(pattern: re.Pattern[str]) -> Callable[[Sequence[str]], int]:
    """A scorer that counts sample lines matching a header pattern."""
    def score(lines: Sequence[str]) -> int:
        return sum(1 for line in lines if pattern.match(line.strip()))
    return score


# --- Slack -------------------------------------------------------------------------------------
# Plain copy: "Amy Brito  10:30 AM" (two spaces), later messages in a group as a bare "10:31".
_SLACK_HEADER = re.compile(
    rf"^(?P<name>[^\s,:\[\]][^,:\[\]\t]{{0,79}}?)\s{{2,12}}(?:APP\s{{2,12}})?(?P<clock>{CLOCK_TEXT})$")
_BARE_CLOCK = re.compile(rf"^{CLOCK_TEXT}$")
_CLOCK_ENDINGS = frozenset("0123456789AaPpMm.")
_SLACK_DIVIDER = re.compile(
    rf"^(?:(?P<rel>Today|Yesterday)|(?:{_WEEKDAY}),\s(?P<mon>{_MONTH})\s(?P<dom>\d{{1,2}})"
    rf"(?:st|nd|rd|th)?(?:,\s(?P<yr>\d{{4}}))?)$", re.I)


def _slack_divider_day(match: re.Match[str], reference: date) -> date | None:
    rel = (match["rel"] or "").lower()
    if rel:
        return reference if rel == "today" else days_before(reference, 1)
    year = int(match["yr"]) if match["yr"] else None
    return month_day(reference, MONTHS[match["mon"][:3].lower()], int(match["dom"]), year)


def read_slack(lines: Sequence[str], clock: DayClock) -> list[RawMessage]:
    divider_day: list[date | None] = [None]

    def recognise(line: str, current: RawMessage | None) -> RawMessage | object | None:
        # Every header ends in a clock time, every divider is short: skip body lines cheaply.
        if line[-1] not in _CLOCK_ENDINGS:
            if len(line) > 40:
                return None
        elif header := _SLACK_HEADER.match(line):
            at = clock.clock_at(header["clock"], on=divider_day[0])
            divider_day[0] = None
            return begin(header["name"], at)
        elif current is not None and _BARE_CLOCK.match(line):
            return begin(current.author, clock.clock_at(line))
        divider = _SLACK_DIVIDER.match(line)
        if divider:
            divider_day[0] = _slack_divider_day(divider, clock.reference)
            return SKIP
        return None

    return collect(lines, recognise)


# Markdown copy: "Amy BritoAmy Brito  [12:36 PM](https://…)"; a bare "[12:37 PM](…)" continues.
_SLACK_MD_HEADER = re.compile(
    r"^(?P<name>[^\[\]]{0,160}?)\s{0,12}\[(?P<stamp>[^\]]{1,60})\]\((?P<url>https?://[^)\s]{0,600})\)$")


def _undouble(name: str) -> str:
    # The Markdown copy writes the display name twice with nothing between.
    name = name.strip()
    half = len(name) // 2
    return name[:half] if len(name) % 2 == 0 and name[:half] == name[half:] else name


def read_slack_markdown(lines: Sequence[str], clock: DayClock) -> list[RawMessage]:
    def recognise(line: str, current: RawMessage | None) -> RawMessage | None:
        header = _SLACK_MD_HEADER.match(line)
        if header is None or not _STAMP_RE.fullmatch(header["stamp"].strip()):
            return None
        name = _undouble(header["name"]) or (current.author if current else "")
        return begin(name, parse_stamp(header["stamp"], clock))

    return collect(lines, recognise)


# --- Microsoft Teams ---------------------------------------------------------------------------
# "Brito, Amy (Billing) Yesterday 10:21 AM" or "[1/5 10:21 AM] Brito, Amy (Billing)".
_TEAMS_TRAILING = re.compile(rf"^(?P<name>[^\[\]:]{{1,100}}?)\s{{1,12}}(?P<stamp>{STAMP_TEXT})$", re.I)
_LAST_FIRST = re.compile(r"^[^\W\d_][^,]{0,60},\s[^\W\d_]")
_TEAMS_BRACKET = re.compile(rf"^\[(?P<stamp>{STAMP_TEXT})\]\s{{0,12}}(?P<name>[^\[\]:]{{1,100}})$", re.I)


def _teams_header(line: str) -> re.Match[str] | None:
    bracket = _TEAMS_BRACKET.match(line)
    if bracket:
        return bracket
    trailing = _TEAMS_TRAILING.match(line)
    if trailing is None or not trailing["name"][0].isalpha():
        return None
    # Without a "Last, First" name or a day in the stamp, "Name 10:21 AM" is too weak a sign.
    if _LAST_FIRST.match(trailing["name"]) or not _BARE_CLOCK.match(trailing["stamp"]):
        return trailing
    return None


def score_teams(lines: Sequence[str]) -> int:
    return sum(1 for line in lines if _teams_header(line.strip()))


def read_teams(lines: Sequence[str], clock: DayClock) -> list[RawMessage]:
    def recognise(line: str, current: RawMessage | None) -> RawMessage | None:
        header = _teams_header(line)
        return begin(header["name"], parse_stamp(header["stamp"], clock)) if header else None

    return collect(lines, recognise)


# --- Zendesk Chat ------------------------------------------------------------------------------
# "Chat started: 2018-05-18 01:51 PM UTC", then "(01:51:11 PM) Customer Service: Hi …".
_ZENDESK_START = re.compile(
    rf"^Chat started:?\s(?:on\s)?(?P<date>\d{{4}}-\d{{2}}-\d{{2}}),?\s(?P<clock>{CLOCK_TEXT})"
    r"(?:\s(?P<zone>UTC|GMT|[+-]\d{2}:?\d{2}))?", re.I)
_ZENDESK_LINE = re.compile(rf"^\((?P<clock>{CLOCK_TEXT})\)\s+(?P<rest>.*)$")
_ZENDESK_SAYS = re.compile(r"^(?P<name>[^:*]{1,80}?):\s?(?P<text>.*)$")
_ZENDESK_JOIN = re.compile(r"^\*\*\*\s?(?P<name>[^*]{1,80}?)\s(?:has\s)?joined the chat\s?\*\*\*$", re.I)


def utc_offset(text: str) -> tzinfo | None:
    """The zone of "UTC", "GMT", "+05:30" or "-0800"; None for an offset no clock has (+99:99)."""
    if text.upper() in ("UTC", "GMT"):
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:])
    return timezone(sign * timedelta(hours=hours, minutes=minutes)) if hours < 24 and minutes < 60 else None


def _zone(text: str | None, default: tzinfo) -> tzinfo:
    return (utc_offset(text) if text else None) or default


def score_zendesk(lines: Sequence[str]) -> int:
    score = 0
    for line in lines:
        line = line.strip()
        if _ZENDESK_START.match(line):
            score += 5
        elif (found := _ZENDESK_LINE.match(line)) and (
                _ZENDESK_SAYS.match(found["rest"]) or found["rest"].startswith("***")):
            score += 1
    return score


def read_zendesk(lines: Sequence[str], clock: DayClock) -> list[RawMessage]:
    joined: set[str] = set()

    def recognise(line: str, current: RawMessage | None) -> RawMessage | object | None:
        start = _ZENDESK_START.match(line)
        if start:
            clock.tz = _zone(start["zone"], clock.tz)
            with contextlib.suppress(ValueError):  # "2026-02-30": the messages keep the day they had
                clock.at(0, 0, on=date.fromisoformat(start["date"]))
            return SKIP
        found = _ZENDESK_LINE.match(line)
        if found is None:
            return None
        join = _ZENDESK_JOIN.match(found["rest"])
        if join:
            # In Zendesk Chat only agents "join"; the visitor starts the chat.
            joined.add(join["name"].casefold())
            return SKIP
        says = _ZENDESK_SAYS.match(found["rest"])
        if says is None:
            return SKIP if is_noise(found["rest"]) else None
        return begin(says["name"], clock.clock_at(found["clock"]), says["text"])

    messages = collect(lines, recognise)
    for message in messages:
        if message.author.casefold() in joined:
            message.role_hint = "agent"
    return messages


# --- Intercom ----------------------------------------------------------------------------------
# Intercom's inbox copy puts the author on one line, the time on the next, then the body:
#   Amy Brito
#   Jan 26, 10:21 AM        (or "10:21 AM", "Yesterday 10:21 AM", "Jan 26, 2026, 10:21 AM")
#   did my payment go through?
_NAME_LINE = re.compile(r"^[^\W\d_][\w.'’\- ()&]{0,59}$")
_INTERCOM_STAMP = re.compile(rf"^(?P<stamp>{STAMP_TEXT})$", re.I)


def _intercom_stamp(line: str) -> re.Match[str] | None:
    found = _INTERCOM_STAMP.match(line)
    # A bare 24 h clock is too common inside bodies; ask for a day or AM/PM.
    if found and (not _BARE_CLOCK.match(line) or line[-1] in "Mm"):
        return found
    return None


# Teams' newer copy puts "Smith, John (Support)" on a line above the stamp, as Intercom does a name
_LAST_FIRST_NAME_LINE = re.compile(r"^[^\W\d_][\w.'’\- ]{0,40},\s[^\W\d_][\w.'’\- ()&]{0,59}$")


def _is_name_line(line: str) -> bool:
    return ((_NAME_LINE.match(line) is not None or _LAST_FIRST_NAME_LINE.match(line) is not None)
            and len(line.split()) <= 5)


def score_intercom(lines: Sequence[str]) -> int:
    stripped = [line.strip() for line in lines if line.strip()]
    return sum(1 for name, stamp in zip(stripped, stripped[1:], strict=False)
               if _intercom_stamp(stamp) and _is_name_line(name))


def read_intercom(lines: Sequence[str], clock: DayClock) -> list[RawMessage]:
    stripped = [line.strip() for line in lines if line.strip()]
    headers: dict[int, RawMessage] = {}
    for index in range(len(stripped) - 1):
        if _intercom_stamp(stripped[index + 1]) and _is_name_line(stripped[index]):
            headers[index] = begin(stripped[index], parse_stamp(stripped[index + 1], clock))
    position = iter(range(len(stripped)))

    def recognise(line: str, current: RawMessage | None) -> RawMessage | object | None:
        index = next(position)
        if index in headers:
            return headers[index]
        return SKIP if index - 1 in headers else None

    return collect(stripped, recognise)


# --- Zoom chat ---------------------------------------------------------------------------------
# "10:21:05 From  Jane  to  Everyone:" with the message on the next lines; older one-line form
# "10:21:05	 From  Jane : text".
_ZOOM_TO = re.compile(
    rf"^(?P<clock>{CLOCK_TEXT})\s{{1,12}}From\s{{1,12}}(?P<name>[^:]{{1,80}}?)\s{{1,12}}to\s{{1,12}}[^:]{{1,80}}:\s*(?P<text>.*)$",
    re.I)
_ZOOM_OLD = re.compile(
    rf"^(?P<clock>{CLOCK_TEXT})\s{{1,12}}From\s{{1,12}}(?P<name>[^:]{{1,80}}?)\s{{0,12}}:\s?(?P<text>.*)$")
# The cloud recording's chat file: "00:10:25<TAB>Justin Traglia:<TAB>text", the time elapsed since the
# recording started; a reply's quoted lines follow on lines of their own.
_ZOOM_TABBED = re.compile(r"^(?P<clock>\d{1,2}:\d{2}:\d{2})\t(?P<name>[^\t:]{1,80}):\t(?P<text>.*)$")


def _zoom_header(line: str) -> re.Match[str] | None:
    return _ZOOM_TABBED.match(line) or _ZOOM_TO.match(line) or _ZOOM_OLD.match(line)


def score_zoom(lines: Sequence[str]) -> int:
    return sum(2 for line in lines if _zoom_header(line.strip()))


def read_zoom(lines: Sequence[str], clock: DayClock) -> list[RawMessage]:
    def recognise(line: str, current: RawMessage | None) -> RawMessage | None:
        header = _zoom_header(line)
        return begin(header["name"], clock.clock_at(header["clock"]), header["text"]) if header else None

    return collect(lines, recognise)


# --- Telegram Desktop copy ----------------------------------------------------------------------
# Copying messages in Telegram Desktop gives "Anna Petrova, [06.05.2024 10:20]" with the text on the
# lines below; the date is the system's short date: day first when dotted, month first with slashes.
_TELEGRAM_HEADER = re.compile(
    rf"^(?P<name>[^\[\]]{{1,100}}?),\s\[(?P<day>\d{{1,2}}[./]\d{{1,2}}[./]\d{{2,4}}),?\s(?P<clock>{CLOCK_TEXT})\]$")


def _telegram_day(text: str, reference: date) -> date | None:
    if "." in text:
        day, month, year = (int(part) for part in text.split("."))
    else:
        month, day, year = (int(part) for part in text.split("/"))
    return month_day(reference, month, day, year)


def score_telegram(lines: Sequence[str]) -> int:
    return sum(2 for line in lines if _TELEGRAM_HEADER.match(line.strip()))


def read_telegram(lines: Sequence[str], clock: DayClock) -> list[RawMessage]:
    def recognise(line: str, current: RawMessage | None) -> RawMessage | None:
        header = _TELEGRAM_HEADER.match(line)
        if header is None:
            return None
        day = _telegram_day(header["day"], clock.reference)
        return begin(header["name"], clock.clock_at(header["clock"], on=day) if day else None)

    return collect(lines, recognise)


# --- Plain "Name: text" ------------------------------------------------------------------------
# "Amy: text", "[10:21] Amy: text", "10:21 AM Amy: text".
_PLAIN = re.compile(
    rf"^(?:\[(?P<bracket>{CLOCK_TEXT})\]\s{{0,12}}|(?P<clock>{CLOCK_TEXT})\s{{1,12}})?"
    r"(?P<name>[^\W\d_][^:\[\]]{0,39}?)\s?:(?:\s+(?P<text>.*))?$")
# Words that precede a colon in prose rather than name a speaker.
_NOT_SPEAKERS = frozenset({"note", "ps", "p.s", "re", "fwd", "fw", "subject", "from", "to", "sent", "date",
                           "cc", "error", "warning", "http", "https", "update", "edit", "eta", "fyi",
                           "mime-version", "content-type", "content-transfer-encoding", "content-disposition"})


def _plain_header(line: str) -> re.Match[str] | None:
    found = _PLAIN.match(line)
    if found is None:
        return None
    name = found["name"].strip()
    if len(name.split()) > 4 or name.casefold() in _NOT_SPEAKERS:
        return None
    return found


def score_plain(lines: Sequence[str]) -> int:
    score = 0
    for line in lines:
        found = _plain_header(line.strip())
        if found:
            # A time in front is a much stronger sign than "Word:" alone.
            score += 2 if found["bracket"] or found["clock"] else 1
    return score


def read_plain(lines: Sequence[str], clock: DayClock) -> list[RawMessage]:
    def recognise(line: str, current: RawMessage | None) -> RawMessage | None:
        found = _plain_header(line)
        if found is None:
            return None
        clock_text = found["bracket"] or found["clock"]
        return begin(found["name"], clock.clock_at(clock_text) if clock_text else None, found["text"] or "")

    return collect(lines, recognise)


CHAT_FORMATS: tuple[ChatFormat, ...] = (
    ChatFormat("zendesk-chat", score_zendesk, read_zendesk),
    ChatFormat("zoom", score_zoom, read_zoom),
    ChatFormat("slack-markdown", count_matches(_SLACK_MD_HEADER), read_slack_markdown),
    ChatFormat("slack", count_matches(_SLACK_HEADER), read_slack),
    ChatFormat("telegram", score_telegram, read_telegram),
    ChatFormat("teams", score_teams, read_teams),
    ChatFormat("intercom", score_intercom, read_intercom, min_score=2),
    ChatFormat("plain", score_plain, read_plain, min_score=2),
)
