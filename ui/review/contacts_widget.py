"""The contact list: who needs direct contact and why, suggestions from tags, outcome, CSV export."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from postmortem_desktop.reporting.output_file import CSV, OutputError
from postmortem_desktop.services.commands import RuleError
from postmortem_desktop.services.contacts import (
    ContactRow,
    ContactService,
    ContactSuggestion,
    EditContact,
    FlagContacts,
    UnflagContact,
)
from postmortem_desktop.services.review_answers import EditCloseoutFields

from ..closeout.record_lock import KEEP_WHEN_CLOSED
from ..conflict_dialog import run_or_offer_both
from ..hub import ScreenHub
from ..output_dialog import ask_output_path, show_output_failure
from ..table_titles import keep_titles_whole
from .contact_table_model import ContactTableModel, SuggestionTableModel

RESIZE_ROWS = 200  # columns fit the widest of this many rows (Qt's default, 1000, costs 0.2 s a table when large)


def _table(model, name: str, parent) -> QTableView:  # noqa: ANN001
    view = QTableView(parent)
    view.setModel(model)
    view.setAccessibleName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.verticalHeader().hide()
    view.horizontalHeader().setStretchLastSection(True)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    keep_titles_whole(view.horizontalHeader())
    view.horizontalHeader().setResizeContentsPrecision(RESIZE_ROWS)
    return view


class _CellEditors(QStyledItemDelegate):
    """The contact list's delegate: says when a cell editor (a reason being typed) opens and when it is gone."""

    opened = Signal(QPersistentModelIndex)
    closed = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.editor: QWidget | None = None

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,
                     index: QModelIndex | QPersistentModelIndex) -> QWidget:
        self.editor = super().createEditor(parent, option, index)
        self.opened.emit(QPersistentModelIndex(index))
        return self.editor

    def destroyEditor(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:
        if editor is self.editor:
            self.editor = None
            self.closed.emit()
        super().destroyEditor(editor, index)


class ContactsWidget(QWidget):
    def __init__(self, hub: ScreenHub, parent=None):  # noqa: ANN001
        super().__init__(parent)
        self.hub = hub
        self.model = ContactTableModel(self)
        self.view = _table(self.model, "Contact list", self)
        triggers = QAbstractItemView.EditTrigger
        self.view.setEditTriggers(triggers.DoubleClicked | triggers.EditKeyPressed)
        self.cell_editors = _CellEditors(self.view)
        self.view.setItemDelegate(self.cell_editors)
        # a reason being typed in a cell: its row as it was when the typing began (what the words are made from),
        # shown until the editor closes while the rows around it follow the stored list (None: nobody is typing)
        self._typing_from: ContactRow | None = None
        self._changed_by = ""  # the teammate whose change of the list was last heard while a reason was typed
        self._typing_in: tuple[int, int] = (0, -1)  # the session and incident of that row
        self._stored: list[ContactRow] = []  # the list as last read
        self._type_again: tuple[ContactRow, str] | None = None  # words left for later: their row and the words
        self.typing_note = _wrapping(QLabel(self))
        self.typing_note.setObjectName("typing_note")
        self.typing_note.hide()
        self.suggestions = SuggestionTableModel(self)
        self.suggestion_view = _table(self.suggestions, "Suggested contacts", self)
        self.suggestion_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.reviewed = QCheckBox("Contact list reviewed", self)
        self.remove_button = QPushButton("Remove…", self)
        self.export_button = QPushButton("Export CSV…", self)
        self.export_button.setProperty(KEEP_WHEN_CLOSED, True)  # exporting is not an edit
        self.add_button = QPushButton("Add selected suggestions", self)
        self.add_all_button = QPushButton("Add all suggestions", self)
        self._layout()
        self.model.contact_edited.connect(self._on_model_contact_edited)
        self.cell_editors.opened.connect(self._on_cell_editor_opened)
        self.cell_editors.closed.connect(self._on_cell_editor_closed)
        self.reviewed.clicked.connect(self._on_reviewed_clicked)
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self.export_button.clicked.connect(self._on_export_clicked)
        self.add_button.clicked.connect(self._on_add_clicked)
        self.add_all_button.clicked.connect(self._on_add_all_clicked)

    def _layout(self) -> None:
        top = QWidget(self)
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(_wrapping(QLabel("<b>Customers to contact directly</b> — double-click a reason to "
                                              "edit it; tick Contacted when someone has spoken to them.", top)))
        top_layout.addWidget(self.view)
        top_layout.addWidget(self.typing_note)
        row = QHBoxLayout()
        for widget in (self.reviewed, self.remove_button, self.export_button):
            row.addWidget(widget)
        row.insertStretch(1, 1)
        top_layout.addLayout(row)
        bottom = QWidget(self)
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addWidget(_wrapping(QLabel("<b>Suggested</b> from data-fear, trust-loss and churn-risk quotes "
                                                 "and customers' own words about money, deadlines or being ignored",
                                                 bottom)))
        bottom_layout.addWidget(self.suggestion_view)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.add_all_button)
        bottom_layout.addLayout(buttons)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(top)
        splitter.addWidget(bottom)
        QVBoxLayout(self).addWidget(splitter)

    def show_contacts(self, rows: list[ContactRow], suggestions: list[ContactSuggestion], reviewed: bool,
                      changed_by: str = "") -> None:
        """changed_by: the teammate whose edit brought these rows, when known (named when it changed a reason being
        typed here)."""
        # a table whose rows did not change keeps its selection and scroll (a teammate's answer elsewhere in the
        # review re-reads this too), and is not measured again: tens of thousands of suggestions on a large incident
        self._stored = rows
        self._changed_by = changed_by or self._changed_by
        self._show_rows()
        if suggestions != self.suggestions.rows:
            self.suggestions.set_rows(suggestions)
            self.suggestion_view.resizeColumnsToContents()
        self.reviewed.setChecked(reviewed)
        self.add_all_button.setEnabled(bool(suggestions))
        self.remove_button.setEnabled(bool(rows))
        self.export_button.setEnabled(bool(rows))

    def _show_rows(self) -> None:
        """The contact list as last read; while a reason is typed in a cell, row by row around the row being typed
        in, which stays as the typing began (a reset would close the editor and drop the words, and the save is
        checked against what the words were made from: a teammate's change of that reason is offered, not lost)."""
        typing_from, rows = self._typing_from, self._stored
        if typing_from is not None and self._typing_in != self._where():  # another incident: its words are not these
            typing_from = self._typing_from = None
        if typing_from is None:
            self.typing_note.hide()
            if rows != self.model.rows:
                self.model.set_rows(rows)
                self.view.resizeColumnsToContents()
            return
        stored = next((row for row in rows if row.customer_id == typing_from.customer_id), None)
        self._say_changed_under_typing(typing_from, stored)
        shown = [typing_from if row.customer_id == typing_from.customer_id else row for row in rows]
        if stored is None:  # taken off the list meanwhile: its row stays where it was until the typing ends
            at = next((i for i, row in enumerate(shown)
                       if (row.organization, row.name) > (typing_from.organization, typing_from.name)), len(shown))
            shown.insert(at, typing_from)
        if shown != self.model.rows:
            self.model.update_rows(shown, key=_customer)

    def _say_changed_under_typing(self, typing_from: ContactRow, stored: ContactRow | None) -> None:
        who = self._changed_by or "Someone else"
        if stored is None:
            said = (f"{who} took {typing_from.name or typing_from.organization} off the contact list while you "
                    "were typing: saving your words will not put them back.")
        elif stored.reason != typing_from.reason:
            said = (f"{who} changed this reason while you were typing, to “{stored.reason}”. Your words are "
                    "kept: saving them asks which to keep.")
        else:
            said = ""
        self.typing_note.setText(said)
        self.typing_note.setVisible(bool(said))

    def _where(self) -> tuple[int, int]:
        return id(self.hub.session), self.hub.incident_id

    def _on_cell_editor_opened(self, index: QPersistentModelIndex) -> None:
        self._typing_from = self.model.row_at(index.row())
        self._changed_by = ""  # whoever changed the list before this typing began is not who changed it under it
        self._typing_in = self._where()

    def _on_cell_editor_closed(self) -> None:
        self._typing_from = None
        # after the view has finished closing it (Tab opens the next cell's editor first): then the list as stored
        QTimer.singleShot(0, self._after_typing)

    def _after_typing(self) -> None:
        again, self._type_again = self._type_again, None
        if again is not None and self._typing_from is None and self._typing_in == self._where():
            self._type_in_again(*again)
        elif self._typing_from is None:
            self._show_rows()

    def _type_in_again(self, made_from: ContactRow, words: str) -> None:
        """Opens the cell again with words left for later, still made from the row they were typed over."""
        self._typing_from = made_from
        self._show_rows()
        row = next((i for i, shown in enumerate(self.model.rows) if shown.customer_id == made_from.customer_id), None)
        if row is None:
            return
        index = self.model.index(row, ContactTableModel.COL_REASON)
        self.view.setCurrentIndex(index)
        self.view.edit(index)
        if isinstance(self.cell_editors.editor, QLineEdit):
            self.cell_editors.editor.setText(words)
        else:  # it did not open (the record was locked meanwhile): the list as stored
            self._typing_from = None
            self._show_rows()

    def _on_model_contact_edited(self, customer_id: int, changes: dict) -> None:
        shown = next((row for row in self.model.rows if row.customer_id == customer_id), None)
        edit = EditContact(self.hub.incident_id, customer_id, shown, **changes)
        typed = shown is not None and self._typing_from is not None and "reason" in changes

        def later() -> None:  # Decide later: the words go back into the cell, still made from what they were typed over
            if typed and shown is not None:
                self._type_again = (shown, str(changes["reason"]))

        self.save_contact(edit, shown, on_later=later)

    def save_contact(self, edit: EditContact, shown: ContactRow | None,
                     on_later: Callable[[], None] | None = None) -> bool:
        """A contact edit made from the row shown; a teammate's change since offers both (Keep mine / Take theirs)."""
        def made_from(theirs: dict) -> EditContact:  # only a check against a shown row can be beaten
            assert shown is not None
            return EditContact(edit.incident_id, edit.customer_id, replace(shown, **theirs), **edit.values)

        what = f"The contact {shown.name or shown.organization}" if shown is not None else "The contact"
        return run_or_offer_both(self.hub, self, edit, what, _described(edit.values), _described, made_from,
                                 self.reread, on_later)

    def reread(self) -> None:
        """Shows the list as stored now (a teammate's change, taken)."""
        service, iid = ContactService(self.hub.workspace), self.hub.incident_id
        self.show_contacts(service.contacts(iid), service.contact_suggestions(iid), self.reviewed.isChecked())

    def _on_reviewed_clicked(self, checked: bool) -> None:
        if not self.hub.run(EditCloseoutFields(self.hub.incident_id, contact_list_reviewed=checked)):
            # refused (the server away, a closed record): the box shows what is stored, not a tick never saved
            self.reviewed.setChecked(not checked)

    def _flag(self, picked: list[ContactSuggestion]) -> None:
        if picked:
            self.hub.run(FlagContacts(self.hub.incident_id, [(s.customer_id, s.reason) for s in picked],
                                      suggested=True))

    def _on_add_clicked(self) -> None:
        rows = sorted({i.row() for i in self.suggestion_view.selectionModel().selectedRows()})
        self._flag([self.suggestions.suggestion(r) for r in rows])

    def _on_add_all_clicked(self) -> None:
        self._flag([self.suggestions.suggestion(r) for r in range(self.suggestions.rowCount())])

    def _on_remove_clicked(self) -> None:
        index = self.view.currentIndex()
        if not index.isValid():
            QMessageBox.information(self, "Remove", "Select the customer to take off the contact list.")
            return
        self._ask_removal(self.model.row_at(index.row()))  # the row as the person saw it when they chose to remove it

    def _ask_removal(self, shown: ContactRow, reason: str = "") -> None:
        """Asks why the customer needs no direct contact, then takes them off the list, made from the row shown.
        Decide later (a teammate's change of the row meanwhile) asks again with the reason typed, from the same row,
        so the next OK offers both versions again."""
        name = shown.name or shown.organization
        reason, ok = QInputDialog.getText(self, "Remove from contact list",
                                          f"Why does {name} not need direct contact?", text=reason)
        if not ok:
            return
        try:
            command = UnflagContact(self.hub.incident_id, shown.customer_id, reason, shown)
        except RuleError as exc:
            QMessageBox.warning(self, "Not possible", str(exc))
            return

        def made_from(theirs: dict) -> UnflagContact:  # Keep mine: the removal, made from their version
            return UnflagContact(command.incident_id, command.customer_id, command.reason, replace(shown, **theirs))

        # a teammate's record of the contact since (a call made, a new reason) is shown, never deleted unseen
        yours = f"take them off the contact list ({reason})" if reason.strip() else "take them off the contact list"
        run_or_offer_both(self.hub, self, command, f"The contact {name}", yours,
                          _described, made_from, self.reread,
                          lambda: QTimer.singleShot(0, self, lambda: self._ask_removal(shown, reason)))

    def _on_export_clicked(self) -> None:
        target = ask_output_path(self, "Export contact list", "contact-list.csv", CSV,
                                 inputs=self.hub.workspace.files)
        if target is None:
            return
        try:
            count = ContactService(self.hub.workspace).export_contacts_csv(self.hub.incident_id, target)
        except OutputError as exc:
            show_output_failure(self, exc)
            return
        QMessageBox.information(self, "Contact list exported", f"Wrote {count} customers to {target}.")


def _wrapping(label: QLabel) -> QLabel:
    # a heading as wide as its sentence pushed the tab 1100 px wide, cutting 'Remove' off beside the reader
    label.setWordWrap(True)
    return label


def _customer(row: ContactRow) -> int:
    return row.customer_id


def _described(values: dict) -> str:
    """A contact's edited fields as one line of the conflict dialog."""
    parts = []
    if "reason" in values:
        parts.append(f"reason: {values['reason']}")
    if "contacted" in values:
        on = values.get("contacted_on")
        parts.append(f"contacted{f' on {on:%Y-%m-%d}' if on else ''}" if values["contacted"] else "not contacted")
    return "; ".join(parts)
