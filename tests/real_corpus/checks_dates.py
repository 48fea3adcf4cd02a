"""Checks of the product's date reading against every line of real/dates/date_strings.jsonl.

Each value is read twice, as the importer reads a date column (dates.DateColumnParser, column zone UTC):
- alone, as a one-value column;
- in a column of 25 like values (the value with 0..24 trailing spaces: distinct texts, so none is
  answered from the cache and the column's learned shape is used once it is trusted).
Truth fields: ``expected_naive_iso`` (the wall-clock value, no zone given: read in the column's zone,
UTC), ``expected_utc_iso`` (the instant, offsets applied), ``expected_invalid`` (the value must be
refused as not a date). A product answer that the day order is ambiguous (detect_day_order, or a
refusal saying "day first or month first") is the product asking a person; the check then passes
when one of the two orders the person can pick gives the truth.
Not checked: ``source``, ``licence``, ``source_assertion`` and ``note`` say where a truth came from.
Fractions beyond microseconds are compared to the microsecond (Python's datetime holds no more).
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from postmortem_desktop.importers.dates import (
    AMBIGUOUS,
    DAY_ORDERS,
    DateColumnParser,
    DateParseError,
    detect_day_order,
)
from tests.real_corpus.check import Check, real_file

KIND = "dates"
_LIKE_VALUES = 25


@cache
def _lines() -> list[dict[str, Any]]:
    text = real_file("dates/date_strings.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def checks() -> list[Check]:
    found: list[Check] = []
    for number, line in enumerate(_lines(), 1):
        value = line["value"]
        label = f"dates/date_strings.jsonl line {number} {value[:40]!r}"
        found.append(Check(KIND, f"{label}: alone", lambda line=line: _check(line, [line["value"]])))
        column = [line["value"] + " " * spaces for spaces in range(_LIKE_VALUES)]
        found.append(Check(KIND, f"{label}: in a column of like values", lambda line=line, column=column:
                           _check(line, column)))
    return found


def _expected(line: dict[str, Any]) -> datetime | None:
    """The truth as a naive UTC datetime, or None when the value must be refused."""
    if line.get("expected_invalid"):
        return None
    text = line.get("expected_utc_iso") or line["expected_naive_iso"]
    text = text.removesuffix("Z")
    if "." in text:  # more than six fraction digits: datetime holds microseconds
        whole, fraction = text.split(".", 1)
        text = f"{whole}.{fraction[:6]}"
    return datetime.fromisoformat(text)


def _check(line: dict[str, Any], column: list[str]) -> None:
    expected = _expected(line)
    readings = [_read(column, order) for order in _orders(column)]
    if expected is None:
        assert any(reading is None for reading in readings), f"read as {readings[0]}, truth: not a date"
        return
    assert any(reading is not None and _same(reading, expected) for reading in readings), (
        f"read as {readings}, truth {expected.isoformat()}")


def _orders(column: list[str]) -> list[str | None]:
    """The day orders the product reads the column in: its own verdict, or both when it asks a person."""
    verdict = detect_day_order(column)
    if verdict in DAY_ORDERS:
        return [verdict]
    if verdict == AMBIGUOUS:
        return list(DAY_ORDERS)
    try:
        DateColumnParser("UTC", None).parse(column[0])
    except DateParseError as error:
        if "day first or month first" in str(error):
            return list(DAY_ORDERS)
    return [None]


def _read(column: list[str], order: str | None) -> datetime | None:
    """The one instant every value of the column reads as (naive UTC), None when any is refused."""
    parser = DateColumnParser("UTC", order)
    try:
        results = {parser.parse(value) for value in column}
    except DateParseError:
        return None
    assert len(results) == 1 and None not in results, f"like values read differently: {sorted(map(str, results))}"
    [result] = results
    assert result is not None
    return result.replace(tzinfo=None)


def _same(reading: datetime, expected: datetime) -> bool:
    return abs(reading - expected) < timedelta(microseconds=1)
