"""What kind of data an edit changed: the one vocabulary between the core's commands and the screens.

A command says which kinds of data it changes; each screen decides for itself which kinds it shows
and so must re-read. The core never names a screen.
"""
from __future__ import annotations

from enum import Flag, auto


class DataChange(Flag):
    """Kinds of data an edit, undo or redo can change (combine with |)."""

    NONE = 0
    INCIDENT = auto()  # an incident's own fields: title, times, status, severity, close-out text, history
    CONVERSATION = auto()  # conversations, their messages, customers and author roles (imports, pastes)
    QUOTE = auto()  # quotes taken from messages
    TAG = auto()  # tags, their order and names, and tag assignments (suggested or accepted)
    ACTION_ITEM = auto()  # action items and their links to quotes
    REVIEW = auto()  # review answers and their quotes, contacts, the customer message decision
    FOLLOW_UP = auto()  # the follow-up check: its date, activity and outcome
    AGENDA = auto()  # the facilitator agenda and its notes
    SYSTEM_EVENT = auto()  # events on the system lane
    SETTING = auto()  # workspace settings: display time zone, redaction terms, suggestion phrases

    @classmethod
    def everything(cls) -> DataChange:
        """All kinds (deleting an incident, or a change whose reach is unknown)."""
        result = cls.NONE
        for member in cls:
            result |= member
        return result
