"""The Properties screen: the incident's headline figures and its properties form.

On a team workspace each edit says which value of its field it was made from (UpdateIncident's based_on): the
stored value the person last saw there, never a value re-read while they typed. A teammate's change of that
field since is shown beside the person's own (Keep mine / Take theirs / Decide later), never overwritten; a
change of another field is no conflict. Decide later keeps the person's value in its field, still based on what
they saw, so saving it again asks again. An edit that cannot reach the server stays in its field, said to be
unsaved, and is saved again by itself.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QVBoxLayout, QWidget

from postmortem_desktop.domain.changes import DataChange
from postmortem_desktop.services.commands import EditConflict
from postmortem_desktop.services.incidents import IncidentService, UpdateIncident
from postmortem_desktop.storage.errors import ServerUnavailableError

from ..conflict_dialog import Choice, ask_which
from ..deferred_refresh import DeferredRefresh
from ..hub import ScreenHub
from ..time_display import display_zone
from ..unsaved_words import SERVER_AWAY, UnsavedWords, changed_by
from .properties_form import IncidentPropertiesWidget

RETRY_AFTER_MS = 3000  # the first retry of an edit that could not reach the server
RETRY_AT_MOST_MS = 60_000  # later ones wait longer: an unanswered connection blocks for its timeout


class PropertiesScreen(DeferredRefresh, QWidget):
    def __init__(self, hub: ScreenHub, parent=None):  # noqa: ANN001
        super().__init__(parent)
        self.hub = hub
        self.form = IncidentPropertiesWidget(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.form)
        #: edits the team server did not get: field -> (incident id, value, the value it was based on)
        self.unsaved: dict[str, tuple[int, Any, Any]] = {}
        self._unsaved_reason = ""
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.timeout.connect(self.save_unsaved)
        self._retry_ms = RETRY_AFTER_MS
        #: fields holding the person's unsaved value (words being typed, a conflict left for later): the stored
        #: value it was made from, what its save is based on whatever the form was re-read with since
        self._typing_base: dict[str, Any] = {}
        #: values whose conflict the person left for later (Decide later), kept shown in the incident on view:
        #: field -> (their value, who changed the field; "" unknown)
        self._later: dict[str, tuple[Any, str]] = {}
        #: fields whose conflict dialog is open: the focus leaving a time's field for the dialog finishes its
        #: editing again, which must not save (or ask) a second time underneath the open choice
        self._asking: set[str] = set()
        self.form.incident_edited.connect(self._on_form_incident_edited)
        hub.incident_changed.connect(self._on_hub_incident_changed)
        hub.workspace_changed.connect(self._on_hub_workspace_changed)

    def refresh(self) -> None:
        incident_id = self.hub.incident_id
        if self.hub.session is None or incident_id < 0:
            self.form.show_incident(None, "", self.hub.zone_name)
            return
        service = IncidentService(self.hub.workspace)
        try:
            details, headline = service.get(incident_id), service.impact(incident_id).headline
        except ServerUnavailableError:
            return  # the server is away: the form keeps what it shows, and is refreshed when it is back
        # A re-read (a teammate changed another property) keeps the words being typed, and the value they were
        # typed over stays what their edit is based on: a teammate's change of the same field is then a
        # conflict when the person finishes, not overwritten
        same_incident = self.form.shown("id") == incident_id
        typing = self.form.typing() if same_incident else {}
        # a value left for later stays until saved or dropped; words in a line, while the line still holds them
        self._later = {key: later for key, later in self._later.items()
                       if same_incident and (key not in self.form.lines or key in typing)}
        self._typing_base = {key: self._typing_base.get(key, self.form.shown(key)) for key in [*typing, *self._later]}
        self.form.show_incident(details, headline, self.hub.zone_name)
        self.form.keep_typing(typing)
        self._show_later()
        self.form.set_read_only(self.hub.workspace.read_only)
        self._show_unsaved()

    def _on_hub_incident_changed(self, _incident_id: int) -> None:
        self.request_refresh()

    def _on_hub_workspace_changed(self, changes: DataChange, incident_id: int, _initiator: object) -> None:
        shown = DataChange.INCIDENT | DataChange.CONVERSATION | DataChange.SYSTEM_EVENT | DataChange.SETTING
        if changes & shown and self.hub.shows(incident_id):
            self.request_refresh()
        if self.unsaved:  # a change heard from the server (the feed's re-read after reconnecting): it answers
            self._retry.start(0)

    def _on_form_incident_edited(self, incident_id: int, changes: dict) -> None:
        ((key, value),) = changes.items()
        if key in self._asking:
            return
        based_on = self._typing_base.pop(key, self.form.shown(key))
        self._later.pop(key, None)
        if value == based_on:  # back to what the person last saw: they changed nothing, so the stored one stands
            self.form.settle(key)
            self.refresh()
            return
        self.save(incident_id, key, value, based_on=based_on)

    def save(self, incident_id: int, key: str, value: Any, based_on: Any) -> bool:
        """Saves one field's edit made from based_on; True when it was saved."""
        handled: list[bool] = []  # a handler below explained the refusal beside the form

        def refused(message: str) -> None:  # a refused time is explained beside the form and stays typed
            handled.append(True)
            self.form.show_problem(key, message)

        def conflicted(conflict: EditConflict) -> None:
            handled.append(True)
            self._on_conflict(incident_id, key, value, conflict)

        def unreachable(reason: str) -> None:
            handled.append(True)
            self._not_saved(incident_id, key, value, based_on, reason)

        saved = self.hub.run(UpdateIncident.made_from(incident_id, {key: based_on}, {key: value}),
                             on_refusal=refused if key in self.form.times else None,
                             on_conflict=conflicted, on_unreachable=unreachable)
        if saved:
            self.unsaved.pop(key, None)
            self._typing_base.pop(key, None)  # a re-read while saving kept the words: they are stored now
            self.form.remember_saved(key, value)
            self.form.settle(key, value)
            self._show_unsaved()
        elif not handled:  # refused with a dialog: the stored value is put back
            self.form.settle(key)
            self.refresh()
        return saved

    def _on_conflict(self, incident_id: int, key: str, value: Any, conflict: EditConflict) -> None:
        """Both versions, then Keep mine (the same edit, based on theirs), Take theirs (shown, the person's value
        dropped) or Decide later (the person's value stays in its field, still based on what they saw)."""
        self.unsaved.pop(key, None)
        based_on = conflict.based_on.get(key) if isinstance(conflict.based_on, dict) else None
        theirs = conflict.theirs.get(key) if isinstance(conflict.theirs, dict) else None
        # held while the dialog is open: a re-read arriving meanwhile keeps the person's value and its base
        self._typing_base[key], self._later[key] = based_on, (value, conflict.by)
        what = f"The incident's {self.form.label_of(key).lower()}"
        self._asking.add(key)
        try:
            choice = ask_which(self, what, self._described(value), self._described(theirs), conflict.by)
        finally:
            self._asking.discard(key)
        if choice is Choice.LATER:  # held as they were while the dialog was open
            self.form.put_value(key, value, typing=True)
            self._show_later()
            return
        self._typing_base.pop(key, None)
        self._later.pop(key, None)
        if choice is Choice.KEEP_MINE:
            self.save(incident_id, key, value, based_on=theirs)
        else:
            self.form.settle(key)
            self.refresh()

    def _show_later(self) -> None:
        """Puts the values left for later back over a re-read, and says they are not saved."""
        for key, (value, _by) in self._later.items():
            if key not in self.form.lines:  # words in a line stay there by themselves (keep_typing)
                self.form.put_value(key, value, typing=True)
        if self._later:
            self.form.show_left_for_later({key: by for key, (_value, by) in self._later.items()})

    def _described(self, value: Any) -> str:
        if value is None:
            return "not known"
        if isinstance(value, datetime):
            return value.astimezone(display_zone(self.hub.zone_name)).strftime("%Y-%m-%d %H:%M")
        return str(value) or "(empty)"

    def _not_saved(self, incident_id: int, key: str, value: Any, based_on: Any, reason: str) -> None:
        self.unsaved[key] = (incident_id, value, based_on)
        self._unsaved_reason = reason
        self._show_unsaved()
        self._retry.start(self._retry_ms)
        self._retry_ms = min(self._retry_ms * 2, RETRY_AT_MOST_MS)

    def save_unsaved(self) -> None:
        """Tries the edits the server did not get again; when it is still away, the rest wait for the next try."""
        pending, self.unsaved = self.unsaved, {}
        for n, (key, (incident_id, value, based_on)) in enumerate(pending.items()):
            if not self.save(incident_id, key, value, based_on) and key in self.unsaved:
                for rest, entry in list(pending.items())[n + 1:]:
                    self.unsaved.setdefault(rest, entry)
                break
        if not self.unsaved:
            self._retry_ms = RETRY_AFTER_MS

    def _show_unsaved(self) -> None:
        """Puts the unsaved values of the incident on view back in their fields (a re-read shows the stored
        ones), and says they are not saved yet."""
        mine = [key for key, (incident_id, _v, _b) in self.unsaved.items() if incident_id == self.hub.incident_id]
        for key in mine:
            self.form.put_value(key, self.unsaved[key][1])
        if mine:
            self.form.show_not_saved(mine, self._unsaved_reason)
        else:
            self.form.clear_not_saved()

    # ---- words not saved yet (ui/contracts.KeepsUnsavedWords) ---------------------------------------
    def unsaved_words(self) -> list[UnsavedWords]:
        """The edits the server did not get, each kept with its incident (saved there later, whatever is shown)."""
        away = [UnsavedWords(incident_id, f"Properties: {self.form.label_of(key)}", self._described(value),
                             SERVER_AWAY, go_to=("properties", None), kept_on_switch=True)
                for key, (incident_id, value, _based_on) in self.unsaved.items()]
        typed = self.form.typing()  # words in a line may have been typed on since the conflict
        return away + [UnsavedWords(self.hub.incident_id, f"Properties: {self.form.label_of(key)}",
                                    self._described(typed.get(key, value)), changed_by(by), retryable=False,
                                    go_to=("properties", None))
                       for key, (value, by) in self._later.items()]

    def save_words_now(self, retry: bool) -> None:
        self.form.finish_editing()  # a title still being typed (its field has the focus) is an edit too
        if retry and self.unsaved:
            self.save_unsaved()

    def forget_unsaved_words(self) -> None:
        self._retry.stop()
        self.unsaved = {}
        for key in self._later:
            self._typing_base.pop(key, None)
            self.form.settle(key)
        self._later = {}
        self.form.clear_not_saved()
