"""Alerting tools → alert/recovery events: Prometheus Alertmanager and Grafana notification JSON,
Grafana annotations, Datadog events (API v1 and v2)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from .base import ALERT, DEPLOY, NOTE, RECOVERY, EventFile, epoch_time, event, first_line, iso_time


def is_alertmanager_json(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("alerts"), list) and \
        all(isinstance(a, dict) and "startsAt" in a for a in data["alerts"]) and bool(data["alerts"])


def read_alertmanager_json(data: Mapping[str, Any]) -> EventFile:
    """Each alert fires at startsAt; a resolved one recovers at endsAt (a zero endsAt means still firing)."""
    grafana = "orgId" in data or any("grafana_folder" in (a.get("labels") or {}) for a in data["alerts"])
    result = EventFile(source="Grafana alert notification JSON" if grafana else
                       "Prometheus Alertmanager notification JSON")
    for number, alert in enumerate(data["alerts"], start=1):
        result.items_read += 1
        labels, notes = alert.get("labels") or {}, alert.get("annotations") or {}
        name = labels.get("alertname") or "alert"
        where = labels.get("instance") or labels.get("service") or labels.get("job") or ""
        about = f"{name}{f' on {where}' if where else ''}"
        summary = notes.get("summary") or notes.get("description") or ""
        detail = "\n".join(p for p in (summary, notes.get("description", "") if summary != notes.get("description")
                                       else "", f"Severity: {labels['severity']}" if labels.get("severity") else "")
                           if p)
        start = iso_time(alert.get("startsAt"))
        if start is None:
            result.skipped.append((number, about, "the alert has no readable startsAt"))
            continue
        result.events.append(event(start, ALERT, f"Firing: {about}", detail))
        end = iso_time(alert.get("endsAt"))
        if alert.get("status") == "resolved" and end is not None:
            result.events.append(event(end, RECOVERY, f"Resolved: {about}", summary))
    return result.sort()


def is_grafana_annotations(data: Any) -> bool:
    return isinstance(data, list) and bool(data) and all(
        isinstance(a, dict) and "time" in a and ("text" in a or "tags" in a) for a in data)


def read_grafana_annotations(data: Sequence[Any]) -> EventFile:
    """Annotations (GET /api/annotations): a region has time and timeEnd; tags say what it marks."""
    result = EventFile(source="Grafana annotations JSON")
    for number, note in enumerate(data, start=1):
        result.items_read += 1
        at = epoch_time(note.get("time"))
        text = first_line(note.get("text", ""), 160) or ", ".join(note.get("tags") or []) or "annotation"
        if at is None:
            result.skipped.append((number, text, "the annotation has no readable time"))
            continue
        tags = " ".join(str(t).lower() for t in note.get("tags") or [])
        kind = DEPLOY if "deploy" in tags or "release" in tags else ALERT if note.get("alertId") else NOTE
        result.events.append(event(at, kind, text, note.get("text", "")))
        end = epoch_time(note.get("timeEnd"))
        if end is not None and end > at and note.get("alertId"):
            result.events.append(event(end, RECOVERY, f"Ended: {text}"))
    return result.sort()


# ---- Datadog ------------------------------------------------------------------------------------

_DATADOG_KIND = {"error": ALERT, "warning": ALERT, "success": RECOVERY}


def is_datadog_events(data: Any) -> bool:
    if not isinstance(data, dict):
        return False
    v1 = data.get("event") if isinstance(data.get("event"), dict) else (data.get("events") or [None])[0] \
        if isinstance(data.get("events"), list) else None
    if isinstance(v1, dict) and "date_happened" in v1:
        return True
    items = data.get("data")
    return isinstance(items, list) and bool(items) and all(
        isinstance(i, dict) and i.get("type") == "event" for i in items)


def read_datadog_events(data: Mapping[str, Any]) -> EventFile:
    result = EventFile(source="Datadog events JSON")
    v1 = [data["event"]] if isinstance(data.get("event"), dict) else data.get("events") or []
    for number, item in enumerate(v1, start=1):
        result.items_read += 1
        _datadog(result, number, epoch_time(item.get("date_happened")), item.get("title"), item.get("text"),
                 item.get("alert_type"))
    for number, item in enumerate(data.get("data") or [], start=1):
        result.items_read += 1
        outer = item.get("attributes") or {}
        inner = outer.get("attributes") or {}
        at = iso_time(outer.get("timestamp")) or epoch_time(inner.get("timestamp"))
        _datadog(result, number, at, inner.get("title") or outer.get("title"), outer.get("message"),
                 inner.get("status") or inner.get("alert_type"))
    return result.sort()


def _datadog(result: EventFile, number: int, at: datetime | None, title: Any, text: Any, status: Any) -> None:
    title = str(title or first_line(text or "") or "Datadog event")
    if at is None:
        result.skipped.append((number, title, "the event has no readable time"))
        return
    result.events.append(event(at, _DATADOG_KIND.get(str(status or "").lower(), NOTE), title, str(text or "")))
