"""What the main window, its screens and facilitator mode expect of each other, as typing Protocols.

A screen (a tab, a dock or a strip in ui/screens.py) is a QWidget built as `Class(hub, parent)` that
keeps itself up to date from the hub (ui/hub.py). Two more things a screen may do are asked for by
these Protocols, never by looking a name up on the widget.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from PySide6.QtGui import QAction, QImage

    from .screen_set import ScreenSet
    from .unsaved_words import UnsavedWords


@runtime_checkable
class RefreshingScreen(Protocol):
    """A screen that re-reads the workspace when asked, at once if on view or else when next shown.

    A tab built after the workspace opened missed the hub's signals; the screen set asks it to
    catch up. `DeferredRefresh` (ui/deferred_refresh.py) is the usual implementation over `refresh()`.
    """

    def request_refresh(self) -> None: ...


@runtime_checkable
class FocusingScreen(Protocol):
    """A screen that can bring one of its items forward when navigated to (a checklist link, an agenda step).

    The payload is what the asker put in `hub.navigation_requested` (a field name, an action item id…).
    """

    def focus_item(self, payload: object) -> None: ...


@runtime_checkable
class PicturingScreen(Protocol):
    """A screen that can draw what it shows as a picture of a given size (the timeline, for the room view)."""

    def render_image(self, width: int, height: int) -> QImage: ...


class FacilitatorHost(Protocol):
    """What facilitator mode needs from the window it takes over, besides the QMainWindow it is.

    The screens (to step through them, name them in the agenda editor, hide their tab bar) and the
    edit actions (the menu bar is hidden, so Undo and Redo are carried on the overlay).
    """

    @property
    def screen_widgets(self) -> ScreenSet: ...

    @property
    def undo_action(self) -> QAction: ...

    @property
    def redo_action(self) -> QAction: ...


@runtime_checkable
class KeepsUnsavedWords(Protocol):
    """A screen (or controller) whose fields may hold words not saved yet (ui/unsaved_words.py).

    Asked before the person quits, opens another workspace or shows another incident (ui/leaving.py).
    """

    def unsaved_words(self) -> list[UnsavedWords]:
        """What is not saved now, after any save waiting for a pause in typing was made."""
        ...

    def save_words_now(self, retry: bool) -> None:
        """Saves now what waits for a pause in typing; retry: also tries again what the server did not get."""
        ...

    def forget_unsaved_words(self) -> None:
        """Drops the unsaved words (a copy of them was kept): the fields show what is stored."""
        ...
