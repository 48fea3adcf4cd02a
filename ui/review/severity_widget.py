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
from ..held_choice import HeldChoice
from ..hub import ScreenHub
from .text_field import ConflictBar


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
        #: the decision (level, reason) as last shown from the store, what a decision made here is based on, and
        #: whether the person has chosen a level or typed a reason since: a teammate's change re-reads, and keeps that
        self.choice: HeldChoice[tuple[str, str]] = HeldChoice(lambda: (self.level.currentText(), self.reason.text()))
        #: under the buttons: a teammate's decision stored under the level or reason chosen here, not recorded yet
        self.choice_bar = ConflictBar(self)
        self.choice_bar.keep_mine.connect(self._on_keep_mine)
        self.choice_bar.take_theirs.connect(lambda: self._put(self._state))
        self._layout()
        self.level.currentTextChanged.connect(self._on_level_current_text_changed)
        self.reason.textChanged.connect(self._on_choice_changed)
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
        form.addRow(self.choice_bar)
        self._buttons = buttons
        history = QGroupBox("Decisions recorded", self)
        QVBoxLayout(history).addWidget(self.history)
        layout = QVBoxLayout(self)
        layout.addWidget(suggestion)
        layout.addWidget(decide)
        layout.addWidget(history)
        layout.addStretch(1)

    def show_state(self, state: SeverityState, history: list[HistoryEntry], changed_by: str = "") -> None:
        """Shows the suggestion and the stored decision; a level chosen or a reason typed here (not recorded yet)
        stays, and a teammate's decision stored under it is said in the bar below (changed_by: who, when known)."""
        self._state = state
        s = state.suggestion
        self.headline.setText(f"technical {s.technical} → customer {s.suggested}")
        self.reasons.setText("because:<ul>" + "".join(f"<li>{escape(r)}</li>" for r in s.reasons) + "</ul>")
        if self.choice.keeps((state.confirmed, state.reason), self._mine(), changed_by):
            self._show_theirs()
        else:
            self._put(state)
        self._on_level_current_text_changed(self.level.currentText())
        self._history = "<br>".join(decision_line(h) for h in history if h.kind in SEVERITY_DECISIONS)
        self._show_decision()

    def _put(self, state: SeverityState | None) -> None:
        """Shows the stored decision in the controls (the suggestion when none): nothing chosen here any more."""
        if state is None:
            return
        self.level.blockSignals(True)
        self.level.setCurrentText(state.confirmed or state.suggestion.suggested)
        self.level.blockSignals(False)
        self._on_level_current_text_changed(self.level.currentText())
        self.reason.clear()  # the stored reason reads in the decision line; this box is for the next decision's
        self.choice.put((state.confirmed, state.reason))
        self.choice_bar.hide()

    def _mine(self) -> tuple[str, str]:
        """The decision chosen here as it would be stored (DecideSeverity's: a confirmation without a note stores
        the suggestion's sentence)."""
        level, reason = self.level.currentText(), self.reason.text().strip()
        suggestion = self._state.suggestion if self._state else None
        confirming = suggestion is not None and level == suggestion.suggested
        return level, reason or (suggestion.sentence() if suggestion is not None and confirming else "")

    def _show_theirs(self) -> None:
        theirs = self.choice.theirs
        if theirs is None:
            self.choice_bar.hide()
            return

        def said(decision: tuple[str, str]) -> str:
            return f"{decision[0] or 'not decided'} — {decision[1] or '(no reason)'}"
        self.choice_bar.show_choice(said(theirs), self.choice.by, said(self._mine()))

    def _on_choice_changed(self) -> None:
        if self.choice.in_conflict:  # the bar's "yours" follows the choosing
            self._show_theirs()

    def forget_choice(self) -> None:
        """Another incident is shown: its stored decision, not what was being chosen for the one before."""
        self.choice.forget()
        self.choice_bar.hide()

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
        self._on_choice_changed()

    def _on_confirm_clicked(self) -> None:
        if self._state is not None:
            self._decide_as(self._state.suggestion.suggested, self.choice.shown)

    def _on_override_clicked(self) -> None:
        if self._state is not None:
            self._decide_as(self.level.currentText(), self.choice.shown)

    def _on_keep_mine(self) -> None:
        """The bar's Keep mine: the level and reason chosen here, recorded over the teammate's decision now stored."""
        if self._state is not None and self.choice.theirs is not None:
            self._decide_as(self.level.currentText(), self.choice.theirs)

    def _decide_as(self, level: str, shown: tuple[str, str] | None) -> None:
        """Records level with the reason typed, made from shown (the stored decision it was chosen over)."""
        state = self._state
        if state is None:
            return
        confirmed, reason = shown or (state.confirmed, state.reason)
        try:
            command = DecideSeverity(self.hub.incident_id, state.suggestion, level, self.reason.text(),
                                     shown=SeverityState(state.suggestion, confirmed, reason))
        except RuleError as exc:
            show_refusal(self, "Not possible", exc)
            self.reason.setFocus()
            return
        if self.decide(command):
            self._put(self._state)  # the decision just recorded (the re-read it brought set _state)

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
        """Shows the decision as stored now (a teammate's, taken): the one chosen here is dropped."""
        workspace, iid = self.hub.workspace, self.hub.incident_id
        self.choice.forget()
        self.show_state(SeverityService(workspace).severity(iid), ReviewService(workspace).history(iid))
