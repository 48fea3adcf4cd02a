"""The main window: menus, the incident list, the screen tabs; routes intent to services.

It is drawn before anything heavy is imported: the screens, docks and strips, the import and
facilitator controllers and the storage layer (SQLAlchemy alone takes ~0.2 s) come in `_complete`,
run when a workspace is opened, after the first paint (ui/app.py).
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QItemSelectionModel, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDockWidget,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMessageBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from postmortem_desktop.domain.changes import DataChange

from . import recent_files, screens
from .contracts import FocusingScreen, KeepsUnsavedWords
from .errors import offer_to_skip_step, show_refusal
from .file_dialogs import ask_new_workspace_path, choose_file_to_open
from .hub import ScreenHub
from .incidents.empty_list import EmptyIncidentList
from .incidents.incident_list_delegate import IncidentListDelegate
from .models.incident_table_model import IncidentTableModel
from .progress import run_with_progress
from .read_only import short_reason
from .screen_set import ScreenSet, construct
from .screen_size import first_window_geometry, usable_geometry
from .shortcuts_dialog import show_shortcuts
from .theme import ThemedDockWidget, ThemeMenu
from .unsaved_words_dialog import Leaving

if TYPE_CHECKING:
    from postmortem_desktop.services.first_look import FirstLook
    from postmortem_desktop.services.incidents import IncidentService

    from .facilitator.facilitator_controller import FacilitatorController
    from .importing.import_controller import ImportController
    from .leaving import LeaveGuard
    from .undo import WorkspaceSession

WORKSPACE_SUFFIX = ".pmw"
WORKSPACE_FILTER = f"Postmortem workspaces (*{WORKSPACE_SUFFIX});;All files (*)"


log = logging.getLogger(__name__)

#: what the incident list shows: titles, status, severities (INCIDENT) and both windows' lengths (the customer
#: window comes from the conversations; the technical one and the review window are the incident's own fields)
LIST_SHOWS = DataChange.INCIDENT | DataChange.CONVERSATION
#: said in the status bar while re-reads of teammates' changes cannot reach the team server
SERVER_AWAY_NOTE = "Team server not answering — showing what was last read; reconnecting…"
#: said for a few seconds when the server answers again, so the note above does not just vanish
SERVER_BACK_NOTE = "Team server answering again."
SERVER_BACK_MS = 5000
#: the least width the conversation reader opens at: narrower, it breaks words mid-word
READER_AT_LEAST = 300

class MainWindow(QMainWindow):
    incident_selected = Signal(int)

    def __init__(self, settings: QSettings, parent=None):  # noqa: ANN001
        super().__init__(parent)
        self.settings = settings
        self.setWindowTitle("Postmortem Desktop")
        self.hub = ScreenHub(self)
        self._build_incident_list()
        self._build_screens()
        self.read_only_label = QLabel(self)
        self.statusBar().addPermanentWidget(self.read_only_label)
        self.server_note = QLabel(self)
        self.server_note.setObjectName("server_note")
        self.server_note.hide()
        self.statusBar().addWidget(self.server_note, 1)
        self._build_actions()
        self._build_menus()
        self.hub.navigation_requested.connect(self._on_hub_navigation_requested)
        self.hub.conversation_requested.connect(self._on_hub_conversation_requested)
        self.setAcceptDrops(True)
        #: the reader's width when it first opens after a first launch (0: as remembered)
        self._reader_width = 0
        self._first_launch = False
        self._completed = False
        self._restore_geometry()

    # ---- construction -------------------------------------------------------------------------
    def _build_incident_list(self) -> None:
        self.incident_model = IncidentTableModel(self)
        self.incident_view = QTableView(self)
        self.incident_view.setObjectName("incident_list")
        self.incident_view.setAccessibleName("Incidents")
        self.incident_view.setModel(self.incident_model)
        self.incident_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.incident_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.incident_view.verticalHeader().hide()
        self.incident_view.setWordWrap(False)
        # one column drawn as two lines (title; both durations, severity, status) so the list stays
        # readable when narrow; the other columns stay in the model for sorting and tests
        self.incident_view.setItemDelegateForColumn(IncidentTableModel.COL_TITLE, IncidentListDelegate(self))
        for col in range(1, len(IncidentTableModel.HEADERS)):
            self.incident_view.setColumnHidden(col, True)
        self.incident_view.horizontalHeader().setStretchLastSection(True)
        self.incident_view.horizontalHeader().hide()
        self.incident_view.setShowGrid(False)
        self.incident_view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.incident_view.selectionModel().currentRowChanged.connect(self._on_incident_view_current_changed)
        dock = ThemedDockWidget("Incidents", self)
        dock.setObjectName("incidents_dock")
        # closable, so that View › Incidents can hide and show it (Qt greys the toggle of an unclosable dock)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        self.incident_list_panel = QWidget(dock)
        self.incident_list_layout = QVBoxLayout(self.incident_list_panel)
        self.incident_list_layout.setContentsMargins(0, 0, 0, 0)
        self.incident_list_layout.addWidget(self.incident_view, 1)
        dock.setWidget(self.incident_list_panel)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        self.incidents_dock = dock

    def _build_screens(self) -> None:
        """The tabs, each an empty placeholder until it is first shown (ui/screen_set.py)."""
        self.screens = QTabWidget(self)
        self.screens.setObjectName("screens")
        self.screen_widgets = ScreenSet(self.screens, self.hub)
        self.screens.blockSignals(True)  # the first tab is built with the workspace, after the first paint
        for key, target, title in screens.SCREENS:
            self.screen_widgets.add_tab(key, target, title, build_now=False)
        self.screens.blockSignals(False)
        central = self._central = QWidget(self)
        self._central_layout = QVBoxLayout(central)
        self._central_layout.setContentsMargins(0, 0, 0, 0)
        self._central_layout.setSpacing(0)
        self._central_layout.addWidget(self.screens, 1)
        self.setCentralWidget(central)
        self.docks: dict[str, QDockWidget] = {}

    def _complete(self) -> None:
        """Everything that needs the workspace's code: run once, when the first workspace is opened."""
        if self._completed:
            return
        self._completed = True
        from .facilitator.facilitator_controller import FacilitatorController
        from .importing.import_controller import ImportController

        self.imports: ImportController = ImportController(self.hub, self)
        self.hub.event_import_requested.connect(self.imports.choose_events_file)
        self.facilitator: FacilitatorController = FacilitatorController(self, self, self.hub)
        from .leaving import LeaveGuard

        self.leaving: LeaveGuard = LeaveGuard(self.hub, self._word_holders, self._incident_titles, self)
        from .publish.publish_controller import PublishController

        self.publishing = PublishController(self.hub, self, self.settings)
        self.file_menu.insertActions(self.quit_action, [self.publishing.publish_action, self.publishing.save_action])
        self.file_menu.insertSeparator(self.quit_action)
        first = self.view_menu.actions()[0]
        self.view_menu.insertAction(first, self.facilitator.start_action)
        self.view_menu.insertAction(first, self.facilitator.edit_agenda_action)
        for key, target in screens.STRIPS:
            strip = construct(target, self.hub, self._central)
            self.screen_widgets.add_built(key, strip)
            self._central_layout.addWidget(strip)
        areas = {"left": Qt.DockWidgetArea.LeftDockWidgetArea, "right": Qt.DockWidgetArea.RightDockWidgetArea,
                 "bottom": Qt.DockWidgetArea.BottomDockWidgetArea}
        for key, target, title, area in screens.DOCKS:
            dock = ThemedDockWidget(title, self)
            dock.setObjectName(f"{key}_dock")
            self.screen_widgets.add_dock(key, target, dock)  # its widget is built when it first opens
            if not self.restoreDockWidget(dock):  # where the last session left it, else its area
                self.addDockWidget(areas[area], dock)
            self.docks[key] = dock
            self.view_menu.addAction(dock.toggleViewAction())
        if "reader" in self.docks:
            # It opens empty: it comes back (at its remembered width) when a conversation is opened.
            self.docks["reader"].hide()
            # opened from View › Conversation too: never as a sliver
            self.docks["reader"].visibilityChanged.connect(self._on_reader_visibility_changed)
        self.screen_widgets[screens.SCREENS[self.screens.currentIndex()][0]]  # builds the tab on view

    def show_screen(self, key: str) -> QWidget | None:
        if key not in self.screen_widgets:
            return None
        index = self.screen_widgets.tab_index(key)
        if index >= 0:
            self.screens.setCurrentIndex(index)  # builds it on first show
        elif key in self.docks:
            self.docks[key].show()
            self.docks[key].raise_()
        return self.screen_widgets[key]

    def _on_hub_conversation_requested(self, conversation_id: int, message_id: int) -> None:
        reader = self.docks.get("reader")
        if reader is None:
            return
        first_time = not self.screen_widgets.is_built("reader")
        if reader.isHidden():
            reader.show()
            self._size_reader()
        if first_time:  # built just now, it missed this request
            from .reader.conversation_reader import ConversationReaderWidget

            widget = self.screen_widgets["reader"]
            if isinstance(widget, ConversationReaderWidget):
                widget.show_conversation(conversation_id, message_id)

    def _on_hub_navigation_requested(self, key: str, payload: object) -> None:
        if key == "import":  # e.g. the follow-up's next-week tickets
            self.imports.choose_and_import(**(payload if isinstance(payload, dict) else {}))
            return
        widget = self.show_screen(key)
        if isinstance(widget, FocusingScreen):
            widget.focus_item(payload)

    def _action(self, text: str, slot, shortcut=None, tip: str = "") -> QAction:  # noqa: ANN001
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.new_workspace_action = self._action("&New Workspace…", self._on_new_workspace, "Ctrl+Shift+N")
        self.open_action = self._action("&Open Workspace…", self._on_open_workspace, QKeySequence.StandardKey.Open)
        self.open_team_action = self._action("Open &Team Workspace…", self._on_open_team_workspace, "Ctrl+Shift+O",
                                             "Open a team workspace on a PostgreSQL server")
        self.quit_action = self._action("&Quit", self.close, QKeySequence.StandardKey.Quit)
        self.new_incident_action = self._action("&New Incident…", self._on_new_incident, QKeySequence.StandardKey.New)
        self.delete_incident_action = self._action("&Delete Incident…", self._on_delete_incident, "Ctrl+Shift+Del")
        self.empty_incident_list = EmptyIncidentList(self.hub, self.incident_model, self.new_incident_action,
                                                     self.open_action, self.incident_list_panel)
        self.incident_list_layout.addWidget(self.empty_incident_list, 1)
        # the import controller comes with the workspace (_complete); until then these wait, disabled
        self.import_action = self._action("&Import Tickets…", lambda: self.imports.choose_and_import(), "Ctrl+I",
                                          "Import a ticket dump (CSV, TSV, XLSX, ODS) into this incident")
        self.import_events_action = self._action(
            "Import System &Events…", lambda: self.imports.choose_events_file(), "Ctrl+Shift+E",
            "Import a status page, paging, alerting, deploy or log file as system events")
        self.paste_action = self._action("&Paste Conversation", lambda: self.imports.paste_from_clipboard(),
                                         QKeySequence.StandardKey.Paste,
                                         "Add the conversation on the clipboard (chat, email thread, notes)")
        self.call_note_action = self._action("New &Call Note…", lambda: self.imports.add_note("call"), "Ctrl+Shift+C")
        self.internal_note_action = self._action("New Internal &Message…", lambda: self.imports.add_note("internal"),
                                                 "Ctrl+Shift+M")
        self.undo_action = QAction("&Undo", self)
        self.redo_action = QAction("&Redo", self)
        self.about_action = self._action("&About", self._on_about)
        self.shortcuts_action = self._action("&Keyboard Shortcuts", self._on_shortcuts, "F1")
        for action in self._workspace_actions():
            action.setEnabled(False)

    def _workspace_actions(self) -> tuple[QAction, ...]:
        """Actions that need an open, writable workspace."""
        return (self.new_incident_action, self.delete_incident_action, self.import_action, self.import_events_action,
                self.paste_action, self.call_note_action, self.internal_note_action)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = self.file_menu = bar.addMenu("&File")
        file_menu.addAction(self.new_workspace_action)
        file_menu.addAction(self.open_action)
        file_menu.addAction(self.open_team_action)
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        self.edit_menu = bar.addMenu("&Edit")
        self.view_menu = bar.addMenu("&View")  # facilitator mode and the docks join it in _complete
        self.view_menu.addMenu(ThemeMenu(self.settings, self.view_menu))
        self.view_menu.addSeparator()
        self.view_menu.addAction(self.incidents_dock.toggleViewAction())
        incident_menu = bar.addMenu("&Incident")
        incident_menu.addAction(self.new_incident_action)
        incident_menu.addAction(self.delete_incident_action)
        incident_menu.addSeparator()
        for action in (self.import_action, self.import_events_action, self.paste_action, self.call_note_action,
                       self.internal_note_action):
            incident_menu.addAction(action)
        self.incident_menu = incident_menu
        self.help_menu = bar.addMenu("&Help")
        self.help_menu.addAction(self.shortcuts_action)
        self.help_menu.addAction(self.about_action)

    # ---- workspace ------------------------------------------------------------------------------
    # The hub owns the session and the selected incident; these read its state for the window's own code
    # (and tests), they keep no copy.
    @property
    def session(self) -> WorkspaceSession | None:
        return self.hub.session

    @property
    def incident_id(self) -> int:
        return self.hub.incident_id

    def set_session(self, session: WorkspaceSession) -> None:
        from postmortem_desktop.services.settings import get_setting

        self._complete()
        self.screens.setEnabled(True)
        # an incident picked in the first look (ui/app.py) stays picked once the workspace is open
        picked = self.hub.incident_id if self.hub.session is None else -1
        self.hub.close_session()
        self.edit_menu.clear()
        self.undo_action, self.redo_action = self._undo_actions(session)
        # Ctrl+Shift+Z first (the key), Ctrl+Y as well; on Linux StandardKey.Redo *is*
        # Ctrl+Shift+Z, and a key listed twice makes Qt call the shortcut ambiguous and ignore it
        keys: dict[str, QKeySequence] = {}
        for key in (QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y"),
                    *QKeySequence.keyBindings(QKeySequence.StandardKey.Redo)):
            keys.setdefault(key.toString(), key)
        self.redo_action.setShortcuts(list(keys.values()))
        self.edit_menu.addAction(self.undo_action)
        self.edit_menu.addAction(self.redo_action)
        session.workspace_changed.connect(self._on_session_workspace_changed)
        session.step_failed.connect(self._on_step_failed)
        session.server_unreachable.connect(self._on_session_server_unreachable)
        session.feed_reconnected.connect(self._on_session_feed_reconnected)
        session.waiting_for_teammate.connect(self._on_session_waiting_for_teammate)
        session.waiting_over.connect(self._on_session_waiting_over)
        self.server_note.hide()  # said of the workspace open before, if any
        session.long_step_runner = self._run_long_step
        self.hub.set_session(session, get_setting(session.workspace, "display_timezone", "UTC"))
        ws = session.workspace
        self.setWindowTitle(f"{ws.name} — Postmortem Desktop" + (" (read-only)" if ws.read_only else "")
                            + (f" — {ws.user}" if ws.user else ""))  # a team workspace: whom edits are by
        # the first sentence says why (another window, another process, a read-only folder, hard links, a role)
        self.read_only_label.setText(short_reason(ws).rstrip("."))
        self.read_only_label.setToolTip(ws.read_only_reason if ws.read_only else "")
        for action in self._workspace_actions():
            action.setEnabled(not ws.read_only)
        # a team workspace by its address without password (storage/workspace_kind.shown_address)
        recent_files.remember_workspace(self.settings, ws.path if ws.files else ws.name)
        self.refresh_incidents()
        if self.incident_model.rowCount() and self.incident_id < 0:
            keep = self.incident_model.row_of(picked) >= 0
            self.select_incident(picked if keep else self.incident_model.summary(0).id)

    def show_first_look(self, look: FirstLook) -> QWidget | None:
        """The workspace's first screen, read before it is opened (ui/app.py): the incident list and, when
        it is the tab on view, the timeline; the widget that draws the timeline, None when not shown.

        set_session then replaces both with the same content, live (tests/ui/test_startup.py)."""
        self.hub.zone_name = look.zone_name
        self.incident_model.set_rows(look.incidents)
        if look.incident_id >= 0:
            self.select_incident(look.incident_id)
        if look.timeline is None or screens.SCREENS[self.screens.currentIndex()][0] != "timeline":
            return None
        from .timeline.timeline_screen import TimelineScreen

        timeline = self.screen_widgets["timeline"]  # built now, on view
        if not isinstance(timeline, TimelineScreen):
            return None
        timeline.show_first_look(look.timeline)
        return timeline.view.viewport()

    def open_path(self, path: Path | str) -> bool:
        """Opens a workspace file, or a team workspace from its postgresql:// URL (asking for its password
        when neither the keyring nor libpq has it)."""
        from postmortem_desktop.storage.workspace_kind import WorkspaceKind, kind_of

        if kind_of(path) is WorkspaceKind.TEAM:
            from . import team_opening

            opened = team_opening.open_address(self, str(path))
            if not opened:
                self.forget_first_look()  # the address refused, or its password not given: as for a refused file
            return opened
        refusal = self.try_open(path)
        if refusal is not None:
            self.forget_first_look()  # before the message: it never stands over a refused file's content
            show_refusal(self, "Cannot open workspace", refusal)
        return refusal is None

    def forget_first_look(self) -> None:
        """Clears what a first look showed of a file that was then refused, so nothing of it stays on screen:
        the window is left as before any workspace (File › Open, New and Recent still work). A window with
        a workspace open shows no first look, and keeps that workspace."""
        if self.hub.session is not None:
            return
        # nothing open: the screens' buttons (+ Column, Suggest Tags…) would act on no workspace
        self.screens.setEnabled(False)
        self.incident_model.set_rows([])
        self.hub.zone_name = "UTC"
        self._show_incident(-1)
        self.empty_incident_list.show_nothing_open()
        if self.screen_widgets.is_built("timeline"):
            from .timeline.timeline_screen import TimelineScreen

            timeline = self.screen_widgets["timeline"]
            if isinstance(timeline, TimelineScreen):
                timeline.refresh()  # with no workspace open: nothing drawn, nothing to zoom

    def try_open(self, target: Path | str, *, password: str | None = None, create: bool = False) -> Exception | None:
        """The one way a workspace of either kind is opened (or, asked to, created) and shown; the
        WorkspaceError saying why not, for the caller to show, when it was not."""
        from postmortem_desktop.storage.workspace import WorkspaceError, create_workspace, open_workspace

        from .undo import WorkspaceSession

        try:
            workspace = create_workspace(target, password=password) if create else \
                open_workspace(target, password=password)
        except WorkspaceError as exc:
            return exc
        self.set_session(WorkspaceSession(workspace, self))
        return None

    # ---- words not saved yet: asked for before they would be dropped (ui/leaving.py) ----------------
    def _word_holders(self) -> list[KeepsUnsavedWords]:
        built = [self.screen_widgets[key] for key in self.screen_widgets if self.screen_widgets.is_built(key)]
        return [holder for holder in (*built, self.facilitator) if isinstance(holder, KeepsUnsavedWords)]

    def _incident_titles(self) -> dict[int, str]:
        summaries = (self.incident_model.summary(row) for row in range(self.incident_model.rowCount()))
        return {summary.id: summary.title for summary in summaries}

    def may_leave_workspace(self) -> bool:
        """Before another workspace replaces this one: True when no typed words would be lost (or the person
        chose to go on, with a copy of them kept)."""
        return not self._completed or self.leaving.may_leave(Leaving.OPEN)

    def _on_new_workspace(self) -> None:
        path = ask_new_workspace_path(self, "New Workspace", str(Path.home() / "Incidents.pmw"), WORKSPACE_FILTER)
        if path is None or not self.may_leave_workspace():
            return
        from postmortem_desktop.storage.workspace import WorkspaceError, create_workspace

        from .undo import WorkspaceSession

        try:
            workspace = create_workspace(path)
        except WorkspaceError as exc:
            show_refusal(self, "Cannot create workspace", exc)
            return
        self.set_session(WorkspaceSession(workspace, self))

    def _on_open_team_workspace(self) -> None:
        from . import team_opening

        if self.may_leave_workspace():
            team_opening.choose_and_open(self)

    def _on_open_workspace(self) -> None:
        path = choose_file_to_open(self, "Open Workspace", self.hub.workspace, WORKSPACE_FILTER)
        if path is not None and self.may_leave_workspace():
            self.open_path(path)

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        for number, path in enumerate(recent_files.recent_workspaces(self.settings), start=1):
            # "&&": an address's options (?sslmode=require&sslrootcert=…) or a file's name may hold an "&"
            action = self.recent_menu.addAction(f"&{number} {path.replace('&', '&&')}")
            action.triggered.connect(lambda _checked=False, p=path: self._open_recent(p))
        if self.recent_menu.isEmpty():
            self.recent_menu.addAction("(none yet)").setEnabled(False)

    def _open_recent(self, shown: str) -> None:
        if self.may_leave_workspace():
            self.open_path(recent_files.target_of(shown))

    # ---- incidents ------------------------------------------------------------------------------
    @property
    def incident_service(self) -> IncidentService:
        from postmortem_desktop.services.incidents import IncidentService

        return IncidentService(self.hub.open_session.workspace)

    def refresh_incidents(self) -> None:
        keep = self.incident_id
        self.incident_model.set_rows(self.incident_service.list_incidents())
        row = self.incident_model.row_of(keep)
        if row < 0 and keep >= 0 and self.incident_model.rowCount():
            row = 0  # the shown incident went away (deleted): show the next one rather than nothing
        if row >= 0:
            self.incident_view.selectionModel().setCurrentIndex(
                self.incident_model.index(row, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        else:
            self._show_incident(-1)

    def select_incident(self, incident_id: int) -> None:
        row = self.incident_model.row_of(incident_id)
        if row >= 0:
            self.incident_view.selectionModel().setCurrentIndex(
                self.incident_model.index(row, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)

    def _on_incident_view_current_changed(self, current, _previous) -> None:  # noqa: ANN001
        incident_id = current.data(IncidentTableModel.ID_ROLE) if current.isValid() else -1
        incident_id = incident_id if incident_id is not None else -1
        leaving = self.hub.incident_id
        if incident_id != leaving and not self._can_read(incident_id, leaving):
            self._stay_on(leaving)  # the list and the screens go on showing the same incident
            return
        # words typed for the incident on view go with it, unless saved or copied first; one a teammate
        # deleted is not there to stay on (the review copies them with a note saying so)
        if self._completed and incident_id != leaving and self.incident_model.row_of(leaving) >= 0:
            if not self.leaving.may_leave(Leaving.SWITCH, leaving):
                self._stay_on(leaving)  # stays: the list shows the incident still on view
                return
            self.select_incident(incident_id)  # a re-read while the dialog was open may have moved the list
        self._show_incident(incident_id)

    def _stay_on(self, incident_id: int) -> None:
        """Puts the list back on the incident the screens show, now and once the click that moved it is over.

        A mouse press moves the current row first (which runs the switch) and selects the clicked row after: put
        back only now, the list would go on highlighting the clicked row while the screens show another."""
        self.select_incident(incident_id)
        QTimer.singleShot(0, self, lambda: self.select_incident(self.hub.incident_id))

    def _can_read(self, incident_id: int, shown: int) -> bool:
        """Whether the team server answers a read of the incident about to be shown; when not, the person is told
        once, and the screens stay on the one they show (a switch read half-way would leave the list on one
        incident and the screens on another). A file always answers; no incident needs no read."""
        from postmortem_desktop.domain.errors import MissingIncident
        from postmortem_desktop.storage.errors import ServerUnavailableError
        from postmortem_desktop.storage.workspace_kind import WorkspaceKind

        workspace = self.hub.workspace
        if incident_id < 0 or workspace is None or workspace.kind is not WorkspaceKind.TEAM:
            return True
        try:
            self.incident_service.get(incident_id)
        except ServerUnavailableError as exc:
            titles = self._incident_titles()
            from . import server_away

            # with its number: a published copy may bear the same title as the incident it was copied beside
            still = f" The screens still show “{titles[shown]}” (#{shown}) as last read." if shown in titles else ""
            chosen = f"“{titles[incident_id]}” (#{incident_id})" if incident_id in titles else "the incident"
            server_away.tell(self, f"Could not read {chosen}: the team server is "
                             f"not answering.{still} The app reconnects by itself; choose it again once the "
                             "status bar no longer says the server is away.", str(exc))
            self._on_session_server_unreachable(str(exc))
            return False
        except MissingIncident:
            return True  # a teammate deleted it: the list's own re-read shows that
        return True

    def _show_incident(self, incident_id: int) -> None:
        changed = incident_id != self.hub.incident_id
        self.hub.set_incident(incident_id)
        if changed:
            self.incident_selected.emit(incident_id)

    # ---- undo and redo ------------------------------------------------------------------------------
    def _undo_actions(self, session: WorkspaceSession) -> tuple[QAction, QAction]:
        """Edit › Undo and Redo, through the session: the stack moves only when the record did."""
        stack = session.undo_stack
        undo = QAction("&Undo", self)
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        undo.triggered.connect(session.undo)
        redo = QAction("&Redo", self)
        redo.triggered.connect(session.redo)
        for action, prefix, can, text, can_changed, text_changed in (
                (undo, "&Undo", stack.canUndo, stack.undoText, stack.canUndoChanged, stack.undoTextChanged),
                (redo, "&Redo", stack.canRedo, stack.redoText, stack.canRedoChanged, stack.redoTextChanged)):
            action.setEnabled(can())
            action.setText(f"{prefix} {text()}".strip())
            can_changed.connect(action.setEnabled)
            text_changed.connect(lambda value, a=action, p=prefix: a.setText(f"{p} {value}".strip()))
        return undo, redo

    def _run_long_step(self, label: str, make_generator, on_done, on_failed) -> None:  # noqa: ANN001
        session = self.hub.open_session
        run_with_progress(self, session, f"{label}…", make_generator, lambda _result: on_done(), on_failed,
                          on_cancelled=session.step_cancelled, cancel_text=f"Cancel ({label.split()[0].lower()} "
                          "nothing)", writes=True)

    def _on_step_failed(self, label: str, exc: BaseException) -> None:
        from postmortem_desktop.services.commands import ChangedSince, RuleError
        from postmortem_desktop.storage.workspace import WorkspaceError

        if isinstance(exc, ChangedSince) and exc.undoing and label.startswith("Undo "):
            # the step stays refused while the teammate's change stands: the person may skip it to reach earlier ones
            session = self.hub.session
            refused = session.step_to_undo() if session is not None else None
            if session is not None and refused is not None and offer_to_skip_step(self, exc) \
                    and session is self.hub.session:  # the same workspace still open when the person answered
                session.skip_refused_undo(refused)
            return
        if isinstance(exc, (RuleError, WorkspaceError)):
            show_refusal(self, f"{label.split()[0]} not possible", exc)
            return
        log.error("%s failed", label, exc_info=exc)
        show_refusal(self, f"{label.split()[0]} not possible",
                     RuntimeError(f"{label} failed ({type(exc).__name__}: {exc}). Nothing changed; the details "
                                  "were written to the log file."))

    def _on_new_incident(self) -> None:
        from postmortem_desktop.services.incidents import CreateIncident

        from .incidents.new_incident_dialog import NewIncidentDialog

        dialog = NewIncidentDialog(self.hub.zone_name, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        command = CreateIncident(**dialog.values())
        if self.hub.run(command) and command.incident_id is not None:  # do() sets it
            self.select_incident(command.incident_id)

    def _on_delete_incident(self) -> None:
        from postmortem_desktop.services.incidents import DeleteIncident

        if self.incident_id < 0:
            return
        details = self.incident_service.get(self.incident_id)
        answer = QMessageBox.question(
            self, "Delete Incident",
            f"Delete incident #{details.id} “{details.title}” with all its conversations, quotes and action items?\n\n"
            "You can undo this with Edit › Undo.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel)
        if answer == QMessageBox.StandardButton.Yes:
            self.hub.run(DeleteIncident(self.incident_id, details.title))

    def _on_session_workspace_changed(self, changes: DataChange, incident_id: int, initiator: object) -> None:
        if not changes & LIST_SHOWS:
            return
        if incident_id >= 0 and changes != DataChange.everything() and self.incident_model.row_of(incident_id) >= 0:
            self._refresh_incident_row(incident_id)  # one incident changed: its row, not every incident's windows
        else:
            self.refresh_incidents()
        from .team_feed import Teammate  # here: it loads the storage layer, which must wait for first paint

        # an edit or undo of the person's own brings its incident forward; a teammate's never moves them
        if isinstance(initiator, Teammate):
            return
        if incident_id >= 0 and incident_id != self.incident_id and self.incident_model.row_of(incident_id) >= 0:
            self.select_incident(incident_id)

    def _refresh_incident_row(self, incident_id: int) -> None:
        order, summary = self.incident_service.list_one(incident_id)
        if summary is None or order != self.incident_model.ids():  # gone, or moved in the list: all of it
            self.refresh_incidents()
        else:
            self.incident_model.replace_row(summary)

    def _on_session_server_unreachable(self, message: str) -> None:
        self.server_note.setText(SERVER_AWAY_NOTE)
        self.server_note.setToolTip(message)  # the server's own words, for whoever wants the details
        self.server_note.show()

    def _on_session_feed_reconnected(self) -> None:
        if self.server_note.isHidden():
            return  # nothing said it was away
        self.server_note.hide()
        if not self.statusBar().currentMessage():  # never over a message still in force (waiting for an import)
            self.statusBar().showMessage(SERVER_BACK_NOTE, SERVER_BACK_MS)

    def _on_session_waiting_for_teammate(self, message: str) -> None:
        self.statusBar().showMessage(message)
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        self.statusBar().repaint()  # now: the edit holds the event loop until the teammate's import commits

    def _on_session_waiting_over(self) -> None:
        QGuiApplication.restoreOverrideCursor()
        self.statusBar().clearMessage()

    # ---- drops: files go to the right importer, text to the paste dialog ------------------------------
    def dragEnterEvent(self, event) -> None:  # noqa: ANN001
        if event.mimeData().hasUrls() or event.mimeData().hasText():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: ANN001
        mime = event.mimeData()
        files = [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]
        workspaces = [path for path in files if path.suffix.lower() == WORKSPACE_SUFFIX]
        if workspaces:  # a workspace is opened, as by File › Open (and refused the same way), never imported
            if self.may_leave_workspace():
                self.open_path(workspaces[0])
            event.acceptProposedAction()
            return
        if self.hub.session is None:  # still opening, or none open: nothing to add it to yet
            return
        if files:
            for path in files:
                self.imports.route_dropped_file(path)
        elif mime.hasText():
            self.imports.paste_text(mime.text(), "dropped text")
        event.acceptProposedAction()

    def _on_shortcuts(self) -> None:
        show_shortcuts(self)

    def _on_about(self) -> None:
        from . import about

        about.show_about(self)

    # ---- window state ---------------------------------------------------------------------------
    def _restore_geometry(self) -> None:
        """The remembered window, made usable on today's screen; a first launch's when none can be used.

        Qt refuses a geometry saved on a screen of another width (and damaged bytes): the window would then
        keep its bare default size (466x250 on a 1280x720 screen), so it opens as on a first launch instead.

        The docks' state is restored first, while the window is neither maximised nor full screen. Restored
        into a hidden maximised window it does not fit (saved on a bigger screen), Qt keeps a copy of it to
        apply at a later resize, with pointers to the layout's items as they were; facilitator mode then
        replaces the central widget, which deletes one of those items, and the next layout of the window
        (a theme change, F5 itself) read freed memory: a segfault.
        """
        geometry = self.settings.value("main_window/geometry")
        state = self.settings.value("main_window/state")
        # the docks built later take their places from the state (_complete)
        restored = isinstance(state, QByteArray | bytes) and self.restoreState(state)
        if isinstance(geometry, QByteArray | bytes) and self.restoreGeometry(geometry):
            self._fit_to_screen()
        else:
            self._first_geometry()
        if not restored:
            self._first_layout()

    def _fit_to_screen(self) -> None:
        """Clamps a restored geometry to the free area of the screen it landed on; maximised stays maximised."""
        screen = QGuiApplication.screenAt(self.geometry().center()) or self.screen()
        if screen is None:
            return
        free = screen.availableGeometry()
        if self.windowState() & (Qt.WindowState.WindowMaximized | Qt.WindowState.WindowFullScreen):
            self.setGeometry(free)  # what maximised means without a window manager (as on a first launch)
            self.setWindowState(Qt.WindowState.WindowMaximized)
        else:
            self.setGeometry(usable_geometry(self.geometry(), free))

    def _first_geometry(self) -> None:
        """A first launch fills the screen it opens on: 90% of a large one, a small one maximised."""
        screen = self.screen()
        if screen is None:
            self.resize(1280, 800)
            return
        rect = first_window_geometry(screen.availableGeometry())
        if rect is None:
            self.setGeometry(screen.availableGeometry())  # what maximised means without a window manager
            self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)
        else:
            self.setGeometry(rect)

    def _first_layout(self) -> None:
        """Dock widths for a first start: the screens get the room; the reader waits for a conversation."""
        share = round(self.width() * 0.2)
        self.resizeDocks([self.incidents_dock], [max(240, min(share, 380))], Qt.Orientation.Horizontal)
        self._first_launch = True
        self._reader_width = self._first_reader_width()

    def _first_reader_width(self) -> int:
        return max(360, min(round(self.width() * 0.25), 520))

    def _on_reader_visibility_changed(self, shown: bool) -> None:
        if shown:
            self._size_reader()

    def _size_reader(self) -> None:
        """The reader as it opens: at a first launch's width, else as remembered, unless that is too narrow to read.
        A window closed before the reader was ever opened remembers it as a sliver (about 80 px), and every later
        session opened it so: words broken mid-word, its buttons reading "ake Quote (". """
        reader = self.docks["reader"]
        width = self._reader_width or (self._first_reader_width() if reader.width() < READER_AT_LEAST else 0)
        if width:
            self.resizeDocks([reader], [width], Qt.Orientation.Horizontal)
        self._reader_width = 0

    def closeEvent(self, event) -> None:  # noqa: ANN001
        if self._completed and not self.leaving.may_leave(Leaving.QUIT):
            event.ignore()  # the person stays: their words are still in the fields
            return
        if self._completed:
            self.facilitator.stop()  # so the full-screen geometry is not remembered
        self.settings.setValue("main_window/geometry", self.saveGeometry())
        self.settings.setValue("main_window/state", self.saveState())
        self.hub.close_session()
        super().closeEvent(event)
