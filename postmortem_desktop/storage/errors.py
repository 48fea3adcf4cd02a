"""Why a workspace could not be opened or written; every message is for the person, not a developer.

Two kinds: the file cannot be used as it is (not a workspace, damaged, altered, newer, not a file:
the command line exits 4, "bad input"), and the file is fine but may not be written now (another
process holds it, it is read-only, the disk is full: `refusal = True`, exit 3, "refused").
"""
from __future__ import annotations


class WorkspaceError(Exception):
    """A workspace could not be opened or written; the message is for the user."""

    refusal = False


class NotAWorkspaceError(WorkspaceError):
    """The file is not one of this app's workspaces (another kind of file, a folder, a pipe)."""


class NoWorkspaceYetError(NotAWorkspaceError):
    """A team workspace's database holds no workspace yet: one can be created there."""


class DamagedWorkspaceError(WorkspaceError):
    """The file is a workspace, but damaged: SQLite's or the search index's integrity check failed."""


class AlteredWorkspaceError(DamagedWorkspaceError):
    """The file's tables, columns, indexes, triggers or views are not the ones this app wrote."""


class NewerWorkspaceError(WorkspaceError):
    """Written by a newer version of the app, whose format this one cannot read safely."""


class ReadOnlyWorkspaceError(WorkspaceError):
    """The workspace is open read-only (held elsewhere, a read-only place, or opened for reading)."""

    refusal = True


class WorkspaceBusyError(WorkspaceError):
    """Another program is writing the file right now (SQLite's own lock refused us), or a teammate's change ran at
    the same moment and the server stopped this one (a team workspace's deadlock)."""

    refusal = True


class DiskFullError(WorkspaceError):
    """The disk holding the workspace is full; the change was not saved and nothing was lost."""

    refusal = True


class WorkspaceMovedError(WorkspaceError):
    """The file was renamed, moved or replaced while open: nothing more is saved to it here."""

    refusal = True


class ServerUnavailableError(WorkspaceError):
    """A team workspace's server cannot be reached, or the connection was lost mid-change."""

    refusal = True


class AccessRefusedError(WorkspaceError):
    """The team server refuses this database role what opening the workspace needs: reading it (no SELECT
    granted), or adding the tables an upgrade of its format needs."""

    refusal = True


class NotOnTeamYetError(WorkspaceError):
    """Something this version does only on workspace files (the bulk import, the timeline's fast reads)."""

    refusal = True


class ChangeMayBeSavedError(ServerUnavailableError):
    """The connection was lost after the change's commit was sent: the server may have carried it out, so the person
    is told to look before making the change (or the import) again, not that nothing was saved."""


def server_is_away(exc: BaseException) -> bool:
    """Whether exc says the team server is simply away (gone, or not answering), not a refusal to connect (a
    password, TLS, a database of that name), which its own subclasses say."""
    return type(exc) in (ServerUnavailableError, ChangeMayBeSavedError)


class PasswordNeededError(ServerUnavailableError):
    """The server asks for a password and none was found (keyring, pgpass, service file, PGPASSWORD)."""


class PasswordRejectedError(ServerUnavailableError):
    """The server refused the role's password (or the role does not exist)."""


class NoSuchDatabaseError(ServerUnavailableError):
    """The server answered, but holds no database of the name asked for."""


class TlsRefusedError(ServerUnavailableError):
    """The TLS the address asks for could not be set up (the server offers none, or its certificate fails)."""
