"""The room's view of a step: its slides in large type, split into pages that fit the projector, no toolbars."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QImage, QPixmap
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from postmortem_desktop.services.room import RoomBlock, RoomSlide

#: type sizes relative to the (already enlarged) projector font, so they follow the system size
SCALES = {"title": 1.8, "lead": 1.7, "heading": 1.45, "text": 1.45, "quote": 1.55, "source": 1.15}
MARGIN = 24
SPACING = 14
ELLIPSIS = "…"
#: a picture block (the timeline) takes the rest of its page, or a page of its own when less than this share is left
PICTURE_MIN_SHARE = 0.6

#: draws a picture block at a size: (width, height) -> image
PictureSource = Callable[[int, int], QImage]


@dataclass(frozen=True)
class _Page:
    slide: int
    blocks: tuple[RoomBlock, ...]
    continued: bool  # the slide began on an earlier page
    picture_height: int = 0  # the height a picture block on this page takes


def _font(base: QFont, role: str) -> QFont:
    font = QFont(base)
    if font.pointSizeF() > 0:
        font.setPointSizeF(font.pointSizeF() * SCALES[role])
    else:
        font.setPixelSize(round(font.pixelSize() * SCALES[role]))
    font.setBold(role in ("title", "heading", "lead"))
    font.setItalic(role == "quote")
    return font


class RoomViewWidget(QFrame):
    """Shows one page at a time; `next_page`/`previous_page` say False at the ends so the agenda moves on."""

    #: a page is on screen: (its number from 0, how many pages the step has)
    page_shown = Signal(int, int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("facilitator_room")
        self.setAccessibleName("What the room sees")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        # the pages are cut to the room's size: the room takes the space there is and never asks for more
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.slides: tuple[RoomSlide, ...] = ()
        self.picture_source: PictureSource | None = None
        self.pages: list[_Page] = []
        self.page = 0
        self.body = QWidget(self)
        self.body.setObjectName("facilitator_room_body")
        self.footer = QLabel(self)
        self.footer.setObjectName("facilitator_room_footer")
        self.footer.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(MARGIN, MARGIN // 2, MARGIN, MARGIN // 2)
        layout.setSpacing(0)
        layout.addWidget(self.body, 1)
        layout.addWidget(self.footer)
        self._body_layout = QVBoxLayout(self.body)
        self._body_layout.setContentsMargins(0, 0, 0, 0)
        self._body_layout.setSpacing(SPACING)
        # a resize or font change lays the pages out again once things settle, not on every pixel
        self._relayout = QTimer(self)
        self._relayout.setSingleShot(True)
        self._relayout.setInterval(0)
        self._relayout.timeout.connect(self.repaginate)

    # ---- what to show ---------------------------------------------------------------------------
    def show_slides(self, slides: tuple[RoomSlide, ...], *, last_page: bool = False,
                    picture_source: PictureSource | None = None) -> None:
        self.slides = slides
        self.picture_source = picture_source
        self.pages = self._paginate()
        self.page = len(self.pages) - 1 if last_page else 0
        self._show_page()

    def refresh(self, slides: tuple[RoomSlide, ...]) -> None:
        """New content for the same step (an edit elsewhere): stays on the page the room is reading."""
        page = self.page
        self.slides = slides
        self.pages = self._paginate()
        self.page = min(page, len(self.pages) - 1)
        self._show_page()

    def repaginate(self) -> None:
        if not self.slides:
            return
        first = self.pages[self.page] if self.pages else None
        self.pages = self._paginate()
        # keep the room on the same slide and, as far as possible, the same first block
        self.page = next((n for n, p in enumerate(self.pages) if first and p.slide == first.slide
                          and first.blocks and p.blocks and p.blocks[0] == first.blocks[0]),
                         next((n for n, p in enumerate(self.pages) if first and p.slide == first.slide), 0))
        self._show_page()

    def page_count(self) -> int:
        return len(self.pages)

    def next_page(self) -> bool:
        if self.page + 1 >= len(self.pages):
            return False
        self.page += 1
        self._show_page()
        return True

    def previous_page(self) -> bool:
        if self.page <= 0:
            return False
        self.page -= 1
        self._show_page()
        return True

    # ---- pages ----------------------------------------------------------------------------------
    def _room(self) -> tuple[int, int]:
        """The width and height a page's blocks have, below the slide's title."""
        width = max(200, self.body.width())
        probe = self._label(" ", "title", None)
        title = probe.heightForWidth(width)
        probe.deleteLater()
        return width, max(120, self.body.height() - title - SPACING)

    def _paginate(self) -> list[_Page]:
        width, height = self._room()
        pages: list[_Page] = []
        for number, slide in enumerate(self.slides):
            current: list[RoomBlock] = []
            used = 0
            blocks = slide.blocks
            for n, block in enumerate(blocks):
                if block.kind == "picture":
                    # the picture takes the rest of the page, or a page of its own when little is left
                    room = height - used - (SPACING if used else 0)
                    leads, rest = self._picture_first(current, width, height)
                    if rest:  # the picture fits below the slide's lead: it comes first, the rest follows it
                        lead_room = height - self._height_of(leads, width) - SPACING
                        pages.append(_Page(number, (*leads, block), self._continues(pages, number), lead_room))
                        current, used = rest, self._height_of(rest, width)
                        continue
                    if current and room < height * PICTURE_MIN_SHARE:
                        pages.append(_Page(number, tuple(current), self._continues(pages, number)))
                        current, used, room = [], 0, height
                    pages.append(_Page(number, (*current, block), self._continues(pages, number), room))
                    current, used = [], 0
                    continue
                need = self._measure(block, width)
                if block.heading and not block.text and n + 1 < len(blocks):
                    need += SPACING + self._measure(blocks[n + 1], width)  # a heading stays with what it heads
                if current and used + SPACING + need > height:
                    pages.append(_Page(number, tuple(current), self._continues(pages, number)))
                    current, used = [], 0
                fitted = block if need <= height or block.heading and not block.text else (
                    self._shortened(block, width, height))
                current.append(fitted)
                used += (SPACING if used else 0) + self._measure(fitted, width)
            if current or not any(p.slide == number for p in pages):
                pages.append(_Page(number, tuple(current), self._continues(pages, number)))
        return pages or [_Page(0, (), False)]

    def _picture_first(self, current: list[RoomBlock], width: int,
                       height: int) -> tuple[list[RoomBlock], list[RoomBlock]]:
        """(lead blocks, the others) when the picture would not fit after the others but does after the leads.

        On a 1280x720 projector the timeline otherwise went to a page of its own, leaving the first page
        mostly empty; the room should meet the timeline on the step's first page when it fits there.
        Otherwise (the picture fits where it is, or not even after the leads) the others list is empty.
        """
        used = self._height_of(current, width)
        if not current or height - used - SPACING >= height * PICTURE_MIN_SHARE:
            return current, []
        count = next((n for n, b in enumerate(current) if b.kind != "lead"), len(current))
        leads, rest = current[:count], current[count:]
        if not leads or not rest or height - self._height_of(leads, width) - SPACING < height * PICTURE_MIN_SHARE:
            return current, []
        return leads, rest

    def _height_of(self, blocks: list[RoomBlock], width: int) -> int:
        return sum(self._measure(b, width) for b in blocks) + SPACING * max(0, len(blocks) - 1)

    @staticmethod
    def _continues(pages: list[_Page], slide: int) -> bool:
        return any(p.slide == slide for p in pages)

    def _measure(self, block: RoomBlock, width: int) -> int:
        widget = self._block_widget(block, None, None)  # never shown: no parent, deleted at once
        try:
            return widget.heightForWidth(width)
        finally:
            widget.deleteLater()

    def _shortened(self, block: RoomBlock, width: int, height: int) -> RoomBlock:
        """A block too long for a whole page, cut at a word with an ellipsis so nothing is clipped unseen."""
        words = block.text.split(" ")
        low, high = 0, len(words)
        while low < high:  # the most words that still fit
            middle = (low + high + 1) // 2
            trial = RoomBlock(" ".join(words[:middle]) + ELLIPSIS, block.heading, block.kind, block.source)
            if self._measure(trial, width) <= height:
                low = middle
            else:
                high = middle - 1
        return RoomBlock(" ".join(words[:low]) + ELLIPSIS, block.heading, block.kind, block.source)

    def _show_page(self) -> None:
        while self._body_layout.count():
            item = self._body_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()  # gone from the screen now; deleted when the event loop next runs
                widget.deleteLater()
        if not self.pages:
            return
        page = self.pages[self.page]
        title = self.slides[page.slide].title if self.slides else ""
        self._body_layout.addWidget(self._label(title + (" (continued)" if page.continued else ""), "title", self.body))
        width, _height = self._room()
        for block in page.blocks:
            self._body_layout.addWidget(self._block_widget(block, self.body, (width, page.picture_height)))
        self._body_layout.addStretch(1)
        more = "PageDown: more" if self.page + 1 < len(self.pages) else "PageDown: next step"
        self.footer.setText(f"Page {self.page + 1} of {len(self.pages)} · {more}" if len(self.pages) > 1 else "")
        self.page_shown.emit(self.page, len(self.pages))

    # ---- widgets --------------------------------------------------------------------------------
    def _label(self, text: str, role: str, parent: QWidget | None) -> QLabel:
        label = QLabel(text, parent)
        label.setObjectName(f"facilitator_room_{role}")
        label.setFont(_font(self.font(), role))
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        return label

    def _block_widget(self, block: RoomBlock, parent: QWidget | None, picture_room: tuple[int, int] | None) -> QWidget:
        """A block as widgets; `picture_room` (the page's width and height) is given when it will be shown."""
        box = QFrame(parent)
        box.setObjectName(f"facilitator_room_{block.kind}_block")
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        if block.heading:
            layout.addWidget(self._label(block.heading, "heading", box))
        if block.kind == "picture":
            layout.addWidget(self._picture(box, picture_room))
        elif block.kind == "quote":
            row = QHBoxLayout()
            row.setSpacing(12)
            bar = QFrame(box)
            bar.setObjectName("facilitator_room_quote_bar")
            bar.setFixedWidth(6)
            words = QVBoxLayout()
            words.setSpacing(2)
            words.addWidget(self._label(f"“{block.text}”", "quote", box))
            if block.source:
                words.addWidget(self._label(block.source, "source", box))
            row.addWidget(bar)
            row.addLayout(words, 1)
            layout.addLayout(row)
        elif block.text:
            layout.addWidget(self._label(block.text, "lead" if block.kind == "lead" else "text", box))
        return box

    def _picture(self, parent: QWidget, room: tuple[int, int] | None) -> QLabel:
        label = QLabel(parent)
        label.setObjectName("facilitator_room_picture")
        label.setAccessibleName("The timeline")
        if room is not None and self.picture_source is not None:
            width, height = room
            label.setPixmap(QPixmap.fromImage(self.picture_source(width, height)))
            label.setFixedSize(width, height)
        return label

    def sizeHint(self) -> QSize:
        return QSize(1280, 720)

    def minimumSizeHint(self) -> QSize:
        return QSize(320, 200)

    # ---- layout is redone on every size, theme or font change ----------------------------------
    def showEvent(self, event) -> None:  # noqa: ANN001
        super().showEvent(event)
        self._relayout.start()  # pages made while hidden (F7, an edit meanwhile) were measured at another size

    def resizeEvent(self, event) -> None:  # noqa: ANN001
        super().resizeEvent(event)
        self._relayout.start()

    def changeEvent(self, event) -> None:  # noqa: ANN001
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._relayout.start()
        super().changeEvent(event)
