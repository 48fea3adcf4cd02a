"""The change feed of a team workspace: each commit announces what it changed, and every client hears it.

An edit's transaction sends one NOTIFY on CHANNEL (incident id, DataChange kinds, the client and the
user who made it). PostgreSQL delivers a notification only when its transaction commits, and not at
all when it rolls back, so a notice always means a saved change. A `ChangeFeed` is a thread with a
connection of its own that LISTENs and hands notices from other clients to a callback; when the
server goes away it says so (`on_lost`: nothing else may be reading, so without it a window left idle
would not know), reconnects by itself, and then reports `everything` changed, since notices sent
meanwhile are lost. A file has one writer and needs no feed.

A server that is up but does not answer (paused, hung) keeps the connection open and sends nothing: the feed then
hears only quiet, like an idle team's. So after ASK_AFTER_QUIET_S of it the feed asks the server whether it is there
(team_silence.answers: the first message of a connection, which any live server answers at once) and, with no
answer, says the server is away as when the connection is lost, and reconnects once it answers.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import psycopg
from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from ..domain.changes import DataChange
from . import team_silence
from .team_connection_state import DEAD_SERVER_NOTICED
from .workspace_kind import rendered

if TYPE_CHECKING:
    from .team_bulk import TeamCursor

CHANNEL = "postmortem_changes"
_WAIT_S = 0.25  # how often the listening thread looks up from the socket to see whether it must stop
_RETRY_S = (0.5, 1.0, 2.0, 5.0)  # waits between reconnection attempts, the last one repeated
#: how long the feed hears nothing before it asks whether the server is there (then at most PROBE_TIMEOUT_S more
#: until a window left idle says the server is away; a new connection to ask costs the server a moment's fork)
ASK_AFTER_QUIET_S = 10.0


class _ServerSilent(Exception):
    """The server did not answer the feed's question: its connection is as good as lost."""

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChangeNotice:
    """What one committed edit changed, and who made it."""

    incident_id: int
    changes: DataChange
    client: str  # the sending Workspace's client id: a client ignores its own notices
    user: str  # whom the edit is attributed to
    sent_at: float  # the sender's clock (time.time()) just before its commit, for measuring delay

    def payload(self) -> str:
        return json.dumps({"incident": self.incident_id, "changes": self.changes.value, "client": self.client,
                           "user": self.user, "at": self.sent_at})

    @classmethod
    def from_payload(cls, payload: str) -> ChangeNotice | None:
        """The notice, or None for a payload that is not one of ours (someone NOTIFYing by hand)."""
        try:
            data = json.loads(payload)
            return cls(int(data["incident"]), DataChange(int(data["changes"])) & DataChange.everything(),
                       str(data["client"]), str(data["user"]), float(data["at"]))
        except (ValueError, KeyError, TypeError):
            return None


def announce(session: Session, incident_id: int, changes: DataChange, client: str, user: str) -> None:
    """Queues the notice in the session's transaction: sent on commit, dropped on rollback."""
    notice = ChangeNotice(incident_id, changes, client, user, time.time())
    session.execute(text("SELECT pg_notify(:channel, :payload)"), {"channel": CHANNEL, "payload": notice.payload()})


def announce_bulk(cursor: TeamCursor, incident_id: int, changes: DataChange, client: str, user: str) -> None:
    """The same notice from an import's own transaction (a raw cursor, not a Session): sent on its commit."""
    notice = ChangeNotice(incident_id, changes, client, user, time.time())
    cursor.execute("SELECT pg_notify(?, ?)", (CHANNEL, notice.payload()))


def libpq_address(url: URL) -> str:
    """The engine's URL in libpq's own form (no SQLAlchemy driver name), for a connection of our own."""
    return rendered(url.set(drivername="postgresql"))


class ChangeFeed:
    """Listens on CHANNEL in a thread of its own and hands other clients' notices to on_notice.

    on_notice (and on_lost) run on the feed's thread: a UI passes them on to its own thread (ui/team_feed.py).
    on_lost gets the server's words once the server cannot be reached, once per absence: the connection was
    lost and connecting again failed (a connection the server merely dropped, as an administrator may, is
    made again at once, and nobody is told of an absence that did not happen).
    """

    def __init__(self, url: URL, client: str, on_notice: Callable[[ChangeNotice], None],
                 on_lost: Callable[[str], None] | None = None):
        self._address = libpq_address(url)
        self._client = client
        self._on_notice = on_notice
        self._on_lost = on_lost
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="team change feed", daemon=True)
        #: set once the first LISTEN is in place (a notice committed after that is heard)
        self.listening = threading.Event()
        self.reconnects = 0

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stop.set()
        self._thread.join(timeout_s)

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:  # a server gone without closing the connection is noticed in seconds (DEAD_SERVER_NOTICED)
                conn = psycopg.connect(self._address, autocommit=True, connect_timeout=5,
                                       application_name="postmortem feed", **DEAD_SERVER_NOTICED)
            except psycopg.Error as exc:
                failures += 1
                log.info("team change feed: cannot connect (%s); trying again", exc)
                if failures == 1 and self._on_lost is not None:
                    self._on_lost((str(exc).strip().splitlines() or [type(exc).__name__])[0])
                self._stop.wait(_RETRY_S[min(failures, len(_RETRY_S)) - 1])
                continue
            try:
                with conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    if failures or self.listening.is_set():
                        # back after a lost connection: what was sent meanwhile is unknown, so all may have changed
                        self.reconnects += 1
                        self._on_notice(ChangeNotice(-1, DataChange.everything(), "", "", time.time()))
                    failures = 0
                    self.listening.set()
                    self._listen(conn)
            except _ServerSilent as silent:
                log.info("team change feed: %s; reconnecting once it answers", silent)
                failures = 1  # said once here; the attempts that fail while it stays silent say nothing more
                if self._on_lost is not None:
                    self._on_lost(str(silent))
                self._stop.wait(_RETRY_S[0])
            except psycopg.Error as exc:
                log.info("team change feed: connection lost (%s); reconnecting", exc)
                self._stop.wait(_RETRY_S[0])

    def _listen(self, conn: psycopg.Connection) -> None:
        address = (conn.info.hostaddr or conn.info.host, conn.info.port)
        heard = time.monotonic()
        while not self._stop.is_set():
            for note in conn.notifies(timeout=_WAIT_S):
                heard = time.monotonic()
                notice = ChangeNotice.from_payload(note.payload)
                if notice is not None and notice.client != self._client:
                    self._on_notice(notice)
                if self._stop.is_set():
                    return
            if time.monotonic() - heard >= ASK_AFTER_QUIET_S:
                if not team_silence.answers(address):
                    raise _ServerSilent(f"the server at {address[0]}:{address[1]} is not answering")
                heard = time.monotonic()
