"""Board cards follow a theme or font change: quotes re-wrap to the new type and the cards grow with it."""
from __future__ import annotations

from contextlib import contextmanager

from PySide6.QtCore import QRect
from PySide6.QtGui import QFont, QFontMetrics, QImage, QPainter
from PySide6.QtWidgets import QApplication, QStyleOptionViewItem

from ui.board.card_model import CARD_ROLE
from ui.theme import PROJECTOR, theme_manager


@contextmanager
def recorded_texts():
    """Every piece of text drawn meanwhile, with its rectangle and font: the delegate paints a card's face
    into a picture of its own, so what it draws is recorded on any painter, not only the one handed to it."""
    texts: list[tuple[str, QRect, QFontMetrics]] = []
    original = QPainter.drawText

    def recording(painter, *args):
        if isinstance(args[0], QRect) and isinstance(args[-1], str):
            texts.append((args[-1], QRect(args[0]), QFontMetrics(painter.font())))
        return original(painter, *args)

    QPainter.drawText = recording
    try:
        yield texts
    finally:
        QPainter.drawText = original


def painted_quote_lines(view, row, font=None):
    """The lines of the card's quote as the delegate paints them in the view's current font (or the one given)."""
    index = view.model().index(row, 0)
    option = QStyleOptionViewItem()
    view.initViewItemOption(option)
    option.rect = view.visualRect(index)
    if font is not None:
        option.font = font
    image = QImage(option.rect.width() + 10, option.rect.bottom() + 10, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    with recorded_texts() as texts:
        view.itemDelegate().paint(painter, option, index)
    painter.end()
    words = set(index.data(CARD_ROLE).text.split())
    return [(text, rect, fm) for text, rect, fm in texts if set(text.rstrip("…").split()) & words]


def test_projector_theme_rewraps_card_quotes_with_an_ellipsis_and_taller_cards(main_window, qtbot):
    board = main_window.show_screen("board")
    if board.model.rowCount() == 0:
        board.reload()
    view = next(v for v in board.grid.views.values() if v.model().rowCount() > 0)
    rows = range(view.model().rowCount())
    for row in rows:  # painted once in the ordinary font, as when the person edited the board
        painted_quote_lines(view, row)
    font_before = view.font().pointSizeF()
    before = theme_manager().snapshot()
    try:
        theme_manager().apply(PROJECTOR)
        QApplication.processEvents()
        assert view.font().pointSizeF() > font_before  # the cards take the projector's larger type
        option = QStyleOptionViewItem()
        view.initViewItemOption(option)
        card_height = view.itemDelegate().sizeHint(option, view.model().index(0, 0)).height()
        assert view.visualRect(view.model().index(0, 0)).height() == card_height
        for row in rows:
            for text, rect, metrics in painted_quote_lines(view, row):
                assert metrics.horizontalAdvance(text) <= rect.width(), f"cut without an ellipsis: {text!r}"
    finally:
        theme_manager().restore(before)


def test_a_card_painted_again_in_larger_type_is_rewrapped_at_the_same_width(main_window):
    board = main_window.show_screen("board")
    if board.model.rowCount() == 0:
        board.reload()
    view = next(v for v in board.grid.views.values() if v.model().rowCount() > 0)
    small = QFont(view.font())
    large = QFont(small)
    large.setPointSizeF(small.pointSizeF() * 1.4)  # the projector's scale
    for row in range(view.model().rowCount()):
        painted_quote_lines(view, row, small)
        lines = painted_quote_lines(view, row, large)
        assert lines
        for text, rect, metrics in lines:
            assert metrics.horizontalAdvance(text) <= rect.width(), f"cut without an ellipsis: {text!r}"
