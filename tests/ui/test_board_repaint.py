"""A filter change lays the board out and paints it once, and reuses what did not change (its lanes, its
column widths): on a 100k board each extra pass over the cards cost as much as the search itself."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication

from ui.board.board_grid import PRE_EXISTING_LANE
from ui.board.card_model import CARD_ROLE


class ViewportPaints(QObject):
    """Counts paint events per card view's viewport, per event-loop pass."""

    def __init__(self, board):
        super().__init__()
        self.board = board
        self.count = 0
        QApplication.instance().installEventFilter(self)

    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and any(watched is v.viewport() for v in self.board.grid.views.values()):
            self.count += 1
        return False

    def passes_until_idle(self) -> list[int]:
        """The views painted in each event-loop pass that painted any, until three passes in a row paint none."""
        painted, idle = [], 0
        for _ in range(20):
            self.count = 0
            QApplication.processEvents()
            idle = 0 if self.count else idle + 1
            if self.count:
                painted.append(self.count)
            if idle == 3:
                return painted
        raise AssertionError(f"the board kept painting: {painted}")

    def close(self):
        QApplication.instance().removeEventFilter(self)


@pytest.fixture
def board(main_window, qtbot):
    screen = main_window.show_screen("board")
    if screen.model.rowCount() == 0:
        screen.reload()
    main_window.showNormal()
    main_window.resize(1600, 900)
    qtbot.waitUntil(lambda: screen.grid.viewport().width() > 900)
    QApplication.processEvents()
    assert any(c.pre_existing for c in screen.model.cards), "the demo needs pre-existing cards for the lane tests"
    return screen


@pytest.fixture
def paints(board):
    counter = ViewportPaints(board)
    counter.passes_until_idle()  # whatever the window still had to paint
    yield counter
    counter.close()


def _visible_views(board):
    return [v for v in board.grid.views.values() if v.isVisible()]


@pytest.mark.parametrize("change", ["search", "tag", "channel", "scope"])
def test_a_filter_change_paints_each_shown_card_view_once(board, paints, change):
    bar = board.filter_bar
    if change == "search":
        word = board.model.cards[0].text.split()[0]
        bar.search.setText(word)
    elif change == "tag":
        bar.tag.setCurrentIndex(2)  # Unsorted
    elif change == "channel":
        bar.channel.setCurrentIndex(1)
    else:
        bar.scope.setCurrentIndex(1)  # incident damage only: the pre-existing lane goes
    bar.apply_now()
    painted = paints.passes_until_idle()
    # one pass, and no view twice in it (laid out before the window's paint, not after it)
    assert len(painted) == 1 and painted[0] <= len(_visible_views(board)), painted


def test_switching_the_pre_existing_lane_off_and_on_reuses_its_card_views(board):
    scope = board.filter_bar.scope
    before = dict(board.grid.views)
    assert any(key[0] == PRE_EXISTING_LANE for key in before)
    scope.setCurrentIndex(1)  # incident damage only
    assert not any(key[0] == PRE_EXISTING_LANE for key in board.grid.views)
    assert all(board.grid.views[key] is view for key, view in before.items() if key[0] != PRE_EXISTING_LANE)
    scope.setCurrentIndex(0)
    QApplication.processEvents()
    assert board.grid.views == before  # the very same views, not new ones
    assert all(v.isVisible() for v in board.grid.views.values())
    pre = [v for (lane, _tag), v in board.grid.views.items() if lane == PRE_EXISTING_LANE]
    assert sum(v.model().rowCount() for v in pre) == sum(1 for c in board.model.cards if c.pre_existing)


def test_a_lane_out_of_sight_keeps_no_selection(board):
    from PySide6.QtCore import QItemSelectionModel

    pre = next(v for (lane, _tag), v in board.grid.views.items() if lane == PRE_EXISTING_LANE and v.model().rowCount())
    pre.selectionModel().setCurrentIndex(pre.model().index(0, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect)
    board.filter_bar.scope.setCurrentIndex(1)
    assert not pre.selectionModel().hasSelection()
    assert board.selected_cards() == []


def test_a_search_does_not_move_the_columns(board):
    geometry = {tag: h.geometry() for tag, h in board.grid.headers.items()}
    board.filter_bar.search.setText(board.model.cards[0].text.split()[0])
    board.filter_bar.apply_now()
    QApplication.processEvents()
    assert {tag: h.geometry() for tag, h in board.grid.headers.items()} == geometry
    board.filter_bar.search.setText("")
    board.filter_bar.apply_now()
    QApplication.processEvents()
    assert {tag: h.geometry() for tag, h in board.grid.headers.items()} == geometry


def test_a_card_face_is_painted_again_only_when_what_it_shows_changes(board, monkeypatch):
    """Faces are kept for repainting; a changed card, selection, tag colour or search reason paints anew."""
    from dataclasses import replace

    from PySide6.QtGui import QImage, QPainter, QPalette
    from PySide6.QtWidgets import QStyle, QStyleOptionViewItem

    delegate = board.delegate
    painted = []
    paint_card = delegate.paint_card
    monkeypatch.setattr(delegate, "paint_card", lambda *args: (painted.append(args[2].quote_id), paint_card(*args)))
    view = next(v for v in _visible_views(board) if v.model().rowCount())
    index = view.model().index(0, 0)
    card = index.data(CARD_ROLE)
    image = QImage(600, 400, QImage.Format.Format_ARGB32)

    def paint(selected=False, inactive=False):
        option = QStyleOptionViewItem()
        view.initViewItemOption(option)
        option.rect = view.visualRect(index).translated(0, -view.visualRect(index).top())
        if selected:
            option.state |= QStyle.StateFlag.State_Selected
        if inactive:  # the window lost the focus: the selection frame takes the inactive colours
            option.palette.setCurrentColorGroup(QPalette.ColorGroup.Inactive)
        painter = QPainter(image)
        delegate.paint(painter, option, index)
        painter.end()
        return len(painted)

    first = paint()
    assert paint() == first  # the same card again: its kept face
    assert paint(selected=True) == first + 1  # the selection frame
    assert paint(selected=True, inactive=True) == first + 2  # in the inactive window's colours
    delegate.set_tag_colors(dict(delegate.colors))
    assert paint() == first + 3  # the colours may differ
    board.model.replace_cards([replace(card, text=card.text + " and more")])
    assert paint() == first + 4  # a changed card is a new one
    delegate.search_words = ["zzzz-not-in-the-card"]
    assert paint() == first + 5  # now shown as found "in its conversation"
    assert painted[-1] == card.quote_id


def test_kept_faces_stay_within_their_memory_and_the_longest_unseen_go_first(board, monkeypatch):
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtWidgets import QStyleOptionViewItem

    import ui.board.card_delegate as faces

    delegate = board.delegate
    view = next(v for v in _visible_views(board) if v.model().rowCount() >= 3)
    image = QImage(600, 400, QImage.Format.Format_ARGB32)
    rect = view.visualRect(view.model().index(0, 0))
    one_face = rect.width() * rect.height() * 4
    monkeypatch.setattr(faces, "FACES_BYTES", 2 * one_face)  # room for two faces
    delegate._faces.clear()
    delegate._faces_bytes = 0
    for row in range(3):
        option = QStyleOptionViewItem()
        view.initViewItemOption(option)
        option.rect = rect
        painter = QPainter(image)
        delegate.paint(painter, option, view.model().index(row, 0))
        painter.end()
    kept = [card.quote_id for card, _face in delegate._faces.values()]
    assert kept == [view.model().index(row, 0).data(CARD_ROLE).quote_id for row in (1, 2)]
    assert delegate._faces_bytes == 2 * one_face
