"""Reading a ticket dump (CSV, TSV, XLSX, ODS, XLS, SpreadsheetML) into a header and rows, safely.

Every refusal is a SheetError whose message says what went wrong and what to do about it.
Workbooks are checked before any parser sees them: ZIP size and ratio limits against zip bombs,
and no DOCTYPE in any XML part against entity bombs.
"""
from __future__ import annotations

import csv
import io
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from itertools import islice
from pathlib import Path
from xml.etree import ElementTree

from python_calamine import CalamineSheet, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from postmortem_desktop.importers.dates import looks_like_date
from postmortem_desktop.importers.sheet_errors import SheetError
from postmortem_desktop.importers.text_cleanup import restore_id
from postmortem_desktop.importers.text_decoding import (
    DecodedText,
    TextDecodingError,
    bom_encoding,
    decode_text,
    detect_delimiter,
    looks_binary,
    without_nul,
)
from postmortem_desktop.importers.workbook_safety import MAX_GRID_CELLS, PROLOG_BYTES, check_zip, declares_doctype

from ..gc_pause import collector_paused

# Empty cells are "" (CSV, XLSX) or None (SpreadsheetML); numbers come as float from workbooks.
Cell = str | float | int | bool | datetime | date | time | timedelta | None

KINDS = ("csv", "tsv", "xlsx", "ods", "xls", "spreadsheetml")

MAX_FILE_BYTES = 1 << 30
_PROLOG_BYTES = PROLOG_BYTES
_CHUNK = 1 << 20
_NON_CSV_LINE_BREAKS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_FIELD_CAP = 32 << 20
_PREVIEW_SLACK = 64  # extra records read for a preview, for blank lines and to know it was cut
_SS_NS = "urn:schemas-microsoft-com:office:spreadsheet"

MAX_SPREADSHEETML_COLUMNS = 16_384  # Excel's own limits
MAX_SPREADSHEETML_ROWS = 1_048_576

EXCEL_MANGLED = (
    "This file looks like a CSV that Excel re-saved in a semicolon locale: each row is one quoted "
    "cell. Export the original again from the help desk, or in Excel select column A and use "
    "Data › Text to Columns… with comma as the separator, then save as CSV UTF-8."
)


@dataclass
class Sheet:
    """A table read from a file: the header row and the data rows below it.

    ``row_numbers[i]`` is the row number of ``rows[i]`` as the user sees it in a spreadsheet
    (header on row 1 for a CSV). For text files it counts CSV *records*, not physical lines:
    a description spanning five lines is still one row, as Excel shows it.
    """

    header: list[str]
    rows: Sequence[Sequence[Cell]]  # CSV rows are lists of str, workbook rows of any Cell
    row_numbers: list[int]
    kind: str
    encoding: str | None = None
    delimiter: str | None = None
    sheet_name: str | None = None
    truncated: bool = False
    header_row: int = 1
    raw_header: Sequence[Cell] = field(default_factory=list, repr=False)
    lines_not_utf8: int = 0  # of a UTF-8 text file: lines holding bytes read as lines_not_utf8_read_as
    lines_not_utf8_read_as: str | None = None
    lines_not_utf8_where: tuple[tuple[int, int], ...] = ()  # (line, bytes not UTF-8) of the first few such lines
    has_header: bool = True  # False: the first record is data, and the columns are named "Column 1", "Column 2"…

    @property
    def row_count(self) -> int | None:
        """How many data rows the file has, or None when max_rows stopped reading early."""
        return None if self.truncated else len(self.rows)

    def numbered_rows(self) -> Iterator[tuple[int, Sequence[Cell]]]:
        """(row number as the user sees it, cells) for every data row."""
        return zip(self.row_numbers, self.rows, strict=True)


def read_sheet(path: str | Path, *, max_rows: int | None = None, has_header: bool | None = None) -> Sheet:
    """Read the first table of a spreadsheet or text export; raises SheetError with advice.

    ``has_header`` None lets a text file's first record say whether it is a header (see
    first_record_is_data); True or False is the person's own answer.
    """
    # Reading builds one list per row and no reference cycles; pausing the cyclic collector
    # saves it from re-walking 100k growing rows again and again (about 0.3 s at 100k rows).
    with collector_paused():
        return _read_sheet(Path(path), max_rows, has_header)


def _read_sheet(path: Path, max_rows: int | None, has_header: bool | None = None) -> Sheet:
    with checked_file(path) as (kind, source):
        sheet = _read_kind(path, kind, max_rows, has_header, source)
    _check_rows(sheet, path.name)
    return sheet


@contextmanager
def checked_file(path: Path) -> Iterator[tuple[str, Path]]:
    """The file's kind once it has passed the safety checks, and the file the reader should open:
    for a ZIP workbook, the uncompressed copy of the parts just checked (checked_copy.py), removed
    when the block ends; the file itself for every other kind, or when no copy could be written."""
    try:
        folder: str | None = tempfile.mkdtemp(prefix="postmortem-checked-")
    except OSError:
        folder = None  # no temporary folder: calamine inflates the file itself, as it can
    try:
        kind = _checked_kind(path, None if folder is None else Path(folder))
        copy = None if folder is None else Path(folder) / f"checked.{kind}"
        yield kind, copy if copy is not None and copy.exists() else path
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


def _checked_kind(path: Path, copy_into: Path | None = None) -> str:
    """"text", "spreadsheetml" or a workbook kind, once the file has passed the safety checks
    (a ZIP workbook's parts copied into ``copy_into`` as they are checked: see check_zip)."""
    name = path.name
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(_PROLOG_BYTES)
    except OSError as error:
        raise SheetError(f"'{name}' could not be opened ({error.strerror}). Check the path and permissions.") from error
    if size == 0 or not head.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise SheetError(f"'{name}' is empty. Export the tickets again and check the file has rows.")
    if size > MAX_FILE_BYTES:
        raise SheetError(f"'{name}' is larger than 1 GB. Export a narrower time window and import the parts.")
    kind = _sniff_kind(head)
    if kind == "zip":
        return check_zip(path, copy_into)
    if kind == "xls":
        if name.lower().endswith(".msg"):  # the same OLE2 container as .xls: say what it is, not "no workbook"
            raise SheetError(
                f"'{name}' is an Outlook message (.msg), not a spreadsheet, and this app cannot read it safely. "
                "In Outlook use File › Save As › Text Only (.txt) or drag the mail out as .eml, and paste or "
                "import that as a conversation.")
        _refuse_encrypted(path)
        return "xls"
    if kind in ("xml", "html"):
        raise SheetError(
            f"'{name}' is a web page or XML file, not a spreadsheet. Export the tickets as CSV and import that."
        )
    return kind


def is_workbook(path: Path) -> bool:
    """Whether the file is a workbook (ZIP, OLE or SpreadsheetML) by its first bytes, whatever its name:
    the importer reads those only in its capped helper process (services/import_pipeline.py)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(_PROLOG_BYTES)
    except OSError:
        return False  # the reader reports why it cannot be opened
    return _sniff_kind(head) in ("zip", "xls", "spreadsheetml")


def _read_kind(path: Path, kind: str, max_rows: int | None, has_header: bool | None = None,
               source: Path | None = None) -> Sheet:
    """``source``: the file calamine opens for ``path`` (its checked copy, see checked_file)."""
    if kind == "text":
        return _read_text(path, max_rows, has_header)
    if kind == "spreadsheetml":
        return _read_spreadsheetml(path, max_rows)
    return _read_workbook(path, kind, max_rows, source or path)


def _check_rows(sheet: Sheet, name: str) -> None:
    _refuse_one_cell_rows(sheet, name)
    if not sheet.rows:
        raise SheetError(f"'{name}' has a header but no rows. Export again with tickets in the chosen time window.")


def _sniff_kind(head: bytes) -> str:
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "xls"
    text = _head_text(head).lstrip().lower()
    if text.startswith("<?xml") or text.startswith("<workbook"):
        if "urn:schemas-microsoft-com:office:spreadsheet" in text:
            return "spreadsheetml"
        return "xml"
    if text.startswith(("<html", "<!doctype html", "<table")):
        return "html"
    return "text"


def _head_text(head: bytes) -> str:
    codec = bom_encoding(head) or "utf-8"
    return head.decode(codec, errors="ignore").lstrip("\ufeff")


# ---------------------------------------------------------------------------------------- text


def _read_text(path: Path, max_rows: int | None, has_header: bool | None = None) -> Sheet:
    decoded, delimiter = _decoded_text(path)
    sheet = _parse_csv(decoded.text, delimiter, max_rows, path.name, has_header)
    note_decoding(sheet, decoded)
    return sheet


def note_decoding(sheet: Sheet, decoded: DecodedText) -> None:
    """Records on the sheet how its text was decoded, for the import's summary."""
    sheet.encoding = decoded.codec
    sheet.lines_not_utf8, sheet.lines_not_utf8_read_as = decoded.lines_not_utf8, decoded.lines_not_utf8_read_as
    sheet.lines_not_utf8_where = decoded.lines_not_utf8_where


def _decoded_text(path: Path) -> tuple[DecodedText, str]:
    """The file's text as decoded, and its delimiter; raises SheetError for binary or undecodable data."""
    name = path.name
    data = path.read_bytes()
    if looks_binary(data):
        raise SheetError(
            f"'{name}' contains binary data, not text: it is not a CSV file. If it is a workbook, "
            "give it its real extension (.xlsx, .xls, .ods) or export the tickets as CSV again."
        )
    try:
        decoded = decode_text(data)
    except TextDecodingError as error:
        raise SheetError(f"'{name}': {error}") from error
    del data
    if "\x00" in decoded.text:
        decoded = replace(decoded, text=without_nul(decoded.text))
    return decoded, detect_delimiter(decoded.text)


def _csv_lines(text: str) -> Iterable[str]:
    """Lines for csv.reader, ends kept; splitlines is twice as fast as iterating a StringIO.

    splitlines also breaks at form feeds, NEL and Unicode line separators, which a CSV may hold
    inside an unquoted field, so text containing any of them takes the slower exact path.
    """
    if any(separator in text for separator in _NON_CSV_LINE_BREAKS):
        return io.StringIO(text, newline="")
    return text.splitlines(keepends=True)


_BARE_CR = re.compile(r"\r(?!\n)")
CR_IN_FIELD = "\ue00d"  # stands in for a bare CR of an LF file while csv.reader reads it


def hide_bare_cr(text: str) -> str:
    """An LF or CRLF text with each bare CR replaced by CR_IN_FIELD, so that it stays text.

    A CR alone inside a field of an LF file (a Mac-typed note pasted into a cell) is not a record
    break, but both splitlines and csv.reader would end the record there. A file with no LF at
    all is a CR-only file (classic Mac), whose CRs are its line ends and stay as they are.
    """
    # Looking for one bare CR stops at the first and copies nothing: on a CRLF export it is 4x
    # cheaper than counting CRs and CR LFs (measured: 0.025 s against 0.095 s for 68 MB of CSV).
    if "\n" in text and _BARE_CR.search(text):
        return _BARE_CR.sub(CR_IN_FIELD, text)
    return text


def show_bare_cr(records: Iterable[list[str]]) -> list[list[str]]:
    """The records with hide_bare_cr's stand-ins turned back into CRs."""
    return [[cell.replace(CR_IN_FIELD, "\r") for cell in record] for record in records]


def _read_records(text: str, delimiter: str, limit: int | None, name: str) -> list[list[str]]:
    hidden = hide_bare_cr(text)
    reader = csv.reader(_csv_lines(hidden), delimiter=delimiter)
    # The default 128 KB cap would refuse a ticket with a long pasted log; raised only meanwhile.
    previous_cap = csv.field_size_limit(_FIELD_CAP)
    try:
        records = list(reader) if limit is None else list(islice(reader, limit))
    except csv.Error as error:
        raise unreadable_text(name, reader.line_num, error) from error
    finally:
        csv.field_size_limit(previous_cap)
    return records if hidden is text else show_bare_cr(records)


def unreadable_text(name: str, line: int, error: csv.Error) -> SheetError:
    return SheetError(f"'{name}' could not be read near line {line}: {error}. This usually means a quote that "
                      "is never closed; export the file again or fix the quotes around that line.")


def _refuse_unclosed_quote(last: list[str], header: list[str], delimiter: str, row: int, name: str) -> None:
    # A quote never closed swallows the rest of the file into the last record's cell: its
    # later lines then look like whole records, with a delimiter between every column.
    if len(header) < 3:
        return
    for cell in last:
        lines = cell.splitlines()[1:]
        if sum(1 for line in lines if line.count(delimiter) >= len(header) - 1) >= 2:
            raise SheetError(
                f"'{name}': row {row} opens a quote that is never closed, so the rest of the file ran "
                "into one cell. Fix the quotes in that row, or export the file again."
            )


def _parse_csv(text: str, delimiter: str, max_rows: int | None, name: str, has_header: bool | None = None) -> Sheet:
    limit = None if max_rows is None else max_rows + _PREVIEW_SLACK
    records = _read_records(text, delimiter, limit, name)
    start = next((i for i, cells in enumerate(records) if any(cell.strip() for cell in cells)), None)
    if start is None:
        raise SheetError(f"'{name}' is empty. Export the tickets again and check the file has rows.")
    start += preamble_length(records[start:start + 50])
    raw_header = records[start]
    with_header = has_header if has_header is not None else not first_record_is_data(
        raw_header, records[start + 1:start + 1 + _HEADERLESS_LOOK])
    header = _header_names(raw_header) if with_header else numbered_columns(records[start:start + 50])
    # Row numbers count records from 1 (the way Excel shows a CSV), blank records included.
    body = records[start + 1:] if with_header else records[start:]
    first_number = start + 2 if with_header else start + 1
    if all(map(any, body)):
        rows, numbers = body, list(range(first_number, first_number + len(body)))
    else:
        kept = [(number, cells) for number, cells in enumerate(body, first_number) if any(cells)]
        rows, numbers = [cells for _, cells in kept], [number for number, _ in kept]
    truncated = max_rows is not None and (len(rows) > max_rows or len(records) == limit)
    if truncated:
        del rows[max_rows:], numbers[max_rows:]
    elif rows:
        _refuse_unclosed_quote(rows[-1], header, delimiter, numbers[-1], name)
    return Sheet(header, rows, numbers, "tsv" if delimiter == "\t" else "csv", delimiter=delimiter,
                 truncated=truncated, header_row=start + 1 if with_header else 0,
                 raw_header=raw_header if with_header else header, has_header=with_header)


_NUMBER = re.compile(r"^[+-]?(?:\d+(?:[.,]\d+)*|\.\d+)(?:[eE][+-]?\d+)?%?$")
_ADDRESS = re.compile(r"^(?:\S+@\S+\.\S+|https?://\S+)$")


def preamble_length(records: Sequence[Sequence[Cell]]) -> int:
    """How many one-cell lines (a title, a comment, "exported on ...") come before the table.

    Some exports write a line or two of prose above the header; taking it for the header would
    leave every real column unnamed. A leading record counts as preamble when it has one filled
    cell and the records below it share a width of two or more.
    """
    filled = [cells for cells in records if any(isinstance(c, str) and c.strip() for c in cells)]
    widths = [len(cells) for cells in filled]
    skipped = 0
    while skipped + 2 < len(widths) and _one_cell(filled[skipped]):
        rest = widths[skipped + 1:]
        common = max(set(rest), key=rest.count)
        if common < 2 or rest.count(common) < 0.6 * len(rest):
            break
        skipped += 1
    # the count is of records in ``records``, blank ones included, up to the header
    return records.index(filled[skipped]) if skipped else 0


def _one_cell(cells: Sequence[Cell]) -> bool:
    return sum(1 for cell in cells if isinstance(cell, str) and cell.strip()) == 1 and len(cells) <= 2


_HEADERLESS_LOOK = 20  # records after the first compared with it
_MIN_DATA_CELLS = 2  # a header may have one odd cell ("2024"); two typed values beside their column's are data


def first_record_is_data(cells: Sequence[Cell], following: Sequence[Sequence[Cell]] = ()) -> bool:
    """Whether a file's first record is data rather than a header: a header names its columns in
    words, so a first record whose every filled cell is a number, a date, an email address or a
    web address (csvkit's no_header_row.csv: ``1,2,3``), or a workbook's typed value, is data.

    So is one with text cells too (``1001,2024-05-06 10:20,Login broken,ann@example.com``) when
    at least two of its cells are such values and the records after it have values of that kind
    in those columns: a header's cell names its column, it is not one of the column's values.
    Years over figures (``Region,2023,2024``) are the exception: they name their columns.
    """
    filled = [cell.strip() if isinstance(cell, str) else cell for cell in cells if cell not in ("", None)]
    if any(isinstance(cell, bool) for cell in filled):
        return True  # TRUE/FALSE is a value, never a column's name
    if _year_labels(cells, following[:_HEADERLESS_LOOK]):
        return False
    if bool(filled) and all(_is_data(cell) for cell in filled):
        return True
    return _data_like_those_below(cells, following[:_HEADERLESS_LOOK])


_YEARS = range(1900, 2101)


def _year_labels(cells: Sequence[Cell], following: Sequence[Sequence[Cell]]) -> bool:
    """Whether a record names its columns by year (``Region,2023,2024`` over rows of figures).

    A year-like number in a first record is a label when the values below it are not years:
    every other filled cell is words, and the rows under each year are numbers of another kind.
    Under a column of years (``Alice,2019`` over ``Bob,2018``) the first record is data as before.
    """
    years = [index for index, cell in enumerate(cells) if _is_year(_stripped(cell))]
    if not years or any(_is_data(_stripped(cell)) for index, cell in enumerate(cells)
                        if index not in years and cell not in ("", None)):
        return False
    rows = [row for row in following if any(cell not in ("", None) for cell in row)]
    for index in years:
        values = [_stripped(row[index]) for row in rows if index < len(row) and row[index] not in ("", None)]
        if not values or sum(1 for value in values if _is_year(value)) >= 0.5 * len(values):
            return False
    return True


def _is_year(cell: Cell) -> bool:
    if isinstance(cell, bool):
        return False
    if isinstance(cell, str):
        return len(cell) == 4 and cell.isascii() and cell.isdigit() and int(cell) in _YEARS
    return isinstance(cell, int | float) and float(cell).is_integer() and int(cell) in _YEARS


def _data_like_those_below(cells: Sequence[Cell], following: Sequence[Sequence[Cell]]) -> bool:
    typed = [index for index, cell in enumerate(cells) if cell not in ("", None) and _is_data(_stripped(cell))]
    rows = [row for row in following if any(cell not in ("", None) for cell in row)]
    if len(typed) < _MIN_DATA_CELLS or not rows:
        return False
    for index in typed:
        values = [row[index] for row in rows if index < len(row) and row[index] not in ("", None)]
        alike = sum(1 for value in values if _is_data(_stripped(value)))
        if not values or alike < 0.8 * len(values):
            return False
    return True


def _stripped(cell: Cell) -> Cell:
    return cell.strip() if isinstance(cell, str) else cell


def _is_data(cell: Cell) -> bool:
    if not isinstance(cell, str):
        return True  # a workbook's number, date, time or boolean never names a column
    return bool(cell) and bool(_NUMBER.match(cell) or _ADDRESS.match(cell) or looks_like_date(cell))


def numbered_columns(records: Sequence[Sequence[Cell]]) -> list[str]:
    """Names for the columns of a file without a header: "Column 1", "Column 2"…, as wide as its widest record."""
    width = max((len(cells) for cells in records), default=0)
    return [f"Column {number}" for number in range(1, width + 1)]


def _header_names(cells: Sequence[Cell]) -> list[str]:
    names = []
    for index, cell in enumerate(cells):
        text = cell.strip() if isinstance(cell, str) else restore_id(cell)
        names.append(text or f"Column {_column_letter(index)}")
    return names


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _refuse_one_cell_rows(sheet: Sheet, name: str) -> None:
    # A whole CSV record squeezed into the first cell: Excel's semicolon-locale round trip,
    # or CSV text pasted into a workbook without Text to Columns. Importing it would be garbage.
    sample = sheet.rows[:50]
    squeezed_rows = sum(1 for row in sample if _is_squeezed_record(row))
    if _is_squeezed_record(sheet.raw_header) or (sample and squeezed_rows >= 0.8 * len(sample)):
        raise SheetError(f"'{name}': {EXCEL_MANGLED}")


def _is_squeezed_record(cells: Sequence[Cell]) -> bool:
    filled = [cell for cell in cells if isinstance(cell, str) and cell.strip()]
    return len(filled) == 1 and any(filled[0].count(separator) >= 2 for separator in (",", ";", "\t"))


# ---------------------------------------------------------------------------- calamine kinds

# A password-protected .xlsx is an OLE container holding this stream instead of a ZIP.
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")


def _refuse_encrypted(path: Path) -> None:
    with path.open("rb") as handle:
        head = handle.read(_CHUNK)
    if _ENCRYPTED_STREAM in head:
        raise SheetError(
            f"'{path.name}' is protected by a password. Open it in Excel, remove the password "
            "(File › Info › Protect Workbook), save it, and import it again."
        )


def _read_workbook(path: Path, kind: str, max_rows: int | None, source: Path) -> Sheet:
    name = path.name
    try:
        workbook = CalamineWorkbook.from_path(str(source))
        sheet_name, grid, first_row, headerless = _first_table(workbook, max_rows)
    except SheetError:
        raise
    except Exception as error:  # calamine raises its own error types for every damage it meets
        raise unreadable_workbook(name, error) from error
    if not grid:
        raise empty_workbook(name)
    return _sheet_from_grid(grid, first_row, kind, sheet_name, max_rows, headerless)


def unreadable_workbook(name: str, error: Exception) -> SheetError:
    return SheetError(f"'{name}' could not be read as a workbook ({error}). Open it in Excel or LibreOffice, "
                      "save it as .xlsx or CSV UTF-8, and import that.")


def empty_workbook(name: str) -> SheetError:
    return SheetError(f"'{name}' is empty: no sheet has any cells. Export the tickets again.")


def worksheets(workbook: CalamineWorkbook) -> Iterator[tuple[str, CalamineSheet]]:
    """(name, sheet) for each visible worksheet, in the workbook's order; each parsed when reached."""
    for meta in workbook.sheets_metadata:
        if meta.visible == SheetVisibleEnum.Visible and meta.typ == SheetTypeEnum.WorkSheet:
            yield meta.name, workbook.get_sheet_by_name(meta.name)


def _first_table(workbook: CalamineWorkbook,
                 max_rows: int | None) -> tuple[str | None, Sequence[Sequence[Cell]], int, bool]:
    """The first visible sheet with cells: its name, its rows, its first row's number, and
    whether its first record is data whatever it holds (lone_merged_block)."""
    for sheet_name, sheet in worksheets(workbook):
        # One extra row: the header is inside the grid too.
        nrows = None if max_rows is None else max_rows + 2
        grid = sheet.to_python(skip_empty_area=True, nrows=nrows)
        if grid and any(cell != "" for row in grid for cell in row):
            start = sheet.start
            return sheet_name, grid, (start[0] if start else 0) + 1, lone_merged_block(sheet)
    return None, [], 1, False


def lone_merged_block(sheet: CalamineSheet) -> bool:
    """Whether all a sheet holds is one cell merged down over several rows (frictionless's merged-cells.xlsx).

    That cell is a value, not a header: a header names one column per cell and has rows below
    it, while a merged block is the table itself. Taking it for a header would refuse the sheet
    as "a header but no rows".
    """
    ranges, start, end = sheet.merged_cell_ranges or [], sheet.start, sheet.end
    if len(ranges) != 1 or not start or not end:
        return False
    (top, left), (bottom, right) = ranges[0]
    return (top, left) == tuple(start) and bottom > top and end[0] <= bottom and end[1] <= right


def _sheet_from_grid(grid: Sequence[Sequence[Cell]], first_row: int, kind: str, sheet_name: str | None,
                     max_rows: int | None, headerless: bool = False) -> Sheet:
    offset = 0
    while offset < len(grid) and all(cell in ("", None) for cell in grid[offset]):
        offset += 1
    with_header = not headerless and not first_record_is_data(grid[offset],
                                                              grid[offset + 1:offset + 1 + _HEADERLESS_LOOK])
    header = _header_names(grid[offset]) if with_header else numbered_columns(grid[offset:offset + 50])
    rows: list[Sequence[Cell]] = []
    numbers: list[int] = []
    truncated = False
    for index in range(offset + 1 if with_header else offset, len(grid)):
        cells = grid[index]
        if not any(cell != "" and cell is not None for cell in cells):
            continue
        if max_rows is not None and len(rows) >= max_rows:
            truncated = True
            break
        rows.append(cells)
        numbers.append(first_row + index)
    return Sheet(header, rows, numbers, kind, sheet_name=sheet_name, truncated=truncated,
                 header_row=first_row + offset if with_header else 0,
                 raw_header=list(grid[offset]) if with_header else list(header), has_header=with_header)


# -------------------------------------------------------------------- SpreadsheetML 2003 XML


def _read_spreadsheetml(path: Path, max_rows: int | None) -> Sheet:
    """Freshdesk's "xls": XML from Excel 2003, read with no DOCTYPE allowed and bounded memory.

    Cells may jump ahead (ss:Index="16384"), so rows are held sparse while reading, and the grid
    they would fill (rows by the highest column) is bounded before any row is filled in: 60,000
    one-cell rows at column 16,384 would otherwise be a billion cells (8 GB).
    """
    name = path.name
    with path.open("rb") as handle:
        if declares_doctype(handle.read(_PROLOG_BYTES)):
            raise SheetError(
                f"'{name}' was refused: it declares XML entities (a DOCTYPE), which exports never do "
                "and XML bombs do. Export the tickets as CSV instead."
            )
    sparse: list[tuple[int, list[tuple[int, Cell]], int]] = []
    widest = 0
    try:
        for number, cells, width in _spreadsheetml_rows(path):
            sparse.append((number, cells, width))
            widest = max(widest, width)
            _refuse_large_spreadsheetml_grid(len(sparse), widest, name)
            if max_rows is not None and len(sparse) > max_rows + 1:
                break
    except ElementTree.ParseError as error:
        raise SheetError(
            f"'{name}' is an Excel 2003 XML file that is damaged ({error}). Export the tickets as CSV instead."
        ) from error
    if not sparse:
        raise SheetError(f"'{name}' is empty: its first worksheet has no rows. Export the tickets again.")
    numbers = [number for number, _, _ in sparse]
    grid = [_filled_row(cells, width) for _, cells, width in sparse]
    del sparse
    sheet = _sheet_from_grid(grid, 1, "spreadsheetml", None, max_rows)
    # Rows may skip numbers (ss:Index), so give each row its own number, not its position.
    sheet.row_numbers = [numbers[position - 1] for position in sheet.row_numbers]
    sheet.header_row = numbers[sheet.header_row - 1]
    return sheet


def _refuse_large_spreadsheetml_grid(rows: int, columns: int, name: str) -> None:
    if rows * columns > MAX_GRID_CELLS:
        raise SheetError(
            f"'{name}' was refused: its rows reach column {columns:,}, so {rows:,} rows or more would fill a "
            f"grid far larger than any ticket export (cells placed far to the right can make a small file "
            f"claim gigabytes). Export the tickets again as CSV."
        )


def _filled_row(cells: list[tuple[int, Cell]], width: int) -> list[Cell]:
    row: list[Cell] = [None] * width
    for column, value in cells:
        row[column] = value
    return row


def _spreadsheetml_rows(path: Path) -> Iterator[tuple[int, list[tuple[int, Cell]], int]]:
    """(row number, its cells as (column from 0, value), its width) for each row of the first worksheet."""
    row_tag, cell_tag, data_tag = (f"{{{_SS_NS}}}{tag}" for tag in ("Row", "Cell", "Data"))
    table_tag, sheet_tag = f"{{{_SS_NS}}}Table", f"{{{_SS_NS}}}Worksheet"
    index_attr = f"{{{_SS_NS}}}Index"
    number = 0
    for _event, element in ElementTree.iterparse(str(path), events=("end",)):
        if element.tag == row_tag:
            number = _spreadsheetml_number(element.get(index_attr), number + 1, "row index", MAX_SPREADSHEETML_ROWS)
            yield number, *_spreadsheetml_cells(element, cell_tag, data_tag, index_attr)
            element.clear()
        elif element.tag in (table_tag, sheet_tag):
            return  # the first worksheet is the export; later ones are notes or pivots


def _spreadsheetml_cells(row: ElementTree.Element, cell_tag: str, data_tag: str,
                         index_attr: str) -> tuple[list[tuple[int, Cell]], int]:
    cells: list[tuple[int, Cell]] = []
    width = 0  # the row's cells and merges so far, as columns
    for cell in row.iter(cell_tag):
        column = _spreadsheetml_number(cell.get(index_attr), width + 1, "column index", MAX_SPREADSHEETML_COLUMNS)
        # an index behind the cells already read places the cell after them, as before
        column = max(column, width + 1)
        width = column
        data = cell.find(data_tag)
        if data is not None:
            cells.append((column - 1, _spreadsheetml_value(data)))
        width += _spreadsheetml_number(cell.get(f"{{{_SS_NS}}}MergeAcross"), 0, "merge width",
                                       MAX_SPREADSHEETML_COLUMNS)
        if width > MAX_SPREADSHEETML_COLUMNS:
            raise SheetError(f"This SpreadsheetML file has a row wider than {MAX_SPREADSHEETML_COLUMNS:,} "
                             "columns, which no ticket export has. Export the tickets again as CSV.")
    return cells, width


# Excel's own numbers: ASCII digits (spaces around allowed); not int()'s "1_000" or Arabic-Indic digits.
_SPREADSHEETML_NUMBER = re.compile(r"\s*\+?([0-9]+)\s*")


def _spreadsheetml_number(value: str | None, default: int, what: str, limit: int) -> int:
    """A row or cell index (from 1) or a merge width (from 0), trusted only within Excel's own limits."""
    if value is None:
        return default
    found = _SPREADSHEETML_NUMBER.fullmatch(value)
    if found is None:
        raise SheetError(f"This SpreadsheetML file has a {what} that is not a number ('{value[:20]}'). "
                         "Export the tickets again as CSV.")
    digits = found.group(1).lstrip("0") or "0"
    number = int(digits) if len(digits) <= len(str(limit)) else limit + 1
    lowest = 0 if what == "merge width" else 1
    if not lowest <= number <= limit:
        shown = f"{number:,}" if number <= limit else found.group(1)[:20]
        raise SheetError(f"This SpreadsheetML file has a {what} of {shown}, outside Excel's "
                         f"{lowest} to {limit:,}. Export the tickets again as CSV.")
    return number


def _spreadsheetml_value(data: ElementTree.Element) -> Cell:
    text = "".join(data.itertext())
    kind = data.get(f"{{{_SS_NS}}}Type", "String")
    try:
        if kind == "Number":
            return float(text)
        if kind == "DateTime":
            return datetime.fromisoformat(text)
        if kind == "Boolean":
            return text.strip() == "1"
    except ValueError:
        pass
    return text
