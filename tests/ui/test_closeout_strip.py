"""The close-out strip: counts, a link per missing item that navigates, Close and Reopen."""
import pytest
from PySide6.QtWidgets import QInputDialog, QMessageBox

from postmortem_desktop.services.incidents import IncidentService
from postmortem_desktop.storage.workspace import open_workspace
from ui.hub import ScreenHub
from ui.undo import WorkspaceSession


@pytest.fixture
def hub(qtbot, demo_copy):
    hub = ScreenHub()
    session = WorkspaceSession(open_workspace(demo_copy))
    hub.set_session(session, "UTC")
    yield hub
    session.close()


def incident(hub, prefix):
    return next(s.id for s in IncidentService(hub.workspace).list_incidents() if s.title.startswith(prefix))


@pytest.fixture
def strip(qtbot, hub):
    from ui.closeout.closeout_strip import CloseoutStrip

    widget = CloseoutStrip(hub)
    qtbot.addWidget(widget)
    return widget


def test_strip_shows_counts_and_links_for_the_demo(hub, strip):
    assert "no incident" in strip.summary.text()
    with_signal = []
    strip.checklist_refreshed.connect(with_signal.append)
    hub.set_incident(incident(hub, "Billing"))
    text = strip.summary.text()
    assert "4 of 8 done" in text
    for key in ("trust_signals", "action_items", "contact_and_message", "follow_up"):
        assert f'href="{key}"' in text
    assert 'href="customer_damage"' not in text
    assert with_signal and not with_signal[-1].can_close


def test_missing_item_link_requests_navigation_to_where_it_is_fixed(qtbot, hub, strip):
    hub.set_incident(incident(hub, "Billing"))
    with qtbot.waitSignal(hub.navigation_requested) as blocker:
        strip.summary.linkActivated.emit("follow_up")
    assert blocker.args == ["followup", "schedule"]
    with qtbot.waitSignal(hub.navigation_requested) as blocker:
        strip.summary.linkActivated.emit("action_items")
    assert blocker.args == ["actions", "support"]


def test_close_refused_shows_the_missing_items(hub, strip, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(a[2]))
    hub.set_incident(incident(hub, "Billing"))
    strip.close_button.click()
    assert len(shown) == 1 and "Follow-up check scheduled" in shown[0]
    assert IncidentService(hub.workspace).get(hub.incident_id).status == "in_review"


def test_closed_incident_offers_reopen_which_is_recorded_and_undoable(qtbot, hub, strip, monkeypatch):
    from postmortem_desktop.services.review_answers import ReviewService

    hub.set_incident(incident(hub, "Two-factor"))
    assert "closed ✓" in strip.summary.text()
    assert strip.reopen_button.isVisibleTo(strip) and not strip.close_button.isVisibleTo(strip)
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Late duplicate-login tickets", True))
    with qtbot.waitSignal(hub.workspace_changed):
        strip.reopen_button.click()
    assert IncidentService(hub.workspace).get(hub.incident_id).status == "in_review"
    assert ReviewService(hub.workspace).history(hub.incident_id)[-1].detail == "Late duplicate-login tickets"
    assert strip.close_button.isVisibleTo(strip)
    hub.session.undo_stack.undo()
    assert "closed ✓" in strip.summary.text()


def test_strip_updates_live_after_an_edit_and_its_undo(qtbot, hub, strip):
    from postmortem_desktop.services.review_answers import EditCloseoutFields

    hub.set_incident(incident(hub, "Billing"))
    hub.run(EditCloseoutFields(hub.incident_id, trust_signals_none_seen=True))
    assert "5 of 8 done" in strip.summary.text()
    hub.session.undo_stack.undo()
    assert "4 of 8 done" in strip.summary.text()
