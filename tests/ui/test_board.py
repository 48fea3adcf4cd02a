"""The tagging board: models pass qtmodeltester, drag-and-drop tags cards, keys tag/accept/delete with undo."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QFontMetrics
from PySide6.QtWidgets import QApplication, QStyleOptionViewItem

from postmortem_desktop.services.quotes import CreateQuote, read_conversation
from postmortem_desktop.services.suggestions import run_suggestions, suggest_for_role, workspace_tagger
from postmortem_desktop.services.tagging import list_tags
from ui.board.card_delegate import PAD, STRIPE
from ui.board.card_model import BoardCardModel, CardColumnProxyModel, decode_cards, encode_cards


@pytest.fixture
def board(main_window, qtbot):
    screen = main_window.show_screen("board")
    if screen.model.rowCount() == 0:
        screen.reload()
    return screen


def card_of(board, quote_id):
    return board.model.card(board.model.row_of(quote_id))


def unsorted_card_id(board):
    return next(c.quote_id for c in board.model.cards if not c.tags and not c.pre_existing)


def view_for(board, tag_id, lane=""):
    return board.grid.views[(lane, tag_id)]


def select_card(view, quote_id):
    from PySide6.QtCore import QItemSelectionModel

    proxy = view.model()
    row = next(r for r in range(proxy.rowCount()) if proxy.index(r, 0).data(Qt.ItemDataRole.UserRole + 2) == quote_id)
    view.setFocus()
    view.selectionModel().setCurrentIndex(proxy.index(row, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect)


def drop(view, quote_ids, from_tag, ctrl=False):
    """What a real drag delivers: enter, move, then the drop, with Ctrl held for a copy."""
    mime = encode_cards(quote_ids, from_tag)
    modifiers = Qt.KeyboardModifier.ControlModifier if ctrl else Qt.KeyboardModifier.NoModifier
    actions = Qt.DropAction.MoveAction | Qt.DropAction.CopyAction
    enter = QDragEnterEvent(QPoint(20, 20), actions, mime, Qt.MouseButton.LeftButton, modifiers)
    QApplication.sendEvent(view.viewport(), enter)
    assert enter.isAccepted()
    move = QDragMoveEvent(QPoint(22, 22), actions, mime, Qt.MouseButton.LeftButton, modifiers)
    QApplication.sendEvent(view.viewport(), move)
    event = QDropEvent(QPointF(22, 22), actions, mime, Qt.MouseButton.LeftButton, modifiers)
    QApplication.sendEvent(view.viewport(), event)
    assert event.isAccepted()
    return event


def test_card_model_and_column_proxy_pass_the_model_tester(qtmodeltester, board):
    qtmodeltester.check(board.model)
    proxy = view_for(board, None).model()
    qtmodeltester.check(proxy)
    standalone = BoardCardModel()
    standalone.set_cards(board.model.cards)
    column = CardColumnProxyModel(None)
    column.setSourceModel(standalone)
    column.set_rows([3, 1, 0])
    qtmodeltester.check(column)
    column.set_rows([0, 2])
    qtmodeltester.check(column)


def test_column_proxy_keeps_selection_when_rows_change(board):
    standalone = BoardCardModel()
    standalone.set_cards(board.model.cards)
    column = CardColumnProxyModel(None)
    column.setSourceModel(standalone)
    column.set_rows([5, 7, 9])
    from PySide6.QtCore import QPersistentModelIndex

    kept = QPersistentModelIndex(column.index(2, 0))  # source row 9
    column.set_rows([1, 9])
    assert kept.row() == 1 and column.mapToSource(column.index(kept.row(), 0)).row() == 9


def test_column_proxy_keeps_selection_when_the_column_grows_and_shrinks(board):
    """Rows come and go at the end of Qt's own row count; a kept card's index follows it both ways."""
    from PySide6.QtCore import QPersistentModelIndex

    standalone = BoardCardModel()
    standalone.set_cards(board.model.cards)
    column = CardColumnProxyModel(None)
    column.setSourceModel(standalone)
    column.set_rows([4])
    kept = QPersistentModelIndex(column.index(0, 0))  # source row 4
    column.set_rows([0, 1, 2, 3, 4, 5])
    assert column.rowCount() == 6 and kept.row() == 4
    assert column.mapToSource(column.index(kept.row(), 0)).row() == 4
    gone = QPersistentModelIndex(column.index(5, 0))  # source row 5, not shown next
    column.set_rows([4, 2])
    assert column.rowCount() == 2 and kept.row() == 0 and not gone.isValid()
    column.set_rows([])
    assert column.rowCount() == 0 and not kept.isValid()


def test_columns_are_unsorted_then_every_tag_with_counts(board):
    tags = list_tags(board.hub.workspace)
    assert [c.tag_id for c in board.columns()] == [None] + [t.id for t in tags]
    header = board.grid.headers[tags[0].id]
    incident_cards = [c for c in board.model.cards if tags[0].id in c.tag_ids and not c.pre_existing]
    assert header.count.text().split()[0] == str(len(incident_cards))


def test_pre_existing_cards_are_set_apart_in_their_own_lane(board):
    pre = [c for c in board.model.cards if c.pre_existing]
    assert pre, "the demo has pre-existing conversations"
    lanes = {key for key, _ in board.grid.views}
    assert any(key.startswith("\x00pre") for key in lanes)
    in_main_lane = {view_for(board, t).model().index(r, 0).data(Qt.ItemDataRole.UserRole + 2)
                    for t in [None] + [c.tag_id for c in board.columns()[1:]]
                    for r in range(view_for(board, t).model().rowCount())}
    assert not in_main_lane & {c.quote_id for c in pre}


def test_drag_from_unsorted_to_a_column_tags_the_card_and_undo_untags(board, main_window, qtbot):
    quote_id = unsorted_card_id(board)
    target = list_tags(board.hub.workspace)[2]
    with qtbot.waitSignal(board.cards_shown, timeout=2000):
        drop(view_for(board, target.id), [quote_id], None)
    assert card_of(board, quote_id).tag_ids == (target.id,)
    assert board.model.row_of(quote_id) in view_for(board, target.id).model().source_rows()
    assert board.model.row_of(quote_id) not in view_for(board, None).model().source_rows()
    with qtbot.waitSignal(board.hub.workspace_changed, timeout=2000):
        main_window.session.undo_stack.undo()
    board.reload()
    assert card_of(board, quote_id).tags == ()


def test_drag_between_columns_moves_and_ctrl_drag_adds_a_second_tag(board, qtbot):
    quote_id = unsorted_card_id(board)
    tags = list_tags(board.hub.workspace)
    a, b, c = tags[0].id, tags[1].id, tags[4].id
    with qtbot.waitSignal(board.cards_shown, timeout=2000):
        drop(view_for(board, a), [quote_id], None)
    with qtbot.waitSignal(board.cards_shown, timeout=2000):
        drop(view_for(board, b), [quote_id], a)
    assert card_of(board, quote_id).tag_ids == (b,)
    with qtbot.waitSignal(board.cards_shown, timeout=2000):
        drop(view_for(board, c), [quote_id], b, ctrl=True)
    assert set(card_of(board, quote_id).tag_ids) == {b, c}
    steps = board.hub.session.undo_stack.count()
    drop(view_for(board, None), [quote_id], c, ctrl=True)  # a copy into Unsorted: nothing to add, nothing changes
    qtbot.wait(50)
    assert set(card_of(board, quote_id).tag_ids) == {b, c} and board.hub.session.undo_stack.count() == steps
    with qtbot.waitSignal(board.cards_shown, timeout=2000):
        drop(view_for(board, None), [quote_id], c)  # back to Unsorted: the card lands there, in no column
    assert card_of(board, quote_id).tag_ids == ()
    assert board.hub.session.undo_stack.undoText() == "Move to Unsorted"
    board.hub.session.undo()
    board.reload()
    assert set(card_of(board, quote_id).tag_ids) == {b, c}  # one undo puts both columns back


def test_drag_payload_round_trips_through_mime_data(board):
    proxy = view_for(board, None).model()
    mime = proxy.mimeData([proxy.index(0, 0)])
    ids, from_tag = decode_cards(mime)
    assert ids == [proxy.index(0, 0).data(Qt.ItemDataRole.UserRole + 2)] and from_tag is None


def test_number_key_tags_the_selected_card_and_selects_the_next(board, qtbot):
    view = view_for(board, None)
    quote_id = unsorted_card_id(board)
    select_card(view, quote_id)
    third = list_tags(board.hub.workspace)[2]
    with qtbot.waitSignal(board.cards_shown, timeout=2000):
        qtbot.keyClick(view, Qt.Key.Key_3)
    assert third.id in card_of(board, quote_id).tag_ids
    remaining = view.model().rowCount()
    assert remaining == 0 or view.selectionModel().hasSelection()


def quote_with_two_suggestions(board):
    """Quotes a whole customer message of the demo on which the tagger suggests at least two tags."""
    ws = board.hub.workspace
    tagger = workspace_tagger(ws)
    for card in board.model.cards:
        for message in read_conversation(ws, card.conversation_id).messages:
            if message.role == "customer" and len(suggest_for_role(tagger, message.text, "customer")) >= 2:
                command = CreateQuote(board.hub.incident_id, card.conversation_id, message.id, 0, len(message.text))
                if board.hub.run(command):
                    return command.quote_id
    raise AssertionError("the demo has no message with two suggestions")


def test_enter_accepts_the_first_suggestion_and_backspace_dismisses_the_next(board, qtbot):
    board.hub.set_hide_low_confidence(False)  # every suggestion shown, unsure ones too
    quote_id = quote_with_two_suggestions(board)
    board.reload()
    first, second = card_of(board, quote_id).suggestions[:2]
    view = view_for(board, None)
    select_card(view, quote_id)
    with qtbot.waitSignal(board.cards_shown, timeout=2000):
        qtbot.keyClick(view, Qt.Key.Key_Return)
    card = card_of(board, quote_id)
    assert first.tag_id in card.tag_ids and first.tag_id not in {s.tag_id for s in card.suggestions}
    view = view_for(board, first.tag_id)  # the card moved to the accepted tag's column
    select_card(view, quote_id)
    with qtbot.waitSignal(board.cards_shown, timeout=2000):
        qtbot.keyClick(view, Qt.Key.Key_Backspace)
    card = card_of(board, quote_id)
    assert second.tag_id not in {s.tag_id for s in card.suggestions} and second.tag_id not in card.tag_ids


def test_delete_key_removes_the_quote_and_undo_brings_it_back(board, main_window, qtbot):
    quote_id = unsorted_card_id(board)
    before = len(board.model.cards)
    select_card(view_for(board, None), quote_id)
    with qtbot.waitSignal(board.cards_shown, timeout=2000):
        qtbot.keyClick(view_for(board, None), Qt.Key.Key_Delete)
    assert len(board.model.cards) == before - 1 and board.model.row_of(quote_id) == -1
    with qtbot.waitSignal(board.cards_shown, timeout=2000):
        main_window.session.undo_stack.undo()
    assert board.model.row_of(quote_id) >= 0


def test_selection_is_shared_through_the_hub(board, qtbot):
    quote_id = unsorted_card_id(board)
    with qtbot.waitSignal(board.hub.quotes_selected, timeout=2000) as blocker:
        select_card(view_for(board, None), quote_id)
    assert blocker.args == [[quote_id]] and board.hub.selected_quote_ids == [quote_id]


def test_search_and_filters_narrow_the_cards(board, qtbot):
    total = sum(v.model().rowCount() for v in board.grid.all_views())
    board.filter_bar.search.setText("twice")
    with qtbot.waitSignal(board.cards_shown, timeout=2000):
        board.filter_bar.apply_now()
    shown = {board.model.card(r).quote_id for v in board.grid.all_views() for r in v.model().source_rows()}
    assert shown and len(shown) < total
    board.filter_bar.search.clear()
    board.filter_bar.scope.setCurrentIndex(board.filter_bar.scope.findData("pre_existing"))
    shown = {board.model.card(r).quote_id for v in board.grid.all_views() for r in v.model().source_rows()}
    assert shown == {c.quote_id for c in board.model.cards if c.pre_existing}


def test_a_filter_already_shown_is_not_laid_out_again(board, qtbot):
    """A combo applies its filter at once; Enter (or the typing delay) after it must not redo the work."""
    laid_out = []
    board.cards_shown.connect(lambda: laid_out.append(True))
    board.filter_bar.scope.setCurrentIndex(board.filter_bar.scope.findData("pre_existing"))
    assert len(laid_out) == 1
    board.filter_bar.apply_now()
    assert len(laid_out) == 1
    board.filter_bar.scope.setCurrentIndex(board.filter_bar.scope.findData("all"))
    assert len(laid_out) == 2


def test_swimlanes_group_cards_by_segment(board, qtbot):
    with qtbot.waitSignal(board.cards_shown, timeout=2000):
        board.filter_bar.grouping.setCurrentIndex(board.filter_bar.grouping.findData("segment"))
    lanes = {key for key, _ in board.grid.views if not key.startswith("\x00")}
    assert lanes == {c.segment.strip() for c in board.model.cards if not c.pre_existing}
    for (lane, _tag), view in board.grid.views.items():
        if not lane.startswith("\x00"):
            assert {board.model.card(r).segment for r in view.model().source_rows()} <= {lane}


def test_clicking_a_card_asks_the_reader_for_its_conversation(board, qtbot):
    view = view_for(board, None)
    index = view.model().index(0, 0)
    card = index.data(Qt.ItemDataRole.UserRole + 1)
    with qtbot.waitSignal(board.hub.conversation_requested, timeout=2000) as blocker:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                         pos=view.visualRect(index).center() - QPoint(0, 30))
    assert blocker.args[0] == card.conversation_id


def test_workspace_phrases_are_edited_in_the_app_and_undoable(qtbot, main_window, monkeypatch):
    from postmortem_desktop.services.suggestions import pattern_extras, workspace_tagger
    from ui.board.phrases_dialog import PhrasesDialog, text_to_extras

    board = main_window.show_screen("board")

    def accept(dialog):
        dialog.editor.setPlainText("refund-request: refund~ my money\nmanual-work: re-keyed ... by hand")
        return PhrasesDialog.DialogCode.Accepted

    monkeypatch.setattr(PhrasesDialog, "exec", accept)
    board.filter_bar.phrases_button.click()
    workspace = main_window.hub.workspace
    assert pattern_extras(workspace) == {"refund-request": ["refund~ my money"],
                                         "manual-work": ["re-keyed ... by hand"]}
    found = {s.tag for s in workspace_tagger(workspace).suggest("Please refund my money, we re-keyed it all by hand")}
    assert {"refund-request", "manual-work"} <= found
    main_window.undo_action.trigger()
    assert pattern_extras(workspace) == {}
    assert text_to_extras("no colon here")[1] == ["line 1: write it as “tag: pattern”, e.g. “manual-work: by hand”"]


def test_after_suggest_tags_flagged_conversations_without_cards_can_become_cards(qtbot, main_window, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from postmortem_desktop.importers.records import ParsedMessage
    from postmortem_desktop.services.conversations import AddConversation, NewConversation

    hub = main_window.hub
    new = NewConversation(channel="ticket", customer_name="Noor Haddad", messages=[
        ParsedMessage("Noor Haddad", "I was charged twice and I want to cancel my account", None, "customer")])
    add = AddConversation(hub.incident_id, new)
    hub.run(add)  # like an imported ticket: no card yet
    board = main_window.show_screen("board")
    before = len(board.model.cards)
    asked = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.Yes)
    board.filter_bar.suggest_button.click()
    qtbot.waitUntil(lambda: bool(asked), timeout=15000)
    assert "suggested tags but no card" in asked[0] and "More than" not in asked[0]
    qtbot.waitUntil(lambda: any(c.conversation_id == add.conversation_id for c in board.model.cards), timeout=5000)
    added = len(board.model.cards) - before
    assert added >= 1
    main_window.undo_action.trigger()  # the cards go in one step
    qtbot.waitUntil(lambda: len(board.model.cards) == before, timeout=5000)


def test_add_cards_says_when_it_offers_only_the_first_of_more(qtbot, main_window, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from postmortem_desktop.services.quotes import uncarded_conversations_with_suggestions
    from ui.board import board_screen

    board = main_window.show_screen("board")
    run_suggestions(board.hub.workspace, board.hub.incident_id)
    waiting = uncarded_conversations_with_suggestions(board.hub.workspace, board.hub.incident_id)
    assert len(waiting) > 2  # the demo's tickets without cards
    monkeypatch.setattr(board_screen, "ADD_CARDS_AT_ONCE", 2)
    before = len(board.model.cards)
    asked = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.Yes)
    board._offer_cards_for_suggestions()
    assert asked[0].startswith("More than 2 conversations have suggested tags but no card yet. Put the first 2 ")
    assert asked[0].endswith("Suggest Tags offers the next ones once these are on the board.")
    qtbot.waitUntil(lambda: len(board.model.cards) == before + 2, timeout=5000)
    assert {c.conversation_id for c in board.model.cards} >= set(waiting[:2])
    assert main_window.session.undo_stack.undoText() == "Add 2 Conversations as Cards"


def test_a_search_count_cut_at_the_first_matches_says_or_more(board):
    from postmortem_desktop.services.conversation_browser import UncardedMatches

    board.filter_bar.search.setText("refund")
    board.filter_bar.apply_now()
    board._uncarded_matches = UncardedMatches(500, at_least=True)
    board._show_status(board._shown)
    assert "500 or more conversations without a card also match “refund”" in board.status.text()
    board._uncarded_matches = UncardedMatches(1, at_least=False)
    board._show_status(board._shown)
    assert "1 conversation without a card also matches “refund”" in board.status.text()
    board._uncarded_matches = UncardedMatches(0, at_least=True)  # the first hits all have cards
    board._show_status(board._shown)
    assert "more conversations may match “refund”" in board.status.text()


def test_most_columns_fit_a_1920_px_screen_beside_the_incident_list(board, qtbot, main_window):
    main_window.showNormal()
    main_window.resize(1728, 970)  # a first launch on 1920x1080: 90% of the free area
    qtbot.waitUntil(lambda: board.grid.viewport().width() > 1200)
    QApplication.processEvents()
    viewport = board.grid.viewport()
    shown = [h for h in board.grid.headers.values()
             if h.mapTo(viewport, QPoint(h.width(), 0)).x() <= viewport.width()]
    assert len(board.grid.headers) >= 10 and len(shown) >= 6
    width = board.grid.column_width()
    bigger = board.grid.font()
    bigger.setPointSizeF(bigger.pointSizeF() * 1.4)  # projector type
    board.grid.setFont(bigger)
    assert board.grid.column_width() > width
    assert all(v.minimumWidth() == board.grid.column_width() for v in board.grid.views.values())
    QApplication.processEvents()
    for header in board.grid.headers.values():  # no title cut: each column is at least its header's width
        assert header.width() >= header.minimumSizeHint().width()


def test_undo_and_redo_scroll_to_the_card_they_moved_and_select_it(board, qtbot, main_window):
    from postmortem_desktop.services.tagging import AssignTag

    main_window.showNormal()
    main_window.resize(1280, 720)
    qtbot.waitUntil(lambda: board.grid.viewport().width() > 500)
    QApplication.processEvents()
    quote_id = unsorted_card_id(board)
    last = list_tags(board.hub.workspace)[-1]  # the rightmost column, off screen at 1280 px
    viewport = board.grid.viewport()

    def in_view(view):
        left = view.mapTo(viewport, QPoint(0, 0)).x()
        return left >= 0 and left + view.minimumWidth() <= viewport.width()
    assert not in_view(view_for(board, last.id))
    assert board.run_local(AssignTag(board.hub.incident_id, [quote_id], last.id, last.name))
    board.grid.horizontalScrollBar().setValue(0)
    with qtbot.waitSignal(board.hub.workspace_changed, timeout=2000):
        main_window.undo_action.trigger()
    assert in_view(view_for(board, None)) and view_for(board, None).selected_quote_ids() == [quote_id]
    with qtbot.waitSignal(board.hub.workspace_changed, timeout=2000):
        main_window.redo_action.trigger()
    QApplication.processEvents()
    assert in_view(view_for(board, last.id))  # scrolled to where the card went
    assert view_for(board, last.id).selected_quote_ids() == [quote_id]


def test_a_dropped_card_is_scrolled_into_view_and_selected_where_it_landed(board, qtbot, main_window):
    main_window.showNormal()
    main_window.resize(1280, 720)
    qtbot.waitUntil(lambda: board.grid.viewport().width() > 500)
    quote_id = unsorted_card_id(board)
    # the fullest column: its lane scrolls, so a card landing below the fold would be out of view
    target = max(list_tags(board.hub.workspace), key=lambda t: view_for(board, t.id).model().rowCount())
    view = view_for(board, target.id)
    assert view.model().rowCount() > 3
    with qtbot.waitSignal(board.cards_shown, timeout=2000):
        drop(view, [quote_id], None)
    QApplication.processEvents()
    assert view.selected_quote_ids() == [quote_id]
    index = view.currentIndex()
    assert view.viewport().rect().contains(view.visualRect(index).center())


def test_a_drag_and_its_undo_show_the_same_suggestions_as_a_fresh_load(board, qtbot, main_window):
    """The demo was never given Suggest Tags: neither a drag nor its undo makes chips appear."""
    from ui.board.board_screen import LEARN_DELAY_MS

    def waiting():
        return sum(1 for c in board.model.cards if c.shown_suggestions(board.hub.hide_low_confidence))
    assert waiting() == 0
    target = list_tags(board.hub.workspace)[2]
    with qtbot.waitSignal(board.cards_shown, timeout=2000):
        drop(view_for(board, target.id), [unsorted_card_id(board)], None)
    qtbot.wait(LEARN_DELAY_MS + 100)  # past the learning delay, then past any learning pass
    qtbot.waitUntil(lambda: board._learner is None, timeout=10_000)
    QApplication.processEvents()
    assert waiting() == 0
    with qtbot.waitSignal(board.hub.workspace_changed, timeout=2000):
        main_window.undo_action.trigger()
    QApplication.processEvents()
    shown_after_undo = waiting()
    board.reload()
    assert shown_after_undo == waiting() == 0
    assert " 0 with suggestions" in board.status.text()


def test_a_search_names_the_columns_of_its_hits_scrolls_to_the_first_and_says_why_each_card_matched(
        board, qtbot, main_window):
    main_window.showNormal()
    main_window.resize(1280, 720)
    qtbot.waitUntil(lambda: board.grid.viewport().width() > 500)
    board.grid.horizontalScrollBar().setValue(board.grid.horizontalScrollBar().maximum())  # looking far right
    QApplication.processEvents()
    board.filter_bar.search.setFocus()
    typing = board.filter_bar.search.hasFocus()
    board.filter_bar.search.setText("personal card")
    with qtbot.waitSignal(board.cards_shown, timeout=2000):
        board.filter_bar.apply_now()
    QApplication.processEvents()
    shown = [board.model.card(r) for v in board.grid.all_views() for r in v.model().source_rows()]
    titles = {t.id: t.name for t in list_tags(board.hub.workspace)}
    hit_columns = {titles[t] for c in shown for t in c.tag_ids} | {"Unsorted" for c in shown if not c.tag_ids}
    assert len(hit_columns) > 1
    assert all(name in board.status.text() for name in hit_columns)  # the count says where the hits are
    first = next(column for column in board.columns() if column.title in hit_columns)
    header, viewport = board.grid.headers[first.tag_id], board.grid.viewport()
    left = header.mapTo(viewport, QPoint(0, 0)).x()
    assert 0 <= left and left + header.width() <= viewport.width()  # scrolled to the first hit
    assert board.filter_bar.search.hasFocus() == typing  # the person goes on typing in the search box
    through_text = [c for c in shown if "personal" in c.text.lower() and "card" in c.text.lower()]
    through_conversation = [c for c in shown if c not in through_text]
    assert through_text and through_conversation
    assert all("in its conversation" in board.delegate.meta_line(c) for c in through_conversation)
    assert not any("in its conversation" in board.delegate.meta_line(c) for c in through_text)
    # drawn whole on the card as wide as the board shows it, not cut to "in its…"
    view = next(v for v in board.grid.all_views() if v.model().rowCount())
    option = QStyleOptionViewItem()
    option.font = view.font()
    metrics = QFontMetrics(board.delegate._fonts(option)[1])
    width = view.viewport().width() - 8 - 2 * PAD - STRIPE  # the card's margins, padding and colour stripe
    for card in through_conversation:
        assert board.delegate.meta_texts(card, metrics, width)[0].startswith("in its conversation")


def uncarded_conversation_word(workspace, incident_id):
    import re

    with workspace.engine.connect() as c:
        cid, body = c.exec_driver_sql(
            "SELECT c.id, m.text FROM conversations c JOIN messages m ON m.conversation_id = c.id "
            "WHERE c.incident_id = ? AND NOT EXISTS (SELECT 1 FROM quotes q WHERE q.conversation_id = c.id) "
            "ORDER BY c.id LIMIT 1", (incident_id,)).one()
    return cid, max(re.findall(r"[A-Za-z]{5,}", body), key=len)


def test_a_search_points_to_conversations_without_a_card_and_the_browser_opens_them(board, qtbot):
    from postmortem_desktop.services.quotes import board_cards

    cid, word = uncarded_conversation_word(board.hub.workspace, board.hub.incident_id)
    board.filter_bar.search.setText(word)
    board.filter_bar.apply_now()
    # the cards are shown at once; the count of the other hits follows them, not holding them up
    assert "card" in board.status.text() and "without a card also match" not in board.status.text()
    qtbot.waitUntil(lambda: "without a card also match" in board.status.text(), timeout=3000)
    assert "<a href" in board.status.text()
    board.status.linkActivated.emit("conversations")
    dialog = board.conversations_dialog
    assert dialog.isVisible() and dialog.search.text() == word
    model = dialog.model
    row = next(r for r in range(model.rowCount()) if model.index(r, 0).data(model.ID_ROLE) == cid)
    assert model.index(row, model.COL_CARDS).data() == "none yet"
    with qtbot.waitSignal(board.hub.conversation_requested) as opened:
        dialog.table.activated.emit(model.index(row, model.COL_SUBJECT))
    assert opened.args == [cid, -1]
    dialog.table.selectRow(row)
    dialog.card_button.click()  # whole-conversation card, one undo step, worked out on a worker as Add Cards is
    assert board._worker is not None  # a job: the window's thread does not run the tagger over a big selection
    qtbot.waitUntil(lambda: cid in {c.conversation_id for c in board_cards(board.hub.workspace, board.hub.incident_id)},
                    timeout=10_000)
    qtbot.waitUntil(lambda: board._worker is None, timeout=5000)
    assert board.hub.session.undo_stack.undoText() == "Add 1 Conversation as Cards"
    assert model.index(next(r for r in range(model.rowCount()) if model.index(r, 0).data(model.ID_ROLE) == cid),
                       model.COL_CARDS).data() == "1"
    dialog.close()


def test_the_conversation_browser_lists_every_conversation_and_passes_the_model_tester(board, qtmodeltester):
    dialog = board.show_conversations()
    with board.hub.workspace.engine.connect() as c:
        total = c.exec_driver_sql("SELECT count(*) FROM conversations WHERE incident_id = ?",
                                  (board.hub.incident_id,)).scalar()
    assert dialog.model.rowCount() == total
    qtmodeltester.check(dialog.model)
    dialog.uncarded_only.setChecked(True)
    assert 0 < dialog.model.rowCount() < total
    dialog.close()


def test_cancel_clicked_after_suggest_tags_finished_but_before_its_result_arrived_writes_nothing(qtbot, main_window,
                                                                                                 monkeypatch):
    from PySide6.QtWidgets import QMessageBox, QProgressDialog, QPushButton
    from sqlalchemy import func, select

    from postmortem_desktop.storage.schema import TagAssignment

    def message_suggestions(ws) -> int:
        with ws.reading() as session:
            return session.scalar(select(func.count()).select_from(TagAssignment).where(
                TagAssignment.message_id.is_not(None), TagAssignment.source == "suggested"))

    board = main_window.show_screen("board")
    workspace = board.hub.workspace
    before = message_suggestions(workspace)
    offered: list[str] = []  # Add Cards, offered after a stored Suggest Tags: must not come either
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: offered.append(a[2]) or QMessageBox.StandardButton.No)
    board.filter_bar.suggest_button.click()
    worker = board._worker
    assert worker is not None and worker.done.wait(15)  # finished on its thread; the result not yet delivered here
    progress = board.findChild(QProgressDialog)
    progress.findChild(QPushButton).click()  # the person's Cancel, in between
    qtbot.waitUntil(lambda: board._worker is None, timeout=5000)
    assert message_suggestions(workspace) == before and offered == []
    assert main_window.session.undo_stack.undoText() != "Undo Suggest Tags"


def test_put_on_board_while_cards_are_being_worked_out_says_wait_and_cards_nothing(board, qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from postmortem_desktop.services.quotes import board_cards

    cid, _word = uncarded_conversation_word(board.hub.workspace, board.hub.incident_id)
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _parent, _title, text: told.append(text))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    board.filter_bar.suggest_button.click()  # a job of the board's
    assert board._worker is not None
    board.show_conversations().cards_asked.emit([cid])
    assert told and "once those are in" in told[0]
    qtbot.waitUntil(lambda: board._worker is None, timeout=15_000)
    assert cid not in {c.conversation_id for c in board_cards(board.hub.workspace, board.hub.incident_id)}
