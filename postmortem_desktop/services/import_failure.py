"""What a person reads when an import could not be written: the file, that none of it was imported, what to do.

An import is all or nothing (one transaction, on a file or a team workspace), so whatever stopped it, none of
the file is in the workspace and the way on is to import the same file again once the cause is gone; unless the
connection was lost as the import was committed, when the server may have carried the commit out.
"""
from __future__ import annotations

from ..storage.errors import ChangeMayBeSavedError, WorkspaceError, server_is_away


def not_imported(file_name: str, exc: WorkspaceError) -> str:
    """The message for an import of file_name that failed with exc (its own words say why and what to do)."""
    if isinstance(exc, ChangeMayBeSavedError):  # lost as it was committed: the server may have carried it out
        return (f"The team server stopped answering just as {file_name} was being saved, so it may have been "
                "imported after all. Once the app has reconnected (it does so by itself), look at the incident's "
                f"conversations before importing {file_name} again.")
    if server_is_away(exc):  # the server away mid-import (not a password or TLS refusal)
        return (f"Nothing of {file_name} was imported: the team server stopped answering during the import, and "
                "an import is all or nothing. Check the network and that the server is running. Once the app has "
                f"reconnected (it does so by itself), import {file_name} again.")
    return f"Nothing of {file_name} was imported. {exc} Then import {file_name} again."


__all__ = ["not_imported"]
