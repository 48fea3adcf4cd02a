"""The mapping dialog's "Conversations" panel: how a message-level dump groups, and each author's role.

Shown only for dumps with one row per message. The person can correct an author's role; the
corrections travel in the mapping (FieldMapping.roles), so the preview, the import and a saved
preset all use them.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QGroupBox, QHeaderView, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout

from postmortem_desktop.importers.field_mapping import MESSAGE_ROLES
from postmortem_desktop.importers.message_dump import MessageSurvey

MAX_AUTHORS = 200  # the most active authors: a social dump has thousands, and the agents are among these
ROLE_LABELS = {"customer": "Customer", "agent": "Agent", "internal": "Internal note"}


class GroupingPanel(QGroupBox):
    """Grouping summary plus a table of authors (messages, role, why) with a role box per author."""

    #: the person changed an author's role; ``corrections`` holds every change so far
    roles_changed = Signal()

    AUTHOR, MESSAGES, ROLE, WHY = range(4)

    def __init__(self, parent=None) -> None:  # noqa: ANN001
        super().__init__("Conversations", parent)
        self.setObjectName("message_grouping")
        self.corrections: dict[str, str] = {}
        self.summary = QLabel(self)
        self.summary.setObjectName("grouping_summary")
        self.summary.setWordWrap(True)
        self.authors = QTableWidget(0, 4, self)
        self.authors.setObjectName("author_roles")
        self.authors.setHorizontalHeaderLabels(["Author", "Msgs", "Role", "Why"])
        self.authors.verticalHeader().hide()
        header = self.authors.horizontalHeader()
        for column in (self.AUTHOR, self.MESSAGES):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(self.WHY, QHeaderView.ResizeMode.Stretch)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.authors, 1)
        self.hide()

    def show_survey(self, survey: MessageSurvey | None) -> None:
        """The survey of the mapping now chosen; None (one row per ticket, or a mapping problem) hides the panel."""
        if survey is None:
            self.hide()
            return
        shown = survey.authors[:MAX_AUTHORS]
        more = len(survey.authors) - len(shown)
        self.summary.setText(
            f"One row per message: <b>{survey.messages:,} messages</b> in <b>{survey.conversations:,} "
            f"conversations</b>, grouped by {survey.grouping}. "
            f"{len(survey.authors):,} authors" + (f" (the {len(shown)} with the most messages shown)" if more else "")
            + ". Correct a role below if it is wrong; every message of that author takes it.")
        self.authors.setRowCount(len(shown))
        for row, entry in enumerate(shown):
            for col, text in ((self.AUTHOR, entry.author or "(no author)"), (self.MESSAGES, f"{entry.messages:,}"),
                              (self.WHY, entry.reason)):
                item = QTableWidgetItem(text)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                item.setToolTip(text)  # the reason may be cut on a projector's narrow dialog
                self.authors.setItem(row, col, item)
            self.authors.setCellWidget(row, self.ROLE, self._role_box(entry.author, entry.role))
        if shown:  # a cell widget is not measured by ResizeToContents: "Customer" would be cut in large type
            box = self.authors.cellWidget(0, self.ROLE)
            self.authors.setColumnWidth(self.ROLE, max(self.authors.columnWidth(self.ROLE), box.sizeHint().width()))
        self.show()

    def _role_box(self, author: str, role: str) -> QComboBox:
        box = QComboBox(self.authors)
        box.setAccessibleName(f"Role of {author or 'messages without an author'}")
        for value in MESSAGE_ROLES:
            box.addItem(ROLE_LABELS[value], value)
        box.setCurrentIndex(max(0, box.findData(role)))
        box.currentIndexChanged.connect(
            lambda _index, author=author, box=box: self._corrected(author, box.currentData()))
        return box

    def _corrected(self, author: str, role: str) -> None:
        self.corrections[author] = role
        self.roles_changed.emit()

    def set_corrections(self, roles: dict[str, str]) -> None:
        """Corrections from a preset the person chose."""
        self.corrections = dict(roles)
