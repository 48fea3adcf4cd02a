"""A compact line per mapped date column under the import preview: how many values read as dates, which do not."""
from __future__ import annotations

from html import escape

from PySide6.QtWidgets import QLabel, QWidget

from postmortem_desktop.importers.date_report import DateColumnReport


class DateReportLabel(QLabel):
    """Shows services.spreadsheet_import.date_report's answer; hidden when no date column is mapped."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("date_report")
        self.setWordWrap(True)
        self.setAccessibleName("Date columns")

    def show_reports(self, reports: list[DateColumnReport]) -> None:
        lines = [self._line(report) for report in reports]
        self.setText("<br>".join(lines))
        self.setVisible(bool(lines))

    @staticmethod
    def _line(report: DateColumnReport) -> str:
        mark = "✓" if report.parsed == report.filled and not report.ambiguous else "⚠"
        text = (f"{mark} <b>{escape(report.label)}</b> ('{escape(report.column)}'): "
                f"{report.parsed:,} of {report.filled:,} values read as dates")
        if report.ambiguous:
            text += f"; day or month first? e.g. {escape(', '.join(report.ambiguous[:3]))}"
        if report.failures:
            shown = ", ".join(f"row {failure.row}: “{escape(failure.value[:40])}”" for failure in report.failures[:3])
            text += f"; not dates: {shown}"
            if report.not_parsed > len(report.failures[:3]):
                text += f" … ({report.not_parsed:,} in all)"
        return text
