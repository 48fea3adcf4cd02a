"""Message-level dumps: one row per message, grouped into conversations, each message with a role.

A dump is message-level when its mapping names a message id or a reply-to column
(field_mapping). Its rows are grouped into conversations in one of two ways:

- by the ticket id column, which then holds a conversation id (Front messages, Intercom
  conversation parts, Zendesk ticket comments, Help Scout threads, Salesforce case comments);
- by reply chains, when only reply-to links say which messages belong together (social-support
  dumps): the ticket id column holds each message's own id, and the thread's root message is the
  conversation. A parent that is not in the file is the root of its replies; a cycle's smallest id is.

Each message's role, first answer wins: the person's correction for its author (mapping.roles),
the author-role column (direction, inbound, author type, public/private), then behaviour: an
author who answers several different people is an agent, and so is one who starts no
conversation and answers only people who are not agents; everyone else is a customer.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from postmortem_desktop.importers.field_mapping import FieldMapping, SheetLike, map_rows
from postmortem_desktop.importers.mapping_guess import EMAIL, normalize_header
from postmortem_desktop.importers.records import ParsedMessage, SkippedRow, TicketRow
from postmortem_desktop.importers.text_cleanup import restore_id, subject_line

CUSTOMER, AGENT, INTERNAL = "customer", "agent", "internal"
REPLY_CHAINS = "reply chains"
MANY_PEOPLE = 3  # an author who answers this many different people is an agent

_TRUE = {"true", "yes", "y", "t", "1", "x"}
_FALSE = {"false", "no", "n", "f", "0", ""}
# Values of a direction / author-type column, by the role they mean.
_ROLE_WORDS = {
    CUSTOMER: {"inbound", "incoming", "in", "received", "customer", "end-user", "end user", "enduser", "user",
               "contact", "lead", "requester", "visitor", "client", "customer reply", "from customer"},
    AGENT: {"outbound", "outgoing", "out", "sent", "agent", "admin", "teammate", "operator", "staff", "bot",
            "support", "assignee", "team", "employee", "agent reply", "from agent", "system",
            "message", "reply", "forward"},  # Help Scout's thread types: "message" is an agent's reply
    INTERNAL: {"note", "internal", "internal note", "private", "private note", "comment note",
               "internal-note", "internal_note"},  # Gorgias's channel of a note
}
# Columns besides the author-role one that can mark one message a private note: Intercom's part
# type ("note"), Gorgias's channel ("internal-note") and public flag, a Zendesk/Salesforce
# public or published flag. Only an "internal" answer counts: a direction is the role column's.
NOTE_COLUMNS = frozenset({"part type", "part_type", "channel", "public", "is public", "ispublic", "private",
                          "is private", "internal", "is internal", "ispublished", "is published", "published"})


def is_message_level(mapping: FieldMapping) -> bool:
    """Whether the mapping reads one message per row (a message id or reply-to column is mapped)."""
    return mapping.column("message_id") is not None or mapping.column("reply_to") is not None


def by_reply_chains(mapping: FieldMapping) -> bool:
    """Reply chains group the rows when there is no message id column beside the ticket id."""
    return mapping.column("message_id") is None and mapping.column("reply_to") is not None


def grouping_label(mapping: FieldMapping, header: Sequence[str]) -> str:
    """How rows become conversations, in the preview's words."""
    if by_reply_chains(mapping):
        return REPLY_CHAINS
    return f"column '{header[mapping.mapped_column('external_id')]}'"


def role_from_cell(column_name: str, value: object) -> str | None:
    """The role an author-role cell says, or None when it does not say (a public reply, a blank).

    The column's name tells how to read yes/no values: "Inbound" yes is the customer, "Public"
    no is an internal note, "Private"/"Internal" yes is one.
    """
    text = restore_id(value).strip().lower()
    name = normalize_header(column_name)
    if text in _TRUE or text in _FALSE:
        truth = text in _TRUE
        if "inbound" in name or "incoming" in name or "customer" in name:
            return CUSTOMER if truth else AGENT
        if "agent" in name or "outbound" in name or "outgoing" in name:
            return AGENT if truth else CUSTOMER
        if "public" in name or "published" in name:
            return None if truth else INTERNAL
        if "private" in name or "internal" in name or "note" in name:
            return INTERNAL if truth else None
        return None
    for role, words in _ROLE_WORDS.items():
        if text in words:
            return role
    if text.endswith(("-in", "_in")):  # Kustomer's direction types: initial-in, response-out...
        return CUSTOMER
    if text.endswith(("-out", "_out")):
        return AGENT
    return None


def thread_roots(parent_of: dict[str, str]) -> dict[str, str]:
    """Each message id's thread root, following reply-to links up.

    A parent missing from the file is the root of its replies (they answer the same message);
    a chain that loops back on itself has its smallest id as root, so no message is lost.
    """
    roots: dict[str, str] = {}
    for node, parent in parent_of.items():  # in file order, a reply usually comes after its parent
        if not parent or parent == node:
            roots[node] = node
        elif (root := roots.get(parent)) is not None:
            roots[node] = root
    for start in parent_of:
        if start in roots:
            continue
        path: list[str] = []
        on_path: set[str] = set()
        node = start
        while node not in roots:
            parent = parent_of.get(node, "")
            if not parent or parent == node:
                roots[node] = node
                break
            if node in on_path:
                cycle = path[path.index(node):]
                root = min(cycle)
                for member in cycle:
                    roots[member] = root
                break
            on_path.add(node)
            path.append(node)
            node = parent
        root = roots[node]
        for member in path:
            roots.setdefault(member, root)
    if len(roots) == len(parent_of):  # no parent missing from the file: the same messages, nothing to drop
        return roots
    return {message: roots[message] for message in parent_of}


def _id_text(value: object) -> str:
    # most cells are plain text: restore_id only for numbers and "848.0"-like texts
    if isinstance(value, str) and "." not in value:
        return value.strip()
    return restore_id(value).strip()


def _author_text(value: object) -> str:
    # a name or an address, kept as written; a number (an author id from a workbook) as its digits
    return value.strip() if isinstance(value, str) else restore_id(value).strip()


@dataclass
class AuthorRole:
    """The role given to one author's messages, and why (shown in the mapping dialog's preview)."""

    author: str
    role: str
    reason: str
    messages: int
    source: str  # "column", "behaviour" or "corrected"


@dataclass
class MessageSurvey:
    """What grouping the rows gives before anything is imported: counts and each author's role."""

    grouping: str
    conversations: int
    messages: int
    authors: list[AuthorRole] = field(default_factory=list)


@dataclass(slots=True)
class _Cells:
    """The message fields of one row: its own id, its parent's, its author, its role cell's role."""

    own_id: str
    parent: str
    author: str
    column_role: str | None


class MessageRows:
    """Collects a message-level dump's rows, then hands them back grouped into conversations.

    Feed it the raw rows through ``tap`` (it notes each row's message fields as they pass) and
    the mapped rows through ``add``; ``grouped`` then returns one TicketRow per conversation,
    its messages in ``comments`` in time order, and the skipped rows.
    """

    def __init__(self, header: Sequence[str], mapping: FieldMapping) -> None:
        self.header = list(header)
        self.mapping = mapping
        self._reply_chains = by_reply_chains(mapping)
        self._own = mapping.column("message_id") if not self._reply_chains else mapping.column("external_id")
        self._parent = mapping.column("reply_to")
        self._authors = [index for index in (mapping.column("author"), mapping.column("requester_name"),
                                             mapping.column("requester_email")) if index is not None]
        self._role = mapping.column("author_role")
        self._role_name = header[self._role] if self._role is not None and self._role < len(header) else ""
        self._notes = [(index, name) for index, name in enumerate(header)
                       if index != self._role and normalize_header(name) in NOTE_COLUMNS]
        self._cells: dict[int, _Cells] = {}
        self._rows: list[TicketRow] = []
        self._skipped: list[SkippedRow] = []
        self._decided: dict[str, AuthorRole] | None = None
        self._keyed: dict[int, str] | None = None

    def tap(self, numbered: Iterable[tuple[int, Sequence[object]]]) -> Iterator[tuple[int, Sequence[object]]]:
        """The rows, unchanged, each one's message fields noted on the way."""
        role_cache: dict[object, str | None] = {}
        # a column past the row's end reads as empty: -1 would read the last cell, so such rows go the slow way
        own = self._own if self._own is not None else -1
        parent = self._parent if self._parent is not None else -1
        role_column = self._role if self._role is not None else -1
        first_author = self._authors[0] if self._authors else -1
        widest = max(own, parent, role_column, *self._authors, 0)
        store = self._cells
        for number, cells in numbered:
            if len(cells) <= widest:
                store[number] = self._cells_of(cells, role_cache)
                yield number, cells
                continue
            role = None
            if role_column >= 0:
                value = cells[role_column]
                role = role_cache.get(value, "?")
                if role == "?":
                    role = role_cache[value] = role_from_cell(self._role_name, value)
            # the common case written out: 100,000 rows make each call count
            own_id = cells[own] if own >= 0 else ""
            own_id = own_id.strip() if own_id.__class__ is str and "." not in own_id else _id_text(own_id)
            parent_id = cells[parent] if parent >= 0 else ""
            parent_id = (parent_id.strip() if parent_id.__class__ is str and "." not in parent_id
                         else _id_text(parent_id))
            author = cells[first_author] if first_author >= 0 else ""
            author = author.strip() if author.__class__ is str else _author_text(author)
            if not author and len(self._authors) > 1:
                author = self._cells_of(cells, role_cache).author
            if self._notes and role != INTERNAL and self._is_note(cells, role_cache):
                role = INTERNAL
            store[number] = _Cells(own_id, parent_id, author, role)
            yield number, cells

    def _is_note(self, cells: Sequence[object], cache: dict[object, str | None]) -> bool:
        """Whether a note column marks this row a private note (a note is internal whoever wrote it)."""
        size = len(cells)
        for index, name in self._notes:
            if index < size:
                key = (index, cells[index])
                role = cache.get(key, "?")
                if role == "?":
                    role = cache[key] = role_from_cell(name, cells[index])
                if role == INTERNAL:
                    return True
        return False

    def _cells_of(self, cells: Sequence[object], role_cache: dict[object, str | None]) -> _Cells:
        """One row's message fields, for any row (tap's loop writes the common case out)."""
        size = len(cells)

        def cell(index: int | None, read: Callable[[object], str] = _id_text) -> str:
            return read(cells[index]) if index is not None and index < size else ""

        role = None
        if self._role is not None and self._role < size:
            value = cells[self._role]
            role = role_cache.get(value, "?")
            if role == "?":
                role = role_cache[value] = role_from_cell(self._role_name, value)
        if self._notes and role != INTERNAL and self._is_note(cells, role_cache):
            role = INTERNAL
        return _Cells(cell(self._own), cell(self._parent),
                      next((text for index in self._authors if (text := cell(index, _author_text))), ""), role)

    def add(self, rows: Iterable[TicketRow | SkippedRow]) -> None:
        for row in rows:
            if isinstance(row, SkippedRow):
                self._skipped.append(row)
            else:
                self._rows.append(row)
        self._decided = None
        self._keyed = None

    # -- deciding -------------------------------------------------------------------------------
    def _keys(self) -> dict[int, str]:
        """Each mapped row's conversation key, by row number."""
        if self._keyed is None:
            self._keyed = self._work_out_keys()
        return self._keyed

    def _work_out_keys(self) -> dict[int, str]:
        if not self._reply_chains:
            return {row.row_number: row.external_id for row in self._rows}
        cells = self._cells
        infos = [cells[row.row_number] for row in self._rows]  # each row's fields looked up once, not twice
        roots = thread_roots({info.own_id: info.parent for info in infos})
        return {row.row_number: roots[info.own_id] for row, info in zip(self._rows, infos, strict=True)}

    def author_roles(self) -> dict[str, AuthorRole]:
        """Every author's role and the reason for it."""
        if self._decided is None:
            self._decided = self._decide(self._keys())
        return self._decided

    def _decide(self, keys: dict[int, str]) -> dict[str, AuthorRole]:
        cells = self._cells
        mapped = [cells[row.row_number] for row in self._rows]
        counts = Counter(info.author for info in mapped)
        column_roles: dict[str, Counter[str]] = defaultdict(Counter)
        for (author, role), seen in Counter((info.author, info.column_role) for info in mapped).items():
            if role:
                column_roles[author][role] += seen
        corrected = self.mapping.roles
        answered: dict[str, set[str]] = {}
        starters: set[str] = set()
        if any(author not in corrected and author not in column_roles for author in counts):
            # behaviour only matters for an author whom neither the file nor the person gives a role
            answered, starters = self._who_answers_whom(keys)
        hubs = {author for author, people in answered.items() if len(people) >= MANY_PEOPLE}
        if not hubs:  # a small file: the author who answers the most people, if at least two
            most = max((len(people) for people in answered.values()), default=0)
            hubs = {author for author, people in answered.items() if most >= 2 and len(people) == most}
        decided: dict[str, AuthorRole] = {}
        for author, messages in counts.items():
            if author in corrected:
                decided[author] = AuthorRole(author, corrected[author], "corrected by you", messages,
                                             "corrected")
            elif column_roles.get(author):
                role, seen = column_roles[author].most_common(1)[0]
                if role == INTERNAL:  # a note is one message's kind: its author is an agent, whose other
                    role = AGENT      # messages (public replies, for which the column says nothing) are replies
                    reason = f"writes internal notes ('{self._role_name}' column, {seen} of {messages} messages)"
                else:
                    reason = f"'{self._role_name}' column ({seen} of {messages} messages)"
                decided[author] = AuthorRole(author, role, reason, messages, "column")
            else:
                decided[author] = self._by_behaviour(author, messages, answered, starters, hubs)
        return decided

    @staticmethod
    def _by_behaviour(author: str, messages: int, answered: dict[str, set[str]], starters: set[str],
                      hubs: set[str]) -> AuthorRole:
        people = answered.get(author, set())
        if author in hubs:
            return AuthorRole(author, AGENT, f"answers {len(people)} different people", messages, "behaviour")
        if people and author not in starters and not people & hubs:
            return AuthorRole(author, AGENT, "starts no conversation and answers only customers", messages,
                              "behaviour")
        if author in starters:
            return AuthorRole(author, CUSTOMER, "starts conversations that others answer", messages, "behaviour")
        return AuthorRole(author, CUSTOMER, "answers only agents", messages, "behaviour")

    def _who_answers_whom(self, keys: dict[int, str]) -> tuple[dict[str, set[str]], set[str]]:
        """For each author, the other authors they answered; and the authors who start conversations.

        With reply chains a message answers its parent's author; with a conversation column,
        everyone after the first author of a conversation answers that first author.
        """
        cells = self._cells
        answered: dict[str, set[str]] = defaultdict(set)
        starters: set[str] = set()
        if self._reply_chains:
            author_of = {cells[row.row_number].own_id: cells[row.row_number].author for row in self._rows}
            for row in self._rows:
                info = cells[row.row_number]
                parent_author = author_of.get(info.parent)
                if parent_author is None:
                    if not info.parent or keys[row.row_number] == info.parent:
                        starters.add(info.author)
                elif parent_author != info.author:
                    answered[info.author].add(parent_author)
            return answered, starters
        first: dict[str, tuple[float, int, str]] = {}
        for row in self._rows:
            at = row.created_at.timestamp() if row.created_at else 0.0
            key = keys[row.row_number]
            if key not in first or (at, row.row_number) < first[key]:
                first[key] = (at, row.row_number, cells[row.row_number].author)
        starter_of = {key: entry[2] for key, entry in first.items()}
        starters = set(starter_of.values())
        for row in self._rows:
            author, starter = cells[row.row_number].author, starter_of[keys[row.row_number]]
            if author != starter:
                answered[author].add(starter)
        return answered, starters

    # -- results --------------------------------------------------------------------------------
    def survey(self) -> MessageSurvey:
        keys = self._keys()
        roles = self.author_roles()
        authors = sorted(roles.values(), key=lambda entry: (-entry.messages, entry.author))
        return MessageSurvey(grouping_label(self.mapping, self.header), len(set(keys.values())), len(self._rows),
                             authors)

    def grouped(self) -> list[TicketRow | SkippedRow]:
        """One TicketRow per conversation (in the order each first appears), then the skipped rows."""
        return [*self.conversations(), *self._skipped]

    def skipped(self) -> list[SkippedRow]:
        return list(self._skipped)

    def conversations(self) -> Iterator[TicketRow]:
        """grouped()'s conversations, each put together only when it is asked for."""
        return (thread.ticket_row() for thread in self.threads())

    def threads(self) -> Iterator[Thread]:
        """Each conversation as a Thread, made only when it is asked for.

        Which rows go together (and each message's role) is settled for all of them first; the
        Threads are then made one by one, so an import can write the first conversations while
        the rest are still being made (services/import_helper.py).
        """
        keys = self._keys()
        # each author's role by behaviour is worked out (over the whole file) only when some message
        # has neither a correction nor a role column's answer: with an answer on every row, it is not
        roles: dict[str, AuthorRole] | None = None
        corrected = self.mapping.roles
        cells = self._cells
        conversations: dict[str, list[tuple[TicketRow, _Cells, str]]] = {}
        seen_ids: set[tuple[str, str]] = set()
        repeats: Counter[str] = Counter()  # rows that repeated a message: read (and counted), not added
        for row in self._rows:
            info = cells[row.row_number]
            key = keys[row.row_number]
            if info.own_id and not self._reply_chains:
                if (row.external_id, info.own_id) in seen_ids:
                    repeats[key] += 1  # the same message twice in one file (exports that overlapped)
                    continue
                seen_ids.add((row.external_id, info.own_id))
            role = corrected.get(info.author) or info.column_role
            if not role:
                roles = roles or self.author_roles()
                role = roles[info.author].role
            parts = conversations.get(key)
            if parts is None:
                parts = conversations[key] = []
            parts.append((row, info, role))
        for key, parts in conversations.items():
            thread = _thread(key, parts, repeats[key])
            if self._reply_chains:  # the thread's message ids, for a later dump's replies to them
                thread.fields.message_ids = sorted({info.own_id for _row, info, _role in parts if info.own_id})
            yield thread


# One message of a Thread: (at, author, role, text, its own id in the file or "")
ThreadMessage = tuple[datetime | None, str, str, str, str]


@dataclass(slots=True)
class Thread:
    """One conversation of a message-level dump: its fields, and its messages in time order.

    The messages are plain tuples (ThreadMessage): an import plans 100,000 of them straight into
    rows (services/ticket_plan.py), so none is made a ParsedMessage unless a TicketRow is asked for.
    """

    fields: TicketRow  # everything but comments
    messages: list[ThreadMessage]

    def ticket_row(self) -> TicketRow:
        """The conversation as one TicketRow, its messages as comments."""
        return replace(self.fields, comments=[ParsedMessage(author=author, text=text, at=at, role=role,
                                                            external_id=own_id)
                                              for at, author, role, text, own_id in self.messages])


def _in_time_order(part: tuple[TicketRow, _Cells, str]) -> tuple[bool, object, int]:
    at = part[0].created_at
    return (at is None, at or 0, part[0].row_number)


def _thread(key: str, parts: list[tuple[TicketRow, _Cells, str]], repeated: int = 0) -> Thread:
    """One conversation from its message rows (row, message fields, role): messages in time order,
    fields from its rows."""
    if len(parts) > 1:
        stamps = [row.created_at for row, _info, _role in parts if row.created_at is not None]
        # most dumps list a thread's messages in time order already: then sorting would change nothing
        # (ties stay in row order, as the sort keeps them), and calling its key per message costs
        if len(stamps) < len(parts) or stamps != sorted(stamps):
            parts.sort(key=_in_time_order)
    messages = [(row.created_at, info.author, role, row.body or row.subject, info.own_id) for row, info, role in parts]
    times = [message[0] for message in messages if message[0] is not None]  # sorted: first and last
    # One pass over the rows for the conversation's fields (20,000 conversations make each pass count):
    # the first subject, channel and organisation, the last status, every tag; a customer's message
    # names the customer, else (on an agent's) a sender column names the agent.
    subject = channel = organization = status = ""
    requester = sender = None
    tags: dict[str, None] = {}
    for row, _info, role in parts:
        if row.requester_name or row.requester_email:
            if requester is None and role == CUSTOMER:
                requester = row
            elif sender is None:
                sender = row
        subject = subject or row.subject
        channel = channel or row.channel
        organization = organization or row.organization
        status = row.status or status
        if row.tags:
            tags.update(dict.fromkeys(row.tags))
    requester = requester or sender
    name = requester.requester_name if requester else ""
    email = requester.requester_email if requester else ""
    if not (name or email):
        first_customer = next((message[1] for message in messages if message[2] == CUSTOMER), "")
        if first_customer:
            name, email = ("", first_customer) if EMAIL.match(first_customer) else (first_customer, "")
    first = parts[0][0]
    return Thread(TicketRow(
        row_number=first.row_number, external_id=key,
        # as a pasted conversation's: the first message's first line when the dump has no subject
        subject=subject or subject_line(next((message[3] for message in messages if message[3].strip()), "")),
        created_at=times[0] if times else None, updated_at=times[-1] if times else None,
        status=status, channel=channel, requester_name=name, requester_email=email, organization=organization,
        tags=list(tags), rows=len(parts) + repeated, partial_messages=True), messages)


def collect(sheet: SheetLike, mapping: FieldMapping) -> MessageRows:
    """A whole sheet's rows mapped and collected (raises as map_rows does)."""
    collector = MessageRows(sheet.header, mapping)
    for _ in collector.tap(sheet.numbered_rows()):
        pass
    collector.add(map_rows(sheet, mapping))
    return collector


def rows_of(sheet: SheetLike, mapping: FieldMapping) -> Iterator[TicketRow | SkippedRow]:
    """map_rows for any dump: a message-level one comes back grouped into conversations."""
    if not is_message_level(mapping):
        return map_rows(sheet, mapping)
    return iter(collect(sheet, mapping).grouped())
