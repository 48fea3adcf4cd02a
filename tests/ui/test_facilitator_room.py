"""The room's view in facilitator mode: a 1280x720 projector shows every step whole, and PageDown reaches it all."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from postmortem_desktop.domain.vocabulary import REVIEW_QUESTIONS
from ui.theme import PROJECTOR, theme_manager

PROJECTOR_SIZE = QSize(1280, 720)


@pytest.fixture
def facilitator(main_window):
    controller = main_window.facilitator
    before = theme_manager().snapshot()
    yield controller
    controller.stop()
    theme_manager().restore(before)


def press(qtbot, key) -> None:
    target = QApplication.focusWidget() or QApplication.activeWindow()
    qtbot.keyClick(target, key)


def window_rect(widget: QWidget, window: QWidget) -> QRect:
    return QRect(widget.mapTo(window, widget.rect().topLeft()), widget.size())


def clipped(label: QLabel) -> str:
    """Why the label's text does not fit in it, or "" when it does (measured with its own font metrics)."""
    text = label.text()
    if label.buddy() is not None:  # "&Notes:" shows as "Notes:" with N underlined
        text = text.replace("&&", "\0").replace("&", "").replace("\0", "&")
    if not text:
        return ""
    room = label.contentsRect()
    if label.wordWrap():
        need = label.heightForWidth(label.width())
        return f"needs {need} px of height, has {label.height()}" if need > label.height() else ""
    metrics = label.fontMetrics()
    widest = max(metrics.horizontalAdvance(line) for line in text.split("\n"))
    if widest > room.width():
        return f"needs {widest} px of width, has {room.width()}"
    if metrics.height() * len(text.split("\n")) > room.height():
        return f"needs {metrics.height()} px of height, has {room.height()}"
    return ""


def problems_on_screen(window, facilitator) -> list[str]:
    """Every label the room can see that is cut, runs off the screen or lies over another one."""
    found = []
    screen = window.rect()
    parts = [facilitator.header, facilitator.notes, facilitator.stage.currentWidget()]
    placed = []
    for part in parts:
        area = window_rect(part, window)
        for label in part.findChildren(QLabel):
            if not label.isVisibleTo(window) or not (label.text() or not label.pixmap().isNull()):
                continue
            rect = window_rect(label, window)
            name = f"{label.objectName() or 'label'} {label.text()[:40]!r}"
            if reason := clipped(label):
                found.append(f"{name} is clipped: {reason}")
            if not screen.contains(rect) or not area.contains(rect):
                found.append(f"{name} at {rect.getRect()} runs out of its part at {area.getRect()}")
            placed.append((name, rect))
    for n, (name, rect) in enumerate(placed):
        for other, other_rect in placed[n + 1:]:
            if rect.intersects(other_rect):
                found.append(f"{name} overlaps {other}")
    return found


def settle(qtbot, facilitator) -> None:
    """Lets the window take its size and the room view lay its pages out again."""
    qtbot.wait(10)
    qtbot.waitUntil(lambda: not facilitator.room._relayout.isActive())
    QApplication.processEvents()


def test_whole_session_at_1280x720_fits_and_every_question_is_reached_by_page_down(main_window, facilitator, qtbot):
    window = main_window
    qtbot.waitExposed(window)
    window.activateWindow()
    with qtbot.waitSignal(facilitator.mode_started):
        press(qtbot, Qt.Key.Key_F5)
    # the test platform's screen is not a projector's: make the window the projector's size instead
    window.showNormal()
    window.setGeometry(QRect(0, 0, PROJECTOR_SIZE.width(), PROJECTOR_SIZE.height()))
    qtbot.waitUntil(lambda: window.size() == PROJECTOR_SIZE)
    questions_seen, visited, problems = [], [], []
    while True:
        settle(qtbot, facilitator)
        where = (facilitator.index, facilitator.room.page)
        visited.append(where)
        problems += [f"step {where[0] + 1} page {where[1] + 1}: {p}" for p in problems_on_screen(window, facilitator)]
        lead = facilitator.room.findChildren(QLabel, "facilitator_room_lead")
        questions_seen += [label.text() for label in lead if label.isVisibleTo(window)]
        press(qtbot, Qt.Key.Key_PageDown)
        if (facilitator.index, facilitator.room.page) == where:
            break
    assert window.size() == PROJECTOR_SIZE
    assert problems == [], "\n".join(problems)
    assert [index for index, _page in visited] == sorted(index for index, _page in visited)
    assert {index for index, _page in visited} == set(range(len(facilitator.agenda.steps)))
    for _key, question in REVIEW_QUESTIONS:
        assert question in questions_seen


def test_page_up_at_a_step_start_returns_to_the_last_page_of_the_step_before(facilitator, qtbot):
    facilitator.start()
    settle(qtbot, facilitator)
    first_step_pages = facilitator.room.page_count()
    for _press in range(first_step_pages):
        facilitator.next_step()
    assert (facilitator.index, facilitator.room.page) == (1, 0)
    facilitator.previous_step()
    assert (facilitator.index, facilitator.room.page) == (0, first_step_pages - 1)


def test_f7_shows_the_editing_screen_and_an_answer_saved_there_shows_in_the_room(main_window, facilitator, qtbot):
    from postmortem_desktop.services.review_answers import SetReviewAnswer

    qtbot.waitExposed(main_window)
    main_window.activateWindow()
    facilitator.start()
    facilitator.go_to(facilitator.agenda.index_of("questions"))
    settle(qtbot, facilitator)
    assert facilitator.stage.currentWidget() is facilitator.room
    press(qtbot, Qt.Key.Key_F7)
    assert facilitator.stage.currentWidget() is not facilitator.room
    assert main_window.screens.currentWidget() is main_window.screen_widgets["review"]
    main_window.hub.run(SetReviewAnswer(main_window.incident_id, "task", "Sending the noon invoice"))
    press(qtbot, Qt.Key.Key_F7)
    settle(qtbot, facilitator)
    assert facilitator.stage.currentWidget() is facilitator.room
    answers = [label.text() for label in facilitator.room.findChildren(QLabel, "facilitator_room_text")
               if label.isVisibleTo(main_window)]
    assert "Sending the noon invoice" in answers


def test_a_larger_font_while_running_lays_the_pages_out_again_with_nothing_cut(main_window, facilitator, qtbot):
    window = main_window
    qtbot.waitExposed(window)
    facilitator.start()
    window.showNormal()
    window.setGeometry(QRect(0, 0, PROJECTOR_SIZE.width(), PROJECTOR_SIZE.height()))
    qtbot.waitUntil(lambda: window.size() == PROJECTOR_SIZE)
    facilitator.go_to(facilitator.agenda.index_of("board"))
    settle(qtbot, facilitator)
    pages_before = facilitator.room.page_count()
    manager = theme_manager()
    system_font = QFont(manager.base_font)
    try:
        manager.base_font.setPointSizeF(system_font.pointSizeF() * 1.3)  # a larger desktop font, applied
        manager.apply(PROJECTOR)
        settle(qtbot, facilitator)
        assert facilitator.room.page_count() > pages_before
        for _page in range(facilitator.room.page_count()):
            assert problems_on_screen(window, facilitator) == []
            facilitator.next_step()
            settle(qtbot, facilitator)
    finally:
        manager.base_font = system_font


def test_a_board_search_left_from_editing_does_not_filter_what_the_room_sees(main_window, facilitator, qtbot):
    from postmortem_desktop.reporting.report_data import gather

    board = main_window.show_screen("board")
    board.reload()
    with qtbot.waitSignal(board.cards_shown, timeout=5000):
        qtbot.keyClicks(board.filter_bar.search, "card")
    assert "of" in board.status.text()  # the board itself is narrowed: "n of m cards"
    facilitator.start()
    facilitator.go_to(facilitator.agenda.index_of("board"))
    settle(qtbot, facilitator)
    counted = [t for t in gather(main_window.session.workspace, main_window.incident_id).tag_counts if t.count]
    headings = [b.heading for slide in facilitator.room.slides for b in slide.blocks if b.heading]
    assert sorted(h.split(" · ")[0] for h in headings) == sorted(t.name for t in counted)
    for tag in counted:
        assert any(h.startswith(f"{tag.name} · {tag.count} quote") for h in headings)


def test_f7_on_the_board_step_opens_the_board_scrolled_to_its_first_column_and_top(main_window, facilitator, qtbot):
    window = main_window
    qtbot.waitExposed(window)
    window.activateWindow()
    with qtbot.waitSignal(facilitator.mode_started):
        press(qtbot, Qt.Key.Key_F5)
    window.showNormal()
    window.setGeometry(QRect(0, 0, PROJECTOR_SIZE.width(), PROJECTOR_SIZE.height()))
    qtbot.waitUntil(lambda: window.size() == PROJECTOR_SIZE)
    facilitator.go_to(facilitator.agenda.index_of("board"))
    settle(qtbot, facilitator)
    press(qtbot, Qt.Key.Key_F7)
    settle(qtbot, facilitator)
    grid = window.screen_widgets["board"].grid
    assert window.screens.currentWidget() is window.screen_widgets["board"]
    assert grid.horizontalScrollBar().maximum() > 0  # the board is wider than the projector: the test means something
    assert (grid.horizontalScrollBar().value(), grid.verticalScrollBar().value()) == (0, 0)
    first = grid.all_views()[0]
    assert first.verticalScrollBar().value() == 0


def test_step_one_shows_the_timeline_on_its_first_page_at_1280x720_with_the_harm_line_after_it(
        main_window, facilitator, qtbot):
    window = main_window
    qtbot.waitExposed(window)
    window.activateWindow()
    with qtbot.waitSignal(facilitator.mode_started):
        press(qtbot, Qt.Key.Key_F5)
    window.showNormal()
    window.setGeometry(QRect(0, 0, PROJECTOR_SIZE.width(), PROJECTOR_SIZE.height()))
    qtbot.waitUntil(lambda: window.size() == PROJECTOR_SIZE)
    settle(qtbot, facilitator)
    pages = facilitator.room.pages
    assert facilitator.index == 0 and facilitator.room.page == 0
    # the timeline is not a page of its own (page 1 was mostly empty), and it keeps a readable height
    assert [b.kind for b in pages[0].blocks][-1] == "picture"
    assert pages[0].picture_height >= facilitator.room._room()[1] * 0.6
    assert "Harm on the board" in [b.heading for page in pages for b in page.blocks]  # nothing dropped
    assert problems_on_screen(window, facilitator) == []
