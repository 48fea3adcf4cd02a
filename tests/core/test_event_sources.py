"""Each system-event source is recognised from content and read into the events that will land."""
import json
import re
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
import yaml

from postmortem_desktop.importers.events import EventFileError, read_event_file, read_event_text

REAL = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "real" / "system-events"
needs_real = pytest.mark.skipif(not REAL.exists(), reason="../shared/data/real is not beside this checkout")
UTC = timezone.utc


@needs_real
def test_statuspage_incident_json_becomes_one_status_page_event_per_update():
    result = read_event_file(REAL / "statuspage" / "github-incidents" / "rgy28jwprr1c.json")
    assert result.source.startswith("Statuspage incident JSON")
    assert [e.title.split(" — ")[0] for e in result.events] == ["Investigating", "Identified", "Monitoring",
                                                                 "Resolved"]
    assert {e.kind for e in result.events} == {"status-page"}
    resolved = result.events[-1]
    assert resolved.at == datetime(2019, 9, 23, 16, 37, 46, 707000, tzinfo=UTC)
    assert "Notifications: degraded performance → operational" in resolved.detail


@needs_real
def test_statuspage_json_prefers_display_at_over_created_at():
    data = json.loads((REAL / "statuspage" / "github-incidents" / "f0mhbz9xn497.json").read_text())
    updates = data["incident"]["incident_updates"]
    result = read_event_file(REAL / "statuspage" / "github-incidents" / "f0mhbz9xn497.json")
    assert len(result.events) == len(updates) == 30
    expected = sorted(u["display_at"] for u in updates)
    assert [e.at.strftime("%Y-%m-%dT%H:%M:%S") for e in result.events] == [t[:19] for t in expected]


@needs_real
@pytest.mark.parametrize("name", ["streamyard-history.atom", "streamyard-history.rss"])
def test_rss_and_atom_feeds_of_one_page_give_the_same_updates(name):
    result = read_event_file(REAL / "statuspage" / name)
    other = read_event_file(REAL / "statuspage" / (name.rsplit(".", 1)[0] + (".rss" if name.endswith("atom")
                                                                             else ".atom")))
    assert [(e.at, e.title) for e in result.events] == [(e.at, e.title) for e in other.events]
    first = next(e for e in result.events if e.title == "Investigating — Networking issues")
    assert first.at == datetime(2024, 2, 8, 8, 29, tzinfo=UTC)


@needs_real
def test_feed_update_times_in_pst_become_utc():
    result = read_event_file(REAL / "statuspage" / "parse-status-history.rss")
    resolved = [e for e in result.events if e.title == "Resolved — Elevated error rates"]
    assert datetime(2014, 1, 1, 17, 9, tzinfo=UTC) in [e.at for e in resolved]  # Jan 1, 09:09 PST


@needs_real
def test_pagerduty_v1_incidents_trigger_and_resolve():
    result = read_event_file(REAL / "pagerduty" / "mapbox-incidents.json")
    trigger = next(e for e in result.events if "#22897" in e.title and e.kind == "alert")
    resolve = next(e for e in result.events if "#22897" in e.title and e.kind == "recovery")
    assert trigger.at == datetime(2016, 5, 24, 19, 35, 2, tzinfo=UTC)
    assert resolve.at == datetime(2016, 5, 24, 19, 49, 9, tzinfo=UTC)
    assert trigger.title.startswith("Triggered:") and "(food-source)" in trigger.title


@needs_real
def test_pagerduty_notes_keep_their_offset():
    result = read_event_file(REAL / "pagerduty" / "mapbox-notes.json")
    assert [e.kind for e in result.events] == ["note", "note"]
    assert result.events[-1].at == datetime(2016, 6, 21, 10, 52, 17, tzinfo=UTC)  # 06:52:17-04:00


def test_pagerduty_log_entries_map_trigger_ack_resolve():
    data = {"log_entries": [
        {"type": "trigger_log_entry", "created_at": "2026-11-18T10:21:00Z", "incident": {"summary": "Checkout 5xx"}},
        {"type": "acknowledge_log_entry", "created_at": "2026-11-18T10:24:00Z", "incident": {"summary": "Checkout 5xx"},
         "agent": {"summary": "Dana"}},
        {"type": "escalate_log_entry", "created_at": "2026-11-18T10:30:00Z", "incident": {"summary": "Checkout 5xx"}},
        {"type": "resolve_log_entry", "created_at": "2026-11-18T11:01:00Z", "incident": {"summary": "Checkout 5xx"}},
    ]}
    result = read_event_text(json.dumps(data))
    assert [(e.kind, e.title) for e in result.events] == [
        ("alert", "Triggered: Checkout 5xx"), ("note", "Acknowledged: Checkout 5xx"),
        ("alert", "Escalated: Checkout 5xx"), ("recovery", "Resolved: Checkout 5xx")]
    assert "By Dana" in result.events[1].detail


def test_pagerduty_csv_export_gives_trigger_ack_and_resolve_per_row():
    text = ("id,incident_number,description,service_name,created_on,acknowledged_on,resolved_on\n"
            "PABC,41,Checkout 5xx,payments,2026-11-18T10:21:00Z,2026-11-18T10:24:00Z,2026-11-18T11:01:00Z\n"
            "PABD,42,Bad row,payments,not a time,,\n")
    result = read_event_text(text)
    assert result.source == "PagerDuty CSV export"
    assert [e.kind for e in result.events] == ["alert", "note", "recovery"]
    assert result.events[0].title == "Triggered: #41 Checkout 5xx (payments)"
    assert result.skipped and result.skipped[0][0] == 3 and "not a time" in result.skipped[0][2]


def test_opsgenie_csv_with_epoch_milliseconds():
    text = ("TinyId,Alias,Message,Status,Acknowledged,CreatedAt,ClosedAt\n"
            "17,checkout-5xx,Checkout error rate high,closed,true,1763461260000,1763463660000\n")
    result = read_event_text(text)
    assert result.source == "Opsgenie CSV export"
    assert result.events[0].at == datetime(2025, 11, 18, 10, 21, tzinfo=UTC)
    assert result.events[-1].kind == "recovery"


@needs_real
def test_alertmanager_resolved_alerts_fire_and_recover():
    result = read_event_file(REAL / "alertmanager" / "prom2teams-all_ok_multiple.json")
    assert [e.kind for e in result.events].count("alert") == 2
    assert [e.kind for e in result.events].count("recovery") == 2
    assert all("DiskSpace" in e.title for e in result.events)


@needs_real
def test_firing_alertmanager_alert_has_no_recovery():
    result = read_event_file(REAL / "alertmanager" / "ntfy-webhook_alertmanager_firing.json")
    assert [e.kind for e in result.events] == ["alert"]


@needs_real
def test_grafana_notification_is_named_grafana():
    result = read_event_file(REAL / "grafana" / "ntfy-webhook_grafana_resolved.json")
    assert result.source.startswith("Grafana")
    assert [(e.kind, e.at) for e in result.events] == [
        ("alert", datetime(2024, 3, 15, 2, 28, tzinfo=UTC)), ("recovery", datetime(2024, 3, 15, 2, 42, tzinfo=UTC))]


def test_grafana_annotations_tagged_deploy_become_deploys():
    data = [{"id": 1, "time": 1763461260000, "text": "Deploy api v2.3.1", "tags": ["deploy"]},
            {"id": 2, "time": 1763461860000, "timeEnd": 1763463660000, "alertId": 4, "text": "High latency",
             "tags": []}]
    result = read_event_text(json.dumps(data))
    assert [e.kind for e in result.events] == ["deploy", "alert", "recovery"]


def _cassette_bodies(path: Path) -> list:
    cassette = yaml.safe_load(path.read_text())
    return [json.loads(i["response"]["body"]["string"]) for i in cassette["interactions"]
            if i["response"]["body"]["string"].strip().startswith("{")]


@needs_real
def test_datadog_v1_and_v2_event_bodies():
    v1 = _cassette_bodies(REAL / "datadog" / "v1-test_post_an_event_returns_ok_response.yaml")[0]
    result = read_event_text(json.dumps(v1))
    assert result.source == "Datadog events JSON"
    assert result.events[0].at == datetime.fromtimestamp(v1["event"]["date_happened"], UTC)
    v2 = _cassette_bodies(REAL / "datadog" / "v2-test_get_a_list_of_events_returns_ok_response_with_pagination.yaml")
    page = next(b for b in v2 if b.get("data"))
    result = read_event_text(json.dumps(page))
    assert len(result.events) == len(page["data"])
    assert result.events[0].title == "[Synthetics] EVMGT pipeline test"


@needs_real
@pytest.mark.parametrize("name, title", [
    ("webhook-deployment-payload.json", "Deploy master (f95f852) to production started"),
    ("webhook-deployment_status-payload.json", "Deploy master (f95f852) to production: success"),
    ("webhook-release-published.payload.json", "Release 0.0.1"),
])
def test_github_payloads_become_deploys_with_their_version(name, title):
    result = read_event_file(REAL / "github" / name)
    assert [(e.kind, e.title) for e in result.events] == [("deploy", title)]


@needs_real
def test_github_releases_api_response_from_a_recording():
    recording = json.loads((REAL / "github" / "octokit-fixtures-release-assets.normalized-fixture.json").read_text())
    release = recording[0]["response"]
    result = read_event_text(json.dumps([release]))
    assert result.events[0].title.startswith(f"Release {release['tag_name']}")


def test_git_log_default_layout_and_one_line_layout():
    default = ("commit 3f69729a1b2c3d4e5f60718293a4b5c6d7e8f901 (tag: v2.3.1)\nAuthor: Dev <dev@example.com>\n"
               "Date:   Wed Nov 18 10:05:00 2026 +0100\n\n    Retry payment submit once\n\n    body line\n")
    result = read_event_text(default)
    assert [(e.kind, e.title, e.at) for e in result.events] == [
        ("deploy", "Change v2.3.1: Retry payment submit once", datetime(2026, 11, 18, 9, 5, tzinfo=UTC))]
    one_line = read_event_text("a1b2c3d 2026-11-18 10:05:00 +0100 Retry payment submit once\n")
    assert one_line.events[0].title == "Change a1b2c3d: Retry payment submit once"


def test_thousands_of_5xx_lines_become_one_burst_with_count_and_peak():
    lines = []
    for i in range(3000):
        minute, second = divmod(i // 5, 60)
        lines.append(f'10.0.0.{i % 9} - - [18/Nov/2026:10:{21 + minute:02d}:{second:02d} +0000] '
                     f'"POST /pay HTTP/1.1" {503 if i % 3 else 200} 12 "-" "curl"')
    result = read_event_text("\n".join(lines))
    assert result.source.startswith("access log")
    assert len(result.events) == 1
    burst = result.events[0]
    assert burst.kind == "alert"
    assert re.fullmatch(r"5xx burst 10:21–10:30, 2,000 lines, peak 200/min", burst.title), burst.title


def test_bursts_split_at_a_quiet_gap_and_titles_follow_the_display_zone():
    from zoneinfo import ZoneInfo

    text = "\n".join(["2026-11-18T10:00:00Z ERROR db timeout"] * 3 + ["2026-11-18T10:30:00Z ERROR db timeout",
                                                                   "2026-11-18T10:31:00Z INFO all good"])
    result = read_event_text(text, zone=ZoneInfo("Europe/Paris"))
    assert [e.title for e in result.events] == ["Error burst 11:00–11:00, 3 lines, peak 3/min",
                                                "Error: db timeout"]


@needs_real
def test_real_logs_give_bursts_not_one_event_per_line():
    apache = read_event_file(REAL / "logs" / "loghub" / "Apache_2k.log")
    errors = sum(1 for line in (REAL / "logs" / "loghub" / "Apache_2k.log").read_text().splitlines()
                 if "[error]" in line)
    assert apache.items_read == 2000
    assert 0 < len(apache.events) < errors
    assert sum(int(m.group(1).replace(",", "")) if (m := re.search(r", ([\d,]+) lines", e.title)) else 1
               for e in apache.events) == errors
    journald = read_event_file(REAL / "logs" / "lnav" / "logfile_journald.json")
    assert journald.source.startswith("journald JSON")
    assert journald.events[0].at == datetime.fromtimestamp(1534860261.221373, UTC)
    syslog = read_event_file(REAL / "logs" / "loghub" / "Linux_2k.log", reference=date(2005, 7, 1))
    assert syslog.events and all(e.at.year == 2005 for e in syslog.events)


def test_unknown_content_is_refused_with_what_is_expected():
    with pytest.raises(EventFileError, match="not a system-event source we recognise"):
        read_event_text("hello\nthis is just prose\n")
    with pytest.raises(EventFileError, match="JSON is not an event source"):
        read_event_text('{"services": []}')
    with pytest.raises(EventFileError, match="not well-formed XML"):
        read_event_text("<rss><channel><item></rss>")


def test_feed_with_an_entity_bomb_is_refused():
    bomb = ('<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
            '<rss version="2.0"><channel><title>&b;</title></channel></rss>')
    with pytest.raises(EventFileError):
        read_event_text(bomb)


def test_zip_is_named_as_unsupported_slack_export(tmp_path):
    path = tmp_path / "export.zip"
    path.write_bytes(b"PK\x03\x04" + b"\0" * 30)
    with pytest.raises(EventFileError, match="Slack"):
        read_event_file(path)


def test_rfc5424_syslog_severity_decides_what_is_an_error():
    lines = ["<11>1 2026-11-18T10:21:00.000Z web01 billing 4411 - - payment submit failed upstream",  # err
             "<11>1 2026-11-18T10:21:30.000Z web01 billing 4411 - - payment submit failed upstream",
             "<14>1 2026-11-18T10:22:00.000Z web01 billing 4411 - - request served"]  # info
    result = read_event_text("\n".join(lines))
    assert result.source.startswith("syslog (RFC 5424)")
    assert [e.title for e in result.events] == ["Error burst 10:21–10:21, 2 lines, peak 2/min"]


def test_epoch_stamped_lines_are_read_as_utc_seconds():
    text = "\n".join(f"{1763461260 + i} ERROR gateway timeout" for i in range(3))
    result = read_event_text(text)
    assert result.source.startswith("epoch-stamped log")
    assert result.events[0].at == datetime(2025, 11, 18, 10, 21, tzinfo=UTC)


def test_times_without_a_zone_are_read_in_the_zone_given():
    from zoneinfo import ZoneInfo

    result = read_event_text("2026-11-18 11:21:00 ERROR db timeout\n", zone=ZoneInfo("Europe/Paris"))
    assert result.events[0].at == datetime(2026, 11, 18, 10, 21, tzinfo=UTC)


def test_a_plain_status_feed_without_statuspage_updates_gives_one_event_per_entry():
    feed = ("<?xml version='1.0'?><rss version='2.0'><channel><title>Acme Status</title>"
            "<item><title>Payments degraded</title><description>We are looking into failed payments."
            "</description><pubDate>Wed, 18 Nov 2026 10:35:00 +0000</pubDate></item>"
            "<item><title>Resolved: Payments degraded</title><description>All good.</description>"
            "<pubDate>Wed, 18 Nov 2026 11:05:00 +0000</pubDate></item></channel></rss>")
    result = read_event_text(feed)
    assert [(e.at.strftime("%H:%M"), e.kind) for e in result.events] == [("10:35", "status-page"),
                                                                         ("11:05", "status-page")]
    assert result.events[0].detail == "We are looking into failed payments."
    assert [e.title for e in result.events] == ["Update — Payments degraded", "Resolved — Payments degraded"]


def test_a_csv_with_a_field_past_the_csv_limit_is_refused_cleanly():
    text = "incident_number,description,created_on\n1,\"" + "x" * 200_000 + "\",2026-11-18T10:21:00Z\n"
    with pytest.raises(EventFileError, match="cannot be read as CSV"):
        read_event_text(text)


def test_sniffing_tells_paging_csv_feeds_and_slack_zips_from_ticket_dumps(tmp_path):
    import zipfile

    from postmortem_desktop.importers.events.detect import sniff_event_file

    paging = tmp_path / "pd.csv"
    paging.write_text("id,incident_number,description,created_on\nP1,7,Checkout 5xx,2026-11-18T10:21:00Z\n")
    tickets = tmp_path / "tickets.csv"
    tickets.write_text("Ticket ID,Subject,Requester,Created at\n1,Cannot pay,a@example.com,2026-11-18 10:30\n")
    feed = tmp_path / "history.xml"
    feed.write_text("<?xml version='1.0'?><rss version='2.0'><channel><title>S</title></channel></rss>")
    slack = tmp_path / "export.zip"
    with zipfile.ZipFile(slack, "w") as archive:
        archive.writestr("channels.json", "[]")
        archive.writestr("general/2026-11-18.json", "[]")
    other_zip = tmp_path / "other.zip"
    with zipfile.ZipFile(other_zip, "w") as archive:
        archive.writestr("readme.txt", "hi")
    assert [sniff_event_file(p) for p in (paging, tickets, feed, slack, other_zip)] == [True, False, True, True,
                                                                                       False]
