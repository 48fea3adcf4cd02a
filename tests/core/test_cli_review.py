"""`postmortem checklist / close / reopen / followup-ics` over the demo workspace."""
import json
from datetime import date, datetime, timezone

import icalendar

from postmortem_desktop.cli import main
from postmortem_desktop.services.actions import AddActionItem
from postmortem_desktop.services.closeout import ScheduleFollowUp
from postmortem_desktop.services.customer_message import DecideCustomerMessage
from postmortem_desktop.services.incidents import IncidentService
from postmortem_desktop.services.review_answers import EditCloseoutFields
from postmortem_desktop.storage.workspace import open_workspace


def ids(path):
    ws = open_workspace(path)
    try:
        rows = IncidentService(ws).list_incidents()
    finally:
        ws.close()
    return {("billing" if r.title.startswith("Billing") else "login"): r.id for r in rows}


def test_checklist_json_lists_each_item_with_what_is_missing(demo_copy, capsys):
    billing = ids(demo_copy)["billing"]
    assert main(["checklist", str(demo_copy), "--incident", str(billing), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["can_close"] is False
    assert len(data["items"]) == 8
    missing = {i["key"]: i["missing"] for i in data["items"] if not i["ok"]}
    assert set(missing) == {"trust_signals", "action_items", "contact_and_message", "follow_up"}
    assert all(text for text in missing.values())


def test_close_exits_3_listing_what_is_missing(demo_copy, capsys):
    billing = ids(demo_copy)["billing"]
    assert main(["close", str(demo_copy), "--incident", str(billing)]) == 3
    err = capsys.readouterr().err
    assert "Trust signals" in err and "support action item" in err


def test_close_succeeds_when_complete_then_reopen(demo_copy, capsys):
    billing = ids(demo_copy)["billing"]
    ws = open_workspace(demo_copy)
    try:
        EditCloseoutFields(billing, trust_signals_none_seen=True, contact_list_reviewed=True).do(ws)
        AddActionItem(billing, area="support", description="Macro", owner="Priya", due_date=date(2026, 11, 25)).do(ws)
        DecideCustomerMessage(billing, "sent").do(ws)
        ScheduleFollowUp(billing, datetime(2026, 11, 27, 15, tzinfo=timezone.utc), date(2026, 11, 20)).do(ws)
    finally:
        ws.close()
    assert main(["close", str(demo_copy), "--incident", str(billing)]) == 0
    assert main(["checklist", str(demo_copy), "--incident", str(billing), "--json"]) == 0
    capsys.readouterr()
    assert main(["reopen", str(demo_copy), "--incident", str(billing), "--reason", "more tickets"]) == 0
    assert main(["reopen", str(demo_copy), "--incident", str(billing)]) == 3


def test_followup_ics_writes_a_parseable_event(demo_copy, tmp_path):
    login = ids(demo_copy)["login"]
    out = tmp_path / "followup.ics"
    assert main(["followup-ics", str(demo_copy), "--incident", str(login), "-o", str(out)]) == 0
    event = next(c for c in icalendar.Calendar.from_ical(out.read_bytes()).walk() if c.name == "VEVENT")
    assert "Two-factor codes rejected" in str(event["summary"])
    assert str(event["url"]).startswith("file://") and str(event["url"]).endswith("demo.pmw")


def test_followup_ics_from_a_team_workspace_links_its_address(team_demo_url, tmp_path):
    login = ids(team_demo_url)["login"]
    out = tmp_path / "followup.ics"
    assert main(["followup-ics", team_demo_url, "--incident", str(login), "-o", str(out)]) == 0
    event = next(c for c in icalendar.Calendar.from_ical(out.read_bytes()).walk() if c.name == "VEVENT")
    assert "Two-factor codes rejected" in str(event["summary"])
    assert str(event["url"]) == team_demo_url and team_demo_url in str(event["description"])
    assert str(event["uid"]) == f"followup-{login}-{team_demo_url.rsplit('/', 1)[1]}@postmortem-desktop"


def test_followup_ics_without_a_schedule_is_refused(demo_copy, tmp_path):
    billing = ids(demo_copy)["billing"]
    assert main(["followup-ics", str(demo_copy), "--incident", str(billing), "-o", str(tmp_path / "x.ics")]) == 3
    assert not (tmp_path / "x.ics").exists()


def test_unknown_incident_is_a_usage_error_that_says_where_to_look(demo_copy, capsys):
    assert main(["checklist", str(demo_copy), "--incident", "999"]) == 2
    assert "postmortem incidents" in capsys.readouterr().err
