"""Paints an incident in the list as two lines: its title, then both durations, severity and status."""
from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate

from ..models.incident_table_model import IncidentTableModel

PADDING = 6


class IncidentListDelegate(QStyledItemDelegate):
    """The sketch's list item: "Billing outage" over "Logs 40 min · Customers 4 h 35 min · SEV3 · In review"."""

    def paint(self, painter, option, index) -> None:  # noqa: ANN001
        model = index.model()
        title = index.data(Qt.ItemDataRole.DisplayRole) or ""
        row = index.row()
        details = " · ".join(filter(None, (
            f"Logs {model.index(row, IncidentTableModel.COL_TECHNICAL).data()}",
            f"Customers {model.index(row, IncidentTableModel.COL_CUSTOMER).data()}",
            model.index(row, IncidentTableModel.COL_SEVERITY).data(),
            model.index(row, IncidentTableModel.COL_STATUS).data(),
        )))
        style = option.widget.style() if option.widget else None
        if style is not None:
            style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter, option.widget)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        rect = option.rect.adjusted(PADDING, PADDING // 2, -PADDING, -PADDING // 2)
        bold = QFont(option.font)
        bold.setBold(True)
        line = QFontMetrics(bold).height()
        painter.save()
        painter.setPen(option.palette.color(role))
        painter.setFont(bold)
        painter.drawText(QRect(rect.left(), rect.top(), rect.width(), line), Qt.AlignmentFlag.AlignLeft,
                         QFontMetrics(bold).elidedText(title, Qt.TextElideMode.ElideRight, rect.width()))
        painter.setFont(option.font)
        metrics = QFontMetrics(option.font)
        painter.drawText(QRect(rect.left(), rect.top() + line, rect.width(), metrics.height()),
                         Qt.AlignmentFlag.AlignLeft,
                         metrics.elidedText(details, Qt.TextElideMode.ElideRight, rect.width()))
        painter.restore()

    def sizeHint(self, option, index) -> QSize:  # noqa: ANN001
        bold = QFont(option.font)
        bold.setBold(True)
        height = QFontMetrics(bold).height() + QFontMetrics(option.font).height() + PADDING
        return QSize(240, height)
