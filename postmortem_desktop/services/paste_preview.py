"""What the Add Conversation preview says about a parsed transcript, worked out once, off the GUI thread.

A 50 MB paste holds 600,000 messages: walking them for the authors, the main customer and the review
window took the window 1.5 s when the dialog did it; the worker that parsed the text does it instead.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..domain.timing import outside_window
from ..importers.records import ParsedTranscript

MAX_MESSAGES = 200_000  # far beyond any real conversation; guards against a runaway paste


def too_many_messages(count: int) -> str | None:
    """Why a conversation of `count` messages cannot be added, naming the limit and what to do; None if it can."""
    if count <= MAX_MESSAGES:
        return None
    return (f"That paste holds {count:,} messages; one conversation holds at most {MAX_MESSAGES:,}. "
            f"Split it into parts of up to {MAX_MESSAGES:,} messages and add each as its own conversation, "
            "or import the chat's export file instead.")


@dataclass(frozen=True)
class PastePreview:
    """The preview's facts: authors in order of appearance with their first role, the likely customer, the
    dated span, how many messages fall outside the review window, and why it cannot be added (if so)."""

    authors: list[tuple[str, str]]
    main_customer: str
    earliest: datetime | None
    latest: datetime | None
    dated: int
    outside: int
    refusal: str | None


def preview_paste(transcript: ParsedTranscript,
                  review_window: tuple[datetime | None, datetime | None] = (None, None)) -> PastePreview:
    messages = transcript.messages
    first_role: dict[str, str] = {}
    customer_counts: dict[str, int] = {}
    for message in messages:
        first_role.setdefault(message.author, message.role)
        if message.role == "customer" and message.author:
            customer_counts[message.author] = customer_counts.get(message.author, 0) + 1
    times = [m.at for m in messages if m.at is not None]
    start, end = review_window
    return PastePreview(
        authors=list(first_role.items()),
        main_customer=max(customer_counts, key=lambda a: customer_counts[a]) if customer_counts else "",
        earliest=min(times, default=None), latest=max(times, default=None), dated=len(times),
        outside=outside_window(times, start, end),
        refusal=too_many_messages(len(messages)))

