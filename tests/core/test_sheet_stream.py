"""Streaming a sheet gives exactly what reading it whole gives, and refuses the same files."""
from pathlib import Path

import pytest

from postmortem_desktop.importers.sheet_reader import EXCEL_MANGLED, SheetError, read_sheet
from postmortem_desktop.importers.sheet_stream import stream_sheet
from tests.shared_data import shared_file


def same_as_whole(path: Path, head_rows: int = 3) -> None:
    whole = read_sheet(path)
    stream = stream_sheet(path, head_rows=head_rows)
    assert stream.head.header == whole.header
    assert (stream.head.encoding, stream.head.delimiter, stream.head.kind) == (whole.encoding, whole.delimiter,
                                                                              whole.kind)
    assert list(stream.rows) == list(whole.numbered_rows())
    done, total = stream.progress()
    assert total is None or 0 < done <= total  # workbooks count blank rows in the total


@pytest.mark.parametrize("name", ["jira_ibm_servicedesk_flattened.csv", "kaggle_customer_support_tickets_head200.csv"])
def test_real_exports_stream_as_they_read(name):
    same_as_whole(shared_file(name))


@pytest.mark.parametrize("text", [
    "Id,Subject,Created\r\n1,a,2026-01-01\r\n\r\n2,\"two\nlines\",2026-01-02\r\n,,\r\n3,c,2026-01-03\r\n",
    "\n\nId;Subject;Created\n1;a;2026-01-01\n2;b\rwith a bare CR;2026-01-02\n",
    "Id\tSubject\tCreated\n1\ta\u2028b\t2026-01-01\n2\tform\x0cfeed\t2026-01-02\n",  # splitlines would break these
    "Id,Subject,Created\n" + "".join(f"{n},row {n},2026-01-01\n" for n in range(1, 2500)),  # several pieces
])
def test_text_edge_cases_stream_as_they_read(tmp_path, text):
    path = tmp_path / "t.csv"
    path.write_text(text, encoding="utf-8", newline="")
    same_as_whole(path)


def test_pieces_never_split_a_crlf_pair(tmp_path, monkeypatch):
    from postmortem_desktop.importers import sheet_stream

    monkeypatch.setattr(sheet_stream._LazyLines, "PIECE", 7)  # tiny pieces: every boundary gets tested
    path = tmp_path / "t.csv"
    path.write_bytes(b"Id,Subject\r\n1,\"a\r\nb\"\r\n2,c\r\n3,\"d\re\"\r\n")
    same_as_whole(path, head_rows=1)


def test_workbooks_stream_as_they_read(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Empty first"  # read_sheet skips sheets without cells, and so must the stream
    hidden = book.create_sheet("Hidden")
    hidden["A1"] = "not this one"
    hidden.sheet_state = "hidden"
    sheet = book.create_sheet("Tickets")
    sheet["C3"], sheet["D3"], sheet["E3"] = "Id", "Subject", "Created"  # a table that starts at C3
    for n in range(1, 30):
        row = 4 + n + (n > 10)  # a blank row after the tenth
        sheet.cell(row, 3, n), sheet.cell(row, 4, f"row {n}"), sheet.cell(row, 5, "2026-01-01 10:00")
    book.save(tmp_path / "b.xlsx")
    same_as_whole(tmp_path / "b.xlsx")
    assert stream_sheet(tmp_path / "b.xlsx").head.header_row == read_sheet(tmp_path / "b.xlsx").header_row == 3


@pytest.mark.parametrize("content, message", [
    (b"", "is empty"),
    (b"Id,Subject\n", "no rows"),
    (bytes(range(256)) * 64, "binary"),
])
def test_the_head_is_checked_before_any_row_is_handed_out(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(SheetError, match=message):
        stream_sheet(path)


def test_the_excel_mangled_file_is_refused_from_its_head():
    with pytest.raises(SheetError) as raised:
        stream_sheet(shared_file("kaggle_customer_support_tickets_EXCEL_SEMICOLON_MANGLED_head.csv"))
    assert str(raised.value).endswith(EXCEL_MANGLED)


def test_a_quote_never_closed_is_refused_when_the_stream_reaches_it(tmp_path):
    path = tmp_path / "q.csv"
    body = "".join(f"{n},row {n},2026-01-01\n" for n in range(1, 50))
    path.write_text("Id,Subject,Created\n" + body + '50,"open quote,2026-01-01\n' + body, encoding="utf-8")
    stream = stream_sheet(path, head_rows=5)  # the head is fine
    with pytest.raises(SheetError, match="never closed"):
        list(stream.rows)


def test_utf8_is_decoded_as_it_streams_with_or_without_its_bom(tmp_path):
    body = "".join(f"{n},café {n},2026-01-01\r\n" for n in range(1, 40000))  # more than one 1 MB piece
    for name, prefix in (("plain.csv", b""), ("bom.csv", b"\xef\xbb\xbf")):
        path = tmp_path / name
        path.write_bytes(prefix + ("Id,Subject,Created\r\n" + body).encode("utf-8"))
        same_as_whole(path)
        assert stream_sheet(path).head.header[0] == "Id"  # the BOM is not part of the first name


def test_a_byte_that_is_not_utf8_far_down_the_file_asks_for_a_whole_read(tmp_path):
    from postmortem_desktop.importers.sheet_stream import NotUtf8

    path = tmp_path / "late.csv"
    rows = "".join(f"{n},row {n},2026-01-01\n" for n in range(1, 60000))
    path.write_bytes(("Id,Subject,Created\n" + rows).encode() + "99999,caf\xe9,2026-01-02\n".encode("cp1252"))
    with pytest.raises(NotUtf8):
        list(stream_sheet(path).rows)
    whole = read_sheet(path)
    stream = stream_sheet(path, whole_text=True)
    assert stream.head.encoding == whole.encoding == "cp1252"
    assert list(stream.rows) == list(whole.numbered_rows())


def test_the_delimiter_is_sniffed_on_the_same_characters_as_a_whole_read(tmp_path):
    # Cyrillic takes two bytes a letter: 64 KB of bytes is not 64 K characters, and here the
    # commas inside a column only outnumber the semicolons in the first 64 KB of bytes
    lines = ["Id;Created at;Description;Notes, a, b, c, d"]
    while len("\n".join(lines).encode()) < 70000:
        lines.append(f"{len(lines)};2026-11-18 10:30;Платёж прошёл дважды деньги списаны;1, 2, 3, 4, 5")
    lines += [f"{n};2026-11-18 10:30;Платёж прошёл дважды;1, 2, 3" for n in range(len(lines), 1500)]
    path = tmp_path / "cyrillic.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert stream_sheet(path).head.delimiter == read_sheet(path).delimiter == ";"
    same_as_whole(path)


def test_a_file_saved_twice_with_a_bom_has_a_clean_first_header_name(tmp_path):
    path = tmp_path / "bom2.csv"
    path.write_bytes(b"\xef\xbb\xbf\xef\xbb\xbfId,Subject\r\n1,a\r\n2,b\r\n")
    assert stream_sheet(path).head.header == read_sheet(path).header == ["Id", "Subject"]
    same_as_whole(path, head_rows=1)


def test_a_stream_abandoned_after_its_first_rows_leaves_the_csv_field_cap_as_it_was(tmp_path):
    # Before: the cap was raised for the generator's whole life, so a stream refused from its head
    # (and never closed) left every later csv read in the process with a 32 MB cap.
    import csv

    from postmortem_desktop.importers import sheet_stream

    path = tmp_path / "t.csv"
    path.write_text("a,b\n" + "".join(f"{n},x\n" for n in range(50)))
    before = csv.field_size_limit()
    records = sheet_stream._records(csv.reader(path.open(newline="")), path.name)
    next(records)
    assert csv.field_size_limit() == before
