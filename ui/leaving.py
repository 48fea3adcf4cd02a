"""Before the window lets go of typed words (quit, another workspace, another incident): save, ask, or keep a copy.

Every place that holds words not saved yet is a `KeepsUnsavedWords` (ui/contracts.py). First whatever waits for
a pause in typing is saved now; on a file workspace that stores everything, so nothing is asked. What is still
not saved (the team server is away, or a teammate's change awaits the person's choice) is listed in one dialog
(ui/unsaved_words_dialog.py): Try Saving Now, go on anyway with a copy on the clipboard and in a file
(ui/unsaved_words.py), or Cancel (the default), which stays and brings the first such field forward.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMessageBox, QWidget

from .contracts import KeepsUnsavedWords
from .hub import ScreenHub
from .unsaved_words import UnsavedWords, keep_copy, recovery_path
from .unsaved_words_dialog import Choice, Leaving, UnsavedWordsDialog


class LeaveGuard(QObject):
    def __init__(self, hub: ScreenHub, holders: Callable[[], list[KeepsUnsavedWords]],
                 titles: Callable[[], dict[int, str]], window: QWidget):
        """holders: the places that may hold words now (screens are built late); titles: incident id -> title."""
        super().__init__(window)
        self.hub = hub
        self._holders = holders
        self._titles = titles
        self._window = window
        #: the dialog last shown (tests answer it through its exec)
        self.dialog: UnsavedWordsDialog | None = None
        #: the file the last copy was written to
        self.last_copy: str = ""

    def may_leave(self, leaving: Leaving, incident_id: int = -1) -> bool:
        """True when the person may go on: nothing is left unsaved, or they chose to go on with a copy kept.

        incident_id: for Leaving.SWITCH, the incident being left (only its words that the switch drops count)."""
        if self.hub.session is None:  # nothing open: nothing to save to
            return True
        for holder in self._holders():
            holder.save_words_now(retry=False)
        words, tried_again = self._words(leaving, incident_id), False
        while words:
            copy_to = recovery_path()
            titles = self._titles()
            self.dialog = UnsavedWordsDialog(self._window, leaving, words, titles, copy_to, tried_again=tried_again)
            self.dialog.exec()
            choice = self.dialog.choice()
            if choice is Choice.SAVE_NOW:
                for holder in self._holders():
                    holder.save_words_now(retry=True)
                words, tried_again = self._words(leaving, incident_id), True
                continue
            if choice is Choice.LEAVE:
                return self._keep_copy_and_forget(leaving, incident_id, titles, copy_to)
            self._bring_forward(words)
            return False
        return True

    def _words(self, leaving: Leaving, incident_id: int) -> list[UnsavedWords]:
        return [entry for holder in self._holders() for entry in self._dropped_by(holder, leaving, incident_id)]

    def _dropped_by(self, holder: KeepsUnsavedWords, leaving: Leaving, incident_id: int) -> list[UnsavedWords]:
        words = holder.unsaved_words()
        if leaving is Leaving.SWITCH:  # the rest stay with their incident and are saved there later
            words = [entry for entry in words if not entry.kept_on_switch and entry.incident_id == incident_id]
        return words

    def _keep_copy_and_forget(self, leaving: Leaving, incident_id: int, titles: dict[int, str],
                              promised: Path) -> bool:
        """Copies what is unsaved now (a retry may have saved some while the dialog was open) and drops it from
        its fields; False, staying, when the file cannot be written.

        promised: the file the dialog named. A name made again here could differ (it holds the time, to the second,
        and the person took their time to answer), and the words went to another file than the one they were told."""
        dropping = [(holder, words) for holder in self._holders()
                    if (words := self._dropped_by(holder, leaving, incident_id))]
        words = [entry for _holder, entries in dropping for entry in entries]
        if not words:
            return True
        workspace = self.hub.workspace.name if self.hub.workspace is not None else ""
        path = promised if not promised.exists() else recovery_path()  # taken meanwhile (another window): a new one
        try:
            self.last_copy = str(keep_copy(words, titles, workspace, path))
        except OSError as exc:
            QMessageBox.warning(self._window, "Copy Not Written",
                                f"Your words could not be written to {path} ({exc.strerror or exc}), so nothing "
                                "was closed. They are on the clipboard: paste them somewhere safe, or free the "
                                "space and try again.")
            return False
        for holder, _entries in dropping:
            holder.forget_unsaved_words()
        return True

    def _bring_forward(self, words: list[UnsavedWords]) -> None:
        """Staying: shows the field that needs the person, a conflict's first."""
        places = [entry.go_to for entry in sorted(words, key=lambda entry: entry.retryable) if entry.go_to]
        if places:
            self.hub.navigation_requested.emit(*places[0])
