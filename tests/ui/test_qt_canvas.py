"""The timeline's QPainter canvas: boxes drawn in one batch, and a repaint of the same boxes reusing them."""
from __future__ import annotations

from PySide6.QtGui import QColor, QImage, QPainter

from ui.timeline.qt_canvas import QPainterCanvas


def _painted(draw) -> QImage:
    image = QImage(40, 20, QImage.Format.Format_ARGB32)
    image.fill(QColor("#ffffff"))
    painter = QPainter(image)
    draw(QPainterCanvas(painter))
    painter.end()
    return image


def test_a_batch_of_boxes_is_drawn_and_the_same_list_again_reuses_its_rectangles():
    image = QImage(40, 20, QImage.Format.Format_ARGB32)
    image.fill(QColor("#ffffff"))
    painter = QPainter(image)
    canvas = QPainterCanvas(painter)
    boxes = [(2.0, 2.0, 6.0, 6.0), (20.0, 10.0, 5.0, 5.0)]
    canvas.rects(boxes, fill="#000000")
    first = canvas._qrects_of(boxes)
    assert canvas._qrects_of(boxes) is first  # an unchanged view's boxes: no new rectangles
    assert canvas._qrects_of(list(boxes)) is not first  # another list (another view) gets its own
    painter.end()
    assert image.pixelColor(4, 4) == QColor("#000000") and image.pixelColor(22, 12) == QColor("#000000")
    assert image.pixelColor(14, 4) == QColor("#ffffff")


def test_boxes_drawn_again_after_other_views_are_still_where_they_belong():
    boxes = [(1.0, 1.0, 4.0, 4.0)]

    def many_views(canvas):
        canvas.rects(boxes, fill="#000000")
        for n in range(100):  # more views than the canvas keeps rectangles for
            canvas.rects([(30.0, 10.0, 1.0, float(n % 5 + 1))], fill="#ff0000")
        canvas.rects(boxes, fill="#0000ff")

    image = _painted(many_views)
    assert image.pixelColor(2, 2) == QColor("#0000ff")


def test_a_repaint_reuses_the_last_paints_rectangles_and_forgets_what_it_did_not_draw():
    image = QImage(40, 20, QImage.Format.Format_ARGB32)
    boxes = [(2.0, 2.0, 6.0, 6.0)]
    painter = QPainter(image)
    canvas = QPainterCanvas(painter)
    first = canvas._qrects_of(boxes)
    painter.end()
    for _ in range(3):  # repaints of an unchanged view: the same rectangles each time
        painter = QPainter(image)
        canvas.use(painter)
        assert canvas._qrects_of(boxes) is first
        painter.end()
    for _ in range(2):  # two paints of other views (a zoom): the old view's rectangles are let go
        painter = QPainter(image)
        canvas.use(painter)
        canvas._qrects_of([(1.0, 1.0, 1.0, 1.0)])
        painter.end()
    painter = QPainter(image)
    canvas.use(painter)
    assert canvas._qrects_of(boxes) is not first
    painter.end()
