"""Log files → burst events: error lines close together become one alert
("5xx burst 10:21–10:40, 3,412 lines, peak 410/min") rather than one event per line.

The line shape (access log, journald JSON, syslog RFC 3164/5424, Apache error log, ISO- or
epoch-prefixed application log) is recognised once from the first lines, so each further line costs
one regular expression; only error lines have their time read, and repeated stamps are read once.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo

from ...domain.json_input import load_json
from .base import ALERT, EventFile, SourceEvent, event

BURST_GAP_SECONDS = 300      # error lines further apart than this start a new burst
MAX_SKIPPED_LISTED = 200     # beyond this, skipped lines are counted, not listed one by one
_FAILURE_WORDS = re.compile(r"\b(fail(?:ed|ure)?|fatal|panic|exception|refused|timed out|timeout|unavailable)\b",
                            re.I)
_HTTP_5XX = re.compile(r'(?:" |status[:=]\s*)(5\d\d)\b')
_MONTHS = {m: i for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
                                       "Nov", "Dec"), start=1)}


@dataclass
class _Shape:
    name: str
    pattern: re.Pattern[str]
    read_time: Callable[[str, tzinfo, date], datetime | None]
    search: bool = False


def _iso(ts: str, zone: tzinfo, _ref: date) -> datetime | None:
    text = ts.replace(",", ".").replace(" ", "T", 1)
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=zone)).astimezone(UTC)


def _access(ts: str, _zone: tzinfo, _ref: date) -> datetime | None:
    try:
        return datetime.strptime(ts, "%d/%b/%Y:%H:%M:%S %z").astimezone(UTC)
    except ValueError:
        return None


def _apache(ts: str, zone: tzinfo, _ref: date) -> datetime | None:
    try:
        value = datetime.strptime(re.sub(r"\.\d+", "", ts), "%a %b %d %H:%M:%S %Y")
    except ValueError:
        return None
    return value.replace(tzinfo=zone).astimezone(UTC)


def _syslog(ts: str, zone: tzinfo, ref: date) -> datetime | None:
    mon, day, clock = ts.split()
    if mon not in _MONTHS:
        return None
    # syslog has no year: a December line read against a January incident belongs to the year before
    year = ref.year - 1 if _MONTHS[mon] > ref.month + 1 else ref.year
    try:
        hh, mm, ss = (int(p) for p in clock.split(":"))
        return datetime(year, _MONTHS[mon], int(day), hh, mm, ss, tzinfo=zone).astimezone(UTC)
    except ValueError:
        return None


def _epoch(ts: str, _zone: tzinfo, _ref: date) -> datetime | None:
    return datetime.fromtimestamp(float(ts), UTC)


def _hdfs(ts: str, zone: tzinfo, _ref: date) -> datetime | None:
    try:
        return datetime.strptime(ts, "%y%m%d %H%M%S").replace(tzinfo=zone).astimezone(UTC)
    except ValueError:
        return None


_SHAPES = (
    _Shape("access log", re.compile(r'\[(?P<ts>\d{2}/\w{3}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4})\] '
                                    r'(?P<msg>"[^"]*" (?P<status>\d{3}).*)'),
           _access, search=True),
    _Shape("Apache error log", re.compile(r"^\[(?P<ts>\w{3} \w{3} \d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)? \d{4})\]\s*"
                                          r"(?P<msg>.*)"), _apache),
    _Shape("syslog (RFC 5424)", re.compile(r"^<(?P<pri>\d{1,3})>1 (?P<ts>\S+) (?P<msg>.*)"), _iso),
    _Shape("syslog", re.compile(r"^(?:<(?P<pri>\d{1,3})>)?(?P<ts>[A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2})\s+"
                                r"(?P<msg>.*)"), _syslog),
    _Shape("ISO-stamped log", re.compile(r"(?P<ts>\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?"
                                         r"(?:Z|[+-]\d{2}:?\d{2})?)\]?\s*(?P<msg>.*)"), _iso, search=True),
    _Shape("epoch-stamped log", re.compile(r"^\[?(?P<ts>1\d{9}(?:\.\d{1,9})?)\]?\s+(?P<msg>.*)"), _epoch),
    _Shape("HDFS log", re.compile(r"^(?P<ts>\d{6} \d{6})\s+(?P<msg>.*)"), _hdfs),
)


@dataclass
class _Burst:
    """Every error line of one label: (epoch seconds, message code), and the messages by code."""

    label: str
    lines: list[tuple[float, int]] = field(default_factory=list)
    codes: dict[str, int] = field(default_factory=dict)

    def add(self, at: float, message: str) -> None:
        key = _normalised(message)
        self.lines.append((at, self.codes.setdefault(key, len(self.codes))))


def looks_like_log(text: str) -> str | None:
    """The name of the line shape most of the first lines have, or None."""
    lines = [line for line in text.splitlines()[:60] if line.strip()]
    if not lines:
        return None
    if sum(_is_journald(line) for line in lines) * 2 > len(lines):
        return "journald JSON"
    shape = _best_shape(lines)
    return shape.name if shape else None


def _best_shape(lines: list[str]) -> _Shape | None:
    best, hits = None, 0
    for shape in _SHAPES:
        find = shape.pattern.search if shape.search else shape.pattern.match
        count = sum(1 for line in lines if (m := find(line[:400])) and (not shape.search or m.start() < 80))
        if count > hits:
            best, hits = shape, count
    return best if hits * 2 > len(lines) else None


def _is_journald(line: str) -> bool:
    return line.lstrip().startswith("{") and "__REALTIME_TIMESTAMP" in line


def read_log(text: str, *, zone: tzinfo = UTC, reference: date | None = None) -> EventFile:
    lines = text.splitlines()
    sample = [line for line in lines[:60] if line.strip()]
    reference = reference or datetime.now(UTC).date()
    if sample and sum(_is_journald(line) for line in sample) * 2 > len(sample):
        result, bursts = _journald(lines, zone)
    else:
        shape = _best_shape(sample)
        if shape is None:
            return EventFile(source="log lines", skipped=[(0, sample[0][:200] if sample else "",
                                                           "no log line shape recognised: lines should start with "
                                                           "a timestamp (ISO, syslog, access-log, epoch)")])
        result, bursts = _scan(lines, shape, zone, reference)
    result.events = list(_burst_events(bursts, zone))
    return result.sort()


def _scan(lines: list[str], shape: _Shape, zone: tzinfo, reference: date) -> tuple[EventFile, dict[str, _Burst]]:
    result = EventFile(source=f"{shape.name} ({len(lines):,} lines)")
    find = shape.pattern.search if shape.search else shape.pattern.match
    times: dict[str, datetime | None] = {}
    bursts: dict[str, _Burst] = {}
    untimed = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        result.items_read += 1
        m = find(line)
        if m is None:
            untimed += 1  # stack traces and wrapped lines continue the line before
            continue
        message = m["msg"]
        groups = m.groupdict()
        label = _error_label(message, groups.get("pri"), groups.get("status"))
        if label is None:
            continue
        ts = m["ts"]
        at = times[ts] if ts in times else times.setdefault(ts, shape.read_time(ts, zone, reference))
        if at is None:
            _skip(result, number, line, f"cannot read the time {ts!r}")
            continue
        bursts.setdefault(label, _Burst(label)).add(at.timestamp(), message)
    if untimed:
        result.skipped.append((0, "", f"{untimed:,} lines without a time at the start (continuations such as "
                                      "stack traces) were read with the line before"))
    return result, bursts


def _journald(lines: list[str], zone: tzinfo) -> tuple[EventFile, dict[str, _Burst]]:
    result = EventFile(source=f"journald JSON ({len(lines):,} lines)")
    bursts: dict[str, _Burst] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        result.items_read += 1
        try:
            entry = load_json(line)  # a line nested too deeply is skipped, as any damaged one
            at = int(entry["__REALTIME_TIMESTAMP"]) / 1e6
            priority = int(entry.get("PRIORITY", 6))
        except (ValueError, KeyError, TypeError):
            _skip(result, number, line, "not a journald JSON entry with __REALTIME_TIMESTAMP")
            continue
        if priority > 3:  # 0 emerg … 3 err; warnings and below are not failures
            continue
        message = entry.get("MESSAGE")
        message = message if isinstance(message, str) else "(binary message)"
        bursts.setdefault("Error", _Burst("Error")).add(at, f"{entry.get('SYSLOG_IDENTIFIER', '')}: {message}")
    return result, bursts


# One case-sensitive search over the upper-cased head of the line: case-insensitive alternations
# took ~60 µs a line (12 s for 200,000 lines); this takes a few.
_LEVEL_WORD = re.compile(r"\b(TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|ERR|CRIT|CRITICAL|FATAL|ALERT|EMERG|"
                         r"EMERGENCY|SEVERE|PANIC)\b")
_SEVERE_LEVELS = frozenset({"ERROR", "ERR", "CRIT", "CRITICAL", "FATAL", "ALERT", "EMERG", "EMERGENCY", "SEVERE",
                            "PANIC"})
_FAILURE_HINTS = ("fail", "fatal", "panic", "exception", "refused", "timed out", "timeout", "unavailable")


def _error_label(message: str, pri: str | None, status: str | None = None) -> str | None:
    """'5xx', 'Error' or 'Failure' for a line that reports a failure; None for any other line."""
    if status is not None:  # an access log: the HTTP status alone decides
        return "5xx" if status[0] == "5" else None
    if pri is not None and int(pri) % 8 <= 3:
        return "Error"
    if ('" 5' in message or "status" in message) and _HTTP_5XX.search(message):
        return "5xx"
    level = _LEVEL_WORD.search(message[:120].upper())
    if level is not None:
        return "Error" if level.group(1) in _SEVERE_LEVELS else None
    lower = message.lower()
    if any(h in lower for h in _FAILURE_HINTS) and _FAILURE_WORDS.search(message):
        return "Failure"
    return None


_VARIABLE = re.compile(r"\d+|[0-9a-f]{8,}|\[[^\]]*\]")
_LEADING_LEVEL = re.compile(r"^[\s\-:|\[]*(?:TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|ERR|CRIT|CRITICAL|FATAL|"
                            r"ALERT|EMERG|SEVERE|PANIC)\b[\]\s:|\-]*", re.I)


def _normalised(message: str) -> str:
    """A message without its level, numbers and ids blanked, so 3,000 lines of one error count as one."""
    return _VARIABLE.sub("#", _LEADING_LEVEL.sub("", message.strip()))[:160]


def _skip(result: EventFile, number: int, line: str, reason: str) -> None:
    if len(result.skipped) < MAX_SKIPPED_LISTED:
        result.skipped.append((number, line[:200], reason))


def _burst_events(bursts: Mapping[str, _Burst], zone: tzinfo) -> Iterator[SourceEvent]:
    for burst in bursts.values():
        lines = sorted(burst.lines)
        texts = {code: text for text, code in burst.codes.items()}
        start = 0
        for i in range(1, len(lines) + 1):
            if i == len(lines) or lines[i][0] - lines[i - 1][0] > BURST_GAP_SECONDS:
                yield _one_burst(burst.label, lines[start:i], texts, zone)
                start = i


def _one_burst(label: str, lines: list[tuple[float, int]], texts: Mapping[int, str], zone: tzinfo) -> SourceEvent:
    first, last = lines[0][0], lines[-1][0]
    top = Counter(code for _t, code in lines).most_common(3)
    common = "\n".join(f"{count:,} × {texts[code]}" for code, count in top)
    at = datetime.fromtimestamp(first, UTC)
    if len(lines) == 1:
        return event(at, ALERT, f"{label}: {texts[top[0][0]]}", common)
    peak = max(Counter(int(t // 60) for t, _c in lines).values())

    def clock(t: float) -> str:
        return datetime.fromtimestamp(t, UTC).astimezone(zone).strftime("%H:%M")

    title = f"{label} burst {clock(first)}–{clock(last)}, {len(lines):,} lines, peak {peak:,}/min"
    return event(at, ALERT, title, f"Lasted {timedelta(seconds=round(last - first))}. Most frequent:\n{common}")
