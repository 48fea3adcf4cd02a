"""The column-to-field mapping of a ticket dump: structure, presets, validation, applying it.

The dialog, the CLI and the import service all go through ``map_rows`` here, so a row is
cleaned, dated and skipped the same way whichever of them started the import. The best guess of a
new file's mapping is importers/mapping_guess.py.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain, islice
from typing import Any, Protocol

from postmortem_desktop.domain.json_input import load_json
from postmortem_desktop.importers.dates import (
    AMBIGUOUS,
    DAY_ORDERS,
    DateColumnParser,
    DateParseError,
    DayOrderWatch,
    ambiguous_samples,
    detect_day_order,
    zone_for,
)
from postmortem_desktop.importers.records import ParsedMessage, SkippedRow, TicketRow
from postmortem_desktop.importers.text_cleanup import cell_text, html_to_text, restore_id, split_tags

SINGLE_FIELDS = (
    "external_id", "subject", "body", "created_at", "updated_at", "status", "channel",
    "requester_name", "requester_email", "organization",
    # Not stored: only tells the requester's own comments (Jira names authors by account id).
    "requester_id",
    # Message-level dumps (one row per message, importers/message_dump.py): mapping either of
    # the first two makes a dump message-level; author and author role are read per message.
    "message_id", "reply_to", "author", "author_role",
)
MULTI_FIELDS = ("tags", "comments")
FIELDS = SINGLE_FIELDS + MULTI_FIELDS
REQUIRED_FIELDS = ("external_id", "created_at")
DATE_FIELDS = ("created_at", "updated_at")
FIELD_LABELS = {
    "external_id": "ticket id", "subject": "subject", "body": "body",
    "created_at": "created time", "updated_at": "updated time", "status": "status",
    "channel": "channel", "requester_name": "requester name", "requester_email": "requester email",
    "organization": "organization", "requester_id": "requester id", "tags": "tags",
    "comments": "comments", "message_id": "message id", "reply_to": "reply to (parent message id)",
    "author": "message author", "author_role": "author role (direction, inbound, author type, public)",
}
_REQUIRED_HINTS = {
    "external_id": "choose the column holding the ticket number, so a re-import updates tickets "
                   "instead of duplicating them",
    "created_at": "choose the column with the time the ticket was opened, so it can sit on the timeline",
}
_PRESET_VERSION = 1
MESSAGE_ROLES = ("customer", "agent", "internal")


class MappingError(ValueError):
    """A mapping that cannot be applied; ``problems`` lists every reason, in plain words, and ``unmapped``
    the required fields no column feeds (the command line says how to choose one: --map)."""

    def __init__(self, problems: list[str], unmapped: Sequence[str] = ()) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems
        self.unmapped = tuple(unmapped)

    def __reduce__(self) -> tuple[type[MappingError], tuple[list[str], tuple[str, ...]]]:  # crosses processes intact
        return (MappingError, (self.problems, self.unmapped))


class AmbiguousDatesError(ValueError):
    """A date column whose values read both day first and month first: a person must choose."""

    def __init__(self, column_name: str, samples: list[str]) -> None:
        super().__init__(
            f"the dates in column '{column_name}' (for example {', '.join(samples)}) could be day "
            "first or month first: choose the day order"
        )
        self.column_name = column_name
        self.samples = samples

    def __reduce__(self) -> tuple[type[AmbiguousDatesError], tuple[str, list[str]]]:  # crosses processes intact
        return (AmbiguousDatesError, (self.column_name, self.samples))


def _reference(names: Sequence[str], index: int) -> dict[str, object]:
    if index >= len(names):
        return {"index": index}
    name = names[index]
    return {"index": index, "name": name, "occurrence": list(names[:index]).count(name)}


@dataclass
class FieldMapping:
    """Which column feeds each field: an index for single fields, a list for tags and comments.

    ``timezone`` is the zone of times written without an offset; ``day_order`` is "dayfirst",
    "monthfirst" or None (decide from the data). ``header_names`` is the header the mapping was
    made for, kept so a saved preset finds its columns again in a file where they moved.
    ``roles`` holds the person's corrections of a message-level dump's roles, by author.
    """

    columns: dict[str, int | list[int]] = field(default_factory=dict)
    timezone: str = "UTC"
    day_order: str | None = None
    header_names: list[str] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)
    roles: dict[str, str] = field(default_factory=dict)

    def column(self, name: str) -> int | None:
        """The column index of a single field, or None when it is not mapped."""
        value = self.columns.get(name)
        return value if isinstance(value, int) else None

    def mapped_column(self, name: str) -> int:
        """The column of a single field known to be mapped (a required field, once validate() passed)."""
        index = self.column(name)
        if index is None:
            raise MappingError([f"{FIELD_LABELS.get(name, name)} is not mapped to a column"])
        return index

    def column_list(self, name: str) -> list[int]:
        """The column indexes of a field, as a list for single and multi fields alike."""
        value = self.columns.get(name)
        if value is None:
            return []
        return [value] if isinstance(value, int) else list(value)

    def describe(self, header: Sequence[str]) -> dict[str, object]:
        """The mapping by column name, as an import's record and summary show it."""
        columns = {}
        for name, value in self.columns.items():
            indexes = [value] if isinstance(value, int) else list(value)
            names = [header[i] for i in indexes if 0 <= i < len(header)]
            columns[name] = names[0] if isinstance(value, int) and names else names
        described: dict[str, object] = {"columns": columns, "timezone": self.timezone, "day_order": self.day_order}
        if self.roles:
            described["roles"] = dict(self.roles)
        return described

    def to_json(self, header: Sequence[str] | None = None) -> str:
        """A preset: each column stored by index and by header name (with its occurrence).

        ``header`` defaults to ``header_names``, the header the mapping was guessed for.
        """
        names = list(header) if header is not None else self.header_names
        columns: dict[str, object] = {}
        for name, value in self.columns.items():
            refs = [_reference(names, index) for index in ([value] if isinstance(value, int) else value)]
            columns[name] = refs if name in MULTI_FIELDS else refs[0]
        return json.dumps({"version": _PRESET_VERSION, "timezone": self.timezone,
                           "day_order": self.day_order, "columns": columns, "roles": self.roles},
                          ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str, header: Sequence[str] | None = None) -> FieldMapping:
        """A preset read back; with ``header``, columns are found again by name where they moved.

        Columns whose names are not in ``header`` are left out and listed in ``unresolved``,
        which ``validate`` reports.
        """
        try:
            data = load_json(text)
            stored_columns = dict(data.get("columns", {}))
        except (ValueError, TypeError, AttributeError) as error:
            # a MappingError, which every caller already says in words (the command line too)
            raise MappingError([f"the saved mapping is damaged ({error}); map the columns again"]) from error
        roles = data.get("roles") or {}
        mapping = cls(timezone=data.get("timezone") or "UTC", day_order=data.get("day_order"),
                      header_names=list(header or []),
                      roles={str(k): str(v) for k, v in roles.items()} if isinstance(roles, dict) else {})
        for name, stored in stored_columns.items():
            refs = stored if isinstance(stored, list) else [stored]
            indexes = [index for index in (mapping._resolve(name, ref, header) for ref in refs)
                       if index is not None]
            if indexes:
                mapping.columns[name] = indexes if name in MULTI_FIELDS else indexes[0]
        return mapping

    def _resolve(self, name: str, ref: dict[str, Any], header: Sequence[str] | None) -> int | None:
        index: int | None = ref.get("index")
        column_name = ref.get("name")
        if header is None or column_name is None:
            return index
        if isinstance(index, int) and index < len(header) and header[index] == column_name:
            return index
        wanted: int = ref.get("occurrence", 0)
        found = [position for position, value in enumerate(header) if value == column_name]
        if wanted < len(found):
            return found[wanted]
        self.unresolved.append(f"the preset's column '{column_name}' ({FIELD_LABELS.get(name, name)}) "
                               "is not in this file")
        return None

    def validate(self, header: Sequence[str]) -> list[str]:
        """Every problem that stops this mapping from being applied to a file with ``header``."""
        problems = list(self.unresolved)
        owners: dict[int, str] = {}
        for name, value in self.columns.items():
            if name not in FIELDS:
                problems.append(f"'{name}' is not a field we import")
                continue
            for index in ([value] if isinstance(value, int) else value):
                if not 0 <= index < len(header):
                    problems.append(f"{FIELD_LABELS[name]} points at column {index + 1}, "
                                    f"but the file has {len(header)} columns")
                elif name in SINGLE_FIELDS:
                    if index in owners:
                        problems.append(f"column '{header[index]}' is mapped to both "
                                        f"{owners[index]} and {FIELD_LABELS[name]}")
                    owners[index] = FIELD_LABELS[name]
        for name in self.unmapped_required():
            problems.append(f"no column is mapped to {FIELD_LABELS[name]}: {_REQUIRED_HINTS[name]}")
        problems.extend(self._setting_problems())
        return problems

    def unmapped_required(self) -> list[str]:
        """The required fields no column feeds."""
        return [name for name in REQUIRED_FIELDS if self.column(name) is None]

    def _setting_problems(self) -> list[str]:
        problems = []
        try:
            zone_for(self.timezone)
        except ValueError as error:
            problems.append(str(error))
        if self.day_order not in (None, *DAY_ORDERS):
            problems.append(f"day order must be dayfirst or monthfirst, not '{self.day_order}'")
        for author, role in self.roles.items():
            if role not in MESSAGE_ROLES:
                problems.append(f"the role of '{author}' must be one of {', '.join(MESSAGE_ROLES)}, not '{role}'")
        return problems


# ---------------------------------------------------------------------------- applying it

class SheetLike(Protocol):
    """What map_rows needs from a sheet (sheet_reader.Sheet is one): a header and numbered rows."""

    header: list[str]

    def numbered_rows(self) -> Iterable[tuple[int, Sequence[object]]]: ...


def map_rows(sheet: SheetLike, mapping: FieldMapping) -> Iterator[TicketRow | SkippedRow]:
    """Each data row of ``sheet`` as a TicketRow, or a SkippedRow saying why not, in file order.

    Checks come first, before anything is yielded: MappingError for an invalid mapping,
    AmbiguousDatesError when a date column's day order cannot be told from its values and
    ``mapping.day_order`` is None.
    """
    problems = mapping.validate(sheet.header)
    if problems:
        raise MappingError(problems, mapping.unmapped_required())
    orders = settle_day_orders(sheet, mapping)
    return _RowMapper(sheet.header, mapping, orders).rows(sheet.numbered_rows())


def settle_day_orders(sheet: SheetLike, mapping: FieldMapping) -> dict[str, str | None]:
    """The day order for each mapped date field, decided from the whole column."""
    columns = _date_columns(mapping)
    if mapping.day_order is not None:
        return {name: mapping.day_order for name in columns}
    verdicts = {name: detect_day_order(_column_values(sheet, index)) for name, index in columns.items()}
    return orders_from_verdicts(verdicts, lambda name: _raise_ambiguous(sheet, mapping, name))


def orders_from_verdicts(verdicts: dict[str, str], on_ambiguous: Callable[[str], str | None]) -> dict[str, str | None]:
    """Each date field's order from the columns' verdicts.

    One export has one locale, so a column that proves its order settles the others; with no
    proof anywhere and numeric dates present, ``on_ambiguous(field)`` decides (it may raise).
    """
    decided = {verdict for verdict in verdicts.values() if verdict in DAY_ORDERS}
    shared = decided.pop() if len(decided) == 1 else None
    orders: dict[str, str | None] = {}
    for name, verdict in verdicts.items():
        if verdict == AMBIGUOUS and shared is None:
            orders[name] = on_ambiguous(name)
        else:
            orders[name] = verdict if verdict in DAY_ORDERS else shared
    return orders


def _date_columns(mapping: FieldMapping) -> dict[str, int]:
    """The mapped date fields and their columns."""
    return {name: index for name in DATE_FIELDS if (index := mapping.column(name)) is not None}


def _raise_ambiguous(sheet: SheetLike, mapping: FieldMapping, name: str) -> None:
    index = mapping.mapped_column(name)
    raise AmbiguousDatesError(sheet.header[index], ambiguous_samples(_column_values(sheet, index)))


class StreamedMapping:
    """map_rows for a file read as it streams, when the rows cannot all be seen first.

    The day order comes from the first rows; watches see every value of the date columns (as
    detect_day_order would, skipped rows included) and the order it was read in. After the last
    row, ``orders_to_read_again`` answers as map_rows would have on the whole column: None when
    every value, comments included, was read that way; the orders to read the file again with
    when some were not; or AmbiguousDatesError when the columns cannot decide.
    """

    def __init__(self, header: list[str], mapping: FieldMapping, head: SheetLike,
                 orders: dict[str, str | None] | None = None) -> None:
        problems = mapping.validate(header)
        if problems:
            raise MappingError(problems, mapping.unmapped_required())
        self.header = header
        self.mapping = mapping
        self.watches: dict[str, DayOrderWatch] = {}
        if orders is None and mapping.day_order is None:
            columns = _date_columns(mapping)
            verdicts = {name: detect_day_order(_column_values(head, index)) for name, index in columns.items()}
            orders = orders_from_verdicts(verdicts, lambda name: None)  # undecided so far
            self.watches = {name: DayOrderWatch() for name in columns}
        elif orders is None:
            orders = settle_day_orders(head, mapping)
        self._mapper = _RowMapper(header, mapping, orders)

    def rows(self, numbered: Iterable[tuple[int, Sequence[object]]]) -> Iterator[TicketRow | SkippedRow]:
        return chain.from_iterable(self.blocks(numbered))

    def blocks(self, numbered: Iterable[tuple[int, Sequence[object]]]) -> Iterator[list[TicketRow | SkippedRow]]:
        """The rows mapped a list at a time."""
        for block in _in_blocks(numbered):
            for name, watch in self.watches.items():
                index = self.mapping.mapped_column(name)
                watch.see_all([cells[index] for _, cells in block if index < len(cells)],
                              self._mapper.parsers[name].day_order)
            yield self._mapper._block(block)

    def orders_to_read_again(self) -> dict[str, str | None] | None:
        if not self.watches:
            return None
        verdicts = {name: watch.verdict() for name, watch in self.watches.items()}
        orders = orders_from_verdicts(verdicts, self._raise_ambiguous)
        dates_agree = all(watch.read_as_decided(orders[name]) for name, watch in self.watches.items())
        comments_agree = (not self._mapper.comment_columns
                          or self._mapper.comment_parser.day_order == comment_order(self.mapping, orders))
        return None if dates_agree and comments_agree else orders

    def _raise_ambiguous(self, name: str) -> None:
        raise AmbiguousDatesError(self.header[self.mapping.mapped_column(name)], self.watches[name].samples)


def comment_order(mapping: FieldMapping, orders: dict[str, str | None]) -> str | None:
    """The day order of dates inside comment cells: the mapping's, else the date columns'."""
    return mapping.day_order or next((order for order in orders.values() if order), None)


def _column_values(sheet: SheetLike, index: int) -> Iterator[object]:
    return (row[index] for _, row in sheet.numbered_rows() if index < len(row))


_TEXT_FIELDS = ("subject", "body", "status", "channel", "requester_name", "requester_email", "organization")
#: The longest ticket id or requester email a row may have. Both are looked up by index, and a team
#: workspace's index (PostgreSQL's b-tree) cannot hold a value of more than about 2,700 bytes while a file
#: can: so that both engines import the same rows, a longer one skips its row, named, on both. Real ids
#: and emails are far shorter (an email is at most 254 characters); such a cell is a mapping mistake.
LONGEST_ID = 1_000
# Vendors export these as HTML; the others are short values where markup never appears.
_RICH_TEXT_FIELDS = ("subject", "body")


class _RowMapper:
    """Turns cells into TicketRow fields; built once per import so each row does little work."""

    def __init__(self, header: Sequence[str], mapping: FieldMapping, orders: dict[str, str | None]) -> None:
        self.header = header
        self.mapping = mapping
        self.index = {name: mapping.column(name) for name in SINGLE_FIELDS}
        self.text_columns = [(name, index, name in _RICH_TEXT_FIELDS) for name in _TEXT_FIELDS
                             if (index := self.index[name]) is not None]
        self.tag_columns = mapping.column_list("tags")
        self.comment_columns = mapping.column_list("comments")
        self.parsers = {name: DateColumnParser(mapping.timezone, orders.get(name)) for name in DATE_FIELDS}
        self.comment_parser = DateColumnParser(mapping.timezone, comment_order(mapping, orders))

    def rows(self, numbered: Iterable[tuple[int, Sequence[object]]]) -> Iterator[TicketRow | SkippedRow]:
        return chain.from_iterable(self.blocks(numbered))

    def blocks(self, numbered: Iterable[tuple[int, Sequence[object]]]) -> Iterator[list[TicketRow | SkippedRow]]:
        return (self._block(block) for block in _in_blocks(numbered))

    def _one(self, number: int, cells: Sequence[object]) -> TicketRow | SkippedRow:
        try:
            return self.row(number, cells)
        except _Skip as skip:
            return SkippedRow(number, str(skip))

    def _block(self, block: list[tuple[int, Sequence[object]]]) -> list[TicketRow | SkippedRow]:
        """A block of rows mapped column by column: the same result as row(), ~4x faster.

        Python pays per function call, so each field is worked out for the whole block in one
        comprehension. A row with anything unusual (too few cells, no id or created time, a date
        that does not parse, comments to split) is mapped by row() instead, which is the
        reference and words the reasons for skipping.
        """
        width = self._width
        columns = list(zip(*(cells for _, cells in block if len(cells) >= width), strict=False))
        if len(columns) < width or len(columns[0]) != len(block):
            return [self._one(number, cells) for number, cells in block]
        index = self.index
        ids = [value.strip() if value.__class__ is str and "." not in value else restore_id(value)
               for value in columns[self.mapping.mapped_column("external_id")]]
        created = self._dates(columns, "created_at")
        updated = self._dates(columns, "updated_at") if index["updated_at"] is not None else [None] * len(block)
        texts = {name: _clean_texts(columns[column], rich) for name, column, rich in self.text_columns}
        empty = [""] * len(block)
        # each field's column looked up once per block, not once per row (seven lookups a row added up)
        subject, body, status, channel, name, email, organization = (texts.get(field, empty) for field in _TEXT_FIELDS)
        tags = self._block_tags(columns) if self.tag_columns else None
        mapped = []
        for i, (number, cells) in enumerate(block):
            if (not ids[i] or created[i] is None or created[i] is _BAD or updated[i] is _BAD or self.comment_columns
                    or len(ids[i]) > LONGEST_ID or len(email[i]) > LONGEST_ID):
                mapped.append(self._one(number, cells))
                continue
            mapped.append(TicketRow(number, ids[i], subject[i], body[i], created[i], updated[i], status[i], channel[i],
                                    name[i], email[i], organization[i], list(tags[i]) if tags else []))
        return mapped

    @property
    def _width(self) -> int:
        used = [i for i in self.index.values() if i is not None] + self.tag_columns + self.comment_columns
        return max(used) + 1

    def _dates(self, columns: list[tuple[object, ...]], name: str) -> list[Any]:  # datetime, None or _BAD
        parser = self.parsers[name]
        parse, known = parser.parse, parser.recent

        def safe(value: object) -> object:
            try:
                return parse(value)
            except DateParseError:
                return _BAD

        # known() answers the repeated texts of a busy minute without a call into the parser
        return [known(value) or safe(value) for value in columns[self.mapping.mapped_column(name)]]

    def _block_tags(self, columns: list[tuple[object, ...]]) -> list[tuple[str, ...]]:
        if len(self.tag_columns) > 1:
            return [tuple(self._tags(cells)) for cells in zip(*columns, strict=False)]
        seen: dict[object, tuple[str, ...]] = {}  # tag cells repeat: "billing payment" on every row
        result = []
        for value in columns[self.tag_columns[0]]:
            tags = seen.get(value)
            if tags is None:
                tags = seen[value] = tuple(split_tags(value))
            result.append(tags)
        return result

    def _cell(self, cells: Sequence[object], name: str) -> object:
        index = self.index[name]
        if index is None or index >= len(cells):
            return None
        return cells[index]

    def row(self, number: int, cells: Sequence[object]) -> TicketRow:
        external_id = restore_id(self._cell(cells, "external_id"))
        if not external_id:
            column = self.header[self.mapping.mapped_column("external_id")]
            raise _Skip(f"has no ticket id (column '{column}' is empty)")
        _check_id_length(self.header[self.mapping.mapped_column("external_id")], external_id)
        created_at = self._date(cells, "created_at")
        if created_at is None:
            column = self.header[self.mapping.mapped_column("created_at")]
            raise _Skip(f"has no created time (column '{column}' is empty)")
        texts = self._texts(cells)
        if "requester_email" in texts:
            _check_id_length(self.header[self.mapping.mapped_column("requester_email")], texts["requester_email"])
        ticket = TicketRow(row_number=number, external_id=external_id, created_at=created_at,
                           updated_at=self._date(cells, "updated_at"),
                           **texts)  # type: ignore[arg-type]  # its keys are TicketRow's text fields
        if self.tag_columns:
            ticket.tags = self._tags(cells)
        if self.comment_columns:
            ticket.comments = self._comments(cells, ticket)
        return ticket

    def _texts(self, cells: Sequence[object]) -> dict[str, str]:
        # One loop over the mapped text columns: this runs 100,000 times per import.
        size = len(cells)
        texts: dict[str, str] = {}
        for name, index, rich in self.text_columns:
            value = cells[index] if index < size else None
            if value.__class__ is str:
                value = value.strip()
            elif value is None:
                continue
            else:
                value = cell_text(value)
            texts[name] = html_to_text(value) if rich else value
        return texts

    def _text(self, cells: Sequence[object], name: str) -> str:
        value = self._cell(cells, name)
        if value is None or value == "":
            return ""
        return value.strip() if isinstance(value, str) else cell_text(value)

    def _date(self, cells: Sequence[object], name: str) -> datetime | None:
        value = self._cell(cells, name)
        try:
            return self.parsers[name].parse(value)
        except DateParseError:
            shown = value.strip() if isinstance(value, str) else value
            raise _Skip(f"{FIELD_LABELS[name]} '{shown}' is not a date") from None

    def _tags(self, cells: Sequence[object]) -> list[str]:
        if len(self.tag_columns) == 1:
            index = self.tag_columns[0]
            return split_tags(cells[index]) if index < len(cells) else []
        tags: dict[str, None] = {}
        for index in self.tag_columns:
            if index < len(cells):
                for tag in split_tags(cells[index]):
                    tags.setdefault(tag, None)
        return list(tags)

    def _comments(self, cells: Sequence[object], ticket: TicketRow) -> list[ParsedMessage]:
        requester = {key.lower() for key in (ticket.requester_name, ticket.requester_email,
                                             self._text(cells, "requester_id")) if key}
        comments = []
        for index in self.comment_columns:
            if index < len(cells):
                text = cell_text(cells[index])
                if text:
                    comments.append(parse_comment(text, self.comment_parser, requester))
        return comments


# Jira's comment cell: "05/Sep/26 11:00 AM;accountId;text".
_JIRA_COMMENT = re.compile(r"^\s*([^;\n]{6,40});([^;\n]*);(.*)$", re.DOTALL)


_BLOCK_ROWS = 1000
_BAD = object()


def _in_blocks(numbered: Iterable[tuple[int, Sequence[object]]]) -> Iterator[list[tuple[int, Sequence[object]]]]:
    numbered = iter(numbered)
    while block := list(islice(numbered, _BLOCK_ROWS)):
        yield block  # a date that did not parse: row() says why


def _clean_texts(values: Sequence[Any], rich: bool) -> list[str]:
    """A column of text cells as _RowMapper._texts stores them."""
    if not all(value.__class__ is str for value in values):
        values = [("" if value is None else cell_text(value)) if value.__class__ is not str else value
                  for value in values]
    texts = [value.strip() for value in values]
    if not rich:
        return texts
    # html_to_text leaves text without tags, entities or CRs alone; most cells are like that
    return [html_to_text(text) if ("<" in text or "&" in text or "\r" in text) else text for text in texts]


def _check_id_length(column: str, value: str) -> None:
    if len(value) > LONGEST_ID:
        raise _Skip(f"has {len(value):,} characters in column '{column}', longer than any real id or email "
                    f"(at most {LONGEST_ID:,}); check that this column is mapped to the right field")


class _Skip(Exception):
    """A row that cannot be imported; the message is the reason shown to the user."""


def parse_comment(text: str, parser: DateColumnParser, requester: set[str]) -> ParsedMessage:
    """One comment cell as a message.

    Jira writes ``time;author;text``: the author is the requester's (customer role) when it
    equals the row's requester name, email or id, and an agent's otherwise, since in a service
    desk everyone else commenting on a ticket works there. A plain cell has no author and is
    taken as an agent's note, because the requester's own words are the ticket's body.
    """
    match = _JIRA_COMMENT.match(text)
    if match is not None:
        try:
            at = parser.parse(match.group(1))
        except DateParseError:
            at = None
        if at is not None:
            author = match.group(2).strip()
            role = "customer" if author.lower() in requester else "agent"
            return ParsedMessage(author=author, text=html_to_text(match.group(3).strip()), at=at, role=role)
    return ParsedMessage(author="", text=html_to_text(text), at=None, role="agent")
