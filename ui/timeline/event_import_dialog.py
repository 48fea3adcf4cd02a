"""The preview of a system-event import: the events as they will land, what is already there, what was
skipped and why, and the suggested technical window and status-page time to confirm."""
from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from postmortem_desktop.domain.counting import counted
from postmortem_desktop.services.commands import Command, CommandGroup
from postmortem_desktop.services.conversations import AddConversations
from postmortem_desktop.services.event_import import EventImportPlan
from postmortem_desktop.services.incidents import UpdateIncident
from postmortem_desktop.services.slack_import import SlackImportPlan

from ..time_display import display_zone
from .event_dialogs import EventPreviewModel

FIELD_LABELS = {"technical_start": "First failure", "technical_end": "Recovery",
                "status_page_resolved": "Status page said “resolved”"}


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


class EventImportDialog(QDialog):
    """Shows an EventImportPlan; `command()` is the one undo step for what the person accepted."""

    def __init__(self, plan: EventImportPlan, zone_name: str, current: dict[str, datetime | None],
                 parent: QWidget | None = None, *, slack: SlackImportPlan | None = None):
        super().__init__(parent)
        self.plan = plan
        self.slack = slack
        self.zone = display_zone(zone_name)
        self.setWindowTitle(f"Import System Events — {plan.file_name}")
        self.resize(960, 640)
        heading = QLabel(f"<b>{plan.file_name}</b>: recognised as <b>{plan.source}</b>; "
                         f"{plan.items_read:,} items read. Times are shown in {zone_name}.", self)
        heading.setWordWrap(True)
        self.model = EventPreviewModel(zone_name, self)
        self.model.set_rows(plan.new)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableView.EditTrigger.DoubleClicked)
        self.table.horizontalHeader().setSectionResizeMode(EventPreviewModel.COL_TITLE, QHeaderView.ResizeMode.Stretch)
        self._fit_columns()
        self.table.setAccessibleName("Events to import")
        kinds = ", ".join(f"{n:,} {kind}" for kind, n in plan.counts.items()) or "nothing new"
        self.summary = QLabel(f"{_count(len(plan.new), 'new event')} ({kinds}); {plan.already_present:,} already "
                              f"on the timeline (left as they are); {len(plan.skipped):,} skipped.", self)
        self.include_outside: QCheckBox | None = None
        if plan.outside:
            self.include_outside = QCheckBox(f"Also import the {_count(len(plan.outside), 'event')} outside the "
                                             "incident's review window", self)
            self.include_outside.setAccessibleName("Include events outside the review window")
            self.include_outside.toggled.connect(self._on_include_outside_toggled)
            self.summary.setText(self.summary.text() + f" {_count(len(plan.outside), 'event')} outside the "
                                 "review window left out.")
        if slack is not None:
            self.summary.setText(self.summary.text() + f" {_count(len(slack.conversations), 'internal conversation')} "
                                 f"from the chosen channels ({slack.conversations_present:,} already here); "
                                 f"{counted(slack.outside_window, 'message')} outside the review window left out.")
        self.summary.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)
        if self.include_outside is not None:
            layout.addWidget(self.include_outside)
        if plan.skipped:
            skipped = QPlainTextEdit("\n".join(f"{'line ' + str(n) + ': ' if n else ''}{why}"
                                               f"{f' — {text[:120]}' if text else ''}"
                                               for n, text, why in plan.skipped), self)
            skipped.setReadOnly(True)
            skipped.setMaximumHeight(90)
            skipped.setAccessibleName("Skipped lines and why")
            layout.addWidget(skipped)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.current, self.suggestion = current, plan.suggestion
        self.suggestion_host = QWidget(self)  # refilled when events outside the window are taken in
        self._suggestion_layout = QVBoxLayout(self.suggestion_host)
        self._suggestion_layout.setContentsMargins(0, 0, 0, 0)
        self.suggestion_boxes: dict[str, QCheckBox] = {}
        self.suggestion_reasons: dict[str, QLabel] = {}
        layout.addWidget(self.suggestion_host)
        layout.addWidget(buttons)
        self._fill_suggestions()

    def _fill_suggestions(self) -> None:
        """A box per suggested time, ticked when the incident has no value yet: the person confirms."""
        host = self._suggestion_layout
        while host.count():
            item = host.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:  # always: the host holds only the suggestions' group box
                widget.deleteLater()
        self.suggestion_reasons = {}
        self.suggestion_boxes = self._suggestions(self.current)
        self._on_suggestion_toggled()

    def _suggestions(self, current: dict[str, datetime | None]) -> dict[str, QCheckBox]:
        s = self.suggestion
        boxes: dict[str, QCheckBox] = {}
        if s is None or not s.fields():
            return boxes
        group = QGroupBox("Suggested from the system events (tick to set)", self.suggestion_host)
        grid = QGridLayout(group)
        grid.setColumnStretch(1, 1)
        for name, at in s.fields().items():
            now = current.get(name)
            if now is not None and now == at:
                continue
            was = f" (now {self._clock(now, at)})" if now is not None else ""
            box = QCheckBox(f"{FIELD_LABELS[name]}: {self._clock(at)}{was}", group)
            box.setChecked(now is None)
            # the reason wraps beside the box, so a long event title never widens the dialog past the screen
            reason = QLabel(f"— {getattr(s, name).reason}", group)
            reason.setWordWrap(True)
            reason.setBuddy(box)
            row = len(boxes)
            grid.addWidget(box, row, 0)
            grid.addWidget(reason, row, 1)
            boxes[name] = box
            self.suggestion_reasons[name] = reason
            box.toggled.connect(self._on_suggestion_toggled)
        if boxes:
            self._suggestion_layout.addWidget(group)
        else:
            group.deleteLater()
        return boxes

    def _clock(self, at: datetime, beside: datetime | None = None) -> str:
        """The time in the display zone; only the clock when it is on the same day as `beside`."""
        local = at.astimezone(self.zone)
        if beside is not None and beside.astimezone(self.zone).date() == local.date():
            return local.strftime("%H:%M")
        return local.strftime("%a %d %b %Y %H:%M")

    def _on_include_outside_toggled(self, checked: bool) -> None:
        rows = self.plan.new + (self.plan.outside if checked else [])
        self.model.set_rows(sorted((dict(r) for r in rows), key=lambda v: (v["at"], v["kind"], v["title"])))
        self._fit_columns()
        self.suggestion = (self.plan.suggestion_with_outside if checked else None) or self.plan.suggestion
        self._fill_suggestions()

    def _fit_columns(self) -> None:
        # measured from the rows shown, so an empty table at first does not leave the time cut off later
        for column in (EventPreviewModel.COL_TIME, EventPreviewModel.COL_KIND):
            self.table.resizeColumnToContents(column)

    def _on_suggestion_toggled(self, _checked: bool = False) -> None:
        what = [_count(len(self.model.rows), "Event")] if self.model.rows else []
        if self.slack is not None and self.slack.conversations:
            what.append(_count(len(self.slack.conversations), "Conversation"))
        self.ok_button.setText(f"&Import {' and '.join(what)}" if what else "&Apply")
        self.ok_button.setEnabled(bool(what) or any(b.isChecked() for b in self.suggestion_boxes.values()))

    def confirmed_fields(self) -> dict[str, datetime]:
        fields = self.suggestion.fields() if self.suggestion else {}
        return {name: fields[name] for name, box in self.suggestion_boxes.items() if box.isChecked()}

    def command(self) -> Command | None:
        """Events (with any kinds changed in the preview) and the confirmed times, as one undo step."""
        self.plan.new, self.plan.outside = [dict(row) for row in self.model.rows], []
        parts: list[Command] = [c for c in (self.plan.command(),) if c is not None]
        if self.slack is not None and self.slack.conversations:
            parts.append(AddConversations(self.plan.incident_id, self.slack.conversations, batch_kind="slack",
                                          file_name=self.plan.file_name))
        fields = self.confirmed_fields()
        if fields:
            parts.append(UpdateIncident(self.plan.incident_id, **fields))
        if not parts:
            return None
        if len(parts) == 1:
            return parts[0]
        return CommandGroup(f"Import {self.plan.file_name}", parts, incident_id=self.plan.incident_id)
