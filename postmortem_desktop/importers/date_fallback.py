"""Dates in shapes outside dates.py's fast list, read by python-dateutil (then dateparser) per column.

A well-kept parser reads the long tail (RFC 2822 ``Thu, 25 Sep 2003 10:49:41 -0300``, the social
networks' ``Tue Oct 31 22:10:47 +0000 2017``, zone names like ``PDT``, ``[13.07.2017, 09:12:44]``,
other languages' month names) that no fixed list of regexes keeps up with. dateutil costs ~40 µs a
value, too slow for a 100k-row column of distinct times, so a column's shape is learned once:
the first value dateutil reads becomes a ``LearnedShape`` (a regex over the value's tokens, each
number tied to the field it held), checked against dateutil on the next values, and then used
alone at a few µs a value. Values the shape does not match go to dateutil again (and are cached).
"""
from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, tzinfo
from datetime import timezone as dt_timezone
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import parser as dateutil_parser

# Zone abbreviations a ticket export or mail header writes, and the offset (hours) each one means.
# AMBIGUOUS_ZONES are left out: a value naming one is refused with that reason until a person
# gives a zone. IST is India +5:30, Ireland +1 or Israel +2; AST/ADT Atlantic -4/-3 or Arabia +3;
# SST Samoa -11 or Singapore +8; GST Gulf +4 or South Georgia -2. Kept with their commonest
# meaning in support exports: CST as US Central (China Standard Time is written "+0800" by the
# tools we met), BST as British Summer Time (not Bangladesh +6), MST as US Mountain.
_ZONE_HOURS: dict[str, float] = {
    "UT": 0, "UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "WEST": 1, "BST": 1, "CET": 1, "CEST": 2, "MET": 1,
    "MEST": 2, "EET": 2, "EEST": 3, "MSK": 3, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7,
    "MDT": -6, "PST": -8, "PDT": -7, "AKST": -9, "AKDT": -8, "HST": -10, "NST": -3.5, "NDT": -2.5,
    "JST": 9, "KST": 9, "HKT": 8, "SGT": 8, "AWST": 8, "ACST": 9.5, "ACDT": 10.5, "AEST": 10,
    "AEDT": 11, "NZST": 12, "NZDT": 13, "EST5EDT": -5, "CST6CDT": -6, "MST7MDT": -7, "PST8PDT": -8,
}
AMBIGUOUS_ZONES = frozenset(("IST", "AST", "ADT", "SST", "GST"))
ZONES: dict[str, tzinfo] = {
    name: UTC if not hours else dt_timezone(timedelta(hours=hours), name) for name, hours in _ZONE_HOURS.items()
}
# RFC 5322 military letters carry no reliable meaning; the RFC says to read them as +0000.
ZONES.update({letter: UTC for letter in "ABCDEFGHIKLMNOPQRSTUVWXY"})

_COMMENT = re.compile(r"\([^()]*\)")
# (pattern, replacement) applied in turn: each rewrites a layout dateutil misses into one it reads
_REWRITES = tuple((re.compile(pattern), replacement) for pattern, replacement in (
    (r"^.*;\s*", ""),  # the date at the end of a mail's Received header
    (r"\s+m=[+-][\d.]+$", ""),  # Go's time.String() adds its monotonic clock reading
    (r"\b(?:GMT|UTC|[A-Z]{3,4})([+-]\d{2}:?\d{2})\b", r"\1"),  # "GMT+0100", "CEST+0200": the offset says it
    (r"([+-]\d{2}:?\d{2})\s+(?:[A-Z]{2,5}|[+-]\d{2})$", r"\1"),  # "+0300 MSK": the offset wins over the name
    (r"\b([A-Z]{3,4})\d{1,2}(?:[A-Z]{3,4})?$", r"\1"),  # POSIX "EST5EDT" is its standard zone, EST
    (r"(\d:\d{2}(?::\d{2})?)\s+[A-IK-Z]$", r"\1 +0000"),  # RFC 5322 military letters: read as +0000
    (r"^(\d{1,2}/[A-Za-z]{3}/\d{4}):(\d)", r"\1 \2"),  # web server logs: 06/May/2008:08:11:17
    (r"^(\d{4}-\d{2}-\d{2})([+-]\d{2}:\d{2})$", r"\1T00:00\2"),  # a date with an offset, no time
    (r"^(\d{1,2}):(\d{1,2}):(\d{4})\b", r"\1/\2/\3"),  # 04:02:2014 04:08:09, a date written with colons
))
_END_OF_DAY = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ]24:00(?::00(?:\.0+)?)?$")  # ISO 8601: 24:00 ends the day
_HAS_OFFSET = re.compile(r"[+-]\d{2}:?\d{2}$")
_BRACKETS = re.compile(r"^\[(.*)\]$")
_ORDINAL = re.compile(r"^(\d{4})-(\d{3})$")  # ISO 8601 ordinal date: 2014-060 is 1 March
_HOUR_WITH_MERIDIEM = re.compile(r"(?<!\d)(\d{1,2}):\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*[ap]\.?m\b", re.IGNORECASE)
_YEAR_FIRST = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})")
_EPOCH_DIGITS = {10: 1, 13: 1_000, 16: 1_000_000}
# Epoch readings are taken only inside these years: ids and counts are never read as times.
_EPOCH_YEARS = (1990, 2100)
_TWO_SMALL_NUMBERS = re.compile(r"(?<!\d)\d{1,2}[/.\- ]+\d{1,2}(?!\d)")  # 05/06: day or month first?
_MISSING = datetime(1, 1, 1)  # dateutil fills fields the text lacks from here; year 1 = no year given
_LANGUAGE_TRIES = 20  # failed dateparser readings after which a column stops asking it
_CHECKED_VALUES = 20  # values parsed both by the learned shape and by dateutil before the shape is trusted


class _TicketYears(dateutil_parser.parserinfo):
    """Two-digit years as dates.py reads them: 00-69 are this century, 70-99 the last."""

    def convertyear(self, year: int, century_specified: bool = False) -> int:
        if year < 100 and not century_specified:
            return year + (2000 if year < 70 else 1900)
        return int(year)


_INFO = _TicketYears()

# Calendars whose years are not the Gregorian year: (pattern, how to rewrite the match).
_ERAS = (
    # iOS in Japanese locales writes the imperial era: Reiwa 1 is 2019, Heisei 1 is 1989
    (re.compile(r"^(\d{1,2}/\d{1,2}/)([RH])(\d{1,2})\b"),
     lambda m: f"{m.group(1)}{int(m.group(3)) + (2018 if m.group(2) == 'R' else 1988)}"),
    # the Thai Buddhist year is 543 ahead
    (re.compile(r"\b(\d{4})\s*BE\b"), lambda m: str(int(m.group(1)) - 543)),
    # Go's 060102 15:04:05: a six-digit year-month-day before a time
    (re.compile(r"^(\d{2})(\d{2})(\d{2})(?=\s+\d{1,2}:\d{2})"),
     lambda m: f"{_INFO.convertyear(int(m.group(1)))}-{m.group(2)}-{m.group(3)}"),
)


def cleaned(text: str) -> str:
    """The value with what no parser reads taken away or rewritten: RFC 5322 comments and folds,
    brackets, a name beside an offset, a Received header's text; raises ValueError for nested comments."""
    text = " ".join(text.split())
    match = _BRACKETS.match(text)
    if match:
        text = match.group(1)
    if "(" in text:
        text = _COMMENT.sub(" ", text)
        if "(" in text or ")" in text:
            raise Refused("a comment inside a comment, or a parenthesis never closed")
        text = " ".join(text.split())
    for pattern, replacement in _REWRITES:
        text = pattern.sub(replacement, text)
    for era, rewrite in _ERAS:
        text = era.sub(rewrite, text)
    return text


def epoch_reading(text: str) -> datetime | None:
    """An aware UTC time for 10, 13 or 16 digits (epoch s, ms, µs) inside plausible years, else None."""
    divisor = _EPOCH_DIGITS.get(len(text)) if text.isdigit() else None
    if divisor is None:
        return None
    moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=int(text) * (1_000_000 // divisor))
    return moment if _EPOCH_YEARS[0] <= moment.year < _EPOCH_YEARS[1] else None


class Refused(ValueError):
    """A value that is surely not a date as written: no other parser should be asked to guess."""


def dateutil_reading(text: str, dayfirst: bool | None) -> datetime:
    """dateutil's reading of a cleaned value; raises ValueError when it has none, names an unknown
    zone, lacks a year, or (``dayfirst`` None) could be day first or month first and reads differently."""
    year_first = _YEAR_FIRST.match(text)
    meridiem = _HOUR_WITH_MERIDIEM.search(text)
    if meridiem and not 1 <= int(meridiem.group(1)) <= 12:
        # dateutil would read 13:00 PM as 13:00
        raise Refused(f"'{text}' is not a date: its hour is outside 1-12 before AM/PM")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # UnknownTimezoneWarning: an unknown zone would be silently dropped
        try:
            first = _dateutil(text, bool(dayfirst) and not year_first)
            either_way = dayfirst is None and not year_first and _TWO_SMALL_NUMBERS.search(text)
            if either_way and _dateutil(text, True) != first:
                raise Refused(f"'{text}' could be day first or month first")
        except Refused:
            raise
        except Warning as error:  # a zone name dateutil does not know: no parser may drop it silently
            ambiguous = AMBIGUOUS_ZONES.intersection(text.upper().replace(",", " ").split())
            if ambiguous:
                raise Refused(f"'{text}' names the zone {min(ambiguous)}, which means different offsets in "
                              "different places") from error
            raise Refused(f"'{text}' names a time zone that is not known") from error
        except (ValueError, OverflowError) as error:
            if year_first:  # 2014-13-01: only ISO's order is meant, and it has no such month
                raise Refused(f"'{text}' is not a date: it has no such month or day") from error
            raise ValueError(str(error)) from error
    if first.year == 1:
        raise ValueError(f"'{text}' has no year")
    if year_first and (first.month, first.day) != (int(year_first.group(2)), int(year_first.group(3))):
        raise Refused(f"'{text}' is not a date: it has no such month or day")  # dateutil swaps 2014-13-01 to January 13
    return first


# An IANA zone name after the time ("2024-05-06 10:20:00 America/New_York"): dateutil reads no such name
_IANA_ZONE = re.compile(r"\s([A-Za-z]{2,14}(?:/[A-Za-z0-9_+\-]{1,30}){1,2})$")


def _dateutil(text: str, dayfirst: bool) -> datetime:
    zone = None
    named = _IANA_ZONE.search(text)
    if named:
        try:
            zone = ZoneInfo(named.group(1))
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise Refused(f"'{text}' names a time zone that is not known") from error
        text = text[:named.start()]
    result: datetime = dateutil_parser.parse(text, parserinfo=_INFO, default=_MISSING, dayfirst=dayfirst,
                                             tzinfos=ZONES)
    if zone is not None:
        if result.tzinfo is not None:
            raise Refused(f"'{text}' gives both an offset and the zone {zone.key}")
        result = result.replace(tzinfo=zone)  # the zone's offset on that day, summer time included
    return result


class OtherLanguages:
    """dateparser for month and day names in other languages, its language chosen once per column.

    Imported on first use: dateparser takes half a second to load and most columns never need it.
    """

    def __init__(self, dayfirst: bool | None) -> None:
        self._parser: Any = None
        self._locale: str | None = None
        self._order = {True: "DMY", False: "MDY"}.get(dayfirst) if dayfirst is not None else None

    def read(self, text: str) -> datetime:
        import dateparser  # type: ignore[import-untyped]  # no types shipped; loaded only when needed

        settings: dict[str, object] = {"REQUIRE_PARTS": ["day", "month", "year"], "PARSERS": ["absolute-time"],
                                       "RETURN_AS_TIMEZONE_AWARE": False}
        if self._order:
            settings["DATE_ORDER"] = self._order
        if self._parser is None:
            self._parser = dateparser.date.DateDataParser(settings=settings)
        data = self._parser.get_date_data(text)
        if data.date_obj is None:
            raise ValueError(f"'{text}' is not a date in any language dateparser knows")
        if self._locale is None and data.locale:
            # the column's language is settled by its first value: later values skip detection
            self._locale = data.locale
            self._parser = dateparser.date.DateDataParser(locales=[data.locale], settings=settings)
        result: datetime = data.date_obj
        return result


# ------------------------------------------------------------------------------ learned shapes

_TOKEN = re.compile(r"\d+|[^\W\d_]+|\s+|.")
_OFFSET_TEXT = re.compile(r"[+-]\d{2}(?::?\d{2})?$")
_MERIDIEM = {"am": 0, "pm": 12, "a": 0, "p": 12}
_WEEKDAYS = frozenset("mon monday tue tues tuesday wed wednesday thu thur thurs thursday fri friday sat saturday "
                      "sun sunday".split())
_MONTH_NAMES = {name: number for number, names in enumerate(
    ("jan january", "feb february", "mar march", "apr april", "may", "jun june", "jul july", "aug august",
     "sep sept september", "oct october", "nov november", "dec december"), start=1) for name in names.split()}
# The roles a number in a value can play, and how to read each from a parsed datetime.
_NUMBER_ROLES: dict[str, Callable[[datetime], int]] = {
    "year": lambda d: d.year, "year2": lambda d: d.year % 100, "month": lambda d: d.month, "day": lambda d: d.day,
    "hour": lambda d: d.hour, "hour12": lambda d: d.hour % 12 or 12, "minute": lambda d: d.minute,
    "second": lambda d: d.second,
}
_TIME_ROLES = ("hour", "hour12", "minute", "second")


class LearnedShape:
    """One value's layout as a regex whose groups are tied to datetime fields, for its column's other values."""

    def __init__(self, pattern: re.Pattern[str], roles: list[str]) -> None:
        self.pattern, self.roles = pattern, roles
        # where each role's text sits among the match's groups, worked out once for the column
        self._numbers = [(index, role) for index, role in enumerate(roles) if role in _DIRECT_FIELDS]
        self._special = [(index, role) for index, role in enumerate(roles)
                         if role not in _DIRECT_FIELDS and role != "weekday"]

    @classmethod
    def learn(cls, text: str, parsed: datetime) -> LearnedShape | None:
        """The shape of ``text`` given dateutil's reading of it, or None when a token's role is unclear."""
        tokens = _TOKEN.findall(text)
        parts: list[str] = []
        roles: list[str] = []
        seen_time = False
        index = 0
        while index < len(tokens):
            token = tokens[index]
            if token in "+-" and seen_time and index + 1 < len(tokens):
                offset = _offset_tokens(tokens, index)
                if offset is not None:
                    parts.append(r"([+-]\d{2}(?::?\d{2})?)")
                    roles.append("offset")
                    index += offset
                    continue
            if token.isdigit():
                role = _number_role(tokens, index, parsed, roles)
                if role is None:
                    return None
                seen_time = seen_time or role in _TIME_ROLES
                parts.append(r"(\d+)")
                roles.append(role)
            elif token.isalpha():
                role = _word_role(token, parsed)
                parts.append(r"([^\W\d_]+)" if role else re.escape(token))
                if role:
                    roles.append(role)
            elif token.isspace():
                parts.append(r"\s+")
            else:
                parts.append(re.escape(token))
            index += 1
        if "year" not in roles and "year2" not in roles:
            return None
        return cls(re.compile("".join(parts) + "$", re.IGNORECASE), roles)

    def read(self, text: str) -> datetime | None:
        """The datetime for a value of the same shape (naive when it has no zone), None when its layout differs."""
        match = self.pattern.match(text)
        if match is None:
            return None
        groups = match.groups()
        fields: dict[str, Any] = {"year": 1, "month": 1, "day": 1, "hour": 0, "minute": 0, "second": 0}
        for index, role in self._numbers:
            fields[role] = int(groups[index])
        offset: tzinfo | None = None
        meridiem: int | None = None
        for index, role in self._special:
            value = groups[index]
            if role == "monthname":
                fields["month"] = _MONTH_NAMES[value.lower()]
            elif role == "offset":
                offset = _offset(value)
            elif role == "meridiem":
                meridiem = _MERIDIEM[value.lower()]
            elif role == "zone":
                offset = ZONES[value.upper()]
            elif role == "fraction":
                fields["microsecond"] = int(value[:6].ljust(6, "0"))
            elif role == "year2":
                fields["year"] = _INFO.convertyear(int(value))
            elif role == "hour12":
                hour = int(value)
                if not 1 <= hour <= 12:
                    raise ValueError("hour out of range for AM/PM")
                fields["hour12"] = hour
        if "hour12" in fields:
            if meridiem is None:
                raise ValueError("an hour from 1 to 12 without AM or PM")
            fields["hour"] = fields.pop("hour12") % 12 + meridiem
        return datetime(**fields, tzinfo=offset)


_DIRECT_FIELDS = frozenset(("year", "month", "day", "hour", "minute", "second"))


@lru_cache(maxsize=256)
def _offset(text: str) -> tzinfo:
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "").ljust(4, "0")
    return dt_timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def _offset_tokens(tokens: list[str], index: int) -> int | None:
    """How many tokens an offset such as ``+0300`` or ``-04:00`` takes at ``index``, or None."""
    for length in (4, 2):
        text = "".join(tokens[index:index + length])
        if _OFFSET_TEXT.match(text) and (index + length >= len(tokens) or not tokens[index + length].isdigit()):
            return length
    return None


def _number_role(tokens: list[str], index: int, parsed: datetime, roles: list[str]) -> str | None:
    value = int(tokens[index])
    previous = tokens[index - 1] if index else ""
    if previous in ".," and roles and roles[-1] == "second":
        return "fraction"
    if previous == ":" or (index + 1 < len(tokens) and tokens[index + 1] == ":"):
        # a time is written hour:minute:second, so place decides even when the numbers coincide
        place = "hour" if previous != ":" else {"hour": "minute", "hour12": "minute"}.get(roles[-1], "second")
        if place == "hour" and _has_meridiem(tokens):
            place = "hour12"
        return place if _NUMBER_ROLES[place](parsed) == value and place not in roles else None
    candidates = [role for role in ("year", "year2", "month", "day") if _NUMBER_ROLES[role](parsed) == value
                  and role not in roles and (role != "year2" or len(tokens[index]) == 2)]
    return candidates[0] if len(candidates) == 1 else None


def _has_meridiem(tokens: list[str]) -> bool:
    return any(token.lower() in _MERIDIEM for token in tokens)


def _word_role(word: str, parsed: datetime) -> str | None:
    lower = word.lower()
    if _MONTH_NAMES.get(lower) == parsed.month:
        return "monthname"
    if lower in _WEEKDAYS:
        return "weekday"
    if lower in _MERIDIEM:
        return "meridiem"
    if word.upper() in ZONES and len(word) > 1:
        return "zone"
    return None  # a literal word ("at", "T") that every value of the shape repeats


class FallbackReader:
    """A column's reader for values the fast shapes do not know: epoch, learned shape, dateutil, dateparser.

    ``other_languages`` False leaves dateparser out (guessing which columns hold dates reads every
    cell of a sample, and dateparser's language detection costs milliseconds a value).
    """

    def __init__(self, dayfirst: bool | None, *, other_languages: bool = True) -> None:
        self.dayfirst = dayfirst
        self.shape: LearnedShape | None = None
        self._checked = 0
        self._learning_tries = _CHECKED_VALUES
        self._given_up = False
        self._languages: OtherLanguages | None = None
        self._language_tries = _LANGUAGE_TRIES if other_languages else 0

    def learned(self, text: str, day_order: str | None = None) -> datetime | None:
        """The value read by the column's learned shape once it is trusted; None when there is none
        or the value has another layout. A shape for DateColumnParser's list, tried like the fast ones."""
        if self.shape is None or self._checked < _CHECKED_VALUES:
            return None
        return self.shape.read(text.strip())

    def read(self, text: str) -> datetime:
        """The value as a datetime (naive when it names no zone); raises ValueError when not a date."""
        stripped = text.strip()
        epoch = epoch_reading(stripped)
        if epoch is not None:
            return epoch
        if self.shape is not None and self._checked >= _CHECKED_VALUES:
            fast = self.shape.read(stripped)
            if fast is not None:
                return fast
        value = cleaned(stripped)
        ordinal = _ORDINAL.match(value)
        if ordinal:
            return datetime(int(ordinal.group(1)), 1, 1) + timedelta(days=int(ordinal.group(2)) - 1)
        end_of_day = _END_OF_DAY.match(value)
        if end_of_day:
            return datetime.fromisoformat(end_of_day.group(1)) + timedelta(days=1)
        try:
            parsed = dateutil_reading(value, self.dayfirst)
        except Refused:
            raise
        except (ValueError, OverflowError):
            return self._other_language(value)
        self._learn(stripped, parsed)
        return parsed

    def _other_language(self, value: str) -> datetime:
        # A column whose values dateparser never reads stops asking it after a few: each try that
        # fails costs a language detection, and a column of "N/A" would pay it for every row.
        # dateparser drops offsets silently, so a value with one is left to dateutil's verdict.
        if (self._language_tries <= 0 or len(value) > 80 or not any(char.isdigit() for char in value)
                or _HAS_OFFSET.search(value)):
            raise ValueError(f"'{value}' is not a date")
        if self._languages is None:
            self._languages = OtherLanguages(self.dayfirst)
        try:
            parsed = self._languages.read(value)
        except ValueError:
            self._language_tries -= 1
            raise
        self._language_tries = _LANGUAGE_TRIES  # it reads this column: keep asking
        return parsed

    def _learn(self, text: str, parsed: datetime) -> None:
        """Learns the column's shape from its first value, and checks it on the next ones."""
        if self._given_up or self._checked >= _CHECKED_VALUES:
            return
        if self.shape is None:
            # a value whose numbers coincide (5 May) cannot teach the shape: the next one may
            self.shape = LearnedShape.learn(text, parsed)
            self._learning_tries -= 1
            self._given_up = self.shape is None and self._learning_tries <= 0
            return
        try:
            reading = self.shape.read(text)
        except (ValueError, KeyError):
            reading = _MISSING
        if reading is None:
            return  # another layout: it proves nothing about the shape
        if reading != parsed or (reading.tzinfo is None) != (parsed.tzinfo is None):
            self.shape, self._given_up = None, True  # the shape misread a value: dateutil reads them all
        else:
            self._checked += 1
