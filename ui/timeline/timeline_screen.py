"""The Timeline screen: toolbar, the dual-swimlane view, and the edits it starts (all undoable)."""
from __future__ import annotations

import html
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QBuffer, QEvent, QIODevice, Qt, Signal
from PySide6.QtGui import QAction, QImage, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QLabel,
    QMenu,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from postmortem_desktop.domain.changes import DataChange
from postmortem_desktop.domain.counting import counted
from postmortem_desktop.timeline.drawing import KIND_LABELS, Theme
from postmortem_desktop.timeline.layout import GROUP_BY, GROUP_LABELS, Hit, TimelineData, TimelineLayout, format_time

from ..conflict_dialog import run_or_offer_both
from ..file_dialogs import start_folder
from ..hub import ScreenHub
from .qt_canvas import render_timeline_image
from .timeline_view import EMPTY_TEXT, NO_WORKSPACE_TEXT, TimelineView

if TYPE_CHECKING:
    from postmortem_desktop.services.commands import Command
    from postmortem_desktop.services.timeline import EditSystemEvent, SystemEventDetails

    from .event_dialogs import PasteEventLinesDialog, SystemEventDialog

# The services, the event dialogs and the image output are imported where they are used: the first look
# draws this screen before the storage layer (SQLAlchemy) is loaded (services/first_look.py).

D = TypeVar("D", bound=QDialog)  # a dialog class, returned as itself

REFRESH_ON = (DataChange.SYSTEM_EVENT | DataChange.CONVERSATION | DataChange.QUOTE | DataChange.TAG
              | DataChange.INCIDENT | DataChange.SETTING)
MARKER_HELP = {
    "technical_start": "First failure (start of the technical window)",
    "technical_end": "Recovery (end of the technical window)",
    "status_page": "Status page said “resolved”",
}


def theme_for(widget: QWidget, scale: float = 1.0) -> Theme:
    """The palette's colours for the widget's light or dark theme."""
    dark = widget.palette().color(QPalette.ColorRole.Window).lightness() < 128
    return Theme.default(dark=dark, scale=scale)


def _with_menu(toolbar: QToolBar, action: QAction, *more: QAction) -> None:
    """The toolbar button of action runs it; its arrow offers the other actions."""
    button = toolbar.widgetForAction(action)
    if isinstance(button, QToolButton):
        menu = QMenu(button)
        for other in more:
            menu.addAction(other)
        button.setMenu(menu)
        button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)


class TimelineScreen(QWidget):
    #: the timeline was (re)loaded for an incident (id, or -1 when there is none)
    timeline_loaded = Signal(int)

    def __init__(self, hub: ScreenHub, parent: QWidget | None = None):
        super().__init__(parent)
        self.hub = hub
        self.layout_: TimelineLayout | None = None
        self.dialog: QDialog | None = None
        self._base_point_size = self.font().pointSizeF()
        self.view = TimelineView(theme_for(self), self)
        self.view.describe_hit = self.describe_hit
        self._build_toolbar()
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addWidget(self.toolbar)
        box.addWidget(self.view, 1)
        self.view.conversation_clicked.connect(self._on_view_conversation_clicked)
        self.view.event_dragged.connect(self._on_view_event_dragged)
        self.view.marker_dragged.connect(self._on_view_marker_dragged)
        self.view.system_lane_double_clicked.connect(self._on_view_system_lane_double_clicked)
        self.view.event_double_clicked.connect(self._on_view_event_double_clicked)
        hub.session_changed.connect(self._on_hub_session_changed)
        hub.incident_changed.connect(self._on_hub_incident_changed)
        hub.workspace_changed.connect(self._on_hub_workspace_changed)
        hub.records_imported.connect(self._on_hub_records_imported)
        hub.conversation_requested.connect(self._on_hub_conversation_requested)

    def changeEvent(self, event) -> None:  # noqa: ANN001
        """Follows the app's theme live: light/dark colours and, for the projector, larger type."""
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.FontChange):
            size = self.font().pointSizeF()
            scale = size / self._base_point_size if size > 0 and self._base_point_size > 0 else 1.0
            self.view.set_theme(theme_for(self, scale=max(1.0, scale)))

    def _build_toolbar(self) -> None:
        # A QToolBar folds what does not fit into its overflow menu, so 1280x720 with docks still works.
        self.toolbar = QToolBar("Timeline", self)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.group_combo = QComboBox(self)
        for key in GROUP_BY:
            self.group_combo.addItem(GROUP_LABELS[key], key)
        self.group_combo.setAccessibleName("Customer sub-rows")
        # as wide as "Channel", not "Customer segment": the open list shows the long names, and the
        # tools then fit beside the reader on a 1280x720 projector
        self.group_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.group_combo.setMinimumContentsLength(8)
        self.group_combo.setToolTip("Customer rows by: channel, segment, task or tag")
        self.group_combo.currentIndexChanged.connect(self._on_group_combo_current_index_changed)
        rows_label = QLabel(" Ro&ws: ", self)
        rows_label.setBuddy(self.group_combo)
        self.toolbar.addWidget(rows_label)
        self.toolbar.addWidget(self.group_combo)
        self.toolbar.addSeparator()
        self.fit_incident_action = self._action("&Fit", self.fit_incident, "Ctrl+0",
                                                "Fit the incident: the technical and customer impact windows "
                                                "(Ctrl+0); the arrow offers the whole review window")
        self.fit_review_action = self._action("Fit &Review Window", self.fit_review_window, None,
                                              "Show the whole review window", on_toolbar=False)
        # the Fit and Add Event buttons carry their siblings in a menu, so the tools fit beside the
        # reader on a 1280x720 projector
        _with_menu(self.toolbar, self.fit_incident_action, self.fit_review_action)
        self.zoom_in_action = self._action("+", lambda: self.view.zoom(1.25), None, "Zoom in (+, Ctrl+wheel)")
        self.zoom_out_action = self._action("−", lambda: self.view.zoom(0.8), None, "Zoom out (−, Ctrl+wheel)")
        self.toolbar.addSeparator()
        self.add_event_action = self._action("&Add Event…", self.add_event_at_centre, None,
                                             "Add a system event (or double-click the System lane); the arrow "
                                             "offers pasted log lines and event files")
        self.paste_action = self._action("&Paste Log Lines…", self.paste_log_lines, None,
                                         "Turn pasted log lines or an alerts CSV into system events", on_toolbar=False)
        self.import_events_action = self._action(
            "Import &Events…", lambda: self.hub.event_import_requested.emit(), None,
            "Import a status page, paging, alerting, deploy or log file (Ctrl+Shift+E)", on_toolbar=False)
        _with_menu(self.toolbar, self.add_event_action, self.paste_action, self.import_events_action)
        self.save_image_action = self._action("Save &Image…", self.save_image, None, "Save the timeline as a PNG")

    def _action(self, text: str, slot, shortcut, tip: str, *, on_toolbar: bool = True) -> QAction:  # noqa: ANN001
        action = self.toolbar.addAction(text) if on_toolbar else QAction(text, self)
        action.setToolTip(tip)
        if shortcut:
            # whole-window keys while the timeline is on view (Ctrl+0 from the board tab does nothing:
            # a hidden tab's shortcuts are not active); text fields still keep + and - for typing
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(slot)
        return action

    # ---- loading ----------------------------------------------------------------------------------
    def refresh(self, keep_view: bool = True) -> None:
        incident_id = self.hub.incident_id
        if self.hub.session is None or incident_id < 0:
            self.layout_ = None
            self.view.set_layout(None, NO_WORKSPACE_TEXT if self.hub.session is None else EMPTY_TEXT)
            self.toolbar.setEnabled(False)  # nothing to fit, zoom or add to
            self.timeline_loaded.emit(-1)
            return
        from postmortem_desktop.services.timeline import TimelineService

        self.toolbar.setEnabled(True)
        self._show(TimelineService(self.hub.workspace).timeline_data(incident_id), keep_view)
        read_only = self.hub.workspace.read_only
        self.view.read_only = read_only
        for action in (self.add_event_action, self.paste_action, self.import_events_action):
            action.setEnabled(not read_only)
        self.view.set_layout(self.layout_)
        self.timeline_loaded.emit(incident_id)

    def show_first_look(self, data: TimelineData) -> None:
        """The incident's timeline read before the workspace is open: drawn, not yet editable (no toolbar,
        no drags) until the session arrives and refresh() replaces it with the same data, live."""
        self.toolbar.setEnabled(False)
        self.view.read_only = True
        self._show(data, keep_view=False)
        self.view.set_layout(self.layout_)

    def _show(self, data: TimelineData, keep_view: bool) -> None:
        incident_id = data.incident_id
        old = self.layout_
        layout = TimelineLayout(data, self.hub.zone_name, self.group_combo.currentData())
        if old is not None and old.data.incident_id == incident_id:
            layout.highlighted = old.highlighted
            if keep_view:
                layout.t0, layout.t1 = old.t0, old.t1
        self.layout_ = layout

    def _on_hub_session_changed(self) -> None:
        self.refresh(keep_view=False)

    def _on_hub_incident_changed(self, _incident_id: int) -> None:
        self.refresh(keep_view=False)

    def _on_hub_workspace_changed(self, changes: DataChange, incident_id: int, _initiator: object) -> None:
        if changes & REFRESH_ON and self.hub.shows(incident_id):
            self.refresh()

    def _on_hub_conversation_requested(self, conversation_id: int, _message_id: int) -> None:
        if self.layout_ is not None:
            self.layout_.highlighted = conversation_id
            self.view.redraw()

    def _on_hub_records_imported(self, incident_id: int) -> None:
        # new conversations or events may lie outside the view kept across edits: show them all
        if incident_id == self.hub.incident_id:
            self.refresh(keep_view=False)

    def _on_group_combo_current_index_changed(self, _index: int) -> None:
        if self.layout_ is not None:
            self.layout_.set_group_by(self.group_combo.currentData())
            self.view.set_layout(self.layout_)

    # ---- view commands ---------------------------------------------------------------------------
    def focus_item(self, payload: object) -> None:
        """For the facilitator and checklist links: fit the incident (or the review window) to the room."""
        if payload == "review_window":
            self.fit_review_window()
        else:  # "", "customer_impact_window", "technical_window": the whole incident with its gap
            self.fit_incident()
        self.view.setFocus()

    def fit_incident(self) -> None:
        if self.layout_ is not None:
            self.view.show_range(*self.layout_.incident_span())

    def fit_review_window(self) -> None:
        if self.layout_ is not None:
            self.view.show_range(*self.layout_.review_span())

    def render_image(self, width: int = 1920, height: int = 1080, theme: Theme | None = None) -> QImage:
        """The timeline as currently zoomed, drawn at the given size (for the facilitator or a file)."""
        if self.layout_ is None:
            image = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
            image.fill(Qt.GlobalColor.white)
            return image
        return render_timeline_image(self.layout_, width, height, theme or Theme.default())

    def save_image(self) -> None:
        from postmortem_desktop.reporting.output_file import PNG, OutputError, write_output

        from ..output_dialog import ask_output_path, show_output_failure

        inputs = (self.hub.workspace.path,) if self.hub.workspace is not None else ()
        target = ask_output_path(self, "Save Timeline Image", "timeline.png", PNG, inputs=inputs)
        if target is None:
            return
        buffer = QBuffer()  # encoded in memory, so the file is written (and fails) the way every output is
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        # PySide6 takes the format as str (bytes raises); its stub says bytes
        self.render_image().save(buffer, "PNG")  # type: ignore[call-overload]
        try:
            write_output(target, PNG, bytes(buffer.data().data()), inputs=inputs)
        except OutputError as exc:
            show_output_failure(self, exc)

    # ---- tooltips --------------------------------------------------------------------------------
    def describe_hit(self, hit: Hit) -> str:
        layout = self.layout_
        if layout is None or self.hub.session is None:
            return ""
        zone = self.hub.zone_name
        if hit.kind == "conversation":
            from postmortem_desktop.services.timeline import TimelineService

            brief = TimelineService(self.hub.workspace).conversation_brief(hit.id)
            if brief is None:
                return ""
            who = " — ".join(p for p in (brief.customer, brief.organization) if p) or "Unknown customer"
            span = ""
            if brief.first_at and brief.last_at:
                span = (f"{format_time(brief.first_at.timestamp(), zone)} → "
                        f"{format_time(brief.last_at.timestamp(), zone, with_day=False)}")
            tags = ", ".join(brief.tags) or "no tags yet"
            old = ("<br><i>Pre-existing: older confusion, not counted in the impact window</i>"
                   if brief.pre_existing else "")
            return (f"<b>{html.escape(who)}</b> ({html.escape(brief.segment or 'no segment')})<br>"
                    f"{html.escape(brief.channel)} · {span}<br><i>{html.escape(brief.subject)}</i><br>"
                    f"“{html.escape(brief.first_message)}”<br>Tags: {html.escape(tags)}{old}<br>"
                    "<small>Click to read the conversation</small>")
        if hit.kind == "bin" and hit.bin is not None:
            names = layout.data.conversations.tags
            parts = ", ".join(f"{c} {names[t].name if 0 <= t < len(names) else 'untagged'}" for t, c in hit.bin.counts)
            return (f"<b>{counted(hit.bin.total, 'conversation')}</b> started {format_time(hit.bin.t0, zone)}–"
                    f"{format_time(hit.bin.t1, zone, with_day=False)}<br>{html.escape(parts)}<br>"
                    "<small>Click to zoom in</small>")
        if hit.kind == "event":
            ev = next((e for e in layout.data.events if e.id == hit.id), None)
            if ev is None:
                return ""
            return (f"<b>{html.escape(KIND_LABELS.get(ev.kind, ev.kind))}</b> {format_time(ev.at, zone)}<br>"
                    f"{html.escape(ev.title)}<br><small>Drag to move · double-click to edit</small>")
        if hit.kind in MARKER_HELP:
            return f"<b>{MARKER_HELP[hit.kind]}</b> {format_time(hit.t, zone)}<br><small>Drag to change it</small>"
        if hit.kind == "system_lane":
            return "<small>Double-click to add a system event here</small>"
        if hit.kind == "legend":
            return self._legend_text(layout)
        return ""

    @staticmethod
    def _legend_text(layout: TimelineLayout) -> str:
        """Every key of the legend, which shows only what fits and counts the rest ("+9 more")."""
        convs = layout.data.conversations
        tags = [convs.tags[c].name for c in sorted(set(convs.tag) - {-1})] + ["untagged"]
        outside = sum(out for _within, out in layout.review_counts())
        note = f"<br>{counted(outside, 'conversation')} outside the review window, not counted" if outside else ""
        return (f"<b>Bars, by their main tag:</b> {html.escape(', '.join(tags))}<br>"
                f"<b>System events:</b> {html.escape(', '.join(KIND_LABELS.values()))}{note}")

    # ---- edits (each one undoable) ---------------------------------------------------------------
    def _on_view_conversation_clicked(self, conversation_id: int) -> None:
        self.hub.conversation_requested.emit(conversation_id, -1)

    def _on_view_event_dragged(self, event_id: int, at: float) -> None:
        from postmortem_desktop.services.timeline import MoveSystemEvent

        from .event_dialogs import utc_from_epoch

        # made from where this timeline showed it: a teammate's move since is not overwritten silently
        event = next((e for e in self.layout_.data.events if e.id == event_id), None) if self.layout_ else None
        dropped_at = utc_from_epoch(at)

        def move_from(shown: datetime | None) -> MoveSystemEvent:
            return MoveSystemEvent(event_id, self.hub.incident_id, dropped_at, shown_at=shown)

        title = f"The system event “{event.title}”" if event is not None and event.title else "The system event"
        self._run_drag(move_from(None if event is None else utc_from_epoch(event.at)), title, at, "at", move_from)

    def _on_view_marker_dragged(self, field_name: str, at: float) -> None:
        from postmortem_desktop.services.incidents import UpdateIncident

        from .event_dialogs import utc_from_epoch

        shown = getattr(self.layout_.data, field_name) if self.layout_ else None
        dropped = {field_name: utc_from_epoch(at)}

        def moved_from(stored: datetime | None) -> UpdateIncident:
            return UpdateIncident.made_from(self.hub.incident_id, {field_name: stored}, dropped)

        label = MARKER_HELP.get("status_page" if field_name == "status_page_resolved" else field_name, field_name)
        self._run_drag(moved_from(None if shown is None else utc_from_epoch(shown)), f"The mark “{label}”", at,
                       field_name, moved_from)

    def _run_drag(self, edit: Command, what: str, at: float, field: str,
                  made_from: Callable[[datetime | None], Command]) -> None:
        """Saves a dragged time. Moved by a teammate since this timeline showed it: both times are offered,
        Keep mine (moved again, from theirs) or Take theirs; either way the timeline then shows what is stored."""
        zone = self.hub.zone_name

        def time_text(value: datetime | None) -> str:
            return "not set" if value is None else format_time(value.timestamp(), zone)

        # nowhere for a dragged time to wait (the mark goes back): Keep mine or Take theirs, no Decide later
        saved = run_or_offer_both(self.hub, self, edit, what, f"moved to {format_time(at, zone)}",
                                  lambda theirs: f"moved to {time_text(theirs.get(field))}",
                                  lambda theirs: made_from(theirs.get(field)), lambda: None, can_wait=False)
        if not saved:  # refused, or theirs taken: the timeline as stored, the mark where it really is
            self._show_stored()

    def _show_stored(self) -> None:
        """The timeline as stored now: after a refused drag (the mark goes back, a teammate's move shown) or a
        teammate's change taken."""
        self.refresh()
        self.view.redraw()

    def _on_view_system_lane_double_clicked(self, at: float) -> None:
        self.add_event_at(at)

    def add_event_at_centre(self) -> None:
        if self.layout_ is not None:
            self.add_event_at(round((self.layout_.t0 + self.layout_.t1) / 120) * 60)

    def add_event_at(self, at: float) -> SystemEventDialog | None:
        if self.layout_ is None or self.hub.workspace is None or self.hub.workspace.read_only:
            return None
        from postmortem_desktop.services.timeline import AddSystemEvent

        from .event_dialogs import SystemEventDialog, utc_from_epoch

        dialog = SystemEventDialog(self.hub.zone_name, utc_from_epoch(at), self)
        incident_id = self.hub.incident_id

        def finished(result: int) -> None:
            if result == QDialog.DialogCode.Accepted:
                self.hub.run(AddSystemEvent(incident_id, **dialog.values()))
        return self._open(dialog, finished)

    def _on_view_event_double_clicked(self, event_id: int) -> None:
        self.edit_event(event_id)

    def edit_event(self, event_id: int, shown: SystemEventDetails | None = None,
                   typed: dict | None = None) -> SystemEventDialog | None:
        """shown, typed: the event as the person first saw it and what they typed over it, when a conflict they
        left for later brings the dialog back (its save is still made from what they saw)."""
        if self.hub.workspace is None or self.hub.workspace.read_only:
            return None
        from postmortem_desktop.services.timeline import EditSystemEvent, TimelineService

        from .event_dialogs import DELETE_RESULT, SystemEventDialog

        ev = shown or TimelineService(self.hub.workspace).system_event(event_id)
        values = {"at": ev.at, "kind": ev.kind, "title": ev.title, "detail": ev.detail, **(typed or {})}
        # brought back by Decide later: the teammate's version stays stored until the person saves or deletes
        pending = ("Someone else changed this event after you opened it: yours is below, not saved. OK or Delete "
                   "Event shows both versions again; Cancel leaves theirs.") if typed is not None else ""
        dialog = SystemEventDialog(self.hub.zone_name, values["at"], self, kind=values["kind"],
                                   title=values["title"], detail=values["detail"], editing=True, pending=pending)

        def finished(result: int) -> None:
            typed = dialog.values()

            def again_later() -> None:
                self.edit_event(ev.id, ev, typed)

            if result == DELETE_RESULT:
                self._delete_event(ev, again_later)
            elif result == QDialog.DialogCode.Accepted:
                changes = {k: v for k, v in typed.items() if v != getattr(ev, k)}
                if changes:
                    based_on = {k: getattr(ev, k) for k in changes}
                    self._save_event(EditSystemEvent(ev.id, ev.incident_id, based_on=based_on, **changes),
                                     on_later=again_later)
        return self._open(dialog, finished)

    def _delete_event(self, ev: SystemEventDetails, on_later: Callable[[], None]) -> None:
        """A delete made from the event as the dialog showed it; a teammate's change since offers both: Keep mine
        deletes their version, Take theirs shows it, Decide later brings the dialog back."""
        from postmortem_desktop.services.timeline import DeleteSystemEvent

        from .event_dialogs import described_event

        def delete_from(shown: dict) -> DeleteSystemEvent:
            return DeleteSystemEvent(ev.id, ev.incident_id, ev.title, based_on=shown)

        zone = self.hub.zone_name
        shown = {key: getattr(ev, key) for key in ("at", "kind", "title", "detail")}
        run_or_offer_both(self.hub, self, delete_from(shown), "This system event", "delete it",
                          lambda theirs: described_event(theirs, zone), delete_from, self._show_stored, on_later)

    def _save_event(self, edit: EditSystemEvent, on_later: Callable[[], None] | None = None) -> None:
        """An event edit made from what the dialog showed; a teammate's change since offers both versions."""
        from postmortem_desktop.services.timeline import EditSystemEvent

        from .event_dialogs import described_event

        zone = self.hub.zone_name
        run_or_offer_both(self.hub, self, edit, "This system event", described_event(edit.values, zone),
                          lambda theirs: described_event(theirs, zone),
                          lambda theirs: EditSystemEvent(edit.row_id, edit.incident_id, based_on=theirs, **edit.values),
                          self._show_stored, on_later)

    def paste_log_lines(self) -> PasteEventLinesDialog | None:
        if self.layout_ is None or self.hub.workspace is None or self.hub.workspace.read_only:
            return None
        from postmortem_desktop.services.timeline import AddSystemEvents

        from .event_dialogs import PasteEventLinesDialog

        reference = datetime.fromtimestamp(self.layout_.t0, tz=UTC).date()
        dialog = PasteEventLinesDialog(self.hub.zone_name, reference, self, folder=start_folder(self.hub.workspace))
        clip = QApplication.clipboard().text() if QApplication.clipboard() else ""
        if clip and len(clip) < 5_000_000:
            dialog.set_text(clip)
        incident_id = self.hub.incident_id

        def finished(result: int) -> None:
            events = dialog.events()
            if result == QDialog.DialogCode.Accepted and events:
                self.hub.run(AddSystemEvents(incident_id, events,
                                             name=f"Add {len(events)} System Events from Pasted Lines"))
        return self._open(dialog, finished)

    def _open(self, dialog: D, on_finished: Callable[[int], None]) -> D:
        """Window-modal and non-blocking, so the screen (and its tests) keep running while it is open."""
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(on_finished)
        dialog.open()
        return dialog
