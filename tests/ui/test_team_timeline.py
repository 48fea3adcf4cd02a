"""System events and the incident's marks on a team workspace's timeline: a teammate's change the timeline has
not shown yet is never overwritten. An event edit, and a drag of an event or a mark a teammate moved since,
offer Keep mine / Take theirs with both versions; the timeline then shows what is stored.

The change feed is stopped, so the teammate's change reaches the screen only through the refusal (based_on).
"""
from __future__ import annotations

from datetime import timedelta

import pytest

from postmortem_desktop.services.incidents import IncidentService, UpdateIncident
from postmortem_desktop.services.timeline import EditSystemEvent, TimelineService
from postmortem_desktop.storage.workspace import open_workspace
from postmortem_desktop.timeline.layout import format_time
from tests.helpers import billing_id
from ui.hub import ScreenHub
from ui.undo import WorkspaceSession


@pytest.fixture
def timeline(qtbot, team_demo_url):
    from ui.timeline.timeline_screen import TimelineScreen

    hub = ScreenHub()
    session = WorkspaceSession(open_workspace(team_demo_url))
    hub.set_session(session, "UTC")
    session._teammates.stop()  # the teammate's notice never arrives: only based_on can catch the race
    screen = TimelineScreen(hub)
    qtbot.addWidget(screen)
    screen.resize(1400, 800)
    screen.show()
    hub.set_incident(billing_id(session.workspace))
    yield screen
    session.close()


@pytest.fixture
def refusals(monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr("ui.errors.show_refusal", lambda _parent, _title, exc: shown.append(str(exc)))
    return shown


def _first_event(screen):
    return screen.layout_.data.events[0]


def _stored_event(workspace, event_id: int):
    return TimelineService(workspace).system_event(event_id)


def test_an_event_edit_a_teammate_beat_shows_both_and_keep_mine_saves_mine(qtbot, timeline, teammate, answer_with):
    shown = answer_with("keep_button")
    mark = _first_event(timeline)
    dialog = timeline.edit_event(mark.id)  # opened on what the timeline shows
    EditSystemEvent(mark.id, billing_id(teammate), title="Ana's title").do(teammate)
    dialog.title_edit.setText("My title")
    dialog.accept()
    text = shown[0].informativeText()
    assert "Yours: title: My title" in text and "Theirs: title: Ana's title" in text
    assert _stored_event(teammate, mark.id).title == "My title"


def test_take_theirs_keeps_the_teammates_event_and_shows_it(qtbot, timeline, teammate, answer_with):
    answer_with("take_button")
    mark = _first_event(timeline)
    dialog = timeline.edit_event(mark.id)
    EditSystemEvent(mark.id, billing_id(teammate), title="Ana's title").do(teammate)
    dialog.title_edit.setText("My title")
    dialog.accept()
    assert _stored_event(teammate, mark.id).title == "Ana's title"
    assert _first_event(timeline).title == "Ana's title"  # the timeline read it again


def test_dragging_an_event_a_teammate_moved_offers_both_times_and_take_theirs_shows_it_where_it_is(
        qtbot, timeline, teammate, answer_with):
    shown = answer_with("take_button")
    mark = _first_event(timeline)
    theirs = _stored_event(teammate, mark.id).at + timedelta(minutes=9)
    EditSystemEvent(mark.id, billing_id(teammate), at=theirs).do(teammate)
    timeline._on_view_event_dragged(mark.id, mark.at + 600)
    assert len(shown) == 1
    text = shown[0].informativeText()
    assert f"Yours: moved to {format_time(mark.at + 600, 'UTC')}" in text
    assert f"Theirs: moved to {format_time(theirs.timestamp(), 'UTC')}" in text
    assert mark.title in shown[0].text()  # which event, by its title
    assert "changed by ana" in shown[0].text().lower()  # and who moved it, named from the history
    assert _stored_event(teammate, mark.id).at == theirs
    assert next(e for e in timeline.layout_.data.events if e.id == mark.id).at == theirs.timestamp()


def test_dragging_an_event_a_teammate_moved_and_keeping_mine_moves_it_where_i_dropped_it(
        qtbot, timeline, teammate, answer_with):
    answer_with("keep_button")
    mark = _first_event(timeline)
    EditSystemEvent(mark.id, billing_id(teammate), at=_stored_event(teammate, mark.id).at + timedelta(minutes=9)
                    ).do(teammate)
    timeline._on_view_event_dragged(mark.id, mark.at + 600)
    assert _stored_event(teammate, mark.id).at.timestamp() == mark.at + 600
    assert next(e for e in timeline.layout_.data.events if e.id == mark.id).at == mark.at + 600


def test_dragging_an_event_no_one_else_moved_moves_it(qtbot, timeline, teammate, answer_with, refusals):
    shown = answer_with("take_button")
    mark = _first_event(timeline)
    timeline._on_view_event_dragged(mark.id, mark.at + 600)
    assert not shown and not refusals  # what the timeline showed is what is stored: no false conflict
    assert _stored_event(teammate, mark.id).at.timestamp() == mark.at + 600


def test_dragging_the_recovery_mark_a_teammate_moved_offers_both_and_take_theirs_keeps_theirs(
        qtbot, timeline, teammate, answer_with):
    shown = answer_with("take_button")
    iid = timeline.hub.incident_id
    shown_end = timeline.layout_.data.technical_end
    theirs = IncidentService(teammate).get(iid).technical_end + timedelta(minutes=5)
    UpdateIncident(iid, technical_end=theirs).do(teammate)
    timeline._on_view_marker_dragged("technical_end", shown_end + 900)
    assert len(shown) == 1 and "Recovery" in shown[0].text()
    assert shown[0].later_button.isHidden()  # a dragged time has nowhere to wait: no Decide later
    assert IncidentService(teammate).get(iid).technical_end == theirs
    assert timeline.layout_.data.technical_end == theirs.timestamp()
    timeline._on_view_marker_dragged("technical_end", theirs.timestamp() + 60)  # from what it shows now: saved
    assert len(shown) == 1
    assert IncidentService(teammate).get(iid).technical_end.timestamp() == theirs.timestamp() + 60


def test_dragging_the_recovery_mark_a_teammate_moved_and_keeping_mine_saves_where_i_dropped_it(
        qtbot, timeline, teammate, answer_with):
    answer_with("keep_button")
    iid = timeline.hub.incident_id
    shown_end = timeline.layout_.data.technical_end
    UpdateIncident(iid, technical_end=IncidentService(teammate).get(iid).technical_end + timedelta(minutes=5)
                   ).do(teammate)
    timeline._on_view_marker_dragged("technical_end", shown_end + 900)
    assert IncidentService(teammate).get(iid).technical_end.timestamp() == shown_end + 900
    assert timeline.layout_.data.technical_end == shown_end + 900


def test_decide_later_brings_the_event_dialog_back_with_what_was_typed_and_asks_again(qtbot, timeline, teammate,
                                                                                      answer_with):
    shown = answer_with("later_button")
    mark = _first_event(timeline)
    dialog = timeline.edit_event(mark.id)
    EditSystemEvent(mark.id, billing_id(teammate), title="Ana's title").do(teammate)
    dialog.title_edit.setText("My title")
    dialog.accept()
    again = timeline.dialog
    assert again is not dialog and again.title_edit.text() == "My title"  # the words, back in a dialog
    assert not dialog.pending.isVisibleTo(dialog)
    assert again.pending.isVisibleTo(again) and "not saved" in again.pending.text()  # the decision waiting, said
    assert "changed by Ana" in shown[0].text()
    again.accept()  # still made from what the person saw: asked again, nothing written
    assert len(shown) == 2 and _stored_event(teammate, mark.id).title == "Ana's title"


def _delete_in_dialog_after_ana_edits(timeline, teammate):
    from ui.timeline.event_dialogs import DELETE_RESULT

    mark = _first_event(timeline)
    dialog = timeline.edit_event(mark.id)  # opened on what the timeline shows
    EditSystemEvent(mark.id, billing_id(teammate), title="Ana's title").do(teammate)
    dialog.done(DELETE_RESULT)  # Delete, in the dialog opened before her edit
    return mark, dialog


def test_deleting_from_the_event_dialog_an_event_a_teammate_edited_offers_both_and_take_theirs_keeps_it(
        qtbot, timeline, teammate, answer_with):
    shown = answer_with("take_button")
    mark, _dialog = _delete_in_dialog_after_ana_edits(timeline, teammate)
    assert len(shown) == 1
    text = shown[0].informativeText()
    assert "Yours: delete it" in text and "title: Ana's title" in text
    assert "changed by Ana" in shown[0].text()
    assert _stored_event(teammate, mark.id).title == "Ana's title"  # not deleted with her edit
    assert _first_event(timeline).title == "Ana's title"  # the timeline read it again


def test_deleting_from_the_event_dialog_over_a_teammates_edit_and_keeping_mine_deletes_it(
        qtbot, timeline, teammate, answer_with):
    shown = answer_with("keep_button")
    mark, _dialog = _delete_in_dialog_after_ana_edits(timeline, teammate)
    assert len(shown) == 1  # asked first
    assert mark.id not in {e.id for e in TimelineService(teammate).timeline_data(billing_id(teammate)).events}


def test_deleting_from_the_event_dialog_over_a_teammates_edit_and_deciding_later_brings_the_dialog_back(
        qtbot, timeline, teammate, answer_with):
    answer_with("later_button")
    mark, dialog = _delete_in_dialog_after_ana_edits(timeline, teammate)
    again = timeline.dialog
    assert again is not dialog and again.title_edit.text() == mark.title  # back, on what he saw
    assert _stored_event(teammate, mark.id).title == "Ana's title"
