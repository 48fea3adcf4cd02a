"""Choosing what each channel of a Slack export becomes before anything is read into the incident."""
from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from postmortem_desktop.domain.counting import counted
from postmortem_desktop.importers.events.slack_export import SlackExport
from postmortem_desktop.services.slack_import import SlackChoice

ROLES = (("skip", "Leave out"), ("bots", "Bot posts only → system events"),
         ("incident", "Incident channel → one internal conversation"),
         ("escalation", "Support escalations → a conversation per thread"))


def default_role(name: str, bot_count: int) -> str:
    """Incident channels are usually named inc-…/incident-…; escalation channels say so; others give bots."""
    lowered = name.lower()
    if lowered.startswith(("inc-", "inc_", "incident")):
        return "incident"
    if "escalat" in lowered or lowered.startswith("support"):
        return "escalation"
    return "bots" if bot_count else "skip"


class SlackChannelsDialog(QDialog):
    """A table of the export's channels (messages, bot posts, threads) with a role for each."""

    def __init__(self, export: SlackExport, file_name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"Import Slack Export — {file_name}")
        self.resize(820, 460)
        names = sorted(export.channels)
        self.table = QTableWidget(len(names), 5, self)
        self.table.setHorizontalHeaderLabels(["Channel", "People's messages", "Bot posts", "Threads and lone posts",
                                              "Becomes"])
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.setAccessibleName("Channels of the export")
        self.combos: dict[str, QComboBox] = {}
        for row, name in enumerate(names):
            channel = export.channels[name]
            for col, value in enumerate((f"#{name}", f"{channel.people_count:,}", f"{channel.bot_count:,}",
                                         f"{channel.thread_count:,}")):
                self.table.setItem(row, col, QTableWidgetItem(value))
            combo = QComboBox(self.table)
            for key, label in ROLES:
                combo.addItem(label, key)
            combo.setCurrentIndex(combo.findData(default_role(name, channel.bot_count)))
            combo.setAccessibleName(f"What #{name} becomes")
            self.table.setCellWidget(row, 4, combo)
            self.combos[name] = combo
        self.table.resizeColumnsToContents()
        self.whole_history = QCheckBox("Take the whole history (otherwise only messages inside the incident's "
                                       "review window)", self)
        intro = QLabel(f"{counted(export.message_count, 'message')} in {counted(len(names), 'channel')}. "
                       "Choose what each channel becomes; the next step previews the events and conversations "
                       "before anything is stored.",
                       self)
        intro.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("&Preview…")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.whole_history)
        layout.addWidget(buttons)
        for combo in self.combos.values():
            combo.currentIndexChanged.connect(self._on_combo_current_index_changed)
        self._on_combo_current_index_changed()

    def _on_combo_current_index_changed(self, _index: int = 0) -> None:
        self.ok_button.setEnabled(any(c.currentData() != "skip" for c in self.combos.values()))

    def choice(self) -> SlackChoice:
        chosen = lambda role: tuple(n for n, c in self.combos.items() if c.currentData() == role)  # noqa: E731
        return SlackChoice(chosen("incident"), chosen("escalation"), self.whole_history.isChecked(), chosen("bots"))
