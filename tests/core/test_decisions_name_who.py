"""Every recorded decision (severity confirmed or overridden, customer message, closed, reopened) names who made
it on a team workspace, in its own transaction; an undone decision leaves the history, so the one that stands is
named. A file (one person's record) names no one, and decisions recorded before format 10 are kept without a name.
The name travels with the incident between engines and reaches the PDF."""
from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from postmortem_desktop.reporting import exports
from postmortem_desktop.reporting.report_data import gather
from postmortem_desktop.services.closeout import ReopenIncident
from postmortem_desktop.services.customer_message import DecideCustomerMessage
from postmortem_desktop.services.customer_severity import DecideSeverity, SeverityService
from postmortem_desktop.services.incidents import IncidentService
from postmortem_desktop.services.review_answers import ReviewService
from postmortem_desktop.storage import migrations
from postmortem_desktop.storage.schema import IncidentHistory
from postmortem_desktop.storage.workspace import open_workspace
from tests.core.test_pdf_report import pdf_text
from tests.helpers import ANA, BEFORE_FORMAT_10, BEN, billing_id, run_to_end


def _other_level(suggested: str) -> str:
    return "SEV2" if suggested != "SEV2" else "SEV3"


def _closed_id(ws) -> int:
    return next(i.id for i in IncidentService(ws).list_incidents() if i.status in ("closed", "followed_up"))


def test_each_decision_names_the_teammate_who_made_it_and_an_undone_one_leaves(ben_and_ana):
    ben, ana = ben_and_ana
    iid = billing_id(ben)
    shown = SeverityService(ana).severity(iid)
    DecideSeverity(iid, shown.suggestion, shown.suggestion.suggested, shown=shown).do(ana)
    assert ReviewService(ben).history(iid)[-1].by == ANA
    assert SeverityService(ben).severity(iid).decided_by == ANA

    seen = SeverityService(ben).severity(iid)
    override = DecideSeverity(iid, seen.suggestion, _other_level(seen.suggestion.suggested), "Refunds took a week",
                              shown=seen)
    override.do(ben)
    severity = [(h.kind, h.by) for h in ReviewService(ana).history(iid) if h.kind.startswith("severity")]
    assert severity[-2:] == [("severity_confirmed", ANA), ("severity_overridden", BEN)]
    assert SeverityService(ana).severity(iid).decided_by == BEN
    override.undo(ben)  # Ana's confirmation stands again, and says so
    assert SeverityService(ana).severity(iid).decided_by == ANA

    DecideCustomerMessage(iid, "not_sending", "legal is reviewing it").do(ana)
    assert ReviewService(ben).history(iid)[-1].by == ANA
    closed = _closed_id(ben)
    ReopenIncident(closed, "new tickets came in").do(ben)
    assert [(h.kind, h.by) for h in ReviewService(ana).history(closed)] == [("closed", ""), ("reopened", BEN)]


def test_a_files_decisions_name_no_one(demo_copy):
    ws = open_workspace(demo_copy)
    try:
        iid = billing_id(ws)
        state = SeverityService(ws).severity(iid)
        DecideSeverity(iid, state.suggestion, state.suggestion.suggested, shown=state).do(ws)
        assert ReviewService(ws).history(iid)[-1].by == "" and SeverityService(ws).severity(iid).decided_by == ""
        assert gather(ws, iid).severity_decided_by == ""
    finally:
        ws.close()


def test_a_format_8_file_is_backed_up_and_keeps_its_decisions_without_a_name(demo_copy, tmp_path):
    conn = sqlite3.connect(demo_copy)
    for statement in (*BEFORE_FORMAT_10, "PRAGMA user_version = 8"):
        conn.execute(statement)
    decisions = conn.execute("SELECT id, incident_id, kind, detail FROM incident_history ORDER BY id").fetchall()
    conn.commit()
    conn.close()
    assert decisions  # the demo's closed incident was closed
    ws = open_workspace(demo_copy)
    try:
        with ws.engine.connect() as c:
            assert c.exec_driver_sql("PRAGMA user_version").scalar() == migrations.SCHEMA_VERSION
            kept = c.exec_driver_sql("SELECT id, incident_id, kind, detail, decided_by FROM incident_history "
                                     "ORDER BY id").all()
        assert [tuple(row) for row in kept] == [(*row, "") for row in decisions]
        assert [h.by for h in ReviewService(ws).history(decisions[0][1])] == [""]
    finally:
        ws.close()
    old = sqlite3.connect(tmp_path / "demo.pmw.v8.bak")
    assert old.execute("PRAGMA user_version").fetchone()[0] == 8
    assert "decided_by" not in {row[1] for row in old.execute("PRAGMA table_info(incident_history)")}
    old.close()


def test_a_format_8_team_workspace_keeps_its_decisions_and_names_the_next_one(team_server, team_demo_url, monkeypatch):
    with team_server.admin(team_demo_url.rsplit("/", 1)[1]) as conn:
        for statement in (*BEFORE_FORMAT_10, "UPDATE workspace_format SET version = 8"):
            conn.execute(statement)
        before = conn.execute("SELECT id, kind, detail FROM incident_history ORDER BY id").fetchall()
    monkeypatch.setenv("POSTMORTEM_USER", ANA)
    ws = open_workspace(team_demo_url)  # the upgrade
    try:
        with ws.reading() as session:
            kept = session.execute(select(IncidentHistory.id, IncidentHistory.kind, IncidentHistory.detail,
                                          IncidentHistory.decided_by).order_by(IncidentHistory.id)).all()
        assert before and [tuple(row) for row in kept] == [(*row, "") for row in before]
        iid = billing_id(ws)
        DecideCustomerMessage(iid, "sent").do(ws)
        assert ReviewService(ws).history(iid)[-1].by == ANA
    finally:
        ws.close()


def test_the_pdf_says_who_decided_the_customer_severity(ben_and_ana, tmp_path):
    ben, ana = ben_and_ana
    iid = billing_id(ben)
    shown = SeverityService(ana).severity(iid)
    DecideSeverity(iid, shown.suggestion, shown.suggestion.suggested, shown=shown).do(ana)
    path = run_to_end(exports.export_pdf(ben, iid, tmp_path / "r.pdf", redact=False))
    assert f"Decided by: {ANA}" in pdf_text(path)


def test_the_decision_that_stands_is_the_last_one_made_whatever_the_clocks_say(ben_and_ana):
    """Ana's PC clock runs five minutes fast: her confirmation, made first, carries a later time than Ben's
    override made after it. The override stands, and is said to be Ben's (before: Ana's, by her clock)."""
    ben, ana = ben_and_ana
    iid = billing_id(ben)
    shown = SeverityService(ana).severity(iid)
    DecideSeverity(iid, shown.suggestion, shown.suggestion.suggested, shown=shown).do(ana)
    with ana.transaction() as session:  # as her clock wrote it
        session.execute(update(IncidentHistory).where(IncidentHistory.incident_id == iid)
                        .values(at=datetime.now(UTC) + timedelta(minutes=5)))
    seen = SeverityService(ben).severity(iid)
    DecideSeverity(iid, seen.suggestion, _other_level(seen.suggestion.suggested), "Refunds took a week",
                   shown=seen).do(ben)
    assert SeverityService(ana).severity(iid).decided_by == BEN
