"""Where a quote begins and ends: on whole words, whatever the pointer caught."""
from __future__ import annotations

import re
from collections.abc import Iterable

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


def lines_with(text: str, phrases: Iterable[str]) -> str:
    """The lines of text holding any of the phrases, in order; the text as it is when none does.

    A whole-conversation card is many messages; its suggestion was triggered by a phrase in one of
    them, and that line is what the card should show. A phrase given as words ("charged, twice",
    the words that weighed most) matches a line holding any of them.
    """
    wanted = sorted({part.strip() for phrase in phrases for part in phrase.split(",") if part.strip()})
    if not wanted:
        return text
    # whole words only: "us" is not in "because"
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in wanted) + r")(?!\w)", re.IGNORECASE)
    hits = [line for line in text.splitlines() if pattern.search(line)]
    return "\n".join(hits) if hits else text
