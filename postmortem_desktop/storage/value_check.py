"""Checks that every stored value is one this app writes: times in the stored time form, vocabulary words.

SQLite keeps any text in any column, so a workspace from a colleague can pass the integrity and schema
checks and still hold `not-a-date` in a time column or `SEV999` in a severity: the first read of it then
failed deep inside a screen, a report or a publish (which copied it on to a team). One query per table,
LIMIT 1, names the first offender; the allowed words come from the domain's vocabulary, the time columns
from the schema's own types, so neither is written twice.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from sqlalchemy import Connection, Date, Table, case, or_, select
from sqlalchemy.sql.elements import KeyedColumnElement

from ..domain.vocabulary import (
    REVIEW_QUESTIONS,
    SEVERITIES,
    ActionArea,
    ActionStatus,
    Channel,
    IncidentStatus,
    Role,
    SystemEventKind,
    TagSource,
)
from .schema import (
    ActionItem,
    Base,
    Conversation,
    Incident,
    Message,
    ReviewAnswer,
    SystemEvent,
    TagAssignment,
    UTCDateTime,
)


def _words(vocabulary: type[Enum]) -> tuple[str, ...]:
    return tuple(str(member.value) for member in vocabulary)


# Each enumerated column and the words it may hold; "" where an empty value means "not decided yet".
VOCABULARY_COLUMNS: dict[KeyedColumnElement[Any], tuple[str, ...]] = {
    Incident.__table__.c.status: _words(IncidentStatus),
    Incident.__table__.c.technical_severity: SEVERITIES,
    Incident.__table__.c.customer_severity: ("", *SEVERITIES),
    Incident.__table__.c.customer_severity_suggested: ("", *SEVERITIES),
    Conversation.__table__.c.channel: _words(Channel),
    Message.__table__.c.role: _words(Role),
    TagAssignment.__table__.c.source: _words(TagSource),
    ActionItem.__table__.c.area: _words(ActionArea),
    ActionItem.__table__.c.status: _words(ActionStatus),
    SystemEvent.__table__.c.kind: _words(SystemEventKind),
    ReviewAnswer.__table__.c.question: tuple(key for key, _text in REVIEW_QUESTIONS),
}

# The stored time form (storage/bulk.db_time, SQLAlchemy's DateTime on SQLite) is "YYYY-MM-DD HH:MM:SS.ffffff".
_FRACTION_GLOB = ".[0-9][0-9][0-9][0-9][0-9][0-9]"
# Text sorts after numbers and before blobs in SQLite, so this range also refuses both; year 0 Python cannot read.
# The column is compared as +column: without its (numeric) affinity, which would turn '0001' into the number 1.
_TEXT_FROM_YEAR_ONE = "BETWEEN '0001' AND '9999~'"
_SHOWN = 60  # characters of an offending value quoted in the message


@dataclass(frozen=True)
class StrayValue:
    """The first stored value this app would never have written, and where it is."""

    table: str
    column: str
    row: int
    value: object
    expected: str

    def sentence(self) -> str:
        shown = repr(self.value)
        if len(shown) > _SHOWN:
            shown = shown[:_SHOWN - 1] + "…"
        return f"{self.table}.{self.column} of row {self.row} is {shown}, where this app writes {self.expected}"


def _is_stray_time(column: str) -> str:
    # Adding zero seconds makes SQLite parse the whole value and write it out again in its one form, normalising
    # the calendar: a value whose first 19 characters come back the same, and that ends in a 6-digit fraction,
    # is a real time in the stored form (2024-02-30, 24:00, a "T", a zone or trailing text come back changed or
    # as NULL). SQLite rounds the fraction to milliseconds, so a time in its last half millisecond comes back a
    # second later: only then is it compared without its fraction (and its length checked instead). The cheapest
    # of the ways tried (bench/bench_value_check.py): one GLOB of the whole text cost twice as much.
    head = f"substr({column}, 1, 19)"
    return (f"({column} IS NOT NULL AND NOT (+{column} {_TEXT_FROM_YEAR_ONE} AND {column} GLOB '*{_FRACTION_GLOB}' "
            f"AND (datetime({column}, '+0 seconds') IS {head} "
            f"OR (length({column}) = 26 AND datetime({head}, '+0 seconds') IS {head}))))")


def _is_stray_date(column: str) -> str:
    return (f"({column} IS NOT NULL AND NOT (+{column} {_TEXT_FROM_YEAR_ONE} AND length({column}) = 10 "
            f"AND date({column}, '+0 days') IS {column}))")


def _is_stray_word(column: str, words: tuple[str, ...]) -> str:
    listed = ", ".join("'" + word.replace("'", "''") + "'" for word in words)
    return f"({column} IS NOT NULL AND {column} NOT IN ({listed}))"


def _rules(table: Table, present: set[str]) -> list[tuple[str, str, str]]:
    """(column, SQL that is true for a stray value, what the app writes there) for the table's checked columns."""
    rules = []
    for column in table.columns:
        if column.name not in present:
            continue  # an older format, not upgraded yet, lacks it
        quoted = f'"{column.name}"'
        if isinstance(column.type, UTCDateTime):
            rules.append((column.name, _is_stray_time(quoted), "a time such as '2024-03-01 14:05:00.000000'"))
        elif isinstance(column.type, Date):
            rules.append((column.name, _is_stray_date(quoted), "a date such as '2024-03-01'"))
        elif column in VOCABULARY_COLUMNS:
            words = VOCABULARY_COLUMNS[column]
            rules.append((column.name, _is_stray_word(quoted, words), _one_of(words)))
    return rules


def _one_of(words: tuple[str, ...]) -> str:
    return "one of " + ", ".join(repr(word) for word in words)


def first_stray_value(conn: sqlite3.Connection) -> StrayValue | None:
    """The first value in the file this app never writes, None when every checked value is one it writes."""
    for table in Base.metadata.sorted_tables:
        present = {row[1] for row in conn.execute(f'PRAGMA table_info("{table.name}")')}
        rules = _rules(table, present)
        if not rules:
            continue
        found = _first_in_table(conn, table.name, rules)
        if found is not None:
            return found
    return None


def _first_in_table(conn: sqlite3.Connection, table: str, rules: Iterable[tuple[str, str, str]]) -> StrayValue | None:
    rules = list(rules)
    which = " ".join(f"WHEN {stray} THEN {number}" for number, (_name, stray, _expected) in enumerate(rules))
    anywhere = " OR ".join(stray for _name, stray, _expected in rules)
    row = conn.execute(f'SELECT rowid, CASE {which} END FROM "{table}" WHERE {anywhere} LIMIT 1').fetchone()
    if row is None:
        return None
    column, _stray, expected = rules[row[1]]
    value = conn.execute(f'SELECT "{column}" FROM "{table}" WHERE rowid = ?', (row[0],)).fetchone()[0]
    return StrayValue(table, column, row[0], value, expected)


def first_stray_word(conn: Connection) -> StrayValue | None:
    """A team workspace's first word outside the vocabulary, None when there is none.

    PostgreSQL's typed columns keep times and dates sound, but any text fits a status or a role, and a
    publish from there spread it to every teammate's list. The same words as for a file, one query per table.
    """
    for table in Base.metadata.sorted_tables:
        checked = [(column, VOCABULARY_COLUMNS[column]) for column in table.columns if column in VOCABULARY_COLUMNS]
        if not checked:
            continue
        strays = [column.not_in(words) for column, words in checked]
        which = case(*((stray, number) for number, stray in enumerate(strays)))
        row = conn.execute(select(table.c.id, which).where(or_(*strays)).order_by(table.c.id).limit(1)).first()
        if row is not None:
            column, words = checked[row[1]]
            value = conn.execute(select(column).where(table.c.id == row[0])).scalar()
            return StrayValue(table.name, column.name, row[0], value, _one_of(words))
    return None
