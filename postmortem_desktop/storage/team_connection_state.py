"""Whether a team workspace's error means its connection to the server is gone, and how a gone server is noticed.

Only a connection that is really gone may be reported as lost: libpq refusing a statement before sending it
(too many parameters, say) is a psycopg OperationalError too, with the server answering all along. Gone is:
SQLAlchemy found the connection broken or closed (its `connection_invalidated`, from psycopg's `broken`); the
server said so (SQLSTATE class 08, connection exception, or its shutdown: 57P01-57P03); or no connection was
ever made (psycopg keeps the failed attempt's connection, in state BAD, on the error; a timeout has none, nor a
host name that did not resolve, which psycopg looks up itself before libpq is asked).
"""
from __future__ import annotations

from typing import Any

import psycopg
from psycopg import errors as pg_errors
from psycopg.pq import ConnStatus
from sqlalchemy.exc import DBAPIError

# libpq's own watch on an open connection: a server gone without closing it (a cable pulled, a machine off, a VPN
# dropped) is noticed in about 10 s (30 s while sending) instead of when the OS gives up on the socket, about 15
# minutes, during which the edit waited on the window's thread. Keepalives probe a connection waiting for an answer;
# tcp_user_timeout ends one whose sent data goes unacknowledged. Neither ends a live server's slow answer (its OS
# answers both: team_silence.py asks after those); 30 s, not less, as Linux also counts a server that stops reading
# a long COPY for a while.
DEAD_SERVER_NOTICED: dict[str, Any] = {"keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 2,
                                       "keepalives_count": 2, "tcp_user_timeout": 30_000}


#: admin_shutdown, crash_shutdown, cannot_connect_now: the server ended or refused the session
_SERVER_ENDED = ("57P01", "57P02", "57P03")


#: how psycopg (its _conninfo_attempts.py) begins the error for a host name it could not look up
_UNRESOLVED = "failed to resolve host "


def unresolved_host(detail: str) -> str | None:
    """The host name (quoted, as psycopg wrote it) when detail says it could not be found; else None."""
    if not detail.startswith(_UNRESOLVED):
        return None
    return detail[len(_UNRESOLVED):].split(": ", 1)[0]


def connection_gone(exc: BaseException) -> bool:
    """Whether exc (SQLAlchemy's or the driver's own) came from a connection that is gone or never was."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    error = exc.orig if isinstance(exc, DBAPIError) else exc
    if isinstance(error, pg_errors.ConnectionTimeout):
        return True
    state = getattr(error, "sqlstate", None) or ""
    if state.startswith("08") or state in _SERVER_ENDED:
        return True
    if unresolved_host(str(error)) is not None:
        return True
    attempt = getattr(error, "pgconn", None)
    return attempt is not None and attempt.status == ConnStatus.BAD


def as_sqlalchemy_error(exc: BaseException, connection: Any) -> BaseException:
    """A driver error raised on a raw cursor (which SQLAlchemy never sees), wrapped as SQLAlchemy would wrap it,
    saying whether that connection (psycopg's) is gone; any other exception as it is."""
    if not isinstance(exc, psycopg.Error):
        return exc
    return DBAPIError.instance(None, None, exc, psycopg.Error,
                               connection_invalidated=connection.broken or connection.closed)


__all__ = ["as_sqlalchemy_error", "connection_gone", "unresolved_host"]
