"""Reading a ticket dump as a stream: the checked head first, then every row as the reader reaches it.

A large import maps and stores rows while the file is still being read (services/import_pipeline.py),
so a CSV is parsed record by record instead of all at once. The head (header and first rows) is
read before anything is handed out and gets the same checks as read_sheet; the checks that need
the end of the file (a quote never closed) run when the stream reaches it. Workbooks cannot be
read part by part, so their stream is the whole sheet read first.
"""
from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, islice
from pathlib import Path
from typing import TYPE_CHECKING

from python_calamine import CalamineWorkbook

from postmortem_desktop.importers.open_quotes import (
    RowShape,
    ended_inside_quote,
    is_end_marker,
    open_quotes_in,
    quote_at_end,
    with_end_marker,
)
from postmortem_desktop.importers.sheet_errors import SheetError
from postmortem_desktop.importers.sheet_reader import (
    _FIELD_CAP,
    _NON_CSV_LINE_BREAKS,
    Cell,
    Sheet,
    _check_rows,
    _csv_lines,
    _decoded_text,
    _header_names,
    _read_kind,
    checked_file,
    empty_workbook,
    first_record_is_data,
    hide_bare_cr,
    lone_merged_block,
    note_decoding,
    numbered_columns,
    preamble_length,
    show_bare_cr,
    unreadable_text,
    unreadable_workbook,
    worksheets,
)
from postmortem_desktop.importers.text_decoding import (
    _SAMPLE_BYTES,
    UTF8_SIG,
    DecodedText,
    _utf16_without_bom,
    bom_encoding,
    detect_delimiter,
    looks_binary,
    without_nul,
)

if TYPE_CHECKING:
    from _csv import Reader as CsvReader

_BLOCK = 1000
HEAD_ROWS = 200  # enough for vendor recognition and a day order, as read_sheet's callers use


@dataclass
class SheetStream:
    """The head of a sheet (checked) and an iterator over all its numbered data rows."""

    head: Sheet
    rows: Iterator[tuple[int, Sequence[Cell]]]
    #: (rows handed out so far, rows in all): a text file's total is estimated from the share of it read
    progress: Callable[[], tuple[int, int | None]]


def stream_sheet(path: str | Path, head_rows: int = HEAD_ROWS, *, whole_text: bool = False,
                 has_header: bool | None = None) -> SheetStream:
    """Opens ``path`` for streaming; raises SheetError as read_sheet would (at the latest, mid-stream).

    A UTF-8 text file is decoded as it is read, so its first rows are ready at once; should a
    byte further on turn out not to be UTF-8, the stream raises NotUtf8 and the caller opens
    it again with ``whole_text``, which decodes the whole file first exactly as read_sheet does.
    """
    path = Path(path)
    with checked_file(path) as (kind, source):
        if kind in ("xlsx", "ods", "xls"):  # calamine has read the whole sheet when this returns
            return _workbook_stream(path, kind, head_rows, source)
    if kind != "text":
        return _whole_sheet(path, kind)
    streamed = None if whole_text else _Utf8Lines.open(path)
    if streamed is not None:
        return _text_stream(streamed, DecodedText("", streamed.codec), streamed.delimiter, head_rows, path.name,
                            has_header)
    decoded, delimiter = _decoded_text(path)
    return _text_stream(_LazyLines(decoded.text), decoded, delimiter, head_rows, path.name, has_header)


def _workbook_stream(path: Path, kind: str, head_rows: int, source: Path) -> SheetStream:
    """The first sheet with cells, its rows converted to Python as they are asked for.

    calamine parses the whole sheet first either way; converting its 100k rows to Python lists
    (~0.3 s) then happens while the first ones are already being stored. Rows, numbers and
    header are those of read_sheet (sheet_reader._first_table and _sheet_from_grid). ``source`` is
    the file calamine opens: the checked copy (sheet_reader.checked_file).
    """
    name = path.name
    try:
        for sheet_name, sheet in worksheets(CalamineWorkbook.from_path(str(source))):
            start = sheet.start
            first_row = (start[0] if start else 0) + 1
            grid = islice(sheet.iter_rows(), first_row - 1, None)  # iter_rows starts at row 1, not at start
            numbered = ((first_row + index, cells) for index, cells in enumerate(grid))
            filled = ((number, cells) for number, cells in numbered if any(c != "" and c is not None for c in cells))
            header = next(filled, None)
            if header is not None:
                total = sheet.end[0] + 1 - header[0] if sheet.end else None  # rows below the header, blank or not
                return _workbook_rows(header, filled, kind, sheet_name, head_rows, name, total,
                                      lone_merged_block(sheet))
    except SheetError:
        raise
    except Exception as error:  # calamine raises its own error types for every damage it meets
        raise unreadable_workbook(name, error) from error
    raise empty_workbook(name)


def _workbook_rows(header: tuple[int, Sequence[Cell]], filled: Iterator[tuple[int, Sequence[Cell]]], kind: str,
                   sheet_name: str, head_rows: int, name: str, total: int | None,
                   headerless: bool = False) -> SheetStream:
    header_row, raw_header = header
    with_header = not headerless and not first_record_is_data(raw_header)
    if not with_header:  # as read_sheet's _sheet_from_grid: the first record is data
        filled = chain([header], filled)
    head = list(islice(filled, head_rows))
    names = _header_names(raw_header) if with_header else numbered_columns([cells for _, cells in head[:50]])
    sheet = Sheet(names, [cells for _, cells in head], [number for number, _ in head], kind,
                  sheet_name=sheet_name, truncated=len(head) >= head_rows, header_row=header_row if with_header else 0,
                  raw_header=list(raw_header) if with_header else list(names), has_header=with_header)
    _check_rows(sheet, name)
    count = [0]

    def rows() -> Iterator[tuple[int, Sequence[Cell]]]:
        for numbered in chain(head, filled):
            count[0] += 1
            yield numbered

    return SheetStream(sheet, rows(), lambda: (count[0], total))


def _whole_sheet(path: Path, kind: str) -> SheetStream:
    sheet = _read_kind(path, kind, None)
    _check_rows(sheet, path.name)
    position = [0]

    def rows() -> Iterator[tuple[int, Sequence[Cell]]]:
        for numbered in sheet.numbered_rows():
            position[0] += 1
            yield numbered

    return SheetStream(sheet, rows(), lambda: (position[0], len(sheet.rows)))


def _text_stream(lines: _Utf8Lines | _LazyLines, decoded: DecodedText, delimiter: str, head_rows: int,
                 name: str, has_header: bool | None = None) -> SheetStream:
    """``decoded`` says how the text was read (its own text may be left empty: ``lines`` has it);
    ``has_header`` as read_sheet's."""
    reader = csv.reader(with_end_marker(lines), delimiter=delimiter)
    end = _TextEnd()
    parsed = [0]  # records the reader made so far, from the lines it was handed (lines.progress)
    records = _records(reader, name, lines, end, parsed)
    first = next(((n, cells) for n, cells in records if any(c.strip() for c in cells)), None)
    if first is None:
        raise SheetError(f"'{name}' is empty. Export the tickets again and check the file has rows.")
    # the first 50 records, as read_sheet looks past a preamble above the header
    lookahead = [first, *islice(records, 49)]
    skip = preamble_length([cells for _, cells in lookahead])
    first = lookahead[skip]
    records = chain(lookahead[skip + 1:], records)
    header_number, raw_header = first
    with_header = has_header if has_header is not None else not first_record_is_data(
        raw_header, [cells for _, cells in lookahead[skip + 1:]])
    head: list[tuple[int, list[str]]] = [] if with_header else [first]
    for numbered in records:
        head.append(numbered)
        if len(head) >= head_rows:
            break
    # the first 50 records, as read_sheet names a headerless file's columns
    header = _header_names(raw_header) if with_header else numbered_columns([cells for _, cells in head[:50]])
    sheet = Sheet(header, [cells for _, cells in head], [number for number, _ in head],
                  "tsv" if delimiter == "\t" else "csv", delimiter=delimiter,
                  truncated=len(head) >= head_rows, header_row=header_number if with_header else 0,
                  raw_header=raw_header if with_header else header, has_header=with_header)
    note_decoding(sheet, decoded)
    _check_rows(sheet, name)

    shape = RowShape(len(header), delimiter, sheet.rows)

    def rows() -> Iterator[tuple[int, list[str]]]:
        # the quotes found are added to the head's open_quotes as the rows stream (open_quotes.py)
        last = None
        for block in chain([head] if head else [], _blocks(records)):
            if end.line_breaks_between(block[0][0], block[-1][0]):
                sheet.open_quotes.extend(open_quotes_in(block, shape))
            yield from block
            last = block[-1]
        if end.inside_quote and last is not None:  # said once, as a quote open at the end (or refused)
            sheet.open_quotes[:] = [quote for quote in sheet.open_quotes if quote.row != last[0]]
            sheet.open_quotes.append(quote_at_end(last[0], last[1], shape, name))

    handed = [0]

    def counted_rows() -> Iterator[tuple[int, list[str]]]:
        for numbered in rows():
            handed[0] += 1
            yield numbered

    def progress() -> tuple[int, int | None]:
        done, size = lines.progress()
        # the records parsed so far over the share of the text they came from: the rows in all, near enough
        return handed[0], round(parsed[0] * size / done) if done else None

    return SheetStream(sheet, counted_rows(), progress)


class NotUtf8(Exception):
    """A file streamed as UTF-8 held a byte that is not: it must be read whole and detected."""


class _Utf8Lines:
    """The lines of a UTF-8 file, decoded a megabyte at a time as csv.reader asks for them.

    Only files whose start is UTF-8 text (with or without its BOM) are streamed this way;
    anything else is decoded whole, with detection, by sheet_reader. The pieces end after a
    newline, so no line and no CR LF pair is ever cut.
    """

    PIECE = 1 << 20

    def __init__(self, path: Path, codec: str, delimiter: str) -> None:
        self.path, self.codec, self.delimiter = path, codec, delimiter
        self.size = path.stat().st_size
        self.done = 0.0  # bytes of the lines handed out (_handed_out), not of those read ahead
        self.hid_cr = False  # some bare CR was hidden (sheet_reader.hide_bare_cr): the records show it again

    @classmethod
    def open(cls, path: Path) -> _Utf8Lines | None:
        # 4x the sample: read_sheet sniffs the delimiter in the first 64 K *characters*
        with path.open("rb") as handle:
            head = handle.read(4 * _SAMPLE_BYTES)
        sample = head[:_SAMPLE_BYTES]
        if looks_binary(sample):
            _decoded_text(path)  # raises the binary-data SheetError
        codec = bom_encoding(sample)
        if codec not in (None, UTF8_SIG) or (codec is None and _utf16_without_bom(sample)):
            return None
        codec = codec or "utf-8"
        try:
            text = codecs.getincrementaldecoder(codec)().decode(head, final=len(head) < 4 * _SAMPLE_BYTES)
        except UnicodeDecodeError:
            return None
        return cls(path, codec, detect_delimiter(_first_text(codec, text)[:_SAMPLE_BYTES]))

    def progress(self) -> tuple[int, int]:
        return round(self.done), self.size

    def __iter__(self) -> Iterator[str]:
        decoder = codecs.getincrementaldecoder(self.codec)()
        carry = ""
        first = True
        read = 0
        with self.path.open("rb") as handle:
            while True:
                data = handle.read(self.PIECE)
                read += len(data)
                try:
                    text = decoder.decode(data, final=not data)
                except UnicodeDecodeError as error:
                    raise NotUtf8(str(error)) from error
                if first and text:
                    text, first = _first_text(self.codec, text), False
                text = carry + text
                if not data:
                    yield from _handed_out(self, self._lines(text), self.size)
                    return
                cut = text.rfind("\n") + 1
                carry = text[cut:]
                # the carried part line's bytes are the next piece's: counted as characters, near enough
                yield from _handed_out(self, self._lines(text[:cut]), read - len(carry))

    def _lines(self, text: str) -> list[str]:
        hidden = hide_bare_cr(without_nul(text))
        self.hid_cr = self.hid_cr or hidden is not text
        return _split(hidden)


def _first_text(codec: str, text: str) -> str:
    # As text_decoding.decode: after utf-8-sig has taken its BOM, one more is dropped (files
    # saved twice with a BOM have two), so the first header name comes out clean either way.
    return text[1:] if codec == UTF8_SIG and text.startswith("\ufeff") else text


def _split(text: str) -> list[str]:
    # splitlines breaks at more than CSV line ends; text holding those takes the exact path
    if any(separator in text for separator in _NON_CSV_LINE_BREAKS):
        return list(io.StringIO(text, newline=""))
    return text.splitlines(keepends=True)


class _LazyLines:
    """The text's lines for csv.reader, split a megabyte at a time rather than all at once.

    Splitting 70 MB takes 0.1 s, and the import's first rows should not wait for the last
    line. Pieces end just after a newline, so no CR LF pair is cut; ``done`` is how many
    characters have been handed out, for progress.
    """

    PIECE = 1 << 20

    def __init__(self, text: str) -> None:
        hidden = hide_bare_cr(text)
        self.hid_cr = hidden is not text  # the records show the CRs again (sheet_reader.hide_bare_cr)
        self.text = text = hidden
        self.done = 0.0  # characters of the lines handed out (_handed_out)
        self.progress = lambda: (round(self.done), len(text))
        # splitlines breaks at more than CSV line ends; text holding those takes the exact path
        self._exact = _csv_lines(text) if any(sep in text for sep in _NON_CSV_LINE_BREAKS) else None

    def __iter__(self) -> Iterator[str]:
        if self._exact is not None:
            yield from self._exact
            self.done = len(self.text)
            return
        text, size = self.text, len(self.text)
        start = 0
        while start < size:
            end = text.find("\n", start + self.PIECE)
            end = size if end < 0 else end + 1
            piece = text[start:end]
            start = end
            yield from _handed_out(self, piece.splitlines(keepends=True), end)


def _handed_out(source: _Utf8Lines | _LazyLines, lines: list[str], until: float) -> Iterator[str]:
    """The lines one by one, moving source.done from where it is to `until` in step with their lengths.

    Progress is the rows stored over the share of the file read, so it must count what was handed to the reader,
    not what was read ahead: counting a whole megabyte as soon as it was read, the first estimate of a 40,000-row
    import said "of about 13,100"."""
    start = source.done
    step = (until - start) / (sum(map(len, lines)) or 1)
    for line in lines:
        source.done += len(line) * step
        yield line
    source.done = until


def _blocks(records: Iterator[tuple[int, list[str]]]) -> Iterator[list[tuple[int, list[str]]]]:
    while block := list(islice(records, _BLOCK)):
        yield block


class _TextEnd:
    """How the text ended, once the reader has reached END_MARKER (open_quotes.py), and which records
    ran over more than one line: only those can hold a row swallowed by a quote."""

    def __init__(self) -> None:
        self.inside_quote = False
        self.spans: list[tuple[int, int]] = []  # (first, last) record numbers of blocks with such a record

    def line_breaks_between(self, first: int, last: int) -> bool:
        return any(start <= last and first <= end for start, end in self.spans)


def _records(reader: CsvReader, name: str, lines: _Utf8Lines | _LazyLines | None = None,
             end: _TextEnd | None = None, parsed: list[int] | None = None) -> Iterator[tuple[int, list[str]]]:
    """(record number, cells) for every non-blank record; numbers count blank records too, as Excel does.
    parsed[0]: how many records with cells the reader has made so far (a block ahead of those yielded), for
    progress.

    The reader's lines end with open_quotes.END_MARKER: its record is dropped, or, when it ran into
    the last record's open quote, taken off that record's cell and noted in ``end``. Every block's
    last record is looked at, since the last block may be a full one; no export holds U+E00E.
    """
    # The default 128 KB field cap would refuse a ticket with a long pasted log. The cap is
    # process-wide, so it is raised only while a block is read, never across a yield: a generator
    # abandoned after its first rows (a file refused from its head) left it raised for the process.
    numbered = enumerate(reader, 1)
    while True:
        previous_cap = csv.field_size_limit(_FIELD_CAP)
        lines_before = reader.line_num
        try:
            # a block at a time: one Python step per block, not per row, keeps 100k rows cheap
            block = list(islice(numbered, _BLOCK))
        except csv.Error as error:
            raise unreadable_text(name, reader.line_num, error) from error
        finally:
            csv.field_size_limit(previous_cap)
        if not block:
            return
        if parsed is not None:  # records with cells only: a blank line is no row (as the rows yielded below)
            parsed[0] += sum(1 for _number, cells in block if any(cells))
        if end is not None and reader.line_num - lines_before > len(block):  # a record ran over lines
            end.spans.append((block[0][0], block[-1][0]))
        if is_end_marker(block[-1][1]):
            block.pop()
        elif ended_inside_quote(block[-1][1]) and end is not None:
            end.inside_quote = True
        if lines is not None and lines.hid_cr:
            block = list(zip((number for number, _ in block), show_bare_cr(cells for _, cells in block), strict=True))
        yield from [record for record in block if any(record[1])]
