"""Embedded PDF fonts and per-character fallback, so any script renders and nothing becomes an empty box."""
from __future__ import annotations

import threading
import unicodedata
from functools import lru_cache
from xml.sax.saxutils import escape

from reportlab.lib.fonts import addMapping
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Paragraph

from ..resources import resource_path
from .text_direction import has_rtl, visual_order

SANS = "PMSans"
SANS_BOLD = "PMSans-Bold"
CJK = "PMFallback"
PLACEHOLDER = "\u25a1"  # □: visible, and DejaVu has it
EMOJI_PLACEHOLDER = "[emoji]"

_FILES = {SANS: "DejaVuSans.ttf", SANS_BOLD: "DejaVuSans-Bold.ttf", CJK: "DroidSansFallbackFull.ttf"}
_lock = threading.Lock()
_registered: set[str] = set()
_coverage: dict[str, frozenset[int]] = {}

# Joiners and modifiers belong to the emoji before them; they are dropped with it, never shown as boxes.
_EMOJI_GLUE = {0x200D, 0xFE0E, 0xFE0F, 0x20E3} | set(range(0x1F3FB, 0x1F400)) | set(range(0xE0020, 0xE0080))


def _register(name: str) -> None:
    with _lock:
        if name in _registered:
            return
        font = TTFont(name, str(resource_path("fonts", _FILES[name])))
        pdfmetrics.registerFont(font)
        _coverage[name] = frozenset(font.face.charToGlyph)
        _registered.add(name)
        if name in (SANS, SANS_BOLD) and {SANS, SANS_BOLD} <= _registered:
            # <b> in paragraph markup switches to the bold face of the family
            addMapping(SANS, 0, 0, SANS)
            addMapping(SANS, 1, 0, SANS_BOLD)
            addMapping(SANS, 0, 1, SANS)
            addMapping(SANS, 1, 1, SANS_BOLD)


def register_fonts() -> None:
    """Registers the Latin/Greek/Cyrillic/Arabic/Hebrew faces; the CJK face loads on first need."""
    _register(SANS)
    _register(SANS_BOLD)


def _is_emoji(code: int) -> bool:
    return (0x1F000 <= code <= 0x1FAFF or 0x2600 <= code <= 0x27BF or 0x1F900 <= code <= 0x1F9FF
            or 0x2B00 <= code <= 0x2BFF or 0x1F1E6 <= code <= 0x1F1FF)


def _is_flag_half(code: int) -> bool:
    return 0x1F1E6 <= code <= 0x1F1FF


@lru_cache(maxsize=4096)
def _font_for(code: int, base: str) -> str | None:
    """The face that draws this code point, or None when no shipped face has it."""
    if code in _coverage[base]:
        return base
    if code < 0x2E80 and not (0x1100 <= code <= 0x11FF):
        # Below the CJK blocks the fallback face adds nothing DejaVu lacks, so skip loading 4 MB.
        return None
    _register(CJK)
    return CJK if code in _coverage[CJK] else None


def runs(text: str, base: str = SANS) -> list[tuple[str, str]]:
    """(font name, text) runs in drawing order; emoji and uncovered characters become visible placeholders."""
    # Canvas strings, headings and the lines cut by paragraph() pass here, so Hebrew and Arabic are
    # reordered and joined in this one place. A whole paragraph must not: reordered before reportlab
    # wraps it, its lines would stack last-first, so paragraph() cuts lines in stored order first.
    return _font_runs(visual_order(text), base)


def _font_runs(text: str, base: str) -> list[tuple[str, str]]:
    register_fonts()
    cover = _coverage[base]
    if all(ord(ch) in cover or ch in "\n\t" for ch in text):  # the common case, kept cheap
        return [(base, text)] if text else []
    out: list[tuple[str, str]] = []
    previous_emoji = joined = False
    previous_code = 0
    for ch in text:
        code = ord(ch)
        if code in _EMOJI_GLUE:
            joined = joined or code == 0x200D
            continue
        if ch in "\n\t":
            font, piece = base, ch
        elif _is_emoji(code) and code not in cover:
            flag_pair = _is_flag_half(code) and _is_flag_half(previous_code)
            previous_code = 0 if flag_pair else code
            if previous_emoji and (joined or flag_pair):
                joined = False
                continue  # one placeholder per emoji sequence (flags, ZWJ families)
            font, piece = base, EMOJI_PLACEHOLDER
        else:
            found = _font_for(code, base)
            if found is None:
                font = base
                piece = EMOJI_PLACEHOLDER if unicodedata.category(ch) == "So" else PLACEHOLDER
            else:
                font, piece = found, ch
        previous_emoji = piece == EMOJI_PLACEHOLDER
        joined = False
        if not previous_emoji:
            previous_code = 0
        if out and out[-1][0] == font:
            out[-1] = (font, out[-1][1] + piece)
        else:
            out.append((font, piece))
    return out


def markup(text: str, base: str = SANS) -> str:
    """Paragraph markup for user text: escaped, line breaks kept, fallback fonts per character."""
    return _markup(runs(text or "", base), base)


def visual_markup(visual: str, base: str = SANS) -> str:
    """Paragraph markup for text already in visual order (one line cut by the bidi paragraph)."""
    return _markup(_font_runs(visual, base), base)


def paragraph(text: str, style: ParagraphStyle, bold_prefix: str = "") -> Flowable:
    """The flowable for a paragraph of user text, with an optional bold label in front of it.

    Text with right-to-left letters is broken into lines in stored order before each line is reordered;
    everything else stays a plain Paragraph, exactly as before."""
    text = text or ""
    if not (has_rtl(text) or has_rtl(bold_prefix)):
        prefix = f"<b>{markup(bold_prefix)}</b> " if bold_prefix else ""
        return Paragraph(prefix + markup(text), style)
    from .bidi_paragraph import BidiParagraph  # it builds on this module, so it is imported late

    return BidiParagraph(text, style, bold_prefix)


def _markup(pieces: list[tuple[str, str]], base: str) -> str:
    parts = []
    for font, piece in pieces:
        piece = escape(piece).replace("\n", "<br/>").replace("\t", " ")
        parts.append(piece if font == base else f'<font name="{font}">{piece}</font>')
    return "".join(parts)


def plain(text: str, base: str = SANS) -> str:
    """The text as it will print (placeholders in place), for widths and canvas strings.

    Kept in stored order: callers truncate it and pass it back to draw_string, which reorders once."""
    return "".join(piece for _font, piece in _font_runs(text or "", base))


def draw_string(canvas, x: float, y: float, text: str, size: float, base: str = SANS,  # noqa: ANN001
                anchor: str = "left") -> float:
    """Draws text on a canvas switching faces per run; returns its width."""
    pieces = runs(text or "", base)
    width = sum(pdfmetrics.stringWidth(piece, font, size) for font, piece in pieces)
    if anchor == "right":
        x -= width
    elif anchor == "centre":
        x -= width / 2
    for font, piece in pieces:
        canvas.setFont(font, size)
        canvas.drawString(x, y, piece)
        x += pdfmetrics.stringWidth(piece, font, size)
    return width


def string_width(text: str, size: float, base: str = SANS) -> float:
    return sum(pdfmetrics.stringWidth(piece, font, size) for font, piece in runs(text or "", base))
