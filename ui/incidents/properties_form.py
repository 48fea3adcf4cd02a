"""The incident properties form: title, service, severity, technical window, status page, review window."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial
from typing import Any

from PySide6.QtCore import QDateTime, QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from postmortem_desktop.domain.vocabulary import SEVERITIES
from postmortem_desktop.services.closeout import CLOSED_STATES
from postmortem_desktop.services.incidents import IncidentDetails

from ..closeout.record_lock import lock_record
from ..time_display import from_qdatetime, to_qdatetime

NOT_SAVED = "⚠ Not saved yet:"
#: what a time nobody knows yet shows in place of one
NOT_KNOWN = "Not known"
LEFT_FOR_LATER = "⚠ Not saved, both versions kept for later:"


def now_in_zone(zone_name: str) -> QDateTime:
    """This minute in the display zone: where a newly known time starts when nothing better is known."""
    return to_qdatetime(datetime.now(UTC).replace(second=0, microsecond=0), zone_name)


class OptionalDateTimeEdit(QWidget):
    """A date-time that may be unset: a checkbox says whether it is known.

    Ticking an unset time starts it from `starting_point()` (the caller's sensible moment, e.g. the
    first failure), never from the editor's built-in 2000-01-01. An unset time shows NOT_KNOWN: greyed while
    it can be ticked, and in the theme's own colours once its record is locked (lock_record makes the editor
    read-only: a closed incident, a read-only workspace), where it reads like the fields around it.
    """

    value_changed = Signal()

    def __init__(self, label: str, parent=None, zone_name: str = "UTC"):  # noqa: ANN001
        super().__init__(parent)
        self.starting_point: Callable[[], QDateTime] = lambda: now_in_zone(zone_name)
        self._holds_value = False  # False until a real time was shown or ticked in
        self._previous: QDateTime | None = None  # the last real time shown: where re-ticking starts
        self.known = QCheckBox(self)
        self.known.setToolTip(f"{label} is known")
        self.known.setAccessibleName(f"{label} is known")
        self.edit = QDateTimeEdit(self)
        self.edit.setCalendarPopup(True)
        self.edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.edit.setAccessibleName(label)
        self.edit.setSpecialValueText(NOT_KNOWN)  # shown while the editor sits at its minimum: see _show_state
        self.edit.installEventFilter(self)  # told when lock_record makes it read-only, or editable again
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.known)
        layout.addWidget(self.edit, 1)
        self.known.toggled.connect(self._on_known_toggled)
        self.edit.editingFinished.connect(self.value_changed)
        self._show_state()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.edit and event.type() == QEvent.Type.ReadOnlyChange:
            self._show_state()
        return False

    def _on_known_toggled(self, checked: bool) -> None:
        if checked and not self._holds_value:
            self._show(self._previous if self._previous is not None else self.starting_point())
        self._show_state()
        if checked:
            self.edit.setFocus()
        self.value_changed.emit()

    def _show(self, value: QDateTime) -> None:
        self.edit.setTimeZone(value.timeZone())
        self.edit.setDateTime(value)
        self._holds_value = True
        self._previous = value

    def _show_state(self) -> None:
        """A known time is on; an unknown one is off (greyed, the last time ticked off kept in it to tick back)
        while it can be ticked, and on but read-only, saying NOT_KNOWN, once its record is locked."""
        known, locked = self.known.isChecked(), self.edit.isReadOnly()
        self.edit.setEnabled(known or locked)
        if not known and (locked or self._previous is None):
            self.edit.setDateTime(self.edit.minimumDateTime())  # shows NOT_KNOWN, never a made-up time
            self._holds_value = False

    def set_value(self, value: QDateTime, keep_previous: bool = False) -> None:
        """Shows a stored time (invalid: not known). keep_previous (the same incident shown again): an unset
        time keeps the last real one greyed in its field, so ticking it again restores it rather than
        replacing it with the starting point."""
        self.blockSignals(True)
        self.known.blockSignals(True)
        self.known.setChecked(value.isValid())
        self.known.blockSignals(False)
        self._holds_value = False
        if not keep_previous:
            self._previous = None
        if value.isValid():
            self._show(value)
        self._show_state()
        self.blockSignals(False)

    def value(self) -> datetime | None:
        return from_qdatetime(self.edit.dateTime()) if self.known.isChecked() else None

    def being_edited(self) -> bool:
        """The person is changing the time: the field has the focus and differs from the time last shown.
        Until they finish (Enter or leaving it), a re-read must not put the stored time back over it."""
        return (self.edit.hasFocus() and self.known.isChecked()
                and (self._previous is None or self.edit.dateTime() != self._previous))


class IncidentPropertiesWidget(QWidget):
    """Shows one incident's properties; each finished edit is emitted as intent, not saved here."""

    #: (incident id, {field: new value}) — the main window turns it into an undoable command
    incident_edited = Signal(int, dict)

    TIME_FIELDS = (
        ("technical_start", "First failure"), ("technical_end", "Recovery"),
        ("status_page_resolved", "Status page said resolved"),
        ("review_start", "Review window from"), ("review_end", "Review window to"),
    )
    #: where a newly ticked time starts: the first of these already known, else now
    STARTING_POINTS: dict[str, tuple[str, ...]] = {
        "technical_start": (),
        "technical_end": ("technical_start",),
        "status_page_resolved": ("technical_end", "technical_start"),
        "review_start": ("technical_start",),
        "review_end": ("technical_end", "technical_start"),
    }

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._incident_id = -1
        self._details: IncidentDetails | None = None
        self._zone = "UTC"
        self._closed = self._read_only = False
        self.headline = QLabel(self)
        self.headline.setObjectName("headline")
        self.headline.setWordWrap(True)
        self.headline.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)  # held taller: text on top
        self.title = QLineEdit(self)
        self.service = QLineEdit(self)
        self.severity = QComboBox(self)
        self.severity.addItems(SEVERITIES)
        #: the fields typed in word by word: a re-read keeps the words being typed there (typing())
        self.lines = {"title": self.title, "service": self.service}
        self.times = {key: OptionalDateTimeEdit(label, self) for key, label in self.TIME_FIELDS}
        for key, editor in self.times.items():
            editor.starting_point = partial(self._starting_point, key)
        self.zone_note = QLabel(self)
        #: why the last time typed was not saved; the typed value stays in its field until fixed
        self.problem = QLabel(self)
        self.problem.setObjectName("field_problem")
        self.problem.setWordWrap(True)
        self.problem.hide()
        #: a closed incident's properties are read-only; this says how to change them
        self.closed_note = QLabel(self)
        self.closed_note.setObjectName("closed_note")
        self.closed_note.setWordWrap(True)
        self.closed_note.hide()
        form = QFormLayout()
        form.addRow("Tit&le", self.title)
        form.addRow("&Service", self.service)
        form.addRow("Te&chnical severity", self.severity)
        for key, label in self.TIME_FIELDS:
            form.addRow(label, self.times[key])
        form.addRow("", self.problem)
        form.addRow("", self.zone_note)
        font = self.headline.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.headline.setFont(font)
        body = QWidget(self)
        body.setLayout(form)
        body.setMaximumWidth(720)
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addWidget(self.closed_note)
        layout.addSpacing(8)
        layout.addWidget(body)
        layout.addStretch(1)
        self.title.editingFinished.connect(lambda: self._emit("title", self.title.text().strip()))
        self.service.editingFinished.connect(lambda: self._emit("service", self.service.text().strip()))
        self.severity.activated.connect(lambda _i: self._emit("technical_severity", self.severity.currentText()))
        for key, editor in self.times.items():
            editor.value_changed.connect(lambda key=key, editor=editor: self._emit(key, editor.value()))
        self.body = body
        self.setEnabled(False)

    def _starting_point(self, key: str) -> QDateTime:
        for other in self.STARTING_POINTS.get(key, ()):
            known = self.times[other].value()
            if known is not None:
                return to_qdatetime(known, self._zone)
        return now_in_zone(self._zone)

    def label_of(self, key: str) -> str:
        return dict(self.TIME_FIELDS).get(key) or {"technical_severity": "Technical severity"}.get(
            key, key.replace("_", " ").capitalize())

    def show_problem(self, key: str, message: str) -> None:
        """Explains why the time just typed was not saved, leaving it in its field to be corrected."""
        self.problem.setText(f"⚠ {self.label_of(key)} was not saved: {message} Correct it here; "
                             "the time you typed is kept until you do.")
        self.problem.show()

    def show_not_saved(self, keys: list[str], reason: str) -> None:
        """Says which values typed here have not reached the team server yet; they stay in their fields."""
        names = ", ".join(self.label_of(key) for key in keys)
        self.problem.setText(f"{NOT_SAVED} {names}. {reason} What you typed stays here and is saved "
                             "as soon as the server answers again.")
        self.problem.show()

    def show_left_for_later(self, changed_by: dict[str, str]) -> None:
        """Says which values typed here lost to a teammate's change (field -> who, "" unknown) and wait for the
        person's choice."""
        names = "; ".join(f"{self.label_of(key)}, which {who or 'someone else'} changed too"
                          for key, who in changed_by.items())
        self.problem.setText(f"{LEFT_FOR_LATER} {names}. What you typed stays here; save it again (Enter) "
                             "to choose between the two versions.")
        self.problem.show()

    def clear_not_saved(self) -> None:
        if self.problem.text().startswith((NOT_SAVED, LEFT_FOR_LATER)):
            self.problem.hide()
            self.problem.clear()

    def shown(self, key: str) -> Any:
        """The stored value this form last showed for the field: what an edit of it is based on."""
        return getattr(self._details, key) if self._details is not None else None

    def remember_saved(self, key: str, value: Any) -> None:
        """The field's edit was saved: the next edit of it is based on this value, not on the one shown before."""
        if self._details is not None:
            self._details = replace(self._details, **{key: value})

    def typing(self) -> dict[str, Any]:
        """The values typed and not saved yet: words in the title or the service (being typed, or left for
        later), and a time being changed in its field."""
        typed: dict[str, Any] = {key: line.text() for key, line in self.lines.items() if line.isModified()}
        typed.update({key: editor.value() for key, editor in self.times.items() if editor.being_edited()})
        return typed

    def settle(self, key: str, saved: Any = None) -> None:
        """The words in the field are no longer the person's unsaved ones (saved, or dropped for theirs): a
        re-read shows the stored value there again. With `saved`: only when the field still holds it (the
        person may have typed on since)."""
        line = self.lines.get(key)
        if line is not None and (saved is None or line.text().strip() == saved):
            line.setModified(False)

    def keep_typing(self, typed: dict[str, str]) -> None:
        """Puts words being typed back over a re-read, still unfinished, the cursor where it was."""
        for key, text in typed.items():
            self.put_value(key, text, typing=True)

    def put_value(self, key: str, value: Any, typing: bool = False) -> None:
        """Shows a value typed here (kept while it is not saved) over the stored one, without emitting an edit.
        typing: the person's own unsaved words, kept over the next re-read too (typing())."""
        if key in self.times:
            if not self.times[key].being_edited():  # a time being changed already shows the person's value
                self.times[key].set_value(to_qdatetime(value, self._zone), keep_previous=True)
            return
        if key == "technical_severity":
            self.severity.blockSignals(True)
            self.severity.setCurrentText(value)
            self.severity.blockSignals(False)
            return
        line = self.lines[key]
        cursor = line.cursorPosition()
        line.blockSignals(True)
        line.setText(value)
        line.blockSignals(False)
        line.setModified(typing)
        line.setCursorPosition(cursor)  # where the person was typing: a re-read does not move it

    def show_incident(self, details: IncidentDetails | None, headline: str, zone_name: str) -> None:
        self._details = details
        self._zone = zone_name
        self.problem.hide()
        self.setEnabled(details is not None)
        closed = details is not None and details.status in CLOSED_STATES
        self._closed = closed
        self._lock()
        self.closed_note.setVisible(closed)
        self.closed_note.setText("This incident is closed, so its properties are read-only. "
                                 "Use Reopen in the close-out strip below to change them.")
        if details is None:
            self._incident_id = -1
            self._set_headline("No incident selected. Use Incident › New Incident (Ctrl+N) to start one.", False)
            return
        same_incident = details.id == self._incident_id
        self._incident_id = details.id
        self._set_headline(headline, same_incident)
        for widget in (self.title, self.service, self.severity):
            widget.blockSignals(True)
        self.title.setText(details.title)
        self.service.setText(details.service)
        self.severity.setCurrentText(details.technical_severity)
        for widget in (self.title, self.service, self.severity):
            widget.blockSignals(False)
        for key, editor in self.times.items():
            if not (same_incident and editor.being_edited()):  # the person's time stays until they finish it
                editor.set_value(to_qdatetime(getattr(details, key), zone_name), keep_previous=same_incident)
        self.zone_note.setText(f"Times are shown in {zone_name}.")

    def set_read_only(self, read_only: bool) -> None:
        """A read-only workspace: the fields show the incident, take no edits, and stay readable."""
        self._read_only = read_only
        self._lock()

    def _lock(self) -> None:
        # read-only editors, not disabled ones: a closed incident's or a read-only workspace's properties stay
        # readable in every theme, and their text can be selected and copied
        lock_record(self.body, self._closed or self._read_only)

    def _set_headline(self, text: str, same_incident: bool) -> None:
        """While one incident is edited the headline never gets shorter on screen: a line fewer (Recovery
        unticked) would move every field up under the pointer, and the next click would land on another."""
        floor = self.headline.height() if same_incident and self.headline.isVisible() else 0
        self.headline.setMinimumHeight(floor)
        self.headline.setText(text)

    def finish_editing(self) -> None:
        """Emits a title or service still being typed (it is emitted on leaving the field, which may not come)."""
        for key, line in self.lines.items():
            if line.hasFocus():
                self._emit(key, line.text().strip())

    def _emit(self, key: str, value) -> None:  # noqa: ANN001
        if self._details is None:
            return
        if getattr(self._details, key) == value:  # what is stored already: nothing to save, nobody overwritten
            self.settle(key)
            return
        if key == "title" and not value:
            self.title.setText(self._details.title)
            return
        self.incident_edited.emit(self._incident_id, {key: value})
