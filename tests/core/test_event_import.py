"""Importing a system-event file: preview, idempotent re-import, one undo step, suggestions, the CLI."""
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select

from postmortem_desktop.cli import main
from postmortem_desktop.domain.system_window import suggest_window
from postmortem_desktop.services.event_import import plan_file
from postmortem_desktop.storage.schema import SystemEvent
from tests.helpers import billing_id

REAL = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "real" / "system-events"
needs_real = pytest.mark.skipif(not REAL.exists(), reason="../shared/data/real is not beside this checkout")
UTC = timezone.utc
STATUSPAGE = REAL / "statuspage" / "github-incidents" / "rgy28jwprr1c.json"

LOG_ENTRIES = {"log_entries": [
    {"type": "trigger_log_entry", "created_at": "2026-11-18T10:21:00Z", "incident": {"summary": "Checkout 5xx"}},
    {"type": "resolve_log_entry", "created_at": "2026-11-18T11:01:00Z", "incident": {"summary": "Checkout 5xx"}},
]}


def _count(ws, incident_id):
    with ws.reading() as session:
        return session.scalar(select(func.count()).select_from(SystemEvent)
                              .where(SystemEvent.incident_id == incident_id))


@needs_real
def test_import_is_idempotent_and_undoes_in_one_step(demo):
    incident_id = billing_id(demo)
    before = _count(demo, incident_id)
    plan = plan_file(demo, incident_id, STATUSPAGE)
    assert plan.new == [] and len(plan.outside) == 4  # 2019 updates are far outside the demo's review window
    plan = plan_file(demo, incident_id, STATUSPAGE, include_outside_window=True)
    assert len(plan.new) == 4 and plan.counts == {"status-page": 4}
    command = plan.command()
    command.do(demo)
    assert _count(demo, incident_id) == before + 4
    again = plan_file(demo, incident_id, STATUSPAGE, include_outside_window=True)
    assert again.new == [] and again.already_present == 4 and again.command() is None
    command.undo(demo)
    assert _count(demo, incident_id) == before
    command.do(demo)  # redo
    assert _count(demo, incident_id) == before + 4


@needs_real
def test_imported_events_keep_their_source_in_the_detail(demo):
    incident_id = billing_id(demo)
    plan_file(demo, incident_id, STATUSPAGE, include_outside_window=True).command().do(demo)
    with demo.reading() as session:
        details = session.scalars(select(SystemEvent.detail).where(SystemEvent.title.like("% — Notifications%"))).all()
    assert len(details) == 4
    assert all(d.endswith("Source: Statuspage incident JSON (GitHub), rgy28jwprr1c.json") for d in details)


def test_suggestion_reads_first_alert_last_recovery_and_resolved_update():
    t = lambda h, m: datetime(2026, 11, 18, h, m, tzinfo=UTC)  # noqa: E731
    events = [(t(10, 21), "alert", "Triggered: Checkout 5xx"), (t(10, 40), "recovery", "Resolved: early"),
              (t(10, 45), "alert", "Escalated"), (t(11, 1), "recovery", "Resolved: Checkout 5xx"),
              (t(10, 50), "status-page", "Resolved — Payments degraded"),
              (t(10, 30), "status-page", "Investigating — Payments degraded")]
    s = suggest_window(events)
    assert s.technical_start.at == t(10, 21) and "Triggered: Checkout 5xx" in s.technical_start.reason
    assert s.technical_end.at == t(11, 1)  # the 10:40 recovery came before it failed again
    assert s.status_page_resolved.at == t(10, 50) and "Resolved — Payments degraded" in s.status_page_resolved.reason
    still_failing = suggest_window([(t(10, 21), "alert", "A"), (t(10, 40), "recovery", "R"),
                                    (t(10, 45), "alert", "B")])
    assert still_failing.technical_end.at is None
    assert "no recovery after the last alert" in still_failing.technical_end.reason


def test_cli_import_events_json_counts_and_dry_run(demo_copy, tmp_path, capsys):
    source = tmp_path / "pd.json"
    source.write_text(json.dumps(LOG_ENTRIES))
    # incident 2 (the older 2FA incident) is three weeks before these entries: they are left out
    assert main(["import-events", str(demo_copy), str(source), "--incident", "2", "--dry-run", "--json"]) == 0
    left_out = json.loads(capsys.readouterr().out)
    assert left_out["outside_window"] == 2 and left_out["would_import"] == 0
    assert main(["import-events", str(demo_copy), str(source), "--incident", "1", "--dry-run", "--json"]) == 0
    dry = json.loads(capsys.readouterr().out)
    assert dry["would_import"] == 2 and dry["by_kind"] == {"alert": 1, "recovery": 1}
    assert main(["import-events", str(demo_copy), str(source), "--incident", "1", "--json"]) == 0
    done = json.loads(capsys.readouterr().out)
    assert done["imported"] == 2 and done["already_present"] == 0
    assert done["suggested"]["technical_start"]["reason"]
    assert main(["import-events", str(demo_copy), str(source), "--incident", "1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["imported"] == 0


def test_cli_reports_skipped_lines_with_reasons(demo_copy, tmp_path, capsys):
    source = tmp_path / "pd.csv"
    source.write_text("incident_number,description,created_on\n"
                      "7,Checkout 5xx,2026-11-18T10:21:00Z\n8,Bad,yesterday\n")
    assert main(["import-events", str(demo_copy), str(source), "--incident", "1"]) == 0
    out = capsys.readouterr().out
    assert "imported 1 event (1 alert)" in out and "line 3: cannot read the created time 'yesterday'" in out
    assert main(["import-events", str(demo_copy), str(source), "--incident", "2"]) == 0
    assert "1 outside the review window (left out" in capsys.readouterr().out


def test_cli_bad_file_exits_4_and_changes_nothing(demo_copy, tmp_path, capsys):
    source = tmp_path / "notes.txt"
    source.write_text("just some prose\nwith no times\n")
    before = demo_copy.read_bytes()
    assert main(["import-events", str(demo_copy), str(source), "--incident", "1"]) == 4
    assert "not a system-event source we recognise" in capsys.readouterr().err
    assert demo_copy.read_bytes() == before
    assert main(["import-events", str(demo_copy), str(tmp_path / "missing.json"), "--incident", "1"]) == 4


def test_cli_forced_source_that_does_not_fit_exits_4(demo_copy, tmp_path, capsys):
    source = tmp_path / "pd.json"
    source.write_text(json.dumps(LOG_ENTRIES))
    assert main(["import-events", str(demo_copy), str(source), "--incident", "1", "--source", "feed"]) == 4


def test_demo_billing_incident_holds_events_imported_from_its_bundled_samples(demo):
    with demo.reading() as session:
        details = session.scalars(select(SystemEvent.detail).where(SystemEvent.incident_id == billing_id(demo))).all()
    statuspage = "Source: Statuspage incident JSON (Ledgerly), statuspage-incident.json"
    assert sum(d.endswith(statuspage) for d in details) == 3
    assert sum(d.endswith("Source: PagerDuty CSV export, pagerduty-incidents.csv") for d in details) == 3

