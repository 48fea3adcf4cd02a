"""The QPainter adapter for the core timeline Canvas, and rendering a timeline to a QImage."""
from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QImage, QPainter, QPen, QPolygonF, QTransform

from postmortem_desktop.timeline.drawing import Theme, draw_timeline
from postmortem_desktop.timeline.layout import TimelineLayout

_PATTERNS = {
    "diagonal": (Qt.BrushStyle.BDiagPattern, 1.0), "backdiagonal": (Qt.BrushStyle.FDiagPattern, 1.0),
    "cross": (Qt.BrushStyle.CrossPattern, 1.0), "diagcross": (Qt.BrushStyle.DiagCrossPattern, 1.0),
    "horizontal": (Qt.BrushStyle.HorPattern, 1.0), "vertical": (Qt.BrushStyle.VerPattern, 1.0),
    "dots": (Qt.BrushStyle.Dense6Pattern, 1.0), "dense": (Qt.BrushStyle.Dense4Pattern, 1.0),
    "sparse": (Qt.BrushStyle.Dense7Pattern, 1.0), "grid": (Qt.BrushStyle.CrossPattern, 2.0),
}
_ANCHOR = {"start": 0.0, "middle": 0.5, "end": 1.0}


class QPainterCanvas:
    """Implements postmortem_desktop.timeline.drawing.Canvas on a QPainter.

    Colours, pens, brushes and fonts are cached: a busy paint draws thousands of bars.
    """

    def __init__(self, painter: QPainter, font_family: str = ""):
        self._family = font_family or QFont().family()
        self._colors: dict[tuple[str, float], QColor] = {}
        self._pens: dict[tuple, QPen] = {}
        self._brushes: dict[tuple, QBrush] = {}
        self._fonts: dict[tuple[float, bool], tuple[QFont, QFontMetricsF]] = {}
        self._widths: dict[tuple[str, float, bool], float] = {}
        #: {id of a box list: (the list, its QRectFs)} drawn in this paint, and in the one before: the layout keeps
        #: an unchanged view's bin boxes across repaints, so only the last paint's are worth keeping
        self._qrects: dict[int, tuple[list, list[QRectF]]] = {}
        self._qrects_before: dict[int, tuple[list, list[QRectF]]] = {}
        self.use(painter)

    def use(self, painter: QPainter) -> None:
        """Draws with this painter from now on, keeping the caches (the timeline item repaints with a new one)."""
        self._qrects_before, self._qrects = self._qrects, {}  # a new paint: the last one's rectangles may serve
        self.painter = painter
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)

    # -- caches
    def _color(self, hex_color: str, alpha: float = 1.0) -> QColor:
        key = (hex_color, alpha)
        color = self._colors.get(key)
        if color is None:
            color = QColor(hex_color)
            color.setAlphaF(alpha)
            self._colors[key] = color
        return color

    def _pen(self, color: str | None, width: float, alpha: float = 1.0, dash=None) -> QPen:  # noqa: ANN001
        if color is None:
            return QPen(Qt.PenStyle.NoPen)
        key = (color, width, alpha, dash)
        pen = self._pens.get(key)
        if pen is None:
            pen = QPen(self._color(color, alpha), width)
            pen.setCapStyle(Qt.PenCapStyle.FlatCap)
            if dash:
                pen.setDashPattern([d / max(width, 0.1) for d in dash])
            self._pens[key] = pen
        return pen

    def _brush(self, color: str | None, alpha: float, pattern: str | None = None) -> QBrush:
        key = (color, alpha, pattern)
        brush = self._brushes.get(key)
        if brush is None:
            if color is None:
                brush = QBrush(Qt.BrushStyle.NoBrush)
            elif pattern and pattern in _PATTERNS:
                style, zoom = _PATTERNS[pattern]
                brush = QBrush(self._color(color, alpha), style)
                if zoom != 1.0:
                    brush.setTransform(QTransform.fromScale(zoom, zoom))
            else:
                brush = QBrush(self._color(color, alpha))
            self._brushes[key] = brush
        return brush

    def _font(self, size: float, bold: bool) -> tuple[QFont, QFontMetricsF]:
        key = (round(size, 1), bold)
        found = self._fonts.get(key)
        if found is None:
            font = QFont(self._family)
            font.setPixelSize(max(int(round(size)), 6))
            font.setBold(bold)
            found = self._fonts[key] = (font, QFontMetricsF(font))
        return found

    # -- Canvas protocol
    def rect(self, x, y, w, h, *, fill=None, stroke=None, stroke_width=1.0, alpha=1.0, pattern=None,  # noqa: ANN001
             pattern_color: str | None = None) -> None:
        p = self.painter
        r = QRectF(x, y, w, h)
        if fill is not None:
            p.fillRect(r, self._brush(fill, alpha))
        if pattern and pattern != "solid" and pattern_color:
            p.fillRect(r, self._brush(pattern_color, min(alpha, 0.55), pattern))
        if stroke is not None:
            p.setPen(self._pen(stroke, stroke_width, alpha))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(r)

    def rects(self, boxes, *, fill=None, stroke=None, stroke_width=1.0, alpha=1.0, pattern=None,  # noqa: ANN001
              pattern_color: str | None = None) -> None:
        """The optional batch call: one drawRects per style instead of thousands of fillRect calls."""
        if not boxes:
            return
        p = self.painter
        qrects = self._qrects_of(boxes)
        p.save()
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)  # axis-aligned boxes gain nothing from it
        if fill is not None:
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(self._brush(fill, alpha))
            p.drawRects(qrects)
        if pattern and pattern != "solid" and pattern_color:
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(self._brush(pattern_color, min(alpha, 0.55), pattern))
            p.drawRects(qrects)
        if stroke is not None:
            p.setPen(self._pen(stroke, stroke_width, alpha))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRects(qrects)
        p.restore()

    def _qrects_of(self, boxes: list) -> list[QRectF]:
        """The boxes as QRectFs; the same list again (an unchanged view repainted) reuses them.

        Making thousands of QRectFs was a quarter of a zoomed-out repaint of 100k conversations."""
        kept = self._qrects.get(id(boxes)) or self._qrects_before.get(id(boxes))
        if kept is None or kept[0] is not boxes:
            kept = (boxes, [QRectF(*box) for box in boxes])
        self._qrects[id(boxes)] = kept  # the list is kept with them, so its id is not reused meanwhile
        return kept[1]

    def line(self, x1, y1, x2, y2, *, color, width=1.0, dash=None, alpha=1.0) -> None:  # noqa: ANN001
        self.painter.setPen(self._pen(color, width, alpha, tuple(dash) if dash else None))
        self.painter.drawLine(QPointF(x1, y1), QPointF(x2, y2))

    def polygon(self, points: Sequence[tuple[float, float]], *, fill, stroke=None, stroke_width=1.0,  # noqa: ANN001
                alpha: float = 1.0) -> None:
        self.painter.setPen(self._pen(stroke, stroke_width, alpha))
        self.painter.setBrush(self._brush(fill, alpha))
        self.painter.drawPolygon(QPolygonF([QPointF(x, y) for x, y in points]))

    def text(self, x, y, text, *, color, size, bold=False, anchor="start") -> None:  # noqa: ANN001
        font, metrics = self._font(size, bold)
        p = self.painter
        p.setFont(font)
        p.setPen(self._pen(color, 1.0))
        width = metrics.horizontalAdvance(text)
        baseline = y + (metrics.ascent() - metrics.descent()) / 2
        p.drawText(QPointF(x - width * _ANCHOR.get(anchor, 0.0), baseline), text)

    def text_width(self, text: str, size: float, bold: bool = False) -> float:
        key = (text, size, bold)
        width = self._widths.get(key)
        if width is None:
            if len(self._widths) > 4096:  # row labels, legend keys, tick labels: a bound, not a leak
                self._widths.clear()
            width = self._widths[key] = self._font(size, bold)[1].horizontalAdvance(text)
        return width

    def clip(self, x, y, w, h) -> None:  # noqa: ANN001
        self.painter.save()
        self.painter.setClipRect(QRectF(x, y, w, h), Qt.ClipOperation.IntersectClip)

    def unclip(self) -> None:
        self.painter.restore()


def render_timeline_image(layout: TimelineLayout, width: int, height: int, theme: Theme,
                          device_pixel_ratio: float = 1.0) -> QImage:
    """The timeline as an image (for the facilitator, the clipboard, a file)."""
    image = QImage(int(width * device_pixel_ratio), int(height * device_pixel_ratio),
                   QImage.Format.Format_ARGB32_Premultiplied)
    image.setDevicePixelRatio(device_pixel_ratio)
    image.fill(QColor(theme.background))
    painter = QPainter(image)
    try:
        draw_timeline(layout, QPainterCanvas(painter), width, height, theme)
    finally:
        painter.end()
    return image
