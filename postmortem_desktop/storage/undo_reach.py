"""What an undo that deletes rows reaches, and the rows that depend on them: measured when the edit is made and
again before its undo, so the undo never takes someone's later work away with it.

The rule, defined once here for every undo that deletes what an edit added (an import, pasted or dropped
conversations, a new card): the undo is refused when a row that references what it would delete or put back
was written or changed after the edit by another edit. Such rows are the edit's *reach*:

- cards made from its conversations or messages (or the card itself), with their tags and the answer and
  action item links to them;
- the messages of its conversations (a later import of the same tickets replaced or added some, a paste added
  to one), their roles (an author marked as agent) and the tags on them (suggestions accepted or dismissed,
  suggestions run again);
- the task, symptom, pre-existing mark and customer of its conversations (deleted, or put back by an
  import's undo), and whether a later import rewrote their tickets: a later export of the same tickets changes a
  status, a subject or a time and keeps every message (the later import marks what it rewrote with its batch);
- its customers, the contact flags on them, and conversations that name them.

`footprint` measures the reach in the edit's own transaction and again in its undo's; any difference means
another edit touched it since, and the undo changes nothing. Roles and message tags are measured on the
messages as they are: when the messages themselves changed (a teammate's import rewrote the same tickets), those
differ with them whatever anyone did to a role or tag, so the refusal then names the messages alone. Rows do not
say who wrote them, so the rule is about rows, not people:
- on a team workspace another client's edits are not on this client's undo stack: the refusal names who
  edited the incident since (storage/edit_history.editors_since; "someone else" when only this user did,
  from another client);
- on a file there is one person, whose undo stack is ordered: their later edits that rest on this one are
  undone before it, so in the app the undo works as before. A dependent row still there (made from the
  command line, or in a session whose undo stack is gone) is kept and the undo refused, as an import's undo
  always refused over cards made from it.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from .bulk import BulkCursor, on_team

#: What a part of the reach is called when a person is told it changed (a "card" part counts the new cards).
PARTS = {
    "cards": "cards made from it",
    "card tags": "tags on its cards",
    "card links": "answer or action item links to its cards",
    "messages": "its conversations' messages, updated or added to by a later import or paste",
    "roles": "the roles of its messages' authors",
    "message tags": "tags on its messages",
    "conversations": "its conversations' task, symptom, pre-existing mark or customer",
    "tickets": "its tickets, rewritten by a later import of them (a status, a subject, a time or their messages)",
    "contacts": "contact flags on its customers",
    "customers": "its customers, or conversations naming them",
}

#: Parts measured on each message: they differ whenever the messages do, so they are named only when those did not.
_ON_MESSAGES = ("roles", "message tags")

Footprint = dict[str, object]

# On a team workspace, an edit that would add to a reach (a card, a tag, a contact flag) waits while an undo
# measures it and deletes: held for the undo's transaction only. A file has one writer at a time already.
_LOCK_REACH = ("LOCK TABLE customers, conversations, messages, quotes, tag_assignments, review_answer_quotes, "
               "action_item_links, incident_contacts IN SHARE ROW EXCLUSIVE MODE")


@dataclass(frozen=True)
class Reach:
    """The rows an undo deletes or puts back, by id."""

    conversations: tuple[int, ...] = ()  # deleted whole, with their messages and cards
    rewritten: tuple[int, ...] = ()  # conversations whose fields an import's undo puts back as they were
    messages_of: tuple[int, ...] = ()  # conversations whose messages from `first_message` on are deleted
    first_message: int = 0
    quotes: tuple[int, ...] = ()  # cards deleted
    customers: tuple[int, ...] = ()  # customers deleted


def footprint(cur: BulkCursor, reach: Reach) -> Footprint:
    """The reach as it is now: the cards by id, every other part as a digest of its rows.

    An import's reach is 100,000 conversations: what is large (messages, their tags, the conversations'
    customers) is summed in SQL per kind; rows are read only where few are expected (cards, contacts, the
    conversations' review fields that someone filled in).
    """
    conversations, messages_of, customers = _spans(reach.conversations), _spans(reach.messages_of), \
        _spans(reach.customers)
    both = _spans((*reach.conversations, *reach.rewritten))
    after = (reach.first_message,)
    cards = sorted({*_ids(cur, "SELECT id FROM quotes WHERE {}", "conversation_id", conversations),
                    *_ids(cur, "SELECT id FROM quotes WHERE message_id >= ? AND {}", "conversation_id", messages_of,
                          after),
                    *_ids(cur, "SELECT id FROM quotes WHERE {}", "id", _spans(reach.quotes))})
    card_spans = _spans(cards)
    messages, roles, message_tags = _Digest(), _Digest(), _Digest()
    for where, spans, params in (("{}", conversations, ()), ("m.id >= ? AND {}", messages_of, after)):
        by_role = list(_rows(cur, f"SELECT m.role, count(*), sum(m.id) FROM messages m WHERE {where} "
                                  "GROUP BY m.role", "m.conversation_id", spans, params))
        roles.add_sums(by_role)
        messages.add_sums(("messages", count, total) for _role, count, total in by_role)  # the same rows, any role
        message_tags.add_sums(_rows(cur, "SELECT t.source, count(*), sum(t.id), sum(t.tag_id) FROM tag_assignments t "
                                         f"JOIN messages m ON m.id = t.message_id WHERE {where} GROUP BY t.source",
                                    "m.conversation_id", spans, params))
    fields = _Digest(_rows(cur, "SELECT id, customer_task, symptom, pre_existing FROM conversations WHERE {} AND "
                                "(customer_task <> '' OR symptom <> '' OR pre_existing) ORDER BY id", "id", both))
    # the product in 64 bits: a team workspace's ids are 32-bit, and two of them multiplied as such overflow
    fields.add_sums(_rows(cur, "SELECT 'customers', count(customer_id), sum(customer_id), "
                               "sum(CAST(id AS BIGINT) * coalesce(customer_id, 0)) FROM conversations WHERE {}",
                          "id", both))
    # a later import that rewrites a ticket marks it with its batch (ticket_import.mark_rewritten): summed here,
    # rather than reading every ticket's fields, which took 0.4 s of a 100k import's 2.4 s on SQLite
    tickets = _Digest()
    tickets.add_sums(_rows(cur, "SELECT 'rewritten', count(import_batch_id), sum(import_batch_id), "
                                "sum(CAST(id AS BIGINT) * coalesce(import_batch_id, 0)) FROM conversations WHERE {}",
                           "id", both))
    named = _Digest(_rows(cur, "SELECT id, name, email, phone, organization, segment FROM customers "
                               "WHERE {} ORDER BY id", "id", customers))
    named.add_sums(_rows(cur, "SELECT 'conversations', count(*), sum(id) FROM conversations WHERE {}",
                         "customer_id", customers))
    return {
        "cards": tuple(cards),
        # a person's tags on its cards; not the suggested chips, which a learning pass works out again after any
        # decision (new rows, new ids) and the undo deletes with the cards anyway: counted, they refused the undo
        # of Add Cards after a decision made while its cards were prepared, on one person's file
        "card tags": _Digest(_rows(cur, "SELECT id, tag_id, quote_id, source FROM tag_assignments WHERE {} "
                                        "AND source <> 'suggested' ORDER BY id", "quote_id", card_spans)).value(),
        "card links": _Digest(_rows(cur, "SELECT id, review_answer_id, quote_id FROM review_answer_quotes WHERE {} "
                                         "ORDER BY id", "quote_id", card_spans),
                              _rows(cur, "SELECT id, action_item_id, quote_id FROM action_item_links WHERE {} "
                                         "ORDER BY id", "quote_id", card_spans)).value(),
        "messages": messages.value(),
        "roles": roles.value(),
        "message tags": message_tags.value(),
        "conversations": fields.value(),
        "tickets": tickets.value(),
        "contacts": _Digest(_rows(cur, "SELECT id, incident_id, customer_id, reason, suggested, contacted, "
                                       "contacted_on FROM incident_contacts WHERE {} ORDER BY id", "customer_id",
                                  customers)).value(),
        "customers": named.value(),
    }


def changed_since(made: Footprint, stored: Footprint) -> str:
    """What another edit wrote or changed in the reach, in words ("1 card made from it and …"); "" when nothing."""
    changed = [name for name in PARTS if made.get(name) != stored.get(name)]
    if {"messages", "tickets"} & set(changed):  # other messages now: their roles and tags cannot be told apart
        changed = [name for name in changed if name not in _ON_MESSAGES]
    if "tickets" in changed:  # a later import rewrote them, their messages with them: said once
        changed = [name for name in changed if name != "messages"]
    words = []
    for name in changed:
        new = len(set(_card_ids(stored)) - set(_card_ids(made))) if name == "cards" else 0
        words.append(f"{new:,} card{'' if new == 1 else 's'} made from it" if new else PARTS[name])
    if len(words) < 2:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


def lock_reach(cur: BulkCursor) -> None:
    """On a team workspace, makes edits that would add to a reach wait until this transaction ends."""
    if on_team(cur):
        cur.execute(_LOCK_REACH)


def _card_ids(footprint: Footprint) -> tuple[int, ...]:
    cards = footprint.get("cards", ())
    return cards if isinstance(cards, tuple) else ()


class _Digest:
    """A short digest of rows, built as they stream past (an import's reach is 100,000 rows)."""

    def __init__(self, *parts: Iterable[Sequence[object]]):
        self._hash = hashlib.blake2b(digest_size=16)
        self._sums: dict[object, list[int]] = {}
        for rows in parts:
            for row in rows:
                self._hash.update(repr(tuple(row)).encode())
            self._hash.update(b"|")

    def add_sums(self, rows: Iterable[Sequence[Any]]) -> None:
        """Adds grouped counts and sums (key, n, sum…) chunk by chunk: the same key may come in several."""
        for key, *numbers in rows:
            totals = self._sums.setdefault(key, [0] * len(numbers))
            for index, number in enumerate(numbers):
                totals[index] += int(number or 0)  # PostgreSQL sums bigint as numeric

    def value(self) -> str:
        if self._sums:
            self._hash.update(repr(sorted(self._sums.items(), key=repr)).encode())
        return self._hash.hexdigest()


Spans = list[tuple[str, list[int]]]


def _ids(cur: BulkCursor, sql: str, column: str, spans: Spans, params: tuple = ()) -> list[int]:
    return [row[0] for row in _rows(cur, sql, column, spans, params)]


def _rows(cur: BulkCursor, sql: str, column: str, spans: Spans, params: tuple = ()) -> Iterator[Sequence[Any]]:
    """The rows of `sql` (its WHERE has a {} for the ids' condition) for all the spans' ids, a span at a time."""
    for condition, values in spans:
        yield from cur.execute(sql.format(condition.format(column=column)), (*params, *values)).fetchall()


def _spans(ids: Iterable[int], run: int = 16, chunk: int = 500) -> Spans:
    """Conditions (on a {column} named later) covering the ids: BETWEEN for each long run of consecutive ids (an
    import's new rows are one run), IN for the rest, so 100,000 ids are a handful of statements rather than 200."""
    ordered = sorted(set(ids))
    if len(ordered) >= run and ordered[-1] - ordered[0] + 1 == len(ordered):  # the common case: one run
        return [("{column} BETWEEN ? AND ?", [ordered[0], ordered[-1]])]
    loose: list[int] = []
    spans: Spans = []
    for _step, numbered in groupby(enumerate(ordered), key=lambda pair: pair[1] - pair[0]):
        members = [value for _index, value in numbered]
        if len(members) >= run:
            spans.append(("{column} BETWEEN ? AND ?", [members[0], members[-1]]))
        else:
            loose.extend(members)
    for first in range(0, len(loose), chunk):
        part = loose[first:first + chunk]
        spans.append((f"{{column}} IN ({', '.join('?' * len(part))})", part))
    return spans
