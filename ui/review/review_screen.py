"""The Review screen: the five questions, the close-out record, severity, contacts, message, checklist."""
from __future__ import annotations

from PySide6.QtWidgets import QLabel, QMessageBox, QScrollArea, QTabWidget, QVBoxLayout, QWidget

from postmortem_desktop.domain.changes import DataChange
from postmortem_desktop.services.closeout import CLOSED_STATES, CloseoutService
from postmortem_desktop.services.contacts import ContactService, not_listed
from postmortem_desktop.services.customer_severity import SeverityService
from postmortem_desktop.services.incidents import IncidentService, MissingIncident
from postmortem_desktop.services.review_answers import ReviewService
from postmortem_desktop.storage.errors import WorkspaceError
from postmortem_desktop.storage.workspace_kind import WorkspaceKind

from ..closeout.checklist_panel import ChecklistPanel
from ..closeout.record_lock import ClosedBanner, lock_record
from ..deferred_refresh import DeferredRefresh
from ..hub import ScreenHub
from ..team_feed import Teammate
from ..unsaved_words import SERVER_AWAY, UnsavedWords, changed_by, keep_copy, recovery_path
from .answers_widget import AnswersWidget
from .contacts_widget import ContactsWidget
from .edits_widget import EditsWidget
from .kept_evidence import KeptEvidence
from .message_widget import CustomerMessageWidget
from .record_widget import CloseoutRecordWidget
from .severity_widget import SeverityWidget
from .text_field import CommitTextEdit

REFRESH_ON = DataChange.everything() & ~DataChange.AGENDA  # answers link quotes, actions, contacts, windows


class ReviewScreen(DeferredRefresh, QWidget):
    TAB_QUESTIONS, TAB_RECORD, TAB_SEVERITY, TAB_CONTACTS, TAB_MESSAGE, TAB_CHECKLIST, TAB_EDITS = range(7)

    def __init__(self, hub: ScreenHub, parent=None):  # noqa: ANN001
        super().__init__(parent)
        self.hub = hub
        self._changed_by = ""  # the teammate whose edit the next refresh brings, if that is what it is for
        self._shown: tuple[int, int] | None = None  # (session, incident) the fields hold the texts of
        self._evidence = KeptEvidence()  # the suggestions', read again only after a change that can alter it
        #: the message saying typed words were not saved, when the last change of incident dropped some
        self.unsaved_notice: QMessageBox | None = None
        self.empty = QLabel("Select an incident to review it.", self)
        self.closed_banner = ClosedBanner(hub, self)
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.answers = AnswersWidget(hub, self)
        self.record = CloseoutRecordWidget(hub, self)
        self.severity = SeverityWidget(hub, self)
        self.contacts = ContactsWidget(hub, self)
        self.message = CustomerMessageWidget(hub, self)
        self.checklist = ChecklistPanel(hub, self)
        self.edits = EditsWidget(self)
        for widget, title in ((self.answers, "Five &questions"), (self.record, "C&lose-out record"),
                              (self.severity, "Customer &severity"), (self.contacts, "&Contact list"),
                              (self.message, "Customer &message"), (self.checklist, "Chec&klist")):
            self.tabs.addTab(widget if widget is self.answers else self._scrolling(widget), title)
        self.tabs.addTab(self.edits, "&Who edited")  # a table scrolls itself
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.empty)
        layout.addWidget(self.closed_banner)
        layout.addWidget(self.tabs, 1)
        hub.incident_changed.connect(self._on_hub_incident_changed)
        hub.workspace_changed.connect(self._on_hub_workspace_changed)
        hub.session_changed.connect(self.request_refresh)
        self.read_first()

    def _scrolling(self, widget: QWidget) -> QScrollArea:
        # each tab scrolls instead of forcing the main window wider or taller than a 1280x720 screen
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(widget)
        return scroll

    def refresh(self) -> None:
        iid = self.hub.incident_id
        if (id(self.hub.session), iid) != self._shown:
            self._hand_back_unsaved_words()  # before _shown moves on: the words are of the incident it names
            self._shown = (id(self.hub.session), iid)
            self.severity.forget_choice()  # a level or decision being chosen was for the incident before
            self.message.forget_choice()
        has_incident = self.hub.session is not None and iid >= 0
        self.empty.setVisible(not has_incident)
        self.tabs.setVisible(has_incident)
        if not has_incident:
            return
        record_screens = (self.answers, self.record, self.severity, self.contacts, self.message)
        for widget in record_screens:  # each screen's own rules first; a closed record is locked after
            lock_record(widget, False)
        service = ReviewService(self.hub.workspace)
        fields = service.closeout_fields(iid)
        changed_by, self._changed_by = self._changed_by, ""
        self.answers.show_answers(service.answers(iid), changed_by)
        self.record.show_fields(fields, changed_by)
        suggestion = self._evidence.suggestion(self.hub.workspace, iid)
        self.severity.show_state(SeverityService(self.hub.workspace).severity(iid, suggestion),
                                 service.history(iid), changed_by)
        contacts = ContactService(self.hub.workspace)
        listed = contacts.contacts(iid)
        suggested = not_listed(self._evidence.candidates(self.hub.workspace, iid), listed)
        self.contacts.show_contacts(listed, suggested, fields.contact_list_reviewed, changed_by)
        self.answers.show_contact_list(len(listed), sum(1 for c in listed if c.contacted),
                                       fields.contact_list_reviewed)
        self.message.show_fields(fields, changed_by)
        team = self.hub.workspace.kind is WorkspaceKind.TEAM
        self.edits.show_edits(service.edits(iid), team=team, zone_name=self.hub.zone_name)
        self.tabs.setTabVisible(self.TAB_EDITS, team)  # a file keeps no record of who edited
        state = CloseoutService(self.hub.workspace).checklist(iid)
        self.checklist.show_state(state)
        closed = state.status in CLOSED_STATES
        self.closed_banner.show_closed(closed)
        self.record.show_closed(closed)
        self.severity.show_closed(closed)
        # a read-only workspace's record is locked as a closed one's is: its tabs can still be gone through and
        # its words read and copied in every theme (disabling the tabs wholesale greyed them out)
        locked = closed or self.hub.workspace.read_only
        self.answers.locked = locked
        for widget in record_screens:
            lock_record(widget, locked)

    def _hand_back_unsaved_words(self) -> None:
        """Words typed for an incident no longer shown are never offered as edits of the next one.

        Showing another incident asks first when words are not saved (ui/leaving.py), and leaving a field
        saves it; so words are left here only when the incident went away (a teammate deleted it) or the
        incident changed without a person choosing it. They are copied to the clipboard and a file, and a
        note says why each was not saved and where the copy is."""
        words = self.unsaved_words()
        for field in self.findChildren(CommitTextEdit):
            field.forget_unsaved()
        if not words:
            return
        shown = self._shown
        gone = self.hub.session is not None and shown is not None and shown[0] == id(self.hub.session) \
            and self._deleted(shown[1])
        reasons = "; ".join(f"{entry.field}: {entry.why}" for entry in words)
        said = ("The incident you were typing in is no longer there (someone else deleted it), so what you typed "
                "was not saved." if gone else f"What you typed in the incident you left was not saved ({reasons}).")
        where = "It is on the clipboard"
        try:
            where += f" and in the file {keep_copy(words, {}, self._workspace_name(), recovery_path())}"
        except OSError as exc:
            where += f" (it could not be written to a file: {exc.strerror or exc})"
        box = QMessageBox(QMessageBox.Icon.Information, "Typed Words Not Saved",
                          f"{said} {where}: paste it where it belongs.", QMessageBox.StandardButton.Ok, self)
        box.setDetailedText("\n\n".join(entry.text for entry in words))
        self.unsaved_notice = box
        box.open()  # not exec(): this runs inside a refresh

    def _workspace_name(self) -> str:
        return self.hub.workspace.name if self.hub.workspace is not None else ""

    def _deleted(self, incident_id: int) -> bool:
        """The incident is no longer in the workspace (a teammate deleted it); False when that cannot be told."""
        try:
            IncidentService(self.hub.open_session.workspace).get(incident_id)
        except MissingIncident:
            return True
        except WorkspaceError:  # the server is away: it is not known to be gone
            return False
        return False

    # ---- words not saved yet (ui/contracts.KeepsUnsavedWords) ---------------------------------------
    def _text_fields(self) -> list[tuple[str, str, CommitTextEdit]]:
        """(focus_item key, name as the person reads it, field) for every text field of the review."""
        numbered = [(key, f"Review, question {n}: {block.question}", block.answer)
                    for n, (key, block) in enumerate(self.answers.blocks.items(), start=1)]
        record = [(key, f"Close-out record: {field.accessibleName()}", field)
                  for key, field in self.record.fields.items()]
        return [*numbered, *record, ("message", "Customer message", self.message.editor)]

    def unsaved_words(self) -> list[UnsavedWords]:
        if self._shown is None:
            return []
        incident_id = self._shown[1]  # the incident the fields hold (this screen may not have re-read yet)
        words = []
        for key, name, field in self._text_fields():
            if not field.holds_unsaved:
                continue
            why = (changed_by(field.conflict_by) if field.in_conflict else SERVER_AWAY if field.not_saved
                   else field.refused or "typed a moment ago and not saved yet")
            words.append(UnsavedWords(incident_id, name, field.toPlainText(), why, retryable=not field.in_conflict,
                                      go_to=("review", key)))
        return words

    def save_words_now(self, retry: bool) -> None:
        if self.hub.session is not None and self._shown == (id(self.hub.session), self.hub.incident_id):
            for _key, _name, field in self._text_fields():  # a save goes to the incident on view: these words'
                field.save_now(retry)

    def forget_unsaved_words(self) -> None:
        for field in self.findChildren(CommitTextEdit):
            field.forget_unsaved()

    def focus_item(self, payload: object) -> None:
        """Brings forward the tab and field a checklist link names (e.g. "trust_signals")."""
        field = str(payload or "")
        if field in self.record.fields:
            self.tabs.setCurrentIndex(self.TAB_RECORD)
            target = self.record.fields[field]
            scroll = self.tabs.currentWidget()
            if isinstance(scroll, QScrollArea):  # at 1280x720 the field may be below the fold
                scroll.ensureWidgetVisible(target)
            target.setFocus()
        elif field in self.answers.blocks:
            self.tabs.setCurrentIndex(self.TAB_QUESTIONS)
            self.answers.ensureWidgetVisible(self.answers.blocks[field])
            self.answers.blocks[field].answer.setFocus()
        elif field == "severity":
            self.tabs.setCurrentIndex(self.TAB_SEVERITY)
            self.severity.level.setFocus()
        elif field == "contacts":
            self.tabs.setCurrentIndex(self.TAB_CONTACTS)
            self.contacts.reviewed.setFocus()
        elif field == "message":
            self.tabs.setCurrentIndex(self.TAB_MESSAGE)
            self.message.editor.setFocus()
        elif field == "checklist":
            self.tabs.setCurrentIndex(self.TAB_CHECKLIST)
        elif field in ("", None):
            self.tabs.setCurrentIndex(self.TAB_QUESTIONS)

    def _on_hub_incident_changed(self, _incident_id: int) -> None:
        self.request_refresh()

    def _on_hub_workspace_changed(self, changes: DataChange, incident_id: int, initiator: object) -> None:
        if not self.hub.shows(incident_id):
            return
        self._evidence.forget(changes)
        if changes & REFRESH_ON:
            if isinstance(initiator, Teammate):
                self._changed_by = initiator.user
            self.request_refresh()
