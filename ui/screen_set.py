"""The registered screens by key, each built the first time its tab (or dock) is shown or it is asked for.

Building every tab at start-up cost ~0.3 s of imports and queries for screens most sessions open
later or never; the tab on view and the strips are built at once, a dock when it first opens (the
reader starts closed). Until then a tab or dock holds an empty placeholder, which the screen then
replaces in the same place.
"""
from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping

from PySide6.QtWidgets import QDockWidget, QTabWidget, QWidget

from .contracts import RefreshingScreen
from .hub import ScreenHub


def construct(target: str, hub: ScreenHub, parent: QWidget) -> QWidget:
    """Builds "module:Class" from the registry as Class(hub, parent)."""
    module_name, class_name = target.split(":")
    return getattr(importlib.import_module(module_name), class_name)(hub, parent)


class ScreenSet(Mapping[str, QWidget]):
    """The window's screens by key (tabs, docks, strips); a tab not yet built is built when looked up."""

    def __init__(self, tabs: QTabWidget, hub: ScreenHub):
        self.tabs = tabs
        self.hub = hub
        self._built: dict[str, QWidget] = {}
        self._pending: dict[str, tuple[str, QWidget]] = {}
        self._pending_docks: dict[str, tuple[str, QDockWidget]] = {}
        self._order: list[str] = []
        tabs.currentChanged.connect(self._on_tabs_current_changed)
        # a tab on view whose building failed (the team server did not answer its first read) is built at the
        # next change heard, such as the change feed's "everything" once the server is back
        hub.workspace_changed.connect(lambda *_args: self._on_tabs_current_changed(self.tabs.currentIndex()))

    def add_tab(self, key: str, target: str, title: str, *, build_now: bool) -> None:
        self._order.append(key)
        if build_now:
            self._built[key] = construct(target, self.hub, self.tabs)
            self.tabs.addTab(self._built[key], title)
            return
        placeholder = QWidget(self.tabs)
        placeholder.setObjectName(f"{key}_placeholder")
        self._pending[key] = (target, placeholder)
        self.tabs.addTab(placeholder, title)

    def add_dock(self, key: str, target: str, dock: QDockWidget) -> None:
        """A dock whose widget is built the first time the dock is shown or its key looked up."""
        self._order.append(key)
        placeholder = QWidget(dock)
        placeholder.setObjectName(f"{key}_placeholder")
        dock.setWidget(placeholder)
        self._pending_docks[key] = (target, dock)
        dock.visibilityChanged.connect(lambda visible, k=key: self._on_dock_visibility_changed(k, visible))

    def is_built(self, key: str) -> bool:
        return key in self._built

    def _on_dock_visibility_changed(self, key: str, visible: bool) -> None:
        if visible and key in self._pending_docks:
            self._build_dock(key)

    def _build_dock(self, key: str) -> QWidget:
        target, dock = self._pending_docks[key]
        widget = construct(target, self.hub, dock)  # a read that fails here leaves it to be built next time
        del self._pending_docks[key]
        placeholder = dock.widget()
        dock.setWidget(widget)
        if placeholder is not None:
            placeholder.deleteLater()
        self._built[key] = widget
        if self.hub.session is not None and isinstance(widget, RefreshingScreen):
            widget.request_refresh()
        return widget

    def add_built(self, key: str, widget: QWidget) -> None:
        self._order.append(key)
        self._built[key] = widget

    def tab_index(self, key: str) -> int:
        widget = self._pending[key][1] if key in self._pending else self._built.get(key)
        return self.tabs.indexOf(widget) if widget is not None else -1

    def title(self, key: str) -> str:
        """The screen's tab title without its mnemonic, or its key for a dock or strip (nothing is built)."""
        index = self.tab_index(key)
        return self.tabs.tabText(index).replace("&", "") if index >= 0 else key

    def _build(self, key: str) -> QWidget:
        target, placeholder = self._pending[key]
        widget = construct(target, self.hub, self.tabs)  # a read that fails here leaves it to be built next time
        del self._pending[key]
        index = self.tabs.indexOf(placeholder)
        was_current = self.tabs.currentIndex() == index
        # Swap quietly: removing the current tab would otherwise announce (and build) its neighbour.
        self.tabs.blockSignals(True)
        title, tip = self.tabs.tabText(index), self.tabs.tabToolTip(index)
        self.tabs.removeTab(index)
        self.tabs.insertTab(index, widget, title)
        self.tabs.setTabToolTip(index, tip)
        if was_current:
            self.tabs.setCurrentIndex(index)
        self.tabs.blockSignals(False)
        placeholder.deleteLater()
        self._built[key] = widget
        # It missed the session and incident signals sent before it existed: catch up now.
        if self.hub.session is not None and isinstance(widget, RefreshingScreen):
            widget.request_refresh()
        if was_current:
            self.tabs.currentChanged.emit(index)
        return widget

    def _on_tabs_current_changed(self, index: int) -> None:
        current = self.tabs.widget(index)
        for key, (_target, placeholder) in list(self._pending.items()):
            if placeholder is current:
                self._build(key)
                return

    # ---- Mapping ---------------------------------------------------------------------------------
    def __getitem__(self, key: str) -> QWidget:
        if key in self._built:
            return self._built[key]
        if key in self._pending:
            return self._build(key)
        if key in self._pending_docks:
            return self._build_dock(key)
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._order)

    def __len__(self) -> int:
        return len(self._order)
