"""Plain records that importers produce, before anything is stored."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class ParsedMessage:
    """One message read from a transcript or a ticket's comments column.

    ``at`` is an aware UTC datetime, or None when the source gave no time.
    ``role`` is one of "customer", "agent", "internal". ``external_id`` is the message's own id in
    its source (a message dump's message id column), "" when the source gave none.
    """

    author: str
    text: str
    at: datetime | None = None
    role: str = "customer"
    external_id: str = ""


@dataclass(frozen=True)
class ParsedTranscript:
    """What the transcript parser recognised: the format's name and the messages."""

    format: str
    messages: list[ParsedMessage] = field(default_factory=list)
    # how a file's text was read, when some of its bytes were not UTF-8 (text_decoding.decoding_notice)
    decoding_notice: str = ""


@dataclass(slots=True)
class TicketRow:
    """One spreadsheet row mapped onto our fields (times aware, in UTC)."""

    row_number: int
    external_id: str
    subject: str = ""
    body: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None
    status: str = ""
    channel: str = ""
    requester_name: str = ""
    requester_email: str = ""
    organization: str = ""
    tags: list[str] = field(default_factory=list)
    comments: list[ParsedMessage] = field(default_factory=list)
    rows: int = 1  # rows of the file it stands for: a message-level dump's conversation has one per message
    # a message-level dump's conversation: the file has some of its messages, not necessarily all,
    # so a re-import adds to the stored ones rather than replacing them
    partial_messages: bool = False
    # a reply-chain dump's conversation: the ids of its messages, so a later reply finds its thread
    message_ids: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SkippedRow:
    """A row that could not be imported, with the reason shown to the user."""

    row: int
    reason: str
