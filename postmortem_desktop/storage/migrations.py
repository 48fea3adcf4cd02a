"""The schema-version ladder: one transaction per step, the file backed up before the first step."""
from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Callable

from sqlalchemy import Connection

from .schema import Base

APPLICATION_ID = 0x504D5744  # "PMWD": marks a SQLite file as one of our workspaces
SCHEMA_VERSION = 1

SEARCH_TABLE_DDL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS conversation_search USING fts5("
    "subject, body, tokenize = 'unicode61 remove_diacritics 2')"
)


def _to_v1(conn: Connection) -> None:
    # Version 1 is the first released schema, so it is the current mapping. When version 2 lands,
    # freeze this step's DDL here so that old files keep upgrading the same way.
    Base.metadata.create_all(conn)
    conn.exec_driver_sql(SEARCH_TABLE_DDL)


LADDER: dict[int, Callable[[Connection], None]] = {1: _to_v1}


def upgrade(conn_factory: Callable[[], object], from_version: int) -> None:
    """Runs every step above from_version, each in its own transaction, stamping the version."""
    for version in range(from_version + 1, SCHEMA_VERSION + 1):
        with conn_factory() as conn:  # type: ignore[attr-defined]
            LADDER[version](conn)
            conn.exec_driver_sql(f"PRAGMA user_version = {version}")
            conn.commit()


def backup_file(path: Path, from_version: int) -> Path:
    """Copies the workspace with SQLite's online backup before a migration touches it."""
    target = path.with_name(f"{path.name}.v{from_version}.bak")
    n = 1
    while target.exists():
        target = path.with_name(f"{path.name}.v{from_version}.{n}.bak")
        n += 1
    src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    return target
