"""Screens that are not on view postpone their refresh until they are shown.

Every edit tells every screen; a hidden tab re-querying the workspace each time would slow both
start-up (measured ~0.2 s for the review, actions and follow-up tabs) and every edit.
"""
from __future__ import annotations


class DeferredRefresh:
    """Mixin for a QWidget with a `refresh()` method: call `request_refresh()` from signal slots."""

    _refresh_pending = False

    def request_refresh(self) -> None:
        if self.isVisible():
            self._refresh_pending = False
            self.refresh()
        else:
            self._refresh_pending = True

    def showEvent(self, event) -> None:  # noqa: ANN001
        super().showEvent(event)
        if self._refresh_pending:
            self._refresh_pending = False
            self.refresh()
