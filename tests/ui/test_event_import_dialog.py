"""Importing system events in the app: preview, confirm suggestions, one undo step, refusals, drops."""
import json
from datetime import timezone

import pytest
from PySide6.QtWidgets import QDialog, QMessageBox

from postmortem_desktop.services.incidents import IncidentService
from postmortem_desktop.services.timeline import TimelineService

UTC = timezone.utc


def billing_id(window):
    return next(i.id for i in IncidentService(window.session.workspace).list_incidents() if "Billing" in i.title)


def event_count(window):
    return len(TimelineService(window.session.workspace).timeline_data(window.hub.incident_id).events)


@pytest.fixture
def log_entries(tmp_path, main_window):
    """A PagerDuty log-entries export inside the demo incident's technical window."""
    main_window.select_incident(billing_id(main_window))
    start = IncidentService(main_window.session.workspace).get(main_window.hub.incident_id).technical_start
    stamp = lambda minutes: (start.replace(second=0) + __import__("datetime").timedelta(minutes=minutes)  # noqa: E731
                             ).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    path = tmp_path / "pagerduty-log-entries.json"
    path.write_text(json.dumps({"log_entries": [
        {"type": "trigger_log_entry", "created_at": stamp(-5), "incident": {"summary": "Payments 5xx"}},
        {"type": "acknowledge_log_entry", "created_at": stamp(-2), "incident": {"summary": "Payments 5xx"}},
        {"type": "resolve_log_entry", "created_at": stamp(50), "incident": {"summary": "Payments 5xx"}},
    ]}))
    return path


def open_preview(qtbot, main_window, path):
    main_window.imports.import_events_file(path)
    qtbot.waitUntil(lambda: main_window.imports.last_event_dialog is not None
                    and main_window.imports.last_event_dialog.isVisible(), timeout=10000)
    return main_window.imports.last_event_dialog


def test_preview_lists_the_events_and_import_is_one_undo_step(qtbot, main_window, log_entries):
    before = event_count(main_window)
    dialog = open_preview(qtbot, main_window, log_entries)
    assert dialog.model.rowCount() == 3
    assert [row["kind"] for row in dialog.model.rows] == ["alert", "note", "recovery"]
    assert "PagerDuty" in dialog.windowTitle() or "PagerDuty" in dialog.plan.source
    for box in dialog.suggestion_boxes.values():
        box.setChecked(False)
    with qtbot.waitSignal(main_window.hub.workspace_changed):
        dialog.done(QDialog.DialogCode.Accepted)
    assert event_count(main_window) == before + 3
    main_window.undo_action.trigger()
    assert event_count(main_window) == before
    main_window.redo_action.trigger()
    assert event_count(main_window) == before + 3


def test_confirmed_suggestion_sets_the_technical_start_and_undoes_with_the_events(qtbot, main_window, log_entries):
    service = IncidentService(main_window.session.workspace)
    old_start = service.get(main_window.hub.incident_id).technical_start
    dialog = open_preview(qtbot, main_window, log_entries)
    box = dialog.suggestion_boxes["technical_start"]
    assert "first alert" in dialog.suggestion_reasons["technical_start"].text()
    assert "(now " in box.text() and not box.isChecked()  # the demo already has a start: not ticked
    for name, other in dialog.suggestion_boxes.items():
        other.setChecked(name == "technical_start")
    with qtbot.waitSignal(main_window.hub.workspace_changed):
        dialog.done(QDialog.DialogCode.Accepted)
    new_start = service.get(main_window.hub.incident_id).technical_start
    assert new_start == min(row["at"] for row in dialog.plan.new if row["kind"] == "alert")
    assert new_start != old_start
    main_window.undo_action.trigger()
    assert service.get(main_window.hub.incident_id).technical_start == old_start


def test_reimport_shows_nothing_new(qtbot, main_window, log_entries):
    dialog = open_preview(qtbot, main_window, log_entries)
    for box in dialog.suggestion_boxes.values():
        box.setChecked(False)
    with qtbot.waitSignal(main_window.hub.workspace_changed):
        dialog.done(QDialog.DialogCode.Accepted)
    main_window.imports.last_event_dialog = None
    again = open_preview(qtbot, main_window, log_entries)
    assert again.model.rowCount() == 0 and again.plan.already_present == 3
    again.reject()


def test_cancel_stores_nothing(qtbot, main_window, log_entries):
    before = event_count(main_window)
    dialog = open_preview(qtbot, main_window, log_entries)
    dialog.reject()
    qtbot.wait(50)
    assert event_count(main_window) == before


def test_unrecognised_file_is_refused_with_its_reason(qtbot, main_window, tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(a[2]))
    main_window.select_incident(billing_id(main_window))
    bad = tmp_path / "mystery.json"
    bad.write_text('{"services": []}')
    before = event_count(main_window)
    main_window.imports.import_events_file(bad)
    qtbot.waitUntil(lambda: bool(shown), timeout=10000)
    assert "not an event source we recognise" in shown[0]
    assert event_count(main_window) == before


def test_dropped_json_goes_to_the_event_preview(qtbot, main_window, log_entries):
    main_window.imports.route_dropped_file(log_entries)
    qtbot.waitUntil(lambda: main_window.imports.last_event_dialog is not None, timeout=10000)
    main_window.imports.last_event_dialog.reject()


def test_timeline_toolbar_and_menu_offer_the_import(main_window):
    screen = main_window.show_screen("timeline")
    assert screen.import_events_action.isEnabled()
    assert main_window.import_events_action.shortcut().toString() == "Ctrl+Shift+E"


def conversation_count(window):
    from sqlalchemy import func, select

    from postmortem_desktop.storage.schema import Conversation

    with window.session.workspace.reading() as session:
        return session.scalar(select(func.count()).select_from(Conversation))


def test_slack_export_chooses_channels_previews_and_imports_in_one_undo_step(qtbot, main_window, tmp_path):
    from tests.core.test_slack_export import write_export

    main_window.select_incident(billing_id(main_window))
    export = write_export(tmp_path / "slack.zip")
    before_events, before_convs = event_count(main_window), conversation_count(main_window)
    main_window.imports.route_dropped_file(export)
    qtbot.waitUntil(lambda: main_window.imports.last_slack_dialog is not None
                    and main_window.imports.last_slack_dialog.isVisible(), timeout=10000)
    chooser = main_window.imports.last_slack_dialog
    assert chooser.combos["inc-payments"].currentData() == "incident"
    assert chooser.combos["support-escalations"].currentData() == "escalation"
    chooser.whole_history.setChecked(True)  # the sample export is not on the demo's incident day
    chooser.done(QDialog.DialogCode.Accepted)
    qtbot.waitUntil(lambda: main_window.imports.last_event_dialog is not None
                    and main_window.imports.last_event_dialog.isVisible(), timeout=10000)
    preview = main_window.imports.last_event_dialog
    assert preview.model.rowCount() == 3 and "4 internal conversations" in preview.summary.text()
    for box in preview.suggestion_boxes.values():
        box.setChecked(False)
    with qtbot.waitSignal(main_window.hub.workspace_changed):
        preview.done(QDialog.DialogCode.Accepted)
    assert event_count(main_window) == before_events + 3
    assert conversation_count(main_window) == before_convs + 4
    main_window.undo_action.trigger()
    assert (event_count(main_window), conversation_count(main_window)) == (before_events, before_convs)


def test_slack_chooser_needs_at_least_one_channel(qtbot, main_window, tmp_path):
    from postmortem_desktop.importers.events.slack_export import read_slack_export
    from tests.core.test_slack_export import write_export
    from ui.importing.slack_channels_dialog import SlackChannelsDialog

    dialog = SlackChannelsDialog(read_slack_export(write_export(tmp_path / "s.zip")), "s.zip", main_window)
    qtbot.addWidget(dialog)
    for combo in dialog.combos.values():
        combo.setCurrentIndex(combo.findData("skip"))
    assert not dialog.ok_button.isEnabled()
    dialog.combos["inc-payments"].setCurrentIndex(dialog.combos["inc-payments"].findData("bots"))
    assert dialog.ok_button.isEnabled() and dialog.choice().bot_channels == ("inc-payments",)


def test_events_outside_the_review_window_are_left_out_unless_included(qtbot, main_window, tmp_path):
    main_window.select_incident(billing_id(main_window))
    path = tmp_path / "old-page.json"
    path.write_text(json.dumps({"log_entries": [
        {"type": "trigger_log_entry", "created_at": "2020-01-01T10:00:00Z", "incident": {"summary": "Old outage"}},
        {"type": "resolve_log_entry", "created_at": "2020-01-01T11:00:00Z", "incident": {"summary": "Old outage"}},
    ]}))
    before = event_count(main_window)
    dialog = open_preview(qtbot, main_window, path)
    assert dialog.model.rowCount() == 0 and not dialog.ok_button.isEnabled()
    assert "2 events outside the review window left out" in dialog.summary.text()
    dialog.include_outside.setChecked(True)
    assert dialog.model.rowCount() == 2 and dialog.ok_button.text() == "&Import 2 Events"
    with qtbot.waitSignal(main_window.hub.workspace_changed):
        dialog.done(QDialog.DialogCode.Accepted)
    assert event_count(main_window) == before + 2


def test_including_outside_events_updates_the_suggestions(qtbot, main_window, tmp_path):
    main_window.select_incident(billing_id(main_window))
    path = tmp_path / "late-page.json"
    path.write_text(json.dumps({"log_entries": [
        {"type": "trigger_log_entry", "created_at": "2030-01-01T10:00:00Z", "incident": {"summary": "Far later"}},
    ]}))
    dialog = open_preview(qtbot, main_window, path)
    assert "last recovery after the last alert" in dialog.suggestion_reasons["technical_end"].text()
    dialog.include_outside.setChecked(True)
    # the earliest alert is still the demo's own, but the last alert is now the 2030 one, with no recovery after it
    assert "technical_end" not in dialog.suggestion_boxes
    dialog.include_outside.setChecked(False)
    assert "technical_end" in dialog.suggestion_boxes
    dialog.reject()
