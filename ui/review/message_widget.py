"""The note to affected customers: a draft from the record, editable; then sent, or not sending because…"""
from __future__ import annotations

from html import escape

from PySide6.QtWidgets import (
    QButtonGroup,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from postmortem_desktop.services.commands import RuleError
from postmortem_desktop.services.customer_message import CustomerMessageService, DecideCustomerMessage
from postmortem_desktop.services.review_answers import CloseoutFields, ReviewService

from ..conflict_dialog import run_or_offer_both
from ..held_choice import HeldChoice
from ..hub import ScreenHub
from .record_widget import save_closeout_text
from .text_field import CommitTextEdit, ConflictBar


class CustomerMessageWidget(QWidget):
    def __init__(self, hub: ScreenHub, parent=None):  # noqa: ANN001
        super().__init__(parent)
        self.hub = hub
        self.editor = CommitTextEdit("Customer message", "Generate a draft from the record, then edit it.", self)
        self.draft_button = QPushButton("Generate draft from the record", self)
        self.sent = QRadioButton("Sent", self)
        self.not_sending = QRadioButton("Not sending, because:", self)
        self.group = QButtonGroup(self)
        self.group.addButton(self.sent)
        self.group.addButton(self.not_sending)
        self.reason = QLineEdit(self)
        self.reason.setAccessibleName("Why the message is not being sent")
        self.reason.setPlaceholderText("e.g. every affected account was called instead")
        self.record_button = QPushButton("Record decision", self)
        self.decision = QLabel(self)
        self.decision.setWordWrap(True)
        #: the decision and reason as last shown from the store (what Record decision is based on), and whether the
        #: person has chosen or typed something else since: a teammate's change re-reads, and keeps that
        self.choice: HeldChoice[tuple[str, str]] = HeldChoice(
            lambda: (self.sent.isChecked(), self.not_sending.isChecked(), self.reason.text()))
        #: under the decision: a teammate's decision stored under the person's choice not recorded yet
        self.choice_bar = ConflictBar(self)
        self.choice_bar.keep_mine.connect(self._on_keep_mine)
        self.choice_bar.take_theirs.connect(self._show_stored)
        self._layout()
        self.editor.text_committed.connect(self._on_editor_text_committed)
        for changed in (self.sent.toggled, self.not_sending.toggled, self.reason.textChanged):
            changed.connect(self._on_choice_changed)
        self.draft_button.clicked.connect(self._on_draft_clicked)
        self.record_button.clicked.connect(self._on_record_clicked)

    def _layout(self) -> None:
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        purpose = QLabel("What happened, what it means for them, what we are doing.", self)
        purpose.setWordWrap(True)  # beside the draft button in a narrow tab it wraps rather than push it off
        top.addWidget(purpose, 1)
        top.addWidget(self.draft_button)
        layout.addLayout(top)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.editor.conflict_bar)
        decide = QGroupBox("Decision", self)
        row = QHBoxLayout(decide)
        row.addWidget(self.sent)
        row.addWidget(self.not_sending)
        row.addWidget(self.reason, 1)
        row.addWidget(self.record_button)
        layout.addWidget(decide)
        layout.addWidget(self.choice_bar)
        layout.addWidget(self.decision)

    def show_fields(self, fields: CloseoutFields, changed_by: str = "") -> None:
        """Shows the stored message and decision; a decision being chosen here (a button ticked, a reason typed, not
        recorded yet) stays, and a teammate's decision stored under it is said in the bar below it."""
        self.editor.set_committed_text(fields.customer_message, changed_by)
        stored = (fields.customer_message_decision, fields.customer_message_reason)
        if self.choice.keeps(stored, self._mine(), changed_by):
            self._show_theirs()
        else:
            self._put(stored)
        text = {"sent": "Decided: the message was <b>sent</b>.",
                "not_sending": f"Decided: <b>not sending</b>, because {escape(fields.customer_message_reason)}."}
        self.decision.setText(text.get(fields.customer_message_decision, "Not decided yet."))

    def _put(self, stored: tuple[str, str]) -> None:
        decision, reason = stored
        self.group.setExclusive(False)
        self.sent.setChecked(decision == "sent")
        self.not_sending.setChecked(decision == "not_sending")
        self.group.setExclusive(True)
        if self.reason.text() != reason:
            self.reason.setText(reason)
        self.choice.put(stored)
        self.choice_bar.hide()

    def _chosen(self) -> str:
        return "sent" if self.sent.isChecked() else "not_sending" if self.not_sending.isChecked() else ""

    def _mine(self) -> tuple[str, str]:
        """The decision chosen here as it would be stored (DecideCustomerMessage's reason: stripped, only when not
        sending)."""
        decision = self._chosen()
        return decision, self.reason.text().strip() if decision == "not_sending" else ""

    def _show_theirs(self) -> None:
        if self.choice.theirs is None:
            self.choice_bar.hide()
        else:
            self.choice_bar.show_choice(_decision_text(*self.choice.theirs), self.choice.by,
                                        _decision_text(*self._mine()))

    def _on_choice_changed(self) -> None:
        if self.choice.in_conflict:  # the bar's "yours" follows the choosing
            self._show_theirs()

    def forget_choice(self) -> None:
        """Another incident is shown: its stored decision, not what was being chosen for the one before."""
        self.choice.forget()
        self.choice_bar.hide()

    def _on_editor_text_committed(self, text: str) -> None:
        save_closeout_text(self.hub, self.editor, "customer_message", text)

    def _on_draft_clicked(self) -> None:
        if self.editor.toPlainText().strip():
            answer = QMessageBox.question(self, "Replace the message?",
                                          "Replace the current text with a new draft? (Edit › Undo brings it back.)")
            if answer != QMessageBox.StandardButton.Yes:
                return
        draft = CustomerMessageService(self.hub.workspace).draft_message(self.hub.incident_id, self.hub.zone_name)
        # saved as typed words are: based on the text shown, so a teammate's newer message shows beside the
        # draft (Keep mine / Take theirs) rather than being replaced by it
        self.editor.setPlainText(draft)
        self.editor.commit()

    def _on_record_clicked(self) -> None:
        self._record(self.choice.shown)

    def _on_keep_mine(self) -> None:
        """The bar's Keep mine: records the decision chosen here over the teammate's now stored."""
        if self.choice.theirs is not None:
            self._record(self.choice.theirs)

    def _record(self, shown: tuple[str, str] | None) -> None:
        """Records the decision chosen here, made from shown (the stored one it was chosen over)."""
        decision = self._chosen()
        if not decision:
            QMessageBox.information(self, "Customer message", "Choose Sent or Not sending first.")
            return
        try:
            command = DecideCustomerMessage(self.hub.incident_id, decision, self.reason.text(), shown=shown)
        except RuleError as exc:
            QMessageBox.warning(self, "Not possible", str(exc))
            self.reason.setFocus()
            return
        self.decide(command)

    def decide(self, command: DecideCustomerMessage) -> None:
        """A decision made from the one shown; a teammate's decision since offers both (Keep mine / Take theirs)."""
        def stored(theirs: dict) -> tuple[str, str]:
            return str(theirs.get("customer_message_decision", "")), str(theirs.get("customer_message_reason", ""))

        run_or_offer_both(self.hub, self, command, "The customer message decision",
                          _decision_text(command.decision, command.reason),
                          lambda theirs: _decision_text(*stored(theirs)),
                          lambda theirs: command.again_over(stored(theirs)), self._show_stored)

    def _show_stored(self) -> None:
        """Shows the decision as stored now (a teammate's, taken): the one chosen here is dropped."""
        self.choice.forget()
        self.show_fields(ReviewService(self.hub.workspace).closeout_fields(self.hub.incident_id))


def _decision_text(decision: str, reason: str) -> str:
    return {"sent": "sent", "not_sending": f"not sending, because {reason}"}.get(decision, "not decided")
