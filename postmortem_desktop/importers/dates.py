"""Parsing of the date and time shapes found in ticket exports, returned as aware UTC datetimes.

Shapes understood (each with optional seconds, fractions, AM/PM and a trailing zone or offset):
ISO ``2018-05-11T09:46:53.000+0300`` / ``2024-05-06 10:20``; numeric ``05/06/2024 10:20`` (day or
month first, ``/ . -`` separators, 2- or 4-digit years); year first ``2024/05/06``; Jira
``11/May/24 03:26 PM``; Zoho ``07 Dec 2025 10:20 AM``; US text ``Dec 7, 2025 10:20 AM``; Excel
serial days (``45417.43``); a clock time alone (``2:56 PM``, ``٢:٥٦:٠٠ م``), on 1970-01-01; and
datetime/date values already read by the spreadsheet library.

Any other shape goes to date_fallback (python-dateutil, then dateparser for other languages), which
learns the column's shape once and reads the rest of the column at nearly the fast shapes' speed.

A time without an offset is read in the column's zone (a zoneinfo name) and converted to UTC.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from datetime import timezone as dt_timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from postmortem_desktop.importers.date_fallback import FallbackReader, Refused

DAYFIRST = "dayfirst"
MONTHFIRST = "monthfirst"
AMBIGUOUS = "ambiguous"
# The column holds no numeric day/month dates, so day order does not matter for it.
UNAMBIGUOUS = "unambiguous"
DAY_ORDERS = (DAYFIRST, MONTHFIRST)

_UTC = UTC
_RECENT_LIMIT = 65536  # a 3-day export to the minute has ~4,300 distinct times per column
_EXCEL_EPOCH = datetime(1899, 12, 30)
# Serial days 20000..80000 are 1954..2119: wide enough for tickets, narrow enough that counts
# and small ids are never mistaken for dates.
_SERIAL_MIN, _SERIAL_MAX = 20000.0, 80000.0

_MONTHS = {
    name: number
    for number, names in enumerate(
        (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
         ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
         ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
         ("dec", "december")),
        start=1,
    )
    for name in names
}

_TIME = (
    r"(?:[ T,]+(?:at\s+)?(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6})\d*)?)?"
    r"\s*([AaPp])?\.?(?:[Mm]\.?)?)?"
)
_ZONE = r"\s*(Z|UTC|GMT|[+-]\d{2}:?\d{2})?\s*$"
_NUMERIC = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})" + _TIME + _ZONE)
_YEAR_FIRST = re.compile(r"^\s*(\d{4})[/.](\d{1,2})[/.](\d{1,2})" + _TIME + _ZONE)
_DAY_NAME_YEAR = re.compile(r"^\s*(\d{1,2})[ /-]([A-Za-z]{3,9})\.?[ /,-]+(\d{4}|\d{2})" + _TIME + _ZONE)
_NAME_DAY_YEAR = re.compile(
    r"^\s*(?:[A-Za-z]{3,9},?\s+)?([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})"
    + _TIME + _ZONE
)
# A clock time alone, in any script's digits (int() reads Arabic-Indic ones), with an AM/PM word
# before or after it in English or Arabic (ص / م, as Arabic-locale exports write them)
_AM_WORDS, _PM_WORDS = ("am", "a.m.", "ص"), ("pm", "p.m.", "م")
_MERIDIEM = "|".join(re.escape(word) for word in sorted(_AM_WORDS + _PM_WORDS, key=len, reverse=True))
_TIME_ONLY = re.compile(rf"^\s*(?:({_MERIDIEM})\s?)?(\d{{1,2}}):(\d{{2}})(?::(\d{{2}})(?:[.,](\d{{1,6}})\d*)?)?"
                        rf"\s*({_MERIDIEM})?\s*$", re.IGNORECASE)
# The day a time without a date is read on: the Unix epoch's, as time-only readers (and the truth they
# are checked by) do, so the time of day survives and the ticket falls visibly outside any incident window
TIME_ONLY_DAY = date(1970, 1, 1)
_ISO_START = re.compile(r"^\s*\d{4}-\d{2}-\d{2}")
_SPACE_BEFORE_OFFSET = re.compile(r"\s+(?=[+-]\d{2}:?\d{2}$)")
_SERIAL_TEXT = re.compile(r"^\s*\d{5}(?:\.\d+)?\s*$")
_DIGIT = re.compile(r"\d")
_LONGEST_DATE = 80  # "Fri Jul 03 2015 18:04:07 GMT+0100 (GMT Daylight Time)" is 53


class DateParseError(ValueError):
    """A value that is not a date in any shape we know (or not in the chosen day order)."""


@lru_cache(maxsize=64)
def zone_for(name: str) -> tzinfo:
    """The tzinfo for a zoneinfo name; raises ValueError naming the zone when unknown."""
    if name.upper() in ("UTC", "Z", "GMT", "ETC/UTC"):
        return UTC
    try:
        return ZoneInfo(name)
    # OSError: zoneinfo opens the name as a file path ("Europe" is a folder; 5,000 characters
    # are too long a file name).
    except (ZoneInfoNotFoundError, ValueError, OSError) as error:
        raise ValueError(f"unknown time zone '{name}': use a name like 'Europe/Paris' or 'UTC'") from error


def excel_serial_to_datetime(serial: float) -> datetime:
    """A naive datetime from an Excel serial day number (1900 system, as every vendor writes)."""
    # Serials are binary fractions of a day; Excel itself keeps only milliseconds.
    return _EXCEL_EPOCH + timedelta(milliseconds=round(serial * 86_400_000))


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        # Two-digit years in ticket exports are this century unless they clearly are not.
        year += 2000 if year < 70 else 1900
    return year


def _offset(text: str | None) -> tzinfo | None:
    if not text:
        return None
    if text in ("Z", "UTC", "GMT"):
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return dt_timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def _build(year: int, month: int, day: int, groups: tuple[str | None, ...]) -> datetime:
    hour_text, minute, second, fraction, meridiem, zone = groups
    hour = int(hour_text) if hour_text else 0
    if meridiem:
        if hour > 12 or hour == 0:
            raise ValueError("hour out of range for AM/PM")
        hour = hour % 12 + (12 if meridiem in "Pp" else 0)
    micro = int(fraction.ljust(6, "0")) if fraction else 0
    return datetime(year, month, day, hour, int(minute or 0), int(second or 0), micro,
                    tzinfo=_offset(zone))


def _month(name: str) -> int:
    return _MONTHS[name.lower()]


def _parse_iso(text: str, day_order: str | None) -> datetime | None:
    # fromisoformat is C code: trying it before any regex keeps ISO columns cheap. One slice takes
    # the characters at 4, 7 and 10 ("-- " for 2024-05-06 10:20), the separators ISO puts there.
    marks = text[4:11:3]
    if marks in _ISO_MARKS or (marks[:2] == "--" and marks[2:] not in _SIGNS):
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            pass
    if not _ISO_START.match(text) or text[10:11] in _SIGNS:
        # 2020-07-20+08:00 is a date and an offset, which fromisoformat would read as 08:00
        return None
    text = text.strip()
    if text.endswith(("UTC", "GMT")):
        text = text[:-3].rstrip() + "+00:00"
    elif " " in text[10:]:
        text = _SPACE_BEFORE_OFFSET.sub("", text)
    return datetime.fromisoformat(text)


_ISO_MARKS = frozenset(("--", "-- ", "--T"))
_SIGNS = ("+", "-")


def _parse_numeric(text: str, day_order: str | None) -> datetime | None:
    match = _NUMERIC.match(text)
    if match is None:
        return None
    first, second = int(match.group(1)), int(match.group(2))
    if day_order == DAYFIRST:
        day, month = first, second
    elif day_order == MONTHFIRST:
        month, day = first, second
    elif first > 12:
        day, month = first, second
    elif second > 12:
        month, day = first, second
    elif first == second:
        day = month = first
    else:
        raise DateParseError(f"'{text.strip()}' could be day first or month first")
    return _build(_year(match.group(3)), month, day, match.groups()[3:])


def _parse_year_first(text: str, day_order: str | None) -> datetime | None:
    match = _YEAR_FIRST.match(text)
    if match is None:
        return None
    year, month, day = match.group(1, 2, 3)
    return _build(int(year), int(month), int(day), match.groups()[3:])


def _parse_day_name_year(text: str, day_order: str | None) -> datetime | None:
    match = _DAY_NAME_YEAR.match(text)
    if match is None:
        return None
    day, name, year = match.group(1, 2, 3)
    return _build(_year(year), _month(name), int(day), match.groups()[3:])


def _parse_name_day_year(text: str, day_order: str | None) -> datetime | None:
    match = _NAME_DAY_YEAR.match(text)
    if match is None:
        return None
    name, day, year = match.group(1, 2, 3)
    return _build(int(year), _month(name), int(day), match.groups()[3:])


def _parse_serial_text(text: str, day_order: str | None) -> datetime | None:
    if not _SERIAL_TEXT.match(text):
        return None
    return _from_serial(float(text))


def _from_serial(serial: float) -> datetime | None:
    if _SERIAL_MIN <= serial <= _SERIAL_MAX:
        return excel_serial_to_datetime(serial)
    return None


def _parse_time_only(text: str, day_order: str | None) -> datetime | None:
    match = _TIME_ONLY.match(text)
    if match is None:
        return None
    before, hour_text, minute, second, fraction, after = match.groups()
    hour, meridiem = int(hour_text), (before or after or "").casefold()
    if meridiem and not 1 <= hour <= 12:
        return None  # 13:00 PM is no time
    if meridiem:
        hour = hour % 12 + (12 if meridiem in _PM_WORDS else 0)
    microsecond = int(fraction.ljust(6, "0")) if fraction else 0
    return datetime.combine(TIME_ONLY_DAY, time(hour, int(minute), int(second or 0), microsecond))


_TEXT_SHAPES: tuple[Callable[[str, str | None], datetime | None], ...] = (
    _parse_iso, _parse_numeric, _parse_day_name_year, _parse_name_day_year,
    _parse_year_first, _parse_serial_text, _parse_time_only,
)


class DateColumnParser:
    """Parses one column's values, trying first the shape that matched the previous value.

    Values in one column share a shape, so remembering it makes 100,000 values cost one regex
    match each instead of one per known shape. Recent results are kept too: exports written to
    the minute repeat the same text for every ticket of a busy minute, as in an incident.
    """

    def __init__(self, timezone: str = "UTC", day_order: str | None = None, *, other_languages: bool = True) -> None:
        if day_order not in (None, *DAY_ORDERS):
            raise ValueError(f"day order must be {DAYFIRST!r}, {MONTHFIRST!r} or None, not {day_order!r}")
        self.zone = zone_for(timezone)
        self.day_order = day_order
        self._recent: dict[str, datetime] = {}
        self._refused: dict[str, str] = {}  # value -> why it is not a date: a column of "N/A" is judged once
        self._fallback = FallbackReader(None if day_order is None else day_order == DAYFIRST,
                                        other_languages=other_languages)
        # the fallback's learned shape joins the list, so a column in it moves it to the front (a method
        # of the fallback, not of self: a cycle would keep every parser and its cache alive until a GC pass)
        self._shapes = [*_TEXT_SHAPES, self._fallback.learned]
        self._last = self._shapes[0]

    def recent(self, value: object) -> datetime | None:
        """The result for a text parsed lately, else None: a cheap first look before parse()."""
        return self._recent.get(value) if value.__class__ is str else None

    def parse(self, value: object) -> datetime | None:
        """An aware UTC datetime, None for an empty cell; raises DateParseError otherwise."""
        if value.__class__ is str:
            cached = self._recent.get(value)
            if cached is not None:
                return cached
            try:
                parsed = self._last(value, self.day_order)
            except (ValueError, KeyError):
                parsed = None  # _parse_text below names the real problem
            if parsed is None:
                if not value or value.isspace():
                    return None
                parsed = self._parse_text(value)
            if len(self._recent) >= _RECENT_LIMIT:
                self._recent.clear()
            # the commonest case (no offset, a UTC column) without a call: a new value costs a fifth less
            if parsed.tzinfo is None and self.zone is _UTC:
                result = self._recent[value] = parsed.replace(tzinfo=_UTC)
            else:
                result = self._recent[value] = self._to_utc(parsed)
            return result
        if value is None:
            return None
        if isinstance(value, datetime):
            return self._to_utc(value)
        if isinstance(value, date):
            return self._to_utc(datetime(value.year, value.month, value.day))
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            parsed = _from_serial(float(value))
            if parsed is not None:
                return self._to_utc(parsed)
        raise DateParseError(f"'{value}' is not a date")

    def _parse_text(self, text: str) -> datetime:
        refused = self._refused.get(text)
        if refused is not None:
            raise DateParseError(refused)
        try:
            return self._parse_new_text(text)
        except DateParseError as error:
            if len(self._refused) < _RECENT_LIMIT:
                self._refused[text] = str(error)
            raise

    def _parse_new_text(self, text: str) -> datetime:
        shapes = self._shapes
        for position, shape in enumerate(shapes):
            try:
                parsed = shape(text, self.day_order)
            except (ValueError, KeyError) as error:
                if isinstance(error, DateParseError):
                    raise
                if shape is _parse_numeric:  # 13/03/2024 in a month-first column: no reading may swap it
                    raise DateParseError(f"'{text.strip()}' is not a date") from error
                break  # a fast shape's regex took it but its fields are wrong: the fallback judges it
            if parsed is not None:
                if position:
                    shapes.insert(0, shapes.pop(position))
                    self._last = shape
                return parsed
        try:
            return self._fallback.read(text)
        except (ValueError, OverflowError) as error:
            raise DateParseError(_not_a_date(text, error)) from error

    def _to_utc(self, value: datetime) -> datetime:
        try:
            if value.tzinfo is not None:
                return value.astimezone(_UTC)
            if self.zone is _UTC:
                return value.replace(tzinfo=_UTC)
            return value.replace(tzinfo=self.zone).astimezone(_UTC)
        except OverflowError:  # on the edge of year 1 or 9999, UTC falls outside what datetime holds
            raise DateParseError(f"'{value}' is not a date a ticket can have") from None


def _not_a_date(text: str, error: Exception) -> str:
    """Why a text is not a date, in words: the fallback's own reason when it is a specific one."""
    if isinstance(error, Refused):
        return str(error)
    return f"'{text.strip()}' is not a date"


def parse_datetime(value: object, *, timezone: str = "UTC", day_order: str | None = None) -> datetime | None:
    """One value as an aware UTC datetime (None when empty); raises DateParseError."""
    return DateColumnParser(timezone, day_order).parse(value)


def looks_like_date(value: object) -> bool:
    """Whether a cell holds a date in a shape we know (used to guess which columns are times)."""
    if isinstance(value, (datetime, date)):
        return True
    if not isinstance(value, str) or not value.strip():
        return False
    if _SERIAL_TEXT.match(value) or value.strip().isdigit():
        return False  # serials, epochs and 20140601 are far likelier ids than dates in a text column
    if len(value) > _LONGEST_DATE or not _DIGIT.search(value):
        return False  # every date has a number; a long text is a description (and dateutil costs ~50 us)
    if _TIME_ONLY.match(value):
        return False  # a clock time alone (a "Time" column beside the date) is never guessed as a ticket's date
    try:
        return DateColumnParser("UTC", DAYFIRST, other_languages=False).parse(value) is not None
    except DateParseError:
        try:
            return DateColumnParser("UTC", MONTHFIRST, other_languages=False).parse(value) is not None
        except DateParseError:
            return False


def has_time_of_day(value: object) -> bool:
    """Whether a date cell also carries a time (ticket times do, purchase dates do not)."""
    if isinstance(value, datetime):
        return (value.hour, value.minute, value.second) != (0, 0, 0)
    return isinstance(value, str) and ":" in value


def numeric_day_month(values: Iterable[object]) -> Iterable[tuple[int, int, str]]:
    """(first, second, text) for each value in the numeric ``05/06/2024`` shape."""
    for value in values:
        if isinstance(value, str):
            match = _NUMERIC.match(value)
            if match is not None:
                yield int(match.group(1)), int(match.group(2)), value.strip()


def detect_day_order(values: Iterable[object]) -> str:
    """Decide from the data whether numeric dates are day first or month first.

    Returns ``"dayfirst"`` when some first field is above 12, ``"monthfirst"`` when some second
    field is above 12, ``"ambiguous"`` when every numeric date fits both readings (or the column
    contradicts itself, having both), and ``"unambiguous"`` when the column holds no numeric
    day/month dates whose two readings differ (ISO, month names, serials, 05/05/2020), so the
    question does not arise.
    """
    day_first = month_first = seen = False
    for first, second, _text in numeric_day_month(values):
        seen = seen or first != second  # 05/05/2020 reads the same either way
        if first > 12:
            day_first = True
        elif second > 12:
            month_first = True
        if day_first and month_first:
            return AMBIGUOUS
    if day_first:
        return DAYFIRST
    if month_first:
        return MONTHFIRST
    return AMBIGUOUS if seen else UNAMBIGUOUS


ANY_ORDER = "any"  # a value such as 05/05 that reads the same either way


class DayOrderWatch:
    """What a streamed date column has shown about its day order, and how each value was read.

    Reading a file as it streams, the order has to be chosen before the whole column has been
    seen. The watch keeps the same evidence detect_day_order would gather, plus the order each
    numeric value was actually read in, so that at the end the importer can tell whether any
    value was read differently from what the whole column decides (and then read the file again).
    """

    def __init__(self) -> None:
        self.day_first = self.month_first = self.seen = False
        self.read_as: set[str | None] = set()
        self.samples: list[str] = []
        self._known: set[str] = set()

    def see_all(self, values: list[object], order: str | None) -> None:
        """A block of the column's values, read in ``order``; each distinct text is looked at once."""
        known = self._known
        for value in dict.fromkeys(values):  # distinct, in file order, so samples read as the file does
            if value.__class__ is str and value not in known:
                known.add(value)
                self.see(value, order)

    def see(self, text: str, order: str | None) -> None:
        match = _NUMERIC.match(text)
        if match is None:
            return
        first, second = int(match.group(1)), int(match.group(2))
        if first == second:
            self.read_as.add(ANY_ORDER)
            return  # 05/05/2020 reads the same either way: no evidence, no question
        self.seen = True
        if len(self.samples) < 5 and text.strip() not in self.samples:
            self.samples.append(text.strip())
        implied: str | None
        if first > 12:
            self.day_first, implied = True, DAYFIRST
        elif second > 12:
            self.month_first, implied = True, MONTHFIRST
        else:
            implied = None  # could not be read at all without an order
        self.read_as.add(order or implied)

    def verdict(self) -> str:
        """The answer detect_day_order gives for the values seen."""
        if self.day_first and self.month_first:
            return AMBIGUOUS
        if self.day_first:
            return DAYFIRST
        if self.month_first:
            return MONTHFIRST
        return AMBIGUOUS if self.seen else UNAMBIGUOUS

    def read_as_decided(self, order: str | None) -> bool:
        """True when every numeric value was read as the final ``order`` would read it."""
        return self.read_as <= {ANY_ORDER, order}


def ambiguous_samples(values: Iterable[object], limit: int = 5) -> list[str]:
    """A few numeric dates to show a person who must choose the day order."""
    samples: list[str] = []
    for first, second, text in numeric_day_month(values):
        if first != second and text not in samples:
            samples.append(text)
            if len(samples) >= limit:
                break
    return samples
