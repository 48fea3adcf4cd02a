"""Converting stored UTC times to the workspace's display zone and back, for widgets."""
from __future__ import annotations

from datetime import UTC, datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import QDateTime, QTimeZone


def display_zone(name: str) -> ZoneInfo | timezone:
    try:
        return ZoneInfo(name) if name and name != "UTC" else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def to_qdatetime(value: datetime | None, zone_name: str) -> QDateTime:
    if value is None:
        return QDateTime()
    qt_zone = QTimeZone(zone_name.encode()) if zone_name and zone_name != "UTC" else QTimeZone.utc()
    return QDateTime.fromSecsSinceEpoch(int(value.timestamp()), qt_zone)


def from_qdatetime(value: QDateTime) -> datetime | None:
    if not value.isValid():
        return None
    return datetime.fromtimestamp(value.toSecsSinceEpoch(), tz=UTC)
