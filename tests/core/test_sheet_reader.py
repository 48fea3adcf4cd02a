"""Reading ticket dumps: encodings, delimiters, quoting, workbooks, and refusing bad or hostile files."""
from __future__ import annotations

import random
import struct
import time
import tracemalloc
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from postmortem_desktop.importers.sheet_reader import SheetError, read_sheet
from postmortem_desktop.importers.text_decoding import detect_delimiter, detect_encoding, looks_binary
from tests.shared_data import shared_file

MANGLED = "kaggle_customer_support_tickets_EXCEL_SEMICOLON_MANGLED_head.csv"




def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


# ------------------------------------------------------------------------------- encodings

CAFE_ROWS = "Id,Subject,Price\r\n1,café au lait,3 €\r\n2,naïve crème,4 €\r\n"


@pytest.mark.parametrize(
    ("codec", "text", "delimiter", "expected_codec"),
    [
        ("utf-8", CAFE_ROWS, ",", "utf-8"),
        ("utf-8-sig", CAFE_ROWS, ",", "utf-8-sig"),
        ("utf-16", CAFE_ROWS.replace(",", "\t"), "\t", "utf-16-le"),
        ("cp1252", CAFE_ROWS, ",", "cp1252"),
    ],
)
def test_the_same_rows_read_alike_in_every_excel_encoding(tmp_path, codec, text, delimiter, expected_codec):
    path = tmp_path / "tickets.csv"
    path.write_bytes(text.encode(codec))
    sheet = read_sheet(path)
    assert sheet.header == ["Id", "Subject", "Price"]
    assert sheet.rows == [["1", "café au lait", "3 €"], ["2", "naïve crème", "4 €"]]
    assert sheet.encoding == expected_codec
    assert sheet.delimiter == delimiter
    assert sheet.kind == ("tsv" if delimiter == "\t" else "csv")


def test_utf16_big_endian_with_bom_is_read(tmp_path):
    path = tmp_path / "unicode.txt"
    path.write_bytes(b"\xfe\xff" + "Id\tSubject\n7\tÅngström\n".encode("utf-16-be"))
    sheet = read_sheet(path)
    assert sheet.rows == [["7", "Ångström"]]


def test_cyrillic_in_a_windows_code_page_is_not_read_as_cp1252():
    assert detect_encoding("Id,Name\n1,Привет, как дела\n2,Добрый день\n".encode("cp1251")) == "cp1251"


def test_a_stray_undefined_cp1252_byte_still_decodes():
    assert detect_encoding(b"Id,Name\n1,caf\xe9 \x81\n") in ("cp1252", "latin-1")


# ------------------------------------------------------------------------------ delimiters


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_the_delimiter_is_the_one_giving_consistent_widths(tmp_path, delimiter):
    other = ";" if delimiter == "," else ","
    lines = [delimiter.join(["Id", "Subject", "Status"])]
    lines += [delimiter.join([str(n), f'"a{other} b{other} c"', "open"]) for n in range(5)]
    path = tmp_path / "t.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    sheet = read_sheet(path)
    assert sheet.delimiter == delimiter
    assert sheet.rows[0] == ["0", f"a{other} b{other} c", "open"]


def test_semicolon_wins_over_commas_inside_text():
    text = "Number;From;Subject;Created\n1;a@x.io;Hello, world, again;2024-05-06T10:20:00Z\n" * 1
    assert detect_delimiter(text + "2;b@x.io;Hi, there;2024-05-06T11:20:00Z\n") == ";"


# ----------------------------------------------------------------------- quoting and lines


def test_multiline_quoted_fields_stay_in_one_row_numbered_by_record(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text('Id,Body\n1,"line one\n\nline three"\n2,short\n3,"a\nb"\n', encoding="utf-8")
    sheet = read_sheet(path)
    assert [row[1] for row in sheet.rows] == ["line one\n\nline three", "short", "a\nb"]
    # Record numbers, not physical lines: row 3 starts on line 6 of the file.
    assert sheet.row_numbers == [2, 3, 4]
    assert list(sheet.numbered_rows())[1] == (3, ["2", "short"])


def test_a_bare_cr_inside_a_quoted_field_is_kept_in_the_field(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b'Id,Body\r\n1,"before\rafter"\r\n2,x\r\n')
    sheet = read_sheet(path)
    assert sheet.rows == [["1", "before\rafter"], ["2", "x"]]


def test_lf_and_crlf_line_endings_mix_but_a_bare_cr_in_an_lf_file_is_text(tmp_path):
    # issue 14: a bare CR inside a field of an LF or CRLF file is text, not a record break
    path = tmp_path / "t.csv"
    path.write_bytes(b"Id,Subject\r\n1,a\n2,b\r3,c\r\n")
    sheet = read_sheet(path)
    assert sheet.rows == [["1", "a"], ["2", "b\r3", "c"]]
    assert sheet.row_numbers == [2, 3]


def test_unicode_line_separators_inside_fields_do_not_split_rows(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("Id,Body\n1,para\u2028graph\x0cfeed\n2,b\n", encoding="utf-8")
    sheet = read_sheet(path)
    assert sheet.rows == [["1", "para\u2028graph\x0cfeed"], ["2", "b"]]


def test_blank_lines_are_skipped_but_still_counted_in_row_numbers(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("Id,Subject\n1,a\n\n2,b\n", encoding="utf-8")
    sheet = read_sheet(path)
    assert sheet.rows == [["1", "a"], ["2", "b"]]
    assert sheet.row_numbers == [2, 4]


def test_max_rows_stops_early_and_marks_the_sheet_truncated(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("Id,Subject\n" + "".join(f"{n},s\n" for n in range(50)), encoding="utf-8")
    preview = read_sheet(path, max_rows=10)
    assert len(preview.rows) == 10 and preview.truncated and preview.row_count is None
    assert read_sheet(path).row_count == 50


def test_blank_lines_before_the_header_are_skipped_and_numbered(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("\n\nId,Subject\n1,a\n", encoding="utf-8")
    sheet = read_sheet(path)
    assert sheet.header == ["Id", "Subject"] and sheet.header_row == 3 and sheet.row_numbers == [4]


def test_max_rows_limits_workbooks_too(tmp_path):
    path = write_xlsx(tmp_path / "t.xlsx", [["Id"]] + [[n] for n in range(30)])
    preview = read_sheet(path, max_rows=5)
    assert [row[0] for row in preview.rows] == [0.0, 1.0, 2.0, 3.0, 4.0] and preview.truncated


def test_a_description_longer_than_the_csv_default_cap_is_read(tmp_path):
    path = tmp_path / "t.csv"
    log = "line of a pasted log\n" * 10_000
    path.write_text(f'Id,Body\n1,"{log}"\n2,x\n', encoding="utf-8")
    sheet = read_sheet(path)
    assert sheet.rows[0][1] == log and sheet.row_count == 2


def test_a_quote_never_closed_is_refused_with_its_row(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text('Id,Subject,Status\n1,a,open\n2,"broken,open\n3,c,open\n4,d,closed\n', encoding="utf-8")
    assert_refused(path, "row 3 opens a quote that is never closed", "Fix the quotes in that row")


def test_blank_header_cells_get_spreadsheet_letters(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("Id,,Subject\n1,x,y\n", encoding="utf-8")
    assert read_sheet(path).header == ["Id", "Column B", "Subject"]


# -------------------------------------------------------------------------------- workbooks


def test_xlsx_keeps_cell_types_and_real_row_numbers(tmp_path):
    path = write_xlsx(tmp_path / "t.xlsx", [
        ["Id", "Created", "Subject"], [848, datetime(2024, 5, 6, 10, 20), "Login fails"], [],
        [849, datetime(2024, 5, 6, 11, 0), "Refund"],
    ])
    sheet = read_sheet(path)
    assert sheet.kind == "xlsx" and sheet.header == ["Id", "Created", "Subject"]
    assert sheet.rows[0] == [848.0, datetime(2024, 5, 6, 10, 20), "Login fails"]
    assert sheet.row_numbers == [2, 4]


def test_xlsx_table_that_starts_lower_down_numbers_rows_as_excel_does(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["B3"], sheet["C3"] = "Id", "Subject"
    sheet["B4"], sheet["C4"] = 1, "a"
    workbook.save(tmp_path / "t.xlsx")
    read = read_sheet(tmp_path / "t.xlsx")
    assert read.header == ["Id", "Subject"] and read.header_row == 3 and read.row_numbers == [4]


def test_a_few_thousand_row_xlsx_passes_the_bomb_checks(tmp_path):
    rows = [["Id", "Description"]] + [[n, "word " * 150] for n in range(3000)]
    sheet = read_sheet(write_xlsx(tmp_path / "big.xlsx", rows))
    assert sheet.row_count == 3000


def test_ods_is_read(tmp_path):
    path = tmp_path / "t.ods"
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        "<office:body><office:spreadsheet><table:table table:name=\"Tickets\">"
        "<table:table-row><table:table-cell office:value-type=\"string\"><text:p>Id</text:p></table:table-cell>"
        "<table:table-cell office:value-type=\"string\"><text:p>Subject</text:p></table:table-cell></table:table-row>"
        "<table:table-row><table:table-cell office:value-type=\"float\" office:value=\"7\"><text:p>7</text:p>"
        "</table:table-cell><table:table-cell office:value-type=\"string\"><text:p>Help</text:p></table:table-cell>"
        "</table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        archive.writestr("content.xml", content)
        archive.writestr("META-INF/manifest.xml", '<?xml version="1.0"?><manifest:manifest '
                         'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>')
    sheet = read_sheet(path)
    assert sheet.kind == "ods" and sheet.header == ["Id", "Subject"] and sheet.rows == [[7.0, "Help"]]


def _biff_record(kind: int, payload: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(payload)) + payload


def _biff8_workbook(rows: list[list[object]]) -> bytes:
    """A minimal Excel 97 workbook stream: globals (BOF, BOUNDSHEET, EOF), then one worksheet."""
    bof = struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 0x06)
    name = b"Tickets"
    eof = _biff_record(0x000A)
    globals_size = 2 * 4 + len(bof) + (4 + 6 + 2 + len(name)) + len(eof)
    boundsheet = _biff_record(0x0085, struct.pack("<IBB", globals_size, 0, 0) + bytes([len(name), 0]) + name)
    cells = []
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, str):
                text = value.encode("latin-1")
                cells.append(_biff_record(0x0204, struct.pack("<HHHHB", r, c, 0, len(text), 0) + text))
            else:
                cells.append(_biff_record(0x0203, struct.pack("<HHHd", r, c, 0, float(value))))
    width = max(len(row) for row in rows)
    sheet = (_biff_record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0010, 0x0DBB, 0x07CC, 0, 0x06))
             + _biff_record(0x0200, struct.pack("<IIHHH", 0, len(rows), 0, width, 0)) + b"".join(cells) + eof)
    return _biff_record(0x0809, bof) + boundsheet + eof + sheet


def _compound_file(stream: bytes) -> bytes:
    """An OLE2 container (512-byte sectors) holding one "Workbook" stream, as old .xls files are."""
    stream = stream.ljust(max(4096, -(-len(stream) // 512) * 512), b"\0")  # 4096+: no mini stream
    sectors = len(stream) // 512
    end, free = 0xFFFFFFFE, 0xFFFFFFFF
    fat = [0xFFFFFFFD] + [n + 1 for n in range(1, sectors)] + [end, end]
    fat += [free] * (128 - len(fat))
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16) + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + bytes(6) + struct.pack("<IIIIIIIII", 0, 1, sectors + 1, 0, 4096, end, 0, end, 0)
              + struct.pack("<I", 0) + struct.pack("<I", free) * 108)

    def entry(name: str, kind: int, child: int, start: int, size: int) -> bytes:
        encoded = (name + "\0").encode("utf-16-le") if name else b""
        return (encoded.ljust(64, b"\0") + struct.pack("<HBBIII", len(encoded), kind, 1, free, free, child)
                + bytes(16) + struct.pack("<IQQIQ", 0, 0, 0, start, size))

    directory = (entry("Root Entry", 5, 1, end, 0) + entry("Workbook", 2, free, 1, len(stream))
                 + entry("", 0, free, 0, 0) * 2)
    return header + struct.pack("<128I", *fat) + stream + directory


def test_an_old_binary_xls_is_read(tmp_path):
    path = tmp_path / "old.xls"
    path.write_bytes(_compound_file(_biff8_workbook([["Id", "Subject"], [848, "Card charged twice"], [849, "Login"]])))
    sheet = read_sheet(path)
    assert sheet.kind == "xls" and sheet.sheet_name == "Tickets"
    assert sheet.header == ["Id", "Subject"]
    assert sheet.rows == [[848.0, "Card charged twice"], [849.0, "Login"]] and sheet.row_numbers == [2, 3]


SPREADSHEETML = """<?xml version="1.0"?>
<?mso-application progid="Excel.Sheet"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"
 xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">
 <Worksheet ss:Name="Tickets"><Table>
  <Row><Cell><Data ss:Type="String">Ticket ID</Data></Cell><Cell><Data ss:Type="String">Subject</Data></Cell>
   <Cell><Data ss:Type="String">Created time</Data></Cell></Row>
  <Row><Cell><Data ss:Type="Number">101</Data></Cell><Cell><Data ss:Type="String">Card &amp; refund</Data></Cell>
   <Cell><Data ss:Type="DateTime">2025-12-07T10:20:31.000</Data></Cell></Row>
  <Row ss:Index="5"><Cell><Data ss:Type="Number">102</Data></Cell>
   <Cell ss:Index="3"><Data ss:Type="String">2025-12-07 11:00:00</Data></Cell></Row>
 </Table></Worksheet>
 <Worksheet ss:Name="Other"><Table><Row><Cell><Data ss:Type="String">ignored</Data></Cell></Row></Table></Worksheet>
</Workbook>
"""


def test_freshdesk_spreadsheetml_xls_is_read_with_its_row_numbers(tmp_path):
    path = tmp_path / "freshdesk.xls"
    path.write_text(SPREADSHEETML, encoding="utf-8")
    sheet = read_sheet(path)
    assert sheet.kind == "spreadsheetml"
    assert sheet.header == ["Ticket ID", "Subject", "Created time"]
    assert sheet.rows == [[101.0, "Card & refund", datetime(2025, 12, 7, 10, 20, 31)],
                          [102.0, None, "2025-12-07 11:00:00"]]
    assert sheet.row_numbers == [2, 5]


# ------------------------------------------------------------------------------ bad inputs


def assert_refused(path: Path, *phrases: str) -> str:
    with pytest.raises(SheetError) as caught:
        read_sheet(path)
    message = str(caught.value)
    assert isinstance(caught.value, ValueError)
    for phrase in phrases:
        assert phrase in message, message
    return message


def test_an_empty_file_is_refused_with_advice(tmp_path):
    (tmp_path / "e.csv").write_bytes(b"")
    assert_refused(tmp_path / "e.csv", "is empty", "Export the tickets again")
    (tmp_path / "bom.csv").write_bytes(b"\xef\xbb\xbf\r\n")
    assert_refused(tmp_path / "bom.csv", "is empty")


def test_a_header_without_rows_is_refused_with_advice(tmp_path):
    (tmp_path / "h.csv").write_text("Id,Subject,Created at\r\n", encoding="utf-8")
    assert_refused(tmp_path / "h.csv", "has a header but no rows", "Export again")
    write_xlsx(tmp_path / "h.xlsx", [["Id", "Subject"]])
    assert_refused(tmp_path / "h.xlsx", "has a header but no rows")


def test_binary_garbage_named_csv_is_refused(tmp_path):
    noise = random.Random(3).randbytes(20000)
    (tmp_path / "noise.csv").write_bytes(noise)
    assert_refused(tmp_path / "noise.csv", "binary data", "export the tickets as CSV again")
    (tmp_path / "image.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200))
    assert_refused(tmp_path / "image.csv", "binary data")


def test_utf16_text_is_not_mistaken_for_binary():
    assert not looks_binary("Id\tSubject\n1\tx\n".encode("utf-16-le"))
    assert looks_binary(b"Id,Subject\n\x00\x01\x02\x03binary")


def test_a_truncated_xlsx_is_refused_as_incomplete(tmp_path):
    whole = write_xlsx(tmp_path / "whole.xlsx", [["Id", "Subject"]] + [[n, "x" * 50] for n in range(200)])
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    assert_refused(cut, "damaged or incomplete", "download the file again")


def test_an_old_binary_xls_that_is_damaged_gets_advice_to_resave(tmp_path):
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    assert_refused(path, "could not be read as a workbook", "save it as .xlsx or CSV UTF-8")


def test_a_password_protected_workbook_is_explained(tmp_path):
    path = tmp_path / "locked.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1000) + "EncryptedPackage".encode("utf-16-le"))
    assert_refused(path, "protected by a password", "remove the password")


def _xlsx_with_part(tmp_path: Path, name: str, replacement: bytes | None, extra: dict[str, bytes] | None = None,
                    method: int = zipfile.ZIP_DEFLATED) -> Path:
    source = write_xlsx(tmp_path / "source.xlsx", [["Id", "Subject"], [1, "a"]])
    target = tmp_path / name
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", method) as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename == "xl/worksheets/sheet1.xml" and replacement is not None:
                data = replacement
            new.writestr(info.filename, data)
        for part, data in (extra or {}).items():
            new.writestr(part, data)
    return target


def test_a_zip_bomb_xlsx_is_refused_quickly_with_bounded_memory(tmp_path):
    header = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    bomb = header + b"<sheetData>" + b"<row/>" * 8_000_000 + b"</sheetData></worksheet>"
    path = _xlsx_with_part(tmp_path, "bomb.xlsx", bomb)
    del bomb
    tracemalloc.start()
    started = time.perf_counter()
    message = assert_refused(path, "zip bomb", "Export the tickets again")
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert "xl/worksheets/sheet1.xml" in message
    assert elapsed < 1.0 and peak < 5_000_000


def test_a_zip_whose_headers_understate_the_size_is_refused(tmp_path):
    path = _xlsx_with_part(tmp_path, "liar.xlsx", None, {"xl/media/blob.xml": b"<a>" + b"x" * 500_000 + b"</a>"})
    data = bytearray(path.read_bytes())
    # Rewrite the declared uncompressed size of the blob (local header and central directory).
    name = b"xl/media/blob.xml"
    patched = 0
    for signature, size_offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        position = 0
        while (position := data.find(signature, position)) >= 0:
            name_offset = position + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_offset: name_offset + len(name)] == name:
                data[position + size_offset: position + size_offset + 4] = struct.pack("<I", 1000)
                patched += 1
            position += 4
    assert patched == 2
    path.write_bytes(bytes(data))
    message = assert_refused(path, "damaged or incomplete", "Export or download the file again")
    assert "CRC" in message


def test_an_xml_entity_bomb_inside_an_xlsx_is_refused(tmp_path):
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
            b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b"<sheetData><row><c t=\"inlineStr\"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>")
    path = _xlsx_with_part(tmp_path, "entities.xlsx", bomb)
    assert_refused(path, "DOCTYPE", "Export the tickets again")


def test_a_doctype_after_a_long_comment_is_still_found(tmp_path):
    sneaky = (b'<?xml version="1.0"?><!--' + b" " * 70_000 + b'--><!DOCTYPE x [<!ENTITY a "b">]>'
              b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>')
    path = _xlsx_with_part(tmp_path, "sneaky.xlsx", sneaky)
    assert_refused(path, "DOCTYPE")


def test_spreadsheetml_with_a_doctype_is_refused(tmp_path):
    path = tmp_path / "freshdesk.xls"
    path.write_text(SPREADSHEETML.replace('<?xml version="1.0"?>',
                                          '<?xml version="1.0"?><!DOCTYPE w [<!ENTITY e "x">]>'), encoding="utf-8")
    assert_refused(path, "DOCTYPE", "Export the tickets as CSV instead")


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path):
    path = tmp_path / "tickets.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("tickets.csv", "Id,Subject\n1,a\n")
    assert_refused(path, "ZIP archive, not a workbook", "Unzip it")


def test_a_web_page_saved_as_xls_is_refused(tmp_path):
    path = tmp_path / "export.xls"
    path.write_text("<html><body><table><tr><td>Id</td></tr></table></body></html>", encoding="utf-8")
    assert_refused(path, "web page", "Export the tickets as CSV")


def test_the_excel_semicolon_mangled_export_is_explained_not_imported():
    assert_refused(shared_file(MANGLED), "Excel re-saved in a semicolon locale", "Text to Columns")


def test_a_small_mangled_file_is_explained_too(tmp_path):
    path = tmp_path / "m.csv"
    path.write_bytes(b'Id,Subject,Status;;\r\n"1,""Hello, there"",open";;\r\n"2,Bye,closed";;\r\n')
    assert_refused(path, "each row is one quoted cell", "Export the original again")


def test_quoted_whole_records_under_a_normal_header_are_explained(tmp_path):
    path = tmp_path / "m.csv"
    path.write_bytes(b'Id,Subject,Status\r\n' + b"".join(b'"%d,Subject %d,open";;\r\n' % (n, n) for n in range(6)))
    assert_refused(path, "each row is one quoted cell")


def test_a_workbook_with_csv_text_in_column_a_is_explained(tmp_path):
    path = write_xlsx(tmp_path / "pasted.xlsx", [["Id,Subject,Status"], ["1,a,open"], ["2,b,closed"]])
    assert_refused(path, "Text to Columns")


# ------------------------------------------------------------------------------ real files


def test_the_real_jira_flattened_export_reads_all_ten_issues():
    sheet = read_sheet(shared_file("jira_ibm_servicedesk_flattened.csv"))
    assert sheet.kind == "csv" and sheet.encoding == "utf-8" and sheet.row_count == 10
    assert sheet.header[:3] == ["assignee_email", "assignee_key", "assigne_name"]
    assert sheet.header[-1] == "key"


def test_the_real_kaggle_export_reads_200_records_despite_multiline_descriptions():
    sheet = read_sheet(shared_file("kaggle_customer_support_tickets_head200.csv"))
    assert sheet.row_count == 200
    assert all(len(row) == len(sheet.header) for row in sheet.rows)
    assert [row[0] for row in sheet.rows[:3]] == ["1", "2", "3"]
    assert sheet.row_numbers[-1] == 201
    assert sum("\n" in row[9] for row in sheet.rows) == 146


def test_single_quoted_cell_references_are_measured_too(tmp_path):
    path = _sparse_xlsx(tmp_path, "XFD1048576", quote="'")
    assert_refused(path, "grid")


def _sparse_xlsx(tmp_path, far_cell: str, quote: str = '"') -> Path:
    """A tiny workbook with one header cell at A1 and one value far away."""
    import zipfile

    from openpyxl import Workbook

    good = tmp_path / "small.xlsx"
    wb = Workbook()
    wb.active.append(["Id", "Subject"])
    wb.save(good)
    sheet = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
             'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Id</t></is></c></row>'
             f'<row r="{far_cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")}"><c r={quote}{far_cell}{quote} t="inlineStr">'
             '<is><t>x</t>'
             '</is></c></row></sheetData></worksheet>').encode()
    bad = tmp_path / "sparse.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item.filename,
                         sheet if item.filename == "xl/worksheets/sheet1.xml" else src.read(item.filename))
    return bad


def test_a_tiny_xlsx_whose_two_cells_span_a_gigantic_grid_is_refused_before_reading(tmp_path):
    path = _sparse_xlsx(tmp_path, "XFD1048576")
    assert path.stat().st_size < 10_000
    message = assert_refused(path, "grid", "CSV")
    assert "1,048,576 rows" in message


def test_spreadsheetml_with_absurd_indexes_is_refused(tmp_path):
    head = ('<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
            'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="T"><Table>'
            '<Row><Cell><Data ss:Type="String">Id</Data></Cell></Row>')
    for attrs, phrase in (('ss:MergeAcross="10000000"', "merge width"), ('ss:Index="x1"', "not a number")):
        path = tmp_path / "fd.xls"
        path.write_text(head + f'<Row><Cell {attrs}><Data ss:Type="String">1</Data></Cell></Row>'
                        '</Table></Worksheet></Workbook>', encoding="utf-8")
        assert_refused(path, phrase)


def test_the_quick_grid_bound_pattern_matches_exactly_the_references_within_it():
    import random
    import re

    from postmortem_desktop.importers.workbook_safety import at_most, column_number

    rnd = random.Random(3)
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

    def column_name(number: int) -> str:
        name = ""
        while number:
            number, remainder = divmod(number - 1, 26)
            name = letters[remainder] + name
        return name

    for _ in range(300):
        row_bound, column_bound = rnd.randint(1, 9_999_999), rnd.randint(1, 16384)
        rows = re.compile(at_most(str(row_bound), "0123456789", "123456789") + "$")
        columns = re.compile(at_most(column_name(column_bound), letters, letters) + "$")
        for row in (row_bound - 1, row_bound, row_bound + 1, rnd.randint(1, 30_000_000), 1, 9_999_999):
            if row > 0:
                assert bool(rows.match(str(row))) == (row <= row_bound), (row, row_bound)
                assert not rows.match("0" + str(row))  # a leading zero is never canonical
        for column in (column_bound - 1, column_bound, column_bound + 1, rnd.randint(1, 16384), 1):
            if column > 0:
                assert bool(columns.match(column_name(column))) == (column <= column_bound), (column, column_bound)
                assert column_number(column_name(column).encode()) == column


def test_rows_wider_than_the_header_still_pass_the_bomb_check(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Id", "Subject"])  # the header spans A:B ...
    for n in range(1, 200):
        book.active.append([n, "text", "an extra cell", "and another"])  # ... the rows A:D
    book.save(tmp_path / "wide.xlsx")
    sheet = read_sheet(tmp_path / "wide.xlsx")
    assert len(sheet.rows) == 199 and sheet.rows[0][3] == "and another"


def test_cells_beyond_the_quick_bound_are_measured_exactly_and_refused(tmp_path):
    # a column past the header's last one (A), nine million rows down
    assert_refused(_sparse_xlsx(tmp_path, "B9000000"), "grid")
    # a header as wide as Excel allows leaves room for 610 rows; one cell sits a million rows down
    assert_refused(_sparse_xlsx_a(tmp_path), "grid")


def _sparse_xlsx_a(tmp_path: Path) -> Path:
    """A header at A1:XFD1 (so the quick bound allows 610 rows) and one cell far below it."""
    import zipfile

    from openpyxl import Workbook

    folder = tmp_path / "wide-header"
    folder.mkdir()
    good = folder / "small.xlsx"
    Workbook().save(good)
    sheet = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
             'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Id</t></is></c>'
             '<c r="XFD1" t="inlineStr"><is><t>Last</t></is></c></row>'
             '<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>'
             ).encode()
    bad = folder / "sparse.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item.filename,
                         sheet if item.filename == "xl/worksheets/sheet1.xml" else src.read(item.filename))
    return bad


def _workbook_with_sheet(tmp_path: Path, rows_xml: str, part: str = "xl/worksheets/sheet1.xml") -> Path:
    """A small real workbook whose first sheet's rows are replaced by ``rows_xml`` (or, with
    another ``part``, which gets a sheet of its own next to the real one)."""
    import zipfile

    from openpyxl import Workbook

    folder = tmp_path / f"book{len(list(tmp_path.iterdir()))}"
    folder.mkdir()
    good = folder / "small.xlsx"
    book = Workbook()
    book.active.append(["Id", "Subject"])
    book.save(good)
    sheet = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
             f'spreadsheetml/2006/main"><sheetData>{rows_xml}</sheetData></worksheet>').encode()
    path = folder / "crafted.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item.filename, sheet if item.filename == part else src.read(item.filename))
        if part not in src.namelist():
            dst.writestr(part, sheet)
    return path


HEADER_ROW = ('<row r="1"><c r="A1" t="inlineStr"><is><t>Id</t></is></c>'
              '<c r="B1" t="inlineStr"><is><t>S</t></is></c></row>')


@pytest.mark.parametrize("far", [
    '<row r="2"><c r="xfd1048576"><v>1</v></c></row>',  # lower case
    '<row r="2"><c\tr="XFD1048576"><v>1</v></c></row>',  # a tab before r
    '<row r="2"><c r = "XFD1048576"><v>1</v></c></row>',  # spaces around =
    '<row r="2"><c r="XFD0001048576"><v>1</v></c></row>',  # leading zeros
    '<row r="2"><c s="0" r="XFD1048576"><v>1</v></c></row>',  # r not first
    '<row r="100000000"><c><v>1</v></c><c><v>2</v></c></row>',  # cells placed by their row's r
    '<row r="2"><c r="AAAA600"><v>1</v></c></row>',  # four letters
    '<row r="2"><c r="B20000000"><v>1</v></c></row>',  # eight digits
    '<row r="2"><x:c xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" r="XFD1048576">'
    '<x:v>1</x:v></x:c></row>',  # a namespace prefix
])
def test_every_way_of_placing_a_far_cell_is_measured_and_refused(tmp_path, far):
    assert_refused(_workbook_with_sheet(tmp_path, HEADER_ROW + far), "grid")


def test_a_wide_header_does_not_let_cells_without_references_run_far_down(tmp_path):
    wide = '<row r="1"><c r="A1"><v>1</v></c><c r="XFD1"><v>2</v></c></row>'
    assert_refused(_workbook_with_sheet(tmp_path, wide + '<row r="1048576"><c><v>1</v></c></row>'), "grid")


def test_a_far_cell_in_a_part_under_another_name_is_refused_too(tmp_path):
    far = HEADER_ROW + '<row r="2"><c r="XFD1048576"><v>1</v></c></row>'
    assert_refused(_workbook_with_sheet(tmp_path, far, part="xl/data/sheet9.xml"), "grid")


def test_cells_without_references_are_measured_and_read(tmp_path):
    rows = "".join(f'<row><c t="inlineStr"><is><t>{n}</t></is></c><c t="inlineStr"><is><t>row {n}</t></is></c></row>'
                   for n in range(1, 300))
    sheet = read_sheet(_workbook_with_sheet(tmp_path, HEADER_ROW.replace(' r="A1"', "").replace(' r="B1"', "") + rows))
    assert len(sheet.rows) == 299 and sheet.rows[-1][1] == "row 299"


def _ods(tmp_path: Path, rows_xml: str) -> Path:
    path = tmp_path / f"t{len(list(tmp_path.iterdir()))}.ods"
    content = ('<?xml version="1.0" encoding="UTF-8"?>'
               '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
               f'<office:body><office:spreadsheet><table:table table:name="T">{rows_xml}</table:table>'
               '</office:spreadsheet></office:body></office:document-content>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        archive.writestr("content.xml", content)
        archive.writestr("META-INF/manifest.xml", '<?xml version="1.0"?><manifest:manifest '
                         'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>')
    return path


ODS_CELL = '<table:table-cell office:value-type="string"><text:p>{}</text:p></table:table-cell>'


def test_an_ods_whose_repeats_claim_a_gigantic_grid_is_refused(tmp_path):
    bomb = ('<table:table-row>' + ODS_CELL.format("Id") + ODS_CELL.format("S") + '</table:table-row>'
            '<table:table-row table:number-rows-repeated="6000"><table:table-cell office:value-type="string" '
            'table:number-columns-repeated="16384"><text:p>x</text:p></table:table-cell></table:table-row>')
    path = _ods(tmp_path, bomb)
    assert path.stat().st_size < 2000
    assert "6,001 rows by 16,384 columns" in assert_refused(path, "grid")


def test_an_ods_with_libreoffices_empty_repeats_at_the_end_is_read(tmp_path):
    rows = ('<table:table-row>' + ODS_CELL.format("Id") + ODS_CELL.format("Subject")
            + '<table:table-cell table:number-columns-repeated="1022"/></table:table-row>'
            '<table:table-row>' + ODS_CELL.format("7") + ODS_CELL.format("Help")
            + '<table:table-cell table:number-columns-repeated="1022"/></table:table-row>'
            '<table:table-row table:number-rows-repeated="1048574">'
            '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>')
    sheet = read_sheet(_ods(tmp_path, rows))
    assert sheet.header == ["Id", "Subject"] and sheet.rows == [["7", "Help"]]


def test_a_workbook_whose_only_content_is_one_merged_cell_reads_it_as_data_not_as_a_header():
    from postmortem_desktop.importers.sheet_stream import stream_sheet
    path = shared_file("real/csv/spreadsheets/frictionless__merged-cells.xlsx")  # A1:B3 merged, "data"
    for sheet in (read_sheet(path), stream_sheet(path).head):
        assert not sheet.has_header
        assert [list(row[:1]) for row in sheet.rows] == [["data"]]


def test_merged_header_cells_over_several_rows_still_name_the_columns():
    sheet = read_sheet(shared_file("real/csv/spreadsheets/frictionless__multiline-headers.xlsx"))
    assert sheet.has_header and sheet.header[0] == "Region"


@pytest.mark.parametrize("first", ["Region,2023,2024", "2022,2023,2024", "Region,Team,2024"])
def test_a_first_row_of_words_and_years_over_figures_is_the_header(tmp_path, first):
    path = tmp_path / "by_year.csv"
    path.write_text(f"{first}\nNorth,1.5,2.25\nSouth,3,4.5\n", encoding="utf-8")
    sheet = read_sheet(path)
    assert sheet.has_header and sheet.header == first.split(",")
    assert len(sheet.rows) == 2


def test_a_workbook_header_with_years_typed_as_numbers_is_the_header(tmp_path):
    path = tmp_path / "by_year.xlsx"
    workbook = openpyxl.Workbook()
    for row in (["Region", 2023, 2024], ["North", 1.5, 2.25], ["South", 3, 4.5]):
        workbook.active.append(row)
    workbook.save(path)
    sheet = read_sheet(path)
    assert sheet.has_header and sheet.header == ["Region", "2023", "2024"] and len(sheet.rows) == 2


def test_years_over_a_column_of_years_are_still_data(tmp_path):
    path = tmp_path / "joined.csv"
    path.write_text("Alice,2019,2020\nBob,2018,2021\nCarol,2017,2022\n", encoding="utf-8")
    sheet = read_sheet(path)
    assert not sheet.has_header and len(sheet.rows) == 3
