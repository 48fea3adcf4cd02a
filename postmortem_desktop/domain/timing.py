"""Domain rules about time: technical duration, customer impact window, the status-page gap."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta


@dataclass(frozen=True)
class Window:
    """A closed span of time; both ends aware datetimes in UTC."""

    start: datetime
    end: datetime

    @property
    def duration(self) -> timedelta:
        return self.end - self.start


def technical_window(first_failure: datetime | None, recovery: datetime | None) -> Window | None:
    """The technical window, or None until both ends are known and in order."""
    if first_failure is None or recovery is None or recovery < first_failure:
        return None
    return Window(first_failure, recovery)


def customer_impact_window(event_times: Iterable[datetime | None]) -> Window | None:
    """From the first to the last incident-related customer event; None when there are none.

    Callers pass only incident-related events: pre-existing confusion is kept out by the query.
    """
    first = last = None
    for at in event_times:
        if at is None:
            continue
        if first is None or at < first:
            first = at
        if last is None or at > last:
            last = at
    if first is None or last is None:  # both are set by the same first event
        return None
    return Window(first, last)


def status_page_gap(status_page_resolved: datetime | None, impact: Window | None) -> timedelta | None:
    """How long customers kept asking after the status page said resolved (None if they did not)."""
    if status_page_resolved is None or impact is None or impact.end <= status_page_resolved:
        return None
    return impact.end - status_page_resolved


def minutes(delta: timedelta | None) -> int | None:
    """Whole minutes, rounded to nearest, for listings and JSON."""
    if delta is None:
        return None
    return _whole_minutes(delta)


def _whole_minutes(delta: timedelta) -> int:
    return int(round(delta.total_seconds() / 60))


def format_duration(delta: timedelta | None) -> str:
    """'40 min', '4 h 35 min', '2 d 3 h' — the words the headline and lists use."""
    if delta is None:
        return "—"
    total = _whole_minutes(delta)
    if total < 60:
        return f"{total} min"
    hours, mins = divmod(total, 60)
    if hours < 48:
        return f"{hours} h {mins} min" if mins else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def headline(technical: Window | None, impact: Window | None, status_page_resolved: datetime | None) -> str:
    """The sentence the timeline and the report lead with."""
    parts = [f"Logs: {format_duration(technical.duration if technical else None)}."]
    parts.append(f"Customers: {format_duration(impact.duration if impact else None)}.")
    gap = status_page_gap(status_page_resolved, impact)
    if gap is not None:
        parts.append(f"Status page said resolved {format_duration(gap)} before the last customer question.")
    return " ".join(parts)


def outside_window(times: Iterable[datetime | None], start: datetime | None, end: datetime | None) -> int:
    """How many of these (dated) times fall outside [start, end], an open end bounding nothing: a pasted chat
    from another year is said before it is added, not found missing from the timeline afterwards."""
    low = as_utc(start) if start is not None else None  # once, not per time: a paste has 600,000 of them
    high = as_utc(end) if end is not None else None
    return sum(1 for at in times if at is not None and ((low is not None and as_utc(at) < low)
                                                         or (high is not None and as_utc(at) > high)))


def as_utc(value: datetime) -> datetime:
    """An aware UTC datetime; naive values are taken to be UTC already (as stored)."""

    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
