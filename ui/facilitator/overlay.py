"""What the room sees in facilitator mode: the step header with its clocks, and the step's notes field."""
from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from postmortem_desktop.domain.agenda import AgendaStep, Clock

TITLE_SCALE = 1.6  # relative to the (already enlarged) projector font, so it follows the system size
CLOCK_SCALE = 1.2
NOTES_LINES = 3
HINT = "PgDn/→ next · PgUp/← back · F6 notes · F7 edit · Esc leave"
NOT_SAVED = "Not saved yet: the team server cannot be reached. Saved by themselves as soon as it answers again."
NOT_READ = "Not read yet — the team server is not answering; read by itself as soon as it answers again."
#: said in the header (the status bar is hidden in this mode) while the step on screen could not be read
SERVER_NOT_ANSWERING = "Team server not answering — showing what was last read; reconnecting…"


def _scaled(widget: QWidget, factor: float, bold: bool = False) -> QFont:
    parent = widget.parentWidget()
    font = QFont(parent.font() if parent else widget.font())
    if font.pointSizeF() > 0:
        font.setPointSizeF(font.pointSizeF() * factor)
    font.setBold(bold)
    return font


def set_clock_phase(label: QLabel, clock: Clock) -> None:
    """Shows a clock's words and lets the theme colour it by phase (the words carry the meaning too)."""
    label.setText(clock.text)
    if label.property("clockPhase") != clock.phase:
        label.setProperty("clockPhase", clock.phase)
        label.style().unpolish(label)
        label.style().polish(label)


class FacilitatorHeaderWidget(QFrame):
    """Step number, title and prompt on the left; the step's and the review's clocks on the right."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("facilitator_header")
        self.setAccessibleName("Facilitator agenda")
        self.step_number = QLabel(self)
        self.step_number.setObjectName("facilitator_step_number")
        self.title = QLabel(self)
        self.title.setObjectName("facilitator_title")
        self.title.setWordWrap(True)
        self.prompt = QLabel(self)
        self.prompt.setObjectName("facilitator_prompt")
        self.prompt.setWordWrap(True)
        self.step_clock = QLabel(self)
        self.step_clock.setObjectName("facilitator_step_clock")
        self.step_clock.setAccessibleName("Time left in this step")
        self.total_clock = QLabel(self)
        self.total_clock.setObjectName("facilitator_total_clock")
        self.total_clock.setAccessibleName("Time left in the review")
        #: "Team server not answering…": shown while the step on screen could not be (re-)read
        self.server_note = QLabel(self)
        self.server_note.setObjectName("facilitator_server_note")
        self.server_note.setWordWrap(True)
        self.server_note.hide()
        self.hint = QLabel(HINT, self)
        self.hint.setObjectName("facilitator_hint")
        self.hint.setWordWrap(True)
        for label in (self.step_clock, self.total_clock):
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self._lay_out()
        self._scale_fonts()
        # as tall as its text, never taller: the room view below gets the rest of the screen
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

    def _lay_out(self) -> None:
        grid = QGridLayout(self)
        grid.setContentsMargins(16, 8, 16, 8)
        grid.setHorizontalSpacing(24)
        grid.setVerticalSpacing(2)
        top = QHBoxLayout()
        top.setSpacing(24)
        top.addWidget(self.step_number)
        top.addWidget(self.hint, 1)
        grid.addLayout(top, 0, 0)
        grid.addWidget(self.title, 1, 0)
        grid.addWidget(self.prompt, 2, 0)
        grid.addWidget(self.server_note, 3, 0)
        clocks = QVBoxLayout()
        clocks.setSpacing(4)
        clocks.addWidget(self.step_clock)
        clocks.addWidget(self.total_clock)
        clocks.addStretch(1)
        grid.addLayout(clocks, 0, 1, 4, 1)
        grid.setColumnStretch(0, 1)

    def _scale_fonts(self) -> None:
        self.title.setFont(_scaled(self.title, TITLE_SCALE, bold=True))
        for label in (self.step_clock, self.total_clock):
            label.setFont(_scaled(label, CLOCK_SCALE, bold=True))

    def changeEvent(self, event) -> None:  # noqa: ANN001
        # the theme changes the application font; the large labels follow it at their ratio
        if event.type() == QEvent.Type.FontChange:
            self._scale_fonts()
            self._fit_height()
        super().changeEvent(event)

    def resizeEvent(self, event) -> None:  # noqa: ANN001
        super().resizeEvent(event)
        self._fit_height()

    def _fit_height(self) -> None:
        """As tall as the wrapped title and prompt need at this width (a dock does not ask on its own)."""
        layout = self.layout()
        if layout is not None and self.width() > 0:
            self.setMinimumHeight(layout.totalHeightForWidth(self.width()))

    def show_step(self, number: int, count: int, step: AgendaStep, note: str = "") -> None:
        self.step_number.setText(f"Step {number} of {count} · {step.minutes} min")
        self.title.setText(step.title)
        self.prompt.setText(" ".join(part for part in (step.prompt, note) if part))
        self.prompt.setVisible(bool(self.prompt.text()))
        self._fit_height()
        self.setAccessibleDescription(f"Step {number} of {count}: {step.title}")

    def show_server_note(self, text: str, reason: str = "") -> None:
        """text: what the room is told ("" hides it); reason: the server's own words, in the tooltip."""
        self.server_note.setText(text)
        self.server_note.setToolTip(reason)
        if self.server_note.isVisibleTo(self) != bool(text):
            self.server_note.setVisible(bool(text))
            self._fit_height()

    def show_clocks(self, step_clock: Clock, total_clock: Clock) -> None:
        set_clock_phase(self.step_clock, Clock(step_clock.phase, f"Step: {step_clock.text}"))
        set_clock_phase(self.total_clock, Clock(total_clock.phase, f"Review: {total_clock.text}"))


class FacilitatorNotesWidget(QFrame):
    """The notes field of the current step; says what the facilitator typed, never saves by itself."""

    #: the person changed the notes (not emitted when notes are loaded)
    notes_edited = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("facilitator_notes")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.label = QLabel(self)
        self.edit = QPlainTextEdit(self)
        self.edit.setObjectName("facilitator_notes_edit")
        self.edit.setAccessibleName("Notes for this step")
        self.edit.setTabChangesFocus(True)
        self.label.setBuddy(self.edit)
        #: "Not saved yet…": shown while the team server cannot be reached
        self.unsaved = QLabel(NOT_SAVED, self)
        self.unsaved.setObjectName("facilitator_notes_unsaved")
        self.unsaved.setWordWrap(True)
        self.unsaved.hide()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 6, 16, 6)
        layout.addWidget(self.label, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.edit, 1)
        # beside the notes, not under them: the strip's height is fixed to the notes' lines
        layout.addWidget(self.unsaved, 0, Qt.AlignmentFlag.AlignTop)
        self.edit.textChanged.connect(self._on_edit_text_changed)
        self._loading = False
        self._fit_height()

    def _fit_height(self) -> None:
        lines = self.edit.fontMetrics().lineSpacing() * NOTES_LINES
        margins = self.edit.contentsMargins()
        self.edit.setFixedHeight(lines + margins.top() + margins.bottom() + 2 * self.edit.frameWidth() + 8)
        self.unsaved.setFixedWidth(self.unsaved.fontMetrics().averageCharWidth() * 44)  # two lines, not five

    def changeEvent(self, event) -> None:  # noqa: ANN001
        if event.type() == QEvent.Type.FontChange:
            self._fit_height()
        super().changeEvent(event)

    def show_notes(self, step_title: str, text: str, *, editable: bool, placeholder: str) -> None:
        self.label.setText("&Notes:")
        self.edit.setAccessibleDescription(f"Notes on the step “{step_title}”, saved as you type")
        self.edit.setPlaceholderText(placeholder)
        self.edit.setReadOnly(not editable)
        self.load_text(text)

    def load_text(self, text: str) -> None:
        if self.edit.toPlainText() == text:
            return
        self._loading = True
        try:
            self.edit.setPlainText(text)
            self.edit.moveCursor(self.edit.textCursor().MoveOperation.End)
        finally:
            self._loading = False

    def text(self) -> str:
        return self.edit.toPlainText()

    def show_not_saved(self, reason: str, elsewhere: tuple[str, ...] = (), held: tuple[str, ...] = ()) -> None:
        """reason: the server's words (kept in the tooltip); "" when the notes are saved again. elsewhere: the
        titles of other steps whose notes wait too, named since the field shows this step's. held: the titles of
        other steps whose notes wait beside a teammate's for the person's choice (Decide later)."""
        # three lines at most beside the notes: the step's title and the one thing the room needs to know
        if reason and held:  # both at once (the server away, and a choice left for later): the shortest words
            text = (f"Notes of {_named(elsewhere)} not saved yet (no team server); " if elsewhere else
                    "Not saved yet: no team server. Notes of ") + f"{_named(held)} wait for your choice."
        elif reason:
            text = NOT_SAVED if not elsewhere else \
                f"Notes of {_named(elsewhere)} not saved yet: saved by themselves once the team server answers."
        else:
            text = f"Notes of {_named(held)} wait for your choice: a teammate changed them. Go back to that step " \
                "to choose."
        self.unsaved.setText(text)
        self.unsaved.setToolTip(reason)
        self.unsaved.setVisible(bool(reason or held))

    def show_changed_by(self, who: str) -> None:
        """A teammate saved other notes for this step while these were typed: said beside them until the choice."""
        self.unsaved.setText(f"Changed by {who or 'someone else'} while you typed: at the pause, Keep mine or Take "
                             "theirs.")
        self.unsaved.setToolTip("")
        self.unsaved.show()

    def _on_edit_text_changed(self) -> None:
        if not self._loading:
            self.notes_edited.emit(self.edit.toPlainText())


def _named(titles: tuple[str, ...]) -> str:
    return " and ".join(f"“{title}”" for title in titles)
