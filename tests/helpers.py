"""Small helpers shared by tests (fixtures live in conftest.py)."""
from __future__ import annotations

from postmortem_desktop.services.incidents import IncidentService


def billing_id(workspace) -> int:
    """The id of the demo's billing-outage incident."""
    return next(s.id for s in IncidentService(workspace).list_incidents() if s.title.startswith("Billing"))


def run_to_end(generator):
    """Drives a core job generator (its yields are progress) and returns its result."""
    try:
        while True:
            next(generator)
    except StopIteration as stop:
        return stop.value
