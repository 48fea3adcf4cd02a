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
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

from postmortem_desktop.importers.sheet_errors import SheetError
from postmortem_desktop.importers.text_decoding import bom_encoding

MAX_MEMBER_BYTES = 512 << 20
MAX_TOTAL_BYTES = 1 << 30
# Real workbooks compress 3-20x (openpyxl's inline strings ~9x); bombs compress 1000x and more.
MAX_RATIO = 100
_RATIO_FLOOR = 1 << 20  # tiny parts compress oddly well and can hold no bomb
# 10 million cells: a 100k-row export with 100 columns; the grid costs ~40 bytes a cell in memory.
MAX_GRID_CELLS = 10_000_000
PROLOG_BYTES = 64 * 1024
_CHUNK = 1 << 20
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# The canonical cell: r first, double quotes, upper case, no leading zero, at most XFD1048576.
_CANONICAL_CELL = rb'<c r="[A-Z]{1,3}[1-9][0-9]{0,6}"'
_HEADER_CELL = re.compile(rb'<c r="([A-Z]{1,3})[1-9][0-9]{0,6}"')
_PREFIXED_CELL = re.compile(rb":c[\s/>]")  # <x:c …>: namespaced cells are measured exactly
# What the exact measure reads: row and cell tags (any prefix), and their r attribute.
_TAG = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?(row|c)(?=[\s/>])([^>]*)>")
_R_ATTR = re.compile(rb"""(?:^|\s)r\s*=\s*(["'])\s*([^"']*?)\s*\1""")
_REF = re.compile(rb"([A-Za-z]+)([0-9]+)")


def check_zip(path: Path) -> str:
    """The workbook kind ("xlsx" or "ods") after refusing bombs, damage and foreign archives."""
    name = path.name
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            kind = _zip_kind({info.filename for info in infos}, name)
            _check_declared_sizes(infos, name)
            for info in infos:
                _check_member(archive, info, name)
            if kind == "ods":
                _check_ods_extent(archive, name)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, NotImplementedError) as error:
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


def _check_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> None:
    # Streaming the part proves its declared size is true (zipfile stops at the declared size
    # and the CRC then fails), so a bomb with lying headers is caught with 1 MB of memory.
    # Every part is looked at for cells, whatever its name: the workbook can point anywhere.
    is_xml = info.filename.endswith((".xml", ".rels", ".vml")) or info.filename == "[Content_Types].xml"
    proof = _QuickProof()
    with archive.open(info) as stream:
        first = stream.read(PROLOG_BYTES)
        if is_xml and declares_doctype(first):
            raise SheetError(
                f"'{name}' was refused: its part '{info.filename}' declares XML entities (a DOCTYPE), "
                "which real workbooks never do and XML bombs do. Export the tickets again, as CSV if you can."
            )
        chunk = first
        while chunk:
            proof.feed(chunk)
            chunk = stream.read(_CHUNK)
    if not proof.holds():
        _check_extent(archive, info, name)


def _check_extent(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> None:
    """Every row and cell tag of a part read, for the exact rectangle calamine would allocate."""
    extent = _CellExtent()
    with archive.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            extent.feed(chunk)
    _refuse_large_grid(extent.rows(), extent.columns(), name)


def _check_ods_extent(archive: zipfile.ZipFile, name: str) -> None:
    """An OpenDocument sheet repeats rows and cells by count: a 1 KB file can ask for 100M cells."""
    extent = _OdsExtent()
    with archive.open("content.xml") as stream:
        while chunk := stream.read(_CHUNK):
            extent.feed(chunk)
    rows, columns = extent.largest()
    _refuse_large_grid(rows, columns, name)


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

    def feed(self, chunk: bytes) -> None:
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
    """A cell that opens other than canonically, or canonically but outside the bound."""
    rows = MAX_GRID_CELLS // column_number(last_column.encode())
    outside = (greater_than(last_column, _LETTERS) + "(?=[0-9])|[A-Z]{1,3}" + greater_than(str(rows), "0123456789")
               + '"')
    return re.compile(f'<c(?=[\\s/>])(?: r="(?:{outside})|(?!{_CANONICAL_CELL[2:].decode()}))'.encode())


def greater_than(bound: str, alphabet: str) -> str:
    """A pattern for the strings over ``alphabet`` (in order) that name a larger number than
    ``bound``, as cell references write rows (digits) and columns (letters): longer ones, or as
    long and larger at the first place they differ."""
    low, high = alphabet[0], alphabet[-1]
    parts = [f"[{low}-{high}]{{{len(bound) + 1},}}"]
    for i, char in enumerate(bound):
        position = alphabet.index(char)
        if position + 1 < len(alphabet):
            rest = len(bound) - i - 1
            tail = f"[{low}-{high}]{{{rest}}}" if rest else ""
            parts.append(bound[:i] + f"[{alphabet[position + 1]}-{high}]" + tail)
    return "(?:" + "|".join(parts) + ")"


class _CellExtent:
    """The rectangle of cells calamine would build from a part, measured the way it places them:
    by a cell's r reference (any case, spaces, leading zeros), or else one column right of the
    previous cell in the row, the row being its own r or the one after the previous row."""

    def __init__(self) -> None:
        self.min_row = self.min_col = 1 << 62
        self.max_row = self.max_col = -1
        self._row = self._col = -1
        self._pieces = _Pieces()

    def feed(self, chunk: bytes) -> None:
        for tag in _TAG.finditer(self._pieces.cut(chunk)):
            attribute = _R_ATTR.search(tag.group(2))
            reference = attribute.group(2) if attribute else b""
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


_ODS_TAG = re.compile(rb"<(/?)(?:[A-Za-z_][\w.\-]*:)?(table|table-row|table-cell|covered-table-cell)(?=[\s/>])"
                      rb"([^>]*?)(/?)>")
_ODS_REPEAT = re.compile(rb"(?:^|\s)(?:[\w.\-]+:)?number-(rows|columns)-repeated\s*=\s*[\"']\s*([0-9]+)")
_ODS_VALUE = re.compile(rb"(?:^|\s)(?:[\w.\-]+:)?value-type\s*=")


class _OdsExtent:
    """Each table's rows up to its last one with content, by its widest row up to its last cell
    with content: repeated empty rows and cells at the end (LibreOffice writes a million) are free,
    repeated ones with content count as many times as they say."""

    def __init__(self) -> None:
        self._pieces = _Pieces()
        self._largest = (0, 0)
        self._start_table()

    def _start_table(self) -> None:
        self._rows = self._last_row = self._width = 0
        self._row_repeat = self._col = self._last_col = 0

    def feed(self, chunk: bytes) -> None:
        for closing, kind, attributes, empty in _ODS_TAG.findall(self._pieces.cut(chunk)):
            if kind == b"table":
                self._end_table() if closing else self._start_table()
            elif kind == b"table-row":
                if closing:
                    self._end_row()
                else:
                    self._row_repeat, self._col, self._last_col = self._repeat(attributes), 0, 0
                    if empty:
                        self._end_row()
            elif not closing:  # a cell: content when it has a value or anything inside
                self._col += self._repeat(attributes)
                if not empty or _ODS_VALUE.search(attributes):
                    self._last_col = self._col

    @staticmethod
    def _repeat(attributes: bytes) -> int:
        found = _ODS_REPEAT.search(attributes)
        return int(found.group(2)) if found else 1

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
