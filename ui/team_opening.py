"""Opening a team workspace in the window: from the dialog, or from an address (recent list, command line).

Both end in the window's one rule for opening any workspace (`MainWindow.try_open`). The password
comes from the dialog, else the address itself, else the system keyring, else libpq's own sources
(~/.pgpass, a service file, PGPASSWORD); when none gives one the server accepts, the dialog asks.
Where a password is kept is the person's choice in the dialog, and only once the server took it.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog, QMessageBox

from postmortem_desktop.storage.errors import (
    NoWorkspaceYetError,
    PasswordNeededError,
    PasswordRejectedError,
    WorkspaceError,
)
from postmortem_desktop.storage.team_passwords import (
    add_to_pgpass,
    forget_password,
    remember_password,
    stored_password,
)
from postmortem_desktop.storage.workspace_kind import password_in, shown_address

from .errors import show_refusal
from .team_workspace_dialog import KEEP_IN_KEYRING, KEEP_IN_PGPASS, OpenTeamWorkspaceDialog, TeamConnection

if TYPE_CHECKING:
    from .main_window import MainWindow


#: the setting holding the address last given in the dialog (host, port, database, user, TLS; never a password)
LAST_ADDRESS_KEY = "team_workspace/last_address"


def choose_and_open(window: MainWindow, address: str = "", problem: str = "") -> bool:
    """File › Open Team Workspace…: asks until a workspace opens or the person cancels; True when one opened.

    With no address given, the fields start as the person last filled them, so a team's server, database and
    role are typed once; the password is not among them (ui/team_workspace_dialog.py keeps it out of every
    address), and is found where the person chose to keep it, or asked for."""
    remembered = window.settings.value(LAST_ADDRESS_KEY, "")
    dialog = OpenTeamWorkspaceDialog(window, address or (remembered if isinstance(remembered, str) else ""), problem)
    try:
        while dialog.exec() == QDialog.DialogCode.Accepted:
            chosen = dialog.connection()
            # shown_address: no password, even one that reached the address some other way
            window.settings.setValue(LAST_ADDRESS_KEY, shown_address(chosen.address))
            refusal = window.try_open(chosen.address, password=chosen.password, create=chosen.create)
            if refusal is None:
                _keep_password(window, chosen)
                _say_if_read_only(window)
                return True
            if isinstance(refusal, NoWorkspaceYetError):
                dialog.offer_to_create(refusal)
            else:
                dialog.show_problem(str(refusal))
        return False
    finally:
        dialog.deleteLater()  # the password typed in it goes with it


def open_address(window: MainWindow, address: str) -> bool:
    """Opens a team workspace's address without asking, when its password is found; else the dialog asks."""
    from_keyring = None if password_in(address) else stored_password(address)
    refusal = window.try_open(address, password=from_keyring)
    if refusal is None:
        _say_if_read_only(window)
        return True
    if isinstance(refusal, (PasswordNeededError, PasswordRejectedError)):
        if from_keyring is not None and isinstance(refusal, PasswordRejectedError):
            forget_password(address)  # changed on the server since: not offered again
        return choose_and_open(window, shown_address(address), str(refusal))
    show_refusal(window, "Cannot open workspace", refusal)
    return False


def _keep_password(window: MainWindow, chosen: TeamConnection) -> None:
    """Where the person asked the password be kept; the workspace is open either way."""
    if chosen.password is None or not chosen.keep:
        return
    try:
        if chosen.keep == KEEP_IN_KEYRING:
            remember_password(chosen.address, chosen.password)
        elif chosen.keep == KEEP_IN_PGPASS:
            add_to_pgpass(chosen.address, chosen.password)
    except WorkspaceError as exc:
        show_refusal(window, "Password not remembered", exc)


def _say_if_read_only(window: MainWindow) -> None:
    workspace = window.hub.workspace
    if workspace is not None and workspace.read_only:  # a role granted SELECT only, or a read-only standby
        QMessageBox.information(window, "Opened read-only", workspace.read_only_reason)
