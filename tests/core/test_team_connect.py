"""Connecting to a team workspace: each way it can fail is said in words, and a password can be given
apart from the address; the test connection changes nothing on the server."""
from __future__ import annotations

import psycopg
import pytest

from postmortem_desktop.storage import migrations
from postmortem_desktop.storage.errors import (
    NoSuchDatabaseError,
    NoWorkspaceYetError,
    PasswordNeededError,
    PasswordRejectedError,
    ServerUnavailableError,
    TlsRefusedError,
)
from postmortem_desktop.storage.team_workspace import probe_team_workspace
from postmortem_desktop.storage.workspace import open_workspace


def _database(url: str) -> str:
    return url.rsplit("/", 1)[1]


@pytest.fixture
def login(password_login):
    """A role with a password only this test knows (not in any password file) and the workspace's URL for it."""
    return password_login("login", "only-in-memory")


def test_a_password_given_apart_from_the_address_logs_in_and_is_never_shown(login):
    ws = open_workspace(login, password="only-in-memory")
    try:
        assert not ws.read_only and "only-in-memory" not in ws.name
        assert ws.engine.url.password == "only-in-memory"  # the change feed's own connection logs in alike
    finally:
        ws.close()


def test_no_password_anywhere_asks_for_one(login):
    with pytest.raises(PasswordNeededError, match="asks for a password and none was given"):
        open_workspace(login)


def test_a_wrong_password_is_said_so(login):
    with pytest.raises(PasswordRejectedError, match="password authentication failed") as refused:
        open_workspace(login, password="wrong-one")
    assert "wrong-one" not in str(refused.value)


def test_a_database_that_is_not_there_is_said_so(team_server):
    with pytest.raises(NoSuchDatabaseError, match='has no such database .*"no_such_db" does not exist'):
        open_workspace(team_server.url("no_such_db"))


def test_a_server_that_does_not_answer_is_not_taken_for_a_password_problem(team_server):
    with pytest.raises(ServerUnavailableError, match="Check the network") as refused:
        probe_team_workspace("postgresql://nobody@127.0.0.1:1/nothing")
    assert type(refused.value) is ServerUnavailableError


def test_a_server_that_does_not_answer_when_opening_speaks_of_no_lost_change(team_server):
    """Testing or opening changes nothing: the message must not say "Nothing of the last change was saved"
    (the words for an edit the server lost), but that the server could not be reached, and what to check."""
    for attempt in (probe_team_workspace, open_workspace):
        with pytest.raises(ServerUnavailableError) as refused:
            attempt("postgresql://nobody@127.0.0.1:1/nothing")
        said = str(refused.value)
        assert "last change" not in said, said
        assert said.startswith("Could not reach postgresql://nobody@127.0.0.1:1/nothing") and "port" in said


def test_tls_the_server_does_not_offer_is_said_so(team_server):
    # the test cluster offers no TLS at all: "require" cannot be met
    with pytest.raises(TlsRefusedError, match="secure connection .TLS."):
        probe_team_workspace(team_server.url() + "?sslmode=require")


def test_a_tls_refusal_shows_the_ca_files_path_as_a_path(team_server, tmp_path):
    ca = tmp_path / "nonexistent-ca.pem"
    encoded = str(ca).replace("/", "%2F")
    with pytest.raises(TlsRefusedError) as refused:
        probe_team_workspace(f"{team_server.url()}?sslmode=verify-full&sslrootcert={encoded}")
    said = str(refused.value)
    assert f"sslrootcert={ca}:" in said and "%2F" not in said, said


def test_the_test_connection_finds_an_empty_database_to_create_a_workspace_in(team_server):
    name = team_server.new_database()
    try:
        with pytest.raises(NoWorkspaceYetError, match="holds no workspace"):
            probe_team_workspace(team_server.url(name))
    finally:
        team_server.drop_database(name)


def test_the_test_connection_says_who_and_whether_writable_and_upgrades_nothing(team_server, team_database, login):
    probe = probe_team_workspace(login, password="only-in-memory")
    assert probe.user.startswith("login_") and probe.read_only_reason == "" and not probe.needs_upgrade
    with team_server.admin(_database(team_database)) as conn:
        conn.execute("UPDATE workspace_format SET version = version - 1")
    assert probe_team_workspace(login, password="only-in-memory").needs_upgrade
    with psycopg.connect(team_database, passfile=team_server.pgpassfile) as conn:  # left as it was
        assert conn.execute("SELECT version FROM workspace_format").fetchone() == (migrations.SCHEMA_VERSION - 1,)


def test_a_servers_name_is_never_taken_for_what_went_wrong():
    from postmortem_desktop.storage.team_connect_errors import connection_refusal

    refused = ('connection failed: connection to server at "ssl-db.example.com" (10.0.0.7), port 5432 failed: '
               "Connection refused")
    assert connection_refusal(refused, "postgresql://ana@ssl-db.example.com/incidents") is None
    unresolved = "failed to resolve host 'certificate-store.invalid': [Errno -2] Name or service not known"
    assert connection_refusal(unresolved, "postgresql://ana@certificate-store.invalid/incidents") is None


#: a name that never resolves (RFC 2606's .invalid): psycopg looks it up itself, before libpq makes any connection
UNKNOWN_HOST = "postgresql://ana@nosuchhost.invalid:5432/postmortem"


def test_a_host_name_that_cannot_be_found_is_said_so_with_what_to_check():
    """psycopg's "failed to resolve host" error carries no connection at all: it was taken for an unexpected error
    (a raw OperationalError in the dialog, a crash dialog on Open, "unexpected error" from the command line)."""
    for attempt in (probe_team_workspace, open_workspace):
        with pytest.raises(ServerUnavailableError) as refused:
            attempt(UNKNOWN_HOST)
        said = str(refused.value)
        assert said.startswith(f"Could not reach {UNKNOWN_HOST}: no computer named 'nosuchhost.invalid' could be "
                               "found"), said
        assert "Nothing was changed" in said and "host name" in said and "VPN" in said
        assert "sqlalche.me" not in said and "last change" not in said


def test_a_host_name_lost_mid_session_is_the_server_being_away():
    """A VPN dropped while a workspace is open: the reconnect fails to look the name up. That is the server away
    (the window waits for it), said with what to check, and for a change, that it was not saved."""
    from sqlalchemy.exc import OperationalError

    from postmortem_desktop.storage.errors import server_is_away
    from postmortem_desktop.storage.team_workspace import diagnose

    lookup = psycopg.OperationalError("failed to resolve host 'db.corp.example': [Errno -3] Temporary failure in "
                                      "name resolution")
    wrapped = OperationalError("SELECT 1", {}, lookup)
    for reading, outcome in ((True, "Nothing was changed"), (False, "Nothing of the last change was saved")):
        said = diagnose(wrapped, "postgresql://ana@db.corp.example/incidents", reading=reading, role="")
        assert said is not None and server_is_away(said) and outcome in str(said)
        assert "no computer named 'db.corp.example' could be found" in str(said)


def test_the_command_line_says_a_host_name_cannot_be_found_and_exits_refused(capsys):
    from postmortem_desktop.cli import main

    assert main(["incidents", "postgresql://postmortem@nosuchhost.invalid:5432/postmortem"]) == 3
    said = capsys.readouterr().err
    assert said.startswith("refused: Could not reach") and "could be found" in said and "unexpected" not in said


def test_the_pools_report_of_a_dropped_connection_is_not_printed_before_the_message(tmp_path):
    """A command line whose server went away printed SQLAlchemy's 'Exception during reset or similar' and a
    traceback on stderr before its own clear message: nothing is printed for it now."""
    import subprocess
    import sys

    script = ("import logging, postmortem_desktop.storage.team_workspace\n"
              "try:\n    raise ConnectionError('server closed the connection unexpectedly')\n"
              "except ConnectionError:\n"
              "    logging.getLogger('sqlalchemy.pool.impl.QueuePool').error('Exception during reset or similar',"
              " exc_info=True)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    assert done.stderr == ""


def test_every_connection_of_a_team_workspace_notices_a_gone_server_in_seconds(team_database):
    """A cable pulled mid-edit must not hold the window until the OS gives up on the socket (about 15 minutes):
    the edits' connections and the change feed's ask libpq to watch for a server gone without closing them."""
    from sqlalchemy import text

    from postmortem_desktop.storage.workspace import create_workspace

    ws = create_workspace(team_database)
    try:
        with ws.reading() as session:
            session.execute(text("SELECT 1"))
            parameters = session.connection().connection.dbapi_connection.info.get_parameters()
        assert parameters["keepalives"] == "1" and int(parameters["keepalives_idle"]) <= 10
        assert int(parameters["tcp_user_timeout"]) <= 30_000
    finally:
        ws.close()
    own = open_workspace(team_database + "?keepalives_idle=60")  # the address's own setting wins
    try:
        with own.reading() as session:
            session.execute(text("SELECT 1"))
            parameters = session.connection().connection.dbapi_connection.info.get_parameters()
        assert parameters["keepalives_idle"] == "60" and parameters["keepalives"] == "1"
    finally:
        own.close()


def test_a_password_needed_names_the_password_file_libpq_reads(tmp_path, monkeypatch):
    """The dialog's hint and tick box name PGPASSFILE's file; the refusal beside them named ~/.pgpass."""
    from postmortem_desktop.storage.team_connect_errors import connection_refusal

    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "team.pgpass"))
    refusal = connection_refusal('connection to server at "db", port 5432 failed: fe_sendauth: no password supplied',
                                 "postgresql://ana@db/incidents")
    assert isinstance(refusal, PasswordNeededError)
    assert f"({tmp_path / 'team.pgpass'})" in str(refusal) and "~/.pgpass" not in str(refusal)
