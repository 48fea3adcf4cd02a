"""Dialogs for system events: add/edit one, and paste log lines (or open an alerts CSV) to add many."""
from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from postmortem_desktop.domain.counting import counted
from postmortem_desktop.importers.system_event_lines import ParseResult, parse_events, read_events_file
from postmortem_desktop.timeline.drawing import KIND_LABELS

from .. import file_dialogs
from ..time_display import display_zone, from_qdatetime, to_qdatetime

DELETE_RESULT = 2


class SystemEventDialog(QDialog):
    """Add or edit one system event; `values()` is what the command needs."""

    def __init__(self, zone_name: str, at: datetime, parent: QWidget | None = None, *, kind: str = "note",
                 title: str = "", detail: str = "", editing: bool = False, pending: str = ""):
        """pending: a decision left for later (a teammate changed the event since it was first opened), said above
        the fields; "" when none."""
        super().__init__(parent)
        self.setWindowTitle("Edit System Event" if editing else "Add System Event")
        self.when = QDateTimeEdit(to_qdatetime(at, zone_name), self)
        self.when.setDisplayFormat("ddd d MMM yyyy HH:mm")
        self.when.setCalendarPopup(True)
        self.kind = QComboBox(self)
        for value, label in KIND_LABELS.items():
            self.kind.addItem(label, value)
        self.kind.setCurrentIndex(max(self.kind.findData(kind), 0))
        self.title_edit = QLineEdit(title, self)
        self.title_edit.setPlaceholderText("What happened, e.g. “Rolled back billing-api”")
        self.detail = QPlainTextEdit(detail, self)
        self.detail.setFixedHeight(90)
        form = QFormLayout()
        form.addRow(f"&Time ({zone_name}):", self.when)
        form.addRow("&Kind:", self.kind)
        form.addRow("T&itle:", self.title_edit)
        form.addRow("&Detail:", self.detail)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        if editing:
            delete = buttons.addButton("&Delete Event", QDialogButtonBox.ButtonRole.DestructiveRole)
            delete.clicked.connect(lambda: self.done(DELETE_RESULT))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.title_edit.textChanged.connect(self._on_title_edit_text_changed)
        layout = QVBoxLayout(self)
        self.pending = QLabel(pending, self)
        self.pending.setWordWrap(True)
        self.pending.setVisible(bool(pending))
        layout.addWidget(self.pending)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self._on_title_edit_text_changed(title)
        self.title_edit.setFocus()

    def _on_title_edit_text_changed(self, text: str) -> None:
        self.ok_button.setEnabled(bool(text.strip()))

    def values(self) -> dict:
        return {"at": from_qdatetime(self.when.dateTime()), "kind": self.kind.currentData(),
                "title": self.title_edit.text().strip(), "detail": self.detail.toPlainText().strip()}


class EventPreviewModel(QAbstractTableModel):
    """Parsed events before they are added; the kind column is editable."""

    COL_TIME, COL_KIND, COL_TITLE = range(3)
    HEADERS = ("Time", "Kind", "Title")

    def __init__(self, zone_name: str, parent=None):  # noqa: ANN001
        super().__init__(parent)
        self.zone = display_zone(zone_name)
        self.rows: list[dict] = []

    def set_rows(self, rows: list[dict]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: ANN001, ANN201
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        base = super().flags(index)
        return base | Qt.ItemFlag.ItemIsEditable if index.column() == self.COL_KIND else base

    def data(self, index: QModelIndex | QPersistentModelIndex, role=Qt.ItemDataRole.DisplayRole):  # noqa: ANN001, ANN201
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if index.column() == self.COL_TIME:
                return row["at"].astimezone(self.zone).strftime("%d %b %H:%M:%S")
            if index.column() == self.COL_KIND:  # shown by its label, edited by its value
                kind = row["kind"]
                return KIND_LABELS.get(kind, kind) if role == Qt.ItemDataRole.DisplayRole else kind
            return row["title"]
        if role == Qt.ItemDataRole.ToolTipRole and row.get("detail"):
            return row["detail"][:500]
        return None

    def setData(self, index: QModelIndex | QPersistentModelIndex, value, role=Qt.ItemDataRole.EditRole) -> bool:  # noqa: ANN001
        kind = str(value).strip().lower()
        if index.column() != self.COL_KIND or kind not in KIND_LABELS:
            return False
        self.rows[index.row()]["kind"] = kind
        self.dataChanged.emit(index, index)
        return True


class KindDelegate(QStyledItemDelegate):
    """Edits an event's kind with the list of kinds the timeline knows, never free text."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,
                     index: QModelIndex | QPersistentModelIndex) -> QWidget:
        box = QComboBox(parent)
        for value, label in KIND_LABELS.items():
            box.addItem(label, value)
        return box

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:
        if isinstance(editor, QComboBox):
            editor.setCurrentIndex(max(editor.findData(index.data(Qt.ItemDataRole.EditRole)), 0))

    def setModelData(self, editor: QWidget, model, index: QModelIndex | QPersistentModelIndex) -> None:  # noqa: ANN001
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)


class PasteEventLinesDialog(QDialog):
    """Paste log lines (or open an alerts CSV); see what becomes an event and what is skipped, and why."""

    def __init__(self, zone_name: str, reference: date | None = None, parent: QWidget | None = None,
                 folder: str = ""):
        super().__init__(parent)
        self.setWindowTitle("Paste Log Lines as System Events")
        self.resize(900, 560)
        self.zone_name, self.reference = zone_name, reference
        self.folder = folder  # where Open… starts: the workspace's folder (ui/file_dialogs.start_folder)
        self.text = QPlainTextEdit(self)
        self.text.setPlaceholderText(
            "Paste log lines with timestamps, e.g.\n2026-11-18 10:21:05,123 ERROR checkout timeout\n"
            "Nov 18 10:38:00 web01 deployd[12]: deploy billing-api v4.18.1\n"
            "or a CSV with a header row (time, title, type…)")
        self.model = EventPreviewModel(zone_name, self)
        self.preview = QTableView(self)
        self.preview.setModel(self.model)
        self.preview.setItemDelegateForColumn(EventPreviewModel.COL_KIND, KindDelegate(self.preview))
        self.preview.verticalHeader().hide()
        self.preview.horizontalHeader().setSectionResizeMode(EventPreviewModel.COL_TITLE,
                                                             QHeaderView.ResizeMode.Stretch)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.text)
        splitter.addWidget(self.preview)
        open_button = QPushButton("Open CSV or Log &File…", self)
        open_button.clicked.connect(self._on_open_button_clicked)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("&Add Events")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(open_button)
        bottom.addStretch(1)
        bottom.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Times without a zone are read as {zone_name}. Kinds are guessed; "
                                "double-click a kind to choose another.", self))
        layout.addWidget(splitter, 1)
        layout.addWidget(self.summary)
        layout.addLayout(bottom)
        self._reparse = QTimer(self, singleShot=True, interval=250)
        self._reparse.timeout.connect(self._on_reparse_timeout)
        self.text.textChanged.connect(self._reparse.start)
        self.parsed = ParseResult()  # not `result`: that is QDialog.result(), the dialog's exit code
        self._show_result(self.parsed)

    def set_text(self, text: str) -> None:
        self.text.setPlainText(text)
        self._on_reparse_timeout()

    def _on_reparse_timeout(self) -> None:
        self._show_result(parse_events(self.text.toPlainText(), zone=display_zone(self.zone_name),
                                       reference=self.reference))

    def _on_open_button_clicked(self) -> None:
        name, _ = file_dialogs.ask_open_file_name(self, "Open Alerts CSV or Log File",
                                                  self.folder or str(Path.home()),
                                                  "CSV and logs (*.csv *.tsv *.log *.txt);;All files (*)")
        if name:
            self._reparse.stop()
            self.text.blockSignals(True)
            self.text.setPlainText("")
            self.text.blockSignals(False)
            self._show_result(read_events_file(Path(name), zone=display_zone(self.zone_name), reference=self.reference))

    def _show_result(self, result: ParseResult) -> None:
        self.parsed = result
        self.model.set_rows([e.as_values() for e in result.events])
        skipped = "; ".join(f"line {n}: {why}" for n, _t, why in result.skipped[:3])
        more = f" (and {len(result.skipped) - 3} more)" if len(result.skipped) > 3 else ""
        self.summary.setText(f"{counted(len(result.events), 'event')} found."
                             + (f" Skipped {len(result.skipped)}: {skipped}{more}." if result.skipped else ""))
        self.ok_button.setEnabled(bool(result.events))

    def events(self) -> list[dict]:
        return [dict(row) for row in self.model.rows]


def utc_from_epoch(t: float) -> datetime:
    return datetime.fromtimestamp(t, tz=UTC)


def described_event(values: dict, zone_name: str) -> str:
    """A system event's edited fields as one line of the conflict dialog: time, kind, title, detail."""
    parts = []
    for key in ("at", "kind", "title", "detail"):
        if key in values:
            value = values[key]
            if isinstance(value, datetime):
                value = value.astimezone(display_zone(zone_name)).strftime("%Y-%m-%d %H:%M")
            elif key == "kind":
                value = KIND_LABELS.get(value, value)
            parts.append(f"{'time' if key == 'at' else key}: {value}")
    return "; ".join(parts)
