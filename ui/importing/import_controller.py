"""Routes imports: ticket dumps through the mapping dialog and a worker, pastes and drops to the paste dialog."""
from __future__ import annotations

import html
import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QMainWindow, QMessageBox, QWidget

from postmortem_desktop.domain.counting import counted
from postmortem_desktop.services.conversations import AddConversation, typed_note
from postmortem_desktop.services.incidents import IncidentService

from ..errors import show_refusal
from ..file_dialogs import choose_file_to_open
from ..hub import ScreenHub
from ..progress import WorkProgressDialog, show_progress
from ..time_display import display_zone
from ..workers import GeneratorWorker, start
from .note_dialog import NoteDialog

if TYPE_CHECKING:  # imported where they are used (see below); named here for the attributes' types
    from ..timeline.event_import_dialog import EventImportDialog
    from .slack_channels_dialog import SlackChannelsDialog

log = logging.getLogger(__name__)

# The importers (calamine, hundreds of compiled patterns) and their dialogs are imported inside
# the methods that use them: the app starts ~110 ms sooner, and the first import pays instead.

SHEET_SUFFIXES = {".csv", ".tsv", ".txt_sheet", ".xlsx", ".xlsm", ".xls", ".ods", ".xml"}
TEXT_SUFFIXES = {".txt", ".log", ".md"}
SHEET_FILTER = "Ticket dumps (*.csv *.tsv *.xlsx *.xlsm *.xls *.ods *.xml);;All files (*)"
EVENT_FILTER = ("System events (*.json *.rss *.atom *.xml *.csv *.log *.txt *.jsonl *.zip);;"
                "All files (*)")
EVENT_SUFFIXES = {".json", ".jsonl", ".rss", ".atom", ".log"}  # always system events when dropped
# Conversation files (a zip that is no Slack export holds a chat: WhatsApp shares one); .msg is refused
# by the reader with advice, rather than read as a spreadsheet.
CONVERSATION_SUFFIXES = {".eml", ".mbox", ".msg", ".html", ".htm", ".zip"}
MAX_PASTE_CHARS = 60_000_000  # a 50 MB paste is accepted; far beyond is surely not a conversation


class ImportController(QObject):
    """Owns the import dialogs and workers for the window it serves; holds no data of its own."""

    def __init__(self, hub: ScreenHub, window: QWidget):
        super().__init__(window)
        self.hub = hub
        self.window = window
        self._worker: GeneratorWorker | None = None
        self._progress: WorkProgressDialog | None = None
        self.last_summary = None  # the last ImportSummary
        self.last_event_dialog: EventImportDialog | None = None  # the last system-event preview (for tests)
        self.last_slack_dialog: SlackChannelsDialog | None = None  # the last Slack channel chooser (for tests)
        self.last_feedback = ""  # what the status bar said after the last conversation was added

    # ---- entry points ---------------------------------------------------------------------------
    def choose_and_import(self, include_outside_window: bool = False) -> None:
        from postmortem_desktop.services import spreadsheet_import

        if not self._ready():
            return
        spreadsheet_import.get_ready_to_read()  # while the person picks a file, a reader starts
        path = choose_file_to_open(self.window, "Import Tickets", self.hub.workspace, SHEET_FILTER)
        if path is not None:
            self.import_file(path, include_outside_window)

    def choose_events_file(self) -> None:
        if not self._ready():
            return
        path = choose_file_to_open(self.window, "Import System Events", self.hub.workspace, EVENT_FILTER)
        if path is not None:
            self.import_events_file(path)

    def import_events_file(self, path: Path) -> None:
        """Reads the file on a worker, then previews it; storing is one undoable step."""
        if not self._ready():
            return
        from postmortem_desktop.importers.events.slack_export import is_slack_export

        workspace, incident_id = self.hub.workspace, self.hub.incident_id
        if is_slack_export(path):
            self._run_worker(f"Reading the Slack export {path.name}…", lambda: _slack_read_job(path),
                             lambda export: self._choose_slack_channels(path, export))
            return
        self._run_worker(f"Reading {path.name}…", lambda: _events_job(workspace, incident_id, path),
                         self._show_event_preview)

    def _choose_slack_channels(self, path: Path, export) -> None:  # noqa: ANN001 - a SlackExport
        from .slack_channels_dialog import SlackChannelsDialog

        dialog = SlackChannelsDialog(export, path.name, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.last_slack_dialog = dialog
        workspace, incident_id = self.hub.workspace, self.hub.incident_id

        def finished(result: int) -> None:
            if result != QDialog.DialogCode.Accepted:
                return
            choice = dialog.choice()
            self._run_worker("Preparing the preview…", lambda: _slack_plan_job(workspace, incident_id, export,
                                                                                path.name, choice),
                             lambda plan: self._show_event_preview(plan.events, slack=plan))
        dialog.finished.connect(finished)
        dialog.open()

    def _show_event_preview(self, plan, slack=None) -> None:  # noqa: ANN001 - an EventImportPlan
        from ..timeline.event_import_dialog import EventImportDialog

        details = IncidentService(self.hub.workspace).get(plan.incident_id)
        current = {name: getattr(details, name) for name in ("technical_start", "technical_end",
                                                             "status_page_resolved")}
        dialog = EventImportDialog(plan, self.hub.zone_name, current, self.window, slack=slack)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.last_event_dialog = dialog

        def finished(result: int) -> None:
            command = dialog.command() if result == QDialog.DialogCode.Accepted else None
            if command is not None and self.hub.run(command):
                self.hub.records_imported.emit(plan.incident_id)
        dialog.finished.connect(finished)
        dialog.open()

    def route_dropped_file(self, path: Path) -> None:
        from postmortem_desktop.importers.events.detect import sniff_event_file
        from postmortem_desktop.importers.text_decoding import transcript_text

        suffix = path.suffix.lower()
        if suffix == ".json" and _is_chat_json(path):
            self.read_conversation_file(path)
        elif suffix in EVENT_SUFFIXES or (suffix in {".csv", ".xml", ".zip"} and sniff_event_file(path)):
            self.import_events_file(path)
        elif suffix in CONVERSATION_SUFFIXES:
            self.read_conversation_file(path)
        elif suffix in TEXT_SUFFIXES:
            decoded = transcript_text(path.read_bytes())
            self.paste_text(decoded.text, path.name, decoded.notice)
        else:
            self.import_file(path)

    def paste_from_clipboard(self) -> None:
        from postmortem_desktop.importers.text_cleanup import html_to_text

        mime = QGuiApplication.clipboard().mimeData()
        if mime.hasText() and mime.text().strip():
            self.paste_text(mime.text(), "clipboard")
        elif mime.hasHtml():
            self.paste_text(html_to_text(mime.html()), "clipboard")
        else:
            show_refusal(self.window, "Nothing to paste", ValueError(
                "The clipboard holds no text. Copy the conversation (a chat, an email thread, a call note) first."))

    def paste_text(self, text: str, source_name: str = "", decoding_notice: str = "") -> None:
        """``decoding_notice``: how a dropped text file's bytes were read, shown in the dialog."""
        if not self._ready():
            return
        if len(text) > MAX_PASTE_CHARS:
            show_refusal(self.window, "Paste too large", ValueError(
                f"That text is {len(text) / 1e6:.0f} MB; a paste holds at most {MAX_PASTE_CHARS / 1e6:.0f} MB. "
                "Split it into smaller parts, or import the export file."))
            return
        day, window = self._incident_days()
        tz = display_zone(self.hub.zone_name)
        self._run_worker("Reading the conversation…", lambda: _parse_job(text, day, tz, window),
                         lambda result: self._paste_transcript(
                             replace(result[0], decoding_notice=decoding_notice) if decoding_notice else result[0],
                             result[1], source_name))

    def read_conversation_file(self, path: Path) -> None:
        """An email, mailbox, HTML mail or chat export file, read off the main thread, then the paste dialog."""
        if not self._ready():
            return
        day, window = self._incident_days()
        tz = display_zone(self.hub.zone_name)
        self._run_worker(f"Reading {path.name}…", lambda: _conversation_file_job(path, day, tz, window),
                         lambda result: self._paste_transcript(result[0], result[1], path.name))

    def add_note(self, channel: str) -> None:
        if not self._ready():
            return
        dialog = NoteDialog(channel, self.hub.zone_name, self.window)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            author, text, at, role = dialog.values()
            self._add(AddConversation(self.hub.incident_id, typed_note(channel, author, text, at, role)))

    def import_file(self, path: Path, include_outside_window: bool = False) -> None:
        if not self._ready():
            return
        self._run_worker(f"Reading {path.name}…", lambda: _read_job(path),
                         lambda plan: self._show_mapping(plan, include_outside_window))

    # ---- steps ----------------------------------------------------------------------------------
    def _ready(self) -> bool:
        if self.hub.session is None or self.hub.incident_id < 0:
            show_refusal(self.window, "No incident selected", ValueError(
                "Select the incident to add to (or create one with Incident › New Incident) first."))
            return False
        if self.hub.workspace.read_only:
            show_refusal(self.window, "Read-only", ValueError(self.hub.workspace.read_only_reason))
            return False
        return self._worker is None

    def _incident_days(self):  # noqa: ANN202
        """The day undated times belong to (the incident's first failure) and the incident's review window."""
        details = IncidentService(self.hub.workspace).get(self.hub.incident_id)
        anchor = details.technical_start
        day = anchor.astimezone(display_zone(self.hub.zone_name)).date() if anchor else None
        return day, (details.review_start, details.review_end)

    def _paste_transcript(self, transcript, preview, source_name: str) -> None:  # noqa: ANN001
        from .paste_dialog import PasteConversationDialog

        details = IncidentService(self.hub.workspace).get(self.hub.incident_id)
        dialog = PasteConversationDialog(transcript, self.hub.zone_name, source_name, self.window,
                                         review_window=(details.review_start, details.review_end), preview=preview)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._add(AddConversation(self.hub.incident_id, dialog.new_conversation()))

    def _add(self, command: AddConversation) -> None:
        """Adds the conversation, then says so and opens it in the reader, so the person sees where it went."""
        if not self.hub.run(command) or command.conversation_id is None:
            return
        new = command.new
        title = new.subject or new.customer_name or new.channel.capitalize()
        self.last_feedback = f"Added {new.channel} “{title}”: {counted(len(new.messages), 'message')}."
        if command.already_stored:  # a chat added before: only its new messages went in
            were = "was" if command.already_stored == 1 else "were"
            self.last_feedback = (f"Added {counted(command.added_messages, 'new message')} to {new.channel} "
                                  f"“{title}”; {counted(command.already_stored, 'message')} of this chat {were} "
                                  "already there.")
        if isinstance(self.window, QMainWindow):
            self.window.statusBar().showMessage(self.last_feedback, 10000)
        self.hub.conversation_requested.emit(command.conversation_id, -1)

    def _show_mapping(self, plan, include_outside_window: bool = False) -> None:  # noqa: ANN001 - an ImportPlan
        from postmortem_desktop.services import spreadsheet_import
        from postmortem_desktop.services.ticket_import import ImportOptions

        from .mapping_dialog import ImportMappingDialog

        workspace = self.hub.workspace
        details = IncidentService(workspace).get(self.hub.incident_id)
        dialog = ImportMappingDialog(plan, self.hub.zone_name, spreadsheet_import.preset_names(workspace), self.window,
                                     review_window=(details.review_start, details.review_end))
        dialog.preset_save_requested.connect(lambda name: spreadsheet_import.save_preset(workspace, name, plan))
        dialog.include_outside.setChecked(include_outside_window)
        dialog.preset_chosen.connect(
            lambda name: dialog.apply_mapping(spreadsheet_import.load_preset(workspace, name, plan.sheet.header)))
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        options = ImportOptions(include_outside_window=dialog.include_outside_window)
        incident_id = self.hub.incident_id
        self._run_worker(f"Importing {plan.path.name}…",
                         lambda: spreadsheet_import.import_generator(workspace, incident_id, plan, options),
                         lambda summary: self._on_import_finished(incident_id, plan, options, summary),
                         cancellable_text="Cancel (nothing will be imported)", writes=True,
                         on_failed=lambda exc: self._on_import_failed(plan.path.name, exc))

    def _on_import_finished(self, incident_id: int, plan, options, summary) -> None:  # noqa: ANN001
        from postmortem_desktop.services import spreadsheet_import
        from postmortem_desktop.services.import_undo import UndoableImport

        self.last_summary = summary
        _show_summary(self.window, summary)
        if not (summary.imported or summary.updated):
            return  # nothing changed: nothing to undo
        workspace = self.hub.workspace
        command = UndoableImport(incident_id, summary,
                                 lambda: spreadsheet_import.import_generator(workspace, incident_id, plan, options))
        self.hub.open_session.push_done(command)
        self.hub.records_imported.emit(incident_id)

    # ---- worker plumbing ------------------------------------------------------------------------
    def _run_worker(self, label: str, make_generator, on_finished, cancellable_text: str = "Cancel",  # noqa: ANN001
                    writes: bool = False, on_failed: Callable[[BaseException], None] | None = None) -> None:
        worker = GeneratorWorker(make_generator)
        session = self.hub.open_session
        session.track(worker, writes=writes)  # closing the workspace stops it; edits wait for a write

        def finished(result) -> None:  # noqa: ANN001
            self._end_worker()
            if self.hub.session is session:  # another workspace opened meanwhile: its result is not ours
                on_finished(result)

        progress = WorkProgressDialog(label, cancellable_text, self.window)
        progress.canceled.connect(worker.cancel)
        worker.signals.progressed.connect(lambda done, total: show_progress(progress, done, total, "rows"))
        worker.signals.finished.connect(finished)
        def failed(exc: BaseException, _tb: str) -> None:
            self._end_worker()
            (on_failed or self._on_failed)(exc)

        worker.signals.failed.connect(failed)
        worker.signals.cancelled.connect(self._end_worker)
        self._worker, self._progress = worker, progress
        start(worker)

    def _end_worker(self) -> None:
        if self._progress is not None:
            self._progress.close()
            self._progress.deleteLater()
        self._worker, self._progress = None, None

    def _on_import_failed(self, file_name: str, exc: BaseException) -> None:
        """A ticket import the workspace could not take (the server away, the disk full): said with the file's
        name, that none of it was imported and what to do, on this window (not wherever the screen's middle is)."""
        from postmortem_desktop.services.import_failure import not_imported
        from postmortem_desktop.storage.errors import WorkspaceError, server_is_away

        from .. import server_away

        if not isinstance(exc, WorkspaceError):
            self._on_failed(exc)
            return
        log.info("an import of %s failed: %s", file_name, exc)
        if server_is_away(exc):  # the one server box: the server's own words behind Show Details
            server_away.tell(self.window, not_imported(file_name, exc), details=str(exc))
        else:
            show_refusal(self.window, "Import failed", RuntimeError(not_imported(file_name, exc)))

    def _on_failed(self, exc: BaseException) -> None:
        from postmortem_desktop.importers.sheet_errors import SheetError
        from postmortem_desktop.services.import_pipeline import HelperFailed

        if isinstance(exc, (SheetError, ValueError, OSError)):
            show_refusal(self.window, "Cannot import this file", exc)
        elif isinstance(exc, HelperFailed):  # nothing was written; the message says so and why
            log.warning("%s", exc)
            show_refusal(self.window, "Import stopped", exc)
        else:
            raise exc


def _read_job(path: Path):  # noqa: ANN202
    from postmortem_desktop.services import spreadsheet_import

    yield 0, None
    return spreadsheet_import.prepare_import(path)


def _events_job(workspace, incident_id: int, path: Path):  # noqa: ANN001, ANN202
    from postmortem_desktop.services.event_import import plan_file

    yield 0, None
    plan = plan_file(workspace, incident_id, path)
    yield 1, 1  # a Cancel pressed while the file was read is honoured here: no preview opens
    return plan


def _slack_read_job(path: Path):  # noqa: ANN202
    from postmortem_desktop.importers.events.slack_export import read_slack_export

    yield 0, None
    export = read_slack_export(path)
    yield 1, 1  # Cancel while reading: no channel chooser opens
    return export


def _slack_plan_job(workspace, incident_id: int, export, file_name: str, choice):  # noqa: ANN001, ANN202
    from postmortem_desktop.services.slack_import import plan_slack_import

    yield 0, None
    plan = plan_slack_import(workspace, incident_id, export, file_name, choice)
    yield 1, 1
    return plan


def _is_chat_json(path: Path) -> bool:
    from postmortem_desktop.importers.conversation_files import looks_like_chat_json

    try:
        with path.open("rb") as handle:
            return looks_like_chat_json(handle.read(65536))
    except OSError:
        return False


def _conversation_file_job(path: Path, day, tz, window):  # noqa: ANN001, ANN202
    from postmortem_desktop.importers.conversation_files import read_conversation_path
    from postmortem_desktop.services.paste_preview import preview_paste

    yield 0, None
    transcript = read_conversation_path(path, day=day, tz=tz)  # by path: a Telegram export's other pages come too
    return transcript, preview_paste(transcript, window)


def _parse_job(text: str, day, tz, window):  # noqa: ANN001, ANN202
    from postmortem_desktop.importers.transcripts import parse_transcript
    from postmortem_desktop.services.paste_preview import preview_paste

    yield 0, None
    transcript = parse_transcript(text, day=day, tz=tz)
    yield 1, None  # a Cancel pressed while the text was read is honoured here: no preview opens
    # the preview's facts are worked out here, off the GUI thread: 600,000 messages took the window 1.5 s
    return transcript, preview_paste(transcript, window)


def summary_text(summary) -> str:  # noqa: ANN001 - an ImportSummary
    """What the import did, in words; Undo is offered only when there is something to take back."""
    unchanged = f"{summary.unchanged:,} already here unchanged, " if summary.unchanged else ""
    repeated = (f"<br>{counted(len(summary.duplicates), 'row')} repeated a ticket id of an earlier row: each ticket "
                "became one conversation holding the messages of all its rows (see Show Details)."
                if summary.duplicates else "")
    notice = f"<br>{html.escape(summary.decoding_notice)}" if summary.decoding_notice else ""
    notice += "".join(f"<br>⚠ {html.escape(quote.message())}" for quote in summary.open_quotes)
    # a 0-row import pushes no undo step: Edit › Undo would take back the edit before it
    undo = ("Edit › Undo takes the whole import back." if summary.imported or summary.updated else
            "Nothing was added or changed, so there is nothing to undo.")
    return (f"<b>{html.escape(summary.file_name)}</b> ({summary.vendor} export): "
            f"{counted(summary.rows_read, 'row')} read.<br>{counted(summary.imported, 'new conversation')}, "
            f"{summary.updated:,} updated, {unchanged}"
            f"{summary.outside_window:,} outside the review window (left out), "
            f"{len(summary.skipped):,} skipped.<br>The file's {summary.conversations:,} conversations hold "
            f"{summary.messages:,} messages.{repeated}{notice}<br>{undo}")


def _show_summary(parent: QWidget, summary) -> None:  # noqa: ANN001 - an ImportSummary
    box = QMessageBox(parent)
    box.setObjectName("import_summary")
    box.setWindowTitle("Import finished")
    worth_a_look = summary.skipped or summary.duplicates or summary.lines_not_utf8 or summary.open_quotes
    box.setIcon(QMessageBox.Icon.Warning if worth_a_look else QMessageBox.Icon.Information)
    box.setText(summary_text(summary))
    rows = sorted([*summary.skipped, *summary.duplicates], key=lambda row: row.row)
    details = [f"row {row.row}: {row.reason}" for row in rows]
    if details:
        box.setDetailedText("\n".join(details))
    box.open()
