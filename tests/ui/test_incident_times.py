"""Optional incident times: ticking one starts from a sensible moment, a refusal keeps what was typed."""
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtWidgets import QDialog, QMessageBox

from postmortem_desktop.services.incidents import CreateIncident, IncidentService
from postmortem_desktop.storage.workspace import open_workspace
from ui.hub import ScreenHub
from ui.undo import WorkspaceSession

SENTINEL_YEAR = 2000  # QDateTimeEdit's built-in default date


@pytest.fixture
def hub(qtbot, demo_copy):
    hub = ScreenHub()
    session = WorkspaceSession(open_workspace(demo_copy))
    hub.set_session(session, "UTC")
    yield hub
    session.close()


@pytest.fixture
def fresh(hub):
    """A new incident whose first failure is known and nothing else."""
    start = datetime(2026, 3, 2, 9, 15, tzinfo=UTC)
    command = CreateIncident(title="Login errors after deploy", technical_start=start)
    assert hub.run(command)
    hub.set_incident(command.incident_id)
    return start


@pytest.fixture
def screen(qtbot, hub):
    from ui.incidents.properties_screen import PropertiesScreen

    screen = PropertiesScreen(hub)
    qtbot.addWidget(screen)
    screen.show()
    screen.refresh()
    return screen


def details(hub):
    return IncidentService(hub.workspace).get(hub.incident_id)


@pytest.mark.parametrize("key", ["technical_end", "status_page_resolved", "review_start", "review_end"])
def test_ticking_an_empty_time_starts_from_the_first_failure_never_a_sentinel(qtbot, hub, fresh, screen, key,
                                                                              monkeypatch):
    editor = screen.form.times[key]
    if key.startswith("review"):  # the new incident got a default review window; clear it first
        editor.known.click()
        assert getattr(details(hub), key) is None
        # shown afresh (another incident, then this one): no earlier value of this form to restore
        incident_id = hub.incident_id
        hub.set_incident(next(s.id for s in IncidentService(hub.workspace).list_incidents() if s.id != incident_id))
        screen.refresh()
        hub.set_incident(incident_id)
        screen.refresh()
    refusals = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: refusals.append(a[2]))
    editor.known.click()
    saved = getattr(details(hub), key)
    assert saved is not None and saved.year != SENTINEL_YEAR
    assert saved == fresh
    assert not refusals
    assert not screen.form.problem.isVisibleTo(screen.form)


def test_ticking_the_first_failure_of_an_incident_without_one_starts_from_now(qtbot, hub, screen):
    command = CreateIncident(title="Nothing known yet")
    assert hub.run(command)
    hub.set_incident(command.incident_id)
    screen.refresh()
    before = datetime.now(UTC).replace(second=0, microsecond=0)
    screen.form.times["technical_start"].known.click()
    saved = details(hub).technical_start
    assert saved is not None and before <= saved <= datetime.now(UTC)


def test_a_refused_time_is_explained_beside_the_form_and_what_was_typed_stays(qtbot, hub, fresh, screen,
                                                                              monkeypatch):
    dialogs = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: dialogs.append(a[2]))
    recovery = screen.form.times["technical_end"]
    recovery.known.click()
    typed = recovery.edit.dateTime().addSecs(-3600)
    recovery.edit.setDateTime(typed)
    recovery.edit.editingFinished.emit()
    assert details(hub).technical_end == fresh  # the refused time was not saved
    assert recovery.edit.dateTime() == typed and recovery.known.isChecked()
    assert screen.form.problem.isVisibleTo(screen.form)
    assert "Recovery cannot come before the first failure" in screen.form.problem.text()
    assert not dialogs
    recovery.edit.setDateTime(typed.addSecs(3 * 3600))
    recovery.edit.editingFinished.emit()
    assert details(hub).technical_end == fresh + timedelta(hours=2)
    assert not screen.form.problem.isVisibleTo(screen.form)


def test_new_incident_dialog_is_wide_shows_the_zone_and_takes_a_recovery_time(qtbot):
    from ui.incidents.new_incident_dialog import MIN_WIDTH, NewIncidentDialog

    dialog = NewIncidentDialog("Europe/Berlin")
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.width() >= MIN_WIDTH
    assert "Europe/Berlin" in dialog.zone_note.text()
    dialog.title.setText("Billing page payment submit timed out for EU customers on the new plan")
    assert dialog.title.width() > dialog.fontMetrics().horizontalAdvance(dialog.title.text()) * 0.8
    assert "technical_end" not in dialog.values()
    dialog.end.known.click()
    assert dialog.values()["technical_end"] == dialog.values()["technical_start"]
    dialog.end.edit.setDateTime(dialog.start.edit.dateTime().addSecs(-60))
    dialog.ok_button.click()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "Recovery cannot come before the first failure" in dialog.problem.text()
    dialog.end.edit.setDateTime(dialog.start.edit.dateTime().addSecs(2400))
    dialog.ok_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.values()["technical_end"] - dialog.values()["technical_start"] == timedelta(minutes=40)


def _row_top(screen, key):
    from PySide6.QtCore import QPoint

    return screen.form.times[key].mapTo(screen.form, QPoint(0, 0)).y()


def test_unticking_recovery_moves_no_field_and_reticking_restores_the_previous_time(qtbot, hub, screen):
    """The demo's headline loses its status-page sentence when Recovery is unticked; the rows below must not
    move up under the pointer, and ticking Recovery again brings back 11:00, not the first failure."""
    from PySide6.QtWidgets import QApplication

    billing = next(s.id for s in IncidentService(hub.workspace).list_incidents() if s.title.startswith("Billing"))
    hub.set_incident(billing)
    screen.resize(1000, 700)
    screen.refresh()
    QApplication.processEvents()
    before = {key: _row_top(screen, key) for key in ("technical_end", "status_page_resolved", "review_end")}
    recovered = details(hub).technical_end
    assert recovered is not None and recovered != details(hub).technical_start
    headline = screen.form.headline.text()
    screen.form.times["technical_end"].known.click()
    screen.refresh()
    QApplication.processEvents()
    assert details(hub).technical_end is None
    assert screen.form.headline.text() != headline  # the headline did change
    assert {key: _row_top(screen, key) for key in before} == before
    screen.form.times["technical_end"].known.click()
    screen.refresh()
    assert details(hub).technical_end == recovered


def test_another_incident_does_not_inherit_a_previous_time(qtbot, hub, fresh, screen):
    screen.refresh()
    editor = screen.form.times["technical_end"]
    assert details(hub).technical_end is None
    editor.known.click()
    assert details(hub).technical_end == fresh  # from its own first failure, not the last incident shown
