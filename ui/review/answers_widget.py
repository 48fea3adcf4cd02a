"""The five review questions: an answer field each, with the quotes that back it up."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QBoxLayout,
    QDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from postmortem_desktop.domain.vocabulary import RECORD_FIELD_OF_ANSWER, REVIEW_QUESTIONS
from postmortem_desktop.services.review_answers import (
    LinkAnswerQuotes,
    ReviewAnswerView,
    ReviewService,
    SetReviewAnswer,
    UnlinkAnswerQuote,
)

from ..hub import ScreenHub
from ..read_only import short_reason
from .quote_list_model import QuoteListModel
from .quote_picker_dialog import QuotePickerDialog
from .record_widget import RECORD_LABELS
from .text_field import CommitTextEdit, save_field

#: where an answer without quotes says how to link some
NO_QUOTES_HINT = "Linked quotes: none yet — Pick quotes…, or select cards on the Board."
#: the same on a read-only workspace, where nothing can be linked: the reason instead of a way that cannot work
# the reason (who holds the file, which role lacks rights) is the hint's tooltip: the status bar says it once
# already, and beside each of the five answers it read as the same long sentence five times
READ_ONLY_NO_QUOTES_HINT = "Linked quotes: none. Read-only: quotes can be read here, not linked."
STACK_BELOW_PX = 760
ANSWER_MIN_PX, ANSWER_MAX_PX = 70, 320  # an answer box's height: three lines at least; beyond the cap it scrolls


class _AnswerBlock(QWidget):
    def __init__(self, key: str, question: str, number: int, parent=None):  # noqa: ANN001
        super().__init__(parent)
        self.key = key
        self.question = question
        title = QLabel(f"<b>{number}. {question}</b>", self)
        title.setWordWrap(True)
        self.answer = CommitTextEdit(question, "Answer in the customers' terms…", self)
        self.answer.setMinimumHeight(ANSWER_MIN_PX)
        # the answer grows with its text (to a cap) rather than scrolling inside a small box
        self.answer.document().documentLayout().documentSizeChanged.connect(lambda _size: self._fit_answer())
        #: says where else this answer shows when it is also a close-out fact (one record, typed once)
        self.record_note = QLabel(self)
        self.record_note.setObjectName("record_note")
        self.record_note.setWordWrap(True)
        field = RECORD_FIELD_OF_ANSWER.get(key)
        self.record_note.setVisible(field is not None)
        if field is not None:
            self.record_note.setText(f"This answer is also the close-out record's {RECORD_LABELS[field].lower()}: "
                                     "the same text shows and counts in both places.")
        self.quote_hint = QLabel(self)
        self.quote_hint.setWordWrap(True)  # a long hint must not claim the row's width from the answer
        self.quote_hint.setTextFormat(Qt.TextFormat.PlainText)  # the read-only reason names a file or a role
        self.quotes = QuoteListModel(self)
        self.quote_view = QListView(self)
        self.quote_view.setAccessibleName(f"Quotes linked to: {question}")
        self.quote_view.setModel(self.quotes)
        self.quote_view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        # linked quotes are read in full: each wraps to the list's width, none is cut at one line
        self.quote_view.setWordWrap(True)
        self.quote_view.setUniformItemSizes(False)
        self.quote_view.setResizeMode(QListView.ResizeMode.Adjust)
        self.quote_view.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.quote_view.setMinimumHeight(60)
        self.quote_view.setMaximumHeight(140)
        self.quote_view.setVisible(False)
        for changed in (self.quotes.modelReset, self.quotes.rowsInserted, self.quotes.rowsRemoved):
            changed.connect(self._on_quotes_changed)
        self.link_button = QPushButton("Link selected cards", self)
        self.link_button.setToolTip("Link the quote cards selected on the board to this answer")
        self.pick_button = QPushButton("Pick quotes…", self)
        self.pick_button.setToolTip("Choose quotes of this incident to link, without leaving the Review")
        self.unlink_button = QPushButton("Unlink", self)
        # one above the other: side by side, in projector type, they claimed half the row from the answer
        buttons = QVBoxLayout()
        for button in (self.pick_button, self.link_button, self.unlink_button):
            row = QHBoxLayout()
            row.addWidget(button)
            row.addStretch(1)
            buttons.addLayout(row)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 6)
        layout.addWidget(title)
        answer_column = QVBoxLayout()
        answer_column.addWidget(self.answer)
        answer_column.addWidget(self.answer.conflict_bar)
        answer_column.addWidget(self.record_note)
        answer_column.addStretch(1)  # the answer stays at the top when the quotes beside it are taller
        side = QVBoxLayout()
        side.addWidget(self.quote_hint)
        side.addWidget(self.quote_view)
        side.addLayout(buttons)
        #: answer and quotes side by side, or the quotes below the answer when the block is narrow
        self.row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        # the answer is what the room reads: it gets two thirds of the row, the linked quotes one third
        self.row.addLayout(answer_column, 2)
        self.row.addLayout(side, 1)
        layout.addLayout(self.row)

    def _on_quotes_changed(self) -> None:
        """An empty quote list is not drawn: the hint and the buttons say how to link one."""
        self.quote_view.setVisible(self.quotes.rowCount() > 0)

    def _fit_answer(self) -> None:
        document = self.answer.document()
        lines = document.documentLayout().documentSize().height()  # a QPlainTextEdit counts in (wrapped) lines
        spacing = self.answer.fontMetrics().lineSpacing()
        frame = self.answer.height() - self.answer.viewport().height()  # border and the theme's padding
        needed = int(max(lines, 1) * spacing + 2 * document.documentMargin()) + frame + 2
        self.answer.setFixedHeight(max(ANSWER_MIN_PX, min(needed, ANSWER_MAX_PX)))

    def resizeEvent(self, event) -> None:  # noqa: ANN001
        # below this width two columns squeeze the answer to a few words a line (1280x720 with the reader open)
        narrow = self.width() < STACK_BELOW_PX
        direction = QBoxLayout.Direction.TopToBottom if narrow else QBoxLayout.Direction.LeftToRight
        if self.row.direction() != direction:
            self.row.setDirection(direction)
        super().resizeEvent(event)
        self._fit_answer()


class AnswersWidget(QScrollArea):
    def __init__(self, hub: ScreenHub, parent=None):  # noqa: ANN001
        super().__init__(parent)
        self.hub = hub
        self.setWidgetResizable(True)
        inner = QWidget(self)
        layout = QVBoxLayout(inner)
        self.blocks: dict[str, _AnswerBlock] = {}
        self.locked = False  # a closed incident's answers take no edits or links
        for number, (key, question) in enumerate(REVIEW_QUESTIONS, start=1):
            block = _AnswerBlock(key, question, number, inner)
            block.answer.text_committed.connect(lambda text, k=key: self._on_answer_text_committed(k, text))
            block.link_button.clicked.connect(lambda _=False, k=key: self._on_link_clicked(k))
            block.unlink_button.clicked.connect(lambda _=False, k=key: self._on_unlink_clicked(k))
            block.pick_button.clicked.connect(lambda _=False, k=key: self._on_pick_clicked(k))
            layout.addWidget(block)
            self.blocks[key] = block
        layout.addStretch(1)
        self.setWidget(inner)
        contact_note = self.blocks["contact"].record_note
        contact_note.setTextFormat(Qt.TextFormat.RichText)
        contact_note.linkActivated.connect(self._on_contact_note_link_activated)
        hub.quotes_selected.connect(self._on_hub_quotes_selected)
        self._on_hub_quotes_selected(hub.selected_quote_ids)

    def show_answers(self, answers: list[ReviewAnswerView], changed_by: str = "") -> None:
        """changed_by: the teammate whose edit brought these answers, when known."""
        reason = short_reason(self.hub.workspace)
        no_quotes = READ_ONLY_NO_QUOTES_HINT if reason else NO_QUOTES_HINT
        for view in answers:
            block = self.blocks[view.key]
            block.answer.set_committed_text(view.answer, changed_by)
            block.quotes.set_rows(view.quotes)
            block.unlink_button.setEnabled(bool(view.quotes))
            block.quote_hint.setText(f"Linked quotes ({len(view.quotes)})" if view.quotes else no_quotes)
            block.quote_hint.setToolTip("" if view.quotes else reason)

    def show_contact_list(self, flagged: int, contacted: int, reviewed: bool) -> None:
        """Question 5 asks who needs contact; the contact list is what records it and what the
        checklist counts, so its state shows under the answer, with the way there."""
        note = self.blocks["contact"].record_note
        state = (f"{flagged} customer{'s' if flagged != 1 else ''} on it, {contacted} contacted"
                 if flagged else "nobody on it yet")
        note.setText(f"The contact list records who needs contact ({state}; "
                     f"{'reviewed' if reviewed else 'not reviewed yet'}): that is what the checklist counts. "
                     '<a href="contacts">Open the contact list</a>')
        note.show()

    def _on_contact_note_link_activated(self, _link: str) -> None:
        self.hub.navigation_requested.emit("review", "contacts")

    def _on_hub_quotes_selected(self, quote_ids) -> None:  # noqa: ANN001
        count = len(quote_ids or [])
        for block in self.blocks.values():
            block.link_button.setEnabled(count > 0 and not self.locked)
            block.link_button.setText(f"Link {count} selected card{'s' if count != 1 else ''}" if count
                                      else "Link selected cards")

    def _on_answer_text_committed(self, key: str, text: str) -> None:
        field = self.blocks[key].answer
        save_field(self.hub, field, SetReviewAnswer(self.hub.incident_id, key, text, based_on=field.saved_from), str)

    def _on_link_clicked(self, key: str) -> None:
        self.hub.run(LinkAnswerQuotes(self.hub.incident_id, key, list(self.hub.selected_quote_ids)))

    def _on_pick_clicked(self, key: str) -> None:
        block = self.blocks[key]
        linked = {block.quotes.index(r).data(QuoteListModel.ID_ROLE) for r in range(block.quotes.rowCount())}
        quotes = ReviewService(self.hub.workspace).incident_quotes(self.hub.incident_id)
        dialog = QuotePickerDialog(block.question, quotes, linked, self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.selected_ids():
            self.hub.run(LinkAnswerQuotes(self.hub.incident_id, key, dialog.selected_ids()))

    def _on_unlink_clicked(self, key: str) -> None:
        block = self.blocks[key]
        rows = block.quote_view.selectionModel().selectedRows() or (
            [block.quotes.index(0)] if block.quotes.rowCount() == 1 else [])
        for index in rows:
            self.hub.run(UnlinkAnswerQuote(self.hub.incident_id, key, index.data(QuoteListModel.ID_ROLE)))
