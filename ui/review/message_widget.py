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
from ..hub import ScreenHub
from .record_widget import save_closeout_text
from .text_field import CommitTextEdit


class CustomerMessageWidget(QWidget):
    def __init__(self, hub: ScreenHub, parent=None):  # noqa: ANN001
        super().__init__(parent)
        self.hub = hub
        self._shown: tuple[str, str] | None = None  # the decision and reason as last shown
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
        self._layout()
        self.editor.text_committed.connect(self._on_editor_text_committed)
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
        layout.addWidget(self.decision)

    def show_fields(self, fields: CloseoutFields, changed_by: str = "") -> None:
        self._shown = (fields.customer_message_decision, fields.customer_message_reason)
        self.editor.set_committed_text(fields.customer_message, changed_by)
        self.group.setExclusive(False)
        self.sent.setChecked(fields.customer_message_decision == "sent")
        self.not_sending.setChecked(fields.customer_message_decision == "not_sending")
        self.group.setExclusive(True)
        if not self.reason.hasFocus():
            self.reason.setText(fields.customer_message_reason)
        text = {"sent": "Decided: the message was <b>sent</b>.",
                "not_sending": f"Decided: <b>not sending</b>, because {escape(fields.customer_message_reason)}."}
        self.decision.setText(text.get(fields.customer_message_decision, "Not decided yet."))

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
        decision = "sent" if self.sent.isChecked() else "not_sending" if self.not_sending.isChecked() else ""
        if not decision:
            QMessageBox.information(self, "Customer message", "Choose Sent or Not sending first.")
            return
        try:
            command = DecideCustomerMessage(self.hub.incident_id, decision, self.reason.text(), shown=self._shown)
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
        """Shows the decision as stored now (a teammate's, taken)."""
        self.show_fields(ReviewService(self.hub.workspace).closeout_fields(self.hub.incident_id))


def _decision_text(decision: str, reason: str) -> str:
    return {"sent": "sent", "not_sending": f"not sending, because {reason}"}.get(decision, "not decided")
