"""A closed incident's record is read-only on screen as it is in the core: editors stop taking edits,
edit buttons turn off, and a banner says why and offers Reopen."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QWidget,
)

from postmortem_desktop.services.closeout import ReopenIncident

from ..hub import ScreenHub
from ..read_only import READ_ONLY_EDITORS, enable_when_writable, short_reason

#: set on a widget that stays usable on a closed record (an export, the Reopen button)
KEEP_WHEN_CLOSED = "keep_when_closed"
_DISABLED_BY_LOCK = "disabled_by_record_lock"
_OPEN_TRIGGERS = "edit_triggers_while_open"  # an item view's edit triggers, kept while its record is locked


def lock_record(root: QWidget, locked: bool) -> None:
    """Makes every editor under root read-only (text stays readable and selectable) while locked.

    Unlocking gives back exactly what locking took (a control is re-enabled only if locking turned
    it off), so a screen unlocks, applies its own rules, then locks again when the record is closed.
    """
    for widget in root.findChildren(QWidget):
        if widget.property(KEEP_WHEN_CLOSED):
            continue
        if isinstance(widget, READ_ONLY_EDITORS):
            widget.setReadOnly(locked)  # a time or number stays readable too, as a disabled one would not
        elif isinstance(widget, QComboBox) and not widget.isEditable():
            _hold_choice(widget, locked)
        elif isinstance(widget, (QAbstractButton, QComboBox)):
            if locked and widget.isEnabled():
                widget.setProperty(_DISABLED_BY_LOCK, True)
                widget.setEnabled(False)
            elif not locked and widget.property(_DISABLED_BY_LOCK):
                widget.setProperty(_DISABLED_BY_LOCK, None)
                widget.setEnabled(True)
        elif isinstance(widget, QAbstractItemView):
            if locked and widget.property(_OPEN_TRIGGERS) is None:
                widget.setProperty(_OPEN_TRIGGERS, widget.editTriggers())
                widget.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            elif not locked and widget.property(_OPEN_TRIGGERS) is not None:
                widget.setEditTriggers(widget.property(_OPEN_TRIGGERS))
                widget.setProperty(_OPEN_TRIGGERS, None)


class _FrozenChoice(QObject):
    """Keeps a locked combo box's choice: the clicks, wheel turns and keys that would open or change it do nothing,
    while it stays enabled, so the choice reads in the theme's own text colour (a disabled one is greyed) and the
    focus still passes through it."""

    PASS_KEYS = (Qt.Key.Key_Tab, Qt.Key.Key_Backtab)
    HELD = (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease, QEvent.Type.MouseButtonDblClick,
            QEvent.Type.Wheel, QEvent.Type.KeyPress, QEvent.Type.KeyRelease)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() not in self.HELD:
            return False
        return not (isinstance(event, QKeyEvent) and event.key() in self.PASS_KEYS)


def _hold_choice(combo: QComboBox, locked: bool) -> None:
    held = combo.findChild(_FrozenChoice, options=Qt.FindChildOption.FindDirectChildrenOnly)
    if locked and held is None:
        combo.installEventFilter(_FrozenChoice(combo))
    elif not locked and held is not None:
        combo.removeEventFilter(held)
        held.deleteLater()
        held.setParent(None)  # gone from findChild at once: locking again at once installs a new one


def ask_and_reopen(hub: ScreenHub, parent: QWidget) -> None:
    """The one Reopen path: asks why, then reopens through the undoable command."""
    reason, ok = QInputDialog.getText(parent, "Reopen incident", "Why is it reopened?")
    if ok:
        hub.run(ReopenIncident(hub.incident_id, reason))


CLOSED = "This incident is closed, so its record is read-only. Reopen it to change anything."
#: on a read-only workspace nothing can be reopened: the banner says why instead of offering it
CLOSED_READ_ONLY = "This incident is closed, so its record is read-only. {reason}"


class ClosedBanner(QFrame):
    """'This incident is closed: the record is read-only. [Reopen…]', shown on a closed incident's screens."""

    def __init__(self, hub: ScreenHub, parent: QWidget | None = None):
        super().__init__(parent)
        self.hub = hub
        self.setObjectName("closed_banner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.label = QLabel(CLOSED, self)
        self.label.setTextFormat(Qt.TextFormat.PlainText)  # the read-only reason names a file or a role
        self.label.setWordWrap(True)
        self.reopen_button = QPushButton("Reopen…", self)
        self.reopen_button.setProperty(KEEP_WHEN_CLOSED, True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.reopen_button)
        self.reopen_button.clicked.connect(lambda: ask_and_reopen(self.hub, self))
        self.hide()

    def show_closed(self, closed: bool) -> None:
        """Shown while the incident is closed; Reopen is off on a read-only workspace, saying why, rather than asking
        why it is reopened only to be refused."""
        reason = short_reason(self.hub.workspace)
        self.label.setText(CLOSED_READ_ONLY.format(reason=reason) if reason else CLOSED)
        enable_when_writable((self.reopen_button,), self.hub.workspace)
        self.setVisible(closed)
