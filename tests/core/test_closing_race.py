"""Closing stays enforced with two team clients: the checklist is re-checked inside the closing transaction.

Each test forces one interleaving (tests/team_race.race): client A's change is held just before its commit
while client B's runs. On the old code B read around A's uncommitted change; with the incident's row lock
B waits, then sees what A left.
"""
from __future__ import annotations

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
from tests.team_race import race


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
