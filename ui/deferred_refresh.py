"""Screens that are not on view postpone their refresh until they are shown.

Every edit tells every screen; a hidden tab re-querying the workspace each time would slow both
start-up (measured ~0.2 s for the review, actions and follow-up tabs) and every edit.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QShowEvent

from postmortem_desktop.storage.errors import ServerUnavailableError

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
            self._refresh_or_later()
        else:
            self._refresh_pending = True

    def read_first(self) -> None:
        """The screen's first read, as it is built. While the team server is away it is built all the same (a
        facilitator's step can build it then) and reads when next asked or shown: the re-read once the server
        is heard again asks every screen."""
        try:
            self.refresh()
        except ServerUnavailableError:
            self._refresh_pending = True

    def _refresh_or_later(self) -> None:
        try:
            self.refresh()
        except ServerUnavailableError:
            self._refresh_pending = True  # still due: the server is away, and what was last read stays shown
            raise  # a background re-read's handler says so (ui/errors.rereads_in_background)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._refresh_pending:
            self._refresh_pending = False
            try:
                self.refresh()
            except ServerUnavailableError:
                # shown while the server is away: what was last read stays, no dialog (a room may be watching);
                # read when it is heard again (its reconnection asks every screen) or the next time it is shown
                self._refresh_pending = True
