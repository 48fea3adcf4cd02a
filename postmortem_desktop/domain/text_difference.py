"""Where two versions of one text differ: the changed span of each, and a short excerpt around it.

A conflict between a person's words and a teammate's stored text is decided by reading what differs;
a change at the end of a long answer must show, not only its first line.
"""
from __future__ import annotations

from dataclasses import dataclass

ELLIPSIS = "…"
BEFORE_CHARS = 30  # context shown before the first difference
AFTER_CHARS = 20  # context shown after the changed span


@dataclass(frozen=True)
class Difference:
    """The changed span [start, end) of each version; the text before start and after each end is shared."""

    start: int
    mine_end: int
    theirs_end: int


def difference(mine: str, theirs: str) -> Difference:
    """The one span that covers every change: the shared start and the shared end are left out."""
    shortest = min(len(mine), len(theirs))
    start = 0
    while start < shortest and mine[start] == theirs[start]:
        start += 1
    tail = 0  # shared characters at the end, never reaching back into the shared start
    while tail < shortest - start and mine[-1 - tail] == theirs[-1 - tail]:
        tail += 1
    return Difference(start, len(mine) - tail, len(theirs) - tail)


def excerpt(text: str, start: int, end: int, width: int) -> str:
    """text[start:end] with some context around it, in about width characters, "…" where it is cut.

    A changed span longer than the room left is cut in its middle, so both its ends show."""
    begin = max(0, start - BEFORE_CHARS)
    if begin > 0:  # start the context at a word, not in the middle of one
        space = text.find(" ", begin, start)
        begin = space + 1 if space != -1 else begin
    finish = min(len(text), end + AFTER_CHARS)
    if finish < len(text):
        space = text.rfind(" ", end, finish)
        finish = space if space != -1 else finish
    changed = text[start:end]
    room = max(width - (start - begin) - (finish - end), 20)
    if len(changed) > room:
        half = (room - 1) // 2
        changed = changed[:half] + ELLIPSIS + changed[len(changed) - half:]
    return ((ELLIPSIS if begin > 0 else "") + text[begin:start] + changed + text[end:finish]
            + (ELLIPSIS if finish < len(text) else ""))


def excerpts(mine: str, theirs: str, width: int = 120) -> tuple[str, str]:
    """(mine, theirs), each cut to about width characters around where they differ."""
    diff = difference(mine, theirs)
    return (excerpt(mine, diff.start, diff.mine_end, width), excerpt(theirs, diff.start, diff.theirs_end, width))
