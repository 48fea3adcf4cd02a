"""Subcommands that build the customer record: import a ticket dump, parse a transcript."""
from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from ..domain.counting import counted
from ..importers.conversation_files import UnreadableConversation, read_conversation_path
from ..importers.conversation_kind import conversation_instead
from ..importers.field_mapping import AmbiguousDatesError, MappingError
from ..importers.mapping_choices import how_to_choose
from ..importers.open_quotes import OpenQuote
from ..importers.sheet_errors import SheetError
from ..importers.text_decoding import decoding_notice
from ..importers.transcripts import parse_transcript
from ..services import spreadsheet_import
from ..services.import_failure import not_imported
from ..services.import_pipeline import HelperFailed, needs_helper
from ..services.ticket_import import ImportOptions
from ..storage.errors import WorkspaceError
from . import EXIT_BAD_INPUT, EXIT_REFUSED, BadInput, add_incident_argument, input_file, print_json
from .workspace_commands import opened


def register(sub: argparse._SubParsersAction) -> None:
    imp = sub.add_parser("import", help="import a ticket dump (CSV, TSV, XLSX, ODS) into an incident")
    imp.add_argument("workspace")
    imp.add_argument("file")
    add_incident_argument(imp)
    imp.add_argument("--mapping", metavar="PRESET", help="use a mapping preset saved in the app")
    _add_map_argument(imp)
    order = imp.add_mutually_exclusive_group()
    order.add_argument("--dayfirst", action="store_const", const="dayfirst", dest="day_order")
    order.add_argument("--monthfirst", action="store_const", const="monthfirst", dest="day_order")
    imp.add_argument("--timezone", help="zone of times written without an offset (e.g. Europe/Paris)")
    header = imp.add_mutually_exclusive_group()
    header.add_argument("--header", action="store_const", const=True, dest="has_header",
                        help="the first row names the columns (the default guess for most files)")
    header.add_argument("--no-header", action="store_const", const=False, dest="has_header",
                        help="the first row is data: columns are named 'Column 1', 'Column 2', …")
    imp.add_argument("--include-outside-window", action="store_true",
                     help="also import rows created outside the incident's review window")
    imp.add_argument("--dry-run", action="store_true", help="read and check everything, store nothing")
    imp.add_argument("--json", action="store_true")
    imp.set_defaults(handler=_import)

    pre = sub.add_parser("preview", help="read a ticket dump and show what an import would see, storing nothing")
    pre.add_argument("file")
    pre_order = pre.add_mutually_exclusive_group()
    pre_order.add_argument("--dayfirst", action="store_const", const="dayfirst", dest="day_order")
    pre_order.add_argument("--monthfirst", action="store_const", const="monthfirst", dest="day_order")
    pre.add_argument("--timezone", help="zone of times written without an offset (e.g. Europe/Paris)")
    pre_header = pre.add_mutually_exclusive_group()
    pre_header.add_argument("--header", action="store_const", const=True, dest="has_header")
    pre_header.add_argument("--no-header", action="store_const", const=False, dest="has_header")
    _add_map_argument(pre)
    pre.add_argument("--json", action="store_true")
    pre.set_defaults(handler=_preview)

    parse = sub.add_parser("parse-transcript", help="parse a pasted conversation into messages")
    parse.add_argument("file", nargs="?", default="-",
                       help="a text, .eml, .mbox or HTML file, a chat app's JSON or zip export, "
                            "or - for standard input")
    parse.add_argument("--day", type=date.fromisoformat, help="the day times without a date belong to")
    parse.add_argument("--json", action="store_true")
    parse.set_defaults(handler=_parse_transcript)


def _add_map_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN", dest="choices",
                        help="read FIELD from COLUMN, over the guess (and the preset): FIELD by key or label "
                             "(external_id or 'ticket id', created_at, subject, body, requester_email, …), "
                             "COLUMN by its name or number from 1; repeat for more fields; FIELD= unmaps one")


def _mapping_problem(exc: MappingError, file: str) -> BadInput:
    """The mapping's problems, and how to choose a column here: the dialog's choice, on the command line;
    or, for a chat or email thread that maps to nothing, what it is and where it goes instead."""
    conversation = conversation_instead(Path(file), exc.unmapped)
    if conversation is not None:
        return BadInput(str(conversation))
    return BadInput(f"the column mapping cannot be used: {exc}. {how_to_choose(exc.unmapped)}.")


def _import(args: argparse.Namespace) -> int:
    if needs_helper(input_file(args.file)):
        # the helper process starts (Python and its readers: ~0.1 s) while the workspace opens
        spreadsheet_import.get_ready_to_read()
    try:
        with opened(args.workspace) as ws:
            options = ImportOptions(include_outside_window=args.include_outside_window, dry_run=args.dry_run)
            try:
                summary = spreadsheet_import.run_to_end(spreadsheet_import.import_path(
                    ws, args.incident, args.file, preset=args.mapping, day_order=args.day_order,
                    timezone=args.timezone, options=options, has_header=args.has_header, choices=args.choices))
            except WorkspaceError as exc:  # the workspace could not take it: said as the app says it
                print(f"{'refused' if exc.refusal else 'error'}: {not_imported(Path(args.file).name, exc)}",
                      file=sys.stderr)
                return EXIT_REFUSED if exc.refusal else EXIT_BAD_INPUT
    except SheetError as exc:
        raise BadInput(str(exc)) from exc
    except HelperFailed as exc:  # the reader failed on the file (a hostile workbook panicked it): refused
        raise BadInput(str(exc)) from exc
    except AmbiguousDatesError as exc:
        raise BadInput(f"{exc}. Run again with --dayfirst or --monthfirst.") from exc
    except MappingError as exc:
        raise _mapping_problem(exc, args.file) from exc
    except FileNotFoundError as exc:
        raise BadInput(f"{args.file} does not exist") from exc
    data = summary.to_json()
    if args.json:
        print_json(data)
    else:
        verb = "would import" if args.dry_run else "imported"
        print(f"{summary.file_name}: {summary.vendor} export, {counted(summary.rows_read, 'row')} read; {verb} "
              f"{summary.imported} new, {summary.updated} updated, {summary.unchanged} unchanged "
              f"({counted(summary.conversations, 'conversation')}, {counted(summary.messages, 'message')}); "
              f"{summary.outside_window} outside the "
              f"review window; {len(summary.skipped)} skipped; {len(summary.duplicates)} repeated a ticket id")
        _print_rows("skipped:", summary.skipped)
        _print_rows("one conversation per ticket id (rows merged, nothing dropped):", summary.duplicates)
        _print_open_quotes(summary.open_quotes)
        if summary.decoding_notice:
            print(summary.decoding_notice)
        if summary.encoding and summary.encoding not in ("utf-8", "utf-8-sig"):
            print(f"text read as {summary.encoding}")
    return 0


def _preview(args: argparse.Namespace) -> int:
    input_file(args.file)
    try:
        plan = spreadsheet_import.prepare_import(args.file, day_order=args.day_order, timezone=args.timezone,
                                                 has_header=args.has_header, choices=args.choices)
    except MappingError as exc:  # a --map choice this file cannot take
        raise _mapping_problem(exc, args.file) from exc
    except SheetError as exc:
        raise BadInput(str(exc)) from exc
    except HelperFailed as exc:
        raise BadInput(str(exc)) from exc
    sheet = plan.sheet
    reports = spreadsheet_import.date_report(plan)
    notice = decoding_notice(sheet.lines_not_utf8, sheet.lines_not_utf8_read_as, sheet.lines_not_utf8_where)
    problems = plan.mapping.validate(sheet.header)
    data = {"file_name": plan.path.name, "vendor": plan.vendor, "kind": sheet.kind, "encoding": sheet.encoding,
            "delimiter": sheet.delimiter, "has_header": sheet.has_header, "header_row": sheet.header_row,
            "columns": sheet.header, "rows": len(sheet.rows), "mapping": plan.mapping.describe(sheet.header),
            "dates": [{"field": r.field, "column": r.column, "filled": r.filled, "parsed": r.parsed,
                       "day_order": r.day_order, "ambiguous": r.ambiguous,
                       "not_dates": [{"row": f.row, "value": f.value, "reason": f.reason} for f in r.failures]}
                      for r in reports],
            "lines_not_utf8": sheet.lines_not_utf8, "lines_not_utf8_read_as": sheet.lines_not_utf8_read_as,
            "lines_not_utf8_where": [{"line": line, "bytes": count} for line, count in sheet.lines_not_utf8_where],
            "decoding_notice": notice,
            "problems": problems,
            "open_quotes": [{"row": q.row, "swallowed": list(q.swallowed), "at_end": q.at_end, "warning": q.message()}
                            for q in sheet.open_quotes]}
    if args.json:
        print_json(data)
        return 0
    read_as = f", text read as {sheet.encoding}" if sheet.encoding else ""
    print(f"{plan.path.name}: {plan.vendor} export, {len(sheet.rows)} rows, {len(sheet.header)} columns{read_as}")
    if not sheet.has_header:
        print("no header row: the first row is data (use --header if it names the columns)")
    print("columns: " + ", ".join(f"{number} {name}" for number, name in enumerate(sheet.header, 1)))
    mapped = [f"{name}={sheet.header[index]}" for name in plan.mapping.columns
              for index in plan.mapping.column_list(name) if 0 <= index < len(sheet.header)]
    print("mapping: " + (", ".join(mapped) or "no column recognised"))
    for problem in problems:
        print(f"cannot import yet: {problem}")
    if problems:
        print(how_to_choose(plan.mapping.unmapped_required()) + ".")
    if notice:
        print(notice)
    for report in reports:
        print(report.summary())
    _print_open_quotes(sheet.open_quotes)
    return 0


def _print_open_quotes(quotes: list[OpenQuote]) -> None:
    for quote in quotes:
        print(f"warning: {quote.message()}")


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
            return _print_transcript(read_conversation_path(path, day=args.day), args.json)
        except OSError as exc:  # a file this user may not read
            raise BadInput(f"cannot read {path}: {exc.strerror}; give a text or .eml file") from exc
        except UnreadableConversation as exc:
            raise BadInput(str(exc)) from exc
    return _print_transcript(parse_transcript(text, day=args.day), args.json)


def _print_transcript(result, as_json: bool) -> int:  # noqa: ANN001
    messages = [{"at": m.at.isoformat() if m.at else None, "author": m.author, "role": m.role, "text": m.text}
                for m in result.messages]
    if as_json:
        print_json({"format": result.format, "messages": messages, "decoding_notice": result.decoding_notice})
    else:
        print(f"format: {result.format}, {counted(len(messages), 'message')}")
        if result.decoding_notice:
            print(result.decoding_notice)
        for m in messages:
            print(f"[{m['at'] or '—'}] {m['author'] or '?'} ({m['role']}): {m['text']}")
    return 0
