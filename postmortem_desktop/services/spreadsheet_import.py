"""From a dropped spreadsheet to stored conversations: read, recognise, map, preview, import.

The dialog and the command line share these steps, so both see the same vendor guess, the same
preview and the same refusals.
"""
from __future__ import annotations

import gc
from dataclasses import dataclass
from pathlib import Path
from typing import Generator

from sqlalchemy import select

from ..importers.field_mapping import FieldMapping, map_rows
from ..importers.records import SkippedRow, TicketRow
from ..importers.sheet_reader import Sheet, read_sheet
from ..importers.vendors import VendorGuess, recognise_vendor
from ..storage.schema import MappingPreset
from ..storage.workspace import Workspace
from .commands import RuleError
from .ticket_import import ImportOptions, ImportSummary, run_ticket_import

PREVIEW_ROWS = 20


@dataclass
class ImportPlan:
    """A file read and understood, with the mapping the person is about to use."""

    path: Path
    sheet: Sheet
    guess: VendorGuess
    mapping: FieldMapping

    @property
    def vendor(self) -> str:
        return self.guess.vendor


def prepare_import(path: Path | str, *, preset: FieldMapping | None = None,
                   day_order: str | None = None, timezone: str | None = None) -> ImportPlan:
    """Reads the file (raising SheetError on bad input) and proposes a mapping."""
    path = Path(path)
    sheet = read_sheet(path)
    guess = recognise_vendor(sheet.header, sheet.rows[:200])
    mapping = preset if preset is not None else guess.mapping
    if day_order:
        mapping.day_order = day_order
    if timezone:
        mapping.timezone = timezone
    return ImportPlan(path=path, sheet=sheet, guess=guess, mapping=mapping)


class _Head:
    """The first rows of a sheet, shaped like a sheet, for the live preview."""

    def __init__(self, sheet: Sheet, limit: int):
        self.header = sheet.header
        self._rows = list(zip(sheet.row_numbers[:limit], sheet.rows[:limit]))
        self._sheet = sheet

    def numbered_rows(self):  # noqa: ANN201
        return iter(self._rows)


def preview(plan: ImportPlan, limit: int = PREVIEW_ROWS) -> list[TicketRow | SkippedRow]:
    """The first rows as they will be imported (raises MappingError / AmbiguousDatesError).

    The day order is settled on the whole column, not just the previewed rows, so the preview
    never disagrees with the import.
    """
    rows = []
    for row in map_rows(plan.sheet, plan.mapping):
        rows.append(row)
        if len(rows) >= limit:
            break
    return rows


def import_generator(workspace: Workspace, incident_id: int, plan: ImportPlan,
                     options: ImportOptions | None = None) -> Generator[tuple[int, int | None], None, ImportSummary]:
    """The whole import as one transaction; yields progress, returns the summary."""
    rows = map_rows(plan.sheet, plan.mapping)  # raises before anything is written
    # The import allocates a few hundred thousand long-lived objects and no cycles; the cyclic
    # collector would walk them over and over (measured ~0.4 s at 100k rows), so it waits.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return (yield from run_ticket_import(
            workspace, incident_id, rows, source=plan.path, vendor=plan.vendor, mapping=_mapping_summary(plan),
            encoding=plan.sheet.encoding, delimiter=plan.sheet.delimiter, total_rows=len(plan.sheet.rows),
            options=options))
    finally:
        if was_enabled:
            gc.enable()


def run_import(workspace: Workspace, incident_id: int, plan: ImportPlan,
               options: ImportOptions | None = None) -> ImportSummary:
    """The import without progress reporting (command line, tests)."""
    gen = import_generator(workspace, incident_id, plan, options)
    while True:
        try:
            next(gen)
        except StopIteration as stop:
            return stop.value


def _mapping_summary(plan: ImportPlan) -> dict:
    header = plan.sheet.header
    columns = {}
    for name, value in plan.mapping.columns.items():
        indexes = [value] if isinstance(value, int) else list(value)
        names = [header[i] for i in indexes if 0 <= i < len(header)]
        columns[name] = names[0] if isinstance(value, int) and names else names
    return {"columns": columns, "timezone": plan.mapping.timezone, "day_order": plan.mapping.day_order}


# ---- named presets ------------------------------------------------------------------------------
def save_preset(workspace: Workspace, name: str, plan: ImportPlan) -> None:
    """Saves (or replaces) a named mapping preset for the next dump from the same help desk."""
    name = name.strip()
    if not name:
        raise RuleError("A preset needs a name.")
    workspace.require_writable()
    with workspace.transaction() as session:
        existing = session.scalars(select(MappingPreset).where(MappingPreset.name == name)).first()
        if existing is None:
            session.add(MappingPreset(name=name, vendor=plan.vendor, mapping_json=plan.mapping.to_json()))
        else:
            existing.vendor, existing.mapping_json = plan.vendor, plan.mapping.to_json()


def preset_names(workspace: Workspace) -> list[str]:
    with workspace.reading() as session:
        return list(session.scalars(select(MappingPreset.name).order_by(MappingPreset.name)))


def load_preset(workspace: Workspace, name: str, header: list[str]) -> FieldMapping:
    with workspace.reading() as session:
        preset = session.scalars(select(MappingPreset.mapping_json).where(MappingPreset.name == name)).first()
    if preset is None:
        raise RuleError(f"There is no mapping preset called “{name}”. Saved presets: "
                        f"{', '.join(preset_names(workspace)) or 'none yet'}.")
    return FieldMapping.from_json(preset, header)
