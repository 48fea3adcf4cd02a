"""Report exports as progress generators: gather, redact (on by default), then write the PDF or XLSX.

Every target is checked first (output_file.check_output): an export never replaces its workspace,
any other workspace or a file of another kind, and a bad path is refused before any work starts.
"""
from __future__ import annotations

from collections.abc import Generator
from pathlib import Path

from ..storage.workspace import Workspace
from .output_file import PDF, XLSX, check_output
from .pdf_preview import Preview, render_steps
from .pdf_report import PdfOptions, pdf_steps
from .redaction import redact_report
from .report_data import ReportData, ReportDataError, gather  # noqa: F401 - ReportDataError for callers
from .xlsx_export import xlsx_steps


def report_data(workspace: Workspace, incident_id: int, *, redact: bool = True) -> ReportData:
    """The report content for one incident, redacted unless redact is False."""
    data = gather(workspace, incident_id)
    return redact_report(data) if redact else data


def export_pdf(workspace: Workspace, incident_id: int, path: Path | str, *, redact: bool = True,
               appendix: bool = True) -> Generator[tuple[int, int], None, Path]:
    """Yields (done, total) while writing the PDF; returns its path."""
    check_output(path, PDF, inputs=workspace.files)
    data = report_data(workspace, incident_id, redact=redact)
    yield 0, 1
    return (yield from pdf_steps(data, path, PdfOptions(appendix=appendix), inputs=workspace.files))


def export_xlsx(workspace: Workspace, incident_id: int, path: Path | str, *, redact: bool = True
                ) -> Generator[tuple[int, int], None, Path]:
    """Yields (done, total) while writing the workbook; returns its path."""
    check_output(path, XLSX, inputs=workspace.files)
    data = report_data(workspace, incident_id, redact=redact)
    yield 0, 1
    return (yield from xlsx_steps(data, path, inputs=workspace.files))


def preview_pdf(workspace: Workspace, incident_id: int, path: Path | str, *, redact: bool = True,
                appendix: bool = True) -> Generator[tuple[int, int], None, Preview]:
    """Writes the PDF to path (a scratch file), then renders its pages; yields percent done."""
    layout_share = 80  # layout is most of the work; rendering the pages is the rest
    for done, total in export_pdf(workspace, incident_id, path, redact=redact, appendix=appendix):
        yield layout_share * done // max(total, 1), 100
    render = render_steps(path)
    while True:
        try:
            done, total = next(render)
        except StopIteration as stop:
            yield 100, 100
            return stop.value
        yield layout_share + (100 - layout_share) * done // max(total, 1), 100
