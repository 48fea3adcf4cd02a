"""The Actions screen: the incident's fixes by area, with owners, dates, status and what motivated them."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
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
from postmortem_desktop.services.actions import (
    AREAS,
    ActionItemView,
    ActionService,
    AddActionItem,
    DeleteActionItem,
    EditActionItem,
    QuickAddFromQuotes,
    fields_of,
)
from postmortem_desktop.services.closeout import CLOSED_STATES
from postmortem_desktop.services.commands import Command, EditConflict, RuleError
from postmortem_desktop.services.incidents import IncidentService
from postmortem_desktop.services.review_answers import ReviewService

from ..closeout.record_lock import ClosedBanner
from ..conflict_dialog import Choice, ask_which
from ..deferred_refresh import DeferredRefresh
from ..errors import show_refusal
from ..filter_banner import FilterBanner
from ..hub import ScreenHub
from ..read_only import enable_when_writable
from ..table_titles import keep_titles_whole
from .action_item_dialog import ActionItemDialog
from .action_item_table_model import ActionItemFilterModel, ActionItemTableModel

MIN_DESCRIPTION_PX = 280
REFRESH_ON = DataChange.ACTION_ITEM | DataChange.QUOTE | DataChange.INCIDENT | DataChange.SETTING


class ActionsScreen(DeferredRefresh, QWidget):
    def __init__(self, hub: ScreenHub, parent=None):  # noqa: ANN001
        super().__init__(parent)
        self.hub = hub
        self._first_missing = ""
        self._linked_area = ""  # the area a checklist link asked for, until the incident changes
        self.model = ActionItemTableModel(self)
        self.proxy = ActionItemFilterModel(self)
        self.proxy.setSourceModel(self.model)
        self.view = QTableView(self)
        self.view.setObjectName("action_items")
        self.view.setAccessibleName("Action items")
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        # rows follow the wrapped description as the column width changes (a handful of items per incident)
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.view.setWordWrap(True)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(ActionItemTableModel.COL_DESCRIPTION, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(ActionItemTableModel.COL_LINKS, QHeaderView.ResizeMode.Interactive)
        keep_titles_whole(header)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Filter…")
        self.search.setClearButtonEnabled(True)
        self.area_filter = QComboBox(self)
        self.area_filter.setAccessibleName("Show area")
        self.area_filter.addItem("All areas", "")
        for area in AREAS:
            self.area_filter.addItem(area.capitalize(), area)
        self.overdue_only = QCheckBox("Overdue only", self)
        self.filter_banner = FilterBanner("action items", self)
        self.closed_banner = ClosedBanner(hub, self)
        self._closed = False
        self.coverage = QLabel(self)
        self.coverage.setWordWrap(True)
        self.add_button = QPushButton("Add ite&m…", self)
        self.quick_add_button = QPushButton("Add from selected cards", self)
        self.edit_button = QPushButton("E&dit…", self)
        self.delete_button = QPushButton("De&lete", self)
        # the Delete key deletes the selected item as the button does, as on the board, while the list has the focus
        # (a Delete typed in the filter field is the field's)
        self.delete_key = QAction("Delete Action Item", self.view)
        self.delete_key.setShortcut(QKeySequence(Qt.Key.Key_Delete))
        self.delete_key.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.delete_key.setProperty("shortcutGroup", "Actions list")  # the F1 cheat sheet's heading for it
        self.view.addAction(self.delete_key)
        self._layout()
        self._connect()
        self.read_first()

    def _layout(self) -> None:
        buttons = QHBoxLayout()
        for button in (self.add_button, self.quick_add_button, self.edit_button, self.delete_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        filters = QHBoxLayout()
        filters.addWidget(self.search, 2)
        filters.addWidget(self.area_filter)
        filters.addWidget(self.overdue_only)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.closed_banner)
        layout.addLayout(buttons)
        layout.addLayout(filters)
        layout.addWidget(self.filter_banner)
        layout.addWidget(self.coverage)
        layout.addWidget(self.view, 1)

    def _connect(self) -> None:
        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        self.area_filter.currentIndexChanged.connect(self._on_area_filter_changed)
        self.overdue_only.toggled.connect(self.proxy.set_overdue_only)
        for signal in (self.proxy.rowsInserted, self.proxy.rowsRemoved, self.proxy.modelReset,
                       self.proxy.layoutChanged, self.search.textChanged, self.area_filter.currentIndexChanged,
                       self.overdue_only.toggled):  # after the proxy's own slots, connected above
            signal.connect(self._show_filters)
        self.filter_banner.clear_requested.connect(self.clear_filters)
        self.add_button.clicked.connect(self._on_add_clicked)
        self.quick_add_button.clicked.connect(self._on_quick_add_clicked)
        self.edit_button.clicked.connect(self._on_edit_clicked)
        self.delete_button.clicked.connect(self._on_delete_clicked)
        self.delete_key.triggered.connect(self._on_delete_clicked)
        self.view.doubleClicked.connect(self._on_edit_clicked)
        self.view.selectionModel().selectionChanged.connect(self._update_buttons)
        self.hub.incident_changed.connect(self._on_hub_incident_changed)
        self.hub.workspace_changed.connect(self._on_hub_workspace_changed)
        self.hub.session_changed.connect(self.request_refresh)
        self.hub.quotes_selected.connect(self._update_buttons)

    def refresh(self) -> None:
        iid = self.hub.incident_id
        if self.hub.session is None or iid < 0:
            self.model.set_rows([])
            self._closed = False
            self.coverage.setText("Select an incident to see its action items.")
        else:
            items = ActionService(self.hub.workspace).list_items(iid)
            self._closed = IncidentService(self.hub.workspace).get(iid).status in CLOSED_STATES
            self.model.set_rows(items)
            self.coverage.setText(self._coverage_text(items))
            owned = {i.area for i in items if i.owner and i.due_date}
            self._first_missing = next((a for a in ("support", "product", "engineering") if a not in owned), "")
        self.closed_banner.show_closed(self._closed)
        self._update_buttons()

    @staticmethod
    def _coverage_text(items) -> str:  # noqa: ANN001
        owned = {i.area for i in items if i.owner and i.due_date}
        missing = [a for a in ("support", "product", "engineering") if a not in owned]
        overdue = sum(1 for i in items if i.overdue)
        text = ("Support, product and engineering each have an owned, dated fix." if not missing else
                "Still needed (owner and due date): " + ", ".join(missing) + ".")
        return text + (f"  ⚠ {overdue} overdue." if overdue else "")

    def _update_buttons(self, *_args) -> None:  # noqa: ANN002
        open_record = self.hub.session is not None and self.hub.incident_id >= 0 and not self._closed
        selected = bool(self.view.selectionModel().selectedRows())
        cards = len(self.hub.selected_quote_ids)
        workspace = self.hub.workspace
        self.add_button.setText(f"Add {self._add_area()} ite&m…")  # says where Add puts the new item
        self.quick_add_button.setText(f"Add from {cards} selected card{'s' if cards != 1 else ''}" if cards
                                      else "Add from selected cards")
        # on a read-only workspace each says why it is off (ui/read_only.py)
        enable_when_writable((self.add_button,), workspace, also=open_record)
        enable_when_writable((self.quick_add_button,), workspace, also=open_record and cards > 0)
        enable_when_writable((self.edit_button, self.delete_button, self.delete_key), workspace,
                             also=open_record and selected)

    def _selected_item(self):  # noqa: ANN202
        rows = self.view.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.item(self.proxy.mapToSource(rows[0]).row())

    def _run_dialog(self, dialog: ActionItemDialog, make) -> None:  # noqa: ANN001
        while dialog.exec() == QDialog.DialogCode.Accepted:
            try:
                command = make(dialog.values())
            except RuleError as exc:
                show_refusal(self, "Not possible", exc)
                continue
            if command is None or self._ran_or_decided(command):  # None: nothing was changed
                return
            # refused after its message (a teammate closed the incident or deleted the item, the server went
            # away), or a conflict left for later: the dialog comes back with what was typed, to try again (a
            # conflict asks again), copy it or cancel

    def _ran_or_decided(self, command: Command) -> bool:
        """True when the edit was made, or was a conflict the person settled (Keep mine / Take theirs); False
        also when they left it for later, so the dialog comes back with what they typed."""
        settled: list[bool] = []

        def on_conflict(conflict: EditConflict) -> None:
            settled.append(self._on_conflict(command, conflict))

        return self.hub.run(command, on_conflict=on_conflict) or (bool(settled) and all(settled))

    def run_checked(self, command: Command) -> bool:
        """Runs an edit made from what this screen showed; a teammate's change since is shown, not overwritten."""
        def on_conflict(conflict: EditConflict) -> None:
            self._on_conflict(command, conflict)

        return self.hub.run(command, on_conflict=on_conflict)

    def _on_conflict(self, command: Command, conflict: EditConflict) -> bool:
        """Both versions, then Keep mine (the same edit, based on theirs), Take theirs (shown) or Decide later
        (nothing written, nothing shown anew: the edit is still made from what the person saw, so making it
        again asks again). False when left for later."""
        theirs = conflict.theirs if isinstance(conflict.theirs, dict) else {}
        again: Command
        if isinstance(command, EditActionItem):
            yours = _described(command.values, theirs)
            again = EditActionItem(command.incident_id, command.item_id, based_on=theirs, **command.values)
        elif isinstance(command, DeleteActionItem):
            yours, again = "delete it", DeleteActionItem(command.incident_id, command.item_id, based_on=theirs)
        else:
            return True
        choice = ask_which(self, "This action item", yours, _described(theirs, conflict.based_on), conflict.by)
        if choice is Choice.KEEP_MINE:
            return self._ran_or_decided(again)
        if choice is Choice.TAKE_THEIRS:
            self.refresh()
        return choice is not Choice.LATER

    def _on_add_clicked(self) -> None:
        area = self._add_area()
        self._run_dialog(ActionItemDialog(self, area=area),
                         lambda values: AddActionItem(self.hub.incident_id, **values))

    def _on_edit_clicked(self, *_args) -> None:  # noqa: ANN002
        item = self._selected_item()
        if item is not None and self.edit_button.isEnabled():  # a double click on a closed record edits nothing
            self._run_dialog(ActionItemDialog(self, item=item),
                             lambda values: _edit_of(self.hub.incident_id, item, values))

    def _on_delete_clicked(self) -> None:
        item = self._selected_item()
        if item is not None:
            self.run_checked(DeleteActionItem(self.hub.incident_id, item.id, based_on=fields_of(item)))

    def _on_quick_add_clicked(self) -> None:
        ids = list(self.hub.selected_quote_ids)
        texts = [q.text for q in ReviewService(self.hub.workspace).quotes(ids)]
        area = self.area_filter.currentData() or "product"
        try:
            command = QuickAddFromQuotes(self.hub.incident_id, ids, texts, area=area)
        except RuleError as exc:
            show_refusal(self, "Not possible", exc)
            return
        if self.hub.run(command) and command.item_id is not None:  # do() sets it
            row = self.proxy.mapFromSource(self.model.index(self.model.row_of(command.item_id), 0))
            self.view.selectRow(row.row())
            self._on_edit_clicked()  # the generated description is a start; let the person finish it

    def _on_area_filter_changed(self, _index: int) -> None:
        self.proxy.set_area(self.area_filter.currentData())
        self._update_buttons()

    def resizeEvent(self, event) -> None:  # noqa: ANN001
        # On a narrow screen the fitted columns left the description a few letters wide (one letter a
        # line); it keeps a readable width and the table scrolls sideways instead.
        header = self.view.horizontalHeader()
        col = ActionItemTableModel.COL_DESCRIPTION
        others = sum(header.sectionSize(c) for c in range(header.count()) if c != col and not header.isSectionHidden(c))
        narrow = self.view.viewport().width() - others < MIN_DESCRIPTION_PX
        mode = QHeaderView.ResizeMode.Interactive if narrow else QHeaderView.ResizeMode.Stretch
        if header.sectionResizeMode(col) != mode:
            header.setSectionResizeMode(col, mode)
            if narrow:
                header.resizeSection(col, MIN_DESCRIPTION_PX)
        super().resizeEvent(event)

    def _add_area(self) -> str:
        # the area shown, else the one a link named, else the one still lacking an owned fix
        return self.area_filter.currentData() or self._linked_area or self._first_missing or "product"

    def clear_filters(self) -> None:
        self.search.clear()
        self.area_filter.setCurrentIndex(0)
        self.overdue_only.setChecked(False)

    def _show_filters(self, *_args) -> None:  # noqa: ANN002
        on = []
        if self.search.text():
            on.append(f"text “{self.search.text()}”")
        if self.area_filter.currentData():
            on.append(f"area: {self.area_filter.currentText()}")
        if self.overdue_only.isChecked():
            on.append("overdue only")
        self.filter_banner.show_filters(on, self.proxy.rowCount(), self.model.rowCount())

    def focus_item(self, payload: object) -> None:
        """Shows every action item (a link never hides what it points at); Add starts in the area named."""
        area = str(payload or "")
        self.clear_filters()
        self._linked_area = area if area in AREAS else ""
        self._update_buttons()
        self.add_button.setFocus()

    def _on_hub_incident_changed(self, _incident_id: int) -> None:
        self._linked_area = ""
        self.request_refresh()

    def _on_hub_workspace_changed(self, changes: DataChange, incident_id: int, _initiator: object) -> None:
        if changes & REFRESH_ON and self.hub.shows(incident_id):
            self.request_refresh()


def _changed(values: dict, item: ActionItemView) -> dict:
    """Only the fields the dialog changed, so the edit's name (Edit menu, Who edited) says what it changed."""
    before = fields_of(item)
    return {key: value for key, value in values.items() if value != before.get(key)}


def _described(values: dict, other: object) -> str:
    """An action item's fields that differ from the other version's, in words (all of them when none differ)."""
    shown = {key: value for key, value in values.items()
             if not isinstance(other, dict) or other.get(key) != value} or values
    return "; ".join(f"{key.replace('_', ' ')}: {_word(value)}" for key, value in shown.items())


def _word(value: object) -> str:
    if value is None or value == "":
        return "(none)"
    return value.isoformat() if isinstance(value, date) else str(value)


def _edit_of(incident_id: int, item: ActionItemView, values: dict) -> EditActionItem | None:
    """The edit of the fields the person changed, each based on what the dialog showed: a teammate's change of
    another field of the same item is kept as well, not a conflict."""
    changed = _changed(values, item)
    if not changed:
        return None
    shown = fields_of(item)
    return EditActionItem(incident_id, item.id, based_on={key: shown[key] for key in changed}, **changed)
