"""The throwaway PostgreSQL cluster the team-workspace tests run against (scripts/team-server.sh).

One cluster per test session, started by the same script a person uses (`make team-server`), stopped
and removed afterwards. Each test gets a database of its own. On CI (CI=true) a cluster that cannot
start fails the tests that need it; elsewhere they are skipped with the reason, so a laptop without
PostgreSQL still runs the rest.
"""
from __future__ import annotations

import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.shared_data import on_ci

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "team-server.sh"


@dataclass(frozen=True)
class TeamServer:
    folder: str
    port: int
    pgpassfile: str

    def url(self, database: str = "postmortem", user: str = "postmortem") -> str:
        """A URL without a password: libpq finds it in PGPASSFILE, as it would for a person."""
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    def admin(self, database: str = "postmortem"):  # a psycopg connection, autocommit
        import psycopg

        return psycopg.connect(self.url(database), autocommit=True, passfile=self.pgpassfile)

    def new_database(self, template: str = "template1") -> str:
        name = f"ws_{uuid.uuid4().hex[:12]}"
        with self.admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return name

    def drop_database(self, name: str) -> None:
        with self.admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def add_login(self, role: str, password: str) -> None:
        """A role that may log in with a password, remembered in the session's PGPASSFILE."""
        from psycopg import sql

        with self.admin() as conn:
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(sql.Identifier(role),
                                                                            sql.Literal(password)))
        with open(self.pgpassfile, "a", encoding="utf-8") as pgpass:
            pgpass.write(f"127.0.0.1:{self.port}:*:{role}:{password}\n")


def unavailable(reason: str) -> None:
    if on_ci():
        pytest.fail(f"the PostgreSQL test cluster is required on CI: {reason}", pytrace=False)
    pytest.skip(f"no PostgreSQL test cluster: {reason}")


def start_server() -> TeamServer:
    result = subprocess.run(["bash", str(SCRIPT), "start"], capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise RuntimeError(result.stderr.strip() or f"team-server.sh exited {result.returncode}")
    values = dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
    return TeamServer(folder=values["FOLDER"], port=int(values["PORT"]), pgpassfile=values["PGPASSFILE"])


def stop_server(server: TeamServer) -> None:
    subprocess.run(["bash", str(SCRIPT), "stop", server.folder], capture_output=True, timeout=120, check=False)
