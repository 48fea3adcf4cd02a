"""What a person reads when an import could not be written: the file, that none of it was imported, what to do.

An import is all or nothing (one transaction, on a file or a team workspace), so whatever stopped it, none of
the file is in the workspace and the way on is to import the same file again once the cause is gone.
"""
from __future__ import annotations

from ..storage.errors import ServerUnavailableError, WorkspaceError


def not_imported(file_name: str, exc: WorkspaceError) -> str:
    """The message for an import of file_name that failed with exc (its own words say why and what to do)."""
    if type(exc) is ServerUnavailableError:  # the server away mid-import (not a password or TLS refusal)
        return (f"Nothing of {file_name} was imported: the team server stopped answering during the import, and "
                "an import is all or nothing. Check the network and that the server is running. Once the app has "
                f"reconnected (it does so by itself), import {file_name} again.")
    return f"Nothing of {file_name} was imported. {exc} Then import {file_name} again."


__all__ = ["not_imported"]
