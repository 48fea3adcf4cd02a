"""From a dropped spreadsheet to stored conversations: read, recognise, map, preview, import.

The dialog and the command line share these steps, so both see the same vendor guess, the same
preview and the same refusals.
"""
from __future__ import annotations

from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from ..gc_pause import collector_paused
from ..importers.date_report import DateColumnReport
from ..importers.date_report import date_report as _date_report
from ..importers.field_mapping import FieldMapping, settle_day_orders
from ..importers.file_stamp import FileStamp, GuardedRead, stamp_of
from ..importers.json_dumps import refuse_json
from ..importers.message_dump import MessageSurvey, collect, is_message_level, rows_of
from ..importers.records import SkippedRow, TicketRow
from ..importers.sheet_reader import Cell, Sheet, is_workbook, read_sheet
from ..importers.vendors import VendorGuess, recognise_vendor
from ..storage.schema import MappingPreset
from ..storage.workspace import Workspace
from . import import_pipeline
from .commands import RuleError
from .import_helper import FileJob
from .ticket_import import ImportOptions, ImportSummary, run_ticket_import

PREVIEW_ROWS = 20


@dataclass
class ImportPlan:
    """A file read and understood, with the mapping the person is about to use."""

    path: Path
    sheet: Sheet
    guess: VendorGuess
    mapping: FieldMapping
    stamp: FileStamp | None = None  # the file on disk when it was read
    file_hash: str = ""  # of the bytes that were read: recorded with the import of these rows

    def file_unchanged(self) -> bool:
        """Whether the file on disk is still the one that was read (and previewed)."""
        return self.stamp is not None and stamp_of(self.path) == self.stamp

    @property
    def vendor(self) -> str:
        return self.guess.vendor


def prepare_import(path: Path | str, *, preset: FieldMapping | None = None, day_order: str | None = None,
                   timezone: str | None = None, limits: import_pipeline.HelperLimits | None = None,
                   has_header: bool | None = None) -> ImportPlan:
    """Reads the file (raising SheetError on bad input) and proposes a mapping.

    ``has_header`` is the person's answer to "is the first row a header?" for a text file;
    None lets the file say (sheet_reader.first_record_is_data).

    A workbook is read by the import's helper process under ``limits`` (import_pipeline), so a
    hostile one costs a refused file, never the app; the rows come back whole for the preview
    and for the import, which then reads nothing more. Text files are read here.
    """
    path = Path(path)
    refuse_json(path)  # an API's JSON answer is not a table: say what it is and what to export
    with GuardedRead(path) as read:  # a file changed while it is read is refused, not previewed
        sheet = (import_pipeline.read_sheet_in_helper(path, limits) if is_workbook(path)
                 else read_sheet(path, has_header=has_header))
        file_hash = read.finish()
    guess = recognise_vendor(sheet.header, sheet.rows[:200])
    mapping = preset if preset is not None else guess.mapping
    if day_order:
        mapping.day_order = day_order
    if timezone:
        mapping.timezone = timezone
    return ImportPlan(path=path, sheet=sheet, guess=guess, mapping=mapping, stamp=read.before, file_hash=file_hash)


def get_ready_to_read() -> None:
    """Call when the person is about to choose a file (the Import dialog opens): a helper starts
    now, so reading the workbook they choose does not wait for one to start."""
    import_pipeline.warm_up()


class _Head:
    """The first rows of a sheet, shaped like a sheet, for the live preview."""

    def __init__(self, sheet: Sheet, limit: int):
        self.header = sheet.header
        self._rows = list(zip(sheet.row_numbers[:limit], sheet.rows[:limit], strict=True))
        self._sheet = sheet

    def numbered_rows(self) -> Iterator[tuple[int, Sequence[Cell]]]:
        return iter(self._rows)


def preview(plan: ImportPlan, limit: int = PREVIEW_ROWS) -> list[TicketRow | SkippedRow]:
    """The first rows as they will be imported (raises MappingError / AmbiguousDatesError).

    The day order is settled on the whole column, not just the previewed rows, so the preview
    never disagrees with the import.
    """
    rows = []
    for row in rows_of(plan.sheet, plan.mapping):
        rows.append(row)
        if len(rows) >= limit:
            break
    return rows


def date_report(plan: ImportPlan) -> list[DateColumnReport]:
    """Per mapped date column, how many values read as dates and the first few that do not, read with
    the plan's zone and day order: what the dialog and `postmortem preview` show before an import."""
    return _date_report(plan.sheet, plan.mapping)


def preview_and_survey(plan: ImportPlan, limit: int = PREVIEW_ROWS
                       ) -> tuple[list[TicketRow | SkippedRow], MessageSurvey | None]:
    """preview() and message_survey() from one pass over the rows (the mapping dialog's refresh)."""
    if not is_message_level(plan.mapping):
        return preview(plan, limit), None
    collector = collect(plan.sheet, plan.mapping)
    return collector.grouped()[:limit], collector.survey()


def message_survey(plan: ImportPlan) -> MessageSurvey | None:
    """How a message-level dump's rows group into conversations and who has which role; None for a
    dump with one row per ticket. Raises MappingError / AmbiguousDatesError as preview does."""
    if not is_message_level(plan.mapping):
        return None
    return collect(plan.sheet, plan.mapping).survey()


def import_generator(workspace: Workspace, incident_id: int, plan: ImportPlan,
                     options: ImportOptions | None = None) -> Generator[tuple[int, int | None], None, ImportSummary]:
    """The whole import as one transaction; yields progress, returns the summary.

    A large file is read again by the import's helper process, which maps it while this one
    writes (services/import_pipeline.py): with the mapping and day order settled here, on the
    rows the person previewed, the result is the same as mapping plan.sheet in this process.
    """
    rows = rows_of(plan.sheet, plan.mapping)  # raises before anything is written
    if _worth_a_helper(plan):
        job = FileJob(str(plan.path), mapping_json=plan.mapping.to_json(plan.sheet.header),
                      orders=settle_day_orders(plan.sheet, plan.mapping), has_header=plan.sheet.has_header)
        return (yield from import_pipeline.import_file(workspace, incident_id, job, options, parallel=True))
    # The import allocates a few hundred thousand long-lived objects and no cycles; the cyclic
    # collector would walk them over and over (measured ~0.4 s at 100k rows), so it waits.
    with collector_paused():
        return (yield from run_ticket_import(
            workspace, incident_id, rows, source=plan.path, vendor=plan.vendor, mapping=_mapping_summary(plan),
            encoding=plan.sheet.encoding, delimiter=plan.sheet.delimiter, total_rows=len(plan.sheet.rows),
            options=options, file_hash=plan.file_hash, lines_not_utf8=plan.sheet.lines_not_utf8,
            lines_not_utf8_read_as=plan.sheet.lines_not_utf8_read_as,
            lines_not_utf8_where=plan.sheet.lines_not_utf8_where))


def _worth_a_helper(plan: ImportPlan) -> bool:
    # Only text: the helper reads a CSV again in 0.5 s per 100k rows, a workbook in 2.5 s, more
    # than the rows it has already read here take to map and store in this process. And only
    # the file that was previewed: if it changed since (re-exported, or before a redo), the rows
    # held here are what the person saw, so they are the ones imported.
    if plan.sheet.truncated or plan.sheet.kind not in ("csv", "tsv") or not plan.file_unchanged():
        return False
    return plan.stamp is not None and plan.stamp.size >= import_pipeline.PARALLEL_MIN_BYTES


def import_path(workspace: Workspace, incident_id: int, path: Path | str, *, preset: str | None = None,
                day_order: str | None = None, timezone: str | None = None, options: ImportOptions | None = None,
                parallel: bool | None = None, limits: import_pipeline.HelperLimits | None = None,
                has_header: bool | None = None) -> Generator[tuple[int, int | None], None, ImportSummary]:
    """A file imported straight from its path (the command line): recognised, mapped and stored.

    Nothing is read first: the vendor, mapping and day order come from the file as it streams
    (services/import_pipeline.py; a workbook always in the capped helper, under ``limits``).
    ``preset`` names a saved mapping (RuleError if there is none); ``has_header`` as prepare_import's.
    """
    refuse_json(Path(path))
    job = FileJob(str(path), preset_json=preset_json(workspace, preset) if preset else None,
                  day_order=day_order, timezone=timezone, has_header=has_header)
    return (yield from import_pipeline.import_file(workspace, incident_id, job, options, parallel=parallel,
                                                   limits=limits))


def run_import(workspace: Workspace, incident_id: int, plan: ImportPlan,
               options: ImportOptions | None = None) -> ImportSummary:
    """The import without progress reporting (tests, redo)."""
    return run_to_end(import_generator(workspace, incident_id, plan, options))


def run_to_end(steps: Generator[tuple[int, int | None], None, ImportSummary]) -> ImportSummary:
    """Runs an import's progress generator to its end and returns the summary."""
    while True:
        try:
            next(steps)
        except StopIteration as stop:
            return stop.value


def _mapping_summary(plan: ImportPlan) -> dict:
    return plan.mapping.describe(plan.sheet.header)


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
    return FieldMapping.from_json(preset_json(workspace, name), header)


def preset_json(workspace: Workspace, name: str) -> str:
    """A saved preset as stored; RuleError naming the saved ones when there is none by that name."""
    with workspace.reading() as session:
        preset = session.scalars(select(MappingPreset.mapping_json).where(MappingPreset.name == name)).first()
    if preset is None:
        raise RuleError(f"There is no mapping preset called “{name}”. Saved presets: "
                        f"{', '.join(preset_names(workspace)) or 'none yet'}.")
    return preset
