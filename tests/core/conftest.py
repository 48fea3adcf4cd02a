"""Fixtures of the core tests that need more than one client of a team workspace."""
from __future__ import annotations

import pytest

from postmortem_desktop.storage.workspace import open_workspace
from tests.helpers import ANA, BEN


@pytest.fixture
def ben_and_ana(team_demo_url, monkeypatch):
    """Two clients of one team workspace: Ben's (the one who undoes and redoes) and Ana's."""
    monkeypatch.setenv("POSTMORTEM_USER", BEN)
    ben = open_workspace(team_demo_url)
    monkeypatch.setenv("POSTMORTEM_USER", ANA)
    ana = open_workspace(team_demo_url)
    yield ben, ana
    ben.close()
    ana.close()


@pytest.fixture
def ben(demo, workspace_kind, request, monkeypatch):
    """Ben's client beside `demo` (Ana's): a second handle of the team workspace, attributed to him; on a file, the
    one handle (one person, whose later edit outside the undo stack is kept the same way)."""
    if workspace_kind != "team":
        yield demo
        return
    monkeypatch.setenv("POSTMORTEM_USER", BEN)
    other = open_workspace(request.getfixturevalue("team_demo_url"))
    monkeypatch.delenv("POSTMORTEM_USER")
    yield other
    other.close()
