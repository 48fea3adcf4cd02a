"""Subcommands that build the customer record: import a ticket dump, parse a transcript."""
from __future__ import annotations

import argparse
import sys
from datetime import date

from ..importers.field_mapping import AmbiguousDatesError, MappingError
from ..importers.sheet_errors import SheetError
from ..importers.text_decoding import decode_transcript, looks_binary
from ..importers.transcripts import parse_transcript
from ..services import spreadsheet_import
from ..services.import_pipeline import HelperFailed
from ..services.ticket_import import ImportOptions
from . import BadInput, add_incident_argument, input_file, print_json
from .workspace_commands import opened


def register(sub: argparse._SubParsersAction) -> None:
    imp = sub.add_parser("import", help="import a ticket dump (CSV, TSV, XLSX, ODS) into an incident")
    imp.add_argument("workspace")
    imp.add_argument("file")
    add_incident_argument(imp)
    imp.add_argument("--mapping", metavar="PRESET", help="use a saved mapping preset")
    order = imp.add_mutually_exclusive_group()
    order.add_argument("--dayfirst", action="store_const", const="dayfirst", dest="day_order")
    order.add_argument("--monthfirst", action="store_const", const="monthfirst", dest="day_order")
    imp.add_argument("--timezone", help="zone of times written without an offset (e.g. Europe/Paris)")
    imp.add_argument("--include-outside-window", action="store_true",
                     help="also import rows created outside the incident's review window")
    imp.add_argument("--dry-run", action="store_true", help="read and check everything, store nothing")
    imp.add_argument("--json", action="store_true")
    imp.set_defaults(handler=_import)

    parse = sub.add_parser("parse-transcript", help="parse a pasted conversation into messages")
    parse.add_argument("file", nargs="?", default="-", help="a text file, or - for standard input")
    parse.add_argument("--day", type=date.fromisoformat, help="the day times without a date belong to")
    parse.add_argument("--json", action="store_true")
    parse.set_defaults(handler=_parse_transcript)


def _import(args: argparse.Namespace) -> int:
    input_file(args.file)
    try:
        with opened(args.workspace) as ws:
            options = ImportOptions(include_outside_window=args.include_outside_window, dry_run=args.dry_run)
            summary = spreadsheet_import.run_to_end(spreadsheet_import.import_path(
                ws, args.incident, args.file, preset=args.mapping, day_order=args.day_order,
                timezone=args.timezone, options=options))
    except SheetError as exc:
        raise BadInput(str(exc)) from exc
    except HelperFailed as exc:  # the reader failed on the file (a hostile workbook panicked it): refused
        raise BadInput(str(exc)) from exc
    except AmbiguousDatesError as exc:
        raise BadInput(f"{exc}. Run again with --dayfirst or --monthfirst.") from exc
    except MappingError as exc:
        raise BadInput(f"the column mapping cannot be used: {exc}") from exc
    except FileNotFoundError as exc:
        raise BadInput(f"{args.file} does not exist") from exc
    data = summary.to_json()
    if args.json:
        print_json(data)
    else:
        verb = "would import" if args.dry_run else "imported"
        print(f"{summary.file_name}: {summary.vendor} export, {summary.rows_read} rows read; {verb} "
              f"{summary.imported} new, {summary.updated} updated, {summary.unchanged} unchanged "
              f"({summary.conversations} conversations, {summary.messages} messages); "
              f"{summary.outside_window} outside the "
              f"review window; {len(summary.skipped)} skipped; {len(summary.duplicates)} repeated a ticket id")
        _print_rows("skipped:", summary.skipped)
        _print_rows("one conversation per ticket id (rows merged, nothing dropped):", summary.duplicates)
        if summary.decoding_notice:
            print(summary.decoding_notice)
    return 0


def _print_rows(title: str, rows: list, limit: int = 50) -> None:
    """Rows with their reason (SkippedRow, DuplicateTicket), at most ``limit`` of them."""
    if rows:
        print(title)
    for row in rows[:limit]:
        print(f"  row {row.row}: {row.reason}")
    if len(rows) > limit:
        print(f"  … and {len(rows) - limit} more (use --json for all)")


def _parse_transcript(args: argparse.Namespace) -> int:
    if args.file == "-":
        text = sys.stdin.read()
    else:
        path = input_file(args.file)
        try:
            data = path.read_bytes()
        except OSError as exc:  # a file this user may not read
            raise BadInput(f"cannot read {path}: {exc.strerror}; give a text or .eml file") from exc
        if path.suffix.lower() == ".eml":
            from ..importers.transcripts import parse_eml

            return _print_transcript(parse_eml(data), args.json)
        if looks_binary(data):
            raise BadInput(f"{path.name} is not text (it looks like a workbook, an image or another binary "
                           "file); give a pasted conversation as a .txt file, or an .eml file")
        text = decode_transcript(data)
    return _print_transcript(parse_transcript(text, day=args.day), args.json)


def _print_transcript(result, as_json: bool) -> int:  # noqa: ANN001
    messages = [{"at": m.at.isoformat() if m.at else None, "author": m.author, "role": m.role, "text": m.text}
                for m in result.messages]
    if as_json:
        print_json({"format": result.format, "messages": messages})
    else:
        print(f"format: {result.format}, {len(messages)} messages")
        for m in messages:
            print(f"[{m['at'] or '—'}] {m['author'] or '?'} ({m['role']}): {m['text']}")
    return 0
