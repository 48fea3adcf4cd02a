"""The Follow-up screen: schedule the check (and its .ics), then a week later see what repeated or went quiet."""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QDateTimeEdit,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from postmortem_desktop.domain.changes import DataChange
from postmortem_desktop.reporting.calendar_ics import export_follow_up_check
from postmortem_desktop.reporting.output_file import ICS, OutputError
from postmortem_desktop.services.closeout import CLOSED_STATES, FollowUpSchedule, ScheduleFollowUp
from postmortem_desktop.services.commands import RuleError
from postmortem_desktop.services.followup import (
    ActivityFileError,
    FollowUpService,
    FollowUpView,
    ImportActivity,
    RecordFollowUpOutcome,
    follow_up_link,
    read_activity_csv,
)
from postmortem_desktop.services.incidents import IncidentService

from ..deferred_refresh import DeferredRefresh
from ..errors import show_refusal
from ..file_dialogs import choose_file_to_open
from ..hub import ScreenHub
from ..output_dialog import ask_output_path, show_output_failure
from ..read_only import enable_when_writable, is_read_only
from ..table_titles import keep_titles_whole
from ..time_display import display_zone, from_qdatetime, to_qdatetime
from .rows_table_model import RowsTableModel

#: what the schedule's fields show on a read-only workspace when nothing is stored there (no proposal to misread)
NOT_RECORDED, NOT_SCHEDULED = "Not recorded", "Not scheduled"
REFRESH_ON = (DataChange.FOLLOW_UP | DataChange.INCIDENT | DataChange.ACTION_ITEM | DataChange.CONVERSATION
              | DataChange.QUOTE | DataChange.TAG | DataChange.REVIEW | DataChange.SETTING)


def _table(model: RowsTableModel, name: str, parent) -> QTableView:  # noqa: ANN001
    view = QTableView(parent)
    view.setModel(model)
    view.setAccessibleName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    view.setWordWrap(False)  # one line per row; the full text is in the tooltip
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(model.columnCount() - 1, QHeaderView.ResizeMode.Stretch)
    keep_titles_whole(header)
    return view


def _group(title: str, *widgets: QWidget) -> QGroupBox:
    box = QGroupBox(title)
    layout = QVBoxLayout(box)
    for widget in widgets:
        layout.addWidget(widget)
    return box


class FollowUpScreen(DeferredRefresh, QWidget):
    # The open action items' model. The name hides QWidget.actions() (this screen adds no QActions);
    # tests read it by this name.
    actions: RowsTableModel  # type: ignore[assignment]

    def __init__(self, hub: ScreenHub, parent=None):  # noqa: ANN001
        super().__init__(parent)
        self.hub = hub
        self.view_data: FollowUpView | None = None
        self.review_date = QDateEdit(self)
        self.review_date.setCalendarPopup(True)
        self.review_date.setDisplayFormat("yyyy-MM-dd")
        self.review_date.setAccessibleName("Review held on")
        self.check_at = QDateTimeEdit(self)
        self.check_at.setCalendarPopup(True)
        self.check_at.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.check_at.setAccessibleName("Follow-up check at")
        # the words either field shows at its minimum: see _show_schedule
        self.review_date.setSpecialValueText(NOT_RECORDED)
        self.check_at.setSpecialValueText(NOT_SCHEDULED)
        self.schedule_button = QPushButton("&Schedule", self)
        self.ics_button = QPushButton("E&xport .ics…", self)
        self.schedule_state = QLabel(self)
        self.schedule_state.setWordWrap(True)
        self.repeat = RowsTableModel(("Tag", "At the review", "After the review"), self)
        self.workarounds = RowsTableModel(("First seen", "Customer", "Quote"), self)
        self.actions = RowsTableModel(("Area", "Owner", "Due", "Status", "Fix"), self)  # the fix last: it stretches
        self.quiet = RowsTableModel(("Account", "Before (per day)", "After (per day)", "Drop"), self)
        self.import_button = QPushButton("Import activity CSV…", self)
        self.tickets_button = QPushButton("Import next &week's tickets…", self)
        self.tickets_button.setToolTip("The following week's ticket dump, to compare repeat confusion with the review")
        self.rule = QLabel(self)
        self.rule.setWordWrap(True)
        self.outcome = QPlainTextEdit(self)
        self.outcome.setAccessibleName("Follow-up outcome")
        self.outcome.setPlaceholderText("What the check found: repeat confusion, quiet accounts, workarounds, "
                                        "which actions need chasing…")
        self.outcome.setMaximumHeight(64)
        self.outcome_button = QPushButton("Record outcome (marks the incident followed up)", self)
        self._layout()
        self.schedule_button.clicked.connect(self._on_schedule_clicked)
        self.ics_button.clicked.connect(self._on_ics_clicked)
        self.import_button.clicked.connect(self._on_import_clicked)
        # the import dialog lives with the window; the rows fall after the review window, so keep them
        self.tickets_button.clicked.connect(
            lambda: self.hub.navigation_requested.emit("import", {"include_outside_window": True}))
        self.outcome_button.clicked.connect(self._on_outcome_clicked)
        hub.incident_changed.connect(self._on_hub_incident_changed)
        hub.workspace_changed.connect(self._on_hub_workspace_changed)
        hub.session_changed.connect(self.request_refresh)
        self.refresh()

    def _layout(self) -> None:
        schedule = QGroupBox("Follow-up check (15 minutes, 5–10 days after the review)", self)
        form = QHBoxLayout(schedule)
        fields = QFormLayout()
        fields.addRow("Review held on:", self.review_date)
        fields.addRow("Check at:", self.check_at)
        form.addLayout(fields)
        # the two buttons stacked and the state wrapping beside them: in one row they pushed the screen
        # wider than its room beside the reader, cutting the state off
        buttons = QVBoxLayout()
        buttons.addWidget(self.schedule_button)
        buttons.addWidget(self.ics_button)
        form.addLayout(buttons)
        form.addWidget(self.schedule_state, 1)
        quiet_box = _group("Accounts that went quiet", self.import_button, self.rule,
                           _table(self.quiet, "Quiet accounts", self))
        grid = QGridLayout()
        grid.addWidget(_group("Repeat confusion by tag", self.tickets_button,
                              _table(self.repeat, "Repeat confusion", self)), 0, 0)
        grid.addWidget(quiet_box, 0, 1)
        grid.addWidget(_group("Workarounds still in use", _table(self.workarounds, "Workarounds", self)), 1, 0)
        grid.addWidget(_group("Open action items", _table(self.actions, "Open action items", self)), 1, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        outcome = QVBoxLayout()  # the long button below the text, not beside it: the screen stays narrow
        outcome.addWidget(self.outcome, 1)
        outcome.addWidget(self.outcome_button, 0, Qt.AlignmentFlag.AlignRight)
        # scrolls rather than forcing the main window taller on small screens
        inner = QWidget(self)
        layout = QVBoxLayout(inner)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(schedule)
        layout.addLayout(grid, 1)
        layout.addWidget(_group("Outcome", self._wrap(outcome)))
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(inner)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

    def _wrap(self, layout) -> QWidget:  # noqa: ANN001
        widget = QWidget(self)
        widget.setLayout(layout)
        return widget

    def refresh(self) -> None:
        iid = self.hub.incident_id
        active = self.hub.session is not None and iid >= 0
        self.setEnabled(active)
        if not active:
            for model in (self.repeat, self.workarounds, self.actions, self.quiet):
                model.set_rows([])
            return
        data = self.view_data = FollowUpService(self.hub.workspace).view(iid)
        self._show_schedule(data, iid)
        zone = display_zone(self.hub.zone_name)
        self.repeat.set_rows([(r.tag, r.at_review, r.after_review) for r in data.repeat])
        self.workarounds.set_rows([(f"{w.first_seen.astimezone(zone):%Y-%m-%d %H:%M}" if w.first_seen else "",
                                    w.customer, w.text) for w in data.workarounds])
        self.actions.set_rows([(a.area.capitalize(), a.owner, a.due_date.isoformat() if a.due_date else "",
                                ("⚠ Overdue — " if a.overdue else "") + a.status.replace("_", " "), a.description)
                               for a in data.open_actions])
        self.quiet.set_rows([(q.account, q.baseline_per_day, q.after_per_day, f"{q.drop:.0%}") for q in data.quiet])
        rows = f"{data.activity_rows} activity rows imported. " if data.activity_rows else "No activity imported yet. "
        self.rule.setText(rows + "Rule: " + data.rule_text)
        if not self.outcome.hasFocus():
            self.outcome.setPlainText(data.outcome)
        self.outcome_button.setToolTip("" if data.status == "closed" else "Close the incident first.")
        # what writes to the workspace is off on a read-only one, saying why, rather than refused when pressed
        workspace = self.hub.workspace
        enable_when_writable((self.review_date, self.check_at, self.schedule_button, self.import_button,
                              self.tickets_button), workspace)
        enable_when_writable((self.outcome_button,), workspace, also=data.status == "closed")
        self.outcome.setReadOnly(is_read_only(workspace))  # the outcome stays readable and can be copied

    def _show_schedule(self, data: FollowUpView, iid: int) -> None:
        zone = display_zone(self.hub.zone_name)
        review = data.review_held_on or datetime.now(UTC).astimezone(zone).date()
        self.review_date.setDate(QDate(review.year, review.month, review.day))
        at = data.scheduled_at or datetime.combine(review + timedelta(days=7), time(15), tzinfo=zone)
        self.check_at.setDateTime(to_qdatetime(at, self.hub.zone_name))
        if is_read_only(self.hub.workspace):
            # readable there (enable_when_writable makes them read-only): a proposed date would read as a stored one
            for field, stored in ((self.review_date, data.review_held_on), (self.check_at, data.scheduled_at)):
                if stored is None:
                    field.setDateTime(field.minimumDateTime())  # shows its special value text
        self.ics_button.setEnabled(data.scheduled_at is not None)
        if data.scheduled_at is None:
            self.schedule_state.setText("Not scheduled." if data.status in CLOSED_STATES else
                                        "Not scheduled yet. The incident cannot close until it is.")
            return
        days = (data.scheduled_at.date() - review).days
        when = data.scheduled_at.astimezone(zone)
        status = f"Scheduled for {when:%A %d %B, %H:%M} ({self.hub.zone_name}), {days} days after the review."
        if data.done_at:
            status += f" Done on {data.done_at.astimezone(zone):%Y-%m-%d}: followed up ✓"
        self.schedule_state.setText(status)

    def _on_schedule_clicked(self) -> None:
        d = self.review_date.date()
        from datetime import date

        check_at = from_qdatetime(self.check_at.dateTime())
        if check_at is None:  # the date-time editor always holds a valid time
            show_refusal(self, "Not possible", RuleError("Choose when to check how customers are doing."))
            return
        shown = self.view_data  # what the screen showed: a teammate's schedule since is not overwritten unseen
        based_on = None if shown is None else FollowUpSchedule(shown.scheduled_at, shown.review_held_on)
        try:
            command = ScheduleFollowUp(self.hub.incident_id, check_at, date(d.year(), d.month(), d.day()),
                                       based_on=based_on)
        except RuleError as exc:
            show_refusal(self, "Not possible", exc)
            return
        self.hub.run(command)

    def _on_ics_clicked(self) -> None:
        data = self.view_data
        if data is None or data.scheduled_at is None:
            return
        link = follow_up_link(self.hub.workspace)
        title = IncidentService(self.hub.workspace).get(self.hub.incident_id).title
        target = ask_output_path(self, "Export follow-up event", "follow-up-check.ics", ICS, inputs=link.files)
        if target is None:
            return
        try:  # the same event as `postmortem followup-ics`
            export_follow_up_check(target, incident_id=self.hub.incident_id, incident_title=title,
                                   start=data.scheduled_at, workspace=link)
        except OutputError as exc:
            show_output_failure(self, exc)

    def _on_import_clicked(self) -> None:
        path = choose_file_to_open(self, "Import account activity", self.hub.workspace,
                                   "CSV files (*.csv *.txt);;All files (*)")
        if path is None:
            return
        try:
            rows = read_activity_csv(path)
        except (ActivityFileError, OSError) as exc:
            QMessageBox.warning(self, "Activity not imported", str(exc))
            return
        self.hub.run(ImportActivity(self.hub.incident_id, rows, path.name))

    def _on_outcome_clicked(self) -> None:
        try:
            command = RecordFollowUpOutcome(self.hub.incident_id, self.outcome.toPlainText())
        except RuleError as exc:
            show_refusal(self, "Not possible", exc)
            return
        self.hub.run(command)

    def focus_item(self, payload: object) -> None:
        if payload in ("schedule", None, ""):
            self.check_at.setFocus()
        elif payload == "activity":
            self.import_button.setFocus()
        elif payload == "outcome":
            self.outcome.setFocus()

    def _on_hub_incident_changed(self, _incident_id: int) -> None:
        self.request_refresh()

    def _on_hub_workspace_changed(self, changes: DataChange, incident_id: int, _initiator: object) -> None:
        if changes & REFRESH_ON and self.hub.shows(incident_id):
            self.request_refresh()
