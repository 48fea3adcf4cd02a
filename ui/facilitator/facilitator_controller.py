"""Facilitator mode: full screen in the projector theme, stepping the agenda's screens with clicker keys."""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QByteArray, QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QDialog, QDockWidget, QMainWindow, QStackedWidget, QWidget

from postmortem_desktop.domain.agenda import DEFAULT_AGENDA, Agenda, clock
from postmortem_desktop.domain.changes import DataChange
from postmortem_desktop.services.agenda import SaveAgenda, load_agenda, step_notes
from postmortem_desktop.services.room import RoomBlock, RoomSlide, room_slides
from postmortem_desktop.storage.errors import ServerUnavailableError

from ..conflict_dialog import run_or_offer_both
from ..contracts import FacilitatorHost, PicturingScreen
from ..hub import ScreenHub
from ..team_feed import Teammate
from ..theme import PROJECTOR, ThemeSnapshot, theme_manager
from ..unsaved_words import UnsavedWords
from .agenda_dialog import AgendaEditorDialog, described_agenda
from .notes_keeper import NotesPlace, StepNotesKeeper
from .overlay import NOT_READ, SERVER_NOT_ANSWERING, FacilitatorHeaderWidget, FacilitatorNotesWidget
from .room_view import PictureSource, RoomViewWidget

TICK_MS = 1000
NOT_STARTED = ("Team server not answering — facilitator mode needs this workspace's agenda; press F5 again once it "
               "answers.")
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
    #: PageDown/PageUp moved within a step's room view: (step index, page number from 0)
    page_shown = Signal(int, int)
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
        self.room: RoomViewWidget | None = None
        #: the room view and the window's own central widget, one shown at a time (F7 switches)
        self.stage: QStackedWidget | None = None
        self._central: QWidget | None = None
        self._docks: list[QDockWidget] = []
        self._saved: _WindowSnapshot | None = None
        self._spent: dict[str, float] = {}
        self._started_at = self._entered_at = 0.0
        self._step_read = True  # the step on screen (its notes and room view) was read; False: read it when heard
        #: the step notes typed and not stored yet: saved, offered beside a teammate's, listed as unsaved words
        self.notes_keeper = StepNotesKeeper(hub, window, self._notes_place)
        self.notes_keeper.notes_saved.connect(self.notes_saved)
        self.notes_keeper.theirs_taken.connect(self._load_notes)
        self.notes_keeper.round_ended.connect(self._on_notes_keeper_round_ended)
        self._tick_timer = QTimer(self)
        self._tick_timer.setInterval(TICK_MS)
        self._tick_timer.timeout.connect(self.refresh_clocks)
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
        self.notes_action = self._action("Go to Step Notes", ["F6"], self.focus_notes,
                                         "Facilitator mode: type notes for this step")
        self.leave_notes_action = self._action("Leave Step Notes", ["Shift+F6"], self.leave_notes,
                                               "Facilitator mode: back from the notes to the screen")
        self.editing_action = self._action("Show Editing Screen", ["F7"], self.toggle_editing_screen,
                                           "Facilitator mode: switch between the room's view and the step's "
                                           "editing screen")
        self.leave_action = self._action("Leave Facilitator Mode", ["Esc"], self.stop,
                                         "Restore the window and theme as they were")
        # a lambda: QAction.triggered passes its checked flag, which edit_agenda would take for the agenda shown
        self.edit_agenda_action = self._action("Edit Facilitator &Agenda…", [], lambda: self.edit_agenda(),
                                               "Steps, minutes and screens of this workspace's review agenda")
        self._set_mode_actions(False)

    def _set_mode_actions(self, active: bool) -> None:
        for action in (self.next_action, self.previous_action, self.notes_action, self.leave_notes_action,
                       self.editing_action, self.leave_action):
            action.setEnabled(active)
        self.start_action.setEnabled(not active)

    # ---- entering and leaving ---------------------------------------------------------------------
    def start(self) -> None:
        if self.active or self.hub.session is None:
            return
        try:
            self.agenda = load_agenda(self.hub.workspace)
        except ServerUnavailableError:
            # not started: the workspace's own agenda is unknown, and a default one would walk the wrong steps
            self.window.statusBar().showMessage(NOT_STARTED, 15000)
            return
        self._saved = self._snapshot()
        self.active = True
        theme_manager().apply(PROJECTOR)
        self._hide_chrome()
        self._add_overlay()
        # without a window manager (kiosk set-ups, some projectors' PCs) full screen is only a hint
        self.window.setGeometry(self.window.screen().geometry())
        self.window.showFullScreen()
        self.fit_overlay()
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
        self.notes_keeper.save_notes()
        self.notes_keeper.offer_held()
        self._tick_timer.stop()
        _application().removeEventFilter(self)
        self.active = False
        self._set_mode_actions(False)
        self._remove_overlay()
        if self._saved is not None:  # taken by start(), which turned the mode on
            self._restore(self._saved)
        self.notes_keeper.say_held()
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
        self.notes_keeper.attach(self.notes)
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
        self._add_stage()

    def _add_stage(self) -> None:
        """Puts the room view in front of the window's central widget (the editing screens, kept behind it)."""
        self._central = self.window.takeCentralWidget()
        self.stage = QStackedWidget(self.window)
        self.stage.setObjectName("facilitator_stage")
        self.room = RoomViewWidget(self.stage)
        self.stage.addWidget(self.room)
        if self._central is not None:
            self.stage.addWidget(self._central)
        self.window.setCentralWidget(self.stage)

    def _remove_stage(self) -> None:
        if self.stage is None:
            return
        if self._central is not None:
            self.stage.removeWidget(self._central)
        self.window.takeCentralWidget()
        if self._central is not None:
            self.window.setCentralWidget(self._central)
            self._central.show()
        self.stage.deleteLater()
        self.stage = self.room = self._central = None

    def fit_overlay(self) -> None:
        """Header and notes as tall as their contents; the room view gets the rest of the screen."""
        if self.header is None or self.notes is None or len(self._docks) != 2:
            return
        heights = [self.header.heightForWidth(self.window.width()), self.notes.sizeHint().height()]
        self.window.resizeDocks(self._docks, [max(h, 1) for h in heights], Qt.Orientation.Vertical)

    def _remove_overlay(self) -> None:
        self._remove_stage()
        for dock in self._docks:
            self.window.removeDockWidget(dock)
            dock.deleteLater()
        self._docks = []
        self.header = self.notes = None
        self.notes_keeper.detach()

    # ---- stepping -----------------------------------------------------------------------------------
    def next_step(self) -> None:
        """PageDown: the step's next page while it has one, then the next step."""
        if not self.active:
            return
        if self._room_on_stage() and self._room().next_page():
            self.page_shown.emit(self.index, self._room().page)
        elif self.index < len(self.agenda.steps) - 1:
            self.go_to(self.index + 1)

    def previous_step(self) -> None:
        """PageUp: the step's page before, then the previous step at its last page."""
        if not self.active:
            return
        if self._room_on_stage() and self._room().previous_page():
            self.page_shown.emit(self.index, self._room().page)
        elif self.index > 0:
            self.go_to(self.index - 1, last_page=True)

    def _room(self) -> RoomViewWidget:
        if self.room is None:
            raise RuntimeError("facilitator mode is not on")
        return self.room

    def _room_on_stage(self) -> bool:
        return self.stage is not None and self.stage.currentWidget() is self.room

    def go_to(self, index: int, *, last_page: bool = False) -> None:
        self.notes_keeper.save_notes()
        now = self.now()
        if 0 <= self.index < len(self.agenda.steps):
            key = self.agenda.steps[self.index].key
            self._spent[key] = self._spent.get(key, 0.0) + now - self._entered_at
        self.index, self._entered_at = index, now
        step = self.agenda.steps[index]
        available = step.screen in self.host.screen_widgets
        missing = "" if available else f"(The “{step.screen}” screen is not part of this version.)"
        self._header().show_step(index + 1, len(self.agenda.steps), step, missing)
        slides = self._read_step()
        if available:
            self._bring_forward(step.screen, step.payload)
        self._show_room(slides, last_page)
        self._settle_focus(step.screen)
        self.refresh_clocks()
        self.step_shown.emit(index, step.screen)

    # ---- the room's view of a step, or its editing screen -----------------------------------------
    def _bring_forward(self, screen: str, payload: str) -> None:
        """The step's editing screen, behind the room view. One the server cannot fill now (built or focused
        while it is away) keeps what it last read and reads again when the server is heard; the room is told."""
        try:
            self.hub.navigation_requested.emit(screen, payload or None)
        except ServerUnavailableError as exc:
            self._header().show_server_note(SERVER_NOT_ANSWERING, str(exc))

    def _slides(self) -> tuple[RoomSlide, ...]:
        step = self.agenda.steps[self.index]
        return room_slides(self.hub.workspace, self.hub.incident_id, step.screen, step.payload)

    def _read_step(self) -> tuple[RoomSlide, ...]:
        """Reads the step on screen: its notes into the field, and its slides (returned).

        While the team server is away the step is shown as not read yet (the field empty and read-only, the room
        saying so): never the words or slides of the step before, which typing would have saved under this one.
        Stepping itself goes on, since the agenda and its clocks are the room's and need no server; the step is
        read by itself when the server is heard again (or at the next retry)."""
        try:
            stored = self._stored_notes()
            slides = self._slides()
        except ServerUnavailableError as exc:
            self._show_not_read(str(exc))
            return (self._not_read_slide(),)
        self._step_read = True
        self._header().show_server_note("")
        self.notes_keeper.show_stored(stored)
        return slides

    def _not_read_slide(self) -> RoomSlide:
        return RoomSlide(self.agenda.steps[self.index].title, (RoomBlock(NOT_READ, kind="lead"),))

    def _reread_step(self) -> None:
        """The step on screen read again (the server is back, or another incident is shown)."""
        self._show_room(self._read_step())

    def _refresh_room(self) -> None:
        """The room view re-read where it stands; while the server is away it keeps what it last read, and the
        header says so (the status bar, where the rest of the app says it, is hidden in this mode)."""
        if not self._step_read:
            self._reread_step()
            return
        try:
            self._room().refresh(self._slides())
        except ServerUnavailableError as exc:
            self._header().show_server_note(SERVER_NOT_ANSWERING, str(exc))
            return
        self._header().show_server_note("")

    def _show_room(self, slides: tuple[RoomSlide, ...], last_page: bool = False) -> None:
        """The room view when the step has one; otherwise (a screen without one) its editing screen."""
        stage, room = self.stage, self._room()
        if stage is None:
            return
        if not slides or self._central is None:
            room.show_slides(())
            stage.setCurrentWidget(self._central or room)
            self._update_editing_action()
            return
        room.show_slides(slides, last_page=last_page, picture_source=self._picture_source())
        stage.setCurrentWidget(room)
        self._update_editing_action()

    def _picture_source(self) -> PictureSource | None:
        screen = self.host.screen_widgets.get(self.agenda.steps[self.index].screen)
        return screen.render_image if isinstance(screen, PicturingScreen) else None

    def toggle_editing_screen(self) -> None:
        """F7: the step's editing screen (to type an answer or fix an item), and back to the room view."""
        if not self.active or self.stage is None or self._central is None:
            return
        if self._room_on_stage():
            self.stage.setCurrentWidget(self._central)
        elif self._room().slides:
            self._refresh_room()
            self.stage.setCurrentWidget(self._room())
        self._update_editing_action()

    def _update_editing_action(self) -> None:
        self.editing_action.setText("Show Room View" if not self._room_on_stage() else "Show Editing Screen")

    def _settle_focus(self, screen_key: str) -> None:
        """Keeps a field the editing screen chose for the step (an answer box); otherwise focus the notes."""
        focused = QApplication.focusWidget()
        screen = self.host.screen_widgets.get(screen_key)
        if (not self._room_on_stage() and focused is not None and screen is not None
                and screen.isAncestorOf(focused) and _is_text_input(focused)):
            return
        self._notes().edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def focus_notes(self) -> None:
        """F6: typing goes into this step's notes (always into them: a toggle lost the first decision typed)."""
        if self.active:
            self._notes().edit.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def leave_notes(self) -> None:
        """Shift+F6: back to what is on the stage (the room view, or the editing screen's first field)."""
        if not self.active or self.stage is None:
            return
        current = self.stage.currentWidget()
        if current is None:
            return
        current.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if current is not self.room:
            current.focusNextChild()

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
    def _notes_place(self) -> NotesPlace | None:
        """The step whose notes the field shows (its incident may be -1: none selected); None while the mode is
        off."""
        if not self.active or not 0 <= self.index < len(self.agenda.steps):
            return None
        step = self.agenda.steps[self.index]
        return NotesPlace(self.hub.incident_id, step.key, step.title)

    def _stored_notes(self) -> str | None:
        """The step's stored notes (None: no incident selected); raises ServerUnavailableError."""
        incident_id = self.hub.incident_id
        if incident_id < 0:
            return None
        return step_notes(self.hub.workspace, incident_id, self.agenda.steps[self.index].key)

    def _show_not_read(self, reason: str) -> None:
        """The step could not be read: its notes field says so (notes_keeper.show_not_read), and the header."""
        self._step_read = False
        self.notes_keeper.show_not_read()
        self._header().show_server_note(SERVER_NOT_ANSWERING, reason)

    def _load_notes(self) -> None:
        """The step's notes read again into the field (undo/redo, a teammate's notes, Take theirs)."""
        try:
            stored = self._stored_notes()
        except ServerUnavailableError as exc:
            self._show_not_read(str(exc))
            return
        self.notes_keeper.show_stored(stored)

    def _on_notes_keeper_round_ended(self) -> None:
        if self.active and not self._step_read and not self.notes_keeper.choosing:
            self._reread_step()

    def save_notes(self) -> None:
        """Saves the typed notes now (StepNotesKeeper.save_notes)."""
        self.notes_keeper.save_notes()

    # ---- words not saved yet (ui/contracts.KeepsUnsavedWords): the step notes' ---------------------
    def unsaved_words(self) -> list[UnsavedWords]:
        return self.notes_keeper.unsaved_words()

    def save_words_now(self, retry: bool) -> None:
        self.notes_keeper.save_words_now(retry)

    def forget_unsaved_words(self) -> None:
        self.notes_keeper.forget_unsaved_words()

    def _on_hub_workspace_changed(self, changes: DataChange, incident_id: int, initiator: object) -> None:
        if not self.active:
            return
        if not self._step_read and self.hub.shows(incident_id) and not self.notes_keeper.choosing:
            self._reread_step()  # heard from the server again (a reconnection says everything changed)
        elif changes & DataChange.AGENDA and self.hub.shows(incident_id) and not self.notes_keeper.typed_here():
            self._load_notes()  # undo/redo, a teammate's notes: shown, unless the person is mid-sentence
        if changes & DataChange.AGENDA and isinstance(initiator, Teammate):
            self.notes_keeper.notice_theirs(initiator.user, incident_id)
        self.notes_keeper.retry_when_heard()  # the server is heard again (the feed reconnected): save the notes now
        if (self._step_read and changes & ~DataChange.AGENDA and self.hub.shows(incident_id)
                and self.room is not None and self.room.slides):
            self._refresh_room()  # an answer typed on the editing screen shows in the room

    def _on_hub_incident_changed(self, _incident_id: int) -> None:
        if self.active:
            # words of the incident left are saved for it (they carry its id)
            self.notes_keeper.save_words_now(retry=False)
            self._reread_step()

    # ---- agenda -------------------------------------------------------------------------------------
    def edit_agenda(self, shown: Agenda | None = None, typed: Agenda | None = None) -> AgendaEditorDialog | None:
        """shown, typed: the agenda as the person first saw it and what they made of it, when a conflict they left
        for later brings the dialog back (its save is still made from what they saw)."""
        if self.hub.session is None:
            return None
        opened = shown if shown is not None else load_agenda(self.hub.workspace)
        screens = [(key, self.host.screen_widgets.title(key)) for key in self.host.screen_widgets]
        dialog = AgendaEditorDialog(typed if typed is not None else opened, screens, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda result: self._on_dialog_finished(dialog, opened, result))
        dialog.open()
        return dialog

    def _on_dialog_finished(self, dialog: AgendaEditorDialog, opened: Agenda, result: int) -> None:
        """Saves the agenda made from the one the dialog opened with: a teammate's agenda saved meanwhile offers both
        (Keep mine saves this one over theirs, Take theirs keeps theirs, Decide later opens the dialog again)."""
        mine = dialog.agenda
        if result != QDialog.DialogCode.Accepted or mine == opened:
            return

        def again_later() -> None:
            self.edit_agenda(opened, mine)

        run_or_offer_both(self.hub, self.window, SaveAgenda(mine, based_on=opened), "The facilitator agenda",
                          described_agenda(mine), described_agenda,
                          lambda theirs: SaveAgenda(mine, based_on=theirs), lambda: None, again_later)

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
