"""The F1 cheat sheet: every action with a shortcut, read from the window's actions so it never goes stale."""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLineEdit,
    QMenu,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

OTHER_GROUP = "Anywhere in the window"


@dataclass(frozen=True)
class ShortcutRow:
    group: str  # the menu the action sits in, or OTHER_GROUP
    name: str  # the action's text without mnemonics and ellipses
    keys: str  # every shortcut, as the platform writes it, joined by " or "


def plain_text(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").replace("…", "").rstrip(".").strip()


def _menu_path(action: QAction) -> str:
    for owner in action.associatedObjects():
        if isinstance(owner, QMenu) and owner.title():
            titles = [plain_text(owner.title())]
            parent = owner.parent()
            while isinstance(parent, QMenu) and parent.title():
                titles.insert(0, plain_text(parent.title()))
                parent = parent.parent()
            return " › ".join(titles)
    # actions that live outside the menus may say where they belong
    return str(action.property("shortcutGroup") or OTHER_GROUP)


def describe_shortcuts(window: QWidget) -> list[ShortcutRow]:
    """One row per distinct action with a shortcut, grouped by menu, in menu order then by name."""
    seen: set[tuple[str, str]] = set()
    rows: list[ShortcutRow] = []
    for action in window.findChildren(QAction):
        # dict.fromkeys: a standard key can repeat an explicit one (Redo is Ctrl+Shift+Z twice on Linux)
        keys = " or ".join(dict.fromkeys(seq.toString(QKeySequence.SequenceFormat.NativeText)
                                         for seq in action.shortcuts() if not seq.isEmpty()))
        name = plain_text(action.text())
        if not keys or not name or (name, keys) in seen:
            continue
        seen.add((name, keys))
        rows.append(ShortcutRow(_menu_path(action), name, keys))
    order = _menu_order(window)
    rows.sort(key=lambda r: (order.get(r.group.split(" › ")[0], len(order)), r.group, r.name.lower()))
    return rows


def _menu_order(window: QWidget) -> dict[str, int]:
    bar = window.menuBar() if hasattr(window, "menuBar") else None
    if bar is None:
        return {}
    return {plain_text(a.text()): i for i, a in enumerate(bar.actions())}


class ShortcutsDialog(QDialog):
    """A searchable list of shortcuts by menu; Esc or Close dismisses it."""

    def __init__(self, window: QWidget, parent: QWidget | None = None):
        super().__init__(parent or window)
        self.setWindowTitle("Keyboard Shortcuts")
        self.rows = describe_shortcuts(window)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Find a shortcut or an action…")
        self.search.setAccessibleName("Find a shortcut")
        self.search.setClearButtonEnabled(True)
        self.tree = QTreeWidget(self)
        self.tree.setAccessibleName("Keyboard shortcuts")
        self.tree.setHeaderLabels(["Action", "Shortcut"])
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        box.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.tree, 1)
        layout.addWidget(box)
        self.search.textChanged.connect(self._on_search_text_changed)
        self._fill("")
        self.resize(self.fontMetrics().averageCharWidth() * 80, self.fontMetrics().lineSpacing() * 30)

    def _fill(self, needle: str) -> None:
        self.tree.clear()
        needle = needle.strip().lower()
        groups: dict[str, QTreeWidgetItem] = {}
        for row in self.rows:
            if needle and needle not in row.name.lower() and needle not in row.keys.lower():
                continue
            group = groups.get(row.group)
            if group is None:
                group = QTreeWidgetItem(self.tree, [row.group, ""])
                font = group.font(0)
                font.setBold(True)
                group.setFont(0, font)
                group.setFlags(Qt.ItemFlag.ItemIsEnabled)
                groups[row.group] = group
            QTreeWidgetItem(group, [row.name, row.keys])
        self.tree.expandAll()
        self.tree.resizeColumnToContents(0)

    def visible_names(self) -> list[str]:
        names: list[str] = []
        for g in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(g)
            if group is not None:
                names.extend(item.text(0) for i in range(group.childCount()) if (item := group.child(i)) is not None)
        return names

    def _on_search_text_changed(self, text: str) -> None:
        self._fill(text)


def show_shortcuts(window: QWidget) -> ShortcutsDialog:
    dialog = ShortcutsDialog(window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
