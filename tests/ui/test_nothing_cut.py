"""Every screen at 1280x720 in projector type, with a conversation open beside it: no button, label or
column header has its text cut, unless it says the whole text in a tooltip (an elided title does)."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QHeaderView,
    QLabel,
    QStyle,
    QStyleOptionHeader,
    QTabWidget,
    QWidget,
)

from ui.theme import PROJECTOR, theme_manager


def shown_text(text: str) -> str:
    """A mnemonic's "&" is not drawn: "&Save" shows as "Save"."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def where(widget: QWidget) -> str:
    return f"{type(widget).__name__} {widget.objectName() or ''}"


def cut_label(label: QLabel) -> str:
    if not label.text() or label.pixmap() is not None and not label.pixmap().isNull():
        return ""
    if label.wordWrap():
        need = label.heightForWidth(label.width())
        return f"needs {need} px of height, has {label.height()}" if need > label.height() else ""
    need = label.sizeHint().width()
    return f"needs {need} px of width, has {label.width()}" if need > label.width() else ""


def cut_button(button: QAbstractButton) -> str:
    if not button.text():
        return ""
    need = button.sizeHint().width()
    return f"needs {need} px of width, has {button.width()}" if need > button.width() else ""


def cut_sections(header: QHeaderView) -> list[str]:
    model = header.model()
    if model is None:
        return []
    found = []
    for section in range(header.count()):
        if header.isSectionHidden(section) or header.sectionSize(section) == 0:
            continue
        text = model.headerData(section, header.orientation(), Qt.ItemDataRole.DisplayRole)
        tip = model.headerData(section, header.orientation(), Qt.ItemDataRole.ToolTipRole)
        if not text or tip:
            continue
        option = QStyleOptionHeader()
        header.initStyleOptionForIndex(option, section) if hasattr(header, "initStyleOptionForIndex") else None
        option.text = str(text)
        option.section = section
        need = header.style().sizeFromContents(QStyle.ContentsType.CT_HeaderSection, option,
                                               header.fontMetrics().size(0, str(text)), header).width()
        if header.orientation() == Qt.Orientation.Horizontal and need > header.sectionSize(section) + 2:
            found.append(f"header section {text!r} needs {need} px, has {header.sectionSize(section)}")
    return found


def cut_by_ancestor(widget: QWidget) -> str:
    """A widget partly scrolled out sideways (a screen wider than its room): 'Remo' of 'Remove'.
    The board is the one screen made to scroll sideways: its columns pass under its edges by design."""
    from ui.board.board_grid import BoardGridWidget

    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, BoardGridWidget):
            return ""
        parent = parent.parentWidget()
    seen = widget.visibleRegion().boundingRect()
    if seen.isEmpty() or seen.width() >= widget.width() - 1:
        return ""
    return f"only {seen.width()} of its {widget.width()} px are on screen"


def problems_on(window: QWidget, screen: str) -> list[str]:
    found = []
    for widget in window.findChildren(QWidget):
        if not widget.isVisible() or widget.window() is not window:
            continue
        if isinstance(widget, QHeaderView):
            found += [f"{screen}: {where(widget)}: {p}" for p in cut_sections(widget)]
            continue
        if not isinstance(widget, QLabel | QAbstractButton) or widget.toolTip():
            continue
        text = shown_text(widget.text())
        if not text.strip():
            continue
        why = cut_label(widget) if isinstance(widget, QLabel) else cut_button(widget)
        why = why or cut_by_ancestor(widget)
        if why:
            found.append(f"{screen}: {where(widget)} {text[:50]!r}: {why}")
    return found


def every_tab(window, qtbot) -> list[str]:
    """Shows every tab of every tab widget in turn (screens and their sub-tabs); the problems seen."""
    found = []
    screens = window.screens
    for index in range(screens.count()):
        screens.setCurrentIndex(index)
        QApplication.processEvents()
        name = shown_text(screens.tabText(index))
        found += problems_on(window, name)
        for tabs in screens.currentWidget().findChildren(QTabWidget):
            if not tabs.isVisible():
                continue
            for sub in range(tabs.count()):
                tabs.setCurrentIndex(sub)
                QApplication.processEvents()
                found += problems_on(window, f"{name} › {shown_text(tabs.tabText(sub))}")
    return sorted(set(found))


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_no_text_on_any_screen_is_cut_without_a_tooltip_in_projector_type(main_window, qtbot, qapp, size):
    manager = theme_manager(qapp)
    before = manager.snapshot()
    try:
        manager.apply(PROJECTOR)
        main_window.showNormal()
        main_window.resize(*size)
        qtbot.waitUntil(lambda: main_window.width() == size[0])
        timeline = main_window.show_screen("timeline")
        main_window.hub.conversation_requested.emit(timeline.layout_.data.conversations.ids[0], -1)
        qtbot.waitUntil(lambda: main_window.docks["reader"].isVisible())
        QApplication.processEvents()
        problems = every_tab(main_window, qtbot)
        assert problems == [], "\n".join(problems)
    finally:
        manager.restore(before)
