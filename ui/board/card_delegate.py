"""Paints a quote card: the quote, who/where/when, tag badges and ghost badges for suggestions."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPen, QPixmap, QTextLayout, QTextOption
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from postmortem_desktop.domain.contrast import best_text_on
from postmortem_desktop.services.quotes import BoardCard, CardTag
from postmortem_desktop.services.tagging import tag_color_hex, untagged_color_hex

from ..text_offsets import utf16_to_index
from ..time_display import display_zone
from .card_model import CARD_ROLE
from .suggestion_text import ghost_label

PAD = 10
GAP = 5
TEXT_LINES = 3
STRIPE = 6
#: the memory painted card faces may keep for repainting: a face is about 150 KB, four times that on a display at
#: twice the pixels, so about 300 faces (75 at twice the pixels): a 1920x1080 board shows well under a hundred
FACES_BYTES = 48 * 1024 * 1024


def readable_text_color(fill: QColor) -> QColor:
    """Black or white, whichever contrasts more with the fill (badges must be legible on a projector)."""
    return QColor(best_text_on(fill.name()))


@dataclass(frozen=True)
class GhostHit:
    tag_id: int
    accept: bool  # False: the × that dismisses


class BoardCardDelegate(QStyledItemDelegate):
    """Fixed-height cards (uniform sizes keep 5,000-card columns fast to lay out and scroll)."""

    #: a ghost badge was clicked: (quote id, tag id, True to accept / False to dismiss)
    suggestion_clicked = Signal(int, int, bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.zone_name = "UTC"
        self.colors: dict[int, int] = {}  # tag id -> palette index
        self._zone = display_zone("UTC")
        self._wrap_cache: dict[tuple[int, int, str, str], list[str]] = {}
        #: painted faces: {what the face depends on: (the card it shows, the picture)}, oldest first
        self._faces: dict[tuple, tuple[BoardCard, QPixmap]] = {}
        self._faces_bytes = 0
        self._colors_version = 0
        self.hide_low_confidence = True  # follows the hub's switch
        #: suggestions offer accept (+) and dismiss (×) where a decision can be made: not on a read-only workspace
        self.offers_decisions = True
        #: the board search's words (lower case); a card without them all in its text matched through its conversation
        self.search_words: list[str] = []

    def set_zone(self, zone_name: str) -> None:
        self.zone_name = zone_name
        self._zone = display_zone(zone_name)

    def set_tag_colors(self, colors: dict[int, int]) -> None:
        self.colors = dict(colors)
        self._colors_version += 1

    def tag_color(self, tag_id: int | None) -> QColor:
        if tag_id is None or tag_id not in self.colors:
            return QColor(untagged_color_hex())
        return QColor(tag_color_hex(self.colors[tag_id]))

    # ---- geometry ---------------------------------------------------------------------------------
    @staticmethod
    def _fonts(option: QStyleOptionViewItem) -> tuple[QFont, QFont, QFont]:
        body = QFont(option.font)
        meta = QFont(option.font)
        meta.setPointSizeF(max(9.0, option.font.pointSizeF() * 0.85))
        badge = QFont(meta)
        badge.setBold(True)
        return body, meta, badge

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        body, meta, badge = self._fonts(option)
        height = (PAD + TEXT_LINES * QFontMetrics(body).lineSpacing() + GAP + QFontMetrics(meta).height()
                  + 2 * (GAP + self._badge_height(badge)) + PAD)
        return QSize(max(200, option.rect.width()), height + 2 * 3)

    @staticmethod
    def _badge_height(badge_font: QFont) -> int:
        return QFontMetrics(badge_font).height() + 6

    def _card_rect(self, option: QStyleOptionViewItem) -> QRect:
        return option.rect.adjusted(4, 3, -4, -3)

    def _badge_rows(self, option: QStyleOptionViewItem, card: BoardCard) -> tuple[list, list]:
        """[(rect, tag)] for applied badges and [(rect, close_rect, tag, label)] for ghost badges."""
        body, meta, badge = self._fonts(option)
        rect = self._card_rect(option)
        fm = QFontMetrics(badge)
        height = self._badge_height(badge)
        left, right = rect.left() + PAD + STRIPE, rect.right() - PAD
        top = (rect.top() + PAD + TEXT_LINES * QFontMetrics(body).lineSpacing() + GAP
               + QFontMetrics(meta).height() + GAP)
        applied, x = [], left
        for tag in card.tags:
            width = fm.horizontalAdvance(tag.name) + 14
            if x + width > right:
                break
            applied.append((QRect(x, top, width, height), tag))
            x += width + GAP
        ghosts, x, top = [], left, top + height + GAP
        for tag in card.shown_suggestions(self.hide_low_confidence):
            close_w = fm.horizontalAdvance("×") + 10 if self.offers_decisions else 0
            room = right - x - close_w - 14
            if room < 60:
                break
            label = fm.elidedText(ghost_label(tag, self.offers_decisions), Qt.TextElideMode.ElideRight, room)
            width = fm.horizontalAdvance(label) + 14 + close_w
            badge_rect = QRect(x, top, width, height)
            ghosts.append((badge_rect, QRect(badge_rect.right() - close_w, top, close_w, height), tag, label))
            x += width + GAP
        return applied, ghosts

    def hit_ghost(self, option: QStyleOptionViewItem, card: BoardCard, pos) -> GhostHit | None:  # noqa: ANN001
        if not self.offers_decisions:
            return None  # a badge to read, not to click
        for badge_rect, close_rect, tag, _label in self._badge_rows(option, card)[1]:
            if close_rect.contains(pos):
                return GhostHit(tag.tag_id, False)
            if badge_rect.contains(pos):
                return GhostHit(tag.tag_id, True)
        return None

    # ---- painting ---------------------------------------------------------------------------------
    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        """Draws the card's face, painted once and kept: a filter, a drag or a scroll shows mostly cards
        painted before, and drawing a kept picture costs a fraction of laying out its text again."""
        card: BoardCard | None = index.data(CARD_ROLE)
        if card is None:
            return
        ratio = painter.device().devicePixelRatioF() if painter.device() is not None else 1.0
        key = self._face_key(option, card, ratio)
        kept = self._faces.pop(key, None)
        if kept is not None:
            self._faces_bytes -= _bytes(kept[1])
        # a changed card is a new BoardCard: a face kept for the old one is painted again
        face = kept[1] if kept is not None and kept[0] is card else self._paint_face(option, card, ratio)
        self._faces[key] = (card, face)  # the most recently shown last
        self._faces_bytes += _bytes(face)
        while self._faces_bytes > FACES_BYTES and len(self._faces) > 1:  # the longest unseen go first
            self._faces_bytes -= _bytes(self._faces.pop(next(iter(self._faces)))[1])
        painter.drawPixmap(option.rect.topLeft(), face)

    def _face_key(self, option: QStyleOptionViewItem, card: BoardCard, ratio: float) -> tuple:
        """Everything a face depends on besides the card itself (see paint_card)."""
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        # the palette's colours depend on its group too (an inactive window's selection, a disabled view),
        # which its cacheKey does not include
        return (card.quote_id, option.rect.width(), option.rect.height(), ratio, selected,
                option.palette.cacheKey(), option.palette.currentColorGroup(), option.font.key(), self.zone_name,
                self.hide_low_confidence, self.offers_decisions, self._colors_version,
                self.matched_in_conversation(card))

    def _paint_face(self, option: QStyleOptionViewItem, card: BoardCard, ratio: float) -> QPixmap:
        face = QPixmap(round(option.rect.width() * ratio), round(option.rect.height() * ratio))
        face.setDevicePixelRatio(ratio)
        face.fill(option.palette.base().color())  # the column's own background, under the rounded corners
        local = QStyleOptionViewItem(option)
        local.rect = QRect(0, 0, option.rect.width(), option.rect.height())
        painter = QPainter(face)
        try:
            self.paint_card(painter, local, card)
        finally:
            painter.end()
        return face

    def paint_card(self, painter: QPainter, option: QStyleOptionViewItem, card: BoardCard) -> None:
        """Paints the whole card in option.rect."""
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = self._card_rect(option)
        self._paint_frame(painter, option, rect, card)
        body, meta, badge = self._fonts(option)
        text_rect = QRect(rect.left() + PAD + STRIPE, rect.top() + PAD, rect.width() - 2 * PAD - STRIPE,
                          TEXT_LINES * QFontMetrics(body).lineSpacing())
        painter.setFont(body)
        painter.setPen(option.palette.text().color())
        self._paint_text(painter, body, text_rect, card)
        painter.setFont(meta)
        painter.setPen(option.palette.placeholderText().color())
        meta_rect = QRect(text_rect.left(), text_rect.bottom() + GAP, text_rect.width(), QFontMetrics(meta).height())
        left, when = self.meta_texts(card, QFontMetrics(meta), meta_rect.width())
        painter.drawText(meta_rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, when)
        painter.drawText(meta_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, left)
        painter.setFont(badge)
        self._paint_badges(painter, option, card)
        painter.restore()

    def _paint_frame(self, painter: QPainter, option: QStyleOptionViewItem, rect: QRect, card: BoardCard) -> None:
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        base = option.palette.base().color()
        fill = base.darker(108) if card.pre_existing else base
        path = QPainterPath()
        path.addRoundedRect(QRectF(rect), 6, 6)
        painter.fillPath(path, fill)
        pen = QPen(option.palette.highlight().color(), 3) if selected else QPen(option.palette.mid().color(), 1)
        if card.pre_existing and not selected:
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.drawPath(path)
        stripe = QRectF(rect.left() + 1.5, rect.top() + 1.5, STRIPE, rect.height() - 3)
        painter.fillRect(stripe, self.tag_color(card.tags[0].tag_id if card.tags else None))

    def text_lines(self, card: BoardCard, font: QFont, width: int) -> list[str]:
        """The card's face text wrapped to the width in the font, elided on its last line (cached)."""
        # the font is part of the key: a theme or font change (the projector's larger type) must
        # re-wrap, or lines wrapped for the smaller font run past the card's edge without an ellipsis
        key = (card.quote_id, width, card.shown_text, font.key())
        lines = self._wrap_cache.get(key)
        if lines is None:
            lines = wrap_text(card.shown_text, font, width, TEXT_LINES)
            if len(self._wrap_cache) > 20_000:
                self._wrap_cache.clear()
            self._wrap_cache[key] = lines
        return lines

    def _paint_text(self, painter: QPainter, font: QFont, rect: QRect, card: BoardCard) -> None:
        lines = self.text_lines(card, font, rect.width())
        spacing = QFontMetrics(font).lineSpacing()
        for n, line in enumerate(lines):
            painter.drawText(QRect(rect.left(), rect.top() + n * spacing, rect.width(), spacing),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, line)

    def _paint_badges(self, painter: QPainter, option: QStyleOptionViewItem, card: BoardCard) -> None:
        applied, ghosts = self._badge_rows(option, card)
        for rect, tag in applied:
            fill = self.tag_color(tag.tag_id)
            path = QPainterPath()
            path.addRoundedRect(QRectF(rect), rect.height() / 2, rect.height() / 2)
            painter.fillPath(path, fill)
            painter.setPen(readable_text_color(fill))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, tag.name)
        text_color = option.palette.text().color()
        for rect, close_rect, tag, label in ghosts:
            pen = QPen(self.tag_color(tag.tag_id), 2, Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(QRectF(rect).adjusted(1, 1, -1, -1), rect.height() / 2, rect.height() / 2)
            painter.setPen(text_color)
            painter.drawText(rect.adjusted(7, 0, -close_rect.width(), 0),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, label)
            if close_rect.width():
                painter.drawText(close_rect, Qt.AlignmentFlag.AlignCenter, "×")

    def meta_line(self, card: BoardCard, with_time: bool = True) -> str:
        when = _format_time(card.at, self._zone) if with_time else ""
        parts = [card.customer or "unknown customer", card.segment, card.channel, when]
        if self.matched_in_conversation(card):  # first: the reason a search shows this card
            parts.insert(0, "in its conversation")
        if card.pre_existing:
            parts.append("pre-existing")
        return " · ".join(p for p in parts if p)

    def meta_texts(self, card: BoardCard, metrics: QFontMetrics, width: int) -> tuple[str, str]:
        """The meta line as drawn in a width: (who/where, elided at the right; the time, at the right).

        The time keeps its place unless the card was found through its conversation: then the reason
        takes the whole line, so a narrow card never cuts it to "found in…".
        """
        when = "" if self.matched_in_conversation(card) else _format_time(card.at, self._zone)
        room = width - (metrics.horizontalAdvance(when) + 8 if when else 0)
        return metrics.elidedText(self.meta_line(card, with_time=False), Qt.TextElideMode.ElideRight, room), when

    def matched_in_conversation(self, card: BoardCard) -> bool:
        """A search is on and the card's own text lacks a word: it was found through its conversation."""
        return bool(self.search_words) and not card.has_words(self.search_words)

    # ---- clicks on ghost badges ------------------------------------------------------------------
    def editorEvent(self, event, model, option, index) -> bool:  # noqa: ANN001
        if event.type() == QEvent.Type.MouseButtonRelease and event.button() == Qt.MouseButton.LeftButton:
            card: BoardCard | None = index.data(CARD_ROLE)
            if card is not None and card.shown_suggestions(self.hide_low_confidence):
                hit = self.hit_ghost(option, card, event.position().toPoint())
                if hit is not None:
                    self.suggestion_clicked.emit(card.quote_id, hit.tag_id, hit.accept)
                    return True
        return super().editorEvent(event, model, option, index)


def wrap_text(text: str, font: QFont, width: int, max_lines: int) -> list[str]:
    """Word-wrapped lines of text, the last one elided when the text is longer."""
    flat = " ".join(text.split())
    layout = QTextLayout(flat, font)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    layout.setTextOption(option)
    lines: list[str] = []
    layout.beginLayout()
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(width)
        line.setPosition(QPointF(0, 0))
        start = utf16_to_index(flat, line.textStart())
        lines.append(flat[start:utf16_to_index(flat, line.textStart() + line.textLength())])
        if len(lines) > max_lines:
            break
    layout.endLayout()
    if len(lines) > max_lines:
        last = flat[len("".join(lines[:max_lines - 1])):]
        lines = lines[:max_lines - 1] + [QFontMetrics(font).elidedText(last, Qt.TextElideMode.ElideRight, width)]
    return [line.rstrip() for line in lines]


def _bytes(face: QPixmap) -> int:
    return face.width() * face.height() * 4


def _format_time(value: datetime | None, zone) -> str:  # noqa: ANN001
    if value is None:
        return ""
    return value.astimezone(zone).strftime("%b %d %H:%M")


__all__ = ["BoardCardDelegate", "CardTag", "GhostHit", "readable_text_color", "wrap_text"]
