"""Two team clients in one forced interleaving: A's edit is held open just before its commit while B's runs.

Client A makes its change and holds its transaction at the moment it would commit; client B then runs its
own; A commits only once B has finished or is waiting for a lock A holds (seen in pg_stat_activity), so no
sleep decides the order. Without a lock B reads around A's uncommitted change; with one, B waits and then
sees what A left.
"""
from __future__ import annotations

import threading

from postmortem_desktop.services.commands import Command
from postmortem_desktop.storage.workspace import open_workspace

WAIT_LIMIT_S = 20.0


def _waiting_on_a_lock(team_server, database: str) -> bool:
    with team_server.admin() as conn:
        return bool(conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND "
                                 "wait_event_type = 'Lock'", (database,)).fetchone()[0])


def race(team_server, url: str, first: Command, second: Command) -> tuple[BaseException | None, ...]:
    """Runs `first` on client A, held open just before its commit while `second` runs on client B.

    Returns what each raised (None: done).
    """
    database = url.rsplit("/", 1)[1]
    a, b = open_workspace(url), open_workspace(url)
    b_started, b_finished = threading.Event(), threading.Event()
    outcome: dict[str, BaseException | None] = {}
    recorded = a.record_edit

    def a_holds_its_transaction(*args, **kwargs) -> None:  # A's change is made, not yet committed
        recorded(*args, **kwargs)
        b_started.set()
        deadline = threading.Event()
        timer = threading.Timer(WAIT_LIMIT_S, deadline.set)
        timer.start()
        while not (b_finished.is_set() or _waiting_on_a_lock(team_server, database) or deadline.is_set()):
            b_finished.wait(0.02)
        timer.cancel()
        assert not deadline.is_set(), "B neither finished nor waited for A"

    def run(name: str, command: Command, workspace) -> None:
        try:
            command.do(workspace)
            outcome[name] = None
        except BaseException as exc:  # handed to the test thread
            outcome[name] = exc
        finally:
            if name == "b":
                b_finished.set()

    a.record_edit = a_holds_its_transaction  # type: ignore[method-assign]
    try:
        client_a = threading.Thread(target=run, args=("a", first, a))
        client_a.start()
        assert b_started.wait(WAIT_LIMIT_S)
        client_b = threading.Thread(target=run, args=("b", second, b))
        client_b.start()
        client_a.join(WAIT_LIMIT_S)
        client_b.join(WAIT_LIMIT_S)
        assert not client_a.is_alive() and not client_b.is_alive()
        return outcome["a"], outcome["b"]
    finally:
        a.close()
        b.close()
