"""The best-guess mapping of a dump's columns: from header names (synonyms), then from the cells' content.

Split from field_mapping.py, which keeps the mapping's structure and applies it; vendors.py calls this for
the columns a known layout does not settle.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from postmortem_desktop.importers.dates import DAY_ORDERS, detect_day_order, has_time_of_day, looks_like_date
from postmortem_desktop.importers.field_mapping import DATE_FIELDS, MULTI_FIELDS, SINGLE_FIELDS, FieldMapping
from postmortem_desktop.importers.text_cleanup import restore_id

# Header names per field, best first, compared after normalize_header().
HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "external_id": ("id", "ticket id", "ticket number", "ticket no", "issue key", "key", "issue id",
                    "conversation id", "case number", "case id", "number", "ticket", "reference"),
    "subject": ("subject", "summary", "title", "ticket subject", "ticket name", "topic"),
    "body": ("description", "body", "ticket description", "message", "text", "content",
             "details", "extract", "question", "issue description", "first message"),
    "created_at": ("created at", "created", "created time", "create date", "created date",
                   "creation date", "date created", "created on", "conversation started at",
                   "opened", "opened at", "submitted at", "message date", "date", "timestamp"),
    "updated_at": ("updated at", "updated", "last update time", "last updated", "updated time",
                   "last activity date", "last modified", "modified", "date updated"),
    "status": ("status", "ticket status", "state"),
    "channel": ("channel", "via", "source", "ticket channel", "medium", "origin"),
    "requester_name": ("requester", "requester name", "customer name", "customer", "full name",
                       "contact name", "user name", "reporter", "reporter name", "name",
                       "started by", "from", "client name", "contact"),
    "requester_email": ("requester email", "customer email", "email", "email address",
                        "contact email", "reporter email", "user email", "contact handle",
                        "from email"),
    "organization": ("organization", "organisation", "company", "company name", "account",
                     "account name", "org"),
    "requester_id": ("requester id", "reporter id", "customer id", "user id", "contact id"),
    "tags": ("tags", "tag", "labels", "label", "conversation tag", "conversation tags",
             "categories", "keywords"),
    "comments": ("comment", "comments", "notes", "internal notes", "replies"),
    "message_id": ("message id", "comment id", "conversation part id", "part id", "email message id",
                   "message number", "thread item id"),
    # Not a bare "parent" (Jira's sub-tasks name their parent issue so) nor "reply to" (an email's
    # Reply-To is an address); a column of addresses is dropped by _guess_by_content too.
    "reply_to": ("in reply to", "in reply to id", "reply to id", "in response to", "in response to id",
                 "parent message id", "parent comment id", "parent part id"),
    "author": ("author", "author name", "message author", "comment author", "sender", "sender name",
               "author email", "sender email", "posted by", "created by", "author id", "sender id",
               "from name", "user screen name", "screen name"),
    "author_role": ("direction", "message direction", "inbound", "is inbound", "incoming", "author type",
                    "author role", "sender type", "from type", "role", "public", "is public", "private",
                    "is private", "internal", "is internal", "is note"),
}
# Reply-to columns named after what they point at: "in_reply_to_status_id", "in response to tweet id".
_REPLY_TO_NAME = re.compile(r"^in (reply|response) to( [a-z]+)? id$")
_PARENTHESES = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_NON_WORD = re.compile(r"[^0-9a-z]+")
EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[a-z]{2,}$", re.IGNORECASE)
_ID_LIKE = re.compile(r"^[A-Za-z0-9#][A-Za-z0-9_.#/-]{0,39}$")
# A header word that says the column identifies something ("bug_id", "unique_id", "Case No")
_ID_WORDS = frozenset(("id", "key", "number", "no", "nr", "num", "ref", "reference", "uid", "uuid", "guid"))
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
_FLAG_VALUES = frozenset(("yes", "no", "true", "false", "y", "n", "t", "f", "0", "1"))
# Role header names that name an issue's own flag as often as a message's (Redmine's issue
# "private", a mail's "incoming"): a message's role only where the dump has messages
_BARE_ROLE_NAMES = frozenset(("direction", "inbound", "is inbound", "incoming", "role", "public", "is public",
                              "private", "is private", "internal", "is internal", "is note"))
_MESSAGE_FIELDS = ("message_id", "reply_to", "author")


def normalize_header(name: str) -> str:
    """A header name reduced for matching: lower case, no "(zone)" or "[type]" suffix, no punctuation."""
    return _NON_WORD.sub(" ", _PARENTHESES.sub(" ", name.lower())).strip()


def guess_mapping(header: Sequence[str], rows: Iterable[Sequence[object]], *, timezone: str = "UTC",
                  known: dict[str, int | list[int]] | None = None) -> FieldMapping:
    """A best-guess mapping from header names (synonyms) and then from the cells' content.

    ``known`` holds columns already settled (by a vendor layout); guessing only fills the gaps.
    ``rows`` should be a sample (a few hundred rows is plenty).
    """
    sample = [list(row) for row, _ in zip(rows, range(500), strict=False)]
    columns: dict[str, int | list[int]] = dict(known or {})
    _guess_by_names(header, columns)
    if "author_role" not in (known or {}):
        _drop_role_of_a_ticket_level_dump(header, columns)
    _guess_by_content(header, sample, columns)
    _prefer_readable_key(header, sample, columns)
    mapping = FieldMapping(columns, timezone=timezone, header_names=list(header))
    mapping.day_order = _sample_day_order(mapping, sample)
    return mapping


_READABLE_KEY = re.compile(r"^[A-Z][A-Z0-9_]*-[0-9]+$")  # Jira's CSC-14


def _prefer_readable_key(header: Sequence[str], sample: list[list[object]],
                         columns: dict[str, int | list[int]]) -> None:
    """A readable key ("CSC-14") rather than the numeric id beside it becomes the ticket id.

    Jira's exports carry both; people name tickets by the key, so quotes and reports should too.
    Only a key that is unique in the sample can say which ticket a row is.
    """
    current = columns.get("external_id")
    if not isinstance(current, int) or "message_id" in columns or "reply_to" in columns:
        return
    names = [normalize_header(name) for name in header]
    if names[current] not in ("id", "issue id", "ticket id"):
        return
    for index, name in enumerate(names):
        if name in ("key", "issue key") and index not in _used(columns):
            values = [restore_id(value) for value in _values(sample, index)]
            # unique too: a flattened export whose "key" repeats for different issues keeps the id
            if values and len(set(values)) == len(values) and all(_READABLE_KEY.match(value) for value in values):
                columns["external_id"] = index
                return


def _used(columns: dict[str, int | list[int]]) -> set[int]:
    used: set[int] = set()
    for value in columns.values():
        used.update([value] if isinstance(value, int) else value)
    return used


def _guess_by_names(header: Sequence[str], columns: dict[str, int | list[int]]) -> None:
    normalized = [normalize_header(name) for name in header]
    for name in MULTI_FIELDS:
        if name not in columns:
            found = [i for i, text in enumerate(normalized) if text in HEADER_SYNONYMS[name]]
            if found:
                columns[name] = found
    for name in SINGLE_FIELDS:
        if name in columns:
            continue
        used = _used(columns)
        for synonym in HEADER_SYNONYMS[name]:
            index = next((i for i, text in enumerate(normalized) if text == synonym and i not in used), None)
            if index is not None:
                columns[name] = index
                break
        if name == "reply_to" and name not in columns:
            index = next((i for i, text in enumerate(normalized) if _REPLY_TO_NAME.match(text) and i not in used),
                         None)
            if index is not None:
                columns[name] = index


def _drop_role_of_a_ticket_level_dump(header: Sequence[str], columns: dict[str, int | list[int]]) -> None:
    """A bare flag ("private": yes/no) is no author's role in a dump of tickets, which has no messages to give one."""
    role = columns.get("author_role")
    if (isinstance(role, int) and normalize_header(header[role]) in _BARE_ROLE_NAMES
            and not any(name in columns for name in _MESSAGE_FIELDS)):
        del columns["author_role"]


def header_names_an_id(name: str) -> bool:
    return bool(_ID_WORDS.intersection(normalize_header(name).split()))


def _values(sample: list[list[object]], index: int) -> list[object]:
    return [row[index] for row in sample if index < len(row) and row[index] not in ("", None)]


def _guess_by_content(header: Sequence[str], sample: list[list[object]],
                      columns: dict[str, int | list[int]]) -> None:
    _addresses_are_emails(header, sample, columns)
    reply_to = columns.get("reply_to")
    if isinstance(reply_to, int) and _looks_like_emails(header[reply_to], _values(sample, reply_to), len(sample)):
        del columns["reply_to"]  # addresses, not the id of the message answered
    free = [i for i in range(len(header)) if i not in _used(columns)]
    guessers: tuple[tuple[str, Callable[[str, list[object], int], float]], ...] = (
        ("external_id", _id_score), ("requester_email", _looks_like_emails),
        ("created_at", _date_score), ("body", _long_text_score))
    for name, score in guessers:
        if name in columns:
            continue
        scored = [(score(header[i], _values(sample, i), len(sample)), -i, i) for i in free]
        scored = [entry for entry in scored if entry[0] > 0]
        if scored:
            index = max(scored)[2]
            columns[name] = index
            free.remove(index)


def _addresses_are_emails(header: Sequence[str], sample: list[list[object]],
                          columns: dict[str, int | list[int]]) -> None:
    """A requester column named for the person ("Requester", "Customer") that holds email addresses is
    the requester's email, not a name: the customer is then found by address, as everywhere else."""
    named = columns.get("requester_name")
    if (isinstance(named, int) and "requester_email" not in columns
            and _looks_like_emails(header[named], _values(sample, named), len(sample))):
        columns["requester_email"] = columns.pop("requester_name")


def _id_score(name: str, values: list[object], total: int) -> float:
    """How surely a column is the ticket id: every row filled, no value twice, each short and id-like.

    Numbers, yes/no flags and dates are that too (Redmine's estimated_hours 1, 2, 3; private
    yes/no; start 2019/05/28), so such a column is an id only when its header says so; a header
    that says so wins over a column of unique words beside it (unique_id over priority).
    """
    texts = [restore_id(value) for value in values]
    if not texts or len(texts) < total or len(set(texts)) < len(texts):
        return 0.0
    if not all(_ID_LIKE.match(text) for text in texts):
        return 0.0
    if header_names_an_id(name):
        return 2.0
    counts_flags_or_dates = (all(_PLAIN_NUMBER.match(text) for text in texts)
                             or all(isinstance(value, bool) or text.casefold() in _FLAG_VALUES
                                    for value, text in zip(values, texts, strict=True))
                             or all(looks_like_date(value) for value in values))
    return 0.0 if counts_flags_or_dates else 1.0


def _looks_like_emails(name: str, values: list[object], total: int) -> float:
    if not values:
        return 0.0
    share = sum(1 for value in values if isinstance(value, str) and EMAIL.match(value.strip())) / len(values)
    return share if share >= 0.8 else 0.0


def _date_score(name: str, values: list[object], total: int) -> float:
    if not values:
        return 0.0
    dates = [value for value in values if looks_like_date(value)]
    if len(dates) < 0.8 * len(values):
        return 0.0
    # Ticket times carry a time of day; purchase or birth dates do not.
    timed = sum(1 for value in dates if has_time_of_day(value)) / len(dates)
    return 1.0 + timed + len(values) / max(total, 1)


def _long_text_score(name: str, values: list[object], total: int) -> float:
    texts = [value for value in values if isinstance(value, str)]
    if not texts:
        return 0.0
    average = sum(len(text) for text in texts) / len(texts)
    return average if average >= 40 else 0.0


def _sample_day_order(mapping: FieldMapping, sample: list[list[object]]) -> str | None:
    orders = {detect_day_order(_values(sample, index)) for index in
              (mapping.column(name) for name in DATE_FIELDS) if index is not None}
    decided = orders & set(DAY_ORDERS)
    return decided.pop() if len(decided) == 1 else None
