"""A paragraph that breaks Hebrew and Arabic text into lines in stored order, then draws each line in visual order."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.fonts import tt2ps
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph

from . import fonts
from .text_direction import is_rtl, visual_order

# The characters reportlab itself breaks lines at (its paragraph module's list, minus the line feed we
# turn into a forced break), so a line we build never holds a break point reportlab would use instead.
_SPACES = re.compile("[\t\x0b\x0c\r\x1c-\x1f \x85\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000]+")
_CLUSTER_GLUE = {"\u200c", "\u200d", "\ufe0e", "\ufe0f"}


@dataclass(frozen=True)
class Word:
    text: str  # stored order
    width: float  # as drawn, in points
    label: bool = False  # part of the bold label in front of the text


@dataclass
class Line:
    words: list[Word]
    rtl: bool  # the direction of the forced line (Unicode paragraph) it was cut from

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


class BidiParagraph(Flowable):
    """Lines are cut in reading order with the real glyph widths, so a long right-to-left quote starts on
    the top line; each line is then reordered on its own, and right-to-left paragraphs align right.

    Layout is delegated to a plain Paragraph holding one visual line per <br/>, built for the width offered."""

    def __init__(self, text: str, style: ParagraphStyle, bold_prefix: str = "") -> None:
        super().__init__()
        self.text, self.style, self.bold_prefix = text or "", style, bold_prefix
        self.rtl = bool(is_rtl(f"{bold_prefix} {self.text}"))
        self._bold = _bold_of(style.fontName)
        self._hard_lines = self._words()
        # Each forced line is a Unicode paragraph with its own direction; one with no letters (a time,
        # a price) follows the whole text.
        self._directions = [self.rtl if d is None else d
                            for d in (is_rtl(" ".join(w.text for w in words)) for words in self._hard_lines)]
        self._built: tuple[float, Paragraph] | None = None

    # ---- line breaking, in stored order ------------------------------------------------------------

    def _words(self) -> list[list[Word]]:
        """The text's forced lines, each as its words; the label opens the first line."""
        lines = [[Word(w, self._width(w, False)) for w in _SPACES.split(line) if w]
                 for line in self.text.split("\n")]
        label = [Word(w, self._width(w, True), True) for w in _SPACES.split(self.bold_prefix) if w]
        lines[0] = label + lines[0]
        return lines

    def _width(self, word: str, label: bool) -> float:
        return _word_width(word, self._bold if label else self.style.fontName, self.style.fontSize)

    def lines(self, avail_width: float) -> list[Line]:
        """The drawn lines, top to bottom, each with its words in stored order."""
        style = self.style
        width = avail_width - style.leftIndent - style.rightIndent
        first = width - style.firstLineIndent
        # Between label words the space is bold; a space in the wider face never lets a line overflow.
        space = max(stringWidth(" ", face, style.fontSize) for face in (style.fontName, self._bold))
        out: list[Line] = []
        for words, rtl in zip(self._hard_lines, self._directions, strict=True):
            line: list[Word] = []
            used = 0.0
            for word in (piece for w in words for piece in self._fit(w, min(width, first))):
                need = word.width if not line else used + space + word.width
                if line and need > (first if not out else width):
                    out.append(Line(line, rtl))
                    line, need = [], word.width
                line.append(word)
                used = need
            out.append(Line(line, rtl))
        return out

    def _fit(self, word: Word, width: float) -> list[Word]:
        """The word in pieces that each fit the line: cut between letters, never between a letter and its marks."""
        if word.width <= width:
            return [word]
        pieces: list[Word] = []
        current = ""
        for cluster in _clusters(word.text):
            if current and self._width(current + cluster, word.label) > width:
                pieces.append(Word(current, self._width(current, word.label), word.label))
                current = ""
            current += cluster
        pieces.append(Word(current, self._width(current, word.label), word.label))
        return pieces

    # ---- drawing, in visual order ------------------------------------------------------------------

    def visual_lines(self, avail_width: float) -> list[str]:
        """Each line's paragraph markup, left to right as drawn."""
        return [self._line_markup(line) for line in self.lines(avail_width)]

    @staticmethod
    def _line_markup(line: Line) -> str:
        # The line keeps its paragraph's direction even when it opens with a word of the other script.
        label = " ".join(w.text for w in line.words if w.label)
        body = " ".join(w.text for w in line.words if not w.label)
        parts = []
        if label:
            parts.append(f"<b>{fonts.visual_markup(visual_order(label, line.rtl))}</b>")
        if body:
            parts.append(fonts.visual_markup(visual_order(body, line.rtl)))
        # The label opens its paragraph, so it takes the line's start: the right end when RTL.
        return " ".join(reversed(parts) if line.rtl else parts)

    def paragraph_for(self, avail_width: float) -> Paragraph:
        """The plain Paragraph of visual lines that lays this one out at that width."""
        if self._built is None or self._built[0] != avail_width:
            style = self.style
            if self.rtl:
                style = ParagraphStyle(f"{style.name}-rtl", parent=style, alignment=TA_RIGHT)
            self._built = (avail_width, Paragraph("<br/>".join(self.visual_lines(avail_width)), style))
        return self._built[1]

    # ---- the Flowable protocol, delegated to the Paragraph for this width --------------------------

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803 - reportlab's names
        self.width, self.height = self.paragraph_for(availWidth).wrap(availWidth, availHeight)
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        # The parts are plain Paragraphs of visual lines; each line already fits, so they never re-wrap.
        return self.paragraph_for(availWidth).split(availWidth, availHeight)

    def drawOn(self, canvas, x: float, y: float, _sW: float = 0) -> None:  # noqa: ANN001, N802, N803
        # the width of the last wrap; reportlab's drawOn takes _sW, which its stubs leave out
        self.paragraph_for(self.width).drawOn(canvas, x, y, _sW)  # type: ignore[call-arg]

    def minWidth(self) -> float:  # noqa: N802
        return max((w.width for words in self._hard_lines for w in words), default=0.0)


@lru_cache(maxsize=8192)
def _word_width(word: str, base: str, size: float) -> float:
    # Measured as drawn: Arabic joined forms, placeholders and fallback faces have their own widths.
    # Cached because customers repeat their words, and a long appendix measures each one many times.
    return sum(stringWidth(piece, base if face == fonts.SANS else face, size) for face, piece in fonts.runs(word))


def _bold_of(font: str) -> str:
    """The face <b> switches this one to, as reportlab resolves it."""
    try:
        return tt2ps(font, 1, 0)
    except ValueError:
        return font


def _clusters(text: str) -> list[str]:
    """Letters with their combining marks and joiners, the smallest pieces a word may be cut into."""
    out: list[str] = []
    for ch in text:
        if out and (unicodedata.category(ch) in ("Mn", "Mc", "Me") or ch in _CLUSTER_GLUE):
            out[-1] += ch
        else:
            out.append(ch)
    return out
