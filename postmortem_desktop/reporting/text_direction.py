"""Turns stored (logical-order) Hebrew and Arabic text into the visual order a PDF draws left to right.

reportlab places glyphs strictly left to right and does no shaping, so right-to-left runs must be
reversed and Arabic letters swapped for their joined presentation forms before they reach it.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from arabic_reshaper import ArabicReshaper
from bidi import get_display as _rust_display
from bidi.algorithm import get_display as _python_display

# Hebrew, Arabic and their neighbours (Syriac, Thaana, NKo...), their presentation forms, the
# right-to-left marks and embeddings, and the supplementary right-to-left blocks.
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\u200f\u202b\u202e\u2067"
                  "\U00010800-\U00010fff\U0001e800-\U0001efff]")
_ISOLATES = re.compile("[\u2066-\u2069]")
# The embedded DejaVu Sans lacks the one-glyph "Allah" ligature (U+FDF2); it would print as a box.
# Harakat are kept: dropping them would change what the customer wrote.
_RESHAPER = ArabicReshaper(configuration={"ARABIC LIGATURE ALLAH": False, "delete_harakat": False})


def has_rtl(text: str) -> bool:
    """Whether the text holds any right-to-left letter or control."""
    return _RTL.search(text) is not None


def is_rtl(text: str) -> bool | None:
    """The direction the first strong letter gives a paragraph (Unicode rule P2): True for right to left,
    False for left to right, None when the text has no strong letter at all."""
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind == "L":
            return False
        if kind in ("R", "AL"):
            return True
    return None


def visual_order(text: str, rtl: bool | None = None) -> str:
    """The text as it must be drawn left to right; text with no right-to-left letters comes back as is.

    rtl forces the paragraph direction, for one line cut out of a longer paragraph whose direction was
    set by a letter on an earlier line; None lets each line's own first strong letter decide."""
    if not rtl and not _RTL.search(text):
        return text  # nearly all report text: one C-speed scan, no copy
    return "\n".join(_visual_line(line, rtl) for line in text.split("\n"))


@lru_cache(maxsize=2048)
def _visual_line(line: str, rtl: bool | None = None) -> str:
    # Cached because headers and timeline labels measure the same string many times while fitting it.
    if not rtl and not _RTL.search(line):
        return line
    base_dir = None if rtl is None else ("R" if rtl else "L")
    shaped = _RESHAPER.reshape(line)  # joining depends on neighbours in reading order, so before reordering
    if _ISOLATES.search(shaped):
        # The pure-Python algorithm predates isolates (it asserts on them); the Rust one handles them
        # but skips mirroring. The controls have no glyph in our fonts, so they go once applied.
        visual = _ISOLATES.sub("", _rust_display(shaped, base_dir=base_dir))
    else:
        # The pure-Python algorithm applies rule L4, so "(שלום)" keeps its brackets facing the right way.
        visual = _python_display(shaped, base_dir=base_dir)
    # Points and harakat now come just before their letter. That is what the font wants: its
    # zero-width marks are drawn right of the pen, so drawn first they land on the letter after them.
    return visual
