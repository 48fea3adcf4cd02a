"""Customer severity: the rubric's suggestion with its reasons; confirm it, or override with a reason."""
from __future__ import annotations

from html import escape

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from postmortem_desktop.domain.vocabulary import SEVERITIES
from postmortem_desktop.services.commands import RuleError
from postmortem_desktop.services.customer_severity import DecideSeverity, SeverityService, SeverityState
from postmortem_desktop.services.review_answers import HistoryEntry, ReviewService
from postmortem_desktop.storage.decisions import SEVERITY_DECISIONS

from ..conflict_dialog import run_or_offer_both
from ..errors import show_refusal
from ..hub import ScreenHub


def decision_line(entry: HistoryEntry) -> str:
    """One recorded decision as the widget lists it (rich text): when, who decided when the history says, what."""
    who = f"{escape(entry.by)}: " if entry.by else ""  # a file's decisions, and those from before, name no one
    return f"{entry.at:%Y-%m-%d %H:%M} UTC — {who}{escape(entry.detail)}"


class SeverityWidget(QWidget):
    def __init__(self, hub: ScreenHub, parent=None):  # noqa: ANN001
        super().__init__(parent)
        self.hub = hub
        self._state: SeverityState | None = None
        self._closed = False
        self._history = ""
        self.headline = QLabel(self)
        self.headline.setObjectName("severity_headline")
        font = self.headline.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.headline.setFont(font)
        self.reasons = QLabel(self)
        self.reasons.setWordWrap(True)
        self.decision = QLabel(self)
        self.decision.setWordWrap(True)
        self.level = QComboBox(self)
        self.level.addItems(SEVERITIES)
        self.level.setAccessibleName("Customer severity")
        self.level.setMaximumWidth(160)
        self.reason = QLineEdit(self)
        self.reason.setPlaceholderText("Why (required to override; optional note when confirming)")
        self.reason.setAccessibleName("Reason for the customer severity")
        self.confirm_button = QPushButton("Confirm suggestion", self)
        self.override_button = QPushButton("Override", self)
        self.history = QLabel(self)
        self.history.setWordWrap(True)
        self._layout()
        self.level.currentTextChanged.connect(self._on_level_current_text_changed)
        self.confirm_button.clicked.connect(self._on_confirm_clicked)
        self.override_button.clicked.connect(self._on_override_clicked)

    def _layout(self) -> None:
        suggestion = QGroupBox("Suggested from the evidence", self)
        box = QVBoxLayout(suggestion)
        box.addWidget(self.headline)
        box.addWidget(self.reasons)
        decide = QGroupBox("Facilitator's decision", self)
        form = self._form = QFormLayout(decide)
        form.addRow(self.decision)
        form.addRow("Customer severity:", self.level)
        form.addRow("Reason:", self.reason)
        buttons = QHBoxLayout()
        buttons.addWidget(self.confirm_button)
        buttons.addWidget(self.override_button)
        buttons.addStretch(1)
        form.addRow(buttons)
        self._buttons = buttons
        history = QGroupBox("Decisions recorded", self)
        QVBoxLayout(history).addWidget(self.history)
        layout = QVBoxLayout(self)
        layout.addWidget(suggestion)
        layout.addWidget(decide)
        layout.addWidget(history)
        layout.addStretch(1)

    def show_state(self, state: SeverityState, history: list[HistoryEntry]) -> None:
        self._state = state
        s = state.suggestion
        self.headline.setText(f"technical {s.technical} → customer {s.suggested}")
        self.reasons.setText("because:<ul>" + "".join(f"<li>{escape(r)}</li>" for r in s.reasons) + "</ul>")
        self.level.blockSignals(True)
        self.level.setCurrentText(state.confirmed or s.suggested)
        self.level.blockSignals(False)
        self._on_level_current_text_changed(self.level.currentText())
        self._history = "<br>".join(decision_line(h) for h in history if h.kind in SEVERITY_DECISIONS)
        self._show_decision()

    def show_closed(self, closed: bool) -> None:
        """A closed record can no longer be decided: say what was recorded and hide the controls that
        would invite a decision (the close-out does not require this one, so it may be missing)."""
        self._closed = closed
        for row in (self.level, self.reason, self._buttons):
            self._form.setRowVisible(row, not closed)
        self._show_decision()

    def _show_decision(self) -> None:
        state = self._state
        if state is not None and state.confirmed:
            by = f" by {escape(state.decided_by)}" if state.decided_by else ""
            self.decision.setText(f"Decided{by}: customer <b>{state.confirmed}</b> — {escape(state.reason)}")
        elif self._closed:
            self.decision.setText("No customer severity was decided: the incident was closed without one. "
                                  "Reopen it to record a decision.")
        else:
            self.decision.setText("Not decided yet: confirm the suggestion or override it with a reason.")
        self.history.setText(self._history or ("No decision was recorded." if self._closed
                                               else "No decision recorded yet."))

    def _on_level_current_text_changed(self, level: str) -> None:
        suggested = self._state.suggestion.suggested if self._state else ""
        self.confirm_button.setText(f"Confirm {suggested}" if suggested else "Confirm suggestion")
        self.override_button.setEnabled(bool(suggested) and level != suggested)
        self.override_button.setText(f"Override with {level}" if level != suggested else "Override")

    def _on_confirm_clicked(self) -> None:
        if self._state is not None:
            s = self._state.suggestion
            decision = DecideSeverity(self.hub.incident_id, s, s.suggested, self.reason.text(), shown=self._state)
            if self.decide(decision):
                self.reason.clear()

    def _on_override_clicked(self) -> None:
        if self._state is None:
            return
        try:
            command = DecideSeverity(self.hub.incident_id, self._state.suggestion, self.level.currentText(),
                                     self.reason.text(), shown=self._state)
        except RuleError as exc:
            show_refusal(self, "Not possible", exc)
            self.reason.setFocus()
            return
        if self.decide(command):
            self.reason.clear()

    def decide(self, command: DecideSeverity) -> bool:
        """A decision made from the one shown; a teammate's decision since offers both (Keep mine / Take theirs)."""
        def stored(theirs: dict) -> SeverityState:
            return SeverityState(command.suggestion, str(theirs.get("customer_severity", "")),
                                 str(theirs.get("customer_severity_reason", "")))

        yours = f"{command.values['customer_severity']} — {command.values['customer_severity_reason']}"
        return run_or_offer_both(
            self.hub, self, command, "The customer severity", yours,
            lambda theirs: f"{stored(theirs).confirmed or 'not decided'} — {stored(theirs).reason}",
            lambda theirs: command.again_over(stored(theirs)), self._reread)

    def _reread(self) -> None:
        """Shows the decision as stored now (a teammate's, taken)."""
        workspace, iid = self.hub.workspace, self.hub.incident_id
        self.show_state(SeverityService(workspace).severity(iid), ReviewService(workspace).history(iid))
