"""Detection of a text export's encoding and delimiter, and of binary data posing as text."""
from __future__ import annotations

import csv
import io
import re

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
_SAMPLE_BYTES = 64 * 1024
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
    guess = from_bytes(data[: 4 * _SAMPLE_BYTES]).best()
    return guess.encoding if guess is not None else "latin-1"


def _reads_as_western(text: str) -> bool:
    # Western text has accents inside ASCII words (café, Größe); Cyrillic or Greek bytes read
    # as cp1252 come out as runs of accented letters (Ïðèâåò), so runs betray a wrong guess.
    accented = len(_NON_ASCII.findall(text))
    if not accented:
        return True
    in_runs = sum(len(run) for run in _NON_ASCII_RUN.findall(text))
    return in_runs < 0.3 * accented


def decode_text(data: bytes) -> tuple[str, str]:
    """The text of data and the codec that read it; UTF-8 files are decoded only once."""
    if not bom_encoding(data) and not _utf16_without_bom(data[:_SAMPLE_BYTES]):
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
    codec = detect_encoding(data)
    return decode(data, codec), codec


def looks_binary(data: bytes) -> bool:
    """Whether data is binary: NULs or control bytes that no text export contains.

    UTF-16 and UTF-32 text is full of NULs, so it is recognised first and never called binary.
    """
    sample = data[:_SAMPLE_BYTES]
    if not sample or bom_encoding(sample) or _utf16_without_bom(sample):
        return False
    if b"\x00" in sample:
        return True
    controls = len(sample) - len(sample.translate(None, _CONTROL))
    return controls / len(sample) > 0.01


def decode(data: bytes, codec: str) -> str:
    """The text of data; the BOM is dropped so the first header name stays clean."""
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as error:
        raise TextDecodingError(
            f"the file is not valid {codec} text (byte {error.start}); "
            "save it again as 'CSV UTF-8' and retry"
        ) from error
    return text[1:] if text.startswith("\ufeff") else text


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
