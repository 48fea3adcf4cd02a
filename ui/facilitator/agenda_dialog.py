"""The agenda editor: steps in order on the left, the selected step's title, minutes and screen on the right."""
from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from postmortem_desktop.domain.agenda import (
    DEFAULT_AGENDA,
    MAX_STEP_MINUTES,
    Agenda,
    AgendaError,
    AgendaStep,
    moved,
    new_step_key,
    validate,
    with_step,
)


class AgendaEditorDialog(QDialog):
    """Edits a copy of the agenda; `agenda` holds the result when the dialog is accepted."""

    def __init__(self, agenda: Agenda, screens: list[tuple[str, str]], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Facilitator Agenda")
        self.agenda = agenda
        self.screen_choices = screens
        self._showing = False
        self.steps = QListWidget(self)
        self.steps.setAccessibleName("Agenda steps")
        self._build_form()
        self._build_buttons()
        self._lay_out()
        self.steps.currentRowChanged.connect(self._on_steps_current_row_changed)
        self._refill(0)

    def _build_form(self) -> None:
        self.title = QLineEdit(self)
        self.minutes = QSpinBox(self)
        self.minutes.setRange(1, MAX_STEP_MINUTES)
        self.minutes.setSuffix(" min")
        self.screen_choice = QComboBox(self)
        for key, title in self.screen_choices:
            self.screen_choice.addItem(title, key)
        self.payload = QLineEdit(self)
        self.payload.setPlaceholderText("optional, e.g. task or customer_damage")
        self.prompt = QLineEdit(self)
        self.prompt.setPlaceholderText("one line for the room")
        for widget, name in ((self.title, "Step title"), (self.minutes, "Step minutes"),
                             (self.screen_choice, "Step screen"),
                             (self.payload, "Field to focus"), (self.prompt, "Prompt for the room")):
            widget.setAccessibleName(name)
        self.title.textEdited.connect(self._on_form_edited)
        self.minutes.valueChanged.connect(self._on_form_edited)
        self.screen_choice.activated.connect(self._on_form_edited)
        self.payload.textEdited.connect(self._on_form_edited)
        self.prompt.textEdited.connect(self._on_form_edited)

    def _build_buttons(self) -> None:
        self.add_button = QPushButton("&Add Step", self)
        self.remove_button = QPushButton("Re&move", self)
        self.up_button = QPushButton("Move &Up", self)
        self.down_button = QPushButton("Move &Down", self)
        self.reset_button = QPushButton("Reset to &Default", self)
        self.add_button.clicked.connect(self._on_add_clicked)
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self.up_button.clicked.connect(lambda: self._move(-1))
        self.down_button.clicked.connect(lambda: self._move(+1))
        self.reset_button.clicked.connect(self._on_reset_clicked)
        self.box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                    self)
        self.box.accepted.connect(self.accept)
        self.box.rejected.connect(self.reject)
        self.total = QLabel(self)
        self.error = QLabel(self)
        self.error.setWordWrap(True)

    def _lay_out(self) -> None:
        form = QFormLayout()
        form.addRow("&Title:", self.title)
        form.addRow("M&inutes:", self.minutes)
        form.addRow("&Screen:", self.screen_choice)
        form.addRow("&Focus:", self.payload)
        form.addRow("&Prompt:", self.prompt)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.remove_button, self.up_button, self.down_button, self.reset_button):
            buttons.addWidget(button)
        grid = QGridLayout()
        grid.addWidget(self.steps, 0, 0)
        grid.addLayout(form, 0, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(grid, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.total)
        layout.addWidget(self.error)
        layout.addWidget(self.box)
        self.resize(self.sizeHint().expandedTo(self.minimumSizeHint()) * 1.3)

    # ---- showing --------------------------------------------------------------------------------------
    def _refill(self, row: int) -> None:
        self._showing = True
        self.steps.clear()
        for number, step in enumerate(self.agenda.steps, start=1):
            self.steps.addItem(f"{number}. {step.title} — {step.minutes} min")
        self.steps.setCurrentRow(min(max(row, 0), len(self.agenda.steps) - 1))
        self._showing = False
        self._show_step(self.steps.currentRow())
        self.total.setText(f"Total: {self.agenda.total_minutes} minutes")
        self._check()

    def _show_step(self, row: int) -> None:
        if not 0 <= row < len(self.agenda.steps):
            return
        step = self.agenda.steps[row]
        self._showing = True
        self.title.setText(step.title)
        self.minutes.setValue(step.minutes)
        index = self.screen_choice.findData(step.screen)
        if index < 0:  # a screen this build does not have: keep it, say so
            self.screen_choice.addItem(f"{step.screen} (not available)", step.screen)
            index = self.screen_choice.count() - 1
        self.screen_choice.setCurrentIndex(index)
        self.payload.setText(step.payload)
        self.prompt.setText(step.prompt)
        self._showing = False
        self.remove_button.setEnabled(len(self.agenda.steps) > 1)

    def _check(self) -> bool:
        try:
            validate(self.agenda)
        except AgendaError as exc:
            self.error.setText(f"Cannot save yet: {exc}")
            self.box.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
            return False
        self.error.setText("")
        self.box.button(QDialogButtonBox.StandardButton.Ok).setEnabled(True)
        return True

    # ---- editing --------------------------------------------------------------------------------------
    def _on_steps_current_row_changed(self, row: int) -> None:
        if not self._showing:
            self._show_step(row)

    def _on_form_edited(self, *_args) -> None:  # noqa: ANN002
        row = self.steps.currentRow()
        if self._showing or not 0 <= row < len(self.agenda.steps):
            return
        step = replace(self.agenda.steps[row], title=self.title.text(), minutes=self.minutes.value(),
                       screen=str(self.screen_choice.currentData() or ""), payload=self.payload.text().strip(),
                       prompt=self.prompt.text().strip())
        self.agenda = with_step(self.agenda, row, step)
        self.steps.item(row).setText(f"{row + 1}. {step.title} — {step.minutes} min")
        self.total.setText(f"Total: {self.agenda.total_minutes} minutes")
        self._check()

    def _on_add_clicked(self) -> None:
        title = "New step"
        screen = self.screen_choices[0][0] if self.screen_choices else "timeline"
        step = AgendaStep(new_step_key(self.agenda, title), title, 2, screen)
        self.agenda = Agenda(self.agenda.steps + (step,))
        self._refill(len(self.agenda.steps) - 1)
        self.title.setFocus()
        self.title.selectAll()

    def _on_remove_clicked(self) -> None:
        row = self.steps.currentRow()
        if len(self.agenda.steps) > 1 and 0 <= row < len(self.agenda.steps):
            self.agenda = Agenda(self.agenda.steps[:row] + self.agenda.steps[row + 1:])
            self._refill(row)

    def _move(self, offset: int) -> None:
        row = self.steps.currentRow()
        self.agenda = moved(self.agenda, row, offset)
        self._refill(row + offset)

    def _on_reset_clicked(self) -> None:
        self.agenda = DEFAULT_AGENDA
        self._refill(0)

    def accept(self) -> None:
        if self._check():
            super().accept()


def described_agenda(agenda: Agenda) -> str:
    """An agenda as one line of the conflict dialog: its steps in order, each with its minutes."""
    return "; ".join(f"{step.title} ({step.minutes} min)" for step in agenda.steps)
