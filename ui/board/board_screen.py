"""The tagging board screen: tag columns of quote cards, swimlanes, filters, keys and drag-to-tag."""
from __future__ import annotations

import html
from collections.abc import Callable, Generator

import shiboken6
from PySide6.QtCore import QEvent, QItemSelectionModel, QPoint, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QDialog, QInputDialog, QLabel, QMessageBox, QProgressDialog, QVBoxLayout, QWidget

from postmortem_desktop.domain.changes import DataChange
from postmortem_desktop.domain.counting import counted
from postmortem_desktop.services.commands import Command, EditConflict, RuleError
from postmortem_desktop.services.conversation_browser import UncardedMatches, count_uncarded_matches
from postmortem_desktop.services.conversation_cards import QuoteWholeConversations, prepare_whole_cards
from postmortem_desktop.services.quotes import (
    BoardCard,
    BoardFilter,
    DeleteQuote,
    board_cards,
    conversation_matched_quote_ids,
    filter_cards,
    uncarded_conversations_with_suggestions,
)
from postmortem_desktop.services.suggestions import (
    StoreSuggestions,
    compute_suggestions,
    incident_uses_suggestions,
)
from postmortem_desktop.services.tagging import (
    AcceptSuggestion,
    AssignTag,
    CardTagEdit,
    ClearCardTags,
    DismissSuggestion,
    MoveCardTag,
    RemoveTag,
    RenameTag,
    TagDefinition,
    list_tags,
    tag_color_hex,
    untagged_color_hex,
)
from postmortem_desktop.storage.errors import ServerUnavailableError, WorkspaceError
from postmortem_desktop.storage.search_index import search_words

from .. import workers
from ..conflict_dialog import ask_keep_mine, run_or_offer_both
from ..errors import show_refusal
from ..hub import ScreenHub
from ..read_only import enable_when_writable, is_read_only, short_reason
from ..undo import BusyError, UndoStep
from .board_grid import BoardGridWidget, Column, bucket_cards
from .board_menus import ask_new_tag, card_menu_command, column_menu_command
from .card_conflicts import cards_word, columns_text, show_drop_refused
from .card_delegate import BoardCardDelegate
from .card_model import BoardCardModel
from .column_view import CardListView
from .conversations_dialog import ConversationBrowserDialog
from .filter_bar import BoardFilterBar

BOARD_POINT_SIZE = 12.0  # readable from the back of a room when projected
EMPTY_HINT = ("No cards yet. Open a conversation (click a bar on the timeline), select the customer's words and "
              "press Q, or quote the whole conversation; Suggest Tags offers cards for conversations it flags.")
#: after a person tags, accepts or dismisses, the suggestions are recomputed this long after the last such edit
#: the board's status line while a load the person did not ask for (the board shown, a column brought into view)
#: could not reach the team server; the cards last read stay on screen
NOT_ANSWERING = "Team server not answering — the board shows what was last read; reconnecting…"
LEARN_DELAY_MS = 250
#: a search's count of conversations without a card comes this long after its cards are shown
UNCARDED_COUNT_DELAY_MS = 200
NO_MATCHES = UncardedMatches(0, False)
#: whole-conversation cards Add Cards puts on the board at once (Suggest Tags offers the next ones)
ADD_CARDS_AT_ONCE = 500
#: the edits that teach the suggester, changing what a person decided about cards (tagging, accepting, dismissing,
#: removing): each, and its undo or redo, starts a learning pass
DECISIONS = (AssignTag, AcceptSuggestion, DismissSuggestion, MoveCardTag, RemoveTag, ClearCardTags, DeleteQuote)
HINT = ("Drag to tag · Ctrl+drag adds a tag · 1–9 tag · Enter accepts a suggestion · Backspace dismisses it · "
        "Delete removes")
#: the hint on a read-only workspace, where dragging and the board's keys change nothing
READ_ONLY_HINT = "Read-only: cards can be searched, read and opened, not tagged or moved. {reason}"


# the data quote cards show: quotes, their tags, the conversations they come from, incident and settings
BOARD_DATA = (DataChange.QUOTE | DataChange.TAG | DataChange.CONVERSATION | DataChange.INCIDENT
              | DataChange.SETTING)

class BoardScreen(QWidget):
    #: the cards on screen were (re)laid out; benchmarks and tests wait on it
    cards_shown = Signal()
    #: the suggestions were recomputed after the person's decisions (how many are pending now)
    suggestions_learned = Signal(int)

    def __init__(self, hub: ScreenHub, parent=None):  # noqa: ANN001
        super().__init__(parent)
        self.hub = hub
        self.setObjectName("board_screen")
        self.model = BoardCardModel(self)
        self.delegate = BoardCardDelegate(self)
        self.filter_bar = BoardFilterBar(self)
        self.grid = BoardGridWidget(self.model, self.delegate, self)
        self._set_card_font()
        self.status = QLabel(self)
        self.status.setObjectName("board_status")
        self.status.setContentsMargins(8, 2, 8, 4)
        self.status.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.filter_bar)
        layout.addWidget(self.grid, 1)
        layout.addWidget(self.status)
        self.tags: list[TagDefinition] = []
        self._filter = BoardFilter()
        self._grouping = ""
        self._conversation_matches: set[int] | None = None
        self._uncarded_matches = NO_MATCHES  # conversations without a card that the search's words are in
        self._shown: list[BoardCard] = []  # the cards the filter keeps, as last laid out
        # counted once the search's cards are shown (and once typing pauses): the cards are what the person
        # waits for, the count is a pointer beside them (30-60 ms on a team workspace of 100k conversations)
        self._uncarded_timer = QTimer(self)
        self._uncarded_timer.setSingleShot(True)
        self._uncarded_timer.setInterval(UNCARDED_COUNT_DELAY_MS)
        self._uncarded_timer.timeout.connect(self._count_uncarded_matches)
        self.conversations_dialog: QDialog | None = None
        self._local_ids: set[int] | None = None
        self.drop_notice: QMessageBox | None = None  # the last "moved by someone else" notice after a drop
        self._dirty = True
        self._syncing_selection = False
        #: the one job of the board's own (Suggest Tags or Add Cards) on a worker; Suggest Tags is off meanwhile
        self._worker: workers.GeneratorWorker | None = None
        self._learner: workers.GeneratorWorker | None = None
        self._learn_again = False
        self._learning_for: tuple = (None, -1, 0)  # the session, incident and cards_added a learning pass began with
        #: how many times Add Cards (or its redo) put cards on the board: a learning pass that began before is stale
        self._cards_added = 0
        self._learn_timer = QTimer(self)
        self._learn_timer.setSingleShot(True)
        self._learn_timer.setInterval(LEARN_DELAY_MS)  # several quick decisions make one refresh
        self._learn_timer.timeout.connect(self._learn_from_decisions)
        self.delegate.hide_low_confidence = hub.hide_low_confidence
        self.filter_bar.hide_low.setChecked(hub.hide_low_confidence)
        self._connect()
        if hub.session is not None:
            self._mark_dirty()

    def _connect(self) -> None:
        self.filter_bar.filter_changed.connect(self._on_filter_bar_filter_changed)
        self.filter_bar.grouping_changed.connect(self._on_filter_bar_grouping_changed)
        self.filter_bar.suggest_requested.connect(self._on_filter_bar_suggest_requested)
        self.filter_bar.phrases_requested.connect(self._on_filter_bar_phrases_requested)
        self.filter_bar.add_column_requested.connect(self._on_filter_bar_add_column_requested)
        self.filter_bar.conversations_requested.connect(lambda: self.show_conversations(self._filter.text))
        self.status.linkActivated.connect(lambda _link: self.show_conversations(self._filter.text))
        self.filter_bar.low_confidence_toggled.connect(self.hub.set_hide_low_confidence)
        self.hub.low_confidence_hidden.connect(self._on_hub_low_confidence_hidden)
        self.grid.cards_dropped.connect(self._on_grid_cards_dropped)
        self.grid.card_key_pressed.connect(self._on_grid_card_key_pressed)
        self.grid.selection_changed.connect(self._on_grid_selection_changed)
        self.grid.card_clicked.connect(self._on_grid_card_clicked)
        self.grid.column_menu_requested.connect(self._on_grid_column_menu_requested)
        self.grid.card_menu_requested.connect(self._on_grid_card_menu_requested)
        self.delegate.suggestion_clicked.connect(self._on_delegate_suggestion_clicked)
        self.hub.session_changed.connect(self._mark_dirty)
        self.hub.incident_changed.connect(self._on_hub_incident_changed)
        self.hub.workspace_changed.connect(self._on_hub_workspace_changed)

    def _set_card_font(self) -> None:
        font = QFont(self.font())
        font.setPointSizeF(max(font.pointSizeF(), BOARD_POINT_SIZE))
        self.grid.setFont(font)

    def changeEvent(self, event) -> None:  # noqa: ANN001
        # a theme or font change (the projector's larger type): cards take the new size, lanes refit
        if event.type() == QEvent.Type.FontChange:
            self._set_card_font()
            if not self._dirty:
                self._lay_out()
        super().changeEvent(event)

    def sizeHint(self):  # noqa: ANN201 - modest, so the docks beside the board keep their width
        return QSize(900, 600)

    # ---- loading ---------------------------------------------------------------------------------
    def _mark_dirty(self) -> None:
        """Loads now when shown, otherwise on the next show (a hidden board costs nothing)."""
        self._dirty = True
        if self.isVisible():
            self.reload()

    request_refresh = _mark_dirty  # a RefreshingScreen (ui/contracts.py)

    def focus_item(self, payload: object) -> None:
        """Brings a tag's column into view (payload: its name), or the Unsorted inbox."""
        self._reload_when_dirty()
        tag = next((t for t in self.tags if t.name == payload), None)
        self.grid.show_column(tag.id if tag else None)

    def _on_hub_incident_changed(self, _incident_id: int) -> None:
        self._mark_dirty()

    def showEvent(self, event) -> None:  # noqa: ANN001
        super().showEvent(event)
        self._reload_when_dirty()

    def _reload_when_dirty(self) -> None:
        """Loads what changed since the board was last read. Shown while the team server is away (facilitator
        mode stepping onto the board, say), it keeps the cards last read and says so: it stays marked, so the
        re-read once the server is heard again (or the next show) loads it; no dialog, no traceback."""
        if not self._dirty:
            return
        try:
            self.reload()
        except ServerUnavailableError as exc:
            self._dirty = True
            self.status.setText(NOT_ANSWERING)
            self.status.setToolTip(str(exc))

    def reload(self) -> None:
        workspace, incident_id = self.hub.workspace, self.hub.incident_id
        self.delegate.set_zone(self.hub.zone_name)
        if workspace is None or incident_id < 0:
            self.tags = []
            self.model.set_cards([])
        else:
            tags, cards = list_tags(workspace), board_cards(workspace, incident_id)  # both read, or neither shown
            self.tags = tags
            self.model.set_cards(cards)
            self._conversation_matches = (conversation_matched_quote_ids(workspace, incident_id, self._filter.text)
                                          if self._filter.text else None)
            self._count_uncarded_later()
        self._dirty = False
        self.status.setToolTip("")
        self.delegate.set_tag_colors({t.id: t.color for t in self.tags})
        self.delegate.offers_decisions = not is_read_only(workspace)
        self.grid.set_cards_movable(not is_read_only(workspace))
        bar = self.filter_bar
        enable_when_writable((bar.phrases_button, bar.add_column_button), workspace)
        self._enable_suggest()
        self._refresh_choices()
        self.grid.forget_column_widths()
        self._lay_out()

    def _refresh_choices(self) -> None:
        cards = self.model.cards
        self.filter_bar.set_choices(self.tags, sorted({c.channel for c in cards if c.channel}),
                                    sorted({c.segment for c in cards if c.segment}))
        self._filter = self.filter_bar.current_filter()

    def refresh_cards(self, quote_ids: set[int]) -> None:
        """After this board's own edit: re-reads only the touched cards, then re-buckets."""
        fresh = board_cards(self.hub.workspace, self.hub.incident_id, quote_ids)
        if len(fresh) != len(quote_ids) or not self.model.replace_cards(fresh):
            self.reload()
            return
        self._lay_out()

    def columns(self) -> list[Column]:
        columns = [Column(None, "Unsorted", QColor(untagged_color_hex()), None)]
        keyed = 0 if is_read_only(self.hub.workspace) else 9  # the number keys tag nothing on a read-only workspace
        for n, tag in enumerate(self.tags, start=1):
            columns.append(Column(tag.id, tag.name, QColor(tag_color_hex(tag.color)), n if n <= keyed else None))
        return columns

    def _lay_out(self) -> list[BoardCard]:
        """Shows the cards the filter keeps, and returns them."""
        self.delegate.search_words = [w.lower() for w in search_words(self._filter.text)]
        cards = filter_cards(self.model.cards, self._filter, self._conversation_matches)
        row_of = self.model.row_of
        rows = [row_of(c.quote_id) for c in cards]
        columns = self.columns()
        lanes, buckets, counts = bucket_cards(cards, rows, [c.tag_id for c in columns], self._grouping,
                                              set_apart=self._filter.scope == "all")
        # the status first: a line more or less of it resizes the grid, which set_board then sizes once
        self._show_status(cards)
        self.grid.set_board(columns, lanes, buckets, counts)
        self._shown = cards
        self.cards_shown.emit()
        return cards

    def _show_status(self, cards: list[BoardCard]) -> None:
        total = len(self.model.cards)
        hide = self.hub.hide_low_confidence  # most cards have no suggestion: asked only of those that do
        waiting = sum(1 for c in cards if c.suggestions and c.shown_suggestions(hide))
        shown = f"{len(cards)} of {counted(total, 'card')}" if len(cards) != total else counted(total, "card")
        if self._filter.text and cards:  # where the hits are: some columns may be off screen
            shown += " in " + ", ".join(html.escape(c.title) for c in self._matched_columns(cards))
        if total == 0 and self.hub.incident_id >= 0:
            reason = short_reason(self.hub.workspace)  # nothing can be quoted on a read-only workspace
            self.status.setText(f"No cards yet. {html.escape(READ_ONLY_HINT.format(reason=reason))}" if reason
                                else EMPTY_HINT)
            return
        more = ""
        n, at_least = self._uncarded_matches.count, self._uncarded_matches.at_least
        if self._filter.text and (n or at_least):
            # the board holds only cards: say where the search's other hits are, one click away
            words = f"“{html.escape(self._filter.text)}”"
            if not n:  # the first hits all have cards; the search stopped there, so others may not
                said = f"more conversations may match {words}"
            else:
                said = (f"{n}{' or more' if at_least else ''} conversation{'s' if n != 1 or at_least else ''} "
                        f"without a card also match{'es' if n == 1 and not at_least else ''} {words}")
            more = f" · <a href='conversations'>{said}</a>"
        self.status.setText(f"{shown} · {waiting} with suggestions{more}  —  {self._hint()}")

    def _hint(self) -> str:
        reason = short_reason(self.hub.workspace)
        return html.escape(READ_ONLY_HINT.format(reason=reason)) if reason else HINT

    def _count_uncarded_later(self) -> None:
        """Forgets the last search's count, and counts this one's after its cards are on screen."""
        self._uncarded_matches = NO_MATCHES
        if self._filter.text:
            self._uncarded_timer.start()  # restarted by each change: one count when typing pauses
        else:
            self._uncarded_timer.stop()

    def _count_uncarded_matches(self) -> None:
        workspace, query = self.hub.workspace, self._filter.text
        if workspace is None or self.hub.incident_id < 0 or not query:
            return
        self._uncarded_matches = count_uncarded_matches(workspace, self.hub.incident_id, query)
        if self._uncarded_matches.count or self._uncarded_matches.at_least:
            self._show_status(self._shown)

    def show_conversations(self, query: str = "") -> ConversationBrowserDialog:
        """The incident's conversations, searchable, beside the board (one window, reused)."""
        dialog = self.conversations_dialog
        if not isinstance(dialog, ConversationBrowserDialog):
            dialog = self.conversations_dialog = ConversationBrowserDialog(self.hub, self)
            dialog.cards_asked.connect(self._put_on_board)
        dialog.set_query(query)
        dialog.show()
        dialog.raise_()
        return dialog

    # ---- filter bar -----------------------------------------------------------------------------
    def _on_filter_bar_filter_changed(self, board_filter: BoardFilter) -> None:
        if board_filter == self._filter:  # e.g. Enter after a combo already applied it: the board is current
            return
        text_changed = board_filter.text != self._filter.text
        self._filter = board_filter
        if text_changed:
            workspace = self.hub.workspace
            self._conversation_matches = (
                conversation_matched_quote_ids(workspace, self.hub.incident_id, board_filter.text)
                if board_filter.text and workspace is not None else None)
            self._count_uncarded_later()
        shown = self._lay_out()
        if text_changed and board_filter.text:
            self._show_first_match(shown)

    def _matched_columns(self, cards: list[BoardCard]) -> list[Column]:
        """The columns, in board order, that hold at least one of the cards."""
        tag_ids = {t for c in cards for t in (c.tag_ids or (None,))}
        return [column for column in self.columns() if column.tag_id in tag_ids]

    def _show_first_match(self, shown: list[BoardCard]) -> None:
        """A search scrolls to its first match, so hits in columns off screen are never silent."""
        columns = self._matched_columns(shown)
        if columns:
            self.grid.show_column(columns[0].tag_id, focus=False)  # the person keeps typing in the search box

    def _on_filter_bar_grouping_changed(self, grouping: str) -> None:
        self._grouping = grouping
        self._lay_out()

    def _on_filter_bar_add_column_requested(self) -> None:
        command = ask_new_tag(self)
        if command is not None:
            self.hub.run(command)

    def _on_filter_bar_phrases_requested(self) -> None:
        from postmortem_desktop.services.suggestions import SetPatternExtras, pattern_extras

        from .phrases_dialog import PhrasesDialog

        if self.hub.workspace is None:
            return
        dialog = PhrasesDialog(pattern_extras(self.hub.workspace), self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            try:
                command = SetPatternExtras(dialog.extras())
            except RuleError as exc:  # a pattern the tagger cannot compile
                show_refusal(self, "Phrases not saved", exc)
                return
            self.hub.run(command)

    def _on_filter_bar_suggest_requested(self) -> None:
        workspace, incident_id = self.hub.workspace, self.hub.incident_id

        def store(command: Command) -> None:
            # for another incident, the offer of cards that follows would read the one shown now
            if self.hub.incident_id == incident_id and self.hub.run(command):
                self._offer_cards_for_suggestions()

        self._run_job("Suggesting tags…", "Suggest Tags", lambda: compute_suggestions(workspace, incident_id), store,
                      "Suggesting failed")

    def _run_job(self, label: str, title: str, steps: Callable[[], Generator[tuple[int, int], None, Command]],
                 done: Callable[[Command], None], failure: str) -> None:
        """Works out an edit on a worker behind a progress dialog with Cancel, then runs it here with `done`.

        The window stays usable meanwhile; Suggest Tags is off until the job ends, so no second job starts from
        what the first is about to change. Cancel writes nothing; neither does a job whose workspace is no longer
        the one open (its ids would land in another).
        """
        session = self.hub.session
        if session is None or self.hub.incident_id < 0 or self._worker is not None:
            return
        progress = QProgressDialog(label, "Cancel", 0, 0, self)
        progress.setWindowTitle(title)
        progress.setMinimumDuration(300)
        worker = workers.GeneratorWorker(steps)
        session.track(worker)

        def progressed(step: int, total: int) -> None:
            progress.setMaximum(max(total, 0))
            progress.setValue(step)

        worker.signals.progressed.connect(progressed)
        progress.canceled.connect(worker.cancel)

        def finish(command: Command | None = None) -> None:
            if not shiboken6.isValid(self):
                return  # the window closed while the job ran: it was cancelled, nothing to show or write
            # Cancel clicked after the worker finished, before its result arrived here: still nothing is written
            # (the worker's own flag: the dialog forgets a Cancel once its bar reaches the end)
            cancelled = worker.cancel_asked
            progress.reset()
            progress.deleteLater()
            self._worker = None
            self._enable_suggest()
            if command is not None and not cancelled and self.hub.session is session:
                done(command)
            if self._learn_again and self._worker is None:
                self._learn_timer.start()  # a decision made meanwhile teaches the suggestions now

        worker.signals.finished.connect(finish)
        worker.signals.cancelled.connect(finish)

        def failed(exc: BaseException, _tb: str) -> None:
            finish()
            if shiboken6.isValid(self):
                self.status.setText(f"{failure}: {exc}")

        worker.signals.failed.connect(failed)
        self._worker = workers.start(worker)
        self._enable_suggest()

    def _enable_suggest(self) -> None:
        enable_when_writable((self.filter_bar.suggest_button,), self.hub.workspace, also=self._worker is None)

    def _on_hub_low_confidence_hidden(self, hidden: bool) -> None:
        self.delegate.hide_low_confidence = hidden
        self.filter_bar.hide_low.setChecked(hidden)
        self._lay_out()

    # ---- learning from the person's decisions ----------------------------------------------------
    def _learn_from_decisions(self) -> None:
        """Recomputes the incident's suggestions with the decisions just made, in the background."""
        workspace, incident_id, session = self.hub.workspace, self.hub.incident_id, self.hub.session
        if workspace is None or session is None or incident_id < 0:
            return
        if not incident_uses_suggestions(workspace, incident_id):
            return  # nothing to refresh: the person never asked for suggestions here
        if self._learner is not None or self._worker is not None:
            self._learn_again = True  # one more pass once the running one (or the board's job) ends
            return
        self._learn_again = False
        worker = workers.GeneratorWorker(lambda: compute_suggestions(workspace, incident_id, learning=True))
        session.track(worker)
        self._learning_for = (session, incident_id, self._cards_added)
        # bound methods: if the board is gone when the worker ends, Qt drops the call
        worker.signals.finished.connect(self._on_learner_finished)
        worker.signals.cancelled.connect(self._on_learner_finished)
        worker.signals.failed.connect(self._on_learner_failed)
        self._learner = workers.start(worker)

    def _on_learner_finished(self, command=None) -> None:  # noqa: ANN001
        self._learner = None
        session, incident_id, cards_added = self._learning_for
        alive = shiboken6.isValid(session) and self.hub.session is session and self.hub.incident_id == incident_id
        if command is not None and alive and cards_added != self._cards_added:
            # cards were added since this pass read the incident: it learned nothing of them, so a pass that reads
            # them is run instead (storing this one would leave their chips alone: StoreSuggestions judges only
            # what it read)
            command, self._learn_again = None, True
        if command is not None and alive:
            try:
                session.refresh(command)
            except (BusyError, WorkspaceError) as exc:
                # an import began meanwhile, a teammate's edit met this store on the same rows, or the server went
                # away: nothing was stored, and the next decision tries again
                self.status.setText(f"Suggestions not updated: {exc}")
            else:
                if command.stale:
                    # the incident's suggestions were stored again (a teammate's pass, a Suggest Tags or its undo)
                    # after this pass read them: it stored nothing, and a pass that reads them now is run instead
                    self._learn_again = True
                else:
                    self.suggestions_learned.emit(command.stored)
        if self._learn_again and alive:
            self._learn_timer.start()

    def _on_learner_failed(self, exc: BaseException, _traceback: str) -> None:
        self._on_learner_finished()
        self.status.setText(f"Suggesting failed: {exc}")

    def _offer_cards_for_suggestions(self) -> None:
        """Imported tickets have no cards; offer the ones the tagger flagged as whole-conversation cards."""
        workspace, incident_id = self.hub.workspace, self.hub.incident_id
        if workspace is None or is_read_only(workspace) or self._worker is not None:
            return
        candidates = uncarded_conversations_with_suggestions(workspace, incident_id, limit=ADD_CARDS_AT_ONCE + 1)
        if not candidates:
            return
        if len(candidates) > ADD_CARDS_AT_ONCE:  # an import of thousands: the first ones, saying so
            candidates = candidates[:ADD_CARDS_AT_ONCE]
            question = (f"More than {ADD_CARDS_AT_ONCE} conversations have suggested tags but no card yet. Put the "
                        f"first {ADD_CARDS_AT_ONCE} on the board as whole-conversation cards, to sort and quote from? "
                        "Suggest Tags offers the next ones once these are on the board.")
        else:
            question = (f"{counted(len(candidates), 'conversation')} {'has' if len(candidates) == 1 else 'have'} "
                        "suggested tags but no card yet. Put them on the board as whole-conversation cards, to sort "
                        "and quote from?")
        answer = QMessageBox.question(self, "Add Cards", question,
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.Yes)
        if answer == QMessageBox.StandardButton.Yes:
            self._add_cards(candidates)

    def _put_on_board(self, conversation_ids: list[int]) -> None:
        """The Conversations window's Put on Board: the same job as Add Cards, or why not now."""
        if self._worker is not None:
            QMessageBox.information(self.conversations_dialog or self, "Put on Board",
                                    "Cards are being worked out for this board now. Put these on it once those are "
                                    "in (the progress bar is gone).")
            return
        self._add_cards(conversation_ids)

    def _add_cards(self, conversation_ids: list[int]) -> None:
        """Reads the conversations and runs the tagger on a worker (seconds for 500), then writes every card in one
        short step here: one undo step, whose cards their learning pass does not take back. The cards go to their
        incident even when the person has gone to another meanwhile: they asked for them."""
        workspace, incident_id = self.hub.workspace, self.hub.incident_id

        def write(command: Command) -> None:
            if self.hub.run(command):
                self._cards_added += 1

        self._run_job("Adding cards…", "Add Cards",
                      lambda: prepare_whole_cards(workspace, incident_id, conversation_ids), write,
                      "Adding cards failed")

    # ---- edits ----------------------------------------------------------------------------------
    def run_local(self, command: Command, *, dropped: bool = False) -> bool:
        """Runs an edit made on this board; only the cards it touched are re-read afterwards.

        A tag edit is made from the columns its cards show here, so a teammate's change since is not
        overwritten: a drop then shows the card where it really is, other edits ask keep mine or take theirs.
        """
        if is_read_only(self.hub.workspace):
            return False  # a drop, a key or a menu changes nothing, as the hint says; no refusal box per key press
        quote_ids = getattr(command, "quote_ids", None)
        self._local_ids = set(quote_ids) if quote_ids and not isinstance(command, DeleteQuote) else None
        if isinstance(command, (CardTagEdit, DeleteQuote)):
            command.made_from(self._shown_columns(command.quote_ids))
        done = self.hub.run(command, initiator=self,
                            on_conflict=lambda conflict: self._on_card_conflict(command, conflict, dropped))
        if done and isinstance(command, DECISIONS):
            self._learn_timer.start()
        return done

    def _shown_columns(self, quote_ids: tuple[int, ...]) -> dict[int, tuple[int, ...]]:
        rows = {quote_id: self.model.row_of(quote_id) for quote_id in quote_ids}
        return {quote_id: self.model.card(row).tag_ids for quote_id, row in rows.items() if row >= 0}

    def _on_card_conflict(self, command: Command, conflict: EditConflict, dropped: bool) -> None:
        self._local_ids = None
        self.reload()  # the cards as they are stored now: theirs
        first = command.quote_ids[0] if isinstance(command, (CardTagEdit, DeleteQuote)) else None
        if first is not None:
            self.grid.reveal_card(first)
        if isinstance(command, DeleteQuote):
            if ask_keep_mine(self, cards_word(conflict.theirs).capitalize(), "deleted",
                             columns_text(conflict.theirs), conflict.by):
                self.run_local(command)  # deleted as they are now, since the person chose so
        elif dropped:
            self.drop_notice = show_drop_refused(self, conflict)
        elif ask_keep_mine(self, cards_word(conflict.theirs).capitalize(), columns_text(conflict.yours),
                           columns_text(conflict.theirs), conflict.by):
            self.run_local(command)  # made again from the columns shown now

    def _on_hub_workspace_changed(self, changes: DataChange, incident_id: int, initiator: object) -> None:
        if not changes & BOARD_DATA or not self.hub.shows(incident_id):
            return
        if isinstance(initiator, UndoStep) and isinstance(initiator.command, DECISIONS):
            self._learn_timer.start()  # a decision taken back (or made again) teaches the suggestions as one made
        elif isinstance(initiator, UndoStep) and isinstance(initiator.command, StoreSuggestions) and initiator.undone:
            self._learn_timer.stop()  # Suggest Tags taken back: no pass is due (one running stores nothing)
            self._learn_again = False
        elif isinstance(initiator, UndoStep) and isinstance(initiator.command, QuoteWholeConversations) \
                and not initiator.undone:
            self._cards_added += 1  # Add Cards redone: a learning pass under way read the board without them
        local_ids, self._local_ids = (self._local_ids if initiator is self else None), None
        if local_ids is not None and self.isVisible() and not self._dirty:
            self.refresh_cards(local_ids)  # its own edit: only the cards it touched
        elif (initiator is None or isinstance(initiator, UndoStep)) and self.isVisible() and not self._dirty:
            # Undo or redo, or cards the app added (Add Cards): they may land in a column off screen; show where.
            before = {c.quote_id: c.tag_ids for c in self.model.cards}
            self.reload()
            moved = [c.quote_id for c in self.model.cards if before.get(c.quote_id, c.tag_ids) != c.tag_ids
                     or c.quote_id not in before]
            if moved:
                self.grid.reveal_card(moved[0])
        else:
            self._mark_dirty()

    def _on_grid_cards_dropped(self, quote_ids: list, from_tag, to_tag, copy: bool) -> None:  # noqa: ANN001
        if (from_tag == to_tag and not copy) or (copy and to_tag is None):  # a copy into Unsorted adds nothing
            return
        name = next((t.name for t in self.tags if t.id == to_tag), "Unsorted")
        if to_tag is None:
            # a card lands where it is dropped: in Unsorted, so every column's tag goes, not only the one it was
            # dragged from (a card in two columns stayed in the other, yet its history said "Move to Unsorted")
            command: Command = ClearCardTags(self.hub.incident_id, quote_ids)
        elif copy:
            command = AssignTag(self.hub.incident_id, quote_ids, to_tag, name)
        else:
            command = MoveCardTag(self.hub.incident_id, quote_ids, from_tag, to_tag, name)
        # After the drag has finished: changing the views inside QDrag's own event loop is fragile.
        QTimer.singleShot(0, lambda: self._drop(command, quote_ids, to_tag))

    def _drop(self, command: Command, quote_ids: list, to_tag: int | None) -> None:
        """Runs a drop's edit, then shows and selects the moved card where it landed (often below the fold)."""
        if self.run_local(command, dropped=True) and quote_ids:
            self.grid.reveal_card(quote_ids[0], to_tag)

    def _on_grid_card_key_pressed(self, key: int) -> None:
        view = self._focused_view()
        cards = self.selected_cards()
        if view is None or not cards:
            return
        number = key - Qt.Key.Key_0
        row = min(i.row() for i in view.selectionModel().selectedRows())
        command = self._key_command(key, number, cards)
        if command is not None and self.run_local(command):
            self._select_row_after_edit(view, row)

    def _key_command(self, key: int, number: int, cards: list[BoardCard]) -> Command | None:
        incident_id, first = self.hub.incident_id, cards[0]
        ids = [c.quote_id for c in cards]
        if 1 <= number <= 9:
            if number > len(self.tags):
                return None
            tag = self.tags[number - 1]
            return AssignTag(incident_id, ids, tag.id, tag.name)
        if key == Qt.Key.Key_Delete:
            return DeleteQuote(incident_id, ids)
        shown = first.shown_suggestions(self.hub.hide_low_confidence)
        if not shown:
            return None
        ghost = shown[0]
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            return AcceptSuggestion(incident_id, first.quote_id, ghost.tag_id, ghost.name)
        if key == Qt.Key.Key_Backspace:
            return DismissSuggestion(incident_id, first.quote_id, ghost.tag_id, ghost.name)
        return None

    def _select_row_after_edit(self, view: CardListView, row: int) -> None:
        """Keeps triage flowing: when the card left this cell, the next one is selected."""
        count = view.model().rowCount()
        if view.selectionModel().hasSelection() or count == 0:
            return
        index = view.model().index(min(row, count - 1), 0)
        view.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        view.setFocus()

    def _on_delegate_suggestion_clicked(self, quote_id: int, tag_id: int, accept: bool) -> None:
        name = next((t.name for t in self.tags if t.id == tag_id), "")
        cls = AcceptSuggestion if accept else DismissSuggestion
        self.run_local(cls(self.hub.incident_id, quote_id, tag_id, name))

    def _on_grid_column_menu_requested(self, tag_id, pos: QPoint) -> None:  # noqa: ANN001
        if is_read_only(self.hub.workspace):
            return  # every entry edits a column
        tag = next((t for t in self.tags if t.id == tag_id), None)
        command = column_menu_command(self, tag, self.tags, pos)
        if isinstance(command, RenameTag):
            self.rename_column(command)
        elif command is not None:
            self.hub.run(command, on_conflict=self._on_column_conflict)

    def _on_column_conflict(self, conflict: EditConflict) -> None:
        """A column edit made from a board a teammate changed since (their reorder, their colour): the columns as
        they are stored now, then why nothing was done."""
        self.reload()
        show_refusal(self, "Changed by someone else", conflict)

    def rename_column(self, rename: RenameTag) -> bool:
        """A rename made from the name the board showed; a teammate's rename since offers both names."""
        def ask_again_later() -> None:  # the name typed comes back in the same box, still made from the one seen
            name, ok = QInputDialog.getText(self, "Rename Column", "New name:", text=rename.value)
            if ok and name.strip():
                self.rename_column(RenameTag(rename.tag_id, name, shown_name=rename.shown))

        return run_or_offer_both(self.hub, self, rename, "This column's name", rename.value, str,
                                 lambda theirs: RenameTag(rename.tag_id, rename.value, shown_name=str(theirs)),
                                 self.reload, ask_again_later)

    def _on_grid_card_menu_requested(self, view: CardListView, pos: QPoint) -> None:
        chosen = card_menu_command(self, self.hub.incident_id, self.selected_cards(), self.tags, pos)
        if chosen == "open":
            self._on_grid_card_clicked(self.selected_cards()[0])
        elif isinstance(chosen, Command):
            self.run_local(chosen)

    # ---- selection ------------------------------------------------------------------------------
    def _focused_view(self) -> CardListView | None:
        return next((v for v in self.grid.all_views() if v.selectionModel().hasSelection()), None)

    def selected_cards(self) -> list[BoardCard]:
        view = self._focused_view()
        if view is None:
            return []
        return [self.model.card(self.model.row_of(q)) for q in view.selected_quote_ids()]

    def _on_grid_selection_changed(self, view: CardListView) -> None:
        if self._syncing_selection:
            return
        self._syncing_selection = True
        try:
            if view.selectionModel().hasSelection():
                for other in self.grid.all_views():  # one selection on the whole board
                    if other is not view:
                        other.clearSelection()
            focused = self._focused_view()
            ids = focused.selected_quote_ids() if focused else []
        finally:
            self._syncing_selection = False
        if ids != self.hub.selected_quote_ids:
            self.hub.selected_quote_ids = ids
            self.hub.quotes_selected.emit(ids)

    def _on_grid_card_clicked(self, card: BoardCard | None) -> None:
        if card is not None:
            self.hub.conversation_requested.emit(card.conversation_id, card.message_id or -1)
