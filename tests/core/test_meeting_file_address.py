"""A team incident saved to a file for a meeting remembers the team workspace it came from (so publishing it back
needs no address typed again), and never its password: passwords live only in the keyring or libpq's sources."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from postmortem_desktop.services import publish as publishing
from postmortem_desktop.services.publish import publish, save_incident_as_file
from postmortem_desktop.storage.schema import WorkspaceSetting
from postmortem_desktop.storage.workspace import create_workspace, open_workspace

PASSWORD = "Meeting-Sekrit-77"


@pytest.fixture
def team_incident(password_login, demo_copy):
    """(the team workspace's address, no password in it; an incident there), reached with PASSWORD only."""
    url = password_login("ana", PASSWORD)
    source, team = open_workspace(demo_copy), open_workspace(url, password=PASSWORD)
    try:
        result = publish(source, team)
    finally:
        source.close()
        team.close()
    return url, result.incidents[0].target_id


def _settings(path) -> dict[str, str]:
    ws = open_workspace(path, read_only=True)
    try:
        with ws.reading() as session:
            return {row.key: row.value for row in session.scalars(select(WorkspaceSetting))}
    finally:
        ws.close()


@pytest.mark.parametrize("given", ["typed", "in the address"])
def test_a_meeting_file_remembers_the_team_address_it_was_saved_from_and_no_password(team_incident, tmp_path,
                                                                                      given):
    url, incident_id = team_incident
    opened_with = url.replace("@", f":{PASSWORD}@", 1) if given == "in the address" else url
    team = open_workspace(opened_with, password=PASSWORD if given == "typed" else None)
    try:
        saved = save_incident_as_file(team, tmp_path / "meeting.pmw", incident_id)
    finally:
        team.close()
    assert url in _settings(tmp_path / "meeting.pmw").values()
    assert PASSWORD.encode() not in (tmp_path / "meeting.pmw").read_bytes()
    meeting = open_workspace(tmp_path / "meeting.pmw")
    try:
        assert publishing.saved_from(meeting, saved.incidents[0].target_id) == url
        assert publishing.saved_from(meeting, -1) == url  # no incident selected: the one it holds came from there
    finally:
        meeting.close()


def test_a_copy_of_a_meeting_file_remembers_the_same_team_address(team_incident, tmp_path):
    url, incident_id = team_incident
    team = open_workspace(url, password=PASSWORD)
    try:
        save_incident_as_file(team, tmp_path / "meeting.pmw", incident_id)
    finally:
        team.close()
    meeting, copy = open_workspace(tmp_path / "meeting.pmw"), create_workspace(tmp_path / "copy.pmw")
    try:
        result = publish(meeting, copy)
        assert publishing.saved_from(copy, result.incidents[0].target_id) == url
    finally:
        meeting.close()
        copy.close()



@pytest.mark.parametrize("stored, offered", [
    ("postgresql://ana:pw@db.example:5433/incidents?sslpassword=x&passfile=/tmp/p&sslmode=require",
     "postgresql://ana@db.example:5433/incidents?sslmode=require"),
    ("/home/ana/other.pmw", ""),
    ("postgresql://db.example", ""),  # names no database
])
def test_a_file_offers_only_the_parts_of_an_address_a_meeting_file_keeps(demo_copy, stored, offered):
    """A file is untrusted: whatever its setting says, no password (nor anything but a team address) is offered."""
    from postmortem_desktop.storage import incident_settings

    ws = open_workspace(demo_copy)
    try:
        with ws.transaction() as session:
            incident_settings.put(session, "meeting.1.team_address", stored)
        assert publishing.saved_from(ws, 1) == offered
    finally:
        ws.close()
