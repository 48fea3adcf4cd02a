"""Domain rules: technical duration, customer impact window, the status-page gap, the headline."""
from datetime import datetime, timedelta, timezone

from postmortem_desktop.domain import timing


def at(hh, mm, day=18):
    return datetime(2026, 11, day, hh, mm, tzinfo=timezone.utc)


def test_technical_duration_is_recovery_minus_first_failure():
    window = timing.technical_window(at(10, 20), at(11, 0))
    assert window.duration == timedelta(minutes=40)


def test_technical_window_is_unknown_until_both_ends_are_set_and_in_order():
    assert timing.technical_window(at(10, 20), None) is None
    assert timing.technical_window(None, at(11, 0)) is None
    assert timing.technical_window(at(11, 0), at(10, 20)) is None


def test_customer_impact_window_runs_from_first_to_last_event_in_any_order():
    window = timing.customer_impact_window([at(14, 55), at(10, 24), None, at(12, 0)])
    assert (window.start, window.end) == (at(10, 24), at(14, 55))


def test_customer_impact_window_is_none_without_events():
    assert timing.customer_impact_window([]) is None


def test_status_page_gap_counts_time_customers_kept_asking_after_resolved():
    impact = timing.Window(at(10, 24), at(15, 15))
    assert timing.status_page_gap(at(11, 5), impact) == timedelta(hours=4, minutes=10)


def test_no_status_page_gap_when_customers_stopped_before_resolved():
    impact = timing.Window(at(10, 24), at(10, 50))
    assert timing.status_page_gap(at(11, 5), impact) is None
    assert timing.status_page_gap(None, impact) is None


def test_durations_read_as_words():
    assert timing.format_duration(timedelta(minutes=40)) == "40 min"
    assert timing.format_duration(timedelta(hours=4, minutes=35)) == "4 h 35 min"
    assert timing.format_duration(timedelta(hours=3)) == "3 h"
    assert timing.format_duration(timedelta(days=2, hours=5)) == "2 d 5 h"
    assert timing.format_duration(None) == "—"


def test_headline_states_the_three_figures():
    text = timing.headline(timing.Window(at(10, 20), at(11, 0)), timing.Window(at(10, 40), at(15, 15)), at(11, 5))
    assert text == ("Logs: 40 min. Customers: 4 h 35 min. "
                    "Status page said resolved 4 h 10 min before the last customer question.")
