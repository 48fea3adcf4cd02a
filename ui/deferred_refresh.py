"""Screens that are not on view postpone their refresh until they are shown.

Every edit tells every screen; a hidden tab re-querying the workspace each time would slow both
start-up (measured ~0.2 s for the review, actions and follow-up tabs) and every edit.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QShowEvent

if TYPE_CHECKING:  # a mixin for QWidgets: the checker sees the widget it is mixed into
    from PySide6.QtWidgets import QWidget as _Widget
else:
    _Widget = object


class DeferredRefresh(_Widget):
    """Mixin for a QWidget with a `refresh()` method: call `request_refresh()` from signal slots."""

    _refresh_pending = False
    refresh: Callable[[], None]  # the screen's own

    def request_refresh(self) -> None:
        if self.isVisible():
            self._refresh_pending = False
            self.refresh()
        else:
            self._refresh_pending = True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._refresh_pending:
            self._refresh_pending = False
            self.refresh()
