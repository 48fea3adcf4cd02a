"""CSV shapes from real exports: CJK encodings, no header row, bare CRs, CR-only files, NULs, preambles."""
from __future__ import annotations

import pytest

from postmortem_desktop.importers.sheet_reader import read_sheet
from postmortem_desktop.importers.sheet_stream import stream_sheet
from postmortem_desktop.importers.text_decoding import decode_text
from tests.shared_data import shared_file


def _both(path, **options):
    """The sheet read whole and streamed: header, rows and numbers must agree."""
    whole = read_sheet(path, **options)
    stream = stream_sheet(path, **options)
    streamed = list(stream.rows)
    assert stream.head.header == whole.header
    assert [cells for _, cells in streamed] == [list(row) for row in whole.rows]
    assert [number for number, _ in streamed] == whole.row_numbers
    return whole


@pytest.mark.parametrize(("name", "truth_codec", "phrase"), [
    ("openrefine__big5.txt", "big5", "科技紫微網"),
    ("openrefine__euc-jp.txt", "euc-jp", "ミクシィ"),
    ("openrefine__euc-kr.txt", "euc-kr", "쇼핑몰"),
    ("openrefine__shift_jis.txt", "shift_jis", "価格.com"),
])
def test_east_asian_legacy_encodings_are_detected_not_read_as_utf8_or_latin1(name, truth_codec, phrase):
    data = shared_file(f"real/csv/{name}").read_bytes()
    decoded = decode_text(data)
    assert decoded.codec not in ("utf-8", "latin-1", "cp1252")
    assert decoded.text == data.decode(truth_codec) and phrase in decoded.text


def test_gb18030_text_is_read_as_gb18030_and_says_so(tmp_path):
    text = "工单,主题\n1,支付失败，客户无法下单\n2,登录页面一直转圈，请尽快处理\n3,退款还没有到账\n" * 3
    decoded = decode_text(text.encode("gb18030"))
    assert decoded.text == text and decoded.codec in ("gb18030", "gbk", "gb2312", "cp936")


def test_a_file_without_a_header_row_gets_numbered_columns_and_keeps_its_first_record():
    sheet = _both(shared_file("real/csv/csvkit__no_header_row.csv"))
    assert (sheet.header, sheet.rows, sheet.row_numbers, sheet.has_header) == (
        ["Column 1", "Column 2", "Column 3"], [["1", "2", "3"]], [1], False)


def test_the_person_can_say_the_first_row_is_a_header_after_all(tmp_path):
    # not years: years over figures are read as a header by themselves (sheet_reader._year_labels)
    path = tmp_path / "numbers.csv"
    path.write_text("5,7\n10,12\n11,13\n")
    assert _both(path).header == ["Column 1", "Column 2"]
    sheet = _both(path, has_header=True)
    assert (sheet.header, sheet.rows) == (["5", "7"], [["10", "12"], ["11", "13"]])


def test_the_person_can_say_a_row_of_years_is_data_after_all(tmp_path):
    path = tmp_path / "numbers.csv"
    path.write_text("2023,2024\n10,12\n11,13\n")
    assert _both(path).header == ["2023", "2024"]
    sheet = _both(path, has_header=False)
    assert (sheet.header, sheet.rows[0]) == (["Column 1", "Column 2"], ["2023", "2024"])


def test_a_header_of_words_is_still_a_header(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("Id,Created\n1,2024-05-06 10:20\n")
    assert _both(path).header == ["Id", "Created"]


def test_a_bare_cr_inside_an_unquoted_field_of_an_lf_file_is_text(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"Id,Body\n1,line one\rline two\n2,x\n")
    sheet = _both(path)
    assert sheet.rows == [["1", "line one\rline two"], ["2", "x"]]


def test_a_cr_only_file_is_read_as_cr_lines_quoted_breaks_kept():
    sheet = _both(shared_file("real/csv/csvkit__mac_newlines.csv"))
    assert sheet.header == ["a", "b", "c"]
    assert sheet.rows == [["1", "2", "3"], ["Once upon\ra time", "5", "6"]]


def test_a_nul_byte_in_a_text_file_is_dropped_not_called_binary():
    sheet = _both(shared_file("real/csv/csvkit__null_byte.csv"))
    assert (sheet.header, sheet.rows) == (["a", "b", "c"], [["", "2", "3"]])


def test_control_characters_inside_a_quoted_header_do_not_make_the_file_binary():
    sheet = _both(shared_file("real/csv/csvkit__test_header_newline.csv"))
    assert sheet.header[1:] == ["b", "c"] and sheet.rows == [["d", "e", "f"]]


def test_prose_lines_above_the_header_are_skipped():
    sheet = _both(shared_file("real/csv/frictionless__skip-rows-before-headers.csv"))
    assert (sheet.header, sheet.rows) == (["id", "name"], [["1", "english"], ["2", "中国人"]])
    mac = _both(shared_file("real/csv/univocity__csv_essential-mac.csv"))
    assert mac.header == ["Year", "Make", "Model", "Description", "Price"]


def test_an_actual_binary_file_is_still_refused(tmp_path):
    from postmortem_desktop.importers.sheet_errors import SheetError

    path = tmp_path / "image.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\xff\xfe\x00\x08\x06" * 20)
    with pytest.raises(SheetError, match="binary data"):
        read_sheet(path)


def test_a_workbook_whose_first_row_is_a_typed_value_has_no_header_row():
    sheet = read_sheet(shared_file("real/csv/spreadsheets/xlsx2csv__datetime.xlsx"))
    assert (sheet.header, sheet.has_header) == (["Column 1"], False)
    assert sheet.rows[0][0].isoformat() == "2011-09-15T15:22:00"


def test_a_workbook_row_holding_a_boolean_is_data_not_a_header():
    sheet = read_sheet(shared_file("real/csv/spreadsheets/xlsx2csv__escape.xlsx"))
    assert (sheet.header, sheet.rows) == (["Column 1", "Column 2"], [["Hello\nWorld\t!", False]])


def test_bare_crs_are_hidden_exactly_when_an_lf_text_has_a_cr_not_before_an_lf():
    import random

    from postmortem_desktop.importers.sheet_reader import CR_IN_FIELD, hide_bare_cr

    rnd = random.Random(14)
    for _ in range(5000):
        text = "".join(rnd.choice("ab\r\n") for _ in range(rnd.randint(0, 12)))
        hidden = hide_bare_cr(text)
        bare = [i for i, char in enumerate(text) if char == "\r" and text[i + 1:i + 2] != "\n"]
        if "\n" in text and bare:
            assert [i for i, char in enumerate(hidden) if char == CR_IN_FIELD] == bare, repr(text)
            assert hidden.replace(CR_IN_FIELD, "\r") == text
        else:  # the same object: readers test `hidden is not text` to know whether to show CRs again
            assert hidden is text, repr(text)
