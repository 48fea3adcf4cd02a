"""A system event a teammate edited is never deleted with their edit: a delete made from the event as a screen showed
it is refused with both versions, and the undo of adding events (one, pasted lines, an alerts file) is refused while
one of them has been edited since. Ben's client (`ben`) and Ana's (`demo`); both engines, and on a file one person's
edit outside the undo stack is kept the same way. Who is named: the team server only (`ben_and_ana`)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from postmortem_desktop.services.commands import ChangedSince, EditConflict
from postmortem_desktop.services.timeline import (
    AddSystemEvent,
    AddSystemEvents,
    DeleteSystemEvent,
    EditSystemEvent,
    TimelineService,
)
from tests.helpers import ANA, billing_id

AT = datetime(2026, 11, 18, 9, 30, tzinfo=UTC)
FIELDS = ("at", "kind", "title", "detail")


def _shown(ws, event_id: int) -> dict:
    event = TimelineService(ws).system_event(event_id)
    return {key: getattr(event, key) for key in FIELDS}


def _ids(ws, iid: int) -> set[int]:
    return {event.id for event in TimelineService(ws).timeline_data(iid).events}


def _anas_edit(ana, iid: int, event_id: int, detail: str = "Ana: this deploy carried the bad migration") -> None:
    EditSystemEvent(event_id, iid, based_on={"detail": _shown(ana, event_id)["detail"]}, detail=detail).do(ana)


def _an_event(ws, iid: int) -> int:
    add = AddSystemEvent(iid, AT, "deploy", "deploy 4.2")
    add.do(ws)
    assert add.event_id is not None
    return add.event_id


def test_a_delete_made_from_the_shown_event_is_refused_with_both_versions_when_a_teammate_edited_it(demo, ben):
    iid = billing_id(demo)
    event_id = _an_event(demo, iid)
    shown = _shown(ben, event_id)  # Ben's dialog shows it
    _anas_edit(demo, iid, event_id, "Ana: ROOT CAUSE, keep")
    mine = DeleteSystemEvent(event_id, iid, shown["title"], based_on=shown)
    with pytest.raises(EditConflict) as conflict:
        mine.do(ben)
    assert conflict.value.based_on == shown and conflict.value.yours is None
    assert conflict.value.theirs == {**shown, "detail": "Ana: ROOT CAUSE, keep"}
    assert _shown(demo, event_id)["detail"] == "Ana: ROOT CAUSE, keep"  # still there, with Ana's words
    # Keep mine: the same delete, made from theirs
    DeleteSystemEvent(event_id, iid, shown["title"], based_on=conflict.value.theirs).do(ben)
    assert event_id not in _ids(demo, iid)


def test_a_delete_made_from_what_is_stored_deletes_and_its_redo_is_refused_over_a_teammates_edit(demo, ben):
    iid = billing_id(demo)
    event_id = _an_event(demo, iid)
    mine = DeleteSystemEvent(event_id, iid, "deploy 4.2", based_on=_shown(ben, event_id))
    mine.do(ben)
    assert event_id not in _ids(demo, iid)
    mine.undo(ben)
    _anas_edit(demo, iid, event_id)  # after the undo put it back
    with pytest.raises(ChangedSince) as refused:
        mine.do(ben)
    assert not refused.value.undoing
    assert _shown(demo, event_id)["detail"] == "Ana: this deploy carried the bad migration"


def test_undoing_an_added_event_a_teammate_edited_since_is_refused_and_their_edit_stays(demo, ben):
    iid = billing_id(demo)
    add = AddSystemEvent(iid, AT, "deploy", "Ben: deploy 4.2")
    add.do(ben)
    assert add.event_id is not None
    _anas_edit(demo, iid, add.event_id)
    with pytest.raises(ChangedSince) as refused:
        add.undo(ben)
    assert refused.value.undoing
    assert _shown(demo, add.event_id)["detail"] == "Ana: this deploy carried the bad migration"


def test_undoing_pasted_lines_one_of_which_a_teammate_moved_is_refused_and_deletes_none(demo, ben):
    iid = billing_id(demo)
    paste = AddSystemEvents(iid, [dict(at=AT + timedelta(minutes=i), kind="note", title=f"line {i}")
                                  for i in range(5)], name="Add 5 System Events from Pasted Lines")
    paste.do(ben)
    moved = paste.event_ids[2]
    EditSystemEvent(moved, iid, based_on={"at": _shown(demo, moved)["at"]}, at=AT + timedelta(hours=1)).do(demo)
    with pytest.raises(ChangedSince):
        paste.undo(ben)
    assert set(paste.event_ids) <= _ids(demo, iid)  # all or nothing: none of them went
    assert _shown(demo, moved)["at"] == AT + timedelta(hours=1)


def test_an_added_event_a_teammate_deleted_stays_deleted_through_the_undo_and_redo_of_adding_it(demo, ben):
    iid = billing_id(demo)
    paste = AddSystemEvents(iid, [dict(at=AT + timedelta(minutes=i), kind="note", title=f"line {i}")
                                  for i in range(3)])
    paste.do(ben)
    gone, *rest = paste.event_ids
    DeleteSystemEvent(gone, iid, based_on=_shown(demo, gone)).do(demo)  # a noise line, deleted by Ana
    paste.undo(ben)  # the rest are his to take back
    assert not set(paste.event_ids) & _ids(demo, iid)
    paste.do(ben)  # the redo puts back what its undo deleted, not the line Ana deleted
    assert set(rest) <= _ids(demo, iid) and gone not in _ids(demo, iid)
    paste.undo(ben)
    assert not set(paste.event_ids) & _ids(demo, iid)


def test_the_refusal_names_the_teammate(ben_and_ana):
    ben, ana = ben_and_ana
    iid = billing_id(ben)
    add = AddSystemEvent(iid, AT, "deploy", "Ben: deploy 4.2")
    add.do(ben)
    assert add.event_id is not None
    _anas_edit(ana, iid, add.event_id)
    with pytest.raises(ChangedSince) as refused:
        add.undo(ben)
    assert refused.value.by == (ANA,)


def test_a_delete_over_a_teammates_edit_names_them(ben_and_ana):
    ben, ana = ben_and_ana
    iid = billing_id(ben)
    event_id = _an_event(ben, iid)
    shown = _shown(ben, event_id)
    _anas_edit(ana, iid, event_id)
    with pytest.raises(EditConflict) as conflict:
        DeleteSystemEvent(event_id, iid, shown["title"], based_on=shown).do(ben)
    assert conflict.value.by == ANA
