"""Recognises an event source from a file's content (not its name) and reads it with the right reader."""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import UTC, date, tzinfo
from pathlib import Path
from typing import Any

from .. import system_event_lines
from . import alerting, deploys, logs, paging, slack_export, statuspage
from .base import EventFile, EventFileError, event

MAX_FILE_BYTES = 200 * 1024 * 1024

# (name, test on parsed JSON, reader) in the order they are tried: the most specific shapes first.
_JSON_SOURCES: tuple[tuple[str, Callable[[Any], bool], Callable[[Any], EventFile]], ...] = (
    ("statuspage", statuspage.is_statuspage_json, statuspage.read_statuspage_json),
    ("pagerduty", paging.is_pagerduty_json, paging.read_pagerduty_json),
    ("alertmanager", alerting.is_alertmanager_json, alerting.read_alertmanager_json),
    ("datadog", alerting.is_datadog_events, alerting.read_datadog_events),
    ("github", deploys.is_github_json, deploys.read_github_json),
    ("grafana-annotations", alerting.is_grafana_annotations, alerting.read_grafana_annotations),
)
TEXT_SOURCES = ("feed", "git-log", "paging-csv", "alerts-csv", "log", "lines")
SOURCE_NAMES = tuple(name for name, _t, _r in _JSON_SOURCES) + TEXT_SOURCES


def read_event_file(path: Path | str, *, zone: tzinfo = UTC, reference: date | None = None,
                    source: str | None = None) -> EventFile:
    """Reads one file of system events; EventFileError says what is wrong and what to do."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise EventFileError(f"{path.name} is {size // 1_048_576} MB; split it into parts under "
                                 f"{MAX_FILE_BYTES // 1_048_576} MB")
        raw = path.read_bytes()
    except OSError as exc:
        raise EventFileError(f"cannot read {path.name}: {exc.strerror}") from exc
    if raw[:4] == b"PK\x03\x04":
        raise EventFileError(f"{path.name} is a zip archive but not a Slack workspace export (no channels.json "
                             "with per-day channel files); unpack it and import the files inside")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    return read_event_text(text, zone=zone, reference=reference, source=source)


def sniff_event_file(path: Path | str) -> bool:
    """Whether a .csv, .xml or .zip file is a paging export, a status feed or a Slack export rather than
    a ticket dump (decides where a dropped file goes); reads only the file's start (a zip's index)."""
    if slack_export.is_slack_export(Path(path)):
        return True
    try:
        with open(path, "rb") as handle:
            head = handle.read(65536).decode("utf-8-sig", errors="replace")
    except OSError:
        return False
    if statuspage.is_feed(head):
        return True
    first = head.lstrip().split("\n", 1)[0]
    try:
        return paging.paging_csv_vendor(next(csv.reader(io.StringIO(first)), [])) is not None
    except csv.Error:  # a bare CR in the first line: a zip's or other binary file's bytes, not a paging CSV
        return False


def read_event_text(text: str, *, zone: tzinfo = UTC, reference: date | None = None,
                    source: str | None = None) -> EventFile:
    try:
        return _read_text(text, zone=zone, reference=reference, source=source)
    except csv.Error as exc:  # e.g. a field past the csv module's size limit: a damaged or hostile file
        raise EventFileError(f"the file cannot be read as CSV ({exc}); export it again from the tool") from exc
    except RecursionError as exc:
        raise EventFileError("the file nests too deeply to be an export of any tool we know") from exc


def _read_text(text: str, *, zone: tzinfo, reference: date | None, source: str | None) -> EventFile:
    if source is not None and source not in SOURCE_NAMES:
        raise EventFileError(f"unknown source {source!r}; use one of {', '.join(SOURCE_NAMES)}")
    # Sniffing looks at the start only: a 50 MB log is split into lines once, by its reader.
    head = text[:65536].lstrip()
    if head[:1] in ("{", "[") and source in (None, *[n for n, _t, _r in _JSON_SOURCES]):
        data = _json(text)
        if data is not None:
            return _read_json(data, source)
    if source in (None, "feed") and statuspage.is_feed(head):
        return statuspage.read_status_feed(text)
    if source in (None, "git-log") and deploys.looks_like_git_log(head):
        return deploys.read_git_log(text)
    first = head.split("\n", 1)[0]
    headers = next(csv.reader(io.StringIO(first)), []) if "," in first or "\t" in first else []
    vendor = paging.paging_csv_vendor(headers)
    if source in (None, "paging-csv") and vendor:
        return paging.read_paging_csv(text.lstrip(), vendor)
    log_shape = logs.looks_like_log(head)
    if source in (None, "alerts-csv", "lines") and (source or not log_shape):
        result = system_event_lines.parse_events(text, zone=zone, reference=reference)
        if result.events or source:
            return _from_lines(result)
    if source in (None, "log") and log_shape:
        return logs.read_log(text, zone=zone, reference=reference)
    raise EventFileError("this is not a system-event source we recognise: expected Statuspage JSON or a "
                         "status feed, PagerDuty/Opsgenie/Alertmanager/Grafana/Datadog exports, GitHub "
                         "deployments or releases, git log output, an alerts CSV with a time column, or "
                         "timestamped log lines")


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        return None  # JSON Lines (journald) or damaged: the text readers decide


def _read_json(data: Any, source: str | None) -> EventFile:
    for name, test, reader in _JSON_SOURCES:
        if (source is None and test(data)) or source == name:
            try:
                return reader(data)
            except (AttributeError, TypeError, KeyError) as exc:
                raise EventFileError(f"the file looks like {name} JSON but a field has an unexpected shape "
                                     f"({type(exc).__name__}: {exc}); export it again from the tool") from exc
    raise EventFileError("this JSON is not an event source we recognise (Statuspage incidents, PagerDuty "
                         "incidents/log entries/notes, Alertmanager or Grafana notifications, Datadog events, "
                         "GitHub deployments or releases)")


def _from_lines(parsed: system_event_lines.ParseResult) -> EventFile:
    """The pasted-lines / alerts-CSV reader's result in the common shape."""
    result = EventFile(source="alerts CSV or log lines", skipped=list(parsed.skipped),
                       items_read=len(parsed.events) + len(parsed.skipped))
    result.events = [event(e.at, e.kind, e.title, e.detail) for e in parsed.events]
    return result.sort()
