"""How well each mapped date column reads, before anything is imported: parsed counts and the first failures."""
from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass

from postmortem_desktop.importers.dates import (
    AMBIGUOUS,
    DAY_ORDERS,
    DateColumnParser,
    DateParseError,
    ambiguous_samples,
    detect_day_order,
)
from postmortem_desktop.importers.field_mapping import DATE_FIELDS, FIELD_LABELS, FieldMapping, SheetLike

FAILURES_SHOWN = 5


@dataclass(frozen=True)
class DateFailure:
    """One value that is not a date, where it is, and why."""

    row: int
    value: str
    reason: str


@dataclass(frozen=True)
class DateColumnReport:
    """One mapped date column: how many of its filled cells read as dates, and the first few that do not.

    ``day_order`` is what the column's values say (dayfirst, monthfirst, ambiguous, unambiguous);
    ``ambiguous`` lists values a person must choose an order for when none is set.
    """

    field: str
    label: str
    column: str
    filled: int
    parsed: int
    day_order: str
    failures: list[DateFailure] = dataclasses.field(default_factory=list)
    ambiguous: list[str] = dataclasses.field(default_factory=list)

    @property
    def not_parsed(self) -> int:
        return self.filled - self.parsed

    def summary(self) -> str:
        """One line for a person: "created time (Created): 998 of 1,000 values are dates; 2 are not"."""
        head = f"{self.label} ('{self.column}'): {self.parsed:,} of {self.filled:,} values read as dates"
        if self.ambiguous:
            head += f"; day or month first? e.g. {', '.join(self.ambiguous[:3])}"
        if self.failures:
            shown = "; ".join(f"row {failure.row}: {failure.value!r}" for failure in self.failures)
            head += f"; {self.not_parsed:,} not: {shown}"
        return head


def date_report(sheet: SheetLike, mapping: FieldMapping) -> list[DateColumnReport]:
    """A report per mapped date field, read as the import would read it (zone, day order)."""
    reports = []
    for name in DATE_FIELDS:
        index = mapping.column(name)
        if index is None or index >= len(sheet.header):
            continue
        values = [(number, row[index]) for number, row in sheet.numbered_rows() if index < len(row)]
        reports.append(_column_report(name, sheet.header[index], values, mapping))
    return reports


def _column_report(name: str, column: str, values: list[tuple[int, object]], mapping: FieldMapping) -> DateColumnReport:
    verdict = detect_day_order(value for _, value in values)
    order = mapping.day_order or (verdict if verdict in DAY_ORDERS else None)
    parser = DateColumnParser(mapping.timezone, order)
    filled = parsed = 0
    failures: list[DateFailure] = []
    for number, value in values:
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        filled += 1
        try:
            parser.parse(value)
            parsed += 1
        except DateParseError as error:
            if len(failures) < FAILURES_SHOWN:
                failures.append(DateFailure(number, str(value)[:80], str(error)))
    ambiguous = ambiguous_samples(_texts(values)) if verdict == AMBIGUOUS and not mapping.day_order else []
    return DateColumnReport(name, FIELD_LABELS.get(name, name), column, filled, parsed, verdict, failures, ambiguous)


def _texts(values: Iterable[tuple[int, object]]) -> Iterable[object]:
    return (value for _, value in values)
