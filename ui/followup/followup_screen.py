"""The Follow-up screen: schedule the check (and its .ics), then a week later see what repeated or went quiet."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

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

from ..conflict_dialog import run_or_offer_both
from ..deferred_refresh import DeferredRefresh
from ..errors import show_refusal
from ..file_dialogs import choose_file_to_open
from ..held_choice import HeldChoice
from ..hub import ScreenHub
from ..output_dialog import ask_output_path, show_output_failure
from ..read_only import enable_when_writable, is_read_only
from ..review.text_field import CommitTextEdit, ConflictBar, save_field
from ..table_titles import keep_titles_whole
from ..team_feed import Teammate
from ..time_display import display_zone, from_qdatetime, to_qdatetime
from ..unsaved_words import SERVER_AWAY, UnsavedWords, changed_by
from .rows_table_model import RowsTableModel

#: what the schedule's fields show on a read-only workspace when nothing is stored there (no proposal to misread)
NOT_RECORDED, NOT_SCHEDULED = "Not recorded", "Not scheduled"
OUTCOME_HINT = "What the check found: repeat confusion, quiet accounts, workarounds, which actions need chasing…"
OUTCOME_AFTER_CLOSING = "Recorded once the incident is closed (Close-out strip › Close incident…)."
#: why words typed here cannot replace an outcome a teammate recorded meanwhile (recording needs a closed incident)
RECORDED_OUTCOME_STAYS = ("their outcome is recorded and the incident followed up, so it is not replaced from here. "
                          "Copy your words first if you want to keep them.")
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
        self._shown_for: tuple[int, int] | None = None  # (session, incident) the schedule and outcome show
        self._closed = False  # the incident shown is closed: Record outcome can take the words typed
        self._changed_by = ""  # the teammate whose edit the next refresh brings, if that is what it is for
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
        #: the schedule as last shown from the store (what Schedule is based on), and whether the person has chosen
        #: other dates since: a teammate's change re-reads, and keeps those
        self.dates: HeldChoice[FollowUpSchedule] = HeldChoice(
            lambda: (self.review_date.date(), self.check_at.dateTime()))
        #: under the dates: a teammate's schedule stored under the dates chosen here, not saved yet
        self.dates_bar = ConflictBar(self)
        self.dates_bar.keep_mine.connect(self._on_keep_my_dates)
        self.dates_bar.take_theirs.connect(self._take_stored_schedule)
        self.repeat = RowsTableModel(("Tag", "At the review", "After the review"), self)
        self.workarounds = RowsTableModel(("First seen", "Customer", "Quote"), self)
        self.actions = RowsTableModel(("Area", "Owner", "Due", "Status", "Fix"), self)  # the fix last: it stretches
        self.quiet = RowsTableModel(("Account", "Before (per day)", "After (per day)", "Drop"), self)
        self.import_button = QPushButton("Import activity CSV…", self)
        self.tickets_button = QPushButton("Import next &week's tickets…", self)
        self.tickets_button.setToolTip("The following week's ticket dump, to compare repeat confusion with the review")
        self.rule = QLabel(self)
        self.rule.setWordWrap(True)
        # saved only by Record outcome (which marks the incident followed up), never after a pause; kept over a
        # teammate's re-read, with a teammate's outcome recorded under it shown in the bar below it, as the review's
        self.outcome = CommitTextEdit("Follow-up outcome", OUTCOME_HINT, self, saves_itself=False)
        self.outcome.setMaximumHeight(64)
        self.outcome.text_committed.connect(self._on_outcome_text_committed)
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
        schedule_box = QVBoxLayout()
        schedule_box.addWidget(schedule)
        schedule_box.addWidget(self.dates_bar)
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
        outcome.addWidget(self.outcome.conflict_bar)
        outcome.addWidget(self.outcome_button, 0, Qt.AlignmentFlag.AlignRight)
        # scrolls rather than forcing the main window taller on small screens
        inner = QWidget(self)
        layout = QVBoxLayout(inner)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(schedule_box)
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
        if (id(self.hub.session), iid) != self._shown_for:  # another incident: what was chosen or typed was for the
            self._shown_for = (id(self.hub.session), iid)  # one before (leaving it asked about unsaved words)
            self.dates.forget()
            self.dates_bar.hide()
            self.outcome.forget_unsaved()
        active = self.hub.session is not None and iid >= 0
        self.setEnabled(active)
        if not active:
            for model in (self.repeat, self.workarounds, self.actions, self.quiet):
                model.set_rows([])
            return
        data = self.view_data = FollowUpService(self.hub.workspace).view(iid)
        changed_by, self._changed_by = self._changed_by, ""
        self._show_schedule(data, changed_by)
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
        # an outcome recorded (the incident followed up) is not replaced from here: Record outcome needs it closed
        self.outcome.cannot_keep = "" if data.status == "closed" else RECORDED_OUTCOME_STAYS
        self.outcome.set_committed_text(data.outcome, changed_by)  # words typed here and not recorded stay
        self.outcome_button.setToolTip("" if data.status == "closed" else "Close the incident first.")
        # what writes to the workspace is off on a read-only one, saying why, rather than refused when pressed
        workspace = self.hub.workspace
        enable_when_writable((self.review_date, self.check_at, self.schedule_button, self.import_button,
                              self.tickets_button), workspace)
        enable_when_writable((self.outcome_button,), workspace, also=data.status == "closed")
        # the outcome stays readable and can be copied; it is typed only while Record outcome can take it (a closed
        # incident): on one still in review, words typed there could never be recorded
        closed = self._closed = data.status == "closed"
        self.outcome.setReadOnly(is_read_only(workspace) or not (closed or self.outcome.holds_unsaved))
        self.outcome.setPlaceholderText(OUTCOME_HINT if closed else "" if data.status == "followed_up" else
                                        OUTCOME_AFTER_CLOSING)

    def _show_schedule(self, data: FollowUpView, changed_by: str = "") -> None:
        """Shows the stored schedule (or a proposal); dates being chosen here (not saved yet) stay, and a teammate's
        schedule stored under them is said in the bar below them."""
        zone = display_zone(self.hub.zone_name)
        review = data.review_held_on or datetime.now(UTC).astimezone(zone).date()
        stored = FollowUpSchedule(data.scheduled_at, data.review_held_on)
        if self.dates.keeps(stored, self._chosen_schedule(), changed_by):
            self._show_their_schedule()
        else:
            self._put_schedule(data, review)
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

    def _put_schedule(self, data: FollowUpView, review: date) -> None:
        """Shows the stored schedule in the date fields (a proposal where none is stored): nothing chosen here."""
        zone = display_zone(self.hub.zone_name)
        self.review_date.setDate(QDate(review.year, review.month, review.day))
        at = data.scheduled_at or datetime.combine(review + timedelta(days=7), time(15), tzinfo=zone)
        self.check_at.setDateTime(to_qdatetime(at, self.hub.zone_name))
        if is_read_only(self.hub.workspace):
            # readable there (enable_when_writable makes them read-only): a proposed date would read as a stored one
            for field, stored in ((self.review_date, data.review_held_on), (self.check_at, data.scheduled_at)):
                if stored is None:
                    field.setDateTime(field.minimumDateTime())  # shows its special value text
        self.dates.put(FollowUpSchedule(data.scheduled_at, data.review_held_on))
        self.dates_bar.hide()

    def _chosen_schedule(self) -> FollowUpSchedule:
        """The dates in the fields, as Schedule would store them."""
        d = self.review_date.date()
        return FollowUpSchedule(from_qdatetime(self.check_at.dateTime()), date(d.year(), d.month(), d.day()))

    def _said(self, schedule: FollowUpSchedule) -> str:
        if schedule.scheduled_at is None:
            return "not scheduled"
        at = schedule.scheduled_at.astimezone(display_zone(self.hub.zone_name))
        review = f"{schedule.review_held_on:%Y-%m-%d}" if schedule.review_held_on else "not recorded"
        return f"review held on {review}, check at {at:%Y-%m-%d %H:%M}"

    def _show_their_schedule(self) -> None:
        if self.dates.theirs is None:
            self.dates_bar.hide()
        else:
            self.dates_bar.show_choice(self._said(self.dates.theirs), self.dates.by,
                                       self._said(self._chosen_schedule()))

    def _take_stored_schedule(self) -> None:
        """Take theirs: the stored schedule shows; the dates chosen here are dropped."""
        self.dates.forget()
        self.refresh()

    def _on_keep_my_dates(self) -> None:
        """The bar's Keep mine: the dates chosen here, saved over the teammate's schedule now stored."""
        if self.dates.theirs is not None:
            self._schedule(self.dates.theirs)

    def _on_schedule_clicked(self) -> None:
        # made from the schedule the screen showed when the dates were chosen: a teammate's since is not overwritten
        self._schedule(self.dates.shown)

    def _schedule(self, based_on: FollowUpSchedule | None) -> None:
        """Saves the dates chosen here, made from based_on (the stored schedule they were chosen over); a teammate's
        schedule stored since offers both (Keep mine / Take theirs / Decide later)."""
        chosen = self._chosen_schedule()
        if chosen.scheduled_at is None:  # the date-time editor always holds a valid time
            show_refusal(self, "Not possible", RuleError("Choose when to check how customers are doing."))
            return
        check_at, review = chosen.scheduled_at, chosen.review_held_on
        assert review is not None
        iid = self.hub.incident_id
        try:
            command = ScheduleFollowUp(iid, check_at, review, based_on=based_on)
        except RuleError as exc:
            show_refusal(self, "Not possible", exc)
            return

        def stored(theirs: object) -> FollowUpSchedule:
            values = theirs if isinstance(theirs, dict) else {}
            return FollowUpSchedule(values.get("scheduled_at"), values.get("review_held_on"))

        run_or_offer_both(self.hub, self, command, "The follow-up schedule", self._said(chosen),
                          lambda theirs: self._said(stored(theirs)),
                          lambda theirs: ScheduleFollowUp(iid, check_at, review, based_on=stored(theirs)),
                          self._take_stored_schedule)

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
        if self.outcome.in_conflict:  # the bar said a teammate recorded theirs: recording these words keeps mine
            self.outcome.keep_mine()
        elif self.outcome.holds_unsaved:  # typed here: saved as the review's words are (kept when refused)
            self.outcome.commit()
        else:  # the stored outcome, recorded again as it stands
            self.hub.run(command)

    def _on_outcome_text_committed(self, text: str) -> None:
        """Records the words typed here (Record outcome; Keep mine; a retry once the server answers again)."""
        try:
            command = RecordFollowUpOutcome(self.hub.incident_id, text)
        except RuleError as exc:
            show_refusal(self, "Not possible", exc)
            self.outcome.save_refused(str(exc))
            return
        save_field(self.hub, self.outcome, command, str)

    # ---- words not saved yet (ui/contracts.KeepsUnsavedWords): the outcome's --------------------------
    def unsaved_words(self) -> list[UnsavedWords]:
        field = self.outcome
        if self._shown_for is None or not field.holds_unsaved:
            return []
        why = (changed_by(field.conflict_by) if field.in_conflict else SERVER_AWAY if field.not_saved
               else field.refused or ("typed and not recorded yet (Record outcome saves it)" if self._closed else
                                      "typed and not recorded: the incident is not closed now, so it cannot be "
                                      "recorded until it is"))
        # a retry sends only what Record outcome was pressed for: typed words wait for that button
        return [UnsavedWords(self._shown_for[1], "Follow-up outcome", field.toPlainText(), why,
                             retryable=field.not_saved, go_to=("followup", "outcome"))]

    def save_words_now(self, retry: bool) -> None:
        # words are recorded only by Record outcome (it marks the incident followed up); a recording the server did
        # not get is tried again when asked
        if retry and self.outcome.not_saved and self._shown_for == (id(self.hub.session), self.hub.incident_id):
            self.outcome.commit()

    def forget_unsaved_words(self) -> None:
        self.outcome.forget_unsaved()
        self.request_refresh()  # the stored outcome shows again

    def focus_item(self, payload: object) -> None:
        if payload in ("schedule", None, ""):
            self.check_at.setFocus()
        elif payload == "activity":
            self.import_button.setFocus()
        elif payload == "outcome":
            self.outcome.setFocus()

    def _on_hub_incident_changed(self, _incident_id: int) -> None:
        self.request_refresh()

    def _on_hub_workspace_changed(self, changes: DataChange, incident_id: int, initiator: object) -> None:
        if changes & REFRESH_ON and self.hub.shows(incident_id):
            if isinstance(initiator, Teammate):
                self._changed_by = initiator.user
            self.request_refresh()
