"""Bench seeding on either engine: generated rows go into a workspace file by sqlite3 executemany, or into a
team workspace on a throwaway cluster (scripts/team-server.sh, as the tests use) by psycopg COPY.

So bench_board.py and bench_timeline.py measure the same screens over the same rows on both engines
(`--team`), each figure beside the same budget.
"""
from __future__ import annotations

import os
import sqlite3
import subprocess
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "team-server.sh"


@contextmanager
def throwaway_cluster() -> Iterator[str]:
    """A loopback PostgreSQL cluster for the run; yields its URL (libpq finds the password via PGPASSFILE)."""
    result = subprocess.run(["bash", str(SCRIPT), "start"], capture_output=True, text=True, check=True)
    values = dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
    os.environ["PGPASSFILE"] = values["PGPASSFILE"]
    try:
        yield values["URL"]
    finally:
        subprocess.run(["bash", str(SCRIPT), "stop", values["FOLDER"]], capture_output=True, check=False)


def new_database(cluster_url: str) -> str:
    """The URL of a new empty database on the cluster."""
    import psycopg

    name = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(cluster_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return cluster_url.rsplit("/", 1)[0] + "/" + name


class RowWriter:
    """Writes generated rows with their ids into an existing workspace, in one transaction, the fast way for
    its engine; `close()` commits (and on PostgreSQL moves the id sequences past the rows and VACUUMs)."""

    def __init__(self, target: Path | str):
        self.team = isinstance(target, str) and target.startswith("postgresql")
        self._tables: set[str] = set()
        if self.team:
            import psycopg

            self._conn = psycopg.connect(str(target))
        else:
            self._lite = sqlite3.connect(target)
            self._lite.isolation_level = None
            self._lite.execute("BEGIN")

    def query(self, sql: str) -> list[tuple]:
        cursor = self._conn.execute(sql) if self.team else self._lite.execute(sql)
        return list(cursor.fetchall())

    def write(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
        self._tables.add(table)
        if not self.team:
            names, marks = ", ".join(f'"{c}"' for c in columns), ", ".join("?" for _ in columns)
            self._lite.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
            return
        from psycopg import sql

        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(c) for c in columns))
        with self._conn.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)

    def close(self) -> None:
        if not self.team:
            self._lite.execute("COMMIT")
            self._lite.close()
            return
        with self._conn.cursor() as cursor:
            for table in sorted(self._tables):  # the next id the app asks for comes after the bench's rows
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                               f"(SELECT max(id) FROM {table}))")
        self._conn.commit()
        self._conn.autocommit = True
        # what autovacuum does within a minute of a bulk load (PostgreSQL >= 13 vacuums after many inserts):
        # statistics, and the full-text indexes' pending entries merged (gin_clean_pending_list), so the
        # benches measure a team workspace as people use it, not the minute after the seeding's COPY
        self._conn.execute("VACUUM (ANALYZE)")
        self._conn.close()
