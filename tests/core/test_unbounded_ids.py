"""No statement binds one parameter per row of data: libpq takes at most 65,535 parameters, SQLite builds 32,766
(999 before 3.32), so an incident's worth of message ids bound one by one fails on a big incident."""
from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import DBAPIError
from test_tagging_services import make_incident

from postmortem_desktop.services.suggestions import FoundSuggestion, StoreSuggestions
from postmortem_desktop.services.tagging import list_tags
from postmortem_desktop.storage.schema import Message, TagAssignment

#: more than libpq's 65,535 parameters in one statement
MESSAGES = 66_000
#: a SQLite build's own limit, as old builds (999) and others than Debian's (32,766) have it
SQLITE_VARIABLES = 999


@pytest.fixture
def big_incident(workspace):
    """An incident of MESSAGES messages more than its three conversations', written in one statement."""
    if workspace.kind.value == "file":
        _lower_sqlite_variable_limit(workspace)
    ids = make_incident(workspace)
    with workspace.transaction() as s:
        s.execute(text(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count) "
            "INSERT INTO messages (conversation_id, position, author, role, text) "
            "SELECT :conversation, 10 + i, 'Ana', 'customer', 'now I do everything by hand' FROM n"),
            {"count": MESSAGES, "conversation": ids["conversations"][0]})
    return ids


def _lower_sqlite_variable_limit(workspace) -> None:
    @event.listens_for(workspace.engine, "connect")
    def lower(dbapi_connection, _record):
        dbapi_connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, SQLITE_VARIABLES)

    workspace.engine.dispose()  # every connection from now on is a new one, with the lower limit


def test_suggestions_on_more_messages_than_a_statement_may_bind_are_stored(workspace, big_incident):
    manual = next(t.id for t in list_tags(workspace) if t.name == "manual-work")
    with workspace.reading() as s:
        message_ids = s.scalars(select(Message.id)).all()
    assert len(message_ids) > MESSAGES
    command = StoreSuggestions(big_incident["incident"],
                               [FoundSuggestion(manual, "by hand", message_id=m) for m in message_ids])
    command.do(workspace)
    assert command.stored == len(message_ids)
    with workspace.reading() as s:
        assert s.scalar(select(func.count()).select_from(TagAssignment)) == len(message_ids)
    command.undo(workspace)
    with workspace.reading() as s:
        assert s.scalar(select(func.count()).select_from(TagAssignment)) == 0


def test_a_statement_libpq_refuses_is_not_called_a_lost_connection(team_database):
    """Before: "The connection … failed or was lost … Check the network", with the server fine all along."""
    from postmortem_desktop.storage.errors import WorkspaceError
    from postmortem_desktop.storage.workspace import create_workspace

    ws = create_workspace(team_database)
    try:
        too_many = list(range(70_000))
        with pytest.raises(DBAPIError, match="number of parameters") as writing:
            with ws.transaction() as s:
                s.execute(select(Message.id).where(Message.id.in_(too_many)))
        with pytest.raises(DBAPIError, match="number of parameters") as reading:
            with ws.reading() as s:
                s.execute(select(Message.id).where(Message.id.in_(too_many)))
        for raised in (writing, reading):  # an unexpected error, for the log: never a WorkspaceError's words
            assert not isinstance(raised.value, WorkspaceError) and not raised.value.connection_invalidated
        with ws.reading() as s:  # the connection was fine all along
            assert s.scalar(select(func.count()).select_from(Message)) == 0
    finally:
        ws.close()


def test_only_a_connection_that_is_gone_is_diagnosed_as_lost():
    import psycopg
    from psycopg import errors as pg_errors

    from postmortem_desktop.storage.errors import ServerUnavailableError, WorkspaceBusyError
    from postmortem_desktop.storage.team_workspace import diagnose

    def said(error: BaseException):
        return diagnose(error, "postgresql://ana@db/incidents", reading=False, role="ana")

    refused = psycopg.OperationalError("sending query and params failed: number of parameters must be between "
                                       "0 and 65535")
    assert said(refused) is None
    assert said(DBAPIError.instance(None, None, refused, psycopg.Error)) is None
    for gone in (pg_errors.AdminShutdown("terminating connection due to administrator command"),
                 pg_errors.ConnectionFailure("connection failure"), pg_errors.ConnectionTimeout("timeout expired"),
                 DBAPIError.instance(None, None, psycopg.OperationalError("consuming input failed: server closed "
                                     "the connection unexpectedly"), psycopg.Error, connection_invalidated=True)):
        assert type(said(gone)) is ServerUnavailableError and "failed or was lost" in str(said(gone))
    # a teammate's change at the same moment: the server stopped this one, the connection is fine
    for clash in (pg_errors.DeadlockDetected("deadlock detected"),
                  pg_errors.SerializationFailure("could not serialize access")):
        assert type(said(clash)) is WorkspaceBusyError and "ran at the same moment" in str(said(clash))
        assert "nothing of it was saved" in str(said(clash))


def test_a_connection_lost_under_a_raw_cursor_is_still_said_to_be_lost(team_server, team_database):
    """The bulk writes of a paste or an import run on the driver's cursor, which SQLAlchemy never sees: a lost
    server there is still told as lost, not as an unexpected error."""
    from postmortem_desktop.storage.bulk import session_cursor
    from postmortem_desktop.storage.errors import ServerUnavailableError
    from postmortem_desktop.storage.workspace import create_workspace

    ws = create_workspace(team_database)
    database = team_database.rsplit("/", 1)[1]
    try:
        with pytest.raises(ServerUnavailableError, match="Nothing of the last change was saved"):
            with ws.transaction() as session:
                cursor = session_cursor(session)
                cursor.execute("SELECT 1")
                with team_server.admin() as admin:
                    admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                                  "AND pid <> pg_backend_pid()", (database,))
                cursor.execute("SELECT 1")
    finally:
        ws.close()
