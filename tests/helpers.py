"""Small helpers shared by tests (fixtures live in conftest.py)."""
from __future__ import annotations

import csv
from pathlib import Path

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


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    """A CSV file written the way the exports the tests imitate write one: a header row, then the rows."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path
