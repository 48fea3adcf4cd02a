"""Detection of a text export's encoding and delimiter, and of binary data posing as text."""
from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import islice

from charset_normalizer import from_bytes

UTF8_SIG = "utf-8-sig"
DELIMITERS = (",", ";", "\t", "|")

# (BOM, codec): the longer UTF-32 marks first, since FF FE also starts the UTF-16LE mark.
_BOMS = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xef\xbb\xbf", UTF8_SIG),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f\s\d]{3,}")
# decoding with "surrogateescape" turns each byte that is not UTF-8 into U+DC80..U+DCFF
_ESCAPED_RUN = re.compile("[\udc80-\udcff]+")
_UTF8_NON_ASCII = re.compile("[^\x00-\x7f\udc80-\udcff]")
_NON_ASCII_WORD = re.compile("[^\x00-\x7f]+")
_SAMPLE_BYTES = 64 * 1024
_WINDOWS_CODE_PAGES = ("cp1252", "cp1250", "cp1251", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257", "cp1258",
                       "cp874", "cp932", "cp936", "cp949", "cp950")
_MULTI_BYTE_CODE_PAGES = frozenset(("cp932", "cp936", "cp949", "cp950"))
# East Asian legacy encodings, by Python's codec names as charset-normalizer reports them
CJK_CODECS = frozenset(("big5", "big5hkscs", "cp950", "gb2312", "gbk", "gb18030", "cp936", "hz", "shift_jis",
                        "cp932", "shift_jis_2004", "shift_jisx0213", "euc_jp", "euc_jis_2004", "euc_jisx0213",
                        "iso2022_jp", "euc_kr", "cp949", "johab", "iso2022_kr"))
# The East Asian codecs exports are written in. On a short sample charset-normalizer may rank a
# rare one first (a few Big5 words read as Korean Johab with no more "chaos" than Big5's reading),
# so a common codec whose reading is nearly as clean is preferred to a rare one.
COMMON_CJK = frozenset(("big5", "cp950", "gb2312", "gbk", "gb18030", "cp936", "shift_jis", "cp932", "euc_jp",
                        "euc_kr", "cp949"))
_NEARLY_AS_CLEAN = 0.05  # charset-normalizer's chaos (mess) ratio, 0..1
_CONTROL = bytes(byte for byte in range(32) if byte not in (9, 10, 12, 13))


class TextDecodingError(ValueError):
    """The bytes are not text in any encoding a spreadsheet export would use."""


def bom_encoding(data: bytes) -> str | None:
    """The codec named by a byte-order mark at the start of data, if any."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec
    return None


def _utf16_without_bom(sample: bytes) -> str | None:
    # ASCII text in UTF-16 has a NUL in every other byte; which half tells the byte order.
    if len(sample) < 4:
        return None
    even_nuls = sample[0::2].count(0) / len(sample[0::2])
    odd_nuls = sample[1::2].count(0) / len(sample[1::2])
    if odd_nuls > 0.4 and even_nuls < 0.05:
        return "utf-16-le"
    if even_nuls > 0.4 and odd_nuls < 0.05:
        return "utf-16-be"
    return None


def detect_encoding(data: bytes) -> str:
    """The codec that decodes data: BOM, UTF-16 without BOM, UTF-8, then Excel's Windows code page.

    cp1252 is taken whenever its reading looks like Western text, because charset-normalizer
    misnames short Western samples (cp1256, cp1257); it is asked only when cp1252 reads as noise.
    """
    codec = bom_encoding(data) or _utf16_without_bom(data[:_SAMPLE_BYTES])
    if codec:
        return codec
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    for codec in ("cp1252", "latin-1"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if _reads_as_western(text[: 4 * _SAMPLE_BYTES]):
            return codec
    guess = best_guess(data[: 4 * _SAMPLE_BYTES])
    return guess if guess is not None else "latin-1"


def best_guess(data: bytes) -> str | None:
    """charset-normalizer's best codec for data, a common CJK one preferred to a rare one nearly as clean."""
    matches = list(from_bytes(data))
    if not matches:
        return None
    best = matches[0]
    if best.encoding in CJK_CODECS and best.encoding not in COMMON_CJK:
        for match in matches[1:]:
            if match.encoding in COMMON_CJK and match.chaos <= best.chaos + _NEARLY_AS_CLEAN:
                return str(match.encoding)
    return str(best.encoding)


def _reads_as_western(text: str) -> bool:
    # Western text has accents inside ASCII words (café, Größe); Cyrillic or Greek bytes read
    # as cp1252 come out as runs of accented letters (Ïðèâåò), so runs betray a wrong guess.
    accented = len(_NON_ASCII.findall(text))
    if not accented:
        return True
    in_runs = sum(len(run) for run in _NON_ASCII_RUN.findall(text))
    return in_runs < 0.3 * accented


@dataclass(frozen=True)
class DecodedText:
    """A text file's text and how it was read.

    A UTF-8 file with a few bytes from another code page (a row pasted from an old export, a
    cell typed in Excel) keeps its UTF-8; only the bytes that are not UTF-8 are read with
    ``lines_not_utf8_read_as``, ``lines_not_utf8`` says how many lines held them, and
    ``lines_not_utf8_where`` which: (line number, bytes that were not UTF-8) for the first few.
    """

    text: str
    codec: str
    lines_not_utf8: int = 0
    lines_not_utf8_read_as: str | None = None
    lines_not_utf8_where: tuple[tuple[int, int], ...] = ()

    @property
    def notice(self) -> str:
        """decoding_notice for this text ("" when it was read as one encoding throughout)."""
        return decoding_notice(self.lines_not_utf8, self.lines_not_utf8_read_as, self.lines_not_utf8_where)


def decode_text(data: bytes) -> DecodedText:
    """The text of data and how it was read; UTF-8 files are decoded only once."""
    codec = bom_encoding(data) or (None if _utf16_without_bom(data[:_SAMPLE_BYTES]) else "utf-8")
    if codec in ("utf-8", UTF8_SIG):
        try:
            return DecodedText(_without_bom(data.decode(codec)), codec)
        except UnicodeDecodeError:
            mixed = _decode_mostly_utf8(data, codec)
            if mixed is not None:
                return mixed
    codec = detect_encoding(data)
    return DecodedText(decode(data, codec), codec)


def decoding_notice(lines_not_utf8: int, read_as: str | None, where: Sequence[Sequence[int]] = ()) -> str:
    """What a person should know about a file whose text was read as DecodedText says ("" if nothing):
    which lines held bytes that are not UTF-8, how many, and what they were read as."""
    if not lines_not_utf8:
        return ""
    code_page = code_page_name(read_as)
    places = [f"line {line:,}: {counted_bytes(count)}" for line, count in where]
    if lines_not_utf8 > len(places):
        places.append(f"{lines_not_utf8 - len(places):,} more line{'s' if lines_not_utf8 - len(places) != 1 else ''}")
    if lines_not_utf8 == 1 and len(where) == 1:
        line, count = where[0]
        return (f"Line {line:,} of this UTF-8 file: {counted_bytes(count)} that {'is' if count == 1 else 'are'} "
                f"not UTF-8 {'was' if count == 1 else 'were'} read as {code_page}; the rest stayed UTF-8. "
                "Check the accented letters on that line.")
    lines = f"{lines_not_utf8:,} line{'s' if lines_not_utf8 != 1 else ''}"
    return (f"{lines} of this UTF-8 file held bytes that are not UTF-8, read as {code_page}"
            f"{' (' + '; '.join(places) + ')' if where else ''}; the rest stayed UTF-8. "
            "Check the accented letters on those lines.")


def counted_bytes(count: int) -> str:
    return f"{count:,} byte{'s' if count != 1 else ''}"


def code_page_name(codec: str | None) -> str:
    """A codec as a person knows it: cp1252 is "Windows-1252", cp932 "Windows-932 (Shift-JIS)"."""
    if codec is None:
        return "another encoding"
    return _CODE_PAGE_NAMES.get(codec, f"Windows-{codec[2:]}" if re.fullmatch(r"cp\d+", codec) else codec)


_CODE_PAGE_NAMES = {"cp932": "Windows-932 (Shift-JIS)", "cp936": "Windows-936 (GBK)",
                    "cp949": "Windows-949 (Korean)", "cp950": "Windows-950 (Big5)", "cp874": "Windows-874 (Thai)",
                    "latin-1": "Latin-1"}


def decode_transcript(data: bytes) -> str:
    """The text of a dropped or named transcript file, read as a ticket dump's text is."""
    return transcript_text(data).text


def transcript_text(data: bytes) -> DecodedText:
    """A transcript file's text and how it was read (its ``notice`` for the person), as decode_text.

    Never refused: bytes that no encoding explains (UTF-16 cut mid-character) become U+FFFD.
    """
    try:
        return decode_text(data)
    except TextDecodingError:
        return DecodedText(data.decode("utf-8-sig", errors="replace"), UTF8_SIG)


def _decode_mostly_utf8(data: bytes, codec: str) -> DecodedText | None:
    """UTF-8 text whose bytes that are not UTF-8 are read in the code page they suggest.

    None when nothing shows the file is UTF-8 (no BOM, no character beyond ASCII that is valid
    UTF-8): then it is a legacy code page throughout, and detection reads it whole.
    """
    text = _without_bom(data.decode(codec, "surrogateescape"))
    if codec != UTF8_SIG and _mostly_not_utf8(text):
        return None
    bad_lines = _lines_not_utf8(text)
    fallback = _windows_code_page(b"\n".join(_stray_bytes(text[start:end]) for start, end, _ in bad_lines[:1000]),
                                  text)
    pieces, done = [], 0
    for start, end, _ in bad_lines:
        pieces += [text[done:start], _read_line(text[start:end], fallback)]
        done = end
    pieces.append(text[done:])
    where = tuple((number, _stray_count(text[start:end])) for start, end, number in bad_lines[:_LINES_NAMED])
    return DecodedText("".join(pieces), codec, len(bad_lines), fallback, where)


_LINES_NAMED = 5  # the lines a notice names; beyond them it gives a count


def _mostly_not_utf8(text: str) -> bool:
    """Whether the text is a legacy encoding throughout rather than UTF-8 with a few stray bytes.

    Big5, Shift-JIS or EUC-KR bytes form a valid UTF-8 character here and there by chance, but
    almost never a whole clean line, and their stray bytes far outnumber those chance characters.
    And a chance character always sits among stray bytes, never in a word of its own, so a few
    stray bytes beside whole UTF-8 words are UTF-8 with strays, whatever charset-normalizer makes
    of the bytes (it read a short French file with one stray byte as GBK).
    """
    sample = _evidence(text)
    clean = stray = 0
    for line in sample.splitlines():
        if _ESCAPED_RUN.search(line):
            stray += 1
        elif _UTF8_NON_ASCII.search(line):
            clean += 1
    valid = sum(len(char.encode("utf-8")) for char in _UTF8_NON_ASCII.findall(sample))
    if valid == 0:
        return True
    if clean * 10 >= stray:
        return False
    escaped = sum(len(run) for run in _ESCAPED_RUN.findall(sample))
    if escaped > 2 * valid:
        return True
    if _utf8_word_bytes(sample) >= escaped:
        return False
    return cjk_encoding(sample.encode("utf-8", "surrogateescape")) is not None


def _evidence(text: str) -> str:
    """The text that decides whether a file is UTF-8: its start and, when the start has no
    character beyond ASCII, the lines from the first one there is (a stray byte in the header
    of a 100k-row file whose accented names come later must not make it all Windows-1252)."""
    sample = text[: 4 * _SAMPLE_BYTES]
    if _UTF8_NON_ASCII.search(sample):
        return sample
    first = _UTF8_NON_ASCII.search(text, len(sample))
    if first is None:
        return sample
    start = text.rfind("\n", 0, first.start()) + 1
    return sample + "\n" + text[start:start + 4 * _SAMPLE_BYTES]


def _utf8_word_bytes(text: str) -> int:
    """The bytes of the runs of characters beyond ASCII that hold no stray byte: whole UTF-8 words."""
    return sum(len(run.encode("utf-8")) for run in _NON_ASCII_WORD.findall(text) if not _ESCAPED_RUN.search(run))


def cjk_encoding(data: bytes) -> str | None:
    """The East Asian multi-byte codec charset-normalizer finds for data, if it reads all of it, else None."""
    guess = best_guess(data)
    if guess is None or guess not in CJK_CODECS:
        return None
    try:
        data.decode(guess)
    except UnicodeDecodeError:
        return None
    return guess


def _lines_not_utf8(text: str) -> list[tuple[int, int, int]]:
    """(start, end, line number) of each line holding escaped bytes, its line break left out.

    Lines end at LF; only a file with no LF at all ends them at CR (classic Mac), since a bare CR
    in an LF or CRLF file is text inside a field (sheet_reader.hide_bare_cr).
    """
    line_break = "\n" if "\n" in text else "\r"
    lines: list[tuple[int, int, int]] = []
    number, counted_to = 1, 0
    for run in _ESCAPED_RUN.finditer(text):
        if lines and run.start() < lines[-1][1]:
            continue  # another run on a line already found
        start = text.rfind(line_break, 0, run.start()) + 1
        end = text.find(line_break, run.end())
        number += text.count(line_break, counted_to, start)
        counted_to = start
        lines.append((start, len(text) if end < 0 else end, number))
    return lines


def _stray_count(line: str) -> int:
    return sum(len(run) for run in _ESCAPED_RUN.findall(line))


def _is_legacy_line(line: str) -> bool:
    """Whether a line was saved in another code page whole: it has no UTF-8 word of its own."""
    return _utf8_word_bytes(line) == 0


def _stray_bytes(line: str) -> bytes:
    """What tells a line's code page: the whole line if it was saved in one, else only its stray
    bytes, since UTF-8 letters read as a code page (Ł is C5 81) would make Latin lines look CJK."""
    if _is_legacy_line(line):
        return _escaped_bytes(line)
    return b"\n".join(_escaped_bytes(run) for run in _ESCAPED_RUN.findall(line))


def _read_line(line: str, codec: str) -> str:
    """A line that is not UTF-8, its stray bytes read in ``codec`` and its UTF-8 words kept."""
    # A multi-byte code page's pairs often look like a UTF-8 character by chance, and cannot be
    # read piece by piece anyway: a line saved in one is read whole.
    if codec in _MULTI_BYTE_CODE_PAGES and _is_legacy_line(line):
        try:
            return _escaped_bytes(line).decode(codec)
        except UnicodeDecodeError:
            pass
    return _ESCAPED_RUN.sub(lambda run: _decode_run(_escaped_bytes(run.group()), codec), line)


def _windows_code_page(raw: bytes, text: str) -> str:
    """The Windows code page (Excel's) that reads a UTF-8 file's stray lines in the file's own scripts.

    Stray lines are too few for charset-normalizer to tell code pages apart (three Cyrillic
    letters came out as EBCDIC), but the rest of the file says which scripts it is written in:
    the code page whose reading of the lines stays most within those scripts wins, Western first.
    A byte a code page leaves undefined counts against it, rather than ruling it out: one 0x81
    beside an é must not hand the é to Arabic cp1256, the only page that defines both.
    """
    scripts = {_script(char) for char in islice(_UTF8_NON_ASCII.findall(text, 0, 1 << 20), 2000)}
    # a byte no code page reads as a letter of those scripts (0x81 alone) stays Excel's cp1252
    best, best_share = "cp1252", 0.0
    for codec in _WINDOWS_CODE_PAGES:
        letters = [char for char in raw.decode(codec, "replace")
                   if char == "\ufffd" or (char.isalpha() and not char.isascii())]
        share = sum(_script(char) in scripts for char in letters) / len(letters) if letters else 0.0
        if share > best_share:
            best, best_share = codec, share
    return best


def _script(char: str) -> str:
    # the first word of a character's name is its script: LATIN, CYRILLIC, GREEK, HEBREW, CJK...;
    # Japanese writes kana and kanji side by side, so they count as one
    script = unicodedata.name(char, "?").split(" ", 1)[0]
    return "CJK" if script in ("HIRAGANA", "KATAKANA") else script


def _escaped_bytes(run: str) -> bytes:
    return run.encode("utf-8", "surrogateescape")


def _decode_run(raw: bytes, codec: str) -> str:
    try:
        return raw.decode(codec)
    except UnicodeDecodeError:  # a byte cp1252 leaves undefined: latin-1 reads every byte
        return raw.decode("latin-1")


def _without_bom(text: str) -> str:
    # after utf-8-sig has taken its BOM, one more is dropped (files saved twice with a BOM)
    return text[1:] if text.startswith("\ufeff") else text


def looks_binary(data: bytes) -> bool:
    """Whether data is binary: NULs or control bytes that no text export contains.

    UTF-16 and UTF-32 text is full of NULs, so it is recognised first and never called binary.
    """
    sample = data[:_SAMPLE_BYTES]
    if not sample or bom_encoding(sample) or _utf16_without_bom(sample):
        return False
    controls = len(sample) - len(sample.translate(None, _CONTROL))
    if _is_utf8(sample, whole=len(data) <= _SAMPLE_BYTES):
        # Text that is valid UTF-8 may hold a stray NUL (csvkit's null_byte.csv) or a quoted form
        # feed (a header cell of \t \n \v \f); binary data is almost never valid UTF-8 as well.
        return controls / len(sample) > 0.1
    return b"\x00" in sample or controls / len(sample) > 0.01


def _is_utf8(sample: bytes, *, whole: bool) -> bool:
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=whole)  # a cut last character is fine
    except UnicodeDecodeError:
        return False
    return True


def decode(data: bytes, codec: str) -> str:
    """The text of data; the BOM is dropped so the first header name stays clean."""
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as error:
        raise TextDecodingError(
            f"the file is not valid {codec} text (byte {error.start}); "
            "save it again as 'CSV UTF-8' and retry"
        ) from error
    return _without_bom(text)


def without_nul(text: str) -> str:
    """A CSV's text with its NUL characters dropped: no export means one, and a database cell may end at it."""
    return text.replace("\x00", "") if "\x00" in text else text


def _field_counts(sample: str, delimiter: str) -> list[int]:
    reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
    counts: list[int] = []
    try:
        for record in reader:
            if record:
                counts.append(len(record))
    except csv.Error:
        return []
    # The sample may end inside a record, so its last count proves nothing.
    return counts[:-1] if len(counts) > 2 else counts


def _consistency(counts: list[int]) -> float:
    if not counts or counts[0] < 2:
        return 0.0
    header = counts[0]
    matching = sum(1 for count in counts if count == header)
    return matching / len(counts)


def detect_delimiter(text: str, sample_chars: int = _SAMPLE_BYTES) -> str:
    """The delimiter that splits the sample into rows of one consistent width.

    Scored by the share of records with as many fields as the header; ties go to the wider
    header. Quoted fields, including multi-line ones, are honoured by parsing with csv.
    """
    sample = text[:sample_chars]
    best, best_score = ",", (0.0, 0)
    for delimiter in DELIMITERS:
        if delimiter not in sample:
            continue
        counts = _field_counts(sample, delimiter)
        score = (_consistency(counts), counts[0] if counts else 0)
        if score > best_score:
            best, best_score = delimiter, score
    return best
