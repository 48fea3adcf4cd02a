"""Deciding what an import writes, without touching the database: ids, customers, new rows, updates.

The planner starts from a snapshot of the incident (PlanState, read inside the import's
transaction) and turns mapped rows into ready-to-insert row tuples. Because it needs no
connection, it can run in the import's helper process while the main process writes the
previous chunk (services/import_pipeline.py); small imports run it in-process. Either way the
same code decides ids, customers, the review-window filter and which tickets are updates.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache

from ..domain.customers import customer_key
from ..importers.message_dump import Thread
from ..importers.records import SkippedRow, TicketRow
from ..storage.bulk import db_time

CHUNK_ROWS = 5_000  # new rows per chunk (see TicketPlanner.pending): bounds memory and keeps progress moving
CHANNEL_WORDS = {
    "chat": "chat", "live chat": "chat", "messenger": "chat", "whatsapp": "chat", "sms": "chat",
    "phone": "call", "call": "call", "voice": "call", "email": "email", "mail": "email", "e-mail": "email",
    "internal": "internal", "note": "internal",
}


@lru_cache(maxsize=512)
def channel_of(value: str) -> str:
    """Our channel for a vendor's source/via value; anything unknown is a ticket."""
    key = (value or "").strip().lower()
    if key in CHANNEL_WORDS:
        return CHANNEL_WORDS[key]
    for word, channel in CHANNEL_WORDS.items():
        if word in key:
            return channel
    return "ticket"


@lru_cache(maxsize=8192)
def _stored_time(value):  # noqa: ANN001, ANN202
    # Exports written to the minute repeat each time for every ticket of that minute, and the
    # date parser hands back the same object for the same text: caching saves ~0.2 s per 100k rows.
    return db_time(value)


@dataclass
class PlanState:
    """What the import needs to know about the workspace before it plans any row."""

    incident_id: int
    window: tuple[str | None, str | None]  # review window as stored text; (None, None) = no filter
    include_outside_window: bool
    existing: dict[str, int]  # external id -> conversation id, for this incident
    customers: dict[str, int]  # customer key (see customer_key) -> customer id
    next_customer_id: int
    next_conversation_id: int
    next_message_id: int
    # a stored message's own id -> the conversation (thread) it is in, for this incident: a reply-chain
    # dump's reply to it joins that conversation (ticket_store.stored_thread_ids)
    thread_ids: dict[str, int] = field(default_factory=dict)


@dataclass
class PlanChunk:
    """Rows to insert, in the column order of ticket_store's INSERT statements."""

    customers: list[tuple]
    conversations: list[tuple]
    messages: list[tuple]
    message_ids: list[tuple] = field(default_factory=list)  # (message row id, the message's own id in the file)


@dataclass
class DuplicateTicket:
    """A row whose ticket id an earlier row of the same file already had; both became one conversation.

    Message-level dumps give each message of a ticket its own row, so a repeated id is read as
    more of the same ticket: the row's new messages are added (``new_messages``), and the ticket's
    fields it fills in (status, subject...) replace the earlier ones. Nothing is dropped.
    """

    row: int
    first_row: int
    ticket_id: str
    new_messages: int

    @property
    def reason(self) -> str:
        if self.new_messages == 1:
            what = "its new message was added to that conversation"
        elif self.new_messages:
            what = f"its {self.new_messages} new messages were added to that conversation"
        else:
            what = "it repeats messages that conversation already has, so only its ticket fields were taken"
        return f"has the same ticket id ({self.ticket_id}) as row {self.first_row}: {what}"


@dataclass
class PlanResult:
    """Everything the planner decided that is not in a chunk: counts, skips, updates, id ranges."""

    rows_read: int = 0
    imported: int = 0
    updated: int = 0
    outside_window: int = 0
    skipped: list[SkippedRow] = field(default_factory=list)
    # conversation id -> (column values, messages): re-imported tickets, written last
    updates: dict[int, tuple] = field(default_factory=dict)
    first_conversation_id: int = 0
    next_conversation_id: int = 0
    first_message_id: int = 0
    next_message_id: int = 0
    created_customer_ids: list[int] = field(default_factory=list)
    duplicates: list[DuplicateTicket] = field(default_factory=list)
    # conversation id -> rows that repeated a ticket this import creates, as (row, first row, ticket
    # id, values, messages): its first row may be written already, so ticket_store merges them
    merges: dict[int, list[tuple]] = field(default_factory=dict)
    # updated conversations whose file row holds only some of their messages (a message-level
    # dump): ticket_store merges the stored messages in rather than replacing them
    partial: set[int] = field(default_factory=set)
    # conversation id -> {message key: the message's own id in the file}, for the conversations
    # written last (updates, merges): ticket_store gives the messages it inserts their ids
    message_ids: dict[int, dict[tuple, str]] = field(default_factory=dict)


def messages_of(row: TicketRow) -> list[tuple]:
    """(stored time, author, role, text) for the ticket's description and then its comments."""
    created = row.created_at
    messages = [(_stored_time(created), row.requester_name or row.requester_email, "customer", row.body)
                ] if row.body else []
    # one comprehension: a message-level dump's 100,000 messages all come through here
    messages += [(_stored_time(c.at or created), c.author or "", c.role, c.text) for c in row.comments]
    return messages


def message_ids_of(row: TicketRow) -> dict[tuple, str]:
    """Each comment's own id in the file (a message dump's message id), by its message key."""
    return {_message_key((_stored_time(c.at or row.created_at), c.author or "", c.role, c.text)): c.external_id
            for c in row.comments if c.external_id}


def message_ids_in_order(row: TicketRow, messages: list[tuple]) -> list[str]:
    """The own ids of conversation_values' messages, in their order ("" for the description); [] when none has one."""
    ids = [c.external_id for c in row.comments]
    if not any(ids):
        return []
    return [""] * (len(messages) - len(ids)) + ids


def conversation_values(row: TicketRow, customer_id: int | None, channel: str) -> tuple[tuple, list[tuple]]:
    """The conversation's column values (as stored) and its messages."""
    if row.body and not row.comments:  # most tickets: one message, at the created time
        at = _stored_time(row.created_at)
        messages = [(at, row.requester_name or row.requester_email, "customer", row.body)]
        first = last = at
    else:
        messages = messages_of(row)
        times = [m[0] for m in messages if m[0] is not None]
        if not times:
            times = [_stored_time(t) for t in (row.created_at, row.updated_at) if t]
        # stored times are fixed-width UTC text, so they sort as the times do
        first, last = (min(times), max(times)) if times else (None, None)
    tags = " ".join(row.tags) if row.tags else ""
    return (row.external_id, channel, customer_id, row.subject, row.status, tags, first, last), messages


_FIRST_AT, _LAST_AT = 6, 7  # where conversation_values puts the first and last times


def merge_ticket(earlier: tuple, later: tuple) -> tuple[tuple, int]:
    """One conversation from two rows of the same ticket, as ((values, messages), new messages).

    The later row's messages that the conversation lacks are added, all kept in time order; the
    fields it fills in win (it is the ticket's later state); first and last times span both.
    """
    (old_values, old_messages), (new_values, new_messages) = earlier, later
    have = {_message_key(message) for message in old_messages}
    added = [message for message in new_messages if _message_key(message) not in have]
    messages = sorted([*old_messages, *added], key=lambda message: (message[0] is None, message[0] or ""))
    values = [new if new not in (None, "") else old for old, new in zip(old_values, new_values, strict=True)]
    times = [message[0] for message in messages if message[0]] or [
        at for at in (*old_values[_FIRST_AT:], *new_values[_FIRST_AT:]) if at]
    values[_FIRST_AT], values[_LAST_AT] = (min(times), max(times)) if times else (None, None)
    return (tuple(values), messages), len(added)


def _message_key(message: tuple) -> tuple:
    at, author, role, text = message
    return at, author or "", role, text


class TicketPlanner:
    """Turns mapped rows into chunks of new rows plus a list of updates, assigning ids as it goes."""

    def __init__(self, state: PlanState) -> None:
        self.state = state
        self.result = PlanResult(first_conversation_id=state.next_conversation_id,
                                 next_conversation_id=state.next_conversation_id,
                                 first_message_id=state.next_message_id, next_message_id=state.next_message_id)
        self._customers = dict(state.customers)
        self._next_customer = state.next_customer_id
        self._new_ids: dict[str, int] = {}
        self._new_rows: list[int] = []  # the row each new conversation came from, by id from the first
        self._update_rows: dict[str, int] = {}  # ticket id -> the row that updates a ticket already here
        self._external_of: dict[int, str] | None = None  # conversation id -> ticket id, made when first needed
        self._chunk = PlanChunk([], [], [])

    @property
    def pending(self) -> int:
        """New rows waiting in the current chunk: its conversations or its messages, whichever are more.

        Counted by messages too, a message-level dump's chunk holds 5,000 messages rather than
        5,000 conversations of five messages each: the writer starts on it sooner and waits less
        for the last one (a ticket dump's conversations have one message each: the same either way).
        """
        chunk = self._chunk
        return max(len(chunk.conversations), len(chunk.messages))

    def add(self, row: TicketRow | Thread | SkippedRow) -> None:
        result = self.result
        if isinstance(row, Thread):
            self._add_thread(row)
            return
        if isinstance(row, SkippedRow):
            result.rows_read += 1
            result.skipped.append(row)
            return
        result.rows_read += row.rows
        if not self._in_window(row):
            result.outside_window += row.rows
            return
        if row.message_ids:
            row = self._in_stored_thread(row)
        values, messages = conversation_values(row, self._customer_id(row), channel_of(row.channel))
        external_id = row.external_id
        known = self.state.existing.get(external_id) or self._new_ids.get(external_id)
        if known is None:
            own_ids = message_ids_in_order(row, messages) if row.comments else []
            self._new_ids[external_id] = known = self._add_new(values, messages, own_ids)
            self._new_rows.append(row.row_number)
            result.imported += 1
            return
        by_message = message_ids_of(row) if row.comments else {}
        if by_message:  # rewritten last (ticket_store.apply_updates), which looks the ids up by message
            result.message_ids.setdefault(known, {}).update(by_message)
        first_row = self._first_row(external_id, known)
        if first_row is None:  # a ticket already here, first met in this file: the file's version replaces it
            self._update_rows[external_id] = row.row_number
            result.updated += 1
            result.updates[known] = (values, messages)
            if row.partial_messages:
                result.partial.add(known)
        elif known in result.updates:  # its first row is still here: merge now
            result.updates[known], added = merge_ticket(result.updates[known], (values, messages))
            result.duplicates.append(DuplicateTicket(row.row_number, first_row, external_id, added))
        else:  # its first row made a new conversation, perhaps written already: merged when stored
            result.merges.setdefault(known, []).append((row.row_number, first_row, external_id, values, messages))

    def _in_stored_thread(self, row: TicketRow) -> TicketRow:
        """A reply-chain conversation whose root is a message stored before, as part of that message's thread.

        Its root (the message its first reply answers) is not in this file; when an earlier dump
        brought it, the conversation is that thread's, so it takes the thread's ticket id.
        """
        state = self.state
        if row.external_id in state.existing or row.external_id in self._new_ids:
            return row
        thread = state.thread_ids.get(row.external_id)
        if thread is None:
            return row
        if self._external_of is None:
            self._external_of = {cid: external_id for external_id, cid in state.existing.items()}
        stored_id = self._external_of.get(thread)
        return row if stored_id is None else replace(row, external_id=stored_id)

    def _first_row(self, external_id: str, known: int) -> int | None:
        """The row of this file that already had this ticket id, if any."""
        if external_id in self._new_ids:
            return self._new_rows[known - self.result.first_conversation_id]
        return self._update_rows.get(external_id)

    def _add_thread(self, thread: Thread) -> None:
        """A message-level dump's conversation: a new one planned straight from its message tuples.

        The same rows add() would plan from its TicketRow (conversation_values, _add_new), without
        making 100,000 ParsedMessages only to take them apart again (0.8 s -> 0.3 s per 100k
        messages). A conversation that is not simply new (already here, a stored thread's, outside
        the window) goes through add() as a TicketRow.
        """
        row, result = thread.fields, self.result
        external_id = row.external_id
        if (external_id in self.state.existing or external_id in self._new_ids
                or external_id in self.state.thread_ids or not self._in_window(row)):
            self.add(thread.ticket_row())
            return
        created = row.created_at
        customer = self._customer_id(row)
        cid, mid = result.next_conversation_id, result.next_message_id
        # each message at its own time, or the conversation's when it has none (as messages_of)
        messages = [(mid + position, cid, position, _stored_time(at or created), author, role, text)
                    for position, (at, author, role, text, _own) in enumerate(thread.messages)]
        times = [message[3] for message in messages if message[3] is not None]
        first, last = (min(times), max(times)) if times else (None, None)
        chunk = self._chunk
        chunk.conversations.append((cid, self.state.incident_id, external_id, channel_of(row.channel), customer,
                                    row.subject, row.status, " ".join(row.tags) if row.tags else "", first, last))
        chunk.messages += messages
        chunk.message_ids += [(mid + position, message[4]) for position, message in enumerate(thread.messages)
                              if message[4]]
        self._new_ids[external_id] = cid
        self._new_rows.append(row.row_number)
        result.next_conversation_id, result.next_message_id = cid + 1, mid + len(messages)
        result.imported += 1
        result.rows_read += row.rows

    def add_many(self, rows: list[TicketRow | Thread | SkippedRow]) -> None:
        """add() for each row, with the common case worked out in the loop itself.

        Most rows of a dump are a new ticket, inside the window, with one message: those are
        planned here without a call per step (0.33 s -> 0.15 s per 100k rows). Anything else
        goes through add(), which stays the one definition of what a row means.
        """
        state, result = self.state, self.result
        existing, new_ids, customers = state.existing, self._new_ids, self._customers
        start, end = state.window
        unfiltered = state.include_outside_window or start is None or end is None
        conversations, messages = self._chunk.conversations, self._chunk.messages
        new_rows = self._new_rows
        incident = state.incident_id
        for row in rows:
            if row.__class__ is not TicketRow or row.comments or not row.body or row.created_at is None:
                self.add(row)
                continue
            at = _stored_time(row.created_at)
            external_id = row.external_id
            if not (unfiltered or start <= at <= end) or external_id in existing or external_id in new_ids:
                self.add(row)
                continue
            name, email = row.requester_name, row.requester_email
            customer = None
            if email or name:
                # customer_key() of the mapper's already stripped text, without the call
                customer = customers.get("e:" + email.lower() if email else "n:" + name.lower())
                if customer is None:
                    customer = self._customer_id(row)
            cid, mid = result.next_conversation_id, result.next_message_id
            new_ids[external_id] = cid
            new_rows.append(row.row_number)
            conversations.append((cid, incident, external_id, channel_of(row.channel), customer, row.subject,
                                  row.status, " ".join(row.tags) if row.tags else "", at, at))
            messages.append((mid, cid, 0, at, name or email or "", "customer", row.body))
            result.next_conversation_id, result.next_message_id = cid + 1, mid + 1
            result.imported += 1
            result.rows_read += 1

    def take_chunk(self) -> PlanChunk:
        chunk, self._chunk = self._chunk, PlanChunk([], [], [])
        return chunk

    def _in_window(self, row: TicketRow) -> bool:
        start, end = self.state.window
        if self.state.include_outside_window or row.created_at is None or start is None or end is None:
            return True
        return start <= _stored_time(row.created_at) <= end

    def _customer_id(self, row: TicketRow) -> int | None:
        if not (row.requester_email or row.requester_name):
            return None
        key = customer_key(row.requester_email, row.requester_name)
        cid = self._customers.get(key)
        if cid is None:
            cid = self._customers[key] = self._next_customer
            self._next_customer += 1
            # segment stays empty: a dump's organization is a company, not a plan or customer type
            self._chunk.customers.append((cid, row.requester_name, row.requester_email, row.organization, ""))
            self.result.created_customer_ids.append(cid)
        return cid

    def _add_new(self, values: tuple, messages: list[tuple], own_ids: list[str]) -> int:
        result = self.result
        cid = result.next_conversation_id
        result.next_conversation_id += 1
        self._chunk.conversations.append((cid, self.state.incident_id, *values))
        mid = result.next_message_id
        self._chunk.messages += [(mid + position, cid, position, at, author or "", role, text)
                                 for position, (at, author, role, text) in enumerate(messages)]
        if own_ids:
            self._chunk.message_ids.extend((mid + index, own) for index, own in enumerate(own_ids) if own)
        result.next_message_id = mid + len(messages)
        return cid
