"""Asks where to publish: a team workspace's address (recent ones offered) and which incidents."""
from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from postmortem_desktop.storage.team_passwords import keyring_missing_reason, pgpass_file
from postmortem_desktop.storage.workspace_kind import address_key, shown_address

ADDRESS_HINT = "postgresql://USER@HOST:PORT/DATABASE"


class PublishDialog(QDialog):
    """The address (typed, or one of the recent team workspaces) and: the selected incident, or all.

    saved_from: the team workspace a meeting file was saved from, offered first and chosen (the person may change
    it); "" for any other file."""

    def __init__(self, recent_urls: list[str], incident_title: str, incident_count: int,
                 parent: QWidget | None = None, *, saved_from: str = ""):
        super().__init__(parent)
        if saved_from:
            recent_urls = [saved_from, *(u for u in recent_urls if address_key(u) != address_key(saved_from))]
        self.setWindowTitle("Publish to Team Workspace")
        self.setObjectName("publish_dialog")
        self.address = QComboBox(self)
        self.address.setEditable(True)
        self.address.addItems(recent_urls)
        self.address.setObjectName("publish_address")
        edit = self.address.lineEdit()  # there is one: the combo is editable
        if edit is not None:
            edit.setPlaceholderText(ADDRESS_HINT)
        self.address.setMinimumContentsLength(40)
        if edit is not None:  # an address longer than the box shows from its start (a chosen one too), not its end
            self.address.currentIndexChanged.connect(lambda _index: edit.setCursorPosition(0))
            edit.setCursorPosition(0)
        self.only_selected = QRadioButton(f"The selected incident: “{incident_title}”", self)
        self.every_incident = QRadioButton("The workspace's only incident" if incident_count == 1 else
                                           f"All {incident_count} incidents of this workspace", self)
        self.only_selected.setEnabled(bool(incident_title))
        (self.only_selected if incident_title else self.every_incident).setChecked(True)
        #: a workspace of one incident: both choices would mean the same, so only the one checked is offered
        self.one_choice = incident_count == 1
        note = QLabel("Everything of each incident is copied in one step, with its history and who made each "
                      "edit; nothing is left half-copied if the connection is lost or you cancel. Give no "
                      f"password in the address: it is read from {_password_sources()}, or asked for when none "
                      "is found there.", self)
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.publish_button = buttons.addButton("Publish", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.address.currentTextChanged.connect(self._check)
        form = QFormLayout()
        form.addRow("Team workspace:", self.address)
        if saved_from:
            came_from = QLabel(f"This file was saved for a meeting from {shown_address(saved_from)}.", self)
            came_from.setWordWrap(True)
            form.addRow("", came_from)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.only_selected)
        layout.addWidget(self.every_incident)
        if self.one_choice:
            (self.every_incident if incident_title else self.only_selected).setVisible(False)
        elif not incident_title:  # none selected: "The selected incident: “”" offered nothing
            self.only_selected.setVisible(False)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self._check()

    @property
    def url(self) -> str:
        return self.address.currentText().strip()

    def _check(self) -> None:
        self.publish_button.setEnabled(self.url.lower().startswith(("postgresql://", "postgres://")))


def _password_sources() -> str:
    """Where a publish finds the password, as this computer has them: the keyring only where there is one."""
    if keyring_missing_reason():
        return (f"libpq's password file ({pgpass_file()}, where File › Open Team Workspace… can keep it, as this "
                "computer has no system keyring), a service file or PGPASSWORD")
    return (f"the system keyring (where File › Open Team Workspace… can keep it), libpq's password file "
            f"({pgpass_file()}), a service file or PGPASSWORD")
