"""A team's first hour: what a teammate's role needs is said once, in full, and in the README; a read that
fails says nothing of a change, since it made none.

The reviewer followed the read-only message (INSERT, UPDATE, DELETE), was refused again for USAGE on the
sequences, and a role granted nothing was told that the server "did not accept the change" of a listing."""
from __future__ import annotations

import re
from pathlib import Path

import psycopg
import pytest

from postmortem_desktop.cli import main
from postmortem_desktop.services.commands import CommandGroup
from postmortem_desktop.services.conversations import AddConversations, typed_note
from postmortem_desktop.services.incidents import CreateIncident, IncidentService
from postmortem_desktop.services.publish import publish
from postmortem_desktop.storage.errors import AccessRefusedError, ReadOnlyWorkspaceError, ServerUnavailableError
from postmortem_desktop.storage.team_grants import write_grants
from postmortem_desktop.storage.workspace import create_workspace, open_workspace
from tests.helpers import BEFORE_FORMAT_10
from tests.network_cable import NetworkCable, through

README = Path(__file__).resolve().parents[2] / "README.md"
STATEMENT = re.compile(r"^    ((?:GRANT|ALTER DEFAULT PRIVILEGES) [^;]+;)$", re.MULTILINE)  # a message's lines to run


def _asked(message: str) -> list[str]:
    """The statements a message asks the owner to run, one an indented line."""
    return STATEMENT.findall(message)


def _database(url: str) -> str:
    return url.rsplit("/", 1)[1]


def _login(team_server, team_database: str, prefix: str, *grants: str) -> tuple[str, str]:
    """A role of its own (roles are the cluster's) with grants run as the owner; its name and URL."""
    role = f"{prefix}_{_database(team_database)}"
    team_server.add_login(role, f"{prefix}-pw")
    _run_as_owner(team_server, team_database, [g.replace("{role}", role) for g in grants])
    return role, team_server.url(_database(team_database), user=role)


def _run_as_owner(team_server, team_database: str, statements: list[str]) -> None:
    with team_server.admin(_database(team_database)) as conn:
        for statement in statements:
            conn.execute(statement)


def _import_as(url: str, tmp_path, capsys) -> int:
    """The reviewer's check: a ticket import (new rows, numbered from the sequences, written with COPY)."""
    from tests.core.test_spreadsheet_import import write_csv, zendesk_row
    from tests.core.test_team_workspace import T0

    ws = open_workspace(url)
    try:
        incident = IncidentService(ws).list_incidents()[0].id
    finally:
        ws.close()
    path = write_csv(tmp_path / "grants.csv", [zendesk_row(n, T0, body=f"ticket {n}") for n in range(1, 3)])
    capsys.readouterr()
    return main(["import", url, str(path), "--incident", str(incident), "--include-outside-window"])


def test_a_role_granted_nothing_is_told_it_may_not_read_and_which_grants_to_ask_for(team_server, team_database,
                                                                                     capsys):
    create_workspace(team_database).close()
    role, url = _login(team_server, team_database, "nobody")
    capsys.readouterr()
    assert main(["incidents", url]) == 3  # refused
    said = capsys.readouterr().err
    assert f"The database role {role} may not read the team workspace" in said
    assert "did not accept the change" not in said and "Nothing was saved" not in said  # a listing saves nothing
    assert all(grant in said for grant in write_grants(role)), said
    assert f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role};" in said  # or only reading


def test_following_the_read_only_message_once_lets_every_edit_through(team_server, team_database, tmp_path,
                                                                       capsys):
    assert main(["demo", team_database]) == 0
    role, url = _login(team_server, team_database, "reader",
                       "GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}")
    ws = open_workspace(url)
    try:
        assert ws.read_only
        asked = _asked(ws.read_only_reason)
    finally:
        ws.close()
    assert asked == list(write_grants(role)), ws.read_only_reason  # the sequences named the first time too
    _run_as_owner(team_server, team_database, asked)
    assert _import_as(url, tmp_path, capsys) == 0, capsys.readouterr().err
    # and a table the owner's next upgrade adds is the teammate's too: not refused again
    _run_as_owner(team_server, team_database, ["CREATE TABLE later_table (id serial PRIMARY KEY, note text)"])
    with psycopg.connect(url) as conn:
        conn.execute("INSERT INTO later_table (note) VALUES ('by the teammate')")


def test_a_role_that_may_change_the_tables_is_asked_only_for_the_sequences(team_server, team_database):
    create_workspace(team_database).close()
    role, url = _login(team_server, team_database, "tables",
                       "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}")
    ws = open_workspace(url)
    try:
        asked = _asked(ws.read_only_reason)
        assert asked == [f"GRANT USAGE, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {role};",
                         f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, UPDATE ON SEQUENCES TO {role};"]
        assert "not number new rows (no USAGE on their id sequences)" in ws.read_only_reason
    finally:
        ws.close()


def _readme_grants() -> list[str]:
    team = README.read_text(encoding="utf-8").split("## Team workspace on PostgreSQL", 1)[1].split("\n## ", 1)[0]
    block = team.split("```sql\n", 1)[1].split("```", 1)[0]
    lines = [line for line in block.splitlines() if line.strip() and not line.startswith("--")]
    return [line for line in lines if not line.startswith("CREATE ROLE")]


def test_the_readme_says_how_to_give_a_teammate_write_access_and_it_is_enough(team_server, team_database,
                                                                              tmp_path, capsys):
    said = _readme_grants()
    assert said == list(write_grants("ben"))  # one definition: the app's messages list the README's statements
    assert main(["demo", team_database]) == 0
    _, url = _login(team_server, team_database, "ben", *[line.replace(" ben;", " {role};") for line in said])
    ws = open_workspace(url)
    try:
        assert not ws.read_only, ws.read_only_reason
    finally:
        ws.close()
    assert _import_as(url, tmp_path, capsys) == 0, capsys.readouterr().err
    # a table the owner adds later (an upgrade) is the teammate's to change as well
    _run_as_owner(team_server, team_database, ["CREATE TABLE later_table (id serial PRIMARY KEY, note text)"])
    with psycopg.connect(url) as conn:
        conn.execute("INSERT INTO later_table (note) VALUES ('by ben')")


@pytest.fixture
def through_cable(team_server, team_database):
    create_workspace(team_database).close()
    cable = NetworkCable(team_server.port)
    ws = open_workspace(through(cable, team_server, team_database))
    yield ws, cable
    cable.unplug()
    ws.close()


def test_a_read_the_server_cannot_answer_speaks_of_no_change_and_an_edit_still_does(through_cable):
    ws, cable = through_cable
    assert IncidentService(ws).list_incidents() == []
    cable.unplug()
    with pytest.raises(ServerUnavailableError) as read:
        IncidentService(ws).list_incidents()
    assert str(read.value).startswith("Could not read from ") and "not answering" in str(read.value)
    assert "change" not in str(read.value).replace("Nothing was changed", "")
    with pytest.raises(ServerUnavailableError, match="Nothing of the last change was saved"):
        CreateIncident(title="Typed while away").do(ws)
    cable.plug()
    assert IncidentService(ws).list_incidents() == []  # back: reads work again, nothing half-saved


def test_a_teammate_opening_a_workspace_that_needs_an_upgrade_is_told_the_owner_makes_it(team_server,
                                                                                         team_demo_url):
    from postmortem_desktop.storage import migrations

    # the README's grants, whose default privileges cover what the owner's upgrade adds
    role, url = _login(team_server, team_demo_url, "teammate",
                       *[line.replace(" ben;", " {role};") for line in _readme_grants()])
    with team_server.admin(_database(team_demo_url)) as conn:  # as written by the version before
        for statement in BEFORE_FORMAT_10:
            conn.execute(statement)
        conn.execute("DROP TABLE incident_uids")
        conn.execute("UPDATE workspace_format SET version = 5")
    with pytest.raises(AccessRefusedError) as refused:  # as the app opens it: for writing
        open_workspace(url)
    said = str(refused.value)
    assert "needs an upgrade" in said and "Ask the workspace's owner to open it once" in said, said
    assert "may not read" not in said
    with team_server.admin(_database(team_demo_url)) as conn:
        assert conn.execute("SELECT version FROM workspace_format").fetchone() == (5,)
    ws = open_workspace(team_demo_url)  # the owner's open upgrades it
    ws.close()
    ws = open_workspace(url)  # and then the teammate's opens, writable
    try:
        assert not ws.read_only, ws.read_only_reason
    finally:
        ws.close()
    assert migrations.SCHEMA_VERSION > 5 and role


# ---- a role that may take ids (USAGE) but not move a sequence (UPDATE) ---------------------------------
def _usage_only(team_server, team_database: str) -> tuple[str, str]:
    return _login(team_server, team_database, "useonly",
                  "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role};",
                  "GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {role};")


def _conversations(url: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT count(*) FROM conversations").fetchone()
        return int(row[0]) if row else 0


def _last_incident_id(url: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT last_value FROM incidents_id_seq").fetchone()
        return int(row[0]) if row else 0


def test_a_role_with_usage_only_on_the_sequences_edits_but_is_refused_an_import_up_front(team_server,
                                                                                         team_database, tmp_path,
                                                                                         capsys):
    assert main(["demo", team_database]) == 0
    role, url = _usage_only(team_server, team_database)
    ws = open_workspace(url)
    try:
        assert not ws.read_only, ws.read_only_reason  # nextval needs only USAGE: edits work
        made = CreateIncident(title="Typed by a teammate")
        made.do(ws)
        incident = made.incident_id
        before = _conversations(url)
        note = AddConversations(incident, [typed_note("chat", "Ana", "Still spinning", None, "customer")],
                                batch_kind="transcript", file_name="chat.txt")
        with pytest.raises(ReadOnlyWorkspaceError) as pasted:
            note.do(ws)
        # in a group (a Slack import's events and threads) it is refused before the first part is done
        numbered = _last_incident_id(team_database)  # read as the owner: a sequence is not the role's to read
        group = CommandGroup("Import Slack Export", [CreateIncident(title="Made before the threads"), note])
        with pytest.raises(ReadOnlyWorkspaceError, match="not number a block of new rows"):
            group.do(ws)
        assert _last_incident_id(team_database) == numbered  # not even an id taken by a part done and undone
    finally:
        ws.close()
    said = str(pasted.value)
    assert f"the database role {role} may add rows one at a time, but not number a block of new rows" in said
    assert "no UPDATE on the tables' id sequences" in said and "Nothing was changed" in said
    assert _asked(said) == [f"GRANT USAGE, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {role};"]  # the one GRANT
    assert _conversations(url) == before
    # a ticket import is refused the same way, before the file is read, with nothing written
    assert _import_as(url, tmp_path, capsys) != 0
    err = capsys.readouterr().err
    assert "not number a block of new rows" in err
    assert f"GRANT USAGE, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {role};" in err
    assert "did not accept the change" not in err  # refused up front, not by the server part-way
    assert _conversations(url) == before
    # following the message once is enough
    _run_as_owner(team_server, team_database, _asked(said))
    assert _import_as(url, tmp_path, capsys) == 0, capsys.readouterr().err
    assert _conversations(url) == before + 2


def test_a_publish_into_a_team_workspace_by_a_usage_only_role_is_refused_before_anything_is_read(
        team_server, team_database, demo_copy):
    create_workspace(team_database).close()
    role, url = _usage_only(team_server, team_database)
    source, target = open_workspace(demo_copy), open_workspace(url)
    try:
        with pytest.raises(ReadOnlyWorkspaceError, match="not number a block of new rows") as refused:
            publish(source, target)
        assert _asked(str(refused.value)) == [f"GRANT USAGE, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {role};"]
        assert IncidentService(target).list_incidents() == []
    finally:
        source.close()
        target.close()


# ---- roles that may not reach the workspace at all -------------------------------------------------------
def test_a_role_without_usage_on_the_schema_is_told_so_not_that_there_is_no_workspace(team_server,
                                                                                       team_database):
    create_workspace(team_database).close()
    role, url = _login(team_server, team_database, "noschema",
                       "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role};",
                       "REVOKE USAGE ON SCHEMA public FROM PUBLIC;")
    with pytest.raises(AccessRefusedError) as refused:
        open_workspace(url)
    said = str(refused.value)
    assert f"The database role {role} may not read the team workspace" in said, said
    assert "may not use the schema public" in said and "postmortem new" not in said
    assert _asked(said)[0] == f"GRANT USAGE ON SCHEMA public TO {role};"


def test_a_role_that_may_not_connect_is_told_so_not_to_check_the_network(team_server, team_database):
    create_workspace(team_database).close()
    database = _database(team_database)
    _, url = _login(team_server, team_database, "noconn", f"REVOKE CONNECT ON DATABASE {database} FROM PUBLIC;")
    with pytest.raises(AccessRefusedError) as refused:
        open_workspace(url)
    said = str(refused.value)
    assert "may not connect to this database" in said and f"GRANT CONNECT ON DATABASE {database}" in said, said
    assert "network" not in said


def test_a_read_refused_while_opening_names_the_role_logged_in_as(team_server, team_database, monkeypatch):
    from postmortem_desktop.storage import team_grants

    create_workspace(team_database).close()
    role, url = _login(team_server, team_database, "late")
    # the server refuses a read the grant check before it did not foresee (a grant taken away meanwhile, say)
    monkeypatch.setattr(team_grants, "refuse_unless_readable", lambda conn, name, tables: None)
    with pytest.raises(AccessRefusedError) as refused:
        open_workspace(url)
    said = str(refused.value)
    assert f"The database role {role} may not read" in said and "permission denied" in said, said
    assert all(line.endswith(f" TO {role};") for line in _asked(said)) and _asked(said)
    assert "of this login" not in said


def test_a_read_refusal_whose_role_is_not_known_names_no_made_up_role():
    from psycopg import errors as pg_errors

    from postmortem_desktop.storage.team_workspace import diagnose

    said = str(diagnose(pg_errors.InsufficientPrivilege("permission denied for table incidents"),
                        "postgresql://h/db", reading=True, role=""))
    assert "may not read the team workspace postgresql://h/db" in said
    assert _asked(said) == [] and " TO " not in said and "of this login" not in said
