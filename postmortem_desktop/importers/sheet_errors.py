"""The one error every sheet reader raises: its message says what went wrong and what to do."""
from __future__ import annotations


class SheetError(ValueError):
    """A file that cannot be read as a ticket table; the message tells the user what to do."""
