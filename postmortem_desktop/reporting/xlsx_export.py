"""The analysts' workbook: quotes with tags, action items and the contact list, one sheet each."""
from __future__ import annotations

from collections.abc import Generator, Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any, cast

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..timeline.layout import zone_of
from .output_file import XLSX, output_file
from .report_data import ReportData

# A spreadsheet runs a cell starting with these as a formula (or DDE); user text must never do that.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
ROWS_PER_STEP = 500

QUOTE_COLUMNS = (("Time", 18), ("Customer", 22), ("Organization", 24), ("Segment", 12), ("Channel", 10),
                 ("Conversation", 14), ("Author", 20), ("Tags", 28), ("Pre-existing", 11), ("Quote", 80))
ACTION_COLUMNS = (("Area", 13), ("Action", 70), ("Owner", 22), ("Due", 12), ("Status", 12))
CONTACT_COLUMNS = (("Customer", 22), ("Organization", 24), ("Segment", 12), ("Email", 30), ("Phone", 18),
                   ("Reason", 50), ("Contacted", 10), ("Contacted on", 13))


def _local(value: datetime | None, zone_name: str) -> datetime | None:
    # Excel has no time zones: write wall-clock time in the workspace's display zone, named in the header.
    return value.astimezone(zone_of(zone_name)).replace(tzinfo=None) if value is not None else None


def _put(ws, row: int, col: int, value: Any) -> None:  # noqa: ANN001
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        # XML readers turn a bare CR into LF anyway; doing it here keeps what we write what is read.
        value = ILLEGAL_CHARACTERS_RE.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
        cell.value = value
        if value.startswith(FORMULA_TRIGGERS):
            # Stored as a string cell (never a formula) and marked as literal text for Excel/LibreOffice.
            cell.data_type = "s"
            cell.quotePrefix = True
    else:
        cell.value = value
        if isinstance(value, datetime):
            cell.number_format = "yyyy-mm-dd hh:mm"
        elif isinstance(value, date):
            cell.number_format = "yyyy-mm-dd"


def _sheet(wb: Workbook, title: str, columns: tuple[tuple[str, int], ...], first: bool = False) -> Worksheet:
    # a new workbook's active sheet is its one worksheet
    ws = cast(Worksheet, wb.active) if first else wb.create_sheet()
    ws.title = title
    bold = Font(bold=True)
    for col, (name, width) in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=col, value=name)
        cell.font = bold
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A2"
    return ws


def _finish(ws, columns: tuple, rows: int) -> None:  # noqa: ANN001
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{rows + 1}"


def xlsx_steps(data: ReportData, path: Path | str, *, inputs: Iterable[Path | str] = ()
               ) -> Generator[tuple[int, int], None, Path]:
    """Writes the workbook, yielding (rows written, total rows); returns the path.

    The file goes through output_file: a target that must not be replaced (a workspace, one of
    `inputs`) is refused, and the file appears only when complete, so a cancel or a failure never
    leaves half a workbook behind.
    """
    path = Path(path)
    total = len(data.quotes) + len(data.actions) + len(data.contacts) + 1
    done = 0
    wb = Workbook()
    zone = data.zone_name
    wrap = Alignment(wrap_text=True, vertical="top")

    ws = _sheet(wb, "Quotes", QUOTE_COLUMNS, first=True)
    ws.cell(row=1, column=1).value = f"Time ({zone})"
    for r, q in enumerate(data.quotes, start=2):
        values: tuple[object, ...] = (_local(q.at, zone), q.customer, q.organization, q.segment, q.channel,
                                      q.external_id, q.author, ", ".join(q.tags), "yes" if q.pre_existing else "",
                                      q.text)
        for c, value in enumerate(values, start=1):
            _put(ws, r, c, value)
        ws.cell(row=r, column=len(values)).alignment = wrap
        done += 1
        if done % ROWS_PER_STEP == 0:
            yield done, total
    _finish(ws, QUOTE_COLUMNS, len(data.quotes))

    ws = _sheet(wb, "Action items", ACTION_COLUMNS)
    for r, a in enumerate(data.actions, start=2):
        for c, value in enumerate((a.area, a.description, a.owner, a.due_date, a.status.replace("_", " ")), start=1):
            _put(ws, r, c, value)
        ws.cell(row=r, column=2).alignment = wrap
        done += 1
    _finish(ws, ACTION_COLUMNS, len(data.actions))
    yield done, total

    ws = _sheet(wb, "Contact list", CONTACT_COLUMNS)
    for r, k in enumerate(data.contacts, start=2):
        values = (k.customer, k.organization, k.segment, k.email, k.phone, k.reason, "yes" if k.contacted else "no",
                  k.contacted_on)
        for c, value in enumerate(values, start=1):
            _put(ws, r, c, value)
        done += 1
    _finish(ws, CONTACT_COLUMNS, len(data.contacts))
    wb.properties.title = f"Postmortem data: {data.title}"
    wb.properties.creator = "Postmortem Desktop"
    yield done, total

    with output_file(path, XLSX, inputs=inputs) as partial:
        wb.save(partial)
    yield total, total
    return path
