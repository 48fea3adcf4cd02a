"""The rule that reads the technical window and the status-page "resolved" time off system events.

Suggestions only: the person confirms them (the app and the command line show the reason beside each).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from .vocabulary import SystemEventKind

RESOLVED_PREFIX = "resolved"  # status-page events are titled "<Status> — <incident>" by the importers


@dataclass(frozen=True)
class Suggestion:
    at: datetime | None
    reason: str


@dataclass(frozen=True)
class WindowSuggestion:
    technical_start: Suggestion
    technical_end: Suggestion
    status_page_resolved: Suggestion

    def fields(self) -> dict[str, datetime]:
        """The incident fields that have a suggested value."""
        return {name: s.at for name, s in (("technical_start", self.technical_start),
                                           ("technical_end", self.technical_end),
                                           ("status_page_resolved", self.status_page_resolved)) if s.at is not None}


def suggest_window(events: Iterable[tuple[datetime, str, str]]) -> WindowSuggestion:
    """From (at, kind, title): first alert → the last recovery after the last alert; the last "Resolved"
    status-page update. A recovery before the last alert does not end the window: it failed again."""
    ordered = sorted(events)  # by time, then kind and title: ties resolve the same way every time
    alerts = [e for e in ordered if e[1] == SystemEventKind.ALERT.value]
    recoveries = [e for e in ordered if e[1] == SystemEventKind.RECOVERY.value]
    resolved = [e for e in ordered if e[1] == SystemEventKind.STATUS_PAGE.value
                and e[2].strip().lower().startswith(RESOLVED_PREFIX)]
    if alerts:
        start = Suggestion(alerts[0][0], f"first alert: {alerts[0][2]}")
        after = [r for r in recoveries if r[0] >= alerts[-1][0]]
        end = (Suggestion(after[-1][0], f"last recovery after the last alert: {after[-1][2]}") if after else
               Suggestion(None, f"no recovery after the last alert ({alerts[-1][2]})"))
    else:
        start = Suggestion(None, "no alert among the system events")
        end = Suggestion(recoveries[-1][0], f"last recovery: {recoveries[-1][2]}") if recoveries else \
            Suggestion(None, "no recovery among the system events")
    page = (Suggestion(resolved[-1][0], f"status page said: {resolved[-1][2]}") if resolved else
            Suggestion(None, "no “Resolved” status-page update"))
    return WindowSuggestion(start, end, page)
