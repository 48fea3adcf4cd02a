"""Pasted log lines and alert CSVs become system events with times in UTC and a guessed kind."""
import csv
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from postmortem_desktop.importers.system_event_lines import (
    guess_kind,
    parse_event_csv,
    parse_event_lines,
    parse_events,
    read_events_file,
)

UTC = timezone.utc


def test_iso_8601_lines_with_zone_or_offset_are_read_as_utc():
    result = parse_event_lines("2026-11-18T10:21:05Z latency alert firing\n"
                               "2026-11-18T11:00:00+01:00 success rate back to normal\n")
    assert [e.at for e in result.events] == [datetime(2026, 11, 18, 10, 21, 5, tzinfo=UTC),
                                            datetime(2026, 11, 18, 10, 0, tzinfo=UTC)]
    assert result.events[0].title == "latency alert firing"


def test_app_log_lines_drop_the_level_and_keep_milliseconds():
    result = parse_event_lines("2026-11-18 10:24:00,123 ERROR payment submit timeout after 60s")
    event = result.events[0]
    assert event.at == datetime(2026, 11, 18, 10, 24, 0, 123000, tzinfo=UTC)
    assert event.title == "payment submit timeout after 60s"
    assert event.kind == "alert"


def test_times_without_a_zone_are_read_in_the_display_zone():
    result = parse_event_lines("2026-11-18 10:00:00 deploy billing-api v4.18.0", zone=ZoneInfo("Europe/Berlin"))
    assert result.events[0].at == datetime(2026, 11, 18, 9, 0, tzinfo=UTC)


def test_syslog_lines_take_the_year_from_the_reference_date_and_drop_host_and_pid():
    result = parse_event_lines("Nov 18 10:38:00 web01 deployd[123]: Deploy of billing-api v4.18.1 started",
                               reference=date(2026, 11, 20))
    event = result.events[0]
    assert event.at == datetime(2026, 11, 18, 10, 38, tzinfo=UTC)
    assert event.title == "Deploy of billing-api v4.18.1 started"
    assert event.kind == "deploy"


def test_a_december_syslog_line_read_in_january_belongs_to_last_year():
    result = parse_event_lines("Dec 31 23:59:00 host cron[1]: nightly job failed", reference=date(2027, 1, 2))
    assert result.events[0].at.year == 2026


def test_untimed_lines_continue_the_previous_event_and_leading_ones_are_skipped_with_a_reason():
    text = "junk before\n2026-11-18 10:24:00 ERROR boom\nTraceback (most recent call last):\n  File \"x.py\"\n"
    result = parse_event_lines(text)
    assert len(result.events) == 1
    assert "Traceback" in result.events[0].detail
    assert result.skipped == [(1, "junk before", "no time at the start of the line")]


def test_kinds_are_guessed_from_the_words():
    assert guess_kind("Rolled back billing-api to v4.17.3") == "mitigation"
    assert guess_kind("Status page: Investigating payments") == "status-page"
    assert guess_kind("Payment success rate back to normal") == "recovery"
    assert guess_kind("billing-api v4.18.0 deployed") == "deploy"
    assert guess_kind("p95 latency above 20 s") == "alert"
    assert guess_kind("Team lunch") == "note"
    assert guess_kind("slowdown report written") == "note"  # 'down' only from a word start


def test_alert_csv_uses_the_declared_kind_and_skips_rows_with_unreadable_times():
    text = ("Time,Alert,Type,Details\n2026-11-18 10:21,Checkout latency,alert,p95 > 20s\n"
            "2026-11-18 10:35,Investigating payments issue,,\nyesterday,Something,,\n")
    result = parse_event_csv(text)
    assert [(e.kind, e.title, e.detail) for e in result.events] == [
        ("alert", "Checkout latency", "p95 > 20s"), ("status-page", "Investigating payments issue", "")]
    assert result.skipped[0][0] == 4 and "yesterday" in result.skipped[0][2]


def test_csv_without_a_time_column_is_refused_with_a_reason():
    result = parse_event_csv("Name,Owner\nAlert,Ravi\n")
    assert not result.events
    assert "time column" in result.skipped[0][2]


def test_parse_events_tells_a_csv_from_log_lines():
    assert parse_events("timestamp;summary\n2026-11-18 10:21:00;Pager fired\n").events[0].title == "Pager fired"
    assert parse_events("2026-11-18 10:21:00 Pager fired, on-call paged\n").events[0].title.startswith("Pager")


def test_a_latin_1_log_file_is_read(tmp_path):
    path = tmp_path / "alerts.log"
    path.write_bytes("2026-11-18 10:21:00 Störung: Zahlungen schlagen fehl\n".encode("latin-1"))
    assert read_events_file(path).events[0].title.startswith("Störung")


def test_a_line_whose_time_cannot_exist_is_skipped_with_the_reason():
    result = parse_event_lines("2026-11-18 10:21:00 deploy v1\n2026-11-18 30:25:00 rolled back\n"
                               "2026-02-30 10:00:00 never\n")
    assert [e.title for e in result.events] == ["deploy v1"]
    assert [(line, "not a real date" in why) for line, _text, why in result.skipped] == [(2, True), (3, True)]


def test_a_syslog_line_read_against_the_first_year_is_skipped_not_a_crash():
    # December read in January of year 1 would belong to year 0, which does not exist.
    result = parse_event_lines("Dec 18 10:41:00 web-1 nginx[1]: down", reference=date(1, 1, 2))
    assert result.events == [] and "not a real date" in result.skipped[0][2]


def test_a_csv_with_an_unclosed_quote_keeps_the_rows_before_it_and_says_where_it_stopped():
    # The csv module's field limit is process-wide and other readers raise it for a while, so
    # this test sets the default (128 KB) it is about.
    previous = csv.field_size_limit(131_072)
    try:
        text = "time,title\n2026-11-18T10:20:00Z,High error rate\n2026-11-18T10:30:00Z,\"broken" + "x" * 140_000
        result = parse_events(text)
    finally:
        csv.field_size_limit(previous)
    assert [e.title for e in result.events] == ["High error rate"]
    assert "unclosed quote" in result.skipped[-1][2]

