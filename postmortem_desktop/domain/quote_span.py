"""Where a quote begins and ends: on whole words, whatever the pointer caught."""
from __future__ import annotations

#: inside a word these join its parts: "we've", "re-import", "user_id"
_JOINERS = "'’-_"


def _in_word(text: str, i: int) -> bool:
    """True when text[i] belongs to a word (a joiner only between two letters or digits)."""
    char = text[i]
    if char.isalnum():
        return True
    return (char in _JOINERS and 0 < i < len(text) - 1 and text[i - 1].isalnum() and text[i + 1].isalnum())


def snap_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """The span [start, end) of text without the spaces at its edges, widened to whole words at both ends.

    A selection dragged a little short ("ried to pa") or long (" tried to pay ") quotes the words the
    person meant ("tried to pay"). A span of only spaces comes back empty, at its start.
    """
    start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start == end:
        return start, start
    while start > 0 and _in_word(text, start) and _in_word(text, start - 1):
        start -= 1
    while end < len(text) and _in_word(text, end - 1) and _in_word(text, end):
        end += 1
    return start, end
