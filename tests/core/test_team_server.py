"""The throwaway cluster behind `make team-server` and the team-workspace tests."""
from __future__ import annotations

import psycopg
import pytest


def test_the_cluster_listens_on_loopback_only_and_needs_a_password(team_server, monkeypatch):
    with team_server.admin() as conn:
        assert conn.execute("SHOW listen_addresses").fetchone() == ("127.0.0.1",)
    monkeypatch.delenv("PGPASSFILE")
    monkeypatch.setenv("PGPASSFILE", "/nonexistent")
    with pytest.raises(psycopg.OperationalError, match="password"):
        psycopg.connect(team_server.url(), connect_timeout=5).close()


def test_each_test_gets_an_empty_database_of_its_own(team_database):
    with psycopg.connect(team_database) as conn:
        tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()
    assert tables == (0,)


def test_on_ci_a_missing_cluster_fails_the_test_instead_of_skipping_it(monkeypatch):
    from tests.team_server import unavailable

    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="required on CI"):
        unavailable("initdb not found")
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception):
        unavailable("initdb not found")
