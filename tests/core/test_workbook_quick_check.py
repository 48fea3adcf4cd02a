"""The grid check's fast path (issue 14's import budget): one pattern pass, parts inflated on a second thread.

The quick proof's pattern is checked against the rule it stands for, written plainly here, on
thousands of cell tags in the spellings calamine accepts; the part stream against zipfile itself.
"""
from __future__ import annotations

import random
import re
import threading
import zipfile
from pathlib import Path

import pytest

from postmortem_desktop.importers.part_stream import PartStream
from postmortem_desktop.importers.workbook_safety import MAX_GRID_CELLS, _outside_pattern, column_number

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# The rule: r first, double quotes, upper case, no leading zero, then only other double-quoted
# attributes (none called r) to the tag's end; and the cell inside the header's columns and the
# rows MAX_GRID_CELLS leaves at that width.
CANONICAL = re.compile(rb'<c r="([A-Z]{1,3})([1-9][0-9]{0,6})"(?: [a-qs-z][\w:]*="[^"]*")* ?/?>')


def column_name(number: int) -> str:
    name = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        name = LETTERS[remainder] + name
    return name


def within_the_rule(tag: bytes, last_column: str) -> bool:
    found = CANONICAL.fullmatch(tag)
    if found is None:
        return False
    width = column_number(last_column.encode())
    return column_number(found.group(1)) <= width and int(found.group(2)) <= MAX_GRID_CELLS // width


def random_reference(rnd: random.Random, width: int, rows: int) -> str:
    column = rnd.choice([width - 1, width, width + 1, rnd.randint(1, 16384), 1, 475254, 475255])
    row = rnd.choice([rows - 1, rows, rows + 1, rnd.randint(1, 20_000_000), 1, 9_999_999, 10_000_000])
    letters, digits = column_name(max(column, 1)), str(max(row, 1))
    if rnd.random() < 0.1:
        letters = letters.lower()
    if rnd.random() < 0.1:
        digits = "0" + digits
    if rnd.random() < 0.05:
        letters = ""
    return letters + digits


def random_cell(rnd: random.Random, width: int, rows: int) -> bytes:
    reference = random_reference(rnd, width, rows)
    r_spellings = [f' r="{reference}"'] * 8 + [f" r='{reference}'", f' r = "{reference}"', f'\tr="{reference}"',
                                                f'  r="{reference}"', f' R="{reference}"']
    others = [' t="s"', ' s="12"', ' t="inlineStr"', " t='s'", ' x=">"', ' rr="1"', ' cm="1"', '  t="n"',
              f' r="{random_reference(rnd, width, rows)}"', ' s=\' r="A1"\'', ' ph="1"', ' t="a>b"']
    attributes = [rnd.choice(r_spellings)] if rnd.random() < 0.95 else []
    attributes += rnd.sample(others, rnd.choice([0, 0, 0, 1, 1, 2]))
    if rnd.random() < 0.1:
        rnd.shuffle(attributes)
    end = rnd.choice([">", ">", "/>", " />", " >", "\n>"])
    opening = rnd.choice(["<c"] * 12 + ["<c\t", "<c\n"])
    if not attributes and opening == "<c" and rnd.random() < 0.5:
        opening += " "
    return (opening + "".join(attributes) + end).encode()


@pytest.mark.parametrize("width", [1, 2, 17, 26, 27, 100, 702, 703, 16384])
def test_the_one_pass_pattern_flags_exactly_the_cells_the_rule_does_not_allow(width):
    rnd = random.Random(width)
    last_column = column_name(width)
    pattern = _outside_pattern(last_column)
    rows = MAX_GRID_CELLS // width
    for _ in range(4000):
        tag = random_cell(rnd, width, rows)
        flagged = pattern.search(tag + b"<v>1</v></c>") is not None
        assert flagged == (not within_the_rule(tag, last_column)), (tag, last_column)


def test_the_one_pass_pattern_reads_a_whole_row_and_finds_the_one_cell_outside(tmp_path):
    pattern = _outside_pattern("Q")
    row = b"".join(b'<c r="%s7" t="inlineStr"><is><t>x</t></is></c>' % column_name(n).encode() for n in range(1, 18))
    assert pattern.search(b'<row r="7">' + row + b"</row>") is None
    assert pattern.search(b'<row r="7">' + row + b'<c r="R7"><v>1</v></c></row>') is not None
    assert pattern.search(b'<row r="588236">' + row.replace(b'7"', b'588236"') + b"</row>") is not None


def part(tmp_path: Path, data: bytes, name: str = "xl/worksheets/sheet1.xml") -> Path:
    path = tmp_path / "parts.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    return path


def inflaters() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "workbook-part-inflater"]


def test_a_part_stream_gives_the_parts_bytes_first_the_prolog_then_whole_chunks(tmp_path):
    data = random.Random(1).randbytes(3_000_000)
    with zipfile.ZipFile(part(tmp_path, data)) as archive:
        with PartStream(archive, archive.infolist()[0], 1000, 1 << 20) as chunks:
            pieces = list(chunks)
    assert b"".join(pieces) == data
    assert [len(piece) for piece in pieces[:2]] == [1000, 1 << 20]
    assert not inflaters()


def test_leaving_a_part_stream_early_stops_its_inflater(tmp_path):
    data = b"<row>" * 2_000_000  # 10 MB: the inflater would be far ahead of a scan that stops at once
    with zipfile.ZipFile(part(tmp_path, data)) as archive:
        with PartStream(archive, archive.infolist()[0], 1000, 1 << 16) as chunks:
            assert next(chunks) == data[:1000]
        assert not inflaters()


def test_a_part_whose_bytes_do_not_match_its_crc_raises_in_the_reading_thread(tmp_path):
    path = part(tmp_path, b"<worksheet/>" * 1000)
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.infolist()[0]
    crc_offset = raw.rindex(b"PK\x01\x02") + 16  # the central directory's CRC-32, which zipfile checks
    raw[crc_offset:crc_offset + 4] = (info.CRC ^ 0xFFFFFFFF).to_bytes(4, "little")
    path.write_bytes(bytes(raw))
    with zipfile.ZipFile(path) as archive, pytest.raises(zipfile.BadZipFile):
        with PartStream(archive, archive.infolist()[0], 100, 1000) as chunks:
            for _chunk in chunks:
                pass
    assert not inflaters()
