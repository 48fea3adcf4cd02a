"""The facilitator's step notes until they are stored: saved at a pause in typing, offered beside a teammate's.

One `_PendingNotes` per incident and step holds words typed and not stored yet, so moving on while they cannot be
saved (the team server is away, a conflict left for later) never hands them to another step. A save made from
notes a teammate changed since offers both (ui/conflict_dialog.py: Keep mine / Take theirs / Decide later); words
left for later stay held for their step, are not asked about again as the facilitator moves on, and are offered
again when the person types there or leaves facilitator mode. What is not stored is said beside the notes field
and listed as unsaved words (ui/contracts.KeepsUnsavedWords) before the window lets go of it.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QMainWindow

from postmortem_desktop.services.agenda import SaveStepNotes, step_notes
from postmortem_desktop.storage.errors import ServerUnavailableError

from ..conflict_dialog import run_or_offer_both
from ..hub import ScreenHub
from ..unsaved_words import SERVER_AWAY, UnsavedWords, changed_by
from .overlay import NOT_READ, FacilitatorNotesWidget

NOTES_SAVE_DELAY_MS = 1200  # a pause in typing; one undo step per pause, not per key
NOTES_RETRY_MS = 5000  # notes not saved (no server): tried again after this, or as soon as the server answers
TYPE_HERE = "Type what the room decides; it is saved as you go."


@dataclass(frozen=True)
class NotesPlace:
    """The step whose notes the field shows: its incident (-1: none selected), its key and its title."""

    incident_id: int
    step_key: str
    title: str

    @property
    def place(self) -> tuple[int, str]:
        return self.incident_id, self.step_key


@dataclass
class _PendingNotes:
    """Notes typed for one step of one incident and not stored yet."""

    incident_id: int
    step_key: str
    title: str
    text: str
    based_on: str  # the stored notes they were typed over ("" for none); Keep mine moves it to theirs
    #: who saved other notes under these words ("" unknown); None: no conflict waits for the person's choice
    held_by: str | None = None
    unsaved: bool = False  # the last save could not reach the team server; a retry is due
    #: the person chose Decide later on the held words: leaving the step or a retry asks nothing until they type
    #: more here, or leave facilitator mode (a facilitator in front of the room said "not now")
    later: bool = False

    @property
    def place(self) -> tuple[int, str]:
        return self.incident_id, self.step_key


class StepNotesKeeper(QObject):
    """Keeps, saves and offers the facilitator's step notes; the controller says which step is on screen."""

    #: the notes of a step were saved to the workspace: (step key)
    notes_saved = Signal(str)
    #: Take theirs was chosen for the step on screen: its stored notes are to be read into the field again
    theirs_taken = Signal()
    #: the timer's round is over (a pause's save, or a retry): a step that could not be read is read again then
    round_ended = Signal()

    def __init__(self, hub: ScreenHub, window: QMainWindow, here: Callable[[], NotesPlace | None]):
        """window: the dialogs' parent and its status bar; here: the step on screen (None while the mode is off)."""
        super().__init__(window)
        self.hub = hub
        self.window = window
        self._here = here
        #: the notes field while facilitator mode is on (attach/detach)
        self.field: FacilitatorNotesWidget | None = None
        #: notes typed and not stored yet, per (incident, step): each step's words wait for that step alone
        self._pending: dict[tuple[int, str], _PendingNotes] = {}
        #: (incident, step key, stored notes) the notes field shows; words typed there are made from them.
        #: None while the step could not be read (the field is then empty and read-only, never another step's)
        self._shown_notes: tuple[int, str, str] | None = None
        self._unsaved_reason = ""  # the server's words when a save last could not reach it
        self._choosing = False  # a save is running and may be offering both versions
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(NOTES_SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self._on_save_timer_timeout)

    @property
    def choosing(self) -> bool:
        """A save is running and may be offering both versions: re-reads and retries wait for the choice."""
        return self._choosing

    def attach(self, field: FacilitatorNotesWidget) -> None:
        self.field = field
        field.notes_edited.connect(self._on_field_notes_edited)

    def detach(self) -> None:
        self.field = None

    def _field(self) -> FacilitatorNotesWidget:
        if self.field is None:
            raise RuntimeError("facilitator mode is not on")
        return self.field

    def _place(self) -> tuple[int, str] | None:
        here = self._here()
        return None if here is None else here.place

    def typed_here(self) -> bool:
        """Words for the step on screen wait to be stored (a re-read must not replace them)."""
        return self._place() in self._pending

    # ---- what the field shows -------------------------------------------------------------------------
    def show_stored(self, stored: str | None) -> None:
        """The field shows the step's notes: words still waiting to be saved for it, else the stored ones."""
        here = self._here()
        if here is None:
            return
        if stored is None:
            self._shown_notes = None
            self._field().show_notes(here.title, "", editable=False, placeholder="Select an incident to take notes.")
            self._show_unsaved()
            return
        writable = not self.hub.workspace.read_only
        self._shown_notes = (*here.place, stored)
        pending = self._pending.get(here.place)
        self._field().show_notes(here.title, stored if pending is None else pending.text, editable=writable,
                                 placeholder=TYPE_HERE if writable else
                                 "Read-only workspace: notes cannot be saved here.")
        self._show_unsaved()

    def show_not_read(self) -> None:
        """The step could not be read. Words already waiting for it are its own (and what they were made from is
        known), so they stay editable; otherwise the field is empty and read-only until the step is read."""
        here = self._here()
        if here is None:
            return
        pending = self._pending.get(here.place)
        if pending is not None:
            self._shown_notes = (pending.incident_id, pending.step_key, pending.based_on)
            self._field().show_notes(here.title, pending.text, editable=True, placeholder=TYPE_HERE)
        else:
            self._shown_notes = None
            self._field().show_notes(here.title, "", editable=False, placeholder=NOT_READ)
        self._show_unsaved()
        if not self._save_timer.isActive():
            self._save_timer.start(NOTES_RETRY_MS)  # read again then, even if no reconnection notice comes

    def _on_field_notes_edited(self, text: str) -> None:
        here = self._here()
        if here is None:
            return
        pending = self._pending.get(here.place)
        if pending is not None:
            pending.text = text  # more words over the same read (or over theirs, once Keep mine was chosen)
            pending.later = False  # new words: their save offers both again
        elif self._shown_notes is not None and self._shown_notes[:2] == here.place:
            self._pending[here.place] = _PendingNotes(*here.place, here.title, text, self._shown_notes[2])
        else:
            return  # a field showing nothing read is read-only: no words can be made from it
        self._save_timer.start(NOTES_SAVE_DELAY_MS)

    def _on_save_timer_timeout(self) -> None:
        # never a conflict's choice on top of another dialog (the quit's list of unsaved words): after it closes
        if QApplication.activeModalWidget() is not None:
            self._save_timer.start(NOTES_SAVE_DELAY_MS)
            return
        self.save_notes()
        self.round_ended.emit()

    # ---- saving -----------------------------------------------------------------------------------------
    def save_notes(self) -> None:
        """Saves typed notes now (after a pause, on a step change, on leaving); one undo step each.

        The step on screen is saved, and every other step's notes that wait only for the server; notes held
        beside a teammate's wait for the person's choice, offered when they save that step's notes again.
        The notes are made from the ones the field showed: when a teammate saved theirs since, both are offered
        (Keep mine / Take theirs / Decide later) and the words stay until the person chooses; after Decide later
        they are not offered again until the person types there (or leaves the mode: `offer_held`). When the team
        server cannot be reached the notes stay pending for their own step (so no re-read replaces them and no
        other step takes them), the notes field says so, and they are saved again later: no modal message in
        front of the room."""
        self._save_timer.stop()
        if self.hub.session is None or self._choosing:
            return
        here = self._place()
        for pending in list(self._pending.values()):
            if pending.later:
                continue  # Decide later: asked again once the person types there, or leaves the mode
            if (pending.place == here or (pending.unsaved and pending.held_by is None)) \
                    and not self._save_one(pending):
                break  # the server is away: the others wait for the retry too

    def offer_held(self) -> None:
        """Leaving the mode: both versions offered again for every step's notes held beside a teammate's."""
        if self.hub.session is None or self._choosing:
            return
        for pending in list(self._pending.values()):
            if pending.held_by is not None:
                pending.later = False
                if not self._save_one(pending):
                    break  # the server is away: they stay held, and the quit lists them

    def say_held(self) -> None:
        """After the mode: the status bar names the steps whose notes still wait for the person's choice."""
        held = [f"“{p.title}”" for p in self._pending.values() if p.held_by is not None]
        if held:
            self.window.statusBar().showMessage(
                f"Facilitator notes of {' and '.join(held)} wait for your choice (a teammate changed them): start "
                "facilitator mode (F5) to choose; quitting lists them.", 30000)

    def retry_when_heard(self) -> None:
        """The server is heard again (the feed reconnected): notes it did not get are saved now."""
        if any(p.unsaved and p.held_by is None for p in self._pending.values()) and not self._choosing:
            self._save_timer.start(0)

    def _save_one(self, pending: _PendingNotes) -> bool:
        """Saves one step's notes; False when the team server could not be reached (they stay pending)."""
        text = pending.text
        try:
            if pending.incident_id < 0 or step_notes(self.hub.workspace, *pending.place) == text:
                self._notes_settled(pending, text)
                return True
        except ServerUnavailableError as exc:
            self._notes_not_saved(pending, str(exc))
            return False
        edit = SaveStepNotes(pending.incident_id, pending.step_key, text, pending.title, based_on=pending.based_on)
        unreachable: list[str] = []
        self._choosing = True  # a dialog may run the event loop: re-reads and retries wait for the choice
        try:
            saved = run_or_offer_both(self.hub, self.window, edit, f"The notes field for “{pending.title}”", text,
                                      lambda theirs: self._held_beside(pending, theirs),
                                      lambda theirs: self._keep_mine(pending, edit, theirs),
                                      lambda: self._take_theirs(pending), lambda: self._later(pending),
                                      on_unreachable=unreachable.append)
        finally:
            self._choosing = False
        if unreachable:
            self._notes_not_saved(pending, unreachable[-1])
            return False
        if saved:
            self._notes_settled(pending, text)
            self.notes_saved.emit(pending.step_key)
        return True

    @staticmethod
    def _held_beside(pending: _PendingNotes, theirs: object) -> str:
        """Theirs, as the conflict dialog shows it; until the person chooses, the words are held beside it."""
        if pending.held_by is None:
            pending.held_by = ""  # who, when a teammate's notice said so before the save found it
        return str(theirs)

    @staticmethod
    def _keep_mine(pending: _PendingNotes, edit: SaveStepNotes, theirs: object) -> SaveStepNotes:
        """Keep mine: the same notes made from theirs (also for a retry when the server goes away meanwhile)."""
        pending.based_on, pending.held_by = str(theirs), None
        return edit.again_over(pending.based_on)

    def _later(self, pending: _PendingNotes) -> None:
        """Decide later: the words stay held for their step, and moving on does not ask the same question again."""
        pending.later = True
        self._show_unsaved()

    def _take_theirs(self, pending: _PendingNotes) -> None:
        self._drop(pending)
        if self.field is not None and pending.place == self._place():
            self.theirs_taken.emit()  # their notes, and the next words are made from them

    def _drop(self, pending: _PendingNotes) -> None:
        if self._pending.get(pending.place) is pending:
            del self._pending[pending.place]
        self._show_unsaved()

    def _notes_settled(self, pending: _PendingNotes, stored: str) -> None:
        """The notes are stored as typed: the next words typed for that step are made from them."""
        pending.based_on, pending.held_by, pending.unsaved, pending.later = stored, None, False, False
        if pending.text == stored:
            self._drop(pending)
        if self._shown_notes is not None and self._shown_notes[:2] == pending.place:
            self._shown_notes = (*pending.place, stored)
        self._show_unsaved()

    def _notes_not_saved(self, pending: _PendingNotes, reason: str) -> None:
        pending.unsaved = True
        self._unsaved_reason = reason
        self._show_unsaved()
        self._save_timer.start(NOTES_RETRY_MS)

    def _show_unsaved(self) -> None:
        """Says beside the field what waits: a teammate's notes under this step's words, else every step whose
        notes the server has not taken yet, and every other step whose notes wait for the person's choice."""
        if self.field is None:
            return
        here = self._pending.get(self._place() or (-1, ""))
        if here is not None and here.held_by is not None:
            self.field.show_changed_by(here.held_by)
            return
        waiting = [p for p in self._pending.values() if p.unsaved and p.held_by is None]
        elsewhere = tuple(p.title for p in waiting if p is not here)
        held = tuple(p.title for p in self._pending.values() if p.held_by is not None and p is not here)
        self.field.show_not_saved(self._unsaved_reason if waiting else "", elsewhere, held)

    def notice_theirs(self, who: str, incident_id: int) -> None:
        """A teammate's notes arrived while words wait here: the words stay; if they changed the very notes the
        words were typed over, the words are held beside theirs until the person chooses (when saving them)."""
        for pending in list(self._pending.values()):
            if pending.incident_id < 0 or (incident_id >= 0 and pending.incident_id != incident_id):
                continue
            try:
                stored = step_notes(self.hub.workspace, *pending.place)
            except ServerUnavailableError:
                return  # the retry finds out
            if stored not in (pending.based_on, pending.text) and (who or pending.held_by is None):
                pending.held_by = who  # a reconnection's notice names nobody: who was known stays said
        self._show_unsaved()

    # ---- words not saved yet (ui/contracts.KeepsUnsavedWords) ---------------------------------------
    def unsaved_words(self) -> list[UnsavedWords]:
        """Each step's notes while not saved; they carry their incident, so showing another one keeps them."""
        if self.hub.session is None:
            return []
        return [UnsavedWords(p.incident_id, f"Facilitator notes: {p.title}", p.text, _why(p),
                             retryable=p.held_by is None, kept_on_switch=True) for p in self._pending.values()]

    def save_words_now(self, retry: bool) -> None:
        # notes held beside a teammate's wait for the person's choice, offered at the pause, never in passing
        if self._choosing:
            return
        for pending in list(self._pending.values()):
            if pending.held_by is None and (retry or not pending.unsaved) and not self._save_one(pending):
                break

    def forget_unsaved_words(self) -> None:
        self._save_timer.stop()
        self._pending.clear()
        self._show_unsaved()


def _why(pending: _PendingNotes) -> str:
    """Why a step's notes are not saved yet, as the list of unsaved words says it."""
    if pending.held_by is not None:
        return changed_by(pending.held_by)
    return SERVER_AWAY if pending.unsaved else "typed a moment ago and not saved yet"
