"""The board's filter bar: search, tag, channel, segment, pre-existing switch, swimlanes, actions."""
from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSize, QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QLineEdit,
    QPushButton,
    QStyle,
    QStyleOptionComboBox,
    QVBoxLayout,
    QWidget,
)

from postmortem_desktop.services.quotes import UNSORTED, BoardFilter
from postmortem_desktop.services.tagging import TagDefinition

from .board_grid import GROUPINGS

SCOPES = (("all", "All (old set apart)"), ("incident", "Incident damage only"),
          ("pre_existing", "Pre-existing only"))
SEARCH_DELAY_MS = 200
#: the least the search box keeps beside the buttons before it takes a row of its own
SEARCH_AT_LEAST = 200


class BoardFilterBar(QWidget):
    filter_changed = Signal(object)  # BoardFilter
    grouping_changed = Signal(str)
    suggest_requested = Signal()
    phrases_requested = Signal()
    add_column_requested = Signal()
    conversations_requested = Signal()
    low_confidence_toggled = Signal(bool)  # True: hide suggestions of low confidence

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search quotes and conversations…")
        self.search.setClearButtonEnabled(True)
        self.tag = QComboBox(self)
        self.channel = QComboBox(self)
        self.segment = QComboBox(self)
        self.scope = QComboBox(self)
        for key, label in SCOPES:
            self.scope.addItem(label, key)
        self.grouping = QComboBox(self)
        for key, label in GROUPINGS.items():
            self.grouping.addItem(label if key else "No swimlanes", key)
        self.suggest_button = QPushButton("Suggest Tags", self)
        self.suggest_button.setToolTip("Run the tagger over this incident's messages and cards")
        self.phrases_button = QPushButton("Phrases…", self)
        self.phrases_button.setToolTip("This workspace's own phrases for suggested tags")
        self.hide_low = QCheckBox("Hi&de unsure", self)
        self.hide_low.setChecked(True)
        self.hide_low.setToolTip("Hide suggestions the tagger is less than 70 % sure of (Alt+D)")
        self.hide_low.setAccessibleName("Hide low-confidence suggestions")
        self.conversations_button = QPushButton("Conversations…", self)
        self.conversations_button.setToolTip("Browse and search every conversation of the incident, with or "
                                             "without a card")
        self.add_column_button = QPushButton("+ Column", self)
        self.add_column_button.setToolTip("Add a tag of this workspace's own")
        for combo in (self.tag, self.channel, self.segment, self.scope, self.grouping):
            # combos may shrink, so the board never forces the main window wider than the screen
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(2)
            combo.setMinimumWidth(40)
        for button in (self.conversations_button, self.suggest_button, self.phrases_button, self.add_column_button):
            button.setMinimumWidth(40)  # may clip on a very narrow window rather than widen it
        self._top = QGridLayout()
        self._top.setContentsMargins(0, 0, 0, 0)
        self.search_alone = False  # the search box on a row of its own, above the buttons (a narrow window)
        self._place_top()
        # no labels: each combo's first entry names it ("Any tag", "No swimlanes"), which keeps the
        # bar narrow enough for a 1280-pixel projector beside the docks
        for tip, combo in (("Tag", self.tag), ("Channel", self.channel), ("Customer segment", self.segment),
                           ("Incident damage or pre-existing confusion", self.scope), ("Swimlanes", self.grouping)):
            combo.setToolTip(tip)
            combo.setAccessibleName(tip)
        self._filters = QGridLayout()
        self._filters.setContentsMargins(0, 0, 0, 0)
        self._filters.setSpacing(4)
        self.per_row = len(self._filter_widgets())  # fewer when the window is too narrow for their words in one row
        self._place_filters()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 2)
        layout.setSpacing(4)
        layout.addLayout(self._top)
        layout.addLayout(self._filters)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)  # typing is not searched on every key
        self._timer.timeout.connect(self._emit_filter)
        self.search.textChanged.connect(self._timer.start)
        for combo in (self.tag, self.channel, self.segment, self.scope):
            combo.currentIndexChanged.connect(self._emit_filter)
        self.grouping.currentIndexChanged.connect(
            lambda _i: self.grouping_changed.emit(self.grouping.currentData() or ""))
        self.suggest_button.clicked.connect(self.suggest_requested)
        self.hide_low.toggled.connect(self.low_confidence_toggled)
        self.phrases_button.clicked.connect(self.phrases_requested)
        self.add_column_button.clicked.connect(self.add_column_requested)
        self.conversations_button.clicked.connect(self.conversations_requested)

    def _filter_widgets(self) -> tuple[QWidget, ...]:
        # the hide switch beside the filters: it filters suggestions; search keeps its width
        return self.tag, self.channel, self.segment, self.scope, self.grouping, self.hide_low

    @property
    def folded(self) -> bool:
        """The filters take more than one row: the bar is too narrow for their words in one."""
        return self.per_row < len(self._filter_widgets())

    def _place_filters(self) -> None:
        """The filters, per_row to a row."""
        for column in range(self._filters.columnCount()):
            self._filters.setColumnStretch(column, 0)
        for index, widget in enumerate(self._filter_widgets()):
            self._filters.removeWidget(widget)
            self._filters.addWidget(widget, index // self.per_row, index % self.per_row)
        for column in range(self.per_row):
            self._filters.setColumnStretch(column, 1)
        if not self.folded:  # the switch at its own width beside the combos
            self._filters.setColumnStretch(self.per_row - 1, 0)

    def _width_of_words(self, per_row: int | None = None) -> int:
        """What the filters take, per_row to a row (all in one by default), with none of their words clipped."""
        per_row = per_row or len(self._filter_widgets())
        widths = [*(_width_showing_every_choice(combo) for combo in (self.tag, self.channel, self.segment,
                                                                     self.scope, self.grouping)),
                  self.hide_low.sizeHint().width()]
        if per_row < len(widths):  # the columns are as wide as each other's widest
            widest = max(widths)
            widths = [widest] * len(widths)
        rows = [widths[start:start + per_row] for start in range(0, len(widths), per_row)]
        return self._edges() + max(sum(row) + self._filters.spacing() * (len(row) - 1) for row in rows)

    def _edges(self) -> int:
        layout = self.layout()
        return layout.contentsMargins().left() + layout.contentsMargins().right() if layout is not None else 0

    def _search_is_squeezed(self, width: int) -> bool:
        """The buttons beside the search box leave it less than SEARCH_AT_LEAST: it goes on a row of its own."""
        buttons = sum(button.sizeHint().width() + self._top.spacing() for button in self._buttons())
        return width - self._edges() - buttons < SEARCH_AT_LEAST

    def _buttons(self) -> tuple[QPushButton, ...]:
        return self.conversations_button, self.suggest_button, self.phrases_button, self.add_column_button

    def _place_top(self) -> None:
        """The search box and the buttons in one row, or the box above them when it would be squeezed."""
        self._top.removeWidget(self.search)
        for button in self._buttons():
            self._top.removeWidget(button)
        alone = 1 if self.search_alone else 0
        self._top.addWidget(self.search, 0, 0, 1, 1 + (len(self._buttons()) if alone else 0))
        for index, button in enumerate(self._buttons(), start=1):
            self._top.addWidget(button, alone, index)
        for column in range(1 + len(self._buttons())):
            self._top.setColumnStretch(column, 1 if column == 0 else 0)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fold_to(event.size().width())

    def _fold_to(self, width: int) -> None:
        count = len(self._filter_widgets())
        per_row = next((n for n in (count, 3) if width >= self._width_of_words(n)), 2)
        if per_row != self.per_row:
            self.per_row = per_row
            self._place_filters()
        alone = self._search_is_squeezed(width)
        if alone != self.search_alone:
            self.search_alone = alone
            self._place_top()

    def current_filter(self) -> BoardFilter:
        return BoardFilter(text=self.search.text().strip(), tag_id=self.tag.currentData(),
                           channel=self.channel.currentData() or "", segment=self.segment.currentData() or "",
                           scope=self.scope.currentData() or "all")

    def set_choices(self, tags: list[TagDefinition], channels: list[str], segments: list[str]) -> None:
        """Refills the combos, keeping what was chosen when it still exists; emits nothing."""
        self._refill(self.tag, [("Any tag", None), ("Unsorted", UNSORTED)] + [(t.name, t.id) for t in tags])
        self._refill(self.channel, [("Any channel", "")] + [(c, c) for c in channels])
        self._refill(self.segment, [("Any segment", "")] + [(s, s) for s in segments])
        self._fold_to(self.width())  # longer names may no longer fit in one row

    @staticmethod
    def _refill(combo: QComboBox, items: Sequence[tuple[str, object]]) -> None:
        keep = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        for label, data in items:
            combo.addItem(label, data)
        found = combo.findData(keep)
        combo.setCurrentIndex(found if found >= 0 else 0)
        combo.blockSignals(False)

    def apply_now(self) -> None:
        """Skips the typing delay (Enter in the search box, tests, benchmarks)."""
        self._timer.stop()
        self._emit_filter()

    def _emit_filter(self) -> None:
        self.filter_changed.emit(self.current_filter())


#: the most of a long choice (a workspace's own tag or segment) the bar keeps room for before it folds
LONGEST_CHOICE_PX = 220


def _width_showing_every_choice(combo: QComboBox) -> int:
    """The combo's width with its longest choice unclipped (up to LONGEST_CHOICE_PX), frame and arrow included."""
    metrics = combo.fontMetrics()
    words = max((metrics.horizontalAdvance(combo.itemText(i)) for i in range(combo.count())), default=0)
    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    size = QSize(min(words, LONGEST_CHOICE_PX), metrics.height())
    return combo.style().sizeFromContents(QStyle.ContentsType.CT_ComboBox, option, size, combo).width()
