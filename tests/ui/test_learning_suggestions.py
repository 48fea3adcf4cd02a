"""Suggestions learn from the person: confirming similar quotes brings a suggestion to an unread conversation;
reasons and confidence are shown on the board and in the reader; unsure ones hide with one switch."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from PySide6.QtCore import Qt

from postmortem_desktop.services.quotes import CreateQuote, read_conversation
from postmortem_desktop.services.suggestions import run_suggestions
from postmortem_desktop.services.tagging import AssignTag, list_tags
from postmortem_desktop.storage.schema import Conversation, Message, TagAssignment

READ = [
    "the widget export dropped every row so I rebuilt the sheet from the invoices",
    "widget export dropped rows again, rebuilt the sheet from invoices",
    "the widget export dropped half the rows and we rebuilt the sheet",
]
UNREAD = "widget export dropped all the rows, so I rebuilt the sheet from the invoices"


def add_conversation(workspace, incident_id: int, body: str) -> tuple[int, int]:
    with workspace.transaction() as s:
        at = datetime(2024, 3, 5, 11, 0, tzinfo=timezone.utc)
        conversation = Conversation(incident_id=incident_id, channel="email", subject="export", first_at=at)
        s.add(conversation)
        s.flush()
        message = Message(conversation_id=conversation.id, position=0, author="Dana", role="customer", text=body,
                          at=at)
        s.add(message)
        s.flush()
        return conversation.id, message.id


def suggested(workspace, conversation_id: int) -> dict[str, object]:
    message = read_conversation(workspace, conversation_id).messages[0]
    return {s.name: s for s in message.suggestions}


@pytest.fixture
def board(main_window):
    screen = main_window.show_screen("board")
    screen.reload()
    return screen


def tag_three_similar_quotes(main_window, board, qtbot) -> tuple[int, str, list[int]]:
    """Three quotes alike tagged manual-work on the board, with a fourth conversation like them left unread:
    (that conversation's id, the tag's name, the three cards) once the suggestions have learned from the decision."""
    workspace, incident_id = main_window.session.workspace, board.hub.incident_id
    assert incident_id >= 0
    read_ids = [add_conversation(workspace, incident_id, body) for body in READ]
    unread_conversation, _ = add_conversation(workspace, incident_id, UNREAD)
    quote_ids = []
    for (conversation_id, message_id), body in zip(read_ids, READ, strict=True):
        command = CreateQuote(incident_id, conversation_id, message_id, 0, len(body))
        main_window.session.run(command)
        quote_ids.append(command.quote_id)
    with workspace.transaction() as s:  # the demo's own tag decisions are not what this test is about
        s.query(TagAssignment).filter(TagAssignment.source != "suggested").delete()
    run_suggestions(workspace, incident_id)
    assert "manual-work" not in suggested(workspace, unread_conversation)
    board.reload()
    manual = next(t for t in list_tags(workspace) if t.name == "manual-work")

    with qtbot.waitSignal(board.suggestions_learned, timeout=10_000):
        board.run_local(AssignTag(incident_id, quote_ids, manual.id, manual.name))  # what a drag or key 1-9 does
    return unread_conversation, manual.name, quote_ids


def one_suggested_card(main_window, incident_id: int):
    """A card on a message like READ's, after Suggest Tags: (the card's CreateQuote, the manual-work tag)."""
    workspace = main_window.session.workspace
    conversation_id, message_id = add_conversation(workspace, incident_id, READ[0])
    command = CreateQuote(incident_id, conversation_id, message_id, 0, len(READ[0]))
    main_window.session.run(command)
    run_suggestions(workspace, incident_id)
    return command, next(t for t in list_tags(workspace) if t.name == "manual-work")


def test_confirming_similar_quotes_brings_a_suggestion_to_an_unread_conversation(main_window, board, qtbot):
    unread_conversation, manual, _cards = tag_three_similar_quotes(main_window, board, qtbot)
    workspace = main_window.session.workspace
    learnt = suggested(workspace, unread_conversation)["manual-work"]
    assert learnt.reason == "like 3 quotes you tagged manual-work"
    assert learnt.confidence is not None and not learnt.low_confidence
    reader = main_window.show_screen("reader")
    board.hub.conversation_requested.emit(unread_conversation, -1)
    assert "Suggested manual-work (" in reader.text.toPlainText()
    assert "like 3 quotes you tagged manual-work" in reader.text.toPlainText()
    # the person's decision is one undo step: the machine's refresh is not a step of its own
    assert main_window.session.undo_stack.undoText() == f"Tag as “{manual}”"


def test_undoing_and_redoing_a_decision_teaches_the_suggestions_as_making_it_did(main_window, board, qtbot):
    unread_conversation, _manual, _cards = tag_three_similar_quotes(main_window, board, qtbot)
    workspace = main_window.session.workspace
    with qtbot.waitSignal(board.suggestions_learned, timeout=10_000):
        main_window.session.undo()  # Edit › Undo Tag as "manual-work"
    assert "manual-work" not in suggested(workspace, unread_conversation)  # nothing left to be like
    with qtbot.waitSignal(board.suggestions_learned, timeout=10_000):
        main_window.session.redo()
    assert suggested(workspace, unread_conversation)["manual-work"].reason == "like 3 quotes you tagged manual-work"


def test_unsure_suggestions_hide_with_one_switch_on_board_and_reader(main_window, board, qtbot):
    workspace, incident_id = main_window.session.workspace, board.hub.incident_id
    conversation_id, message_id = add_conversation(workspace, incident_id, "did my payment go through or not")
    run_suggestions(workspace, incident_id)
    pending = suggested(workspace, conversation_id)
    unsure = [s for s in pending.values() if s.low_confidence]
    assert unsure, "the confusion phrase is one the tagger is unsure of on real text"
    command = CreateQuote(incident_id, conversation_id, message_id, 0, 32)
    main_window.session.run(command)
    board.reload()
    card = board.model.card(board.model.row_of(command.quote_id))
    tooltip = board.model.index(board.model.row_of(command.quote_id), 0).data(Qt.ItemDataRole.ToolTipRole)
    assert "Suggested:" in tooltip and "sure)" in tooltip
    hidden = {s.name for s in card.shown_suggestions(True)}
    assert not hidden & {s.name for s in card.suggestions if s.low_confidence}

    reader = main_window.show_screen("reader")
    board.hub.conversation_requested.emit(conversation_id, -1)
    reader_text = reader.text.toPlainText()
    assert not any(f"Suggested {s.name} (" in reader_text for s in unsure)
    board.filter_bar.hide_low.click()  # the one switch
    assert board.hub.hide_low_confidence is False and board.delegate.hide_low_confidence is False
    reader_text = reader.text.toPlainText()
    assert all(f"Suggested {s.name} (" in reader_text for s in unsure)


def test_reasons_in_the_reader_stay_readable_when_the_theme_turns_dark(main_window, board, qapp):
    from PySide6.QtGui import QTextCursor

    from ui import theme

    manager = theme.theme_manager(qapp)
    before = manager.snapshot()
    workspace, incident_id = main_window.session.workspace, board.hub.incident_id
    conversation_id, _ = add_conversation(workspace, incident_id, "I was charged twice and the refund never came")
    run_suggestions(workspace, incident_id)
    board.filter_bar.hide_low.setChecked(False)
    reader = main_window.show_screen("reader")
    try:
        manager.apply(theme.LIGHT)
        board.hub.conversation_requested.emit(conversation_id, -1)
        manager.apply(theme.DARK)
        document = reader.text.document()
        at = reader.text.toPlainText().index("Suggested ")
        cursor = QTextCursor(document)
        cursor.setPosition(at + 1)
        note = cursor.charFormat()
        background = reader.text.palette().color(reader.text.backgroundRole())
        shown = note.foreground().color() if note.hasProperty(note.Property.ForegroundBrush) \
            else reader.text.palette().color(reader.text.foregroundRole())
        assert background.lightness() < 128
        assert abs(shown.lightness() - background.lightness()) > 100, "the reason must not vanish into the page"
        cursor.setPosition(1)  # the first author's name is coloured for the dark page too
        assert abs(cursor.charFormat().foreground().color().lightness() - background.lightness()) > 80
    finally:
        manager.restore(before)


def test_removing_the_tag_from_the_cards_menu_teaches_the_suggestions_too(main_window, board, qtbot):
    from postmortem_desktop.services.tagging import RemoveTag

    unread_conversation, manual, cards = tag_three_similar_quotes(main_window, board, qtbot)
    workspace, incident_id = main_window.session.workspace, board.hub.incident_id
    tag_id = next(t.id for t in list_tags(workspace) if t.name == manual)
    with qtbot.waitSignal(board.suggestions_learned, timeout=10_000):
        board.run_local(RemoveTag(incident_id, cards, tag_id, manual))  # the card menu's Remove tag
    assert manual not in suggested(workspace, unread_conversation)


def test_a_learning_pass_the_workspace_could_not_store_says_so_on_the_board(main_window, board, qtbot, monkeypatch):
    """A deadlock with a teammate's edit (or a lost server) ends the store: the board says so, nothing escapes."""
    from postmortem_desktop.services.suggestions import StoreSuggestions
    from postmortem_desktop.storage.errors import WorkspaceBusyError

    incident_id = board.hub.incident_id
    command, manual = one_suggested_card(main_window, incident_id)

    def busy(_self, _workspace):
        raise WorkspaceBusyError("Someone changed the same things at the same moment; nothing was saved.")

    monkeypatch.setattr(StoreSuggestions, "do", busy)
    board.run_local(AssignTag(incident_id, [command.quote_id], manual.id, manual.name))
    qtbot.waitUntil(lambda: board.status.text().startswith("Suggestions not updated: Someone changed"), timeout=10_000)
    assert board._learner is None  # the pass ended; the next decision starts another


def test_a_learning_pass_does_not_store_while_an_import_is_written(main_window, board, qtbot, monkeypatch):
    from postmortem_desktop.services.suggestions import StoreSuggestions

    incident_id = board.hub.incident_id
    command, manual = one_suggested_card(main_window, incident_id)
    stores: list[StoreSuggestions] = []
    monkeypatch.setattr(StoreSuggestions, "do", lambda self, _ws: stores.append(self))
    board.run_local(AssignTag(incident_id, [command.quote_id], manual.id, manual.name))
    monkeypatch.setattr(type(main_window.session), "busy_writing", property(lambda _self: True))
    qtbot.waitUntil(lambda: board.status.text().startswith("Suggestions not updated: An import"), timeout=10_000)
    assert stores == [] and board._learner is None


@pytest.mark.parametrize("stored_meanwhile", ["a Suggest Tags", "another learning pass"])
def test_a_pass_stored_after_another_store_of_the_suggestions_stores_nothing_and_a_fresh_one_runs(
        main_window, board, qtbot, monkeypatch, stored_meanwhile):
    """A teammate's Suggest Tags (or learning pass) stored after this board's pass read the suggestions: the pass's
    difference is against rows that are no more, so it stores nothing, and the board runs a pass that reads them."""
    from sqlalchemy import select, update

    from postmortem_desktop.services.suggestions import compute_suggestions

    incident_id = board.hub.incident_id
    command, manual = one_suggested_card(main_window, incident_id)
    workspace, session = main_window.session.workspace, main_window.session
    refresh, stored = session.refresh, []

    def reworded_behind_the_apps_back() -> int:
        with workspace.transaction() as s:
            row_id = s.scalars(select(TagAssignment.id).where(TagAssignment.source == "suggested")
                               .order_by(TagAssignment.id)).first()
            s.execute(update(TagAssignment).where(TagAssignment.id == row_id).values(phrase="an old note"))
        return row_id

    def another_store_first(pass_):
        if not stored:  # between this pass's read and its store: someone else's store
            if stored_meanwhile == "a Suggest Tags":
                run_suggestions(workspace, incident_id)
            else:
                reworded_behind_the_apps_back()
                generator = compute_suggestions(workspace, incident_id, learning=True)
                while True:
                    try:
                        next(generator)
                    except StopIteration as done:
                        done.value.do(workspace)
                        break
        done = refresh(pass_)
        stored.append(pass_)
        return done

    monkeypatch.setattr(session, "refresh", another_store_first)
    row_id = reworded_behind_the_apps_back()  # something for the first pass to write, were it to
    with qtbot.waitSignal(board.suggestions_learned, timeout=10_000):
        board.run_local(AssignTag(incident_id, [command.quote_id], manual.id, manual.name))
    assert len(stored) == 2  # a fresh pass ran
    assert [p.stale for p in stored] == [True, False]  # the stale one stored nothing; the fresh one did
    with workspace.reading() as s:
        assert s.get(TagAssignment, row_id).phrase != "an old note"


def test_a_learning_pass_that_changed_nothing_tells_no_screen(main_window, board, qtbot):
    """A decision that changes no other suggestion is followed by a pass with nothing to store: no screen (and on a
    team, no teammate) is told to read the incident again for it; a pass that stored something still tells them."""
    from sqlalchemy import delete, select

    from postmortem_desktop.services.suggestions import compute_suggestions
    from tests.helpers import run_to_end

    incident_id = board.hub.incident_id
    one_suggested_card(main_window, incident_id)
    workspace, session = main_window.session.workspace, main_window.session
    heard: list[int] = []
    session.workspace_changed.connect(lambda _changes, incident, _initiator: heard.append(incident))
    unchanged = session.refresh(run_to_end(compute_suggestions(workspace, incident_id, learning=True)))
    assert unchanged.wrote_nothing and heard == []
    with workspace.transaction() as s:  # one suggestion gone: the next pass puts it back
        s.execute(delete(TagAssignment).where(TagAssignment.id == s.scalars(
            select(TagAssignment.id).where(TagAssignment.source == "suggested")).first()))
    changed = session.refresh(run_to_end(compute_suggestions(workspace, incident_id, learning=True)))
    assert not changed.wrote_nothing and heard == [incident_id]
