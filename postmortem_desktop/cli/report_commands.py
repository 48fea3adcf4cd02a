"""Subcommands that export reports: the leaders' PDF and the analysts' XLSX, redacted unless told not to."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..reporting.exports import export_pdf, export_xlsx
from ..reporting.report_data import ReportDataError
from ..services.commands import RuleError
from . import BadInput, add_incident_argument
from .workspace_commands import opened

REDACTION_WARNING = ("warning: --no-redact: the export contains customers' names, emails, phone numbers and "
                     "card numbers. Share it only with people who need them.")


def register(sub: argparse._SubParsersAction) -> None:
    pdf = sub.add_parser("export-pdf", help="write the incident report as a PDF (personal data redacted)")
    pdf.add_argument("workspace")
    add_incident_argument(pdf)
    pdf.add_argument("-o", "--output", required=True, help="the PDF file to write")
    pdf.add_argument("--no-redact", action="store_true", help="keep personal data (prints a warning)")
    pdf.add_argument("--no-appendix", action="store_true", help="leave out the appendix with all quotes")
    pdf.set_defaults(handler=_export_pdf)

    xlsx = sub.add_parser("export-xlsx", help="write quotes, action items and contacts as an XLSX workbook")
    xlsx.add_argument("workspace")
    add_incident_argument(xlsx)
    xlsx.add_argument("-o", "--output", required=True, help="the .xlsx file to write")
    xlsx.add_argument("--no-redact", action="store_true", help="keep personal data (prints a warning)")
    xlsx.set_defaults(handler=_export_xlsx)


def _target(value: str, suffix: str) -> Path:
    path = Path(value)
    if path.suffix.lower() != suffix:
        raise BadInput(f"{path.name}: the output file must end in {suffix}.")
    if not path.parent.exists():
        raise BadInput(f"The folder {path.parent} does not exist; create it or choose another output path.")
    if path.is_dir():
        raise BadInput(f"{path} is a folder; give a file name ending in {suffix}.")
    return path


def _run(generator) -> Path:  # noqa: ANN001
    try:
        while True:
            next(generator)
    except StopIteration as stop:
        return stop.value
    except ReportDataError as exc:
        raise RuleError(str(exc)) from exc
    except PermissionError as exc:
        raise BadInput(f"Cannot write {exc.filename or 'the output file'}: permission denied.") from exc


def _export_pdf(args: argparse.Namespace) -> int:
    path = _target(args.output, ".pdf")
    if args.no_redact:
        print(REDACTION_WARNING, file=sys.stderr)
    with opened(args.workspace, read_only=True) as ws:
        written = _run(export_pdf(ws, args.incident, path, redact=not args.no_redact,
                                  appendix=not args.no_appendix))
    print(f"wrote {written}")
    return 0


def _export_xlsx(args: argparse.Namespace) -> int:
    path = _target(args.output, ".xlsx")
    if args.no_redact:
        print(REDACTION_WARNING, file=sys.stderr)
    with opened(args.workspace, read_only=True) as ws:
        written = _run(export_xlsx(ws, args.incident, path, redact=not args.no_redact))
    print(f"wrote {written}")
    return 0
