"""Adding conversations by hand: pasted or dropped transcripts, typed call notes and agent messages."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ..domain.changes import DataChange
from ..domain.errors import MissingIncident
from ..domain.storable_text import storable
from ..domain.vocabulary import Channel, Role
from ..importers.field_mapping import LONGEST_ID
from ..importers.records import ParsedMessage
from ..importers.text_cleanup import subject_line
from ..storage import search_index
from ..storage.bulk import BulkCursor, db_time, insert_rows, next_id, session_cursor, settle_ids
from ..storage.id_sets import among
from ..storage.schema import Conversation, Customer, ImportBatch, Incident, Message, MessageExternalId
from ..storage.undo_reach import Footprint, Reach
from .commands import Edit, RuleError, measure_reach, refuse_undo_if_reached_since, refuse_undo_while_closed
from .paste_preview import too_many_messages
from .ticket_store import MESSAGE_COLUMNS


@dataclass
class NewConversation:
    """What the paste dialog (or the command line) hands over to be stored."""

    channel: str
    messages: list[ParsedMessage]
    subject: str = ""
    customer_name: str = ""
    customer_email: str = ""
    external_id: str | None = None
    pre_existing: bool = False
    source_format: str = "typed"
    source_name: str = ""
    roles: dict[str, str] = field(default_factory=dict)  # author -> corrected role


def storable_conversation(new: NewConversation) -> NewConversation:
    """The conversation with every text made storable on both engines (domain/storable_text.py)."""
    messages = [replace(m, author=storable(m.author), text=storable(m.text), external_id=storable(m.external_id))
                for m in new.messages]
    return replace(new, messages=messages, subject=storable(new.subject), customer_name=storable(new.customer_name),
                   customer_email=storable(new.customer_email),
                   external_id=None if new.external_id is None else storable(new.external_id),
                   source_name=storable(new.source_name),
                   roles={storable(author): role for author, role in new.roles.items()})


def check_new_conversation(new: NewConversation) -> None:
    channels = {c.value for c in Channel}
    if new.channel not in channels:
        raise RuleError(f"Channel must be one of {', '.join(sorted(channels))}.")
    if not new.messages or not any(m.text.strip() for m in new.messages):
        raise RuleError("There is nothing to add: the conversation has no text.")
    refusal = too_many_messages(len(new.messages))
    if refusal:
        raise RuleError(refusal)
    for label, value in (("customer email", new.customer_email), ("conversation id", new.external_id or "")):
        if len(value) > LONGEST_ID:  # the importer's rule: a team workspace's index could not hold it
            raise RuleError(f"The {label} is {len(value):,} characters long, longer than any real one (at most "
                            f"{LONGEST_ID:,}); shorten it and add the conversation again.")
    roles = {r.value for r in Role}
    bad = sorted({role for role in new.roles.values() if role not in roles})
    if bad:
        raise RuleError(f"Unknown role {', '.join(bad)}; use customer, agent or internal.")


class AddConversation(Edit):
    """Stores one conversation with its messages; undo removes it (and a customer it created).

    A chat export whose messages carry their own ids (Telegram, Slack, Discord…) that was added
    before is not added twice: its messages already stored (same id, author, time, text) are left
    alone, the new ones go to the end of that conversation, and a chat with nothing new is refused.

    Undo removes exactly what this added (its own transcript batch record too, by id), and is refused when
    another edit since rests on it: a card made from it, an author's role corrected, a contact flag on the
    customer it created (the rule: storage/undo_reach.py).
    """
    incident_id: int  # always given here (the base allows None)

    changes = DataChange.CONVERSATION

    def __init__(self, incident_id: int, new: NewConversation):
        new = storable_conversation(new)
        check_new_conversation(new)
        self.incident_id = incident_id
        self.new = new
        label = {"call": "Call Note", "internal": "Internal Message"}.get(new.channel, "Conversation")
        self.name = f"Add {label}"
        self.conversation_id: int | None = None
        self._created_customer_id: int | None = None
        self.already_stored = 0  # messages of a chat added before, left as they are
        self._added_to: tuple[list[int], datetime | None, datetime | None] | None = None  # ids, old first/last
        self._batch_id: int | None = None  # its own transcript batch record: undo removes that one, not the latest
        self._external_id: str | None = None  # the id it made up when the paste had none
        self._made: Footprint | None = None  # what rested on what it added, as it left it

    @property
    def added_messages(self) -> int:
        return len(self.new.messages) - self.already_stored

    def apply(self, session: Session) -> None:
        if session.get(Incident, self.incident_id, with_for_update=_INCIDENT_FIRST) is None:
            raise MissingIncident(self.incident_id)
        self.already_stored = 0
        same = same_chat(session, self.incident_id, self.new.messages)
        if same is not None:
            self._add_to(session, *same)
        else:
            conv = self._conversation(session, self._customer_id(session))
            session.add(conv)
            session.flush()
            self.conversation_id = conv.id
            self._add_messages(session, conv.id, self.new.messages, 0)
        batch = ImportBatch(incident_id=self.incident_id, kind="transcript", file_name=self.new.source_name,
                            vendor=self.new.source_format, rows_read=len(self.new.messages), imported=1)
        if self._batch_id is not None:  # redo keeps the id, as it keeps the conversation's
            batch.id = self._batch_id
        session.add(batch)
        session.flush()
        self._batch_id = batch.id
        self._made = measure_reach(session, self._reach())

    def _reach(self) -> Reach:
        """What the undo deletes: the conversation and the customer it created, or the messages it added."""
        assert self.conversation_id is not None, "reach before do"
        if self._added_to is not None:
            return Reach(messages_of=(self.conversation_id,), first_message=min(self._added_to[0]))
        customers = (self._created_customer_id,) if self._created_customer_id is not None else ()
        return Reach(conversations=(self.conversation_id,), customers=customers)

    def _add_messages(self, session: Session, conversation_id: int, messages: list[ParsedMessage],
                      first_position: int) -> list[int]:
        rows = [Message(conversation_id=conversation_id, position=first_position + offset, at=m.at, author=m.author,
                        role=self.new.roles.get(m.author, m.role), text=m.text) for offset, m in enumerate(messages)]
        session.add_all(rows)
        session.flush()
        # the message's own id in its export, kept as a dump's message ids are (conversations --json shows it)
        session.add_all(MessageExternalId(message_id=row.id, external_id=m.external_id)
                        for row, m in zip(rows, messages, strict=True) if m.external_id)
        return [row.id for row in rows]

    def _add_to(self, session: Session, conversation_id: int, stored: set[int]) -> None:
        """The messages not stored yet, after the conversation's last; refused when every one is."""
        conv = session.get(Conversation, conversation_id)
        assert conv is not None  # same_chat found its messages
        fresh = [m for index, m in enumerate(self.new.messages) if index not in stored]
        if not fresh:
            raise RuleError(f"This chat is already here: its {len(self.new.messages):,} messages are in "
                            f"conversation {conv.external_id} (“{conv.subject}”). Nothing was added.")
        last = session.scalar(select(func.max(Message.position)).where(Message.conversation_id == conversation_id))
        self._added_to = (self._add_messages(session, conversation_id, fresh, (last or 0) + 1),
                          conv.first_at, conv.last_at)
        times = [t for t in (conv.first_at, conv.last_at, *(m.at for m in fresh)) if t is not None]
        conv.first_at, conv.last_at = (min(times), max(times)) if times else (None, None)
        self.conversation_id, self.already_stored = conversation_id, len(stored)

    def _conversation(self, session: Session, customer_id: int | None) -> Conversation:
        times = [m.at for m in self.new.messages if m.at is not None]
        # a redo keeps the id it was given: counted again, it could be one a later paste took meanwhile
        external_id = self.new.external_id or self._external_id or self._next_external_id(session)
        self._external_id = external_id
        conv = Conversation(
            incident_id=self.incident_id, external_id=external_id, channel=self.new.channel,
            customer_id=customer_id, subject=self.new.subject or _subject_from(self.new.messages),
            pre_existing=self.new.pre_existing, first_at=min(times) if times else None,
            last_at=max(times) if times else None)
        if self.conversation_id is not None:  # redo keeps the id so later commands still match
            conv.id = self.conversation_id
        return conv

    def _next_external_id(self, session: Session) -> str:
        prefix = {"call": "CALL", "internal": "INT", "chat": "CHAT", "email": "MAIL"}.get(self.new.channel, "PASTE")
        count = session.scalar(select(func.count()).select_from(Conversation)
                               .where(Conversation.incident_id == self.incident_id)) or 0
        stamp = int(datetime.now(UTC).timestamp())
        taken = set(session.scalars(select(Conversation.external_id).where(
            Conversation.incident_id == self.incident_id, Conversation.external_id.like(f"{prefix}-%-{stamp}"))))
        # after an undo the count can be one a teammate's paste of the same second holds already
        return next(name for n in range(count + 1, count + len(taken) + 2)
                    if (name := f"{prefix}-{n}-{stamp}") not in taken)

    def _customer_id(self, session: Session) -> int | None:
        name, email = self.new.customer_name.strip(), self.new.customer_email.strip().lower()
        if not (name or email):
            return None
        query = select(Customer.id).where(Customer.email == email) if email else \
            select(Customer.id).where(Customer.name == name)
        existing = session.scalars(query).first()
        if existing is not None:
            return existing
        customer = Customer(name=name, email=email)
        if self._created_customer_id is not None:
            customer.id = self._created_customer_id
        session.add(customer)
        session.flush()
        self._created_customer_id = customer.id
        return customer.id

    def revert(self, session: Session) -> None:
        _refuse_while_closed(session, self.name, self.incident_id)
        refuse_undo_if_reached_since(self.name, self._made, measure_reach(session, self._reach(), undoing=True))
        conv = session.get(Conversation, self.conversation_id)
        if self._added_to is not None:  # messages added to a conversation that was here: only they go
            added, first_at, last_at = self._added_to
            session.execute(delete(MessageExternalId).where(among(MessageExternalId.message_id, added)))
            session.execute(delete(Message).where(among(Message.id, added)))
            if conv is not None:
                conv.first_at, conv.last_at = first_at, last_at
            self._added_to = None
        elif conv is not None:
            session.delete(conv)
        session.execute(delete(ImportBatch).where(ImportBatch.id == self._batch_id))
        if self._created_customer_id is not None:
            customer = session.get(Customer, self._created_customer_id)
            if customer is not None:
                session.delete(customer)


def _refuse_while_closed(session: Session, name: str, incident_id: int) -> None:
    """commands.refuse_undo_while_closed in the session's transaction."""
    cursor = session_cursor(session)
    try:
        refuse_undo_while_closed(name, cursor, incident_id)
    finally:
        cursor.close()


#: the incident's row, held before any table a paste writes (FOR KEY SHARE, as its first row's foreign key would
#: take it later): the order every writer of a team workspace keeps (storage/bulk.lock_bulk_tables)
_INCIDENT_FIRST = {"read": True, "key_share": True}


def same_chat(session: Session, incident_id: int, messages: list[ParsedMessage]) -> tuple[int, set[int]] | None:
    """The conversation of the incident that already holds some of these messages, and which of them (by index).

    A message is the same when its own id, author, time and text are: an id alone is not enough,
    since a Telegram chat numbers its messages from 1 and two chats share numbers. None when the messages
    carry no ids or none is stored; with several such conversations, the one holding the most.
    """
    wanted = {m.external_id: index for index, m in enumerate(messages) if m.external_id}
    found: dict[int, set[int]] = {}
    ids = list(wanted)
    for start in range(0, len(ids), 500):
        for external_id, conversation_id, at, author, text in session.execute(
                select(MessageExternalId.external_id, Message.conversation_id, Message.at, Message.author,
                       Message.text)
                .join(Message, Message.id == MessageExternalId.message_id)
                .join(Conversation, Conversation.id == Message.conversation_id)
                .where(Conversation.incident_id == incident_id,
                       MessageExternalId.external_id.in_(ids[start:start + 500]))):
            index = wanted[external_id]
            if (author, at, text) == (messages[index].author, messages[index].at, messages[index].text):
                found.setdefault(conversation_id, set()).add(index)
    if not found:
        return None
    conversation_id = max(found, key=lambda cid: (len(found[cid]), -cid))
    return conversation_id, found[conversation_id]


def _subject_from(messages: list[ParsedMessage]) -> str:
    return subject_line(next((m.text for m in messages if m.text.strip()), ""))


def typed_note(channel: str, author: str, text: str, at: datetime | None, role: str) -> NewConversation:
    """A call note or internal agent message typed into the app: one message."""
    return NewConversation(channel=channel, messages=[ParsedMessage(author=author, text=text, at=at, role=role)],
                           source_format="typed")


class AddConversations(Edit):
    """Stores many conversations (a chat export's threads) in one transaction and one undo step.

    One AddConversation per thread cost a transaction each, and ORM inserts of 40,000 messages took
    ~3 s: rows go in with executemany under ids planned up front, and search indexes them by id
    range afterwards (storage/search_index.py), as the ticket import does. Undo is refused when another edit
    since rests on them (storage/undo_reach.py), as AddConversation's is.
    """

    changes = DataChange.CONVERSATION
    moves_ids = True  # its ids are planned up front (storage/bulk.next_id, settle_ids)

    def __init__(self, incident_id: int, items: list[NewConversation], *, batch_kind: str, file_name: str,
                 name: str | None = None):
        items = [storable_conversation(new) for new in items]
        for new in items:
            check_new_conversation(new)
        if not items:
            raise RuleError("There are no conversations to add.")
        super().__init__(incident_id)
        self.items = list(items)
        self.batch_kind, self.file_name = batch_kind, storable(file_name)
        self.name = name or f"Add {len(items)} Conversations"
        self.conversation_ids: list[int] = []
        self._batch_id: int | None = None
        self._made: Footprint | None = None

    def apply(self, session: Session) -> None:
        if session.get(Incident, self.incident_id, with_for_update=_INCIDENT_FIRST) is None:
            raise MissingIncident(self.incident_id)
        batch = ImportBatch(incident_id=self.incident_id, kind=self.batch_kind, file_name=self.file_name,
                            rows_read=sum(len(n.messages) for n in self.items), imported=len(self.items))
        if self._batch_id is not None:  # redo keeps the ids so later commands still find their rows
            batch.id = self._batch_id
        session.add(batch)
        session.flush()
        self._batch_id = batch.id
        cursor = session_cursor(session)
        try:
            self._write(cursor, batch.id)
        finally:
            cursor.close()
        self._made = measure_reach(session, Reach(conversations=tuple(self.conversation_ids)))

    def _write(self, cur: BulkCursor, batch_id: int) -> None:
        """Rows under ids planned up front, in the session's transaction (a team workspace's by COPY)."""
        first_conv = self.conversation_ids[0] if self.conversation_ids else next_id(cur, "conversations")
        self.conversation_ids = list(range(first_conv, first_conv + len(self.items)))
        first_msg = next_id(cur, "messages")
        conversations: list[tuple[object, ...]] = []
        messages: list[tuple[object, ...]] = []
        own_ids: list[tuple[object, ...]] = []  # (message id, its id in the export): Slack's ts
        for cid, new in zip(self.conversation_ids, self.items, strict=True):
            times = [m.at for m in new.messages if m.at is not None]
            conversations.append((cid, self.incident_id, new.external_id, new.channel, None,
                                  new.subject or _subject_from(new.messages), "", "", "", new.pre_existing, "",
                                  db_time(min(times)) if times else None, db_time(max(times)) if times else None,
                                  batch_id))
            own_ids += [(first_msg + len(messages) + p, m.external_id) for p, m in enumerate(new.messages)
                        if m.external_id]
            messages += [(first_msg + len(messages) + p, cid, p, db_time(m.at), m.author,
                          new.roles.get(m.author, m.role), m.text) for p, m in enumerate(new.messages)]
        search_index.begin_bulk(cur)
        insert_rows(cur, "conversations", _CONVERSATION_COLUMNS, conversations)
        insert_rows(cur, "messages", MESSAGE_COLUMNS, messages)
        insert_rows(cur, "message_external_ids", ("message_id", "external_id"), own_ids)
        search_index.index_range(cur, first_msg, first_msg + len(messages) - 1, first_conv,
                                 self.conversation_ids[-1])
        search_index.end_bulk(cur)
        settle_ids(cur)

    def revert(self, session: Session) -> None:
        _refuse_while_closed(session, self.name, self.incident_id)
        refuse_undo_if_reached_since(self.name, self._made, measure_reach(
            session, Reach(conversations=tuple(self.conversation_ids)), undoing=True))
        session.execute(delete(MessageExternalId).where(MessageExternalId.message_id.in_(
            select(Message.id).where(among(Message.conversation_id, self.conversation_ids)))))
        session.execute(delete(Message).where(among(Message.conversation_id, self.conversation_ids)))
        session.execute(delete(Conversation).where(among(Conversation.id, self.conversation_ids)))
        session.execute(delete(ImportBatch).where(ImportBatch.id == self._batch_id))


_CONVERSATION_COLUMNS = ("id", "incident_id", "external_id", "channel", "customer_id", "subject", "status",
                         "customer_task", "symptom", "pre_existing", "vendor_tags", "first_at", "last_at",
                         "import_batch_id")
