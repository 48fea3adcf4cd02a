"""Importing a file of system events into an incident: plan (preview), then one undoable, all-or-nothing step.

Re-importing is idempotent: an event already on the incident with the same time, kind and title is
left alone, so a status page saved twice, or a log read again after more lines were added, adds only
what is new. Events outside the incident's review window (a month of PagerDuty history, a log that
spans days) are counted and left out unless the person includes them, as the ticket import does.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ..domain.errors import MissingIncident
from ..domain.system_window import WindowSuggestion, suggest_window
from ..importers.dates import zone_for
from ..importers.events import EventFile, read_event_file
from ..storage.schema import Incident, SystemEvent
from ..storage.workspace import Workspace
from .settings import get_setting
from .timeline import AddSystemEvents


@dataclass
class EventImportPlan:
    """What an import will do, shown before it is done (the preview) and reported after it."""

    incident_id: int
    file_name: str
    source: str
    new: list[dict[str, Any]] = field(default_factory=list)   # SystemEvent values, in time order
    outside: list[dict[str, Any]] = field(default_factory=list)  # new, but outside the review window
    already_present: int = 0
    skipped: list[tuple[int, str, str]] = field(default_factory=list)
    items_read: int = 0
    suggestion: WindowSuggestion | None = None
    suggestion_with_outside: WindowSuggestion | None = None  # if the person includes them

    @property
    def counts(self) -> dict[str, int]:
        return dict(sorted(Counter(v["kind"] for v in self.new).items()))

    def include_outside_window(self) -> None:
        """Takes the events outside the review window in too (the person asked for them)."""
        self.new = sorted(self.new + self.outside, key=lambda v: (v["at"], v["kind"], v["title"]))
        self.outside = []

    def command(self) -> AddSystemEvents | None:
        """The one undo step that stores every new event; None when there is nothing new."""
        if not self.new:
            return None
        return AddSystemEvents(self.incident_id, self.new,
                               name=f"Import {len(self.new)} System Events from {self.file_name}")

    def to_json(self, *, dry_run: bool) -> dict[str, Any]:
        s = self.suggestion
        return {
            "file": self.file_name, "source": self.source, "items_read": self.items_read, "dry_run": dry_run,
            "imported" if not dry_run else "would_import": len(self.new), "already_present": self.already_present,
            "outside_window": len(self.outside),
            "by_kind": self.counts,
            "skipped": [{"line": n, "text": text, "reason": reason} for n, text, reason in self.skipped],
            "suggested": {name: {"at": getattr(s, name).at.isoformat() if getattr(s, name).at else None,
                                 "reason": getattr(s, name).reason}
                          for name in ("technical_start", "technical_end", "status_page_resolved")} if s else {},
        }


def reading_context(workspace: Workspace, incident_id: int) -> tuple[Any, date]:
    """The zone for times written without one (the workspace's display zone) and the reference day for
    log times without a year (the incident's start)."""
    zone = zone_for(get_setting(workspace, "display_timezone", "UTC") or "UTC")
    with workspace.reading() as session:
        inc = session.get(Incident, incident_id)
        if inc is None:
            raise MissingIncident(incident_id)
        anchor = inc.technical_start or inc.review_start or inc.created_at or datetime.now(UTC)
    return zone, anchor.date()


def plan_import(workspace: Workspace, incident_id: int, events: EventFile, file_name: str, *,
                include_outside_window: bool = False) -> EventImportPlan:
    """Compares a read file with the incident's events; the suggestion covers old and new events alike."""
    with workspace.reading() as session:
        inc = session.get(Incident, incident_id)
        if inc is None:
            raise MissingIncident(incident_id)
        window = (inc.review_start, inc.review_end)
        existing = [(at, kind, title) for at, kind, title in session.execute(
            select(SystemEvent.at, SystemEvent.kind, SystemEvent.title).where(SystemEvent.incident_id == incident_id))]
    present = {(at.astimezone(UTC), kind, title) for at, kind, title in existing}
    plan = EventImportPlan(incident_id, file_name, events.source, skipped=list(events.skipped),
                           items_read=events.items_read)
    for ev in events.events:
        key = (ev.at, ev.kind, ev.title)
        if key in present:
            plan.already_present += 1
            continue
        present.add(key)  # the same event twice in one file lands once
        inside = include_outside_window or not (window[0] and window[1]) or window[0] <= ev.at <= window[1]
        (plan.new if inside else plan.outside).append(ev.as_values(f"{events.source}, {file_name}"))
    outside = {(v["at"], v["kind"], v["title"]) for v in plan.outside}
    plan.suggestion = suggest_window(present - outside)
    plan.suggestion_with_outside = suggest_window(present) if outside else None
    return plan


def plan_file(workspace: Workspace, incident_id: int, path: Path | str, *, source: str | None = None,
              include_outside_window: bool = False) -> EventImportPlan:
    zone, reference = reading_context(workspace, incident_id)
    events = read_event_file(path, zone=zone, reference=reference, source=source)
    return plan_import(workspace, incident_id, events, Path(path).name,
                       include_outside_window=include_outside_window)
