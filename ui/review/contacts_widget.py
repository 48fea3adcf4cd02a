"""The contact list: who needs direct contact and why, suggestions from tags, outcome, CSV export."""
from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
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


class ContactsWidget(QWidget):
    def __init__(self, hub: ScreenHub, parent=None):  # noqa: ANN001
        super().__init__(parent)
        self.hub = hub
        self.model = ContactTableModel(self)
        self.view = _table(self.model, "Contact list", self)
        triggers = QAbstractItemView.EditTrigger
        self.view.setEditTriggers(triggers.DoubleClicked | triggers.EditKeyPressed)
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

    def show_contacts(self, rows: list[ContactRow], suggestions: list[ContactSuggestion], reviewed: bool) -> None:
        # a table whose rows did not change keeps its selection and scroll (a teammate's answer elsewhere in the
        # review re-reads this too), and is not measured again: tens of thousands of suggestions on a large incident
        tables = ((self.model, self.view, rows), (self.suggestions, self.suggestion_view, suggestions))
        for model, view, shown in tables:
            if shown != model.rows:
                model.set_rows(shown)
                view.resizeColumnsToContents()
        self.reviewed.setChecked(reviewed)
        self.add_all_button.setEnabled(bool(suggestions))
        self.remove_button.setEnabled(bool(rows))
        self.export_button.setEnabled(bool(rows))

    def _on_model_contact_edited(self, customer_id: int, changes: dict) -> None:
        shown = next((row for row in self.model.rows if row.customer_id == customer_id), None)
        self.save_contact(EditContact(self.hub.incident_id, customer_id, shown, **changes), shown)

    def save_contact(self, edit: EditContact, shown: ContactRow | None) -> bool:
        """A contact edit made from the row shown; a teammate's change since offers both (Keep mine / Take theirs)."""
        def made_from(theirs: dict) -> EditContact:  # only a check against a shown row can be beaten
            assert shown is not None
            return EditContact(edit.incident_id, edit.customer_id, replace(shown, **theirs), **edit.values)

        what = f"The contact {shown.name or shown.organization}" if shown is not None else "The contact"
        return run_or_offer_both(self.hub, self, edit, what, _described(edit.values), _described, made_from,
                                 self.reread)

    def reread(self) -> None:
        """Shows the list as stored now (a teammate's change, taken)."""
        service, iid = ContactService(self.hub.workspace), self.hub.incident_id
        self.show_contacts(service.contacts(iid), service.contact_suggestions(iid), self.reviewed.isChecked())

    def _on_reviewed_clicked(self, checked: bool) -> None:
        self.hub.run(EditCloseoutFields(self.hub.incident_id, contact_list_reviewed=checked))

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
        name = self.model.index(index.row(), 0).data()
        reason, ok = QInputDialog.getText(self, "Remove from contact list",
                                          f"Why does {name} not need direct contact?")
        if ok:
            customer_id = index.data(ContactTableModel.ID_ROLE)
            try:
                command = UnflagContact(self.hub.incident_id, customer_id, reason)
            except RuleError as exc:
                QMessageBox.warning(self, "Not possible", str(exc))
                return
            self.hub.run(command)

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


def _described(values: dict) -> str:
    """A contact's edited fields as one line of the conflict dialog."""
    parts = []
    if "reason" in values:
        parts.append(f"reason: {values['reason']}")
    if "contacted" in values:
        on = values.get("contacted_on")
        parts.append(f"contacted{f' on {on:%Y-%m-%d}' if on else ''}" if values["contacted"] else "not contacted")
    return "; ".join(parts)
