"""The follow-up check as an RFC 5545 calendar event, written by hand (no calendar dependency)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from .output_file import ICS, write_output

CRLF = "\r\n"
FOLD_OCTETS = 75
DURATION = timedelta(minutes=15)
PRODID = "-//Postmortem Desktop//Follow-up check//EN"


def escape_text(value: str) -> str:
    """TEXT escaping (RFC 5545 §3.3.11): backslash, semicolon, comma, newline."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """Splits a content line into pieces of at most 75 octets, never inside a UTF-8 character."""
    out: list[str] = []
    current, size, limit = "", 0, FOLD_OCTETS
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > limit:
            out.append(current)
            current, size, limit = "", 0, FOLD_OCTETS - 1  # continuation lines start with a space
        current += ch
        size += width
    out.append(current)
    return (CRLF + " ").join(out)


def _utc(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("calendar times must be aware datetimes")
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


@dataclass(frozen=True)
class WorkspaceLink:
    """Where a follow-up event points: a workspace file's URI, or a team workspace's address (no password)."""

    uri: str
    key: str  # part of the event's UID, so a second export of the same check replaces the first
    files: tuple[Path, ...] = ()  # the workspace's own files, which an output must never replace

    @classmethod
    def of_file(cls, path: Path | str) -> WorkspaceLink:
        return cls(Path(path).resolve().as_uri(), Path(path).stem, (Path(path),))


def follow_up_event(*, uid: str, start: datetime, incident_title: str, workspace: WorkspaceLink,
                    description: str = "", stamp: datetime | None = None) -> str:
    """A VCALENDAR holding one 15-minute VEVENT for the follow-up check of one incident."""
    link = workspace.uri
    body = description.strip() + ("\n\n" if description.strip() else "") + f"Workspace: {link}"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTAMP:{_utc(stamp or datetime.now(UTC))}",
        f"DTSTART:{_utc(start)}",
        f"DTEND:{_utc(start + DURATION)}",
        f"SUMMARY:{escape_text(f'Follow-up check: {incident_title}')}",
        f"DESCRIPTION:{escape_text(body)}",
        f"URL:{link}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(fold(line) + CRLF for line in lines)


def follow_up_check_event(*, incident_id: int, incident_title: str, start: datetime, workspace: WorkspaceLink,
                          stamp: datetime | None = None) -> str:
    """The follow-up check of one incident, the same from the app and the command line."""
    return follow_up_event(
        uid=f"followup-{incident_id}-{workspace.key}@postmortem-desktop", start=start,
        incident_title=incident_title, workspace=workspace, stamp=stamp,
        description=f"15-minute follow-up check of “{incident_title}”: repeat confusion, accounts that went "
                    "quiet, workarounds still in use, open action items.")


def export_follow_up_check(path: Path | str, *, incident_id: int, incident_title: str, start: datetime,
                           workspace: WorkspaceLink) -> Path:
    """Writes the follow-up check's .ics; never over the workspace, a workspace or a file of another kind."""
    event = follow_up_check_event(incident_id=incident_id, incident_title=incident_title, start=start,
                                  workspace=workspace)
    # bytes, not text mode: the CRLFs stay exactly as written on every platform
    return write_output(path, ICS, event.encode("utf-8"), inputs=workspace.files)


def write_follow_up_event(path: Path | str, **kwargs) -> Path:  # noqa: ANN003
    """Writes any follow_up_event (see its arguments) through the one output mechanism."""
    return write_output(path, ICS, follow_up_event(**kwargs).encode("utf-8"), inputs=kwargs["workspace"].files)
