"""A quote opened in a CSV and not closed where it should be, told apart from a real line break in a cell.

A field that opens a quote and never closes it on its line runs on over the next lines until some
later quote closes it: the rows in between vanish into one cell, and nothing is refused. A real
multi-line field (a description with line breaks) is read the same way, so the two are told apart
by what the lines inside the cell look like (RowShape): a swallowed row splits into as many
fields as the header has, and begins with a value shaped like the key column's values ("Q3" among
"Q1", "Q2"); a line of prose does not. A quote still open at the end of the file is known for sure
(the END_MARKER line after the text runs into the cell): the file was cut short, or the quote swallowed
the rest of the file, which is refused (too much is lost to import it).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain

from postmortem_desktop.importers.sheet_errors import SheetError

# A line given to csv.reader after the text's last line: it becomes a record of its own when the
# text ended outside any quote, and the end of the last cell when a quote was still open.
END_MARKER = "\ue00e"

_SAMPLE_ROWS = 200  # rows that say what the key column's values look like
_SHOWN = 3  # swallowed rows named in a message


@dataclass(frozen=True)
class OpenQuote:
    """A record whose quote ran over lines that look like rows of their own, or to the end of the file."""

    row: int  # the record where the quote opens, numbered as the sheet numbers its rows
    swallowed: tuple[str, ...]  # the key values of the lines that look like rows (Q3, Q4…)
    at_end: bool = False  # the file ends inside the quote

    def message(self) -> str:
        count = len(self.swallowed)
        named = ", ".join(self.swallowed[:_SHOWN]) + (", …" if count > _SHOWN else "")
        lines = (f"{count} line that looks like a row of its own ({named})" if count == 1 else
                 f"{count} lines that look like rows of their own ({named})")
        if not self.at_end:
            return (f"row {self.row}: a quote opened here runs over {lines}; check the file for a missing "
                    "closing quote (those rows are inside this row's cell, not imported as rows)")
        ran = f", over {lines}" if count else ""
        return (f"row {self.row}: a quote opened here is never closed: the file ends inside it{ran}, so the file "
                "may have been cut short; check the end of the file, or export it again")


class RowShape:
    """What a record of one file looks like, to tell a swallowed row from a line of a multi-line cell."""

    def __init__(self, width: int, delimiter: str, rows: Iterable[Sequence[object]]):
        self.width, self.delimiter = width, delimiter
        self.key, self.shapes = _key_column(list(rows)[:_SAMPLE_ROWS])
        # (line end, a line beginning like a row after it), per line end: see may_hold_rows
        self._begins_like_a_row = [] if self.key is None else [
            (end, _line_start_pattern(end, self.key, delimiter, self.shapes)) for end in "\n\r"]

    def as_wide_as_a_row(self, line: str) -> bool:
        """Whether a line has a delimiter between every column, as a record of this file does."""
        return self.width >= 2 and line.count(self.delimiter) >= self.width - 1

    def key_of_row(self, line: str, cut_short: bool = False) -> str | None:
        """The key value of a line that looks like a row of its own, else None: the rule.

        It must be as wide as a row, unless it is a cell's last line (``cut_short``): the quote that
        closed the cell may have opened a field of that line, so only the fields before it are there.
        """
        if self.key is None or not (self.as_wide_as_a_row(line) or (cut_short and self.delimiter in line)):
            return None
        fields = line.split(self.delimiter)
        value = fields[self.key].strip() if self.key < len(fields) else ""
        return value if value and shape_of(value) in self.shapes else None

    def swallowed(self, cell: str) -> list[str]:
        """The key values of a cell's lines (after its first) that look like rows of their own."""
        lines = _LINE_BREAK.split(cell)[1:]
        found = (self.key_of_row(line, cut_short=index == len(lines) - 1) for index, line in enumerate(lines))
        return [key for key in found if key is not None]

    def may_hold_rows(self, records: Iterable[Sequence[str]]) -> bool:
        """Whether a cell of these records has a later line that begins like a row: a prefilter of key_of_row
        in one regular-expression search per line end, so the rows of a sound file cost no Python step each."""
        text = "\x00".join(map("\x00".join, records))  # NUL: no text read from a file holds one
        return any(end in text and pattern.search(text) for end, pattern in self._begins_like_a_row)


def shape_of(value: str) -> str:
    """A value with each run of digits written 9 and each run of letters a: "Q2", "Q700" and "Q1000" share
    "a9" (ids grow longer further down a file than the rows sampled), "2026-12-04 10:03" is "9-9-9 9:9"."""
    return _LETTERS.sub("a", _DIGITS.sub("9", value))


_DIGIT = re.compile(r"[0-9]")
_DIGITS = re.compile(r"[0-9]+")
_LETTERS = re.compile(r"[^\W\d_]+")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # CSV's own line ends, not str.splitlines' others
_MAX_SHAPES = 12  # a key column's values share a form or two; a column of free text is no key


def _line_start_pattern(line_end: str, key: int, delimiter: str, shapes: frozenset[str]) -> re.Pattern[str]:
    """A ``line_end`` inside a cell (cells joined by NUL) followed by ``key`` fields and then a value of one
    of ``shapes``, ending at a delimiter or the line's end. It starts with that one character, which
    the regular-expression engine scans for as fast as str.find; a CR is a line end of its own only
    where no LF follows it."""
    other = rf"[^\r\n\x00{re.escape(delimiter)}]*"
    values = "|".join(_shape_pattern(shape) for shape in sorted(shapes))
    start = r"\n" if line_end == "\n" else r"\r(?!\n)"
    return re.compile(rf"{start}(?:{other}{re.escape(delimiter)}){{{key}}}\s*(?:{values})\s*"
                      rf"(?={re.escape(delimiter)}|[\r\n\x00]|\Z)")


def _shape_pattern(shape: str) -> str:
    return "".join(r"[0-9]+" if char == "9" else r"[^\W\d_]+" if char == "a" else re.escape(char) for char in shape)


def _key_column(rows: list[Sequence[object]]) -> tuple[int | None, frozenset[str]]:
    """The leftmost column whose sampled values are all filled and each hold a digit (an id, a time),
    in a form or two, with their shapes; None when no column is like that, and no line can be told to be a row."""
    if not rows:
        return None, frozenset()
    for index in range(min(len(row) for row in rows)):
        values = [_first_line(row[index]) for row in rows]
        if all(value and _DIGIT.search(value) for value in values):
            shapes = frozenset(shape_of(value) for value in values)
            if len(shapes) <= _MAX_SHAPES:
                return index, shapes
    return None, frozenset()


def _first_line(cell: object) -> str:
    text = cell if isinstance(cell, str) else ""
    return _LINE_BREAK.split(text, 1)[0].strip()


def open_quotes_in(numbered: Iterable[tuple[int, Sequence[str]]], shape: RowShape) -> list[OpenQuote]:
    """Records whose cells hold lines that look like rows of their own: quotes that closed too late."""
    records = list(numbered)
    if not shape.may_hold_rows(cells for _, cells in records):
        return []
    found = []
    for number, cells in records:
        for cell in cells:
            if ("\n" in cell or "\r" in cell) and (swallowed := shape.swallowed(cell)):
                found.append(OpenQuote(number, tuple(swallowed)))
                break
    return found


def with_end_marker(lines: Iterable[str]) -> Iterator[str]:
    """The lines for csv.reader, then END_MARKER (see ended_inside_quote)."""
    return chain(lines, (END_MARKER,))


def is_end_marker(cells: Sequence[str]) -> bool:
    """Whether a record read is END_MARKER's own: the text ended outside any quote (drop the record)."""
    return len(cells) == 1 and cells[0] == END_MARKER


def ended_inside_quote(cells: list[str]) -> bool:
    """Whether the text's last record ran into END_MARKER, its quote open at the end; the marker is
    taken off its cell, which is then exactly what csv.reader reads without it."""
    if cells and cells[-1].endswith(END_MARKER):
        cells[-1] = cells[-1][:-len(END_MARKER)]
        return True
    return False


def quote_at_end(number: int, cells: Sequence[str], shape: RowShape, name: str) -> OpenQuote:
    """The last record's quote, open at the end of the file; SheetError when it swallowed the rest of the
    file (two or more lines as wide as a row: the quote is known to be open, so width alone says so)."""
    lines = [line for cell in cells for line in cell.splitlines()[1:] if shape.as_wide_as_a_row(line)]
    if len(lines) >= 2 and shape.width >= 3:  # two columns: a line with a comma is too often just text
        raise SheetError(
            f"'{name}': row {number} opens a quote that is never closed, so the rest of the file ran "
            "into one cell. Fix the quotes in that row, or export the file again."
        )
    keys = [key for line in lines if (key := shape.key_of_row(line)) is not None] or [line.strip() for line in lines]
    return OpenQuote(number, tuple(keys), at_end=True)
