"""Regression guard: PySide6 6.12.0 on Python 3.11 lost a reference to None per void Qt call."""
import sys

from PySide6.QtCore import QPointF
from PySide6.QtGui import QBrush, QColor, QImage, QPainter
from PySide6.QtWidgets import QGraphicsRectItem


def test_ten_thousand_void_qt_calls_leave_the_refcount_of_none_unchanged(qapp):
    image = QImage(64, 64, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    item = QGraphicsRectItem(0, 0, 10, 10)
    brush = QBrush(QColor("#0072B2"))
    point = QPointF(1.0, 2.0)
    before = sys.getrefcount(None)
    for _ in range(2500):
        painter.drawRect(0, 0, 4, 4)
        painter.setBrush(brush)
        item.setPos(point)
        item.setBrush(brush)
    after = sys.getrefcount(None)
    painter.end()
    # Python itself may take or drop a handful of references meanwhile; the fault lost 10,000.
    assert abs(after - before) < 50, f"refcount of None moved by {after - before}"
