"""Converting between Qt's UTF-16 text offsets and Python's code-point indexes (they differ after emoji)."""
from __future__ import annotations


def utf16_to_index(text: str, offset: int) -> int:
    """Python index of a UTF-16 offset into text."""
    if text.isascii():
        return offset
    units = 0
    for index, char in enumerate(text):
        if units >= offset:
            return index
        units += 2 if ord(char) > 0xFFFF else 1
    return len(text)


def index_to_utf16(text: str, index: int) -> int:
    """UTF-16 offset of a Python index into text."""
    return len(text[:index].encode("utf-16-le")) // 2
