"""Facilitator mode: full screen in the projector theme, stepping the agenda's screens with clicker keys."""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QByteArray, QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QDialog, QDockWidget, QMainWindow, QWidget

from postmortem_desktop.domain.agenda import DEFAULT_AGENDA, Agenda, clock
from postmortem_desktop.domain.changes import DataChange
from postmortem_desktop.services.agenda import SaveAgenda, SaveStepNotes, load_agenda, step_notes

from ..contracts import FacilitatorHost
from ..hub import ScreenHub
from ..theme import PROJECTOR, ThemeSnapshot, theme_manager
from .agenda_dialog import AgendaEditorDialog
from .overlay import FacilitatorHeaderWidget, FacilitatorNotesWidget

NOTES_SAVE_DELAY_MS = 1200  # a pause in typing; one undo step per pause, not per key
TICK_MS = 1000
#: presentation clickers send these; they move the agenda even while a text field has focus
CLICKER_KEYS = (Qt.Key.Key_PageDown, Qt.Key.Key_PageUp)


@dataclass
class _WindowSnapshot:
    geometry: QByteArray
    state: QByteArray
    window_state: Qt.WindowState
    menu_bar: bool
    status_bar: bool
    tab_bar: bool
    tab_index: int
    theme: ThemeSnapshot


class FacilitatorController(QObject):
    mode_started = Signal()
    mode_ended = Signal()
    #: a step is on screen: (its index in the agenda, the screen key it brought forward)
    step_shown = Signal(int, str)
    #: the notes of a step were saved to the workspace: (step key)
    notes_saved = Signal(str)

    def __init__(self, window: QMainWindow, host: FacilitatorHost, hub: ScreenHub,
                 clock_source: Callable[[], float] = time.monotonic):
        """window: the Qt window the mode takes over (full screen, docks); host: the same window's screens
        and edit actions (ui/contracts.py). The main window is both."""
        super().__init__(window)
        self.window = window
        self.host = host
        self.hub = hub
        self.now = clock_source
        self.active = False
        self.agenda: Agenda = DEFAULT_AGENDA
        self.index = 0
        self.header: FacilitatorHeaderWidget | None = None
        self.notes: FacilitatorNotesWidget | None = None
        self._docks: list[QDockWidget] = []
        self._saved: _WindowSnapshot | None = None
        self._spent: dict[str, float] = {}
        self._started_at = self._entered_at = 0.0
        self._pending: tuple[int, str, str, str] | None = None  # incident, step key, title, text
        self._tick_timer = QTimer(self)
        self._tick_timer.setInterval(TICK_MS)
        self._tick_timer.timeout.connect(self.refresh_clocks)
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(NOTES_SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self.save_notes)
        self._build_actions()
        hub.workspace_changed.connect(self._on_hub_workspace_changed)
        hub.incident_changed.connect(self._on_hub_incident_changed)

    # ---- actions: the window puts them in its View menu; the keys work while the mode is on ----------
    def _action(self, text: str, shortcuts: list, slot, tip: str) -> QAction:  # noqa: ANN001
        action = QAction(text, self.window)
        action.setShortcuts([QKeySequence(key) for key in shortcuts])
        action.setStatusTip(tip)
        action.triggered.connect(slot)
        action.setProperty("shortcutGroup", "Facilitator mode")
        self.window.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.start_action = self._action("Start &Facilitator Mode", ["F5"], self.start,
                                         "Full screen, large type: step through the 20-minute review")
        self.next_action = self._action("Next Agenda Step", ["PgDown", "Right"], self.next_step,
                                        "Facilitator mode: the next step (what a presentation clicker sends)")
        self.previous_action = self._action("Previous Agenda Step", ["PgUp", "Left"], self.previous_step,
                                            "Facilitator mode: the step before")
        self.notes_action = self._action("Go to Step Notes", ["F6"], self.toggle_notes_focus,
                                         "Facilitator mode: type notes for this step (F6 again: back to the screen)")
        self.leave_action = self._action("Leave Facilitator Mode", ["Esc"], self.stop,
                                         "Restore the window and theme as they were")
        self.edit_agenda_action = self._action("Edit Facilitator &Agenda…", [], self.edit_agenda,
                                               "Steps, minutes and screens of this workspace's review agenda")
        self._set_mode_actions(False)

    def _set_mode_actions(self, active: bool) -> None:
        for action in (self.next_action, self.previous_action, self.notes_action, self.leave_action):
            action.setEnabled(active)
        self.start_action.setEnabled(not active)

    # ---- entering and leaving ---------------------------------------------------------------------
    def start(self) -> None:
        if self.active or self.hub.session is None:
            return
        self.agenda = load_agenda(self.hub.workspace)
        self._saved = self._snapshot()
        self.active = True
        theme_manager().apply(PROJECTOR)
        self._hide_chrome()
        self._add_overlay()
        # without a window manager (kiosk set-ups, some projectors' PCs) full screen is only a hint
        self.window.setGeometry(self.window.screen().geometry())
        self.window.showFullScreen()
        _application().installEventFilter(self)
        self._set_mode_actions(True)
        self._spent = {}
        self._started_at = self.now()
        self.index = -1
        self._tick_timer.start()
        self.go_to(0)
        self.mode_started.emit()

    def stop(self) -> None:
        if not self.active:
            return
        self.save_notes()
        self._tick_timer.stop()
        _application().removeEventFilter(self)
        self.active = False
        self._set_mode_actions(False)
        self._remove_overlay()
        if self._saved is not None:  # taken by start(), which turned the mode on
            self._restore(self._saved)
        # leaving full screen resizes the window a moment later; dock sizes are only right after that
        QTimer.singleShot(0, self, self._finish_restore)

    def _finish_restore(self) -> None:
        if not self.active and self._saved is not None:
            self.window.restoreState(self._saved.state)
            self._saved = None
        self.mode_ended.emit()

    def _snapshot(self) -> _WindowSnapshot:
        w, tabs = self.window, self.host.screen_widgets.tabs
        return _WindowSnapshot(w.saveGeometry(), w.saveState(), w.windowState(), w.menuBar().isVisible(),
                               w.statusBar().isVisible(), tabs.tabBar().isVisible(), tabs.currentIndex(),
                               theme_manager().snapshot())

    def _hide_chrome(self) -> None:
        w = self.window
        w.menuBar().hide()
        w.statusBar().hide()
        for dock in w.findChildren(QDockWidget):
            if dock.parent() is w:
                dock.hide()
        self.host.screen_widgets.tabs.tabBar().hide()

    def _restore(self, saved: _WindowSnapshot) -> None:
        w = self.window
        theme_manager().restore(saved.theme)
        w.setWindowState(saved.window_state)
        w.restoreGeometry(saved.geometry)
        w.restoreState(saved.state)
        w.menuBar().setVisible(saved.menu_bar)
        w.statusBar().setVisible(saved.status_bar)
        tabs = self.host.screen_widgets.tabs
        tabs.tabBar().setVisible(saved.tab_bar)
        tabs.setCurrentIndex(saved.tab_index)

    # the overlay's widgets exist while the mode is on, which is when the step code runs
    def _header(self) -> FacilitatorHeaderWidget:
        if self.header is None:
            raise RuntimeError("facilitator mode is not on")
        return self.header

    def _notes(self) -> FacilitatorNotesWidget:
        if self.notes is None:
            raise RuntimeError("facilitator mode is not on")
        return self.notes

    def _add_overlay(self) -> None:
        self.header = FacilitatorHeaderWidget()
        self.notes = FacilitatorNotesWidget()
        self.notes.notes_edited.connect(self._on_notes_notes_edited)
        # the menu bar is hidden, and a hidden menu's shortcuts are dead: carry undo/redo on the overlay
        self.header.addAction(self.host.undo_action)
        self.header.addAction(self.host.redo_action)
        for widget, area, name in ((self.header, Qt.DockWidgetArea.TopDockWidgetArea, "facilitator_header_dock"),
                                   (self.notes, Qt.DockWidgetArea.BottomDockWidgetArea, "facilitator_notes_dock")):
            dock = QDockWidget(self.window)
            dock.setObjectName(name)
            dock.setTitleBarWidget(QWidget(dock))  # no title bar: nothing to drag during a meeting
            dock.setFeatures(QDockWidget.DockWidgetFeature.NoDockWidgetFeatures)
            dock.setWidget(widget)
            self.window.addDockWidget(area, dock)
            self._docks.append(dock)
        # the screens' own minimum heights would otherwise squeeze the notes field to nothing
        self.notes.setMinimumHeight(self.notes.sizeHint().height())

    def _remove_overlay(self) -> None:
        for dock in self._docks:
            self.window.removeDockWidget(dock)
            dock.deleteLater()
        self._docks = []
        self.header = self.notes = None

    # ---- stepping -----------------------------------------------------------------------------------
    def next_step(self) -> None:
        if self.active and self.index < len(self.agenda.steps) - 1:
            self.go_to(self.index + 1)

    def previous_step(self) -> None:
        if self.active and self.index > 0:
            self.go_to(self.index - 1)

    def go_to(self, index: int) -> None:
        self.save_notes()
        now = self.now()
        if 0 <= self.index < len(self.agenda.steps):
            key = self.agenda.steps[self.index].key
            self._spent[key] = self._spent.get(key, 0.0) + now - self._entered_at
        self.index, self._entered_at = index, now
        step = self.agenda.steps[index]
        available = step.screen in self.host.screen_widgets
        missing = "" if available else f"(The “{step.screen}” screen is not part of this version.)"
        self._header().show_step(index + 1, len(self.agenda.steps), step, missing)
        self._load_notes()
        if available:
            self.hub.navigation_requested.emit(step.screen, step.payload or None)
        self._settle_focus(step.screen)
        self.refresh_clocks()
        self.step_shown.emit(index, step.screen)

    def _settle_focus(self, screen_key: str) -> None:
        """Keeps a field the screen chose for the step (an answer box); otherwise focus the notes."""
        focused = QApplication.focusWidget()
        screen = self.host.screen_widgets.get(screen_key)
        if focused is not None and screen is not None and screen.isAncestorOf(focused) and _is_text_input(focused):
            return
        self._notes().edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def toggle_notes_focus(self) -> None:
        if not self.active:
            return
        if self._notes().edit.hasFocus():
            step = self.agenda.steps[self.index]
            screen = self.host.screen_widgets.get(step.screen)
            if screen is not None:
                screen.setFocus(Qt.FocusReason.ShortcutFocusReason)
                screen.focusNextChild()
        else:
            self._notes().edit.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def step_elapsed(self) -> float:
        key = self.agenda.steps[self.index].key
        return self._spent.get(key, 0.0) + self.now() - self._entered_at

    def refresh_clocks(self) -> None:
        if not self.active:
            return
        step = self.agenda.steps[self.index]
        self._header().show_clocks(clock(self.step_elapsed(), step.minutes),
                                clock(self.now() - self._started_at, self.agenda.total_minutes))

    # ---- notes ----------------------------------------------------------------------------------------
    def _load_notes(self) -> None:
        step = self.agenda.steps[self.index]
        incident_id = self.hub.incident_id
        if incident_id < 0:
            self._notes().show_notes(step.title, "", editable=False, placeholder="Select an incident to take notes.")
            return
        writable = not self.hub.workspace.read_only
        self._notes().show_notes(step.title, step_notes(self.hub.workspace, incident_id, step.key), editable=writable,
                              placeholder="Type what the room decides; it is saved as you go."
                              if writable else "Read-only workspace: notes cannot be saved here.")

    def _on_notes_notes_edited(self, text: str) -> None:
        step = self.agenda.steps[self.index]
        self._pending = (self.hub.incident_id, step.key, step.title, text)
        self._save_timer.start()

    def save_notes(self) -> None:
        """Saves typed notes now (after a pause, on a step change, on leaving); one undo step each."""
        self._save_timer.stop()
        pending, self._pending = self._pending, None
        if pending is None or self.hub.session is None:
            return
        incident_id, key, title, text = pending
        if incident_id < 0 or step_notes(self.hub.workspace, incident_id, key) == text:
            return
        if self.hub.run(SaveStepNotes(incident_id, key, text, title)):
            self.notes_saved.emit(key)

    def _on_hub_workspace_changed(self, changes: DataChange, _incident_id: int, _initiator: object) -> None:
        # undo/redo of notes: show what the workspace now holds, unless the person is mid-sentence
        if self.active and changes & DataChange.AGENDA and self._pending is None:
            self._load_notes()

    def _on_hub_incident_changed(self, _incident_id: int) -> None:
        if self.active:
            self.save_notes()
            self._load_notes()

    # ---- agenda -------------------------------------------------------------------------------------
    def edit_agenda(self) -> AgendaEditorDialog | None:
        if self.hub.session is None:
            return None
        screens = [(key, self.host.screen_widgets.title(key)) for key in self.host.screen_widgets]
        dialog = AgendaEditorDialog(load_agenda(self.hub.workspace), screens, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda result: self._on_dialog_finished(dialog, result))
        dialog.open()
        return dialog

    def _on_dialog_finished(self, dialog: AgendaEditorDialog, result: int) -> None:
        if result == QDialog.DialogCode.Accepted and dialog.agenda != load_agenda(self.hub.workspace):
            self.hub.run(SaveAgenda(dialog.agenda))

    # ---- clicker keys win over text fields ------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent)
                and event.key() in CLICKER_KEYS and event.modifiers() == Qt.KeyboardModifier.NoModifier):
            event.ignore()  # nobody claims the key, so the Next/Previous actions get it
            return True
        return False


def _application() -> QCoreApplication:
    app = QApplication.instance()
    if app is None:
        raise RuntimeError("no QApplication is running")
    return app


def _is_text_input(widget: QWidget) -> bool:
    from PySide6.QtWidgets import QAbstractSpinBox, QLineEdit, QPlainTextEdit, QTextEdit

    if isinstance(widget, (QLineEdit, QAbstractSpinBox)):
        return True
    return isinstance(widget, (QPlainTextEdit, QTextEdit)) and not widget.isReadOnly()
