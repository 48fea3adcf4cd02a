"""The close-out record in plain words: customer damage, most-broken task, first workaround, trust signals."""
from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QFormLayout, QLabel, QWidget

from postmortem_desktop.domain.vocabulary import RECORD_FIELD_OF_ANSWER, REVIEW_QUESTIONS
from postmortem_desktop.services.review_answers import CloseoutFields, EditCloseoutFields

from ..hub import ScreenHub
from .text_field import CommitTextEdit, save_field

FIELDS = (
    ("customer_damage", "Customer damage",
     "What customers could not do, lost or feared — in plain words, not service names."),
    ("most_broken_task", "Most-broken task", "The real task that broke most, e.g. “send an invoice before a meeting”."),
    ("first_workaround", "First workaround", "What customers tried first, and what it cost them."),
    ("trust_signals", "Trust signals", "Asking for proof, doubting results, waiting before using it again…"),
)
RECORD_LABELS = {key: label for key, label, _hint in FIELDS}


def save_closeout_text(hub: ScreenHub, field: CommitTextEdit, key: str, text: str) -> None:
    """Saves a close-out text field based on what it showed; a teammate's newer text shows beside it instead."""
    edit = EditCloseoutFields.checked_against({key: field.saved_from}, hub.incident_id, **{key: text})
    save_field(hub, field, edit, lambda theirs: str(theirs.get(key, "") if isinstance(theirs, dict) else theirs))


class CloseoutRecordWidget(QWidget):
    def __init__(self, hub: ScreenHub, parent=None):  # noqa: ANN001
        super().__init__(parent)
        self.hub = hub
        form = QFormLayout(self)
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        form.addRow(self.intro)
        self.show_closed(False)
        self.fields: dict[str, CommitTextEdit] = {}
        questions = dict(REVIEW_QUESTIONS)
        numbers = {key: n for n, (key, _q) in enumerate(REVIEW_QUESTIONS, start=1)}
        for key, label, hint in FIELDS:
            edit = CommitTextEdit(label, hint, self)
            edit.setMinimumHeight(80)
            edit.text_committed.connect(lambda text, k=key: self._on_field_text_committed(k, text))
            question = next((q for q, f in RECORD_FIELD_OF_ANSWER.items() if f == key), None)
            if question is not None:
                edit.setToolTip(f"The same answer as question {numbers[question]}: “{questions[question]}”")
            form.addRow(f"{label}:", edit)
            form.addRow("", edit.conflict_bar)
            self.fields[key] = edit
        # a check box cannot wrap: the short form keeps the tab narrow enough for the reader beside it
        self.none_seen = QCheckBox("No trust signals were seen", self)
        self.none_seen.setToolTip("No trust signals were seen: say so rather than leave the field blank")
        self.none_seen.clicked.connect(self._on_none_seen_clicked)
        form.addRow("", self.none_seen)

    def show_closed(self, closed: bool) -> None:
        first = ("This incident is closed: the record below is what it was closed with." if closed else
                 "The incident cannot close until these are written down.")
        self.intro.setText(first + " The most-broken task and the first workaround are the answers to questions "
                           "1 and 3: typing in either place fills both.")

    def show_fields(self, fields: CloseoutFields, changed_by: str = "") -> None:
        """changed_by: the teammate whose edit brought these fields, when known."""
        for key, edit in self.fields.items():
            edit.set_committed_text(getattr(fields, key), changed_by)
        self.none_seen.setChecked(fields.trust_signals_none_seen)

    def _on_field_text_committed(self, key: str, text: str) -> None:
        save_closeout_text(self.hub, self.fields[key], key, text)

    def _on_none_seen_clicked(self, checked: bool) -> None:
        if not self.hub.run(EditCloseoutFields(self.hub.incident_id, trust_signals_none_seen=checked)):
            # refused (the server away, a closed record, a teammate's change): the box shows what is stored, not a
            # tick that was never saved
            self.none_seen.setChecked(not checked)
