"""The "Filtered: … — Clear" line every screen shows while a filter hides some of its rows.

A filter left on from earlier work must never make a list look empty or complete: the banner says
what is filtering, how many rows it hides, and clears everything in one click.
"""
from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget


class FilterBanner(QFrame):
    #: the person asked for every filter to be cleared
    clear_requested = Signal()

    def __init__(self, noun: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.noun = noun  # plural, e.g. "action items"
        self.setObjectName("filter_banner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.label = QLabel(self)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setWordWrap(True)
        self.clear_button = QPushButton("&Clear filters", self)
        self.clear_button.setAccessibleName(f"Clear the filters and show all {noun}")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.clear_button)
        self.clear_button.clicked.connect(self.clear_requested)
        self.hide()

    def show_filters(self, filters: list[str], shown: int, total: int) -> None:
        """filters: what is on, in words ("area: Support"); the banner hides when nothing is."""
        self.setVisible(bool(filters))
        if filters:
            hidden = total - shown
            self.label.setText(f"<b>Filtered:</b> {escape('; '.join(filters))} — showing {shown} of {total} "
                               f"{escape(self.noun)}" + (f" ({hidden} hidden)" if hidden else ""))
