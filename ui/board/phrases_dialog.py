"""Editing this workspace's own suggestion phrases: one "tag: pattern" per line, added to the shipped set."""
from __future__ import annotations

import json

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QVBoxLayout

from postmortem_desktop.resources import resource_path

EXAMPLE = "manual-work: re-keyed ... by hand\nchurn-risk: moving to [another] provider\nrefund-request: refund~"


def extras_to_text(extras: dict) -> str:
    return "\n".join(f"{tag}: {pattern}" for tag, patterns in extras.items() if not tag.startswith("_")
                     for pattern in patterns)


def text_to_extras(text: str) -> tuple[dict[str, list[str]], list[str]]:
    """The extras a text describes, and the lines that could not be read (with their number)."""
    extras: dict[str, list[str]] = {}
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        tag, sep, pattern = line.partition(":")
        if not sep or not tag.strip() or not pattern.strip():
            problems.append(f"line {number}: write it as “tag: pattern”, e.g. “manual-work: by hand”")
            continue
        extras.setdefault(tag.strip().lower(), []).append(pattern.strip())
    return extras, problems


class PhrasesDialog(QDialog):
    """Shows the pattern language and the workspace's extras; the caller stores them (undoably)."""

    def __init__(self, extras: dict, parent=None):  # noqa: ANN001
        super().__init__(parent)
        self.setWindowTitle("Suggestion Phrases for This Workspace")
        self.resize(760, 560)
        notes = json.loads(resource_path("tag_patterns.json").read_text(encoding="utf-8")).get("_help", [])
        help_label = QLabel("<br>".join(notes[1:8]) if isinstance(notes, list) else str(notes), self)
        help_label.setWordWrap(True)
        self.editor = QPlainTextEdit(self)
        self.editor.setAccessibleName("Workspace phrases")
        self.editor.setPlaceholderText(EXAMPLE)
        self.editor.setPlainText(extras_to_text(extras))
        self.problems = QLabel(self)
        self.problems.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self._on_buttons_accepted)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<b>One pattern per line, “tag: pattern”.</b> These are added to the shipped "
                                "phrases; a new tag name makes a new suggestion tag.", self))
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.problems)
        layout.addWidget(help_label)
        layout.addWidget(buttons)

    def extras(self) -> dict[str, list[str]]:
        return text_to_extras(self.editor.toPlainText())[0]

    def _on_buttons_accepted(self) -> None:
        _extras, problems = text_to_extras(self.editor.toPlainText())
        if problems:
            self.problems.setText("⚠ " + "<br>⚠ ".join(problems))
            return
        self.accept()
