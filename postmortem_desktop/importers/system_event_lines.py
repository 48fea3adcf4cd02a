"""Pasted log lines and alert/status CSVs → system events, each with its kind guessed (and editable later).

Understands ISO 8601 (`2026-11-18T10:21:05Z`, with offset or fraction), app-log shapes
(`2026-11-18 10:21:05,123 ERROR …`, `[2026-11-18 10:21:05] …`, `2026/11/18 10:21:05 …`) and syslog
(`Nov 18 10:21:05 host app[123]: …`, year taken from a reference date). Times without a zone are read
in the zone given (the workspace's display zone). Lines without a time continue the previous event's
detail (stack traces); any other line is reported as skipped, with the reason.
"""
from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from typing import Any

from ..domain.vocabulary import SystemEventKind

MAX_TITLE = 200

_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}

_ISO = re.compile(
    r"^\s*[\[(]?(?P<date>\d{4}[-/]\d{2}[-/]\d{2})[T ](?P<time>\d{1,2}:\d{2}(?::\d{2})?)"
    r"(?:[.,](?P<frac>\d{1,9}))?\s*(?P<zone>Z|UTC|GMT|[+-]\d{2}:?\d{2})?[\])]?\s*(?P<rest>.*)$", re.I)
_SYSLOG = re.compile(
    r"^\s*(?P<mon>[A-Za-z]{3})\s+(?P<day>\d{1,2})\s+(?P<time>\d{1,2}:\d{2}:\d{2})\s+(?P<rest>.*)$")
_SYSLOG_HOST = re.compile(r"^(?P<host>\S+)\s+(?P<app>[\w.\-/]+)(?:\[\d+\])?:\s*(?P<msg>.*)$")
_LEVEL = re.compile(r"^(?:[-:|]\s*)?(?P<level>TRACE|DEBUG|INFO|NOTICE|WARN(?:ING)?|ERROR|ERR|CRIT(?:ICAL)?|"
                    r"FATAL|ALERT|EMERG)\b[\s:|\-\]]*", re.I)

# Order matters: the first kind whose words appear wins ("rolled back the deploy" is a mitigation).
_KIND_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("status-page", ("status page", "statuspage", "status.io", "status update", "investigating", "identified",
                     "monitoring")),
    ("mitigation", ("rollback", "rolled back", "roll back", "revert", "failover", "fail over", "mitigat",
                    "restart", "scaled", "scale up", "scaling", "disabled", "paused", "feature flag", "drain",
                    "throttl", "workaround", "reconcil")),
    ("recovery", ("recovered", "recovery", "resolved", "back to normal", "healthy", "restored", "success rate back",
                  "alert cleared", "ok again", "normal")),
    ("deploy", ("deploy", "release", "rollout", "rolled out", "shipped", "hotfix", "migration", "upgrade")),
    ("alert", ("alert", "error", "fail", "timeout", "timed out", "latency", "5xx", "500", "502", "503",
               "exception", "paged", "page sent", "firing", "critical", "down", "unavailable", "degraded")),
)


@dataclass(frozen=True)
class ParsedEvent:
    at: datetime          # aware, UTC
    kind: str
    title: str
    detail: str
    line: int             # 1-based line (or CSV row) it came from

    def as_values(self) -> dict[str, object]:
        return {"at": self.at, "kind": self.kind, "title": self.title, "detail": self.detail}


@dataclass
class ParseResult:
    events: list[ParsedEvent] = field(default_factory=list)
    skipped: list[tuple[int, str, str]] = field(default_factory=list)  # (line, text, reason)


# Words match from a word start ("fail" finds "failed"; "down" does not find "slowdown").
_KIND_PATTERNS = tuple((kind, re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + ")", re.I))
                       for kind, words in _KIND_WORDS)


def guess_kind(text: str, level: str = "") -> str:
    for kind, pattern in _KIND_PATTERNS:
        if pattern.search(text):
            return kind
    if level.upper() in ("ERROR", "ERR", "CRIT", "CRITICAL", "FATAL", "ALERT", "EMERG", "WARN", "WARNING"):
        return SystemEventKind.ALERT.value
    return SystemEventKind.NOTE.value


class ImpossibleTime(ValueError):
    """A line starts like a timestamp whose date or time cannot exist (month 13, 25:61, year 0)."""


def parse_timestamp(text: str, zone: tzinfo = UTC, reference: date | None = None
                    ) -> tuple[datetime, str] | None:
    """(UTC time, the rest of the line) when text starts with a timestamp we know; None otherwise.

    Raises ImpossibleTime when the shape is known but the values are not a real time, so the
    caller can say so instead of gluing the line to the previous event.
    """
    try:
        m = _ISO.match(text)
        if m:
            return _iso_time(m, zone), m.group("rest")
        m = _SYSLOG.match(text)
        if m and m.group("mon").lower() in _MONTHS:
            return _syslog_time(m, zone, reference), m.group("rest")
    except (ValueError, OverflowError) as exc:  # out-of-range fields, or a time beyond year 1..9999 in UTC
        raise ImpossibleTime(f"the time at the start is not a real date and time ({exc})") from None
    return None


def _timestamp_or_none(text: str, zone: tzinfo, reference: date | None) -> tuple[datetime, str] | None:
    try:
        return parse_timestamp(text, zone, reference)
    except ImpossibleTime:
        return None


def _iso_time(m: re.Match[str], zone: tzinfo) -> datetime:
    day = datetime.strptime(m.group("date").replace("/", "-"), "%Y-%m-%d")
    parts = [int(p) for p in m.group("time").split(":")] + [0]
    frac = m.group("frac") or ""
    micro = int((frac + "000000")[:6]) if frac else 0
    value = day.replace(hour=parts[0], minute=parts[1], second=parts[2], microsecond=micro)
    z = (m.group("zone") or "").upper()
    if z in ("Z", "UTC", "GMT"):
        value = value.replace(tzinfo=UTC)
    elif z:
        sign = 1 if z[0] == "+" else -1
        digits = z[1:].replace(":", "")
        value = value.replace(tzinfo=timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))))
    else:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


def _syslog_time(m: re.Match[str], zone: tzinfo, reference: date | None) -> datetime:
    ref = reference or datetime.now(UTC).date()
    month, day = _MONTHS[m.group("mon").lower()], int(m.group("day"))
    hh, mm, ss = (int(p) for p in m.group("time").split(":"))
    year = ref.year
    # Syslog has no year: a December line read in January belongs to last year.
    if month > ref.month + 1:
        year -= 1
    return datetime(year, month, day, hh, mm, ss, tzinfo=zone).astimezone(UTC)


def _title_of(rest: str) -> tuple[str, str]:
    """(message, level) from what follows the timestamp: drops syslog host/app and the log level."""
    message = rest.strip()
    host = _SYSLOG_HOST.match(message)
    app = ""
    if host and not _LEVEL.match(message):
        app, message = host.group("app"), host.group("msg")
    level = ""
    lv = _LEVEL.match(message)
    if lv:
        level, message = lv.group("level"), message[lv.end():]
    message = message.strip() or app or "(no message)"
    return message, level


def parse_event_lines(text: str, *, zone: tzinfo = UTC, reference: date | None = None) -> ParseResult:
    """Each timestamped line becomes an event; untimed lines continue the previous event's detail."""
    result = ParseResult()
    pending: dict[str, Any] | None = None

    def flush() -> None:
        if pending is not None:
            result.events.append(ParsedEvent(**pending))

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        if not line.strip():
            continue
        try:
            found = parse_timestamp(line, zone, reference)
        except ImpossibleTime as exc:
            result.skipped.append((number, line, str(exc)))
            continue
        if found is None:
            if pending is not None:
                pending["detail"] = (pending["detail"] + "\n" + line.strip()).strip()
            else:
                result.skipped.append((number, line, "no time at the start of the line"))
            continue
        flush()
        at, rest = found
        message, level = _title_of(rest)
        title = message if len(message) <= MAX_TITLE else message[:MAX_TITLE - 1] + "…"
        pending = {"at": at, "kind": guess_kind(message, level), "title": title,
                   "detail": line.strip() if len(message) > MAX_TITLE or level else "", "line": number}
    flush()
    return result


_TIME_HEADERS = ("time", "timestamp", "at", "date", "datetime", "created", "created_at", "started", "started_at",
                 "start", "triggered", "triggered_at", "fired", "fired_at", "opened", "updated_at", "when")
_TITLE_HEADERS = ("title", "summary", "name", "alert", "alert_name", "message", "event", "description", "subject",
                  "text", "update", "status_update")
_KIND_HEADERS = ("kind", "type", "event_type", "category", "source")
_DETAIL_HEADERS = ("detail", "details", "description", "body", "notes", "note", "message")


def _column(headers: list[str], wanted: tuple[str, ...], exclude: AbstractSet[int] = frozenset()) -> int | None:
    norm = [re.sub(r"[^a-z0-9]+", "_", h.strip().lower()).strip("_") for h in headers]
    for name in wanted:
        for i, h in enumerate(norm):
            if h == name and i not in exclude:
                return i
    return None


def _dialect(sample: str) -> type[csv.Dialect]:
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        return csv.excel


def parse_event_csv(text: str, *, zone: tzinfo = UTC, reference: date | None = None) -> ParseResult:
    """A CSV of alerts or status updates with a header row: needs a time column and a title-like column."""
    result = ParseResult()
    rows = _csv_rows(text, result)
    if not rows:
        return result
    headers = rows[0]
    time_col = _column(headers, _TIME_HEADERS)
    title_col = _column(headers, _TITLE_HEADERS, {time_col} if time_col is not None else set())
    if time_col is None or title_col is None:
        result.skipped.append((1, ",".join(headers), "the header needs a time column (time, timestamp, created…) "
                               "and a title column (title, summary, alert, message…)"))
        return result
    used = {time_col, title_col}
    kind_col = _column(headers, _KIND_HEADERS, used)
    detail_col = _column(headers, _DETAIL_HEADERS, used | ({kind_col} if kind_col is not None else set()))
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        found = _timestamp_or_none(_cell(row, time_col), zone, reference)
        if found is None:
            result.skipped.append((number, ",".join(row), f"cannot read the time {_cell(row, time_col)!r}"))
            continue
        title = _cell(row, title_col) or "(no title)"
        declared = _cell(row, kind_col).lower().replace("_", "-").replace(" ", "-")
        kind = declared if declared in {k.value for k in SystemEventKind} else guess_kind(f"{declared} {title}")
        result.events.append(ParsedEvent(found[0], kind, title[:MAX_TITLE], _cell(row, detail_col), number))
    return result


def _cell(row: Sequence[str], i: int | None) -> str:
    """Column `i` of a CSV row, stripped; "" when there is no such column or the row is short."""
    return row[i].strip() if i is not None and i < len(row) else ""


def _csv_rows(text: str, result: ParseResult) -> list[list[str]]:
    """The rows up to the first one the csv module cannot read; that one is reported as skipped."""
    reader = csv.reader(io.StringIO(text), _dialect(text[:4096]))
    rows: list[list[str]] = []
    try:
        for row in reader:
            rows.append(row)
    except csv.Error as exc:  # a cell over the csv module's 128 KB (an unclosed quote)
        result.skipped.append((reader.line_num, "", f"cannot read the CSV from here on ({exc}); look for an "
                               "unclosed quote, close it and paste again"))
    return rows


def parse_events(text: str, *, zone: tzinfo = UTC, reference: date | None = None) -> ParseResult:
    """CSV when the first line looks like a header with a time column; log lines otherwise."""
    first = text.lstrip().split("\n", 1)[0]
    if _timestamp_or_none(first, zone, reference) is None and any(sep in first for sep in ",;\t"):
        headers = next(iter(_csv_rows(first, ParseResult())), [])
        if _column(headers, _TIME_HEADERS) is not None:
            return parse_event_csv(text, zone=zone, reference=reference)
    return parse_event_lines(text, zone=zone, reference=reference)


MAX_FILE_BYTES = 20 * 1024 * 1024


def read_events_file(path: str | os.PathLike[str], *, zone: tzinfo = UTC, reference: date | None = None) -> ParseResult:
    """Reads a CSV or log file (UTF-8, else Latin-1); an unreadable or huge file is one skipped entry."""
    from pathlib import Path

    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return ParseResult(skipped=[(0, path.name, f"the file is {size // 1_048_576} MB; split it into parts "
                                                       f"under {MAX_FILE_BYTES // 1_048_576} MB")])
        raw = path.read_bytes()
    except OSError as exc:
        return ParseResult(skipped=[(0, path.name, f"cannot read the file: {exc.strerror}")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    return parse_events(text, zone=zone, reference=reference)
