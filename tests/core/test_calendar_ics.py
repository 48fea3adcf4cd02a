"""The follow-up .ics event: valid RFC 5545 that a calendar parser accepts, folded and escaped."""
from datetime import datetime, timedelta, timezone
from pathlib import Path

import icalendar

from postmortem_desktop.reporting.calendar_ics import (
    WorkspaceLink,
    escape_text,
    fold,
    follow_up_event,
    write_follow_up_event,
)

START = datetime(2026, 11, 27, 15, 0, tzinfo=timezone.utc)


def make(title="Billing page payment submit timed out", **kw):
    return follow_up_event(uid="followup-1@test", start=START, incident_title=title,
                           workspace=WorkspaceLink.of_file(Path("/tmp/My incidents.pmw")),
                           stamp=datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc), **kw)


def test_event_parses_with_fifteen_minutes_title_and_link():
    cal = icalendar.Calendar.from_ical(make())
    event = next(c for c in cal.walk() if c.name == "VEVENT")
    assert event.decoded("dtstart") == START
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(minutes=15)
    assert "Billing page payment submit timed out" in str(event["summary"])
    assert str(event["url"]) == "file:///tmp/My%20incidents.pmw"
    assert "file:///tmp/My%20incidents.pmw" in str(event["description"])
    assert str(event["uid"]) == "followup-1@test"
    assert event.decoded("dtstamp") == datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)


def test_lines_end_with_crlf_and_fit_75_octets():
    text = make(title="Ünïcödé " * 30, description="long " * 80)
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")
    for line in text.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75


def test_folding_never_splits_a_multibyte_character_and_round_trips():
    title = "Платёжная страница не отвечала, клиенты платили дважды; «срочно»\nвторая строка"
    cal = icalendar.Calendar.from_ical(make(title=title))
    event = next(c for c in cal.walk() if c.name == "VEVENT")
    assert str(event["summary"]) == f"Follow-up check: {title}"


def test_escaping_of_commas_semicolons_backslashes_and_newlines():
    assert escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"


def test_fold_continuation_lines_start_with_a_space():
    folded = fold("X" * 200)
    pieces = folded.split("\r\n")
    assert len(pieces) == 3 and all(p.startswith(" ") for p in pieces[1:])
    assert "".join(p[1:] if i else p for i, p in enumerate(pieces)) == "X" * 200


def test_written_file_keeps_crlf(tmp_path):
    path = write_follow_up_event(tmp_path / "f.ics", uid="u@x", start=START, incident_title="T",
                                 workspace=WorkspaceLink.of_file(tmp_path / "w.pmw"))
    assert b"\r\nEND:VCALENDAR\r\n" in path.read_bytes()
