"""The Report screen: redaction and appendix options, PDF and redaction preview before saving, XLSX export,
all off-thread."""
from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from postmortem_desktop.reporting import exports_lazy as exports  # reportlab/openpyxl load on first export
from postmortem_desktop.reporting.output_file import PDF, XLSX, OutputError, OutputKind, copy_output
from postmortem_desktop.services import redaction as redaction_service

if TYPE_CHECKING:
    from postmortem_desktop.reporting.pdf_preview import Preview
    from postmortem_desktop.reporting.redaction_preview import RedactionPreview

from .. import file_dialogs
from ..hub import ScreenHub
from ..output_dialog import ask_output_path
from ..workers import GeneratorWorker, start

UNREDACTED_WARNING = (
    "Without redaction the report shows customers' names, email addresses, phone numbers and card "
    "numbers as they wrote them.\n\nShare an unredacted report only with people who need that data. "
    "Turn redaction off?"
)


NARROW_WIDTH = 720  # below this the redaction check sits under the pages rather than beside them


class ReportScreen(QWidget):
    """Emits what happened to each export; the work itself runs in reporting.exports on a worker."""

    preview_ready = Signal(int)  # page count of the previewed PDF
    redaction_checked = Signal(object)  # the RedactionPreview shown beside the pages
    export_saved = Signal(str)  # the path written
    export_failed = Signal(str)  # a message for people
    export_cancelled = Signal()

    def __init__(self, hub: ScreenHub, parent: QWidget | None = None):
        super().__init__(parent)
        self.hub = hub
        self._scratch = tempfile.TemporaryDirectory(prefix="postmortem-report-")
        self._worker: GeneratorWorker | None = None
        self._progress: QProgressDialog | None = None
        self.preview: Preview | None = None
        self._preview_options: tuple | None = None
        # Seams for tests and for other front ends: how to ask for a file name and for consent.
        self.ask_save_path: Callable[[str, str, str], str] = self._ask_save_path
        self.confirm_unredacted: Callable[[], bool] = self._confirm_unredacted
        self._build()
        hub.incident_changed.connect(self._on_hub_incident_changed)
        hub.session_changed.connect(self._on_hub_session_changed)
        hub.workspace_changed.connect(self._on_hub_workspace_changed)
        self._update_enabled()

    # ---- construction ---------------------------------------------------------------------------
    def _build(self) -> None:
        from .page_preview import PagePreviewWidget
        from .redaction_panel import RedactionPanelWidget

        self.redact_check = QCheckBox("Re&dact personal data", self)
        self.redact_check.setToolTip("Masks emails, phones, card numbers, bank accounts, SSNs, addresses, IP "
                                     "addresses, dates of birth and people's names, and names known customers "
                                     "Customer A, B, … in the PDF and the XLSX alike. The check beside the "
                                     "preview shows what is masked and what to mask too.")
        self.redact_check.setObjectName("redact_check")
        self.redact_check.setChecked(True)
        self.redact_check.toggled.connect(self._on_redact_check_toggled)
        self.appendix_check = QCheckBox("Include an appendix with all &quotes", self)
        self.appendix_check.setObjectName("appendix_check")
        self.appendix_check.setChecked(True)
        self.appendix_check.toggled.connect(self._on_options_changed)
        self.export_pdf_button = QPushButton("Previe&w PDF…", self)  # Save PDF… then writes exactly what is shown
        self.export_pdf_button.setToolTip("Lay out the report and show its pages here; then save it.")
        self.export_pdf_button.clicked.connect(self.start_pdf_preview)
        self.save_pdf_button = QPushButton("&Save PDF…", self)
        self.save_pdf_button.setToolTip("Save the previewed PDF exactly as shown.")
        self.save_pdf_button.clicked.connect(self._on_save_pdf_clicked)
        self.export_xlsx_button = QPushButton("Export &XLSX…", self)
        self.export_xlsx_button.setToolTip("Quotes with tags, action items and the contact list, one sheet each.")
        self.export_xlsx_button.clicked.connect(self._on_export_xlsx_clicked)
        self.status_label = QLabel(self)
        self.status_label.setObjectName("report_status")
        self.status_label.setWordWrap(True)  # long paths must not widen the whole window
        self.preview_widget = PagePreviewWidget(self)
        self.redaction_panel = RedactionPanelWidget(self)
        self.redaction_panel.terms_chosen.connect(self._on_redaction_panel_terms_chosen)
        # pages on the left, what redaction does to them on the right: both are read before saving
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.preview_widget)
        self.splitter.addWidget(self.redaction_panel)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        self.redaction_panel.setMinimumWidth(260)

        options = QVBoxLayout()
        options.addWidget(self.redact_check)
        options.addWidget(self.appendix_check)
        buttons = QHBoxLayout()
        for button in (self.export_pdf_button, self.save_pdf_button, self.export_xlsx_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(options)
        layout.addLayout(buttons)
        layout.addWidget(self.status_label)
        layout.addWidget(self.splitter, 1)

    # ---- state ----------------------------------------------------------------------------------
    def _options(self) -> tuple:
        return (self.hub.incident_id, self.redact_check.isChecked(), self.appendix_check.isChecked())

    def _update_enabled(self) -> None:
        ready = self.hub.session is not None and self.hub.incident_id >= 0 and self._worker is None
        for widget in (self.export_pdf_button, self.export_xlsx_button, self.redact_check, self.appendix_check):
            widget.setEnabled(ready)
        self.save_pdf_button.setEnabled(ready and self.preview is not None
                                        and self._preview_options == self._options())

    def _forget_preview(self, message: str) -> None:
        self.preview = None
        self._preview_options = None
        self.preview_widget.clear(message)
        self.redaction_panel.clear()
        self._update_enabled()

    def _on_hub_incident_changed(self, _incident_id: int) -> None:
        self._forget_preview("Export a PDF to preview its pages here before saving.")

    def _on_hub_session_changed(self) -> None:
        self._forget_preview("Export a PDF to preview its pages here before saving.")

    def _on_hub_workspace_changed(self, _changes: object, incident_id: int, _initiator: object) -> None:
        if self.preview is not None and self.hub.shows(incident_id):
            self._forget_preview("The incident changed since the preview; export the PDF again.")

    def _on_options_changed(self, _checked: bool = False) -> None:
        if self.preview is not None:
            self._forget_preview("The options changed; export the PDF again to preview it.")
        self._update_enabled()

    def _on_redact_check_toggled(self, checked: bool) -> None:
        if not checked and not self.confirm_unredacted():
            self.redact_check.blockSignals(True)
            self.redact_check.setChecked(True)
            self.redact_check.blockSignals(False)
            return
        self.status_label.setText("" if checked else "Redaction is OFF: exports will contain personal data.")
        self._on_options_changed()

    def _confirm_unredacted(self) -> bool:
        answer = QMessageBox.warning(self, "Turn Off Redaction", UNREDACTED_WARNING,
                                     QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                                     QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Yes

    def _ask_save_path(self, title: str, suggested: str, file_filter: str) -> str:
        name, _ = file_dialogs.ask_save_file_name(self, title, suggested, file_filter)
        return name

    def _suggested_name(self, suffix: str) -> str:
        tag = "" if self.redact_check.isChecked() else "-unredacted"
        return f"incident-{self.hub.incident_id}-report{tag}{suffix}"

    # ---- work -----------------------------------------------------------------------------------
    def _run(self, title: str, make_generator, on_finished) -> None:  # noqa: ANN001
        worker = GeneratorWorker(make_generator)
        self._worker = worker
        session = self.hub.open_session
        session.track(worker)  # closing the workspace cancels the export first
        self._progress = QProgressDialog(title, "Cancel", 0, 100, self)
        self._progress.setWindowTitle("Report")
        self._progress.setWindowModality(Qt.WindowModality.WindowModal)
        self._progress.setMinimumDuration(300)
        self._progress.setAutoClose(False)
        self._progress.setAutoReset(False)
        self._progress.canceled.connect(worker.cancel)
        worker.signals.progressed.connect(self._on_worker_progressed)
        def finished(result: object) -> None:
            self._end_work()
            if self.hub.session is session:
                on_finished(result)

        worker.signals.finished.connect(finished)
        worker.signals.failed.connect(self._on_worker_failed)
        worker.signals.cancelled.connect(self._on_worker_cancelled)
        self._update_enabled()
        start(worker)

    def _end_work(self) -> None:
        if self._progress is not None:
            self._progress.close()
            self._progress.deleteLater()
            self._progress = None
        self._worker = None
        self._update_enabled()

    def _on_worker_progressed(self, done: int, total: int) -> None:
        if self._progress is None:
            return
        if total <= 0:
            self._progress.setRange(0, 0)
        else:
            self._progress.setRange(0, total)
            self._progress.setValue(min(done, total))

    def _on_worker_failed(self, exc: BaseException, _text: str) -> None:
        self._end_work()
        message = f"The export failed: {exc}"
        self.status_label.setText(message)
        self.export_failed.emit(message)
        if isinstance(exc, (OSError, OutputError, exports.ReportDataError)):
            QMessageBox.warning(self, "Export Failed", message)
        else:
            raise exc  # unexpected: the app's error hook logs and shows it

    def _on_worker_cancelled(self) -> None:
        self._end_work()
        self.status_label.setText("Export cancelled; nothing was written.")
        self.export_cancelled.emit()

    def start_pdf_preview(self) -> None:
        """Lays the PDF out into a scratch file and shows its pages; Save PDF… then writes it."""
        if self._worker is not None or self.hub.session is None or self.hub.incident_id < 0:
            return
        workspace, incident_id = self.hub.workspace, self.hub.incident_id
        options = self._options()
        redact, appendix = options[1], options[2]
        scratch = Path(self._scratch.name) / f"preview-{incident_id}.pdf"
        self._forget_preview("Laying out the report…")

        def work():  # noqa: ANN202
            pages = yield from exports.preview_pdf(workspace, incident_id, scratch, redact=redact, appendix=appendix)
            check = redaction_service.redaction_preview(workspace, incident_id) if redact else None
            return pages, check

        def finished(result: tuple[Preview, RedactionPreview | None]) -> None:
            preview, check = result
            self.preview = preview
            self._preview_options = options
            self.preview_widget.show_preview(preview)
            if check is None:
                self.redaction_panel.clear("Redaction is OFF: nothing will be masked.")
            else:
                self.redaction_panel.show_preview(check)
            self.status_label.setText(f"Preview ready: {preview.page_count} pages. Save PDF… writes exactly this."
                                      + ("" if redact else " Redaction is OFF."))
            self._update_enabled()
            self.preview_ready.emit(preview.page_count)
            if check is not None:
                self.redaction_checked.emit(check)

        self._run("Laying out the PDF report…", work, finished)

    def _on_redaction_panel_terms_chosen(self, terms: list[str]) -> None:
        """Masks the ticked terms in every redacted export of this workspace, then lays the PDF out again."""
        if self.hub.session is None:
            return
        current = redaction_service.extra_terms(self.hub.workspace)
        if self.hub.run(redaction_service.MaskTerms(current, terms)):
            self.status_label.setText(f"Now also masking: {', '.join(terms)}. Laying the PDF out again…")
            self.start_pdf_preview()

    def _on_save_pdf_clicked(self) -> None:
        if self.preview is None:
            return
        target = self._ask_target("Save PDF Report", ".pdf", PDF)
        if target is None:
            return
        try:
            copy_output(self.preview.path, target, PDF, inputs=self.hub.workspace.files)
        except (OutputError, OSError) as exc:
            message = f"Cannot save {target}: {exc}"
            self.status_label.setText(message)
            self.export_failed.emit(message)
            QMessageBox.warning(self, "Save Failed", message)
            return
        self.status_label.setText(f"Saved {target}")
        self.export_saved.emit(str(target))

    def _ask_target(self, title: str, suffix: str, kind: OutputKind) -> Path | None:
        """The checked target: a refused one (the workspace, a file of another kind…) is explained and asked again."""
        return ask_output_path(self, title, self._suggested_name(suffix), kind, inputs=self.hub.workspace.files,
                               ask=self.ask_save_path)

    def _on_export_xlsx_clicked(self) -> None:
        if self._worker is not None or self.hub.session is None or self.hub.incident_id < 0:
            return
        target = self._ask_target("Export XLSX", ".xlsx", XLSX)
        if target is None:
            return
        workspace, incident_id, redact = self.hub.workspace, self.hub.incident_id, self.redact_check.isChecked()

        def finished(path: Path) -> None:
            self.status_label.setText(f"Saved {path}")
            self.export_saved.emit(str(path))

        self._run("Writing the workbook…",
                  lambda: exports.export_xlsx(workspace, incident_id, target, redact=redact), finished)

    def resizeEvent(self, event) -> None:  # noqa: ANN001
        # Side by side where there is room; on a narrow screen (docks open at 1280 px) the check goes below.
        orientation = Qt.Orientation.Horizontal if event.size().width() >= NARROW_WIDTH else Qt.Orientation.Vertical
        if orientation != self.splitter.orientation():
            self.splitter.setOrientation(orientation)
            along = max(event.size().width() if orientation == Qt.Orientation.Horizontal else event.size().height(), 2)
            self.splitter.setSizes([along * 3 // 5, along * 2 // 5])
        super().resizeEvent(event)

    def closeEvent(self, event) -> None:  # noqa: ANN001
        if self._worker is not None:
            self._worker.cancel()
            self._worker.done.wait(10)
        self._scratch.cleanup()
        super().closeEvent(event)
