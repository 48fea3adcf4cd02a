"""Subcommands that export reports: the leaders' PDF and the analysts' XLSX, redacted unless told not to."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..reporting.exports import export_pdf, export_xlsx
from ..reporting.output_file import PDF, XLSX, OutputKind, check_output
from ..reporting.report_data import ReportDataError
from ..services.commands import RuleError
from . import add_incident_argument
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


def _target(value: str, kind: OutputKind, workspace: str) -> Path:
    """Checks the output before the workspace is opened, so a bad target costs nothing."""
    check_output(value, kind, inputs=(workspace,))
    return Path(value)


def _run(generator) -> Path:  # noqa: ANN001
    try:
        while True:
            next(generator)
    except StopIteration as stop:
        return stop.value
    except ReportDataError as exc:
        raise RuleError(str(exc)) from exc


def _export_pdf(args: argparse.Namespace) -> int:
    path = _target(args.output, PDF, args.workspace)
    if args.no_redact:
        print(REDACTION_WARNING, file=sys.stderr)
    with opened(args.workspace, read_only=True) as ws:
        written = _run(export_pdf(ws, args.incident, path, redact=not args.no_redact,
                                  appendix=not args.no_appendix))
    print(f"wrote {written}")
    return 0


def _export_xlsx(args: argparse.Namespace) -> int:
    path = _target(args.output, XLSX, args.workspace)
    if args.no_redact:
        print(REDACTION_WARNING, file=sys.stderr)
    with opened(args.workspace, read_only=True) as ws:
        written = _run(export_xlsx(ws, args.incident, path, redact=not args.no_redact))
    print(f"wrote {written}")
    return 0
