"""The conversation reader dock: messages with author, role and time; select text and press Q to quote."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPoint, QSize, Qt, Signal
from PySide6.QtGui import QAction, QColor, QFont, QKeySequence, QShortcut, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QLabel,
    QMenu,
    QPushButton,
    QTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from postmortem_desktop.domain.changes import DataChange
from postmortem_desktop.domain.contrast import contrast_ratio, readable_on
from postmortem_desktop.domain.quote_span import snap_to_words
from postmortem_desktop.domain.vocabulary import Role
from postmortem_desktop.services.commands import RuleError
from postmortem_desktop.services.quotes import (
    ConversationView,
    CorrectAuthorRole,
    CreateQuote,
    read_conversation,
    shown_suggestions,
)
from postmortem_desktop.storage.errors import WorkspaceError, server_is_away

from ..board.suggestion_text import suggestion_line
from ..button_row import ButtonRow
from ..conflict_dialog import run_or_offer_both
from ..hub import ScreenHub
from ..text_offsets import index_to_utf16, utf16_to_index
from ..time_display import display_zone

QUOTE_HIGHLIGHT = QColor("#FFE08A")
ROLE_COLORS = {"customer": QColor("#0B5394"), "agent": QColor("#38761D"), "internal": QColor("#7F6000")}
# the same hues, light enough to read on a dark background
ROLE_COLORS_DARK = {"customer": QColor("#8DC3F2"), "agent": QColor("#9AD58A"), "internal": QColor("#E8C766")}
NOTHING_SHOWN = "Click a card on the board or an event on the timeline to read its conversation."
NOT_READ_SERVER_AWAY = ("Could not read this conversation: the team server is not answering. It is shown again when "
                        "the server answers; select it again to retry.")
NOT_READ = "Could not read this conversation: {reason} Select it again to retry."


def role_color(role: str, background: QColor, fallback: QColor) -> QColor:
    """The colour of an author's name for the role, readable (WCAG AA) on the reader's background."""
    variants = [colors[role] for colors in (ROLE_COLORS, ROLE_COLORS_DARK) if role in colors]
    if not variants:
        return fallback
    base = background.name()
    chosen = max(variants, key=lambda colour: contrast_ratio(colour.name(), base))
    return QColor(readable_on(chosen.name(), base))


@dataclass(frozen=True)
class MessageSpan:
    """Where a message's text sits in the reader's document (UTF-16 positions, as Qt counts)."""

    message_id: int
    author: str
    header: int
    start: int
    end: int
    text: str


class ConversationReaderWidget(QWidget):
    #: a quote card was made here (its quote id)
    quote_created = Signal(int)

    def __init__(self, hub: ScreenHub, parent=None):  # noqa: ANN001
        super().__init__(parent)
        self.hub = hub
        self.setObjectName("conversation_reader")
        self.conversation: ConversationView | None = None
        self.spans: list[MessageSpan] = []
        #: a conversation asked for whose read failed: (its id, the message to scroll to, the incident shown when
        #: it was asked for); read again at the next change heard (the server's return re-reads every screen)
        self.unread: tuple[int, int, int] | None = None
        self.header = QLabel(NOTHING_SHOWN, self)
        self.header.setWordWrap(True)
        self.header.setTextFormat(Qt.TextFormat.PlainText)
        self.header.setContentsMargins(6, 6, 6, 2)
        self.text = QTextEdit(self)
        self.text.setReadOnly(True)
        self.text.setObjectName("reader_text")
        self.text.setAccessibleName("Conversation messages")
        self.text.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                          | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        font = QFont(self.text.font())
        font.setPointSizeF(max(font.pointSizeF(), 12.0))
        self.text.setFont(font)
        self.quote_button = QPushButton("Make Quote (Q)", self)
        self.whole_button = QPushButton("Whole Conversation", self)
        self.whole_button.setToolTip("Put the whole conversation on the board as one card")
        self.roles_button = QToolButton(self)
        self.roles_button.setText("Roles")
        self.roles_button.setToolTip("Correct who is a customer, an agent or internal")
        self.roles_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.roles_menu = QMenu(self.roles_button)
        self.roles_button.setMenu(self.roles_menu)
        buttons = ButtonRow((self.quote_button, self.whole_button, self.roles_button), self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.header)
        layout.addWidget(buttons)
        layout.addWidget(self.text, 1)
        self.quote_shortcut = QShortcut(QKeySequence("Q"), self, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.quote_shortcut.activated.connect(self.make_quote_from_selection)
        self.quote_button.clicked.connect(self.make_quote_from_selection)
        self.whole_button.clicked.connect(self._on_whole_button_clicked)
        self.text.customContextMenuRequested.connect(self._on_text_context_menu)
        self.roles_menu.aboutToShow.connect(self._fill_roles_menu)
        hub.conversation_requested.connect(self._on_hub_conversation_requested)
        hub.workspace_changed.connect(self._on_hub_workspace_changed)
        hub.session_changed.connect(lambda: self.show_conversation(None))
        hub.incident_changed.connect(self._on_hub_incident_changed)
        hub.low_confidence_hidden.connect(lambda _hidden: self._on_hub_workspace_changed(DataChange.TAG, -1, None))
        self._update_buttons()

    def sizeHint(self):  # noqa: ANN201
        return QSize(420, 600)

    # ---- showing ---------------------------------------------------------------------------------
    def show_conversation(self, conversation_id: int | None, message_id: int = -1) -> None:
        """Shows the conversation; when it cannot be read, none: what was shown before is another conversation, and
        its messages under this one's selection would be read (and quoted) as this one's."""
        self.unread = None
        self.header.setToolTip("")
        if conversation_id is None or self.hub.workspace is None:
            self._show_nothing(NOTHING_SHOWN)
            return
        try:
            conversation = read_conversation(self.hub.workspace, conversation_id)
        except RuleError:
            self.show_conversation(None)
            return
        except WorkspaceError as exc:  # the team server away, or another failed read: said here, not in a dialog
            self._show_not_read(conversation_id, message_id, exc)
            return
        self._show(conversation, message_id)

    def _show(self, conversation: ConversationView, message_id: int) -> None:
        self.conversation = conversation
        self.header.setText(self._header_text(conversation))
        self._render()
        self._update_buttons()
        if message_id >= 0:
            self.scroll_to_message(message_id)

    def _show_nothing(self, words: str) -> None:
        self.conversation, self.spans = None, []
        self.text.clear()
        self.header.setText(words)
        self._update_buttons()

    def _show_not_read(self, conversation_id: int, message_id: int, exc: WorkspaceError) -> None:
        self._show_nothing(NOT_READ_SERVER_AWAY if server_is_away(exc) else NOT_READ.format(reason=exc))
        self.header.setToolTip(str(exc))  # the server's own words, for whoever wants the details
        self.unread = (conversation_id, message_id, self.hub.incident_id)

    def _header_text(self, conv: ConversationView) -> str:
        first = " · ".join(p for p in (conv.external_id, conv.channel, conv.customer, conv.segment) if p)
        lines = [conv.subject or "(no subject)", first]
        if conv.customer_task or conv.symptom:
            lines.append(" · ".join(p for p in (f"Task: {conv.customer_task}" if conv.customer_task else "",
                                                f"Symptom: {conv.symptom}" if conv.symptom else "") if p))
        if conv.pre_existing:
            lines.append("Pre-existing: older confusion, not incident damage")
        return "\n".join(lines)

    def _render(self) -> None:
        conv = self.conversation
        if conv is None:  # shown only once a conversation is loaded
            return
        zone = display_zone(self.hub.zone_name)
        self.text.clear()
        cursor = QTextCursor(self.text.document())
        self.spans = []
        for n, message in enumerate(conv.messages):
            if n:
                cursor.insertBlock()
                cursor.insertBlock()
            header_at = cursor.position()
            when = message.at.astimezone(zone).strftime("%b %d %H:%M") if message.at else ""
            head = QTextCharFormat()
            head.setFontWeight(QFont.Weight.Bold)
            head.setForeground(self._role_color(message.role))
            cursor.insertText(f"{message.author or 'unknown'} · {message.role} · {when}", head)
            cursor.insertBlock()
            start = cursor.position()
            cursor.insertText(message.text, QTextCharFormat())
            self.spans.append(MessageSpan(message.id, message.author, header_at, start, cursor.position(),
                                          message.text))
            self._insert_suggestions(cursor, message.suggestions)
        self._highlight_quotes()
        self.text.moveCursor(QTextCursor.MoveOperation.Start)

    def _insert_suggestions(self, cursor: QTextCursor, suggestions) -> None:  # noqa: ANN001
        """Below a message: the tags suggested for it, each with its reason and how sure."""
        shown = shown_suggestions(suggestions, self.hub.hide_low_confidence)
        if not shown:
            return
        note = QTextCharFormat()  # no colour of its own: the text colour of the theme in force when painted
        note.setFontItalic(True)
        note.setFontPointSize(max(self.text.font().pointSizeF() - 1.5, 8.0))
        for suggestion in shown:
            cursor.insertBlock()
            cursor.insertText(f"Suggested {suggestion_line(suggestion)}", note)

    def changeEvent(self, event) -> None:  # noqa: ANN001
        """Follows the app's theme live: the authors' colours are chosen for a light or a dark page."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self.conversation is not None:
            scrolled = self.text.verticalScrollBar().value()
            self._render()
            self.text.verticalScrollBar().setValue(scrolled)

    def _role_color(self, role: str) -> QColor:
        # the reader's own palette: on a theme change it is new before the text field's (its child) is
        palette = self.palette()
        return role_color(role, palette.color(self.text.viewport().backgroundRole()),
                          palette.color(self.text.foregroundRole()))

    def _highlight_quotes(self) -> None:
        if self.conversation is None:
            return
        marked = QTextCharFormat()
        marked.setBackground(QUOTE_HIGHLIGHT)
        marked.setForeground(QColor("#000000"))
        by_id = {s.message_id: s for s in self.spans}
        for quote in self.conversation.quotes:
            span = by_id.get(quote.message_id) if quote.message_id is not None else None
            if span is None:
                continue
            cursor = QTextCursor(self.text.document())
            cursor.setPosition(span.start + index_to_utf16(span.text, quote.start))
            cursor.setPosition(span.start + index_to_utf16(span.text, quote.end), QTextCursor.MoveMode.KeepAnchor)
            cursor.mergeCharFormat(marked)

    def scroll_to_message(self, message_id: int) -> None:
        span = next((s for s in self.spans if s.message_id == message_id), None)
        if span is None:
            return
        block = self.text.document().findBlock(span.header)
        top = self.text.document().documentLayout().blockBoundingRect(block).top()
        self.text.verticalScrollBar().setValue(int(top))

    def _update_buttons(self) -> None:
        writable = self.hub.workspace is not None and not self.hub.workspace.read_only
        has = self.conversation is not None
        for widget in (self.quote_button, self.whole_button, self.roles_button):
            widget.setEnabled(has and writable)

    # ---- quoting ---------------------------------------------------------------------------------
    def selected_span(self) -> tuple[int, int, int] | None:
        """(message id, start, end) of the selection in Python indexes, clipped to one message and widened
    to whole words; None when it holds no word."""
        cursor = self.text.textCursor()
        if not cursor.hasSelection():
            return None
        begin, finish = cursor.selectionStart(), cursor.selectionEnd()
        span = next((s for s in self.spans if s.start <= begin < s.end), None)
        if span is None:  # started on a header: use the message the selection reaches into
            span = next((s for s in self.spans if begin < s.start < finish), None)
            if span is None:
                return None
            begin = span.start
        finish = min(finish, span.end)
        # a quote is whole words, however precisely the pointer was dragged
        start, end = snap_to_words(span.text, utf16_to_index(span.text, begin - span.start),
                                   utf16_to_index(span.text, finish - span.start))
        return (span.message_id, start, end) if end > start else None

    def make_quote_from_selection(self) -> None:
        selected = self.selected_span()
        if self.conversation is None or selected is None:
            return
        message_id, start, end = selected
        self._run_create(CreateQuote(self.conversation.incident_id, self.conversation.id, message_id, start, end))

    def _on_whole_button_clicked(self) -> None:
        if self.conversation is not None:
            self._run_create(CreateQuote(self.conversation.incident_id, self.conversation.id))

    def _run_create(self, command: CreateQuote) -> None:
        if self.hub.run(command):
            self.quote_created.emit(command.quote_id)

    # ---- roles and menus ------------------------------------------------------------------------
    def _fill_roles_menu(self) -> None:
        self.roles_menu.clear()
        if self.conversation is None:
            return
        roles: dict[str, str] = {}
        for message in self.conversation.messages:
            roles.setdefault(message.author, message.role)
        for author, role in roles.items():
            self._add_role_submenu(self.roles_menu, author, role)

    def _add_role_submenu(self, menu: QMenu, author: str, current: str) -> None:
        conversation = self.conversation
        if conversation is None:
            return
        # the roles as this menu shows them: a teammate's correction arriving while it is open re-reads the reader,
        # not the open menu, and a choice made in it is made from what it showed
        shown = {message.id: message.role for message in conversation.messages if message.author == author}
        sub = menu.addMenu(f"{author or 'unknown'} ({current})")
        for role in Role:
            action = sub.addAction(role.value.capitalize())
            action.setCheckable(True)
            action.setChecked(role.value == current)
            action.triggered.connect(
                lambda _c=False, a=author, r=role.value, s=shown, c=conversation: self._set_role(c, a, r, s))

    def _set_role(self, conversation: ConversationView, author: str, role: str, shown: dict[int, str]) -> None:
        """Corrects an author's role, made from the roles the menu showed: a teammate's correction since offers both
        (Keep mine marks the author again, over theirs; Take theirs shows theirs). A menu choice has nowhere to
        wait, so there is no Decide later."""

        def correction(made_from: Mapping[int, str | None]) -> CorrectAuthorRole:
            return CorrectAuthorRole(conversation.incident_id, conversation.id, author, role,
                                     shown={key: value for key, value in made_from.items() if value is not None})

        run_or_offer_both(self.hub, self, correction(shown), f"The role of {author or 'this author'}", role,
                          _described_roles, correction, self._reread_shown, can_wait=False)

    def _on_text_context_menu(self, pos: QPoint) -> None:
        menu = self.text.createStandardContextMenu(pos)
        make = QAction("Make Quote\tQ", menu)
        make.setEnabled(self.selected_span() is not None and self.quote_button.isEnabled())
        make.triggered.connect(self.make_quote_from_selection)
        if menu.actions():
            menu.insertAction(menu.actions()[0], make)
        else:
            menu.addAction(make)
        position = self.text.cursorForPosition(pos).position()
        span = next((s for s in self.spans if s.header <= position <= s.end), None)
        if span is not None and self.quote_button.isEnabled() and self.conversation is not None:
            role = next(m.role for m in self.conversation.messages if m.id == span.message_id)
            self._add_role_submenu(menu, span.author, role)
        menu.exec(self.text.viewport().mapToGlobal(pos))
        menu.deleteLater()

    # ---- hub ------------------------------------------------------------------------------------
    def _on_hub_conversation_requested(self, conversation_id: int, message_id: int) -> None:
        self.show_conversation(conversation_id, message_id)
        dock = self.parentWidget()
        if dock is not None and hasattr(dock, "raise_") and not self.isVisible():
            dock.show()
            dock.raise_()

    def _on_hub_workspace_changed(self, changes: DataChange, incident_id: int, _initiator: object) -> None:
        if self.unread is not None:  # heard from the server (its return re-reads everything): read it again
            conversation_id, message_id, _incident = self.unread
            self.show_conversation(conversation_id, message_id)
            return
        shown = DataChange.CONVERSATION | DataChange.QUOTE | DataChange.TAG | DataChange.INCIDENT | DataChange.SETTING
        if self.conversation is None or not changes & shown or incident_id not in (-1, self.conversation.incident_id):
            return
        self._reread_shown()

    def _reread_shown(self) -> None:
        """The conversation shown, read again where it was scrolled to (nothing when it is gone)."""
        if self.conversation is None:
            return
        if self.hub.workspace is None:
            self.show_conversation(None)
            return
        value = self.text.verticalScrollBar().value()
        try:
            conversation = read_conversation(self.hub.workspace, self.conversation.id)
        except RuleError:  # a teammate deleted it, or undid its import
            self.show_conversation(None)
            return
        # any other failure is raised with the shown conversation kept: it is still the one selected, only not
        # re-read, as the other screens keep theirs, and a background re-read's handler says why
        # (ui/errors.rereads_in_background)
        self._show(conversation, -1)
        self.text.verticalScrollBar().setValue(value)

    def _on_hub_incident_changed(self, incident_id: int) -> None:
        if self.conversation is not None:
            of_incident = self.conversation.incident_id
        elif self.unread is not None:  # asked for and not read: one of the incident shown then
            of_incident = self.unread[2]
        else:
            return
        if of_incident != incident_id:
            self.show_conversation(None)


def _described_roles(roles: Mapping[int, str | None]) -> str:
    """An author's roles as the conflict dialog says them: one role, or each of the roles their messages have now."""
    return ", ".join(sorted({role for role in roles.values() if role is not None})) or "no messages any more"
