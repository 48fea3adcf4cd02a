"""Closing stays enforced with two team clients: the checklist is re-checked inside the closing transaction.

Each test forces one interleaving with threads and two connections: client A makes its change and holds
its transaction open at the moment it would commit; client B then runs its change; A commits only once B
has finished or is waiting for a lock A holds (seen in pg_stat_activity). On the old code B read around
A's uncommitted change; with the incident's row lock B waits, then sees what A left.
"""
from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import select

from postmortem_desktop.services.actions import ActionService, DeleteActionItem
from postmortem_desktop.services.closeout import CloseIncident
from postmortem_desktop.services.commands import Command, RuleError
from postmortem_desktop.services.incidents import IncidentService
from postmortem_desktop.services.review_answers import EditCloseoutFields
from postmortem_desktop.storage.schema import IncidentHistory
from postmortem_desktop.storage.workspace import open_workspace
from tests.core.test_closeout_service import complete_the_demo
from tests.helpers import billing_id

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


@pytest.fixture
def complete_demo_url(team_demo_url):
    ws = open_workspace(team_demo_url)
    try:
        complete_the_demo(ws, billing_id(ws))
    finally:
        ws.close()
    return team_demo_url


def _closings(url: str) -> tuple[str, int]:
    ws = open_workspace(url)
    try:
        return _closings_of(ws, billing_id(ws))
    finally:
        ws.close()


def _iid(url: str) -> int:
    ws = open_workspace(url)
    try:
        return billing_id(ws)
    finally:
        ws.close()


def test_two_clients_closing_at_once_close_it_exactly_once(team_server, complete_demo_url):
    iid = _iid(complete_demo_url)
    first, second = race(team_server, complete_demo_url, CloseIncident(iid), CloseIncident(iid))
    assert first is None
    assert isinstance(second, RuleError) and "already closed" in str(second)
    assert _closings(complete_demo_url) == ("closed", 1)


def _support_item(url: str) -> int:
    ws = open_workspace(url)
    try:
        return next(i.id for i in ActionService(ws).list_items(billing_id(ws)) if i.area == "support")
    finally:
        ws.close()


@pytest.mark.parametrize("removal", ["delete the only support action item", "clear the trust signals"])
def test_a_close_racing_a_removal_of_a_required_item_never_closes_an_incomplete_record(
        team_server, complete_demo_url, removal):
    iid = _iid(complete_demo_url)
    remove: Command = (DeleteActionItem(iid, _support_item(complete_demo_url)) if removal.startswith("delete")
                       else EditCloseoutFields(iid, trust_signals=""))
    removed, closed = race(team_server, complete_demo_url, remove, CloseIncident(iid, today=date(2026, 11, 20)))
    assert removed is None
    assert isinstance(closed, RuleError) and "1 of 8 close-out items are missing" in str(closed)
    assert _closings(complete_demo_url) == ("in_review", 0)


def test_a_removal_racing_a_close_is_refused_once_the_close_commits(team_server, complete_demo_url):
    iid = _iid(complete_demo_url)
    closed, removed = race(team_server, complete_demo_url, CloseIncident(iid, today=date(2026, 11, 20)),
                           DeleteActionItem(iid, _support_item(complete_demo_url)))
    assert closed is None
    assert isinstance(removed, RuleError) and "closed" in str(removed)
    assert _closings(complete_demo_url) == ("closed", 1)
    ws = open_workspace(complete_demo_url)
    try:
        assert any(i.area == "support" for i in ActionService(ws).list_items(iid))
    finally:
        ws.close()


def test_undoing_an_edit_of_the_record_after_another_client_closed_is_refused(demo):
    """The undo of an edit of the close-out record would empty a closed record: refused like the edit."""
    iid = billing_id(demo)
    complete_the_demo(demo, iid)
    trust = EditCloseoutFields(iid, trust_signals="Asked twice whether the card was charged")
    trust.do(demo)
    CloseIncident(iid, today=date(2026, 11, 20)).do(demo)
    with pytest.raises(RuleError, match="closed"):
        trust.undo(demo)
    assert _closings_of(demo, iid) == ("closed", 1)


def _closings_of(ws, iid: int) -> tuple[str, int]:
    with ws.reading() as s:
        closings = len(s.scalars(select(IncidentHistory).where(IncidentHistory.incident_id == iid,
                                                               IncidentHistory.kind == "closed")).all())
    return IncidentService(ws).get(iid).status, closings
