"""A multi-line field that saves as you type: after a short pause, and on leaving it.

Consecutive saves of one field merge into one undo step (ui/undo.py), so typing stays undoable
as a whole while a crash loses at most the last pause's worth of text.

On a team workspace someone else may change the stored text while a person types here. Their
words are never replaced then: the field keeps them, stops saving, and its conflict bar says who
changed it, with "Keep mine" (save these words, based on the text now stored) or "Take theirs".
Each save says what it was based on (`saved_from`), so a change the feed has not brought yet is
refused by the core (EditConflict) and shown the same way (`show_conflict`).

When the team server cannot be reached the save fails (`save_failed`): the words stay in the field,
the bar under it says they are not saved yet, and the field tries again by itself: at once when a
re-read shows the server answers again (the feed's, after it reconnected), else after a wait that
doubles each time (a server that does not answer at all holds the window for the connection timeout).
Until a save succeeds the field counts its words as unsaved, so the re-read that follows the
reconnection keeps them (or, when a teammate changed the stored text meanwhile, shows the conflict).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from postmortem_desktop.domain.text_difference import excerpts

from .. import errors
from .compare_dialog import CompareDialog

if TYPE_CHECKING:
    from postmortem_desktop.services.commands import Command, EditConflict

    from ..hub import ScreenHub

SAVE_AFTER_MS = 800
RETRY_AFTER_MS = 3000  # the first retry after a save could not reach the server
RETRY_AT_MOST_MS = 60_000  # later ones wait longer: an unanswered connection blocks for its timeout (10 s)


class ConflictBar(QFrame):
    """“Changed by X — keep yours / take theirs”, under a field whose stored text changed as it was typed in.

    The same bar says when the field's words could not be saved (the server cannot be reached); then it
    has nothing to decide, so its buttons are hidden."""

    keep_mine = Signal()
    take_theirs = Signal()
    #: the person asks to read both versions whole (the bar shows only where they first differ)
    compare = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("conflict_bar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.keep_button = QPushButton("Keep mine", self)
        self.keep_button.setToolTip("Save your text in place of theirs")
        self.take_button = QPushButton("Take theirs", self)
        self.take_button.setToolTip("Show their text here; yours is dropped")
        self.compare_button = QPushButton("Compare…", self)
        self.compare_button.setToolTip("Read both versions whole, side by side, with where they differ marked")
        self.keep_button.clicked.connect(self.keep_mine)
        self.take_button.clicked.connect(self.take_theirs)
        self.compare_button.clicked.connect(self.compare)
        # the message above its buttons: beside them, in projector type at 1280 px, it wrapped to a narrow column
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addWidget(self.message)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.compare_button, self.keep_button, self.take_button):
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self.hide()

    def show_theirs(self, theirs: str, by: str, mine: str, cannot_keep: str = "") -> None:
        """Says who changed it and, from both versions, the words around where they first differ. cannot_keep: why
        yours cannot replace theirs here (then Keep mine is not offered), "" when it can."""
        who = by or "someone else"
        my_part, their_part = excerpts(mine, theirs)
        kept = f"yours stays here until you take theirs: {cannot_keep}" if cannot_keep else \
            "yours is kept here, not saved yet."
        self.message.setText(f"Changed by {who} while you were typing. Where they differ, theirs: "
                             f"“{their_part or '(empty)'}”; yours: “{my_part or '(empty)'}” — {kept}")
        self.message.setToolTip(f"Theirs, whole:\n{theirs}")
        self.setAccessibleDescription(self.message.text())
        for button in (self.compare_button, self.keep_button, self.take_button):
            button.setVisible(button is not self.keep_button or not cannot_keep)
        self._show_in_view()

    def show_choice(self, theirs: str, by: str, mine: str) -> None:
        """The same for a choice (a decision, a level, dates) made here and not saved yet: both in full, and no
        Compare (there is no long text to read side by side)."""
        who = by or "someone else"
        self.message.setText(f"Changed by {who} while you were choosing. Theirs: “{theirs}”; yours: “{mine}” — "
                             "yours is kept here, not saved yet.")
        self.message.setToolTip("")
        self.setAccessibleDescription(self.message.text())
        self.keep_button.setToolTip("Save your choice in place of theirs")
        self.take_button.setToolTip("Show their choice here; yours is dropped")
        self.compare_button.hide()
        for button in (self.keep_button, self.take_button):
            button.show()
        self._show_in_view()

    def show_not_saved(self, reason: str) -> None:
        # the server's own words ("… then try again") are for a one-off edit; this field tries again itself
        self.message.setText("Not saved yet: the team server cannot be reached. Your text stays here and is saved "
                             "by itself as soon as the server answers again.")
        self.message.setToolTip(reason)
        self.setAccessibleDescription(self.message.text())
        for button in (self.compare_button, self.keep_button, self.take_button):
            button.hide()
        self._show_in_view()

    def _show_in_view(self) -> None:
        """Shows the bar and scrolls it into view once laid out: under the last fields of a 1280x720 screen it
        opened below the fold, and nothing said a decision was waiting there."""
        self.show()
        QTimer.singleShot(0, self, self._scroll_into_view)

    def _scroll_into_view(self) -> None:
        area = self.parentWidget()
        while area is not None and not isinstance(area, QScrollArea):
            area = area.parentWidget()
        if area is not None and self.isVisible():
            area.ensureWidgetVisible(self, 0, 8)


class CommitTextEdit(QPlainTextEdit):
    #: the text after a pause in typing or on leaving the field, only when it changed
    text_committed = Signal(str)

    def __init__(self, accessible_name: str, placeholder: str = "", parent=None,  # noqa: ANN001
                 saves_itself: bool = True):
        """saves_itself: False for words saved only when the person asks (a button whose edit does more than store
        them, such as recording the follow-up outcome): no save after a pause or on leaving the field; `commit`
        saves them. They are kept over re-reads, and a teammate's change under them is a conflict, all the same."""
        super().__init__(parent)
        self._saves_itself = saves_itself
        self.setAccessibleName(accessible_name)
        self.setPlaceholderText(placeholder)
        self.setTabChangesFocus(True)
        self._committed = ""  # the stored text as this field knows it (or its own save, just sent)
        self._previous = ""  # the stored text the last save was made from
        self._theirs: str | None = None  # someone else's stored text while in conflict
        self._theirs_by = ""  # who changed it, when known
        self._not_saved = False  # the last save failed (no server): the bar says so, a retry is due
        self._refused = ""  # why the last save of these words was refused (a rule; the person was told once)
        #: why the words here cannot replace a teammate's stored text (set by the owner; "" when they can): the
        #: conflict bar then offers Take theirs and Compare, not Keep mine
        self.cannot_keep = ""
        self._pause = QTimer(self)
        self._pause.setSingleShot(True)
        self._pause.setInterval(SAVE_AFTER_MS)
        self._pause.timeout.connect(self.commit)
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.timeout.connect(self.commit)
        self._retry_ms = RETRY_AFTER_MS  # the wait before the next retry (each start passes its own)
        self.textChanged.connect(self._on_text_changed)
        #: placed under the field by its owner; shown only in conflict
        self.conflict_bar = ConflictBar(parent)
        self.conflict_bar.keep_mine.connect(self.keep_mine)
        self.conflict_bar.take_theirs.connect(self.take_theirs)
        self.conflict_bar.compare.connect(self.compare_versions)

    @property
    def saved_from(self) -> str:
        """The stored text the last save was made from: its `based_on`."""
        return self._previous

    @property
    def in_conflict(self) -> bool:
        return self._theirs is not None

    @property
    def not_saved(self) -> bool:
        """The last save of these words failed (the server could not be reached); a retry is due."""
        return self._not_saved

    @property
    def refused(self) -> str:
        """Why the last save of these words was refused ("" when it was not): they wait for more typing, or for
        the person to try again (`save_now(retry=True)`), rather than ask the same refusal again."""
        return self._refused

    @property
    def holds_unsaved(self) -> bool:
        """Words here are not stored: typed and waiting for the pause, not saved (no server), or in conflict."""
        return self.in_conflict or self.toPlainText() != self._committed

    @property
    def conflict_by(self) -> str:
        """Who changed the stored text under these words, when known ("" when not in conflict)."""
        return self._theirs_by

    def save_now(self, retry: bool) -> None:
        """Saves words waiting for the pause now; retry: also tries again a save the server did not get.
        A conflict waits for the person's choice (Keep mine or Take theirs)."""
        if self.holds_unsaved and not self.in_conflict and (retry or not (self._not_saved or self._refused)):
            self.commit()

    def _on_text_changed(self) -> None:
        self._refused = ""  # other words now: worth saving again
        if self._theirs is not None:  # the bar's excerpt of "yours" follows the typing
            self.conflict_bar.show_theirs(self._theirs, self._theirs_by, self.toPlainText(), self.cannot_keep)
        elif self.toPlainText() != self._committed and self._saves_itself:
            self._pause.start()

    def set_committed_text(self, text: str, changed_by: str = "") -> None:
        """Shows stored text, unless the person has changes here not yet saved (typing, or a retry).

        When the stored text changed under unsaved words (another client's edit), the words stay and
        the conflict bar asks which to keep; changed_by names who changed it, when known.
        """
        unsaved = self.toPlainText() != self._committed
        if self.in_conflict:
            if text == self.toPlainText():  # they now say what I typed: nothing left to decide
                self._resolved(text)
            else:
                self.show_conflict(text, changed_by)
            return
        if unsaved:
            if text == self.toPlainText():  # stored as typed here (their words were the same): nothing to save
                self._resolved(text)
            elif text != self._committed:  # changed under the unsaved words
                self.show_conflict(text, changed_by)
            elif self._not_saved:  # the server answered this re-read (the feed's, on reconnecting): save now
                self._retry.start(0)
            return  # otherwise keep their words; they are saved after the pause
        self._committed = text
        if self.toPlainText() != text:
            self.setPlainText(text)

    def forget_unsaved(self) -> str:
        """Drops words not saved yet, as their incident is no longer shown; returns them ("" when none)."""
        dropped = self.toPlainText() if self.toPlainText() != self._committed or self.in_conflict else ""
        self._stop_saving()
        self._theirs, self._theirs_by, self._refused = None, "", ""
        self.conflict_bar.hide()
        self._committed = self._previous = self.toPlainText()
        return dropped

    def commit(self) -> None:
        self._stop_saving()
        text = self.toPlainText()
        if text != self._committed and not self.in_conflict:
            self._previous = self._committed
            self._committed = text
            failed_before, self._not_saved, self._refused = self._not_saved, False, ""
            self.text_committed.emit(text)  # the owner saves; a failure calls save_failed or show_conflict
            if failed_before and not self._not_saved and not self.in_conflict:
                self.conflict_bar.hide()  # saved after all
            if not self._not_saved:
                self._retry_ms = RETRY_AFTER_MS

    def _stop_saving(self) -> None:
        self._pause.stop()
        self._retry.stop()

    def retry_later(self) -> None:
        """The save was not made (the workspace was busy): keep the text and try again after a pause."""
        self._committed = self._previous
        self._pause.start()

    def save_refused(self, reason: str) -> None:
        """The save was refused (a rule: the incident was closed meanwhile, say), and the person was told why: the
        words stay here, not saved (`refused` says why), and are not sent again by a pause or by leaving the field:
        typing on saves them again, as does the person's Try Saving Now (`save_now(retry=True)`). Retried after a
        pause, as for a busy workspace, the same refusal came back every pause."""
        self._stop_saving()
        self._committed = self._previous
        self._refused = reason

    def save_failed(self, reason: str) -> None:
        """The save did not reach the server: the words stay, unsaved, the bar says why, and a retry is due.

        The stored text is still the one the save was based on, so a re-read of it (the reconnection's)
        keeps the words, and one that differs is a conflict."""
        self._committed = self._previous
        self._not_saved = True
        self.conflict_bar.show_not_saved(reason)
        self._retry.start(self._retry_ms)
        self._retry_ms = min(self._retry_ms * 2, RETRY_AT_MOST_MS)

    def show_conflict(self, theirs: str, by: str = "") -> None:
        """The stored text is theirs, not what this field's words were typed over: nothing is saved until
        the person keeps theirs or takes the other."""
        self._stop_saving()
        self._not_saved = False
        self._committed = self._previous if self._committed == self.toPlainText() else self._committed
        self._theirs = theirs
        self._theirs_by = by or self._theirs_by
        self.conflict_bar.show_theirs(theirs, self._theirs_by, self.toPlainText(), self.cannot_keep)

    def compare_versions(self) -> CompareDialog | None:
        """Opens both versions whole; the person's choice there is the bar's Keep mine or Take theirs."""
        if self._theirs is None:
            return None
        dialog = CompareDialog(self, self.accessibleName(), self.toPlainText(), self._theirs, self._theirs_by)
        dialog.accepted.connect(lambda: self.keep_mine() if dialog.chose_mine else self.take_theirs())
        dialog.open()  # not exec(): a teammate's change may arrive while it is open, and is shown in the bar
        return dialog

    def keep_mine(self) -> None:
        """Saves the words typed here, based on the text now stored (theirs)."""
        if self._theirs is None:
            return
        theirs, self._theirs, self._theirs_by = self._theirs, None, ""
        self.conflict_bar.hide()
        self._committed = theirs
        self.commit()

    def take_theirs(self) -> None:
        if self._theirs is not None:
            self._resolved(self._theirs)

    def _resolved(self, text: str) -> None:
        self._stop_saving()
        self._theirs = None
        self._theirs_by = ""
        self._not_saved = False
        self._refused = ""
        self.conflict_bar.hide()
        self._committed = self._previous = text
        if self.toPlainText() != text:
            self.setPlainText(text)

    def focusOutEvent(self, event) -> None:  # noqa: ANN001
        if self._saves_itself and not self._refused:  # refused words are not sent again by a click elsewhere
            self.commit()
        super().focusOutEvent(event)


def save_field(hub: ScreenHub, field: CommitTextEdit, edit: Command, theirs_text: Callable[[object], str]) -> None:
    """Saves a text field's words with edit (made from `field.saved_from`): a teammate's text stored first shows beside
    them (theirs_text: their text, from the conflict's `theirs`); a server away, the field saves them again by itself;
    a busy workspace (an import), after a pause. A refusal (the incident closed meanwhile, a rule) is said once and
    the words stay, not saved, until the person types on or tries again (`CommitTextEdit.save_refused`)."""
    from postmortem_desktop.services.commands import RuleError

    conflicts: list[EditConflict] = []
    refusals: list[str] = []

    def refused(message: str) -> None:
        refusals.append(message)
        window = hub.parent()
        errors.show_refusal(window if isinstance(window, QWidget) else None, "Not possible", RuleError(message))

    if hub.run(edit, quiet_when_busy=True, on_conflict=conflicts.append, on_refusal=refused,
               on_unreachable=field.save_failed):
        return
    if conflicts:  # a teammate's text was stored first: theirs shows beside this field's words
        field.show_conflict(theirs_text(conflicts[0].theirs))
    elif field.not_saved:  # the server could not be reached: the field already set its retry
        return
    elif hub.session is not None and hub.session.busy_writing:  # an import writes: try again after it
        field.retry_later()
    else:  # refused, and told so (by hub.run, for a workspace that refuses all writing)
        field.save_refused(refusals[0] if refusals else "the workspace did not take the change")
