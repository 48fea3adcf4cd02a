"""Refusing ZIP workbooks that would hurt the reader, before calamine sees them.

Three kinds of file are made to look like a workbook:
- a zip bomb, whose parts expand to gigabytes: the declared sizes and compression ratios are
  checked, and every part is streamed, which proves the declared sizes true;
- an XML entity bomb: no part may declare a DOCTYPE;
- a grid bomb: a few cells placed far apart (A1 and XFD1048576) make calamine allocate the
  whole rectangle between them, hundreds of gigabytes, from a 1.5 KB file.

The grid check is the subtle one. calamine places a cell by its r="…" reference, read leniently
(any case, spaces, leading zeros), or after the previous cell when it has none. A quick proof
covers the files real exporters write: every cell opens as <c r="A1" with an upper-case
reference inside a bound taken from the header row. Anything else, in any part of the archive,
is measured exactly the way calamine places cells.

Every number a check reads is read the way calamine reads it (xml_numbers.py): calamine is Rust, and
its str::parse accepts "+5" as 5, so a check that skipped "+5" let a 847-byte file claim 6 GB.
A number the check cannot read the way the reader would is refused, never skipped; tags are
read the way quick-xml reads them (a '>' inside a quoted value does not end a tag).
"""
from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path

from postmortem_desktop.importers.checked_copy import StoredCopy
from postmortem_desktop.importers.part_stream import PartStream
from postmortem_desktop.importers.sheet_errors import SheetError
from postmortem_desktop.importers.text_decoding import bom_encoding
from postmortem_desktop.importers.xml_numbers import UnreadableAttribute, attribute, repeat_count

MAX_MEMBER_BYTES = 512 << 20
MAX_TOTAL_BYTES = 1 << 30
# Real workbooks compress 3-20x (openpyxl's inline strings ~9x); bombs compress 1000x and more.
MAX_RATIO = 100
_RATIO_FLOOR = 1 << 20  # tiny parts compress oddly well and can hold no bomb
# 10 million cells: a 100k-row export with 100 columns; the grid costs ~40 bytes a cell in memory.
MAX_GRID_CELLS = 10_000_000
# What repeats may add to a sheet's text beyond the bytes written: calamine copies a repeated cell's
# text once per repeat. Real sheets repeat a few short cells; 64 MB of copies is no ticket export.
MAX_REPEATED_TEXT = 64 << 20
PROLOG_BYTES = 64 * 1024
_CHUNK = 1 << 20
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# The canonical cell: r first, double quotes, upper case, no leading zero, at most XFD1048576,
# then only other double-quoted attributes to the tag's end: calamine places a cell by its *last*
# r, so a second one (even after a quoted '>') means measuring exactly. Possessive repeats: no
# attribute given back could ever let the tag's end match, so none is tried (a third of the scan).
_CANONICAL_ATTRIBUTES = rb'"(?: [a-qs-z][\w:]*+="[^"]*+")*+ ?/?>'
_HEADER_CELL = re.compile(rb'<c r="([A-Z]{1,3})[1-9][0-9]{0,6}"')
_PREFIXED_CELL = re.compile(rb":c[\s/>]")  # <x:c …>: namespaced cells are measured exactly
# A tag's attributes as quick-xml reads them: a '>' inside a quoted value does not end the tag.
_ATTRIBUTES = rb"""((?:[^>"']|"[^"]*"|'[^']*')*?)"""
# What the exact measure reads: row and cell tags (any prefix), and their r attribute.
_TAG = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?(row|c)(?=[\s/>])" + _ATTRIBUTES + rb">")
_REF = re.compile(rb"([A-Za-z]+)([0-9]+)")


def check_zip(path: Path, copy_into: Path | None = None) -> str:
    """The workbook kind ("xlsx" or "ods") after refusing bombs, damage and foreign archives.

    With ``copy_into`` (a folder), the parts are also written there as they are checked, stored
    uncompressed, as ``checked.<kind>`` for the reader to open (checked_copy.py); a copy that
    could not be written is left out, and a refused file leaves none.
    """
    copy = StoredCopy(copy_into)
    try:
        return _checked_zip(path, copy)
    except BaseException:
        copy.discard()
        raise


def _checked_zip(path: Path, copy: StoredCopy) -> str:
    name = path.name
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            kind = _zip_kind({info.filename for info in infos}, name)
            _check_declared_sizes(infos, name)
            copy.open(kind)
            for info in infos:
                _check_member(archive, info, name, copy)
            if kind == "ods":
                _check_ods_extent(archive, name)
            copy.close()
    # zlib.error: a member whose deflate stream is corrupt (found by the fuzz tests: it escaped as exit 1)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, NotImplementedError, zlib.error) as error:
        raise SheetError(
            f"'{name}' is damaged or incomplete ({error}); the download or copy was probably cut "
            "short. Export or download the file again."
        ) from error
    return kind


def _zip_kind(names: set[str], name: str) -> str:
    if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
        if "xl/workbook.bin" in names and "xl/workbook.xml" not in names:
            raise SheetError(f"'{name}' is an Excel binary workbook (.xlsb). Save it as .xlsx or CSV in Excel.")
        return "xlsx"
    if "content.xml" in names:
        return "ods"
    raise SheetError(f"'{name}' is a ZIP archive, not a workbook. Unzip it and import the spreadsheet inside.")


def _check_declared_sizes(infos: list[zipfile.ZipInfo], name: str) -> None:
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MAX_MEMBER_BYTES or total > MAX_TOTAL_BYTES or (
            info.file_size > _RATIO_FLOOR and ratio > MAX_RATIO
        ):
            raise SheetError(
                f"'{name}' was refused: its part '{info.filename}' would expand to "
                f"{info.file_size / 1e6:,.0f} MB ({ratio:,.0f} times its stored size), which is how "
                "a zip bomb looks, not a ticket export. Export the tickets again, as CSV if you can."
            )


def _check_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, copy: StoredCopy) -> None:
    # Streaming the part proves its declared size is true (zipfile stops at the declared size
    # and the CRC then fails), so a bomb with lying headers is caught with 1 MB of memory.
    # Every part is looked at for cells, whatever its name: the workbook can point anywhere.
    is_xml = info.filename.endswith((".xml", ".rels", ".vml")) or info.filename == "[Content_Types].xml"
    proof = _QuickProof()
    copy.begin(info)
    with PartStream(archive, info, PROLOG_BYTES, _CHUNK, copy.write) as chunks:
        for chunk in chunks:
            if proof.fed == 0 and is_xml and declares_doctype(chunk):
                raise SheetError(
                    f"'{name}' was refused: its part '{info.filename}' declares XML entities (a DOCTYPE), "
                    "which real workbooks never do and XML bombs do. Export the tickets again, as CSV if you can."
                )
            proof.feed(chunk)
    copy.end()
    if not proof.holds():
        _check_extent(archive, info, name)


def _check_extent(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> None:
    """Every row and cell tag of a part read, for the exact rectangle calamine would allocate."""
    extent = _CellExtent(name)
    with PartStream(archive, info, _CHUNK, _CHUNK) as chunks:
        for chunk in chunks:
            extent.feed(chunk)
    _refuse_large_grid(extent.rows(), extent.columns(), name)


def _check_ods_extent(archive: zipfile.ZipFile, name: str) -> None:
    """An OpenDocument sheet repeats rows and cells by count: a 1 KB file can ask for 100M cells."""
    extent = _OdsExtent(name)
    with PartStream(archive, archive.getinfo("content.xml"), _CHUNK, _CHUNK) as chunks:
        for chunk in chunks:
            extent.feed(chunk)
    rows, columns = extent.largest()
    _refuse_large_grid(rows, columns, name)
    if extent.repeated_text > MAX_REPEATED_TEXT:
        raise SheetError(
            f"'{name}' was refused: its repeated cells would copy {extent.repeated_text / 1e6:,.0f} MB of text, "
            "which is how a workbook bomb looks, not a ticket export. Export the tickets again, as CSV if you can."
        )


def _refuse_large_grid(rows: int, columns: int, name: str) -> None:
    if rows * columns > MAX_GRID_CELLS:
        raise SheetError(
            f"'{name}' was refused: a sheet spans {rows:,} rows by {columns:,} columns, a grid "
            f"far larger than any ticket export (a few cells placed far apart can make a tiny file claim "
            f"gigabytes). Export the tickets again, as CSV if you can."
        )


_MAX_CARRY = 16 << 20  # Excel holds 32,767 characters a cell: 16 MB of one tag or text is no export


class _Pieces:
    """Chunks of a part re-cut just before their last '<', so no tag is ever split in two."""

    def __init__(self) -> None:
        self._carry = b""

    def cut(self, chunk: bytes) -> bytes:
        data = self._carry + chunk
        end = data.rfind(b"<")
        if end < 0:
            self._carry = b""
            return data
        if len(data) - end > _MAX_CARRY:
            raise SheetError("the workbook holds a single element of more than 16 MB, which no ticket export "
                             "does. Export the tickets again, as CSV if you can.")
        self._carry = data[end:]
        return data[:end]


class _QuickProof:
    """Proves in one search per chunk that a part's cells fit in MAX_GRID_CELLS.

    It holds when every cell opens as the canonical <c r="A1" and none lies right of the header
    row's last column or below the rows that MAX_GRID_CELLS leaves at that width: then the
    rectangle is at most that big. ~0.3 s per 100k rows, against ~2 s to measure exactly.
    """

    def __init__(self) -> None:
        self._pieces = _Pieces()
        self._pattern: re.Pattern[bytes] | None = None
        self._holds = True
        self.fed = 0  # chunks fed so far

    def feed(self, chunk: bytes) -> None:
        self.fed += 1
        if not self._holds:
            return
        piece = self._pieces.cut(chunk)
        if self._pattern is None:
            header = _HEADER_CELL.findall(piece[:piece.find(b"</row>")]) if b"</row>" in piece else []
            if not header:
                # no cells yet (or none canonical): any cell at all means measuring exactly
                self._holds = re.search(rb"<(?:[A-Za-z_][\w.\-]*:)?c[\s/>]", piece) is None
                return
            self._pattern = _outside_pattern(max((c.decode() for c in header), key=lambda c: (len(c), c)))
        if self._pattern.search(piece) or _PREFIXED_CELL.search(piece):
            self._holds = False

    def holds(self) -> bool:
        return self._holds


def _outside_pattern(last_column: str) -> re.Pattern[bytes]:
    """A cell that opens other than canonically, or canonically but outside the bound.

    Written as one look-ahead for the cells that are fine, so a real sheet's cell costs the
    regex engine a single forward pass and no backtracking: it runs once for every cell of the
    file (1.7 million in a 100k-row export), and the two-branch form cost as much as calamine's parse.
    """
    rows = MAX_GRID_CELLS // column_number(last_column.encode())
    # canonical rows have at most 7 digits, whatever the bound (XFD1048576 is Excel's last cell)
    row_bound = str(min(rows, 9_999_999))
    inside = (at_most(last_column, _LETTERS, _LETTERS) + at_most(row_bound, "0123456789", "123456789")
              + _CANONICAL_ATTRIBUTES.decode())
    return re.compile(f'<c(?=[\\s/>])(?! r="{inside})'.encode())


def at_most(bound: str, alphabet: str, leading: str) -> str:
    """A pattern for the strings over ``alphabet`` (in order) that start with one of ``leading``
    and name a number no larger than ``bound``, as cell references write rows (digits, no
    leading zero) and columns (letters): shorter ones, or as long and not larger at the first
    place they differ. The shorter ones come first, as most cells of a sheet are."""
    low, high, first = alphabet[0], alphabet[-1], leading[0]
    parts = [f"[{first}-{high}][{low}-{high}]{{0,{len(bound) - 2}}}+"] if len(bound) > 1 else []
    for i, char in enumerate(bound):
        floor = first if i == 0 else low
        position = alphabet.index(char)
        if position > alphabet.index(floor):
            rest = len(bound) - i - 1
            tail = f"[{low}-{high}]{{{rest}}}" if rest else ""
            parts.append(bound[:i] + f"[{floor}-{alphabet[position - 1]}]" + tail)
    parts.append(bound)
    return "(?:" + "|".join(parts) + ")"


class _CellExtent:
    """The rectangle of cells calamine would build from a part, measured the way it places them:
    by a cell's r reference (any case, spaces, leading zeros), or else one column right of the
    previous cell in the row, the row being its own r or the one after the previous row."""

    def __init__(self, name: str) -> None:
        self._name = name
        self.min_row = self.min_col = 1 << 62
        self.max_row = self.max_col = -1
        self._row = self._col = -1
        self._pieces = _Pieces()

    def feed(self, chunk: bytes) -> None:
        for tag in _TAG.finditer(self._pieces.cut(chunk)):
            try:
                reference = (attribute(tag.group(2), b"r") or b"").strip()
            except UnreadableAttribute as error:
                raise unreadable_attribute(self._name, error) from None
            if tag.group(1) == b"row":
                self._row = int(reference) - 1 if reference.isdigit() else self._row + 1
                self._col = -1
                continue
            place = _REF.fullmatch(reference)
            if place:
                row, self._col = int(place.group(2)) - 1, column_number(place.group(1).upper()) - 1
            else:  # no reference (or one calamine would refuse): the next column along
                row, self._col = self._row, self._col + 1
            self.min_row, self.max_row = min(self.min_row, row), max(self.max_row, row)
            self.min_col, self.max_col = min(self.min_col, self._col), max(self.max_col, self._col)

    def rows(self) -> int:
        return max(0, self.max_row - self.min_row + 1)

    def columns(self) -> int:
        return max(0, self.max_col - self.min_col + 1)

    def cells(self) -> int:
        return self.rows() * self.columns()


_ODS_TAG = re.compile(rb"<(/?)(?:[A-Za-z_][\w.\-]*:)?(table|table-row|table-cell|covered-table-cell|s)(?=[\s/>])"
                      + _ATTRIBUTES + rb">")
# What makes calamine keep a cell: a value, a value type, or a formula (even with no value).
_ODS_CONTENT = re.compile(rb"(?:^|\s)(?:[\w.\-]+:)?(?:value-type|value|string-value|date-value|time-value|"
                          rb"boolean-value|formula)\s*=")
_ROWS_REPEATED, _COLUMNS_REPEATED, _SPACES = b"table:number-rows-repeated", b"table:number-columns-repeated", b"text:c"


class _OdsExtent:
    """Each table's rows up to its last one with content, by its widest row up to its last cell
    with content: repeated empty rows and cells at the end (LibreOffice writes a million) are free,
    repeated ones with content count as many times as they say. Also the text that repeats copy
    (a cell's bytes, and its <text:s text:c="n"/> spaces, once per repeat), which the grid alone
    does not bound: one 1 MB cell repeated 10,000 times is 10 GB of strings.
    """

    def __init__(self, name: str) -> None:
        self._name = name
        self._pieces = _Pieces()
        self._offset = 0  # of the current piece in the part, so a cell's size spans pieces
        self._largest = (0, 0)
        self.repeated_text = 0
        self._start_table()

    def _start_table(self) -> None:
        self._rows = self._last_row = self._width = 0
        self._row_repeat = self._col = self._last_col = 0
        self._cell_repeat = 1
        self._cell_start: int | None = None  # where a cell with content began

    def feed(self, chunk: bytes) -> None:
        piece = self._pieces.cut(chunk)
        for tag in _ODS_TAG.finditer(piece):
            closing, kind, attributes = tag.group(1), tag.group(2), tag.group(3)
            empty = attributes.endswith(b"/")
            if kind == b"table":
                self._end_table() if closing else self._start_table()
            elif kind == b"table-row":
                if closing:
                    self._end_row()
                else:
                    self._row_repeat, self._col, self._last_col = self._count(attributes, _ROWS_REPEATED), 0, 0
                    if empty:
                        self._end_row()
            elif kind == b"s":
                if not closing:
                    self._add_text(self._count(attributes, _SPACES) * self._copies())
            elif closing:
                self._end_cell(self._offset + tag.end())
            else:  # a cell: content when it has a value, a formula, or anything inside
                self._cell_repeat = self._count(attributes, _COLUMNS_REPEATED)
                self._col += self._cell_repeat
                if not empty or _ODS_CONTENT.search(attributes):
                    self._last_col = self._col
                    self._cell_start = self._offset + tag.start()  # calamine copies only cells with content
                if empty:
                    self._end_cell(self._offset + tag.end())
        self._offset += len(piece)

    def _count(self, attributes: bytes, name: bytes) -> int:
        try:
            return repeat_count(attributes, name)
        except UnreadableAttribute as error:
            raise unreadable_attribute(self._name, error) from None

    def _end_cell(self, end: int) -> None:
        if self._cell_start is not None:  # the bytes written once, copied for every other repeat
            self._add_text((end - self._cell_start) * (self._copies() - 1))
        self._cell_start, self._cell_repeat = None, 1

    def _copies(self) -> int:
        return max(self._row_repeat, 1) * max(self._cell_repeat, 1)

    def _add_text(self, size: int) -> None:
        self.repeated_text += size  # refused at the end, after the grid: its message says more

    def _end_row(self) -> None:
        self._rows += self._row_repeat
        if self._last_col:
            self._last_row, self._width = self._rows, max(self._width, self._last_col)

    def _end_table(self) -> None:
        rows, width = self._last_row, self._width
        if rows * width > self._largest[0] * self._largest[1]:
            self._largest = (rows, width)

    def largest(self) -> tuple[int, int]:
        self._end_table()  # a table left open at the end of the file counts too
        return self._largest


def unreadable_attribute(name: str, error: UnreadableAttribute) -> SheetError:
    return SheetError(f"'{name}' could not be read as a workbook: in its sheet, {error}. Open it in Excel or "
                      "LibreOffice, save it as .xlsx or CSV UTF-8, and import that.")


def column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + (letter - 64)
    return number


def declares_doctype(head: bytes) -> bool:
    """Whether the XML prolog holds a DOCTYPE (or cannot be seen whole in the first 64 KB)."""
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        return True
    text = head.decode(bom_encoding(head) or "utf-8", errors="ignore").lstrip("\ufeff")
    position = 0
    while True:
        while position < len(text) and text[position] in " \t\r\n":
            position += 1
        if text.startswith("<?", position):
            end = text.find("?>", position)
        elif text.startswith("<!--", position):
            end = text.find("-->", position)
        else:
            return text.startswith("<!", position)
        if end < 0:
            return len(head) >= PROLOG_BYTES  # a prolog longer than 64 KB is not a workbook's
        position = end + 2
