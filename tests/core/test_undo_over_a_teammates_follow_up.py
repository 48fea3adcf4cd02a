"""Undo and redo of the follow-up's edits never overwrite a teammate's: a schedule, an account activity import. Ana
works in the `demo` handle, Ben in his own (the `ben` fixture: a second client on a team workspace, the one handle on
a file). The undo is refused (ChangedSince) when what the edit wrote is no longer stored, the redo when what its undo
left is not; nothing changes, the teammate's stays. A schedule made from a screen showing another is refused too
(EditConflict). Both engines."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text

from postmortem_desktop.analysis.quiet_accounts import ActivityRow
from postmortem_desktop.domain.errors import ChangedSince, EditConflict
from postmortem_desktop.services.closeout import CloseoutService, ScheduleFollowUp
from postmortem_desktop.services.followup import ImportActivity
from tests.helpers import billing_id

ANAS = (datetime(2026, 12, 1, 9, tzinfo=UTC), date(2026, 11, 24))
BENS = (datetime(2026, 12, 5, 15, tzinfo=UTC), date(2026, 11, 25))


def schedule(ws, iid: int) -> tuple:
    shown = CloseoutService(ws).follow_up(iid)
    return shown.scheduled_at, shown.review_held_on


def test_a_schedule_is_not_undone_over_a_teammates_later_schedule(demo, ben):
    iid = billing_id(demo)
    mine = ScheduleFollowUp(iid, *ANAS)
    mine.do(demo)
    ScheduleFollowUp(iid, *BENS).do(ben)
    with pytest.raises(ChangedSince, match="cannot be undone"):
        mine.undo(demo)
    assert schedule(demo, iid) == BENS
    ok = ScheduleFollowUp(iid, *ANAS)  # nobody since: undone as before, back to Ben's
    ok.do(demo)
    ok.undo(demo)
    assert schedule(demo, iid) == BENS


def test_a_first_schedule_undone_is_not_redone_over_a_teammates(demo, ben):
    iid = billing_id(demo)
    mine = ScheduleFollowUp(iid, *ANAS)
    mine.do(demo)
    mine.undo(demo)
    assert schedule(demo, iid) == (None, None)
    ScheduleFollowUp(iid, *BENS).do(ben)
    with pytest.raises(ChangedSince, match="cannot be redone"):
        mine.do(demo)
    assert schedule(demo, iid) == BENS


def test_a_schedule_made_from_a_screen_showing_another_is_refused(demo, ben):
    iid = billing_id(demo)
    shown = CloseoutService(demo).follow_up(iid)  # Ana's screen: not scheduled
    ScheduleFollowUp(iid, *BENS).do(ben)
    with pytest.raises(EditConflict):
        ScheduleFollowUp(iid, *ANAS, based_on=shown).do(demo)
    assert schedule(demo, iid) == BENS
    ScheduleFollowUp(iid, *ANAS, based_on=CloseoutService(demo).follow_up(iid)).do(demo)  # read again: saved
    assert schedule(demo, iid) == ANAS


def rows_of(ws, iid: int) -> list[tuple]:
    with ws.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT account, count FROM account_activity WHERE incident_id = :i ORDER BY account"), {"i": iid})]


def test_an_activity_import_is_not_undone_over_a_teammates_later_import(demo, ben):
    iid = billing_id(demo)
    mine = ImportActivity(iid, [ActivityRow("acme", date(2026, 11, 25), 5)], "ana.csv")
    mine.do(demo)
    ImportActivity(iid, [ActivityRow("globex", date(2026, 11, 26), 9)], "ben.csv").do(ben)
    with pytest.raises(ChangedSince, match="cannot be undone"):
        mine.undo(demo)
    assert rows_of(demo, iid) == [("globex", 9)]


def test_an_activity_import_undone_is_not_redone_over_a_teammates(demo, ben):
    iid = billing_id(demo)
    mine = ImportActivity(iid, [ActivityRow("acme", date(2026, 11, 25), 5)], "ana.csv")
    mine.do(demo)
    mine.undo(demo)
    ImportActivity(iid, [ActivityRow("globex", date(2026, 11, 26), 9)], "ben.csv").do(ben)
    with pytest.raises(ChangedSince, match="cannot be redone"):
        mine.do(demo)
    assert rows_of(demo, iid) == [("globex", 9)]
    again = ImportActivity(iid, [ActivityRow("acme", date(2026, 11, 25), 5)], "ana.csv")  # nobody since: as before
    again.do(demo)
    again.undo(demo)
    again.do(demo)
    assert rows_of(demo, iid) == [("acme", 5)]
