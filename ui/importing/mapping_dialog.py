"""The column-mapping dialog: vendor recognised, one choice per file column, live preview, presets."""
from __future__ import annotations

import html
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from postmortem_desktop.domain.counting import counted
from postmortem_desktop.importers.field_mapping import (
    FIELD_LABELS,
    MULTI_FIELDS,
    SINGLE_FIELDS,
    AmbiguousDatesError,
    FieldMapping,
    MappingError,
)
from postmortem_desktop.importers.message_dump import MessageSurvey
from postmortem_desktop.importers.records import SkippedRow, TicketRow
from postmortem_desktop.importers.text_cleanup import cell_text
from postmortem_desktop.importers.text_decoding import decoding_notice
from postmortem_desktop.services.spreadsheet_import import ImportPlan, date_report, preview_and_survey

from ..screen_size import fit_to_screen
from .date_report_label import DateReportLabel
from .grouping_panel import GroupingPanel
from .preview_model import ImportPreviewModel

NOT_IMPORTED = "— not imported —"
DAY_ORDERS = (("Decide from the data", None), ("Day first (31/12)", "dayfirst"), ("Month first (12/31)", "monthfirst"))
COMMON_ZONES = ("UTC", "Europe/London", "Europe/Paris", "Europe/Berlin", "America/New_York", "America/Chicago",
                "America/Denver", "America/Los_Angeles", "Asia/Kolkata", "Asia/Singapore", "Asia/Tokyo",
                "Australia/Sydney")


class ImportMappingDialog(QDialog):
    """Shows what will be imported; the caller runs the import after exec() accepts."""

    #: the person asked to save the current mapping under a name
    preset_save_requested = Signal(str)
    #: the person picked a saved preset by name; the caller answers with apply_mapping()
    preset_chosen = Signal(str)

    def __init__(self, plan: ImportPlan, zone_name: str, preset_names: list[str], parent=None,  # noqa: ANN001
                 review_window: tuple[datetime | None, datetime | None] = (None, None)):
        super().__init__(parent)
        self.plan = plan
        self.review_window = review_window
        self.zone_name = zone_name
        self.setWindowTitle(f"Import {plan.path.name}")
        self.resize(fit_to_screen(self, 1200, 760))
        self.problems: list[str] = []
        self.summary = QLabel(self._summary_text(), self)
        self.summary.setWordWrap(True)
        self.columns_table = self._build_columns_table()
        self.zone = QComboBox(self)
        self.zone.setEditable(True)
        self.zone.addItems(sorted(set(COMMON_ZONES) | {plan.mapping.timezone}))
        self.zone.setCurrentText(plan.mapping.timezone)
        self.zone.setToolTip("Zone of times written without an offset")
        self.day_order = QComboBox(self)
        for label, value in DAY_ORDERS:
            self.day_order.addItem(label, value)
        self.day_order.setCurrentIndex(next(i for i, (_l, v) in enumerate(DAY_ORDERS) if v == plan.mapping.day_order))
        self.include_outside = QCheckBox("Also import rows outside the incident's review window", self)
        self.presets = QComboBox(self)
        self.presets.addItem("(choose a saved mapping)")
        self.presets.addItems(preset_names)
        save_preset = QPushButton("Save Mapping as Preset…", self)
        self.problem_label = QLabel(self)
        self.problem_label.setObjectName("import_problems")
        self.problem_label.setWordWrap(True)
        self.problem_label.setTextFormat(Qt.TextFormat.RichText)  # notes joined by <br>, each escaped
        self.date_report = DateReportLabel(self)
        self.preview_model = ImportPreviewModel(self)
        self.preview_view = QTableView(self)
        self.preview_view.setModel(self.preview_model)
        self.preview_view.horizontalHeader().setSectionResizeMode(ImportPreviewModel.COL_SUBJECT,
                                                                 QHeaderView.ResizeMode.Stretch)
        self.preview_view.verticalHeader().hide()
        self.grouping = GroupingPanel(self)
        self.grouping.set_corrections(plan.mapping.roles)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Import")
        self._lay_out(save_preset)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.zone.currentTextChanged.connect(self.refresh_preview)
        self.include_outside.toggled.connect(self.refresh_preview)
        self.day_order.currentIndexChanged.connect(self.refresh_preview)
        self.presets.activated.connect(self._on_presets_activated)
        save_preset.clicked.connect(self._on_save_preset_clicked)
        self.grouping.roles_changed.connect(self.refresh_preview)
        self.refresh_preview()

    # ---- layout ---------------------------------------------------------------------------------
    def _summary_text(self) -> str:
        sheet = self.plan.sheet
        parts = [f"Recognised: <b>{self.plan.vendor}</b> export", counted(len(sheet.rows), "row"),
                 f"{len(sheet.header)} columns", sheet.kind.upper()]
        if sheet.encoding:
            parts.append(sheet.encoding)
        if sheet.delimiter:
            parts.append({",": "comma", ";": "semicolon", "\t": "tab"}.get(sheet.delimiter, sheet.delimiter)
                         + "-separated")
        notes = " ".join([*(getattr(self.plan.guess, "notes", ()) or ()),
                          decoding_notice(sheet.lines_not_utf8, sheet.lines_not_utf8_read_as,
                                          sheet.lines_not_utf8_where)]).strip()
        return " · ".join(parts) + (f"<br>{notes}" if notes else "")

    def _build_columns_table(self) -> QTableWidget:
        header = self.plan.sheet.header
        table = QTableWidget(len(header), 3, self)
        table.setObjectName("column_mapping")
        table.setHorizontalHeaderLabels(["File column", "First value", "Imports as"])
        table.verticalHeader().hide()
        table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        first = self.plan.sheet.rows[0] if self.plan.sheet.rows else []
        self.field_boxes: list[QComboBox] = []
        for index, name in enumerate(header):
            sample = cell_text(first[index]) if index < len(first) else ""
            for col, text in enumerate((name, sample[:120].replace("\n", " "))):
                item = QTableWidgetItem(text)
                item.setToolTip(text)  # a narrow dialog elides it
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                table.setItem(index, col, item)
            box = QComboBox(table)
            box.setAccessibleName(f"Field for column {name}")
            box.addItem(NOT_IMPORTED, None)
            for field_name in (*SINGLE_FIELDS, *MULTI_FIELDS):
                box.addItem(FIELD_LABELS[field_name], field_name)
            table.setCellWidget(index, 2, box)
            box.currentIndexChanged.connect(self.refresh_preview)
            self.field_boxes.append(box)
        self._show_mapping(self.plan.mapping)
        table.resizeColumnToContents(0)
        table.setColumnWidth(2, 190)
        return table

    def _lay_out(self, save_preset: QPushButton) -> None:
        """Fits any screen: combo boxes may shrink (their lists still show whole names), long form rows wrap,
        and below its smallest comfortable size the dialog scrolls rather than growing past the screen
        (a 958 px wide window in projector type needed 1,172 px). Import and Cancel stay in sight."""
        for box in (self.zone, self.day_order, self.presets):
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(12)
        options = QFormLayout()
        options.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        options.addRow("Times without a zone are in", self.zone)
        options.addRow("Dates like 05/06", self.day_order)
        options.addRow("", self.include_outside)
        preset_row = QHBoxLayout()
        preset_row.addWidget(self.presets, 1)
        preset_row.addWidget(save_preset)
        options.addRow("Preset", preset_row)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.columns_table, 1)
        left_layout.addLayout(options)
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        preview_title = QLabel("<b>Preview</b>: the first rows as they will be imported", right)
        preview_title.setWordWrap(True)
        right_layout.addWidget(preview_title)
        right_layout.addWidget(self.preview_view, 1)
        right_layout.addWidget(self.date_report)
        right_layout.addWidget(self.grouping, 1)
        body = QWidget(self)
        splitter = QSplitter(body)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setSizes([460, 740])
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        body_layout.addWidget(self.summary)
        body_layout.addWidget(splitter, 1)
        body_layout.addWidget(self.problem_label)
        scroll = QScrollArea(self)
        scroll.setObjectName("mapping_body")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.buttons)

    # ---- mapping <-> widgets --------------------------------------------------------------------
    def _show_mapping(self, mapping: FieldMapping) -> None:
        by_column: dict[int, str] = {}
        for field_name, value in mapping.columns.items():
            for index in ([value] if isinstance(value, int) else value):
                by_column.setdefault(index, field_name)
        for index, box in enumerate(self.field_boxes):
            box.blockSignals(True)
            box.setCurrentIndex(max(0, box.findData(by_column.get(index))))
            box.blockSignals(False)

    def apply_mapping(self, mapping: FieldMapping) -> None:
        self._show_mapping(mapping)
        self.grouping.set_corrections(mapping.roles)
        self.zone.setCurrentText(mapping.timezone)
        self.refresh_preview()

    def current_mapping(self) -> tuple[FieldMapping, list[str]]:
        """The mapping the widgets say, and the problems only this layout can have."""
        columns: dict[str, int | list[int]] = {}
        problems = []
        for index, box in enumerate(self.field_boxes):
            field_name = box.currentData()
            if field_name is None:
                continue
            chosen = columns.get(field_name)
            if field_name in MULTI_FIELDS:
                if isinstance(chosen, list):
                    chosen.append(index)
                else:
                    columns[field_name] = [index]
            elif isinstance(chosen, int):
                header = self.plan.sheet.header
                problems.append(f"{FIELD_LABELS[field_name]} is chosen for both '{header[chosen]}' "
                                f"and '{header[index]}': pick one")
            else:
                columns[field_name] = index
        mapping = FieldMapping(columns=columns, timezone=self.zone.currentText().strip() or "UTC",
                               day_order=self.day_order.currentData(), header_names=list(self.plan.sheet.header),
                               roles=dict(self.grouping.corrections))
        return mapping, problems

    def refresh_preview(self) -> None:
        mapping, problems = self.current_mapping()
        self.plan.mapping = mapping
        rows: list[TicketRow | SkippedRow] = []
        survey: MessageSurvey | None = None
        if not problems:
            try:
                rows, survey = preview_and_survey(self.plan)
            except MappingError as exc:
                problems = list(exc.problems)
            except AmbiguousDatesError as exc:
                problems = [f"{exc}: choose “Dates like 05/06” above."]
        self.problems = problems
        self.date_report.show_reports(date_report(self.plan))  # shown even when the preview is refused
        self.grouping.show_survey(survey)
        self.preview_model.set_rows(rows, self.zone_name, self._left_out)
        for col in (ImportPreviewModel.COL_ROW, ImportPreviewModel.COL_ID, ImportPreviewModel.COL_CREATED,
                    ImportPreviewModel.COL_CHANNEL, ImportPreviewModel.COL_MESSAGES):
            self.preview_view.resizeColumnToContents(col)
        # the subject stretches; the long free-text columns get a fixed share so it stays readable
        self.preview_view.setColumnWidth(ImportPreviewModel.COL_REQUESTER, 220)
        self.preview_view.setColumnWidth(ImportPreviewModel.COL_TAGS, 120)
        notes = [f"⚠ {html.escape(p)}" for p in problems]
        left_out = self.preview_model.left_out_count()
        if left_out:
            notes.append(f"ℹ {left_out} of the first {self.preview_model.rowCount()} rows fall outside the incident's "
                         "review window and will be left out; tick “Also import rows outside…” to keep them.")
        # a quote that ran over rows is the file's, whatever the mapping: worth a look, not a refusal
        notes += [f"⚠ {html.escape(quote.message())}" for quote in self.plan.sheet.open_quotes]
        self.problem_label.setText("<br>".join(notes))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not problems)

    def _left_out(self, row) -> bool:  # noqa: ANN001 - a TicketRow
        start, end = self.review_window
        if self.include_outside.isChecked() or start is None or end is None or row.created_at is None:
            return False
        return not start <= row.created_at <= end

    @property
    def include_outside_window(self) -> bool:
        return self.include_outside.isChecked()

    def _on_presets_activated(self, index: int) -> None:
        if index > 0:
            self.preset_chosen.emit(self.presets.itemText(index))

    def _on_save_preset_clicked(self) -> None:
        name, ok = QInputDialog.getText(self, "Save Mapping", "Preset name:", text=f"{self.plan.vendor} export")
        if ok and name.strip():
            self.preset_save_requested.emit(name.strip())
            if self.presets.findText(name.strip()) < 0:
                self.presets.addItem(name.strip())
