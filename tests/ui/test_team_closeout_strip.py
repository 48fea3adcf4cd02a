"""A teammate closes or reopens the incident on view: the strip says who and when, and the button that took
the other's place takes no click for a moment, so a click aimed at Close never opens "Why is it reopened?"."""
from __future__ import annotations

import re

import pytest
from PySide6.QtWidgets import QInputDialog

from postmortem_desktop.services.closeout import CloseIncident, ReopenIncident
from postmortem_desktop.services.incidents import IncidentService
from postmortem_desktop.storage.workspace import open_workspace
from ui.hub import ScreenHub
from ui.undo import WorkspaceSession


def _two_factor(workspace) -> int:
    return next(s.id for s in IncidentService(workspace).list_incidents() if s.title.startswith("Two-factor"))


@pytest.fixture
def strip(qtbot, team_demo_url, teammate):
    from ui.closeout.closeout_strip import CloseoutStrip

    hub = ScreenHub()
    session = WorkspaceSession(open_workspace(team_demo_url))
    hub.set_session(session, "UTC")
    widget = CloseoutStrip(hub)
    qtbot.addWidget(widget)
    widget.show()
    hub.set_incident(_two_factor(session.workspace))  # closed in the demo, its record complete
    assert session._teammates is not None and session._teammates.feed.listening.wait(10)
    yield widget
    session.close()


@pytest.fixture
def reopen_asked(monkeypatch):
    asked: list[str] = []

    def ask(_parent, _title, label, *_args, **_kwargs):
        asked.append(label)
        return "", False  # cancelled

    monkeypatch.setattr(QInputDialog, "getText", ask)
    return asked


def test_a_teammate_closing_says_so_and_the_reopen_in_closes_place_ignores_the_next_click(qtbot, strip, teammate,
                                                                                            reopen_asked):
    iid = _two_factor(teammate)
    ReopenIncident(iid, "Ana checks one more ticket").do(teammate)
    qtbot.waitUntil(lambda: strip.close_button.isVisibleTo(strip), timeout=1000)
    assert re.fullmatch(r"Ana reopened this incident at \d\d:\d\d\.", _notice(strip))
    qtbot.waitUntil(strip.close_button.isEnabled, timeout=3000)  # settled
    CloseIncident(iid).do(teammate)
    qtbot.waitUntil(lambda: strip.reopen_button.isVisibleTo(strip), timeout=1000)
    assert re.fullmatch(r"Ana closed this incident at \d\d:\d\d\.", _notice(strip))
    strip.reopen_button.click()  # the second click of a person who meant Close
    assert reopen_asked == []
    qtbot.waitUntil(strip.reopen_button.isEnabled, timeout=3000)  # a moment later Reopen works as usual
    strip.reopen_button.click()
    assert reopen_asked == ["Why is it reopened?"]


def test_the_persons_own_reopen_swaps_the_button_with_no_notice_and_no_wait(qtbot, strip, monkeypatch):
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("More tickets came in", True))
    strip.reopen_button.click()
    assert strip.close_button.isVisibleTo(strip) and strip.close_button.isEnabled()
    assert not strip.state_notice.isVisibleTo(strip)


def test_moving_to_another_incident_drops_the_notice(qtbot, strip, teammate):
    ReopenIncident(_two_factor(teammate), "Ana checks one more ticket").do(teammate)
    qtbot.waitUntil(lambda: strip.state_notice.isVisibleTo(strip), timeout=1000)
    other = next(s.id for s in IncidentService(teammate).list_incidents() if s.id != _two_factor(teammate))
    strip.hub.set_incident(other)
    assert not strip.state_notice.isVisibleTo(strip)


def _notice(strip) -> str:
    return re.sub(r"<[^>]+>", "", strip.state_notice.text())
