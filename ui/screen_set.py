"""The registered screens by key, each built the first time its tab is shown or it is asked for.

Building every tab at start-up cost ~0.3 s of imports and queries for screens most sessions open
later or never; the first tab and the docks and strips on view are built at once. Until a tab is
built it holds an empty placeholder, which the screen then replaces in the same place.
"""
from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping

from PySide6.QtWidgets import QTabWidget, QWidget

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
        self._order: list[str] = []
        tabs.currentChanged.connect(self._on_tabs_current_changed)

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
        target, placeholder = self._pending.pop(key)
        widget = construct(target, self.hub, self.tabs)
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
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._order)

    def __len__(self) -> int:
        return len(self._order)
