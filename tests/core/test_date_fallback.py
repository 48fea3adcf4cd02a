"""Dates outside the fast shapes: dateutil per column (learned shape), zone names, epochs, other languages."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from postmortem_desktop.importers.dates import (
    AMBIGUOUS,
    DAYFIRST,
    UNAMBIGUOUS,
    DateColumnParser,
    DateParseError,
    DayOrderWatch,
    detect_day_order,
    looks_like_date,
    parse_datetime,
)

UTC = timezone.utc


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Thu, 25 Sep 2003 10:49:41 -0300", datetime(2003, 9, 25, 13, 49, 41, tzinfo=UTC)),
        ("Tue Oct 31 22:10:47 +0000 2017", datetime(2017, 10, 31, 22, 10, 47, tzinfo=UTC)),
        ("Fri, 03 Jul 2015 08:08:08 PST", datetime(2015, 7, 3, 16, 8, 8, tzinfo=UTC)),
        ("Mon, 10 Oct 2022 10:31:15 PDT", datetime(2022, 10, 10, 17, 31, 15, tzinfo=UTC)),
        ("Sun, 27 Oct 2002 23:57:07 EST", datetime(2002, 10, 28, 4, 57, 7, tzinfo=UTC)),
        ("Tue, 11 Jul 2017 04:08:03 +0200 (CEST)", datetime(2017, 7, 11, 2, 8, 3, tzinfo=UTC)),
        ("Fri Jul 03 2015 18:04:07 GMT+0100 (GMT Daylight Time)", datetime(2015, 7, 3, 17, 4, 7, tzinfo=UTC)),
        ("[13.07.2017, 09:12:44]", datetime(2017, 7, 13, 9, 12, 44, tzinfo=UTC)),
        ("November 19, 2014 at noon", datetime(2014, 11, 19, 12, 0, tzinfo=UTC)),
        ("2014-060", datetime(2014, 3, 1, tzinfo=UTC)),
        ("2020-07-20+08:00", datetime(2020, 7, 19, 16, 0, tzinfo=UTC)),
        ("2014-02-03T24:00:00", datetime(2014, 2, 4, tzinfo=UTC)),
        ("3/18/R4", datetime(2022, 3, 18, tzinfo=UTC)),
        ("3/18/2565 BE", datetime(2022, 3, 18, tzinfo=UTC)),
        ("171113 14:14:20", datetime(2017, 11, 13, 14, 14, 20, tzinfo=UTC)),
    ],
)
def test_shapes_outside_the_fast_list_are_read_with_offsets_applied(text, expected):
    assert parse_datetime(text) == expected


def test_a_named_zone_that_means_different_offsets_is_refused_by_name():
    with pytest.raises(DateParseError, match="IST"):
        parse_datetime("Mon, 10 Oct 2022 10:31:15 IST")


def test_epoch_seconds_and_milliseconds_are_read_in_a_date_column():
    assert parse_datetime("1332151919") == datetime(2012, 3, 19, 10, 11, 59, tzinfo=UTC)
    assert parse_datetime("1384216367111") == datetime(2013, 11, 12, 0, 32, 47, 111000, tzinfo=UTC)


def test_epoch_like_numbers_are_not_guessed_to_be_a_date_column():
    assert not looks_like_date("1332151919")
    assert not looks_like_date("20140601")
    assert looks_like_date("Tue Oct 31 22:10:47 +0000 2017")


def test_month_names_in_other_languages_are_read():
    assert parse_datetime("28 октября 2014 в 07:54") == datetime(2014, 10, 28, 7, 54, tzinfo=UTC)
    assert parse_datetime("22 janvier 2015 à 14h40") == datetime(2015, 1, 22, 14, 40, tzinfo=UTC)


@pytest.mark.parametrize("text", ["2014-13-01", "13 zzz 2021 09:55:06 +0200", "Tue, 1 Jul 2003 ((x)\ny) 10:52 +0200",
                                  "36:25", "13:00 PM 1/1/2024"])
def test_values_no_parser_should_guess_at_are_not_dates(text):
    with pytest.raises(DateParseError):
        parse_datetime(text)


def test_a_long_column_in_a_fallback_shape_is_read_exactly_through_its_learned_shape():
    start = datetime(2017, 10, 31, 22, 10, 47, tzinfo=UTC)
    times = [start + timedelta(seconds=37 * n) for n in range(3000)]
    parser = DateColumnParser("UTC")
    values = [moment.astimezone(timezone(timedelta(hours=-7))).strftime("%a %b %d %H:%M:%S %z %Y") for moment in times]
    assert [parser.parse(value) for value in values] == times


def test_a_learned_shape_is_not_fooled_by_a_first_value_whose_numbers_coincide():
    # day 10 at 10:10: the first value cannot say which 10 is which; the next values can
    values = ["10 Oct 2010 10:10:10 +0000", "11 Oct 2010 09:08:07 +0000"] + [
        f"{day:02d} Nov 2011 {day - 1:02d}:{day + 5:02d}:{day + 30:02d} +0100" for day in range(1, 25)]
    parser = DateColumnParser("UTC")
    read = [parser.parse(value) for value in values]
    assert read[1] == datetime(2010, 10, 11, 9, 8, 7, tzinfo=UTC)
    assert read[-1] == datetime(2011, 11, 24, 22, 29, 54, tzinfo=UTC)


def test_a_column_whose_values_read_the_same_either_way_is_not_ambiguous():
    assert detect_day_order(["05/05/2020 10:00", "12/12/2020 11:00"]) == UNAMBIGUOUS
    assert detect_day_order(["05/05/2020", "05/06/2020"]) == AMBIGUOUS
    watch = DayOrderWatch()
    watch.see_all(["05/05/2020", "07/07/2021"], None)
    assert watch.verdict() == UNAMBIGUOUS and watch.read_as_decided(None)


def test_the_columns_day_order_is_kept_by_the_fallback():
    parser = DateColumnParser("UTC", DAYFIRST)
    assert parser.parse("[05.06.2017, 09:12:44]") == datetime(2017, 6, 5, 9, 12, 44, tzinfo=UTC)


def test_an_ambiguous_fallback_value_without_day_order_is_refused_with_the_reason():
    with pytest.raises(DateParseError, match="day first or month first"):
        parse_datetime("11. 12. 2014, 08:45:39")
