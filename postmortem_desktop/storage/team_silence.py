"""A team server that does not answer: a wait on it that lasts is asked after, and cut when no server answers.

libpq's keepalives (team_connection_state.DEAD_SERVER_NOTICED) end a connection to a machine that is gone. They do
not end one to a server whose machine is up but whose PostgreSQL does not answer (its process paused or hung, the
machine swapping): the OS acknowledges every probe, and an edit on the window's thread waited as long as that
lasted, with the window frozen.

Here every wait of a team connection on its server (a statement, a COPY, a commit, the pool's ping) is timed
(WatchedConnection). One that lasts PATIENCE_S makes the watch's thread ask the server whether it is there: the
first message of any connection (an SSLRequest), which the server answers before any login, connection limit or
password is looked at, so a full or refusing server still counts as there. A server that answers is alive and
busy: a teammate's import holding the rows, a long COPY. Its waits go on, and are asked after again every
PATIENCE_S. A server that does not answer within PROBE_TIMEOUT_S is taken as gone. The sockets of its waiting
connections are shut, so each wait ends at once as a lost connection, which the app already handles: the edit is
kept and the person told, and the workspace reconnects by itself (team_connection_state.connection_gone). For a
while after, a new connection to it is first asked after the same way, rather than waiting out its connect timeout.

Most reads and edits run on the window's thread, so each of those questions froze the window: the pool's own new
connection after a cut asked again (PROBE_TIMEOUT_S more), and so did every click while the server stayed silent.
So once a connection to a silent server is wanted, a thread of its own asks after that server again and again
(REASK_S apart) until it answers. While its last question went unanswered a moment ago (fresh_s()), a new connection
asks only briefly (QUICK_PROBE_S): a server back again answers that at once, and one still silent costs the window a
moment, not PROBE_TIMEOUT_S. A brief question unanswered says less (a slow line, a busy machine), so only the
re-asking thread's full ones keep the silence fresh; the first answer to either ends it.

A commit cut that way may still be made: the server has the COMMIT and carries it out if it comes back. It says so
(CommitOutcomeUnknown), rather than that nothing was saved.
"""
from __future__ import annotations

import logging
import os
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg.abc import PQGen
from sqlalchemy import Engine, event

log = logging.getLogger(__name__)

#: how long one wait on the server may last before the server is asked whether it is there
PATIENCE_S = 5.0
#: how long the server has to answer that question
PROBE_TIMEOUT_S = 5.0
#: how long after a server did not answer a new connection to it is asked after first
SILENT_FOR_S = 30.0
#: how long a new connection's question to a server silent a moment ago waits for the answer (the window waits too)
QUICK_PROBE_S = 0.5
#: the pause between a silent server's questions, asked on the re-asking thread while connections to it are wanted
REASK_S = 1.0
_TICK_S = 0.5
_SSL_REQUEST = struct.pack("!ii", 8, 80877103)  # the protocol's SSLRequest: answered "S" or "N" before any login

Address = tuple[str, int]  # (host, or the folder of a Unix socket; port)


class CommitOutcomeUnknown(psycopg.OperationalError):
    """A commit whose connection was cut while the server did not answer: the server has the COMMIT and may still
    carry it out, so the change may have been saved."""


class WatchedConnection(psycopg.Connection[Any]):
    """psycopg's connection, whose every wait on the server the watch times."""

    #: where the server is, to ask after it, and as the address names it (set when connected: watch_silence)
    address: Address = ("", 0)
    named: Address = ("", 0)
    _cut = False  # the watch shut this connection's socket

    def wait(self, gen: PQGen[Any], *args: Any, **kwargs: Any) -> Any:
        watched = _WATCH.begin(self)
        try:
            return super().wait(gen, *args, **kwargs)
        finally:
            _WATCH.end(self, watched)

    def commit(self) -> None:
        """A commit whose connection was lost (cut here, or dropped) with no word from the server may have reached
        it, which then carries it out: said so (CommitOutcomeUnknown), not that nothing was saved. What the server
        said itself (it ended the session: an SQLSTATE) is its answer to the commit, and stays as it is."""
        try:
            super().commit()
        except psycopg.OperationalError as exc:
            if (self._cut or self.broken) and exc.sqlstate is None:
                raise CommitOutcomeUnknown(f"the connection was lost as the commit was sent: {exc}") from exc
            raise


def watch_silence(engine: Engine) -> None:
    """The engine's connections are WatchedConnections, opened as the dialect would open psycopg's; one to a server
    that did not answer a moment ago is asked after first, and refused at once while it still does not."""
    @event.listens_for(engine, "do_connect")
    def _connect(_dialect: Any, _record: Any, cargs: list[Any], cparams: dict[str, Any]) -> WatchedConnection:
        known = _WATCH.silent_address(cparams)
        if known is not None and _WATCH.still_silent(known):
            raise psycopg.errors.ConnectionTimeout(
                f"the server at {known[0]}:{known[1]} is not answering (asked again before connecting)")
        connection = WatchedConnection.connect(*cargs, **cparams)
        info = connection.info
        connection.named = (info.host, info.port)  # as the address names it: silent_address finds it so
        connection.address = (info.hostaddr or info.host, info.port)  # where libpq connected: asked there
        return connection


@dataclass(eq=False)
class _Wait:
    connection: WatchedConnection
    descriptor: int | None  # the wait's own duplicate of the socket: shutting it never reaches another socket
    asked: float = field(default_factory=time.monotonic)  # since when it waits, or since the server last answered


class _Watch:
    """The waits going on now, and one thread that asks after those that last (only while there are any)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: dict[int, _Wait] = {}
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        # servers that did not answer (where, as named): when they last did not
        self._silent: dict[tuple[Address, Address], float] = {}
        self._wanted: dict[Address, float] = {}  # silent servers a connection was last wanted to: when
        self._asking: set[Address] = set()  # silent servers a re-asking thread asks after now

    def begin(self, connection: WatchedConnection) -> _Wait:
        wait = _Wait(connection, _duplicate(connection))
        with self._lock:
            self._waiting[id(connection)] = wait
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="team server watch", daemon=True)
                self._thread.start()
        self._wake.set()
        return wait

    def end(self, connection: WatchedConnection, wait: _Wait) -> None:
        with self._lock:
            if self._waiting.get(id(connection)) is wait:
                del self._waiting[id(connection)]
        if wait.descriptor is not None:
            os.close(wait.descriptor)

    def silent_address(self, cparams: dict[str, Any]) -> Address | None:
        """The address of the server cparams name, when it did not answer in the last SILENT_FOR_S."""
        now = time.monotonic()
        with self._lock:
            for (where, named), when in list(self._silent.items()):
                if now - when > SILENT_FOR_S:
                    del self._silent[(where, named)]
                elif str(named[1]) == str(cparams.get("port", 5432)) and named[0] == cparams.get("host"):
                    return where
        return None

    def still_silent(self, where: Address) -> bool:
        """Whether the silent server at `where` still does not answer, asked now: briefly when the re-asking thread's
        last question went unanswered a moment ago, else in full. Either way it is asked after from then on, until it
        answers or nobody wants a connection to it for SILENT_FOR_S."""
        with self._lock:
            self._wanted[where] = time.monotonic()
            last = max((when for (at, _named), when in self._silent.items() if at == where), default=None)
        fresh = last is not None and time.monotonic() - last < fresh_s()
        silent = not answers(where, QUICK_PROBE_S if fresh else None)
        if silent:
            if not fresh:
                self._unanswered(where)
            self._keep_asking(where)
        else:
            self._answered(where)
        return silent

    def _unanswered(self, where: Address) -> None:
        with self._lock:
            for key in [key for key in self._silent if key[0] == where]:
                self._silent[key] = time.monotonic()

    def _answered(self, where: Address) -> None:
        with self._lock:
            for key in [key for key in self._silent if key[0] == where]:
                del self._silent[key]
            self._wanted.pop(where, None)

    def _keep_asking(self, where: Address) -> None:
        with self._lock:
            if where in self._asking:
                return
            self._asking.add(where)
        threading.Thread(target=self._ask_until_answered, args=(where,), name="team server re-ask",
                         daemon=True).start()

    def _ask_until_answered(self, where: Address) -> None:
        try:
            while not self._done_asking(where, answered=False):
                if answers(where):
                    self._answered(where)
                    self._done_asking(where, answered=True)
                    return
                self._unanswered(where)
                time.sleep(REASK_S)
        except BaseException:
            self._done_asking(where, answered=True)
            raise

    def _done_asking(self, where: Address, *, answered: bool) -> bool:
        """Whether this thread stops asking after `where`: it answered, or nobody asked for it lately (the next
        connection wanted asks itself). Said and marked in one hold of the lock, so a connection wanted at that
        moment either keeps this thread asking or starts another."""
        with self._lock:
            if not answered and time.monotonic() - self._wanted.get(where, 0.0) <= SILENT_FOR_S:
                return False
            self._asking.discard(where)
            return True

    def _run(self) -> None:
        while True:
            self._wake.wait()
            time.sleep(_TICK_S)
            with self._lock:
                if not self._waiting:
                    self._wake.clear()  # nothing waits: sleep until a wait begins
                    continue
            try:
                self.check()
            except Exception:  # the watch must outlive anything one round meets
                log.exception("the team server watch failed a round")

    def check(self) -> None:
        """Asks after each server with a wait that lasted PATIENCE_S; cuts that server's waits if it did not answer."""
        now = time.monotonic()
        with self._lock:
            overdue = [w for w in self._waiting.values() if now - w.asked >= PATIENCE_S]
        by_server: dict[Address, list[_Wait]] = {}
        for wait in overdue:
            by_server.setdefault(wait.connection.address, []).append(wait)
        for address, waits in by_server.items():
            if answers(address):
                for wait in waits:
                    wait.asked = time.monotonic()
                continue
            log.warning("the team server at %s:%s did not answer: %d waits on it cut", *address, len(waits))
            with self._lock:  # a wait that ended meanwhile has its connection back in use: left alone
                self._silent[(address, waits[0].connection.named)] = time.monotonic()
                for wait in waits:
                    if self._waiting.get(id(wait.connection)) is wait and wait.descriptor is not None:
                        wait.connection._cut = True
                        _shut(wait.descriptor)


_WATCH = _Watch()


def fresh_s() -> float:
    """How long a silent server's unanswered question stands for its answer: one re-asking round, and a second."""
    return PROBE_TIMEOUT_S + REASK_S + 1.0


def _duplicate(connection: WatchedConnection) -> int | None:
    try:
        return os.dup(connection.pgconn.socket)
    except (OSError, psycopg.Error):
        return None  # no socket yet, or a platform whose sockets are not descriptors: the OS's own limits stay


def answers(address: Address, timeout: float | None = None) -> bool:
    """Whether the server at address answers the first message of a connection within timeout (PROBE_TIMEOUT_S by
    default). An address this machine cannot ask (a name it cannot resolve by itself) counts as answering: no wait
    is cut on a guess."""
    host, port = address
    timeout = PROBE_TIMEOUT_S if timeout is None else timeout
    try:
        if host.startswith(("/", "@")):  # a Unix socket's folder, or an abstract one's name
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(timeout)
            folder = "\0" + host[1:] if host.startswith("@") else host
            sock.connect(os.path.join(folder, f".s.PGSQL.{port}"))
        else:
            sock = socket.create_connection((host, port), timeout=timeout)
    except socket.gaierror:
        return True
    except OSError:  # refused, unreachable, or no answer in time
        return False
    try:
        with sock:
            sock.sendall(_SSL_REQUEST)
            return sock.recv(1) != b""
    except OSError:
        return False


def _shut(descriptor: int) -> None:
    """Shuts the socket the descriptor duplicates, so the thread waiting on it hears the connection end."""
    try:
        with socket.socket(fileno=os.dup(descriptor)) as sock:
            sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


__all__ = ["PATIENCE_S", "PROBE_TIMEOUT_S", "CommitOutcomeUnknown", "WatchedConnection", "answers", "watch_silence"]
