"""A team workspace: a postgresql:// URL opens the same workspace the services use on a file."""
from __future__ import annotations

import json
from datetime import UTC, datetime

import psycopg
import pytest
from sqlalchemy import select, text

from postmortem_desktop.cli import main
from postmortem_desktop.services.incidents import CreateIncident, IncidentService
from postmortem_desktop.services.quotes import conversation_matched_quote_ids
from postmortem_desktop.storage import migrations, team_search
from postmortem_desktop.storage.schema import Conversation, Message, Tag
from postmortem_desktop.storage.search_index import search_conversation_ids
from postmortem_desktop.storage.workspace import (
    AlteredWorkspaceError,
    NewerWorkspaceError,
    NotAWorkspaceError,
    ReadOnlyWorkspaceError,
    ServerUnavailableError,
    WorkspaceError,
    create_workspace,
    open_workspace,
)
from postmortem_desktop.storage.workspace_kind import WorkspaceKind, shown_address

T0 = datetime(2026, 11, 18, 10, 20, tzinfo=UTC)
HOSTILE = "'; drop table x; --"


def _database(url: str) -> str:
    return url.rsplit("/", 1)[1]


def test_a_url_without_a_password_opens_through_libpqs_password_file(team_database):
    created = create_workspace(team_database)
    created.close()
    ws = open_workspace(team_database)
    try:
        assert ws.kind is WorkspaceKind.TEAM and not ws.read_only
        assert ws.files == ()  # no file an export could overwrite
        with ws.reading() as session:
            assert len(session.scalars(select(Tag)).all()) > 0  # seeded like a new file
        with pytest.raises(WorkspaceError, match="team workspace on a server, not a file"):
            _ = ws.path
    finally:
        ws.close()


def test_a_password_in_the_url_is_used_but_never_shown(team_server, team_database, monkeypatch):
    role = f"lead_{_database(team_database)}"
    team_server.add_login(role, "s3cret-Pw")
    with team_server.admin(_database(team_database)) as conn:
        conn.execute(f"GRANT ALL ON SCHEMA public TO {role}")
    monkeypatch.setenv("PGPASSFILE", "/nonexistent")  # only the URL carries the password
    url = f"postgresql://{role}:s3cret-Pw@127.0.0.1:{team_server.port}/{_database(team_database)}?password=x2"
    assert "s3cret" not in shown_address(url) and "x2" not in shown_address(url)
    ws = create_workspace(url.split("?")[0])
    try:
        assert "s3cret" not in ws.name and ws.name.startswith(f"postgresql://{role}@127.0.0.1")
        assert "s3cret" not in ws.read_only_reason
    finally:
        ws.close()
    wrong = url.split("?")[0].replace("s3cret-Pw", "wrong-Pw")
    with pytest.raises(ServerUnavailableError) as refused:
        open_workspace(wrong)
    assert "wrong-Pw" not in str(refused.value) and "password authentication failed" in str(refused.value)


def test_an_empty_database_is_not_a_workspace_and_a_full_one_is_not_made_one(team_server, team_database):
    with pytest.raises(NotAWorkspaceError, match="holds no workspace"):
        open_workspace(team_database)
    with team_server.admin(_database(team_database)) as conn:
        conn.execute("CREATE TABLE payroll (id integer)")
    with pytest.raises(WorkspaceError, match=r"already holds other tables \(payroll\)"):
        create_workspace(team_database)
    with pytest.raises(NotAWorkspaceError) as opened:  # not told to make one there: that is refused above
        open_workspace(team_database)
    assert "other tables (payroll)" in str(opened.value) and "database of its own" in str(opened.value)
    with team_server.admin(_database(team_database)) as conn:  # left exactly as it was
        assert conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone() == (1,)


def test_creating_twice_is_refused_and_a_newer_format_is_not_opened(team_server, team_database):
    create_workspace(team_database).close()
    with pytest.raises(WorkspaceError, match="already holds a workspace; open it instead"):
        create_workspace(team_database)
    with team_server.admin(_database(team_database)) as conn:
        conn.execute("UPDATE workspace_format SET version = %s", (migrations.SCHEMA_VERSION + 1,))
    with pytest.raises(NewerWorkspaceError, match="newer version"):
        open_workspace(team_database)


def test_two_clients_creating_one_team_workspace_at_once_make_one_and_the_other_is_told(team_database):
    import threading

    outcomes: list[object] = []
    barrier = threading.Barrier(2)

    def create() -> None:
        barrier.wait()
        try:
            create_workspace(team_database).close()
            outcomes.append("made")
        except WorkspaceError as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=create) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcomes.count("made") == 1, outcomes
    refused = next(o for o in outcomes if o != "made")
    assert "already holds a workspace" in str(refused)
    ws = open_workspace(team_database)
    try:
        with ws.reading() as session:
            names = session.scalars(select(Tag.name)).all()
        assert names and len(names) == len(set(names))  # seeded once
    finally:
        ws.close()


def test_two_clients_running_the_same_upgrade_step_at_once_run_it_once(team_database):
    import threading

    from sqlalchemy import create_engine

    engine = create_engine(team_database.replace("postgresql://", "postgresql+psycopg://"))
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def upgrade() -> None:
        barrier.wait()
        try:
            migrations.upgrade(engine.connect, 0)
        except BaseException as exc:  # handed to the test thread
            errors.append(exc)

    threads = [threading.Thread(target=upgrade) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    try:
        assert errors == []
        with engine.connect() as conn:
            assert conn.scalar(text("SELECT count(*) FROM workspace_format")) == 1
            assert conn.scalar(text("SELECT version FROM workspace_format")) == migrations.SCHEMA_VERSION
    finally:
        engine.dispose()


def test_a_team_workspace_missing_a_table_is_refused_in_words(team_server, team_database):
    create_workspace(team_database).close()
    with team_server.admin(_database(team_database)) as conn:
        conn.execute("DROP TABLE follow_ups")
    with pytest.raises(AlteredWorkspaceError, match=r"missing tables this app writes \(follow_ups\)"):
        open_workspace(team_database)


def test_a_server_that_is_not_there_is_said_in_words(team_server):
    with pytest.raises(ServerUnavailableError, match="Check the network and that the server is running"):
        open_workspace("postgresql://nobody@127.0.0.1:1/nothing")


def test_search_runs_on_postgresqls_own_full_text_index(team_database):
    ws = create_workspace(team_database)
    try:
        incident = CreateIncident(title="Search").do(ws) or IncidentService(ws).list_incidents()[0].id
        with ws.transaction() as session:
            conv = Conversation(incident_id=incident, subject="Card declined", first_at=T0)
            session.add(conv)
            session.flush()
            session.add(Message(conversation_id=conv.id, at=T0, text="Refunded twice, still charged", role="customer"))
        with ws.reading() as session:
            conn = session.connection()
            assert search_conversation_ids(conn, incident, "refund CHARG") == [conv.id]  # prefixes, any case
            assert search_conversation_ids(conn, incident, "declin") == [conv.id]  # the subject
            assert search_conversation_ids(conn, incident, "refund missing") == []  # every word must appear
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")  # tiny tables: make the planner show its index
            plan = "\n".join(r[0] for r in conn.execute(text(
                f"EXPLAIN {team_search.MATCHING_MESSAGE_IDS}"), {"m": "'x':*"}))
        assert "message_search" in plan
    finally:
        ws.close()


# ---- security: bound parameters only; a role that may only read gets a read-only workspace ----------

def test_a_search_for_sql_is_just_text(workspace):
    """On both engines: the words reach the database as a bound parameter, never as SQL."""
    CreateIncident(title="Injection").do(workspace)
    incident = IncidentService(workspace).list_incidents()[0].id
    with workspace.transaction() as session:
        conv = Conversation(incident_id=incident, subject=HOSTILE, first_at=T0)
        session.add(conv)
        session.flush()
        session.add(Message(conversation_id=conv.id, at=T0, text=f"I typed {HOSTILE} into the drop box",
                            role="customer"))
    with workspace.reading() as session:
        conn = session.connection()
        assert search_conversation_ids(conn, incident, HOSTILE) == [conv.id]  # found as the words drop, table, x
        assert search_conversation_ids(conn, incident, "'") == []
    assert conversation_matched_quote_ids(workspace, incident, HOSTILE) == set()  # no quotes yet, and no error
    with workspace.reading() as session:
        assert session.scalar(select(Conversation.subject).where(Conversation.id == conv.id)) == HOSTILE
    assert [i.title for i in IncidentService(workspace).list_incidents()] == ["Injection"]


def _reader(team_server, team_database: str) -> str:
    """A login that may read every table of the workspace but change none (roles are the cluster's: one each)."""
    role = f"reader_{_database(team_database)}"
    team_server.add_login(role, "reader-pw")
    with team_server.admin(_database(team_database)) as conn:
        conn.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
        conn.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}")
    return team_server.url(_database(team_database), user=role)


def test_a_role_without_write_rights_opens_read_only_with_a_message(team_server, team_database):
    create_workspace(team_database).close()
    ws = open_workspace(_reader(team_server, team_database))
    try:
        assert ws.read_only
        assert "may read it but not change it" in ws.read_only_reason and "reader_" in ws.read_only_reason
        assert IncidentService(ws).list_incidents() == []  # reading works
        with pytest.raises(ReadOnlyWorkspaceError, match="may read it but not change it"):
            CreateIncident(title="Not allowed").do(ws)
        # even a write that skipped the check is refused by the server, and said in words
        with pytest.raises(ReadOnlyWorkspaceError), ws.transaction() as session:
            session.execute(text("UPDATE workspace_settings SET value = 'x'"))
    finally:
        ws.close()
    with psycopg.connect(team_database) as conn:
        setting = conn.execute("SELECT value FROM workspace_settings WHERE key = 'display_timezone'").fetchone()
    assert setting == ("UTC",)


# ---- the command line: a URL wherever a workspace file is accepted -----------------------------------

def test_the_command_line_takes_a_url_and_never_prints_its_password(team_server, team_database, capsys):
    assert main(["demo", team_database]) == 0
    assert capsys.readouterr().out.strip() == f"wrote demo workspace {team_database}"
    assert main(["incidents", team_database, "--json"]) == 0
    assert "Billing" in capsys.readouterr().out
    reader = _reader(team_server, team_database)
    with_password = reader.replace("@", ":reader-pw@")
    assert main(["incidents", with_password]) == 0
    assert "reader-pw" not in capsys.readouterr().out
    assert main(["demo", with_password]) == 4  # holds a workspace already: refused, nothing printed of the password
    err = capsys.readouterr().err
    assert "already holds a workspace" in err and "reader-pw" not in err


def test_new_makes_an_empty_team_workspace(team_database, capsys):
    assert main(["new", team_database]) == 0
    assert capsys.readouterr().out.strip() == f"made workspace {team_database}"
    assert main(["incidents", team_database, "--json"]) == 0
    assert capsys.readouterr().out.strip() == "[]"


def test_the_command_line_imports_a_dump_into_a_team_workspace_and_search_finds_it(team_database, tmp_path, capsys):
    from tests.core.test_spreadsheet_import import write_csv, zendesk_row

    assert main(["demo", team_database]) == 0
    path = write_csv(tmp_path / "c.csv", [zendesk_row(n, T0, body=f"quokka number {n}") for n in range(1, 4)])
    ws = open_workspace(team_database)
    try:
        incident = IncidentService(ws).list_incidents()[0].id
        with ws.reading() as session:
            before = session.scalar(text("SELECT count(*) FROM conversations"))
    finally:
        ws.close()
    capsys.readouterr()
    assert main(["import", team_database, str(path), "--incident", str(incident), "--include-outside-window",
                 "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["imported"] == 3
    with psycopg.connect(team_database) as conn:
        assert conn.execute("SELECT count(*) FROM conversations").fetchone() == (before + 3,)
    ws = open_workspace(team_database)
    try:
        with ws.engine.connect() as conn:
            assert len(search_conversation_ids(conn, incident, "quokka")) == 3
    finally:
        ws.close()


# ---- faults: the server dropping the connection ---------------------------------------------------------

def _drop_connections(team_server, database: str) -> int:
    with team_server.admin() as conn:
        return len(conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                                "AND pid <> pg_backend_pid()", (database,)).fetchall())


def test_a_connection_dropped_while_idle_is_replaced_and_the_next_edit_saves(team_server, team_database):
    ws = create_workspace(team_database)
    try:
        assert IncidentService(ws).list_incidents() == []  # a pooled connection now exists
        assert _drop_connections(team_server, _database(team_database)) >= 1
        CreateIncident(title="After the drop").do(ws)
        assert [i.title for i in IncidentService(ws).list_incidents()] == ["After the drop"]
    finally:
        ws.close()


def test_a_connection_lost_mid_edit_is_said_in_words_and_saves_nothing(team_server, team_database):
    ws = create_workspace(team_database)
    try:
        with pytest.raises(ServerUnavailableError, match="Nothing of the last change was saved"):
            with ws.transaction() as session:
                CreateIncident(title="Lost").apply(session)
                session.flush()
                _drop_connections(team_server, _database(team_database))
        assert IncidentService(ws).list_incidents() == []  # and the workspace works on
    finally:
        ws.close()


def test_a_role_that_may_write_the_tables_but_not_number_rows_opens_read_only_saying_so(team_server,
                                                                                     team_database):
    create_workspace(team_database).close()
    role = f"writer_{_database(team_database)}"
    team_server.add_login(role, "writer-pw")
    with team_server.admin(_database(team_database)) as conn:
        conn.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
        conn.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}")
    ws = open_workspace(team_server.url(_database(team_database), user=role))
    try:
        assert ws.read_only
        assert "not number new rows" in ws.read_only_reason
        assert f"GRANT USAGE, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {role};" in ws.read_only_reason
    finally:
        ws.close()
    with team_server.admin(_database(team_database)) as conn:
        conn.execute(f"GRANT USAGE, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {role}")
    ws = open_workspace(team_server.url(_database(team_database), user=role))
    try:
        assert not ws.read_only
        CreateIncident(title="Numbered").do(ws)
    finally:
        ws.close()
