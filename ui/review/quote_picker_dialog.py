"""Picks quotes to back a review answer from within the Review, without going to the Board."""
from __future__ import annotations

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListView,
    QVBoxLayout,
    QWidget,
)

from postmortem_desktop.services.review_answers import QuoteRef

from .quote_list_model import QuoteListModel


class QuotePickerDialog(QDialog):
    def __init__(self, question: str, quotes: list[QuoteRef], linked: set[int], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Link quotes")
        self.resize(720, 520)
        intro = QLabel(f"Choose the quotes that back the answer to: <b>{question}</b>", self)
        intro.setWordWrap(True)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Find words in the quotes, a customer or a tag…")
        self.search.setClearButtonEnabled(True)
        self.model = QuoteListModel(self)
        self.model.set_rows([q for q in quotes if q.id not in linked])  # already linked ones are not offered twice
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.view = QListView(self)
        self.view.setAccessibleName("Quotes of this incident")
        self.view.setModel(self.proxy)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setWordWrap(True)
        self.view.setUniformItemSizes(False)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        self.view.setAlternatingRowColors(True)
        self.count = QLabel(self)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.search)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.count)
        layout.addWidget(self.buttons)
        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        self.search.textChanged.connect(self._show_count)
        self.view.selectionModel().selectionChanged.connect(self._show_count)
        self.view.doubleClicked.connect(self.accept)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self._show_count()

    def _show_count(self, *_args) -> None:  # noqa: ANN002
        chosen = len(self.selected_ids())
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        if total == 0:
            text = "No quotes to link yet: highlight words in a conversation (the reader) to make one."
        elif shown < total:
            text = f"Showing {shown} of {total} quotes that match “{self.search.text()}”. {chosen} chosen."
        else:
            text = f"{total} quotes. {chosen} chosen."
        self.count.setText(text)
        self.ok_button.setEnabled(chosen > 0)
        self.ok_button.setText(f"Link {chosen} quote{'s' if chosen != 1 else ''}" if chosen else "Link")

    def selected_ids(self) -> list[int]:
        return [index.data(QuoteListModel.ID_ROLE) for index in self.view.selectionModel().selectedRows()]
