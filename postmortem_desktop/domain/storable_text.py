"""Text as both engines store it: the one rule for characters a database cannot keep.

PostgreSQL refuses a NUL character in any text value, while SQLite keeps it; neither driver can encode
a lone surrogate (half of a UTF-16 pair, which is what a JSON export's "\\ud83d" escape without its
partner decodes to). So that a file and a team workspace hold the same text, and an incident on a file
always publishes, text is made storable where it enters: a NUL is dropped (no export or paste means
one, and the CSV reader drops them the same way) and a lone surrogate becomes U+FFFD, the replacement
character a decoder puts for what it cannot read. Replacing rather than refusing: one invisible
character should not fail a whole chat export or a publish of a finished incident.
"""
from __future__ import annotations

REPLACEMENT = "\ufffd"


def storable(text: str) -> str:
    """text without NUL characters, and with each lone surrogate replaced by U+FFFD."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    if text.isascii():  # the common case, checked in C
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # surrogatepass keeps each half as its two bytes; decoding pairs the halves that match and
        # replaces the ones alone
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return text
