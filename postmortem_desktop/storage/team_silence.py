"""A team server that does not answer: a wait on it that lasts is asked after, and cut when no server answers.

libpq's keepalives (team_connection_state.DEAD_SERVER_NOTICED) end a connection to a machine that is gone. They do
not end one to a server whose machine is up but whose PostgreSQL does not answer (its process paused or hung, the
machine swapping): the OS acknowledges every probe, and an edit on the window's thread waited as long as that
lasted, with the window frozen.

Here every wait of a team connection on its server (a statement, a COPY, a commit, the pool's ping) is timed
(WatchedConnection). One that lasts PATIENCE_S makes the watch's thread open a fresh connection to the same
server. A server that answers it, even to refuse it, is alive and busy: a teammate's import holding the rows, a
long COPY. Its waits go on, and are asked after again every PATIENCE_S. A server that does not answer within
PROBE_TIMEOUT_S is taken as gone. The sockets of its waiting connections are shut, so each wait ends at once as a
lost connection, which the app already handles: the edit is kept and the person told, and the workspace
reconnects by itself (team_connection_state.connection_gone).
"""
from __future__ import annotations

import os
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg.abc import PQGen
from sqlalchemy import Engine, event

#: how long one wait on the server may last before the server is asked whether it is there
PATIENCE_S = 5.0
#: how long the server has to answer a fresh connection (libpq's connect_timeout: whole seconds, at least 2)
PROBE_TIMEOUT_S = 5
_TICK_S = 0.5


class WatchedConnection(psycopg.Connection[Any]):
    """psycopg's connection, whose every wait on the server the watch times."""

    #: how to open another connection to the same server: (args, keywords) as this one was opened
    probe: tuple[tuple[Any, ...], dict[str, Any]] = ((), {})

    def wait(self, gen: PQGen[Any], *args: Any, **kwargs: Any) -> Any:
        _WATCH.begin(self)
        try:
            return super().wait(gen, *args, **kwargs)
        finally:
            _WATCH.end(self)


def watch_silence(engine: Engine) -> None:
    """The engine's connections are WatchedConnections, opened as the dialect would open psycopg's."""
    @event.listens_for(engine, "do_connect")
    def _connect(_dialect: Any, _record: Any, cargs: list[Any], cparams: dict[str, Any]) -> WatchedConnection:
        connection = WatchedConnection.connect(*cargs, **cparams)
        connection.probe = (tuple(cargs), dict(cparams))
        return connection


@dataclass(eq=False)
class _Wait:
    connection: WatchedConnection
    asked: float = field(default_factory=time.monotonic)  # since when it waits, or since the server last answered


class _Watch:
    """The waits going on now, and one thread that asks after those that last (only while there are any)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: dict[int, _Wait] = {}
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def begin(self, connection: WatchedConnection) -> None:
        with self._lock:
            self._waiting[id(connection)] = _Wait(connection)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="team server watch", daemon=True)
                self._thread.start()
        self._wake.set()

    def end(self, connection: WatchedConnection) -> None:
        with self._lock:
            self._waiting.pop(id(connection), None)

    def _run(self) -> None:
        while True:
            self._wake.wait()
            time.sleep(_TICK_S)
            with self._lock:
                if not self._waiting:
                    self._wake.clear()  # nothing waits: sleep until a wait begins
                    continue
            self.check()

    def check(self) -> None:
        """Asks after each server with a wait that lasted PATIENCE_S; cuts that server's waits if it did not answer."""
        now = time.monotonic()
        with self._lock:
            overdue = [w for w in self._waiting.values() if now - w.asked >= PATIENCE_S]
        by_server: dict[str, list[_Wait]] = {}
        for wait in overdue:
            by_server.setdefault(repr(sorted(wait.connection.probe[1].items(), key=repr)), []).append(wait)
        for waits in by_server.values():
            if _answers(waits[0].connection.probe):
                for wait in waits:
                    wait.asked = time.monotonic()
                continue
            with self._lock:  # a wait that ended meanwhile has its connection back in use: left alone
                for wait in waits:
                    if self._waiting.get(id(wait.connection)) is wait:
                        _shut(wait.connection)


_WATCH = _Watch()


def _answers(probe: tuple[tuple[Any, ...], dict[str, Any]]) -> bool:
    """Whether the server answers a fresh connection in time; a refusal with a reason (too many clients) is one."""
    args, keywords = probe
    try:
        psycopg.connect(*args, **{**keywords, "connect_timeout": PROBE_TIMEOUT_S,
                                  "application_name": "postmortem probe"}).close()
    except psycopg.Error as exc:
        return getattr(exc, "sqlstate", None) is not None
    return True


def _shut(connection: WatchedConnection) -> None:
    """Shuts the connection's socket, so the thread waiting on it hears the connection end. A duplicate of the
    descriptor is shut and closed: the connection's own is closed by its owner, as ever."""
    try:
        with socket.socket(fileno=os.dup(connection.pgconn.socket)) as sock:
            sock.shutdown(socket.SHUT_RDWR)
    except (OSError, psycopg.Error):
        pass  # closed meanwhile, or a platform whose sockets are not descriptors: the OS's own limits stay


__all__ = ["PATIENCE_S", "PROBE_TIMEOUT_S", "WatchedConnection", "watch_silence"]
