"""What every system-event source reader returns: events as they will land, and what was skipped and why."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ...domain.vocabulary import SystemEventKind

MAX_TITLE = 200
ALERT, DEPLOY, MITIGATION, RECOVERY, STATUS_PAGE, NOTE = (k.value for k in (
    SystemEventKind.ALERT, SystemEventKind.DEPLOY, SystemEventKind.MITIGATION, SystemEventKind.RECOVERY,
    SystemEventKind.STATUS_PAGE, SystemEventKind.NOTE))


class EventFileError(ValueError):
    """A file that is no event source we know, or a damaged one; the message says what to do."""


@dataclass(frozen=True)
class SourceEvent:
    at: datetime          # aware, UTC
    kind: str
    title: str
    detail: str = ""

    def as_values(self, source: str) -> dict[str, Any]:
        """The SystemEvent columns; the source is kept as the detail's last line (the model has no column)."""
        detail = f"{self.detail}\n\nSource: {source}".strip() if source else self.detail
        return {"at": self.at, "kind": self.kind, "title": self.title, "detail": detail}


@dataclass
class EventFile:
    """One file read: its recognised source, the events in time order, and skipped items with reasons."""

    source: str                       # e.g. "Statuspage incident JSON"
    events: list[SourceEvent] = field(default_factory=list)
    skipped: list[tuple[int, str, str]] = field(default_factory=list)  # (line or item, text, reason)
    items_read: int = 0

    def sort(self) -> EventFile:
        self.events.sort(key=lambda e: (e.at, e.kind, e.title))
        return self


def event(at: datetime, kind: str, title: str, detail: str = "") -> SourceEvent:
    title = " ".join(str(title).split()) or "(no title)"
    if len(title) > MAX_TITLE:
        title = title[:MAX_TITLE - 1] + "…"
    return SourceEvent(at.astimezone(UTC), kind, title, str(detail or "").strip())


def iso_time(value: Any) -> datetime | None:
    """An ISO 8601 time from JSON (Z, offsets, up to nanoseconds); None when absent or unreadable.

    Times without a zone are taken as UTC: APIs that omit it (PagerDuty v1, GitHub) mean UTC.
    """
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    date_part, sep, rest = text.partition(".")
    if sep:  # Python reads at most microseconds: trim nanoseconds, keep the zone
        digits = len(rest) - len(rest.lstrip("0123456789"))
        text = f"{date_part}.{rest[:min(digits, 6)]}{rest[digits:]}"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.year < 1971:  # Alertmanager's "0001-01-01T00:00:00Z" means "not ended"
        return None
    return parsed.replace(tzinfo=parsed.tzinfo or UTC).astimezone(UTC)


def epoch_time(value: Any) -> datetime | None:
    """Seconds, milliseconds or microseconds since 1970 (told apart by size); None otherwise."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    for scale in (1, 1e3, 1e6, 1e9):
        if number / scale < 4_102_444_800:  # before 2100
            return datetime.fromtimestamp(number / scale, UTC) if number > 0 else None
    return None


def first_line(text: str, limit: int = 160) -> str:
    line = next((part.strip() for part in str(text or "").splitlines() if part.strip()), "")
    return line if len(line) <= limit else line[:limit - 1] + "…"
