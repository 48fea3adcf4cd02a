"""File › Publish to Team Workspace… and File › Save Incident as File…: the copies of services/publish.py run
on a worker behind a progress dialog with Cancel; the result, or why not, said in a message."""
from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from postmortem_desktop.domain.changes import DataChange
from postmortem_desktop.services import publish
from postmortem_desktop.services.commands import WORKSPACE_WIDE
from postmortem_desktop.services.incidents import IncidentService
from postmortem_desktop.storage.errors import PasswordNeededError, PasswordRejectedError
from postmortem_desktop.storage.team_passwords import stored_password, where_kept
from postmortem_desktop.storage.workspace import open_workspace
from postmortem_desktop.storage.workspace_kind import WorkspaceKind, kind_of, password_in, shown_address

from ..file_dialogs import ask_new_workspace_path
from ..progress import run_with_progress
from ..recent_files import recent_workspaces
from .publish_dialog import PublishDialog

if TYPE_CHECKING:
    from ..hub import ScreenHub

WORKSPACE_FILTER = "Postmortem workspaces (*.pmw);;All files (*)"


class PublishController(QObject):
    def __init__(self, hub: ScreenHub, window: QWidget, settings: QSettings):
        super().__init__(window)
        self.hub = hub
        self.window = window
        self.settings = settings
        self.publish_action = QAction("&Publish to Team Workspace…", window)
        self.publish_action.setStatusTip("Copy this workspace's incidents (or the selected one) to a team workspace")
        self.publish_action.triggered.connect(self.choose_and_publish)
        self.save_action = QAction("Save Incident as &File…", window)
        self.save_action.setStatusTip("Save the selected incident of this team workspace into a new workspace file")
        self.save_action.triggered.connect(self.choose_and_save)
        #: the last message shown, and what it said: the copy's result or why not (tests read these, not its text)
        self.last_message: QMessageBox | None = None
        self.last_result: publish.CopyResult | None = None
        self.last_refusal: BaseException | None = None
        hub.session_changed.connect(self._update_actions)
        hub.incident_changed.connect(self._update_actions)
        self._update_actions()

    def _update_actions(self) -> None:
        ws = self.hub.workspace
        self.publish_action.setEnabled(ws is not None and ws.kind is WorkspaceKind.FILE)
        self.save_action.setEnabled(ws is not None and ws.kind is WorkspaceKind.TEAM and self.hub.incident_id > 0)

    # ---- publish ----------------------------------------------------------------------------------------

    def choose_and_publish(self) -> None:
        incidents = IncidentService(self.hub.workspace).list_incidents()
        selected = next((i.title for i in incidents if i.id == self.hub.incident_id), "")
        recent = [url for url in recent_workspaces(self.settings) if kind_of(url) is WorkspaceKind.TEAM]
        # a meeting file goes back where it was saved from: offered first, so nobody types it again
        saved_from = publish.saved_from(self.hub.workspace, self.hub.incident_id)
        dialog = PublishDialog(recent, selected, len(incidents), self.window, saved_from=saved_from)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.publish_to(dialog.url, [self.hub.incident_id] if dialog.only_selected.isChecked() else None)

    def publish_to(self, url: str, incident_ids: list[int] | None, *, as_copy: bool = False,
                   bring_back: bool = False, password: str | None = None) -> None:
        """Publishes on a worker (the server is reached there too, so the window never waits on it).

        password: as the person typed it when the server asked (ask_password); kept nowhere."""
        source = self.hub.workspace
        again = {"as_copy": as_copy, "bring_back": bring_back, "password": password}

        def steps() -> publish.Steps:
            # the password typed, else the one the person kept in the keyring when opening it (File › Open Team
            # Workspace…), else libpq's own sources; read here on the worker, as the keyring may take a moment
            given = password if password is not None else None if password_in(url) else stored_password(url)
            target = open_workspace(url, password=given)
            try:
                return (yield from publish.copy_steps(source, target, incident_ids, as_copy=as_copy,
                                                      bring_back=bring_back))
            finally:
                target.close()

        run_with_progress(self.window, self.hub.open_session, "Publishing to the team workspace", steps,
                          self._published, lambda exc: self._publish_failed(exc, url, incident_ids, again),
                          cancel_text="Cancel (publish nothing)")

    def _published(self, result: object) -> None:
        assert isinstance(result, publish.CopyResult)
        self.last_result = result
        back = (" It replaced the one there, which nobody had changed since this file was saved from it."
                if result.brought_back else "")
        if result.deleted_there:
            numbers = ", ".join(f"#{incident_id}" for incident_id in result.deleted_there)
            back += (f" The team's copy had been deleted there since this file was saved from it, so it came back as "
                     f"a new incident ({numbers}).")
        session = self.hub.session
        if session is not None and (result.brought_back or result.deleted_there):
            # a meeting file notes the bring back in its incidents' histories: the screens read them again (as a
            # change of the whole file, which selects no other incident)
            session.workspace_changed.emit(DataChange.INCIDENT, WORKSPACE_WIDE, self)
        self._tell("Published", f"Published {_incidents(result)} to {result.target}.{back}", _details(result))

    def _publish_failed(self, exc: BaseException, url: str, incident_ids: list[int] | None, again: dict) -> None:
        if isinstance(exc, (PasswordNeededError, PasswordRejectedError)):
            # the dialog has no password field (an address is remembered, a password must not be): ask for it here
            ask_password(self.window, url, exc,
                         lambda password: self.publish_to(url, incident_ids, **{**again, "password": password}))
            return
        if not isinstance(exc, publish.AlreadyInTarget):
            self._refuse("Publish not possible", exc)
            return
        self.last_refusal = exc
        box = QMessageBox(QMessageBox.Icon.Question, "Already published", str(exc),
                          QMessageBox.StandardButton.Cancel, self.window)
        if exc.may_bring_back:  # nobody changed it there since this file was saved from it: no one's edit is lost
            back = box.addButton("Bring Changes Back", QMessageBox.ButtonRole.AcceptRole)
            back.clicked.connect(lambda: self.publish_to(url, incident_ids, bring_back=True,
                                                         password=again["password"]))
            box.setDefaultButton(back)
        copy = box.addButton("Publish as a Copy", QMessageBox.ButtonRole.AcceptRole)
        box.setObjectName("already_published_box")
        copy.clicked.connect(lambda: self.publish_to(url, incident_ids, as_copy=True, password=again["password"]))
        self._show(box)

    # ---- save as file -----------------------------------------------------------------------------------

    def choose_and_save(self) -> None:
        incident = IncidentService(self.hub.workspace).get(self.hub.incident_id)
        suggested = Path.home() / f"{_file_stem(incident.title)}.pmw"
        target = ask_new_workspace_path(self.window, "Save Incident as File", str(suggested), WORKSPACE_FILTER)
        if target is not None:
            self.save_to(target)

    def save_to(self, path: Path) -> None:
        source, incident_id = self.hub.workspace, self.hub.incident_id
        run_with_progress(self.window, self.hub.open_session, "Saving the incident as a file",
                          lambda: publish.save_steps(source, path, incident_id),
                          lambda result: self._saved(result, path),
                          lambda exc: self._refuse("Save not possible", exc), cancel_text="Cancel (save nothing)")

    def _saved(self, result: object, path: Path) -> None:
        assert isinstance(result, publish.CopyResult)
        self.last_result = result
        self._tell("Saved", f"Saved {_incidents(result)} to {path}. Open that file to work on it without the "
                   "network, then publish it back: its changes come back into the team's incident if nobody "
                   "changed that one meanwhile, or else as a copy beside it.", _details(result))

    # ---- messages ---------------------------------------------------------------------------------------

    def _tell(self, title: str, text: str, details: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, title, text, QMessageBox.StandardButton.Ok, self.window)
        box.setInformativeText(details)
        box.setObjectName("publish_result_box")
        self._show(box)

    def _refuse(self, title: str, exc: BaseException) -> None:
        from postmortem_desktop.services.commands import RuleError
        from postmortem_desktop.storage.workspace import WorkspaceError

        if not isinstance(exc, (RuleError, WorkspaceError)):
            raise exc  # a bug: the app's error hook logs and shows it
        self.last_refusal = exc
        box = QMessageBox(QMessageBox.Icon.Warning, title, str(exc), QMessageBox.StandardButton.Ok, self.window)
        box.setObjectName("publish_refusal_box")
        self._show(box)

    def _show(self, box: QMessageBox) -> None:
        self.last_message = box
        box.open()  # not exec(): the result arrives from a worker's signal, and tests can answer it


def ask_password(window: QWidget, url: str, refusal: BaseException, then: Callable[[str], None]) -> QDialog:
    """Asks for the password of the team workspace at url; `then` gets it once typed (not on Cancel). Not kept
    anywhere: File › Open Team Workspace… is where the person may choose to keep it.

    Opened, not exec'd: it is asked from a worker's signal, and a nested event loop there would let the worker's
    and the change feed's next signals in while it waits (hub.run says why that breaks)."""
    said = "That password was refused. " if isinstance(refusal, PasswordRejectedError) else ""
    dialog = QDialog(window)
    dialog.setWindowTitle("Password for the team workspace")
    dialog.setObjectName("publish_password_dialog")
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    text = QLabel(f"{said}{shown_address(url)} asks for a password to publish. It is used for this publish only; "
                  f"File › Open Team Workspace… can keep it in {where_kept()}.", dialog)
    text.setWordWrap(True)  # a long address must not stretch the box across the screen
    text.setTextFormat(Qt.TextFormat.PlainText)
    field = QLineEdit(dialog)
    field.setEchoMode(QLineEdit.EchoMode.Password)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, dialog)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addWidget(text)
    layout.addWidget(field)
    layout.addWidget(buttons)
    dialog.setMinimumWidth(440)

    def finished(result: int) -> None:
        password = field.text()
        dialog.deleteLater()  # the password typed in it goes with it
        if result == QDialog.DialogCode.Accepted and password:
            then(password)

    dialog.finished.connect(finished)
    dialog.open()
    return dialog


def _incidents(result: publish.CopyResult) -> str:
    titles = ", ".join(f"“{i.title}”" for i in result.incidents)
    return f"1 incident ({titles})" if len(result.incidents) == 1 else f"{len(result.incidents)} incidents ({titles})"


def _details(result: publish.CopyResult) -> str:
    renumbered = {name: n for name, n in result.new_ids.items() if n}
    ids = ("Every id was kept." if not renumbered else
           "Some ids were taken there, so these got new ones (every link follows): "
           + ", ".join(f"{name.replace('_', ' ')} {n}" for name, n in renumbered.items()) + ".")
    added = f" Tags added: {', '.join(result.tags_added)}." if result.tags_added else ""
    left = (" Left out, as they need rows the source no longer has: "
            + ", ".join(f"{name.replace('_', ' ')} {n}" for name, n in result.left_out.items()) + "."
            ) if result.left_out else ""
    return f"{sum(result.rows.values()):,} rows copied. {ids}{added}{left}"


def _file_stem(title: str) -> str:
    return re.sub(r"[^\w\- ]+", "", title).strip()[:60] or "Incident"
