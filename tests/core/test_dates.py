"""Date parsing of the shapes vendors export, zones, Excel serials and day-order detection."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from postmortem_desktop.importers.dates import (
    AMBIGUOUS,
    DAYFIRST,
    MONTHFIRST,
    UNAMBIGUOUS,
    DateColumnParser,
    DateParseError,
    ambiguous_samples,
    detect_day_order,
    excel_serial_to_datetime,
    looks_like_date,
    parse_datetime,
    zone_for,
)

UTC = timezone.utc


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2018-05-11T09:46:53.000+0300", datetime(2018, 5, 11, 6, 46, 53, tzinfo=UTC)),
        ("2024-05-06 10:20", datetime(2024, 5, 6, 10, 20, tzinfo=UTC)),
        ("2025-12-07 10:20:31", datetime(2025, 12, 7, 10, 20, 31, tzinfo=UTC)),
        ("2024-05-06T10:20:31Z", datetime(2024, 5, 6, 10, 20, 31, tzinfo=UTC)),
        ("2024-05-06 10:20:31 UTC", datetime(2024, 5, 6, 10, 20, 31, tzinfo=UTC)),
        ("2024-05-06 10:20:31 +0200", datetime(2024, 5, 6, 8, 20, 31, tzinfo=UTC)),
        ("11/May/24 03:26 PM", datetime(2024, 5, 11, 15, 26, tzinfo=UTC)),
        ("05/Sep/26 12:05 AM", datetime(2026, 9, 5, 0, 5, tzinfo=UTC)),
        ("07 Dec 2025 10:20 AM", datetime(2025, 12, 7, 10, 20, tzinfo=UTC)),
        ("Dec 7, 2025 10:20 PM", datetime(2025, 12, 7, 22, 20, tzinfo=UTC)),
        ("2024/05/06 10:20", datetime(2024, 5, 6, 10, 20, tzinfo=UTC)),
        ("2021-03-22", datetime(2021, 3, 22, tzinfo=UTC)),
    ],
)
def test_every_vendor_shape_parses_to_aware_utc(text, expected):
    assert parse_datetime(text) == expected


def test_naive_time_is_read_in_the_given_zone_and_returned_in_utc():
    # 10:20 in Paris in May is summer time (UTC+2).
    assert parse_datetime("2024-05-06 10:20", timezone="Europe/Paris") == datetime(2024, 5, 6, 8, 20, tzinfo=UTC)
    assert parse_datetime("2024-01-06 10:20", timezone="Europe/Paris") == datetime(2024, 1, 6, 9, 20, tzinfo=UTC)


def test_an_explicit_offset_wins_over_the_column_zone():
    value = parse_datetime("2018-05-11T09:46:53.000+0300", timezone="America/New_York")
    assert value == datetime(2018, 5, 11, 6, 46, 53, tzinfo=UTC)


def test_numeric_dates_follow_the_given_day_order():
    assert parse_datetime("05/06/2024 10:20", day_order=DAYFIRST) == datetime(2024, 6, 5, 10, 20, tzinfo=UTC)
    assert parse_datetime("05/06/2024 10:20", day_order=MONTHFIRST) == datetime(2024, 5, 6, 10, 20, tzinfo=UTC)


def test_numeric_dates_that_only_fit_one_order_need_no_day_order():
    assert parse_datetime("25/12/2024 08:00") == datetime(2024, 12, 25, 8, 0, tzinfo=UTC)
    assert parse_datetime("12/25/2024 08:00") == datetime(2024, 12, 25, 8, 0, tzinfo=UTC)


def test_an_ambiguous_numeric_date_without_day_order_is_refused_with_the_reason():
    with pytest.raises(DateParseError, match="day first or month first"):
        parse_datetime("05/06/2024")


def test_two_digit_years_and_dotted_separators_parse():
    assert parse_datetime("13.05.24 22:47") == datetime(2024, 5, 13, 22, 47, tzinfo=UTC)


@pytest.mark.parametrize("text", ["32/13/2024", "hello", "2024-13-45", "12 Foo 2024", "13:00 PM 1/1/2024"])
def test_values_that_are_not_dates_raise(text):
    with pytest.raises(DateParseError, match="is not a date"):
        parse_datetime(text, day_order=DAYFIRST)


@pytest.mark.parametrize("value, zone", [
    ("0001-01-01T00:00:00+01:00", "UTC"), ("9999-12-31T23:59:00-05:00", "UTC"),
    ("01/01/0001 00:00", "Europe/Paris"), (datetime(1, 1, 1), "Europe/Paris"),
])
def test_times_whose_utc_falls_outside_year_1_to_9999_are_refused_not_a_crash(value, zone):
    with pytest.raises(DateParseError, match="not a date a ticket can have"):
        parse_datetime(value, timezone=zone, day_order=DAYFIRST)


def test_a_time_whose_utc_falls_outside_year_1_to_9999_does_not_look_like_a_date():
    assert looks_like_date("0001-01-01T00:00:00+01:00") is False


@pytest.mark.parametrize("name", ["Europe", "Etc", "x" * 5000, "Foo/Bar", "../../etc/passwd"])
def test_a_zone_name_that_is_a_folder_or_too_long_is_an_unknown_zone(name):
    with pytest.raises(ValueError, match="unknown time zone"):
        zone_for(name)


def test_empty_cells_are_none_not_errors():
    assert parse_datetime("") is None
    assert parse_datetime("   ") is None
    assert parse_datetime(None) is None


def test_excel_serial_days_become_datetimes():
    assert excel_serial_to_datetime(45417.5) == datetime(2024, 5, 5, 12, 0)
    assert parse_datetime(45417.43) == datetime(2024, 5, 5, 10, 19, 12, tzinfo=UTC)
    assert parse_datetime("45417.5") == datetime(2024, 5, 5, 12, 0, tzinfo=UTC)


def test_small_numbers_are_not_taken_for_serial_dates():
    with pytest.raises(DateParseError):
        parse_datetime(848.0)


def test_datetimes_from_the_workbook_reader_are_zoned_and_converted():
    value = parse_datetime(datetime(2024, 5, 6, 10, 20), timezone="America/New_York")
    assert value == datetime(2024, 5, 6, 14, 20, tzinfo=UTC)
    assert parse_datetime(date(2024, 5, 6)) == datetime(2024, 5, 6, tzinfo=UTC)


def test_an_unknown_zone_is_refused_with_a_name_to_use():
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus'"):
        DateColumnParser("Mars/Olympus")


def test_a_column_parser_handles_mixed_shapes_after_remembering_one():
    parser = DateColumnParser("UTC", DAYFIRST)
    assert parser.parse("2024-05-06 10:20") == datetime(2024, 5, 6, 10, 20, tzinfo=UTC)
    assert parser.parse("07 Dec 2025 10:20 AM") == datetime(2025, 12, 7, 10, 20, tzinfo=UTC)
    assert parser.parse("2024-05-07 10:20") == datetime(2024, 5, 7, 10, 20, tzinfo=UTC)
    assert parser.parse("05/06/2024 10:20") == datetime(2024, 6, 5, 10, 20, tzinfo=UTC)


def test_repeated_values_give_the_same_answer_after_caching():
    parser = DateColumnParser("Europe/Paris")
    first = parser.parse("2024-05-06 10:20")
    assert parser.parse("2024-05-06 10:20") == first == datetime(2024, 5, 6, 8, 20, tzinfo=UTC)


def test_day_order_is_dayfirst_when_a_first_field_exceeds_twelve():
    assert detect_day_order(["05/06/2024 10:20", "25/06/2024 10:20", ""]) == DAYFIRST


def test_day_order_is_monthfirst_when_a_second_field_exceeds_twelve():
    assert detect_day_order(["05/06/2024", "06/25/2024"]) == MONTHFIRST


def test_day_order_is_ambiguous_when_every_date_fits_both():
    assert detect_day_order(["05/06/2024", "01/02/2024", "12/11/2024"]) == AMBIGUOUS


def test_day_order_is_ambiguous_when_the_column_contradicts_itself():
    assert detect_day_order(["25/06/2024", "06/25/2024"]) == AMBIGUOUS


def test_day_order_is_unambiguous_for_columns_without_numeric_dates():
    values = ["2024-05-06 10:20", "11/May/24 03:26 PM", 45417.4, datetime(2024, 1, 1), ""]
    assert detect_day_order(values) == UNAMBIGUOUS


def test_ambiguous_samples_are_distinct_numeric_dates():
    assert ambiguous_samples(["05/06/2024", "05/06/2024", "x", "01/02/2024"]) == ["05/06/2024", "01/02/2024"]


def test_looks_like_date_accepts_dates_and_rejects_ids_and_words():
    assert looks_like_date("2023-06-01 12:15:36")
    assert looks_like_date("05/06/2024")
    assert not looks_like_date("12345")
    assert not looks_like_date("Pending Customer Response")


def _real_date_line(value: str) -> dict:
    import json

    from tests.real_corpus.check import real_file
    lines = real_file("dates/date_strings.jsonl").read_text(encoding="utf-8").splitlines()
    return next(json.loads(line) for line in lines if line.strip() and json.loads(line)["value"] == value)


def test_an_arabic_indic_time_alone_reads_as_that_time_on_the_epoch_day_alone_and_in_a_column():
    line = _real_date_line("٢:٥٦:٠٠ م")  # the real corpus's value: Arabic-Indic digits, Arabic PM marker
    expected = datetime.fromisoformat(line["expected_naive_iso"]).replace(tzinfo=UTC)
    assert parse_datetime(line["value"]) == expected
    parser = DateColumnParser("UTC")
    assert {parser.parse(line["value"] + " " * spaces) for spaces in range(25)} == {expected}


@pytest.mark.parametrize(("text", "expected"), [
    ("2:56 PM", datetime(1970, 1, 1, 14, 56, tzinfo=UTC)), ("12:05 am", datetime(1970, 1, 1, 0, 5, tzinfo=UTC)),
    ("23:59:58", datetime(1970, 1, 1, 23, 59, 58, tzinfo=UTC)), ("ص ١٠:٠٥", datetime(1970, 1, 1, 10, 5, tzinfo=UTC))])
def test_a_clock_time_alone_reads_on_the_epoch_day(text, expected):
    assert parse_datetime(text) == expected


@pytest.mark.parametrize("text", ["36:25", "13:00 PM", "٣٦:٢٥"])
def test_a_clock_time_out_of_range_is_still_not_a_date(text):
    with pytest.raises(DateParseError, match="is not a date"):
        parse_datetime(text)


def test_a_clock_time_alone_is_never_guessed_as_a_tickets_date_column():
    assert not looks_like_date("2:56 PM") and not looks_like_date("١٤:٥٦")
    assert looks_like_date("2024-05-06 14:56")
