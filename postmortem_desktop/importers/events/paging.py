"""Paging tools → alert/recovery events: PagerDuty incidents, log entries and notes (API JSON, CSV export),
and Opsgenie alert CSV exports.

A trigger or escalation is an alert, an acknowledgement or a note is a note (someone looked; nothing
failed or recovered), a resolution is a recovery.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from .base import ALERT, NOTE, RECOVERY, EventFile, epoch_time, event, first_line, iso_time

# log_entries "type" → (kind, verb)
_LOG_ENTRY_KINDS = {"trigger": (ALERT, "Triggered"), "escalate": (ALERT, "Escalated"),
                    "acknowledge": (NOTE, "Acknowledged"), "resolve": (RECOVERY, "Resolved"),
                    "annotate": (NOTE, "Note"), "notify": (NOTE, "Notified"), "assign": (NOTE, "Assigned")}


def is_pagerduty_json(data: Any) -> bool:
    if not isinstance(data, dict):
        return False
    for key in ("incidents", "log_entries", "notes"):
        items = data.get(key)
        if isinstance(items, list) and items and isinstance(items[0], dict):
            sample = items[0]
            if key == "incidents" and ("incident_number" in sample or "html_url" in sample
                                       and "pagerduty" in str(sample.get("html_url"))):
                return True
            if key == "log_entries" and "type" in sample and "created_at" in sample:
                return True
            if key == "notes" and "content" in sample and "created_at" in sample:
                return True
    return False


def read_pagerduty_json(data: Mapping[str, Any]) -> EventFile:
    result = EventFile(source="PagerDuty API JSON")
    for number, inc in enumerate(data.get("incidents") or [], start=1):
        result.items_read += 1
        _incident(result, number, inc)
    for number, entry in enumerate(data.get("log_entries") or [], start=1):
        result.items_read += 1
        at = iso_time(entry.get("created_at"))
        kind, verb = _LOG_ENTRY_KINDS.get(str(entry.get("type", "")).removesuffix("_log_entry"), (NOTE, "Log entry"))
        about = (entry.get("incident") or {}).get("summary") or entry.get("summary") or ""
        if at is None:
            result.skipped.append((number, str(about), "the log entry has no readable created_at"))
            continue
        who = (entry.get("agent") or {}).get("summary") or ""
        result.events.append(event(at, kind, f"{verb}: {about}" if about else verb,
                                   "\n".join(p for p in (str(entry.get("summary") or ""), f"By {who}" if who else "")
                                             if p)))
    for number, note in enumerate(data.get("notes") or [], start=1):
        result.items_read += 1
        at = iso_time(note.get("created_at"))
        who = (note.get("user") or {}).get("name") or (note.get("user") or {}).get("summary") or ""
        if at is None:
            result.skipped.append((number, first_line(note.get("content", "")), "the note has no readable time"))
            continue
        result.events.append(event(at, NOTE, f"PagerDuty note{f' by {who}' if who else ''}: "
                                             f"{first_line(note.get('content', ''), 120)}", note.get("content", "")))
    return result.sort()


def _incident(result: EventFile, number: int, inc: Mapping[str, Any]) -> None:
    """v1 (created_on, trigger_summary_data) and v2 (created_at, title) incidents alike."""
    title = (inc.get("title") or (inc.get("trigger_summary_data") or {}).get("subject")
             or inc.get("summary") or inc.get("incident_key") or f"Incident {inc.get('incident_number', '')}")
    service = (inc.get("service") or {}).get("name") or (inc.get("service") or {}).get("summary") or ""
    label = f"#{inc['incident_number']} " if inc.get("incident_number") else ""
    about = f"{label}{title}{f' ({service})' if service else ''}"
    created = iso_time(inc.get("created_on")) or iso_time(inc.get("created_at"))
    if created is None:
        result.skipped.append((number, about, "the incident has no readable created_on/created_at"))
        return
    urgency = inc.get("urgency") or ""
    result.events.append(event(created, ALERT, f"Triggered: {about}",
                               f"PagerDuty incident {inc.get('id', '')}, urgency {urgency}".strip(", ")))
    if str(inc.get("status")) == "resolved":
        resolved = iso_time(inc.get("resolved_at")) or iso_time(inc.get("last_status_change_on")) or \
            iso_time(inc.get("last_status_change_at"))
        who = (inc.get("resolved_by_user") or {}).get("name") or (inc.get("last_status_change_by") or {}).get("name")
        if resolved is not None:
            result.events.append(event(resolved, RECOVERY, f"Resolved: {about}", f"By {who}" if who else ""))


# ---- CSV exports --------------------------------------------------------------------------------

def _norm(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", header.strip().lower()).strip("_")


# Header names the vendors' exports use (PagerDuty's incident CSV and analytics export; Opsgenie's
# alert export), normalised to lower_snake.
_CREATED = ("created_on", "created_at", "created", "createdat", "created_at_date", "triggered_at", "opened_at")
_ACKED = ("acknowledged_on", "acknowledged_at", "first_acknowledged_at", "ackedat", "acknowledged_at_date",
          "ack_time")
_RESOLVED = ("resolved_on", "resolved_at", "resolved", "closed_at", "closedat", "closed_at_date", "resolve_time")
_TITLE = ("description", "title", "summary", "message", "alert_message", "incident_title")
_SERVICE = ("service_name", "service", "source", "entity")
_PAGERDUTY_MARKS = ("incident_number", "escalation_policy_name", "seconds_to_resolve", "service_name")
_OPSGENIE_MARKS = ("tinyid", "alias", "acknowledged", "integration_name", "integration_type", "count")


def paging_csv_vendor(headers: list[str]) -> str | None:
    names = {_norm(h) for h in headers}
    if not names & set(_CREATED) or not names & set(_TITLE):
        return None
    if sum(n in names for n in _PAGERDUTY_MARKS) >= 1:
        return "PagerDuty"
    if sum(n in names for n in _OPSGENIE_MARKS) >= 2:
        return "Opsgenie"
    return None


def read_paging_csv(text: str, vendor: str) -> EventFile:
    rows = list(csv.reader(io.StringIO(text)))
    headers = [_norm(h) for h in rows[0]]

    def col(names: tuple[str, ...]) -> int | None:
        return next((headers.index(n) for n in names if n in headers), None)

    created, acked, resolved = col(_CREATED), col(_ACKED), col(_RESOLVED)
    title_col, service_col = col(_TITLE), col(_SERVICE)
    number_col = col(("incident_number", "tinyid", "id"))
    result = EventFile(source=f"{vendor} CSV export")
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        result.items_read += 1
        number = f"#{_cell(row, number_col)} " if _cell(row, number_col) else ""
        service = f" ({_cell(row, service_col)})" if _cell(row, service_col) else ""
        about = f"{number}{_cell(row, title_col) or '(no title)'}{service}"
        start = _csv_time(_cell(row, created))
        if start is None:
            result.skipped.append((line, ",".join(row)[:200], f"cannot read the created time {_cell(row, created)!r}"))
            continue
        result.events.append(event(start, ALERT, f"Triggered: {about}", f"{vendor} row {line}"))
        ack = _csv_time(_cell(row, acked))
        if ack is not None:
            result.events.append(event(ack, NOTE, f"Acknowledged: {about}"))
        end = _csv_time(_cell(row, resolved))
        if end is not None:
            result.events.append(event(end, RECOVERY, f"Resolved: {about}"))
    return result.sort()


def _cell(row: Sequence[str], i: int | None) -> str:
    """Column `i` of a CSV row, stripped; "" when there is no such column or the row is short."""
    return row[i].strip() if i is not None and i < len(row) else ""


def _csv_time(text: str) -> datetime | None:
    """ISO times (PagerDuty), "2026-11-18 10:21:05" as UTC, or epoch milliseconds (Opsgenie)."""
    if not text:
        return None
    if text.replace(".", "", 1).isdigit():
        return epoch_time(text)
    return iso_time(text.replace(" UTC", "Z").replace(" ", "T", 1) if "T" not in text else text)
