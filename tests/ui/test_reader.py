"""The conversation reader: shows messages, quotes a selection with Q, highlights quotes, fixes roles."""
from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QMenu

from postmortem_desktop.services.quotes import board_cards, read_conversation
from postmortem_desktop.storage.errors import ServerUnavailableError, WorkspaceMovedError
from ui.reader import conversation_reader
from ui.text_offsets import index_to_utf16, utf16_to_index


@pytest.fixture
def reader(main_window):
    return main_window.screen_widgets["reader"]


def first_conversation(main_window):
    return board_cards(main_window.hub.workspace, main_window.hub.incident_id)[0].conversation_id


def select_in_message(reader, message_index: int, start: int, end: int) -> None:
    span = reader.spans[message_index]
    cursor = reader.text.textCursor()
    cursor.setPosition(span.start + index_to_utf16(span.text, start))
    cursor.setPosition(span.start + index_to_utf16(span.text, end), QTextCursor.MoveMode.KeepAnchor)
    reader.text.setTextCursor(cursor)


def test_requested_conversation_is_shown_with_author_role_and_time(reader, main_window):
    conv_id = first_conversation(main_window)
    main_window.hub.conversation_requested.emit(conv_id, -1)
    conv = read_conversation(main_window.hub.workspace, conv_id)
    shown = reader.text.toPlainText()
    for message in conv.messages:
        assert f"{message.author} · {message.role}" in shown
        assert message.text.splitlines()[0] in shown
    assert conv.subject in reader.header.text()


def test_q_makes_a_quote_of_the_selected_words(reader, main_window, qtbot):
    conv_id = first_conversation(main_window)
    main_window.hub.conversation_requested.emit(conv_id, -1)  # as a click on the board or timeline does
    message = reader.spans[0]
    select_in_message(reader, 0, 0, min(12, len(message.text)))
    reader.text.setFocus()
    with qtbot.waitSignal(reader.quote_created, timeout=2000) as blocker:
        qtbot.keyClick(reader.text, Qt.Key.Key_Q)
    quote_id = blocker.args[0]
    card = next(c for c in board_cards(main_window.hub.workspace, main_window.hub.incident_id)
                if c.quote_id == quote_id)
    assert card.message_id == message.message_id
    # the selection ended mid-word: the quote runs on to the end of that word
    assert card.text == re.match(r"(?s).{12}\w*", message.text).group(0).strip()


def test_existing_quotes_are_highlighted_in_their_message(reader, main_window):
    cards = board_cards(main_window.hub.workspace, main_window.hub.incident_id)
    card = next(c for c in cards if c.message_id is not None)
    reader.show_conversation(card.conversation_id, card.message_id)
    span = next(s for s in reader.spans if s.message_id == card.message_id)
    start = span.text.index(card.text)
    inside = QTextCursor(reader.text.document())
    inside.setPosition(span.start + index_to_utf16(span.text, start) + 1)
    outside = QTextCursor(reader.text.document())
    outside.setPosition(span.header + 1)
    assert inside.charFormat().background().color().name().lower() == "#ffe08a"
    assert outside.charFormat().background().style() == Qt.BrushStyle.NoBrush


def test_quote_whole_conversation_button_makes_one_card(reader, main_window, qtbot):
    conv_id = first_conversation(main_window)
    main_window.hub.conversation_requested.emit(conv_id, -1)  # as a click on the board or timeline does
    with qtbot.waitSignal(reader.quote_created, timeout=2000) as blocker:
        reader.whole_button.click()
    card = next(c for c in board_cards(main_window.hub.workspace, main_window.hub.incident_id)
                if c.quote_id == blocker.args[0])
    assert card.message_id is None and card.conversation_id == conv_id


def test_selection_spanning_a_header_is_clipped_to_one_message(reader, main_window):
    reader.show_conversation(first_conversation(main_window))
    if len(reader.spans) < 2:
        pytest.fail("the first demo conversation should have two messages")
    cursor = reader.text.textCursor()
    cursor.setPosition(reader.spans[1].header)
    cursor.setPosition(reader.spans[1].start + 5, QTextCursor.MoveMode.KeepAnchor)
    reader.text.setTextCursor(cursor)
    message_id, start, end = reader.selected_span()
    text = reader.spans[1].text
    assert (message_id, start) == (reader.spans[1].message_id, 0)
    assert end == re.match(r"(?s).{%d}\w*" % utf16_to_index(text, 5), text).end()  # on to the word's end


def test_role_correction_is_undoable(reader, main_window, qtbot):
    conv_id = first_conversation(main_window)
    main_window.hub.conversation_requested.emit(conv_id, -1)  # as a click on the board or timeline does
    author = reader.conversation.messages[0].author
    old_role = reader.conversation.messages[0].role
    new_role = "internal" if old_role != "internal" else "agent"
    menu = QMenu()
    reader._add_role_submenu(menu, author, old_role)  # Roles › the author, as the person opens it
    (sub,) = [action.menu() for action in menu.actions() if action.menu() is not None]
    next(action for action in sub.actions() if action.text().lower() == new_role).trigger()
    assert {m.role for m in reader.conversation.messages if m.author == author} == {new_role}
    main_window.session.undo_stack.undo()
    assert {m.role for m in reader.conversation.messages if m.author == author} == {old_role}


def test_utf16_offsets_round_trip_after_emoji():
    text = "hi 😅 came back to pay"
    for index in range(len(text) + 1):
        assert utf16_to_index(text, index_to_utf16(text, index)) == index


def test_a_quote_snaps_to_whole_words_whatever_the_selection_caught(reader, main_window, qtbot):
    reader.show_conversation(first_conversation(main_window))
    message = reader.spans[0]
    words = re.search(r"\w{4,} \w+ \w{4,}", message.text)  # three words, the outer two long
    select_in_message(reader, 0, words.start() + 2, words.end() - 2)  # the pointer caught part words
    _message_id, start, end = reader.selected_span()
    assert message.text[start:end] == words.group(0)
    select_in_message(reader, 0, words.start() - 1, words.start())  # only a space: nothing to quote
    assert reader.selected_span() is None


def _two_conversations(main_window) -> tuple[int, int]:
    ids = dict.fromkeys(c.conversation_id for c in board_cards(main_window.hub.workspace, main_window.hub.incident_id))
    first, second = list(ids)[:2]
    return first, second


@pytest.mark.parametrize("failure", [ServerUnavailableError("Could not read from the team workspace: the team "
                                                            "server is not answering (connection refused)."),
                                     WorkspaceMovedError("incidents.pmw was moved while open.")])
def test_a_conversation_that_cannot_be_read_is_not_shown_as_the_one_read_before(reader, main_window, monkeypatch,
                                                                               failure):
    first, second = _two_conversations(main_window)
    main_window.hub.conversation_requested.emit(first, -1)
    read = conversation_reader.read_conversation

    def failing(workspace, conversation_id):
        raise failure

    monkeypatch.setattr(conversation_reader, "read_conversation", failing)
    main_window.hub.conversation_requested.emit(second, -1)
    assert reader.conversation is None and reader.spans == [] and reader.text.toPlainText() == ""
    assert reader.header.text().startswith("Could not read this conversation: ")
    assert str(failure) in reader.header.toolTip()
    assert not reader.quote_button.isEnabled() and not reader.roles_button.isEnabled()
    monkeypatch.setattr(conversation_reader, "read_conversation", read)
    main_window.hub.conversation_requested.emit(second, -1)  # selected again: read and shown
    assert reader.conversation is not None and reader.conversation.id == second
    assert reader.conversation.subject in reader.header.text() and reader.header.toolTip() == ""

