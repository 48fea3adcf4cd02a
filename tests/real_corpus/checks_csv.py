"""Checks of the sheet reader against every file under real/csv/ (spreadsheets/ included).

Per file: the product reads it without an unexpected error (`postmortem preview`, exit 4 only for a
file the truth calls broken), and per truth the product can reproduce:
- bom / valid_utf8: the encoding the product reports (a BOM's codec, UTF-8, or something else);
- guessed_encoding: the product's codec reads the bytes to the same text as the truth's encoding;
- expected_json (csv-test-data): header and rows, cell for cell;
- expected_output of csvkit's CSV-shaped outputs: the header, and the number of data rows;
- expected_csv (xlsx2csv, default or date-format arguments only): the number of records and the first record;
- control_files (commons-csv) without comment handling: the number of records and the first record.

Truth keys not checked, and why:
- line_endings, ends_with_newline: facts about the bytes; the product reports records, not line ends
  (the CR-only and bare-CR rules are checked through the records above and in tests/core/test_csv_shapes.py);
- source_assertions: prose snippets of other tools' tests, each with its own settings; the files they call
  broken are listed in BROKEN with the words of the truth;
- expected_output of univocity and csvkit's locale/date-format outputs: those tools' own printing and number
  formatting (a locale's "1,7" printed as "1.7"), not a fact about the table;
- xlsx2csv runs with "-a" (every sheet) or "-e" (escapes), and csvkit's sheets.xlsx converted with
  '--sheet data': the product reads the first sheet, its cells unescaped;
- control files with CommentStart: commons-csv's comment syntax, which ticket exports do not have;
- note: a remark, not a fact.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from tests.real_corpus.check import Check, expected_files, truths
from tests.real_corpus.sheet_facts import (
    csv_records,
    encoding_check,
    guessed_encoding_check,
    no_crash,
    preview,
    product_sheet,
)

KIND = "csv"

# Files the truth calls broken or unreadable: refusing them (exit 4, with a message) is right.
BROKEN = {
    "csv/csv-test-data__bad-missing-quote.csv": "expected: invalid CSV",
    "csv/csv-test-data__bad-unescaped-quote.csv": "expected: invalid CSV",
    "csv/csv-test-data__bad-quotes-with-unescaped-quote.csv": "expected: invalid CSV",
    "csv/spreadsheets/openrefine__NoData_NoSpreadsheet.ods": "source asserts 'No tables found in Ods file'",
    "csv/spreadsheets/openrefine__excel95.xls": "source's test: Excel 95 files are not supported",
}


def checks() -> list[Check]:
    found: list[Check] = []
    for relative in sorted(expected_files()):
        if relative.startswith("csv/"):
            found.extend(_file_checks(relative))
    return found


def _file_checks(relative: str) -> list[Check]:
    found = [Check(KIND, f"{relative}: read without an unexpected error",
                   lambda: no_crash(preview(relative), BROKEN.get(relative)))]
    if relative in BROKEN:
        return found
    for truth in truths(relative):
        for name, run in _truth_checks(relative, truth):
            found.append(Check(KIND, f"{relative}: {name}", run))
    return found


def _truth_checks(relative: str, truth: dict[str, Any]) -> list[tuple[str, Callable[[], None]]]:
    found: list[tuple[str, Callable[[], None]]] = []
    if "valid_utf8" in truth and not relative.startswith("csv/spreadsheets/"):
        found.append((f"encoding ({truth.get('bom') or ('UTF-8' if truth['valid_utf8'] else 'not UTF-8')})",
                      lambda: encoding_check(relative, truth, preview(relative).json()["encoding"])))
    if "guessed_encoding" in truth:
        guessed = truth["guessed_encoding"]
        found.append((f"text as {guessed.split(' ')[0]}",
                      lambda: guessed_encoding_check(relative, guessed, preview(relative).json()["encoding"])))
    if "expected_json" in truth:
        found.append(("header and rows", lambda: _same_table(relative, truth["expected_json"])))
    if "expected_output" in truth and relative.startswith("csv/csvkit__") and relative not in _FORMATTED:
        found.append(("header and row count", lambda: _same_shape(relative, csv_records(truth["expected_output"]))))
    if "expected_output" in truth and relative.startswith("csv/spreadsheets/csvkit__") and relative not in _FORMATTED:
        found.append(("header and row count", lambda: _same_shape(relative, csv_records(truth["expected_output"]))))
    if "expected_csv" in truth and _plain_xlsx2csv(truth.get("xlsx2csv_arguments", "")):
        found.append(("records and first record", lambda: _same_start(relative, csv_records(truth["expected_csv"]))))
    for control, text in (truth.get("control_files") or {}).items():
        if "CommentStart" not in text.splitlines()[0]:
            records = _control_records(text)
            found.append((f"records of {control}", lambda records=records: _same_start(relative, records)))
    return found


# csvkit outputs that print numbers or dates in the tool's own format (not a fact about the table), or
# of a sheet chosen by name (sheets.xlsx: '--sheet data'; the product reads the first sheet)
_FORMATTED = {"csv/csvkit__test_locale.csv", "csv/csvkit__test_date_format.csv", "csv/spreadsheets/csvkit__sheets.xlsx"}


def _plain_xlsx2csv(arguments: str) -> bool:
    return arguments.startswith("[] (defaults)") or "--dateformat" in arguments


def _same_table(relative: str, expected: list[list[str]]) -> None:
    header, rows, _sheet = product_sheet(relative)
    assert [header, *rows] == expected, f"read {[header, *rows]!r}, truth {expected!r}"


def _same_shape(relative: str, expected: list[list[str]]) -> None:
    header, rows, sheet = product_sheet(relative)
    # a header cell left blank in the file gets a made-up name from each tool (csvkit: "h"): not compared
    named = [(name, want) for name, want, raw in zip(header, expected[0], sheet.raw_header, strict=False)
             if isinstance(raw, str) and raw.strip()]
    assert all(name == want for name, want in named), f"header {header!r}, truth {expected[0]!r}"
    assert len(rows) == len(expected) - 1, f"{len(rows)} data rows, truth {len(expected) - 1}"


def _same_start(relative: str, expected: list[list[str]]) -> None:
    """As many records as the truth, and the first record the same (a header, or the first data row)."""
    header, rows, sheet = product_sheet(relative)
    records = [header, *rows] if sheet.has_header else rows
    assert len(records) == len(expected), f"{len(records)} records, truth {len(expected)}"
    first = [cell.strip() for cell in records[0]]
    want = [cell.strip() for cell in expected[0]]
    assert first[:len(want)] == want, f"first record {records[0]!r}, truth {expected[0]!r}"


_CONTROL_RECORD = re.compile(r"^(\d+):\[(.*)\]")


def _control_records(text: str) -> list[list[str]]:
    """commons-csv's control file records ('4:[A, B, C, D]'), blank ones left out as the product reads."""
    records = []
    for line in text.splitlines()[2:]:
        match = _CONTROL_RECORD.match(line)
        if match:
            cells = match.group(2).split(", ") if match.group(2) else []
            if any(cell.strip() for cell in cells):
                records.append(cells)
    return records
