"""The timeline's QGraphicsView: one item paints the laid-out timeline, one the cursor; mouse and keys edit it."""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QHelpEvent, QPainter, QPen
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsObject,
    QGraphicsScene,
    QGraphicsView,
    QStyleOptionGraphicsItem,
    QToolTip,
    QWidget,
)

from postmortem_desktop.timeline.drawing import Theme, draw_timeline
from postmortem_desktop.timeline.layout import Geometry, Hit, TimelineLayout, format_time

from .qt_canvas import QPainterCanvas

ZOOM_STEP = 1.25
DRAG_THRESHOLD_PX = 4
SNAP_S = 60  # dragged times snap to whole minutes: nobody means 10:21:07.4
DRAGGABLE = ("event", "technical_start", "technical_end", "status_page")


class TimelineItem(QGraphicsItem):
    """Paints the whole timeline (all lanes, level of detail included) through the core drawing code.

    One item rather than one per conversation: with 100,000 conversations only what is visible is
    drawn, found by bisect, or summed into histogram bins when zoomed out.
    """

    def __init__(self, theme: Theme):
        super().__init__()
        self.layout: TimelineLayout | None = None
        #: what is said in place of a timeline while there is none
        self.empty_text = EMPTY_TEXT
        self.theme = theme
        self.size = (800.0, 600.0)
        self.geometry: Geometry | None = None
        self._canvas: QPainterCanvas | None = None  # kept across paints for its caches
        # Cached as a pixmap: cursor moves and tooltips then cost a blit, not a redraw.
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def set_size(self, width: float, height: float) -> None:
        self.prepareGeometryChange()
        self.size = (width, height)
        self.geometry = self.layout.geometry(width, height) if self.layout else None

    def boundingRect(self) -> QRectF:
        return QRectF(0, 0, *self.size)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        if self.layout is None:
            painter.fillRect(self.boundingRect(), QColor(self.theme.background))
            painter.setPen(QColor(self.theme.text))
            flags = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
            painter.drawText(self.boundingRect(), flags, self.empty_text)
            return
        if self._canvas is None:
            self._canvas = QPainterCanvas(painter)
        else:
            self._canvas.use(painter)  # its pens, fonts, text widths and bars' QRectFs carry over
        self.geometry = draw_timeline(self.layout, self._canvas, self.size[0], self.size[1], self.theme)


EMPTY_TEXT = ("No incident selected.\nCreate one with Incident › New Incident (Ctrl+N), then import tickets "
              "(Ctrl+I) or paste conversations (Ctrl+V).")
# a window left with no workspace (the one asked for was refused): New Incident and the imports are off
NO_WORKSPACE_TEXT = ("No workspace is open.\nOpen one with File › Open Workspace (Ctrl+O), "
                     "or drop a .pmw workspace file here.")


class CursorItem(QGraphicsObject):
    """The vertical line under the mouse with the time it points at."""

    def __init__(self, theme: Theme):
        super().__init__()
        self.theme = theme
        self.label = ""
        self.height = 100.0
        self.font = QFont()
        self.font.setBold(True)
        self.setZValue(10)

    def set_cursor(self, x: float, height: float, label: str) -> None:
        self.prepareGeometryChange()
        self.height, self.label = height, label
        self.setPos(x, 0)

    def boundingRect(self) -> QRectF:
        return QRectF(-1, 0, 190, self.height)

    def paint(self, painter: QPainter, option, widget=None) -> None:  # noqa: ANN001
        painter.setPen(QPen(QColor(self.theme.text), 1, Qt.PenStyle.DashLine))
        painter.drawLine(QPointF(0, 0), QPointF(0, self.height))
        painter.setFont(self.font)
        rect = QRectF(4, self.height - 44, 180, 20)
        painter.fillRect(rect, QColor(self.theme.background))
        painter.setPen(QColor(self.theme.text))
        painter.drawText(rect.adjusted(4, 0, 0, 0), Qt.AlignmentFlag.AlignVCenter, self.label)


class TimelineView(QGraphicsView):
    """Zoom (Ctrl+wheel, +/-), pan (drag, wheel, arrows), hover, click, double-click and drag-to-edit.

    It only emits intent; the screen turns intent into service calls and undoable commands.
    """

    read_only = False  # set by the screen for a read-only workspace: no drag-to-edit

    conversation_clicked = Signal(int)
    event_double_clicked = Signal(int)
    system_lane_double_clicked = Signal(float)   # epoch seconds
    event_dragged = Signal(int, float)           # event id, new time
    marker_dragged = Signal(str, float)          # incident field name, new time
    view_changed = Signal()

    def __init__(self, theme: Theme, parent: QWidget | None = None):
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.theme = theme
        self.item = TimelineItem(theme)
        self.cursor_item = CursorItem(theme)
        self.cursor_item.hide()
        self.scene().addItem(self.item)
        self.scene().addItem(self.cursor_item)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QGraphicsView.Shape.NoFrame)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setAccessibleName("Timeline")
        self.describe_hit: Callable[[Hit], str] = lambda hit: ""
        self._press: tuple[QPointF, Hit] | None = None
        self._dragging = False
        # the last item described, and its text: describing a conversation reads the workspace
        self._tip: tuple[object, str] = (None, "")

    # -- model
    @property
    def layout_(self) -> TimelineLayout | None:
        return self.item.layout

    def set_layout(self, layout: TimelineLayout | None, empty_text: str = EMPTY_TEXT) -> None:
        self.item.layout = layout
        self.item.empty_text = empty_text
        self._tip = (None, "")  # the same ids may now read differently (tags, times)
        self._resize_scene()
        self.redraw()

    def set_theme(self, theme: Theme) -> None:
        self.theme = self.item.theme = self.cursor_item.theme = theme
        self.redraw()

    def redraw(self) -> None:
        self.item.update()
        if self.cursor_item.isVisible():  # the line stays under the pointer; the time there has changed
            self._move_cursor(QPointF(self.cursor_item.x(), 0))
        self.view_changed.emit()

    def geometry_(self) -> Geometry | None:
        layout = self.item.layout
        if layout is None:
            return None
        layout.scale_factor = self.theme.scale
        return layout.geometry(*self.item.size)

    # -- zoom and pan
    def zoom(self, factor: float, about_x: float | None = None) -> None:
        layout, geo = self.item.layout, self.geometry_()
        if layout is None or geo is None:
            return
        # else the label column
        about = layout.scale(geo).t(about_x) if about_x is not None and geo.plot_x0 <= about_x <= geo.plot_x1 else None
        layout.zoom(factor, about)
        self.redraw()

    def pan_pixels(self, dx: float) -> None:
        layout, geo = self.item.layout, self.geometry_()
        if layout is None or geo is None:
            return
        layout.pan(-dx / layout.scale(geo).px_per_s)
        self.redraw()

    def show_range(self, t0: float, t1: float) -> None:
        if self.item.layout is not None:
            self.item.layout.set_view(t0, t1)
            self.redraw()

    # -- Qt events
    def resizeEvent(self, event) -> None:  # noqa: ANN001
        super().resizeEvent(event)
        self._resize_scene()

    def _resize_scene(self) -> None:
        size = self.viewport().size()
        self.item.set_size(size.width(), size.height())
        self.setSceneRect(0, 0, size.width(), size.height())

    def wheelEvent(self, event) -> None:  # noqa: ANN001
        delta = event.angleDelta()
        steps = (delta.y() or delta.x()) / 120
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom(ZOOM_STEP ** steps, event.position().x())
        else:
            self.pan_pixels(steps * 80)
        event.accept()

    def keyPressEvent(self, event) -> None:  # noqa: ANN001
        key = event.key()
        # Zoom about the cursor line when it is shown, so the keys zoom into what the pointer marks.
        about = self.cursor_item.x() if self.cursor_item.isVisible() else None
        if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom(ZOOM_STEP, about)
        elif key in (Qt.Key.Key_Minus, Qt.Key.Key_Underscore):
            self.zoom(1 / ZOOM_STEP, about)
        elif key == Qt.Key.Key_Left:
            self.pan_pixels(120)
        elif key == Qt.Key.Key_Right:
            self.pan_pixels(-120)
        else:
            super().keyPressEvent(event)

    def hit_at(self, pos: QPointF) -> Hit:
        layout, geo = self.item.layout, self.geometry_()
        if layout is None or geo is None:
            return Hit("none")
        return layout.hit(pos.x(), pos.y(), geo)

    def mousePressEvent(self, event) -> None:  # noqa: ANN001
        if event.button() != Qt.MouseButton.LeftButton or self.item.layout is None:
            return super().mousePressEvent(event)
        self._press = (event.position(), self.hit_at(event.position()))
        self._dragging = False
        event.accept()

    def mouseMoveEvent(self, event) -> None:  # noqa: ANN001
        pos = event.position()
        self._move_cursor(pos)
        if self._press is None:
            self._hover(event, pos)
            return
        start, hit = self._press
        if not self._dragging and abs(pos.x() - start.x()) < DRAG_THRESHOLD_PX:
            return
        self._dragging = True
        if hit.kind in DRAGGABLE and not self._read_only() and self.item.layout is not None:
            self.item.layout.overrides[_override_key(hit)] = self._snapped_time(pos.x())
            self.item.update()
        else:
            self.pan_pixels(pos.x() - start.x())
            self._press = (pos, hit)

    def mouseReleaseEvent(self, event) -> None:  # noqa: ANN001
        if self._press is None or event.button() != Qt.MouseButton.LeftButton:
            return super().mouseReleaseEvent(event)
        _start, hit = self._press
        self._press = None
        layout = self.item.layout
        if (self._dragging and layout is not None and hit.kind in DRAGGABLE
                and _override_key(hit) in layout.overrides):
            at = layout.overrides.pop(_override_key(hit))
            self.item.update()
            if hit.kind == "event":
                self.event_dragged.emit(hit.id, at)
            else:
                self.marker_dragged.emit("status_page_resolved" if hit.kind == "status_page" else hit.kind, at)
        elif not self._dragging and hit.kind == "conversation":
            self.conversation_clicked.emit(hit.id)
        elif not self._dragging and hit.kind == "bin" and hit.bin is not None:
            self.show_range(hit.bin.t0 - (hit.bin.t1 - hit.bin.t0) * 4, hit.bin.t1 + (hit.bin.t1 - hit.bin.t0) * 4)
        self._dragging = False
        event.accept()

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: ANN001
        hit = self.hit_at(event.position())
        if hit.kind == "event":
            self.event_double_clicked.emit(hit.id)
        elif hit.kind == "system_lane":
            self.system_lane_double_clicked.emit(self._snapped_time(event.position().x()))
        event.accept()

    def leaveEvent(self, event) -> None:  # noqa: ANN001
        self.cursor_item.hide()
        super().leaveEvent(event)

    def viewportEvent(self, event: QEvent) -> bool:
        # Qt asks for a tooltip when the pointer rests; the scene would answer with its items' (none)
        # and hide ours, so a tip vanished a few pixels into the same bar. Answer from the item here.
        if isinstance(event, QHelpEvent) and event.type() == QEvent.Type.ToolTip:
            self._show_tip(self.hit_at(QPointF(event.pos())), event.globalPos())
            return True
        return super().viewportEvent(event)

    # -- helpers
    def _read_only(self) -> bool:
        return self.read_only

    def _snapped_time(self, x: float) -> float:
        layout, geo = self.item.layout, self.geometry_()
        if layout is None or geo is None:  # only called while dragging a mark of a shown layout
            return x
        t = layout.scale(geo).t(x)
        return round(t / SNAP_S) * SNAP_S

    def _move_cursor(self, pos: QPointF) -> None:
        layout, geo = self.item.layout, self.geometry_()
        if layout is None or geo is None or not geo.plot_x0 <= pos.x() <= geo.plot_x1:
            self.cursor_item.hide()
            return
        t = layout.scale(geo).t(pos.x())
        self.cursor_item.set_cursor(pos.x(), geo.customers.bottom, format_time(t, layout.zone_name))
        self.cursor_item.show()

    def _hover(self, event, pos: QPointF) -> None:  # noqa: ANN001
        hit = self.hit_at(pos)
        draggable = hit.kind in DRAGGABLE and not self._read_only()
        self.viewport().setCursor(Qt.CursorShape.SizeHorCursor if draggable else
                                  Qt.CursorShape.PointingHandCursor if hit.kind in ("conversation", "bin") else
                                  Qt.CursorShape.ArrowCursor)
        self._show_tip(hit, event.globalPosition().toPoint())

    def _show_tip(self, hit: Hit, global_pos: QPoint) -> None:
        """The tip follows the item under the pointer: shown while over it, however the pointer moves."""
        key = (hit.kind, hit.id, hit.bin.t0 if hit.bin else None)
        if key != self._tip[0]:
            self._tip = (key, self.describe_hit(hit))
        elif QToolTip.isVisible() and QToolTip.text() == self._tip[1]:
            return  # still over the same item: leave the tip where it is
        text = self._tip[1]
        if text:
            QToolTip.showText(global_pos, text, self.viewport())
        else:
            QToolTip.hideText()


def _override_key(hit: Hit) -> tuple:
    if hit.kind == "event":
        return ("event", hit.id)
    return ("marker", "status_page_resolved" if hit.kind == "status_page" else hit.kind)
