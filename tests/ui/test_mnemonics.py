"""Every Alt+letter on screen at once does one thing: the menu bar's, the tabs' and the screens' mnemonics never
clash (a clash makes Qt cycle between the two, so Alt+F switched to Follow-up instead of opening File)."""
from collections import defaultdict

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel, QMenu, QTabBar, QTabWidget, QWidget

from ui.screens import SCREENS

#: the menu bar's standard ones stay what every desktop application uses
STANDARD_MENUS = {"&File": "Alt+F", "&Edit": "Alt+E", "&View": "Alt+V", "&Help": "Alt+H"}


def _key(text: str) -> str:
    return QKeySequence.mnemonic(text).toString()


def visible_mnemonics(window) -> dict[str, list[str]]:
    """Alt+letter -> what owns it, for everything Qt registers a mnemonic for that is on screen now: the menu bar's
    menus, tab bars' tabs, buttons and check boxes, labels with a buddy, group boxes."""
    owners: dict[str, list[str]] = defaultdict(list)
    for action in window.menuBar().actions() if window.menuBar().isVisible() else []:
        if action.isVisible() and _key(action.text()):
            owners[_key(action.text())].append(f"menu {action.text()}")
    for widget in window.findChildren(QWidget):
        if not widget.isVisible() or isinstance(widget.window(), QMenu):
            continue
        texts: list[str] = []
        if isinstance(widget, QAbstractButton):
            texts = [widget.text()]
        elif isinstance(widget, QLabel) and widget.buddy() is not None:
            texts = [widget.text()]
        elif isinstance(widget, QGroupBox):
            texts = [widget.title()]
        elif isinstance(widget, QTabBar):
            texts = [widget.tabText(i) for i in range(widget.count()) if widget.isTabVisible(i)]
        for text in texts:
            if _key(text):
                owners[_key(text)].append(f"{type(widget).__name__} {text}")
    return owners


def _clashes(window) -> dict[str, list[str]]:
    return {key: owners for key, owners in visible_mnemonics(window).items() if len(owners) > 1}


def _every_view(window, qtbot):
    """Each screen in turn, and each tab of a screen's own tabs (the review's), with the reader open beside."""
    for index in range(window.screens.count()):
        window.screens.setCurrentIndex(index)
        page = window.screens.widget(index)
        qtbot.waitUntil(page.isVisible)
        inner = [tabs for tabs in page.findChildren(QTabWidget) if tabs.isVisible()]
        for sub in range(inner[0].count()) if inner else [None]:
            if sub is not None:
                inner[0].setCurrentIndex(sub)
            yield window.screens.tabText(index) + (f" › {inner[0].tabText(sub)}" if sub is not None else "")


def test_no_two_mnemonics_on_screen_at_once_share_a_key(main_window, qtbot):
    from ui.timeline.timeline_screen import TimelineScreen

    timeline = main_window.show_screen("timeline")
    assert isinstance(timeline, TimelineScreen)
    main_window.hub.conversation_requested.emit(timeline.layout_.data.conversations.ids[0], -1)
    qtbot.waitUntil(lambda: main_window.docks["reader"].isVisible())
    main_window.show_screen("board").filter_bar.search.setText("refund")  # the filter banners show too
    main_window.show_screen("actions").search.setText("a")
    seen = {}
    for where in _every_view(main_window, qtbot):
        assert main_window.docks["reader"].isVisible()
        seen[where] = _clashes(main_window)
    assert {where: clashes for where, clashes in seen.items() if clashes} == {}
    owners = visible_mnemonics(main_window)
    for title, key in STANDARD_MENUS.items():
        assert owners[key] == [f"menu {title}"]


def test_alt_f_opens_the_file_menu_and_leaves_the_screen_on_view(main_window, qtbot):
    main_window.activateWindow()
    qtbot.waitUntil(main_window.isActiveWindow)
    main_window.show_screen("timeline")
    timeline_index = main_window.screens.currentIndex()
    qtbot.keyClick(main_window.screens, Qt.Key.Key_F, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(main_window.file_menu.isVisible)
    assert main_window.screens.currentIndex() == timeline_index
    main_window.file_menu.close()


def test_each_menu_names_its_items_by_different_letters(main_window):
    for menu in [main_window.file_menu, main_window.edit_menu, main_window.view_menu, main_window.incident_menu,
                 main_window.help_menu]:
        keys = [_key(action.text()) for action in menu.actions() if _key(action.text())]
        assert len(keys) == len(set(keys)), (menu.title(), [a.text() for a in menu.actions()])


def test_facilitator_mode_notes_share_no_key_with_any_screen_it_can_show(main_window, qtbot):
    from ui.theme import theme_manager

    before = theme_manager().snapshot()
    facilitator = main_window.facilitator
    facilitator.start()
    try:
        facilitator.toggle_editing_screen()  # F7: the step's screen under the notes, as an agenda can name any screen
        assert facilitator.notes.label.buddy() is not None
        qtbot.waitUntil(facilitator.notes.label.isVisible)
        seen = {}
        for key, *_rest in SCREENS:
            main_window.show_screen(key)
            qtbot.waitUntil(main_window.screen_widgets[key].isVisible)
            seen[key] = _clashes(main_window)
        assert {key: clashes for key, clashes in seen.items() if clashes} == {}
    finally:
        facilitator.stop()
        theme_manager().restore(before)
