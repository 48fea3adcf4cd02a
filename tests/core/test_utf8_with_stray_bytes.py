"""A UTF-8 file with a few bytes that are not UTF-8 stays UTF-8, whatever its shape, and says where they were.

Every file is written here by the test. Before, the shapes below made the whole file (or the whole
line that held the stray byte) go through a code page: CR-only line ends, a stray byte in the header
of a long file whose accented names came later, one long line (a minified JSON export), a short file
whose only accented line held the stray byte, a Polish line holding one (its Ł, C5 81, is undefined in
Windows-1252, so the line was judged GBK).
"""
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from postmortem_desktop.cli import main
from postmortem_desktop.importers.text_decoding import decode_text, decoding_notice
from postmortem_desktop.services.incidents import CreateIncident
from postmortem_desktop.storage.workspace import create_workspace

ACCENTED = ["café", "déjà", "Größe", "Straße", "Zażółć", "gęślą", "Łódź", "Příliš", "žluťoučký", "ação", "naïve",
            "Árvíztűrő", "señor"]
PLAIN = ["order", "refund", "login", "failed", "twice", "the", "is", "late"]


def rows(count: int, body: str) -> list[str]:
    return [f"{n},Subject {n},{body}" for n in range(1, count + 1)]


def test_a_cr_only_file_with_one_stray_byte_keeps_every_utf8_line():
    # a classic-Mac (CR) file was one "line": it was judged GBK and read through it whole
    lines = ["Id,Subject,Body", *rows(3, "Zażółć gęślą jaźń w Łodzi"), "4,Subject 4,Größe \xc3A broken"]
    data = "\r".join(lines).encode().replace("\xc3A".encode(), b"\xc3A") + b"\r"
    decoded = decode_text(data)
    assert decoded.text == "\r".join(lines).replace("\xc3A", "ÃA") + "\r"
    assert (decoded.codec, decoded.lines_not_utf8, decoded.lines_not_utf8_read_as) == ("utf-8", 1, "cp1252")
    assert decoded.lines_not_utf8_where == ((5, 1),)


def test_a_stray_byte_in_the_header_of_a_long_file_does_not_make_its_later_accents_windows_1252():
    # the first 256 K characters held no accent, so the file was read as cp1252: café became cafÃ©
    lines = ["Id,Subject,Body \x81", *rows(20000, "plain text"), *rows(100, "Zażółć gęślą café Größe")]
    data = "\n".join(lines).encode().replace("\x81".encode(), b"\x81")
    decoded = decode_text(data)
    assert decoded.codec == "utf-8" and decoded.text.endswith("100,Subject 100,Zażółć gęślą café Größe")
    assert decoded.lines_not_utf8_where == ((1, 1),)
    assert decoded.lines_not_utf8_read_as == "cp1252"  # no code page reads 0x81 as a letter: Excel's stays


def test_a_minified_json_export_on_one_line_with_one_stray_sequence_stays_utf8():
    messages = [{"id": n, "text": f"{ACCENTED[n % len(ACCENTED)]} {PLAIN[n % len(PLAIN)]} café"} for n in range(500)]
    raw = json.dumps(messages, ensure_ascii=False).encode()
    decoded = decode_text(raw[:100] + b"\xc3A" + raw[100:])  # 0xC3 followed by ASCII
    assert decoded.codec == "utf-8" and decoded.lines_not_utf8 == 1
    assert decoded.text == (raw[:100] + "ÃA".encode() + raw[100:]).decode()


def test_a_short_file_whose_only_accented_line_holds_the_stray_byte_stays_utf8():
    # 3 rows, the accents and the stray byte on one line: the file was read as Shift-JIS
    text = "Id,Subject,Body\n1,Login,fine\n2,Pay,Die Größe der Straße ist schön \xe9\n"
    decoded = decode_text(text.encode().replace("\xe9".encode(), b"\xe9"))
    assert decoded.text == text and decoded.codec == "utf-8"
    assert decoded.lines_not_utf8_where == ((3, 1),)


def test_a_polish_line_holding_a_stray_byte_keeps_its_letters():
    # read whole as cp1252, the line's Ł (C5 81) is undefined, so GBK was chosen and read the line
    text = "Id,Body\n1,Zażółć gęślą jaźń w Łodzi \x9d\n2,café\n"
    decoded = decode_text(text.encode().replace("\x9d".encode(), b"\x9d"))
    assert decoded.text.startswith("Id,Body\n1,Zażółć gęślą jaźń w Łodzi ") and decoded.text.endswith("\n2,café\n")
    assert decoded.lines_not_utf8_read_as == "cp1250"  # the Polish file's own page: 0x9D is ť there


def test_one_undefined_byte_beside_a_stray_accent_is_not_read_as_arabic():
    text = "Id,Body\n1,café is closed\n2,Größe \x81 wrong\n3,naïve caf\xe9\n"
    decoded = decode_text(text.encode().replace("\x81".encode(), b"\x81").replace("\xe9".encode(), b"\xe9"))
    assert decoded.text == text and decoded.lines_not_utf8_read_as == "cp1252"  # was cp1256


def test_the_notice_names_each_line_its_bytes_and_the_code_page():
    assert decoding_notice(1, "cp1252", ((1234, 2),)) == (
        "Line 1,234 of this UTF-8 file: 2 bytes that are not UTF-8 were read as Windows-1252; the rest stayed "
        "UTF-8. Check the accented letters on that line.")
    notice = decoding_notice(7, "cp1250", ((3, 1), (9, 4)))
    assert notice.startswith("7 lines of this UTF-8 file held bytes that are not UTF-8, read as Windows-1250 "
                             "(line 3: 1 byte; line 9: 4 bytes; 5 more lines); the rest stayed UTF-8.")
    assert decoding_notice(0, None, ()) == ""


_WORDS = st.lists(st.sampled_from(ACCENTED + PLAIN), min_size=1, max_size=8).map(" ".join)


@settings(max_examples=150, deadline=None)
@given(lines=st.lists(_WORDS, min_size=2, max_size=40), eol=st.sampled_from(["\n", "\r\n", "\r"]),
       bom=st.booleans(), strays=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0x80, 0xFF)),
                                          min_size=1, max_size=3))
def test_stray_bytes_anywhere_in_accented_utf8_are_all_that_is_read_otherwise(lines, eol, bom, strays):
    lines = ["Id,Body", *(f"{n},{line} café" for n, line in enumerate(lines, 1))]
    text = eol.join(lines) + eol
    # a stray byte goes between two characters (never into one), at most one per place
    places = sorted({position % len(text): value for position, value in strays}.items())
    data, done = b"", 0
    for place, value in places:
        data += text[done:place].encode() + bytes([value])
        done = place
    data = (b"\xef\xbb\xbf" if bom else b"") + data + text[done:].encode()
    decoded = decode_text(data)
    assert decoded.codec == ("utf-8-sig" if bom else "utf-8")
    read_as = decoded.lines_not_utf8_read_as
    assert read_as is not None

    def read(value: int) -> str:
        try:
            return bytes([value]).decode(read_as)
        except UnicodeDecodeError:
            return bytes([value]).decode("latin-1")

    expected, done = "", 0
    for place, value in places:
        expected += text[done:place] + read(value)
        done = place
    assert decoded.text == expected + text[done:]
    line_of = {text.count(eol, 0, place) + 1 for place, _ in places}
    assert decoded.lines_not_utf8 == len(line_of)
    assert [line for line, _ in decoded.lines_not_utf8_where] == sorted(line_of)


# ---- the entry points say so -------------------------------------------------------------------------------
STRAY_DUMP = ("Id,Subject,Created at,Description\n"
              "1,Login,2026-11-18 10:20,café is closed\n"
              "2,Payment,2026-11-18 10:25,Größe d\xe9j\xe0 wrong\n"
              "3,Refund,2026-11-18 10:30,naïve\n")


def write_stray_dump(path):
    # "déjà" typed in Windows-1252 into a UTF-8 file
    text = STRAY_DUMP.replace(",", "\t") if path.suffix in (".tsv", ".txt") else STRAY_DUMP
    path.write_bytes(text.encode().replace("d\xe9j\xe0".encode(), "déjà".encode("cp1252")))
    return path


@pytest.mark.parametrize("name", ["dump.csv", "dump.tsv", "dump.txt"])
def test_preview_json_says_which_line_held_bytes_that_are_not_utf8(tmp_path, capsys, name):
    source = write_stray_dump(tmp_path / name)
    assert main(["preview", str(source), "--json"]) == 0
    preview = json.loads(capsys.readouterr().out)
    assert (preview["encoding"], preview["lines_not_utf8"], preview["lines_not_utf8_where"]) == (
        "utf-8", 1, [{"line": 3, "bytes": 2}])
    assert preview["decoding_notice"].startswith(
        "Line 3 of this UTF-8 file: 2 bytes that are not UTF-8 were read as Windows-1252")
    assert main(["preview", str(source)]) == 0
    assert "Line 3 of this UTF-8 file: 2 bytes" in capsys.readouterr().out


def test_import_keeps_the_utf8_rows_and_its_summary_names_the_line(tmp_path, capsys):
    source = write_stray_dump(tmp_path / "dump.csv")
    ws = create_workspace(tmp_path / "w.pmw")
    create = CreateIncident(title="Billing")
    create.do(ws)
    ws.close()
    assert main(["import", str(tmp_path / "w.pmw"), str(source), "--incident", str(create.incident_id),
                 "--include-outside-window", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["lines_not_utf8_where"] == [{"line": 3, "bytes": 2}]
    assert "Line 3 of this UTF-8 file" in summary["decoding_notice"]
    assert main(["conversations", str(tmp_path / "w.pmw"), "--incident", str(create.incident_id), "--json"]) == 0
    texts = [m["text"] for c in json.loads(capsys.readouterr().out) for m in c["messages"]]
    assert "café is closed" in texts and "naïve" in texts and "Größe déjà wrong" in texts


def test_a_cr_only_chat_file_with_a_stray_byte_keeps_its_utf8_names(tmp_path, capsys):
    path = tmp_path / "chat.txt"
    path.write_bytes("12/30/24, 9:15 PM - Zoë: Łódź office, the café invoice failed\r".encode()
                     + "12/30/24, 9:16 PM - Support: checking \xc3A now\r".encode().replace("\xc3A".encode(), b"\xc3A")
                     + "12/30/24, 9:17 PM - Zoë: Größe merci\r".encode())
    assert main(["parse-transcript", str(path), "--json"]) == 0
    messages = json.loads(capsys.readouterr().out)["messages"]
    assert [(m["author"], m["text"]) for m in messages] == [
        ("Zoë", "Łódź office, the café invoice failed"), ("Support", "checking ÃA now"), ("Zoë", "Größe merci")]


def test_parse_transcript_json_says_which_line_of_a_chat_file_was_not_utf8(tmp_path, capsys):
    path = tmp_path / "chat.txt"
    path.write_bytes("12/30/24, 9:15 PM - Zoë: the café invoice failed\n".encode()
                     + "12/30/24, 9:16 PM - Support: déjà vu, checking\n".encode("cp1252"))
    assert main(["parse-transcript", str(path), "--json"]) == 0
    notice = json.loads(capsys.readouterr().out)["decoding_notice"]
    assert notice.startswith("Line 2 of this UTF-8 file: 2 bytes that are not UTF-8 were read as Windows-1252")
    assert main(["parse-transcript", str(path)]) == 0
    assert "Line 2 of this UTF-8 file" in capsys.readouterr().out
