"""The board's Add Cards: the cards are worked out on a worker behind "Adding cards…" with Cancel, the window stays
usable, and the cards are written as one undo step afterwards; no second Suggest Tags or Add Cards meanwhile."""
from __future__ import annotations

import threading

import pytest
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QPushButton
from sqlalchemy import select

from postmortem_desktop.services import conversation_cards, suggestions
from postmortem_desktop.services.quotes import uncarded_conversations_with_suggestions
from postmortem_desktop.services.suggestions import run_suggestions
from postmortem_desktop.services.tagging import AssignTag, list_tags
from postmortem_desktop.storage.schema import Quote, TagAssignment
from tests.ui.test_board import unsorted_card_id
from tests.ui.test_read_only_screens import open_read_only
from ui.board import board_screen


class Held:
    """A core generator held on its worker at one point until the test lets it go (a job that takes its time)."""

    def __init__(self):
        self.go = threading.Event()
        self.reached = threading.Event()

    def wait_here(self) -> None:
        self.reached.set()
        assert self.go.wait(20), "the test never let the job go"


@pytest.fixture
def held_preparation(monkeypatch):
    """Add Cards' preparation, held after its first step (the conversations read, nothing worked out yet)."""
    held = Held()
    real = conversation_cards.prepare_whole_cards

    def prepare(*args):
        steps = real(*args)
        yield next(steps)
        held.wait_here()
        return (yield from steps)

    monkeypatch.setattr(board_screen, "prepare_whole_cards", prepare)
    return held


@pytest.fixture
def asked(monkeypatch):
    """Every Add Cards question, answered Yes."""
    questions = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: questions.append(a[2]) or QMessageBox.StandardButton.Yes)
    return questions


@pytest.fixture
def suggested(main_window):
    """The board after Suggest Tags: the demo's tickets with suggested tags and no card yet."""
    board = main_window.show_screen("board")
    run_suggestions(board.hub.workspace, board.hub.incident_id)
    board.reload()
    waiting = uncarded_conversations_with_suggestions(board.hub.workspace, board.hub.incident_id)
    assert len(waiting) > 3
    return board, waiting


def adding_dialog(board, qtbot) -> QProgressDialog:
    qtbot.waitUntil(lambda: any(d.isVisible() for d in board.findChildren(QProgressDialog)), timeout=5000)
    return next(d for d in board.findChildren(QProgressDialog) if d.isVisible())


def whole_cards(board, conversation_ids) -> dict[int, list[int]]:
    """conversation -> the ids of its whole-conversation cards, as stored."""
    with board.hub.workspace.reading() as s:
        rows = s.execute(select(Quote.conversation_id, Quote.id).where(
            Quote.conversation_id.in_(conversation_ids), Quote.message_id.is_(None)))
        found: dict[int, list[int]] = {}
        for conversation_id, quote_id in rows:
            found.setdefault(conversation_id, []).append(quote_id)
        return found


def chips(board, quote_ids) -> set[tuple[int, int, str]]:
    """(card, tag, note) of each suggested chip on the cards, as stored."""
    with board.hub.workspace.reading() as s:
        return {tuple(row) for row in s.execute(select(TagAssignment.quote_id, TagAssignment.tag_id,
                                                        TagAssignment.phrase).where(
            TagAssignment.quote_id.in_(quote_ids), TagAssignment.source == "suggested"))}


def tag_a_card(board) -> bool:
    """A decision on a card already on the board, as a drag would make it."""
    tag = list_tags(board.hub.workspace)[0]
    return board.run_local(AssignTag(board.hub.incident_id, [unsorted_card_id(board)], tag.id, tag.name))


def test_add_cards_shows_progress_the_window_stays_usable_and_cancel_adds_nothing(suggested, asked, held_preparation,
                                                                                     qtbot, main_window):
    board, waiting = suggested
    stack = main_window.session.undo_stack
    steps = stack.count()
    board._offer_cards_for_suggestions()
    assert asked and board._worker is not None  # it returned at once: the cards are worked out on the worker
    dialog = adding_dialog(board, qtbot)
    assert dialog.labelText() == "Adding cards…" and dialog.windowTitle() == "Add Cards"
    qtbot.waitUntil(lambda: dialog.maximum() == len(waiting))
    assert not board.filter_bar.suggest_button.isEnabled()  # no second job from what this one is about to change
    assert tag_a_card(board)  # meanwhile the board takes edits
    assert stack.count() == steps + 1
    dialog.findChild(QPushButton).click()  # Cancel
    held_preparation.go.set()
    qtbot.waitUntil(lambda: board._worker is None, timeout=10000)
    assert whole_cards(board, waiting) == {}
    assert stack.count() == steps + 1 and stack.undoText().startswith("Tag as")
    assert board.filter_bar.suggest_button.isEnabled()


def test_add_cards_writes_one_undo_step_after_the_worker_and_starts_no_second_job_meanwhile(
        suggested, asked, held_preparation, qtbot, main_window):
    board, waiting = suggested
    board._offer_cards_for_suggestions()
    job = board._worker
    adding_dialog(board, qtbot)
    board._offer_cards_for_suggestions()  # Suggest Tags ending now would offer cards again: not while this runs
    board._on_filter_bar_suggest_requested()  # nor may a Suggest Tags start
    assert len(asked) == 1 and board._worker is job
    held_preparation.go.set()
    qtbot.waitUntil(lambda: {c.conversation_id for c in board.model.cards} >= set(waiting), timeout=15000)
    made = whole_cards(board, waiting)
    assert sorted(made) == sorted(waiting) and all(len(ids) == 1 for ids in made.values())  # each carded once
    stack = main_window.session.undo_stack
    assert stack.undoText() == f"Add {len(waiting)} Conversations as Cards"
    main_window.undo_action.trigger()  # Ctrl+Z takes every card away
    qtbot.waitUntil(lambda: whole_cards(board, waiting) == {}, timeout=5000)
    main_window.redo_action.trigger()  # and redo puts them back, with their ids
    qtbot.waitUntil(lambda: whole_cards(board, waiting) == made, timeout=5000)


def test_a_decision_made_while_cards_are_prepared_is_learned_from_once_they_are_in(suggested, asked, held_preparation,
                                                                                  qtbot):
    board, waiting = suggested
    board._offer_cards_for_suggestions()
    adding_dialog(board, qtbot)
    assert tag_a_card(board)  # its learning pass waits for the cards
    qtbot.waitUntil(lambda: board._learn_again, timeout=5000)
    assert board._learner is None
    with qtbot.waitSignal(board.suggestions_learned, timeout=20000):
        held_preparation.go.set()
    made = [ids[0] for ids in whole_cards(board, waiting).values()]
    assert len(made) == len(waiting) and chips(board, made)  # the pass kept the new cards' own suggestions


def test_a_learning_pass_that_read_the_board_before_the_cards_came_does_not_take_their_chips(suggested, asked, qtbot,
                                                                                             monkeypatch):
    board, waiting = suggested
    held = Held()
    real = suggestions.compute_suggestions

    def compute(*args, learning=False):
        command = yield from real(*args, learning=learning)
        if learning and not held.go.is_set():
            held.wait_here()  # the first pass, worked out before the cards: it waits to store
        return command

    monkeypatch.setattr(board_screen, "compute_suggestions", compute)
    board._learn_from_decisions()
    assert held.reached.wait(20)
    board._offer_cards_for_suggestions()  # Add Cards runs and writes while that pass waits
    qtbot.waitUntil(lambda: len(whole_cards(board, waiting)) == len(waiting), timeout=15000)
    made = [ids[0] for ids in whole_cards(board, waiting).values()]
    written = chips(board, made)
    assert written
    learned = []
    board.suggestions_learned.connect(learned.append)
    held.go.set()
    qtbot.waitUntil(lambda: board._learner is None, timeout=10000)
    assert not learned and chips(board, made) == written  # the stale pass stored nothing
    qtbot.waitUntil(lambda: bool(learned), timeout=20000)  # a pass that reads the cards follows
    assert chips(board, made)


def test_nothing_is_offered_on_a_read_only_workspace(main_window, demo_copy, asked):
    board = main_window.show_screen("board")
    run_suggestions(board.hub.workspace, board.hub.incident_id)
    assert uncarded_conversations_with_suggestions(board.hub.workspace, board.hub.incident_id)
    main_window.hub.close_session()  # its lock goes with it, so the file can open read-only
    open_read_only(main_window, demo_copy)
    board = main_window.show_screen("board")
    board._offer_cards_for_suggestions()
    assert asked == [] and board._worker is None


def test_cards_asked_for_go_to_their_incident_when_another_is_shown_by_then(suggested, asked, held_preparation,
                                                                           qtbot, main_window):
    from postmortem_desktop.services.incidents import IncidentService

    board, waiting = suggested
    billing = board.hub.incident_id
    board._offer_cards_for_suggestions()
    adding_dialog(board, qtbot)
    other = next(i.id for i in IncidentService(board.hub.workspace).list_incidents() if i.id != billing)
    main_window.select_incident(other)
    assert board.hub.incident_id == other
    held_preparation.go.set()
    qtbot.waitUntil(lambda: board._worker is None, timeout=15000)
    assert sorted(whole_cards(board, waiting)) == sorted(waiting)
    assert main_window.session.undo_stack.undoText() == f"Add {len(waiting)} Conversations as Cards"
