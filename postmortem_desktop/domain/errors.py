"""The errors the product's rules raise, shared by every layer (their messages are for people)."""
from __future__ import annotations


class RuleError(Exception):
    """An edit the product's rules refuse (closing too early, a window that ends before it starts)."""


class MissingIncident(RuleError):
    """An incident id that is not in the workspace (a stale link, or a mistyped --incident)."""

    def __init__(self, incident_id: int):
        super().__init__(f"There is no incident {incident_id} in this workspace.")
        self.incident_id = incident_id
