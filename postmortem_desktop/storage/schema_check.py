"""Verifies that a workspace file's schema is exactly the one this app writes, before anything runs.

A workspace from a colleague is untrusted. One carrying its own trigger ran it on the next import (it
deleted every action item); files with no tables or a dropped `messages` table passed SQLite's
integrity check and failed later. So every file is compared, object by object, with the schema the
version ladder builds for its version in an empty in-memory database: tables with their columns,
indexes and foreign keys; triggers, views and virtual tables by their SQL. Anything missing, changed
or extra is refused before the file is used.
"""
from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from functools import cache

# Tables SQLite itself may add to any database (ANALYZE, AUTOINCREMENT); they carry no behaviour.
_SQLITE_OWN = re.compile(r"^sqlite_(stat\d|sequence)$")


@dataclass(frozen=True)
class SchemaShape:
    """What a schema consists of, in a form two databases can be compared by."""

    tables: dict[str, tuple]  # name -> (columns, indexes, foreign keys)
    coded: dict[str, tuple[str, str]]  # trigger, view or virtual table name -> (type, normalised SQL)
    shadow: frozenset[str]  # the tables a full-text index keeps for itself

    def differences(self, other: SchemaShape) -> list[str]:
        """What self has that other does not, and the reverse, in words (first ones first)."""
        found: list[str] = []
        for kind, mine, theirs in (("table", self.tables, other.tables), ("", self.coded, other.coded)):
            for name in sorted(set(mine) | set(theirs)):
                label = f"{kind or (mine.get(name) or theirs[name])[0]} `{name}`"
                if name not in theirs:
                    found.append(f"it has a {label} that this app did not create")
                elif name not in mine:
                    found.append(f"its {label} is missing")
                elif mine[name] != theirs[name]:
                    found.append(f"its {label} was changed")
        for name in sorted(self.shadow ^ other.shadow):
            found.append(f"its search-index table `{name}` is {'extra' if name in self.shadow else 'missing'}")
        return found


def shape_of(conn: sqlite3.Connection) -> SchemaShape:
    """The schema of the main database of conn."""
    rows = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
    virtual = {name for kind, name, _t, sql in rows if kind == "table" and _is_virtual(sql)}
    shadow = {name for kind, name, _t, _s in rows if kind == "table" and _shadow_of(name, virtual)}
    tables: dict[str, tuple] = {}
    coded: dict[str, tuple[str, str]] = {}
    for kind, name, _table, sql in rows:
        if _SQLITE_OWN.match(name) or name in shadow:
            continue
        if kind == "table" and name not in virtual:
            tables[name] = _table_shape(conn, name)
        elif kind in ("trigger", "view") or name in virtual:
            coded[name] = ("virtual table" if name in virtual else kind, _normalise(sql))
        # indexes (named or automatic) are compared through their table's PRAGMA index_list
    return SchemaShape(tables=tables, coded=coded, shadow=frozenset(shadow))


@cache
def expected_shape(version: int) -> SchemaShape:
    """The schema the version ladder builds for version, in a new in-memory database."""
    from sqlalchemy import create_engine

    from . import migrations

    engine = create_engine("sqlite://")
    try:
        migrations.upgrade_to(engine.connect, 0, version)
        with engine.connect() as conn:
            # a workspace is SQLite: the pool's DBAPI connection is a sqlite3.Connection
            return shape_of(conn.connection.dbapi_connection)  # type: ignore[arg-type]
    finally:
        engine.dispose()


def _table_shape(conn: sqlite3.Connection, name: str) -> tuple:
    quoted = '"' + name.replace('"', '""') + '"'
    columns = tuple(conn.execute(f"PRAGMA table_xinfo({quoted})").fetchall())
    indexes = []
    for _seq, index, unique, origin, partial in conn.execute(f"PRAGMA index_list({quoted})").fetchall():
        index_sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (index,)).fetchone()
        key_columns = tuple(row[2] for row in conn.execute(f"PRAGMA index_info(\"{index}\")").fetchall())
        indexes.append((index, unique, origin, partial, key_columns,
                        _normalise(index_sql[0]) if index_sql and index_sql[0] else ""))
    foreign_keys = tuple(conn.execute(f"PRAGMA foreign_key_list({quoted})").fetchall())
    table_sql = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone()
    return columns, tuple(sorted(indexes)), foreign_keys, _rules_of(table_sql[0] if table_sql else "")


def _rules_of(sql: str | None) -> tuple[str, ...]:
    """The CHECK constraints and collations in a table's SQL, normalised (PRAGMAs show neither).

    An altered COLLATE NOCASE or an added CHECK passed the comparison and failed later, mid-import
    (adversarial re-check). Only these clauses are compared, not the whole text, so DDL written with
    other spacing or quoting by another SQLAlchemy version still matches.
    """
    text = sql or ""
    rules = [f"collate {m.group(1).lower()}" for m in re.finditer(r"\bCOLLATE\s+\"?(\w+)\"?", text, re.I)]
    for match in re.finditer(r"\bCHECK\s*\(", text, re.I):
        depth, end = 1, match.end()
        while end < len(text) and depth:
            depth += {"(": 1, ")": -1}.get(text[end], 0)
            end += 1
        rules.append("check " + " ".join(text[match.end():end - 1].lower().replace('"', "").split()))
    return tuple(sorted(rules))


def _is_virtual(sql: str | None) -> bool:
    return bool(sql) and re.match(r"\s*CREATE\s+VIRTUAL\s+TABLE", sql or "", re.IGNORECASE) is not None


def _shadow_of(name: str, virtual: set[str]) -> bool:
    return any(name.startswith(v + "_") for v in virtual)


def _normalise(sql: str | None) -> str:
    return " ".join((sql or "").split())
