"""Where a meeting file's incident was saved from: the team workspace's address, never a password.

A team incident saved to a file for a meeting without network (services/publish.save_steps) goes back to the same
team workspace afterwards; the file remembers its address so File › Publish to Team Workspace… offers it, and the
person need not type host, database and user again. Passwords live only in the system keyring (or libpq's own
sources): the address is rebuilt from its parts (workspace_kind.remembered_address), so none is ever written here.
It is the file's own, like the history mark beside it (edit_history.py): it does not travel with the incident.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import incident_settings
from .incident_settings import MEETING_PREFIX, setting_key
from .schema import WorkspaceSetting

_SAVED_FROM = "team_address"


def _key(incident_id: int) -> str:
    return setting_key(MEETING_PREFIX, incident_id, _SAVED_FROM)


def mark_saved_from(session: Session, incident_id: int, address: str) -> None:
    """In the file a team incident was just saved into: the team workspace's address (remembered_address's)."""
    incident_settings.put(session, _key(incident_id), address)


def saved_from_in(settings: list[dict], incident_id: int) -> str | None:
    """From an incident's settings (incident_settings.capture's rows): the address it was saved from, or None."""
    return next((row["value"] for row in settings if row["key"] == _key(incident_id)), None)


def saved_from(session: Session, incident_id: int) -> str:
    """The team workspace the incident was saved from; else the one any incident of this file was saved from (a
    meeting file holds one, but a person may have added another there); "" for a file that is no meeting file's."""
    own = incident_settings.value(session, _key(incident_id)) if incident_id > 0 else None
    if own:
        return own
    suffix = f".{_SAVED_FROM}"
    keys = session.scalars(select(WorkspaceSetting.key).where(
        WorkspaceSetting.key.startswith(MEETING_PREFIX, autoescape=True),
        WorkspaceSetting.key.endswith(suffix, autoescape=True)).order_by(WorkspaceSetting.key)).all()
    for key in keys:
        address = incident_settings.value(session, key)
        if address:
            return address
    return ""
