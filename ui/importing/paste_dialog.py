"""The paste/drop dialog: the parsed conversation, its channel and customer, and roles per author."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from postmortem_desktop.domain.counting import counted
from postmortem_desktop.domain.vocabulary import Channel, Role
from postmortem_desktop.importers.records import ParsedTranscript
from postmortem_desktop.services.conversations import NewConversation
from postmortem_desktop.services.paste_preview import PastePreview, preview_paste

from ..screen_size import fit_to_screen
from ..time_display import display_zone

FORMAT_NAMES = {"slack": "Slack copy", "slack-markdown": "Slack (Markdown copy)", "teams": "Microsoft Teams",
                "zendesk-chat": "Zendesk Chat", "intercom": "Intercom", "whatsapp": "WhatsApp/Signal-style chat",
                "zoom": "Zoom chat", "email": "Email thread", "plain": "Name: text lines",
                "irc": "IRC log", "discord": "Discord export", "telegram": "Telegram export",
                "telegram-bot": "Telegram Bot API messages", "messenger": "Messenger export",
                "mattermost": "Mattermost posts", "rocketchat": "Rocket.Chat messages", "slack-export": "Slack export",
                "mbox": "Mailbox (mbox)", "unknown": "Not recognised: kept as one message"}
CHANNEL_FOR_FORMAT = {"email": "email", "mbox": "email", "unknown": "ticket"}


class MessagePreviewModel(QAbstractTableModel):
    HEADERS = ("Time", "Author", "Role", "Text")

    def __init__(self, transcript: ParsedTranscript, zone_name: str, parent=None):  # noqa: ANN001
        super().__init__(parent)
        self._messages = transcript.messages
        self._zone = display_zone(zone_name)
        self.roles: dict[str, str] = {}

    def set_roles(self, roles: dict[str, str]) -> None:
        self.roles = dict(roles)
        if self._messages:
            self.dataChanged.emit(self.index(0, 2), self.index(len(self._messages) - 1, 2))

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._messages)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 4

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or not index.isValid():
            return None
        m = self._messages[index.row()]
        col = index.column()
        if col == 0:
            return m.at.astimezone(self._zone).strftime("%Y-%m-%d %H:%M") if m.at else "—"
        if col == 1:
            return m.author or "(unknown)"
        if col == 2:
            return self.roles.get(m.author, m.role)
        return m.text if len(m.text) < 400 else m.text[:400] + "…"


# Below this screen width the form and the message preview stack instead of sitting side by side.
_SIDE_BY_SIDE_WIDTH = 1500


#: the widest an Author or Role column gets: the message text takes the rest of the preview
_SHORT_COLUMN_MAX_PX = 200


class PasteConversationDialog(QDialog):
    def __init__(self, transcript: ParsedTranscript, zone_name: str, source_name: str = "", parent=None,  # noqa: ANN001
                 review_window: tuple[datetime | None, datetime | None] = (None, None),
                 preview: PastePreview | None = None):
        """`preview` is worked out on the worker that parsed the text (a huge paste takes a second or more)."""
        super().__init__(parent)
        self.transcript = transcript
        self.facts = preview or preview_paste(transcript, review_window)
        #: why this cannot be added (too many messages), said before Add rather than after; "" when it can
        self.limit_problem = self.facts.refusal or ""
        self.source_name = source_name
        self.zone_name = zone_name
        self.setWindowTitle("Add Conversation")
        self.resize(fit_to_screen(self, 1200, 680))
        self.channel = QComboBox(self)
        for channel in Channel:
            self.channel.addItem(channel.value.capitalize(), channel.value)
        self.channel.setCurrentIndex(self.channel.findData(CHANNEL_FOR_FORMAT.get(transcript.format, "chat")))
        self.subject = QLineEdit(self)
        self.customer = QLineEdit(self)
        self.customer.setText(self.facts.main_customer)
        self.email = QLineEdit(self)
        self.email.setPlaceholderText("optional, e.g. dana@example.com")
        self.pre_existing = QCheckBox("Pre-existing confusion (predates the incident)", self)
        self.preview = MessagePreviewModel(transcript, zone_name, self)
        self.roles_table = self._roles_table()
        view = QTableView(self)
        view.setModel(self.preview)
        view.verticalHeader().hide()
        header = view.horizontalHeader()
        for column in (0, 1, 2):  # time, author and role are short: shown whole, the text takes the rest
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        header.setMaximumSectionSize(_SHORT_COLUMN_MAX_PX)  # a long author name must not squeeze the text
        header.setStretchLastSection(True)
        self.messages_view = view
        view.setWordWrap(True)
        header.setResizeContentsPrecision(200)  # a 50 MB paste: measure a sample of rows, not all of them
        form = QFormLayout()
        form.addRow("Recognised as", QLabel(f"<b>{FORMAT_NAMES.get(transcript.format, transcript.format)}</b> · "
                                            f"{counted(len(transcript.messages), 'message')}", self))
        if transcript.decoding_notice:  # some bytes of the file were not UTF-8: say which lines
            notice = QLabel(transcript.decoding_notice, self)
            notice.setObjectName("decoding_notice")
            notice.setWordWrap(True)
            form.addRow("Text", notice)
        form.addRow("&Channel", self.channel)
        form.addRow("&Subject", self.subject)
        form.addRow("C&ustomer", self.customer)
        form.addRow("&Email", self.email)
        form.addRow("", self.pre_existing)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(form)
        left_layout.addWidget(QLabel("Roles (correct them here, for every message of that author):", left))
        left_layout.addWidget(self.roles_table, 1)
        splitter = QSplitter(self)
        splitter.addWidget(left)
        splitter.addWidget(view)
        splitter.setStretchFactor(1, 1)  # the messages take what the dialog grows by
        screen = self.screen()
        if screen is not None and screen.availableGeometry().width() < _SIDE_BY_SIDE_WIDTH:
            # a projector-sized screen: the messages below the form, so their text gets the full width
            splitter.setOrientation(Qt.Orientation.Vertical)
            splitter.setSizes([350, 270])
        else:
            splitter.setSizes([400, 800])
        #: said before adding: messages outside the incident's review window never show on its timeline
        self.window_warning = QLabel(self)
        self.window_warning.setObjectName("field_problem")
        self.window_warning.setWordWrap(True)
        self._warn_outside(review_window)
        self.limit_label = QLabel(f"⚠ {self.limit_problem}", self)
        self.limit_label.setObjectName("field_problem")
        self.limit_label.setWordWrap(True)
        self.limit_label.setVisible(bool(self.limit_problem))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Add Conversation")
        buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(transcript.messages)
                                                                      and not self.limit_problem)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.window_warning)
        layout.addWidget(self.limit_label)
        layout.addWidget(buttons)

    def _warn_outside(self, review_window: tuple[datetime | None, datetime | None]) -> None:
        start, end = review_window
        facts = self.facts
        outside = facts.outside
        self.window_warning.setVisible(bool(outside))
        if not outside:
            return
        zone = display_zone(self.zone_name)

        def day(value: datetime | None) -> str:
            return value.astimezone(zone).strftime("%Y-%m-%d %H:%M") if value else "open"

        dated = f"{day(facts.earliest)} – {day(facts.latest)}"
        span = f"the review window ({day(start)} – {day(end)}, {self.zone_name})"
        if outside == facts.dated:
            self.window_warning.setText(
                f"⚠ Every message ({dated}) is outside {span}: this conversation will not show on the timeline "
                "or count in the customer impact. Check it belongs to this incident, or widen the review window "
                "in Properties.")
        else:
            self.window_warning.setText(
                f"⚠ {counted(outside, 'message')} of {facts.dated:,} ({dated}) fall outside {span}: those do not "
                "show on the timeline or count in the customer impact.")

    def showEvent(self, event) -> None:  # noqa: ANN001
        super().showEvent(event)
        self._beside_the_reader()

    def _beside_the_reader(self) -> None:
        """Over the main window's centre, not its docks: the Conversation reader stays in sight while the
        chat is checked (where the window leaves room for it)."""
        from PySide6.QtWidgets import QMainWindow

        window = self.parentWidget()
        central = window.centralWidget() if isinstance(window, QMainWindow) else None
        screen = self.screen()
        if central is None or screen is None:
            return
        area = central.rect().translated(central.mapToGlobal(central.rect().topLeft()))
        free = screen.availableGeometry()
        frame = self.frameGeometry()
        x = max(free.left(), min(area.center().x() - frame.width() // 2, free.right() - frame.width()))
        y = max(free.top(), min(area.center().y() - frame.height() // 2, free.bottom() - frame.height()))
        self.move(x, y)

    def _roles_table(self) -> QTableWidget:
        authors = self.facts.authors
        table = QTableWidget(len(authors), 2, self)
        table.setObjectName("author_roles")
        table.setHorizontalHeaderLabels(["Author", "Role"])
        table.verticalHeader().hide()
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        # the role box keeps its whole word ("customer") in every theme's font size
        table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.role_boxes: dict[str, QComboBox] = {}
        for row, (author, first_role) in enumerate(authors):
            item = QTableWidgetItem(author or "(unknown)")
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            table.setItem(row, 0, item)
            box = QComboBox(table)
            for role in Role:
                box.addItem(role.value, role.value)
            box.setCurrentIndex(max(0, box.findData(first_role)))
            box.currentIndexChanged.connect(self._on_role_box_changed)
            table.setCellWidget(row, 1, box)
            self.role_boxes[author] = box
        return table

    def _on_role_box_changed(self, _index: int) -> None:
        self.preview.set_roles(self.roles())

    def roles(self) -> dict[str, str]:
        return {author: box.currentData() for author, box in self.role_boxes.items()}

    def new_conversation(self) -> NewConversation:
        return NewConversation(
            channel=self.channel.currentData(), messages=list(self.transcript.messages),
            subject=self.subject.text().strip(), customer_name=self.customer.text().strip(),
            customer_email=self.email.text().strip(), pre_existing=self.pre_existing.isChecked(),
            source_format=self.transcript.format, source_name=self.source_name, roles=self.roles())
