"""The incident's conversations as a list to browse and search, carded or not; one opens in the reader."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from postmortem_desktop.domain.changes import DataChange
from postmortem_desktop.services.conversation_browser import BROWSE_LIMIT, ConversationRow, browse_conversations

from ..hub import ScreenHub
from ..models.row_table_model import RowTableModel
from ..time_display import display_zone

SEARCH_DELAY_MS = 200


class ConversationTableModel(RowTableModel):
    COL_STARTED, COL_CHANNEL, COL_CUSTOMER, COL_SUBJECT, COL_CARDS = range(5)
    HEADERS = ("Started", "Channel", "Customer", "Subject", "Cards")
    ID_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.zone = display_zone("UTC")

    def cell(self, row: ConversationRow, col: int, role: int) -> Any:
        if role == self.ID_ROLE:
            return row.id
        if role == Qt.ItemDataRole.ToolTipRole and row.pre_existing:
            return "Pre-existing: older confusion, not counted as incident damage"
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if col == self.COL_STARTED:
            return row.started.astimezone(self.zone).strftime("%d %b %H:%M") if row.started else "—"
        if col == self.COL_CHANNEL:
            return row.channel
        if col == self.COL_CUSTOMER:
            return row.customer or "Unknown customer"
        if col == self.COL_SUBJECT:
            return row.subject
        return str(row.cards) if row.cards else "none yet"


class ConversationBrowserDialog(QDialog):
    """Every conversation of the selected incident; words search inside all their messages.

    The board shows only what has a card; this is where the rest are found, read (double-click or
    Enter opens one in the reader) and put on the board as whole-conversation cards.
    """

    #: Put on Board: the conversations to card (the board prepares them on a worker, as Add Cards does: 500 took
    #: about 4 s of the tagger on the window's thread)
    cards_asked = Signal(list)

    def __init__(self, hub: ScreenHub, parent: QWidget | None = None):
        super().__init__(parent)
        self.hub = hub
        self.setWindowTitle("Conversations")
        self.resize(820, 520)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Words in any message or subject…")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search conversations")
        self.uncarded_only = QCheckBox("Only those without a &card", self)
        self.model = ConversationTableModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)  # one line a conversation: the subject says the most, and stretches
        self.table.horizontalHeader().setSectionResizeMode(ConversationTableModel.COL_SUBJECT,
                                                           QHeaderView.ResizeMode.Stretch)
        self.table.setAccessibleName("Conversations")
        self.count_label = QLabel(self)
        self.open_button = QPushButton("&Open in Reader", self)
        self.card_button = QPushButton("Put on &Board", self)
        self.card_button.setToolTip("Add the selected conversations without a card as whole-conversation cards")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.uncarded_only)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count_label, 1)
        bottom.addWidget(self.open_button)
        bottom.addWidget(self.card_button)
        bottom.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)  # typing is not searched on every key
        self._timer.timeout.connect(self.reload)
        self.search.textChanged.connect(self._timer.start)
        self.uncarded_only.toggled.connect(self.reload)
        self.table.activated.connect(self._on_table_activated)
        self.open_button.clicked.connect(self._on_open_button_clicked)
        self.card_button.clicked.connect(self._on_card_button_clicked)
        hub.workspace_changed.connect(self._on_hub_workspace_changed)
        hub.incident_changed.connect(lambda _id: self.reload())

    def set_query(self, query: str) -> None:
        self.search.setText(query)
        self._timer.stop()
        self.reload()

    def reload(self) -> None:
        workspace, incident_id = self.hub.workspace, self.hub.incident_id
        self.model.zone = display_zone(self.hub.zone_name)
        rows = [] if workspace is None or incident_id < 0 else browse_conversations(
            workspace, incident_id, self.search.text())
        if self.uncarded_only.isChecked():
            rows = [r for r in rows if not r.cards]
        self.model.set_rows(rows)
        uncarded = sum(1 for r in rows if not r.cards)
        more = f" (the first {BROWSE_LIMIT:,}: narrow the search)" if len(rows) >= BROWSE_LIMIT else ""
        self.count_label.setText(f"{len(rows):,} conversations, {uncarded:,} without a card{more}")
        self.card_button.setEnabled(bool(uncarded) and not (workspace is None or workspace.read_only))

    def _selected_rows(self) -> list[ConversationRow]:
        return [self.model.row_at(i.row()) for i in self.table.selectionModel().selectedRows()]

    def _on_table_activated(self, index: QModelIndex) -> None:
        self.hub.conversation_requested.emit(index.data(ConversationTableModel.ID_ROLE), -1)

    def _on_open_button_clicked(self) -> None:
        chosen = self._selected_rows()
        if chosen:
            self.hub.conversation_requested.emit(chosen[0].id, -1)

    def _on_card_button_clicked(self) -> None:
        ids = [r.id for r in self._selected_rows() if not r.cards]
        if ids:
            self.cards_asked.emit(ids)

    def _on_hub_workspace_changed(self, changes: DataChange, _incident_id: int, _initiator: object) -> None:
        if self.isVisible() and changes & (DataChange.QUOTE | DataChange.CONVERSATION):
            self.reload()
