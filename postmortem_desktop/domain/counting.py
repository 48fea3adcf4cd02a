"""Counts in words: "1 message", "2 messages", "1,204 rows", one rule for the screens, reports and command line."""
from __future__ import annotations


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """The count with its noun in the right number: counted(1, "message") == "1 message"."""
    word = noun if count == 1 else (plural or noun + "s")
    return f"{count:,} {word}"
