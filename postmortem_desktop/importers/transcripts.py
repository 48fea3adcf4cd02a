"""Turns a pasted transcript or a dropped .eml file into messages with authors, times and roles."""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, tzinfo

from postmortem_desktop.importers.email_thread import read_email, read_eml, score_email
from postmortem_desktop.importers.irc_log import read_irc, score_irc
from postmortem_desktop.importers.records import ParsedMessage, ParsedTranscript
from postmortem_desktop.importers.transcript_formats import CHAT_FORMATS, ChatFormat, DayClock, RawMessage
from postmortem_desktop.importers.whatsapp import read_whatsapp, score_whatsapp

from ..gc_pause import collector_paused

UNKNOWN = "unknown"
FORMATS: tuple[ChatFormat, ...] = (
    ChatFormat("email", score_email, read_email),
    ChatFormat("whatsapp", score_whatsapp, read_whatsapp),
    ChatFormat("irc", score_irc, read_irc),
    *CHAT_FORMATS,
)
# Enough lines to recognise a shape; scoring never reads the whole of a huge paste.
_SAMPLE_LINES = 3000
# Characters that clipboards put around text and that would break line patterns.
_INVISIBLE = (("\u200e", ""), ("\u200f", ""), ("\ufeff", ""), ("\u202a", ""), ("\u202c", ""),
              ("\u202f", " "), ("\u00a0", " "))
_AGENT_LABEL = re.compile(
    r"\b(?:support|customer service|customer care|customer success|help ?desk|agent|operator|bot)\b", re.I)
_AGENT_MAILBOX = re.compile(r"^(?:support|help|helpdesk|care|billing|service|noreply|no-reply)\b", re.I)
_CUSTOMER_LABEL = re.compile(r"^(?:visitor|customer|guest|client|user)(?:\s?\d{1,6})?$", re.I)
_INTERNAL = re.compile(r"^(?:internal note\b|\[internal\]|internal:|\(internal\))", re.I)


def parse_transcript(text: str, *, day: date | None = None, tz: tzinfo = UTC,
                     agent_names: Iterable[str] = ()) -> ParsedTranscript:
    """Recognise the shape of pasted text and read its messages; unknown shapes give one message."""
    if not text.strip():
        return ParsedTranscript(format=UNKNOWN)
    lines = _normalise(text).split("\n")
    clock = DayClock(day or datetime.now(tz).date(), tz)
    chosen = recognise_format(lines)
    if chosen is not None:
        with _no_cyclic_gc():
            messages = finish_messages(chosen.read(lines, clock), agent_names)
        if messages:
            return ParsedTranscript(format=chosen.name, messages=messages)
    return _whole_text(text)


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    # Half a million small messages make the cycle collector rescan them again and again, which
    # doubles the time of a 50 MB paste; the messages hold no cycles, so pause it while reading.
    with collector_paused():
        yield


def parse_eml(data: bytes, *, tz: tzinfo = UTC, agent_names: Iterable[str] = ()) -> ParsedTranscript:
    """Read a dropped .eml file: its own message and any thread it quotes, oldest first."""
    clock = DayClock(datetime.now(tz).date(), tz)
    try:
        raw = read_eml(data, clock)
    except (ValueError, LookupError, UnicodeError, TypeError):
        # A damaged file still shows its text instead of failing the drop.
        return parse_transcript(data.decode("utf-8", errors="replace"), tz=tz, agent_names=agent_names)
    messages = finish_messages(raw, agent_names)
    return ParsedTranscript(format="email", messages=messages) if messages else ParsedTranscript(format=UNKNOWN)


def recognise_format(lines: Sequence[str]) -> ChatFormat | None:
    """The shape whose headers best explain the first lines, or None when none is convincing."""
    sample = lines[:_SAMPLE_LINES]
    best: ChatFormat | None = None
    best_score = 0
    for candidate in FORMATS:
        score = candidate.score(sample)
        # Ties go to the earlier, more specific shape.
        if score >= candidate.min_score and score > best_score:
            best, best_score = candidate, score
    return best


def finish_messages(raw: Sequence[RawMessage], agent_names: Iterable[str]) -> list[ParsedMessage]:
    """Join each message's lines, drop empty ones, and decide every role."""
    kept = [(message, "\n".join(message.lines).strip()) for message in raw]
    kept = [(message, body) for message, body in kept if body]
    roles = author_roles([message for message, _ in kept], agent_names)
    internal = _INTERNAL.match
    return [ParsedMessage(author=message.author, text=body, at=message.at,
                          role="internal" if internal(body) else roles[message.author.casefold()],
                          external_id=message.external_id)
            for message, body in kept]


def author_roles(messages: Sequence[RawMessage], agent_names: Iterable[str]) -> dict[str, str]:
    """Role of each author: known agents, agent labels and agent mail domains; everyone else a customer."""
    known = {name.strip().casefold() for name in agent_names if name.strip()}
    # One representative per author and address keeps a huge paste to a few label checks.
    speakers: dict[tuple[str, str, str], RawMessage] = {}
    for message in messages:
        speakers.setdefault((_key(message), message.address.casefold(), message.role_hint), message)
    domains = {name.rsplit("@", 1)[1] for name in known if "@" in name}
    domains.update(_domain(address) for key, address, _ in speakers if key in known or address in known)
    domains.discard("")
    roles: dict[str, str] = {}
    for (key, address, hint), message in speakers.items():
        agent = (hint == "agent" or key in known or address in known
                 or _domain(address) in domains or _looks_like_agent(message))
        if agent or key not in roles:
            roles[key] = "agent" if agent else "customer"
    return _two_party(roles, list(speakers.values()))


def _two_party(roles: dict[str, str], messages: Sequence[RawMessage]) -> dict[str, str]:
    # In a two-party chat where one side calls itself the customer, the other side is the agent.
    named = [key for key in roles if key]
    if len(named) == 2 and "agent" not in (roles[named[0]], roles[named[1]]):
        labels = {_key(m): m.author for m in messages}
        customers = [key for key in named if _CUSTOMER_LABEL.match(labels[key])]
        if len(customers) == 1:
            roles[next(key for key in named if key != customers[0])] = "agent"
    return roles


def _looks_like_agent(message: RawMessage) -> bool:
    if _CUSTOMER_LABEL.match(message.author):
        return False
    local_part = message.address.split("@", 1)[0]
    return bool(_AGENT_LABEL.search(message.author) or (local_part and _AGENT_MAILBOX.match(local_part)))


def _key(message: RawMessage) -> str:
    return message.author.casefold()


def _domain(address: str) -> str:
    return address.rsplit("@", 1)[1].casefold() if "@" in address else ""


def _normalise(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    for char, replacement in _INVISIBLE:
        # str.replace scans at memory speed where str.translate goes char by char.
        if char in text:
            text = text.replace(char, replacement)
    return text


def _whole_text(text: str) -> ParsedTranscript:
    body = _normalise(text).strip()
    if not body:
        return ParsedTranscript(format=UNKNOWN)
    return ParsedTranscript(format=UNKNOWN, messages=[ParsedMessage(author="", text=body, role="customer")])
