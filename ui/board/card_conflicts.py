"""A card someone else re-tagged first: what each version puts it in, and the notice after a refused drop.

A drag-and-drop move made from columns a teammate changed since is refused by the core (EditConflict);
the board then shows the card where it really is and says so here, without a modal question in the middle of
a drag. A tag edit from the menu or the keys asks Keep mine / Take theirs instead (ui/conflict_dialog.py).
"""
from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from postmortem_desktop.services.commands import EditConflict

#: how many cards a notice names one by one before it only counts the rest
NAMED_CARDS = 3


def columns_text(cards: object) -> str:
    """Where a version puts the cards, in words: "confusion, trust-loss", "Unsorted", or per card."""
    if not isinstance(cards, dict) or not cards:
        return "(unknown)"
    placed = [", ".join(names) or "Unsorted" for names in cards.values()]
    if len(placed) == 1:
        return placed[0]
    shown = "; ".join(f"card {n}: {where}" for n, where in enumerate(placed[:NAMED_CARDS], start=1))
    more = len(placed) - NAMED_CARDS
    return shown + (f"; and {more} more" if more > 0 else "")


def cards_word(cards: object) -> str:
    count = len(cards) if isinstance(cards, dict) else 1
    return "this card" if count == 1 else f"these {count} cards"


def show_drop_refused(parent: QWidget, conflict: EditConflict) -> QMessageBox:
    """Says, without waiting for an answer, that a drop was not done because someone moved the card first: the
    teammate by name when the card's history says who (EditConflict.by), else "someone else"."""
    who = conflict.by or "someone else"
    box = QMessageBox(QMessageBox.Icon.Information, f"Moved by {who}",
                      f"{conflict.what} was not done: {who} changed the columns of "
                      f"{cards_word(conflict.theirs)} after you picked it up.", parent=parent)
    box.setObjectName("drop_refused")
    box.setInformativeText(f"It is shown where it is now: {columns_text(conflict.theirs)}. Drag it again if it "
                           "still belongs elsewhere.")
    box.open()  # window-modal, but the drag's code returns at once
    return box
